//! Contract cases: leavers' checklists — marking a person as left stores their change, ends
//! their sessions and stores their checklist in one transaction; items are settled once; the
//! list is recorded closed once; another council's list is out of reach.

use super::assets::{issue_to, new_item, register};
use super::*;
use custodian_core::asset::{Asset, Category};
use custodian_core::leaver::{
    Facts, LeaverChecklist, Mark, Task, build_checklist, close, mark_done, waive,
};
use custodian_core::ports::LeaverStore;

/// `leaver` as left on 31 March, and their checklist made by `clerk` from `assets`.
fn leaving(
    leaver: &Person,
    clerk: &Person,
    assets: &[Asset],
    at: Timestamp,
) -> (Person, AuditEvent, LeaverChecklist, AuditEvent) {
    let mut left = leaver.clone();
    left.status = PersonStatus::Left;
    left.leave_date = Some("2026-03-31".parse().unwrap());
    let person_event = event(left.council_id, at, Actor::Person(clerk.id), "person.left")
        .subject(format!("person:{}", left.id));
    let (checklist, created) = build_checklist(&left, assets, &[], &[], &[], clerk.id, at);
    (left, person_event, checklist, created)
}

fn facts<'a>(person: &'a Person, assets: &'a [Asset]) -> Facts<'a> {
    Facts {
        person,
        assets,
        devices: &[],
        vault_items: &[],
    }
}

async fn session_of(store: &Store, person: &Person, account: AccountId) -> String {
    let hash = random_hex();
    store
        .insert_session(
            &Session {
                token_hash: hash.clone(),
                account_id: account,
                council_id: person.council_id,
                person_id: person.id,
                csrf_token: random_hex(),
                mfa_passed: true,
                created_at: t(2),
                last_seen_at: t(2),
            },
            &event(
                person.council_id,
                t(2),
                Actor::Person(person.id),
                "signin.succeeded",
            ),
        )
        .await
        .unwrap();
    hash
}

/// The sample's checklist: `leaver` (already marked as left) with its social-media item waived
/// with awkward text, which closes it.
pub(super) async fn sample_checklist(store: &Store, leaver: &Person, clerk: &Person) {
    let (checklist, created) = build_checklist(leaver, &[], &[], &[], &[], clerk.id, t(30));
    store
        .insert_leaver_checklist(&checklist, &created)
        .await
        .unwrap();
    let settled = waive(
        &checklist,
        Task::UpdateSocialMediaProfiles,
        "Lee has no \"profiles\" —\nnone at all 🙂",
        &facts(leaver, &[]),
        clerk.id,
        t(31),
    )
    .unwrap();
    assert!(settled.closed_at.is_some());
    store
        .settle_leaver_item(leaver.council_id, leaver.id, &settled)
        .await
        .unwrap();
}

#[tokio::test]
async fn marking_a_person_left_stores_their_checklist_ends_their_sessions_and_audits_both() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let leaver = add(store, ashby.id, "Lee Ver", "lee@a.example").await;
        let shared = account("lee@a.example");
        invite_and_accept(store, &leaver, &shared, true).await;
        let leaver = store.person(ashby.id, leaver.id).await.unwrap();
        let laptop = register(store, ashby.id, new_item("ASH/1", Category::Laptop), t(3)).await;
        let laptop = issue_to(store, &laptop, &leaver, t(4)).await;
        let session = session_of(store, &leaver, shared.id).await;

        let (left, person_event, checklist, created) =
            leaving(&leaver, &clerk, std::slice::from_ref(&laptop), t(10));
        store
            .mark_left(&left, &person_event, &checklist, &created)
            .await
            .unwrap_or_else(|e| panic!("{engine}: could not mark as left: {e}"));

        assert_eq!(
            store.person(ashby.id, leaver.id).await.unwrap(),
            left,
            "{engine}"
        );
        assert_eq!(store.session(&session).await.unwrap(), None, "{engine}");
        let stored = store.leaver_checklist(ashby.id, leaver.id).await.unwrap();
        assert_eq!(stored.as_ref(), Some(&checklist), "{engine}");
        let tasks: Vec<Task> = checklist.items.iter().map(|i| i.task).collect();
        assert_eq!(
            tasks,
            [
                Task::RevokeSignIn,
                Task::ReturnAsset(laptop.id),
                Task::UpdateSocialMediaProfiles
            ],
            "{engine}"
        );
        let actions: Vec<String> = all_entries(store)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.ends_with(&["person.left".into(), "leaver.checklist_created".into()]),
            "{engine}: {actions:?}"
        );

        // A second checklist for the same person is refused, and nothing else changes.
        let before = all_entries(store).await.len();
        let again = store
            .mark_left(&left, &person_event, &checklist, &created)
            .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{engine}");
        assert_eq!(all_entries(store).await.len(), before, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn another_councils_person_cannot_be_marked_left_and_their_list_is_not_seen() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let theirs = add(store, bryn.id, "Bryn Person", "p@b.example").await;
        // Dressed up as Ashby's: the store still finds no such person in Ashby.
        let mut disguised = theirs.clone();
        disguised.council_id = ashby.id;
        let (left, person_event, checklist, created) = leaving(&disguised, &clerk, &[], t(10));
        let refused = store
            .mark_left(&left, &person_event, &checklist, &created)
            .await;
        assert!(
            matches!(refused, Err(StoreError::NotFound("person"))),
            "{engine}: {refused:?}"
        );
        assert_eq!(
            store.person(bryn.id, theirs.id).await.unwrap().status,
            PersonStatus::Invited,
            "{engine}"
        );
        assert_eq!(
            store.leaver_checklist(ashby.id, theirs.id).await.unwrap(),
            None,
            "{engine}"
        );
        assert!(store.leaver_checklists(ashby.id).await.unwrap().is_empty());
        db.finish().await;
    }
}

