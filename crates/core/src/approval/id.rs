//! The approval request's identifier, shaped like those in `crate::ids` (a UUID wrapped so it
//! cannot be passed where another record's id is expected). Kept here rather than in `ids` while
//! several capabilities are added at once; it can move there unchanged.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Identifies one request for approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApprovalId(Uuid);

impl ApprovalId {
    /// Wraps an existing UUID (for example one read from storage).
    pub fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    /// A new time-ordered identifier; called at the edge, never inside a rule.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses the textual form used in URLs and storage.
    pub fn parse(text: &str) -> Result<Self, uuid::Error> {
        Uuid::parse_str(text).map(Self)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for ApprovalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
