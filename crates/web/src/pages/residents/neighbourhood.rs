//! The public neighbourhood page (`/buurt/{code}`) and the residents' front door
//! (`/bewoners`): no login, for a phone first. Key figures (CBS, and outreach counts under
//! disclosure control), the area programmes that cover the area with their results, and
//! the ways in for residents: a report, an initiative, a panel, one's own data.

use crate::access_table::{public, Rule};
use crate::pages::areas::{key_figures, KeyFigure};
use crate::pages::signals::{figure_cells, FigureCell};
use crate::pages::{render, PageCtx, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leefwijk_app::residents::neighbourhood::{self, Neighbourhood, PostcodeSearch};
use leefwijk_app::App;
use leefwijk_domain::programme::GoalDirection;
use leefwijk_domain::AreaKind;
use serde::Deserialize;

/// Who may call this part's pages and API routes (see `access_table`).
pub static RULES: &[Rule] =
    &[public("GET", "/bewoners"), public("GET", "/buurt/{code}"), public("GET", "/api/v1/neighbourhoods/{code}")];

pub fn routes() -> Router<App> {
    Router::new().route("/bewoners", get(front_door)).route("/buurt/{code}", get(page))
}

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    postcode: Option<String>,
}

#[derive(Template)]
#[template(path = "residents_front_door.html")]
struct FrontDoor {
    ctx: PageCtx,
    postcode: String,
    error: String,
}

