//! Pages of panels and surveys: public (list, answer form, results; no account, phone
//! first) and the management page for policy staff.

use crate::access_table::{public, public_form, scoped, Rule, POLICY};
use crate::auth::SignedIn;
use crate::pages::{check_csrf, render, PageCtx, PageError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::residents::panels::{
    self, FieldError, NewPanel, NewSurvey, PublicSurvey, StaffSurvey, SurveyResults, SurveySummary,
};
use leefwijk_app::{App, AppError};
use leefwijk_domain::residents::panels::{PanelKind, QuestionDef, QuestionKind, SurveyStatus};
use serde::Deserialize;

/// Who may call this part's pages and API routes (see `access_table`).
pub static RULES: &[Rule] = &[
    public("GET", "/panels"),
    public("GET", "/enquete/{id}"),
    public_form("POST", "/enquete/{id}"),
    public("GET", "/enquete/{id}/resultaten"),
    scoped("GET", "/panelbeheer", POLICY),
    scoped("POST", "/panelbeheer/panelen", POLICY),
    scoped("POST", "/panelbeheer/enquetes", POLICY),
    scoped("POST", "/enquete/{id}/vragen", POLICY),
    scoped("POST", "/enquete/{id}/status", POLICY),
    scoped("POST", "/enquete/{id}/codes", POLICY),
    scoped("GET", "/enquete/{id}/open-antwoorden", POLICY),
    // API (see api::residents::panels).
    public("GET", "/api/v1/surveys"),
    public("GET", "/api/v1/surveys/{id}"),
    public_form("POST", "/api/v1/surveys/{id}/responses"),
    public("GET", "/api/v1/surveys/{id}/results"),
    scoped("POST", "/api/v1/panels", POLICY),
    scoped("POST", "/api/v1/surveys", POLICY),
    scoped("POST", "/api/v1/surveys/{id}/questions", POLICY),
    scoped("POST", "/api/v1/surveys/{id}/status", POLICY),
    scoped("POST", "/api/v1/surveys/{id}/codes", POLICY),
    scoped("GET", "/api/v1/surveys/{id}/open-answers", POLICY),
];

pub fn routes() -> Router<App> {
    Router::new()
        .route("/panels", get(list))
        .route("/enquete/{id}", get(form).post(submit))
        .route("/enquete/{id}/resultaten", get(results))
        .route("/panelbeheer", get(manage))
        .route("/panelbeheer/panelen", post(create_panel))
        .route("/panelbeheer/enquetes", post(create_survey))
        .route("/enquete/{id}/vragen", post(add_question))
        .route("/enquete/{id}/status", post(set_status))
        .route("/enquete/{id}/codes", post(codes))
        .route("/enquete/{id}/open-antwoorden", get(open_answers))
}

/// An application error as a page; a conflict (closed survey, step out of order) is a 409
/// with its message, not a server error.
pub(crate) fn page_error(ctx: &PageCtx, e: AppError) -> Response {
    match e {
        AppError::Conflict(message) => {
            PageError { ctx: ctx.clone(), status: StatusCode::CONFLICT, message }.into_response()
        }
        other => PageError::from_app(ctx, other).into_response(),
    }
}

pub(crate) fn kind_label(ctx: &PageCtx, k: PanelKind) -> String {
    match k {
        PanelKind::Residents => ctx.t("Bewonerspanel", "Residents' panel"),
        PanelKind::ExperienceExperts => ctx.t("Panel van ervaringsdeskundigen", "Experience experts' panel"),
    }
    .to_string()
}

fn status_label(ctx: &PageCtx, s: SurveyStatus) -> String {
    match s {
        SurveyStatus::Draft => ctx.t("in voorbereiding", "in preparation"),
        SurveyStatus::Open => ctx.t("open", "open"),
        SurveyStatus::Closed => ctx.t("gesloten", "closed"),
    }
    .to_string()
}

struct ListRow {
    s: SurveySummary,
    kind: String,
}

#[derive(Template)]
#[template(path = "residents_panel_list.html")]
struct ListPage {
    ctx: PageCtx,
    open: Vec<ListRow>,
    closed: Vec<ListRow>,
}

async fn list(State(app): State<App>, ctx: PageCtx) -> Response {
    let rows = |all: Vec<SurveySummary>| {
        all.into_iter().map(|s| ListRow { kind: kind_label(&ctx, s.panel_kind), s }).collect::<Vec<_>>()
    };
    match (panels::open_surveys(&app).await, panels::closed_surveys(&app).await) {
        (Ok(open), Ok(closed)) => render(&ctx, &ListPage { ctx: ctx.clone(), open: rows(open), closed: rows(closed) }),
        (Err(e), _) | (_, Err(e)) => page_error(&ctx, e),
    }
}

/// A question on the form with what was typed and its error.
struct FormField {
    id: String,
    number: usize,
    text: String,
    kind: &'static str,
    options: Vec<(String, String, bool)>,
    value: String,
    error: String,
}

#[derive(Template)]
#[template(path = "residents_survey_form.html")]
struct FormPage {
    ctx: PageCtx,
    s: PublicSurvey,
    kind: String,
    open: bool,
    needs_code: bool,
    code: String,
    code_error: String,
    form_error: String,
    fields: Vec<FormField>,
}

fn scale_labels(ctx: &PageCtx) -> [&'static str; 5] {
    [
        ctx.t("1 (heel slecht)", "1 (very poor)"),
        ctx.t("2", "2"),
        ctx.t("3", "3"),
        ctx.t("4", "4"),
        ctx.t("5 (heel goed)", "5 (very good)"),
    ]
}

fn translate(ctx: &PageCtx, message: &str) -> String {
    let nl = match message {
        m if m.starts_with("pick one of the options") => "Kies een van de antwoorden.",
        m if m.starts_with("pick a value from 1 to 5") => "Kies een waarde van 1 tot en met 5.",
        m if m.starts_with("at most") => "Uw antwoord is te lang: maximaal 2000 tekens.",
        m if m.starts_with("fill in the invitation code") => "Vul de uitnodigingscode uit uw brief of e-mail in.",
        m if m.starts_with("this code is unknown") => {
            "Deze code hoort niet bij deze enquête of is al gebruikt. Met elke code kunt u één keer antwoorden."
        }
        m if m.starts_with("answer at least one") => "Beantwoord minstens één vraag.",
        _ => message,
    };
    ctx.t(nl, message).to_string()
}

fn form_page(ctx: &PageCtx, s: PublicSurvey, typed: &[(String, String)], errors: &[FieldError]) -> FormPage {
    let value_of = |id: &str| typed.iter().find(|(k, _)| k == id).map(|(_, v)| v.clone()).unwrap_or_default();
    let error_of =
        |id: &str| errors.iter().find(|e| e.field == id).map(|e| translate(ctx, &e.message)).unwrap_or_default();
    let fields = s
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let value = value_of(&q.id);
            let options: Vec<(String, String, bool)> = match q.kind {
                QuestionKind::SingleChoice => q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(n, o)| (n.to_string(), o.clone(), value == n.to_string()))
                    .collect(),
                QuestionKind::Scale => scale_labels(ctx)
                    .iter()
                    .enumerate()
                    .map(|(n, l)| ((n + 1).to_string(), l.to_string(), value == (n + 1).to_string()))
                    .collect(),
                QuestionKind::OpenText => Vec::new(),
            };
            FormField {
                id: q.id.clone(),
                number: i + 1,
                text: q.text.clone(),
                kind: q.kind.as_str(),
                options,
                value,
                error: error_of(&q.id),
            }
        })
        .collect();
    FormPage {
        ctx: ctx.clone(),
        kind: kind_label(ctx, s.panel_kind),
        open: s.status == SurveyStatus::Open,
        needs_code: s.mode == leefwijk_domain::residents::panels::AnswerMode::Invitation,
        code: value_of("code"),
        code_error: error_of("code"),
        form_error: error_of("form"),
        fields,
        s,
    }
}

