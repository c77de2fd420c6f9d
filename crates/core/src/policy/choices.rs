//! The kinds of choice a council's policy makes, one type each: how much personal use is
//! allowed, the liability for negligent loss, who holds the emergency credentials, how passwords
//! are made, whether MFA is required, what is promised about screens, and who approves each kind
//! of request. [`super::profile::PolicyProfile`] holds one of each.

use crate::person::Role;
use serde::{Deserialize, Serialize};

/// How far personal use of council equipment or email is allowed (model 1.1.1 and 7.1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalUse {
    /// Council purposes only.
    None,
    /// Personal use allowed outside working hours (for example at lunch).
    OutsideWorkingHours,
    /// Reasonable personal use that does not interrupt council work.
    Reasonable,
}

impl PersonalUse {
    pub const ALL: [PersonalUse; 3] = [
        PersonalUse::None,
        PersonalUse::OutsideWorkingHours,
        PersonalUse::Reasonable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonalUse::None => "none",
            PersonalUse::OutsideWorkingHours => "outside_working_hours",
            PersonalUse::Reasonable => "reasonable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PersonalUse::None => "No personal use: council purposes only",
            PersonalUse::OutsideWorkingHours => "Personal use outside working hours only",
            PersonalUse::Reasonable => {
                "Reasonable personal use that does not get in the way of council work"
            }
        }
    }
}

/// What a person may have to pay when council equipment is lost or damaged through their
/// negligence (model 2.1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NegligenceLiability {
    /// The first `amount_pence` of the loss.
    Fixed { amount_pence: u32 },
    /// The full replacement value.
    ReplacementValue,
}

impl NegligenceLiability {
    /// "the first £100", "the first £12.50", "the replacement value".
    pub fn describe(self) -> String {
        match self {
            NegligenceLiability::Fixed { amount_pence } => {
                format!("the first {}", format_pounds(amount_pence))
            }
            NegligenceLiability::ReplacementValue => "the replacement value".to_owned(),
        }
    }
}

/// "£100" or "£12.50".
pub fn format_pounds(pence: u32) -> String {
    if pence.is_multiple_of(100) {
        format!("£{}", pence / 100)
    } else {
        format!("£{}.{:02}", pence / 100, pence % 100)
    }
}

/// Who holds the sealed copy of the administrative credentials for emergencies (model 4.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyHolder {
    Chair,
    ViceChair,
    Clerk,
    ItProvider,
}

impl EmergencyHolder {
    pub const ALL: [EmergencyHolder; 4] = [
        EmergencyHolder::Chair,
        EmergencyHolder::ViceChair,
        EmergencyHolder::Clerk,
        EmergencyHolder::ItProvider,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmergencyHolder::Chair => "chair",
            EmergencyHolder::ViceChair => "vice_chair",
            EmergencyHolder::Clerk => "clerk",
            EmergencyHolder::ItProvider => "it_provider",
        }
    }

    /// The role that holds the credentials, so the vault can find the person.
    pub fn role(self) -> Role {
        match self {
            EmergencyHolder::Chair => Role::Chair,
            EmergencyHolder::ViceChair => Role::ViceChair,
            EmergencyHolder::Clerk => Role::Clerk,
            EmergencyHolder::ItProvider => Role::ItProvider,
        }
    }

    /// As it reads in a sentence: "the Chair of the Council".
    pub fn in_words(self) -> &'static str {
        match self {
            EmergencyHolder::Chair => "the Chair of the Council",
            EmergencyHolder::ViceChair => "the Vice-Chair of the Council",
            EmergencyHolder::Clerk => "the Clerk",
            EmergencyHolder::ItProvider => "the council's IT provider",
        }
    }
}

/// How passwords are made (model 4.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordStyle {
    /// NCSC's three random words.
    ThreeRandomWords,
    /// Long random strings of characters, usually from a password manager.
    RandomCharacters,
}

impl PasswordStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordStyle::ThreeRandomWords => "three_random_words",
            PasswordStyle::RandomCharacters => "random_characters",
        }
    }
}

/// Whether multi-factor authentication is required or only recommended (model 2.1.5, 4.1.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaRule {
    Required,
    WherePossible,
}

impl MfaRule {
    pub fn as_str(self) -> &'static str {
        match self {
            MfaRule::Required => "required",
            MfaRule::WherePossible => "where_possible",
        }
    }
}

/// What the council promises about display screen equipment (model 3.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DseAssessment {
    /// A workstation assessment for each staff member every year (and eye tests).
    Annual,
    /// Eye tests are offered to display screen users; no regular assessment is promised.
    EyeTestsOffered,
}

impl DseAssessment {
    pub fn as_str(self) -> &'static str {
        match self {
            DseAssessment::Annual => "annual",
            DseAssessment::EyeTestsOffered => "eye_tests_offered",
        }
    }
}

/// Who decides a kind of request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// The Clerk decides alone.
    Clerk,
    /// The Council decides at a meeting; the decision carries a minute reference.
    Council,
}

impl Approver {
    pub fn as_str(self) -> &'static str {
        match self {
            Approver::Clerk => "clerk",
            Approver::Council => "council",
        }
    }

    pub fn in_words(self) -> &'static str {
        match self {
            Approver::Clerk => "the Clerk",
            Approver::Council => "the Council",
        }
    }
}

