//! Every route checks council and role: another council's records are "not found", a lesser
//! role is refused (and the refusal audited), and no form is accepted without its CSRF token.

use crate::helpers::*;
use custodian_core::audit::Actor;
use custodian_core::ids::IncidentId;
use custodian_core::incident::{IncidentKind, IncidentReport, open_incident};
use custodian_core::ports::IncidentStore;

#[tokio::test]
async fn a_person_from_another_council_gets_not_found_for_every_record_route() {
    let app = spawn_app().await;
    let (incident, event) = open_incident(
        app.b.id,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::Other,
            summary: "Brook only".into(),
            happened_at: None,
        },
        Actor::System,
        app.clock_now(),
    )
    .unwrap();
    app.store.insert_incident(&incident, &event).await.unwrap();
    let other_person = app.b.councillor.id;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    for path in [
        format!("/people/{other_person}"),
        format!("/people/{other_person}/edit"),
        format!("/incidents/{}", incident.id),
        "/people/not-an-id".to_owned(),
        "/no-such-page".to_owned(),
    ] {
        let page = clerk.get(&path).await;
        assert_eq!(page.status, 404, "GET {path}");
        assert!(
            !page.body.contains("Brook"),
            "GET {path} leaked the other council"
        );
        assert!(
            !page.body.contains("Connie"),
            "GET {path} leaked the other person"
        );
    }
    clerk.get("/people").await;
    for path in [
        format!("/people/{other_person}/edit"),
        format!("/people/{other_person}/leave"),
        format!("/people/{other_person}/invite"),
    ] {
        let page = clerk
            .post(
                &path,
                &[
                    ("name", "Hijacked"),
                    ("email", "x@y.example"),
                    ("roles", "clerk"),
                ],
            )
            .await;
        assert_eq!(page.status, 404, "POST {path}");
    }
    let untouched = custodian_core::ports::PersonStore::person(&app.store, app.b.id, other_person)
        .await
        .unwrap();
    assert_eq!(untouched.name.as_str(), "Connie Councillor");
    assert_eq!(
        untouched.status,
        custodian_core::person::PersonStatus::Active
    );
}

#[tokio::test]
async fn a_lesser_role_is_refused_with_403_and_the_refusal_is_audited() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let target = app.a.chair.id;
    for path in [
        "/people".to_owned(),
        "/people/new".to_owned(),
        format!("/people/{target}"),
        format!("/people/{target}/edit"),
        "/audit".to_owned(),
        "/audit.csv".to_owned(),
        "/incidents".to_owned(),
        "/settings".to_owned(),
    ] {
        assert_eq!(
            councillor.get(&path).await.status,
            403,
            "councillor GET {path}"
        );
    }
    councillor.get("/").await;
    for path in [
        "/people/new".to_owned(),
        format!("/people/{target}/edit"),
        format!("/people/{target}/leave"),
        format!("/people/{target}/invite"),
        "/settings".to_owned(),
    ] {
        let page = councillor
            .post(
                &path,
                &[("name", "X"), ("email", "x@y.example"), ("roles", "clerk")],
            )
            .await;
        assert_eq!(page.status, 403, "councillor POST {path}");
    }
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.iter().filter(|a| *a == "permission.denied").count() >= 13);
}

#[tokio::test]
async fn the_auditor_reads_the_log_but_can_change_nothing() {
    let app = spawn_app().await;
    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    assert_eq!(auditor.get("/audit").await.status, 200);
    assert_eq!(auditor.get("/audit.csv").await.status, 200);
    assert_eq!(auditor.get("/people").await.status, 200);
    auditor.get("/").await;
    let target = app.a.chair.id;
    for path in [
        "/people/new".to_owned(),
        format!("/people/{target}/edit"),
        format!("/people/{target}/leave"),
        "/settings".to_owned(),
        "/incidents/new".to_owned(),
    ] {
        let page = auditor
            .post(
                &path,
                &[
                    ("name", "X"),
                    ("email", "x@y.example"),
                    ("roles", "clerk"),
                    ("kind", "other"),
                    ("summary", "x"),
                ],
            )
            .await;
        assert_eq!(page.status, 403, "auditor POST {path}");
    }
    assert!(app.store.incidents(app.a.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_it_provider_may_invite_but_not_make_someone_clerk() {
    let app = spawn_app().await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    it.get("/people/new").await;
    let page = it
        .post(
            "/people/new",
            &[
                ("name", "New Clerk"),
                ("email", "nc@ashby.example"),
                ("roles", "clerk"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Only the Clerk can give someone the Clerk or IT provider role")
    );
    let page = it
        .post(
            "/people/new",
            &[
                ("name", "Sam Staff"),
                ("email", "sam@ashby.example"),
                ("roles", "staff"),
            ],
        )
        .await;
    assert!(page.body.contains("Invitation ready for Sam Staff"));
}

#[tokio::test]
async fn a_form_without_a_valid_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/people/new").await;
    let fields = [
        ("name", "Eve Forged"),
        ("email", "eve@ashby.example"),
        ("roles", "staff"),
    ];
    let missing = clerk.post_raw("/people/new", &fields).await;
    assert_eq!(missing.status, 403);
    let mut wrong: Vec<(&str, &str)> = vec![(
        "csrf_token",
        "0000000000000000000000000000000000000000000000000000000000000000",
    )];
    wrong.extend_from_slice(&fields);
    assert_eq!(clerk.post_raw("/people/new", &wrong).await.status, 403);
    let people = custodian_core::ports::PersonStore::people(&app.store, app.a.id)
        .await
        .unwrap();
    assert!(people.iter().all(|p| p.name.as_str() != "Eve Forged"));
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"request.refused_csrf".to_owned())
    );
    // A sign-in form posted from elsewhere (no cookie, no token) is refused too.
    let mut stranger = app.client();
    let page = stranger
        .post_raw(
            "/sign-in",
            &[("email", &app.a.clerk.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 403);
    // Another session's token does not work in this session.
    let mut other = app.signed_in(&app.a.chair.email).await;
    other.get("/").await;
    let mut theirs: Vec<(&str, &str)> = vec![("csrf_token", other.csrf.as_str())];
    theirs.extend_from_slice(&fields);
    assert_eq!(clerk.post_raw("/people/new", &theirs).await.status, 403);
}

#[tokio::test]
async fn every_page_sends_the_security_headers() {
    let app = spawn_app().await;
    let mut client = app.client();
    for path in [
        "/sign-in",
        "/healthz",
        "/assets/custodian.css",
        "/no-such-page",
    ] {
        let page = client.get(path).await;
        let header = |name: &str| {
            page.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert!(!header("x-request-id").is_empty(), "{path}");
    }
    // HSTS is only sent when Custodian is served over TLS.
    assert!(
        client
            .get("/sign-in")
            .await
            .headers
            .get("strict-transport-security")
            .is_none()
    );
}

#[tokio::test]
async fn health_is_503_when_the_database_is_unreachable() {
    let app = spawn_app().await;
    let mut client = app.client();
    assert_eq!(client.get("/healthz").await.status, 200);
    app.store.close().await;
    assert_eq!(client.get("/healthz").await.status, 503);
}
