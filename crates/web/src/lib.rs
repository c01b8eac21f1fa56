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
    Router::new()
        .merge(pages::routes())
        .merge(assets::routes())
        .nest("/api/v1", api::routes())
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), auth::authorize))
        .fallback(pages::not_found)
        .with_state(app)
        .layer(axum::middleware::from_fn(middleware::request_context))
        // Maps of the whole country are a few hundred kilobytes of SVG path data: gzip makes
        // them a fifth of that for a phone. Only when the client asks (Accept-Encoding).
        .layer(tower_http::compression::CompressionLayer::new())
}
