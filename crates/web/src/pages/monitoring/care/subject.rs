//! Answering a person's request about their internet-use records (issue 7, item 7; 5.1.9):
//! subject access (a summary page, then everything held as one ZIP of CSV, raw lines and the
//! same summary), erasure with a confirmation that says what goes, and the way into
//! correcting records that were not theirs.

use super::export::{self, file_name, size};
use super::{
    Choice, council_person, key_kind, key_query, person_choices, plural, refusal, require_clerk,
    today,
};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_date, render};
use crate::pages::monitoring::{audit_view, read_day, settings_of, uk_date};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::audit::AuditEvent;
use custodian_core::person::Person;
use custodian_core::ports::{
    AuditLog, ErasureReport, LocalDay, MonitorStore, SubjectAccess, SubjectKey,
};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The first day "everything held" reads from: before any council could have records (the
/// Regulations monitoring relies on date from 2018).
fn beginning() -> LocalDay {
    LocalDay::from_date(jiff::civil::date(2000, 1, 1))
}

/// The period asked for: both ends optional, defaulting to everything held up to today.
#[derive(Deserialize, Default, Clone)]
pub struct Asked {
    #[serde(default)]
    person: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Set after an erasure, with the number of records removed.
    #[serde(default)]
    erased: Option<u64>,
}

impl Asked {
    /// The period, or the problems with the dates (field, message).
    fn period(&self, today: LocalDay, errors: &mut Errors) -> Option<(LocalDay, LocalDay)> {
        let from = match self.from.trim() {
            "" => Some(beginning()),
            text => errors.check("from", read_day(text, "The first day")),
        };
        let to = match self.to.trim() {
            "" => Some(today),
            text => errors.check("to", read_day(text, "The last day")),
        };
        let (from, to) = (from?, to?);
        if from > to {
            errors.add("to", "The last day is before the first. Check both dates.");
            return None;
        }
        Some((from.max(beginning()), to))
    }

    /// The query string to carry the period on to the download and back.
    fn query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("from", self.from.trim())
            .append_pair("to", self.to.trim())
            .finish()
    }
}

#[derive(Template)]
#[template(path = "monitoring/subject.html")]
struct ChoosePage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    people: Vec<Choice>,
    from: String,
    to: String,
}

/// Choosing whose records and which period; a chosen person goes on to their summary.
pub async fn choose(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(asked): Query<Asked>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let people = state.people(signed_in.council_id()).await?;
    let mut errors = Errors::new();
    let submitted = !asked.person.is_empty() || !asked.from.is_empty() || !asked.to.is_empty();
    if submitted {
        let person = council_person(&people, &asked.person);
        if person.is_none() {
            errors.add("person", "Choose whose records to show.");
        }
        let period = asked.period(today(&state), &mut errors);
        if let (Some(person), Some(_)) = (person, period) {
            return Ok(Redirect::to(&format!(
                "/monitoring/subject-access/{}?{}",
                person.id,
                asked.query()
            ))
            .into_response());
        }
    }
    Ok((
        errors.status(),
        render(&ChoosePage {
            chrome: chrome(&signed_in, "/monitoring"),
            errors,
            people: person_choices(&people, &asked.person),
            from: asked.from.clone(),
            to: asked.to.clone(),
        })?,
    )
        .into_response())
}

/// One name or address a person's records were logged under.
pub struct KeyRow {
    pub kind: &'static str,
    pub value: String,
    pub days: usize,
    pub first: String,
    pub last: String,
    /// The correction form for this name over these days.
    pub correct_link: String,
}

/// What the summary says, on the page and in `summary.txt`.
pub struct Summary {
    pub council: String,
    pub person: String,
    pub person_id: String,
    /// "from 1/6/2026 to 7/12/2026", or "everything held".
    pub period: String,
    pub held_span: String,
    pub days: usize,
    pub sites: usize,
    pub records: usize,
    pub hits: u64,
    pub bytes: String,
    pub raw_lines: u64,
    pub raw_groups: usize,
    pub held_days: usize,
    pub keys: Vec<KeyRow>,
    pub purpose: String,
    pub retention_months: u16,
    pub on_hold: bool,
    pub prepared: String,
}

impl Summary {
    pub fn is_empty(&self) -> bool {
        self.records == 0 && self.raw_groups == 0
    }
}

#[derive(Template)]
#[template(path = "monitoring/subject_summary.txt")]
struct SummaryText<'a> {
    s: &'a Summary,
}

#[derive(Template)]
#[template(path = "monitoring/subject_summary.html")]
struct SummaryPage {
    chrome: crate::chrome::Chrome,
    s: Summary,
    download: String,
    erased: Option<String>,
}

struct Loaded {
    person: Person,
    from: LocalDay,
    to: LocalDay,
    access: SubjectAccess,
    summary: Summary,
}

