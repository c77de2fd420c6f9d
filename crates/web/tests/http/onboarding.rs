//! First-run setup and invitations.

use crate::helpers::*;
use jiff::SignedDuration;

fn invitation_path(body: &str) -> String {
    let link = body.split("class=\"custodian-link-text\">").nth(1).unwrap();
    let link = link.split("</code>").next().unwrap();
    format!("/invitation/{}", link.rsplit('/').next().unwrap())
}

#[tokio::test]
async fn an_invited_person_sets_their_own_password_once() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/people/new").await;
    let page = clerk
        .post(
            "/people/new",
            &[
                ("name", "Vera Volunteer"),
                ("email", "vera@ashby.example"),
                ("roles", "other_authorised_user"),
                ("start_date", "2026-11-01"),
            ],
        )
        .await;
    assert!(
        page.body.contains("Invitation ready for Vera Volunteer"),
        "{}",
        page.body
    );
    let path = invitation_path(&page.body);

    let mut vera = app.client();
    let form = vera.get(&path).await;
    assert!(form.body.contains("three random words"));
    let weak = vera
        .post(
            &path,
            &[("password", "password1234"), ("confirm", "password1234")],
        )
        .await;
    assert!(weak.body.contains("most often guessed"), "{}", weak.body);
    let mismatch = vera
        .post(
            &path,
            &[
                ("password", "lantern-otter-quarry"),
                ("confirm", "lantern-otter-quarrz"),
            ],
        )
        .await;
    assert!(mismatch.body.contains("do not match"));
    let ok = vera
        .post(
            &path,
            &[
                ("password", "lantern-otter-quarry"),
                ("confirm", "lantern-otter-quarry"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(vera.get("/").await.status, 200);

    let again = app.client().get(&path).await;
    assert_eq!(again.status, 404);
    assert!(again.body.contains("already been used"));
    let mut signed = app.client();
    assert_eq!(
        signed
            .sign_in("vera@ashby.example", "lantern-otter-quarry")
            .await
            .status,
        303
    );
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"invitation.accepted".to_owned()));
}

#[tokio::test]
async fn an_invitation_expires_after_seven_days() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/people/new").await;
    let page = clerk
        .post(
            "/people/new",
            &[
                ("name", "Late Larry"),
                ("email", "larry@ashby.example"),
                ("roles", "staff"),
            ],
        )
        .await;
    let path = invitation_path(&page.body);
    app.clock.advance(SignedDuration::from_hours(7 * 24 + 1));
    let page = app.client().get(&path).await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("expired"));
}

