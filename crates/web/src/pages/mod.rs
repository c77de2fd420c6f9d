//! Page handlers, one module per area of the site.

pub mod account;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod devices;
pub mod health;
pub mod home;
pub mod home_routines;
pub mod home_vault;
pub mod incidents;
pub mod joining;
pub mod leaving;
pub mod mail;
pub mod monitoring;
pub mod notifications;
pub mod onboarding;
pub mod passkeys;
pub mod people;
pub mod policy;
pub mod reminders;
pub mod settings;
pub mod sign_in;
pub mod vault;
