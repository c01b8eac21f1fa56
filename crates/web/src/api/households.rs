//! API of households with stacked problems: the involvement index, match notices,
//! coordinator, consent, and the joint plan with ZRM assessments.

use super::{check_csrf, json_body as body, CreatedId};
use crate::api::signals::denied;
use crate::auth::SignedIn;
use crate::negotiate::json;
use crate::Problem;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::households::{
    self, EndInvolvement, Ended, HistoryLine, NewAssessment, NewConsent, NewInvolvement, NewItem, NewPlan, PlanView,
    Registered,
};
use leefwijk_app::App;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/involvements", post(register))
        .route("/involvements/history", post(history))
        .route("/involvement-endings", post(end))
        // The path of version 1.0; kept until the next major version.
        .route("/involvements/end", post(end_v1_0))
        .route("/match-notices", get(notices))
        .route("/matches/{id}/coordinator", post(coordinator))
        .route("/consents", post(consent))
        .route("/consents/{id}/withdrawal", post(withdraw))
        .route("/zrm-criteria", post(criteria))
        .route("/plans", post(create_plan))
        .route("/plans/{id}", get(plan))
        .route("/plans/{id}/items", post(add_item))
        .route("/plans/{id}/assessments", post(add_assessment))
        .route("/plans/{id}/close", post(close))
        .route("/zrm-figures/{code}", get(zrm_figures))
}

/// Registers that the user's organisation is involved with a person (never why). When
/// another organisation is involved with the person, the household or a parent or child,
/// every involved organisation gets a match notice.
#[utoipa::path(post, path = "/api/v1/involvements", tag = "households", operation_id = "register_involvement", request_body = NewInvolvement, security(("session" = [])),
    responses((status = 201, description = "Registered; with the match when one was made", body = Registered),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed by the covenant", body = Problem, content_type = "application/problem+json")))]
async fn register(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let input: NewInvolvement = body(&b)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let r = households::register(&app, &covenant, &me.user, &input).await?.map_err(|d| denied(&d))?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// Ends the user's organisation's running registrations of a person (involvement over,
/// or the person died) by posting an ending: the person's BSN in the body, never in a URL
/// (so not `DELETE /involvements/{bsn}`).
#[utoipa::path(post, path = "/api/v1/involvement-endings", tag = "households", request_body = EndInvolvement, security(("session" = [])),
    responses((status = 200, description = "Ended", body = Ended),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed by the covenant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No running registration of the organisation for this person", body = Problem, content_type = "application/problem+json")))]
async fn end(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let input: EndInvolvement = body(&b)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let r = households::end_involvement(&app, &covenant, &me.user, &input).await?.map_err(|d| denied(&d))?;
    Ok(Json(r).into_response())
}

/// As `POST /api/v1/involvement-endings`: the path of version 1.0, kept until version 2.
#[utoipa::path(post, path = "/api/v1/involvements/end", tag = "households", request_body = EndInvolvement,
    security(("session" = [])), responses((status = 200, description = "Ended", body = Ended)))]
async fn end_v1_0(
    state: State<App>,
    me: Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    end(state, me, headers, b).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct HistoryIn {
    /// Sent in the body, never in a URL, so it stays out of logs.
    bsn: String,
}

/// The registration history of a person (organisations and dates, never reasons). Every
/// look is audited.
#[utoipa::path(post, path = "/api/v1/involvements/history", tag = "households", request_body = HistoryIn, security(("session" = [])),
    responses((status = 200, description = "Registrations", body = [HistoryLine]),
        (status = 403, description = "Not allowed by the covenant", body = Problem, content_type = "application/problem+json")))]
async fn history(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let h: HistoryIn = body(&b)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    Ok(json(&households::history(&app, &covenant, &me.user, &h.bsn).await?.map_err(|d| denied(&d))?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Notice {
    id: String,
    match_id: String,
    kind: String,
    text: String,
    created_at_ms: i64,
}

/// Notices for the user's organisation: matches, coordinators chosen, escalations.
#[utoipa::path(get, path = "/api/v1/match-notices", tag = "households", security(("session" = [])),
    responses((status = 200, description = "Notices, newest first", body = [Notice])))]
async fn notices(State(app): State<App>, Extension(me): Extension<SignedIn>) -> Result<Response, Problem> {
    let list =
        app.store.notices(&me.user.tenant_id, &me.user.organisation_id).await.map_err(leefwijk_app::AppError::Store)?;
    Ok(json(
        &list
            .into_iter()
            .map(|n| Notice { id: n.id, match_id: n.match_id, kind: n.kind, text: n.text, created_at_ms: n.created_at })
            .collect::<Vec<_>>(),
    ))
}

/// The user's organisation becomes the coordinator (regisseur) of a match.
#[utoipa::path(post, path = "/api/v1/matches/{id}/coordinator", tag = "households",
    params(("id" = String, Path, description = "Match id")), security(("session" = [])),
    responses((status = 204, description = "Coordinator"),
        (status = 404, description = "No such match of your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A coordinator was chosen already", body = Problem, content_type = "application/problem+json")))]
