//! The pages people use day to day: people, incidents, the audit log, settings.

use crate::helpers::*;

#[tokio::test]
async fn every_page_renders_for_the_clerk() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let chair = app.a.chair.id;
    for path in [
        "/".to_owned(),
        "/people".to_owned(),
        "/people/new".to_owned(),
        format!("/people/{chair}"),
        format!("/people/{chair}/edit"),
        "/audit".to_owned(),
        "/incidents".to_owned(),
        "/incidents/new".to_owned(),
        "/settings".to_owned(),
        "/account".to_owned(),
        "/account/mfa".to_owned(),
        "/choose-council".to_owned(),
        "/accessibility".to_owned(),
    ] {
        let page = clerk.get(&path).await;
        assert_eq!(page.status, 200, "GET {path}");
        assert!(
            page.body.contains("Ashby Parish Council"),
            "GET {path} lacks the council name"
        );
    }
}

#[tokio::test]
async fn bad_input_shows_what_is_wrong_and_changes_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let before = custodian_core::ports::PersonStore::people(&app.store, app.a.id)
        .await
        .unwrap()
        .len();
    clerk.get("/people/new").await;
    let page = clerk
        .post(
            "/people/new",
            &[
                ("name", ""),
                ("email", "not-an-email"),
                ("start_date", "1/4/2026"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("There is a problem"));
    for message in [
        "Enter the person",
        "correct format",
        "Choose at least one role",
        "YYYY-MM-DD",
    ] {
        assert!(page.body.contains(message), "missing: {message}");
    }
    let duplicate = clerk
        .post(
            "/people/new",
            &[
                ("name", "Again"),
                ("email", &app.a.chair.email),
                ("roles", "staff"),
            ],
        )
        .await;
    assert!(duplicate.body.contains("already on the list"));
    let after = custodian_core::ports::PersonStore::people(&app.store, app.a.id)
        .await
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn the_clerk_changes_roles_and_marks_someone_left_who_then_cannot_sign_in() {
    let app = spawn_app().await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    // The chair's session is now cached; the cache must not outlive the change below.
    assert_eq!(chair.get("/").await.status, 200);
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = app.a.chair.id;
    clerk.get(&format!("/people/{id}/edit")).await;
    let saved = clerk
        .post(
            &format!("/people/{id}/edit"),
            &[
                ("name", "Charles Chair"),
                ("email", &app.a.chair.email),
                ("roles", "chair"),
                ("roles", "councillor"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = clerk.get(&format!("/people/{id}")).await;
    assert!(page.body.contains("Chair, Councillor"));
    let left = clerk
        .post(
            &format!("/people/{id}/leave"),
            &[("leave_date", "2026-11-20")],
        )
        .await;
    assert_eq!(left.status, 303);
    assert_eq!(
        chair.get("/").await.status,
        303,
        "the leaver's session must end"
    );
    let page = app.client().sign_in(&app.a.chair.email, PASSWORD).await;
    assert!(page.body.contains("no longer have access"));
    // The last Clerk cannot leave.
    let clerk_id = app.a.clerk.id;
    clerk.get(&format!("/people/{clerk_id}")).await;
    let refused = clerk.post(&format!("/people/{clerk_id}/leave"), &[]).await;
    assert!(refused.body.contains("must always have a Clerk"));
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"person.changed".to_owned()));
    assert!(actions.contains(&"person.left".to_owned()));
}

#[tokio::test]
async fn anyone_can_report_an_incident_and_officers_see_it() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    councillor.get("/incidents/new").await;
    let empty = councillor.post("/incidents/new", &[("summary", "")]).await;
    assert!(empty.body.contains("Choose what kind of incident"));
    let future = councillor
        .post(
            "/incidents/new",
            &[
                ("kind", "other"),
                ("summary", "x"),
                ("happened_on", "2099-01-01"),
            ],
        )
        .await;
    assert!(future.body.contains("today or in the past"));
    let ok = councillor
        .post(
            "/incidents/new",
            &[
                ("kind", "lost_or_stolen_device"),
                ("summary", "Tablet left on the bus"),
                ("happened_on", "2026-09-01"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location(), "/?reported=1");
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let list = clerk.get("/incidents").await;
    assert!(list.body.contains("Tablet left on the bus"));
    assert!(list.body.contains("Connie Councillor"));
    let home = clerk.get("/").await;
    assert!(home.body.contains("1 open incident"));
}

#[tokio::test]
async fn the_audit_log_filters_pages_and_downloads_as_csv() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    for i in 0..55 {
        clerk.get("/people/new").await;
        let email = format!("person{i}@ashby.example");
        clerk
            .post(
                "/people/new",
                &[
                    ("name", "Someone New"),
                    ("email", &email),
                    ("roles", "staff"),
                ],
            )
            .await;
        app.clock.advance(jiff::SignedDuration::from_secs(30));
    }
    for _ in 0..3 {
        app.client()
            .sign_in(&app.a.councillor.email, "wrong-password-here")
            .await;
    }
    let page = clerk.get("/audit?what=invitation.").await;
    assert!(page.body.contains("Invitation link created"));
    assert!(!page.body.contains("Person added"));
    assert!(page.body.contains("Older entries"));
    let older = page
        .body
        .split("href=\"/audit?")
        .find(|s| s.contains("rel=\"next\""))
        .unwrap();
    let older = format!(
        "/audit?{}",
        older
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&")
            .replace("&#38;", "&")
    );
    let second = clerk.get(&older).await;
    assert_eq!(second.status, 200);
    assert!(second.body.contains("Newest entries"));
    let councillor = app.a.councillor.id;
    let bad = clerk.get("/audit?from=yesterday").await;
    assert!(bad.body.contains("From must be a date"));
    let csv = clerk.get(&format!("/audit.csv?who={councillor}")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(csv.body.starts_with("sequence,time_utc,actor_id"));
    let csv = clerk.get("/audit.csv?what=invitation.").await;
    assert!(csv.body.lines().count() > 55);
    let signins = clerk.get("/audit.csv?what=signin.").await;
    assert_eq!(
        signins
            .body
            .lines()
            .filter(|l| l.contains("\"signin.failed\""))
            .count(),
        3
    );
    assert!(
        signins
            .body
            .lines()
            .skip(1)
            .all(|l| l.contains("\"signin.")),
        "{}",
        signins.body
    );
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"audit.exported".to_owned())
    );
}
