//! The public neighbourhood page: what a resident sees of their buurt (or wijk) without
//! signing in. Everything on it is either public CBS figures or counts under disclosure
//! control; no personal data is read, so no covenant check is needed.

use crate::areas::monitor::{is_within, AreaDetail};
use crate::programme::report::{report, GoalLine};
use crate::{App, AppError};
use leefwijk_domain::signals::intake::Postcode;
use leefwijk_domain::signals::kpi::OutreachFigures;
use leefwijk_domain::AreaCode;
use serde::Serialize;
use utoipa::ToSchema;

/// How many months the outreach figures on the page cover.
pub const OUTREACH_MONTHS: u32 = 12;

/// An area programme that covers (part of) the neighbourhood, with its results so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = NeighbourhoodProgramme)]
pub struct ProgrammeSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub period: String,
    pub lead: String,
    pub goals: Vec<GoalLine>,
    /// Delivered commitments out of those not withdrawn.
    pub commitments_kept: (usize, usize),
    pub interventions: usize,
    /// Results of residents' panels linked to the programme, when there are any.
    pub residents_evaluation: Option<String>,
    /// The same in English.
    pub residents_evaluation_en: Option<String>,
}

/// Everything the public page of one area shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Neighbourhood {
    /// CBS figures of the area (public, with CBS's own secrecy marks).
    pub detail: AreaDetail,
    /// Early-signalling outreach in the area over the last [`OUTREACH_MONTHS`] months,
    /// disclosure-controlled (small counts hidden, counts rounded).
    pub outreach: OutreachFigures,
    pub programmes: Vec<ProgrammeSummary>,
    /// Public-space reports in the area in recent weeks, disclosure-controlled.
    pub reports: super::reports::AreaReportSummary,
    /// Budgeting rounds and initiatives of the area.
    pub participation: super::participation::AreaSummary,
    /// Open surveys for the area.
    pub surveys: Vec<super::panels::SurveySummary>,
}

/// The public view of one area (buurt, wijk or gemeente).
pub async fn neighbourhood(app: &App, code: &str) -> Result<Neighbourhood, AppError> {
    let area = AreaCode::parse(code).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let detail = app.monitor.area(&area, None).await?;
    let outreach = crate::signals::figures::area_figures(app, &area, OUTREACH_MONTHS).await?;
    let programmes = covering_programmes(app, &area).await?;
    let reports = super::reports::area_summary(app, area.as_str()).await?;
    let participation = super::participation::area_summary(app, area.as_str()).await?;
    let surveys = super::panels::area_summary(app, area.as_str()).await?;
    Ok(Neighbourhood { detail, outreach, programmes, reports, participation, surveys })
}

/// Programmes of any collaboration whose areas contain this area or lie inside it.
async fn covering_programmes(app: &App, area: &AreaCode) -> Result<Vec<ProgrammeSummary>, AppError> {
    let mut out = Vec::new();
    for p in app.store.programmes(None).await? {
        let covers = p
            .area_codes
            .iter()
            .filter_map(|c| AreaCode::parse(c).ok())
            .any(|c| is_within(area, &c) || is_within(&c, area));
        if !covers {
            continue;
        }
        let r = report(app, &p.id).await?;
        out.push(ProgrammeSummary {
            id: r.id,
            name: r.name,
            description: r.description,
            period: r.period,
            lead: r.lead,
            goals: r.goals,
            commitments_kept: r.commitments_kept,
            interventions: r.interventions.len(),
            residents_evaluation: r.residents_evaluation,
            residents_evaluation_en: r.residents_evaluation_en,
        });
    }
    Ok(out)
}

/// Why a postcode search found no neighbourhood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeSearch {
    #[error("{0}")]
    Invalid(String),
    #[error("postcode {0} is not in Leefwijk's postcode table; choose the neighbourhood from the municipality's list")]
    Unknown(String),
}

/// The buurt of a postcode (from the postcode table the signals capability maintains).
pub async fn buurt_of_postcode(app: &App, raw: &str) -> Result<Result<String, PostcodeSearch>, AppError> {
    let postcode = match Postcode::parse(raw) {
        Ok(p) => p,
        Err(e) => return Ok(Err(PostcodeSearch::Invalid(e))),
    };
    let key = postcode.as_str().to_string();
    let found = app.store.buurten_for_postcodes(std::slice::from_ref(&key)).await?;
    Ok(found.into_iter().next().map(|(_, buurt)| buurt).ok_or(PostcodeSearch::Unknown(key)))
}
