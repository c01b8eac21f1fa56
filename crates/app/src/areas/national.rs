//! The open national data shipped with Leefwijk (`data/nl`, see its PROVENANCE.md): CBS key
//! figures per gemeente (2020) and per gemeente and wijk (2022), and the 2022 gemeente and
//! wijk boundaries, all CC BY 4.0. Loaded on first start so the first command shows the
//! real Netherlands; a database that has them already is left alone.

use super::import_boundaries::parse_boundaries;
use super::import_kwb::ParsedYear;
use super::import_table::{parse_table, Mapping};
use super::{store_boundaries, store_years};
use crate::AppError;
use leefwijk_store::Store;
use std::io::Read;

struct Table {
    name: &'static str,
    gz: &'static [u8],
    mapping: &'static str,
}

struct Boundaries {
    name: &'static str,
    gz: &'static [u8],
    year: i32,
}

const TABLES: &[Table] = &[
    Table {
        name: "cbs_kwb_2020_gemeenten.csv",
        gz: include_bytes!("../../../../data/nl/cbs_kwb_2020_gemeenten.csv.gz"),
        mapping: include_str!("../../../../data/nl/mappings/cbs_kwb_2020_gemeenten.toml"),
    },
    Table {
        name: "cbs_kwb_2022_gemeente_wijk_selectie.csv",
        gz: include_bytes!("../../../../data/nl/cbs_kwb_2022_gemeente_wijk_selectie.csv.gz"),
        mapping: include_str!("../../../../data/nl/mappings/cbs_kwb_2022_gemeente_wijk_selectie.toml"),
    },
];

const BOUNDARIES: &[Boundaries] = &[
    Boundaries {
        name: "cbs_gemeenten_2022.geojson",
        gz: include_bytes!("../../../../data/nl/cbs_gemeenten_2022.geojson.gz"),
        year: 2022,
    },
    Boundaries {
        name: "cbs_wijken_2022.geojson",
        gz: include_bytes!("../../../../data/nl/cbs_wijken_2022.geojson.gz"),
        year: 2022,
    },
];

/// The source id that marks the bundle as loaded.
const MARKER_SOURCE: &str = "cbs-kwb-2022";

fn gunzip(name: &str, gz: &[u8]) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::with_capacity(gz.len() * 4);
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .map_err(|e| AppError::Internal(format!("the bundled {name} is damaged: {e}")))?;
    Ok(out)
}

/// Every bundled table, parsed (for the loader, tests and the benchmark).
pub fn bundled_tables() -> Result<Vec<(&'static str, Vec<ParsedYear>)>, AppError> {
    TABLES
        .iter()
        .map(|t| {
            let mapping = Mapping::parse(t.mapping).map_err(|e| AppError::Internal(format!("{}: {e}", t.name)))?;
            let bytes = gunzip(t.name, t.gz)?;
            let parsed = parse_table(&bytes, &mapping).map_err(|e| AppError::Internal(format!("{}: {e}", t.name)))?;
            Ok((t.name, parsed))
        })
        .collect()
}

/// What loading the bundle did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NationalOutcome {
    Loaded { municipalities: usize, districts: usize, boundaries: usize },
    AlreadyPresent,
}

/// Loads the bundle unless the database has it already.
pub async fn load(store: &Store) -> Result<NationalOutcome, AppError> {
    if store.data_sources().await?.iter().any(|s| s.id == MARKER_SOURCE) {
        return Ok(NationalOutcome::AlreadyPresent);
    }
    // Boundaries first: the figures' import marks the bundle as loaded, so an interrupted
    // first start loads everything again on the next.
    let mut boundaries = 0;
    for b in BOUNDARIES {
        let text = String::from_utf8(gunzip(b.name, b.gz)?)
            .map_err(|e| AppError::Internal(format!("the bundled {} is not UTF-8: {e}", b.name)))?;
        let parsed = tokio::task::spawn_blocking(move || parse_boundaries(&text, &|_| {}))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(format!("{}: {e}", b.name)))?;
        boundaries += store_boundaries(store, b.year, &parsed, b.name).await?;
    }
    let tables = tokio::task::spawn_blocking(bundled_tables).await.map_err(|e| AppError::Internal(e.to_string()))??;
    let (mut municipalities, mut districts) = (0, 0);
    // The newest table last: its source id is the marker.
    for (name, parsed) in &tables {
        let summaries = store_years(store, parsed, name).await?;
        for s in summaries {
            municipalities = municipalities.max(s.municipalities);
            districts = districts.max(s.districts);
        }
    }
    Ok(NationalOutcome::Loaded { municipalities, districts, boundaries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leefwijk_domain::{AreaCode, AreaKind};

    #[test]
    fn the_bundle_parses_with_its_spot_values() {
        let tables = bundled_tables().expect("bundle");
        let find = |name: &str| tables.iter().find(|(n, _)| *n == name).map(|(_, p)| p).expect("table");
        let y2020 = &find("cbs_kwb_2020_gemeenten.csv")[0];
        assert_eq!((y2020.year, y2020.count(AreaKind::Gemeente)), (2020, 355));
        let ams = AreaCode::parse("GM0363").expect("valid");
        assert_eq!(y2020.figures[&ams].get("population"), Some(872_757.0));
        assert_eq!(y2020.source.attribution, "CBS, Kerncijfers wijken en buurten 2020 (Wijk- en Buurtkaart 2020)");
        let y2022 = &find("cbs_kwb_2022_gemeente_wijk_selectie.csv")[0];
        assert_eq!((y2022.count(AreaKind::Gemeente), y2022.count(AreaKind::Wijk)), (345, 3340));
        assert_eq!(y2022.figures[&ams].get("population"), Some(882_633.0));
        assert_eq!(y2022.figures[&ams].get("avg_woz"), Some(433.0));
        let burgwallen = AreaCode::parse("WK036300").expect("valid");
        assert_eq!(y2022.figures[&burgwallen].get("population"), Some(4_550.0));
        assert!(y2022.areas.iter().all(|a| !a.fictional));
    }
}
