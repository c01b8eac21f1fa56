//! Import of CBS "Kerncijfers wijken en buurten" (KWB), as CBS publishes it:
//!
//! * the open-data (StatLine/OData) CSV with coded column names such as `WijkenEnBuurten`,
//!   `Gemeentenaam_1`, `SoortRegio_2`, `Codering_3`, `AantalInwoners_5`. The numeric
//!   suffixes differ per year, so columns are matched by name stem.
//! * the PDOK "wijkenbuurten" GeoJSON, whose features carry attributes such as
//!   `aantalInwoners` and `percHuurwoningenInBezitWoningcorporaties`.
//!
//! Parsing is separate from storing: a file is read completely and checked before
//! anything is written, so a bad file changes nothing. Every error names the line and
//! column (CSV) or feature and attribute (GeoJSON).

use leefwijk_domain::indicators::{by_cbs_column, by_pdok_attribute, column_stem};
use leefwijk_domain::{Area, AreaCode, AreaKind, Figures, MissingMarker};
use std::collections::{BTreeMap, BTreeSet};

/// A complete, validated year of figures, ready to store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedYear {
    pub year: i32,
    pub areas: Vec<Area>,
    pub figures: BTreeMap<AreaCode, Figures>,
    /// Source columns we do not map to an indicator (reported, not an error).
    pub ignored_columns: Vec<String>,
}

impl ParsedYear {
    pub fn count(&self, kind: AreaKind) -> usize {
        self.areas.iter().filter(|a| a.kind == kind).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KwbError {
    #[error("line {line}, column {column} ({name}): {problem}")]
    Cell { line: u64, column: usize, name: String, problem: String },
    #[error("line {line}: {problem}")]
    Line { line: u64, problem: String },
    #[error("the header has no {0} column: is this the CBS Kerncijfers wijken en buurten table?")]
    MissingColumn(&'static str),
    #[error("feature {feature}, attribute {attribute}: {problem}")]
    Feature { feature: usize, attribute: String, problem: String },
    #[error("line {line}, column {column}: invalid GeoJSON: {problem}")]
    Json { line: usize, column: usize, problem: String },
    #[error("the year of the figures is unknown: pass --year (the file name '{0}' names none)")]
    UnknownYear(String),
    #[error("the file contains no areas")]
    Empty,
    #[error("the file is not UTF-8 text: {0}")]
    Encoding(String),
}

/// Known StatLine table ids of the KWB, by year.
const TABLE_YEARS: &[(&str, i32)] = &[
    ("85984NED", 2024),
    ("85618NED", 2023),
    ("85318NED", 2022),
    ("85039NED", 2021),
    ("84799NED", 2020),
    ("84583NED", 2019),
    ("84286NED", 2018),
    ("83765NED", 2017),
];

/// Infers the year from a file name: a known StatLine table id, or a year 2000–2099.
pub fn year_from_file_name(name: &str) -> Option<i32> {
    let upper = name.to_ascii_uppercase();
    if let Some((_, y)) = TABLE_YEARS.iter().find(|(id, _)| upper.contains(id)) {
        return Some(*y);
    }
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(3)).rev().find_map(|i| {
        let window = &bytes[i..i + 4];
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_digit();
        let after_ok = i + 4 >= bytes.len() || !bytes[i + 4].is_ascii_digit();
        (window.starts_with(b"20") && window.iter().all(u8::is_ascii_digit) && before_ok && after_ok)
            .then(|| std::str::from_utf8(window).ok()?.parse().ok())
            .flatten()
    })
}

/// A cell's value: a number, a marker that means "missing", or nil.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Value(f64),
    Missing(MissingMarker),
}

/// Reads a CBS cell. CBS symbols: "." unknown or unreliable, "x" secret, "-" nil (zero),
/// "?" / empty not available. Decimal comma is accepted where the file uses one.
fn parse_cbs_cell(raw: &str) -> Result<Cell, String> {
    let s = raw.trim();
    match s {
        "" | "." | "?" | ".." => return Ok(Cell::Missing(MissingMarker::Unknown)),
        "x" | "X" => return Ok(Cell::Missing(MissingMarker::Secret)),
        // CBS "-": nihil, a real zero (unlike "." and "x").
        "-" => return Ok(Cell::Value(0.0)),
        _ => {}
    }
    let normalised = if s.contains(',') && !s.contains('.') { s.replace(',', ".") } else { s.to_string() };
    match normalised.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Cell::Value(v)),
        _ => Err(format!("'{s}' is not a number nor a CBS symbol (., x, -)")),
    }
}

