//! Import of a council's adopted IT policy: reads the plain text of the document (already
//! extracted from .txt, .md or .docx elsewhere) and settles what it can of the policy profile,
//! citing the clause and sentence behind every value.
//!
//! A value the text does not settle is `None`, never a guess. Pure: no file or network access.

mod access;
pub(crate) mod adoption;
mod approvals;
mod dates;
mod dse;
pub(crate) mod fields;
mod numbers;
mod passwords;
pub(crate) mod personal_use;
pub(crate) mod text;
mod topics;

#[cfg(test)]
mod round_trip_tests;
#[cfg(test)]
mod seed_tests;
#[cfg(test)]
mod tests;

pub use dates::PolicyDate;

use crate::person::RoleSet;
use crate::policy::lint::{LintFinding, lint_document};
use crate::policy::profile::{
    ApprovalKind, Approver, DseAssessment, EmergencyHolder, MfaRule, NegligenceLiability,
    PasswordStyle, PersonalUse, PolicyProfile, ProfileField,
};
use fields::{Extraction, Found};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use text::{Document, has_any};

/// Where a value came from: the clause ("2.1.6", or "line 14" where there is no number) and
/// the sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    pub clause: String,
    pub text: String,
}

/// The values an import can settle, in the order of the JSON contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportedField {
    CouncilName,
    AdoptedOn,
    MinuteReference,
    ReviewIntervalMonths,
    EquipmentPersonalUse,
    EmailPersonalUse,
    NegligenceLiability,
    DevicePinMinDigits,
    DeviceLockoutAttempts,
    DeviceIdleLockMinutes,
    InternetLogRetentionMonths,
    EmergencyCredentialsHolder,
    PasswordManagerRequired,
    DeclarationRequired,
    PasswordStyle,
    Mfa,
    DseAssessment,
}

impl ImportedField {
    /// Every field, in the order of the JSON contract.
    pub const ALL: [ImportedField; 17] = [
        ImportedField::CouncilName,
        ImportedField::AdoptedOn,
        ImportedField::MinuteReference,
        ImportedField::ReviewIntervalMonths,
        ImportedField::EquipmentPersonalUse,
        ImportedField::EmailPersonalUse,
        ImportedField::NegligenceLiability,
        ImportedField::DevicePinMinDigits,
        ImportedField::DeviceLockoutAttempts,
        ImportedField::DeviceIdleLockMinutes,
        ImportedField::InternetLogRetentionMonths,
        ImportedField::EmergencyCredentialsHolder,
        ImportedField::PasswordManagerRequired,
        ImportedField::DeclarationRequired,
        ImportedField::PasswordStyle,
        ImportedField::Mfa,
        ImportedField::DseAssessment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportedField::CouncilName => "council_name",
            ImportedField::AdoptedOn => "adopted_on",
            ImportedField::MinuteReference => "minute_reference",
            ImportedField::ReviewIntervalMonths => "review_interval_months",
            ImportedField::EquipmentPersonalUse => "equipment_personal_use",
            ImportedField::EmailPersonalUse => "email_personal_use",
            ImportedField::NegligenceLiability => "negligence_liability",
            ImportedField::DevicePinMinDigits => "device_pin_min_digits",
            ImportedField::DeviceLockoutAttempts => "device_lockout_attempts",
            ImportedField::DeviceIdleLockMinutes => "device_idle_lock_minutes",
            ImportedField::InternetLogRetentionMonths => "internet_log_retention_months",
            ImportedField::EmergencyCredentialsHolder => "emergency_credentials_holder",
            ImportedField::PasswordManagerRequired => "password_manager_required",
            ImportedField::DeclarationRequired => "declaration_required",
            ImportedField::PasswordStyle => "password_style",
            ImportedField::Mfa => "mfa",
            ImportedField::DseAssessment => "dse_assessment",
        }
    }
}

/// The source of each value the document settled, in contract order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources(Vec<(ImportedField, Source)>);

impl Sources {
    pub fn get(&self, field: ImportedField) -> Option<&Source> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, s)| s)
    }

    pub fn iter(&self) -> impl Iterator<Item = (ImportedField, &Source)> {
        self.0.iter().map(|(f, s)| (*f, s))
    }

    fn record<T>(&mut self, field: ImportedField, found: &Option<Found<T>>) {
        if let Some(found) = found {
            self.0.push((field, found.source.clone()));
        }
    }
}

impl Serialize for Sources {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(f, source)| (f.as_str(), source)))
    }
}

