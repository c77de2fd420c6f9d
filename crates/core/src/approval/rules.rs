//! The transitions of an approval request: asking, deciding, withdrawing. Each checks
//! everything first and returns the next revision with its audit entry, or every problem found.

use super::{
    ApprovalError, ApprovalId, ApprovalRequest, CouncilMinute, Decision, MAX_COST_PENCE,
    MAX_DETAILS_CHARS, MAX_NOTE_CHARS, MAX_TITLE_CHARS, Outcome,
};
use crate::audit::{Actor, AuditEvent};
use crate::permission::{Action, may};
use crate::person::{Person, Role};
use crate::policy::choices::{ApprovalKind, Approvers};
use crate::policy::version::{MinuteReference, london_today};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::json;

/// Whether a kind of request asks what it will cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostRule {
    /// Buying: the approver needs the price (1.1.7).
    Required,
    /// Asked, but may be left empty (a domain's fee, a day's Wi-Fi).
    Optional,
    NotAsked,
}

pub fn cost_rule(kind: ApprovalKind) -> CostRule {
    match kind {
        ApprovalKind::BuyEquipmentOrSoftware => CostRule::Required,
        ApprovalKind::DomainOrTrademark | ApprovalKind::PaidConnectivity => CostRule::Optional,
        _ => CostRule::NotAsked,
    }
}

/// How long an approval of this kind holds unless the decider says otherwise, in days; `None`
/// for kinds that, once done, stay done (software installed, a site gone live).
fn default_validity_days(kind: ApprovalKind) -> Option<i64> {
    match kind {
        // Prices and needs change: buy within three months or ask again.
        ApprovalKind::BuyEquipmentOrSoftware | ApprovalKind::DomainOrTrademark => Some(90),
        // Personal storage is looked at again each year.
        ApprovalKind::PersonalRemovableMedia => Some(365),
        // One event or one trip: a month unless the request says which day.
        ApprovalKind::RecordingOnPremises | ApprovalKind::PaidConnectivity => Some(30),
        ApprovalKind::InstallSoftware
        | ApprovalKind::OwnDevice
        | ApprovalKind::BlogOrSite
        | ApprovalKind::ExternalLink
        | ApprovalKind::SocialMediaContacts => None,
    }
}

/// The end date the decision form offers: the day the requester needs it until, if they said
/// one; otherwise the kind's usual length from `today`; `None` if the kind does not expire.
pub fn default_expiry(request: &ApprovalRequest, today: Date) -> Option<Date> {
    if request.needed_until.is_some() {
        return request.needed_until;
    }
    let days = default_validity_days(request.kind)?;
    today.checked_add(days.days()).ok()
}

/// Who is expected to decide a request of `requester`: the Clerk, or the Chair when a Clerk
/// asks. (Either may decide any request that is not their own, for when one is away.)
pub fn expected_decider(requester: &Person) -> Role {
    if requester.roles.contains(Role::Clerk) {
        Role::Chair
    } else {
        Role::Clerk
    }
}

/// Pounds as people type them: "450", "£1,250.50", "449.9". Blank is `None`.
pub fn parse_pounds(text: &str) -> Result<Option<u32>, ApprovalError> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let unreadable = || ApprovalError::CostUnreadable(text.trim().to_owned());
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || (digits(fraction) && fraction.len() <= 2)) {
        return Err(unreadable());
    }
    if whole.len() > 7 {
        return Err(ApprovalError::CostTooLarge);
    }
    let pounds: u64 = whole.parse().map_err(|_| unreadable())?;
    let pence: u64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u64>().map_err(|_| unreadable())? * 10,
        _ => fraction.parse().map_err(|_| unreadable())?,
    };
    let total = pounds * 100 + pence;
    if total > u64::from(MAX_COST_PENCE) {
        return Err(ApprovalError::CostTooLarge);
    }
    u32::try_from(total)
        .map(Some)
        .map_err(|_| ApprovalError::CostTooLarge)
}

