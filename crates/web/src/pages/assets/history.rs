//! An item's whole history, read from the audit log (every entry whose subject is the item) and
//! told in plain words: "Issued to Jo Bloggs by Sam Clerk". Audit details name people by id; the
//! names come from the council's people as they are now.

use crate::error::AppError;
use crate::nav::local_time;
use crate::pages::audit::{action_label, describe_actor};
use crate::state::AppState;
use custodian_core::asset::{Asset, WipeMethod};
use custodian_core::audit::AuditEntry;
use custodian_core::ids::CouncilId;
use custodian_core::ports::AuditQuery;
use serde_json::Value;
use std::collections::HashMap;

/// One line of the history.
pub struct HistoryLine {
    pub when: String,
    pub text: String,
    /// A page the line refers to (the incident a loss report opened), with its link text.
    pub link: Option<(String, String)>,
}

/// The item's history, oldest first.
pub async fn of(
    state: &AppState,
    council: CouncilId,
    asset: &Asset,
    show_incident_links: bool,
) -> Result<Vec<HistoryLine>, AppError> {
    let query = AuditQuery {
        subject: Some(asset.subject()),
        limit: 10_000,
        ..AuditQuery::default()
    };
    let entries = state.audit_page(council, query).await?;
    let directory = state.directory(council).await?;
    Ok(entries
        .iter()
        .rev()
        .map(|e| describe(e, &directory.names, show_incident_links))
        .collect())
}

fn describe(
    entry: &AuditEntry,
    names: &HashMap<String, String>,
    show_incident_links: bool,
) -> HistoryLine {
    let details: Value = serde_json::from_str(&entry.details).unwrap_or(Value::Null);
    let text_of = |key: &str| details.get(key).and_then(Value::as_str).unwrap_or_default();
    // People in details are ids; the audit log's actors are "person:<id>".
    let person = |key: &str| match details.get(key).and_then(Value::as_str) {
        Some(id) => describe_actor(&format!("person:{id}"), names),
        None => "someone not recorded".to_owned(),
    };
    let actor = describe_actor(&entry.actor, names);
    let mut link = None;
    let text = match entry.action.as_str() {
        "asset.registered" => match details.get("approved_by").and_then(Value::as_str) {
            Some(_) => format!(
                "Added to the register by {actor}. The purchase was approved by {}.",
                person("approved_by")
            ),
            None => format!("Added to the register by {actor}."),
        },
        "asset.updated" => {
            let fields: Vec<&str> = details
                .get("changed")
                .and_then(Value::as_array)
                .map(|all| {
                    all.iter()
                        .filter_map(Value::as_str)
                        .map(field_words)
                        .collect()
                })
                .unwrap_or_default();
            let before = match text_of("number_before") {
                "" => String::new(),
                number => format!(" It was numbered {number} before."),
            };
            format!(
                "Details changed by {actor}: {}.{before}",
                if fields.is_empty() {
                    "details".to_owned()
                } else {
                    fields.join(", ")
                }
            )
        }
        "asset.issued" => format!("Issued to {} by {actor}.", person("to")),
        "asset.transferred" => format!(
            "Transferred from {} to {} by {actor}.",
            person("from"),
            person("to")
        ),
        "asset.returned" => match text_of("previous_status") {
            "issued" => format!("Returned to store from {} by {actor}.", person("from")),
            "lost" => format!("Found and returned to store by {actor}."),
            "stolen" => format!("Recovered and returned to store by {actor}."),
            "damaged" => format!("Repaired and returned to store by {actor}."),
            _ => format!("Returned to store by {actor}."),
        },
        "asset.acknowledged" => {
            let together = details
                .get("items_acknowledged_together")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            let others = match together {
                0 | 1 => String::new(),
                2 => " (together with 1 other item)".to_owned(),
                n => format!(" (together with {} other items)", n - 1),
            };
            format!(
                "Acknowledged by {}: they confirmed they received it and accept responsibility for it{others}.",
                person("person")
            )
        }
        action if action.starts_with("asset.reported_") => {
            let kind = text_of("kind");
            if show_incident_links && let Some(id) = details.get("incident").and_then(Value::as_str)
            {
                link = Some((format!("/incidents/{id}"), "See the incident".to_owned()));
            }
            format!("Reported {kind} by {actor}. An incident was opened.")
        }
        "asset.wiped" => {
            let method = wipe_method_words(text_of("method"), text_of("method_described"));
            let on = text_of("on")
                .parse::<jiff::civil::Date>()
                .map(crate::nav::local_date)
                .unwrap_or_default();
            let certificate = match text_of("certificate_reference") {
                "" => String::new(),
                reference => format!(" Certificate {reference}."),
            };
            format!(
                "Data wiped by {} on {on} ({method}); recorded by {actor}.{certificate}",
                person("by")
            )
        }
        "asset.disposed" => {
            let certificate = match text_of("certificate_reference") {
                "" => String::new(),
                reference => format!(" Certificate {reference}."),
            };
            format!(
                "Disposed of by {actor}: taken away by {}.{certificate}",
                text_of("recycler")
            )
        }
        other => format!("{} by {actor}.", action_label(other)),
    };
    HistoryLine {
        when: local_time(entry.at()),
        text,
        link,
    }
}

fn field_words(field: &str) -> &str {
    match field {
        "number" => "asset number",
        "purchased_on" => "date bought",
        "cost" => "cost",
        "serial" => "serial number",
        "imei" => "IMEI",
        "sim" => "SIM number",
        "authorisation" => "who approved the purchase",
        "warranty_ends" => "warranty end",
        "encrypted" => "encryption",
        other => other,
    }
}

fn wipe_method_words(method: &str, described: &str) -> String {
    let known = match method {
        "overwrite" => WipeMethod::Overwrite,
        "crypto_erase" => WipeMethod::CryptoErase,
        "factory_reset" => WipeMethod::FactoryReset,
        "physical_destruction" => WipeMethod::PhysicalDestruction,
        _ => WipeMethod::Other(described.to_owned()),
    };
    known.label().to_lowercase()
}
