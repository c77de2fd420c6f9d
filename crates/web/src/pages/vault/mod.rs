//! The shared-credential vault's pages (issue 5; clauses 4.1.1-4.1.6): the list of items, an
//! item with its access history, adding and changing items and their secrets, revealing one
//! secret (audited first, fail-closed), refused reveals (which open an incident), marking an
//! item compromised, and (in `access`, `emergency`) just-in-time and emergency access.
//!
//! Every handler looks items up with the signed-in session's council, so another council's
//! item is "not found". Who may reveal is `core::vault::reveal_basis`'s decision; sealing and
//! opening is `crate::vault_box`'s. No secret is ever put in a URL, a log line, an error page
//! or an audit entry's details.

pub mod access;
mod access_page;
mod compromise;
mod edit;
pub mod emergency;
mod form;
mod item;
pub mod leavers;
mod list;
mod new;
mod reveal;
mod secret;

use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use custodian_core::ids::{NotificationId, VaultItemId};
use custodian_core::person::{Person, PersonStatus, Role};
use custodian_core::ports::{Notification, VaultStore};
use custodian_core::vault::{RevealBasis, VaultItem, reveal_basis};
use jiff::Timestamp;
use std::sync::Arc;

/// The item routes (W1), merged into the signed-in pages by `lib.rs`. `/vault/new` is a
/// static segment, so it wins over `/vault/{id}`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/vault", get(list::page))
        .route("/vault/new", get(new::form).post(new::create))
        .route("/vault/{id}", get(item::page))
        .route("/vault/{id}/reveal", post(reveal::submit))
        .route("/vault/{id}/edit", get(edit::form).post(edit::submit))
        .route("/vault/{id}/secret", get(secret::form).post(secret::submit))
        .route("/vault/{id}/default-changed", post(secret::default_changed))
        .route("/vault/{id}/compromised", post(compromise::submit))
}

/// The unlocked vault key, or `None` while the vault is locked.
fn vault_key(state: &AppState) -> Option<Arc<custodian_vault::Key>> {
    state.inner().options.vault_key.clone()
}

/// An item of the signed-in person's council; anything else is "not found".
async fn load(state: &AppState, signed_in: &SignedIn, id: &str) -> Result<VaultItem, AppError> {
    let id = VaultItemId::parse(id).map_err(|_| AppError::NotFound)?;
    Ok(state.store().vault_item(signed_in.council_id(), id).await?)
}

/// Whether, and why, the signed-in person may reveal `item` now (day to day, a grant or open
/// emergency access).
async fn basis_for(
    state: &AppState,
    signed_in: &SignedIn,
    item: &VaultItem,
) -> Result<Option<RevealBasis>, AppError> {
    let (person, roles, now) = (
        signed_in.person_id(),
        signed_in.current.person.roles,
        state.now(),
    );
    // Day-to-day access needs nothing more from the database; grants and emergencies are read
    // only for someone the item does not already allow (most reveals are day to day).
    if let Some(basis) = reveal_basis(item, person, roles, &[], &[], now) {
        return Ok(Some(basis));
    }
    let council = signed_in.council_id();
    let grants = state.store().grants(council).await?;
    let emergencies = state.store().emergencies(council).await?;
    Ok(reveal_basis(
        item,
        person,
        roles,
        &grants,
        &emergencies,
        now,
    ))
}

/// The council's active Clerks and Chairs: told of refused reveals and compromises (4.1.4, 4.1.5).
async fn clerks_and_chairs(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Vec<Person>, AppError> {
    let people = state.people(signed_in.council_id()).await?;
    Ok(people
        .iter()
        .filter(|p| {
            p.status == PersonStatus::Active
                && (p.roles.contains(Role::Clerk) || p.roles.contains(Role::Chair))
        })
        .cloned()
        .collect())
}

/// The same message for each person, linking to `link`.
fn notify(people: &[Person], message: &str, link: &str, now: Timestamp) -> Vec<Notification> {
    people
        .iter()
        .map(|p| Notification {
            id: NotificationId::generate(),
            council_id: p.council_id,
            person_id: p.id,
            message: message.to_owned(),
            link: Some(link.to_owned()),
            created_at: now,
            dismissed_at: None,
        })
        .collect()
}

/// The first `max` characters of what someone typed, for an audit entry or a summary.
fn clip(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

#[derive(askama::Template)]
#[template(path = "vault/locked.html")]
struct LockedPage {
    chrome: crate::chrome::Chrome,
}

/// 503 with a plain page: the vault key was not unlocked when the server started, so nothing
/// can be revealed or stored.
fn locked_page(signed_in: &SignedIn) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let page = crate::nav::render(&LockedPage {
        chrome: crate::nav::chrome(signed_in, "/vault"),
    })?;
    Ok((axum::http::StatusCode::SERVICE_UNAVAILABLE, page).into_response())
}
