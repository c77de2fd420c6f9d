//! Contract cases: the vault key's settings and rotation, recovery kits, notifications, the
//! refusal of anything that is not sealed text, and the vault in an export.

use super::*;
use custodian_core::ids::{AccessGrantId, EmergencyId};
use custodian_core::ports::{RecoveryKitRecord, Rewrapped, VaultSettings};
use custodian_core::vault::{AccessGrant, EmergencyAccess, VaultItem};

fn settings(tag: &str, salt: Option<&str>) -> VaultSettings {
    VaultSettings {
        key_check: sealed(tag),
        passphrase_salt: salt.map(str::to_owned),
    }
}

#[tokio::test]
async fn the_vault_settings_are_recorded_once() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        assert_eq!(store.vault_settings().await.unwrap(), None, "{engine}");
        let first = settings("check", Some("00ff"));
        store.init_vault_settings(&first).await.unwrap();
        let err = store
            .init_vault_settings(&settings("other", None))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{engine}: {err:?}");
        assert_eq!(
            store.vault_settings().await.unwrap(),
            Some(first),
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_key_rotation_rewraps_every_item_or_none() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, bryn_clerk) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let website = store_item(store, &clerk, "Website", vec![]).await;
        let wifi = store_item(store, &bryn_clerk, "Wi-Fi", vec![]).await;
        let old_settings = settings("old check", None);
        store.init_vault_settings(&old_settings).await.unwrap();

        let keys = store.wrapped_item_keys().await.unwrap();
        assert_eq!(keys.len(), 2, "{engine}");
        let rewrapped: Vec<Rewrapped> = keys
            .iter()
            .map(|(_, r)| Rewrapped {
                new: sealed(&format!("new key {}", r.item)),
                ..r.clone()
            })
            .collect();
        let new_settings = settings("new check", Some("abcd"));
        let rotated = [
            event(ashby.id, t(80), Actor::Operator, "vault.key_rotated"),
            event(bryn.id, t(80), Actor::Operator, "vault.key_rotated"),
        ];
        let before = entry_total(store).await;

        let mut one_stale = rewrapped.clone();
        one_stale[1].old = sealed("not what is stored");
        let missing_one = &rewrapped[..1];
        for attempt in [&one_stale[..], missing_one] {
            let err = store
                .rewrap_item_keys(attempt, &new_settings, &rotated)
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Conflict(_)), "{engine}: {err:?}");
            assert_eq!(store.wrapped_item_keys().await.unwrap(), keys, "{engine}");
            assert_eq!(
                store.vault_settings().await.unwrap(),
                Some(old_settings.clone()),
                "{engine}"
            );
            assert_eq!(entry_total(store).await, before, "{engine}");
        }

        store
            .rewrap_item_keys(&rewrapped, &new_settings, &rotated)
            .await
            .unwrap();
        assert_eq!(
            store
                .sealed_item(ashby.id, website.id)
                .await
                .unwrap()
                .wrapped_key,
            sealed(&format!("new key {}", website.id)),
            "{engine}"
        );
        assert_eq!(
            store
                .sealed_item(bryn.id, wifi.id)
                .await
                .unwrap()
                .wrapped_key,
            sealed(&format!("new key {}", wifi.id)),
            "{engine}"
        );
        assert_eq!(
            store.vault_settings().await.unwrap(),
            Some(new_settings),
            "{engine}"
        );
        assert_eq!(entry_total(store).await, before + 2, "{engine}");
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_recovery_kit_replaces_the_last_one() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        assert_eq!(
            store.recovery_kit(ashby.id).await.unwrap(),
            None,
            "{engine}"
        );
        let kit = |id: &str, at: Timestamp| RecoveryKitRecord {
            council_id: ashby.id,
            kit_id: id.to_owned(),
            public_key: random_hex(),
            issued_at: at,
            holders: vec![
                "Chair: Margaret Hale".to_owned(),
                "Clerk: Zoë \"Z\" Ng".to_owned(),
            ],
        };
        let issued = event(ashby.id, t(90), Actor::Operator, "vault.kit_issued");
        let first = kit("kit-1", t(90));
        store.replace_recovery_kit(&first, &issued).await.unwrap();
        assert_eq!(
            store.recovery_kit(ashby.id).await.unwrap(),
            Some(first),
            "{engine}"
        );
        let second = kit("kit-2", t(91));
        store.replace_recovery_kit(&second, &issued).await.unwrap();
        assert_eq!(
            store.recovery_kit(ashby.id).await.unwrap(),
            Some(second),
            "{engine}"
        );
        assert_eq!(store.recovery_kit(bryn.id).await.unwrap(), None, "{engine}");
        let kits = AuditQuery {
            action_prefix: Some("vault.kit_issued".into()),
            ..all()
        };
        assert_eq!(
            store.entries(ashby.id, &kits).await.unwrap().len(),
            2,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn notifications_are_listed_per_person_newest_first_and_dismissed_only_by_them() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let chair = add(store, ashby.id, "Cora Chair", "chair@a.example").await;
        let older = note(&clerk, "Older", t(1));
        let newer = note(&clerk, "Newer", t(2));
        let chairs = note(&chair, "For the Chair", t(3));
        store
            .change_vault(
                ashby.id,
                &VaultChange {
                    notifications: &[older.clone(), chairs.clone(), newer.clone()],
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            store.notifications(ashby.id, clerk.id).await.unwrap(),
            vec![newer.clone(), older.clone()],
            "{engine}"
        );
        let err = store
            .dismiss_notification(ashby.id, clerk.id, chairs.id, t(4))
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "notification"), "{engine}: {err:?}");
        let err = store
            .dismiss_notification(bryn.id, chair.id, chairs.id, t(4))
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "notification"), "{engine}: {err:?}");
        assert_eq!(
            store.notifications(ashby.id, chair.id).await.unwrap(),
            vec![chairs],
            "{engine}"
        );
        store
            .dismiss_notification(ashby.id, clerk.id, newer.id, t(4))
            .await
            .unwrap();
        assert_eq!(
            store.notifications(ashby.id, clerk.id).await.unwrap(),
            vec![older],
            "{engine}"
        );
        assert!(
            store
                .notifications(bryn.id, clerk.id)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_sealed_columns_refuse_text_that_is_not_sealed() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        for plain in ["hunter2", "V1:00ff", ""] {
            let mut bare_key = item(ashby.id, "Website", vec![]);
            let secrets = set_secrets(&mut bare_key, &[SecretField::Password], "x");
            let result = store
                .insert_vault_item(
                    plain,
                    &VaultChange {
                        item: Some(&bare_key),
                        sealed: &secrets,
                        ..VaultChange::default()
                    },
                )
                .await;
            assert!(
                result.is_err(),
                "{engine}: a wrapped key {plain:?} was stored"
            );

            let mut bare_secret = item(ashby.id, "Website", vec![]);
            let mut secrets = set_secrets(&mut bare_secret, &[SecretField::Password], "x");
            secrets[0].sealed = plain.to_owned();
            let result = store
                .insert_vault_item(
                    &sealed("key"),
                    &VaultChange {
                        item: Some(&bare_secret),
                        sealed: &secrets,
                        ..VaultChange::default()
                    },
                )
                .await;
            assert!(result.is_err(), "{engine}: a secret {plain:?} was stored");

            let result = store
                .init_vault_settings(&VaultSettings {
                    key_check: plain.to_owned(),
                    passphrase_salt: None,
                })
                .await;
            assert!(
                result.is_err(),
                "{engine}: a key check {plain:?} was stored"
            );
        }
        assert!(
            store.vault_items(ashby.id).await.unwrap().is_empty(),
            "{engine}"
        );
        assert_eq!(store.vault_settings().await.unwrap(), None, "{engine}");

        // Beneath the store too: the schema itself refuses.
        let stored = store_item(store, &clerk, "Website", vec![]).await;
        let raw = sqlx::query("UPDATE vault_secrets SET sealed = 'hunter2' WHERE item_id = $1")
            .bind(stored.id.to_string())
            .execute(store.write_pool())
            .await;
        assert!(raw.is_err(), "{engine}: the schema stored plaintext");
        let raw = sqlx::query("UPDATE vault_items SET wrapped_key = 'k' WHERE id = $1")
            .bind(stored.id.to_string())
            .execute(store.write_pool())
            .await;
        assert!(raw.is_err(), "{engine}: the schema stored a bare key");
        db.finish().await;
    }
}

