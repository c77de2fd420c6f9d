//! Upload keys and the IT provider's upload (`POST /api/monitor/batches`): a good key stores
//! the log through the same pipeline as the CLI, the same log twice is not counted twice, and a
//! revoked, unknown or other council's key, a log in the wrong format or monitoring switched off
//! store nothing.

use crate::helpers::*;
use crate::monitoring_fixture::{day_ago, noon_of, squid_line, switch_on_monitoring};
use custodian_core::person::{Role, RoleSet};
use custodian_core::ports::{AuditLog, AuditQuery, MonitorKeyStore, MonitorStore};
use serde_json::Value;

/// Makes an upload key as `clerk` on the keys page and returns the key shown once.
async fn make_key(clerk: &mut Client, name: &str) -> String {
    clerk.get("/monitoring/keys").await;
    let page = clerk.post("/monitoring/keys", &[("name", name)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = "id=\"new-key\" type=\"text\" value=\"";
    let at = page.body.find(marker).expect("the new key is shown") + marker.len();
    let key = page.body[at..at + 64].to_owned();
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    assert!(page.body.contains("/api/monitor/batches?format=squid"));
    key
}

/// Sends `body` to the upload endpoint with `key` (if any) and `query`.
async fn upload(app: &TestApp, key: Option<&str>, query: &str, body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/monitor/batches?{query}", app.address))
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Two requests by the councillor yesterday (Squid native).
fn yesterdays_log(app: &TestApp) -> String {
    let noon = noon_of(day_ago(app, 1));
    squid_line(noon, "192.0.2.10", "ccouncillor", "news.example", 5_000)
        + &squid_line(noon, "192.0.2.10", "ccouncillor", "bets.example", 900)
}

fn assert_key_not_logged(key: &str) {
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
    assert!(!logs.contains(key), "the upload key reached the log");
}

#[tokio::test]
async fn a_good_key_stores_the_log_and_the_audit_names_the_batch_and_the_key() {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let key = make_key(&mut clerk, "Squid at the office").await;
    let stored_key = &app.store.monitor_keys(app.a.id).await.unwrap()[0];
    assert_eq!(stored_key.name, "Squid at the office");
    assert_ne!(stored_key.key_hash, key, "only the hash is kept");

    let (status, answer) = upload(
        &app,
        Some(&key),
        "format=squid&name=access.log.1",
        &yesterdays_log(&app),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["stored"], true);
    assert_eq!(answer["lines"], 2);
    assert_eq!(answer["hits"], 2);
    assert_eq!(answer["bytes"], 5_900);
    assert_eq!(answer["malformed"], 0);
    assert_eq!(answer["groups"], 2);
    let batch = answer["batch"].as_str().unwrap().to_owned();

    let batches = app.store.monitor_batches(app.a.id).await.unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].id.to_string(), batch);
    assert_eq!(batches[0].source_name, "access.log.1");
    let query = AuditQuery {
        action_prefix: Some("monitor.batch.ingested".to_owned()),
        ..Default::default()
    };
    let entries = app.store.entries(app.a.id, &query).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "system");
    let details: Value = serde_json::from_str(&entries[0].details).unwrap();
    assert_eq!(details["batch"], batch.as_str());
    assert_eq!(details["upload_key"], stored_key.id.to_string().as_str());
    assert!(!entries[0].details.contains(&key));
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.iter().any(|a| a == "monitor.key.created"));
    assert!(
        app.store.monitor_keys(app.a.id).await.unwrap()[0]
            .last_used_at
            .is_some()
    );
    let page = clerk.get("/monitoring/keys").await;
    assert!(page.body.contains("Squid at the office"));
    assert!(!page.body.contains(&key), "the key is shown only once");
    assert_key_not_logged(&key);
}

#[tokio::test]
async fn the_same_log_sent_twice_is_not_counted_twice() {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let key = make_key(&mut clerk, "Squid").await;
    let log = yesterdays_log(&app);
    let (status, first) = upload(&app, Some(&key), "format=squid", &log).await;
    assert_eq!(status, 201, "{first}");
    let (status, second) = upload(&app, Some(&key), "format=squid", &log).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["stored"], false);
    assert_eq!(second["batch"], first["batch"]);
    assert!(
        second["message"]
            .as_str()
            .unwrap()
            .contains("already received")
    );
    assert_eq!(app.store.monitor_batches(app.a.id).await.unwrap().len(), 1);
    let days = app.store.monitor_days(app.a.id).await.unwrap();
    assert_eq!(days.iter().map(|d| d.records).sum::<u64>(), 2);
}

