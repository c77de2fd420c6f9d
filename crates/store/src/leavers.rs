//! Leavers' checklists: the person's change, the end of their sessions and their checklist in
//! one transaction, then each item the Clerk ticks or waives. Only what the Clerk recorded is
//! stored; what the records show is `core::leaver`'s to work out on reading.

use crate::rows::{self, date_text};
use crate::{Store, checklists, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::leaver::{ChecklistItem, LeaverChecklist, Settled, Task};
use custodian_core::person::Person;
use custodian_core::ports::{LeaverStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const CHECKLIST_COLUMNS: &str = "council_id, person_id, created_by, created_at, closed_at";
const ITEM_COLUMNS: &str =
    "person_id, position, kind, subject, label, state, settled_by, settled_at, reason";

async fn insert_checklist_in(
    conn: &mut AnyConnection,
    checklist: &LeaverChecklist,
) -> StoreResult<()> {
    let council = checklist.council_id.to_string();
    let person = checklist.person_id.to_string();
    sqlx::query(
        "INSERT INTO leaver_checklists (council_id, person_id, created_by, created_at, closed_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&council)
    .bind(&person)
    .bind(checklist.created_by.to_string())
    .bind(checklist.created_at.as_millisecond())
    .bind(checklist.closed_at.map(|t| t.as_millisecond()))
    .execute(&mut *conn)
    .await
    .map_err(|e| match db_error(e) {
        StoreError::Conflict(_) => {
            StoreError::Conflict("This person already has a leaver's checklist.".to_owned())
        }
        other => other,
    })?;
    for (position, item) in checklist.items.iter().enumerate() {
        let (by, at, reason) = checklists::mark_columns(&item.mark);
        sqlx::query(
            "INSERT INTO leaver_items (council_id, person_id, position, kind, subject, label,
                 state, settled_by, settled_at, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&council)
        .bind(&person)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(item.task.kind())
        .bind(item.task.subject())
        .bind(&item.label)
        .bind(item.mark.as_str())
        .bind(by)
        .bind(at)
        .bind(reason)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

fn item_of(row: &AnyRow) -> StoreResult<ChecklistItem> {
    let kind = rows::text(row, "kind")?;
    let subject = rows::text(row, "subject")?;
    let task =
        Task::from_storage(&kind, &subject).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mark = checklists::mark_of(
        row,
        "reason",
        &format!("leaver checklist item {kind} {subject}"),
    )?;
    Ok(ChecklistItem {
        task,
        label: rows::text(row, "label")?,
        mark,
    })
}

fn checklist_of(row: &AnyRow, items: Vec<ChecklistItem>) -> StoreResult<LeaverChecklist> {
    Ok(LeaverChecklist {
        council_id: rows::council_id(row, "council_id")?,
        person_id: rows::person_id(row, "person_id")?,
        created_by: rows::person_id(row, "created_by")?,
        created_at: rows::time(row, "created_at")?,
        closed_at: rows::opt_time(row, "closed_at")?,
        items,
    })
}

impl LeaverStore for Store {
    async fn mark_left(
        &self,
        person: &Person,
        person_event: &AuditEvent,
        checklist: &LeaverChecklist,
        checklist_event: &AuditEvent,
    ) -> StoreResult<()> {
        if checklist.council_id != person.council_id || checklist.person_id != person.id {
            return Err(StoreError::Conflict(
                "the checklist is not this person's".to_owned(),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        // The same change `PersonStore::update_person` makes, here inside the checklist's
        // transaction.
        let done = sqlx::query(
            "UPDATE people SET status = $1, leave_date = $2 WHERE id = $3 AND council_id = $4",
        )
        .bind(person.status.as_str())
        .bind(date_text(person.leave_date))
        .bind(person.id.to_string())
        .bind(person.council_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("person"));
        }
        // Their sessions in this council end now, not at their next request; a shared
        // sign-in's sessions in other councils are theirs to keep.
        sqlx::query("DELETE FROM sessions WHERE council_id = $1 AND person_id = $2")
            .bind(person.council_id.to_string())
            .bind(person.id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        insert_checklist_in(&mut tx, checklist).await?;
        self.append_in(&mut tx, person_event).await?;
        self.append_in(&mut tx, checklist_event).await?;
        self.commit(tx).await
    }

    async fn insert_leaver_checklist(
        &self,
        checklist: &LeaverChecklist,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        insert_checklist_in(&mut tx, checklist).await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn leaver_checklist(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> StoreResult<Option<LeaverChecklist>> {
        let sql = format!(
            "SELECT {CHECKLIST_COLUMNS} FROM leaver_checklists
             WHERE council_id = $1 AND person_id = $2"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(council.to_string())
            .bind(person.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM leaver_items
             WHERE council_id = $1 AND person_id = $2 ORDER BY position"
        );
        let items = sqlx::query(&sql)
            .bind(council.to_string())
            .bind(person.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(item_of)
            .collect::<StoreResult<Vec<_>>>()?;
        checklist_of(&row, items).map(Some)
    }

    async fn leaver_checklists(&self, council: CouncilId) -> StoreResult<Vec<LeaverChecklist>> {
        let sql = format!(
            "SELECT {CHECKLIST_COLUMNS} FROM leaver_checklists
             WHERE council_id = $1 ORDER BY created_at, person_id"
        );
        let lists = sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?;
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM leaver_items
             WHERE council_id = $1 ORDER BY person_id, position"
        );
        let item_rows = sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?;
        let mut items: Vec<(PersonId, ChecklistItem)> = Vec::with_capacity(item_rows.len());
        for row in &item_rows {
            items.push((rows::person_id(row, "person_id")?, item_of(row)?));
        }
        lists
            .iter()
            .map(|row| {
                let person = rows::person_id(row, "person_id")?;
                let own = items
                    .iter()
                    .filter(|(p, _)| *p == person)
                    .map(|(_, item)| item.clone())
                    .collect();
                checklist_of(row, own)
            })
            .collect()
    }

    async fn settle_leaver_item(
        &self,
        council: CouncilId,
        person: PersonId,
        settled: &Settled,
    ) -> StoreResult<()> {
        let (by, at, reason) = checklists::mark_columns(&settled.item.mark);
        let mut tx = self.write.begin().await.map_err(db_error)?;
        // Only over an item still open: two Clerks settling the same item cannot overwrite
        // each other's record.
        let done = sqlx::query(
            "UPDATE leaver_items SET state = $1, settled_by = $2, settled_at = $3, reason = $4
             WHERE council_id = $5 AND person_id = $6 AND kind = $7 AND subject = $8
               AND state = 'open'",
        )
        .bind(settled.item.mark.as_str())
        .bind(by)
        .bind(at)
        .bind(reason)
        .bind(council.to_string())
        .bind(person.to_string())
        .bind(settled.item.task.kind())
        .bind(settled.item.task.subject())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            let exists = sqlx::query(
                "SELECT 1 AS one FROM leaver_items
                 WHERE council_id = $1 AND person_id = $2 AND kind = $3 AND subject = $4",
            )
            .bind(council.to_string())
            .bind(person.to_string())
            .bind(settled.item.task.kind())
            .bind(settled.item.task.subject())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            return Err(match exists {
                Some(_) => StoreError::Conflict(format!(
                    "\"{}\" was settled by someone else after you opened the page, so nothing \
                     was saved. Reload the checklist to see it as it is now.",
                    settled.item.label
                )),
                None => StoreError::NotFound("checklist item"),
            });
        }
        if let Some(closed_at) = settled.closed_at {
            checklists::set_closed_in(
                &mut tx,
                "leaver_checklists",
                "leaver's checklist",
                council,
                person,
                closed_at,
            )
            .await?;
        }
        for event in &settled.events {
            self.append_in(&mut tx, event).await?;
        }
        self.commit(tx).await
    }

    async fn close_leaver_checklist(
        &self,
        council: CouncilId,
        person: PersonId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        checklists::set_closed_in(
            &mut tx,
            "leaver_checklists",
            "leaver's checklist",
            council,
            person,
            at,
        )
        .await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }
}
