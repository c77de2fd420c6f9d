//! The subject access download's contents (issue 7, item 7; 5.1.9): `records.csv` (the daily
//! log), `raw-lines.txt` (the log lines as received) and `summary.txt` (a readable summary),
//! in one ZIP. Pure: everything is built from what the store returned, in one pass over it, so
//! six months of one person's records stay well inside the two seconds the issue allows.

use crate::nav::london;
use crate::pages::audit::csv_cell;
use custodian_core::ids::MonitorBatchId;
use custodian_core::ports::{DailyRecord, RawExtract, SubjectKey};
use jiff::Timestamp;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

/// The columns of `records.csv`, in order.
pub const RECORD_COLUMNS: [&str; 11] = [
    "day",
    "site",
    "first (UK time)",
    "last (UK time)",
    "hits",
    "bytes",
    "hits by hour (UK time)",
    "categories",
    "flagged",
    "kept for a legal hold",
    "logged as",
];

/// A time as the council reads it in a file: `2026-12-05 13:05:07` (UK time).
fn uk_time(at: Timestamp) -> String {
    london()
        .to_datetime(at)
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The hours with hits, as `09:00 3; 13:00 1` (each hour of the UK day with its hits).
fn hours(hits_by_hour: &[u64; 24]) -> String {
    let mut out = String::new();
    for (hour, hits) in hits_by_hour.iter().enumerate().filter(|(_, h)| **h > 0) {
        if !out.is_empty() {
            out.push_str("; ");
        }
        let _ = write!(out, "{hour:02}:00 {hits}");
    }
    out
}

/// A key as the files say it: `user jsmith`, `address 192.168.1.20`.
pub fn logged_as(key: &SubjectKey) -> String {
    match key {
        SubjectKey::User(text) => format!("user {text}"),
        SubjectKey::Client(text) => format!("address {text}"),
    }
}

/// Writes `records.csv`: one row per day, site and name logged, after a header row; CRLF line
/// ends as spreadsheets expect.
pub fn write_records_csv(out: &mut impl Write, records: &[DailyRecord]) -> std::io::Result<()> {
    let header: Vec<String> = RECORD_COLUMNS.iter().map(|c| csv_cell(c)).collect();
    let mut row = header.join(",");
    row.push_str("\r\n");
    out.write_all(row.as_bytes())?;
    for r in records {
        let cells = [
            r.day.date().to_string(),
            r.site.clone(),
            uk_time(r.first_at),
            uk_time(r.last_at),
            r.hits.to_string(),
            r.bytes.to_string(),
            hours(&r.hits_by_hour),
            r.categories.join("; "),
            yes_no(r.flagged),
            yes_no(r.held),
            logged_as(&r.key),
        ];
        row.clear();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                row.push(',');
            }
            row.push_str(&csv_cell(cell));
        }
        row.push_str("\r\n");
        out.write_all(row.as_bytes())?;
    }
    Ok(())
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// Writes `raw-lines.txt`: the lines as received, grouped by day, log file and name, each group
/// under a heading line starting `#`.
pub fn write_raw_lines(
    out: &mut impl Write,
    raw: &[RawExtract],
    log_names: &HashMap<MonitorBatchId, String>,
) -> std::io::Result<()> {
    out.write_all(
        b"# The log lines kept about you, exactly as the council's proxy or DNS server wrote them.\n\
          # Each group starts with a line giving the day (UK time), the log file it came from and\n\
          # the name or address it was logged under. Times in the lines are as the log wrote them\n\
          # (Squid writes seconds since 1 January 1970, UTC).\n",
    )?;
    for r in raw {
        let file = log_names.get(&r.batch).map_or("a log file", String::as_str);
        let held = if r.held {
            ", kept for a legal hold"
        } else {
            ""
        };
        let heading = format!(
            "\n# {} | {file} (batch {}) | {} | {} line{}{held}\n",
            r.day.date(),
            r.batch,
            logged_as(&r.key),
            r.line_count,
            if r.line_count == 1 { "" } else { "s" }
        );
        out.write_all(heading.as_bytes())?;
        out.write_all(&r.lines)?;
        if !r.lines.ends_with(b"\n") {
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// The ZIP of the summary, the records and the raw lines, each written straight into it (a
/// heavy user's six months of raw lines can be a hundred megabytes: never held twice). `at`
/// dates the files inside it. Deflate's fastest level: it still shrinks log text several
/// times over, at a fraction of the default level's time, which keeps six months of one person
/// inside the two seconds.
pub fn zip_of(
    summary: &str,
    records: &[DailyRecord],
    raw: &[RawExtract],
    log_names: &HashMap<MonitorBatchId, String>,
    at: Timestamp,
) -> Result<Vec<u8>, zip::result::ZipError> {
    let local = london().to_datetime(at);
    let mut options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(local.year()).unwrap_or(1980),
        u8::try_from(local.month()).unwrap_or(1),
        u8::try_from(local.day()).unwrap_or(1),
        u8::try_from(local.hour()).unwrap_or(0),
        u8::try_from(local.minute()).unwrap_or(0),
        u8::try_from(local.second()).unwrap_or(0),
    );
    if let Ok(stamp) = stamp {
        options = options.last_modified_time(stamp);
    }
    let raw_size: usize = raw.iter().map(|r| r.lines.len()).sum();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(
        (raw_size + records.len() * 160) / 4 + 4096,
    )));
    zip.start_file("summary.txt", options)?;
    zip.write_all(summary.as_bytes())?;
    zip.start_file("records.csv", options)?;
    // Rows are small: gathered into larger writes before the compressor sees them.
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, &mut zip);
    write_records_csv(&mut buffered, records)?;
    buffered.flush()?;
    drop(buffered);
    zip.start_file("raw-lines.txt", options)?;
    write_raw_lines(&mut zip, raw, log_names)?;
    Ok(zip.finish()?.into_inner())
}