/// Values a document may settle that are not in the JSON contract: a profile holds them, and
/// Custodian's own rendered policy states them, but the contract's keys are fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtraField {
    Approver(ApprovalKind),
    MfaRequiredRoles,
    EmergencyAccessWaitHours,
    DseIntervalMonths,
}

impl ExtraField {
    /// The profile field this value sets.
    pub fn profile_field(self) -> ProfileField {
        match self {
            ExtraField::Approver(_) => ProfileField::Approvers,
            ExtraField::MfaRequiredRoles => ProfileField::MfaRequiredRoles,
            ExtraField::EmergencyAccessWaitHours => ProfileField::EmergencyAccessWait,
            ExtraField::DseIntervalMonths => ProfileField::DseInterval,
        }
    }
}

/// The source of each value beyond the contract that the document settled. Not serialised,
/// so the contract's `sources` keeps exactly the contract's keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtraSources(Vec<(ExtraField, Source)>);

impl ExtraSources {
    pub fn get(&self, field: ExtraField) -> Option<&Source> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, s)| s)
    }

    pub fn iter(&self) -> impl Iterator<Item = (ExtraField, &Source)> {
        self.0.iter().map(|(f, s)| (*f, s))
    }

    fn record<T>(&mut self, field: ExtraField, found: Option<&Found<T>>) {
        if let Some(found) = found {
            self.0.push((field, found.source.clone()));
        }
    }
}

/// What an adopted policy document settles. Serialises to the import JSON contract: the values
/// (`null` where unsettled), then `sources`, `unrecognised` and `lint`; the values beyond the
/// contract are kept for [`ImportedPolicy::apply_to`] and skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportedPolicy {
    pub council_name: Option<String>,
    pub adopted_on: Option<PolicyDate>,
    pub minute_reference: Option<String>,
    pub review_interval_months: Option<u16>,
    pub equipment_personal_use: Option<PersonalUse>,
    pub email_personal_use: Option<PersonalUse>,
    pub negligence_liability: Option<NegligenceLiability>,
    pub device_pin_min_digits: Option<u8>,
    pub device_lockout_attempts: Option<u8>,
    pub device_idle_lock_minutes: Option<u16>,
    pub internet_log_retention_months: Option<u16>,
    pub emergency_credentials_holder: Option<EmergencyHolder>,
    pub password_manager_required: Option<bool>,
    pub declaration_required: Option<bool>,
    pub password_style: Option<PasswordStyle>,
    pub mfa: Option<MfaRule>,
    pub dse_assessment: Option<DseAssessment>,
    pub sources: Sources,
    /// Clauses and paragraphs that no extractor used and that match no topic of the model.
    pub unrecognised: Vec<String>,
    pub lint: Vec<LintFinding>,
    /// Who approves each kind of request, for the kinds the document names the Clerk or the
    /// Council for.
    #[serde(skip)]
    pub approvers: BTreeMap<ApprovalKind, Approver>,
    #[serde(skip)]
    pub mfa_required_roles: Option<RoleSet>,
    #[serde(skip)]
    pub emergency_access_wait_hours: Option<u16>,
    #[serde(skip)]
    pub dse_interval_months: Option<u16>,
    /// Where each of the four values above came from.
    #[serde(skip)]
    pub extra_sources: ExtraSources,
}

impl ImportedPolicy {
    /// `base` with every value this document settled put in. The council's name, adoption date
    /// and minute reference are not profile values. The result is not validated: call
    /// [`PolicyProfile::validate`] before storing it.
    pub fn apply_to(&self, base: &PolicyProfile) -> PolicyProfile {
        let mut p = base.clone();
        set(&mut p.review_interval_months, self.review_interval_months);
        set(&mut p.equipment_personal_use, self.equipment_personal_use);
        set(&mut p.email_personal_use, self.email_personal_use);
        set(&mut p.negligence_liability, self.negligence_liability);
        set(&mut p.device_pin_min_digits, self.device_pin_min_digits);
        set(&mut p.device_lockout_attempts, self.device_lockout_attempts);
        set(
            &mut p.device_idle_lock_minutes,
            self.device_idle_lock_minutes,
        );
        set(
            &mut p.internet_log_retention_months,
            self.internet_log_retention_months,
        );
        set(
            &mut p.emergency_credentials_holder,
            self.emergency_credentials_holder,
        );
        set(
            &mut p.password_manager_required,
            self.password_manager_required,
        );
        set(&mut p.declaration_required, self.declaration_required);
        set(&mut p.password_style, self.password_style);
        set(&mut p.mfa, self.mfa);
        set(&mut p.dse_assessment, self.dse_assessment);
        for (kind, approver) in &self.approvers {
            p.approvers.set(*kind, *approver);
        }
        set(&mut p.mfa_required_roles, self.mfa_required_roles);
        set(
            &mut p.emergency_access_wait_hours,
            self.emergency_access_wait_hours,
        );
        set(&mut p.dse_interval_months, self.dse_interval_months);
        p
    }

