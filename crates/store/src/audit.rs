//! The audit log: appending (always inside the caller's transaction) and reading.

use crate::rows::{self, AUDIT_COLUMNS};
use crate::{Engine, Store, db_error};
use custodian_core::audit::{AuditEntry, AuditEvent, ChainHead};
use custodian_core::ids::CouncilId;
use custodian_core::ports::{AuditLog, AuditQuery, StoreError, StoreResult};
use futures_util::future::join;
use sqlx::AnyConnection;
use std::borrow::Cow;

impl Store {
    /// Appends `event` to its council's chain using `conn`, which must be inside the
    /// transaction that makes the change being recorded. Locks the council's row first (on
    /// PostgreSQL) so two appends cannot take the same sequence number.
    pub(crate) async fn append_in(
        &self,
        conn: &mut AnyConnection,
        event: &AuditEvent,
    ) -> StoreResult<AuditEntry> {
        let council = event.council_id.to_string();
        let lock = format!(
            "SELECT id FROM councils WHERE id = $1{}",
            self.lock_suffix()
        );
        sqlx::query(&lock)
            .bind(&council)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("council"))?;
        let head = sqlx::query(
            "SELECT seq, hash FROM audit_log WHERE council_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(&council)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?
        .map(|row| -> StoreResult<ChainHead> {
            Ok(ChainHead {
                council_id: event.council_id,
                seq: rows::int(&row, "seq")?,
                hash: rows::text(&row, "hash")?,
            })
        })
        .transpose()?;
        let entry = event.clone().chain(head.as_ref());
        insert_entry(conn, &entry).await?;
        Ok(entry)
    }
}

impl Store {
    /// Appends many events of one council in order, as [`Store::append_in`] would one by one
    /// (the same lock, the same chain), but reading the chain's head once and writing the
    /// entries with multi-row INSERTs: a 10,000-item import would otherwise spend most of its
    /// time on 10,000 head reads and single-row round trips.
    pub(crate) async fn append_all_in(
        &self,
        conn: &mut AnyConnection,
        council: CouncilId,
        events: &[AuditEvent],
    ) -> StoreResult<()> {
        if events.iter().any(|e| e.council_id != council) {
            return Err(StoreError::Conflict(
                "an audit event belongs to another council".to_owned(),
            ));
        }
        let Some(first) = events.first() else {
            return Ok(());
        };
        // The first entry goes through the usual path (lock, head, chain); the rest follow it.
        let mut head = self.append_in(conn, first).await?.head();
        let mut entries = Vec::with_capacity(events.len().saturating_sub(1));
        for event in &events[1..] {
            let entry = event.clone().chain(Some(&head));
            head = entry.head();
            entries.push(entry);
        }
        // 9 parameters a row: well inside both engines' limits per statement.
        for chunk in entries.chunks(500) {
            let sql = format!(
                "INSERT INTO audit_log (council_id, seq, at, actor, action, subject, details, \
                 prev_hash, hash) VALUES {}",
                values_placeholders(self.engine, chunk.len(), 9)
            );
            let mut query = sqlx::query(&sql);
            for entry in chunk {
                query = query
                    .bind(entry.council_id.to_string())
                    .bind(entry.seq)
                    .bind(entry.at_ms)
                    .bind(entry.actor.clone())
                    .bind(entry.action.clone())
                    .bind(entry.subject.clone())
                    .bind(entry.details.clone())
                    .bind(entry.prev_hash.clone())
                    .bind(entry.hash.clone());
            }
            query.execute(&mut *conn).await.map_err(db_error)?;
        }
        Ok(())
    }
}

/// The `VALUES` list of a multi-row INSERT: `rows` groups of `columns` parameters. SQLite gets
/// anonymous `?` parameters: with numbered ones sqlx looks each one up by name, scanning the
/// statement's whole parameter list, so binding a large statement took time quadratic in its
/// size (10,000 items took 9 s instead of 0.5 s). PostgreSQL needs `$1, $2…`.
pub(crate) fn values_placeholders(engine: Engine, rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 4);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            match engine {
                Engine::Sqlite => out.push('?'),
                Engine::Postgres => out.push_str(&format!("${}", r * columns + c + 1)),
            }
        }
        out.push(')');
    }
    out
}

