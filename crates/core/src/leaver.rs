//! A leaver's checklist (issue 6, item 4): when a person is marked as left, what they must hand
//! back and what must change is listed from the council's own records, not from a template:
//! each register item issued to them (1.1.5), each device they used (2.2.12, 9.1.6), each shared
//! password they revealed (4.1.4), the social-media logins they could reach and their profiles
//! (9.1.4), and their sign-in.
//!
//! Whatever the records can show is worked out when the list is read ([`LeaverChecklist::current`]),
//! so it stays true without anyone ticking: an item returned to store, a device retired, a
//! password changed after they left. The rest is ticked or waived (with a reason) by the Clerk.
//! The list is closed when nothing is open. Pure: no IO, no clock.

use crate::asset::Asset;
use crate::audit::{Actor, AuditEvent};
use crate::device::{Device, Ownership};
use crate::ids::{CouncilId, PersonId, VaultItemId};
use crate::person::Person;
use crate::vault::{ItemKind, VaultItem};
use jiff::Timestamp;
use serde_json::json;

#[path = "leaver_task.rs"]
mod task;
pub use task::Task;

pub use crate::checklist::{MAX_REASON_CHARS, Mark};

/// One line of the checklist. The label is written when the list is made, so it keeps the
/// names as they were when the person left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistItem {
    pub task: Task,
    pub label: String,
    pub mark: Mark,
}

/// The checklist made when a person was marked as left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaverChecklist {
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub created_by: PersonId,
    pub created_at: Timestamp,
    /// When the last open item was settled, as recorded; `None` while any item is open (and
    /// for a list the records closed but nobody has yet recorded, see [`close`]).
    pub closed_at: Option<Timestamp>,
    pub items: Vec<ChecklistItem>,
}

/// The council's records now, for working out which tasks they show as done.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub person: &'a Person,
    pub assets: &'a [Asset],
    pub devices: &'a [Device],
    pub vault_items: &'a [VaultItem],
}

/// How an item came to be done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum How {
    ByHand {
        note: Option<String>,
    },
    /// The records show it, in these words.
    SeenInData(String),
}

/// An item's state as the checklist is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemState {
    Open,
    Done {
        by: Option<PersonId>,
        at: Option<Timestamp>,
        how: How,
    },
    Waived {
        by: PersonId,
        at: Timestamp,
        reason: String,
    },
}

impl ItemState {
    pub fn is_open(&self) -> bool {
        matches!(self, ItemState::Open)
    }
}

/// An item with its current state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemView<'a> {
    pub item: &'a ChecklistItem,
    pub state: ItemState,
}

/// Why a change to a checklist was refused, in words for the Clerk.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LeaverError {
    #[error("That item is not on this checklist. Reload the page and try again.")]
    NoSuchItem,
    #[error("\"{label}\" is already settled, so nothing was changed.")]
    AlreadySettled { label: String },
    #[error("\"{label}\" is shown by the council's records, not ticked by hand. {how}")]
    ShownByData { label: String, how: &'static str },
    #[error("Give the reason this item is waived, so the council can see why it was not done.")]
    ReasonMissing,
    #[error("Keep the reason or note to {MAX_REASON_CHARS} characters or fewer.")]
    ReasonTooLong,
    #[error("The checklist still has {0} open item(s); each must be done or waived first.")]
    StillOpen(usize),
    #[error("The checklist is already recorded as closed.")]
    AlreadyClosed,
    #[error("a stored checklist item could not be read: {0}")]
    Unreadable(String),
}

/// A change to one item, ready to store: the item's new mark, when the checklist closed if this
/// change closed it, and the audit entries to append with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Settled {
    pub item: ChecklistItem,
    pub closed_at: Option<Timestamp>,
    pub events: Vec<AuditEvent>,
}

fn subject_of(person: PersonId) -> String {
    format!("person:{person}")
}

