//! Capability: areas and the neighbourhood monitor (wijkbeeld).

pub mod import_boundaries;
pub mod import_kwb;
pub mod monitor;

use crate::AppError;
use import_kwb::ParsedYear;
use leefwijk_store::{ImportRecord, Store};

/// What an import did, for the person who ran it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportSummary {
    pub year: i32,
    pub municipalities: usize,
    pub districts: usize,
    pub neighbourhoods: usize,
    pub rows: usize,
    pub ignored_columns: Vec<String>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn import_id(kind: &str) -> String {
    format!("{kind}-{}-{}", now_ms(), std::process::id())
}

/// Stores a parsed KWB year, replacing that year completely, in one transaction.
pub async fn store_kwb(store: &Store, parsed: &ParsedYear, source: &str) -> Result<ImportSummary, AppError> {
    let record = ImportRecord {
        id: import_id("cbs-kwb"),
        kind: "cbs-kwb".into(),
        source: source.into(),
        year: parsed.year,
        rows: parsed.areas.len() as i64,
        finished_at_ms: now_ms(),
    };
    store.replace_year(parsed.year, &parsed.areas, &parsed.figures, &record).await?;
    Ok(ImportSummary {
        year: parsed.year,
        municipalities: parsed.count(leefwijk_domain::AreaKind::Gemeente),
        districts: parsed.count(leefwijk_domain::AreaKind::Wijk),
        neighbourhoods: parsed.count(leefwijk_domain::AreaKind::Buurt),
        rows: parsed.areas.len(),
        ignored_columns: parsed.ignored_columns.clone(),
    })
}

/// Stores parsed boundaries for a year.
pub async fn store_boundaries(
    store: &Store,
    year: i32,
    parsed: &import_boundaries::ParsedBoundaries,
    source: &str,
) -> Result<usize, AppError> {
    let record = ImportRecord {
        id: import_id("boundaries"),
        kind: "boundaries".into(),
        source: source.into(),
        year,
        rows: parsed.shapes.len() as i64,
        finished_at_ms: now_ms(),
    };
    store.replace_shapes(year, &parsed.shapes, &record).await?;
    Ok(parsed.shapes.len())
}