#[tokio::test]
async fn an_item_is_settled_once_and_the_list_is_recorded_closed_once() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let leaver = add(store, ashby.id, "Lee Ver", "lee@a.example").await;
        let (left, person_event, checklist, created) = leaving(&leaver, &clerk, &[], t(10));
        store
            .mark_left(&left, &person_event, &checklist, &created)
            .await
            .unwrap();

        let profiles = Task::UpdateSocialMediaProfiles;
        let done = mark_done(
            &checklist,
            profiles,
            "Told on the phone",
            &facts(&left, &[]),
            clerk.id,
            t(11),
        )
        .unwrap();
        // This closes the list (sign-in is shown done by their having left).
        assert_eq!(done.closed_at, Some(t(11)), "{engine}");
        // Another council cannot settle it.
        let elsewhere = store.settle_leaver_item(bryn.id, leaver.id, &done).await;
        assert!(
            matches!(elsewhere, Err(StoreError::NotFound(_))),
            "{engine}: {elsewhere:?}"
        );
        store
            .settle_leaver_item(ashby.id, leaver.id, &done)
            .await
            .unwrap();
        let stored = store
            .leaver_checklist(ashby.id, leaver.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.closed_at, Some(t(11)), "{engine}");
        assert_eq!(
            stored.items[1].mark,
            Mark::Done {
                by: clerk.id,
                at: t(11),
                note: Some("Told on the phone".into())
            },
            "{engine}"
        );
        // Settling it again from the stale list is refused and stores nothing.
        let before = all_entries(store).await.len();
        let stale = waive(
            &checklist,
            profiles,
            "Changed my mind",
            &facts(&left, &[]),
            clerk.id,
            t(12),
        )
        .unwrap();
        let again = store.settle_leaver_item(ashby.id, leaver.id, &stale).await;
        assert!(
            matches!(&again, Err(StoreError::Conflict(m)) if m.contains("settled by someone else")),
            "{engine}: {again:?}"
        );
        assert_eq!(all_entries(store).await.len(), before, "{engine}");
        // Closing is recorded once.
        let closing = store
            .close_leaver_checklist(
                ashby.id,
                leaver.id,
                t(13),
                &event(
                    ashby.id,
                    t(13),
                    Actor::Person(clerk.id),
                    "leaver.checklist_closed",
                ),
            )
            .await;
        assert!(matches!(closing, Err(StoreError::Conflict(_))), "{engine}");
        assert_eq!(
            store.leaver_checklists(ashby.id).await.unwrap(),
            vec![stored],
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_list_the_records_settled_is_recorded_closed_by_the_clerk() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let leaver = add(store, ashby.id, "Lee Ver", "lee@a.example").await;
        let (left, person_event, mut checklist, created) = leaving(&leaver, &clerk, &[], t(10));
        // Made without the social-media item, so the records alone settle it.
        checklist
            .items
            .retain(|i| i.task != Task::UpdateSocialMediaProfiles);
        store
            .mark_left(&left, &person_event, &checklist, &created)
            .await
            .unwrap();
        let closing = close(&checklist, &facts(&left, &[]), clerk.id, t(12)).unwrap();
        store
            .close_leaver_checklist(ashby.id, leaver.id, t(12), &closing)
            .await
            .unwrap();
        let stored = store.leaver_checklist(ashby.id, leaver.id).await.unwrap();
        assert_eq!(stored.unwrap().closed_at, Some(t(12)), "{engine}");
        let missing = store
            .close_leaver_checklist(ashby.id, clerk.id, t(12), &closing)
            .await;
        assert!(
            matches!(missing, Err(StoreError::NotFound(_))),
            "{engine}: {missing:?}"
        );
        db.finish().await;
    }
}
