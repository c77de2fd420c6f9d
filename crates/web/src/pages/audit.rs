//! The audit log page (filters by who, what and when; newest first; paged) and its CSV export.

use crate::error::AppError;
use crate::nav::{chrome, local_time};
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
use std::collections::{BTreeMap, HashMap};

const PAGE_SIZE: u32 = 50;
const CSV_LIMIT: u32 = 10_000;
/// About the size of an audit page's HTML without its entries or people, and of one entry's row.
const PAGE_HTML_BASE: usize = 12 * 1024;
const ROW_HTML: usize = 640;

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
    (
        "vault.",
        "Password vault: reveals, refusals, access and emergencies",
    ),
    ("leaver.", "Leaving checklists"),
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
        "incident.updated" => "Incident changed (owner or when the council became aware)",
        "incident.action_added" => "Incident action added to the timeline",
        "incident.breach_decided" => "Breach: decision on telling the ICO recorded",
        "incident.people_told" => "Breach: telling the people affected recorded",
        "incident.closed" => "Incident closed",
        "vault.item_added" => "Password added to the vault",
        "vault.item_changed" => "Vault item's details changed",
        "vault.secret_changed" => "Vault secret changed",
        "vault.secret_removed" => "Vault secret removed",
        "vault.default_changed_confirmed" => "Supplier's default password confirmed changed",
        "vault.revealed" => "Password revealed",
        "vault.reveal_refused" => "Refused: tried to reveal a password",
        "vault.marked_compromised" => "Password marked as compromised",
        "vault.access_requested" => "Time-limited password access asked for",
        "vault.access_approved" => "Time-limited password access approved",
        "vault.access_declined" => "Time-limited password access declined",
        "vault.access_ended" => "Time-limited password access ended",
        "vault.emergency_opened" => "Emergency access to sealed passwords opened",
        "vault.emergency_objected" => "Objection to emergency access",
        "vault.emergency_agreed" => "Emergency access agreed by a second holder",
        "vault.emergency_closed" => "Emergency access closed",
        "vault.kit_issued" => "Vault recovery kit issued",
        "vault.exported" => "Vault export made for the recovery kit",
        "vault.key_rotated" => "Vault key replaced",
        "leaver.checklist_created" => "Leaving checklist made",
        "leaver.item_done" => "Leaving checklist item done",
        "leaver.item_waived" => "Leaving checklist item waived",
        "leaver.checklist_closed" => "Leaving checklist closed",
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
    pub subject_href: Option<RecordLink<'a>>,
    pub details: Cow<'a, str>,
}

/// A link to a record's page: its path and id, written out only as the page is rendered.
pub struct RecordLink<'a> {
    path: &'static str,
    id: &'a str,
}

impl std::fmt::Display for RecordLink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path)?;
        f.write_str(self.id)
    }
}

/// The council's people as the audit log shows them: names by their actor id (which is also
/// how entries name them as subjects) and the "who" filter's options. Built once per change to
/// the store (`AppState::directory`), not on every page.
pub struct Directory {
    pub names: HashMap<String, String>,
    who_options: WhoOptions,
}

impl Directory {
    pub fn of(people: &[custodian_core::person::Person]) -> Result<Self, askama::Error> {
        Ok(Self {
            names: people
                .iter()
                .map(|p| (Actor::Person(p.id).to_storage(), p.name.to_string()))
                .collect(),
            who_options: WhoOptions::of(
                people.iter().map(|p| (p.id.to_string(), p.name.as_str())),
            )?,
        })
    }
}

/// One option of the "who" filter, rendered (and escaped) by askama.
#[derive(Template)]
#[template(
    source = r#"<option value="{{ id }}"{% if selected %} selected{% endif %}>{{ name }}</option>"#,
    ext = "html"
)]
struct WhoOption<'a> {
    id: &'a str,
    name: &'a str,
    selected: bool,
}

/// The "who" filter's option for every person, rendered once per change to the store.
///
/// Why: a council has hundreds of people, and rendering and escaping their options made up a
/// quarter of every audit page's HTML. A page now copies this text and swaps in the chosen
/// person's option, itself rendered here with `selected`.
struct WhoOptions {
    /// Every person's option, none chosen, in the directory's order.
    html: String,
    /// By person id: where that person's option lies in `html`, and the same option chosen.
    chosen: HashMap<String, (std::ops::Range<usize>, String)>,
}