pub(crate) async fn insert_entry(conn: &mut AnyConnection, entry: &AuditEntry) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (council_id, seq, at, actor, action, subject, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(entry.council_id.to_string())
    .bind(entry.seq)
    .bind(entry.at_ms)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.subject)
    .bind(&entry.details)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// The SQL for [`AuditLog::entries`] with its parameters: numbered `$n`, the text ones first and
/// then the whole numbers, each first appearing in order (both readers rely on that).
fn entries_sql(council: CouncilId, query: &AuditQuery) -> (String, Vec<String>, Vec<i64>) {
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE council_id = $1");
    let mut texts: Vec<String> = vec![council.to_string()];
    let mut ints: Vec<i64> = Vec::new();
    // Text parameters are numbered first, then integers, so binding order is simple.
    if let Some(actor) = &query.actor {
        texts.push(actor.clone());
        sql.push_str(&format!(" AND actor = ${}", texts.len()));
    }
    if let Some(subject) = &query.subject {
        // Equality, so the index on (council_id, subject, seq) (migration 0007) serves one
        // record's history newest first.
        texts.push(subject.clone());
        sql.push_str(&format!(" AND subject = ${}", texts.len()));
    }
    if let Some(prefix) = &query.action_prefix {
        // A range instead of LIKE so the index on (council_id, action) is used on both
        // engines and `_` or `%` in the prefix mean nothing special. The range compares by
        // the column's collation, which on a PostgreSQL database created with a linguistic
        // locale (en_GB, ICU) puts `PERSON.added` inside the range for `person.`; the
        // `substr` check then keeps only exact prefixes, since equality is byte-wise.
        texts.push(prefix.clone());
        let exact = texts.len();
        sql.push_str(&format!(
            " AND action >= ${exact} AND substr(action, 1, length(${exact})) = ${exact}"
        ));
        texts.push(format!("{prefix}\u{10FFFF}"));
        sql.push_str(&format!(" AND action < ${}", texts.len()));
    }
    let mut int_clauses = Vec::new();
    if let Some(from) = query.from {
        ints.push(from.as_millisecond());
        int_clauses.push("at >=");
    }
    if let Some(until) = query.until {
        ints.push(until.as_millisecond());
        int_clauses.push("at <");
    }
    if let Some(before) = query.before_seq {
        ints.push(before);
        int_clauses.push("seq <");
    }
    for (i, clause) in int_clauses.iter().enumerate() {
        sql.push_str(&format!(" AND {clause} ${}", texts.len() + i + 1));
    }
    sql.push_str(&format!(
        " ORDER BY seq DESC LIMIT {}",
        query.limit.clamp(1, 10_000)
    ));
    (sql, texts, ints)
}

