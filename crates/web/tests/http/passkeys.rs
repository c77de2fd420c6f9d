//! Passkeys as a second factor: the pages, the JSON ceremony endpoints and their protections,
//! and a whole registration and sign-in driven by a software authenticator.
//!
//! Browsers (and webauthn-rs) refuse passkeys on an IP address, and `spawn_app()` serves on
//! `127.0.0.1`; so most cases run a second server over the same database and clock whose public
//! address is `http://localhost:PORT`, and reach it on 127.0.0.1.

use crate::helpers::*;
use custodian_core::ids::AccountId;
use custodian_core::person::Email;
use custodian_core::ports::{AccountStore, AuditLog, AuditQuery, PasskeyRecord, PasskeyStore};
use custodian_web::{ServeOptions, app_with_clock};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

/// A second server over `app`'s database and clock, whose public address is
/// `http://localhost:PORT`. Returns the address to connect to and the origin browsers see.
async fn localhost_server(app: &TestApp) -> (String, Url) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let public_url = format!("http://localhost:{port}");
    let options = ServeOptions {
        public_url: public_url.clone(),
        setup_code: None,
        vault_key: None,
    };
    let router = app_with_clock(app.store.clone(), options, Arc::new(app.clock.clone()));
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (
        format!("http://127.0.0.1:{port}"),
        Url::parse(&public_url).unwrap(),
    )
}

/// A cookie-keeping client that can also post JSON with the CSRF header, as passkeys.js does.
struct Browser {
    base: String,
    http: reqwest::Client,
    cookies: HashMap<String, String>,
    csrf: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            csrf: String::new(),
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let response = request.header("cookie", cookie).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for value in headers.get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.unwrap();
        if let Some(token) = csrf_in(&body) {
            self.csrf = token;
        }
        Page {
            status,
            headers,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("csrf_token", self.csrf.clone())];
        all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// Posts `body` as JSON, with the CSRF token in `x-csrf-token` when `csrf` is true.
    async fn post_json_raw(&mut self, path: &str, body: String, csrf: bool) -> Page {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if csrf {
            request = request.header("x-csrf-token", self.csrf.clone());
        }
        self.send(request).await
    }

    async fn post_json(&mut self, path: &str, body: &Value) -> Page {
        self.post_json_raw(path, body.to_string(), true).await
    }

    async fn sign_in(&mut self, email: &str) -> Page {
        self.get("/sign-in").await;
        self.post_form("/sign-in", &[("email", email), ("password", PASSWORD)])
            .await
    }
}

fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", page.status, page.body))
}

async fn account_id(app: &TestApp, email: &str) -> AccountId {
    app.store
        .account_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A passkey row put straight into the store (its credential is never read by these cases).
async fn stored_passkey(app: &TestApp, email: &str, name: &str) -> PasskeyRecord {
    let record = PasskeyRecord {
        id: uuid::Uuid::new_v4().to_string(),
        account_id: account_id(app, email).await,
        name: name.to_owned(),
        credential: "{}".to_owned(),
        created_at: app.clock_now(),
        last_used_at: None,
    };
    let event = custodian_core::audit::AuditEvent::new(
        app.a.id,
        app.clock_now(),
        custodian_core::audit::Actor::Operator,
        "mfa.passkey_added",
    );
    app.store.insert_passkey(&record, &event).await.unwrap();
    record
}

async fn entries(app: &TestApp, action: &str) -> Vec<custodian_core::audit::AuditEntry> {
    let query = AuditQuery {
        action_prefix: Some(action.to_owned()),
        limit: 1000,
        ..AuditQuery::default()
    };
    app.store.entries(app.a.id, &query).await.unwrap()
}

#[tokio::test]
async fn the_passkeys_page_offers_to_add_one_with_the_script_and_the_account_page_links_to_it() {
    let app = spawn_app().await;
    let (base, _) = localhost_server(&app).await;
    let mut chair = Browser::new(&base);
    assert_eq!(chair.sign_in(&app.a.chair.email).await.status, 303);

    let page = chair.get("/account/passkeys").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "Your passkeys",
        "You have not added any passkeys",
        "<script type=\"module\" src=\"/assets/passkeys.js\"></script>",
        "id=\"passkey-add-form\" data-passkey-js hidden",
        "data-passkey-unsupported",
    ] {
        assert!(page.body.contains(text), "missing {text:?}");
    }
    assert!(!page.body.contains("cannot be used at this address"));

    let account = chair.get("/account").await;
    assert!(account.body.contains("href=\"/account/passkeys\""));
    assert!(account.body.contains("None added"));

    let script = chair.get("/assets/passkeys.js").await;
    assert_eq!(script.status, 200);
    assert!(script.body.contains("navigator.credentials.create"));
    assert!(script.body.contains("x-csrf-token"));
}

