//! Vault items: their details, the people named on them and their sealed secrets.
//!
//! An item's secret fields and versions are read from `vault_secrets`, the one place they are
//! kept; a change is checked to leave that table exactly as the item says (every field it has,
//! at the version it gives), so a sealed value can never be missing or left behind.

use super::{
    AnyQuery, corrupt, insert_notifications_in, mixed_councils, require_people, require_sealed,
};
use crate::incidents::insert_incident_in;
use crate::rows::{council_id, date_text, int, opt_date, opt_int, opt_person_id, opt_text, text};
use crate::{Engine, Store, db_error};
use custodian_core::ids::{CouncilId, PersonId, VaultItemId};
use custodian_core::person::RoleSet;
use custodian_core::ports::{SealedItem, SealedSecret, StoreError, StoreResult, VaultChange};
use custodian_core::time::from_millis;
use custodian_core::vault::{Allowed, Confirmed, ItemKind, SecretField, Tier, VaultItem};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};

/// The columns every change writes, in binding order.
const FIELDS: &[&str] = &[
    "name",
    "kind",
    "address",
    "username",
    "allowed_roles",
    "tier",
    "rotation_days",
    "last_rotated",
    "renewal_due",
    "default_changed_by",
    "default_changed_at",
    "compromised_by",
    "compromised_at",
    "rotation_forced_at",
    "revision",
];

const COLUMNS: &str = "id, council_id, name, kind, address, username, allowed_roles, tier, \
    rotation_days, last_rotated, renewal_due, default_changed_by, default_changed_at, \
    compromised_by, compromised_at, rotation_forced_at, revision, created_at";

/// Shown when a change was made from a page opened before someone else's change.
const OVERTAKEN: &str = "This vault item was changed by someone else after the page was opened. \
    Nothing was saved: reload the page and try again.";

/// A change whose sealed values do not match the item's secret fields: a caller's mistake.
const SECRETS_MISMATCH: &str = "The item's secret fields and the sealed values given for them \
    do not match, so nothing was saved. Try again; if it happens again, report it.";

fn bind_fields<'q>(query: AnyQuery<'q>, item: &VaultItem) -> AnyQuery<'q> {
    query
        .bind(item.name.clone())
        .bind(item.kind.as_str())
        .bind(item.address.clone())
        .bind(item.username.clone())
        .bind(item.allowed.roles.to_storage())
        .bind(item.tier.as_str())
        .bind(item.rotation_days.map(i64::from))
        .bind(item.last_rotated.map(|t| t.as_millisecond()))
        .bind(date_text(item.renewal_due))
        .bind(item.default_changed.map(|c| c.by.to_string()))
        .bind(item.default_changed.map(|c| c.at.as_millisecond()))
        .bind(item.compromised.map(|c| c.by.to_string()))
        .bind(item.compromised.map(|c| c.at.as_millisecond()))
        .bind(item.rotation_forced_at.map(|t| t.as_millisecond()))
        .bind(i64::from(item.revision))
}

/// Someone's confirmation from a pair of columns: both or neither.
pub(super) fn confirmed(row: &AnyRow, by: &str, at: &str) -> StoreResult<Option<Confirmed>> {
    match (opt_person_id(row, by)?, opt_int(row, at)?) {
        (Some(by), Some(at)) => Ok(Some(Confirmed {
            by,
            at: from_millis(at),
        })),
        (None, None) => Ok(None),
        _ => Err(corrupt(by, format!("set without {at}, or the other way"))),
    }
}

/// An item from its row; the people named and the secrets are added from their tables.
fn item(row: &AnyRow) -> StoreResult<VaultItem> {
    Ok(VaultItem {
        id: VaultItemId::parse(&text(row, "id")?).map_err(|e| corrupt("id", e))?,
        council_id: council_id(row, "council_id")?,
        name: text(row, "name")?,
        kind: ItemKind::parse(&text(row, "kind")?).map_err(|e| corrupt("kind", e))?,
        address: opt_text(row, "address")?,
        username: opt_text(row, "username")?,
        allowed: Allowed {
            roles: RoleSet::from_storage(&text(row, "allowed_roles")?)
                .map_err(|e| corrupt("allowed_roles", e))?,
            people: Vec::new(),
        },
        tier: Tier::parse(&text(row, "tier")?).map_err(|e| corrupt("tier", e))?,
        rotation_days: opt_int(row, "rotation_days")?
            .map(|d| u16::try_from(d).map_err(|e| corrupt("rotation_days", e)))
            .transpose()?,
        last_rotated: opt_int(row, "last_rotated")?.map(from_millis),
        renewal_due: opt_date(row, "renewal_due")?,
        default_changed: confirmed(row, "default_changed_by", "default_changed_at")?,
        compromised: confirmed(row, "compromised_by", "compromised_at")?,
        rotation_forced_at: opt_int(row, "rotation_forced_at")?.map(from_millis),
        secrets: BTreeMap::new(),
        created_at: from_millis(int(row, "created_at")?),
        revision: u32::try_from(int(row, "revision")?).map_err(|e| corrupt("revision", e))?,
    })
}

