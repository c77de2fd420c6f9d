//! Email's storage seam (issue 6, item 6): each council's SMTP settings and the outbox every
//! message goes through. The rules (retry waits, giving up) are `core::mail`'s; the store keeps
//! what they decide.

use super::StoreResult;
use crate::audit::AuditEvent;
use crate::ids::CouncilId;
use crate::incident::Incident;
use crate::mail::{MailId, MailSettings, OutgoingMail, QueuedMail};
use jiff::Timestamp;
use std::future::Future;

/// Counts for the Clerk's "emails could not be sent".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MailTrouble {
    /// Not sent yet, with at least one failed try or a reason it is waiting.
    pub retrying: i64,
    /// Given up since the time asked about.
    pub given_up: i64,
}

pub trait MailStore: Send + Sync {
    /// The council's settings, if they have ever been saved.
    fn mail_settings(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Option<MailSettings>>> + Send;
    /// Saves (creates or replaces) the council's settings with their audit entry.
    fn save_mail_settings(
        &self,
        settings: &MailSettings,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Queues messages, skipping any whose council already has its dedupe key; returns how
    /// many were newly queued. Queuing is not audited: the change that caused it is.
    fn enqueue_mail(
        &self,
        mail: &[OutgoingMail],
    ) -> impl Future<Output = StoreResult<usize>> + Send;
    /// Stores a reported incident, its audit entry and the alerts about it in one
    /// transaction, so an incident is never stored without its mail (nor mail sent about an
    /// incident that was not stored).
    fn insert_incident_with_mail(
        &self,
        incident: &Incident,
        event: &AuditEvent,
        mail: &[OutgoingMail],
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Takes up to `limit` messages due at `now` (any council) and marks them taken until
    /// `lease_until`, so another sender does not take them meanwhile; a sender that dies
    /// mid-way leaves them to be tried again after the lease.
    fn claim_due_mail(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<QueuedMail>>> + Send;
    /// Records a message sent (one more try).
    fn mark_mail_sent(
        &self,
        council: CouncilId,
        id: MailId,
        at: Timestamp,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Records a failed try: one more attempt, the error, and the next try, or (with
    /// `next_attempt_at` `None`) the message given up at `at` with `give_up_event` audited in
    /// the same transaction.
    fn mark_mail_failed(
        &self,
        council: CouncilId,
        id: MailId,
        at: Timestamp,
        error: &str,
        next_attempt_at: Option<Timestamp>,
        give_up_event: Option<&AuditEvent>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Puts a message off without counting a try (vault locked, email turned off), saying why.
    fn hold_mail(
        &self,
        council: CouncilId,
        id: MailId,
        reason: &str,
        until: Timestamp,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Makes an unsent message due at `now` with its count of tries started afresh (also a
    /// given-up one), with the audit entry. A sent message, or another council's, is
    /// `NotFound("message")`.
    fn retry_mail_now(
        &self,
        council: CouncilId,
        id: MailId,
        now: Timestamp,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The council's messages for the Clerk's list: every unsent one, and the `sent_limit`
    /// most recently sent; newest first.
    fn mail_outbox(
        &self,
        council: CouncilId,
        sent_limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<QueuedMail>>> + Send;
    /// How many of the council's messages are retrying, and how many were given up at or after
    /// `given_up_since`.
    fn mail_trouble(
        &self,
        council: CouncilId,
        given_up_since: Timestamp,
    ) -> impl Future<Output = StoreResult<MailTrouble>> + Send;
}
