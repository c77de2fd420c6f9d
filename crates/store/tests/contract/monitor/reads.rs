//! Contract cases: monitoring reads — the reports' totals, another council's records out of
//! reach of every read and change, and the settings.

use super::retention::four_days_with_a_hold;
use super::*;

#[tokio::test]
async fn the_reports_total_sites_visitors_flags_and_hours() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, pat, sam, _) = four_days_with_a_hold(store).await;
        let more = [
            group(user("pat"), day(2), "bets.example", 22, 5, 500),
            group(client("10.9.9.9"), day(2), "example.org", 23, 7, 70),
        ];
        ingest(store, council, "more", &more).await;

        let top = store.top_sites(council, day(1), day(4), 10).await.unwrap();
        let summary: Vec<(&str, u64, u64, u64)> = top
            .iter()
            .map(|s| (s.site.as_str(), s.hits, s.bytes, s.people))
            .collect();
        assert_eq!(
            summary,
            vec![("example.org", 15, 150, 2), ("bets.example", 5, 500, 1)],
            "{engine}"
        );
        let visitors = store
            .site_visitors(council, "example.org", day(1), day(4))
            .await
            .unwrap();
        assert_eq!(visitors.len(), 3, "{engine}: {visitors:?}");
        assert_eq!(
            (visitors[0].key.clone(), visitors[0].hits),
            (Some(client("10.9.9.9")), 7)
        );
        let people: BTreeSet<Option<PersonId>> = visitors.iter().map(|v| v.person).collect();
        assert!(people.contains(&Some(pat.id)) && people.contains(&Some(sam.id)));
        assert_eq!(visitors[1].days, 4, "{engine}");

        let flagged = store
            .flagged_records(council, day(1), day(4))
            .await
            .unwrap();
        assert_eq!(flagged.len(), 1, "{engine}");
        assert_eq!(
            (flagged[0].person, flagged[0].day),
            (Some(pat.id), day(2)),
            "{engine}"
        );

        let everyone = store
            .hits_by_hour(council, day(1), day(4), None)
            .await
            .unwrap();
        assert_eq!(
            (everyone[9], everyone[22], everyone[23]),
            (8, 5, 7),
            "{engine}"
        );
        let pats = store
            .hits_by_hour(council, day(2), day(2), Some(pat.id))
            .await
            .unwrap();
        assert_eq!((pats[9], pats[22], pats[23]), (1, 5, 0), "{engine}");
        let empty = store
            .hits_by_hour(council, day(20), day(30), None)
            .await
            .unwrap();
        assert_eq!(empty, [0; 24], "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_groups_own_categories_from_its_request_paths_replace_its_sites() {
    // Two people on the same site and day; one of them requested pages under a `urls` entry
    // with a path, so only that group is in the category and flagged.
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let groups = [
            group(
                client("10.0.0.5"),
                day(3),
                "games-portal.example",
                10,
                2,
                20,
            ),
            group(
                client("10.0.0.6"),
                day(3),
                "games-portal.example",
                11,
                4,
                40,
            ),
        ];
        let mut new = batch(council.id, "paths", &groups);
        new.group_categories.insert(
            (
                client("10.0.0.5"),
                day(3),
                "games-portal.example".to_owned(),
            ),
            SiteCategories {
                names: vec!["gambling".to_owned()],
                flagged: true,
            },
        );
        store
            .ingest_batch(&new, &groups, Vec::new(), |r| batch_ingested_event(&new, r))
            .await
            .unwrap();
        let flagged = store
            .flagged_records(council.id, day(1), day(4))
            .await
            .unwrap();
        let found: Vec<(SubjectKey, Vec<String>)> = flagged
            .iter()
            .map(|r| (r.key.clone(), r.categories.clone()))
            .collect();
        assert_eq!(
            found,
            vec![(client("10.0.0.5"), vec!["gambling".to_owned()])],
            "{engine}"
        );
        let totals = store
            .category_totals(council.id, day(1), day(4))
            .await
            .unwrap();
        assert_eq!(totals.len(), 1, "{engine}: {totals:?}");
        assert_eq!((totals[0].hits, totals[0].flagged_hits), (2, 2), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn names_and_sites_with_quotes_commas_braces_and_accents_are_stored_as_logged() {
    // PostgreSQL receives a day's rows as array literals: every character a log can hold in
    // a user name, an address or a site must come back unchanged, empty strings and NULL
    // (no one) kept apart.
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let awkward = [
            r#"o"brien"#,
            r"domain\pat",
            "{a,b}",
            "NULL",
            "",
            "zoë ünïcode",
            "tab\there",
        ];
        let groups: Vec<Group> = awkward
            .iter()
            .enumerate()
            .map(|(n, name)| group(user(name), day(3), &format!("s{n}.example,{{x}}"), 8, 1, 5))
            .collect();
        ingest(store, council.id, "awkward", &groups).await;
        let mut found: Vec<(SubjectKey, u64)> = store
            .unattributed(council.id, day(3), day(3))
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.key, u.hits))
            .collect();
        found.sort();
        let mut expected: Vec<(SubjectKey, u64)> = awkward.iter().map(|n| (user(n), 1)).collect();
        expected.sort();
        assert_eq!(found, expected, "{engine}");
        let top = store
            .top_sites(council.id, day(3), day(3), 20)
            .await
            .unwrap();
        let mut sites: Vec<String> = top.into_iter().map(|s| s.site).collect();
        sites.sort();
        let mut wanted: Vec<String> = (0..awkward.len())
            .map(|n| format!("s{n}.example,{{x}}"))
            .collect();
        wanted.sort();
        assert_eq!(sites, wanted, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_persons_records_over_a_period_and_the_totals_per_category() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, pat, sam, _) = four_days_with_a_hold(store).await;
        let more = [
            group(user("pat"), day(2), "bets.example", 22, 5, 500),
            group(user("sam"), day(3), "bets.example", 10, 2, 40),
            group(client("10.9.9.9"), day(3), "bets.example", 11, 3, 30),
        ];
        ingest(store, council, "more", &more).await;
        // Pat's days 1 and 2 were purged and are read from the hold's copies.
        store
            .purge_days_before(council, day(3), |r| {
                purge_event(council, t(90), Actor::System, day(3), r)
            })
            .await
            .unwrap();

        let pats = store
            .person_records(council, pat.id, day(1), day(3))
            .await
            .unwrap();
        let seen: Vec<(LocalDay, &str, u64, bool)> = pats
            .iter()
            .map(|r| (r.day, r.site.as_str(), r.hits, r.held))
            .collect();
        assert_eq!(
            seen,
            vec![
                (day(1), "example.org", 1, true),
                (day(2), "bets.example", 5, true),
                (day(2), "example.org", 1, true),
                (day(3), "example.org", 1, false),
            ],
            "{engine}"
        );
        assert!(pats.iter().all(|r| r.person == Some(pat.id)), "{engine}");
        let sams = store
            .person_records(council, sam.id, day(4), day(9))
            .await
            .unwrap();
        assert_eq!(sams.len(), 1, "{engine}: {sams:?}");

        let totals = store
            .category_totals(council, day(1), day(4))
            .await
            .unwrap();
        assert_eq!(totals.len(), 1, "{engine}: {totals:?}");
        let gambling = &totals[0];
        assert_eq!(
            (
                gambling.category.as_str(),
                gambling.hits,
                gambling.bytes,
                gambling.people,
                gambling.flagged_hits
            ),
            ("gambling", 10, 570, 2, 10),
            "{engine}"
        );
        let later = store
            .category_totals(council, day(3), day(4))
            .await
            .unwrap();
        assert_eq!((later[0].hits, later[0].people), (5, 1), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn another_councils_monitoring_records_are_never_visible_or_changed() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (ashby, pat, _, held) = four_days_with_a_hold(store).await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@bryn.example").await;
        let bryn = bryn.id;
        let (from, to) = (day(0), day(9));
        assert!(
            store
                .person_day(bryn, pat.id, day(1))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .top_sites(bryn, from, to, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .site_visitors(bryn, "example.org", from, to)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .flagged_records(bryn, from, to)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.unattributed(bryn, from, to).await.unwrap().is_empty());
        assert_eq!(
            store.hits_by_hour(bryn, from, to, None).await.unwrap(),
            [0; 24]
        );
        let access = store.subject_access(bryn, pat.id, from, to).await.unwrap();
        assert!(
            access.records.is_empty() && access.raw.is_empty(),
            "{engine}"
        );
        assert!(
            store.monitor_days(bryn).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(
            store.monitor_batches(bryn).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(store.identities(bryn).await.unwrap().is_empty(), "{engine}");
        assert!(store.holds(bryn).await.unwrap().is_empty(), "{engine}");
        assert!(
            store.monitor_settings(bryn).await.unwrap().is_none(),
            "{engine}"
        );

        // Changes made in Bryn cannot reach Ashby's people or records.
        let target = IdentityTarget::Person(pat.id);
        let foreign = identity(bryn, IdentityKind::User, "pat", target, day(0));
        let refused = store
            .add_identity(&foreign, |_| {
                event(bryn, t(1), Actor::Operator, "monitor.identity")
            })
            .await;
        assert!(
            matches!(refused, Err(StoreError::NotFound("person"))),
            "{engine}"
        );
        let placed = event(bryn, t(1), Actor::Operator, "monitor.hold.placed");
        let refused = store
            .place_hold(&hold(bryn, pat.id, from, to), &placed)
            .await;
        assert!(
            matches!(refused, Err(StoreError::NotFound("person"))),
            "{engine}"
        );
        let refused = store
            .release_hold(bryn, held.id, &Actor::Operator, t(1), to, |_| {
                event(bryn, t(1), Actor::Operator, "monitor.hold.released")
            })
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound(_))), "{engine}");
        let erased = store
            .erase_person(bryn, pat.id, |_| {
                event(bryn, t(1), Actor::Operator, "monitor.erased")
            })
            .await
            .unwrap();
        assert_eq!(erased.records_removed, 0, "{engine}");
        let purged = store
            .purge_days_before(bryn, day(9), |r| {
                purge_event(bryn, t(1), Actor::System, to, r)
            })
            .await
            .unwrap();
        assert_eq!(purged.days_dropped, 0, "{engine}");
        let audit_for_ashby = store
            .purge_days_before(bryn, day(9), |r| {
                purge_event(ashby, t(1), Actor::System, to, r)
            })
            .await;
        assert!(
            matches!(audit_for_ashby, Err(StoreError::Conflict(_))),
            "{engine}"
        );
        assert_eq!(
            store.monitor_days(ashby).await.unwrap().len(),
            4,
            "{engine}"
        );
        let pats = store.subject_access(ashby, pat.id, from, to).await.unwrap();
        assert_eq!(pats.records.len(), 4, "{engine}");
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn settings_are_saved_replaced_and_read_back_with_their_audit_entries() {
    for db in engines().await {
        let (engine, store) = (db.engine, &db.store);
        let (council, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        assert!(
            store.monitor_settings(council.id).await.unwrap().is_none(),
            "{engine}"
        );
        sample_monitoring(store, &clerk).await;
        let mut settings = store.monitor_settings(council.id).await.unwrap().unwrap();
        assert!(settings.enabled, "{engine}");
        assert_eq!(
            settings.viewer_roles,
            RoleSet::of(&[Role::Clerk]),
            "{engine}"
        );
        assert_eq!(settings.assessment_recorded_by, Some(clerk.id), "{engine}");
        settings.enabled = false;
        settings.flagged_categories = vec!["adult".to_owned(), "gambling".to_owned()];
        settings.updated_at = t(200);
        let changed = event(
            council.id,
            t(200),
            Actor::Operator,
            "monitor.settings_changed",
        );
        store
            .save_monitor_settings(&settings, &changed)
            .await
            .unwrap();
        assert_eq!(
            store.monitor_settings(council.id).await.unwrap(),
            Some(settings)
        );
        assert_eq!(
            count_actions(store, council.id, "monitor.settings").await,
            2,
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}
