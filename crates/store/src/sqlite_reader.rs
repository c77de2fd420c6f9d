//! Audit-log pages read straight from a SQLite file.
//!
//! The async driver hands every row between threads, which makes a 51-entry page cost several
//! hundred microseconds. These read-only connections run the same SQL on a blocking thread and
//! read rows in place. Used only for `AuditLog::entries` on SQLite; PostgreSQL and every write
//! go through sqlx.

use custodian_core::audit::AuditEntry;
use custodian_core::ids::CouncilId;
use custodian_core::ports::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Reads running at once, each on its own connection, kept open between requests.
///
/// Why so few: each connection has its own page cache, and a page of one person's entries
/// visits fifty places spread over the whole log. Sixteen connections each caching a little
/// missed nearly every time and copied the pages in from the operating system again (about a
/// quarter of the server's time on `who=` pages); a handful of connections, most recently used
/// first, keep the log's upper levels cached. Two cores cannot run more reads at once anyway.
const READ_CONNECTIONS: usize = 4;

/// Each read connection's page cache, in KiB (SQLite's default is 2,000): at most 32 MiB in
/// all, as the sixteen default-sized caches were, but in fewer, warmer ones. It fills only as
/// pages are read, so an idle server stays small.
const PAGE_CACHE_KIB: i64 = 8 * 1024;

pub(crate) struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// One permit per connection: a read waits here (without holding a thread) for its turn.
    turns: tokio::sync::Semaphore,
}

impl std::fmt::Debug for SqliteReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteReader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn unavailable(error: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(Box::new(error))
}

fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {detail}"))
}

impl SqliteReader {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
            turns: tokio::sync::Semaphore::new(READ_CONNECTIONS),
        }
    }

    fn connection(&self) -> StoreResult<Connection> {
        if let Some(conn) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(conn);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(unavailable)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(unavailable)?;
        conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)
            .map_err(unavailable)?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < READ_CONNECTIONS
        {
            idle.push(conn);
        }
    }

    /// Runs `sql` (numbered `$n` parameters: `texts` first, then `ints`) and reads the entries.
    pub(crate) async fn entries(
        self: &Arc<Self>,
        sql: String,
        texts: Vec<String>,
        ints: Vec<i64>,
    ) -> StoreResult<Vec<AuditEntry>> {
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        let reader = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = reader.connection()?;
            let result = read(&conn, &sql, &texts, &ints);
            reader.give_back(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?
    }
}

fn read(
    conn: &Connection,
    sql: &str,
    texts: &[String],
    ints: &[i64],
) -> StoreResult<Vec<AuditEntry>> {
    let mut statement = conn.prepare_cached(sql).map_err(unavailable)?;
    // Each `$n` first appears in order, so SQLite numbers it n.
    for (i, text) in texts.iter().enumerate() {
        statement
            .raw_bind_parameter(i + 1, text)
            .map_err(unavailable)?;
    }
    for (i, value) in ints.iter().enumerate() {
        statement
            .raw_bind_parameter(texts.len() + i + 1, value)
            .map_err(unavailable)?;
    }
    let mut rows = statement.raw_query();
    let mut entries = Vec::new();
    while let Some(row) = rows.next().map_err(unavailable)? {
        let text = |i: usize, name: &str| row.get::<_, String>(i).map_err(|e| corrupt(name, e));
        entries.push(AuditEntry {
            // Parsed from the row in place: a page reads fifty of these.
            council_id: row
                .get_ref(0)
                .and_then(|value| value.as_str().map_err(Into::into))
                .map_err(|e| corrupt("council_id", e))
                .and_then(|id| CouncilId::parse(id).map_err(|e| corrupt("council_id", e)))?,
            seq: row.get(1).map_err(|e| corrupt("seq", e))?,
            at_ms: row.get(2).map_err(|e| corrupt("at", e))?,
            actor: text(3, "actor")?,
            action: text(4, "action")?,
            subject: text(5, "subject")?,
            details: text(6, "details")?,
            prev_hash: text(7, "prev_hash")?,
            hash: text(8, "hash")?,
        });
    }
    Ok(entries)
}
