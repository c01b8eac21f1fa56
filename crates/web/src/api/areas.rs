//! API of the neighbourhood monitor.

use crate::negotiate::{csv_response, json, negotiate, num, strip_csv, Format};
use crate::Problem;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leefwijk_app::areas::monitor::{AreaDetail, AreaSummary, Ranking, SocialShare};
use leefwijk_app::{App, AppError};
use leefwijk_domain::pressure::Driver;
use leefwijk_domain::{AreaCode, AreaKind, IndicatorDef};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

const MAX_LIMIT: usize = 20_000;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/areas", get(list_areas))
        .route("/areas.csv", get(list_areas_csv))
        .route("/areas/{code}", get(get_area))
        .route("/areas/{code}/geojson", get(get_area_geojson))
        .route("/rankings", get(rankings))
        .route("/rankings.csv", get(rankings_csv))
        .route("/housing/social-share", get(social_share))
        .route("/housing/social-share.csv", get(social_share_csv))
        .route("/focus-areas", get(focus_areas))
        .route("/focus-areas.csv", get(focus_areas_csv))
        .route("/indicators", get(indicators))
        .route("/indicators.csv", get(indicators_csv))
}

fn parse_year(raw: Option<&str>) -> Result<Option<i32>, Problem> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| Problem::bad_request(format!("year '{s}' is not a year such as 2024"))),
    }
}

fn parse_kind(raw: Option<&str>) -> Result<Option<AreaKind>, Problem> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => AreaKind::from_cbs_label(s)
            .map(Some)
            .ok_or_else(|| Problem::bad_request(format!("kind '{s}' is not one of gemeente, wijk, buurt, land"))),
    }
}

