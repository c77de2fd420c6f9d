//! The council's IT policy: the version in force and its history, drafts and the builder's
//! question pages. Rendering, adoption, import and declarations live in the submodules.

pub mod adopt;
pub mod declarations;
pub mod document;
pub mod import;
pub mod questions;

use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form as RepeatedForm;
use custodian_core::CouncilId;
use custodian_core::ids::PolicyVersionId;
use custodian_core::permission::Action;
use custodian_core::policy::version::{
    DraftContent, PolicyVersion, ReviewState, VersionOrigin, VersionStatus, delete_draft,
    london_today, new_draft, review_state, revise_draft,
};
use custodian_core::policy::{AdoptionBlock, PolicyProfile, ProfileField};
use custodian_core::ports::{PolicyStore, PolicyStoreError};
use questions::{Answers, Question, Step};
use serde::Deserialize;

impl From<PolicyStoreError> for AppError {
    fn from(error: PolicyStoreError) -> Self {
        match error {
            PolicyStoreError::Store(e) => e.into(),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// A version as a row in a list.
pub struct VersionRow {
    pub id: String,
    pub number: u32,
    pub status: &'static str,
    pub status_class: &'static str,
    pub origin: String,
    pub created: String,
    pub adopted: String,
}

impl VersionRow {
    fn of(version: &PolicyVersion) -> Self {
        Self {
            id: version.id.to_string(),
            number: version.number,
            status: version.status.label(),
            status_class: match version.status {
                VersionStatus::Draft => "govuk-tag--yellow",
                VersionStatus::Adopted => "govuk-tag--green",
                VersionStatus::Superseded => "govuk-tag--grey",
            },
            origin: version.origin.describe(),
            created: local_time(version.created_at),
            adopted: match (&version.adopted_on, &version.minute_reference) {
                (Some(on), Some(minute)) => format!(
                    "{} (minute {})",
                    custodian_core::policy::document::format_date(*on),
                    minute
                ),
                _ => String::new(),
            },
        }
    }
}

/// The policy profile the council's rules use now, and whether the council has adopted one:
/// without an adopted version the model policy's defaults apply, and pages say so.
pub async fn profile_in_force(
    state: &AppState,
    council: CouncilId,
) -> Result<(PolicyProfile, bool), AppError> {
    Ok(custodian_core::policy::profile::profile_in_force(state.store(), council).await?)
}

/// The review date and how near it is, in words.
pub fn review_words(review_due: jiff::civil::Date, now: jiff::Timestamp) -> (String, bool) {
    let date = custodian_core::policy::document::format_date(review_due);
    match review_state(review_due, london_today(now)) {
        ReviewState::NotDue => (format!("The review is due by {date}"), false),
        ReviewState::DueSoon { days_left: 0 } => {
            (format!("The review is due today ({date})"), true)
        }
        ReviewState::DueSoon { days_left: 1 } => {
            (format!("The review is due tomorrow ({date})"), true)
        }
        ReviewState::DueSoon { days_left } => (
            format!("The review is due in {days_left} days, by {date}"),
            true,
        ),
        ReviewState::Overdue { days_over } => (
            format!(
                "The review is overdue by {days_over} {}: it was due by {date}",
                if days_over == 1 { "day" } else { "days" }
            ),
            true,
        ),
    }
}

#[derive(Template)]
#[template(path = "policy/overview.html")]
struct OverviewPage {
    chrome: crate::chrome::Chrome,
    in_force: Option<VersionRow>,
    review: Option<(String, bool)>,
    signed: Option<(usize, usize)>,
    own_signature_needed: bool,
    drafts: Vec<VersionRow>,
    history: Vec<VersionRow>,
    /// Every version, newest first, for comparing any two.
    all: Vec<VersionRow>,
    can_draft: bool,
}

pub async fn overview(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPolicy).await?;
    let council = signed_in.council_id();
    let versions = state.store().versions(council).await?;
    let in_force = versions.iter().find(|v| v.is_in_force());
    let can_see_declarations = signed_in.may(Action::ViewDeclarations);
    let signed = match in_force {
        Some(v) if can_see_declarations && v.profile.declaration_required => {
            let unsigned = state.store().unsigned_people(council).await?.len();
            let signed = state.store().declarations(council, v.id).await?.len();
            Some((signed, signed + unsigned))
        }
        _ => None,
    };
    let own_signature_needed = match in_force {
        Some(v) if v.profile.declaration_required && signed_in.may(Action::SignDeclaration) => {
            state
                .store()
                .declaration_of(council, v.id, signed_in.person_id())
                .await?
                .is_none()
        }
        _ => false,
    };
    Ok(render(&OverviewPage {
        chrome: chrome(&signed_in, "/policy"),
        in_force: in_force.map(VersionRow::of),
        review: in_force
            .and_then(|v| v.review_due)
            .map(|due| review_words(due, state.now())),
        signed,
        own_signature_needed,
        drafts: versions
            .iter()
            .filter(|v| v.is_draft())
            .map(VersionRow::of)
            .collect(),
        history: versions
            .iter()
            .filter(|v| v.status == VersionStatus::Superseded)
            .map(VersionRow::of)
            .collect(),
        all: versions.iter().map(VersionRow::of).collect(),
        can_draft: signed_in.may(Action::DraftPolicy),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct NewDraftForm {
    #[serde(default)]
    start_from: String,
}

/// Starts a draft from the version in force (the usual case: a review) or the model defaults.
pub async fn create_draft(
    State(state): State<AppState>,
    signed_in: SignedIn,
    axum::Form(form): axum::Form<NewDraftForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::DraftPolicy).await?;
    let council = signed_in.council_id();
    let in_force = state.store().in_force(council).await?;
    let (profile, origin, note) = match (form.start_from.as_str(), in_force) {
        ("in_force", Some(v)) => (
            v.profile,
            VersionOrigin::Builder,
            format!("Started from version {}", v.number),
        ),
        _ => (
            PolicyProfile::model_defaults(),
            VersionOrigin::Model,
            String::new(),
        ),
    };
    let id = PolicyVersionId::generate();
    let (draft, event) = new_draft(
        council,
        id,
        DraftContent {
            profile,
            origin,
            note,
        },
        signed_in.person_id(),
        state.now(),
    )
    .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    state.store().create_draft(&draft, &event).await?;
    Ok(Redirect::to(&format!(
        "/policy/versions/{id}/questions/{}",
        Step::ALL[0].slug()
    ))
    .into_response())
}

/// Loads a version of the signed-in person's council, or "not found".
pub async fn load_version(
    state: &AppState,
    council: CouncilId,
    id: &str,
) -> Result<PolicyVersion, AppError> {
    let id = PolicyVersionId::parse(id).map_err(|_| AppError::NotFound)?;
    Ok(state.store().version(council, id).await?)
}

/// The rendering inputs for a version: its adoption record, if adopted.
pub fn adoption_block(version: &PolicyVersion) -> AdoptionBlock {
    AdoptionBlock {
        adopted_on: version.adopted_on,
        minute_reference: version.minute_reference.as_ref().map(|m| m.to_string()),
        review_due: version.review_due,
        review_interval_months: version.profile.review_interval_months,
    }
}

/// One row of the "check your answers" list.
pub struct AnswerRow {
    pub label: &'static str,
    pub value: String,
    pub clauses: String,
    pub change: Option<String>,
    pub weak: Option<String>,
}

fn answer_rows(version: &PolicyVersion, editable: bool) -> Vec<AnswerRow> {
    let p = &version.profile;
    let weaknesses = p.weaknesses();
    let yes_no = |b: bool| if b { "Yes" } else { "No" }.to_owned();
    let rows: Vec<(ProfileField, String, Step)> = vec![
        (
            ProfileField::EquipmentPersonalUse,
            p.equipment_personal_use.label().to_owned(),
            Step::EquipmentUse,
        ),
        (
            ProfileField::EmailPersonalUse,
            p.email_personal_use.label().to_owned(),
            Step::EmailUse,
        ),
        (
            ProfileField::NegligenceLiability,
            p.negligence_liability.describe(),
            Step::Liability,
        ),
        (
            ProfileField::DevicePinMinDigits,
            format!("{} digits", p.device_pin_min_digits),
            Step::Devices,
        ),
        (
            ProfileField::DeviceLockoutAttempts,
            format!("{} attempts", p.device_lockout_attempts),
            Step::Devices,
        ),
        (
            ProfileField::DeviceIdleLockMinutes,
            format!("{} minutes", p.device_idle_lock_minutes),
            Step::Devices,
        ),
        (
            ProfileField::PasswordStyle,
            match p.password_style {
                custodian_core::policy::PasswordStyle::ThreeRandomWords => {
                    "Three random words".to_owned()
                }
                custodian_core::policy::PasswordStyle::RandomCharacters => {
                    "Random characters".to_owned()
                }
            },
            Step::Passwords,
        ),
        (
            ProfileField::PasswordManagerRequired,
            yes_no(p.password_manager_required),
            Step::Passwords,
        ),
        (
            ProfileField::Mfa,
            match p.mfa {
                custodian_core::policy::MfaRule::Required => "Required".to_owned(),
                custodian_core::policy::MfaRule::WherePossible => "Wherever possible".to_owned(),
            },
            Step::Mfa,
        ),
        (
            ProfileField::MfaRequiredRoles,
            if p.mfa_required_roles.is_empty() {
                "Nobody".to_owned()
            } else {
                p.mfa_required_roles.labels()
            },
            Step::Mfa,
        ),
        (
            ProfileField::EmergencyCredentialsHolder,
            capitalise(p.emergency_credentials_holder.in_words()),
            Step::Emergency,
        ),
        (
            ProfileField::EmergencyAccessWait,
            format!("{} hours", p.emergency_access_wait_hours),
            Step::Emergency,
        ),
        (
            ProfileField::InternetLogRetention,
            format!("{} months", p.internet_log_retention_months),
            Step::Monitoring,
        ),
        (
            ProfileField::DseAssessment,
            match p.dse_assessment {
                custodian_core::policy::DseAssessment::EyeTestsOffered => {
                    "Eye tests offered".to_owned()
                }
                custodian_core::policy::DseAssessment::Annual => format!(
                    "Workstation assessment every {} months, and eye tests",
                    p.dse_interval_months
                ),
            },
            Step::HealthAndSafety,
        ),
        (
            ProfileField::Approvers,
            p.approvers
                .iter()
                .map(|(k, a)| format!("{}: {}", k.label(), a.in_words()))
                .collect::<Vec<_>>()
                .join("; "),
            Step::Approvals,
        ),
        (
            ProfileField::ReviewInterval,
            format!("Every {} months", p.review_interval_months),
            Step::Review,
        ),
        (
            ProfileField::DeclarationRequired,
            yes_no(p.declaration_required),
            Step::Review,
        ),
    ];
    rows.into_iter()
        .map(|(field, value, step)| AnswerRow {
            label: field.label(),
            value,
            clauses: field.clauses().join(", "),
            change: editable
                .then(|| format!("/policy/versions/{}/questions/{}", version.id, step.slug())),
            weak: weaknesses
                .iter()
                .filter(|w| w.field == field)
                .map(|w| w.message.clone())
                .reduce(|a, b| format!("{a} {b}")),
        })
        .collect()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "policy/version.html")]
struct VersionPage {
    chrome: crate::chrome::Chrome,
    version: VersionRow,
    note: String,
    is_draft: bool,
    answers: Vec<AnswerRow>,
    weakness_count: usize,
    can_draft: bool,
    can_adopt: bool,
    compare_with: Option<(String, u32)>,
    just_adopted: bool,
    asks_signature: bool,
}

#[derive(Deserialize, Default)]
pub struct VersionQuery {
    adopted: Option<String>,
}

pub async fn show_version(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<VersionQuery>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPolicy).await?;
    let council = signed_in.council_id();
    let version = load_version(&state, council, &id).await?;
    let is_draft = version.is_draft();
    let can_draft = signed_in.may(Action::DraftPolicy);
    // A draft is compared with the version in force; an older version with the one after it.
    let compare_with = if is_draft {
        state
            .store()
            .in_force(council)
            .await?
            .map(|v| (v.id.to_string(), v.number))
    } else {
        None
    };
    Ok(render(&VersionPage {
        chrome: chrome(&signed_in, "/policy"),
        note: version.note.clone(),
        answers: answer_rows(&version, is_draft && can_draft),
        weakness_count: version.profile.weaknesses().len(),
        version: VersionRow::of(&version),
        is_draft,
        can_draft,
        can_adopt: is_draft && signed_in.may(Action::AdoptPolicy),
        compare_with,
        just_adopted: query.adopted.is_some() && version.is_in_force(),
        asks_signature: version.profile.declaration_required,
    })?
    .into_response())
}

pub async fn delete_version(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::DraftPolicy).await?;
    let council = signed_in.council_id();
    let version = load_version(&state, council, &id).await?;
    let Ok(event) = delete_draft(&version, signed_in.person_id(), state.now()) else {
        return Ok(Redirect::to(&format!("/policy/versions/{}", version.id)).into_response());
    };
    state
        .store()
        .delete_draft(council, version.id, &event)
        .await?;
    Ok(Redirect::to("/policy").into_response())
}

#[derive(Template)]
#[template(path = "policy/question.html")]
struct QuestionPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    title: &'static str,
    explanation: &'static str,
    questions: Vec<Question>,
    action: String,
    back: String,
    version_number: u32,
    step_number: usize,
    step_count: usize,
}

fn question_page(
    signed_in: &SignedIn,
    version: &PolicyVersion,
    step: Step,
    profile: &PolicyProfile,
    errors: Errors,
    submitted: Option<&Answers>,
) -> Result<Response, AppError> {
    let at = step.number();
    let mut questions = questions::questions(step, profile);
    if let Some(answers) = submitted {
        questions::refill(&mut questions, answers);
    }
    let back = match at {
        1 => format!("/policy/versions/{}", version.id),
        n => format!(
            "/policy/versions/{}/questions/{}",
            version.id,
            Step::ALL[n - 2].slug()
        ),
    };
    Ok(render(&QuestionPage {
        chrome: chrome(signed_in, "/policy"),
        errors,
        title: step.title(),
        explanation: step.explanation(),
        questions,
        action: format!("/policy/versions/{}/questions/{}", version.id, step.slug()),
        back,
        version_number: version.number,
        step_number: at,
        step_count: Step::ALL.len(),
    })?
    .into_response())
}

async fn draft_and_step(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
    step: &str,
) -> Result<(PolicyVersion, Step), AppError> {
    signed_in.require(Action::DraftPolicy).await?;
    let version = load_version(state, signed_in.council_id(), id).await?;
    let step = Step::parse(step).ok_or(AppError::NotFound)?;
    Ok((version, step))
}

pub async fn show_question(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, step)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (version, step) = draft_and_step(&state, &signed_in, &id, &step).await?;
    if !version.is_draft() {
        return Ok(Redirect::to(&format!("/policy/versions/{}", version.id)).into_response());
    }
    question_page(
        &signed_in,
        &version,
        step,
        &version.profile,
        Errors::new(),
        None,
    )
}

pub async fn answer_question(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, step)): Path<(String, String)>,
    RepeatedForm(pairs): RepeatedForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (version, step) = draft_and_step(&state, &signed_in, &id, &step).await?;
    if !version.is_draft() {
        return Ok(Redirect::to(&format!("/policy/versions/{}", version.id)).into_response());
    }
    let mut profile = version.profile.clone();
    let answers = Answers(pairs);
    if let Err(errors) = questions::apply(step, &answers, &mut profile) {
        return question_page(
            &signed_in,
            &version,
            step,
            &version.profile,
            errors,
            Some(&answers),
        );
    }
    if profile != version.profile {
        let (revised, event) = revise_draft(
            &version,
            profile,
            &version.note,
            signed_in.person_id(),
            state.now(),
        )
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
        state.store().update_draft(&revised, &event).await?;
    }
    let next = match step.next() {
        Some(next) => format!("/policy/versions/{}/questions/{}", version.id, next.slug()),
        None => format!("/policy/versions/{}", version.id),
    };
    Ok(Redirect::to(&next).into_response())
}
