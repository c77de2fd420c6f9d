//! Internet-use monitoring records (issue 7): [`MonitorStore`] on both engines.
//!
//! The daily log is kept in one pair of tables per council and day —
//! `monitor_records_<council>_<yyyymmdd>` (one row per key and site, with first and last time,
//! hits, bytes and 24 hour columns) and `monitor_raw_<council>_<yyyymmdd>` (the raw lines,
//! zstd-compressed, one chunk per batch and key) — listed in the `monitor_days` registry with
//! their row counts. Retention then drops whole days, so a purge costs the same whether a day
//! holds ten rows or a million (item 6), and a council's data stays in tables of its own.
//!
//! Why explicit tables rather than PostgreSQL's declarative partitions: one code path serves both
//! engines through sqlx's `Any` driver (SQLite has no partitions), each day table already is the
//! partition a purge drops, and a read over a period names exactly the days the registry lists
//! instead of relying on partition pruning. The names come only from a parsed council id and a
//! date (`day_tables`), never from text people type.
//!
//! This module must not hold monitoring rules (who may see records, whether monitoring may be on,
//! the retention period): the caller decides them; the store keeps and reads within one council.

mod attribution;
mod day_tables;
mod holds;
mod ingest;
mod keys;
mod purge;
mod reports;
mod settings;
mod subject;

pub(crate) use ingest::database_file;
pub(crate) use purge::make_space_returnable;

use crate::{Store, db_error, rows};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{CouncilId, LegalHoldId, MonitorBatchId, MonitorIdentityId, PersonId};
use custodian_core::monitor::LegalHold;
use custodian_core::ports::{
    BatchRecord, DailyRecord, ErasureReport, IngestOutcome, IngestReport, MonitorIdentity,
    MonitorSettings, MonitorStore, NewBatch, PurgeReport, RawLines, Reattributed, ReleaseReport,
    SiteTotal, SiteVisitor, StoreError, StoreResult, StoredDay, SubjectAccess, UnattributedKey,
};
use custodian_monitor::{Group, LocalDay, SubjectKey, Totals};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// A key as stored: its kind and the user name or address exactly as logged.
pub(crate) fn key_parts(key: &SubjectKey) -> (&'static str, &str) {
    match key {
        SubjectKey::User(text) => ("user", text),
        SubjectKey::Client(text) => ("client", text),
    }
}

pub(crate) fn subject_key(row: &AnyRow, kind: &str, subject: &str) -> StoreResult<SubjectKey> {
    let text = rows::text(row, subject)?;
    match rows::text(row, kind)?.as_str() {
        "user" => Ok(SubjectKey::User(text)),
        "client" => Ok(SubjectKey::Client(text)),
        other => Err(StoreError::Corrupt(format!(
            "column {kind}: unknown key kind {other:?}"
        ))),
    }
}

/// Locks the council's row for the change (PostgreSQL; SQLite has one writer anyway), so two
/// changes to one council's monitoring records run one after the other. An unknown council is
/// `NotFound`.
pub(crate) async fn lock_council(
    store: &Store,
    conn: &mut AnyConnection,
    council: CouncilId,
) -> StoreResult<()> {
    sqlx::query(&format!(
        "SELECT id FROM councils WHERE id = $1{}",
        store.lock_suffix()
    ))
    .bind(council.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?
    .ok_or(StoreError::NotFound("council"))?;
    Ok(())
}

/// An audit entry built for a change must belong to the council changed.
pub(crate) fn same_council(event: &AuditEvent, council: CouncilId) -> StoreResult<()> {
    if event.council_id == council {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "the audit entry for this change belongs to another council".to_owned(),
        ))
    }
}

