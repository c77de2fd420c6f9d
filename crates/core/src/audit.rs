//! The tamper-evident audit chain.
//!
//! Every state change appends an [`AuditEntry`] in the same transaction as the change. Entries
//! form one hash chain per council: each entry's hash covers its own fields and the previous
//! entry's hash, so altering, removing or reordering any entry breaks every hash after it.
//! [`ChainVerifier`] recomputes a chain offline and names the first entry that does not fit.
//!
//! Entries refer to people only by id (never by name or email), so a person's personal data can
//! later be erased without breaking the chain.

use crate::ids::{CouncilId, PersonId};
use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// The hash that the first entry of every chain points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in person (or, for a failed sign-in, the person whose account was tried).
    Person(PersonId),
    /// Someone at the server's command line (`custodian init`, `custodian import`).
    Operator,
    /// Custodian itself (scheduled work, automatic responses).
    System,
    /// Someone not signed in.
    Anonymous,
}

impl Actor {
    pub fn to_storage(&self) -> String {
        match self {
            Actor::Person(id) => format!("person:{id}"),
            Actor::Operator => "operator".to_owned(),
            Actor::System => "system".to_owned(),
            Actor::Anonymous => "anonymous".to_owned(),
        }
    }

    pub fn from_storage(text: &str) -> Option<Self> {
        match text {
            "operator" => Some(Actor::Operator),
            "system" => Some(Actor::System),
            "anonymous" => Some(Actor::Anonymous),
            other => other
                .strip_prefix("person:")
                .and_then(|id| PersonId::parse(id).ok())
                .map(Actor::Person),
        }
    }

    pub fn person(&self) -> Option<PersonId> {
        match self {
            Actor::Person(id) => Some(*id),
            _ => None,
        }
    }
}

/// What a caller asks to be recorded. The store turns it into an [`AuditEntry`] by giving it
/// the next sequence number and chaining it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    pub council_id: CouncilId,
    pub at: Timestamp,
    pub actor: Actor,
    /// A dotted code such as `person.invited`; see `docs/security.md` for the list.
    pub action: String,
    /// What the action was done to, e.g. `person:<id>`; empty when nothing in particular.
    pub subject: String,
    /// Further facts as a JSON object. Never names, emails, passwords or tokens.
    pub details: Value,
}

impl AuditEvent {
    pub fn new(
        council_id: CouncilId,
        at: Timestamp,
        actor: Actor,
        action: impl Into<String>,
    ) -> Self {
        Self {
            council_id,
            at,
            actor,
            action: action.into(),
            subject: String::new(),
            details: Value::Object(Default::default()),
        }
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Chains this event after `previous` (or starts a chain when there is none).
    pub fn chain(self, previous: Option<&ChainHead>) -> AuditEntry {
        let (seq, prev_hash) = match previous {
            Some(head) => (head.seq + 1, head.hash.clone()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        // serde_json's default map is ordered by key, so this text is canonical.
        let details = self.details.to_string();
        let mut entry = AuditEntry {
            council_id: self.council_id,
            seq,
            at_ms: self.at.as_millisecond(),
            actor: self.actor.to_storage(),
            action: self.action,
            subject: self.subject,
            details,
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }
}

/// One stored link of a council's chain, exactly as kept in the database.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    pub council_id: CouncilId,
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// SHA-256 over a canonical encoding: a version tag, then every field length-prefixed, so
    /// no two different entries encode to the same bytes. Returned as lower-case hex.
    pub fn compute_hash(&self) -> String {
        hex::encode(self.digest())
    }

    /// The raw SHA-256 of [`AuditEntry::compute_hash`]. Allocates nothing, because verifying a
    /// long log calls it once per entry.
    pub fn digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"custodian-audit-v1");
        let mut council_buffer = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let council = self
            .council_id
            .as_uuid()
            .hyphenated()
            .encode_lower(&mut council_buffer);
        let seq = self.seq.to_be_bytes();
        let at = self.at_ms.to_be_bytes();
        for field in [
            council.as_bytes(),
            &seq,
            &at,
            self.actor.as_bytes(),
            self.action.as_bytes(),
            self.subject.as_bytes(),
            self.details.as_bytes(),
            self.prev_hash.as_bytes(),
        ] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field);
        }
        hasher.finalize().into()
    }

    /// Whether the stored hash is the hash of the stored contents.
    pub fn hash_matches(&self) -> bool {
        let mut stored = [0u8; 32];
        hex::decode_to_slice(&self.hash, &mut stored).is_ok()
            && self.hash.bytes().all(|b| !b.is_ascii_uppercase())
            && stored == self.digest()
    }

    pub fn head(&self) -> ChainHead {
        ChainHead {
            council_id: self.council_id,
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }

    pub fn at(&self) -> Timestamp {
        crate::time::from_millis(self.at_ms)
    }
}

