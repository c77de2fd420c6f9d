//! Just-in-time access, emergency access and in-app notifications (issue 5, 4.1.2),
//! driven through the pages with the test clock: grants end by themselves, the emergency
//! waiting period passes, and every step tells the people it should.

use crate::helpers::*;
use custodian_core::audit::Actor;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::person::{Email, NewPerson, PersonName, Role, RoleSet, add_person};
use custodian_core::ports::{IncidentStore, PersonStore, VaultStore};
use custodian_core::vault::GrantDecision;
use custodian_web::provisioning;
use jiff::SignedDuration;
use secrecy::{ExposeSecret, SecretString};

pub(crate) const SECRET: &str = "purple-lantern-gravel-oboe-1987";

/// The Clerk adds an item only the Clerk may reveal day to day, and returns its id.
pub(crate) async fn add_item(app: &TestApp, tier: &str) -> String {
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/vault/new").await;
    let page = clerk
        .post(
            "/vault/new",
            &[
                ("name", "Council website admin"),
                ("kind", "website_admin"),
                ("address", "https://ashby.example/admin"),
                ("username", "admin"),
                ("tier", tier),
                ("roles", "clerk"),
                ("password", SECRET),
                ("default_changed", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "adding the item failed: {}", page.body);
    let location = page.location();
    let id = location
        .trim_start_matches("/vault/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "unexpected location {location}");
    id
}

/// Tries to reveal the item's password with a reason.
pub(crate) async fn reveal(client: &mut Client, item: &str) -> Page {
    client.get("/").await;
    client
        .post(
            &format!("/vault/{item}/reveal"),
            &[
                ("field", "password"),
                ("reason", "Update the opening hours"),
            ],
        )
        .await
}

/// A Vice-Chair for council A, signed up like the helpers' other members.
pub(crate) async fn add_vice_chair(app: &TestApp) -> (PersonId, String) {
    let now = app.clock_now();
    let email = "vice@ashby.example";
    let (person, event) = add_person(
        app.a.id,
        PersonId::generate(),
        NewPerson {
            name: PersonName::parse("Violet Vice").unwrap(),
            email: Email::parse(email).unwrap(),
            roles: RoleSet::of(&[Role::ViceChair]),
            start_date: None,
        },
        Actor::Operator,
        now,
    )
    .unwrap();
    app.store.insert_person(&person, &event).await.unwrap();
    let token = provisioning::invite(&app.store, app.a.id, person.id, Actor::Operator, now)
        .await
        .unwrap();
    provisioning::accept_invitation(
        &app.store,
        token.expose_secret(),
        SecretString::from(PASSWORD),
        "x",
        now,
    )
    .await
    .unwrap();
    (person.id, email.to_owned())
}

pub(crate) async fn messages(app: &TestApp, council: CouncilId, person: PersonId) -> Vec<String> {
    app.store
        .notifications(council, person)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.message)
        .collect()
}

/// The IT provider asks for the item for four hours; returns the request's id.
async fn request_item(app: &TestApp, client: &mut Client, item: &str) -> String {
    let page = client.get("/vault/requests").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Council website admin"), "{}", page.body);
    let page = client
        .post(
            "/vault/requests",
            &[
                ("items", item),
                ("reason", "Renew the website's certificate"),
                ("hours", "4"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let grants = app.store.grants(app.a.id).await.unwrap();
    grants[0].id.to_string()
}

#[tokio::test]
async fn an_approved_request_lets_the_it_provider_reveal_until_it_ends_by_itself() {
    let app = spawn_app().await;
    let item = add_item(&app, "ordinary").await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let grant = request_item(&app, &mut it, &item).await;

    // Every approver but the person asking is told; the person asking is not.
    for approver in [app.a.clerk.id, app.a.chair.id] {
        let told = messages(&app, app.a.id, approver).await;
        assert!(
            told.iter().any(|m| m
                .contains("Ivan Provider asked for access to Council website admin for 4 hours")),
            "{told:?}"
        );
    }
    assert!(
        messages(&app, app.a.id, app.a.it_provider.id)
            .await
            .is_empty()
    );
    assert!(
        messages(&app, app.a.id, app.a.councillor.id)
            .await
            .is_empty()
    );

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get("/vault/requests").await;
    assert!(
        page.body
            .contains(&format!("/vault/requests/{grant}/approve"))
    );
    let page = clerk
        .post(&format!("/vault/requests/{grant}/approve"), &[])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(
        messages(&app, app.a.id, app.a.it_provider.id)
            .await
            .iter()
            .any(|m| m.contains("Clara Clerk approved your request"))
    );

    let page = reveal(&mut it, &item).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(SECRET));

    // Four hours later the grant has ended by itself: the next attempt is refused and opens
    // an incident.
    app.clock
        .advance(SignedDuration::from_hours(4) + SignedDuration::from_secs(1));
    let incidents_before = app.store.incidents(app.a.id).await.unwrap().len();
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let page = reveal(&mut it, &item).await;
    assert_eq!(page.status, 403);
    assert!(!page.body.contains(SECRET));
    assert_eq!(
        app.store.incidents(app.a.id).await.unwrap().len(),
        incidents_before + 1
    );
    let page = it.get("/vault/requests").await;
    assert!(
        page.body.contains("Access ended by itself"),
        "{}",
        page.body
    );

    let actions = app.audit_actions(app.a.id).await;
    for action in [
        "vault.access_requested",
        "vault.access_approved",
        "vault.revealed",
        "vault.reveal_refused",
        "incident.opened",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "no {action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn ending_access_early_stops_reveals_at_once() {
    let app = spawn_app().await;
    let item = add_item(&app, "ordinary").await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let grant = request_item(&app, &mut it, &item).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/vault/requests").await;
    clerk
        .post(&format!("/vault/requests/{grant}/approve"), &[])
        .await;

    let page = it.get("/vault/requests").await;
    assert!(page.body.contains(&format!("/vault/requests/{grant}/end")));
    let page = it.post(&format!("/vault/requests/{grant}/end"), &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(reveal(&mut it, &item).await.status, 403);
    assert!(
        messages(&app, app.a.id, app.a.clerk.id)
            .await
            .iter()
            .any(|m| m.contains("Ivan Provider ended time-limited vault access early"))
    );
}

#[tokio::test]
async fn nobody_approves_their_own_request() {
    let app = spawn_app().await;
    let item = add_item(&app, "ordinary").await;
    // The Chair may approve requests but is not allowed on this item, so asks for it.
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let grant = request_item(&app, &mut chair, &item).await;
    let page = chair.get("/vault/requests").await;
    assert!(
        !page
            .body
            .contains(&format!("/vault/requests/{grant}/approve"))
    );
    let page = chair
        .post(&format!("/vault/requests/{grant}/approve"), &[])
        .await;
    assert_eq!(page.status, 409);
    assert!(
        page.body.contains("nobody approves their own"),
        "{}",
        page.body
    );
    let grants = app.store.grants(app.a.id).await.unwrap();
    assert_eq!(grants[0].decision, GrantDecision::Pending);
    assert_eq!(reveal(&mut chair, &item).await.status, 403);
}

#[tokio::test]
async fn an_approver_not_allowed_on_the_item_cannot_approve_it() {
    let app = spawn_app().await;
    let item = add_item(&app, "ordinary").await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let grant = request_item(&app, &mut it, &item).await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    chair.get("/vault/requests").await;
    let page = chair
        .post(&format!("/vault/requests/{grant}/approve"), &[])
        .await;
    assert_eq!(page.status, 409);
    assert!(
        page.body
            .contains("yourself, so you cannot grant access to it"),
        "{}",
        page.body
    );
    let grants = app.store.grants(app.a.id).await.unwrap();
    assert_eq!(grants[0].decision, GrantDecision::Pending);
    assert_eq!(reveal(&mut it, &item).await.status, 403);
}

#[tokio::test]
async fn a_councillor_cannot_approve_a_request() {
    let app = spawn_app().await;
    let item = add_item(&app, "ordinary").await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let grant = request_item(&app, &mut it, &item).await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let page = councillor.get("/vault/requests").await;
    assert_eq!(page.status, 200);
    // A councillor sees only their own requests.
    assert!(!page.body.contains("Ivan Provider"));
    assert!(!page.body.contains(&grant));
    let page = councillor
        .post(&format!("/vault/requests/{grant}/approve"), &[])
        .await;
    assert_eq!(page.status, 403);
    let page = councillor
        .post(&format!("/vault/requests/{grant}/end"), &[])
        .await;
    assert_eq!(page.status, 403);
    let grants = app.store.grants(app.a.id).await.unwrap();
    assert_eq!(grants[0].decision, GrantDecision::Pending);
}

#[tokio::test]
async fn another_councils_request_is_not_found() {
    let app = spawn_app().await;
    let item = add_item(&app, "ordinary").await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let grant = request_item(&app, &mut it, &item).await;
    let mut other_clerk = app.signed_in(&app.b.clerk.email).await;
    let page = other_clerk.get("/vault/requests").await;
    assert!(!page.body.contains("Ivan Provider"));
    assert!(!page.body.contains(&grant));
    assert!(!page.body.contains("Council website admin"));
    for action in ["approve", "end"] {
        let page = other_clerk
            .post(&format!("/vault/requests/{grant}/{action}"), &[])
            .await;
        assert_eq!(page.status, 404, "{action}");
    }
    let page = other_clerk
        .post(
            &format!("/vault/requests/{grant}/decline"),
            &[("reason", "Not ours")],
        )
        .await;
    assert_eq!(page.status, 404);
    // Another council's item cannot be asked for either.
    let page = other_clerk
        .post(
            "/vault/requests",
            &[
                ("items", item.as_str()),
                ("reason", "Curious"),
                ("hours", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(app.store.grants(app.b.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_request_with_bad_input_says_what_to_fix_and_stores_nothing() {
    let app = spawn_app().await;
    let item = add_item(&app, "ordinary").await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    it.get("/vault/requests").await;
    let page = it
        .post("/vault/requests", &[("reason", " "), ("hours", "30")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose at least one item to ask for."));
    assert!(
        page.body
            .contains("Access can last from 1 to 24 hours; 30 hours was asked for.")
    );
    assert!(page.body.contains("Give a reason."));
    let page = it
        .post(
            "/vault/requests",
            &[
                ("items", item.as_str()),
                ("reason", "Renew"),
                ("hours", "four"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("as a whole number from 1 to 24"));
    // What was chosen is kept, so only the mistake needs fixing.
    assert!(page.body.contains(&format!("value=\"{item}\" checked")));
    assert!(app.store.grants(app.a.id).await.unwrap().is_empty());
    assert!(messages(&app, app.a.id, app.a.clerk.id).await.is_empty());
}

#[tokio::test]
async fn a_person_dismisses_only_their_own_messages() {
    let app = spawn_app().await;
    let item = add_item(&app, "ordinary").await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    request_item(&app, &mut it, &item).await;
    let mine = app
        .store
        .notifications(app.a.id, app.a.clerk.id)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    let id = mine[0].id;

    // Someone else's message is "not found", and stays.
    let mut chair = app.signed_in(&app.a.chair.email).await;
    chair.get("/").await;
    let page = chair
        .post(&format!("/notifications/{id}/dismiss"), &[])
        .await;
    assert_eq!(page.status, 404);
    // Without the form token nothing happens.
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk
        .post_raw(&format!("/notifications/{id}/dismiss"), &[])
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(
        app.store
            .notifications(app.a.id, app.a.clerk.id)
            .await
            .unwrap()
            .len(),
        1
    );

    clerk.get("/").await;
    let page = clerk
        .post(&format!("/notifications/{id}/dismiss"), &[])
        .await;
    assert_eq!(page.status, 303);
    assert!(
        app.store
            .notifications(app.a.id, app.a.clerk.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_emergency_page_says_whether_the_recovery_kit_is_issued_and_up_to_date() {
    use custodian_core::audit::AuditEvent;
    use custodian_core::ports::RecoveryKitRecord;
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get("/vault/emergency").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("No recovery kit has been issued"),
        "{}",
        page.body
    );

    // A kit issued to holders who are no longer the council's: the page asks for a new one.
    let people = app.store.people(app.a.id).await.unwrap();
    let mut holders = custodian_core::vault::kit_holders(&people);
    let kit = |holders: Vec<String>| RecoveryKitRecord {
        council_id: app.a.id,
        kit_id: "0123456789abcdef".into(),
        public_key: "11".repeat(32),
        issued_at: app.clock_now(),
        holders,
    };
    let event = AuditEvent::new(
        app.a.id,
        app.clock_now(),
        Actor::Operator,
        "vault.kit_issued",
    );
    app.store
        .replace_recovery_kit(&kit(holders.clone()), &event)
        .await
        .unwrap();
    let page = clerk.get("/vault/emergency").await;
    assert!(page.body.contains("0123456789abcdef"), "{}", page.body);
    assert!(
        !page.body.contains("The holders have changed"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("No recovery kit"), "{}", page.body);

    holders[0] = "Chair: Somebody Who Has Stood Down".into();
    app.store
        .replace_recovery_kit(&kit(holders), &event)
        .await
        .unwrap();
    let page = clerk.get("/vault/emergency").await;
    assert!(
        page.body.contains("The holders have changed"),
        "{}",
        page.body
    );
    assert!(page.body.contains("custodian vault kit"), "{}", page.body);
}
