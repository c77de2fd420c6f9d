//! Setting monitoring up (issue 7, item 5; policy 5.1.6-5.1.11): the overview everyone who may
//! view records sees, the lawful gate and switching on and off (the Clerk's), with the guided
//! impact assessment (`assessment`) and the settings (`settings`) beside it.
//!
//! The gate is checked here, on the server, whatever the page showed: monitoring goes on only
//! with a recorded assessment, an adopted policy that tells people about monitoring, and
//! choices still in step with the assessment. Switching off keeps every record; the daily
//! purge still removes them at the end of the retention period.

mod assessment;
mod settings;

use super::{is_viewer, settings_of};
use crate::error::AppError;
use crate::nav::{chrome, local_date, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use custodian_core::audit::AuditEvent;
use custodian_core::monitor::{
    GateReason, ImpactAssessment, may_switch_on, policy_mentions_monitoring,
};
use custodian_core::permission::Action;
use custodian_core::policy::{render_policy, to_plain_text};
use custodian_core::ports::{AuditLog, AuditQuery, MonitorSettings, MonitorStore, PolicyStore};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring", get(overview))
        .route("/monitoring/switch-on", post(switch_on))
        .route("/monitoring/switch-off", post(switch_off))
        .route(
            "/monitoring/assessment",
            get(assessment::show).post(assessment::submit),
        )
        .route(
            "/monitoring/settings",
            get(settings::show).post(settings::submit),
        )
}

/// The recorded assessment, read from the settings (`None` when there is none, or when the
/// stored one cannot be read: the gate then asks for it to be recorded again).
pub fn assessment_of(settings: Option<&MonitorSettings>) -> Option<ImpactAssessment> {
    settings
        .and_then(|s| s.assessment.clone())
        .and_then(|value| serde_json::from_value(value).ok())
}

/// Whether the adopted policy tells people about monitoring, read from the adopted version's
/// text as the policy pages render it. No adopted policy: false.
async fn adopted_policy_mentions_monitoring(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<bool, AppError> {
    let Some(version) = state.store().in_force(signed_in.council_id()).await? else {
        return Ok(false);
    };
    let document = render_policy(
        &version.profile,
        signed_in.current.council.name.as_str(),
        &crate::pages::policy::adoption_block(&version),
    );
    Ok(policy_mentions_monitoring(&to_plain_text(&document)))
}

/// Everything that stands in the way of switching on now, in the order to deal with them:
/// the gate's reasons, then choices that have moved away from the assessment.
async fn gate_reasons(
    state: &AppState,
    signed_in: &SignedIn,
    settings: Option<&MonitorSettings>,
) -> Result<Vec<GateReason>, AppError> {
    let assessment = assessment_of(settings);
    let mentions = adopted_policy_mentions_monitoring(state, signed_in).await?;
    let mut reasons = may_switch_on(assessment.as_ref(), mentions)
        .err()
        .unwrap_or_default();
    if let (Some(assessment), Some(settings)) = (&assessment, settings) {
        reasons.extend(out_of_step(state, signed_in, assessment, settings).await?);
    }
    Ok(reasons)
}

async fn out_of_step(
    state: &AppState,
    signed_in: &SignedIn,
    assessment: &ImpactAssessment,
    settings: &MonitorSettings,
) -> Result<Vec<GateReason>, AppError> {
    let profile = crate::pages::policy::profile_in_force(state, signed_in.council_id())
        .await?
        .0;
    Ok(assessment.out_of_step(&profile, settings.viewer_roles))
}

struct AssessmentView {
    purpose: String,
    decided_on: String,
    minute_reference: String,
    viewers: String,
    retention_months: u16,
    assessed_by: String,
    recorded_at: String,
}

struct BatchRow {
    received: String,
    format: String,
    source_name: String,
    lines: u64,
    hits: u64,
    malformed: u64,
    days: String,
}

#[derive(Template)]
#[template(path = "monitoring/overview.html")]
struct OverviewPage {
    chrome: crate::chrome::Chrome,
    /// The council has not named any of this person's roles: only the plain sentence.
    not_given: bool,
    manager: bool,
    viewer: bool,
    enabled: bool,
    since: Option<String>,
    assessment: Option<AssessmentView>,
    days_count: usize,
    oldest_day: String,
    newest_day: String,
    batches: Vec<BatchRow>,
    /// The Clerk's gate: what is missing before switching on (while off).
    gate: Vec<String>,
    /// While on: how the choices have moved away from the assessment.
    warnings: Vec<String>,
    /// Why switching on was just refused (error summary).
    refused: Vec<String>,
    notice: &'static str,
}

/// How many batches the overview lists.
const LISTED_BATCHES: usize = 10;

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    #[serde(default)]
    done: String,
}

