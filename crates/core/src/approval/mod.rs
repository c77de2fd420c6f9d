//! Approvals (issue 6, item 2): one request-and-decision workflow for everything the policy says
//! needs approval first (buying, installing, personal storage, recording, going live with a
//! site, domains, external links, social networks, paid connectivity), each citing its clause.
//!
//! The approver (the Clerk, or the Council with a minute reference) is taken from the policy in
//! force when the request is made and kept with it, so a later change of policy does not change
//! who was asked. Approvals can expire; whether one has is worked out on reading with `now`
//! ([`ApprovalRequest::state`]), never stored. Own devices (2.2.1) have their own flow in
//! `device::record` and are refused here.
//!
//! Pure: no IO, no clock. Each transition returns the next revision and its audit entry, whose
//! details hold ids and choices only, never the words people typed.

mod rules;

pub use crate::ids::ApprovalId;
pub use rules::{
    CostRule, DecisionInput, NewRequest, cost_rule, decide, default_expiry, expected_decider,
    parse_pounds, request, withdraw,
};

use crate::ids::{CouncilId, PersonId};
use crate::person::Person;
use crate::policy::choices::{ApprovalKind, Approver};
use crate::policy::version::{MinuteReference, london_today};
use jiff::Timestamp;
use jiff::civil::Date;

/// The longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// The longest details, in characters.
pub const MAX_DETAILS_CHARS: usize = 2_000;
/// The longest reason or conditions a decider writes, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// The largest cost accepted: £1,000,000, far beyond a parish council's IT budget, so a slip
/// of the keyboard is caught.
pub const MAX_COST_PENCE: u32 = 100_000_000;
/// How far ahead an approval that is about to expire shows on its requester's home page.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// Whether the decision approved or declined the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Declined,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "approved" => Some(Outcome::Approved),
            "declined" => Some(Outcome::Declined),
            _ => None,
        }
    }
}

/// The Council's decision at a meeting: its minute reference and the meeting's date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouncilMinute {
    pub reference: MinuteReference,
    pub meeting_on: Date,
}

/// A decision on a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    /// When declined: the reason, which the requester sees (required). When approved: any
    /// conditions, which the requester sees (optional).
    pub note: Option<String>,
    /// The last day an approval holds; `None` when it does not expire (and always when declined).
    pub expires_on: Option<Date>,
    /// Required when the Council is the approver; `None` for the Clerk's decisions.
    pub minute: Option<CouncilMinute>,
    /// Who decided, or for the Council who recorded the Council's decision.
    pub by: PersonId,
    pub at: Timestamp,
}

/// A request for approval and, once decided or withdrawn, what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalRequest {
    pub id: ApprovalId,
    pub council_id: CouncilId,
    pub kind: ApprovalKind,
    pub requester: PersonId,
    /// What exactly is asked, in a line ("Buy a laptop for the Clerk").
    pub title: String,
    /// Anything more the approver needs to know; may be empty.
    pub details: String,
    /// The cost in pence, where the kind asks for one (see [`cost_rule`]).
    pub cost_pence: Option<u32>,
    /// The last day the requester needs it (the end of a trip, the day of an event), if they said.
    pub needed_until: Option<Date>,
    /// Who decides, from the policy in force when the request was made.
    pub approver: Approver,
    pub requested_at: Timestamp,
    pub decision: Option<Decision>,
    pub withdrawn_at: Option<Timestamp>,
    /// Counts changes; a change made from an older copy is refused.
    pub revision: u32,
}

/// Where a request stands, as read at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApprovalState {
    Pending,
    /// Approved and still holding: until the end of `expires_on`, or for good.
    Approved {
        expires_on: Option<Date>,
    },
    /// Approved, but the last day it held has passed.
    Expired {
        expired_on: Date,
    },
    Declined,
    Withdrawn,
}

impl ApprovalState {
    /// The filter and CSS-free name: "pending", "approved", "expired", "declined", "withdrawn".
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Approved { .. } => "approved",
            ApprovalState::Expired { .. } => "expired",
            ApprovalState::Declined => "declined",
            ApprovalState::Withdrawn => "withdrawn",
        }
    }

    /// As shown on a tag.
    pub fn label(self) -> &'static str {
        match self {
            ApprovalState::Pending => "Waiting for a decision",
            ApprovalState::Approved { .. } => "Approved",
            ApprovalState::Expired { .. } => "Expired",
            ApprovalState::Declined => "Declined",
            ApprovalState::Withdrawn => "Withdrawn",
        }
    }

    pub const NAMES: [&'static str; 5] =
        ["pending", "approved", "expired", "declined", "withdrawn"];
}

impl ApprovalRequest {
    /// The audit subject: `approval:<id>`, so a request's history is one query.
    pub fn subject(&self) -> String {
        format!("approval:{}", self.id)
    }

    /// The request's state at `now`. An approval holds through the whole of its last day in
    /// England (see [`london_today`]) and is expired from the next day.
    pub fn state(&self, now: Timestamp) -> ApprovalState {
        if self.withdrawn_at.is_some() {
            return ApprovalState::Withdrawn;
        }
        match &self.decision {
            None => ApprovalState::Pending,
            Some(d) if d.outcome == Outcome::Declined => ApprovalState::Declined,
            Some(d) => match d.expires_on {
                Some(last) if london_today(now) > last => {
                    ApprovalState::Expired { expired_on: last }
                }
                expires_on => ApprovalState::Approved { expires_on },
            },
        }
    }

