//! The reminder schedule (issue 6, item 6): one list of everything due, worked out from the
//! council's records and its policy profile — the policy review, unsigned declarations, device
//! facts to confirm again, password changes and renewals in the vault, warranty ends, the
//! 72-hour breach clock and open leaving checklists.
//!
//! Pure: the caller reads the records (a few bulk reads, see `ports::CalendarFeedStore`'s
//! module) and passes them in. Each entry has a date, and [`Due::urgency`] compares it with the
//! day it is shown, so one schedule serves the home page, the full list, the calendar feed and
//! the digest; the day it is made (`Inputs::today`) only drops approvals and warranties that have ended. Each source is its own small
//! function (approvals and health and safety in `routines.rs`), so a new capability adds one more.

use crate::asset::{Asset, AssetStatus};
use crate::device::{Device, Fact, SELF_ATTESTATION_VALID_FOR_MONTHS};
use crate::ids::{AssetId, PersonId};
use crate::incident::Incident;
use crate::incident::breach::{became_aware, settled_at};
use crate::leaver::{Facts, LeaverChecklist};
use crate::permission::Action;
use crate::person::{Person, PersonStatus, RoleSet};
use crate::policy::PolicyProfile;
use crate::policy::document::format_date;
use crate::policy::version::{PolicyVersion, london_today};
use crate::vault::{VaultItem, rotation_due};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

mod digest;
mod entry;
mod routines;

pub use digest::{DIGEST_DAYS, Digest, digest};
pub use entry::{Chase, DUE_SOON_DAYS, Due, Kind, Subject, Urgency, Who};
pub use routines::{DECISION_DAYS, approvals, health};

/// What the schedule needs of a register item: one still in use (in store or issued) with a
/// warranty date. The store reads only these columns, not the whole register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarrantyEnd {
    pub asset: AssetId,
    pub number: String,
    pub make: String,
    pub model: String,
    pub ends: Date,
}

impl WarrantyEnd {
    /// The item's warranty end, if it is in use and has one.
    pub fn of(asset: &Asset) -> Option<Self> {
        if !matches!(
            asset.status,
            AssetStatus::InStore | AssetStatus::Issued { .. }
        ) {
            return None;
        }
        Some(Self {
            asset: asset.id,
            number: asset.number.to_string(),
            make: asset.make.clone(),
            model: asset.model.clone(),
            ends: asset.warranty_ends?,
        })
    }
}

/// The council's records the schedule is made from, read in bulk by the caller.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    pub people: &'a [Person],
    pub in_force: Option<&'a PolicyVersion>,
    /// Active people who have not signed the version in force.
    pub unsigned: &'a [PersonId],
    pub devices: &'a [Device],
    pub vault_items: &'a [VaultItem],
    /// Register items in use with a warranty date.
    pub warranties: &'a [WarrantyEnd],
    /// The whole register: needed only to read open leaving checklists against (the store
    /// reads it only when one is open, as it is the costliest read).
    pub assets: &'a [Asset],
    /// Incidents; only open personal-data breaches whose clock is not settled are used.
    pub incidents: &'a [Incident],
    pub leaver_checklists: &'a [LeaverChecklist],
    /// Requests waiting for a decision and approvals with a last day.
    pub approvals: &'a [crate::ports::OpenApproval],
    /// Workstation assessments, eye tests, workstation requests and hazards (`None`: not read).
    pub health: Option<&'a crate::health::HealthRecords>,
    /// The London date the schedule is made on: approvals that ended before it are left out.
    pub today: Date,
}

/// The same records, owned: what `ports::ReminderStore::reminder_records` reads in one go.
#[derive(Clone, Debug, Default)]
pub struct Records {
    pub people: Vec<Person>,
    pub in_force: Option<PolicyVersion>,
    pub unsigned: Vec<PersonId>,
    pub devices: Vec<Device>,
    pub vault_items: Vec<VaultItem>,
    pub warranties: Vec<WarrantyEnd>,
    pub assets: Vec<Asset>,
    pub incidents: Vec<Incident>,
    pub leaver_checklists: Vec<LeaverChecklist>,
    pub approvals: Vec<crate::ports::OpenApproval>,
    pub health: crate::health::HealthRecords,
}