    /// Where the value of a profile field came from, whether it is in the contract or beyond
    /// it. For [`ProfileField::Approvers`], the first approval clause the document settled.
    pub fn source_of(&self, field: ProfileField) -> Option<&Source> {
        use ProfileField as P;
        let contract = match field {
            P::ReviewInterval => ImportedField::ReviewIntervalMonths,
            P::EquipmentPersonalUse => ImportedField::EquipmentPersonalUse,
            P::EmailPersonalUse => ImportedField::EmailPersonalUse,
            P::NegligenceLiability => ImportedField::NegligenceLiability,
            P::DevicePinMinDigits => ImportedField::DevicePinMinDigits,
            P::DeviceLockoutAttempts => ImportedField::DeviceLockoutAttempts,
            P::DeviceIdleLockMinutes => ImportedField::DeviceIdleLockMinutes,
            P::InternetLogRetention => ImportedField::InternetLogRetentionMonths,
            P::EmergencyCredentialsHolder => ImportedField::EmergencyCredentialsHolder,
            P::PasswordManagerRequired => ImportedField::PasswordManagerRequired,
            P::DeclarationRequired => ImportedField::DeclarationRequired,
            P::PasswordStyle => ImportedField::PasswordStyle,
            P::Mfa => ImportedField::Mfa,
            P::DseAssessment => ImportedField::DseAssessment,
            P::EmergencyAccessWait | P::MfaRequiredRoles | P::DseInterval | P::Approvers => {
                return self
                    .extra_sources
                    .iter()
                    .find(|(f, _)| f.profile_field() == field)
                    .map(|(_, s)| s);
            }
        };
        self.sources.get(contract)
    }

    /// The import as indented JSON, in contract order.
    pub fn to_json_pretty(&self) -> String {
        // Plain values, string keys and enums with string forms always serialise.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *target = value;
    }
}

/// Why a document could not be imported at all. A policy that settles few values is not an
/// error; these are for input that is not a policy.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error(
        "The document is empty. Choose the file that holds the council's adopted IT policy and try again."
    )]
    Empty,
    #[error(
        "This does not look like a text document: {percent}% of it is unreadable characters. It may be a scanned image, a PDF or a damaged file. Open it in Word, save it as .docx or plain text, and try again."
    )]
    NotText { percent: u8 },
    #[error(
        "The document has only {words} words, too few to be an IT policy. Check that the whole policy was copied, or that you chose the right file."
    )]
    TooShort { words: usize },
    #[error(
        "No IT policy was found in this document: it says nothing about the council's users and their passwords, email, equipment or internet use. Check that you chose the council's IT policy."
    )]
    NotAPolicy,
}

/// Fewer words than this cannot be a policy.
const MIN_WORDS: usize = 20;

/// Reads an adopted IT policy and settles what it can of the profile.
pub fn import_policy(text: &str) -> Result<ImportedPolicy, ImportError> {
    check_readable(text)?;
    let doc = Document::parse(text);
    let extraction = fields::extract(&doc);
    if !looks_like_a_policy(&doc, &extraction) {
        return Err(ImportError::NotAPolicy);
    }
    let unrecognised = topics::unrecognised(&doc, &extraction.used_blocks());
    let mut imported = assemble(&extraction, unrecognised);
    imported.lint = lint_document(&doc, &extraction, &imported);
    Ok(imported)
}

fn check_readable(text: &str) -> Result<(), ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let mut visible = 0usize;
    let mut unreadable = 0usize;
    let mut letters = 0usize;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        visible += 1;
        if c == '\u{fffd}' || c.is_control() {
            unreadable += 1;
        } else if c.is_alphabetic() {
            letters += 1;
        }
    }
    // Word's text is mostly letters; two unreadable characters in a hundred, or more symbols
    // than letters, means a binary file or a scan.
    let odd = if unreadable * 50 > visible {
        unreadable
    } else if letters * 2 < visible {
        visible - letters
    } else {
        0
    };
    if odd > 0 {
        let percent = (100 * odd / visible).clamp(1, 100);
        return Err(ImportError::NotText {
            percent: u8::try_from(percent).unwrap_or(100),
        });
    }
    let words = text.split_whitespace().count();
    if words < MIN_WORDS {
        return Err(ImportError::TooShort { words });
    }
    Ok(())
}