/// Text as typed, trimmed, with Windows line ends made plain; `lines` allows line breaks.
fn clean(text: &str, lines: bool, field: &'static str) -> Result<String, ApprovalError> {
    let text = text.trim().replace("\r\n", "\n");
    if text
        .chars()
        .any(|c| c.is_control() && !(lines && c == '\n'))
    {
        return Err(ApprovalError::ControlCharacters { field });
    }
    Ok(text)
}

/// What a person asks for, as typed in the form.
#[derive(Clone, Copy, Debug, Default)]
pub struct NewRequest<'a> {
    pub title: &'a str,
    pub details: &'a str,
    /// The cost in pounds as typed (ignored for kinds that do not ask it).
    pub cost: &'a str,
    pub needed_until: Option<Date>,
}

/// `requester` asks for approval of `kind`. The approver is the policy's (`approvers`, from
/// the policy in force now) and is kept with the request.
pub fn request(
    id: ApprovalId,
    requester: &Person,
    kind: ApprovalKind,
    new: &NewRequest<'_>,
    approvers: &Approvers,
    now: Timestamp,
) -> Result<(ApprovalRequest, AuditEvent), Vec<ApprovalError>> {
    if kind == ApprovalKind::OwnDevice {
        return Err(vec![ApprovalError::OwnDeviceThroughDevices]);
    }
    let mut problems = Vec::new();
    let title = match clean(new.title, false, "title") {
        Ok(t) if t.is_empty() => {
            problems.push(ApprovalError::TitleMissing);
            t
        }
        Ok(t) if t.chars().count() > MAX_TITLE_CHARS => {
            problems.push(ApprovalError::TitleTooLong);
            t
        }
        Ok(t) => t,
        Err(e) => {
            problems.push(e);
            String::new()
        }
    };
    let details = match clean(new.details, true, "details") {
        Ok(d) if d.chars().count() > MAX_DETAILS_CHARS => {
            problems.push(ApprovalError::DetailsTooLong);
            d
        }
        Ok(d) => d,
        Err(e) => {
            problems.push(e);
            String::new()
        }
    };
    let cost_pence = match cost_rule(kind) {
        CostRule::NotAsked => None,
        rule => match parse_pounds(new.cost) {
            Ok(None) if rule == CostRule::Required => {
                problems.push(ApprovalError::CostMissing);
                None
            }
            Ok(cost) => cost,
            Err(e) => {
                problems.push(e);
                None
            }
        },
    };
    if new.needed_until.is_some_and(|d| d < london_today(now)) {
        problems.push(ApprovalError::NeededUntilPassed);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let approver = approvers.get(kind);
    let request = ApprovalRequest {
        id,
        council_id: requester.council_id,
        kind,
        requester: requester.id,
        title,
        details,
        cost_pence,
        needed_until: new.needed_until,
        approver,
        requested_at: now,
        decision: None,
        withdrawn_at: None,
        revision: 0,
    };
    let event = AuditEvent::new(
        requester.council_id,
        now,
        Actor::Person(requester.id),
        "approval.requested",
    )
    .subject(request.subject())
    .details(json!({ "kind": kind.as_str(), "approver": approver.as_str() }));
    Ok((request, event))
}

/// What a decider entered.
#[derive(Clone, Copy, Debug)]
pub struct DecisionInput<'a> {
    pub outcome: Outcome,
    /// The reason (declining, required) or conditions (approving, optional).
    pub note: &'a str,
    /// The last day an approval holds; ignored when declining.
    pub expires_on: Option<Date>,
    /// The Council's minute reference; ignored when the Clerk is the approver.
    pub minute_reference: &'a str,
    pub meeting_on: Option<Date>,
    /// The revision the decider was shown.
    pub revision: u32,
}

