//! `custodian audit verify` and `custodian audit head`: proving offline that no audit entry was
//! changed, removed or reordered, and printing a checkpoint to record in the minutes. Both only
//! read the database.

use crate::config::Settings;
use crate::database::{Need, open};
use anyhow::Context;
use custodian_core::audit::{ChainReport, ChainVerifier};
use custodian_core::ids::CouncilId;
use custodian_core::ports::*;
use custodian_store::Store;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// What a verification found.
#[derive(Debug)]
pub struct Verification {
    pub report: ChainReport,
    /// Councils with no audit entries at all: every council's log starts when it is founded,
    /// so an empty log means it was removed.
    pub missing: Vec<CouncilId>,
    pub councils: usize,
    pub elapsed: Duration,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.report.is_intact() && self.missing.is_empty()
    }

    /// One line per council, in council order, then the totals.
    pub fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut lines: Vec<(CouncilId, String)> = Vec::new();
        for head in &self.report.heads {
            lines.push((
                head.council_id,
                format!(
                    "council {}: {} {}, intact, head seq {} hash {}",
                    head.council_id,
                    head.seq,
                    plural(head.seq, "entry", "entries"),
                    head.seq,
                    head.hash
                ),
            ));
        }
        for broken in &self.report.broken {
            lines.push((
                broken.council_id,
                format!(
                    "council {}: entry {} is broken: {}",
                    broken.council_id, broken.seq, broken.reason
                ),
            ));
        }
        for council in &self.missing {
            lines.push((
                *council,
                format!("council {council}: has no audit entries at all: its log was removed"),
            ));
        }
        lines.sort();
        for (_, line) in &lines {
            writeln!(out, "{line}")?;
        }
        let entries = self.report.entries;
        let seconds = self.elapsed.as_secs_f64();
        if self.councils == 0 && entries == 0 {
            writeln!(
                out,
                "There are no councils yet, so there is no audit log to check."
            )?;
        } else if self.is_intact() {
            writeln!(
                out,
                "Checked {entries} audit {} of {} {} in {seconds:.2} seconds: every audit log is intact.",
                plural(entries, "entry", "entries"),
                self.councils,
                plural(self.councils, "council", "councils"),
            )?;
        } else {
            let broken = self.report.broken.len() + self.missing.len();
            writeln!(
                out,
                "Checked {entries} audit {} of {} {} in {seconds:.2} seconds: {broken} {} been tampered with.",
                plural(entries, "entry", "entries"),
                self.councils,
                plural(self.councils, "council", "councils"),
                plural(broken, "audit log has", "audit logs have"),
            )?;
            writeln!(
                out,
                "Treat this as a security incident: keep a copy of the database as it is now, and compare it with your last backup and the checkpoints recorded in your minutes (custodian audit head)."
            )?;
        }
        Ok(())
    }
}

fn plural<N: PartialEq + From<u8>>(n: N, one: &'static str, many: &'static str) -> &'static str {
    if n == N::from(1) { one } else { many }
}

/// Recomputes every council's chain. A SQLite file (`sqlite_file`) is read directly on one core
/// while the other checks hashes; otherwise every entry is streamed through the verifier
/// (constant memory either way).
pub async fn verify(
    store: &Store,
    sqlite_file: Option<std::path::PathBuf>,
) -> anyhow::Result<Verification> {
    let started = Instant::now();
    let councils = store
        .councils()
        .await
        .context("Custodian could not read the list of councils")?;
    let report = match sqlite_file {
        Some(path) => tokio::task::spawn_blocking(move || {
            custodian_store::verify_file::verify_sqlite_file(&path)
        })
        .await
        .context("The audit check stopped unexpectedly")?
        .context("Custodian could not read the audit log")?,
        None => {
            let mut verifier = ChainVerifier::new();
            store
                .for_each_entry(|entry| verifier.push(entry))
                .await
                .context("Custodian could not read the audit log")?;
            verifier.finish()
        }
    };
    let seen: Vec<CouncilId> = report
        .heads
        .iter()
        .map(|h| h.council_id)
        .chain(report.broken.iter().map(|b| b.council_id))
        .collect();
    let missing = councils
        .iter()
        .map(|c| c.id)
        .filter(|id| !seen.contains(id))
        .collect();
    Ok(Verification {
        report,
        missing,
        councils: councils.len(),
        elapsed: started.elapsed(),
    })
}

pub async fn run_verify(settings: Settings) -> anyhow::Result<ExitCode> {
    let store = open(&settings, Need::MustExist).await?;
    let sqlite_file = settings
        .database_url
        .is_none()
        .then(|| settings.sqlite_path());
    let verification = verify(&store, sqlite_file).await;
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

/// One council's checkpoint.
#[derive(Debug, serde::Serialize)]
pub struct Checkpoint {
    pub council_id: CouncilId,
    pub name: String,
    /// `None` when the council has no audit entries.
    pub seq: Option<i64>,
    pub hash: Option<String>,
}

impl Checkpoint {
    pub fn line(&self) -> String {
        match (&self.seq, &self.hash) {
            (Some(seq), Some(hash)) => format!(
                "{} (council {}): audit entry {seq}, hash {hash}",
                self.name, self.council_id
            ),
            _ => format!(
                "{} (council {}): no audit entries",
                self.name, self.council_id
            ),
        }
    }
}

pub async fn checkpoints(store: &Store) -> anyhow::Result<Vec<Checkpoint>> {
    let councils = store
        .councils()
        .await
        .context("Custodian could not read the list of councils")?;
    let heads = store
        .heads()
        .await
        .context("Custodian could not read the audit log")?;
    Ok(councils
        .into_iter()
        .map(|council| {
            let head = heads.iter().find(|h| h.council_id == council.id);
            Checkpoint {
                council_id: council.id,
                name: council.name.to_string(),
                seq: head.map(|h| h.seq),
                hash: head.map(|h| h.hash.clone()),
            }
        })
        .collect())
}

pub async fn run_head(settings: Settings, json: bool) -> anyhow::Result<ExitCode> {
    let store = open(&settings, Need::MustExist).await?;
    let points = checkpoints(&store).await;
    store.close().await;
    let points = points?;
    if json {
        let text = serde_json::to_string_pretty(&points)
            .context("Custodian could not write the checkpoints")?;
        println!("{text}");
    } else if points.is_empty() {
        eprintln!("There are no councils yet.");
    } else {
        for point in &points {
            println!("{}", point.line());
        }
    }
    Ok(ExitCode::SUCCESS)
}
