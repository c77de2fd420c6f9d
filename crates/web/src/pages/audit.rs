//! The audit log page (filters by who, what and when; newest first; paged) and its CSV export.

use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use custodian_core::audit::{Actor, AuditEntry, AuditEvent};
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::ports::{AuditLog, AuditQuery};
use serde::Deserialize;
use serde_json::json;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

const PAGE_SIZE: u32 = 50;
const CSV_LIMIT: u32 = 10_000;

/// The kinds of entry offered in the "What" filter: prefix and plain label.
const KINDS: &[(&str, &str)] = &[
    ("signin.", "Sign-ins and failed sign-ins"),
    ("signout", "Sign-outs"),
    ("session.", "Sessions ended or switched"),
    ("mfa.", "Authenticator app and passkey changes"),
    ("person.", "People added, changed or left"),
    ("invitation.", "Invitations"),
    ("password_reset.", "Password reset links"),
    ("council.", "Council set-up and settings"),
    ("incident.", "Incidents"),
    ("policy.", "IT policy: drafts, adoptions and signatures"),
    (
        "asset.",
        "Equipment: added, issued, acknowledged, lost, wiped, disposed of",
    ),
    (
        "device.",
        "Devices: own-device requests, decisions and security settings",
    ),
    ("permission.denied", "Refused: not allowed"),
    ("request.refused", "Refused: expired forms"),
    ("audit.", "Audit log downloads"),
    ("installation.", "Whole-installation exports"),
];

/// Plain words for an action code (borrowed: a page shows fifty of these).
pub fn action_label(code: &str) -> Cow<'static, str> {
    let label = match code {
        "council.created" => "Council set up",
        "council.settings_changed" => "Council settings changed",
        "person.added" => "Person added",
        "person.changed" => "Person's details changed",
        "person.left" => "Person marked as left",
        "invitation.created" => "Invitation link created",
        "invitation.accepted" => "Invitation accepted",
        "password_reset.created" => "Password reset link created",
        "password_reset.completed" => "Password reset with a link",
        "signin.succeeded" => "Signed in",
        "signin.password_accepted" => "Password accepted, waiting for security code",
        "signin.failed" => "Failed sign-in",
        "signin.mfa_failed" => "Wrong security code",
        "signout" => "Signed out",
        "signout.everywhere" => "Signed out on every device",
        "session.ended" => "Session ended",
        "session.council_chosen" => "Switched council",
        "mfa.totp_enabled" => "Authenticator app set up",
        "mfa.passkey_added" => "Passkey added",
        "mfa.passkey_removed" => "Passkey removed",
        "incident.opened" => "Incident reported",
        "policy.draft_created" => "Policy draft started",
        "policy.draft_updated" => "Policy draft changed",
        "policy.draft_deleted" => "Policy draft deleted",
        "policy.adopted" => "Policy adoption recorded",
        "policy.declaration_signed" => "Policy declaration signed",
        "asset.registered" => "Equipment added to the register",
        "asset.updated" => "Equipment details changed",
        "asset.issued" => "Equipment issued",
        "asset.returned" => "Equipment returned to store",
        "asset.transferred" => "Equipment transferred",
        "asset.acknowledged" => "Equipment acknowledged by its holder",
        "asset.reported_lost" => "Equipment reported lost",
        "asset.reported_stolen" => "Equipment reported stolen",
        "asset.reported_damaged" => "Equipment reported damaged",
        "asset.wiped" => "Equipment data wipe recorded",
        "asset.disposed" => "Equipment disposed of",
        "assets.imported" => "Equipment imported from a spreadsheet",
        "assets.exported" => "Equipment register downloaded",
        "device.requested" => "Asked to use an own device",
        "device.registered" => "Council device registered",
        "device.approved" => "Own device approved",
        "device.declined" => "Own device declined",
        "device.facts_recorded" => "Device security settings recorded",
        "device.retired" => "Device no longer used",
        "permission.denied" => "Refused: not allowed",
        "request.refused_csrf" => "Refused: expired or forged form",
        "audit.exported" => "Audit log downloaded",
        "installation.exported" => "Everything exported from the server command line",
        other => return Cow::Owned(other.to_owned()),
    };
    Cow::Borrowed(label)
}

#[derive(Deserialize, Default, Clone)]
pub struct Filters {
    #[serde(default)]
    who: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    before: Option<i64>,
}

