//! Storing one batch: the groups merged into their days' records, the raw lines compressed, the
//! batch row and its audit entry, in one transaction.
//!
//! Speed matters here (issue 7 wants the whole durable pipeline several times faster than
//! GoAccess): a new day's tables are indexed only after they are loaded, and the raw lines are
//! compressed on other threads while the records are written. A SQLite file is written through
//! a connection of its own (`ingest_sqlite`: about half the time of the `Any` driver for a
//! week's 786,000 records); PostgreSQL (and SQLite in memory) through the `Any` driver, with
//! multi-row INSERTs of about 900 rows (34 parameters each).
//!
//! Each phase's time is logged at debug level (`CUSTODIAN_LOG=custodian_store::monitor=debug`).
//!
//! PostgreSQL's `COPY ... FROM STDIN` (`PgConnection::copy_in_raw`) would be its fast path, but
//! needs a typed `PgConnection`: the `Any` driver offers no way to reach the one under a pool
//! connection, and a second connection cannot join this transaction (the batch, its rows and
//! its audit entry must commit together).

use super::attribution::Resolver;
use super::day_tables::{self, DayTables, Lock, RAW_BINDS, RAW_COLUMNS, day_text, record_columns};
use super::{key_parts, lock_council};
use crate::audit::values_placeholders;
use crate::{Engine, Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, MonitorBatchId, PersonId};
use custodian_core::ports::{
    IngestOutcome, IngestReport, NewBatch, RawLines, StoreError, StoreResult,
};
use custodian_monitor::{Group, LocalDay, SubjectKey};
use sqlx::{AnyConnection, Executor};
use std::collections::{BTreeMap, BTreeSet, HashMap};

// Submodules in files of their own, sharing this file's plan and helpers.
#[path = "ingest_compress.rs"]
mod ingest_compress;
#[path = "ingest_postgres.rs"]
mod ingest_postgres;
#[path = "ingest_sqlite.rs"]
mod ingest_sqlite;
pub(crate) use ingest_sqlite::database_file;

use ingest_compress::compress_all;

/// Parameters per records row, and rows per INSERT: as many as fit under SQLite's 32,766.
pub(super) const RECORD_BINDS: usize = 34;
const RECORDS_PER_INSERT: usize = 32_000 / RECORD_BINDS;
/// Raw chunks per INSERT, and at most this many compressed bytes in one statement.
const RAW_PER_INSERT: usize = 500;
const RAW_BYTES_PER_INSERT: usize = 16 << 20;

/// One key's raw lines on one day, compressed.
pub(super) struct Compressed {
    pub(super) key: SubjectKey,
    pub(super) day: LocalDay,
    pub(super) line_count: i64,
    pub(super) data: Vec<u8>,
}

