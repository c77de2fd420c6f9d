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
    let (sender, receiver) = mpsc::sync_channel::<Vec<AuditEntry>>(8);
    let checker = std::thread::spawn(move || {
        let mut verifier = ChainVerifier::new();
        for batch in receiver {
            batch.iter().for_each(|entry| verifier.push(entry));
        }
        verifier.finish()
    });
    let read = read_entries(&conn, &sender);
    drop(sender);
    let report = checker
        .join()
        .map_err(|_| StoreError::Corrupt("the chain check stopped unexpectedly".to_owned()))?;
    read?;
    Ok(report)
}

fn read_entries(
    conn: &Connection,
    sender: &mpsc::SyncSender<Vec<AuditEntry>>,
) -> Result<(), StoreError> {
    let mut statement = conn
        .prepare(
            "SELECT council_id, seq, at, actor, action, subject, details, prev_hash, hash
             FROM audit_log ORDER BY council_id, seq",
        )
        .map_err(unavailable)?;
    let mut rows = statement.query([]).map_err(unavailable)?;
    let mut batch = Vec::with_capacity(BATCH);
    // Councils arrive together, so the id is parsed once per council, not once per row.
    let mut council: Option<(String, CouncilId)> = None;
    while let Some(row) = rows.next().map_err(unavailable)? {
        let text = |i: usize| -> Result<String, StoreError> {
            row.get::<_, String>(i)
                .map_err(|e| StoreError::Corrupt(format!("audit_log column {i}: {e}")))
        };
        let council_text = row
            .get_ref(0)
            .and_then(|v| v.as_str().map_err(Into::into))
            .map_err(|e| StoreError::Corrupt(format!("audit_log council_id: {e}")))?;
        let council_id = match &council {
            Some((known, id)) if known == council_text => *id,
            _ => {
                let id = CouncilId::parse(council_text)
                    .map_err(|e| StoreError::Corrupt(format!("audit_log council_id: {e}")))?;
                council = Some((council_text.to_owned(), id));
                id
            }
        };
        batch.push(AuditEntry {
            council_id,
            seq: row.get(1).map_err(unavailable)?,
            at_ms: row.get(2).map_err(unavailable)?,
            actor: text(3)?,
            action: text(4)?,
            subject: text(5)?,
            details: text(6)?,
            prev_hash: text(7)?,
            hash: text(8)?,
        });
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if sender.send(full).is_err() {
                return Err(StoreError::Corrupt(
                    "the chain check stopped unexpectedly".to_owned(),
                ));
            }
        }
    }
    if !batch.is_empty() && sender.send(batch).is_err() {
        return Err(StoreError::Corrupt(
            "the chain check stopped unexpectedly".to_owned(),
        ));
    }
    Ok(())
}
