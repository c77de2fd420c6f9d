//! The policy builder's question pages (GOV.UK "question pages" pattern): one topic per page,
//! each with a plain explanation and the recommended value, reading and writing one draft's
//! profile.
//!
//! The pages are described as data ([`Question`]) and drawn by one template, so adding a profile
//! field means adding it here, not writing a new page.

mod answers;

pub use answers::{Answers, apply};

use custodian_core::person::Role;
use custodian_core::policy::{
    ApprovalKind, Approver, DseAssessment, EmergencyHolder, MfaRule, NegligenceLiability,
    PasswordStyle, PersonalUse, PolicyProfile,
};

/// The builder's steps, in the order the journey asks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    EquipmentUse,
    EmailUse,
    Liability,
    Devices,
    Passwords,
    Mfa,
    Emergency,
    Monitoring,
    HealthAndSafety,
    Approvals,
    Review,
}

impl Step {
    pub const ALL: [Step; 11] = [
        Step::EquipmentUse,
        Step::EmailUse,
        Step::Liability,
        Step::Devices,
        Step::Passwords,
        Step::Mfa,
        Step::Emergency,
        Step::Monitoring,
        Step::HealthAndSafety,
        Step::Approvals,
        Step::Review,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Step::EquipmentUse => "equipment-use",
            Step::EmailUse => "email-use",
            Step::Liability => "liability",
            Step::Devices => "devices",
            Step::Passwords => "passwords",
            Step::Mfa => "mfa",
            Step::Emergency => "emergency-access",
            Step::Monitoring => "monitoring",
            Step::HealthAndSafety => "health-and-safety",
            Step::Approvals => "approvals",
            Step::Review => "review",
        }
    }

    pub fn parse(slug: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.slug() == slug)
    }

    pub fn next(self) -> Option<Step> {
        let at = Step::ALL.iter().position(|s| *s == self)?;
        Step::ALL.get(at + 1).copied()
    }

    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    /// The page's heading: the question itself.
    pub fn title(self) -> &'static str {
        match self {
            Step::EquipmentUse => "May people use council equipment for personal things?",
            Step::EmailUse => "May people use their council email for personal messages?",
            Step::Liability => "Who pays when equipment is lost or damaged through carelessness?",
            Step::Devices => "How must phones, tablets and laptops be locked?",
            Step::Passwords => "How should passwords be made and kept?",
            Step::Mfa => "When must people use a second sign-in step?",
            Step::Emergency => "Who holds the emergency copy of the administrator passwords?",
            Step::Monitoring => "How long are records of internet use kept?",
            Step::HealthAndSafety => {
                "What does the council promise about screens and workstations?"
            }
            Step::Approvals => "Who approves each kind of request?",
            Step::Review => "How often is the policy reviewed, and must people sign it?",
        }
    }

    /// Why the question matters, in plain words.
    pub fn explanation(self) -> &'static str {
        match self {
            Step::EquipmentUse => {
                "Clause 1.1.1. Many councils allow a little personal use, such as checking personal email at lunch, as long as it does not get in the way of council work. Saying so clearly avoids disputes later."
            }
            Step::EmailUse => {
                "Clause 7.1.5. Personal messages sent from a council address can look as if the council sent them, and they are part of the council's records."
            }
            Step::Liability => {
                "Clause 2.1.6. Loss or damage must always be reported. If it happened through negligence, the person may be asked to pay part of the cost. The model policy uses the first £100."
            }
            Step::Devices => {
                "Clauses 2.1.4 and 2.2.6. These apply to council devices and to people's own devices used for council work. Custodian checks registered devices against these numbers."
            }
            Step::Passwords => {
                "Clauses 4.1.1 and 4.1.3. NCSC recommends three random words (for example PurpleCandleRiver) for passwords people remember, and a password manager for shared and administrator passwords."
            }
            Step::Mfa => {
                "Clauses 2.1.5 and 4.1.7. A second step, such as a code from an app or a passkey, stops someone who has stolen a password. Cyber Essentials requires it for administrator accounts."
            }
            Step::Emergency => {
                "Clause 4.1.2. A sealed copy of the administrator passwords lets the council carry on if the Clerk or IT provider is unavailable. In Custodian, emergency access is recorded and the Clerk is told, after a waiting time in which they can object."
            }
            Step::Monitoring => {
                "Clause 5.1.11. If the council monitors internet use, records should be kept only long enough for a problem to come to light and be looked into. The model policy keeps them 6 months."
            }
            Step::HealthAndSafety => {
                "Clause 3.1.2. Employers must assess display screen workstations and offer eye tests. Some councils also promise a yearly workstation check for each member of staff."
            }
            Step::Approvals => {
                "The policy says several things need permission first. For each, choose whether the Clerk can decide, or it must go to a council meeting (recorded with a minute reference)."
            }
            Step::Review => {
                "Clauses 11.1 and 12.2. Councils usually review policies every year. A signed declaration shows each person has read the policy."
            }
        }
    }
}

