//! Administration of the routing rules of early signalling: which team reaches out to
//! households in an area (buurt, wijk or municipality), optionally per kind of signal.
//! Teams' served areas apply when no rule does.

use super::{check_csrf, render, PageCtx, PageError};
use crate::auth::SignedIn;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::{App, AppError};
use leefwijk_domain::signals::SignalKind;
use leefwijk_domain::{AreaCode, Lang};
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/beheer/routering", get(page).post(add))
        .route("/beheer/routering/{id}/verwijderen", post(remove))
}

struct RuleRow {
    id: String,
    /// The area's name, and its code as secondary text for the administrator.
    area: String,
    code: String,
    kind: String,
    team: String,
}

#[derive(Template)]
#[template(path = "routing.html")]
struct RoutingPage {
    ctx: PageCtx,
    rules: Vec<RuleRow>,
    served: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    message: String,
}

async fn render_page(app: &App, ctx: &PageCtx, me: &SignedIn, message: String) -> Response {
    let ctx = &ctx.clone().with_areas(app).await;
    let tenant = &me.user.tenant_id;
    let (rules, teams) = match (app.store.routing_rules(tenant).await, app.store.teams(tenant).await) {
        (Ok(r), Ok(t)) => (r, t),
        (Err(e), _) | (_, Err(e)) => return PageError::from_app(ctx, AppError::Store(e)).into_response(),
    };
    let team_name = |id: &str| teams.iter().find(|t| t.0 == id).map(|t| t.1.clone()).unwrap_or_else(|| id.to_string());
    let kind_label = |k: SignalKind| if ctx.lang == Lang::Nl { k.label_nl() } else { k.label_en() };
    render(
        ctx,
        &RoutingPage {
            ctx: ctx.clone(),
            rules: rules
                .iter()
                .map(|r| RuleRow {
                    id: r.id.clone(),
                    area: ctx.area(&r.area_code),
                    code: r.area_code.clone(),
                    kind: r
                        .kind
                        .as_deref()
                        .and_then(SignalKind::parse)
                        .map(|k| kind_label(k).to_string())
                        .unwrap_or_else(|| ctx.t("alle soorten", "all kinds").to_string()),
                    team: team_name(&r.team_id),
                })
                .collect(),
            served: teams.iter().map(|t| (t.1.clone(), ctx.areas_named(&t.3))).collect(),
            teams: teams.iter().map(|t| (t.0.clone(), t.1.clone())).collect(),
            kinds: SignalKind::ALL.iter().map(|k| (k.code(), kind_label(*k))).collect(),
            message,
        },
    )
}

async fn page(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    render_page(&app, &ctx, &me, String::new()).await
}

#[derive(Deserialize)]
struct RuleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    area_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    team_id: String,
}

fn refuse(ctx: &PageCtx, status: StatusCode, message: String) -> Response {
    PageError { ctx: ctx.clone(), status, message }.into_response()
}

async fn add(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<RuleForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let Ok(area) = AreaCode::parse(f.area_code.trim()) else {
        return refuse(
            &ctx,
            StatusCode::BAD_REQUEST,
            ctx.t(
                "Gebiedscode: een CBS-code zoals GM9901, WK990101 of BU99010101.",
                "Area code: a CBS code such as GM9901, WK990101 or BU99010101.",
            )
            .into(),
        );
    };
    if app.monitor.view(None).await.map(|v| v.area(&area).is_err()).unwrap_or(true) {
        return refuse(&ctx, StatusCode::BAD_REQUEST, format!("{}: {area}", ctx.t("Onbekend gebied", "Unknown area")));
    }
    let kind = match f.kind.trim() {
        "" => None,
        k => match SignalKind::parse(k) {
            Some(k) => Some(k.code().to_string()),
            None => {
                return refuse(
                    &ctx,
                    StatusCode::BAD_REQUEST,
                    ctx.t("Onbekende soort signaal.", "Unknown kind of signal.").into(),
                )
            }
        },
    };
    match app.store.teams(&me.user.tenant_id).await {
        Ok(teams) if teams.iter().any(|t| t.0 == f.team_id) => {}
        Ok(_) => {
            return refuse(
                &ctx,
                StatusCode::BAD_REQUEST,
                ctx.t("Kies een team van deze samenwerking.", "Choose a team of this collaboration.").into(),
            )
        }
        Err(e) => return PageError::from_app(&ctx, AppError::Store(e)).into_response(),
    }
    let rule = leefwijk_app::RoutingRuleRecord {
        id: uuid::Uuid::now_v7().to_string(),
        area_code: area.as_str().to_string(),
        kind,
        team_id: f.team_id.clone(),
    };
    match app.store.add_routing_rule(&me.user.tenant_id, &rule, leefwijk_app::access::identity::now_ms()).await {
        Ok(()) => {
            tracing::info!(actor = %me.user.id, area = %rule.area_code, "routing rule added");
            Redirect::to("/beheer/routering").into_response()
        }
        Err(e) => PageError::from_app(&ctx, AppError::Store(e)).into_response(),
    }
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    csrf: String,
}

async fn remove(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<RemoveForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    match app.store.delete_routing_rule(&me.user.tenant_id, &id).await {
        Ok(true) => Redirect::to("/beheer/routering").into_response(),
        Ok(false) => PageError::from_app(&ctx, AppError::NotFound(format!("routing rule {id}"))).into_response(),
        Err(e) => PageError::from_app(&ctx, AppError::Store(e)).into_response(),
    }
}
