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
