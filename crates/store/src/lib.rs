//! Custodian's storage: the `custodian-core` port traits implemented once, over sqlx's `Any`
//! driver, for both SQLite (the default: one file in the data directory) and PostgreSQL (hosted
//! installations).
//!
//! One implementation serves both engines: the SQL is written to the common subset (numbered
//! `$n` parameters, BIGINT times, TEXT ids), and the few differences (pragmas, row locks,
//! triggers) are chosen by [`Engine`]. This module must not hold domain rules: it stores and
//! fetches what `core` decides.
#![forbid(unsafe_code)]

mod accounts;
mod approvals;
mod assets;
mod audit;
mod checklists;
mod councils;
mod dashboard;
mod devices;
mod group_commit;
mod health;
mod incidents;
mod joiners;
mod leavers;
mod mail;
pub mod migrate;
mod monitor;
mod passkeys;
mod people;
mod policy;
mod reminders;
mod rows;
mod scope;
mod sessions;
mod sqlite_reader;
pub mod transfer;
mod vault;
pub mod verify_file;
mod wal_checkpoint;

use custodian_core::ports::StoreError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

/// A handle to the database. Cheap to clone.
///
/// SQLite allows one writer at a time; writes go through a one-connection pool so they queue in
/// Custodian instead of failing with "database is locked", while reads use their own pool and
/// run alongside (WAL mode). On PostgreSQL both pools are the same.
#[derive(Clone, Debug)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    engine: Engine,
    /// Counts committed changes made through this handle (and its clones), so callers can keep
    /// short-lived caches and drop them the moment anything changes.
    changes: Arc<AtomicU64>,
    /// The same, leaving out commits that only append to the audit log (see
    /// [`Store::records_change_count`]).
    records: Arc<AtomicU64>,
    /// For a SQLite file: read-only connections that serve audit-log pages without the async
    /// driver's per-row cost (see `sqlite_reader`).
    sqlite_reader: Option<Arc<sqlite_reader::SqliteReader>>,
    /// Audit entries waiting to share one durable commit (`group_commit`).
    group: Arc<group_commit::GroupCommit>,
    /// A SQLite checkpoint running on a thread of its own (`wal_checkpoint`).
    checkpoint: Arc<wal_checkpoint::WalCheckpoint>,
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "the database address {0:?} is not one Custodian understands: use postgres://… or sqlite://…"
    )]
    UnknownScheme(String),
    #[error("could not open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] migrate::MigrateError),
}

impl Store {
    /// Opens (creating if needed) the SQLite database `custodian.db` in `data_dir`.
    pub async fn open_sqlite_in(data_dir: &Path) -> Result<Self, OpenError> {
        let path = data_dir.join("custodian.db");
        let mut store = Self::open(&format!("sqlite://{}?mode=rwc", encode_path(&path))).await?;
        store.sqlite_reader = Some(Arc::new(sqlite_reader::SqliteReader::new(path)));
        Ok(store)
    }

