//! The results report of a programme ("verantwoording op hoofdlijnen"): goals against the
//! movement of their indicators, commitments kept, money per stream, funder and
//! intervention, the social business case with its scenarios, and residents' evaluation
//! once panels exist.

use super::{ledger, programme};
use crate::{App, AppError};
use leefwijk_domain::programme::business_case::{
    compare, BusinessCase, Effect, InterventionCase, Scenario, ScenarioResult,
};
use leefwijk_domain::programme::ledger::{FunderSummary, InterventionSummary, StreamSummary, Transaction};
use leefwijk_domain::programme::{goal_progress, CommitmentStatus, FundingStream, GoalDirection};
use leefwijk_domain::AreaCode;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GoalLine {
    pub id: String,
    pub title: String,
    pub indicator: Option<String>,
    pub area_code: Option<String>,
    pub baseline: f64,
    pub baseline_year: i64,
    pub target: f64,
    pub target_year: i64,
    pub direction: GoalDirection,
    pub current: Option<f64>,
    pub current_year: Option<i32>,
    /// Share of the way from baseline to target (raw: below 0 is backwards).
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommitmentLine {
    pub id: String,
    pub party: String,
    pub kind: String,
    pub description: String,
    pub amount: String,
    pub in_return: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InterventionLine {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub owner: String,
    pub reach_households: f64,
    pub reach_people: i64,
    pub goal: Option<String>,
    pub outcome_measures: String,
    pub money: InterventionSummary,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Money {
    pub per_stream: BTreeMap<FundingStream, StreamSummary>,
    pub per_funder: BTreeMap<String, FunderSummary>,
    pub contributed_cents: i64,
    pub allocated_cents: i64,
    pub spent_cents: i64,
    /// The sum over every account: always 0 in a double-entry ledger.
    pub ledger_sum_cents: i64,
    pub transactions: Vec<Transaction>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: String,
    pub name: String,
    pub description: String,
    pub area_codes: Vec<String>,
    pub area_names: Vec<String>,
    pub period: String,
    pub lead: String,
    pub parties: Vec<(String, String)>,
    pub goals: Vec<GoalLine>,
    pub commitments: Vec<CommitmentLine>,
    /// Delivered commitments out of those not withdrawn.
    pub commitments_kept: (usize, usize),
    pub interventions: Vec<InterventionLine>,
    pub money: Money,
    pub horizon_years: i64,
    pub discount_rate: f64,
    pub business_case: Vec<ScenarioResult>,
    /// Residents' evaluation: results of linked panels, once the residents capability has them.
    pub residents_evaluation: Option<String>,
    /// The same evaluation in English, for the English pages.
    pub residents_evaluation_en: Option<String>,
    /// Source note for the indicator figures.
    pub source: String,
}

pub async fn report(app: &App, programme_id: &str) -> Result<Report, AppError> {
    let p = programme(app, programme_id).await?;
    let parties = app.store.programme_parties(&p.id).await?;
    let goals = app.store.goals(&p.id).await?;
    let commitments = app.store.commitments(&p.id).await?;
    let interventions = app.store.interventions(&p.id).await?;
    let (ledger, _) = ledger(app, &p.id).await?;
    let view = app.monitor.view(None).await.ok();

    let goal_lines = goals
        .iter()
        .map(|g| {
            let direction = if g.direction == "decrease" { GoalDirection::Decrease } else { GoalDirection::Increase };
            let (current, year) = match (&g.indicator, &g.area_code, &view) {
                (Some(key), Some(area), Some(v)) => {
                    (AreaCode::parse(area).ok().and_then(|c| v.value(&c, key)), Some(v.year))
                }
                (None, _, _) => (g.own_value.as_deref().and_then(|s| s.parse().ok()), None),
                _ => (None, None),
            };
            GoalLine {
                id: g.id.clone(),
                title: g.title.clone(),
                indicator: g.indicator.clone(),
                area_code: g.area_code.clone(),
                baseline: g.baseline,
                baseline_year: g.baseline_year,
                target: g.target,
                target_year: g.target_year,
                direction,
                current,
                current_year: year,
                progress: current.and_then(|c| goal_progress(g.baseline, g.target, c, direction)),
            }
        })
        .collect();
    let kept = commitments.iter().filter(|c| c.status == CommitmentStatus::Delivered.code()).count();
    let counted = commitments.iter().filter(|c| c.status != CommitmentStatus::Withdrawn.code()).count();
    let per_intervention = ledger.per_intervention();
    let intervention_lines = interventions
        .iter()
        .map(|i| InterventionLine {
            id: i.id.clone(),
            name: i.name.clone(),
            kind: i.kind.clone(),
            owner: i.owner.clone(),
            reach_households: i.reach_households,
            reach_people: i.reach_people,
            goal: i.goal_id.as_ref().and_then(|id| goals.iter().find(|g| &g.id == id).map(|g| g.title.clone())),
            outcome_measures: i.outcome_measures.clone(),
            money: per_intervention.get(&i.name).copied().unwrap_or_default(),
        })
        .collect();
    let per_stream = ledger.per_stream();
    let money = Money {
        contributed_cents: per_stream.values().map(|s| s.contributed_cents).sum(),
        allocated_cents: per_intervention.values().map(|s| s.allocated_cents).sum(),
        spent_cents: per_stream.values().map(|s| s.spent_cents).sum(),
        ledger_sum_cents: i64::try_from(ledger.sum_of_balances()).unwrap_or(i64::MAX),
        per_funder: ledger.balance_per_funder(),
        per_stream,
        transactions: ledger.transactions().to_vec(),
    };
    let case = BusinessCase {
        interventions: interventions
            .iter()
            .map(|i| InterventionCase {
                name: i.name.clone(),
                reach_households: i.reach_households,
                costs_per_year_cents: serde_json::from_str(&i.costs_per_year).unwrap_or_default(),
                effects: serde_json::from_str::<Vec<Effect>>(&i.effects).unwrap_or_default(),
            })
            .collect(),
    };
    let mut scenarios = vec![Scenario::base()];
    scenarios.extend(serde_json::from_str::<Vec<Scenario>>(&p.scenarios).unwrap_or_default());
    let business_case = compare(&case, &scenarios, p.horizon_years as u32, p.discount_rate)
        .map_err(|e| AppError::Internal(format!("business case: {e}")))?;
    let area_names = p
        .area_codes
        .iter()
        .map(|c| {
            view.as_ref()
                .and_then(|v| AreaCode::parse(c).ok().and_then(|code| v.area(&code).ok().map(|a| a.name.clone())))
                .unwrap_or_else(|| c.clone())
        })
        .collect();
    let evaluation = crate::residents::panels::programme_evaluation(app, &p.id).await?;
    Ok(Report {
        id: p.id.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        area_codes: p.area_codes.clone(),
        area_names,
        period: format!("{}–{}", p.start_year, p.end_year),
        lead: p.lead.clone(),
        parties: parties.into_iter().map(|x| (x.name, x.role)).collect(),
        goals: goal_lines,
        commitments: commitments
            .into_iter()
            .map(|c| CommitmentLine {
                id: c.id,
                party: c.party,
                kind: c.kind,
                description: c.description,
                amount: c.amount,
                in_return: c.in_return,
                status: c.status,
            })
            .collect(),
        commitments_kept: (kept, counted),
        interventions: intervention_lines,
        money,
        horizon_years: p.horizon_years,
        discount_rate: p.discount_rate,
        business_case,
        // From the panels' surveys linked to this programme (disclosure-controlled).
        residents_evaluation: evaluation.as_ref().map(|(nl, _)| nl.clone()),
        residents_evaluation_en: evaluation.map(|(_, en)| en),
        source: match &view {
            Some(v) => {
                let keys: Vec<&str> = goals.iter().filter_map(|g| g.indicator.as_deref()).collect();
                let fictional = p.area_codes.iter().filter_map(|c| AreaCode::parse(c).ok()).any(|c| v.is_fictional(&c));
                v.source_line(&keys, fictional)
            }
            None => String::new(),
        },
    })
}

/// The report as CSV rows: section, item, measure, value.
pub fn report_csv(r: &Report) -> Vec<[String; 4]> {
    let mut rows = vec![["section".into(), "item".into(), "measure".into(), "value".into()]];
    let mut push = |a: &str, b: &str, c: &str, d: String| rows.push([a.into(), b.into(), c.into(), d]);
    for g in &r.goals {
        push("goal", &g.title, "baseline", g.baseline.to_string());
        push("goal", &g.title, "target", g.target.to_string());
        push("goal", &g.title, "current", g.current.map(|v| v.to_string()).unwrap_or_default());
        push("goal", &g.title, "progress", g.progress.map(|v| format!("{v:.3}")).unwrap_or_default());
    }
    for c in &r.commitments {
        push("commitment", &format!("{}: {}", c.party, c.description), "status", c.status.clone());
    }
    for (stream, s) in &r.money.per_stream {
        let name = stream.code();
        push("stream", name, "contributed_cents", s.contributed_cents.to_string());
        push("stream", name, "unallocated_cents", s.unallocated_cents.to_string());
        push("stream", name, "allocated_unspent_cents", s.allocated_unspent_cents.to_string());
        push("stream", name, "spent_cents", s.spent_cents.to_string());
    }
    for (funder, f) in &r.money.per_funder {
        push("funder", funder, "contributed_cents", f.contributed_cents.to_string());
    }
    for i in &r.interventions {
        push("intervention", &i.name, "allocated_cents", i.money.allocated_cents.to_string());
        push("intervention", &i.name, "spent_cents", i.money.spent_cents.to_string());
        push("intervention", &i.name, "reach_households", i.reach_households.to_string());
    }
    for s in &r.business_case {
        for f in &s.result.per_funder {
            push(
                "business_case",
                &format!("{} / {}", s.scenario.name, f.funder),
                "costs_pv_cents",
                f.costs_pv_cents.to_string(),
            );
            push(
                "business_case",
                &format!("{} / {}", s.scenario.name, f.funder),
                "benefits_pv_cents",
                f.benefits_pv_cents.to_string(),
            );
            push("business_case", &format!("{} / {}", s.scenario.name, f.funder), "net_cents", f.net_cents.to_string());
        }
        push("business_case", &s.scenario.name, "net_cents", s.result.net_cents.to_string());
    }
    rows
}
