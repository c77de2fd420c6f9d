//! A request's page (`/approvals/{id}`): what was asked, by whom, who decides it, and the
//! decision; the decision form for the Clerk or the Chair (never on their own request), and the
//! withdrawal button for the requester while it waits. The requester always sees their own
//! request; others need to see approvals.

use super::{Row, name_in, names, parse_date, parse_id, row};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_date, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::approval::{
    ApprovalError, ApprovalRequest, DecisionInput, Outcome, decide as decide_request,
    default_expiry, expected_decider, withdraw as withdraw_request,
};
use custodian_core::permission::Action;
use custodian_core::person::Role;
use custodian_core::policy::choices::Approver;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{ApprovalStore, PersonStore, StoreError};
use serde::Deserialize;

/// What the decider typed, kept to fill the form again after a problem.
#[derive(Deserialize, Default)]
pub struct DecideForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    minute_reference: String,
    #[serde(default)]
    meeting_on: String,
    #[serde(default)]
    revision: String,
}

pub struct DecisionView {
    pub outcome: &'static str,
    pub by: String,
    pub at: String,
    /// "Reason" when declined, "Conditions" when approved.
    pub note_label: &'static str,
    pub note: Option<String>,
    pub expires: Option<String>,
    pub minute: Option<String>,
}

#[derive(Template)]
#[template(path = "approvals/show.html")]
struct ShowPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    problem: Option<String>,
    done: Option<&'static str>,
    request: Row,
    details: Option<String>,
    needed_until: Option<String>,
    council_decides: bool,
    decision: Option<DecisionView>,
    withdrawn: Option<String>,
    can_decide: bool,
    /// Shown to a decider looking at their own waiting request.
    decided_by_other: Option<&'static str>,
    can_withdraw: bool,
    revision: u32,
    form: DecideForm,
}

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    done: Option<String>,
}

fn banner(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "requested" => Some("Your request was sent. You will be told when it is decided."),
        "decided" => Some("The decision was recorded and the person who asked was told."),
        "withdrawn" => Some("The request was withdrawn."),
        _ => None,
    }
}