/// The kinds of request the policy says need approval first, each with the clause that says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalKind {
    BuyEquipmentOrSoftware,
    InstallSoftware,
    PersonalRemovableMedia,
    RecordingOnPremises,
    OwnDevice,
    BlogOrSite,
    DomainOrTrademark,
    ExternalLink,
    SocialMediaContacts,
    PaidConnectivity,
}

impl ApprovalKind {
    pub const ALL: [ApprovalKind; 10] = [
        ApprovalKind::BuyEquipmentOrSoftware,
        ApprovalKind::InstallSoftware,
        ApprovalKind::PersonalRemovableMedia,
        ApprovalKind::RecordingOnPremises,
        ApprovalKind::OwnDevice,
        ApprovalKind::BlogOrSite,
        ApprovalKind::DomainOrTrademark,
        ApprovalKind::ExternalLink,
        ApprovalKind::SocialMediaContacts,
        ApprovalKind::PaidConnectivity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalKind::BuyEquipmentOrSoftware => "buy_equipment_or_software",
            ApprovalKind::InstallSoftware => "install_software",
            ApprovalKind::PersonalRemovableMedia => "personal_removable_media",
            ApprovalKind::RecordingOnPremises => "recording_on_premises",
            ApprovalKind::OwnDevice => "own_device",
            ApprovalKind::BlogOrSite => "blog_or_site",
            ApprovalKind::DomainOrTrademark => "domain_or_trademark",
            ApprovalKind::ExternalLink => "external_link",
            ApprovalKind::SocialMediaContacts => "social_media_contacts",
            ApprovalKind::PaidConnectivity => "paid_connectivity",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            ApprovalKind::BuyEquipmentOrSoftware => {
                "Buying computer or mobile equipment or software"
            }
            ApprovalKind::InstallSoftware => "Installing software on council equipment",
            ApprovalKind::PersonalRemovableMedia => {
                "Using personal USB sticks, disks or other storage"
            }
            ApprovalKind::RecordingOnPremises => {
                "Taking photographs, video or recordings on council premises"
            }
            ApprovalKind::OwnDevice => "Using your own device for council business",
            ApprovalKind::BlogOrSite => {
                "Going live with a blog or website that mentions the council"
            }
            ApprovalKind::DomainOrTrademark => "Registering a domain name or trademark",
            ApprovalKind::ExternalLink => {
                "Adding a link to an external site on the council's website"
            }
            ApprovalKind::SocialMediaContacts => "Connecting council contacts to social networks",
            ApprovalKind::PaidConnectivity => "Paid Wi-Fi or mobile data while away",
        }
    }

    /// The clause of the model document that requires this approval.
    pub fn clause(self) -> &'static str {
        match self {
            ApprovalKind::BuyEquipmentOrSoftware => "1.1.7",
            ApprovalKind::InstallSoftware => "1.1.9",
            ApprovalKind::PersonalRemovableMedia => "1.1.8",
            ApprovalKind::RecordingOnPremises => "2.1.7",
            ApprovalKind::OwnDevice => "2.2.1",
            ApprovalKind::BlogOrSite => "9.1.4",
            ApprovalKind::DomainOrTrademark => "8.2.1",
            ApprovalKind::ExternalLink => "8.2.2",
            ApprovalKind::SocialMediaContacts => "9.1.5",
            ApprovalKind::PaidConnectivity => "6.1.2",
        }
    }

    /// The model's choice: the Council for things the model reserves to the Council's prior
    /// approval, the Clerk otherwise.
    pub fn default_approver(self) -> Approver {
        match self {
            ApprovalKind::PersonalRemovableMedia
            | ApprovalKind::RecordingOnPremises
            | ApprovalKind::DomainOrTrademark => Approver::Council,
            _ => Approver::Clerk,
        }
    }
}

/// Who approves each kind of request. Always complete: every kind has an approver.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Approvers([Approver; ApprovalKind::ALL.len()]);

impl Approvers {
    pub fn model_defaults() -> Self {
        Self(ApprovalKind::ALL.map(ApprovalKind::default_approver))
    }

    pub fn get(&self, kind: ApprovalKind) -> Approver {
        self.0[kind as usize]
    }

    pub fn set(&mut self, kind: ApprovalKind, approver: Approver) {
        self.0[kind as usize] = approver;
    }

    pub fn iter(&self) -> impl Iterator<Item = (ApprovalKind, Approver)> + '_ {
        ApprovalKind::ALL.into_iter().map(|k| (k, self.get(k)))
    }
}

impl Default for Approvers {
    fn default() -> Self {
        Self::model_defaults()
    }
}

// Stored as a map so a profile saved by an older version (with fewer kinds) still loads: missing
// kinds take the model default.
impl Serialize for Approvers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter().map(|(k, a)| (k.as_str(), a)))
    }
}

impl<'de> Deserialize<'de> for Approvers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<String, Approver>::deserialize(d)?;
        let mut approvers = Approvers::model_defaults();
        for (name, approver) in map {
            let kind = ApprovalKind::parse(&name).ok_or_else(|| {
                serde::de::Error::custom(format!("unknown kind of approval \"{name}\""))
            })?;
            approvers.set(kind, approver);
        }
        Ok(approvers)
    }
}
