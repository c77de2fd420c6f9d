//! Devices: council-owned ones and people's own, their approval and security facts. Every query
//! names the council. Each change locks the council's row first, re-checks that every person and
//! register item the device names belongs to that council, writes only over the revision it was
//! made from, and appends its audit entry in the same transaction.
//!
//! The facts are one JSON column (`DeviceFacts` is serde), read back whole for evaluation; what
//! pages filter on (ownership, user, decision, retirement) has its own columns.

use crate::rows::{council_id, int, opt_int, opt_person_id, opt_text, text, time};
use crate::{Store, db_error};
use custodian_core::asset::SerialNumber;
use custodian_core::audit::AuditEvent;
use custodian_core::device::{
    Approval, Device, DeviceFacts, DeviceKind, DeviceName, Ownership, Platform, Retirement,
};
use custodian_core::ids::{AssetId, CouncilId, DeviceId, PersonId};
use custodian_core::ports::{DeviceStore, StoreError, StoreResult};
use custodian_core::time::from_millis;
use sqlx::AnyConnection;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;

/// The columns every change writes, in binding order.
const FIELDS: &[&str] = &[
    "name",
    "serial",
    "user_id",
    "ownership",
    "asset_id",
    "kind",
    "platform",
    "approval",
    "requested_at",
    "decided_by",
    "decided_at",
    "decline_reason",
    "retired_by",
    "retired_at",
    "facts",
    "revision",
];

const COLUMNS: &str = "id, council_id, name, serial, user_id, ownership, asset_id, kind, \
    platform, approval, requested_at, decided_by, decided_at, decline_reason, retired_by, \
    retired_at, facts, revision, registered_at";

/// Shown when a change was made from a page opened before someone else's change.
const OVERTAKEN: &str = "This device was changed by someone else after the page was opened. \
    Nothing was saved: reload the page and try again.";

type AnyQuery<'q> = Query<'q, sqlx::Any, AnyArguments<'q>>;

fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {detail}"))
}

fn bind_fields<'q>(query: AnyQuery<'q>, device: &Device) -> StoreResult<AnyQuery<'q>> {
    let facts = serde_json::to_string(&device.facts).map_err(|e| corrupt("facts", e))?;
    let (decided_by, decided_at, reason) = match &device.approval {
        Approval::Approved { by, at, .. } => {
            (Some(by.to_string()), Some(at.as_millisecond()), None)
        }
        Approval::Declined { by, at, reason, .. } => (
            Some(by.to_string()),
            Some(at.as_millisecond()),
            Some(reason.clone()),
        ),
        Approval::NotNeeded | Approval::Pending { .. } => (None, None, None),
    };
    let retired = device.retired.as_ref();
    Ok(query
        .bind(device.name.as_str().to_owned())
        .bind(device.serial.as_ref().map(|s| s.as_str().to_owned()))
        .bind(device.user.map(|p| p.to_string()))
        .bind(device.ownership().as_str())
        .bind(device.asset.map(|a| a.to_string()))
        .bind(device.facts.kind.as_str())
        .bind(device.facts.platform.as_str())
        .bind(device.approval.as_str())
        .bind(device.approval.requested_at().map(|t| t.as_millisecond()))
        .bind(decided_by)
        .bind(decided_at)
        .bind(reason)
        .bind(retired.map(|r| r.by.to_string()))
        .bind(retired.map(|r| r.at.as_millisecond()))
        .bind(facts)
        .bind(i64::from(device.revision)))
}

