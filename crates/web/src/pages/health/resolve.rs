//! A workstation request or hazard report on its own page, with the form that resolves it:
//! done or made safe (what was done), or declined or no action (why). Those who view health
//! and safety read it; the Clerk and the Chair resolve it, never their own request.

use super::person::status_of;
use super::{name_of, resolution_tag};
use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::health::{
    HazardId, HazardReport, HealthError, Resolution, Settle, WorkstationRequest,
    WorkstationRequestId, resolve_hazard as resolve_hazard_rule,
    resolve_workstation_request as resolve_request_rule,
};
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::ports::{HealthStore, StoreError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "health/resolve.html")]
struct ResolvePage {
    chrome: crate::chrome::Chrome,
    title: &'static str,
    action: String,
    problem: Option<String>,
    who_label: &'static str,
    who: String,
    when: String,
    place: Option<String>,
    what: String,
    tag: &'static str,
    class: &'static str,
    /// Who resolved it, when, and what was done or why not.
    outcome: Option<String>,
    done_label: &'static str,
    declined_label: &'static str,
    can_resolve: bool,
    /// Why the signed-in manager may not resolve it.
    own: bool,
    typed: Typed,
}

#[derive(Deserialize, Default, Clone)]
pub struct Typed {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub text: String,
}

/// Either kind, as the page shows it.
enum Report {
    Request(WorkstationRequest),
    Hazard(HazardReport),
}

impl Report {
    fn resolution(&self) -> &Resolution {
        match self {
            Report::Request(r) => &r.resolution,
            Report::Hazard(h) => &h.resolution,
        }
    }

    fn labels(&self) -> (&'static str, &'static str) {
        match self {
            Report::Request(_) => ("Done", "Declined"),
            Report::Hazard(_) => ("Made safe", "No action"),
        }
    }
}

async fn render_page(
    state: &AppState,
    signed_in: &SignedIn,
    report: &Report,
    problem: Option<String>,
    typed: Typed,
) -> Result<axum::response::Html<String>, AppError> {
    let names: std::collections::HashMap<PersonId, String> = state
        .people(signed_in.council_id())
        .await?
        .iter()
        .map(|p| (p.id, p.name.to_string()))
        .collect();
    let (done_label, declined_label) = report.labels();
    let (tag, class) = resolution_tag(report.resolution(), done_label, declined_label);
    let outcome = match report.resolution() {
        Resolution::Open => None,
        Resolution::Done { by, at, note } => Some(format!(
            "{done_label}: recorded by {} on {}. {note}",
            name_of(&names, *by),
            local_time(*at)
        )),
        Resolution::Declined { by, at, reason } => Some(format!(
            "{declined_label}: recorded by {} on {}. {reason}",
            name_of(&names, *by),
            local_time(*at)
        )),
    };
    let page = match report {
        Report::Request(r) => ResolvePage {
            chrome: chrome(signed_in, "/health-and-safety"),
            title: "Workstation request",
            action: format!("/health-and-safety/workstation-requests/{}", r.id),
            problem,
            who_label: "Asked by",
            who: name_of(&names, r.person_id),
            when: local_time(r.asked_at),
            place: None,
            what: r.problem.clone(),
            tag,
            class,
            outcome,
            done_label,
            declined_label,
            can_resolve: signed_in.may(Action::ManageHealthAndSafety),
            own: r.person_id == signed_in.person_id(),
            typed,
        },
        Report::Hazard(h) => ResolvePage {
            chrome: chrome(signed_in, "/health-and-safety"),
            title: "Hazard report",
            action: format!("/health-and-safety/hazards/{}", h.id),
            problem,
            who_label: "Reported by",
            who: name_of(&names, h.reported_by),
            when: local_time(h.reported_at),
            place: Some(h.place.clone()),
            what: h.description.clone(),
            tag,
            class,
            outcome,
            done_label,
            declined_label,
            can_resolve: signed_in.may(Action::ManageHealthAndSafety),
            own: false,
            typed,
        },
    };
    render(&page)
}

async fn load_request(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<Report, AppError> {
    let id = WorkstationRequestId::parse(id).map_err(|_| AppError::NotFound)?;
    Ok(Report::Request(
        state
            .store()
            .workstation_request(signed_in.council_id(), id)
            .await?,
    ))
}

async fn load_hazard(state: &AppState, signed_in: &SignedIn, id: &str) -> Result<Report, AppError> {
    let id = HazardId::parse(id).map_err(|_| AppError::NotFound)?;
    Ok(Report::Hazard(
        state.store().hazard(signed_in.council_id(), id).await?,
    ))
}

pub async fn request_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewHealthAndSafety).await?;
    let report = load_request(&state, &signed_in, &id).await?;
    Ok(
        render_page(&state, &signed_in, &report, None, Typed::default())
            .await?
            .into_response(),
    )
}

pub async fn hazard_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewHealthAndSafety).await?;
    let report = load_hazard(&state, &signed_in, &id).await?;
    Ok(
        render_page(&state, &signed_in, &report, None, Typed::default())
            .await?
            .into_response(),
    )
}

async fn resolve(
    state: AppState,
    signed_in: SignedIn,
    report: Report,
    typed: Typed,
) -> Result<Response, AppError> {
    let settle = match typed.outcome.as_str() {
        "done" => Ok(Settle::Done),
        "declined" => Ok(Settle::Declined),
        _ => Err(HealthError::Missing("Choose how it was resolved.")),
    };
    let (by, now) = (signed_in.person_id(), state.now());
    let stored = match (&report, settle) {
        (_, Err(e)) => Err(e),
        (Report::Request(r), Ok(settle)) => {
            match resolve_request_rule(r, settle, &typed.text, by, now) {
                Ok((after, event)) => Ok(state
                    .store()
                    .resolve_workstation_request(&after, &event)
                    .await),
                Err(e) => Err(e),
            }
        }
        (Report::Hazard(h), Ok(settle)) => {
            match resolve_hazard_rule(h, settle, &typed.text, by, now) {
                Ok((after, event)) => Ok(state.store().resolve_hazard(&after, &event).await),
                Err(e) => Err(e),
            }
        }
    };
    let (status, message) = match stored {
        Ok(Ok(())) => return Ok(Redirect::to("/health-and-safety").into_response()),
        Ok(Err(StoreError::Conflict(message))) => (StatusCode::CONFLICT, message),
        Ok(Err(e)) => return Err(e.into()),
        Err(e) => (status_of(&e), e.to_string()),
    };
    let page = render_page(&state, &signed_in, &report, Some(message), typed).await?;
    Ok((status, page).into_response())
}

pub async fn resolve_request(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Typed>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageHealthAndSafety).await?;
    let report = load_request(&state, &signed_in, &id).await?;
    resolve(state, signed_in, report, typed).await
}

pub async fn resolve_hazard(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Typed>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageHealthAndSafety).await?;
    let report = load_hazard(&state, &signed_in, &id).await?;
    resolve(state, signed_in, report, typed).await
}