impl Records {
    pub fn inputs(&self, today: Date) -> Inputs<'_> {
        Inputs {
            people: &self.people,
            in_force: self.in_force.as_ref(),
            unsigned: &self.unsigned,
            devices: &self.devices,
            vault_items: &self.vault_items,
            warranties: &self.warranties,
            assets: &self.assets,
            incidents: &self.incidents,
            leaver_checklists: &self.leaver_checklists,
            approvals: &self.approvals,
            health: Some(&self.health),
            today,
        }
    }

    /// The whole schedule under the policy in force, or the model's defaults until one is
    /// adopted (as the device pages judge devices).
    pub fn schedule(&self, today: Date) -> Vec<Due> {
        let defaults;
        let profile = match &self.in_force {
            Some(version) => &version.profile,
            None => {
                defaults = PolicyProfile::model_defaults();
                &defaults
            }
        };
        schedule(&self.inputs(today), profile)
    }
}

/// Everything due for the council, soonest first. `profile` is the policy in force (or the
/// model's defaults); the sources that read intervals from it (DSE) take it.
pub fn schedule(inputs: &Inputs<'_>, profile: &PolicyProfile) -> Vec<Due> {
    let mut all = Vec::new();
    all.extend(policy_review(inputs));
    all.extend(declarations(inputs));
    all.extend(device_facts(inputs));
    all.extend(vault_dates(inputs));
    all.extend(warranty_ends(inputs));
    all.extend(breach_deadlines(inputs));
    all.extend(leaver_checklists(inputs));
    all.extend(approvals(inputs));
    all.extend(health(inputs, profile));
    all.sort_by(|a, b| {
        (a.due, a.kind, &a.subject.name, &a.subject.id).cmp(&(
            b.due,
            b.kind,
            &b.subject.name,
            &b.subject.id,
        ))
    });
    all
}

/// What `person` must act on or follow up, in schedule order.
pub fn for_person(schedule: &[Due], person: PersonId, roles: RoleSet) -> Vec<&Due> {
    schedule
        .iter()
        .filter(|d| d.concerns(person, roles))
        .collect()
}

pub(crate) fn london_date(at: Timestamp) -> Date {
    london_today(at)
}

pub(crate) fn person_name(people: &[Person], id: PersonId) -> Option<&Person> {
    people.iter().find(|p| p.id == id)
}

/// The policy in force's review date (clause 12.2), for those who draft the policy.
pub fn policy_review(inputs: &Inputs<'_>) -> Option<Due> {
    let version = inputs.in_force?;
    let due = version.review_due?;
    let adopted = match (&version.adopted_on, &version.minute_reference) {
        (Some(on), Some(minute)) => format!(" (adopted {}, minute {minute})", format_date(*on)),
        _ => String::new(),
    };
    Some(Due {
        kind: Kind::PolicyReview,
        subject: Subject {
            id: version.id.to_string(),
            name: format!("IT policy version {}", version.number),
        },
        title: format!("Review the IT policy{adopted}"),
        due,
        for_whom: Who::MayDo(Action::DraftPolicy),
        chase: None,
        link: "/policy".to_owned(),
        clause: "12.2",
    })
}

/// Each active person who has not signed the declaration of the policy in force (11.1): theirs
/// to sign, the Clerk's to chase. Due from the adoption, or from when they joined if later.
pub fn declarations(inputs: &Inputs<'_>) -> Vec<Due> {
    let Some(version) = inputs.in_force else {
        return Vec::new();
    };
    let adopted = version
        .adopted_on
        .unwrap_or_else(|| london_date(version.created_at));
    inputs
        .unsigned
        .iter()
        .filter_map(|id| person_name(inputs.people, *id))
        .filter(|p| p.status == PersonStatus::Active)
        .map(|person| {
            let joined = person
                .start_date
                .unwrap_or_else(|| london_date(person.created_at));
            Due {
                kind: Kind::Declaration,
                subject: Subject {
                    id: person.id.to_string(),
                    name: person.name.to_string(),
                },
                title: "Read the IT policy and sign its declaration".to_owned(),
                due: adopted.max(joined),
                for_whom: Who::Person(person.id),
                chase: Some(Chase {
                    by: Action::AdoptPolicy,
                    link: "/policy/declarations".to_owned(),
                }),
                link: "/policy/declaration".to_owned(),
                clause: "11.1",
            }
        })
        .collect()
}

