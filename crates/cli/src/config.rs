//! Where Custodian's settings come from and which wins: command-line flags, then environment
//! variables, then the TOML settings file, then built-in defaults.
//!
//! The merge itself ([`merge`]) is a pure function so the order can be tested without touching
//! the process environment; [`load`] is the thin part that reads the environment and the file.
//! This module must never print or log a database address unredacted.

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variables Custodian reads.
pub const ENV_DATA_DIR: &str = "CUSTODIAN_DATA_DIR";
pub const ENV_DATABASE_URL: &str = "CUSTODIAN_DATABASE_URL";
pub const ENV_PUBLIC_URL: &str = "CUSTODIAN_PUBLIC_URL";
pub const ENV_BIND: &str = "CUSTODIAN_BIND";
pub const ENV_CONFIG: &str = "CUSTODIAN_CONFIG";
pub const ENV_LOG: &str = "CUSTODIAN_LOG";
pub const ENV_VAULT_KEY_FILE: &str = "CUSTODIAN_VAULT_KEY_FILE";
/// The operator's vault passphrase, when the vault key comes from one. Read only from the
/// environment (never a flag, which other users can see, nor the settings file).
pub const ENV_VAULT_PASSPHRASE: &str = "CUSTODIAN_VAULT_PASSPHRASE";
/// The new passphrase for `custodian vault rotate-key` on a passphrase-keyed vault.
pub const ENV_VAULT_NEW_PASSPHRASE: &str = "CUSTODIAN_VAULT_NEW_PASSPHRASE";

/// The vault key file's name inside the data folder, unless another place is given.
pub const VAULT_KEY_FILE: &str = "vault.key";

/// Where `serve` listens unless told otherwise: this computer only.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// The name of the SQLite database file inside the data folder.
pub const SQLITE_FILE: &str = "custodian.db";

/// One source of settings. Every field is optional: a source says only what it sets.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub bind: Option<String>,
    pub vault_key_file: Option<PathBuf>,
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_deref()
                    .map(custodian_store::redact_url),
            )
            .field("public_url", &self.public_url)
            .field("bind", &self.bind)
            .field("vault_key_file", &self.vault_key_file)
            .finish()
    }
}

impl Layer {
    /// Reads the `CUSTODIAN_*` variables through `lookup` (the process environment in
    /// production, a map in tests). A variable set to an empty value counts as not set.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        Self {
            data_dir: get(ENV_DATA_DIR).map(PathBuf::from),
            database_url: get(ENV_DATABASE_URL),
            public_url: get(ENV_PUBLIC_URL),
            bind: get(ENV_BIND),
            vault_key_file: get(ENV_VAULT_KEY_FILE).map(PathBuf::from),
        }
    }

    /// Parses a settings file. A relative `data_dir` is taken relative to the file's folder, so
    /// the file means the same thing whichever folder Custodian is started from.
    pub fn from_toml(text: &str, file: &Path) -> Result<Self, ConfigError> {
        let mut layer: Layer = toml::from_str(text).map_err(|e| ConfigError::BadFile {
            file: file.to_path_buf(),
            reason: e.message().to_owned(),
        })?;
        let folder = file.parent().unwrap_or(Path::new("."));
        let beside_file = |path: PathBuf| {
            if path.is_relative() {
                folder.join(path)
            } else {
                path
            }
        };
        layer.data_dir = layer.data_dir.take().map(beside_file);
        layer.vault_key_file = layer.vault_key_file.take().map(beside_file);
        Ok(layer)
    }

    /// Takes each setting from `self`, falling back to `lower`.
    fn over(self, lower: Layer) -> Layer {
        Layer {
            data_dir: self.data_dir.or(lower.data_dir),
            database_url: self.database_url.or(lower.database_url),
            public_url: self.public_url.or(lower.public_url),
            bind: self.bind.or(lower.bind),
            vault_key_file: self.vault_key_file.or(lower.vault_key_file),
        }
    }
}

/// The settings a command runs with, after merging.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    /// The folder holding the SQLite database (and, later, other files).
    pub data_dir: PathBuf,
    /// A database address (`postgres://…`); `None` means the SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// The address people use to reach Custodian, without a trailing slash; `None` means
    /// "work it out from the address Custodian listens on".
    pub public_url: Option<String>,
    /// The address and port `serve` listens on.
    pub bind: String,
    /// The vault key file (kept outside the database; see docs/vault.md).
    pub vault_key_file: PathBuf,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_label())
            .field("public_url", &self.public_url)
            .field("bind", &self.bind)
            .field("vault_key_file", &self.vault_key_file)
            .finish()
    }
}

impl Settings {
    /// The SQLite file used when no database address is given.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join(SQLITE_FILE)
    }

    /// Which database is in use, safe to print: any password in the address is hidden.
    pub fn database_label(&self) -> String {
        match &self.database_url {
            Some(url) => custodian_store::redact_url(url),
            None => format!("the SQLite file {}", self.sqlite_path().display()),
        }
    }
}

