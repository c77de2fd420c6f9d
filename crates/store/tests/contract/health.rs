//! Contract cases: health-and-safety records — display screen marks, assessments, eye-test
//! offers and their answers, workstation requests and hazard reports are stored and read back
//! whole; an answer or resolution made meanwhile is a conflict; another council's people and
//! records are out of reach, and a refused change leaves no audit entry.

use super::*;
use custodian_core::health::{
    AssessmentForm, AssessmentId, AssessorChoice, EyeTestOfferId, HazardId, HealthRecords, Settle,
    WorkstationRequestId, answer_eye_test, ask_for_workstation_change, mark_dse_user,
    offer_eye_test, record_assessment, report_hazard, resolve_hazard, resolve_workstation_request,
};
use custodian_core::ports::HealthStore;
use jiff::civil::date;

fn today() -> jiff::civil::Date {
    date(2026, 6, 15)
}

/// A sample of every kind of record, with awkward text, for `build_sample`: `user`'s marks,
/// assessment, answered offer, resolved request, and a hazard `by` made safe.
pub(super) async fn sample_health(store: &Store, user: &Person, by: &Person) {
    let (mark, event) = mark_dse_user(user, true, by.id, t(40));
    store.set_dse_mark(&mark, &event).await.unwrap();
    let (assessment, event) = record_assessment(
        user,
        AssessmentId::generate(),
        AssessmentForm {
            assessed_on: "1/6/2026",
            assessor: AssessorChoice::Person(by.id),
            changes_needed: Some(true),
            actions: "A \"proper\" chair —\nand a footrest 🙂",
        },
        by.id,
        today(),
        t(41),
    )
    .unwrap();
    store.insert_assessment(&assessment, &event).await.unwrap();
    let (outside, event) = record_assessment(
        user,
        AssessmentId::generate(),
        AssessmentForm {
            assessed_on: "1/6/2025",
            assessor: AssessorChoice::Outside("Ö. Health Ltd"),
            changes_needed: Some(false),
            actions: "",
        },
        by.id,
        today(),
        t(41),
    )
    .unwrap();
    store.insert_assessment(&outside, &event).await.unwrap();
    let (offer, event) = offer_eye_test(
        user,
        EyeTestOfferId::generate(),
        "2/6/2026",
        by.id,
        today(),
        t(42),
    )
    .unwrap();
    store.insert_eye_test_offer(&offer, &event).await.unwrap();
    let (answered, event) =
        answer_eye_test(&offer, "taken_up", "10/6/2026", by.id, true, today(), t(43)).unwrap();
    store
        .update_eye_test_offer(&answered, &event)
        .await
        .unwrap();
    let (request, event) = ask_for_workstation_change(
        user,
        WorkstationRequestId::generate(),
        "Glare\n«screen»",
        t(44),
    )
    .unwrap();
    store
        .insert_workstation_request(&request, &event)
        .await
        .unwrap();
    let (done, event) =
        resolve_workstation_request(&request, Settle::Done, "Blind fitted — café", by.id, t(45))
            .unwrap();
    store
        .resolve_workstation_request(&done, &event)
        .await
        .unwrap();
    let (hazard, event) = report_hazard(
        user.council_id,
        HazardId::generate(),
        "Hall \"annex\"",
        "Loose tile\nby the door",
        user.id,
        t(46),
    )
    .unwrap();
    store.insert_hazard(&hazard, &event).await.unwrap();
    let (safe, event) = resolve_hazard(
        &hazard,
        Settle::Declined,
        "Not ours: the landlord's",
        by.id,
        t(47),
    )
    .unwrap();
    store.resolve_hazard(&safe, &event).await.unwrap();
}

