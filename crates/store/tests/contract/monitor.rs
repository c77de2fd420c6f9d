//! Contract cases: internet-use monitoring (issue 7) — batches stored, merged and recognised
//! when repeated; attribution through user names, dated addresses and devices, and afterwards;
//! retention dropping whole days while legal holds keep their person's rows; release, erasure
//! and correction; the reports; settings; and another council's records out of reach. Every
//! change appends an audit entry and the chain still verifies.

use super::*;
use custodian_core::ids::{LegalHoldId, MonitorBatchId, MonitorIdentityId};
use custodian_core::monitor::LegalHold;
use custodian_core::policy::version::sha256_hex;
use custodian_core::ports::{
    IdentityKind, IdentityTarget, IngestOutcome, IngestReport, MonitorIdentity, MonitorSettings,
    MonitorStore, NewBatch, RawLines, SiteCategories, batch_ingested_event, purge_event,
};
use custodian_monitor::{Figures, Group, LocalDay, SubjectKey, Totals};

mod attribution;
mod keys;
mod reads;
mod retention;

/// 1 December 2026 plus `n` days.
pub(super) fn day(n: i32) -> LocalDay {
    LocalDay(LocalDay::from_date(jiff::civil::date(2026, 12, 1)).0 + n)
}

pub(super) fn user(name: &str) -> SubjectKey {
    SubjectKey::User(name.to_owned())
}

pub(super) fn client(address: &str) -> SubjectKey {
    SubjectKey::Client(address.to_owned())
}

/// A group of `hits` requests at `hour` (UTC seconds of that hour on the day), `bytes` in all.
pub(super) fn group(
    key: SubjectKey,
    on: LocalDay,
    site: &str,
    hour: usize,
    hits: u32,
    bytes: u64,
) -> Group {
    let start = i64::from(on.0) * 86_400 + hour as i64 * 3_600;
    let mut hits_by_hour = [0; 24];
    hits_by_hour[hour] = hits;
    Group {
        key,
        day: on,
        site: site.to_owned(),
        figures: Figures {
            first: start + 60,
            last: start + 120,
            hits: u64::from(hits),
            bytes,
            hits_by_hour,
        },
    }
}

pub(super) fn batch(council: CouncilId, content: &str, groups: &[Group]) -> NewBatch {
    let mut sha = [0u8; 32];
    hex::decode_to_slice(sha256_hex(content), &mut sha).unwrap();
    let mut site_categories = std::collections::HashMap::new();
    site_categories.insert(
        "bets.example".to_owned(),
        SiteCategories {
            names: vec!["gambling".to_owned()],
            flagged: true,
        },
    );
    NewBatch {
        id: MonitorBatchId::generate(),
        council_id: council,
        content_sha256: sha,
        format: "squid".to_owned(),
        source_name: "access.log".to_owned(),
        totals: Totals {
            lines: groups.iter().map(|g| g.figures.hits).sum::<u64>() + 1,
            hits: groups.iter().map(|g| g.figures.hits).sum(),
            bytes: groups.iter().map(|g| g.figures.bytes).sum(),
            malformed: 1,
            groups: groups.len() as u64,
        },
        ingested_at: t(100),
        ingested_by: Actor::Operator,
        site_categories,
        group_categories: Default::default(),
    }
}

/// One raw line per group, grouped by key and day as the summariser keeps them.
fn raw_of(groups: &[Group]) -> Vec<RawLines> {
    let mut raw: Vec<RawLines> = Vec::new();
    for g in groups {
        let line = format!("{} {:?} {}\n", g.figures.first, g.key, g.site);
        match raw.iter_mut().find(|r| r.key == g.key && r.day == g.day) {
            Some(found) => found.lines.extend_from_slice(line.as_bytes()),
            None => raw.push(RawLines {
                key: g.key.clone(),
                day: g.day,
                lines: line.into_bytes(),
            }),
        }
    }
    raw
}

/// Stores `groups` as one batch of `content`; returns the report.
pub(super) async fn ingest(
    store: &Store,
    council: CouncilId,
    content: &str,
    groups: &[Group],
) -> IngestReport {
    let new = batch(council, content, groups);
    let outcome = store
        .ingest_batch(&new, groups, raw_of(groups), |r| {
            batch_ingested_event(&new, r)
        })
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not ingest: {e}", store.engine()));
    match outcome {
        IngestOutcome::Stored(report) => report,
        other => panic!(
            "{:?}: expected a stored batch, got {other:?}",
            store.engine()
        ),
    }
}

pub(super) fn identity(
    council: CouncilId,
    kind: IdentityKind,
    value: &str,
    target: IdentityTarget,
    from: LocalDay,
) -> MonitorIdentity {
    MonitorIdentity::new(
        MonitorIdentityId::generate(),
        council,
        kind,
        value,
        target,
        from,
        None,
        t(50),
        Actor::Operator,
    )
    .unwrap()
}