/// A setting that cannot be used. Each message says what to do about it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "Custodian could not work out where to keep its data on this computer. Choose a folder with --data-dir or the {ENV_DATA_DIR} environment variable"
    )]
    NoDataDir,
    #[error("The settings file {} could not be read: {reason}", file.display())]
    UnreadableFile { file: PathBuf, reason: String },
    #[error(
        "The settings file {} is not valid: {reason}. It may contain only data_dir, database_url, public_url, bind and vault_key_file",
        file.display()
    )]
    BadFile { file: PathBuf, reason: String },
    #[error(
        "The public address {0:?} must start with http:// or https://, for example https://custodian.ashby-pc.gov.uk"
    )]
    BadPublicUrl(String),
    #[error(
        "The database address must start with postgres:// or sqlite://, for example postgres://custodian@localhost/custodian (it was {0})"
    )]
    BadDatabaseUrl(String),
}

/// Merges the sources, highest priority first: flags, environment, settings file, then the
/// default data folder (`None` when the operating system offers none) and listening address.
pub fn merge(
    flags: Layer,
    env: Layer,
    file: Layer,
    default_data_dir: Option<PathBuf>,
) -> Result<Settings, ConfigError> {
    let merged = flags.over(env).over(file);
    let data_dir = merged
        .data_dir
        .or(default_data_dir)
        .ok_or(ConfigError::NoDataDir)?;
    let database_url = match merged.database_url {
        Some(url) => Some(check_database_url(&url)?),
        None => None,
    };
    let public_url = match merged.public_url {
        Some(url) => Some(normalise_public_url(&url)?),
        None => None,
    };
    let vault_key_file = merged
        .vault_key_file
        .unwrap_or_else(|| data_dir.join(VAULT_KEY_FILE));
    Ok(Settings {
        vault_key_file,
        data_dir,
        database_url,
        public_url,
        bind: merged.bind.unwrap_or_else(|| DEFAULT_BIND.to_owned()),
    })
}

fn check_database_url(url: &str) -> Result<String, ConfigError> {
    let url = url.trim();
    let known = ["postgres://", "postgresql://", "sqlite:"];
    if known.iter().any(|scheme| url.starts_with(scheme)) {
        Ok(url.to_owned())
    } else {
        Err(ConfigError::BadDatabaseUrl(custodian_store::redact_url(
            url,
        )))
    }
}

/// Checks a public address and drops any trailing slash, so links can be built as
/// `format!("{public_url}/invitation/…")`.
pub fn normalise_public_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(trimmed.to_owned())
        }
        _ => Err(ConfigError::BadPublicUrl(url.to_owned())),
    }
}

/// The operating system's usual place for this program's data (on Linux
/// `~/.local/share/custodian`).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("uk", "Custodian", "custodian")
        .map(|dirs| dirs.data_dir().to_path_buf())
}

/// Reads the environment and the settings file (named by `--config`, else
/// `CUSTODIAN_CONFIG`) and merges them under `flags`.
pub fn load(flags: Layer, config_flag: Option<PathBuf>) -> Result<Settings, ConfigError> {
    let lookup = |name: &str| std::env::var(name).ok();
    let env = Layer::from_env(lookup);
    let config_file = config_flag.or_else(|| {
        lookup(ENV_CONFIG)
            .filter(|v| !v.trim().is_empty())
            .map(PathBuf::from)
    });
    let file = match config_file {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::UnreadableFile {
                file: path.clone(),
                reason: e.to_string(),
            })?;
            Layer::from_toml(&text, &path)?
        }
        None => Layer::default(),
    };
    merge(flags, env, file, default_data_dir())
}

