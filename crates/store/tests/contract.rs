//! The storage contract: one suite, run against every engine Custodian supports.
//!
//! Every case runs on SQLite (a fresh file in a temporary directory) and, when
//! `CUSTODIAN_TEST_POSTGRES_URL` is set, on PostgreSQL too, each case in its own freshly created
//! database so cases cannot see each other's rows. When the variable is set but PostgreSQL cannot
//! be reached the cases fail: a CI run that meant to test PostgreSQL must never pass silently
//! without it. An empty value counts as unset.
//!
//! Assertion messages start with the engine's name, so a failure says which engine broke.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custodian_core::audit::{
    Actor, AuditEntry, AuditEvent, BrokenEntry, ChainBreak, ChainReport, ChainVerifier,
    GENESIS_HASH,
};
use custodian_core::council::{Council, CouncilKind, CouncilName, Founding, found_council};
use custodian_core::ids::{AccountId, CouncilId, IncidentId, PersonId};
use custodian_core::incident::{IncidentKind, IncidentReport, IncidentStatus, open_incident};
use custodian_core::person::{
    Email, NewPerson, Person, PersonName, PersonStatus, Role, RoleSet, add_person,
};
use custodian_core::ports::DashboardStore;
use custodian_core::ports::{
    Account, AccountStore, AuditLog, AuditQuery, CouncilStore, IncidentStore, Invitation,
    LinkPurpose, PasskeyRecord, PasskeyStore, PersonStore, Session, SessionStore, StoreError,
};
use custodian_store::transfer::{TransferError, exported_tables};
use custodian_store::{Engine, OpenError, Store};
use jiff::Timestamp;
use serde_json::{Value, json};
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, BTreeSet};

const POSTGRES_URL_VAR: &str = "CUSTODIAN_TEST_POSTGRES_URL";

// ---------------------------------------------------------------------------------------------
// Engines
// ---------------------------------------------------------------------------------------------

/// Where a fresh database for one case comes from.
#[derive(Clone, Debug)]
enum Backend {
    Sqlite,
    /// The address of an existing PostgreSQL database whose role may `CREATE DATABASE`.
    Postgres(String),
}

/// SQLite always; PostgreSQL when the variable names one.
fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if let Some(url) = postgres_url() {
        all.push(Backend::Postgres(url));
    }
    all
}

fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// One fresh, migrated database for one case.
struct Db {
    engine: &'static str,
    store: Store,
    /// Keeps the SQLite file alive until the case ends.
    _dir: Option<tempfile::TempDir>,
    /// The server address and the database created for this case, to drop afterwards.
    postgres: Option<(String, String)>,
}

impl Backend {
    async fn fresh(&self) -> Db {
        match self {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open_sqlite_in(dir.path())
                    .await
                    .expect("SQLite: could not open a database in a temporary directory");
                store.migrate().await.expect("SQLite: migrations failed");
                assert_eq!(store.engine(), Engine::Sqlite);
                Db {
                    engine: Engine::Sqlite.name(),
                    store,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres(url) => {
                let name = format!("custodian_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = admin_connection(url).await;
                sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL: could not create the test database {name}: {e}")
                    });
                admin.close().await.ok();
                let store = Store::open(&with_database(url, &name))
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL: could not open {name}: {e}"));
                store
                    .migrate()
                    .await
                    .expect("PostgreSQL: migrations failed");
                assert_eq!(store.engine(), Engine::Postgres);
                Db {
                    engine: Engine::Postgres.name(),
                    store,
                    _dir: None,
                    postgres: Some((url.clone(), name)),
                }
            }
        }
    }
}

impl Db {
    /// Closes the store and drops a PostgreSQL case database. A case that panics leaves its
    /// database behind (named `custodian_t_…`), which is harmless.
    async fn finish(self) {
        self.store.close().await;
        if let Some((url, name)) = &self.postgres {
            let mut admin = admin_connection(url).await;
            sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL: could not drop {name}: {e}"));
            admin.close().await.ok();
        }
    }
}

/// A fresh database on every engine under test.
async fn engines() -> Vec<Db> {
    let mut all = Vec::new();
    for backend in backends() {
        all.push(backend.fresh().await);
    }
    all
}

async fn admin_connection(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url).await.unwrap_or_else(|e| {
        panic!(
            "{POSTGRES_URL_VAR} is set to {} but PostgreSQL could not be reached: {e}",
            custodian_store::redact_url(url)
        )
    })
}

/// The same server address naming another database.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// A fixed instant `minutes` after a fixed origin: time is an input, never the wall clock.
fn t(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_780_000_000 + minutes * 60).unwrap()
}

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn all() -> AuditQuery {
    AuditQuery {
        limit: 10_000,
        ..AuditQuery::default()
    }
}

fn random_hex() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Founds a council with its Clerk, as `custodian init` does.
async fn found(store: &Store, name: &str, clerk_email: &str) -> (Council, Person) {
    let (council, clerk, events) = found_council(
        Founding {
            council_id: CouncilId::generate(),
            name: CouncilName::parse(name).unwrap(),
            kind: CouncilKind::Parish,
            clerk_id: PersonId::generate(),
            clerk_name: PersonName::parse("Clara Clerk").unwrap(),
            clerk_email: email(clerk_email),
        },
        Actor::Operator,
        t(0),
    );
    store
        .create_council(&council, &clerk, &events)
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not found {name}: {e}", store.engine()));
    (council, clerk)
}

/// A newly invited person and the event recording it (not yet stored).
fn new_person(council: CouncilId, name: &str, mail: &str, at: Timestamp) -> (Person, AuditEvent) {
    add_person(
        council,
        PersonId::generate(),
        NewPerson {
            name: PersonName::parse(name).unwrap(),
            email: email(mail),
            roles: RoleSet::of(&[Role::Councillor]),
            start_date: None,
        },
        Actor::Operator,
        at,
    )
    .unwrap()
}

async fn add(store: &Store, council: CouncilId, name: &str, mail: &str) -> Person {
    let (person, event) = new_person(council, name, mail, t(1));
    store.insert_person(&person, &event).await.unwrap();
    person
}

fn account(mail: &str) -> Account {
    Account {
        id: AccountId::generate(),
        email: email(mail),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
        failed_attempts: 0,
        locked_until: None,
        totp_secret: None,
        recovery_code_hashes: vec![],
        created_at: t(5),
    }
}

fn invitation(person: &Person, at: Timestamp) -> Invitation {
    Invitation {
        token_hash: random_hex(),
        council_id: person.council_id,
        person_id: person.id,
        purpose: LinkPurpose::Invitation,
        created_at: at,
        expires_at: at + custodian_core::person::INVITATION_VALID_FOR,
        used_at: None,
    }
}

/// A passkey record as the web layer would store it; the credential is opaque JSON text.
fn passkey(account: AccountId, name: &str, at: Timestamp) -> PasskeyRecord {
    PasskeyRecord {
        id: uuid::Uuid::new_v4().to_string(),
        account_id: account,
        name: name.to_owned(),
        credential: json!({ "cred": { "cred_id": random_hex(), "counter": 0 } }).to_string(),
        created_at: at,
        last_used_at: None,
    }
}

fn event(council: CouncilId, at: Timestamp, actor: Actor, action: &str) -> AuditEvent {
    AuditEvent::new(council, at, actor, action)
}

