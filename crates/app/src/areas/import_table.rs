//! Import of any table of figures per area by a mapping file (`leefwijk import table FILE
//! --mapping MAP.toml`). Municipal research departments and other publishers lay out their
//! wijk figures their own way; the mapping names the code column, how the year is found
//! and, per column, the indicator it fills, its unit, and its source and licence line.
//!
//! Like the StatLine importer it is all or nothing: every row is checked before anything
//! is stored, and every error names the line and the column (or the mapping's entry).

use super::import_kwb::{year_of_period, ParsedYear};
use leefwijk_domain::indicators::{indicator, Unit};
use leefwijk_domain::{Area, AreaCode, AreaKind, DataSource, Figures, MissingMarker};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// A mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub table: TableSpec,
    /// The source of every column, unless a column names its own.
    pub source: SourceSpec,
    #[serde(rename = "column", default)]
    pub columns: Vec<ColumnSpec>,
    /// Columns known and left out on purpose (not reported as unmapped).
    #[serde(default)]
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// The column with the CBS area code (`GM0363`, `WK0363AA`, `BU03630000`).
    pub code_column: String,
    /// The column with the area's name, if any.
    pub name_column: Option<String>,
    /// A column with the level ("Gemeente", "Wijk", "Buurt"), checked against the code.
    pub kind_column: Option<String>,
    /// The year of every row, or…
    pub year: Option<i32>,
    /// …a column with the year (`2022`), or…
    pub year_column: Option<String>,
    /// …a column with a StatLine period (`2022JJ00`).
    pub period_column: Option<String>,
    /// Field separator; guessed from the header (`;` or `,`) when absent.
    pub delimiter: Option<char>,
    /// Numbers written with a decimal comma (`12,5`).
    #[serde(default)]
    pub decimal_comma: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Stable identifier; re-importing the same source replaces its figures of that year.
    pub id: String,
    /// The attribution line, without "Bron: ", naming publisher, table and year.
    pub attribution: String,
    pub licence: String,
    /// Made-up figures (a demo or a test).
    #[serde(default)]
    pub fictional: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// The column's header, exactly as in the file.
    pub name: String,
    /// The indicator key it fills (see `/indicatoren` or `GET /api/v1/indicators`).
    pub indicator: String,
    /// The unit the column is in; must match the indicator's unit after `scale`.
    pub unit: Option<String>,
    /// Multiplier applied to every value (e.g. 100 for km² → ha).
    pub scale: Option<f64>,
    /// A source of its own, when the column comes from another publisher than the table.
    pub source: Option<SourceSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("mapping file: {0}")]
    Mapping(String),
    #[error("line {line}, column {column} ({name}): {problem}")]
    Cell { line: u64, column: usize, name: String, problem: String },
    #[error("line {line}: {problem}")]
    Line { line: u64, problem: String },
    #[error("the file is not UTF-8 text: {0}")]
    Encoding(String),
    #[error("the file contains no areas")]
    Empty,
}

/// The unit names a mapping may use.
fn unit_of(name: &str) -> Option<Unit> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "count" | "aantal" => Unit::Count,
        "percent" | "%" | "procent" => Unit::Percent,
        "per_thousand" | "‰" | "promille" => Unit::PerThousand,
        "km" => Unit::Km,
        "thousand_euro" | "x1000 euro" | "× € 1.000" => Unit::ThousandEuro,
        "persons" | "personen" => Unit::Persons,
        "per_km2" | "/km²" => Unit::PerKm2,
        "hectare" | "ha" => Unit::Hectare,
        "score" => Unit::Score,
        "code" | "class" | "klasse" => Unit::Code,
        _ => return None,
    })
}

impl SourceSpec {
    fn to_source(&self) -> DataSource {
        DataSource {
            id: self.id.trim().to_string(),
            attribution: self.attribution.trim().to_string(),
            licence: self.licence.trim().to_string(),
            fictional: self.fictional,
        }
    }

