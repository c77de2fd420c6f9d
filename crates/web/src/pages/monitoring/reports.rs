//! The internet-use reports (issue 7, item 8; policy 5.1.11's "daily log … by individual"): an
//! index with everyone's day-by-hour chart, one person's day, the top sites and who used one,
//! records in flagged categories, traffic that matched no one, and everyone's own records.
//!
//! Every report page checks [`require_viewer`] first (own records: `SeeOwnInternetUse`), then
//! records what was asked for with [`audit_view`] before reading a single record; a period that
//! cannot be read shows its error and reads nothing (and so audits nothing). Pages print: the
//! period form and buttons carry `custodian-no-print`, which the stylesheet's print rules hide.

mod chart;
mod flags;
mod mine;
mod person;
mod sites;

use super::{Period, PeriodQuery, audit_view, require_viewer, uk_date};
use crate::chrome::Chrome;
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use custodian_core::ids::PersonId;
use custodian_core::person::Person;
use custodian_core::ports::{LocalDay, MonitorStore, SubjectKey};
use std::collections::HashMap;

pub use chart::HourChart;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/reports", get(index))
        .route("/monitoring/people", get(person::pick))
        .route("/monitoring/people/{id}", get(person::day))
        .route("/monitoring/sites", get(sites::top))
        .route("/monitoring/sites/{site}", get(sites::visitors))
        .route("/monitoring/categories", get(flags::categories))
        .route("/monitoring/unattributed", get(flags::unattributed))
        .route("/monitoring/mine", get(mine::mine))
}

/// What every report page shows above its records: the period asked for (as typed, for the
/// form), what went wrong with it, and when and by whom the report was made (for paper).
pub struct ReportHead {
    pub errors: Errors,
    /// The form's values: as typed when wrong, else the period's ends as the council writes them.
    pub from: String,
    pub to: String,
    /// "14/9/2026 to 20/9/2026", empty when the period could not be read.
    pub period_text: String,
    /// `from=2026-09-14&to=2026-09-20`, to carry the period into links; empty when unread.
    pub query: String,
    pub made: String,
    pub made_by: String,
}

impl ReportHead {
    /// Reads the period from the query; on failure the head carries the error (on the field it
    /// concerns) and `None` is returned for the period.
    pub fn read(
        state: &AppState,
        signed_in: &SignedIn,
        query: &PeriodQuery,
    ) -> (ReportHead, Option<Period>) {
        let mut head = ReportHead {
            errors: Errors::new(),
            from: query.from.trim().to_owned(),
            to: query.to.trim().to_owned(),
            period_text: String::new(),
            query: String::new(),
            made: local_time(state.now()),
            made_by: signed_in.current.person.name.to_string(),
        };
        match Period::from_query(query, state) {
            Ok(period) => {
                head.from = uk_date(period.from);
                head.to = uk_date(period.to);
                head.period_text = period_words(period);
                head.query = period_query(period);
                (head, Some(period))
            }
            Err(message) => {
                // The shared reader says which end was wrong at the start of its message.
                let field = if message.starts_with("The last day") {
                    "to"
                } else {
                    "from"
                };
                head.errors.add(field, message);
                (head, None)
            }
        }
    }
}

/// "14/9/2026 to 20/9/2026", or the one day.
pub fn period_words(period: Period) -> String {
    if period.from == period.to {
        uk_date(period.from)
    } else {
        format!("{} to {}", uk_date(period.from), uk_date(period.to))
    }
}

/// The period as a query string for links (ISO dates, which the period reader accepts).
pub fn period_query(period: Period) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("from", &period.from.date().to_string())
        .append_pair("to", &period.to.date().to_string())
        .finish()
}

/// The council's people by id, for naming them in reports.
pub struct Names(HashMap<PersonId, String>);

impl Names {
    pub async fn of(state: &AppState, signed_in: &SignedIn) -> Result<Names, AppError> {
        let people = state.people(signed_in.council_id()).await?;
        Ok(Names(
            people.iter().map(|p| (p.id, p.name.to_string())).collect(),
        ))
    }

    /// The person's name; a record can only name a person of the council, so the fallback is
    /// for a person since removed.
    pub fn name(&self, id: PersonId) -> String {
        self.0
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "A person no longer listed".to_owned())
    }
}

/// Whose traffic a row is: a person (linked to their day) or a log name that matched no one.
pub struct Who {
    pub name: String,
    /// The person's id, for a link to their day.
    pub person: Option<String>,
    /// For a key that matched no one: "user name" or "address".
    pub unmatched: Option<&'static str>,
}

impl Who {
    pub fn of(names: &Names, person: Option<PersonId>, key: Option<&SubjectKey>) -> Who {
        match (person, key) {
            (Some(id), _) => Who {
                name: names.name(id),
                person: Some(id.to_string()),
                unmatched: None,
            },
            (None, Some(key)) => Who {
                name: key_text(key).to_owned(),
                person: None,
                unmatched: Some(key_kind_words(key)),
            },
            (None, None) => Who {
                name: "Not matched to anyone".to_owned(),
                person: None,
                unmatched: Some("log name"),
            },
        }
    }
}