fn item_id(row: &AnyRow, column: &str) -> StoreResult<VaultItemId> {
    VaultItemId::parse(&text(row, column)?).map_err(|e| corrupt(column, e))
}

fn field(row: &AnyRow) -> StoreResult<SecretField> {
    SecretField::parse(&text(row, "field")?).map_err(|e| corrupt("field", e))
}

fn version(row: &AnyRow) -> StoreResult<u32> {
    u32::try_from(int(row, "version")?).map_err(|e| corrupt("version", e))
}

/// The filter and binds for one council's items, or one item of it.
fn filter(council: CouncilId, only: Option<VaultItemId>, id_column: &str) -> (String, Vec<String>) {
    match only {
        Some(id) => (
            format!("council_id = $1 AND {id_column} = $2"),
            vec![council.to_string(), id.to_string()],
        ),
        None => ("council_id = $1".to_owned(), vec![council.to_string()]),
    }
}

async fn fetch(conn: &mut AnyConnection, sql: &str, binds: &[String]) -> StoreResult<Vec<AnyRow>> {
    let mut query = sqlx::query(sql);
    for value in binds {
        query = query.bind(value.clone());
    }
    query.fetch_all(&mut *conn).await.map_err(db_error)
}

/// The item's secret fields and versions as stored, inside the caller's transaction.
async fn stored_versions(
    conn: &mut AnyConnection,
    item: &VaultItem,
) -> StoreResult<BTreeMap<SecretField, u32>> {
    let rows = fetch(
        conn,
        "SELECT field, version FROM vault_secrets WHERE item_id = $1 AND council_id = $2",
        &[item.id.to_string(), item.council_id.to_string()],
    )
    .await?;
    rows.iter()
        .map(|row| Ok((field(row)?, version(row)?)))
        .collect()
}

/// Every sealed value given is for a field the item has, at the version the item gives it.
fn check_sealed(item: &VaultItem, sealed: &[SealedSecret]) -> StoreResult<()> {
    let mut seen = Vec::new();
    for secret in sealed {
        require_sealed(&secret.sealed, "secret")?;
        if item.secrets.get(&secret.field) != Some(&secret.version) || seen.contains(&secret.field)
        {
            return Err(StoreError::Conflict(SECRETS_MISMATCH.to_owned()));
        }
        seen.push(secret.field);
    }
    Ok(())
}

