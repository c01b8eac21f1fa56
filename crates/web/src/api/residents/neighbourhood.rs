//! API of the public neighbourhood page.

use crate::Problem;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use leefwijk_app::residents::neighbourhood::{self, Neighbourhood};
use leefwijk_app::App;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(get_neighbourhood))]
pub struct Doc;

pub fn routes() -> Router<App> {
    Router::new().route("/neighbourhoods/{code}", get(get_neighbourhood))
}

/// What the public neighbourhood page shows: CBS key figures, outreach figures under
/// disclosure control, and the area programmes covering the area with their results.
#[utoipa::path(get, path = "/api/v1/neighbourhoods/{code}", tag = "residents",
    params(("code" = String, Path, description = "CBS code of a buurt, wijk or gemeente")),
    responses((status = 200, description = "The neighbourhood", body = Neighbourhood),
              (status = 400, description = "Not an area code", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such area", body = Problem, content_type = "application/problem+json")))]
async fn get_neighbourhood(State(app): State<App>, Path(code): Path<String>) -> Result<Json<Neighbourhood>, Problem> {
    Ok(Json(neighbourhood::neighbourhood(&app, &code).await?))
}
