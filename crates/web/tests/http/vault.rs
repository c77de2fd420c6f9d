//! The password vault's item pages: adding an item, revealing one secret (recorded first,
//! fail-closed, never cached, never logged), refused reveals opening an incident and telling
//! the Clerk and Chair, who may do what, and another council's items being "not found".

use crate::helpers::*;
use custodian_core::ids::VaultItemId;
use custodian_core::ports::{AuditLog, AuditQuery, IncidentStore, VaultStore};

const SECRET: &str = "kettle-orbit-lantern-meadow";
const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The Clerk adds an item the Clerk and Chair may reveal; returns its id.
async fn add_item(clerk: &mut Client, name: &str, extra: &[(&str, &str)]) -> String {
    clerk.get("/vault/new").await;
    let mut fields = vec![
        ("name", name),
        ("kind", "website_admin"),
        ("tier", "ordinary"),
        ("username", "admin@ashby.example"),
        ("roles", "clerk"),
        ("roles", "chair"),
        ("password", SECRET),
    ];
    fields.extend_from_slice(extra);
    let page = clerk.post("/vault/new", &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location()
        .trim_start_matches("/vault/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn reveal(client: &mut Client, id: &str, field: &str) -> Page {
    client.get(&format!("/vault/{id}")).await;
    client
        .post(
            &format!("/vault/{id}/reveal"),
            &[
                ("field", field),
                ("reason", "Updating the parish news page"),
            ],
        )
        .await
}

fn logs() -> String {
    String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned()
}

#[tokio::test]
async fn the_clerk_adds_an_item_and_reveals_its_password_which_is_recorded_and_never_cached() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Council website admin", &[]).await;

    let list = clerk.get("/vault").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Council website admin"));
    assert!(!list.body.contains(SECRET));
    let item = clerk.get(&format!("/vault/{id}")).await;
    assert!(item.body.contains("Reveal the password"));
    assert!(!item.body.contains(SECRET));

    let page = reveal(&mut clerk, &id, "password").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(SECRET));
    assert_eq!(page.headers["cache-control"], "no-store");

    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"vault.item_added".to_owned()));
    assert!(actions.contains(&"vault.revealed".to_owned()));
    let query = AuditQuery {
        subject: Some(format!("vault_item:{id}")),
        limit: 100,
        ..AuditQuery::default()
    };
    let entries = app.store.entries(app.a.id, &query).await.unwrap();
    let revealed = entries
        .iter()
        .find(|e| e.action == "vault.revealed")
        .unwrap();
    assert!(revealed.details.contains("Updating the parish news page"));
    assert!(revealed.details.contains("role:clerk"));
    for entry in &entries {
        assert!(!entry.details.contains(SECRET), "{}", entry.details);
    }

    // The history names who revealed what, why and how.
    let item = clerk.get(&format!("/vault/{id}")).await;
    assert!(item.body.contains("Revealed"));
    assert!(item.body.contains("as Clerk"));
    assert!(item.body.contains("Updating the parish news page"));
    assert!(!logs().contains(SECRET));
}

#[tokio::test]
async fn revealing_a_credential_without_permission_opens_an_incident_and_tells_the_clerk_and_chair()
{
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Facebook page", &[]).await;

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    councillor.get("/vault").await;
    let page = councillor
        .post(
            &format!("/vault/{id}/reveal"),
            &[("field", "password"), ("reason", "curious")],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("recorded as an incident"));
    assert!(!page.body.contains(SECRET));

    let incidents = app.store.incidents(app.a.id).await.unwrap();
    assert_eq!(incidents.len(), 1);
    assert!(incidents[0].summary.contains("Connie Councillor"));
    assert!(incidents[0].summary.contains("Facebook page"));
    assert!(
        incidents[0].reported_by.is_none(),
        "Custodian itself reports it"
    );
    for person in [app.a.clerk.id, app.a.chair.id] {
        let told = app.store.notifications(app.a.id, person).await.unwrap();
        assert_eq!(told.len(), 1, "{person}");
        assert!(told[0].message.contains("Connie Councillor"));
    }
    assert!(
        app.store
            .notifications(app.a.id, app.a.councillor.id)
            .await
            .unwrap()
            .is_empty()
    );
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"vault.reveal_refused".to_owned()));
    assert!(actions.contains(&"incident.opened".to_owned()));
    assert!(!actions.contains(&"vault.revealed".to_owned()));

    // The councillor's list does not show the item at all.
    let list = councillor.get("/vault").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("Facebook page"));
}

