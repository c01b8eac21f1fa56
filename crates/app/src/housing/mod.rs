//! Housing (issue 6): the social-rent share per municipality from CBS figures, planned
//! construction, demolition and sales with a projection to the 30% target, regions,
//! agreements on priority groups with the support that comes with each home, and
//! placements (pseudonymised, through the gate) with the support organisation's
//! confirmation, progress and a concentration check.

use crate::access::gate::{pass, Actor, Denied, Request};
use crate::areas::monitor::{is_within, YearView};
use crate::{App, AppError};
use leefwijk_domain::access::bsn::Bsn;
use leefwijk_domain::access::covenant::{Action, Covenant, DataCategory, Purpose};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::housing::{
    concentration, progress, project, region_spread, ConcentrationFlag, HousingStock, Mutation, PriorityGroup,
    Progress, ProjectedYear, RegionSpread, Segment,
};
use leefwijk_domain::{AreaCode, AreaKind};
use leefwijk_store::{
    AgreementRecord, ContingentRecord, PlacementRecord, PlanRecord, RegionRecord, SupportRecord, User,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The coalition's target: 30% social rent in every municipality.
pub const TARGET: f64 = 0.30;
/// A placement whose support is not confirmed after this many days gets a warning.
pub const SUPPORT_CONFIRMATION_DAYS: i64 = 14;
/// Buurten at or above this pressure z-score count as highly pressured.
pub const PRESSURE_THRESHOLD: f64 = 0.5;

fn now() -> i64 {
    crate::access::identity::now_ms()
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

/// The housing stock of an area from the CBS figures of a year.
pub fn stock_of(view: &YearView, code: &AreaCode) -> Option<HousingStock> {
    let total = view.value(code, "housing_stock")?;
    let pct = |k| view.value(code, k);
    HousingStock::from_cbs_shares(
        total.max(0.0).round() as u64,
        pct("pct_owner_occupied")?,
        pct("pct_corporation")?,
        pct("pct_other_landlords").unwrap_or(0.0),
    )
    .ok()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HousingPlanView)]
pub struct PlanView {
    pub year: i64,
    pub segment: String,
    pub construction: i64,
    pub demolition: i64,
    pub sales: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MunicipalityHousing {
    pub code: String,
    pub name: String,
    /// The CBS year of the stock (homes on 1 January).
    pub year: i32,
    pub stock: Option<HousingStock>,
    pub social_share: Option<f64>,
    /// Social homes missing today to reach 30%.
    pub shortfall_now: Option<u64>,
    pub projection: Vec<ProjectedYear>,
    /// The first projected year the share reaches 30%, if any.
    pub target_year: Option<i32>,
    /// Social homes still missing at the end of the projection.
    pub shortfall_at_end: Option<u64>,
    pub plans: Vec<PlanView>,
    pub source: String,
}

fn mutations(plans: &[PlanRecord]) -> Vec<Mutation> {
    plans
        .iter()
        .filter_map(|p| {
            Some(Mutation {
                year: i32::try_from(p.year).ok()?,
                segment: Segment::parse(&p.segment)?,
                construction: u64::try_from(p.construction).ok()?,
                demolition: u64::try_from(p.demolition).ok()?,
                sales: u64::try_from(p.sales).ok()?,
            })
        })
        .collect()
}

fn until(view_year: i32, plans: &[PlanRecord]) -> i32 {
    plans.iter().map(|p| p.year as i32).max().unwrap_or(view_year).max(view_year + 10)
}

pub async fn municipality(app: &App, code: &str) -> Result<MunicipalityHousing, AppError> {
    let code = AreaCode::parse(code).map_err(|e| bad(e.to_string()))?;
    if code.kind() != AreaKind::Gemeente {
        return Err(bad("housing figures are per municipality: use a GM code"));
    }
    let view = app.monitor.view(None).await?;
    let area = view.area(&code)?;
    let plans = app.store.housing_plans(code.as_str()).await?;
    let stock = stock_of(&view, &code);
    let end = until(view.year, &plans);
    let projection = match stock {
        Some(s) => Some(project(view.year, s, &mutations(&plans), end).map_err(|e| bad(e.to_string()))?),
        None => None,
    };
    Ok(MunicipalityHousing {
        code: code.as_str().to_string(),
        name: area.name.clone(),
        year: view.year,
        social_share: stock.and_then(|s| s.social_share()),
        shortfall_now: stock.and_then(|s| s.shortfall(TARGET)),
        target_year: projection.as_ref().and_then(|p| p.year_target_reached(TARGET)),
        shortfall_at_end: projection.as_ref().and_then(|p| p.shortfall(TARGET, end)),
        projection: projection.map(|p| p.years).unwrap_or_default(),
        stock,
        plans: plans
            .iter()
            .map(|p| PlanView {
                year: p.year,
                segment: p.segment.clone(),
                construction: p.construction,
                demolition: p.demolition,
                sales: p.sales,
            })
            .collect(),
        source: format!(
            "{}; plannen: ingevoerd door gemeente en corporaties",
            view.source_line(&["housing_stock", "pct_corporation"], view.is_fictional(&code))
        ),
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = NewHousingPlan)]
pub struct NewPlan {
    pub year: i64,
    /// social_rent, mid_rent, owner_occupied or other_rent.
    pub segment: String,
    #[serde(default)]
    pub construction: i64,
    #[serde(default)]
    pub demolition: i64,
    #[serde(default)]
    pub sales: i64,
}

/// Adds planned construction, demolition or sales; refused when the projection would run
/// a segment below zero.
/// Whether a collaboration works in a municipality, and so may enter plans for it.
pub async fn works_in(app: &App, tenant_id: &str, municipality_code: &str) -> Result<bool, AppError> {
    Ok(app.store.tenant_municipalities(tenant_id).await?.iter().any(|c| c == municipality_code))
}

/// Refuses a user whose collaboration does not work in the municipality (before anything
/// else about the plan is looked at); otherwise the municipality's housing as it is.
pub async fn check_may_plan(app: &App, user: &User, municipality_code: &str) -> Result<MunicipalityHousing, AppError> {
    let current = municipality(app, municipality_code).await?;
    // A municipality's projection is public and shared: only a collaboration that works
    // there may add to it.
    if !works_in(app, &user.tenant_id, &current.code).await? {
        return Err(AppError::Forbidden(format!(
            "your collaboration ('{}') does not work in {} ({}), so it cannot enter plans there; \
             an operator adds the municipality with `leefwijk admin municipality --tenant {} {}`",
            user.tenant_id, current.name, current.code, user.tenant_id, current.code
        )));
    }
    Ok(current)
}

pub async fn add_plan(app: &App, user: &User, municipality_code: &str, plan: &NewPlan) -> Result<(), AppError> {
    let current = check_may_plan(app, user, municipality_code).await?;
    let segment = Segment::parse(&plan.segment)
        .ok_or_else(|| bad("segment: social_rent, mid_rent, owner_occupied or other_rent"))?;
    if plan.construction < 0 || plan.demolition < 0 || plan.sales < 0 {
        return Err(bad("construction, demolition and sales are numbers of homes, 0 or more"));
    }
    if plan.construction + plan.demolition + plan.sales == 0 {
        return Err(bad("enter at least one number of homes"));
    }
    if plan.year < i64::from(current.year) || plan.year > i64::from(current.year) + 30 {
        return Err(bad(format!("year: from {} to {}", current.year, current.year + 30)));
    }
    let record = PlanRecord {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: user.tenant_id.clone(),
        municipality_code: current.code.clone(),
        year: plan.year,
        segment: segment.code().to_string(),
        construction: plan.construction,
        demolition: plan.demolition,
        sales: plan.sales,
        entered_by: user.id.clone(),
        created_at: now(),
    };
    if let Some(stock) = current.stock {
        let mut all = app.store.housing_plans(&current.code).await?;
        all.push(record.clone());
        project(current.year, stock, &mutations(&all), until(current.year, &all)).map_err(|e| bad(e.to_string()))?;
    }
    app.store.add_housing_plan(&record).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub stock: Option<HousingStock>,
    pub social_share: Option<f64>,
    pub shortfall: Option<u64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionHousing {
    pub id: String,
    pub name: String,
    pub year: i32,
    pub municipalities: Vec<RegionRow>,
    pub spread: RegionSpread,
    pub below_target: Vec<String>,
    pub source: String,
}

pub async fn region(app: &App, id: &str) -> Result<RegionHousing, AppError> {
    let r = app
        .store
        .regions()
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::NotFound(format!("region {id}")))?;
    let view = app.monitor.view(None).await?;
    let mut rows = Vec::new();
    let mut stocks = Vec::new();
    for code in &r.municipality_codes {
        let Ok(c) = AreaCode::parse(code) else { continue };
        let stock = stock_of(&view, &c);
        if let Some(s) = stock {
            stocks.push((code.clone(), s));
        }
        rows.push(RegionRow {
            code: code.clone(),
            name: view.area(&c).map(|a| a.name.clone()).unwrap_or_else(|_| code.clone()),
            social_share: stock.and_then(|s| s.social_share()),
            shortfall: stock.and_then(|s| s.shortfall(TARGET)),
            stock,
        });
    }
    let spread = region_spread(&stocks);
    Ok(RegionHousing {
        id: r.id,
        name: r.name,
        year: view.year,
        municipalities: rows,
        below_target: spread.municipalities_below_target(TARGET),
        spread,
        source: view.source_line(
            &["housing_stock", "pct_corporation"],
            r.municipality_codes.iter().filter_map(|c| AreaCode::parse(c).ok()).any(|c| view.is_fictional(&c)),
        ),
    })
}

pub async fn add_region(app: &App, user: &User, name: &str, codes: &[String]) -> Result<String, AppError> {
    let view = app.monitor.view(None).await?;
    let mut clean = Vec::new();
    for c in codes {
        let code = AreaCode::parse(c).map_err(|e| bad(format!("municipality_codes: {e}")))?;
        if code.kind() != AreaKind::Gemeente || view.area(&code).is_err() {
            return Err(bad(format!("municipality_codes: {code} is not a known municipality")));
        }
        clean.push(code.as_str().to_string());
    }
    if name.trim().is_empty() || clean.is_empty() {
        return Err(bad("a region needs a name and at least one municipality"));
    }
    let id = uuid::Uuid::now_v7().to_string();
    app.store
        .add_region(
            &RegionRecord {
                id: id.clone(),
                tenant_id: user.tenant_id.clone(),
                name: name.trim().into(),
                municipality_codes: clean,
            },
            now(),
        )
        .await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgreementParty {
    pub name: String,
    /// gemeente, corporatie, huurdersorganisatie, zorg, other.
    pub role: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ContingentIn {
    pub municipality_code: String,
    pub year: i64,
    pub priority_group: String,
    pub homes: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SupportIn {
    pub priority_group: String,
    /// The support organisation's id in this collaboration.
    pub organisation: String,
    pub what: String,
    pub months: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAgreement {
    /// woonzorgvisie (regional) or prestatieafspraken (local).
    pub kind: String,
    pub title: String,
    pub region_id: Option<String>,
    pub start_year: i64,
    pub end_year: i64,
    pub parties: Vec<AgreementParty>,
    pub contingents: Vec<ContingentIn>,
    #[serde(default)]
    pub support: Vec<SupportIn>,
}

pub async fn create_agreement(app: &App, user: &User, a: &NewAgreement) -> Result<String, AppError> {
    if !matches!(a.kind.as_str(), "woonzorgvisie" | "prestatieafspraken") {
        return Err(bad("kind: woonzorgvisie or prestatieafspraken"));
    }
    if a.title.trim().is_empty() || a.title.len() > 300 {
        return Err(bad("title: 1 to 300 characters"));
    }
    if a.end_year < a.start_year || a.end_year - a.start_year > 20 {
        return Err(bad("start_year/end_year: a period of at most 20 years"));
    }
    if a.parties.is_empty() {
        return Err(bad("parties: name the parties (municipality, corporation, tenants' organisation)"));
    }
    let view = app.monitor.view(None).await?;
    let mut contingents = Vec::new();
    for c in &a.contingents {
        let code = AreaCode::parse(&c.municipality_code).map_err(|e| bad(format!("contingents: {e}")))?;
        if code.kind() != AreaKind::Gemeente || view.area(&code).is_err() {
            return Err(bad(format!("contingents: {code} is not a known municipality")));
        }
        let group = PriorityGroup::parse(&c.priority_group)
            .ok_or_else(|| bad(format!("contingents: unknown priority group '{}'", c.priority_group)))?;
        if !(a.start_year..=a.end_year).contains(&c.year) || c.homes < 0 {
            return Err(bad("contingents: a year within the agreement and 0 or more homes"));
        }
        contingents.push(ContingentRecord {
            municipality_code: code.as_str().into(),
            year: c.year,
            priority_group: group.code().into(),
            homes: c.homes,
        });
    }
    let orgs = app.store.organisations(&user.tenant_id).await?;
    let mut support = Vec::new();
    for s in &a.support {
        let group = PriorityGroup::parse(&s.priority_group)
            .ok_or_else(|| bad(format!("support: unknown priority group '{}'", s.priority_group)))?;
        if !orgs.iter().any(|o| o.id == s.organisation) {
            return Err(bad(format!("support: '{}' is not an organisation of this collaboration", s.organisation)));
        }
        support.push(SupportRecord {
            priority_group: group.code().into(),
            organisation: s.organisation.clone(),
            what: s.what.trim().into(),
            months: s.months.max(0),
        });
    }
    let id = uuid::Uuid::now_v7().to_string();
    let record = AgreementRecord {
        id: id.clone(),
        tenant_id: user.tenant_id.clone(),
        kind: a.kind.clone(),
        title: a.title.trim().into(),
        region_id: a.region_id.clone(),
        start_year: a.start_year,
        end_year: a.end_year,
        parties: serde_json::to_string(&a.parties).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now(),
    };
    app.store.add_agreement(&record, &contingents, &support).await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgressLine {
    pub priority_group: PriorityGroup,
    pub municipality_code: String,
    pub year: i64,
    pub progress: Progress,
    /// Placements of this line whose support is not (yet) confirmed.
    pub unconfirmed_support: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupportLine {
    pub priority_group: PriorityGroup,
    /// The organisation's id.
    pub organisation: String,
    /// The organisation's name, as people see it.
    pub organisation_name: String,
    pub what: String,
    pub months: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementProgress {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub period: String,
    pub parties: Vec<AgreementParty>,
    pub lines: Vec<ProgressLine>,
    pub per_group: Vec<(PriorityGroup, Progress)>,
    pub support: Vec<SupportLine>,
    /// Placements without confirmed support for more than the confirmation term.
    pub overdue_support: u32,
    /// Buurten under high pressure that received more than their fair share.
    pub concentration: Vec<ConcentrationFlag>,
}

pub async fn agreement_progress(app: &App, id: &str) -> Result<AgreementProgress, AppError> {
    let a = app
        .store
        .agreements(None)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| AppError::NotFound(format!("agreement {id}")))?;
    let (contingents, support) = app.store.agreement_terms(id).await?;
    let organisations = app.store.organisations(&a.tenant_id).await?;
    let placements = app.store.placement_counts(id).await?;
    let today = app.signals.today();
    let mut realised: BTreeMap<(String, String, i64), (u32, u32)> = BTreeMap::new();
    let mut overdue = 0;
    for (group, municipality, _, placed_on, confirmed) in &placements {
        let year = placed_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let e = realised.entry((group.clone(), municipality.clone(), year)).or_default();
        e.0 += 1;
        if !confirmed {
            e.1 += 1;
            let placed = Date::parse(placed_on).map(|d| d.days_since_epoch()).unwrap_or(i64::MAX);
            if today.days_since_epoch() - placed > SUPPORT_CONFIRMATION_DAYS {
                overdue += 1;
            }
        }
    }
    let mut lines = Vec::new();
    let mut per_group: BTreeMap<PriorityGroup, (u32, u32)> = BTreeMap::new();
    for c in &contingents {
        let Some(group) = PriorityGroup::parse(&c.priority_group) else { continue };
        let (done, unconfirmed) =
            realised.get(&(c.priority_group.clone(), c.municipality_code.clone(), c.year)).copied().unwrap_or_default();
        let agreed = u32::try_from(c.homes).unwrap_or(0);
        let g = per_group.entry(group).or_default();
        g.0 += agreed;
        g.1 += done;
        lines.push(ProgressLine {
            priority_group: group,
            municipality_code: c.municipality_code.clone(),
            year: c.year,
            progress: progress(agreed, done),
            unconfirmed_support: unconfirmed,
        });
    }
    // Concentration per municipality: every buurt of the municipality counts.
    let view = app.monitor.view(None).await?;
    let mut flags = Vec::new();
    let mut municipalities: Vec<&String> = contingents.iter().map(|c| &c.municipality_code).collect();
    municipalities.sort();
    municipalities.dedup();
    for m in municipalities {
        let Ok(gm) = AreaCode::parse(m) else { continue };
        let rows: Vec<(String, u32, Option<f64>)> = view
            .areas
            .keys()
            .filter(|c| c.kind() == AreaKind::Buurt && is_within(c, &gm))
            .map(|b| {
                let n = placements.iter().filter(|p| p.2 == b.as_str()).count() as u32;
                (b.as_str().to_string(), n, view.value(b, "pressure_index"))
            })
            .collect();
        flags.extend(concentration(&rows, PRESSURE_THRESHOLD));
    }
    Ok(AgreementProgress {
        id: a.id,
        kind: a.kind,
        title: a.title,
        period: format!("{}–{}", a.start_year, a.end_year),
        parties: serde_json::from_str(&a.parties).unwrap_or_default(),
        lines,
        per_group: per_group.into_iter().map(|(g, (agreed, done))| (g, progress(agreed, done))).collect(),
        support: support
            .into_iter()
            .filter_map(|s| {
                let organisation_name = organisations
                    .iter()
                    .find(|o| o.id == s.organisation)
                    .map(|o| o.name.clone())
                    .unwrap_or_else(|| s.organisation.clone());
                Some(SupportLine {
                    priority_group: PriorityGroup::parse(&s.priority_group)?,
                    organisation_name,
                    organisation: s.organisation,
                    what: s.what,
                    months: s.months,
                })
            })
            .collect(),
        overdue_support: overdue,
        concentration: flags,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewPlacement {
    pub agreement_id: String,
    pub priority_group: String,
    pub buurt_code: String,
    /// YYYY-MM-DD, not in the future.
    pub placed_on: String,
    /// BSN of the main tenant: pseudonymised on entry, never stored.
    pub bsn: String,
    /// The support organisation's id.
    pub support_org: String,
    pub support_description: String,
    /// The household consented to sharing for this placement (the covenant requires it).
    pub consent: bool,
}

/// Registers a placement by a corporation: the household only as a pseudonym; the gate
/// checks the covenant (housing placement needs consent) and audits.
pub async fn register_placement(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    p: &NewPlacement,
) -> Result<Result<String, Denied>, AppError> {
    let tenant = actor.tenant_id().to_string();
    let agreement = app
        .store
        .agreements(Some(&tenant))
        .await?
        .into_iter()
        .find(|a| a.id == p.agreement_id)
        // Another collaboration's agreement is not found, like any record of theirs.
        .ok_or_else(|| AppError::NotFound(format!("agreement {}", p.agreement_id)))?;
    let group = PriorityGroup::parse(&p.priority_group).ok_or_else(|| bad("priority_group: unknown group"))?;
    let buurt = AreaCode::parse(&p.buurt_code).map_err(|e| bad(format!("buurt_code: {e}")))?;
    if buurt.kind() != AreaKind::Buurt || app.monitor.view(None).await?.area(&buurt).is_err() {
        return Err(bad("buurt_code: not a known buurt"));
    }
    let municipality = buurt.municipality().ok_or_else(|| bad("buurt_code: no municipality"))?;
    let placed = Date::parse(&p.placed_on).map_err(|_| bad("placed_on: a date such as 2026-11-23"))?;
    if placed > app.signals.today() {
        return Err(bad("placed_on: the date is in the future"));
    }
    let (contingents, _) = app.store.agreement_terms(&agreement.id).await?;
    if !contingents.iter().any(|c| c.priority_group == group.code() && c.municipality_code == municipality.as_str()) {
        return Err(bad(format!(
            "priority_group: the agreement has no contingent for {} in {municipality}",
            group.label_nl()
        )));
    }
    let orgs = app.store.organisations(&tenant).await?;
    if !orgs.iter().any(|o| o.id == p.support_org) {
        return Err(bad("support_org: not an organisation of this collaboration"));
    }
    if p.support_description.trim().is_empty() {
        return Err(bad("support_description: say what support comes with the home"));
    }
    let bsn = Bsn::parse(&p.bsn).map_err(|e| bad(format!("bsn: {e}")))?;
    let key =
        app.keys.pseudonym_key(&tenant, Purpose::HousingPlacement).map_err(|e| AppError::Internal(e.to_string()))?;
    let household = key.person(&bsn);
    let request = Request {
        purpose: Purpose::HousingPlacement,
        category: DataCategory::Housing,
        action: Action::Write,
        subject: &household,
        consent: p.consent,
    };
    let (mut tx, handle) = match pass(&app.store, &app.keys, covenant, actor, &request).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let id = uuid::Uuid::now_v7().to_string();
    tx.add_placement(
        &handle,
        &PlacementRecord {
            id: id.clone(),
            tenant_id: tenant,
            agreement_id: agreement.id,
            priority_group: group.code().into(),
            municipality_code: municipality.as_str().into(),
            buurt_code: buurt.as_str().into(),
            placed_on: placed.to_string(),
            household_pseudonym: household,
            corporation_org: actor.organisation_id().into(),
            support_org: p.support_org.clone(),
            support_description: p.support_description.trim().chars().take(500).collect(),
            support_confirmed_on: None,
            support_confirmed_by: None,
            created_by: actor.id().into(),
            created_at: now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// The support organisation confirms that support comes with the home.
pub async fn confirm_support(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    placement_id: &str,
) -> Result<Result<(), Denied>, AppError> {
    let tenant = actor.tenant_id().to_string();
    let household = app
        .store
        .placement_household(&tenant, placement_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("placement {placement_id}")))?;
    // The placement exists only with the household's consent (checked when registered).
    let request = Request {
        purpose: Purpose::HousingPlacement,
        category: DataCategory::Housing,
        action: Action::Write,
        subject: &household,
        consent: true,
    };
    let (mut tx, handle) = match pass(&app.store, &app.keys, covenant, actor, &request).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let today = app.signals.today().to_string();
    let done = tx
        .confirm_support(&handle, (&tenant, &household, placement_id), (actor.organisation_id(), actor.id()), &today)
        .await?;
    tx.commit().await?;
    if done {
        Ok(Ok(()))
    } else {
        Err(AppError::Conflict(
            "only the support organisation named on the placement can confirm it, and only once".into(),
        ))
    }
}

/// A placement as the parties handling it see it: no BSN, the pseudonym shortened.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlacementView {
    pub id: String,
    pub priority_group: PriorityGroup,
    pub buurt_code: String,
    pub placed_on: String,
    pub household: String,
    pub support_org: String,
    pub support_description: String,
    pub support_confirmed_on: Option<String>,
    pub overdue: bool,
}

pub async fn placements(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    agreement_id: &str,
) -> Result<Result<Vec<PlacementView>, Denied>, AppError> {
    let tenant = actor.tenant_id().to_string();
    let subject = format!("agreement:{agreement_id}");
    let request = Request {
        purpose: Purpose::HousingPlacement,
        category: DataCategory::Housing,
        action: Action::Read,
        subject: &subject,
        consent: true,
    };
    let (mut tx, handle) = match pass(&app.store, &app.keys, covenant, actor, &request).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let rows = tx.placements(&handle, &tenant, agreement_id).await?;
    tx.commit().await?;
    let today = app.signals.today().days_since_epoch();
    Ok(Ok(rows
        .into_iter()
        .filter_map(|p| {
            let placed = Date::parse(&p.placed_on).ok()?.days_since_epoch();
            Some(PlacementView {
                overdue: p.support_confirmed_on.is_none() && today - placed > SUPPORT_CONFIRMATION_DAYS,
                id: p.id,
                priority_group: PriorityGroup::parse(&p.priority_group)?,
                buurt_code: p.buurt_code,
                placed_on: p.placed_on,
                household: p.household_pseudonym.chars().take(10).collect(),
                support_org: p.support_org,
                support_description: p.support_description,
                support_confirmed_on: p.support_confirmed_on,
            })
        })
        .collect()))
}
