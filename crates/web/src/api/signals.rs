//! API of early signalling: partner intake (one signal or a batch in JSON or CSV, with an
//! idempotency key), partner feedback, the team's worklist and household, contact
//! attempts, outcomes, reassignment and outreach figures.

use super::check_csrf;
use crate::auth::{Client, SignedIn};
use crate::negotiate::json;
use crate::Problem;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use leefwijk_app::access::gate::{Actor, Denied};
use leefwijk_app::signals::ddas;
use leefwijk_app::signals::figures::{self, AreaKpi};
use leefwijk_app::signals::ingest::{self, BatchReport, Delivery, Ingested};
use leefwijk_app::signals::intake::{object_input, parse_csv, parse_json, RowError};
use leefwijk_app::signals::outreach::{self, Feedback, Household, NewAttempt, WorkItem};
use leefwijk_app::App;
use leefwijk_domain::signals::ddas::Delivery as DdasDelivery;
use leefwijk_domain::signals::kpi::OutreachFigures;
use leefwijk_domain::AreaCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Batches up to 100,000 rows: about 25 MB of JSON.
pub const BATCH_BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/signals", post(post_signal))
        .route("/signal-batches", post(post_batch).layer(axum::extract::DefaultBodyLimit::max(BATCH_BODY_LIMIT)))
        .route("/signal-batches/{id}/feedback", get(batch_feedback))
        .route("/signal-feedback", get(all_feedback))
        .route("/signal-cases", get(cases))
        .route("/signal-cases/{id}", get(case))
        .route("/signal-cases/{id}/attempts", post(add_attempt))
        .route("/signal-cases/{id}/outcome", post(set_outcome))
        .route("/signal-cases/{id}/assignment", post(assign))
        .route("/signal-figures/{code}", get(area_figures))
        .route("/signal-kpis", get(kpis))
        .route("/ddas/vroegsignalering", get(ddas_export))
}

pub fn denied(d: &Denied) -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "covenant_denied",
        format!(
            "The covenant does not allow this: {}. Rule: {}.",
            d.decision.missing.clone().unwrap_or_else(|| "no matching grant".into()),
            d.decision.rule
        ),
    )
}

fn rejected(errors: Vec<RowError>) -> Problem {
    let n = errors.len();
    let first = errors
        .first()
        .map(|e| format!(" First: line {}, field '{}': {}.", e.line, e.field, e.message))
        .unwrap_or_default();
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "rows_rejected",
        format!("Nothing was stored: {n} problem(s) in the batch; fix them and send the whole batch again.{first}"),
    )
    .with_errors(serde_json::to_value(errors).unwrap_or_default())
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let key = v.to_str().unwrap_or_default().trim();
            if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
                Err(Problem::bad_request("Idempotency-Key: send 1 to 200 visible ASCII characters, such as a UUID."))
            } else {
                Ok(Some(key.to_string()))
            }
        }
    }
}

fn stored(report: BatchReport) -> Response {
    let status = if report.replayed { StatusCode::OK } else { StatusCode::CREATED };
    let location = format!("/api/v1/signal-batches/{}/feedback", report.batch_id);
    (status, [(header::LOCATION, location)], Json(report)).into_response()
}

/// Runs a delivery for a partner actor; shared by the API and the upload page.
pub async fn deliver(
    app: &App,
    actor: &Actor,
    delivery: Delivery<'_>,
) -> Result<Result<BatchReport, Problem>, Problem> {
    let covenant = app.covenant_of(actor.tenant_id()).await?;
    Ok(match ingest::ingest(app, &covenant, actor, delivery).await? {
        Ingested::Stored(report) => Ok(report),
        Ingested::Rejected(errors) => Err(rejected(errors)),
        Ingested::Denied(d) => Err(denied(&d)),
    })
}

pub use leefwijk_app::signals::ingest::body_hash;

/// Sends one signal. Fields as in a batch row; see `POST /api/v1/signal-batches`.
#[utoipa::path(post, path = "/api/v1/signals", tag = "signals", request_body = serde_json::Value,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the stored signal instead of a second copy")),
    security(("partner_client" = [])),
    responses(
        (status = 201, description = "Stored", body = BatchReport),
        (status = 200, description = "Already stored under this idempotency key", body = BatchReport),
        (status = 409, description = "Idempotency key used for other content", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rejected; `errors` lists field and message", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope missing or the covenant does not allow it", body = Problem, content_type = "application/problem+json")))]
