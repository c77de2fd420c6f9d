//! Many new items at once (a CSV import), and the whole register for an export.
//!
//! An import is one transaction under the council's lock: the numbers are checked against the
//! register as it stands then (and against each other), every person named must be one of the
//! council's, and the items and audit entries are written with multi-row INSERTs so 10,000
//! items take a fraction of a second rather than 10,000 round trips. All or nothing.

use super::rows::{self, COLUMNS, FIELDS};
use crate::audit::values_placeholders;
use crate::{Store, db_error};
use custodian_core::asset::{Asset, AssetNumber, PurchaseAuthorisation, suggest_next};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::CouncilId;
use custodian_core::ports::{AssetStoreError, StoreError, StoreResult};
use sqlx::AnyConnection;
use std::collections::HashSet;

/// Items per INSERT: 36 parameters each, 9,000 a statement, well inside SQLite's (32,766) and
/// PostgreSQL's (65,535) limits.
const ITEMS_PER_INSERT: usize = 250;

/// Refuses the batch when any number is already in the register or used twice in the batch,
/// suggesting the next number free of both.
async fn refuse_duplicates(
    conn: &mut AnyConnection,
    council: CouncilId,
    assets: &[Asset],
) -> Result<(), AssetStoreError> {
    let rows = sqlx::query("SELECT number FROM assets WHERE council_id = $1")
        .bind(council.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
    let mut taken: Vec<AssetNumber> = rows
        .iter()
        .map(|row| {
            AssetNumber::parse(&crate::rows::text(row, "number")?)
                .map_err(|e| StoreError::Corrupt(format!("column number: {e}")))
        })
        .collect::<StoreResult<_>>()?;
    let mut seen: HashSet<&AssetNumber> = taken.iter().collect();
    let clash = assets
        .iter()
        .find(|a| !seen.insert(&a.number))
        .map(|a| a.number.to_string());
    if let Some(number) = clash {
        taken.extend(assets.iter().map(|a| a.number.clone()));
        return Err(AssetStoreError::DuplicateNumber {
            number,
            suggestion: suggest_next(taken.iter()).to_string(),
        });
    }
    Ok(())
}

/// Every person the items name (holders, approvers, wipers, disposers) is one of the council's.
async fn require_people(
    conn: &mut AnyConnection,
    council: CouncilId,
    assets: &[Asset],
) -> StoreResult<()> {
    let rows = sqlx::query("SELECT id FROM people WHERE council_id = $1")
        .bind(council.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
    let people: HashSet<String> = rows
        .iter()
        .map(|row| crate::rows::text(row, "id"))
        .collect::<StoreResult<_>>()?;
    for asset in assets {
        let named = asset
            .holder()
            .into_iter()
            .chain(match &asset.authorisation {
                PurchaseAuthorisation::ApprovedBy(p) => Some(*p),
                _ => None,
            })
            .chain(asset.wipe.as_ref().map(|w| w.by))
            .chain(asset.disposal.as_ref().and_then(|d| d.by));
        for person in named {
            if !people.contains(&person.to_string()) {
                return Err(StoreError::NotFound("person"));
            }
        }
    }
    Ok(())
}

impl Store {
    pub(super) async fn import_all(
        &self,
        council: CouncilId,
        assets: &[Asset],
        events: &[AuditEvent],
    ) -> Result<usize, AssetStoreError> {
        if assets.iter().any(|a| a.council_id != council)
            || events.iter().any(|e| e.council_id != council)
        {
            return Err(StoreError::Conflict(
                "an imported item or audit event belongs to another council".to_owned(),
            )
            .into());
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        refuse_duplicates(&mut tx, council, assets).await?;
        require_people(&mut tx, council, assets).await?;
        let columns = FIELDS.len() + 4;
        for chunk in assets.chunks(ITEMS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO assets ({}, id, council_id, created_at, updated_at) VALUES {}",
                FIELDS.join(", "),
                values_placeholders(self.engine(), chunk.len(), columns)
            );
            let mut query = sqlx::query(&sql);
            for asset in chunk {
                let registered = asset.registered_at.as_millisecond();
                query = rows::bind_fields(query, asset)?
                    .bind(asset.id.to_string())
                    .bind(asset.council_id.to_string())
                    .bind(registered)
                    .bind(registered);
            }
            query.execute(&mut *tx).await.map_err(db_error)?;
        }
        self.append_all_in(&mut tx, council, events).await?;
        self.commit(tx).await?;
        Ok(assets.len())
    }

    pub(super) async fn whole_register(&self, council: CouncilId) -> StoreResult<Vec<Asset>> {
        let bytes = self.byte_order();
        let sql = format!(
            "SELECT {COLUMNS} FROM assets WHERE council_id = $1 ORDER BY number_key{bytes}, id"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::asset)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::Engine;
    use crate::audit::values_placeholders;

    #[test]
    fn multi_row_placeholders_are_anonymous_on_sqlite_and_numbered_on_postgres() {
        assert_eq!(
            values_placeholders(Engine::Sqlite, 2, 3),
            "(?, ?, ?), (?, ?, ?)"
        );
        assert_eq!(
            values_placeholders(Engine::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
    }
}