/// When a self-reported fact was confirmed, if it was self-reported (only those expire).
fn attested_at<T>(fact: &Fact<T>) -> Option<Timestamp> {
    match fact {
        Fact::Known {
            source,
            confirmed_at,
            ..
        } if source.expires() => Some(*confirmed_at),
        _ => None,
    }
}

/// The oldest self-reported fact of a device, which expires first.
fn oldest_attestation(device: &Device) -> Option<Timestamp> {
    let f = &device.facts;
    [
        attested_at(&f.os_version),
        attested_at(&f.disk_encryption),
        attested_at(&f.screen_lock),
        attested_at(&f.pin_length),
        attested_at(&f.lockout),
        attested_at(&f.idle_lock),
        attested_at(&f.auto_wipe),
        attested_at(&f.remote_wipe),
        attested_at(&f.work_profile),
        attested_at(&f.last_os_update),
        attested_at(&f.os_supported),
        attested_at(&f.anti_malware),
    ]
    .into_iter()
    .flatten()
    .min()
}

/// Devices in use whose self-reported facts must be confirmed again: a person's answers count
/// for [`SELF_ATTESTATION_VALID_FOR_MONTHS`] months (2.1.4, 2.2), then become "unknown".
/// The device's user does it; the Clerk or IT provider follows up (or does it, for a shared
/// device).
pub fn device_facts(inputs: &Inputs<'_>) -> Vec<Due> {
    inputs
        .devices
        .iter()
        .filter(|d| d.is_in_use())
        .filter_map(|device| {
            let oldest = oldest_attestation(device)?;
            let due = london_date(oldest)
                .checked_add(SELF_ATTESTATION_VALID_FOR_MONTHS.months())
                .ok()?;
            let link = format!("/devices/{}", device.id);
            let (for_whom, chase) = match device.user {
                Some(user) => (
                    Who::Person(user),
                    Some(Chase {
                        by: Action::RecordDeviceEvidence,
                        link: link.clone(),
                    }),
                ),
                None => (Who::MayDo(Action::RecordDeviceEvidence), None),
            };
            Some(Due {
                kind: Kind::DeviceFacts,
                subject: Subject {
                    id: device.id.to_string(),
                    name: device.name.to_string(),
                },
                title: "Check the device's security settings and confirm them again".to_owned(),
                due,
                for_whom,
                chase,
                link,
                clause: "2.1.4",
            })
        })
        .collect()
}

/// Each vault item's next password change (4.1.4: now, if it was marked compromised or opened
/// in an emergency) and its renewal date, for those who manage the vault.
pub fn vault_dates(inputs: &Inputs<'_>) -> Vec<Due> {
    let mut found = Vec::new();
    for item in inputs.vault_items {
        let subject = || Subject {
            id: item.id.to_string(),
            name: item.name.clone(),
        };
        let link = format!("/vault/{}", item.id);
        let utc_date = |at: Timestamp| at.to_zoned(TimeZone::UTC).date();
        let change = if let Some(compromised) = &item.compromised {
            Some((
                utc_date(compromised.at),
                "Change the password now: it was marked as compromised",
            ))
        } else if let Some(forced) = item.rotation_forced_at {
            Some((utc_date(forced), "Change the password now"))
        } else {
            rotation_due(item).map(|due| (due, "Change the password (scheduled change)"))
        };
        if let Some((due, title)) = change {
            found.push(Due {
                kind: Kind::PasswordChange,
                subject: subject(),
                title: title.to_owned(),
                due,
                for_whom: Who::MayDo(Action::ManageVault),
                chase: None,
                link: link.clone(),
                clause: "4.1.4",
            });
        }
        if let Some(due) = item.renewal_due {
            found.push(Due {
                kind: Kind::Renewal,
                subject: subject(),
                title: "Renew the account with its supplier".to_owned(),
                due,
                for_whom: Who::MayDo(Action::ManageVault),
                chase: None,
                link,
                clause: "4.1.1",
            });
        }
    }
    found
}