/// One form control on a question page.
pub enum Question {
    Radios {
        name: &'static str,
        legend: String,
        hint: String,
        options: Vec<Choice>,
    },
    Number {
        name: &'static str,
        label: String,
        hint: String,
        value: String,
        suffix: &'static str,
    },
    Checkboxes {
        name: &'static str,
        legend: String,
        hint: String,
        options: Vec<Choice>,
    },
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

fn radios<T: Copy + PartialEq>(
    name: &'static str,
    legend: impl Into<String>,
    hint: impl Into<String>,
    current: T,
    options: &[(T, &'static str, &str)],
) -> Question {
    Question::Radios {
        name,
        legend: legend.into(),
        hint: hint.into(),
        options: options
            .iter()
            .map(|(v, value, label)| Choice {
                value,
                label: (*label).to_owned(),
                checked: *v == current,
            })
            .collect(),
    }
}

fn number(
    name: &'static str,
    label: &str,
    hint: &str,
    value: impl ToString,
    suffix: &'static str,
) -> Question {
    Question::Number {
        name,
        label: label.to_owned(),
        hint: hint.to_owned(),
        value: value.to_string(),
        suffix,
    }
}

const RECOMMENDED: &str = " (recommended)";

/// The controls for `step`, filled from `profile` (or from the submitted form when it had errors).
pub fn questions(step: Step, profile: &PolicyProfile) -> Vec<Question> {
    let personal_use = |name, legend: &str, current| {
        radios(
            name,
            legend,
            "",
            current,
            &[
                (
                    PersonalUse::Reasonable,
                    "reasonable",
                    &format!("{}{RECOMMENDED}", PersonalUse::Reasonable.label()),
                ),
                (
                    PersonalUse::OutsideWorkingHours,
                    "outside_working_hours",
                    PersonalUse::OutsideWorkingHours.label(),
                ),
                (PersonalUse::None, "none", PersonalUse::None.label()),
            ],
        )
    };
    match step {
        Step::EquipmentUse => vec![personal_use(
            "equipment_personal_use",
            "Personal use of council computers, tablets and phones",
            profile.equipment_personal_use,
        )],
        Step::EmailUse => vec![personal_use(
            "email_personal_use",
            "Personal use of council email",
            profile.email_personal_use,
        )],
        Step::Liability => {
            let (kind, amount) = match profile.negligence_liability {
                NegligenceLiability::Fixed { amount_pence } => ("fixed", pounds_input(amount_pence)),
                NegligenceLiability::ReplacementValue => ("replacement_value", String::new()),
            };
            vec![
                radios(
                    "liability_kind",
                    "The person responsible may have to pay",
                    "",
                    kind,
                    &[
                        ("fixed", "fixed", "Up to a fixed amount (recommended)"),
                        ("replacement_value", "replacement_value", "The full replacement value"),
                    ],
                ),
                number(
                    "liability_pounds",
                    "The fixed amount, in pounds",
                    "Only used if you chose a fixed amount. For example, 100.",
                    amount,
                    "£",
                ),
            ]
        }
        Step::Devices => vec![
            number("device_pin_min_digits", "Shortest PIN allowed", "Cyber Essentials asks for at least 6 digits.", profile.device_pin_min_digits, "digits"),
            number("device_lockout_attempts", "Wrong PINs or passwords before a device locks", "Cyber Essentials asks for no more than 10. The model policy uses 3.", profile.device_lockout_attempts, "attempts"),
            number("device_idle_lock_minutes", "Minutes left alone before a device locks itself", "The model policy uses 5 minutes; more than 15 is flagged.", profile.device_idle_lock_minutes, "minutes"),
        ],
        Step::Passwords => vec![
            radios(
                "password_style",
                "How people make passwords they need to remember",
                "",
                profile.password_style,
                &[
                    (PasswordStyle::ThreeRandomWords, "three_random_words", "Three random words, as NCSC recommends (recommended)"),
                    (PasswordStyle::RandomCharacters, "random_characters", "Long random strings of characters"),
                ],
            ),
            radios(
                "password_manager_required",
                "Must shared and administrator passwords be kept in an encrypted password manager?",
                "Custodian's vault is one.",
                profile.password_manager_required,
                &[(true, "yes", "Yes, it is required (recommended)"), (false, "no", "No, it is only recommended")],
            ),
        ],
        Step::Mfa => vec![
            radios(
                "mfa",
                "For the council's online services",
                "",
                profile.mfa,
                &[
                    (MfaRule::Required, "required", "A second step is required"),
                    (MfaRule::WherePossible, "where_possible", "A second step is used wherever the service offers one (recommended)"),
                ],
            ),
            Question::Checkboxes {
                name: "mfa_required_roles",
                legend: "Who must use a second step to sign in to Custodian?".to_owned(),
                hint: "Cyber Essentials requires it for the Clerk and the IT provider, who administer the council's systems.".to_owned(),
                options: Role::ALL
                    .iter()
                    .map(|r| Choice {
                        value: r.as_str(),
                        label: r.label().to_owned(),
                        checked: profile.mfa_required_roles.contains(*r),
                    })
                    .collect(),
            },
        ],
        Step::Emergency => vec![
            radios(
                "emergency_credentials_holder",
                "Who keeps the sealed copy?",
                "",
                profile.emergency_credentials_holder,
                &[
                    (EmergencyHolder::Chair, "chair", "The Chair of the Council (recommended)"),
                    (EmergencyHolder::ViceChair, "vice_chair", "The Vice-Chair"),
                    (EmergencyHolder::Clerk, "clerk", "The Clerk"),
                    (EmergencyHolder::ItProvider, "it_provider", "The IT provider"),
                ],
            ),
            number("emergency_access_wait_hours", "Hours to wait before emergency access is granted", "The Clerk is told at once and can object during this time. 0 grants it straight away; the model uses 24.", profile.emergency_access_wait_hours, "hours"),
        ],
        Step::Monitoring => vec![number(
            "internet_log_retention_months",
            "Months to keep records of internet use",
            "The model policy says 6 months. More than 12 is flagged.",
            profile.internet_log_retention_months,
            "months",
        )],
        Step::HealthAndSafety => vec![
            radios(
                "dse_assessment",
                "The council promises",
                "",
                profile.dse_assessment,
                &[
                    (DseAssessment::EyeTestsOffered, "eye_tests_offered", "Eye tests are offered to people who use screens (the model policy)"),
                    (DseAssessment::Annual, "annual", "A workstation assessment for each member of staff at a regular interval, and eye tests"),
                ],
            ),
            number("dse_interval_months", "Months between workstation assessments", "Only used for regular assessments. Usually 12.", profile.dse_interval_months, "months"),
        ],
        Step::Approvals => ApprovalKind::ALL
            .iter()
            .map(|kind| {
                let model = kind.default_approver();
                let label = |a: Approver| {
                    let text = match a {
                        Approver::Clerk => "The Clerk",
                        Approver::Council => "The Council, at a meeting",
                    };
                    if a == model { format!("{text}{RECOMMENDED}") } else { text.to_owned() }
                };
                Question::Radios {
                    name: approval_field(*kind),
                    legend: kind.label().to_owned(),
                    hint: format!("Clause {}", kind.clause()),
                    options: [Approver::Clerk, Approver::Council]
                        .into_iter()
                        .map(|a| Choice {
                            value: a.as_str(),
                            label: label(a),
                            checked: profile.approvers.get(*kind) == a,
                        })
                        .collect(),
                }
            })
            .collect(),
        Step::Review => vec![
            number("review_interval_months", "Months between reviews", "Usually 12. Custodian reminds you 60 days before the review is due.", profile.review_interval_months, "months"),
            radios(
                "declaration_required",
                "Must everyone sign a declaration that they have read the policy?",
                "Custodian collects signatures when a version is adopted.",
                profile.declaration_required,
                &[(true, "yes", "Yes (recommended)"), (false, "no", "No")],
            ),
        ],
    }
}

/// Puts what was submitted back into the controls, so a page shown again with errors keeps the
/// person's answers (including a wrong number, so they can see and fix it).
pub fn refill(questions: &mut [Question], answers: &Answers) {
    for question in questions {
        match question {
            Question::Number { name, value, .. } => {
                *value = answers.one(name).unwrap_or("").to_owned();
            }
            Question::Radios { name, options, .. } | Question::Checkboxes { name, options, .. } => {
                let chosen: Vec<&str> = answers.all(name).collect();
                for option in options.iter_mut() {
                    option.checked = chosen.contains(&option.value);
                }
            }
        }
    }
}

/// The form field for an approval kind: "approver_own_device".
pub(super) fn approval_field(kind: ApprovalKind) -> &'static str {
    match kind {
        ApprovalKind::BuyEquipmentOrSoftware => "approver_buy_equipment_or_software",
        ApprovalKind::InstallSoftware => "approver_install_software",
        ApprovalKind::PersonalRemovableMedia => "approver_personal_removable_media",
        ApprovalKind::RecordingOnPremises => "approver_recording_on_premises",
        ApprovalKind::OwnDevice => "approver_own_device",
        ApprovalKind::BlogOrSite => "approver_blog_or_site",
        ApprovalKind::DomainOrTrademark => "approver_domain_or_trademark",
        ApprovalKind::ExternalLink => "approver_external_link",
        ApprovalKind::SocialMediaContacts => "approver_social_media_contacts",
        ApprovalKind::PaidConnectivity => "approver_paid_connectivity",
    }
}

fn pounds_input(pence: u32) -> String {
    custodian_core::policy::profile::format_pounds(pence)
        .trim_start_matches('£')
        .to_owned()
}
