//! The Clerk's care of internet-use records (issue 7, items 2, 6 and 7): matching names in the
//! logs to people, ending and correcting them; legal holds kept past the purge and released;
//! the subject access ZIP; erasure refused under a hold; and nobody else let in.

use crate::helpers::*;
use crate::monitoring_fixture::*;
use custodian_core::ids::PersonId;
use custodian_core::person::{Role, RoleSet};
use custodian_core::ports::{LocalDay, MonitorStore};
use jiff::SignedDuration;
use std::collections::HashMap;
use std::io::Read;

/// A day as the forms accept it (ISO, as a date picker sends it).
pub(crate) fn iso(day: LocalDay) -> String {
    day.date().to_string()
}

pub(crate) async fn clerk_with_sample(app: &TestApp) -> (Client, Vec<LocalDay>) {
    switch_on_monitoring(app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let days = sample_log(app).await;
    let clerk = app.signed_in(&app.a.clerk.email).await;
    (clerk, days)
}

/// A response's status, headers and body as bytes (the test client reads bodies as text).
pub(crate) async fn get_bytes(
    app: &TestApp,
    client: &Client,
    path: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let cookies = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.address))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

pub(crate) fn count(actions: &[String], action: &str) -> usize {
    actions.iter().filter(|a| *a == action).count()
}

pub(crate) async fn place_hold(
    clerk: &mut Client,
    person: PersonId,
    from: LocalDay,
    to: LocalDay,
) -> String {
    clerk.get("/monitoring/holds/new").await;
    let placed = clerk
        .post(
            "/monitoring/holds/new",
            &[
                ("person", &person.to_string()),
                ("from", &iso(from)),
                ("to", &iso(to)),
                ("reason", "Investigation INV/7 into a complaint"),
            ],
        )
        .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let id = placed
        .location()
        .strip_prefix("/monitoring/holds?placed=")
        .unwrap()
        .to_owned();
    let list = clerk.get(placed.location()).await;
    assert!(
        list.body.contains("Connie Councillor&#39;s records from")
            || list.body.contains("Connie Councillor's records from"),
        "{}",
        list.body
    );
    id
}