async fn form(State(app): State<App>, ctx: PageCtx, Path(id): Path<String>) -> Response {
    match panels::public_survey(&app, &id).await {
        Ok(s) => render(&ctx, &form_page(&ctx, s, &[], &[])),
        Err(e) => page_error(&ctx, e),
    }
}

#[derive(Template)]
#[template(path = "residents_survey_thanks.html")]
struct ThanksPage {
    ctx: PageCtx,
    s: PublicSurvey,
}

async fn submit(
    State(app): State<App>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let s = match panels::public_survey(&app, &id).await {
        Ok(s) => s,
        Err(e) => return page_error(&ctx, e),
    };
    let code = pairs.iter().find(|(k, _)| k == "code").map(|(_, v)| v.as_str());
    let answers: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "code").cloned().collect();
    match panels::answer(&app, &id, code, &answers).await {
        Ok(Ok(())) => render(&ctx, &ThanksPage { ctx: ctx.clone(), s }),
        Ok(Err(errors)) => {
            let page = form_page(&ctx, s, &pairs, &errors);
            let mut r = render(&ctx, &page);
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        }
        Err(e) => page_error(&ctx, e),
    }
}

struct ResultView {
    number: usize,
    text: String,
    respondents: String,
    rows: Vec<(String, String, u32)>,
    mean: String,
    open_text: bool,
    hidden: bool,
}

