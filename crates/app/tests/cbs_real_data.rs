//! Imports every real open-data file in `../shared/data` that Leefwijk claims to read (CBS
//! and Kadaster CC BY 4.0, RIVM open data; never copied into this repository except the
//! bundle in data/nl), stores it on every backend under test, and checks counts per kind
//! and year and the spot values the data folder's README publishes, exactly.
//!
//! When the directory is absent the tests say so loudly and pass, unless
//! `LEEFWIJK_REQUIRE_CBS_DATA=1` (which `.ci/run` sets whenever `../shared/data` exists),
//! in which case a missing or unreadable file fails them.

use leefwijk_app::areas::import_boundaries::parse_boundaries;
use leefwijk_app::areas::import_kwb::{parse_kwb, ParsedYear};
use leefwijk_app::areas::import_table::{parse_table, Mapping};
use leefwijk_app::areas::{store_boundaries, store_years};
use leefwijk_app::testing::{backend_urls, empty_app};
use leefwijk_domain::{AreaCode, AreaKind, MissingMarker};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    std::env::var_os("LEEFWIJK_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn mappings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nl/mappings")
}

fn required() -> bool {
    std::env::var("LEEFWIJK_REQUIRE_CBS_DATA").as_deref() == Ok("1")
}

/// The file's bytes, or `None` (with a loud note) when the data folder is absent.
fn read(name: &str) -> Option<Vec<u8>> {
    let path = data_dir().join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if required() => panic!("{}: {e}, but LEEFWIJK_REQUIRE_CBS_DATA=1", path.display()),
        Err(e) => {
            eprintln!(
                "SKIPPED (data absent): {}: {e}. Set LEEFWIJK_REQUIRE_CBS_DATA=1 to make this fail.",
                path.display()
            );
            None
        }
    }
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).expect("valid code")
}

fn year_of(parsed: &[ParsedYear], year: i32) -> &ParsedYear {
    parsed.iter().find(|p| p.year == year).unwrap_or_else(|| panic!("no {year} in the file"))
}

fn table(file: &str, mapping: &str) -> Option<Vec<ParsedYear>> {
    let bytes = read(file)?;
    let text = std::fs::read_to_string(mappings_dir().join(mapping)).expect("shipped mapping");
    let mapping = Mapping::parse(&text).unwrap_or_else(|e| panic!("{mapping}: {e}"));
    Some(parse_table(&bytes, &mapping).unwrap_or_else(|e| panic!("{file}: {e}")))
}

/// RIVM 50090NED: three periods in one file, NL01 as the land row, 18+ and 65+ files.
#[test]
fn rivm_health_tables_import_every_period_exactly() {
    let Some(bytes) = read("rivm_gezondheid_wijk_buurt_18plus_2012_2016_2020.csv") else { return };
    let parsed = parse_kwb(&bytes, "rivm_gezondheid_wijk_buurt_18plus_2012_2016_2020.csv", None, &|_| {})
        .unwrap_or_else(|e| panic!("RIVM 18+: {e}"));
    assert_eq!(parsed.iter().map(|p| p.year).collect::<Vec<_>>(), vec![2012, 2016, 2020]);
    for p in &parsed {
        let counts = [AreaKind::Land, AreaKind::Gemeente, AreaKind::Wijk, AreaKind::Buurt].map(|k| p.count(k));
        assert_eq!(counts, [1, 355, 3_177, 13_808], "{}: regions per kind", p.year);
        assert!(p.source.attribution.starts_with(&format!("RIVM, Gezondheid per wijk en buurt {}", p.year)));
        assert!(p.ignored_columns.is_empty(), "every RIVM column is an indicator: {:?}", p.ignored_columns);
    }
    let (y2012, y2016, y2020) = (year_of(&parsed, 2012), year_of(&parsed, 2016), year_of(&parsed, 2020));
    let nl = code("NL01");
    // The README's national series of money worries: 24.0 → 19.2 → 13.9.
    assert_eq!(y2012.figures[&nl].get("difficulty_making_ends_meet"), Some(24.0));
    assert_eq!(y2016.figures[&nl].get("difficulty_making_ends_meet"), Some(19.2));
    assert_eq!(y2020.figures[&nl].get("difficulty_making_ends_meet"), Some(13.9));
    // A named wijk (Burgwallen-Oude Zijde) and buurt, 2012 and 2020.
    let (wk, bu) = (code("WK036300"), code("BU03630000"));
    assert_eq!(y2012.figures[&wk].get("lonely"), Some(38.9));
    assert_eq!(y2020.figures[&wk].get("lonely"), Some(53.3));
    assert_eq!(y2012.figures[&bu].get("difficulty_making_ends_meet"), Some(31.8));
    assert_eq!(y2020.figures[&bu].get("health_good"), Some(84.4));
    // Not measured in 2012: missing, never zero.
    assert_eq!(y2012.figures[&wk].get("much_stress"), None);
    assert_eq!(y2012.figures[&wk].missing.get("much_stress"), Some(&MissingMarker::Unknown));
    // An empty cell (no estimate for a small buurt) is missing, never zero.
    let small = code("BU16800709");
    assert_eq!(y2020.figures[&small].get("lonely"), None);
    assert_eq!(y2020.figures[&small].missing.get("lonely"), Some(&MissingMarker::Unknown));

    let Some(bytes) = read("rivm_gezondheid_wijk_buurt_65plus_2012_2016_2020.csv") else { return };
    let old = parse_kwb(&bytes, "rivm_gezondheid_wijk_buurt_65plus_2012_2016_2020.csv", None, &|_| {})
        .unwrap_or_else(|e| panic!("RIVM 65+: {e}"));
    let o2020 = year_of(&old, 2020);
    assert_eq!(o2020.count(AreaKind::Buurt), 13_808);
    assert!(o2020.figures[&nl].get("lonely_65plus").is_some(), "65+ rows fill the 65+ indicators");
    assert_eq!(o2020.figures[&nl].get("lonely"), None, "and never the 18+ ones");
    assert_ne!(o2020.source.id, y2020.source.id, "the 65+ file never replaces the 18+ figures");
}

