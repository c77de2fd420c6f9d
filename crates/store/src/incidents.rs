//! Incidents (the minimal record; the full workflow comes later).

use crate::{Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, IncidentId};
use custodian_core::incident::Incident;
use custodian_core::ports::{IncidentStore, StoreError, StoreResult};
use sqlx::AnyConnection;

const COLUMNS: &str =
    "id, council_id, kind, summary, happened_at, reported_at, reported_by, status";

/// Inserts an incident using `conn`, inside the caller's transaction: the one INSERT for every
/// path that opens an incident (reported directly, or by a loss report with its asset change).
pub(crate) async fn insert_incident_in(
    conn: &mut AnyConnection,
    incident: &Incident,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO incidents (id, council_id, kind, summary, happened_at, reported_at, reported_by, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(incident.id.to_string())
    .bind(incident.council_id.to_string())
    .bind(incident.kind.as_str())
    .bind(&incident.summary)
    .bind(incident.happened_at.map(|t| t.as_millisecond()))
    .bind(incident.reported_at.as_millisecond())
    .bind(incident.reported_by.map(|p| p.to_string()))
    .bind(incident.status.as_str())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

impl IncidentStore for Store {
    async fn insert_incident(&self, incident: &Incident, event: &AuditEvent) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        insert_incident_in(&mut tx, incident).await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn incidents(&self, council: CouncilId) -> StoreResult<Vec<Incident>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM incidents WHERE council_id = $1 ORDER BY reported_at DESC, id"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::incident)
            .collect()
    }

    async fn incident(&self, council: CouncilId, id: IncidentId) -> StoreResult<Incident> {
        let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = $1 AND council_id = $2");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(council.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("incident"))?;
        rows::incident(&row)
    }
}
