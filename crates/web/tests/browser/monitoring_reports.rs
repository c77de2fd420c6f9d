//! The internet-use reports in the browser, on an installation of their own (so the rest of the
//! walk's council keeps monitoring switched off until its own journey switches it on): a council
//! with monitoring on, the Clerk named as viewer, and two days of a Squid log. The Clerk opens
//! the reports' index, types a period that is not a date and sees the error summary, corrects
//! it, picks a councillor's day (chart, table of figures opened), the top sites and one site's
//! users, the category and unmatched reports, and her own records; then the names in the logs,
//! legal holds (a hold sent empty), subject access and the erasure page. Every page gets the walk's
//! checks (axe-core's WCAG 2.2 A and AA rules, the CSP, the heading).

use super::policy::{sign_in, sign_out};
use super::*;
use custodian_core::ids::{MonitorBatchId, MonitorIdentityId};
use custodian_core::monitor::{ImpactAssessmentForm, record_assessment};
use custodian_core::policy::version::london_today;
use custodian_core::ports::{
    IdentityKind, IdentityTarget, LocalDay, MonitorIdentity, MonitorSettings, MonitorStore,
    NewBatch, SiteCategories, batch_ingested_event,
};
use custodian_monitor::{Format, SummaryOptions, summarize_slice};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Runs [`spawn_monitored_app`] on a thread and runtime of its own, where its server then
/// keeps running until the test process ends. The store's calls take closures over references,
/// whose futures the compiler cannot prove `Send` for every lifetime, so they cannot be part of
/// the walk's spawned task: this plain function keeps their types out of it.
fn start_monitored_app() -> (String, PersonId, tempfile::TempDir) {
    let (started, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let _ = started.send(spawn_monitored_app().await);
            std::future::pending::<()>().await;
        });
    });
    ready.recv().unwrap()
}

/// Starts the monitored installation; returns its address and the councillor's id.
async fn spawn_monitored_app() -> (String, PersonId, tempfile::TempDir) {
    let (store, dir) = new_store().await;
    let council = found(
        &store,
        "Ashby Parish Council",
        "Clara Clerk",
        "clerk@ashby.example",
    )
    .await;
    let councillor = person(
        &store,
        council,
        "Connie Councillor",
        "cllr@ashby.example",
        &[Role::Councillor],
        true,
    )
    .await;
    let clerk = store.people(council).await.unwrap()[0].id;
    switch_on(&store, council, clerk).await;
    let today = LocalDay::from_date(london_today(now()));
    let days = [LocalDay(today.0 - 2), LocalDay(today.0 - 1)];
    let identity = MonitorIdentity::new(
        MonitorIdentityId::generate(),
        council,
        IdentityKind::User,
        "ccouncillor",
        IdentityTarget::Person(councillor),
        days[0],
        None,
        now(),
        Actor::Operator,
    )
    .unwrap();
    store
        .add_identity(&identity, |_| {
            AuditEvent::new(council, now(), Actor::Operator, "monitor.identity.added")
        })
        .await
        .unwrap();
    let mut log = String::new();
    for day in days {
        let noon = i64::from(day.0) * 86_400 + 12 * 3_600;
        for (offset, user, client, site, bytes) in [
            (0, "ccouncillor", "192.0.2.10", "news.example", 5_000),
            (95 * 60, "ccouncillor", "192.0.2.10", "news.example", 7_000),
            (97 * 60, "ccouncillor", "192.0.2.10", "bets.example", 900),
            (3_600, "-", "192.0.2.77", "shop.example", 1_200),
        ] {
            let _ = writeln!(
                log,
                "{}.000 120 {client} TCP_MISS/200 {bytes} GET http://{site}/ {user} HIER_DIRECT/192.0.2.9 text/html",
                noon + offset
            );
        }
    }
    let mut options = SummaryOptions::new(london_today(now()));
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
    let batch = NewBatch {
        id: MonitorBatchId::generate(),
        council_id: council,
        content_sha256: Sha256::digest(log.as_bytes()).into(),
        format: "squid".to_owned(),
        source_name: "access.log".to_owned(),
        totals: summary.totals,
        ingested_at: now(),
        ingested_by: Actor::Operator,
        site_categories,
        group_categories: Default::default(),
    };
    store
        .ingest_batch(&batch, &summary.groups, summary.raw, |report| {
            batch_ingested_event(&batch, report)
        })
        .await
        .unwrap();
    (serve(store, None).await, councillor, dir)
}

