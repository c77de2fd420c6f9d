//! Everyone's own records (policy 5.1.9): the signed-in person's daily log over a period, why it
//! is kept and for how long, and how to ask the Clerk for a copy or a correction. Reading them is
//! audited like any other view of records.

use super::person::SiteRow;
use super::{ReportHead, count, day_words, human_bytes, status_of};
use crate::error::AppError;
use crate::nav::render;
use crate::pages::monitoring::{PeriodQuery, audit_view, settings_of};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use custodian_core::permission::Action;
use custodian_core::person::{PersonStatus, Role};
use custodian_core::ports::{DailyRecord, LocalDay, MonitorStore};
use serde_json::json;

pub struct OwnDay {
    pub heading: String,
    pub id: String,
    pub rows: Vec<SiteRow>,
    pub hits: String,
    pub data: String,
}

#[derive(Template)]
#[template(path = "monitoring/mine.html")]
struct MinePage {
    chrome: crate::chrome::Chrome,
    head: ReportHead,
    /// Whether the council has ever switched monitoring on (records may outlast switching off).
    monitored: bool,
    enabled: bool,
    retention_months: u16,
    clerk: String,
    days: Vec<OwnDay>,
    searched: bool,
}

/// `GET /monitoring/mine`: the signed-in person's own records over the period.
pub async fn mine(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    signed_in.require(Action::SeeOwnInternetUse).await?;
    let council = signed_in.council_id();
    let settings = settings_of(&state, &signed_in).await?;
    let (profile, _) =
        custodian_core::policy::profile::profile_in_force(state.store(), council).await?;
    let people = state.people(council).await?;
    let clerk = people
        .iter()
        .find(|p| p.roles.contains(Role::Clerk) && p.status != PersonStatus::Left)
        .map_or_else(
            || "the Clerk".to_owned(),
            |p| format!("the Clerk, {}", p.name),
        );
    let (head, period) = ReportHead::read(&state, &signed_in, &query);
    let mut page = MinePage {
        chrome: crate::nav::chrome(&signed_in, "/account"),
        head,
        // A council that never saved settings never monitored anyone: nothing to read.
        monitored: settings
            .as_ref()
            .is_some_and(|s| s.enabled || s.assessment.is_some()),
        enabled: settings.as_ref().is_some_and(|s| s.enabled),
        retention_months: profile.internet_log_retention_months,
        clerk,
        days: Vec::new(),
        searched: false,
    };
    if !page.monitored {
        // No records can exist, so there is no form and nothing to correct in a period.
        page.head.errors = crate::forms::Errors::new();
        return Ok(render(&page)?.into_response());
    }
    let Some(period) = period else {
        let status = status_of(&page.head);
        return Ok((status, render(&page)?).into_response());
    };
    let me = signed_in.person_id();
    audit_view(
        &state,
        &signed_in,
        "own_records",
        Some(format!("person:{me}")),
        json!({ "person": me.to_string(), "period": period.to_json() }),
    )
    .await?;
    let records = state
        .store()
        .person_records(council, me, period.from, period.to)
        .await?;
    page.searched = true;
    page.days = by_day(&records, &page.head.query);
    Ok(render(&page)?.into_response())
}

/// The records grouped by day, newest day first (the store gives them oldest first).
fn by_day(records: &[DailyRecord], query: &str) -> Vec<OwnDay> {
    let mut days: Vec<OwnDay> = Vec::new();
    let mut current: Option<LocalDay> = None;
    let mut sums = (0u64, 0u64);
    for record in records {
        if current != Some(record.day) {
            if let Some(last) = days.last_mut() {
                (last.hits, last.data) = (count(sums.0), human_bytes(sums.1));
            }
            sums = (0, 0);
            current = Some(record.day);
            days.push(OwnDay {
                heading: day_words(record.day),
                id: format!("day-{}", record.day.date()),
                rows: Vec::new(),
                hits: String::new(),
                data: String::new(),
            });
        }
        sums.0 += record.hits;
        sums.1 += record.bytes;
        if let Some(day) = days.last_mut() {
            day.rows.push(SiteRow::of(record, query));
        }
    }
    if let Some(last) = days.last_mut() {
        (last.hits, last.data) = (count(sums.0), human_bytes(sums.1));
    }
    days.reverse();
    days
}
