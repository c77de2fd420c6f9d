//! Signed declarations: each active person confirms they have read the policy in force by
//! typing their full name. The record keeps the time and the hash of the exact words signed.

use super::{VersionRow, load_version};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::policy::version::{Declaration, DeclarationError, PolicyVersion, sign};
use custodian_core::ports::{PersonStore, PolicyStore, PolicyStoreError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "policy/sign.html")]
struct SignPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    version: Option<VersionRow>,
    declaration: String,
    signed_at: Option<String>,
    required: bool,
    typed_name: String,
    person_id: String,
}

async fn sign_page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    typed_name: String,
) -> Result<Response, AppError> {
    let council = signed_in.council_id();
    let version = state.store().in_force(council).await?;
    let signed_at = match &version {
        Some(v) => state
            .store()
            .declaration_of(council, v.id, signed_in.person_id())
            .await?
            .map(|d| local_time(d.signed_at)),
        None => None,
    };
    Ok(render(&SignPage {
        chrome: chrome(signed_in, "/policy"),
        errors,
        declaration: version
            .as_ref()
            .and_then(|v| v.declaration_text.clone())
            .unwrap_or_default(),
        required: version
            .as_ref()
            .is_some_and(|v| v.profile.declaration_required),
        version: version.as_ref().map(VersionRow::of),
        signed_at,
        typed_name,
        person_id: signed_in.person_id().to_string(),
    })?
    .into_response())
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::SignDeclaration).await?;
    sign_page(&state, &signed_in, Errors::new(), String::new()).await
}

#[derive(Deserialize)]
pub struct SignForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    typed_name: String,
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<SignForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::SignDeclaration).await?;
    let council = signed_in.council_id();
    let in_force = state.store().in_force(council).await?;
    let version_id = custodian_core::ids::PolicyVersionId::parse(&form.version)
        .map_err(|_| AppError::NotFound)?;
    let mut errors = Errors::new();
    let person = &signed_in.current.person;
    match sign(
        in_force.as_ref(),
        version_id,
        person,
        &form.typed_name,
        state.now(),
    ) {
        Ok((declaration, event)) => {
            match state.store().sign_declaration(&declaration, &event).await {
                Ok(()) | Err(PolicyStoreError::AlreadySigned) => {
                    Ok(Redirect::to("/policy/declaration").into_response())
                }
                Err(PolicyStoreError::NotInForce) => {
                    errors.add(
                    "typed_name",
                    "A newer version of the policy was adopted while you were reading. Read it and sign again.",
                );
                    sign_page(&state, &signed_in, errors, form.typed_name).await
                }
                Err(e) => Err(e.into()),
            }
        }
        Err(e @ DeclarationError::NameMismatch { .. }) => {
            errors.add("typed_name", e.to_string());
            sign_page(&state, &signed_in, errors, form.typed_name).await
        }
        Err(DeclarationError::NotInForce | DeclarationError::NothingInForce) => {
            errors.add(
                "typed_name",
                "This version is no longer in force. Read the version below and sign again.",
            );
            sign_page(&state, &signed_in, errors, form.typed_name).await
        }
        Err(e) => Err(AppError::Internal(anyhow::Error::new(e))),
    }
}

/// A person's signature (or its absence) as a row.
pub struct SignatureRow {
    pub person_id: String,
    pub name: String,
    pub roles: String,
    pub signed_at: Option<String>,
}

#[derive(Template)]
#[template(path = "policy/declarations.html")]
struct DeclarationsPage {
    chrome: crate::chrome::Chrome,
    version: Option<VersionRow>,
    required: bool,
    signed: Vec<SignatureRow>,
    unsigned: Vec<SignatureRow>,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewDeclarations).await?;
    let council = signed_in.council_id();
    let version = state.store().in_force(council).await?;
    let people = state.people(council).await?;
    let row = |id: PersonId, signed_at: Option<String>| {
        let person = people.iter().find(|p| p.id == id);
        SignatureRow {
            person_id: id.to_string(),
            name: person.map_or_else(
                || "A person no longer listed".to_owned(),
                |p| p.name.to_string(),
            ),
            roles: person.map(|p| p.roles.labels()).unwrap_or_default(),
            signed_at,
        }
    };
    let (signed, unsigned) = match &version {
        Some(v) => {
            let declarations = state.store().declarations(council, v.id).await?;
            let unsigned = state.store().unsigned_people(council).await?;
            (
                declarations
                    .iter()
                    .map(|d| row(d.person_id, Some(local_time(d.signed_at))))
                    .collect(),
                unsigned.into_iter().map(|id| row(id, None)).collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok(render(&DeclarationsPage {
        chrome: chrome(&signed_in, "/policy"),
        required: version
            .as_ref()
            .is_some_and(|v| v.profile.declaration_required),
        version: version.as_ref().map(VersionRow::of),
        signed,
        unsigned,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "policy/signed_record.html")]
struct SignedRecordPage {
    chrome: crate::chrome::Chrome,
    council: String,
    version: VersionRow,
    person_name: String,
    typed_name: String,
    signed_at: String,
    declaration: String,
    text_hash: String,
    content_hash: String,
}

/// The printable record of one person's signature on one version. A person may print their
/// own; those who may see declarations may print anyone's.
pub async fn record(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((version_id, person_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPolicy).await?;
    let council = signed_in.council_id();
    let person_id = PersonId::parse(&person_id).map_err(|_| AppError::NotFound)?;
    if person_id != signed_in.person_id() {
        signed_in.require(Action::ViewDeclarations).await?;
    }
    let version: PolicyVersion = load_version(&state, council, &version_id).await?;
    let person = state.store().person(council, person_id).await?;
    let Some(Declaration {
        typed_name,
        signed_at,
        text_hash,
        ..
    }) = state
        .store()
        .declaration_of(council, version.id, person_id)
        .await?
    else {
        return Err(AppError::NotFound);
    };
    Ok(render(&SignedRecordPage {
        chrome: chrome(&signed_in, "/policy"),
        council: signed_in.current.council.name.to_string(),
        person_name: person.name.to_string(),
        typed_name,
        signed_at: local_time(signed_at),
        declaration: version.declaration_text.clone().unwrap_or_default(),
        text_hash,
        content_hash: version.content_hash.clone().unwrap_or_default(),
        version: VersionRow::of(&version),
    })?
    .into_response())
}
