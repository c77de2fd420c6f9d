//! `custodian monitor summarize`: reads a proxy or DNS log and prints its figures, storing
//! nothing. The log is read a chunk at a time (never whole), on this one thread, so a large
//! file needs little memory. `monitor ingest` (the store's half) reuses [`open_log`] and
//! [`format_of`].

use crate::cli::{LogFileArgs, SummarizeArgs};
use crate::{BadInput, EXIT_OK};
use custodian_monitor::{
    CsvMapping, Format, FormatError, FormatKind, Summarizer, Summary, SummaryOptions,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

/// How much of the log is read at a time (256 KiB): large enough that reading costs little (a
/// thousand reads for a 250 MB log), small enough that memory stays small.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// How many of the malformed lines the readable report lists.
const LISTED_MALFORMED_LINES: usize = 20;

pub fn run_summarize(args: &SummarizeArgs) -> anyhow::Result<ExitCode> {
    let format = format_of(&args.log)?;
    let mut log = open_log(&args.log)?;
    let mut summarizer = Summarizer::new(format.clone(), SummaryOptions::new(log.year_reference));
    let mut chunk = vec![0; CHUNK_BYTES];
    loop {
        let read = match log.reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(
                    BadInput(format!("Cannot read {}: {}.", log.name, plain_io(&e))).into(),
                );
            }
        };
        summarizer
            .feed(&chunk[..read])
            .map_err(|e| BadInput(format!("{}: {e}", log.name)))?;
    }
    let summary = summarizer
        .finish_totals()
        .map_err(|e| BadInput(format!("{}: {e}", log.name)))?;
    let text = if args.json {
        format!("{}\n", summary.totals.to_json_line())
    } else {
        report(&log.name, format.kind(), &summary)
    };
    crate::print_out(&text)?;
    Ok(ExitCode::from(EXIT_OK))
}

/// The format named with `--format`, with `--csv-columns` for a CSV export.
pub fn format_of(args: &LogFileArgs) -> Result<Format, BadInput> {
    match (args.format.parse::<Format>(), &args.csv_columns) {
        (Err(FormatError::CsvNeedsMapping), Some(columns)) => columns
            .parse::<CsvMapping>()
            .map(Format::csv)
            .map_err(|e| BadInput(format!("--csv-columns: {e}"))),
        (Ok(format), Some(_)) => Err(BadInput(format!(
            "--csv-columns is only for --format csv; a {} log's columns are known.",
            format.kind()
        ))),
        (result, _) => result.map_err(|e| BadInput(e.to_string())),
    }
}

/// A log opened for reading, with the name to show and the date lines without a year are
/// dated against.
pub struct OpenLog {
    pub reader: Box<dyn Read>,
    pub name: String,
    pub year_reference: Date,
}

/// Opens the file (or standard input for `-`). Lines without a year are dated against
/// `--year` (as 31 December of it), else the file's last change, else today (London).
pub fn open_log(args: &LogFileArgs) -> Result<OpenLog, BadInput> {
    let named_year = match args.year {
        Some(year) => Some(Date::new(year, 12, 31).map_err(|_| {
            BadInput(format!(
                "--year {year} is not a year Custodian can use: give the year the log starts in, like 2026."
            ))
        })?),
        None => None,
    };
    let london = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    let today = || jiff::Timestamp::now().to_zoned(london.clone()).date();
    if args.file == Path::new("-") {
        return Ok(OpenLog {
            reader: Box::new(std::io::stdin()),
            name: "standard input".to_owned(),
            year_reference: named_year.unwrap_or_else(today),
        });
    }
    let name = args.file.display().to_string();
    let file = std::fs::File::open(&args.file).map_err(|e| {
        BadInput(format!(
            "Cannot open {name}: {}. Check the file name and try again.",
            plain_io(&e)
        ))
    })?;
    let metadata = file
        .metadata()
        .map_err(|e| BadInput(format!("Cannot read {name}: {}.", plain_io(&e))))?;
    if metadata.is_dir() {
        return Err(BadInput(format!(
            "{name} is a folder. Name the log file itself."
        )));
    }
    let changed = metadata
        .modified()
        .ok()
        .and_then(|time| jiff::Timestamp::try_from(time).ok())
        .map(|at| at.to_zoned(london.clone()).date());
    Ok(OpenLog {
        reader: Box::new(file),
        name,
        year_reference: named_year.or(changed).unwrap_or_else(today),
    })
}

