//! One incident's page and the changes made from it: its owner, the timeline, and for a
//! personal-data breach the time the council became aware, the ICO decision and whether the
//! people affected were told; then closing it with the outcome and lessons learned.
//!
//! Those who see incidents read the page; those who manage them get the forms. Each form
//! carries the revision it was opened on, so a change made from a stale page is refused with
//! a plain message rather than undoing someone else's.

use super::{ClockView, IncidentRow, rows};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, london, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::PersonId;
use custodian_core::audit::AuditEvent;
use custodian_core::ids::IncidentId;
use custodian_core::incident::{
    self as rules, Incident, IncidentAction, IncidentError, PeopleTold,
};
use custodian_core::permission::Action;
use custodian_core::person::PersonStatus;
use custodian_core::ports::{IncidentStore, StoreError};
use jiff::Timestamp;
use serde::Deserialize;

/// One option of a select or radio group.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

fn choice(value: &str, label: &str, selected: &str) -> Choice {
    Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        checked: value == selected,
    }
}

pub struct ActionView {
    pub at: String,
    pub by: String,
    pub text: String,
}

pub struct DecisionView {
    pub answer: String,
    pub reason: String,
    pub recorded: String,
}

pub struct BreachView {
    pub clock: ClockView,
    pub became_aware: String,
    pub ico: Option<DecisionView>,
    pub notified: String,
    pub told: Option<DecisionView>,
}

pub struct ClosureView {
    pub outcome: String,
    pub lessons: String,
    pub closed: String,
}

/// A form as posted: only the fields of the form that was sent are present.
#[derive(Deserialize, Default)]
pub struct ChangeForm {
    #[serde(default)]
    revision: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    became_aware: Option<String>,
    #[serde(default)]
    notify: Option<String>,
    #[serde(default)]
    ico_reason: Option<String>,
    #[serde(default)]
    notified_at: Option<String>,
    #[serde(default)]
    people_told: Option<String>,
    #[serde(default)]
    told_reason: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    lessons: Option<String>,
}

/// What the forms show: as submitted after an error, otherwise as stored.
#[derive(Default)]
pub struct FormValues {
    pub owner: String,
    pub text: String,
    pub became_aware: String,
    pub notify: String,
    pub ico_reason: String,
    pub notified_at: String,
    pub people_told: String,
    pub told_reason: String,
    pub outcome: String,
    pub lessons: String,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    chrome: crate::chrome::Chrome,
    incident: IncidentRow,
    errors: Errors,
    revision: u32,
    can_manage: bool,
    timeline: Vec<ActionView>,
    breach: Option<BreachView>,
    closure: Option<ClosureView>,
    owners: Vec<Choice>,
    notify_options: Vec<Choice>,
    told_options: Vec<Choice>,
    form: FormValues,
}

/// The whole incident as the page and the report show it.
pub(super) struct Loaded {
    pub incident: Incident,
    pub row: IncidentRow,
    pub timeline: Vec<ActionView>,
    pub breach: Option<BreachView>,
    pub closure: Option<ClosureView>,
}

pub(super) async fn load(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<Loaded, AppError> {
    signed_in.require(Action::ViewIncidents).await?;
    let id = IncidentId::parse(id).map_err(|_| AppError::NotFound)?;
    let council = signed_in.council_id();
    let incident = state.store().incident(council, id).await?;
    let actions = state.store().incident_actions(council, id).await?;
    let people = state.people(council).await?;
    let name = |id: PersonId| {
        people.iter().find(|p| p.id == id).map_or_else(
            || "someone no longer listed".to_owned(),
            |p| p.name.to_string(),
        )
    };
    let row = rows(state, council, std::slice::from_ref(&incident))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let timeline = actions
        .iter()
        .map(|a: &IncidentAction| ActionView {
            at: local_time(a.at),
            by: name(a.by),
            text: a.text.clone(),
        })
        .collect();
    let now = state.now();
    let breach = incident.breach.as_ref().map(|b| BreachView {
        clock: ClockView::of(rules::breach_clock(b, incident.reported_at, now)),
        became_aware: local_time(rules::breach::became_aware(b, incident.reported_at)),
        ico: b.ico.as_ref().map(|d| DecisionView {
            answer: if d.notify {
                "Yes, the council will tell the ICO".to_owned()
            } else {
                "No, the council will not tell the ICO".to_owned()
            },
            reason: d.reason.clone(),
            recorded: format!("{} by {}", local_time(d.decided_at), name(d.decided_by)),
        }),
        notified: b
            .ico
            .as_ref()
            .and_then(|d| d.notified_at)
            .map(local_time)
            .unwrap_or_default(),
        told: b.people_told.as_ref().map(|t| DecisionView {
            answer: t.answer.label().to_owned(),
            reason: t.reason.clone(),
            recorded: format!("{} by {}", local_time(t.recorded_at), name(t.recorded_by)),
        }),
    });
    let closure = incident.closure.as_ref().map(|c| ClosureView {
        outcome: c.outcome.clone(),
        lessons: c.lessons.clone(),
        closed: format!("{} by {}", local_time(c.closed_at), name(c.closed_by)),
    });
    Ok(Loaded {
        incident,
        row,
        timeline,
        breach,
        closure,
    })
}

/// "2026-11-20 14:30" (London time) as typed into a form, for the moments the 72-hour clock
/// turns on.
fn parse_local(text: &str) -> Result<Timestamp, &'static str> {
    let text = text.trim().replace('T', " ");
    let parsed: Result<jiff::civil::DateTime, _> = text.parse();
    parsed
        .ok()
        .and_then(|dt| dt.to_zoned(london().clone()).ok())
        .map(|z| z.timestamp())
        .ok_or("Enter a date and a time in the form 2026-11-20 14:30")
}

