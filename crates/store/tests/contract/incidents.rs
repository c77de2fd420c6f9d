//! Contract cases: incidents.

use super::*;
use custodian_core::incident::{
    BreachClock, Incident, PeopleTold, add_action, assign_owner, close, record_ico_decision,
    record_people_told, set_became_aware,
};

#[tokio::test]
async fn incidents_are_stored_and_listed_per_council() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let open = |council: CouncilId, actor: Actor, at: Timestamp, summary: &str| {
            open_incident(
                council,
                IncidentId::generate(),
                IncidentReport {
                    kind: IncidentKind::LostOrStolenDevice,
                    summary: summary.to_owned(),
                    happened_at: Some(t(1)),
                },
                actor,
                at,
            )
            .unwrap()
        };
        let (older, e1) = open(ashby.id, Actor::Person(clerk.id), t(5), "Phone lost");
        let (newer, e2) = open(ashby.id, Actor::System, t(6), "Refused reveal");
        let (theirs, e3) = open(bryn.id, Actor::System, t(7), "Elsewhere");
        for (incident, opened) in [(&older, &e1), (&newer, &e2), (&theirs, &e3)] {
            store.insert_incident(incident, opened).await.unwrap();
        }
        assert_eq!(older.reported_by, Some(clerk.id));
        assert_eq!(newer.reported_by, None);
        assert_eq!(newer.status, IncidentStatus::Open);

        assert_eq!(
            store.incidents(ashby.id).await.unwrap(),
            vec![newer.clone(), older.clone()],
            "{engine}: newest reported first, this council only"
        );
        assert_eq!(
            store.incident(ashby.id, older.id).await.unwrap(),
            older,
            "{engine}"
        );
        let err = store.incident(bryn.id, older.id).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("incident")),
            "{engine}: another council's incident must be NotFound, got {err:?}"
        );
        let opened = AuditQuery {
            action_prefix: Some("incident.opened".into()),
            ..all()
        };
        assert_eq!(
            store.entries(ashby.id, &opened).await.unwrap().len(),
            2,
            "{engine}"
        );
        db.finish().await;
    }
}

fn breach_in(council: CouncilId, at: Timestamp) -> (Incident, AuditEvent) {
    open_incident(
        council,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::PersonalDataBreach,
            summary: "Councillors' home addresses emailed to the wrong list".to_owned(),
            happened_at: None,
        },
        Actor::System,
        at,
    )
    .unwrap()
}

