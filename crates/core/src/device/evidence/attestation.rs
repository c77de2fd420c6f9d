//! The self-attestation form: a person says how their own device is set up. Every question can
//! be answered "I don't know", which leaves that fact as it was (unknown, unless another source
//! already reported it). The same form serves the IT provider recording what they checked by
//! hand; the caller chooses the source.

use super::values::{self, DATE_ACCEPTED};
use crate::device::{
    AttemptLimit, IdleLock, OsVersion, PinLength, ReportedFacts, ScreenLock, WorkProfile,
};
use crate::policy::version::london_today;
use jiff::Timestamp;

/// The form as submitted: every field is the text the browser sent. Radio answers use the
/// stored names (`ScreenLock::as_str`...), `yes`/`no`, `after`/`never`, and `unknown` (or
/// nothing) for "I don't know".
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct AttestationForm {
    pub os_version: String,
    pub disk_encryption: String,
    pub screen_lock: String,
    pub pin_length: String,
    pub lockout: String,
    pub lockout_attempts: String,
    pub idle_lock: String,
    pub idle_lock_minutes: String,
    pub auto_wipe: String,
    pub auto_wipe_attempts: String,
    pub remote_wipe: String,
    pub work_profile: String,
    pub last_os_update: String,
    pub os_supported: String,
    pub anti_malware: String,
}

/// A problem with one answer: the form field's id and the message shown beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// The most wrong tries a device setting can sensibly allow.
const MAX_ATTEMPTS: u32 = 100;
/// A day: the longest idle-lock time the form accepts.
const MAX_IDLE_MINUTES: u32 = 1440;

struct Reader {
    errors: Vec<FieldError>,
}

impl Reader {
    fn fail<T>(&mut self, field: &'static str, message: impl Into<String>) -> Option<T> {
        self.errors.push(FieldError {
            field,
            message: message.into(),
        });
        None
    }

    fn yes_no(&mut self, field: &'static str, text: &str, question: &str) -> Option<bool> {
        match text.trim() {
            "yes" => Some(true),
            "no" => Some(false),
            "" | "unknown" => None,
            _ => self.fail(
                field,
                format!("Choose Yes, No or I don't know for {question}."),
            ),
        }
    }

    fn choice<T>(
        &mut self,
        field: &'static str,
        text: &str,
        parse: impl Fn(&str) -> Option<T>,
        question: &str,
    ) -> Option<T> {
        match text.trim() {
            "" | "unknown" => None,
            other => match parse(other) {
                Some(value) => Some(value),
                None => self.fail(
                    field,
                    format!("Choose one of the answers for {question}, or I don't know."),
                ),
            },
        }
    }

    /// A "never / after N / I don't know" question. A number typed without choosing "after"
    /// counts as "after".
    fn attempts(
        &mut self,
        choice_field: &'static str,
        number_field: &'static str,
        choice: &str,
        number: &str,
        what: &str,
    ) -> Option<AttemptLimit> {
        let number = number.trim();
        match choice.trim() {
            "never" => Some(AttemptLimit::Never),
            "unknown" => None,
            "" if number.is_empty() => None,
            "after" | "" => match values::whole_number(number, 1, MAX_ATTEMPTS) {
                Ok(Some(n)) => u8::try_from(n).ok().and_then(AttemptLimit::after),
                _ => self.fail(
                    number_field,
                    format!(
                        "{what} must be a whole number of wrong tries from 1 to {MAX_ATTEMPTS}, or choose 'Never'."
                    ),
                ),
            },
            _ => self.fail(choice_field, format!("Choose an answer for {}.", what.to_lowercase())),
        }
    }
}

