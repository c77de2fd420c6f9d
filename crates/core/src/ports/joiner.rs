//! The joiner checklists' storage seam (issue 6, item 3). The store keeps what the Clerk
//! recorded against each item; what the records show (a password set, a declaration signed)
//! is worked out by `core::joiner` on reading, never stored.

use super::StoreResult;
use crate::audit::AuditEvent;
use crate::ids::{CouncilId, PersonId};
use crate::joiner::{JoinerChecklist, Settled};
use crate::person::Person;
use jiff::Timestamp;
use std::future::Future;

pub trait JoinerStore: Send + Sync {
    /// Adds an invited person and their checklist in one transaction, with both audit entries,
    /// so nobody is invited without one. An email address the council already uses is
    /// `Conflict` (as `PersonStore::insert_person`) and nothing is stored.
    fn insert_person_with_checklist(
        &self,
        person: &Person,
        person_event: &AuditEvent,
        checklist: &JoinerChecklist,
        checklist_event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores a checklist on its own, for someone invited before checklists existed.
    /// `Conflict` if they already have one; another council's person is `NotFound`.
    fn insert_joiner_checklist(
        &self,
        checklist: &JoinerChecklist,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The person's checklist, if they have one (another council's person has none).
    fn joiner_checklist(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> impl Future<Output = StoreResult<Option<JoinerChecklist>>> + Send;
    /// The council's checklists not yet recorded closed, oldest first, with their items. Which
    /// items are open now is `JoinerChecklist::open_tasks` with the records; a list whose last
    /// items the records settled is here until someone records it closed.
    fn open_joiner_checklists(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<JoinerChecklist>>> + Send;
    /// Stores an item ticked or waived (and the list's closing, if it closed it) with the audit
    /// entries. An item no longer open in the store (someone settled it meanwhile) is
    /// `Conflict` and nothing is stored; a missing item is `NotFound("checklist item")`.
    fn settle_joiner_item(
        &self,
        council: CouncilId,
        person: PersonId,
        settled: &Settled,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Records the list closed at `at`; `Conflict` if it was already recorded closed.
    fn close_joiner_checklist(
        &self,
        council: CouncilId,
        person: PersonId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}
