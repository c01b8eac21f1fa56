//! Repository for areas, their figures and boundaries. Public CBS data, no personal data:
//! these functions need no access handle.

use crate::signals::values_list;
use crate::{Result, Store, StoreError};
use leefwijk_domain::geometry::Shape;
use leefwijk_domain::indicators::{CodebookIndicator, Unit};
use leefwijk_domain::{Area, AreaCode, AreaKind, DataSource, Figures, MissingMarker};
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

/// One area as stored.
pub type AreaRecord = Area;

/// A simplified boundary of one area.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeRecord {
    pub code: AreaCode,
    pub shape: Shape,
}

/// What an import did, kept for the record and shown to administrators.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    pub id: String,
    pub kind: String,
    pub source: String,
    pub year: i32,
    pub rows: i64,
    pub finished_at_ms: i64,
}

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 500;

fn parse_code(raw: &str) -> Result<AreaCode> {
    AreaCode::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Adds one source's figures of one year, in one transaction: the areas are added or
    /// updated (a name only replaces a stored one when it is more than the code), the
    /// source's earlier figures of that year are replaced, and a figure another source
    /// gave for the same area and indicator is overwritten by the newer import. A failure
    /// leaves the year as it was.
    pub async fn merge_figures(
        &self,
        year: i32,
        areas: &[Area],
        figures: &BTreeMap<AreaCode, Figures>,
        source: &DataSource,
        import: &ImportRecord,
    ) -> Result<()> {
        self.merge_years(&[YearFigures { year, areas, figures, source, new_indicators: &[] }], import).await
    }

    /// [`Store::merge_figures`] for several years (a StatLine table with a period
    /// dimension) in one transaction: all years or none.
    pub async fn merge_years(&self, years: &[YearFigures<'_>], import: &ImportRecord) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for y in years {
            merge_year(&mut tx, self.backend(), y).await?;
        }
        record_import(&mut tx, import).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the boundaries of the given areas of one year, in one transaction.
    pub async fn replace_shapes(&self, year: i32, shapes: &[ShapeRecord], import: &ImportRecord) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let y = i64::from(year);
        for chunk in shapes.chunks(100) {
            let sql = format!("DELETE FROM area_shapes WHERE year = $1 AND code IN ({})", {
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(",")
            });
            let mut q = sqlx::query(&sql).bind(y);
            for s in chunk {
                q = q.bind(s.code.as_str().to_string());
            }
            q.execute(&mut *tx).await?;
            let sql = format!(
                "INSERT INTO area_shapes (year, code, kind, parent_code, shape, points) VALUES {}",
                values_list(self.backend(), chunk.len(), 6)
            );
            let mut q = sqlx::query(&sql);
            for s in chunk {
                let json = serde_json::to_string(&s.shape).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                q = q
                    .bind(y)
                    .bind(s.code.as_str().to_string())
                    .bind(s.code.kind().as_str())
                    .bind(s.code.parent().map(String::from))
                    .bind(json)
                    .bind(s.shape.point_count() as i64);
            }
            q.execute(&mut *tx).await?;
        }
        record_import(&mut tx, import).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Years with figures, newest first.
    pub async fn years(&self) -> Result<Vec<i32>> {
        let rows = sqlx::query("SELECT DISTINCT year FROM areas ORDER BY year DESC").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(i32::try_from(r.try_get::<i64, _>(0)?).unwrap_or_default())).collect()
    }

    /// All areas and figures of one year.
    pub async fn load_year(&self, year: i32) -> Result<(Vec<Area>, BTreeMap<AreaCode, Figures>)> {
        let y = i64::from(year);
        let rows = sqlx::query(
            "SELECT code, kind, name, parent_code, municipality_code, fictional FROM areas WHERE year = $1 ORDER BY code",
        )
        .bind(y)
        .fetch_all(&self.pool)
        .await?;
        let mut areas = Vec::with_capacity(rows.len());
        for r in rows {
            let code = parse_code(&r.try_get::<String, _>(0)?)?;
            let kind: String = r.try_get(1)?;
            let kind =
                AreaKind::from_cbs_label(&kind).ok_or_else(|| StoreError::Corrupt(format!("area kind '{kind}'")))?;
            let parent: Option<String> = r.try_get(3)?;
            let municipality: Option<String> = r.try_get(4)?;
            areas.push(Area {
                code,
                year,
                kind,
                name: r.try_get(2)?,
                parent: parent.as_deref().map(parse_code).transpose()?,
                municipality: municipality.as_deref().map(parse_code).transpose()?,
                fictional: r.try_get::<i64, _>(5)? != 0,
            });
        }
        // Collations differ between backends; order by code the same way everywhere.
        areas.sort_by(|a, b| a.code.cmp(&b.code));
        let figures = self.load_figures(year, None, None).await?;
        Ok((areas, figures))
    }

    /// One year's figures, of every indicator or only of `keys`, and of every area or only
    /// of those that exist in `areas_of` (another year).
    pub async fn load_figures(
        &self,
        year: i32,
        keys: Option<&[String]>,
        areas_of: Option<(i32, bool)>,
    ) -> Result<BTreeMap<AreaCode, Figures>> {
        let mut sql = "SELECT code, indicator, value, missing FROM area_figures WHERE year = $1".to_string();
        let mut next = 2;
        if areas_of.is_some() {
            // Only the real or only the fictional areas of the other year.
            sql.push_str(" AND code IN (SELECT code FROM areas WHERE year = $2 AND fictional = $3)");
            next = 4;
        }
        if let Some(keys) = keys {
            if keys.is_empty() {
                return Ok(BTreeMap::new());
            }
            let list: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + next)).collect();
            sql.push_str(&format!(" AND indicator IN ({})", list.join(",")));
        }
        let mut q = sqlx::query(&sql).bind(i64::from(year));
        if let Some((other, fictional)) = areas_of {
            q = q.bind(i64::from(other)).bind(i64::from(fictional));
        }
        for k in keys.unwrap_or_default() {
            q = q.bind(k.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut figures: BTreeMap<AreaCode, Figures> = BTreeMap::new();
        for r in rows {
            let code = parse_code(&r.try_get::<String, _>(0)?)?;
            let key: String = r.try_get(1)?;
            let value: Option<f64> = r.try_get(2)?;
            let missing: Option<String> = r.try_get(3)?;
            let f = figures.entry(code).or_default();
            match (value, missing.as_deref().and_then(MissingMarker::parse)) {
                (Some(v), _) => f.set(&key, v),
                (None, Some(m)) => f.mark_missing(&key, m),
                (None, None) => return Err(StoreError::Corrupt(format!("figure {key} has neither value nor marker"))),
            }
        }
        Ok(figures)
    }

    /// The sources of one year's figures, per indicator (figures imported before sources
    /// were recorded have none).
    pub async fn figure_sources(&self, year: i32) -> Result<BTreeMap<String, Vec<DataSource>>> {
        let rows = sqlx::query(
            "SELECT DISTINCT f.indicator, s.id, s.attribution, s.licence, s.fictional \
             FROM area_figures f JOIN data_sources s ON s.id = f.source WHERE f.year = $1",
        )
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<String, Vec<DataSource>> = BTreeMap::new();
        for r in rows {
            out.entry(r.try_get(0)?).or_default().push(DataSource {
                id: r.try_get(1)?,
                attribution: r.try_get(2)?,
                licence: r.try_get(3)?,
                fictional: r.try_get::<i64, _>(4)? != 0,
            });
        }
        for sources in out.values_mut() {
            sources.sort();
        }
        Ok(out)
    }

    /// Every source figures were imported from, for the sources page.
    pub async fn data_sources(&self) -> Result<Vec<DataSource>> {
        let rows = sqlx::query("SELECT id, attribution, licence, fictional FROM data_sources ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DataSource {
                    id: r.try_get(0)?,
                    attribution: r.try_get(1)?,
                    licence: r.try_get(2)?,
                    fictional: r.try_get::<i64, _>(3)? != 0,
                })
            })
            .collect()
    }

    /// Indicators named from StatLine codebooks by earlier imports.
    pub async fn indicator_definitions(&self) -> Result<Vec<CodebookIndicator>> {
        let rows = sqlx::query("SELECT key, stem, title, unit, description FROM indicator_definitions ORDER BY key")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let unit: String = r.try_get(3)?;
                Ok(CodebookIndicator {
                    key: r.try_get(0)?,
                    stem: r.try_get(1)?,
                    title: r.try_get(2)?,
                    unit: Unit::from_key(&unit)
                        .ok_or_else(|| StoreError::Corrupt(format!("indicator unit '{unit}' is not known")))?,
                    description: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Boundaries of the children of `parent` of the given kind, for a map.
    pub async fn shapes_within(&self, year: i32, parent: &AreaCode, kind: AreaKind) -> Result<Vec<ShapeRecord>> {
        // Buurten are found by municipality prefix so a municipality map can show them.
        let prefix = format!("{}{}%", kind.prefix(), &parent.as_str()[2..]);
        let rows = sqlx::query(
            "SELECT code, shape FROM area_shapes WHERE year = $1 AND kind = $2 AND code LIKE $3 ORDER BY code",
        )
        .bind(i64::from(year))
        .bind(kind.as_str())
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_shape).collect()
    }

    /// Boundaries of every area of a kind in a year (the national map).
    pub async fn shapes_of_kind(&self, year: i32, kind: AreaKind) -> Result<Vec<ShapeRecord>> {
        let rows = sqlx::query("SELECT code, shape FROM area_shapes WHERE year = $1 AND kind = $2 ORDER BY code")
            .bind(i64::from(year))
            .bind(kind.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_shape).collect()
    }

    /// The boundary of one area, if imported.
    pub async fn shape(&self, year: i32, code: &AreaCode) -> Result<Option<ShapeRecord>> {
        let row = sqlx::query("SELECT code, shape FROM area_shapes WHERE year = $1 AND code = $2")
            .bind(i64::from(year))
            .bind(code.as_str().to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_shape).transpose()
    }

    /// Years that have boundaries, newest first.
    pub async fn shape_years(&self) -> Result<Vec<i32>> {
        let rows =
            sqlx::query("SELECT DISTINCT year FROM area_shapes ORDER BY year DESC").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(i32::try_from(r.try_get::<i64, _>(0)?).unwrap_or_default())).collect()
    }

    /// Changes whenever an import finishes: lets caches in other processes notice.
    pub async fn data_version(&self) -> Result<(i64, i64)> {
        let row =
            sqlx::query("SELECT COUNT(*), COALESCE(MAX(finished_at), 0) FROM imports").fetch_one(&self.pool).await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// The most recent imports, newest first.
    pub async fn imports(&self, limit: i64) -> Result<Vec<ImportRecord>> {
        let rows = sqlx::query(
            "SELECT id, kind, source, year, rows, finished_at FROM imports ORDER BY finished_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ImportRecord {
                    id: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    source: r.try_get(2)?,
                    year: i32::try_from(r.try_get::<i64, _>(3)?).unwrap_or_default(),
                    rows: r.try_get(4)?,
                    finished_at_ms: r.try_get(5)?,
                })
            })
            .collect()
    }
}

