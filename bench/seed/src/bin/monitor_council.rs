//! Makes a database holding the demo council (monitoring switched on, as `custodian demo`
//! seeds it) for the durable half of bench/monitor.sh: `custodian monitor ingest` needs a
//! council that has recorded its impact assessment.
//!
//! Usage: custodian-bench-monitor-council DATA_DIR            (SQLite in DATA_DIR)
//!        custodian-bench-monitor-council postgres://…        (an empty PostgreSQL database)

use anyhow::Context;
use custodian_store::Store;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = std::env::args()
        .nth(1)
        .context("usage: custodian-bench-monitor-council DATA_DIR|postgres://…")?;
    let store = if target.starts_with("postgres") {
        Store::open(&target).await?
    } else {
        std::fs::create_dir_all(&target)?;
        Store::open_sqlite_in(std::path::Path::new(&target)).await?
    };
    store.migrate().await?;
    custodian::demo::seed(&store, jiff::Timestamp::now()).await?;
    Ok(())
}
