//! A device as the council records it, and the rules that change it: a person asks to use
//! their own device (clause 2.2.1: own devices are used "at the discretion of the council"),
//! the Clerk approves or declines, the Clerk or IT provider registers a council-owned device,
//! facts are recorded from a source, and a device is retired. Each rule returns the changed
//! device with the audit event the store appends in the same transaction; audit details name
//! people by id only.

use super::error::DeviceError;
use super::facts::{DeviceFacts, DeviceKind, FactSource, Ownership, Platform};
use super::reported::ReportedFacts;
use crate::asset::SerialNumber;
use crate::audit::{Actor, AuditEvent};
use crate::ids::{AssetId, CouncilId, DeviceId, PersonId};
use crate::person::{Person, PersonStatus};
use jiff::Timestamp;
use serde_json::json;
use std::fmt;

/// The longest reason a Clerk may give for declining.
pub const MAX_REASON_CHARS: usize = 500;

/// The name people recognise a device by: "Jo's iPhone", "Office laptop".
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeviceName(String);

impl DeviceName {
    pub const MAX_CHARS: usize = 80;

    /// Spaces are tidied; empty, over-long or control-character names are refused.
    pub fn parse(text: &str) -> Result<Self, DeviceError> {
        if text.chars().any(char::is_control) {
            return Err(DeviceError::NameControlCharacters);
        }
        let tidy = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if tidy.is_empty() {
            return Err(DeviceError::EmptyName);
        }
        if tidy.chars().count() > Self::MAX_CHARS {
            return Err(DeviceError::NameTooLong);
        }
        Ok(Self(tidy))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether the council has agreed to a personal device being used (2.2.1). Council-owned
/// devices need no agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Approval {
    NotNeeded,
    Pending {
        requested_at: Timestamp,
    },
    Approved {
        requested_at: Timestamp,
        by: PersonId,
        at: Timestamp,
    },
    Declined {
        requested_at: Timestamp,
        by: PersonId,
        at: Timestamp,
        /// Shown to the person who asked.
        reason: String,
    },
}

impl Approval {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Approval::NotNeeded => "not_needed",
            Approval::Pending { .. } => "pending",
            Approval::Approved { .. } => "approved",
            Approval::Declined { .. } => "declined",
        }
    }

    pub fn requested_at(&self) -> Option<Timestamp> {
        match self {
            Approval::NotNeeded => None,
            Approval::Pending { requested_at }
            | Approval::Approved { requested_at, .. }
            | Approval::Declined { requested_at, .. } => Some(*requested_at),
        }
    }
}

/// When a device stopped being used for council work, and who recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retirement {
    pub by: PersonId,
    pub at: Timestamp,
}

/// One device that touches council data.
///
/// Fields are public so the store can rebuild a device from its row; changes go through the
/// rules in this module so each is checked and audited. Kind, platform and ownership live in
/// `facts`, where evaluation reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    pub council_id: CouncilId,
    pub name: DeviceName,
    /// The maker's serial number, used to match rows of an MDM export.
    pub serial: Option<SerialNumber>,
    /// The person who uses it. Always set for a personal device; a council-owned one may be
    /// shared (an office computer).
    pub user: Option<PersonId>,
    /// The register item, for a council-owned device.
    pub asset: Option<AssetId>,
    pub facts: DeviceFacts,
    pub approval: Approval,
    pub retired: Option<Retirement>,
    pub registered_at: Timestamp,
    /// Counts changes, so the store can refuse a change made to a device that someone else
    /// changed after it was read.
    pub revision: u32,
}

impl Device {
    /// The subject of this device's audit entries, so its history is one query.
    pub fn subject(&self) -> String {
        format!("device:{}", self.id)
    }

    pub fn ownership(&self) -> Ownership {
        self.facts.ownership
    }

    /// Still in use for council work: not retired and not declined. Only these are evaluated
    /// and counted.
    pub fn is_in_use(&self) -> bool {
        self.retired.is_none() && !matches!(self.approval, Approval::Declined { .. })
    }

    pub fn is_pending(&self) -> bool {
        self.retired.is_none() && matches!(self.approval, Approval::Pending { .. })
    }

    /// The next state of this device: the same record, one revision on.
    fn next(&self) -> Device {
        let mut next = self.clone();
        next.revision = self.revision.saturating_add(1);
        next
    }

    fn refuse_if_retired(&self) -> Result<(), DeviceError> {
        if self.retired.is_some() {
            return Err(DeviceError::Retired {
                name: self.name.to_string(),
            });
        }
        Ok(())
    }
}

/// What a person gives when asking to use their own device, or the Clerk when registering one.
#[derive(Clone, Debug)]
pub struct NewDevice {
    pub name: DeviceName,
    pub kind: DeviceKind,
    pub platform: Platform,
    pub serial: Option<SerialNumber>,
}

fn check_user(council_id: CouncilId, person: &Person) -> Result<(), DeviceError> {
    if person.council_id != council_id {
        return Err(DeviceError::OtherCouncil);
    }
    if person.status == PersonStatus::Left {
        return Err(DeviceError::PersonHasLeft);
    }
    Ok(())
}