/// Loads a request the signed-in person may see: their own, or any if they see approvals.
async fn load(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<ApprovalRequest, AppError> {
    let request = state
        .store()
        .approval(signed_in.council_id(), parse_id(id)?)
        .await?;
    if request.requester != signed_in.person_id() {
        signed_in.require(Action::ViewApprovals).await?;
    }
    Ok(request)
}

/// How the page is drawn this time: a fresh view, a form with problems, or a refusal.
#[derive(Default)]
struct View {
    status: Option<StatusCode>,
    problem: Option<String>,
    errors: Errors,
    form: Option<DecideForm>,
    done: Option<&'static str>,
}

impl View {
    fn refused(status: StatusCode, message: String) -> Self {
        Self {
            status: Some(status),
            problem: Some(message),
            ..Self::default()
        }
    }

    fn to_correct(errors: Errors, form: DecideForm) -> Self {
        Self {
            errors,
            form: Some(form),
            ..Self::default()
        }
    }
}

async fn draw(
    state: &AppState,
    signed_in: &SignedIn,
    request: &ApprovalRequest,
    shown: View,
) -> Result<Response, AppError> {
    let View {
        status,
        problem,
        errors,
        form,
        done,
    } = shown;
    let now = state.now();
    let names = names(state, signed_in).await?;
    let me = signed_in.person_id();
    let pending = request.is_pending();
    let own = request.requester == me;
    let may_decide = signed_in.may(Action::DecideApprovals);
    let decision = request.decision.as_ref().map(|d| DecisionView {
        outcome: match d.outcome {
            Outcome::Approved => "Approved",
            Outcome::Declined => "Declined",
        },
        by: name_in(&names, d.by),
        at: local_time(d.at),
        note_label: match d.outcome {
            Outcome::Approved => "Conditions",
            Outcome::Declined => "Reason",
        },
        note: d.note.clone(),
        expires: d.expires_on.map(local_date),
        minute: d.minute.as_ref().map(|m| {
            format!(
                "{}, at the meeting of {}",
                m.reference,
                local_date(m.meeting_on)
            )
        }),
    });
    let decided_by_other = if pending && own && may_decide {
        let people = state.people(signed_in.council_id()).await?;
        let role = people
            .iter()
            .find(|p| p.id == me)
            .map_or(Role::Clerk, expected_decider);
        Some(match role {
            Role::Chair => "Nobody decides their own request: the Chair decides this one.",
            _ => "Nobody decides their own request: the Clerk decides this one.",
        })
    } else {
        None
    };
    let form = form.unwrap_or_else(|| DecideForm {
        expires_on: default_expiry(request, london_today(now))
            .map(|d| d.strftime("%-d/%-m/%Y").to_string())
            .unwrap_or_default(),
        ..DecideForm::default()
    });
    let body = render(&ShowPage {
        chrome: chrome(signed_in, "/approvals"),
        errors,
        problem,
        done,
        request: row(request, &names, now, false),
        details: (!request.details.is_empty()).then(|| request.details.clone()),
        needed_until: request.needed_until.map(local_date),
        council_decides: request.approver == Approver::Council,
        decision,
        withdrawn: request.withdrawn_at.map(local_time),
        can_decide: pending && may_decide && !own,
        decided_by_other,
        can_withdraw: pending && own,
        revision: request.revision,
        form,
    })?;
    Ok((status.unwrap_or(StatusCode::OK), body).into_response())
}

/// `GET /approvals/{id}`.
pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Result<Response, AppError> {
    let request = load(&state, &signed_in, &id).await?;
    let shown = View {
        done: banner(shown.done.as_deref()),
        ..View::default()
    };
    draw(&state, &signed_in, &request, shown).await
}

/// The status a refusal of the whole change is shown with.
fn refusal_status(error: &ApprovalError) -> StatusCode {
    match error {
        ApprovalError::OwnRequest | ApprovalError::NotADecider | ApprovalError::NotTheRequester => {
            StatusCode::FORBIDDEN
        }
        _ => StatusCode::CONFLICT,
    }
}

/// `POST /approvals/{id}/decide`: the Clerk or the Chair records a decision (for the Council's
/// kinds, the Council's, with its minute reference); the requester is told in the same
/// transaction.
pub async fn decide(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::DecideApprovals).await?;
    let council = signed_in.council_id();
    let request = load(&state, &signed_in, &id).await?;
    let mut errors = Errors::new();
    let outcome = match form.outcome.as_str() {
        "approve" => Some(Outcome::Approved),
        "decline" => Some(Outcome::Declined),
        _ => {
            errors.add(
                "outcome",
                "Choose whether to approve or decline the request.",
            );
            None
        }
    };
    // A declined request has no last day, so what is in that field then does not matter.
    let expires_on = if outcome == Some(Outcome::Declined) {
        None
    } else {
        errors
            .check(
                "expires_on",
                parse_date(&form.expires_on, "the last day the approval holds"),
            )
            .flatten()
    };
    let meeting_on = errors
        .check(
            "meeting_on",
            parse_date(&form.meeting_on, "the date of the meeting"),
        )
        .flatten();
    // A revision that cannot be read is an old or altered page: refused as stale.
    let revision = form.revision.trim().parse().unwrap_or(u32::MAX);
    let decider = state.store().person(council, signed_in.person_id()).await?;
    let input = DecisionInput {
        outcome: outcome.unwrap_or(Outcome::Approved),
        note: &form.note,
        expires_on,
        minute_reference: &form.minute_reference,
        meeting_on,
        revision,
    };
    let (decided, event) = match decide_request(&request, &input, &decider, state.now()) {
        Ok(done) if errors.is_empty() => done,
        Ok(_) => {
            return draw(&state, &signed_in, &request, View::to_correct(errors, form)).await;
        }
        Err(problems) => {
            if let Some(refusal) = problems.iter().find(|p| p.is_refusal()) {
                return draw(
                    &state,
                    &signed_in,
                    &request,
                    View::refused(refusal_status(refusal), refusal.to_string()),
                )
                .await;
            }
            for problem in problems {
                errors.add(problem.field(), problem.to_string());
            }
            return draw(&state, &signed_in, &request, View::to_correct(errors, form)).await;
        }
    };
    let notifications = super::tell_requester(&decided, state.now());
    match state
        .store()
        .update_approval(&decided, &notifications, &event)
        .await
    {
        Ok(()) => {
            super::tell::mail_requester(&state, &decided).await;
            Ok(Redirect::to(&format!("/approvals/{}?done=decided", decided.id)).into_response())
        }
        Err(StoreError::Conflict(message)) => {
            let now_stored = state.store().approval(council, request.id).await?;
            draw(
                &state,
                &signed_in,
                &now_stored,
                View::refused(StatusCode::CONFLICT, message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct WithdrawForm {
    #[serde(default)]
    revision: String,
}

/// `POST /approvals/{id}/withdraw`: the requester withdraws a request still waiting.
pub async fn withdraw(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, AppError> {
    let request = load(&state, &signed_in, &id).await?;
    if request.requester != signed_in.person_id() {
        return Err(AppError::Forbidden);
    }
    let revision = form.revision.trim().parse().unwrap_or(u32::MAX);
    let (withdrawn, event) =
        match withdraw_request(&request, signed_in.person_id(), revision, state.now()) {
            Ok(done) => done,
            Err(refusal) => {
                return draw(
                    &state,
                    &signed_in,
                    &request,
                    View::refused(refusal_status(&refusal), refusal.to_string()),
                )
                .await;
            }
        };
    match state.store().update_approval(&withdrawn, &[], &event).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/approvals/{}?done=withdrawn", withdrawn.id)).into_response(),
        ),
        Err(StoreError::Conflict(message)) => {
            let now_stored = state
                .store()
                .approval(signed_in.council_id(), request.id)
                .await?;
            draw(
                &state,
                &signed_in,
                &now_stored,
                View::refused(StatusCode::CONFLICT, message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
