//! The equipment register: items, their custody and holders' acknowledgements. Every query
//! names the council. Each change locks the council's row first (on PostgreSQL; SQLite has one
//! writer), so the duplicate-number check sees a settled register, re-checks that the item and
//! every person it names belong to that council, and appends its audit entries in the same
//! transaction.
//!
//! The rules (who may hold what, when an item may be disposed of) are `core::asset`'s; this
//! module only stores what they decide and refuses a change another request has overtaken.

mod import;
mod list;
mod rows;

pub(crate) use list::refresh_search_text;

use crate::incidents::insert_incident_in;
use crate::{Engine, Store, db_error};
use custodian_core::asset::{
    Acknowledged, Acknowledgement, Asset, AssetNumber, AssetPage, AssetQuery,
    PurchaseAuthorisation, suggest_next,
};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{AssetId, CouncilId, PersonId};
use custodian_core::ports::{AssetStore, AssetStoreError, StoreError, StoreResult};
use rows::{ACKNOWLEDGEMENT_COLUMNS, COLUMNS, FIELDS};
use sqlx::AnyConnection;

/// Whether the item exists in the council, as the transaction sees it.
async fn require_asset(
    conn: &mut AnyConnection,
    council: CouncilId,
    id: AssetId,
) -> StoreResult<()> {
    sqlx::query("SELECT id FROM assets WHERE id = $1 AND council_id = $2")
        .bind(id.to_string())
        .bind(council.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?
        .ok_or(StoreError::NotFound("asset"))?;
    Ok(())
}

/// Every person the item names is one of the council's people: a clear `NotFound("person")`
/// rather than a foreign-key failure.
async fn require_people(conn: &mut AnyConnection, asset: &Asset) -> StoreResult<()> {
    let mut people: Vec<PersonId> = Vec::new();
    people.extend(asset.holder());
    if let PurchaseAuthorisation::ApprovedBy(p) = &asset.authorisation {
        people.push(*p);
    }
    people.extend(asset.wipe.as_ref().map(|w| w.by));
    people.extend(asset.disposal.as_ref().and_then(|d| d.by));
    crate::scope::require_people(conn, asset.council_id, people).await
}

/// Refuses a change made from `before` when the stored item is no longer `before`. Called under
/// the council lock, so every other change to the item waits: comparing the whole stored item
/// with what the caller read is enough, with no version column.
async fn refuse_if_changed(
    conn: &mut AnyConnection,
    before: &Asset,
) -> Result<(), AssetStoreError> {
    let sql = format!("SELECT {COLUMNS} FROM assets WHERE id = $1 AND council_id = $2");
    let row = sqlx::query(&sql)
        .bind(before.id.to_string())
        .bind(before.council_id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?
        .ok_or(StoreError::NotFound("asset"))?;
    if rows::asset(&row)? != *before {
        return Err(AssetStoreError::ChangedSinceRead {
            number: before.number.to_string(),
        });
    }
    Ok(())
}

/// Refuses `asset`'s number when another item of the council has it in any capitals, suggesting
/// the next free number in the council's own pattern.
async fn refuse_duplicate(conn: &mut AnyConnection, asset: &Asset) -> Result<(), AssetStoreError> {
    let rows = sqlx::query("SELECT id, number FROM assets WHERE council_id = $1")
        .bind(asset.council_id.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
    let own_id = asset.id.to_string();
    let mut numbers = Vec::with_capacity(rows.len());
    let mut taken = false;
    for row in &rows {
        let number = AssetNumber::parse(&crate::rows::text(row, "number")?)
            .map_err(|e| StoreError::Corrupt(format!("column number: {e}")))?;
        taken |= number == asset.number && crate::rows::text(row, "id")? != own_id;
        numbers.push(number);
    }
    if taken {
        return Err(AssetStoreError::DuplicateNumber {
            number: asset.number.to_string(),
            suggestion: suggest_next(numbers.iter()).to_string(),
        });
    }
    Ok(())
}

impl Store {
    /// Text ordering that is the same on both engines: PostgreSQL's default collation follows
    /// the locale (which skips hyphens), SQLite compares bytes.
    fn byte_order(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite => "",
            Engine::Postgres => " COLLATE \"C\"",
        }
    }

    /// Writes the item's fields over its row; another council's item is `NotFound`.
    async fn write_asset(
        &self,
        conn: &mut AnyConnection,
        asset: &Asset,
        at: i64,
    ) -> Result<(), AssetStoreError> {
        require_asset(conn, asset.council_id, asset.id).await?;
        require_people(conn, asset).await?;
        refuse_duplicate(conn, asset).await?;
        let n = FIELDS.len();
        let set: Vec<String> = FIELDS
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{f} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE assets SET {}, updated_at = ${} WHERE id = ${} AND council_id = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3
        );
        rows::bind_fields(sqlx::query(&sql), asset)?
            .bind(at)
            .bind(asset.id.to_string())
            .bind(asset.council_id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

impl AssetStore for Store {
    async fn insert_asset(&self, asset: &Asset, event: &AuditEvent) -> Result<(), AssetStoreError> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, asset.council_id).await?;
        require_people(&mut tx, asset).await?;
        refuse_duplicate(&mut tx, asset).await?;
        let n = FIELDS.len();
        let placeholders: Vec<String> = (1..=n + 4).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO assets ({}, id, council_id, created_at, updated_at) VALUES ({})",
            FIELDS.join(", "),
            placeholders.join(", ")
        );
        let registered = asset.registered_at.as_millisecond();
        rows::bind_fields(sqlx::query(&sql), asset)?
            .bind(asset.id.to_string())
            .bind(asset.council_id.to_string())
            .bind(registered)
            .bind(registered)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        Ok(self.commit(tx).await?)
    }

    async fn update_asset(&self, asset: &Asset, event: &AuditEvent) -> Result<(), AssetStoreError> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, asset.council_id).await?;
        self.write_asset(&mut tx, asset, event.at.as_millisecond())
            .await?;
        self.append_in(&mut tx, event).await?;
        Ok(self.commit(tx).await?)
    }

    async fn update_asset_if_unchanged(
        &self,
        before: &Asset,
        after: &Asset,
        event: &AuditEvent,
    ) -> Result<(), AssetStoreError> {
        if before.id != after.id || before.council_id != after.council_id {
            return Err(StoreError::Conflict(
                "the item read and the item changed are different items".to_owned(),
            )
            .into());
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, after.council_id).await?;
        refuse_if_changed(&mut tx, before).await?;
        self.write_asset(&mut tx, after, event.at.as_millisecond())
            .await?;
        self.append_in(&mut tx, event).await?;
        Ok(self.commit(tx).await?)
    }

    async fn record_acknowledgements(
        &self,
        acknowledged: &[Acknowledged],
    ) -> Result<(), AssetStoreError> {
        if acknowledged.is_empty() {
            return Ok(());
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        for item in acknowledged {
            let ack = &item.acknowledgement;
            self.lock_council(&mut tx, ack.council_id).await?;
            // Only an item still issued to this person and not yet acknowledged: anything else
            // means another request changed it after the person was shown it.
            let done = sqlx::query(
                "UPDATE assets SET acknowledged_at = $1, updated_at = $1
                 WHERE id = $2 AND council_id = $3 AND status = 'issued' AND holder_id = $4
                   AND acknowledged_at IS NULL",
            )
            .bind(ack.at.as_millisecond())
            .bind(ack.asset_id.to_string())
            .bind(ack.council_id.to_string())
            .bind(ack.person_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if done.rows_affected() == 0 {
                require_asset(&mut tx, ack.council_id, ack.asset_id).await?;
                return Err(AssetStoreError::NotAwaitingAcknowledgement {
                    number: item.asset.number.to_string(),
                });
            }
            sqlx::query(
                "INSERT INTO asset_acknowledgements (council_id, asset_id, person_id, at,
                     text_hash, typed_name)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(ack.council_id.to_string())
            .bind(ack.asset_id.to_string())
            .bind(ack.person_id.to_string())
            .bind(ack.at.as_millisecond())
            .bind(ack.text_hash.clone())
            .bind(ack.typed_name.clone())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            self.append_in(&mut tx, &item.event).await?;
        }
        Ok(self.commit(tx).await?)
    }

    async fn record_loss(
        &self,
        loss: &custodian_core::asset::LossReported,
    ) -> Result<(), AssetStoreError> {
        if loss.incident.council_id != loss.asset.council_id {
            return Err(StoreError::Conflict(
                "the incident and the item belong to different councils".to_owned(),
            )
            .into());
        }
        if loss.before.id != loss.asset.id || loss.before.council_id != loss.asset.council_id {
            return Err(StoreError::Conflict(
                "the item reported and the item changed are different items".to_owned(),
            )
            .into());
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, loss.asset.council_id).await?;
        refuse_if_changed(&mut tx, &loss.before).await?;
        self.write_asset(&mut tx, &loss.asset, loss.asset_event.at.as_millisecond())
            .await?;
        insert_incident_in(&mut tx, &loss.incident).await?;
        self.append_in(&mut tx, &loss.asset_event).await?;
        self.append_in(&mut tx, &loss.incident_event).await?;
        Ok(self.commit(tx).await?)
    }

    async fn asset(&self, council: CouncilId, id: AssetId) -> StoreResult<Asset> {
        let sql = format!("SELECT {COLUMNS} FROM assets WHERE id = $1 AND council_id = $2");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(council.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("asset"))?;
        rows::asset(&row)
    }

    async fn assets(&self, council: CouncilId, query: &AssetQuery) -> StoreResult<AssetPage> {
        self.asset_page(council, query).await
    }

    async fn asset_numbers(&self, council: CouncilId) -> StoreResult<Vec<AssetNumber>> {
        sqlx::query("SELECT number FROM assets WHERE council_id = $1 ORDER BY number_key")
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(|row| {
                AssetNumber::parse(&crate::rows::text(row, "number")?)
                    .map_err(|e| StoreError::Corrupt(format!("column number: {e}")))
            })
            .collect()
    }

    async fn import_assets(
        &self,
        council: CouncilId,
        assets: &[Asset],
        events: &[AuditEvent],
    ) -> Result<usize, AssetStoreError> {
        self.import_all(council, assets, events).await
    }

    async fn all_assets(&self, council: CouncilId) -> StoreResult<Vec<Asset>> {
        self.whole_register(council).await
    }

    async fn acknowledgements(
        &self,
        council: CouncilId,
        asset: AssetId,
    ) -> StoreResult<Vec<Acknowledgement>> {
        let mut conn = self.read.acquire().await.map_err(db_error)?;
        require_asset(&mut conn, council, asset).await?;
        let sql = format!(
            "SELECT {ACKNOWLEDGEMENT_COLUMNS} FROM asset_acknowledgements
             WHERE council_id = $1 AND asset_id = $2 ORDER BY at, person_id"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .bind(asset.to_string())
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::acknowledgement)
            .collect()
    }
}
