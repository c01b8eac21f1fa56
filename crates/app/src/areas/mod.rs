//! Capability: areas and the neighbourhood monitor (wijkbeeld).

pub mod codebook;
pub mod import_boundaries;
pub mod import_kwb;
pub mod import_table;
pub mod monitor;
pub mod national;

use crate::AppError;
use import_kwb::ParsedYear;
use leefwijk_store::{ImportRecord, Store, YearFigures};

/// What an import did, for the person who ran it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportSummary {
    pub year: i32,
    pub municipalities: usize,
    pub districts: usize,
    pub neighbourhoods: usize,
    pub rows: usize,
    pub ignored_columns: Vec<String>,
    /// "Bron: …" of the imported figures.
    pub source: String,
    /// Rows left out on purpose (confidence bounds).
    pub skipped_rows: usize,
    /// Columns imported as indicators named from the codebook: "key: title (unit)".
    pub new_indicators: Vec<String>,
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

/// Stores one parsed year of one source, in one transaction: the source's earlier figures
/// of that year are replaced, other sources' figures stay.
pub async fn store_kwb(store: &Store, parsed: &ParsedYear, source: &str) -> Result<ImportSummary, AppError> {
    let mut summaries = store_years(store, std::slice::from_ref(parsed), source).await?;
    summaries.pop().ok_or(AppError::NoData)
}

/// Makes the indicators earlier imports named from a codebook known to this process, so
/// that a re-import without that codebook still reads their columns.
pub async fn register_stored_indicators(store: &Store) -> Result<(), AppError> {
    for new in store.indicator_definitions().await? {
        leefwijk_domain::indicators::register(&new);
    }
    Ok(())
}

/// Stores every year of a parsed file in one transaction: all years or none.
pub async fn store_years(store: &Store, parsed: &[ParsedYear], source: &str) -> Result<Vec<ImportSummary>, AppError> {
    let record = ImportRecord {
        id: import_id("cbs-kwb"),
        kind: "figures".into(),
        source: source.into(),
        year: parsed.iter().map(|p| p.year).max().unwrap_or_default(),
        rows: parsed.iter().map(|p| p.areas.len() as i64).sum(),
        finished_at_ms: now_ms(),
    };
    let batches: Vec<YearFigures<'_>> = parsed
        .iter()
        .map(|p| YearFigures {
            year: p.year,
            areas: &p.areas,
            figures: &p.figures,
            source: &p.source,
            new_indicators: &p.new_indicators,
        })
        .collect();
    store.merge_years(&batches, &record).await?;
    for new in parsed.iter().flat_map(|p| &p.new_indicators) {
        leefwijk_domain::indicators::register(new);
    }
    Ok(parsed
        .iter()
        .map(|p| ImportSummary {
            year: p.year,
            municipalities: p.count(leefwijk_domain::AreaKind::Gemeente),
            districts: p.count(leefwijk_domain::AreaKind::Wijk),
            neighbourhoods: p.count(leefwijk_domain::AreaKind::Buurt),
            rows: p.areas.len(),
            ignored_columns: p.ignored_columns.clone(),
            source: leefwijk_domain::DataSource::line(&[&p.source]),
            skipped_rows: p.skipped_rows,
            new_indicators: p
                .new_indicators
                .iter()
                .map(|n| format!("{}: {} ({})", n.key, n.title, n.unit.key()))
                .collect(),
        })
        .collect())
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
