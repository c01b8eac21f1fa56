//! Import of StatLine tables per area as CBS and RIVM publish them, above all CBS
//! "Kerncijfers wijken en buurten" (KWB) and RIVM "Gezondheid per wijk en buurt" (50090NED):
//!
//! * the open-data (StatLine/OData) CSV with coded column names such as `WijkenEnBuurten`,
//!   `Gemeentenaam_1`, `SoortRegio_2`, `Codering_3`, `AantalInwoners_5`. The numeric
//!   suffixes differ per year, so columns are matched by name stem. Dimensions are read:
//!   `Perioden` (`2012JJ00`: one file holds several years, each period becomes its year),
//!   `Leeftijd` (RIVM's 18+ and 65+ groups become separate indicators) and `Marges` (only
//!   the point estimate `MW00000` is kept; confidence bounds are counted and skipped).
//! * the PDOK "wijkenbuurten" GeoJSON, whose features carry attributes such as
//!   `aantalInwoners` and `percHuurwoningenInBezitWoningcorporaties`.
//!
//! Parsing is separate from storing: a file is read completely and checked before
//! anything is written, so a bad file changes nothing. Every error names the line and
//! column (CSV) or feature and attribute (GeoJSON).

use super::codebook::{Codebook, CodebookEntry};
use leefwijk_domain::indicators::{
    by_cbs_column_for, by_pdok_attribute, column_stem, registered_for_column, AgeGroup, CodebookIndicator,
    CODEBOOK_SOURCE, RIVM,
};
use leefwijk_domain::{Area, AreaCode, AreaKind, DataSource, Figures, MissingMarker};
use std::collections::{BTreeMap, BTreeSet};

/// A complete, validated year of figures, ready to store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedYear {
    pub year: i32,
    pub areas: Vec<Area>,
    pub figures: BTreeMap<AreaCode, Figures>,
    /// Source columns we do not map to an indicator (reported, not an error).
    pub ignored_columns: Vec<String>,
    /// Who published these figures.
    pub source: DataSource,
    /// Rows left out on purpose (confidence bounds of a `Marges` dimension).
    pub skipped_rows: usize,
    /// Columns Leefwijk had no indicator for, named from the table's StatLine codebook and
    /// imported as indicators of their own.
    pub new_indicators: Vec<CodebookIndicator>,
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

/// Reads a StatLine `Perioden` code: `2012JJ00` (a whole year) → 2012. Quarters and
/// months (`2012KW01`, `2012MM01`) are not figures per area and year.
pub fn year_of_period(raw: &str) -> Result<i32, String> {
    let p = raw.trim();
    let year = p.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit())).and_then(|y| y.parse::<i32>().ok());
    match (year, p.get(4..)) {
        (Some(y), Some("JJ00")) if (1900..=2100).contains(&y) => Ok(y),
        (Some(_), Some(rest)) if rest.starts_with("KW") || rest.starts_with("MM") || rest.starts_with("X") => {
            Err(format!("period '{p}' is not a whole year (…JJ00): Leefwijk keeps yearly figures per area"))
        }
        _ => Err(format!("'{p}' is not a StatLine period such as 2020JJ00")),
    }
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

/// Reads the StatLine/OData CSV: one [`ParsedYear`] per period in the file (one, dated
/// `year`, when it has no `Perioden` column), oldest first. `progress` is called with
/// bytes read so far.
pub fn parse_cbs_csv(text: &str, year: i32, progress: &dyn Fn(u64)) -> Result<Vec<ParsedYear>, KwbError> {
    parse_cbs_csv_with(text, year, None, progress)
}

