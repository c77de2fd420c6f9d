//! A version's whole policy document: as a web page (with a print stylesheet), as Markdown and
//! as a Word file, and the clause-by-clause comparison of two versions.

use super::{VersionRow, adoption_block, load_version};
use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use custodian_core::permission::Action;
use custodian_core::policy::document::format_date;
use custodian_core::policy::version::PolicyVersion;
use custodian_core::policy::{ClauseChange, Document, WordChange, diff_documents, render_policy};
use serde::Deserialize;

/// Renders a version with the council's current name.
pub fn document_of(signed_in: &SignedIn, version: &PolicyVersion) -> Document {
    render_policy(
        &version.profile,
        signed_in.current.council.name.as_str(),
        &adoption_block(version),
    )
}

#[derive(Template)]
#[template(path = "policy/document.html")]
struct DocumentPage {
    chrome: crate::chrome::Chrome,
    version: VersionRow,
    is_draft: bool,
    document: Document,
    adopted_on: String,
    review_due: String,
    minute_reference: String,
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPolicy).await?;
    let version = load_version(&state, signed_in.council_id(), &id).await?;
    let document = document_of(&signed_in, &version);
    Ok(render(&DocumentPage {
        chrome: chrome(&signed_in, "/policy"),
        version: VersionRow::of(&version),
        is_draft: version.is_draft(),
        adopted_on: document
            .adoption
            .adopted_on
            .map(format_date)
            .unwrap_or_default(),
        review_due: document
            .adoption
            .review_due
            .map(format_date)
            .unwrap_or_default(),
        minute_reference: document
            .adoption
            .minute_reference
            .clone()
            .unwrap_or_default(),
        document,
    })?
    .into_response())
}

/// "Balsham Parish Council IT policy v3": a file name without characters any system objects to.
fn file_name(document: &Document, number: u32, extension: &str) -> String {
    let council: String = document
        .council_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{council}-IT-policy-v{number}.{extension}")
}

fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn markdown(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPolicy).await?;
    let version = load_version(&state, signed_in.council_id(), &id).await?;
    let document = document_of(&signed_in, &version);
    let name = file_name(&document, version.number, "md");
    Ok(download(
        custodian_core::policy::to_markdown(&document).into_bytes(),
        "text/markdown; charset=utf-8",
        &name,
    ))
}

pub async fn docx(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPolicy).await?;
    let version = load_version(&state, signed_in.council_id(), &id).await?;
    let document = document_of(&signed_in, &version);
    let name = file_name(&document, version.number, "docx");
    let bytes = custodian_docx::write_docx(&document)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &name,
    ))
}

#[derive(Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// A changed clause as the comparison page shows it.
pub struct ChangeRow {
    pub number: String,
    pub kind: &'static str,
    pub words: Vec<(&'static str, String)>,
}

fn change_rows(changes: Vec<ClauseChange>) -> Vec<ChangeRow> {
    changes
        .into_iter()
        .map(|change| match change {
            ClauseChange::Added { number, text } => ChangeRow {
                number,
                kind: "Added",
                words: vec![("added", text)],
            },
            ClauseChange::Removed { number, text } => ChangeRow {
                number,
                kind: "Removed",
                words: vec![("removed", text)],
            },
            ClauseChange::Changed { number, words, .. } => ChangeRow {
                number,
                kind: "Changed",
                words: words
                    .into_iter()
                    .map(|w| match w {
                        WordChange::Same(t) => ("same", t),
                        WordChange::Removed(t) => ("removed", t),
                        WordChange::Added(t) => ("added", t),
                    })
                    .collect(),
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "policy/compare.html")]
struct ComparePage {
    chrome: crate::chrome::Chrome,
    from: VersionRow,
    to: VersionRow,
    changes: Vec<ChangeRow>,
}

pub async fn compare(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<CompareQuery>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPolicy).await?;
    let council = signed_in.council_id();
    let from = load_version(&state, council, &query.from).await?;
    let to = load_version(&state, council, &query.to).await?;
    let changes = diff_documents(
        &document_of(&signed_in, &from),
        &document_of(&signed_in, &to),
    );
    Ok(render(&ComparePage {
        chrome: chrome(&signed_in, "/policy"),
        from: VersionRow::of(&from),
        to: VersionRow::of(&to),
        changes: change_rows(changes),
    })?
    .into_response())
}
