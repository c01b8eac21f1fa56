//! The neighbourhood monitor (wijkbeeld): one year's figures of every area with derived
//! indicators, pressure index, ranks and comparable areas, computed once per year and
//! cached. Imports in another process bump the store's data version; the cache notices
//! within a few seconds.

use crate::AppError;
use leefwijk_domain::choropleth::{class_of, quantile_classes, Class, MISSING_FILL};
use leefwijk_domain::geometry::{BBox, Projection};
use leefwijk_domain::indicators::{indicator, IndicatorDef, Origin, Unit};
use leefwijk_domain::pressure::{comparable_areas, score_areas, z_scores, Driver, PressureConfig, PressureScore};
use leefwijk_domain::trend::{trend, Trend};
use leefwijk_domain::{derive, Area, AreaCode, AreaKind, DataSource, Figures, MissingMarker};
use leefwijk_store::Store;
use serde::Serialize;
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::RwLock;
use utoipa::ToSchema;

/// Attribution of figures imported before sources were recorded (CBS open data).
pub const SOURCE_ATTRIBUTION: &str = "Bron: CBS";

/// How many years back a figure missing in the year shown is taken from: RIVM estimates
/// its health figures every four years, CBS publishes its key figures yearly.
pub const CARRY_YEARS: i32 = 4;

type ZScores = BTreeMap<AreaCode, BTreeMap<String, (f64, f64)>>;

/// Everything the monitor knows of one year.
#[derive(Debug)]
pub struct YearView {
    pub year: i32,
    pub areas: BTreeMap<AreaCode, Area>,
    pub children: BTreeMap<AreaCode, Vec<AreaCode>>,
    /// Base and derived figures, including `pressure_index`.
    pub figures: BTreeMap<AreaCode, Figures>,
    pub pressure: BTreeMap<AreaCode, PressureScore>,
    z: BTreeMap<(AreaKind, bool), ZScores>,
    /// Sources per indicator, real and fictional apart.
    pub sources: BTreeMap<String, Vec<DataSource>>,
    /// Indicators taken from an earlier year for areas that have no figure this year
    /// (area, indicator) → year.
    pub carried: BTreeMap<(AreaCode, String), i32>,
    /// Sources of the carried figures, by their year.
    pub carried_sources: BTreeMap<i32, BTreeMap<String, Vec<DataSource>>>,
    /// Whether national lists (rankings, focus areas, the 30% table) show the fictional
    /// demo: only when the database holds no real areas at all.
    pub national_is_fictional: bool,
    /// What the layers above derive from this view (rendered map panels, serialised
    /// rankings): it lives and dies with the view, so it can never outlive the figures it
    /// was made from.
    derived: Mutex<Derived>,
}

#[derive(Debug, Default)]
struct Derived {
    kept: BTreeMap<String, (Arc<dyn Any + Send + Sync>, usize)>,
    bytes: usize,
}

/// Bound on what one view keeps derived from it: a rendered national map is about
/// 1.5 MB, a serialised ranking of all buurten about 1.2 MB.
const DERIVED_BYTES_PER_VIEW: usize = 64 * 1024 * 1024;

/// Figures of an earlier year, to fill gaps of a later one.
pub struct EarlierYear {
    pub year: i32,
    pub figures: BTreeMap<AreaCode, Figures>,
    pub sources: BTreeMap<String, Vec<DataSource>>,
}

impl YearView {
    pub fn build(year: i32, areas: Vec<Area>, base: BTreeMap<AreaCode, Figures>, config: &PressureConfig) -> YearView {
        YearView::build_with(year, areas, base, BTreeMap::new(), Vec::new(), config)
    }

