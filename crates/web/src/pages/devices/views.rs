//! What device pages show, built once from a device and its evaluation: status tags, findings
//! with their clause and how-to, facts with their source and when they were confirmed, and the
//! row of the compliance table. Names come from the council's people as they are now.

use crate::error::AppError;
use crate::nav::local_time;
use crate::state::AppState;
use custodian_core::device::{
    Approval, Device, Evaluation, FactField, FactSource, Finding, Status, UnknownReason,
};
use custodian_core::ids::{CouncilId, PersonId};
use std::collections::HashMap;

/// The council's people by id, for names on device pages.
pub struct Names(HashMap<PersonId, String>);

impl Names {
    pub async fn of(state: &AppState, council: CouncilId) -> Result<Self, AppError> {
        let people = state.people(council).await?;
        Ok(Self(
            people.iter().map(|p| (p.id, p.name.to_string())).collect(),
        ))
    }

    pub fn name(&self, person: PersonId) -> String {
        self.0
            .get(&person)
            .cloned()
            .unwrap_or_else(|| "someone no longer listed".to_owned())
    }

    /// The person who uses the device, or a word for a shared council device.
    pub fn user(&self, device: &Device) -> String {
        device
            .user
            .map_or_else(|| "Shared (no one person)".to_owned(), |p| self.name(p))
    }
}

/// A coloured tag with its words (colour never carries the meaning alone).
#[derive(Clone, Copy)]
pub struct Tag {
    pub label: &'static str,
    pub class: &'static str,
}

pub fn status_tag(status: Status) -> Tag {
    match status {
        Status::Compliant => Tag {
            label: "Meets the policy",
            class: "govuk-tag--green",
        },
        Status::ActionNeeded => Tag {
            label: "Action needed",
            class: "govuk-tag--red",
        },
        Status::Unknown => Tag {
            label: "Not known",
            class: "govuk-tag--yellow",
        },
    }
}

/// The decision on a device, as a tag: only for own devices and retired ones.
pub fn approval_tag(device: &Device) -> Option<Tag> {
    if device.retired.is_some() {
        return Some(Tag {
            label: "No longer used",
            class: "govuk-tag--grey",
        });
    }
    match device.approval {
        Approval::NotNeeded => None,
        Approval::Pending { .. } => Some(Tag {
            label: "Waiting for the Clerk",
            class: "govuk-tag--blue",
        }),
        Approval::Approved { .. } => Some(Tag {
            label: "Approved",
            class: "govuk-tag--turquoise",
        }),
        Approval::Declined { .. } => Some(Tag {
            label: "Declined",
            class: "govuk-tag--orange",
        }),
    }
}

/// The decision in a sentence: "Approved for council work by Clara Clerk on 3 Jun 2026, 10:00."
pub fn approval_sentence(device: &Device, names: &Names) -> Option<String> {
    if let Some(retired) = &device.retired {
        return Some(format!(
            "{} recorded on {} that it is no longer used for council work.",
            names.name(retired.by),
            local_time(retired.at)
        ));
    }
    match &device.approval {
        Approval::NotNeeded => None,
        Approval::Pending { requested_at } => Some(format!(
            "Asked to use it for council work on {}. The Clerk has not decided yet.",
            local_time(*requested_at)
        )),
        Approval::Approved { by, at, .. } => Some(format!(
            "Approved for council work by {} on {}.",
            names.name(*by),
            local_time(*at)
        )),
        Approval::Declined { by, at, .. } => Some(format!(
            "Declined by {} on {}.",
            names.name(*by),
            local_time(*at)
        )),
    }
}

/// The reason given for declining, shown to the person who asked.
pub fn decline_reason(device: &Device) -> Option<String> {
    match &device.approval {
        Approval::Declined { reason, .. } => Some(reason.clone()),
        _ => None,
    }
}

/// One finding as pages list it.
pub struct FindingView {
    pub requirement: &'static str,
    pub tag: Tag,
    pub message: String,
    /// Self-reported more than 12 months ago: "please confirm again".
    pub stale: bool,
}

impl FindingView {
    fn of(finding: &Finding) -> Self {
        Self {
            requirement: finding.requirement().label(),
            tag: status_tag(finding.status()),
            message: finding.message(),
            stale: matches!(finding.unknown_reason(), Some(UnknownReason::Stale { .. })),
        }
    }
}

/// Every finding, those needing action first, then the unknown, then those met.
pub fn findings(evaluation: &Evaluation) -> Vec<FindingView> {
    let mut all: Vec<&Finding> = evaluation.findings().collect();
    all.sort_by_key(|f| match f.status() {
        Status::ActionNeeded => 0,
        Status::Unknown => 1,
        Status::Compliant => 2,
    });
    all.into_iter().map(FindingView::of).collect()
}

/// One fact as the device page lists it.
pub struct FactView {
    pub label: &'static str,
    pub value: String,
    pub source: String,
    pub confirmed: String,
}

fn source_words(source: FactSource, device: &Device, names: &Names) -> String {
    match source {
        FactSource::SelfAttested { by } if device.user == Some(by) => {
            "Answered by the person who uses it".to_owned()
        }
        FactSource::SelfAttested { by } => format!("Answered by {}", names.name(by)),
        FactSource::ItProvider { by } => format!("Checked by {}", names.name(by)),
        FactSource::Osquery => "osquery report from the IT provider".to_owned(),
        FactSource::MdmCsv => "Device-management (MDM) export".to_owned(),
    }
}

/// Every fact, known or not, with where it came from.
pub fn facts(device: &Device, names: &Names) -> Vec<FactView> {
    FactField::ALL
        .into_iter()
        .map(|field| {
            let (source, confirmed) = match device.facts.provenance(field) {
                Some((source, at)) => (source_words(source, device, names), local_time(at)),
                None => (String::new(), String::new()),
            };
            FactView {
                label: field.label(),
                value: device
                    .facts
                    .value_words(field)
                    .unwrap_or_else(|| "Not known".to_owned()),
                source,
                confirmed,
            }
        })
        .collect()
}

/// "2 to change, 3 not known", or empty when everything is met.
pub fn counts_sentence(evaluation: &Evaluation) -> String {
    let mut parts = Vec::new();
    match evaluation.action_needed_count() {
        0 => {}
        n => parts.push(format!("{n} to change")),
    }
    match evaluation.unknown_count() {
        0 => {}
        n => parts.push(format!("{n} not known")),
    }
    parts.join(", ")
}

/// The device's kind and system: "Phone, Android".
pub fn kind_and_platform(device: &Device) -> String {
    format!(
        "{}, {}",
        device.facts.kind.label(),
        device.facts.platform.label()
    )
}

/// One option of a radio group or select, in the shape `macros/assets.html` draws.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: &str) -> Self {
        let value = value.into();
        Self {
            checked: value == selected,
            value,
            label: label.into(),
        }
    }
}
