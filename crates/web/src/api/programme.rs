//! API of area programmes: list and results report (public: programmes hold no personal
//! data and are accounted for in public), and changes by policy staff of the owning
//! collaboration.

use super::{check_csrf, json_body as body, CreatedId};
use crate::auth::SignedIn;
use crate::negotiate::{csv_response, json};
use crate::Problem;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::programme::report::{report, report_csv, Report};
use leefwijk_app::programme::{self, Booked, Booking, NewCommitment, NewGoal, NewIntervention, NewProgramme};
use leefwijk_app::App;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/programmes", get(list).post(create))
        .route("/programmes/{id}", get(get_report))
        .route("/programmes/{id}/report.csv", get(get_report_csv))
        .route("/programmes/{id}/goals", post(add_goal))
        .route("/programmes/{id}/commitments", post(add_commitment))
        .route("/programmes/{id}/commitments/{cid}/status", post(move_commitment))
        .route("/programmes/{id}/interventions", post(add_intervention))
        .route("/programmes/{id}/transactions", post(book))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeSummary {
    id: String,
    name: String,
    area_codes: Vec<String>,
    period: String,
    lead: String,
}

/// Area programmes of every collaboration.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programme", operation_id = "list_programmes",
    responses((status = 200, description = "Programmes", body = [ProgrammeSummary])))]
async fn list(State(app): State<App>) -> Result<Response, Problem> {
    let all = app.store.programmes(None).await.map_err(leefwijk_app::AppError::Store)?;
    Ok(json(
        &all.into_iter()
            .map(|p| ProgrammeSummary {
                period: format!("{}–{}", p.start_year, p.end_year),
                id: p.id,
                name: p.name,
                area_codes: p.area_codes,
                lead: p.lead,
            })
            .collect::<Vec<_>>(),
    ))
}

/// The results report: goals against indicators, commitments, money per stream, funder and
/// intervention, and the social business case per scenario.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programme",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, description = "Report", body = Report),
        (status = 404, description = "No such programme", body = Problem, content_type = "application/problem+json")))]
async fn get_report(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(json(&report(&app, &id).await?))
}

/// The results report as CSV: section, item, measure, value.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/report.csv", tag = "programme",
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, description = "CSV", content_type = "text/csv")))]
async fn get_report_csv(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    let r = report(&app, &id).await?;
    let mut rows = report_csv(&r);
    rows.remove(0);
    Ok(csv_response(
        &format!("verantwoording-{}.csv", r.id),
        &["section", "item", "measure", "value"],
        rows.into_iter().map(|r| r.to_vec()).collect(),
    ))
}

fn created<T: Serialize>(v: &T) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

/// Creates a programme in the signed-in user's collaboration.
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programme", request_body = NewProgramme,
    security(("session" = [])),
    responses((status = 201, description = "Created", body = ProgrammeSummary),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn create(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let input: NewProgramme = body(&b)?;
    let p = programme::create(&app, &me.user, &input).await?;
    Ok(created(&ProgrammeSummary {
        period: format!("{}–{}", p.start_year, p.end_year),
        id: p.id,
        name: p.name,
        area_codes: p.area_codes,
        lead: p.lead,
    }))
}

/// Adds a goal tied to a monitor indicator or an own measure.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/goals", tag = "programme", request_body = NewGoal,
    params(("id" = String, Path, description = "Programme id")), security(("session" = [])),
    responses((status = 201, description = "Added", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn add_goal(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    programme::owned_programme(&app, &me.user, &id).await?;
    let g = programme::add_goal(&app, &me.user, &id, &body(&b)?).await?;
    Ok(created(&CreatedId { id: g.id }))
}

/// Adds a party's commitment (what it brings and what it receives in return).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/commitments", tag = "programme", request_body = NewCommitment,
    params(("id" = String, Path, description = "Programme id")), security(("session" = [])),
    responses((status = 201, description = "Added", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn add_commitment(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    programme::owned_programme(&app, &me.user, &id).await?;
    let c = programme::add_commitment(&app, &me.user, &id, &body(&b)?).await?;
    Ok(created(&CreatedId { id: c.id }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CommitmentStatusChange)]
pub struct StatusIn {
    /// agreed, delivered, late or withdrawn.
    status: String,
}

/// Moves a commitment on (proposed → agreed → delivered, or late / withdrawn).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/commitments/{cid}/status", tag = "programme", request_body = StatusIn,
    params(("id" = String, Path, description = "Programme id"), ("cid" = String, Path, description = "Commitment id")), security(("session" = [])),
    responses((status = 204, description = "Moved"),
        (status = 400, description = "Not allowed from the current status", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json")))]
async fn move_commitment(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path((id, cid)): Path<(String, String)>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    programme::owned_programme(&app, &me.user, &id).await?;
    let s: StatusIn = body(&b)?;
    programme::move_commitment(&app, &me.user, &id, &cid, &s.status).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Adds an intervention with its reach, yearly costs per funder and assumed effects.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/interventions", tag = "programme", request_body = NewIntervention,
    params(("id" = String, Path, description = "Programme id")), security(("session" = [])),
    responses((status = 201, description = "Added", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn add_intervention(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    programme::owned_programme(&app, &me.user, &id).await?;
    let i = programme::add_intervention(&app, &me.user, &id, &body(&b)?).await?;
    Ok(created(&CreatedId { id: i.id }))
}

/// Books a movement in the pooled budget: a contribution, an allocation, spending, or a
/// correction of an earlier transaction. Refused with the reason when it would not balance,
/// allocate more than the pool holds, or spend more than was allocated.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/transactions", tag = "programme", request_body = Booking,
    params(("id" = String, Path, description = "Programme id")), security(("session" = [])),
    responses((status = 201, description = "Booked", body = Booked),
        (status = 400, description = "Refused by the ledger rules", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another booking came first", body = Problem, content_type = "application/problem+json")))]
async fn book(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    programme::owned_programme(&app, &me.user, &id).await?;
    let booking: Booking = body(&b)?;
    Ok(created(&programme::book(&app, &me.user, &id, &booking).await?))
}
