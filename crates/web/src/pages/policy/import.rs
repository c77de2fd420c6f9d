//! Importing the council's existing policy: upload a .docx, .md or .txt file, see each value
//! Custodian found with the clause and sentence it came from (and what it did not recognise),
//! correct anything, and confirm to make a draft.

use super::questions::{self, Answers, Question, Step};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form as RepeatedForm;
use custodian_core::ids::PolicyVersionId;
use custodian_core::permission::Action;
use custodian_core::policy::ApprovalKind;
use custodian_core::policy::PolicyProfile;
use custodian_core::policy::import::{ExtraField, ImportedField, ImportedPolicy, import_policy};
use custodian_core::policy::version::{DraftContent, VersionOrigin, new_draft};
use custodian_core::ports::PolicyStore;

#[derive(Template)]
#[template(path = "policy/import.html")]
struct UploadPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
}

pub async fn show(signed_in: SignedIn) -> Result<Response, AppError> {
    signed_in.require(Action::DraftPolicy).await?;
    upload_page(&signed_in, Errors::new())
}

fn upload_page(signed_in: &SignedIn, errors: Errors) -> Result<Response, AppError> {
    Ok(render(&UploadPage {
        chrome: chrome(signed_in, "/policy"),
        errors,
    })?
    .into_response())
}

/// A value found in the document, as the review page shows it.
pub struct FoundRow {
    pub label: &'static str,
    pub clause: String,
    pub text: String,
}

/// One step of the builder on the review page, with what the document said about it.
pub struct ReviewStep {
    pub title: &'static str,
    pub found: Vec<FoundRow>,
    pub not_settled: Vec<&'static str>,
    pub questions: Vec<Question>,
}

#[derive(Template)]
#[template(path = "policy/import_review.html")]
struct ReviewPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    file_name: String,
    council_name: Option<String>,
    adopted: Option<String>,
    steps: Vec<ReviewStep>,
    unrecognised: Vec<String>,
    lint: Vec<(String, String)>,
}

/// The builder step each imported value belongs to, and its name on the page.
fn step_of(field: ImportedField) -> Option<(Step, &'static str)> {
    use ImportedField as F;
    Some(match field {
        F::CouncilName | F::AdoptedOn | F::MinuteReference => return None,
        F::ReviewIntervalMonths => (Step::Review, "How often the policy is reviewed"),
        F::DeclarationRequired => (Step::Review, "Whether people must sign a declaration"),
        F::EquipmentPersonalUse => (Step::EquipmentUse, "Personal use of equipment"),
        F::EmailPersonalUse => (Step::EmailUse, "Personal use of email"),
        F::NegligenceLiability => (Step::Liability, "Liability for negligent loss"),
        F::DevicePinMinDigits => (Step::Devices, "Shortest PIN"),
        F::DeviceLockoutAttempts => (Step::Devices, "Attempts before a device locks"),
        F::DeviceIdleLockMinutes => (Step::Devices, "Minutes before an idle device locks"),
        F::InternetLogRetentionMonths => (Step::Monitoring, "How long internet records are kept"),
        F::EmergencyCredentialsHolder => (Step::Emergency, "Who holds the emergency credentials"),
        F::PasswordManagerRequired => (Step::Passwords, "Whether a password manager is required"),
        F::PasswordStyle => (Step::Passwords, "How passwords are made"),
        F::Mfa => (Step::Mfa, "Multi-factor authentication"),
        F::DseAssessment => (Step::HealthAndSafety, "Display screen equipment"),
    })
}

const FIELDS: [ImportedField; 14] = [
    ImportedField::EquipmentPersonalUse,
    ImportedField::EmailPersonalUse,
    ImportedField::NegligenceLiability,
    ImportedField::DevicePinMinDigits,
    ImportedField::DeviceLockoutAttempts,
    ImportedField::DeviceIdleLockMinutes,
    ImportedField::PasswordStyle,
    ImportedField::PasswordManagerRequired,
    ImportedField::Mfa,
    ImportedField::EmergencyCredentialsHolder,
    ImportedField::InternetLogRetentionMonths,
    ImportedField::DseAssessment,
    ImportedField::ReviewIntervalMonths,
    ImportedField::DeclarationRequired,
];

fn review_steps(imported: &ImportedPolicy, profile: &PolicyProfile) -> Vec<ReviewStep> {
    Step::ALL
        .iter()
        .map(|step| {
            let mut found = Vec::new();
            let mut not_settled = Vec::new();
            for field in FIELDS {
                let Some((field_step, label)) = step_of(field) else {
                    continue;
                };
                if field_step != *step {
                    continue;
                }
                match imported.sources.get(field) {
                    Some(source) => found.push(FoundRow {
                        label,
                        clause: source.clause.clone(),
                        text: source.text.clone(),
                    }),
                    None => not_settled.push(label),
                }
            }
            add_extra_sources(imported, *step, &mut found, &mut not_settled);
            ReviewStep {
                title: step.title(),
                found,
                not_settled,
                questions: questions::questions(*step, profile),
            }
        })
        .collect()
}

