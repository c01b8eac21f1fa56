//! API of initiatives and participatory budgeting. Reading is public; proposing,
//! requesting a code, supporting and voting are public forms (rate limited per client, no
//! account: the e-mail code proves residence); running rounds is for policy staff of the
//! owning collaboration.

use crate::api::{check_csrf, json_body as body};
use crate::auth::SignedIn;
use crate::negotiate::json;
use crate::Problem;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::residents::participation::{
    self as part, AreaSummary, Assessment, BallotIn, BallotReceipt, CodeRequest, HandOver, InitiativeView,
    NewInitiative, NewProject, NewRound, RoundView, Scope,
};
use leefwijk_app::App;
use leefwijk_domain::residents::budgeting::Phase;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        list_initiatives,
        propose,
        get_initiative,
        support_code,
        support,
        assess,
        list_rounds,
        create_round,
        add_project,
        get_round,
        vote_code,
        vote,
        move_phase,
        hand_over,
        area_summary
    ),
    tags((name = "participation", description = "Initiatives and participatory budgeting (bewonersbegroting)"))
)]
pub struct Doc;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/initiatives", get(list_initiatives).post(propose))
        .route("/initiatives/{id}", get(get_initiative))
        .route("/initiatives/{id}/support-code", post(support_code))
        .route("/initiatives/{id}/support", post(support))
        .route("/initiatives/{id}/assessment", post(assess))
        .route("/budget-rounds", get(list_rounds).post(create_round))
        .route("/budget-rounds/{id}", get(get_round))
        .route("/budget-rounds/{id}/code", post(vote_code))
        .route("/budget-rounds/{id}/ballots", post(vote))
        .route("/budget-rounds/{id}/projects", post(add_project))
        .route("/budget-rounds/{id}/phase", post(move_phase))
        .route("/budget-rounds/{id}/handover", post(hand_over))
        .route("/areas/{code}/participation", get(area_summary))
}

fn created<T: Serialize>(v: &T) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct AreaFilter {
    /// A gemeente, wijk or buurt code: initiatives in it or around it.
    area: Option<String>,
}

/// Initiatives, newest first, optionally for one area.
#[utoipa::path(get, path = "/api/v1/initiatives", tag = "participation", params(AreaFilter),
    responses((status = 200, description = "Initiatives", body = [InitiativeView])))]
async fn list_initiatives(State(app): State<App>, Query(q): Query<AreaFilter>) -> Result<Response, Problem> {
    let area = q.area.as_deref().map(str::trim).filter(|a| !a.is_empty());
    Ok(json(&part::initiatives(&app, area).await?))
}

/// Proposes an initiative (anonymous; contact details optional and never public).
#[utoipa::path(post, path = "/api/v1/initiatives", tag = "participation", request_body = NewInitiative,
    responses((status = 201, description = "Proposed", body = InitiativeView),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many submissions", body = Problem, content_type = "application/problem+json")))]
async fn propose(State(app): State<App>, b: Bytes) -> Result<Response, Problem> {
    let input: NewInitiative = body(&b)?;
    Ok(created(&part::propose(&app, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/initiatives/{id}", tag = "participation",
    params(("id" = String, Path, description = "Initiative id")),
    responses((status = 200, description = "Initiative", body = InitiativeView),
        (status = 404, description = "No such initiative", body = Problem, content_type = "application/problem+json")))]
async fn get_initiative(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(json(&part::initiative(&app, &id).await?))
}

/// Sends a 6-digit code to a resident of the initiative's district who wants to support it.
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/support-code", tag = "participation", request_body = CodeRequest,
    params(("id" = String, Path, description = "Initiative id")),
    responses((status = 202, description = "Code sent"),
        (status = 400, description = "Invalid address", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a resident of the area", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer open for support", body = Problem, content_type = "application/problem+json")))]
async fn support_code(State(app): State<App>, Path(id): Path<String>, b: Bytes) -> Result<Response, Problem> {
    part::initiative(&app, &id).await?;
    let req: CodeRequest = body(&b)?;
    part::request_code(&app, &Scope::Initiative(id), &req).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = InitiativeSupport)]
pub struct SupportIn {
    email: String,
    code: String,
}

/// Counts a verified resident's support (once per resident).
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/support", tag = "participation", request_body = SupportIn,
    params(("id" = String, Path, description = "Initiative id")),
    responses((status = 200, description = "Counted", body = InitiativeView),
        (status = 400, description = "Wrong or expired code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already supported", body = Problem, content_type = "application/problem+json")))]
async fn support(State(app): State<App>, Path(id): Path<String>, b: Bytes) -> Result<Response, Problem> {
    part::initiative(&app, &id).await?;
    let s: SupportIn = body(&b)?;
    Ok(json(&part::support(&app, &id, &s.email, &s.code).await?))
}

/// Moves an initiative on: supported → in_assessment → accepted or rejected (with a reason).
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/assessment", tag = "participation", request_body = Assessment,
    params(("id" = String, Path, description = "Initiative id")), security(("session" = [])),
    responses((status = 200, description = "Moved", body = InitiativeView),
        (status = 400, description = "Not allowed from the current status", body = Problem, content_type = "application/problem+json")))]