impl WhoOptions {
    /// From each person's id and name, in the order the filter lists them.
    fn of<'a>(
        people: impl ExactSizeIterator<Item = (String, &'a str)>,
    ) -> Result<Self, askama::Error> {
        let mut html = String::with_capacity(people.len() * 80);
        let mut chosen = HashMap::with_capacity(people.len());
        for (id, name) in people {
            let mut option = WhoOption {
                id: &id,
                name,
                selected: false,
            };
            let start = html.len();
            option.render_into(&mut html)?;
            let range = start..html.len();
            option.selected = true;
            let selected = option.render()?;
            chosen.insert(id, (range, selected));
        }
        Ok(Self { html, chosen })
    }

    /// The options as a page shows them, with `who`'s option chosen when it is a person.
    fn showing<'a>(&'a self, who: &str) -> WhoOptionsShown<'a> {
        WhoOptionsShown {
            options: self,
            chosen: self.chosen.get(who),
        }
    }
}

/// Already-escaped HTML, written into the page with askama's `safe` filter.
struct WhoOptionsShown<'a> {
    options: &'a WhoOptions,
    chosen: Option<&'a (std::ops::Range<usize>, String)>,
}

impl std::fmt::Display for WhoOptionsShown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let html = self.options.html.as_str();
        match self.chosen {
            Some((range, selected)) => {
                f.write_str(html.get(..range.start).unwrap_or_default())?;
                f.write_str(selected)?;
                f.write_str(html.get(range.end..).unwrap_or_default())
            }
            None => f.write_str(html),
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
) -> (&'a str, Option<RecordLink<'a>>) {
    let link = |path, id| Some(RecordLink { path, id });
    if let Some(name) = names.get(subject) {
        let href = subject
            .strip_prefix("person:")
            .and_then(|id| link("/people/", id));
        return (name, href);
    }
    match subject.split_once(':') {
        Some(("incident", id)) => ("An incident", link("/incidents/", id)),
        Some(("council", _)) => ("The council", None),
        Some(("policy_version", id)) => ("A policy version", link("/policy/versions/", id)),
        Some(("person", _)) => ("A person no longer listed", None),
        Some(("asset", id)) => ("An item of equipment", link("/assets/", id)),
        Some(("device", id)) => ("A device", link("/devices/", id)),
        _ => (subject, None),
    }
}

/// The entry's details as plain "Name: value" phrases instead of JSON, in the keys' order.
/// Borrows the text when it is not a JSON object (or is `{}`); otherwise writes the phrases
/// straight into one string.
pub fn describe_details(details: &str) -> Cow<'_, str> {
    if details == "{}" {
        return Cow::Borrowed("");
    }
    // Nearly every entry's details are a flat object of short values: read it borrowing from
    // the text (a page shows fifty, and owned keys, strings and `Value`s were most of their
    // cost). Anything else, such as a list or an escaped key, is read the general way below.
    if let Ok(flat) = serde_json::from_str::<BTreeMap<&str, DetailValue<'_>>>(details) {
        return Cow::Owned(phrases(details.len(), flat));
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(details)
    else {
        return Cow::Borrowed(details);
    };
    let values = map.iter().map(|(key, value)| {
        let value = match value {
            serde_json::Value::Bool(yes) => DetailValue::Bool(*yes),
            serde_json::Value::Null => DetailValue::Null,
            serde_json::Value::String(text) => DetailValue::Text(text.as_str().into()),
            serde_json::Value::Number(number) => DetailValue::Number(number.clone()),
            other => DetailValue::Json(other.to_string()),
        };
        (key.as_str(), value)
    });
    Cow::Owned(phrases(details.len(), values))
}

/// One value of an entry's details, as [`describe_details`] words it.
enum DetailValue<'a> {
    Bool(bool),
    Null,
    Text(Cow<'a, str>),
    Number(serde_json::Number),
    /// A list or an object, shown as compact JSON.
    Json(String),
}

