//! Internet-use monitoring's storage seam (issue 7; policy 5.1.1-5.1.14): the daily log kept
//! from proxy and DNS logs, who each line belongs to, retention with legal holds, subject access
//! and the reports. The rules (who may see what, when monitoring may be on, how long records are
//! kept) belong to `core::monitor` and the web layer; the store keeps what they decide and reads
//! back only within one council.
//!
//! Changes whose audit entry needs figures only the store knows (how many records a purge
//! removed) take a function building the [`AuditEvent`] from the store's report; it runs inside
//! the change's transaction, so the entry and the change are committed together or not at all.

use super::StoreResult;
pub use super::monitor_identity::{
    IdentityError, IdentityKind, IdentityTarget, MonitorIdentity, fold_key,
};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{CouncilId, LegalHoldId, MonitorBatchId, MonitorIdentityId, PersonId};
use crate::monitor::LegalHold;
use crate::person::RoleSet;
use custodian_monitor::{Group, Totals};
pub use custodian_monitor::{LocalDay, SubjectKey};
use jiff::Timestamp;
use serde_json::json;
use std::collections::HashMap;
use std::future::Future;

/// One log file to store: what it is, who brought it, and the categories of its sites.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub id: MonitorBatchId,
    pub council_id: CouncilId,
    /// SHA-256 of the file's bytes, computed while reading it: the same content twice is
    /// recognised and not counted twice.
    pub content_sha256: [u8; 32],
    /// The log format's short name (`squid`, `combined`, `dnsmasq`…).
    pub format: String,
    /// The file name as given (or `-` for standard input).
    pub source_name: String,
    pub totals: Totals,
    pub ingested_at: Timestamp,
    pub ingested_by: Actor,
    /// The categories of each site that has any (sites not listed have none).
    pub site_categories: HashMap<String, SiteCategories>,
    /// Groups whose requests' paths put them in more categories than their site's (`urls`
    /// entries with a path): all their categories, in place of the site's.
    pub group_categories: HashMap<(SubjectKey, LocalDay, String), SiteCategories>,
}

impl NewBatch {
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.content_sha256)
    }
}

/// What the council's category lists say about one site.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteCategories {
    /// Category names (folder names of the list).
    pub names: Vec<String>,
    /// Whether any of them is one the council flags (and none is allow-listed).
    pub flagged: bool,
}

/// The raw lines of one key on one day, as the summary keeps them.
pub use custodian_monitor::RawLines;

/// What storing a batch did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestReport {
    pub batch: MonitorBatchId,
    pub sha256_hex: String,
    pub totals: Totals,
    /// The days the batch wrote to, oldest first.
    pub days: Vec<LocalDay>,
    /// Of those, the days that had no records before.
    pub new_days: u64,
    /// Groups stored (each added to or merged into a record of its day).
    pub groups: u64,
    /// Groups whose key matched a person on their day.
    pub attributed_groups: u64,
    pub unattributed_groups: u64,
    pub raw_chunks: u64,
    /// Compressed size of the raw lines kept.
    pub raw_bytes: u64,
}

/// The answer to storing a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IngestOutcome {
    Stored(IngestReport),
    /// The same content was stored before as `batch`; nothing was changed.
    AlreadyIngested {
        batch: MonitorBatchId,
        ingested_at: Timestamp,
    },
}

/// A stored batch, for the list of files received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchRecord {
    pub id: MonitorBatchId,
    pub council_id: CouncilId,
    pub sha256_hex: String,
    pub format: String,
    pub source_name: String,
    pub totals: Totals,
    pub first_day: Option<LocalDay>,
    pub last_day: Option<LocalDay>,
    pub ingested_at: Timestamp,
    pub ingested_by: Actor,
}

/// One day with records, from the registry (its figures are kept as batches arrive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredDay {
    pub day: LocalDay,
    pub records: u64,
    pub raw_chunks: u64,
}

/// One line of the daily log as stored: a key (and the person it was attributed to), a day and
/// a site, with its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyRecord {
    pub day: LocalDay,
    pub person: Option<PersonId>,
    pub key: SubjectKey,
    pub site: String,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
    pub hits: u64,
    pub bytes: u64,
    pub hits_by_hour: [u64; 24],
    pub categories: Vec<String>,
    pub flagged: bool,
    /// Read from a copy kept past retention for a legal hold.
    pub held: bool,
}

