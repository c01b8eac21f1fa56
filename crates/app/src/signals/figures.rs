//! Outreach figures per area for the monitor and the KPI page: signals per 1,000
//! households per month, share reached, share that accepted help, and median working days
//! to first contact. Shown outside the owning team only with disclosure control.

use crate::areas::monitor::is_within;
use crate::{App, AppError};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::disclosure::DisclosureControl;
use leefwijk_domain::signals::kpi::{figures, CaseFacts, OutreachFigures};
use leefwijk_domain::signals::period::Period;
use leefwijk_domain::signals::Outcome;
use leefwijk_domain::AreaCode;
use leefwijk_store::CaseFactRow;

/// The period the figures cover: the last `months` months up to today.
fn period(today: Date, months: u32) -> (String, String) {
    let from = today.add_days(-(i64::from(months) * 365 / 12));
    (from.to_string(), today.to_string())
}

fn to_facts(rows: &[&CaseFactRow]) -> Vec<CaseFacts> {
    rows.iter()
        .filter_map(|r| {
            Some(CaseFacts {
                opened_on: Date::parse(&r.opened_on).ok()?,
                first_contact_on: r.first_contact_on.as_deref().and_then(|d| Date::parse(d).ok()),
                reached: r.reached,
                outcome: r.outcome.as_deref().and_then(Outcome::parse),
                signals: u64::try_from(r.signal_count).unwrap_or_default(),
            })
        })
        .collect()
}

/// Figures of one area over all collaborations, disclosure-controlled: for the public
/// monitor.
pub async fn area_figures(app: &App, area: &AreaCode, months: u32) -> Result<OutreachFigures, AppError> {
    let (from, to) = period(app.signals.today(), months);
    let rows = app.store.case_facts(None, &from, &to).await?;
    let inside: Vec<&CaseFactRow> =
        rows.iter().filter(|r| AreaCode::parse(&r.buurt_code).is_ok_and(|b| is_within(&b, area))).collect();
    let households = app.monitor.view(None).await.ok().and_then(|v| v.value(area, "households"));
    Ok(figures(&to_facts(&inside), months, households, app.signals.deadlines.holidays, app.signals.disclosure))
}

/// One row of the KPI page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AreaKpi {
    pub area_code: String,
    pub area_name: String,
    /// True when these are the viewer's own team's cases, shown without disclosure control.
    pub own_team: bool,
    pub figures: OutreachFigures,
}

/// KPIs per wijk of a collaboration: the viewer's own team's cases exactly, everything
/// else with disclosure control.
pub async fn kpis(app: &App, tenant: &str, own_team: Option<&str>, months: u32) -> Result<Vec<AreaKpi>, AppError> {
    let (from, to) = period(app.signals.today(), months);
    kpis_between(app, tenant, own_team, &from, &to, months).await
}

/// [`kpis`] of the cases opened in a reporting period (a month, as a DDAS delivery covers).
pub async fn kpis_in(
    app: &App,
    tenant: &str,
    own_team: Option<&str>,
    reporting: &Period,
) -> Result<Vec<AreaKpi>, AppError> {
    let (from, to) = (reporting.from.to_string(), reporting.to.to_string());
    kpis_between(app, tenant, own_team, &from, &to, reporting.months()).await
}

async fn kpis_between(
    app: &App,
    tenant: &str,
    own_team: Option<&str>,
    from: &str,
    to: &str,
    months: u32,
) -> Result<Vec<AreaKpi>, AppError> {
    let rows = app.store.case_facts(Some(tenant), from, to).await?;
    let view = app.monitor.view(None).await.ok();
    let mut wijken: Vec<AreaCode> =
        rows.iter().filter_map(|r| AreaCode::parse(&r.buurt_code).ok().and_then(|b| b.parent())).collect();
    wijken.sort();
    wijken.dedup();
    let mut out = Vec::new();
    for wijk in wijken {
        let inside: Vec<&CaseFactRow> =
            rows.iter().filter(|r| AreaCode::parse(&r.buurt_code).is_ok_and(|b| is_within(&b, &wijk))).collect();
        let own: Vec<&CaseFactRow> =
            inside.iter().copied().filter(|r| own_team.is_some() && r.team_id.as_deref() == own_team).collect();
        let households = view.as_ref().and_then(|v| v.value(&wijk, "households"));
        let name = view
            .as_ref()
            .and_then(|v| v.area(&wijk).ok().map(|a| a.name.clone()))
            .unwrap_or_else(|| wijk.as_str().to_string());
        let is_own = !own.is_empty() && own.len() == inside.len();
        let control = if is_own { DisclosureControl::NONE } else { app.signals.disclosure };
        out.push(AreaKpi {
            area_code: wijk.as_str().to_string(),
            area_name: name,
            own_team: is_own,
            figures: figures(&to_facts(&inside), months, households, app.signals.deadlines.holidays, control),
        });
    }
    Ok(out)
}
