//! Pages of the neighbourhood monitor: home with search, municipality with map, area,
//! focus areas, social-rent overview and the indicator catalogue.

use super::{render, PageCtx, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leefwijk_app::areas::monitor::{AreaDetail, AreaSummary, MapView, YearView};
use leefwijk_app::{App, AppError};
use leefwijk_domain::indicators::{indicator, IndicatorDef, Unit};
use leefwijk_domain::trend::Comparability;
use leefwijk_domain::{AreaCode, AreaKind, CATALOGUE};
use serde::Deserialize;
use std::sync::Arc;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(home))
        .route("/gemeente/{code}", get(municipality))
        .route("/gebied/{code}", get(area))
        .route("/focusgebieden", get(focus))
        .route("/sociale-huur", get(social_rent))
        .route("/indicatoren", get(indicators))
        .route("/kaart", get(national_map))
}

/// Indicators shown as key figures and offered for the map, in this order.
const KEY_INDICATORS: &[&str] = &[
    "pressure_index",
    "population",
    "households",
    "housing_stock",
    "social_share",
    "social_gap_30",
    "pct_low_income_persons",
    "labour_participation",
    "difficulty_making_ends_meet",
    "severely_lonely",
    "anxiety_depression_risk",
    "health_good",
    "low_income_share",
    "avg_income_per_inhabitant",
    "benefits_per_1000",
    "bijstand_per_1000",
    "single_person_share",
    "share_65_plus",
    "avg_woz",
    "distance_gp",
    "distance_school",
    "distance_supermarket",
];

/// Height of the band above the map where the hovered or focused area's name and value
/// appear: no shape is drawn there, so no neighbour can paint over the label.
const MAP_BAND: f64 = 48.0;

fn def(key: &str) -> &'static IndicatorDef {
    indicator(key).unwrap_or(&CATALOGUE[0])
}

fn href(code: &str) -> String {
    if code.starts_with("GM") {
        format!("/gemeente/{code}")
    } else {
        format!("/gebied/{code}")
    }
}

fn kind_label(ctx: &PageCtx, kind: AreaKind) -> String {
    ctx.t(kind.label_nl(), kind.label_en()).to_string()
}

struct Row {
    href: String,
    name: String,
    kind: String,
    municipality: String,
    population: String,
    pressure: String,
    focus: bool,
}

fn row(ctx: &PageCtx, a: &AreaSummary) -> Row {
    Row {
        href: href(&a.code),
        name: a.name.clone(),
        kind: kind_label(ctx, a.kind),
        municipality: a.municipality.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
        population: ctx.value(a.population, Unit::Count),
        pressure: ctx.value(a.pressure_index, Unit::Score),
        focus: a.focus,
    }
}

#[derive(Deserialize)]
struct HomeQuery {
    q: Option<String>,
}

struct MunicipalityRow {
    href: String,
    name: String,
    population: String,
    social_share: String,
    gap: String,
    pressure: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    year: i32,
    q: String,
    searched: bool,
    results: Vec<Row>,
    municipalities: Vec<MunicipalityRow>,
    source: String,
    /// The fictional demo collaboration's municipalities, shown apart from the real ones.
    fictional: Vec<MunicipalityRow>,
    fictional_source: String,
    demo: bool,
}

