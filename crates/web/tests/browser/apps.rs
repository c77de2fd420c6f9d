//! The applications under test: a seeded council and a fresh installation awaiting set-up.

use super::*;

/// A fixed clock: pages show the same dates on every run.
pub(crate) struct FixedClock(Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

pub(crate) struct CouncilApp {
    pub(crate) address: String,
    pub(crate) chair: PersonId,
    pub(crate) incident: IncidentId,
    pub(crate) _dir: tempfile::TempDir,
}

pub(crate) struct SetupApp {
    pub(crate) address: String,
    pub(crate) _dir: tempfile::TempDir,
}

pub(crate) fn now() -> Timestamp {
    Timestamp::from_second(1_790_000_000).unwrap()
}

pub(crate) async fn serve(store: Store, setup_code: Option<&str>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let options = ServeOptions {
        public_url: address.clone(),
        setup_code: setup_code.map(|c| SecretString::from(c.to_owned())),
        // Unlocked, so the vault's pages can store and reveal (vault.rs).
        vault_key: Some(Arc::new(custodian_vault::Key::generate().unwrap())),
    };
    let router = app_with_clock(store, options, Arc::new(FixedClock(now())));
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    address
}

pub(crate) async fn new_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite_in(dir.path()).await.unwrap();
    store.migrate().await.unwrap();
    (store, dir)
}

/// Founds a council whose Clerk has accepted their invitation; no role must use MFA, so the
/// test signs in with a password alone.
pub(crate) async fn found(
    store: &Store,
    name: &str,
    clerk_name: &str,
    clerk_email: &str,
) -> CouncilId {
    let founding = Founding {
        council_id: CouncilId::generate(),
        name: CouncilName::parse(name).unwrap(),
        kind: CouncilKind::Parish,
        clerk_id: PersonId::generate(),
        clerk_name: PersonName::parse(clerk_name).unwrap(),
        clerk_email: Email::parse(clerk_email).unwrap(),
    };
    let (council, _, token) = provisioning::found(store, founding, Actor::Operator, now())
        .await
        .unwrap();
    provisioning::accept_invitation(
        store,
        token.expose_secret(),
        SecretString::from(PASSWORD),
        name,
        now(),
    )
    .await
    .unwrap();
    let event = AuditEvent::new(
        council.id,
        now(),
        Actor::Operator,
        "council.settings_changed",
    );
    store
        .update_council(council.id, &council.name, &Default::default(), &event)
        .await
        .unwrap();
    council.id
}

/// Adds a person; `accept` signs them up with the test password (or, for someone who already
/// has an account, joins it), otherwise they stay invited.
pub(crate) async fn person(
    store: &Store,
    council: CouncilId,
    name: &str,
    email: &str,
    roles: &[Role],
    accept: bool,
) -> PersonId {
    let (person, event) = add_person(
        council,
        PersonId::generate(),
        NewPerson {
            name: PersonName::parse(name).unwrap(),
            email: Email::parse(email).unwrap(),
            roles: RoleSet::of(roles),
            start_date: None,
        },
        Actor::Operator,
        now(),
    )
    .unwrap();
    store.insert_person(&person, &event).await.unwrap();
    let token = provisioning::invite(store, council, person.id, Actor::Operator, now())
        .await
        .unwrap();
    if accept {
        provisioning::accept_invitation(
            store,
            token.expose_secret(),
            SecretString::from(PASSWORD),
            "council",
            now(),
        )
        .await
        .unwrap();
    }
    person.id
}

/// Ashby Parish Council with its Clerk (Clara, who is also a councillor at Brook Town Council),
/// a few people and an incident.
pub(crate) async fn spawn_council_app() -> CouncilApp {
    let (store, dir) = new_store().await;
    let ashby = found(
        &store,
        "Ashby Parish Council",
        "Clara Clerk",
        "clerk@ashby.example",
    )
    .await;
    let chair = person(
        &store,
        ashby,
        "Charles Chair",
        "chair@ashby.example",
        &[Role::Chair, Role::Councillor],
        true,
    )
    .await;
    person(
        &store,
        ashby,
        "Connie Councillor",
        "cllr@ashby.example",
        &[Role::Councillor],
        true,
    )
    .await;
    person(
        &store,
        ashby,
        "Ivan Provider",
        "it@ashby.example",
        &[Role::ItProvider],
        true,
    )
    .await;
    person(
        &store,
        ashby,
        "Sam Staff",
        "sam@ashby.example",
        &[Role::Staff],
        false,
    )
    .await;
    let incident = IncidentId::generate();
    let (record, event) = open_incident(
        ashby,
        incident,
        IncidentReport {
            kind: IncidentKind::LostOrStolenDevice,
            summary: "Council laptop left on the train from Leicester.".to_owned(),
            happened_at: Some(now() - jiff::SignedDuration::from_hours(30)),
        },
        Actor::Person(chair),
        now(),
    )
    .unwrap();
    store.insert_incident(&record, &event).await.unwrap();

    let brook = found(
        &store,
        "Brook Town Council",
        "Brenda Clerk",
        "clerk@brook.example",
    )
    .await;
    person(
        &store,
        brook,
        "Clara Clerk",
        "clerk@ashby.example",
        &[Role::Councillor],
        true,
    )
    .await;

    CouncilApp {
        address: serve(store, None).await,
        chair,
        incident,
        _dir: dir,
    }
}

/// A fresh installation waiting for its first-run setup.
pub(crate) async fn spawn_setup_app() -> SetupApp {
    let (store, dir) = new_store().await;
    SetupApp {
        address: serve(store, Some(SETUP_CODE)).await,
        _dir: dir,
    }
}
