//! The vault key: a new one keeps every secret, and unlocking refuses a key file others can
//! read, an old key file put back, or a wrong passphrase, and stays locked (saying why) without
//! its key file. Passphrase tests set the variable only in the child's environment.

use super::super::{custodian as run_custodian, init, text};
use super::{
    arg, assert_no_secret_in, assert_recovered, block_on, demo, export, issue_kit, recover,
    settings, stderr, stdout, vault, vault_command, vault_contents,
};
#[cfg(unix)]
use super::{mode, set_mode};
use custodian::vault_key::{Unlocked, unlock};
use custodian_core::ports::{AuditLog, AuditQuery, CouncilStore};
use custodian_store::Store;

const PASSPHRASE: &str = "gravel-sparrow-tinsel-harbour";

#[cfg(unix)]
#[test]
fn a_new_vault_key_keeps_every_secret_and_the_old_key_file_no_longer_works() {
    let demo = demo();
    let key_file = demo.data.join("vault.key");
    let old_key = std::fs::read(&key_file).unwrap();

    let output = vault(&demo.data, &["rotate-key"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_no_secret_in(&text(&output), &demo.items, "rotate-key's output");
    assert!(
        stdout(&output).contains("re-wrapped"),
        "{}",
        stdout(&output)
    );
    assert_ne!(
        std::fs::read(&key_file).unwrap(),
        old_key,
        "the key file is unchanged"
    );
    assert_eq!(mode(&key_file), 0o600);
    assert!(!demo.data.join("vault.key.new").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&demo.data)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("vault.key") && name != "vault.key")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");

    let verify = run_custodian(&demo.data, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    let rotated = block_on(async {
        let store = Store::open_sqlite_in(&demo.data).await.unwrap();
        let council = store.councils().await.unwrap().remove(0);
        let query = AuditQuery {
            action_prefix: Some("vault.key_rotated".to_owned()),
            limit: 10,
            ..AuditQuery::default()
        };
        let entries = store.entries(council.id, &query).await.unwrap();
        store.close().await;
        entries.len()
    });
    assert_eq!(rotated, 1);

    // Every secret opens with the new key and is what it was.
    let after = vault_contents(&demo.data);
    assert_eq!(after.len(), demo.items.len());
    for (before, now) in demo.items.iter().zip(&after) {
        assert_eq!(before.name, now.name);
        assert_eq!(before.secrets, now.secrets, "{}", now.name);
    }
    // And through the kit: export and recover give the same passwords.
    let kit = demo.root.join("kit");
    issue_kit(&demo.data, &kit, &demo.items);
    let file = demo.root.join("after-rotation.custodian-vault");
    export(&demo.data, &file, &demo.items);
    assert_recovered(
        &recover(
            &[&kit.join("chair.txt"), &kit.join("vice-chair.txt")],
            &file,
        ),
        &demo.items,
    );

    // The old key file, put back, is refused by name.
    std::fs::remove_file(&key_file).unwrap();
    std::fs::write(&key_file, &old_key).unwrap();
    set_mode(&key_file, 0o600);
    let refused = block_on(async {
        let store = Store::open_sqlite_in(&demo.data).await.unwrap();
        let outcome = unlock(&store, &settings(&demo.data)).await;
        store.close().await;
        outcome
    });
    let Err(error) = refused else {
        panic!("the old key file was accepted");
    };
    let said = error.to_string();
    assert!(said.contains(arg(&key_file)), "{said}");
    assert!(
        said.contains("is not the key this vault was set up with"),
        "{said}"
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused_with_what_to_run() {
    let demo = demo();
    let key_file = demo.data.join("vault.key");
    assert_eq!(
        mode(&key_file),
        0o600,
        "the first start made a readable key file"
    );
    set_mode(&key_file, 0o644);
    let refused = block_on(async {
        let store = Store::open_sqlite_in(&demo.data).await.unwrap();
        let outcome = unlock(&store, &settings(&demo.data)).await;
        store.close().await;
        outcome
    });
    let Err(error) = refused else {
        panic!("a key file readable by others was used");
    };
    let said = error.to_string();
    assert!(
        said.contains(&format!("chmod 600 {}", arg(&key_file))),
        "{said}"
    );

    // The binary refuses it too, and writes nothing.
    issue_kit(&demo.data, &demo.root.join("kit"), &demo.items);
    let file = demo.root.join("vault.custodian-vault");
    let output = vault(&demo.data, &["export", "--out", arg(&file)]);
    assert_ne!(output.status.code(), Some(0), "{}", text(&output));
    assert!(stderr(&output).contains("chmod 600"), "{}", stderr(&output));
    assert!(!file.exists());
}

#[test]
fn a_missing_key_file_leaves_the_vault_locked_and_says_so() {
    let demo = demo();
    let key_file = demo.data.join("vault.key");
    std::fs::remove_file(&key_file).unwrap();
    let outcome = block_on(async {
        let store = Store::open_sqlite_in(&demo.data).await.unwrap();
        let outcome = unlock(&store, &settings(&demo.data)).await.unwrap();
        store.close().await;
        outcome
    });
    match outcome {
        Unlocked::Locked(why) => {
            assert!(why.contains("is missing"), "{why}");
            assert!(why.contains(arg(&key_file)), "{why}");
        }
        Unlocked::Key(_) => panic!("the vault unlocked without its key file"),
    }
    // A key file must not be made again for a vault that already has one.
    assert!(!key_file.exists());

    issue_kit(&demo.data, &demo.root.join("kit"), &demo.items);
    let file = demo.root.join("vault.custodian-vault");
    let output = vault(&demo.data, &["export", "--out", arg(&file)]);
    assert_ne!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stderr(&output).contains("is missing"),
        "{}",
        stderr(&output)
    );
    assert!(!file.exists());
}

#[test]
fn a_vault_keyed_by_a_passphrase_has_no_key_file_and_refuses_a_wrong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let setup = init(&data, "Ashby Parish Council", "clerk@ashby.example");
    assert!(setup.status.success(), "{}", text(&setup));
    issue_kit(&data, &dir.path().join("kit"), &[]);

    let with_passphrase = |passphrase: &str, file: &str| {
        vault_command(
            Some(&data),
            &["export", "--out", arg(&dir.path().join(file))],
        )
        .env("CUSTODIAN_VAULT_PASSPHRASE", passphrase)
        .output()
        .unwrap()
    };
    // The first start sets the vault up with the passphrase.
    let first = with_passphrase(PASSPHRASE, "first.custodian-vault");
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(!data.join("vault.key").exists(), "a key file was made");
    assert!(!text(&first).contains(PASSPHRASE));

    let again = with_passphrase(PASSPHRASE, "again.custodian-vault");
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));

    let wrong = with_passphrase("gravel-sparrow-tinsel-harbor", "wrong.custodian-vault");
    assert_ne!(wrong.status.code(), Some(0), "{}", text(&wrong));
    let said = stderr(&wrong);
    assert!(said.contains("CUSTODIAN_VAULT_PASSPHRASE"), "{said}");
    assert!(
        said.contains("is not the key this vault was set up with"),
        "{said}"
    );
    assert!(
        !said.contains("gravel-sparrow"),
        "the passphrase was printed"
    );
    assert!(!dir.path().join("wrong.custodian-vault").exists());

    let without = vault(&data, &["export", "--out", arg(&dir.path().join("none"))]);
    assert_ne!(without.status.code(), Some(0), "{}", text(&without));
    assert!(stderr(&without).contains("CUSTODIAN_VAULT_PASSPHRASE"));
    assert!(!data.join("vault.key").exists(), "a key file was made");
}