/// Makes the checklist for `person`, who is being marked as left by `by`, from the council's
/// records: register items issued to them, devices they use, every vault item they `revealed`
/// (ids from the vault's log) and social-media items they were allowed to reveal.
pub fn build_checklist(
    person: &Person,
    assets: &[Asset],
    devices: &[Device],
    vault_items: &[VaultItem],
    revealed: &[VaultItemId],
    by: PersonId,
    now: Timestamp,
) -> (LeaverChecklist, AuditEvent) {
    let council = person.council_id;
    let name = person.name.to_string();
    let mut items = vec![open(
        Task::RevokeSignIn,
        format!("Stop {name} signing in and end their sessions"),
    )];

    let mut held: Vec<&Asset> = assets
        .iter()
        .filter(|a| a.council_id == council && a.holder() == Some(person.id))
        .collect();
    held.sort_by_key(|a| a.number.to_string().to_lowercase());
    items.extend(held.iter().map(|a| {
        open(
            Task::ReturnAsset(a.id),
            format!(
                "Collect {} and return it to store in the register",
                a.describe()
            ),
        )
    }));

    let mut used: Vec<&Device> = devices
        .iter()
        .filter(|d| d.council_id == council && d.user == Some(person.id) && d.is_in_use())
        .collect();
    used.sort_by_key(|d| d.name.to_string().to_lowercase());
    for device in used {
        match device.ownership() {
            Ownership::Personal => items.push(open(
                Task::ClearOwnDevice(device.id),
                format!(
                    "Check that council data, passwords and contact details are removed from \
                     {name}'s own device \"{}\", then retire it",
                    device.name
                ),
            )),
            // A council device linked to an item they hold is collected with that item.
            Ownership::Council if device.asset.is_some_and(|a| held.iter().any(|h| h.id == a)) => {}
            Ownership::Council => items.push(open(
                Task::ReturnCouncilDevice(device.id),
                format!(
                    "Collect the council's device \"{}\" and wipe it, or record who uses it now",
                    device.name
                ),
            )),
        }
    }

    let mut vault: Vec<&VaultItem> = vault_items
        .iter()
        .filter(|i| i.council_id == council)
        .collect();
    vault.sort_by_key(|i| i.name.to_lowercase());
    for item in &vault {
        if revealed.contains(&item.id) {
            items.push(open(
                Task::RotateCredential(item.id),
                format!(
                    "Change the password of \"{}\": {name} revealed it, so may still know it",
                    item.name
                ),
            ));
        }
    }
    for item in &vault {
        let could_reveal =
            revealed.contains(&item.id) || item.allowed.allows(person.id, person.roles).is_some();
        if item.kind == ItemKind::SocialMedia && could_reveal {
            items.push(open(
                Task::HandOverSocialMedia(item.id),
                format!(
                    "Make sure the council holds the login for \"{}\" and {name} is no longer \
                     an administrator of it",
                    item.name
                ),
            ));
        }
    }
    items.push(open(
        Task::UpdateSocialMediaProfiles,
        format!(
            "Ask {name} to update their social-media profiles to show they have left, and \
             remove them as a contact from the council's own pages"
        ),
    ));

    let event = AuditEvent::new(council, now, Actor::Person(by), "leaver.checklist_created")
        .subject(subject_of(person.id))
        .details(json!({ "items": items.len() }));
    let checklist = LeaverChecklist {
        council_id: council,
        person_id: person.id,
        created_by: by,
        created_at: now,
        closed_at: None,
        items,
    };
    (checklist, event)
}

fn open(task: Task, label: String) -> ChecklistItem {
    let label = format!("{label} ({}).", task.clause());
    ChecklistItem {
        task,
        label,
        mark: Mark::Open,
    }
}

/// What the records show about one task: done (by whom, when, in words) or not.
fn seen_in_data(
    task: &Task,
    created_at: Timestamp,
    facts: &Facts<'_>,
) -> Option<(Option<PersonId>, Option<Timestamp>, String)> {
    let person = facts.person;
    match task {
        Task::RevokeSignIn => (!person.may_sign_in()).then(|| {
            (
                None,
                None,
                "Custodian refuses their sign-in and their sessions were ended.".to_owned(),
            )
        }),
        Task::ReturnAsset(id) => {
            let asset = facts.assets.iter().find(|a| a.id == *id)?;
            (asset.holder() != Some(person.id)).then(|| {
                (
                    None,
                    None,
                    format!(
                        "The register shows {} {}.",
                        asset.number,
                        asset.status.in_words()
                    ),
                )
            })
        }
        Task::ReturnCouncilDevice(id) | Task::ClearOwnDevice(id) => {
            let device = facts.devices.iter().find(|d| d.id == *id)?;
            if let Some(retired) = &device.retired {
                Some((
                    Some(retired.by),
                    Some(retired.at),
                    "The device is recorded as no longer used for council work.".to_owned(),
                ))
            } else if device.user != Some(person.id) {
                Some((
                    None,
                    None,
                    "The device is now used by someone else.".to_owned(),
                ))
            } else {
                None
            }
        }
        Task::RotateCredential(id) => {
            let item = facts.vault_items.iter().find(|i| i.id == *id)?;
            // Only a password set after they were marked as left is one they cannot have seen.
            let changed = item.last_rotated.filter(|at| *at > created_at)?;
            Some((
                None,
                Some(changed),
                "The password was changed in the vault after they left.".to_owned(),
            ))
        }
        Task::HandOverSocialMedia(_) | Task::UpdateSocialMediaProfiles => None,
    }
}

impl LeaverChecklist {
    /// Every item with its state now: what the Clerk recorded, or else what the records show.
    pub fn current<'a>(&'a self, facts: &Facts<'_>) -> Vec<ItemView<'a>> {
        self.items
            .iter()
            .map(|item| ItemView {
                item,
                state: self.state_of(item, facts),
            })
            .collect()
    }