/// As [`parse_cbs_csv`]; a column Leefwijk has no indicator for becomes an indicator of its
/// own when `codebook` names it as a figure (a topic with a unit Leefwijk can show), and is
/// reported as ignored otherwise.
pub fn parse_cbs_csv_with(
    text: &str,
    year: i32,
    codebook: Option<&Codebook>,
    progress: &dyn Fn(u64),
) -> Result<Vec<ParsedYear>, KwbError> {
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
    let period_col = find("Perioden");
    let age_col = find("Leeftijd");
    let margin_col = find("Marges");
    let dimensions = [Some(code_col), name_col, kind_col, municipality_name_col, period_col, age_col, margin_col];

    // Columns per age group: RIVM's 18+ and 65+ rows fill different indicators.
    let mapping = |age: AgeGroup| -> Vec<(usize, String, &'static str)> {
        headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !dimensions.contains(&Some(*i)))
            .filter_map(|(i, h)| by_cbs_column_for(h, age).filter(|d| d.source != CODEBOOK_SOURCE).map(|d| (i, d)))
            .map(|(i, d)| (i, d.key.to_string(), d.source))
            .collect()
    };
    let mut mapped_all = mapping(AgeGroup::All);
    let mapped_65 = mapping(AgeGroup::Seniors65);
    // Columns no catalogue indicator knows, named from the codebook (or as an earlier import
    // in this process named them). They travel with the figures so the definition is stored
    // in the same transaction, whichever database this is.
    let mut new_indicators = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        // Every column a catalogue indicator has, for either age group, is mapped above.
        let known = mapped_all.iter().chain(&mapped_65).any(|(c, _, _)| *c == i);
        if dimensions.contains(&Some(i)) || known || h.trim() == "ID" {
            continue;
        }
        let named = codebook
            .and_then(|book| book.entry(h))
            .and_then(CodebookEntry::indicator)
            .or_else(|| registered_for_column(h));
        if let Some(new) = named {
            mapped_all.push((i, new.key.clone(), CODEBOOK_SOURCE));
            new_indicators.push(new);
        }
    }
    let ignored: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            !dimensions.contains(&Some(*i))
                && h.trim() != "ID"
                && !mapped_all.iter().chain(&mapped_65).any(|(c, _, _)| c == i)
        })
        .map(|(_, h)| h.trim().to_string())
        .collect();
    let is_rivm = mapped_all.iter().chain(&mapped_65).any(|(_, _, source)| *source == RIVM);

    let mut years: BTreeMap<i32, ParsedYear> = BTreeMap::new();
    let mut ages_seen = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut skipped_rows = 0;
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
        if let Some(mc) = margin_col {
            let margin = record.get(mc).unwrap_or_default().trim();
            match margin {
                "MW00000" | "" => {}
                // Lower and upper bounds of the estimate: not a value of their own.
                m if m.starts_with("MOG") || m.starts_with("MBG") || m.starts_with("CI") => {
                    skipped_rows += 1;
                    continue;
                }
                other => {
                    return Err(cell_error(mc, format!("'{other}' is not a StatLine margin (MW00000 is the value)")))
                }
            }
        }
        let row_year = match period_col {
            Some(pc) => year_of_period(record.get(pc).unwrap_or_default()).map_err(|p| cell_error(pc, p))?,
            None => year,
        };
        let age = match age_col {
            Some(ac) => {
                let raw = record.get(ac).unwrap_or_default();
                AgeGroup::from_statline(raw).ok_or_else(|| {
                    cell_error(
                        ac,
                        format!("age group '{}' is not read: Leefwijk reads 18+ (20300) and 65+ (80200)", raw.trim()),
                    )
                })?
            }
            None => AgeGroup::All,
        };
        ages_seen.insert(age == AgeGroup::Seniors65);
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
        if !seen.insert((row_year, age == AgeGroup::Seniors65, code.clone())) {
            let period = if period_col.is_some() { format!(" in {row_year}") } else { String::new() };
            return Err(cell_error(code_col, format!("area {code} appears twice{period}")));
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
        let parsed = years.entry(row_year).or_insert_with(|| ParsedYear {
            year: row_year,
            ignored_columns: ignored.clone(),
            new_indicators: new_indicators.clone(),
            source: if is_rivm { DataSource::rivm_health(row_year) } else { DataSource::cbs_kwb(row_year) },
            ..ParsedYear::default()
        });
        let figures = match parsed.figures.get_mut(&code) {
            Some(f) => f,
            None => {
                parsed.areas.push(Area::new(code.clone(), row_year, name));
                parsed.figures.entry(code.clone()).or_default()
            }
        };
        let mapped = if age == AgeGroup::Seniors65 { &mapped_65 } else { &mapped_all };
        for (col, key, _) in mapped {
            match parse_cbs_cell(record.get(*col).unwrap_or_default()).map_err(|p| cell_error(*col, p))? {
                Cell::Value(v) => figures.set(key, v),
                Cell::Missing(m) => figures.mark_missing(key, m),
            }
        }
    }
    progress(text.len() as u64);
    if years.is_empty() {
        return Err(KwbError::Empty);
    }
    // RIVM publishes its 18+ and 65+ estimates as separate downloads of one table: each
    // file is its own source, so importing one never removes the other's figures.
    let part = match (age_col.is_some(), ages_seen.contains(&false), ages_seen.contains(&true)) {
        (true, true, false) => "-18plus",
        (true, false, true) => "-65plus",
        _ => "",
    };
    Ok(years
        .into_values()
        .map(|mut y| {
            y.skipped_rows = skipped_rows;
            y.source.id.push_str(part);
            y
        })
        .collect())
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
    // The CBS gebiedsindelingen (PDOK) name every level alike: `statcode` (`GM0363`,
    // `WK0363AA`), `statnaam`, and sometimes only `jrstatcode` (`2022WK0363AA`).
    let text = |k: &str| props.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty());
    let stat = text("statcode").map(|c| ("statcode", c.to_string())).or_else(|| {
        text("jrstatcode").map(|c| ("jrstatcode", c.get(4..).filter(|_| c.len() > 4).unwrap_or(c).to_string()))
    });
    if let Some((key, raw)) = stat {
        let code = AreaCode::parse(&raw).map_err(|e| KwbError::Feature {
            feature,
            attribute: key.to_string(),
            problem: e.to_string(),
        })?;
        let name = text("statnaam").unwrap_or(code.as_str()).to_string();
        return Ok((code, name));
    }
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
        attribute: "statcode/buurtcode/wijkcode/gemeentecode".into(),
        problem: "the feature has no area code (statcode, jrstatcode, buurtcode, wijkcode or gemeentecode)".into(),
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
    let mut parsed = ParsedYear { year, source: DataSource::cbs_kwb(year), ..ParsedYear::default() };
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
    for k in ["statcode", "statnaam", "jrstatcode", "jaar", "gm_code", "gm_naam", "id", "rubriek"] {
        ignored.remove(k);
    }
    parsed.ignored_columns = ignored.into_iter().collect();
    if parsed.areas.is_empty() {
        return Err(KwbError::Empty);
    }
    Ok(parsed)
}

