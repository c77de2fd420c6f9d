//! The calendar feed: `/calendar/{token}.ics`, an iCalendar file of the person's reminder
//! schedule for Outlook, Google Calendar or Apple Calendar to poll. The token (32 random
//! bytes) is shown once on `/account/calendar`; only its SHA-256 is stored. It works without a
//! session, only for an active person; an unknown or revoked token is a plain 404. Making and
//! revoking a feed are audited; fetches are not (calendar apps poll every few hours).

use crate::auth::{new_token, token_hash};
use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use custodian_core::audit::AuditEvent;
use custodian_core::permission::Action;
use custodian_core::person::PersonStatus;
use custodian_core::ports::{CalendarFeed, CalendarFeedStore, CouncilStore, PersonStore};
use custodian_core::reminder::{Due, for_person};
use icalendar::{Calendar, Component, Property};
use jiff::ToSpan;
use secrecy::ExposeSecret;

#[derive(Template)]
#[template(path = "account_calendar.html")]
struct CalendarPage {
    chrome: crate::chrome::Chrome,
    /// When the live feed was made, if there is one.
    live_since: Option<String>,
    /// The new feed's address: shown once, straight after it is made.
    new_url: Option<String>,
    revoked: bool,
}

fn page(
    signed_in: &SignedIn,
    live: Option<&CalendarFeed>,
    new_url: Option<String>,
    revoked: bool,
) -> Result<Response, AppError> {
    Ok(render(&CalendarPage {
        chrome: chrome(signed_in, "/account"),
        live_since: live.map(|f| local_time(f.created_at)),
        new_url,
        revoked,
    })?
    .into_response())
}

/// `GET /account/calendar`: whether the person has a feed, never its address (it is not kept).
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewHome).await?;
    let live = state
        .store()
        .calendar_feed_of(signed_in.council_id(), signed_in.person_id())
        .await?;
    page(&signed_in, live.as_ref(), None, false)
}

/// `POST /account/calendar`: makes a new feed, revoking the old one, and shows its address once.
pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewHome).await?;
    let now = state.now();
    let token = new_token();
    let feed = CalendarFeed {
        council_id: signed_in.council_id(),
        person_id: signed_in.person_id(),
        token_hash: token_hash(token.expose_secret()),
        created_at: now,
        revoked_at: None,
    };
    let event = AuditEvent::new(
        feed.council_id,
        now,
        signed_in.actor(),
        "calendar.feed_created",
    )
    .subject(format!("person:{}", feed.person_id));
    state.store().replace_calendar_feed(&feed, &event).await?;
    let url = format!(
        "{}/calendar/{}.ics",
        state.inner().options.public_url.trim_end_matches('/'),
        token.expose_secret()
    );
    page(&signed_in, Some(&feed), Some(url), false)
}

/// `POST /account/calendar/revoke`: the address stops working at once.
pub async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewHome).await?;
    let now = state.now();
    let event = AuditEvent::new(
        signed_in.council_id(),
        now,
        signed_in.actor(),
        "calendar.feed_revoked",
    )
    .subject(format!("person:{}", signed_in.person_id()));
    match state
        .store()
        .revoke_calendar_feed(signed_in.council_id(), signed_in.person_id(), now, &event)
        .await
    {
        // Revoking twice (two tabs) leaves nothing live either way.
        Ok(()) | Err(custodian_core::ports::StoreError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    page(&signed_in, None, None, true)
}

/// `GET /calendar/{token}.ics`.
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let store = state.store();
    let feed = store
        .live_calendar_feed(&token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let council = store.council(feed.council_id).await?;
    let person = store.person(feed.council_id, feed.person_id).await?;
    if person.status != PersonStatus::Active {
        return Err(AppError::NotFound);
    }
    let schedule = super::council_schedule(&state, council.id).await?;
    let mine = for_person(&schedule, person.id, person.roles);
    let body = ics(
        &council.name.to_string(),
        &council.id.to_string(),
        person.id,
        &mine,
        state.now(),
        &state.inner().options.public_url,
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    // Personal: no shared cache may keep it, and calendar apps fetch it afresh when they poll.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// iCalendar's UTC form, `20260528T120000Z`.
fn ics_utc(at: jiff::Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn ics_date(date: jiff::civil::Date) -> String {
    date.strftime("%Y%m%d").to_string()
}

/// The feed's text: one all-day event per entry on its due date, with a UID stable across
/// fetches (council, kind and subject), so a calendar moves an event rather than duplicating it.
pub fn ics(
    council_name: &str,
    council_id: &str,
    viewer: custodian_core::PersonId,
    items: &[&Due],
    now: jiff::Timestamp,
    public_url: &str,
) -> String {
    let base = public_url.trim_end_matches('/');
    let host = base.rsplit("//").next().unwrap_or(base);
    let mut calendar = Calendar::new();
    calendar
        .name(&format!("Custodian: {council_name}"))
        .description("What the council's IT policy asks of you, and when (Custodian).");
    for due in items {
        let next_day = due.due.checked_add(1.day()).unwrap_or(due.due);
        let mut start = Property::new("DTSTART", ics_date(due.due));
        start.add_parameter("VALUE", "DATE");
        let mut end = Property::new("DTEND", ics_date(next_day));
        end.add_parameter("VALUE", "DATE");
        let link = format!("{base}{}", due.link_for(viewer));
        let event = icalendar::Event::new()
            .uid(&format!("{council_id}-{}@{host}", due.key()))
            .add_property("DTSTAMP", ics_utc(now))
            .append_property(start)
            .append_property(end)
            .summary(&format!("{}: {}", due.subject.name, due.title))
            .description(&format!(
                "{} (clause {}). Open in Custodian: {link}",
                due.kind.label(),
                due.clause
            ))
            .url(&link)
            .done();
        calendar.push(event);
    }
    calendar.done().to_string()
}