/// The latest link of a council's chain: a short checkpoint the Clerk can record in minutes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ChainHead {
    pub council_id: CouncilId,
    pub seq: i64,
    pub hash: String,
}

/// Why an entry does not fit its chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// The sequence skips or repeats: an entry was removed or inserted.
    SequenceGap { expected: i64 },
    /// The entry does not point at the previous entry's hash.
    WrongPrevious,
    /// The entry's stored hash does not match its contents: it was altered.
    Altered,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainBreak::SequenceGap { expected } => write!(
                f,
                "expected entry {expected} here: an entry is missing or was inserted"
            ),
            ChainBreak::WrongPrevious => f.write_str(
                "it does not point at the entry before it: entries were removed or reordered",
            ),
            ChainBreak::Altered => {
                f.write_str("its contents do not match its hash: the entry was altered")
            }
        }
    }
}

/// The first entry that broke a council's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenEntry {
    pub council_id: CouncilId,
    pub seq: i64,
    pub reason: ChainBreak,
}

/// Checks entries streamed in (council, seq) order. Keeps only the previous head, so a chain
/// of any length is verified in constant memory.
#[derive(Default)]
pub struct ChainVerifier {
    current: Option<ChainHead>,
    heads: Vec<ChainHead>,
    broken: Vec<BrokenEntry>,
    entries: u64,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next entry. Entries of one council must arrive together and in order.
    pub fn push(&mut self, entry: &AuditEntry) {
        self.entries += 1;
        if self
            .current
            .as_ref()
            .is_some_and(|h| h.council_id != entry.council_id)
        {
            self.finish_council();
        }
        if self.broken_council(entry.council_id) {
            return;
        }
        let (expected_seq, expected_prev) = match &self.current {
            Some(head) => (head.seq + 1, head.hash.as_str()),
            None => (1, GENESIS_HASH),
        };
        let reason = if entry.seq != expected_seq {
            Some(ChainBreak::SequenceGap {
                expected: expected_seq,
            })
        } else if !entry.hash_matches() {
            Some(ChainBreak::Altered)
        } else if entry.prev_hash != expected_prev {
            Some(ChainBreak::WrongPrevious)
        } else {
            None
        };
        match reason {
            Some(reason) => self.broken.push(BrokenEntry {
                council_id: entry.council_id,
                seq: entry.seq,
                reason,
            }),
            // Reuse the head's buffer: verifying a long log then allocates nothing per entry.
            None => match &mut self.current {
                Some(head) => {
                    head.seq = entry.seq;
                    head.hash.clear();
                    head.hash.push_str(&entry.hash);
                }
                None => self.current = Some(entry.head()),
            },
        }
    }

    fn broken_council(&self, council: CouncilId) -> bool {
        self.broken.iter().any(|b| b.council_id == council)
    }

    fn finish_council(&mut self) {
        if let Some(head) = self.current.take() {
            self.heads.push(head);
        }
    }