#[derive(Template)]
#[template(path = "residents_survey_results.html")]
struct ResultsPage {
    ctx: PageCtx,
    r: SurveyResults,
    status: String,
    responses: String,
    questions: Vec<ResultView>,
    min_cell: u64,
    round_to: u64,
}

fn shown(ctx: &PageCtx, v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| ctx.t("minder dan 10 (verborgen)", "fewer than 10 (hidden)").into())
}

async fn results(State(app): State<App>, ctx: PageCtx, Path(id): Path<String>) -> Response {
    let r = match panels::results(&app, &id).await {
        Ok(r) => r,
        Err(e) => return page_error(&ctx, e),
    };
    let questions = r
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let total = q.respondents.unwrap_or(0).max(1);
            ResultView {
                number: i + 1,
                text: q.text.clone(),
                respondents: shown(&ctx, q.respondents),
                rows: q
                    .rows
                    .iter()
                    .map(|row| {
                        let pct = row.count.map(|c| ((c * 100) / total).min(100) as u32).unwrap_or(0);
                        (row.label.clone(), shown(&ctx, row.count), pct)
                    })
                    .collect(),
                mean: q
                    .mean
                    .map(|m| format!("{m:.1}"))
                    .map(|m| if ctx.lang == leefwijk_domain::Lang::Nl { m.replace('.', ",") } else { m })
                    .unwrap_or_default(),
                open_text: q.open_answers_not_published,
                hidden: q.respondents.is_none(),
            }
        })
        .collect();
    let page = ResultsPage {
        ctx: ctx.clone(),
        status: status_label(&ctx, r.status),
        responses: shown(&ctx, r.responses),
        questions,
        min_cell: r.disclosure.min_cell,
        round_to: r.disclosure.round_to,
        r,
    };
    render(&ctx, &page)
}

struct StaffRow {
    s: StaffSurvey,
    status: String,
    draft: bool,
    open: bool,
    invitation: bool,
}

#[derive(Template)]
#[template(path = "residents_panel_manage.html")]
struct ManagePage {
    ctx: PageCtx,
    panels: Vec<(String, String, String)>,
    programmes: Vec<(String, String)>,
    surveys: Vec<StaffRow>,
    message: String,
    error: String,
}

