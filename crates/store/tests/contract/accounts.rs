//! Contract cases: accounts, invitations and sessions.

use super::*;

#[tokio::test]
async fn an_invitation_can_be_accepted_once_and_links_the_person_to_their_account() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;

        let invite = invitation(&alice, t(2));
        store
            .insert_invitation(
                &invite,
                &event(ashby.id, t(2), Actor::Operator, "person.invited"),
            )
            .await
            .unwrap();
        assert_eq!(
            store.invitation(&invite.token_hash).await.unwrap(),
            Some(invite.clone()),
            "{engine}"
        );
        assert_eq!(
            store.invitation(&random_hex()).await.unwrap(),
            None,
            "{engine}"
        );

        let acct = account("alice@a.example");
        let accepted = event(
            ashby.id,
            t(5),
            Actor::Person(alice.id),
            "person.invitation_accepted",
        );
        store
            .accept_invitation(&invite.token_hash, &acct, true, alice.id, &accepted)
            .await
            .unwrap();

        let stored = store.person(ashby.id, alice.id).await.unwrap();
        assert_eq!(stored.status, PersonStatus::Active, "{engine}");
        assert_eq!(stored.account_id, Some(acct.id), "{engine}");
        assert_eq!(store.account(acct.id).await.unwrap(), acct, "{engine}");
        assert_eq!(
            store.account_by_email(&acct.email).await.unwrap(),
            Some(acct.clone()),
            "{engine}"
        );
        assert_eq!(
            store
                .account_by_email(&email("nobody@a.example"))
                .await
                .unwrap(),
            None,
            "{engine}"
        );
        assert!(
            matches!(
                store.account(AccountId::generate()).await,
                Err(StoreError::NotFound("account"))
            ),
            "{engine}"
        );
        assert_eq!(
            store
                .invitation(&invite.token_hash)
                .await
                .unwrap()
                .unwrap()
                .used_at,
            Some(t(5)),
            "{engine}"
        );
        let before = all_entries(store).await;

        // The link works once.
        let err = store
            .accept_invitation(&invite.token_hash, &acct, false, alice.id, &accepted)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: a second accept must be a Conflict, got {err:?}"
        );
        assert_eq!(
            all_entries(store).await,
            before,
            "{engine}: the refused accept left no audit entry"
        );

        // The same account joins another council through that council's invitation.
        let alice_in_bryn = add(store, bryn.id, "Alice Adams", "alice@b.example").await;
        invite_and_accept(store, &alice_in_bryn, &acct, false).await;
        let memberships = store.people_for_account(acct.id).await.unwrap();
        let mut councils: Vec<CouncilId> = memberships.iter().map(|p| p.council_id).collect();
        councils.sort();
        let mut expected = vec![ashby.id, bryn.id];
        expected.sort();
        assert_eq!(councils, expected, "{engine}: memberships across councils");

        // A new account with an address that already has one is refused whole.
        let carol = add(store, ashby.id, "Carol Clark", "carol@a.example").await;
        let carol_invite = invitation(&carol, t(3));
        store
            .insert_invitation(
                &carol_invite,
                &event(ashby.id, t(3), Actor::Operator, "person.invited"),
            )
            .await
            .unwrap();
        let clash = account("alice@a.example");
        let err = store
            .accept_invitation(
                &carol_invite.token_hash,
                &clash,
                true,
                carol.id,
                &event(
                    ashby.id,
                    t(4),
                    Actor::Person(carol.id),
                    "person.invitation_accepted",
                ),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store
                .invitation(&carol_invite.token_hash)
                .await
                .unwrap()
                .unwrap()
                .used_at,
            None,
            "{engine}: the invitation is still usable after the refused accept"
        );
        assert_eq!(
            store.person(ashby.id, carol.id).await.unwrap().status,
            PersonStatus::Invited,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn account_security_changes_are_stored_and_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let mut acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        acct.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA".to_owned();
        acct.totp_secret = Some("JBSWY3DPEHPK3PXP".to_owned());
        acct.recovery_code_hashes = vec![random_hex(), random_hex()];
        store
            .update_account_security(
                &acct,
                &event(
                    ashby.id,
                    t(6),
                    Actor::Person(alice.id),
                    "account.mfa_enabled",
                ),
            )
            .await
            .unwrap();
        assert_eq!(store.account(acct.id).await.unwrap(), acct, "{engine}");
        assert_eq!(
            store.entries(ashby.id, &all()).await.unwrap()[0].action,
            "account.mfa_enabled",
            "{engine}"
        );
        let stranger = account("stranger@a.example");
        let err = store
            .update_account_security(
                &stranger,
                &event(ashby.id, t(6), Actor::System, "account.mfa_enabled"),
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
async fn sessions_can_be_stored_found_touched_and_ended() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        let signed_in = event(ashby.id, t(6), Actor::Person(alice.id), "signin.succeeded");
        let session = |at: Timestamp| Session {
            token_hash: random_hex(),
            account_id: acct.id,
            council_id: ashby.id,
            person_id: alice.id,
            csrf_token: random_hex(),
            mfa_passed: false,
            created_at: at,
            last_seen_at: at,
        };

        let first = session(t(6));
        store.insert_session(&first, &signed_in).await.unwrap();
        assert_eq!(
            store.session(&first.token_hash).await.unwrap(),
            Some(first.clone()),
            "{engine}"
        );
        assert_eq!(
            store.session(&random_hex()).await.unwrap(),
            None,
            "{engine}"
        );

        store.touch_session(&first.token_hash, t(9)).await.unwrap();
        let touched = store.session(&first.token_hash).await.unwrap().unwrap();
        assert_eq!(touched.last_seen_at, t(9), "{engine}");
        assert_eq!(touched.created_at, t(6), "{engine}");

        let mut passed = touched.clone();
        passed.mfa_passed = true;
        passed.last_seen_at = t(10);
        store.update_session(&passed).await.unwrap();
        assert_eq!(
            store.session(&first.token_hash).await.unwrap(),
            Some(passed.clone()),
            "{engine}"
        );

        let signed_out = event(ashby.id, t(11), Actor::Person(alice.id), "signout");
        store
            .delete_session(&first.token_hash, Some(&signed_out))
            .await
            .unwrap();
        assert_eq!(
            store.session(&first.token_hash).await.unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store.entries(ashby.id, &all()).await.unwrap()[0].action,
            "signout",
            "{engine}"
        );

        let second = session(t(12));
        let third = session(t(13));
        store.insert_session(&second, &signed_in).await.unwrap();
        store.insert_session(&third, &signed_in).await.unwrap();
        let everywhere = event(
            ashby.id,
            t(14),
            Actor::Person(alice.id),
            "signout.everywhere",
        );
        assert_eq!(
            store
                .delete_account_sessions(acct.id, &everywhere)
                .await
                .unwrap(),
            2,
            "{engine}"
        );
        assert_eq!(
            store.session(&second.token_hash).await.unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store.session(&third.token_hash).await.unwrap(),
            None,
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_failed_sign_in_updates_the_account_and_appends_one_event_per_council_given() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let (cwm, _) = found(store, "Cwm Parish Council", "clerk@c.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let alice_b = add(store, bryn.id, "Alice Adams", "alice@a.example").await;
        let acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        invite_and_accept(store, &alice_b, &acct, false).await;
        let cwm_before = store.entries(cwm.id, &all()).await.unwrap();

        store
            .record_failed_sign_in(
                acct.id,
                3,
                Some(t(30)),
                &[
                    event(ashby.id, t(20), Actor::Person(alice.id), "signin.failed"),
                    event(bryn.id, t(20), Actor::Person(alice_b.id), "signin.failed"),
                ],
            )
            .await
            .unwrap();
        let stored = store.account(acct.id).await.unwrap();
        assert_eq!(stored.failed_attempts, 3, "{engine}");
        assert_eq!(stored.locked_until, Some(t(30)), "{engine}");
        let failed = AuditQuery {
            action_prefix: Some("signin.failed".into()),
            ..all()
        };
        for council in [ashby.id, bryn.id] {
            let entries = store.entries(council, &failed).await.unwrap();
            assert_eq!(entries.len(), 1, "{engine}: one event in council {council}");
            assert!(entries[0].actor.starts_with("person:"), "{engine}");
        }
        assert_eq!(
            store.entries(cwm.id, &all()).await.unwrap(),
            cwm_before,
            "{engine}: a council not given is untouched"
        );

        // Unlocking clears the lock.
        store
            .record_failed_sign_in(acct.id, 0, None, &[])
            .await
            .unwrap();
        let stored = store.account(acct.id).await.unwrap();
        assert_eq!(
            (stored.failed_attempts, stored.locked_until),
            (0, None),
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_password_reset_link_sets_a_new_hash_once_unlocks_and_ends_every_session() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let invite = invitation(&alice, t(2));
        let invited = event(ashby.id, t(2), Actor::Operator, "invitation.created");
        store.insert_invitation(&invite, &invited).await.unwrap();
        let acct = account("alice@a.example");
        let accepted = event(
            ashby.id,
            t(3),
            Actor::Person(alice.id),
            "invitation.accepted",
        );
        store
            .accept_invitation(&invite.token_hash, &acct, true, alice.id, &accepted)
            .await
            .unwrap();
        let locked = event(ashby.id, t(4), Actor::Anonymous, "signin.failed");
        store
            .record_failed_sign_in(acct.id, 10, Some(t(60)), &[locked])
            .await
            .unwrap();
        let session = Session {
            token_hash: random_hex(),
            account_id: acct.id,
            council_id: ashby.id,
            person_id: alice.id,
            csrf_token: random_hex(),
            mfa_passed: true,
            created_at: t(4),
            last_seen_at: t(4),
        };
        let signed_in = event(ashby.id, t(4), Actor::Person(alice.id), "signin.succeeded");
        store.insert_session(&session, &signed_in).await.unwrap();

        let reset = Invitation {
            purpose: LinkPurpose::PasswordReset,
            ..invitation(&alice, t(5))
        };
        let spare = Invitation {
            purpose: LinkPurpose::PasswordReset,
            ..invitation(&alice, t(6))
        };
        for link in [&reset, &spare] {
            let made = event(
                ashby.id,
                link.created_at,
                Actor::Operator,
                "password_reset.created",
            );
            store.insert_invitation(link, &made).await.unwrap();
        }
        assert_eq!(
            store
                .invitation(&reset.token_hash)
                .await
                .unwrap()
                .map(|i| i.purpose),
            Some(LinkPurpose::PasswordReset),
            "{engine}"
        );
        // An invitation link (wrong purpose) cannot be used to reset a password.
        let done = event(
            ashby.id,
            t(7),
            Actor::Person(alice.id),
            "password_reset.completed",
        );
        assert!(
            matches!(
                store
                    .reset_password(&invite.token_hash, alice.id, acct.id, "$new", &done)
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{engine}"
        );
        store
            .reset_password(&reset.token_hash, alice.id, acct.id, "$argon2id$new", &done)
            .await
            .unwrap();
        let after = store.account(acct.id).await.unwrap();
        assert_eq!(after.password_hash, "$argon2id$new", "{engine}");
        assert_eq!(
            (after.failed_attempts, after.locked_until),
            (0, None),
            "{engine}"
        );
        assert_eq!(
            store.session(&session.token_hash).await.unwrap(),
            None,
            "{engine}"
        );
        // The spare link stopped working when the first was used; the first works once.
        for link in [&reset, &spare] {
            assert!(
                store
                    .invitation(&link.token_hash)
                    .await
                    .unwrap()
                    .unwrap()
                    .used_at
                    .is_some(),
                "{engine}"
            );
            assert!(
                matches!(
                    store
                        .reset_password(&link.token_hash, alice.id, acct.id, "$again", &done)
                        .await,
                    Err(StoreError::Conflict(_))
                ),
                "{engine}"
            );
        }
        assert_eq!(
            store.account(acct.id).await.unwrap().password_hash,
            "$argon2id$new",
            "{engine}"
        );
        db.finish().await;
    }
}
