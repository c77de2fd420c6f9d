//! Contract cases: joiners' checklists — inviting a person stores them and their checklist in
//! one transaction (or neither); items are settled once; the list is recorded closed once;
//! only lists not yet closed are listed as open; another council's list is out of reach.

use super::*;
use custodian_core::joiner::{
    DeclarationFact, Facts, JoinerChecklist, Mark, Task, build_checklist, close, mark_done, waive,
};
use custodian_core::ports::JoinerStore;

/// What the records show of someone just invited: nothing yet.
fn nothing_yet(person: &Person) -> Facts<'_> {
    Facts {
        person,
        has_password: false,
        has_second_factor: false,
        mfa_required: false,
        declaration: DeclarationFact::NotRequired,
        assets: &[],
        devices: &[],
    }
}

/// A person to invite into `council` and their checklist made by `clerk`, none stored yet.
fn invited(
    council: CouncilId,
    clerk: &Person,
    name: &str,
    mail: &str,
) -> (Person, AuditEvent, JoinerChecklist, AuditEvent) {
    let (person, person_event) = new_person(council, name, mail, t(3));
    let (checklist, created) = build_checklist(&person, clerk.id, t(3));
    (person, person_event, checklist, created)
}

/// The sample's checklist: `joiner` (already stored) with the council email recorded with
/// awkward text and equipment waived, the rest left to the records.
pub(super) async fn sample_checklist(store: &Store, joiner: &Person, clerk: &Person) {
    let (checklist, created) = build_checklist(joiner, clerk.id, t(32));
    store
        .insert_joiner_checklist(&checklist, &created)
        .await
        .unwrap();
    let settled = waive(
        &checklist,
        Task::ReceiveEquipment,
        "Wyn's \"own\" laptop —\nnothing to issue 🙂",
        &nothing_yet(joiner),
        clerk.id,
        t(33),
    )
    .unwrap();
    store
        .settle_joiner_item(joiner.council_id, joiner.id, &settled)
        .await
        .unwrap();
}

