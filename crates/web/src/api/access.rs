//! API of the access capability: partner systems register persons (pseudonymisation),
//! and signed-in users read the processing register and, as privacy officer, the audit log.

use crate::auth::{Client, SignedIn};
use crate::negotiate::json;
use crate::Problem;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::access::gate::Actor;
use leefwijk_app::access::vault::{self, Registered};
use leefwijk_app::{App, AppError};
use leefwijk_domain::access::covenant::{processing_register, RegisterEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/persons", post(register_person))
        .route("/processing-register", get(register))
        .route("/audit", get(audit))
        .route("/processing-log/subject", post(subject_history))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonIn {
    /// The citizen service number; validated with the elfproef, never stored in plain text.
    bsn: String,
}

fn denied(decision: &leefwijk_domain::access::covenant::Decision) -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "covenant_denied",
        format!(
            "The covenant does not allow this: {}. Rule: {}.",
            decision.missing.clone().unwrap_or_else(|| "no matching grant".into()),
            decision.rule
        ),
    )
}

/// Registers a person for early signalling: returns the pseudonym to use from now on.
/// The BSN is kept only sealed in the vault, and the act is audited.
#[utoipa::path(post, path = "/api/v1/persons", tag = "access", request_body = PersonIn,
    security(("partner_client" = [])),
    responses(
        (status = 201, description = "Registered; use the pseudonym", body = Registered),
        (status = 400, description = "Not a valid BSN", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, revoked or expired API client", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope missing or the covenant does not allow it", body = Problem, content_type = "application/problem+json")))]
async fn register_person(
    State(app): State<App>,
    Extension(Client(client)): Extension<Client>,
    body: Result<Json<PersonIn>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Problem> {
    let Json(body) = body
        .map_err(|e| Problem::bad_request(format!("Send JSON like {{\"bsn\": \"123456782\"}}: {}", e.body_text())))?;
    let covenant = app.covenant_of(&client.tenant_id).await?;
    let actor = Actor::Client(client);
    match vault::register_person(&app.store, &app.keys, &covenant, &actor, &body.bsn).await? {
        Ok(registered) => Ok((StatusCode::CREATED, Json(registered)).into_response()),
        Err(d) => Err(denied(&d.decision)),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Register {
    covenant: String,
    controller: String,
    entries: Vec<RegisterEntry>,
}

/// The processing register (AVG art. 30) of the signed-in user's collaboration, generated
/// from its covenant.
#[utoipa::path(get, path = "/api/v1/processing-register", tag = "access", operation_id = "processing_register",
    security(("session" = [])),
    responses(
        (status = 200, description = "One entry per purpose", body = Register),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")))]
async fn register(State(app): State<App>, Extension(me): Extension<SignedIn>) -> Result<Response, Problem> {
    let c = app.covenant_of(&me.user.tenant_id).await?;
    Ok(json(&Register {
        covenant: format!("{} v{}", c.id, c.version),
        controller: c.controller.clone(),
        entries: processing_register(&c),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Pseudonym of the person or household.
    subject: Option<String>,
    /// User or API client id.
    actor: Option<String>,
    /// Purpose key, e.g. outreach.
    purpose: Option<String>,
    /// At most this many entries, newest first (default 100, at most 10000).
    limit: Option<i64>,
}

/// Audit entries of the privacy officer's own collaboration, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "access", params(AuditQuery),
    security(("session" = [])),
    responses(
        (status = 200, description = "Entries (pseudonyms only)", body = serde_json::Value),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a privacy officer", body = Problem, content_type = "application/problem+json")))]
async fn audit(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, Problem> {
    let filter = leefwijk_app::AuditFilter {
        tenant: Some(me.user.tenant_id.clone()),
        subject: q.subject,
        actor: q.actor,
        purpose: q.purpose,
        from_ms: None,
        to_ms: None,
        limit: q.limit.unwrap_or(100),
    };
    let entries = app.store.audit_search(&filter).await.map_err(AppError::Store)?;
    Ok(json(&entries))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SubjectIn {
    /// The BSN from the person's ID document; turned into pseudonyms at once, never kept.
    bsn: String,
}

/// A person's processing history from the Logboek Dataverwerkingen.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectHistory {
    /// Every processing of the person's data (and their households'), oldest first.
    operations: Vec<leefwijk_app::access::history::HistoryLine>,
}

/// The processing history of one person (AVG art. 15): which organisation processed
/// their data, when, for which purpose and in which trace. The BSN travels in the body,
/// never in the URL; the lookup itself is audited and logged.
#[utoipa::path(post, path = "/api/v1/processing-log/subject", tag = "access", request_body = SubjectIn,
    security(("session" = [])),
    responses(
        (status = 200, description = "The history, oldest first", body = SubjectHistory),
        (status = 400, description = "Not a valid BSN", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a privacy officer, or the CSRF token is missing", body = Problem, content_type = "application/problem+json")))]
async fn subject_history(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    headers: axum::http::HeaderMap,
    body: Result<Json<SubjectIn>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Problem> {
    crate::api::check_csrf(&me, &headers)?;
    let Json(body) = body
        .map_err(|e| Problem::bad_request(format!("Send JSON like {{\"bsn\": \"123456782\"}}: {}", e.body_text())))?;
    let operations = leefwijk_app::access::history::subject_history(&app, &me.user, &body.bsn).await?;
    Ok(json(&SubjectHistory { operations }))
}
