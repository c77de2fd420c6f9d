//! "Passwords to change now that X has left": every vault item a person revealed, for their
//! page once they have left (shared passwords change when people leave).

use crate::error::AppError;
use crate::state::AppState;
use custodian_core::audit::Actor;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::ports::{AuditLog, AuditQuery, VaultStore};

/// An item to change, linking to its page.
pub struct ToChange {
    pub href: String,
    pub name: String,
}

/// Every item of the council `person` revealed, by name, each once. Items since removed are
/// left out.
pub async fn revealed_by(
    state: &AppState,
    council: CouncilId,
    person: PersonId,
) -> Result<Vec<ToChange>, AppError> {
    let query = AuditQuery {
        actor: Some(Actor::Person(person).to_storage()),
        action_prefix: Some("vault.revealed".to_owned()),
        limit: 10_000,
        ..AuditQuery::default()
    };
    let entries = state.store().entries(council, &query).await?;
    let items = state.store().vault_items(council).await?;
    let mut found: Vec<ToChange> = items
        .iter()
        .filter(|item| {
            let subject = item.audit_subject();
            entries.iter().any(|e| e.subject == subject)
        })
        .map(|item| ToChange {
            href: format!("/vault/{}", item.id),
            name: item.name.clone(),
        })
        .collect();
    found.sort_by_key(|t| t.name.to_lowercase());
    Ok(found)
}
