//! Pages of initiatives and participatory budgeting. The public pages work without an
//! account and without JavaScript; residents prove they live in the area with an e-mail
//! code (see `leefwijk_app::residents::participation`). Public forms carry no CSRF token:
//! there is no session to ride on, and every change needs the code from the resident's
//! mailbox. They are rate limited per client by the access table.

use crate::access_table::{public, public_form, scoped, Rule, POLICY};
use crate::auth::SignedIn;
use crate::pages::{check_csrf, render, PageCtx, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::residents::participation::{
    self as part, Assessment, BallotIn, CodeRequest, InitiativeView, NewInitiative, NewProject, NewRound, RoundView,
    Scope,
};
use leefwijk_app::{App, AppError};
use leefwijk_domain::residents::budgeting::{InitiativeStatus, Phase, VoteRule};
use serde::Deserialize;

/// Who may call this part's pages and API routes (see `access_table`).
pub static RULES: &[Rule] = &[
    // Public pages and forms: no account; every post is rate limited per client.
    public("GET", "/initiatieven"),
    public_form("POST", "/initiatieven"),
    public("GET", "/initiatief/{id}"),
    public_form("POST", "/initiatief/{id}/steun"),
    public("GET", "/begroting/{id}"),
    public_form("POST", "/begroting/{id}/code"),
    public_form("POST", "/begroting/{id}/stem"),
    public("GET", "/begroting/{id}/uitslag"),
    // Policy staff of the owning collaboration run rounds and assess initiatives.
    scoped("GET", "/begrotingen", POLICY),
    scoped("POST", "/begrotingen", POLICY),
    scoped("POST", "/begroting/{id}/fase", POLICY),
    scoped("POST", "/begroting/{id}/project", POLICY),
    scoped("POST", "/begroting/{id}/overdragen", POLICY),
    scoped("POST", "/initiatief/{id}/beoordeling", POLICY),
    scoped("GET", "/initiatief/{id}/contact", POLICY),
    // API.
    public("GET", "/api/v1/initiatives"),
    public_form("POST", "/api/v1/initiatives"),
    public("GET", "/api/v1/initiatives/{id}"),
    public_form("POST", "/api/v1/initiatives/{id}/support-code"),
    public_form("POST", "/api/v1/initiatives/{id}/support"),
    scoped("POST", "/api/v1/initiatives/{id}/assessment", POLICY),
    public("GET", "/api/v1/budget-rounds"),
    scoped("POST", "/api/v1/budget-rounds", POLICY),
    public("GET", "/api/v1/budget-rounds/{id}"),
    public_form("POST", "/api/v1/budget-rounds/{id}/code"),
    public_form("POST", "/api/v1/budget-rounds/{id}/ballots"),
    scoped("POST", "/api/v1/budget-rounds/{id}/projects", POLICY),
    scoped("POST", "/api/v1/budget-rounds/{id}/phase", POLICY),
    scoped("POST", "/api/v1/budget-rounds/{id}/handover", POLICY),
    public("GET", "/api/v1/areas/{code}/participation"),
];

pub fn routes() -> Router<App> {
    Router::new()
        .route("/initiatieven", get(list_initiatives).post(propose))
        .route("/initiatief/{id}", get(show_initiative))
        .route("/initiatief/{id}/steun", post(support))
        .route("/initiatief/{id}/beoordeling", post(assess))
        .route("/initiatief/{id}/contact", get(proposer_contact))
        .route("/begroting/{id}", get(show_round))
        .route("/begroting/{id}/code", post(request_vote_code))
        .route("/begroting/{id}/stem", post(vote))
        .route("/begroting/{id}/uitslag", get(show_result))
        .route("/begrotingen", get(manage).post(create_round))
        .route("/begroting/{id}/fase", post(move_phase))
        .route("/begroting/{id}/project", post(add_project))
        .route("/begroting/{id}/overdragen", post(hand_over))
}

fn app_error(ctx: &PageCtx, e: AppError) -> Response {
    PageError::from_app(ctx, e).into_response()
}

/// The message of an error a resident can act on; `None` for failures on our side.
fn user_message(e: &AppError) -> Option<String> {
    match e {
        AppError::BadRequest(m) | AppError::Forbidden(m) | AppError::Conflict(m) => Some(m.clone()),
        _ => None,
    }
}

/// Which form field an error message is about ("postcode: ..." → "postcode").
fn field_of(message: &str) -> String {
    message.split_once(':').map(|(f, _)| f.trim()).filter(|f| !f.contains(' ')).unwrap_or("form").to_string()
}

/// A form error shown next to its field.
#[derive(Debug, Clone, Default)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn of(message: String) -> FieldError {
        FieldError { field: field_of(&message), message }
    }

    pub fn on(&self, field: &str) -> bool {
        self.field == field
    }

    /// What the resident reads: without the field's code ("area_code: …") and, where the
    /// use case gives both languages ("nl / en"), only the page's.
    pub fn shown(&self, lang: &leefwijk_domain::Lang) -> String {
        let text = match self.message.split_once(':') {
            Some((field, rest)) if field.trim() == self.field && self.field != "form" => rest.trim(),
            _ => self.message.trim(),
        };
        match text.split_once(" / ") {
            Some((nl, en)) => lang.t(nl, en).trim().to_string(),
            None => text.to_string(),
        }
    }

    pub fn general(&self) -> bool {
        !self.message.is_empty()
            && ![
                "area_code",
                "title",
                "description",
                "cost_euros",
                "contact",
                "email",
                "postcode",
                "house_number",
                "code",
                "projects",
            ]
            .contains(&self.field.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Initiatives
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct AreaQuery {
    #[serde(default)]
    gebied: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct ProposeForm {
    #[serde(default)]
    area_code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    cost_euros: String,
    #[serde(default)]
    contact: String,
}

#[derive(Template)]
#[template(path = "residents_initiative_list.html")]
struct InitiativeListPage {
    ctx: PageCtx,
    area: String,
    items: Vec<InitiativeView>,
    rounds: Vec<RoundView>,
    form: ProposeForm,
    error: FieldError,
    /// Wijken and buurten to choose by name, per municipality Leefwijk serves here.
    area_groups: Vec<AreaGroup>,
}

/// A municipality's wijken, each followed by its buurten, as a resident chooses them.
struct AreaGroup {
    municipality: String,
    options: Vec<(String, String)>,
}

/// The areas of the municipalities where Leefwijk takes reports and initiatives (those
/// with a routing rule), by name: a resident never needs to know a CBS code.
async fn area_groups(app: &App, ctx: &PageCtx) -> Vec<AreaGroup> {
    let Some(view) = ctx.areas.clone() else { return Vec::new() };
    let municipalities = leefwijk_app::residents::reports::map_municipalities(app).await.unwrap_or_default();
    let mut groups = Vec::new();
    for (code, name) in municipalities {
        let Ok(gm) = leefwijk_domain::AreaCode::parse(&code) else { continue };
        let within = |kind: leefwijk_domain::AreaKind, parent: &leefwijk_domain::AreaCode| {
            let mut areas: Vec<(String, String)> = view
                .areas
                .values()
                .filter(|a| a.code.kind() == kind && leefwijk_app::areas::monitor::is_within(&a.code, parent))
                .map(|a| (a.code.as_str().to_string(), a.name.clone()))
                .collect();
            areas.sort_by(|a, b| a.1.cmp(&b.1));
            areas
        };
        let mut options = Vec::new();
        for (wk, wk_name) in within(leefwijk_domain::AreaKind::Wijk, &gm) {
            let Ok(wk_code) = leefwijk_domain::AreaCode::parse(&wk) else { continue };
            options.push((wk.clone(), format!("{wk_name} ({})", ctx.t("hele wijk", "whole district"))));
            for (bu, bu_name) in within(leefwijk_domain::AreaKind::Buurt, &wk_code) {
                options.push((bu, format!("{bu_name}, {wk_name}")));
            }
        }
        if !options.is_empty() {
            groups.push(AreaGroup { municipality: if name.is_empty() { code } else { name }, options });
        }
    }
    groups
}

async fn list_page(app: &App, ctx: PageCtx, area: String, form: ProposeForm, error: FieldError) -> Response {
    let ctx = ctx.with_areas(app).await;
    let area_groups = area_groups(app, &ctx).await;
    let filter = (!area.is_empty()).then_some(area.as_str());
    let items = match part::initiatives(app, filter).await {
        Ok(i) => i,
        Err(e) => return app_error(&ctx, e),
    };
    let rounds = match part::rounds(app, None).await {
        Ok(r) => r.into_iter().filter(|r| filter.is_none_or(|a| area_related(&r.area_code, a))).collect(),
        Err(e) => return app_error(&ctx, e),
    };
    let status = if error.message.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let mut response =
        render(&ctx, &InitiativeListPage { ctx: ctx.clone(), area, items, rounds, form, error, area_groups });
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

fn area_related(a: &str, b: &str) -> bool {
    part::area_within(a, b) || part::area_within(b, a)
}

async fn list_initiatives(State(app): State<App>, ctx: PageCtx, Query(q): Query<AreaQuery>) -> Response {
    let area: String = q.gebied.trim().chars().take(12).collect();
    let form = ProposeForm { area_code: area.clone(), ..Default::default() };
    list_page(&app, ctx, area, form, FieldError::default()).await
}

async fn propose(State(app): State<App>, ctx: PageCtx, Form(f): Form<ProposeForm>) -> Response {
    let cost = f.cost_euros.trim();
    let cost_euros = if cost.is_empty() { Ok(0) } else { cost.replace('.', "").parse::<i64>() };
    let Ok(cost_euros) = cost_euros else {
        let msg = ctx
            .t("cost_euros: vul een bedrag in hele euro's in", "cost_euros: enter an amount in whole euros")
            .to_string();
        return list_page(&app, ctx, String::new(), f, FieldError::of(msg)).await;
    };
    let input = NewInitiative {
        area_code: f.area_code.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        cost_euros,
        contact: Some(f.contact.clone()),
    };
    match part::propose(&app, &input).await {
        Ok(i) => Redirect::to(&format!("/initiatief/{}?nieuw=1", i.id)).into_response(),
        Err(e) => match user_message(&e) {
            Some(m) => list_page(&app, ctx, String::new(), f, FieldError::of(m)).await,
            None => app_error(&ctx, e),
        },
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct VerifyForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    house_number: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "residents_initiative_show.html")]
struct InitiativePage {
    ctx: PageCtx,
    i: InitiativeView,
    created: String,
    is_new: bool,
    /// The code was sent: show the code step.
    code_sent: bool,
    supported: bool,
    form: VerifyForm,
    error: FieldError,
    staff: bool,
    next_statuses: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    #[serde(default)]
    nieuw: String,
}

async fn initiative_page(
    app: &App,
    ctx: PageCtx,
    me: Option<&SignedIn>,
    id: &str,
    state: (bool, bool, bool),
    form: VerifyForm,
    error: FieldError,
) -> Response {
    let i = match part::initiative(app, id).await {
        Ok(i) => i,
        Err(e) => return app_error(&ctx, e),
    };
    let ctx = ctx.with_areas(app).await;
    // Staff of the collaboration that handles the initiative, not of another one.
    let staff = me.is_some_and(|m| {
        ["beleidsmedewerker", "beheerder"].contains(&m.user.role.as_str()) && m.user.tenant_id == i.tenant_id
    });
    let next_statuses = [InitiativeStatus::InAssessment, InitiativeStatus::Accepted, InitiativeStatus::Rejected]
        .into_iter()
        .filter(|s| i.status.can_move_to(*s))
        .map(|s| (s.code().to_string(), ctx.t(s.label_nl(), s.label_en()).to_string()))
        .collect();
    let (is_new, code_sent, supported) = state;
    let status = if error.message.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let mut r = render(
        &ctx,
        &InitiativePage {
            created: ctx.moment(i.created_at),
            ctx: ctx.clone(),
            i,
            is_new,
            code_sent,
            supported,
            form,
            error,
            staff,
            next_statuses,
        },
    );
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

async fn show_initiative(
    State(app): State<App>,
    ctx: PageCtx,
    me: Option<Extension<SignedIn>>,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> Response {
    let me = me.map(|Extension(m)| m);
    initiative_page(
        &app,
        ctx,
        me.as_ref(),
        &id,
        (q.nieuw == "1", false, false),
        VerifyForm::default(),
        FieldError::default(),
    )
    .await
}

/// Step 1 (no code yet): check the address and send a code. Step 2: check the code and count the support.
async fn support(State(app): State<App>, ctx: PageCtx, Path(id): Path<String>, Form(f): Form<VerifyForm>) -> Response {
    if f.code.trim().is_empty() {
        let req =
            CodeRequest { email: f.email.clone(), postcode: f.postcode.clone(), house_number: f.house_number.clone() };
        return match part::request_code(&app, &Scope::Initiative(id.clone()), &req).await {
            Ok(()) => initiative_page(&app, ctx, None, &id, (false, true, false), f, FieldError::default()).await,
            Err(e) => match user_message(&e) {
                Some(m) => initiative_page(&app, ctx, None, &id, (false, false, false), f, FieldError::of(m)).await,
                None => app_error(&ctx, e),
            },
        };
    }
    match part::support(&app, &id, &f.email, &f.code).await {
        Ok(_) => {
            initiative_page(&app, ctx, None, &id, (false, false, true), VerifyForm::default(), FieldError::default())
                .await
        }
        Err(e) => match user_message(&e) {
            Some(m) => {
                let step2 = matches!(e, AppError::BadRequest(_));
                initiative_page(&app, ctx, None, &id, (false, step2, false), f, FieldError::of(m)).await
            }
            None => app_error(&ctx, e),
        },
    }
}

async fn assess(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<VerifyForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let Some(status) = InitiativeStatus::parse(&f.status) else {
        let m = FieldError {
            field: "status".into(),
            message: ctx.t("Kies een nieuwe status.", "Choose a new status.").into(),
        };
        return initiative_page(&app, ctx, Some(&me), &id, (false, false, false), f, m).await;
    };
    match part::assess(&app, &me.user, &id, &Assessment { status, note: f.note.clone() }).await {
        Ok(_) => Redirect::to(&format!("/initiatief/{id}")).into_response(),
        Err(e) => match user_message(&e) {
            Some(m) => initiative_page(&app, ctx, Some(&me), &id, (false, false, false), f, FieldError::of(m)).await,
            None => app_error(&ctx, e),
        },
    }
}

// ---------------------------------------------------------------------------------------
// Rounds (public)
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "residents_budget_round.html")]
struct RoundPage {
    ctx: PageCtx,
    r: RoundView,
    code_sent: bool,
    voted: Vec<String>,
    chosen: Vec<String>,
    form: VerifyForm,
    error: FieldError,
}

impl RoundPage {
    fn is_chosen(&self, id: &str) -> bool {
        self.chosen.iter().any(|c| c == id)
    }
}

/// Where the resident is in the vote: the code step, the titles just voted for, the boxes ticked.
struct VoteState {
    code_sent: bool,
    voted: Vec<String>,
    chosen: Vec<String>,
}

async fn round_page(
    app: &App,
    ctx: PageCtx,
    id: &str,
    state: VoteState,
    form: VerifyForm,
    error: FieldError,
) -> Response {
    let r = match part::round(app, id).await {
        Ok(r) => r,
        Err(e) => return app_error(&ctx, e),
    };
    let ctx = ctx.with_areas(app).await;
    let status = if error.message.is_empty() {
        StatusCode::OK
    } else if error.message == part::ALREADY_VOTED {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    let VoteState { code_sent, voted, chosen } = state;
    let mut resp = render(&ctx, &RoundPage { ctx: ctx.clone(), r, code_sent, voted, chosen, form, error });
    if resp.status() == StatusCode::OK {
        *resp.status_mut() = status;
    }
    resp
}

async fn show_round(State(app): State<App>, ctx: PageCtx, Path(id): Path<String>) -> Response {
    round_page(
        &app,
        ctx,
        &id,
        VoteState { code_sent: false, voted: Vec::new(), chosen: Vec::new() },
        VerifyForm::default(),
        FieldError::default(),
    )
    .await
}

async fn request_vote_code(
    State(app): State<App>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(f): Form<VerifyForm>,
) -> Response {
    let req =
        CodeRequest { email: f.email.clone(), postcode: f.postcode.clone(), house_number: f.house_number.clone() };
    match part::request_code(&app, &Scope::Round(id.clone()), &req).await {
        Ok(()) => {
            round_page(
                &app,
                ctx,
                &id,
                VoteState { code_sent: true, voted: Vec::new(), chosen: Vec::new() },
                f,
                FieldError::default(),
            )
            .await
        }
        Err(e) => match user_message(&e) {
            Some(m) => {
                round_page(
                    &app,
                    ctx,
                    &id,
                    VoteState { code_sent: false, voted: Vec::new(), chosen: Vec::new() },
                    f,
                    FieldError::of(m),
                )
                .await
            }
            None => app_error(&ctx, e),
        },
    }
}

/// The vote form posts `email`, `code` and one `project` per ticked box.
async fn vote(
    State(app): State<App>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let chosen: Vec<String> = pairs.iter().filter(|(n, _)| n == "project").map(|(_, v)| v.clone()).take(60).collect();
    let form = VerifyForm { email: get("email"), code: get("code"), ..Default::default() };
    let ballot = BallotIn { email: form.email.clone(), code: form.code.clone(), projects: chosen.clone() };
    match part::vote(&app, &id, &ballot).await {
        Ok(receipt) => {
            round_page(
                &app,
                ctx,
                &id,
                VoteState { code_sent: false, voted: receipt.chosen, chosen: Vec::new() },
                VerifyForm::default(),
                FieldError::default(),
            )
            .await
        }
        Err(e) => match user_message(&e) {
            Some(m) => {
                let code_step = !matches!(e, AppError::Conflict(_));
                round_page(
                    &app,
                    ctx,
                    &id,
                    VoteState { code_sent: code_step, voted: Vec::new(), chosen },
                    form,
                    FieldError::of(m),
                )
                .await
            }
            None => app_error(&ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "residents_budget_result.html")]
struct ResultPage {
    ctx: PageCtx,
    r: RoundView,
    published: String,
}

async fn show_result(State(app): State<App>, ctx: PageCtx, Path(id): Path<String>) -> Response {
    match part::round(&app, &id).await {
        Ok(r) => {
            let published = r.published_at.map(|ms| ctx.moment(ms)).unwrap_or_default();
            render(&ctx, &ResultPage { ctx: ctx.clone(), r, published })
        }
        Err(e) => app_error(&ctx, e),
    }
}

// ---------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
struct RoundForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    area_code: String,
    #[serde(default)]
    budget_euros: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    rule_value: String,
    #[serde(default)]
    programme_id: String,
    /// One project per line: "title | cost in euros".
    #[serde(default)]
    projects: String,
}

#[derive(Template)]
#[template(path = "residents_budget_manage.html")]
struct ManagePage {
    ctx: PageCtx,
    rounds: Vec<RoundView>,
    initiatives: Vec<InitiativeView>,
    programmes: Vec<(String, String)>,
    form: RoundForm,
    error: String,
    notice: String,
}

impl ManagePage {
    /// Rounds that still take projects (ideas or assessment phase).
    fn open_for_projects(&self) -> Vec<&RoundView> {
        self.rounds.iter().filter(|r| r.phase <= Phase::Assessment).collect()
    }

    fn next_phase(&self, r: &RoundView) -> Option<(String, String)> {
        r.phase.next().map(|p| (p.code().to_string(), self.ctx.t(p.label_nl(), p.label_en()).to_string()))
    }
}

async fn manage_page(
    app: &App,
    ctx: PageCtx,
    me: &SignedIn,
    form: RoundForm,
    error: String,
    notice: String,
) -> Response {
    let rounds = match part::rounds(app, Some(&me.user.tenant_id)).await {
        Ok(r) => r,
        Err(e) => return app_error(&ctx, e),
    };
    let ctx = ctx.with_areas(app).await;
    let initiatives = match part::initiatives_to_assess(app, &me.user).await {
        Ok(i) => i,
        Err(e) => return app_error(&ctx, e),
    };
    let programmes = match app.store.programmes(Some(&me.user.tenant_id)).await {
        Ok(p) => p.into_iter().map(|p| (p.id, p.name)).collect(),
        Err(e) => return app_error(&ctx, e.into()),
    };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let mut r = render(&ctx, &ManagePage { ctx: ctx.clone(), rounds, initiatives, programmes, form, error, notice });
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

async fn manage(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    let form = RoundForm { rule: "max_projects".into(), rule_value: "3".into(), ..Default::default() };
    manage_page(&app, ctx, &me, form, String::new(), String::new()).await
}

/// Parses the project lines of the form: "title | cost" per line.
fn parse_projects(text: &str) -> Result<Vec<NewProject>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let (title, cost) = line
            .rsplit_once('|')
            .ok_or_else(|| format!("projects: regel {} heeft de vorm 'titel | kosten in euro'", n + 1))?;
        let cost: i64 = cost
            .trim()
            .replace(['.', '€', ' '], "")
            .parse()
            .map_err(|_| format!("projects: regel {}: kosten in hele euro's", n + 1))?;
        out.push(NewProject {
            title: title.trim().into(),
            description: String::new(),
            cost_euros: cost,
            initiative_id: None,
        });
    }
    Ok(out)
}

async fn create_round(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<RoundForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let projects = match parse_projects(&f.projects) {
        Ok(p) => p,
        Err(m) => return manage_page(&app, ctx, &me, f, m, String::new()).await,
    };
    let value: u32 = f.rule_value.trim().parse().unwrap_or(0);
    let vote_rule = match f.rule.as_str() {
        "share_of_budget" => VoteRule::ShareOfBudget { percent: u8::try_from(value).unwrap_or(0) },
        _ => VoteRule::MaxProjects { k: value },
    };
    let Ok(budget_euros) = f.budget_euros.trim().replace('.', "").parse::<i64>() else {
        let m = ctx
            .t("budget_euros: vul het budget in hele euro's in", "budget_euros: enter the budget in whole euros")
            .into();
        return manage_page(&app, ctx, &me, f, m, String::new()).await;
    };
    let input = NewRound {
        name: f.name.clone(),
        description: f.description.clone(),
        area_code: f.area_code.clone(),
        budget_euros,
        vote_rule,
        programme_id: (!f.programme_id.is_empty()).then(|| f.programme_id.clone()),
        projects,
    };
    match part::create_round(&app, &me.user, &input).await {
        Ok(r) => Redirect::to(&format!("/begroting/{}", r.id)).into_response(),
        Err(e) => match user_message(&e) {
            Some(m) => manage_page(&app, ctx, &me, f, m, String::new()).await,
            None => app_error(&ctx, e),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
struct PhaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
}

async fn move_phase(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<PhaseForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    if let Err(e) = part::owned_round(&app, &me.user, &id).await {
        return app_error(&ctx, e);
    }
    let result = match Phase::parse(&f.to) {
        Some(to) => part::move_phase(&app, &me.user, &id, to)
            .await
            .map(|r| format!("{}: {}", r.name, ctx.t(r.phase.label_nl(), r.phase.label_en()))),
        None => Err(AppError::BadRequest(ctx.t("Kies de volgende fase.", "Choose the next phase.").into())),
    };
    let form = RoundForm { rule: "max_projects".into(), rule_value: "3".into(), ..Default::default() };
    match result {
        Ok(notice) => manage_page(&app, ctx, &me, form, String::new(), notice).await,
        Err(e) => match user_message(&e) {
            Some(m) => manage_page(&app, ctx, &me, form, m, String::new()).await,
            None => app_error(&ctx, e),
        },
    }
}

async fn hand_over(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<PhaseForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let form = RoundForm { rule: "max_projects".into(), rule_value: "3".into(), ..Default::default() };
    match part::hand_over(&app, &me.user, &id).await {
        Ok(h) => {
            let notice = format!(
                "{} {}",
                h.intervention_ids.len(),
                ctx.t(
                    "project(en) als interventie in het wijkprogramma gezet.",
                    "project(s) added to the area programme as interventions."
                )
            );
            manage_page(&app, ctx, &me, form, String::new(), notice).await
        }
        Err(e) => match user_message(&e) {
            Some(m) => manage_page(&app, ctx, &me, form, m, String::new()).await,
            None => app_error(&ctx, e),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
struct ProjectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    cost_euros: String,
    #[serde(default)]
    initiative_id: String,
}

/// Adds a project to a round that is still in the ideas or assessment phase, optionally
/// carrying out an assessed initiative.
async fn add_project(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<ProjectForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    // Another collaboration's round (or none) is not found, whatever the form holds.
    if let Err(e) = part::owned_round(&app, &me.user, &id).await {
        return app_error(&ctx, e);
    }
    let form = RoundForm { rule: "max_projects".into(), rule_value: "3".into(), ..Default::default() };
    let Ok(cost_euros) = f.cost_euros.trim().replace('.', "").parse::<i64>() else {
        let m = ctx.t("cost_euros: kosten in hele euro's, zoals 4500", "cost_euros: cost in whole euros, such as 4500");
        return manage_page(&app, ctx.clone(), &me, form, m.to_string(), String::new()).await;
    };
    let project = NewProject {
        title: f.title.clone(),
        description: f.description.clone(),
        cost_euros,
        initiative_id: Some(f.initiative_id.trim().to_string()).filter(|i| !i.is_empty()),
    };
    match part::add_project(&app, &me.user, &id, &project).await {
        Ok(r) => {
            let notice =
                format!("{}: {} {}", r.name, ctx.t("project toegevoegd", "project added"), project.title.trim());
            manage_page(&app, ctx, &me, form, String::new(), notice).await
        }
        Err(e) => match user_message(&e) {
            Some(m) => manage_page(&app, ctx, &me, form, m, String::new()).await,
            None => app_error(&ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "residents_initiative_contact.html")]
struct ContactPage {
    ctx: PageCtx,
    id: String,
    contact: Option<String>,
}

/// The proposer's contact details, shown on request to the assessing staff (audited).
async fn proposer_contact(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    match part::proposer_contact(&app, &me.user, &id).await {
        Ok(contact) => render(&ctx, &ContactPage { ctx: ctx.clone(), id, contact }),
        Err(e) => app_error(&ctx, e),
    }
}

#[cfg(test)]
mod tests {
    use super::FieldError;
    use leefwijk_domain::Lang;

    #[test]
    fn a_form_error_reads_in_the_page_language_without_the_field_code() {
        let e = FieldError::of("area_code: kies een wijk of buurt / choose a wijk or buurt".into());
        assert!(e.on("area_code"));
        assert_eq!(e.shown(&Lang::Nl), "kies een wijk of buurt");
        assert_eq!(e.shown(&Lang::En), "choose a wijk or buurt");
        let one = FieldError::of("cost_euros: vul een bedrag in hele euro's in".into());
        assert_eq!(one.shown(&Lang::Nl), "vul een bedrag in hele euro's in");
        let general = FieldError::of("Er ging iets mis: probeer het opnieuw".into());
        assert_eq!(general.shown(&Lang::Nl), "Er ging iets mis: probeer het opnieuw");
    }
}
