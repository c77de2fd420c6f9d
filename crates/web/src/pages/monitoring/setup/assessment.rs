//! `GET/POST /monitoring/assessment`: the guided monitoring impact assessment (5.1.6, 5.1.7,
//! 5.1.8, 5.1.11). Each question says why it is asked; `core::monitor::record_assessment`
//! checks the answers. Recording it saves the settings with everything else kept as it was,
//! except who may see the records, which becomes the roles the assessment names.

use super::{Choice, assessment_of, fresh_settings, viewer_choices};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::pages::monitoring::settings_of;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::monitor::{ImpactAssessmentForm, record_assessment};
use custodian_core::permission::Action;
use custodian_core::person::{Role, RoleSet};
use custodian_core::policy::version::london_today;
use custodian_core::ports::MonitorStore;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AssessmentForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    necessity: String,
    #[serde(default)]
    alternatives: String,
    #[serde(default)]
    viewer_roles: Vec<String>,
    #[serde(default)]
    retention_months: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    minute_reference: String,
    #[serde(default)]
    assessed_by: String,
}

#[derive(Template)]
#[template(path = "monitoring/assessment.html")]
struct AssessmentPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    form: AssessmentForm,
    viewers: Vec<Choice>,
    /// The hint under the retention question, with the policy's period.
    retention_hint: String,
    /// An assessment is already recorded: this form records a review of it.
    reviewing: bool,
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: AssessmentForm,
    ticked: RoleSet,
) -> Result<Response, AppError> {
    let profile = crate::pages::policy::profile_in_force(state, signed_in.council_id())
        .await?
        .0;
    let settings = settings_of(state, signed_in).await?;
    Ok(render(&AssessmentPage {
        chrome: chrome(signed_in, "/monitoring"),
        errors,
        form,
        viewers: viewer_choices(ticked),
        retention_hint: format!(
            "Policies 5.1.8 and 5.1.11. The council's policy keeps them {} months. Leave empty to use the policy's period; it can be 1 to 84 months.",
            profile.internet_log_retention_months
        ),
        reviewing: assessment_of(settings.as_ref()).is_some(),
    })?
    .into_response())
}

/// `GET /monitoring/assessment`: empty, or the recorded assessment to review.
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    let settings = settings_of(&state, &signed_in).await?;
    let profile = crate::pages::policy::profile_in_force(&state, signed_in.council_id())
        .await?
        .0;
    let (form, ticked) = match assessment_of(settings.as_ref()) {
        Some(a) => (
            AssessmentForm {
                purpose: a.purpose,
                necessity: a.necessity,
                alternatives: a.alternatives,
                viewer_roles: Vec::new(),
                retention_months: a.retention_months.to_string(),
                decided_on: crate::pages::monitoring::uk_date(
                    custodian_core::ports::LocalDay::from_date(a.decided_on),
                ),
                minute_reference: a.minute_reference.as_str().to_owned(),
                assessed_by: a.assessed_by,
            },
            a.viewer_roles,
        ),
        None => (
            AssessmentForm {
                retention_months: profile.internet_log_retention_months.to_string(),
                ..AssessmentForm::default()
            },
            // Nobody ticked: who may see the records is a choice to make, not a default.
            RoleSet::empty(),
        ),
    };
    page(&state, &signed_in, Errors::new(), form, ticked).await
}

/// `POST /monitoring/assessment`.
pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<AssessmentForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    let mut errors = Errors::new();
    // Any real role is passed on, so core's rule names one that may not be given records; a
    // value that is no role at all never came from this form.
    let ticked = form
        .viewer_roles
        .iter()
        .try_fold(RoleSet::empty(), |set, value| {
            Role::parse(value).map(|role| set.with(role))
        });
    let Ok(ticked) = ticked else {
        errors.add(
            "viewer_roles",
            "Choose who may see the records from the roles listed.",
        );
        return page(&state, &signed_in, errors, form, RoleSet::empty()).await;
    };
    let now = state.now();
    let profile = crate::pages::policy::profile_in_force(&state, signed_in.council_id())
        .await?
        .0;
    let answers = ImpactAssessmentForm {
        purpose: &form.purpose,
        necessity: &form.necessity,
        alternatives: &form.alternatives,
        viewer_roles: ticked,
        retention_months: &form.retention_months,
        decided_on: &form.decided_on,
        minute_reference: &form.minute_reference,
        assessed_by: &form.assessed_by,
    };
    let (assessment, event) = match record_assessment(
        signed_in.council_id(),
        answers,
        &profile,
        signed_in.person_id(),
        london_today(now),
        now,
    ) {
        Ok(recorded) => recorded,
        Err(problems) => {
            for problem in problems.0 {
                errors.add(problem.field, problem.message);
            }
            return page(&state, &signed_in, errors, form, ticked).await;
        }
    };
    let mut settings = settings_of(&state, &signed_in)
        .await?
        .unwrap_or_else(|| fresh_settings(&signed_in, now));
    settings.viewer_roles = assessment.viewer_roles;
    settings.assessment = Some(
        serde_json::to_value(&assessment).map_err(|e| AppError::Internal(anyhow::Error::new(e)))?,
    );
    settings.assessment_recorded_at = Some(now);
    settings.assessment_recorded_by = Some(signed_in.person_id());
    settings.updated_at = now;
    state
        .store()
        .save_monitor_settings(&settings, &event)
        .await?;
    Ok(Redirect::to("/monitoring?done=assessment").into_response())
}
