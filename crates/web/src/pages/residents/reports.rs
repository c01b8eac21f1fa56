//! Pages of public-space reports (meldingen): the public form and status link, and the handling team's list.
//!
//! The public form works without JavaScript: a category select with groups, the place as
//! postcode + house number or as latitude/longitude, and an optional photo (multipart).
//! Anonymous posts carry no CSRF token (there is no session to ride on); they are rate
//! limited per client by the access table. The status page never shows contact details
//! and is served with `Referrer-Policy: no-referrer` so the private link does not leak.

use super::super::{check_csrf, render, PageCtx, PageError};
use crate::access_table::{public, public_form, scoped, Rule, ADMIN, SIGNED};
use askama::Template;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use leefwijk_app::residents::reports::{
    self as reports, ListFilter, NewReport, PublicStatus, ReportDetail, SimilarReport,
};
use leefwijk_app::{App, AppError};
use leefwijk_domain::residents::reports::{find_sub, find_top, FieldError, Status, CATEGORIES};
use serde::Deserialize;

/// Who may call this part's pages and API routes (see `access_table`).
pub static RULES: &[Rule] = &[
    // Public: file a report and follow it through the private link.
    public("GET", "/melden"),
    public_form("POST", "/melden"),
    public("GET", "/melden/kaart/{code}"),
    public("GET", "/melding/{token}"),
    public_form("POST", "/melding/{token}/tevredenheid"),
    public("GET", "/melding/{token}/foto"),
    // The handling organisation's staff: any role; the use cases keep them to their own
    // organisation's reports.
    scoped("GET", "/meldingen", SIGNED),
    scoped("GET", "/meldingen/{id}", SIGNED),
    scoped("GET", "/meldingen/{id}/foto", SIGNED),
    scoped("POST", "/meldingen/{id}/status", SIGNED),
    // API.
    public("GET", "/api/v1/report-categories"),
    public_form("POST", "/api/v1/reports"),
    public("GET", "/api/v1/reports/status/{id}"),
    public_form("POST", "/api/v1/reports/status/{id}/satisfaction"),
    public("GET", "/api/v1/report-summary/{code}"),
    scoped("GET", "/api/v1/reports", SIGNED),
    scoped("GET", "/api/v1/reports/{id}", SIGNED),
    scoped("POST", "/api/v1/reports/{id}/status", SIGNED),
    scoped("GET", "/api/v1/report-routing", ADMIN),
    scoped("POST", "/api/v1/report-routing", ADMIN),
    scoped("DELETE", "/api/v1/report-routing/{id}", ADMIN),
    scoped("POST", "/api/v1/report-routing/{id}/delete", ADMIN),
];

pub fn routes() -> Router<App> {
    // The photo route reads its body itself, up to the configured photo cap (see `read_form`).
    let photo_limit = DefaultBodyLimit::max(crate::api::residents::reports::PHOTO_ROUTE_CEILING);
    Router::new()
        .route("/melden", get(form).post(submit).layer(photo_limit))
        .route("/melden/kaart/{code}", get(map_image))
        .route("/melding/{token}", get(status_page))
        .route("/melding/{token}/tevredenheid", post(satisfaction))
        .route("/melding/{token}/foto", get(public_photo))
        .route("/meldingen", get(list))
        .route("/meldingen/{id}", get(detail))
        .route("/meldingen/{id}/foto", get(staff_photo))
        .route("/meldingen/{id}/status", post(change_status))
}

