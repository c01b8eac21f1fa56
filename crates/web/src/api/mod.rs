//! The JSON API, version 1. Every route is documented in the OpenAPI document served at
//! `/api/v1/openapi.json` and committed as `docs/openapi.json`.

mod access;
mod areas;
mod households;
mod housing;
mod programme;
mod publication;
pub mod residents;
pub mod signals;

use crate::Problem;
use axum::routing::get;
use axum::Router;
use leefwijk_app::App;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Leefwijk API",
        description = "Open API of Leefwijk, the shared workplace for the area-based approach (gebiedsgerichte wijkaanpak). Figures: open data of CBS and Kadaster (CC BY 4.0) and RIVM; every response names the source and year of its figures in `source`, and fictional demo figures say so. Errors are application/problem+json. Every table is also available as CSV: add `.csv` to the path or send `Accept: text/csv`.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
        contact(name = "Leefwijk", url = "https://example.invalid/leefwijk", email = "api@example.invalid"),
        version = "1.0.0"
    ),
    servers((url = "/api/v1", description = "this server, major version 1")),
    paths(
        areas::list_areas,
        areas::get_area,
        areas::get_area_geojson,
        areas::rankings,
        areas::social_share,
        areas::focus_areas,
        areas::indicators,
        access::register_person,
        access::register,
        access::audit,
        publication::covenant,
        access::subject_history,
        signals::post_signal,
        signals::post_batch,
        signals::batch_feedback,
        signals::all_feedback,
        signals::cases,
        signals::case,
        signals::add_attempt,
        signals::set_outcome,
        signals::assign,
        signals::area_figures,
        signals::kpis,
        signals::ddas_export,
        programme::list,
        programme::get_report,
        programme::get_report_csv,
        programme::create,
        programme::add_goal,
        programme::add_commitment,
        programme::move_commitment,
        programme::add_intervention,
        programme::book,
        housing::municipality,
        housing::projection_csv,
        housing::add_plan,
        housing::add_region,
        housing::region,
        housing::agreements,
        housing::create_agreement,
        housing::agreement,
        housing::agreement_csv,
        housing::placements,
        housing::register_placement,
        housing::confirm_support,
        households::register,
        households::end,
        households::end_v1_0,
        households::history,
        households::notices,
        households::coordinator,
        households::consent,
        households::withdraw,
        households::criteria,
        households::create_plan,
        households::plan,
        households::add_item,
        households::add_assessment,
        households::close,
        households::zrm_figures,
        health,
    ),
    modifiers(&SecuritySchemes),
    components(schemas(Problem)),
    tags((name = "areas", description = "Areas and the neighbourhood monitor (wijkbeeld)"), (name = "housing", description = "Housing and the 30% social-rent target"), (name = "access", description = "Pseudonymisation, processing register and audit"), (name = "signals", description = "Early signalling and outreach (vroegsignalering)"), (name = "households", description = "Involvement index, match notices, consent and the joint plan"), (name = "programme", description = "Area programmes: commitments, pooled budget, business case, results report"), (name = "system", description = "Operations"))
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "partner_client",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("API client of a partner system: `Authorization: Bearer CLIENT_ID:SECRET`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Session cookie of a signed-in user (log in at /inloggen)",
            ))),
        );
    }
}

/// The API's version: the major is in every path (`/api/v1`), the whole version in the
/// `API-Version` header of every API response (NL API Design Rules).
pub const API_VERSION: &str = "1.0.0";

/// The prefix every API path has: the server URL of the OpenAPI document, whose paths are
/// relative to it (the NL API Design Rules want the major version in the server's URI).
pub const API_BASE: &str = "/api/v1";

/// The OpenAPI document as pretty JSON (what `docs/openapi.json` holds).
pub fn openapi_json() -> String {
    serde_json::to_string_pretty(&openapi_value()).unwrap_or_default()
}

/// The OpenAPI document as a JSON value, conformed (see [`conform`]).
fn openapi_value() -> serde_json::Value {
    let mut doc = ApiDoc::openapi();
    doc.merge(residents::openapi());
    let mut value = serde_json::to_value(&doc).unwrap_or_default();
    conform(&mut value);
    value
}

/// The document as this installation serves it: the contact is the operator's
/// (`[api] contact_*`), where the committed document names a placeholder.
fn served_openapi_json(config: &leefwijk_app::ApiConfig) -> String {
    let mut value = openapi_value();
    if let Some(contact) = value.pointer_mut("/info/contact").and_then(serde_json::Value::as_object_mut) {
        for (field, given) in
            [("name", &config.contact_name), ("url", &config.contact_url), ("email", &config.contact_email)]
        {
            if let Some(given) = given {
                contact.insert(field.to_string(), serde_json::Value::String(given.clone()));
            }
        }
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Whether a schema property holds a calendar date by Leefwijk's naming convention:
/// `date`, `…_date`, `…_on`, `…_since` and `…_until` are always `YYYY-MM-DD` (moments
/// are `…_at`). The document says so with `format: date`; a test holds the convention to
/// the values the API answers.
pub fn is_date_property(name: &str) -> bool {
    name == "date" || ["_date", "_on", "_since", "_until"].iter().any(|suffix| name.ends_with(suffix))
}

/// Adds `format: date` to every string property named as a date (see [`is_date_property`]).
fn mark_dates(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    let Some(property) = property.as_object_mut() else { continue };
                    let is_string = match property.get("type") {
                        Some(Value::String(t)) => t == "string",
                        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                        _ => false,
                    };
                    if is_date_property(name) && is_string && !property.contains_key("format") {
                        property.insert("format".to_string(), Value::String("date".to_string()));
                    }
                }
            }
            map.values_mut().for_each(mark_dates);
        }
        Value::Array(items) => items.iter_mut().for_each(mark_dates),
        _ => {}
    }
}

