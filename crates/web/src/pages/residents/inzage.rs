//! Pages of own-data requests (AVG inzage): the public request form and the privacy officer's handling.

use super::panels::page_error;
use crate::access_table::{public_form, scoped, Rule, PRIVACY};
use crate::auth::SignedIn;
use crate::pages::{check_csrf, render, PageCtx};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::residents::inzage::{
    self, FieldError, NewAccessRequest, OwnDataExport, Receipt, RequestDetail, RequestRow, StepInput,
};
use leefwijk_app::{App, AppError};
use serde::Deserialize;

/// Who may call this part's pages and API routes (see `access_table`).
pub static RULES: &[Rule] = &[
    crate::access_table::public("GET", "/inzage"),
    public_form("POST", "/inzage"),
    scoped("GET", "/privacy/inzage", PRIVACY),
    scoped("GET", "/privacy/inzage/{id}", PRIVACY),
    scoped("POST", "/privacy/inzage/{id}/stap", PRIVACY),
    scoped("GET", "/privacy/inzage/{id}/export", PRIVACY),
    // API (see api::residents::inzage).
    public_form("POST", "/api/v1/access-requests"),
    scoped("GET", "/api/v1/access-requests", PRIVACY),
    scoped("GET", "/api/v1/access-requests/{id}", PRIVACY),
    scoped("POST", "/api/v1/access-requests/{id}/steps", PRIVACY),
    scoped("GET", "/api/v1/access-requests/{id}/export", PRIVACY),
];

pub fn routes() -> Router<App> {
    Router::new()
        .route("/inzage", get(form).post(submit))
        .route("/privacy/inzage", get(list))
        .route("/privacy/inzage/{id}", get(detail))
        .route("/privacy/inzage/{id}/stap", post(step))
        .route("/privacy/inzage/{id}/export", get(export))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RequestForm {
    tenant: String,
    bsn: String,
    name: String,
    email: String,
    postal_address: String,
}

#[derive(Template)]
#[template(path = "residents_inzage_form.html")]
struct FormPage {
    ctx: PageCtx,
    tenants: Vec<(String, String)>,
    f: RequestFormView,
    errors: Vec<FieldError>,
}

#[derive(Default)]
struct RequestFormView {
    tenant: String,
    bsn: String,
    name: String,
    email: String,
    postal_address: String,
}

impl FormPage {
    fn error(&self, field: &str) -> String {
        let m = self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str()).unwrap_or_default();
        translate(&self.ctx, m)
    }
}

fn translate(ctx: &PageCtx, m: &str) -> String {
    if m.is_empty() {
        return String::new();
    }
    let nl = match m {
        m if m.starts_with("choose the organisation") => "Kies de organisatie waar uw verzoek voor is.",
        m if m.starts_with("a BSN has 9 digits") => "Een BSN heeft 9 cijfers.",
        m if m.starts_with("a BSN has only digits") => "Een BSN bestaat alleen uit cijfers.",
        m if m.starts_with("this number fails the elfproef") => {
            "Dit is geen geldig BSN (de elfproef klopt niet). Controleer of u een cijfer verkeerd typte."
        }
        m if m.starts_with("fill in your name") => "Vul uw naam in (maximaal 200 tekens).",
        m if m.starts_with("this is not an e-mail") => "Dit is geen e-mailadres zoals naam@voorbeeld.nl.",
        m if m.starts_with("at most") => "Het adres is te lang (maximaal 500 tekens).",
        m if m.starts_with("give an e-mail address") => {
            "Geef een e-mailadres of een postadres op, zodat wij u kunnen antwoorden."
        }
        _ => m,
    };
    ctx.t(nl, m).to_string()
}

async fn form(State(app): State<App>, ctx: PageCtx) -> Response {
    match inzage::collaborations(&app).await {
        Ok(tenants) => {
            render(&ctx, &FormPage { ctx: ctx.clone(), tenants, f: RequestFormView::default(), errors: vec![] })
        }
        Err(e) => page_error(&ctx, e),
    }
}

#[derive(Template)]
#[template(path = "residents_inzage_receipt.html")]
struct ReceiptPage {
    ctx: PageCtx,
    r: Receipt,
}

async fn submit(State(app): State<App>, ctx: PageCtx, Form(f): Form<RequestForm>) -> Response {
    let input = NewAccessRequest {
        tenant: f.tenant.clone(),
        bsn: f.bsn.clone(),
        name: f.name.clone(),
        email: f.email.clone(),
        postal_address: f.postal_address.clone(),
    };
    match inzage::submit(&app, &input).await {
        Ok(Ok(r)) => render(&ctx, &ReceiptPage { ctx: ctx.clone(), r }),
        Ok(Err(errors)) => {
            let tenants = match inzage::collaborations(&app).await {
                Ok(t) => t,
                Err(e) => return page_error(&ctx, e),
            };
            // What was typed comes back, except a BSN that failed: it is retyped, not
            // kept in the page.
            let bsn_ok = !errors.iter().any(|e| e.field == "bsn");
            let view = RequestFormView {
                tenant: f.tenant,
                bsn: if bsn_ok { f.bsn } else { String::new() },
                name: f.name.chars().take(200).collect(),
                email: f.email.chars().take(254).collect(),
                postal_address: f.postal_address.chars().take(500).collect(),
            };
            let mut r = render(&ctx, &FormPage { ctx: ctx.clone(), tenants, f: view, errors });
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        }
        Err(e) => page_error(&ctx, e),
    }
}