/// The residents' front door; with `?postcode=` it finds the buurt and goes there.
async fn front_door(State(app): State<App>, ctx: PageCtx, Query(q): Query<Search>) -> Response {
    let typed = q.postcode.unwrap_or_default();
    if typed.trim().is_empty() {
        return render(&ctx, &FrontDoor { ctx: ctx.clone(), postcode: String::new(), error: String::new() });
    }
    let typed: String = typed.chars().take(20).collect();
    match neighbourhood::buurt_of_postcode(&app, &typed).await {
        Ok(Ok(buurt)) => Redirect::to(&format!("/buurt/{buurt}")).into_response(),
        Ok(Err(refusal)) => {
            let error = match refusal {
                PostcodeSearch::Invalid(_) => ctx
                    .t(
                        "Dit is geen geldige postcode. Een postcode is vier cijfers en twee letters, zoals 1234 AB.",
                        "This is not a valid postcode. A postcode is four digits and two letters, such as 1234 AB.",
                    )
                    .to_string(),
                PostcodeSearch::Unknown(_) => ctx
                    .t(
                        "Deze postcode kennen we niet. Kies uw buurt via de kaart van uw gemeente.",
                        "We do not know this postcode. Choose your neighbourhood on your municipality's map.",
                    )
                    .to_string(),
            };
            let mut response = render(&ctx, &FrontDoor { ctx: ctx.clone(), postcode: typed, error });
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

struct Crumb {
    href: String,
    name: String,
}

struct GoalRow {
    title: String,
    baseline: String,
    target: String,
    current: String,
    progress: String,
}

struct ProgrammeCard {
    id: String,
    name: String,
    description: String,
    period: String,
    lead: String,
    goals: Vec<GoalRow>,
    commitments: String,
    interventions: usize,
    evaluation: String,
}

struct ReportLine {
    label: String,
    open: String,
    closed: String,
}

struct Link {
    href: String,
    text: String,
    note: String,
}

struct Child {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "residents_neighbourhood.html")]
struct NeighbourhoodPage {
    ctx: PageCtx,
    code: String,
    name: String,
    kind: String,
    year: i32,
    crumbs: Vec<Crumb>,
    figures: Vec<KeyFigure>,
    outreach: Vec<FigureCell>,
    programmes: Vec<ProgrammeCard>,
    children: Vec<Child>,
    children_heading: String,
    report_lines: Vec<ReportLine>,
    report_weeks: u32,
    report_total: String,
    rounds: Vec<Link>,
    initiatives: Vec<Link>,
    surveys: Vec<Link>,
    /// "Bron: …" of the figures shown (fictional figures say so).
    source: String,
}

async fn page(State(app): State<App>, ctx: PageCtx, Path(code): Path<String>) -> Response {
    match neighbourhood::neighbourhood(&app, &code).await {
        Ok(n) => render(&ctx, &view(&ctx, n)),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

fn number(ctx: &PageCtx, v: f64) -> String {
    leefwijk_domain::indicators::format_value(v, leefwijk_domain::Unit::Score, ctx.lang)
}

fn goal_row(ctx: &PageCtx, g: &leefwijk_app::programme::report::GoalLine) -> GoalRow {
    let direction = match g.direction {
        GoalDirection::Decrease => ctx.t("omlaag", "down"),
        GoalDirection::Increase => ctx.t("omhoog", "up"),
    };
    GoalRow {
        title: g.title.clone(),
        baseline: format!("{} ({})", number(ctx, g.baseline), g.baseline_year),
        target: format!("{} ({}, {direction})", number(ctx, g.target), g.target_year),
        current: match (g.current, g.current_year) {
            (Some(v), Some(y)) => format!("{} ({y})", number(ctx, v)),
            (Some(v), None) => number(ctx, v),
            _ => ctx.t("nog niet gemeten", "not measured yet").to_string(),
        },
        progress: g
            .progress
            .map(|p| format!("{}%", (p * 100.0).round()))
            .unwrap_or_else(|| ctx.t("onbekend", "unknown").to_string()),
    }
}

fn shown(ctx: &PageCtx, v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| ctx.t("verborgen", "hidden").to_string())
}

fn view(ctx: &PageCtx, n: Neighbourhood) -> NeighbourhoodPage {
    let kind = n.detail.area.kind;
    let report_lines = n
        .reports
        .categories
        .iter()
        .map(|c| ReportLine {
            label: ctx.t(&c.label_nl, &c.label_en).to_string(),
            open: shown(ctx, c.open),
            closed: shown(ctx, c.closed),
        })
        .collect();
    let p = &n.participation;
    let rounds = p
        .open_rounds
        .iter()
        .chain(&p.results)
        .map(|r| Link {
            href: r.url.clone(),
            text: r.name.clone(),
            note: format!("{} · {}", ctx.t(&r.phase_nl, &r.phase_en), r.budget_text),
        })
        .collect();
    let initiatives = p
        .open_initiatives
        .iter()
        .map(|i| Link {
            href: i.url.clone(),
            text: i.title.clone(),
            note: format!(
                "{} · {} {}",
                ctx.t(&i.status_nl, &i.status_en),
                i.supporters,
                ctx.t("steunbetuigingen", "supporters")
            ),
        })
        .collect();
    let surveys = n
        .surveys
        .iter()
        .map(|s| Link { href: s.url.clone(), text: s.title.clone(), note: s.panel_name.clone() })
        .collect();
    let programmes = n
        .programmes
        .iter()
        .map(|p| ProgrammeCard {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            period: p.period.clone(),
            lead: p.lead.clone(),
            goals: p.goals.iter().map(|g| goal_row(ctx, g)).collect(),
            commitments: format!("{} {} {}", p.commitments_kept.0, ctx.t("van de", "of"), p.commitments_kept.1),
            interventions: p.interventions,
            evaluation: match ctx.lang {
                leefwijk_domain::Lang::Nl => p.residents_evaluation.clone(),
                leefwijk_domain::Lang::En => p.residents_evaluation_en.clone(),
            }
            .unwrap_or_default(),
        })
        .collect();
    NeighbourhoodPage {
        source: n.detail.source.clone(),
        ctx: ctx.clone(),
        code: n.detail.area.code.clone(),
        name: n.detail.area.name.clone(),
        kind: match kind {
            AreaKind::Buurt => ctx.t("Buurt", "Neighbourhood"),
            AreaKind::Wijk => ctx.t("Wijk", "District"),
            AreaKind::Gemeente => ctx.t("Gemeente", "Municipality"),
            AreaKind::Land => ctx.t("Land", "Country"),
        }
        .to_string(),
        year: n.detail.year,
        crumbs: n
            .detail
            .ancestors
            .iter()
            .filter(|a| a.kind != AreaKind::Land)
            .map(|a| Crumb {
                href: if a.kind == AreaKind::Gemeente {
                    format!("/gemeente/{}", a.code)
                } else {
                    format!("/buurt/{}", a.code)
                },
                name: a.name.clone(),
            })
            .collect(),
        figures: key_figures(ctx, &n.detail),
        outreach: figure_cells(ctx, &n.outreach),
        programmes,
        children: n.detail.children.iter().map(|c| Child { code: c.code.clone(), name: c.name.clone() }).collect(),
        children_heading: match kind {
            AreaKind::Gemeente => ctx.t("Wijken", "Districts"),
            _ => ctx.t("Buurten in deze wijk", "Neighbourhoods in this district"),
        }
        .to_string(),
        report_lines,
        report_weeks: n.reports.weeks,
        report_total: shown(ctx, n.reports.total),
        rounds,
        initiatives,
        surveys,
    }
}
