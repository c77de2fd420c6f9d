//! The policy profile: the council's choices in its IT policy as typed, validated values.
//!
//! Every other capability reads these numbers (lock-out attempts, idle lock, log retention,
//! liability, who approves what) instead of hard-coding them. Each field knows the clause of
//! Custodian's model document that states it, so findings can cite it. Values weaker than NCSC
//! Cyber Essentials guidance are allowed (the council decides) but [`PolicyProfile::weaknesses`]
//! flags them with the reason.

pub use super::choices::{
    ApprovalKind, Approver, Approvers, DseAssessment, EmergencyHolder, MfaRule,
    NegligenceLiability, PasswordStyle, PersonalUse, format_pounds,
};
use crate::person::{Role, RoleSet};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The council's policy choices. Construct with [`PolicyProfile::model_defaults`] and change
/// fields, then call [`PolicyProfile::validate`]; a profile loaded from storage is validated on
/// the way in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyProfile {
    /// Months between reviews of the policy (adoption block).
    pub review_interval_months: u16,
    pub equipment_personal_use: PersonalUse,
    pub email_personal_use: PersonalUse,
    pub negligence_liability: NegligenceLiability,
    /// Minimum digits in a phone or tablet PIN (2.2.6).
    pub device_pin_min_digits: u8,
    /// Failed unlock attempts before a phone or tablet locks (2.2.6).
    pub device_lockout_attempts: u8,
    /// Minutes of inactivity before a device asks for its PIN or password (2.2.6).
    pub device_idle_lock_minutes: u16,
    /// Months that internet-use records are kept (5.1.11).
    pub internet_log_retention_months: u16,
    pub emergency_credentials_holder: EmergencyHolder,
    /// Hours between a request for emergency access to sealed credentials and their release,
    /// during which the Clerk and holder are told and can object (4.1.2).
    pub emergency_access_wait_hours: u16,
    pub password_manager_required: bool,
    pub declaration_required: bool,
    pub password_style: PasswordStyle,
    pub mfa: MfaRule,
    /// Roles that must use MFA to sign in to Custodian (4.1.7).
    pub mfa_required_roles: RoleSet,
    pub dse_assessment: DseAssessment,
    /// Months between workstation assessments when [`DseAssessment::Annual`] applies (3.1.2).
    pub dse_interval_months: u16,
    pub approvers: Approvers,
}

/// A value the council may choose but that is weaker than recommended, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Weakness {
    pub field: ProfileField,
    pub message: String,
}

/// A profile value outside what Custodian can work with at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("{field} must be between {min} and {max}; it was {value}")]
    OutOfRange {
        field: &'static str,
        min: u32,
        max: u32,
        value: u32,
    },
    #[error(
        "the liability amount must be more than £0 (choose \"the replacement value\" otherwise)"
    )]
    ZeroLiability,
    #[error("the policy profile could not be read: {0}")]
    Unreadable(String),
}

/// The profile's fields, for citing clauses and naming findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProfileField {
    ReviewInterval,
    EquipmentPersonalUse,
    EmailPersonalUse,
    NegligenceLiability,
    DevicePinMinDigits,
    DeviceLockoutAttempts,
    DeviceIdleLockMinutes,
    InternetLogRetention,
    EmergencyCredentialsHolder,
    EmergencyAccessWait,
    PasswordManagerRequired,
    DeclarationRequired,
    PasswordStyle,
    Mfa,
    MfaRequiredRoles,
    DseAssessment,
    DseInterval,
    Approvers,
}

