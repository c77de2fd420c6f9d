//! Setting monitoring up: the overview, the lawful gate (switching on needs a recorded impact
//! assessment and an adopted policy that mentions monitoring), the assessment form, the
//! settings, and who may do each.

use crate::helpers::*;
use crate::monitoring_fixture::{day_ago, ingest_squid, noon_of, squid_line, switch_on_monitoring};
use custodian_core::person::{Role, RoleSet};
use custodian_core::ports::{MonitorKeyStore, MonitorSettings, MonitorStore};

/// The fields of a complete assessment, with `viewers` ticked.
fn assessment_fields(viewers: &[&'static str]) -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        (
            "purpose",
            "To check council equipment is not used for unlawful or harmful sites.",
        ),
        (
            "necessity",
            "A laptop was infected last year after a visit to a file-sharing site.",
        ),
        (
            "alternatives",
            "The router blocks known malware sites, but cannot show whether a breach happened.",
        ),
        ("retention_months", ""),
        ("decided_on", "1/9/2026"),
        ("minute_reference", "COU/12/26-27"),
        ("assessed_by", "Clara Clerk"),
    ];
    fields.extend(viewers.iter().map(|role| ("viewer_roles", *role)));
    fields
}

async fn settings(app: &TestApp) -> Option<MonitorSettings> {
    app.store.monitor_settings(app.a.id).await.unwrap()
}

/// Adopts the model policy (which tells people about monitoring in its section 5).
async fn adopt_model_policy(clerk: &mut Client) {
    let id = crate::policy::start_draft(clerk).await;
    crate::policy::without_mfa_roles(clerk, &id).await;
    let page = crate::policy::adopt(clerk, &id, "COU/7/26-27").await;
    assert_eq!(page.status, 303, "{}", page.body);
}