pub(super) async fn add_identity(store: &Store, identity: &MonitorIdentity) -> u64 {
    let council = identity.council_id;
    store
        .add_identity(identity, |r| {
            event(council, t(51), Actor::Operator, "monitor.identity.added")
                .details(json!({"records": r.records}))
        })
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not add an identity: {e}", store.engine()))
        .records
}

pub(super) fn hold(
    council: CouncilId,
    person: PersonId,
    from: LocalDay,
    to: LocalDay,
) -> LegalHold {
    LegalHold {
        id: LegalHoldId::generate(),
        council_id: council,
        person_id: person,
        from,
        to,
        reason: "Investigation INV/3 — \"misuse\" report".to_owned(),
        placed_by: Actor::Operator,
        placed_at: t(60),
        released_by: None,
        released_at: None,
    }
}

pub(super) async fn count_actions(store: &Store, council: CouncilId, prefix: &str) -> usize {
    let query = AuditQuery {
        action_prefix: Some(prefix.to_owned()),
        ..all()
    };
    store.entries(council, &query).await.unwrap().len()
}

/// The day tables that exist in the database (both kinds), by name.
pub(super) async fn day_table_names(store: &Store) -> BTreeSet<String> {
    let sql = match store.engine() {
        Engine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        Engine::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema()"
        }
    };
    sqlx::query(sql)
        .fetch_all(store.write_pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>("name").unwrap())
        .filter(|n| n.starts_with("monitor_records_") || n.starts_with("monitor_raw_"))
        .collect()
}

/// The sample's monitoring: settings, an identity, a batch, a hold and a purge, so that every
/// exported monitoring table has a row.
pub(super) async fn sample_monitoring(store: &Store, person: &Person) {
    let council = person.council_id;
    let settings = MonitorSettings {
        council_id: council,
        enabled: true,
        categories_path: Some("/srv/ut1 \"lists\"".to_owned()),
        flagged_categories: vec!["gambling".to_owned()],
        allowed_categories: vec!["council_allowed".to_owned()],
        viewer_roles: RoleSet::of(&[Role::Clerk]),
        assessment: Some(json!({"purpose": "Security — \"misuse\""})),
        assessment_recorded_at: Some(t(70)),
        assessment_recorded_by: Some(person.id),
        updated_at: t(70),
    };
    let saved = event(council, t(70), Actor::Operator, "monitor.settings_changed");
    store
        .save_monitor_settings(&settings, &saved)
        .await
        .unwrap();
    let key = user("Zoë");
    let target = IdentityTarget::Person(person.id);
    add_identity(
        store,
        &identity(council, IdentityKind::User, "zoë", target, day(0)),
    )
    .await;
    let groups = [group(key, day(1), "bets.example", 9, 2, 200)];
    ingest(store, council, "sample log", &groups).await;
    store
        .place_hold(
            &hold(council, person.id, day(0), day(3)),
            &event(council, t(71), Actor::Operator, "monitor.hold.placed"),
        )
        .await
        .unwrap();
    store
        .purge_days_before(council, day(2), |r| {
            purge_event(council, t(72), Actor::System, day(2), r)
        })
        .await
        .unwrap();
    keys::sample_key(store, person).await;
}

