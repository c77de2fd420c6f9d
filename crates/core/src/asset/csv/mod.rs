//! The equipment register as CSV (issue 4, item 5): reading a spreadsheet of equipment into the
//! register, all or nothing, and writing the register out in Custodian's own columns.
//!
//! The import accepts Custodian's own export and Snipe-IT's asset exports (its list export,
//! custom report and importer columns); docs/equipment-csv.md lists every column and message.
//! Pure: bytes and the council's people in, items and their audit events (or a report naming
//! every bad row and column) out. No I/O and no clock: the caller passes `now` and the ids.
//!
//! Items issued by an import wait for their holder's acknowledgement: a file cannot accept
//! responsibility on a person's behalf. Lost, stolen and damaged items keep that status without
//! opening incidents, because the events happened before the register was kept here.

mod columns;
mod decode;
mod export;
mod rows;
mod values;

#[cfg(test)]
mod tests;

pub use decode::MAX_ROWS;
pub use export::{REGISTER_COLUMNS, write_register_csv};

use super::{Asset, AssetError, AssetNumber, AssetStatus, issue, register_asset, suggest_next};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{AssetId, CouncilId};
use crate::person::Person;
use crate::policy::version::london_today;
use columns::{Columns, Field};
use jiff::Timestamp;
use rows::{Placement, RowReader};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// What an import needs to know about the council it imports into.
#[derive(Clone, Debug)]
pub struct ImportContext<'a> {
    pub council_id: CouncilId,
    /// Every person of the council, including those who have left: holders and approvers are
    /// found among them by email address or name.
    pub people: &'a [Person],
    /// The numbers already in the register, so a clash is reported with the row.
    pub existing_numbers: &'a [AssetNumber],
    /// Who is importing (the Clerk on the web, the operator at the command line).
    pub actor: Actor,
    pub now: Timestamp,
}

/// Where the file came from, as its columns show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Custodian,
    SnipeIt,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Custodian => "custodian",
            SourceFormat::SnipeIt => "snipe_it",
        }
    }
}

/// A file that read correctly: the items to store and their audit events, in order.
#[derive(Clone, Debug)]
pub struct RegisterImport {
    pub assets: Vec<Asset>,
    /// Each item's `asset.registered` (and `asset.issued`) events, then one `assets.imported`.
    pub events: Vec<AuditEvent>,
    pub source: SourceFormat,
    /// Headers the import did not use, as the file writes them.
    pub ignored_columns: Vec<String>,
}

/// How many items of each status an import brings, for the preview and the CLI's summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub total: usize,
    pub in_store: usize,
    /// Issued, and so waiting for their holders' acknowledgement.
    pub issued: usize,
    pub lost: usize,
    pub stolen: usize,
    pub damaged: usize,
}

impl RegisterImport {
    pub fn counts(&self) -> ImportCounts {
        let mut counts = ImportCounts {
            total: self.assets.len(),
            ..ImportCounts::default()
        };
        for asset in &self.assets {
            match asset.status {
                AssetStatus::InStore => counts.in_store += 1,
                AssetStatus::Issued { .. } => counts.issued += 1,
                AssetStatus::Lost => counts.lost += 1,
                AssetStatus::Stolen => counts.stolen += 1,
                AssetStatus::Damaged => counts.damaged += 1,
                AssetStatus::Disposed => {}
            }
        }
        counts
    }
}

/// One bad cell: the row as the spreadsheet numbers it (the header is row 1), the column as
/// the file names it, and what was wrong in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// Why nothing was imported: problems with the file as a whole, then every bad row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub file_problems: Vec<String>,
    pub row_problems: Vec<RowProblem>,
    pub ignored_columns: Vec<String>,
}

impl ImportReport {
    fn file(message: impl Into<String>) -> Self {
        Self {
            file_problems: vec![message.into()],
            ..Self::default()
        }
    }

