//! A device's history, read from the audit log (every entry whose subject is the device) and
//! told in plain words: "Approved for council work by Clara Clerk". Audit details name people
//! by id; the names come from the council's people as they are now.

use crate::error::AppError;
use crate::nav::local_time;
use crate::pages::audit::{action_label, describe_actor};
use crate::state::AppState;
use custodian_core::audit::AuditEntry;
use custodian_core::device::{Device, FactField};
use custodian_core::ids::CouncilId;
use custodian_core::ports::AuditQuery;
use serde_json::Value;
use std::collections::HashMap;

pub struct HistoryLine {
    pub when: String,
    pub text: String,
}

/// The device's history, oldest first.
pub async fn of(
    state: &AppState,
    council: CouncilId,
    device: &Device,
) -> Result<Vec<HistoryLine>, AppError> {
    let query = AuditQuery {
        subject: Some(device.subject()),
        limit: 10_000,
        ..AuditQuery::default()
    };
    let entries = state.audit_page(council, query).await?;
    let directory = state.directory(council).await?;
    Ok(entries
        .iter()
        .rev()
        .map(|e| HistoryLine {
            when: local_time(e.at()),
            text: describe(e, &directory.names),
        })
        .collect())
}

fn source_words(source: &str) -> &'static str {
    match source {
        "self_attested" => "answered on the questions form",
        "it_provider" => "checked on the device",
        "osquery" => "from an osquery report",
        "mdm_csv" => "from a device-management (MDM) export",
        _ => "from another source",
    }
}

fn describe(entry: &AuditEntry, names: &HashMap<String, String>) -> String {
    let details: Value = serde_json::from_str(&entry.details).unwrap_or(Value::Null);
    let actor = describe_actor(&entry.actor, names);
    match entry.action.as_str() {
        "device.requested" => format!("{actor} asked to use it for council work."),
        "device.registered" => format!("Registered as a council device by {actor}."),
        "device.approved" => format!("Approved for council work by {actor}."),
        "device.declined" => format!("Declined by {actor}."),
        "device.retired" => format!("Recorded as no longer used for council work by {actor}."),
        "device.facts_recorded" => {
            let facts: Vec<String> = details
                .get("facts")
                .and_then(Value::as_array)
                .map(|all| {
                    all.iter()
                        .filter_map(Value::as_str)
                        .filter_map(FactField::parse)
                        .map(|f| in_sentence(f.label()))
                        .collect()
                })
                .unwrap_or_default();
            let source = details
                .get("source")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let what = if facts.is_empty() {
                "security settings".to_owned()
            } else {
                facts.join(", ")
            };
            format!("{actor} recorded {what} ({}).", source_words(source))
        }
        other => format!("{} ({actor}).", action_label(other)),
    }
}

/// A label inside a sentence: "Screen lock" becomes "screen lock", but "PIN length" keeps its
/// capitals.
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_owned(),
    }
}
