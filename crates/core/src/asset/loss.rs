//! Reporting an item lost, stolen or damaged (clause 2.1.6). Anyone may report an item issued to
//! them; the Clerk any item. The report opens an incident through
//! [`crate::incident::open_incident`] carrying what is needed to act at once: the numbers to
//! give the network for blocking, the reminder to wipe remotely, and the council's liability rule.

use super::{Asset, AssetError, AssetStatus};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{IncidentId, PersonId};
use crate::incident::{Incident, IncidentKind, IncidentReport, open_incident};
use crate::policy::PolicyProfile;
use jiff::Timestamp;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossKind {
    Lost,
    Stolen,
    Damaged,
}

impl LossKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LossKind::Lost => "lost",
            LossKind::Stolen => "stolen",
            LossKind::Damaged => "damaged",
        }
    }

    fn status(self) -> AssetStatus {
        match self {
            LossKind::Lost => AssetStatus::Lost,
            LossKind::Stolen => AssetStatus::Stolen,
            LossKind::Damaged => AssetStatus::Damaged,
        }
    }

    /// A damaged item is still in the council's hands, so it is not a lost-or-stolen incident;
    /// it is recorded as "other" so it still reaches the Clerk's incident list.
    fn incident_kind(self) -> IncidentKind {
        match self {
            LossKind::Lost | LossKind::Stolen => IncidentKind::LostOrStolenDevice,
            LossKind::Damaged => IncidentKind::Other,
        }
    }
}

/// What the reporter says.
#[derive(Clone, Debug)]
pub struct LossReport {
    pub kind: LossKind,
    pub reporter: PersonId,
    /// Whether the reporter may report any item (the Clerk), decided by the caller from the
    /// permission matrix. Without it, only an item issued to the reporter can be reported.
    pub reporter_may_report_any: bool,
    /// What happened, in the reporter's words.
    pub summary: String,
    pub happened_at: Option<Timestamp>,
}

/// Everything the store saves in one transaction: the item with its new status and the
/// incident, each with its audit event.
#[derive(Clone, Debug, PartialEq)]
pub struct LossReported {
    /// The item as the report was made about it: the store refuses the report if the item has
    /// changed since (returned, issued to someone else, already reported).
    pub before: Asset,
    pub asset: Asset,
    pub asset_event: AuditEvent,
    pub incident: Incident,
    pub incident_event: AuditEvent,
}

/// The reporter's words are limited so the incident summary (which adds the item's details and
/// the reminders) stays within an incident's 2,000 characters.
const MAX_REPORTER_SUMMARY: usize = 1000;

pub fn report_loss(
    asset: &Asset,
    report: LossReport,
    incident_id: IncidentId,
    profile: &PolicyProfile,
    now: Timestamp,
) -> Result<LossReported, AssetError> {
    let number = asset.number_text();
    let words = report.summary.trim();
    if words.is_empty() {
        return Err(AssetError::EmptyLossSummary);
    }
    if words.chars().count() > MAX_REPORTER_SUMMARY {
        return Err(AssetError::TextTooLong {
            field: "description",
            max: MAX_REPORTER_SUMMARY,
        });
    }
    if report.happened_at.is_some_and(|t| t > now) {
        return Err(AssetError::LossInFuture);
    }
    if !report.reporter_may_report_any && asset.holder() != Some(report.reporter) {
        return Err(AssetError::NotYoursToReport { number });
    }
    match (&asset.status, report.kind) {
        (AssetStatus::Disposed, kind) => {
            return Err(AssetError::ReportAfterDisposal {
                number,
                kind: kind.as_str(),
            });
        }
        (AssetStatus::Lost | AssetStatus::Stolen, _)
        | (AssetStatus::Damaged, LossKind::Damaged) => {
            return Err(AssetError::AlreadyReported {
                number,
                state: asset.status.in_words(),
            });
        }
        _ => {}
    }

    let (incident, incident_event) = open_incident(
        asset.council_id,
        incident_id,
        IncidentReport {
            kind: report.kind.incident_kind(),
            summary: incident_summary(asset, report.kind, words, profile),
            happened_at: report.happened_at,
        },
        Actor::Person(report.reporter),
        now,
    )?;
    let mut updated = asset.clone();
    updated.status = report.kind.status();
    let asset_event = AuditEvent::new(
        asset.council_id,
        now,
        Actor::Person(report.reporter),
        format!("asset.reported_{}", report.kind.as_str()),
    )
    .subject(asset.subject())
    .details(json!({
        "number": number,
        "kind": report.kind.as_str(),
        "holder": asset.holder().map(|p| p.to_string()),
        "incident": incident_id.to_string(),
    }));
    Ok(LossReported {
        before: asset.clone(),
        asset: updated,
        asset_event,
        incident,
        incident_event,
    })
}

