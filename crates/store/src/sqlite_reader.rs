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

/// Connections kept open between requests: as many as the blocking threads that may read at
/// once (`custodian` runs 16), because a new connection starts with no page cache and no
/// prepared statements.
const IDLE_CONNECTIONS: usize = 16;

pub(crate) struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
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
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_CONNECTIONS
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
            council_id: CouncilId::parse(&text(0, "council_id")?)
                .map_err(|e| corrupt("council_id", e))?,
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
