//! Contract cases: monitoring retention — a purge drops whole days before the cutoff while a
//! legal hold keeps its person's rows readable, a release removes them, erasure removes one
//! person only (and waits for their hold), and a SQLite file gives the space back.

use super::*;
use custodian_core::ports::StoreError;

/// Pat and Sam on days 1 to 4; a hold on Pat over days 1 and 2.
pub(super) async fn four_days_with_a_hold(store: &Store) -> (CouncilId, Person, Person, LegalHold) {
    let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
    let pat = add(store, council.id, "Pat Jones", "pat@ashby.example").await;
    let sam = add(store, council.id, "Sam Smith", "sam@ashby.example").await;
    for person in [&pat, &sam] {
        let name = person.email.as_str().split('@').next().unwrap().to_owned();
        let target = IdentityTarget::Person(person.id);
        add_identity(
            store,
            &identity(council.id, IdentityKind::User, &name, target, day(0)),
        )
        .await;
    }
    let groups: Vec<Group> = (1..=4)
        .flat_map(|d| ["pat", "sam"].map(|u| group(user(u), day(d), "example.org", 9, 1, 10)))
        .collect();
    ingest(store, council.id, "four days", &groups).await;
    let held = hold(council.id, pat.id, day(1), day(2));
    let placed = event(council.id, t(60), Actor::Operator, "monitor.hold.placed");
    store.place_hold(&held, &placed).await.unwrap();
    (council.id, pat, sam, held)
}

