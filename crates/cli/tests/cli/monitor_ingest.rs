//! `custodian monitor ingest`: refused until the council has switched monitoring on; then a
//! log is stored with its batch in the audit chain, the same file again is recognised and not
//! counted twice, what matched no one is listed as unattributed, and the server's daily purge
//! drops the day once it is past the retention period.

use super::{custodian, init, text};
use custodian_core::monitor::{ImpactAssessmentForm, record_assessment};
use custodian_core::person::{Role, RoleSet};
use custodian_core::policy::version::london_today;
use custodian_core::ports::*;
use custodian_monitor::{LocalDay, SubjectKey};
use custodian_store::Store;
use std::path::Path;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Runtime::new().unwrap().block_on(future)
}

/// Two visits yesterday (well inside any retention period) and a broken line, in Squid's
/// native format: one by a signed-in proxy user, one by a device known only by its address.
fn squid_log_of_yesterday() -> String {
    let yesterday = jiff::Timestamp::now().as_second() - 24 * 3600;
    format!(
        "{yesterday}.100    456 192.168.1.5 TCP_TUNNEL/200 5120 CONNECT www.bbc.co.uk:443 alice HIER_DIRECT/1.2.3.4 -\n\
         {}.200     56 192.168.1.9 TCP_MISS/200 2048 GET http://example.com/index.html - HIER_DIRECT/1.2.3.5 text/html\n\
         this line is broken\n",
        yesterday + 60
    )
}

fn switch_monitoring_on(data_dir: &Path) {
    switch_monitoring_on_with(data_dir, None, &[]);
}

/// The project's own test category list.
fn test_categories() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../monitor/test-categories").to_owned()
}

fn switch_monitoring_on_with(data_dir: &Path, categories_path: Option<String>, flagged: &[&str]) {
    block_on(async {
        let store = Store::open_sqlite_in(data_dir).await.unwrap();
        let council = store.councils().await.unwrap().remove(0);
        let clerk = store.people(council.id).await.unwrap().remove(0);
        let now = jiff::Timestamp::now();
        let profile = custodian_core::policy::PolicyProfile::model_defaults();
        let (assessment, event) = record_assessment(
            council.id,
            ImpactAssessmentForm {
                purpose: "To investigate suspected breaches of the IT policy when reported.",
                necessity: "Laptops were infected after visits to file-sharing sites last year.",
                alternatives: "Blocking alone does not show whether a reported breach happened.",
                viewer_roles: RoleSet::of(&[Role::Clerk]),
                retention_months: "",
                decided_on: "2026-01-15",
                minute_reference: "COU/12/25-26",
                assessed_by: "Jane Smith, Clerk",
            },
            &profile,
            clerk.id,
            london_today(now),
            now,
        )
        .unwrap();
        let settings = MonitorSettings {
            council_id: council.id,
            enabled: true,
            categories_path,
            flagged_categories: flagged.iter().map(|c| (*c).to_owned()).collect(),
            allowed_categories: Vec::new(),
            viewer_roles: RoleSet::of(&[Role::Clerk]),
            assessment: Some(serde_json::to_value(&assessment).unwrap()),
            assessment_recorded_at: Some(now),
            assessment_recorded_by: Some(clerk.id),
            updated_at: now,
        };
        store
            .save_monitor_settings(&settings, &event)
            .await
            .unwrap();
    });
}

