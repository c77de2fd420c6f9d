//! The reports (issue 7, item 8), all within one council and a period: one person's day, top
//! sites, who used a site, flagged records, hits by hour, and keys that matched no one. Each
//! reads the registry's day tables for the period and the held copies as one UNION ALL, inside
//! a read transaction so a purge cannot drop a table half-way through.

use super::day_tables::{self, DayTables, HOURS, Lock, day_text, record_columns, union_sql};
use super::{daily_record, subject_key};
use crate::{Store, db_error, rows};
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::ports::{
    CategoryTotal, DailyRecord, SiteTotal, SiteVisitor, StoreResult, UnattributedKey,
};
use custodian_monitor::LocalDay;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::{BTreeMap, BTreeSet};

/// A read over a period: its transaction and the day tables it covers.
pub(super) struct Period<'a> {
    pub(super) tx: Transaction<'a, Any>,
    pub(super) days: Vec<DayTables>,
    council: String,
    from: String,
    to: String,
}

impl Period<'_> {
    pub(super) async fn open(
        store: &Store,
        council: CouncilId,
        from: LocalDay,
        to: LocalDay,
    ) -> StoreResult<Period<'static>> {
        let mut tx = store.read.begin().await.map_err(db_error)?;
        let registered = day_tables::registered(
            &mut tx,
            store.engine,
            council,
            Some(from),
            Some(to),
            Lock::KeyShare,
        )
        .await?;
        let days = registered
            .iter()
            .map(|r| DayTables::of(council, r.day))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Period {
            tx,
            days,
            council: council.to_string(),
            from: day_text(from)?,
            to: day_text(to)?,
        })
    }

    /// Runs `outer` (with `{rows}` standing for the period's union) and returns its rows.
    pub(super) async fn fetch(
        &mut self,
        raw: bool,
        columns: &str,
        filter: &str,
        extra: &[&str],
        outer: &str,
    ) -> StoreResult<Vec<AnyRow>> {
        let union = if raw {
            union_sql(&self.days, |t| &t.raw, "monitor_held_raw", columns, filter)?
        } else {
            union_sql(
                &self.days,
                |t| &t.records,
                "monitor_held_records",
                columns,
                filter,
            )?
        };
        let sql = outer.replace("{rows}", &format!("({union}) AS u"));
        let mut query = sqlx::query(&sql)
            .bind(self.council.as_str())
            .bind(self.from.as_str())
            .bind(self.to.as_str());
        for value in extra {
            query = query.bind(*value);
        }
        query.fetch_all(&mut *self.tx).await.map_err(db_error)
    }

    /// Whole records matching `filter`, by day then `order`.
    pub(super) async fn records(
        &mut self,
        filter: &str,
        extra: &[&str],
        order: &str,
    ) -> StoreResult<Vec<DailyRecord>> {
        let outer = format!("SELECT * FROM {{rows}} ORDER BY day, {order}");
        let found = self
            .fetch(false, &record_columns(), filter, extra, &outer)
            .await?;
        found.iter().map(daily_record).collect()
    }
}

const BY_SITE: &str = "site, subject_kind, subject, held";

pub(super) async fn person_day(
    store: &Store,
    council: CouncilId,
    person: PersonId,
    day: LocalDay,
) -> StoreResult<Vec<DailyRecord>> {
    let person = person.to_string();
    let mut period = Period::open(store, council, day, day).await?;
    period.records("person_id = $4", &[&person], BY_SITE).await
}

pub(super) async fn person_records(
    store: &Store,
    council: CouncilId,
    person: PersonId,
    from: LocalDay,
    to: LocalDay,
) -> StoreResult<Vec<DailyRecord>> {
    let person = person.to_string();
    let mut period = Period::open(store, council, from, to).await?;
    period.records("person_id = $4", &[&person], BY_SITE).await
}