impl AuditLog for Store {
    async fn append(&self, event: &AuditEvent) -> StoreResult<AuditEntry> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let entry = self.append_in(&mut tx, event).await?;
        self.commit(tx).await?;
        Ok(entry)
    }

    async fn entries(
        &self,
        council: CouncilId,
        query: &AuditQuery,
    ) -> StoreResult<Vec<AuditEntry>> {
        let (sql, texts, ints) = entries_sql(council, query);
        if let Some(reader) = &self.sqlite_reader {
            return reader.entries(sql, texts, ints).await;
        }
        let mut q = sqlx::query(&sql);
        for t in &texts {
            q = q.bind(t.as_str());
        }
        for i in &ints {
            q = q.bind(*i);
        }
        q.fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::audit_entry)
            .collect()
    }

    async fn heads(&self) -> StoreResult<Vec<ChainHead>> {
        let rows = sqlx::query(
            "SELECT a.council_id, a.seq, a.hash FROM audit_log a
             JOIN (SELECT council_id, MAX(seq) AS seq FROM audit_log GROUP BY council_id) m
               ON a.council_id = m.council_id AND a.seq = m.seq
             ORDER BY a.council_id",
        )
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(ChainHead {
                    council_id: rows::council_id(row, "council_id")?,
                    seq: rows::int(row, "seq")?,
                    hash: rows::text(row, "hash")?,
                })
            })
            .collect()
    }

    /// Reads the log a chunk at a time, each chunk packed by the database into one JSON text.
    ///
    /// Why not one row per entry: through sqlx every row crosses from the driver's worker
    /// thread on its own and is copied twice, about 4-5 µs a row, so verifying a
    /// million-entry log took 5 s, most of it moving rows rather than hashing them. A chunk of
    /// thousands of entries is one row. The next chunk is asked for before this one is parsed
    /// and visited, so the database builds it in the meantime (bench/README.md has figures).
    /// Chunks follow `seq` (keyset, not offsets), so a gap or a huge sequence number left by
    /// tampering costs nothing extra and is still handed to the visitor to report.
    async fn for_each_entry<F: FnMut(&AuditEntry) + Send>(&self, mut visit: F) -> StoreResult<()> {
        let chunk_sql = match self.engine {
            Engine::Sqlite => SQLITE_CHUNK,
            Engine::Postgres => POSTGRES_CHUNK,
        };
        let mut conn = self.read.acquire().await.map_err(db_error)?;
        let mut previous_council = String::new();
        while let Some(council) = next_council(&mut conn, &previous_council).await? {
            let council_id = CouncilId::parse(&council)
                .map_err(|e| StoreError::Corrupt(format!("column council_id: {e}")))?;
            // One entry, refilled for every row, so visiting allocates nothing per entry.
            let mut entry = AuditEntry {
                council_id,
                seq: 0,
                at_ms: 0,
                actor: String::new(),
                action: String::new(),
                subject: String::new(),
                details: String::new(),
                prev_hash: String::new(),
                hash: String::new(),
            };
            let mut chunk = fetch_chunk(&mut conn, chunk_sql, &council, i64::MIN).await?;
            loop {
                let next = chunk.next_from();
                let current = std::mem::take(&mut chunk.json);
                let visiting = async { visit_chunk(&current, &mut entry, &mut visit) };
                match next {
                    Some(from) => {
                        let fetching = fetch_chunk(&mut conn, chunk_sql, &council, from);
                        // `join` polls the fetch first, which sends the query, then visits.
                        let (fetched, visited) = join(fetching, visiting).await;
                        visited?;
                        chunk = fetched?;
                    }
                    None => {
                        visiting.await?;
                        break;
                    }
                }
            }
            previous_council = council;
        }
        Ok(())
    }
}

/// Entries per chunk read by [`AuditLog::for_each_entry`]: about 1.5 MB of JSON.
const CHUNK_ENTRIES: i64 = 5_000;

/// The next `$3` entries of council `$1` from sequence number `$2` on: how many, the last
/// sequence number, and the entries as a JSON array of arrays. The inner query walks the
/// primary key; the order inside the array is checked (and restored) when parsing.
const SQLITE_CHUNK: &str = "SELECT COUNT(*), MAX(seq), \
     json_group_array(json_array(seq, at, actor, action, subject, details, prev_hash, hash)) \
     FROM (SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log \
           WHERE council_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3)";
const POSTGRES_CHUNK: &str = "SELECT COUNT(*), MAX(seq), \
     COALESCE(json_agg(json_build_array(seq, at, actor, action, subject, details, prev_hash, hash) \
                       ORDER BY seq), '[]')::text \
     FROM (SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log \
           WHERE council_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3) AS chunk";

/// The council after `previous` (in the database's order) that has audit entries.
async fn next_council(conn: &mut AnyConnection, previous: &str) -> StoreResult<Option<String>> {
    sqlx::query_scalar::<_, Option<String>>(
        "SELECT MIN(council_id) FROM audit_log WHERE council_id > $1",
    )
    .bind(previous)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error)
}

/// One chunk as the database sent it.
struct Chunk {
    count: i64,
    last_seq: Option<i64>,
    json: String,
}