fn local_input(at: Timestamp) -> String {
    london()
        .to_datetime(at)
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
    errors: Errors,
    submitted: Option<ChangeForm>,
) -> Result<Response, AppError> {
    let loaded = load(state, signed_in, id).await?;
    let incident = &loaded.incident;
    let people = state.people(signed_in.council_id()).await?;
    let breach = incident.breach.as_ref();
    let stored = FormValues {
        owner: incident.owner.map(|o| o.to_string()).unwrap_or_default(),
        became_aware: local_input(
            breach
                .map(|b| rules::breach::became_aware(b, incident.reported_at))
                .unwrap_or(incident.reported_at),
        ),
        notify: match breach.and_then(|b| b.ico.as_ref()) {
            Some(d) if d.notify => "yes".to_owned(),
            Some(_) => "no".to_owned(),
            None => String::new(),
        },
        ico_reason: breach
            .and_then(|b| b.ico.as_ref())
            .map(|d| d.reason.clone())
            .unwrap_or_default(),
        notified_at: breach
            .and_then(|b| b.ico.as_ref())
            .and_then(|d| d.notified_at)
            .map(local_input)
            .unwrap_or_default(),
        people_told: breach
            .and_then(|b| b.people_told.as_ref())
            .map(|t| t.answer.as_str().to_owned())
            .unwrap_or_default(),
        told_reason: breach
            .and_then(|b| b.people_told.as_ref())
            .map(|t| t.reason.clone())
            .unwrap_or_default(),
        ..FormValues::default()
    };
    let sent = submitted.unwrap_or_default();
    let pick = |sent: Option<String>, stored: String| sent.unwrap_or(stored);
    let form = FormValues {
        owner: pick(sent.owner, stored.owner),
        text: pick(sent.text, stored.text),
        became_aware: pick(sent.became_aware, stored.became_aware),
        notify: pick(sent.notify, stored.notify),
        ico_reason: pick(sent.ico_reason, stored.ico_reason),
        notified_at: pick(sent.notified_at, stored.notified_at),
        people_told: pick(sent.people_told, stored.people_told),
        told_reason: pick(sent.told_reason, stored.told_reason),
        outcome: pick(sent.outcome, stored.outcome),
        lessons: pick(sent.lessons, stored.lessons),
    };
    let owners = people
        .iter()
        .filter(|p| p.status == PersonStatus::Active)
        .map(|p| choice(&p.id.to_string(), p.name.as_str(), &form.owner))
        .collect();
    let notify_options = vec![
        choice("yes", "Yes, the council will tell the ICO", &form.notify),
        choice(
            "no",
            "No: the breach is unlikely to put people at risk",
            &form.notify,
        ),
    ];
    let told_options = PeopleTold::ALL
        .iter()
        .map(|t| choice(t.as_str(), t.label(), &form.people_told))
        .collect();
    Ok(render(&IncidentPage {
        chrome: chrome(signed_in, "/incidents"),
        revision: incident.revision,
        can_manage: signed_in.may(Action::ManageIncidents),
        incident: loaded.row,
        timeline: loaded.timeline,
        breach: loaded.breach,
        closure: loaded.closure,
        errors,
        owners,
        notify_options,
        told_options,
        form,
    })?
    .into_response())
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    page(&state, &signed_in, &id, Errors::new(), None).await
}

/// A change refused: which field to show the message beside, and the message.
type Refusal = (&'static str, String);

fn refusal(field: &'static str) -> impl Fn(IncidentError) -> Refusal {
    move |e| (field, e.to_string())
}

/// Loads the incident, checks the form was opened on its current revision, applies `change`
/// and stores the result; on a refusal shows the page again with the message beside `field`.
async fn apply(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
    form: ChangeForm,
    field: &'static str,
    change: impl FnOnce(&Incident, PersonId, Timestamp) -> Result<(Incident, AuditEvent), Refusal>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageIncidents).await?;
    let incident_id = IncidentId::parse(id).map_err(|_| AppError::NotFound)?;
    let incident = state
        .store()
        .incident(signed_in.council_id(), incident_id)
        .await?;
    let mut errors = Errors::new();
    let me = signed_in.current.person.id;
    let revision = form.revision.as_deref().unwrap_or_default().trim();
    let outcome = if revision != incident.revision.to_string() {
        Err((field, OVERTAKEN.to_owned()))
    } else {
        change(&incident, me, state.now())
    };
    match outcome {
        Ok((next, event)) => match state.store().update_incident(&next, &event).await {
            Ok(()) => Ok(Redirect::to(&format!("/incidents/{incident_id}")).into_response()),
            Err(StoreError::Conflict(message)) => {
                errors.add(field, message);
                page(state, signed_in, id, errors, Some(form)).await
            }
            Err(other) => Err(other.into()),
        },
        Err((field, message)) => {
            errors.add(field, message);
            page(state, signed_in, id, errors, Some(form)).await
        }
    }
}

