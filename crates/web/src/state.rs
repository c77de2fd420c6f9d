//! Shared application state handed to every handler.

use crate::ServeOptions;
use crate::cache::{BuildGates, Cache};
use crate::error::AppError;
use crate::passkeys::Passkeys;
use crate::throttle::Throttle;
use custodian_core::CouncilId;
use custodian_core::audit::AuditEntry;
use custodian_core::person::Person;
use custodian_core::ports::{AuditLog, AuditQuery, PersonStore};
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
    /// Signed-in sessions by token hash (see `cache` for when entries are used).
    pub sessions: Cache<String, Arc<crate::session::Current>>,
    /// Each council's people, for names in lists and filters.
    pub people: Cache<CouncilId, Arc<Vec<Person>>>,
    /// Each council's people as the audit log shows them (names by actor, filter options).
    pub directories: Cache<CouncilId, Arc<crate::pages::audit::Directory>>,
    /// Each council's home-page counts and audit checkpoint.
    pub dashboards: Cache<CouncilId, Arc<crate::pages::home::Dashboard>>,
    /// One dashboard build per council at a time.
    pub dashboard_builds: BuildGates<CouncilId>,
    /// Recently shown audit-log pages (people page back and forth through the same filters).
    pub audit_pages: Cache<(CouncilId, AuditQuery), Arc<Vec<AuditEntry>>>,
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
            sessions: Cache::default(),
            people: Cache::default(),
            directories: Cache::default(),
            dashboards: Cache::default(),
            dashboard_builds: BuildGates::default(),
            audit_pages: Cache::with_capacity(256),
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

    /// One page of a council's audit log, from the cache when nothing has changed.
    pub async fn audit_page(
        &self,
        council: CouncilId,
        query: AuditQuery,
    ) -> Result<Arc<Vec<AuditEntry>>, AppError> {
        let change_count = self.store().change_count();
        let key = (council, query);
        if let Some(entries) = self.0.audit_pages.get(&key, change_count) {
            return Ok(entries);
        }
        let entries = Arc::new(self.store().entries(council, &key.1).await?);
        self.0.audit_pages.put(key, change_count, entries.clone());
        Ok(entries)
    }

    /// A council's people as the audit log names them, built once per change.
    pub async fn directory(
        &self,
        council: CouncilId,
    ) -> Result<Arc<crate::pages::audit::Directory>, AppError> {
        let change_count = self.store().records_change_count();
        if let Some(found) = self.0.directories.get(&council, change_count) {
            return Ok(found);
        }
        let people = self.people(council).await?;
        let found = Arc::new(crate::pages::audit::Directory::of(&people)?);
        self.0.directories.put(council, change_count, found.clone());
        Ok(found)
    }

    /// A council's people, from the cache when nothing has changed.
    pub async fn people(&self, council: CouncilId) -> Result<Arc<Vec<Person>>, AppError> {
        let change_count = self.store().records_change_count();
        if let Some(people) = self.0.people.get(&council, change_count) {
            return Ok(people);
        }
        let people = Arc::new(self.store().people(council).await?);
        self.0.people.put(council, change_count, people.clone());
        Ok(people)
    }
}
