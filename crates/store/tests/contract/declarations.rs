//! Contract cases: signed declarations of the policy in force.

use super::policy::council_with_member;
use super::*;
use custodian_core::ports::PolicyStoreError;

#[tokio::test]
async fn signing_the_same_version_twice_is_refused_and_the_first_signature_stands() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk, ada) =
            council_with_member(store, "Ashby Parish Council", "a.example").await;
        let draft = start_draft(store, ashby.id, clerk.id, VersionOrigin::Model, t(10)).await;
        let in_force = adopt_draft(store, &draft, "2026-05-11", "COU/1", t(11)).await;
        let first = sign_in_force(store, &ada, t(12)).await;
        assert_eq!(first.text_hash, sha256_hex(DECLARATION), "{engine}");
        let entries_before = all_entries(store).await.len();

        let (again, event) =
            sign(Some(&in_force), in_force.id, &ada, "ADA  lovelace", t(13)).unwrap();
        let err = store.sign_declaration(&again, &event).await;
        assert!(
            matches!(err, Err(PolicyStoreError::AlreadySigned)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store
                .declaration_of(ashby.id, in_force.id, ada.id)
                .await
                .unwrap(),
            Some(first.clone()),
            "{engine}"
        );
        assert_eq!(
            store.declarations(ashby.id, in_force.id).await.unwrap(),
            vec![first],
            "{engine}"
        );
        assert_eq!(
            all_entries(store).await.len(),
            entries_before,
            "{engine}: a refused signature leaves no audit entry"
        );
        assert_eq!(
            store
                .declaration_of(ashby.id, in_force.id, clerk.id)
                .await
                .unwrap(),
            None,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_replaced_version_can_no_longer_be_signed() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk, ada) =
            council_with_member(store, "Ashby Parish Council", "a.example").await;
        let first = start_draft(store, ashby.id, clerk.id, VersionOrigin::Model, t(10)).await;
        let first = adopt_draft(store, &first, "2025-05-12", "COU/1", t(11)).await;
        // Ada opened the signing page for version 1; version 2 is adopted before she signs.
        let (late, event) = sign(Some(&first), first.id, &ada, "Ada Lovelace", t(12)).unwrap();
        let second = start_draft(store, ashby.id, clerk.id, VersionOrigin::Model, t(13)).await;
        adopt_draft(store, &second, "2026-05-11", "COU/2", t(14)).await;
        let err = store.sign_declaration(&late, &event).await;
        assert!(
            matches!(err, Err(PolicyStoreError::NotInForce)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.unsigned_people(ashby.id).await.unwrap(),
            vec![ada.id],
            "{engine}: she still has to sign the version in force"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn unsigned_people_are_the_active_people_without_a_signature_and_never_those_who_left() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk, ada) =
            council_with_member(store, "Ashby Parish Council", "a.example").await;
        let (bryn, _, _) = council_with_member(store, "Bryn Town Council", "b.example").await;
        let bob = add(store, ashby.id, "Bob Brown", "bob@a.example").await;
        invite_and_accept(store, &bob, &account("bob@a.example"), true).await;
        let cy = add(store, ashby.id, "Cy Cole", "cy@a.example").await;
        invite_and_accept(store, &cy, &account("cy@a.example"), true).await;
        // Still invited (not active): the Clerk, from founding, and Dee.
        add(store, ashby.id, "Dee Dent", "dee@a.example").await;

        assert_eq!(
            store.unsigned_people(ashby.id).await.unwrap(),
            vec![],
            "{engine}: nothing to sign before a version is in force"
        );
        let counts = store.attention_counts(ashby.id).await.unwrap();
        assert_eq!(counts.policy_review_due, None, "{engine}");

        let draft = start_draft(store, ashby.id, clerk.id, VersionOrigin::Model, t(10)).await;
        adopt_draft(store, &draft, "2026-05-11", "COU/1", t(11)).await;
        assert_eq!(
            store.unsigned_people(ashby.id).await.unwrap(),
            vec![ada.id, bob.id, cy.id],
            "{engine}: active people, by name"
        );
        sign_in_force(store, &bob, t(12)).await;
        let mut cy_left = store.person(ashby.id, cy.id).await.unwrap();
        cy_left.status = PersonStatus::Left;
        store
            .update_person(
                &cy_left,
                &event(ashby.id, t(13), Actor::Person(clerk.id), "person.left"),
            )
            .await
            .unwrap();
        assert_eq!(
            store.unsigned_people(ashby.id).await.unwrap(),
            vec![ada.id],
            "{engine}: Bob signed and Cy left"
        );
        let counts = store.attention_counts(ashby.id).await.unwrap();
        assert_eq!(
            counts.policy_review_due,
            Some("2027-05-11".parse().unwrap()),
            "{engine}"
        );
        let other = store.attention_counts(bryn.id).await.unwrap();
        assert_eq!(
            (
                store.unsigned_people(bryn.id).await.unwrap(),
                other.policy_review_due
            ),
            (vec![], None),
            "{engine}: Bryn has no policy in force"
        );

        // A policy that does not ask for signed declarations leaves no one unsigned.
        let mut profile = PolicyProfile::model_defaults();
        profile.declaration_required = false;
        let (draft, created) = new_draft(
            ashby.id,
            PolicyVersionId::generate(),
            DraftContent {
                profile,
                origin: VersionOrigin::Builder,
                note: "No declarations".to_owned(),
            },
            clerk.id,
            t(14),
        )
        .unwrap();
        let draft = store.create_draft(&draft, &created).await.unwrap();
        adopt_draft(store, &draft, "2026-05-12", "COU/2", t(15)).await;
        assert_eq!(
            store.unsigned_people(ashby.id).await.unwrap(),
            vec![],
            "{engine}"
        );
        db.finish().await;
    }
}
