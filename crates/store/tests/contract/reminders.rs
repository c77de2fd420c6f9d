//! Contract cases: calendar feeds — one live feed per person, a new one revokes the old in the
//! same transaction, revoking is audited, a revoked or unknown token finds nothing, another
//! council's person cannot be given a feed; and the reminder records are the council's own.

use super::assets::{new_item, register};
use super::*;
use custodian_core::asset::Category;
use custodian_core::ports::{CalendarFeed, CalendarFeedStore, ReminderStore};
use custodian_core::reminder::WarrantyEnd;

fn feed(person: &Person, at: Timestamp) -> (CalendarFeed, AuditEvent) {
    let feed = CalendarFeed {
        council_id: person.council_id,
        person_id: person.id,
        token_hash: random_hex(),
        created_at: at,
        revoked_at: None,
    };
    let made = event(
        person.council_id,
        at,
        Actor::Person(person.id),
        "calendar.feed_created",
    )
    .subject(format!("person:{}", person.id));
    (feed, made)
}

/// The sample's feeds: one replaced (so revoked), one live.
pub(super) async fn sample_feeds(store: &Store, person: &Person) {
    for at in [t(40), t(41)] {
        let (made, event) = feed(person, at);
        store.replace_calendar_feed(&made, &event).await.unwrap();
    }
}

#[tokio::test]
async fn a_new_feed_revokes_the_old_and_a_revoked_token_finds_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        assert_eq!(
            store.calendar_feed_of(ashby.id, clerk.id).await.unwrap(),
            None
        );

        let (first, made) = feed(&clerk, t(2));
        store.replace_calendar_feed(&first, &made).await.unwrap();
        assert_eq!(
            store.live_calendar_feed(&first.token_hash).await.unwrap(),
            Some(first.clone()),
            "{engine}"
        );
        let (second, made) = feed(&clerk, t(3));
        store.replace_calendar_feed(&second, &made).await.unwrap();
        assert_eq!(
            store.live_calendar_feed(&first.token_hash).await.unwrap(),
            None,
            "{engine}: the old feed is revoked"
        );
        assert_eq!(
            store.calendar_feed_of(ashby.id, clerk.id).await.unwrap(),
            Some(second.clone()),
            "{engine}"
        );

        let revoked = event(
            ashby.id,
            t(4),
            Actor::Person(clerk.id),
            "calendar.feed_revoked",
        );
        store
            .revoke_calendar_feed(ashby.id, clerk.id, t(4), &revoked)
            .await
            .unwrap();
        assert_eq!(
            store.live_calendar_feed(&second.token_hash).await.unwrap(),
            None
        );
        assert!(matches!(
            store
                .revoke_calendar_feed(ashby.id, clerk.id, t(5), &revoked)
                .await,
            Err(StoreError::NotFound("calendar feed"))
        ));
        let actions: Vec<String> = all_entries(store)
            .await
            .into_iter()
            .filter(|e| e.council_id == ashby.id)
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions
                .iter()
                .filter(|a| a.starts_with("calendar."))
                .count(),
            3,
            "{engine}: {actions:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn another_councils_person_cannot_be_given_a_feed_or_revoked() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, bryn_clerk) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let laptop = register(store, ashby.id, new_item("ASH/1", Category::Laptop), t(1)).await;
        register(store, bryn.id, new_item("BRY/1", Category::Laptop), t(1)).await;
        let (mut stray, _) = feed(&bryn_clerk, t(2));
        stray.council_id = ashby.id;
        let made = event(ashby.id, t(2), Actor::System, "calendar.feed_created");
        assert!(
            matches!(
                store.replace_calendar_feed(&stray, &made).await,
                Err(StoreError::NotFound("person"))
            ),
            "{engine}"
        );
        let revoked = event(ashby.id, t(3), Actor::System, "calendar.feed_revoked");
        assert!(matches!(
            store
                .revoke_calendar_feed(ashby.id, bryn_clerk.id, t(3), &revoked)
                .await,
            Err(StoreError::NotFound(_))
        ));
        let records = store.reminder_records(ashby.id).await.unwrap();
        assert!(records.people.iter().all(|p| p.council_id == ashby.id));
        assert!(!records.people.iter().any(|p| p.id == bryn_clerk.id));
        // Only this council's register, as warranty dates; the whole register is not read
        // while no leaving checklist is open.
        assert_eq!(
            records.warranties,
            vec![WarrantyEnd::of(&laptop).unwrap()],
            "{engine}"
        );
        assert!(records.assets.is_empty(), "{engine}");
        db.finish().await;
    }
}
