//! API of panels and surveys.

use axum::Router;
use leefwijk_app::App;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths())]
pub struct Doc;

pub fn routes() -> Router<App> {
    Router::new()
}