/// What [`sample_vault`] stored.
pub(in super::super) struct VaultSample {
    item: VaultItem,
    grants: Vec<AccessGrant>,
    emergencies: Vec<EmergencyAccess>,
    kit: RecoveryKitRecord,
}

/// A row in every vault table, with awkward text: an item naming `other` with two secrets, an
/// approved and a pending request, an objected emergency and a waiting one, the key settings, a
/// recovery kit and a notification. Used by the export cases.
pub(in super::super) async fn sample_vault(
    store: &Store,
    clerk: &Person,
    other: &Person,
) -> VaultSample {
    let council = clerk.council_id;
    let item = store_item(store, clerk, "Website \"admin\"\n🔑", vec![other.id]).await;
    store
        .init_vault_settings(&settings("check", Some("00ff")))
        .await
        .unwrap();
    let asked = event(
        council,
        t(50),
        Actor::Person(other.id),
        "vault.access_requested",
    );
    let ask = |reason: &str, at: Timestamp| {
        AccessGrant::request(
            AccessGrantId::generate(),
            council,
            other.id,
            vec![item.id],
            reason,
            4,
            at,
        )
        .unwrap()
    };
    let mut approved = ask("Posting the \"agenda\"\nbefore 7 — café", t(50));
    store
        .insert_grant(&approved, &[note(clerk, "Zoë asks 📝", t(50))], &asked)
        .await
        .unwrap();
    approved
        .approve(
            clerk.id,
            RoleSet::of(&[Role::Clerk]),
            std::slice::from_ref(&item),
            t(51),
        )
        .unwrap();
    store.save_grant(&approved, &[], &asked).await.unwrap();
    let pending = ask("Again", t(52));
    store.insert_grant(&pending, &[], &asked).await.unwrap();
    let open = |at: Timestamp| {
        EmergencyAccess::open(
            EmergencyId::generate(),
            council,
            other.id,
            "Locked out;\n\"urgent\"",
            24,
            at,
        )
        .unwrap()
    };
    let mut objected = open(t(60));
    store
        .insert_emergency(&objected, &[], &asked)
        .await
        .unwrap();
    objected
        .object(clerk.id, RoleSet::of(&[Role::Clerk]), "Not \"now\"", t(61))
        .unwrap();
    store.save_emergency(&objected, &[], &asked).await.unwrap();
    let waiting = open(t(62));
    store.insert_emergency(&waiting, &[], &asked).await.unwrap();
    let kit = RecoveryKitRecord {
        council_id: council,
        kit_id: "kit-1".to_owned(),
        public_key: random_hex(),
        issued_at: t(63),
        holders: vec!["Chair: Zoë \"Z\" O'Brien".to_owned()],
    };
    store.replace_recovery_kit(&kit, &asked).await.unwrap();
    VaultSample {
        item,
        grants: vec![pending, approved],
        emergencies: vec![waiting, objected],
        kit,
    }
}

