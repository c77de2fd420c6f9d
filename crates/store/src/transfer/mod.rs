//! Moving a whole installation between engines (or into a backup) as versioned JSON Lines.
//!
//! The first line is a header naming the format and schema version; every further line is one
//! row: `{"table": "...", "row": {...}}`. Tables are written parent first, so an import can
//! insert lines in the order read. An import goes into an empty database in one transaction:
//! any bad line leaves the target untouched and the report names it.

use crate::{Store, db_error, migrate};
use custodian_core::ports::StoreError;
use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use sqlx::Row;
use std::io::{BufRead, Write};

pub const FORMAT: &str = "custodian-export";
pub const FORMAT_VERSION: i64 = 1;

mod monitor_tables;
mod tables;

pub use monitor_tables::left_out_of_export;
use tables::Kind::{Blob, Int, Text};
use tables::TABLES;

/// The tables an export covers (for the schema check).
pub fn exported_tables() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the export: {0}")]
    Write(#[source] std::io::Error),
    #[error("could not read the import file: {0}")]
    Read(#[source] std::io::Error),
    #[error("nothing was imported: the file has {} problem(s):\n{}", .0.len(), .0.join("\n"))]
    Invalid(Vec<String>),
    #[error(
        "nothing was imported: the target database already holds councils or accounts; import only into a new, empty database"
    )]
    TargetNotEmpty,
}

/// What an export or import moved.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TransferSummary {
    pub rows: Vec<(&'static str, u64)>,
}

impl TransferSummary {
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

impl Store {
    /// Writes every row of every council to `out`.
    pub async fn export(
        &self,
        out: &mut (dyn Write + Send),
    ) -> Result<TransferSummary, TransferError> {
        let header = json!({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": migrate::latest_version(),
            "tables": exported_tables(),
        });
        writeln!(out, "{header}").map_err(TransferError::Write)?;
        let mut summary = TransferSummary::default();
        for table in TABLES {
            let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                columns.join(", "),
                table.name,
                table.order_by
            );
            let mut rows = sqlx::query(&sql).fetch(&self.read);
            let mut count = 0;
            while let Some(row) = rows.try_next().await.map_err(db_error)? {
                let mut object = Map::new();
                for (column, kind) in table.columns {
                    let value = match kind {
                        Text => row
                            .try_get::<Option<String>, _>(*column)
                            .map(|v| v.map_or(Value::Null, Value::String)),
                        Int => row
                            .try_get::<Option<i64>, _>(*column)
                            .map(|v| v.map_or(Value::Null, Value::from)),
                        Blob => row
                            .try_get::<Option<Vec<u8>>, _>(*column)
                            .map(|v| v.map_or(Value::Null, |b| Value::String(hex::encode(b)))),
                    }
                    .map_err(|e| StoreError::Corrupt(format!("{}.{column}: {e}", table.name)))?;
                    object.insert((*column).to_owned(), value);
                }
                let line = json!({ "table": table.name, "row": object });
                writeln!(out, "{line}").map_err(TransferError::Write)?;
                count += 1;
            }
            summary.rows.push((table.name, count));
        }
        out.flush().map_err(TransferError::Write)?;
        Ok(summary)
    }

