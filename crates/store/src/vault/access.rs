//! Time-limited access requests and emergency openings: stored with their notifications and
//! audit entry in one transaction, each change written only over the revision before it.

use super::items::confirmed;
use super::{AnyQuery, corrupt, insert_notifications_in, mixed_councils, require_people};
use crate::rows::{council_id, int, opt_int, opt_person_id, opt_text, person_id, text};
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{AccessGrantId, CouncilId, EmergencyId, PersonId, VaultItemId};
use custodian_core::ports::{Notification, StoreError, StoreResult};
use custodian_core::time::from_millis;
use custodian_core::vault::{AccessGrant, EmergencyAccess, GrantDecision, Objection};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::HashMap;

const GRANT_FIELDS: &[&str] = &[
    "decision",
    "decided_by",
    "decided_at",
    "until_at",
    "decline_reason",
    "revision",
];

const GRANT_COLUMNS: &str = "id, council_id, requester, reason, hours, requested_at, decision, \
    decided_by, decided_at, until_at, decline_reason, revision";

const EMERGENCY_FIELDS: &[&str] = &[
    "objected_by",
    "objected_at",
    "objection_reason",
    "approved_by",
    "approved_at",
    "closed_by",
    "closed_at",
    "revision",
];

const EMERGENCY_COLUMNS: &str = "id, council_id, opened_by, reason, opened_at, wait_hours, \
    objected_by, objected_at, objection_reason, approved_by, approved_at, closed_by, closed_at, \
    revision";

const GRANT_OVERTAKEN: &str = "This request for access was decided or changed by someone else \
    after the page was opened. Nothing was saved: reload the page to see where it stands.";

const EMERGENCY_OVERTAKEN: &str = "This emergency access was changed by someone else after the \
    page was opened. Nothing was saved: reload the page to see where it stands.";

fn bind_grant<'q>(query: AnyQuery<'q>, grant: &AccessGrant) -> AnyQuery<'q> {
    let (by, at, until, reason) = match &grant.decision {
        GrantDecision::Pending => (None, None, None, None),
        GrantDecision::Approved { by, at, until } => (Some(*by), Some(*at), Some(*until), None),
        GrantDecision::Declined { by, at, reason } => {
            (Some(*by), Some(*at), None, Some(reason.clone()))
        }
        GrantDecision::Ended { by, at } => (Some(*by), Some(*at), None, None),
    };
    query
        .bind(grant.decision.as_str())
        .bind(by.map(|p| p.to_string()))
        .bind(at.map(|t| t.as_millisecond()))
        .bind(until.map(|t| t.as_millisecond()))
        .bind(reason)
        .bind(i64::from(grant.revision))
}

fn grant(row: &AnyRow) -> StoreResult<AccessGrant> {
    let decided = match (
        opt_person_id(row, "decided_by")?,
        opt_int(row, "decided_at")?,
    ) {
        (Some(by), Some(at)) => Some((by, from_millis(at))),
        _ => None,
    };
    let until = opt_int(row, "until_at")?.map(from_millis);
    let decision = match (text(row, "decision")?.as_str(), decided, until) {
        ("pending", None, None) => GrantDecision::Pending,
        ("approved", Some((by, at)), Some(until)) => GrantDecision::Approved { by, at, until },
        ("declined", Some((by, at)), None) => GrantDecision::Declined {
            by,
            at,
            reason: opt_text(row, "decline_reason")?.unwrap_or_default(),
        },
        ("ended", Some((by, at)), None) => GrantDecision::Ended { by, at },
        (other, _, _) => {
            return Err(corrupt(
                "decision",
                format!("{other:?} with missing or extra details"),
            ));
        }
    };
    Ok(AccessGrant {
        id: AccessGrantId::parse(&text(row, "id")?).map_err(|e| corrupt("id", e))?,
        council_id: council_id(row, "council_id")?,
        requester: person_id(row, "requester")?,
        items: Vec::new(),
        reason: text(row, "reason")?,
        hours: u8::try_from(int(row, "hours")?).map_err(|e| corrupt("hours", e))?,
        requested_at: from_millis(int(row, "requested_at")?),
        decision,
        revision: u32::try_from(int(row, "revision")?).map_err(|e| corrupt("revision", e))?,
    })
}

fn bind_emergency<'q>(query: AnyQuery<'q>, emergency: &EmergencyAccess) -> AnyQuery<'q> {
    let objection = emergency.objection.as_ref();
    query
        .bind(objection.map(|o| o.by.to_string()))
        .bind(objection.map(|o| o.at.as_millisecond()))
        .bind(objection.map(|o| o.reason.clone()))
        .bind(emergency.approval.map(|c| c.by.to_string()))
        .bind(emergency.approval.map(|c| c.at.as_millisecond()))
        .bind(emergency.closed.map(|c| c.by.to_string()))
        .bind(emergency.closed.map(|c| c.at.as_millisecond()))
        .bind(i64::from(emergency.revision))
}

