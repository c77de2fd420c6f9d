//! Opening the database the settings name: the SQLite file in the data folder by default, or a
//! PostgreSQL database by address. Messages name the database with any password hidden.

use crate::config::{Settings, ensure_data_dir};
use anyhow::Context;
use custodian_store::Store;

/// Whether a command may create a new, empty database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Commands that set things up (`serve`, `init`, `migrate`, `import`).
    CreateIfMissing,
    /// Commands that only read (`audit`, `export`): a missing database is a mistake to report,
    /// not a new empty one to create.
    MustExist,
}

/// Opens the database without changing its structure.
pub async fn open(settings: &Settings, need: Need) -> anyhow::Result<Store> {
    let store = match &settings.database_url {
        Some(url) => Store::open(url).await,
        None => {
            let path = settings.sqlite_path();
            match need {
                Need::MustExist if !path.is_file() => anyhow::bail!(
                    "There is no Custodian database in {}. Set up a council with `custodian init`, \
                     or name the folder that holds your database with --data-dir",
                    settings.data_dir.display()
                ),
                Need::MustExist => {}
                Need::CreateIfMissing => {
                    ensure_data_dir(&settings.data_dir).with_context(|| {
                        format!(
                            "Custodian could not create its data folder {}",
                            settings.data_dir.display()
                        )
                    })?
                }
            }
            Store::open_sqlite_in(&settings.data_dir).await
        }
    };
    store.with_context(|| format!("Custodian could not open {}", settings.database_label()))
}

/// Opens the database and brings its structure up to date, returning the names of the
/// migrations applied now.
pub async fn open_and_migrate(settings: &Settings) -> anyhow::Result<(Store, Vec<&'static str>)> {
    migrated(settings, open(settings, Need::CreateIfMissing).await?).await
}

/// As [`open_and_migrate`], for commands that work on a council already set up (`monitor
/// ingest`, the vault's kit, export and key rotation): a mistyped --data-dir is reported
/// rather than answered with a new, empty database left behind.
pub async fn open_existing_and_migrate(
    settings: &Settings,
) -> anyhow::Result<(Store, Vec<&'static str>)> {
    migrated(settings, open(settings, Need::MustExist).await?).await
}

async fn migrated(settings: &Settings, store: Store) -> anyhow::Result<(Store, Vec<&'static str>)> {
    let applied = store.migrate().await.with_context(|| {
        format!(
            "Custodian could not prepare {} for use",
            settings.database_label()
        )
    })?;
    Ok((store, applied))
}
