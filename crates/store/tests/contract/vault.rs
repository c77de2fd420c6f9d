//! Contract cases: the vault — items and their sealed secrets, changes guarded by revision and
//! stored whole or not at all, and the council boundary; access requests and emergencies are in
//! `vault/access.rs`, the key, kits, notifications and sealed-text checks in `vault/keys.rs`.

mod access;
mod keys;
mod reveals;

pub(super) use keys::sample_vault;

use super::*;
use custodian_core::ids::{AccessGrantId, NotificationId, VaultItemId};
use custodian_core::incident::Incident;
use custodian_core::ports::{Notification, SealedSecret, VaultChange, VaultStore};
use custodian_core::vault::{
    AccessGrant, Confirmed, ItemDetails, SecretField, VaultItem, item_event, subject,
};

/// Stand-in sealed text: the store only ever sees "v1:" and hexadecimal.
fn sealed(tag: &str) -> String {
    let hex: String = tag.bytes().map(|b| format!("{b:02x}")).collect();
    format!("v1:{hex}")
}

fn details(name: &str, people: Vec<PersonId>) -> ItemDetails {
    ItemDetails {
        name: name.to_owned(),
        kind: "website_admin".to_owned(),
        address: "https://ashby.example/admin".to_owned(),
        username: "clerk".to_owned(),
        tier: "sealed".to_owned(),
        roles: vec![Role::Clerk, Role::Chair],
        people,
        rotation_days: "90".to_owned(),
        renewal_due: "1/4/2027".to_owned(),
    }
}

/// A new item of `council` naming `people`, not yet stored.
fn item(council: CouncilId, name: &str, people: Vec<PersonId>) -> VaultItem {
    VaultItem::new(
        VaultItemId::generate(),
        council,
        details(name, people).check().unwrap(),
        t(10),
    )
}

/// Gives `item` a new value for each field, returning the sealed values to store with it.
fn set_secrets(item: &mut VaultItem, fields: &[SecretField], tag: &str) -> Vec<SealedSecret> {
    fields
        .iter()
        .map(|field| {
            let version = item.replace_secret(*field, t(11));
            SealedSecret {
                field: *field,
                version,
                sealed: sealed(&format!("{tag}/{}/{version}", field.as_str())),
            }
        })
        .collect()
}

fn added(item: &VaultItem, by: &Person) -> AuditEvent {
    item_event(
        item,
        t(10),
        Actor::Person(by.id),
        "vault.item_added",
        json!({}),
    )
}