/// Reads the StatLine/OData CSV. `progress` is called with bytes read so far.
pub fn parse_cbs_csv(text: &str, year: i32, progress: &dyn Fn(u64)) -> Result<ParsedYear, KwbError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| KwbError::Line { line: 1, problem: e.to_string() })?.clone();
    let find = |stem: &str| headers.iter().position(|h| column_stem(h) == stem);
    let name_col = find("WijkenEnBuurten");
    let code_col = find("Codering").or(name_col).ok_or(KwbError::MissingColumn("Codering or WijkenEnBuurten"))?;
    let kind_col = find("SoortRegio");
    let municipality_name_col = find("Gemeentenaam");

    let mut mapped: Vec<(usize, &'static str)> = Vec::new();
    let mut ignored = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if [Some(code_col), name_col, kind_col, municipality_name_col].contains(&Some(i)) {
            continue;
        }
        match by_cbs_column(h) {
            Some(def) => mapped.push((i, def.key)),
            None if h.trim() == "ID" => {}
            None => ignored.push(h.trim().to_string()),
        }
    }

    let mut parsed = ParsedYear { year, ignored_columns: ignored, ..ParsedYear::default() };
    let mut seen = BTreeSet::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or_default();
            KwbError::Line { line, problem: e.to_string() }
        })?;
        if !more {
            break;
        }
        let pos = record.position().cloned().unwrap_or_else(csv::Position::new);
        let line = pos.line();
        if pos.line() % 1000 == 0 {
            progress(pos.byte());
        }
        let cell_error = |column: usize, problem: String| KwbError::Cell {
            line,
            column: column + 1,
            name: headers.get(column).unwrap_or_default().trim().to_string(),
            problem,
        };
        let raw_code = record.get(code_col).unwrap_or_default();
        let code = AreaCode::parse(raw_code).map_err(|e| cell_error(code_col, e.to_string()))?;
        if let Some(kc) = kind_col {
            let label = record.get(kc).unwrap_or_default();
            let kind = AreaKind::from_cbs_label(label).ok_or_else(|| {
                cell_error(kc, format!("'{}' is not a region kind (Land, Gemeente, Wijk, Buurt)", label.trim()))
            })?;
            if kind != code.kind() {
                return Err(cell_error(kc, format!("says {} but code {code} is a {}", label.trim(), code.kind())));
            }
        }
        if !seen.insert(code.clone()) {
            return Err(cell_error(code_col, format!("area {code} appears twice")));
        }
        let name = name_col
            .and_then(|c| record.get(c))
            .map(str::trim)
            .filter(|n| !n.is_empty() && AreaCode::parse(n).is_err())
            .or_else(|| {
                (code.kind() == AreaKind::Gemeente)
                    .then(|| municipality_name_col.and_then(|c| record.get(c)).map(str::trim))
                    .flatten()
            })
            .filter(|n| !n.is_empty())
            .unwrap_or(code.as_str())
            .to_string();
        let mut figures = Figures::default();
        for (col, key) in &mapped {
            match parse_cbs_cell(record.get(*col).unwrap_or_default()).map_err(|p| cell_error(*col, p))? {
                Cell::Value(v) => figures.set(key, v),
                Cell::Missing(m) => figures.mark_missing(key, m),
            }
        }
        parsed.figures.insert(code.clone(), figures);
        parsed.areas.push(Area::new(code, year, name));
    }
    progress(text.len() as u64);
    if parsed.areas.is_empty() {
        return Err(KwbError::Empty);
    }
    Ok(parsed)
}

/// Property names that hold each level's code and name, in PDOK's current and older
/// (shapefile-era) spelling.
const LEVELS: &[(AreaKind, &[&str], &[&str])] = &[
    (AreaKind::Buurt, &["buurtcode", "BU_CODE"], &["buurtnaam", "BU_NAAM"]),
    (AreaKind::Wijk, &["wijkcode", "WK_CODE"], &["wijknaam", "WK_NAAM"]),
    (AreaKind::Gemeente, &["gemeentecode", "GM_CODE"], &["gemeentenaam", "GM_NAAM"]),
];

