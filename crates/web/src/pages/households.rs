//! Pages of households with stacked problems: notices and matches of the own
//! organisation, registering involvement and consent, choosing the coordinator, and the
//! joint plan with its ZRM chart (printable for the household itself).

use super::{check_csrf, denied_page, render, PageCtx, PageError};
use crate::auth::SignedIn;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::households::{self, NewAssessment, NewConsent, NewInvolvement, NewItem, NewPlan, PlanView};
use leefwijk_app::{App, AppError};
use leefwijk_domain::access::covenant::Purpose;
use leefwijk_domain::households::zrm::{Level, LifeDomain};
use leefwijk_domain::Lang;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/huishoudens", get(overview))
        .route("/huishoudens/betrokkenheid", post(register))
        .route("/huishoudens/betrokkenheid/beeindigen", post(end))
        .route("/huishoudens/match/{id}/regisseur", post(coordinator))
        .route("/huishoudens/toestemming", post(consent))
        .route("/huishoudens/plan", post(create_plan))
        .route("/plan/{id}", get(plan))
        .route("/plan/{id}/onderdeel", post(add_item))
        .route("/plan/{id}/zrm", post(zrm))
        .route("/plan/{id}/afsluiten", post(close))
        .route("/plan/{id}/toestemming/{cid}/intrekken", post(withdraw))
}

/// How a joint plan ended, in words.
fn plan_outcome_label(ctx: &PageCtx, code: &str) -> String {
    let (nl, en) = match code {
        "goals_reached" => ("Doelen bereikt", "Goals reached"),
        "partly_reached" => ("Doelen deels bereikt", "Goals partly reached"),
        "not_reached" => ("Doelen niet bereikt", "Goals not reached"),
        "moved" => ("Huishouden verhuisd", "Household moved away"),
        "stopped_by_household" => ("Gestopt op verzoek van het huishouden", "Stopped at the household's request"),
        "other" => ("Anders", "Other"),
        other => (other, other),
    };
    ctx.t(nl, en).to_string()
}

/// A plan's status in words.
fn plan_status_label(ctx: &PageCtx, status: &str) -> String {
    match status {
        "active" | "open" => ctx.t("loopt", "running"),
        "closed" => ctx.t("afgesloten", "closed"),
        other => other,
    }
    .to_string()
}

fn domain_label(d: LifeDomain, lang: Lang) -> &'static str {
    if lang == Lang::Nl {
        d.label_nl()
    } else {
        d.label_en()
    }
}

struct MatchView {
    id: String,
    matched_on: String,
    organisations: String,
    coordinator: String,
    has_coordinator: bool,
    is_coordinator: bool,
    escalated: bool,
    plans: Vec<String>,
}

#[derive(Template)]
#[template(path = "households.html")]
struct OverviewPage {
    ctx: PageCtx,
    notices: Vec<(String, String)>,
    matches: Vec<MatchView>,
    orgs: Vec<(String, String)>,
    my_org: String,
    today: String,
    message: String,
}