pub(super) async fn ingest<F>(
    store: &Store,
    batch: &NewBatch,
    groups: &[Group],
    raw: Vec<RawLines>,
    audit: F,
) -> StoreResult<IngestOutcome>
where
    F: FnOnce(&IngestReport) -> AuditEvent + Send,
{
    let council = batch.council_id;
    let sha = batch.sha256_hex();
    // A cheap look first, so a repeated file costs no compression; then again inside the
    // transaction, where the unique key settles any race.
    {
        let mut conn = store.read.acquire().await.map_err(db_error)?;
        if let Some(earlier) = earlier_batch(&mut conn, council, &sha).await? {
            return Ok(earlier);
        }
    }
    if store.engine == Engine::Sqlite
        && let Some(file) = ingest_sqlite::database_file(store).await?
    {
        return ingest_sqlite::ingest(store, &file, batch, groups, raw, audit).await;
    }
    let mut timer = PhaseTimer::start();
    let compressing = tokio::task::spawn_blocking(move || compress_all(raw));

    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    if let Some(earlier) = earlier_batch(&mut tx, council, &sha).await? {
        return Ok(earlier);
    }
    let resolver = Resolver::load(&mut tx, council).await?;
    timer.lap("begun, identities loaded");
    let mut plan = Plan::new(batch, groups, &resolver)?;
    timer.lap("attributed and sorted");

    let days_with_groups: BTreeSet<LocalDay> = plan.by_day.keys().copied().collect();
    let existing = registered_days(store, &mut tx, council, &days_with_groups).await?;
    let mut created = BTreeSet::new();

    // The records first, while the raw lines are still being compressed on other threads.
    for (day, day_groups) in &plan.by_day {
        let tables = DayTables::of(council, *day)?;
        let merging = existing.contains(day);
        if merging {
            tx.execute(tables.merge_key_sql(store.engine).as_str())
                .await
                .map_err(db_error)?;
        } else {
            create_tables(store, &mut tx, &tables).await?;
            created.insert(*day);
        }
        if store.engine == Engine::Postgres {
            ingest_postgres::insert_records(&mut tx, &tables.records, merging, &plan, day_groups)
                .await?;
            continue;
        }
        for rows in day_groups.chunks(RECORDS_PER_INSERT) {
            let sql = insert_records_sql(store.engine, &tables.records, rows.len(), merging);
            let mut query = sqlx::query(&sql);
            for (group, person) in rows {
                let (kind, subject) = key_parts(&group.key);
                let (names, flagged) = plan.categories_of(group);
                let figures = &group.figures;
                query = query
                    .bind(plan.people.text(*person))
                    .bind(kind)
                    .bind(subject)
                    .bind(group.site.as_str())
                    .bind(figures.first.saturating_mul(1000))
                    .bind(figures.last.saturating_mul(1000))
                    .bind(clamp(figures.hits))
                    .bind(clamp(figures.bytes));
                for hits in figures.hits_by_hour {
                    query = query.bind(i64::from(hits));
                }
                query = query.bind(names).bind(i64::from(flagged));
            }
            query.execute(&mut *tx).await.map_err(db_error)?;
        }
    }
    timer.lap("records inserted");

    let compressed = compressing
        .await
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
    timer.lap("compression awaited");
    let raw_by_day = plan.raw_by_day(&compressed, &resolver);
    // Raw lines on a day without groups (every line of the day malformed) still need tables.
    let raw_only: BTreeSet<LocalDay> = raw_by_day
        .keys()
        .filter(|day| !plan.by_day.contains_key(day))
        .copied()
        .collect();
    let raw_only_existing = registered_days(store, &mut tx, council, &raw_only).await?;
    for day in raw_only.difference(&raw_only_existing) {
        create_tables(store, &mut tx, &DayTables::of(council, *day)?).await?;
        created.insert(*day);
    }
    let mut raw_bytes = 0u64;
    for (day, chunks) in &raw_by_day {
        let tables = DayTables::of(council, *day)?;
        raw_bytes += insert_raw(&mut tx, store.engine, &tables, batch.id, chunks, &plan).await?;
    }
    timer.lap("raw lines inserted");

    let all_days: BTreeSet<LocalDay> = plan
        .by_day
        .keys()
        .chain(raw_by_day.keys())
        .copied()
        .collect();
    insert_batch_row(&mut tx, batch, &sha, &all_days).await?;
    for day in &all_days {
        let tables = DayTables::of(council, *day)?;
        let groups_of_day = plan.by_day.get(day).map_or(0, Vec::len);
        let chunks = raw_by_day.get(day).map_or(0, Vec::len);
        let chunks = i64::try_from(chunks).unwrap_or(i64::MAX);
        if created.contains(day) {
            index_new_day(&mut tx, &tables).await?;
            sqlx::query(
                "INSERT INTO monitor_days (council_id, day, records_rows, raw_chunks, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(council.to_string())
            .bind(day_text(*day)?)
            .bind(i64::try_from(groups_of_day).unwrap_or(i64::MAX))
            .bind(chunks)
            .bind(batch.ingested_at.as_millisecond())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        } else {
            // A merge may add rows or only update them: count the day (one day's rows).
            let count: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {}", tables.records))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)
                .and_then(|row| rows::int(&row, "n"))?;
            sqlx::query(
                "UPDATE monitor_days SET records_rows = $1, raw_chunks = raw_chunks + $2 \
                 WHERE council_id = $3 AND day = $4",
            )
            .bind(count)
            .bind(chunks)
            .bind(council.to_string())
            .bind(day_text(*day)?)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
    }
    timer.lap("indexed and registered");

    let report = new_report(
        batch,
        sha,
        groups.len(),
        &plan,
        all_days,
        created.len(),
        compressed.len(),
        raw_bytes,
    );
    let event = audit(&report);
    super::same_council(&event, council)?;
    store.append_in(&mut tx, &event).await?;
    timer.lap("audited");
    store.commit(tx).await?;
    timer.lap("committed");
    Ok(IngestOutcome::Stored(report))
}

/// Each day's compressed chunks with their person's index in the plan.
pub(super) type RawByDay<'c> = BTreeMap<LocalDay, Vec<(&'c Compressed, usize)>>;

/// A batch's groups attributed and arranged by day, as both ways of writing them need.
pub(super) struct Plan<'a> {
    pub(super) people: People,
    /// Each day's groups with their person's index in `people`, sorted by the day's unique
    /// key (kind, subject, site).
    pub(super) by_day: BTreeMap<LocalDay, Vec<(&'a Group, usize)>>,
    attributed: u64,
    categories: HashMap<&'a str, (String, bool)>,
    /// Groups whose request paths gave them categories of their own (usually none), by site.
    group_categories: HashMap<&'a str, Vec<OwnCategories<'a>>>,
}

/// A group's key and day, with its `categories` column and whether it is flagged.
type OwnCategories<'a> = (&'a SubjectKey, LocalDay, (String, bool));

