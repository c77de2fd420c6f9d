//! Calendar feeds: one live secret URL per person, stored as the SHA-256 of its token. Making a
//! new feed revokes the old one in the same transaction, with its audit entry.

use crate::rows;
use crate::scope::require_people;
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::AssetId;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::ports::{
    ApprovalStore, AssetStore, CalendarFeed, CalendarFeedStore, DeviceStore, HealthStore,
    IncidentStore, LeaverStore, PersonStore, PolicyStore, ReminderStore, StoreError, StoreResult,
    VaultStore,
};
use custodian_core::reminder::{Records, WarrantyEnd};
use jiff::Timestamp;
use sqlx::any::AnyRow;

const COLUMNS: &str = "token_hash, council_id, person_id, created_at, revoked_at";

fn feed_of(row: &AnyRow) -> StoreResult<CalendarFeed> {
    Ok(CalendarFeed {
        token_hash: rows::text(row, "token_hash")?,
        council_id: rows::council_id(row, "council_id")?,
        person_id: rows::person_id(row, "person_id")?,
        created_at: rows::time(row, "created_at")?,
        revoked_at: rows::opt_time(row, "revoked_at")?,
    })
}

impl CalendarFeedStore for Store {
    async fn replace_calendar_feed(
        &self,
        feed: &CalendarFeed,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        if event.council_id != feed.council_id || feed.revoked_at.is_some() {
            return Err(StoreError::Conflict(
                "a new calendar feed must be live and audited in its own council".to_owned(),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        require_people(&mut tx, feed.council_id, [feed.person_id]).await?;
        sqlx::query(
            "UPDATE calendar_feeds SET revoked_at = $1
             WHERE council_id = $2 AND person_id = $3 AND revoked_at IS NULL",
        )
        .bind(feed.created_at.as_millisecond())
        .bind(feed.council_id.to_string())
        .bind(feed.person_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO calendar_feeds (token_hash, council_id, person_id, created_at, revoked_at)
             VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(&feed.token_hash)
        .bind(feed.council_id.to_string())
        .bind(feed.person_id.to_string())
        .bind(feed.created_at.as_millisecond())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn revoke_calendar_feed(
        &self,
        council: CouncilId,
        person: PersonId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        if event.council_id != council {
            return Err(StoreError::Conflict(
                "the audit entry is not in this council".to_owned(),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query(
            "UPDATE calendar_feeds SET revoked_at = $1
             WHERE council_id = $2 AND person_id = $3 AND revoked_at IS NULL",
        )
        .bind(at.as_millisecond())
        .bind(council.to_string())
        .bind(person.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("calendar feed"));
        }
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn calendar_feed_of(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> StoreResult<Option<CalendarFeed>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM calendar_feeds
             WHERE council_id = $1 AND person_id = $2 AND revoked_at IS NULL"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .bind(person.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(feed_of)
            .transpose()
    }

    async fn live_calendar_feed(&self, token_hash: &str) -> StoreResult<Option<CalendarFeed>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL"
        );
        sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(feed_of)
            .transpose()
    }
}

impl ReminderStore for Store {
    /// Seven bulk reads run together (SQLite's read pool and PostgreSQL's pool serve them side
    /// by side). The whole register is the costliest read, so it is read only when a leaving
    /// checklist is open (its items are read against it); otherwise only the warranty dates.
    async fn reminder_records(&self, council: CouncilId) -> StoreResult<Records> {
        let (people, in_force, unsigned, devices, vault_items, warranties, incidents, leavers) = tokio::try_join!(
            self.people(council),
            self.in_force(council),
            self.unsigned_people(council),
            self.devices(council),
            self.vault_items(council),
            self.warranty_ends(council),
            self.open_breaches(council),
            self.leaver_checklists(council),
        )?;
        let (approvals, health) =
            tokio::try_join!(self.open_approvals(council), self.health_records(council))?;
        let assets = if leavers.iter().any(|c| c.closed_at.is_none()) {
            self.all_assets(council).await?
        } else {
            Vec::new()
        };
        Ok(Records {
            people,
            in_force,
            unsigned,
            devices,
            vault_items,
            warranties,
            assets,
            incidents,
            leaver_checklists: leavers,
            approvals,
            health,
        })
    }
}

impl Store {
    /// The council's register items in use (in store or issued) with a warranty date: five
    /// columns, not the whole row.
    async fn warranty_ends(&self, council: CouncilId) -> StoreResult<Vec<WarrantyEnd>> {
        sqlx::query(
            "SELECT id, number, make, model, warranty_ends FROM assets
             WHERE council_id = $1 AND warranty_ends IS NOT NULL
               AND status IN ('in_store', 'issued')",
        )
        .bind(council.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?
        .iter()
        .map(|row| {
            let id = rows::text(row, "id")?;
            Ok(WarrantyEnd {
                asset: AssetId::parse(&id)
                    .map_err(|e| StoreError::Corrupt(format!("assets.id {id}: {e}")))?,
                number: rows::text(row, "number")?,
                make: rows::text(row, "make")?,
                model: rows::text(row, "model")?,
                ends: rows::opt_date(row, "warranty_ends")?
                    .ok_or_else(|| StoreError::Corrupt("assets.warranty_ends".to_owned()))?,
            })
        })
        .collect()
    }
}
