//! Page handlers, one module per area of the site.

pub mod account;
pub mod assets;
pub mod audit;
pub mod devices;
pub mod home;
pub mod home_vault;
pub mod incidents;
pub mod leaving;
pub mod notifications;
pub mod onboarding;
pub mod passkeys;
pub mod people;
pub mod policy;
pub mod settings;
pub mod sign_in;
pub mod vault;
