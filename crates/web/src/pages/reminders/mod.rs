//! The reminder schedule on the web (issue 6, item 6): "Coming up" for the home page, the
//! whole list a person may see at `/reminders` (the Clerk sees the council's, others their
//! own), and the calendar feed (`calendar.rs`). The schedule is `core::reminder`'s, made from
//! one bulk read of the council's records (`ReminderStore::reminder_records`).

mod calendar;

use super::home::Attention;
use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use custodian_core::CouncilId;
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::person::Person;
use custodian_core::policy::document::format_date;
use custodian_core::policy::version::london_today;
use custodian_core::ports::ReminderStore;
use custodian_core::reminder::{Due, Urgency, Who, for_person};
use jiff::ToSpan;

/// How far ahead the home page looks, and how many entries it shows at most.
pub const COMING_UP_DAYS: i64 = 60;
pub const COMING_UP_MAX: usize = 10;

/// The pages (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reminders", get(page))
        .route(
            "/account/calendar",
            get(calendar::show).post(calendar::create),
        )
        .route("/account/calendar/revoke", post(calendar::revoke))
}

/// The feed, outside the session layer: calendar apps cannot sign in, and it sets no cookie.
pub fn feed_routes() -> Router<AppState> {
    Router::new().route("/calendar/{file}", get(calendar::feed))
}

/// The council's whole schedule, soonest first.
pub async fn council_schedule(state: &AppState, council: CouncilId) -> Result<Vec<Due>, AppError> {
    let today = london_today(state.now());
    Ok(state
        .store()
        .reminder_records(council)
        .await?
        .schedule(today))
}

/// What the signed-in person should see under "Coming up" on the home page: their entries
/// overdue or due within [`COMING_UP_DAYS`] days, at most [`COMING_UP_MAX`], then a link to
/// the whole list when there is more. `schedule` is the council's (the home page keeps it
/// with its other cached figures: it changes only when the records do).
pub async fn coming_up(
    state: &AppState,
    signed_in: &SignedIn,
    schedule: &[Due],
) -> Result<Vec<Attention>, AppError> {
    let me = &signed_in.current.person;
    let today = london_today(state.now());
    let horizon = today
        .checked_add(COMING_UP_DAYS.days())
        .unwrap_or(jiff::civil::Date::MAX);
    let mine: Vec<&Due> = for_person(schedule, me.id, me.roles)
        .into_iter()
        .filter(|d| d.due <= horizon)
        .collect();
    let people = state.people(signed_in.council_id()).await?;
    let mut lines: Vec<Attention> = mine
        .iter()
        .take(COMING_UP_MAX)
        .map(|due| {
            let row = Row::of(due, me.id, &people, today);
            Attention {
                text: format!("{} — {}: {}. {}", row.when, row.about, row.title, row.who),
                href: row.link.into(),
                action: "Open",
            }
        })
        .collect();
    if mine.len() > COMING_UP_MAX {
        lines.push(Attention {
            text: format!(
                "{} more coming up in the next {COMING_UP_DAYS} days.",
                mine.len() - COMING_UP_MAX
            ),
            href: "/reminders".into(),
            action: "See everything coming up",
        });
    }
    Ok(lines)
}

/// One entry as shown.
pub struct Row {
    pub when: String,
    pub urgency: &'static str,
    pub tag_class: &'static str,
    pub kind: &'static str,
    pub about: String,
    pub title: String,
    pub who: String,
    pub link: String,
    pub clause: &'static str,
}

fn name_of(people: &[Person], id: PersonId) -> String {
    people.iter().find(|p| p.id == id).map_or_else(
        || "someone no longer listed".to_owned(),
        |p| p.name.to_string(),
    )
}

impl Row {
    pub fn of(due: &Due, viewer: PersonId, people: &[Person], today: jiff::civil::Date) -> Self {
        let (urgency, tag_class) = match due.urgency(today) {
            Urgency::Overdue => ("Overdue", "govuk-tag--red"),
            Urgency::DueSoon => ("Due soon", "govuk-tag--yellow"),
            Urgency::Later => ("Later", "govuk-tag--grey"),
        };
        let who = match due.for_whom {
            Who::Person(id) if id == viewer => "For you.".to_owned(),
            Who::Person(id) => format!("For {}.", name_of(people, id)),
            Who::MayDo(action) => format!("For {}.", Who::role_words(action)),
        };
        Self {
            when: format_date(due.due),
            urgency,
            tag_class,
            kind: due.kind.label(),
            about: due.subject.name.clone(),
            title: due.title.clone(),
            who,
            link: due.link_for(viewer).to_owned(),
            clause: due.clause,
        }
    }
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    chrome: crate::chrome::Chrome,
    rows: Vec<Row>,
    whole_council: bool,
}

/// `GET /reminders`: everything the person must act on or follow up; for the Clerk (who may
/// manage the vault, the register and the policy) that is the council's whole schedule.
async fn page(State(state): State<AppState>, signed_in: SignedIn) -> Result<Response, AppError> {
    signed_in.require(Action::ViewHome).await?;
    let schedule = council_schedule(&state, signed_in.council_id()).await?;
    let me = &signed_in.current.person;
    let today = london_today(state.now());
    let people = state.people(signed_in.council_id()).await?;
    let rows = for_person(&schedule, me.id, me.roles)
        .into_iter()
        .map(|due| Row::of(due, me.id, &people, today))
        .collect();
    Ok(render(&RemindersPage {
        chrome: chrome(&signed_in, "/reminders"),
        rows,
        whole_council: signed_in.may(Action::ManageVault),
    })?
    .into_response())
}