pub(super) async fn flagged_records(
    store: &Store,
    council: CouncilId,
    from: LocalDay,
    to: LocalDay,
) -> StoreResult<Vec<DailyRecord>> {
    let mut period = Period::open(store, council, from, to).await?;
    period.records("flagged = 1", &[], BY_SITE).await
}

pub(super) async fn top_sites(
    store: &Store,
    council: CouncilId,
    from: LocalDay,
    to: LocalDay,
    limit: u32,
) -> StoreResult<Vec<SiteTotal>> {
    let mut period = Period::open(store, council, from, to).await?;
    let outer = format!(
        "SELECT site, CAST(SUM(hits) AS BIGINT) AS hits, CAST(SUM(bytes) AS BIGINT) AS bytes, \
         COUNT(DISTINCT person_id) AS people FROM {{rows}} GROUP BY site \
         ORDER BY 2 DESC, 1 LIMIT {}",
        limit.clamp(1, 10_000)
    );
    let found = period
        .fetch(false, "site, hits, bytes, person_id", "1 = 1", &[], &outer)
        .await?;
    found
        .iter()
        .map(|row| {
            Ok(SiteTotal {
                site: rows::text(row, "site")?,
                hits: count(row, "hits")?,
                bytes: count(row, "bytes")?,
                people: count(row, "people")?,
            })
        })
        .collect()
}

pub(super) async fn site_visitors(
    store: &Store,
    council: CouncilId,
    site: &str,
    from: LocalDay,
    to: LocalDay,
) -> StoreResult<Vec<SiteVisitor>> {
    let mut period = Period::open(store, council, from, to).await?;
    // People are grouped as people; traffic that matched no one is grouped by its key.
    let outer = "SELECT person_id, \
         CASE WHEN person_id IS NULL THEN subject_kind ELSE '' END AS k, \
         CASE WHEN person_id IS NULL THEN subject ELSE '' END AS s, \
         COUNT(DISTINCT day) AS days, CAST(SUM(hits) AS BIGINT) AS hits, \
         CAST(SUM(bytes) AS BIGINT) AS bytes, MIN(first_at) AS first_at, \
         MAX(last_at) AS last_at FROM {rows} GROUP BY 1, 2, 3 ORDER BY 5 DESC, 1, 2, 3";
    let found = period
        .fetch(
            false,
            "person_id, subject_kind, subject, hits, bytes, first_at, last_at",
            "site = $4",
            &[site],
            outer,
        )
        .await?;
    found
        .iter()
        .map(|row| {
            let person = rows::opt_person_id(row, "person_id")?;
            Ok(SiteVisitor {
                person,
                key: match person {
                    Some(_) => None,
                    None => Some(subject_key(row, "k", "s")?),
                },
                days: count(row, "days")?,
                hits: count(row, "hits")?,
                bytes: count(row, "bytes")?,
                first_at: rows::time(row, "first_at")?,
                last_at: rows::time(row, "last_at")?,
            })
        })
        .collect()
}

pub(super) async fn hits_by_hour(
    store: &Store,
    council: CouncilId,
    from: LocalDay,
    to: LocalDay,
    person: Option<PersonId>,
) -> StoreResult<[u64; 24]> {
    let mut period = Period::open(store, council, from, to).await?;
    let sums: Vec<String> = HOURS
        .iter()
        .map(|h| format!("CAST(SUM({h}) AS BIGINT) AS {h}"))
        .collect();
    let outer = format!("SELECT {} FROM {{rows}}", sums.join(", "));
    let person = person.map(|p| p.to_string());
    let (filter, extra): (&str, Vec<&str>) = match &person {
        Some(person) => ("person_id = $4", vec![person.as_str()]),
        None => ("1 = 1", vec![]),
    };
    let columns = format!("person_id, {}", HOURS.join(", "));
    let found = period
        .fetch(false, &columns, filter, &extra, &outer)
        .await?;
    let mut hours = [0u64; 24];
    if let Some(row) = found.first() {
        for (slot, hour) in hours.iter_mut().zip(HOURS) {
            *slot = rows::opt_int(row, hour)?.map_or(0, |n| u64::try_from(n).unwrap_or(0));
        }
    }
    Ok(hours)
}