#[tokio::test]
async fn the_vault_survives_an_export_and_import() {
    let target = match postgres_url() {
        Some(url) => Backend::Postgres(url),
        None => Backend::Sqlite,
    };
    let source = Backend::Sqlite.fresh().await;
    let store = &source.store;
    let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
    let chair = add(store, ashby.id, "Cora Chair", "chair@a.example").await;
    let sample = sample_vault(store, &clerk, &chair).await;
    let first = export(store).await;

    let copy = target.fresh().await;
    import(&copy.store, &first).await.unwrap();
    let engine = copy.engine;
    assert_eq!(
        String::from_utf8(export(&copy.store).await).unwrap(),
        String::from_utf8(first).unwrap(),
        "{engine}"
    );
    let id = sample.item.id;
    assert_eq!(
        copy.store.vault_item(ashby.id, id).await.unwrap(),
        sample.item,
        "{engine}"
    );
    assert_eq!(
        copy.store.sealed_item(ashby.id, id).await.unwrap(),
        store.sealed_item(ashby.id, id).await.unwrap(),
        "{engine}"
    );
    assert_eq!(
        copy.store.grants(ashby.id).await.unwrap(),
        sample.grants,
        "{engine}"
    );
    assert_eq!(
        copy.store.emergencies(ashby.id).await.unwrap(),
        sample.emergencies,
        "{engine}"
    );
    assert_eq!(
        copy.store.recovery_kit(ashby.id).await.unwrap(),
        Some(sample.kit),
        "{engine}"
    );
    assert_eq!(
        copy.store.vault_settings().await.unwrap(),
        store.vault_settings().await.unwrap(),
        "{engine}"
    );
    assert_eq!(
        copy.store.notifications(ashby.id, clerk.id).await.unwrap(),
        store.notifications(ashby.id, clerk.id).await.unwrap(),
        "{engine}"
    );
    source.finish().await;
    copy.finish().await;
}
