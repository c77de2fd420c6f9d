//! A joiner's checklist (issue 6, item 3): when a person is invited, what must happen before
//! they work safely for the council: a password (4.1.1) and a second factor (4.1.7), the
//! declaration of the policy in force signed (11.1), council equipment received and
//! acknowledged (1.1.5), their own devices registered (2.2.1) and a council email address
//! (2.2.2).
//!
//! As with a leaver's checklist, whatever the records can show is worked out when the list is
//! read ([`JoinerChecklist::current`]): the person setting their password, enrolling a passkey,
//! signing, acknowledging an item or registering a phone ticks their own item without the
//! Clerk. The rest is ticked or waived (with a reason) by the Clerk or IT provider. The list is
//! closed when nothing is open. Pure: no IO, no clock.

use crate::asset::{Asset, AssetStatus};
use crate::audit::{Actor, AuditEvent};
use crate::device::{Device, Ownership};
use crate::ids::{CouncilId, PersonId};
use crate::person::{Email, Person};
use jiff::Timestamp;
use serde_json::json;

#[path = "joiner_task.rs"]
mod task;
pub use task::Task;

pub use crate::checklist::{MAX_REASON_CHARS, Mark};

/// One line of the checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistItem {
    pub task: Task,
    pub mark: Mark,
}

/// The checklist made when a person was invited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinerChecklist {
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub created_by: PersonId,
    pub created_at: Timestamp,
    /// When the last open item was settled, as recorded; `None` while any item is open (and
    /// for a list the records closed but nobody has yet recorded, see [`close`]).
    pub closed_at: Option<Timestamp>,
    pub items: Vec<ChecklistItem>,
}

/// Where the person stands with the policy's declaration (11.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclarationFact {
    /// The council has not adopted a policy in Custodian, so there is nothing to sign yet.
    NoPolicyInForce,
    /// The policy in force does not ask for a signed declaration.
    NotRequired,
    Unsigned,
    Signed {
        at: Timestamp,
    },
}

/// The council's records now, for working out which tasks they show as done.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub person: &'a Person,
    /// Their sign-in account exists and has a password.
    pub has_password: bool,
    /// Their account has an authenticator app or a passkey.
    pub has_second_factor: bool,
    /// The council requires a second factor of one of their roles.
    pub mfa_required: bool,
    pub declaration: DeclarationFact,
    pub assets: &'a [Asset],
    pub devices: &'a [Device],
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
    /// The council's policy does not ask for it (a declaration the profile does not require):
    /// not shown as a task, and never open.
    NotNeeded,
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
pub enum JoinerError {
    #[error("That item is not on this checklist. Reload the page and try again.")]
    NoSuchItem,
    #[error("\"{label}\" is already settled, so nothing was changed.")]
    AlreadySettled { label: &'static str },
    #[error("\"{label}\" is shown by the council's records, not ticked by hand. {how}")]
    ShownByData {
        label: &'static str,
        how: &'static str,
    },
    #[error(
        "The council requires a second factor for their role, so this item cannot be waived. \
         It is done when they set up an authenticator app or a passkey."
    )]
    MfaRequired,
    #[error("Give the reason this item is waived, so the council can see why it was not done.")]
    ReasonMissing,
    #[error("Keep the reason or note to {MAX_REASON_CHARS} characters or fewer.")]
    ReasonTooLong,
    #[error(
        "Enter the council email address they were given, like name@examplepc.gov.uk, in the \
         \"Council email address\" box."
    )]
    EmailMissing,
    #[error(
        "\"{0}\" is not an email address. Enter the council email address they were given, \
         like name@examplepc.gov.uk."
    )]
    EmailInvalid(String),
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

