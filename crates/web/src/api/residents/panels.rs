//! API of panels and surveys: open surveys, answering (public, rate limited), results with
//! disclosure control, and management by policy staff of the collaboration.

use crate::api::{check_csrf, json_body, CreatedId};
use crate::auth::SignedIn;
use crate::negotiate::json;
use crate::Problem;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::residents::panels::{
    self, FieldError, NewPanel, NewSurvey, PublicSurvey, SurveyResults, SurveySummary,
};
use leefwijk_app::App;
use leefwijk_domain::residents::panels::QuestionDef;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(surveys, survey, respond, results, open_answers, create_panel, create_survey, add_question, set_status, codes),
    tags((name = "residents", description = "Residents: neighbourhood pages, reports, participation, panels and own data"))
)]
pub struct Doc;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/surveys", get(surveys).post(create_survey))
        .route("/surveys/{id}", get(survey))
        .route("/surveys/{id}/responses", post(respond))
        .route("/surveys/{id}/results", get(results))
        .route("/surveys/{id}/open-answers", get(open_answers))
        .route("/surveys/{id}/questions", post(add_question))
        .route("/surveys/{id}/status", post(set_status))
        .route("/surveys/{id}/codes", post(codes))
        .route("/panels", post(create_panel))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AreaQuery {
    /// Only surveys for this area (gemeente, wijk or buurt code), including areas that
    /// contain it or lie in it.
    area: Option<String>,
}

/// Open surveys, newest first; with `area`, those for that area.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "residents", params(AreaQuery),
    responses((status = 200, description = "Open surveys", body = [SurveySummary])))]
async fn surveys(State(app): State<App>, Query(q): Query<AreaQuery>) -> Result<Response, Problem> {
    let list = match q.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(area) => panels::area_summary(&app, area).await?,
        None => panels::open_surveys(&app).await?,
    };
    Ok(json(&list))
}

/// A survey with its questions (open or closed; drafts are not public).
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "residents",
    params(("id" = String, Path, description = "Survey id")),
    responses((status = 200, description = "Survey", body = PublicSurvey),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json")))]
async fn survey(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(json(&panels::public_survey(&app, &id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AnswerIn {
    pub question_id: String,
    /// Option number (from 0) for single choice, 1–5 for a scale, text for open questions.
    pub value: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResponseIn {
    /// The one-time invitation code (surveys in invitation mode).
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub answers: Vec<AnswerIn>,
}

/// Answers a survey anonymously. Invitation surveys need an unused code; a code answers
/// once. Rate limited per client.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/responses", tag = "residents",
    params(("id" = String, Path, description = "Survey id")), request_body = ResponseIn,
    responses((status = 201, description = "Stored"),
        (status = 400, description = "Invalid answers or code; `errors` lists them per field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The survey is closed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many posts from this client", body = Problem, content_type = "application/problem+json")))]
async fn respond(State(app): State<App>, Path(id): Path<String>, body: Bytes) -> Result<Response, Problem> {
    // Unknown survey first (404), then the body.
    panels::public_survey(&app, &id).await?;
    let input: ResponseIn = json_body(&body)?;
    let answers: Vec<(String, String)> = input.answers.into_iter().map(|a| (a.question_id, a.value)).collect();
    match panels::answer(&app, &id, input.code.as_deref(), &answers).await? {
        Ok(()) => Ok(StatusCode::CREATED.into_response()),
        Err(errors) => Err(field_problem(&errors)),
    }
}

pub(crate) fn field_problem(errors: &[FieldError]) -> Problem {
    let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
    Problem::bad_request(detail).with_errors(serde_json::to_value(errors).unwrap_or_default())
}

/// Results per question with disclosure control: counts under the threshold hidden,
/// others rounded; open answers are only counted.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/results", tag = "residents",
    params(("id" = String, Path, description = "Survey id")),
    responses((status = 200, description = "Results", body = SurveyResults),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json")))]
async fn results(State(app): State<App>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(json(&panels::results(&app, &id).await?))
}

/// The open-text answers of an own survey (policy staff), each question's answers sorted
/// on their own; hidden below the disclosure threshold of responses; every read audited.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/open-answers", tag = "residents",
    params(("id" = String, Path, description = "Survey id")),
    security(("session" = [])),
    responses((status = 200, description = "Open answers", body = panels::OpenAnswersView),
        (status = 404, description = "No such survey of your collaboration", body = Problem, content_type = "application/problem+json")))]
async fn open_answers(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(json(&panels::open_answers(&app, &me.user, &id).await?))
}

/// Creates a panel (policy staff).
#[utoipa::path(post, path = "/api/v1/panels", tag = "residents", request_body = NewPanel,
    security(("session" = [])),
    responses((status = 201, description = "Created", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn create_panel(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let input: NewPanel = json_body(&body)?;
    let p = panels::create_panel(&app, &me.user, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id: p.id })).into_response())
}

/// Creates a survey in a panel, as a draft (policy staff).
#[utoipa::path(post, path = "/api/v1/surveys", tag = "residents", request_body = NewSurvey,
    security(("session" = [])),
    responses((status = 201, description = "Created", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
async fn create_survey(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let input: NewSurvey = json_body(&body)?;
    let s = panels::create_survey(&app, &me.user, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id: s.id })).into_response())
}

/// Adds a question to a draft survey.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/questions", tag = "residents", request_body = QuestionDef,
    params(("id" = String, Path, description = "Survey id")), security(("session" = [])),
    responses((status = 201, description = "Created", body = CreatedId),
        (status = 400, description = "Invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey in your collaboration", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The survey is no longer a draft", body = Problem, content_type = "application/problem+json")))]
async fn add_question(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    owned(&app, &me, &id).await?;
    let q: QuestionDef = json_body(&body)?;
    let qid = panels::add_question(&app, &me.user, &id, &q).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id: qid })).into_response())
}