/// Reads the form into the facts it reports. All answers are checked and every problem is
/// returned at once, naming its field; nothing is reported when any answer is wrong.
pub fn read_attestation(
    form: &AttestationForm,
    now: Timestamp,
) -> Result<ReportedFacts, Vec<FieldError>> {
    let mut r = Reader { errors: Vec::new() };
    let os_version = match form.os_version.trim() {
        "" => None,
        text => match OsVersion::parse(text) {
            Ok(version) => Some(version),
            Err(e) => r.fail("os_version", capitalised(&e.to_string())),
        },
    };
    let pin_length = match values::whole_number(&form.pin_length, 1, u32::from(PinLength::MAX)) {
        Ok(digits) => digits.and_then(|d| u8::try_from(d).ok()).and_then(|d| PinLength::new(d).ok()),
        Err(()) => r.fail(
            "pin_length",
            format!(
                "PIN length must be a whole number of digits from 1 to {}, or leave it empty if you do not know.",
                PinLength::MAX
            ),
        ),
    };
    let idle_lock = read_idle_lock(&mut r, form);
    let last_os_update = match values::date(&form.last_os_update) {
        Ok(Some(date)) if date > london_today(now) => r.fail(
            "last_os_update",
            "The date of the last update cannot be in the future.",
        ),
        Ok(date) => date,
        Err(()) => r.fail(
            "last_os_update",
            format!("The date of the last update must be {DATE_ACCEPTED}, or leave it empty if you do not know."),
        ),
    };
    let reported = ReportedFacts {
        os_version,
        disk_encryption: r.yes_no("disk_encryption", &form.disk_encryption, "encryption"),
        screen_lock: r.choice(
            "screen_lock",
            &form.screen_lock,
            ScreenLock::parse,
            "the screen lock",
        ),
        pin_length,
        lockout: r.attempts(
            "lockout",
            "lockout_attempts",
            &form.lockout,
            &form.lockout_attempts,
            "Locking after wrong tries",
        ),
        idle_lock,
        auto_wipe: r.attempts(
            "auto_wipe",
            "auto_wipe_attempts",
            &form.auto_wipe,
            &form.auto_wipe_attempts,
            "Erasing after wrong tries",
        ),
        remote_wipe: r.yes_no("remote_wipe", &form.remote_wipe, "remote wipe"),
        work_profile: r.choice(
            "work_profile",
            &form.work_profile,
            WorkProfile::parse,
            "the work profile",
        ),
        last_os_update,
        os_supported: r.yes_no(
            "os_supported",
            &form.os_supported,
            "whether the operating system still gets updates",
        ),
        anti_malware: r.yes_no("anti_malware", &form.anti_malware, "anti-virus"),
    };
    if r.errors.is_empty() {
        Ok(reported)
    } else {
        Err(r.errors)
    }
}

