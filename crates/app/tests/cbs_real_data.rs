//! Imports the real CBS files from `../shared/data` (CC BY 4.0, never copied into this
//! repository) and checks them against an independent read of the same file.
//!
//! When the directory is absent the test says so loudly and passes, unless
//! `LEEFWIJK_REQUIRE_CBS_DATA=1` (which `.ci/run` sets whenever `../shared/data` exists),
//! in which case a missing or unreadable file fails it.

use leefwijk_app::areas::import_kwb::{parse_kwb, year_from_file_name};
use leefwijk_domain::indicators::{by_cbs_column, column_stem};
use leefwijk_domain::{AreaCode, AreaKind, MissingMarker};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    std::env::var_os("LEEFWIJK_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn required() -> bool {
    std::env::var("LEEFWIJK_REQUIRE_CBS_DATA").as_deref() == Ok("1")
}

/// KWB CSV files: a header with a `Codering` or `WijkenEnBuurten` column.
fn kwb_csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| p.extension().map(|e| e.eq_ignore_ascii_case("csv")).unwrap_or(false))
        .filter(|p| {
            std::fs::read_to_string(p)
                .ok()
                .and_then(|t| t.lines().next().map(|h| h.contains("Codering") || h.contains("WijkenEnBuurten")))
                .unwrap_or(false)
        })
        .collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Rows of a raw read: code → (kind label, raw cells).
type RawRows = BTreeMap<String, (String, Vec<String>)>;

/// An independent read: the header and the rows.
fn raw_read(path: &Path) -> (Vec<String>, RawRows) {
    let text = std::fs::read_to_string(path).expect("readable");
    let text = text.trim_start_matches('\u{feff}');
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().expect("header").iter().map(|h| h.trim().to_string()).collect();
    let code_col = headers
        .iter()
        .position(|h| column_stem(h) == "Codering")
        .or_else(|| headers.iter().position(|h| column_stem(h) == "WijkenEnBuurten"))
        .expect("code column");
    let kind_col = headers.iter().position(|h| column_stem(h) == "SoortRegio");
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.expect("record");
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        let kind = kind_col.map(|k| cells[k].clone()).unwrap_or_default();
        rows.insert(cells[code_col].trim().to_uppercase(), (kind, cells));
    }
    (headers, rows)
}