/// Invites `person` and has them accept, creating `account` or linking to it.
async fn invite_and_accept(store: &Store, person: &Person, account: &Account, create: bool) {
    let invite = invitation(person, t(2));
    store
        .insert_invitation(
            &invite,
            &event(person.council_id, t(2), Actor::Operator, "person.invited")
                .subject(format!("person:{}", person.id)),
        )
        .await
        .unwrap();
    store
        .accept_invitation(
            &invite.token_hash,
            account,
            create,
            person.id,
            &event(
                person.council_id,
                t(5),
                Actor::Person(person.id),
                "person.invitation_accepted",
            ),
        )
        .await
        .unwrap();
}

async fn all_entries(store: &Store) -> Vec<AuditEntry> {
    let mut entries = Vec::new();
    store
        .for_each_entry(|e| entries.push(e.clone()))
        .await
        .unwrap();
    entries
}

async fn verify(store: &Store) -> ChainReport {
    let mut verifier = ChainVerifier::new();
    store.for_each_entry(|e| verifier.push(e)).await.unwrap();
    verifier.finish()
}

fn seqs(entries: &[AuditEntry]) -> Vec<i64> {
    entries.iter().map(|e| e.seq).collect()
}

async fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.export(&mut out).await.unwrap();
    out
}

async fn import(store: &Store, bytes: &[u8]) -> Result<u64, TransferError> {
    let mut reader: &[u8] = bytes;
    store.import(&mut reader).await.map(|s| s.total())
}

