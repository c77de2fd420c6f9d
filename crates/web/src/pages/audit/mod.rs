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
use std::collections::HashMap;

const PAGE_SIZE: u32 = 50;
const CSV_LIMIT: u32 = 10_000;
/// About the size of an audit page's HTML without its entries or people, and of one entry's row.
const PAGE_HTML_BASE: usize = 12 * 1024;
const ROW_HTML: usize = 640;

mod details;
mod labels;
pub use details::describe_details;
use labels::KINDS;
pub use labels::action_label;

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

/// Quotes a CSV cell, and defuses a cell a spreadsheet would run as a formula (one starting
/// with = + - @, a tab or a carriage return) with a leading apostrophe. Every CSV download the
/// web pages make uses it (the audit log, the subject access export).
pub(crate) fn csv_cell(text: &str) -> String {
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
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for start in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_cell(start).starts_with("\"'"), "{start:?}");
        }
        assert_eq!(csv_cell("news.example"), "\"news.example\"");
    }
}