    /// The outcome: the head of every intact chain and the first break of every broken one.
    pub fn finish(mut self) -> ChainReport {
        self.finish_council();
        let broken_councils: Vec<CouncilId> = self.broken.iter().map(|b| b.council_id).collect();
        self.heads
            .retain(|h| !broken_councils.contains(&h.council_id));
        ChainReport {
            entries: self.entries,
            heads: self.heads,
            broken: self.broken,
        }
    }
}

/// What [`ChainVerifier::finish`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    pub entries: u64,
    pub heads: Vec<ChainHead>,
    pub broken: Vec<BrokenEntry>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(council: CouncilId, n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let event = AuditEvent::new(
                council,
                Timestamp::from_second(1_700_000_000 + i as i64).unwrap(),
                Actor::System,
                "test.event",
            )
            .details(json!({"i": i}));
            let entry = event.chain(out.last().map(|e| e.head()).as_ref());
            out.push(entry);
        }
        out
    }

    fn verify(entries: &[AuditEntry]) -> ChainReport {
        let mut v = ChainVerifier::new();
        entries.iter().for_each(|e| v.push(e));
        v.finish()
    }

    #[test]
    fn an_untouched_chain_verifies_and_reports_its_head() {
        let council = CouncilId::generate();
        let entries = chain(council, 5);
        let report = verify(&entries);
        assert!(report.is_intact());
        assert_eq!(report.heads, vec![entries[4].head()]);
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
    }

    #[test]
    fn altering_one_field_names_that_entry() {
        let council = CouncilId::generate();
        let mut entries = chain(council, 5);
        entries[2].details = r#"{"i":99}"#.to_owned();
        let report = verify(&entries);
        assert_eq!(
            report.broken,
            vec![BrokenEntry {
                council_id: council,
                seq: 3,
                reason: ChainBreak::Altered
            }]
        );
    }

    #[test]
    fn removing_an_entry_is_a_sequence_gap() {
        let council = CouncilId::generate();
        let mut entries = chain(council, 5);
        entries.remove(1);
        let report = verify(&entries);
        assert_eq!(report.broken[0].seq, 3);
        assert_eq!(
            report.broken[0].reason,
            ChainBreak::SequenceGap { expected: 2 }
        );
    }

    #[test]
    fn recomputing_a_hash_after_editing_still_breaks_the_next_link() {
        let council = CouncilId::generate();
        let mut entries = chain(council, 4);
        entries[1].action = "forged".to_owned();
        entries[1].hash = entries[1].compute_hash();
        let report = verify(&entries);
        assert_eq!(report.broken[0].seq, 3);
        assert_eq!(report.broken[0].reason, ChainBreak::WrongPrevious);
    }

    #[test]
    fn councils_are_checked_independently() {
        let a = CouncilId::generate();
        let b = CouncilId::generate();
        let mut entries = chain(a, 3);
        let mut other = chain(b, 3);
        other[0].actor = "operator".to_owned();
        entries.extend(other);
        let report = verify(&entries);
        assert_eq!(report.heads.len(), 1);
        assert_eq!(report.broken.len(), 1);
        assert_eq!(report.broken[0].council_id, b);
    }

    #[test]
    fn the_allocation_free_check_agrees_with_the_hex_hash() {
        let entries = chain(CouncilId::generate(), 3);
        for entry in &entries {
            assert_eq!(hex::encode(entry.digest()), entry.compute_hash());
            assert!(entry.hash_matches());
            let mut upper = entry.clone();
            upper.hash = upper.hash.to_uppercase();
            assert!(
                !upper.hash_matches(),
                "the stored text itself must be intact"
            );
            let mut short = entry.clone();
            short.hash.pop();
            assert!(!short.hash_matches());
        }
    }

    #[test]
    fn actors_round_trip() {
        let id = PersonId::generate();
        for actor in [
            Actor::Person(id),
            Actor::Operator,
            Actor::System,
            Actor::Anonymous,
        ] {
            assert_eq!(Actor::from_storage(&actor.to_storage()), Some(actor));
        }
    }
}
