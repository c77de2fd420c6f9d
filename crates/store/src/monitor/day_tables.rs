//! The per-(council, day) tables and their registry: names, creation, and the union that reads a
//! period across them.
//!
//! Names are built only from a parsed `CouncilId` and a `LocalDay`, never from anything a person
//! typed, and are checked to be `[a-z0-9_]` and at most 63 characters (PostgreSQL's limit), so
//! splicing them into SQL cannot inject anything.

use crate::rows;
use crate::{Engine, db_error};
use custodian_core::ids::CouncilId;
use custodian_core::ports::{StoreError, StoreResult};
use custodian_monitor::LocalDay;
use jiff::civil::Date;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// The 24 hour columns, in order.
pub(crate) const HOURS: [&str; 24] = [
    "h00", "h01", "h02", "h03", "h04", "h05", "h06", "h07", "h08", "h09", "h10", "h11", "h12",
    "h13", "h14", "h15", "h16", "h17", "h18", "h19", "h20", "h21", "h22", "h23",
];

/// Every column of a records table, in the order inserts bind them.
pub(crate) fn record_columns() -> String {
    format!(
        "person_id, subject_kind, subject, site, first_at, last_at, hits, bytes, {}, categories, \
         flagged",
        HOURS.join(", ")
    )
}

/// The columns of a raw table, in the order inserts bind them.
pub(crate) const RAW_COLUMNS: &str =
    "batch_id, subject_kind, subject, person_id, line_count, lines";
pub(crate) const RAW_BINDS: usize = 6;

/// The two tables of one council's day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DayTables {
    pub(crate) day: LocalDay,
    pub(crate) records: String,
    pub(crate) raw: String,
}

impl DayTables {
    pub(crate) fn of(council: CouncilId, day: LocalDay) -> StoreResult<Self> {
        let date = checked_date(day)?;
        let council = council.as_uuid().simple().to_string();
        let stamp = format!("{:04}{:02}{:02}", date.year(), date.month(), date.day());
        let tables = Self {
            day,
            records: format!("monitor_records_{council}_{stamp}"),
            raw: format!("monitor_raw_{council}_{stamp}"),
        };
        if is_safe_name(&tables.records) && is_safe_name(&tables.raw) {
            Ok(tables)
        } else {
            Err(StoreError::Corrupt(format!(
                "the day table name for {date} is not a safe identifier"
            )))
        }
    }

    /// Makes both (empty) tables, without indexes: a new day is loaded first and indexed after.
    pub(crate) fn create_sql(&self, engine: Engine) -> String {
        let blob = match engine {
            Engine::Sqlite => "BLOB",
            Engine::Postgres => "BYTEA",
        };
        let hours: Vec<String> = HOURS
            .iter()
            .map(|h| format!("{h} BIGINT NOT NULL"))
            .collect();
        format!(
            "CREATE TABLE {records} (person_id TEXT, subject_kind TEXT NOT NULL, \
             subject TEXT NOT NULL, site TEXT NOT NULL, first_at BIGINT NOT NULL, \
             last_at BIGINT NOT NULL, hits BIGINT NOT NULL, bytes BIGINT NOT NULL, {hours}, \
             categories TEXT NOT NULL, flagged BIGINT NOT NULL); \
             CREATE TABLE {raw} (batch_id TEXT NOT NULL, subject_kind TEXT NOT NULL, \
             subject TEXT NOT NULL, person_id TEXT, line_count BIGINT NOT NULL, \
             lines {blob} NOT NULL);",
            records = self.records,
            raw = self.raw,
            hours = hours.join(", "),
        )
    }

    /// The indexes made once a new day is loaded: the person and key lookups of subject
    /// access, erasure and re-attribution.
    pub(crate) fn index_sql(&self) -> String {
        format!(
            "CREATE INDEX {records}_p ON {records} (person_id); \
             CREATE INDEX {raw}_k ON {raw} (subject_kind, subject); \
             CREATE INDEX {raw}_p ON {raw} (person_id);",
            records = self.records,
            raw = self.raw,
        )
    }

