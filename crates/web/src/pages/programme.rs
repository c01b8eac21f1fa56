//! Pages of area programmes: the list and the printable results report
//! ("verantwoording op hoofdlijnen"). Public: programmes hold no personal data. Policy
//! staff of the owning organisation also see a form per commitment to record its next
//! status (agreed, delivered, late, withdrawn), the same use case as the API.

use super::{check_csrf, render, PageCtx, PageError};
use crate::auth::SignedIn;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::programme::report::{report, Report};
use leefwijk_app::{App, AppError};
use leefwijk_domain::programme::{
    progress_for_display, CommitmentStatus, ContributionKind, FundingStream, GoalDirection, PartyRole,
};
use leefwijk_domain::Lang;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/programmas", get(list))
        .route("/programma/{id}", get(show))
        .route("/programma/{id}/afspraak/{cid}/status", post(move_commitment))
}

/// Euros from cents, Dutch style: "€ 1.234.567" (whole euros; cents are in the CSV).
pub fn euros(cents: i64, lang: Lang) -> String {
    let whole = (cents as f64 / 100.0).round() as i64;
    let out = super::group_thousands(whole.unsigned_abs(), lang);
    format!("{}€ {out}", if whole < 0 { "−" } else { "" })
}

struct Row {
    href: String,
    name: String,
    areas: String,
    period: String,
    lead: String,
}

#[derive(Template)]
#[template(path = "programme_list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<Row>,
}

async fn list(State(app): State<App>, ctx: PageCtx) -> Response {
    let ctx = ctx.with_areas(&app).await;
    match app.store.programmes(None).await {
        Ok(all) => render(
            &ctx,
            &ListPage {
                ctx: ctx.clone(),
                rows: all
                    .into_iter()
                    .map(|p| Row {
                        href: format!("/programma/{}", p.id),
                        name: p.name,
                        areas: ctx.areas_named(&p.area_codes),
                        period: format!("{}–{}", p.start_year, p.end_year),
                        lead: p.lead,
                    })
                    .collect(),
            },
        ),
        Err(e) => PageError::from_app(&ctx, e.into()).into_response(),
    }
}

struct GoalView {
    title: String,
    source: String,
    baseline: String,
    target: String,
    current: String,
    progress_pct: String,
    bar: u32,
    status: String,
}

struct CommitmentView {
    id: String,
    party: String,
    kind: String,
    description: String,
    amount: String,
    in_return: String,
    status: String,
    /// Statuses it may move to next (code, Dutch label); empty once delivered or withdrawn.
    next: Vec<NextStatus>,
}

struct NextStatus {
    code: &'static str,
    label: &'static str,
}

struct MoneyRow {
    name: String,
    a: String,
    b: String,
    c: String,
    d: String,
}

struct ScenarioView {
    name: String,
    costs: String,
    benefits: String,
    net: String,
    ratio: String,
    funders: Vec<MoneyRow>,
}

#[derive(Template)]
#[template(path = "programme_report.html")]
struct ReportPage {
    ctx: PageCtx,
    r: Report,
    parties: Vec<(String, String)>,
    goals: Vec<GoalView>,
    commitments: Vec<CommitmentView>,
    kept: String,
    streams: Vec<MoneyRow>,
    funders: Vec<MoneyRow>,
    interventions: Vec<MoneyRow>,
    transactions: Vec<MoneyRow>,
    totals: MoneyRow,
    balanced: bool,
    scenarios: Vec<ScenarioView>,
    horizon: String,
    programme_id: String,
    /// Signed in as policy staff of the owner: the commitment forms are shown.
    can_edit: bool,
    csrf: String,
    /// What went wrong with the last form, in the words of the use case.
    error: String,
}

impl ReportPage {
    /// The residents' evaluation in the page's language.
    fn evaluation(&self) -> Option<&str> {
        match self.ctx.lang {
            Lang::Nl => self.r.residents_evaluation.as_deref(),
            Lang::En => self.r.residents_evaluation_en.as_deref(),
        }
    }
}

fn num(v: f64, lang: Lang) -> String {
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").map(String::from).unwrap_or(s);
    if lang == Lang::Nl {
        s.replace('.', ",")
    } else {
        s
    }
}

