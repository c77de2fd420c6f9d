//! The words of Custodian's model policy: the introduction and sections 1 to 3, the numbering
//! builder, and the phrases that state the council's choices.
//!
//! Written for this project after the national model's structure; no council's text is copied.
//! Every value from the profile is stated with digits and a fixed key phrase ("lock after 3
//! failed attempts", "kept for 6 months", "the prior approval of the Clerk") because the importer
//! reads those phrases back, and a property test checks the round trip. Change a key phrase here
//! only together with the importer.

use super::model_text_conduct;
use super::{AdoptionBlock, Clause, Section, Subsection};
use crate::person::RoleSet;
use crate::policy::{ApprovalKind, DseAssessment, NegligenceLiability, PersonalUse, PolicyProfile};

/// A clause's words before it is given a number.
pub(super) struct Body {
    paragraphs: Vec<String>,
    bullets: Vec<String>,
}

/// A clause of one paragraph.
pub(super) fn p(text: impl Into<String>) -> Body {
    Body {
        paragraphs: vec![text.into()],
        bullets: Vec::new(),
    }
}

/// A clause of an introducing sentence (ending with ':') and its bullet points.
pub(super) fn list<S: Into<String>>(intro: impl Into<String>, items: Vec<S>) -> Body {
    Body {
        paragraphs: vec![intro.into()],
        bullets: items.into_iter().map(Into::into).collect(),
    }
}

fn clause(number: String, body: Body) -> Clause {
    Clause {
        number,
        paragraphs: body.paragraphs,
        bullets: body.bullets,
    }
}

/// An unnumbered introduction section; its clauses are "intro-1", "intro-2", … across all of
/// them, so labels stay unique in the document.
fn intro(heading: &str, bodies: Vec<Body>, counter: &mut u32) -> Section {
    let clauses = bodies
        .into_iter()
        .map(|body| {
            *counter += 1;
            clause(format!("intro-{counter}"), body)
        })
        .collect();
    Section {
        number: None,
        heading: heading.to_owned(),
        subsections: vec![Subsection {
            number: None,
            heading: None,
            clauses,
        }],
    }
}

/// A section whose clauses are numbered in three parts ("2.1.6"). Numbers are given here, in
/// order, so they can have neither gaps nor duplicates; tests pin the profile-governed clauses
/// to the numbers the rest of Custodian cites.
pub(super) fn numbered(
    number: u32,
    heading: &str,
    subsections: Vec<(Option<&str>, Vec<Body>)>,
) -> Section {
    let subsections = subsections
        .into_iter()
        .zip(1u32..)
        .map(|((sub_heading, bodies), sub)| Subsection {
            number: Some(format!("{number}.{sub}")),
            heading: sub_heading.map(str::to_owned),
            clauses: bodies
                .into_iter()
                .zip(1u32..)
                .map(|(body, n)| clause(format!("{number}.{sub}.{n}"), body))
                .collect(),
        })
        .collect();
    Section {
        number: Some(number.to_string()),
        heading: heading.to_owned(),
        subsections,
    }
}

/// A short section whose clauses are numbered in two parts ("12.1").
pub(super) fn flat(number: u32, heading: &str, bodies: Vec<Body>) -> Section {
    Section {
        number: Some(number.to_string()),
        heading: heading.to_owned(),
        subsections: vec![Subsection {
            number: None,
            heading: None,
            clauses: bodies
                .into_iter()
                .zip(1u32..)
                .map(|(body, n)| clause(format!("{number}.{n}"), body))
                .collect(),
        }],
    }
}

/// "the prior approval of the Clerk" / "the prior approval of the Council": the one phrase every
/// approval clause uses, once, so the importer can read who approves.
pub(super) fn approval(profile: &PolicyProfile, kind: ApprovalKind) -> String {
    format!(
        "the prior approval of {}",
        profile.approvers.get(kind).in_words()
    )
}

