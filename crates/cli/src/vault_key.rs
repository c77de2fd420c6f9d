//! Unlocking the vault key at start (issue 5, 4.1.3: an encrypted password store): from a key file kept outside the
//! database (mode 0600), or from an operator's passphrase given in CUSTODIAN_VAULT_PASSPHRASE
//! and stretched with Argon2id. The installation keeps a value sealed with the key, so a wrong
//! key is refused at once instead of being found out at the first reveal.
//!
//! The first start creates the key: a new random key file, or (with a passphrase set) a new
//! salt. Neither the key nor the passphrase is ever printed or logged.

use crate::config::{ENV_VAULT_PASSPHRASE, Settings};
use anyhow::{Context, bail};
use custodian_core::ports::{VaultSettings, VaultStore};
use custodian_store::Store;
use custodian_vault::{Key, Sealed, key_check, key_file, key_from_passphrase, key_matches};
use rand::RngCore;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

/// How the vault came to be unlocked, or why it was not.
pub enum Unlocked {
    Key(Arc<Key>),
    /// The vault is set up but the key is not available (the key file is missing, or the
    /// passphrase was not given): Custodian runs with the vault locked and says why.
    Locked(String),
}

/// The operator's passphrase from the environment, if set (never empty).
pub fn passphrase_from_env(variable: &str) -> Option<Zeroizing<String>> {
    std::env::var(variable)
        .ok()
        .map(Zeroizing::new)
        .filter(|p| !p.trim().is_empty())
}

/// Unlocks the vault key, creating it on the first start. A key that does not match the one
/// the vault was set up with is an error (Custodian must not store new secrets under it).
pub async fn unlock(store: &Store, settings: &Settings) -> anyhow::Result<Unlocked> {
    let passphrase = passphrase_from_env(ENV_VAULT_PASSPHRASE);
    let stored = store
        .vault_settings()
        .await
        .context("Custodian could not read the vault's settings")?;
    let Some(stored) = stored else {
        let (key, settings_row, created) =
            create(settings, passphrase.as_ref().map(|p| p.as_str()))?;
        store
            .init_vault_settings(&settings_row)
            .await
            .context("Custodian could not record the new vault key's check value")?;
        // Shown by `serve` (whose log shows progress); the demo's folder is temporary.
        if created {
            tracing::info!(
                file = %settings.vault_key_file.display(),
                "created a new vault key file: back it up apart from the database (see docs/vault.md)"
            );
        }
        return Ok(Unlocked::Key(Arc::new(key)));
    };
    let check =
        Sealed::from_text(&stored.key_check).context("The vault's stored key check is damaged")?;
    let key = match &stored.passphrase_salt {
        Some(salt) => {
            let Some(passphrase) = passphrase else {
                return Ok(Unlocked::Locked(format!(
                    "The vault is locked: its key comes from a passphrase; set {ENV_VAULT_PASSPHRASE} before starting Custodian"
                )));
            };
            let salt = parse_salt(salt)?;
            key_from_passphrase(passphrase.as_bytes(), &salt)
                .context("The vault key could not be derived from the passphrase")?
        }
        None => {
            if !settings.vault_key_file.exists() {
                return Ok(Unlocked::Locked(format!(
                    "The vault is locked: its key file {} is missing. Restore it from your backup (see docs/vault.md)",
                    settings.vault_key_file.display()
                )));
            }
            read_key_file(&settings.vault_key_file)?
        }
    };
    if !key_matches(&key, &check) {
        bail!(
            "{} is not the key this vault was set up with, so Custodian will not use it. Restore the right one from your backup (see docs/vault.md)",
            match stored.passphrase_salt {
                Some(_) => format!("The passphrase in {ENV_VAULT_PASSPHRASE}"),
                None => format!("The key in {}", settings.vault_key_file.display()),
            }
        );
    }
    Ok(Unlocked::Key(Arc::new(key)))
}

/// The key for a new vault and the settings to record: from the passphrase with a new salt,
/// from an existing key file (restored before the database was set up), or a new key file.
/// The flag says whether a key file was created.
fn create(
    settings: &Settings,
    passphrase: Option<&str>,
) -> anyhow::Result<(Key, VaultSettings, bool)> {
    if let Some(passphrase) = passphrase {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let key = key_from_passphrase(passphrase.as_bytes(), &salt)
            .context("The vault key could not be derived from the passphrase")?;
        let check = key_check(&key).context("The vault key check could not be made")?;
        return Ok((
            key,
            VaultSettings {
                key_check: check.to_text(),
                passphrase_salt: Some(hex::encode(salt)),
            },
            false,
        ));
    }
    let path = &settings.vault_key_file;
    let (key, created) = if path.exists() {
        (read_key_file(path)?, false)
    } else {
        let key = Key::generate().context("The vault key could not be made")?;
        write_key_file(path, &key)?;
        (key, true)
    };
    let check = key_check(&key).context("The vault key check could not be made")?;
    Ok((
        key,
        VaultSettings {
            key_check: check.to_text(),
            passphrase_salt: None,
        },
        created,
    ))
}

fn parse_salt(text: &str) -> anyhow::Result<[u8; 16]> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok())
        .context("The vault's stored passphrase salt is damaged")
}

/// Reads a key file, refusing one other users of the computer could read.
pub fn read_key_file(path: &Path) -> anyhow::Result<Key> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| {
                format!(
                    "Custodian could not read the vault key file {}",
                    path.display()
                )
            })?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "The vault key file {} can be read by other users of this computer, so Custodian will not use it. Run: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).with_context(|| {
        format!(
            "Custodian could not read the vault key file {}",
            path.display()
        )
    })?);
    custodian_vault::parse_key_file(&text)
        .with_context(|| format!("The vault key file {} cannot be used", path.display()))
}

/// Writes a new key file readable only by its owner, never over an existing file, and flushed
/// to disk before Custodian relies on it.
pub fn write_key_file(path: &Path, key: &Key) -> anyhow::Result<()> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::config::ensure_data_dir(folder).with_context(|| {
            format!("Custodian could not create the folder {}", folder.display())
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| {
        format!(
            "Custodian could not create the vault key file {}",
            path.display()
        )
    })?;
    file.write_all(key_file(key).as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| {
            format!(
                "Custodian could not write the vault key file {}",
                path.display()
            )
        })?;
    Ok(())
}
