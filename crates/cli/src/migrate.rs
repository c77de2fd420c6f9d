//! `custodian migrate`: brings the database's structure up to date and says what it did.

use crate::config::Settings;
use crate::database::open_and_migrate;
use std::process::ExitCode;

pub async fn run(settings: Settings) -> anyhow::Result<ExitCode> {
    let (store, applied) = open_and_migrate(&settings).await?;
    store.close().await;
    println!("Database: {}", settings.database_label());
    let version = custodian_store::migrate::latest_version();
    if applied.is_empty() {
        println!("The database is already up to date (schema version {version}).");
    } else {
        for name in &applied {
            println!("Applied migration {name}");
        }
        println!("The database is now up to date (schema version {version}).");
    }
    Ok(ExitCode::SUCCESS)
}