/// An application error as a page; a conflict (status machine, answered twice) is the
/// person's to resolve, not ours.
fn app_error(ctx: &PageCtx, e: AppError) -> Response {
    match e {
        AppError::Conflict(m) => {
            PageError { ctx: ctx.clone(), status: StatusCode::CONFLICT, message: m }.into_response()
        }
        e => PageError::from_app(ctx, e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// The public form
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Values {
    category: String,
    postcode: String,
    house_number: String,
    lat: String,
    lon: String,
    location_note: String,
    buurt: String,
    description: String,
    name: String,
    email: String,
    phone: String,
    /// The municipality whose map is shown, and where on it the resident clicked.
    gemeente: String,
    map_x: String,
    map_y: String,
}

struct MapView {
    code: String,
    name: String,
    width: u32,
    height: u32,
    /// Base-map tiles under the click-map: (url, x, y, size) in map pixels.
    tiles: Vec<(String, String, String, String)>,
    attribution: String,
}

/// Whether the click-map has a base map under it (configured, with a valid tile URL).
fn has_base_map(app: &App) -> bool {
    app.residents.reports.base_map_origin().is_some()
}

struct OptionView {
    code: String,
    label: String,
    selected: bool,
}

struct Group {
    label: String,
    options: Vec<OptionView>,
}

#[derive(Template)]
#[template(path = "residents_report_form.html")]
struct FormPage {
    ctx: PageCtx,
    v: Values,
    errors: Vec<(String, String)>,
    groups: Vec<Group>,
    max_photo_mb: usize,
    map: Option<MapView>,
    municipalities: Vec<(String, String)>,
    /// What a click on the map chose, as a sentence.
    picked: String,
}

impl FormPage {
    fn err(&self, field: &str) -> String {
        self.errors.iter().filter(|(f, _)| f == field).map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" ")
    }

    fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _)| f == field)
    }
}

/// The map part of the form: the map of the chosen municipality (from `gemeente`, or the
/// preselected buurt's), or links to the maps of the municipalities that take reports.
async fn with_map(app: &App, mut page: FormPage) -> FormPage {
    page.ctx = page.ctx.clone().with_areas(app).await;
    let gemeente = Some(page.v.gemeente.trim().to_string())
        .filter(|g| !g.is_empty())
        .or_else(|| {
            leefwijk_domain::AreaCode::parse(&page.v.buurt)
                .ok()
                .and_then(|b| b.municipality())
                .map(|g| g.as_str().to_string())
        })
        .and_then(|g| leefwijk_domain::AreaCode::parse(&g).ok())
        .filter(|g| g.kind() == leefwijk_domain::AreaKind::Gemeente);
    if let Some(g) = gemeente {
        if let Ok(Some(m)) = reports::map_of(app, g.as_str()).await {
            let name = page.ctx.area(g.as_str());
            page.v.gemeente = m.gemeente.clone();
            let tiles = if has_base_map(app) {
                m.base_tiles(&app.residents.reports.base_map_tiles)
                    .into_iter()
                    .map(|(url, t)| (url, format!("{:.2}", t.x), format!("{:.2}", t.y), format!("{:.2}", t.size)))
                    .collect()
            } else {
                Vec::new()
            };
            page.map = Some(MapView {
                name,
                width: m.width.round() as u32,
                height: m.height.round() as u32,
                attribution: if tiles.is_empty() {
                    String::new()
                } else {
                    app.residents.reports.base_map_attribution.clone()
                },
                tiles,
                code: m.gemeente,
            });
            return page;
        }
    }
    page.municipalities = reports::map_municipalities(app).await.unwrap_or_default();
    page
}

fn form_page(app: &App, ctx: &PageCtx, v: Values, errors: &[FieldError]) -> FormPage {
    let groups = CATEGORIES
        .iter()
        .map(|c| Group {
            label: ctx.t(c.nl, c.en).to_string(),
            options: c
                .subs
                .iter()
                .map(|s| OptionView {
                    code: s.code.into(),
                    label: ctx.t(s.nl, s.en).into(),
                    selected: s.code == v.category,
                })
                .collect(),
        })
        .collect();
    FormPage {
        ctx: ctx.clone(),
        v,
        errors: errors.iter().map(|e| (e.field.to_string(), ctx.t(&e.nl, &e.en).to_string())).collect(),
        groups,
        max_photo_mb: app.residents.reports.max_photo_bytes / (1024 * 1024),
        map: None,
        municipalities: Vec::new(),
        picked: String::new(),
    }
}

#[derive(Debug, Default, Deserialize)]
struct FormQuery {
    buurt: Option<String>,
    gemeente: Option<String>,
}

/// The form; `?buurt=BU…` (from the neighbourhood page) preselects the buurt, so an
/// address or point becomes optional.
async fn form(State(app): State<App>, ctx: PageCtx, Query(q): Query<FormQuery>) -> Response {
    let buurt = q
        .buurt
        .as_deref()
        .and_then(|b| leefwijk_domain::AreaCode::parse(b.trim()).ok())
        .filter(|c| c.kind() == leefwijk_domain::AreaKind::Buurt)
        .map(|c| c.as_str().to_string())
        .unwrap_or_default();
    let gemeente: String = q.gemeente.unwrap_or_default().chars().take(12).collect();
    let page = form_page(&app, &ctx, Values { buurt, gemeente, ..Values::default() }, &[]);
    render(&ctx, &with_map(&app, page).await)
}