impl Chunk {
    /// Where the next chunk starts, or `None` when this one was the council's last.
    fn next_from(&self) -> Option<i64> {
        match self.last_seq {
            Some(last) if self.count >= CHUNK_ENTRIES => last.checked_add(1),
            _ => None,
        }
    }
}

async fn fetch_chunk(
    conn: &mut AnyConnection,
    sql: &'static str,
    council: &str,
    from: i64,
) -> StoreResult<Chunk> {
    let (count, last_seq, json) = sqlx::query_as::<_, (i64, Option<i64>, String)>(sql)
        .bind(council)
        .bind(from)
        .bind(CHUNK_ENTRIES)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(Chunk {
        count,
        last_seq,
        json,
    })
}

/// One entry in a chunk, borrowing its text from the chunk where it has no escapes.
#[derive(serde::Deserialize)]
struct ChunkEntry<'a> {
    seq: i64,
    at_ms: i64,
    #[serde(borrow)]
    actor: Cow<'a, str>,
    #[serde(borrow)]
    action: Cow<'a, str>,
    #[serde(borrow)]
    subject: Cow<'a, str>,
    #[serde(borrow)]
    details: Cow<'a, str>,
    #[serde(borrow)]
    prev_hash: Cow<'a, str>,
    #[serde(borrow)]
    hash: Cow<'a, str>,
}

fn visit_chunk<F: FnMut(&AuditEntry)>(
    json: &str,
    entry: &mut AuditEntry,
    visit: &mut F,
) -> StoreResult<()> {
    let mut rows: Vec<ChunkEntry<'_>> = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("an audit log entry could not be read: {e}")))?;
    if !rows.is_sorted_by_key(|r| r.seq) {
        rows.sort_unstable_by_key(|r| r.seq);
    }
    for row in rows {
        entry.seq = row.seq;
        entry.at_ms = row.at_ms;
        refill(&mut entry.actor, &row.actor);
        refill(&mut entry.action, &row.action);
        refill(&mut entry.subject, &row.subject);
        refill(&mut entry.details, &row.details);
        refill(&mut entry.prev_hash, &row.prev_hash);
        refill(&mut entry.hash, &row.hash);
        visit(entry);
    }
    Ok(())
}

fn refill(target: &mut String, text: &str) {
    target.clear();
    target.push_str(text);
}

#[cfg(test)]
mod tests {
    //! `for_each_entry` reads in chunks with engine-specific SQL, so these run on SQLite and,
    //! when `CUSTODIAN_TEST_POSTGRES_URL` names a server (as in CI), on PostgreSQL too.
    use super::*;
    use custodian_core::audit::{Actor, ChainBreak, ChainVerifier};
    use serde_json::json;
    use sqlx::Connection;

    /// A fresh, migrated database holding `councils`; dropped again by [`TestDb::finish`].
    struct TestDb {
        store: Store,
        _dir: Option<tempfile::TempDir>,
        postgres: Option<(String, String)>,
    }

    impl TestDb {
        async fn all(councils: &[CouncilId]) -> Vec<TestDb> {
            let dir = tempfile::tempdir().unwrap();
            let mut dbs = vec![TestDb {
                store: Store::open_sqlite_in(dir.path()).await.unwrap(),
                _dir: Some(dir),
                postgres: None,
            }];
            if let Some(url) = std::env::var("CUSTODIAN_TEST_POSTGRES_URL")
                .ok()
                .filter(|u| !u.trim().is_empty())
            {
                let name = format!("custodian_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::AnyConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                admin.close().await.ok();
                let (server, _) = url.rsplit_once('/').unwrap();
                dbs.push(TestDb {
                    store: Store::open(&format!("{server}/{name}")).await.unwrap(),
                    _dir: None,
                    postgres: Some((url, name)),
                });
            }
            for db in &dbs {
                db.store.migrate().await.unwrap();
                for council in councils {
                    sqlx::query(
                        "INSERT INTO councils (id, name, kind, settings, created_at) VALUES ($1, 'C', 'parish', '{}', 0)",
                    )
                    .bind(council.to_string())
                    .execute(&db.store.write)
                    .await
                    .unwrap();
                }
            }
            dbs
        }

        async fn finish(self) {
            self.store.close().await;
            if let Some((url, name)) = self.postgres {
                let mut admin = sqlx::AnyConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                admin.close().await.ok();
            }
        }
    }

