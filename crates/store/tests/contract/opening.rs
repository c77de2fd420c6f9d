//! Contract cases: opening and health.

use super::*;

#[tokio::test]
async fn a_migrated_database_answers_pings_and_migrating_again_changes_nothing() {
    for db in engines().await {
        let engine = db.engine;
        db.store
            .ping()
            .await
            .unwrap_or_else(|e| panic!("{engine}: {e}"));
        assert_eq!(
            db.store.migrate().await.unwrap(),
            Vec::<&str>::new(),
            "{engine}: nothing left to apply"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn opening_an_address_with_an_unknown_scheme_is_refused_without_showing_its_password() {
    for address in [
        "mysql://custodian:s3cret@db.example/custodian",
        "custodian.db",
        "",
    ] {
        let err = Store::open(address).await.unwrap_err();
        assert!(
            matches!(err, OpenError::UnknownScheme(_)),
            "{address:?}: got {err:?}"
        );
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