async fn post_signal(
    State(app): State<App>,
    Extension(Client(client)): Extension<Client>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let key = idempotency_key(&headers)?;
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| Problem::bad_request(format!("Send one signal as a JSON object: {e}")))?;
    let input = object_input(1, &value).map_err(rejected)?;
    let actor = Actor::Client(client);
    let delivery = Delivery {
        idempotency_key: key.as_deref(),
        body_hash: body_hash(&body),
        format: "json",
        rows: vec![(1, input)],
    };
    Ok(stored(deliver(&app, &actor, delivery).await??))
}

/// Sends a batch of up to 100,000 signals, as JSON (an array of objects) or CSV (a header
/// row with the field names; comma or semicolon). All or nothing: one bad row rejects the
/// batch, and the answer lists every problem by line and field.
///
/// Fields: `kind` (rent_arrears, energy_arrears, energy_end_of_supply,
/// drinking_water_arrears, health_insurance_arrears, nuisance, neglect,
/// worry_about_resident), `bsn` (required for the financial kinds), `postcode`,
/// `house_number`, `house_number_addition`, `buurt_code`, `arrears_cents`, `arrears_since`,
/// `signal_date`, `customer_number`, `crisis`, the preconditions `reminder_sent`,
/// `personal_contact_attempted`, `debt_help_pointed_to`, `no_objection` (all true for the
/// financial kinds), and your own `reference` for feedback.
#[utoipa::path(post, path = "/api/v1/signal-batches", tag = "signals",
    request_body(content_type = "text/csv", description = "CSV, or application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the stored batch instead of a second copy")),
    security(("partner_client" = [])),
    responses(
        (status = 201, description = "Stored", body = BatchReport),
        (status = 200, description = "Already stored under this idempotency key", body = BatchReport),
        (status = 409, description = "Idempotency key used for other content", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV nor JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rejected; `errors` lists line, field and message", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope missing or the covenant does not allow it", body = Problem, content_type = "application/problem+json")))]
async fn post_batch(
    State(app): State<App>,
    Extension(Client(client)): Extension<Client>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, Problem> {
    let body = body.map_err(|e| {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("The batch is too large ({e}); send at most 100,000 rows and 64 MB per batch."),
        )
    })?;
    let key = idempotency_key(&headers)?;
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let (format, parsed) = if content_type.starts_with("text/csv") {
        ("csv", parse_csv(&body))
    } else if content_type.starts_with("application/json") {
        ("json", parse_json(&body))
    } else {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the batch as text/csv or application/json (Content-Type header).",
        ));
    };
    let rows = parsed.map_err(rejected)?;
    let actor = Actor::Client(client);
    let delivery = Delivery { idempotency_key: key.as_deref(), body_hash: body_hash(&body), format, rows };
    Ok(stored(deliver(&app, &actor, delivery).await??))
}

async fn feedback_for(
    app: &App,
    client: leefwijk_app::ApiClient,
    batch: Option<&str>,
) -> Result<Vec<Feedback>, Problem> {
    let covenant = app.covenant_of(&client.tenant_id).await?;
    if let Some(id) = batch {
        let owned = app.store.signal_batch(&client.tenant_id, id).await.map_err(leefwijk_app::AppError::Store)?;
        if owned.as_ref().is_none_or(|b| b.organisation_id != client.organisation_id) {
            return Err(Problem::not_found(format!("No batch {id} of your organisation.")));
        }
    }
    let actor = Actor::Client(client);
    outreach::partner_feedback(app, &covenant, &actor, batch).await?.map_err(|d| denied(&d))
}

/// Feedback on a batch: per signal only `pending`, `picked_up` or `not_picked_up`, as the
/// covenant allows; never the reason.
#[utoipa::path(get, path = "/api/v1/signal-batches/{id}/feedback", tag = "signals",
    params(("id" = String, Path, description = "Batch id")),
    security(("partner_client" = [])),
    responses((status = 200, description = "Feedback per signal", body = [Feedback]),
        (status = 404, description = "No such batch of your organisation", body = Problem, content_type = "application/problem+json")))]
async fn batch_feedback(
    State(app): State<App>,
    Extension(Client(client)): Extension<Client>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(json(&feedback_for(&app, client, Some(&id)).await?))
}

