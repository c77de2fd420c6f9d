//! The approval requests' storage seam (issue 6, item 2). The store keeps each request with its
//! decision or withdrawal; whether an approval has expired is `core::approval`'s to work out on
//! reading, never stored.

use super::{Notification, StoreResult};
use crate::approval::{ApprovalId, ApprovalRequest};
use crate::audit::AuditEvent;
use crate::ids::{CouncilId, PersonId};
use crate::policy::choices::{ApprovalKind, Approver};
use jiff::Timestamp;
use jiff::civil::Date;
use std::future::Future;

/// A request the reminder schedule follows: one waiting for a decision (`expires_on` is
/// `None`), or one approved with a last day (`expires_on` is that day, passed or not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenApproval {
    pub id: ApprovalId,
    pub council_id: CouncilId,
    pub kind: ApprovalKind,
    pub requester: PersonId,
    pub approver: Approver,
    pub requested_at: Timestamp,
    pub expires_on: Option<Date>,
}

pub trait ApprovalStore: Send + Sync {
    /// Stores a new request (revision 0) with its audit entry. A requester of another council
    /// is `NotFound("person")`.
    fn insert_approval(
        &self,
        request: &ApprovalRequest,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// One request; another council's is `NotFound("approval request")`.
    fn approval(
        &self,
        council: CouncilId,
        id: ApprovalId,
    ) -> impl Future<Output = StoreResult<ApprovalRequest>> + Send;
    /// Every request of the council, newest first.
    fn approvals(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<ApprovalRequest>>> + Send;
    /// Stores a request's next state (decided or withdrawn) over the revision before it, with
    /// the notifications that tell people and the audit entry, in one transaction. A request
    /// changed meanwhile is `Conflict` (with a plain message) and nothing is stored.
    fn update_approval(
        &self,
        request: &ApprovalRequest,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// For the reminder schedule: the council's requests waiting for a decision and its
    /// approved requests that have a last day, oldest request first.
    fn open_approvals(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<OpenApproval>>> + Send;
}
