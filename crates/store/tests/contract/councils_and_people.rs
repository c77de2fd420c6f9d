//! Contract cases: councils and people.

use super::*;

#[tokio::test]
async fn founding_a_council_stores_the_council_and_clerk_and_starts_its_audit_chain() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (council, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;

        assert_eq!(
            store.council(council.id).await.unwrap(),
            council,
            "{engine}"
        );
        assert_eq!(
            store.councils().await.unwrap(),
            vec![council.clone()],
            "{engine}"
        );
        assert_eq!(
            store.person(council.id, clerk.id).await.unwrap(),
            clerk,
            "{engine}"
        );
        assert_eq!(
            store.people(council.id).await.unwrap(),
            vec![clerk.clone()],
            "{engine}"
        );

        let mut entries = store.entries(council.id, &all()).await.unwrap();
        entries.reverse();
        assert_eq!(seqs(&entries), vec![1, 2], "{engine}: the founding events");
        assert_eq!(entries[0].action, "council.created", "{engine}");
        assert_eq!(entries[0].prev_hash, GENESIS_HASH, "{engine}");
        assert_eq!(entries[1].action, "person.added", "{engine}");
        assert_eq!(entries[1].prev_hash, entries[0].hash, "{engine}");
        assert_eq!(entries[0].actor, "operator", "{engine}");
        assert_eq!(entries[0].at(), t(0), "{engine}");
        assert_eq!(
            store.heads().await.unwrap(),
            vec![entries[1].head()],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");

        let missing = store.council(CouncilId::generate()).await.unwrap_err();
        assert!(
            matches!(missing, StoreError::NotFound("council")),
            "{engine}: an unknown council should be NotFound, got {missing:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn founding_a_second_council_with_the_same_id_is_a_conflict_and_changes_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (council, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let mut again = council.clone();
        again.name = CouncilName::parse("Another Name").unwrap();
        let other_clerk = Person {
            id: PersonId::generate(),
            ..clerk.clone()
        };
        let err = store
            .create_council(
                &again,
                &other_clerk,
                &[event(council.id, t(1), Actor::Operator, "council.created")],
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.council(council.id).await.unwrap(),
            council,
            "{engine}"
        );
        assert_eq!(
            store.people(council.id).await.unwrap(),
            vec![clerk],
            "{engine}"
        );
        assert_eq!(all_entries(store).await.len(), 2, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn updating_a_council_changes_its_name_and_settings_and_is_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (council, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let name = CouncilName::parse("Ashby Town Council").unwrap();
        let mut settings = council.settings.clone();
        settings.mfa_required_roles = RoleSet::of(&[Role::Clerk, Role::Chair]);
        store
            .update_council(
                council.id,
                &name,
                &settings,
                &event(council.id, t(1), Actor::Operator, "council.updated"),
            )
            .await
            .unwrap();
        let stored = store.council(council.id).await.unwrap();
        assert_eq!(stored.name, name, "{engine}");
        assert_eq!(stored.settings, settings, "{engine}");
        let latest = store.entries(council.id, &all()).await.unwrap();
        assert_eq!(latest[0].action, "council.updated", "{engine}");

        let unknown = CouncilId::generate();
        let err = store
            .update_council(
                unknown,
                &name,
                &settings,
                &event(unknown, t(1), Actor::Operator, "council.updated"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound(_)),
            "{engine}: got {err:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_person_from_another_council_is_not_found_and_people_lists_are_per_council() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, ashby_clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, bryn_clerk) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;

        let err = store.person(bryn.id, alice.id).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("person")),
            "{engine}: reading another council's person must be NotFound, got {err:?}"
        );
        assert_eq!(
            store.person(ashby.id, alice.id).await.unwrap(),
            alice,
            "{engine}"
        );
        assert_eq!(
            store.people(ashby.id).await.unwrap(),
            vec![alice.clone(), ashby_clerk.clone()],
            "{engine}: people are listed by name"
        );
        assert_eq!(
            store.people(bryn.id).await.unwrap(),
            vec![bryn_clerk],
            "{engine}"
        );
        assert_eq!(
            store.person_by_email(bryn.id, &alice.email).await.unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store.person_by_email(ashby.id, &alice.email).await.unwrap(),
            Some(alice.clone()),
            "{engine}"
        );

        // Changing a person through another council's id must not reach them.
        let mut hijacked = alice.clone();
        hijacked.council_id = bryn.id;
        hijacked.name = PersonName::parse("Mallory").unwrap();
        let err = store
            .update_person(
                &hijacked,
                &event(bryn.id, t(3), Actor::Operator, "person.updated"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.person(ashby.id, alice.id).await.unwrap(),
            alice,
            "{engine}"
        );
        assert_eq!(
            store.entries(bryn.id, &all()).await.unwrap().len(),
            2,
            "{engine}: the refused change left no audit entry"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn adding_the_same_email_twice_in_a_council_is_a_conflict_and_leaves_no_audit_entry() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let before = all_entries(store).await;

        let (twin, twin_event) = new_person(ashby.id, "Alice Again", "ALICE@a.example", t(2));
        let err = store.insert_person(&twin, &twin_event).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(m) if m.contains("alice@a.example")),
            "{engine}: expected a Conflict naming the address, got {err:?}"
        );
        assert_eq!(
            all_entries(store).await,
            before,
            "{engine}: the refused insert must leave no audit entry"
        );
        assert!(
            matches!(
                store.person(ashby.id, twin.id).await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}"
        );

        // The same address is welcome in another council.
        let (elsewhere, elsewhere_event) =
            new_person(bryn.id, "Alice Adams", "alice@a.example", t(2));
        store
            .insert_person(&elsewhere, &elsewhere_event)
            .await
            .unwrap();

        // Changing someone's address to one already used is refused the same way.
        let mut bob = add(store, ashby.id, "Bob Brown", "bob@a.example").await;
        let before = all_entries(store).await;
        bob.email = email("alice@a.example");
        let err = store
            .update_person(
                &bob,
                &event(ashby.id, t(3), Actor::Operator, "person.updated"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(all_entries(store).await, before, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_change_whose_audit_entry_cannot_be_written_is_not_stored() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (person, _) = new_person(ashby.id, "Alice Adams", "alice@a.example", t(1));
        // The event names a council that does not exist, so its entry cannot be chained.
        let orphan = event(CouncilId::generate(), t(1), Actor::Operator, "person.added");
        let err = store.insert_person(&person, &orphan).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("council")),
            "{engine}: got {err:?}"
        );
        assert!(
            matches!(
                store.person(ashby.id, person.id).await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}: the person must not be stored without their audit entry"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_home_page_counts_are_per_council_and_count_only_what_needs_attention() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        add(store, ashby.id, "Bob Brown", "bob@a.example").await;
        add(store, bryn.id, "Cara Cole", "cara@b.example").await;
        let (incident, opened) = open_incident(
            ashby.id,
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::Other,
                summary: "x".into(),
                happened_at: None,
            },
            Actor::System,
            t(3),
        )
        .unwrap();
        store.insert_incident(&incident, &opened).await.unwrap();
        let before = store.change_count();
        let counts = store.attention_counts(ashby.id).await.unwrap();
        // Founding invites the Clerk too: three invited people in Ashby.
        assert_eq!(
            (counts.invited_people, counts.open_incidents),
            (3, 1),
            "{engine}"
        );
        let other = store.attention_counts(bryn.id).await.unwrap();
        assert_eq!(
            (other.invited_people, other.open_incidents),
            (2, 0),
            "{engine}"
        );
        assert_eq!(
            store.change_count(),
            before,
            "{engine}: reading changed nothing"
        );
        add(store, ashby.id, "Dan Dee", "dan@a.example").await;
        assert!(
            store.change_count() > before,
            "{engine}: a write is counted"
        );
        db.finish().await;
    }
}
