//! Shared fixtures for tests of every crate: a fresh, migrated store per test, on SQLite
//! and, when `LEEFWIJK_TEST_POSTGRES_URL` is set, on PostgreSQL too.

use crate::{Result, Store};
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the PostgreSQL server tests use.
pub const POSTGRES_ENV: &str = "LEEFWIJK_TEST_POSTGRES_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_suffix() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{}_{}_{}", std::process::id(), nanos % 1_000_000_000, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A database URL for each backend under test: always SQLite; PostgreSQL when configured.
/// With `CI=true` a missing PostgreSQL URL is an error, so CI cannot silently skip it.
pub fn backend_urls() -> Vec<String> {
    let mut urls = vec!["sqlite".to_string()];
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => urls.push(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but {POSTGRES_ENV} is not set: the PostgreSQL run would be skipped")
        }
        _ => {}
    }
    urls
}

/// A fresh, migrated store: a new SQLite file in the temp dir, or a new PostgreSQL schema.
pub async fn fresh_store(backend_url: &str) -> Result<Store> {
    let suffix = unique_suffix();
    if backend_url == "sqlite" {
        let dir = std::env::temp_dir().join("leefwijk-tests");
        std::fs::create_dir_all(&dir).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let path = dir.join(format!("t_{suffix}.db"));
        let store = Store::connect(&format!("sqlite://{}", path.display())).await?;
        store.migrate().await?;
        return Ok(store);
    }
    let schema = format!("t_{suffix}");
    let admin = Store::connect(backend_url).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&admin.pool).await?;
    admin.close().await;
    let sep = if backend_url.contains('?') { '&' } else { '?' };
    let store = Store::connect(&format!("{backend_url}{sep}options=-c%20search_path%3D{schema}")).await?;
    store.migrate().await?;
    Ok(store)
}

/// Runs raw SQL, as an attacker with database access would: for tamper tests only.
pub async fn raw_sql(store: &Store, sql: &str) -> Result<()> {
    sqlx::raw_sql(sql).execute(&store.pool).await?;
    Ok(())
}

/// Removes the append-only triggers of the audit log, as a database administrator could.
pub async fn disable_audit_triggers(store: &Store) -> Result<()> {
    let sql = match store.backend() {
        crate::Backend::Sqlite => {
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_head_no_delete;"
        }
        crate::Backend::Postgres => {
            "ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_head DISABLE TRIGGER USER;"
        }
    };
    raw_sql(store, sql).await
}

/// The first column of every row a query answers, as text: for tests that need real ids.
pub async fn raw_strings(store: &Store, sql: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(sql).fetch_all(&store.pool).await?;
    rows.iter().map(|r| cell(r, 0)).collect()
}

/// Every row of every table except those named, as text, table by table in a stable
/// order: compare two snapshots to prove an action changed nothing.
pub async fn snapshot(store: &Store, except: &[&str]) -> Result<std::collections::BTreeMap<String, Vec<String>>> {
    use sqlx::Row;
    let tables_sql = match store.backend() {
        crate::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'"
        }
        crate::Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_sqlx%'"
        }
    };
    let mut out = std::collections::BTreeMap::new();
    for table in raw_strings(store, tables_sql).await? {
        if except.contains(&table.as_str()) {
            continue;
        }
        let rows = sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(&store.pool).await?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in &rows {
            let cells: Vec<String> = (0..row.len()).map(|i| cell(row, i)).collect::<Result<_>>()?;
            lines.push(cells.join("|"));
        }
        lines.sort();
        out.insert(table, lines);
    }
    Ok(out)
}

/// One cell as text, whatever its type.
fn cell(row: &sqlx::any::AnyRow, i: usize) -> Result<String> {
    use sqlx::Row;
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return Ok(v.unwrap_or_else(|| "∅".into()));
    }
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return Ok(v.map(|v| v.to_string()).unwrap_or_else(|| "∅".into()));
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return Ok(v.map(|v| v.to_string()).unwrap_or_else(|| "∅".into()));
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
        return Ok(v.map(|v| format!("{} bytes", v.len())).unwrap_or_else(|| "∅".into()));
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return Ok(v.map(|v| v.to_string()).unwrap_or_else(|| "∅".into()));
    }
    Ok("?".into())
}
