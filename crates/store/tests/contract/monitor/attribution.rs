//! Contract cases: monitoring attribution — through user names, addresses valid from a date
//! and devices in the register; records stored before an identity attributed when it is
//! added; and the Clerk's correction.

use super::*;

#[tokio::test]
async fn attribution_follows_user_names_dated_addresses_and_devices() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let pat = add(store, council.id, "Pat Jones", "pat@ashby.example").await;
        let sam = add(store, council.id, "Sam Smith", "sam@ashby.example").await;
        let laptop = devices::request(store, &sam, "Sam's laptop", t(3)).await;
        let address = IdentityKind::Address;
        // 10.0.0.5 is Pat's only from day 3; 10.0.0.6 was Pat's, then Sam's laptop's from day 3.
        let ids = [
            identity(
                council.id,
                address,
                "10.0.0.5",
                IdentityTarget::Person(pat.id),
                day(3),
            ),
            identity(
                council.id,
                address,
                "10.0.0.6",
                IdentityTarget::Person(pat.id),
                day(0),
            ),
            identity(
                council.id,
                address,
                "10.0.0.6",
                IdentityTarget::Device(laptop.id),
                day(3),
            ),
            identity(
                council.id,
                address,
                "LAPTOP-7",
                IdentityTarget::Device(laptop.id),
                day(0),
            ),
        ];
        for id in &ids {
            add_identity(store, id).await;
        }
        let groups: Vec<Group> = [2, 3]
            .into_iter()
            .flat_map(|d| {
                ["10.0.0.5", "10.0.0.6", "laptop-7"]
                    .map(|a| group(client(a), day(d), "example.org", 9, 1, 10))
            })
            .collect();
        ingest(store, council.id, "addresses", &groups).await;

        let sites_of = |records: Vec<custodian_core::ports::DailyRecord>| {
            records.into_iter().map(|r| r.key).collect::<Vec<_>>()
        };
        let pat_day2 = sites_of(store.person_day(council.id, pat.id, day(2)).await.unwrap());
        assert_eq!(
            pat_day2,
            vec![client("10.0.0.6")],
            "{engine}: 10.0.0.5 not yet Pat's"
        );
        let pat_day3 = sites_of(store.person_day(council.id, pat.id, day(3)).await.unwrap());
        assert_eq!(pat_day3, vec![client("10.0.0.5")], "{engine}");
        let sam_day2 = sites_of(store.person_day(council.id, sam.id, day(2)).await.unwrap());
        assert_eq!(
            sam_day2,
            vec![client("laptop-7")],
            "{engine}: through the device"
        );
        let mut sam_day3 = sites_of(store.person_day(council.id, sam.id, day(3)).await.unwrap());
        sam_day3.sort();
        assert_eq!(
            sam_day3,
            vec![client("10.0.0.6"), client("laptop-7")],
            "{engine}"
        );
        let unattributed = store
            .unattributed(council.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!(unattributed.len(), 1, "{engine}: {unattributed:?}");
        assert_eq!(unattributed[0].key, client("10.0.0.5"), "{engine}");
        assert_eq!(
            (unattributed[0].first_day, unattributed[0].days),
            (day(2), 1)
        );
        assert_eq!(
            store.identities(council.id).await.unwrap().len(),
            4,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn an_identity_added_later_attributes_records_already_stored_and_can_be_corrected() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let pat = add(store, council.id, "Pat Jones", "pat@ashby.example").await;
        let sam = add(store, council.id, "Sam Smith", "sam@ashby.example").await;
        let groups = [
            group(user("JSmith"), day(1), "example.org", 9, 2, 20),
            group(user("JSmith"), day(2), "news.example", 9, 3, 30),
            group(user("JSmith"), day(3), "news.example", 9, 3, 30),
        ];
        ingest(store, council.id, "before the identity", &groups).await;
        let waiting = store
            .unattributed(council.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!(
            (waiting.len(), waiting[0].days, waiting[0].hits),
            (1, 3, 8),
            "{engine}"
        );

        let target = IdentityTarget::Person(pat.id);
        let jsmith = identity(council.id, IdentityKind::User, "jsmith", target, day(2));
        assert_eq!(
            add_identity(store, &jsmith).await,
            2,
            "{engine}: days 2 and 3 only"
        );
        assert_eq!(
            store
                .person_day(council.id, pat.id, day(2))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            store
                .person_day(council.id, pat.id, day(1))
                .await
                .unwrap()
                .is_empty()
        );
        let access = store
            .subject_access(council.id, pat.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!(
            access.raw.len(),
            2,
            "{engine}: raw lines follow their records"
        );

        // The Clerk corrects day 3: it was Sam on Pat's sign-in.
        let corrected = store
            .reattribute(
                council.id,
                &user("JSmith"),
                day(3),
                day(3),
                Some(sam.id),
                |r| {
                    event(council.id, t(80), Actor::Operator, "monitor.corrected")
                        .details(json!({"records": r.records, "raw_chunks": r.raw_chunks}))
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (corrected.days, corrected.records, corrected.raw_chunks),
            (1, 1, 1)
        );
        assert_eq!(
            store
                .person_day(council.id, sam.id, day(3))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            store
                .person_day(council.id, pat.id, day(3))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            count_actions(store, council.id, "monitor.identity.added").await,
            1
        );
        assert_eq!(
            count_actions(store, council.id, "monitor.corrected").await,
            1
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn ending_an_identity_leaves_later_days_to_other_rules_or_no_one() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (other, _) = found(store, "Brook Town Council", "clerk@brook.example").await;
        let pat = add(store, council.id, "Pat Jones", "pat@ashby.example").await;
        let sam = add(store, council.id, "Sam Smith", "sam@ashby.example").await;
        let groups: Vec<Group> = (1..=4)
            .map(|d| group(user("JSmith"), day(d), "example.org", 9, 2, 20))
            .collect();
        ingest(store, council.id, "four days", &groups).await;
        let pats = identity(
            council.id,
            IdentityKind::User,
            "jsmith",
            IdentityTarget::Person(pat.id),
            day(0),
        );
        assert_eq!(add_identity(store, &pats).await, 4, "{engine}");
        let end = |id, last| {
            store.end_identity(
                council.id,
                id,
                last,
                move |r: &custodian_core::ports::Reattributed| {
                    event(council.id, t(70), Actor::Operator, "monitor.identity.ended")
                        .details(json!({"records": r.records, "last_day": last.0}))
                },
            )
        };

        // Pat left after day 2: days 3 and 4 are no one's.
        let ended = end(pats.id, day(2)).await.unwrap();
        assert_eq!(
            (ended.days, ended.records, ended.raw_chunks),
            (2, 2, 2),
            "{engine}"
        );
        let waiting = store
            .unattributed(council.id, day(0), day(9))
            .await
            .unwrap();
        assert_eq!(waiting.len(), 1, "{engine}");
        assert_eq!(
            (waiting[0].first_day, waiting[0].days),
            (day(3), 2),
            "{engine}"
        );
        assert_eq!(
            store
                .person_day(council.id, pat.id, day(2))
                .await
                .unwrap()
                .len(),
            1,
            "{engine}: days before the end stay Pat's"
        );
        let stored = store.identities(council.id).await.unwrap();
        assert_eq!(stored[0].valid_to, Some(day(2)), "{engine}");

        // Sam has the name from day 4; ending Pat's rule later still leaves day 4 to Sam.
        let sams = identity(
            council.id,
            IdentityKind::User,
            "jsmith",
            IdentityTarget::Person(sam.id),
            day(4),
        );
        assert_eq!(add_identity(store, &sams).await, 1, "{engine}");
        let moved = end(pats.id, day(5)).await.unwrap();
        assert_eq!(moved.records, 1, "{engine}: only day 3 comes back to Pat");
        assert_eq!(
            store
                .person_day(council.id, pat.id, day(3))
                .await
                .unwrap()
                .len(),
            1,
            "{engine}"
        );
        assert_eq!(
            store
                .person_day(council.id, sam.id, day(4))
                .await
                .unwrap()
                .len(),
            1,
            "{engine}: the newer rule wins on its days"
        );

        // A last day before the first is refused; another council cannot end this rule.
        let refused = end(sams.id, day(3)).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{engine}: {refused:?}"
        );
        let elsewhere = store
            .end_identity(other.id, pats.id, day(3), |_| {
                event(other.id, t(71), Actor::Operator, "monitor.identity.ended")
            })
            .await;
        assert!(
            matches!(elsewhere, Err(StoreError::NotFound(_))),
            "{engine}: {elsewhere:?}"
        );
        assert_eq!(
            count_actions(store, council.id, "monitor.identity.ended").await,
            2,
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}