#[tokio::test]
async fn a_purge_drops_whole_days_before_the_cutoff_and_a_hold_keeps_its_persons_rows() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, pat, sam, held) = four_days_with_a_hold(store).await;
        assert_eq!(day_table_names(store).await.len(), 8, "{engine}");

        let report = store
            .purge_days_before(council, day(3), |r| {
                purge_event(council, t(90), Actor::System, day(3), r)
            })
            .await
            .unwrap();
        assert_eq!(report.days_dropped, 2, "{engine}");
        assert_eq!(
            (report.records_removed, report.raw_chunks_removed),
            (4, 4),
            "{engine}"
        );
        assert_eq!(
            report.records_kept_for_holds, 2,
            "{engine}: Pat's days 1 and 2"
        );
        assert_eq!(report.raw_chunks_kept_for_holds, 2, "{engine}");
        let left: Vec<LocalDay> = store
            .monitor_days(council)
            .await
            .unwrap()
            .iter()
            .map(|d| d.day)
            .collect();
        assert_eq!(left, vec![day(3), day(4)], "{engine}: the registry agrees");
        assert_eq!(
            day_table_names(store).await.len(),
            4,
            "{engine}: tables dropped"
        );

        // Pat's held rows are still readable; Sam's are gone.
        let pat_day1 = store.person_day(council, pat.id, day(1)).await.unwrap();
        assert_eq!(pat_day1.len(), 1, "{engine}");
        assert!(pat_day1[0].held, "{engine}");
        assert!(
            store
                .person_day(council, sam.id, day(1))
                .await
                .unwrap()
                .is_empty()
        );
        let access = store
            .subject_access(council, pat.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!((access.records.len(), access.raw.len()), (4, 4), "{engine}");
        assert!(access.raw[0].held && !access.raw[3].held, "{engine}");
        let top = store.top_sites(council, day(1), day(2), 10).await.unwrap();
        assert_eq!(
            (top[0].hits, top[0].people),
            (2, 1),
            "{engine}: held copies count"
        );

        // Released: the held copies of days past the cutoff go.
        let released = store
            .release_hold(council, held.id, &Actor::Operator, t(95), day(3), |r| {
                event(council, t(95), Actor::Operator, "monitor.hold.released")
                    .details(json!({"records": r.held_records_removed}))
            })
            .await
            .unwrap();
        assert_eq!(
            (released.held_records_removed, released.held_raw_removed),
            (2, 2)
        );
        assert!(
            store
                .person_day(council, pat.id, day(1))
                .await
                .unwrap()
                .is_empty()
        );
        let again = store
            .release_hold(council, held.id, &Actor::Operator, t(96), day(3), |_| {
                event(council, t(96), Actor::Operator, "monitor.hold.released")
            })
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{engine}: {again:?}"
        );
        let holds = store.holds(council).await.unwrap();
        assert_eq!(holds[0].released_at, Some(t(95)), "{engine}");

        // Nothing before the cutoff is left, so a second purge drops nothing.
        let nothing = store
            .purge_days_before(council, day(3), |r| {
                purge_event(council, t(97), Actor::System, day(3), r)
            })
            .await
            .unwrap();
        assert_eq!(nothing.days_dropped, 0, "{engine}");
        assert_eq!(
            count_actions(store, council, "monitor.purged").await,
            2,
            "{engine}"
        );
        assert_eq!(
            count_actions(store, council, "monitor.hold.").await,
            2,
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn erasure_removes_one_person_only_and_waits_for_their_hold() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, pat, sam, held) = four_days_with_a_hold(store).await;
        let erase = |person: PersonId| {
            store.erase_person(council, person, move |r| {
                event(council, t(99), Actor::Operator, "monitor.erased")
                    .subject(format!("person:{person}"))
                    .details(json!({"records": r.records_removed}))
            })
        };
        let refused = erase(pat.id).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{engine}: {refused:?}"
        );

        let report = erase(sam.id).await.unwrap();
        assert_eq!(
            (
                report.days,
                report.records_removed,
                report.raw_chunks_removed
            ),
            (4, 4, 4)
        );
        let sam_all = store
            .subject_access(council, sam.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!(
            (sam_all.records.len(), sam_all.raw.len()),
            (0, 0),
            "{engine}"
        );
        let pat_all = store
            .subject_access(council, pat.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!(pat_all.records.len(), 4, "{engine}: Pat untouched");
        let counts: Vec<(u64, u64)> = store
            .monitor_days(council)
            .await
            .unwrap()
            .iter()
            .map(|d| (d.records, d.raw_chunks))
            .collect();
        assert_eq!(
            counts,
            vec![(1, 1); 4],
            "{engine}: the registry's counts follow"
        );

        store
            .release_hold(council, held.id, &Actor::Operator, t(98), day(0), |_| {
                event(council, t(98), Actor::Operator, "monitor.hold.released")
            })
            .await
            .unwrap();
        assert_eq!(erase(pat.id).await.unwrap().records_removed, 4, "{engine}");
        assert_eq!(
            count_actions(store, council, "monitor.erased").await,
            2,
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn sqlite_files_return_the_space_of_purged_days() {
    // A new database is made with incremental auto-vacuum (an older one is left as it is and
    // the log says how to convert it).
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite_in(dir.path()).await.unwrap();
    store.migrate().await.unwrap();
    let mode: i64 = sqlx::query("PRAGMA auto_vacuum")
        .fetch_one(store.write_pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(mode, 2, "a new database uses incremental auto-vacuum");

    // A day of raw lines that compress poorly, so it fills many pages; purged, the file
    // shrinks by them and keeps no free pages.
    let (council, _) = found(&store, "Ashby Parish Council", "clerk@ashby.example").await;
    let groups: Vec<Group> = (0..2_000)
        .map(|i| {
            let address = format!("10.0.{}.{}", i / 250, i % 250);
            group(client(&address), day(1), "example.org", 9, 1, 10)
        })
        .collect();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let raw: Vec<RawLines> = groups
        .iter()
        .map(|g| {
            let mut lines = Vec::with_capacity(4_096);
            while lines.len() < 4_096 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                lines.extend_from_slice(format!("{seed:016x}\n").as_bytes());
            }
            RawLines {
                key: g.key.clone(),
                day: g.day,
                lines,
            }
        })
        .collect();
    let new = batch(council.id, "noisy log", &groups);
    store
        .ingest_batch(&new, &groups, raw, |r| batch_ingested_event(&new, r))
        .await
        .unwrap();
    let pragma = |name: &'static str| {
        let pool = store.write_pool().clone();
        async move {
            let row = sqlx::query(&format!("PRAGMA {name}"))
                .fetch_one(&pool)
                .await
                .unwrap();
            row.try_get::<i64, _>(0).unwrap()
        }
    };
    let before = pragma("page_count").await;
    store
        .purge_days_before(council.id, day(2), |r| {
            purge_event(council.id, t(90), Actor::System, day(2), r)
        })
        .await
        .unwrap();
    let after = pragma("page_count").await;
    assert!(
        after * 2 < before,
        "{before} pages before the purge, {after} after"
    );
    assert_eq!(
        pragma("freelist_count").await,
        0,
        "no free pages left in the file"
    );
    store.close().await;
}

#[tokio::test]
async fn sqlite_batches_are_copied_out_of_the_write_ahead_log_between_ingests() {
    // A batch's commit leaves its pages in the write-ahead log (the copy into the file is
    // not done inside the commit); the checkpoint the ingest starts after its commit copies
    // them before the next batch, whether or not the caller asks for one, so the log starts
    // again from its beginning and does not grow batch after batch.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite_in(dir.path()).await.unwrap();
    store.migrate().await.unwrap();
    let (council, _) = found(&store, "Ashby Parish Council", "clerk@ashby.example").await;
    let wal = dir.path().join("custodian.db-wal");
    let wal_bytes = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let mut sizes = Vec::new();
    for n in 0..3 {
        let groups: Vec<Group> = (0..3_000)
            .map(|i| {
                let address = format!("10.{n}.{}.{}", i / 250, i % 250);
                group(client(&address), day(1 + n), "example.org", 9, 1, 10)
            })
            .collect();
        let new = batch(council.id, &format!("log {n}"), &groups);
        store
            .ingest_batch(&new, &groups, Vec::new(), |r| batch_ingested_event(&new, r))
            .await
            .unwrap();
        sizes.push(wal_bytes());
    }
    assert!(sizes[0] > 0, "the first batch is in the write-ahead log");
    // The file keeps its largest size; a log started again is written over from the start.
    assert!(
        sizes[1] <= sizes[0] && sizes[2] <= sizes[0],
        "the write-ahead log grew batch after batch: {sizes:?} bytes"
    );
    let records: i64 = sqlx::query_scalar("SELECT count(*) FROM monitor_batches")
        .fetch_one(store.write_pool())
        .await
        .unwrap();
    assert_eq!(records, 3, "every batch is kept");
    store.close().await;
}
