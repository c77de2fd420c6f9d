//! The acknowledgement records shown on an item's page, with the text the person accepted.
//!
//! The store keeps each acknowledgement's SHA-256 of the text, not the text. The text is
//! rebuilt from the items acknowledged together (found in the audit log: the same person, the
//! same moment, the same hash) and the policy versions' liability rules, and shown only when its
//! hash matches the record, so what is shown is provably what was accepted. When the items'
//! descriptions have changed since, the record says so instead of guessing.

use super::People;
use crate::error::AppError;
use crate::nav::local_time;
use crate::state::AppState;
use custodian_core::asset::{Acknowledgement, Asset, acknowledgement_text};
use custodian_core::audit::Actor;
use custodian_core::ids::{AssetId, CouncilId};
use custodian_core::policy::PolicyProfile;
use custodian_core::policy::version::sha256_hex;
use custodian_core::ports::{AssetStore, AuditQuery, PolicyStore};
use jiff::SignedDuration;
use serde_json::Value;

pub struct AcknowledgementRecord {
    pub who: String,
    pub when: String,
    pub typed_name: Option<String>,
    /// The exact text accepted, when it can be proved by its hash.
    pub text: Option<String>,
    pub text_hash: String,
}

/// The order items are listed in an acknowledgement: as the register sorts them.
pub fn in_register_order(assets: &mut [Asset]) {
    assets.sort_by(|a, b| {
        (a.number.normalised(), a.id.to_string()).cmp(&(b.number.normalised(), b.id.to_string()))
    });
}

pub async fn records(
    state: &AppState,
    council: CouncilId,
    asset: &Asset,
    people: &People,
) -> Result<Vec<AcknowledgementRecord>, AppError> {
    let acknowledgements = state.store().acknowledgements(council, asset.id).await?;
    if acknowledgements.is_empty() {
        return Ok(Vec::new());
    }
    let mut profiles: Vec<PolicyProfile> = state
        .store()
        .versions(council)
        .await?
        .into_iter()
        .map(|v| v.profile)
        .collect();
    profiles.push(PolicyProfile::model_defaults());
    let mut records = Vec::with_capacity(acknowledgements.len());
    for ack in acknowledgements {
        let together = acknowledged_together(state, council, &ack).await?;
        let text = profiles
            .iter()
            .map(|p| acknowledgement_text(&together, p))
            .find(|text| sha256_hex(text) == ack.text_hash);
        records.push(AcknowledgementRecord {
            who: people.name(ack.person_id),
            when: local_time(ack.at),
            typed_name: ack.typed_name.clone(),
            text,
            text_hash: ack.text_hash.clone(),
        });
    }
    Ok(records)
}

/// The items, as they are now, that the person acknowledged in the same act.
async fn acknowledged_together(
    state: &AppState,
    council: CouncilId,
    ack: &Acknowledgement,
) -> Result<Vec<Asset>, AppError> {
    let query = AuditQuery {
        actor: Some(Actor::Person(ack.person_id).to_storage()),
        action_prefix: Some("asset.acknowledged".to_owned()),
        from: Some(ack.at),
        until: Some(ack.at + SignedDuration::from_millis(1)),
        limit: 1000,
        ..AuditQuery::default()
    };
    let entries = state.audit_page(council, query).await?;
    let mut assets = Vec::new();
    for entry in entries.iter() {
        let details: Value = serde_json::from_str(&entry.details).unwrap_or(Value::Null);
        if details.get("text_hash").and_then(Value::as_str) != Some(ack.text_hash.as_str()) {
            continue;
        }
        let Some(id) = entry
            .subject
            .strip_prefix("asset:")
            .and_then(|id| AssetId::parse(id).ok())
        else {
            continue;
        };
        assets.push(state.store().asset(council, id).await?);
    }
    in_register_order(&mut assets);
    Ok(assets)
}
