//! Just-in-time access to vault items (4.1.2: the IT provider's access "in exceptional cases
//! with appropriate approvals and logging"): anyone who uses the vault asks for named items
//! with a reason and a number of hours; someone else, allowed on every item asked for, approves
//! or declines; access then ends by itself (the reveal checks the grant's time) or earlier when
//! either side ends it. Every step is audited under the subject "vault_grant:<id>" and tells the
//! other side in the app. Nothing here touches a secret or the vault key.

use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::local_time;
use crate::pages::notifications::to_each;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{AccessGrantId, PersonId, VaultItemId};
use custodian_core::permission::{Action, may};
use custodian_core::ports::{Notification, StoreError, VaultStore};
use custodian_core::vault::{
    AccessGrant, DEFAULT_GRANT_HOURS, GrantDecision, MAX_GRANT_HOURS, VaultError, VaultItem,
    check_reason,
};
use serde_json::json;

pub(super) use super::access_page::name_of;
use super::access_page::{
    DeclineForm, DoneQuery, RequestForm, done_message, in_words, item_names, requests_page,
};

/// Those who use the vault see their own requests; approvers and those who oversee the vault
/// see everyone's. Anyone else is refused (and the refusal audited).
async fn require_requests_page(signed_in: &SignedIn) -> Result<(), AppError> {
    if signed_in.may(Action::ViewVault) {
        return Ok(());
    }
    signed_in.require(Action::UseVault).await
}

/// `GET /vault/requests`.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    require_requests_page(&signed_in).await?;
    let done = done_message(query.done.as_deref());
    Ok(requests_page(
        &state,
        &signed_in,
        Errors::new(),
        &RequestForm::default(),
        done,
    )
    .await?
    .into_response())
}

/// Checks the request form, reporting every problem at once.
fn check_form(form: &RequestForm, items: &[VaultItem]) -> Result<(Vec<VaultItemId>, u8), Errors> {
    let mut errors = Errors::new();
    let mut chosen = Vec::new();
    for text in &form.items {
        match VaultItemId::parse(text) {
            Ok(id) if items.iter().any(|i| i.id == id) => chosen.push(id),
            _ => errors.add(
                "items",
                "One of the items chosen is no longer in the vault. Choose again from the list.",
            ),
        }
    }
    if form.items.is_empty() {
        errors.add("items", VaultError::GrantWithoutItems.to_string());
    }
    let hours = match form.hours.trim() {
        "" => Some(DEFAULT_GRANT_HOURS),
        text => match text.parse::<u8>() {
            Ok(hours) if (1..=MAX_GRANT_HOURS).contains(&hours) => Some(hours),
            Ok(hours) => {
                errors.add("hours", VaultError::GrantHours(hours).to_string());
                None
            }
            Err(_) => {
                errors.add(
                    "hours",
                    format!(
                        "Enter how many hours access should last as a whole number from 1 to {MAX_GRANT_HOURS}, such as {DEFAULT_GRANT_HOURS}."
                    ),
                );
                None
            }
        },
    };
    errors.check("reason", check_reason(&form.reason));
    match hours {
        Some(hours) if errors.is_empty() => Ok((chosen, hours)),
        _ => Err(errors),
    }
}

