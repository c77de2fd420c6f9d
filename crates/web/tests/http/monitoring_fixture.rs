//! Shared set-up for the internet-use monitoring tests: a council with monitoring switched on
//! (impact assessment recorded, viewers chosen), a Squid log stored through the same store call
//! the CLI and the upload use, and log names matched to people.

use crate::helpers::*;
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{CouncilId, MonitorBatchId, MonitorIdentityId, PersonId};
use custodian_core::monitor::{ImpactAssessmentForm, record_assessment};
use custodian_core::person::RoleSet;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{
    IdentityKind, IdentityTarget, IngestOutcome, IngestReport, LocalDay, MonitorIdentity,
    MonitorSettings, MonitorStore, NewBatch, batch_ingested_event,
};
use custodian_monitor::{Format, SummaryOptions, summarize_slice};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Records an impact assessment for `council` naming `viewers`, and switches monitoring on.
pub async fn switch_on_monitoring(app: &TestApp, council: &TestCouncil, viewers: RoleSet) {
    let now = app.clock_now();
    let (profile, _) = custodian_core::policy::profile::profile_in_force(&app.store, council.id)
        .await
        .unwrap();
    let today = london_today(now);
    let decided_on = today.checked_sub(jiff::Span::new().days(10)).unwrap();
    let decided_on = format!(
        "{}/{}/{}",
        decided_on.day(),
        decided_on.month(),
        decided_on.year()
    );
    let form = ImpactAssessmentForm {
        purpose: "To check council equipment is not used for unlawful or harmful sites.",
        necessity: "A laptop was infected last year after a visit to a file-sharing site.",
        alternatives: "The router blocks known malware sites, but cannot show whether a breach happened.",
        viewer_roles: viewers,
        retention_months: "",
        decided_on: &decided_on,
        minute_reference: "COU/12/26-27",
        assessed_by: "The Clerk",
    };
    let (assessment, event) =
        record_assessment(council.id, form, &profile, council.clerk.id, today, now).unwrap();
    let settings = MonitorSettings {
        council_id: council.id,
        enabled: true,
        categories_path: None,
        flagged_categories: Vec::new(),
        allowed_categories: Vec::new(),
        viewer_roles: viewers,
        assessment: Some(serde_json::to_value(&assessment).unwrap()),
        assessment_recorded_at: Some(now),
        assessment_recorded_by: Some(council.clerk.id),
        updated_at: now,
    };
    app.store
        .save_monitor_settings(&settings, &event)
        .await
        .unwrap();
}

/// One line of Squid's native access.log: a plain-HTTP GET of `site` at `at` by `user` from
/// `client`, `bytes` long. `user` "-" is a line without a proxy user name.
pub fn squid_line(at: Timestamp, client: &str, user: &str, site: &str, bytes: u64) -> String {
    format!(
        "{}.{:03} 120 {client} TCP_MISS/200 {bytes} GET http://{site}/ {user} HIER_DIRECT/192.0.2.9 text/html\n",
        at.as_second(),
        at.subsec_millisecond()
    )
}

/// Stores `log` (Squid native) for `council` as one batch and returns the store's report.
pub async fn ingest_squid(app: &TestApp, council: CouncilId, log: &str) -> IngestReport {
    let now = app.clock_now();
    let mut options = SummaryOptions::new(london_today(now));
    options.keep_raw_lines = true;
    let summary = summarize_slice(Format::Squid, options, log.as_bytes()).unwrap();
    let batch = NewBatch {
        id: MonitorBatchId::generate(),
        council_id: council,
        content_sha256: Sha256::digest(log.as_bytes()).into(),
        format: "squid".to_owned(),
        source_name: "access.log".to_owned(),
        totals: summary.totals,
        ingested_at: now,
        ingested_by: Actor::Operator,
        site_categories: HashMap::new(),
        group_categories: HashMap::new(),
    };
    let outcome = app
        .store
        .ingest_batch(&batch, &summary.groups, summary.raw, |report| {
            batch_ingested_event(&batch, report)
        })
        .await
        .unwrap();
    match outcome {
        IngestOutcome::Stored(report) => report,
        other => panic!("expected the test log to be stored, got {other:?}"),
    }
}

/// Matches the proxy user name `name` to `person` from `from` on.
pub async fn identify_user(
    app: &TestApp,
    council: CouncilId,
    name: &str,
    person: PersonId,
    from: LocalDay,
) {
    let identity = MonitorIdentity::new(
        MonitorIdentityId::generate(),
        council,
        IdentityKind::User,
        name,
        IdentityTarget::Person(person),
        from,
        None,
        app.clock_now(),
        Actor::Operator,
    )
    .unwrap();
    app.store
        .add_identity(&identity, |r| {
            AuditEvent::new(
                council,
                app.clock_now(),
                Actor::Operator,
                "monitor.identity.added",
            )
            .details(serde_json::json!({ "records": r.records }))
        })
        .await
        .unwrap();
}

/// The London day `days_ago` days before the test clock's today.
pub fn day_ago(app: &TestApp, days_ago: i32) -> LocalDay {
    LocalDay(LocalDay::from_date(london_today(app.clock_now())).0 - days_ago)
}

/// Noon (UTC) on `day`, a time safely inside that London day in winter and summer.
pub fn noon_of(day: LocalDay) -> Timestamp {
    Timestamp::from_second(i64::from(day.0) * 86_400 + 12 * 3_600).unwrap()
}

/// A Squid log of the last few days for council A: the councillor ("ccouncillor") reads a news
/// site and a betting site, and one address with no user name ("192.0.2.77") goes unmatched.
/// The councillor's name is matched to them. Returns the days used, oldest first.
pub async fn sample_log(app: &TestApp) -> Vec<LocalDay> {
    let days = vec![day_ago(app, 2), day_ago(app, 1)];
    let mut log = String::new();
    for day in &days {
        let noon = noon_of(*day);
        let later = noon + jiff::SignedDuration::from_mins(95);
        log.push_str(&squid_line(
            noon,
            "192.0.2.10",
            "ccouncillor",
            "news.example",
            5_000,
        ));
        log.push_str(&squid_line(
            later,
            "192.0.2.10",
            "ccouncillor",
            "news.example",
            7_000,
        ));
        log.push_str(&squid_line(
            later,
            "192.0.2.10",
            "ccouncillor",
            "bets.example",
            900,
        ));
        log.push_str(&squid_line(noon, "192.0.2.77", "-", "shop.example", 1_200));
    }
    identify_user(app, app.a.id, "ccouncillor", app.a.councillor.id, days[0]).await;
    ingest_squid(app, app.a.id, &log).await;
    days
}

#[tokio::test]
async fn the_sample_log_is_the_councillors_except_the_unmatched_address() {
    let app = spawn_app().await;
    switch_on_monitoring(
        &app,
        &app.a,
        RoleSet::of(&[custodian_core::person::Role::Clerk]),
    )
    .await;
    let days = sample_log(&app).await;
    let records = app
        .store
        .person_day(app.a.id, app.a.councillor.id, days[1])
        .await
        .unwrap();
    let sites: Vec<(&str, u64)> = records.iter().map(|r| (r.site.as_str(), r.hits)).collect();
    assert_eq!(sites.len(), 2, "{sites:?}");
    assert!(sites.contains(&("news.example", 2)), "{sites:?}");
    let unmatched = app
        .store
        .unattributed(app.a.id, days[0], days[1])
        .await
        .unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].hits, 2);
}