#[tokio::test]
async fn a_revoked_unknown_or_missing_key_is_refused_with_one_message() {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let key = make_key(&mut clerk, "Pi-hole").await;
    let id = app.store.monitor_keys(app.a.id).await.unwrap()[0].id;
    let page = clerk
        .post(&format!("/monitoring/keys/{id}/revoke"), &[])
        .await;
    assert_eq!(page.status, 303);
    assert!(
        app.store.monitor_keys(app.a.id).await.unwrap()[0]
            .revoked_at
            .is_some()
    );
    let log = yesterdays_log(&app);
    let (status, revoked) = upload(&app, Some(&key), "format=squid", &log).await;
    assert_eq!(status, 401);
    let unknown_key = "ab".repeat(32);
    let (status, unknown) = upload(&app, Some(&unknown_key), "format=squid", &log).await;
    assert_eq!(status, 401);
    let (status, missing) = upload(&app, None, "format=squid", &log).await;
    assert_eq!(status, 401);
    assert_eq!(revoked, unknown);
    assert_eq!(unknown, missing);
    assert!(
        app.store
            .monitor_batches(app.a.id)
            .await
            .unwrap()
            .is_empty()
    );
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.iter().any(|a| a == "monitor.key.revoked"));
    assert_key_not_logged(&key);
}

#[tokio::test]
async fn another_councils_key_cannot_reach_this_council() {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    switch_on_monitoring(&app, &app.b, RoleSet::of(&[Role::Clerk])).await;
    let mut clerk_a = app.signed_in(&app.a.clerk.email).await;
    make_key(&mut clerk_a, "Ashby Squid").await;
    let mut clerk_b = app.signed_in(&app.b.clerk.email).await;
    let key_b = make_key(&mut clerk_b, "Brook Squid").await;

    let (status, answer) = upload(&app, Some(&key_b), "format=squid", &yesterdays_log(&app)).await;
    assert_eq!(status, 201, "{answer}");
    assert!(
        app.store
            .monitor_batches(app.a.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.store.monitor_batches(app.b.id).await.unwrap().len(), 1);

    // Nor can the other council's Clerk revoke this council's key, or see it.
    let a_key = app.store.monitor_keys(app.a.id).await.unwrap()[0].id;
    clerk_b.get("/monitoring/keys").await;
    let page = clerk_b
        .post(&format!("/monitoring/keys/{a_key}/revoke"), &[])
        .await;
    assert_eq!(page.status, 404);
    assert!(
        app.store.monitor_keys(app.a.id).await.unwrap()[0]
            .revoked_at
            .is_none()
    );
    let page = clerk_b.get("/monitoring/keys").await;
    assert!(!page.body.contains("Ashby Squid"));
}

#[tokio::test]
async fn a_log_in_the_wrong_format_or_an_unknown_format_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let key = make_key(&mut clerk, "Pi-hole").await;
    let mut dnsmasq = String::new();
    for second in 10..40 {
        dnsmasq.push_str(&format!(
            "Dec  1 10:00:{second} dnsmasq[512]: query[A] news.example from 192.0.2.10\n"
        ));
    }
    let (status, answer) = upload(&app, Some(&key), "format=squid", &dnsmasq).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["error"].as_str().unwrap();
    assert!(message.contains("format=dnsmasq"), "{message}");
    assert!(message.contains("Nothing was stored"), "{message}");

    let (status, answer) = upload(&app, Some(&key), "format=apache2", &dnsmasq).await;
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("apache2"));
    let (status, answer) = upload(&app, Some(&key), "format=squid", "").await;
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("empty"));

    assert!(
        app.store
            .monitor_batches(app.a.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(app.store.monitor_days(app.a.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_upload_while_monitoring_is_off_is_refused_with_409() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let key = make_key(&mut clerk, "Squid").await;
    let (status, answer) = upload(&app, Some(&key), "format=squid", &yesterdays_log(&app)).await;
    assert_eq!(status, 409, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("switched off"));
    assert!(
        app.store
            .monitor_batches(app.a.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_upload_puts_a_visit_under_a_url_entry_in_its_category() {
    // The test list's gambling/urls names games-portal.example/casino: the councillor's
    // casino page flags their record for the site; the clerk's puzzle page does not.
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let folder = format!("{}/../monitor/test-categories", env!("CARGO_MANIFEST_DIR"));
    clerk.get("/monitoring/settings").await;
    let saved = clerk
        .post(
            "/monitoring/settings",
            &[
                ("categories_path", folder.as_str()),
                ("flagged", "gambling"),
                ("viewer_roles", "clerk"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let key = make_key(&mut clerk, "Squid").await;
    let noon = noon_of(day_ago(&app, 1));
    let log = squid_line(
        noon,
        "192.0.2.10",
        "ccouncillor",
        "games-portal.example/casino/slots",
        700,
    ) + &squid_line(
        noon,
        "192.0.2.11",
        "clerk",
        "games-portal.example/puzzles",
        300,
    );
    let (status, answer) = upload(&app, Some(&key), "format=squid", &log).await;
    assert_eq!(status, 201, "{answer}");

    let day = day_ago(&app, 1);
    let flagged = app.store.flagged_records(app.a.id, day, day).await.unwrap();
    let found: Vec<(String, Vec<String>)> = flagged
        .iter()
        .map(|r| (format!("{:?}", r.key), r.categories.clone()))
        .collect();
    assert_eq!(
        found,
        vec![(
            format!(
                "{:?}",
                custodian_monitor::SubjectKey::User("ccouncillor".to_owned())
            ),
            vec!["gambling".to_owned()]
        )]
    );
}
