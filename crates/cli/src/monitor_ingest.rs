//! `custodian monitor ingest`: reads a proxy or DNS log and keeps it in the council's daily log
//! (policy 5.1.11): the per-person, day and site records, the raw lines (compressed, for
//! investigations), the batch with its SHA-256 and its entry in the audit chain, in one
//! transaction. The same file twice is recognised and not counted twice.
//!
//! Only for a council that has switched monitoring on, which needs a recorded impact assessment
//! (5.1.6): the lawful gate is checked where monitoring is switched on, and here it is enough
//! that it is on. Days older than the council's retention period (5.1.8) are not kept: they
//! would only be removed again by the next purge.

use crate::assets::choose_council;
use crate::cli::{IngestArgs, LogFileArgs};
use crate::config::Settings;
use crate::database::open_existing_and_migrate;
use crate::monitor::{CHUNK_BYTES, format_of, open_log};
use crate::{BadInput, EXIT_OK};
use anyhow::Context;
use custodian_core::audit::Actor;
use custodian_core::ids::MonitorBatchId;
use custodian_core::monitor::pipeline::{BatchOrigin, Categories, store_summary};
use custodian_core::policy::version::london_today;
use custodian_core::ports::{IngestOutcome, MonitorStore};
use custodian_monitor::{Summarizer, Summary, SummaryError, SummaryOptions, Totals};
use custodian_store::Store;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

pub async fn run_ingest(settings: Settings, args: IngestArgs) -> anyhow::Result<ExitCode> {
    let (store, _) = open_existing_and_migrate(&settings).await?;
    let council = choose_council(&store, args.council.council.as_deref()).await?;
    let monitoring = store
        .monitor_settings(council.id)
        .await
        .context("Custodian could not read the council's monitoring settings")?
        .filter(|s| s.enabled)
        .ok_or_else(|| {
            BadInput(format!(
                "Monitoring is not switched on for {}. It can be switched on only after the \
                 council has recorded a monitoring impact assessment and adopted a policy that \
                 tells people about monitoring (policy 5.1.6): see docs/monitoring.md. Nothing \
                 was stored",
                council.name
            ))
        })?;
    let categories = Categories::load(&monitoring).map_err(BadInput)?;
    let (profile, _) =
        custodian_core::policy::profile::profile_in_force(&store, council.id).await?;
    let ingest = Ingest {
        store: &store,
        council: council.id,
        categories: &categories,
        retention_months: profile.internet_log_retention_months,
        json: args.json,
    };
    if args.follow {
        return ingest.follow(&args.log).await;
    }
    let format = format_of(&args.log)?;
    let mut log = open_log(&args.log)?;
    // The last batch's pages are copied into the database file while this file is read.
    store.start_checkpoint().await;
    let mut options = SummaryOptions::new(log.year_reference);
    options.keep_raw_lines = true;
    let mut summarizer = Summarizer::new(format.clone(), options);
    summarizer.match_url_paths(categories.lists());
    let mut hasher = Sha256::new();
    let mut chunk = vec![0; CHUNK_BYTES];
    loop {
        let read = match log.reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(BadInput(format!("Cannot read {}: {e}.", log.name)).into()),
        };
        feed_and_hash(&mut summarizer, &mut hasher, &chunk[..read])
            .map_err(|e| BadInput(format!("{}: {e}", log.name)))?;
    }
    let summary = summarizer
        .finish()
        .map_err(|e| BadInput(format!("{}: {e}", log.name)))?;
    ingest
        .store_batch(
            summary,
            hasher.finalize().into(),
            format.kind().name(),
            &log.name,
        )
        .await?;
    Ok(ExitCode::from(EXIT_OK))
}

/// Hashes a chunk on another thread while it is summarised on this one: the SHA-256 of a
/// large log is about a fifth of the summarising's time, and the other core is idle meanwhile.
fn feed_and_hash(
    summarizer: &mut Summarizer,
    hasher: &mut Sha256,
    chunk: &[u8],
) -> Result<(), SummaryError> {
    std::thread::scope(|scope| {
        scope.spawn(|| hasher.update(chunk));
        summarizer.feed(chunk)
    })
}

struct Ingest<'a> {
    store: &'a Store,
    council: custodian_core::ids::CouncilId,
    categories: &'a Categories,
    retention_months: u16,
    json: bool,
}

