//! The audit log: appending (always inside the caller's transaction) and reading.

use crate::rows::{self, AUDIT_COLUMNS};
use crate::{Store, db_error};
use custodian_core::audit::{AuditEntry, AuditEvent, ChainHead};
use custodian_core::ids::CouncilId;
use custodian_core::ports::{AuditLog, AuditQuery, StoreError, StoreResult};
use futures_util::TryStreamExt;
use sqlx::AnyConnection;

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

impl AuditLog for Store {
    async fn append(&self, event: &AuditEvent) -> StoreResult<AuditEntry> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let entry = self.append_in(&mut tx, event).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(entry)
    }

    async fn entries(
        &self,
        council: CouncilId,
        query: &AuditQuery,
    ) -> StoreResult<Vec<AuditEntry>> {
        let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE council_id = $1");
        let mut texts: Vec<String> = vec![council.to_string()];
        let mut ints: Vec<i64> = Vec::new();
        // Text parameters are numbered first, then integers, so binding order is simple.
        if let Some(actor) = &query.actor {
            texts.push(actor.clone());
            sql.push_str(&format!(" AND actor = ${}", texts.len()));
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

    async fn for_each_entry<F: FnMut(&AuditEntry) + Send>(&self, mut visit: F) -> StoreResult<()> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY council_id, seq");
        let mut stream = sqlx::query(&sql).fetch(&self.read);
        while let Some(row) = stream.try_next().await.map_err(db_error)? {
            visit(&rows::audit_entry(&row)?);
        }
        Ok(())
    }
}