/// PDOK wijkenbuurten GeoJSON files: features with a buurt, wijk or gemeente code.
fn pdok_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| {
            p.extension().map(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json")).unwrap_or(false)
        })
        .filter(|p| {
            std::fs::read_to_string(p)
                .map(|t| t.contains("\"features\"") && (t.contains("buurtcode") || t.contains("gemeentecode")))
                .unwrap_or(false)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn real_pdok_files_import_every_feature() {
    for file in pdok_files(&data_dir()) {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = std::fs::read(&file).expect("readable");
        let year = year_from_file_name(&name).unwrap_or(2024);
        let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let features = doc["features"].as_array().map(Vec::len).unwrap_or_default();
        let parsed = parse_kwb(&bytes, &name, Some(year), &|_| {}).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.areas.len(), features, "{name}: one area per feature");
        let boundaries = leefwijk_app::areas::import_boundaries::parse_boundaries(
            std::str::from_utf8(&bytes).expect("utf8"),
            &|_| {},
        );
        if let Ok(b) = boundaries {
            assert!(b.points_after <= b.points_before, "{name}: simplification never adds points");
        }
    }
}

#[test]
fn real_cbs_kwb_files_import_completely_and_exactly() {
    let dir = data_dir();
    let files = kwb_csv_files(&dir);
    if files.is_empty() && !pdok_files(&dir).is_empty() {
        eprintln!("{}: only PDOK GeoJSON files; see real_pdok_files_import_every_feature", dir.display());
        return;
    }
    if files.is_empty() {
        let message = format!("no CBS KWB CSV found under {}", dir.display());
        if required() {
            panic!("{message}, but LEEFWIJK_REQUIRE_CBS_DATA=1");
        }
        eprintln!("SKIPPED (data absent): {message}. Set LEEFWIJK_REQUIRE_CBS_DATA=1 to make this fail.");
        return;
    }
    for file in files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = std::fs::read(&file).expect("readable");
        let year = year_from_file_name(&name).unwrap_or(2024);
        let parsed = parse_kwb(&bytes, &name, Some(year), &|_| {}).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (headers, raw) = raw_read(&file);

        // Every area in the file, and the counts per kind exactly as the file has them.
        assert_eq!(parsed.areas.len(), raw.len(), "{name}: every row is an area");
        for kind in [AreaKind::Gemeente, AreaKind::Wijk, AreaKind::Buurt] {
            let in_file = raw.values().filter(|(k, _)| AreaKind::from_cbs_label(k) == Some(kind)).count();
            assert_eq!(parsed.count(kind), in_file, "{name}: {kind} count");
            assert!(in_file > 0, "{name}: the file has {kind} rows");
        }

        // Known values for named areas, exactly as in the file.
        let population_col =
            headers.iter().position(|h| column_stem(h) == "AantalInwoners").expect("population column");
        let named = ["GM0363", "GM0599", "GM0518", "GM0344", "GM0014"];
        let mut checked = 0;
        for code in named {
            let Some((_, cells)) = raw.get(code) else { continue };
            let area = AreaCode::parse(code).expect("valid");
            let expected: f64 = cells[population_col].parse().expect("population of a municipality is published");
            assert_eq!(parsed.figures[&area].get("population"), Some(expected), "{name}: {code} population");
            checked += 1;
        }
        assert!(checked >= 2, "{name}: at least two of {named:?} are in the file");

        // The social-rent share (issue 6) of the named municipalities: the housing capability's
        // stock, rebuilt from the file's shares, gives the file's corporation share.
        let corporation_col = headers.iter().position(|h| column_stem(h) == "InBezitWoningcorporatie");
        if let Some(col) = corporation_col {
            let mut shares = 0;
            for code in named {
                let Some((_, cells)) = raw.get(code) else { continue };
                let Ok(expected) = cells[col].trim().parse::<f64>() else { continue };
                let area = AreaCode::parse(code).expect("valid");
                let f = &parsed.figures[&area];
                let (Some(total), Some(owner), Some(corp)) =
                    (f.get("housing_stock"), f.get("pct_owner_occupied"), f.get("pct_corporation"))
                else {
                    continue;
                };
                let stock = leefwijk_domain::housing::HousingStock::from_cbs_shares(
                    total as u64,
                    owner,
                    corp,
                    f.get("pct_other_landlords").unwrap_or(0.0),
                )
                .unwrap_or_else(|e| panic!("{name}: {code} shares: {e}"));
                let share = stock.social_share().expect("homes") * 100.0;
                // The published shares are rounded and may sum to 99 or 101; they are rescaled
                // to whole homes, so the share may differ from the file by under one point.
                assert!((share - expected).abs() < 1.0, "{name}: {code} social share {share} vs {expected}");
                shares += 1;
            }
            assert!(shares >= 2, "{name}: the social share of at least two named municipalities is checked");
        }

        // A secret marker is stored as missing, never as zero.
        let secret = raw.iter().find_map(|(code, (_, cells))| {
            cells.iter().enumerate().find_map(|(i, c)| {
                (c == "x" && by_cbs_column(&headers[i]).is_some())
                    .then(|| (code.clone(), by_cbs_column(&headers[i]).map(|d| d.key)))
            })
        });
        if let Some((code, Some(key))) = secret {
            let f = &parsed.figures[&AreaCode::parse(&code).expect("valid")];
            assert_eq!(f.get(key), None, "{name}: {code} {key} is secret");
            assert_eq!(f.missing.get(key), Some(&MissingMarker::Secret));
        }
    }
}