async fn overview(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    q: axum::extract::RawQuery,
) -> Response {
    let tenant = &me.user.tenant_id;
    let result = async {
        let orgs = app.store.organisations(tenant).await?;
        let name =
            |id: &str| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_else(|| id.to_string());
        let notices = app.store.notices(tenant, &me.user.organisation_id).await?;
        let mut matches = Vec::new();
        for m in app.store.matches_of_organisation(tenant, &me.user.organisation_id).await? {
            let involved = app.store.match_organisations(&m.id).await?;
            let plans = app.store.plans_of_match(tenant, &m.id).await?.into_iter().map(|p| p.id).collect();
            matches.push(MatchView {
                organisations: involved.iter().map(|o| name(o)).collect::<Vec<_>>().join(", "),
                coordinator: m.coordinator_org.as_deref().map(name).unwrap_or_default(),
                has_coordinator: m.coordinator_org.is_some(),
                is_coordinator: m.coordinator_org.as_deref() == Some(me.user.organisation_id.as_str()),
                escalated: m.escalated_on.is_some(),
                matched_on: m.matched_on,
                id: m.id,
                plans,
            });
        }
        Ok::<_, AppError>((
            notices.into_iter().map(|n| (ctx.moment(n.created_at), n.text)).collect(),
            matches,
            orgs.iter().map(|o| (o.id.clone(), o.name.clone())).collect(),
        ))
    }
    .await;
    let (notices, matches, orgs) = match result {
        Ok(r) => r,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let message = match q.0.as_deref() {
        Some(m) if m.contains("geregistreerd=match") => ctx
            .t(
                "Geregistreerd. Er is een match: zie hieronder wie nog meer betrokken is.",
                "Registered. There is a match: see below who else is involved.",
            )
            .to_string(),
        Some(m) if m.contains("geregistreerd=1") => ctx
            .t("Geregistreerd. Geen andere organisatie is betrokken.", "Registered. No other organisation is involved.")
            .to_string(),
        Some(m) if m.contains("toestemming=1") => ctx.t("Toestemming vastgelegd.", "Consent recorded.").to_string(),
        Some(m) if m.contains("beeindigd=1") => ctx
            .t(
                "Betrokkenheid beëindigd: de registratie maakt geen nieuwe matches meer.",
                "Involvement ended: the registration makes no new matches.",
            )
            .to_string(),
        Some(m) if m.contains("regisseur=1") => {
            ctx.t("Uw organisatie is regisseur.", "Your organisation is the coordinator.").to_string()
        }
        _ => String::new(),
    };
    render(
        &ctx,
        &OverviewPage {
            ctx: ctx.clone(),
            notices,
            matches,
            orgs,
            my_org: me.user.organisation_id.clone(),
            today: app.signals.today().to_string(),
            message,
        },
    )
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    house_number: String,
    #[serde(default)]
    parent_bsn: String,
    #[serde(default)]
    start_on: String,
    #[serde(default)]
    expected_end_on: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    informed_on: String,
    #[serde(default)]
    deferral_reason: String,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

async fn register(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<RegisterForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let input = NewInvolvement {
        bsn: f.bsn,
        postcode: some(&f.postcode),
        house_number: f.house_number.trim().parse().ok(),
        house_number_addition: None,
        parent_bsn: some(&f.parent_bsn),
        start_on: f.start_on,
        expected_end_on: some(&f.expected_end_on),
        birth_date: some(&f.birth_date),
        informed_on: some(&f.informed_on),
        deferral_reason: some(&f.deferral_reason),
        deferral_until: None,
    };
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    match households::register(&app, &covenant, &me.user, &input).await {
        Ok(Ok(r)) => Redirect::to(if r.match_id.is_some() {
            "/huishoudens?geregistreerd=match"
        } else {
            "/huishoudens?geregistreerd=1"
        })
        .into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

#[derive(Deserialize)]
struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    ended_on: String,
    /// The checkbox: present ("on") when the person died.
    #[serde(default)]
    deceased: Option<String>,
}

async fn end(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<EndForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let input = households::EndInvolvement { bsn: f.bsn, ended_on: f.ended_on, deceased: f.deceased.is_some() };
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    match households::end_involvement(&app, &covenant, &me.user, &input).await {
        Ok(Ok(_)) => Redirect::to("/huishoudens?beeindigd=1").into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn coordinator(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    match households::become_coordinator(&app, &me.user, &id).await {
        Ok(()) => Redirect::to("/huishoudens?regisseur=1").into_response(),
        Err(AppError::Conflict(m)) => {
            PageError { ctx: ctx.clone(), status: StatusCode::CONFLICT, message: m }.into_response()
        }
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

#[derive(Deserialize)]
struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    given_on: String,
    #[serde(default)]
    scope: String,
}

async fn consent(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<ConsentForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let c = NewConsent {
        bsn: f.bsn,
        purpose: f.purpose,
        organisation_id: f.organisation_id,
        given_on: f.given_on,
        scope: f.scope,
    };
    match households::record_consent(&app, &covenant, &me.user, &c).await {
        Ok(Ok(_)) => Redirect::to("/huishoudens?toestemming=1").into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    match_id: String,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    own_goals: String,
}

async fn create_plan(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(f): Form<PlanForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    match households::create_plan(
        &app,
        &covenant,
        &me.user,
        &NewPlan { match_id: f.match_id, bsn: f.bsn, own_goals: f.own_goals },
    )
    .await
    {
        Ok(Ok(id)) => Redirect::to(&format!("/plan/{id}")).into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

/// One assessment in the ZRM chart: a dot per scored life domain (none for the others).
struct ChartLine {
    label: String,
    latest: bool,
    dots: Vec<(f64, f64, String)>,
}

/// The chart's geometry: life domains down (their names readable on a phone), levels
/// 1–5 across. Lines join only the same domain's previous and newest level, never
/// domains with each other.
const ZRM_LEVEL_X0: f64 = 180.0;
const ZRM_LEVEL_STEP: f64 = 50.0;
const ZRM_ROW_Y0: f64 = 40.0;
const ZRM_ROW_STEP: f64 = 24.0;

fn zrm_x(level: u8) -> f64 {
    ZRM_LEVEL_X0 + f64::from(level.saturating_sub(1)) * ZRM_LEVEL_STEP
}

fn zrm_y(row: usize) -> f64 {
    ZRM_ROW_Y0 + row as f64 * ZRM_ROW_STEP
}

struct ItemRow {
    kind: String,
    domain: String,
    text: String,
    owner: String,
    due: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    ctx: PageCtx,
    p: PlanView,
    involved: String,
    coordinator: String,
    items: Vec<ItemRow>,
    domains: Vec<(&'static str, &'static str)>,
    levels: Vec<(u8, &'static str)>,
    lines: Vec<ChartLine>,
    /// Life domain name and the y of its label's baseline.
    rows: Vec<(&'static str, f64)>,
    grid_bottom: f64,
    /// Level and its x.
    level_ticks: Vec<(u8, f64)>,
    /// Previous → newest level of one domain: x1, x2, y.
    changes: Vec<(f64, f64, f64)>,
    chart_height: f64,
    table: Vec<(String, Vec<String>)>,
    dates: Vec<String>,
    orgs: Vec<(String, String)>,
    /// Outcome code and its words.
    outcomes: Vec<(&'static str, String)>,
    /// The plan's status (and how and when it ended) in words.
    status_text: String,
    today: String,
    timeline: Vec<(String, String, String, String)>,
    consents: Vec<(String, String, String, String, bool)>,
    criteria: Vec<(String, Vec<(i64, String)>)>,
}

async fn plan(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let p = match households::plan(&app, &covenant, &me.user, &id).await {
        Ok(Ok(p)) => p,
        Ok(Err(d)) => return denied_page(&ctx, &d),
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let orgs = app.store.organisations(&me.user.tenant_id).await.unwrap_or_default();
    let name = |id: &str| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_else(|| id.to_string());
    let lang = ctx.lang;
    // The chart: life domains down, levels 1–5 across; a dot per scored domain per assessment.
    let n = p.assessments.len();
    let lines = p
        .assessments
        .iter()
        .enumerate()
        .map(|(k, a)| ChartLine {
            label: format!("{} ({})", ctx.date(&a.date.to_string()), a.instrument_version),
            latest: k + 1 == n,
            dots: LifeDomain::ALL
                .iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    a.scores.get(d).map(|l| {
                        let title =
                            format!("{} {}: {}", ctx.date(&a.date.to_string()), domain_label(*d, lang), l.value());
                        (zrm_x(l.value()), zrm_y(i), title)
                    })
                })
                .collect(),
        })
        .collect();
    let changes = match (n.checked_sub(2).and_then(|i| p.assessments.get(i)), p.assessments.last()) {
        (Some(before), Some(after)) => LifeDomain::ALL
            .iter()
            .enumerate()
            .filter_map(|(i, d)| match (before.scores.get(d), after.scores.get(d)) {
                (Some(b), Some(a)) if b.value() != a.value() => Some((zrm_x(b.value()), zrm_x(a.value()), zrm_y(i))),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let table = LifeDomain::ALL
        .iter()
        .map(|d| {
            (
                domain_label(*d, lang).to_string(),
                p.assessments
                    .iter()
                    .map(|a| a.scores.get(d).map(|l| l.value().to_string()).unwrap_or_else(|| "—".into()))
                    .collect(),
            )
        })
        .collect();
    let page = PlanPage {
        ctx: ctx.clone(),
        involved: p.involved.iter().map(|o| name(o)).collect::<Vec<_>>().join(", "),
        coordinator: name(&p.coordinator_org),
        items: p
            .items
            .iter()
            .map(|i| ItemRow {
                kind: match i.kind.as_str() {
                    "goal" => ctx.t("Doel", "Goal"),
                    "action" => ctx.t("Actie", "Action"),
                    _ => ctx.t("Evaluatie", "Review"),
                }
                .to_string(),
                domain: i.domain.map(|d| domain_label(d, lang).to_string()).unwrap_or_default(),
                text: i.text.clone(),
                owner: i.owner_org.as_deref().map(name).unwrap_or_default(),
                due: i.due_on.as_deref().map(|d| ctx.date(d)).unwrap_or_default(),
            })
            .collect(),
        domains: LifeDomain::ALL.iter().map(|d| (d.code(), domain_label(*d, lang))).collect(),
        levels: (1..=5u8)
            .filter_map(|v| {
                Level::from_value(v).map(|l| (v, if lang == Lang::Nl { l.label_nl() } else { l.label_en() }))
            })
            .collect(),
        lines,
        rows: LifeDomain::ALL.iter().enumerate().map(|(i, d)| (domain_label(*d, lang), zrm_y(i) + 4.0)).collect(),
        grid_bottom: zrm_y(LifeDomain::ALL.len()) - 10.0,
        level_ticks: (1..=5u8).map(|l| (l, zrm_x(l))).collect(),
        changes,
        chart_height: zrm_y(LifeDomain::ALL.len()),
        table,
        dates: p.assessments.iter().map(|a| ctx.date(&a.date.to_string())).collect(),
        orgs: orgs.iter().map(|o| (o.id.clone(), o.name.clone())).collect(),
        outcomes: households::OUTCOMES.iter().map(|o| (*o, plan_outcome_label(&ctx, o))).collect(),
        status_text: match (&p.outcome, &p.closed_on) {
            (Some(o), Some(on)) => {
                format!("{} ({}, {})", plan_status_label(&ctx, &p.status), plan_outcome_label(&ctx, o), ctx.date(on))
            }
            (Some(o), None) => format!("{} ({})", plan_status_label(&ctx, &p.status), plan_outcome_label(&ctx, o)),
            _ => plan_status_label(&ctx, &p.status),
        },
        today: app.signals.today().to_string(),
        timeline: p
            .timeline
            .iter()
            .map(|(date, kind, org, status, outcome)| {
                let kind = leefwijk_domain::signals::SignalKind::parse(kind)
                    .map(|k| if lang == Lang::Nl { k.label_nl() } else { k.label_en() })
                    .unwrap_or("")
                    .to_string();
                let state =
                    match (status.as_str(), outcome.as_deref().and_then(leefwijk_domain::signals::Outcome::parse)) {
                        ("closed", Some(o)) => if lang == Lang::Nl { o.label_nl() } else { o.label_en() }.to_string(),
                        _ => ctx.t("in behandeling", "in progress").to_string(),
                    };
                (ctx.date(date), kind, name(org), state)
            })
            .collect(),
        consents: p
            .consents
            .iter()
            .map(|(id, purpose, org, given, withdrawn)| {
                (
                    id.clone(),
                    Purpose::parse(purpose)
                        .map(|p| if lang == Lang::Nl { p.label_nl() } else { p.label_en() }.to_string())
                        .unwrap_or_else(|| purpose.clone()),
                    name(org),
                    match withdrawn {
                        Some(w) => format!("{} – {}", ctx.date(given), ctx.date(w)),
                        None => format!("{} {}", ctx.t("sinds", "since"), ctx.date(given)),
                    },
                    withdrawn.is_none(),
                )
            })
            .collect(),
        criteria: LifeDomain::ALL
            .iter()
            .filter_map(|d| {
                let levels: Vec<(i64, String)> =
                    p.criteria.iter().filter(|(c, _, _)| c == d.code()).map(|(_, l, t)| (*l, t.clone())).collect();
                (!levels.is_empty()).then(|| (domain_label(*d, lang).to_string(), levels))
            })
            .collect(),
        p,
    };
    render(&ctx, &page)
}

#[derive(Deserialize)]
struct ItemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    owner_org: String,
    #[serde(default)]
    due_on: String,
}

async fn add_item(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<ItemForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let item = NewItem {
        kind: f.kind,
        domain: some(&f.domain),
        text: f.text,
        owner_org: some(&f.owner_org),
        due_on: some(&f.due_on),
    };
    match households::add_item(&app, &covenant, &me.user, &id, &item).await {
        Ok(Ok(())) => Redirect::to(&format!("/plan/{id}")).into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

/// The ZRM form sends `assessed_on`, `csrf` and one field per domain code with level 1–5
/// (or empty when not assessed).
async fn zrm(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if let Err(r) = check_csrf(&ctx, &me.csrf, &get("csrf")) {
        return r;
    }
    let mut scores = BTreeMap::new();
    for d in LifeDomain::ALL {
        if let Ok(v) = get(d.code()).trim().parse::<u8>() {
            scores.insert(d.code().to_string(), v);
        }
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let a = NewAssessment { assessed_on: get("assessed_on"), instrument_version: None, scores };
    match households::add_assessment(&app, &covenant, &me.user, &id, &a).await {
        Ok(Ok(())) => Redirect::to(&format!("/plan/{id}#zrm")).into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

async fn withdraw(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path((id, cid)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let today = app.signals.today().to_string();
    match households::withdraw_consent(&app, &covenant, &me.user, &cid, &today).await {
        Ok(Ok(())) => Redirect::to(&format!("/plan/{id}")).into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    /// The explicit "I am closing this plan": closing cannot be undone.
    #[serde(default)]
    confirm: Option<String>,
}

async fn close(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<CloseForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    if f.outcome.trim().is_empty() || f.confirm.is_none() {
        let message = ctx.t(
            "Kies de uitkomst en bevestig dat u het plan afsluit; er is niets veranderd.",
            "Choose the outcome and confirm that you are closing the plan; nothing was changed.",
        );
        return PageError::from_app(&ctx, AppError::BadRequest(message.into())).into_response();
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    match households::close_plan(&app, &covenant, &me.user, &id, &f.outcome).await {
        Ok(Ok(())) => Redirect::to(&format!("/plan/{id}")).into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}
