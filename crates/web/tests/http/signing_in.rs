//! Signing in and out, throttling, sessions, MFA, and keeping secrets out of logs.

use crate::helpers::*;
use jiff::SignedDuration;

#[tokio::test]
async fn a_person_signs_in_and_sees_their_councils_home_page() {
    let app = spawn_app().await;
    let mut client = app.signed_in(&app.a.clerk.email).await;
    let home = client.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Ashby Parish Council"));
    assert!(home.body.contains("Hello, Clara"));
    assert!(!home.body.contains("Brook Town Council"));
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"signin.succeeded".to_owned()));
}

#[tokio::test]
async fn session_and_form_cookies_are_secure_http_only_and_same_site() {
    let app = spawn_app().await;
    let mut client = app.client();
    let page = client.get("/sign-in").await;
    let csrf_cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("custodian_csrf="))
        .unwrap();
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(csrf_cookie.contains(flag), "{csrf_cookie} lacks {flag}");
    }
    let signed = client
        .post(
            "/sign-in",
            &[("email", &app.a.clerk.email), ("password", PASSWORD)],
        )
        .await;
    let session = signed
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("custodian_session="))
        .unwrap();
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{session} lacks {flag}");
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let mut known = app.client();
    let wrong = known
        .sign_in(&app.a.clerk.email, "not-the-password-at-all")
        .await;
    let mut unknown = app.client();
    let nobody = unknown
        .sign_in("nobody@nowhere.example", "not-the-password-at-all")
        .await;
    assert_eq!(wrong.status, 200);
    assert_eq!(nobody.status, 200);
    let message = "The email address or password is not right";
    assert!(wrong.body.contains(message));
    assert!(nobody.body.contains(message));
    assert!(!known.cookies.contains_key("custodian_session"));
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"signin.failed".to_owned()));
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_even_for_the_right_password_after() {
    let app = spawn_app().await;
    let mut client = app.client();
    for _ in 0..4 {
        let page = client
            .sign_in(&app.a.chair.email, "wrong-password-again")
            .await;
        assert!(page.body.contains("not right"));
    }
    let page = client.sign_in(&app.a.chair.email, PASSWORD).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("too many attempts"), "{}", page.body);
    // Unknown addresses are throttled the same way, so throttling reveals nothing.
    for _ in 0..4 {
        client
            .sign_in("ghost@ashby.example", "wrong-password-again")
            .await;
    }
    let page = client
        .sign_in("ghost@ashby.example", "wrong-password-again")
        .await;
    assert!(page.body.contains("too many attempts"));
    // After the wait, the right password works.
    app.clock.advance(SignedDuration::from_secs(10));
    let page = client.sign_in(&app.a.chair.email, PASSWORD).await;
    assert_eq!(page.status, 303);
}

