//! Contract cases: email — settings saved and replaced with their audit entry; the outbox
//! keeps each dedupe key once per council; due messages are claimed once; failures, give-ups
//! and retries by hand are stored as decided; an incident and its alerts are stored together;
//! another council's messages are out of reach.

use super::*;
use custodian_core::mail::{
    MailId, MailKind, MailSettings, MailSettingsInput, MailStatus, NewMail, OutgoingMail,
    check_settings,
};
use custodian_core::ports::MailStore;

fn settings(council: CouncilId, at: Timestamp) -> MailSettings {
    let input = MailSettingsInput {
        enabled: true,
        host: "smtp.example.org",
        port: "587",
        security: "starttls",
        username: "clerk",
        from_address: "clerk@ashby.example",
        from_name: "Ashby \"Parish\" Council — Clerk",
        digest_hour: "7",
    };
    check_settings(council, &input, Some("v1:00ff".to_owned()), at).unwrap()
}

fn message(person: &Person, key: &str, at: Timestamp) -> OutgoingMail {
    OutgoingMail::new(
        MailId::generate(),
        NewMail {
            council_id: person.council_id,
            recipient: person.id,
            address: &person.email,
            subject: "Your digest: 2 things due",
            body: "Policy review due.\nZoë's declaration unsigned.",
            kind: MailKind::Digest,
            dedupe_key: key.to_owned(),
        },
        at,
    )
    .unwrap()
}

/// The sample's email: settings, one message sent and one waiting after a failure.
pub(super) async fn sample_mail(store: &Store, person: &Person) {
    let council = person.council_id;
    store
        .save_mail_settings(
            &settings(council, t(40)),
            &event(
                council,
                t(40),
                Actor::Person(person.id),
                "mail.settings_changed",
            ),
        )
        .await
        .unwrap();
    let sent = message(person, "digest:sample:1", t(41));
    let failing = message(person, "digest:sample:2", t(41));
    store
        .enqueue_mail(&[sent.clone(), failing.clone()])
        .await
        .unwrap();
    store.claim_due_mail(t(41), t(56), 10).await.unwrap();
    store.mark_mail_sent(council, sent.id, t(42)).await.unwrap();
    store
        .mark_mail_failed(
            council,
            failing.id,
            t(42),
            "connection \"refused\"",
            Some(t(43)),
            None,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn settings_are_saved_replaced_and_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        assert!(store.mail_settings(ashby.id).await.unwrap().is_none());
        let first = settings(ashby.id, t(1));
        let changed = event(
            ashby.id,
            t(1),
            Actor::Person(clerk.id),
            "mail.settings_changed",
        );
        store.save_mail_settings(&first, &changed).await.unwrap();
        assert_eq!(
            store.mail_settings(ashby.id).await.unwrap(),
            Some(first.clone()),
            "{engine}"
        );
        let second = MailSettings {
            enabled: false,
            password_sealed: None,
            port: 465,
            ..first
        };
        store.save_mail_settings(&second, &changed).await.unwrap();
        assert_eq!(
            store.mail_settings(ashby.id).await.unwrap(),
            Some(second),
            "{engine}"
        );
        let actions: Vec<_> = all_entries(store)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "mail.settings_changed")
                .count(),
            2,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_dedupe_key_is_queued_once_per_council_and_due_mail_is_claimed_once() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (_, bryn_clerk) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let key = "digest:x:2026-09-21";
        let queued = store
            .enqueue_mail(&[message(&clerk, key, t(1)), message(&clerk, key, t(1))])
            .await
            .unwrap();
        assert_eq!(queued, 1, "{engine}: the second copy is skipped");
        assert_eq!(
            store
                .enqueue_mail(&[message(&bryn_clerk, key, t(1))])
                .await
                .unwrap(),
            1,
            "{engine}: another council may use the same key"
        );

        let claimed = store.claim_due_mail(t(1), t(16), 10).await.unwrap();
        assert_eq!(claimed.len(), 2, "{engine}");
        assert!(
            store
                .claim_due_mail(t(2), t(17), 10)
                .await
                .unwrap()
                .is_empty(),
            "{engine}: claimed messages are left alone until the lease ends"
        );
        assert_eq!(
            store.claim_due_mail(t(16), t(31), 10).await.unwrap().len(),
            2
        );
        let outbox = store.mail_outbox(ashby.id, 10).await.unwrap();
        assert_eq!(outbox.len(), 1, "{engine}: each council sees its own");
        assert_eq!(outbox[0].status(), MailStatus::Queued);
        db.finish().await;
    }
}