#[derive(Debug, Default, Deserialize)]
struct MarkQuery {
    lat: Option<f64>,
    lon: Option<f64>,
}

/// The map image of a municipality's buurten (SVG), with a marker where the resident
/// clicked (from `?lat=&lon=`).
async fn map_image(
    State(app): State<App>,
    ctx: PageCtx,
    Path(code): Path<String>,
    Query(q): Query<MarkQuery>,
) -> Response {
    let map = match reports::map_of(&app, &code).await {
        Ok(Some(m)) => m,
        Ok(None) => return app_error(&ctx, AppError::NotFound(format!("a map of {code}"))),
        Err(e) => return app_error(&ctx, e),
    };
    // Over a base map the buurten are outlines with a light wash, so the streets show.
    let over_base = has_base_map(&app) && !map.base_tiles(&app.residents.reports.base_map_tiles).is_empty();
    let (background, fill) = if over_base {
        ("", "fill=\"#dfe9f0\" fill-opacity=\"0.25\"")
    } else {
        ("<rect width=\"100%\" height=\"100%\" fill=\"#f7f7f7\"/>", "fill=\"#dfe9f0\"")
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\">{background}",
        w = map.width,
        h = map.height
    );
    for (_, d) in &map.buurten {
        svg.push_str(&format!(
            "<path d=\"{d}\" {fill} stroke=\"#00507a\" stroke-width=\"1.5\" fill-rule=\"evenodd\"/>"
        ));
    }
    // The buurten's names, so a resident finds their own part of town on the map.
    let ctx = ctx.with_areas(&app).await;
    for (code, x, y) in &map.labels {
        let name = ctx.area(code).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        svg.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"10\" \
             fill=\"#1a1a1a\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{name}</text>"
        ));
    }
    if let (Some(lat), Some(lon)) = (q.lat, q.lon) {
        if let Some((x, y)) = map.position_of(lat, lon) {
            svg.push_str(&format!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"8\" fill=\"#b00020\" stroke=\"#fff\" stroke-width=\"3\"/>"
            ));
        }
    }
    svg.push_str("</svg>");
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=300")], svg).into_response()
}

fn too_large(app: &App, ctx: &PageCtx) -> Response {
    let mb = app.residents.reports.max_photo_bytes / (1024 * 1024);
    PageError {
        ctx: ctx.clone(),
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: format!(
            "{} {mb} MB. {}",
            ctx.t(
                "Uw melding is niet opgeslagen: de foto is te groot. Het maximum is",
                "Your report was not stored: the photo is too large. The maximum is"
            ),
            ctx.t(
                "Ga terug, kies een kleinere foto en verstuur opnieuw.",
                "Go back, choose a smaller photo and send again."
            )
        ),
    }
    .into_response()
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', ".");
    if t.is_empty() {
        None
    } else {
        t.parse().ok().filter(|v: &f64| v.is_finite())
    }
}

/// Reads the form as multipart (with a photo) or as url-encoded (without).
async fn read_form(app: &App, request: Request) -> Result<(Values, Option<Vec<u8>>), Option<&'static str>> {
    let limit = app.residents.reports.max_photo_bytes + 256 * 1024;
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| Some("too_large"))?;
    let content_type =
        parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let mut v = Values::default();
    let mut photo = None;
    let set = |v: &mut Values, name: &str, value: String| {
        let slot = match name {
            "category" => &mut v.category,
            "postcode" => &mut v.postcode,
            "house_number" => &mut v.house_number,
            "lat" => &mut v.lat,
            "lon" => &mut v.lon,
            "location_note" => &mut v.location_note,
            "buurt" => &mut v.buurt,
            "description" => &mut v.description,
            "name" => &mut v.name,
            "email" => &mut v.email,
            "phone" => &mut v.phone,
            "gemeente" => &mut v.gemeente,
            "kaart.x" => &mut v.map_x,
            "kaart.y" => &mut v.map_y,
            _ => return,
        };
        // Far more than any field allows: the checks report the length; this only keeps
        // the re-rendered form small.
        *slot = value.chars().take(10_000).collect();
    };
    if content_type.starts_with("multipart/form-data") {
        let request = Request::from_parts(parts, Body::from(bytes));
        let mut mp = Multipart::from_request(request, &()).await.map_err(|_| None)?;
        while let Some(field) = mp.next_field().await.map_err(|_| None)? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "photo" {
                let data = field.bytes().await.map_err(|_| None)?;
                if !data.is_empty() {
                    photo = Some(data.to_vec());
                }
            } else {
                let text = field.text().await.map_err(|_| None)?;
                set(&mut v, &name, text);
            }
        }
    } else {
        let request = Request::from_parts(parts, Body::from(bytes));
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, &()).await.map_err(|_| None)?;
        for (k, val) in pairs {
            set(&mut v, &k, val);
        }
    }
    Ok((v, photo))
}