impl ProfileField {
    /// The clause(s) of Custodian's model document that state this value.
    pub fn clauses(self) -> &'static [&'static str] {
        match self {
            ProfileField::ReviewInterval => &["12.2"],
            ProfileField::EquipmentPersonalUse => &["1.1.1"],
            ProfileField::EmailPersonalUse => &["7.1.5"],
            ProfileField::NegligenceLiability => &["2.1.6"],
            ProfileField::DevicePinMinDigits
            | ProfileField::DeviceLockoutAttempts
            | ProfileField::DeviceIdleLockMinutes => &["2.1.4", "2.2.6"],
            ProfileField::InternetLogRetention => &["5.1.11"],
            ProfileField::EmergencyCredentialsHolder | ProfileField::EmergencyAccessWait => {
                &["4.1.2"]
            }
            ProfileField::PasswordManagerRequired => &["4.1.3"],
            ProfileField::DeclarationRequired => &["11.1"],
            ProfileField::PasswordStyle => &["4.1.1"],
            ProfileField::Mfa | ProfileField::MfaRequiredRoles => &["2.1.5", "4.1.7"],
            ProfileField::DseAssessment | ProfileField::DseInterval => &["3.1.2"],
            ProfileField::Approvers => &[
                "1.1.7", "1.1.8", "1.1.9", "2.1.7", "2.2.1", "6.1.2", "8.2.1", "8.2.2", "9.1.4",
                "9.1.5",
            ],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProfileField::ReviewInterval => "Review interval",
            ProfileField::EquipmentPersonalUse => "Personal use of council equipment",
            ProfileField::EmailPersonalUse => "Personal use of council email",
            ProfileField::NegligenceLiability => "Liability for negligent loss or damage",
            ProfileField::DevicePinMinDigits => "Shortest device PIN",
            ProfileField::DeviceLockoutAttempts => "Failed attempts before a device locks",
            ProfileField::DeviceIdleLockMinutes => "Minutes idle before a device locks",
            ProfileField::InternetLogRetention => "How long internet-use records are kept",
            ProfileField::EmergencyCredentialsHolder => "Who holds the emergency credentials",
            ProfileField::EmergencyAccessWait => "Waiting time for emergency access",
            ProfileField::PasswordManagerRequired => "Password manager required",
            ProfileField::DeclarationRequired => "Signed declaration required",
            ProfileField::PasswordStyle => "How passwords are made",
            ProfileField::Mfa => "Multi-factor authentication",
            ProfileField::MfaRequiredRoles => "Roles that must use multi-factor authentication",
            ProfileField::DseAssessment => "Display screen equipment",
            ProfileField::DseInterval => "Months between workstation assessments",
            ProfileField::Approvers => "Who approves requests",
        }
    }
}

impl fmt::Display for ProfileField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// NCSC Cyber Essentials: lock after no more than 10 guesses.
pub const RECOMMENDED_MAX_LOCKOUT_ATTEMPTS: u8 = 10;
/// NCSC Cyber Essentials: a PIN of at least 6 digits where a PIN is the only unlock.
pub const RECOMMENDED_MIN_PIN_DIGITS: u8 = 6;
/// Beyond this an unattended device stays open long enough to be misused.
pub const RECOMMENDED_MAX_IDLE_LOCK_MINUTES: u16 = 15;
/// Internet-use records kept longer than a year are hard to justify as "only long enough for a
/// breach to come to light" (5.1.8, UK GDPR storage limitation).
pub const RECOMMENDED_MAX_LOG_RETENTION_MONTHS: u16 = 12;

impl PolicyProfile {
    /// The choices of the national model policy, which Custodian's model document follows.
    pub fn model_defaults() -> Self {
        Self {
            review_interval_months: 12,
            equipment_personal_use: PersonalUse::Reasonable,
            email_personal_use: PersonalUse::Reasonable,
            negligence_liability: NegligenceLiability::Fixed {
                amount_pence: 10_000,
            },
            device_pin_min_digits: 6,
            device_lockout_attempts: 3,
            device_idle_lock_minutes: 5,
            internet_log_retention_months: 6,
            emergency_credentials_holder: EmergencyHolder::Chair,
            emergency_access_wait_hours: 24,
            password_manager_required: true,
            declaration_required: true,
            password_style: PasswordStyle::ThreeRandomWords,
            mfa: MfaRule::WherePossible,
            mfa_required_roles: RoleSet::of(&[Role::Clerk, Role::ItProvider]),
            dse_assessment: DseAssessment::EyeTestsOffered,
            dse_interval_months: 12,
            approvers: Approvers::model_defaults(),
        }
    }

