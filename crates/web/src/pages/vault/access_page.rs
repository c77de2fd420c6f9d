//! The requests page of just-in-time access (`GET /vault/requests` and the form's errors):
//! each request as a row, the items one may ask for, and the page itself. The handlers that
//! change requests are in `access.rs`.

use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::response::Html;
use custodian_core::ids::{PersonId, VaultItemId};
use custodian_core::permission::Action;
use custodian_core::person::Person;
use custodian_core::ports::VaultStore;
use custodian_core::vault::{
    AccessGrant, DEFAULT_GRANT_HOURS, GrantDecision, MAX_GRANT_HOURS, VaultItem,
};
use serde::Deserialize;

/// One request as the list shows it.
pub struct RequestRow {
    pub id: String,
    pub requester: String,
    /// Each item asked for: its id (for a link) and name.
    pub items: Vec<(String, String)>,
    pub reason: String,
    pub hours: u8,
    pub requested: String,
    pub state: &'static str,
    pub tag: &'static str,
    /// Who approved, declined or ended it, and when, in words.
    pub decided: String,
    pub decline_reason: String,
    /// When access ends or ended, once approved.
    pub until: String,
    pub can_decide: bool,
    pub can_end: bool,
}

/// An item offered on the request form.
pub struct ItemChoice {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "vault/requests.html")]
struct RequestsPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    done: Option<&'static str>,
    sees_all: bool,
    requests: Vec<RequestRow>,
    can_request: bool,
    choices: Vec<ItemChoice>,
    reason: String,
    hours: String,
    max_hours: u8,
}

#[derive(Deserialize, Default)]
pub struct RequestForm {
    #[serde(default)]
    pub(super) items: Vec<String>,
    #[serde(default)]
    pub(super) reason: String,
    #[serde(default)]
    pub(super) hours: String,
}

#[derive(Deserialize, Default)]
pub struct DeclineForm {
    #[serde(default)]
    pub(super) reason: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub(super) done: Option<String>,
}

pub(super) fn done_message(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "requested" => Some(
            "Your request was sent. The Clerk, Chair and Vice-Chair have been told; you will see their answer here.",
        ),
        "approved" => Some("The request was approved. Access ends by itself at the time shown."),
        "declined" => Some("The request was declined. The person who asked has been told."),
        "ended" => Some("Access was ended. Nothing more can be revealed with it."),
        _ => None,
    }
}

/// A person's name for a page or message; someone removed since is said so.
pub(super) fn name_of(people: &[Person], id: PersonId) -> String {
    people.iter().find(|p| p.id == id).map_or_else(
        || "Someone no longer listed".to_owned(),
        |p| p.name.to_string(),
    )
}

pub(super) fn item_names(items: &[VaultItem], ids: &[VaultItemId]) -> Vec<(String, String)> {
    ids.iter()
        .map(|id| {
            let name = items
                .iter()
                .find(|i| i.id == *id)
                .map_or_else(|| "An item since removed".to_owned(), |i| i.name.clone());
            (id.to_string(), name)
        })
        .collect()
}

/// "Website admin and Domain registrar", for messages.
pub(super) fn in_words(names: &[(String, String)]) -> String {
    let names: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

pub(super) fn row(
    signed_in: &SignedIn,
    people: &[Person],
    items: &[VaultItem],
    grant: &AccessGrant,
    now: jiff::Timestamp,
) -> RequestRow {
    let me = signed_in.person_id();
    let approver = signed_in.may(Action::ApproveVaultAccess);
    let (state, tag) = match &grant.decision {
        GrantDecision::Pending => ("Waiting for approval", "govuk-tag--yellow"),
        GrantDecision::Approved { .. } if grant.is_active(now) => {
            ("Access open", "govuk-tag--green")
        }
        GrantDecision::Approved { .. } => ("Access ended by itself", "govuk-tag--grey"),
        GrantDecision::Declined { .. } => ("Declined", "govuk-tag--red"),
        GrantDecision::Ended { .. } => ("Ended early", "govuk-tag--grey"),
    };
    let (decided, decline_reason) = match &grant.decision {
        GrantDecision::Pending => (String::new(), String::new()),
        GrantDecision::Approved { by, at, .. } => (
            format!(
                "Approved by {} on {}",
                name_of(people, *by),
                local_time(*at)
            ),
            String::new(),
        ),
        GrantDecision::Declined { by, at, reason } => (
            format!(
                "Declined by {} on {}",
                name_of(people, *by),
                local_time(*at)
            ),
            reason.clone(),
        ),
        GrantDecision::Ended { by, at } => (
            format!("Ended by {} on {}", name_of(people, *by), local_time(*at)),
            String::new(),
        ),
    };
    RequestRow {
        id: grant.id.to_string(),
        requester: name_of(people, grant.requester),
        items: item_names(items, &grant.items),
        reason: grant.reason.clone(),
        hours: grant.hours,
        requested: local_time(grant.requested_at),
        state,
        tag,
        decided,
        decline_reason,
        until: grant.until().map(local_time).unwrap_or_default(),
        can_decide: approver && grant.is_pending() && grant.requester != me,
        can_end: (approver || grant.requester == me)
            && (grant.is_pending() || grant.is_active(now)),
    }
}

pub(super) async fn requests_page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: &RequestForm,
    done: Option<&'static str>,
) -> Result<Html<String>, AppError> {
    let council = signed_in.council_id();
    let me = signed_in.person_id();
    let roles = signed_in.current.person.roles;
    let now = state.now();
    let items = state.store().vault_items(council).await?;
    let grants = state.store().grants(council).await?;
    let people = state.people(council).await?;
    let sees_all = signed_in.may(Action::ApproveVaultAccess) || signed_in.may(Action::ViewVault);
    let requests = grants
        .iter()
        .filter(|g| sees_all || g.requester == me)
        .map(|g| row(signed_in, &people, &items, g, now))
        .collect();
    // Only items the person cannot already reveal day to day are worth asking for.
    let choices = items
        .iter()
        .filter(|i| i.allowed.allows(me, roles).is_none())
        .map(|i| ItemChoice {
            id: i.id.to_string(),
            name: i.name.clone(),
            kind: i.kind.label(),
            checked: form.items.iter().any(|chosen| *chosen == i.id.to_string()),
        })
        .collect();
    render(&RequestsPage {
        chrome: chrome(signed_in, "/vault"),
        errors,
        done,
        sees_all,
        requests,
        can_request: signed_in.may(Action::UseVault),
        choices,
        reason: form.reason.clone(),
        hours: if form.hours.trim().is_empty() {
            DEFAULT_GRANT_HOURS.to_string()
        } else {
            form.hours.clone()
        },
        max_hours: MAX_GRANT_HOURS,
    })
}