    fn check(&self, at: &str) -> Result<(), TableError> {
        let bad = |what: &str| Err(TableError::Mapping(format!("{at}: {what}")));
        if self.id.trim().is_empty() || !self.id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return bad("source id must be letters, digits, '-', '_' or '.', such as 'cbs-kwb-2022'");
        }
        if self.attribution.trim().is_empty() {
            return bad("the source needs an attribution line, such as 'CBS, Kerncijfers wijken en buurten 2022'");
        }
        if self.licence.trim().is_empty() {
            return bad("the source needs a licence, such as 'CC BY 4.0'");
        }
        if !self.fictional && self.attribution.to_ascii_lowercase().contains("fictie") {
            return bad("an attribution that calls the figures fictional needs `fictional = true`");
        }
        Ok(())
    }
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn parse(text: &str) -> Result<Mapping, TableError> {
        let mapping: Mapping = toml::from_str(text).map_err(|e| TableError::Mapping(e.to_string()))?;
        let t = &mapping.table;
        let year_ways = [t.year.is_some(), t.year_column.is_some(), t.period_column.is_some()];
        if year_ways.iter().filter(|w| **w).count() != 1 {
            return Err(TableError::Mapping(
                "[table] needs exactly one of `year`, `year_column` or `period_column`".into(),
            ));
        }
        mapping.source.check("[source]")?;
        let mut seen = BTreeSet::new();
        for (i, c) in mapping.columns.iter().enumerate() {
            let at = format!("[[column]] {} ('{}')", i + 1, c.name);
            if !seen.insert(c.name.as_str()) {
                return Err(TableError::Mapping(format!("{at}: the column is mapped twice")));
            }
            let def = indicator(&c.indicator).ok_or_else(|| {
                TableError::Mapping(format!(
                    "{at}: unknown indicator '{}'; see /indicatoren or GET /api/v1/indicators for the keys",
                    c.indicator
                ))
            })?;
            if def.origin == leefwijk_domain::indicators::Origin::Derived {
                return Err(TableError::Mapping(format!(
                    "{at}: '{}' is computed by Leefwijk from other figures; map the figures it is computed from",
                    c.indicator
                )));
            }
            if let Some(u) = &c.unit {
                let unit = unit_of(u).ok_or_else(|| {
                    TableError::Mapping(format!(
                        "{at}: unknown unit '{u}' (count, percent, per_thousand, km, thousand_euro, persons, per_km2, hectare, score, code)"
                    ))
                })?;
                if unit != def.unit {
                    return Err(TableError::Mapping(format!(
                        "{at}: the column is in {u}, but '{}' is in {:?}; convert with `scale` and state the indicator's unit",
                        c.indicator, def.unit
                    )));
                }
            }
            if let Some(scale) = c.scale {
                if !scale.is_finite() || scale == 0.0 {
                    return Err(TableError::Mapping(format!("{at}: scale must be a number other than 0")));
                }
            }
            if let Some(s) = &c.source {
                s.check(&at)?;
            }
        }
        Ok(mapping)
    }
}

/// Reads a value cell: empty and the CBS symbols `.`, `x`, `?` are missing, `-` is zero.
fn cell_value(raw: &str, decimal_comma: bool) -> Result<Result<f64, MissingMarker>, String> {
    let s = raw.trim();
    match s {
        "" | "." | "?" | ".." | "NA" | "n.v.t." => return Ok(Err(MissingMarker::Unknown)),
        "x" | "X" | "geheim" => return Ok(Err(MissingMarker::Secret)),
        "-" => return Ok(Ok(0.0)),
        _ => {}
    }
    let normalised = if decimal_comma { s.replace('.', "").replace(',', ".") } else { s.to_string() };
    match normalised.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Ok(v)),
        _ => {
            let shown: String = s.chars().take(40).collect();
            Err(format!("'{shown}' is not a number nor a missing-value symbol (empty, ., x, -)"))
        }
    }
}

