//! The register list: one page of a council's items, filtered, searched and sorted, with how
//! many match in all; and the search text each item is found by.
//!
//! Searching looks through one column, `search_text` (migration 0009), written with every
//! insert, update and import from `Asset::search_text` and matched against the search folded
//! the same way, so both engines find the same items. On SQLite the page's items are picked
//! from an index and only their rows are read from the table; a search and its total read the
//! `assets_list` index. The total is not counted at all when the page is the last one.

use crate::{Engine, Store, db_error};
use custodian_core::asset::{
    AssetPage, AssetQuery, AssetSort, SEARCH_FIELD_SEPARATOR, SortDirection, search_text,
};
use custodian_core::ids::CouncilId;
use custodian_core::ports::{StoreError, StoreResult};
use sqlx::{AnyConnection, Row};

use super::rows::{self, COLUMNS};

/// `text` for a LIKE pattern with `\` as the escape character, so a search for "50%" or
/// "PC_1" matches those characters literally.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Rewrites `search_text` wherever it is not what the store would write for the item's fields
/// now; returns how many items changed. Run by migration 0009 to fill the new column and after
/// an installation import, so a hand-edited export cannot leave items unfindable. Reads the
/// raw columns rather than whole items, so one unreadable item cannot stop either.
pub(crate) async fn refresh_search_text(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, number, make, model, serial, location, search_text FROM assets")
            .fetch_all(&mut *conn)
            .await?;
    let mut changed = 0;
    for row in rows {
        let wanted = search_text(
            &row.try_get::<String, _>("number")?,
            &row.try_get::<String, _>("make")?,
            &row.try_get::<String, _>("model")?,
            row.try_get::<Option<String>, _>("serial")?.as_deref(),
            &row.try_get::<String, _>("location")?,
        );
        if wanted != row.try_get::<String, _>("search_text")? {
            sqlx::query("UPDATE assets SET search_text = $1 WHERE id = $2")
                .bind(wanted)
                .bind(row.try_get::<String, _>("id")?)
                .execute(&mut *conn)
                .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

impl Store {
    /// The table as the list reads it: on SQLite a search reads the `assets_list` index, which
    /// holds the search text beside every filter and sort column.
    fn list_source(&self, query: &AssetQuery) -> &'static str {
        match (self.engine, query.search()) {
            (Engine::Sqlite, Some(_)) => "assets INDEXED BY assets_list",
            _ => "assets",
        }
    }

    pub(super) async fn asset_page(
        &self,
        council: CouncilId,
        query: &AssetQuery,
    ) -> StoreResult<AssetPage> {
        let page = |assets, total| AssetPage {
            assets,
            total,
            page: query.page_number(),
            page_size: query.limit(),
        };
        let mut binds = vec![council.to_string()];
        let mut conditions = vec!["council_id = $1".to_owned()];
        if let Some(text) = query.folded_search() {
            if text.contains(SEARCH_FIELD_SEPARATOR) {
                // No field holds a line break, so nothing matches; searching the joined text
                // would wrongly match across two fields.
                return Ok(page(Vec::new(), 0));
            }
            binds.push(format!("%{}%", escape_like(&text)));
            conditions.push(format!("search_text LIKE ${} ESCAPE '\\'", binds.len()));
        }
        if let Some(category) = query.category {
            binds.push(category.as_str().to_owned());
            conditions.push(format!("category = ${}", binds.len()));
        }
        if let Some(status) = query.status {
            binds.push(status.as_str().to_owned());
            conditions.push(format!("status = ${}", binds.len()));
        }
        if let Some(holder) = query.holder {
            binds.push(holder.to_string());
            conditions.push(format!("holder_id = ${}", binds.len()));
        }
        let filter = conditions.join(" AND ");

        let direction = match query.direction {
            SortDirection::Ascending => "ASC",
            SortDirection::Descending => "DESC",
        };
        let number = format!("number_key{}", self.byte_order());
        // Numbers are unique within a council, so the number settles every tie: pages never
        // overlap, and SQLite can sort from the index without reading rows.
        let order = match query.sort {
            AssetSort::Number => format!("{number} {direction}"),
            AssetSort::Category => format!("category {direction}, {number}"),
            // No purchase date last either way: the engines put NULLs at opposite ends.
            AssetSort::PurchasedOn => {
                format!("(purchased_on IS NULL), purchased_on {direction}, {number}")
            }
            // The order of an item's life rather than the alphabet.
            AssetSort::Status => format!(
                "CASE status WHEN 'in_store' THEN 1 WHEN 'issued' THEN 2 WHEN 'damaged' THEN 3
                     WHEN 'lost' THEN 4 WHEN 'stolen' THEN 5 ELSE 6 END {direction}, {number}"
            ),
        };
        let (limit, offset) = (query.limit(), query.offset());
        let sql = match self.engine {
            // The page is chosen first, by rowid, and only its rows are read in full. A search
            // names the index holding the search text, so the choice reads that index alone:
            // without statistics SQLite would pick a narrower index and read every row to test
            // the search. Filters alone are served well by the narrower indexes SQLite picks.
            Engine::Sqlite => format!(
                "SELECT {COLUMNS} FROM assets WHERE rowid IN (
                     SELECT rowid FROM {source} WHERE {filter}
                     ORDER BY {order} LIMIT {limit} OFFSET {offset})
                 ORDER BY {order}",
                source = self.list_source(query)
            ),
            Engine::Postgres => format!(
                "SELECT {COLUMNS} FROM assets WHERE {filter}
                 ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            ),
        };
        let mut select = sqlx::query(&sql);
        for value in &binds {
            select = select.bind(value.clone());
        }
        let assets = select
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::asset)
            .collect::<StoreResult<Vec<_>>>()?;

        let shown = u64::try_from(assets.len())
            .map_err(|e| StoreError::Corrupt(format!("page length: {e}")))?;
        let is_last_page = shown < u64::from(limit) && (shown > 0 || offset == 0);
        if is_last_page {
            // Everything before this page, and this page: no second pass over the council.
            return Ok(page(assets, offset + shown));
        }
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM {} WHERE {filter}",
            self.list_source(query)
        );
        let mut count = sqlx::query(&count_sql);
        for value in &binds {
            count = count.bind(value.clone());
        }
        let total = crate::rows::int(&count.fetch_one(&self.read).await.map_err(db_error)?, "n")?;
        let total = u64::try_from(total).map_err(|e| StoreError::Corrupt(format!("count: {e}")))?;
        Ok(page(assets, total))
    }
}