#[tokio::test]
async fn someone_already_in_another_council_joins_with_their_existing_password() {
    let app = spawn_app().await;
    let mut clerk_b = app.signed_in(&app.b.clerk.email).await;
    clerk_b.get("/people/new").await;
    let page = clerk_b
        .post(
            "/people/new",
            &[
                ("name", "Ivan Provider"),
                ("email", &app.a.it_provider.email),
                ("roles", "staff"),
            ],
        )
        .await;
    let path = invitation_path(&page.body);
    let mut ivan = app.client();
    let form = ivan.get(&path).await;
    assert!(form.body.contains("Enter your existing password"));
    let wrong = ivan
        .post(&path, &[("password", "not-my-password-at-all")])
        .await;
    assert!(wrong.body.contains("does not match"));
    let ok = ivan.post(&path, &[("password", PASSWORD)]).await;
    assert_eq!(ok.status, 303);
    // Signing in now offers both councils.
    let mut fresh = app.client();
    let page = fresh.sign_in(&app.a.it_provider.email, PASSWORD).await;
    assert_eq!(page.location(), "/choose-council");
    let choose = fresh.get("/choose-council").await;
    assert!(
        choose.body.contains("Ashby Parish Council") && choose.body.contains("Brook Town Council")
    );
    let brook = app.b.id.to_string();
    let switched = fresh.post("/choose-council", &[("council", &brook)]).await;
    assert_eq!(switched.status, 303);
    let home = fresh.get("/").await;
    assert!(home.body.contains("Brook Town Council"));
    // A council the account does not belong to cannot be chosen.
    let other = custodian_core::ids::CouncilId::generate().to_string();
    assert_eq!(
        fresh
            .post("/choose-council", &[("council", &other)])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn first_run_setup_needs_the_printed_code_and_then_closes() {
    let app = spawn_app_with_setup_code(Some("setup-code-1234")).await;
    let mut client = app.client();
    // The first visitor is sent from the home page, through sign-in, to set-up.
    assert_eq!(client.get("/").await.location(), "/sign-in");
    assert_eq!(client.get("/sign-in").await.location(), "/setup");
    let page = client.get("/setup").await;
    assert_eq!(page.status, 200);
    let fields = |code: &'static str| {
        vec![
            ("setup_code", code),
            ("council_name", "Cheddar Parish Council"),
            ("kind", "parish"),
            ("clerk_name", "Pat Proper"),
            ("clerk_email", "clerk@cheddar.example"),
            ("password", "meadow-quartz-lantern"),
        ]
    };
    let wrong = client.post("/setup", &fields("wrong-code")).await;
    assert!(wrong.body.contains("The setup code is not right"));
    let bad = client
        .post(
            "/setup",
            &[
                ("setup_code", "setup-code-1234"),
                ("council_name", ""),
                ("kind", "city"),
                ("clerk_email", "nope"),
            ],
        )
        .await;
    for message in [
        "Enter the council",
        "not a kind of council",
        "Enter the person",
        "correct format",
    ] {
        assert!(bad.body.contains(message), "missing {message}");
    }
    assert!(
        custodian_core::ports::CouncilStore::councils(&app.store)
            .await
            .unwrap()
            .is_empty()
    );
    let ok = client.post("/setup", &fields("setup-code-1234")).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    // The new Clerk is signed in and, by default, must set up an authenticator app.
    assert_eq!(client.get("/people").await.location(), "/account/mfa");
    assert_eq!(app.client().get("/setup").await.status, 303);
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_through_a_one_time_reset_link() {
    let app = spawn_app().await;
    let mut old_session = app.signed_in(&app.a.councillor.email).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = app.a.councillor.id;
    clerk.get(&format!("/people/{id}")).await;
    let page = clerk
        .post(&format!("/people/{id}/reset-password"), &[])
        .await;
    assert!(
        page.body
            .contains("Password reset link ready for Connie Councillor"),
        "{}",
        page.body
    );
    let path = invitation_path(&page.body);

    let mut connie = app.client();
    let form = connie.get(&path).await;
    assert!(form.body.contains("Choose a new password"));
    let weak = connie
        .post(&path, &[("password", "short"), ("confirm", "short")])
        .await;
    assert!(weak.body.contains("at least 12 characters"));
    let ok = connie
        .post(
            &path,
            &[
                ("password", "pebble-harbour-violet"),
                ("confirm", "pebble-harbour-violet"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(connie.get("/").await.status, 200);
    // The old session ended, the old password no longer works, and the link is used up.
    assert_eq!(old_session.get("/").await.status, 303);
    assert!(
        app.client()
            .sign_in(&app.a.councillor.email, PASSWORD)
            .await
            .body
            .contains("not right")
    );
    assert_eq!(
        app.client()
            .sign_in(&app.a.councillor.email, "pebble-harbour-violet")
            .await
            .status,
        303
    );
    assert_eq!(app.client().get(&path).await.status, 404);
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"password_reset.created".to_owned()));
    assert!(actions.contains(&"password_reset.completed".to_owned()));
}

#[tokio::test]
async fn reset_links_cannot_be_used_to_take_over_officers_or_shared_sign_ins() {
    let app = spawn_app().await;
    // The IT provider may reset a councillor's password, but not the Clerk's.
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let clerk_id = app.a.clerk.id;
    it.get(&format!("/people/{clerk_id}")).await;
    let refused = it
        .post(&format!("/people/{clerk_id}/reset-password"), &[])
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused
            .body
            .contains("Only the Clerk can create a password reset link")
    );
    let councillor = app.a.councillor.id;
    let allowed = it
        .post(&format!("/people/{councillor}/reset-password"), &[])
        .await;
    assert!(allowed.body.contains("Password reset link ready"));

    // Ivan also works for Brook; Ashby's Clerk must not be able to reset his shared sign-in.
    let mut clerk_b = app.signed_in(&app.b.clerk.email).await;
    clerk_b.get("/people/new").await;
    let page = clerk_b
        .post(
            "/people/new",
            &[
                ("name", "Ivan Provider"),
                ("email", &app.a.it_provider.email),
                ("roles", "staff"),
            ],
        )
        .await;
    let join = invitation_path(&page.body);
    let mut ivan = app.client();
    ivan.get(&join).await;
    assert_eq!(
        ivan.post(&join, &[("password", PASSWORD)]).await.status,
        303
    );
    let mut clerk_a = app.signed_in(&app.a.clerk.email).await;
    let ivan_id = app.a.it_provider.id;
    clerk_a.get(&format!("/people/{ivan_id}")).await;
    let shared = clerk_a
        .post(&format!("/people/{ivan_id}/reset-password"), &[])
        .await;
    assert_eq!(shared.status, 409);
    assert!(
        shared
            .body
            .contains("also uses their sign-in for another council")
    );
    // An invited person gets a new invitation, not a reset; other councils' people are not found.
    let other = app.b.chair.id;
    assert_eq!(
        clerk_a
            .post(&format!("/people/{other}/reset-password"), &[])
            .await
            .status,
        404
    );
    let mut councillor_client = app.signed_in(&app.a.councillor.email).await;
    councillor_client.get("/").await;
    assert_eq!(
        councillor_client
            .post(&format!("/people/{ivan_id}/reset-password"), &[])
            .await
            .status,
        403
    );
}