#[test]
fn a_log_is_kept_once_only_after_monitoring_is_switched_on() {
    let dir = tempfile::tempdir().unwrap();
    let setup = init(dir.path(), "Ashby Parish Council", "clerk@ashby.example");
    assert!(setup.status.success(), "{}", text(&setup));
    let log = dir.path().join("access.log");
    std::fs::write(&log, squid_log_of_yesterday()).unwrap();
    let ingest = |extra: &[&str]| {
        let mut args = vec![
            "monitor",
            "ingest",
            "--format",
            "squid",
            log.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        custodian(dir.path(), &args)
    };

    let refused = ingest(&["--json"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("Monitoring is not switched on for Ashby Parish Council"),
        "{}",
        text(&refused)
    );
    assert!(refused.stdout.is_empty());

    switch_monitoring_on(dir.path());
    let stored = ingest(&["--json"]);
    assert!(stored.status.success(), "{}", text(&stored));
    assert_eq!(
        String::from_utf8(stored.stdout.clone()).unwrap(),
        "{\"lines\": 3, \"hits\": 2, \"bytes\": 7168, \"malformed\": 1, \"groups\": 2}\n"
    );
    assert!(text(&stored).contains("line 3"), "{}", text(&stored));

    let again = ingest(&[]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("already received") && text(&again).contains("nothing was stored"),
        "{}",
        text(&again)
    );

    block_on(async {
        let store = Store::open_sqlite_in(dir.path()).await.unwrap();
        let council = store.councils().await.unwrap().remove(0);
        let batches = store.monitor_batches(council.id).await.unwrap();
        assert_eq!(batches.len(), 1, "the same file is kept once");
        assert_eq!(batches[0].totals.hits, 2);
        let today = LocalDay::from_date(london_today(jiff::Timestamp::now()));
        let unattributed = store
            .unattributed(council.id, LocalDay(today.0 - 7), today)
            .await
            .unwrap();
        let keys: Vec<SubjectKey> = unattributed.into_iter().map(|u| u.key).collect();
        assert!(
            keys.contains(&SubjectKey::User("alice".to_owned())),
            "{keys:?}"
        );
        assert!(
            keys.contains(&SubjectKey::Client("192.168.1.9".to_owned())),
            "{keys:?}"
        );
    });
    // The server's daily purge: nothing is past retention today; seven months on, the day
    // goes, once only that day.
    block_on(async {
        let store = Store::open_sqlite_in(dir.path()).await.unwrap();
        let council = store.councils().await.unwrap().remove(0);
        let mut done = std::collections::HashMap::new();
        let now = jiff::Timestamp::now();
        let today = custodian_web::monitor_purge::run(&store, now, &mut done)
            .await
            .unwrap();
        assert_eq!(today.len(), 1);
        assert_eq!(today[0].1.days_dropped, 0);
        assert_eq!(store.monitor_days(council.id).await.unwrap().len(), 1);
        let later = now + jiff::SignedDuration::from_hours(24 * 215);
        let purged = custodian_web::monitor_purge::run(&store, later, &mut done)
            .await
            .unwrap();
        assert_eq!(purged[0].1.days_dropped, 1);
        assert!(store.monitor_days(council.id).await.unwrap().is_empty());
        let again = custodian_web::monitor_purge::run(&store, later, &mut done)
            .await
            .unwrap();
        assert!(again.is_empty(), "the purge runs once a day");
    });
    let verified = custodian(dir.path(), &["audit", "verify"]);
    assert!(verified.status.success(), "{}", text(&verified));
}

#[test]
fn a_request_under_a_url_entry_puts_only_its_own_group_in_that_category() {
    // The test list's `gambling/urls` names games-portal.example/casino: the casino pages
    // flag their visitor, the rest of the site (and its encrypted pages, which show no
    // path) do not.
    let dir = tempfile::tempdir().unwrap();
    let setup = init(dir.path(), "Ashby Parish Council", "clerk@ashby.example");
    assert!(setup.status.success(), "{}", text(&setup));
    switch_monitoring_on_with(dir.path(), Some(test_categories()), &["gambling"]);
    let yesterday = jiff::Timestamp::now().as_second() - 24 * 3600;
    let log = dir.path().join("access.log");
    std::fs::write(
        &log,
        format!(
            "{yesterday}.100     56 192.168.1.9 TCP_MISS/200 2048 GET http://games-portal.example/casino/slots?id=7 - HIER_DIRECT/1.2.3.5 text/html\n\
             {yesterday}.200     56 192.168.1.7 TCP_MISS/200 1024 GET http://games-portal.example/puzzles/daily - HIER_DIRECT/1.2.3.5 text/html\n\
             {yesterday}.300    456 192.168.1.7 TCP_TUNNEL/200 5120 CONNECT games-portal.example:443 - HIER_DIRECT/1.2.3.5 -\n"
        ),
    )
    .unwrap();
    let stored = custodian(
        dir.path(),
        &[
            "monitor",
            "ingest",
            "--format",
            "squid",
            log.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(stored.status.success(), "{}", text(&stored));

    block_on(async {
        let store = Store::open_sqlite_in(dir.path()).await.unwrap();
        let council = store.councils().await.unwrap().remove(0);
        let today = LocalDay::from_date(london_today(jiff::Timestamp::now()));
        let flagged = store
            .flagged_records(council.id, LocalDay(today.0 - 7), today)
            .await
            .unwrap();
        let found: Vec<(SubjectKey, &str, Vec<String>)> = flagged
            .iter()
            .map(|r| (r.key.clone(), r.site.as_str(), r.categories.clone()))
            .collect();
        assert_eq!(
            found,
            vec![(
                SubjectKey::Client("192.168.1.9".to_owned()),
                "games-portal.example",
                vec!["gambling".to_owned()]
            )]
        );
    });
}

#[test]
fn a_mistyped_data_folder_is_reported_and_nothing_is_created_there() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, squid_log_of_yesterday()).unwrap();
    let wrong = dir.path().join("custodain");
    let ingest = custodian(
        &wrong,
        &[
            "monitor",
            "ingest",
            "--format",
            "squid",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(ingest.status.code(), Some(1), "{}", text(&ingest));
    assert!(
        text(&ingest).contains("There is no Custodian database in")
            && text(&ingest).contains("--data-dir"),
        "{}",
        text(&ingest)
    );
    let sheets = dir.path().join("sheets");
    let kit = custodian(&wrong, &["vault", "kit", "--out", sheets.to_str().unwrap()]);
    assert_eq!(kit.status.code(), Some(1), "{}", text(&kit));
    assert!(
        !wrong.exists(),
        "no data folder is made at the mistyped path"
    );
    assert!(!sheets.exists(), "no sheet folder is made either");
}
