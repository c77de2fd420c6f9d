//! Devices that touch council data, council-owned or personal (BYOD): their security facts and
//! the evaluation of those facts against the council's policy profile.
//!
//! Pure: facts and `now` come in, findings go out. Gathering facts (self-attestation forms,
//! osquery uploads, MDM exports) and storing them happen at the edge.

pub mod compliance;
pub mod facts;
pub mod hints;
mod message;

#[cfg(test)]
mod compliance_tests;

pub use compliance::{
    Evaluation, Evaluator, Finding, OS_UPDATE_WINDOW_DAYS, Requirement,
    SELF_ATTESTATION_VALID_FOR_MONTHS, Status, UnknownReason, evaluate,
};
pub use facts::{
    AttemptLimit, DeviceFactError, DeviceFacts, DeviceKind, Fact, FactSource, IdleLock, OsVersion,
    Ownership, PinLength, Platform, ScreenLock, WorkProfile,
};
