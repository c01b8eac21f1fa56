//! Pages of early signalling: the team's worklist, a household with its signals and
//! outreach history (contact attempts, outcome, reassignment), the KPI page, and the
//! partner upload of a CSV batch with its result report. Every read or write of personal
//! data goes through the gate in the use cases; these pages only render and relay.

use super::{check_csrf, denied_page, render, PageCtx, PageError};
use crate::api::signals::{body_hash, deliver, BATCH_BODY_LIMIT};
use crate::auth::SignedIn;
use crate::Problem;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::access::gate::{Actor, Denied};
use leefwijk_app::signals::figures;
use leefwijk_app::signals::ingest::Delivery;
use leefwijk_app::signals::intake::{parse_csv, RowError};
use leefwijk_app::signals::outreach::{self, NewAttempt, WorkItem, CHANNELS, PARTS_OF_DAY};
use leefwijk_app::{App, AppError};
use leefwijk_domain::signals::intake::FIELDS;
use leefwijk_domain::signals::kpi::OutreachFigures;
use leefwijk_domain::signals::worklist::WorkStage;
use leefwijk_domain::signals::{Outcome, SignalKind};
use leefwijk_domain::Lang;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/signalen", get(worklist))
        .route("/signalen/huishouden/{id}", get(household))
        .route("/signalen/huishouden/{id}/poging", post(add_attempt))
        .route("/signalen/huishouden/{id}/uitkomst", post(set_outcome))
        .route("/signalen/huishouden/{id}/toewijzing", post(assign))
        .route("/signalen/kpi", get(kpi))
        .route("/signalen/aanleveren", get(upload_form).post(upload).layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT)))
}

// ---------------------------------------------------------------------------------------
// Formatting.

/// "2026-11-23" → "23 nov 2026" (Dutch) or "23 Nov 2026"; the input when it is no date.
fn date_text(ctx: &PageCtx, iso: &str) -> String {
    ctx.date(iso)
}

/// A number with `decimals` decimals and the language's separators (1.234,5 or 1,234.5).
fn number(ctx: &PageCtx, value: f64, decimals: usize) -> String {
    ctx.number(&value, decimals)
}

/// Cents as euros: "€ 1.250,00" (Dutch) or "€1,250.00".
fn euros(ctx: &PageCtx, cents: i64) -> String {
    let amount = number(ctx, cents as f64 / 100.0, 2);
    match ctx.lang {
        Lang::Nl => format!("€ {amount}"),
        Lang::En => format!("€{amount}"),
    }
}

fn kind_label(ctx: &PageCtx, kind: SignalKind) -> &'static str {
    match ctx.lang {
        Lang::Nl => kind.label_nl(),
        Lang::En => kind.label_en(),
    }
}

fn outcome_label(ctx: &PageCtx, code: &str) -> String {
    match Outcome::parse(code) {
        Some(o) => match ctx.lang {
            Lang::Nl => o.label_nl(),
            Lang::En => o.label_en(),
        }
        .to_string(),
        None => code.to_string(),
    }
}

fn channel_label(ctx: &PageCtx, code: &str) -> String {
    match code {
        "letter" => ctx.t("brief", "letter"),
        "phone" => ctx.t("telefoon", "phone"),
        "home_visit" => ctx.t("huisbezoek", "home visit"),
        "email" => ctx.t("e-mail", "e-mail"),
        "text_message" => ctx.t("sms", "text message"),
        "card" => ctx.t("kaartje", "card"),
        other => other,
    }
    .to_string()
}

fn part_of_day_label(ctx: &PageCtx, code: &str) -> String {
    match code {
        "morning" => ctx.t("ochtend", "morning"),
        "afternoon" => ctx.t("middag", "afternoon"),
        "evening" => ctx.t("avond", "evening"),
        other => other,
    }
    .to_string()
}

/// A short, readable reference of a case: the last eight characters of its id.
pub(crate) fn reference(case_id: &str) -> String {
    let start = case_id.len().saturating_sub(8);
    case_id.get(start..).unwrap_or(case_id).to_uppercase()
}

/// Shown for a figure hidden by disclosure control.
const HIDDEN: &str = "—";

/// One figure of an area or wijk: its label and the value as shown.
pub struct FigureCell {
    pub label: String,
    pub value: String,
    pub hidden: bool,
}

fn cell(label: String, value: Option<String>) -> FigureCell {
    FigureCell { label, hidden: value.is_none(), value: value.unwrap_or_else(|| HIDDEN.to_string()) }
}