    /// A chain of `n` entries whose text needs JSON escapes and is not ASCII.
    fn chain(council: CouncilId, n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::with_capacity(n);
        for i in 0..n {
            let at = jiff::Timestamp::from_second(1_700_000_000 + i as i64).unwrap();
            let event = AuditEvent::new(council, at, Actor::System, "test.event")
                .subject(format!("thing:ü{i}"))
                .details(json!({ "i": i, "note": "Café \"quoted\" \\ back\nline ✓\u{1}" }));
            out.push(event.chain(out.last().map(|e| e.head()).as_ref()));
        }
        out
    }

    async fn insert(store: &Store, entries: &[AuditEntry]) {
        let mut tx = store.write.begin().await.unwrap();
        for entry in entries {
            insert_entry(&mut tx, entry).await.unwrap();
        }
        tx.commit().await.unwrap();
    }

    async fn visited(store: &Store) -> Vec<AuditEntry> {
        let mut seen = Vec::new();
        store
            .for_each_entry(|e| seen.push(e.clone()))
            .await
            .unwrap();
        seen
    }

    #[tokio::test]
    async fn every_entry_is_visited_exactly_as_stored_in_council_and_sequence_order() {
        let (a, b) = (CouncilId::generate(), CouncilId::generate());
        // More than two chunks, and one council ending exactly on a chunk boundary.
        let long = chain(a, 2 * CHUNK_ENTRIES as usize + 7);
        let exact = chain(b, CHUNK_ENTRIES as usize);
        let mut expected = [long.clone(), exact.clone()];
        expected.sort_by_key(|entries| entries[0].council_id.to_string());
        for db in TestDb::all(&[a, b]).await {
            insert(&db.store, &long).await;
            insert(&db.store, &exact).await;
            let engine = db.store.engine().name();
            assert!(visited(&db.store).await == expected.concat(), "{engine}");
            db.finish().await;
        }
    }

    #[tokio::test]
    async fn gaps_and_far_sequence_numbers_are_visited_for_the_verifier_to_report() {
        let council = CouncilId::generate();
        let entries = chain(council, CHUNK_ENTRIES as usize + 10);
        for db in TestDb::all(&[council]).await {
            let store = &db.store;
            let engine = store.engine().name();
            insert(store, &entries).await;
            let disable = match store.engine() {
                Engine::Sqlite => {
                    "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
                }
                Engine::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
            };
            sqlx::raw_sql(disable).execute(&store.write).await.unwrap();
            sqlx::query("DELETE FROM audit_log WHERE seq IN (100, 101)")
                .execute(&store.write)
                .await
                .unwrap();
            sqlx::query("UPDATE audit_log SET seq = $1 WHERE seq = $2")
                .bind(i64::MAX)
                .bind(CHUNK_ENTRIES + 10)
                .execute(&store.write)
                .await
                .unwrap();

            let seen = visited(store).await;
            assert_eq!(seen.len(), entries.len() - 2, "{engine}");
            assert_eq!(seen.last().unwrap().seq, i64::MAX, "{engine}");
            assert!(seen.windows(2).all(|w| w[0].seq < w[1].seq), "{engine}");
            let mut verifier = ChainVerifier::new();
            seen.iter().for_each(|e| verifier.push(e));
            let report = verifier.finish();
            assert_eq!(report.broken.len(), 1, "{engine}");
            assert_eq!(report.broken[0].seq, 102, "{engine}");
            assert_eq!(
                report.broken[0].reason,
                ChainBreak::SequenceGap { expected: 100 },
                "{engine}"
            );
            db.finish().await;
        }
    }

    #[tokio::test]
    async fn an_empty_log_visits_nothing() {
        for db in TestDb::all(&[CouncilId::generate()]).await {
            assert!(visited(&db.store).await.is_empty());
            db.finish().await;
        }
    }
}