/// Parses either format, recognised by content: one [`ParsedYear`] per year in the file.
/// A StatLine table with a `Perioden` column dates itself; otherwise the year comes from
/// `year` or the file name.
pub fn parse_kwb(
    bytes: &[u8],
    file_name: &str,
    year: Option<i32>,
    progress: &dyn Fn(u64),
) -> Result<Vec<ParsedYear>, KwbError> {
    parse_kwb_with(bytes, file_name, year, None, progress)
}

/// As [`parse_kwb`], naming columns Leefwijk has no indicator for from a StatLine codebook
/// (see [`parse_cbs_csv_with`]).
pub fn parse_kwb_with(
    bytes: &[u8],
    file_name: &str,
    year: Option<i32>,
    codebook: Option<&Codebook>,
    progress: &dyn Fn(u64),
) -> Result<Vec<ParsedYear>, KwbError> {
    let text = std::str::from_utf8(bytes).map_err(|e| KwbError::Encoding(e.to_string()))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let has_periods = !trimmed.starts_with('{')
        && trimmed
            .lines()
            .next()
            .map(|h| h.split([',', ';']).any(|c| column_stem(c.trim_matches('"')) == "Perioden"))
            .unwrap_or(false);
    let year = match year.or_else(|| year_from_file_name(file_name)) {
        Some(y) => y,
        // Every row names its own period; the fallback is never used.
        None if has_periods => 0,
        None => return Err(KwbError::UnknownYear(file_name.to_string())),
    };
    if trimmed.starts_with('{') {
        parse_pdok_geojson(text, year, progress).map(|y| vec![y])
    } else {
        parse_cbs_csv_with(text, year, codebook, progress)
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
        let parsed = parse_cbs_csv(&text, 2024, &no_progress).expect("valid file").remove(0);
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
        let parsed = parse_cbs_csv(text, 2023, &no_progress).expect("valid").remove(0);
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

    const RIVM_HEADER: &str = "Leeftijd,Marges,WijkenEnBuurten,Perioden,Gemeentenaam_1,SoortRegio_2,Codering_3,Eenzaam_28,MoeiteMetRondkomen_38,NieuweKolom_40";

    #[test]
    fn reads_a_statline_table_with_periods_ages_and_margins() {
        let text = [
            RIVM_HEADER,
            "20300,MW00000,NL01,2012JJ00,Nederland,Land,NL01,39.6,24.0,1",
            "20300,MW00000,NL01,2020JJ00,Nederland,Land,NL01,47.0,13.9,1",
            "20300,MW00000,WK0363AA,2020JJ00,Amsterdam,Wijk,WK0363AA,50.1,,1",
            "80200,MW00000,WK0363AA,2020JJ00,Amsterdam,Wijk,WK0363AA,55.0,9.5,1",
            "20300,MOG0095,WK0363AA,2020JJ00,Amsterdam,Wijk,WK0363AA,45.0,8.0,1",
            "20300,MW00000,BU0363AA01,2020JJ00,Amsterdam,Buurt,BU0363AA01,,,1",
        ]
        .join("\n");
        let years = parse_kwb(text.as_bytes(), "rivm_gezondheid.csv", None, &no_progress).expect("valid");
        assert_eq!(years.iter().map(|y| y.year).collect::<Vec<_>>(), vec![2012, 2020], "each period its year");
        let (y2012, y2020) = (&years[0], &years[1]);
        let nl = AreaCode::parse("NL00").expect("valid");
        assert_eq!(y2012.figures[&nl].get("difficulty_making_ends_meet"), Some(24.0), "NL01 is the country");
        assert_eq!(y2020.figures[&nl].get("lonely"), Some(47.0));
        let wk = AreaCode::parse("WK0363AA").expect("lettered wijk");
        assert_eq!(y2020.figures[&wk].get("lonely"), Some(50.1), "the margin row did not overwrite the value");
        assert_eq!(y2020.figures[&wk].get("lonely_65plus"), Some(55.0), "65+ is its own indicator");
        assert_eq!(y2020.figures[&wk].missing["difficulty_making_ends_meet"], MissingMarker::Unknown);
        assert_eq!(y2020.figures[&wk].get("difficulty_making_ends_meet_65plus"), Some(9.5));
        assert_eq!(y2020.count(AreaKind::Wijk), 1, "an area once per year, whatever its age rows");
        assert_eq!(y2020.count(AreaKind::Buurt), 1);
        assert_eq!(y2020.skipped_rows, 1);
        assert_eq!(y2020.ignored_columns, vec!["NieuweKolom_40".to_string()], "unknown columns are reported");
        assert!(y2020.source.attribution.starts_with("RIVM, Gezondheid per wijk en buurt 2020"));
        assert_eq!(y2020.areas.iter().find(|a| a.code == wk).map(|a| a.name.as_str()), Some("WK0363AA"));

        // The same area twice in one period and age group is an error that names the cell.
        let dup = [
            RIVM_HEADER,
            "20300,MW00000,GM0363,2020JJ00,A,Gemeente,GM0363,1,1,1",
            "20300,MW00000,GM0363,2020JJ00,A,Gemeente,GM0363,1,1,1",
        ]
        .join("\n");
        let err = parse_kwb(dup.as_bytes(), "x.csv", None, &no_progress).expect_err("duplicate");
        assert_eq!(err.to_string(), "line 3, column 7 (Codering_3): area GM0363 appears twice in 2020");
        let bad = [RIVM_HEADER, "20300,MW00000,GM0363,2020KW01,A,Gemeente,GM0363,1,1,1"].join("\n");
        let err = parse_kwb(bad.as_bytes(), "x.csv", None, &no_progress).expect_err("quarter");
        assert!(
            err.to_string().starts_with("line 2, column 4 (Perioden): period '2020KW01' is not a whole year"),
            "{err}"
        );
        let bad = [RIVM_HEADER, "53105,MW00000,GM0363,2020JJ00,A,Gemeente,GM0363,1,1,1"].join("\n");
        let err = parse_kwb(bad.as_bytes(), "x.csv", None, &no_progress).expect_err("age");
        assert!(err.to_string().starts_with("line 2, column 1 (Leeftijd): age group '53105'"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn every_yearly_period_reads_as_its_year(year in 1900i32..=2100) {
            proptest::prop_assert_eq!(year_of_period(&format!("{year}JJ00")), Ok(year));
            let quarter = format!("{}KW01", year);
            proptest::prop_assert!(year_of_period(&quarter).is_err());
        }

        #[test]
        fn period_parsing_never_panics(s in "\\PC*") {
            let _ = year_of_period(&s);
        }
    }

    #[test]
    fn periods_read_as_years() {
        assert_eq!(year_of_period("2012JJ00"), Ok(2012));
        assert_eq!(year_of_period(" 2020JJ00 "), Ok(2020));
        assert!(year_of_period("2020MM01").is_err());
        assert!(year_of_period("20JJ").is_err());
        assert!(year_of_period("abcdJJ00").is_err());
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
