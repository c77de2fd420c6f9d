//! Who approves each kind of request: finds the clause about a topic (buying equipment,
//! personal USB sticks, links to outside sites, …) by its words, not its number, and reads the
//! approver it names: "without the prior approval of the Council", "checking first with the
//! Clerk", "the Clerk's written permission", "inform the Clerk … and gain agreement".
//!
//! Only the Clerk and the Council can be settled, because those are the approvers a profile
//! holds. A clause that asks for approval without saying whose ("unless previously authorised"),
//! names someone else (the Chair, a committee) or names two approvers settles nothing.

mod topics;
mod wording;

use super::fields::{Conflict, Found, rules};
use super::text::{Document, Sentence, has_any};
use crate::policy::profile::{ApprovalKind, Approver};
use topics::about;
use wording::approver_in;

/// Who approves each kind of request the document settles, in [`ApprovalKind::ALL`] order,
/// with any clause that names a different approver for the same kind as a conflict for lint.
///
/// A sentence on the topic is read; so is the sentence after it in the same clause when that
/// one is on no topic of its own ("…must not buy equipment. Ask the Council's approval first.").
pub(crate) fn approvers(doc: &Document) -> (Vec<(ApprovalKind, Found<Approver>)>, Vec<Conflict>) {
    let sentences: Vec<&Sentence> = rules(doc).collect();
    // Most sentences name no approver: read each sentence once, and look for a topic only in
    // sentences with an approver in them or just after them.
    let readings: Vec<Option<Approver>> = sentences
        .iter()
        .map(|s| {
            may_name_approver(&s.lower)
                .then(|| approver_in(&s.lower))
                .flatten()
        })
        .collect();
    let on_no_topic = |lower: &str| !ApprovalKind::ALL.iter().any(|k| about(*k, lower));
    let mut by_kind: Vec<Vec<Found<Approver>>> = vec![Vec::new(); ApprovalKind::ALL.len()];
    for (i, s) in sentences.iter().enumerate() {
        let next = sentences
            .get(i + 1)
            .filter(|n| n.block == s.block)
            .zip(readings.get(i + 1).copied().flatten());
        let own = readings.get(i).copied().flatten();
        if own.is_none() && next.is_none() {
            continue;
        }
        let kinds: Vec<ApprovalKind> = ApprovalKind::ALL
            .into_iter()
            .filter(|k| about(*k, &s.lower))
            .collect();
        if kinds.is_empty() {
            continue;
        }
        let reading = match (own, next) {
            (Some(approver), _) => Found::at(s, approver),
            (None, Some((n, approver))) if on_no_topic(&n.lower) => Found::at(n, approver),
            _ => continue,
        };
        for kind in kinds {
            if let Some(found) = by_kind.get_mut(kind as usize) {
                found.push(reading.clone());
            }
        }
    }
    let mut settled = Vec::new();
    let mut conflicts = Vec::new();
    for (kind, found) in ApprovalKind::ALL.into_iter().zip(by_kind) {
        let Some(first) = found.first() else {
            continue;
        };
        if let Some(other) = found.iter().find(|f| f.value != first.value) {
            conflicts.push(Conflict {
                what: who_approves(kind),
                first: (
                    first.source.clause.clone(),
                    first.value.in_words().to_owned(),
                ),
                second: (
                    other.source.clause.clone(),
                    other.value.in_words().to_owned(),
                ),
            });
        }
        settled.push((kind, first.clone()));
    }
    (settled, conflicts)
}

/// Whether a sentence has any word an approval is written with ("approv…", "permi…",
/// "checking"). A quick test before the full reading, which finds nothing without one.
fn may_name_approver(lower: &str) -> bool {
    has_any(
        lower,
        &[
            "approv", "permi", "consent", "authori", "agree", "sanction", "sign", "clear", "check",
        ],
    )
}

/// What two clauses disagree about, for lint: "who approves buying equipment or software".
fn who_approves(kind: ApprovalKind) -> &'static str {
    match kind {
        ApprovalKind::BuyEquipmentOrSoftware => "who approves buying equipment or software",
        ApprovalKind::InstallSoftware => "who approves installing software",
        ApprovalKind::PersonalRemovableMedia => "who approves using personal USB sticks or disks",
        ApprovalKind::RecordingOnPremises => "who approves recordings on council premises",
        ApprovalKind::OwnDevice => "who approves using your own device",
        ApprovalKind::BlogOrSite => "who approves a blog or website going live",
        ApprovalKind::DomainOrTrademark => "who approves registering a domain name or trademark",
        ApprovalKind::ExternalLink => "who approves links to external sites",
        ApprovalKind::SocialMediaContacts => "who approves connecting council contacts online",
        ApprovalKind::PaidConnectivity => "who approves paid Wi-Fi or mobile data",
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(ApprovalKind, Approver, String)> {
        let (found, _) = approvers(&Document::parse(text));
        found
            .into_iter()
            .map(|(kind, f)| (kind, f.value, f.source.clause))
            .collect()
    }

    #[test]
    fn each_kind_is_found_by_its_topic_not_its_number() {
        let found = read(
            "Internet\n\n3.2.1 The council does not permit the registration of any new domain names unless authorised to do so. Nor should they add links from any of the council's web pages to any other external sites without checking first with the Clerk.\n\nEquipment\n\n4.1.1 Memory sticks must not be used on council laptops without the Council's approval.\n\n4.1.2 Nobody may buy a laptop for council work. Ask the Clerk for approval.",
        );
        assert_eq!(
            found,
            vec![
                (
                    ApprovalKind::BuyEquipmentOrSoftware,
                    Approver::Clerk,
                    "4.1.2".to_owned()
                ),
                (
                    ApprovalKind::PersonalRemovableMedia,
                    Approver::Council,
                    "4.1.1".to_owned()
                ),
                (
                    ApprovalKind::ExternalLink,
                    Approver::Clerk,
                    "3.2.1".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn clauses_that_disagree_keep_the_first_and_are_reported() {
        let (found, conflicts) = approvers(&Document::parse(
            "1.1.8 USB sticks need the prior approval of the Clerk.\n\n2.3.1 USB sticks need the prior approval of the Council.",
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.value, Approver::Clerk);
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].second.0, "2.3.1");
    }
}