#[tokio::test]
async fn on_an_ip_address_passkeys_are_plainly_unavailable_and_totp_is_still_offered() {
    let app = spawn_app().await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let page = chair.get("/account/passkeys").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Passkeys cannot be used at this address")
    );
    assert!(page.body.contains("IP address"));
    assert!(page.body.contains("href=\"/account/mfa\""));
    assert!(!page.body.contains("passkey-add-form"));

    // The JSON endpoint says the same.
    let mut browser = Browser::new(&app.address);
    browser.sign_in(&app.a.chair.email).await;
    browser.get("/account/passkeys").await;
    let start = browser
        .post_json(
            "/account/passkeys/register/start",
            &json!({ "name": "Laptop" }),
        )
        .await;
    assert_eq!(start.status, 503);
    let error = json_of(&start)["error"].as_str().unwrap().to_owned();
    assert!(error.contains("authenticator app"), "{error}");
}

#[tokio::test]
async fn the_ceremony_endpoints_need_sign_in_and_the_csrf_token() {
    let app = spawn_app().await;
    let (base, _) = localhost_server(&app).await;

    // Not signed in: with a valid visitor token the answer is "sign in first".
    let mut visitor = Browser::new(&base);
    visitor.get("/sign-in").await;
    for path in [
        "/account/passkeys/register/start",
        "/account/passkeys/register/finish",
    ] {
        let page = visitor.post_json(path, &json!({ "name": "x" })).await;
        assert_eq!(page.status, 303, "{path}");
        assert!(page.location().starts_with("/sign-in"), "{path}");
    }
    for path in ["/sign-in/mfa/passkey/start", "/sign-in/mfa/passkey/finish"] {
        let page = visitor.post_json(path, &json!({})).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location(), "/sign-in", "{path}");
    }

    // Signed in, but without the CSRF header: refused and recorded.
    let mut chair = Browser::new(&base);
    chair.sign_in(&app.a.chair.email).await;
    chair.get("/account/passkeys").await;
    let body = json!({ "name": "Laptop" }).to_string();
    let refused = chair
        .post_json_raw("/account/passkeys/register/start", body.clone(), false)
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"request.refused_csrf".to_owned())
    );
    let forged = chair
        .http
        .post(format!("{base}/account/passkeys/register/start"))
        .header("content-type", "application/json")
        .header("x-csrf-token", "0".repeat(64))
        .body(body.clone());
    assert_eq!(chair.send(forged).await.status, 403);

    // With it: the options for navigator.credentials.create(), naming this relying party.
    let start = chair
        .post_json_raw("/account/passkeys/register/start", body, true)
        .await;
    assert_eq!(start.status, 200, "{}", start.body);
    let options = json_of(&start);
    assert_eq!(options["publicKey"]["rp"]["id"], "localhost");
    assert_eq!(options["publicKey"]["user"]["name"], app.a.chair.email);
    assert!(options["publicKey"]["challenge"].as_str().unwrap().len() >= 43);

    // A name is needed.
    let nameless = chair
        .post_json("/account/passkeys/register/start", &json!({ "name": "  " }))
        .await;
    assert_eq!(nameless.status, 400);
    assert!(
        json_of(&nameless)["error"]
            .as_str()
            .unwrap()
            .contains("Enter a name")
    );
}

#[tokio::test]
async fn finishing_with_garbage_is_a_clear_400_and_changes_nothing() {
    let app = spawn_app().await;
    let (base, _) = localhost_server(&app).await;
    let mut chair = Browser::new(&base);
    chair.sign_in(&app.a.chair.email).await;
    chair.get("/account/passkeys").await;
    let before = app.audit_actions(app.a.id).await;
    let start = chair
        .post_json(
            "/account/passkeys/register/start",
            &json!({ "name": "Laptop" }),
        )
        .await;
    assert_eq!(start.status, 200);

    for body in [
        "this is not JSON".to_owned(),
        json!({ "name": "Laptop" }).to_string(),
        json!({ "name": "Laptop", "credential": { "id": "x", "rawId": "!!" } }).to_string(),
    ] {
        let page = chair
            .post_json_raw("/account/passkeys/register/finish", body.clone(), true)
            .await;
        assert_eq!(page.status, 400, "{body}: {}", page.body);
        let error = json_of(&page)["error"].as_str().unwrap().to_owned();
        assert!(error.contains("could not be read"), "{error}");
        assert!(error.contains("nothing was added"), "{error}");
    }
    let account = account_id(&app, &app.a.chair.email).await;
    assert_eq!(app.store.passkeys(account).await.unwrap(), vec![]);
    assert_eq!(app.audit_actions(app.a.id).await, before);
}