    /// Builds a year's view. A figure an area lacks this year (neither a value nor a
    /// withheld marker) is taken from the newest of `earlier` that has it, and marked with
    /// that year: RIVM's 2020 health estimates beside CBS's 2022 key figures, say. Real and
    /// fictional areas are scored, ranked and compared only among themselves.
    pub fn build_with(
        year: i32,
        areas: Vec<Area>,
        base: BTreeMap<AreaCode, Figures>,
        sources: BTreeMap<String, Vec<DataSource>>,
        mut earlier: Vec<EarlierYear>,
        config: &PressureConfig,
    ) -> YearView {
        earlier.sort_by_key(|e| std::cmp::Reverse(e.year));
        let mut carried = BTreeMap::new();
        let mut figures: BTreeMap<AreaCode, Figures> = BTreeMap::new();
        for a in &areas {
            let mut f = base.get(&a.code).cloned().unwrap_or_default();
            for e in &earlier {
                let Some(old) = e.figures.get(&a.code) else { continue };
                for (k, v) in &old.values {
                    if !f.values.contains_key(k) && !f.missing.contains_key(k) {
                        f.set(k, *v);
                        carried.insert((a.code.clone(), k.clone()), e.year);
                    }
                }
            }
            figures.insert(a.code.clone(), derive(&f));
        }
        let carried_sources = earlier.into_iter().map(|e| (e.year, e.sources)).collect();
        let fictional: BTreeMap<&AreaCode, bool> = areas.iter().map(|a| (&a.code, a.fictional)).collect();
        let national_is_fictional = !areas.is_empty() && areas.iter().all(|a| a.fictional);
        let mut pressure = BTreeMap::new();
        let mut z = BTreeMap::new();
        for kind in [AreaKind::Gemeente, AreaKind::Wijk, AreaKind::Buurt] {
            for universe in [false, true] {
                let of_kind: Vec<(AreaCode, &Figures)> = figures
                    .iter()
                    .filter(|(c, _)| c.kind() == kind && fictional.get(c).copied().unwrap_or(false) == universe)
                    .map(|(c, f)| (c.clone(), f))
                    .collect();
                pressure.extend(score_areas(&of_kind, config));
                z.insert((kind, universe), z_scores(&of_kind, config));
            }
        }
        for (code, score) in &pressure {
            if let (Some(s), Some(f)) = (score.score, figures.get_mut(code)) {
                f.set("pressure_index", s);
            }
        }
        let mut children: BTreeMap<AreaCode, Vec<AreaCode>> = BTreeMap::new();
        for a in &areas {
            if let Some(p) = &a.parent {
                children.entry(p.clone()).or_default().push(a.code.clone());
            }
        }
        YearView {
            year,
            areas: areas.into_iter().map(|a| (a.code.clone(), a)).collect(),
            children,
            figures,
            pressure,
            z,
            sources,
            carried,
            carried_sources,
            national_is_fictional,
            derived: Mutex::new(Derived::default()),
        }
    }

    /// Something derived from this view and kept with it (see [`YearView::keep_derived`]).
    pub fn derived<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        let derived = self.derived.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        derived.kept.get(key).and_then(|(v, _)| v.clone().downcast::<T>().ok())
    }

    /// Keeps something derived from this view (a rendered page part, a serialised
    /// ranking). The key names everything besides the view it was derived from
    /// (indicator, level, language…); `bytes` is its approximate size. Past the bound,
    /// everything kept so far is dropped: it is only a cache.
    pub fn keep_derived<T: Any + Send + Sync>(&self, key: String, value: Arc<T>, bytes: usize) {
        if bytes > DERIVED_BYTES_PER_VIEW {
            return;
        }
        let mut derived = self.derived.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if derived.bytes + bytes > DERIVED_BYTES_PER_VIEW {
            *derived = Derived::default();
        }
        if let Some((_, old)) = derived.kept.insert(key, (value, bytes)) {
            derived.bytes -= old;
        }
        derived.bytes += bytes;
    }

    /// Whether an area is made up (the demo).
    pub fn is_fictional(&self, code: &AreaCode) -> bool {
        self.areas.get(code).map(|a| a.fictional).unwrap_or(false)
    }

    /// The sources of one indicator for the real or the fictional areas: this year's and
    /// those of earlier years it was carried from.
    pub fn sources_of(&self, key: &str, fictional: bool) -> Vec<&DataSource> {
        let mut out: Vec<&DataSource> =
            self.sources.get(key).into_iter().flatten().filter(|s| s.fictional == fictional).collect();
        for by_key in self.carried_sources.values() {
            out.extend(by_key.get(key).into_iter().flatten().filter(|s| s.fictional == fictional));
        }
        out
    }

    /// "Bron: …" for a set of indicators, real or fictional.
    pub fn source_line(&self, keys: &[&str], fictional: bool) -> String {
        let mut sources: Vec<&DataSource> = keys.iter().flat_map(|k| self.sources_of(k, fictional)).collect();
        // Derived indicators name the sources of what they are computed from.
        if sources.is_empty() {
            sources = self.sources.values().flatten().filter(|s| s.fictional == fictional).collect();
        }
        let line = DataSource::line(&sources);
        if line.is_empty() && !fictional {
            SOURCE_ATTRIBUTION.to_string()
        } else {
            line
        }
    }

    /// "Bron: …" of one figure of one area: this year's source, or that of the earlier
    /// year it was carried from.
    pub fn source_of(&self, code: &AreaCode, key: &str) -> String {
        let fictional = self.is_fictional(code);
        let from = match self.carried_year(code, key) {
            Some(y) => self.carried_sources.get(&y).and_then(|s| s.get(key)),
            None => self.sources.get(key),
        };
        let sources: Vec<&DataSource> = from.into_iter().flatten().filter(|s| s.fictional == fictional).collect();
        if sources.is_empty() {
            // Derived figures name the sources of the area's figures.
            return self.source_line(&[], fictional);
        }
        DataSource::line(&sources)
    }

    /// The year a figure of an area is from, when it was carried from an earlier year.
    pub fn carried_year(&self, code: &AreaCode, key: &str) -> Option<i32> {
        self.carried.get(&(code.clone(), key.to_string())).copied()
    }

    pub fn area(&self, code: &AreaCode) -> Result<&Area, AppError> {
        self.areas.get(code).ok_or_else(|| AppError::NotFound(format!("area {code} in {}", self.year)))
    }

    pub fn value(&self, code: &AreaCode, key: &str) -> Option<f64> {
        self.figures.get(code).and_then(|f| f.get(key))
    }

    fn name(&self, code: &AreaCode) -> String {
        self.areas.get(code).map(|a| a.name.clone()).unwrap_or_else(|| code.to_string())
    }

    fn area_ref(&self, code: &AreaCode) -> AreaRef {
        AreaRef { code: code.to_string(), name: self.name(code), kind: code.kind() }
    }

    pub fn summary(&self, code: &AreaCode) -> AreaSummary {
        let area = self.areas.get(code);
        let score = self.pressure.get(code);
        AreaSummary {
            code: code.to_string(),
            name: self.name(code),
            kind: code.kind(),
            municipality: code.municipality().filter(|m| m != code).map(|m| self.area_ref(&m)),
            parent: area.and_then(|a| a.parent.clone()).map(|p| p.to_string()),
            population: self.value(code, "population"),
            pressure_index: score.and_then(|s| s.score),
            focus: score.map(|s| s.focus).unwrap_or(false),
        }
    }

    /// Areas of the same kind within `within` (any ancestor), or nationally. Within an
    /// area, the members share its universe (real or fictional); nationally, only real
    /// areas count unless there are none.
    fn members<'a>(&'a self, kind: AreaKind, within: Option<&'a AreaCode>) -> impl Iterator<Item = &'a AreaCode> + 'a {
        let universe = match within {
            Some(w) if w.kind() != AreaKind::Land => self.is_fictional(w),
            _ => self.national_is_fictional,
        };
        self.areas.iter().filter_map(move |(c, a)| {
            (c.kind() == kind && a.fictional == universe && within.map(|w| is_within(c, w)).unwrap_or(true))
                .then_some(c)
        })
    }
}

