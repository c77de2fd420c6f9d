//! Contract cases: custody of registered items — acknowledgement, loss reports and their
//! evidence.

use super::assets::{acknowledge_all, entry_count, issue_to, new_item, new_phone, query, register};
use super::*;
use custodian_core::asset::{Category, LossKind, LossReport, issue, report_loss, return_to_store};
use custodian_core::ports::{AssetStore, AssetStoreError};

#[tokio::test]
async fn issuing_acknowledging_and_reporting_a_loss_stores_the_incident_and_both_audit_entries_together()
 {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let ada = add(store, ashby.id, "Ada Lovelace", "ada@ashby.example").await;
        let phone = register(store, ashby.id, new_phone("ABC-1", clerk.id), t(1)).await;
        let laptop = register(store, ashby.id, new_item("ABC-2", Category::Laptop), t(1)).await;
        let phone = issue_to(store, &phone, &ada, t(2)).await;
        let laptop = issue_to(store, &laptop, &ada, t(2)).await;

        // One acknowledgement covers both items.
        let done = acknowledge_all(store, &[phone.clone(), laptop.clone()], &ada, t(3)).await;
        for item in &done {
            assert_eq!(
                store.asset(ashby.id, item.asset.id).await.unwrap(),
                item.asset,
                "{engine}"
            );
            assert_eq!(
                store
                    .acknowledgements(ashby.id, item.asset.id)
                    .await
                    .unwrap(),
                std::slice::from_ref(&item.acknowledgement),
                "{engine}"
            );
        }
        // The same acknowledgement again is refused and changes nothing.
        let entries = entry_count(store).await;
        assert!(
            matches!(
                store.record_acknowledgements(&done).await,
                Err(AssetStoreError::NotAwaitingAcknowledgement { ref number }) if number == "ABC-1"
            ),
            "{engine}"
        );
        assert_eq!(entry_count(store).await, entries, "{engine}");

        let phone = done[0].asset.clone();
        let report = |kind| LossReport {
            kind,
            reporter: ada.id,
            reporter_may_report_any: false,
            summary: "Left on the 7:15 train".into(),
            happened_at: Some(t(4)),
        };
        let profile = PolicyProfile::model_defaults();
        let loss = report_loss(
            &phone,
            report(LossKind::Lost),
            IncidentId::generate(),
            &profile,
            t(5),
        )
        .unwrap();
        store.record_loss(&loss).await.unwrap();
        assert_eq!(
            store.asset(ashby.id, phone.id).await.unwrap(),
            loss.asset,
            "{engine}"
        );
        assert_eq!(
            store.incident(ashby.id, loss.incident.id).await.unwrap(),
            loss.incident,
            "{engine}"
        );
        let entries = all_entries(store).await;
        let last: Vec<&str> = entries[entries.len() - 2..]
            .iter()
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(last, ["asset.reported_lost", "incident.opened"], "{engine}");
        assert!(verify(store).await.is_intact(), "{engine}");

        // A loss whose incident cannot be stored (its id is taken) leaves the item as it was
        // and adds no audit entry.
        let laptop = done[1].asset.clone();
        let mut clash = report_loss(
            &laptop,
            report(LossKind::Damaged),
            IncidentId::generate(),
            &profile,
            t(6),
        )
        .unwrap();
        clash.incident.id = loss.incident.id;
        let before = entry_count(store).await;
        assert!(store.record_loss(&clash).await.is_err(), "{engine}");
        assert_eq!(
            store.asset(ashby.id, laptop.id).await.unwrap(),
            laptop,
            "{engine}"
        );
        assert_eq!(entry_count(store).await, before, "{engine}");
        assert_eq!(
            store.incidents(ashby.id).await.unwrap().len(),
            1,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_change_made_from_a_stale_read_is_refused_and_stores_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@bryn.example").await;
        let ada = add(store, ashby.id, "Ada Lovelace", "ada@ashby.example").await;
        let read = register(store, ashby.id, new_item("ABC-1", Category::Laptop), t(1)).await;

        // Two people open the item; the first issues it to Ada.
        let (to_ada, event) = issue(&read, &ada, Actor::Person(clerk.id), t(2)).unwrap();
        store
            .update_asset_if_unchanged(&read, &to_ada, &event)
            .await
            .unwrap();
        assert_eq!(
            store.asset(ashby.id, read.id).await.unwrap(),
            to_ada,
            "{engine}"
        );

        // The second, still holding the old read, issues it to the Clerk: refused.
        let entries = entry_count(store).await;
        let (to_clerk, event) = issue(&read, &clerk, Actor::Person(clerk.id), t(3)).unwrap();
        assert!(
            matches!(
                store.update_asset_if_unchanged(&read, &to_clerk, &event).await,
                Err(AssetStoreError::ChangedSinceRead { ref number }) if number == "ABC-1"
            ),
            "{engine}"
        );
        assert_eq!(
            store.asset(ashby.id, read.id).await.unwrap(),
            to_ada,
            "{engine}"
        );
        assert_eq!(
            entry_count(store).await,
            entries,
            "{engine}: no audit entry"
        );

        // Another council cannot change it through this path either.
        let mut foreign = to_ada.clone();
        foreign.council_id = bryn.id;
        let (returned, event) = return_to_store(&foreign, Actor::Operator, t(4)).unwrap();
        assert!(
            matches!(
                store
                    .update_asset_if_unchanged(&foreign, &returned, &event)
                    .await,
                Err(AssetStoreError::Store(StoreError::NotFound("asset")))
            ),
            "{engine}"
        );
        assert_eq!(entry_count(store).await, entries, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn acknowledgements_cannot_be_changed_or_removed_even_with_raw_sql() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let laptop = register(store, ashby.id, new_item("ABC-1", Category::Laptop), t(1)).await;
        let laptop = issue_to(store, &laptop, &clerk, t(2)).await;
        acknowledge_all(store, &[laptop], &clerk, t(3)).await;
        let before = export(store).await;
        let pool = store.write_pool();

        for sql in [
            "UPDATE asset_acknowledgements SET typed_name = 'Someone else' WHERE council_id = $1",
            "DELETE FROM asset_acknowledgements WHERE council_id = $1",
        ] {
            let result = sqlx::query(sql)
                .bind(ashby.id.to_string())
                .execute(pool)
                .await;
            let err = result.expect_err(&format!("{engine}: allowed: {sql}"));
            assert!(err.to_string().contains("evidence"), "{engine}: {err}");
        }
        if store.engine() == Engine::Postgres {
            let err = sqlx::raw_sql("TRUNCATE asset_acknowledgements")
                .execute(pool)
                .await
                .expect_err("PostgreSQL: TRUNCATE of acknowledgements was allowed");
            assert!(err.to_string().contains("evidence"), "{engine}: {err}");
        }
        assert_eq!(export(store).await, before, "{engine}: nothing changed");
        db.finish().await;
    }
}

#[tokio::test]
async fn an_export_and_import_keeps_every_item_and_acknowledgement() {
    for db in engines().await {
        let engine = db.engine;
        build_sample(&db.store).await;
        let ashby = db
            .store
            .councils()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.name.as_str() == "Ashby Parish Council")
            .unwrap();
        let register = db.store.assets(ashby.id, &query()).await.unwrap();
        assert_eq!(register.total, 2, "{engine}");
        let mut acknowledgements = Vec::new();
        for asset in &register.assets {
            acknowledgements.push(db.store.acknowledgements(ashby.id, asset.id).await.unwrap());
        }
        assert_eq!(acknowledgements.iter().flatten().count(), 1, "{engine}");

        let copy = Backend::Sqlite.fresh().await;
        import(&copy.store, &export(&db.store).await)
            .await
            .unwrap_or_else(|e| panic!("{engine} → SQLite: {e}"));
        assert_eq!(
            copy.store.assets(ashby.id, &query()).await.unwrap(),
            register
        );
        for (asset, expected) in register.assets.iter().zip(&acknowledgements) {
            assert_eq!(
                &copy
                    .store
                    .acknowledgements(ashby.id, asset.id)
                    .await
                    .unwrap(),
                expected,
                "{engine} → SQLite"
            );
        }
        assert!(verify(&copy.store).await.is_intact());
        copy.finish().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn the_home_page_counts_items_with_leavers_and_items_awaiting_acknowledgement() {
    use custodian_core::ports::DashboardStore;
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@bryn.example").await;
        let ada = add(store, ashby.id, "Ada Lovelace", "ada@ashby.example").await;
        let mut lee = add(store, ashby.id, "Lee Ver", "lee@ashby.example").await;
        let one = register(store, ashby.id, new_item("ABC-1", Category::Laptop), t(1)).await;
        let two = register(store, ashby.id, new_item("ABC-2", Category::Laptop), t(1)).await;
        let three = register(store, ashby.id, new_item("ABC-3", Category::Laptop), t(1)).await;
        register(store, ashby.id, new_item("ABC-4", Category::Laptop), t(1)).await;
        let one = issue_to(store, &one, &ada, t(2)).await;
        issue_to(store, &two, &ada, t(2)).await;
        let three = issue_to(store, &three, &lee, t(2)).await;
        acknowledge_all(store, &[one], &ada, t(3)).await;
        acknowledge_all(store, &[three], &lee, t(3)).await;
        lee.status = PersonStatus::Left;
        lee.leave_date = Some("2026-03-31".parse().unwrap());
        store
            .update_person(&lee, &event(ashby.id, t(4), Actor::Operator, "person.left"))
            .await
            .unwrap();

        let counts = store.attention_counts(ashby.id).await.unwrap();
        // Lee's acknowledged laptop is still with a leaver; Ada's second is unacknowledged.
        assert_eq!(
            (counts.items_with_leavers, counts.unacknowledged_items),
            (1, 1),
            "{engine}"
        );
        assert_eq!(
            store
                .holders_awaiting_acknowledgement(ashby.id)
                .await
                .unwrap(),
            vec![ada.id],
            "{engine}"
        );
        let other = store.attention_counts(bryn.id).await.unwrap();
        assert_eq!(
            (other.items_with_leavers, other.unacknowledged_items),
            (0, 0),
            "{engine}"
        );
        assert!(
            store
                .holders_awaiting_acknowledgement(bryn.id)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
    }
}

#[tokio::test]
async fn a_loss_reported_about_an_item_that_has_since_changed_is_refused_and_stores_nothing() {
    use custodian_core::asset::return_to_store;
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let ada = add(store, ashby.id, "Ada Lovelace", "ada@ashby.example").await;
        let phone = register(store, ashby.id, new_phone("ABC-1", clerk.id), t(1)).await;
        let phone = issue_to(store, &phone, &ada, t(2)).await;
        // Ada reports the phone lost from the page she opened; meanwhile the Clerk returned it.
        let loss = report_loss(
            &phone,
            LossReport {
                kind: LossKind::Lost,
                reporter: ada.id,
                reporter_may_report_any: false,
                summary: "Left on the bus".into(),
                happened_at: Some(t(3)),
            },
            IncidentId::generate(),
            &PolicyProfile::model_defaults(),
            t(4),
        )
        .unwrap();
        let (returned, event) = return_to_store(&phone, Actor::Person(clerk.id), t(3)).unwrap();
        store.update_asset(&returned, &event).await.unwrap();
        let entries = entry_count(store).await;

        assert!(
            matches!(
                store.record_loss(&loss).await,
                Err(AssetStoreError::ChangedSinceRead { ref number }) if number == "ABC-1"
            ),
            "{engine}"
        );
        assert_eq!(
            store.asset(ashby.id, phone.id).await.unwrap(),
            returned,
            "{engine}"
        );
        assert!(
            matches!(
                store.incident(ashby.id, loss.incident.id).await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}"
        );
        assert_eq!(entry_count(store).await, entries, "{engine}");
    }
}