/// "3 failed attempts", "1 failed attempt".
pub(super) fn count(n: impl Into<u64>, singular: &str, plural: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// "Clerk and IT provider", "Clerk, Chair and IT provider", using the roles' labels.
pub(super) fn role_list(roles: RoleSet) -> String {
    let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
    match labels.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

pub(super) fn sections(
    profile: &PolicyProfile,
    council_name: &str,
    adoption: &AdoptionBlock,
) -> Vec<Section> {
    let mut intro_counter = 0;
    let mut sections = vec![
        intro("Purpose of this policy", purpose(), &mut intro_counter),
        intro(
            "Monitoring of IT use",
            monitoring_intro(),
            &mut intro_counter,
        ),
        intro("Scope of this policy", scope(), &mut intro_counter),
        numbered(
            1,
            "Computer use",
            vec![(Some("Hardware"), hardware(profile))],
        ),
        numbered(
            2,
            "Equipment",
            vec![
                (Some("Portable equipment"), portable(profile)),
                (Some("Use of own devices"), own_devices(profile)),
            ],
        ),
        numbered(3, "Health and safety", vec![(None, health(profile))]),
    ];
    sections.extend(model_text_conduct::sections(
        profile,
        council_name,
        adoption,
    ));
    sections
}

fn purpose() -> Vec<Body> {
    vec![
        list(
            "This policy sets out how councillors, staff and other authorised users (such as volunteers and contractors) may use the computers, phones, email, internet access and other technology that the council provides or pays for. It aims to:",
            vec![
                "make clear what is expected when using council equipment and systems;",
                "make everyone aware of the risks that come with using IT;",
                "protect the council's information and equipment, and the personal data it holds about residents and others;",
                "say what is and is not acceptable use;",
                "explain what happens if the policy is broken.",
            ],
        ),
        p(
            "The council's own choices, such as what its equipment may be used for, who approves requests and how long records are kept, are stated in the numbered clauses that follow.",
        ),
    ]
}

fn monitoring_intro() -> Vec<Body> {
    vec![
        p(
            "The council may monitor the use of its IT equipment and systems where it has a legitimate reason to do so and the people concerned have been told that monitoring may take place. Any monitoring is proportionate and follows data protection and privacy law. Section 5 explains what is monitored and how long records are kept.",
        ),
        p(
            "Monitoring can include anyone who uses council systems, for example someone who has a council email address without being a councillor or member of staff.",
        ),
    ]
}

fn scope() -> Vec<Body> {
    vec![p(
        "This policy applies to all councillors, staff and other authorised users, wherever and however they work: in the office, at home, while travelling, full-time, part-time or flexibly. It covers equipment and systems the council provides, and personal devices used for council business.",
    )]
}

fn hardware(profile: &PolicyProfile) -> Vec<Body> {
    use ApprovalKind as K;
    vec![
        // 1.1.1
        p(personal_use_of_equipment(profile.equipment_personal_use)),
        p(
            "Lock your computer whenever you step away from it, so that no one else can use it. This applies to council equipment and to your own devices used for council work.",
        ),
        p(
            "Treat council equipment with care. Repairs and replacements cost the council money that would otherwise be spent on local services.",
        ),
        p("Keep equipment clean and keep food and drink well away from it."),
        p(
            "Every item of council computer and mobile equipment carries an asset number and is recorded in the council's equipment register against the person it is issued to.",
        ),
        p(
            "Do not take equipment apart or try to repair it yourself; ask the Clerk or the IT provider for help.",
        ),
        // 1.1.7
        p(format!(
            "No one may buy computer or mobile equipment, or software, for council use without {}.",
            approval(profile, K::BuyEquipmentOrSoftware)
        )),
        // 1.1.8
        p(format!(
            "Personal USB sticks, memory cards, external drives, CDs, DVDs and other storage must not be used with council computers without {}.",
            approval(profile, K::PersonalRemovableMedia)
        )),
        // 1.1.9
        p(format!(
            "No software may be installed on council equipment without {}. This includes free programs, apps and browser add-ons.",
            approval(profile, K::InstallSoftware)
        )),
        p("Report any fault, damage or needed repair to the Clerk as soon as you notice it."),
    ]
}

fn personal_use_of_equipment(rule: PersonalUse) -> String {
    match rule {
        PersonalUse::None => "Council computer equipment is provided for council purposes only; personal use is not permitted.".to_owned(),
        PersonalUse::OutsideWorkingHours => "Council computer equipment is provided for council work. Personal use is permitted only outside working hours (for example during a lunch break), and must not break any other part of this policy.".to_owned(),
        PersonalUse::Reasonable => "Council computer equipment is provided for council work. Reasonable personal use is permitted, as long as it does not get in the way of council work, cost the council money or break any other part of this policy.".to_owned(),
    }
}

fn portable(profile: &PolicyProfile) -> Vec<Body> {
    use ApprovalKind as K;
    vec![
        p(
            "Portable equipment means laptops, tablets, mobile phones and any other device that can be carried away and can reach email or the internet.",
        ),
        p(
            "Follow the council's backup arrangements for portable equipment at all times, so that work is not lost along with a device.",
        ),
        p(
            "Keep portable equipment with you or locked away. Never leave it unattended away from council premises, and never leave it in a parked vehicle, even out of sight.",
        ),
        // 2.1.4
        p(format!(
            "Every laptop, tablet and phone that holds council data must be protected with encryption, so that nothing on it can be read if it is lost or stolen. Phones and tablets must also be protected by a PIN of at least {} (or a stronger password), and set to lock after {} and to lock after {} of inactivity. These security settings must not be turned off.",
            count(profile.device_pin_min_digits, "digit", "digits"),
            count(
                profile.device_lockout_attempts,
                "failed attempt",
                "failed attempts"
            ),
            count(profile.device_idle_lock_minutes, "minute", "minutes"),
        )),
        // 2.1.5
        p(mfa_statement(profile)),
        // 2.1.6
        p(format!(
            "Report the loss of, or damage to, any portable equipment to the Clerk straight away. If the loss or damage was caused by negligence, the person responsible may be liable for {}.",
            liability(profile.negligence_liability)
        )),
        // 2.1.7
        p(format!(
            "Photographs, video and sound recordings must not be taken on council premises without {}, unless the task requires it and has been authorised. This covers phones, cameras and any other recording device.",
            approval(profile, K::RecordingOnPremises)
        )),
        p(
            "No private meeting or conversation may be recorded without the agreement of everyone present. This does not affect anyone's legal right to film, photograph or report the public parts of council meetings.",
        ),
        p(
            "Webcams, including those built into laptops, may be used only for video calls on council business.",
        ),
    ]
}

fn liability(rule: NegligenceLiability) -> String {
    match rule {
        NegligenceLiability::Fixed { .. } => format!("{} of the loss", rule.describe()),
        NegligenceLiability::ReplacementValue => format!("{} of the equipment", rule.describe()),
    }
}

/// 2.1.5: the council-wide MFA rule, and the roles that must always use it.
fn mfa_statement(profile: &PolicyProfile) -> String {
    let rule = match profile.mfa {
        crate::policy::MfaRule::Required => {
            "Multi-factor authentication (MFA) is required on every council account and service that offers it."
        }
        crate::policy::MfaRule::WherePossible => {
            "Multi-factor authentication (MFA) should be used wherever possible."
        }
    };
    let roles = if profile.mfa_required_roles.is_empty() {
        "No role is singled out beyond this.".to_owned()
    } else {
        format!(
            "It must always be used by anyone in these roles: {}.",
            role_list(profile.mfa_required_roles)
        )
    };
    format!(
        "{rule} MFA asks for something you know, such as a password, and something you have, such as a code sent to your phone, so a stolen password alone is not enough to get in. {roles}"
    )
}

fn own_devices(profile: &PolicyProfile) -> Vec<Body> {
    vec![
        // 2.2.1
        p(format!(
            "Councillors, staff and other authorised users may use their own devices (phones, tablets or computers) for council business, for example to read council email or open council documents, only at the council's discretion and with {}. Devices that run a supported, up-to-date operating system will normally be approved.",
            approval(profile, ApprovalKind::OwnDevice)
        )),
        p(
            "The same security rules apply to your own device as to council equipment. Send council email only from the council email account you have been given, never from a personal address.",
        ),
        p(
            "Use every device responsibly and in line with this policy. Reaching unsuitable websites or services through council systems or connections is a serious matter whoever owns the device: for staff it may lead to disciplinary action, up to dismissal without notice, and for contractors to the end of their agreement.",
        ),
        p(
            "If there are legal proceedings involving the council, it may need to take temporary possession of a device that holds council data, whether the council or the user owns it.",
        ),
        p(
            "Keep council data separate from your own, for example by using different apps. Where a device offers a separate work profile, use it for all council work.",
        ),
        // 2.2.6
        list(
            "Anyone who uses their own device for council business must make sure that:",
            vec![
                format!(
                    "it is protected by a PIN of at least {}, or a stronger password;",
                    count(profile.device_pin_min_digits, "digit", "digits")
                ),
                format!(
                    "it is set to lock after {};",
                    count(profile.device_lockout_attempts, "failed attempt", "failed attempts")
                ),
                format!(
                    "it is set to lock after {} of inactivity;",
                    count(profile.device_idle_lock_minutes, "minute", "minutes")
                ),
                "its operating system and apps are kept up to date;".to_owned(),
                "remote wipe is turned on where the device offers it (a wipe may also remove personal data, which is another reason to keep it separate);".to_owned(),
                "confidential documents sent by email are protected with a password, and the password is sent separately by another means;".to_owned(),
                "only secure Wi-Fi networks are used;".to_owned(),
                "family and friends who use the device cannot see or reach council data.".to_owned(),
            ],
        ),
        p(
            "Do not save personal data about councillors, staff, residents or anyone else to a personal cloud storage account. It may break data protection law and puts the data at risk if the device is lost, especially if the account stays signed in.",
        ),
        p(
            "Do not keep sensitive personal information on your own device, particularly if other people use it.",
        ),
        p(
            "If you use removable storage to move council data, securely delete the data from it as soon as the transfer is complete.",
        ),
        p(
            "Delete any downloaded or cached copies of council attachments once you have finished with them.",
        ),
        p(
            "Work done on your own device must be stored securely, protected by a password and backed up in line with the council's backup arrangements.",
        ),
        // 2.2.12
        p(
            "Before you dispose of a device that has held council data, and when you leave the council, the device must be wiped of council data: you must let the Clerk check that all council data, saved passwords and shortcuts to council systems have been removed from it.",
        ),
        p(
            "You are responsible for understanding how your own device meets these rules. The council will help where it reasonably can, but it is not responsible for lost data, faults or costs on your own device.",
        ),
    ]
}

fn health(profile: &PolicyProfile) -> Vec<Body> {
    vec![
        p(
            "Councillors, staff and other authorised users who work in council offices will be given a suitable workstation.",
        ),
        // 3.1.2
        p(match profile.dse_assessment {
            DseAssessment::Annual => format!(
                "The council carries out a workstation assessment for each member of staff who uses display screen equipment every {}, and offers them eye tests by a competent person.",
                count(profile.dse_interval_months, "month", "months")
            ),
            DseAssessment::EyeTestsOffered => "The council offers eye tests, carried out by a competent person, to members of staff who use display screen equipment regularly. A workstation assessment is carried out when someone asks for one.".to_owned(),
        }),
        p(
            "If your workstation needs changing to be safe and comfortable, or you notice a hazard such as a damaged cable or equipment that overheats or makes unusual noises, tell the Clerk straight away.",
        ),
    ]
}