async fn submit(State(app): State<App>, ctx: PageCtx, request: Request) -> Response {
    let (v, photo) = match read_form(&app, request).await {
        Ok(x) => x,
        Err(Some(_)) => return too_large(&app, &ctx),
        Err(None) => {
            return PageError {
                ctx: ctx.clone(),
                status: StatusCode::BAD_REQUEST,
                message: ctx
                    .t(
                        "Het formulier kwam niet goed aan. Open /melden en verstuur het opnieuw.",
                        "The form did not arrive intact. Open /melden and send it again.",
                    )
                    .into(),
            }
            .into_response()
        }
    };
    if !v.map_x.is_empty() {
        return map_click(&app, &ctx, v).await;
    }
    let mut errors = Vec::new();
    let lat = parse_number(&v.lat);
    let lon = parse_number(&v.lon);
    if (!v.lat.trim().is_empty() && lat.is_none()) || (!v.lon.trim().is_empty() && lon.is_none()) {
        errors.push(leefwijk_domain::residents::reports::field_error(
            "location",
            "Breedte- en lengtegraad zijn getallen, zoals 52.3 en 4.9.",
            "Latitude and longitude are numbers, such as 52.3 and 4.9.",
        ));
    }
    let house_number = v.house_number.trim();
    let number = if house_number.is_empty() { None } else { house_number.parse::<u32>().ok() };
    if !house_number.is_empty() && number.is_none() {
        errors.push(leefwijk_domain::residents::reports::field_error(
            "house_number",
            "Een huisnummer is een getal, zoals 12. Een toevoeging kan bij 'waar precies'.",
            "A house number is a number, such as 12. An addition can go under 'where exactly'.",
        ));
    }
    if !errors.is_empty() {
        let page = with_map(&app, form_page(&app, &ctx, v, &errors)).await;
        return (StatusCode::BAD_REQUEST, render(&ctx, &page)).into_response();
    }
    let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let input = NewReport {
        category: v.category.clone(),
        postcode: opt(&v.postcode),
        house_number: number,
        lat,
        lon,
        location_note: opt(&v.location_note),
        buurt: opt(&v.buurt),
        description: v.description.clone(),
        name: opt(&v.name),
        email: opt(&v.email),
        phone: opt(&v.phone),
        photo_base64: None,
        photo,
    };
    match reports::file(&app, &input).await {
        Ok(Ok(filed)) => Redirect::to(&format!("{}?nieuw=1", filed.status_url)).into_response(),
        Ok(Err(errors)) => {
            let page = with_map(&app, form_page(&app, &ctx, v, &errors)).await;
            let status = if errors.iter().any(|e| e.field == "photo" && e.en.contains("too large")) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            (status, render(&ctx, &page)).into_response()
        }
        Err(e) => app_error(&ctx, e),
    }
}