/// Makes the checklist for `person`, invited by `by`: every task, open. Which of them the
/// records already show (a person joining with a sign-in they use for another council has a
/// password already) is worked out on reading.
pub fn build_checklist(
    person: &Person,
    by: PersonId,
    now: Timestamp,
) -> (JoinerChecklist, AuditEvent) {
    let items: Vec<ChecklistItem> = Task::ALL
        .iter()
        .map(|task| ChecklistItem {
            task: *task,
            mark: Mark::Open,
        })
        .collect();
    let event = AuditEvent::new(
        person.council_id,
        now,
        Actor::Person(by),
        "joiner.checklist_created",
    )
    .subject(subject_of(person.id))
    .details(json!({ "items": items.len() }));
    let checklist = JoinerChecklist {
        council_id: person.council_id,
        person_id: person.id,
        created_by: by,
        created_at: now,
        closed_at: None,
        items,
    };
    (checklist, event)
}

/// What the records show about one task.
enum Seen {
    /// Done: by whom and when, if the records say, and in words.
    Done(Option<PersonId>, Option<Timestamp>, String),
    NotNeeded,
}

/// What the records show about one task: done, not needed, or nothing yet (`None`).
fn seen_in_data(task: Task, facts: &Facts<'_>) -> Option<Seen> {
    let person = facts.person;
    match task {
        Task::SetPassword => facts
            .has_password
            .then(|| Seen::Done(None, None, "They have set a password.".to_owned())),
        Task::SetUpMfa => facts.has_second_factor.then(|| {
            Seen::Done(
                None,
                None,
                "They have set up an authenticator app or a passkey.".to_owned(),
            )
        }),
        Task::SignDeclaration => match facts.declaration {
            DeclarationFact::NotRequired => Some(Seen::NotNeeded),
            DeclarationFact::Signed { at } => Some(Seen::Done(
                Some(person.id),
                Some(at),
                "They signed the declaration of the policy in force.".to_owned(),
            )),
            DeclarationFact::NoPolicyInForce | DeclarationFact::Unsigned => None,
        },
        Task::ReceiveEquipment => facts
            .assets
            .iter()
            .filter(|a| a.council_id == person.council_id)
            .filter_map(|a| match a.status {
                AssetStatus::Issued {
                    to,
                    acknowledged_at: Some(at),
                    ..
                } if to == person.id => Some((a, at)),
                _ => None,
            })
            .min_by_key(|(_, at)| *at)
            .map(|(asset, at)| {
                Seen::Done(
                    Some(person.id),
                    Some(at),
                    format!("They acknowledged receiving {}.", asset.number),
                )
            }),
        Task::RegisterOwnDevices => facts
            .devices
            .iter()
            .filter(|d| {
                d.council_id == person.council_id
                    && d.user == Some(person.id)
                    && d.ownership() == Ownership::Personal
            })
            .min_by_key(|d| d.registered_at)
            .map(|device| {
                Seen::Done(
                    None,
                    Some(device.registered_at),
                    format!("They registered their own device \"{}\".", device.name),
                )
            }),
        Task::CouncilEmail => None,
    }
}

impl JoinerChecklist {
    /// Every item with its state now: what the Clerk recorded, or else what the records show.
    pub fn current<'a>(&'a self, facts: &Facts<'_>) -> Vec<ItemView<'a>> {
        self.items
            .iter()
            .map(|item| ItemView {
                item,
                state: state_of(item, facts),
            })
            .collect()
    }

    /// The tasks open now, in the list's order.
    pub fn open_tasks(&self, facts: &Facts<'_>) -> Vec<Task> {
        self.items
            .iter()
            .filter(|item| state_of(item, facts).is_open())
            .map(|item| item.task)
            .collect()
    }

    /// How many items are open now.
    pub fn open_count(&self, facts: &Facts<'_>) -> usize {
        self.open_tasks(facts).len()
    }

    /// Closed when no item is open.
    pub fn is_closed(&self, facts: &Facts<'_>) -> bool {
        self.open_count(facts) == 0
    }

