//! Custodian's domain: councils, people and roles, the permission matrix, the tamper-evident
//! audit chain, incidents and password rules.
//!
//! This crate is pure. It performs no IO and owns no clock or source of randomness: callers pass
//! `now` and any random number generator in, so every rule can be tested with fixed inputs.
//! Storage is reached only through the traits in [`ports`].
#![forbid(unsafe_code)]

pub mod approval;
pub mod asset;
pub mod audit;
pub mod checklist;
pub mod council;
pub mod device;
pub mod health;
pub mod ids;
pub mod incident;
pub mod joiner;
pub mod leaver;
pub mod mail;
pub mod monitor;
pub mod passphrase;
pub mod password;
pub mod permission;
pub mod person;
pub mod policy;
pub mod ports;
pub mod reminder;
pub mod text;
pub mod time;
pub mod vault;

pub use ids::{CouncilId, PersonId};