#[tokio::test]
async fn a_garbage_passkey_at_sign_in_is_refused_audited_and_throttled_like_a_wrong_code() {
    let app = spawn_app().await;
    let (base, _) = localhost_server(&app).await;
    stored_passkey(&app, &app.a.chair.email, "Laptop").await;

    let mut chair = Browser::new(&base);
    let signed = chair.sign_in(&app.a.chair.email).await;
    assert_eq!(signed.location(), "/sign-in/mfa");
    let page = chair.get("/sign-in/mfa").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Use your passkey"));
    assert!(page.body.contains("src=\"/assets/passkeys.js\""));
    assert!(
        !page.body.contains("name=\"code\""),
        "no authenticator app, so no code box"
    );

    let mut last = None;
    for _ in 0..6 {
        let refused = chair
            .post_json_raw("/sign-in/mfa/passkey/finish", "garbage".to_owned(), true)
            .await;
        last = Some(refused.status);
        if refused.status == 429 {
            assert!(
                json_of(&refused)["error"]
                    .as_str()
                    .unwrap()
                    .contains("Try again after")
            );
            break;
        }
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(
            json_of(&refused)["error"]
                .as_str()
                .unwrap()
                .contains("not accepted")
        );
    }
    assert_eq!(last, Some(429), "failures must be throttled");
    let failed = entries(&app, "signin.mfa_failed").await;
    assert!(failed.len() >= 4, "{failed:?}");
    assert!(failed[0].details.contains("\"second_factor\":\"passkey\""));
    // Still not through.
    assert_eq!(chair.get("/people").await.location(), "/sign-in/mfa");
}

#[tokio::test]
async fn removing_another_accounts_passkey_is_not_found_and_removing_your_own_is_audited() {
    let app = spawn_app().await;
    let clerks = stored_passkey(&app, &app.a.clerk.email, "Clerk's laptop").await;
    let chairs = stored_passkey(&app, &app.a.chair.email, "Chair's phone").await;
    let mut chair = Browser::new(&app.address);
    // The chair has a passkey now, so signing in stops at the second step: pass it directly.
    let signed = chair.sign_in(&app.a.chair.email).await;
    assert_eq!(signed.location(), "/sign-in/mfa");
    pass_second_step(&app, &chair).await;

    let page = chair.get("/account/passkeys").await;
    assert!(page.body.contains("Chair&#39;s phone") || page.body.contains("Chair's phone"));
    assert!(!page.body.contains("Clerk"));
    let theirs = chair
        .post_form(&format!("/account/passkeys/{}/remove", clerks.id), &[])
        .await;
    assert_eq!(theirs.status, 404);
    let clerk_account = account_id(&app, &app.a.clerk.email).await;
    assert_eq!(app.store.passkeys(clerk_account).await.unwrap().len(), 1);
    assert!(entries(&app, "mfa.passkey_removed").await.is_empty());

    let mine = chair
        .post_form(&format!("/account/passkeys/{}/remove", chairs.id), &[])
        .await;
    assert_eq!(mine.status, 303);
    assert_eq!(mine.location(), "/account/passkeys?notice=removed");
    let chair_account = account_id(&app, &app.a.chair.email).await;
    assert_eq!(app.store.passkeys(chair_account).await.unwrap(), vec![]);
    let removed = entries(&app, "mfa.passkey_removed").await;
    assert_eq!(removed.len(), 1);
    assert!(removed[0].details.contains("Chair's phone"));
    let audit = chair.get("/audit").await;
    assert!(
        audit.body.contains("Passkey removed"),
        "the audit log names it"
    );
}

/// Marks the browser's session as past the second step, as a successful passkey would.
async fn pass_second_step(app: &TestApp, browser: &Browser) {
    use custodian_core::ports::SessionStore;
    let token = browser
        .cookies
        .get(custodian_web::session::SESSION_COOKIE)
        .unwrap();
    let hash = custodian_web::auth::token_hash(token);
    let mut session = app.store.session(&hash).await.unwrap().unwrap();
    session.mfa_passed = true;
    app.store.update_session(&session).await.unwrap();
}