impl Filters {
    fn query(&self, limit: u32) -> (AuditQuery, Vec<String>) {
        let mut problems = Vec::new();
        let actor = match self.who.as_str() {
            "" => None,
            "system" | "operator" | "anonymous" => Some(self.who.clone()),
            id => match PersonId::parse(id) {
                Ok(id) => Some(Actor::Person(id).to_storage()),
                Err(_) => {
                    problems.push("Choose a person from the list".to_owned());
                    None
                }
            },
        };
        let action_prefix = KINDS
            .iter()
            .find(|(p, _)| *p == self.what)
            .map(|(p, _)| (*p).to_owned());
        let tz = crate::nav::london().clone();
        let day = |text: &str, field: &str, problems: &mut Vec<String>, next: bool| {
            if text.trim().is_empty() {
                return None;
            }
            match text.trim().parse::<jiff::civil::Date>() {
                Ok(d) => {
                    let d = if next { d.tomorrow().unwrap_or(d) } else { d };
                    d.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
                }
                Err(_) => {
                    problems.push(format!("{field} must be a date like 2026-04-01"));
                    None
                }
            }
        };
        let from = day(&self.from, "From", &mut problems, false);
        let until = day(&self.to, "To", &mut problems, true);
        (
            AuditQuery {
                actor,
                action_prefix,
                subject: None,
                from,
                until,
                before_seq: self.before,
                limit,
            },
            problems,
        )
    }

    fn link(&self, before: Option<i64>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("who", &self.who),
            ("what", &self.what),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        if let Some(b) = before {
            out.append_pair("before", &b.to_string());
        }
        out.finish()
    }
}

/// One entry as the page shows it, borrowing what it can from the entry and the directory.
pub struct EntryRow<'a> {
    pub seq: i64,
    pub at: String,
    pub who: &'a str,
    pub what: Cow<'static, str>,
    pub subject: &'a str,
    pub subject_href: Option<String>,
    pub details: Cow<'a, str>,
}

/// The council's people as the audit log shows them: names by their actor id (which is also
/// how entries name them as subjects) and the "who" filter's options. Built once per change to
/// the store (`AppState::directory`), not on every page.
pub struct Directory {
    pub names: HashMap<String, String>,
    pub options: Vec<(String, String)>,
}

impl Directory {
    pub fn of(people: &[custodian_core::person::Person]) -> Self {
        Self {
            names: people
                .iter()
                .map(|p| (Actor::Person(p.id).to_storage(), p.name.to_string()))
                .collect(),
            options: people
                .iter()
                .map(|p| (p.id.to_string(), p.name.to_string()))
                .collect(),
        }
    }
}

pub(crate) fn describe_actor(actor: &str, names: &HashMap<String, String>) -> String {
    actor_name(actor, names).to_owned()
}

/// Who an actor is, in words, borrowed from the directory.
fn actor_name<'a>(actor: &'a str, names: &'a HashMap<String, String>) -> &'a str {
    match actor {
        "system" => "Custodian",
        "operator" => "Server command line",
        "anonymous" => "Someone not signed in",
        other => names.get(other).map_or(other, String::as_str),
    }
}

/// What an entry is about, in words, and a link to it where there is a page.
fn describe_subject<'a>(
    subject: &'a str,
    names: &'a HashMap<String, String>,
) -> (&'a str, Option<String>) {
    if let Some(name) = names.get(subject) {
        let href = subject
            .strip_prefix("person:")
            .map(|id| format!("/people/{id}"));
        return (name, href);
    }
    match subject.split_once(':') {
        Some(("incident", id)) => ("An incident", Some(format!("/incidents/{id}"))),
        Some(("council", _)) => ("The council", None),
        Some(("policy_version", id)) => {
            ("A policy version", Some(format!("/policy/versions/{id}")))
        }
        Some(("person", _)) => ("A person no longer listed", None),
        Some(("asset", id)) => ("An item of equipment", Some(format!("/assets/{id}"))),
        Some(("device", id)) => ("A device", Some(format!("/devices/{id}"))),
        _ => (subject, None),
    }
}