/// The outreach figures of an area as label/value cells, with "—" for hidden values: for
/// the public area page and the KPI page.
pub fn figure_cells(ctx: &PageCtx, f: &OutreachFigures) -> Vec<FigureCell> {
    vec![
        cell(ctx.t("Signalen", "Signals").to_string(), f.signals.map(|n| number(ctx, n as f64, 0))),
        cell(
            ctx.t("Huishoudens met een casus", "Households with a case").to_string(),
            f.cases.map(|n| number(ctx, n as f64, 0)),
        ),
        cell(
            ctx.t("Signalen per 1.000 huishoudens per maand", "Signals per 1,000 households per month").to_string(),
            f.signals_per_1000_households_per_month.map(|v| number(ctx, v, 2)),
        ),
        cell(
            ctx.t("Aandeel bereikt", "Share reached").to_string(),
            f.share_reached.map(|v| format!("{}%", number(ctx, v * 100.0, 0))),
        ),
        cell(
            ctx.t("Aandeel dat hulp accepteerde", "Share that accepted help").to_string(),
            f.share_accepted_help.map(|v| format!("{}%", number(ctx, v * 100.0, 0))),
        ),
        cell(
            ctx.t("Mediaan werkdagen tot eerste contact", "Median working days to first contact").to_string(),
            f.median_working_days_to_first_contact.map(|v| number(ctx, v, 1)),
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// Errors.

fn app_error(ctx: &PageCtx, e: AppError) -> Response {
    PageError::from_app(ctx, e).into_response()
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---------------------------------------------------------------------------------------
// Worklist.

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// How a deadline stands, in words (never by colour alone).
struct DeadlineView {
    iso: String,
    text: String,
    /// "te laat" and the like; empty when nothing to flag.
    flag: String,
    overdue: bool,
    /// Working days left (negative when overdue), for scripts and tests.
    days_left: i64,
}

fn deadline_view(ctx: &PageCtx, item: &WorkItem) -> DeadlineView {
    let n = item.working_days_left;
    let flag = if item.status != "open" {
        String::new()
    } else if let Some(first) = &item.first_contact_on {
        format!("{} {}", ctx.t("eerste contact", "first contact"), date_text(ctx, first))
    } else if item.overdue {
        let days = n.unsigned_abs();
        format!(
            "{} ({days} {})",
            ctx.t("Te laat", "Overdue"),
            if days == 1 { ctx.t("werkdag", "working day") } else { ctx.t("werkdagen", "working days") }
        )
    } else if n == 0 {
        ctx.t("vandaag", "today").to_string()
    } else {
        match (ctx.lang, n) {
            (Lang::Nl, 1) => "nog 1 werkdag".to_string(),
            (Lang::Nl, _) => format!("nog {n} werkdagen"),
            (Lang::En, 1) => "1 working day left".to_string(),
            (Lang::En, _) => format!("{n} working days left"),
        }
    };
    DeadlineView {
        iso: item.due_on.clone(),
        text: date_text(ctx, &item.due_on),
        flag,
        overdue: item.overdue,
        days_left: n,
    }
}

struct WorkRow {
    case_id: String,
    reference: String,
    opened_iso: String,
    opened: String,
    deadline: DeadlineView,
    priority: i64,
    buurt: String,
    buurt_code: String,
    team: String,
    kinds: String,
    signals: i64,
    recurrent: bool,
    crisis: bool,
    status: String,
    open: bool,
}

fn status_text(ctx: &PageCtx, item: &WorkItem) -> String {
    if item.status == "open" {
        if item.reached {
            ctx.t("open, bereikt", "open, reached").to_string()
        } else if item.first_contact_on.is_some() {
            ctx.t("open, contact gezocht", "open, contact tried").to_string()
        } else {
            ctx.t("open", "open").to_string()
        }
    } else {
        let outcome = item.outcome.as_deref().map(|o| outcome_label(ctx, o)).unwrap_or_default();
        if outcome.is_empty() {
            ctx.t("afgesloten", "closed").to_string()
        } else {
            format!("{}: {outcome}", ctx.t("afgesloten", "closed"))
        }
    }
}

#[derive(Template)]
#[template(path = "signals_worklist.html")]
struct WorklistPage {
    ctx: PageCtx,
    rows: Vec<WorkRow>,
    coordinator: bool,
    teams: Vec<Choice>,
    stages: Vec<Choice>,
    kinds: Vec<Choice>,
    buurten: Vec<Choice>,
    show_team: bool,
    closed: bool,
    filtered: bool,
    scope: String,
    overdue: usize,
    crisis_waiting: usize,
}

/// One option of a worklist filter, with how many cases it would show.
fn filter_choice(value: &str, label: &str, count: usize, selected: &str) -> Choice {
    Choice { value: value.to_string(), label: format!("{label} ({count})"), selected: value == selected }
}

#[derive(Deserialize)]
struct WorklistQuery {
    team: Option<String>,
    gesloten: Option<String>,
    /// Stage: `open` (default), `first_contact`, `in_progress`, `closed` or `all`.
    fase: Option<String>,
    /// A signal kind code.
    soort: Option<String>,
    /// A buurt code.
    buurt: Option<String>,
}

async fn worklist(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Query(q): Query<WorklistQuery>,
) -> Response {
    let actor = Actor::User(me.user.clone());
    let asked = q.team.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let team = match outreach::team_scope(&actor, asked) {
        Ok(t) => t,
        Err(e) => return app_error(&ctx, e),
    };
    let closed = matches!(q.gesloten.as_deref(), Some("1" | "on" | "true" | "ja"));
    let stage =
        q.fase.as_deref().map(str::trim).filter(|f| !f.is_empty()).unwrap_or(if closed { "all" } else { "open" });
    let kind = q.soort.as_deref().and_then(SignalKind::parse);
    let buurt = q.buurt.as_deref().map(str::trim).filter(|b| !b.is_empty()).map(str::to_uppercase);
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return app_error(&ctx, e),
    };
    // Closed cases come after every open one, so the counts per stage are complete.
    let all_items = match outreach::worklist(&app, &covenant, &actor, team.as_deref(), true).await {
        Ok(Ok(items)) => items,
        Ok(Err(d)) => return denied_page(&ctx, &d),
        Err(e) => return app_error(&ctx, e),
    };
    let in_stage = |i: &&WorkItem| match stage {
        "all" => true,
        "open" => i.stage != WorkStage::Closed,
        code => WorkStage::parse(code).is_some_and(|s| i.stage == s),
    };
    let of_kind = |i: &&WorkItem| kind.is_none_or(|k| i.kinds.contains(&k));
    let in_buurt = |i: &&WorkItem| buurt.as_deref().is_none_or(|b| i.buurt_code == b);
    // Each filter's counts are of the cases the other two filters leave.
    let ctx = &ctx.clone().with_areas(&app).await;
    let mut stages = vec![filter_choice(
        "open",
        ctx.t("Alle open casussen", "All open cases"),
        all_items.iter().filter(of_kind).filter(in_buurt).filter(|i| i.stage != WorkStage::Closed).count(),
        stage,
    )];
    for s in WorkStage::ALL {
        let n = all_items.iter().filter(of_kind).filter(in_buurt).filter(|i| i.stage == s).count();
        stages.push(filter_choice(s.code(), ctx.t(s.label_nl(), s.label_en()), n, stage));
    }
    stages.push(filter_choice(
        "all",
        ctx.t("Alle casussen", "All cases"),
        all_items.iter().filter(of_kind).filter(in_buurt).count(),
        stage,
    ));
    let selected_kind = kind.map(|k| k.code()).unwrap_or("");
    let mut kinds = vec![filter_choice(
        "",
        ctx.t("Alle soorten", "All kinds"),
        all_items.iter().filter(in_stage).filter(in_buurt).count(),
        selected_kind,
    )];
    for k in SignalKind::ALL {
        let n = all_items.iter().filter(in_stage).filter(in_buurt).filter(|i| i.kinds.contains(&k)).count();
        if n > 0 || Some(k) == kind {
            kinds.push(filter_choice(k.code(), kind_label(ctx, k), n, selected_kind));
        }
    }
    let selected_buurt = buurt.clone().unwrap_or_default();
    let mut buurt_codes: Vec<&str> = all_items.iter().map(|i| i.buurt_code.as_str()).collect();
    buurt_codes.sort_unstable();
    buurt_codes.dedup();
    let mut buurten = vec![filter_choice(
        "",
        ctx.t("Alle buurten", "All neighbourhoods"),
        all_items.iter().filter(in_stage).filter(of_kind).count(),
        &selected_buurt,
    )];
    let mut named: Vec<(String, &str, usize)> = buurt_codes
        .into_iter()
        .map(|code| {
            let n = all_items.iter().filter(in_stage).filter(of_kind).filter(|i| i.buurt_code == code).count();
            (ctx.area(code), code, n)
        })
        .collect();
    named.sort();
    for (name, code, n) in named {
        buurten.push(filter_choice(code, &name, n, &selected_buurt));
    }
    let items: Vec<&WorkItem> = all_items.iter().filter(in_stage).filter(of_kind).filter(in_buurt).collect();
    let filtered = stage != "open" || kind.is_some() || buurt.is_some();
    let closed = matches!(stage, "closed" | "all");
    let all_teams = match app.store.teams(&me.user.tenant_id).await {
        Ok(t) => t,
        Err(e) => return app_error(ctx, AppError::Store(e)),
    };
    let coordinator = me.user.role == "regisseur";
    let own = me.user.team_id.clone().unwrap_or_default();
    let selected = team.clone().unwrap_or_else(|| "all".into());
    let mut teams = Vec::new();
    if coordinator {
        for (id, name, _, _) in &all_teams {
            let label = if *id == own { format!("{name} ({})", ctx.t("eigen team", "own team")) } else { name.clone() };
            teams.push(Choice { value: id.clone(), label, selected: *id == selected });
        }
        teams.push(Choice {
            value: "all".into(),
            label: ctx.t("Alle teams", "All teams").into(),
            selected: selected == "all",
        });
    }
    let scope = match &team {
        Some(id) => all_teams.iter().find(|(t, _, _, _)| t == id).map(|(_, n, _, _)| n.clone()).unwrap_or(id.clone()),
        None => ctx.t("alle teams", "all teams").to_string(),
    };
    let rows: Vec<WorkRow> = items
        .iter()
        .map(|i| WorkRow {
            case_id: i.case_id.clone(),
            reference: reference(&i.case_id),
            opened_iso: i.opened_on.clone(),
            opened: date_text(ctx, &i.opened_on),
            deadline: deadline_view(ctx, i),
            priority: i.priority,
            buurt: ctx.area(&i.buurt_code),
            buurt_code: i.buurt_code.clone(),
            team: i.team_name.clone().or_else(|| i.team_id.clone()).unwrap_or_else(|| "—".into()),
            kinds: i.kinds.iter().map(|k| kind_label(ctx, *k)).collect::<Vec<_>>().join(", "),
            signals: i.signal_count,
            recurrent: i.recurrent,
            crisis: i.crisis,
            status: status_text(ctx, i),
            open: i.status == "open",
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.deadline.overdue).count();
    let crisis_waiting = items.iter().filter(|i| i.crisis && i.stage == WorkStage::FirstContact).count();
    no_store(render(
        ctx,
        &WorklistPage {
            ctx: ctx.clone(),
            rows,
            coordinator,
            teams,
            stages,
            kinds,
            buurten,
            show_team: team.is_none(),
            closed,
            filtered,
            scope,
            overdue,
            crisis_waiting,
        },
    ))
}

// ---------------------------------------------------------------------------------------
// Household.

struct SignalRow {
    kind: String,
    partner: String,
    amount: String,
    arrears_since: String,
    signal_date: String,
    received: String,
    crisis: bool,
    multiple: bool,
    recurrent: bool,
    repeat: bool,
    identity: bool,
}

struct AttemptRow {
    on_iso: String,
    on: String,
    channel: String,
    part_of_day: String,
    reached: bool,
    by: String,
}

struct EventRow {
    at: String,
    by: String,
    what: String,
}

#[derive(Template)]
#[template(path = "signals_household.html")]
struct HouseholdPage {
    ctx: PageCtx,
    case_id: String,
    reference: String,
    address: String,
    buurt: String,
    buurt_code: String,
    team: String,
    opened: String,
    deadline: DeadlineView,
    priority: i64,
    status: String,
    open: bool,
    recurrent: bool,
    crisis: bool,
    signals: Vec<SignalRow>,
    attempts: Vec<AttemptRow>,
    events: Vec<EventRow>,
    other_cases: Vec<(String, String)>,
    done: String,
    today: String,
    channels: Vec<Choice>,
    parts_of_day: Vec<Choice>,
    outcomes: Vec<Choice>,
    teams: Vec<Choice>,
}

#[derive(Deserialize)]
struct HouseholdQuery {
    gedaan: Option<String>,
}

async fn household(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Query(q): Query<HouseholdQuery>,
) -> Response {
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return app_error(&ctx, e),
    };
    let actor = Actor::User(me.user.clone());
    let h = match outreach::household(&app, &covenant, &actor, &id).await {
        Ok(Ok(h)) => h,
        Ok(Err(d)) => return denied_page(&ctx, &d),
        Err(e) => return app_error(&ctx, e),
    };
    let teams = match app.store.teams(&me.user.tenant_id).await {
        Ok(t) => t,
        Err(e) => return app_error(&ctx, AppError::Store(e)),
    };
    let team_name = |id: &str| {
        teams.iter().find(|(t, _, _, _)| t == id).map(|(_, n, _, _)| n.clone()).unwrap_or_else(|| id.to_string())
    };
    let ctx = &ctx.clone().with_areas(&app).await;
    let case = &h.case;
    let done = match q.gedaan.as_deref() {
        Some("poging") => ctx.t("De contactpoging is vastgelegd.", "The contact attempt has been recorded."),
        Some("uitkomst") => ctx.t(
            "De uitkomst is vastgelegd en de casus is afgesloten.",
            "The outcome has been recorded and the case closed.",
        ),
        Some("toewijzing") => {
            ctx.t("De casus is aan het andere team toegewezen.", "The case has been assigned to the other team.")
        }
        _ => "",
    }
    .to_string();
    let signals = h
        .signals
        .iter()
        .map(|s| SignalRow {
            kind: kind_label(ctx, s.kind).to_string(),
            partner: s.partner_organisation.clone(),
            amount: if s.arrears_cents > 0 || s.kind.is_financial() {
                euros(ctx, s.arrears_cents)
            } else {
                "—".into()
            },
            arrears_since: s.arrears_since.as_deref().map(|d| date_text(ctx, d)).unwrap_or_else(|| "—".into()),
            signal_date: date_text(ctx, &s.signal_date),
            received: date_text(ctx, &s.received_on),
            crisis: s.crisis,
            multiple: s.multiple,
            recurrent: s.recurrent,
            repeat: s.repeat,
            identity: s.has_identity,
        })
        .collect();
    let attempts = h
        .attempts
        .iter()
        .map(|a| AttemptRow {
            on_iso: a.attempted_on.clone(),
            on: date_text(ctx, &a.attempted_on),
            channel: channel_label(ctx, &a.channel),
            part_of_day: part_of_day_label(ctx, &a.part_of_day),
            reached: a.reached,
            by: a.by.clone(),
        })
        .collect();
    let events = h
        .events
        .iter()
        .map(|e| EventRow {
            at: ctx.moment(e.at_ms),
            by: e.by.clone(),
            what: match e.event.as_str() {
                "outcome" => format!("{}: {}", ctx.t("Uitkomst", "Outcome"), outcome_label(ctx, &e.detail)),
                "assigned" => format!("{}: {}", ctx.t("Toegewezen aan", "Assigned to"), team_name(&e.detail)),
                "attempt" => format!("{}: {}", ctx.t("Contactpoging", "Contact attempt"), e.detail),
                other if e.detail.is_empty() => other.to_string(),
                other => format!("{other}: {}", e.detail),
            },
        })
        .collect();
    let current_team = case.team_id.clone().unwrap_or_default();
    let page = HouseholdPage {
        case_id: case.case_id.clone(),
        reference: reference(&case.case_id),
        address: h.address.clone().unwrap_or_default(),
        buurt: ctx.area(&case.buurt_code),
        buurt_code: case.buurt_code.clone(),
        team: case.team_name.clone().or_else(|| case.team_id.clone()).unwrap_or_else(|| "—".into()),
        opened: date_text(ctx, &case.opened_on),
        deadline: deadline_view(ctx, case),
        priority: case.priority,
        status: status_text(ctx, case),
        open: case.status == "open",
        recurrent: case.recurrent,
        crisis: case.crisis,
        signals,
        attempts,
        events,
        other_cases: h.other_cases.iter().map(|c| (c.clone(), reference(c))).collect(),
        done,
        today: app.signals.today().to_string(),
        channels: CHANNELS
            .iter()
            .map(|c| Choice { value: c.to_string(), label: channel_label(ctx, c), selected: *c == "phone" })
            .collect(),
        parts_of_day: PARTS_OF_DAY
            .iter()
            .map(|p| Choice { value: p.to_string(), label: part_of_day_label(ctx, p), selected: *p == "morning" })
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Choice { value: o.code().to_string(), label: outcome_label(ctx, o.code()), selected: false })
            .collect(),
        teams: teams
            .iter()
            .map(|(id, name, _, _)| Choice { value: id.clone(), label: name.clone(), selected: *id == current_team })
            .collect(),
        ctx: ctx.clone(),
    };
    no_store(render(ctx, &page))
}

/// Where a household form sends the browser after success.
fn back_to(id: &str, done: &str) -> Response {
    Redirect::to(&format!("/signalen/huishouden/{}?gedaan={done}", path_segment(id))).into_response()
}

/// Keeps only characters that are safe in a path segment (case ids are UUIDs).
fn path_segment(id: &str) -> String {
    id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// Runs a household write and answers with a redirect, a 400/403 page, or an error page.
fn after_write(ctx: &PageCtx, id: &str, done: &str, result: Result<Result<(), Denied>, AppError>) -> Response {
    match result {
        Ok(Ok(())) => back_to(id, done),
        Ok(Err(d)) => denied_page(ctx, &d),
        Err(e) => app_error(ctx, e),
    }
}

#[derive(Deserialize)]
struct AttemptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    attempted_on: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    part_of_day: String,
    #[serde(default)]
    reached: String,
}

async fn add_attempt(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(form): Form<AttemptForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let reached = match form.reached.as_str() {
        "ja" | "yes" | "true" => true,
        "nee" | "no" | "false" => false,
        _ => {
            return app_error(
                &ctx,
                AppError::BadRequest(
                    ctx.t(
                        "Kies of de bewoner bereikt is (ja of nee).",
                        "Choose whether the resident was reached (yes or no).",
                    )
                    .into(),
                ),
            )
        }
    };
    let attempt = NewAttempt {
        attempted_on: form.attempted_on.trim().to_string(),
        channel: form.channel,
        part_of_day: form.part_of_day,
        reached,
    };
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return app_error(&ctx, e),
    };
    let actor = Actor::User(me.user.clone());
    let result = outreach::record_attempt(&app, &covenant, &actor, &id, &attempt).await;
    after_write(&ctx, &id, "poging", result)
}

#[derive(Deserialize)]
struct OutcomeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
}