fn notice_for(done: &str) -> &'static str {
    match done {
        "on" => "Monitoring is switched on. Logs sent from now on are kept.",
        "off" => {
            "Monitoring is switched off. No more logs are accepted; the records already kept stay until the end of the retention period."
        }
        "assessment" => "The impact assessment is recorded.",
        _ => "",
    }
}

/// `GET /monitoring`.
pub async fn overview(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<OverviewQuery>,
) -> Result<Response, AppError> {
    overview_page(&state, &signed_in, Vec::new(), notice_for(&query.done)).await
}

async fn overview_page(
    state: &AppState,
    signed_in: &SignedIn,
    refused: Vec<GateReason>,
    notice: &'static str,
) -> Result<Response, AppError> {
    if !signed_in.may(Action::ManageMonitoring) {
        signed_in.require(Action::ViewInternetUse).await?;
    }
    let settings = settings_of(state, signed_in).await?;
    let manager = signed_in.may(Action::ManageMonitoring);
    let viewer = is_viewer(signed_in, settings.as_ref());
    let mut page = OverviewPage {
        chrome: chrome(signed_in, "/monitoring"),
        not_given: !manager && !viewer,
        manager,
        viewer,
        enabled: settings.as_ref().is_some_and(|s| s.enabled),
        since: None,
        assessment: None,
        days_count: 0,
        oldest_day: String::new(),
        newest_day: String::new(),
        batches: Vec::new(),
        gate: Vec::new(),
        warnings: Vec::new(),
        refused: refused.iter().map(ToString::to_string).collect(),
        notice,
    };
    if page.not_given {
        return Ok(render(&page)?.into_response());
    }
    let council = signed_in.council_id();
    let assessment = assessment_of(settings.as_ref());
    page.assessment = assessment.as_ref().map(|a| AssessmentView {
        purpose: a.purpose.clone(),
        decided_on: local_date(a.decided_on),
        minute_reference: a.minute_reference.as_str().to_owned(),
        viewers: a.viewer_roles.labels(),
        retention_months: a.retention_months,
        assessed_by: a.assessed_by.clone(),
        recorded_at: local_time(a.recorded_at),
    });
    if page.enabled {
        page.since = switched_on_at(state, signed_in).await?;
    }
    let days = state.store().monitor_days(council).await?;
    page.days_count = days.len();
    page.oldest_day = days
        .first()
        .map(|d| local_date(d.day.date()))
        .unwrap_or_default();
    page.newest_day = days
        .last()
        .map(|d| local_date(d.day.date()))
        .unwrap_or_default();
    page.batches = state
        .store()
        .monitor_batches(council)
        .await?
        .iter()
        .take(LISTED_BATCHES)
        .map(|b| BatchRow {
            received: local_time(b.ingested_at),
            format: b.format.clone(),
            source_name: b.source_name.clone(),
            lines: b.totals.lines,
            hits: b.totals.hits,
            malformed: b.totals.malformed,
            days: match (b.first_day, b.last_day) {
                (Some(first), Some(last)) if first == last => local_date(first.date()),
                (Some(first), Some(last)) => {
                    format!(
                        "{} to {}",
                        local_date(first.date()),
                        local_date(last.date())
                    )
                }
                _ => "none kept".to_owned(),
            },
        })
        .collect();
    if manager {
        if page.enabled {
            if let (Some(assessment), Some(settings)) = (&assessment, &settings) {
                page.warnings = out_of_step(state, signed_in, assessment, settings)
                    .await?
                    .iter()
                    .map(ToString::to_string)
                    .collect();
            }
        } else {
            page.gate = gate_reasons(state, signed_in, settings.as_ref())
                .await?
                .iter()
                .map(ToString::to_string)
                .collect();
        }
    }
    Ok(render(&page)?.into_response())
}