/// Reads everything held about the person in the period and summarises it.
async fn load(
    state: &AppState,
    signed_in: &SignedIn,
    person_id: &str,
    asked: &Asked,
) -> Result<Loaded, AppError> {
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let person = council_person(&people, person_id)
        .ok_or(AppError::NotFound)?
        .clone();
    let mut errors = Errors::new();
    let (from, to) = asked
        .period(today(state), &mut errors)
        .ok_or(AppError::NotFound)?;
    let access = state
        .store()
        .subject_access(council, person.id, from, to)
        .await?;
    let settings = settings_of(state, signed_in).await?;
    let purpose = settings
        .as_ref()
        .and_then(|s| s.assessment.as_ref())
        .and_then(|a| a.get("purpose"))
        .and_then(|p| p.as_str())
        .unwrap_or_default()
        .to_owned();
    let (profile, _) = crate::pages::policy::profile_in_force(state, council).await?;
    let on_hold = state
        .store()
        .holds(council)
        .await?
        .iter()
        .any(|h| h.is_active() && h.person_id == person.id);
    let summary = summarise(
        &access,
        SummaryContext {
            council: signed_in.current.council.name.to_string(),
            person: &person,
            from,
            to,
            everything: asked.from.trim().is_empty() && asked.to.trim().is_empty(),
            purpose,
            retention_months: profile.internet_log_retention_months,
            on_hold,
            prepared: local_date(custodian_core::policy::version::london_today(state.now())),
        },
    );
    Ok(Loaded {
        person,
        from,
        to,
        access,
        summary,
    })
}

struct SummaryContext<'a> {
    council: String,
    person: &'a Person,
    from: LocalDay,
    to: LocalDay,
    /// No period was asked for.
    everything: bool,
    purpose: String,
    retention_months: u16,
    on_hold: bool,
    prepared: String,
}

/// The summary's figures, in one pass over the records and raw lines.
fn summarise(access: &SubjectAccess, context: SummaryContext<'_>) -> Summary {
    let mut days = BTreeSet::new();
    let mut held_days = BTreeSet::new();
    let mut sites = BTreeSet::new();
    let mut keys: BTreeMap<&SubjectKey, BTreeSet<LocalDay>> = BTreeMap::new();
    let (mut hits, mut bytes) = (0u64, 0u64);
    for r in &access.records {
        days.insert(r.day);
        if r.held {
            held_days.insert(r.day);
        }
        sites.insert(r.site.as_str());
        keys.entry(&r.key).or_default().insert(r.day);
        hits += r.hits;
        bytes += r.bytes;
    }
    let period = if context.everything {
        "everything held".to_owned()
    } else {
        format!("from {} to {}", uk_date(context.from), uk_date(context.to))
    };
    let held_span = match (days.first(), days.last()) {
        (Some(first), Some(last)) => format!("{} to {}", uk_date(*first), uk_date(*last)),
        _ => String::new(),
    };
    let keys = keys
        .into_iter()
        .map(|(key, key_days)| {
            let (_, kind, value) = key_kind(key);
            let first = key_days.first().copied().unwrap_or(LocalDay(0));
            let last = key_days.last().copied().unwrap_or(LocalDay(0));
            KeyRow {
                kind,
                value: value.to_owned(),
                days: key_days.len(),
                first: uk_date(first),
                last: uk_date(last),
                correct_link: format!(
                    "/monitoring/names/correct?{}&from={}&to={}",
                    key_query(key),
                    uk_date(first),
                    uk_date(last)
                ),
            }
        })
        .collect();
    Summary {
        council: context.council,
        person: context.person.name.to_string(),
        person_id: context.person.id.to_string(),
        period,
        held_span,
        days: days.len(),
        sites: sites.len(),
        records: access.records.len(),
        hits,
        bytes: size(bytes),
        raw_lines: access.raw.iter().map(|r| r.line_count).sum(),
        raw_groups: access.raw.len(),
        held_days: held_days.len(),
        keys,
        purpose: context.purpose,
        retention_months: context.retention_months,
        on_hold: context.on_hold,
        prepared: context.prepared,
    }
}

/// The summary page (`/monitoring/subject-access/{person}`) or the download
/// (`/monitoring/subject-access/{person}.zip`).
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(file): Path<String>,
    Query(asked): Query<Asked>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let mut errors = Errors::new();
    if asked.period(today(&state), &mut errors).is_none() {
        // Dates that cannot be read go back to the form, which says what is wrong with them.
        let person: String =
            form_urlencoded::byte_serialize(file.trim_end_matches(".zip").as_bytes()).collect();
        return Ok(Redirect::to(&format!(
            "/monitoring/subject-access?person={person}&{}",
            asked.query()
        ))
        .into_response());
    }
    match file.strip_suffix(".zip") {
        Some(person) => download(&state, &signed_in, person, &asked).await,
        None => summary_page(&state, &signed_in, &file, &asked).await,
    }
}

fn asked_details(from: LocalDay, to: LocalDay, asked: &Asked) -> serde_json::Value {
    json!({
        "from": from.date().to_string(),
        "to": to.date().to_string(),
        "everything": asked.from.trim().is_empty() && asked.to.trim().is_empty(),
    })
}