fn device(row: &AnyRow) -> StoreResult<Device> {
    let facts: DeviceFacts =
        serde_json::from_str(&text(row, "facts")?).map_err(|e| corrupt("facts", e))?;
    // The columns and the JSON are written together from one value; a difference means the row
    // was changed by hand, which is reported rather than silently resolved.
    let kind = DeviceKind::parse(&text(row, "kind")?);
    let platform = Platform::parse(&text(row, "platform")?);
    let ownership = Ownership::parse(&text(row, "ownership")?);
    if kind != Some(facts.kind)
        || platform != Some(facts.platform)
        || ownership != Some(facts.ownership)
    {
        return Err(corrupt(
            "facts",
            "kind, platform or ownership differs from its column",
        ));
    }
    let requested_at = opt_int(row, "requested_at")?.map(from_millis);
    let decided = match (
        opt_person_id(row, "decided_by")?,
        opt_int(row, "decided_at")?,
    ) {
        (Some(by), Some(at)) => Some((by, from_millis(at))),
        _ => None,
    };
    let approval = match (text(row, "approval")?.as_str(), requested_at, decided) {
        ("not_needed", _, _) => Approval::NotNeeded,
        ("pending", Some(requested_at), _) => Approval::Pending { requested_at },
        ("approved", Some(requested_at), Some((by, at))) => Approval::Approved {
            requested_at,
            by,
            at,
        },
        ("declined", Some(requested_at), Some((by, at))) => Approval::Declined {
            requested_at,
            by,
            at,
            reason: opt_text(row, "decline_reason")?.unwrap_or_default(),
        },
        (other, _, _) => {
            return Err(corrupt(
                "approval",
                format!("{other:?} with missing details"),
            ));
        }
    };
    let retired = match (
        opt_person_id(row, "retired_by")?,
        opt_int(row, "retired_at")?,
    ) {
        (Some(by), Some(at)) => Some(Retirement {
            by,
            at: from_millis(at),
        }),
        _ => None,
    };
    Ok(Device {
        id: DeviceId::parse(&text(row, "id")?).map_err(|e| corrupt("id", e))?,
        council_id: council_id(row, "council_id")?,
        name: DeviceName::parse(&text(row, "name")?).map_err(|e| corrupt("name", e))?,
        serial: opt_text(row, "serial")?
            .map(|s| SerialNumber::parse(&s).map_err(|e| corrupt("serial", e)))
            .transpose()?,
        user: opt_person_id(row, "user_id")?,
        asset: opt_text(row, "asset_id")?
            .map(|a| AssetId::parse(&a).map_err(|e| corrupt("asset_id", e)))
            .transpose()?,
        facts,
        approval,
        retired,
        registered_at: time(row, "registered_at")?,
        revision: u32::try_from(int(row, "revision")?).map_err(|e| corrupt("revision", e))?,
    })
}

/// Every person and register item the device names belongs to its council: a clear
/// `NotFound` rather than a foreign-key failure.
async fn require_references(conn: &mut AnyConnection, device: &Device) -> StoreResult<()> {
    let council = device.council_id.to_string();
    let mut people: Vec<PersonId> = Vec::new();
    people.extend(device.user);
    if let Approval::Approved { by, .. } | Approval::Declined { by, .. } = &device.approval {
        people.push(*by);
    }
    people.extend(device.retired.as_ref().map(|r| r.by));
    crate::scope::require_people(conn, device.council_id, people).await?;
    if let Some(asset) = device.asset {
        sqlx::query("SELECT id FROM assets WHERE id = $1 AND council_id = $2")
            .bind(asset.to_string())
            .bind(&council)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("asset"))?;
    }
    Ok(())
}

