//! `custodian vault`: the recovery kit (4.1.2's sealed envelope, made recoverable), the
//! encrypted export it opens, recovery with two sheets and no server, and a new vault key.

use crate::assets::choose_council;
use crate::cli::VaultCommand;
use crate::config::{self, ENV_VAULT_NEW_PASSPHRASE, ENV_VAULT_PASSPHRASE, Layer, Settings};
use crate::database::open_existing_and_migrate;
use crate::vault_key::{Unlocked, passphrase_from_env, read_key_file, unlock, write_key_file};
use crate::{BadInput, print_out};
use anyhow::{Context, bail};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::council::Council;
use custodian_core::ports::{
    AuditLog, CouncilStore, PersonStore, RecoveryKitRecord, Rewrapped, VaultSettings, VaultStore,
};
use custodian_store::Store;
use custodian_vault::{
    ExportHeader, ExportedItem, Key, Sealed, issue_kit, key_check, key_from_passphrase,
    open_export, parse_share_file, rewrap_item_key, seal_export, share_file,
};
use custodian_web::vault_box::open_secret;
use jiff::Timestamp;
use rand::RngCore;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use zeroize::Zeroizing;

pub async fn run(
    command: VaultCommand,
    global: Layer,
    config_file: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    // Recovery needs no database or settings: only the export and two sheets.
    if let VaultCommand::Recover { shares, input } = &command {
        return run_recover(shares, input);
    }
    let settings = config::load(global, config_file).map_err(BadInput::from)?;
    match command {
        VaultCommand::Kit { out, council } => {
            run_kit(settings, &out, council.council.as_deref()).await
        }
        VaultCommand::Export { out, council } => {
            run_export(settings, &out, council.council.as_deref()).await
        }
        VaultCommand::RotateKey => run_rotate_key(settings).await,
        VaultCommand::Recover { .. } => Ok(ExitCode::SUCCESS),
    }
}

/// The file each sheet is written to, in sheet order (`core::vault::KIT_HOLDER_ROLES`).
const SHEET_FILES: [&str; 3] = ["chair", "vice-chair", "clerk"];

fn today_in_words(now: Timestamp) -> String {
    custodian_core::policy::document::format_date(
        now.to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC))
            .date(),
    )
}

/// An empty folder to write sheets into: created if missing, refused if it holds anything.
fn empty_folder(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out)
            .map_err(|e| BadInput(format!("{} cannot be used as a folder: {e}", out.display())))?;
        if entries.next().is_some() {
            return Err(BadInput(format!(
                "{} is not empty. Give a new or empty folder, so no old sheet is mixed up with the new ones",
                out.display()
            ))
            .into());
        }
        return Ok(());
    }
    config::ensure_data_dir(out)
        .with_context(|| format!("Custodian could not create the folder {}", out.display()))
}

/// Writes a file only its owner can read, never over an existing one.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::Error::new(BadInput(format!(
                "{} already exists; Custodian never overwrites a file. Choose another name",
                path.display()
            )))
        } else {
            anyhow::Error::new(e).context(format!("Custodian could not create {}", path.display()))
        }
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("Custodian could not write {}", path.display()))
}

pub async fn run_kit(
    settings: Settings,
    out: &Path,
    council: Option<&str>,
) -> anyhow::Result<ExitCode> {
    // The database first: a mistyped --data-dir leaves no empty sheet folder behind.
    let (store, _) = open_existing_and_migrate(&settings).await?;
    let result = match empty_folder(out) {
        Ok(()) => issue(&store, out, council).await,
        Err(error) => Err(error),
    };
    store.close().await;
    result
}