/// Runs the daily purge as the server does, on the test clock's today.
pub(crate) async fn purge(app: &TestApp) {
    custodian_web::monitor_purge::run(&app.store, app.clock_now(), &mut HashMap::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn records_that_were_not_the_persons_are_corrected_from_their_summary() {
    let app = spawn_app().await;
    let (mut clerk, days) = clerk_with_sample(&app).await;
    let person = app.a.councillor.id;
    let summary = clerk
        .get(&format!("/monitoring/subject-access/{person}"))
        .await;
    assert_eq!(summary.status, 200);
    assert!(
        summary
            .body
            .contains("/monitoring/names/correct?kind=user&#38;value=ccouncillor")
    );

    let form = clerk
        .get("/monitoring/names/correct?kind=user&value=ccouncillor")
        .await;
    assert_eq!(form.status, 200);
    let corrected = clerk
        .post(
            "/monitoring/names/correct",
            &[
                ("kind", "user"),
                ("value", "ccouncillor"),
                ("from", &iso(days[1])),
                ("to", &iso(days[1])),
                ("person", &app.a.chair.id.to_string()),
            ],
        )
        .await;
    assert_eq!(corrected.status, 303, "{}", corrected.body);
    let list = clerk.get(corrected.location()).await;
    assert!(
        list.body.contains("Corrected: 2 records on 1 day."),
        "{}",
        list.body
    );
    assert!(
        app.store
            .person_day(app.a.id, person, days[1])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.store
            .person_day(app.a.id, app.a.chair.id, days[1])
            .await
            .unwrap()
            .len(),
        2
    );

    // A spelling that is not in the logs changes nothing and says so.
    let none = clerk
        .post(
            "/monitoring/names/correct",
            &[
                ("kind", "user"),
                ("value", "CCOUNCILLOR"),
                ("from", &iso(days[0])),
                ("to", &iso(days[0])),
                ("person", "nobody"),
            ],
        )
        .await;
    assert_eq!(none.status, 422);
    assert!(none.body.contains("capitals matter"), "{}", none.body);
    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(count(&actions, "monitor.corrected"), 2);
}

#[tokio::test]
async fn a_hold_keeps_records_past_the_purge_until_it_is_released() {
    let app = spawn_app().await;
    let (mut clerk, days) = clerk_with_sample(&app).await;
    let person = app.a.councillor.id;

    // A hold needs a reason and days that have passed.
    clerk.get("/monitoring/holds/new").await;
    let refused = clerk
        .post(
            "/monitoring/holds/new",
            &[
                ("person", &person.to_string()),
                ("from", &iso(days[0])),
                ("to", ""),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Say why the records must be kept"));
    let hold = place_hold(&mut clerk, person, days[0], days[1]).await;

    // Seven months on, the purge removes the days but keeps the held person's records.
    app.clock.advance(SignedDuration::from_hours(24 * 215));
    purge(&app).await;
    assert!(app.store.monitor_days(app.a.id).await.unwrap().is_empty());
    let kept = app
        .store
        .subject_access(app.a.id, person, days[0], days[1])
        .await
        .unwrap();
    assert_eq!(kept.records.len(), 4);
    assert!(kept.records.iter().all(|r| r.held));
    let unmatched_gone = app
        .store
        .unattributed(app.a.id, days[0], days[1])
        .await
        .unwrap();
    assert!(unmatched_gone.is_empty(), "nobody else's records are kept");

    // Months later the Clerk signs in again (the session has long expired).
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let list = clerk.get("/monitoring/holds").await;
    assert!(list.body.contains("Investigation INV/7"), "{}", list.body);
    let release_path = format!("/monitoring/holds/{hold}/release");
    let confirm = clerk.get(&release_path).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .body
            .contains("Releasing it removes 4 daily records and 2 batches of raw log lines"),
        "{}",
        confirm.body
    );
    let released = clerk.post(&release_path, &[]).await;
    assert_eq!(released.status, 303, "{}", released.body);
    let done = clerk.get(released.location()).await;
    assert!(
        done.body.contains("4 records past the retention period"),
        "{}",
        done.body
    );
    assert!(
        app.store
            .subject_access(app.a.id, person, days[0], days[1])
            .await
            .unwrap()
            .records
            .is_empty()
    );
    let again = clerk.post(&release_path, &[]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("already released"));

    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(count(&actions, "monitor.hold.placed"), 1);
    assert_eq!(count(&actions, "monitor.hold.released"), 1);
    assert!(actions.contains(&"monitor.purged".to_owned()));
}

#[tokio::test]
async fn the_subject_access_zip_holds_the_persons_records_with_formulas_defused() {
    let app = spawn_app().await;
    let (mut clerk, days) = clerk_with_sample(&app).await;
    let person = app.a.councillor.id;
    // A site name a spreadsheet would run as a formula.
    let line = squid_line(
        noon_of(days[1]),
        "192.0.2.10",
        "ccouncillor",
        "=cmd.example",
        42,
    );
    ingest_squid(&app, app.a.id, &line).await;

    let chosen = clerk
        .get(&format!("/monitoring/subject-access?person={person}"))
        .await;
    assert_eq!(chosen.status, 303);
    let summary = clerk.get(chosen.location()).await;
    assert_eq!(summary.status, 200);
    assert!(summary.body.contains("everything held"));
    assert!(
        summary
            .body
            .contains("Internet-use records held about Connie Councillor")
    );
    let bad_date = clerk
        .get(&format!(
            "/monitoring/subject-access?person={person}&from=32/1/2026"
        ))
        .await;
    assert_eq!(bad_date.status, 422);

    let (status, headers, bytes) = get_bytes(
        &app,
        &clerk,
        &format!("/monitoring/subject-access/{person}.zip"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/zip");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("internet-use-records-connie-councillor-")
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let csv = read("records.csv");
    let raw = read("raw-lines.txt");
    let summary_text = read("summary.txt");

    let held = app
        .store
        .subject_access(app.a.id, person, LocalDay(0), days[1])
        .await
        .unwrap();
    let rows: Vec<&str> = csv.trim_end().split("\r\n").skip(1).collect();
    assert_eq!(rows.len(), held.records.len(), "{csv}");
    for (row, record) in rows.iter().zip(&held.records) {
        let expected = format!(
            "\"{}\",\"{}\",",
            record.day.date(),
            if record.site.starts_with('=') {
                format!("'{}", record.site)
            } else {
                record.site.clone()
            }
        );
        assert!(row.starts_with(&expected), "{row} / {expected}");
        assert!(
            row.contains(&format!(",\"{}\",\"{}\",", record.hits, record.bytes)),
            "{row}"
        );
        assert!(row.ends_with(",\"user ccouncillor\""), "{row}");
    }
    assert!(
        csv.contains("\"'=cmd.example\""),
        "the formula is defused: {csv}"
    );
    assert!(!csv.contains(",\"=cmd"), "{csv}");
    assert!(raw.contains("http://news.example/ ccouncillor"), "{raw}");
    assert!(raw.contains("access.log (batch "), "{raw}");
    assert!(summary_text.contains("Internet-use records held about Connie Councillor"));
    assert!(summary_text.contains(&format!("{} daily records", held.records.len())));
    assert!(
        summary_text.contains("Records are kept for 6 months"),
        "{summary_text}"
    );
    assert!(summary_text.contains("5.1.9"));

    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(count(&actions, "monitor.subject_access.exported"), 1);
    assert!(count(&actions, "monitor.viewed") >= 2);
}

#[tokio::test]
async fn erasure_is_refused_under_a_hold_and_done_after_release() {
    let app = spawn_app().await;
    let (mut clerk, days) = clerk_with_sample(&app).await;
    let person = app.a.councillor.id;
    let hold = place_hold(&mut clerk, person, days[0], days[0]).await;

    let erase_path = format!("/monitoring/subject-access/{person}/erase");
    let confirm = clerk.get(&erase_path).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.body.contains("4 daily records on 2 days"),
        "{}",
        confirm.body
    );
    assert!(confirm.body.contains("A legal hold covers"));
    let refused = clerk.post(&erase_path, &[]).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("under a legal hold"),
        "{}",
        refused.body
    );
    assert_eq!(
        app.store
            .person_day(app.a.id, person, days[1])
            .await
            .unwrap()
            .len(),
        2
    );

    let released = clerk
        .post(&format!("/monitoring/holds/{hold}/release"), &[])
        .await;
    assert_eq!(released.status, 303);
    clerk.get(&erase_path).await;
    let erased = clerk.post(&erase_path, &[]).await;
    assert_eq!(erased.status, 303, "{}", erased.body);
    let after = clerk.get(erased.location()).await;
    assert!(
        after.body.contains("4 records were erased."),
        "{}",
        after.body
    );
    assert!(
        app.store
            .subject_access(app.a.id, person, LocalDay(0), days[1])
            .await
            .unwrap()
            .records
            .is_empty()
    );
    assert_eq!(
        app.store
            .unattributed(app.a.id, days[0], days[1])
            .await
            .unwrap()
            .len(),
        1,
        "other records stay"
    );
    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(count(&actions, "monitor.person.erased"), 1);
}