impl Store {
    /// Writes `device` over the revision before it; another council's device is `NotFound`,
    /// an overtaken one `Conflict`.
    async fn write_device(
        &self,
        conn: &mut AnyConnection,
        device: &Device,
        at: i64,
    ) -> StoreResult<()> {
        require_references(conn, device).await?;
        let previous = device
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
            "UPDATE devices SET {}, updated_at = ${} WHERE id = ${} AND council_id = ${} AND revision = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3,
            n + 4
        );
        let done = bind_fields(sqlx::query(&sql), device)?
            .bind(at)
            .bind(device.id.to_string())
            .bind(device.council_id.to_string())
            .bind(i64::from(previous))
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            sqlx::query("SELECT id FROM devices WHERE id = $1 AND council_id = $2")
                .bind(device.id.to_string())
                .bind(device.council_id.to_string())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_error)?
                .ok_or(StoreError::NotFound("device"))?;
            return Err(StoreError::Conflict(OVERTAKEN.to_owned()));
        }
        Ok(())
    }

    async fn select_devices(
        &self,
        filter: &str,
        order: &str,
        binds: &[String],
    ) -> StoreResult<Vec<Device>> {
        let sql = format!("SELECT {COLUMNS} FROM devices WHERE {filter} ORDER BY {order}");
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = query.bind(value.clone());
        }
        query
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(device)
            .collect()
    }
}

/// Sorted by name ignoring capitals, then id: done here rather than in SQL because the engines'
/// collations order punctuation differently.
fn by_name(mut devices: Vec<Device>) -> Vec<Device> {
    devices.sort_by_cached_key(|d| (d.name.as_str().to_lowercase(), d.id));
    devices
}

/// Changes must stay in the council they are stored under.
fn same_council(council: CouncilId, device: &Device, event: &AuditEvent) -> StoreResult<()> {
    if device.council_id != council || event.council_id != council {
        return Err(StoreError::Conflict(
            "a device change and its audit entry must belong to the same council".to_owned(),
        ));
    }
    Ok(())
}

impl DeviceStore for Store {
    async fn insert_device(&self, device: &Device, event: &AuditEvent) -> StoreResult<()> {
        same_council(device.council_id, device, event)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, device.council_id).await?;
        require_references(&mut tx, device).await?;
        let n = FIELDS.len();
        let placeholders: Vec<String> = (1..=n + 4).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO devices ({}, id, council_id, registered_at, updated_at) VALUES ({})",
            FIELDS.join(", "),
            placeholders.join(", ")
        );
        let registered = device.registered_at.as_millisecond();
        bind_fields(sqlx::query(&sql), device)?
            .bind(device.id.to_string())
            .bind(device.council_id.to_string())
            .bind(registered)
            .bind(event.at.as_millisecond())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn update_device(&self, device: &Device, event: &AuditEvent) -> StoreResult<()> {
        self.update_devices(device.council_id, &[(device.clone(), event.clone())])
            .await
    }

    async fn update_devices(
        &self,
        council: CouncilId,
        changes: &[(Device, AuditEvent)],
    ) -> StoreResult<()> {
        if changes.is_empty() {
            return Ok(());
        }
        for (device, event) in changes {
            same_council(council, device, event)?;
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        for (device, event) in changes {
            self.write_device(&mut tx, device, event.at.as_millisecond())
                .await?;
            self.append_in(&mut tx, event).await?;
        }
        self.commit(tx).await
    }

    async fn device(&self, council: CouncilId, id: DeviceId) -> StoreResult<Device> {
        let mut found = self
            .select_devices(
                "id = $1 AND council_id = $2",
                "id",
                &[id.to_string(), council.to_string()],
            )
            .await?;
        found.pop().ok_or(StoreError::NotFound("device"))
    }

    async fn devices(&self, council: CouncilId) -> StoreResult<Vec<Device>> {
        self.select_devices("council_id = $1", "id", &[council.to_string()])
            .await
            .map(by_name)
    }

    async fn devices_of(&self, council: CouncilId, person: PersonId) -> StoreResult<Vec<Device>> {
        self.select_devices(
            "council_id = $1 AND user_id = $2",
            "id",
            &[council.to_string(), person.to_string()],
        )
        .await
        .map(by_name)
    }

    async fn pending_device_requests(&self, council: CouncilId) -> StoreResult<Vec<Device>> {
        self.select_devices(
            "council_id = $1 AND approval = 'pending' AND retired_at IS NULL",
            "requested_at, id",
            &[council.to_string()],
        )
        .await
    }
}
