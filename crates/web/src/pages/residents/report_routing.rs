//! Administration of where public-space reports go: per area (buurt, wijk or gemeente) and
//! optionally per top category, the organisation of the collaboration that handles them.
//! The most specific rule wins (buurt over wijk over gemeente, a category over all).

use crate::access_table::{scoped, Rule, ADMIN};
use crate::auth::SignedIn;
use crate::pages::{check_csrf, render, PageCtx, PageError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::residents::reports::{self, NewRoute};
use leefwijk_app::{App, AppError};
use serde::Deserialize;

/// Who may call these pages (see `access_table`).
pub static RULES: &[Rule] = &[
    scoped("GET", "/beheer/meldingen-routering", ADMIN),
    scoped("POST", "/beheer/meldingen-routering", ADMIN),
    scoped("POST", "/beheer/meldingen-routering/{id}/verwijderen", ADMIN),
];

pub fn routes() -> Router<App> {
    Router::new()
        .route("/beheer/meldingen-routering", get(page).post(add))
        .route("/beheer/meldingen-routering/{id}/verwijderen", post(remove))
}

struct RouteRow {
    id: String,
    /// The area's name, and its code as secondary text for the administrator.
    area: String,
    code: String,
    category: String,
    organisation: String,
}

#[derive(Template)]
#[template(path = "residents_report_routing.html")]
struct RoutingPage {
    ctx: PageCtx,
    rows: Vec<RouteRow>,
    organisations: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    error: String,
    area_code: String,
    category: String,
    organisation_id: String,
}

#[derive(Debug, Default, Deserialize)]
struct RouteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    area_code: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    organisation_id: String,
}

async fn render_page(app: &App, ctx: &PageCtx, me: &SignedIn, form: RouteForm, error: String) -> Response {
    let ctx = &ctx.clone().with_areas(app).await;
    let routes = match reports::routes(app, &me.user).await {
        Ok(r) => r,
        Err(e) => return PageError::from_app(ctx, e).into_response(),
    };
    let organisations = match app.store.organisations(&me.user.tenant_id).await {
        Ok(o) => o,
        Err(e) => return PageError::from_app(ctx, AppError::Store(e)).into_response(),
    };
    let org_name =
        |id: &str| organisations.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_else(|| id.to_string());
    let categories = reports::categories(app, ctx.lang);
    let category_label = |code: &Option<String>| match code {
        Some(c) => categories.iter().find(|v| &v.code == c).map(|v| v.label.clone()).unwrap_or_else(|| c.clone()),
        None => ctx.t("alle soorten", "all categories").to_string(),
    };
    let mut response = render(
        ctx,
        &RoutingPage {
            ctx: ctx.clone(),
            rows: routes
                .iter()
                .map(|r| RouteRow {
                    id: r.id.clone(),
                    area: ctx.area(&r.area_code),
                    code: r.area_code.clone(),
                    category: category_label(&r.category),
                    organisation: org_name(&r.organisation_id),
                })
                .collect(),
            organisations: organisations.iter().map(|o| (o.id.clone(), o.name.clone())).collect(),
            categories: categories.iter().map(|c| (c.code.clone(), c.label.clone())).collect(),
            area_code: form.area_code,
            category: form.category,
            organisation_id: form.organisation_id,
            error: error.clone(),
        },
    );
    if !error.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

async fn page(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    render_page(&app, &ctx, &me, RouteForm::default(), String::new()).await
}

async fn add(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<RouteForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let input = NewRoute {
        area_code: f.area_code.trim().to_string(),
        category: Some(f.category.trim().to_string()).filter(|c| !c.is_empty()),
        organisation_id: f.organisation_id.trim().to_string(),
    };
    match reports::add_route(&app, &me.user, &input).await {
        Ok(_) => Redirect::to("/beheer/meldingen-routering").into_response(),
        // The use case names the field and what it expects; keep what was typed.
        Err(AppError::BadRequest(message)) => render_page(&app, &ctx, &me, f, message).await,
        Err(e) => PageError::from_app(&ctx, e).into_response(),
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
    match reports::delete_route(&app, &me.user, &id).await {
        Ok(()) => Redirect::to("/beheer/meldingen-routering").into_response(),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}