/// The values beyond the JSON contract (approvers, MFA roles, the emergency waiting time, the
/// assessment interval) that belong on `step`, found or not.
fn add_extra_sources(
    imported: &ImportedPolicy,
    step: Step,
    found: &mut Vec<FoundRow>,
    not_settled: &mut Vec<&'static str>,
) {
    let fields: Vec<(ExtraField, &'static str)> = match step {
        Step::Mfa => vec![(ExtraField::MfaRequiredRoles, "Who must use a second step")],
        Step::Emergency => vec![(
            ExtraField::EmergencyAccessWaitHours,
            "Waiting time for emergency access",
        )],
        Step::HealthAndSafety => {
            vec![(ExtraField::DseIntervalMonths, "Months between assessments")]
        }
        Step::Approvals => ApprovalKind::ALL
            .into_iter()
            .map(|kind| (ExtraField::Approver(kind), kind.label()))
            .collect(),
        _ => Vec::new(),
    };
    for (field, label) in fields {
        match imported.extra_sources.get(field) {
            Some(source) => found.push(FoundRow {
                label,
                clause: source.clause.clone(),
                text: source.text.clone(),
            }),
            None => not_settled.push(label),
        }
    }
}

fn describe_adoption(imported: &ImportedPolicy) -> Option<String> {
    match (&imported.adopted_on, &imported.minute_reference) {
        (Some(on), Some(minute)) => Some(format!("adopted {on} (minute {minute})")),
        (Some(on), None) => Some(format!("adopted {on}")),
        (None, Some(minute)) => Some(format!("adopted under minute {minute}")),
        (None, None) => None,
    }
}

pub async fn upload(
    State(_state): State<AppState>,
    signed_in: SignedIn,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    signed_in.require(Action::DraftPolicy).await?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("policy_file") {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let mut errors = Errors::new();
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        errors.add(
            "policy_file",
            "Choose the file that holds your council's IT policy",
        );
        return upload_page(&signed_in, errors);
    };
    let imported = match custodian_docx::policy_file_text(&file_name, &bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| import_policy(&text).map_err(|e| e.to_string()))
    {
        Ok(imported) => imported,
        Err(message) => {
            errors.add("policy_file", format!("{file_name}: {message}"));
            return upload_page(&signed_in, errors);
        }
    };
    let profile = imported.apply_to(&PolicyProfile::model_defaults());
    Ok(render(&ReviewPage {
        chrome: chrome(&signed_in, "/policy"),
        errors,
        file_name,
        council_name: imported.council_name.clone(),
        adopted: describe_adoption(&imported),
        steps: review_steps(&imported, &profile),
        unrecognised: imported.unrecognised.clone(),
        lint: imported
            .lint
            .iter()
            .map(|l| (l.clause.clone(), l.message.clone()))
            .collect(),
    })?
    .into_response())
}

/// Confirms the reviewed values: every step's answers are applied to the model defaults (so
/// nothing the person did not see is kept) and the result becomes a draft.
pub async fn confirm(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RepeatedForm(pairs): RepeatedForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    signed_in.require(Action::DraftPolicy).await?;
    let file_name = pairs
        .iter()
        .find(|(k, _)| k == "file_name")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let note = pairs
        .iter()
        .find(|(k, _)| k == "source_note")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let answers = Answers(pairs);
    let mut profile = PolicyProfile::model_defaults();
    let mut all_errors = Errors::new();
    for step in Step::ALL {
        if let Err(errors) = questions::apply(step, &answers, &mut profile) {
            for (field, message) in errors.items() {
                all_errors.add(field, message.clone());
            }
        }
    }
    if !all_errors.is_empty() {
        let mut steps: Vec<ReviewStep> = Step::ALL
            .iter()
            .map(|step| ReviewStep {
                title: step.title(),
                found: Vec::new(),
                not_settled: Vec::new(),
                questions: questions::questions(*step, &profile),
            })
            .collect();
        for step in &mut steps {
            questions::refill(&mut step.questions, &answers);
        }
        return Ok(render(&ReviewPage {
            chrome: chrome(&signed_in, "/policy"),
            errors: all_errors,
            file_name,
            council_name: None,
            adopted: None,
            steps,
            unrecognised: Vec::new(),
            lint: Vec::new(),
        })?
        .into_response());
    }
    let id = PolicyVersionId::generate();
    let file_name = if file_name.trim().is_empty() {
        "uploaded file".to_owned()
    } else {
        file_name
    };
    let (draft, event) = new_draft(
        signed_in.council_id(),
        id,
        DraftContent {
            profile,
            origin: VersionOrigin::Imported { file_name },
            note,
        },
        signed_in.person_id(),
        state.now(),
    )
    .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    state.store().create_draft(&draft, &event).await?;
    Ok(Redirect::to(&format!("/policy/versions/{id}")).into_response())
}
