//! Internet-use monitoring's pages (issue 7; policy 5.1.6-5.1.11): the impact assessment and
//! switching on (the lawful gate), settings and upload keys, matching log names to people, the
//! reports, legal holds, subject access and erasure, and everyone's own records.
//!
//! Who may see records is the council's choice, made in the monitoring settings (5.1.7): a role
//! must both be one that may be granted viewing ([`Action::ViewInternetUse`]) and be named in the
//! settings. [`require_viewer`] checks both; every view, search and export then records what was
//! looked at with [`audit_view`], so the council can show who saw whose records.

mod care;
mod reports;
mod setup;
mod upload;

use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::Router;
use custodian_core::audit::AuditEvent;
use custodian_core::permission::Action;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{AuditLog, LocalDay, MonitorSettings, MonitorStore};
use custodian_core::text::{DateProblem, parse_uk_date};
use serde::Deserialize;
use serde_json::{Value, json};

/// The monitoring pages, merged into the signed-in pages by `lib.rs`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(setup::routes())
        .merge(reports::routes())
        .merge(care::routes())
        .merge(upload::key_routes())
}

/// The upload endpoint for the IT provider's scripts: outside the session layer (a script has no
/// session or form token), authenticated by an upload key instead.
pub fn api_routes() -> Router<AppState> {
    upload::api_routes()
}

/// The council's monitoring settings, if it has ever saved any.
pub async fn settings_of(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Option<MonitorSettings>, AppError> {
    Ok(state
        .store()
        .monitor_settings(signed_in.council_id())
        .await?)
}

/// Whether the signed-in person may see others' records: their role may be granted viewing and
/// the council's settings name one of their roles.
pub fn is_viewer(signed_in: &SignedIn, settings: Option<&MonitorSettings>) -> bool {
    signed_in.may(Action::ViewInternetUse)
        && settings.is_some_and(|s| s.viewer_roles.intersects(signed_in.current.person.roles))
}

/// Allows viewing others' records, or refuses with 403 and an audited refusal that says which
/// check failed. Returns the settings for the page to use.
pub async fn require_viewer(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<MonitorSettings, AppError> {
    signed_in.require(Action::ViewInternetUse).await?;
    let settings = settings_of(state, signed_in).await?;
    match settings {
        Some(settings) if is_viewer(signed_in, Some(&settings)) => Ok(settings),
        _ => {
            let event = AuditEvent::new(
                signed_in.council_id(),
                state.now(),
                signed_in.actor(),
                "permission.denied",
            )
            .details(json!({
                "action": "ViewInternetUse",
                "reason": "the council's monitoring settings do not name this role",
            }));
            state.store().append(&event).await?;
            Err(AppError::Forbidden)
        }
    }
}

/// Records that the signed-in person looked at, searched or exported monitoring records
/// (issue 7, item 5): `what` names the page (`person_day`, `top_sites`…), `details` what was
/// asked for (the person, site and period), never the records shown.
pub async fn audit_view(
    state: &AppState,
    signed_in: &SignedIn,
    what: &str,
    subject: Option<String>,
    details: Value,
) -> Result<(), AppError> {
    let mut event = AuditEvent::new(
        signed_in.council_id(),
        state.now(),
        signed_in.actor(),
        "monitor.viewed",
    )
    .details(json!({ "page": what, "asked": details }));
    if let Some(subject) = subject {
        event = event.subject(subject);
    }
    state.store().append(&event).await?;
    Ok(())
}

/// A period asked for in a query string (`?from=1/12/2026&to=7/12/2026`); both optional.
#[derive(Deserialize, Default, Clone)]
pub struct PeriodQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// A period of whole London days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: LocalDay,
    pub to: LocalDay,
}

/// How many days a report covers when no period is asked for: the last week, today included.
pub const DEFAULT_PERIOD_DAYS: i32 = 7;
/// The longest period one report reads: the policy's six months and a little more (5.1.11).
pub const MAX_PERIOD_DAYS: i32 = 400;

impl Period {
    /// Reads a period from the query, defaulting to the last [`DEFAULT_PERIOD_DAYS`] days ending
    /// today. Dates are typed as on every other form (14/3/2026) or as a date picker sends them
    /// (2026-03-14). The message says what was wrong and how to fix it.
    pub fn from_query(query: &PeriodQuery, state: &AppState) -> Result<Period, String> {
        let today = LocalDay::from_date(london_today(state.now()));
        let to = match query.to.trim() {
            "" => today,
            text => read_day(text, "The last day")?,
        };
        let from = match query.from.trim() {
            "" => LocalDay(to.0 - (DEFAULT_PERIOD_DAYS - 1)),
            text => read_day(text, "The first day")?,
        };
        if from > to {
            return Err(format!(
                "The first day ({}) is after the last day ({}). Swap them round.",
                uk_date(from),
                uk_date(to)
            ));
        }
        if to.0 - from.0 + 1 > MAX_PERIOD_DAYS {
            return Err(format!(
                "A report covers at most {MAX_PERIOD_DAYS} days; this period is {} days. Choose a shorter one.",
                to.0 - from.0 + 1
            ));
        }
        Ok(Period { from, to })
    }

    /// For the audit entry and links: the period's ends as ISO dates.
    pub fn to_json(self) -> Value {
        json!({ "from": self.from.date().to_string(), "to": self.to.date().to_string() })
    }
}

/// A day typed in a query; `which` starts the message ("The first day").
pub fn read_day(text: &str, which: &str) -> Result<LocalDay, String> {
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return Ok(LocalDay::from_date(date));
    }
    let shown: String = text.chars().take(40).collect();
    parse_uk_date(text)
        .map(LocalDay::from_date)
        .map_err(|problem| match problem {
            DateProblem::ShortYear => format!(
                "{which} needs its year in full, for example 14/3/2026 rather than 14/3/26."
            ),
            DateProblem::NotReal => format!("{which}, {shown}, is not a day of the calendar."),
            DateProblem::Unreadable => format!(
                "{which}, \"{shown}\", is not a date Custodian can read. Enter it as day, month and year, for example 14/3/2026."
            ),
        })
}

/// A day as the council writes it: 14/3/2026.
pub fn uk_date(day: LocalDay) -> String {
    let date = day.date();
    format!("{}/{}/{}", date.day(), date.month(), date.year())
}