async fn coordinator(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    households::become_coordinator(&app, &me.user, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Records a household member's consent for a purpose and organisation.
#[utoipa::path(post, path = "/api/v1/consents", tag = "households", request_body = NewConsent, security(("session" = [])),
    responses((status = 201, description = "Recorded", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn consent(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let c: NewConsent = body(&b)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let id = households::record_consent(&app, &covenant, &me.user, &c).await?.map_err(|d| denied(&d))?;
    Ok((StatusCode::CREATED, Json(CreatedId { id })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WithdrawIn {
    /// From this date on the consent no longer holds.
    withdrawn_on: String,
}

/// Withdraws a consent; from its date the gate refuses what needed it.
#[utoipa::path(post, path = "/api/v1/consents/{id}/withdrawal", tag = "households", request_body = WithdrawIn,
    params(("id" = String, Path, description = "Consent id")), security(("session" = [])),
    responses((status = 204, description = "Withdrawn"),
        (status = 409, description = "Withdrawn already", body = Problem, content_type = "application/problem+json")))]
async fn withdraw(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let w: WithdrawIn = body(&b)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    households::withdraw_consent(&app, &covenant, &me.user, &id, &w.withdrawn_on).await?.map_err(|d| denied(&d))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Loaded {
    rows: usize,
}

/// Loads the organisation's licensed ZRM criteria texts as CSV (`domain,level,text`),
/// replacing earlier ones. Shown only to this organisation, beside the levels.
#[utoipa::path(post, path = "/api/v1/zrm-criteria", tag = "households",
    request_body(content_type = "text/csv", description = "domain,level,text"), security(("session" = [])),
    responses((status = 200, description = "Loaded", body = Loaded),
        (status = 400, description = "A line names the problem", body = Problem, content_type = "application/problem+json")))]
async fn criteria(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let text = std::str::from_utf8(&b).map_err(|_| Problem::bad_request("Send the criteria as UTF-8 CSV."))?;
    let rows = households::load_criteria(&app, &me.user, text).await?;
    Ok(json(&Loaded { rows }))
}

/// Makes the joint plan (coordinator only; needs the member's consent).
#[utoipa::path(post, path = "/api/v1/plans", tag = "households", request_body = NewPlan, security(("session" = [])),
    responses((status = 201, description = "Created", body = CreatedId),
        (status = 403, description = "Not the coordinator, or no consent", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No match notice with this id in your collaboration", body = Problem, content_type = "application/problem+json")))]
async fn create_plan(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let p: NewPlan = body(&b)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let id = households::create_plan(&app, &covenant, &me.user, &p).await?.map_err(|d| denied(&d))?;
    Ok((StatusCode::CREATED, Json(CreatedId { id })).into_response())
}

/// The joint plan, for involved organisations with the member's consent (audited).
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "households",
    params(("id" = String, Path, description = "Plan id")), security(("session" = [])),
    responses((status = 200, description = "The plan", body = PlanView),
        (status = 403, description = "Not involved, or no consent; names the missing rule", body = Problem, content_type = "application/problem+json")))]
async fn plan(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    Ok(json(&households::plan(&app, &covenant, &me.user, &id).await?.map_err(|d| denied(&d))?))
}

/// Adds a goal, an action (owner organisation and due date) or a review.
#[utoipa::path(post, path = "/api/v1/plans/{id}/items", tag = "households", request_body = NewItem,
    params(("id" = String, Path, description = "Plan id")), security(("session" = [])),
    responses((status = 204, description = "Added"), (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn add_item(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    households::add_item(&app, &covenant, &me.user, &id, &body(&b)?).await?.map_err(|d| denied(&d))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Records a ZRM assessment (level 1–5 per life domain, with the instrument version).
#[utoipa::path(post, path = "/api/v1/plans/{id}/assessments", tag = "households", request_body = NewAssessment,
    params(("id" = String, Path, description = "Plan id")), security(("session" = [])),
    responses((status = 204, description = "Recorded"), (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn add_assessment(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    households::add_assessment(&app, &covenant, &me.user, &id, &body(&b)?).await?.map_err(|d| denied(&d))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseIn {
    /// goals_reached, partly_reached, not_reached, moved, stopped_by_household or other.
    outcome: String,
}

/// Closes the plan with an outcome; the retention term runs from here.
#[utoipa::path(post, path = "/api/v1/plans/{id}/close", tag = "households", request_body = CloseIn,
    params(("id" = String, Path, description = "Plan id")), security(("session" = [])),
    responses((status = 204, description = "Closed"), (status = 400, description = "Unknown outcome", body = Problem, content_type = "application/problem+json")))]
async fn close(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let c: CloseIn = body(&b)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    households::close_plan(&app, &covenant, &me.user, &id, &c.outcome).await?.map_err(|d| denied(&d))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ZrmFigure {
    domain: String,
    label: String,
    /// Mean change in levels from first to last assessment; hidden for small numbers.
    mean_change: Option<f64>,
    plans: Option<u64>,
}

/// Average ZRM change per life domain in an area, disclosure-controlled.
#[utoipa::path(get, path = "/api/v1/zrm-figures/{code}", tag = "households",
    params(("code" = String, Path, description = "Area code")),
    responses((status = 200, description = "Per life domain", body = [ZrmFigure])))]
async fn zrm_figures(State(app): State<App>, Path(code): Path<String>) -> Result<Response, Problem> {
    let rows = households::zrm_figures(&app, &code).await?;
    Ok(json(
        &rows
            .into_iter()
            .map(|(d, mean, n)| ZrmFigure {
                domain: d.code().into(),
                label: d.label_nl().into(),
                mean_change: mean,
                plans: n,
            })
            .collect::<Vec<_>>(),
    ))
}
