//! `custodian assets import` and `custodian assets export`: the equipment register as CSV at
//! the command line. Reading and writing the CSV is `custodian_core::asset::csv`'s; this module
//! chooses the council, reads the file, stores the items in one transaction and prints.
//!
//! Changes are recorded in the audit log as the operator's, like `custodian init` and
//! `custodian export`: whoever runs the command has the server's files anyway.

use crate::config::Settings;
use crate::database::{Need, open};
use crate::{BadInput, print_out};
use anyhow::Context;
use custodian_core::asset::csv::{ImportContext, import_register_csv, write_register_csv};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::council::Council;
use custodian_core::ids::AssetId;
use custodian_core::ports::{
    AssetStore, AssetStoreError, AuditLog, CouncilStore, PersonStore, StoreError,
};
use custodian_store::Store;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

/// Larger than any register file (50,000 rows of a few hundred characters); refused before it
/// is read into memory.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub async fn run_import(
    settings: Settings,
    file: &Path,
    council: Option<&str>,
) -> anyhow::Result<ExitCode> {
    // Read the file first, so a mistyped name is reported before the database is opened.
    let bytes = read_file(file)?;
    let store = open_register(&settings).await?;
    let outcome = import_into(&store, &bytes, council).await;
    store.close().await;
    outcome
}

pub async fn run_export(settings: Settings, council: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = open_register(&settings).await?;
    let outcome = export_from(&store, council).await;
    store.close().await;
    let text = outcome?;
    print_out(&text).context("Custodian could not write the register")?;
    Ok(ExitCode::SUCCESS)
}

/// The database as it must be for the register: present (an import needs a council), with any
/// new tables this version of Custodian adds.
async fn open_register(settings: &Settings) -> anyhow::Result<Store> {
    let store = open(settings, Need::MustExist).await?;
    if let Err(error) = store.migrate().await {
        store.close().await;
        return Err(anyhow::Error::new(error).context(format!(
            "Custodian could not prepare {} for use",
            settings.database_label()
        )));
    }
    Ok(store)
}

fn read_file(file: &Path) -> anyhow::Result<Vec<u8>> {
    let cannot = |e: std::io::Error| {
        BadInput(format!(
            "Custodian could not read {}: {e}. Nothing was imported",
            file.display()
        ))
    };
    let mut bytes = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
    } else {
        std::fs::File::open(file)
            .map_err(cannot)?
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(BadInput(format!(
            "{} is larger than 64 MB, too large to be an equipment register. Nothing was \
             imported; check that it is the right file",
            file.display()
        ))
        .into());
    }
    Ok(bytes)
}

/// The council `wanted` names (by slug, name or id), or the only one there is.
pub async fn choose_council(store: &Store, wanted: Option<&str>) -> anyhow::Result<Council> {
    let councils = store
        .councils()
        .await
        .context("Custodian could not read the list of councils")?;
    let listed = || {
        councils
            .iter()
            .map(|c| format!("  {}  ({})", c.name.slug(), c.name))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let Some(wanted) = wanted.map(str::trim) else {
        return match councils.as_slice() {
            [] => Err(BadInput(
                "There is no council here yet. Set one up with `custodian init` first".to_owned(),
            )
            .into()),
            [only] => Ok(only.clone()),
            _ => Err(BadInput(format!(
                "This Custodian holds {} councils. Say which one with --council, using one of \
                 these names:\n{}",
                councils.len(),
                listed()
            ))
            .into()),
        };
    };
    let lower = wanted.to_lowercase();
    councils
        .iter()
        .find(|c| {
            c.name.slug() == lower
                || c.name.as_str().to_lowercase() == lower
                || c.id.to_string() == lower
        })
        .cloned()
        .ok_or_else(|| {
            let known = if councils.is_empty() {
                "There are no councils here yet: set one up with `custodian init`.".to_owned()
            } else {
                format!("The councils here are:\n{}", listed())
            };
            BadInput(format!("There is no council called \"{wanted}\". {known}")).into()
        })
}

async fn import_into(
    store: &Store,
    bytes: &[u8],
    council: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let council = choose_council(store, council).await?;
    let people = store
        .people(council.id)
        .await
        .context("Custodian could not read the council's people")?;
    let numbers = store
        .asset_numbers(council.id)
        .await
        .context("Custodian could not read the register")?;
    let context = ImportContext {
        council_id: council.id,
        people: &people,
        existing_numbers: &numbers,
        actor: Actor::Operator,
        now: jiff::Timestamp::now(),
    };
    let import = import_register_csv(bytes, &context, AssetId::generate)
        .map_err(|report| BadInput(report.to_string().trim_end().to_owned()))?;
    match store
        .import_assets(council.id, &import.assets, &import.events)
        .await
    {
        Ok(_) => {}
        // Another change got there first (the file was checked against the register as it
        // was a moment ago).
        Err(error @ AssetStoreError::DuplicateNumber { .. }) => {
            return Err(BadInput(format!("Nothing was imported. {error}")).into());
        }
        Err(AssetStoreError::Store(StoreError::NotFound("person"))) => {
            return Err(BadInput(
                "Nothing was imported: someone named in the file is no longer in the council's \
                 list of people. Run the import again to see which row."
                    .to_owned(),
            )
            .into());
        }
        Err(error) => {
            return Err(anyhow::Error::new(error).context("Nothing was imported"));
        }
    }
    let counts = import.counts();
    let items = |n: usize| if n == 1 { "item" } else { "items" };
    println!(
        "Imported {} {} into {}.",
        counts.total,
        items(counts.total),
        council.name
    );
    let mut parts = Vec::new();
    for (n, words) in [
        (counts.in_store, "in store"),
        (counts.issued, "issued"),
        (counts.lost, "lost"),
        (counts.stolen, "stolen"),
        (counts.damaged, "damaged"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    println!("{}.", parts.join(", "));
    if counts.issued > 0 {
        println!(
            "Each holder is asked to acknowledge their equipment when they next sign in: an \
             import cannot accept responsibility for them."
        );
    }
    if !import.ignored_columns.is_empty() {
        println!(
            "These columns are not used by Custodian and were ignored: {}.",
            import.ignored_columns.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The register as CSV, after recording the export in the council's audit log (if that
/// cannot be recorded, nothing is printed).
async fn export_from(store: &Store, council: Option<&str>) -> anyhow::Result<String> {
    let council = choose_council(store, council).await?;
    let assets = store
        .all_assets(council.id)
        .await
        .context("Custodian could not read the register")?;
    let people = store
        .people(council.id)
        .await
        .context("Custodian could not read the council's people")?;
    let event = AuditEvent::new(
        council.id,
        jiff::Timestamp::now(),
        Actor::Operator,
        "assets.exported",
    )
    .details(serde_json::json!({ "items": assets.len(), "from": "command_line" }));
    store
        .append(&event)
        .await
        .context("The export could not be recorded in the audit log, so nothing was printed")?;
    Ok(write_register_csv(&assets, &people))
}
