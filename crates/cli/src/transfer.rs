//! `custodian export` and `custodian import`: the whole installation as JSON Lines, for
//! backups and for moving between computers or between SQLite and PostgreSQL. The format and
//! its all-or-nothing rules live in `custodian_store::transfer`; this module only chooses the
//! files, prints the counts and checks the audit log after an import.

use crate::BadInput;
use crate::cli::{ExportArgs, ImportArgs};
use crate::config::Settings;
use crate::database::{Need, open, open_and_migrate};
use anyhow::Context;
use custodian_store::transfer::{TransferError, TransferSummary};
use std::io::{BufRead, BufReader, BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// "councils 1, people 12, …".
pub fn counts(summary: &TransferSummary) -> String {
    summary
        .rows
        .iter()
        .map(|(table, n)| format!("{table} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn run_export(settings: Settings, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let target = args.output.filter(|p| !is_dash(p));
    if let Some(path) = target.as_ref().filter(|p| p.exists()) {
        return Err(BadInput(format!(
            "{} already exists, and Custodian never overwrites an export. Nothing was written; choose a new file name",
            path.display()
        ))
        .into());
    }
    let store = open(&settings, Need::MustExist).await?;
    let result = match &target {
        None => {
            let mut out = BufWriter::new(std::io::stdout());
            store.export(&mut out).await.map_err(anyhow::Error::from)
        }
        Some(path) => export_to_file(&store, path).await,
    };
    // Each council's log records that its data left the installation. The entry is written
    // after the export (which therefore does not contain it), so an export imported elsewhere
    // and exported again is byte-for-byte the same file.
    let recorded = match &result {
        Ok(summary) => record_export(&store, summary.total(), target.is_some()).await,
        Err(_) => Ok(()),
    };
    store.close().await;
    let summary = result.context("The export did not finish")?;
    recorded.context("The export was written, but it could not be recorded in the audit log")?;
    let message = format!(
        "Exported {} rows ({}){}.\nThe export holds personal details and password hashes: keep it as safe as the database.",
        summary.total(),
        counts(&summary),
        target
            .as_ref()
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default()
    );
    // When the export itself goes to standard output, the summary must not mix into it.
    if target.is_some() {
        println!("{message}");
    } else {
        eprintln!("{message}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to a private temporary file beside the target and moves it into place only when
/// complete, so a failed export never leaves half a file that looks like a backup.
async fn export_to_file(
    store: &custodian_store::Store,
    path: &Path,
) -> anyhow::Result<TransferSummary> {
    let folder: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(&folder)
        .with_context(|| format!("Custodian could not create a file in {}", folder.display()))?;
    let summary = {
        let mut out = BufWriter::new(temp.as_file_mut());
        let summary = store.export(&mut out).await?;
        out.flush()
            .context("Custodian could not finish writing the export")?;
        summary
    };
    temp.as_file()
        .sync_all()
        .context("Custodian could not finish writing the export")?;
    temp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == ErrorKind::AlreadyExists {
            anyhow::Error::new(BadInput(format!(
                "{} appeared while the export was being written; nothing was overwritten",
                path.display()
            )))
        } else {
            anyhow::Error::new(e.error)
                .context(format!("Custodian could not save {}", path.display()))
        }
    })?;
    Ok(summary)
}

pub async fn run_import(settings: Settings, args: ImportArgs) -> anyhow::Result<ExitCode> {
    // Open the file first, so a mistyped name creates no database.
    let mut input: Box<dyn BufRead> = if is_dash(&args.file) {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.file).map_err(|e| {
            BadInput(format!(
                "Custodian could not open {}: {e}. Nothing was imported",
                args.file.display()
            ))
        })?;
        Box::new(BufReader::new(file))
    };
    let (store, _applied) = open_and_migrate(&settings).await?;
    let imported = store.import(&mut *input).await;
    let summary = match imported {
        Ok(summary) => summary,
        Err(error) => {
            store.close().await;
            return Err(match error {
                TransferError::Invalid(_) | TransferError::TargetNotEmpty => {
                    BadInput(capitalise(&error.to_string())).into()
                }
                other => anyhow::Error::new(other).context("Nothing was imported"),
            });
        }
    };
    println!(
        "Imported {} rows into {}:",
        summary.total(),
        settings.database_label()
    );
    let width = summary.rows.iter().map(|(t, _)| t.len()).max().unwrap_or(0);
    for (table, n) in &summary.rows {
        println!("  {table:<width$}  {n}");
    }
    println!();
    println!("Checking the imported audit log:");
    let verification = crate::audit::verify(&store, None).await;
    store.close().await;
    let verification = verification?;
    verification
        .write_to(&mut std::io::stdout().lock())
        .context("Custodian could not write the result")?;
    Ok(if verification.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_FAILURE)
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

async fn record_export(
    store: &custodian_store::Store,
    rows: u64,
    to_file: bool,
) -> anyhow::Result<()> {
    use custodian_core::audit::{Actor, AuditEvent};
    use custodian_core::ports::{AuditLog, CouncilStore};
    let now = jiff::Timestamp::now();
    for council in store.councils().await? {
        let event = AuditEvent::new(council.id, now, Actor::Operator, "installation.exported")
            .details(serde_json::json!({ "rows": rows, "to_file": to_file }));
        store.append(&event).await?;
    }
    Ok(())
}
