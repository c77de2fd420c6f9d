//! Schema migrations for both engines. Each migration has the same number and name in both
//! trees (`migrations/sqlite`, `migrations/postgres`); a test checks the trees match. Applied in
//! order, each in its own transaction, and recorded in `schema_migrations`.

use crate::Engine;
use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Row};

/// Work a migration does in Rust after its SQL, in the same transaction: filling a column the
/// SQL cannot compute the way the store does.
type AfterSql = for<'c> fn(&'c mut AnyConnection) -> BoxFuture<'c, Result<(), sqlx::Error>>;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    after: Option<AfterSql>,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        migration!($version, $name, None)
    };
    ($version:literal, $name:literal, then $after:path) => {
        migration!($version, $name, Some($after as AfterSql))
    };
    ($version:literal, $name:literal, $after:expr) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
            after: $after,
        }
    };
}

/// Migration 0009's back-fill: every existing item's search text, folded as the store folds it.
fn fill_search_text(conn: &mut AnyConnection) -> BoxFuture<'_, Result<(), sqlx::Error>> {
    Box::pin(async move { crate::assets::refresh_search_text(conn).await.map(drop) })
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_passkeys"),
    migration!(3, "0003_password_reset_links"),
    migration!(4, "0004_audit_log_clustered"),
    migration!(5, "0005_policy"),
    migration!(6, "0006_assets"),
    migration!(7, "0007_audit_subject"),
    migration!(8, "0008_devices"),
    migration!(9, "0009_asset_search", then fill_search_text),
    migration!(10, "0010_vault"),
    migration!(11, "0011_incident_workflow"),
    migration!(12, "0012_leaver_checklists"),
    migration!(13, "0013_approvals"),
    migration!(14, "0014_health_and_safety"),
    migration!(15, "0015_joiner_checklists"),
    migration!(16, "0016_mail"),
    migration!(17, "0017_calendar_feeds"),
    migration!(18, "0018_monitoring"),
    migration!(19, "0019_monitor_upload_keys"),
];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The names of every migration, in order (for the check that both trees match).
pub fn names() -> Vec<&'static str> {
    MIGRATIONS.iter().map(|m| m.name).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("could not apply migration {name}: {source}")]
    Apply {
        name: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not read which migrations are applied: {0}")]
    Read(#[source] sqlx::Error),
    #[error(
        "this database has schema version {found}, newer than this Custodian ({known}); upgrade Custodian before using it"
    )]
    TooNew { found: i64, known: i64 },
}

pub(crate) async fn run(pool: &AnyPool, engine: Engine) -> Result<Vec<&'static str>, MigrateError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .execute(pool)
    .await
    .map_err(MigrateError::Read)?;
    let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        .fetch_one(pool)
        .await
        .and_then(|row| row.try_get::<i64, _>("v"))
        .map_err(MigrateError::Read)?;
    if current > latest_version() {
        return Err(MigrateError::TooNew {
            found: current,
            known: latest_version(),
        });
    }
    // Every migration not yet recorded, not only those above the newest: a database whose
    // record lacks an older one (as the test re-running 0009 arranges) still gets it.
    let recorded: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(pool)
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|row| row.try_get::<i64, _>("version"))
                .collect()
        })
        .map_err(MigrateError::Read)?;
    let mut applied = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| !recorded.contains(&m.version)) {
        let sql = match engine {
            Engine::Sqlite => migration.sqlite,
            Engine::Postgres => migration.postgres,
        };
        let apply = async {
            let mut tx = pool.begin().await?;
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            if let Some(after) = migration.after {
                after(&mut tx).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(migration.version)
            .bind(migration.name)
            .bind(jiff::Timestamp::now().as_millisecond())
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        };
        apply.await.map_err(|source| MigrateError::Apply {
            name: migration.name,
            source,
        })?;
        tracing::info!(migration = migration.name, "applied migration");
        applied.push(migration.name);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migrations() {
        let list = |dir: &str| {
            let mut names: Vec<String> =
                std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect();
            names.sort();
            names
        };
        let sqlite = list("sqlite");
        assert_eq!(sqlite, list("postgres"));
        let known: Vec<String> = names().iter().map(|n| format!("{n}.sql")).collect();
        assert_eq!(
            sqlite, known,
            "every migration file must be listed in MIGRATIONS"
        );
    }
}