fn read_idle_lock(r: &mut Reader, form: &AttestationForm) -> Option<IdleLock> {
    let message = format!(
        "Idle lock must be a whole number of minutes from 1 to {MAX_IDLE_MINUTES}, or choose 'Never'."
    );
    let minutes = form.idle_lock_minutes.trim();
    match form.idle_lock.trim() {
        "never" => Some(IdleLock::Never),
        "unknown" => None,
        "" if minutes.is_empty() => None,
        "after" | "" => match values::whole_number(minutes, 1, MAX_IDLE_MINUTES) {
            Ok(Some(minutes)) => u16::try_from(minutes)
                .ok()
                .and_then(IdleLock::after_minutes),
            _ => r.fail("idle_lock_minutes", message),
        },
        _ => r.fail(
            "idle_lock",
            "Choose an answer for how soon it locks when left alone.",
        ),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PersonId;
    use crate::device::{
        DeviceFacts, DeviceKind, FactSource, Ownership, Platform, Requirement, Status, evaluate,
    };
    use crate::policy::PolicyProfile;

    fn now() -> Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    fn phone_answers() -> AttestationForm {
        AttestationForm {
            os_version: "17.5".into(),
            disk_encryption: "yes".into(),
            screen_lock: "biometric_with_pin".into(),
            pin_length: "6".into(),
            lockout: "after".into(),
            lockout_attempts: "10".into(),
            idle_lock: "after".into(),
            idle_lock_minutes: "30".into(),
            auto_wipe: "never".into(),
            remote_wipe: "yes".into(),
            last_os_update: "20/05/2026".into(),
            os_supported: "yes".into(),
            ..AttestationForm::default()
        }
    }

    #[test]
    fn a_completed_form_reports_each_answer() {
        let reported = read_attestation(&phone_answers(), now()).unwrap();
        assert_eq!(reported.os_version.unwrap().as_str(), "17.5");
        assert_eq!(reported.screen_lock, Some(ScreenLock::BiometricWithPin));
        assert_eq!(reported.pin_length.map(PinLength::digits), Some(6));
        assert_eq!(reported.lockout, AttemptLimit::after(10));
        assert_eq!(reported.idle_lock, IdleLock::after_minutes(30));
        assert_eq!(reported.auto_wipe, Some(AttemptLimit::Never));
        assert_eq!(
            reported.last_os_update,
            Some(jiff::civil::date(2026, 5, 20))
        );
        assert_eq!(reported.work_profile, None);
        assert_eq!(reported.anti_malware, None);
    }

    #[test]
    fn i_dont_know_leaves_a_fact_unknown_and_is_never_a_guess() {
        let form = AttestationForm {
            disk_encryption: "unknown".into(),
            screen_lock: "unknown".into(),
            idle_lock: "unknown".into(),
            lockout: "unknown".into(),
            ..AttestationForm::default()
        };
        let reported = read_attestation(&form, now()).unwrap();
        assert!(reported.is_empty());
        let by = PersonId::generate();
        let mut facts =
            DeviceFacts::unknown(DeviceKind::Phone, Platform::Android, Ownership::Personal);
        facts.apply(&reported, FactSource::SelfAttested { by }, now());
        let evaluation = evaluate(&PolicyProfile::model_defaults(), &facts, now());
        assert!(evaluation.findings().all(|f| f.status() == Status::Unknown));
    }

    #[test]
    fn each_wrong_answer_is_named_at_its_field_in_plain_words() {
        let form = AttestationForm {
            idle_lock: "after".into(),
            idle_lock_minutes: "1441".into(),
            pin_length: "0".into(),
            lockout_attempts: "lots".into(),
            last_os_update: "2026-07-01".into(),
            screen_lock: "telepathy".into(),
            disk_encryption: "perhaps".into(),
            ..AttestationForm::default()
        };
        let errors = read_attestation(&form, now()).unwrap_err();
        let message = |field: &str| {
            errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
                .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))
        };
        assert_eq!(
            message("idle_lock_minutes"),
            "Idle lock must be a whole number of minutes from 1 to 1440, or choose 'Never'."
        );
        assert!(message("pin_length").starts_with("PIN length must be a whole number"));
        assert!(message("lockout_attempts").contains("or choose 'Never'"));
        assert_eq!(
            message("last_os_update"),
            "The date of the last update cannot be in the future."
        );
        assert!(message("screen_lock").contains("screen lock"));
        assert_eq!(
            message("disk_encryption"),
            "Choose Yes, No or I don't know for encryption."
        );
        assert_eq!(errors.len(), 6);
    }

    #[test]
    fn a_phone_answering_thirty_minutes_meets_a_thirty_minute_rule_but_not_a_five_minute_one() {
        let reported = read_attestation(&phone_answers(), now()).unwrap();
        let by = PersonId::generate();
        let mut facts = DeviceFacts::unknown(DeviceKind::Phone, Platform::Ios, Ownership::Personal);
        facts.apply(&reported, FactSource::SelfAttested { by }, now());
        let mut profile = PolicyProfile::model_defaults();
        profile.device_idle_lock_minutes = 30;
        let idle = |p: &PolicyProfile| {
            evaluate(p, &facts, now())
                .finding(Requirement::IdleLock)
                .map(|f| f.status())
        };
        assert_eq!(idle(&profile), Some(Status::Compliant));
        profile.device_idle_lock_minutes = 5;
        assert_eq!(idle(&profile), Some(Status::ActionNeeded));
    }
}
