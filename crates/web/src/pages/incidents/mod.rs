//! Incidents: the list, reporting one, its page with the workflow (owner, timeline, the
//! 72-hour breach clock and decisions, closing) and its printable report.

mod clock;
mod report;
mod show;

pub use clock::ClockView;
pub use report::report;
pub use show::{add_action, close, decide_ico, people_told, set_aware, set_owner, show};

use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::ids::IncidentId;
use custodian_core::incident::{
    Incident, IncidentKind, IncidentReport, IncidentStatus, open_incident,
};
use custodian_core::permission::Action;
use custodian_core::ports::IncidentStore;
use serde::Deserialize;

pub struct IncidentRow {
    pub id: String,
    pub kind: &'static str,
    pub summary: String,
    pub reported: String,
    pub happened: String,
    pub reporter: String,
    pub open: bool,
    /// Empty when nobody owns it yet.
    pub owner: String,
    /// The 72-hour clock, for a personal-data breach.
    pub clock: Option<ClockView>,
}

async fn rows(
    state: &AppState,
    council: custodian_core::CouncilId,
    incidents: &[Incident],
) -> Result<Vec<IncidentRow>, AppError> {
    let people = state.people(council).await?;
    let now = state.now();
    let name = |id: custodian_core::PersonId| {
        people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.to_string())
    };
    Ok(incidents
        .iter()
        .map(|i| IncidentRow {
            id: i.id.to_string(),
            kind: i.kind.label(),
            summary: i.summary.clone(),
            reported: local_time(i.reported_at),
            happened: i.happened_at.map(local_time).unwrap_or_default(),
            reporter: i
                .reported_by
                .and_then(name)
                .unwrap_or_else(|| "Custodian".to_owned()),
            open: i.status == IncidentStatus::Open,
            owner: i.owner.and_then(name).unwrap_or_default(),
            clock: i.breach_clock(now).map(ClockView::of),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct IncidentsPage {
    chrome: crate::chrome::Chrome,
    incidents: Vec<IncidentRow>,
    can_report: bool,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewIncidents).await?;
    let council = signed_in.council_id();
    let incidents = state.store().incidents(council).await?;
    Ok(render(&IncidentsPage {
        chrome: chrome(&signed_in, "/incidents"),
        incidents: rows(&state, council, &incidents).await?,
        can_report: signed_in.may(Action::ReportIncident),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "incident_form.html")]
struct IncidentFormPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    kinds: Vec<(&'static str, &'static str, bool)>,
    summary: String,
    happened_on: String,
}

#[derive(Deserialize, Default)]
pub struct IncidentForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    happened_on: String,
}

fn form_page(
    signed_in: &SignedIn,
    errors: Errors,
    form: &IncidentForm,
) -> Result<Response, AppError> {
    Ok(render(&IncidentFormPage {
        chrome: chrome(signed_in, "/incidents"),
        errors,
        kinds: IncidentKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(), k.as_str() == form.kind))
            .collect(),
        summary: form.summary.clone(),
        happened_on: form.happened_on.clone(),
    })?
    .into_response())
}

pub async fn new_form(signed_in: SignedIn) -> Result<Response, AppError> {
    signed_in.require(Action::ReportIncident).await?;
    form_page(&signed_in, Errors::new(), &IncidentForm::default())
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<IncidentForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ReportIncident).await?;
    let mut errors = Errors::new();
    let kind = if form.kind.is_empty() {
        errors.add("kind", "Choose what kind of incident it is");
        None
    } else {
        errors.check("kind", IncidentKind::parse(&form.kind))
    };
    let happened_at = errors
        .check(
            "happened_on",
            custodian_core::person::parse_optional_date(&form.happened_on),
        )
        .flatten()
        .and_then(|d| {
            d.to_zoned(crate::nav::london().clone())
                .ok()
                .map(|z| z.timestamp())
        });
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return form_page(&signed_in, errors, &form);
    };
    let id = IncidentId::generate();
    match open_incident(
        signed_in.council_id(),
        id,
        IncidentReport {
            kind,
            summary: form.summary.clone(),
            happened_at,
        },
        signed_in.actor(),
        state.now(),
    ) {
        Ok((incident, event)) => {
            // The alerts to the Clerk and Chair are queued in the incident's transaction.
            let alerts = crate::mail::alerts_for_incident(&state, &incident).await?;
            custodian_core::ports::MailStore::insert_incident_with_mail(
                state.store(),
                &incident,
                &event,
                &alerts,
            )
            .await?;
            if !alerts.is_empty() {
                crate::mail::wake();
            }
            let target = if signed_in.may(Action::ViewIncidents) {
                format!("/incidents/{id}")
            } else {
                "/?reported=1".to_owned()
            };
            Ok(Redirect::to(&target).into_response())
        }
        Err(e) => {
            let field = match e {
                custodian_core::incident::IncidentError::HappenedInFuture => "happened_on",
                _ => "summary",
            };
            errors.add(field, e.to_string());
            form_page(&signed_in, errors, &form)
        }
    }
}

/// Queues the immediate email about an incident opened by another capability (a loss report,
/// a refused vault reveal, a password marked compromised), once it is stored: the people who
/// run incidents hear of it at once, as they do of one reported on the incident form. Not in
/// the opening's transaction (those belong to the register's and the vault's stores); a failure
/// is logged, and the in-app notices and the home page still show the incident.
pub async fn email_about(state: &AppState, incident: &custodian_core::incident::Incident) {
    let queued = async {
        let mail = crate::mail::alerts_for_incident(state, incident).await?;
        crate::mail::enqueue(state.store(), &mail)
            .await
            .map_err(AppError::from)
    }
    .await;
    if let Err(e) = queued {
        tracing::error!(error = %e, incident = %incident.id, "the incident's email could not be queued");
    }
}