/// Creates the data folder if it is missing. On Unix only its owner may open it (mode 0700):
/// it holds the database, with everyone's password hashes.
pub fn ensure_data_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn layer(tag: &str) -> Layer {
        Layer {
            data_dir: Some(PathBuf::from(format!("/{tag}/data"))),
            database_url: Some(format!("postgres://{tag}@db/custodian")),
            public_url: Some(format!("https://{tag}.example")),
            bind: Some(format!("{tag}:1")),
            vault_key_file: Some(PathBuf::from(format!("/{tag}/vault.key"))),
        }
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_file_which_beats_defaults() {
        let all = merge(
            layer("flag"),
            layer("env"),
            layer("file"),
            Some("/default".into()),
        )
        .unwrap();
        assert_eq!(all.data_dir, PathBuf::from("/flag/data"));
        assert_eq!(
            all.database_url.as_deref(),
            Some("postgres://flag@db/custodian")
        );
        assert_eq!(all.public_url.as_deref(), Some("https://flag.example"));
        assert_eq!(all.bind, "flag:1");

        let no_flags = merge(
            Layer::default(),
            layer("env"),
            layer("file"),
            Some("/default".into()),
        )
        .unwrap();
        assert_eq!(no_flags.data_dir, PathBuf::from("/env/data"));
        assert_eq!(no_flags.bind, "env:1");

        let file_only = merge(
            Layer::default(),
            Layer::default(),
            layer("file"),
            Some("/default".into()),
        )
        .unwrap();
        assert_eq!(file_only.data_dir, PathBuf::from("/file/data"));
        assert_eq!(
            file_only.public_url.as_deref(),
            Some("https://file.example")
        );

        let defaults = merge(
            Layer::default(),
            Layer::default(),
            Layer::default(),
            Some("/default".into()),
        )
        .unwrap();
        assert_eq!(defaults.data_dir, PathBuf::from("/default"));
        assert_eq!(defaults.database_url, None);
        assert_eq!(defaults.public_url, None);
        assert_eq!(defaults.bind, DEFAULT_BIND);
        assert_eq!(
            defaults.vault_key_file,
            defaults.data_dir.join(VAULT_KEY_FILE),
            "the key file defaults to the data folder"
        );
    }

    #[test]
    fn each_setting_falls_back_on_its_own() {
        let flags = Layer {
            bind: Some("0.0.0.0:9000".into()),
            ..Layer::default()
        };
        let env = Layer {
            public_url: Some("https://env.example/".into()),
            ..Layer::default()
        };
        let file = Layer {
            data_dir: Some("/srv/custodian".into()),
            bind: Some("file:1".into()),
            ..Layer::default()
        };
        let settings = merge(flags, env, file, None).unwrap();
        assert_eq!(settings.bind, "0.0.0.0:9000");
        assert_eq!(settings.public_url.as_deref(), Some("https://env.example"));
        assert_eq!(settings.data_dir, PathBuf::from("/srv/custodian"));
        assert_eq!(settings.database_url, None);
    }

    #[test]
    fn without_any_data_folder_the_merge_says_how_to_choose_one() {
        let err = merge(Layer::default(), Layer::default(), Layer::default(), None).unwrap_err();
        assert_eq!(err, ConfigError::NoDataDir);
        assert!(err.to_string().contains("--data-dir"));
    }

    #[test]
    fn environment_variables_are_read_by_name_and_empty_ones_ignored() {
        let vars: HashMap<&str, &str> = HashMap::from([
            (ENV_DATA_DIR, "/var/lib/custodian"),
            (ENV_DATABASE_URL, ""),
            (ENV_PUBLIC_URL, "https://pc.example"),
            (ENV_BIND, "0.0.0.0:80"),
        ]);
        let env = Layer::from_env(|name| vars.get(name).map(|v| (*v).to_owned()));
        assert_eq!(env.data_dir, Some(PathBuf::from("/var/lib/custodian")));
        assert_eq!(env.database_url, None);
        assert_eq!(env.public_url.as_deref(), Some("https://pc.example"));
        assert_eq!(env.bind.as_deref(), Some("0.0.0.0:80"));
    }

    #[test]
    fn the_settings_file_uses_plain_keys_and_refuses_unknown_ones() {
        let file = Path::new("/etc/custodian/custodian.toml");
        let layer = Layer::from_toml(
            "data_dir = \"data\"\ndatabase_url = \"postgres://c@db/c\"\npublic_url = \"https://x.example\"\nbind = \"0.0.0.0:8080\"\n",
            file,
        )
        .unwrap();
        assert_eq!(layer.data_dir, Some(PathBuf::from("/etc/custodian/data")));
        assert_eq!(layer.database_url.as_deref(), Some("postgres://c@db/c"));
        assert_eq!(layer.bind.as_deref(), Some("0.0.0.0:8080"));

        let err = Layer::from_toml("port = 80\n", file).unwrap_err();
        assert!(matches!(err, ConfigError::BadFile { .. }), "{err}");
        assert!(err.to_string().contains("port"), "{err}");
    }

    #[test]
    fn public_addresses_must_be_web_addresses_and_lose_their_trailing_slash() {
        assert_eq!(
            normalise_public_url(" https://pc.example/ ").unwrap(),
            "https://pc.example"
        );
        assert_eq!(
            normalise_public_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in ["pc.example", "ftp://pc.example", "https://", "https://a b"] {
            assert!(
                normalise_public_url(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn database_passwords_never_appear_in_messages_or_debug_output() {
        let secret = "postgres://custodian:hunter2-secret@db.example/custodian";
        let settings = merge(
            Layer {
                database_url: Some(secret.into()),
                ..Layer::default()
            },
            Layer::default(),
            Layer::default(),
            Some("/d".into()),
        )
        .unwrap();
        assert!(!format!("{settings:?}").contains("hunter2"));
        assert!(!settings.database_label().contains("hunter2"));
        let layer = Layer {
            database_url: Some(secret.into()),
            ..Layer::default()
        };
        assert!(!format!("{layer:?}").contains("hunter2"));
        let err = merge(
            Layer {
                database_url: Some("mysql://root:hunter2@db/x".into()),
                ..Layer::default()
            },
            Layer::default(),
            Layer::default(),
            Some("/d".into()),
        )
        .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn a_missing_data_folder_is_created_private_to_its_owner() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a").join("b");
        ensure_data_dir(&dir).unwrap();
        assert!(dir.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        ensure_data_dir(&dir).unwrap();
    }
}
