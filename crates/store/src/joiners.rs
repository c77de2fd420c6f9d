//! Joiners' checklists: an invited person and their checklist in one transaction, then each
//! item the Clerk ticks or waives. Only what the Clerk recorded is stored; what the records
//! show is `core::joiner`'s to work out on reading.

use crate::people::insert_person_in;
use crate::rows;
use crate::{Store, checklists, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::joiner::{ChecklistItem, JoinerChecklist, Settled, Task};
use custodian_core::person::Person;
use custodian_core::ports::{JoinerStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const CHECKLIST_COLUMNS: &str = "council_id, person_id, created_by, created_at, closed_at";
const ITEM_COLUMNS: &str = "person_id, position, kind, state, settled_by, settled_at, note";

async fn insert_checklist_in(
    conn: &mut AnyConnection,
    checklist: &JoinerChecklist,
) -> StoreResult<()> {
    let council = checklist.council_id.to_string();
    let person = checklist.person_id.to_string();
    // The foreign key would refuse another council's person too, but as a database error;
    // this says which record was missing.
    let exists = sqlx::query("SELECT 1 AS one FROM people WHERE council_id = $1 AND id = $2")
        .bind(&council)
        .bind(&person)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
    if exists.is_none() {
        return Err(StoreError::NotFound("person"));
    }
    sqlx::query(
        "INSERT INTO joiner_checklists (council_id, person_id, created_by, created_at, closed_at)
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
            StoreError::Conflict("This person already has a joining checklist.".to_owned())
        }
        other => other,
    })?;
    for (position, item) in checklist.items.iter().enumerate() {
        let (by, at, note) = checklists::mark_columns(&item.mark);
        sqlx::query(
            "INSERT INTO joiner_items (council_id, person_id, position, kind, state, settled_by,
                 settled_at, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&council)
        .bind(&person)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(item.task.kind())
        .bind(item.mark.as_str())
        .bind(by)
        .bind(at)
        .bind(note)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

fn item_of(row: &AnyRow) -> StoreResult<ChecklistItem> {
    let kind = rows::text(row, "kind")?;
    let task = Task::parse(&kind).ok_or_else(|| {
        StoreError::Corrupt(format!("joiner checklist item of unknown kind \"{kind}\""))
    })?;
    let mark = checklists::mark_of(row, "note", &format!("joiner checklist item {kind}"))?;
    Ok(ChecklistItem { task, mark })
}

fn checklist_of(row: &AnyRow, items: Vec<ChecklistItem>) -> StoreResult<JoinerChecklist> {
    Ok(JoinerChecklist {
        council_id: rows::council_id(row, "council_id")?,
        person_id: rows::person_id(row, "person_id")?,
        created_by: rows::person_id(row, "created_by")?,
        created_at: rows::time(row, "created_at")?,
        closed_at: rows::opt_time(row, "closed_at")?,
        items,
    })
}

impl JoinerStore for Store {
    async fn insert_person_with_checklist(
        &self,
        person: &Person,
        person_event: &AuditEvent,
        checklist: &JoinerChecklist,
        checklist_event: &AuditEvent,
    ) -> StoreResult<()> {
        if checklist.council_id != person.council_id || checklist.person_id != person.id {
            return Err(StoreError::Conflict(
                "the checklist is not this person's".to_owned(),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        insert_person_in(&mut tx, person).await?;
        insert_checklist_in(&mut tx, checklist).await?;
        self.append_in(&mut tx, person_event).await?;
        self.append_in(&mut tx, checklist_event).await?;
        self.commit(tx).await
    }

    async fn insert_joiner_checklist(
        &self,
        checklist: &JoinerChecklist,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        insert_checklist_in(&mut tx, checklist).await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn joiner_checklist(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> StoreResult<Option<JoinerChecklist>> {
        let sql = format!(
            "SELECT {CHECKLIST_COLUMNS} FROM joiner_checklists
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
            "SELECT {ITEM_COLUMNS} FROM joiner_items
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

    async fn open_joiner_checklists(
        &self,
        council: CouncilId,
    ) -> StoreResult<Vec<JoinerChecklist>> {
        let sql = format!(
            "SELECT {CHECKLIST_COLUMNS} FROM joiner_checklists
             WHERE council_id = $1 AND closed_at IS NULL ORDER BY created_at, person_id"
        );
        let lists = sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?;
        if lists.is_empty() {
            return Ok(Vec::new());
        }
        // Only the items of lists still open: a council's closed lists grow every year.
        let item_rows = sqlx::query(
            "SELECT i.person_id, i.position, i.kind, i.state, i.settled_by, i.settled_at, i.note
             FROM joiner_items i JOIN joiner_checklists c
               ON c.council_id = i.council_id AND c.person_id = i.person_id
             WHERE i.council_id = $1 AND c.closed_at IS NULL
             ORDER BY i.person_id, i.position",
        )
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

    async fn settle_joiner_item(
        &self,
        council: CouncilId,
        person: PersonId,
        settled: &Settled,
    ) -> StoreResult<()> {
        let (by, at, note) = checklists::mark_columns(&settled.item.mark);
        let kind = settled.item.task.kind();
        let mut tx = self.write.begin().await.map_err(db_error)?;
        // Only over an item still open: two people settling the same item cannot overwrite
        // each other's record.
        let done = sqlx::query(
            "UPDATE joiner_items SET state = $1, settled_by = $2, settled_at = $3, note = $4
             WHERE council_id = $5 AND person_id = $6 AND kind = $7 AND state = 'open'",
        )
        .bind(settled.item.mark.as_str())
        .bind(by)
        .bind(at)
        .bind(note)
        .bind(council.to_string())
        .bind(person.to_string())
        .bind(kind)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            let exists = sqlx::query(
                "SELECT 1 AS one FROM joiner_items
                 WHERE council_id = $1 AND person_id = $2 AND kind = $3",
            )
            .bind(council.to_string())
            .bind(person.to_string())
            .bind(kind)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            return Err(match exists {
                Some(_) => StoreError::Conflict(format!(
                    "\"{}\" was settled by someone else after you opened the page, so nothing \
                     was saved. Reload the checklist to see it as it is now.",
                    settled.item.task.label()
                )),
                None => StoreError::NotFound("checklist item"),
            });
        }
        if let Some(closed_at) = settled.closed_at {
            checklists::set_closed_in(
                &mut tx,
                "joiner_checklists",
                "joining checklist",
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

    async fn close_joiner_checklist(
        &self,
        council: CouncilId,
        person: PersonId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        checklists::set_closed_in(
            &mut tx,
            "joiner_checklists",
            "joining checklist",
            council,
            person,
            at,
        )
        .await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }
}