/// Raw lines of one key, day and batch, decompressed (for subject access and investigations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawExtract {
    pub day: LocalDay,
    pub batch: MonitorBatchId,
    pub key: SubjectKey,
    pub line_count: u64,
    pub lines: Vec<u8>,
    pub held: bool,
}

/// Everything held about one person over a period (subject access, 5.1.9).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectAccess {
    /// Oldest day first; within a day by site.
    pub records: Vec<DailyRecord>,
    pub raw: Vec<RawExtract>,
}

/// A key that matched no one, with its traffic over a period, for the Clerk to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnattributedKey {
    pub key: SubjectKey,
    pub days: u64,
    pub hits: u64,
    pub bytes: u64,
    pub first_day: LocalDay,
    pub last_day: LocalDay,
}

/// One site's traffic over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteTotal {
    pub site: String,
    pub hits: u64,
    pub bytes: u64,
    /// Distinct people (attributed) who used it.
    pub people: u64,
}

/// One category's traffic over a period (from the categories each record was stored with).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryTotal {
    pub category: String,
    pub hits: u64,
    pub bytes: u64,
    /// Distinct people (attributed) with records in it.
    pub people: u64,
    /// Hits of records flagged when stored (a category the council flags, not allow-listed).
    pub flagged_hits: u64,
}

/// Someone who used one site over a period: a person, or an unattributed key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteVisitor {
    pub person: Option<PersonId>,
    /// Set only when `person` is `None`.
    pub key: Option<SubjectKey>,
    pub days: u64,
    pub hits: u64,
    pub bytes: u64,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
}

/// What re-attributing records did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reattributed {
    /// Days whose records changed.
    pub days: u64,
    pub records: u64,
    pub raw_chunks: u64,
}

/// What a purge did. The counts of dropped days come from the registry, not from counting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub days_dropped: u64,
    pub first_day_dropped: Option<LocalDay>,
    pub last_day_dropped: Option<LocalDay>,
    pub records_removed: u64,
    pub raw_chunks_removed: u64,
    /// Rows copied aside because a legal hold covered their person and day.
    pub records_kept_for_holds: u64,
    pub raw_chunks_kept_for_holds: u64,
    /// Held copies removed because no hold covers them any longer.
    pub held_records_expired: u64,
    pub held_raw_expired: u64,
}

/// What releasing a hold removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReleaseReport {
    pub held_records_removed: u64,
    pub held_raw_removed: u64,
}

/// What erasing one person's records removed (5.1.9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ErasureReport {
    pub days: u64,
    pub records_removed: u64,
    pub raw_chunks_removed: u64,
    pub held_records_removed: u64,
    pub held_raw_removed: u64,
}

/// A council's monitoring settings.
#[derive(Clone, Debug, PartialEq)]
pub struct MonitorSettings {
    pub council_id: CouncilId,
    pub enabled: bool,
    /// The folder of the UT1-format category lists.
    pub categories_path: Option<String>,
    pub flagged_categories: Vec<String>,
    pub allowed_categories: Vec<String>,
    /// Roles that may view records (5.1.7).
    pub viewer_roles: RoleSet,
    /// The impact assessment (5.1.6) as `core::monitor` serialises it.
    pub assessment: Option<serde_json::Value>,
    pub assessment_recorded_at: Option<Timestamp>,
    pub assessment_recorded_by: Option<PersonId>,
    pub updated_at: Timestamp,
}