impl<'a> Plan<'a> {
    pub(super) fn new(
        batch: &'a NewBatch,
        groups: &'a [Group],
        resolver: &Resolver,
    ) -> StoreResult<Self> {
        // Attribute each group once per (key, day): groups arrive sorted by key and day, so the
        // previous answer is usually the right one and the map is rarely consulted.
        let mut people = People::default();
        let mut cache: HashMap<(&SubjectKey, LocalDay), usize> = HashMap::new();
        let mut last: Option<(&SubjectKey, LocalDay, usize)> = None;
        let mut by_day: BTreeMap<LocalDay, Vec<(&Group, usize)>> = BTreeMap::new();
        let mut attributed = 0u64;
        for group in groups {
            let person = match last {
                Some((key, day, person)) if key == &group.key && day == group.day => person,
                _ => *cache
                    .entry((&group.key, group.day))
                    .or_insert_with(|| people.index(resolver.resolve(&group.key, group.day))),
            };
            last = Some((&group.key, group.day, person));
            if person != UNATTRIBUTED {
                attributed += 1;
            }
            by_day.entry(group.day).or_default().push((group, person));
        }
        // Sorted by the day's unique key, so a (key, site) given twice — which would break
        // that key when a later batch merges — is found before anything is written. A stable
        // sort finds the summary's sorted runs (its users, then its addresses) and merges them
        // in one pass.
        for day_groups in by_day.values_mut() {
            day_groups.sort_by(|(a, _), (b, _)| {
                (key_parts(&a.key), a.site.as_str()).cmp(&(key_parts(&b.key), b.site.as_str()))
            });
            if day_groups
                .windows(2)
                .any(|pair| pair[0].0.key == pair[1].0.key && pair[0].0.site == pair[1].0.site)
            {
                return Err(StoreError::Conflict(
                    "the log's summary named the same person, day and site twice, so nothing \
                     was stored; please report this as a fault"
                        .to_owned(),
                ));
            }
        }
        let categories = batch
            .site_categories
            .iter()
            .map(|(site, c)| (site.as_str(), (c.names.join(","), c.flagged)))
            .collect();
        let mut group_categories: HashMap<&str, Vec<_>> = HashMap::new();
        for ((key, day, site), c) in &batch.group_categories {
            group_categories.entry(site.as_str()).or_default().push((
                key,
                *day,
                (c.names.join(","), c.flagged),
            ));
        }
        Ok(Self {
            people,
            by_day,
            attributed,
            categories,
            group_categories,
        })
    }

    /// A group's `categories` column and whether it is flagged: its own, when its request
    /// paths gave it some, else its site's.
    pub(super) fn categories_of(&self, group: &Group) -> (&str, bool) {
        let own = self
            .group_categories
            .get(group.site.as_str())
            .and_then(|groups| {
                groups
                    .iter()
                    .find(|(key, day, _)| **key == group.key && *day == group.day)
            })
            .map(|(_, _, categories)| categories);
        own.or_else(|| self.categories.get(group.site.as_str()))
            .map_or(("", false), |(names, flagged)| (names.as_str(), *flagged))
    }