fn parse_code(raw: &str, param: &str) -> Result<AreaCode, Problem> {
    AreaCode::parse(raw).map_err(|e| Problem::bad_request(format!("{param}: {e}")))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreasQuery {
    /// Part of a name or code, case-insensitive.
    q: Option<String>,
    /// gemeente, wijk, buurt or land.
    kind: Option<String>,
    /// Code of the parent area (a municipality lists its wijken and buurten).
    parent: Option<String>,
    /// Year of the figures; the newest when left out.
    year: Option<String>,
    /// At most this many areas (default 100, at most 20000).
    limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaList {
    year: i32,
    count: usize,
    areas: Vec<AreaSummary>,
    source: String,
}

/// Searches areas by name or code, kind and parent.
#[utoipa::path(get, path = "/api/v1/areas", tag = "areas", params(AreasQuery),
    responses(
        (status = 200, description = "Matching areas (also as CSV)", body = AreaList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Unsupported Accept", body = Problem, content_type = "application/problem+json")))]
async fn list_areas(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<AreasQuery>,
) -> Result<Response, Problem> {
    areas_response(app, headers, q, false).await
}

async fn list_areas_csv(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<AreasQuery>,
) -> Result<Response, Problem> {
    areas_response(app, headers, q, true).await
}

async fn areas_response(app: App, headers: HeaderMap, q: AreasQuery, csv: bool) -> Result<Response, Problem> {
    let format = negotiate(&headers, csv, true, &[])?;
    let kind = parse_kind(q.kind.as_deref())?;
    let parent = q.parent.as_deref().filter(|p| !p.trim().is_empty()).map(|p| parse_code(p, "parent")).transpose()?;
    let year = parse_year(q.year.as_deref())?;
    let limit = match q.limit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 100,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| Problem::bad_request(format!("limit '{s}' must be a number from 1 to {MAX_LIMIT}")))?,
    };
    let (year, areas) = app.monitor.search(q.q.as_deref(), kind, parent.as_ref(), year, limit).await?;
    let view = app.monitor.view(Some(year)).await?;
    let sources: Vec<String> = areas
        .iter()
        .map(|a| AreaCode::parse(&a.code).map(|c| view.source_of(&c, "population")).unwrap_or_default())
        .collect();
    let mut all: Vec<&str> = Vec::new();
    for line in &sources {
        for part in line.trim_start_matches("Bron: ").split("; ").filter(|p| !p.is_empty()) {
            if !all.contains(&part) {
                all.push(part);
            }
        }
    }
    let source = format!("Bron: {}", all.join("; "));
    let mut sources = sources.into_iter();
    Ok(match format {
        Format::Json => json(&AreaList { year, count: areas.len(), areas, source }),
        Format::Csv => csv_response(
            "areas",
            &["code", "name", "kind", "municipality", "population", "pressure_index", "focus", "year", "source"],
            areas
                .into_iter()
                .map(|a| {
                    vec![
                        a.code,
                        a.name,
                        a.kind.to_string(),
                        a.municipality.map(|m| m.code).unwrap_or_default(),
                        num(a.population),
                        num(a.pressure_index),
                        a.focus.to_string(),
                        year.to_string(),
                        sources.next().unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Year of the figures; the newest when left out.
    year: Option<String>,
}

/// One area: figures, derived indicators, pressure rank and drivers, children,
/// comparable areas and the trend since the previous year. `/api/v1/areas/GM0363.csv`
/// gives the indicators as CSV.
#[utoipa::path(get, path = "/api/v1/areas/{code}", tag = "areas",
    params(("code" = String, Path, description = "CBS code: GMxxxx, WKxxxxxx, BUxxxxxxxx or NL00; add .csv for CSV"), YearQuery),
    responses(
        (status = 200, description = "The area", body = AreaDetail),
        (status = 400, description = "Malformed code or year", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area in that year", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Unsupported Accept", body = Problem, content_type = "application/problem+json")))]
async fn get_area(
    State(app): State<App>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    let (code, csv) = strip_csv(&code);
    let format = negotiate(&headers, csv, true, &[])?;
    let code = parse_code(code, "code")?;
    let detail = app.monitor.area(&code, parse_year(q.year.as_deref())?).await?;
    Ok(match format {
        Format::Json => json(&detail),
        Format::Csv => csv_response(
            code.as_str(),
            &["code", "year", "indicator", "name_nl", "name_en", "value", "missing", "unit", "national", "source"],
            detail
                .indicators
                .iter()
                .map(|i| {
                    vec![
                        code.to_string(),
                        detail.year.to_string(),
                        i.key.clone(),
                        i.name_nl.clone(),
                        i.name_en.clone(),
                        num(i.value),
                        i.missing.map(|m| m.as_str().to_string()).unwrap_or_default(),
                        serde_json::to_value(i.unit)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                        num(i.national),
                        i.source.clone(),
                    ]
                })
                .collect(),
        ),
    })
}

/// The simplified boundary of an area with its figures, as a GeoJSON Feature
/// (coordinates as imported, usually RD New / EPSG:28992).
#[utoipa::path(get, path = "/api/v1/areas/{code}/geojson", tag = "areas",
    params(("code" = String, Path, description = "CBS area code"), YearQuery),
    responses(
        (status = 200, description = "GeoJSON Feature; geometry is null when no boundary was imported", body = serde_json::Value, content_type = "application/geo+json"),
        (status = 400, description = "Malformed code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Unsupported Accept", body = Problem, content_type = "application/problem+json")))]
async fn get_area_geojson(
    State(app): State<App>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    negotiate(&headers, false, false, &["application/geo+json"])?;
    let code = parse_code(&code, "code")?;
    let feature = app.monitor.geojson(&code, parse_year(q.year.as_deref())?).await?;
    let mut response = json(&feature);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/geo+json"));
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// Indicator key, see /api/v1/indicators (default: pressure_index).
    indicator: Option<String>,
    /// gemeente, wijk or buurt (default: wijk).
    kind: Option<String>,
    /// Only areas within this area (e.g. a municipality code).
    within: Option<String>,
    /// Year of the figures; the newest when left out.
    year: Option<String>,
    /// At most this many rows (default: all; the whole country has about 14,000 buurten).
    limit: Option<String>,
    /// Skip this many rows first (paging; default 0).
    offset: Option<String>,
}

/// Areas of one level ranked by an indicator, highest value first.
#[utoipa::path(get, path = "/api/v1/rankings", tag = "areas", params(RankingQuery),
    responses(
        (status = 200, description = "The ranking (also as CSV)", body = Ranking),
        (status = 400, description = "Unknown indicator, kind or area", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Unsupported Accept", body = Problem, content_type = "application/problem+json")))]
async fn rankings(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<RankingQuery>,
) -> Result<Response, Problem> {
    ranking_response(app, headers, q, false).await
}

async fn rankings_csv(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<RankingQuery>,
) -> Result<Response, Problem> {
    ranking_response(app, headers, q, true).await
}

/// Rankings at least this long are kept serialised (a ranking of all wijken has 3,340 rows).
const CACHED_RANKING_ROWS: usize = 1_000;

fn json_bytes(body: axum::body::Bytes) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn ranking_response(app: App, headers: HeaderMap, q: RankingQuery, csv: bool) -> Result<Response, Problem> {
    let format = negotiate(&headers, csv, true, &[])?;
    let indicator = q.indicator.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("pressure_index");
    let kind = parse_kind(q.kind.as_deref())?.unwrap_or(AreaKind::Wijk);
    let within = q.within.as_deref().filter(|w| !w.trim().is_empty()).map(|w| parse_code(w, "within")).transpose()?;
    let number = |raw: Option<&str>, name: &str| -> Result<Option<usize>, Problem> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => s
                .parse::<usize>()
                .map(Some)
                .map_err(|_| Problem::bad_request(format!("{name} '{s}' must be a whole number such as 100"))),
        }
    };
    let limit = number(q.limit.as_deref(), "limit")?;
    let offset = number(q.offset.as_deref(), "offset")?.unwrap_or(0);
    if limit == Some(0) {
        return Err(Problem::bad_request("limit '0' must be at least 1"));
    }
    let year = parse_year(q.year.as_deref())?;
    // A long ranking in JSON (all 13,066 buurten are 1.2 MB) is serialised once per year
    // view and kept with it.
    let view = app.monitor.view(year).await?;
    let cache_key = format!("ranking-json|{indicator}|{kind:?}|{within:?}|{offset}|{limit:?}");
    if format == Format::Json {
        if let Some(body) = view.derived::<axum::body::Bytes>(&cache_key) {
            return Ok(json_bytes(axum::body::Bytes::clone(&body)));
        }
    }
    // Ranks stay those of the whole ranking; a page is a window on it.
    let ranking = app.monitor.ranking_window(indicator, kind, within.as_ref(), Some(view.year), offset, limit).await?;
    Ok(match format {
        Format::Json if ranking.rows.len() >= CACHED_RANKING_ROWS => {
            let body = axum::body::Bytes::from(
                serde_json::to_vec(&ranking).map_err(|e| Problem::from(AppError::Internal(e.to_string())))?,
            );
            view.keep_derived(cache_key, Arc::new(body.clone()), body.len());
            json_bytes(body)
        }
        Format::Json => json(&ranking),
        Format::Csv => csv_response(
            &format!("ranking-{}", ranking.indicator),
            &["rank", "code", "name", "municipality", "indicator", "value", "year", "source"],
            ranking
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.rank.to_string(),
                        r.code.clone(),
                        r.name.clone(),
                        r.municipality.clone().unwrap_or_default(),
                        ranking.indicator.clone(),
                        r.value.to_string(),
                        ranking.year.to_string(),
                        ranking.source.clone(),
                    ]
                })
                .collect(),
        ),
    })
}

/// Every municipality's housing stock, share of corporation-owned homes and the
/// homes to add to reach 30% social rent.
#[utoipa::path(get, path = "/api/v1/housing/social-share", tag = "housing", params(YearQuery),
    responses(
        (status = 200, description = "One row per municipality (also as CSV)", body = SocialShare),
        (status = 400, description = "Invalid year", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Unsupported Accept", body = Problem, content_type = "application/problem+json")))]
async fn social_share(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    social_share_response(app, headers, q, false).await
}

async fn social_share_csv(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    social_share_response(app, headers, q, true).await
}

async fn social_share_response(app: App, headers: HeaderMap, q: YearQuery, csv: bool) -> Result<Response, Problem> {
    let format = negotiate(&headers, csv, true, &[])?;
    let share = app.monitor.social_share(parse_year(q.year.as_deref())?).await?;
    Ok(match format {
        Format::Json => json(&share),
        Format::Csv => csv_response(
            "social-share",
            &["code", "name", "housing_stock", "social_share", "social_homes", "gap_to_30", "year", "source"],
            share
                .municipalities
                .iter()
                .map(|m| {
                    vec![
                        m.code.clone(),
                        m.name.clone(),
                        num(m.housing_stock),
                        num(m.social_share),
                        num(m.social_homes),
                        num(m.gap_to_30),
                        share.year.to_string(),
                        share.source.clone(),
                    ]
                })
                .collect(),
        ),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusArea {
    rank: usize,
    area: AreaSummary,
    drivers: Vec<Driver>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusAreas {
    year: i32,
    areas: Vec<FocusArea>,
    source: String,
}

/// Focus areas: the highest-pressure wijken nationally (configurable, default 200).
#[utoipa::path(get, path = "/api/v1/focus-areas", tag = "areas", params(YearQuery),
    responses(
        (status = 200, description = "Focus areas by rank (also as CSV)", body = FocusAreas),
        (status = 406, description = "Unsupported Accept", body = Problem, content_type = "application/problem+json")))]
async fn focus_areas(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    focus_response(app, headers, q, false).await
}

async fn focus_areas_csv(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    focus_response(app, headers, q, true).await
}

async fn focus_response(app: App, headers: HeaderMap, q: YearQuery, csv: bool) -> Result<Response, Problem> {
    let format = negotiate(&headers, csv, true, &[])?;
    let (year, rows) = app.monitor.focus_areas(parse_year(q.year.as_deref())?).await?;
    let areas: Vec<FocusArea> =
        rows.into_iter().map(|(rank, area, drivers)| FocusArea { rank, area, drivers }).collect();
    let view = app.monitor.view(Some(year)).await?;
    let keys: Vec<&str> = app.monitor.config().weights.iter().map(|w| w.indicator.as_str()).collect();
    let source = view.source_line(&keys, view.national_is_fictional);
    Ok(match format {
        Format::Json => json(&FocusAreas { year, areas, source: source.clone() }),
        Format::Csv => csv_response(
            "focus-areas",
            &["rank", "code", "name", "municipality", "pressure_index", "main_driver", "year", "source"],
            areas
                .iter()
                .map(|f| {
                    vec![
                        f.rank.to_string(),
                        f.area.code.clone(),
                        f.area.name.clone(),
                        f.area.municipality.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
                        num(f.area.pressure_index),
                        f.drivers.first().map(|d| d.indicator.clone()).unwrap_or_default(),
                        year.to_string(),
                        source.clone(),
                    ]
                })
                .collect(),
        ),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorEntry {
    key: String,
    name_nl: String,
    name_en: String,
    unit: leefwijk_domain::Unit,
    origin: leefwijk_domain::indicators::Origin,
    /// Definition in English prose.
    definition: String,
    /// Definition in Dutch prose.
    definition_nl: String,
    /// How a derived indicator is computed, in canonical keys; empty when there is none.
    formula: String,
    source: String,
    higher_is_better: Option<bool>,
    /// Weight in the pressure index, when part of it.
    pressure_weight: Option<f64>,
}

async fn catalogue(app: &App) -> Result<Vec<IndicatorEntry>, Problem> {
    let weights = &app.monitor.config().weights;
    Ok(app
        .monitor
        .indicators()
        .await?
        .into_iter()
        .map(|d: &IndicatorDef| IndicatorEntry {
            key: d.key.into(),
            name_nl: d.name_nl.into(),
            name_en: d.name_en.into(),
            unit: d.unit,
            origin: d.origin,
            definition: d.definition.into(),
            definition_nl: d.definition_nl.into(),
            formula: d.formula.into(),
            source: d.source.into(),
            higher_is_better: d.higher_is_better,
            pressure_weight: weights.iter().find(|w| w.indicator == d.key).map(|w| w.weight),
        })
        .collect())
}

/// The indicator catalogue: key, names, unit, definition or formula, source, direction.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "areas",
    responses(
        (status = 200, description = "Every indicator (also as CSV)", body = Vec<IndicatorEntry>),
        (status = 406, description = "Unsupported Accept", body = Problem, content_type = "application/problem+json")))]
async fn indicators(State(app): State<App>, headers: HeaderMap) -> Result<Response, Problem> {
    indicators_response(app, headers, false).await
}

async fn indicators_csv(State(app): State<App>, headers: HeaderMap) -> Result<Response, Problem> {
    indicators_response(app, headers, true).await
}

async fn indicators_response(app: App, headers: HeaderMap, csv: bool) -> Result<Response, Problem> {
    let format = negotiate(&headers, csv, true, &[])?;
    let entries = catalogue(&app).await?;
    Ok(match format {
        Format::Json => json(&entries),
        Format::Csv => csv_response(
            "indicators",
            &[
                "key",
                "name_nl",
                "name_en",
                "unit",
                "origin",
                "definition",
                "definition_nl",
                "formula",
                "source",
                "higher_is_better",
                "pressure_weight",
            ],
            entries
                .into_iter()
                .map(|e| {
                    vec![
                        e.key,
                        e.name_nl,
                        e.name_en,
                        e.unit.key().to_string(),
                        serde_json::to_value(e.origin)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                        e.definition,
                        e.definition_nl,
                        e.formula,
                        e.source,
                        e.higher_is_better.map(|b| b.to_string()).unwrap_or_default(),
                        num(e.pressure_weight),
                    ]
                })
                .collect(),
        ),
    })
}
