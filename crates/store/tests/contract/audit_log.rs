//! Contract cases: the audit log.

use super::*;

#[tokio::test]
async fn audit_entries_chain_per_council_and_verify_intact() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let mut last_ashby = None;
        let mut last_bryn = None;
        for i in 0..7 {
            let appended = store
                .append(&event(ashby.id, t(i), Actor::System, "test.tick").details(json!({"i": i})))
                .await
                .unwrap();
            assert_eq!(appended.seq, 3 + i, "{engine}");
            last_ashby = Some(appended);
            if i % 2 == 0 {
                last_bryn = Some(
                    store
                        .append(&event(bryn.id, t(i), Actor::Anonymous, "test.tock"))
                        .await
                        .unwrap(),
                );
            }
        }
        let (last_ashby, last_bryn) = (last_ashby.unwrap(), last_bryn.unwrap());
        assert_eq!(last_ashby.seq, 9, "{engine}");
        assert_eq!(
            last_bryn.seq, 6,
            "{engine}: each council has its own sequence"
        );

        let entries = all_entries(store).await;
        assert_eq!(entries.len(), 15, "{engine}");
        let ashby_seqs: Vec<i64> = entries
            .iter()
            .filter(|e| e.council_id == ashby.id)
            .map(|e| e.seq)
            .collect();
        assert_eq!(ashby_seqs, (1..=9).collect::<Vec<_>>(), "{engine}");
        let stored_last = entries
            .iter()
            .find(|e| e.council_id == ashby.id && e.seq == 9)
            .unwrap();
        assert_eq!(
            stored_last, &last_ashby,
            "{engine}: append returns what is stored"
        );

        let report = verify(store).await;
        assert!(report.is_intact(), "{engine}: {:?}", report.broken);
        assert_eq!(report.entries, 15, "{engine}");
        let mut expected = vec![last_ashby.head(), last_bryn.head()];
        expected.sort_by_key(|h| h.council_id.to_string());
        assert_eq!(
            store.heads().await.unwrap(),
            expected,
            "{engine}: heads are the last entries"
        );
        let mut verified = report.heads.clone();
        verified.sort_by_key(|h| h.council_id.to_string());
        assert_eq!(verified, expected, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn audit_entries_can_be_filtered_by_actor_action_and_time_and_paged_newest_first() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let p = Actor::Person(clerk.id);
        // seq 1 and 2 are the founding entries at t(0) by the operator.
        let script = [
            (1, p.clone(), "signin.succeeded"),     // 3
            (2, Actor::System, "person.updated"),   // 4
            (3, p.clone(), "signin.failed"),        // 5
            (4, p.clone(), "personal.note"),        // 6: not under "person."
            (5, Actor::System, "person_updated"),   // 7: `_` is not a wildcard
            (6, p.clone(), "person.left"),          // 8
            (7, Actor::Anonymous, "signin.failed"), // 9
            (8, Actor::System, "PERSON.added"),     // 10: prefixes are case-sensitive
        ];
        for (minute, actor, action) in &script {
            store
                .append(&event(ashby.id, t(*minute), actor.clone(), action))
                .await
                .unwrap();
        }
        // Noise in another council that every filter must leave out.
        store
            .append(&event(bryn.id, t(3), p.clone(), "person.left"))
            .await
            .unwrap();

        let query = |f: fn(&mut AuditQuery)| {
            let mut q = all();
            f(&mut q);
            q
        };
        let run = |q: AuditQuery| async move { seqs(&store.entries(ashby.id, &q).await.unwrap()) };

        assert_eq!(
            run(all()).await,
            (1..=10).rev().collect::<Vec<_>>(),
            "{engine}: newest first"
        );
        let mut by_actor = all();
        by_actor.actor = Some(p.to_storage());
        assert_eq!(run(by_actor).await, vec![8, 6, 5, 3], "{engine}: actor");
        assert_eq!(
            run(query(|q| q.action_prefix = Some("person.".into()))).await,
            vec![8, 4, 2],
            "{engine}: action prefix"
        );
        assert_eq!(
            run(query(|q| q.action_prefix = Some("signin.failed".into()))).await,
            vec![9, 5],
            "{engine}: a whole action is its own prefix"
        );
        assert_eq!(
            run(query(|q| {
                q.from = Some(t(2));
                q.until = Some(t(6));
            }))
            .await,
            vec![7, 6, 5, 4],
            "{engine}: from is inclusive, until exclusive"
        );
        let mut combined = all();
        combined.actor = Some(p.to_storage());
        combined.action_prefix = Some("signin.".into());
        combined.from = Some(t(2));
        assert_eq!(run(combined).await, vec![5], "{engine}: filters combine");
        assert_eq!(
            run(query(|q| q.limit = 3)).await,
            vec![10, 9, 8],
            "{engine}: limit"
        );
        assert_eq!(
            run(query(|q| {
                q.limit = 3;
                q.before_seq = Some(8);
            }))
            .await,
            vec![7, 6, 5],
            "{engine}: before_seq"
        );
        assert_eq!(
            run(query(|q| q.before_seq = Some(1))).await,
            Vec::<i64>::new(),
            "{engine}: nothing before the first entry"
        );

        // Paging through with before_seq visits every entry once, newest first.
        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let mut q = all();
            q.limit = 4;
            q.before_seq = before;
            let page = run(q).await;
            let Some(last) = page.last().copied() else {
                break;
            };
            pages.push(page);
            before = Some(last);
        }
        assert_eq!(
            pages,
            vec![vec![10, 9, 8, 7], vec![6, 5, 4, 3], vec![2, 1]],
            "{engine}: paging"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn audit_entries_can_be_filtered_by_exact_subject_for_one_records_history() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let p = Actor::Person(clerk.id);
        // seq 1 and 2 are the founding entries.
        for (minute, subject) in [
            (1, "asset:one"),  // 3
            (2, "asset:two"),  // 4
            (3, "asset:one"),  // 5
            (4, "asset:one2"), // 6: not a prefix match
            (5, "ASSET:one"),  // 7: subjects are compared exactly
        ] {
            store
                .append(&event(ashby.id, t(minute), p.clone(), "test.subject").subject(subject))
                .await
                .unwrap();
        }
        store
            .append(&event(bryn.id, t(1), p.clone(), "test.subject").subject("asset:one"))
            .await
            .unwrap();
        let history = |subject: &str, action: Option<&str>| AuditQuery {
            subject: Some(subject.to_owned()),
            action_prefix: action.map(str::to_owned),
            ..all()
        };
        let one = store
            .entries(ashby.id, &history("asset:one", None))
            .await
            .unwrap();
        assert_eq!(
            seqs(&one),
            vec![5, 3],
            "{engine}: newest first, this council only"
        );
        assert!(one.iter().all(|e| e.subject == "asset:one"), "{engine}");
        assert_eq!(
            seqs(
                &store
                    .entries(ashby.id, &history("asset:one", Some("test.")))
                    .await
                    .unwrap()
            ),
            vec![5, 3],
            "{engine}: combines with the action prefix"
        );
        assert_eq!(
            seqs(
                &store
                    .entries(ashby.id, &history("asset:none", None))
                    .await
                    .unwrap()
            ),
            Vec::<i64>::new(),
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_audit_entries() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let before = all_entries(store).await;
        let pool = store.write_pool();

        let update = sqlx::query("UPDATE audit_log SET details = '{}' WHERE council_id = $1")
            .bind(ashby.id.to_string())
            .execute(pool)
            .await;
        let Err(err) = update else {
            panic!("{engine}: UPDATE of audit_log was allowed");
        };
        assert!(
            err.to_string().contains("append-only"),
            "{engine}: the refusal should explain itself, got {err}"
        );

        let delete = sqlx::query("DELETE FROM audit_log WHERE council_id = $1 AND seq = 2")
            .bind(ashby.id.to_string())
            .execute(pool)
            .await;
        let Err(err) = delete else {
            panic!("{engine}: DELETE from audit_log was allowed");
        };
        assert!(err.to_string().contains("append-only"), "{engine}: {err}");

        if store.engine() == Engine::Postgres {
            let truncate = sqlx::raw_sql("TRUNCATE audit_log").execute(pool).await;
            let err = truncate.expect_err("PostgreSQL: TRUNCATE of audit_log was allowed");
            assert!(err.to_string().contains("append-only"), "{engine}: {err}");
        }

        assert_eq!(all_entries(store).await, before, "{engine}");
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn tampering_that_bypasses_the_trigger_is_detected_naming_the_council_and_entry() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        for i in 0..3 {
            store
                .append(&event(ashby.id, t(i), Actor::System, "test.tick").details(json!({"i": i})))
                .await
                .unwrap();
        }
        let pool = store.write_pool();
        let disable = match store.engine() {
            Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
            Engine::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
        };
        sqlx::raw_sql(disable).execute(pool).await.unwrap();
        let done =
            sqlx::query("UPDATE audit_log SET details = $1 WHERE council_id = $2 AND seq = $3")
                .bind(r#"{"i":99}"#)
                .bind(ashby.id.to_string())
                .bind(4_i64)
                .execute(pool)
                .await
                .unwrap();
        assert_eq!(done.rows_affected(), 1, "{engine}");

        let report = verify(store).await;
        assert_eq!(
            report.broken,
            vec![BrokenEntry {
                council_id: ashby.id,
                seq: 4,
                reason: ChainBreak::Altered
            }],
            "{engine}: the verifier must name the altered entry"
        );
        assert_eq!(
            report
                .heads
                .iter()
                .map(|h| h.council_id)
                .collect::<Vec<_>>(),
            vec![bryn.id],
            "{engine}: the untouched council still verifies"
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_to_one_council_produce_a_gap_free_verified_chain() {
    const TASKS: i64 = 20;
    const EACH: i64 = 5;
    for db in engines().await {
        let engine = db.engine;
        let (ashby, _) = found(&db.store, "Ashby Parish Council", "clerk@a.example").await;
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..EACH {
                    store
                        .append(
                            &event(ashby.id, t(n), Actor::System, "test.concurrent")
                                .details(json!({"task": task, "n": n})),
                        )
                        .await
                        .unwrap_or_else(|e| panic!("{engine}: task {task} append {n}: {e}"));
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let entries = all_entries(&db.store).await;
        assert_eq!(
            seqs(&entries),
            (1..=2 + TASKS * EACH).collect::<Vec<_>>(),
            "{engine}: no gaps, no repeats"
        );
        let report = verify(&db.store).await;
        assert!(report.is_intact(), "{engine}: {:?}", report.broken);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_to_one_council_neither_deadlock_nor_break_the_chain() {
    // Each change inserts a row referring to the council (which on PostgreSQL takes a key-share
    // lock on the council's row) before appending its audit entry (which locks the same row to
    // serialise the chain). The two locks must not conflict, or concurrent changes deadlock.
    const TASKS: usize = 10;
    const EACH: usize = 3;
    for db in engines().await {
        let engine = db.engine;
        let (ashby, clerk) = found(&db.store, "Ashby Parish Council", "clerk@a.example").await;
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..EACH {
                    let (person, added) = new_person(
                        ashby.id,
                        &format!("Person {task} {n}"),
                        &format!("p{task}-{n}@a.example"),
                        t(1),
                    );
                    store
                        .insert_person(&person, &added)
                        .await
                        .unwrap_or_else(|e| panic!("{engine}: task {task} person {n}: {e}"));
                    let (incident, opened) = open_incident(
                        ashby.id,
                        IncidentId::generate(),
                        IncidentReport {
                            kind: IncidentKind::Other,
                            summary: format!("incident {task} {n}"),
                            happened_at: None,
                        },
                        Actor::Person(clerk.id),
                        t(2),
                    )
                    .unwrap();
                    store
                        .insert_incident(&incident, &opened)
                        .await
                        .unwrap_or_else(|e| panic!("{engine}: task {task} incident {n}: {e}"));
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            db.store.people(ashby.id).await.unwrap().len(),
            1 + TASKS * EACH,
            "{engine}"
        );
        let entries = all_entries(&db.store).await;
        assert_eq!(
            seqs(&entries),
            (1..=(2 + 2 * TASKS * EACH) as i64).collect::<Vec<_>>(),
            "{engine}"
        );
        assert!(verify(&db.store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}
