//! The incident workflow: owner, timeline, the 72-hour breach clock on the incident and the home
//! page (driven by the test clock), closing, the printable report, and who may do what.

use crate::helpers::*;
use custodian_core::audit::Actor;
use custodian_core::ids::{CouncilId, IncidentId};
use custodian_core::incident::{Incident, IncidentKind, IncidentReport, open_incident};
use custodian_core::ports::{AuditLog, IncidentStore};
use jiff::SignedDuration;

async fn breach(app: &TestApp, council: CouncilId) -> Incident {
    let (incident, event) = open_incident(
        council,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::PersonalDataBreach,
            summary: "Allotment holders' addresses emailed to the wrong list".into(),
            happened_at: None,
        },
        Actor::System,
        app.clock_now(),
    )
    .unwrap();
    app.store.insert_incident(&incident, &event).await.unwrap();
    incident
}

/// The revision the page's forms were opened on.
fn revision_in(body: &str) -> String {
    let at = body
        .find("name=\"revision\" value=\"")
        .expect("a form with a revision")
        + 23;
    body[at..at + body[at..].find('"').unwrap()].to_owned()
}

fn minutes(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

#[tokio::test]
async fn a_reported_breach_counts_down_on_its_page_and_on_the_home_page() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    councillor.get("/incidents/new").await;
    let reported = councillor
        .post(
            "/incidents/new",
            &[
                ("kind", "personal_data_breach"),
                ("summary", "I sent the allotment list to the wrong group"),
            ],
        )
        .await;
    assert_eq!(reported.status, 303);
    let id = app.store.incidents(app.a.id).await.unwrap()[0].id;
    app.clock.advance(minutes(30 * 60 + 48));

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("41 hours 12 minutes left"),
        "{}",
        page.body
    );
    let home = clerk.get("/").await;
    assert!(home.body.contains("Personal data breach reported"));
    assert!(home.body.contains("41 hours 12 minutes left"));
    let list = clerk.get("/incidents").await;
    assert!(list.body.contains("41 hours 12 minutes left"));
    // Those who do not see incidents do not see the clock either.
    let home = councillor.get("/").await;
    assert!(!home.body.contains("Personal data breach reported"));
}

