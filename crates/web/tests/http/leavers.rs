//! The leaver's checklist through the pages: marking a person as left makes it from the
//! register, their devices and the vault's log; the records settle what they can show; the
//! Clerk ticks or waives (with a reason) the rest; it closes only when nothing is open; who may
//! read and change it.

use crate::assets::{add_item as add_asset, laptop_form};
use crate::helpers::*;
use custodian_core::device::{DeviceKind, DeviceName, NewDevice, Platform, request_own_device};
use custodian_core::ids::{DeviceId, PersonId};
use custodian_core::leaver::{LeaverChecklist, Task};
use custodian_core::ports::{DeviceStore, LeaverStore, PersonStore};
use jiff::SignedDuration;

/// The Clerk adds a vault item of `kind` the Clerk and councillors may reveal; returns its id.
async fn add_vault_item(clerk: &mut Client, name: &str, kind: &str, roles: &[&str]) -> String {
    clerk.get("/vault/new").await;
    let mut fields = vec![
        ("name", name),
        ("kind", kind),
        ("tier", "ordinary"),
        ("username", "parish"),
        ("password", "kettle-orbit-lantern-meadow"),
    ];
    fields.extend(roles.iter().map(|r| ("roles", *r)));
    let page = clerk.post("/vault/new", &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location()
        .trim_start_matches("/vault/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn reveal(client: &mut Client, id: &str) {
    client.get(&format!("/vault/{id}")).await;
    let page = client
        .post(
            &format!("/vault/{id}/reveal"),
            &[
                ("field", "password"),
                ("reason", "Posting the meeting notice"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
}

async fn change_password(clerk: &mut Client, id: &str) {
    clerk.get(&format!("/vault/{id}/secret")).await;
    let page = clerk
        .post(
            &format!("/vault/{id}/secret"),
            &[
                ("field", "password"),
                ("value", "saddle-copper-violin-harbour"),
                ("revision", "0"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
}

/// The page's text with the escapes the templates add put back.
fn unescaped(body: &str) -> String {
    [
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#x27;", "'"),
        ("&#39;", "'"),
    ]
    .iter()
    .fold(body.to_owned(), |text, (from, to)| text.replace(from, to))
    .replace("&amp;", "&")
}

/// The state tag shown just before the first label containing `label`.
fn state_of(body: &str, label: &str) -> String {
    let body = unescaped(body);
    let at = body
        .find(label)
        .unwrap_or_else(|| panic!("{label} is not on the page"));
    let before = &body[..at];
    let tag = before.rfind("govuk-tag--").expect("a state tag");
    let start = tag + before[tag..].find('>').unwrap() + 1;
    let end = start + before[start..].find('<').unwrap();
    before[start..end].to_owned()
}

/// A councillor holding a laptop from the register, with their own phone, who revealed the
/// parish website's password and the parish Facebook page's; the bank login they never saw.
struct Leaver {
    id: PersonId,
    laptop: String,
    phone: DeviceId,
    website: String,
    facebook: String,
}

async fn councillor_leaves(app: &TestApp, clerk: &mut Client) -> Leaver {
    let id = app.a.councillor.id;
    let laptop = add_asset(clerk, &laptop_form("LAP-7")).await;
    clerk.get(&format!("/assets/{laptop}/issue")).await;
    let issued = clerk
        .post(
            &format!("/assets/{laptop}/issue"),
            &[("person", &id.to_string())],
        )
        .await;
    assert_eq!(issued.status, 303, "{}", issued.body);
    let person = app.store.person(app.a.id, id).await.unwrap();
    let (phone, event) = request_own_device(
        app.a.id,
        DeviceId::generate(),
        &person,
        NewDevice {
            name: DeviceName::parse("Connie's Pixel").unwrap(),
            kind: DeviceKind::Phone,
            platform: Platform::Android,
            serial: None,
        },
        app.clock_now(),
    )
    .unwrap();
    app.store.insert_device(&phone, &event).await.unwrap();
    let website = add_vault_item(
        clerk,
        "Parish website",
        "website_admin",
        &["clerk", "councillor"],
    )
    .await;
    let facebook = add_vault_item(
        clerk,
        "Parish Facebook page",
        "social_media",
        &["clerk", "councillor"],
    )
    .await;
    add_vault_item(clerk, "Bank account", "banking", &["clerk"]).await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    reveal(&mut councillor, &website).await;
    reveal(&mut councillor, &facebook).await;

    clerk.get(&format!("/people/{id}")).await;
    let left = clerk
        .post(&format!("/people/{id}/leave"), &[("leave_date", "")])
        .await;
    assert_eq!(left.status, 303, "{}", left.body);
    assert_eq!(left.location(), format!("/people/{id}/leaving"));
    // Their session ended with the change.
    assert_eq!(councillor.get("/").await.status, 303);
    Leaver {
        id,
        laptop,
        phone: phone.id,
        website,
        facebook,
    }
}

async fn stored(app: &TestApp, id: PersonId) -> LeaverChecklist {
    app.store
        .leaver_checklist(app.a.id, id)
        .await
        .unwrap()
        .expect("a checklist")
}

#[tokio::test]
async fn marking_a_person_as_left_lists_exactly_what_the_records_hold_for_them() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let leaver = councillor_leaves(&app, &mut clerk).await;
    let checklist = stored(&app, leaver.id).await;
    let website = custodian_core::ids::VaultItemId::parse(&leaver.website).unwrap();
    let facebook = custodian_core::ids::VaultItemId::parse(&leaver.facebook).unwrap();
    let laptop = custodian_core::ids::AssetId::parse(&leaver.laptop).unwrap();
    let tasks: Vec<Task> = checklist.items.iter().map(|i| i.task).collect();
    assert_eq!(
        tasks,
        [
            Task::RevokeSignIn,
            Task::ReturnAsset(laptop),
            Task::ClearOwnDevice(leaver.phone),
            Task::RotateCredential(facebook),
            Task::RotateCredential(website),
            Task::HandOverSocialMedia(facebook),
            Task::UpdateSocialMediaProfiles,
        ]
    );

    let page = clerk.get(&format!("/people/{}/leaving", leaver.id)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("6 item(s) still to do"), "{}", page.body);
    assert_eq!(
        state_of(&page.body, "Stop Connie Councillor signing in"),
        "Done"
    );
    assert_eq!(state_of(&page.body, "Collect LAP-7"), "Open");
    assert_eq!(state_of(&page.body, "Connie's Pixel"), "Open");
    assert!(
        page.body
            .contains(&format!("href=\"/assets/{}\"", leaver.laptop))
    );
    assert!(
        page.body
            .contains(&format!("href=\"/devices/{}\"", leaver.phone))
    );
    assert!(
        page.body
            .contains(&format!("href=\"/vault/{}\"", leaver.website))
    );
    assert!(!page.body.contains("Bank account"));
    // Their page links to it.
    let person = clerk.get(&format!("/people/{}", leaver.id)).await;
    assert!(
        person
            .body
            .contains(&format!("/people/{}/leaving", leaver.id))
    );
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"leaver.checklist_created".to_owned()));
}

#[tokio::test]
async fn the_records_settle_items_waiving_needs_a_reason_and_the_list_closes_only_when_nothing_is_open()
 {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let leaver = councillor_leaves(&app, &mut clerk).await;
    let path = format!("/people/{}/leaving", leaver.id);
    app.clock.advance(SignedDuration::from_mins(5));

    // Returning the laptop to store marks it done, with no tick.
    clerk.get(&format!("/assets/{}", leaver.laptop)).await;
    let returned = clerk
        .post(&format!("/assets/{}/return", leaver.laptop), &[])
        .await;
    assert_eq!(returned.status, 303, "{}", returned.body);
    // Changing the website's password after they left marks that done.
    change_password(&mut clerk, &leaver.website).await;
    let page = clerk.get(&path).await;
    assert_eq!(state_of(&page.body, "Collect LAP-7"), "Done");
    assert!(page.body.contains("The register shows LAP-7 in store."));
    assert_eq!(
        state_of(&page.body, r#"password of "Parish website""#),
        "Done"
    );
    assert_eq!(
        state_of(&page.body, r#"password of "Parish Facebook page""#),
        "Open"
    );
    assert!(page.body.contains("4 item(s) still to do"));

    // A task the records show cannot be ticked by hand.
    let facebook_rotation = format!("rotate_credential:{}", leaver.facebook);
    let ticked = clerk
        .post(&format!("{path}/done"), &[("item", &facebook_rotation)])
        .await;
    assert_eq!(ticked.status, 409);
    assert!(ticked.body.contains("shown by the council"));
    // Waiving needs a reason, and without one nothing is stored.
    let before = stored(&app, leaver.id).await;
    let waived = clerk
        .post(
            &format!("{path}/waive"),
            &[("item", &facebook_rotation), ("reason", "  ")],
        )
        .await;
    assert_eq!(waived.status, 200);
    assert!(waived.body.contains("Give the reason this item is waived"));
    assert_eq!(stored(&app, leaver.id).await, before);

    let waived = clerk
        .post(
            &format!("{path}/waive"),
            &[
                ("item", &facebook_rotation),
                ("reason", "Page closed down by the council"),
            ],
        )
        .await;
    assert_eq!(waived.status, 303, "{}", waived.body);
    clerk.get(&path).await;
    let handover = format!("hand_over_social_media:{}", leaver.facebook);
    let done = clerk
        .post(
            &format!("{path}/done"),
            &[("item", &handover), ("note", "Removed as page admin")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let done = clerk
        .post(
            &format!("{path}/done"),
            &[("item", "update_social_media_profiles")],
        )
        .await;
    assert_eq!(done.status, 303);
    let page = clerk.get(&path).await;
    assert!(page.body.contains("1 item(s) still to do"), "{}", page.body);
    assert!(page.body.contains("Page closed down by the council"));
    assert!(page.body.contains("Removed as page admin"));
    assert!(
        !app.audit_actions(app.a.id)
            .await
            .contains(&"leaver.checklist_closed".to_owned())
    );

    // Retiring their phone settles the last item, and the list is then closed.
    clerk.get(&format!("/devices/{}", leaver.phone)).await;
    let retired = clerk
        .post(&format!("/devices/{}/retire", leaver.phone), &[])
        .await;
    assert_eq!(retired.status, 303, "{}", retired.body);
    let page = clerk.get(&path).await;
    assert!(page.body.contains("Every item is done or waived"));
    let close = clerk.post(&format!("{path}/close"), &[]).await;
    assert_eq!(close.status, 303, "{}", close.body);
    assert!(stored(&app, leaver.id).await.closed_at.is_some());
    let again = clerk.post(&format!("{path}/close"), &[]).await;
    assert_eq!(again.status, 409);
    let actions = app.audit_actions(app.a.id).await;
    for action in [
        "leaver.item_waived",
        "leaver.item_done",
        "leaver.checklist_closed",
    ] {
        assert!(actions.contains(&action.to_owned()), "{action}");
    }
}

#[tokio::test]
async fn only_the_clerk_changes_a_checklist_officers_read_it_and_other_councils_find_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let leaver = councillor_leaves(&app, &mut clerk).await;
    let path = format!("/people/{}/leaving", leaver.id);
    let tick = format!("{path}/done");
    let fields = [("item", "update_social_media_profiles"), ("reason", "x")];

    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    let page = auditor.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Mark done"));
    assert!(!page.body.contains("Waive this item"));
    for action in ["done", "waive", "close", "create"] {
        let refused = auditor.post(&format!("{path}/{action}"), &fields).await;
        assert_eq!(refused.status, 403, "auditor POST {action}");
    }
    let mut chair = app.signed_in(&app.a.chair.email).await;
    assert_eq!(chair.get(&path).await.status, 200);
    assert_eq!(chair.post(&tick, &fields).await.status, 403);

    // The IT provider is an officer too: reads, cannot change.
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    assert_eq!(it.get(&path).await.status, 200);
    assert_eq!(it.post(&tick, &fields).await.status, 403);

    let mut other = app.signed_in(&app.b.clerk.email).await;
    assert_eq!(other.get(&path).await.status, 404);
    other.get("/people").await;
    for action in ["done", "waive", "close", "create"] {
        let refused = other.post(&format!("{path}/{action}"), &fields).await;
        assert_eq!(refused.status, 404, "other council POST {action}");
    }
    let list = stored(&app, leaver.id).await;
    assert!(
        list.items
            .iter()
            .all(|i| i.mark == custodian_core::leaver::Mark::Open)
    );
}

#[tokio::test]
async fn a_councillor_cannot_read_a_leavers_checklist() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let chair = app.a.chair.id;
    clerk.get(&format!("/people/{chair}")).await;
    let left = clerk.post(&format!("/people/{chair}/leave"), &[]).await;
    assert_eq!(left.status, 303);
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(
        councillor
            .get(&format!("/people/{chair}/leaving"))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn someone_who_left_before_checklists_existed_gets_one_made_on_request() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    // Marked as left the old way: the person changed, no checklist.
    let mut chair = app.store.person(app.a.id, app.a.chair.id).await.unwrap();
    chair.status = custodian_core::person::PersonStatus::Left;
    let event = custodian_core::audit::AuditEvent::new(
        app.a.id,
        app.clock_now(),
        custodian_core::audit::Actor::Operator,
        "person.left",
    );
    app.store.update_person(&chair, &event).await.unwrap();
    let path = format!("/people/{}/leaving", chair.id);
    let page = clerk.get(&path).await;
    assert!(
        page.body
            .contains("before Custodian made leaving checklists")
    );
    let made = clerk.post(&format!("{path}/create"), &[]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert!(
        app.store
            .leaver_checklist(app.a.id, chair.id)
            .await
            .unwrap()
            .is_some()
    );
    let again = clerk.post(&format!("{path}/create"), &[]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("already has a leaver"));
    // Someone still active gets none.
    let councillor = app.a.councillor.id;
    let active = clerk
        .post(&format!("/people/{councillor}/leaving/create"), &[])
        .await;
    assert_eq!(active.status, 409);
    assert!(active.body.contains("has not left"));
}