/// The path of the project's own small category list.
fn test_categories() -> String {
    format!("{}/../monitor/test-categories", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn monitoring_is_switched_on_only_past_the_gate_and_switching_off_keeps_the_records() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;

    let page = clerk.get("/monitoring").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("No monitoring impact assessment has been recorded")
    );
    assert!(page.body.contains("does not tell people"));

    // Nothing recorded and no policy: refused with both reasons, nothing changed.
    let page = clerk.post("/monitoring/switch-on", &[]).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Monitoring was not switched on"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("No monitoring impact assessment has been recorded")
    );
    assert!(settings(&app).await.is_none());

    // The assessment alone is not enough: the adopted policy must tell people.
    clerk.get("/monitoring/assessment").await;
    let page = clerk
        .post("/monitoring/assessment", &assessment_fields(&["clerk"]))
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), "/monitoring?done=assessment");
    clerk.get("/monitoring").await;
    let page = clerk.post("/monitoring/switch-on", &[]).await;
    assert!(page.body.contains("Monitoring was not switched on"));
    assert!(page.body.contains("does not tell people"));
    assert!(
        !page
            .body
            .contains("No monitoring impact assessment has been recorded")
    );
    let stored = settings(&app).await.unwrap();
    assert!(!stored.enabled);
    assert_eq!(stored.viewer_roles, RoleSet::of(&[Role::Clerk]));

    adopt_model_policy(&mut clerk).await;
    let page = clerk.get("/monitoring").await;
    assert!(
        page.body.contains("Everything needed is in place"),
        "{}",
        page.body
    );
    let page = clerk.post("/monitoring/switch-on", &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(settings(&app).await.unwrap().enabled);
    let page = clerk.get("/monitoring?done=on").await;
    assert!(page.body.contains("Monitoring is switched on"));
    assert!(page.body.contains("COU/12/26-27"));

    // A log arrives; switching off keeps it.
    let day = day_ago(&app, 1);
    ingest_squid(
        &app,
        app.a.id,
        &squid_line(
            noon_of(day),
            "192.0.2.10",
            "ccouncillor",
            "news.example",
            500,
        ),
    )
    .await;
    let page = clerk.get("/monitoring").await;
    assert!(page.body.contains("Days of records kept"));
    assert!(page.body.contains("access.log"), "the batch is listed");
    assert!(!page.body.contains("news.example"), "never the sites");
    let page = clerk.post("/monitoring/switch-off", &[]).await;
    assert_eq!(page.status, 303);
    assert!(!settings(&app).await.unwrap().enabled);
    assert_eq!(app.store.monitor_days(app.a.id).await.unwrap().len(), 1);

    let actions = app.audit_actions(app.a.id).await;
    for action in [
        "monitor.assessment.recorded",
        "monitor.switched_on",
        "monitor.switched_off",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn the_assessment_form_shows_each_problem_beside_its_field_and_records_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get("/monitoring/assessment").await;
    assert_eq!(page.status, 200);
    for clause in ["5.1.6", "5.1.7", "5.1.11"] {
        assert!(page.body.contains(clause), "each question cites {clause}");
    }
    assert!(
        page.body.contains("value=\"6\""),
        "retention from the policy"
    );
    assert!(
        !page.body.contains("value=\"councillor\""),
        "only roles that may be given records are offered"
    );

    let page = clerk
        .post(
            "/monitoring/assessment",
            &[
                ("purpose", "To watch."),
                ("viewer_roles", "councillor"),
                ("retention_months", "100"),
                ("decided_on", "31/2/2026"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("There is a problem"));
    for field in [
        "purpose",
        "necessity",
        "alternatives",
        "viewer_roles",
        "retention_months",
        "decided_on",
        "minute_reference",
        "assessed_by",
    ] {
        assert!(
            page.body.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            page.body
        );
    }
    assert!(page.body.contains("Councillor cannot be given others"));
    assert!(page.body.contains("To watch."), "answers are kept");
    assert!(settings(&app).await.is_none());
    let actions = app.audit_actions(app.a.id).await;
    assert!(!actions.iter().any(|a| a.starts_with("monitor.")));
}

#[tokio::test]
async fn settings_with_a_wrong_folder_or_choice_change_nothing_and_good_ones_are_audited() {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let before = settings(&app).await.unwrap();
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/monitoring/settings").await;

    let page = clerk
        .post(
            "/monitoring/settings",
            &[
                ("categories_path", "/no/such/folder"),
                ("viewer_roles", "clerk"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("There is a problem"));
    assert!(
        page.body
            .contains("There is no category list at /no/such/folder")
    );

    let folder = test_categories();
    let page = clerk
        .post(
            "/monitoring/settings",
            &[
                ("categories_path", &folder),
                ("flagged", "gambling"),
                ("flagged", "casinos"),
                ("viewer_roles", "councillor"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("no category called casinos"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Councillor cannot be given others"));
    assert_eq!(settings(&app).await.unwrap(), before, "nothing changed");

    let page = clerk
        .post(
            "/monitoring/settings",
            &[
                ("categories_path", &folder),
                ("flagged", "gambling"),
                ("allowed", "council_allowed"),
                ("viewer_roles", "clerk"),
                ("viewer_roles", "chair"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let after = settings(&app).await.unwrap();
    assert_eq!(after.flagged_categories, ["gambling"]);
    assert_eq!(after.allowed_categories, ["council_allowed"]);
    assert_eq!(after.categories_path.as_deref(), Some(folder.as_str()));
    assert_eq!(after.viewer_roles, RoleSet::of(&[Role::Clerk, Role::Chair]));
    assert!(after.enabled && after.assessment == before.assessment);

    let page = clerk.get("/monitoring/settings?saved=1").await;
    assert!(page.body.contains("The folder loads"));
    assert!(page.body.contains("Out of step with the impact assessment"));
    assert!(page.body.contains("Chair"));
    let page = clerk.get("/monitoring").await;
    assert!(page.body.contains("moved away from its impact assessment"));

    let query = custodian_core::ports::AuditQuery {
        action_prefix: Some("monitor.settings.changed".to_owned()),
        ..Default::default()
    };
    let entries = custodian_core::ports::AuditLog::entries(&app.store, app.a.id, &query)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let details: serde_json::Value = serde_json::from_str(&entries[0].details).unwrap();
    let changed = &details["changed"];
    assert_eq!(changed["viewer_roles"]["after"], "clerk,chair");
    assert_eq!(changed["flagged_categories"]["after"][0], "gambling");
}

#[tokio::test]
async fn lesser_roles_and_other_councils_are_refused_on_every_setup_route() {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let before = settings(&app).await.unwrap();

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(councillor.get("/monitoring").await.status, 403);

    // Officers whose role the settings do not name see a plain sentence, nothing else.
    for email in [&app.a.chair.email, &app.a.it_provider.email] {
        let mut officer = app.signed_in(email).await;
        let page = officer.get("/monitoring").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("has not given your role access"));
        assert!(page.body.contains("/monitoring/mine"));
        assert!(!page.body.contains("COU/12/26-27"));
    }

    for email in [
        &app.a.councillor.email,
        &app.a.chair.email,
        &app.a.it_provider.email,
    ] {
        let mut person = app.signed_in(email).await;
        for path in [
            "/monitoring/assessment",
            "/monitoring/settings",
            "/monitoring/keys",
        ] {
            assert_eq!(person.get(path).await.status, 403, "{email} {path}");
        }
        person.get("/").await;
        for (path, fields) in [
            ("/monitoring/switch-off", vec![]),
            ("/monitoring/switch-on", vec![]),
            ("/monitoring/assessment", assessment_fields(&["clerk"])),
            (
                "/monitoring/settings",
                vec![("viewer_roles", "clerk"), ("viewer_roles", "chair")],
            ),
            ("/monitoring/keys", vec![("name", "Mine")]),
        ] {
            let page = person.post(path, &fields).await;
            assert_eq!(page.status, 403, "{email} {path}");
        }
    }
    assert_eq!(settings(&app).await.unwrap(), before);
    assert!(app.store.monitor_keys(app.a.id).await.unwrap().is_empty());

    // The other council's Clerk sees their own council's set-up only.
    let mut other = app.signed_in(&app.b.clerk.email).await;
    let page = other.get("/monitoring").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("COU/12/26-27"));
    assert!(
        page.body
            .contains("No monitoring impact assessment has been recorded")
    );
}
