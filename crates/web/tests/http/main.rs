//! HTTP tests: the whole application served on a free port, driven like a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod access;
mod approvals;
mod asset_import;
mod assets;
mod devices;
mod health;
mod incidents;
mod joiners;
mod leavers;
mod mail;
mod monitoring_care;
mod monitoring_care_access;
mod monitoring_fixture;
mod monitoring_names;
mod monitoring_reports;
mod monitoring_setup;
mod monitoring_upload;
mod onboarding;
mod pages;
mod passkeys;
mod policy;
mod policy_review;
mod reminders;
mod signing_in;
mod smtp_sink;
mod vault;
mod vault_access;
mod vault_emergency;
