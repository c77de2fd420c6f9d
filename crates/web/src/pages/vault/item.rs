//! One item (`/vault/{id}`): its details and status, the secret fields stored (names only),
//! each with a form to reveal it, what the viewer may do, and its full access history from the
//! audit log: who revealed what, when, why and on what basis.

use super::{basis_for, load, vault_key};
use crate::error::AppError;
use crate::nav::{chrome, local_date, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use custodian_core::permission::Action;
use custodian_core::person::Role;
use custodian_core::ports::{AuditLog, AuditQuery};
use custodian_core::vault::{SecretField, VaultItem, attention, rotation_due, subject};
use serde::Deserialize;

/// A tag with its words (colour never carries the meaning alone).
pub struct Tag {
    pub label: String,
    pub class: &'static str,
}

/// The item's status tags, most urgent first (red now, amber coming up).
pub fn tags(item: &VaultItem, now: jiff::Timestamp) -> Vec<Tag> {
    let found = attention(item, now);
    if found.is_empty() {
        return vec![Tag {
            label: "Nothing due".to_owned(),
            class: "govuk-tag--green",
        }];
    }
    found
        .into_iter()
        .map(|a| Tag {
            label: a.describe(),
            class: if a.is_urgent() {
                "govuk-tag--red"
            } else {
                "govuk-tag--yellow"
            },
        })
        .collect()
}

pub struct Row {
    pub key: &'static str,
    pub value: String,
}

pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub what: String,
    pub detail: String,
}

pub struct Actions {
    pub manage: bool,
    pub reveal: bool,
    pub mark_compromised: bool,
    pub confirm_default: bool,
}

