//! Asking for approval: the kinds, each with its clause and who decides it under the policy in
//! force (`/approvals/new`), and the form for one kind (`/approvals/new/{kind}`). Own devices
//! are asked for by registering the device, which makes the device's request.

use super::parse_date;
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::pages::policy::profile_in_force;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::approval::{
    ApprovalId, CostRule, NewRequest, approver_words, cost_rule, request,
};
use custodian_core::permission::Action;
use custodian_core::policy::choices::ApprovalKind;
use custodian_core::ports::{ApprovalStore, PersonStore, StoreError};
use serde::Deserialize;

/// Where people register their own devices, which is how that kind is asked for.
const OWN_DEVICE_PAGE: &str = "/devices/mine";

pub struct KindRow {
    pub href: String,
    pub label: &'static str,
    pub clause: &'static str,
    pub approver: &'static str,
    pub own_device: bool,
}

#[derive(Template)]
#[template(path = "approvals/kinds.html")]
struct KindsPage {
    chrome: crate::chrome::Chrome,
    kinds: Vec<KindRow>,
    adopted: bool,
}

/// `GET /approvals/new`: every kind with its clause and who decides it.
pub async fn kinds(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::RequestApproval).await?;
    let (profile, adopted) = profile_in_force(&state, signed_in.council_id()).await?;
    let kinds = profile
        .approvers
        .iter()
        .map(|(kind, approver)| {
            let own_device = kind == ApprovalKind::OwnDevice;
            KindRow {
                href: if own_device {
                    OWN_DEVICE_PAGE.to_owned()
                } else {
                    format!("/approvals/new/{}", kind.as_str())
                },
                label: kind.label(),
                clause: kind.clause(),
                approver: approver_words(approver),
                own_device,
            }
        })
        .collect();
    Ok(render(&KindsPage {
        chrome: chrome(&signed_in, "/approvals"),
        kinds,
        adopted,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct RequestForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    cost: String,
    #[serde(default)]
    needed_until: String,
}

#[derive(Template)]
#[template(path = "approvals/new.html")]
struct FormPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    kind: &'static str,
    label: &'static str,
    clause: &'static str,
    approver: &'static str,
    cost_asked: bool,
    cost_required: bool,
    form: RequestForm,
}

fn parse_kind(text: &str) -> Result<ApprovalKind, AppError> {
    ApprovalKind::parse(text).ok_or(AppError::NotFound)
}

async fn form_page(
    state: &AppState,
    signed_in: &SignedIn,
    kind: ApprovalKind,
    errors: Errors,
    form: RequestForm,
) -> Result<Response, AppError> {
    let (profile, _) = profile_in_force(state, signed_in.council_id()).await?;
    let rule = cost_rule(kind);
    Ok(render(&FormPage {
        chrome: chrome(signed_in, "/approvals"),
        errors,
        kind: kind.as_str(),
        label: kind.label(),
        clause: kind.clause(),
        approver: approver_words(profile.approvers.get(kind)),
        cost_asked: rule != CostRule::NotAsked,
        cost_required: rule == CostRule::Required,
        form,
    })?
    .into_response())
}

/// `GET /approvals/new/{kind}`.
pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(kind): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::RequestApproval).await?;
    let kind = parse_kind(&kind)?;
    if kind == ApprovalKind::OwnDevice {
        return Ok(Redirect::to(OWN_DEVICE_PAGE).into_response());
    }
    form_page(
        &state,
        &signed_in,
        kind,
        Errors::new(),
        RequestForm::default(),
    )
    .await
}

/// `POST /approvals/new/{kind}`: stores the request with the approver the policy in force
/// names now, and shows it.
pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(kind): Path<String>,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::RequestApproval).await?;
    let kind = parse_kind(&kind)?;
    if kind == ApprovalKind::OwnDevice {
        return Ok(Redirect::to(OWN_DEVICE_PAGE).into_response());
    }
    let council = signed_in.council_id();
    let mut errors = Errors::new();
    let needed_until = errors
        .check(
            "needed_until",
            parse_date(&form.needed_until, "the last day you need it"),
        )
        .flatten();
    let requester = state.store().person(council, signed_in.person_id()).await?;
    let (profile, _) = profile_in_force(&state, council).await?;
    let asked = request(
        ApprovalId::generate(),
        &requester,
        kind,
        &NewRequest {
            title: &form.title,
            details: &form.details,
            cost: &form.cost,
            needed_until,
        },
        &profile.approvers,
        state.now(),
    );
    let (asked, event) = match asked {
        Ok(done) if errors.is_empty() => done,
        Ok(_) => return form_page(&state, &signed_in, kind, errors, form).await,
        Err(problems) => {
            for problem in problems {
                errors.add(problem.field(), problem.to_string());
            }
            return form_page(&state, &signed_in, kind, errors, form).await;
        }
    };
    match state.store().insert_approval(&asked, &event).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/approvals/{}?done=requested", asked.id)).into_response())
        }
        Err(StoreError::Conflict(message)) => {
            errors.add("title", message);
            form_page(&state, &signed_in, kind, errors, form).await
        }
        Err(e) => Err(e.into()),
    }
}