/// A records row (`day`, `held`, then the records columns) as a [`DailyRecord`].
pub(crate) fn daily_record(row: &AnyRow) -> StoreResult<DailyRecord> {
    let mut hits_by_hour = [0u64; 24];
    for (slot, hour) in hits_by_hour.iter_mut().zip(day_tables::HOURS) {
        *slot = reports::count(row, hour)?;
    }
    let categories = rows::text(row, "categories")?;
    Ok(DailyRecord {
        day: day_tables::day(row, "day")?,
        person: rows::opt_person_id(row, "person_id")?,
        key: subject_key(row, "subject_kind", "subject")?,
        site: rows::text(row, "site")?,
        first_at: rows::time(row, "first_at")?,
        last_at: rows::time(row, "last_at")?,
        hits: reports::count(row, "hits")?,
        bytes: reports::count(row, "bytes")?,
        hits_by_hour,
        categories: categories
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        flagged: rows::int(row, "flagged")? != 0,
        held: rows::int(row, "held")? != 0,
    })
}

impl MonitorStore for Store {
    async fn ingest_batch<F>(
        &self,
        batch: &NewBatch,
        groups: &[Group],
        raw: Vec<RawLines>,
        audit: F,
    ) -> StoreResult<IngestOutcome>
    where
        F: FnOnce(&IngestReport) -> AuditEvent + Send,
    {
        ingest::ingest(self, batch, groups, raw, audit).await
    }