async fn set_outcome(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return app_error(&ctx, e),
    };
    let actor = Actor::User(me.user.clone());
    let result = outreach::record_outcome(&app, &covenant, &actor, &id, &form.outcome).await;
    after_write(&ctx, &id, "uitkomst", result)
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    team_id: String,
}

async fn assign(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return app_error(&ctx, e),
    };
    let actor = Actor::User(me.user.clone());
    let result = outreach::reassign(&app, &covenant, &actor, &id, form.team_id.trim()).await;
    after_write(&ctx, &id, "toewijzing", result)
}

// ---------------------------------------------------------------------------------------
// KPIs.

struct KpiRow {
    code: String,
    name: String,
    own_team: bool,
    cells: Vec<FigureCell>,
}

#[derive(Template)]
#[template(path = "signals_kpi.html")]
struct KpiPage {
    ctx: PageCtx,
    rows: Vec<KpiRow>,
    headers: Vec<String>,
    months: u32,
    month_choices: Vec<Choice>,
    any_hidden: bool,
    min_cell: u64,
    round_to: u64,
}

#[derive(Deserialize)]
struct KpiQuery {
    maanden: Option<String>,
}

async fn kpi(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Query(q): Query<KpiQuery>,
) -> Response {
    let months = q.maanden.as_deref().and_then(|m| m.trim().parse::<u32>().ok()).unwrap_or(12).clamp(1, 24);
    let kpis = match figures::kpis(&app, &me.user.tenant_id, me.user.team_id.as_deref(), months).await {
        Ok(k) => k,
        Err(e) => return app_error(&ctx, e),
    };
    let rows: Vec<KpiRow> = kpis
        .iter()
        .map(|k| KpiRow {
            code: k.area_code.clone(),
            name: k.area_name.clone(),
            own_team: k.own_team,
            cells: figure_cells(&ctx, &k.figures),
        })
        .collect();
    let headers = figure_cells(
        &ctx,
        &OutreachFigures {
            months,
            signals: None,
            cases: None,
            signals_per_1000_households_per_month: None,
            share_reached: None,
            share_accepted_help: None,
            median_working_days_to_first_contact: None,
            open_cases: None,
            outcomes: Vec::new(),
        },
    )
    .into_iter()
    .map(|c| c.label)
    .collect();
    let any_hidden = rows.iter().any(|r| r.cells.iter().any(|c| c.hidden));
    let month_choices = [3u32, 6, 12, 24]
        .iter()
        .map(|m| Choice {
            value: m.to_string(),
            label: format!("{m} {}", ctx.t("maanden", "months")),
            selected: *m == months,
        })
        .collect();
    render(
        &ctx,
        &KpiPage {
            ctx: ctx.clone(),
            rows,
            headers,
            months,
            month_choices,
            any_hidden,
            min_cell: app.signals.disclosure.min_cell,
            round_to: app.signals.disclosure.round_to,
        },
    )
}