    /// The compressed chunks by day, each with its person.
    pub(super) fn raw_by_day<'c>(
        &mut self,
        compressed: &'c [Compressed],
        resolver: &Resolver,
    ) -> RawByDay<'c> {
        let mut raw_by_day: RawByDay<'c> = BTreeMap::new();
        for chunk in compressed {
            let person = self.people.index(resolver.resolve(&chunk.key, chunk.day));
            raw_by_day
                .entry(chunk.day)
                .or_default()
                .push((chunk, person));
        }
        raw_by_day
    }
}

/// What an ingest reports (and its audit entry records).
#[allow(clippy::too_many_arguments)]
pub(super) fn new_report(
    batch: &NewBatch,
    sha256_hex: String,
    groups: usize,
    plan: &Plan<'_>,
    days: BTreeSet<LocalDay>,
    new_days: usize,
    raw_chunks: usize,
    raw_bytes: u64,
) -> IngestReport {
    let groups = groups as u64;
    IngestReport {
        batch: batch.id,
        sha256_hex,
        totals: batch.totals,
        days: days.into_iter().collect(),
        new_days: new_days as u64,
        groups,
        attributed_groups: plan.attributed,
        unattributed_groups: groups - plan.attributed,
        raw_chunks: raw_chunks as u64,
        raw_bytes,
    }
}

/// Which of `days` the council already has tables for.
async fn registered_days(
    store: &Store,
    conn: &mut AnyConnection,
    council: CouncilId,
    days: &BTreeSet<LocalDay>,
) -> StoreResult<BTreeSet<LocalDay>> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(BTreeSet::new());
    };
    let found = day_tables::registered(
        conn,
        store.engine,
        council,
        Some(*first),
        Some(*last),
        Lock::Update,
    )
    .await?;
    Ok(found
        .into_iter()
        .map(|r| r.day)
        .filter(|day| days.contains(day))
        .collect())
}