/// Paths of version 1.0 renamed since (a verb where a method or a noun belongs): they keep
/// working until version 2 and are marked deprecated.
pub const DEPRECATED_PATHS: &[(&str, &str)] =
    &[("post", "/api/v1/report-routing/{id}/delete"), ("post", "/api/v1/involvements/end")];

/// Completes every operation as the NL API Design Rules ask, from what the access table
/// knows of its route: the error statuses it can answer (400 for input, 401 and 403
/// behind a login or API client, 404 for a path with an id, 429 for rate-limited forms,
/// 500 always), each as problem+json, and the `API-Version` header on every response.
/// Paths become relative to the server URL [`API_BASE`]; dates get `format: date`.
fn conform(doc: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let problem = |description: &str| {
        json!({
            "description": description,
            "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
            "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            let Some(op) = op.as_object_mut() else { continue };
            if DEPRECATED_PATHS.contains(&(method.as_str(), path.as_str())) {
                op.insert("deprecated".to_string(), Value::Bool(true));
            }
            let rule =
                crate::access_table::rules().find(|r| r.method.eq_ignore_ascii_case(method) && r.path == path.as_str());
            let secured =
                rule.map(|r| r.access != crate::access_table::Access::Public).unwrap_or(op.contains_key("security"));
            let has_input = op.contains_key("requestBody")
                || op.get("parameters").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
            let mut needed: Vec<(&str, &str)> = Vec::new();
            if has_input {
                needed.push(("400", "The request does not fit: the problem names the field"));
            }
            if secured {
                needed.push(("401", "Not signed in, or an unknown, revoked or expired API client"));
                needed.push(("403", "Signed in, but this role, client scope or the covenant does not allow it"));
            }
            if path.contains('{') {
                needed.push(("404", "Not found (or not in your collaboration)"));
            }
            if rule.is_some_and(|r| r.rate_limited) {
                needed.push(("429", "Too many posts from this client; Retry-After says when to try again"));
            }
            needed.push(("500", "Something went wrong on our side; quote the request id"));
            let responses = op.entry("responses").or_insert_with(|| json!({}));
            let Some(responses) = responses.as_object_mut() else { continue };
            for (status, description) in needed {
                responses.entry(status.to_string()).or_insert_with(|| problem(description));
            }
            for response in responses.values_mut() {
                if let Some(r) = response.as_object_mut() {
                    let headers = r.entry("headers").or_insert_with(|| json!({}));
                    if let Some(h) = headers.as_object_mut() {
                        h.entry("API-Version").or_insert_with(|| json!({ "$ref": "#/components/headers/API-Version" }));
                    }
                }
            }
        }
    }
    let relative: serde_json::Map<String, Value> = std::mem::take(paths)
        .into_iter()
        .map(|(path, item)| (path.strip_prefix(API_BASE).map(str::to_string).unwrap_or(path), item))
        .collect();
    *paths = relative;
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(schemas) = components.get_mut("schemas") {
            mark_dates(schemas);
        }
        components.insert(
            "headers".to_string(),
            json!({ "API-Version": {
                "description": "The full version of the API that answered (semantic versioning).",
                "schema": { "type": "string", "example": API_VERSION }
            } }),
        );
    }
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/api/v1/health", tag = "system",
    responses((status = 200, description = "The service and its database answer", body = serde_json::Value),
              (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json")))]
async fn health(
    axum::extract::State(app): axum::extract::State<App>,
) -> Result<axum::Json<serde_json::Value>, Problem> {
    app.store.ping().await.map_err(|e| Problem::from(leefwijk_app::AppError::Store(e)))?;
    Ok(axum::Json(serde_json::json!({"status": "ok", "database": app.store.backend().name()})))
}

/// Session API writes carry the session's CSRF token in `X-CSRF-Token`.
pub(crate) fn check_csrf(me: &crate::auth::SignedIn, headers: &axum::http::HeaderMap) -> Result<(), Problem> {
    let given = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !me.csrf.is_empty() && given == me.csrf {
        Ok(())
    } else {
        Err(Problem::new(
            axum::http::StatusCode::FORBIDDEN,
            "csrf",
            "Send the session's CSRF token in the X-CSRF-Token header.",
        ))
    }
}

/// A JSON request body, or a 400 problem saying where to look.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(bytes).map_err(|e| {
        Problem::bad_request(format!("The JSON body does not fit: {e}. See /api/v1/openapi.json for the fields."))
    })
}

/// The id of something created.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedId {
    pub id: String,
}

async fn openapi(axum::extract::State(app): axum::extract::State<App>) -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], served_openapi_json(&app.api))
}

async fn api_not_found(axum::extract::OriginalUri(uri): axum::extract::OriginalUri) -> Problem {
    Problem::not_found(format!("There is no API resource at {}. See /api/v1/openapi.json for what exists.", uri.path()))
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This resource is read-only here: use GET.",
    )
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/health", get(health))
        .merge(areas::routes())
        .merge(access::routes())
        .merge(signals::routes())
        .merge(programme::routes())
        .merge(housing::routes())
        .merge(households::routes())
        .merge(publication::routes())
        .merge(residents::routes())
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed)
}
