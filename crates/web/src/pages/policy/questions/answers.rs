//! Reading a question page's answers back into the profile: every field checked, a plain
//! message for each mistake, and nothing changed unless all of it is right.

use super::{Question, Step, approval_field, questions};
use crate::forms::Errors;
use custodian_core::person::Role;
use custodian_core::policy::{
    ApprovalKind, Approver, DseAssessment, EmergencyHolder, MfaRule, NegligenceLiability,
    PasswordStyle, PersonalUse, PolicyProfile,
};

/// The submitted form: every name/value pair, so repeated checkboxes survive.
pub struct Answers(pub Vec<(String, String)>);

impl Answers {
    pub(super) fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }

    pub(super) fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn choice<T: Copy>(
        &self,
        errors: &mut Errors,
        name: &'static str,
        options: &[(&str, T)],
        missing: &str,
    ) -> Option<T> {
        let found = self
            .one(name)
            .and_then(|v| options.iter().find(|(o, _)| *o == v).map(|(_, t)| *t));
        if found.is_none() {
            errors.add(name, missing);
        }
        found
    }

    fn whole_number(
        &self,
        errors: &mut Errors,
        name: &'static str,
        what: &str,
        min: u32,
        max: u32,
    ) -> Option<u32> {
        let text = self.one(name).unwrap_or("");
        match text.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            Ok(_) => {
                errors.add(name, format!("{what} must be between {min} and {max}"));
                None
            }
            Err(_) if text.is_empty() => {
                errors.add(name, format!("Enter {}", what.to_lowercase()));
                None
            }
            Err(_) => {
                errors.add(name, format!("{what} must be a whole number, like {min}"));
                None
            }
        }
    }
}

/// Applies the answers for `step` to `profile`. On any error nothing is changed.
pub fn apply(step: Step, answers: &Answers, profile: &mut PolicyProfile) -> Result<(), Errors> {
    let mut errors = Errors::new();
    let mut next = profile.clone();
    let use_options = [
        ("none", PersonalUse::None),
        ("outside_working_hours", PersonalUse::OutsideWorkingHours),
        ("reasonable", PersonalUse::Reasonable),
    ];
    let yes_no = [("yes", true), ("no", false)];
    match step {
        Step::EquipmentUse => {
            if let Some(v) = answers.choice(
                &mut errors,
                "equipment_personal_use",
                &use_options,
                "Choose how much personal use is allowed",
            ) {
                next.equipment_personal_use = v;
            }
        }
        Step::EmailUse => {
            if let Some(v) = answers.choice(
                &mut errors,
                "email_personal_use",
                &use_options,
                "Choose how much personal use of email is allowed",
            ) {
                next.email_personal_use = v;
            }
        }
        Step::Liability => match answers.one("liability_kind") {
            Some("replacement_value") => {
                next.negligence_liability = NegligenceLiability::ReplacementValue;
            }
            Some("fixed") => {
                if let Some(pence) =
                    parse_pounds(answers.one("liability_pounds").unwrap_or(""), &mut errors)
                {
                    next.negligence_liability = NegligenceLiability::Fixed {
                        amount_pence: pence,
                    };
                }
            }
            _ => errors.add(
                "liability_kind",
                "Choose a fixed amount or the replacement value",
            ),
        },
        Step::Devices => {
            if let Some(n) = answers.whole_number(
                &mut errors,
                "device_pin_min_digits",
                "The shortest PIN",
                4,
                16,
            ) {
                next.device_pin_min_digits = n as u8;
            }
            if let Some(n) = answers.whole_number(
                &mut errors,
                "device_lockout_attempts",
                "The number of attempts",
                1,
                100,
            ) {
                next.device_lockout_attempts = n as u8;
            }
            if let Some(n) = answers.whole_number(
                &mut errors,
                "device_idle_lock_minutes",
                "The number of minutes",
                1,
                240,
            ) {
                next.device_idle_lock_minutes = n as u16;
            }
        }
        Step::Passwords => {
            if let Some(v) = answers.choice(
                &mut errors,
                "password_style",
                &[
                    ("three_random_words", PasswordStyle::ThreeRandomWords),
                    ("random_characters", PasswordStyle::RandomCharacters),
                ],
                "Choose how people make passwords",
            ) {
                next.password_style = v;
            }
            if let Some(v) = answers.choice(
                &mut errors,
                "password_manager_required",
                &yes_no,
                "Choose whether a password manager is required",
            ) {
                next.password_manager_required = v;
            }
        }
        Step::Mfa => {
            if let Some(v) = answers.choice(
                &mut errors,
                "mfa",
                &[
                    ("required", MfaRule::Required),
                    ("where_possible", MfaRule::WherePossible),
                ],
                "Choose when a second step is needed",
            ) {
                next.mfa = v;
            }
            let mut roles = custodian_core::person::RoleSet::empty();
            for name in answers.all("mfa_required_roles") {
                match Role::parse(name) {
                    Ok(role) => roles = roles.with(role),
                    Err(_) => errors.add("mfa_required_roles", "Choose roles from the list"),
                }
            }
            next.mfa_required_roles = roles;
        }
        Step::Emergency => {
            if let Some(v) = answers.choice(
                &mut errors,
                "emergency_credentials_holder",
                &EmergencyHolder::ALL.map(|h| (h.as_str(), h)),
                "Choose who keeps the sealed copy",
            ) {
                next.emergency_credentials_holder = v;
            }
            if let Some(n) = answers.whole_number(
                &mut errors,
                "emergency_access_wait_hours",
                "The waiting time",
                0,
                168,
            ) {
                next.emergency_access_wait_hours = n as u16;
            }
        }
        Step::Monitoring => {
            if let Some(n) = answers.whole_number(
                &mut errors,
                "internet_log_retention_months",
                "The number of months",
                1,
                84,
            ) {
                next.internet_log_retention_months = n as u16;
            }
        }
        Step::HealthAndSafety => {
            if let Some(v) = answers.choice(
                &mut errors,
                "dse_assessment",
                &[
                    ("eye_tests_offered", DseAssessment::EyeTestsOffered),
                    ("annual", DseAssessment::Annual),
                ],
                "Choose what the council promises",
            ) {
                next.dse_assessment = v;
            }
            if let Some(n) = answers.whole_number(
                &mut errors,
                "dse_interval_months",
                "The number of months",
                1,
                60,
            ) {
                next.dse_interval_months = n as u16;
            }
        }
        Step::Approvals => {
            for kind in ApprovalKind::ALL {
                if let Some(a) = answers.choice(
                    &mut errors,
                    approval_field(kind),
                    &[("clerk", Approver::Clerk), ("council", Approver::Council)],
                    &format!("Choose who approves: {}", kind.label().to_lowercase()),
                ) {
                    next.approvers.set(kind, a);
                }
            }
        }
        Step::Review => {
            if let Some(n) = answers.whole_number(
                &mut errors,
                "review_interval_months",
                "The number of months",
                1,
                60,
            ) {
                next.review_interval_months = n as u16;
            }
            if let Some(v) = answers.choice(
                &mut errors,
                "declaration_required",
                &yes_no,
                "Choose whether people must sign a declaration",
            ) {
                next.declaration_required = v;
            }
        }
    }
    if errors.is_empty()
        && let Err(e) = next.validate()
    {
        errors.add(first_field(step), e.to_string());
    }
    if errors.is_empty() {
        *profile = next;
        Ok(())
    } else {
        Err(errors)
    }
}

