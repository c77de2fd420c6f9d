//! Contract cases: incidents.

use super::*;

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