/// The incident's text: what the item is, the numbers for blocking, what to do now, and the
/// liability rule, so whoever reads the incident can act without looking anything up.
fn incident_summary(asset: &Asset, kind: LossKind, words: &str, profile: &PolicyProfile) -> String {
    let heading = match kind {
        LossKind::Lost => "Lost",
        LossKind::Stolen => "Stolen",
        LossKind::Damaged => "Damaged",
    };
    let mut parts = vec![format!(
        "{heading}: {}, {} ({}).",
        asset.number,
        asset.make_and_model(),
        asset.category.as_str()
    )];
    match (&asset.imei, &asset.sim) {
        (Some(imei), Some(sim)) => parts.push(format!("IMEI {imei}. SIM number {sim}.")),
        (Some(imei), None) => parts.push(format!("IMEI {imei}. No SIM number is recorded.")),
        (None, Some(sim)) => parts.push(format!("SIM number {sim}. No IMEI is recorded.")),
        (None, None) if asset.category.has_mobile_identifiers() => parts.push(
            "No IMEI or SIM number is recorded: look for them on the box or the phone bill."
                .to_owned(),
        ),
        (None, None) => {}
    }
    if kind != LossKind::Damaged && (asset.imei.is_some() || asset.sim.is_some()) {
        parts.push(
            "Give these to the network provider and ask them to block the device and the SIM."
                .to_owned(),
        );
    }
    parts.push(format!("What happened, as reported: {words}"));
    parts.push(match kind {
        LossKind::Lost | LossKind::Stolen => "Wipe the device remotely now where possible (for example with Find My, Google Find My Device or the council's device management), and change any passwords saved on it.".to_owned(),
        LossKind::Damaged => "Before it is repaired or thrown away, make sure council data on it is wiped or removed (clause 2.2.12).".to_owned(),
    });
    let cause = match kind {
        LossKind::Lost | LossKind::Stolen => "the loss",
        LossKind::Damaged => "the damage",
    };
    parts.push(format!(
        "Under clause 2.1.6 the person responsible may be liable for {} if {cause} was through negligence.",
        profile.negligence_liability.describe()
    ));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{laptop, later, now, person, phone, sim};
    use super::super::{Category, issue};
    use super::*;
    use crate::ids::CouncilId;
    use crate::incident::IncidentStatus;
    use crate::policy::NegligenceLiability;

    fn report(kind: LossKind, reporter: PersonId, may_report_any: bool) -> LossReport {
        LossReport {
            kind,
            reporter,
            reporter_may_report_any: may_report_any,
            summary: "Left on the 17:32 train to Bristol".into(),
            happened_at: Some(now() - jiff::SignedDuration::from_hours(3)),
        }
    }

    fn profile(liability: NegligenceLiability) -> PolicyProfile {
        let mut profile = PolicyProfile::model_defaults();
        profile.negligence_liability = liability;
        profile
    }

    fn fixed_100() -> PolicyProfile {
        profile(NegligenceLiability::Fixed {
            amount_pence: 10_000,
        })
    }

    #[test]
    fn the_holder_reports_their_lost_phone_and_an_incident_opens_with_what_is_needed_to_block_it() {
        let council = CouncilId::generate();
        let alice = person(council, "Alice Smith");
        let asset = issue(&phone(council), &alice, Actor::System, now())
            .unwrap()
            .0;
        let id = IncidentId::generate();
        let done = report_loss(
            &asset,
            report(LossKind::Lost, alice.id, false),
            id,
            &fixed_100(),
            later(1),
        )
        .unwrap();

        assert_eq!(done.asset.status, AssetStatus::Lost);
        assert_eq!(done.asset_event.action, "asset.reported_lost");
        assert_eq!(done.asset_event.details["incident"], id.to_string());
        assert_eq!(done.asset_event.details["holder"], alice.id.to_string());
        assert_eq!(done.incident.kind, IncidentKind::LostOrStolenDevice);
        assert_eq!(done.incident.status, IncidentStatus::Open);
        assert_eq!(done.incident.reported_by, Some(alice.id));
        assert_eq!(done.incident_event.action, "incident.opened");

        let summary = &done.incident.summary;
        assert!(
            summary.starts_with("Lost: ABC-0043, Apple iPhone 13 (phone)."),
            "{summary}"
        );
        assert!(summary.contains("IMEI 352099001761481."));
        assert!(summary.contains(&format!("SIM number {}.", sim())));
        assert!(summary.contains("block the device and the SIM"));
        assert!(summary.contains("Left on the 17:32 train to Bristol"));
        assert!(summary.contains("Wipe the device remotely now where possible"));
        assert!(summary.ends_with(
            "Under clause 2.1.6 the person responsible may be liable for the first £100 \
             if the loss was through negligence."
        ));
        assert!(summary.chars().count() <= 2000);
    }

    #[test]
    fn under_a_replacement_value_policy_the_summary_says_so() {
        let council = CouncilId::generate();
        let clerk = PersonId::generate();
        let done = report_loss(
            &laptop(council),
            report(LossKind::Stolen, clerk, true),
            IncidentId::generate(),
            &profile(NegligenceLiability::ReplacementValue),
            now(),
        )
        .unwrap();
        assert_eq!(done.asset.status, AssetStatus::Stolen);
        let summary = &done.incident.summary;
        assert!(summary.starts_with("Stolen: ABC-0042, Dell Latitude 5440 (laptop)."));
        assert!(!summary.contains("IMEI"));
        assert!(summary.contains(
            "may be liable for the replacement value if the loss was through negligence."
        ));
    }

    #[test]
    fn someone_who_does_not_hold_the_item_cannot_report_it_without_the_right() {
        let council = CouncilId::generate();
        let (alice, bob) = (person(council, "Alice Smith"), person(council, "Bob Jones"));
        let asset = issue(&laptop(council), &alice, Actor::System, now())
            .unwrap()
            .0;
        let err = report_loss(
            &asset,
            report(LossKind::Lost, bob.id, false),
            IncidentId::generate(),
            &fixed_100(),
            now(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ABC-0042 is not issued to you, so only the Clerk can report it. Ask the Clerk to report it."
        );
        // An item in store has no holder: only the Clerk may report it.
        assert!(matches!(
            report_loss(
                &laptop(council),
                report(LossKind::Lost, bob.id, false),
                IncidentId::generate(),
                &fixed_100(),
                now()
            ),
            Err(AssetError::NotYoursToReport { .. })
        ));
    }

    #[test]
    fn damage_opens_an_other_incident_with_a_wiping_reminder_and_can_later_become_a_loss() {
        let council = CouncilId::generate();
        let clerk = PersonId::generate();
        let done = report_loss(
            &laptop(council),
            report(LossKind::Damaged, clerk, true),
            IncidentId::generate(),
            &fixed_100(),
            now(),
        )
        .unwrap();
        assert_eq!(done.incident.kind, IncidentKind::Other);
        assert!(done.incident.summary.contains("clause 2.2.12"));
        assert!(
            done.incident
                .summary
                .contains("if the damage was through negligence")
        );
        assert_eq!(
            report_loss(
                &done.asset,
                report(LossKind::Damaged, clerk, true),
                IncidentId::generate(),
                &fixed_100(),
                now()
            ),
            Err(AssetError::AlreadyReported {
                number: "ABC-0042".into(),
                state: "damaged"
            })
        );
        assert!(
            report_loss(
                &done.asset,
                report(LossKind::Stolen, clerk, true),
                IncidentId::generate(),
                &fixed_100(),
                now()
            )
            .is_ok()
        );
    }

    #[test]
    fn a_lost_or_disposed_item_cannot_be_reported_again() {
        let council = CouncilId::generate();
        let clerk = PersonId::generate();
        let mut asset = laptop(council);
        asset.status = AssetStatus::Lost;
        assert!(matches!(
            report_loss(
                &asset,
                report(LossKind::Stolen, clerk, true),
                IncidentId::generate(),
                &fixed_100(),
                now()
            ),
            Err(AssetError::AlreadyReported { state: "lost", .. })
        ));
        asset.status = AssetStatus::Disposed;
        assert!(matches!(
            report_loss(
                &asset,
                report(LossKind::Lost, clerk, true),
                IncidentId::generate(),
                &fixed_100(),
                now()
            ),
            Err(AssetError::ReportAfterDisposal { .. })
        ));
    }

    #[test]
    fn a_phone_without_recorded_numbers_says_where_to_find_them() {
        let council = CouncilId::generate();
        let mut asset = phone(council);
        asset.imei = None;
        asset.sim = None;
        assert_eq!(asset.category, Category::Phone);
        let done = report_loss(
            &asset,
            report(LossKind::Lost, PersonId::generate(), true),
            IncidentId::generate(),
            &fixed_100(),
            now(),
        )
        .unwrap();
        assert!(
            done.incident
                .summary
                .contains("No IMEI or SIM number is recorded")
        );
    }

    #[test]
    fn an_empty_description_or_a_future_time_is_refused() {
        let council = CouncilId::generate();
        let clerk = PersonId::generate();
        let mut empty = report(LossKind::Lost, clerk, true);
        empty.summary = "  ".into();
        assert_eq!(
            report_loss(
                &laptop(council),
                empty,
                IncidentId::generate(),
                &fixed_100(),
                now()
            ),
            Err(AssetError::EmptyLossSummary)
        );
        let mut future = report(LossKind::Lost, clerk, true);
        future.happened_at = Some(later(1));
        assert_eq!(
            report_loss(
                &laptop(council),
                future,
                IncidentId::generate(),
                &fixed_100(),
                now()
            ),
            Err(AssetError::LossInFuture)
        );
        let mut long = report(LossKind::Lost, clerk, true);
        long.summary = "x".repeat(1001);
        assert!(matches!(
            report_loss(
                &laptop(council),
                long,
                IncidentId::generate(),
                &fixed_100(),
                now()
            ),
            Err(AssetError::TextTooLong { .. })
        ));
    }
}