#[tokio::test]
async fn a_batch_reads_back_and_a_second_batch_merges_into_its_day() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let pat = add(store, council.id, "Pat Jones", "pat@ashby.example").await;
        let target = IdentityTarget::Person(pat.id);
        add_identity(
            store,
            &identity(council.id, IdentityKind::User, "PAT", target, day(0)),
        )
        .await;

        let first = [
            group(user("Pat"), day(1), "example.org", 9, 3, 300),
            group(user("pat"), day(1), "bets.example", 11, 1, 10),
            group(client("10.0.0.9"), day(1), "example.org", 9, 4, 40),
        ];
        let report = ingest(store, council.id, "first log", &first).await;
        assert_eq!(report.days, vec![day(1)], "{engine}");
        assert_eq!(
            (report.attributed_groups, report.unattributed_groups),
            (2, 1),
            "{engine}"
        );
        assert_eq!((report.new_days, report.raw_chunks), (1, 3), "{engine}");

        let records = store.person_day(council.id, pat.id, day(1)).await.unwrap();
        assert_eq!(records.len(), 2, "{engine}: {records:?}");
        let bets = &records[0];
        assert_eq!(bets.site, "bets.example", "{engine}");
        assert_eq!(
            (bets.categories.clone(), bets.flagged),
            (vec!["gambling".to_owned()], true)
        );
        let example = &records[1];
        assert_eq!((example.hits, example.bytes), (3, 300), "{engine}");
        assert_eq!(example.hits_by_hour[9], 3, "{engine}");
        assert_eq!(example.key, user("Pat"), "{engine}: the key as logged");
        assert!(!example.held && !example.flagged, "{engine}");

        // A later file with the same key, day and site adds to the record.
        let second = [
            group(user("Pat"), day(1), "example.org", 8, 1, 20),
            group(user("Pat"), day(1), "example.org", 10, 1, 30),
            group(user("Pat"), day(2), "example.org", 10, 1, 30),
        ];
        let merged = ingest(store, council.id, "second log", &second[..1]).await;
        assert_eq!(merged.new_days, 0, "{engine}");
        ingest(store, council.id, "third log", &second[1..]).await;
        let records = store.person_day(council.id, pat.id, day(1)).await.unwrap();
        let example = records.iter().find(|r| r.site == "example.org").unwrap();
        assert_eq!((example.hits, example.bytes), (5, 350), "{engine}");
        assert_eq!(
            (
                example.hits_by_hour[8],
                example.hits_by_hour[9],
                example.hits_by_hour[10]
            ),
            (1, 3, 1),
            "{engine}: hours add"
        );
        assert_eq!(
            example.first_at,
            first_second(&second[0]),
            "{engine}: first widens"
        );
        assert_eq!(
            example.last_at,
            last_second(&second[1]),
            "{engine}: last widens"
        );

        let days = store.monitor_days(council.id).await.unwrap();
        let figures: Vec<(LocalDay, u64, u64)> = days
            .iter()
            .map(|d| (d.day, d.records, d.raw_chunks))
            .collect();
        assert_eq!(
            figures,
            vec![(day(1), 3, 5), (day(2), 1, 1)],
            "{engine}: registry"
        );
        assert_eq!(
            store.monitor_batches(council.id).await.unwrap().len(),
            3,
            "{engine}"
        );

        let access = store
            .subject_access(council.id, pat.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!(access.records.len(), 3, "{engine}");
        let lines: usize = access.raw.iter().map(|r| r.line_count as usize).sum();
        assert_eq!(lines, 5, "{engine}: every raw line of Pat's, decompressed");
        assert!(String::from_utf8_lossy(&access.raw[0].lines).contains("example.org"));

        let ingested = AuditQuery {
            action_prefix: Some("monitor.batch.ingested".to_owned()),
            ..all()
        };
        let entries = store.entries(council.id, &ingested).await.unwrap();
        assert_eq!(entries.len(), 3, "{engine}");
        // Newest first: the first batch's entry is the last, with its content's hash.
        assert!(entries[2].details.contains(&report.sha256_hex), "{engine}");
        assert!(
            !entries[2].details.contains("example.org"),
            "{engine}: no sites in the log"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

fn first_second(g: &Group) -> Timestamp {
    Timestamp::from_second(g.figures.first).unwrap()
}

fn last_second(g: &Group) -> Timestamp {
    Timestamp::from_second(g.figures.last).unwrap()
}

#[tokio::test]
async fn the_same_content_twice_is_recognised_and_nothing_changes() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let groups = [group(client("10.0.0.9"), day(1), "example.org", 9, 4, 40)];
        let first = ingest(store, council.id, "one log", &groups).await;
        let before = store.monitor_days(council.id).await.unwrap();
        let entries = all_entries(store).await.len();

        let again = batch(council.id, "one log", &groups);
        let outcome = store
            .ingest_batch(&again, &groups, raw_of(&groups), |r| {
                batch_ingested_event(&again, r)
            })
            .await
            .unwrap();
        assert_eq!(
            outcome,
            IngestOutcome::AlreadyIngested {
                batch: first.batch,
                ingested_at: t(100)
            },
            "{engine}"
        );
        assert_eq!(
            store.monitor_days(council.id).await.unwrap(),
            before,
            "{engine}"
        );
        assert_eq!(
            store.monitor_batches(council.id).await.unwrap().len(),
            1,
            "{engine}"
        );
        assert_eq!(
            all_entries(store).await.len(),
            entries,
            "{engine}: nothing audited"
        );
        let unattributed = store
            .unattributed(council.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!(unattributed[0].hits, 4, "{engine}: not counted twice");

        // A summary naming one key, day and site twice is refused whole.
        let twice = [groups[0].clone(), groups[0].clone()];
        let faulty = batch(council.id, "faulty summary", &twice);
        let refused = store
            .ingest_batch(&faulty, &twice, raw_of(&twice), |r| {
                batch_ingested_event(&faulty, r)
            })
            .await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{engine}: {refused:?}"
        );
        assert_eq!(
            store.monitor_batches(council.id).await.unwrap().len(),
            1,
            "{engine}"
        );
        db.finish().await;
    }
}
