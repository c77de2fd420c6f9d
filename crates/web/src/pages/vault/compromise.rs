//! Marking an item compromised (`POST /vault/{id}/compromised`): "immediately change password
//! if compromise is suspected" (4.1.4). Opens a suspected-credential-compromise incident, makes
//! the password change due now, tells the Clerks and Chairs, then lists everyone who revealed
//! the item since its password last changed, with a link to change it.

use super::{basis_for, clerks_and_chairs, load, notify};
use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use custodian_core::ids::IncidentId;
use custodian_core::incident::{IncidentKind, IncidentReport, open_incident};
use custodian_core::permission::Action;
use custodian_core::ports::{AuditLog, AuditQuery, VaultChange, VaultStore};
use custodian_core::vault::{Confirmed, VaultItem, check_reason, item_event, subject};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompromiseForm {
    reason: String,
}

pub struct Revealer {
    pub who: String,
    pub at: String,
    pub field: String,
}

#[derive(Template)]
#[template(path = "vault/compromised.html")]
struct CompromisedPage {
    chrome: crate::chrome::Chrome,
    id: String,
    name: String,
    incident: String,
    revealers: Vec<Revealer>,
    may_change: bool,
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CompromiseForm>,
) -> Result<Response, AppError> {
    let before = load(&state, &signed_in, &id).await?;
    if basis_for(&state, &signed_in, &before).await?.is_none() {
        signed_in.require(Action::ManageVault).await?;
    }
    let reason = match check_reason(&form.reason) {
        Ok(reason) => reason,
        Err(e) => return super::item::show(&state, &signed_in, before, Some(e.to_string())).await,
    };
    let now = state.now();
    let council = signed_in.council_id();
    let person = signed_in.current.person.name.to_string();
    let report = IncidentReport {
        kind: IncidentKind::SuspectedCredentialCompromise,
        summary: format!(
            "{person} reported that the vault item \"{}\" may be compromised. Its password must be changed now.",
            before.name
        ),
        happened_at: None,
    };
    let (incident, opened) = open_incident(
        council,
        IncidentId::generate(),
        report,
        signed_in.actor(),
        now,
    )
    .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    let mut item = before.clone();
    item.begin_change();
    item.compromised = Some(Confirmed {
        by: signed_in.person_id(),
        at: now,
    });
    item.rotation_forced_at = Some(now);
    let marked = item_event(
        &item,
        now,
        signed_in.actor(),
        "vault.marked_compromised",
        json!({ "reason": reason }),
    );
    let told = clerks_and_chairs(&state, &signed_in).await?;
    let message = format!(
        "{person} marked \"{}\" in the password vault as compromised. Change its password now.",
        item.name
    );
    let notifications = notify(&told, &message, &format!("/vault/{}", item.id), now);
    let events = [marked, opened];
    let change = VaultChange {
        item: Some(&item),
        incident: Some(&incident),
        notifications: &notifications,
        events: &events,
        ..VaultChange::default()
    };
    state.store().change_vault(council, &change).await?;
    crate::pages::incidents::email_about(&state, &incident).await;
    let revealers = revealed_since_change(&state, &signed_in, &before).await?;
    Ok(render(&CompromisedPage {
        chrome: chrome(&signed_in, "/vault"),
        id: item.id.to_string(),
        name: item.name.clone(),
        incident: incident.id.to_string(),
        revealers,
        may_change: signed_in.may(Action::ManageVault),
    })?
    .into_response())
}

/// Everyone who revealed the item since its password last changed (or since it was added).
async fn revealed_since_change(
    state: &AppState,
    signed_in: &SignedIn,
    item: &VaultItem,
) -> Result<Vec<Revealer>, AppError> {
    let query = AuditQuery {
        subject: Some(subject(item.id)),
        action_prefix: Some("vault.revealed".to_owned()),
        from: item.last_rotated,
        limit: 10_000,
        ..AuditQuery::default()
    };
    let entries = state
        .store()
        .entries(signed_in.council_id(), &query)
        .await?;
    let directory = state.directory(signed_in.council_id()).await?;
    Ok(entries
        .iter()
        .map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
            let field = details
                .get("field")
                .and_then(|f| f.as_str())
                .and_then(|f| custodian_core::vault::SecretField::parse(f).ok())
                .map_or("", |f| f.label());
            Revealer {
                who: crate::pages::audit::describe_actor(&e.actor, &directory.names),
                at: jiff::Timestamp::from_millisecond(e.at_ms)
                    .map_or_else(|_| String::new(), local_time),
                field: field.to_owned(),
            }
        })
        .collect())
}