/// Feedback on every signal of the partner organisation, newest first.
#[utoipa::path(get, path = "/api/v1/signal-feedback", tag = "signals",
    security(("partner_client" = [])),
    responses((status = 200, description = "Feedback per signal", body = [Feedback])))]
async fn all_feedback(
    State(app): State<App>,
    Extension(Client(client)): Extension<Client>,
) -> Result<Response, Problem> {
    Ok(json(&feedback_for(&app, client, None).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// A team id; `all` for every team (coordinators only). Default: your own team.
    team: Option<String>,
    /// Include closed cases.
    closed: Option<bool>,
}

/// The worklist: open cases of the team by deadline and priority, with overdue marks.
#[utoipa::path(get, path = "/api/v1/signal-cases", tag = "signals", params(CasesQuery),
    security(("session" = [])),
    responses((status = 200, description = "Cases", body = [WorkItem]),
        (status = 403, description = "Not allowed by role or covenant", body = Problem, content_type = "application/problem+json")))]
async fn cases(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Query(q): Query<CasesQuery>,
) -> Result<Response, Problem> {
    let actor = Actor::User(me.user.clone());
    let team = outreach::team_scope(&actor, q.team.as_deref())?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let items = outreach::worklist(&app, &covenant, &actor, team.as_deref(), q.closed.unwrap_or(false))
        .await?
        .map_err(|d| denied(&d))?;
    Ok(json(&items))
}

/// A household's case: signals, address, contact attempts and events.
#[utoipa::path(get, path = "/api/v1/signal-cases/{id}", tag = "signals",
    params(("id" = String, Path, description = "Case id")),
    security(("session" = [])),
    responses((status = 200, description = "The household", body = Household),
        (status = 403, description = "Not allowed by the covenant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json")))]
async fn case(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let actor = Actor::User(me.user.clone());
    Ok(json(&outreach::household(&app, &covenant, &actor, &id).await?.map_err(|d| denied(&d))?))
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8], example: &str) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| Problem::bad_request(format!("Send JSON like {example}: {e}")))
}