/// A click on the map: fills in the point, says which buurt it is in, and shows the form
/// again with everything typed so far. Nothing is filed yet.
async fn map_click(app: &App, ctx: &PageCtx, mut v: Values) -> Response {
    let (x, y) = (parse_number(&v.map_x), parse_number(&v.map_y));
    let map = match reports::map_of(app, v.gemeente.trim()).await {
        Ok(m) => m,
        Err(e) => return app_error(ctx, e),
    };
    let picked = match (map, x, y) {
        (Some(map), Some(x), Some(y)) => {
            let (lat, lon) = map.lat_lon_at(x, y);
            v.lat = format!("{lat:.6}");
            v.lon = format!("{lon:.6}");
            match reports::buurt_of_point(app, lat, lon).await {
                Ok(Some(buurt)) => {
                    let view = app.monitor.view(None).await.ok();
                    let name = leefwijk_domain::AreaCode::parse(&buurt)
                        .ok()
                        .and_then(|code| view.as_ref().and_then(|v| v.area(&code).ok().map(|a| a.name.clone())))
                        .unwrap_or(buurt);
                    format!("{} {name}.", ctx.t("Gekozen plek in buurt", "Chosen spot in neighbourhood"))
                }
                Ok(None) => ctx
                    .t(
                        "Die plek ligt buiten de buurten op de kaart; klik binnen een buurt.",
                        "That spot is outside the neighbourhoods on the map; click inside one.",
                    )
                    .to_string(),
                Err(e) => return app_error(ctx, e),
            }
        }
        _ => ctx
            .t(
                "De klik op de kaart kwam niet goed aan; probeer het nog eens.",
                "The click on the map did not arrive intact; try again.",
            )
            .to_string(),
    };
    v.map_x.clear();
    v.map_y.clear();
    let mut page = with_map(app, form_page(app, ctx, v, &[])).await;
    page.picked = picked;
    render(ctx, &page)
}

// ---------------------------------------------------------------------------------------
// The status page
// ---------------------------------------------------------------------------------------

struct EventView {
    on: String,
    status: String,
    text: String,
}

struct SimilarView {
    category: String,
    status: String,
    filed_on: String,
    distance: String,
}

#[derive(Template)]
#[template(path = "residents_report_status.html")]
struct StatusPage {
    ctx: PageCtx,
    token: String,
    s: PublicStatus,
    status_label: String,
    category: String,
    history: Vec<EventView>,
    similar: Vec<SimilarView>,
    is_new: bool,
    thanked: bool,
    error: String,
    comment: String,
}

#[derive(Debug, Default, Deserialize)]
struct StatusQuery {
    nieuw: Option<String>,
    bedankt: Option<String>,
}

fn similar_views(ctx: &PageCtx, list: Vec<SimilarReport>) -> Vec<SimilarView> {
    list.into_iter()
        .map(|s| SimilarView {
            category: find_sub(&s.category).map(|(_, x)| ctx.t(x.nl, x.en).to_string()).unwrap_or(s.category),
            status: s.status.label(ctx.lang).into(),
            filed_on: ctx.date(&s.filed_on),
            distance: s
                .distance_m
                .map(|m| format!("{m} m"))
                .unwrap_or_else(|| ctx.t("in dezelfde buurt", "in the same neighbourhood").into()),
        })
        .collect()
}

async fn status_view(
    app: &App,
    ctx: &PageCtx,
    token: &str,
    q: StatusQuery,
    error: String,
    comment: String,
) -> Result<StatusPage, AppError> {
    let s = reports::status_by_token(app, token).await?;
    let similar = s.similar.clone();
    let ctx = &ctx.clone().with_areas(app).await;
    Ok(StatusPage {
        ctx: ctx.clone(),
        token: token.to_string(),
        status_label: s.status.label(ctx.lang).into(),
        category: ctx.t(&s.category_nl, &s.category_en).to_string(),
        history: s
            .history
            .iter()
            .map(|e| EventView { on: ctx.date(&e.on), status: e.status.label(ctx.lang).into(), text: e.text.clone() })
            .collect(),
        similar: similar_views(ctx, similar),
        is_new: q.nieuw.is_some(),
        thanked: q.bedankt.is_some(),
        error,
        comment,
        s,
    })
}

fn private(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    r
}