    /// How many problems in all.
    pub fn len(&self) -> usize {
        self.file_problems.len() + self.row_problems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Nothing was imported. Correct the file and import it again."
        )?;
        for problem in &self.file_problems {
            writeln!(f, "{problem}")?;
        }
        for p in &self.row_problems {
            writeln!(f, "Row {}, column \"{}\": {}", p.row, p.column, p.message)?;
        }
        if !self.ignored_columns.is_empty() {
            writeln!(
                f,
                "These columns are not used by Custodian and were ignored: {}.",
                self.ignored_columns.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The text of an uploaded file, whichever way a spreadsheet saved it (UTF-8 with or without a
/// byte-order mark, UTF-16, Windows-1252), with the byte-order mark removed. Reading this text
/// as UTF-8 bytes gives the same import as the original bytes, so a page may carry it between
/// checking a file and confirming the import.
pub fn file_text(bytes: &[u8]) -> Result<String, ImportReport> {
    decode::file_text(bytes).map_err(ImportReport::file)
}

/// Reads a register CSV (Custodian's own or Snipe-IT's columns) into items for `context`'s
/// council. All or nothing: any bad cell, a missing number or category column, or more than
/// [`MAX_ROWS`] rows gives the report and no items. `new_id` is called once per item.
pub fn import_register_csv(
    bytes: &[u8],
    context: &ImportContext<'_>,
    mut new_id: impl FnMut() -> AssetId,
) -> Result<RegisterImport, ImportReport> {
    let text = decode::file_text(bytes).map_err(ImportReport::file)?;
    let (header, rows) = decode::rows(&text).map_err(ImportReport::file)?;
    let columns = Columns::from_header(&header);
    let mut report = ImportReport {
        ignored_columns: columns.ignored.clone(),
        ..ImportReport::default()
    };
    for (field, what, example) in [
        (
            Field::Number,
            "the asset number",
            "\"number\" or Snipe-IT's \"Asset Tag\"",
        ),
        (
            Field::Category,
            "the category",
            "\"category\" or Snipe-IT's \"Category\"",
        ),
    ] {
        if !columns.has(field) {
            report.file_problems.push(format!(
                "The file has no column for {what} (a header such as {example}), and every item \
                 needs one. The columns found are: {}.",
                columns.headers.join(", ")
            ));
        }
    }
    if report.file_problems.is_empty() && rows.is_empty() {
        report
            .file_problems
            .push("The file has a header row but no equipment under it.".to_owned());
    }
    if !report.file_problems.is_empty() {
        return Err(report);
    }

    let today = london_today(context.now);
    let mut numbers = Numbers::new(context.existing_numbers, &columns, &rows);
    let mut assets = Vec::with_capacity(rows.len());
    let mut events = Vec::with_capacity(rows.len() * 2 + 1);
    for row in &rows {
        let mut reader = RowReader {
            columns: &columns,
            row,
            problems: &mut report.row_problems,
            today,
        };
        let read = reader.read(context.people);
        let unique = numbers.check(&mut reader);
        let Some(read) = read else {
            continue;
        };
        let refused = |reader: &mut RowReader<'_>, error: AssetError| {
            reader.problem(rows::field_of(&error), error.to_string());
        };
        let (mut asset, mut registered) = match register_asset(
            context.council_id,
            new_id(),
            read.input,
            context.actor.clone(),
            context.now,
        ) {
            Ok(done) => done,
            Err(error) => {
                refused(&mut reader, error);
                continue;
            }
        };
        if !unique {
            continue;
        }
        mark_imported(&mut registered.details, None);
        let issued = match read.placement {
            Placement::InStore => None,
            Placement::IssuedTo(person) => {
                match issue(&asset, person, context.actor.clone(), context.now) {
                    Ok((issued, mut event)) => {
                        asset = issued;
                        mark_imported(&mut event.details, None);
                        Some(event)
                    }
                    Err(error) => {
                        refused(&mut reader, error);
                        continue;
                    }
                }
            }
            Placement::Lost | Placement::Stolen | Placement::Damaged => {
                asset.status = match read.placement {
                    Placement::Lost => AssetStatus::Lost,
                    Placement::Stolen => AssetStatus::Stolen,
                    _ => AssetStatus::Damaged,
                };
                mark_imported(&mut registered.details, Some(asset.status.as_str()));
                None
            }
        };
        assets.push(asset);
        events.push(registered);
        events.extend(issued);
    }
    if !report.is_empty() {
        // Each row's problems in the order of the file's columns, as the Clerk reads along it.
        let position = |column: &str| {
            columns
                .headers
                .iter()
                .position(|h| h == column)
                .unwrap_or(usize::MAX)
        };
        report
            .row_problems
            .sort_by_key(|p| (p.row, position(&p.column)));
        return Err(report);
    }
    let source = if columns.looks_like_snipe_it() {
        SourceFormat::SnipeIt
    } else {
        SourceFormat::Custodian
    };
    let mut import = RegisterImport {
        assets,
        events,
        source,
        ignored_columns: columns.ignored.clone(),
    };
    let counts = import.counts();
    let summary = AuditEvent::new(
        context.council_id,
        context.now,
        context.actor.clone(),
        "assets.imported",
    )
    .details(json!({
        "items": counts.total,
        "issued": counts.issued,
        "lost": counts.lost,
        "stolen": counts.stolen,
        "damaged": counts.damaged,
        "source": source.as_str(),
    }));
    import.events.push(summary);
    Ok(import)
}

/// Says in an item's audit details that it came from an import (and with which status, for
/// one that arrived lost, stolen or damaged).
fn mark_imported(details: &mut Value, status: Option<&str>) {
    if let Value::Object(map) = details {
        map.insert("source".to_owned(), json!("csv_import"));
        if let Some(status) = status {
            map.insert("status".to_owned(), json!(status));
        }
    }
}

/// The numbers already taken, in the register and earlier in the file, and the next numbers to
/// suggest for a clash.
struct Numbers {
    existing: HashSet<AssetNumber>,
    /// The first row each number of the file appears on.
    first_row: HashMap<AssetNumber, usize>,
    /// Every number the register and the file use, for the first suggestion.
    all: Vec<AssetNumber>,
    last_suggestion: Option<AssetNumber>,
}

impl Numbers {
    fn new(existing: &[AssetNumber], columns: &Columns, rows: &[decode::Row]) -> Self {
        let mut all = existing.to_vec();
        if let Some(index) = columns.index(Field::Number) {
            all.extend(
                rows.iter()
                    .filter_map(|r| r.cells.get(index))
                    .filter_map(|c| AssetNumber::parse(decode::undefuse(c.trim())).ok()),
            );
        }
        Self {
            existing: existing.iter().cloned().collect(),
            first_row: HashMap::new(),
            all,
            last_suggestion: None,
        }
    }

    /// A number no one uses: the register's own pattern continued past everything in the
    /// register and the file, then one more for each further clash.
    fn suggestion(&mut self) -> AssetNumber {
        let next = match &self.last_suggestion {
            None => suggest_next(self.all.iter()),
            Some(last) => suggest_next(std::iter::once(last)),
        };
        self.last_suggestion = Some(next.clone());
        next
    }

    /// Whether the row's number is free, noting the clash when it is not.
    fn check(&mut self, reader: &mut RowReader<'_>) -> bool {
        let Ok(number) = AssetNumber::parse(reader.cell(Field::Number)) else {
            return true;
        };
        if self.existing.contains(&number) {
            let error = AssetError::DuplicateNumber {
                number: number.to_string(),
                suggestion: self.suggestion().to_string(),
            };
            reader.problem(Field::Number, error.to_string());
            return false;
        }
        match self.first_row.get(&number).copied() {
            Some(first) => {
                let message = format!(
                    "{number} is also used on row {first} of this file, and each item needs its \
                     own number. Use another number, such as {}.",
                    self.suggestion()
                );
                reader.problem(Field::Number, message);
                false
            }
            None => {
                self.first_row.insert(number, reader.row.number);
                true
            }
        }
    }
}