    pub fn is_pending(&self) -> bool {
        self.withdrawn_at.is_none() && self.decision.is_none()
    }

    /// Approved, still holding, and ending within [`EXPIRY_WARNING_DAYS`] days of `now`
    /// (0 on its last day).
    pub fn expires_soon(&self, now: Timestamp) -> Option<i64> {
        let ApprovalState::Approved {
            expires_on: Some(last),
        } = self.state(now)
        else {
            return None;
        };
        let days = london_today(now)
            .until(last)
            .map_or(0, |span| i64::from(span.get_days()));
        (days <= EXPIRY_WARNING_DAYS).then_some(days)
    }

    /// Whether this request is waiting for `person` to decide it: pending, not theirs, and
    /// they are the one expected (see [`expected_decider`]).
    pub fn waits_for(&self, requester: &Person, person: &Person) -> bool {
        self.is_pending()
            && person.id != self.requester
            && requester.id == self.requester
            && person.roles.contains(expected_decider(requester))
    }
}

/// Why a request or a change to it was refused, in words for the person in front of the form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error(
        "Requests to use your own device are made by registering the device under \"Your devices\"; the Clerk decides them there."
    )]
    OwnDeviceThroughDevices,
    #[error("Say in a line what you are asking for, for example \"Buy a laptop for the Clerk\".")]
    TitleMissing,
    #[error(
        "Keep the title to {MAX_TITLE_CHARS} characters or fewer; put the rest in the details."
    )]
    TitleTooLong,
    #[error("Keep the details to {MAX_DETAILS_CHARS} characters or fewer.")]
    DetailsTooLong,
    #[error("The text contains control characters; type or paste it again as plain text.")]
    ControlCharacters { field: &'static str },
    #[error("Enter what it will cost, in pounds, for example 450 or 449.99.")]
    CostMissing,
    #[error(
        "Enter the cost in pounds and pence, for example 450 or 449.99 (\"{0}\" could not be read)."
    )]
    CostUnreadable(String),
    #[error("The cost is more than £1,000,000; check the amount.")]
    CostTooLarge,
    #[error("The date it is needed until has already passed; enter today or a later date.")]
    NeededUntilPassed,
    #[error("This request was withdrawn, so it can no longer be decided or withdrawn.")]
    Withdrawn,
    #[error("This request was already decided, so nothing was changed.")]
    AlreadyDecided,
    #[error(
        "Nobody decides their own request. The Chair decides the Clerk's requests; the Clerk decides everyone else's."
    )]
    OwnRequest,
    #[error("Only the Clerk or the Chair decides approval requests.")]
    NotADecider,
    #[error("Only the person who asked can withdraw a request.")]
    NotTheRequester,
    #[error("Say why the request is declined; the person who asked will see it.")]
    ReasonMissing,
    #[error("Keep the reason or conditions to {MAX_NOTE_CHARS} characters or fewer.")]
    NoteTooLong,
    #[error(
        "The Council decides this kind of request: enter the minute reference of its decision, for example \"Minute 24/113\"."
    )]
    MinuteMissing,
    #[error("Enter the minute reference again: {0}")]
    MinuteUnreadable(String),
    #[error("Enter the date of the meeting that decided it.")]
    MeetingDateMissing,
    #[error("The meeting date is in the future; enter the date the Council decided.")]
    MeetingInFuture,
    #[error("The approval cannot end before the day it is decided; enter today or a later date.")]
    ExpiryBeforeDecision,
    #[error(
        "Someone changed this request after you opened the page, so nothing was saved. Look at it again below."
    )]
    Stale,
}

impl ApprovalError {
    /// The form field the problem is about, for the error summary's link.
    pub fn field(&self) -> &'static str {
        match self {
            ApprovalError::TitleMissing | ApprovalError::TitleTooLong => "title",
            ApprovalError::ControlCharacters { field } => field,
            ApprovalError::DetailsTooLong => "details",
            ApprovalError::CostMissing
            | ApprovalError::CostUnreadable(_)
            | ApprovalError::CostTooLarge => "cost",
            ApprovalError::NeededUntilPassed => "needed_until",
            ApprovalError::ReasonMissing | ApprovalError::NoteTooLong => "note",
            ApprovalError::MinuteMissing | ApprovalError::MinuteUnreadable(_) => "minute_reference",
            ApprovalError::MeetingDateMissing | ApprovalError::MeetingInFuture => "meeting_on",
            ApprovalError::ExpiryBeforeDecision => "expires_on",
            ApprovalError::OwnDeviceThroughDevices
            | ApprovalError::Withdrawn
            | ApprovalError::AlreadyDecided
            | ApprovalError::OwnRequest
            | ApprovalError::NotADecider
            | ApprovalError::NotTheRequester
            | ApprovalError::Stale => "",
        }
    }

    /// A refusal of the change as a whole (not a field to correct).
    pub fn is_refusal(&self) -> bool {
        self.field().is_empty()
    }
}

/// A kind with its approver in words, as the pages show it: "the Clerk", "the Council (with a
/// minute reference)".
pub fn approver_words(approver: Approver) -> &'static str {
    match approver {
        Approver::Clerk => "the Clerk",
        Approver::Council => "the Council, at a meeting (with a minute reference)",
    }
}

#[cfg(test)]
mod tests;