#[tokio::test]
async fn a_missed_deadline_is_shown_and_stays_visible_after_closing() {
    let app = spawn_app().await;
    let incident = breach(&app, app.a.id).await;
    let path = format!("/incidents/{}", incident.id);
    app.clock.advance(minutes(73 * 60));
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get(&path).await;
    assert!(
        page.body.contains("Missed: the deadline was"),
        "{}",
        page.body
    );
    assert!(
        clerk
            .get("/")
            .await
            .body
            .contains("Missed: the deadline was")
    );

    // Closing needs the decisions first.
    let refused = clerk
        .post(
            &format!("{path}/close"),
            &[
                ("revision", &revision_in(&page.body)),
                ("outcome", "Contained"),
                ("lessons", "Decide sooner"),
            ],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(
        refused
            .body
            .contains("Record whether the council will tell the ICO")
    );

    let page = clerk.get(&path).await;
    let done = clerk
        .post(
            &format!("{path}/ico"),
            &[
                ("revision", &revision_in(&page.body)),
                ("notify", "no"),
                ("ico_reason", "Addresses only, recipients were councillors"),
                ("notified_at", ""),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = clerk.get(&path).await;
    let done = clerk
        .post(
            &format!("{path}/people-told"),
            &[
                ("revision", &revision_in(&page.body)),
                ("people_told", "not_needed"),
                ("told_reason", "Low risk"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = clerk.get(&path).await;
    let done = clerk
        .post(
            &format!("{path}/close"),
            &[
                ("revision", &revision_in(&page.body)),
                ("outcome", "Recipients deleted the email"),
                ("lessons", "Decide within the day"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);

    app.clock.advance(minutes(24 * 60 * 30));
    // A month later (and signed in afresh), the lateness is still on record.
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get(&path).await;
    assert!(page.body.contains("Closed"));
    assert!(
        page.body.contains("Missed: the deadline was"),
        "{}",
        page.body
    );
    assert!(page.body.contains("1 hour late"));
    let report = clerk.get(&format!("{path}/report")).await;
    assert_eq!(report.status, 200);
    assert!(report.body.contains("Missed: the deadline was"));
    assert!(report.body.contains("Decide within the day"));
    // Closed: no longer on the home page.
    assert!(
        !clerk
            .get("/")
            .await
            .body
            .contains("Personal data breach reported")
    );
    let actions = app.audit_actions(app.a.id).await;
    for action in [
        "incident.breach_decided",
        "incident.people_told",
        "incident.closed",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} missing: {actions:?}"
        );
    }
}

#[tokio::test]
async fn the_chair_sets_an_owner_and_builds_the_timeline_that_the_report_prints() {
    let app = spawn_app().await;
    let incident = breach(&app, app.a.id).await;
    let path = format!("/incidents/{}", incident.id);
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let page = chair.get(&path).await;
    let owner = app.a.clerk.id.to_string();
    let done = chair
        .post(
            &format!("{path}/owner"),
            &[("revision", &revision_in(&page.body)), ("owner", &owner)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    for text in [
        "Asked the recipients to delete it",
        "Phoned the allotment secretary",
    ] {
        let done = chair
            .post(&format!("{path}/actions"), &[("text", text)])
            .await;
        assert_eq!(done.status, 303);
    }
    let empty = chair
        .post(&format!("{path}/actions"), &[("text", "  ")])
        .await;
    assert!(empty.body.contains("Describe the action taken"));
    let report = chair.get(&format!("{path}/report")).await;
    assert!(report.body.contains("Clara Clerk"), "owner shown");
    let first = report.body.find("Asked the recipients").unwrap();
    let second = report.body.find("Phoned the allotment").unwrap();
    assert!(first < second, "oldest first");
    assert!(report.body.contains("Charles Chair"));
    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "incident.action_added")
            .count(),
        2
    );
    assert!(actions.iter().any(|a| a == "incident.updated"));
    // The audit details hold ids, never the text typed.
    let entries = app
        .store
        .entries(
            app.a.id,
            &custodian_core::ports::AuditQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        entries
            .iter()
            .all(|e| !e.details.to_string().contains("recipients"))
    );
}

#[tokio::test]
async fn a_change_from_a_page_opened_before_another_is_refused() {
    let app = spawn_app().await;
    let incident = breach(&app, app.a.id).await;
    let path = format!("/incidents/{}", incident.id);
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let stale = revision_in(&chair.get(&path).await.body);
    let page = clerk.get(&path).await;
    let owner = app.a.clerk.id.to_string();
    clerk
        .post(
            &format!("{path}/owner"),
            &[("revision", &revision_in(&page.body)), ("owner", &owner)],
        )
        .await;
    let refused = chair
        .post(
            &format!("{path}/ico"),
            &[
                ("revision", &stale),
                ("notify", "yes"),
                ("ico_reason", "Home addresses"),
            ],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("changed by someone else"));
    let stored = app.store.incident(app.a.id, incident.id).await.unwrap();
    assert!(stored.breach.unwrap().ico.is_none());
}

#[tokio::test]
async fn other_councils_get_not_found_lesser_roles_403_and_the_auditor_only_reads() {
    let app = spawn_app().await;
    let theirs = breach(&app, app.b.id).await;
    let ours = breach(&app, app.a.id).await;
    let changes = ["owner", "actions", "aware", "ico", "people-told", "close"];
    let fields: &[(&str, &str)] = &[
        ("revision", "0"),
        ("text", "x"),
        ("outcome", "x"),
        ("lessons", "x"),
        ("notify", "no"),
        ("ico_reason", "x"),
    ];

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let path = format!("/incidents/{}", theirs.id);
    assert_eq!(clerk.get(&path).await.status, 404);
    assert_eq!(clerk.get(&format!("{path}/report")).await.status, 404);
    clerk.get("/").await;
    for change in changes {
        let page = clerk.post(&format!("{path}/{change}"), fields).await;
        assert_eq!(page.status, 404, "POST {change}");
    }
    assert_eq!(
        app.store.incident(app.b.id, theirs.id).await.unwrap(),
        theirs
    );

    let path = format!("/incidents/{}", ours.id);
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(councillor.get(&path).await.status, 403);
    assert_eq!(councillor.get(&format!("{path}/report")).await.status, 403);
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let page = it.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Add to the timeline"));
    for client in [&mut councillor, &mut it] {
        client.get("/").await;
        for change in changes {
            let page = client.post(&format!("{path}/{change}"), fields).await;
            assert_eq!(page.status, 403, "POST {change}");
        }
    }

    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    let page = auditor.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("left"), "the auditor sees the clock");
    assert!(
        !page
            .body
            .contains("<form method=\"post\" action=\"/incidents/")
    );
    assert_eq!(auditor.get(&format!("{path}/report")).await.status, 200);
    for change in changes {
        let page = auditor.post(&format!("{path}/{change}"), fields).await;
        assert_eq!(page.status, 403, "auditor POST {change}");
    }
    assert_eq!(app.store.incident(app.a.id, ours.id).await.unwrap(), ours);
    assert!(
        app.store
            .incident_actions(app.a.id, ours.id)
            .await
            .unwrap()
            .is_empty()
    );
}
