//! Attribution (issue 7, item 2): which person a proxy user name or client address meant on a
//! given day, through the council's identities (directly, or through a device in the register
//! and its user), and correcting it afterwards.

use super::day_tables::{self, DayTables, Lock, day_text, parse_day};
use super::{key_parts, lock_council, same_council};
use crate::{Store, db_error, rows, scope};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{CouncilId, DeviceId, MonitorIdentityId, PersonId};
use custodian_core::ports::{
    IdentityKind, IdentityTarget, MonitorIdentity, Reattributed, StoreError, StoreResult, fold_key,
};
use custodian_monitor::{LocalDay, SubjectKey};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// One identity as attribution uses it: its days and whom it means.
struct Rule {
    from: LocalDay,
    to: Option<LocalDay>,
    /// `None` when it names a device nobody uses: its traffic stays unattributed.
    person: Option<PersonId>,
}

/// The council's identities, loaded once per change, by kind and lower-case value.
pub(super) struct Resolver {
    users: HashMap<String, Vec<Rule>>,
    addresses: HashMap<String, Vec<Rule>>,
}

impl Resolver {
    pub(super) async fn load(conn: &mut AnyConnection, council: CouncilId) -> StoreResult<Self> {
        // Oldest first, so the last rule covering a day is the newest (an address given to
        // another laptop from 1 December overrides the older rule from that day on).
        let found = sqlx::query(
            "SELECT i.kind, i.value, i.person_id, d.user_id AS device_user, i.device_id, \
                    i.valid_from, i.valid_to \
             FROM monitor_identities i \
             LEFT JOIN devices d ON d.council_id = i.council_id AND d.id = i.device_id \
             WHERE i.council_id = $1 ORDER BY i.valid_from, i.created_at, i.id",
        )
        .bind(council.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
        let mut resolver = Resolver {
            users: HashMap::new(),
            addresses: HashMap::new(),
        };
        for row in &found {
            let person = match rows::opt_person_id(row, "person_id")? {
                Some(person) => Some(person),
                None => rows::opt_person_id(row, "device_user")?,
            };
            let rule = Rule {
                from: day_tables::day(row, "valid_from")?,
                to: day_tables::opt_day(row, "valid_to")?,
                person,
            };
            let map = match identity_kind(row)? {
                IdentityKind::User => &mut resolver.users,
                IdentityKind::Address => &mut resolver.addresses,
            };
            map.entry(rows::text(row, "value")?).or_default().push(rule);
        }
        Ok(resolver)
    }

    /// The person `key` meant on `day`, if any identity covers it.
    pub(super) fn resolve(&self, key: &SubjectKey, day: LocalDay) -> Option<PersonId> {
        let (map, text) = match key {
            SubjectKey::User(text) => (&self.users, text),
            SubjectKey::Client(text) => (&self.addresses, text),
        };
        let rules = if text.bytes().any(|b| b.is_ascii_uppercase()) {
            map.get(&fold_key(text))
        } else {
            map.get(text.as_str())
        }?;
        rules
            .iter()
            .rev()
            .find(|rule| rule.from <= day && rule.to.is_none_or(|to| day <= to))
            .and_then(|rule| rule.person)
    }
}

fn identity_kind(row: &sqlx::any::AnyRow) -> StoreResult<IdentityKind> {
    let kind = rows::text(row, "kind")?;
    IdentityKind::parse(&kind)
        .ok_or_else(|| StoreError::Corrupt(format!("column kind: unknown kind {kind:?}")))
}

pub(super) async fn add_identity<F>(
    store: &Store,
    identity: &MonitorIdentity,
    audit: F,
) -> StoreResult<Reattributed>
where
    F: FnOnce(&Reattributed) -> AuditEvent + Send,
{
    let council = identity.council_id;
    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    let (person, device) = match identity.target {
        IdentityTarget::Person(person) => {
            scope::require_people(&mut tx, council, [person]).await?;
            (Some(person.to_string()), None)
        }
        IdentityTarget::Device(device) => {
            sqlx::query("SELECT id FROM devices WHERE id = $1 AND council_id = $2")
                .bind(device.to_string())
                .bind(council.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?
                .ok_or(StoreError::NotFound("device"))?;
            (None, Some(device.to_string()))
        }
    };
    sqlx::query(
        "INSERT INTO monitor_identities (id, council_id, kind, value, person_id, device_id, \
         valid_from, valid_to, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(identity.id.to_string())
    .bind(council.to_string())
    .bind(identity.kind.as_str())
    .bind(identity.value())
    .bind(person)
    .bind(device)
    .bind(day_text(identity.valid_from)?)
    .bind(identity.valid_to.map(day_text).transpose()?)
    .bind(identity.created_at.as_millisecond())
    .bind(identity.created_by.to_storage())
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;

    // Records already stored for this key on the days it covers now belong to whoever the
    // identities (this one included) say.
    let report = reresolve(
        store,
        &mut tx,
        council,
        identity.kind,
        identity.value(),
        identity.valid_from,
        identity.valid_to,
    )
    .await?;
    let event = audit(&report);
    same_council(&event, council)?;
    store.append_in(&mut tx, &event).await?;
    store.commit(tx).await?;
    Ok(report)
}

/// Gives the records of every spelling of `value` (as `kind`) on the stored days from `from`
/// to `to` (open-ended with `None`) to whoever the council's identities now say.
async fn reresolve(
    store: &Store,
    conn: &mut AnyConnection,
    council: CouncilId,
    kind: IdentityKind,
    value: &str,
    from: LocalDay,
    to: Option<LocalDay>,
) -> StoreResult<Reattributed> {
    let resolver = Resolver::load(conn, council).await?;
    let days =
        day_tables::registered(conn, store.engine, council, Some(from), to, Lock::Update).await?;
    let stored_kind = match kind {
        IdentityKind::User => "user",
        IdentityKind::Address => "client",
    };
    let mut report = Reattributed::default();
    for registered in days {
        let tables = DayTables::of(council, registered.day)?;
        let spellings = sqlx::query(&format!(
            "SELECT DISTINCT subject FROM {} WHERE subject_kind = $1",
            tables.records
        ))
        .bind(stored_kind)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
        let mut changed = (0, 0);
        for row in &spellings {
            let subject = rows::text(row, "subject")?;
            if !subject.eq_ignore_ascii_case(value) {
                continue;
            }
            let key = match kind {
                IdentityKind::User => SubjectKey::User(subject),
                IdentityKind::Address => SubjectKey::Client(subject),
            };
            let person = resolver.resolve(&key, registered.day);
            let done = set_person(conn, &tables, &key, person).await?;
            changed.0 += done.0;
            changed.1 += done.1;
        }
        add_day(&mut report, changed);
    }
    Ok(report)
}

pub(super) async fn end_identity<F>(
    store: &Store,
    council: CouncilId,
    id: MonitorIdentityId,
    last_day: LocalDay,
    audit: F,
) -> StoreResult<Reattributed>
where
    F: FnOnce(&Reattributed) -> AuditEvent + Send,
{
    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    let row = sqlx::query(
        "SELECT kind, value, valid_from, valid_to FROM monitor_identities \
         WHERE id = $1 AND council_id = $2",
    )
    .bind(id.to_string())
    .bind(council.to_string())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_error)?
    .ok_or(StoreError::NotFound("identity"))?;
    let kind = identity_kind(&row)?;
    let value = rows::text(&row, "value")?;
    let valid_from = day_tables::day(&row, "valid_from")?;
    let old_to = day_tables::opt_day(&row, "valid_to")?;
    if last_day < valid_from {
        return Err(StoreError::Conflict(format!(
            "this rule starts on {}, so it cannot end before that day",
            valid_from.date().strftime("%-d %B %Y")
        )));
    }
    sqlx::query("UPDATE monitor_identities SET valid_to = $1 WHERE id = $2 AND council_id = $3")
        .bind(day_text(last_day)?)
        .bind(id.to_string())
        .bind(council.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    // Only the days between the old and the new last day change hands: shortening a rule
    // hands the days after `last_day` to the other rules (or no one); lengthening it takes
    // the days up to `last_day` back.
    let span = match old_to {
        None => Some((LocalDay(last_day.0 + 1), None)),
        Some(old) if old < last_day => Some((LocalDay(old.0 + 1), Some(last_day))),
        Some(old) if old > last_day => Some((LocalDay(last_day.0 + 1), Some(old))),
        Some(_) => None,
    };
    let report = match span {
        Some((from, to)) => reresolve(store, &mut tx, council, kind, &value, from, to).await?,
        None => Reattributed::default(),
    };
    let event = audit(&report);
    same_council(&event, council)?;
    store.append_in(&mut tx, &event).await?;
    store.commit(tx).await?;
    Ok(report)
}

fn add_day(report: &mut Reattributed, (records, raw_chunks): (u64, u64)) {
    if records + raw_chunks > 0 {
        report.days += 1;
    }
    report.records += records;
    report.raw_chunks += raw_chunks;
}

/// Gives `key`'s records and raw chunks in one day's tables to `person` (or no one); rows
/// already right are left alone and not counted.
async fn set_person(
    conn: &mut AnyConnection,
    tables: &DayTables,
    key: &SubjectKey,
    person: Option<PersonId>,
) -> StoreResult<(u64, u64)> {
    let (kind, subject) = key_parts(key);
    let person = person.map(|p| p.to_string());
    let differs = match &person {
        Some(_) => "(person_id IS NULL OR person_id <> $1)",
        None => "person_id IS NOT NULL",
    };
    let mut counts = [0u64; 2];
    for (slot, table) in [&tables.records, &tables.raw].into_iter().enumerate() {
        let sql = format!(
            "UPDATE {table} SET person_id = $1 WHERE subject_kind = $2 AND subject = $3 \
             AND {differs}"
        );
        counts[slot] = sqlx::query(&sql)
            .bind(person.as_deref())
            .bind(kind)
            .bind(subject)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?
            .rows_affected();
    }
    Ok((counts[0], counts[1]))
}

pub(super) async fn reattribute<F>(
    store: &Store,
    council: CouncilId,
    key: &SubjectKey,
    from: LocalDay,
    to: LocalDay,
    person: Option<PersonId>,
    audit: F,
) -> StoreResult<Reattributed>
where
    F: FnOnce(&Reattributed) -> AuditEvent + Send,
{
    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    if let Some(person) = person {
        scope::require_people(&mut tx, council, [person]).await?;
    }
    let days = day_tables::registered(
        &mut tx,
        store.engine,
        council,
        Some(from),
        Some(to),
        Lock::Update,
    )
    .await?;
    let mut report = Reattributed::default();
    for registered in days {
        let tables = DayTables::of(council, registered.day)?;
        let changed = set_person(&mut tx, &tables, key, person).await?;
        add_day(&mut report, changed);
    }
    let event = audit(&report);
    same_council(&event, council)?;
    store.append_in(&mut tx, &event).await?;
    store.commit(tx).await?;
    Ok(report)
}

pub(super) async fn identities(
    store: &Store,
    council: CouncilId,
) -> StoreResult<Vec<MonitorIdentity>> {
    let found = sqlx::query(
        "SELECT id, kind, value, person_id, device_id, valid_from, valid_to, created_at, \
         created_by FROM monitor_identities WHERE council_id = $1 ORDER BY value, valid_from, id",
    )
    .bind(council.to_string())
    .fetch_all(&store.read)
    .await
    .map_err(db_error)?;
    found
        .iter()
        .map(|row| {
            let corrupt = |column: &str, e: &dyn std::fmt::Display| {
                StoreError::Corrupt(format!("column {column}: {e}"))
            };
            let target = match rows::opt_person_id(row, "person_id")? {
                Some(person) => IdentityTarget::Person(person),
                None => {
                    let device = rows::text(row, "device_id")?;
                    IdentityTarget::Device(
                        DeviceId::parse(&device).map_err(|e| corrupt("device_id", &e))?,
                    )
                }
            };
            let created_by = rows::text(row, "created_by")?;
            let id = rows::text(row, "id")?;
            MonitorIdentity::new(
                MonitorIdentityId::parse(&id).map_err(|e| corrupt("id", &e))?,
                council,
                identity_kind(row)?,
                &rows::text(row, "value")?,
                target,
                parse_day(&rows::text(row, "valid_from")?, "valid_from")?,
                day_tables::opt_day(row, "valid_to")?,
                rows::time(row, "created_at")?,
                Actor::from_storage(&created_by)
                    .ok_or_else(|| corrupt("created_by", &created_by))?,
            )
            .map_err(|e| corrupt("value", &e))
        })
        .collect()
}
