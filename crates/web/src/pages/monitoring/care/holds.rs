//! Legal holds (issue 7, item 6; policy 5.1.8): keeping one person's records over a period past
//! the retention period while an investigation, complaint or claim needs them, and releasing
//! them when it is over. The rules (dates, reason, releasing once) are `core::monitor`'s; the
//! store copies held days aside at the purge and removes the copies at release.

use super::{
    Choice, actor_name, council_person, name_of, person_choices, plural, refusal, require_clerk,
};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::pages::monitoring::uk_date;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::ids::LegalHoldId;
use custodian_core::monitor::{
    HoldForm, LegalHold, hold_released_event, holds_cover, place_hold, release_hold,
    retention_cutoff,
};
use custodian_core::policy::version::london_today;
use custodian_core::ports::{LocalDay, MonitorStore, ReleaseReport};
use serde::Deserialize;

pub struct HoldRow {
    pub id: String,
    pub person: String,
    pub person_id: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub placed: String,
    /// Empty while the hold is in place.
    pub released: String,
}

#[derive(Template)]
#[template(path = "monitoring/holds.html")]
struct HoldsPage {
    chrome: crate::chrome::Chrome,
    done: Option<String>,
    active: Vec<HoldRow>,
    released: Vec<HoldRow>,
    retention_months: u16,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    placed: Option<String>,
    #[serde(default)]
    released: Option<String>,
    #[serde(default)]
    records: Option<u64>,
}

fn row(people: &[custodian_core::person::Person], hold: &LegalHold) -> HoldRow {
    HoldRow {
        id: hold.id.to_string(),
        person: name_of(people, hold.person_id),
        person_id: hold.person_id.to_string(),
        from: uk_date(hold.from),
        to: uk_date(hold.to),
        reason: hold.reason.clone(),
        placed: format!(
            "{}, {}",
            local_time(hold.placed_at),
            actor_name(people, &hold.placed_by)
        ),
        released: match (&hold.released_by, hold.released_at) {
            (Some(by), Some(at)) => format!("{}, {}", local_time(at), actor_name(people, by)),
            (None, Some(at)) => local_time(at),
            _ => String::new(),
        },
    }
}

