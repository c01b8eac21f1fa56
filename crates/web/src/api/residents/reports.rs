//! API of public-space reports (meldingen).

use axum::Router;
use leefwijk_app::App;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths())]
pub struct Doc;

pub fn routes() -> Router<App> {
    Router::new()
}