async fn show(
    State(app): State<App>,
    ctx: PageCtx,
    me: Option<Extension<SignedIn>>,
    Path(id): Path<String>,
) -> Response {
    render_report(&app, &ctx, me.as_ref().map(|Extension(me)| me), &id, String::new()).await
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
}

/// Records a commitment's next status from the report page; back to the page on success,
/// the page with the reason (422) when the move is not allowed.
async fn move_commitment(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path((id, cid)): Path<(String, String)>,
    Form(f): Form<StatusForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    match leefwijk_app::programme::move_commitment(&app, &me.user, &id, &cid, f.status.trim()).await {
        Ok(()) => Redirect::to(&format!("/programma/{id}#commitments")).into_response(),
        Err(AppError::BadRequest(message)) | Err(AppError::Conflict(message)) => {
            let mut response = render_report(&app, &ctx, Some(&me), &id, message).await;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

async fn render_report(app: &App, ctx: &PageCtx, me: Option<&SignedIn>, id: &str, error: String) -> Response {
    let r = match report(app, id).await {
        Ok(r) => r,
        Err(e) => return PageError::from_app(ctx, e).into_response(),
    };
    let ctx = &ctx.clone().with_areas(app).await;
    let can_edit = match me {
        Some(me) => leefwijk_app::programme::owned_programme(app, &me.user, id).await.is_ok(),
        None => false,
    };
    let lang = ctx.lang;
    let eur = |c: i64| euros(c, lang);
    let goals = r
        .goals
        .iter()
        .map(|g| {
            let progress = g.progress;
            let status = match progress {
                Some(p) if p >= 1.0 => ctx.t("doel bereikt", "target reached"),
                Some(p) if p > 0.0 => ctx.t("op weg", "on the way"),
                Some(_) => ctx.t("geen vooruitgang of achteruit", "no progress or backwards"),
                None => ctx.t("nog geen meting", "not measured yet"),
            }
            .to_string();
            GoalView {
                title: g.title.clone(),
                source: match (&g.indicator, &g.area_code) {
                    (Some(i), Some(a)) => format!(
                        "{} ({}), {}",
                        leefwijk_domain::indicators::indicator(i).map(|d| d.name(lang)).unwrap_or(i.as_str()),
                        ctx.area(a),
                        ctx.t(
                            "bron en jaar: zie het wijkbeeld van het gebied",
                            "source and year: see the area's monitor page"
                        )
                    ),
                    _ => ctx.t("eigen meting van het programma", "the programme's own measure").to_string(),
                },
                baseline: format!("{} ({})", num(g.baseline, lang), g.baseline_year),
                target: format!(
                    "{} {} ({})",
                    match g.direction {
                        GoalDirection::Increase => "≥",
                        GoalDirection::Decrease => "≤",
                    },
                    num(g.target, lang),
                    g.target_year
                ),
                current: g
                    .current
                    .map(|c| match g.current_year {
                        Some(y) => format!("{} ({y})", num(c, lang)),
                        None => num(c, lang),
                    })
                    .unwrap_or_else(|| "—".into()),
                progress_pct: progress.map(|p| format!("{}%", (p * 100.0).round())).unwrap_or_else(|| "—".into()),
                bar: progress.map(|p| (progress_for_display(p) * 100.0).round() as u32).unwrap_or(0),
                status,
            }
        })
        .collect();
    let commitments = r
        .commitments
        .iter()
        .map(|c| CommitmentView {
            id: c.id.clone(),
            next: CommitmentStatus::parse(&c.status)
                .map(|from| {
                    CommitmentStatus::ALL
                        .into_iter()
                        .filter(|to| from.can_move_to(*to))
                        .map(|to| NextStatus { code: to.code(), label: to.label(lang) })
                        .collect()
                })
                .unwrap_or_default(),
            party: c.party.clone(),
            kind: ContributionKind::parse(&c.kind).map(|k| k.label(lang).to_string()).unwrap_or_else(|| c.kind.clone()),
            description: c.description.clone(),
            amount: c.amount.clone(),
            in_return: c.in_return.clone(),
            status: CommitmentStatus::parse(&c.status)
                .map(|s| s.label(lang).to_string())
                .unwrap_or_else(|| c.status.clone()),
        })
        .collect();
    let streams = r
        .money
        .per_stream
        .iter()
        .map(|(s, m): (&FundingStream, _)| MoneyRow {
            name: s.label(lang).to_string(),
            a: eur(m.contributed_cents),
            b: eur(m.unallocated_cents),
            c: eur(m.allocated_unspent_cents),
            d: eur(m.spent_cents),
        })
        .collect();
    let funders = r
        .money
        .per_funder
        .iter()
        .map(|(f, m)| MoneyRow {
            name: f.clone(),
            a: eur(m.contributed_cents),
            b: m.per_stream.keys().map(|s| s.label(lang)).collect::<Vec<_>>().join(", "),
            c: String::new(),
            d: String::new(),
        })
        .collect();
    let interventions = r
        .interventions
        .iter()
        .map(|i| MoneyRow {
            name: format!(
                "{} ({})",
                i.name,
                if i.kind == "social" { ctx.t("sociaal", "social") } else { ctx.t("fysiek", "physical") }
            ),
            a: eur(i.money.allocated_cents),
            b: eur(i.money.spent_cents),
            c: eur(i.money.remaining_cents),
            d: format!("{} {}", num(i.reach_households, lang), ctx.t("huishoudens", "households")),
        })
        .collect();
    let transactions = r
        .money
        .transactions
        .iter()
        .map(|t| MoneyRow {
            name: t.id.clone(),
            a: ctx.date(&t.date),
            b: t.memo.clone(),
            c: eur(t.postings.iter().filter(|p| p.amount_cents > 0).map(|p| p.amount_cents).sum()),
            d: t.corrects.clone().map(|c| format!("{} {c}", ctx.t("corrigeert", "corrects"))).unwrap_or_default(),
        })
        .collect();
    let scenarios = r
        .business_case
        .iter()
        .map(|s| ScenarioView {
            name: if s.scenario.name == "base" || s.scenario.name == "Basis" {
                ctx.t("Basis", "Base").to_string()
            } else {
                s.scenario.name.clone()
            },
            costs: eur(s.result.total_costs_pv_cents),
            benefits: eur(s.result.total_benefits_pv_cents),
            net: eur(s.result.net_cents),
            ratio: s
                .result
                .benefit_cost_ratio
                .map(|v| num((v * 100.0).round() / 100.0, lang))
                .unwrap_or_else(|| "—".into()),
            funders: s
                .result
                .per_funder
                .iter()
                .map(|f| MoneyRow {
                    name: f.funder.clone(),
                    a: eur(f.costs_pv_cents),
                    b: eur(f.benefits_pv_cents),
                    c: eur(f.net_cents),
                    d: String::new(),
                })
                .collect(),
        })
        .collect();
    let page = ReportPage {
        ctx: ctx.clone(),
        parties: r
            .parties
            .iter()
            .map(|(n, role)| {
                (n.clone(), PartyRole::parse(role).map(|p| p.label(lang).to_string()).unwrap_or_else(|| role.clone()))
            })
            .collect(),
        goals,
        commitments,
        kept: format!("{} {} {}", r.commitments_kept.0, ctx.t("van", "of"), r.commitments_kept.1),
        streams,
        funders,
        interventions,
        transactions,
        totals: MoneyRow {
            name: String::new(),
            a: eur(r.money.contributed_cents),
            b: eur(r.money.allocated_cents),
            c: eur(r.money.spent_cents),
            d: String::new(),
        },
        balanced: r.money.ledger_sum_cents == 0,
        scenarios,
        horizon: format!(
            "{} {}, {} {}%",
            r.horizon_years,
            ctx.t("jaar", "years"),
            ctx.t("discontovoet", "discount rate"),
            num(r.discount_rate * 100.0, lang)
        ),
        r,
        programme_id: id.to_string(),
        can_edit,
        csrf: me.map(|m| m.csrf.clone()).unwrap_or_default(),
        error,
    };
    render(ctx, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_grouped_the_dutch_way() {
        assert_eq!(euros(123_456_789, Lang::Nl), "€ 1.234.568");
        assert_eq!(euros(-50_000, Lang::En), "−€ 500");
        assert_eq!(euros(0, Lang::Nl), "€ 0");
    }
}
