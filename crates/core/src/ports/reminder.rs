//! The calendar feeds' storage seam (issue 6, item 6). A person's feed is a secret URL their
//! calendar app polls; only the SHA-256 of its token is stored, so a copy of the database
//! cannot be used to read anyone's schedule. The schedule itself is worked out by
//! `core::reminder` from the bulk reads the other ports already offer.

use super::StoreResult;
use crate::audit::AuditEvent;
use crate::ids::{CouncilId, PersonId};
use crate::reminder::Records;
use jiff::Timestamp;
use std::future::Future;

/// One calendar feed. At most one per person is live (not revoked) at a time.
#[derive(Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    pub council_id: CouncilId,
    pub person_id: PersonId,
    /// SHA-256 (lower-case hex) of the token in the URL; never the token.
    pub token_hash: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl std::fmt::Debug for CalendarFeed {
    /// The hash is left out too: with it and the database, nothing is gained, but logs need
    /// neither.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalendarFeed")
            .field("council_id", &self.council_id)
            .field("person_id", &self.person_id)
            .field("token_hash", &"hidden")
            .field("created_at", &self.created_at)
            .field("revoked_at", &self.revoked_at)
            .finish()
    }
}

pub trait CalendarFeedStore: Send + Sync {
    /// Stores a new live feed for its person, revoking (at its `created_at`) any feed they had,
    /// with the audit entry, in one transaction. Another council's person is
    /// `NotFound("person")`.
    fn replace_calendar_feed(
        &self,
        feed: &CalendarFeed,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Revokes the person's live feed at `at`, with the audit entry. `NotFound("calendar
    /// feed")` when they have none.
    fn revoke_calendar_feed(
        &self,
        council: CouncilId,
        person: PersonId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The person's live feed, if any.
    fn calendar_feed_of(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> impl Future<Output = StoreResult<Option<CalendarFeed>>> + Send;
    /// The live feed whose token has this hash, in any council (the URL names none); `None`
    /// for an unknown or revoked token.
    fn live_calendar_feed(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<CalendarFeed>>> + Send;
}

/// The records the reminder schedule is made from, read in bulk: a handful of queries per
/// council, never one per person or item.
pub trait ReminderStore: Send + Sync {
    fn reminder_records(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Records>> + Send;
}