async fn manage_page(app: &App, ctx: &PageCtx, me: &SignedIn, message: String, error: String) -> Response {
    let (panel_list, surveys) = match panels::overview(app, &me.user).await {
        Ok(v) => v,
        Err(e) => return page_error(ctx, e),
    };
    let programmes = match app.store.programmes(Some(&me.user.tenant_id)).await {
        Ok(p) => p.into_iter().map(|p| (p.id, p.name)).collect(),
        Err(e) => return PageError::from_app(ctx, e.into()).into_response(),
    };
    let page = ManagePage {
        ctx: ctx.clone(),
        panels: panel_list
            .into_iter()
            .map(|p| {
                let label = kind_label(ctx, PanelKind::parse(&p.kind).unwrap_or(PanelKind::Residents));
                (p.id, p.name, label)
            })
            .collect(),
        programmes,
        surveys: surveys
            .into_iter()
            .map(|s| StaffRow {
                status: status_label(ctx, s.summary.status),
                draft: s.summary.status == SurveyStatus::Draft,
                open: s.summary.status == SurveyStatus::Open,
                invitation: s.summary.mode == leefwijk_domain::residents::panels::AnswerMode::Invitation,
                s,
            })
            .collect(),
        message,
        error,
    };
    let mut r = render(ctx, &page);
    if !page.error.is_empty() {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    r
}

async fn manage(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    manage_page(&app, &ctx, &me, String::new(), String::new()).await
}

/// A changed thing: back to the management page, or the page with the error.
async fn after(app: &App, ctx: &PageCtx, me: &SignedIn, result: Result<String, AppError>) -> Response {
    match result {
        Ok(message) => manage_page(app, ctx, me, message, String::new()).await,
        Err(AppError::BadRequest(m)) | Err(AppError::Conflict(m)) => manage_page(app, ctx, me, String::new(), m).await,
        Err(e) => page_error(ctx, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PanelForm {
    csrf: String,
    name: String,
    kind: String,
    area_code: String,
}

async fn create_panel(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<PanelForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let input = NewPanel { name: f.name, kind: f.kind, area_code: Some(f.area_code) };
    let result = panels::create_panel(&app, &me.user, &input)
        .await
        .map(|p| format!("{} {}", ctx.t("Panel aangemaakt:", "Panel created:"), p.name));
    after(&app, &ctx, &me, result).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SurveyForm {
    csrf: String,
    panel_id: String,
    title: String,
    intro: String,
    programme_id: String,
    area_code: String,
    mode: String,
}

async fn create_survey(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<SurveyForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let input = NewSurvey {
        panel_id: f.panel_id,
        title: f.title,
        intro: f.intro,
        programme_id: Some(f.programme_id),
        area_code: Some(f.area_code),
        mode: f.mode,
    };
    let result = panels::create_survey(&app, &me.user, &input)
        .await
        .map(|s| format!("{} {}", ctx.t("Enquête aangemaakt:", "Survey created:"), s.title));
    after(&app, &ctx, &me, result).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct QuestionForm {
    csrf: String,
    kind: String,
    text: String,
    /// One option per line.
    options: String,
}

async fn add_question(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<QuestionForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let result = match QuestionKind::parse(f.kind.trim()) {
        Some(kind) => {
            let q = QuestionDef { kind, text: f.text, options: f.options.lines().map(String::from).collect() };
            panels::add_question(&app, &me.user, &id, &q).await
        }
        // Unknown survey first (not found), then the missing kind.
        None => match panels::overview(&app, &me.user).await {
            Ok((_, s)) if s.iter().any(|s| s.summary.id == id) => {
                Err(AppError::BadRequest("kind: choose single_choice, scale or open_text".into()))
            }
            Ok(_) => Err(AppError::NotFound(format!("survey {id}"))),
            Err(e) => Err(e),
        },
    }
    .map(|_| ctx.t("Vraag toegevoegd.", "Question added.").to_string());
    after(&app, &ctx, &me, result).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatusForm {
    csrf: String,
    status: String,
}

async fn set_status(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let result = panels::set_status(&app, &me.user, &id, &f.status)
        .await
        .map(|s| format!("{} {}", ctx.t("De enquête is nu", "The survey is now"), status_label(&ctx, s)));
    after(&app, &ctx, &me, result).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodesForm {
    csrf: String,
    count: String,
}

#[derive(Template)]
#[template(path = "residents_panel_codes.html")]
struct CodesPage {
    ctx: PageCtx,
    survey_id: String,
    codes: Vec<String>,
}

async fn codes(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<CodesForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let n = f.count.trim().parse::<u32>().unwrap_or(0);
    match panels::generate_codes(&app, &me.user, &id, n).await {
        Ok(codes) => render(&ctx, &CodesPage { ctx: ctx.clone(), survey_id: id, codes }),
        Err(e) => after(&app, &ctx, &me, Err(e)).await,
    }
}

#[derive(Template)]
#[template(path = "residents_survey_open_answers.html")]
struct OpenAnswersPage {
    ctx: PageCtx,
    view: leefwijk_app::residents::panels::OpenAnswersView,
}

/// The free text residents wrote, for the survey's owners (audited by the use case).
async fn open_answers(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    match leefwijk_app::residents::panels::open_answers(&app, &me.user, &id).await {
        Ok(view) => render(&ctx, &OpenAnswersPage { ctx: ctx.clone(), view }),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}