// ---------------------------------------------------------------------------------------
// Partner upload.

struct ColumnDoc {
    name: &'static str,
    text: String,
    /// Values the column takes, as the file writes them (shown as code) with their names.
    values: Vec<(&'static str, String)>,
}

fn column_docs(ctx: &PageCtx) -> Vec<ColumnDoc> {
    FIELDS
        .iter()
        .map(|name| {
            let values = match *name {
                "kind" => SignalKind::ALL.iter().map(|k| (k.code(), kind_label(ctx, *k).to_string())).collect(),
                "buurt_code" => vec![("BU03630000", ctx.t("voorbeeld", "example").to_string())],
                _ => Vec::new(),
            };
            let text = match *name {
                "kind" => ctx.t("Verplicht. Soort signaal:", "Required. Kind of signal:").into(),
                "bsn" => ctx
                    .t(
                        "BSN (9 cijfers, elfproef). Verplicht bij betalingsachterstanden.",
                        "BSN (9 digits, eleven test). Required for payment arrears.",
                    )
                    .into(),
                "postcode" => ctx
                    .t(
                        "Postcode, zoals 1234 AB. Met huisnummer; of geef de buurtcode.",
                        "Postcode, such as 1234 AB. With a house number; or send the buurt code.",
                    )
                    .into(),
                "house_number" => ctx.t("Huisnummer (1–99999).", "House number (1–99999).").into(),
                "house_number_addition" => {
                    ctx.t("Huisnummertoevoeging, zoals A of 2hg.", "House number addition, such as A or 2hg.").into()
                }
                "buurt_code" => ctx
                    .t(
                        "CBS-buurtcode; nodig als de postcode niet bekend is.",
                        "CBS buurt code; needed when the postcode is unknown.",
                    )
                    .into(),
                "arrears_cents" => ctx
                    .t(
                        "Achterstand in eurocenten, niet negatief (125000 = € 1.250,00).",
                        "Arrears in euro cents, not negative (125000 = EUR 1,250.00).",
                    )
                    .into(),
                "arrears_since" => ctx
                    .t(
                        "Datum sinds wanneer de achterstand bestaat (JJJJ-MM-DD), niet in de toekomst.",
                        "Date the arrears began (YYYY-MM-DD), not in the future.",
                    )
                    .into(),
                "signal_date" => ctx
                    .t(
                        "Datum van het signaal (JJJJ-MM-DD), niet in de toekomst.",
                        "Date of the signal (YYYY-MM-DD), not in the future.",
                    )
                    .into(),
                "customer_number" => ctx
                    .t(
                        "Uw klant- of contractnummer (wordt gepseudonimiseerd).",
                        "Your customer or contract number (pseudonymised).",
                    )
                    .into(),
                "crisis" => ctx
                    .t(
                        "true als er acuut gevaar is (huisuitzetting, afsluiting): kortere termijn.",
                        "true when there is acute danger (eviction, cut-off): a shorter deadline.",
                    )
                    .into(),
                "reminder_sent" => ctx
                    .t(
                        "Voorwaarde: aanmaning verstuurd (true bij betalingsachterstanden).",
                        "Precondition: reminder sent (true for payment arrears).",
                    )
                    .into(),
                "personal_contact_attempted" => ctx
                    .t(
                        "Voorwaarde: persoonlijk contact geprobeerd (true).",
                        "Precondition: personal contact attempted (true).",
                    )
                    .into(),
                "debt_help_pointed_to" => ctx
                    .t("Voorwaarde: gewezen op schuldhulp (true).", "Precondition: debt help pointed to (true).")
                    .into(),
                "no_objection" => ctx
                    .t(
                        "Voorwaarde: geen bezwaar van de klant (true).",
                        "Precondition: no objection of the customer (true).",
                    )
                    .into(),
                "reference" => {
                    ctx.t("Uw eigen kenmerk, voor de terugkoppeling.", "Your own reference, for the feedback.").into()
                }
                _ => String::new(),
            };
            ColumnDoc { name, text, values }
        })
        .collect()
}

/// What happened to an upload, for the result report.
#[derive(Default)]
struct UploadResult {
    /// A batch was stored (or an earlier one replayed).
    stored: bool,
    batch_id: String,
    rows: i64,
    opened: u64,
    stacked: u64,
    repeats: u64,
    replayed: bool,
    /// The batch was rejected: every problem, without the values.
    rejected: bool,
    errors: Vec<RowError>,
    /// Refused or failed otherwise: what to do, and the gate's or server's words.
    message: String,
    rule: String,
}

impl UploadResult {
    fn failed(message: String, rule: String) -> UploadResult {
        UploadResult { message, rule, ..UploadResult::default() }
    }

