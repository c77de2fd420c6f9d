//! Devices that touch council data, council-owned or personal (BYOD): their security facts and
//! the evaluation of those facts against the council's policy profile.
//!
//! Pure: facts and `now` come in, findings go out. The device record and its rules (own-device
//! requests and the Clerk's decision, 2.2.1) are in `record`; the evidence parsers
//! (self-attestation form, osquery results, MDM exports) turn text into [`ReportedFacts`] in
//! `evidence`. Reading files and storing devices happen at the edge.

pub mod compliance;
mod error;
pub mod evidence;
pub mod facts;
pub mod hints;
mod message;
mod record;
mod reported;
mod summary;
mod words;

#[cfg(test)]
mod compliance_tests;

pub use compliance::{
    Evaluation, Evaluator, Finding, OS_UPDATE_WINDOW_DAYS, Requirement,
    SELF_ATTESTATION_VALID_FOR_MONTHS, Status, UnknownReason, evaluate,
};
pub use error::DeviceError;
pub use facts::{
    AttemptLimit, DeviceFactError, DeviceFacts, DeviceKind, Fact, FactSource, IdleLock, OsVersion,
    Ownership, PinLength, Platform, ScreenLock, WorkProfile,
};
pub use record::{
    Approval, Device, DeviceName, MAX_REASON_CHARS, NewDevice, Retirement, approve, decline,
    record_facts, register_council_device, request_own_device, retire,
};
pub use reported::{FactField, ReportedFacts};
pub use summary::{DeviceAttention, DeviceNeeds, attention, device_needs};