/// Parses a table by its mapping: one [`ParsedYear`] per year and source, oldest first.
pub fn parse_table(bytes: &[u8], mapping: &Mapping) -> Result<Vec<ParsedYear>, TableError> {
    let text = std::str::from_utf8(bytes).map_err(|e| TableError::Encoding(e.to_string()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let t = &mapping.table;
    let delimiter = match t.delimiter {
        Some(d) if d.is_ascii() => d as u8,
        Some(d) => return Err(TableError::Mapping(format!("delimiter '{d}' is not a single ASCII character"))),
        None => {
            let header = text.lines().next().unwrap_or_default();
            if header.matches(';').count() > header.matches(',').count() {
                b';'
            } else {
                b','
            }
        }
    };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| TableError::Line { line: 1, problem: e.to_string() })?.clone();
    let column = |name: &str, role: &str| {
        headers.iter().position(|h| h.trim() == name.trim()).ok_or_else(|| {
            TableError::Mapping(format!("the {role} column '{name}' is not in the file's header (line 1)"))
        })
    };
    let code_col = column(&t.code_column, "code")?;
    let name_col = t.name_column.as_deref().map(|n| column(n, "name")).transpose()?;
    let kind_col = t.kind_column.as_deref().map(|n| column(n, "kind")).transpose()?;
    let year_col = t.year_column.as_deref().map(|n| column(n, "year")).transpose()?;
    let period_col = t.period_column.as_deref().map(|n| column(n, "period")).transpose()?;
    let table_source = mapping.source.to_source();
    let mapped: Vec<(usize, &'static str, f64, DataSource)> = mapping
        .columns
        .iter()
        .map(|c| {
            let def = indicator(&c.indicator)
                .ok_or_else(|| TableError::Mapping(format!("unknown indicator '{}'", c.indicator)))?;
            let source = c.source.as_ref().map(SourceSpec::to_source).unwrap_or_else(|| table_source.clone());
            Ok((column(&c.name, "value")?, def.key, c.scale.unwrap_or(1.0), source))
        })
        .collect::<Result<_, TableError>>()?;
    let used: BTreeSet<usize> = [Some(code_col), name_col, kind_col, year_col, period_col]
        .into_iter()
        .flatten()
        .chain(mapped.iter().map(|(c, ..)| *c))
        .collect();
    let ignored: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !used.contains(i) && !mapping.ignore.iter().any(|n| n.trim() == h.trim()))
        .map(|(_, h)| h.trim().to_string())
        .collect();

    // (year, source id) → parsed; areas once per (year, source).
    let mut out: BTreeMap<(i32, String), ParsedYear> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| TableError::Line {
            line: e.position().map(|p| p.line()).unwrap_or_default(),
            problem: e.to_string(),
        })?;
        if !more {
            break;
        }
        let line = record.position().map(|p| p.line()).unwrap_or_default();
        let cell_error = |column: usize, problem: String| TableError::Cell {
            line,
            column: column + 1,
            name: headers.get(column).unwrap_or_default().trim().to_string(),
            problem,
        };
        let code = AreaCode::parse(record.get(code_col).unwrap_or_default())
            .map_err(|e| cell_error(code_col, e.to_string()))?;
        if let Some(kc) = kind_col {
            let label = record.get(kc).unwrap_or_default();
            let kind = AreaKind::from_cbs_label(label).ok_or_else(|| {
                cell_error(kc, format!("'{}' is not a level (Land, Gemeente, Wijk, Buurt)", label.trim()))
            })?;
            if kind != code.kind() {
                return Err(cell_error(kc, format!("says {} but code {code} is a {}", label.trim(), code.kind())));
            }
        }
        let year = if let Some(y) = t.year {
            y
        } else if let Some(yc) = year_col {
            let raw = record.get(yc).unwrap_or_default().trim();
            raw.parse::<i32>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
                .ok_or_else(|| cell_error(yc, format!("'{raw}' is not a year such as 2022")))?
        } else if let Some(pc) = period_col {
            year_of_period(record.get(pc).unwrap_or_default()).map_err(|p| cell_error(pc, p))?
        } else {
            return Err(TableError::Mapping("no year".into()));
        };
        if !seen.insert((year, code.clone())) {
            return Err(cell_error(code_col, format!("area {code} appears twice in {year}")));
        }
        let name = name_col
            .and_then(|c| record.get(c))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(code.as_str())
            .to_string();
        let mut per_source: BTreeMap<&str, Figures> = BTreeMap::new();
        for (col, key, scale, source) in &mapped {
            let f = per_source.entry(source.id.as_str()).or_default();
            match cell_value(record.get(*col).unwrap_or_default(), t.decimal_comma).map_err(|p| cell_error(*col, p))? {
                Ok(v) => f.set(key, v * scale),
                Err(m) => f.mark_missing(key, m),
            }
        }
        // An area without any mapped column still gets its name and place.
        if mapped.is_empty() {
            per_source.insert(table_source.id.as_str(), Figures::default());
        }
        for (source_id, figures) in per_source {
            let source = mapped
                .iter()
                .map(|(.., s)| s)
                .chain(std::iter::once(&table_source))
                .find(|s| s.id == source_id)
                .cloned()
                .unwrap_or_else(|| table_source.clone());
            let parsed = out.entry((year, source_id.to_string())).or_insert_with(|| ParsedYear {
                year,
                ignored_columns: ignored.clone(),
                ..ParsedYear::default()
            });
            let mut area = Area::new(code.clone(), year, name.clone());
            area.fictional = source.fictional;
            parsed.source = source;
            parsed.areas.push(area);
            parsed.figures.insert(code.clone(), figures);
        }
    }
    if out.is_empty() {
        return Err(TableError::Empty);
    }
    Ok(out.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPPING: &str = r#"
        [table]
        code_column = "code"
        name_column = "naam"
        kind_column = "niveau"
        year_column = "jaar"

        [source]
        id = "gemeente-voorbeeld-onderzoek"
        attribution = "Gemeente Voorbeeld, Onderzoek en Statistiek, Wijkmonitor 2022"
        licence = "CC BY 4.0"

        [[column]]
        name = "inwoners"
        indicator = "population"
        unit = "count"

        [[column]]
        name = "opp_km2"
        indicator = "area_land"
        unit = "hectare"
        scale = 100

        [[column]]
        name = "eenzaam"
        indicator = "lonely"
        unit = "percent"
        [column.source]
        id = "ggd-voorbeeld-2022"
        attribution = "GGD Voorbeeld, Gezondheidsmonitor 2022"
        licence = "CC BY 4.0"
    "#;

    fn parse(csv: &str) -> Result<Vec<ParsedYear>, TableError> {
        parse_table(csv.as_bytes(), &Mapping::parse(MAPPING).expect("mapping"))
    }

    #[test]
    fn maps_columns_to_indicators_per_year_and_source() {
        let years = parse(
            "code,naam,niveau,jaar,inwoners,opp_km2,eenzaam,notitie\n\
             WK0363AA,Burgwallen-Oude Zijde,Wijk,2022,4550,1.5,51.2,a\n\
             WK0363AA,Burgwallen-Oude Zijde,Wijk,2020,4400,1.5,x,b\n\
             GM0363,Amsterdam,Gemeente,2022,882633,,47.0,c\n",
        )
        .expect("valid");
        assert_eq!(years.len(), 4, "two years × two sources");
        let wk = AreaCode::parse("WK0363AA").expect("valid");
        let y2022 =
            years.iter().find(|y| y.year == 2022 && y.source.id == "gemeente-voorbeeld-onderzoek").expect("2022");
        assert_eq!(y2022.figures[&wk].get("population"), Some(4550.0));
        assert_eq!(y2022.figures[&wk].get("area_land"), Some(150.0), "scaled from km² to ha");
        assert_eq!(y2022.figures[&wk].get("lonely"), None, "lonely has its own source");
        let gm = AreaCode::parse("GM0363").expect("valid");
        assert_eq!(y2022.figures[&gm].missing["area_land"], MissingMarker::Unknown, "an empty cell is missing");
        let ggd2020 = years.iter().find(|y| y.year == 2020 && y.source.id == "ggd-voorbeeld-2022").expect("ggd");
        assert_eq!(ggd2020.figures[&wk].missing["lonely"], MissingMarker::Secret);
        assert_eq!(y2022.ignored_columns, vec!["notitie".to_string()], "unmapped columns are reported");
        assert_eq!(y2022.areas.iter().find(|a| a.code == gm).map(|a| a.name.as_str()), Some("Amsterdam"));
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = parse("code,naam,niveau,jaar,inwoners,opp_km2,eenzaam\nGM0363,A,Gemeente,2022,veel,1,1\n")
            .expect_err("bad");
        assert_eq!(
            err.to_string(),
            "line 2, column 5 (inwoners): 'veel' is not a number nor a missing-value symbol (empty, ., x, -)"
        );
        let err =
            parse("code,naam,niveau,jaar,inwoners,opp_km2,eenzaam\nGM0363,A,Wijk,2022,1,1,1\n").expect_err("kind");
        assert!(err.to_string().starts_with("line 2, column 3 (niveau): says Wijk"), "{err}");
        let err =
            parse("code,naam,niveau,jaar,inwoners,opp_km2,eenzaam\nGM363,A,Gemeente,2022,1,1,1\n").expect_err("code");
        assert!(err.to_string().starts_with("line 2, column 1 (code)"), "{err}");
        let err =
            parse("code,naam,niveau,jaar,inwoners,opp_km2,eenzaam\nGM0363,A,Gemeente,22,1,1,1\n").expect_err("year");
        assert!(err.to_string().starts_with("line 2, column 4 (jaar): '22' is not a year"), "{err}");
        let err = parse("code,naam,niveau,jaar,inwoners\nGM0363,A,Gemeente,2022,1\n").expect_err("missing column");
        assert_eq!(err.to_string(), "mapping file: the value column 'opp_km2' is not in the file's header (line 1)");
        let twice = "code,naam,niveau,jaar,inwoners,opp_km2,eenzaam\nGM0363,A,Gemeente,2022,1,1,1\nGM0363,A,Gemeente,2022,1,1,1\n";
        assert!(parse(twice).expect_err("twice").to_string().contains("appears twice in 2022"));
    }

    #[test]
    fn mapping_mistakes_are_explained() {
        let base = "[table]\ncode_column = \"c\"\nyear = 2022\n[source]\nid = \"x\"\nattribution = \"X 2022\"\nlicence = \"CC BY 4.0\"\n";
        let err =
            Mapping::parse(&format!("{base}[[column]]\nname = \"a\"\nindicator = \"nope\"\n")).expect_err("unknown");
        assert!(err.to_string().contains("unknown indicator 'nope'"), "{err}");
        let err = Mapping::parse(&format!(
            "{base}[[column]]\nname = \"a\"\nindicator = \"population\"\nunit = \"percent\"\n"
        ))
        .expect_err("unit");
        assert!(err.to_string().contains("the column is in percent"), "{err}");
        let err = Mapping::parse(&format!("{base}[[column]]\nname = \"a\"\nindicator = \"social_share\"\n"))
            .expect_err("derived");
        assert!(err.to_string().contains("computed by Leefwijk"), "{err}");
        let err = Mapping::parse(&base.replace("year = 2022\n", "")).expect_err("no year");
        assert!(err.to_string().contains("exactly one of `year`"), "{err}");
        let err = Mapping::parse(&base.replace("X 2022", "fictieve cijfers")).expect_err("fiction");
        assert!(err.to_string().contains("fictional = true"), "{err}");
        let err = Mapping::parse(&format!("{base}typo = 1\n")).expect_err("unknown key");
        assert!(err.to_string().starts_with("mapping file:"), "{err}");
    }

    #[test]
    fn decimal_commas_and_semicolons() {
        let mapping = Mapping::parse(
            "[table]\ncode_column = \"Wijkcode\"\nyear = 2023\ndecimal_comma = true\n[source]\nid = \"m\"\nattribution = \"Gemeente M 2023\"\nlicence = \"CC0\"\n[[column]]\nname = \"Inwoners\"\nindicator = \"population\"\n[[column]]\nname = \"Eenzaam (%)\"\nindicator = \"lonely\"\n",
        )
        .expect("mapping");
        let years =
            parse_table("Wijkcode;Inwoners;Eenzaam (%)\nWK036300;4.550;51,2\n".as_bytes(), &mapping).expect("valid");
        let f = &years[0].figures[&AreaCode::parse("WK036300").expect("valid")];
        assert_eq!(f.get("population"), Some(4550.0));
        assert_eq!(f.get("lonely"), Some(51.2));
    }

    proptest::proptest! {
        /// Whatever codes (letters included), years and values a table holds, every value
        /// comes back from its cell, and every empty cell comes back as missing.
        #[test]
        fn every_cell_round_trips(
            rows in proptest::collection::btree_map(
                (0u32..10000, "[0-9A-Z]{2}", 2000i32..2030),
                proptest::option::of(-1.0e6f64..1.0e6),
                1..40,
            ),
            comma in proptest::bool::ANY,
        ) {
            let mapping = Mapping::parse(&format!(
                "[table]\ncode_column = \"code\"\nyear_column = \"jaar\"\ndecimal_comma = {comma}\n[source]\nid = \"p\"\nattribution = \"P\"\nlicence = \"CC0\"\n[[column]]\nname = \"v\"\nindicator = \"avg_woz\"\n"
            )).expect("mapping");
            let sep = if comma { ';' } else { ',' };
            let mut text = format!("code{sep}jaar{sep}v\n");
            for ((g, w, year), value) in &rows {
                let cell = match value {
                    Some(v) if comma => format!("{v}").replace('.', ","),
                    Some(v) => format!("{v}"),
                    None => String::new(),
                };
                text.push_str(&format!("WK{g:04}{w}{sep}{year}{sep}{cell}\n"));
            }
            let parsed = parse_table(text.as_bytes(), &mapping).expect("valid");
            let total: usize = parsed.iter().map(|p| p.areas.len()).sum();
            proptest::prop_assert_eq!(total, rows.len());
            for ((g, w, year), value) in &rows {
                let code = AreaCode::parse(&format!("WK{g:04}{w}")).expect("code");
                let f = &parsed.iter().find(|p| p.year == *year).expect("year").figures[&code];
                match value {
                    Some(v) => proptest::prop_assert_eq!(f.get("avg_woz"), Some(*v)),
                    None => proptest::prop_assert_eq!(f.missing.get("avg_woz"), Some(&MissingMarker::Unknown)),
                }
            }
        }
    }
}
