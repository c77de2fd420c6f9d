//! Writing a day's records on PostgreSQL as columns: one `INSERT … SELECT FROM unnest(…)` per
//! few thousand rows, each column bound as one array, instead of multi-row `VALUES` lists.
//!
//! Why: with 34 values a row, PostgreSQL spent some 20 µs a row parsing and checking the
//! `VALUES` lists of a week's 786,000 records (15 seconds of a 16-second ingest). Arrays are
//! read in one pass each. `COPY` would be faster still, but needs a typed PostgreSQL
//! connection, and the ingest's one transaction (council lock, records, raw lines, batch row,
//! audit entry) runs on the store's `Any` connection; `Any` has no array type either, so each
//! array is bound as the text of a PostgreSQL array literal and cast on the server.

use super::{Plan, clamp, merge_clause};
use crate::db_error;
use crate::monitor::day_tables::{HOURS, record_columns};
use custodian_core::ports::StoreResult;
use custodian_monitor::Group;
use sqlx::AnyConnection;
use std::fmt::Write;

/// Rows per statement: a few megabytes of array text, well inside what a bind may hold.
const ROWS_PER_STATEMENT: usize = 10_000;

/// Inserts (or, when `merging`, merges) one day's rows into `table`.
pub(super) async fn insert_records(
    conn: &mut AnyConnection,
    table: &str,
    merging: bool,
    plan: &Plan<'_>,
    rows: &[(&Group, usize)],
) -> StoreResult<()> {
    let sql = unnest_sql(table, merging);
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let columns = Columns::of(chunk, plan);
        let mut query = sqlx::query(&sql);
        for column in columns.arrays {
            query = query.bind(column);
        }
        query.execute(&mut *conn).await.map_err(db_error)?;
    }
    Ok(())
}

/// The statement: the same columns and merge rule as the `VALUES` form.
fn unnest_sql(table: &str, merging: bool) -> String {
    let casts: Vec<String> = COLUMN_TYPES
        .iter()
        .enumerate()
        .map(|(index, kind)| format!("${}::{kind}[]", index + 1))
        .collect();
    let merge = if merging {
        merge_clause(table)
    } else {
        String::new()
    };
    format!(
        "INSERT INTO {table} ({}) SELECT * FROM unnest({}){merge}",
        record_columns(),
        casts.join(", ")
    )
}

/// The SQL type of each column, in `record_columns` order.
const COLUMN_TYPES: [&str; 34] = {
    let mut types = ["bigint"; 34];
    types[0] = "text"; // person_id
    types[1] = "text"; // subject_kind
    types[2] = "text"; // subject
    types[3] = "text"; // site
    types[32] = "text"; // categories
    types
};
const _: () = assert!(HOURS.len() == 24 && super::RECORD_BINDS == 34);

/// The rows' values as one PostgreSQL array literal per column.
struct Columns {
    arrays: Vec<String>,
}

impl Columns {
    fn of(rows: &[(&Group, usize)], plan: &Plan<'_>) -> Columns {
        let mut arrays: Vec<String> = (0..COLUMN_TYPES.len())
            .map(|_| String::with_capacity(rows.len() * 8 + 2))
            .collect();
        for (row, (group, person)) in rows.iter().enumerate() {
            let (kind, subject) = super::key_parts(&group.key);
            let (names, flagged) = plan.categories_of(group);
            let figures = &group.figures;
            let mut cells = arrays.iter_mut();
            let mut next = || next_element(&mut cells, row == 0);
            for value in [plan.people.text(*person), Some(kind), Some(subject)] {
                if let Some(array) = next() {
                    push_text(array, value);
                }
            }
            if let Some(array) = next() {
                push_text(array, Some(group.site.as_str()));
            }
            let numbers = [
                figures.first.saturating_mul(1000),
                figures.last.saturating_mul(1000),
                clamp(figures.hits),
                clamp(figures.bytes),
            ];
            for value in numbers
                .into_iter()
                .chain(figures.hits_by_hour.map(i64::from))
            {
                if let Some(array) = next() {
                    let _ = write!(array, "{value}");
                }
            }
            if let Some(array) = next() {
                push_text(array, Some(names));
            }
            if let Some(array) = next() {
                array.push(if flagged { '1' } else { '0' });
            }
        }
        for array in &mut arrays {
            if array.is_empty() {
                array.push('{');
            }
            array.push('}');
        }
        Columns { arrays }
    }
}

/// The next column's array, ready for an element: after its opening brace or a comma.
fn next_element<'a>(
    columns: &mut std::slice::IterMut<'a, String>,
    first: bool,
) -> Option<&'a mut String> {
    let array = columns.next()?;
    array.push(if first { '{' } else { ',' });
    Some(array)
}

/// One element of a text array: NULL, or the value in double quotes with `"` and `\` escaped.
fn push_text(array: &mut String, value: Option<&str>) {
    let Some(value) = value else {
        array.push_str("NULL");
        return;
    };
    array.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            array.push('\\');
        }
        array.push(c);
    }
    array.push('"');
}
