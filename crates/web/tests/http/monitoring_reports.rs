//! The internet-use reports and everyone's own records: the figures of the sample log on each
//! report, who may see them (a viewer the settings name; not an officer left out, a councillor
//! or another council), every view audited with what was asked, a period that cannot be read,
//! and each person's own records.

use crate::helpers::*;
use crate::monitoring_fixture::*;
use custodian_core::audit::Actor;
use custodian_core::ids::{CouncilId, MonitorBatchId};
use custodian_core::person::{Role, RoleSet};
use custodian_core::policy::version::london_today;
use custodian_core::ports::{
    AuditLog, AuditQuery, IngestOutcome, LocalDay, MonitorStore, NewBatch, SiteCategories,
    batch_ingested_event,
};
use custodian_monitor::{Format, SummaryOptions, summarize_slice};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Council A with monitoring on (the Clerk named as viewer) and the sample log stored.
async fn monitored_app() -> (TestApp, Vec<LocalDay>) {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let days = sample_log(&app).await;
    (app, days)
}

fn iso(day: LocalDay) -> String {
    day.date().to_string()
}

fn period(days: &[LocalDay]) -> String {
    format!("from={}&to={}", iso(days[0]), iso(days[days.len() - 1]))
}

/// The `monitor.viewed` entries of `council`, oldest first: (subject, details).
async fn views(app: &TestApp, council: CouncilId) -> Vec<(String, Value)> {
    let query = AuditQuery {
        action_prefix: Some("monitor.viewed".to_owned()),
        limit: 1_000,
        ..Default::default()
    };
    let mut entries = app.store.entries(council, &query).await.unwrap();
    entries.reverse();
    entries
        .into_iter()
        .map(|e| (e.subject, serde_json::from_str(&e.details).unwrap()))
        .collect()
}

/// Stores a Squid log for `council` with bets.example in the flagged "gambling" category, as
/// the ingest pipeline does when the council's lists name it.
async fn ingest_with_gambling_flagged(app: &TestApp, council: CouncilId, log: &str) {
    let now = app.clock_now();
    let mut options = SummaryOptions::new(london_today(now));
    options.keep_raw_lines = true;
    let summary = summarize_slice(Format::Squid, options, log.as_bytes()).unwrap();
    let mut site_categories = HashMap::new();
    site_categories.insert(
        "bets.example".to_owned(),
        SiteCategories {
            names: vec!["gambling".to_owned()],
            flagged: true,
        },
    );
    site_categories.insert(
        "news.example".to_owned(),
        SiteCategories {
            names: vec!["news".to_owned()],
            flagged: false,
        },
    );
    let batch = NewBatch {
        id: MonitorBatchId::generate(),
        council_id: council,
        content_sha256: Sha256::digest(log.as_bytes()).into(),
        format: "squid".to_owned(),
        source_name: "categorised.log".to_owned(),
        totals: summary.totals,
        ingested_at: now,
        ingested_by: Actor::Operator,
        site_categories,
        group_categories: Default::default(),
    };
    let outcome = app
        .store
        .ingest_batch(&batch, &summary.groups, summary.raw, |report| {
            batch_ingested_event(&batch, report)
        })
        .await
        .unwrap();
    assert!(matches!(outcome, IngestOutcome::Stored(_)), "{outcome:?}");
}

