//! Policy versions and signed declarations. Every query names the council. Each change first
//! locks the council's row (on PostgreSQL; SQLite has one writer), so numbering, adoption and
//! signing see a settled state, and appends its audit entry in the same transaction.
//!
//! The rules (what may be adopted, who may sign, with what name) are `core`'s. The checks here
//! only refuse a change that another request has overtaken since the caller read the version.

use crate::rows::{self, DECLARATION_COLUMNS, POLICY_VERSION_COLUMNS};
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, PersonId, PolicyVersionId};
use custodian_core::policy::version::{Adoption, Declaration, Draft, PolicyVersion, VersionStatus};
use custodian_core::ports::{PolicyStore, PolicyStoreError, StoreError, StoreResult};
use sqlx::AnyConnection;

impl Store {
    /// Locks the council's row for the rest of the transaction (see [`Store::append_in`]).
    pub(crate) async fn lock_council(
        &self,
        conn: &mut AnyConnection,
        council: CouncilId,
    ) -> StoreResult<()> {
        let sql = format!(
            "SELECT id FROM councils WHERE id = $1{}",
            self.lock_suffix()
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("council"))?;
        Ok(())
    }
}

/// A version's status as the transaction sees it; another council's version is `NotFound`.
async fn status_in(
    conn: &mut AnyConnection,
    council: CouncilId,
    id: PolicyVersionId,
) -> StoreResult<VersionStatus> {
    let row = sqlx::query("SELECT status FROM policy_versions WHERE id = $1 AND council_id = $2")
        .bind(id.to_string())
        .bind(council.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?
        .ok_or(StoreError::NotFound("policy version"))?;
    VersionStatus::parse(&rows::text(&row, "status")?)
        .map_err(|e| StoreError::Corrupt(format!("column status: {e}")))
}

/// Refuses a change to a version that is no longer a draft.
async fn require_draft(
    conn: &mut AnyConnection,
    council: CouncilId,
    id: PolicyVersionId,
) -> Result<(), PolicyStoreError> {
    match status_in(conn, council, id).await? {
        VersionStatus::Draft => Ok(()),
        other => Err(PolicyStoreError::NotADraft(other)),
    }
}

impl PolicyStore for Store {
    async fn create_draft(
        &self,
        draft: &Draft,
        event: &AuditEvent,
    ) -> Result<PolicyVersion, PolicyStoreError> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, draft.council_id).await?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(number), 0) + 1 AS next FROM policy_versions WHERE council_id = $1",
        )
        .bind(draft.council_id.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        let next = rows::int(&row, "next")?;
        let number =
            u32::try_from(next).map_err(|e| StoreError::Corrupt(format!("column number: {e}")))?;
        sqlx::query(
            "INSERT INTO policy_versions (id, council_id, number, status, profile_json, origin,
                 origin_file_name, note, created_by, created_at)
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9)",
        )
        .bind(draft.id.to_string())
        .bind(draft.council_id.to_string())
        .bind(next)
        .bind(draft.profile.to_json())
        .bind(draft.origin.as_str())
        .bind(draft.origin.file_name().map(str::to_owned))
        .bind(&draft.note)
        .bind(draft.created_by.to_string())
        .bind(draft.created_at.as_millisecond())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await?;
        Ok(draft.clone().numbered(number))
    }

    async fn update_draft(
        &self,
        version: &PolicyVersion,
        event: &AuditEvent,
    ) -> Result<(), PolicyStoreError> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, version.council_id).await?;
        require_draft(&mut tx, version.council_id, version.id).await?;
        sqlx::query(
            "UPDATE policy_versions SET profile_json = $1, note = $2
             WHERE id = $3 AND council_id = $4 AND status = 'draft'",
        )
        .bind(version.profile.to_json())
        .bind(&version.note)
        .bind(version.id.to_string())
        .bind(version.council_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        Ok(self.commit(tx).await?)
    }

    async fn delete_draft(
        &self,
        council: CouncilId,
        id: PolicyVersionId,
        event: &AuditEvent,
    ) -> Result<(), PolicyStoreError> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        require_draft(&mut tx, council, id).await?;
        sqlx::query(
            "DELETE FROM policy_versions WHERE id = $1 AND council_id = $2 AND status = 'draft'",
        )
        .bind(id.to_string())
        .bind(council.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        Ok(self.commit(tx).await?)
    }

    async fn version(&self, council: CouncilId, id: PolicyVersionId) -> StoreResult<PolicyVersion> {
        let sql = format!(
            "SELECT {POLICY_VERSION_COLUMNS} FROM policy_versions WHERE id = $1 AND council_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(council.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("policy version"))?;
        rows::policy_version(&row)
    }

    async fn versions(&self, council: CouncilId) -> StoreResult<Vec<PolicyVersion>> {
        let sql = format!(
            "SELECT {POLICY_VERSION_COLUMNS} FROM policy_versions WHERE council_id = $1
             ORDER BY number DESC"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::policy_version)
            .collect()
    }

    async fn in_force(&self, council: CouncilId) -> StoreResult<Option<PolicyVersion>> {
        let sql = format!(
            "SELECT {POLICY_VERSION_COLUMNS} FROM policy_versions
             WHERE council_id = $1 AND status = 'adopted'"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(rows::policy_version)
            .transpose()
    }

    async fn adopt(
        &self,
        council: CouncilId,
        id: PolicyVersionId,
        adoption: &Adoption,
        event: &AuditEvent,
    ) -> Result<(), PolicyStoreError> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        require_draft(&mut tx, council, id).await?;
        // The version in force steps down first: at most one adopted version per council.
        sqlx::query(
            "UPDATE policy_versions SET status = 'superseded'
             WHERE council_id = $1 AND status = 'adopted'",
        )
        .bind(council.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        sqlx::query(
            "UPDATE policy_versions SET status = 'adopted', adopted_on = $1, minute_reference = $2,
                 adopted_at = $3, adopted_by = $4, review_due = $5, content_hash = $6,
                 declaration_text = $7
             WHERE id = $8 AND council_id = $9 AND status = 'draft'",
        )
        .bind(adoption.adopted_on.to_string())
        .bind(adoption.minute_reference.as_str())
        .bind(adoption.adopted_at.as_millisecond())
        .bind(adoption.adopted_by.to_string())
        .bind(adoption.review_due.to_string())
        .bind(&adoption.content_hash)
        .bind(&adoption.declaration_text)
        .bind(id.to_string())
        .bind(council.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        Ok(self.commit(tx).await?)
    }

    async fn sign_declaration(
        &self,
        declaration: &Declaration,
        event: &AuditEvent,
    ) -> Result<(), PolicyStoreError> {
        let council = declaration.council_id;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        if status_in(&mut tx, council, declaration.version_id).await? != VersionStatus::Adopted {
            return Err(PolicyStoreError::NotInForce);
        }
        crate::scope::require_people(&mut tx, council, [declaration.person_id]).await?;
        sqlx::query(
            "INSERT INTO policy_declarations (council_id, version_id, person_id, typed_name,
                 signed_at, text_hash)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(council.to_string())
        .bind(declaration.version_id.to_string())
        .bind(declaration.person_id.to_string())
        .bind(&declaration.typed_name)
        .bind(declaration.signed_at.as_millisecond())
        .bind(&declaration.text_hash)
        .execute(&mut *tx)
        .await
        // The key is (version, person): the only way to repeat it is to sign twice.
        .map_err(|e| match db_error(e) {
            StoreError::Conflict(_) => PolicyStoreError::AlreadySigned,
            other => other.into(),
        })?;
        self.append_in(&mut tx, event).await?;
        Ok(self.commit(tx).await?)
    }

    async fn declarations(
        &self,
        council: CouncilId,
        version: PolicyVersionId,
    ) -> StoreResult<Vec<Declaration>> {
        let sql = format!(
            "SELECT {DECLARATION_COLUMNS} FROM policy_declarations
             WHERE council_id = $1 AND version_id = $2 ORDER BY signed_at, person_id"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .bind(version.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::declaration)
            .collect()
    }

    async fn unsigned_people(&self, council: CouncilId) -> StoreResult<Vec<PersonId>> {
        let Some(version) = self.in_force(council).await? else {
            return Ok(Vec::new());
        };
        if !version.profile.declaration_required {
            return Ok(Vec::new());
        }
        sqlx::query(
            "SELECT p.id FROM people p
             WHERE p.council_id = $1 AND p.status = 'active'
               -- the internal auditor only reads, so does not sign (Action::SignDeclaration)
               AND p.roles <> 'auditor'
               AND NOT EXISTS (SELECT 1 FROM policy_declarations d
                               WHERE d.version_id = $2 AND d.person_id = p.id)
             ORDER BY p.name, p.id",
        )
        .bind(council.to_string())
        .bind(version.id.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?
        .iter()
        .map(|row| rows::person_id(row, "id"))
        .collect()
    }

    async fn declaration_of(
        &self,
        council: CouncilId,
        version: PolicyVersionId,
        person: PersonId,
    ) -> StoreResult<Option<Declaration>> {
        let sql = format!(
            "SELECT {DECLARATION_COLUMNS} FROM policy_declarations
             WHERE council_id = $1 AND version_id = $2 AND person_id = $3"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .bind(version.to_string())
            .bind(person.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(rows::declaration)
            .transpose()
    }
}
