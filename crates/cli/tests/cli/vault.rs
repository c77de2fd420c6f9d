//! `custodian vault`: the acceptance contract of issue 5 run through the real binary. A kit of
//! three sheets, an export holding nothing readable, recovery with any two sheets after the
//! installation is gone; the vault key's tests are in `key`. Every command's standard error is
//! checked for the demo's secrets.

use super::text;
use custodian::config::{Layer, Settings};
use custodian::vault_key::{Unlocked, unlock};
use custodian_core::ports::{CouncilStore, VaultStore};
use custodian_store::Store;
use custodian_vault::{Key, Sealed, open_field};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

mod key;

/// One vault item as the library reads it back, secrets in plain text.
struct PlainItem {
    name: String,
    username: Option<String>,
    /// (field, value), e.g. ("password", "harvest-lantern-orchard-pebble").
    secrets: Vec<(String, String)>,
}

impl PlainItem {
    fn password(&self) -> &str {
        self.secrets
            .iter()
            .find(|(field, _)| field == "password")
            .map(|(_, value)| value.as_str())
            .unwrap_or_else(|| panic!("{} has no password", self.name))
    }
}

/// Every secret value, and each line of the ones with several lines (recovery codes are
/// printed one per line, so a leak may be a single line).
fn secret_texts(items: &[PlainItem]) -> Vec<String> {
    let mut texts = Vec::new();
    for item in items {
        for (_, value) in &item.secrets {
            texts.push(value.clone());
            texts.extend(value.lines().map(str::to_owned));
        }
    }
    texts
}