/// An installation with a row in every table and awkward text (quotes, newlines, non-ASCII),
/// for the export and import cases.
async fn build_sample(store: &Store) {
    let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
    let (bryn, _) = found(store, "Brynŵr Town Council", "clerk@bryn.example").await;
    let zoe = add(store, ashby.id, "Zoë O'Brien", "zoe@ashby.example").await;
    let zoe_in_bryn = add(store, bryn.id, "Zoë O'Brien", "zoe@personal.example").await;
    let shared = account("zoe@personal.example");
    invite_and_accept(store, &zoe, &shared, true).await;
    invite_and_accept(store, &zoe_in_bryn, &shared, false).await;
    // An invitation still waiting, and a person who has left.
    let waiting = add(
        store,
        ashby.id,
        "Wyn \"the Treasurer\" Jones",
        "wyn@ashby.example",
    )
    .await;
    store
        .insert_invitation(
            &invitation(&waiting, t(6)),
            &event(ashby.id, t(6), Actor::Operator, "person.invited"),
        )
        .await
        .unwrap();
    let mut leaver = add(store, ashby.id, "Lee Ver", "lee@ashby.example").await;
    leaver.status = PersonStatus::Left;
    leaver.leave_date = Some("2026-03-31".parse().unwrap());
    store
        .update_person(
            &leaver,
            &event(ashby.id, t(7), Actor::Operator, "person.left")
                .details(json!({"note": "kept \"records\"\nline two", "n": 3})),
        )
        .await
        .unwrap();
    store
        .insert_session(
            &Session {
                token_hash: random_hex(),
                account_id: shared.id,
                council_id: ashby.id,
                person_id: zoe.id,
                csrf_token: random_hex(),
                mfa_passed: true,
                created_at: t(8),
                last_seen_at: t(9),
            },
            &event(ashby.id, t(8), Actor::Person(zoe.id), "signin.succeeded"),
        )
        .await
        .unwrap();
    let (incident, opened) = open_incident(
        ashby.id,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::LostOrStolenDevice,
            summary: "Laptop 💻 left on the \"7:15\" train\nat Ashby — café".to_owned(),
            happened_at: Some(t(3)),
        },
        Actor::Person(zoe.id),
        t(10),
    )
    .unwrap();
    store.insert_incident(&incident, &opened).await.unwrap();
    let (incident, opened) = open_incident(
        bryn.id,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::SuspectedCredentialCompromise,
            summary: "Refused reveal".to_owned(),
            happened_at: None,
        },
        Actor::System,
        t(11),
    )
    .unwrap();
    store.insert_incident(&incident, &opened).await.unwrap();
    let mut key = passkey(shared.id, "Zoë's \"work\" laptop\n💻", t(13));
    store
        .insert_passkey(
            &key,
            &event(ashby.id, t(13), Actor::Person(zoe.id), "mfa.passkey_added"),
        )
        .await
        .unwrap();
    key.last_used_at = Some(t(14));
    store
        .record_passkey_use(
            &key,
            &event(ashby.id, t(14), Actor::Person(zoe.id), "signin.succeeded"),
        )
        .await
        .unwrap();
    store
        .record_failed_sign_in(
            shared.id,
            2,
            Some(t(20)),
            &[
                event(ashby.id, t(12), Actor::Person(zoe.id), "signin.failed"),
                event(
                    bryn.id,
                    t(12),
                    Actor::Person(zoe_in_bryn.id),
                    "signin.failed",
                ),
            ],
        )
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Councils and people
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn founding_a_council_stores_the_council_and_clerk_and_starts_its_audit_chain() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (council, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;

        assert_eq!(
            store.council(council.id).await.unwrap(),
            council,
            "{engine}"
        );
        assert_eq!(
            store.councils().await.unwrap(),
            vec![council.clone()],
            "{engine}"
        );
        assert_eq!(
            store.person(council.id, clerk.id).await.unwrap(),
            clerk,
            "{engine}"
        );
        assert_eq!(
            store.people(council.id).await.unwrap(),
            vec![clerk.clone()],
            "{engine}"
        );

        let mut entries = store.entries(council.id, &all()).await.unwrap();
        entries.reverse();
        assert_eq!(seqs(&entries), vec![1, 2], "{engine}: the founding events");
        assert_eq!(entries[0].action, "council.created", "{engine}");
        assert_eq!(entries[0].prev_hash, GENESIS_HASH, "{engine}");
        assert_eq!(entries[1].action, "person.added", "{engine}");
        assert_eq!(entries[1].prev_hash, entries[0].hash, "{engine}");
        assert_eq!(entries[0].actor, "operator", "{engine}");
        assert_eq!(entries[0].at(), t(0), "{engine}");
        assert_eq!(
            store.heads().await.unwrap(),
            vec![entries[1].head()],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");

        let missing = store.council(CouncilId::generate()).await.unwrap_err();
        assert!(
            matches!(missing, StoreError::NotFound("council")),
            "{engine}: an unknown council should be NotFound, got {missing:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn founding_a_second_council_with_the_same_id_is_a_conflict_and_changes_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (council, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let mut again = council.clone();
        again.name = CouncilName::parse("Another Name").unwrap();
        let other_clerk = Person {
            id: PersonId::generate(),
            ..clerk.clone()
        };
        let err = store
            .create_council(
                &again,
                &other_clerk,
                &[event(council.id, t(1), Actor::Operator, "council.created")],
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.council(council.id).await.unwrap(),
            council,
            "{engine}"
        );
        assert_eq!(
            store.people(council.id).await.unwrap(),
            vec![clerk],
            "{engine}"
        );
        assert_eq!(all_entries(store).await.len(), 2, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn updating_a_council_changes_its_name_and_settings_and_is_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let name = CouncilName::parse("Ashby Town Council").unwrap();
        let mut settings = council.settings.clone();
        settings.mfa_required_roles = RoleSet::of(&[Role::Clerk, Role::Chair]);
        store
            .update_council(
                council.id,
                &name,
                &settings,
                &event(council.id, t(1), Actor::Operator, "council.updated"),
            )
            .await
            .unwrap();
        let stored = store.council(council.id).await.unwrap();
        assert_eq!(stored.name, name, "{engine}");
        assert_eq!(stored.settings, settings, "{engine}");
        let latest = store.entries(council.id, &all()).await.unwrap();
        assert_eq!(latest[0].action, "council.updated", "{engine}");

        let unknown = CouncilId::generate();
        let err = store
            .update_council(
                unknown,
                &name,
                &settings,
                &event(unknown, t(1), Actor::Operator, "council.updated"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound(_)),
            "{engine}: got {err:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_person_from_another_council_is_not_found_and_people_lists_are_per_council() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, ashby_clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, bryn_clerk) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;

        let err = store.person(bryn.id, alice.id).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("person")),
            "{engine}: reading another council's person must be NotFound, got {err:?}"
        );
        assert_eq!(
            store.person(ashby.id, alice.id).await.unwrap(),
            alice,
            "{engine}"
        );
        assert_eq!(
            store.people(ashby.id).await.unwrap(),
            vec![alice.clone(), ashby_clerk.clone()],
            "{engine}: people are listed by name"
        );
        assert_eq!(
            store.people(bryn.id).await.unwrap(),
            vec![bryn_clerk],
            "{engine}"
        );
        assert_eq!(
            store.person_by_email(bryn.id, &alice.email).await.unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store.person_by_email(ashby.id, &alice.email).await.unwrap(),
            Some(alice.clone()),
            "{engine}"
        );

        // Changing a person through another council's id must not reach them.
        let mut hijacked = alice.clone();
        hijacked.council_id = bryn.id;
        hijacked.name = PersonName::parse("Mallory").unwrap();
        let err = store
            .update_person(
                &hijacked,
                &event(bryn.id, t(3), Actor::Operator, "person.updated"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.person(ashby.id, alice.id).await.unwrap(),
            alice,
            "{engine}"
        );
        assert_eq!(
            store.entries(bryn.id, &all()).await.unwrap().len(),
            2,
            "{engine}: the refused change left no audit entry"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn adding_the_same_email_twice_in_a_council_is_a_conflict_and_leaves_no_audit_entry() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let before = all_entries(store).await;

        let (twin, twin_event) = new_person(ashby.id, "Alice Again", "ALICE@a.example", t(2));
        let err = store.insert_person(&twin, &twin_event).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(m) if m.contains("alice@a.example")),
            "{engine}: expected a Conflict naming the address, got {err:?}"
        );
        assert_eq!(
            all_entries(store).await,
            before,
            "{engine}: the refused insert must leave no audit entry"
        );
        assert!(
            matches!(
                store.person(ashby.id, twin.id).await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}"
        );

        // The same address is welcome in another council.
        let (elsewhere, elsewhere_event) =
            new_person(bryn.id, "Alice Adams", "alice@a.example", t(2));
        store
            .insert_person(&elsewhere, &elsewhere_event)
            .await
            .unwrap();

        // Changing someone's address to one already used is refused the same way.
        let mut bob = add(store, ashby.id, "Bob Brown", "bob@a.example").await;
        let before = all_entries(store).await;
        bob.email = email("alice@a.example");
        let err = store
            .update_person(
                &bob,
                &event(ashby.id, t(3), Actor::Operator, "person.updated"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(all_entries(store).await, before, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_change_whose_audit_entry_cannot_be_written_is_not_stored() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (person, _) = new_person(ashby.id, "Alice Adams", "alice@a.example", t(1));
        // The event names a council that does not exist, so its entry cannot be chained.
        let orphan = event(CouncilId::generate(), t(1), Actor::Operator, "person.added");
        let err = store.insert_person(&person, &orphan).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("council")),
            "{engine}: got {err:?}"
        );
        assert!(
            matches!(
                store.person(ashby.id, person.id).await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}: the person must not be stored without their audit entry"
        );
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// The audit log
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn audit_entries_chain_per_council_and_verify_intact() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let mut last_ashby = None;
        let mut last_bryn = None;
        for i in 0..7 {
            let appended = store
                .append(&event(ashby.id, t(i), Actor::System, "test.tick").details(json!({"i": i})))
                .await
                .unwrap();
            assert_eq!(appended.seq, 3 + i, "{engine}");
            last_ashby = Some(appended);
            if i % 2 == 0 {
                last_bryn = Some(
                    store
                        .append(&event(bryn.id, t(i), Actor::Anonymous, "test.tock"))
                        .await
                        .unwrap(),
                );
            }
        }
        let (last_ashby, last_bryn) = (last_ashby.unwrap(), last_bryn.unwrap());
        assert_eq!(last_ashby.seq, 9, "{engine}");
        assert_eq!(
            last_bryn.seq, 6,
            "{engine}: each council has its own sequence"
        );

        let entries = all_entries(store).await;
        assert_eq!(entries.len(), 15, "{engine}");
        let ashby_seqs: Vec<i64> = entries
            .iter()
            .filter(|e| e.council_id == ashby.id)
            .map(|e| e.seq)
            .collect();
        assert_eq!(ashby_seqs, (1..=9).collect::<Vec<_>>(), "{engine}");
        let stored_last = entries
            .iter()
            .find(|e| e.council_id == ashby.id && e.seq == 9)
            .unwrap();
        assert_eq!(
            stored_last, &last_ashby,
            "{engine}: append returns what is stored"
        );

        let report = verify(store).await;
        assert!(report.is_intact(), "{engine}: {:?}", report.broken);
        assert_eq!(report.entries, 15, "{engine}");
        let mut expected = vec![last_ashby.head(), last_bryn.head()];
        expected.sort_by_key(|h| h.council_id.to_string());
        assert_eq!(
            store.heads().await.unwrap(),
            expected,
            "{engine}: heads are the last entries"
        );
        let mut verified = report.heads.clone();
        verified.sort_by_key(|h| h.council_id.to_string());
        assert_eq!(verified, expected, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn audit_entries_can_be_filtered_by_actor_action_and_time_and_paged_newest_first() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let p = Actor::Person(clerk.id);
        // seq 1 and 2 are the founding entries at t(0) by the operator.
        let script = [
            (1, p.clone(), "signin.succeeded"),     // 3
            (2, Actor::System, "person.updated"),   // 4
            (3, p.clone(), "signin.failed"),        // 5
            (4, p.clone(), "personal.note"),        // 6: not under "person."
            (5, Actor::System, "person_updated"),   // 7: `_` is not a wildcard
            (6, p.clone(), "person.left"),          // 8
            (7, Actor::Anonymous, "signin.failed"), // 9
            (8, Actor::System, "PERSON.added"),     // 10: prefixes are case-sensitive
        ];
        for (minute, actor, action) in &script {
            store
                .append(&event(ashby.id, t(*minute), actor.clone(), action))
                .await
                .unwrap();
        }
        // Noise in another council that every filter must leave out.
        store
            .append(&event(bryn.id, t(3), p.clone(), "person.left"))
            .await
            .unwrap();

        let query = |f: fn(&mut AuditQuery)| {
            let mut q = all();
            f(&mut q);
            q
        };
        let run = |q: AuditQuery| async move { seqs(&store.entries(ashby.id, &q).await.unwrap()) };

        assert_eq!(
            run(all()).await,
            (1..=10).rev().collect::<Vec<_>>(),
            "{engine}: newest first"
        );
        let mut by_actor = all();
        by_actor.actor = Some(p.to_storage());
        assert_eq!(run(by_actor).await, vec![8, 6, 5, 3], "{engine}: actor");
        assert_eq!(
            run(query(|q| q.action_prefix = Some("person.".into()))).await,
            vec![8, 4, 2],
            "{engine}: action prefix"
        );
        assert_eq!(
            run(query(|q| q.action_prefix = Some("signin.failed".into()))).await,
            vec![9, 5],
            "{engine}: a whole action is its own prefix"
        );
        assert_eq!(
            run(query(|q| {
                q.from = Some(t(2));
                q.until = Some(t(6));
            }))
            .await,
            vec![7, 6, 5, 4],
            "{engine}: from is inclusive, until exclusive"
        );
        let mut combined = all();
        combined.actor = Some(p.to_storage());
        combined.action_prefix = Some("signin.".into());
        combined.from = Some(t(2));
        assert_eq!(run(combined).await, vec![5], "{engine}: filters combine");
        assert_eq!(
            run(query(|q| q.limit = 3)).await,
            vec![10, 9, 8],
            "{engine}: limit"
        );
        assert_eq!(
            run(query(|q| {
                q.limit = 3;
                q.before_seq = Some(8);
            }))
            .await,
            vec![7, 6, 5],
            "{engine}: before_seq"
        );
        assert_eq!(
            run(query(|q| q.before_seq = Some(1))).await,
            Vec::<i64>::new(),
            "{engine}: nothing before the first entry"
        );

        // Paging through with before_seq visits every entry once, newest first.
        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let mut q = all();
            q.limit = 4;
            q.before_seq = before;
            let page = run(q).await;
            let Some(last) = page.last().copied() else {
                break;
            };
            pages.push(page);
            before = Some(last);
        }
        assert_eq!(
            pages,
            vec![vec![10, 9, 8, 7], vec![6, 5, 4, 3], vec![2, 1]],
            "{engine}: paging"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_audit_entries() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let before = all_entries(store).await;
        let pool = store.write_pool();

        let update = sqlx::query("UPDATE audit_log SET details = '{}' WHERE council_id = $1")
            .bind(ashby.id.to_string())
            .execute(pool)
            .await;
        let Err(err) = update else {
            panic!("{engine}: UPDATE of audit_log was allowed");
        };
        assert!(
            err.to_string().contains("append-only"),
            "{engine}: the refusal should explain itself, got {err}"
        );

        let delete = sqlx::query("DELETE FROM audit_log WHERE council_id = $1 AND seq = 2")
            .bind(ashby.id.to_string())
            .execute(pool)
            .await;
        let Err(err) = delete else {
            panic!("{engine}: DELETE from audit_log was allowed");
        };
        assert!(err.to_string().contains("append-only"), "{engine}: {err}");

        if store.engine() == Engine::Postgres {
            let truncate = sqlx::raw_sql("TRUNCATE audit_log").execute(pool).await;
            let err = truncate.expect_err("PostgreSQL: TRUNCATE of audit_log was allowed");
            assert!(err.to_string().contains("append-only"), "{engine}: {err}");
        }

        assert_eq!(all_entries(store).await, before, "{engine}");
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn tampering_that_bypasses_the_trigger_is_detected_naming_the_council_and_entry() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        for i in 0..3 {
            store
                .append(&event(ashby.id, t(i), Actor::System, "test.tick").details(json!({"i": i})))
                .await
                .unwrap();
        }
        let pool = store.write_pool();
        let disable = match store.engine() {
            Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
            Engine::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
        };
        sqlx::raw_sql(disable).execute(pool).await.unwrap();
        let done =
            sqlx::query("UPDATE audit_log SET details = $1 WHERE council_id = $2 AND seq = $3")
                .bind(r#"{"i":99}"#)
                .bind(ashby.id.to_string())
                .bind(4_i64)
                .execute(pool)
                .await
                .unwrap();
        assert_eq!(done.rows_affected(), 1, "{engine}");

        let report = verify(store).await;
        assert_eq!(
            report.broken,
            vec![BrokenEntry {
                council_id: ashby.id,
                seq: 4,
                reason: ChainBreak::Altered
            }],
            "{engine}: the verifier must name the altered entry"
        );
        assert_eq!(
            report
                .heads
                .iter()
                .map(|h| h.council_id)
                .collect::<Vec<_>>(),
            vec![bryn.id],
            "{engine}: the untouched council still verifies"
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_to_one_council_produce_a_gap_free_verified_chain() {
    const TASKS: i64 = 20;
    const EACH: i64 = 5;
    for db in engines().await {
        let engine = db.engine;
        let (ashby, _) = found(&db.store, "Ashby Parish Council", "clerk@a.example").await;
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..EACH {
                    store
                        .append(
                            &event(ashby.id, t(n), Actor::System, "test.concurrent")
                                .details(json!({"task": task, "n": n})),
                        )
                        .await
                        .unwrap_or_else(|e| panic!("{engine}: task {task} append {n}: {e}"));
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let entries = all_entries(&db.store).await;
        assert_eq!(
            seqs(&entries),
            (1..=2 + TASKS * EACH).collect::<Vec<_>>(),
            "{engine}: no gaps, no repeats"
        );
        let report = verify(&db.store).await;
        assert!(report.is_intact(), "{engine}: {:?}", report.broken);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_to_one_council_neither_deadlock_nor_break_the_chain() {
    // Each change inserts a row referring to the council (which on PostgreSQL takes a key-share
    // lock on the council's row) before appending its audit entry (which locks the same row to
    // serialise the chain). The two locks must not conflict, or concurrent changes deadlock.
    const TASKS: usize = 10;
    const EACH: usize = 3;
    for db in engines().await {
        let engine = db.engine;
        let (ashby, clerk) = found(&db.store, "Ashby Parish Council", "clerk@a.example").await;
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..EACH {
                    let (person, added) = new_person(
                        ashby.id,
                        &format!("Person {task} {n}"),
                        &format!("p{task}-{n}@a.example"),
                        t(1),
                    );
                    store
                        .insert_person(&person, &added)
                        .await
                        .unwrap_or_else(|e| panic!("{engine}: task {task} person {n}: {e}"));
                    let (incident, opened) = open_incident(
                        ashby.id,
                        IncidentId::generate(),
                        IncidentReport {
                            kind: IncidentKind::Other,
                            summary: format!("incident {task} {n}"),
                            happened_at: None,
                        },
                        Actor::Person(clerk.id),
                        t(2),
                    )
                    .unwrap();
                    store
                        .insert_incident(&incident, &opened)
                        .await
                        .unwrap_or_else(|e| panic!("{engine}: task {task} incident {n}: {e}"));
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            db.store.people(ashby.id).await.unwrap().len(),
            1 + TASKS * EACH,
            "{engine}"
        );
        let entries = all_entries(&db.store).await;
        assert_eq!(
            seqs(&entries),
            (1..=(2 + 2 * TASKS * EACH) as i64).collect::<Vec<_>>(),
            "{engine}"
        );
        assert!(verify(&db.store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts, invitations and sessions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_invitation_can_be_accepted_once_and_links_the_person_to_their_account() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;

        let invite = invitation(&alice, t(2));
        store
            .insert_invitation(
                &invite,
                &event(ashby.id, t(2), Actor::Operator, "person.invited"),
            )
            .await
            .unwrap();
        assert_eq!(
            store.invitation(&invite.token_hash).await.unwrap(),
            Some(invite.clone()),
            "{engine}"
        );
        assert_eq!(
            store.invitation(&random_hex()).await.unwrap(),
            None,
            "{engine}"
        );

        let acct = account("alice@a.example");
        let accepted = event(
            ashby.id,
            t(5),
            Actor::Person(alice.id),
            "person.invitation_accepted",
        );
        store
            .accept_invitation(&invite.token_hash, &acct, true, alice.id, &accepted)
            .await
            .unwrap();

        let stored = store.person(ashby.id, alice.id).await.unwrap();
        assert_eq!(stored.status, PersonStatus::Active, "{engine}");
        assert_eq!(stored.account_id, Some(acct.id), "{engine}");
        assert_eq!(store.account(acct.id).await.unwrap(), acct, "{engine}");
        assert_eq!(
            store.account_by_email(&acct.email).await.unwrap(),
            Some(acct.clone()),
            "{engine}"
        );
        assert_eq!(
            store
                .account_by_email(&email("nobody@a.example"))
                .await
                .unwrap(),
            None,
            "{engine}"
        );
        assert!(
            matches!(
                store.account(AccountId::generate()).await,
                Err(StoreError::NotFound("account"))
            ),
            "{engine}"
        );
        assert_eq!(
            store
                .invitation(&invite.token_hash)
                .await
                .unwrap()
                .unwrap()
                .used_at,
            Some(t(5)),
            "{engine}"
        );
        let before = all_entries(store).await;

        // The link works once.
        let err = store
            .accept_invitation(&invite.token_hash, &acct, false, alice.id, &accepted)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: a second accept must be a Conflict, got {err:?}"
        );
        assert_eq!(
            all_entries(store).await,
            before,
            "{engine}: the refused accept left no audit entry"
        );

        // The same account joins another council through that council's invitation.
        let alice_in_bryn = add(store, bryn.id, "Alice Adams", "alice@b.example").await;
        invite_and_accept(store, &alice_in_bryn, &acct, false).await;
        let memberships = store.people_for_account(acct.id).await.unwrap();
        let mut councils: Vec<CouncilId> = memberships.iter().map(|p| p.council_id).collect();
        councils.sort();
        let mut expected = vec![ashby.id, bryn.id];
        expected.sort();
        assert_eq!(councils, expected, "{engine}: memberships across councils");

        // A new account with an address that already has one is refused whole.
        let carol = add(store, ashby.id, "Carol Clark", "carol@a.example").await;
        let carol_invite = invitation(&carol, t(3));
        store
            .insert_invitation(
                &carol_invite,
                &event(ashby.id, t(3), Actor::Operator, "person.invited"),
            )
            .await
            .unwrap();
        let clash = account("alice@a.example");
        let err = store
            .accept_invitation(
                &carol_invite.token_hash,
                &clash,
                true,
                carol.id,
                &event(
                    ashby.id,
                    t(4),
                    Actor::Person(carol.id),
                    "person.invitation_accepted",
                ),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store
                .invitation(&carol_invite.token_hash)
                .await
                .unwrap()
                .unwrap()
                .used_at,
            None,
            "{engine}: the invitation is still usable after the refused accept"
        );
        assert_eq!(
            store.person(ashby.id, carol.id).await.unwrap().status,
            PersonStatus::Invited,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn account_security_changes_are_stored_and_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let mut acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        acct.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA".to_owned();
        acct.totp_secret = Some("JBSWY3DPEHPK3PXP".to_owned());
        acct.recovery_code_hashes = vec![random_hex(), random_hex()];
        store
            .update_account_security(
                &acct,
                &event(
                    ashby.id,
                    t(6),
                    Actor::Person(alice.id),
                    "account.mfa_enabled",
                ),
            )
            .await
            .unwrap();
        assert_eq!(store.account(acct.id).await.unwrap(), acct, "{engine}");
        assert_eq!(
            store.entries(ashby.id, &all()).await.unwrap()[0].action,
            "account.mfa_enabled",
            "{engine}"
        );
        let stranger = account("stranger@a.example");
        let err = store
            .update_account_security(
                &stranger,
                &event(ashby.id, t(6), Actor::System, "account.mfa_enabled"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound(_)),
            "{engine}: got {err:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn sessions_can_be_stored_found_touched_and_ended() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        let signed_in = event(ashby.id, t(6), Actor::Person(alice.id), "signin.succeeded");
        let session = |at: Timestamp| Session {
            token_hash: random_hex(),
            account_id: acct.id,
            council_id: ashby.id,
            person_id: alice.id,
            csrf_token: random_hex(),
            mfa_passed: false,
            created_at: at,
            last_seen_at: at,
        };

        let first = session(t(6));
        store.insert_session(&first, &signed_in).await.unwrap();
        assert_eq!(
            store.session(&first.token_hash).await.unwrap(),
            Some(first.clone()),
            "{engine}"
        );
        assert_eq!(
            store.session(&random_hex()).await.unwrap(),
            None,
            "{engine}"
        );

        store.touch_session(&first.token_hash, t(9)).await.unwrap();
        let touched = store.session(&first.token_hash).await.unwrap().unwrap();
        assert_eq!(touched.last_seen_at, t(9), "{engine}");
        assert_eq!(touched.created_at, t(6), "{engine}");

        let mut passed = touched.clone();
        passed.mfa_passed = true;
        passed.last_seen_at = t(10);
        store.update_session(&passed).await.unwrap();
        assert_eq!(
            store.session(&first.token_hash).await.unwrap(),
            Some(passed.clone()),
            "{engine}"
        );

        let signed_out = event(ashby.id, t(11), Actor::Person(alice.id), "signout");
        store
            .delete_session(&first.token_hash, Some(&signed_out))
            .await
            .unwrap();
        assert_eq!(
            store.session(&first.token_hash).await.unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store.entries(ashby.id, &all()).await.unwrap()[0].action,
            "signout",
            "{engine}"
        );

        let second = session(t(12));
        let third = session(t(13));
        store.insert_session(&second, &signed_in).await.unwrap();
        store.insert_session(&third, &signed_in).await.unwrap();
        let everywhere = event(
            ashby.id,
            t(14),
            Actor::Person(alice.id),
            "signout.everywhere",
        );
        assert_eq!(
            store
                .delete_account_sessions(acct.id, &everywhere)
                .await
                .unwrap(),
            2,
            "{engine}"
        );
        assert_eq!(
            store.session(&second.token_hash).await.unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store.session(&third.token_hash).await.unwrap(),
            None,
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_failed_sign_in_updates_the_account_and_appends_one_event_per_council_given() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let (cwm, _) = found(store, "Cwm Parish Council", "clerk@c.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let alice_b = add(store, bryn.id, "Alice Adams", "alice@a.example").await;
        let acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        invite_and_accept(store, &alice_b, &acct, false).await;
        let cwm_before = store.entries(cwm.id, &all()).await.unwrap();

        store
            .record_failed_sign_in(
                acct.id,
                3,
                Some(t(30)),
                &[
                    event(ashby.id, t(20), Actor::Person(alice.id), "signin.failed"),
                    event(bryn.id, t(20), Actor::Person(alice_b.id), "signin.failed"),
                ],
            )
            .await
            .unwrap();
        let stored = store.account(acct.id).await.unwrap();
        assert_eq!(stored.failed_attempts, 3, "{engine}");
        assert_eq!(stored.locked_until, Some(t(30)), "{engine}");
        let failed = AuditQuery {
            action_prefix: Some("signin.failed".into()),
            ..all()
        };
        for council in [ashby.id, bryn.id] {
            let entries = store.entries(council, &failed).await.unwrap();
            assert_eq!(entries.len(), 1, "{engine}: one event in council {council}");
            assert!(entries[0].actor.starts_with("person:"), "{engine}");
        }
        assert_eq!(
            store.entries(cwm.id, &all()).await.unwrap(),
            cwm_before,
            "{engine}: a council not given is untouched"
        );

        // Unlocking clears the lock.
        store
            .record_failed_sign_in(acct.id, 0, None, &[])
            .await
            .unwrap();
        let stored = store.account(acct.id).await.unwrap();
        assert_eq!(
            (stored.failed_attempts, stored.locked_until),
            (0, None),
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Passkeys
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn passkeys_can_be_added_listed_used_and_removed_and_each_change_is_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        let actor = || Actor::Person(alice.id);
        assert_eq!(store.passkeys(acct.id).await.unwrap(), vec![], "{engine}");

        let laptop = passkey(acct.id, "Work laptop", t(6));
        let phone = passkey(acct.id, "Phone", t(7));
        for key in [&phone, &laptop] {
            store
                .insert_passkey(
                    key,
                    &event(ashby.id, key.created_at, actor(), "mfa.passkey_added"),
                )
                .await
                .unwrap();
        }
        assert_eq!(
            store.passkeys(acct.id).await.unwrap(),
            vec![laptop.clone(), phone.clone()],
            "{engine}: oldest first"
        );

        // After a sign-in the credential (its counter) and the time of use change together.
        let mut used = laptop.clone();
        used.credential = json!({ "cred": { "counter": 7 } }).to_string();
        used.last_used_at = Some(t(8));
        used.name = "ignored: only the credential and time of use change".to_owned();
        store
            .record_passkey_use(
                &used,
                &event(ashby.id, t(8), actor(), "signin.succeeded")
                    .details(json!({ "second_factor": "passkey" })),
            )
            .await
            .unwrap();
        let stored = store.passkeys(acct.id).await.unwrap();
        assert_eq!(stored[0].credential, used.credential, "{engine}");
        assert_eq!(stored[0].last_used_at, Some(t(8)), "{engine}");
        assert_eq!(stored[0].name, "Work laptop", "{engine}");
        assert_eq!(stored[1], phone, "{engine}: the other passkey is untouched");

        store
            .delete_passkey(
                acct.id,
                &phone.id,
                &event(ashby.id, t(9), actor(), "mfa.passkey_removed"),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .passkeys(acct.id)
                .await
                .unwrap()
                .iter()
                .map(|k| k.id.clone())
                .collect::<Vec<_>>(),
            vec![laptop.id.clone()],
            "{engine}"
        );
        let actions: Vec<String> = store
            .entries(ashby.id, &all())
            .await
            .unwrap()
            .into_iter()
            .take(4)
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "mfa.passkey_removed",
                "signin.succeeded",
                "mfa.passkey_added",
                "mfa.passkey_added"
            ],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn another_accounts_passkey_cannot_be_used_or_removed_and_nothing_is_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let bob = add(store, ashby.id, "Bob Brown", "bob@a.example").await;
        let alice_acct = account("alice@a.example");
        let bob_acct = account("bob@a.example");
        invite_and_accept(store, &alice, &alice_acct, true).await;
        invite_and_accept(store, &bob, &bob_acct, true).await;
        let key = passkey(alice_acct.id, "Alice's key", t(6));
        store
            .insert_passkey(
                &key,
                &event(ashby.id, t(6), Actor::Person(alice.id), "mfa.passkey_added"),
            )
            .await
            .unwrap();
        let before = store.entries(ashby.id, &all()).await.unwrap();

        let err = store
            .delete_passkey(
                bob_acct.id,
                &key.id,
                &event(ashby.id, t(7), Actor::Person(bob.id), "mfa.passkey_removed"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("passkey")),
            "{engine}: got {err:?}"
        );
        let mut stolen = key.clone();
        stolen.account_id = bob_acct.id;
        stolen.credential = "{}".to_owned();
        stolen.last_used_at = Some(t(7));
        let err = store
            .record_passkey_use(
                &stolen,
                &event(ashby.id, t(7), Actor::Person(bob.id), "signin.succeeded"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("passkey")),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.passkeys(alice_acct.id).await.unwrap(),
            vec![key],
            "{engine}"
        );
        assert_eq!(
            store.passkeys(bob_acct.id).await.unwrap(),
            vec![],
            "{engine}"
        );
        assert_eq!(
            store.entries(ashby.id, &all()).await.unwrap(),
            before,
            "{engine}: a refused change leaves no audit entry"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_passkey_for_an_unknown_account_or_with_a_reused_id_is_refused_and_not_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        let before = store.entries(ashby.id, &all()).await.unwrap();
        let added = || event(ashby.id, t(6), Actor::Person(clerk.id), "mfa.passkey_added");

        let orphan = passkey(AccountId::generate(), "Nobody's key", t(6));
        let result = store.insert_passkey(&orphan, &added()).await;
        assert!(
            result.is_err(),
            "{engine}: an unknown account must be refused"
        );

        let key = passkey(acct.id, "Work laptop", t(6));
        store.insert_passkey(&key, &added()).await.unwrap();
        let mut twin = passkey(acct.id, "Same id", t(7));
        twin.id = key.id.clone();
        let err = store.insert_passkey(&twin, &added()).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.passkeys(acct.id).await.unwrap(),
            vec![key],
            "{engine}"
        );
        assert_eq!(
            store.entries(ashby.id, &all()).await.unwrap().len(),
            before.len() + 1,
            "{engine}: only the stored passkey is audited"
        );
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Incidents
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn incidents_are_stored_and_listed_per_council() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let open = |council: CouncilId, actor: Actor, at: Timestamp, summary: &str| {
            open_incident(
                council,
                IncidentId::generate(),
                IncidentReport {
                    kind: IncidentKind::LostOrStolenDevice,
                    summary: summary.to_owned(),
                    happened_at: Some(t(1)),
                },
                actor,
                at,
            )
            .unwrap()
        };
        let (older, e1) = open(ashby.id, Actor::Person(clerk.id), t(5), "Phone lost");
        let (newer, e2) = open(ashby.id, Actor::System, t(6), "Refused reveal");
        let (theirs, e3) = open(bryn.id, Actor::System, t(7), "Elsewhere");
        for (incident, opened) in [(&older, &e1), (&newer, &e2), (&theirs, &e3)] {
            store.insert_incident(incident, opened).await.unwrap();
        }
        assert_eq!(older.reported_by, Some(clerk.id));
        assert_eq!(newer.reported_by, None);
        assert_eq!(newer.status, IncidentStatus::Open);

        assert_eq!(
            store.incidents(ashby.id).await.unwrap(),
            vec![newer.clone(), older.clone()],
            "{engine}: newest reported first, this council only"
        );
        assert_eq!(
            store.incident(ashby.id, older.id).await.unwrap(),
            older,
            "{engine}"
        );
        let err = store.incident(bryn.id, older.id).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("incident")),
            "{engine}: another council's incident must be NotFound, got {err:?}"
        );
        let opened = AuditQuery {
            action_prefix: Some("incident.opened".into()),
            ..all()
        };
        assert_eq!(
            store.entries(ashby.id, &opened).await.unwrap().len(),
            2,
            "{engine}"
        );
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Export and import
// ---------------------------------------------------------------------------------------------

/// SQLite → PostgreSQL → SQLite, every export byte-identical. Without
/// `CUSTODIAN_TEST_POSTGRES_URL` the middle database is SQLite too (SQLite → SQLite → SQLite),
/// which still proves the export is a faithful, stable image of the data.
#[tokio::test]
async fn an_export_imported_into_postgresql_and_back_into_sqlite_is_byte_identical() {
    let middle_backend = match postgres_url() {
        Some(url) => Backend::Postgres(url),
        None => {
            eprintln!(
                "{POSTGRES_URL_VAR} is not set: round-tripping SQLite → SQLite → SQLite only"
            );
            Backend::Sqlite
        }
    };
    let source = Backend::Sqlite.fresh().await;
    build_sample(&source.store).await;
    let first = export(&source.store).await;

    let middle = middle_backend.fresh().await;
    let imported = import(&middle.store, &first).await.unwrap();
    assert!(imported > 20, "{}: imported {imported} rows", middle.engine);
    let second = export(&middle.store).await;

    let last = Backend::Sqlite.fresh().await;
    import(&last.store, &second).await.unwrap();
    let third = export(&last.store).await;

    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    assert_eq!(
        text(&first),
        text(&second),
        "SQLite → {}: exports differ",
        middle.engine
    );
    assert_eq!(
        text(&second),
        text(&third),
        "{} → SQLite: exports differ",
        middle.engine
    );

    // The imported chain still verifies, with the same heads.
    for db in [&middle, &last] {
        let report = verify(&db.store).await;
        assert!(report.is_intact(), "{}: {:?}", db.engine, report.broken);
        assert_eq!(
            db.store.heads().await.unwrap(),
            source.store.heads().await.unwrap(),
            "{}",
            db.engine
        );
    }
    // And the imported database keeps working: a new entry chains on.
    let council = middle.store.councils().await.unwrap()[0].id;
    let appended = middle
        .store
        .append(&event(
            council,
            t(99),
            Actor::Operator,
            "installation.imported",
        ))
        .await
        .unwrap();
    assert!(appended.seq > 1, "{}", middle.engine);
    assert!(verify(&middle.store).await.is_intact(), "{}", middle.engine);

    source.finish().await;
    middle.finish().await;
    last.finish().await;
}

fn lines_of(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn join_lines(lines: &[String]) -> Vec<u8> {
    let mut text = lines.join("\n");
    text.push('\n');
    text.into_bytes()
}

/// Asserts the import was refused as invalid, naming every expected line, and returns the report.
fn expect_invalid(engine: &str, result: Result<u64, TransferError>, lines: &[usize]) -> String {
    let Err(err) = result else {
        panic!("{engine}: a bad file was imported");
    };
    let TransferError::Invalid(problems) = &err else {
        panic!("{engine}: expected an Invalid report, got {err:?}");
    };
    for line in lines {
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with(&format!("line {line}:"))),
            "{engine}: the report should name line {line}: {problems:?}"
        );
    }
    assert_eq!(
        problems.len(),
        lines.len(),
        "{engine}: one problem per bad line: {problems:?}"
    );
    err.to_string()
}

async fn assert_empty(db: &Db) {
    let engine = db.engine;
    assert_eq!(
        db.store.councils().await.unwrap(),
        vec![],
        "{engine}: no councils"
    );
    assert_eq!(
        all_entries(&db.store).await,
        vec![],
        "{engine}: no audit entries"
    );
    let exported = lines_of(&export(&db.store).await);
    assert_eq!(exported.len(), 1, "{engine}: only the header: {exported:?}");
}

#[tokio::test]
async fn an_import_with_a_bad_line_changes_nothing_and_names_every_bad_line() {
    let source = Backend::Sqlite.fresh().await;
    build_sample(&source.store).await;
    let good = lines_of(&export(&source.store).await);
    source.finish().await;
    let middle = good.len() / 2;
    let people_line = good
        .iter()
        .position(|l| l.contains(r#""table":"people""#))
        .unwrap();
    assert!(
        people_line < middle,
        "the people rows come early in the file"
    );

    // A whole number where text belongs.
    let mut wrong_type = good.clone();
    let mut row: Value = serde_json::from_str(&wrong_type[people_line]).unwrap();
    row["row"]["created_at"] = json!("yesterday");
    row["row"]["name"] = json!(42);
    wrong_type[people_line] = row.to_string();
    // A table Custodian does not know.
    let mut unknown_table = good.clone();
    unknown_table.insert(middle, r#"{"table":"gadgets","row":{"id":"x"}}"#.to_owned());
    // A line that is not JSON at all.
    let mut bad_json = good.clone();
    bad_json.insert(middle, r#"{"table":"people","row":{"id":"#.to_owned());
    // All three at once: every problem is reported, not just the first.
    let mut all_three = wrong_type.clone();
    all_three.insert(middle, r#"{"table":"gadgets","row":{}}"#.to_owned());
    all_three.insert(middle + 2, "not json".to_owned());

    for db in engines().await {
        let engine = db.engine;
        let report = expect_invalid(
            engine,
            import(&db.store, &join_lines(&wrong_type)).await,
            &[people_line + 1, people_line + 1],
        );
        assert!(
            report.contains("people.created_at must be a whole number"),
            "{engine}: {report}"
        );
        assert!(
            report.contains("people.name must be text"),
            "{engine}: {report}"
        );
        assert_empty(&db).await;

        expect_invalid(
            engine,
            import(&db.store, &join_lines(&unknown_table)).await,
            &[middle + 1],
        );
        assert_empty(&db).await;
        expect_invalid(
            engine,
            import(&db.store, &join_lines(&bad_json)).await,
            &[middle + 1],
        );
        assert_empty(&db).await;
        let combined = join_lines(&all_three);
        let expected = [middle + 1, middle + 3, people_line + 1, people_line + 1];
        expect_invalid(engine, import(&db.store, &combined).await, &expected);
        assert_empty(&db).await;

        // The good file still imports whole into the untouched database.
        import(&db.store, &join_lines(&good))
            .await
            .unwrap_or_else(|e| panic!("{engine}: {e}"));
        assert_eq!(lines_of(&export(&db.store).await), good, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn an_import_whose_row_the_database_refuses_rolls_back_every_row_before_it() {
    let source = Backend::Sqlite.fresh().await;
    build_sample(&source.store).await;
    let good = lines_of(&export(&source.store).await);
    source.finish().await;
    // Repeat the last audit entry: it parses, but its key is taken, and every other row has
    // already been written by the time the database refuses it.
    let mut duplicated = good.clone();
    duplicated.push(good.last().unwrap().clone());
    let bad_line = duplicated.len();

    for db in engines().await {
        let engine = db.engine;
        let report = expect_invalid(
            engine,
            import(&db.store, &join_lines(&duplicated)).await,
            &[bad_line],
        );
        assert!(report.contains("audit_log"), "{engine}: {report}");
        assert_empty(&db).await;
        db.finish().await;
    }
}

#[tokio::test]
async fn importing_into_a_database_that_already_holds_data_is_refused() {
    let source = Backend::Sqlite.fresh().await;
    build_sample(&source.store).await;
    let good = export(&source.store).await;
    source.finish().await;

    for db in engines().await {
        let engine = db.engine;
        let (council, _) = found(&db.store, "Existing Parish Council", "clerk@e.example").await;
        let before = export(&db.store).await;
        let err = import(&db.store, &good).await.unwrap_err();
        assert!(
            matches!(err, TransferError::TargetNotEmpty),
            "{engine}: got {err:?}"
        );
        assert_eq!(export(&db.store).await, before, "{engine}: nothing changed");
        assert_eq!(
            db.store.councils().await.unwrap().len(),
            1,
            "{engine}: still only {}",
            council.name
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn an_import_file_must_start_with_a_custodian_header() {
    for db in engines().await {
        let engine = db.engine;
        let err = import(&db.store, b"{\"format\":\"something-else\"}\n")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, TransferError::Invalid(p) if p[0].starts_with("line 1:")),
            "{engine}: got {err:?}"
        );
        let err = import(&db.store, b"").await.unwrap_err();
        assert!(
            matches!(err, TransferError::Invalid(_)),
            "{engine}: an empty file is refused, got {err:?}"
        );
        assert_empty(&db).await;
        db.finish().await;
    }
}

/// The tables and columns of the live schema, except the migration bookkeeping.
async fn live_schema(store: &Store) -> BTreeMap<String, BTreeSet<String>> {
    let pool = store.write_pool();
    let (tables_sql, columns_sql) = match store.engine() {
        Engine::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT name FROM pragma_table_info($1)",
        ),
        Engine::Postgres => (
            "SELECT table_name::text AS name FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            "SELECT column_name::text AS name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1",
        ),
    };
    let mut schema = BTreeMap::new();
    for row in sqlx::query(tables_sql).fetch_all(pool).await.unwrap() {
        let table: String = row.try_get("name").unwrap();
        if table == "schema_migrations" {
            continue;
        }
        let columns = sqlx::query(columns_sql)
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("name").unwrap())
            .collect();
        schema.insert(table, columns);
    }
    schema
}

#[tokio::test]
async fn the_export_covers_every_table_and_column_of_the_live_schema() {
    for db in engines().await {
        let engine = db.engine;
        let schema = live_schema(&db.store).await;
        let live: BTreeSet<&str> = schema.keys().map(String::as_str).collect();
        let exported: BTreeSet<&str> = exported_tables().into_iter().collect();
        assert_eq!(
            live, exported,
            "{engine}: every table except schema_migrations must be exported"
        );

        // With a row in every table, each exported row carries every column.
        build_sample(&db.store).await;
        let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for line in lines_of(&export(&db.store).await).iter().skip(1) {
            let value: Value = serde_json::from_str(line).unwrap();
            let table = value["table"].as_str().unwrap().to_owned();
            let columns = value["row"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<BTreeSet<_>>();
            let previous = seen.insert(table.clone(), columns.clone());
            assert!(
                previous.is_none_or(|p| p == columns),
                "{engine}: {table} rows differ in columns"
            );
        }
        assert_eq!(
            seen, schema,
            "{engine}: the export must carry every column of every table"
        );
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Opening and health
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_migrated_database_answers_pings_and_migrating_again_changes_nothing() {
    for db in engines().await {
        let engine = db.engine;
        db.store
            .ping()
            .await
            .unwrap_or_else(|e| panic!("{engine}: {e}"));
        assert_eq!(
            db.store.migrate().await.unwrap(),
            Vec::<&str>::new(),
            "{engine}: nothing left to apply"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn opening_an_address_with_an_unknown_scheme_is_refused_without_showing_its_password() {
    for address in [
        "mysql://custodian:s3cret@db.example/custodian",
        "custodian.db",
        "",
    ] {
        let err = Store::open(address).await.unwrap_err();
        assert!(
            matches!(err, OpenError::UnknownScheme(_)),
            "{address:?}: got {err:?}"
        );
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}

#[tokio::test]
async fn a_password_reset_link_sets_a_new_hash_once_unlocks_and_ends_every_session() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let invite = invitation(&alice, t(2));
        let invited = event(ashby.id, t(2), Actor::Operator, "invitation.created");
        store.insert_invitation(&invite, &invited).await.unwrap();
        let acct = account("alice@a.example");
        let accepted = event(
            ashby.id,
            t(3),
            Actor::Person(alice.id),
            "invitation.accepted",
        );
        store
            .accept_invitation(&invite.token_hash, &acct, true, alice.id, &accepted)
            .await
            .unwrap();
        let locked = event(ashby.id, t(4), Actor::Anonymous, "signin.failed");
        store
            .record_failed_sign_in(acct.id, 10, Some(t(60)), &[locked])
            .await
            .unwrap();
        let session = Session {
            token_hash: random_hex(),
            account_id: acct.id,
            council_id: ashby.id,
            person_id: alice.id,
            csrf_token: random_hex(),
            mfa_passed: true,
            created_at: t(4),
            last_seen_at: t(4),
        };
        let signed_in = event(ashby.id, t(4), Actor::Person(alice.id), "signin.succeeded");
        store.insert_session(&session, &signed_in).await.unwrap();

        let reset = Invitation {
            purpose: LinkPurpose::PasswordReset,
            ..invitation(&alice, t(5))
        };
        let spare = Invitation {
            purpose: LinkPurpose::PasswordReset,
            ..invitation(&alice, t(6))
        };
        for link in [&reset, &spare] {
            let made = event(
                ashby.id,
                link.created_at,
                Actor::Operator,
                "password_reset.created",
            );
            store.insert_invitation(link, &made).await.unwrap();
        }
        assert_eq!(
            store
                .invitation(&reset.token_hash)
                .await
                .unwrap()
                .map(|i| i.purpose),
            Some(LinkPurpose::PasswordReset),
            "{engine}"
        );
        // An invitation link (wrong purpose) cannot be used to reset a password.
        let done = event(
            ashby.id,
            t(7),
            Actor::Person(alice.id),
            "password_reset.completed",
        );
        assert!(
            matches!(
                store
                    .reset_password(&invite.token_hash, alice.id, acct.id, "$new", &done)
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{engine}"
        );
        store
            .reset_password(&reset.token_hash, alice.id, acct.id, "$argon2id$new", &done)
            .await
            .unwrap();
        let after = store.account(acct.id).await.unwrap();
        assert_eq!(after.password_hash, "$argon2id$new", "{engine}");
        assert_eq!(
            (after.failed_attempts, after.locked_until),
            (0, None),
            "{engine}"
        );
        assert_eq!(
            store.session(&session.token_hash).await.unwrap(),
            None,
            "{engine}"
        );
        // The spare link stopped working when the first was used; the first works once.
        for link in [&reset, &spare] {
            assert!(
                store
                    .invitation(&link.token_hash)
                    .await
                    .unwrap()
                    .unwrap()
                    .used_at
                    .is_some(),
                "{engine}"
            );
            assert!(
                matches!(
                    store
                        .reset_password(&link.token_hash, alice.id, acct.id, "$again", &done)
                        .await,
                    Err(StoreError::Conflict(_))
                ),
                "{engine}"
            );
        }
        assert_eq!(
            store.account(acct.id).await.unwrap().password_hash,
            "$argon2id$new",
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_home_page_counts_are_per_council_and_count_only_what_needs_attention() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        add(store, ashby.id, "Bob Brown", "bob@a.example").await;
        add(store, bryn.id, "Cara Cole", "cara@b.example").await;
        let (incident, opened) = open_incident(
            ashby.id,
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::Other,
                summary: "x".into(),
                happened_at: None,
            },
            Actor::System,
            t(3),
        )
        .unwrap();
        store.insert_incident(&incident, &opened).await.unwrap();
        let before = store.change_count();
        let counts = store.attention_counts(ashby.id).await.unwrap();
        // Founding invites the Clerk too: three invited people in Ashby.
        assert_eq!(
            (counts.invited_people, counts.open_incidents),
            (3, 1),
            "{engine}"
        );
        let other = store.attention_counts(bryn.id).await.unwrap();
        assert_eq!(
            (other.invited_people, other.open_incidents),
            (2, 0),
            "{engine}"
        );
        assert_eq!(
            store.change_count(),
            before,
            "{engine}: reading changed nothing"
        );
        add(store, ashby.id, "Dan Dee", "dan@a.example").await;
        assert!(
            store.change_count() > before,
            "{engine}: a write is counted"
        );
        db.finish().await;
    }
}