impl<'de> Deserialize<'de> for DetailValue<'de> {
    /// Accepts only plain values (no lists or objects), borrowing strings without escapes.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PlainValue;
        impl<'de> serde::de::Visitor<'de> for PlainValue {
            type Value = DetailValue<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a text, number, true, false or null")
            }
            fn visit_bool<E>(self, value: bool) -> Result<Self::Value, E> {
                Ok(DetailValue::Bool(value))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(DetailValue::Null)
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(DetailValue::Text(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
                Ok(DetailValue::Text(Cow::Owned(text.to_owned())))
            }
            fn visit_i64<E>(self, value: i64) -> Result<Self::Value, E> {
                Ok(DetailValue::Number(value.into()))
            }
            fn visit_u64<E>(self, value: u64) -> Result<Self::Value, E> {
                Ok(DetailValue::Number(value.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Self::Value, E> {
                serde_json::Number::from_f64(value)
                    .map(DetailValue::Number)
                    .ok_or_else(|| E::custom("a number too large to show"))
            }
        }
        deserializer.deserialize_any(PlainValue)
    }
}

/// Writes "Key: value; Key: value" for the details' keys and values.
fn phrases<'a, 'v>(
    size_hint: usize,
    values: impl IntoIterator<Item = (&'a str, DetailValue<'v>)>,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(size_hint + 16);
    for (key, value) in values {
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
        match value {
            DetailValue::Bool(true) => out.push_str("yes"),
            DetailValue::Bool(false) => out.push_str("no"),
            DetailValue::Null => out.push_str("none"),
            DetailValue::Text(text) if key.contains("roles") => {
                match custodian_core::person::RoleSet::from_storage(&text) {
                    Ok(roles) if roles.is_empty() => out.push_str("none"),
                    Ok(roles) => {
                        for (i, role) in roles.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            out.push_str(role.label());
                        }
                    }
                    Err(_) => out.push_str(&text),
                }
            }
            DetailValue::Text(text) => match text.parse::<jiff::Timestamp>() {
                Ok(at) => out.push_str(&local_time(at)),
                Err(_) => out.push_str(&text),
            },
            DetailValue::Number(number) => {
                let _ = write!(out, "{number}");
            }
            DetailValue::Json(json) => out.push_str(&json),
        }
    }
    out
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
    who_options: WhoOptionsShown<'a>,
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
    let directory = state.directory(council).await?;
    let older_link = more
        .then(|| {
            entries
                .last()
                .map(|e| format!("/audit?{}", filters.link(Some(e.seq))))
        })
        .flatten();
    let page = AuditPage {
        chrome: chrome(&signed_in, "/audit"),
        problems,
        kinds: KINDS.to_vec(),
        entries: entries.iter().map(|e| row(e, &directory.names)).collect(),
        who_options: directory.who_options.showing(&filters.who),
        older_link,
        newest_link: filters
            .before
            .map(|_| format!("/audit?{}", filters.link(None))),
        csv_link: format!("/audit.csv?{}", filters.link(None)),
        can_export: signed_in.may(Action::ExportAuditLog),
        filters,
    };
    // Sized for the whole page at once: askama's estimate covers only the templates' own text,
    // so a page of fifty entries and the people list grew (and copied) its buffer several times.
    let mut html = String::with_capacity(
        PAGE_HTML_BASE + directory.who_options.html.len() + page.entries.len() * ROW_HTML,
    );
    page.render_into(&mut html)?;
    Ok(axum::response::Html(html).into_response())
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
    fn details_with_numbers_escapes_and_lists_read_as_before() {
        // A flat object is read borrowing from the text; one with a list the general way.
        assert_eq!(
            describe_details(
                r#"{"count":3,"ratio":1.5,"big":18446744073709551615,"note":"a \"b\"\tc","gone":null}"#
            ),
            "Big: 18446744073709551615; Count: 3; Gone: none; Note: a \"b\"\tc; Ratio: 1.5"
        );
        assert_eq!(
            describe_details(r#"{"ids":[1,2],"roles":"clerk","done":true}"#),
            "Done: yes; Ids: [1,2]; Roles: Clerk"
        );
        assert_eq!(
            describe_details(r#"{"roles_before":""}"#),
            "Roles before: none"
        );
        assert_eq!(describe_details("not json"), "not json");
        assert_eq!(describe_details("[1]"), "[1]");
    }

    #[test]
    fn the_who_filter_marks_only_the_chosen_person_and_escapes_names() {
        let people = [
            ("a1".to_owned(), "Ann O'Neill"),
            ("b2".to_owned(), "Bob <Chair>"),
            ("c3".to_owned(), "Cat"),
        ];
        let options = WhoOptions::of(people.into_iter()).unwrap();
        let nobody = options.showing("").to_string();
        assert_eq!(
            nobody,
            "<option value=\"a1\">Ann O&#39;Neill</option>\
             <option value=\"b2\">Bob &#60;Chair&#62;</option>\
             <option value=\"c3\">Cat</option>"
        );
        assert_eq!(options.showing("system").to_string(), nobody);
        assert_eq!(
            options.showing("b2").to_string(),
            nobody.replace("\"b2\">", "\"b2\" selected>")
        );
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_cell("=SUM(A1)"), "\"'=SUM(A1)\"");
    }
}