    /// Opens a database by address (`sqlite://path?mode=rwc` or `postgres://…`). Does not
    /// apply migrations: call [`Store::migrate`].
    pub async fn open(url: &str) -> Result<Self, OpenError> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            return Err(OpenError::UnknownScheme(redact_url(url)));
        };
        let options = AnyConnectOptions::from_str(url).map_err(OpenError::Connect)?;
        match engine {
            Engine::Sqlite => {
                let write = sqlite_pool(1).connect_with(options.clone()).await;
                let write = write.map_err(OpenError::Connect)?;
                let read = sqlite_pool(6)
                    .connect_with(options)
                    .await
                    .map_err(OpenError::Connect)?;
                Ok(Self {
                    read,
                    write,
                    engine,
                    changes: Arc::default(),
                    records: Arc::default(),
                    sqlite_reader: None,
                    group: Arc::default(),
                    checkpoint: Arc::default(),
                })
            }
            Engine::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(OpenError::Connect)?;
                Ok(Self {
                    read: pool.clone(),
                    write: pool,
                    engine,
                    changes: Arc::default(),
                    records: Arc::default(),
                    sqlite_reader: None,
                    group: Arc::default(),
                    checkpoint: Arc::default(),
                })
            }
        }
    }

    /// For a SQLite file: starts copying the write-ahead log into the database file on a
    /// thread of its own, so a large batch stored next does not pay for the last one's copy
    /// (see `wal_checkpoint`). Does nothing on PostgreSQL or for a database in memory.
    pub async fn start_checkpoint(&self) {
        if self.engine != Engine::Sqlite {
            return;
        }
        match monitor::database_file(self).await {
            Ok(Some(file)) => self.checkpoint.start(&file),
            Ok(None) => {}
            Err(error) => tracing::debug!(%error, "no checkpoint: the database file is unknown"),
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A number that grows whenever a change is written through this store (every audited
    /// change, and session updates). A cache entry made at one value is stale at any other.
    /// Changes made by another Custodian process sharing a PostgreSQL database are not seen
    /// here, so caches must also expire by age.
    pub fn change_count(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// Like [`Store::change_count`], but not raised by commits that only append to the audit
    /// log (a vault reveal's record): for caches of people, sessions and councils, which such
    /// a commit cannot change, so sixteen people revealing passwords at once do not make every
    /// request read its session again. Caches of the audit log itself use `change_count`.
    pub fn records_change_count(&self) -> u64 {
        self.records.load(Ordering::Acquire)
    }

    /// Commits a write transaction and then records the change. Counting after the commit
    /// means a reader that noted the count before reading can never keep data older than a
    /// change it could have seen.
    /// Records a change written outside a transaction.
    pub(crate) fn changes_made(&self) {
        self.records.fetch_add(1, Ordering::AcqRel);
        self.changes.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) async fn commit(
        &self,
        tx: sqlx::Transaction<'_, sqlx::Any>,
    ) -> Result<(), StoreError> {
        let result = tx.commit().await.map_err(db_error);
        self.records.fetch_add(1, Ordering::AcqRel);
        self.changes.fetch_add(1, Ordering::AcqRel);
        result
    }

    /// Commits a transaction that only appended audit entries: the records kept elsewhere
    /// (people, sessions, councils) are unchanged, so only [`Store::change_count`] grows.
    pub(crate) async fn commit_audit_only(
        &self,
        tx: sqlx::Transaction<'_, sqlx::Any>,
    ) -> Result<(), StoreError> {
        let result = tx.commit().await.map_err(db_error);
        self.changes.fetch_add(1, Ordering::AcqRel);
        result
    }

    /// Applies any migrations not yet applied.
    pub async fn migrate(&self) -> Result<Vec<&'static str>, migrate::MigrateError> {
        let applied = migrate::run(&self.write, self.engine).await?;
        // Purged monitoring days must give their space back (issue 7); an older SQLite file
        // is switched to incremental auto-vacuum while that is still cheap (`monitor::purge`).
        monitor::make_space_returnable(&self.write, self.engine).await;
        Ok(applied)
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map(|_| ())
            .map_err(db_error)
    }

    /// Closes both pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// Row locks differ: PostgreSQL needs a row lock on the council to serialise appends to its
    /// chain; SQLite already serialises every writer.
    ///
    /// The lock is `FOR NO KEY UPDATE`, not `FOR UPDATE`: most changes first insert a row that
    /// refers to the council (a person, an incident, a session), and PostgreSQL's foreign-key
    /// check takes `FOR KEY SHARE` on the council's row for that. `FOR UPDATE` conflicts with
    /// `FOR KEY SHARE`, so two such changes to one council deadlocked; `FOR NO KEY UPDATE`
    /// does not, yet still conflicts with itself, so appends stay one at a time.
    fn lock_suffix(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR NO KEY UPDATE",
        }
    }

    /// For tests and tools that must reach beneath the traits (e.g. to prove the audit
    /// triggers, or to simulate an outage). Not used by the application.
    pub fn write_pool(&self) -> &AnyPool {
        &self.write
    }
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // Incremental auto-vacuum takes effect only on a new, empty file (it must
                // precede the first table), so that purged monitoring days can return their
                // space (`monitor::purge`). It is set only there: on an existing file the pragma
                // waits for the write lock, so a connection opened during a long write (a large
                // log being stored) would time out.
                let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                    .fetch_one(&mut *conn)
                    .await?;
                if pages == 0 {
                    conn.execute("PRAGMA auto_vacuum = INCREMENTAL;").await?;
                }
                // WAL lets reads run beside the writer; FULL makes every commit (and so every
                // audit entry) durable before it is acknowledged.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        })
}

/// Percent-encodes a file path for a `sqlite://` address, so folders whose names hold spaces,
/// `?`, `#` or `%` open the right file.
fn encode_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/._-~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Hides any password in a database address before it is shown or logged.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Maps a database error to the store's error, keeping "already exists" distinct.
pub(crate) fn db_error(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error
        && db.is_unique_violation()
    {
        return StoreError::Conflict("a record with the same key already exists".to_owned());
    }
    StoreError::Unavailable(Box::new(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_data_folder_with_awkward_characters_opens_the_right_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("Parish council #2 ?100% sure");
        std::fs::create_dir(&folder).unwrap();
        let store = Store::open_sqlite_in(&folder).await.unwrap();
        store.migrate().await.unwrap();
        assert!(folder.join("custodian.db").exists());
    }

    #[test]
    fn passwords_in_database_addresses_are_hidden() {
        assert_eq!(
            redact_url("postgres://custodian:s3cret@db.example:5432/custodian"),
            "postgres://custodian:***@db.example:5432/custodian"
        );
        assert_eq!(redact_url("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }
}
