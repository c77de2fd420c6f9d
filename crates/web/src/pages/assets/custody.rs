//! Custody (clause 1.1.5: each number "is logged against the current owner"): issuing an item
//! to a person, transferring it to someone else and returning it to store. The person who
//! receives it acknowledges it on their own equipment page.

use super::show::item_page;
use super::{Choice, People, load, unexpected};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::asset::{self, Asset, AssetError};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::permission::Action;
use custodian_core::person::Person;
use custodian_core::ports::{AssetStore, AssetStoreError};
use jiff::Timestamp;
use serde::Deserialize;

/// Issuing and transferring differ only in their words and the rule they call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Handover {
    Issue,
    Transfer,
}

impl Handover {
    fn path(self) -> &'static str {
        match self {
            Handover::Issue => "issue",
            Handover::Transfer => "transfer",
        }
    }

    fn rule(
        self,
        asset: &Asset,
        to: &Person,
        by: Actor,
        now: Timestamp,
    ) -> Result<(Asset, AuditEvent), AssetError> {
        match self {
            Handover::Issue => asset::issue(asset, to, by, now),
            Handover::Transfer => asset::transfer(asset, to, by, now),
        }
    }
}

#[derive(Template)]
#[template(path = "assets/handover.html")]
struct HandoverPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    id: String,
    number: String,
    description: String,
    transfer: bool,
    current_holder: String,
    action: String,
    people: Vec<Choice>,
}

#[derive(Deserialize, Default)]
pub struct HandoverForm {
    #[serde(default)]
    person: String,
}

async fn handover_page(
    state: &AppState,
    signed_in: &SignedIn,
    asset: &Asset,
    kind: Handover,
    selected: &str,
    errors: Errors,
) -> Result<Response, AppError> {
    let people = People::of(state, signed_in.council_id()).await?;
    let mut choices = people.active_choices(selected);
    // Transferring to the person who already holds it makes no sense: leave them out.
    if let Some(holder) = asset.holder() {
        let holder = holder.to_string();
        choices.retain(|c| c.value != holder);
    }
    Ok(render(&HandoverPage {
        chrome: chrome(signed_in, "/assets"),
        errors,
        id: asset.id.to_string(),
        number: asset.number.to_string(),
        description: asset.make_and_model(),
        transfer: kind == Handover::Transfer,
        current_holder: asset.holder().map(|p| people.name(p)).unwrap_or_default(),
        action: format!("/assets/{}/{}", asset.id, kind.path()),
        people: choices,
    })?
    .into_response())
}

async fn show_form(
    state: AppState,
    signed_in: SignedIn,
    id: String,
    kind: Handover,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let asset = load(&state, &signed_in, &id).await?;
    handover_page(&state, &signed_in, &asset, kind, "", Errors::new()).await
}

async fn submit(
    state: AppState,
    signed_in: SignedIn,
    id: String,
    form: HandoverForm,
    kind: Handover,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let asset = load(&state, &signed_in, &id).await?;
    let people = People::of(&state, signed_in.council_id()).await?;
    let mut errors = Errors::new();
    let Some(person) = people.active(&form.person) else {
        errors.add("person", "Choose who is receiving the item.");
        return handover_page(&state, &signed_in, &asset, kind, &form.person, errors).await;
    };
    let (changed, event) = match kind.rule(&asset, person, signed_in.actor(), state.now()) {
        Ok(done) => done,
        Err(e) => {
            errors.add("person", e.to_string());
            return handover_page(&state, &signed_in, &asset, kind, &form.person, errors).await;
        }
    };
    match state
        .store()
        .update_asset_if_unchanged(&asset, &changed, &event)
        .await
    {
        Ok(()) => {
            let done = match kind {
                Handover::Issue => "issued",
                Handover::Transfer => "transferred",
            };
            Ok(Redirect::to(&format!("/assets/{id}?done={done}")).into_response())
        }
        Err(e @ AssetStoreError::ChangedSinceRead { .. }) => {
            errors.add("person", e.to_string());
            handover_page(&state, &signed_in, &asset, kind, &form.person, errors).await
        }
        Err(e) => Err(unexpected(e)),
    }
}

pub async fn issue_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_form(state, signed_in, id, Handover::Issue).await
}

pub async fn issue(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<HandoverForm>,
) -> Result<Response, AppError> {
    submit(state, signed_in, id, form, Handover::Issue).await
}

pub async fn transfer_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_form(state, signed_in, id, Handover::Transfer).await
}

pub async fn transfer(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<HandoverForm>,
) -> Result<Response, AppError> {
    submit(state, signed_in, id, form, Handover::Transfer).await
}

pub async fn return_to_store(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let asset = load(&state, &signed_in, &id).await?;
    let (returned, event) = match asset::return_to_store(&asset, signed_in.actor(), state.now()) {
        Ok(done) => done,
        Err(e) => return refuse(&state, &signed_in, &id, e.to_string()).await,
    };
    match state
        .store()
        .update_asset_if_unchanged(&asset, &returned, &event)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{id}?done=returned")).into_response()),
        Err(e @ AssetStoreError::ChangedSinceRead { .. }) => {
            refuse(&state, &signed_in, &id, e.to_string()).await
        }
        Err(e) => Err(unexpected(e)),
    }
}

/// The item's page as it is now, with why the action was refused.
pub async fn refuse(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
    message: String,
) -> Result<Response, AppError> {
    let asset = load(state, signed_in, id).await?;
    let page = item_page(state, signed_in, &asset, None, Some(message)).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}