/// The warranty end of each register item still in use (in store or issued), so a repair
/// under warranty is not missed (1.1.5).
pub fn warranty_ends(inputs: &Inputs<'_>) -> Vec<Due> {
    inputs
        .warranties
        .iter()
        // A warranty that has already ended is history, not something left to do.
        .filter(|item| item.ends >= inputs.today)
        .map(|item| {
            let what = [item.make.as_str(), item.model.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            Due {
                kind: Kind::WarrantyEnds,
                subject: Subject {
                    id: item.asset.to_string(),
                    name: if what.is_empty() {
                        item.number.clone()
                    } else {
                        format!("{} ({what})", item.number)
                    },
                },
                title: "The warranty ends: have any fault repaired before then".to_owned(),
                due: item.ends,
                for_whom: Who::MayDo(Action::ManageAssets),
                chase: None,
                link: format!("/assets/{}", item.asset),
                clause: "1.1.5",
            }
        })
        .collect()
}

/// Each open personal-data breach whose 72-hour clock nothing has settled yet (UK GDPR art.
/// 33), for those who run incidents. The title carries the hour, as the date alone would hide
/// it; it never repeats the incident's own words, which may name people.
pub fn breach_deadlines(inputs: &Inputs<'_>) -> Vec<Due> {
    let london = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    inputs
        .incidents
        .iter()
        .filter(|i| i.is_open())
        .filter_map(|incident| {
            let breach = incident.breach.as_ref()?;
            if settled_at(breach).is_some() {
                return None;
            }
            let deadline = became_aware(breach, incident.reported_at)
                + crate::incident::breach::BREACH_DEADLINE;
            let local = deadline.to_zoned(london.clone());
            let reported = london_date(incident.reported_at);
            Some(Due {
                kind: Kind::BreachDeadline,
                subject: Subject {
                    id: incident.id.to_string(),
                    name: format!("Personal data breach reported {}", format_date(reported)),
                },
                title: format!(
                    "Tell the ICO, or record why the council will not, by {} (72 hours)",
                    local.strftime("%H:%M")
                ),
                due: local.date(),
                for_whom: Who::MayDo(Action::ManageIncidents),
                chase: None,
                link: format!("/incidents/{}", incident.id),
                clause: "UK GDPR art. 33",
            })
        })
        .collect()
}

/// Each leaving checklist with items still open, due from the day the person left.
pub fn leaver_checklists(inputs: &Inputs<'_>) -> Vec<Due> {
    inputs
        .leaver_checklists
        .iter()
        .filter(|c| c.closed_at.is_none())
        .filter_map(|checklist| {
            let person = person_name(inputs.people, checklist.person_id)?;
            let facts = Facts {
                person,
                assets: inputs.assets,
                devices: inputs.devices,
                vault_items: inputs.vault_items,
            };
            let open = checklist.open_count(&facts);
            if open == 0 {
                return None;
            }
            Some(Due {
                kind: Kind::LeaverChecklist,
                subject: Subject {
                    id: person.id.to_string(),
                    name: person.name.to_string(),
                },
                title: format!(
                    "Finish the leaving checklist: {open} item{} still open",
                    if open == 1 { "" } else { "s" }
                ),
                due: person
                    .leave_date
                    .unwrap_or_else(|| london_date(checklist.created_at)),
                for_whom: Who::MayDo(Action::MarkPersonLeft),
                chase: None,
                link: format!("/people/{}/leaving", person.id),
                clause: "4.1.2",
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "reminder_tests.rs"]
mod tests;