#[test]
fn a_passphrase_vault_gets_a_new_passphrase_and_the_old_one_stops_working() {
    const NEW_PASSPHRASE: &str = "lantern-quiver-mossy-bulletin";
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let setup = init(&data, "Ashby Parish Council", "clerk@ashby.example");
    assert!(setup.status.success(), "{}", text(&setup));
    issue_kit(&data, &dir.path().join("kit"), &[]);
    let export_with = |passphrase: &str, file: &str| {
        vault_command(
            Some(&data),
            &["export", "--out", arg(&dir.path().join(file))],
        )
        .env("CUSTODIAN_VAULT_PASSPHRASE", passphrase)
        .output()
        .unwrap()
    };
    let first = export_with(PASSPHRASE, "first.custodian-vault");
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));

    // Without the new passphrase nothing changes, and the command says what to set.
    let missing = vault_command(Some(&data), &["rotate-key"])
        .env("CUSTODIAN_VAULT_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(stderr(&missing).contains("CUSTODIAN_VAULT_NEW_PASSPHRASE"));

    let rotated = vault_command(Some(&data), &["rotate-key"])
        .env("CUSTODIAN_VAULT_PASSPHRASE", PASSPHRASE)
        .env("CUSTODIAN_VAULT_NEW_PASSPHRASE", NEW_PASSPHRASE)
        .output()
        .unwrap();
    assert_eq!(rotated.status.code(), Some(0), "{}", text(&rotated));
    let said = text(&rotated);
    assert!(
        !said.contains(PASSPHRASE) && !said.contains(NEW_PASSPHRASE),
        "{said}"
    );
    assert!(!data.join("vault.key").exists(), "a key file was made");

    let old = export_with(PASSPHRASE, "old.custodian-vault");
    assert_ne!(old.status.code(), Some(0), "{}", text(&old));
    assert!(stderr(&old).contains("is not the key this vault was set up with"));
    let new = export_with(NEW_PASSPHRASE, "new.custodian-vault");
    assert_eq!(new.status.code(), Some(0), "{}", text(&new));
    let verify = run_custodian(&data, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
}
