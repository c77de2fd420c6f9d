//! Contract cases: policy versions, adoption and signed declarations.

use super::*;
use custodian_core::policy::version::{VersionStatus, delete_draft, revise_draft};
use custodian_core::ports::PolicyStoreError;

/// A council with its Clerk and one active councillor (who has accepted their invitation).
pub async fn council_with_member(
    store: &Store,
    name: &str,
    domain: &str,
) -> (Council, Person, Person) {
    let (council, clerk) = found(store, name, &format!("clerk@{domain}")).await;
    let member = add(store, council.id, "Ada Lovelace", &format!("ada@{domain}")).await;
    invite_and_accept(store, &member, &account(&format!("ada@{domain}")), true).await;
    let member = store.person(council.id, member.id).await.unwrap();
    (council, clerk, member)
}

pub fn is_not_found(result: &Result<(), PolicyStoreError>) -> bool {
    matches!(
        result,
        Err(PolicyStoreError::Store(StoreError::NotFound(
            "policy version"
        )))
    )
}

#[tokio::test]
async fn creating_drafts_numbers_them_one_two_three_within_each_council() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk_a) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, clerk_b) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let mut numbers = Vec::new();
        for minute in 1..=3 {
            let version = start_draft(
                store,
                ashby.id,
                clerk_a.id,
                VersionOrigin::Builder,
                t(minute),
            )
            .await;
            numbers.push(version.number);
        }
        assert_eq!(numbers, vec![1, 2, 3], "{engine}");
        let theirs = start_draft(
            store,
            bryn.id,
            clerk_b.id,
            VersionOrigin::Imported {
                file_name: "Bryn policy.docx".to_owned(),
            },
            t(4),
        )
        .await;
        assert_eq!(theirs.number, 1, "{engine}: numbering is per council");

        let stored = store.version(bryn.id, theirs.id).await.unwrap();
        assert_eq!(stored, theirs, "{engine}: a draft reads back as stored");
        assert_eq!(stored.status, VersionStatus::Draft, "{engine}");
        assert_eq!(stored.origin.file_name(), Some("Bryn policy.docx"));
        let listed: Vec<u32> = store
            .versions(ashby.id)
            .await
            .unwrap()
            .iter()
            .map(|v| v.number)
            .collect();
        assert_eq!(listed, vec![3, 2, 1], "{engine}: newest first");
        assert_eq!(store.in_force(ashby.id).await.unwrap(), None, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn adopting_a_draft_puts_it_in_force_and_supersedes_the_previous_version() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let first = start_draft(store, ashby.id, clerk.id, VersionOrigin::Model, t(1)).await;
        let first = adopt_draft(store, &first, "2025-05-12", "COU/12/25-26", t(2)).await;
        assert_eq!(
            store.in_force(ashby.id).await.unwrap().as_ref(),
            Some(&first),
            "{engine}: the adopted version reads back whole"
        );
        assert_eq!(
            first.review_due,
            Some("2026-05-12".parse().unwrap()),
            "{engine}: reviewed after the profile's 12 months"
        );
        assert_eq!(
            first.content_hash,
            Some(sha256_hex("The IT policy, version 1"))
        );

        let second = start_draft(store, ashby.id, clerk.id, VersionOrigin::Builder, t(3)).await;
        let second = adopt_draft(store, &second, "2026-05-11", "COU/229/25-26", t(4)).await;
        assert_eq!(
            store.in_force(ashby.id).await.unwrap().as_ref(),
            Some(&second),
            "{engine}"
        );
        let replaced = store.version(ashby.id, first.id).await.unwrap();
        assert_eq!(
            replaced,
            PolicyVersion {
                status: VersionStatus::Superseded,
                ..first.clone()
            },
            "{engine}: the previous version is superseded and keeps its adoption record"
        );
        let statuses: Vec<VersionStatus> = store
            .versions(ashby.id)
            .await
            .unwrap()
            .iter()
            .map(|v| v.status)
            .collect();
        assert_eq!(
            statuses,
            vec![VersionStatus::Adopted, VersionStatus::Superseded],
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn only_a_draft_can_be_updated_adopted_or_deleted() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let draft = start_draft(store, ashby.id, clerk.id, VersionOrigin::Model, t(1)).await;

        // A draft changes and reads back changed.
        let mut profile = draft.profile.clone();
        profile.device_lockout_attempts = 5;
        let (revised, event) =
            revise_draft(&draft, profile, "Five attempts", clerk.id, t(2)).unwrap();
        store.update_draft(&revised, &event).await.unwrap();
        assert_eq!(
            store.version(ashby.id, draft.id).await.unwrap(),
            revised,
            "{engine}"
        );

        // Adopted: the stale draft copies held by other requests can no longer change it.
        adopt_draft(store, &revised, "2026-05-11", "COU/1", t(3)).await;
        let (late_change, event) = revise_draft(
            &revised,
            revised.profile.clone(),
            "Too late",
            clerk.id,
            t(4),
        )
        .unwrap();
        let err = store.update_draft(&late_change, &event).await;
        assert!(
            matches!(
                err,
                Err(PolicyStoreError::NotADraft(VersionStatus::Adopted))
            ),
            "{engine}: got {err:?}"
        );
        let late_adoption = adopt(
            &revised,
            "2026-05-12".parse().unwrap(),
            MinuteReference::parse("COU/2").unwrap(),
            t(5),
            &sha256_hex("x"),
            DECLARATION,
            clerk.id,
        )
        .unwrap();
        let err = store
            .adopt(
                ashby.id,
                revised.id,
                &late_adoption.adoption,
                &late_adoption.event,
            )
            .await;
        assert!(
            matches!(
                err,
                Err(PolicyStoreError::NotADraft(VersionStatus::Adopted))
            ),
            "{engine}: got {err:?}"
        );
        let late_delete = delete_draft(&revised, clerk.id, t(6)).unwrap();
        let err = store.delete_draft(ashby.id, revised.id, &late_delete).await;
        assert!(
            matches!(
                err,
                Err(PolicyStoreError::NotADraft(VersionStatus::Adopted))
            ),
            "{engine}: got {err:?}"
        );
        let in_force = store.version(ashby.id, revised.id).await.unwrap();
        assert_eq!(in_force.status, VersionStatus::Adopted, "{engine}");
        assert_eq!(
            in_force
                .minute_reference
                .as_ref()
                .map(MinuteReference::as_str),
            Some("COU/1"),
            "{engine}: the refused adoption changed nothing"
        );

        // A draft can be deleted; it is then gone.
        let spare = start_draft(store, ashby.id, clerk.id, VersionOrigin::Builder, t(7)).await;
        assert_eq!(spare.number, 2, "{engine}");
        let deleted = delete_draft(&spare, clerk.id, t(8)).unwrap();
        store
            .delete_draft(ashby.id, spare.id, &deleted)
            .await
            .unwrap();
        let gone = store.version(ashby.id, spare.id).await.unwrap_err();
        assert!(
            matches!(gone, StoreError::NotFound("policy version")),
            "{engine}: got {gone:?}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn another_council_cannot_read_change_adopt_delete_or_sign_a_version() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk_a, ada) =
            council_with_member(store, "Ashby Parish Council", "a.example").await;
        let (bryn, clerk_b, bea) =
            council_with_member(store, "Bryn Town Council", "b.example").await;
        let draft = start_draft(store, ashby.id, clerk_a.id, VersionOrigin::Model, t(10)).await;
        let before = export(store).await;

        let err = store.version(bryn.id, draft.id).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("policy version")),
            "{engine}: another council's version must be NotFound, got {err:?}"
        );
        assert_eq!(store.versions(bryn.id).await.unwrap(), vec![], "{engine}");

        // Bryn's Clerk tries to act on Ashby's draft as if it were Bryn's.
        let as_bryn = PolicyVersion {
            council_id: bryn.id,
            ..draft.clone()
        };
        let (changed, event) = revise_draft(
            &as_bryn,
            as_bryn.profile.clone(),
            "Mine now",
            clerk_b.id,
            t(11),
        )
        .unwrap();
        let result = store.update_draft(&changed, &event).await;
        assert!(is_not_found(&result), "{engine}: update got {result:?}");
        let adoption = adopt(
            &as_bryn,
            "2026-05-11".parse().unwrap(),
            MinuteReference::parse("BRY/1").unwrap(),
            t(12),
            &sha256_hex("x"),
            DECLARATION,
            clerk_b.id,
        )
        .unwrap();
        let result = store
            .adopt(bryn.id, draft.id, &adoption.adoption, &adoption.event)
            .await;
        assert!(is_not_found(&result), "{engine}: adopt got {result:?}");
        let deletion = delete_draft(&as_bryn, clerk_b.id, t(13)).unwrap();
        let result = store.delete_draft(bryn.id, draft.id, &deletion).await;
        assert!(is_not_found(&result), "{engine}: delete got {result:?}");
        assert_eq!(
            export(store).await,
            before,
            "{engine}: nothing changed, no audit entry"
        );

        // Ashby adopts; Bryn's member cannot sign Ashby's version, nor Ashby's member be
        // signed up from Bryn.
        let in_force = adopt_draft(store, &draft, "2026-05-11", "COU/1", t(14)).await;
        let (mut theirs, event) =
            sign(Some(&in_force), in_force.id, &ada, "Ada Lovelace", t(15)).unwrap();
        theirs.council_id = bryn.id;
        theirs.person_id = bea.id;
        let result = store.sign_declaration(&theirs, &event).await;
        assert!(is_not_found(&result), "{engine}: sign got {result:?}");
        assert_eq!(
            store.declarations(bryn.id, in_force.id).await.unwrap(),
            vec![],
            "{engine}"
        );
        assert_eq!(
            store.declarations(ashby.id, in_force.id).await.unwrap(),
            vec![],
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn every_policy_change_appends_its_audit_entry_and_the_chain_verifies() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk, ada) =
            council_with_member(store, "Ashby Parish Council", "a.example").await;
        let before = store.entries(ashby.id, &all()).await.unwrap().len();
        let draft = start_draft(store, ashby.id, clerk.id, VersionOrigin::Model, t(10)).await;
        let (revised, changed) =
            revise_draft(&draft, draft.profile.clone(), "Tidied", clerk.id, t(11)).unwrap();
        store.update_draft(&revised, &changed).await.unwrap();
        let spare = start_draft(store, ashby.id, clerk.id, VersionOrigin::Builder, t(12)).await;
        store
            .delete_draft(
                ashby.id,
                spare.id,
                &delete_draft(&spare, clerk.id, t(13)).unwrap(),
            )
            .await
            .unwrap();
        adopt_draft(store, &revised, "2026-05-11", "COU/229/25-26", t(14)).await;
        sign_in_force(store, &ada, t(15)).await;

        let mut entries = store.entries(ashby.id, &all()).await.unwrap();
        entries.truncate(entries.len() - before);
        entries.reverse();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            vec![
                "policy.draft_created",
                "policy.draft_updated",
                "policy.draft_created",
                "policy.draft_deleted",
                "policy.adopted",
                "policy.declaration_signed",
            ],
            "{engine}"
        );
        let adopted: Value = serde_json::from_str(&entries[4].details).unwrap();
        assert_eq!(adopted["number"], 1, "{engine}");
        assert_eq!(adopted["minute_reference"], "COU/229/25-26", "{engine}");
        let signed: Value = serde_json::from_str(&entries[5].details).unwrap();
        assert_eq!(signed["person"], ada.id.to_string(), "{engine}");
        assert!(
            !entries[5].details.contains("Ada"),
            "{engine}: people by id only"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn signed_declarations_and_adopted_versions_cannot_be_changed_or_removed_even_with_raw_sql() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk, ada) =
            council_with_member(store, "Ashby Parish Council", "a.example").await;
        let draft = start_draft(store, ashby.id, clerk.id, VersionOrigin::Model, t(10)).await;
        let in_force = adopt_draft(store, &draft, "2026-05-11", "COU/1", t(11)).await;
        let signed = sign_in_force(store, &ada, t(12)).await;
        let before = export(store).await;
        let pool = store.write_pool();

        let refused = |sql: &'static str| async move {
            let result = sqlx::query(sql)
                .bind(ashby.id.to_string())
                .execute(pool)
                .await;
            match result {
                Ok(_) => panic!("{engine}: allowed: {sql}"),
                Err(e) => e.to_string(),
            }
        };
        let err = refused(
            "UPDATE policy_declarations SET typed_name = 'Someone else' WHERE council_id = $1",
        )
        .await;
        assert!(err.contains("evidence"), "{engine}: {err}");
        let err = refused("DELETE FROM policy_declarations WHERE council_id = $1").await;
        assert!(err.contains("evidence"), "{engine}: {err}");
        let err =
            refused("UPDATE policy_versions SET minute_reference = 'COU/2' WHERE council_id = $1")
                .await;
        assert!(err.contains("council decision"), "{engine}: {err}");
        let err = refused("DELETE FROM policy_versions WHERE council_id = $1").await;
        assert!(err.contains("council decision"), "{engine}: {err}");
        if store.engine() == Engine::Postgres {
            let truncate = sqlx::raw_sql("TRUNCATE policy_declarations")
                .execute(pool)
                .await;
            let err = truncate.expect_err("PostgreSQL: TRUNCATE of declarations was allowed");
            assert!(err.to_string().contains("evidence"), "{engine}: {err}");
        }

        assert_eq!(export(store).await, before, "{engine}: nothing changed");
        assert_eq!(
            store
                .declaration_of(ashby.id, in_force.id, ada.id)
                .await
                .unwrap(),
            Some(signed),
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn an_export_and_import_keeps_every_version_and_declaration() {
    for db in engines().await {
        let engine = db.engine;
        build_sample(&db.store).await;
        let ashby = db
            .store
            .councils()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.name.as_str() == "Ashby Parish Council")
            .unwrap();
        let versions = db.store.versions(ashby.id).await.unwrap();
        assert_eq!(versions.len(), 3, "{engine}");
        let in_force = db.store.in_force(ashby.id).await.unwrap().unwrap();
        let declarations = db.store.declarations(ashby.id, in_force.id).await.unwrap();
        assert_eq!(declarations.len(), 1, "{engine}");

        let copy = Backend::Sqlite.fresh().await;
        import(&copy.store, &export(&db.store).await)
            .await
            .unwrap_or_else(|e| panic!("{engine} → SQLite: {e}"));
        assert_eq!(
            copy.store.versions(ashby.id).await.unwrap(),
            versions,
            "{engine} → SQLite"
        );
        assert_eq!(
            copy.store.in_force(ashby.id).await.unwrap(),
            Some(in_force.clone()),
            "{engine} → SQLite"
        );
        assert_eq!(
            copy.store
                .declarations(ashby.id, in_force.id)
                .await
                .unwrap(),
            declarations,
            "{engine} → SQLite"
        );
        assert!(verify(&copy.store).await.is_intact(), "{engine} → SQLite");
        // The imported installation keeps working: the next draft is number 4.
        let next = start_draft(
            &copy.store,
            ashby.id,
            in_force.created_by,
            VersionOrigin::Model,
            t(30),
        )
        .await;
        assert_eq!(next.number, 4, "{engine} → SQLite");
        copy.finish().await;
        db.finish().await;
    }
}