    fn state_of(&self, item: &ChecklistItem, facts: &Facts<'_>) -> ItemState {
        match &item.mark {
            Mark::Done { by, at, note } => ItemState::Done {
                by: Some(*by),
                at: Some(*at),
                how: How::ByHand { note: note.clone() },
            },
            Mark::Waived { by, at, reason } => ItemState::Waived {
                by: *by,
                at: *at,
                reason: reason.clone(),
            },
            Mark::Open => match seen_in_data(&item.task, self.created_at, facts) {
                Some((by, at, words)) => ItemState::Done {
                    by,
                    at,
                    how: How::SeenInData(words),
                },
                None => ItemState::Open,
            },
        }
    }

    /// How many items are open now.
    pub fn open_count(&self, facts: &Facts<'_>) -> usize {
        self.current(facts)
            .iter()
            .filter(|v| v.state.is_open())
            .count()
    }

    /// Closed when no item is open.
    pub fn is_closed(&self, facts: &Facts<'_>) -> bool {
        self.open_count(facts) == 0
    }

    fn item(&self, task: Task) -> Result<&ChecklistItem, LeaverError> {
        self.items
            .iter()
            .find(|i| i.task == task)
            .ok_or(LeaverError::NoSuchItem)
    }

    /// Applies a new mark and works out whether that closes the list.
    fn settle(
        &self,
        task: Task,
        mark: Mark,
        action: &str,
        by: PersonId,
        now: Timestamp,
        facts: &Facts<'_>,
    ) -> Result<Settled, LeaverError> {
        let current = self.item(task)?;
        if !self.state_of(current, facts).is_open() {
            return Err(LeaverError::AlreadySettled {
                label: current.label.clone(),
            });
        }
        let item = ChecklistItem {
            task,
            label: current.label.clone(),
            mark,
        };
        let mut after = self.clone();
        if let Some(slot) = after.items.iter_mut().find(|i| i.task == task) {
            *slot = item.clone();
        }
        // Reasons and notes stay on the item, out of the audit log: they may mention people.
        let mut events = vec![
            AuditEvent::new(self.council_id, now, Actor::Person(by), action)
                .subject(subject_of(self.person_id))
                .details(json!({ "kind": task.kind(), "subject": task.subject() })),
        ];
        let closed_at = (self.closed_at.is_none() && after.is_closed(facts)).then_some(now);
        if closed_at.is_some() {
            events.push(closed_event(self, by, now));
        }
        Ok(Settled {
            item,
            closed_at,
            events,
        })
    }
}

fn closed_event(checklist: &LeaverChecklist, by: PersonId, now: Timestamp) -> AuditEvent {
    AuditEvent::new(
        checklist.council_id,
        now,
        Actor::Person(by),
        "leaver.checklist_closed",
    )
    .subject(subject_of(checklist.person_id))
}

fn checked_text(text: &str) -> Result<Option<String>, LeaverError> {
    let text = text.trim();
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(LeaverError::ReasonTooLong);
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// The Clerk records a task the records cannot show as done, with an optional note.
pub fn mark_done(
    checklist: &LeaverChecklist,
    task: Task,
    note: &str,
    facts: &Facts<'_>,
    by: PersonId,
    now: Timestamp,
) -> Result<Settled, LeaverError> {
    let item = checklist.item(task)?;
    if let Some(how) = task.settled_by() {
        return Err(LeaverError::ShownByData {
            label: item.label.clone(),
            how,
        });
    }
    let note = checked_text(note)?;
    checklist.settle(
        task,
        Mark::Done { by, at: now, note },
        "leaver.item_done",
        by,
        now,
        facts,
    )
}

/// The Clerk decides an open task will not be done, and says why (the reason is required).
pub fn waive(
    checklist: &LeaverChecklist,
    task: Task,
    reason: &str,
    facts: &Facts<'_>,
    by: PersonId,
    now: Timestamp,
) -> Result<Settled, LeaverError> {
    checklist.item(task)?;
    let reason = checked_text(reason)?.ok_or(LeaverError::ReasonMissing)?;
    checklist.settle(
        task,
        Mark::Waived {
            by,
            at: now,
            reason,
        },
        "leaver.item_waived",
        by,
        now,
        facts,
    )
}

/// Records the list as closed when the records alone have settled its last open items (no
/// tick or waiver was left to close it). Returns the audit entry to store with `closed_at`.
pub fn close(
    checklist: &LeaverChecklist,
    facts: &Facts<'_>,
    by: PersonId,
    now: Timestamp,
) -> Result<AuditEvent, LeaverError> {
    if checklist.closed_at.is_some() {
        return Err(LeaverError::AlreadyClosed);
    }
    match checklist.open_count(facts) {
        0 => Ok(closed_event(checklist, by, now)),
        open => Err(LeaverError::StillOpen(open)),
    }
}

#[cfg(test)]
#[path = "leaver_tests.rs"]
mod tests;