#[tokio::test]
async fn inviting_stores_the_person_and_their_checklist_together_and_audits_both() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (vera, person_event, checklist, created) =
            invited(ashby.id, &clerk, "Vera Volunteer", "vera@a.example");
        store
            .insert_person_with_checklist(&vera, &person_event, &checklist, &created)
            .await
            .unwrap_or_else(|e| panic!("{engine}: could not invite: {e}"));
        assert_eq!(store.person(ashby.id, vera.id).await.unwrap(), vera);
        let stored = store.joiner_checklist(ashby.id, vera.id).await.unwrap();
        assert_eq!(stored.as_ref(), Some(&checklist), "{engine}");
        let actions: Vec<String> = all_entries(store)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.ends_with(&["person.added".into(), "joiner.checklist_created".into()]),
            "{engine}: {actions:?}"
        );
        assert_eq!(
            store.open_joiner_checklists(ashby.id).await.unwrap(),
            vec![checklist],
            "{engine}"
        );

        // The same address again: neither the person nor a checklist is stored.
        let before = all_entries(store).await.len();
        let (again, person_event, checklist, created) =
            invited(ashby.id, &clerk, "Vera Again", "vera@a.example");
        let refused = store
            .insert_person_with_checklist(&again, &person_event, &checklist, &created)
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Conflict(m)) if m.contains("vera@a.example")),
            "{engine}: {refused:?}"
        );
        assert!(matches!(
            store.person(ashby.id, again.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            store.joiner_checklist(ashby.id, again.id).await.unwrap(),
            None
        );
        assert_eq!(all_entries(store).await.len(), before, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_checklist_for_another_councils_person_is_refused_and_not_seen() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let theirs = add(store, bryn.id, "Bryn Person", "p@b.example").await;
        let mut disguised = theirs.clone();
        disguised.council_id = ashby.id;
        let (checklist, created) = build_checklist(&disguised, clerk.id, t(4));
        let refused = store.insert_joiner_checklist(&checklist, &created).await;
        assert!(
            matches!(refused, Err(StoreError::NotFound("person"))),
            "{engine}: {refused:?}"
        );
        assert_eq!(
            store.joiner_checklist(ashby.id, theirs.id).await.unwrap(),
            None
        );
        assert_eq!(
            store.joiner_checklist(bryn.id, theirs.id).await.unwrap(),
            None
        );
        // A checklist that is not the person's is refused before anything is stored.
        let (vera, person_event, _, _) = invited(ashby.id, &clerk, "Vera", "vera@a.example");
        let mismatched = store
            .insert_person_with_checklist(&vera, &person_event, &checklist, &created)
            .await;
        assert!(
            matches!(mismatched, Err(StoreError::Conflict(_))),
            "{engine}"
        );
        assert!(store.person(ashby.id, vera.id).await.is_err(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn someone_invited_earlier_gets_one_checklist_only() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let earlier = add(store, ashby.id, "Eli Earlier", "eli@a.example").await;
        let (checklist, created) = build_checklist(&earlier, clerk.id, t(4));
        store
            .insert_joiner_checklist(&checklist, &created)
            .await
            .unwrap();
        let again = store.insert_joiner_checklist(&checklist, &created).await;
        assert!(
            matches!(&again, Err(StoreError::Conflict(m)) if m.contains("already has a joining")),
            "{engine}: {again:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn an_item_is_settled_once_and_a_closed_list_is_no_longer_open() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let (vera, person_event, checklist, created) =
            invited(ashby.id, &clerk, "Vera Volunteer", "vera@a.example");
        store
            .insert_person_with_checklist(&vera, &person_event, &checklist, &created)
            .await
            .unwrap();
        let done = mark_done(
            &checklist,
            Task::CouncilEmail,
            "vera@ashbypc.gov.uk",
            &nothing_yet(&vera),
            clerk.id,
            t(11),
        )
        .unwrap();
        let elsewhere = store.settle_joiner_item(bryn.id, vera.id, &done).await;
        assert!(
            matches!(elsewhere, Err(StoreError::NotFound(_))),
            "{engine}: {elsewhere:?}"
        );
        store
            .settle_joiner_item(ashby.id, vera.id, &done)
            .await
            .unwrap();
        let stored = store
            .joiner_checklist(ashby.id, vera.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.items[5].mark,
            Mark::Done {
                by: clerk.id,
                at: t(11),
                note: Some("vera@ashbypc.gov.uk".into())
            },
            "{engine}"
        );
        // Settling it again from the stale list is refused and stores nothing.
        let before = all_entries(store).await.len();
        let stale = waive(
            &checklist,
            Task::CouncilEmail,
            "Uses their own",
            &nothing_yet(&vera),
            clerk.id,
            t(12),
        )
        .unwrap();
        let again = store.settle_joiner_item(ashby.id, vera.id, &stale).await;
        assert!(
            matches!(&again, Err(StoreError::Conflict(m)) if m.contains("settled by someone else")),
            "{engine}: {again:?}"
        );
        assert_eq!(all_entries(store).await.len(), before, "{engine}");

        // The records settle the rest; the Clerk records the list closed, once.
        let facts = Facts {
            has_password: true,
            has_second_factor: true,
            ..nothing_yet(&vera)
        };
        let mut rest = stored.clone();
        for task in [Task::ReceiveEquipment, Task::RegisterOwnDevices] {
            let settled = waive(&rest, task, "Not needed", &facts, clerk.id, t(13)).unwrap();
            store
                .settle_joiner_item(ashby.id, vera.id, &settled)
                .await
                .unwrap();
            rest = store
                .joiner_checklist(ashby.id, vera.id)
                .await
                .unwrap()
                .unwrap();
        }
        // The last waiver closed it.
        assert_eq!(rest.closed_at, Some(t(13)), "{engine}");
        assert!(
            store
                .open_joiner_checklists(ashby.id)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        let closing = store
            .close_joiner_checklist(
                ashby.id,
                vera.id,
                t(14),
                &event(ashby.id, t(14), Actor::Person(clerk.id), "joiner.closed"),
            )
            .await;
        assert!(matches!(closing, Err(StoreError::Conflict(_))), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_list_the_records_settled_is_recorded_closed_by_the_clerk() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (vera, person_event, mut checklist, created) =
            invited(ashby.id, &clerk, "Vera Volunteer", "vera@a.example");
        checklist
            .items
            .retain(|i| matches!(i.task, Task::SetPassword | Task::SignDeclaration));
        store
            .insert_person_with_checklist(&vera, &person_event, &checklist, &created)
            .await
            .unwrap();
        let facts = Facts {
            has_password: true,
            ..nothing_yet(&vera)
        };
        let closing = close(&checklist, &facts, clerk.id, t(12)).unwrap();
        store
            .close_joiner_checklist(ashby.id, vera.id, t(12), &closing)
            .await
            .unwrap();
        let stored = store.joiner_checklist(ashby.id, vera.id).await.unwrap();
        assert_eq!(stored.unwrap().closed_at, Some(t(12)), "{engine}");
        let missing = store
            .close_joiner_checklist(ashby.id, clerk.id, t(12), &closing)
            .await;
        assert!(
            matches!(missing, Err(StoreError::NotFound(_))),
            "{engine}: {missing:?}"
        );
        db.finish().await;
    }
}
