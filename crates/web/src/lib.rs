//! HTTP layer of Leefwijk: the JSON API under `/api/v1` (OpenAPI, problem+json, CSV for
//! every table) and the server-rendered pages (askama, NL Design System CSS, no
//! JavaScript needed). Handlers talk to `leefwijk_app` only, never to storage.

// Handlers return `Result<_, Problem>`; a problem is built once per failed request, so
// boxing it to shrink the Err variant would cost more than it saves.
#![allow(clippy::result_large_err)]

pub mod access_table;
pub mod api;
mod assets;
pub mod auth;
mod middleware;
mod negotiate;
pub mod pages;
mod problem;

use axum::Router;
use leefwijk_app::App;

pub use middleware::REQUEST_ID_HEADER;
pub use problem::Problem;

/// The whole web application.
pub fn router(app: App) -> Router {
    let cors = cors_layer(&app.api);
    let csp = middleware::content_security_policy(app.residents.reports.base_map_origin().as_deref());
    let router = Router::new()
        .merge(pages::routes())
        .merge(assets::routes())
        .nest("/api/v1", api::routes())
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), auth::authorize))
        .fallback(pages::not_found)
        .with_state(app)
        .layer(axum::middleware::from_fn_with_state(csp, middleware::request_context))
        // Maps of the whole country are a few hundred kilobytes of SVG path data: gzip makes
        // them a fifth of that for a phone. Only when the client asks (Accept-Encoding).
        .layer(tower_http::compression::CompressionLayer::new());
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// The API's cross-origin policy: none unless `[api] cors_allowed_origins` names origins.
/// Then those origins' pages may call `/api/v1` from a browser, with the methods and
/// headers the API uses, and read the headers it answers with. Credentials (the session
/// cookie) are not sent cross-origin: another site's page uses an API client's token.
fn cors_layer(config: &leefwijk_app::ApiConfig) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{header, HeaderName, HeaderValue, Method};
    let origins: Vec<HeaderValue> = config
        .cors_allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        tower_http::cors::CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("traceparent"),
            ])
            .expose_headers([HeaderName::from_static("api-version"), HeaderName::from_static(REQUEST_ID_HEADER)])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}