#[tokio::test]
async fn the_auditor_cannot_reveal_even_an_item_naming_their_role_and_the_attempt_is_an_incident() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Domain registrar", &[]).await;

    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    let item = auditor.get(&format!("/vault/{id}")).await;
    assert_eq!(item.status, 200, "the auditor reads the history");
    assert!(!item.body.contains("Reveal the password"));
    let page = reveal(&mut auditor, &id, "password").await;
    assert_eq!(page.status, 403);
    assert!(!page.body.contains(SECRET));
    assert_eq!(app.store.incidents(app.a.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_reveal_that_cannot_be_recorded_is_refused_with_503_and_shows_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Email administration", &[]).await;
    clerk.get(&format!("/vault/{id}")).await;

    sqlx::query(
        "CREATE TRIGGER audit_full BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    .execute(app.store.write_pool())
    .await
    .unwrap();
    let page = clerk
        .post(
            &format!("/vault/{id}/reveal"),
            &[("field", "password"), ("reason", "Reset a mailbox")],
        )
        .await;
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(page.body.contains("could not be recorded"));
    assert!(!page.body.contains(SECRET));
    assert!(!logs().contains(SECRET));

    sqlx::query("DROP TRIGGER audit_full")
        .execute(app.store.write_pool())
        .await
        .unwrap();
    let actions = app.audit_actions(app.a.id).await;
    assert!(!actions.contains(&"vault.revealed".to_owned()));
    // Once the log can be written again, the reveal works.
    let page = reveal(&mut clerk, &id, "password").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(SECRET));
}

#[tokio::test]
async fn a_two_step_seed_is_never_shown_only_its_current_code() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(
        &mut clerk,
        "Twitter account",
        &[("totp_seed", "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp")],
    )
    .await;

    let page = reveal(&mut clerk, &id, "totp_seed").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains(SEED));
    assert!(!page.body.to_lowercase().contains("jbsw"));
    let bytes = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, SEED).unwrap();
    let totp = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        String::new(),
    );
    let code = totp.generate(app.clock_now().as_second() as u64);
    assert_eq!(code.len(), 6);
    assert!(page.body.contains(&code), "the current code is shown");
    let query = AuditQuery {
        action_prefix: Some("vault.revealed".to_owned()),
        limit: 10,
        ..AuditQuery::default()
    };
    let entries = app.store.entries(app.a.id, &query).await.unwrap();
    assert!(entries[0].details.contains("current code"));
    assert!(!entries[0].details.contains(&code));
}