fn plain_io(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::NotFound => "there is no such file",
        std::io::ErrorKind::PermissionDenied => "you do not have permission to read it",
        _ => "it could not be read",
    }
}

/// The figures in words, the first malformed lines, and a hint when most of the first lines
/// could not be read.
fn report(name: &str, kind: FormatKind, summary: &Summary) -> String {
    let totals = &summary.totals;
    let mut text = format!("{name}, read as {}:\n", kind.description());
    let rows = [
        ("Lines read", grouped(totals.lines)),
        ("Requests or queries", grouped(totals.hits)),
        ("Bytes sent", bytes_in_words(totals.bytes)),
        (
            "Daily log entries",
            format!(
                "{} (one for each person or device, day and site)",
                grouped(totals.groups)
            ),
        ),
        ("Lines not read", grouped(totals.malformed)),
    ];
    for (label, value) in rows {
        text.push_str(&format!("  {:<20} {value}\n", format!("{label}:")));
    }
    if !summary.malformed.is_empty() {
        text.push_str("\nLines that could not be read (each was skipped; the rest were read):\n");
        for line in summary.malformed.iter().take(LISTED_MALFORMED_LINES) {
            text.push_str(&format!("  line {}: {}\n", line.line, line.reason));
        }
        let unlisted = totals
            .malformed
            .saturating_sub(LISTED_MALFORMED_LINES as u64);
        if unlisted > 0 {
            text.push_str(&format!("  and {} more.\n", grouped(unlisted)));
        }
    }
    if let Some(first) = &summary.first_lines {
        let look = match first.likely {
            Some(likely) if likely == kind => format!(
                "they are laid out like {}, so the reasons above say what is missing",
                likely.description()
            ),
            _ => "they do not look like any log Custodian reads: check that this is the log file you meant".to_owned(),
        };
        text.push_str(&format!(
            "\nMost of the first {} lines could not be read; {look}.\n",
            first.examined
        ));
    }
    text.push_str("\nNothing was stored.\n");
    text
}

/// 1234567 → "1,234,567".
fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn bytes_in_words(bytes: u64) -> String {
    const UNITS: [(&str, f64); 3] = [
        ("GB", 1024.0 * 1024.0 * 1024.0),
        ("MB", 1024.0 * 1024.0),
        ("KB", 1024.0),
    ];
    let exact = grouped(bytes);
    match UNITS.iter().find(|(_, size)| bytes as f64 >= *size) {
        Some((unit, size)) => format!("{exact} ({:.1} {unit})", bytes as f64 / size),
        None => exact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn log_args(format: &str, csv_columns: Option<&str>) -> LogFileArgs {
        LogFileArgs {
            format: format.to_owned(),
            csv_columns: csv_columns.map(str::to_owned),
            year: None,
            file: PathBuf::from("-"),
        }
    }

    #[test]
    fn numbers_are_grouped_in_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(2_000_000), "2,000,000");
        assert_eq!(bytes_in_words(3_615_539_678), "3,615,539,678 (3.4 GB)");
        assert_eq!(bytes_in_words(512), "512");
    }

    #[test]
    fn csv_needs_its_columns_and_only_csv_takes_them() {
        assert!(matches!(
            format_of(&log_args("csv", Some("time=1,client=2,site=3"))),
            Ok(Format::Csv(_))
        ));
        let missing = format_of(&log_args("csv", None)).unwrap_err().0;
        assert!(missing.contains("--csv-columns"), "{missing}");
        let wrong = format_of(&log_args("squid", Some("time=1,client=2,site=3")))
            .unwrap_err()
            .0;
        assert!(wrong.contains("only for --format csv"), "{wrong}");
        let bad = format_of(&log_args("csv", Some("time=1,client=2")))
            .unwrap_err()
            .0;
        assert!(bad.starts_with("--csv-columns: "), "{bad}");
        assert_eq!(
            format_of(&log_args("pihole", None)).ok(),
            Some(Format::Dnsmasq)
        );
    }
}
