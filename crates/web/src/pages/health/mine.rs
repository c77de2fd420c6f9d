//! Everyone's own page (`/health-and-safety/mine`): their workstation assessments and eye
//! tests (answering an offer), their requests to change their workstation ("speak to the
//! Clerk", 3.1.3) and the hazards they reported. Nobody sees another person's records here.

use super::person::{AssessmentRow, OfferRow, assessment_rows, offer_rows, status_of};
use super::{Context, DueView, due_view, resolution_tag};
use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::health::{
    HazardId, Resolution, WorkstationRequestId, ask_for_workstation_change, report_hazard,
};
use custodian_core::permission::Action;
use custodian_core::ports::{HealthStore, StoreError};
use serde::Deserialize;

/// One of my requests or hazard reports, with how it ended.
pub struct MineRow {
    pub when: String,
    pub place: Option<String>,
    pub what: String,
    pub tag: &'static str,
    pub class: &'static str,
    /// What was done, or why not.
    pub answer: Option<String>,
}

/// What was typed into this page's forms, kept when one is refused.
#[derive(Deserialize, Default, Clone)]
pub struct Typed {
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Template)]
#[template(path = "health/mine.html")]
struct MinePage {
    chrome: crate::chrome::Chrome,
    problem: Option<String>,
    done: Option<&'static str>,
    is_user: bool,
    assessment: DueView,
    eye_test: DueView,
    assessments: Vec<AssessmentRow>,
    offers: Vec<OfferRow>,
    requests: Vec<MineRow>,
    hazards: Vec<MineRow>,
    can_report: bool,
    typed: Typed,
}

fn answer_of(resolution: &Resolution) -> Option<String> {
    match resolution {
        Resolution::Open => None,
        Resolution::Done { at, note, .. } => Some(format!("{}: {note}", local_time(*at))),
        Resolution::Declined { at, reason, .. } => Some(format!("{}: {reason}", local_time(*at))),
    }
}

async fn render_page(
    state: &AppState,
    signed_in: &SignedIn,
    problem: Option<String>,
    done: Option<&'static str>,
    typed: Typed,
) -> Result<axum::response::Html<String>, AppError> {
    let context = Context::of(state, signed_in.council_id()).await?;
    let names = context.names();
    let me = &signed_in.current.person;
    let status = context.records.status(me, &context.rules, context.today);
    let requests = context
        .records
        .requests
        .iter()
        .filter(|r| r.person_id == me.id)
        .map(|r| {
            let (tag, class) = resolution_tag(&r.resolution, "Done", "Declined");
            MineRow {
                when: local_time(r.asked_at),
                place: None,
                what: r.problem.clone(),
                tag,
                class,
                answer: answer_of(&r.resolution),
            }
        })
        .collect();
    let hazards = context
        .records
        .hazards
        .iter()
        .filter(|h| h.reported_by == me.id)
        .map(|h| {
            let (tag, class) = resolution_tag(&h.resolution, "Made safe", "No action");
            MineRow {
                when: local_time(h.reported_at),
                place: Some(h.place.clone()),
                what: h.description.clone(),
                tag,
                class,
                answer: answer_of(&h.resolution),
            }
        })
        .collect();
    render(&MinePage {
        chrome: chrome(signed_in, "/health-and-safety/mine"),
        problem,
        done,
        is_user: context.records.is_dse_user(me),
        assessment: due_view(status.assessment, "You have not had one yet."),
        eye_test: due_view(status.eye_test, "You have not been offered one yet."),
        assessments: assessment_rows(&context, me.id, &names),
        offers: offer_rows(&context, me.id, &names),
        requests,
        hazards,
        can_report: signed_in.may(Action::ReportHazard),
        typed,
    })
}

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    done: Option<String>,
}

fn banner(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "answered" => Some("Your answer to the eye-test offer was recorded."),
        "asked" => Some("Your request was sent to the Clerk."),
        "reported" => Some("Thank you: the hazard was reported to the Clerk."),
        _ => None,
    }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(shown): Query<Shown>,
) -> Result<Response, AppError> {
    let done = banner(shown.done.as_deref());
    Ok(
        render_page(&state, &signed_in, None, done, Typed::default())
            .await?
            .into_response(),
    )
}

pub(super) async fn refused(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    message: String,
    typed: Typed,
) -> Result<Response, AppError> {
    let page = render_page(state, signed_in, Some(message), None, typed).await?;
    Ok((status, page).into_response())
}

async fn stored(
    state: &AppState,
    signed_in: &SignedIn,
    result: Result<(), StoreError>,
    done: &str,
    typed: Typed,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/health-and-safety/mine?done={done}")).into_response()),
        Err(StoreError::Conflict(message)) => {
            refused(state, signed_in, StatusCode::CONFLICT, message, typed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Asks the Clerk for a change to one's own workstation.
pub async fn ask(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(typed): Form<Typed>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ReportHazard).await?;
    let asked = ask_for_workstation_change(
        &signed_in.current.person,
        WorkstationRequestId::generate(),
        &typed.problem,
        state.now(),
    );
    match asked {
        Ok((request, event)) => {
            let result = state
                .store()
                .insert_workstation_request(&request, &event)
                .await;
            stored(&state, &signed_in, result, "asked", typed).await
        }
        Err(e) => refused(&state, &signed_in, status_of(&e), e.to_string(), typed).await,
    }
}

/// Reports a hazard.
pub async fn report(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(typed): Form<Typed>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ReportHazard).await?;
    let reported = report_hazard(
        signed_in.council_id(),
        HazardId::generate(),
        &typed.place,
        &typed.description,
        signed_in.person_id(),
        state.now(),
    );
    match reported {
        Ok((hazard, event)) => {
            let result = state.store().insert_hazard(&hazard, &event).await;
            stored(&state, &signed_in, result, "reported", typed).await
        }
        Err(e) => refused(&state, &signed_in, status_of(&e), e.to_string(), typed).await,
    }
}