#[tokio::test]
async fn one_persons_day_lists_each_site_with_london_times_hits_data_and_a_chart() {
    let (app, days) = monitored_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk
        .get(&format!(
            "/monitoring/people/{}?day={}",
            app.a.councillor.id,
            iso(days[1])
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("Connie Councillor"), "{body}");
    // Two requests to news.example, at noon UTC and 95 minutes later: 13:00 and 14:35 in
    // summer time, 12,000 bytes.
    let news = body.split("news.example</a>").nth(1).unwrap();
    let news_row = news.split("</tr>").next().unwrap();
    for expected in ["13:00", "14:35", ">2<", "12 KB"] {
        assert!(news_row.contains(expected), "{expected} in {news_row}");
    }
    assert!(body.contains("bets.example"), "{body}");
    assert!(
        !body.contains("shop.example"),
        "the unmatched address is not hers"
    );
    assert!(body.contains("Sites visited: 3 hits"), "{body}");
    // The chart: an image with a title, and its figures in a table.
    assert!(body.contains("<svg") && body.contains("role=\"img\""));
    // 13:00 BST holds one request, 14:00 the other two.
    assert!(
        body.contains("The busiest hour was 14:00 to 15:00, with 2 hits."),
        "{body}"
    );
    assert!(body.contains("13:00 to 14:00</th>"), "{body}");
    // The day before links back; there is a day after (the sample's last day is yesterday).
    assert!(body.contains(&format!("?day={}", uk(LocalDay(days[1].0 - 1)))));
    assert!(body.contains(&format!("?day={}", uk(LocalDay(days[1].0 + 1)))));

    // The picker's answer goes to the chosen person's page.
    let picked = clerk
        .get(&format!(
            "/monitoring/people?person={}&day=",
            app.a.councillor.id
        ))
        .await;
    assert_eq!(picked.status, 303);
    assert!(
        picked
            .location()
            .starts_with(&format!("/monitoring/people/{}", app.a.councillor.id))
    );
}

fn uk(day: LocalDay) -> String {
    let date = day.date();
    format!("{}/{}/{}", date.day(), date.month(), date.year())
}

#[tokio::test]
async fn top_sites_users_of_a_site_and_unmatched_traffic_show_the_sample_figures() {
    let (app, days) = monitored_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let sites = clerk
        .get(&format!("/monitoring/sites?{}", period(&days)))
        .await;
    assert_eq!(sites.status, 200, "{}", sites.body);
    // news.example: 4 hits, 24,000 bytes, one person; most visited first.
    let news = sites.body.find("news.example</a>").unwrap();
    let shop = sites.body.find("shop.example</a>").unwrap();
    assert!(news < shop, "most hits first");
    let news_row = sites.body[news..].split("</tr>").next().unwrap();
    for expected in [">4<", "23 KB", ">1<"] {
        assert!(news_row.contains(expected), "{expected} in {news_row}");
    }
    let shop_row = sites.body[shop..].split("</tr>").next().unwrap();
    assert!(shop_row.contains(">0<"), "nobody matched: {shop_row}");

    let users = clerk
        .get(&format!("/monitoring/sites/news.example?{}", period(&days)))
        .await;
    assert_eq!(users.status, 200, "{}", users.body);
    let row = users.body.split("Connie Councillor").nth(1).unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(
        row.contains(">2<") && row.contains(">4<"),
        "2 days, 4 hits: {row}"
    );

    let shop_users = clerk
        .get(&format!("/monitoring/sites/shop.example?{}", period(&days)))
        .await;
    assert!(
        shop_users.body.contains("192.0.2.77"),
        "{}",
        shop_users.body
    );
    assert!(
        shop_users
            .body
            .contains("address in the log, not matched to anyone")
    );

    let bad_site = clerk.get("/monitoring/sites/not%20a%20site").await;
    assert_eq!(bad_site.status, 400);
    assert!(
        bad_site
            .body
            .contains("is not a site name as the logs record them")
    );

    let unmatched = clerk
        .get(&format!("/monitoring/unattributed?{}", period(&days)))
        .await;
    assert_eq!(unmatched.status, 200);
    assert!(unmatched.body.contains("192.0.2.77"), "{}", unmatched.body);
    let links = unmatched.body.replace("&#38;", "&").replace("&amp;", "&");
    assert!(
        links.contains("/monitoring/names/new?kind=client&value=192.0.2.77"),
        "{links}"
    );
    assert!(
        !unmatched.body.contains("ccouncillor"),
        "matched names are not listed"
    );

    let index = clerk
        .get(&format!("/monitoring/reports?{}", period(&days)))
        .await;
    assert_eq!(index.status, 200);
    assert!(index.body.contains("use by hour of the day"));
    assert!(index.body.contains("8 hits in all"), "{}", index.body);
    assert!(
        index
            .body
            .contains(&format!("<option value=\"{}\"", app.a.councillor.id))
    );
    assert!(!index.body.contains(&app.b.councillor.id.to_string()));
}

#[tokio::test]
async fn the_category_report_lists_flagged_visits_and_hits_per_category() {
    let app = spawn_app().await;
    switch_on_monitoring(&app, &app.a, RoleSet::of(&[Role::Clerk])).await;
    let day = day_ago(&app, 1);
    identify_user(&app, app.a.id, "ccouncillor", app.a.councillor.id, day).await;
    let noon = noon_of(day);
    let log = [
        squid_line(noon, "192.0.2.10", "ccouncillor", "bets.example", 900),
        squid_line(noon, "192.0.2.10", "ccouncillor", "bets.example", 100),
        squid_line(noon, "192.0.2.10", "ccouncillor", "news.example", 5_000),
    ]
    .concat();
    ingest_with_gambling_flagged(&app, app.a.id, &log).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk
        .get(&format!(
            "/monitoring/categories?from={}&to={}",
            iso(day),
            iso(day)
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (flagged, per_category) = page.body.split_once("Hits in each category").unwrap();
    let visit = flagged.split("bets.example</a>").nth(1).unwrap();
    assert!(flagged.contains("Connie Councillor"), "{flagged}");
    assert!(
        visit.contains("gambling") && visit.contains(">2<"),
        "{visit}"
    );
    assert!(!flagged.contains("news.example</a>"), "news is not flagged");
    let gambling = per_category.split("gambling").nth(1).unwrap();
    let gambling = gambling.split("</tr>").next().unwrap();
    assert!(
        gambling.contains(">2<") && gambling.contains("1000 bytes"),
        "{gambling}"
    );
    assert!(per_category.contains("news"), "{per_category}");
}

#[tokio::test]
async fn only_a_viewer_the_settings_name_sees_reports_and_each_refusal_is_audited() {
    let (app, days) = monitored_app().await;
    let person_day = format!(
        "/monitoring/people/{}?day={}",
        app.a.councillor.id,
        iso(days[1])
    );
    let pages = [
        "/monitoring/reports".to_owned(),
        person_day.clone(),
        format!("/monitoring/sites?{}", period(&days)),
        "/monitoring/sites/news.example".to_owned(),
        "/monitoring/categories".to_owned(),
        "/monitoring/unattributed".to_owned(),
    ];
    // The Chair may be granted viewing, but these settings name only the Clerk.
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    for page in &pages {
        let refused = chair.get(page).await;
        assert_eq!(refused.status, 403, "chair: {page}");
        assert!(!refused.body.contains("news.example"));
        assert_eq!(councillor.get(page).await.status, 403, "councillor: {page}");
    }
    let actions = app.audit_actions(app.a.id).await;
    let denied = actions.iter().filter(|a| *a == "permission.denied").count();
    assert_eq!(denied, pages.len() * 2, "{actions:?}");
    assert!(views(&app, app.a.id).await.is_empty(), "nothing was viewed");
}

#[tokio::test]
async fn another_councils_clerk_sees_nothing_of_council_a() {
    let (app, days) = monitored_app().await;
    switch_on_monitoring(&app, &app.b, RoleSet::of(&[Role::Clerk])).await;
    let mut other = app.signed_in(&app.b.clerk.email).await;
    let person = other
        .get(&format!(
            "/monitoring/people/{}?day={}",
            app.a.councillor.id,
            iso(days[1])
        ))
        .await;
    assert_eq!(person.status, 404);
    for page in [
        format!("/monitoring/sites?{}", period(&days)),
        format!("/monitoring/sites/news.example?{}", period(&days)),
        format!("/monitoring/unattributed?{}", period(&days)),
        format!("/monitoring/categories?{}", period(&days)),
        format!("/monitoring/reports?{}", period(&days)),
    ] {
        let shown = other.get(&page).await;
        assert_eq!(shown.status, 200, "{page}");
        // Both test councils have a "Connie Councillor": A's is told apart by her id.
        let hers = app.a.councillor.id.to_string();
        for leak in [
            "news.example</a>",
            "192.0.2.77",
            hers.as_str(),
            "hits in all",
        ] {
            assert!(!shown.body.contains(leak), "{leak} on {page}");
        }
    }
}

#[tokio::test]
async fn every_view_records_the_page_person_site_and_period_asked() {
    let (app, days) = monitored_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let asked = period(&days);
    clerk
        .get(&format!(
            "/monitoring/people/{}?day={}",
            app.a.councillor.id,
            iso(days[0])
        ))
        .await;
    clerk.get(&format!("/monitoring/sites?{asked}")).await;
    clerk
        .get(&format!("/monitoring/sites/news.example?{asked}"))
        .await;
    clerk.get(&format!("/monitoring/categories?{asked}")).await;
    clerk
        .get(&format!("/monitoring/unattributed?{asked}"))
        .await;
    clerk.get(&format!("/monitoring/reports?{asked}")).await;
    let seen = views(&app, app.a.id).await;
    let pages: Vec<&str> = seen
        .iter()
        .map(|(_, d)| d["page"].as_str().unwrap())
        .collect();
    assert_eq!(
        pages,
        [
            "person_day",
            "top_sites",
            "site_visitors",
            "categories",
            "unattributed",
            "reports"
        ]
    );
    let (subject, person_day) = &seen[0];
    assert_eq!(subject, &format!("person:{}", app.a.councillor.id));
    assert_eq!(
        person_day["asked"]["person"],
        app.a.councillor.id.to_string()
    );
    assert_eq!(person_day["asked"]["day"], iso(days[0]));
    let (subject, site) = &seen[2];
    assert_eq!(subject, "site:news.example");
    assert_eq!(site["asked"]["site"], "news.example");
    for (_, details) in &seen[1..] {
        assert_eq!(details["asked"]["period"]["from"], iso(days[0]));
        assert_eq!(details["asked"]["period"]["to"], iso(days[1]));
    }
}

#[tokio::test]
async fn a_period_that_cannot_be_read_shows_why_and_no_records() {
    let (app, days) = monitored_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let cases = [
        ("from=31/2/2026", "is not a day of the calendar"),
        ("from=1/9/26", "needs its year in full"),
        ("to=yesterday", "is not a date Custodian can read"),
        (
            &format!("from={}&to={}", iso(days[1]), iso(days[0])) as &str,
            "Swap them round",
        ),
    ];
    for (query, message) in cases {
        for page in [
            "/monitoring/sites",
            "/monitoring/unattributed",
            "/monitoring/mine",
        ] {
            let shown = clerk.get(&format!("{page}?{query}")).await;
            assert_eq!(shown.status, 400, "{page}?{query}");
            assert!(shown.body.contains("There is a problem"), "{page}?{query}");
            assert!(shown.body.contains(message), "{message} on {page}?{query}");
            assert!(!shown.body.contains("news.example"), "{page}?{query}");
            assert!(!shown.body.contains("192.0.2.77"), "{page}?{query}");
        }
    }
    let bad_day = clerk
        .get(&format!(
            "/monitoring/people/{}?day=30/2/2026",
            app.a.councillor.id
        ))
        .await;
    assert_eq!(bad_day.status, 400);
    assert!(bad_day.body.contains("href=\"#day\""), "{}", bad_day.body);
    assert!(!bad_day.body.contains("news.example"));
    assert!(views(&app, app.a.id).await.is_empty(), "nothing was read");
}

#[tokio::test]
async fn everyone_sees_only_their_own_records_and_each_look_is_audited() {
    let (app, days) = monitored_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let account = councillor.get("/account").await;
    assert!(account.body.contains("href=\"/monitoring/mine\""));
    let mine = councillor
        .get(&format!("/monitoring/mine?{}", period(&days)))
        .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert!(mine.body.contains("news.example") && mine.body.contains("bets.example"));
    assert!(!mine.body.contains("shop.example"), "not hers");
    assert!(mine.body.contains("kept for 6 months"), "{}", mine.body);
    assert!(
        mine.body.contains("Clara Clerk"),
        "who to ask: {}",
        mine.body
    );
    assert!(
        !mine.body.contains("/monitoring/sites/"),
        "no links to others' reports"
    );

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let clerks = clerk
        .get(&format!("/monitoring/mine?{}", period(&days)))
        .await;
    assert!(
        clerks
            .body
            .contains("Nothing is recorded for you in this period")
    );
    assert!(!clerks.body.contains("news.example"));

    let seen = views(&app, app.a.id).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0, format!("person:{}", app.a.councillor.id));
    assert_eq!(seen[0].1["page"], "own_records");
    assert_eq!(seen[0].1["asked"]["period"]["from"], iso(days[0]));
    assert_eq!(seen[1].0, format!("person:{}", app.a.clerk.id));

    // A council that never switched monitoring on says so, and reads nothing.
    let mut other = app.signed_in(&app.b.councillor.email).await;
    let none = other.get("/monitoring/mine").await;
    assert_eq!(none.status, 200);
    assert!(
        none.body
            .contains("Your council does not monitor internet use.")
    );
    assert!(views(&app, app.b.id).await.is_empty());
}
