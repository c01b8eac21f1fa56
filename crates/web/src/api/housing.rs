//! API of housing: per municipality the stock, social share, plans and projection to 30%;
//! regions; agreements with progress per priority group; placements with support.

use super::{check_csrf, json_body as body, CreatedId};
use crate::api::signals::denied;
use crate::auth::SignedIn;
use crate::negotiate::{csv_response, json};
use crate::Problem;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::access::gate::Actor;
use leefwijk_app::housing::{
    self, AgreementProgress, MunicipalityHousing, NewAgreement, NewPlacement, NewPlan, PlacementView, RegionHousing,
};
use leefwijk_app::App;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/housing/municipalities/{code}", get(municipality))
        .route("/housing/municipalities/{code}/projection.csv", get(projection_csv))
        .route("/housing/municipalities/{code}/plans", post(add_plan))
        .route("/housing/regions", post(add_region))
        .route("/housing/regions/{id}", get(region))
        .route("/housing/agreements", get(agreements).post(create_agreement))
        .route("/housing/agreements/{id}", get(agreement))
        .route("/housing/agreements/{id}/progress.csv", get(agreement_csv))
        .route("/housing/agreements/{id}/placements", get(placements))
        .route("/housing/placements", post(register_placement))
        .route("/housing/placements/{id}/support-confirmation", post(confirm_support))
}

fn created(id: String) -> Response {
    (StatusCode::CREATED, Json(CreatedId { id })).into_response()
}

/// Stock, social share, plans and the projection to 30% social rent of a municipality.
#[utoipa::path(get, path = "/api/v1/housing/municipalities/{code}", tag = "housing",
    params(("code" = String, Path, description = "GM code")),
    responses((status = 200, description = "Housing of the municipality", body = MunicipalityHousing),
        (status = 400, description = "Not a municipality code", body = Problem, content_type = "application/problem+json")))]
async fn municipality(State(app): State<App>, Path(code): Path<String>) -> Result<Response, Problem> {
    Ok(json(&housing::municipality(&app, &code).await?))
}

/// The projection as CSV: year, total, corporation, other rent, owner-occupied, social share.
#[utoipa::path(get, path = "/api/v1/housing/municipalities/{code}/projection.csv", tag = "housing",
    params(("code" = String, Path, description = "GM code")),
    responses((status = 200, description = "CSV", content_type = "text/csv")))]