#[tokio::test]
async fn ten_failures_lock_the_account_for_a_period() {
    let app = spawn_app().await;
    let mut client = app.client();
    for _ in 0..10 {
        client
            .sign_in(&app.a.councillor.email, "wrong-password-again")
            .await;
        app.clock.advance(SignedDuration::from_mins(5));
    }
    // Fifteen minutes after the tenth failure, still locked? No: the lock lasts 15 minutes
    // from the last failure, and we are 5 minutes past it.
    let page = client.sign_in(&app.a.councillor.email, PASSWORD).await;
    assert!(page.body.contains("too many attempts"), "{}", page.body);
    app.clock.advance(SignedDuration::from_mins(11));
    let page = client.sign_in(&app.a.councillor.email, PASSWORD).await;
    assert_eq!(page.status, 303);
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes() {
    let app = spawn_app().await;
    let mut client = app.signed_in(&app.a.clerk.email).await;
    app.clock.advance(SignedDuration::from_mins(29));
    assert_eq!(client.get("/people").await.status, 200);
    app.clock.advance(SignedDuration::from_mins(31));
    let page = client.get("/people").await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/sign-in"));
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"session.ended".to_owned())
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_person() {
    let app = spawn_app().await;
    let mut laptop = app.signed_in(&app.a.clerk.email).await;
    let mut phone = app.signed_in(&app.a.clerk.email).await;
    laptop.get("/account").await;
    let page = laptop.post("/account/sign-out-everywhere", &[]).await;
    assert_eq!(page.status, 303);
    assert_eq!(phone.get("/").await.status, 303);
    assert_eq!(laptop.get("/").await.status, 303);
}

#[tokio::test]
async fn a_person_with_an_authenticator_app_needs_its_code_to_finish_signing_in() {
    let app = spawn_app().await;
    let mut client = app.signed_in(&app.a.chair.email).await;
    let setup = client.get("/account/mfa").await;
    let secret = {
        let at = setup.body.find("name=\"secret\" value=\"").unwrap() + 21;
        setup.body[at..at + setup.body[at..].find('"').unwrap()].to_owned()
    };
    let now = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    let code = totp(&secret, now.as_second() as u64);
    let done = client
        .post("/account/mfa", &[("secret", &secret), ("code", &code)])
        .await;
    assert!(
        done.body.contains("Keep these recovery codes safe"),
        "{}",
        done.body
    );
    let recovery = {
        let at = done.body.find("<li><code>").unwrap() + 10;
        done.body[at..at + 14].to_owned()
    };
    client.post("/sign-out", &[]).await;

    let mut fresh = app.client();
    let page = fresh.sign_in(&app.a.chair.email, PASSWORD).await;
    assert_eq!(page.location(), "/sign-in/mfa");
    assert_eq!(fresh.get("/people").await.location(), "/sign-in/mfa");
    fresh.get("/sign-in/mfa").await;
    let wrong = fresh.post("/sign-in/mfa", &[("code", "000000")]).await;
    assert!(wrong.body.contains("The code is not right"));
    let ok = fresh.post("/sign-in/mfa", &[("code", &recovery)]).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(fresh.get("/people").await.status, 200);
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"mfa.totp_enabled".to_owned()));
    assert!(actions.contains(&"signin.mfa_failed".to_owned()));
}

fn totp(secret: &str, at: u64) -> String {
    let bytes = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret).unwrap();
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Custodian".into()),
        "x".into(),
    )
    .unwrap()
    .generate(at)
}

#[tokio::test]
async fn a_council_that_requires_mfa_sends_its_clerk_to_set_it_up_first() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/settings").await;
    let saved = clerk
        .post(
            "/settings",
            &[
                ("name", "Ashby Parish Council"),
                ("mfa_roles", "clerk"),
                ("mfa_roles", "chair"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = clerk.get("/people").await;
    assert_eq!(page.location(), "/account/mfa");
    // Councillors are not in the chosen roles.
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(councillor.get("/").await.status, 200);
}

#[tokio::test]
async fn no_password_token_or_session_id_appears_in_the_logs() {
    let app = spawn_app().await;
    let mut client = app.signed_in(&app.a.clerk.email).await;
    client.get("/people/new").await;
    let invited = client
        .post(
            "/people/new",
            &[
                ("name", "Lara Logcheck"),
                ("email", "lara@ashby.example"),
                ("roles", "staff"),
            ],
        )
        .await;
    let link = invited
        .body
        .split("id=\"invitation-link\" class=\"custodian-link-text\">")
        .nth(1)
        .unwrap();
    let token = link
        .split("</code>")
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let mut lara = app.client();
    lara.get(&format!("/invitation/{token}")).await;
    let secret_password = "glassy-umbrella-tortoise-1987";
    let accepted = lara
        .post(
            &format!("/invitation/{token}"),
            &[("password", secret_password), ("confirm", secret_password)],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    lara.get("/").await;
    let mut failing = app.client();
    failing
        .sign_in(&app.a.clerk.email, "a-wrong-secret-password")
        .await;

    let logs = String::from_utf8(captured_logs().lock().unwrap().clone()).unwrap();
    assert!(logs.contains("request"), "logging was not captured");
    for secret in [
        PASSWORD,
        secret_password,
        "a-wrong-secret-password",
        token.as_str(),
        client.cookies["custodian_session"].as_str(),
        lara.cookies["custodian_session"].as_str(),
        client.csrf.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}
