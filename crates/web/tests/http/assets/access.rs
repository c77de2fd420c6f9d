//! Who may do what with the register: another council's items are "not found" everywhere, a
//! councillor sees only their own equipment, and the auditor reads but changes nothing.

use super::custody::issue_to;
use super::*;

/// Every page of an item, with whether it is a form to post to.
fn item_routes(id: &str) -> Vec<(String, bool)> {
    let mut routes = vec![(format!("/assets/{id}"), false)];
    for (path, post) in [
        ("edit", true),
        ("issue", true),
        ("transfer", true),
        ("return", true),
        ("report-loss", true),
        ("wipe", true),
        ("dispose", true),
    ] {
        routes.push((format!("/assets/{id}/{path}"), post));
    }
    routes
}

#[tokio::test]
async fn another_councils_item_is_not_found_on_every_route_and_nothing_changes() {
    let app = spawn_app().await;
    let mut ashby = app.signed_in(&app.a.clerk.email).await;
    let phone = add_item(&mut ashby, &phone_form("PH-1")).await;
    let before = app.audit_actions(app.a.id).await;

    let mut brook = app.signed_in(&app.b.clerk.email).await;
    brook.get("/").await;
    for (path, post) in item_routes(&phone) {
        if path.ends_with("/return") {
            // A form only: there is no page to open.
        } else {
            assert_eq!(brook.get(&path).await.status, 404, "GET {path}");
        }
        if post {
            let page = brook
                .post(&path, &[("person", &app.b.councillor.id.to_string())])
                .await;
            assert_eq!(page.status, 404, "POST {path}");
        }
    }
    assert_eq!(
        brook
            .get(&format!("/assets/labels?ids={phone}"))
            .await
            .status,
        404
    );
    let list = brook.get("/assets?q=PH-1").await;
    assert!(list.body.contains("No items match."));
    assert_eq!(
        brook.get("/assets/not-an-id").await.status,
        404,
        "an address that is not an item is not found"
    );
    assert_eq!(app.audit_actions(app.a.id).await, before);
}

#[tokio::test]
async fn a_councillor_cannot_open_the_register_and_reports_only_their_own_item() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let theirs = add_item(&mut clerk, &phone_form("PH-1")).await;
    let not_theirs = add_item(&mut clerk, &laptop_form("LAP-1")).await;
    issue_to(&mut clerk, &theirs, &app.a.councillor.id.to_string()).await;

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    for path in [
        "/assets".to_owned(),
        "/assets/new".to_owned(),
        "/assets/holders".to_owned(),
        "/assets/print".to_owned(),
        "/assets/labels".to_owned(),
        format!("/assets/{not_theirs}"),
        format!("/assets/{theirs}/edit"),
        format!("/assets/{not_theirs}/report-loss"),
    ] {
        assert_eq!(councillor.get(&path).await.status, 403, "GET {path}");
    }
    councillor.get("/my-equipment").await;
    for path in [
        "/assets/new".to_owned(),
        format!("/assets/{theirs}/edit"),
        format!("/assets/{theirs}/issue"),
        format!("/assets/{theirs}/return"),
        format!("/assets/{not_theirs}/report-loss"),
    ] {
        let page = councillor
            .post(&path, &[("kind", "lost"), ("summary", "Gone")])
            .await;
        assert_eq!(page.status, 403, "POST {path}");
    }
    // Their own item: its page and its loss report are open to them.
    assert_eq!(
        councillor.get(&format!("/assets/{theirs}")).await.status,
        200
    );
    assert_eq!(
        councillor
            .get(&format!("/assets/{theirs}/report-loss"))
            .await
            .status,
        200
    );
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"permission.denied".to_owned()));
    assert!(!actions.iter().any(|a| a.starts_with("asset.reported")));
}

#[tokio::test]
async fn the_auditor_reads_the_register_but_cannot_change_it() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let laptop = add_item(&mut clerk, &laptop_form("LAP-1")).await;

    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    for path in [
        "/assets".to_owned(),
        format!("/assets/{laptop}"),
        "/assets/holders".to_owned(),
        "/assets/print".to_owned(),
    ] {
        assert_eq!(auditor.get(&path).await.status, 200, "GET {path}");
    }
    let page = auditor.get(&format!("/assets/{laptop}")).await;
    assert!(!page.body.contains(&format!("/assets/{laptop}/edit")));
    assert!(!page.body.contains("Add an item"));
    for path in [
        "/assets/new".to_owned(),
        "/assets/labels".to_owned(),
        "/my-equipment".to_owned(),
        format!("/assets/{laptop}/edit"),
        format!("/assets/{laptop}/issue"),
        format!("/assets/{laptop}/wipe"),
        format!("/assets/{laptop}/dispose"),
        format!("/assets/{laptop}/report-loss"),
    ] {
        assert_eq!(auditor.get(&path).await.status, 403, "GET {path}");
    }
    let before = app.audit_actions(app.a.id).await.len();
    for path in [
        format!("/assets/{laptop}/edit"),
        format!("/assets/{laptop}/issue"),
        format!("/assets/{laptop}/return"),
        format!("/assets/{laptop}/dispose"),
    ] {
        assert_eq!(auditor.post(&path, &[]).await.status, 403, "POST {path}");
    }
    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(
        actions[before..]
            .iter()
            .filter(|a| *a != "permission.denied")
            .count(),
        0,
        "only refusals were recorded"
    );
}
