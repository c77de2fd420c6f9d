//! Emergency access to the sealed passwords (issue 5, the sealed envelope of 4.1.2), driven through the pages with the
//! test clock: the waiting period passes, objections stop it, a second holder opens it at once,
//! and only the policy's holder may open it.

use super::vault_access::{SECRET, add_item, add_vice_chair, messages, reveal};
use crate::helpers::*;
use custodian_core::policy::PolicyProfile;
use custodian_core::ports::VaultStore;
use jiff::SignedDuration;

/// The model policy's waiting time (no policy adopted in the test councils).
fn wait() -> SignedDuration {
    SignedDuration::from_hours(i64::from(
        PolicyProfile::model_defaults().emergency_access_wait_hours,
    ))
}

/// The Chair opens emergency access; returns its id.
async fn open_emergency(app: &TestApp, chair: &mut Client) -> String {
    let page = chair.get("/vault/emergency").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("action=\"/vault/emergency/open\""),
        "{}",
        page.body
    );
    let page = chair
        .post(
            "/vault/emergency/open",
            &[(
                "reason",
                "The Clerk is in hospital and the website is wrong",
            )],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.store.emergencies(app.a.id).await.unwrap()[0]
        .id
        .to_string()
}

#[tokio::test]
async fn emergency_access_opens_after_the_wait_and_the_item_must_then_be_changed() {
    let app = spawn_app().await;
    let (vice_chair, _) = add_vice_chair(&app).await;
    let item = add_item(&app, "sealed").await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let page = chair.get("/vault/emergency").await;
    assert!(
        page.body.contains("Council website admin"),
        "sealed items are listed"
    );
    assert!(!page.body.contains(SECRET));
    open_emergency(&app, &mut chair).await;

    for told in [vice_chair, app.a.clerk.id, app.a.it_provider.id] {
        let told = messages(&app, app.a.id, told).await;
        assert!(
            told.iter()
                .any(|m| m.contains("Charles Chair opened emergency access")),
            "{told:?}"
        );
    }
    assert!(messages(&app, app.a.id, app.a.chair.id).await.is_empty());
    assert!(
        messages(&app, app.a.id, app.a.councillor.id)
            .await
            .is_empty()
    );

    // A second emergency cannot be opened while this one waits.
    chair.get("/vault/emergency").await;
    let page = chair
        .post("/vault/emergency/open", &[("reason", "Again")])
        .await;
    assert_eq!(page.status, 409);
    assert_eq!(app.store.emergencies(app.a.id).await.unwrap().len(), 1);

    assert_eq!(
        reveal(&mut chair, &item).await.status,
        403,
        "refused during the wait"
    );

    app.clock.advance(wait() + SignedDuration::from_secs(1));
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let page = reveal(&mut chair, &item).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(SECRET));
    let page = chair.get(&format!("/vault/{item}")).await;
    assert!(
        page.body.to_lowercase().contains("change the password now"),
        "{}",
        page.body
    );
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.iter().any(|a| a == "vault.emergency_opened"));
}

#[tokio::test]
async fn an_objection_stops_emergency_access() {
    let app = spawn_app().await;
    let item = add_item(&app, "sealed").await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let id = open_emergency(&app, &mut chair).await;

    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let page = it.get("/vault/emergency").await;
    assert!(page.body.contains(&format!("/vault/emergency/{id}/object")));
    let page = it
        .post(
            &format!("/vault/emergency/{id}/object"),
            &[("reason", "The Clerk is at work today")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(
        messages(&app, app.a.id, app.a.chair.id)
            .await
            .iter()
            .any(|m| m.contains("Ivan Provider objected"))
    );

    app.clock.advance(wait() + SignedDuration::from_secs(1));
    let mut chair = app.signed_in(&app.a.chair.email).await;
    assert_eq!(reveal(&mut chair, &item).await.status, 403);
    let page = chair.get("/vault/emergency").await;
    assert!(page.body.contains("Stopped by an objection"));
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.iter().any(|a| a == "vault.emergency_objected"));
}

#[tokio::test]
async fn a_second_holders_agreement_opens_emergency_access_at_once() {
    let app = spawn_app().await;
    let item = add_item(&app, "sealed").await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let id = open_emergency(&app, &mut chair).await;

    // The opener cannot agree to their own emergency.
    chair.get("/vault/emergency").await;
    let page = chair
        .post(&format!("/vault/emergency/{id}/agree"), &[])
        .await;
    assert_eq!(page.status, 409);

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/vault/emergency").await;
    let page = clerk
        .post(&format!("/vault/emergency/{id}/agree"), &[])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = reveal(&mut chair, &item).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(SECRET));

    // Closing it ends access at once.
    chair.get("/vault/emergency").await;
    let page = chair
        .post(&format!("/vault/emergency/{id}/close"), &[])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(reveal(&mut chair, &item).await.status, 403);
    let actions = app.audit_actions(app.a.id).await;
    for action in ["vault.emergency_agreed", "vault.emergency_closed"] {
        assert!(actions.iter().any(|a| a == action), "no {action}");
    }
}

#[tokio::test]
async fn only_the_policys_emergency_holder_can_open_emergency_access() {
    let app = spawn_app().await;
    add_item(&app, "sealed").await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(councillor.get("/vault/emergency").await.status, 403);
    councillor.get("/").await;
    let page = councillor
        .post("/vault/emergency/open", &[("reason", "Curious")])
        .await;
    assert_eq!(page.status, 403);
    // The Clerk takes part but does not hold the envelope under the model policy.
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get("/vault/emergency").await;
    assert!(!page.body.contains("action=\"/vault/emergency/open\""));
    let page = clerk
        .post("/vault/emergency/open", &[("reason", "Curious")])
        .await;
    assert_eq!(page.status, 403);
    assert!(app.store.emergencies(app.a.id).await.unwrap().is_empty());
}
