//! Copying a large write out of SQLite's write-ahead log into the database file (a
//! *checkpoint*) on a thread of its own, off the path a person waits on.
//!
//! Why: a week's log is one transaction of some 60 MB. Its commit is durable once those pages
//! are in the write-ahead log and the log is flushed to disk; copying them into the database
//! file afterwards writes the same 60 MB again and flushes again, which SQLite by default does
//! inside the commit and which was a fifth of an ingest's time. The monitoring ingest's own
//! connection therefore turns the automatic checkpoint off, and the checkpoint runs here
//! instead: started as soon as a batch is committed (a server goes on running and has it done
//! in the background), and again by whoever is about to ingest (the CLI before it reads its
//! file, in case the last command ended before the copy did), and waited for before the next
//! ingest takes the write lock, so the write-ahead log starts again from its beginning rather
//! than growing batch after batch.
//!
//! A checkpoint cut short (the process ends first) is safe: SQLite finishes it next time, and
//! readers see every committed change through the write-ahead log meanwhile.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

#[derive(Debug, Default)]
pub(crate) struct WalCheckpoint {
    running: Mutex<Option<JoinHandle<()>>>,
}

impl WalCheckpoint {
    /// Starts a checkpoint of `file` unless one is already running.
    pub(crate) fn start(&self, file: &Path) {
        let Ok(mut running) = self.running.lock() else {
            return;
        };
        if running.as_ref().is_some_and(|thread| !thread.is_finished()) {
            return;
        }
        let file = file.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("custodian-checkpoint".to_owned())
            .spawn(move || checkpoint(&file));
        match spawned {
            Ok(thread) => *running = Some(thread),
            // No thread to spare: the next ingest's writes simply follow this batch's in the
            // write-ahead log, and the pool's automatic checkpoint copies both later.
            Err(error) => tracing::debug!(%error, "could not start a checkpoint thread"),
        }
    }

    /// Waits for a running checkpoint to end (it never waits on a lock, so this is short).
    pub(crate) fn wait(&self) {
        let thread = self
            .running
            .lock()
            .ok()
            .and_then(|mut running| running.take());
        if let Some(thread) = thread
            && thread.join().is_err()
        {
            tracing::warn!("the checkpoint thread stopped unexpectedly");
        }
    }
}

/// A passive checkpoint: copies what no reader still needs and never waits for a lock; an
/// error only means the pages stay in the write-ahead log a while longer.
fn checkpoint(file: &PathBuf) {
    let started = std::time::Instant::now();
    let outcome = rusqlite::Connection::open_with_flags(
        file,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|conn| {
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
        })
    });
    match outcome {
        Ok((in_log, copied)) => tracing::debug!(
            in_log,
            copied,
            ms = started.elapsed().as_secs_f64() * 1e3,
            "write-ahead log checkpoint"
        ),
        Err(error) => tracing::debug!(%error, "write-ahead log checkpoint did not run"),
    }
}
