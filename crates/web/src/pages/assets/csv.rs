//! The register as a spreadsheet. `GET /assets.csv` downloads it for anyone who may see the
//! register (the internal auditor too), and records the download in the audit log as the audit
//! log's own CSV does. `/assets/import` takes a CSV file (Custodian's own columns or a Snipe-IT
//! export), checks all of it, and shows either every problem (row, column, what is wrong) or a
//! preview with one button to add everything.
//!
//! The confirm form carries the file's text back, so nothing is kept on the server between the
//! two steps; the text is checked again from scratch before anything is stored, so a changed
//! form can do no more than a new upload by the same person could.

use super::{AssetRow, People, unexpected};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::asset::csv::{
    ImportContext, ImportReport, RegisterImport, RowProblem, file_text, import_register_csv,
    write_register_csv,
};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::AssetId;
use custodian_core::permission::Action;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{AssetStore, AssetStoreError, AuditLog, StoreError};
use serde_json::json;

/// Problems listed on the page; a file with more says how many more there are.
const SHOWN_PROBLEMS: usize = 200;
/// Items shown in the preview before the button.
const SHOWN_ITEMS: usize = 20;

pub async fn download(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewRegister).await?;
    let council = signed_in.council_id();
    let assets = state.store().all_assets(council).await?;
    let people = state.people(council).await?;
    let event = AuditEvent::new(council, state.now(), signed_in.actor(), "assets.exported")
        .details(json!({ "items": assets.len(), "from": "web" }));
    state.store().append(&event).await?;
    // The byte-order mark makes Excel read the file as UTF-8 (names with accents, "£").
    let body = format!("\u{feff}{}", write_register_csv(&assets, &people));
    let disposition = format!(
        "attachment; filename=\"equipment-register-{}.csv\"",
        london_today(state.now())
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// Every problem the page shows, or the first [`SHOWN_PROBLEMS`] of them.
pub struct ProblemList {
    pub file: Vec<String>,
    pub rows: Vec<RowProblem>,
    pub not_shown: usize,
    pub total: usize,
    pub ignored: String,
}

impl ProblemList {
    fn of(report: ImportReport) -> Self {
        let total = report.len();
        let not_shown = report.row_problems.len().saturating_sub(SHOWN_PROBLEMS);
        let mut rows = report.row_problems;
        rows.truncate(SHOWN_PROBLEMS);
        Self {
            file: report.file_problems,
            rows,
            not_shown,
            total,
            ignored: report.ignored_columns.join(", "),
        }
    }

    fn one(message: impl Into<String>) -> Self {
        Self::of(ImportReport {
            file_problems: vec![message.into()],
            ..ImportReport::default()
        })
    }
}

#[derive(Template)]
#[template(path = "assets/import.html")]
struct UploadPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    imported: Option<usize>,
    problems: Option<ProblemList>,
}

#[derive(serde::Deserialize)]
pub struct Done {
    imported: Option<String>,
}

pub async fn upload_form(
    signed_in: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let imported = done.imported.and_then(|n| n.parse().ok());
    upload_page(&signed_in, Errors::new(), imported, None)
}

fn upload_page(
    signed_in: &SignedIn,
    errors: Errors,
    imported: Option<usize>,
    problems: Option<ProblemList>,
) -> Result<Response, AppError> {
    Ok(render(&UploadPage {
        chrome: chrome(signed_in, "/assets"),
        errors,
        imported,
        problems,
    })?
    .into_response())
}

/// The page listing why nothing was imported.
fn problems_page(signed_in: &SignedIn, problems: ProblemList) -> Result<Response, AppError> {
    let mut errors = Errors::new();
    let count = problems.total;
    errors.add(
        "register_file",
        if count == 1 {
            "The file has a problem, so nothing was added to the register. Correct it in your \
             spreadsheet and upload the file again."
                .to_owned()
        } else {
            format!(
                "The file has {count} problems, so nothing was added to the register. Correct \
                 them in your spreadsheet and upload the file again."
            )
        },
    );
    upload_page(signed_in, errors, None, Some(problems))
}