#[tokio::test]
async fn the_whole_breach_workflow_is_stored_and_read_back_as_decided() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let owner = add(store, ashby.id, "Owen Owner", "owen@a.example").await;
        let (breach, opened) = breach_in(ashby.id, t(60));
        store.insert_incident(&breach, &opened).await.unwrap();
        assert_eq!(
            store.incident(ashby.id, breach.id).await.unwrap(),
            breach,
            "{engine}"
        );

        let (step, e) = assign_owner(&breach, owner.id, clerk.id, t(61)).unwrap();
        store.update_incident(&step, &e).await.unwrap();
        let (step, e) = set_became_aware(&step, t(30), clerk.id, t(61)).unwrap();
        store.update_incident(&step, &e).await.unwrap();
        let (step, e) =
            record_ico_decision(&step, true, "Home addresses", Some(t(90)), clerk.id, t(91))
                .unwrap();
        store.update_incident(&step, &e).await.unwrap();
        let (step, e) =
            record_people_told(&step, PeopleTold::Yes, "Each was phoned", clerk.id, t(92)).unwrap();
        store.update_incident(&step, &e).await.unwrap();
        let (closed, e) =
            close(&step, "Recipients deleted it", "Use BCC", clerk.id, t(93)).unwrap();
        store.update_incident(&closed, &e).await.unwrap();

        let stored = store.incident(ashby.id, breach.id).await.unwrap();
        assert_eq!(stored, closed, "{engine}: every field read back as written");
        assert_eq!(stored.revision, 5, "{engine}");
        assert!(
            matches!(
                stored.breach_clock(t(10_000)),
                Some(BreachClock::DecidedInTime { at, .. }) if at == t(90)
            ),
            "{engine}"
        );
        assert!(
            store.open_breaches(ashby.id).await.unwrap().is_empty(),
            "{engine}"
        );
        let actions: Vec<String> = store
            .entries(ashby.id, &all())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.subject == format!("incident:{}", breach.id))
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "incident.closed",
                "incident.people_told",
                "incident.breach_decided",
                "incident.updated",
                "incident.updated",
                "incident.opened"
            ],
            "{engine}: newest first"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_change_from_a_stale_page_is_refused_and_changes_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let chair = add(store, ashby.id, "Chris Chair", "chair@a.example").await;
        let (breach, opened) = breach_in(ashby.id, t(60));
        store.insert_incident(&breach, &opened).await.unwrap();
        // Two pages opened on the same revision; the first to save wins.
        let (first, e1) = assign_owner(&breach, clerk.id, clerk.id, t(61)).unwrap();
        let (second, e2) =
            record_ico_decision(&breach, false, "Low risk", None, chair.id, t(62)).unwrap();
        store.update_incident(&first, &e1).await.unwrap();
        let err = store.update_incident(&second, &e2).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(m) if m.contains("reload the page")),
            "{engine}: {err:?}"
        );
        assert_eq!(
            store.incident(ashby.id, breach.id).await.unwrap(),
            first,
            "{engine}"
        );
        let decided = AuditQuery {
            action_prefix: Some("incident.breach_decided".into()),
            ..all()
        };
        assert!(
            store.entries(ashby.id, &decided).await.unwrap().is_empty(),
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_timeline_is_append_only_in_order_and_kept_within_its_council() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, bryn_clerk) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let (breach, opened) = breach_in(ashby.id, t(60));
        store.insert_incident(&breach, &opened).await.unwrap();
        let mut written = Vec::new();
        for (minute, text) in [
            (61, "Asked recipients to delete it"),
            (62, "Told the Chair"),
            (62, "Checked the list settings"),
        ] {
            let (entry, added) = add_action(&breach, text, clerk.id, t(minute)).unwrap();
            store.add_incident_action(&entry, &added).await.unwrap();
            written.push(entry);
        }
        assert_eq!(
            store.incident_actions(ashby.id, breach.id).await.unwrap(),
            written,
            "{engine}: oldest first, in the order added"
        );
        // Adding to the timeline leaves the incident itself (and its revision) alone.
        assert_eq!(
            store.incident(ashby.id, breach.id).await.unwrap(),
            breach,
            "{engine}"
        );

        // Another council cannot read, change or add to it.
        let err = store
            .incident_actions(bryn.id, breach.id)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("incident")),
            "{engine}: {err:?}"
        );
        let mut foreign = written[0].clone();
        foreign.council_id = bryn.id;
        foreign.by = bryn_clerk.id;
        let err = store
            .add_incident_action(
                &foreign,
                &event(
                    bryn.id,
                    t(63),
                    Actor::Person(bryn_clerk.id),
                    "incident.action_added",
                ),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("incident")),
            "{engine}: {err:?}"
        );
        let (owned, e) = assign_owner(&breach, clerk.id, clerk.id, t(64)).unwrap();
        let mut moved = owned.clone();
        moved.council_id = bryn.id;
        let err = store
            .update_incident(
                &moved,
                &event(
                    bryn.id,
                    t(64),
                    Actor::Person(bryn_clerk.id),
                    "incident.updated",
                ),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{engine}: {err:?}");
        // A person of another council cannot be named as owner or author.
        let (stolen, e2) = assign_owner(&breach, bryn_clerk.id, clerk.id, t(64)).unwrap();
        let err = store.update_incident(&stolen, &e2).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("person")),
            "{engine}: {err:?}"
        );
        let (entry, added) = add_action(&breach, "x", bryn_clerk.id, t(65)).unwrap();
        let err = store.add_incident_action(&entry, &added).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("person")),
            "{engine}: {err:?}"
        );
        store.update_incident(&owned, &e).await.unwrap();
        assert_eq!(
            store
                .incident_actions(ashby.id, breach.id)
                .await
                .unwrap()
                .len(),
            3,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn only_open_breaches_of_the_council_are_listed_for_their_clocks() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let (older, e) = breach_in(ashby.id, t(10));
        store.insert_incident(&older, &e).await.unwrap();
        let (newer, e) = breach_in(ashby.id, t(20));
        store.insert_incident(&newer, &e).await.unwrap();
        let (theirs, e) = breach_in(bryn.id, t(30));
        store.insert_incident(&theirs, &e).await.unwrap();
        let (lost, e) = open_incident(
            ashby.id,
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::LostOrStolenDevice,
                summary: "Phone".into(),
                happened_at: None,
            },
            Actor::System,
            t(40),
        )
        .unwrap();
        store.insert_incident(&lost, &e).await.unwrap();
        assert_eq!(
            store.open_breaches(ashby.id).await.unwrap(),
            vec![older.clone(), newer.clone()],
            "{engine}: oldest first"
        );
        let (step, e) = record_ico_decision(&older, false, "Low", None, clerk.id, t(50)).unwrap();
        store.update_incident(&step, &e).await.unwrap();
        let (step, e) =
            record_people_told(&step, PeopleTold::NotNeeded, "Low", clerk.id, t(50)).unwrap();
        store.update_incident(&step, &e).await.unwrap();
        let (step, e) = close(&step, "Done", "None", clerk.id, t(51)).unwrap();
        store.update_incident(&step, &e).await.unwrap();
        assert_eq!(
            store.open_breaches(ashby.id).await.unwrap(),
            vec![newer],
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn an_incident_closed_before_the_workflow_existed_still_reads_as_closed() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        // Closed as the first version did (status only, nobody recorded as closing it): the
        // state migration 0011 finds in an existing database.
        let (mut incident, opened) = open_incident(
            ashby.id,
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::PersonalDataBreach,
                summary: "Email sent to the wrong list".to_owned(),
                happened_at: None,
            },
            Actor::Person(clerk.id),
            t(5),
        )
        .unwrap();
        incident.status = IncidentStatus::Closed;
        store.insert_incident(&incident, &opened).await.unwrap();
        let read = store.incident(ashby.id, incident.id).await.unwrap();
        assert_eq!(read.status, IncidentStatus::Closed, "{engine}");
        assert!(read.closure.is_none(), "{engine}");
        assert!(!read.is_open(), "{engine}");
        assert_eq!(
            store.incidents(ashby.id).await.unwrap().len(),
            1,
            "{engine}"
        );
        db.finish().await;
    }
}