pub(crate) fn status_label(ctx: &PageCtx, s: &str) -> String {
    match s {
        "received" => ctx.t("ontvangen", "received"),
        "identity_verified" => ctx.t("identiteit vastgesteld", "identity verified"),
        "export_ready" => ctx.t("overzicht gemaakt", "export generated"),
        "answered" => ctx.t("beantwoord", "answered"),
        "refused" => ctx.t("geweigerd", "refused"),
        other => other,
    }
    .to_string()
}

#[derive(Template)]
#[template(path = "residents_inzage_list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<(RequestRow, String)>,
    overdue: usize,
}

async fn list(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    match inzage::list(&app, &me.user).await {
        Ok(rows) => {
            let overdue = rows.iter().filter(|r| r.overdue).count();
            let rows = rows
                .into_iter()
                .map(|r| {
                    let label = status_label(&ctx, &r.status);
                    (r, label)
                })
                .collect();
            render(&ctx, &ListPage { ctx: ctx.clone(), rows, overdue })
        }
        Err(e) => page_error(&ctx, e),
    }
}

#[derive(Template)]
#[template(path = "residents_inzage_detail.html")]
struct DetailPage {
    ctx: PageCtx,
    d: RequestDetail,
    status: String,
    steps: Vec<(String, String, String, String)>,
    error: String,
}

async fn detail_page(app: &App, ctx: &PageCtx, me: &SignedIn, id: &str, error: String) -> Response {
    match inzage::detail(app, &me.user, id).await {
        Ok(d) => {
            let steps = d
                .steps
                .iter()
                .map(|s| {
                    (ctx.moment(s.at_ms), status_label(ctx, &step_status(&s.step)), s.note.clone(), s.actor_id.clone())
                })
                .collect();
            let page = DetailPage { ctx: ctx.clone(), status: status_label(ctx, &d.row.status), d, steps, error };
            let mut r = render(ctx, &page);
            if !page.error.is_empty() {
                *r.status_mut() = StatusCode::BAD_REQUEST;
            }
            r
        }
        Err(e) => page_error(ctx, e),
    }
}

fn step_status(step: &str) -> String {
    match step {
        "verify_identity" => "identity_verified",
        "export" => "export_ready",
        "answer" => "answered",
        "refuse" => "refused",
        other => other,
    }
    .to_string()
}

async fn detail(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    detail_page(&app, &ctx, &me, &id, String::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    csrf: String,
    step: String,
    note: String,
    bsn_on_id: String,
}

async fn step(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let input = StepInput { step: f.step, note: f.note, bsn_on_id: f.bsn_on_id };
    match inzage::step(&app, &me.user, &id, &input).await {
        Ok(_) => Redirect::to(&format!("/privacy/inzage/{id}")).into_response(),
        Err(AppError::BadRequest(m)) | Err(AppError::Conflict(m)) => detail_page(&app, &ctx, &me, &id, m).await,
        Err(e) => page_error(&ctx, e),
    }
}

/// A section of the printable export: its heading, explanation and table.
struct Section {
    key: String,
    explanation: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "residents_inzage_export.html")]
struct ExportPage {
    ctx: PageCtx,
    e: OwnDataExport,
    sections: Vec<Section>,
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A cell as a person reads it: moments (`…_time`, `at_ms`: UTC milliseconds) as
/// Amsterdam date and time.
fn shown(ctx: &PageCtx, column: &str, v: &serde_json::Value) -> String {
    match v.as_i64() {
        Some(ms) if column.ends_with("_time") || column == "at_ms" => ctx.moment(ms),
        _ => cell(v),
    }
}

fn sections(ctx: &PageCtx, e: &OwnDataExport) -> Vec<Section> {
    let value = serde_json::to_value(e).unwrap_or_default();
    inzage::SECTIONS
        .iter()
        .map(|(key, explanation)| {
            let rows: Vec<serde_json::Value> = value[*key].as_array().cloned().unwrap_or_default();
            let columns: Vec<String> =
                rows.first().and_then(|r| r.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
            let rows = rows.iter().map(|r| columns.iter().map(|c| shown(ctx, c, &r[c])).collect()).collect();
            Section { key: key.to_string(), explanation: explanation.to_string(), columns, rows }
        })
        .collect()
}

async fn export(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    match inzage::export(&app, &me.user, &id).await {
        Ok(e) => render(&ctx, &ExportPage { ctx: ctx.clone(), sections: sections(&ctx, &e), e }),
        Err(e) => page_error(&ctx, e),
    }
}
