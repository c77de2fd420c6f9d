//! The questions about a device (`/devices/{id}/attest`): the person who uses it says how it
//! is set up (self-attestation, believed for 12 months), or the Clerk or IT provider records
//! what they checked by hand. Every question can be answered "I don't know", which leaves the
//! fact as it was. Only the questions the policy asks of this kind of device are shown.

use super::views::Choice;
use super::{conflict_message, is_own, load};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::device::evidence::{AttestationForm, read_attestation};
use custodian_core::device::hints::how_to;
use custodian_core::device::{
    AttemptLimit, Device, Fact, FactSource, IdleLock, Requirement, ScreenLock, WorkProfile,
    evaluate, record_facts,
};
use custodian_core::permission::Action;
use custodian_core::policy::PolicyProfile;
use custodian_core::ports::DeviceStore;

/// A text box shown under a question (or alone).
pub struct Input {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub width: &'static str,
    pub inputmode: &'static str,
}

/// One question: radios, a text box, or radios followed by a text box for "after how many".
pub struct Question {
    pub id: &'static str,
    pub legend: String,
    pub hint: String,
    pub options: Vec<Choice>,
    pub input: Option<Input>,
}

#[derive(Template)]
#[template(path = "devices/attest.html")]
struct AttestPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    id: String,
    name: String,
    own: bool,
    questions: Vec<Question>,
    just_requested: bool,
}

/// Who is answering: the person who uses the device, or someone checking it for the council.
fn source_for(signed_in: &SignedIn, device: &Device) -> FactSource {
    let by = signed_in.person_id();
    if is_own(signed_in, device) {
        FactSource::SelfAttested { by }
    } else {
        FactSource::ItProvider { by }
    }
}

