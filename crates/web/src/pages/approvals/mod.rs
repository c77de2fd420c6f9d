//! Approvals (issue 6, item 2): the list (`/approvals`: "My requests" for everyone, and for
//! those who see approvals every request of the council, waiting and decided, filtered by
//! state and kind), asking (`new.rs`), a request's page with the decision and withdrawal
//! (`show.rs`), and telling the requester and the home page's lines (`tell.rs`).
//!
//! Own devices (2.2.1) keep their own flow under `/devices`: the list shows the pending device
//! requests beside these, linking to the existing decision page, and asking for that kind
//! sends people to register their device. Every lookup is scoped to the signed-in person's
//! council, so another council's request is "not found".

mod new;
mod show;
mod tell;

pub use tell::{attention, tell_requester};

use crate::error::AppError;
use crate::nav::{chrome, local_date, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use custodian_core::approval::{ApprovalId, ApprovalRequest, ApprovalState, approver_words};
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::policy::choices::{ApprovalKind, format_pounds};
use custodian_core::ports::{ApprovalStore, DeviceStore};
use serde::Deserialize;
use std::collections::HashMap;

/// The approval routes, merged into the signed-in pages by `lib.rs`. `/approvals/new` wins
/// over `/approvals/{id}` in axum's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/approvals", get(list))
        .route("/approvals/new", get(new::kinds))
        .route("/approvals/new/{kind}", get(new::form).post(new::create))
        .route("/approvals/{id}", get(show::page))
        .route("/approvals/{id}/decide", post(show::decide))
        .route("/approvals/{id}/withdraw", post(show::withdraw))
}

use super::assets::words::parse_date;

fn parse_id(id: &str) -> Result<ApprovalId, AppError> {
    ApprovalId::parse(id).map_err(|_| AppError::NotFound)
}

/// People's names by id, for the council of the signed-in person.
async fn names(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<HashMap<PersonId, String>, AppError> {
    Ok(state
        .people(signed_in.council_id())
        .await?
        .iter()
        .map(|p| (p.id, p.name.to_string()))
        .collect())
}

fn name_in(names: &HashMap<PersonId, String>, id: PersonId) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| "someone no longer listed".to_owned())
}

/// The GOV.UK tag colour of a state.
fn tag_class(state: ApprovalState) -> &'static str {
    match state {
        ApprovalState::Pending => "govuk-tag--yellow",
        ApprovalState::Approved { .. } => "govuk-tag--green",
        ApprovalState::Expired { .. } => "govuk-tag--orange",
        ApprovalState::Declined => "govuk-tag--red",
        ApprovalState::Withdrawn => "govuk-tag--grey",
    }
}

/// What the state means in a sentence, with its dates.
fn state_words(state: ApprovalState) -> Option<String> {
    match state {
        ApprovalState::Approved {
            expires_on: Some(last),
        } => Some(format!("Until {}", local_date(last))),
        ApprovalState::Approved { expires_on: None } => Some("Does not expire".to_owned()),
        ApprovalState::Expired { expired_on } => {
            Some(format!("Ended after {}", local_date(expired_on)))
        }
        _ => None,
    }
}

/// One request as a row of a list.
pub struct Row {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub clause: &'static str,
    pub requester: String,
    pub approver: &'static str,
    pub requested: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub state_note: Option<String>,
    pub cost: Option<String>,
    /// Waiting for the signed-in person's decision.
    pub for_you: bool,
}

fn row(
    request: &ApprovalRequest,
    names: &HashMap<PersonId, String>,
    now: jiff::Timestamp,
    for_you: bool,
) -> Row {
    let state = request.state(now);
    Row {
        id: request.id.to_string(),
        title: request.title.clone(),
        kind: request.kind.label(),
        clause: request.kind.clause(),
        requester: name_in(names, request.requester),
        approver: approver_words(request.approver),
        requested: local_time(request.requested_at),
        state: state.label(),
        state_class: tag_class(state),
        state_note: state_words(state),
        cost: request.cost_pence.map(format_pounds),
        for_you,
    }
}