    fn item(&self, task: Task) -> Result<&ChecklistItem, JoinerError> {
        self.items
            .iter()
            .find(|i| i.task == task)
            .ok_or(JoinerError::NoSuchItem)
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
    ) -> Result<Settled, JoinerError> {
        let current = self.item(task)?;
        if !state_of(current, facts).is_open() {
            return Err(JoinerError::AlreadySettled {
                label: task.label(),
            });
        }
        let item = ChecklistItem { task, mark };
        let mut after = self.clone();
        if let Some(slot) = after.items.iter_mut().find(|i| i.task == task) {
            *slot = item.clone();
        }
        // Reasons, notes and addresses stay on the item, out of the audit log: they may name
        // people.
        let mut events = vec![
            AuditEvent::new(self.council_id, now, Actor::Person(by), action)
                .subject(subject_of(self.person_id))
                .details(json!({ "kind": task.kind() })),
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

fn state_of(item: &ChecklistItem, facts: &Facts<'_>) -> ItemState {
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
        Mark::Open => match seen_in_data(item.task, facts) {
            Some(Seen::Done(by, at, words)) => ItemState::Done {
                by,
                at,
                how: How::SeenInData(words),
            },
            Some(Seen::NotNeeded) => ItemState::NotNeeded,
            None => ItemState::Open,
        },
    }
}

fn closed_event(checklist: &JoinerChecklist, by: PersonId, now: Timestamp) -> AuditEvent {
    AuditEvent::new(
        checklist.council_id,
        now,
        Actor::Person(by),
        "joiner.closed",
    )
    .subject(subject_of(checklist.person_id))
}

fn checked_text(text: &str) -> Result<Option<String>, JoinerError> {
    let text = text.trim();
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(JoinerError::ReasonTooLong);
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// The Clerk records a task done by hand: equipment handed over outside the register (with an
/// optional note), or the council email address given (the note is the address, required).
pub fn mark_done(
    checklist: &JoinerChecklist,
    task: Task,
    note: &str,
    facts: &Facts<'_>,
    by: PersonId,
    now: Timestamp,
) -> Result<Settled, JoinerError> {
    checklist.item(task)?;
    if !task.ticked_by_hand() {
        return Err(JoinerError::ShownByData {
            label: task.label(),
            how: task.settled_by(),
        });
    }
    let note = match task {
        Task::CouncilEmail => {
            let text = checked_text(note)?.ok_or(JoinerError::EmailMissing)?;
            let address = Email::parse(&text).map_err(|_| JoinerError::EmailInvalid(text))?;
            Some(address.to_string())
        }
        _ => checked_text(note)?,
    };
    checklist.settle(
        task,
        Mark::Done { by, at: now, note },
        "joiner.item_done",
        by,
        now,
        facts,
    )
}

/// The Clerk decides an open task will not be done, and says why (the reason is required). A
/// second factor the council requires of their role cannot be waived: sign-in asks for it.
pub fn waive(
    checklist: &JoinerChecklist,
    task: Task,
    reason: &str,
    facts: &Facts<'_>,
    by: PersonId,
    now: Timestamp,
) -> Result<Settled, JoinerError> {
    checklist.item(task)?;
    if task == Task::SetUpMfa && facts.mfa_required {
        return Err(JoinerError::MfaRequired);
    }
    let reason = checked_text(reason)?.ok_or(JoinerError::ReasonMissing)?;
    checklist.settle(
        task,
        Mark::Waived {
            by,
            at: now,
            reason,
        },
        "joiner.item_waived",
        by,
        now,
        facts,
    )
}

/// Records the list as closed when the records alone have settled its last open items (no
/// tick or waiver was left to close it). Returns the audit entry to store with `closed_at`.
pub fn close(
    checklist: &JoinerChecklist,
    facts: &Facts<'_>,
    by: PersonId,
    now: Timestamp,
) -> Result<AuditEvent, JoinerError> {
    if checklist.closed_at.is_some() {
        return Err(JoinerError::AlreadyClosed);
    }
    match checklist.open_count(facts) {
        0 => Ok(closed_event(checklist, by, now)),
        open => Err(JoinerError::StillOpen(open)),
    }
}

#[cfg(test)]
#[path = "joiner_tests.rs"]
mod tests;
