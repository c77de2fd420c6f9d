//! Shared application state handed to every handler.

use crate::ServeOptions;
use crate::passkeys::Passkeys;
use crate::throttle::Throttle;
use custodian_core::time::Clock;
use custodian_store::Store;
use jiff::Timestamp;
use secrecy::SecretString;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub options: ServeOptions,
    pub throttle: Throttle,
    /// The first-run setup code; taken (set to `None`) once a council has been founded.
    pub setup_code: Mutex<Option<SecretString>>,
    /// The WebAuthn relying party (built once from the public address) and the passkey
    /// ceremonies in progress.
    pub passkeys: Passkeys,
}

impl AppState {
    pub fn new(store: Store, options: ServeOptions, clock: Arc<dyn Clock>) -> Self {
        let setup_code = Mutex::new(options.setup_code.clone());
        let passkeys = Passkeys::new(&options.public_url);
        Self(Arc::new(Inner {
            store,
            clock,
            options,
            throttle: Throttle::default(),
            setup_code,
            passkeys,
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    pub fn inner(&self) -> &Inner {
        &self.0
    }
}
