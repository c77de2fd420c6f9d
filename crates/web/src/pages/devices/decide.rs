//! The Clerk's decisions on requests to use an own device (clause 2.2.1: "at the discretion of
//! the council"): the list of requests waiting, approving, and declining with a reason the
//! person will see. Each decision is audited.

use super::views::{Names, kind_and_platform};
use super::{conflict_message, load, show};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::device::{Device, approve as approve_device, decline as decline_device};
use custodian_core::permission::Action;
use custodian_core::ports::DeviceStore;
use serde::Deserialize;

pub struct Request {
    pub id: String,
    pub name: String,
    pub person: String,
    pub kind: String,
    pub requested: String,
}

#[derive(Template)]
#[template(path = "devices/requests.html")]
struct RequestsPage {
    chrome: crate::chrome::Chrome,
    requests: Vec<Request>,
}

pub async fn requests(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ApproveOwnDevice).await?;
    let council = signed_in.council_id();
    let names = Names::of(&state, council).await?;
    let requests = state
        .store()
        .pending_device_requests(council)
        .await?
        .iter()
        .map(|d| Request {
            id: d.id.to_string(),
            name: d.name.to_string(),
            person: names.user(d),
            kind: kind_and_platform(d),
            requested: d
                .approval
                .requested_at()
                .map(local_time)
                .unwrap_or_default(),
        })
        .collect();
    Ok(render(&RequestsPage {
        chrome: chrome(&signed_in, "/devices"),
        requests,
    })?
    .into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ApproveOwnDevice).await?;
    let device = load(&state, &signed_in, &id).await?;
    let refused = match approve_device(&device, signed_in.person_id(), state.now()) {
        Ok((approved, event)) => match state.store().update_device(&approved, &event).await {
            Ok(()) => {
                let target = format!("/devices/{}?approved=1", device.id);
                return Ok(Redirect::to(&target).into_response());
            }
            Err(e) => conflict_message(e)?,
        },
        Err(e) => e.to_string(),
    };
    show::with_problem(&state, &signed_in, &device, refused).await
}

#[derive(Template)]
#[template(path = "devices/decline.html")]
struct DeclinePage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    id: String,
    name: String,
    person: String,
    reason: String,
}

async fn decline_page(
    state: &AppState,
    signed_in: &SignedIn,
    device: &Device,
    errors: Errors,
    reason: String,
) -> Result<Response, AppError> {
    let names = Names::of(state, signed_in.council_id()).await?;
    Ok(render(&DeclinePage {
        chrome: chrome(signed_in, "/devices"),
        errors,
        id: device.id.to_string(),
        name: device.name.to_string(),
        person: names.user(device),
        reason,
    })?
    .into_response())
}

pub async fn decline_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ApproveOwnDevice).await?;
    let device = load(&state, &signed_in, &id).await?;
    decline_page(&state, &signed_in, &device, Errors::new(), String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeclineForm {
    reason: String,
}

pub async fn decline(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DeclineForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ApproveOwnDevice).await?;
    let device = load(&state, &signed_in, &id).await?;
    let mut errors = Errors::new();
    match decline_device(&device, signed_in.person_id(), &form.reason, state.now()) {
        Ok((declined, event)) => match state.store().update_device(&declined, &event).await {
            Ok(()) => {
                let target = format!("/devices/{}?declined=1", device.id);
                return Ok(Redirect::to(&target).into_response());
            }
            Err(e) => errors.add("reason", conflict_message(e)?),
        },
        Err(e) => errors.add("reason", e.to_string()),
    }
    decline_page(&state, &signed_in, &device, errors, form.reason).await
}
