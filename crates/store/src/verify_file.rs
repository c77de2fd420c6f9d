//! A fast, read-only path for `custodian audit verify` on a SQLite file.
//!
//! Verifying a million entries through the async driver is bound by handing each row between
//! threads. Here one thread reads rows straight from SQLite while another recomputes the hashes,
//! so the check uses both cores. It opens the file read-only and changes nothing; PostgreSQL
//! installations use the streaming [`custodian_core::ports::AuditLog::for_each_entry`] instead.

use custodian_core::audit::{AuditEntry, ChainReport, ChainVerifier};
use custodian_core::ids::CouncilId;
use custodian_core::ports::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::mpsc;

const BATCH: usize = 4096;

fn unavailable(error: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(Box::new(error))
}

/// Recomputes every council's chain in the SQLite database at `path`.
pub fn verify_sqlite_file(path: &Path) -> Result<ChainReport, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(unavailable)?;
    let (full_sender, full) = mpsc::sync_channel::<Vec<AuditEntry>>(4);
    // Checked batches come back to be refilled, so reading allocates nothing once warmed up.
    let (empty_sender, empty) = mpsc::channel::<Vec<AuditEntry>>();
    let checker = std::thread::spawn(move || {
        let mut verifier = ChainVerifier::new();
        for batch in full {
            batch.iter().for_each(|entry| verifier.push(entry));
            // The reader may already have finished; then the batch is simply dropped.
            let _ = empty_sender.send(batch);
        }
        verifier.finish()
    });
    let read = read_entries(&conn, &full_sender, &empty);
    drop(full_sender);
    let report = checker
        .join()
        .map_err(|_| StoreError::Corrupt("the chain check stopped unexpectedly".to_owned()))?;
    read?;
    Ok(report)
}

fn column_text<'a>(row: &'a rusqlite::Row<'_>, index: usize) -> Result<&'a str, StoreError> {
    row.get_ref(index)
        .and_then(|v| v.as_str().map_err(Into::into))
        .map_err(|e| StoreError::Corrupt(format!("audit_log column {index}: {e}")))
}

fn refill(target: &mut String, text: &str) {
    target.clear();
    target.push_str(text);
}

fn read_entries(
    conn: &Connection,
    sender: &mpsc::SyncSender<Vec<AuditEntry>>,
    returned: &mpsc::Receiver<Vec<AuditEntry>>,
) -> Result<(), StoreError> {
    let mut statement = conn
        .prepare(
            "SELECT council_id, seq, at, actor, action, subject, details, prev_hash, hash
             FROM audit_log ORDER BY council_id, seq",
        )
        .map_err(unavailable)?;
    let mut rows = statement.query([]).map_err(unavailable)?;
    let stopped = || StoreError::Corrupt("the chain check stopped unexpectedly".to_owned());
    let mut batch: Vec<AuditEntry> = Vec::with_capacity(BATCH);
    let mut filled = 0;
    // Councils arrive together, so the id is parsed once per council, not once per row.
    let mut council: Option<(String, CouncilId)> = None;
    while let Some(row) = rows.next().map_err(unavailable)? {
        let council_text = column_text(row, 0)?;
        let council_id = match &council {
            Some((known, id)) if known == council_text => *id,
            _ => {
                let id = CouncilId::parse(council_text)
                    .map_err(|e| StoreError::Corrupt(format!("audit_log council_id: {e}")))?;
                council = Some((council_text.to_owned(), id));
                id
            }
        };
        if filled == batch.len() {
            batch.push(AuditEntry {
                council_id,
                seq: 0,
                at_ms: 0,
                actor: String::new(),
                action: String::new(),
                subject: String::new(),
                details: String::new(),
                prev_hash: String::new(),
                hash: String::new(),
            });
        }
        let entry = &mut batch[filled];
        entry.council_id = council_id;
        entry.seq = row.get(1).map_err(unavailable)?;
        entry.at_ms = row.get(2).map_err(unavailable)?;
        refill(&mut entry.actor, column_text(row, 3)?);
        refill(&mut entry.action, column_text(row, 4)?);
        refill(&mut entry.subject, column_text(row, 5)?);
        refill(&mut entry.details, column_text(row, 6)?);
        refill(&mut entry.prev_hash, column_text(row, 7)?);
        refill(&mut entry.hash, column_text(row, 8)?);
        filled += 1;
        if filled == BATCH {
            let next = returned
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(BATCH));
            sender
                .send(std::mem::replace(&mut batch, next))
                .map_err(|_| stopped())?;
            filled = 0;
        }
    }
    batch.truncate(filled);
    if !batch.is_empty() {
        sender.send(batch).map_err(|_| stopped())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use custodian_core::audit::{Actor, AuditEvent, ChainBreak};
    use jiff::Timestamp;

    /// Writes `count` chained entries for each council in one transaction.
    async fn seeded(councils: &[CouncilId], count: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite_in(dir.path()).await.unwrap();
        store.migrate().await.unwrap();
        let mut tx = store.write_pool().begin().await.unwrap();
        for council in councils {
            sqlx::query("INSERT INTO councils (id, name, kind, settings, created_at) VALUES ($1, 'C', 'parish', '{}', 0)")
                .bind(council.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
            let mut head = None;
            for i in 0..count {
                let entry = AuditEvent::new(
                    *council,
                    Timestamp::from_second(1_780_000_000 + i as i64).unwrap(),
                    Actor::System,
                    "test.event",
                )
                .details(serde_json::json!({ "i": i, "text": "a \"quoted\" line\nnext" }))
                .chain(head.as_ref());
                crate::audit::insert_entry(&mut tx, &entry).await.unwrap();
                head = Some(entry.head());
            }
        }
        tx.commit().await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_long_log_of_several_councils_verifies_across_batch_edges() {
        let councils = [CouncilId::generate(), CouncilId::generate()];
        let (dir, _store) = seeded(&councils, 2 * BATCH + 17).await;
        let report = verify_sqlite_file(&dir.path().join("custodian.db")).unwrap();
        assert!(report.is_intact(), "{report:?}");
        assert_eq!(report.entries, 2 * (2 * BATCH as u64 + 17));
        assert_eq!(report.heads.len(), 2);
        assert!(report.heads.iter().all(|h| h.seq == 2 * BATCH as i64 + 17));
    }

    #[tokio::test]
    async fn an_entry_altered_behind_the_triggers_is_named() {
        let council = CouncilId::generate();
        let (dir, store) = seeded(&[council], BATCH + 5).await;
        sqlx::raw_sql("DROP TRIGGER audit_log_no_update")
            .execute(store.write_pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET details = '{\"i\":0}' WHERE seq = $1")
            .bind(BATCH as i64 + 2)
            .execute(store.write_pool())
            .await
            .unwrap();
        let report = verify_sqlite_file(&dir.path().join("custodian.db")).unwrap();
        assert_eq!(report.broken.len(), 1);
        assert_eq!(report.broken[0].seq, BATCH as i64 + 2);
        assert_eq!(report.broken[0].reason, ChainBreak::Altered);
    }

    #[test]
    fn a_missing_file_is_an_error_not_an_empty_log() {
        let dir = tempfile::tempdir().unwrap();
        assert!(verify_sqlite_file(&dir.path().join("nothing.db")).is_err());
    }
}