/// Not found unless the survey is the caller's collaboration's (before reading a body).
async fn owned(app: &App, me: &SignedIn, id: &str) -> Result<(), Problem> {
    let (_, surveys) = panels::overview(app, &me.user).await?;
    if surveys.iter().any(|s| s.summary.id == id) {
        Ok(())
    } else {
        Err(Problem::not_found(format!("There is no survey {id} in your collaboration.")))
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = SurveyStatusChange)]
pub struct StatusIn {
    /// "open" or "closed".
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusOut {
    pub status: String,
}

/// Opens, closes or reopens a survey.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/status", tag = "residents", request_body = StatusIn,
    params(("id" = String, Path, description = "Survey id")), security(("session" = [])),
    responses((status = 200, description = "New status", body = StatusOut),
        (status = 404, description = "No such survey in your collaboration", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current status", body = Problem, content_type = "application/problem+json")))]
async fn set_status(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    owned(&app, &me, &id).await?;
    let input: StatusIn = json_body(&body)?;
    let s = panels::set_status(&app, &me.user, &id, &input.status).await?;
    Ok(json(&StatusOut { status: s.as_str().to_string() }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CodesIn {
    pub count: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodesOut {
    /// Shown once; only their hashes are stored.
    pub codes: Vec<String>,
}

/// Generates one-time invitation codes for an invitation survey.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/codes", tag = "residents", request_body = CodesIn,
    params(("id" = String, Path, description = "Survey id")), security(("session" = [])),
    responses((status = 201, description = "The codes, shown once", body = CodesOut),
        (status = 400, description = "Invalid count or not an invitation survey", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey in your collaboration", body = Problem, content_type = "application/problem+json")))]
async fn codes(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    owned(&app, &me, &id).await?;
    let input: CodesIn = json_body(&body)?;
    let codes = panels::generate_codes(&app, &me.user, &id, input.count).await?;
    Ok((StatusCode::CREATED, Json(CodesOut { codes })).into_response())
}