async fn issue(store: &Store, out: &Path, wanted: Option<&str>) -> anyhow::Result<ExitCode> {
    let council = choose_council(store, wanted).await?;
    let people = store.people(council.id).await?;
    let now = Timestamp::now();
    let kit = issue_kit().context("The recovery kit could not be made")?;
    let issued_on = today_in_words(now);
    let holders = custodian_core::vault::kit_holders(&people);
    for ((file, holder), share) in SHEET_FILES.iter().zip(&holders).zip(kit.shares.iter()) {
        let page = share_file(share, council.name.as_str(), holder, &issued_on);
        write_private(&out.join(format!("{file}.txt")), &page)?;
    }
    let record = RecoveryKitRecord {
        council_id: council.id,
        kit_id: kit.kit_id.clone(),
        public_key: hex::encode(kit.public_key),
        issued_at: now,
        holders: holders.clone(),
    };
    let event = AuditEvent::new(council.id, now, Actor::Operator, "vault.kit_issued")
        .details(json!({ "kit_id": kit.kit_id, "holders": holders }));
    store
        .replace_recovery_kit(&record, &event)
        .await
        .context("The new kit could not be recorded; its sheets are not in use, delete them")?;
    print_out(&format!(
        "A new recovery kit ({}) was issued for {}.\n\n\
         Three sheets were written to {}:\n  chair.txt, vice-chair.txt and clerk.txt\n\n\
         Next steps:\n\
         1. Print each sheet and put it in an envelope, sealed and signed across the flap.\n\
         2. Give each envelope to its holder: {}.\n\
         3. Delete the three files (and empty the recycle bin).\n\
         4. Make a new export now (custodian vault export): exports made before today need \
         the old kit.\n\
         5. Ask the holders of any older kit's sheets to destroy them.\n",
        kit.kit_id,
        council.name,
        out.display(),
        holders.join("; "),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The vault key, or a message saying why the vault is locked.
async fn key_for(store: &Store, settings: &Settings) -> anyhow::Result<Arc<Key>> {
    match unlock(store, settings).await? {
        Unlocked::Key(key) => Ok(key),
        Unlocked::Locked(why) => bail!("{why}"),
    }
}

pub async fn run_export(
    settings: Settings,
    out: &Path,
    council: Option<&str>,
) -> anyhow::Result<ExitCode> {
    if out.exists() {
        return Err(BadInput(format!(
            "{} already exists; Custodian never overwrites a file. Choose another name",
            out.display()
        ))
        .into());
    }
    let (store, _) = open_existing_and_migrate(&settings).await?;
    let result = export(&store, &settings, out, council).await;
    store.close().await;
    result
}

async fn export(
    store: &Store,
    settings: &Settings,
    out: &Path,
    wanted: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let council = choose_council(store, wanted).await?;
    let kit = store.recovery_kit(council.id).await?.ok_or_else(|| {
        BadInput(format!(
            "{} has no recovery kit yet, so an export could not be opened by anyone. Issue one first: custodian vault kit --out FOLDER",
            council.name
        ))
    })?;
    let public_key: [u8; 32] = hex::decode(&kit.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .context("The council's recovery kit record is damaged; issue a new kit")?;
    let key = key_for(store, settings).await?;
    let items = exported_items(store, &key, &council).await?;
    let now = Timestamp::now();
    let header = ExportHeader {
        council: council.name.to_string(),
        created_at: now.to_string(),
        kit_id: kit.kit_id.clone(),
        item_count: items.len(),
    };
    let text =
        seal_export(&public_key, &header, &items).context("The export could not be sealed")?;
    // Recorded before the file exists: an export nobody knows about must not be possible.
    let event = AuditEvent::new(council.id, now, Actor::Operator, "vault.exported")
        .details(json!({ "kit_id": kit.kit_id, "items": items.len() }));
    store
        .append(&event)
        .await
        .context("The export could not be recorded in the audit log, so it was not written")?;
    write_private(out, &text)?;
    print_out(&format!(
        "{} items of {} were exported to {}, sealed to recovery kit {}.\n\
         Any two of that kit's sheets open it with: custodian vault recover --share A --share B --in {}\n",
        items.len(),
        council.name,
        out.display(),
        kit.kit_id,
        out.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

async fn exported_items(
    store: &Store,
    key: &Key,
    council: &Council,
) -> anyhow::Result<Vec<ExportedItem>> {
    let mut exported = Vec::new();
    for item in store.vault_items(council.id).await? {
        let sealed = store.sealed_item(council.id, item.id).await?;
        let mut fields = Vec::new();
        for secret in &sealed.secrets {
            let text = open_secret(key, &item, &sealed, secret.field)
                .with_context(|| format!("A secret of {} could not be opened", item.name))?;
            fields.push((secret.field.as_str().to_owned(), text));
        }
        exported.push(ExportedItem {
            name: item.name.clone(),
            kind: item.kind.label().to_owned(),
            address: item.address.clone(),
            username: item.username.clone(),
            fields,
        });
    }
    Ok(exported)
}

pub fn run_recover(shares: &[PathBuf], input: &Path) -> anyhow::Result<ExitCode> {
    let [a, b] = shares else {
        return Err(BadInput(format!(
            "Recovery needs two different holders' sheets (--share twice); {} {} given. One sheet alone recovers nothing",
            shares.len(),
            if shares.len() == 1 { "was" } else { "were" }
        ))
        .into());
    };
    let read = |path: &Path, what: &str| -> anyhow::Result<Zeroizing<String>> {
        std::fs::read_to_string(path)
            .map(Zeroizing::new)
            .map_err(|e| {
                BadInput(format!(
                    "The {what} {} could not be read: {e}",
                    path.display()
                ))
                .into()
            })
    };
    let share = |path: &Path| -> anyhow::Result<custodian_vault::Share> {
        parse_share_file(&read(path, "recovery sheet")?)
            .map_err(|e| BadInput(format!("{}: {e}", path.display())).into())
    };
    let (first, second) = (share(a)?, share(b)?);
    let text = read(input, "export")?;
    let (header, items) = open_export(&text, &first, &second)
        .map_err(|e| BadInput(format!("{}: {e}", input.display())))?;
    let mut page = Zeroizing::new(format!(
        "{}: {} items, exported {} (recovery kit {})\n\
         Change each of these passwords once the emergency is over.\n",
        header.council, header.item_count, header.created_at, header.kit_id
    ));
    for item in &items {
        page.push_str(&format!("\n== {} ({})\n", item.name, item.kind));
        if let Some(address) = &item.address {
            page.push_str(&format!("   Address:  {address}\n"));
        }
        if let Some(username) = &item.username {
            page.push_str(&format!("   Username: {username}\n"));
        }
        for (field, value) in &item.fields {
            let label = custodian_core::vault::SecretField::parse(field)
                .map(|f| f.label())
                .unwrap_or(field.as_str());
            if value.contains('\n') {
                page.push_str(&format!("   {label}:\n"));
                for line in value.lines() {
                    page.push_str(&format!("     {line}\n"));
                }
            } else {
                page.push_str(&format!("   {label}: {}\n", value.as_str()));
            }
        }
    }
    print_out(&page)?;
    Ok(ExitCode::SUCCESS)
}

pub async fn run_rotate_key(settings: Settings) -> anyhow::Result<ExitCode> {
    let (store, _) = open_existing_and_migrate(&settings).await?;
    let result = rotate(&store, &settings).await;
    store.close().await;
    result
}

async fn rotate(store: &Store, settings: &Settings) -> anyhow::Result<ExitCode> {
    let stored = store.vault_settings().await?.ok_or_else(|| {
        BadInput("The vault has no key yet: it is made when Custodian first starts".to_owned())
    })?;
    let old = key_for(store, settings).await?;
    let started = std::time::Instant::now();
    // The new key: from the new passphrase, or a new key file written beside the old one and
    // moved into place only after the database has changed.
    let passphrase_mode = stored.passphrase_salt.is_some();
    let pending_file = settings.vault_key_file.with_extension("key.new");
    let (new, new_settings) = if passphrase_mode {
        let passphrase = passphrase_from_env(ENV_VAULT_NEW_PASSPHRASE).ok_or_else(|| {
            BadInput(format!(
                "This vault's key comes from a passphrase: give the new one in {ENV_VAULT_NEW_PASSPHRASE} (and the current one in {ENV_VAULT_PASSPHRASE})"
            ))
        })?;
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let key = key_from_passphrase(passphrase.as_bytes(), &salt)?;
        let check = key_check(&key)?;
        (
            key,
            VaultSettings {
                key_check: check.to_text(),
                passphrase_salt: Some(hex::encode(salt)),
            },
        )
    } else {
        if pending_file.exists() {
            return Err(BadInput(format!(
                "{} exists from an earlier rotation that did not finish. If Custodian works with the current key file, delete it and try again; otherwise see docs/vault.md",
                pending_file.display()
            ))
            .into());
        }
        let key = Key::generate()?;
        write_key_file(&pending_file, &key)?;
        let check = key_check(&key)?;
        (
            key,
            VaultSettings {
                key_check: check.to_text(),
                passphrase_salt: None,
            },
        )
    };
    let outcome = rewrap_all(store, &old, &new, &new_settings).await;
    let count = match outcome {
        Ok(count) => count,
        Err(error) => {
            if !passphrase_mode {
                let _ = std::fs::remove_file(&pending_file);
            }
            return Err(error.context("Nothing was changed: the vault still uses its old key"));
        }
    };
    if !passphrase_mode {
        std::fs::rename(&pending_file, &settings.vault_key_file).with_context(|| {
            format!(
                "The vault now uses the new key, saved in {}, but it could not be moved to {}. Move it there yourself before starting Custodian",
                pending_file.display(),
                settings.vault_key_file.display()
            )
        })?;
        // The moved file must be the one that works.
        read_key_file(&settings.vault_key_file)?;
    }
    let elapsed = started.elapsed();
    print_out(&format!(
        "The vault key was replaced: {count} item keys re-wrapped in {:.0} ms.\n{}",
        elapsed.as_secs_f64() * 1000.0,
        if passphrase_mode {
            format!(
                "From now on start Custodian with the new passphrase in {ENV_VAULT_PASSPHRASE}.\n"
            )
        } else {
            format!(
                "Back up the new key file {} now, apart from the database, and destroy copies of the old one.\n",
                settings.vault_key_file.display()
            )
        }
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Re-wraps every item key of every council in one transaction; returns how many.
pub async fn rewrap_all(
    store: &Store,
    old: &Key,
    new: &Key,
    new_settings: &VaultSettings,
) -> anyhow::Result<usize> {
    let keys = store.wrapped_item_keys().await?;
    let now = Timestamp::now();
    let mut rewrapped = Vec::with_capacity(keys.len());
    for (_, key) in &keys {
        let wrapped = Sealed::from_text(&key.old).context("A stored item key is damaged")?;
        let new_wrapping = rewrap_item_key(old, new, &key.item.to_string(), &wrapped)
            .context("A stored item key could not be opened with the current vault key")?;
        rewrapped.push(Rewrapped {
            item: key.item,
            old: key.old.clone(),
            new: new_wrapping.to_text(),
        });
    }
    let councils = store.councils().await?;
    let events: Vec<AuditEvent> = councils
        .iter()
        .map(|council| {
            let items = keys.iter().filter(|(c, _)| *c == council.id).count();
            AuditEvent::new(council.id, now, Actor::Operator, "vault.key_rotated")
                .details(json!({ "items": items }))
        })
        .collect();
    store
        .rewrap_item_keys(&rewrapped, new_settings, &events)
        .await
        .context("The item keys could not be re-wrapped")?;
    Ok(rewrapped.len())
}
