//! Contract cases: reveals recorded at the same moment share durable commits (group commit)
//! without losing or misplacing any, and one that cannot be stored fails alone.

use super::*;

#[tokio::test]
async fn reveals_recorded_at_the_same_moment_are_all_committed_in_one_unbroken_chain() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (brill, brill_clerk) = found(store, "Brill Parish Council", "clerk@b.example").await;
        let website = store_item(store, &clerk, "website", vec![]).await;
        let brill_item = store_item(store, &brill_clerk, "banking", vec![]).await;
        let before = entry_total(store).await;
        let (changes, records) = (store.change_count(), store.records_change_count());
        // Thirty-two reveals at once, in two councils: the store may share commits among them
        // (group commit), but each must be committed, in its council's chain, before it returns.
        let reveal = |item: &VaultItem, by: &Person, n: i64| {
            item_event(
                item,
                t(20 + n),
                Actor::Person(by.id),
                "vault.revealed",
                json!({ "field": "password", "reason": format!("reveal {n}") }),
            )
        };
        let calls = (0..32).map(|n| {
            let (item, by, council) = if n % 2 == 0 {
                (&website, &clerk, ashby.id)
            } else {
                (&brill_item, &brill_clerk, brill.id)
            };
            let event = reveal(item, by, n);
            async move {
                store
                    .change_vault(
                        council,
                        &VaultChange {
                            events: std::slice::from_ref(&event),
                            ..VaultChange::default()
                        },
                    )
                    .await
            }
        });
        let results = futures_util::future::join_all(calls).await;
        assert!(results.iter().all(Result::is_ok), "{engine}: {results:?}");
        assert_eq!(entry_total(store).await, before + 32, "{engine}");
        assert_eq!(history(store, &website).await.len(), 1 + 16, "{engine}");
        // Caches of the audit log see the reveals; caches of people and sessions need not.
        assert!(store.change_count() > changes, "{engine}");
        assert_eq!(store.records_change_count(), records, "{engine}");
        assert!(verify(store).await.is_intact(), "{engine}");

        // One caller's entry that cannot be stored (its council does not exist, which only the
        // write finds out) fails alone; the others, queued in the same batch behind the first
        // caller's commit, are still committed.
        let ghost = CouncilId::generate();
        let calls = (0..8).map(|n| {
            let (event, council) = if n == 3 {
                (
                    AuditEvent::new(ghost, t(99), Actor::Operator, "vault.revealed"),
                    ghost,
                )
            } else {
                (reveal(&website, &clerk, 100 + n), ashby.id)
            };
            async move {
                store
                    .change_vault(
                        council,
                        &VaultChange {
                            events: std::slice::from_ref(&event),
                            ..VaultChange::default()
                        },
                    )
                    .await
            }
        });
        let results = futures_util::future::join_all(calls).await;
        for (n, result) in results.iter().enumerate() {
            assert_eq!(result.is_err(), n == 3, "{engine}: call {n}: {result:?}");
        }
        assert_eq!(entry_total(store).await, before + 32 + 7, "{engine}");
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}