/// `person` asks to use their own device for council work (2.2.1). It waits for the Clerk.
pub fn request_own_device(
    council_id: CouncilId,
    id: DeviceId,
    person: &Person,
    input: NewDevice,
    now: Timestamp,
) -> Result<(Device, AuditEvent), DeviceError> {
    check_user(council_id, person)?;
    let device = Device {
        id,
        council_id,
        name: input.name,
        serial: input.serial,
        user: Some(person.id),
        asset: None,
        facts: DeviceFacts::unknown(input.kind, input.platform, Ownership::Personal),
        approval: Approval::Pending { requested_at: now },
        retired: None,
        registered_at: now,
        revision: 0,
    };
    let event = AuditEvent::new(
        council_id,
        now,
        Actor::Person(person.id),
        "device.requested",
    )
    .subject(device.subject())
    .details(json!({
        "kind": input.kind.as_str(),
        "platform": input.platform.as_str(),
        "user": person.id.to_string(),
    }));
    Ok((device, event))
}

/// The Clerk or IT provider records a council-owned device, optionally used by `user` and
/// linked to an item of the register.
pub fn register_council_device(
    council_id: CouncilId,
    id: DeviceId,
    input: NewDevice,
    user: Option<&Person>,
    asset: Option<AssetId>,
    by: Actor,
    now: Timestamp,
) -> Result<(Device, AuditEvent), DeviceError> {
    if let Some(person) = user {
        check_user(council_id, person)?;
    }
    let device = Device {
        id,
        council_id,
        name: input.name,
        serial: input.serial,
        user: user.map(|p| p.id),
        asset,
        facts: DeviceFacts::unknown(input.kind, input.platform, Ownership::Council),
        approval: Approval::NotNeeded,
        retired: None,
        registered_at: now,
        revision: 0,
    };
    let event = AuditEvent::new(council_id, now, by, "device.registered")
        .subject(device.subject())
        .details(json!({
            "kind": input.kind.as_str(),
            "platform": input.platform.as_str(),
            "user": device.user.map(|p| p.to_string()),
            "asset": asset.map(|a| a.to_string()),
        }));
    Ok((device, event))
}

/// Checks the device is a request still waiting, returning when it was made.
fn pending(device: &Device) -> Result<Timestamp, DeviceError> {
    device.refuse_if_retired()?;
    let name = device.name.to_string();
    match device.approval {
        Approval::Pending { requested_at } => Ok(requested_at),
        Approval::NotNeeded => Err(DeviceError::NotARequest { name }),
        Approval::Approved { .. } => Err(DeviceError::AlreadyDecided {
            name,
            decision: "approved",
        }),
        Approval::Declined { .. } => Err(DeviceError::AlreadyDecided {
            name,
            decision: "declined",
        }),
    }
}

/// The Clerk agrees to the device being used for council work.
pub fn approve(
    device: &Device,
    by: PersonId,
    now: Timestamp,
) -> Result<(Device, AuditEvent), DeviceError> {
    let requested_at = pending(device)?;
    let mut approved = device.next();
    approved.approval = Approval::Approved {
        requested_at,
        by,
        at: now,
    };
    let event = AuditEvent::new(device.council_id, now, Actor::Person(by), "device.approved")
        .subject(device.subject())
        .details(json!({ "user": device.user.map(|p| p.to_string()) }));
    Ok((approved, event))
}

/// The Clerk declines the request. The reason is required and is shown to the person; it is
/// kept on the device, not in the audit log, because it may mention people.
pub fn decline(
    device: &Device,
    by: PersonId,
    reason: &str,
    now: Timestamp,
) -> Result<(Device, AuditEvent), DeviceError> {
    let requested_at = pending(device)?;
    let reason = reason.trim().replace("\r\n", "\n");
    if reason.is_empty() {
        return Err(DeviceError::EmptyReason);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(DeviceError::ReasonTooLong);
    }
    if reason.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DeviceError::ReasonControlCharacters);
    }
    let mut declined = device.next();
    declined.approval = Approval::Declined {
        requested_at,
        by,
        at: now,
        reason,
    };
    let event = AuditEvent::new(device.council_id, now, Actor::Person(by), "device.declined")
        .subject(device.subject())
        .details(json!({ "user": device.user.map(|p| p.to_string()) }));
    Ok((declined, event))
}

/// Records facts reported by `source`, confirmed `now`: each reported fact replaces what was
/// known, and facts the source did not report stay as they were.
pub fn record_facts(
    device: &Device,
    reported: &ReportedFacts,
    source: FactSource,
    by: Actor,
    now: Timestamp,
) -> Result<(Device, AuditEvent), DeviceError> {
    device.refuse_if_retired()?;
    if reported.is_empty() {
        return Err(DeviceError::NothingReported {
            name: device.name.to_string(),
        });
    }
    let mut updated = device.next();
    updated.facts.apply(reported, source, now);
    let fields: Vec<&str> = reported.fields().iter().map(|f| f.as_str()).collect();
    let event = AuditEvent::new(device.council_id, now, by, "device.facts_recorded")
        .subject(device.subject())
        .details(json!({ "source": source.kind_str(), "facts": fields }));
    Ok((updated, event))
}

/// The device is no longer used for council work: by its user (withdrawing a request, or a
/// phone replaced) or by the Clerk. It stays on record, no longer evaluated or counted.
pub fn retire(
    device: &Device,
    by: PersonId,
    now: Timestamp,
) -> Result<(Device, AuditEvent), DeviceError> {
    device.refuse_if_retired()?;
    let mut retired = device.next();
    retired.retired = Some(Retirement { by, at: now });
    let event = AuditEvent::new(device.council_id, now, Actor::Person(by), "device.retired")
        .subject(device.subject())
        .details(json!({ "previous_approval": device.approval.as_str() }));
    Ok((retired, event))
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