async fn summary_page(
    state: &AppState,
    signed_in: &SignedIn,
    person: &str,
    asked: &Asked,
) -> Result<Response, AppError> {
    let loaded = load(state, signed_in, person, asked).await?;
    audit_view(
        state,
        signed_in,
        "subject_access",
        Some(format!("person:{}", loaded.person.id)),
        asked_details(loaded.from, loaded.to, asked),
    )
    .await?;
    Ok(render(&SummaryPage {
        chrome: chrome(signed_in, "/monitoring"),
        download: format!(
            "/monitoring/subject-access/{}.zip?{}",
            loaded.person.id,
            asked.query()
        ),
        erased: asked
            .erased
            .map(|n| format!("{} erased.", plural(n, "record was", "records were"))),
        s: loaded.summary,
    })?
    .into_response())
}

async fn download(
    state: &AppState,
    signed_in: &SignedIn,
    person: &str,
    asked: &Asked,
) -> Result<Response, AppError> {
    let council = signed_in.council_id();
    let loaded = load(state, signed_in, person, asked).await?;
    let log_names: HashMap<_, _> = state
        .store()
        .monitor_batches(council)
        .await?
        .into_iter()
        .map(|b| (b.id, b.source_name))
        .collect();
    let mut summary_text = SummaryText { s: &loaded.summary }.render()?;
    if !summary_text.ends_with('\n') {
        summary_text.push('\n');
    }
    let now = state.now();
    let name = file_name(loaded.person.name.as_str(), now);
    let subject = format!("person:{}", loaded.person.id);
    let details = asked_details(loaded.from, loaded.to, asked);
    let counts = json!({
        "records": loaded.access.records.len(),
        "raw_chunks": loaded.access.raw.len(),
        "raw_lines": loaded.summary.raw_lines,
        "days": loaded.summary.days,
    });
    // Compressing a few megabytes of lines is CPU work: off the async workers.
    let access = loaded.access;
    let bytes = tokio::task::spawn_blocking(move || {
        export::zip_of(&summary_text, &access.records, &access.raw, &log_names, now)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?
    .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    // Recorded before anything is sent: an export that cannot be audited is not given out.
    audit_view(
        state,
        signed_in,
        "subject_access_export",
        Some(subject.clone()),
        details.clone(),
    )
    .await?;
    let event = AuditEvent::new(
        council,
        now,
        signed_in.actor(),
        "monitor.subject_access.exported",
    )
    .subject(subject)
    .details(json!({ "asked": details, "counts": counts }));
    state.store().append(&event).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "monitoring/subject_erase.html")]
struct ErasePage {
    chrome: crate::chrome::Chrome,
    person: String,
    person_id: String,
    records: usize,
    held_records: usize,
    raw_groups: usize,
    days: usize,
    on_hold: bool,
    problem: Option<String>,
}

async fn erase_page(
    state: &AppState,
    signed_in: &SignedIn,
    person: &str,
    problem: Option<String>,
) -> Result<Response, AppError> {
    let loaded = load(state, signed_in, person, &Asked::default()).await?;
    audit_view(
        state,
        signed_in,
        "erasure_check",
        Some(format!("person:{}", loaded.person.id)),
        json!({ "everything": true }),
    )
    .await?;
    let status = if problem.is_some() {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::OK
    };
    Ok((
        status,
        render(&ErasePage {
            chrome: chrome(signed_in, "/monitoring"),
            person: loaded.person.name.to_string(),
            person_id: loaded.person.id.to_string(),
            records: loaded.access.records.len(),
            held_records: loaded.access.records.iter().filter(|r| r.held).count(),
            raw_groups: loaded.access.raw.len(),
            days: loaded.summary.days,
            on_hold: loaded.summary.on_hold,
            problem,
        })?,
    )
        .into_response())
}

pub async fn erase_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(person): Path<String>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    erase_page(&state, &signed_in, &person, None).await
}

pub async fn erase(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(person): Path<String>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let person = council_person(&people, &person)
        .ok_or(AppError::NotFound)?
        .id;
    let (now, actor) = (state.now(), signed_in.actor());
    let erased = state
        .store()
        .erase_person(council, person, |r: &ErasureReport| {
            AuditEvent::new(council, now, actor, "monitor.person.erased")
                .subject(format!("person:{person}"))
                .details(json!({
                    "days": r.days,
                    "records_removed": r.records_removed,
                    "raw_chunks_removed": r.raw_chunks_removed,
                    "held_records_removed": r.held_records_removed,
                    "held_raw_removed": r.held_raw_removed,
                }))
        })
        .await;
    match erased {
        Ok(report) => Ok(Redirect::to(&format!(
            "/monitoring/subject-access/{person}?erased={}",
            report.records_removed + report.held_records_removed
        ))
        .into_response()),
        Err(error) => {
            let message = refusal(error)?;
            erase_page(&state, &signed_in, &person.to_string(), Some(message)).await
        }
    }
}