    /// Rejects values Custodian cannot work with (a zero-minute lock, a 40-digit PIN).
    pub fn validate(&self) -> Result<(), ProfileError> {
        range(
            "review interval (months)",
            self.review_interval_months.into(),
            1,
            60,
        )?;
        range(
            "shortest device PIN (digits)",
            self.device_pin_min_digits.into(),
            4,
            16,
        )?;
        range(
            "failed attempts before a device locks",
            self.device_lockout_attempts.into(),
            1,
            100,
        )?;
        range(
            "minutes idle before a device locks",
            self.device_idle_lock_minutes.into(),
            1,
            240,
        )?;
        range(
            "months internet-use records are kept",
            self.internet_log_retention_months.into(),
            1,
            84,
        )?;
        range(
            "waiting time for emergency access (hours)",
            self.emergency_access_wait_hours.into(),
            0,
            168,
        )?;
        range(
            "months between workstation assessments",
            self.dse_interval_months.into(),
            1,
            60,
        )?;
        if self.negligence_liability == (NegligenceLiability::Fixed { amount_pence: 0 }) {
            return Err(ProfileError::ZeroLiability);
        }
        Ok(())
    }

    /// Values the council may keep but that are weaker than NCSC guidance, with why.
    pub fn weaknesses(&self) -> Vec<Weakness> {
        let mut found = Vec::new();
        let mut flag = |field, message: String| found.push(Weakness { field, message });
        if self.device_lockout_attempts > RECOMMENDED_MAX_LOCKOUT_ATTEMPTS {
            flag(
                ProfileField::DeviceLockoutAttempts,
                format!(
                    "Devices lock only after {} failed attempts. Cyber Essentials asks for no more than {} guesses before a device locks.",
                    self.device_lockout_attempts, RECOMMENDED_MAX_LOCKOUT_ATTEMPTS
                ),
            );
        }
        if self.device_pin_min_digits < RECOMMENDED_MIN_PIN_DIGITS {
            flag(
                ProfileField::DevicePinMinDigits,
                format!(
                    "A {}-digit PIN is allowed. Cyber Essentials asks for at least {} digits.",
                    self.device_pin_min_digits, RECOMMENDED_MIN_PIN_DIGITS
                ),
            );
        }
        if self.device_idle_lock_minutes > RECOMMENDED_MAX_IDLE_LOCK_MINUTES {
            flag(
                ProfileField::DeviceIdleLockMinutes,
                format!(
                    "Devices stay unlocked for {} minutes when left alone. NCSC device guidance suggests locking within {} minutes.",
                    self.device_idle_lock_minutes, RECOMMENDED_MAX_IDLE_LOCK_MINUTES
                ),
            );
        }
        if self.internet_log_retention_months > RECOMMENDED_MAX_LOG_RETENTION_MONTHS {
            flag(
                ProfileField::InternetLogRetention,
                format!(
                    "Internet-use records are kept for {} months. Keeping them longer than {} months is hard to justify under UK GDPR storage limitation.",
                    self.internet_log_retention_months, RECOMMENDED_MAX_LOG_RETENTION_MONTHS
                ),
            );
        }
        if !self.password_manager_required {
            flag(
                ProfileField::PasswordManagerRequired,
                "Shared passwords need not be kept in a password manager. NCSC recommends one so that passwords can be long, unique and logged.".to_owned(),
            );
        }
        for role in [Role::Clerk, Role::ItProvider] {
            if !self.mfa_required_roles.contains(role) {
                flag(
                    ProfileField::MfaRequiredRoles,
                    format!(
                        "The {} can sign in without a second factor. Cyber Essentials requires MFA for administrator accounts.",
                        role.label()
                    ),
                );
            }
        }
        found
    }

    /// Reads a stored profile (JSON), rejecting unknown fields and impossible values.
    pub fn from_json(text: &str) -> Result<Self, ProfileError> {
        let profile: PolicyProfile =
            serde_json::from_str(text).map_err(|e| ProfileError::Unreadable(e.to_string()))?;
        profile.validate()?;
        Ok(profile)
    }