/// Stores a new item with a password and notes; returns it as stored.
async fn store_item(store: &Store, by: &Person, name: &str, people: Vec<PersonId>) -> VaultItem {
    let mut item = item(by.council_id, name, people);
    let secrets = set_secrets(
        &mut item,
        &[SecretField::Password, SecretField::Notes],
        "first",
    );
    let event = added(&item, by);
    store
        .insert_vault_item(
            &sealed(&format!("key of {name}")),
            &VaultChange {
                item: Some(&item),
                sealed: &secrets,
                events: std::slice::from_ref(&event),
                ..VaultChange::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not store an item: {e}", store.engine()));
    item
}

fn note(person: &Person, message: &str, at: Timestamp) -> Notification {
    Notification {
        id: NotificationId::generate(),
        council_id: person.council_id,
        person_id: person.id,
        message: message.to_owned(),
        link: Some("/vault".to_owned()),
        created_at: at,
        dismissed_at: None,
    }
}

async fn history(store: &Store, item: &VaultItem) -> Vec<String> {
    let query = AuditQuery {
        subject: Some(subject(item.id)),
        ..all()
    };
    let mut actions: Vec<String> = store
        .entries(item.council_id, &query)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.reverse();
    actions
}

async fn entry_total(store: &Store) -> usize {
    all_entries(store).await.len()
}

fn is_not_found(err: &StoreError, what: &str) -> bool {
    matches!(err, StoreError::NotFound(found) if *found == what)
}

#[tokio::test]
async fn an_item_with_its_secrets_reads_back_as_stored_and_its_history_is_in_the_chain() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let chair = add(store, ashby.id, "Cora Chair", "chair@a.example").await;
        let website = store_item(store, &clerk, "website", vec![chair.id, clerk.id]).await;
        let banking = store_item(store, &clerk, "Banking", vec![]).await;

        assert_eq!(
            store.vault_item(ashby.id, website.id).await.unwrap(),
            website,
            "{engine}: every field equal"
        );
        assert_eq!(
            store.vault_items(ashby.id).await.unwrap(),
            vec![banking.clone(), website.clone()],
            "{engine}: by name, ignoring capitals"
        );
        let stored = store.sealed_item(ashby.id, website.id).await.unwrap();
        assert_eq!(stored.wrapped_key, sealed("key of website"), "{engine}");
        assert_eq!(
            stored.secret(SecretField::Password).unwrap().sealed,
            sealed("first/password/1"),
            "{engine}"
        );
        assert_eq!(stored.secrets.len(), 2, "{engine}");
        assert_eq!(
            history(store, &website).await,
            vec!["vault.item_added"],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_change_is_stored_only_over_the_revision_it_was_made_from() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let stored = store_item(store, &clerk, "Website", vec![]).await;

        let mut changed = stored.clone();
        changed.begin_change();
        changed.name = "Website admin".to_owned();
        let secrets = set_secrets(&mut changed, &[SecretField::Password], "second");
        assert!(changed.remove_secret(SecretField::Notes));
        let events = [
            item_event(
                &changed,
                t(20),
                Actor::Person(clerk.id),
                "vault.secret_changed",
                json!({"field": "password", "version": 2}),
            ),
            item_event(
                &changed,
                t(20),
                Actor::Person(clerk.id),
                "vault.secret_removed",
                json!({"field": "notes"}),
            ),
        ];
        store
            .change_vault(
                ashby.id,
                &VaultChange {
                    item: Some(&changed),
                    sealed: &secrets,
                    events: &events,
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            store.vault_item(ashby.id, stored.id).await.unwrap(),
            changed,
            "{engine}"
        );
        let sealed_now = store.sealed_item(ashby.id, stored.id).await.unwrap();
        assert!(
            sealed_now.secret(SecretField::Notes).is_none(),
            "{engine}: a removed field's sealed value is deleted"
        );
        assert_eq!(
            sealed_now.secret(SecretField::Password).unwrap().version,
            2,
            "{engine}"
        );

        // A change made from the copy read before the one above.
        let mut stale = stored.clone();
        stale.begin_change();
        stale.name = "Overwritten".to_owned();
        let stale_secrets = set_secrets(&mut stale, &[SecretField::TotpSeed], "stale");
        let before = entry_total(store).await;
        let stale_event = item_event(
            &stale,
            t(21),
            Actor::Person(clerk.id),
            "vault.item_changed",
            json!({}),
        );
        let err = store
            .change_vault(
                ashby.id,
                &VaultChange {
                    item: Some(&stale),
                    sealed: &stale_secrets,
                    events: std::slice::from_ref(&stale_event),
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{engine}: {err:?}");
        assert_eq!(
            store.vault_item(ashby.id, stored.id).await.unwrap(),
            changed,
            "{engine}: nothing of the stale change is stored"
        );
        assert_eq!(
            store.sealed_item(ashby.id, stored.id).await.unwrap(),
            sealed_now,
            "{engine}"
        );
        assert_eq!(entry_total(store).await, before, "{engine}");

        // Sealed values that do not match the item's fields are refused too.
        let mut unsealed = changed.clone();
        unsealed.begin_change();
        unsealed.replace_secret(SecretField::RecoveryCodes, t(22));
        let err = store
            .change_vault(
                ashby.id,
                &VaultChange {
                    item: Some(&unsealed),
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{engine}: {err:?}");
        assert_eq!(
            store.vault_item(ashby.id, stored.id).await.unwrap(),
            changed,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn another_councils_item_is_not_found_for_every_read_and_change() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, bryn_clerk) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let theirs = store_item(store, &clerk, "Website", vec![]).await;

        let err = store.vault_item(bryn.id, theirs.id).await.unwrap_err();
        assert!(is_not_found(&err, "vault item"), "{engine}: {err:?}");
        let err = store.sealed_item(bryn.id, theirs.id).await.unwrap_err();
        assert!(is_not_found(&err, "vault item"), "{engine}: {err:?}");
        assert!(
            store.vault_items(bryn.id).await.unwrap().is_empty(),
            "{engine}"
        );

        let mut changed = theirs.clone();
        changed.begin_change();
        changed.name = "Taken".to_owned();
        let err = store
            .change_vault(
                bryn.id,
                &VaultChange {
                    item: Some(&changed),
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "vault item"), "{engine}: {err:?}");
        // The same item claimed as Bryn's own.
        let mut claimed = changed.clone();
        claimed.council_id = bryn.id;
        let err = store
            .change_vault(
                bryn.id,
                &VaultChange {
                    item: Some(&claimed),
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "vault item"), "{engine}: {err:?}");
        assert_eq!(
            store.vault_item(ashby.id, theirs.id).await.unwrap(),
            theirs,
            "{engine}"
        );

        // Nor can Bryn ask for access to it.
        let grant = AccessGrant::request(
            AccessGrantId::generate(),
            bryn.id,
            bryn_clerk.id,
            vec![theirs.id],
            "Need to post the minutes",
            4,
            t(30),
        )
        .unwrap();
        let asked = event(
            bryn.id,
            t(30),
            Actor::Person(bryn_clerk.id),
            "vault.access_requested",
        );
        let err = store.insert_grant(&grant, &[], &asked).await.unwrap_err();
        assert!(is_not_found(&err, "vault item"), "{engine}: {err:?}");
        assert!(store.grants(bryn.id).await.unwrap().is_empty(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_person_of_another_council_cannot_be_named_or_notified() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (_, outsider) = found(store, "Bryn Town Council", "clerk@b.example").await;

        let mut naming = item(ashby.id, "Website", vec![outsider.id]);
        let secrets = set_secrets(&mut naming, &[SecretField::Password], "x");
        let err = store
            .insert_vault_item(
                &sealed("key"),
                &VaultChange {
                    item: Some(&naming),
                    sealed: &secrets,
                    events: &[added(&naming, &clerk)],
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "person"), "{engine}: {err:?}");
        assert!(
            store.vault_items(ashby.id).await.unwrap().is_empty(),
            "{engine}"
        );

        let stored = store_item(store, &clerk, "Website", vec![]).await;
        let mut changed = stored.clone();
        changed.begin_change();
        changed.allowed.people = vec![outsider.id];
        let err = store
            .change_vault(
                ashby.id,
                &VaultChange {
                    item: Some(&changed),
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "person"), "{engine}: {err:?}");
        let mut confirming = stored.clone();
        confirming.begin_change();
        confirming.default_changed = Some(Confirmed {
            by: outsider.id,
            at: t(12),
        });
        let err = store
            .change_vault(
                ashby.id,
                &VaultChange {
                    item: Some(&confirming),
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "person"), "{engine}: {err:?}");
        assert_eq!(
            store.vault_item(ashby.id, stored.id).await.unwrap(),
            stored,
            "{engine}"
        );

        // A notification for them, dressed as Ashby's.
        let mut smuggled = note(&outsider, "Look at this", t(13));
        smuggled.council_id = ashby.id;
        let err = store
            .change_vault(
                ashby.id,
                &VaultChange {
                    notifications: &[smuggled],
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "person"), "{engine}: {err:?}");
        assert!(
            store
                .notifications(ashby.id, outsider.id)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        db.finish().await;
    }
}

fn compromise(item: &VaultItem, clerk: &Person) -> (VaultItem, Incident, Vec<AuditEvent>) {
    let mut marked = item.clone();
    marked.begin_change();
    marked.compromised = Some(Confirmed {
        by: clerk.id,
        at: t(40),
    });
    marked.rotation_forced_at = Some(t(40));
    let (incident, opened) = open_incident(
        item.council_id,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::SuspectedCredentialCompromise,
            summary: format!(
                "{} may be known to someone who should not know it",
                item.name
            ),
            happened_at: None,
        },
        Actor::Person(clerk.id),
        t(40),
    )
    .unwrap();
    let marked_event = item_event(
        &marked,
        t(40),
        Actor::Person(clerk.id),
        "vault.marked_compromised",
        json!({"reason": "a councillor left"}),
    );
    (marked, incident, vec![marked_event, opened])
}

#[tokio::test]
async fn a_change_with_an_incident_notifications_and_events_is_stored_whole_or_not_at_all() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (_, outsider) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let chair = add(store, ashby.id, "Cora Chair", "chair@a.example").await;
        let website = store_item(store, &clerk, "Website", vec![]).await;
        let banking = store_item(store, &clerk, "Banking", vec![]).await;

        // The last part fails: a notification for another council's person.
        let (marked, incident, events) = compromise(&banking, &clerk);
        let mut smuggled = note(&outsider, "Banking was compromised", t(40));
        smuggled.council_id = ashby.id;
        let before = entry_total(store).await;
        let err = store
            .change_vault(
                ashby.id,
                &VaultChange {
                    item: Some(&marked),
                    incident: Some(&incident),
                    notifications: &[note(&chair, "Banking was compromised", t(40)), smuggled],
                    events: &events,
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap_err();
        assert!(is_not_found(&err, "person"), "{engine}: {err:?}");
        assert_eq!(
            store.vault_item(ashby.id, banking.id).await.unwrap(),
            banking,
            "{engine}: the item is unchanged"
        );
        assert!(
            store.incidents(ashby.id).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(
            store
                .notifications(ashby.id, chair.id)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        assert_eq!(entry_total(store).await, before, "{engine}");

        // The whole change.
        let (marked, incident, events) = compromise(&website, &clerk);
        let told = note(&chair, "The website password was marked compromised", t(40));
        store
            .change_vault(
                ashby.id,
                &VaultChange {
                    item: Some(&marked),
                    incident: Some(&incident),
                    notifications: std::slice::from_ref(&told),
                    events: &events,
                    ..VaultChange::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            store.vault_item(ashby.id, website.id).await.unwrap(),
            marked,
            "{engine}"
        );
        assert_eq!(
            store.incidents(ashby.id).await.unwrap(),
            vec![incident],
            "{engine}"
        );
        assert_eq!(
            store.notifications(ashby.id, chair.id).await.unwrap(),
            vec![told],
            "{engine}"
        );
        assert_eq!(
            history(store, &website).await,
            vec!["vault.item_added", "vault.marked_compromised"],
            "{engine}"
        );
        assert_eq!(entry_total(store).await, before + 2, "{engine}");
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}
