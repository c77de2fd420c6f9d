//! People. Every query names the council, so one council can never read another's people.

use crate::rows::{self, PERSON_COLUMNS, date_text};
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{AccountId, CouncilId, PersonId};
use custodian_core::person::{Email, Person};
use custodian_core::ports::{PersonStore, StoreError, StoreResult};
use sqlx::AnyConnection;

pub(crate) async fn insert_person_in(conn: &mut AnyConnection, person: &Person) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO people (id, council_id, account_id, name, email, roles, status, start_date, leave_date, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(person.id.to_string())
    .bind(person.council_id.to_string())
    .bind(person.account_id.map(|a| a.to_string()))
    .bind(person.name.as_str())
    .bind(person.email.as_str())
    .bind(person.roles.to_storage())
    .bind(person.status.as_str())
    .bind(date_text(person.start_date))
    .bind(date_text(person.leave_date))
    .bind(person.created_at.as_millisecond())
    .execute(&mut *conn)
    .await
    .map_err(|e| match crate::db_error(e) {
        StoreError::Conflict(_) => {
            StoreError::Conflict(format!("{} is already a person in this council", person.email))
        }
        other => other,
    })?;
    Ok(())
}

impl PersonStore for Store {
    async fn insert_person(&self, person: &Person, event: &AuditEvent) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        insert_person_in(&mut tx, person).await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn update_person(&self, person: &Person, event: &AuditEvent) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query(
            "UPDATE people SET account_id = $1, name = $2, email = $3, roles = $4, status = $5,
                 start_date = $6, leave_date = $7
             WHERE id = $8 AND council_id = $9",
        )
        .bind(person.account_id.map(|a| a.to_string()))
        .bind(person.name.as_str())
        .bind(person.email.as_str())
        .bind(person.roles.to_storage())
        .bind(person.status.as_str())
        .bind(date_text(person.start_date))
        .bind(date_text(person.leave_date))
        .bind(person.id.to_string())
        .bind(person.council_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(|e| match db_error(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "{} is already a person in this council",
                person.email
            )),
            other => other,
        })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("person"));
        }
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn person(&self, council: CouncilId, id: PersonId) -> StoreResult<Person> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1 AND council_id = $2");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(council.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("person"))?;
        rows::person(&row)
    }

    async fn people(&self, council: CouncilId) -> StoreResult<Vec<Person>> {
        let sql =
            format!("SELECT {PERSON_COLUMNS} FROM people WHERE council_id = $1 ORDER BY name, id");
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::person)
            .collect()
    }

    async fn people_for_account(&self, account: AccountId) -> StoreResult<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE account_id = $1 ORDER BY council_id"
        );
        sqlx::query(&sql)
            .bind(account.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::person)
            .collect()
    }

    async fn person_by_email(
        &self,
        council: CouncilId,
        email: &Email,
    ) -> StoreResult<Option<Person>> {
        let sql =
            format!("SELECT {PERSON_COLUMNS} FROM people WHERE council_id = $1 AND email = $2");
        sqlx::query(&sql)
            .bind(council.to_string())
            .bind(email.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(rows::person)
            .transpose()
    }
}