#[tokio::test]
async fn bad_input_on_the_new_item_form_stores_nothing_and_names_each_problem() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/vault/new").await;
    let page = clerk
        .post(
            "/vault/new",
            &[
                ("name", ""),
                ("kind", "spaceship"),
                ("rotation_days", "0"),
                ("password", SECRET),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Enter a name for the item"));
    assert!(page.body.contains("not a kind of item"));
    assert!(page.body.contains("Choose at least one role or person"));
    assert!(page.body.contains("not a number of days"));
    assert!(
        !page.body.contains(SECRET),
        "a typed password is never written back"
    );
    assert!(app.store.vault_items(app.a.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_weak_or_default_password_is_warned_about_and_kept_only_when_confirmed() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/vault/new").await;
    let fields = [
        ("name", "Office router"),
        ("kind", "device_admin"),
        ("tier", "ordinary"),
        ("roles", "clerk"),
        ("password", "Admin123"),
    ];
    let page = clerk.post("/vault/new", &fields).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("keep it anyway"), "{}", page.body);
    assert!(!page.body.contains("Admin123"));
    assert!(app.store.vault_items(app.a.id).await.unwrap().is_empty());

    let mut kept = fields.to_vec();
    kept.push(("keep_password", "yes"));
    let page = clerk.post("/vault/new", &kept).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(app.store.vault_items(app.a.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_suggest_button_offers_random_words() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/vault/new").await;
    let page = clerk
        .post(
            "/vault/new",
            &[("name", "Wi-Fi"), ("words", "4"), ("suggest", "yes")],
        )
        .await;
    assert_eq!(page.status, 200);
    let at = page.body.find("id=\"suggested\">").unwrap() + 15;
    let phrase = &page.body[at..at + page.body[at..].find('<').unwrap()];
    assert_eq!(phrase.split('-').count(), 4, "{phrase}");
    assert!(app.store.vault_items(app.a.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn another_councils_item_is_not_found_on_every_route() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Ashby website", &[]).await;
    let mut other = app.signed_in(&app.b.clerk.email).await;
    other.get("/vault").await;
    for path in ["", "/edit", "/secret"] {
        let page = other.get(&format!("/vault/{id}{path}")).await;
        assert_eq!(page.status, 404, "GET {path}");
    }
    for (path, fields) in [
        ("/reveal", vec![("field", "password"), ("reason", "x")]),
        (
            "/edit",
            vec![
                ("name", "Mine now"),
                ("kind", "other"),
                ("roles", "clerk"),
                ("revision", "1"),
            ],
        ),
        (
            "/secret",
            vec![
                ("field", "password"),
                ("value", "new-words-here-please"),
                ("revision", "1"),
            ],
        ),
        ("/default-changed", vec![]),
        ("/compromised", vec![("reason", "x")]),
    ] {
        let page = other.post(&format!("/vault/{id}{path}"), &fields).await;
        assert_eq!(page.status, 404, "POST {path}");
        assert!(!page.body.contains(SECRET));
    }
    let unknown = VaultItemId::generate();
    assert_eq!(other.get(&format!("/vault/{unknown}")).await.status, 404);
    assert!(app.store.incidents(app.b.id).await.unwrap().is_empty());
    let item = app
        .store
        .vault_item(app.a.id, VaultItemId::parse(&id).unwrap())
        .await
        .unwrap();
    assert_eq!(item.name, "Ashby website");
}

#[tokio::test]
async fn only_the_clerk_manages_items() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Hosting control panel", &[]).await;
    for email in [
        &app.a.chair.email,
        &app.a.councillor.email,
        &app.a.auditor.email,
        &app.a.it_provider.email,
    ] {
        let mut person = app.signed_in(email).await;
        assert_eq!(person.get("/vault/new").await.status, 403, "{email}");
        assert_eq!(
            person.get(&format!("/vault/{id}/edit")).await.status,
            403,
            "{email}"
        );
        assert_eq!(
            person.get(&format!("/vault/{id}/secret")).await.status,
            403,
            "{email}"
        );
        let page = person
            .post(
                "/vault/new",
                &[
                    ("name", "Sneaky"),
                    ("kind", "other"),
                    ("tier", "ordinary"),
                    ("roles", "clerk"),
                ],
            )
            .await;
        assert_eq!(page.status, 403, "{email}");
        let page = person
            .post(&format!("/vault/{id}/default-changed"), &[])
            .await;
        assert_eq!(page.status, 403, "{email}");
    }
    assert_eq!(app.store.vault_items(app.a.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_clerk_changes_details_and_password_and_a_stale_form_is_refused() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Parish website", &[]).await;
    let form = clerk.get(&format!("/vault/{id}/edit")).await;
    assert_eq!(form.status, 200);
    let fields = [
        ("name", "Parish website (WordPress)"),
        ("kind", "website_admin"),
        ("tier", "ordinary"),
        ("roles", "clerk"),
        ("revision", "0"),
    ];
    let page = clerk.post(&format!("/vault/{id}/edit"), &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    // The same form again is over an older revision.
    let page = clerk.post(&format!("/vault/{id}/edit"), &fields).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Changed by someone else"));

    clerk.get(&format!("/vault/{id}/secret")).await;
    let new_password = "saddle-copper-violin-harbour";
    let page = clerk
        .post(
            &format!("/vault/{id}/secret"),
            &[
                ("field", "password"),
                ("value", new_password),
                ("revision", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = reveal(&mut clerk, &id, "password").await;
    assert!(page.body.contains(new_password));
    assert!(!page.body.contains(SECRET));
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"vault.item_changed".to_owned()));
    assert!(actions.contains(&"vault.secret_changed".to_owned()));
    assert!(!logs().contains(new_password));
}

#[tokio::test]
async fn marking_an_item_compromised_opens_an_incident_and_lists_who_revealed_it() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Council email admin", &[]).await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    assert_eq!(reveal(&mut chair, &id, "password").await.status, 200);

    clerk.get(&format!("/vault/{id}")).await;
    let page = clerk
        .post(
            &format!("/vault/{id}/compromised"),
            &[("reason", "Phishing email clicked")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Charles Chair"));
    assert!(page.body.contains(&format!("/vault/{id}/secret")));
    let incidents = app.store.incidents(app.a.id).await.unwrap();
    assert_eq!(incidents.len(), 1);
    let item = app
        .store
        .vault_item(app.a.id, VaultItemId::parse(&id).unwrap())
        .await
        .unwrap();
    assert!(item.compromised.is_some());
    assert!(item.rotation_forced_at.is_some());
    let list = clerk.get("/vault").await;
    assert!(list.body.contains("Compromised: change the password now"));
}

#[tokio::test]
async fn a_leavers_page_lists_every_password_they_revealed() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let seen = add_item(&mut clerk, "Parish Facebook page", &[]).await;
    add_item(&mut clerk, "Bank account", &[]).await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    assert_eq!(reveal(&mut chair, &seen, "password").await.status, 200);

    let chair_id = app.a.chair.id;
    clerk.get(&format!("/people/{chair_id}")).await;
    let left = clerk
        .post(
            &format!("/people/{chair_id}/leave"),
            &[("leave_date", "2026-09-01")],
        )
        .await;
    assert_eq!(left.status, 303, "{}", left.body);
    let page = clerk.get(&format!("/people/{chair_id}")).await;
    assert!(
        page.body
            .contains("Passwords to change now that Charles Chair has left")
    );
    assert!(page.body.contains(&format!("/vault/{seen}")));
    assert!(page.body.contains("Parish Facebook page"));
    assert!(!page.body.contains("Bank account"));
}

#[tokio::test]
async fn a_locked_vault_says_so_and_reveals_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = add_item(&mut clerk, "Wi-Fi network", &[]).await;
    let mut clerk = app.signed_in_locked(&app.a.clerk.email).await;
    let list = clerk.get("/vault").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("The vault is locked"));
    let page = reveal(&mut clerk, &id, "password").await;
    assert_eq!(page.status, 503);
    assert!(!page.body.contains(SECRET));
    assert_eq!(clerk.get("/vault/new").await.status, 503);
}