/// The code and name of a PDOK feature: the most detailed level it carries a code for.
pub(crate) fn feature_identity(
    props: &serde_json::Map<String, serde_json::Value>,
    feature: usize,
) -> Result<(AreaCode, String), KwbError> {
    for (_, code_keys, name_keys) in LEVELS {
        let Some((key, raw)) = code_keys.iter().find_map(|k| props.get(*k).and_then(|v| v.as_str()).map(|s| (*k, s)))
        else {
            continue;
        };
        if raw.trim().is_empty() {
            continue;
        }
        let code = AreaCode::parse(raw).map_err(|e| KwbError::Feature {
            feature,
            attribute: key.to_string(),
            problem: e.to_string(),
        })?;
        let name = name_keys
            .iter()
            .find_map(|k| props.get(*k).and_then(|v| v.as_str()))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(code.as_str())
            .to_string();
        return Ok((code, name));
    }
    Err(KwbError::Feature {
        feature,
        attribute: "buurtcode/wijkcode/gemeentecode".into(),
        problem: "the feature has no area code".into(),
    })
}

pub(crate) fn json_error(e: &serde_json::Error) -> KwbError {
    KwbError::Json { line: e.line(), column: e.column(), problem: e.to_string() }
}

/// Properties of a GeoJSON feature.
pub(crate) type Properties = serde_json::Map<String, serde_json::Value>;

/// Parses a GeoJSON FeatureCollection and hands every feature (numbered from 1, with its
/// properties) to `visit`, reporting progress as it goes.
pub(crate) fn visit_features(
    text: &str,
    progress: &dyn Fn(u64),
    mut visit: impl FnMut(usize, &serde_json::Value, &Properties) -> Result<(), KwbError>,
) -> Result<(), KwbError> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let features = doc.get("features").and_then(|f| f.as_array()).ok_or(KwbError::Json {
        line: 1,
        column: 1,
        problem: "not a GeoJSON FeatureCollection".into(),
    })?;
    for (i, feature) in features.iter().enumerate() {
        let n = i + 1;
        if n % 500 == 0 {
            progress((text.len() as u64) * n as u64 / features.len().max(1) as u64);
        }
        let props = feature.get("properties").and_then(|p| p.as_object()).ok_or(KwbError::Feature {
            feature: n,
            attribute: "properties".into(),
            problem: "missing".into(),
        })?;
        visit(n, feature, props)?;
    }
    progress(text.len() as u64);
    Ok(())
}

/// Reads PDOK "wijkenbuurten" GeoJSON attributes. PDOK writes -99995 for a secret value
/// and other values from -99999999 to -99990 for unknown ones: both become missing.
pub fn parse_pdok_geojson(text: &str, year: i32, progress: &dyn Fn(u64)) -> Result<ParsedYear, KwbError> {
    let mut parsed = ParsedYear { year, ..ParsedYear::default() };
    let mut ignored = BTreeSet::new();
    visit_features(text, progress, |n, _, props| {
        let (code, name) = feature_identity(props, n)?;
        if parsed.figures.contains_key(&code) {
            return Err(KwbError::Feature {
                feature: n,
                attribute: "code".into(),
                problem: format!("area {code} appears twice"),
            });
        }
        let mut figures = Figures::default();
        for (key, value) in props {
            let Some(def) = by_pdok_attribute(key) else {
                ignored.insert(key.clone());
                continue;
            };
            match value {
                serde_json::Value::Null => figures.mark_missing(def.key, MissingMarker::Unknown),
                serde_json::Value::Number(num) => match num.as_f64() {
                    Some(-99995.0) => figures.mark_missing(def.key, MissingMarker::Secret),
                    Some(v) if (-99_999_999.0..=-99_990.0).contains(&v) => {
                        figures.mark_missing(def.key, MissingMarker::Unknown)
                    }
                    Some(v) => figures.set(def.key, v),
                    None => figures.mark_missing(def.key, MissingMarker::Unknown),
                },
                serde_json::Value::String(s) => match parse_cbs_cell(s) {
                    Ok(Cell::Value(v)) => figures.set(def.key, v),
                    Ok(Cell::Missing(m)) => figures.mark_missing(def.key, m),
                    Err(problem) => return Err(KwbError::Feature { feature: n, attribute: key.clone(), problem }),
                },
                other => {
                    return Err(KwbError::Feature {
                        feature: n,
                        attribute: key.clone(),
                        problem: format!("expected a number, found {other}"),
                    })
                }
            }
        }
        parsed.figures.insert(code.clone(), figures);
        parsed.areas.push(Area::new(code, year, name));
        Ok(())
    })?;
    // Identity attributes are not indicators; leave them out of the "ignored" report.
    for (_, codes, names) in LEVELS {
        for k in codes.iter().chain(names.iter()) {
            ignored.remove(*k);
        }
    }
    parsed.ignored_columns = ignored.into_iter().collect();
    if parsed.areas.is_empty() {
        return Err(KwbError::Empty);
    }
    Ok(parsed)
}