    fn rejected(errors: Vec<RowError>) -> UploadResult {
        UploadResult { rejected: true, errors, ..UploadResult::default() }
    }
}

#[derive(Template)]
#[template(path = "signals_upload.html")]
struct UploadPage {
    ctx: PageCtx,
    organisation: String,
    columns: Vec<ColumnDoc>,
    header_line: String,
    example_line: String,
    result: UploadResult,
    key: String,
}

fn upload_page(ctx: &PageCtx, me: &SignedIn, result: UploadResult, key: String) -> UploadPage {
    UploadPage {
        ctx: ctx.clone(),
        organisation: me.user.organisation_name.clone(),
        columns: column_docs(ctx),
        header_line: FIELDS.join(";"),
        example_line: "rent_arrears;111222333;1234 AB;12;;BU99010101;125000;2026-01-01;2026-02-01;K-1001;false;true;true;true;true;huur-0001"
            .to_string(),
        result,
        key,
    }
}

async fn upload_form(ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    render(&ctx, &upload_page(&ctx, &me, UploadResult::default(), String::new()))
}

/// The fields of the upload form.
#[derive(Default)]
struct UploadForm {
    csrf: String,
    file: Vec<u8>,
    file_sent: bool,
    key: String,
}

async fn read_upload(mut multipart: Multipart) -> Result<UploadForm, String> {
    let mut form = UploadForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(e.body_text()),
        };
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|e| e.body_text())?;
        match name.as_str() {
            "csrf" => form.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "idempotency_key" => form.key = String::from_utf8_lossy(&bytes).trim().to_string(),
            "file" => {
                form.file_sent = true;
                form.file = bytes.to_vec();
            }
            _ => {}
        }
    }
    Ok(form)
}

