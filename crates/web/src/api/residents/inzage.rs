//! API of own-data requests (AVG inzage): a resident's request (public, rate limited) and
//! the privacy officer's handling, with the export as a JSON download.

use crate::api::json_body;
use crate::api::residents::panels::field_problem;
use crate::auth::SignedIn;
use crate::negotiate::json;
use crate::Problem;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::residents::inzage::{
    self, NewAccessRequest, OwnDataExport, Receipt, RequestDetail, RequestRow, StepInput,
};
use leefwijk_app::App;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(submit, list, detail, step, export))]
pub struct Doc;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/access-requests", post(submit).get(list))
        .route("/access-requests/{id}", get(detail))
        .route("/access-requests/{id}/steps", post(step))
        .route("/access-requests/{id}/export", get(export))
}

/// A resident asks for access to their data (art. 15 GDPR). The BSN is pseudonymised at
/// once and not kept; name and answer address are sealed. Rate limited per client.
#[utoipa::path(post, path = "/api/v1/access-requests", tag = "residents", request_body = NewAccessRequest,
    responses((status = 201, description = "Received: the reference and the legal deadline", body = Receipt),
        (status = 400, description = "Invalid fields; `errors` lists them", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many posts from this client", body = Problem, content_type = "application/problem+json")))]
async fn submit(State(app): State<App>, body: Bytes) -> Result<Response, Problem> {
    let input: NewAccessRequest = json_body(&body)?;
    match inzage::submit(&app, &input).await? {
        Ok(receipt) => Ok((StatusCode::CREATED, Json(receipt)).into_response()),
        Err(errors) => Err(field_problem(&errors)),
    }
}

/// The collaboration's requests with their deadlines (privacy officer).
#[utoipa::path(get, path = "/api/v1/access-requests", tag = "residents", operation_id = "list_access_requests", security(("session" = [])),
    responses((status = 200, description = "Requests, open ones first by deadline", body = [RequestRow])))]
async fn list(State(app): State<App>, Extension(me): Extension<SignedIn>) -> Result<Response, Problem> {
    Ok(json(&inzage::list(&app, &me.user).await?))
}

/// One request with the requester's contact details (opening them is audited).
#[utoipa::path(get, path = "/api/v1/access-requests/{id}", tag = "residents", operation_id = "get_access_request", security(("session" = [])),
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "Request", body = RequestDetail),
        (status = 404, description = "No such request in your collaboration", body = Problem, content_type = "application/problem+json")))]
async fn detail(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(json(&inzage::detail(&app, &me.user, &id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    pub status: String,
}

/// Takes a step: verify_identity (with a note on how), export, answer, or refuse (with the
/// reason). Every step is audited.
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/steps", tag = "residents", security(("session" = [])),
    params(("id" = String, Path, description = "Request id")), request_body = StepInput,
    responses((status = 200, description = "The new status", body = StepOut),
        (status = 400, description = "Invalid step or note", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in your collaboration", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible from the current status", body = Problem, content_type = "application/problem+json")))]
async fn step(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    crate::api::check_csrf(&me, &headers)?;
    // Unknown request first (404), then the body.
    inzage::list(&app, &me.user)
        .await?
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Problem::not_found(format!("There is no access request {id} in your collaboration.")))?;
    let input: StepInput = json_body(&body)?;
    let status = inzage::step(&app, &me.user, &id, &input).await?;
    Ok(json(&StepOut { status }))
}

/// Everything held under the person's pseudonyms, as a JSON file to hand over. Only after
/// identity is verified; reading it is audited under each pseudonym.
#[utoipa::path(get, path = "/api/v1/access-requests/{id}/export", tag = "residents", security(("session" = [])),
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The export", body = OwnDataExport),
        (status = 404, description = "No such request in your collaboration", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Identity not verified yet", body = Problem, content_type = "application/problem+json")))]
async fn export(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let e = inzage::export(&app, &me.user, &id).await?;
    let mut r = json(&e).into_response();
    if let Ok(v) = format!("attachment; filename=\"inzage-{}.json\"", e.request_id).parse() {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