/// The day before which records are removed today, by the policy in force.
async fn cutoff(state: &AppState, signed_in: &SignedIn) -> Result<(LocalDay, u16), AppError> {
    let (profile, _) =
        crate::pages::policy::profile_in_force(state, signed_in.council_id()).await?;
    Ok((
        retention_cutoff(london_today(state.now()), &profile),
        profile.internet_log_retention_months,
    ))
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let council = signed_in.council_id();
    let holds = state.store().holds(council).await?;
    let people = state.people(council).await?;
    let (_, retention_months) = cutoff(&state, &signed_in).await?;
    let find = |id: &Option<String>| {
        let id = LegalHoldId::parse(id.as_deref()?).ok()?;
        holds.iter().find(|h| h.id == id)
    };
    let message = if let Some(hold) = find(&done.placed) {
        Some(format!(
            "{}'s records from {} to {} are kept until you release the hold.",
            name_of(&people, hold.person_id),
            uk_date(hold.from),
            uk_date(hold.to)
        ))
    } else {
        find(&done.released).map(|hold| {
            format!(
                "The hold on {}'s records is released. {} kept only for it {} removed.",
                name_of(&people, hold.person_id),
                plural(
                    done.records.unwrap_or(0),
                    "record past the retention period",
                    "records past the retention period"
                ),
                if done.records == Some(1) {
                    "was"
                } else {
                    "were"
                }
            )
        })
    };
    let (active, released): (Vec<&LegalHold>, Vec<&LegalHold>) =
        holds.iter().partition(|h| h.is_active());
    Ok(render(&HoldsPage {
        chrome: chrome(&signed_in, "/monitoring"),
        done: message,
        active: active.into_iter().map(|h| row(&people, h)).collect(),
        released: released.into_iter().map(|h| row(&people, h)).collect(),
        retention_months,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct NewHoldForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "monitoring/holds_new.html")]
struct NewPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    people: Vec<Choice>,
    from: String,
    to: String,
    reason: String,
}

async fn new_page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: &NewHoldForm,
) -> Result<Response, AppError> {
    let people = state.people(signed_in.council_id()).await?;
    Ok((
        errors.status(),
        render(&NewPage {
            chrome: chrome(signed_in, "/monitoring"),
            errors,
            people: person_choices(&people, &form.person),
            from: form.from.clone(),
            to: form.to.clone(),
            reason: form.reason.clone(),
        })?,
    )
        .into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(form): Query<NewHoldForm>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    new_page(&state, &signed_in, Errors::new(), &form).await
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<NewHoldForm>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let mut errors = Errors::new();
    let person = council_person(&people, &form.person).map(|p| p.id);
    if person.is_none() {
        errors.add("person", "Choose whose records to keep.");
    }
    let now = state.now();
    let placed = place_hold(
        council,
        LegalHoldId::generate(),
        person.unwrap_or_else(custodian_core::ids::PersonId::generate),
        HoldForm {
            from: &form.from,
            to: &form.to,
            reason: &form.reason,
        },
        signed_in.actor(),
        london_today(now),
        now,
    );
    match (person, placed) {
        (Some(_), Ok((hold, event))) => {
            state.store().place_hold(&hold, &event).await?;
            Ok(Redirect::to(&format!("/monitoring/holds?placed={}", hold.id)).into_response())
        }
        (_, placed) => {
            if let Err(problems) = placed {
                for problem in problems.0 {
                    errors.add(problem.field, problem.message);
                }
            }
            new_page(&state, &signed_in, errors, &form).await
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring/holds_release.html")]
struct ReleasePage {
    chrome: crate::chrome::Chrome,
    hold: HoldRow,
    /// What releasing removes at once, in words.
    removes: String,
    problem: Option<String>,
}

async fn load(state: &AppState, signed_in: &SignedIn, id: &str) -> Result<LegalHold, AppError> {
    let id = LegalHoldId::parse(id).map_err(|_| AppError::NotFound)?;
    state
        .store()
        .holds(signed_in.council_id())
        .await?
        .into_iter()
        .find(|h| h.id == id)
        .ok_or(AppError::NotFound)
}

/// What releasing `hold` removes at once: the copies of its days already past retention that
/// no other active hold on the person still covers (as the store's release removes them).
async fn release_effect(
    state: &AppState,
    signed_in: &SignedIn,
    hold: &LegalHold,
) -> Result<String, AppError> {
    let (cutoff, months) = cutoff(state, signed_in).await?;
    let last_past = LocalDay(hold.to.0.min(cutoff.0 - 1));
    let within = format!(
        "Records of days from {} on are within the normal {months} months and stay until the daily removal reaches them.",
        uk_date(cutoff)
    );
    if hold.from > last_past {
        return Ok(format!(
            "None of the days this hold covers is past the retention period yet, so releasing it removes nothing now. {within}"
        ));
    }
    let others: Vec<LegalHold> = state
        .store()
        .holds(signed_in.council_id())
        .await?
        .into_iter()
        .filter(|h| h.id != hold.id)
        .collect();
    let access = state
        .store()
        .subject_access(signed_in.council_id(), hold.person_id, hold.from, last_past)
        .await?;
    let goes = |day: LocalDay, held: bool| held && !holds_cover(&others, hold.person_id, day);
    let records = access
        .records
        .iter()
        .filter(|r| goes(r.day, r.held))
        .count() as u64;
    let raw = access.raw.iter().filter(|r| goes(r.day, r.held)).count() as u64;
    Ok(format!(
        "Releasing it removes {} and {} of raw log lines kept only for this hold, from {} to {}. {within}",
        plural(records, "daily record", "daily records"),
        plural(raw, "batch", "batches"),
        uk_date(hold.from),
        uk_date(last_past)
    ))
}

pub async fn release_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let hold = load(&state, &signed_in, &id).await?;
    let people = state.people(signed_in.council_id()).await?;
    let (removes, problem) = if hold.is_active() {
        (release_effect(&state, &signed_in, &hold).await?, None)
    } else {
        (
            String::new(),
            Some("This hold was already released, so there is nothing to do.".to_owned()),
        )
    };
    Ok(render(&ReleasePage {
        chrome: chrome(&signed_in, "/monitoring"),
        hold: row(&people, &hold),
        removes,
        problem,
    })?
    .into_response())
}

pub async fn release(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let hold = load(&state, &signed_in, &id).await?;
    let people = state.people(signed_in.council_id()).await?;
    let refused = |message: String| -> Result<Response, AppError> {
        Ok((
            axum::http::StatusCode::CONFLICT,
            render(&ReleasePage {
                chrome: chrome(&signed_in, "/monitoring"),
                hold: row(&people, &hold),
                removes: String::new(),
                problem: Some(message),
            })?,
        )
            .into_response())
    };
    let released = match release_hold(&hold, signed_in.actor(), state.now()) {
        Ok(released) => released,
        Err(problem) => return refused(problem.to_string()),
    };
    let (cutoff, _) = cutoff(&state, &signed_in).await?;
    let by = signed_in.actor();
    let at = state.now();
    let outcome = state
        .store()
        .release_hold(
            signed_in.council_id(),
            hold.id,
            &by,
            at,
            cutoff,
            |r: &ReleaseReport| {
                hold_released_event(&released, r.held_records_removed, r.held_raw_removed)
            },
        )
        .await;
    match outcome {
        Ok(report) => Ok(Redirect::to(&format!(
            "/monitoring/holds?released={}&records={}",
            hold.id, report.held_records_removed
        ))
        .into_response()),
        Err(error) => refused(refusal(error)?),
    }
}
