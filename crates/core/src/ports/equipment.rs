//! The equipment register's and the devices' storage seams (issues 3 and 4).

use super::{StoreError, StoreResult};
use crate::asset::{
    Acknowledged, Acknowledgement, Asset, AssetNumber, AssetPage, AssetQuery, LossReported,
};
use crate::audit::AuditEvent;
use crate::ids::{AssetId, CouncilId, PersonId};
use std::future::Future;

/// Why a change to the equipment register was not stored.
#[derive(Debug, thiserror::Error)]
pub enum AssetStoreError {
    /// Not found (including another council's item or person), or the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The council already has an item with this number, in any capitals. `suggestion` is the
    /// next free number in the council's own pattern.
    #[error(
        "The council already has an item numbered {number}. Choose another number, such as {suggestion}."
    )]
    DuplicateNumber { number: String, suggestion: String },
    /// Since the caller read it, the item was issued to someone else, returned, reported or
    /// already acknowledged, so the acknowledgement no longer applies.
    #[error(
        "{number} has changed since the page was opened (it is no longer waiting for this person's acknowledgement). Reload the page and try again."
    )]
    NotAwaitingAcknowledgement { number: String },
    /// The item is no longer as the caller read it (someone else changed it meanwhile), so the
    /// change was not stored rather than silently overwriting theirs.
    #[error(
        "{number} was changed by someone else after you opened this page, so nothing was saved. Check the item as it is now and try again."
    )]
    ChangedSinceRead { number: String },
}

/// The equipment register: items, their custody and holders' acknowledgements. The rules are
/// `core::asset`'s; the store saves what they decide, each change with its audit entry in one
/// transaction, and re-checks that the item belongs to the council named.
pub trait AssetStore: Send + Sync {
    /// Stores a newly registered item. A number the council already uses, in any capitals, is
    /// `DuplicateNumber` with a suggestion, and nothing is stored.
    fn insert_asset(
        &self,
        asset: &Asset,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<(), AssetStoreError>> + Send;
    /// Stores an item's new state (custody, wipe, disposal, details). Another council's item is
    /// `NotFound`; a number taken meanwhile is `DuplicateNumber`.
    fn update_asset(
        &self,
        asset: &Asset,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<(), AssetStoreError>> + Send;
    /// Stores an item's new state only if the stored item is still exactly `before` (as the
    /// caller read it); otherwise `ChangedSinceRead` and nothing is stored. Forms use this so
    /// two people editing or issuing the same item cannot silently overwrite each other.
    fn update_asset_if_unchanged(
        &self,
        before: &Asset,
        after: &Asset,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<(), AssetStoreError>> + Send;
    /// Stores one acknowledgement covering several items, in one transaction: every item is
    /// marked acknowledged and every record and audit entry stored, or none. An item no longer
    /// issued to the person and unacknowledged is `NotAwaitingAcknowledgement`.
    fn record_acknowledgements(
        &self,
        acknowledged: &[Acknowledged],
    ) -> impl Future<Output = Result<(), AssetStoreError>> + Send;
    /// Stores a loss report: the item's new status, the incident it opens and both audit
    /// entries, in one transaction. An item changed since the report was made about it
    /// (`LossReported::before`) is `ChangedSinceRead`, and nothing is stored.
    fn record_loss(
        &self,
        loss: &LossReported,
    ) -> impl Future<Output = Result<(), AssetStoreError>> + Send;
    /// One item of one council; another council's is `NotFound("asset")`.
    fn asset(
        &self,
        council: CouncilId,
        id: AssetId,
    ) -> impl Future<Output = StoreResult<Asset>> + Send;
    /// One page of the council's register, filtered and sorted, with the total that match.
    fn assets(
        &self,
        council: CouncilId,
        query: &AssetQuery,
    ) -> impl Future<Output = StoreResult<AssetPage>> + Send;
    /// Every number the council uses (for [`crate::asset::suggest_next`]).
    fn asset_numbers(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<AssetNumber>>> + Send;
    /// An item's acknowledgements, oldest first; another council's item is `NotFound`.
    fn acknowledgements(
        &self,
        council: CouncilId,
        asset: AssetId,
    ) -> impl Future<Output = StoreResult<Vec<Acknowledgement>>> + Send;
    /// Stores many new items at once (a CSV import) with their audit events, in one
    /// transaction: all of them or none. A number the council already uses, or used twice in
    /// `assets`, is `DuplicateNumber` with a suggestion; a person of another council is
    /// `NotFound("person")`; an item or event of another council is `Conflict`. Returns how many
    /// items were stored.
    fn import_assets(
        &self,
        council: CouncilId,
        assets: &[Asset],
        events: &[AuditEvent],
    ) -> impl Future<Output = Result<usize, AssetStoreError>> + Send;
    /// The council's whole register ordered by number (capitals ignored), for its export.
    fn all_assets(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<Asset>>> + Send;
}

/// Devices that touch council data (issue 4, clauses 2.1.4 and 2.2): council-owned ones and
/// people's own, their approval and their security facts. The rules are `core::device`'s; the
/// store saves what they decide, each change with its audit entry in one transaction.
///
/// Changes are guarded by [`crate::device::Device::revision`]: a device is only overwritten
/// when the stored revision is the one before the change's, so a decision and an upload made
/// from pages opened at the same time cannot undo each other. An overtaken change is
/// `Conflict` with a plain message; another council's device (or person, or register item) is
/// `NotFound`.
pub trait DeviceStore: Send + Sync {
    fn insert_device(
        &self,
        device: &crate::device::Device,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn update_device(
        &self,
        device: &crate::device::Device,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores several devices' changes (an MDM import) in one transaction: all or none.
    fn update_devices(
        &self,
        council: CouncilId,
        changes: &[(crate::device::Device, AuditEvent)],
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// One device of one council; another council's is `NotFound("device")`.
    fn device(
        &self,
        council: CouncilId,
        id: crate::ids::DeviceId,
    ) -> impl Future<Output = StoreResult<crate::device::Device>> + Send;
    /// Every device of the council, retired ones included, by name.
    fn devices(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<crate::device::Device>>> + Send;
    /// The devices a person uses, retired ones included, by name.
    fn devices_of(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> impl Future<Output = StoreResult<Vec<crate::device::Device>>> + Send;
    /// Requests to use an own device that wait for a decision, oldest first.
    fn pending_device_requests(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<crate::device::Device>>> + Send;
}
