//! The privacy officer's view of the Logboek Dataverwerkingen: a person's processing
//! history (AVG art. 15), looked up by the BSN from their ID document, shown and
//! downloadable as JSON. The BSN is posted, never put in a URL, and not kept.

use super::{check_csrf, render, PageCtx, PageError};
use crate::auth::SignedIn;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use leefwijk_app::access::history::{subject_history, HistoryLine};
use leefwijk_app::{App, AppError};
use leefwijk_domain::access::logboek::{activity_code, activity_purpose, OperationName};
use leefwijk_domain::Lang;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new().route("/logboek", get(form).post(lookup))
}

/// One operation as the officer reads it.
struct Line {
    at: String,
    organisation: String,
    purpose: String,
    operation: String,
    trace_id: String,
    operation_id: String,
    parent: String,
    foreign: String,
}

#[derive(Template)]
#[template(path = "logboek.html")]
struct LogboekPage {
    ctx: PageCtx,
    looked_up: bool,
    error: String,
    lines: Vec<Line>,
}

#[derive(Deserialize)]
struct LookupForm {
    csrf: String,
    bsn: String,
    /// "json" downloads the history instead of showing it.
    #[serde(default)]
    formaat: String,
}

fn purpose_label(ctx: &PageCtx, activity: &str, fallback: &str) -> String {
    match activity_purpose(activity) {
        Some(p) => match ctx.lang {
            Lang::Nl => p.label_nl().to_string(),
            Lang::En => p.label_en().to_string(),
        },
        None if ctx.lang == Lang::En && activity_code(activity) == leefwijk_app::access::history::AUDIT_PURPOSE => {
            "Access by the data subject (GDPR art. 15)".to_string()
        }
        None => fallback.to_string(),
    }
}

fn line(ctx: &PageCtx, l: &HistoryLine) -> Line {
    let operation = match (OperationName::from_code(&l.name), ctx.lang) {
        (Some(n), Lang::En) => n.label_en().to_string(),
        _ => l.name.clone(),
    };
    Line {
        at: ctx.moment(l.start_time),
        organisation: l.organisation.clone(),
        purpose: purpose_label(ctx, &l.processing_activity_id, &l.purpose),
        operation,
        trace_id: l.trace_id.clone(),
        operation_id: l.operation_id.clone(),
        parent: l.parent_operation_id.clone().unwrap_or_default(),
        foreign: l.foreign_operation.as_ref().map(|f| f.entity.clone()).unwrap_or_default(),
    }
}

async fn form(ctx: PageCtx) -> Response {
    render(&ctx, &LogboekPage { ctx: ctx.clone(), looked_up: false, error: String::new(), lines: Vec::new() })
}

async fn lookup(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<LookupForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    match subject_history(&app, &me.user, &f.bsn).await {
        Ok(history) if f.formaat == "json" => {
            let mut r = crate::negotiate::json(&serde_json::json!({ "operations": history })).into_response();
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                axum::http::HeaderValue::from_static("attachment; filename=\"verwerkingsgeschiedenis.json\""),
            );
            r
        }
        Ok(history) => {
            let lines = history.iter().map(|l| line(&ctx, l)).collect();
            render(&ctx, &LogboekPage { ctx: ctx.clone(), looked_up: true, error: String::new(), lines })
        }
        Err(AppError::BadRequest(_)) => {
            let error = ctx
                .t(
                    "Dit is geen geldig BSN: het moet 9 cijfers hebben en de elfproef doorstaan. Typ het over van het identiteitsbewijs.",
                    "This is not a valid BSN: it has 9 digits and passes the eleven test. Copy it from the identity document.",
                )
                .to_string();
            let page = LogboekPage { ctx: ctx.clone(), looked_up: false, error, lines: Vec::new() };
            let mut r = render(&ctx, &page);
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        }
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}