async fn status_page(
    State(app): State<App>,
    ctx: PageCtx,
    Path(token): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Response {
    match status_view(&app, &ctx, &token, q, String::new(), String::new()).await {
        Ok(page) => private(render(&ctx, &page)),
        Err(e) => app_error(&ctx, e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct SatisfactionForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

async fn satisfaction(
    State(app): State<App>,
    ctx: PageCtx,
    Path(token): Path<String>,
    Form(f): Form<SatisfactionForm>,
) -> Response {
    let score = f.score.trim().parse::<i64>().unwrap_or(0);
    let comment = Some(f.comment.as_str()).filter(|c| !c.trim().is_empty());
    match reports::answer_satisfaction(&app, &token, score, comment).await {
        Ok(()) => Redirect::to(&format!("/melding/{token}?bedankt=1")).into_response(),
        Err(AppError::BadRequest(_)) => {
            let message = ctx
                .t(
                    "Kies een antwoord van 1 (zeer ontevreden) tot 5 (zeer tevreden); een toelichting is hooguit 500 tekens.",
                    "Choose an answer from 1 (very unhappy) to 5 (very happy); a comment is at most 500 characters.",
                )
                .to_string();
            let comment: String = f.comment.chars().take(2000).collect();
            match status_view(&app, &ctx, &token, StatusQuery::default(), message, comment).await {
                Ok(page) => private((StatusCode::BAD_REQUEST, render(&ctx, &page)).into_response()),
                Err(e) => app_error(&ctx, e),
            }
        }
        Err(AppError::Conflict(_)) => PageError {
            ctx: ctx.clone(),
            status: StatusCode::CONFLICT,
            message: ctx
                .t(
                    "U kunt de vraag over tevredenheid één keer beantwoorden, nadat de melding is afgehandeld.",
                    "You can answer the satisfaction question once, after the report has been closed.",
                )
                .into(),
        }
        .into_response(),
        Err(e) => app_error(&ctx, e),
    }
}

fn photo_response(mime: String, bytes: Vec<u8>) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    r
}

async fn public_photo(State(app): State<App>, ctx: PageCtx, Path(token): Path<String>) -> Response {
    match reports::photo_by_token(&app, &token).await {
        Ok((mime, bytes)) => photo_response(mime, bytes),
        Err(e) => app_error(&ctx, e),
    }
}

// ---------------------------------------------------------------------------------------
// The handling team
// ---------------------------------------------------------------------------------------

struct RowView {
    id: String,
    category: String,
    buurt: String,
    status: String,
    filed_on: String,
    due: String,
    overdue: bool,
    days_left: String,
}

#[derive(Template)]
#[template(path = "residents_report_list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<RowView>,
    status: String,
    overdue: bool,
    category: String,
    statuses: Vec<(String, String)>,
    tops: Vec<(String, String)>,
    overdue_count: usize,
}

fn user(
    ctx: &PageCtx,
    signed: &Option<axum::Extension<crate::auth::SignedIn>>,
) -> Result<leefwijk_app::User, Response> {
    signed.as_ref().map(|s| s.0.user.clone()).ok_or_else(|| {
        PageError {
            ctx: ctx.clone(),
            status: StatusCode::UNAUTHORIZED,
            message: ctx.t("Log eerst in.", "Sign in first.").into(),
        }
        .into_response()
    })
}

fn category_label(ctx: &PageCtx, code: &str) -> String {
    find_sub(code).map(|(_, s)| ctx.t(s.nl, s.en).to_string()).unwrap_or_else(|| code.to_string())
}

async fn list(
    State(app): State<App>,
    ctx: PageCtx,
    signed: Option<axum::Extension<crate::auth::SignedIn>>,
    Query(filter): Query<ListFilter>,
) -> Response {
    let me = match user(&ctx, &signed) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let rows = match reports::team_list(&app, &me, &filter).await {
        Ok(rows) => rows,
        Err(e) => return app_error(&ctx, e),
    };
    let ctx = ctx.with_areas(&app).await;
    let mut statuses = vec![("open".to_string(), ctx.t("Alle open", "All open").to_string())];
    statuses.extend(Status::ALL.iter().map(|s| (s.code().to_string(), s.label(ctx.lang).to_string())));
    let page = ListPage {
        overdue_count: rows.iter().filter(|r| r.overdue).count(),
        rows: rows
            .into_iter()
            .map(|r| RowView {
                category: category_label(&ctx, &r.category),
                buurt: ctx.area(&r.buurt_code),
                status: r.status.label(ctx.lang).into(),
                filed_on: ctx.date(&r.filed_on),
                due: ctx.date(&r.due),
                overdue: r.overdue,
                days_left: r.days_left.map(|d| d.to_string()).unwrap_or_else(|| "–".into()),
                id: r.id,
            })
            .collect(),
        status: filter.status.unwrap_or_default(),
        overdue: filter.overdue == Some(true),
        category: filter.category.unwrap_or_default(),
        statuses,
        tops: CATEGORIES.iter().map(|c| (c.code.to_string(), ctx.t(c.nl, c.en).to_string())).collect(),
        ctx: ctx.clone(),
    };
    render(&ctx, &page)
}

#[derive(Template)]
#[template(path = "residents_report_detail.html")]
struct DetailPage {
    ctx: PageCtx,
    r: ReportDetail,
    category: String,
    top: String,
    status_label: String,
    history: Vec<(String, String, String, String)>,
    next: Vec<(String, String)>,
    error: String,
    text: String,
    chosen: String,
}

async fn detail_page(
    app: &App,
    ctx: &PageCtx,
    me: &leefwijk_app::User,
    id: &str,
    error: String,
    text: String,
    chosen: String,
) -> Result<DetailPage, AppError> {
    let r = reports::detail(app, me, id).await?;
    let ctx = &ctx.clone().with_areas(app).await;
    Ok(DetailPage {
        ctx: ctx.clone(),
        category: category_label(ctx, &r.row.category),
        top: find_top(&r.row.top_category).map(|t| ctx.t(t.nl, t.en).to_string()).unwrap_or_default(),
        status_label: r.row.status.label(ctx.lang).into(),
        history: r
            .history
            .iter()
            .map(|e| (ctx.date(&e.on), e.status.label(ctx.lang).to_string(), e.text.clone(), e.actor.clone()))
            .collect(),
        next: r.next.iter().map(|s| (s.code().to_string(), s.label(ctx.lang).to_string())).collect(),
        error,
        text,
        chosen,
        r,
    })
}

async fn detail(
    State(app): State<App>,
    ctx: PageCtx,
    signed: Option<axum::Extension<crate::auth::SignedIn>>,
    Path(id): Path<String>,
) -> Response {
    let me = match user(&ctx, &signed) {
        Ok(u) => u,
        Err(r) => return r,
    };
    match detail_page(&app, &ctx, &me, &id, String::new(), String::new(), String::new()).await {
        Ok(page) => render(&ctx, &page),
        Err(e) => app_error(&ctx, e),
    }
}

async fn staff_photo(
    State(app): State<App>,
    ctx: PageCtx,
    signed: Option<axum::Extension<crate::auth::SignedIn>>,
    Path(id): Path<String>,
) -> Response {
    let me = match user(&ctx, &signed) {
        Ok(u) => u,
        Err(r) => return r,
    };
    match reports::photo_for_staff(&app, &me, &id).await {
        Ok((mime, bytes)) => photo_response(mime, bytes),
        Err(e) => app_error(&ctx, e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    text: String,
}

async fn change_status(
    State(app): State<App>,
    ctx: PageCtx,
    signed: Option<axum::Extension<crate::auth::SignedIn>>,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Response {
    let me = match user(&ctx, &signed) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(r) = check_csrf(&ctx, ctx.csrf(), &f.csrf) {
        return r;
    }
    match reports::change_status(&app, &me, &id, &f.status, &f.text).await {
        Ok(_) => Redirect::to(&format!("/meldingen/{id}")).into_response(),
        Err(e @ (AppError::BadRequest(_) | AppError::Conflict(_))) => {
            let status =
                if matches!(e, AppError::Conflict(_)) { StatusCode::CONFLICT } else { StatusCode::BAD_REQUEST };
            let message = match &e {
                AppError::BadRequest(m) | AppError::Conflict(m) if m.contains("needs a text") => ctx
                    .t(
                        "Afhandelen en heropenen vragen een toelichting: wat is er gedaan, of waarom opnieuw?",
                        "Closing and reopening need a text: what was done, or why again?",
                    )
                    .to_string(),
                AppError::BadRequest(m) | AppError::Conflict(m) => m.clone(),
                _ => String::new(),
            };
            let text: String = f.text.chars().take(4000).collect();
            match detail_page(&app, &ctx, &me, &id, message, text, f.status.clone()).await {
                Ok(page) => (status, render(&ctx, &page)).into_response(),
                Err(e) => app_error(&ctx, e),
            }
        }
        Err(e) => app_error(&ctx, e),
    }
}