/// `POST /vault/requests`: asks for named items. Every active approver other than the person
/// asking is told at once.
pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::UseVault).await?;
    let council = signed_in.council_id();
    let me = signed_in.person_id();
    let now = state.now();
    let items = state.store().vault_items(council).await?;
    let (chosen, hours) = match check_form(&form, &items) {
        Ok(checked) => checked,
        Err(errors) => {
            let page = requests_page(&state, &signed_in, errors, &form, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let grant = match AccessGrant::request(
        AccessGrantId::generate(),
        council,
        me,
        chosen,
        &form.reason,
        hours,
        now,
    ) {
        Ok(grant) => grant,
        Err(e) => {
            let mut errors = Errors::new();
            let field = match e {
                VaultError::GrantWithoutItems => "items",
                VaultError::GrantHours(_) => "hours",
                _ => "reason",
            };
            errors.add(field, e.to_string());
            let page = requests_page(&state, &signed_in, errors, &form, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let names = item_names(&items, &grant.items);
    let people = state.people(council).await?;
    let message = format!(
        "{} asked for access to {} for {} {}. Approve or decline the request.",
        signed_in.current.person.name,
        in_words(&names),
        hours,
        if hours == 1 { "hour" } else { "hours" }
    );
    let notifications = to_each(
        council,
        &people,
        |p| may(p.roles, Action::ApproveVaultAccess),
        &[me],
        &message,
        &format!("/vault/requests#request-{}", grant.id),
        now,
    );
    let event = grant_event(&signed_in, &grant, now, "vault.access_requested").details(json!({
        "items": grant.items.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "hours": grant.hours,
        "reason": grant.reason,
    }));
    state
        .store()
        .insert_grant(&grant, &notifications, &event)
        .await?;
    Ok(Redirect::to("/vault/requests?done=requested").into_response())
}

fn grant_event(
    signed_in: &SignedIn,
    grant: &AccessGrant,
    now: jiff::Timestamp,
    action: &str,
) -> AuditEvent {
    AuditEvent::new(signed_in.council_id(), now, signed_in.actor(), action)
        .subject(format!("vault_grant:{}", grant.id))
}

async fn load_grant(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<AccessGrant, AppError> {
    let id = AccessGrantId::parse(id).map_err(|_| AppError::NotFound)?;
    state
        .store()
        .grants(signed_in.council_id())
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or(AppError::NotFound)
}

/// The list again, with why the decision was refused; nothing was stored.
async fn refuse(
    state: &AppState,
    signed_in: &SignedIn,
    message: String,
) -> Result<Response, AppError> {
    let mut errors = Errors::new();
    errors.add("requests", message);
    let page = requests_page(state, signed_in, errors, &RequestForm::default(), None).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// Stores a decision; a change made meanwhile by someone else is refused in plain words.
async fn save(
    state: &AppState,
    signed_in: &SignedIn,
    grant: &AccessGrant,
    notifications: &[Notification],
    event: &AuditEvent,
    done: &str,
) -> Result<Response, AppError> {
    match state.store().save_grant(grant, notifications, event).await {
        Ok(()) => Ok(Redirect::to(&format!("/vault/requests?done={done}")).into_response()),
        Err(StoreError::Conflict(_)) => {
            refuse(
                state,
                signed_in,
                "Someone else dealt with this request at the same time. Check it below and try again if needed.".to_owned(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn tell(
    signed_in: &SignedIn,
    person: PersonId,
    message: String,
    now: jiff::Timestamp,
) -> Vec<Notification> {
    vec![Notification {
        id: custodian_core::ids::NotificationId::generate(),
        council_id: signed_in.council_id(),
        person_id: person,
        message,
        link: Some("/vault/requests".to_owned()),
        created_at: now,
        dismissed_at: None,
    }]
}

/// `POST /vault/requests/{id}/approve`: by someone else who may approve and is allowed on
/// every item asked for; access runs from now for the hours asked.
pub async fn approve(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ApproveVaultAccess).await?;
    let mut grant = load_grant(&state, &signed_in, &id).await?;
    let now = state.now();
    let items = state.store().vault_items(signed_in.council_id()).await?;
    let roles = signed_in.current.person.roles;
    if let Err(e) = grant.approve(signed_in.person_id(), roles, &items, now) {
        return refuse(&state, &signed_in, e.to_string()).await;
    }
    let until = grant.until().map(local_time).unwrap_or_default();
    let names = item_names(&items, &grant.items);
    let notifications = tell(
        &signed_in,
        grant.requester,
        format!(
            "{} approved your request for access to {}. It lasts until {until}.",
            signed_in.current.person.name,
            in_words(&names)
        ),
        now,
    );
    let event = grant_event(&signed_in, &grant, now, "vault.access_approved").details(json!({
        "items": grant.items.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "requester": grant.requester.to_string(),
        "until": grant.until().map(|t| t.to_string()),
    }));
    save(
        &state,
        &signed_in,
        &grant,
        &notifications,
        &event,
        "approved",
    )
    .await
}

/// `POST /vault/requests/{id}/decline`, with the reason the person asking is told.
pub async fn decline(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DeclineForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ApproveVaultAccess).await?;
    let mut grant = load_grant(&state, &signed_in, &id).await?;
    let now = state.now();
    if let Err(e) = grant.decline(signed_in.person_id(), &form.reason, now) {
        let message = match e {
            VaultError::ReasonMissing => {
                "Give a reason for declining. The person who asked is told it.".to_owned()
            }
            other => other.to_string(),
        };
        return refuse(&state, &signed_in, message).await;
    }
    let reason = match &grant.decision {
        GrantDecision::Declined { reason, .. } => reason.clone(),
        _ => String::new(),
    };
    let notifications = tell(
        &signed_in,
        grant.requester,
        format!(
            "{} declined your request for vault access: {reason}",
            signed_in.current.person.name
        ),
        now,
    );
    let event = grant_event(&signed_in, &grant, now, "vault.access_declined")
        .details(json!({ "requester": grant.requester.to_string(), "reason": reason }));
    save(
        &state,
        &signed_in,
        &grant,
        &notifications,
        &event,
        "declined",
    )
    .await
}

/// `POST /vault/requests/{id}/end`: the person who asked, or an approver, ends a pending
/// request or open access early.
pub async fn end(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::UseVault).await?;
    let mut grant = load_grant(&state, &signed_in, &id).await?;
    let me = signed_in.person_id();
    if grant.requester != me {
        signed_in.require(Action::ApproveVaultAccess).await?;
    }
    let now = state.now();
    let approved_by = match &grant.decision {
        GrantDecision::Approved { by, .. } => Some(*by),
        _ => None,
    };
    if let Err(e) = grant.end(me, now) {
        return refuse(&state, &signed_in, e.to_string()).await;
    }
    // The other side is told: the person who asked, or whoever approved it.
    let other = if grant.requester == me {
        approved_by
    } else {
        Some(grant.requester)
    };
    let notifications = match other {
        Some(person) if person != me => tell(
            &signed_in,
            person,
            format!(
                "{} ended time-limited vault access early.",
                signed_in.current.person.name
            ),
            now,
        ),
        _ => Vec::new(),
    };
    let event = grant_event(&signed_in, &grant, now, "vault.access_ended")
        .details(json!({ "requester": grant.requester.to_string() }));
    save(&state, &signed_in, &grant, &notifications, &event, "ended").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_names_read_as_a_sentence() {
        let names = |list: &[&str]| -> Vec<(String, String)> {
            list.iter()
                .map(|n| (String::new(), (*n).to_owned()))
                .collect()
        };
        assert_eq!(in_words(&names(&["Website"])), "Website");
        assert_eq!(
            in_words(&names(&["Website", "Domain"])),
            "Website and Domain"
        );
        assert_eq!(
            in_words(&names(&["Website", "Domain", "Email"])),
            "Website, Domain and Email"
        );
    }

    #[test]
    fn the_hours_must_be_a_whole_number_from_1_to_24() {
        let form = |hours: &str| RequestForm {
            items: Vec::new(),
            reason: "Renew the certificate".to_owned(),
            hours: hours.to_owned(),
        };
        for bad in ["0", "25", "four", "-1", "2.5"] {
            let errors = check_form(&form(bad), &[]).unwrap_err();
            assert!(errors.get("hours").is_some(), "{bad} was accepted");
        }
        let errors = check_form(&form(""), &[]).unwrap_err();
        assert!(errors.get("hours").is_none());
        assert!(errors.get("items").is_some());
    }
}