async fn projection_csv(State(app): State<App>, Path(code): Path<String>) -> Result<Response, Problem> {
    let h = housing::municipality(&app, &code).await?;
    let rows = h
        .projection
        .iter()
        .map(|y| {
            vec![
                y.year.to_string(),
                y.stock.total.to_string(),
                y.stock.corporation.to_string(),
                y.stock.other_rent.to_string(),
                y.stock.owner_occupied.to_string(),
                y.social_share.map(|s| format!("{:.4}", s)).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(csv_response(
        &format!("projectie-{}.csv", h.code),
        &["year", "total", "corporation", "other_rent", "owner_occupied", "social_share"],
        rows,
    ))
}

/// Adds planned construction, demolition or sales for a municipality and year.
#[utoipa::path(post, path = "/api/v1/housing/municipalities/{code}/plans", tag = "housing", request_body = NewPlan,
    params(("code" = String, Path, description = "GM code")), security(("session" = [])),
    responses((status = 201, description = "Added"),
        (status = 400, description = "Invalid, or it would run a segment below zero", body = Problem, content_type = "application/problem+json")))]
async fn add_plan(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(code): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    housing::check_may_plan(&app, &me.user, &code).await?;
    housing::add_plan(&app, &me.user, &code, &body(&b)?).await?;
    Ok(StatusCode::CREATED.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegionIn {
    name: String,
    municipality_codes: Vec<String>,
}

/// Creates a region (a set of municipalities, such as a housing-market region).
#[utoipa::path(post, path = "/api/v1/housing/regions", tag = "housing", request_body = RegionIn, security(("session" = [])),
    responses((status = 201, description = "Created", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn add_region(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let r: RegionIn = body(&b)?;
    Ok(created(housing::add_region(&app, &me.user, &r.name, &r.municipality_codes).await?))
}

/// A region: the social share of every municipality and the spread across them.
#[utoipa::path(get, path = "/api/v1/housing/regions/{id}", tag = "housing",
    params(("id" = String, Path, description = "Region id")),
    responses((status = 200, description = "Region", body = RegionHousing)))]
async fn region(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(json(&housing::region(&app, &id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementSummary {
    id: String,
    kind: String,
    title: String,
    period: String,
}

/// Agreements (woonzorgvisie, prestatieafspraken) of every collaboration.
#[utoipa::path(get, path = "/api/v1/housing/agreements", tag = "housing",
    responses((status = 200, description = "Agreements", body = [AgreementSummary])))]
async fn agreements(State(app): State<App>) -> Result<Response, Problem> {
    let all = app.store.agreements(None).await.map_err(leefwijk_app::AppError::Store)?;
    Ok(json(
        &all.into_iter()
            .map(|a| AgreementSummary {
                period: format!("{}–{}", a.start_year, a.end_year),
                id: a.id,
                kind: a.kind,
                title: a.title,
            })
            .collect::<Vec<_>>(),
    ))
}

/// Records an agreement with contingents per priority group, municipality and year, and
/// the support that comes with each home.
#[utoipa::path(post, path = "/api/v1/housing/agreements", tag = "housing", request_body = NewAgreement, security(("session" = [])),
    responses((status = 201, description = "Created", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn create_agreement(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let a: NewAgreement = body(&b)?;
    Ok(created(housing::create_agreement(&app, &me.user, &a).await?))
}

/// Progress of an agreement: realised against agreed per group, municipality and year,
/// placements without confirmed support, and concentration in pressured buurten.
#[utoipa::path(get, path = "/api/v1/housing/agreements/{id}", tag = "housing",
    params(("id" = String, Path, description = "Agreement id")),
    responses((status = 200, description = "Progress", body = AgreementProgress)))]
async fn agreement(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(json(&housing::agreement_progress(&app, &id).await?))
}

/// Progress as CSV: group, municipality, year, agreed, realised, remaining, unconfirmed support.
#[utoipa::path(get, path = "/api/v1/housing/agreements/{id}/progress.csv", tag = "housing",
    params(("id" = String, Path, description = "Agreement id")),
    responses((status = 200, description = "CSV", content_type = "text/csv")))]
async fn agreement_csv(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    let p = housing::agreement_progress(&app, &id).await?;
    let rows = p
        .lines
        .iter()
        .map(|l| {
            vec![
                l.priority_group.code().to_string(),
                l.municipality_code.clone(),
                l.year.to_string(),
                l.progress.agreed.to_string(),
                l.progress.realised.to_string(),
                l.progress.remaining.to_string(),
                l.unconfirmed_support.to_string(),
            ]
        })
        .collect();
    Ok(csv_response(
        &format!("voortgang-{id}.csv"),
        &["priority_group", "municipality", "year", "agreed", "realised", "remaining", "unconfirmed_support"],
        rows,
    ))
}

/// Placements of an agreement (household pseudonyms shortened), for the parties that
/// handle them; the covenant decides and the read is audited.
#[utoipa::path(get, path = "/api/v1/housing/agreements/{id}/placements", tag = "housing",
    params(("id" = String, Path, description = "Agreement id")), security(("session" = [])),
    responses((status = 200, description = "Placements", body = [PlacementView]),
        (status = 403, description = "Not allowed by the covenant", body = Problem, content_type = "application/problem+json")))]
async fn placements(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let actor = Actor::User(me.user.clone());
    Ok(json(&housing::placements(&app, &covenant, &actor, &id).await?.map_err(|d| denied(&d))?))
}

/// Registers a placement of a household of a priority group, with its support arrangement.
#[utoipa::path(post, path = "/api/v1/housing/placements", tag = "housing", request_body = NewPlacement, security(("session" = [])),
    responses((status = 201, description = "Registered", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed by the covenant (e.g. no consent)", body = Problem, content_type = "application/problem+json")))]
async fn register_placement(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let p: NewPlacement = body(&b)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let actor = Actor::User(me.user.clone());
    Ok(created(housing::register_placement(&app, &covenant, &actor, &p).await?.map_err(|d| denied(&d))?))
}

/// The support organisation confirms the support that comes with the home.
#[utoipa::path(post, path = "/api/v1/housing/placements/{id}/support-confirmation", tag = "housing",
    params(("id" = String, Path, description = "Placement id")), security(("session" = [])),
    responses((status = 204, description = "Confirmed"),
        (status = 409, description = "Not the named support organisation, or already confirmed", body = Problem, content_type = "application/problem+json")))]
async fn confirm_support(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let actor = Actor::User(me.user.clone());
    housing::confirm_support(&app, &covenant, &actor, &id).await?.map_err(|d| denied(&d))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