    pub fn to_json(&self) -> String {
        // A struct of plain values with string keys always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Default for PolicyProfile {
    fn default() -> Self {
        Self::model_defaults()
    }
}

fn range(field: &'static str, value: u32, min: u32, max: u32) -> Result<(), ProfileError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ProfileError::OutOfRange {
            field,
            min,
            max,
            value,
        })
    }
}

/// The profile of the council's policy in force, and whether one is adopted: the model's
/// defaults until the council adopts its own, so every rule always has a number to use.
pub async fn profile_in_force(
    store: &impl crate::ports::PolicyStore,
    council: crate::ids::CouncilId,
) -> crate::ports::StoreResult<(PolicyProfile, bool)> {
    Ok(match store.in_force(council).await? {
        Some(version) => (version.profile, true),
        None => (PolicyProfile::model_defaults(), false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_defaults_are_valid_and_not_flagged() {
        let profile = PolicyProfile::model_defaults();
        assert_eq!(profile.validate(), Ok(()));
        assert_eq!(profile.weaknesses(), vec![]);
    }

    #[test]
    fn lockout_after_more_than_ten_attempts_is_allowed_but_flagged() {
        let mut profile = PolicyProfile::model_defaults();
        profile.device_lockout_attempts = 11;
        assert_eq!(profile.validate(), Ok(()));
        let weaknesses = profile.weaknesses();
        assert_eq!(weaknesses.len(), 1);
        assert_eq!(weaknesses[0].field, ProfileField::DeviceLockoutAttempts);
        assert!(weaknesses[0].message.contains("no more than 10"));
    }

    #[test]
    fn a_four_digit_pin_is_flagged_and_a_three_digit_pin_refused() {
        let mut profile = PolicyProfile::model_defaults();
        profile.device_pin_min_digits = 4;
        assert_eq!(
            profile.weaknesses()[0].field,
            ProfileField::DevicePinMinDigits
        );
        profile.device_pin_min_digits = 3;
        assert!(matches!(
            profile.validate(),
            Err(ProfileError::OutOfRange { value: 3, .. })
        ));
    }

    #[test]
    fn a_profile_survives_json_and_unknown_fields_are_refused() {
        let mut profile = PolicyProfile::model_defaults();
        profile.negligence_liability = NegligenceLiability::ReplacementValue;
        profile
            .approvers
            .set(ApprovalKind::OwnDevice, Approver::Council);
        let json = profile.to_json();
        assert_eq!(PolicyProfile::from_json(&json), Ok(profile));
        let with_extra = json.replacen('{', "{\"surprise\":1,", 1);
        assert!(matches!(
            PolicyProfile::from_json(&with_extra),
            Err(ProfileError::Unreadable(_))
        ));
    }

    #[test]
    fn approvers_missing_from_a_stored_profile_take_the_model_default() {
        let mut value: serde_json::Value =
            serde_json::from_str(&PolicyProfile::model_defaults().to_json()).unwrap_or_default();
        value["approvers"] = serde_json::json!({"own_device": "council"});
        let profile = PolicyProfile::from_json(&value.to_string());
        let Ok(profile) = profile else {
            unreachable!("profile should load: {profile:?}")
        };
        assert_eq!(
            profile.approvers.get(ApprovalKind::OwnDevice),
            Approver::Council
        );
        assert_eq!(
            profile.approvers.get(ApprovalKind::DomainOrTrademark),
            Approver::Council
        );
        assert_eq!(
            profile.approvers.get(ApprovalKind::ExternalLink),
            Approver::Clerk
        );
    }

    #[test]
    fn pounds_are_written_as_a_council_would() {
        assert_eq!(format_pounds(10_000), "£100");
        assert_eq!(format_pounds(1_250), "£12.50");
        assert_eq!(
            NegligenceLiability::Fixed {
                amount_pence: 20_000
            }
            .describe(),
            "the first £200"
        );
    }
}