fn assert_no_secret_in(haystack: &str, items: &[PlainItem], what: &str) {
    for secret in secret_texts(items) {
        assert!(
            !haystack.contains(&secret),
            "a secret ({} characters) appears in {what}",
            secret.len()
        );
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Runtime::new().unwrap().block_on(future)
}

/// The settings the binary uses for `--data-dir data_dir` and nothing else.
fn settings(data_dir: &Path) -> Settings {
    custodian::config::merge(
        Layer {
            data_dir: Some(data_dir.to_path_buf()),
            ..Layer::default()
        },
        Layer::default(),
        Layer::default(),
        None,
    )
    .unwrap()
}

/// The vault key of an installation, through the same unlocking as `custodian serve`.
async fn unlocked(store: &Store, data_dir: &Path) -> Arc<Key> {
    match unlock(store, &settings(data_dir)).await.unwrap() {
        Unlocked::Key(key) => key,
        Unlocked::Locked(why) => panic!("the vault is locked: {why}"),
    }
}

async fn read_back(store: &Store, key: &Key) -> Vec<PlainItem> {
    let council = store.councils().await.unwrap().remove(0);
    let mut items = Vec::new();
    for item in store.vault_items(council.id).await.unwrap() {
        let sealed = store.sealed_item(council.id, item.id).await.unwrap();
        let wrapped = Sealed::from_text(&sealed.wrapped_key).unwrap();
        let id = item.id.to_string();
        let secrets = sealed
            .secrets
            .iter()
            .map(|secret| {
                let value = Sealed::from_text(&secret.sealed).unwrap();
                let field = secret.field.as_str();
                let plain = open_field(key, &id, &wrapped, field, secret.version, &value).unwrap();
                (field.to_owned(), String::from_utf8(plain.to_vec()).unwrap())
            })
            .collect();
        items.push(PlainItem {
            name: item.name.clone(),
            username: item.username.clone().filter(|u| !u.is_empty()),
            secrets,
        });
    }
    items
}

/// A new installation holding the demo council and its vault items, seeded through the
/// library as `custodian demo` does (the key file is made in the data folder on first unlock).
/// Returns what the vault holds, read back in plain text.
fn demo_installation(data_dir: &Path) -> Vec<PlainItem> {
    std::fs::create_dir_all(data_dir).unwrap();
    block_on(async {
        let store = Store::open_sqlite_in(data_dir).await.unwrap();
        store.migrate().await.unwrap();
        let now = jiff::Timestamp::now();
        custodian::demo::seed(&store, now).await.unwrap();
        let key = unlocked(&store, data_dir).await;
        custodian::demo_vault::seed_vault(&store, &key, now)
            .await
            .unwrap();
        let items = read_back(&store, &key).await;
        store.close().await;
        assert!(items.len() >= 4, "the demo has too few vault items");
        items
    })
}

/// What an installation's vault holds now, opened with its current key.
fn vault_contents(data_dir: &Path) -> Vec<PlainItem> {
    block_on(async {
        let store = Store::open_sqlite_in(data_dir).await.unwrap();
        let key = unlocked(&store, data_dir).await;
        let items = read_back(&store, &key).await;
        store.close().await;
        items
    })
}

/// `custodian vault …`, run with nothing from the environment of whoever runs the tests.
fn vault_command(data_dir: Option<&Path>, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_custodian"));
    if let Some(data_dir) = data_dir {
        command.arg("--data-dir").arg(data_dir);
    }
    command.arg("vault").args(args);
    for variable in [
        "CUSTODIAN_DATA_DIR",
        "CUSTODIAN_DATABASE_URL",
        "CUSTODIAN_CONFIG",
        "CUSTODIAN_VAULT_KEY_FILE",
        "CUSTODIAN_VAULT_PASSPHRASE",
        "CUSTODIAN_VAULT_NEW_PASSPHRASE",
    ] {
        command.env_remove(variable);
    }
    command
}

fn vault(data_dir: &Path, args: &[&str]) -> Output {
    vault_command(Some(data_dir), args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Issues a kit into `out` and returns its id, as the command announces it.
fn issue_kit(data_dir: &Path, out: &Path, items: &[PlainItem]) -> String {
    let output = vault(data_dir, &["kit", "--out", arg(out)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_no_secret_in(&text(&output), items, "the kit command's output");
    let said = stdout(&output);
    said.split("recovery kit (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no kit id in: {said}"))
        .to_owned()
}

fn export(data_dir: &Path, file: &Path, items: &[PlainItem]) {
    let output = vault(data_dir, &["export", "--out", arg(file)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_no_secret_in(&text(&output), items, "the export command's output");
}

fn recover(shares: &[&Path], file: &Path) -> Output {
    let mut args = vec!["recover"];
    for share in shares {
        args.extend(["--share", arg(share)]);
    }
    args.extend(["--in", arg(file)]);
    vault_command(None, &args).output().unwrap()
}

/// Recovery worked and printed every item's name and every secret.
fn assert_recovered(output: &Output, items: &[PlainItem]) {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    assert_no_secret_in(&stderr(output), items, "recovery's errors");
    let printed = stdout(output);
    for item in items {
        assert!(printed.contains(&item.name), "{} not printed", item.name);
        assert!(
            printed.contains(item.password()),
            "the password of {} was not printed",
            item.name
        );
        for (field, value) in &item.secrets {
            for line in value.lines() {
                assert!(
                    printed.contains(line),
                    "the {field} of {} was not printed",
                    item.name
                );
            }
        }
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The share lines of a sheet, as a holder would type them back in from paper: small letters,
/// spaces doubled, indented, a blank line between lines, and no BEGIN or END line.
fn retyped(sheet: &str) -> String {
    share_block(sheet)
        .iter()
        .map(|line| format!("   {}  \n\n", line.to_lowercase().replace(' ', "   ")))
        .collect()
}

/// The numbered lines between a sheet's BEGIN and END lines.
fn share_block(sheet: &str) -> Vec<String> {
    sheet
        .lines()
        .skip_while(|line| !line.contains("BEGIN CUSTODIAN RECOVERY SHARE"))
        .skip(1)
        .take_while(|line| !line.contains("END CUSTODIAN RECOVERY SHARE"))
        .map(str::to_owned)
        .collect()
}

/// The sheet with one character of its third share line changed (the first of group 2).
fn with_one_character_changed(sheet: &str) -> String {
    let block = share_block(sheet);
    let line = &block[2];
    let group_two = line.split_whitespace().nth(2).unwrap();
    let first = group_two.chars().next().unwrap();
    let replacement = if first == '0' { '1' } else { '0' };
    let changed_group = format!("{replacement}{}", &group_two[1..]);
    let changed_line = line.replacen(group_two, &changed_group, 1);
    assert_ne!(&changed_line, line);
    sheet.replacen(line.as_str(), &changed_line, 1)
}

struct Installation {
    _dir: tempfile::TempDir,
    root: PathBuf,
    data: PathBuf,
    items: Vec<PlainItem>,
}

fn demo() -> Installation {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let data = root.join("data");
    let items = demo_installation(&data);
    Installation {
        _dir: dir,
        root,
        data,
        items,
    }
}

#[test]
fn any_two_printed_sheets_recover_an_export_after_the_installation_is_gone() {
    let demo = demo();
    let kit = demo.root.join("kit");
    issue_kit(&demo.data, &kit, &demo.items);
    for sheet in ["chair.txt", "vice-chair.txt", "clerk.txt"] {
        let path = kit.join(sheet);
        assert!(path.is_file(), "no {sheet}");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600, "{sheet} can be read by others");
    }
    let file = demo.root.join("vault.custodian-vault");
    export(&demo.data, &file, &demo.items);
    let sealed = std::fs::read_to_string(&file).unwrap();
    assert_no_secret_in(&sealed, &demo.items, "the export");
    for item in &demo.items {
        if let Some(username) = &item.username {
            assert!(
                !sealed.contains(username.as_str()),
                "the username of {} is readable in the export",
                item.name
            );
        }
    }

    std::fs::remove_dir_all(&demo.data).unwrap();
    assert!(!demo.data.exists());

    let (chair, vice_chair, clerk) = (
        kit.join("chair.txt"),
        kit.join("vice-chair.txt"),
        kit.join("clerk.txt"),
    );
    for pair in [
        [&chair, &clerk],
        [&chair, &vice_chair],
        [&vice_chair, &clerk],
    ] {
        let output = recover(&[pair[0], pair[1]], &file);
        assert_recovered(&output, &demo.items);
    }
    assert_recovered(&recover(&[&clerk, &chair], &file), &demo.items);
}

#[test]
fn one_sheet_alone_recovers_nothing() {
    let demo = demo();
    let kit = demo.root.join("kit");
    issue_kit(&demo.data, &kit, &demo.items);
    let file = demo.root.join("vault.custodian-vault");
    export(&demo.data, &file, &demo.items);

    let output = recover(&[&kit.join("chair.txt")], &file);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        stderr(&output).contains("One sheet alone recovers nothing"),
        "{}",
        stderr(&output)
    );
    assert_no_secret_in(&text(&output), &demo.items, "a one-sheet recovery");

    // Nor does one sheet given twice.
    let output = recover(&[&kit.join("clerk.txt"), &kit.join("clerk.txt")], &file);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        stderr(&output).contains("two different sheets"),
        "{}",
        stderr(&output)
    );
    assert_no_secret_in(
        &text(&output),
        &demo.items,
        "a recovery with one sheet twice",
    );
}

#[test]
fn a_sheet_typed_back_in_with_small_letters_and_extra_spaces_still_recovers() {
    let demo = demo();
    let kit = demo.root.join("kit");
    issue_kit(&demo.data, &kit, &demo.items);
    let file = demo.root.join("vault.custodian-vault");
    export(&demo.data, &file, &demo.items);

    let typed = demo.root.join("typed-chair.txt");
    std::fs::write(
        &typed,
        retyped(&std::fs::read_to_string(kit.join("chair.txt")).unwrap()),
    )
    .unwrap();
    assert_recovered(
        &recover(&[&typed, &kit.join("clerk.txt")], &file),
        &demo.items,
    );
}

#[test]
fn a_sheet_with_one_character_changed_is_refused_naming_its_line() {
    let demo = demo();
    let kit = demo.root.join("kit");
    issue_kit(&demo.data, &kit, &demo.items);
    let file = demo.root.join("vault.custodian-vault");
    export(&demo.data, &file, &demo.items);

    let mistyped = demo.root.join("mistyped-vice-chair.txt");
    let sheet = std::fs::read_to_string(kit.join("vice-chair.txt")).unwrap();
    std::fs::write(&mistyped, with_one_character_changed(&sheet)).unwrap();
    let output = recover(&[&kit.join("chair.txt"), &mistyped], &file);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let said = stderr(&output);
    assert!(said.contains("mistyped-vice-chair.txt"), "{said}");
    assert!(said.contains("line 3 of the share"), "{said}");
    assert!(said.contains("group 2"), "{said}");
    assert_no_secret_in(&text(&output), &demo.items, "a mistyped recovery");
}

#[test]
fn an_export_needs_a_kit_and_never_overwrites_a_file() {
    let demo = demo();
    let file = demo.root.join("vault.custodian-vault");
    let output = vault(&demo.data, &["export", "--out", arg(&file)]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        stderr(&output).contains("has no recovery kit yet"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("custodian vault kit"));
    assert!(!file.exists(), "an export was written without a kit");

    issue_kit(&demo.data, &demo.root.join("kit"), &demo.items);
    std::fs::write(&file, "keep me").unwrap();
    let output = vault(&demo.data, &["export", "--out", arg(&file)]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        stderr(&output).contains("already exists"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    assert_no_secret_in(&text(&output), &demo.items, "a refused export");
}

#[test]
fn a_kit_is_not_written_into_a_folder_that_holds_anything() {
    let demo = demo();
    let kit = demo.root.join("kit");
    std::fs::create_dir(&kit).unwrap();
    std::fs::write(kit.join("chair.txt"), "an old sheet").unwrap();
    let output = vault(&demo.data, &["kit", "--out", arg(&kit)]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        stderr(&output).contains("is not empty"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(kit.join("chair.txt")).unwrap(),
        "an old sheet"
    );
    assert_eq!(std::fs::read_dir(&kit).unwrap().count(), 1);
}

#[test]
fn a_new_kit_opens_new_exports_and_the_old_kit_still_opens_old_ones() {
    let demo = demo();
    let (old_kit, new_kit) = (demo.root.join("old-kit"), demo.root.join("new-kit"));
    let old_id = issue_kit(&demo.data, &old_kit, &demo.items);
    let old_export = demo.root.join("old.custodian-vault");
    export(&demo.data, &old_export, &demo.items);
    let new_id = issue_kit(&demo.data, &new_kit, &demo.items);
    assert_ne!(old_id, new_id);
    let new_export = demo.root.join("new.custodian-vault");
    export(&demo.data, &new_export, &demo.items);

    let old_sheets = [&old_kit.join("chair.txt"), &old_kit.join("clerk.txt")];
    let refused = recover(&[old_sheets[0], old_sheets[1]], &new_export);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let said = stderr(&refused);
    assert!(said.contains(&old_id) && said.contains(&new_id), "{said}");
    assert_no_secret_in(&text(&refused), &demo.items, "recovery with an old kit");

    assert_recovered(
        &recover(&[old_sheets[0], old_sheets[1]], &old_export),
        &demo.items,
    );
    let new_sheets = [&new_kit.join("vice-chair.txt"), &new_kit.join("clerk.txt")];
    assert_recovered(
        &recover(&[new_sheets[0], new_sheets[1]], &new_export),
        &demo.items,
    );
}