/// A pending own-device request, decided on the devices pages.
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    pub person: String,
    pub requested: String,
}

/// An option of a filter.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    state: String,
    #[serde(default)]
    kind: String,
}

#[derive(Template)]
#[template(path = "approvals/list.html")]
struct ListPage {
    chrome: crate::chrome::Chrome,
    can_request: bool,
    can_view: bool,
    mine: Vec<Row>,
    waiting: Vec<Row>,
    decided: Vec<Row>,
    devices: Vec<DeviceRow>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    filtered: bool,
    clause: &'static str,
    /// The same lines the home page shows about approvals.
    attention: Vec<crate::pages::home::Attention>,
}

/// `GET /approvals`: everyone who may ask sees their own requests; those who see approvals
/// see the council's too. The auditor sees the council's (and has none of their own).
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(filters): Query<Filters>,
) -> Result<Response, AppError> {
    let can_view = signed_in.may(Action::ViewApprovals);
    let can_request = signed_in.may(Action::RequestApproval);
    if !can_view && !can_request {
        signed_in.require(Action::ViewApprovals).await?;
    }
    let council = signed_in.council_id();
    let now = state.now();
    let me = signed_in.person_id();
    let all = state.store().approvals(council).await?;
    let names = names(&state, &signed_in).await?;
    let people = state.people(council).await?;
    let person = |id: PersonId| people.iter().find(|p| p.id == id);
    let myself = person(me);
    let waits_for_me = |r: &ApprovalRequest| match (person(r.requester), myself) {
        (Some(requester), Some(me)) => r.waits_for(requester, me),
        _ => false,
    };
    let mine = all
        .iter()
        .filter(|r| r.requester == me)
        .map(|r| row(r, &names, now, false))
        .collect();

    // Nonsense in a filter falls back to showing everything.
    let state_filter = ApprovalState::NAMES
        .into_iter()
        .find(|n| *n == filters.state);
    let kind_filter = ApprovalKind::parse(&filters.kind);
    let (mut waiting, mut decided, mut devices) = (Vec::new(), Vec::new(), Vec::new());
    if can_view {
        for request in all.iter().filter(|r| {
            state_filter.is_none_or(|s| r.state(now).as_str() == s)
                && kind_filter.is_none_or(|k| r.kind == k)
        }) {
            let for_you = waits_for_me(request);
            if request.is_pending() {
                waiting.push(row(request, &names, now, for_you));
            } else {
                decided.push(row(request, &names, now, false));
            }
        }
        // Those waiting for you first; otherwise oldest waiting first.
        waiting.reverse();
        waiting.sort_by_key(|r| !r.for_you);
        let own_devices_shown = state_filter.is_none_or(|s| s == "pending")
            && kind_filter.is_none_or(|k| k == ApprovalKind::OwnDevice);
        if own_devices_shown {
            devices = state
                .store()
                .pending_device_requests(council)
                .await?
                .iter()
                .map(|d| DeviceRow {
                    id: d.id.to_string(),
                    name: d.name.to_string(),
                    person: d.user.map(|p| name_in(&names, p)).unwrap_or_default(),
                    requested: d
                        .approval
                        .requested_at()
                        .map(local_time)
                        .unwrap_or_default(),
                })
                .collect();
        }
    }
    let states = ApprovalState::NAMES
        .into_iter()
        .zip([
            "Waiting for a decision",
            "Approved",
            "Expired",
            "Declined",
            "Withdrawn",
        ])
        .map(|(value, label)| Choice {
            value,
            label,
            checked: state_filter == Some(value),
        })
        .collect();
    let kinds = ApprovalKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str(),
            label: k.label(),
            checked: kind_filter == Some(k),
        })
        .collect();
    Ok(render(&ListPage {
        chrome: chrome(&signed_in, "/approvals"),
        can_request,
        can_view,
        mine,
        waiting,
        decided,
        devices,
        states,
        kinds,
        filtered: state_filter.is_some() || kind_filter.is_some(),
        clause: ApprovalKind::OwnDevice.clause(),
        attention: attention(&state, &signed_in, &all).await?,
    })?
    .into_response())
}