#[tokio::test]
async fn a_passkey_satisfies_a_council_that_requires_a_second_step() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/settings").await;
    let saved = clerk
        .post(
            "/settings",
            &[("name", "Ashby Parish Council"), ("mfa_roles", "clerk")],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(clerk.get("/people").await.location(), "/account/mfa");
    // The passkeys page stays open while the clerk must choose a second step.
    assert_eq!(clerk.get("/account/passkeys").await.status, 200);
    let setup = clerk.get("/account/mfa").await;
    assert!(setup.body.contains("href=\"/account/passkeys\""));

    stored_passkey(&app, &app.a.clerk.email, "Clerk's laptop").await;
    assert_eq!(clerk.get("/people").await.status, 200);
    let home = clerk.get("/").await;
    assert!(
        !home
            .body
            .contains("You have not set up an authenticator app")
    );
    let account = clerk.get("/account").await;
    assert!(account.body.contains("1 passkey"));
}

#[tokio::test]
async fn a_software_passkey_can_be_added_and_then_used_to_sign_in_once_per_challenge() {
    let app = spawn_app().await;
    let (base, origin) = localhost_server(&app).await;
    let mut authenticator = WebauthnAuthenticator::new(SoftPasskey::new(true));

    // Add the passkey.
    let mut chair = Browser::new(&base);
    chair.sign_in(&app.a.chair.email).await;
    chair.get("/account/passkeys").await;
    let start = chair
        .post_json(
            "/account/passkeys/register/start",
            &json!({ "name": "Test key" }),
        )
        .await;
    assert_eq!(start.status, 200, "{}", start.body);
    let options: CreationChallengeResponse = serde_json::from_str(&start.body).unwrap();
    let credential = authenticator
        .do_registration(origin.clone(), options)
        .unwrap();
    let finish = chair
        .post_json(
            "/account/passkeys/register/finish",
            &json!({ "name": "Test key", "credential": credential }),
        )
        .await;
    assert_eq!(finish.status, 200, "{}", finish.body);
    assert_eq!(
        json_of(&finish)["redirect"],
        "/account/passkeys?notice=added"
    );
    // The same answer cannot be used twice.
    let again = chair
        .post_json(
            "/account/passkeys/register/finish",
            &json!({ "name": "Test key", "credential": credential }),
        )
        .await;
    assert_eq!(again.status, 400);
    let page = chair.get("/account/passkeys?notice=added").await;
    assert!(page.body.contains("Test key"));
    assert!(page.body.contains("Your passkey has been added"));
    let account = account_id(&app, &app.a.chair.email).await;
    let stored = app.store.passkeys(account).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].last_used_at, None);
    assert_eq!(entries(&app, "mfa.passkey_added").await.len(), 1);
    chair.post_form("/sign-out", &[]).await;

    // Sign in with it.
    let mut fresh = Browser::new(&base);
    assert_eq!(
        fresh.sign_in(&app.a.chair.email).await.location(),
        "/sign-in/mfa"
    );
    fresh.get("/sign-in/mfa").await;
    let start = fresh
        .post_json("/sign-in/mfa/passkey/start", &json!({}))
        .await;
    assert_eq!(start.status, 200, "{}", start.body);
    let options: RequestChallengeResponse = serde_json::from_str(&start.body).unwrap();
    let assertion = authenticator
        .do_authentication(origin.clone(), options)
        .unwrap();
    let finish = fresh
        .post_json(
            "/sign-in/mfa/passkey/finish",
            &json!({ "credential": assertion }),
        )
        .await;
    assert_eq!(finish.status, 200, "{}", finish.body);
    assert_eq!(json_of(&finish)["redirect"], "/");
    assert_eq!(fresh.get("/people").await.status, 200);
    let signed_in = entries(&app, "signin.succeeded").await;
    assert!(
        signed_in[0]
            .details
            .contains("\"second_factor\":\"passkey\""),
        "{:?}",
        signed_in[0]
    );
    let used = app.store.passkeys(account).await.unwrap();
    assert_eq!(used[0].last_used_at, Some(app.clock_now()));
    assert_ne!(
        used[0].credential, stored[0].credential,
        "the counter moved on"
    );

    // Replaying the same signed answer in another sign-in is refused: it signed an old challenge.
    let mut thief = Browser::new(&base);
    thief.sign_in(&app.a.chair.email).await;
    thief.get("/sign-in/mfa").await;
    let start = thief
        .post_json("/sign-in/mfa/passkey/start", &json!({}))
        .await;
    assert_eq!(start.status, 200);
    let replay = thief
        .post_json(
            "/sign-in/mfa/passkey/finish",
            &json!({ "credential": assertion }),
        )
        .await;
    assert_eq!(replay.status, 400);
    assert_eq!(thief.get("/people").await.location(), "/sign-in/mfa");
    let failed = entries(&app, "signin.mfa_failed").await;
    assert!(
        failed[0].details.contains("not_verified"),
        "{:?}",
        failed[0]
    );
}