/// An IT policy talks about the council or its users, and about IT: at least two IT subjects,
/// or one value the extractors could settle. A complaints policy that mentions email once is
/// not an IT policy.
fn looks_like_a_policy(doc: &Document, extraction: &Extraction) -> bool {
    const WHO: [&str; 8] = [
        "policy",
        "council",
        "councillor",
        "clerk",
        "staff",
        "employee",
        "users",
        "members",
    ];
    const IT: [&str; 14] = [
        "password",
        "email",
        "e-mail",
        "computer",
        "equipment",
        "device",
        "internet",
        "software",
        "laptop",
        "information technology",
        "cyber",
        "social media",
        "online",
        "it policy",
    ];
    let all = doc
        .sentences
        .iter()
        .map(|s| s.lower.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let subjects = IT.iter().filter(|w| all.contains(*w)).count();
    let mut settled = extraction.used_blocks();
    if let Some(block) = extraction
        .declaration_required
        .as_ref()
        .and_then(|f| f.block)
    {
        settled.retain(|b| *b != block);
    }
    has_any(&all, &WHO) && (subjects >= 2 || !settled.is_empty())
}

fn value<T: Clone>(found: &Option<Found<T>>) -> Option<T> {
    found.as_ref().map(|f| f.value.clone())
}

fn assemble(x: &Extraction, unrecognised: Vec<String>) -> ImportedPolicy {
    use ImportedField as F;
    let mut sources = Sources::default();
    sources.record(F::CouncilName, &x.council_name);
    sources.record(F::AdoptedOn, &x.adopted_on);
    sources.record(F::MinuteReference, &x.minute_reference);
    sources.record(F::ReviewIntervalMonths, &x.review_interval_months);
    sources.record(F::EquipmentPersonalUse, &x.equipment_personal_use);
    sources.record(F::EmailPersonalUse, &x.email_personal_use);
    sources.record(F::NegligenceLiability, &x.negligence_liability);
    sources.record(F::DevicePinMinDigits, &x.device_pin_min_digits);
    sources.record(F::DeviceLockoutAttempts, &x.device_lockout_attempts);
    sources.record(F::DeviceIdleLockMinutes, &x.device_idle_lock_minutes);
    sources.record(
        F::InternetLogRetentionMonths,
        &x.internet_log_retention_months,
    );
    sources.record(
        F::EmergencyCredentialsHolder,
        &x.emergency_credentials_holder,
    );
    sources.record(F::PasswordManagerRequired, &x.password_manager_required);
    sources.record(F::DeclarationRequired, &x.declaration_required);
    sources.record(F::PasswordStyle, &x.password_style);
    sources.record(F::Mfa, &x.mfa);
    sources.record(F::DseAssessment, &x.dse_assessment);
    let mut extra_sources = ExtraSources::default();
    for (kind, found) in &x.approvers {
        extra_sources.record(ExtraField::Approver(*kind), Some(found));
    }
    extra_sources.record(ExtraField::MfaRequiredRoles, x.mfa_required_roles.as_ref());
    extra_sources.record(
        ExtraField::EmergencyAccessWaitHours,
        x.emergency_access_wait_hours.as_ref(),
    );
    extra_sources.record(
        ExtraField::DseIntervalMonths,
        x.dse_interval_months.as_ref(),
    );
    ImportedPolicy {
        council_name: value(&x.council_name),
        adopted_on: value(&x.adopted_on),
        minute_reference: value(&x.minute_reference),
        review_interval_months: value(&x.review_interval_months),
        equipment_personal_use: value(&x.equipment_personal_use),
        email_personal_use: value(&x.email_personal_use),
        negligence_liability: value(&x.negligence_liability),
        device_pin_min_digits: value(&x.device_pin_min_digits),
        device_lockout_attempts: value(&x.device_lockout_attempts),
        device_idle_lock_minutes: value(&x.device_idle_lock_minutes),
        internet_log_retention_months: value(&x.internet_log_retention_months),
        emergency_credentials_holder: value(&x.emergency_credentials_holder),
        password_manager_required: value(&x.password_manager_required),
        declaration_required: value(&x.declaration_required),
        password_style: value(&x.password_style),
        mfa: value(&x.mfa),
        dse_assessment: value(&x.dse_assessment),
        sources,
        unrecognised,
        lint: Vec::new(),
        approvers: x
            .approvers
            .iter()
            .map(|(kind, found)| (*kind, found.value))
            .collect(),
        mfa_required_roles: value(&x.mfa_required_roles),
        emergency_access_wait_hours: value(&x.emergency_access_wait_hours),
        dse_interval_months: value(&x.dse_interval_months),
        extra_sources,
    }
}