async fn create_tables(
    store: &Store,
    conn: &mut AnyConnection,
    tables: &DayTables,
) -> StoreResult<()> {
    conn.execute(tables.create_sql(store.engine).as_str())
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Indexes a newly loaded day.
async fn index_new_day(conn: &mut AnyConnection, tables: &DayTables) -> StoreResult<()> {
    conn.execute(tables.index_sql().as_str())
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Logs each phase's time at debug level (`CUSTODIAN_LOG=custodian_store=debug`), for
/// finding where an ingest spends its time.
pub(super) struct PhaseTimer {
    started: std::time::Instant,
    last: std::time::Instant,
}

impl PhaseTimer {
    pub(super) fn start() -> Self {
        let now = std::time::Instant::now();
        Self {
            started: now,
            last: now,
        }
    }

    pub(super) fn lap(&mut self, phase: &str) {
        let now = std::time::Instant::now();
        let lap = now.duration_since(std::mem::replace(&mut self.last, now));
        tracing::debug!(
            phase,
            ms = lap.as_secs_f64() * 1e3,
            total_ms = now.duration_since(self.started).as_secs_f64() * 1e3,
            "monitoring ingest"
        );
    }
}

fn clamp(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The distinct people of a batch as text, bound by reference; index 0 is "no one".
#[derive(Default)]
pub(super) struct People {
    texts: Vec<Option<String>>,
    index: HashMap<PersonId, usize>,
}

const UNATTRIBUTED: usize = 0;

impl People {
    fn index(&mut self, person: Option<PersonId>) -> usize {
        if self.texts.is_empty() {
            self.texts.push(None);
        }
        match person {
            None => UNATTRIBUTED,
            Some(person) => *self.index.entry(person).or_insert_with(|| {
                self.texts.push(Some(person.to_string()));
                self.texts.len() - 1
            }),
        }
    }

    pub(super) fn text(&self, index: usize) -> Option<&str> {
        self.texts.get(index).and_then(|t| t.as_deref())
    }
}

/// The earlier batch with the same content, as the answer to storing it again.
async fn earlier_batch(
    conn: &mut AnyConnection,
    council: CouncilId,
    sha: &str,
) -> StoreResult<Option<IngestOutcome>> {
    let row = sqlx::query(
        "SELECT id, ingested_at FROM monitor_batches WHERE council_id = $1 AND content_sha256 = $2",
    )
    .bind(council.to_string())
    .bind(sha)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    row.map(|row| {
        let id = rows::text(&row, "id")?;
        Ok(IngestOutcome::AlreadyIngested {
            batch: MonitorBatchId::parse(&id)
                .map_err(|e| StoreError::Corrupt(format!("column id: {e}")))?,
            ingested_at: rows::time(&row, "ingested_at")?,
        })
    })
    .transpose()
}

async fn insert_batch_row(
    conn: &mut AnyConnection,
    batch: &NewBatch,
    sha: &str,
    days: &BTreeSet<LocalDay>,
) -> StoreResult<()> {
    let totals = batch.totals;
    sqlx::query(
        "INSERT INTO monitor_batches (id, council_id, content_sha256, format, source_name, lines, \
         hits, bytes, malformed, group_count, first_day, last_day, ingested_at, ingested_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(batch.id.to_string())
    .bind(batch.council_id.to_string())
    .bind(sha)
    .bind(batch.format.as_str())
    .bind(batch.source_name.as_str())
    .bind(clamp(totals.lines))
    .bind(clamp(totals.hits))
    .bind(clamp(totals.bytes))
    .bind(clamp(totals.malformed))
    .bind(clamp(totals.groups))
    .bind(days.first().copied().map(day_text).transpose()?)
    .bind(days.last().copied().map(day_text).transpose()?)
    .bind(batch.ingested_at.as_millisecond())
    .bind(batch.ingested_by.to_storage())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// A multi-row INSERT into a day's records; `merge` adds a later batch's figures to rows
/// already there (hits, bytes and hours add, first and last widen, an attribution already made
/// is kept, categories are the newest).
pub(super) fn insert_records_sql(engine: Engine, table: &str, rows: usize, merge: bool) -> String {
    let mut sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        record_columns(),
        values_placeholders(engine, rows, RECORD_BINDS)
    );
    if merge {
        sql.push_str(&merge_clause(table));
    }
    sql
}

/// What a later batch's row does to the row already there for the same key and site: adds
/// its figures, keeps the earlier first and later last time, takes the newest categories.
pub(super) fn merge_clause(table: &str) -> String {
    let mut sql = format!(
        " ON CONFLICT (subject_kind, subject, site) DO UPDATE SET \
         person_id = COALESCE({table}.person_id, excluded.person_id), \
         first_at = CASE WHEN excluded.first_at < {table}.first_at \
             THEN excluded.first_at ELSE {table}.first_at END, \
         last_at = CASE WHEN excluded.last_at > {table}.last_at \
             THEN excluded.last_at ELSE {table}.last_at END, \
         hits = {table}.hits + excluded.hits, bytes = {table}.bytes + excluded.bytes, \
         categories = excluded.categories, flagged = excluded.flagged"
    );
    for hour in day_tables::HOURS {
        sql.push_str(&format!(", {hour} = {table}.{hour} + excluded.{hour}"));
    }
    sql
}

/// Writes one day's compressed chunks; returns their compressed size.
async fn insert_raw(
    conn: &mut AnyConnection,
    engine: Engine,
    tables: &DayTables,
    batch: MonitorBatchId,
    chunks: &[(&Compressed, usize)],
    plan: &Plan<'_>,
) -> StoreResult<u64> {
    let batch = batch.to_string();
    let mut written = 0u64;
    let mut start = 0;
    while start < chunks.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < chunks.len()
            && end - start < RAW_PER_INSERT
            && (end == start || bytes + chunks[end].0.data.len() <= RAW_BYTES_PER_INSERT)
        {
            bytes += chunks[end].0.data.len();
            end += 1;
        }
        let sql = format!(
            "INSERT INTO {} ({RAW_COLUMNS}) VALUES {}",
            tables.raw,
            values_placeholders(engine, end - start, RAW_BINDS)
        );
        let mut query = sqlx::query(&sql);
        for (chunk, person) in &chunks[start..end] {
            let (kind, subject) = key_parts(&chunk.key);
            query = query
                .bind(batch.as_str())
                .bind(kind)
                .bind(subject)
                .bind(plan.people.text(*person))
                .bind(chunk.line_count)
                .bind(chunk.data.as_slice());
        }
        query.execute(&mut *conn).await.map_err(db_error)?;
        written += bytes as u64;
        start = end;
    }
    Ok(written)
}
