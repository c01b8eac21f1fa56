//! API of public-space reports (meldingen).
//!
//! Public: the category tree, filing a report (JSON; a photo as base64 in `photo_base64`),
//! the status through the private token, the satisfaction answer, and per-area counts.
//! Staff of the handling organisation: their list, a report in full and status changes.
//! Administrators: routing rules.

use super::super::{check_csrf, json_body as body, CreatedId};
use crate::auth::SignedIn;
use crate::negotiate::json;
use crate::Problem;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::residents::reports::{
    self as reports, AreaReportSummary, CategoryView, Filed, ListFilter, NewReport, NewRoute, PublicStatus,
    ReportDetail, ReportRow, RouteView,
};
use leefwijk_app::App;
use leefwijk_domain::residents::reports::FieldError;
use leefwijk_domain::Lang;
use serde::Deserialize;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(
    categories,
    file,
    status,
    satisfaction,
    summary,
    list,
    detail,
    change_status,
    routing,
    add_routing,
    remove_routing,
    delete_routing
))]
pub struct Doc;

/// A hard ceiling for the bodies of the photo routes; the configured photo cap (plus room
/// for base64 and the other fields) is enforced below it, in the handler, so the limit
/// follows `[residents.reports] max_photo_bytes`.
pub const PHOTO_ROUTE_CEILING: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/report-categories", get(categories))
        .route("/reports", get(list).post(file).layer(DefaultBodyLimit::max(PHOTO_ROUTE_CEILING)))
        .route("/reports/status/{id}", get(status))
        .route("/reports/status/{id}/satisfaction", post(satisfaction))
        .route("/reports/{id}", get(detail))
        .route("/reports/{id}/status", post(change_status))
        .route("/report-summary/{code}", get(summary))
        .route("/report-routing", get(routing).post(add_routing))
        .route("/report-routing/{id}", axum::routing::delete(remove_routing))
        // The path of version 1.0; kept until the next major version.
        .route("/report-routing/{id}/delete", post(delete_routing))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct LangQuery {
    /// nl (default) or en.
    lang: Option<String>,
}

/// The category tree with each top category's service level in working days.
#[utoipa::path(get, path = "/api/v1/report-categories", tag = "residents", params(LangQuery),
    responses((status = 200, description = "Categories", body = [CategoryView])))]
async fn categories(State(app): State<App>, Query(q): Query<LangQuery>) -> Response {
    let lang = q.lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    json(&reports::categories(&app, lang))
}

/// The JSON body's limit: the photo cap as base64 plus room for the other fields.
pub fn json_limit(app: &App) -> usize {
    app.residents.reports.max_photo_bytes / 3 * 4 + 64 * 1024
}

fn field_problem(errors: Vec<FieldError>) -> Problem {
    let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.en)).collect::<Vec<_>>().join("; ");
    Problem::bad_request(format!("The report was not stored. {detail}"))
        .with_errors(serde_json::to_value(&errors).unwrap_or_default())
}

/// Files a report, anonymously. The answer holds the private status token: keep it, it is
/// shown only once. Rate limited per client.
#[utoipa::path(post, path = "/api/v1/reports", tag = "residents", request_body = NewReport,
    responses((status = 201, description = "Filed", body = Filed),
        (status = 400, description = "Invalid; `errors` lists the fields", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large (photo)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many submissions", body = Problem, content_type = "application/problem+json")))]
async fn file(State(app): State<App>, request: Request) -> Result<Response, Problem> {
    let limit = json_limit(&app);
    let bytes = axum::body::to_bytes(request.into_body(), limit).await.map_err(|_| {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "The report is larger than {} bytes; a photo may be at most {} MB. Nothing was stored.",
                limit,
                app.residents.reports.max_photo_bytes / (1024 * 1024)
            ),
        )
    })?;
    let input: NewReport = body(&bytes)?;
    match reports::file(&app, &input).await? {
        Ok(filed) => Ok((StatusCode::CREATED, Json(filed)).into_response()),
        Err(errors) => Err(field_problem(errors)),
    }
}

/// A report's status through its private token: no contact details.
#[utoipa::path(get, path = "/api/v1/reports/status/{id}", tag = "residents",
    params(("id" = String, Path, description = "The private status token (64 hexadecimal characters)")),
    responses((status = 200, description = "Status", body = PublicStatus),
        (status = 404, description = "Unknown token", body = Problem, content_type = "application/problem+json")))]