/// Parses either format, recognised by content.
pub fn parse_kwb(
    bytes: &[u8],
    file_name: &str,
    year: Option<i32>,
    progress: &dyn Fn(u64),
) -> Result<ParsedYear, KwbError> {
    let year =
        year.or_else(|| year_from_file_name(file_name)).ok_or_else(|| KwbError::UnknownYear(file_name.to_string()))?;
    let text = std::str::from_utf8(bytes).map_err(|e| KwbError::Encoding(e.to_string()))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        parse_pdok_geojson(text, year, progress)
    } else {
        parse_cbs_csv(text, year, progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "ID;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;IndelingswijzigingWijkenEnBuurten_4;AantalInwoners_5;k_65JaarOfOuder_12;InBezitWoningcorporatie_42;Woningvoorraad_35;HuishoudensMetEenLaagInkomen_86;OnbekendeKolom_99";

    fn csv(rows: &[&str]) -> String {
        let mut s = String::from(HEADER);
        for r in rows {
            s.push('\n');
            s.push_str(r);
        }
        s
    }

    fn no_progress(_: u64) {}

    #[test]
    fn reads_statline_csv_with_padding_and_markers() {
        let text = csv(&[
            r#"0;"Nederland                                ";"Nederland ";"Land      ";"NL00      ";"1";17942942;3600000;28.5;8100000;8.1;1"#,
            r#"1;"Voorbeeldstad";"Voorbeeldstad ";"Gemeente  ";"GM9901    ";"1";52000;9000;34.0;24000;10.2;1"#,
            r#"2;"Centrum";"Voorbeeldstad ";"Wijk      ";"WK990101  ";"1";12000;"       x";41,5;6000;".";1"#,
            r#"3;"Oude Haven";"Voorbeeldstad ";"Buurt     ";"BU99010101";"3";800;"-";"       .";400;x;1"#,
        ]);
        let parsed = parse_cbs_csv(&text, 2024, &no_progress).expect("valid file");
        assert_eq!(parsed.count(AreaKind::Land), 1);
        assert_eq!(parsed.count(AreaKind::Gemeente), 1);
        assert_eq!(parsed.count(AreaKind::Wijk), 1);
        assert_eq!(parsed.count(AreaKind::Buurt), 1);
        let wk = AreaCode::parse("WK990101").expect("valid");
        let f = &parsed.figures[&wk];
        assert_eq!(f.get("population"), Some(12000.0));
        assert_eq!(f.get("pct_corporation"), Some(41.5), "decimal comma in a ;-separated file");
        assert_eq!(f.get("age_65_plus"), None, "secret is missing, not zero");
        assert_eq!(f.missing["age_65_plus"], MissingMarker::Secret);
        assert_eq!(f.missing["pct_low_income_households"], MissingMarker::Unknown);
        let bu = &parsed.figures[&AreaCode::parse("BU99010101").expect("valid")];
        assert_eq!(bu.get("age_65_plus"), Some(0.0), "CBS '-' is nil");
        assert_eq!(bu.get("boundary_change"), Some(3.0));
        assert_eq!(parsed.areas[2].name, "Centrum");
        assert_eq!(parsed.areas[1].name, "Voorbeeldstad");
        assert_eq!(parsed.ignored_columns, vec!["OnbekendeKolom_99".to_string()]);
    }

    #[test]
    fn reads_comma_separated_csv_as_written_by_cbsodata() {
        let text = "WijkenEnBuurten,Gemeentenaam_1,SoortRegio_2,Codering_3,AantalInwoners_6\nGroningen,Groningen,Gemeente,GM0014,238000\nCentrum,Groningen,Wijk,WK001400,25000\n";
        let parsed = parse_cbs_csv(text, 2023, &no_progress).expect("valid");
        assert_eq!(parsed.areas.len(), 2);
        assert_eq!(parsed.figures[&AreaCode::parse("GM0014").expect("valid")].get("population"), Some(238000.0));
    }

    #[test]
    fn errors_name_line_and_column() {
        let text = csv(&[
            r#"1;"Voorbeeldstad";"Voorbeeldstad";"Gemeente";"GM9901";"1";52000;9000;34.0;24000;10.2;1"#,
            r#"2;"Centrum";"Voorbeeldstad";"Wijk";"WK990101";"1";twaalf;1;1;1;1;1"#,
        ]);
        let err = parse_cbs_csv(&text, 2024, &no_progress).expect_err("bad number");
        assert_eq!(
            err.to_string(),
            "line 3, column 7 (AantalInwoners_5): 'twaalf' is not a number nor a CBS symbol (., x, -)"
        );
        let text = csv(&[r#"1;"X";"X";"Wijk";"GM9901";"1";1;1;1;1;1;1"#]);
        let err = parse_cbs_csv(&text, 2024, &no_progress).expect_err("kind mismatch");
        assert!(err.to_string().starts_with("line 2, column 4 (SoortRegio_2): says Wijk"), "{err}");
        let text = csv(&[r#"1;"X";"X";"Gemeente";"GM99";"1";1;1;1;1;1;1"#]);
        let err = parse_cbs_csv(&text, 2024, &no_progress).expect_err("bad code");
        assert!(err.to_string().starts_with("line 2, column 5 (Codering_3)"), "{err}");
        let err = parse_cbs_csv("Foo;Bar\n1;2\n", 2024, &no_progress).expect_err("not kwb");
        assert!(matches!(err, KwbError::MissingColumn(_)));
        let text = csv(&[r#"1;"X";"X";"Gemeente";"GM9901";"1";1;1;1;1;1"#]);
        let err = parse_cbs_csv(&text, 2024, &no_progress).expect_err("short row");
        assert!(err.to_string().starts_with("line 2:"), "{err}");
    }

    #[test]
    fn duplicate_areas_are_rejected() {
        let row = r#"1;"X";"X";"Gemeente";"GM9901";"1";1;1;1;1;1;1"#;
        let err = parse_cbs_csv(&csv(&[row, row]), 2024, &no_progress).expect_err("duplicate");
        assert!(err.to_string().contains("appears twice"), "{err}");
    }

    #[test]
    fn reads_pdok_geojson_attributes() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":null,"properties":{"buurtcode":"BU99010101","buurtnaam":"Oude Haven","wijkcode":"WK990101","gemeentecode":"GM9901","gemeentenaam":"Voorbeeldstad","aantalInwoners":800,"percHuurwoningenInBezitWoningcorporaties":-99995,"percentagePersonen65JaarEnOuder":-99997,"water":"NEE"}},
            {"type":"Feature","geometry":null,"properties":{"gemeentecode":"GM9901","gemeentenaam":"Voorbeeldstad","aantalInwoners":52000,"percHuurwoningenInBezitWoningcorporaties":34}}
        ]}"#;
        let parsed = parse_pdok_geojson(text, 2024, &no_progress).expect("valid");
        let bu = &parsed.figures[&AreaCode::parse("BU99010101").expect("valid")];
        assert_eq!(bu.get("population"), Some(800.0));
        assert_eq!(bu.missing["pct_corporation"], MissingMarker::Secret);
        assert_eq!(bu.missing["pct_age_65_plus"], MissingMarker::Unknown);
        assert_eq!(parsed.areas[0].name, "Oude Haven");
        assert_eq!(parsed.count(AreaKind::Gemeente), 1);
        assert_eq!(parsed.ignored_columns, vec!["water".to_string()]);
    }

    #[test]
    fn pdok_errors_name_feature_and_attribute() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"gemeentecode":"GM9901","aantalInwoners":true}}]}"#;
        let err = parse_pdok_geojson(text, 2024, &no_progress).expect_err("bool");
        assert_eq!(err.to_string(), "feature 1, attribute aantalInwoners: expected a number, found true");
        let err = parse_pdok_geojson("{\n  \"features\": [,]}", 2024, &no_progress).expect_err("syntax");
        assert!(err.to_string().starts_with("line 2, column"), "{err}");
    }

    #[test]
    fn year_from_names() {
        assert_eq!(year_from_file_name("85984NED_TypedDataSet.csv"), Some(2024));
        assert_eq!(year_from_file_name("wijkenbuurten_2023_v1.geojson"), Some(2023));
        assert_eq!(year_from_file_name("kwb.csv"), None);
        assert_eq!(year_from_file_name("x12023.csv"), None);
        let err = parse_kwb(b"a", "kwb.csv", None, &no_progress).expect_err("no year");
        assert!(matches!(err, KwbError::UnknownYear(_)));
    }
}