/// The entry's details as plain "Name: value" phrases instead of JSON.
/// Borrows the text when it is not a JSON object (or is `{}`); otherwise writes the phrases
/// straight into one string.
pub fn describe_details(details: &str) -> Cow<'_, str> {
    if details == "{}" {
        return Cow::Borrowed("");
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(details)
    else {
        return Cow::Borrowed(details);
    };
    let mut out = String::with_capacity(details.len() + 16);
    for (key, value) in &map {
        if !out.is_empty() {
            out.push_str("; ");
        }
        // The key with its first letter capitalised and underscores as spaces.
        let mut chars = key.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
        }
        out.extend(chars.map(|c| if c == '_' { ' ' } else { c }));
        out.push_str(": ");
        let text: Cow<'_, str> = match value {
            serde_json::Value::Bool(true) => "yes".into(),
            serde_json::Value::Bool(false) => "no".into(),
            serde_json::Value::Null => "none".into(),
            serde_json::Value::String(text) if key.contains("roles") => {
                match custodian_core::person::RoleSet::from_storage(text) {
                    Ok(roles) if roles.is_empty() => "none".into(),
                    Ok(roles) => roles.labels().into(),
                    Err(_) => text.as_str().into(),
                }
            }
            serde_json::Value::String(text) => match text.parse::<jiff::Timestamp>() {
                Ok(at) => local_time(at).into(),
                Err(_) => text.as_str().into(),
            },
            other => other.to_string().into(),
        };
        out.push_str(&text);
    }
    Cow::Owned(out)
}

fn row<'a>(entry: &'a AuditEntry, names: &'a HashMap<String, String>) -> EntryRow<'a> {
    let (subject, subject_href) = describe_subject(&entry.subject, names);
    EntryRow {
        seq: entry.seq,
        at: local_time(entry.at()),
        who: actor_name(&entry.actor, names),
        what: action_label(&entry.action),
        subject,
        subject_href,
        details: describe_details(&entry.details),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    chrome: crate::chrome::Chrome,
    problems: Vec<String>,
    filters: Filters,
    people: Arc<Directory>,
    kinds: Vec<(&'static str, &'static str)>,
    entries: Vec<EntryRow<'a>>,
    older_link: Option<String>,
    newest_link: Option<String>,
    csv_link: String,
    can_export: bool,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(filters): Query<Filters>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewAuditLog).await?;
    let council = signed_in.council_id();
    let (query, problems) = filters.query(PAGE_SIZE + 1);
    let fetched = if problems.is_empty() {
        state.audit_page(council, query).await?
    } else {
        Default::default()
    };
    let more = fetched.len() > PAGE_SIZE as usize;
    let entries = &fetched[..fetched.len().min(PAGE_SIZE as usize)];
    let people = state.directory(council).await?;
    let directory = Arc::clone(&people);
    let older_link = more
        .then(|| {
            entries
                .last()
                .map(|e| format!("/audit?{}", filters.link(Some(e.seq))))
        })
        .flatten();
    Ok(render(&AuditPage {
        chrome: chrome(&signed_in, "/audit"),
        problems,
        kinds: KINDS.to_vec(),
        entries: entries.iter().map(|e| row(e, &directory.names)).collect(),
        people,
        older_link,
        newest_link: filters
            .before
            .map(|_| format!("/audit?{}", filters.link(None))),
        csv_link: format!("/audit.csv?{}", filters.link(None)),
        can_export: signed_in.may(Action::ExportAuditLog),
        filters,
    })?
    .into_response())
}

/// Quotes a CSV cell, and defuses cells a spreadsheet would run as a formula.
fn csv_cell(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

pub async fn csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(filters): Query<Filters>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ExportAuditLog).await?;
    let council = signed_in.council_id();
    let (query, problems) = filters.query(CSV_LIMIT);
    if !problems.is_empty() {
        return Ok((axum::http::StatusCode::BAD_REQUEST, problems.join(". ")).into_response());
    }
    let entries = state.store().entries(council, &query).await?;
    let names = &state.directory(council).await?.names;
    let mut out = String::from(
        "sequence,time_utc,actor_id,actor,action,action_label,subject,details,previous_hash,hash\r\n",
    );
    for e in &entries {
        let cells = [
            e.seq.to_string(),
            e.at().to_string(),
            e.actor.clone(),
            describe_actor(&e.actor, names),
            e.action.clone(),
            action_label(&e.action).into_owned(),
            e.subject.clone(),
            e.details.clone(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    let event = AuditEvent::new(council, state.now(), signed_in.actor(), "audit.exported")
        .details(json!({ "entries": entries.len(), "filters": filters.link(None) }));
    state.store().append(&event).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custodian-audit-log.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_plain_words() {
        assert_eq!(
            describe_details(
                r#"{"locked":false,"roles_after":"clerk,chair","consecutive_failures":3}"#
            ),
            "Consecutive failures: 3; Locked: no; Roles after: Clerk, Chair"
        );
        assert_eq!(describe_details("{}"), "");
        assert!(
            describe_details(r#"{"expires_at":"2026-09-28T14:13:20Z"}"#)
                .starts_with("Expires at: 28 Sep 2026, 15:13")
        );
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_cell("=SUM(A1)"), "\"'=SUM(A1)\"");
    }
}