fn first_field(step: Step) -> &'static str {
    match questions(step, &PolicyProfile::model_defaults()).first() {
        Some(
            Question::Radios { name, .. }
            | Question::Number { name, .. }
            | Question::Checkboxes { name, .. },
        ) => name,
        None => "main",
    }
}

/// "100", "£100", "12.50" → pence.
fn parse_pounds(text: &str, errors: &mut Errors) -> Option<u32> {
    let cleaned: String = text.trim().trim_start_matches('£').replace(',', "");
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let pence = match (whole.parse::<u32>(), fraction.len()) {
        (Ok(w), 0) => w.checked_mul(100),
        (Ok(w), 1 | 2) => fraction.parse::<u32>().ok().and_then(|f| {
            w.checked_mul(100)?
                .checked_add(if fraction.len() == 1 { f * 10 } else { f })
        }),
        _ => None,
    };
    match pence {
        Some(0) => {
            errors.add(
                "liability_pounds",
                "The amount must be more than £0; choose the replacement value otherwise",
            );
            None
        }
        // £100,000 is far above any liability a council sets.
        Some(p) if p <= 10_000_000 => Some(p),
        Some(_) => {
            errors.add("liability_pounds", "The amount must be £100,000 or less");
            None
        }
        None if cleaned.is_empty() => {
            errors.add(
                "liability_pounds",
                "Enter the fixed amount in pounds, for example 100",
            );
            None
        }
        None => {
            errors.add(
                "liability_pounds",
                "Enter the amount in pounds, like 100 or 12.50",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        Answers(
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn every_step_round_trips_the_model_defaults() {
        for step in Step::ALL {
            let profile = PolicyProfile::model_defaults();
            let mut pairs = Vec::new();
            for q in questions(step, &profile) {
                match q {
                    Question::Radios { name, options, .. }
                    | Question::Checkboxes { name, options, .. } => {
                        for o in options.iter().filter(|o| o.checked) {
                            pairs.push((name.to_owned(), o.value.to_owned()));
                        }
                    }
                    Question::Number { name, value, .. } => pairs.push((name.to_owned(), value)),
                }
            }
            let mut changed = profile.clone();
            assert!(
                apply(step, &Answers(pairs), &mut changed).is_ok(),
                "{step:?}"
            );
            assert_eq!(changed, profile, "{step:?}");
        }
    }

    #[test]
    fn a_wrong_number_changes_nothing_and_names_the_field() {
        let mut profile = PolicyProfile::model_defaults();
        let result = apply(
            Step::Devices,
            &answers(&[
                ("device_pin_min_digits", "8"),
                ("device_lockout_attempts", "lots"),
                ("device_idle_lock_minutes", "5"),
            ]),
            &mut profile,
        );
        let errors = result.unwrap_err();
        assert_eq!(
            errors.get("device_lockout_attempts"),
            Some("The number of attempts must be a whole number, like 1")
        );
        assert_eq!(profile, PolicyProfile::model_defaults());
    }

    #[test]
    fn a_liability_amount_is_read_in_pounds_and_pence() {
        let mut profile = PolicyProfile::model_defaults();
        apply(
            Step::Liability,
            &answers(&[("liability_kind", "fixed"), ("liability_pounds", "£250.5")]),
            &mut profile,
        )
        .unwrap();
        assert_eq!(
            profile.negligence_liability,
            NegligenceLiability::Fixed {
                amount_pence: 25_050
            }
        );
        let errors = apply(
            Step::Liability,
            &answers(&[("liability_kind", "fixed"), ("liability_pounds", "0")]),
            &mut profile,
        )
        .unwrap_err();
        assert!(errors.get("liability_pounds").is_some());
    }

    #[test]
    fn no_roles_ticked_means_nobody_must_use_mfa() {
        let mut profile = PolicyProfile::model_defaults();
        apply(Step::Mfa, &answers(&[("mfa", "required")]), &mut profile).unwrap();
        assert!(profile.mfa_required_roles.is_empty());
        assert_eq!(profile.mfa, MfaRule::Required);
    }
}
