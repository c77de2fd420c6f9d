//! The demo council's routines (issue 6): approval requests in each state a Clerk meets, joining
//! checklists for the newest people, workstation assessments and eye tests at different points
//! of their cycle, a hazard report, and a personal-data breach whose 72-hour clock is running,
//! so every routine page and the home page have something true to show.

use anyhow::Context;
use custodian_core::approval::{self, ApprovalId, DecisionInput, NewRequest, Outcome};
use custodian_core::audit::Actor;
use custodian_core::health::{
    AssessmentForm, AssessmentId, AssessorChoice, EyeTestOfferId, HazardId, offer_eye_test,
    record_assessment, report_hazard,
};
use custodian_core::ids::{CouncilId, IncidentId, PersonId};
use custodian_core::incident::{IncidentKind, IncidentReport, open_incident};
use custodian_core::person::Person;
use custodian_core::policy::{ApprovalKind, Approvers};
use custodian_core::ports::{
    ApprovalStore, HealthStore, IncidentStore, JoinerStore, PersonStore, StoreResult,
};
use custodian_store::Store;
use jiff::{SignedDuration, Timestamp, ToSpan};

/// Who does what in the demo's routines.
pub struct RoutinePeople {
    pub clerk: PersonId,
    pub assistant: PersonId,
    pub councillor_buying: PersonId,
    pub councillor_travelling: PersonId,
    pub councillor_recording: PersonId,
    /// Joined most recently: their joining checklists are still open.
    pub joiners: Vec<PersonId>,
}

pub async fn seed_routines(
    store: &Store,
    council: CouncilId,
    who: &RoutinePeople,
    now: Timestamp,
) -> anyhow::Result<()> {
    let person = |id: PersonId| async move {
        store
            .person(council, id)
            .await
            .context("a demo person could not be read back")
    };
    let clerk = person(who.clerk).await?;
    seed_approvals(store, who, &clerk, now).await?;
    for joiner in &who.joiners {
        let joiner = person(*joiner).await?;
        let (checklist, event) = custodian_core::joiner::build_checklist(&joiner, clerk.id, now);
        store
            .insert_joiner_checklist(&checklist, &event)
            .await
            .context("a demo joining checklist could not be stored")?;
    }
    seed_health(
        store,
        council,
        who,
        &person(who.assistant).await?,
        &clerk,
        now,
    )
    .await?;
    seed_breach(store, council, who.assistant, now).await
}

/// A purchase waiting for the Clerk, Wi-Fi approved for a conference (ending soon), and
/// recording at a meeting waiting for the Council's decision.
async fn seed_approvals(
    store: &Store,
    who: &RoutinePeople,
    clerk: &Person,
    now: Timestamp,
) -> anyhow::Result<()> {
    let approvers = Approvers::model_defaults();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let asks = [
        (
            who.councillor_buying,
            ApprovalKind::BuyEquipmentOrSoftware,
            "A tablet for reading council papers",
            "The papers run to 200 pages a month; printing them costs more over two years.",
            "229.00",
            None,
        ),
        (
            who.councillor_travelling,
            ApprovalKind::PaidConnectivity,
            "Hotel Wi-Fi at the county association's conference",
            "Two nights; the venue charges £12 a night.",
            "",
            today.checked_add(10.days()).ok(),
        ),
        (
            who.councillor_recording,
            ApprovalKind::RecordingOnPremises,
            "Film the annual parish meeting for the website",
            "Only the top table would be in view; a notice at the door would say so.",
            "",
            None,
        ),
    ];
    for (position, (requester, kind, title, details, cost, needed_until)) in
        asks.into_iter().enumerate()
    {
        let requester = store
            .person(clerk.council_id, requester)
            .await
            .context("a demo requester could not be read back")?;
        let asked_at = hours_before(now, 50 - 12 * position as i64)?;
        let new = NewRequest {
            title,
            details,
            cost,
            needed_until,
        };
        let (request, event) = approval::request(
            ApprovalId::generate(),
            &requester,
            kind,
            &new,
            &approvers,
            asked_at,
        )
        .map_err(|problems| anyhow::anyhow!("a demo approval request was refused: {problems:?}"))?;
        store
            .insert_approval(&request, &event)
            .await
            .context("a demo approval request could not be stored")?;
        if kind == ApprovalKind::PaidConnectivity {
            let decision = DecisionInput {
                outcome: Outcome::Approved,
                note: "Keep the receipt for the expenses claim.",
                expires_on: needed_until,
                minute_reference: "",
                meeting_on: None,
                revision: request.revision,
            };
            let decided_at = hours_before(now, 20)?;
            let (decided, event) = approval::decide(&request, &decision, clerk, decided_at)
                .map_err(|p| anyhow::anyhow!("a demo approval was refused: {p:?}"))?;
            store
                .update_approval(&decided, &[], &event)
                .await
                .context("a demo approval could not be stored")?;
        }
    }
    Ok(())
}