pub(super) async fn category_totals(
    store: &Store,
    council: CouncilId,
    from: LocalDay,
    to: LocalDay,
) -> StoreResult<Vec<CategoryTotal>> {
    let mut period = Period::open(store, council, from, to).await?;
    // Records keep their categories as one comma-separated text, so the database groups by
    // that text and each person; the names are split and added up here. Distinct people are
    // counted from the per-person rows, which a sum of per-text counts would overstate.
    let outer = "SELECT categories, person_id, CAST(SUM(hits) AS BIGINT) AS hits, \
         CAST(SUM(bytes) AS BIGINT) AS bytes, \
         CAST(SUM(CASE WHEN flagged = 1 THEN hits ELSE 0 END) AS BIGINT) AS flagged_hits \
         FROM {rows} GROUP BY categories, person_id";
    let found = period
        .fetch(
            false,
            "categories, person_id, hits, bytes, flagged",
            "categories <> ''",
            &[],
            outer,
        )
        .await?;
    let mut totals: BTreeMap<String, (CategoryTotal, BTreeSet<PersonId>)> = BTreeMap::new();
    for row in &found {
        let person = rows::opt_person_id(row, "person_id")?;
        let (hits, bytes) = (count(row, "hits")?, count(row, "bytes")?);
        let flagged_hits = count(row, "flagged_hits")?;
        for name in rows::text(row, "categories")?.split(',') {
            if name.is_empty() {
                continue;
            }
            let (total, people) = totals.entry(name.to_owned()).or_insert_with(|| {
                let total = CategoryTotal {
                    category: name.to_owned(),
                    hits: 0,
                    bytes: 0,
                    people: 0,
                    flagged_hits: 0,
                };
                (total, BTreeSet::new())
            });
            total.hits += hits;
            total.bytes += bytes;
            total.flagged_hits += flagged_hits;
            people.extend(person);
        }
    }
    let mut totals: Vec<CategoryTotal> = totals
        .into_values()
        .map(|(mut total, people)| {
            total.people = people.len() as u64;
            total
        })
        .collect();
    totals.sort_by(|a, b| {
        b.hits
            .cmp(&a.hits)
            .then_with(|| a.category.cmp(&b.category))
    });
    Ok(totals)
}

pub(super) async fn unattributed(
    store: &Store,
    council: CouncilId,
    from: LocalDay,
    to: LocalDay,
) -> StoreResult<Vec<UnattributedKey>> {
    let mut period = Period::open(store, council, from, to).await?;
    let outer = "SELECT subject_kind, subject, COUNT(DISTINCT day) AS days, \
         CAST(SUM(hits) AS BIGINT) AS hits, CAST(SUM(bytes) AS BIGINT) AS bytes, \
         MIN(day) AS first_day, MAX(day) AS last_day FROM {rows} \
         GROUP BY subject_kind, subject ORDER BY 4 DESC, 1, 2";
    let found = period
        .fetch(
            false,
            "subject_kind, subject, hits, bytes",
            "person_id IS NULL",
            &[],
            outer,
        )
        .await?;
    found
        .iter()
        .map(|row| {
            Ok(UnattributedKey {
                key: subject_key(row, "subject_kind", "subject")?,
                days: count(row, "days")?,
                hits: count(row, "hits")?,
                bytes: count(row, "bytes")?,
                first_day: day_tables::day(row, "first_day")?,
                last_day: day_tables::day(row, "last_day")?,
            })
        })
        .collect()
}

pub(super) fn count(row: &AnyRow, column: &str) -> StoreResult<u64> {
    Ok(u64::try_from(rows::int(row, column)?).unwrap_or(0))
}