pub trait MonitorStore: Send + Sync {
    /// Stores a batch: its groups merged into their days' records (hits, bytes and hours add;
    /// first and last widen), each key attributed through the council's identities on its day,
    /// the raw lines compressed, the batch row and the audit entry `audit` builds, in one
    /// transaction. The same content again answers `AlreadyIngested` and changes nothing.
    fn ingest_batch<F>(
        &self,
        batch: &NewBatch,
        groups: &[Group],
        raw: Vec<RawLines>,
        audit: F,
    ) -> impl Future<Output = StoreResult<IngestOutcome>> + Send
    where
        F: FnOnce(&IngestReport) -> AuditEvent + Send;
    /// The council's batches, newest first.
    fn monitor_batches(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<BatchRecord>>> + Send;
    /// The council's days with records, oldest first.
    fn monitor_days(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<StoredDay>>> + Send;

    /// Records an identity and re-attributes the records of its key on the days it covers
    /// (also those stored before it), with the audit entry `audit` builds from the counts.
    /// A person or device of another council is `NotFound`.
    fn add_identity<F>(
        &self,
        identity: &MonitorIdentity,
        audit: F,
    ) -> impl Future<Output = StoreResult<Reattributed>> + Send
    where
        F: FnOnce(&Reattributed) -> AuditEvent + Send;
    fn identities(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<MonitorIdentity>>> + Send;
    /// Ends an identity on `last_day`, inclusive (a device passed on, a person left). From the
    /// next day its key means whoever the council's other identities say, or no one; records
    /// already stored for those days are re-attributed the same way, with the audit entry
    /// `audit` builds from the counts. Moving the last day later re-attributes the days it
    /// now covers. Another council's identity is `NotFound`; a last day before the identity's
    /// first day is `Conflict`.
    fn end_identity<F>(
        &self,
        council: CouncilId,
        id: MonitorIdentityId,
        last_day: LocalDay,
        audit: F,
    ) -> impl Future<Output = StoreResult<Reattributed>> + Send
    where
        F: FnOnce(&Reattributed) -> AuditEvent + Send;
    /// Keys that matched no one between `from` and `to` (inclusive), most hits first.
    fn unattributed(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
    ) -> impl Future<Output = StoreResult<Vec<UnattributedKey>>> + Send;
    /// Corrects attribution (5.1.9): the records and raw lines of `key` (exactly as logged)
    /// between `from` and `to` become `person`'s, or unattributed with `None`.
    fn reattribute<F>(
        &self,
        council: CouncilId,
        key: &SubjectKey,
        from: LocalDay,
        to: LocalDay,
        person: Option<PersonId>,
        audit: F,
    ) -> impl Future<Output = StoreResult<Reattributed>> + Send
    where
        F: FnOnce(&Reattributed) -> AuditEvent + Send;

    /// Drops every day before `cutoff` whole, after copying aside the rows of people under an
    /// active legal hold covering the day; also removes held copies no hold covers any longer.
    fn purge_days_before<F>(
        &self,
        council: CouncilId,
        cutoff: LocalDay,
        audit: F,
    ) -> impl Future<Output = StoreResult<PurgeReport>> + Send
    where
        F: FnOnce(&PurgeReport) -> AuditEvent + Send;
    /// Places a hold. A person of another council is `NotFound`.
    fn place_hold(
        &self,
        hold: &LegalHold,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Releases a hold and removes its held copies of days before `cutoff` that no other
    /// active hold covers. Releasing twice is `Conflict`.
    #[allow(clippy::too_many_arguments)]
    fn release_hold<F>(
        &self,
        council: CouncilId,
        id: LegalHoldId,
        by: &Actor,
        at: Timestamp,
        cutoff: LocalDay,
        audit: F,
    ) -> impl Future<Output = StoreResult<ReleaseReport>> + Send
    where
        F: FnOnce(&ReleaseReport) -> AuditEvent + Send;
    /// The council's holds, newest placed first.
    fn holds(&self, council: CouncilId)
    -> impl Future<Output = StoreResult<Vec<LegalHold>>> + Send;

    /// Everything held about `person` between `from` and `to` (inclusive): records from the
    /// day tables and held copies, and their raw lines decompressed.
    fn subject_access(
        &self,
        council: CouncilId,
        person: PersonId,
        from: LocalDay,
        to: LocalDay,
    ) -> impl Future<Output = StoreResult<SubjectAccess>> + Send;
    /// Erases every record and raw line of `person` (5.1.9). Refused (`Conflict`) while an
    /// active legal hold covers them: release it first.
    fn erase_person<F>(
        &self,
        council: CouncilId,
        person: PersonId,
        audit: F,
    ) -> impl Future<Output = StoreResult<ErasureReport>> + Send
    where
        F: FnOnce(&ErasureReport) -> AuditEvent + Send;

    /// One person's day: every site with first and last time, hits, bytes and hours.
    fn person_day(
        &self,
        council: CouncilId,
        person: PersonId,
        day: LocalDay,
    ) -> impl Future<Output = StoreResult<Vec<DailyRecord>>> + Send;
    /// The most visited sites over a period, by hits.
    fn top_sites(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<SiteTotal>>> + Send;
    /// Who used `site` over a period, most hits first.
    fn site_visitors(
        &self,
        council: CouncilId,
        site: &str,
        from: LocalDay,
        to: LocalDay,
    ) -> impl Future<Output = StoreResult<Vec<SiteVisitor>>> + Send;
    /// Records in a flagged category over a period, oldest day first.
    fn flagged_records(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
    ) -> impl Future<Output = StoreResult<Vec<DailyRecord>>> + Send;
    /// Hits in each local hour over a period, for everyone or one person (the day-by-hour chart).
    fn hits_by_hour(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
        person: Option<PersonId>,
    ) -> impl Future<Output = StoreResult<[u64; 24]>> + Send;
    /// One person's records over a period, oldest day first and by site within a day (their
    /// own records page, 5.1.9): [`MonitorStore::person_day`] for many days in one read.
    fn person_records(
        &self,
        council: CouncilId,
        person: PersonId,
        from: LocalDay,
        to: LocalDay,
    ) -> impl Future<Output = StoreResult<Vec<DailyRecord>>> + Send;
    /// Hits, bytes and people in each category over a period, most hits first. A site in two
    /// categories counts in both; sites in none are left out.
    fn category_totals(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
    ) -> impl Future<Output = StoreResult<Vec<CategoryTotal>>> + Send;

    fn monitor_settings(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Option<MonitorSettings>>> + Send;
    /// Saves (creates or replaces) the settings with their audit entry.
    fn save_monitor_settings(
        &self,
        settings: &MonitorSettings,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}

/// The audit entry for a stored batch: ids, the content hash and counts, never sites or people.
/// Chained in the batch's transaction, it proves the records' provenance (issue 7, item 3).
pub fn batch_ingested_event(batch: &NewBatch, report: &IngestReport) -> AuditEvent {
    AuditEvent::new(
        batch.council_id,
        batch.ingested_at,
        batch.ingested_by.clone(),
        "monitor.batch.ingested",
    )
    .subject(format!("monitor_batch:{}", batch.id))
    .details(json!({
        "batch": batch.id.to_string(),
        "sha256": report.sha256_hex,
        "format": batch.format,
        "lines": report.totals.lines,
        "hits": report.totals.hits,
        "bytes": report.totals.bytes,
        "malformed": report.totals.malformed,
        "groups": report.groups,
        "attributed_groups": report.attributed_groups,
        "unattributed_groups": report.unattributed_groups,
        "raw_chunks": report.raw_chunks,
        "first_day": report.days.first().map(|d| d.date().to_string()),
        "last_day": report.days.last().map(|d| d.date().to_string()),
    }))
}

/// The audit entry for a purge, with its counts.
pub fn purge_event(
    council: CouncilId,
    at: Timestamp,
    actor: Actor,
    cutoff: LocalDay,
    report: &PurgeReport,
) -> AuditEvent {
    AuditEvent::new(council, at, actor, "monitor.purged").details(json!({
        "cutoff": cutoff.date().to_string(),
        "days_dropped": report.days_dropped,
        "first_day": report.first_day_dropped.map(|d| d.date().to_string()),
        "last_day": report.last_day_dropped.map(|d| d.date().to_string()),
        "records_removed": report.records_removed,
        "raw_chunks_removed": report.raw_chunks_removed,
        "records_kept_for_holds": report.records_kept_for_holds,
        "raw_chunks_kept_for_holds": report.raw_chunks_kept_for_holds,
        "held_records_expired": report.held_records_expired,
        "held_raw_expired": report.held_raw_expired,
    }))
}