#[derive(Template)]
#[template(path = "vault/item.html")]
struct ItemPage {
    chrome: crate::chrome::Chrome,
    id: String,
    name: String,
    kind: &'static str,
    sealed: bool,
    tags: Vec<Tag>,
    details: Vec<Row>,
    fields: Vec<(&'static str, &'static str)>,
    actions: Actions,
    locked: bool,
    problem: Option<String>,
    done: Option<&'static str>,
    history: Vec<HistoryRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Flags {
    added: Option<String>,
    changed: Option<String>,
    secret: Option<String>,
    confirmed: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(flags): Query<Flags>,
) -> Result<Response, AppError> {
    let item = load(&state, &signed_in, &id).await?;
    let done = if flags.added.is_some() {
        Some("The item was added to the vault.")
    } else if flags.changed.is_some() {
        Some("The details were changed.")
    } else if flags.secret.is_some() {
        Some("The secret was saved.")
    } else if flags.confirmed.is_some() {
        Some("Recorded that the supplier's default password was changed.")
    } else {
        None
    };
    render_page(&state, &signed_in, item, None, done).await
}

/// The item page with a problem at the top (a reveal form sent without a field or reason).
pub async fn show(
    state: &AppState,
    signed_in: &SignedIn,
    item: VaultItem,
    problem: Option<String>,
) -> Result<Response, AppError> {
    render_page(state, signed_in, item, problem, None).await
}

async fn render_page(
    state: &AppState,
    signed_in: &SignedIn,
    item: VaultItem,
    problem: Option<String>,
    done: Option<&'static str>,
) -> Result<Response, AppError> {
    let basis = basis_for(state, signed_in, &item).await?;
    if basis.is_none() {
        signed_in.require(Action::ViewVault).await?;
    }
    let now = state.now();
    let manage = signed_in.may(Action::ManageVault);
    let actions = Actions {
        manage,
        reveal: basis.is_some(),
        mark_compromised: (manage || basis.is_some()) && item.compromised.is_none(),
        confirm_default: manage && item.default_changed.is_none(),
    };
    let directory = state.directory(signed_in.council_id()).await?;
    let name_of = |id: custodian_core::PersonId| {
        directory
            .names
            .get(&custodian_core::audit::Actor::Person(id).to_storage())
            .cloned()
            .unwrap_or_else(|| "someone no longer listed".to_owned())
    };
    let mut allowed: Vec<String> = item
        .allowed
        .roles
        .iter()
        .map(|r| r.label().to_owned())
        .collect();
    allowed.extend(item.allowed.people.iter().map(|p| name_of(*p)));
    let mut details = vec![Row {
        key: "Kind",
        value: item.kind.label().to_owned(),
    }];
    if let Some(address) = &item.address {
        details.push(Row {
            key: "Where it is used",
            value: address.clone(),
        });
    }
    if let Some(username) = &item.username {
        details.push(Row {
            key: "Username",
            value: username.clone(),
        });
    }
    details.push(Row {
        key: "Who may reveal it",
        value: allowed.join(", "),
    });
    details.push(Row {
        key: "Password changed",
        value: item
            .last_rotated
            .map_or_else(|| "Never".to_owned(), local_time),
    });
    details.push(Row {
        key: "Next scheduled change",
        value: rotation_due(&item).map_or_else(|| "Only when needed".to_owned(), local_date),
    });
    if let Some(due) = item.renewal_due {
        details.push(Row {
            key: "Renewal due",
            value: local_date(due),
        });
    }
    details.push(Row {
        key: "Supplier's default password changed",
        value: item.default_changed.map_or_else(
            || "Not yet confirmed".to_owned(),
            |c| format!("Confirmed by {} on {}", name_of(c.by), local_time(c.at)),
        ),
    });
    if let Some(c) = item.compromised {
        details.push(Row {
            key: "Marked compromised",
            value: format!("By {} on {}", name_of(c.by), local_time(c.at)),
        });
    }
    let history = history(state, signed_in, &item, &directory.names).await?;
    let page = ItemPage {
        chrome: chrome(signed_in, "/vault"),
        id: item.id.to_string(),
        name: item.name.clone(),
        kind: item.kind.label(),
        sealed: item.tier == custodian_core::vault::Tier::Sealed,
        tags: tags(&item, now),
        details,
        fields: SecretField::ALL
            .into_iter()
            .filter(|f| item.has(*f))
            .map(|f| (f.as_str(), f.label()))
            .collect(),
        actions,
        locked: vault_key(state).is_none(),
        problem,
        done,
        history,
    };
    Ok(render(&page)?.into_response())
}

/// The item's whole access history, newest first, in words.
async fn history(
    state: &AppState,
    signed_in: &SignedIn,
    item: &VaultItem,
    names: &std::collections::HashMap<String, String>,
) -> Result<Vec<HistoryRow>, AppError> {
    let query = AuditQuery {
        subject: Some(subject(item.id)),
        limit: 1_000,
        ..AuditQuery::default()
    };
    let entries = state
        .store()
        .entries(signed_in.council_id(), &query)
        .await?;
    Ok(entries
        .iter()
        .map(|e| HistoryRow {
            at: jiff::Timestamp::from_millisecond(e.at_ms)
                .map_or_else(|_| String::new(), local_time),
            who: crate::pages::audit::describe_actor(&e.actor, names),
            what: action_words(&e.action),
            detail: detail_words(&e.details),
        })
        .collect())
}

fn action_words(action: &str) -> String {
    let words = match action {
        "vault.item_added" => "Added the item",
        "vault.item_changed" => "Changed the details",
        "vault.secret_changed" => "Changed a secret",
        "vault.secret_removed" => "Removed a secret",
        "vault.default_changed_confirmed" => {
            "Confirmed the supplier's default password was changed"
        }
        "vault.revealed" => "Revealed",
        "vault.reveal_refused" => "Tried to reveal (refused)",
        "vault.marked_compromised" => "Marked compromised",
        other => return crate::pages::audit::action_label(other).into_owned(),
    };
    words.to_owned()
}

/// The entry's details in words: which field, why, and on what basis.
fn detail_words(details: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(details) else {
        return String::new();
    };
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let mut parts = Vec::new();
    if let Some(field) = text("field") {
        parts.push(SecretField::parse(&field).map_or(field, |f| f.label().to_owned()));
    }
    if let Some(basis) = text("basis") {
        parts.push(basis_words(&basis));
    }
    if text("shown").is_some() {
        parts.push("the current code was shown, not the setup key".to_owned());
    }
    if let Some(reason) = text("reason") {
        parts.push(format!("reason: \"{reason}\""));
    }
    if let Some(changed) = value.get("changed").and_then(|v| v.as_array()) {
        let names: Vec<&str> = changed.iter().filter_map(|v| v.as_str()).collect();
        parts.push(format!("changed: {}", names.join(", ")));
    }
    if let Some(version) = value.get("version").and_then(|v| v.as_u64()) {
        parts.push(format!("version {version}"));
    }
    parts.join("; ")
}

/// An audit entry's basis ("role:clerk", "grant:<id>") in words.
fn basis_words(basis: &str) -> String {
    match basis.split_once(':') {
        None if basis == "named" => "named on the item".to_owned(),
        Some(("role", role)) => {
            Role::parse(role).map_or_else(|_| format!("as {role}"), |r| format!("as {}", r.label()))
        }
        Some(("grant", _)) => "with time-limited access".to_owned(),
        Some(("emergency", _)) => "through emergency access".to_owned(),
        _ => basis.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reveal_is_described_with_its_field_basis_and_reason() {
        let words = detail_words(
            r#"{"field":"password","reason":"Renew the domain","basis":"role:clerk"}"#,
        );
        assert_eq!(words, "Password; as Clerk; reason: \"Renew the domain\"");
        assert_eq!(basis_words("emergency:x"), "through emergency access");
        assert_eq!(basis_words("named"), "named on the item");
    }
}