impl Ingest<'_> {
    /// Stores one summary as a batch (through the pipeline the HTTP upload shares) and prints
    /// its figures.
    async fn store_batch(
        &self,
        mut summary: Summary,
        sha256: [u8; 32],
        format: &str,
        source_name: &str,
    ) -> anyhow::Result<()> {
        let totals = summary.totals;
        let malformed = std::mem::take(&mut summary.malformed);
        let origin = BatchOrigin {
            id: MonitorBatchId::generate(),
            council: self.council,
            sha256,
            format,
            source_name,
            actor: Actor::Operator,
            upload_key: None,
            now: jiff::Timestamp::now(),
        };
        let kept = store_summary(
            self.store,
            self.categories,
            self.retention_months,
            summary,
            origin,
        )
        .await
        .with_context(|| format!("{source_name} could not be stored; nothing was kept"))?;
        match kept.outcome {
            IngestOutcome::Stored(report) => {
                if self.json {
                    crate::print_out(&format!("{}\n", totals.to_json_line()))?;
                } else {
                    crate::print_out(&stored_words(
                        source_name,
                        &totals,
                        &report,
                        kept.too_old_groups,
                    ))?;
                }
                for line in malformed.iter().take(20) {
                    eprintln!("{source_name}, line {}: {}", line.line, line.reason);
                }
            }
            IngestOutcome::AlreadyIngested { batch, ingested_at } => {
                eprintln!(
                    "{source_name} was already received on {} (batch {batch}): the same \
                     content is not counted twice, so nothing was stored.",
                    london_today(ingested_at)
                );
                if self.json {
                    crate::print_out(&format!("{}\n", totals.to_json_line()))?;
                }
            }
        }
        Ok(())
    }

    /// Reads the file as it grows: everything up to its last complete line each time, as one
    /// batch; a half-written last line waits for the rest. A file that shrinks (rotated or
    /// emptied) is read again from its start. Stops on Ctrl-C after storing what was read.
    async fn follow(&self, args: &LogFileArgs) -> anyhow::Result<ExitCode> {
        let format = format_of(args)?;
        if args.file.as_os_str() == "-" {
            return Err(BadInput(
                "--follow needs a file to watch, not standard input; without --follow, \
                 standard input is read to its end"
                    .to_owned(),
            )
            .into());
        }
        let name = args.file.display().to_string();
        let mut offset: u64 = 0;
        let mut carried: Vec<u8> = Vec::new();
        let stop = tokio::signal::ctrl_c();
        tokio::pin!(stop);
        loop {
            let (complete, new_offset) = read_complete_lines(args, offset, &mut carried)?;
            offset = new_offset;
            if !complete.is_empty() {
                let mut options = SummaryOptions::new(london_today(jiff::Timestamp::now()));
                if let Some(year) = args.year
                    && let Ok(date) = jiff::civil::Date::new(year, 12, 31)
                {
                    options.year_reference = date;
                }
                options.keep_raw_lines = true;
                let mut summarizer = Summarizer::new(format.clone(), options);
                summarizer.match_url_paths(self.categories.lists());
                summarizer
                    .feed(&complete)
                    .map_err(|e| BadInput(format!("{name}: {e}")))?;
                let summary = summarizer
                    .finish()
                    .map_err(|e| BadInput(format!("{name}: {e}")))?;
                let sha256: [u8; 32] = Sha256::digest(&complete).into();
                self.store_batch(summary, sha256, format.kind().name(), &name)
                    .await?;
            }
            tokio::select! {
                _ = &mut stop => return Ok(ExitCode::from(EXIT_OK)),
                () = tokio::time::sleep(FOLLOW_INTERVAL) => {}
            }
        }
    }
}

/// How often a followed file is looked at again.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(5);

/// The complete lines written to the file since `offset` (after what was `carried` over from
/// last time), and the new offset. What follows the last newline is carried to the next read.
fn read_complete_lines(
    args: &LogFileArgs,
    mut offset: u64,
    carried: &mut Vec<u8>,
) -> Result<(Vec<u8>, u64), BadInput> {
    use std::io::{Seek, SeekFrom};
    let name = args.file.display();
    let mut file = std::fs::File::open(&args.file)
        .map_err(|e| BadInput(format!("Cannot open {name}: {e}.")))?;
    let length = file
        .metadata()
        .map_err(|e| BadInput(format!("Cannot read {name}: {e}.")))?
        .len();
    if length < offset {
        // Rotated or emptied: start again at the top; a half line from before is lost with it.
        offset = 0;
        carried.clear();
    }
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| BadInput(format!("Cannot read {name}: {e}.")))?;
    let mut fresh = Vec::new();
    file.take(length - offset)
        .read_to_end(&mut fresh)
        .map_err(|e| BadInput(format!("Cannot read {name}: {e}.")))?;
    let offset = offset + fresh.len() as u64;
    carried.extend_from_slice(&fresh);
    let complete = match carried.iter().rposition(|&byte| byte == b'\n') {
        Some(last) => {
            let rest = carried.split_off(last + 1);
            std::mem::replace(carried, rest)
        }
        None => Vec::new(),
    };
    Ok((complete, offset))
}

fn stored_words(
    name: &str,
    totals: &Totals,
    report: &custodian_core::ports::IngestReport,
    too_old: usize,
) -> String {
    let mut text = format!(
        "{name}: stored as batch {} (SHA-256 {}).\n  Lines read: {}\n  Requests or queries: \
         {}\n  Bytes: {}\n  Lines not read: {}\n  Daily log entries: {} ({} matched to people, \
         {} not yet matched)\n",
        report.batch,
        report.sha256_hex,
        totals.lines,
        totals.hits,
        totals.bytes,
        totals.malformed,
        report.groups,
        report.attributed_groups,
        report.unattributed_groups,
    );
    if too_old > 0 {
        text.push_str(&format!(
            "  {too_old} entries were older than the council's retention period and were not \
             kept.\n"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn args_for(path: &std::path::Path) -> LogFileArgs {
        LogFileArgs {
            format: "squid".to_owned(),
            csv_columns: None,
            year: None,
            file: path.to_path_buf(),
        }
    }

    #[test]
    fn a_half_written_line_waits_for_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"one\ntw").unwrap();
        let args = args_for(&path);
        let mut carried = Vec::new();
        let (complete, offset) = read_complete_lines(&args, 0, &mut carried).unwrap();
        assert_eq!(complete, b"one\n");
        assert_eq!(carried, b"tw");
        file.write_all(b"o\nthree").unwrap();
        let (complete, offset) = read_complete_lines(&args, offset, &mut carried).unwrap();
        assert_eq!(complete, b"two\n");
        assert_eq!(offset, 13);
        // Rotated: the file starts again, shorter than what was read.
        std::fs::write(&path, b"four\n").unwrap();
        let (complete, _) = read_complete_lines(&args, offset, &mut carried).unwrap();
        assert_eq!(complete, b"four\n");
    }
}