/// Writes the people named on the item and its sealed secrets, then checks the stored
/// secrets are exactly the item's fields at its versions.
async fn write_parts(
    conn: &mut AnyConnection,
    item: &VaultItem,
    sealed: &[SealedSecret],
) -> StoreResult<()> {
    let council = item.council_id.to_string();
    let id = item.id.to_string();
    sqlx::query("DELETE FROM vault_item_people WHERE item_id = $1 AND council_id = $2")
        .bind(&id)
        .bind(&council)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    let mut people = item.allowed.people.clone();
    people.sort();
    people.dedup();
    for person in people {
        sqlx::query(
            "INSERT INTO vault_item_people (council_id, item_id, person_id) VALUES ($1, $2, $3)",
        )
        .bind(&council)
        .bind(&id)
        .bind(person.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    for (field, _) in stored_versions(conn, item).await? {
        if !item.secrets.contains_key(&field) {
            sqlx::query(
                "DELETE FROM vault_secrets WHERE item_id = $1 AND council_id = $2 AND field = $3",
            )
            .bind(&id)
            .bind(&council)
            .bind(field.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        }
    }
    for secret in sealed {
        sqlx::query(
            "INSERT INTO vault_secrets (council_id, item_id, field, version, sealed) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (item_id, field) DO UPDATE SET version = excluded.version, \
             sealed = excluded.sealed",
        )
        .bind(&council)
        .bind(&id)
        .bind(secret.field.as_str())
        .bind(i64::from(secret.version))
        .bind(secret.sealed.clone())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    if stored_versions(conn, item).await? != item.secrets {
        return Err(StoreError::Conflict(SECRETS_MISMATCH.to_owned()));
    }
    Ok(())
}

/// The people the item names (on it and in its confirmations), all of which must be of its
/// council.
fn people_named(item: &VaultItem) -> Vec<PersonId> {
    let mut people = item.allowed.people.clone();
    people.extend(item.default_changed.map(|c| c.by));
    people.extend(item.compromised.map(|c| c.by));
    people
}

/// Everything in the change belongs to `council`.
fn check_councils(council: CouncilId, change: &VaultChange<'_>) -> StoreResult<()> {
    if change.incident.is_some_and(|i| i.council_id != council)
        || change.events.iter().any(|e| e.council_id != council)
        || change.notifications.iter().any(|n| n.council_id != council)
    {
        return Err(mixed_councils());
    }
    Ok(())
}

impl Store {
    /// The incident, notifications and audit entries of a change, in its transaction.
    async fn write_rest(
        &self,
        conn: &mut AnyConnection,
        council: CouncilId,
        change: &VaultChange<'_>,
    ) -> StoreResult<()> {
        if let Some(incident) = change.incident {
            insert_incident_in(conn, incident).await?;
        }
        insert_notifications_in(conn, council, change.notifications).await?;
        self.append_all_in(conn, council, change.events).await
    }

    pub(super) async fn insert_item(
        &self,
        wrapped_key: &str,
        change: &VaultChange<'_>,
    ) -> StoreResult<()> {
        let item = change.item.ok_or_else(|| {
            StoreError::Conflict("a new vault item must come with the item itself".to_owned())
        })?;
        let council = item.council_id;
        check_councils(council, change)?;
        check_sealed(item, change.sealed)?;
        require_sealed(wrapped_key, "item's key")?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_vault_settings(&mut tx, false).await?;
        self.lock_council(&mut tx, council).await?;
        require_people(&mut tx, council, people_named(item)).await?;
        let n = FIELDS.len();
        let placeholders: Vec<String> = (1..=n + 5).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO vault_items ({}, id, council_id, wrapped_key, created_at, updated_at) \
             VALUES ({})",
            FIELDS.join(", "),
            placeholders.join(", ")
        );
        let created = item.created_at.as_millisecond();
        bind_fields(sqlx::query(&sql), item)
            .bind(item.id.to_string())
            .bind(council.to_string())
            .bind(wrapped_key.to_owned())
            .bind(created)
            .bind(
                change
                    .events
                    .first()
                    .map_or(created, |e| e.at.as_millisecond()),
            )
            .execute(&mut *tx)
            .await
            .map_err(|e| match db_error(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict("This vault item has already been saved.".to_owned())
                }
                other => other,
            })?;
        write_parts(&mut tx, item, change.sealed).await?;
        self.write_rest(&mut tx, council, change).await?;
        self.commit(tx).await
    }

    pub(super) async fn change_items(
        &self,
        council: CouncilId,
        change: &VaultChange<'_>,
    ) -> StoreResult<()> {
        if let Some(item) = change.item
            && item.council_id != council
        {
            return Err(StoreError::NotFound("vault item"));
        }
        check_councils(council, change)?;
        match change.item {
            Some(item) => check_sealed(item, change.sealed)?,
            None if !change.sealed.is_empty() => {
                return Err(StoreError::Conflict(SECRETS_MISMATCH.to_owned()));
            }
            None => {}
        }
        // Only audit entries (a reveal's record): share the durable commit with anyone else
        // recording at the same moment (`group_commit`).
        if change.item.is_none() && change.incident.is_none() && change.notifications.is_empty() {
            return self.append_durably(council, change.events).await;
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        if let Some(item) = change.item {
            let at = change
                .events
                .first()
                .map_or_else(jiff::Timestamp::now, |e| e.at);
            self.write_item(&mut tx, item, at.as_millisecond()).await?;
            write_parts(&mut tx, item, change.sealed).await?;
        }
        self.write_rest(&mut tx, council, change).await?;
        self.commit(tx).await
    }

    /// Writes `item` over the revision before it; another council's item is `NotFound`, an
    /// overtaken one `Conflict`.
    async fn write_item(
        &self,
        conn: &mut AnyConnection,
        item: &VaultItem,
        at: i64,
    ) -> StoreResult<()> {
        let council = item.council_id.to_string();
        let id = item.id.to_string();
        let exists = sqlx::query("SELECT id FROM vault_items WHERE id = $1 AND council_id = $2")
            .bind(&id)
            .bind(&council)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?;
        if exists.is_none() {
            return Err(StoreError::NotFound("vault item"));
        }
        require_people(conn, item.council_id, people_named(item)).await?;
        let previous = item
            .revision
            .checked_sub(1)
            .ok_or_else(|| StoreError::Conflict(OVERTAKEN.to_owned()))?;
        let n = FIELDS.len();
        let set: Vec<String> = FIELDS
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{f} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE vault_items SET {}, updated_at = ${} \
             WHERE id = ${} AND council_id = ${} AND revision = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3,
            n + 4
        );
        let done = bind_fields(sqlx::query(&sql), item)
            .bind(at)
            .bind(id)
            .bind(council)
            .bind(i64::from(previous))
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(OVERTAKEN.to_owned()));
        }
        Ok(())
    }

    /// One council's items (or one of them), by name, with the people named and the secrets'
    /// versions, read in one transaction so the three parts agree.
    pub(super) async fn select_items(
        &self,
        council: CouncilId,
        only: Option<VaultItemId>,
    ) -> StoreResult<Vec<VaultItem>> {
        let mut tx = self.read.begin().await.map_err(db_error)?;
        if self.engine == Engine::Postgres {
            // One snapshot for all three reads (the default gives each statement its own).
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        let (items_filter, binds) = filter(council, only, "id");
        let rows = fetch(
            &mut tx,
            &format!("SELECT {COLUMNS} FROM vault_items WHERE {items_filter}"),
            &binds,
        )
        .await?;
        let mut items: Vec<VaultItem> = rows.iter().map(item).collect::<StoreResult<_>>()?;
        if items.is_empty() {
            return Ok(items);
        }
        let (parts_filter, binds) = filter(council, only, "item_id");
        let mut people: HashMap<VaultItemId, Vec<PersonId>> = HashMap::new();
        let rows = fetch(
            &mut tx,
            &format!("SELECT item_id, person_id FROM vault_item_people WHERE {parts_filter}"),
            &binds,
        )
        .await?;
        for row in &rows {
            let person =
                opt_person_id(row, "person_id")?.ok_or_else(|| corrupt("person_id", "missing"))?;
            people
                .entry(item_id(row, "item_id")?)
                .or_default()
                .push(person);
        }
        let mut secrets: HashMap<VaultItemId, BTreeMap<SecretField, u32>> = HashMap::new();
        let rows = fetch(
            &mut tx,
            &format!("SELECT item_id, field, version FROM vault_secrets WHERE {parts_filter}"),
            &binds,
        )
        .await?;
        for row in &rows {
            secrets
                .entry(item_id(row, "item_id")?)
                .or_default()
                .insert(field(row)?, version(row)?);
        }
        tx.commit().await.map_err(db_error)?;
        for item in &mut items {
            let mut named = people.remove(&item.id).unwrap_or_default();
            named.sort();
            item.allowed.people = named;
            item.secrets = secrets.remove(&item.id).unwrap_or_default();
        }
        // Sorted here rather than in SQL because the engines' collations order punctuation
        // differently.
        items.sort_by_cached_key(|i| (i.name.to_lowercase(), i.id));
        Ok(items)
    }

    pub(super) async fn select_sealed(
        &self,
        council: CouncilId,
        id: VaultItemId,
    ) -> StoreResult<SealedItem> {
        let mut tx = self.read.begin().await.map_err(db_error)?;
        if self.engine == Engine::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        let binds = [id.to_string(), council.to_string()];
        let row = fetch(
            &mut tx,
            "SELECT wrapped_key FROM vault_items WHERE id = $1 AND council_id = $2",
            &binds,
        )
        .await?
        .pop()
        .ok_or(StoreError::NotFound("vault item"))?;
        let wrapped_key = text(&row, "wrapped_key")?;
        let rows = fetch(
            &mut tx,
            "SELECT field, version, sealed FROM vault_secrets \
             WHERE item_id = $1 AND council_id = $2 ORDER BY field",
            &binds,
        )
        .await?;
        tx.commit().await.map_err(db_error)?;
        let mut secrets = rows
            .iter()
            .map(|row| {
                Ok(SealedSecret {
                    field: field(row)?,
                    version: version(row)?,
                    sealed: text(row, "sealed")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        secrets.sort_by_key(|s| s.field);
        Ok(SealedItem {
            wrapped_key,
            secrets,
        })
    }
}