/// The user name or address exactly as the log shows it.
pub fn key_text(key: &SubjectKey) -> &str {
    match key {
        SubjectKey::User(text) | SubjectKey::Client(text) => text,
    }
}

pub fn key_kind_words(key: &SubjectKey) -> &'static str {
    match key {
        SubjectKey::User(_) => "user name",
        SubjectKey::Client(_) => "address",
    }
}

/// A size as people read it: "900 bytes", "4.9 KB", "1.2 MB" (1 KB = 1,024 bytes, as Windows
/// shows file sizes).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return if bytes == 1 {
            "1 byte".to_owned()
        } else {
            format!("{bytes} bytes")
        };
    }
    // Precision beyond a tenth does not matter on a report; f64 holds any u64 closely enough.
    #[allow(clippy::cast_precision_loss)]
    let mut size = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if size < 1024.0 {
            break;
        }
        size /= 1024.0;
        unit = next;
    }
    if size < 10.0 {
        format!("{size:.1} {unit}")
    } else {
        format!("{size:.0} {unit}")
    }
}

/// A count with thousands separators: 12,345.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A time of day in London: "14:05".
pub fn clock_time(at: jiff::Timestamp) -> String {
    let local = crate::nav::london().to_datetime(at);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// A day with its weekday: "Monday 14 September 2026".
pub fn day_words(day: LocalDay) -> String {
    day.date().strftime("%A %-d %B %Y").to_string()
}

/// The link to a site's visitors over the period (the site percent-encoded for the path).
pub fn site_link(site: &str, query: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(site.as_bytes()).collect();
    format!("/monitoring/sites/{encoded}?{query}")
}

/// One row of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The council's people for the person picker, by name; those who have left are marked.
pub fn person_choices(people: &[Person], chosen: Option<PersonId>) -> Vec<Choice> {
    let mut choices: Vec<Choice> = people
        .iter()
        .map(|p| Choice {
            value: p.id.to_string(),
            label: if p.status == custodian_core::person::PersonStatus::Left {
                format!("{} (has left)", p.name)
            } else {
                p.name.to_string()
            },
            checked: Some(p.id) == chosen,
        })
        .collect();
    choices.sort_by_key(|c| c.label.to_lowercase());
    choices
}

#[derive(Template)]
#[template(path = "monitoring/report_index.html")]
struct IndexPage {
    chrome: Chrome,
    head: ReportHead,
    people: Vec<Choice>,
    today: String,
    chart: Option<HourChart>,
}

/// The reports' index: the period, links to each report, the person picker and everyone's
/// hits by hour over the period.
async fn index(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    require_viewer(&state, &signed_in).await?;
    let (head, period) = ReportHead::read(&state, &signed_in, &query);
    let people = state.people(signed_in.council_id()).await?;
    let chart = match period {
        Some(period) => {
            audit_view(
                &state,
                &signed_in,
                "reports",
                None,
                serde_json::json!({ "period": period.to_json() }),
            )
            .await?;
            let hours = state
                .store()
                .hits_by_hour(signed_in.council_id(), period.from, period.to, None)
                .await?;
            Some(HourChart::new(
                "everyone",
                format!("Everyone's use by hour of the day, {}", head.period_text),
                &hours,
            ))
        }
        None => None,
    };
    let status = status_of(&head);
    let today = uk_date(LocalDay::from_date(
        custodian_core::policy::version::london_today(state.now()),
    ));
    let page = IndexPage {
        chrome: chrome(&signed_in, "/monitoring"),
        people: person_choices(&people, None),
        today,
        chart,
        head,
    };
    Ok((status, render(&page)?).into_response())
}

/// A report whose period could not be read answers 400 (the page shows why).
pub fn status_of(head: &ReportHead) -> axum::http::StatusCode {
    if head.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_are_written_as_people_read_them() {
        assert_eq!(human_bytes(0), "0 bytes");
        assert_eq!(human_bytes(1), "1 byte");
        assert_eq!(human_bytes(1023), "1023 bytes");
        assert_eq!(human_bytes(5_000), "4.9 KB");
        assert_eq!(human_bytes(12_000), "12 KB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GB");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(12_345_678), "12,345,678");
    }

    #[test]
    fn a_site_link_keeps_the_site_whole_in_one_path_segment() {
        assert_eq!(
            site_link("news.example", "from=2026-09-14&to=2026-09-20"),
            "/monitoring/sites/news.example?from=2026-09-14&to=2026-09-20"
        );
        assert_eq!(
            site_link("[2001:db8::1]", "q"),
            "/monitoring/sites/%5B2001%3Adb8%3A%3A1%5D?q"
        );
    }
}