/// The assistant clerk was assessed eleven months ago (due again within the month) and
/// offered an eye test she has not answered; the Clerk has never been assessed; a hazard is
/// open.
async fn seed_health(
    store: &Store,
    council: CouncilId,
    who: &RoutinePeople,
    assistant: &Person,
    clerk: &Person,
    now: Timestamp,
) -> anyhow::Result<()> {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let day = |date: jiff::civil::Date| date.strftime("%-d/%-m/%Y").to_string();
    let assessed_on = day(today
        .checked_sub(11.months())
        .context("the demo's assessment date")?);
    let (assessment, event) = record_assessment(
        assistant,
        AssessmentId::generate(),
        AssessmentForm {
            assessed_on: &assessed_on,
            assessor: AssessorChoice::Person(clerk.id),
            changes_needed: Some(true),
            actions: "A footrest, and the screen raised to eye level.",
        },
        clerk.id,
        today,
        now,
    )
    .context("the demo assessment was refused")?;
    store
        .insert_assessment(&assessment, &event)
        .await
        .context("the demo assessment could not be stored")?;
    let offered_on = day(today
        .checked_sub(3.days())
        .context("the demo's eye-test date")?);
    let (offer, event) = offer_eye_test(
        assistant,
        EyeTestOfferId::generate(),
        &offered_on,
        clerk.id,
        today,
        now,
    )
    .context("the demo eye-test offer was refused")?;
    store
        .insert_eye_test_offer(&offer, &event)
        .await
        .context("the demo eye-test offer could not be stored")?;
    let (hazard, event) = report_hazard(
        council,
        HazardId::generate(),
        "Parish office, by the printer",
        "The printer's power cable runs across the walkway to the kitchen.",
        who.assistant,
        hours_before(now, 30)?,
    )
    .context("the demo hazard report was refused")?;
    store
        .insert_hazard(&hazard, &event)
        .await
        .context("the demo hazard report could not be stored")?;
    Ok(())
}

/// A personal-data breach reported 30 hours ago: its 72-hour clock runs on the home page.
async fn seed_breach(
    store: &Store,
    council: CouncilId,
    reporter: PersonId,
    now: Timestamp,
) -> anyhow::Result<()> {
    let (incident, event) = open_incident(
        council,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::PersonalDataBreach,
            summary: "The allotment waiting list, with names and phone numbers, was emailed to \
                      all allotment holders instead of only to the committee."
                .to_owned(),
            happened_at: Some(hours_before(now, 32)?),
        },
        Actor::Person(reporter),
        hours_before(now, 30)?,
    )
    .context("the demo breach could not be opened")?;
    let stored: StoreResult<()> = store.insert_incident(&incident, &event).await;
    stored.context("the demo breach could not be stored")
}

fn hours_before(now: Timestamp, hours: i64) -> anyhow::Result<Timestamp> {
    now.checked_sub(SignedDuration::from_hours(hours))
        .context("a demo time is out of range")
}

/// Two incidents: a suspected phishing compromise this morning and a policy breach last week.
pub async fn seed_incidents(
    store: &Store,
    council: CouncilId,
    clerk: PersonId,
    assistant: PersonId,
    now: Timestamp,
) -> anyhow::Result<()> {
    let ago = |hours: i64| now.checked_sub(SignedDuration::from_hours(hours)).ok();
    let incidents = [
        (
            IncidentKind::SuspectedCredentialCompromise,
            "An email that looked like it came from Microsoft asked me to confirm the council \
             mailbox password. I clicked the link but closed the page without typing anything.",
            ago(6),
            Actor::Person(assistant),
        ),
        (
            IncidentKind::PolicyBreach,
            "Draft minutes including two residents' home addresses were sent from a personal \
             email account instead of the council one.",
            ago(24 * 9),
            Actor::Person(clerk),
        ),
    ];
    for (kind, summary, happened_at, reporter) in incidents {
        let (incident, event) = open_incident(
            council,
            IncidentId::generate(),
            IncidentReport {
                kind,
                summary: summary.to_owned(),
                happened_at,
            },
            reporter,
            now,
        )
        .context("a demo incident could not be opened")?;
        store
            .insert_incident(&incident, &event)
            .await
            .context("a demo incident could not be stored")?;
    }
    Ok(())
}