/// Refusals of the change as a whole, before any field is looked at.
fn still_open(request: &ApprovalRequest, revision: u32) -> Result<(), ApprovalError> {
    if request.withdrawn_at.is_some() {
        return Err(ApprovalError::Withdrawn);
    }
    if request.decision.is_some() {
        return Err(ApprovalError::AlreadyDecided);
    }
    if request.revision != revision {
        return Err(ApprovalError::Stale);
    }
    Ok(())
}

/// `decider` records a decision on a pending request: their own (the Clerk's kinds) or the
/// Council's, with its minute reference and meeting date.
pub fn decide(
    request: &ApprovalRequest,
    input: &DecisionInput<'_>,
    decider: &Person,
    now: Timestamp,
) -> Result<(ApprovalRequest, AuditEvent), Vec<ApprovalError>> {
    still_open(request, input.revision).map_err(|e| vec![e])?;
    if decider.council_id != request.council_id || !may(decider.roles, Action::DecideApprovals) {
        return Err(vec![ApprovalError::NotADecider]);
    }
    if decider.id == request.requester {
        return Err(vec![ApprovalError::OwnRequest]);
    }
    let today = london_today(now);
    let mut problems = Vec::new();
    let note = match clean(input.note, true, "note") {
        Ok(n) if n.chars().count() > MAX_NOTE_CHARS => {
            problems.push(ApprovalError::NoteTooLong);
            None
        }
        Ok(n) if n.is_empty() => {
            if input.outcome == Outcome::Declined {
                problems.push(ApprovalError::ReasonMissing);
            }
            None
        }
        Ok(n) => Some(n),
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let expires_on = match input.outcome {
        Outcome::Declined => None,
        Outcome::Approved => input.expires_on,
    };
    if expires_on.is_some_and(|last| last < today) {
        problems.push(ApprovalError::ExpiryBeforeDecision);
    }
    let minute = match request.approver {
        crate::policy::choices::Approver::Clerk => None,
        crate::policy::choices::Approver::Council => {
            let reference = if input.minute_reference.trim().is_empty() {
                problems.push(ApprovalError::MinuteMissing);
                None
            } else {
                match MinuteReference::parse(input.minute_reference) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        problems.push(ApprovalError::MinuteUnreadable(e.to_string()));
                        None
                    }
                }
            };
            match input.meeting_on {
                None => problems.push(ApprovalError::MeetingDateMissing),
                Some(day) if day > today => problems.push(ApprovalError::MeetingInFuture),
                Some(_) => {}
            }
            reference
                .zip(input.meeting_on)
                .map(|(reference, meeting_on)| CouncilMinute {
                    reference,
                    meeting_on,
                })
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let decided = ApprovalRequest {
        decision: Some(Decision {
            outcome: input.outcome,
            note,
            expires_on,
            minute,
            by: decider.id,
            at: now,
        }),
        revision: request.revision + 1,
        ..request.clone()
    };
    let event = AuditEvent::new(
        request.council_id,
        now,
        Actor::Person(decider.id),
        "approval.decided",
    )
    .subject(request.subject())
    .details(json!({
        "kind": request.kind.as_str(),
        "outcome": input.outcome.as_str(),
        "approver": request.approver.as_str(),
    }));
    Ok((decided, event))
}

/// The requester withdraws a request still waiting for a decision.
pub fn withdraw(
    request: &ApprovalRequest,
    by: crate::ids::PersonId,
    revision: u32,
    now: Timestamp,
) -> Result<(ApprovalRequest, AuditEvent), ApprovalError> {
    still_open(request, revision)?;
    if by != request.requester {
        return Err(ApprovalError::NotTheRequester);
    }
    let withdrawn = ApprovalRequest {
        withdrawn_at: Some(now),
        revision: request.revision + 1,
        ..request.clone()
    };
    let event = AuditEvent::new(
        request.council_id,
        now,
        Actor::Person(by),
        "approval.withdrawn",
    )
    .subject(request.subject())
    .details(json!({ "kind": request.kind.as_str() }));
    Ok((withdrawn, event))
}