const OVERTAKEN: &str = "This incident was changed by someone else after the page was opened. \
    Nothing was saved: check it as it is now and try again.";

pub async fn set_owner(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let people = state.people(signed_in.council_id()).await?;
    let owner = people
        .iter()
        .find(|p| p.status == PersonStatus::Active && Some(p.id.to_string()) == form.owner)
        .map(|p| p.id);
    apply(
        &state,
        &signed_in,
        &id,
        form,
        "owner",
        |incident, me, now| {
            let owner = owner.ok_or((
                "owner",
                "Choose who will see this incident through".to_owned(),
            ))?;
            rules::assign_owner(incident, owner, me, now).map_err(refusal("owner"))
        },
    )
    .await
}

pub async fn set_aware(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let at = parse_local(form.became_aware.as_deref().unwrap_or_default());
    apply(
        &state,
        &signed_in,
        &id,
        form,
        "became_aware",
        |incident, me, now| {
            let at = at.map_err(|m| ("became_aware", m.to_owned()))?;
            rules::set_became_aware(incident, at, me, now).map_err(refusal("became_aware"))
        },
    )
    .await
}

pub async fn decide_ico(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let notify = match form.notify.as_deref().unwrap_or_default() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err((
            "notify",
            "Choose whether the council will tell the ICO".to_owned(),
        )),
    };
    let notified_at = match form.notified_at.as_deref().unwrap_or_default().trim() {
        "" => Ok(None),
        text => parse_local(text)
            .map(Some)
            .map_err(|m| ("notified_at", m.to_owned())),
    };
    let reason = form.ico_reason.clone().unwrap_or_default();
    apply(
        &state,
        &signed_in,
        &id,
        form,
        "notify",
        |incident, me, now| {
            let notify = notify?;
            let notified_at = notified_at?;
            rules::record_ico_decision(incident, notify, &reason, notified_at, me, now).map_err(
                |e| {
                    let field = match e {
                        IncidentError::EmptyReason | IncidentError::TooLong(_) => "ico_reason",
                        IncidentError::NotifiedInFuture | IncidentError::NotifiedBeforeAware => {
                            "notified_at"
                        }
                        _ => "notify",
                    };
                    (field, e.to_string())
                },
            )
        },
    )
    .await
}

pub async fn people_told(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let answer = PeopleTold::parse(form.people_told.as_deref().unwrap_or_default());
    let reason = form.told_reason.clone().unwrap_or_default();
    apply(
        &state,
        &signed_in,
        &id,
        form,
        "people_told",
        |incident, me, now| {
            let answer = answer.ok_or((
                "people_told",
                "Choose whether the people affected were told".to_owned(),
            ))?;
            rules::record_people_told(incident, answer, &reason, me, now).map_err(|e| {
                let field = match e {
                    IncidentError::EmptyReason | IncidentError::TooLong(_) => "told_reason",
                    _ => "people_told",
                };
                (field, e.to_string())
            })
        },
    )
    .await
}

pub async fn close(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let outcome = form.outcome.clone().unwrap_or_default();
    let lessons = form.lessons.clone().unwrap_or_default();
    apply(
        &state,
        &signed_in,
        &id,
        form,
        "outcome",
        |incident, me, now| {
            rules::close(incident, &outcome, &lessons, me, now).map_err(|e| {
                let field = match e {
                    IncidentError::EmptyLessons => "lessons",
                    _ => "outcome",
                };
                (field, e.to_string())
            })
        },
    )
    .await
}

/// Adds to the timeline. No revision check: an entry changes nothing already recorded, so two
/// people adding at once both keep theirs.
pub async fn add_action(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageIncidents).await?;
    let incident_id = IncidentId::parse(&id).map_err(|_| AppError::NotFound)?;
    let incident = state
        .store()
        .incident(signed_in.council_id(), incident_id)
        .await?;
    match rules::add_action(
        &incident,
        form.text.as_deref().unwrap_or_default(),
        signed_in.current.person.id,
        state.now(),
    ) {
        Ok((action, event)) => {
            state.store().add_incident_action(&action, &event).await?;
            Ok(Redirect::to(&format!("/incidents/{incident_id}#timeline")).into_response())
        }
        Err(e) => {
            let mut errors = Errors::new();
            errors.add("text", e.to_string());
            page(&state, &signed_in, &id, errors, Some(form)).await
        }
    }
}
