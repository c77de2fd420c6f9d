//! Only the council's Clerk may use the care pages (names, holds, subject access, erasure):
//! lesser roles are refused and the other council's records are not found.

use crate::helpers::*;
use crate::monitoring_care::*;
use custodian_core::ports::MonitorStore;

#[tokio::test]
async fn only_the_councils_clerk_may_use_these_pages() {
    let app = spawn_app().await;
    let (mut clerk, days) = clerk_with_sample(&app).await;
    let person = app.a.councillor.id;
    let hold = place_hold(&mut clerk, person, days[0], days[0]).await;
    let rule = app.store.identities(app.a.id).await.unwrap()[0].id;
    let gets = [
        "/monitoring/names".to_owned(),
        "/monitoring/names/new?kind=client&value=192.0.2.77".to_owned(),
        "/monitoring/names/correct".to_owned(),
        format!("/monitoring/names/{rule}/end"),
        "/monitoring/holds".to_owned(),
        "/monitoring/holds/new".to_owned(),
        format!("/monitoring/holds/{hold}/release"),
        "/monitoring/subject-access".to_owned(),
        format!("/monitoring/subject-access/{person}"),
        format!("/monitoring/subject-access/{person}.zip"),
        format!("/monitoring/subject-access/{person}/erase"),
    ];
    let posts = [
        "/monitoring/names/new".to_owned(),
        "/monitoring/names/correct".to_owned(),
        format!("/monitoring/names/{rule}/end"),
        "/monitoring/holds/new".to_owned(),
        format!("/monitoring/holds/{hold}/release"),
        format!("/monitoring/subject-access/{person}/erase"),
    ];
    let who = format!("person:{person}");
    let person_text = person.to_string();
    let day = iso(days[0]);
    let fields = [
        ("kind", "client"),
        ("value", "192.0.2.77"),
        ("who", who.as_str()),
        ("person", person_text.as_str()),
        ("valid_from", day.as_str()),
        ("last_day", day.as_str()),
        ("from", day.as_str()),
        ("to", day.as_str()),
        ("reason", "Investigation INV/8 into a complaint"),
    ];
    for email in [
        &app.a.chair.email,
        &app.a.councillor.email,
        &app.a.it_provider.email,
        &app.a.auditor.email,
    ] {
        let mut someone = app.signed_in(email).await;
        for path in &gets {
            assert_eq!(someone.get(path).await.status, 403, "{email} GET {path}");
        }
        for path in &posts {
            // A fresh form token each time: a refusal page carries none.
            someone.get("/").await;
            let refused = someone.post(path, &fields).await;
            assert_eq!(refused.status, 403, "{email} POST {path}");
            assert!(
                refused.body.contains("You cannot do this"),
                "{email} POST {path}"
            );
        }
    }

    // The other council's Clerk finds none of it.
    let mut other = app.signed_in(&app.b.clerk.email).await;
    let elsewhere = [
        format!("/monitoring/names/{rule}/end"),
        format!("/monitoring/holds/{hold}/release"),
        format!("/monitoring/subject-access/{person}"),
        format!("/monitoring/subject-access/{person}.zip"),
        format!("/monitoring/subject-access/{person}/erase"),
    ];
    for path in &elsewhere {
        assert_eq!(
            other.get(path).await.status,
            404,
            "other council GET {path}"
        );
    }
    let names = other.get("/monitoring/names").await;
    assert_eq!(names.status, 200);
    assert!(!names.body.contains("192.0.2.77") && !names.body.contains("ccouncillor"));
    let holds = other.get("/monitoring/holds").await;
    assert!(!holds.body.contains("Investigation INV/7"));
    for path in posts.iter().skip(2) {
        other.get("/").await;
        let status = other.post(path, &fields).await.status;
        assert!(
            status == 404 || status == 422,
            "other council POST {path}: {status}"
        );
    }
    assert_eq!(app.store.holds(app.a.id).await.unwrap().len(), 1);
    assert!(app.store.holds(app.b.id).await.unwrap().is_empty());
    assert_eq!(
        app.store.identities(app.a.id).await.unwrap()[0].valid_to,
        None
    );
    assert_eq!(
        app.store
            .person_day(app.a.id, person, days[1])
            .await
            .unwrap()
            .len(),
        2,
        "nothing erased"
    );
    let actions = app.audit_actions(app.a.id).await;
    assert!(count(&actions, "permission.denied") >= 4 * (gets.len() + posts.len()));
}