/// When monitoring was last switched on, from the audit log.
async fn switched_on_at(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Option<String>, AppError> {
    let query = AuditQuery {
        action_prefix: Some("monitor.switched_on".to_owned()),
        limit: 1,
        ..AuditQuery::default()
    };
    let entries = state
        .store()
        .entries(signed_in.council_id(), &query)
        .await?;
    Ok(entries.first().map(|e| local_time(e.at())))
}

/// `POST /monitoring/switch-on`: the gate is checked again here; a refusal shows its reasons on
/// the overview and changes nothing.
pub async fn switch_on(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    let settings = settings_of(&state, &signed_in).await?;
    let reasons = gate_reasons(&state, &signed_in, settings.as_ref()).await?;
    let Some(mut settings) = settings.filter(|_| reasons.is_empty()) else {
        let reasons = if reasons.is_empty() {
            vec![GateReason::NoAssessment]
        } else {
            reasons
        };
        return overview_page(&state, &signed_in, reasons, "").await;
    };
    if settings.enabled {
        return Ok(Redirect::to("/monitoring").into_response());
    }
    let now = state.now();
    settings.enabled = true;
    settings.updated_at = now;
    let event = AuditEvent::new(
        signed_in.council_id(),
        now,
        signed_in.actor(),
        "monitor.switched_on",
    )
    .subject("monitor:settings")
    .details(json!({
        "viewer_roles": settings.viewer_roles.to_storage(),
        "assessment_recorded_at": settings.assessment_recorded_at.map(|t| t.to_string()),
    }));
    state
        .store()
        .save_monitor_settings(&settings, &event)
        .await?;
    Ok(Redirect::to("/monitoring?done=on").into_response())
}

/// `POST /monitoring/switch-off`: no more logs are accepted; the records stay (the purge still
/// removes them when their time comes).
pub async fn switch_off(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    let Some(mut settings) = settings_of(&state, &signed_in).await?.filter(|s| s.enabled) else {
        return Ok(Redirect::to("/monitoring").into_response());
    };
    let now = state.now();
    settings.enabled = false;
    settings.updated_at = now;
    let event = AuditEvent::new(
        signed_in.council_id(),
        now,
        signed_in.actor(),
        "monitor.switched_off",
    )
    .subject("monitor:settings")
    .details(json!({ "records_kept": true }));
    state
        .store()
        .save_monitor_settings(&settings, &event)
        .await?;
    Ok(Redirect::to("/monitoring?done=off").into_response())
}

/// Settings to start from when the council has none yet: off, no lists, nobody but the
/// assessment's viewers.
pub fn fresh_settings(signed_in: &SignedIn, now: jiff::Timestamp) -> MonitorSettings {
    MonitorSettings {
        council_id: signed_in.council_id(),
        enabled: false,
        categories_path: None,
        flagged_categories: Vec::new(),
        allowed_categories: Vec::new(),
        viewer_roles: custodian_core::person::RoleSet::empty(),
        assessment: None,
        assessment_recorded_at: None,
        assessment_recorded_by: None,
        updated_at: now,
    }
}

/// One checkbox of a form.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The roles that may be given others' records (5.1.7), as checkboxes, `ticked` ticked.
pub fn viewer_choices(ticked: custodian_core::person::RoleSet) -> Vec<Choice> {
    Action::ViewInternetUse
        .allowed_roles()
        .iter()
        .map(|role| Choice {
            value: role.as_str().to_owned(),
            label: role.label().to_owned(),
            checked: ticked.contains(role),
        })
        .collect()
}

/// The roles ticked on a form: each must be one that may be given records.
pub fn ticked_viewers(values: &[String]) -> Result<custodian_core::person::RoleSet, String> {
    let may_view = Action::ViewInternetUse.allowed_roles();
    values
        .iter()
        .try_fold(custodian_core::person::RoleSet::empty(), |set, value| {
            match custodian_core::person::Role::parse(value) {
                Ok(role) if may_view.contains(role) => Ok(set.with(role)),
                Ok(role) => Err(format!(
                    "{} cannot be given others' records (5.1.7). Choose from: {}.",
                    role.label(),
                    may_view.labels()
                )),
                Err(_) => Err(format!(
                    "Choose who may see the records from: {}.",
                    may_view.labels()
                )),
            }
        })
}