fn emergency(row: &AnyRow) -> StoreResult<EmergencyAccess> {
    let objection = match (
        opt_person_id(row, "objected_by")?,
        opt_int(row, "objected_at")?,
        opt_text(row, "objection_reason")?,
    ) {
        (Some(by), Some(at), Some(reason)) => Some(Objection {
            by,
            at: from_millis(at),
            reason,
        }),
        (None, None, None) => None,
        _ => return Err(corrupt("objected_by", "objection details incomplete")),
    };
    Ok(EmergencyAccess {
        id: EmergencyId::parse(&text(row, "id")?).map_err(|e| corrupt("id", e))?,
        council_id: council_id(row, "council_id")?,
        opened_by: person_id(row, "opened_by")?,
        reason: text(row, "reason")?,
        opened_at: from_millis(int(row, "opened_at")?),
        wait_hours: u16::try_from(int(row, "wait_hours")?).map_err(|e| corrupt("wait_hours", e))?,
        objection,
        approval: confirmed(row, "approved_by", "approved_at")?,
        closed: confirmed(row, "closed_by", "closed_at")?,
        revision: u32::try_from(int(row, "revision")?).map_err(|e| corrupt("revision", e))?,
    })
}

fn grant_people(grant: &AccessGrant) -> Vec<PersonId> {
    let mut people = vec![grant.requester];
    match &grant.decision {
        GrantDecision::Pending => {}
        GrantDecision::Approved { by, .. }
        | GrantDecision::Declined { by, .. }
        | GrantDecision::Ended { by, .. } => people.push(*by),
    }
    people
}

fn emergency_people(emergency: &EmergencyAccess) -> Vec<PersonId> {
    let mut people = vec![emergency.opened_by];
    people.extend(emergency.objection.as_ref().map(|o| o.by));
    people.extend(emergency.approval.map(|c| c.by));
    people.extend(emergency.closed.map(|c| c.by));
    people
}

/// Every item a request names is of its council.
async fn require_items(
    conn: &mut AnyConnection,
    council: CouncilId,
    items: &[VaultItemId],
) -> StoreResult<()> {
    for item in items {
        sqlx::query("SELECT id FROM vault_items WHERE id = $1 AND council_id = $2")
            .bind(item.to_string())
            .bind(council.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("vault item"))?;
    }
    Ok(())
}

/// `INSERT INTO table (fields..., extra...) VALUES ($1...)`.
fn insert_sql(table: &str, fields: &[&str], extra: &[&str]) -> String {
    let columns: Vec<&str> = fields.iter().chain(extra).copied().collect();
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        placeholders.join(", ")
    )
}

/// `UPDATE table SET fields..., updated_at WHERE id AND council_id AND revision`.
fn update_sql(table: &str, fields: &[&str]) -> String {
    let n = fields.len();
    let set: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{f} = ${}", i + 1))
        .collect();
    format!(
        "UPDATE {table} SET {}, updated_at = ${} WHERE id = ${} AND council_id = ${} \
         AND revision = ${}",
        set.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4
    )
}

/// After an update touched no row: `NotFound` if the record is not the council's, else the
/// change was overtaken.
async fn not_found_or_overtaken(
    conn: &mut AnyConnection,
    table: &str,
    id: String,
    council: CouncilId,
    what: &'static str,
    overtaken: &str,
) -> StoreError {
    let found = sqlx::query(&format!(
        "SELECT id FROM {table} WHERE id = $1 AND council_id = $2"
    ))
    .bind(id)
    .bind(council.to_string())
    .fetch_optional(&mut *conn)
    .await;
    match found {
        Ok(Some(_)) => StoreError::Conflict(overtaken.to_owned()),
        Ok(None) => StoreError::NotFound(what),
        Err(e) => db_error(e),
    }
}

fn check_councils(
    council: CouncilId,
    notifications: &[Notification],
    event: &AuditEvent,
) -> StoreResult<()> {
    if event.council_id != council || notifications.iter().any(|n| n.council_id != council) {
        return Err(mixed_councils());
    }
    Ok(())
}