    /// Reads an export into this (empty, migrated) database: all of it, or nothing.
    pub async fn import(&self, input: &mut dyn BufRead) -> Result<TransferSummary, TransferError> {
        let parsed = parse_export(input)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let existing: i64 = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM councils) + (SELECT COUNT(*) FROM accounts) AS n",
        )
        .fetch_one(&mut *tx)
        .await
        .and_then(|r| r.try_get::<i64, _>("n"))
        .map_err(db_error)?;
        if existing > 0 {
            return Err(TransferError::TargetNotEmpty);
        }
        let mut summary = TransferSummary {
            rows: TABLES.iter().map(|t| (t.name, 0)).collect(),
        };
        for (line_no, table_index, row) in &parsed {
            let table = &TABLES[*table_index];
            let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
            let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                table.name,
                columns.join(", "),
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (column, kind) in table.columns {
                let value = row.get(*column).unwrap_or(&Value::Null);
                query = match kind {
                    Text => query.bind(value.as_str().map(str::to_owned)),
                    Int => query.bind(value.as_i64()),
                    // Checked as hex by `parse_export` before anything is written.
                    Blob => query.bind(value.as_str().and_then(|h| hex::decode(h).ok())),
                };
            }
            query.execute(&mut *tx).await.map_err(|e| {
                TransferError::Invalid(vec![format!(
                    "line {line_no}: the {} row could not be stored: {e}",
                    table.name
                )])
            })?;
            summary.rows[*table_index].1 += 1;
        }
        // Derived from the item's fields: recomputed rather than trusted, so an edited export
        // cannot leave an item that the register search does not find.
        crate::assets::refresh_search_text(&mut tx)
            .await
            .map_err(db_error)?;
        self.commit(tx).await?;
        Ok(summary)
    }
}

type ParsedRow = (usize, usize, Map<String, Value>);

/// Checks every line before anything is written, collecting every problem with its line number.
fn parse_export(input: &mut dyn BufRead) -> Result<Vec<ParsedRow>, TransferError> {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut last_table = 0;
    for (index, line) in input.lines().enumerate() {
        let line_no = index + 1;
        let line = line.map_err(TransferError::Read)?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("line {line_no}: not valid JSON ({e})"));
                continue;
            }
        };
        if line_no == 1 {
            check_header(&value, &mut problems);
            continue;
        }
        let Some(name) = value.get("table").and_then(Value::as_str) else {
            problems.push(format!("line {line_no}: missing \"table\""));
            continue;
        };
        let Some(table_index) = TABLES.iter().position(|t| t.name == name) else {
            problems.push(format!("line {line_no}: unknown table \"{name}\""));
            continue;
        };
        if table_index < last_table {
            problems.push(format!(
                "line {line_no}: {name} rows must come before {} rows",
                TABLES[last_table].name
            ));
        }
        last_table = last_table.max(table_index);
        let Some(row) = value.get("row").and_then(Value::as_object) else {
            problems.push(format!("line {line_no}: missing \"row\" object"));
            continue;
        };
        let table = &TABLES[table_index];
        for key in row.keys() {
            if !table.columns.iter().any(|(c, _)| c == key) {
                problems.push(format!("line {line_no}: {name} has no column \"{key}\""));
            }
        }
        for (column, kind) in table.columns {
            let ok = match (row.get(*column), kind) {
                (None | Some(Value::Null), _) => true,
                (Some(Value::String(_)), Text) => true,
                (Some(v), Int) => v.as_i64().is_some(),
                (Some(Value::String(h)), Blob) => hex::decode(h).is_ok(),
                _ => false,
            };
            if !ok {
                let expected = match kind {
                    Text => "text",
                    Int => "a whole number",
                    Blob => "bytes written as hexadecimal text",
                };
                problems.push(format!(
                    "line {line_no}: {name}.{column} must be {expected}"
                ));
            }
        }
        rows.push((line_no, table_index, row.clone()));
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("line 1: the file is empty or holds only a header".to_owned());
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(TransferError::Invalid(problems))
    }
}

fn check_header(value: &Value, problems: &mut Vec<String>) {
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        problems.push(format!(
            "line 1: this is not a Custodian export (the first line must name the format \"{FORMAT}\")"
        ));
        return;
    }
    let version = value.get("format_version").and_then(Value::as_i64);
    if version != Some(FORMAT_VERSION) {
        problems.push(format!(
            "line 1: export format version {version:?} is not supported; this Custodian reads version {FORMAT_VERSION}"
        ));
    }
    let schema = value.get("schema_version").and_then(Value::as_i64);
    if schema != Some(migrate::latest_version()) {
        problems.push(format!(
            "line 1: the export has schema version {schema:?} but this Custodian has {}; use the same Custodian version for export and import",
            migrate::latest_version()
        ));
    }
}