fn upload_answer(ctx: &PageCtx, me: &SignedIn, status: StatusCode, result: UploadResult, key: String) -> Response {
    let mut response = render(ctx, &upload_page(ctx, me, result, key));
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    no_store(response)
}

fn row_errors(problem: &Problem) -> Vec<RowError> {
    #[derive(Deserialize)]
    struct E {
        line: u64,
        field: String,
        message: String,
    }
    problem
        .errors
        .clone()
        .and_then(|v| serde_json::from_value::<Vec<E>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|e| RowError::new(e.line, e.field, e.message))
        .collect()
}

async fn upload(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let bad = |status: StatusCode, message: String| {
        upload_answer(&ctx, &me, status, UploadResult::failed(message, String::new()), String::new())
    };
    let form = match multipart {
        Ok(m) => match read_upload(m).await {
            Ok(f) => f,
            Err(e) => {
                return bad(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "{} ({e})",
                        ctx.t(
                            "Het bestand kon niet worden ontvangen; is het kleiner dan 64 MB?",
                            "The file could not be received; is it smaller than 64 MB?"
                        )
                    ),
                )
            }
        },
        Err(_) => {
            return bad(
                StatusCode::BAD_REQUEST,
                ctx.t(
                    "Verstuur het formulier met een bestand (multipart/form-data).",
                    "Send the form with a file (multipart/form-data).",
                )
                .into(),
            )
        }
    };
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let key = form.key.clone();
    if !key.is_empty() && (key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic())) {
        return bad(
            StatusCode::BAD_REQUEST,
            ctx.t(
                "Idempotentiesleutel: gebruik 1 tot 200 zichtbare ASCII-tekens, zonder spaties, zoals een UUID.",
                "Idempotency key: use 1 to 200 visible ASCII characters without spaces, such as a UUID.",
            )
            .into(),
        );
    }
    if !form.file_sent || form.file.iter().all(u8::is_ascii_whitespace) {
        return bad(
            StatusCode::BAD_REQUEST,
            ctx.t("Kies een CSV-bestand met signalen.", "Choose a CSV file with signals.").into(),
        );
    }
    let rows = match parse_csv(&form.file) {
        Ok(rows) => rows,
        Err(errors) => {
            return upload_answer(&ctx, &me, StatusCode::UNPROCESSABLE_ENTITY, UploadResult::rejected(errors), key)
        }
    };
    let actor = Actor::User(me.user.clone());
    let delivery = Delivery {
        idempotency_key: (!key.is_empty()).then_some(key.as_str()),
        body_hash: body_hash(&form.file),
        format: "csv",
        rows,
    };
    let outcome = deliver(&app, &actor, delivery).await;
    let (status, result) = match outcome {
        Ok(Ok(r)) => (
            StatusCode::OK,
            UploadResult {
                stored: true,
                batch_id: r.batch_id,
                rows: r.rows,
                opened: r.cases_opened,
                stacked: r.cases_stacked,
                repeats: r.repeats,
                replayed: r.replayed,
                ..UploadResult::default()
            },
        ),
        Ok(Err(p)) if p.code == "rows_rejected" => (StatusCode::UNPROCESSABLE_ENTITY, UploadResult::rejected(row_errors(&p))),
        Ok(Err(p)) if p.code == "covenant_denied" => (
            StatusCode::FORBIDDEN,
            UploadResult::failed(
                ctx.t(
                    "Het convenant staat uw organisatie of rol niet toe signalen aan te leveren. Er is niets opgeslagen.",
                    "The covenant does not allow your organisation or role to deliver signals. Nothing was stored.",
                )
                .into(),
                p.detail,
            ),
        ),
        Ok(Err(p)) | Err(p) => (
            StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            UploadResult::failed(
                match p.status {
                    409 => ctx
                        .t(
                            "Deze idempotentiesleutel is al gebruikt voor een ander bestand. Gebruik een nieuwe sleutel voor nieuwe inhoud; er is niets opgeslagen.",
                            "This idempotency key was already used for another file. Use a new key for new content; nothing was stored.",
                        )
                        .into(),
                    500.. => ctx.t("Er ging iets mis aan onze kant; er is niets opgeslagen.", "Something went wrong on our side; nothing was stored.").into(),
                    _ => ctx.t("De levering is geweigerd; er is niets opgeslagen.", "The delivery was refused; nothing was stored.").into(),
                },
                if p.status >= 500 { String::new() } else { p.detail },
            ),
        ),
    };
    upload_answer(&ctx, &me, status, result, key)
}
