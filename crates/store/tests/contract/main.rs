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
use custodian_core::ids::{AccountId, CouncilId, IncidentId, PersonId, PolicyVersionId};
use custodian_core::incident::{IncidentKind, IncidentReport, IncidentStatus, open_incident};
use custodian_core::person::{
    Email, NewPerson, Person, PersonName, PersonStatus, Role, RoleSet, add_person,
};
use custodian_core::policy::PolicyProfile;
use custodian_core::policy::version::{
    Declaration, DraftContent, MinuteReference, PolicyVersion, VersionOrigin, adopt, new_draft,
    sha256_hex, sign,
};
use custodian_core::ports::DashboardStore;
use custodian_core::ports::{
    Account, AccountStore, AuditLog, AuditQuery, CouncilStore, IncidentStore, Invitation,
    LinkPurpose, PasskeyRecord, PasskeyStore, PersonStore, PolicyStore, Session, SessionStore,
    StoreError,
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
            // FORCE closes any of our own connections still shutting down. It cannot stop an
            // autovacuum worker visiting the new database (a superuser's process, which this
            // role may not terminate), so that case is retried: the worker leaves in moments.
            let mut attempt = 0;
            loop {
                let dropped =
                    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                match dropped {
                    Ok(_) => break,
                    Err(_) if attempt < 50 => {
                        attempt += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                    Err(e) => panic!("PostgreSQL: could not drop {name}: {e}"),
                }
            }
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

/// The declaration text adopted with every version in these cases.
const DECLARATION: &str = "I have read the council's IT policy and will follow it.\n— signed below";

/// Starts a draft of the model profile, as the policy builder would, and stores it.
async fn start_draft(
    store: &Store,
    council: CouncilId,
    by: PersonId,
    origin: VersionOrigin,
    at: Timestamp,
) -> PolicyVersion {
    let (draft, event) = new_draft(
        council,
        PolicyVersionId::generate(),
        DraftContent {
            profile: PolicyProfile::model_defaults(),
            origin,
            note: String::new(),
        },
        by,
        at,
    )
    .unwrap();
    store
        .create_draft(&draft, &event)
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not store a draft: {e}", store.engine()))
}

/// Adopts a draft at a meeting on `on` (YYYY-MM-DD) by the decision `minute`; returns the
/// version as now stored.
async fn adopt_draft(
    store: &Store,
    version: &PolicyVersion,
    on: &str,
    minute: &str,
    at: Timestamp,
) -> PolicyVersion {
    let done = adopt(
        version,
        on.parse().unwrap(),
        MinuteReference::parse(minute).unwrap(),
        at,
        &sha256_hex(&format!("The IT policy, version {}", version.number)),
        DECLARATION,
        version.created_by,
    )
    .unwrap();
    store
        .adopt(version.council_id, version.id, &done.adoption, &done.event)
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not adopt: {e}", store.engine()));
    done.version
}

/// `person` (as stored now) signs the version in force by typing their name.
async fn sign_in_force(store: &Store, person: &Person, at: Timestamp) -> Declaration {
    let person = store.person(person.council_id, person.id).await.unwrap();
    let in_force = store.in_force(person.council_id).await.unwrap().unwrap();
    let (declaration, event) = sign(
        Some(&in_force),
        in_force.id,
        &person,
        person.name.as_str(),
        at,
    )
    .unwrap();
    store
        .sign_declaration(&declaration, &event)
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not sign: {e}", store.engine()));
    declaration
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
    // A breach with a decision, a closure and a timeline entry: the workflow's columns and
    // the incident_actions table travel too.
    let (breach, opened) = open_incident(
        ashby.id,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::PersonalDataBreach,
            summary: "Allotment list sent to the wrong \"group\"".to_owned(),
            happened_at: None,
        },
        Actor::Person(zoe.id),
        t(10),
    )
    .unwrap();
    store.insert_incident(&breach, &opened).await.unwrap();
    let (breach, changed) =
        custodian_core::incident::set_became_aware(&breach, t(9), zoe.id, t(10)).unwrap();
    store.update_incident(&breach, &changed).await.unwrap();
    let (breach, decided) = custodian_core::incident::record_ico_decision(
        &breach,
        false,
        "Names only — café list",
        None,
        zoe.id,
        t(11),
    )
    .unwrap();
    store.update_incident(&breach, &decided).await.unwrap();
    let (entry, added) = custodian_core::incident::add_action(
        &breach,
        "Asked them to delete it\nline two",
        zoe.id,
        t(11),
    )
    .unwrap();
    store.add_incident_action(&entry, &added).await.unwrap();
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
    // Policy versions: one replaced, one in force and signed, one draft.
    let first = start_draft(
        store,
        ashby.id,
        zoe.id,
        VersionOrigin::Imported {
            file_name: "Ashby \"IT\" policy — 2024.docx".to_owned(),
        },
        t(15),
    )
    .await;
    adopt_draft(store, &first, "2024-05-13", "COU/12/24-25", t(16)).await;
    let second = start_draft(store, ashby.id, zoe.id, VersionOrigin::Builder, t(17)).await;
    adopt_draft(store, &second, "2026-05-11", "COU/229/25-26", t(18)).await;
    sign_in_force(store, &zoe, t(19)).await;
    start_draft(store, ashby.id, zoe.id, VersionOrigin::Model, t(21)).await;
    assets::sample_register(store, ashby.id, &zoe).await;
    devices::sample_devices(store, ashby.id, &zoe, &waiting).await;
    vault::sample_vault(store, &zoe, &waiting).await;
    leavers::sample_checklist(store, &leaver, &zoe).await;
    mail::sample_mail(store, &zoe).await;
    health::sample_health(store, &waiting, &zoe).await;
    approvals::sample_approvals(store, &waiting, &zoe).await;
    joiners::sample_checklist(store, &waiting, &zoe).await;
    reminders::sample_feeds(store, &zoe).await;
    monitor::sample_monitoring(store, &zoe).await;
}

mod accounts;
mod approvals;
mod asset_custody;
mod asset_import;
mod asset_search;
mod assets;
mod audit_log;
mod councils_and_people;
mod declarations;
mod devices;
mod health;
mod incidents;
mod joiners;
mod leavers;
mod mail;
mod monitor;
mod opening;
mod passkeys;
mod policy;
mod reminders;
mod transfer;
mod vault;
