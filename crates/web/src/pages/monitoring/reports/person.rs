//! One person's day (policy 5.1.11: "a daily log … of all websites accessed, along with the
//! date and time of access, by individual"): every site with its first and last time, hits,
//! data and categories, the day before and after, and their hits by hour.

use super::{
    Choice, HourChart, ReportHead, clock_time, count, day_words, human_bytes, person_choices,
    site_link, status_of,
};
use crate::error::AppError;
use crate::nav::render;
use crate::pages::monitoring::{
    Period, PeriodQuery, audit_view, read_day, require_viewer, uk_date,
};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::ids::PersonId;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{DailyRecord, LocalDay, MonitorStore};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct DayQuery {
    #[serde(default)]
    day: String,
}

#[derive(Deserialize, Default)]
pub struct PickQuery {
    #[serde(default)]
    person: String,
    #[serde(default)]
    day: String,
}

/// The person picker's answer: on to the chosen person's page (the picker is a GET form, which
/// cannot put the person in the path).
pub async fn pick(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PickQuery>,
) -> Result<Response, AppError> {
    require_viewer(&state, &signed_in).await?;
    let Ok(person) = PersonId::parse(query.person.trim()) else {
        // Nobody chosen: back to the index, which has the picker.
        return Ok(Redirect::to("/monitoring/reports").into_response());
    };
    let day: String = form_urlencoded::byte_serialize(query.day.trim().as_bytes()).collect();
    Ok(Redirect::to(&format!("/monitoring/people/{person}?day={day}")).into_response())
}

pub struct SiteRow {
    pub site: String,
    pub link: String,
    pub first: String,
    pub last: String,
    pub hits: String,
    pub data: String,
    pub categories: String,
    pub flagged: bool,
    pub held: bool,
    /// Set when the site was recorded under a log name other than the person's usual one.
    pub logged_as: String,
}

impl SiteRow {
    pub fn of(record: &DailyRecord, query: &str) -> SiteRow {
        SiteRow {
            link: site_link(&record.site, query),
            site: record.site.clone(),
            first: clock_time(record.first_at),
            last: clock_time(record.last_at),
            hits: count(record.hits),
            data: human_bytes(record.bytes),
            categories: record.categories.join(", "),
            flagged: record.flagged,
            held: record.held,
            logged_as: super::key_text(&record.key).to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring/report_person.html")]
struct PersonDayPage {
    chrome: crate::chrome::Chrome,
    head: ReportHead,
    person_id: String,
    person_name: String,
    day_text: String,
    day_words: String,
    previous: String,
    next: Option<String>,
    rows: Vec<SiteRow>,
    totals: (String, String),
    chart: Option<HourChart>,
    people: Vec<Choice>,
}

/// `GET /monitoring/people/{id}?day=14/9/2026`: one person's day (today when none is given).
pub async fn day(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    require_viewer(&state, &signed_in).await?;
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    // A person of another council (or no one) is not found, as everywhere else.
    let person = PersonId::parse(&id)
        .ok()
        .and_then(|id| people.iter().find(|p| p.id == id))
        .ok_or(AppError::NotFound)?;
    let today = LocalDay::from_date(london_today(state.now()));
    let chosen = match query.day.trim() {
        "" => Ok(today),
        text => read_day(text, "The day"),
    };
    // The head is the reports' one, with the day in both ends of the period.
    let period_query = match &chosen {
        Ok(day) => PeriodQuery {
            from: day.date().to_string(),
            to: day.date().to_string(),
        },
        Err(_) => PeriodQuery::default(),
    };
    let (head, _) = ReportHead::read(&state, &signed_in, &period_query);
    let mut page = PersonDayPage {
        chrome: crate::nav::chrome(&signed_in, "/monitoring"),
        person_id: person.id.to_string(),
        person_name: person.name.to_string(),
        day_text: query.day.trim().to_owned(),
        day_words: String::new(),
        previous: String::new(),
        next: None,
        rows: Vec::new(),
        totals: (String::new(), String::new()),
        chart: None,
        people: person_choices(&people, Some(person.id)),
        head,
    };
    let day = match chosen {
        Ok(day) => day,
        Err(message) => {
            page.head.errors.add("day", message);
            page.head.period_text.clear();
            page.head.query.clear();
            let status = status_of(&page.head);
            return Ok((status, render(&page)?).into_response());
        }
    };
    audit_view(
        &state,
        &signed_in,
        "person_day",
        Some(format!("person:{}", person.id)),
        json!({
            "person": person.id.to_string(),
            "day": day.date().to_string(),
            "period": Period { from: day, to: day }.to_json(),
        }),
    )
    .await?;
    let records = state.store().person_day(council, person.id, day).await?;
    let mut hours = [0u64; 24];
    for record in &records {
        for (sum, hits) in hours.iter_mut().zip(record.hits_by_hour) {
            *sum += hits;
        }
    }
    page.day_text = uk_date(day);
    page.day_words = day_words(day);
    page.previous = uk_date(LocalDay(day.0 - 1));
    page.next = (day < today).then(|| uk_date(LocalDay(day.0 + 1)));
    page.rows = records
        .iter()
        .map(|r| SiteRow::of(r, &page.head.query))
        .collect();
    page.totals = (
        count(records.iter().map(|r| r.hits).sum()),
        human_bytes(records.iter().map(|r| r.bytes).sum()),
    );
    page.chart = Some(HourChart::new(
        "person",
        format!("{}'s use by hour, {}", person.name, page.day_words),
        &hours,
    ));
    Ok(render(&page)?.into_response())
}
