//! Writes a synthetic internet-use log for the monitoring benchmark (bench/monitor.sh): a week
//! of a council's proxy or DNS traffic, deterministic (the same arguments give the same bytes
//! on any machine), then prints a one-line JSON summary on stderr (`{"format", "lines", "hits",
//! "bytes", "groups"}`) so the benchmark can check both GoAccess's and Custodian's totals.
//!
//! ```text
//! custodian-bench-monitor-logs --format squid|combined|dnsmasq [--lines 2000000]
//!     [--clients 400] [--days 7] [--start 2026-11-02] [--seed 1] [--out FILE]
//! ```
//! Without `--out` the log goes to standard output.

use anyhow::{Context, bail};
use custodian_bench::monitor_logs::{Format, Settings, generate};
use std::fs::File;
use std::io::{BufWriter, Write};

const USAGE: &str = "usage: custodian-bench-monitor-logs --format squid|combined|dnsmasq \
[--lines 2000000] [--clients 400] [--days 7] [--start 2026-11-02] [--seed 1] [--out FILE]";

fn parse_settings(args: &[String]) -> anyhow::Result<(Settings, Option<String>)> {
    let mut format = None;
    let mut settings = Settings {
        format: Format::Squid,
        lines: 2_000_000,
        clients: 400,
        days: 7,
        start: jiff::civil::date(2026, 11, 2),
        seed: 1,
    };
    let mut out = None;
    let mut rest = args.iter();
    while let Some(name) = rest.next() {
        if name == "--help" || name == "-h" {
            bail!("{USAGE}");
        }
        let value = rest
            .next()
            .with_context(|| format!("{name} needs a value\n{USAGE}"))?;
        let number = || -> anyhow::Result<u64> {
            value
                .replace([',', '_'], "")
                .parse()
                .with_context(|| format!("{name} must be a whole number, not {value:?}"))
        };
        match name.as_str() {
            "--format" => format = Some(value.parse::<Format>()?),
            "--lines" => settings.lines = number()?,
            "--clients" => settings.clients = usize::try_from(number()?)?,
            "--days" => {
                settings.days = u16::try_from(number()?).context("--days is too large")?;
            }
            "--start" => {
                settings.start = value.parse().with_context(|| {
                    format!("--start must be a date such as 2026-11-02, not {value:?}")
                })?;
            }
            "--seed" => settings.seed = number()?,
            "--out" => out = Some(value.clone()),
            other => bail!("unknown option {other:?}\n{USAGE}"),
        }
    }
    settings.format = format.with_context(|| format!("--format is required\n{USAGE}"))?;
    Ok((settings, out))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (settings, out) = parse_settings(&args)?;
    let summary = match out.as_deref() {
        None | Some("-") => {
            let stdout = std::io::stdout();
            let mut writer = BufWriter::with_capacity(1 << 20, stdout.lock());
            generate(&settings, &mut writer)?
        }
        Some(path) => {
            let file = File::create(path).with_context(|| format!("cannot create {path}"))?;
            let mut writer = BufWriter::with_capacity(1 << 20, file);
            let summary = generate(&settings, &mut writer)?;
            writer
                .flush()
                .with_context(|| format!("cannot finish writing {path}"))?;
            summary
        }
    };
    let mut stderr = std::io::stderr();
    writeln!(stderr, "{}", serde_json::to_string(&summary)?)?;
    Ok(())
}