/// Checks the signed-in person may answer for this device: their own, or anyone's when they
/// may record device evidence. Others get 403, audited.
async fn require_answerer(signed_in: &SignedIn, device: &Device) -> Result<(), AppError> {
    if !is_own(signed_in, device) {
        signed_in.require(Action::RecordDeviceEvidence).await?;
    }
    if !device.is_in_use() {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The form filled in with what this kind of source said before, so confirming again is quick.
/// Facts from other sources are not copied: answering would otherwise restate an osquery
/// report as the person's own word.
fn prefill(device: &Device, source: FactSource) -> AttestationForm {
    let same = |fact_source: &FactSource| fact_source.kind_str() == source.kind_str();
    fn take<T: Clone>(fact: &Fact<T>, same: &dyn Fn(&FactSource) -> bool) -> Option<T> {
        match fact {
            Fact::Known { value, source, .. } if same(source) => Some(value.clone()),
            _ => None,
        }
    }
    let facts = &device.facts;
    let yes_no = |fact: &Fact<bool>| match take(fact, &same) {
        Some(true) => "yes".to_owned(),
        Some(false) => "no".to_owned(),
        None => String::new(),
    };
    let attempts = |fact: &Fact<AttemptLimit>| match take(fact, &same) {
        Some(AttemptLimit::Never) => ("never".to_owned(), String::new()),
        Some(AttemptLimit::After { attempts }) => ("after".to_owned(), attempts.to_string()),
        None => (String::new(), String::new()),
    };
    let (lockout, lockout_attempts) = attempts(&facts.lockout);
    let (auto_wipe, auto_wipe_attempts) = attempts(&facts.auto_wipe);
    let (idle_lock, idle_lock_minutes) = match take(&facts.idle_lock, &same) {
        Some(IdleLock::Never) => ("never".to_owned(), String::new()),
        // Rounded up: a phone set to 30 seconds is shown as 1 minute, never as less.
        Some(IdleLock::After { seconds }) => {
            ("after".to_owned(), seconds.get().div_ceil(60).to_string())
        }
        None => (String::new(), String::new()),
    };
    AttestationForm {
        os_version: take(&facts.os_version, &same)
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default(),
        disk_encryption: yes_no(&facts.disk_encryption),
        screen_lock: take(&facts.screen_lock, &same)
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default(),
        pin_length: take(&facts.pin_length, &same)
            .map(|p| p.digits().to_string())
            .unwrap_or_default(),
        lockout,
        lockout_attempts,
        idle_lock,
        idle_lock_minutes,
        auto_wipe,
        auto_wipe_attempts,
        remote_wipe: yes_no(&facts.remote_wipe),
        work_profile: take(&facts.work_profile, &same)
            .map(|w| w.as_str().to_owned())
            .unwrap_or_default(),
        last_os_update: take(&facts.last_os_update, &same)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        os_supported: yes_no(&facts.os_supported),
        anti_malware: yes_no(&facts.anti_malware),
    }
}

const UNKNOWN: (&str, &str) = ("unknown", "I don't know");

fn yes_no(selected: &str) -> Vec<Choice> {
    [("yes", "Yes"), ("no", "No"), UNKNOWN]
        .into_iter()
        .map(|(v, l)| Choice::new(v, l, selected))
        .collect()
}

fn never_or_after(selected: &str, after: &str) -> Vec<Choice> {
    [("after", after), ("never", "Never"), UNKNOWN]
        .into_iter()
        .map(|(v, l)| Choice::new(v, l, selected))
        .collect()
}

fn number(id: &'static str, label: &'static str, value: &str) -> Option<Input> {
    Some(Input {
        id,
        label,
        value: value.to_owned(),
        width: "govuk-input--width-3",
        inputmode: "numeric",
    })
}

/// The questions the policy asks of this device, with `form`'s answers selected.
fn questions(device: &Device, form: &AttestationForm) -> Vec<Question> {
    let platform = device.facts.platform;
    let noun = device.facts.kind.noun();
    let hint = |requirement| format!("To check: {}", how_to(requirement, platform));
    // Which rules apply is the evaluation's decision; any profile gives the same answer.
    let applies = evaluate(
        &PolicyProfile::model_defaults(),
        &device.facts,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let asks = |requirement| applies.finding(requirement).is_some();
    let mut all = vec![
        Question {
            id: "os_version",
            legend: format!("Which version of the operating system does your {noun} run?"),
            hint: "As the device shows it, for example 17.5 or Windows 11 23H2. Leave empty if you do not know.".to_owned(),
            options: Vec::new(),
            input: Some(Input {
                id: "os_version",
                label: "Operating system version",
                value: form.os_version.clone(),
                width: "govuk-input--width-20",
                inputmode: "",
            }),
        },
        Question {
            id: "os_supported",
            legend: "Does its maker still send security updates for it?".to_owned(),
            hint: hint(Requirement::OsSupported),
            options: yes_no(&form.os_supported),
            input: None,
        },
        Question {
            id: "last_os_update",
            legend: "When was the last system update installed?".to_owned(),
            hint: format!("For example 2026-05-20 or 20/05/2026. Leave empty if you do not know. {}", hint(Requirement::OsUpdated)),
            options: Vec::new(),
            input: Some(Input {
                id: "last_os_update",
                label: "Date of the last update",
                value: form.last_os_update.clone(),
                width: "govuk-input--width-10",
                inputmode: "",
            }),
        },
        Question {
            id: "disk_encryption",
            legend: format!("Is your {noun} encrypted?"),
            hint: hint(Requirement::DiskEncryption),
            options: yes_no(&form.disk_encryption),
            input: None,
        },
        Question {
            id: "screen_lock",
            legend: "How is the screen unlocked?".to_owned(),
            hint: "If you use a fingerprint or your face, choose what you type when that does not work.".to_owned(),
            options: ScreenLock::ALL
                .iter()
                .map(|l| (l.as_str(), l.label()))
                .chain([UNKNOWN])
                .map(|(v, l)| Choice::new(v, l, &form.screen_lock))
                .collect(),
            input: None,
        },
    ];
    if asks(Requirement::PinLength) {
        all.push(Question {
            id: "pin_length",
            legend: "How many digits does the PIN have?".to_owned(),
            hint: "Leave empty if it is locked with a password, has no PIN, or you do not know."
                .to_owned(),
            options: Vec::new(),
            input: number("pin_length", "Number of digits", &form.pin_length),
        });
    }
    if asks(Requirement::LockoutAttempts) {
        all.push(Question {
            id: "lockout",
            legend: format!("Does your {noun} lock after a number of wrong tries?"),
            hint: hint(Requirement::LockoutAttempts),
            options: never_or_after(&form.lockout, "Yes, after a number of wrong tries"),
            input: number(
                "lockout_attempts",
                "After how many wrong tries?",
                &form.lockout_attempts,
            ),
        });
        if device.facts.kind.is_mobile() {
            all.push(Question {
                id: "auto_wipe",
                legend: format!("Does your {noun} erase itself after a number of wrong tries?"),
                hint: "Some phones offer this as 'Erase data' or 'Auto factory reset'.".to_owned(),
                options: never_or_after(&form.auto_wipe, "Yes, after a number of wrong tries"),
                input: number(
                    "auto_wipe_attempts",
                    "After how many wrong tries?",
                    &form.auto_wipe_attempts,
                ),
            });
        }
    }
    all.push(Question {
        id: "idle_lock",
        legend: format!("How soon does your {noun} lock when it is left alone?"),
        hint: hint(Requirement::IdleLock),
        options: never_or_after(&form.idle_lock, "After a number of minutes"),
        input: number(
            "idle_lock_minutes",
            "After how many minutes?",
            &form.idle_lock_minutes,
        ),
    });
    for (requirement, id, legend, selected) in [
        (
            Requirement::RemoteWipe,
            "remote_wipe",
            format!("Can your {noun} be erased remotely if it is lost (Find My, Find My Device)?"),
            &form.remote_wipe,
        ),
        (
            Requirement::AntiMalware,
            "anti_malware",
            "Is anti-virus protection turned on and up to date?".to_owned(),
            &form.anti_malware,
        ),
    ] {
        if asks(requirement) {
            all.push(Question {
                id,
                legend,
                hint: hint(requirement),
                options: yes_no(selected),
                input: None,
            });
        }
    }
    if asks(Requirement::WorkProfile) {
        all.push(Question {
            id: "work_profile",
            legend: "Do you keep council work in a separate work profile?".to_owned(),
            hint: hint(Requirement::WorkProfile),
            options: WorkProfile::ALL
                .iter()
                .map(|w| (w.as_str(), w.label()))
                .chain([UNKNOWN])
                .map(|(v, l)| Choice::new(v, l, &form.work_profile))
                .collect(),
            input: None,
        });
    }
    all
}

fn page_for(
    signed_in: &SignedIn,
    device: &Device,
    errors: Errors,
    form: &AttestationForm,
    just_requested: bool,
) -> Result<Response, AppError> {
    let own = is_own(signed_in, device);
    Ok(render(&AttestPage {
        chrome: chrome(signed_in, if own { "/my-equipment" } else { "/devices" }),
        errors,
        id: device.id.to_string(),
        name: device.name.to_string(),
        own,
        questions: questions(device, form),
        just_requested,
    })?
    .into_response())
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let device = load(&state, &signed_in, &id).await?;
    require_answerer(&signed_in, &device).await?;
    let form = prefill(&device, source_for(&signed_in, &device));
    let just_requested = raw.as_deref() == Some("requested=1");
    page_for(&signed_in, &device, Errors::new(), &form, just_requested)
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AttestationForm>,
) -> Result<Response, AppError> {
    let device = load(&state, &signed_in, &id).await?;
    require_answerer(&signed_in, &device).await?;
    let mut errors = Errors::new();
    let now = state.now();
    let reported = match read_attestation(&form, now) {
        Ok(reported) => reported,
        Err(problems) => {
            for problem in problems {
                errors.add(problem.field, problem.message);
            }
            return page_for(&signed_in, &device, errors, &form, false);
        }
    };
    let source = source_for(&signed_in, &device);
    match record_facts(&device, &reported, source, signed_in.actor(), now) {
        Ok((updated, event)) => match state.store().update_device(&updated, &event).await {
            Ok(()) => {
                Ok(Redirect::to(&format!("/devices/{}?attested=1", device.id)).into_response())
            }
            Err(e) => {
                errors.add("os_version", conflict_message(e)?);
                page_for(&signed_in, &device, errors, &form, false)
            }
        },
        Err(e) => {
            errors.add("os_version", e.to_string());
            page_for(&signed_in, &device, errors, &form, false)
        }
    }
}