/// Records the impact assessment naming the Clerk as viewer and switches monitoring on, with
/// gambling flagged.
async fn switch_on(store: &Store, council: CouncilId, clerk: PersonId) {
    let (profile, _) = custodian_core::policy::profile::profile_in_force(store, council)
        .await
        .unwrap();
    let viewers = RoleSet::of(&[Role::Clerk]);
    let decided = london_today(now()) - jiff::Span::new().days(10);
    let decided = format!("{}/{}/{}", decided.day(), decided.month(), decided.year());
    let form = ImpactAssessmentForm {
        purpose: "To check council equipment is not used for unlawful or harmful sites.",
        necessity: "A laptop was infected last year after a visit to a file-sharing site.",
        alternatives: "The router blocks known malware sites, but cannot show whether a breach happened.",
        viewer_roles: viewers,
        retention_months: "",
        decided_on: &decided,
        minute_reference: "COU/12/26-27",
        assessed_by: "The Clerk",
    };
    let (assessment, event) =
        record_assessment(council, form, &profile, clerk, london_today(now()), now()).unwrap();
    let settings = MonitorSettings {
        council_id: council,
        enabled: true,
        categories_path: Some("/srv/categories".to_owned()),
        flagged_categories: vec!["gambling".to_owned()],
        allowed_categories: Vec::new(),
        viewer_roles: viewers,
        assessment: Some(serde_json::to_value(&assessment).unwrap()),
        assessment_recorded_at: Some(now()),
        assessment_recorded_by: Some(clerk),
        updated_at: now(),
    };
    store
        .save_monitor_settings(&settings, &event)
        .await
        .unwrap();
}

pub(crate) async fn walk_the_reports(b: &mut Browser) {
    let (address, councillor, _dir) = tokio::task::spawn_blocking(start_monitored_app)
        .await
        .unwrap();
    let main_base = std::mem::replace(&mut b.base, address);
    sign_in(b, "clerk@ashby.example", None).await;

    b.goto("/monitoring/reports").await;
    b.check("internet use reports", "Internet use reports")
        .await;
    b.clear_and_type("#from", "31/2/2026").await;
    b.click("form[action='/monitoring/reports'] button[type='submit']")
        .await;
    b.expect_error_summary("internet use reports with a day that does not exist")
        .await;
    b.clear_and_type("#from", "1/9/2026").await;
    b.click("form[action='/monitoring/reports'] button[type='submit']")
        .await;
    b.wait_for_query("from=1%2F9%2F2026").await;
    b.check("internet use reports for a period", "Internet use reports")
        .await;
    b.screenshot("monitoring-reports").await;

    super::assets::choose_option(b, "person", "Connie Councillor").await;
    b.type_into("#day", "20/9/2026").await;
    b.click("form[action='/monitoring/people'] button[type='submit']")
        .await;
    b.wait_for_path(&format!("/monitoring/people/{councillor}"))
        .await;
    b.click(".govuk-details__summary").await;
    b.check(
        "a councillor's day",
        "Internet use on Sunday 20 September 2026",
    )
    .await;
    b.screenshot("monitoring-person-day").await;

    b.goto("/monitoring/sites?from=2026-09-19&to=2026-09-20")
        .await;
    b.check("top sites", "Top sites").await;
    b.click_link("news.example").await;
    b.wait_for_path("/monitoring/sites/news.example").await;
    b.check("who used a site", "news.example").await;
    b.goto("/monitoring/categories?from=2026-09-19&to=2026-09-20")
        .await;
    b.check("internet use by category", "Internet use by category")
        .await;
    b.goto("/monitoring/unattributed?from=2026-09-19&to=2026-09-20")
        .await;
    b.check(
        "internet use not matched to anyone",
        "Internet use not matched to anyone",
    )
    .await;
    b.goto("/account").await;
    b.click_link("Your internet use records").await;
    b.wait_for_path("/monitoring/mine").await;
    b.check("your own internet use records", "Your internet use records")
        .await;

    // --- The Clerk's care of the records: matching the unmatched address, legal holds,
    // subject access and the erasure page (not confirmed). ---
    b.goto("/monitoring/names").await;
    b.check("names in the logs", "Names in the logs").await;
    b.goto("/monitoring/names/new?kind=client&value=192.0.2.77")
        .await;
    b.check("match a name to a person", "Match a name to a person")
        .await;
    b.goto("/monitoring/holds").await;
    b.check("legal holds", "Legal holds").await;
    b.goto("/monitoring/holds/new").await;
    b.check("place a legal hold", "Place a legal hold").await;
    b.click("form[action='/monitoring/holds/new'] button[type='submit']")
        .await;
    b.expect_error_summary("a legal hold with nothing filled in")
        .await;
    b.goto("/monitoring/subject-access").await;
    b.check("subject access and erasure", "Subject access and erasure")
        .await;
    b.goto(&format!("/monitoring/subject-access/{councillor}"))
        .await;
    b.check("what is held about a person", "Connie Councillor")
        .await;
    let summary = b.text_of("#main-content").await;
    assert!(
        !summary.contains("No internet-use records"),
        "the subject access summary finds nothing held about the councillor:\n{summary}"
    );
    b.goto(&format!("/monitoring/subject-access/{councillor}/erase"))
        .await;
    b.check("erase a person's records", "Erase").await;

    sign_out(b).await;
    b.base = main_base;
}
