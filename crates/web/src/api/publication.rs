//! Publication under the Woo: the data-exchange covenant in force per collaboration, as
//! JSON for anyone (no login). The page `/openbaar/convenant` shows the same.

use crate::negotiate::json;
use crate::Problem;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leefwijk_app::publication::{self, PublishedCovenant};
use leefwijk_app::App;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<App> {
    Router::new().route("/convenant", get(covenant))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CovenantQuery {
    /// The id of one collaboration (see `collaboration.id`); every collaboration when left
    /// out.
    collaboration: Option<String>,
}

/// The covenants in force, one per collaboration.
#[derive(Debug, Serialize, ToSchema)]
pub struct CovenantPublication {
    /// By collaboration name.
    pub collaborations: Vec<PublishedCovenant>,
}

/// The data-exchange covenant (convenant gegevensuitwisseling) in force of each
/// collaboration, published as the Woo (Wet open overheid) expects of covenants: parties
/// (organisations), purposes with their legal grounds, who may do what with which data
/// categories, retention terms and the version history. It holds no personal data and
/// names no user.
#[utoipa::path(get, path = "/api/v1/convenant", tag = "access", operation_id = "published_covenant",
    params(CovenantQuery),
    responses(
        (status = 200, description = "The covenants in force", body = CovenantPublication),
        (status = 404, description = "No collaboration with this id has a covenant", body = Problem, content_type = "application/problem+json")))]
async fn covenant(State(app): State<App>, Query(q): Query<CovenantQuery>) -> Result<Response, Problem> {
    let collaborations = match q.collaboration.as_deref().map(str::trim) {
        None | Some("") => publication::all_covenants(&app).await?,
        Some(id) => {
            let known = publication::collaborations(&app).await?;
            let Some(one) = known.into_iter().find(|c| c.id == id) else {
                return Err(Problem::not_found(format!(
                    "No collaboration {id:?} with a covenant. Leave `collaboration` out to get them all."
                )));
            };
            vec![publication::covenant(&app, &one).await?]
        }
    };
    Ok(json(&CovenantPublication { collaborations }))
}