/// Records a contact attempt (letter, phone, home visit, e-mail, text message, card).
#[utoipa::path(post, path = "/api/v1/signal-cases/{id}/attempts", tag = "signals", request_body = NewAttempt,
    params(("id" = String, Path, description = "Case id")),
    security(("session" = [])),
    responses((status = 204, description = "Recorded"),
        (status = 400, description = "Invalid attempt", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
async fn add_attempt(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let attempt: NewAttempt = json_body(
        &body,
        r#"{"attempted_on": "2026-11-23", "channel": "phone", "part_of_day": "morning", "reached": true}"#,
    )?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let actor = Actor::User(me.user.clone());
    outreach::record_attempt(&app, &covenant, &actor, &id, &attempt).await?.map_err(|d| denied(&d))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OutcomeIn {
    /// A GGM outcome code, such as help_accepted_financial or not_reached.
    outcome: String,
}

/// Closes the case with a GGM outcome.
#[utoipa::path(post, path = "/api/v1/signal-cases/{id}/outcome", tag = "signals", request_body = OutcomeIn,
    params(("id" = String, Path, description = "Case id")),
    security(("session" = [])),
    responses((status = 204, description = "Recorded"),
        (status = 400, description = "Unknown outcome", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
async fn set_outcome(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let body: OutcomeIn = json_body(&body, r#"{"outcome": "help_accepted_financial"}"#)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let actor = Actor::User(me.user.clone());
    outreach::record_outcome(&app, &covenant, &actor, &id, &body.outcome).await?.map_err(|d| denied(&d))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignmentIn {
    team_id: String,
}

/// Moves the case to another team; audited.
#[utoipa::path(post, path = "/api/v1/signal-cases/{id}/assignment", tag = "signals", request_body = AssignmentIn,
    params(("id" = String, Path, description = "Case id")),
    security(("session" = [])),
    responses((status = 204, description = "Reassigned"),
        (status = 400, description = "Unknown team", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
async fn assign(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    check_csrf(&me, &headers)?;
    let body: AssignmentIn = json_body(&body, r#"{"team_id": "wv-team-zuid"}"#)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let actor = Actor::User(me.user.clone());
    outreach::reassign(&app, &covenant, &actor, &id, &body.team_id).await?.map_err(|d| denied(&d))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// Months back from today (1–24, default 12).
    months: Option<u32>,
}

/// Outreach figures of an area, disclosure-controlled (small cells hidden, counts rounded).
#[utoipa::path(get, path = "/api/v1/signal-figures/{code}", tag = "signals", params(("code" = String, Path, description = "Area code"), FiguresQuery),
    responses((status = 200, description = "Figures", body = OutreachFigures),
        (status = 400, description = "Invalid code", body = Problem, content_type = "application/problem+json")))]
async fn area_figures(
    State(app): State<App>,
    Path(code): Path<String>,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, Problem> {
    let code = AreaCode::parse(&code).map_err(|e| Problem::bad_request(e.to_string()))?;
    let months = q.months.unwrap_or(12).clamp(1, 24);
    Ok(json(&figures::area_figures(&app, &code, months).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// Months back from today (1–24, default 12).
    months: Option<u32>,
    /// Instead of `months`: the cases opened in this calendar month (YYYY-MM), the period a
    /// DDAS delivery covers.
    #[param(example = "2026-11")]
    period: Option<String>,
    /// Instead of `months`: the cases opened from this day (YYYY-MM-DD), with `to`.
    #[param(format = Date)]
    from: Option<String>,
    /// The last day, with `from`.
    #[param(format = Date)]
    to: Option<String>,
}

/// A period asked for wrongly: 400, naming the parameter.
fn bad_period(b: ddas::BadPeriod) -> Problem {
    Problem::bad_request(format!("{b}."))
        .with_errors(serde_json::json!([{ "field": b.parameter, "message": b.message }]))
}

/// KPIs per wijk of the own collaboration: the own team's cases exactly, others
/// disclosure-controlled. Per wijk: signals, cases, open cases and cases per outcome, the
/// shares reached and accepting help, and the median working days to first contact.
#[utoipa::path(get, path = "/api/v1/signal-kpis", tag = "signals", params(KpiQuery),
    security(("session" = [])),
    responses((status = 200, description = "KPIs per wijk", body = [AreaKpi]),
        (status = 400, description = "Invalid period; `errors` names the parameter", body = Problem, content_type = "application/problem+json")))]
async fn kpis(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Query(q): Query<KpiQuery>,
) -> Result<Response, Problem> {
    let (tenant, team) = (&me.user.tenant_id, me.user.team_id.as_deref());
    if q.period.is_some() || q.from.is_some() || q.to.is_some() {
        let period = ddas::period_of(q.period.as_deref(), q.from.as_deref(), q.to.as_deref()).map_err(bad_period)?;
        return Ok(json(&figures::kpis_in(&app, tenant, team, &period).await?));
    }
    let months = q.months.unwrap_or(12).clamp(1, 24);
    Ok(json(&figures::kpis(&app, tenant, team, months).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DdasQuery {
    /// The calendar month to deliver (YYYY-MM).
    #[param(example = "2026-11")]
    period: Option<String>,
    /// Instead of `period`: the first day (YYYY-MM-DD), with `to`; at most 366 days.
    #[param(format = Date)]
    from: Option<String>,
    /// The last day, with `from`.
    #[param(format = Date)]
    to: Option<String>,
}

/// The DDAS vroegsignalering delivery to CBS of a period, as VNG Realisatie's exchange
/// specification v0.9 defines it (JSON schema `json_schema_Uitwisselmodel.json`): per
/// municipality the early signals and the cases of the period, pseudonymised (no BSN,
/// name, address or internal id; every signal's `ID` is a keyed pseudonym that stays the
/// same in later deliveries). Read under the covenant's `statistics` purpose and audited.
#[utoipa::path(get, path = "/api/v1/ddas/vroegsignalering", tag = "signals", params(DdasQuery),
    security(("session" = [])),
    responses((status = 200, description = "The delivery (UTF-8 JSON)", body = DdasDelivery),
        (status = 400, description = "Invalid period, or `[signals.ddas]` incomplete; `errors` names the parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed by role or covenant", body = Problem, content_type = "application/problem+json")))]
async fn ddas_export(
    State(app): State<App>,
    Extension(me): Extension<SignedIn>,
    Query(q): Query<DdasQuery>,
) -> Result<Response, Problem> {
    let period = ddas::period_of(q.period.as_deref(), q.from.as_deref(), q.to.as_deref()).map_err(bad_period)?;
    let covenant = app.covenant_of(&me.user.tenant_id).await?;
    let actor = Actor::User(me.user.clone());
    Ok(json(&ddas::export(&app, &covenant, &actor, &period).await?.map_err(|d| denied(&d))?))
}