#[tokio::test]
async fn health_records_are_stored_whole_with_their_audit_entries() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let sam = add(store, ashby.id, "Sam Staff", "sam@a.example").await;
        let before = all_entries(store).await.len();
        sample_health(store, &sam, &clerk).await;

        let records: HealthRecords = store.health_records(ashby.id).await.unwrap();
        assert_eq!(records.marks.len(), 1, "{engine}");
        assert!(records.marks[0].is_user, "{engine}");
        assert_eq!(records.assessments.len(), 2, "{engine}");
        assert_eq!(
            records.assessments[0].assessed_on,
            date(2026, 6, 1),
            "{engine}: newest first"
        );
        assert_eq!(
            records.latest_assessment(sam.id).map(|a| a.assessed_on),
            Some(date(2026, 6, 1)),
            "{engine}"
        );
        let offer = &records.offers[0];
        assert!(!offer.awaits_answer(), "{engine}");
        assert_eq!(offer.revision, 1, "{engine}");
        assert_eq!(
            store.eye_test_offer(ashby.id, offer.id).await.unwrap(),
            *offer,
            "{engine}"
        );
        let request = &records.requests[0];
        assert_eq!(request.problem, "Glare\n«screen»", "{engine}");
        assert_eq!(request.resolution.as_str(), "done", "{engine}");
        assert_eq!(
            store
                .workstation_request(ashby.id, request.id)
                .await
                .unwrap(),
            *request,
            "{engine}"
        );
        let hazard = &records.hazards[0];
        assert_eq!(hazard.description, "Loose tile\nby the door", "{engine}");
        assert_eq!(
            store.hazard(ashby.id, hazard.id).await.unwrap(),
            *hazard,
            "{engine}"
        );
        let actions: Vec<String> = all_entries(store)
            .await
            .into_iter()
            .skip(before)
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "dse.user_set",
                "dse.assessed",
                "dse.assessed",
                "eye_test.offered",
                "eye_test.recorded",
                "workstation.requested",
                "workstation.resolved",
                "hazard.reported",
                "hazard.resolved"
            ],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn an_answer_or_resolution_made_meanwhile_is_a_conflict_and_changes_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let sam = add(store, ashby.id, "Sam Staff", "sam@a.example").await;
        let (offer, event) = offer_eye_test(
            &sam,
            EyeTestOfferId::generate(),
            "2/6/2026",
            clerk.id,
            today(),
            t(1),
        )
        .unwrap();
        store.insert_eye_test_offer(&offer, &event).await.unwrap();
        let (first, event) =
            answer_eye_test(&offer, "declined", "", sam.id, false, today(), t(2)).unwrap();
        store.update_eye_test_offer(&first, &event).await.unwrap();
        // A second answer made from the page as it was before the first.
        let (second, event) =
            answer_eye_test(&offer, "taken_up", "", clerk.id, true, today(), t(3)).unwrap();
        let entries = all_entries(store).await.len();
        let refused = store.update_eye_test_offer(&second, &event).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{engine}: {refused:?}"
        );

        let (hazard, event) = report_hazard(
            ashby.id,
            HazardId::generate(),
            "Hall",
            "Wet floor",
            sam.id,
            t(4),
        )
        .unwrap();
        store.insert_hazard(&hazard, &event).await.unwrap();
        let (safe, event) =
            resolve_hazard(&hazard, Settle::Done, "Mopped", clerk.id, t(5)).unwrap();
        store.resolve_hazard(&safe, &event).await.unwrap();
        let (late, event) =
            resolve_hazard(&hazard, Settle::Declined, "Dry now", clerk.id, t(6)).unwrap();
        let entries_before = all_entries(store).await.len();
        assert!(
            matches!(
                store.resolve_hazard(&late, &event).await,
                Err(StoreError::Conflict(_))
            ),
            "{engine}"
        );
        assert_eq!(all_entries(store).await.len(), entries_before, "{engine}");
        let records = store.health_records(ashby.id).await.unwrap();
        assert_eq!(records.offers[0], first, "{engine}");
        assert_eq!(records.hazards[0], safe, "{engine}");
        assert!(entries < entries_before, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn another_councils_people_and_records_are_out_of_reach() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, bryn_clerk) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let sam = add(store, ashby.id, "Sam Staff", "sam@a.example").await;

        // An assessment naming another council's person as assessor is refused, unaudited.
        let (assessment, event) = record_assessment(
            &sam,
            AssessmentId::generate(),
            AssessmentForm {
                assessed_on: "1/6/2026",
                assessor: AssessorChoice::Person(bryn_clerk.id),
                changes_needed: Some(false),
                actions: "",
            },
            clerk.id,
            today(),
            t(1),
        )
        .unwrap();
        let entries = all_entries(store).await.len();
        let refused = store.insert_assessment(&assessment, &event).await;
        assert!(
            matches!(refused, Err(StoreError::NotFound("person"))),
            "{engine}: {refused:?}"
        );
        assert_eq!(all_entries(store).await.len(), entries, "{engine}");

        let (hazard, event) = report_hazard(
            ashby.id,
            HazardId::generate(),
            "Hall",
            "Wet floor",
            sam.id,
            t(2),
        )
        .unwrap();
        store.insert_hazard(&hazard, &event).await.unwrap();
        assert!(
            matches!(
                store.hazard(bryn.id, hazard.id).await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}"
        );
        // Resolving it as if it were Bryn's changes nothing.
        let mut theirs = hazard.clone();
        theirs.council_id = bryn.id;
        let (late, event) =
            resolve_hazard(&theirs, Settle::Done, "Mopped", bryn_clerk.id, t(3)).unwrap();
        assert!(
            matches!(
                store.resolve_hazard(&late, &event).await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}"
        );
        assert!(
            store.health_records(bryn.id).await.unwrap() == HealthRecords::default(),
            "{engine}"
        );
        assert!(
            store.health_records(ashby.id).await.unwrap().hazards[0]
                .resolution
                .is_open(),
            "{engine}"
        );
        db.finish().await;
    }
}
