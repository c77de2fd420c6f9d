//! What joining and leaving checklists share: the mark the Clerk records against an item. Only
//! tasks the records cannot show are marked done by hand; a task is waived with a reason. The
//! rest of each checklist (its tasks, and how the records settle them) is its own module's.

use crate::ids::PersonId;
use jiff::Timestamp;

/// The longest note or reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// What the Clerk recorded against an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    Open,
    Done {
        by: PersonId,
        at: Timestamp,
        /// What was done, if the Clerk said (for a joiner's council email address: the address).
        note: Option<String>,
    },
    Waived {
        by: PersonId,
        at: Timestamp,
        reason: String,
    },
}

impl Mark {
    /// The stored state name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Mark::Open => "open",
            Mark::Done { .. } => "done",
            Mark::Waived { .. } => "waived",
        }
    }
}