#[tokio::test]
async fn failures_give_ups_and_retries_are_stored_and_counted() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let mail = message(&clerk, "test:1", t(1));
        store
            .enqueue_mail(std::slice::from_ref(&mail))
            .await
            .unwrap();
        store.claim_due_mail(t(1), t(16), 10).await.unwrap();
        store
            .mark_mail_failed(ashby.id, mail.id, t(1), "refused", Some(t(2)), None)
            .await
            .unwrap();
        let trouble = store.mail_trouble(ashby.id, t(0)).await.unwrap();
        assert_eq!((trouble.retrying, trouble.given_up), (1, 0), "{engine}");

        let gave_up = event(ashby.id, t(3), Actor::System, "mail.given_up");
        store
            .mark_mail_failed(
                ashby.id,
                mail.id,
                t(3),
                "refused again",
                None,
                Some(&gave_up),
            )
            .await
            .unwrap();
        let stored = &store.mail_outbox(ashby.id, 10).await.unwrap()[0];
        assert_eq!(stored.status(), MailStatus::GivenUp, "{engine}");
        assert_eq!(stored.attempts, 2);
        assert_eq!(stored.last_error.as_deref(), Some("refused again"));
        let trouble = store.mail_trouble(ashby.id, t(0)).await.unwrap();
        assert_eq!((trouble.retrying, trouble.given_up), (0, 1), "{engine}");
        assert_eq!(
            store.mail_trouble(ashby.id, t(4)).await.unwrap().given_up,
            0
        );

        // Another council cannot retry it; its own Clerk can.
        let retried = event(bryn.id, t(5), Actor::System, "mail.retried");
        assert!(matches!(
            store.retry_mail_now(bryn.id, mail.id, t(5), &retried).await,
            Err(StoreError::NotFound(_))
        ));
        let retried = event(ashby.id, t(5), Actor::Person(clerk.id), "mail.retried");
        store
            .retry_mail_now(ashby.id, mail.id, t(5), &retried)
            .await
            .unwrap();
        let claimed = store.claim_due_mail(t(5), t(20), 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "{engine}");
        assert_eq!(claimed[0].attempts, 0);
        store.mark_mail_sent(ashby.id, mail.id, t(6)).await.unwrap();
        assert!(
            matches!(
                store
                    .retry_mail_now(ashby.id, mail.id, t(7), &retried)
                    .await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}: a sent message is not retried"
        );
        let actions: Vec<_> = all_entries(store)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"mail.given_up".to_owned()));
        assert!(actions.contains(&"mail.retried".to_owned()));
        db.finish().await;
    }
}

#[tokio::test]
async fn an_incident_and_its_alerts_are_stored_together_or_not_at_all() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let report = IncidentReport {
            kind: IncidentKind::LostOrStolenDevice,
            summary: "Laptop left on the train".to_owned(),
            happened_at: None,
        };
        let (incident, opened) = open_incident(
            ashby.id,
            IncidentId::generate(),
            report,
            Actor::Person(clerk.id),
            t(1),
        )
        .unwrap();
        let alert = message(&clerk, &format!("incident:{}", incident.id), t(1));

        // An audit entry for another council: refused, and nothing stored.
        let wrong = event(bryn.id, t(1), Actor::Person(clerk.id), "incident.reported");
        assert!(
            store
                .insert_incident_with_mail(&incident, &wrong, std::slice::from_ref(&alert))
                .await
                .is_err()
        );
        assert!(
            store.incidents(ashby.id).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(
            store.mail_outbox(ashby.id, 10).await.unwrap().is_empty(),
            "{engine}"
        );

        store
            .insert_incident_with_mail(&incident, &opened, std::slice::from_ref(&alert))
            .await
            .unwrap();
        assert_eq!(
            store.incidents(ashby.id).await.unwrap().len(),
            1,
            "{engine}"
        );
        assert_eq!(
            store.mail_outbox(ashby.id, 10).await.unwrap().len(),
            1,
            "{engine}"
        );
        db.finish().await;
    }
}