async fn assess(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    part::owned_initiative(&app, &me.user, &id).await?;
    let a: Assessment = body(&b)?;
    Ok(json(&part::assess(&app, &me.user, &id, &a).await?))
}

/// Budgeting rounds of every collaboration, newest first.
#[utoipa::path(get, path = "/api/v1/budget-rounds", tag = "participation",
    responses((status = 200, description = "Rounds", body = [RoundView])))]
async fn list_rounds(State(app): State<App>) -> Result<Response, Problem> {
    Ok(json(&part::rounds(&app, None).await?))
}

/// Creates a round for an area with its budget, vote rule, projects and programme.
#[utoipa::path(post, path = "/api/v1/budget-rounds", tag = "participation", request_body = NewRound,
    security(("session" = [])),
    responses((status = 201, description = "Created (phase: ideas)", body = RoundView),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn create_round(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let input: NewRound = body(&b)?;
    Ok(created(&part::create_round(&app, &me.user, &input).await?))
}

/// Adds a project (entered, or an assessed or accepted initiative) before voting opens.
#[utoipa::path(post, path = "/api/v1/budget-rounds/{id}/projects", tag = "participation", request_body = NewProject,
    params(("id" = String, Path, description = "Round id")), security(("session" = [])),
    responses((status = 201, description = "Added", body = RoundView),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Voting has started", body = Problem, content_type = "application/problem+json")))]
async fn add_project(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    part::owned_round(&app, &me.user, &id).await?;
    let p: NewProject = body(&b)?;
    Ok(created(&part::add_project(&app, &me.user, &id, &p).await?))
}

/// A round: phase, projects, ballots cast and, once published, the counted result.
#[utoipa::path(get, path = "/api/v1/budget-rounds/{id}", tag = "participation",
    params(("id" = String, Path, description = "Round id")),
    responses((status = 200, description = "Round", body = RoundView),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json")))]
async fn get_round(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(json(&part::round(&app, &id).await?))
}

/// Sends a 6-digit voting code to a resident of the round's area.
#[utoipa::path(post, path = "/api/v1/budget-rounds/{id}/code", tag = "participation", request_body = CodeRequest,
    params(("id" = String, Path, description = "Round id")),
    responses((status = 202, description = "Code sent"),
        (status = 400, description = "Invalid address", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a resident of the area", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Voting is not open", body = Problem, content_type = "application/problem+json")))]
async fn vote_code(State(app): State<App>, Path(id): Path<String>, b: Bytes) -> Result<Response, Problem> {
    part::round(&app, &id).await?;
    let req: CodeRequest = body(&b)?;
    part::request_code(&app, &Scope::Round(id), &req).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Casts a ballot with the e-mail code; a second ballot by the same resident is refused.
#[utoipa::path(post, path = "/api/v1/budget-rounds/{id}/ballots", tag = "participation", request_body = BallotIn,
    params(("id" = String, Path, description = "Round id")),
    responses((status = 201, description = "Counted", body = BallotReceipt),
        (status = 400, description = "Ballot breaks the vote rule, or wrong code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already voted, or voting not open", body = Problem, content_type = "application/problem+json")))]
async fn vote(State(app): State<App>, Path(id): Path<String>, b: Bytes) -> Result<Response, Problem> {
    part::round(&app, &id).await?;
    let ballot: BallotIn = body(&b)?;
    Ok(created(&part::vote(&app, &id, &ballot).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PhaseIn {
    /// The next phase: assessment, voting or result (moving to result counts and publishes).
    to: Phase,
}

/// Moves a round one phase forward.
#[utoipa::path(post, path = "/api/v1/budget-rounds/{id}/phase", tag = "participation", request_body = PhaseIn,
    params(("id" = String, Path, description = "Round id")), security(("session" = [])),
    responses((status = 200, description = "Moved", body = RoundView),
        (status = 400, description = "Not the next phase", body = Problem, content_type = "application/problem+json")))]
async fn move_phase(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    part::owned_round(&app, &me.user, &id).await?;
    let p: PhaseIn = body(&b)?;
    Ok(json(&part::move_phase(&app, &me.user, &id, p.to).await?))
}

/// Hands the winning projects to the round's area programme as interventions.
#[utoipa::path(post, path = "/api/v1/budget-rounds/{id}/handover", tag = "participation",
    params(("id" = String, Path, description = "Round id")), security(("session" = [])),
    responses((status = 200, description = "Handed over", body = HandOver),
        (status = 400, description = "No published result or no programme", body = Problem, content_type = "application/problem+json")))]
async fn hand_over(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    Ok(json(&part::hand_over(&app, &me.user, &id).await?))
}

/// Open rounds, results and open initiatives of an area, for its neighbourhood page.
#[utoipa::path(get, path = "/api/v1/areas/{code}/participation", tag = "participation",
    params(("code" = String, Path, description = "Gemeente, wijk or buurt code")),
    responses((status = 200, description = "Summary", body = AreaSummary)))]
async fn area_summary(State(app): State<App>, Path(code): Path<String>) -> Result<Response, Problem> {
    let code: String = code.trim().chars().take(12).collect();
    Ok(json(&part::area_summary(&app, &code).await?))
}
