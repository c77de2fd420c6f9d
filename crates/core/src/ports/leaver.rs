//! The leaver checklists' storage seam (issue 6, item 4). The store keeps what the Clerk
//! recorded against each item; what the records show is worked out by `core::leaver` on reading,
//! never stored.

use super::StoreResult;
use crate::audit::AuditEvent;
use crate::ids::{CouncilId, PersonId};
use crate::leaver::{LeaverChecklist, Settled};
use crate::person::Person;
use jiff::Timestamp;
use std::future::Future;

pub trait LeaverStore: Send + Sync {
    /// Marks a person as left in one transaction: their new state, the end of every session
    /// they have in this council, their checklist and both audit entries. Another council's
    /// person is `NotFound("person")`; a person who already has a checklist is `Conflict`.
    fn mark_left(
        &self,
        person: &Person,
        person_event: &AuditEvent,
        checklist: &LeaverChecklist,
        checklist_event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores a checklist on its own, for someone marked as left before checklists existed.
    /// `Conflict` if they already have one.
    fn insert_leaver_checklist(
        &self,
        checklist: &LeaverChecklist,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The person's checklist, if they have one (another council's person has none).
    fn leaver_checklist(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> impl Future<Output = StoreResult<Option<LeaverChecklist>>> + Send;
    /// Every checklist of the council, oldest first.
    fn leaver_checklists(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<LeaverChecklist>>> + Send;
    /// Stores an item ticked or waived (and the list's closing, if it closed it) with the audit
    /// entries. An item no longer open in the store (someone settled it meanwhile) is
    /// `Conflict` and nothing is stored; a missing item is `NotFound("checklist item")`.
    fn settle_leaver_item(
        &self,
        council: CouncilId,
        person: PersonId,
        settled: &Settled,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Records the list closed at `at`; `Conflict` if it was already recorded closed.
    fn close_leaver_checklist(
        &self,
        council: CouncilId,
        person: PersonId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}
