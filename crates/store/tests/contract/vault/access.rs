//! Contract cases: the vault's time-limited access requests and emergency openings, stored
//! with their notifications and audit entry, each change guarded by revision.

use super::*;
use custodian_core::ids::EmergencyId;
use custodian_core::vault::{EmergencyAccess, GrantDecision};

#[tokio::test]
async fn access_requests_round_trip_and_are_guarded_by_revision() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let provider = add(store, ashby.id, "Ivo Provider", "it@a.example").await;
        let website = store_item(store, &clerk, "Website", vec![]).await;
        let banking = store_item(store, &clerk, "Banking", vec![]).await;

        let ask = |hours: u8, at: Timestamp| {
            AccessGrant::request(
                AccessGrantId::generate(),
                ashby.id,
                provider.id,
                vec![website.id, banking.id],
                "Renewing the SSL certificate",
                hours,
                at,
            )
            .unwrap()
        };
        let asked = event(
            ashby.id,
            t(50),
            Actor::Person(provider.id),
            "vault.access_requested",
        );
        let first = ask(4, t(50));
        store
            .insert_grant(
                &first,
                &[note(&clerk, "Ivo asks for access", t(50))],
                &asked,
            )
            .await
            .unwrap();
        let second = ask(2, t(51));
        store.insert_grant(&second, &[], &asked).await.unwrap();
        assert_eq!(
            store.grants(ashby.id).await.unwrap(),
            vec![second.clone(), first.clone()],
            "{engine}: newest first, with its items"
        );
        assert_eq!(
            store.notifications(ashby.id, clerk.id).await.unwrap().len(),
            1
        );

        let mut approved = first.clone();
        approved
            .approve(
                clerk.id,
                RoleSet::of(&[Role::Clerk]),
                &[website.clone(), banking.clone()],
                t(52),
            )
            .unwrap();
        let decided = event(
            ashby.id,
            t(52),
            Actor::Person(clerk.id),
            "vault.access_approved",
        );
        store.save_grant(&approved, &[], &decided).await.unwrap();

        let mut declined_late = first.clone();
        declined_late.decline(clerk.id, "Not today", t(53)).unwrap();
        let before = entry_total(store).await;
        let err = store
            .save_grant(&declined_late, &[], &decided)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{engine}: {err:?}");
        assert_eq!(entry_total(store).await, before, "{engine}");

        let mut ended = approved.clone();
        ended.end(provider.id, t(54)).unwrap();
        store.save_grant(&ended, &[], &decided).await.unwrap();
        let mut declined = second.clone();
        declined
            .decline(clerk.id, "Ask the Clerk \"first\";\nthanks", t(55))
            .unwrap();
        store.save_grant(&declined, &[], &decided).await.unwrap();
        assert_eq!(
            store.grants(ashby.id).await.unwrap(),
            vec![declined, ended.clone()],
            "{engine}"
        );
        assert!(matches!(ended.decision, GrantDecision::Ended { .. }));

        // Approved and read back with its end time.
        let third = ask(1, t(56));
        store.insert_grant(&third, &[], &asked).await.unwrap();
        let mut open = third.clone();
        open.approve(
            clerk.id,
            RoleSet::of(&[Role::Clerk]),
            &[website.clone(), banking.clone()],
            t(57),
        )
        .unwrap();
        store.save_grant(&open, &[], &decided).await.unwrap();
        assert_eq!(store.grants(ashby.id).await.unwrap()[0], open, "{engine}");

        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        assert!(store.grants(bryn.id).await.unwrap().is_empty(), "{engine}");
        let mut moved = open.clone();
        moved.council_id = bryn.id;
        moved.revision += 1;
        let moved_event = event(bryn.id, t(58), Actor::Operator, "vault.access_ended");
        let err = store
            .save_grant(&moved, &[], &moved_event)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound(_)),
            "{engine}: another council's request: {err:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn emergencies_round_trip_and_are_guarded_by_revision() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let chair = add(store, ashby.id, "Cora Chair", "chair@a.example").await;
        let holders = RoleSet::of(&[Role::Clerk]);

        let opened = EmergencyAccess::open(
            EmergencyId::generate(),
            ashby.id,
            chair.id,
            "The Clerk is in hospital and the website is down",
            24,
            t(60),
        )
        .unwrap();
        let opened_event = event(
            ashby.id,
            t(60),
            Actor::Person(chair.id),
            "vault.emergency_opened",
        );
        store
            .insert_emergency(
                &opened,
                &[note(&clerk, "Emergency access opened", t(60))],
                &opened_event,
            )
            .await
            .unwrap();
        assert_eq!(
            store.emergencies(ashby.id).await.unwrap(),
            vec![opened.clone()],
            "{engine}"
        );

        let mut objected = opened.clone();
        objected
            .object(clerk.id, holders, "I am home now", t(61))
            .unwrap();
        let objected_event = event(
            ashby.id,
            t(61),
            Actor::Person(clerk.id),
            "vault.emergency_objected",
        );
        store
            .save_emergency(
                &objected,
                &[note(&chair, "The Clerk objected", t(61))],
                &objected_event,
            )
            .await
            .unwrap();

        let mut agreed_late = opened.clone();
        agreed_late.approve(clerk.id, holders, t(62)).unwrap();
        let before = entry_total(store).await;
        let err = store
            .save_emergency(&agreed_late, &[], &objected_event)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{engine}: {err:?}");
        assert_eq!(entry_total(store).await, before, "{engine}");

        let second = EmergencyAccess::open(
            EmergencyId::generate(),
            ashby.id,
            chair.id,
            "Locked out again",
            24,
            t(70),
        )
        .unwrap();
        store
            .insert_emergency(&second, &[], &opened_event)
            .await
            .unwrap();
        let mut agreed = second.clone();
        agreed.approve(clerk.id, holders, t(70)).unwrap();
        store
            .save_emergency(&agreed, &[], &opened_event)
            .await
            .unwrap();
        let mut closed = agreed.clone();
        closed
            .close(chair.id, RoleSet::of(&[Role::Chair]), t(71))
            .unwrap();
        store
            .save_emergency(&closed, &[], &opened_event)
            .await
            .unwrap();
        assert_eq!(
            store.emergencies(ashby.id).await.unwrap(),
            vec![closed, objected],
            "{engine}: newest first"
        );
        db.finish().await;
    }
}