/// The label layouts, read by the shipped mapping files; the gebiedsindelingen boundaries.
#[test]
fn label_tables_and_boundaries_import_with_spot_values() {
    let Some(kwb2020) = table("cbs_kwb_2020_gemeenten.csv", "cbs_kwb_2020_gemeenten.toml") else { return };
    let y2020 = year_of(&kwb2020, 2020);
    assert_eq!(y2020.count(AreaKind::Gemeente), 355);
    assert_eq!(y2020.figures[&code("GM0363")].get("population"), Some(872_757.0));
    // 81 gemeenten had at least 30% of their homes owned by housing corporations in 2020.
    let at_30 = y2020.figures.values().filter(|f| f.get("pct_corporation").is_some_and(|v| v >= 30.0)).count();
    assert_eq!(at_30, 81);

    let Some(kwb2022) = table("cbs_kwb_2022_gemeente_wijk_selectie.csv", "cbs_kwb_2022_gemeente_wijk_selectie.toml")
    else {
        return;
    };
    let y2022 = year_of(&kwb2022, 2022);
    assert_eq!((y2022.count(AreaKind::Gemeente), y2022.count(AreaKind::Wijk)), (345, 3_340));
    let ams = &y2022.figures[&code("GM0363")];
    assert_eq!(ams.get("population"), Some(882_633.0));
    assert_eq!(ams.get("housing_stock"), Some(458_397.0));
    assert_eq!(ams.get("avg_woz"), Some(433.0));
    assert_eq!(y2022.figures[&code("WK036300")].get("population"), Some(4_550.0));
    assert_eq!(y2022.figures[&code("WK001400")].get("population"), Some(23_065.0));
    assert_eq!(y2022.figures[&code("WK059901")].get("population"), Some(38_710.0));
    let national: f64 = y2022
        .figures
        .iter()
        .filter(|(c, _)| c.kind() == AreaKind::Gemeente)
        .filter_map(|(_, f)| f.get("population"))
        .sum();
    assert_eq!(national, 17_590_672.0, "sum of gemeenten 2022");
    // A secret cell (CBS '.') is missing, never zero: 123 wijken have no WOZ value.
    let no_woz =
        y2022.figures.iter().filter(|(c, f)| c.kind() == AreaKind::Wijk && f.missing.contains_key("avg_woz")).count();
    assert_eq!(no_woz, 123);

    let Some(basis) = table("cbs_kwb_2023_gemeenten_basis.csv", "cbs_kwb_2023_gemeenten_basis.toml") else { return };
    assert_eq!(year_of(&basis, 2023).count(AreaKind::Gemeente), 342);
    let Some(names) = table("cbs_wijken_2023_codes.csv", "cbs_wijken_2023_codes.toml") else { return };
    let names = year_of(&names, 2023);
    assert_eq!(names.count(AreaKind::Wijk), 3_434);
    assert_eq!(names.areas.iter().find(|a| a.code == code("WK001400")).map(|a| a.name.as_str()), Some("Centrum"));
    // Amsterdam's lettered wijken (WK0363AA, …) are read and nest in GM0363.
    let lettered: Vec<&AreaCode> = names
        .figures
        .keys()
        .filter(|c| c.as_str().starts_with("WK0363") && c.as_str()[6..].bytes().any(|b| b.is_ascii_alphabetic()))
        .collect();
    assert!(lettered.len() > 5, "Amsterdam's 2023 wijk codes carry letters: {}", lettered.len());
    assert!(lettered.iter().all(|c| c.municipality() == Some(code("GM0363"))));
    assert!(lettered.contains(&&code("WK0363AA")));

    for (file, features, empty) in [
        ("cbs_gemeenten_2020.geojson", 355, 0),
        ("cbs_gemeenten_2022.geojson", 345, 0),
        ("cbs_gemeenten_2023.geojson", 342, 0),
        // Two water wijken (Wolderwijd, Markermeer) have an empty MultiPolygon in 2016.
        ("cbs_wijken_2016.geojson", 2_981, 2),
        ("cbs_wijken_2022.geojson", 3_340, 0),
    ] {
        let Some(bytes) = read(file) else { return };
        let text = String::from_utf8(bytes).expect("utf8");
        let parsed = parse_boundaries(&text, &|_| {}).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(parsed.shapes.len() + parsed.without_geometry.len(), features, "{file}: every feature read");
        assert_eq!(parsed.without_geometry.len(), empty, "{file}: {:?}", parsed.without_geometry);
        assert!(parsed.points_after <= parsed.points_before, "{file}: simplification never adds points");
    }
}