/// True when `code` lies in `ancestor` (by CBS code nesting) or is it.
pub fn is_within(code: &AreaCode, ancestor: &AreaCode) -> bool {
    match ancestor.kind() {
        AreaKind::Land => true,
        AreaKind::Gemeente => code.municipality().as_ref() == Some(ancestor),
        AreaKind::Wijk => code == ancestor || code.parent().as_ref() == Some(ancestor),
        AreaKind::Buurt => code == ancestor,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaRef {
    pub code: String,
    pub name: String,
    pub kind: AreaKind,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaSummary {
    pub code: String,
    pub name: String,
    pub kind: AreaKind,
    pub municipality: Option<AreaRef>,
    pub parent: Option<String>,
    pub population: Option<f64>,
    pub pressure_index: Option<f64>,
    pub focus: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorValue {
    pub key: String,
    pub name_nl: String,
    pub name_en: String,
    pub unit: Unit,
    pub origin: Origin,
    pub value: Option<f64>,
    /// Why the value is missing, when the source withheld it.
    pub missing: Option<MissingMarker>,
    /// The same indicator for the Netherlands as a whole, when known.
    pub national: Option<f64>,
    pub higher_is_better: Option<bool>,
    /// The year of the figure: the year shown, or the earlier year it was taken from.
    pub year: i32,
    /// "Bron: …" of this figure.
    pub source: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PressureView {
    pub score: Option<f64>,
    pub rank: Option<usize>,
    pub ranked_of: usize,
    pub rank_in_municipality: Option<usize>,
    pub ranked_in_municipality_of: usize,
    pub focus: bool,
    pub drivers: Vec<Driver>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComparableArea {
    pub area: AreaSummary,
    /// Root-mean-square distance over the standardised indicators (0 = identical).
    pub distance: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaDetail {
    pub year: i32,
    pub years: Vec<i32>,
    pub area: AreaSummary,
    pub ancestors: Vec<AreaRef>,
    pub indicators: Vec<IndicatorValue>,
    pub pressure: Option<PressureView>,
    pub children: Vec<AreaSummary>,
    pub comparable: Vec<ComparableArea>,
    pub trend: Option<Trend>,
    pub source: String,
    /// A made-up demo area: never compared with the real Netherlands.
    pub fictional: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingRow {
    pub rank: usize,
    pub code: String,
    pub name: String,
    pub municipality: Option<String>,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ranking {
    pub year: i32,
    pub indicator: String,
    pub kind: AreaKind,
    pub within: Option<AreaRef>,
    /// Areas of the kind without a value for the indicator (not ranked).
    pub without_value: usize,
    pub rows: Vec<RankingRow>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SocialShareRow {
    pub code: String,
    pub name: String,
    pub housing_stock: Option<f64>,
    pub social_share: Option<f64>,
    pub social_homes: Option<f64>,
    pub gap_to_30: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SocialShare {
    pub year: i32,
    pub target_percent: f64,
    pub municipalities: Vec<SocialShareRow>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapArea {
    pub code: String,
    pub name: String,
    pub value: Option<f64>,
    pub class: Option<usize>,
    pub fill: String,
    /// SVG path data in the map's view box; empty when no boundary is known.
    pub path: String,
    /// Where to put the area's label: the centre of its bounding box in the view box.
    pub label_x: f64,
    pub label_y: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapView {
    pub year: i32,
    pub indicator: String,
    pub kind: AreaKind,
    pub width: f64,
    pub height: f64,
    pub classes: Vec<Class>,
    pub areas: Vec<MapArea>,
    pub has_shapes: bool,
    /// "Bron: …" of the figures and the boundaries.
    pub source: String,
    /// Outlines drawn over the areas: the municipality around its wijken, or every
    /// municipality on the national wijk map (SVG path data in the same view box).
    pub outlines: Vec<String>,
}

/// A drawn map: (year, parent, level, indicator, width in tenths of a unit).
type MapKey = (i32, String, AreaKind, String, u64);

/// Maps kept per view: at most this many (a national map is about 1.4 MB of path data).
const MAP_CACHE_ENTRIES: usize = 64;

struct Cache {
    version: Option<(i64, i64)>,
    checked: Option<Instant>,
    years: Vec<i32>,
    views: BTreeMap<i32, Arc<YearView>>,
    /// Drawn maps change only with an import, like the views they are drawn from.
    maps: BTreeMap<MapKey, Arc<MapView>>,
    /// Rankings likewise: (year, indicator, level, within).
    rankings: BTreeMap<(i32, String, AreaKind, Option<String>), Arc<Ranking>>,
}

/// How often the cache asks the store whether data changed.
const VERSION_CHECK_EVERY: Duration = Duration::from_secs(2);

pub struct Monitor {
    store: Store,
    config: PressureConfig,
    cache: RwLock<Cache>,
}

impl Monitor {
    pub fn new(store: Store, config: PressureConfig) -> Monitor {
        Monitor {
            store,
            config,
            cache: RwLock::new(Cache {
                version: None,
                checked: None,
                years: Vec::new(),
                views: BTreeMap::new(),
                maps: BTreeMap::new(),
                rankings: BTreeMap::new(),
            }),
        }
    }

    pub fn config(&self) -> &PressureConfig {
        &self.config
    }

    async fn refresh(&self) -> Result<(), AppError> {
        {
            let cache = self.cache.read().await;
            if cache.checked.map(|c| c.elapsed() < VERSION_CHECK_EVERY).unwrap_or(false) {
                return Ok(());
            }
        }
        let version = self.store.data_version().await?;
        let mut cache = self.cache.write().await;
        if cache.version != Some(version) {
            cache.views.clear();
            cache.maps.clear();
            cache.rankings.clear();
            cache.years = self.store.years().await?;
            // Indicators another process named from a codebook.
            super::register_stored_indicators(&self.store).await?;
            cache.version = Some(version);
        }
        cache.checked = Some(Instant::now());
        Ok(())
    }

    /// Builds the newest year's view and the one before it (for trends) ahead of the first
    /// visitor: with the whole country's buurten that takes seconds.
    pub async fn warm_up(&self) -> Result<(), AppError> {
        let years = self.years().await?;
        for y in years.iter().take(2) {
            self.view(Some(*y)).await?;
        }
        Ok(())
    }

    /// Forgets cached years at once (after an import in this process).
    pub async fn invalidate(&self) {
        let mut cache = self.cache.write().await;
        cache.checked = None;
        cache.version = None;
    }

    /// Every indicator, including those imported (perhaps by another process) under a
    /// StatLine codebook's names.
    pub async fn indicators(&self) -> Result<Vec<&'static IndicatorDef>, AppError> {
        self.refresh().await?;
        Ok(leefwijk_domain::indicators::all())
    }

    /// Years with figures, newest first.
    pub async fn years(&self) -> Result<Vec<i32>, AppError> {
        self.refresh().await?;
        Ok(self.cache.read().await.years.clone())
    }

    /// The view of a year (the newest when `None`).
    pub async fn view(&self, year: Option<i32>) -> Result<Arc<YearView>, AppError> {
        self.refresh().await?;
        let year = match year {
            Some(y) => y,
            None => *self.cache.read().await.years.first().ok_or(AppError::NoData)?,
        };
        if let Some(v) = self.cache.read().await.views.get(&year) {
            return Ok(v.clone());
        }
        if !self.cache.read().await.years.contains(&year) {
            return Err(AppError::NotFound(format!("figures for {year}")));
        }
        let started = Instant::now();
        let (areas, figures) = self.store.load_year(year).await?;
        let sources = self.store.figure_sources(year).await?;
        let years = self.cache.read().await.years.clone();
        // Only indicators this year does not have at all are taken from earlier years, and
        // only those are read: RIVM's four-yearly estimates beside yearly CBS figures, never
        // a mix of years within one indicator's ranking.
        // Real and fictional areas each have their own set (the demo must not stop a real
        // indicator from being carried, nor the other way round).
        let universe: BTreeMap<&AreaCode, bool> = areas.iter().map(|a| (&a.code, a.fictional)).collect();
        let mut have: [std::collections::BTreeSet<String>; 2] = Default::default();
        for (code, f) in &figures {
            let u = usize::from(universe.get(code).copied().unwrap_or(false));
            have[u].extend(f.values.keys().chain(f.missing.keys()).cloned());
        }
        let mut earlier = Vec::new();
        let mut earlier_years: Vec<i32> = years.into_iter().filter(|y| *y < year && *y >= year - CARRY_YEARS).collect();
        earlier_years.sort_by_key(|y| std::cmp::Reverse(*y));
        for y in earlier_years {
            let sources = self.store.figure_sources(y).await?;
            // Per universe: only the indicators it lacks, only for its own areas.
            let mut figures = BTreeMap::new();
            for (u, fictional) in [(0usize, false), (1usize, true)] {
                let wanted: Vec<String> = sources
                    .iter()
                    .filter(|(k, s)| !have[u].contains(*k) && s.iter().any(|s| s.fictional == fictional))
                    .map(|(k, _)| k.clone())
                    .collect();
                if !wanted.is_empty() {
                    figures.extend(self.store.load_figures(y, Some(&wanted), Some((year, fictional))).await?);
                }
            }
            if figures.is_empty() {
                continue;
            }
            figures.retain(|code, f| {
                let u = usize::from(universe.get(code).copied().unwrap_or(false));
                f.values.retain(|k, _| !have[u].contains(k));
                f.missing.clear();
                !f.values.is_empty()
            });
            for (code, f) in &figures {
                let u = usize::from(universe.get(code).copied().unwrap_or(false));
                have[u].extend(f.values.keys().cloned());
            }
            earlier.push(EarlierYear { year: y, figures, sources });
        }
        let loaded = started.elapsed();
        let figure_count: usize = figures.values().map(|f| f.values.len() + f.missing.len()).sum::<usize>()
            + earlier.iter().flat_map(|e| e.figures.values()).map(|f| f.values.len()).sum::<usize>();
        let config = self.config.clone();
        let view =
            tokio::task::spawn_blocking(move || YearView::build_with(year, areas, figures, sources, earlier, &config))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
        let view = Arc::new(view);
        // Counts and durations only: the size and cost of the cache, for operators.
        tracing::info!(
            year,
            areas = view.areas.len(),
            figures = figure_count,
            load_ms = loaded.as_millis() as u64,
            build_ms = (started.elapsed() - loaded).as_millis() as u64,
            "monitor view built"
        );
        self.cache.write().await.views.insert(year, view.clone());
        Ok(view)
    }

    /// Areas matching a name or code fragment, optionally by kind and parent.
    pub async fn search(
        &self,
        q: Option<&str>,
        kind: Option<AreaKind>,
        parent: Option<&AreaCode>,
        year: Option<i32>,
        limit: usize,
    ) -> Result<(i32, Vec<AreaSummary>), AppError> {
        let view = self.view(year).await?;
        let needle = q.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
        let mut hits: Vec<(u8, &Area)> = view
            .areas
            .values()
            .filter(|a| kind.map(|k| a.kind == k).unwrap_or(true))
            .filter(|a| {
                parent
                    .map(|p| {
                        a.parent.as_ref() == Some(p)
                            || (p.kind() == AreaKind::Gemeente && a.municipality.as_ref() == Some(p) && a.code != *p)
                    })
                    .unwrap_or(true)
            })
            .filter_map(|a| match &needle {
                None => Some((0, a)),
                Some(n) => {
                    let name = a.name.to_lowercase();
                    let code = a.code.as_str().to_lowercase();
                    if name == *n || code == *n {
                        Some((0, a))
                    } else if name.starts_with(n.as_str()) {
                        Some((1, a))
                    } else if name.contains(n.as_str()) || code.starts_with(n.as_str()) {
                        Some((2, a))
                    } else {
                        None
                    }
                }
            })
            .collect();
        // Exact and prefix matches first, then by level (gemeente before buurt), then name.
        hits.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then(a.kind.cmp(&b.kind)).then_with(|| a.name.cmp(&b.name)));
        Ok((view.year, hits.into_iter().take(limit).map(|(_, a)| view.summary(&a.code)).collect()))
    }

    /// Everything about one area.
    pub async fn area(&self, code: &AreaCode, year: Option<i32>) -> Result<AreaDetail, AppError> {
        let view = self.view(year).await?;
        let area = view.area(code)?;
        let years = self.years().await?;
        let fictional = view.is_fictional(code);
        let national_code = AreaCode::parse(leefwijk_domain::area::NATIONAL_CODE).ok();
        // Fictional areas are never compared with the real Netherlands.
        let national =
            national_code.as_ref().filter(|n| !fictional && !view.is_fictional(n)).and_then(|n| view.figures.get(n));
        let own = view.figures.get(code).cloned().unwrap_or_default();
        let indicators = leefwijk_domain::indicators::all()
            .into_iter()
            .filter(|d| own.get(d.key).is_some() || own.missing.contains_key(d.key))
            .map(|d| IndicatorValue {
                key: d.key.to_string(),
                name_nl: d.name_nl.to_string(),
                name_en: d.name_en.to_string(),
                unit: d.unit,
                origin: d.origin,
                value: own.get(d.key),
                missing: own.missing.get(d.key).copied(),
                national: national.filter(|_| code.kind() != AreaKind::Land).and_then(|n| n.get(d.key)),
                higher_is_better: d.higher_is_better,
                year: view.carried_year(code, d.key).unwrap_or(view.year),
                source: view.source_of(code, d.key),
            })
            .collect::<Vec<_>>();
        let mut lines: Vec<&str> = Vec::new();
        for i in &indicators {
            for part in i.source.trim_start_matches("Bron: ").split("; ") {
                if !part.is_empty() && !lines.contains(&part) {
                    lines.push(part);
                }
            }
        }
        let source =
            if lines.is_empty() { view.source_line(&[], fictional) } else { format!("Bron: {}", lines.join("; ")) };
        let mut ancestors = Vec::new();
        let mut cursor = area.parent.clone();
        while let Some(p) = cursor {
            cursor = view.areas.get(&p).and_then(|a| a.parent.clone());
            if view.areas.contains_key(&p) {
                ancestors.push(view.area_ref(&p));
            }
        }
        ancestors.reverse();
        let pressure = view.pressure.get(code).map(|s| PressureView {
            score: s.score,
            rank: s.rank,
            ranked_of: s.ranked_of,
            rank_in_municipality: s.rank_in_municipality,
            ranked_in_municipality_of: s.ranked_in_municipality_of,
            focus: s.focus,
            drivers: s.drivers.clone(),
        });
        let children = view.children.get(code).map(|c| c.iter().map(|c| view.summary(c)).collect()).unwrap_or_default();
        let comparable = view
            .z
            .get(&(code.kind(), fictional))
            .map(|z| comparable_areas(code, z, 5))
            .unwrap_or_default()
            .into_iter()
            .map(|(c, distance)| ComparableArea { area: view.summary(&c), distance })
            .collect();
        // Trend against the nearest earlier year that has figures.
        let trend = match years.iter().copied().filter(|y| *y < view.year).max() {
            Some(prev) => {
                let earlier = self.view(Some(prev)).await?;
                // Only figures of the two years themselves: a figure carried forward from an
                // earlier year is no change.
                let own = |v: &YearView| {
                    v.figures.get(code).map(|f| {
                        let mut f = f.clone();
                        f.values.retain(|k, _| v.carried_year(code, k).is_none());
                        f
                    })
                };
                let (before, after) = (own(&earlier), own(&view));
                Some(trend(prev, before.as_ref(), view.year, after.as_ref()))
            }
            None => None,
        };
        Ok(AreaDetail {
            year: view.year,
            years,
            area: view.summary(code),
            ancestors,
            indicators,
            pressure,
            children,
            comparable,
            trend,
            source,
            fictional,
        })
    }

    /// Areas of a kind ranked by an indicator, highest value first.
    pub async fn ranking(
        &self,
        indicator_key: &str,
        kind: AreaKind,
        within: Option<&AreaCode>,
        year: Option<i32>,
    ) -> Result<Ranking, AppError> {
        self.ranking_window(indicator_key, kind, within, year, 0, None).await
    }

    /// A window on a ranking (paging): ranks stay those of the whole ranking. The whole
    /// ranking is computed once per year view and kept with it.
    pub async fn ranking_window(
        &self,
        indicator_key: &str,
        kind: AreaKind,
        within: Option<&AreaCode>,
        year: Option<i32>,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Ranking, AppError> {
        let def = known_indicator(indicator_key)?;
        let view = self.view(year).await?;
        let key = (view.year, def.key.to_string(), kind, within.map(ToString::to_string));
        let cached = self.cache.read().await.rankings.get(&key).cloned();
        let full = match cached {
            Some(r) => r,
            None => {
                let r = Arc::new(self.compute_ranking(&view, def, kind, within)?);
                let mut cache = self.cache.write().await;
                if cache.rankings.len() >= MAP_CACHE_ENTRIES {
                    cache.rankings.clear();
                }
                cache.rankings.insert(key, r.clone());
                r
            }
        };
        Ok(Ranking {
            year: full.year,
            indicator: full.indicator.clone(),
            kind: full.kind,
            within: full.within.clone(),
            without_value: full.without_value,
            rows: full.rows.iter().skip(offset).take(limit.unwrap_or(usize::MAX)).cloned().collect(),
            source: full.source.clone(),
        })
    }

    fn compute_ranking(
        &self,
        view: &YearView,
        def: &'static IndicatorDef,
        kind: AreaKind,
        within: Option<&AreaCode>,
    ) -> Result<Ranking, AppError> {
        let within_ref = match within {
            Some(w) => Some(view.area_ref(view.area(w).map(|a| &a.code)?)),
            None => None,
        };
        let mut with_value: Vec<(&AreaCode, f64)> = Vec::new();
        let mut without_value = 0;
        for code in view.members(kind, within) {
            match view.value(code, def.key) {
                Some(v) => with_value.push((code, v)),
                None => without_value += 1,
            }
        }
        with_value.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let rows = with_value
            .into_iter()
            .enumerate()
            .map(|(i, (code, value))| RankingRow {
                rank: i + 1,
                code: code.to_string(),
                name: view.name(code),
                municipality: code.municipality().filter(|m| m != code).map(|m| view.name(&m)),
                value,
            })
            .collect();
        Ok(Ranking {
            year: view.year,
            indicator: def.key.to_string(),
            kind,
            within: within_ref,
            without_value,
            rows,
            source: view
                .source_line(&[def.key], within.map(|w| view.is_fictional(w)).unwrap_or(view.national_is_fictional)),
        })
    }

    /// Every municipality's housing stock, social share and gap to 30%.
    pub async fn social_share(&self, year: Option<i32>) -> Result<SocialShare, AppError> {
        let view = self.view(year).await?;
        let municipalities = view
            .members(AreaKind::Gemeente, None)
            .map(|code| SocialShareRow {
                code: code.to_string(),
                name: view.name(code),
                housing_stock: view.value(code, "housing_stock"),
                social_share: view.value(code, "social_share"),
                social_homes: view.value(code, "social_homes"),
                gap_to_30: view.value(code, "social_gap_30"),
            })
            .collect();
        Ok(SocialShare {
            year: view.year,
            target_percent: leefwijk_domain::figures::SOCIAL_TARGET_SHARE * 100.0,
            municipalities,
            source: view.source_line(&["housing_stock", "pct_corporation"], view.national_is_fictional),
        })
    }

    /// Focus areas: the highest-pressure areas of the configured level nationally.
    pub async fn focus_areas(
        &self,
        year: Option<i32>,
    ) -> Result<(i32, Vec<(usize, AreaSummary, Vec<Driver>)>), AppError> {
        let view = self.view(year).await?;
        let mut rows: Vec<(usize, AreaSummary, Vec<Driver>)> = view
            .pressure
            .iter()
            .filter(|(c, s)| s.focus && view.is_fictional(c) == view.national_is_fictional)
            .filter_map(|(c, s)| Some((s.rank?, view.summary(c), s.drivers.clone())))
            .collect();
        rows.sort_by_key(|(rank, _, _)| *rank);
        Ok((view.year, rows))
    }

    /// A choropleth of the children (`kind`) of an area for one indicator.
    pub async fn map(
        &self,
        parent: &AreaCode,
        kind: AreaKind,
        indicator_key: &str,
        year: Option<i32>,
        width: f64,
    ) -> Result<MapView, AppError> {
        let def = known_indicator(indicator_key)?;
        let view = self.view(year).await?;
        let key: MapKey = (view.year, parent.to_string(), kind, def.key.to_string(), (width * 10.0).round() as u64);
        if let Some(map) = self.cache.read().await.maps.get(&key) {
            return Ok(MapView::clone(map));
        }
        let map = self.draw_map(&view, parent, kind, def, width).await?;
        let mut cache = self.cache.write().await;
        if cache.maps.len() >= MAP_CACHE_ENTRIES {
            cache.maps.clear();
        }
        cache.maps.insert(key, Arc::new(map.clone()));
        Ok(map)
    }

    async fn draw_map(
        &self,
        view: &YearView,
        parent: &AreaCode,
        kind: AreaKind,
        def: &IndicatorDef,
        width: f64,
    ) -> Result<MapView, AppError> {
        let national = parent.kind() == AreaKind::Land;
        // The country needs no row of its own to be mapped.
        if !national {
            view.area(parent)?;
        }
        let members: Vec<&AreaCode> = view.members(kind, Some(parent)).collect();
        let values: Vec<f64> = members.iter().filter_map(|c| view.value(c, def.key)).collect();
        let classes = quantile_classes(&values);
        // Boundaries of the same year as the figures, else the nearest earlier year, else the
        // nearest later one: the first that has boundaries for these areas (codes are matched,
        // never joined across a redivision).
        let shape_years = self.store.shape_years().await?;
        let mut candidates: Vec<i32> = shape_years.iter().copied().filter(|y| *y <= view.year).collect();
        candidates.sort_by_key(|y| std::cmp::Reverse(*y));
        let mut later: Vec<i32> = shape_years.iter().copied().filter(|y| *y > view.year).collect();
        later.sort_unstable();
        candidates.extend(later);
        let wanted: std::collections::BTreeSet<&AreaCode> = members.iter().copied().collect();
        let mut shape_year = view.year;
        let mut shapes = Vec::new();
        for y in candidates {
            let found = if national {
                self.store.shapes_of_kind(y, kind).await?
            } else {
                self.store.shapes_within(y, parent, kind).await?
            };
            if found.iter().any(|s| wanted.contains(&s.code)) {
                shape_year = y;
                shapes = found;
                break;
            }
        }
        // Only the areas on the map: never a fictional shape on a real map (the demo is drawn
        // in its own coordinates) nor the other way round.
        let on_map: std::collections::BTreeSet<&AreaCode> = members.iter().copied().collect();
        let shapes: BTreeMap<&AreaCode, &leefwijk_domain::geometry::Shape> =
            shapes.iter().filter(|s| on_map.contains(&s.code)).map(|s| (&s.code, &s.shape)).collect();
        let bbox = shapes.values().filter_map(|s| s.bbox()).reduce(BBox::union);
        let projection = bbox.map(|b| Projection::fit(b, width));
        // A whole-country map drops what no eye can see at its size: detail under a pixel,
        // and decimals. It keeps 3,340 wijken to a few hundred kilobytes.
        let (pixel, decimals) = match projection {
            Some(p) if national => (p.units_per_pixel() * 0.75, 0),
            _ => (0.0, 1),
        };
        let draw = |p: &Projection, s: &leefwijk_domain::geometry::Shape| {
            if pixel > 0.0 {
                // An area smaller than a pixel keeps its own outline: every area stays on
                // the map, to point at and to tab to.
                let simple = s.simplify(pixel);
                p.path_with(if simple.polygons.is_empty() { s } else { &simple }, decimals)
            } else {
                p.path_with(s, decimals)
            }
        };
        let outline_shapes = match (national, kind) {
            (true, AreaKind::Wijk | AreaKind::Buurt) => {
                self.store.shapes_of_kind(shape_year, AreaKind::Gemeente).await?
            }
            (false, _) => self.store.shape(shape_year, parent).await?.into_iter().collect(),
            _ => Vec::new(),
        };
        let outlines = match projection {
            Some(p) => outline_shapes
                .iter()
                .filter(|s| !national || view.is_fictional(&s.code) == view.national_is_fictional)
                .map(|s| draw(&p, &s.shape))
                .collect(),
            None => Vec::new(),
        };
        let areas = members
            .iter()
            .map(|code| {
                let value = view.value(code, def.key);
                let class = value.and_then(|v| class_of(&classes, v));
                let (label_x, label_y) = match (projection, shapes.get(code).and_then(|s| s.bbox())) {
                    (Some(p), Some(b)) => p.project(&[(b.min_x + b.max_x) / 2.0, (b.min_y + b.max_y) / 2.0]),
                    _ => (0.0, 0.0),
                };
                MapArea {
                    label_x,
                    label_y,
                    code: code.to_string(),
                    name: view.name(code),
                    value,
                    class,
                    fill: class.map(|c| classes[c].colour).unwrap_or(MISSING_FILL).to_string(),
                    path: match (projection, shapes.get(code)) {
                        (Some(p), Some(s)) => draw(&p, s),
                        _ => String::new(),
                    },
                }
            })
            .collect();
        let fictional = if national { view.national_is_fictional } else { view.is_fictional(parent) };
        let mut source = view.source_line(&[def.key], fictional);
        if projection.is_some() {
            source.push_str(if fictional {
                "; grenzen: fictief"
            } else {
                "; grenzen: CBS, Kadaster – CBS gebiedsindelingen"
            });
            if !fictional {
                source.push_str(&format!(" {shape_year}"));
            }
        }
        Ok(MapView {
            year: view.year,
            indicator: def.key.to_string(),
            kind,
            width,
            height: projection.map(|p| p.height).unwrap_or(0.0),
            classes,
            areas,
            has_shapes: projection.is_some(),
            source,
            outlines,
        })
    }

    /// The boundary of one area with its figures, as a GeoJSON Feature.
    pub async fn geojson(&self, code: &AreaCode, year: Option<i32>) -> Result<serde_json::Value, AppError> {
        let view = self.view(year).await?;
        let area = view.area(code)?;
        let shape_years = self.store.shape_years().await?;
        // Boundaries may be of another year than the figures: take the same or nearest earlier.
        let shape_year =
            shape_years.iter().copied().filter(|y| *y <= view.year).max().or_else(|| shape_years.iter().copied().min());
        let shape = match shape_year {
            Some(y) => self.store.shape(y, code).await?,
            None => None,
        };
        let geometry = shape.map(|s| serde_json::json!({"type": "MultiPolygon", "coordinates": s.shape.polygons}));
        let mut properties = serde_json::Map::new();
        properties.insert("code".into(), code.to_string().into());
        properties.insert("name".into(), area.name.clone().into());
        properties.insert("kind".into(), code.kind().as_str().into());
        properties.insert("year".into(), view.year.into());
        let keys: Vec<&str> =
            view.figures.get(code).map(|f| f.values.keys().map(String::as_str).collect()).unwrap_or_default();
        properties.insert("source".into(), view.source_line(&keys, area.fictional).into());
        if let Some(f) = view.figures.get(code) {
            for (k, v) in &f.values {
                properties.insert(k.clone(), (*v).into());
            }
        }
        Ok(
            serde_json::json!({"type": "Feature", "id": code.to_string(), "geometry": geometry, "properties": properties}),
        )
    }
}

/// Looks an indicator up, or says which ones exist.
pub fn known_indicator(key: &str) -> Result<&'static IndicatorDef, AppError> {
    indicator(key).ok_or_else(|| {
        AppError::BadRequest(format!(
            "unknown indicator '{key}'; known indicators: {}",
            leefwijk_domain::indicators::all().iter().map(|d| d.key).collect::<Vec<_>>().join(", ")
        ))
    })
}
