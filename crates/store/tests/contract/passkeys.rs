//! Contract cases: passkeys.

use super::*;

#[tokio::test]
async fn passkeys_can_be_added_listed_used_and_removed_and_each_change_is_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        let actor = || Actor::Person(alice.id);
        assert_eq!(store.passkeys(acct.id).await.unwrap(), vec![], "{engine}");

        let laptop = passkey(acct.id, "Work laptop", t(6));
        let phone = passkey(acct.id, "Phone", t(7));
        for key in [&phone, &laptop] {
            store
                .insert_passkey(
                    key,
                    &event(ashby.id, key.created_at, actor(), "mfa.passkey_added"),
                )
                .await
                .unwrap();
        }
        assert_eq!(
            store.passkeys(acct.id).await.unwrap(),
            vec![laptop.clone(), phone.clone()],
            "{engine}: oldest first"
        );

        // After a sign-in the credential (its counter) and the time of use change together.
        let mut used = laptop.clone();
        used.credential = json!({ "cred": { "counter": 7 } }).to_string();
        used.last_used_at = Some(t(8));
        used.name = "ignored: only the credential and time of use change".to_owned();
        store
            .record_passkey_use(
                &used,
                &event(ashby.id, t(8), actor(), "signin.succeeded")
                    .details(json!({ "second_factor": "passkey" })),
            )
            .await
            .unwrap();
        let stored = store.passkeys(acct.id).await.unwrap();
        assert_eq!(stored[0].credential, used.credential, "{engine}");
        assert_eq!(stored[0].last_used_at, Some(t(8)), "{engine}");
        assert_eq!(stored[0].name, "Work laptop", "{engine}");
        assert_eq!(stored[1], phone, "{engine}: the other passkey is untouched");

        store
            .delete_passkey(
                acct.id,
                &phone.id,
                &event(ashby.id, t(9), actor(), "mfa.passkey_removed"),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .passkeys(acct.id)
                .await
                .unwrap()
                .iter()
                .map(|k| k.id.clone())
                .collect::<Vec<_>>(),
            vec![laptop.id.clone()],
            "{engine}"
        );
        let actions: Vec<String> = store
            .entries(ashby.id, &all())
            .await
            .unwrap()
            .into_iter()
            .take(4)
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "mfa.passkey_removed",
                "signin.succeeded",
                "mfa.passkey_added",
                "mfa.passkey_added"
            ],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn another_accounts_passkey_cannot_be_used_or_removed_and_nothing_is_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let bob = add(store, ashby.id, "Bob Brown", "bob@a.example").await;
        let alice_acct = account("alice@a.example");
        let bob_acct = account("bob@a.example");
        invite_and_accept(store, &alice, &alice_acct, true).await;
        invite_and_accept(store, &bob, &bob_acct, true).await;
        let key = passkey(alice_acct.id, "Alice's key", t(6));
        store
            .insert_passkey(
                &key,
                &event(ashby.id, t(6), Actor::Person(alice.id), "mfa.passkey_added"),
            )
            .await
            .unwrap();
        let before = store.entries(ashby.id, &all()).await.unwrap();

        let err = store
            .delete_passkey(
                bob_acct.id,
                &key.id,
                &event(ashby.id, t(7), Actor::Person(bob.id), "mfa.passkey_removed"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("passkey")),
            "{engine}: got {err:?}"
        );
        let mut stolen = key.clone();
        stolen.account_id = bob_acct.id;
        stolen.credential = "{}".to_owned();
        stolen.last_used_at = Some(t(7));
        let err = store
            .record_passkey_use(
                &stolen,
                &event(ashby.id, t(7), Actor::Person(bob.id), "signin.succeeded"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("passkey")),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.passkeys(alice_acct.id).await.unwrap(),
            vec![key],
            "{engine}"
        );
        assert_eq!(
            store.passkeys(bob_acct.id).await.unwrap(),
            vec![],
            "{engine}"
        );
        assert_eq!(
            store.entries(ashby.id, &all()).await.unwrap(),
            before,
            "{engine}: a refused change leaves no audit entry"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_passkey_for_an_unknown_account_or_with_a_reused_id_is_refused_and_not_audited() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let alice = add(store, ashby.id, "Alice Adams", "alice@a.example").await;
        let acct = account("alice@a.example");
        invite_and_accept(store, &alice, &acct, true).await;
        let before = store.entries(ashby.id, &all()).await.unwrap();
        let added = || event(ashby.id, t(6), Actor::Person(clerk.id), "mfa.passkey_added");

        let orphan = passkey(AccountId::generate(), "Nobody's key", t(6));
        let result = store.insert_passkey(&orphan, &added()).await;
        assert!(
            result.is_err(),
            "{engine}: an unknown account must be refused"
        );

        let key = passkey(acct.id, "Work laptop", t(6));
        store.insert_passkey(&key, &added()).await.unwrap();
        let mut twin = passkey(acct.id, "Same id", t(7));
        twin.id = key.id.clone();
        let err = store.insert_passkey(&twin, &added()).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: got {err:?}"
        );
        assert_eq!(
            store.passkeys(acct.id).await.unwrap(),
            vec![key],
            "{engine}"
        );
        assert_eq!(
            store.entries(ashby.id, &all()).await.unwrap().len(),
            before.len() + 1,
            "{engine}: only the stored passkey is audited"
        );
        db.finish().await;
    }
}