/// The codebook: every CBS indicator Leefwijk reads is in KWB 2024's DataProperties.
#[test]
fn the_statline_codebook_reads_and_names_the_columns() {
    let Some(bytes) = read("cbs_85984NED_DataProperties.json") else { return };
    let book = leefwijk_app::areas::codebook::Codebook::parse(&bytes).expect("DataProperties");
    assert_eq!(book, leefwijk_app::areas::codebook::Codebook::kwb_2024(), "the shipped copy is the published one");
    assert_eq!(
        book.entry("HuishOnderOfRondSociaalMinimum_90").map(|e| e.title.trim()),
        Some("Huish. onder of rond sociaal minimum")
    );
}

/// Everything stored on every backend; the monitor shows real figures with real sources
/// beside the fictional demo, and the pressure index scores real wijken.
#[tokio::test]
async fn the_real_netherlands_in_the_monitor_on_every_backend() {
    let Some(rivm) = read("rivm_gezondheid_wijk_buurt_18plus_2012_2016_2020.csv") else { return };
    let rivm = parse_kwb(&rivm, "rivm.csv", None, &|_| {}).expect("rivm");
    let Some(kwb2020) = table("cbs_kwb_2020_gemeenten.csv", "cbs_kwb_2020_gemeenten.toml") else { return };
    let Some(kwb2022) = table("cbs_kwb_2022_gemeente_wijk_selectie.csv", "cbs_kwb_2022_gemeente_wijk_selectie.toml")
    else {
        return;
    };
    let Some(wijken) = read("cbs_wijken_2022.geojson") else { return };
    let wijken = parse_boundaries(&String::from_utf8(wijken).expect("utf8"), &|_| {}).expect("wijken");
    for url in backend_urls() {
        let app = empty_app(&url).await;
        leefwijk_app::demo::load(&app.store).await.expect("demo beside the real data");
        store_years(&app.store, &rivm, "rivm.csv").await.expect("rivm stored");
        store_years(&app.store, &kwb2020, "kwb2020.csv").await.expect("kwb 2020 stored");
        store_years(&app.store, &kwb2022, "kwb2022.csv").await.expect("kwb 2022 stored");
        store_boundaries(&app.store, 2022, &wijken, "wijken2022").await.expect("boundaries stored");
        let m = &app.monitor;

        // Counts per kind and year, from the database.
        let view2020 = m.view(Some(2020)).await.expect("2020");
        let real = |kind: AreaKind| view2020.areas.values().filter(|a| a.kind == kind && !a.fictional).count();
        assert_eq!(
            [real(AreaKind::Gemeente), real(AreaKind::Wijk), real(AreaKind::Buurt)],
            [355, 3_177, 13_808],
            "{url}"
        );
        let view2012 = m.view(Some(2012)).await.expect("2012");
        assert_eq!(view2012.areas.len(), 1 + 355 + 3_177 + 13_808, "{url}: 2012 is RIVM only");

        // Amsterdam in 2022: CBS figures with their source, RIVM's 2020 estimate beside them.
        let ams = m.area(&code("GM0363"), Some(2022)).await.expect("Amsterdam");
        let get = |key: &str| ams.indicators.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("{key}"));
        assert_eq!(get("population").value, Some(882_633.0), "{url}");
        assert_eq!(get("population").source, "Bron: CBS, Kerncijfers wijken en buurten 2022 (StatLine 85318NED)");
        assert_eq!((get("population").year, get("lonely").year), (2022, 2020), "{url}: carried with its year");
        assert!(
            get("lonely").source.starts_with("Bron: RIVM, Gezondheid per wijk en buurt 2020"),
            "{}",
            get("lonely").source
        );
        assert_eq!(get("pct_corporation").year, 2020, "{url}: the 2020 corporation share fills 2022's gap");
        assert!(ams.source.contains("CBS") && ams.source.contains("RIVM") && !ams.source.contains("fictie"));
        assert_eq!(
            m.area(&code("GM0363"), Some(2020))
                .await
                .expect("2020")
                .indicators
                .iter()
                .find(|i| i.key == "population")
                .and_then(|i| i.value),
            Some(872_757.0)
        );
        let wk = m.area(&code("WK036300"), Some(2022)).await.expect("wijk");
        assert_eq!(wk.indicators.iter().find(|i| i.key == "population").and_then(|i| i.value), Some(4_550.0));

        // The pressure index on real figures: wijken scored nationally, drivers named, and a
        // national focus list of real wijken only; the demo is scored among itself.
        let view = m.view(Some(2022)).await.expect("2022");
        let scored = view
            .pressure
            .iter()
            .filter(|(c, s)| c.kind() == AreaKind::Wijk && s.score.is_some() && !view.is_fictional(c))
            .count();
        assert!(scored > 2_500, "{url}: {scored} real wijken scored");
        let burgwallen = &view.pressure[&code("WK036300")];
        assert!(burgwallen.drivers.iter().any(|d| d.indicator == "severely_lonely"), "{url}: RIVM drives the index");
        let (_, focus) = m.focus_areas(Some(2022)).await.expect("focus");
        assert_eq!(focus.len(), 200, "{url}");
        assert!(
            focus.iter().all(|(_, a, _)| !a.code.starts_with("WK99")),
            "{url}: no fictional wijk in the national focus list"
        );
        let ranking = m.ranking("population", AreaKind::Gemeente, None, Some(2022)).await.expect("ranking");
        assert_eq!(ranking.rows.len(), 345, "{url}: only real gemeenten nationally");
        assert_eq!(ranking.rows[0].code, "GM0363");
        assert!(ranking.source.starts_with("Bron: CBS"));
        // The fictional collaboration keeps its own ranking and never says "Bron: CBS".
        let demo = m.ranking("population", AreaKind::Wijk, Some(&code("GM9901")), Some(2022)).await.expect("demo");
        assert!(!demo.rows.is_empty() && !demo.source.contains("CBS"), "{url}: {}", demo.source);

        // The real wijk map of Utrecht from the 2022 boundaries.
        let map = m.map(&code("GM0344"), AreaKind::Wijk, "population", Some(2022), 600.0).await.expect("map");
        assert!(map.has_shapes, "{url}");
        assert_eq!(
            map.areas.len(),
            map.areas.iter().filter(|a| !a.path.is_empty()).count(),
            "every Utrecht wijk drawn"
        );
        assert!(map.areas.len() >= 10, "{url}: {} wijken", map.areas.len());

        let counts: BTreeMap<i32, usize> = [2012, 2016, 2020, 2022].into_iter().map(|y| (y, 0)).collect();
        let years = m.years().await.expect("years");
        assert!(counts.keys().all(|y| years.contains(y)), "{url}: {years:?}");
    }
}