async fn status(State(app): State<App>, Path(token): Path<String>) -> Result<Response, Problem> {
    let mut r = json(&reports::status_by_token(&app, &token).await?);
    r.headers_mut().insert("referrer-policy", axum::http::HeaderValue::from_static("no-referrer"));
    Ok(r)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SatisfactionAnswer {
    /// 1 (very unhappy) to 5 (very happy).
    pub score: i64,
    /// Optional, up to 500 characters.
    pub comment: Option<String>,
}

/// The one satisfaction answer after closing.
#[utoipa::path(post, path = "/api/v1/reports/status/{id}/satisfaction", tag = "residents",
    request_body = SatisfactionAnswer, params(("id" = String, Path, description = "The private status token (64 hexadecimal characters)")),
    responses((status = 204, description = "Recorded"),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not closed or already answered", body = Problem, content_type = "application/problem+json")))]
async fn satisfaction(
    State(app): State<App>,
    Path(token): Path<String>,
    b: axum::body::Bytes,
) -> Result<Response, Problem> {
    // An empty body is an answer without a score: refused with the reason, after the link is checked.
    let a: SatisfactionAnswer = if b.is_empty() { SatisfactionAnswer::default() } else { body(&b)? };
    reports::answer_satisfaction(&app, &token, a.score, a.comment.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Reports filed in an area (buurt, wijk or gemeente) in recent weeks, per category,
/// disclosure-controlled like the signals figures.
#[utoipa::path(get, path = "/api/v1/report-summary/{code}", tag = "residents",
    params(("code" = String, Path, description = "Area code")),
    responses((status = 200, description = "Summary", body = AreaReportSummary),
        (status = 400, description = "Not an area code", body = Problem, content_type = "application/problem+json")))]
async fn summary(State(app): State<App>, Path(code): Path<String>) -> Result<Response, Problem> {
    Ok(json(&reports::area_summary(&app, &code).await?))
}

/// The reports of the signed-in user's organisation with their service-level clocks;
/// overdue first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "residents", operation_id = "list_reports", params(ListFilter), security(("session" = [])),
    responses((status = 200, description = "Reports", body = [ReportRow])))]
async fn list(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Query(filter): Query<ListFilter>,
) -> Result<Response, Problem> {
    Ok(json(&reports::team_list(&app, &me.user, &filter).await?))
}

/// A report of the user's organisation in full, contact details included (audited).
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "residents", operation_id = "get_resident_report",
    params(("id" = String, Path, description = "Report id")), security(("session" = [])),
    responses((status = 200, description = "Report", body = ReportDetail),
        (status = 404, description = "Not a report of your organisation", body = Problem, content_type = "application/problem+json")))]
async fn detail(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(json(&reports::detail(&app, &me.user, &id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StatusChange {
    /// in_progress, on_hold, closed, reopened or cancelled.
    pub status: String,
    /// Required for closed (what was done) and reopened (why); up to 2000 characters.
    pub text: String,
}

/// Moves a report through the status machine (audited).
#[utoipa::path(post, path = "/api/v1/reports/{id}/status", tag = "residents", request_body = StatusChange,
    params(("id" = String, Path, description = "Report id")), security(("session" = [])),
    responses((status = 200, description = "Changed", body = ReportRow),
        (status = 400, description = "Text missing or too long", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a report of your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current status", body = Problem, content_type = "application/problem+json")))]
async fn change_status(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: axum::body::Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let c: StatusChange = body(&b)?;
    Ok(json(&reports::change_status(&app, &me.user, &id, &c.status, &c.text).await?))
}

/// The collaboration's report routing rules.
#[utoipa::path(get, path = "/api/v1/report-routing", tag = "residents", security(("session" = [])),
    responses((status = 200, description = "Rules", body = [RouteView])))]
async fn routing(State(app): State<App>, Extension(me): Extension<SignedIn>) -> Result<Response, Problem> {
    Ok(json(&reports::routes(&app, &me.user).await?))
}

/// Adds a routing rule: reports of a category (or all) in an area go to an organisation.
#[utoipa::path(post, path = "/api/v1/report-routing", tag = "residents", request_body = NewRoute,
    security(("session" = [])),
    responses((status = 201, description = "Added", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn add_routing(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: axum::body::Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let input: NewRoute = body(&b)?;
    let id = reports::add_route(&app, &me.user, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id })).into_response())
}

/// Removes a routing rule of the administrator's collaboration.
#[utoipa::path(delete, path = "/api/v1/report-routing/{id}", tag = "residents",
    params(("id" = String, Path, description = "Rule id")), security(("session" = [])),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such rule in your collaboration", body = Problem, content_type = "application/problem+json")))]
async fn remove_routing(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    reports::delete_route(&app, &me.user, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// As `DELETE /api/v1/report-routing/{id}`: the path of version 1.0, kept until version 2.
#[utoipa::path(post, path = "/api/v1/report-routing/{id}/delete", tag = "residents",
    params(("id" = String, Path, description = "Rule id")), security(("session" = [])),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such rule in your collaboration", body = Problem, content_type = "application/problem+json")))]
async fn delete_routing(
    state: State<App>,
    me: Extension<SignedIn>,
    headers: HeaderMap,
    id: Path<String>,
) -> Result<Response, Problem> {
    remove_routing(state, me, headers, id).await
}