    /// The unique key a later batch's merge relies on (`ON CONFLICT`). Made when the first
    /// such batch arrives rather than with the day: a day that only ever gets one file (a
    /// week's log sent at once) never pays for it. On PostgreSQL its text is compared byte by
    /// byte (`COLLATE "C"`), as SQLite always does: equal is equal either way, and the
    /// database's language rules made each of a merge's hundreds of thousands of look-ups
    /// several times slower. (`ON CONFLICT` names no collation, so it finds this index.)
    pub(crate) fn merge_key_sql(&self, engine: Engine) -> String {
        let byte_order = match engine {
            Engine::Sqlite => "",
            Engine::Postgres => " COLLATE \"C\"",
        };
        format!(
            "CREATE UNIQUE INDEX IF NOT EXISTS {records}_k ON {records} \
             (subject_kind{byte_order}, subject{byte_order}, site{byte_order})",
            records = self.records
        )
    }

    pub(crate) fn drop_sql(&self) -> String {
        format!("DROP TABLE {}; DROP TABLE {};", self.records, self.raw)
    }
}

/// `[a-z0-9_]`, starting with a letter, at most 63 bytes (PostgreSQL truncates longer names).
fn is_safe_name(name: &str) -> bool {
    name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The calendar date of a day, refusing days outside the years 1970-9999 (which `LocalDay::date`
/// would quietly turn into 1970-01-01).
pub(crate) fn checked_date(day: LocalDay) -> StoreResult<Date> {
    // Checked as a number first: `LocalDay::date` cannot represent (and may panic on) days far
    // outside jiff's range.
    let last = LocalDay::from_date(jiff::civil::date(9999, 12, 31));
    if (0..=last.0).contains(&day.0) {
        Ok(day.date())
    } else {
        Err(StoreError::Corrupt(format!(
            "day number {} is outside the years 1970-9999",
            day.0
        )))
    }
}

/// A day as stored: `YYYY-MM-DD`, which sorts as text.
pub(crate) fn day_text(day: LocalDay) -> StoreResult<String> {
    checked_date(day).map(|d| d.to_string())
}

pub(crate) fn parse_day(text: &str, column: &str) -> StoreResult<LocalDay> {
    text.parse::<Date>()
        .map(LocalDay::from_date)
        .map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
}

pub(crate) fn day(row: &AnyRow, column: &str) -> StoreResult<LocalDay> {
    parse_day(&rows::text(row, column)?, column)
}

pub(crate) fn opt_day(row: &AnyRow, column: &str) -> StoreResult<Option<LocalDay>> {
    rows::opt_text(row, column)?
        .map(|t| parse_day(&t, column))
        .transpose()
}

/// One row of the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Registered {
    pub(crate) day: LocalDay,
    pub(crate) records: i64,
    pub(crate) raw_chunks: i64,
}

/// The council's registered days in `[from, to]` (either end open), oldest first. On
/// PostgreSQL the rows are key-share locked, so a purge (which deletes them before dropping
/// their tables) waits for a reader inside a transaction to finish; a SQLite read transaction
/// sees a snapshot in which the tables still exist.
pub(crate) async fn registered(
    conn: &mut AnyConnection,
    engine: Engine,
    council: CouncilId,
    from: Option<LocalDay>,
    to: Option<LocalDay>,
    lock: Lock,
) -> StoreResult<Vec<Registered>> {
    let from = from.map(day_text).transpose()?.unwrap_or_default();
    let to = to
        .map(day_text)
        .transpose()?
        .unwrap_or_else(|| "9999-99-99".to_owned());
    let suffix = match (engine, lock) {
        (Engine::Sqlite, _) | (Engine::Postgres, Lock::None) => "",
        (Engine::Postgres, Lock::KeyShare) => " FOR KEY SHARE",
        (Engine::Postgres, Lock::Update) => " FOR UPDATE",
    };
    let sql = format!(
        "SELECT day, records_rows, raw_chunks FROM monitor_days \
         WHERE council_id = $1 AND day >= $2 AND day <= $3 ORDER BY day{suffix}"
    );
    let found = sqlx::query(&sql)
        .bind(council.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
    found
        .iter()
        .map(|row| {
            Ok(Registered {
                day: day(row, "day")?,
                records: rows::int(row, "records_rows")?,
                raw_chunks: rows::int(row, "raw_chunks")?,
            })
        })
        .collect()
}

/// How a registry read locks its rows on PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lock {
    None,
    /// Readers: keeps the tables from being dropped meanwhile.
    KeyShare,
    /// Writers that change the day tables' rows or counts.
    Update,
}

/// Adds `delta` records and `chunk_delta` raw chunks to a day's counts.
pub(crate) async fn adjust_counts(
    conn: &mut AnyConnection,
    council: CouncilId,
    day: LocalDay,
    delta: i64,
    chunk_delta: i64,
) -> StoreResult<()> {
    if delta == 0 && chunk_delta == 0 {
        return Ok(());
    }
    sqlx::query(
        "UPDATE monitor_days SET records_rows = records_rows + $1, raw_chunks = raw_chunks + $2 \
         WHERE council_id = $3 AND day = $4",
    )
    .bind(delta)
    .bind(chunk_delta)
    .bind(council.to_string())
    .bind(day_text(day)?)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// SQLite refuses a compound SELECT of more than 500 parts; unions of more are nested in
/// groups of this many.
const UNION_GROUP: usize = 200;

/// A period's records as one SELECT: a part per day table, then the held copies. Each part
/// yields `day`, `held` and `columns`, and keeps rows matching `filter`. Parameters `$1`
/// (council), `$2` and `$3` (first and last day) are taken by the held part; `filter` may use
/// `$4` onwards. `table_of` picks the records or raw table of each day; `held_table` the held
/// copies' table.
pub(crate) fn union_sql(
    days: &[DayTables],
    table_of: fn(&DayTables) -> &str,
    held_table: &str,
    columns: &str,
    filter: &str,
) -> StoreResult<String> {
    let mut parts = Vec::with_capacity(days.len() + 1);
    for tables in days {
        parts.push(format!(
            "SELECT CAST('{day}' AS TEXT) AS day, CAST(0 AS BIGINT) AS held, {columns} \
             FROM {table} WHERE {filter}",
            day = day_text(tables.day)?,
            table = table_of(tables),
        ));
    }
    parts.push(format!(
        "SELECT day, CAST(1 AS BIGINT) AS held, {columns} FROM {held_table} \
         WHERE council_id = $1 AND day >= $2 AND day <= $3 AND {filter}"
    ));
    if parts.len() <= UNION_GROUP {
        return Ok(parts.join(" UNION ALL "));
    }
    let nested: Vec<String> = parts
        .chunks(UNION_GROUP)
        .enumerate()
        .map(|(i, group)| format!("SELECT * FROM ({}) AS g{i}", group.join(" UNION ALL ")))
        .collect();
    Ok(nested.join(" UNION ALL "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_table_names_are_safe_identifiers_within_postgresql_limits() {
        let council = CouncilId::parse("0190f0a4-7b1c-7d2e-8f00-123456789abc").unwrap();
        let day = LocalDay::from_date(jiff::civil::date(2026, 12, 7));
        let tables = DayTables::of(council, day).unwrap();
        assert_eq!(
            tables.records,
            "monitor_records_0190f0a47b1c7d2e8f00123456789abc_20261207"
        );
        assert_eq!(
            tables.raw,
            "monitor_raw_0190f0a47b1c7d2e8f00123456789abc_20261207"
        );
        assert!(tables.records.len() <= 63);
        // Index names add two characters and must fit too.
        assert!(format!("{}_k", tables.records).len() <= 63);
    }

    #[test]
    fn days_outside_the_supported_years_are_refused_not_renamed() {
        let council = CouncilId::generate();
        assert!(DayTables::of(council, LocalDay(-1)).is_err());
        assert!(DayTables::of(council, LocalDay(10_000_000)).is_err());
        assert!(day_text(LocalDay(0)).is_ok());
    }

    #[test]
    fn long_unions_are_nested_below_sqlites_compound_limit() {
        let council = CouncilId::generate();
        let days: Vec<DayTables> = (20_000..20_700)
            .map(|d| DayTables::of(council, LocalDay(d)).unwrap())
            .collect();
        let sql = union_sql(
            &days,
            |t| &t.records,
            "monitor_held_records",
            "hits",
            "1 = 1",
        )
        .unwrap();
        // 701 parts in four groups: the outer compound has four terms.
        assert_eq!(sql.matches(") AS g").count(), 4);
    }
}