    async fn monitor_batches(&self, council: CouncilId) -> StoreResult<Vec<BatchRecord>> {
        let found = sqlx::query(
            "SELECT id, content_sha256, format, source_name, lines, hits, bytes, malformed, \
             group_count, first_day, last_day, ingested_at, ingested_by FROM monitor_batches \
             WHERE council_id = $1 ORDER BY ingested_at DESC, id DESC",
        )
        .bind(council.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?;
        found
            .iter()
            .map(|row| {
                let id = rows::text(row, "id")?;
                let by = rows::text(row, "ingested_by")?;
                Ok(BatchRecord {
                    id: MonitorBatchId::parse(&id)
                        .map_err(|e| StoreError::Corrupt(format!("column id: {e}")))?,
                    council_id: council,
                    sha256_hex: rows::text(row, "content_sha256")?,
                    format: rows::text(row, "format")?,
                    source_name: rows::text(row, "source_name")?,
                    totals: Totals {
                        lines: reports::count(row, "lines")?,
                        hits: reports::count(row, "hits")?,
                        bytes: reports::count(row, "bytes")?,
                        malformed: reports::count(row, "malformed")?,
                        groups: reports::count(row, "group_count")?,
                    },
                    first_day: day_tables::opt_day(row, "first_day")?,
                    last_day: day_tables::opt_day(row, "last_day")?,
                    ingested_at: rows::time(row, "ingested_at")?,
                    ingested_by: Actor::from_storage(&by).ok_or_else(|| {
                        StoreError::Corrupt(format!("column ingested_by: {by:?}"))
                    })?,
                })
            })
            .collect()
    }

    async fn monitor_days(&self, council: CouncilId) -> StoreResult<Vec<StoredDay>> {
        let mut conn = self.read.acquire().await.map_err(db_error)?;
        let registered = day_tables::registered(
            &mut conn,
            self.engine,
            council,
            None,
            None,
            day_tables::Lock::None,
        )
        .await?;
        Ok(registered
            .into_iter()
            .map(|r| StoredDay {
                day: r.day,
                records: u64::try_from(r.records).unwrap_or(0),
                raw_chunks: u64::try_from(r.raw_chunks).unwrap_or(0),
            })
            .collect())
    }

    async fn add_identity<F>(
        &self,
        identity: &MonitorIdentity,
        audit: F,
    ) -> StoreResult<Reattributed>
    where
        F: FnOnce(&Reattributed) -> AuditEvent + Send,
    {
        attribution::add_identity(self, identity, audit).await
    }

    async fn identities(&self, council: CouncilId) -> StoreResult<Vec<MonitorIdentity>> {
        attribution::identities(self, council).await
    }

    async fn end_identity<F>(
        &self,
        council: CouncilId,
        id: MonitorIdentityId,
        last_day: LocalDay,
        audit: F,
    ) -> StoreResult<Reattributed>
    where
        F: FnOnce(&Reattributed) -> AuditEvent + Send,
    {
        attribution::end_identity(self, council, id, last_day, audit).await
    }

    async fn unattributed(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
    ) -> StoreResult<Vec<UnattributedKey>> {
        reports::unattributed(self, council, from, to).await
    }

    async fn reattribute<F>(
        &self,
        council: CouncilId,
        key: &SubjectKey,
        from: LocalDay,
        to: LocalDay,
        person: Option<PersonId>,
        audit: F,
    ) -> StoreResult<Reattributed>
    where
        F: FnOnce(&Reattributed) -> AuditEvent + Send,
    {
        attribution::reattribute(self, council, key, from, to, person, audit).await
    }

    async fn purge_days_before<F>(
        &self,
        council: CouncilId,
        cutoff: LocalDay,
        audit: F,
    ) -> StoreResult<PurgeReport>
    where
        F: FnOnce(&PurgeReport) -> AuditEvent + Send,
    {
        purge::purge_days_before(self, council, cutoff, audit).await
    }

    async fn place_hold(&self, hold: &LegalHold, event: &AuditEvent) -> StoreResult<()> {
        holds::place_hold(self, hold, event).await
    }

    async fn release_hold<F>(
        &self,
        council: CouncilId,
        id: LegalHoldId,
        by: &Actor,
        at: Timestamp,
        cutoff: LocalDay,
        audit: F,
    ) -> StoreResult<ReleaseReport>
    where
        F: FnOnce(&ReleaseReport) -> AuditEvent + Send,
    {
        holds::release_hold(self, council, id, by, at, cutoff, audit).await
    }

    async fn holds(&self, council: CouncilId) -> StoreResult<Vec<LegalHold>> {
        holds::holds(self, council).await
    }

    async fn subject_access(
        &self,
        council: CouncilId,
        person: PersonId,
        from: LocalDay,
        to: LocalDay,
    ) -> StoreResult<SubjectAccess> {
        subject::subject_access(self, council, person, from, to).await
    }

    async fn erase_person<F>(
        &self,
        council: CouncilId,
        person: PersonId,
        audit: F,
    ) -> StoreResult<ErasureReport>
    where
        F: FnOnce(&ErasureReport) -> AuditEvent + Send,
    {
        subject::erase_person(self, council, person, audit).await
    }

    async fn person_day(
        &self,
        council: CouncilId,
        person: PersonId,
        day: LocalDay,
    ) -> StoreResult<Vec<DailyRecord>> {
        reports::person_day(self, council, person, day).await
    }

    async fn top_sites(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
        limit: u32,
    ) -> StoreResult<Vec<SiteTotal>> {
        reports::top_sites(self, council, from, to, limit).await
    }

    async fn site_visitors(
        &self,
        council: CouncilId,
        site: &str,
        from: LocalDay,
        to: LocalDay,
    ) -> StoreResult<Vec<SiteVisitor>> {
        reports::site_visitors(self, council, site, from, to).await
    }

    async fn flagged_records(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
    ) -> StoreResult<Vec<DailyRecord>> {
        reports::flagged_records(self, council, from, to).await
    }

    async fn hits_by_hour(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
        person: Option<PersonId>,
    ) -> StoreResult<[u64; 24]> {
        reports::hits_by_hour(self, council, from, to, person).await
    }

    async fn person_records(
        &self,
        council: CouncilId,
        person: PersonId,
        from: LocalDay,
        to: LocalDay,
    ) -> StoreResult<Vec<DailyRecord>> {
        reports::person_records(self, council, person, from, to).await
    }

    async fn category_totals(
        &self,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
    ) -> StoreResult<Vec<custodian_core::ports::CategoryTotal>> {
        reports::category_totals(self, council, from, to).await
    }

    async fn monitor_settings(&self, council: CouncilId) -> StoreResult<Option<MonitorSettings>> {
        settings::monitor_settings(self, council).await
    }

    async fn save_monitor_settings(
        &self,
        settings: &MonitorSettings,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        settings::save_monitor_settings(self, settings, event).await
    }
}