fn decode_shape(r: &sqlx::any::AnyRow) -> Result<ShapeRecord> {
    let code = parse_code(&r.try_get::<String, _>(0)?)?;
    let json: String = r.try_get(1)?;
    let shape = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("shape of {code}: {e}")))?;
    Ok(ShapeRecord { code, shape })
}

async fn record_import(tx: &mut Transaction<'_, Any>, import: &ImportRecord) -> Result<()> {
    sqlx::query("INSERT INTO imports (id, kind, source, year, rows, finished_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(import.id.clone())
        .bind(import.kind.clone())
        .bind(import.source.clone())
        .bind(i64::from(import.year))
        .bind(import.rows)
        .bind(import.finished_at_ms)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One year of one source's figures, to merge.
pub struct YearFigures<'a> {
    pub year: i32,
    pub areas: &'a [Area],
    pub figures: &'a BTreeMap<AreaCode, Figures>,
    pub source: &'a DataSource,
    /// Indicators named from the table's codebook, stored with its figures.
    pub new_indicators: &'a [CodebookIndicator],
}

/// Multi-row inserts use `?` on SQLite: with thousands of `$N` parameters per statement
/// SQLite spent most of an import looking their names up (`leefwijk bench import`).
async fn merge_year(tx: &mut Transaction<'_, Any>, backend: crate::Backend, batch: &YearFigures<'_>) -> Result<()> {
    let YearFigures { year, areas, figures, source, new_indicators } = *batch;
    let y = i64::from(year);
    for new in new_indicators {
        sqlx::query(
            "INSERT INTO indicator_definitions (key, stem, title, unit, description) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (key) DO UPDATE SET stem = excluded.stem, title = excluded.title, \
                 unit = excluded.unit, description = excluded.description",
        )
        .bind(new.key.clone())
        .bind(new.stem.clone())
        .bind(new.title.clone())
        .bind(new.unit.key())
        .bind(new.description.clone())
        .execute(&mut **tx)
        .await?;
    }

    sqlx::query(
        "INSERT INTO data_sources (id, attribution, licence, fictional) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET attribution = excluded.attribution, licence = excluded.licence, \
             fictional = excluded.fictional",
    )
    .bind(source.id.clone())
    .bind(source.attribution.clone())
    .bind(source.licence.clone())
    .bind(i64::from(source.fictional))
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM area_figures WHERE year = $1 AND source = $2")
        .bind(y)
        .bind(source.id.clone())
        .execute(&mut **tx)
        .await?;
    for chunk in areas.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO areas (year, code, kind, name, parent_code, municipality_code, fictional) VALUES {} \
                 ON CONFLICT (year, code) DO UPDATE SET kind = excluded.kind, \
                 name = CASE WHEN excluded.name = excluded.code THEN areas.name ELSE excluded.name END, \
                 parent_code = excluded.parent_code, municipality_code = excluded.municipality_code, \
                 fictional = excluded.fictional",
            values_list(backend, chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            q = q
                .bind(y)
                .bind(a.code.as_str().to_string())
                .bind(a.kind.as_str())
                .bind(a.name.clone())
                .bind(a.parent.as_ref().map(|c| c.as_str().to_string()))
                .bind(a.municipality.as_ref().map(|c| c.as_str().to_string()))
                .bind(i64::from(a.fictional || source.fictional));
        }
        q.execute(&mut **tx).await?;
    }
    // Present values and withheld ones go in separate statements so that no f64 is
    // ever bound as NULL: sqlx 0.8's Any driver declares a NULL double as FLOAT4 on
    // PostgreSQL, and a cached statement then rejects the next real FLOAT8 value.
    let values: Vec<(&AreaCode, &str, f64)> =
        figures.iter().flat_map(|(code, f)| f.values.iter().map(move |(k, v)| (code, k.as_str(), *v))).collect();
    for chunk in values.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO area_figures (year, code, indicator, value, source) VALUES {} \
                 ON CONFLICT (year, code, indicator) DO UPDATE SET value = excluded.value, missing = NULL, \
                 source = excluded.source",
            values_list(backend, chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (code, key, value) in chunk {
            q = q.bind(y).bind(code.as_str().to_string()).bind(key.to_string()).bind(*value).bind(source.id.clone());
        }
        q.execute(&mut **tx).await?;
    }
    let withheld: Vec<(&AreaCode, &str, &'static str)> = figures
        .iter()
        .flat_map(|(code, f)| f.missing.iter().map(move |(k, m)| (code, k.as_str(), m.as_str())))
        .collect();
    for chunk in withheld.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO area_figures (year, code, indicator, missing, source) VALUES {} \
                 ON CONFLICT (year, code, indicator) DO UPDATE SET value = NULL, missing = excluded.missing, \
                 source = excluded.source",
            values_list(backend, chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (code, key, marker) in chunk {
            q = q.bind(y).bind(code.as_str().to_string()).bind(key.to_string()).bind(*marker).bind(source.id.clone());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{backend_urls, fresh_store};

    fn sample() -> (Vec<Area>, BTreeMap<AreaCode, Figures>) {
        let codes = ["GM9901", "WK990101", "BU99010101", "BU99010102"];
        let areas: Vec<Area> =
            codes.iter().map(|c| Area::new(AreaCode::parse(c).expect("valid"), 2024, format!("Naam {c}"))).collect();
        let mut figures = BTreeMap::new();
        for (i, a) in areas.iter().enumerate() {
            let mut f = Figures::default();
            f.set("population", 1000.0 + i as f64);
            f.mark_missing("pct_low_income_households", MissingMarker::Secret);
            figures.insert(a.code.clone(), f);
        }
        (areas, figures)
    }

    fn import(id: &str) -> ImportRecord {
        ImportRecord {
            id: id.into(),
            kind: "cbs-kwb".into(),
            source: "test.csv".into(),
            year: 2024,
            rows: 4,
            finished_at_ms: 1,
        }
    }

    fn kwb() -> DataSource {
        DataSource::cbs_kwb(2024)
    }

    #[tokio::test]
    async fn year_round_trips_and_sources_merge() {
        for url in backend_urls() {
            let store = fresh_store(&url).await.expect("store");
            let (areas, figures) = sample();
            store.merge_figures(2024, &areas, &figures, &kwb(), &import("a")).await.expect("first import");
            let (loaded, loaded_figures) = store.load_year(2024).await.expect("load");
            let mut expected = areas.clone();
            expected.sort_by(|a, b| a.code.cmp(&b.code));
            assert_eq!(loaded, expected, "{url}");
            assert_eq!(loaded_figures, figures, "{url}");
            // A secret value is stored as missing, never as zero.
            let bu = AreaCode::parse("BU99010101").expect("valid");
            assert_eq!(loaded_figures[&bu].get("pct_low_income_households"), None);
            assert_eq!(loaded_figures[&bu].missing["pct_low_income_households"], MissingMarker::Secret);

            // A second source adds its indicator beside the first; an area it names only by
            // code keeps the name it had.
            let rivm = DataSource::rivm_health(2024);
            let mut health = BTreeMap::new();
            let mut f = Figures::default();
            f.set("lonely", 41.5);
            health.insert(bu.clone(), f);
            let bare = vec![Area::new(bu.clone(), 2024, bu.as_str())];
            store.merge_figures(2024, &bare, &health, &rivm, &import("b")).await.expect("second source");
            let (loaded, loaded_figures) = store.load_year(2024).await.expect("load");
            assert_eq!(loaded.len(), 4);
            assert_eq!(loaded.iter().find(|a| a.code == bu).map(|a| a.name.as_str()), Some("Naam BU99010101"));
            assert_eq!(loaded_figures[&bu].get("population"), Some(1002.0), "{url}: the first source stays");
            assert_eq!(loaded_figures[&bu].get("lonely"), Some(41.5));
            let sources = store.figure_sources(2024).await.expect("sources");
            assert_eq!(sources["lonely"], vec![rivm.clone()]);
            assert_eq!(sources["population"], vec![kwb()]);

            // Re-importing a source replaces its figures of that year, and only those.
            store.merge_figures(2024, &areas[..2], &BTreeMap::new(), &kwb(), &import("c")).await.expect("again");
            let (_, loaded_figures) = store.load_year(2024).await.expect("load");
            assert_eq!(loaded_figures[&bu].get("population"), None);
            assert_eq!(loaded_figures[&bu].get("lonely"), Some(41.5));
            assert_eq!(store.years().await.expect("years"), vec![2024]);
            assert_eq!(store.imports(10).await.expect("imports").len(), 3);
            assert_eq!(store.data_sources().await.expect("sources").len(), 2);
        }
    }

    #[tokio::test]
    async fn fictional_areas_are_stored_as_such() {
        for url in backend_urls() {
            let store = fresh_store(&url).await.expect("store");
            let (areas, figures) = sample();
            store
                .merge_figures(2024, &areas, &figures, &DataSource::fictional_demo(), &import("demo"))
                .await
                .expect("demo");
            let (loaded, _) = store.load_year(2024).await.expect("load");
            assert!(loaded.iter().all(|a| a.fictional), "{url}");
        }
    }

    #[tokio::test]
    async fn withheld_and_present_values_can_swap_between_imports() {
        // Regression: a NULL bound where a later import binds a real value made
        // PostgreSQL reject the cached statement ("incorrect binary data format").
        for url in backend_urls() {
            let store = fresh_store(&url).await.expect("store");
            let (areas, mut figures) = sample();
            store.merge_figures(2024, &areas, &figures, &kwb(), &import("a")).await.expect("first");
            for f in figures.values_mut() {
                f.set("pct_low_income_households", 12.5);
                f.mark_missing("population", MissingMarker::Unknown);
            }
            store.merge_figures(2024, &areas, &figures, &kwb(), &import("b")).await.expect("second");
            let (_, loaded) = store.load_year(2024).await.expect("load");
            assert_eq!(loaded, figures, "{url}");
        }
    }

    #[tokio::test]
    async fn failed_import_keeps_the_previous_year() {
        for url in backend_urls() {
            let store = fresh_store(&url).await.expect("store");
            let (areas, figures) = sample();
            store.merge_figures(2024, &areas, &figures, &kwb(), &import("a")).await.expect("import");
            // Same import id violates the primary key at the very end of the transaction.
            let err = store.merge_figures(2024, &areas[..1], &BTreeMap::new(), &kwb(), &import("a")).await;
            assert!(err.is_err());
            let (loaded, loaded_figures) = store.load_year(2024).await.expect("load");
            assert_eq!(loaded.len(), 4, "{url}: rolled back");
            assert_eq!(loaded_figures.len(), 4, "{url}: the source's figures are back");
        }
    }

    #[tokio::test]
    async fn shapes_round_trip_by_parent() {
        for url in backend_urls() {
            let store = fresh_store(&url).await.expect("store");
            let square = vec![vec![vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]];
            let shapes: Vec<ShapeRecord> = ["WK990101", "WK990102", "WK990201"]
                .iter()
                .map(|c| ShapeRecord {
                    code: AreaCode::parse(c).expect("valid"),
                    shape: Shape { polygons: square.clone() },
                })
                .collect();
            store.replace_shapes(2024, &shapes, &import("s")).await.expect("shapes");
            let gm = AreaCode::parse("GM9901").expect("valid");
            let within = store.shapes_within(2024, &gm, AreaKind::Wijk).await.expect("within");
            assert_eq!(within.len(), 2, "{url}");
            assert_eq!(within[0].shape.polygons, square);
            assert!(store.shape(2024, &shapes[2].code).await.expect("one").is_some());
            assert_eq!(store.shape_years().await.expect("years"), vec![2024]);
        }
    }
}
