//! Contract cases: upload keys — kept as hashes, found only while live, revoked once, and out of
//! reach of another council; each change audited.

use super::*;
use custodian_core::ids::MonitorUploadKeyId;
use custodian_core::ports::{MonitorKeyStore, MonitorUploadKey, StoreError};

fn key(council: CouncilId, by: PersonId, name: &str, at: Timestamp) -> MonitorUploadKey {
    MonitorUploadKey {
        id: MonitorUploadKeyId::generate(),
        council_id: council,
        name: name.to_owned(),
        key_hash: random_hex(),
        created_at: at,
        created_by: by,
        last_used_at: None,
        revoked_at: None,
    }
}

/// A live key for the export sample, with awkward text in its name.
pub(super) async fn sample_key(store: &Store, person: &Person) {
    let council = person.council_id;
    let made = key(council, person.id, "Pi-hole \"office\" — Zoë", t(73));
    store
        .insert_monitor_key(
            &made,
            &event(council, t(73), Actor::Operator, "monitor.key.created"),
        )
        .await
        .unwrap();
    store
        .touch_monitor_key(council, made.id, t(74))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_upload_key_is_found_by_its_hash_until_it_is_revoked_once() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (brook, brook_clerk) = found(store, "Brook Town Council", "clerk@brook.example").await;
        let first = key(ashby.id, clerk.id, "Squid", t(1));
        let second = key(ashby.id, clerk.id, "Pi-hole", t(2));
        for made in [&first, &second] {
            store
                .insert_monitor_key(
                    made,
                    &event(
                        ashby.id,
                        made.created_at,
                        Actor::Operator,
                        "monitor.key.created",
                    ),
                )
                .await
                .unwrap();
        }
        let listed = store.monitor_keys(ashby.id).await.unwrap();
        assert_eq!(listed, vec![second.clone(), first.clone()], "{engine}");
        assert!(store.monitor_keys(brook.id).await.unwrap().is_empty());
        let live = store.live_monitor_key(&first.key_hash).await.unwrap();
        assert_eq!(live.as_ref(), Some(&first), "{engine}");

        store
            .touch_monitor_key(ashby.id, first.id, t(5))
            .await
            .unwrap();
        let used = store
            .live_monitor_key(&first.key_hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(used.last_used_at, Some(t(5)), "{engine}");

        // Another council can neither revoke it nor make a key in its name.
        let refused = store
            .revoke_monitor_key(
                brook.id,
                first.id,
                t(6),
                &event(brook.id, t(6), Actor::Operator, "monitor.key.revoked"),
            )
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound(_))), "{engine}");
        let stranger = key(ashby.id, brook_clerk.id, "Stranger", t(6));
        let refused = store
            .insert_monitor_key(
                &stranger,
                &event(ashby.id, t(6), Actor::Operator, "monitor.key.created"),
            )
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound(_))), "{engine}");

        let revoke = event(ashby.id, t(7), Actor::Operator, "monitor.key.revoked");
        store
            .revoke_monitor_key(ashby.id, first.id, t(7), &revoke)
            .await
            .unwrap();
        assert!(
            store
                .live_monitor_key(&first.key_hash)
                .await
                .unwrap()
                .is_none()
        );
        let again = store
            .revoke_monitor_key(ashby.id, first.id, t(8), &revoke)
            .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{engine}");
        let listed = store.monitor_keys(ashby.id).await.unwrap();
        assert_eq!(listed[1].revoked_at, Some(t(7)), "{engine}");

        let actions: Vec<String> = store
            .entries(ashby.id, &all())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("monitor.key."))
            .collect();
        assert_eq!(
            actions,
            [
                "monitor.key.revoked",
                "monitor.key.created",
                "monitor.key.created"
            ],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}