/// One of a form's fields (a file or a hidden text), by name. A field larger than the upload
/// limit is refused as too large, as the policy upload does.
async fn read_field(
    multipart: &mut Multipart,
    wanted: &str,
) -> Result<Option<(String, Vec<u8>)>, AppError> {
    let mut found = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(wanted) {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            found = Some((name, bytes.to_vec()));
        }
    }
    Ok(found)
}

/// Checks the whole file against the council's people and register as they are now.
async fn check(
    state: &AppState,
    signed_in: &SignedIn,
    text: &str,
) -> Result<Result<RegisterImport, ImportReport>, AppError> {
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let numbers = state.store().asset_numbers(council).await?;
    let context = ImportContext {
        council_id: council,
        people: &people,
        existing_numbers: &numbers,
        actor: signed_in.actor(),
        now: state.now(),
    };
    Ok(import_register_csv(
        text.as_bytes(),
        &context,
        AssetId::generate,
    ))
}

#[derive(Template)]
#[template(path = "assets/import_review.html")]
struct ReviewPage {
    chrome: crate::chrome::Chrome,
    file_name: String,
    total: usize,
    summary: Vec<String>,
    issued: usize,
    ignored: String,
    from_snipe_it: bool,
    rows: Vec<AssetRow>,
    not_shown: usize,
    text: String,
}

pub async fn upload(
    State(state): State<AppState>,
    signed_in: SignedIn,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let Some((file_name, bytes)) = read_field(&mut multipart, "register_file")
        .await?
        .filter(|(_, b)| !b.is_empty())
    else {
        let mut errors = Errors::new();
        errors.add(
            "register_file",
            "Choose the CSV file that lists the council's equipment",
        );
        return upload_page(&signed_in, errors, None, None);
    };
    let text = match file_text(&bytes) {
        Ok(text) => text,
        Err(report) => return problems_page(&signed_in, ProblemList::of(report)),
    };
    let import = match check(&state, &signed_in, &text).await? {
        Ok(import) => import,
        Err(report) => return problems_page(&signed_in, ProblemList::of(report)),
    };
    let people = People::of(&state, signed_in.council_id()).await?;
    let counts = import.counts();
    let summary = [
        (counts.in_store, "in store"),
        (counts.issued, "issued"),
        (counts.lost, "lost"),
        (counts.stolen, "stolen"),
        (counts.damaged, "damaged"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, words)| format!("{n} {words}"))
    .collect();
    Ok(render(&ReviewPage {
        chrome: chrome(&signed_in, "/assets"),
        file_name: if file_name.is_empty() {
            "the file".to_owned()
        } else {
            file_name
        },
        total: counts.total,
        summary,
        issued: counts.issued,
        ignored: import.ignored_columns.join(", "),
        from_snipe_it: import.source == custodian_core::asset::csv::SourceFormat::SnipeIt,
        rows: import
            .assets
            .iter()
            .take(SHOWN_ITEMS)
            .map(|a| AssetRow::of(a, &people))
            .collect(),
        not_shown: counts.total.saturating_sub(SHOWN_ITEMS),
        text,
    })?
    .into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    signed_in: SignedIn,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let Some((_, bytes)) = read_field(&mut multipart, "register_csv").await? else {
        return problems_page(
            &signed_in,
            ProblemList::one("The file's contents did not arrive. Upload the file again."),
        );
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return problems_page(
            &signed_in,
            ProblemList::one("The file's contents did not arrive intact. Upload the file again."),
        );
    };
    let import = match check(&state, &signed_in, &text).await? {
        Ok(import) => import,
        Err(report) => return problems_page(&signed_in, ProblemList::of(report)),
    };
    let stored = state
        .store()
        .import_assets(signed_in.council_id(), &import.assets, &import.events)
        .await;
    match stored {
        Ok(count) => Ok(Redirect::to(&format!("/assets/import?imported={count}")).into_response()),
        // Someone added an item or removed a person between the check and now.
        Err(error @ AssetStoreError::DuplicateNumber { .. }) => problems_page(
            &signed_in,
            ProblemList::one(format!("{error} Nothing was added; upload the file again.")),
        ),
        Err(AssetStoreError::Store(StoreError::NotFound("person"))) => problems_page(
            &signed_in,
            ProblemList::one(
                "Someone named in the file has just been removed from the council's people, \
                 so nothing was added. Upload the file again to see which row.",
            ),
        ),
        Err(error) => Err(unexpected(error)),
    }
}