/// A name for the download: `internet-use-records-pat-jones-2026-12-07.zip`.
pub fn file_name(person: &str, at: Timestamp) -> String {
    let mut slug = String::new();
    for c in person.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let date = london().to_datetime(at).date();
    if slug.is_empty() {
        format!("internet-use-records-{date}.zip")
    } else {
        format!("internet-use-records-{slug}-{date}.zip")
    }
}

/// Bytes as people read them: 950 bytes, 12.3 KB, 4.5 MB.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use custodian_core::ports::LocalDay;

    fn record(site: &str, key: SubjectKey) -> DailyRecord {
        let mut hits_by_hour = [0; 24];
        hits_by_hour[9] = 2;
        hits_by_hour[13] = 1;
        DailyRecord {
            day: LocalDay::from_date(jiff::civil::date(2026, 7, 1)),
            person: None,
            key,
            site: site.to_owned(),
            first_at: "2026-07-01T08:05:00Z".parse().unwrap(),
            last_at: "2026-07-01T12:10:09Z".parse().unwrap(),
            hits: 3,
            bytes: 4_500,
            hits_by_hour,
            categories: vec!["news".to_owned(), "sport".to_owned()],
            flagged: true,
            held: false,
        }
    }

    #[test]
    fn a_record_row_gives_uk_times_hours_and_the_name_logged() {
        let mut bytes = Vec::new();
        let rows = [record(
            "=cmd.example",
            SubjectKey::User("jsmith".to_owned()),
        )];
        write_records_csv(&mut bytes, &rows).unwrap();
        let csv = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[0].starts_with("\"day\",\"site\",\"first (UK time)\""));
        assert_eq!(
            lines[1],
            "\"2026-07-01\",\"'=cmd.example\",\"2026-07-01 09:05:00\",\"2026-07-01 13:10:09\",\
             \"3\",\"4500\",\"09:00 2; 13:00 1\",\"news; sport\",\"yes\",\"no\",\"user jsmith\""
        );
        assert_eq!(lines.len(), 3, "a header, one row and the last line end");
    }

    #[test]
    fn raw_lines_are_grouped_under_headings_naming_the_log_file() {
        let batch = MonitorBatchId::generate();
        let raw = [RawExtract {
            day: LocalDay::from_date(jiff::civil::date(2026, 7, 1)),
            batch,
            key: SubjectKey::Client("10.0.0.5".to_owned()),
            line_count: 1,
            lines: b"1782900000.000 120 10.0.0.5 TCP_MISS/200".to_vec(),
            held: true,
        }];
        let names = HashMap::from([(batch, "access.log".to_owned())]);
        let mut bytes = Vec::new();
        write_raw_lines(&mut bytes, &raw, &names).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.contains(&format!(
                "# 2026-07-01 | access.log (batch {batch}) | address 10.0.0.5 | 1 line, kept for a legal hold\n1782900000.000"
            )),
            "{text}"
        );
        assert!(text.ends_with("TCP_MISS/200\n"));
    }

    #[test]
    fn sizes_and_file_names_read_plainly() {
        assert_eq!(size(950), "950 bytes");
        assert_eq!(size(12_345), "12.3 KB");
        assert_eq!(size(4_500_000), "4.5 MB");
        let at = "2026-12-07T10:00:00Z".parse().unwrap();
        assert_eq!(
            file_name("Pat O'Neill-Jones", at),
            "internet-use-records-pat-o-neill-jones-2026-12-07.zip"
        );
        assert_eq!(file_name("Łø", at), "internet-use-records-2026-12-07.zip");
    }

    #[test]
    fn the_zip_holds_the_three_files() {
        let at = "2026-12-07T10:00:00Z".parse().unwrap();
        let rows = [record(
            "news.example",
            SubjectKey::User("jsmith".to_owned()),
        )];
        let bytes = zip_of("Summary", &rows, &[], &HashMap::new(), at).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut names: Vec<String> = archive.file_names().map(str::to_owned).collect();
        names.sort();
        assert_eq!(names, ["raw-lines.txt", "records.csv", "summary.txt"]);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("records.csv").unwrap(), &mut text)
            .unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("\"news.example\""));
    }
}
