//! The residents' JSON API: one module per part, each with its routes and OpenAPI paths.

pub mod inzage;
pub mod neighbourhood;
pub mod panels;
pub mod participation;
pub mod reports;

use axum::Router;
use leefwijk_app::App;
use utoipa::OpenApi;

pub fn routes() -> Router<App> {
    neighbourhood::routes()
        .merge(reports::routes())
        .merge(participation::routes())
        .merge(panels::routes())
        .merge(inzage::routes())
}

/// The OpenAPI paths of all residents' parts, merged into the API's document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = neighbourhood::Doc::openapi();
    doc.merge(reports::Doc::openapi());
    doc.merge(participation::Doc::openapi());
    doc.merge(panels::Doc::openapi());
    doc.merge(inzage::Doc::openapi());
    doc
}