async fn home(State(app): State<App>, ctx: PageCtx, Query(q): Query<HomeQuery>) -> Response {
    let query = q.q.unwrap_or_default();
    let result = async {
        let (year, results) = if query.trim().is_empty() {
            (0, Vec::new())
        } else {
            app.monitor.search(Some(&query), None, None, None, 50).await?
        };
        let view = app.monitor.view(None).await?;
        let rows = |fictional: bool| {
            view.areas
                .values()
                .filter(|a| a.kind == AreaKind::Gemeente && a.fictional == fictional)
                .map(|a| MunicipalityRow {
                    href: href(a.code.as_str()),
                    name: a.name.clone(),
                    population: ctx.value(view.value(&a.code, "population"), Unit::Count),
                    social_share: ctx.value(view.value(&a.code, "social_share"), Unit::Percent),
                    gap: ctx.value(view.value(&a.code, "social_gap_30"), Unit::Count),
                    pressure: ctx.value(view.value(&a.code, "pressure_index"), Unit::Score),
                })
                .collect::<Vec<_>>()
        };
        let keys = ["population", "housing_stock", "pct_corporation"];
        let municipalities = rows(false);
        let fictional = rows(true);
        let demo = !fictional.is_empty();
        Ok::<_, AppError>(HomePage {
            year: if year == 0 { view.year } else { year },
            searched: !query.trim().is_empty(),
            results: results.iter().map(|a| row(&ctx, a)).collect(),
            q: query.clone(),
            municipalities,
            source: view.source_line(&keys, false),
            fictional,
            fictional_source: view.source_line(&keys, true),
            demo,
            ctx: ctx.clone(),
        })
    }
    .await;
    match result {
        Ok(page) => render(&ctx, &page),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

#[derive(Deserialize)]
struct MapQuery {
    indicator: Option<String>,
    niveau: Option<String>,
    year: Option<String>,
}

pub(crate) struct KeyFigure {
    pub name: String,
    pub value: String,
    pub national: String,
    pub note: String,
}

struct IndicatorOption {
    key: String,
    name: String,
    selected: bool,
}

struct LegendEntry {
    colour: String,
    label: String,
}

struct MapShape {
    code: String,
    href: String,
    label: String,
    path: String,
    fill: String,
}

struct MapRow {
    href: String,
    name: String,
    value: String,
    class: String,
    colour: String,
}

#[derive(Template)]
#[template(path = "municipality.html")]
struct MunicipalityPage {
    ctx: PageCtx,
    code: String,
    name: String,
    year: i32,
    years: Vec<i32>,
    key_figures: Vec<KeyFigure>,
    gap_sentence: String,
    m: MapPanel,
    niveau_buurt: bool,
    table: Vec<MapRow>,
    rank_sentence: String,
    /// "Bron: …" of the key figures, and of the map (figures and boundaries).
    source: String,
    map_source: String,
    /// Made-up demo municipality: no national comparison.
    fictional: bool,
}

async fn municipality(
    State(app): State<App>,
    ctx: PageCtx,
    Path(code): Path<String>,
    Query(q): Query<MapQuery>,
) -> Response {
    let result = municipality_page(&app, &ctx, &code, q).await;
    match result {
        Ok(page) => render(&ctx, &page),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

fn parse_code(code: &str) -> Result<AreaCode, AppError> {
    AreaCode::parse(code).map_err(|e| AppError::BadRequest(e.to_string()))
}

fn parse_year(year: Option<&str>) -> Result<Option<i32>, AppError> {
    match year.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(None),
        Some(y) => y.parse().map(Some).map_err(|_| AppError::BadRequest(format!("'{y}' is not a year"))),
    }
}

async fn municipality_page(app: &App, ctx: &PageCtx, code: &str, q: MapQuery) -> Result<MunicipalityPage, AppError> {
    let code = parse_code(code)?;
    if code.kind() != AreaKind::Gemeente {
        return Err(AppError::BadRequest(format!("{code} is not a municipality; see /gebied/{code}")));
    }
    let year = parse_year(q.year.as_deref())?;
    let detail = app.monitor.area(&code, year).await?;
    let indicator_key = q.indicator.filter(|k| indicator(k).is_some()).unwrap_or_else(|| "pressure_index".to_string());
    let niveau_buurt = q.niveau.as_deref() == Some("buurt");
    let kind = if niveau_buurt { AreaKind::Buurt } else { AreaKind::Wijk };
    let map = app.monitor.map(&code, kind, &indicator_key, Some(detail.year), 800.0).await?;
    let d = def(&indicator_key);
    let key_figures = key_figures(ctx, &detail);
    let gap = detail.indicators.iter().find(|i| i.key == "social_gap_30").and_then(|i| i.value);
    let share = detail.indicators.iter().find(|i| i.key == "social_share").and_then(|i| i.value);
    let gap_sentence = match (gap, share) {
        (Some(g), Some(s)) if g > 0.0 => format!(
            "{} {} {} {} {}",
            ctx.t("Het aandeel sociale huur is", "The social-rent share is"),
            ctx.value(Some(s), Unit::Percent),
            ctx.t("van de woningvoorraad. Om 30% te bereiken zijn", "of the housing stock. Reaching 30% takes"),
            ctx.value(Some(g), Unit::Count),
            ctx.t("extra sociale huurwoningen nodig.", "extra social rental homes."),
        ),
        (Some(_), Some(s)) => format!(
            "{} {} {}",
            ctx.t("Het aandeel sociale huur is", "The social-rent share is"),
            ctx.value(Some(s), Unit::Percent),
            ctx.t("van de woningvoorraad: de 30%-norm is gehaald.", "of the housing stock: the 30% target is met."),
        ),
        _ => ctx
            .t(
                "Voor deze gemeente zijn geen cijfers over sociale huur bekend.",
                "No social-rent figures are known for this municipality.",
            )
            .to_string(),
    };
    let rank_sentence = match detail.pressure.as_ref().and_then(|p| p.rank.map(|r| (r, p.ranked_of))) {
        Some((r, n)) => format!(
            "{} {} {} {} {}",
            ctx.t("Drukindex: plaats", "Pressure index: rank"),
            r,
            ctx.t("van", "of"),
            n,
            ctx.t("gemeenten (1 = hoogste druk).", "municipalities (1 = highest pressure)."),
        ),
        None => String::new(),
    };
    let view = app.monitor.view(Some(detail.year)).await?;
    Ok(MunicipalityPage {
        code: code.to_string(),
        name: detail.area.name.clone(),
        year: detail.year,
        years: detail.years.clone(),
        key_figures,
        gap_sentence,
        m: map_panel(ctx, &map, &view),
        niveau_buurt,
        table: map_table(ctx, &map, d.unit),
        rank_sentence,
        source: detail.source.clone(),
        map_source: map.source.clone(),
        fictional: detail.fictional,
        ctx: ctx.clone(),
    })
}

/// The map of one indicator with everything both map pages draw: the indicator choice,
/// the SVG shapes and outlines, and the legend.
pub(crate) struct MapPanel {
    indicator_name: String,
    indicator_key: String,
    options: Vec<IndicatorOption>,
    map_width: String,
    map_view_height: String,
    band_height: String,
    has_shapes: bool,
    shapes: Vec<MapShape>,
    outlines: Vec<String>,
    legend: Vec<LegendEntry>,
}

/// The indicators the mapped areas have figures for (and the pressure index), key figures
/// first, the chosen one selected.
fn map_panel(ctx: &PageCtx, map: &MapView, view: &leefwijk_app::areas::monitor::YearView) -> MapPanel {
    let d = def(&map.indicator);
    let known: std::collections::BTreeSet<&str> = map
        .areas
        .iter()
        .filter_map(|a| AreaCode::parse(&a.code).ok())
        .filter_map(|c| view.figures.get(&c))
        .flat_map(|f| f.values.keys().map(String::as_str))
        .collect();
    let options = KEY_INDICATORS
        .iter()
        .chain(leefwijk_domain::indicators::all().into_iter().map(|d| &d.key).filter(|k| !KEY_INDICATORS.contains(k)))
        .filter(|k| !matches!(**k, "boundary_change" | "urbanity"))
        .filter(|k| **k == "pressure_index" || **k == map.indicator || known.contains(**k))
        .map(|k| IndicatorOption {
            key: k.to_string(),
            name: def(k).name(ctx.lang).to_string(),
            selected: *k == map.indicator,
        })
        .collect();
    MapPanel {
        indicator_name: d.name(ctx.lang).to_string(),
        indicator_key: map.indicator.clone(),
        options,
        map_width: format!("{:.0}", map.width),
        map_view_height: format!("{:.0}", map.height.max(1.0) + MAP_BAND),
        band_height: format!("{MAP_BAND:.0}"),
        has_shapes: map.has_shapes,
        shapes: map_shapes(ctx, map, d.unit),
        outlines: map.outlines.clone(),
        legend: legend(ctx, map, d.unit),
    }
}

/// Why a value is missing, or the year it is from when that is not the year shown.
fn figure_note(ctx: &PageCtx, i: &leefwijk_app::areas::monitor::IndicatorValue, shown_year: i32) -> String {
    if i.value.is_none() {
        ctx.missing_note(i.missing)
    } else if i.year != shown_year {
        format!("{} {}", ctx.t("cijfer van", "figure of"), i.year)
    } else {
        String::new()
    }
}

pub(crate) fn key_figures(ctx: &PageCtx, detail: &AreaDetail) -> Vec<KeyFigure> {
    KEY_INDICATORS
        .iter()
        .filter_map(|k| detail.indicators.iter().find(|i| i.key == *k))
        .map(|i| {
            let d = def(&i.key);
            KeyFigure {
                name: d.name(ctx.lang).to_string(),
                value: ctx.value(i.value, d.unit),
                national: if i.key == "pressure_index" {
                    ctx.value(Some(0.0), Unit::Score)
                } else {
                    ctx.value(i.national, d.unit)
                },
                note: figure_note(ctx, i, detail.year),
            }
        })
        .collect()
}

fn map_shapes(ctx: &PageCtx, map: &MapView, unit: Unit) -> Vec<MapShape> {
    map.areas
        .iter()
        .filter(|a| !a.path.is_empty())
        .map(|a| MapShape {
            code: a.code.clone(),
            href: href(&a.code),
            // Spell out a missing value: screen readers skip or misread "·".
            label: format!(
                "{}: {}",
                a.name,
                if a.value.is_some() {
                    ctx.value(a.value, unit)
                } else {
                    ctx.t("geen gegevens", "no data").to_string()
                }
            ),
            path: a.path.clone(),
            fill: a.fill.clone(),
        })
        .collect()
}

fn legend(ctx: &PageCtx, map: &MapView, unit: Unit) -> Vec<LegendEntry> {
    let mut entries: Vec<LegendEntry> = map
        .classes
        .iter()
        .map(|c| LegendEntry {
            colour: c.colour.to_string(),
            label: if c.lower == c.upper {
                ctx.value(Some(c.lower), unit)
            } else {
                format!("{} – {}", ctx.value(Some(c.lower), unit), ctx.value(Some(c.upper), unit))
            },
        })
        .collect();
    if map.areas.iter().any(|a| a.value.is_none()) {
        entries.push(LegendEntry {
            colour: leefwijk_domain::choropleth::MISSING_FILL.to_string(),
            label: ctx.t("geen gegevens", "no data").to_string(),
        });
    }
    entries
}

fn map_table(ctx: &PageCtx, map: &MapView, unit: Unit) -> Vec<MapRow> {
    let mut rows: Vec<&leefwijk_app::areas::monitor::MapArea> = map.areas.iter().collect();
    rows.sort_by(|a, b| {
        b.value.unwrap_or(f64::NEG_INFINITY).total_cmp(&a.value.unwrap_or(f64::NEG_INFINITY)).then(a.name.cmp(&b.name))
    });
    rows.into_iter()
        .map(|a| MapRow {
            href: href(&a.code),
            name: a.name.clone(),
            value: ctx.value(a.value, unit),
            class: a
                .class
                .map(|c| format!("{} {}", ctx.t("klasse", "class"), c + 1))
                .unwrap_or_else(|| ctx.t("geen gegevens", "no data").to_string()),
            colour: a.fill.clone(),
        })
        .collect()
}

struct IndicatorRow {
    name: String,
    value: String,
    note: String,
    national: String,
    origin: String,
}

struct DriverRow {
    name: String,
    value: String,
    z: String,
    contribution: String,
    direction: String,
}

struct TrendRow {
    name: String,
    from: String,
    to: String,
    change: String,
}

struct Crumb {
    href: String,
    name: String,
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    ctx: PageCtx,
    code: String,
    name: String,
    kind: String,
    is_municipality: bool,
    year: i32,
    crumbs: Vec<Crumb>,
    indicators: Vec<IndicatorRow>,
    has_pressure: bool,
    pressure_score: String,
    rank_sentence: String,
    rank_in_municipality: String,
    focus: bool,
    drivers: Vec<DriverRow>,
    children: Vec<Row>,
    comparable: Vec<Row>,
    has_trend: bool,
    trend_title: String,
    trend_warning: String,
    trend: Vec<TrendRow>,
    /// Early-signalling figures of the last 12 months, disclosure-controlled.
    outreach: Vec<super::signals::FigureCell>,
    /// "Bron: …" of the figures shown.
    source: String,
}

#[derive(Deserialize)]
struct YearOnly {
    year: Option<String>,
}

async fn area(State(app): State<App>, ctx: PageCtx, Path(code): Path<String>, Query(q): Query<YearOnly>) -> Response {
    match area_page(&app, &ctx, &code, q).await {
        Ok(page) => render(&ctx, &page),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

async fn area_page(app: &App, ctx: &PageCtx, code: &str, q: YearOnly) -> Result<AreaPage, AppError> {
    let code = parse_code(code)?;
    let detail = app.monitor.area(&code, parse_year(q.year.as_deref())?).await?;
    let kind = detail.area.kind;
    let indicators = detail
        .indicators
        .iter()
        .map(|i| {
            let d = def(&i.key);
            IndicatorRow {
                name: d.name(ctx.lang).to_string(),
                value: ctx.value(i.value, d.unit),
                note: figure_note(ctx, i, detail.year),
                national: ctx.value(i.national, d.unit),
                origin: match i.origin {
                    leefwijk_domain::indicators::Origin::Base => i.source.trim_start_matches("Bron: ").to_string(),
                    leefwijk_domain::indicators::Origin::Derived => ctx.t("afgeleid", "derived").to_string(),
                },
            }
        })
        .collect();
    let p = detail.pressure.as_ref();
    let level_plural = match kind {
        AreaKind::Gemeente => ctx.t("gemeenten", "municipalities"),
        AreaKind::Wijk => ctx.t("wijken", "districts"),
        AreaKind::Buurt => ctx.t("buurten", "neighbourhoods"),
        AreaKind::Land => "",
    };
    let rank_sentence = p
        .and_then(|p| {
            p.rank.map(|r| {
                format!(
                    "{} {r} {} {} {level_plural} {}",
                    ctx.t("Plaats", "Rank"),
                    ctx.t("van", "of"),
                    p.ranked_of,
                    ctx.t("landelijk (1 = hoogste druk)", "nationally (1 = highest pressure)")
                )
            })
        })
        .unwrap_or_else(|| {
            ctx.t(
                "Geen drukindex: te weinig inwoners of gegevens.",
                "No pressure index: too few inhabitants or figures.",
            )
            .to_string()
        });
    let rank_in_municipality = p
        .and_then(|p| {
            p.rank_in_municipality.filter(|_| kind != AreaKind::Gemeente).map(|r| {
                format!(
                    "{} {r} {} {} {level_plural} {}",
                    ctx.t("Plaats", "Rank"),
                    ctx.t("van", "of"),
                    p.ranked_in_municipality_of,
                    ctx.t("in de gemeente", "in the municipality")
                )
            })
        })
        .unwrap_or_default();
    let drivers = p
        .map(|p| {
            p.drivers
                .iter()
                .map(|dr| {
                    let d = def(&dr.indicator);
                    DriverRow {
                        name: d.name(ctx.lang).to_string(),
                        value: ctx.value(Some(dr.value), d.unit),
                        z: ctx.value(Some(dr.z), Unit::Score),
                        contribution: ctx.value(Some(dr.contribution), Unit::Score),
                        direction: if dr.contribution > 0.0 {
                            ctx.t("verhoogt druk", "raises pressure")
                        } else {
                            ctx.t("verlaagt druk", "lowers pressure")
                        }
                        .to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let (has_trend, trend_title, trend_warning, trend) = match &detail.trend {
        Some(t) => {
            let warning = match t.comparability {
                Comparability::Comparable => String::new(),
                Comparability::BoundaryChanged => ctx.t("Let op: CBS meldt een gewijzigde code of indeling van dit gebied. De jaren zijn niet zonder meer vergelijkbaar.", "Note: CBS reports a changed code or boundary for this area. The years are not directly comparable.").to_string(),
                Comparability::MissingInYear => format!("{} {}.", ctx.t("Dit gebied bestaat niet (met deze code) in", "This area does not exist (with this code) in"), t.from_year),
            };
            let rows = KEY_INDICATORS
                .iter()
                .filter_map(|k| t.values.iter().find(|v| v.indicator == *k))
                .map(|v| {
                    let d = def(&v.indicator);
                    TrendRow {
                        name: d.name(ctx.lang).to_string(),
                        from: ctx.value(Some(v.from), d.unit),
                        to: ctx.value(Some(v.to), d.unit),
                        change: ctx.change(v.change, d.unit),
                    }
                })
                .collect();
            (true, format!("{} {} – {}", ctx.t("Ontwikkeling", "Trend"), t.from_year, t.to_year), warning, rows)
        }
        None => (false, String::new(), String::new(), Vec::new()),
    };
    // Outreach figures are an addition to the page: without them the CBS figures still show.
    let outreach = match leefwijk_app::signals::figures::area_figures(app, &code, 12).await {
        Ok(f) => super::signals::figure_cells(ctx, &f),
        Err(e) => {
            tracing::warn!(error = %e, area = %code, "outreach figures unavailable");
            Vec::new()
        }
    };
    Ok(AreaPage {
        code: code.to_string(),
        name: detail.area.name.clone(),
        kind: kind_label(ctx, kind),
        is_municipality: kind == AreaKind::Gemeente,
        year: detail.year,
        crumbs: detail
            .ancestors
            .iter()
            .filter(|a| a.kind != AreaKind::Land)
            .map(|a| Crumb { href: href(&a.code), name: a.name.clone() })
            .collect(),
        indicators,
        has_pressure: p.and_then(|p| p.score).is_some(),
        pressure_score: ctx.value(p.and_then(|p| p.score), Unit::Score),
        rank_sentence,
        rank_in_municipality,
        focus: p.map(|p| p.focus).unwrap_or(false),
        drivers,
        children: detail.children.iter().map(|c| row(ctx, c)).collect(),
        comparable: detail.comparable.iter().map(|c| row(ctx, &c.area)).collect(),
        has_trend,
        trend_title,
        trend_warning,
        trend,
        outreach,
        source: detail.source.clone(),
        ctx: ctx.clone(),
    })
}

struct FocusRow {
    rank: usize,
    href: String,
    name: String,
    municipality: String,
    score: String,
    drivers: String,
}

struct WeightRow {
    name: String,
    weight: String,
}

#[derive(Template)]
#[template(path = "focus.html")]
struct FocusPage {
    ctx: PageCtx,
    year: i32,
    top_n: usize,
    rows: Vec<FocusRow>,
    weights: Vec<WeightRow>,
    source: String,
}

async fn focus(State(app): State<App>, ctx: PageCtx, Query(q): Query<YearOnly>) -> Response {
    let result = async {
        let (year, rows) = app.monitor.focus_areas(parse_year(q.year.as_deref())?).await?;
        let config = app.monitor.config();
        let view = app.monitor.view(Some(year)).await?;
        let keys: Vec<&str> = config.weights.iter().map(|w| w.indicator.as_str()).collect();
        let source = view.source_line(&keys, view.national_is_fictional);
        Ok::<_, AppError>(FocusPage {
            year,
            top_n: config.focus_top_n,
            rows: rows
                .iter()
                .map(|(rank, a, drivers)| FocusRow {
                    rank: *rank,
                    href: href(&a.code),
                    name: a.name.clone(),
                    municipality: a.municipality.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
                    score: ctx.value(a.pressure_index, Unit::Score),
                    drivers: drivers
                        .iter()
                        .filter(|d| d.contribution > 0.0)
                        .take(3)
                        .map(|d| def(&d.indicator).name(ctx.lang))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect(),
            weights: config
                .weights
                .iter()
                .map(|w| WeightRow {
                    name: def(&w.indicator).name(ctx.lang).to_string(),
                    weight: ctx.value(Some(w.weight), Unit::Score),
                })
                .collect(),
            source,
            ctx: ctx.clone(),
        })
    }
    .await;
    match result {
        Ok(page) => render(&ctx, &page),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

struct ShareRow {
    href: String,
    name: String,
    stock: String,
    share: String,
    homes: String,
    gap: String,
}

#[derive(Template)]
#[template(path = "social_rent.html")]
struct SocialRentPage {
    ctx: PageCtx,
    year: i32,
    rows: Vec<ShareRow>,
    below: usize,
    total_gap: String,
    source: String,
}

async fn social_rent(State(app): State<App>, ctx: PageCtx, Query(q): Query<YearOnly>) -> Response {
    let result = async {
        let share = app.monitor.social_share(parse_year(q.year.as_deref())?).await?;
        let mut municipalities = share.municipalities.clone();
        municipalities.sort_by(|a, b| {
            b.gap_to_30.unwrap_or(-1.0).total_cmp(&a.gap_to_30.unwrap_or(-1.0)).then(a.name.cmp(&b.name))
        });
        let below = municipalities.iter().filter(|m| m.gap_to_30.unwrap_or(0.0) > 0.0).count();
        let total: f64 = municipalities.iter().filter_map(|m| m.gap_to_30).sum();
        Ok::<_, AppError>(SocialRentPage {
            year: share.year,
            rows: municipalities
                .iter()
                .map(|m| ShareRow {
                    href: href(&m.code),
                    name: m.name.clone(),
                    stock: ctx.value(m.housing_stock, Unit::Count),
                    share: ctx.value(m.social_share, Unit::Percent),
                    homes: ctx.value(m.social_homes, Unit::Count),
                    gap: ctx.value(m.gap_to_30, Unit::Count),
                })
                .collect(),
            below,
            total_gap: ctx.value(Some(total), Unit::Count),
            source: share.source.clone(),
            ctx: ctx.clone(),
        })
    }
    .await;
    match result {
        Ok(page) => render(&ctx, &page),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

struct CatalogueRow {
    key: String,
    name: String,
    unit: String,
    /// The definition in the page's language, in prose.
    definition: String,
    /// How a derived indicator is computed, in canonical keys; empty when there is none.
    formula: String,
    source: String,
    direction: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    ctx: PageCtx,
    rows: Vec<CatalogueRow>,
}

async fn indicators(State(app): State<App>, ctx: PageCtx) -> Response {
    // The catalogue and what was imported under a StatLine codebook's names.
    let all = match app.monitor.indicators().await {
        Ok(all) => all,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let rows = all
        .into_iter()
        .map(|d| CatalogueRow {
            key: d.key.to_string(),
            name: d.name(ctx.lang).to_string(),
            unit: d.unit.symbol().to_string(),
            definition: d.definition_in(ctx.lang).to_string(),
            formula: d.formula.to_string(),
            source: d.source.to_string(),
            direction: match d.higher_is_better {
                Some(true) => ctx.t("hoger is beter", "higher is better"),
                Some(false) => ctx.t("lager is beter", "lower is better"),
                None => ctx.t("beschrijvend", "descriptive"),
            }
            .to_string(),
        })
        .collect();
    render(&ctx, &IndicatorsPage { ctx: ctx.clone(), rows })
}

#[derive(Deserialize)]
struct NationalMapQuery {
    indicator: Option<String>,
    niveau: Option<String>,
    year: Option<String>,
    pagina: Option<String>,
}

/// Rows of the text alternative per page: the whole country has 3,340 wijken.
const MAP_TABLE_PAGE: usize = 100;

#[derive(Template)]
#[template(path = "national_map.html")]
struct NationalMapPage<'a> {
    ctx: PageCtx,
    parts: &'a NationalMapParts,
    m: &'a MapPanel,
    niveau_gemeente: bool,
    table: &'a [MapRow],
    page: usize,
    pages: usize,
    first_row: usize,
}

/// What the national map page shows that depends only on the figures, the indicator, the
/// level and the language. 3,340 wijken are 1.4 MB of SVG: drawn once per year view and
/// kept with it (`YearView::keep_derived`), not per request.
struct NationalMapParts {
    year: i32,
    m: MapPanel,
    /// The shapes and outlines, rendered (see `national_map_shapes.html`).
    shapes_svg: String,
    table: Vec<MapRow>,
    areas_shown: String,
    source: String,
}

#[derive(Template)]
#[template(path = "national_map_shapes.html")]
struct NationalMapShapes<'a> {
    shapes: &'a [MapShape],
    outlines: &'a [String],
}

async fn national_map(
    State(app): State<App>,
    ctx: PageCtx,
    headers: axum::http::HeaderMap,
    Query(q): Query<NationalMapQuery>,
) -> Response {
    let niveau_gemeente = q.niveau.as_deref() == Some("gemeente");
    let page = match q.pagina.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => 1,
        Some(p) => match p.parse::<usize>().ok().filter(|p| *p >= 1) {
            Some(p) => p,
            None => {
                let e = AppError::BadRequest(format!("'{p}' is not a page number such as 2"));
                return PageError::from_app(&ctx, e).into_response();
            }
        },
    };
    let (view, parts) = match national_map_parts(&app, &ctx, &q, niveau_gemeente).await {
        Ok(found) => found,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let pages = parts.table.len().div_ceil(MAP_TABLE_PAGE).max(1);
    if page > pages {
        let e = AppError::NotFound(format!("page {page} of the map table (there are {pages})"));
        return PageError::from_app(&ctx, e).into_response();
    }
    // Without a session the page is the same for everyone who asks for it: it is kept,
    // as is and gzipped, with the year view (gzipping 1.4 MB takes ~45 ms per request).
    let gzip = super::accepts_gzip(&headers);
    let key =
        format!("national-map-html|{niveau_gemeente}|{}|{page}|{:?}|{}", parts.m.indicator_key, ctx.lang, ctx.here);
    if ctx.user.is_none() {
        if let Some(kept) = view.derived::<super::KeptPage>(&key) {
            return kept.response(gzip);
        }
    }
    let first = (page - 1) * MAP_TABLE_PAGE;
    let last = (first + MAP_TABLE_PAGE).min(parts.table.len());
    let page = NationalMapPage {
        parts: &parts,
        m: &parts.m,
        niveau_gemeente,
        table: &parts.table[first..last],
        page,
        pages,
        first_row: first + 1,
        ctx: ctx.clone(),
    };
    if ctx.user.is_some() {
        return render(&ctx, &page);
    }
    match page.render() {
        Ok(html) => {
            let kept = Arc::new(super::KeptPage::new(html));
            view.keep_derived(key, kept.clone(), kept.bytes());
            kept.response(gzip)
        }
        Err(e) => PageError::from_app(&ctx, AppError::Internal(e.to_string())).into_response(),
    }
}

async fn national_map_parts(
    app: &App,
    ctx: &PageCtx,
    q: &NationalMapQuery,
    niveau_gemeente: bool,
) -> Result<(Arc<YearView>, Arc<NationalMapParts>), AppError> {
    let year = parse_year(q.year.as_deref())?;
    let indicator_key = q.indicator.as_deref().filter(|k| indicator(k).is_some()).unwrap_or("pressure_index");
    let kind = if niveau_gemeente { AreaKind::Gemeente } else { AreaKind::Wijk };
    let view = app.monitor.view(year).await?;
    let key = format!("national-map-page|{kind:?}|{indicator_key}|{:?}", ctx.lang);
    if let Some(parts) = view.derived::<NationalMapParts>(&key) {
        return Ok((view, parts));
    }
    let nl = AreaCode::parse(leefwijk_domain::area::NATIONAL_CODE).map_err(|e| AppError::Internal(e.to_string()))?;
    let map = app.monitor.map(&nl, kind, indicator_key, Some(view.year), 800.0).await?;
    let d = def(indicator_key);
    let mut m = map_panel(ctx, &map, &view);
    let shapes_svg = NationalMapShapes { shapes: &m.shapes, outlines: &m.outlines }
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // Drawn once into `shapes_svg`; the page needs no second copy.
    m.shapes = Vec::new();
    m.outlines = Vec::new();
    let table = map_table(ctx, &map, d.unit);
    let parts = Arc::new(NationalMapParts {
        year: map.year,
        areas_shown: ctx.value(Some(table.len() as f64), Unit::Count),
        table,
        source: map.source.clone(),
        shapes_svg,
        m,
    });
    let bytes = parts.shapes_svg.len() + parts.table.len() * 256;
    view.keep_derived(key, parts.clone(), bytes);
    Ok((view, parts))
}