impl Store {
    pub(super) async fn write_grant(
        &self,
        grant: &AccessGrant,
        notifications: &[Notification],
        event: &AuditEvent,
        new: bool,
    ) -> StoreResult<()> {
        let council = grant.council_id;
        check_councils(council, notifications, event)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        require_people(&mut tx, council, grant_people(grant)).await?;
        let at = event.at.as_millisecond();
        if new {
            require_items(&mut tx, council, &grant.items).await?;
            let sql = insert_sql(
                "vault_grants",
                GRANT_FIELDS,
                &[
                    "id",
                    "council_id",
                    "requester",
                    "reason",
                    "hours",
                    "requested_at",
                    "updated_at",
                ],
            );
            bind_grant(sqlx::query(&sql), grant)
                .bind(grant.id.to_string())
                .bind(council.to_string())
                .bind(grant.requester.to_string())
                .bind(grant.reason.clone())
                .bind(i64::from(grant.hours))
                .bind(grant.requested_at.as_millisecond())
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let mut items = grant.items.clone();
            items.sort();
            items.dedup();
            for item in items {
                sqlx::query(
                    "INSERT INTO vault_grant_items (council_id, grant_id, item_id) \
                     VALUES ($1, $2, $3)",
                )
                .bind(council.to_string())
                .bind(grant.id.to_string())
                .bind(item.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
        } else {
            let previous = grant
                .revision
                .checked_sub(1)
                .ok_or_else(|| StoreError::Conflict(GRANT_OVERTAKEN.to_owned()))?;
            let done = bind_grant(
                sqlx::query(&update_sql("vault_grants", GRANT_FIELDS)),
                grant,
            )
            .bind(at)
            .bind(grant.id.to_string())
            .bind(council.to_string())
            .bind(i64::from(previous))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(not_found_or_overtaken(
                    &mut tx,
                    "vault_grants",
                    grant.id.to_string(),
                    council,
                    "access request",
                    GRANT_OVERTAKEN,
                )
                .await);
            }
        }
        insert_notifications_in(&mut tx, council, notifications).await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    pub(super) async fn select_grants(&self, council: CouncilId) -> StoreResult<Vec<AccessGrant>> {
        let mut tx = self.read.begin().await.map_err(db_error)?;
        let rows = sqlx::query(&format!(
            "SELECT {GRANT_COLUMNS} FROM vault_grants WHERE council_id = $1 \
             ORDER BY requested_at DESC, id DESC"
        ))
        .bind(council.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        let mut grants: Vec<AccessGrant> = rows.iter().map(grant).collect::<StoreResult<_>>()?;
        let rows =
            sqlx::query("SELECT grant_id, item_id FROM vault_grant_items WHERE council_id = $1")
                .bind(council.to_string())
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        let mut items: HashMap<AccessGrantId, Vec<VaultItemId>> = HashMap::new();
        for row in &rows {
            let grant = AccessGrantId::parse(&text(row, "grant_id")?)
                .map_err(|e| corrupt("grant_id", e))?;
            let item =
                VaultItemId::parse(&text(row, "item_id")?).map_err(|e| corrupt("item_id", e))?;
            items.entry(grant).or_default().push(item);
        }
        for grant in &mut grants {
            let mut named = items.remove(&grant.id).unwrap_or_default();
            named.sort();
            grant.items = named;
        }
        Ok(grants)
    }

    pub(super) async fn write_emergency(
        &self,
        emergency: &EmergencyAccess,
        notifications: &[Notification],
        event: &AuditEvent,
        new: bool,
    ) -> StoreResult<()> {
        let council = emergency.council_id;
        check_councils(council, notifications, event)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        require_people(&mut tx, council, emergency_people(emergency)).await?;
        let at = event.at.as_millisecond();
        if new {
            let sql = insert_sql(
                "vault_emergencies",
                EMERGENCY_FIELDS,
                &[
                    "id",
                    "council_id",
                    "opened_by",
                    "reason",
                    "opened_at",
                    "wait_hours",
                    "updated_at",
                ],
            );
            bind_emergency(sqlx::query(&sql), emergency)
                .bind(emergency.id.to_string())
                .bind(council.to_string())
                .bind(emergency.opened_by.to_string())
                .bind(emergency.reason.clone())
                .bind(emergency.opened_at.as_millisecond())
                .bind(i64::from(emergency.wait_hours))
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        } else {
            let previous = emergency
                .revision
                .checked_sub(1)
                .ok_or_else(|| StoreError::Conflict(EMERGENCY_OVERTAKEN.to_owned()))?;
            let sql = update_sql("vault_emergencies", EMERGENCY_FIELDS);
            let done = bind_emergency(sqlx::query(&sql), emergency)
                .bind(at)
                .bind(emergency.id.to_string())
                .bind(council.to_string())
                .bind(i64::from(previous))
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(not_found_or_overtaken(
                    &mut tx,
                    "vault_emergencies",
                    emergency.id.to_string(),
                    council,
                    "emergency access",
                    EMERGENCY_OVERTAKEN,
                )
                .await);
            }
        }
        insert_notifications_in(&mut tx, council, notifications).await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    pub(super) async fn select_emergencies(
        &self,
        council: CouncilId,
    ) -> StoreResult<Vec<EmergencyAccess>> {
        sqlx::query(&format!(
            "SELECT {EMERGENCY_COLUMNS} FROM vault_emergencies WHERE council_id = $1 \
             ORDER BY opened_at DESC, id DESC"
        ))
        .bind(council.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?
        .iter()
        .map(emergency)
        .collect()
    }
}
