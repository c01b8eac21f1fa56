//! Area programmes (issue 7): a multi-year programme per area with parties, goals tied to
//! monitor indicators or own measures, reciprocal commitments, interventions, a pooled
//! budget kept as a double-entry ledger, a social business case and a results report.
//! Programmes hold no personal data; writes are limited to the owning collaboration.

pub mod report;

use crate::{App, AppError};
use leefwijk_domain::programme::business_case::{self, BusinessCase, Effect, InterventionCase, Scenario};
use leefwijk_domain::programme::ledger::{
    allocation, contribution, correction, spending, Ledger, Posting, Transaction,
};
use leefwijk_domain::programme::{CommitmentStatus, ContributionKind, FundingStream, GoalDirection, PartyRole};
use leefwijk_domain::AreaCode;
use leefwijk_store::{CommitmentRecord, GoalRecord, InterventionRecord, LedgerRow, PartyRecord, ProgrammeRecord, User};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn now() -> i64 {
    crate::access::identity::now_ms()
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

fn text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(bad(format!("{field}: required")));
    }
    if v.chars().count() > max {
        return Err(bad(format!("{field}: at most {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(bad(format!("{field}: contains control characters")));
    }
    Ok(v.to_string())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PartyIn {
    pub name: String,
    /// gemeente, zorgverzekeraar, zorg, welzijn, politie, justitie, onderwijs, corporatie, bewoners, other.
    pub role: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewProgramme {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Wijk or buurt codes the programme works in.
    pub area_codes: Vec<String>,
    pub start_year: i64,
    pub end_year: i64,
    /// The leading party (the municipality).
    pub lead: String,
    pub parties: Vec<PartyIn>,
    /// Years the business case looks ahead (default 5).
    pub horizon_years: Option<i64>,
    /// Discount rate of the business case (default 0.0225, the Dutch standard for MKBA).
    pub discount_rate: Option<f64>,
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
}

/// Programmes are changed only by policy staff and administrators of their own
/// collaboration.
fn owned(p: &ProgrammeRecord, user: &User) -> Result<(), AppError> {
    if p.tenant_id == user.tenant_id {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("programme {}", p.id)))
    }
}

/// The programme, when it belongs to the user's collaboration (otherwise not found): the
/// first check of every change, before the request body is even read.
pub async fn owned_programme(app: &App, user: &User, id: &str) -> Result<ProgrammeRecord, AppError> {
    let p = programme(app, id).await?;
    owned(&p, user)?;
    Ok(p)
}

pub async fn programme(app: &App, id: &str) -> Result<ProgrammeRecord, AppError> {
    app.store.programme(id).await?.ok_or_else(|| AppError::NotFound(format!("programme {id}")))
}

pub async fn create(app: &App, user: &User, input: &NewProgramme) -> Result<ProgrammeRecord, AppError> {
    let name = text("name", &input.name, 200)?;
    let lead = text("lead", &input.lead, 200)?;
    if input.area_codes.is_empty() {
        return Err(bad("area_codes: name at least one wijk or buurt"));
    }
    let view = app.monitor.view(None).await?;
    let mut areas = Vec::new();
    for raw in &input.area_codes {
        let code = AreaCode::parse(raw).map_err(|e| bad(format!("area_codes: {e}")))?;
        view.area(&code).map_err(|_| bad(format!("area_codes: {code} is not in the area register")))?;
        areas.push(code.as_str().to_string());
    }
    if !(2000..=2100).contains(&input.start_year)
        || input.end_year < input.start_year
        || input.end_year > input.start_year + 30
    {
        return Err(bad("start_year/end_year: a period of at most 30 years, start not after end"));
    }
    let mut parties = Vec::new();
    for p in &input.parties {
        let role = PartyRole::parse(&p.role).ok_or_else(|| bad(format!("parties: unknown role '{}'", p.role)))?;
        let name = text("parties.name", &p.name, 200)?;
        if parties.iter().any(|x: &PartyRecord| x.name == name) {
            return Err(bad(format!("parties: '{name}' appears twice")));
        }
        parties.push(PartyRecord { name, role: role.code().to_string() });
    }
    if !parties.iter().any(|p| p.name == lead) {
        return Err(bad("lead: the leading party must be one of the parties"));
    }
    let horizon = input.horizon_years.unwrap_or(5);
    if !(1..=50).contains(&horizon) {
        return Err(bad("horizon_years: 1 to 50"));
    }
    let rate = input.discount_rate.unwrap_or(0.0225);
    for s in &input.scenarios {
        if s.name.trim().is_empty()
            || !(s.reach_factor.is_finite() && s.reach_factor >= 0.0)
            || !(s.effect_factor.is_finite() && s.effect_factor >= 0.0)
        {
            return Err(bad(format!("scenarios: '{}' needs a name and factors of 0 or more", s.name)));
        }
    }
    business_case::evaluate(&BusinessCase::default(), horizon as u32, rate).map_err(|e| bad(e.to_string()))?;
    let record = ProgrammeRecord {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: user.tenant_id.clone(),
        name,
        description: input.description.trim().chars().take(4000).collect(),
        area_codes: areas,
        start_year: input.start_year,
        end_year: input.end_year,
        lead,
        horizon_years: horizon,
        discount_rate: rate,
        scenarios: serde_json::to_string(&input.scenarios).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now(),
    };
    app.store.create_programme(&record, &parties).await?;
    Ok(record)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewGoal {
    pub title: String,
    /// A monitor indicator key (see /api/v1/indicators); absent for an own measure.
    pub indicator: Option<String>,
    /// The area the indicator is read for (default: the programme's first area).
    pub area_code: Option<String>,
    pub baseline: f64,
    pub baseline_year: i64,
    pub target: f64,
    pub target_year: i64,
    pub direction: GoalDirection,
    /// The latest value of an own measure.
    pub own_value: Option<f64>,
}

pub async fn add_goal(app: &App, user: &User, programme_id: &str, g: &NewGoal) -> Result<GoalRecord, AppError> {
    let p = programme(app, programme_id).await?;
    owned(&p, user)?;
    let title = text("title", &g.title, 300)?;
    let indicator = match &g.indicator {
        Some(key) if !key.trim().is_empty() => {
            Some(crate::areas::monitor::known_indicator(key.trim())?.key.to_string())
        }
        _ => None,
    };
    let area = match (&g.area_code, &indicator) {
        (Some(a), _) => {
            let code = AreaCode::parse(a).map_err(|e| bad(format!("area_code: {e}")))?;
            if !p.area_codes.iter().any(|x| x == code.as_str()) {
                return Err(bad("area_code: must be one of the programme's areas"));
            }
            Some(code.as_str().to_string())
        }
        (None, Some(_)) => p.area_codes.first().cloned(),
        (None, None) => None,
    };
    if leefwijk_domain::programme::goal_progress(g.baseline, g.target, g.baseline, g.direction).is_none() {
        return Err(bad("target: must differ from the baseline in the goal's direction"));
    }
    if g.target_year < g.baseline_year {
        return Err(bad("target_year: not before the baseline year"));
    }
    if indicator.is_none() && g.own_value.is_some_and(|v| !v.is_finite()) {
        return Err(bad("own_value: a number"));
    }
    let record = GoalRecord {
        id: uuid::Uuid::now_v7().to_string(),
        programme_id: p.id.clone(),
        title,
        indicator: indicator.clone(),
        area_code: area,
        baseline: g.baseline,
        baseline_year: g.baseline_year,
        target: g.target,
        target_year: g.target_year,
        direction: match g.direction {
            GoalDirection::Increase => "increase".into(),
            GoalDirection::Decrease => "decrease".into(),
        },
        own_value: if indicator.is_none() { g.own_value.map(|v| v.to_string()) } else { None },
        created_at: now(),
    };
    app.store.add_goal(&record).await?;
    Ok(record)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewCommitment {
    /// A party of the programme.
    pub party: String,
    /// money, staff_hours, homes, space or data.
    pub kind: String,
    pub description: String,
    /// What it amounts to, e.g. "€ 250.000 per jaar" or "0,8 fte".
    pub amount: String,
    /// What the party receives in return.
    pub in_return: String,
}

pub async fn add_commitment(
    app: &App,
    user: &User,
    programme_id: &str,
    c: &NewCommitment,
) -> Result<CommitmentRecord, AppError> {
    let p = programme(app, programme_id).await?;
    owned(&p, user)?;
    let parties = app.store.programme_parties(&p.id).await?;
    if !parties.iter().any(|x| x.name == c.party.trim()) {
        return Err(bad(format!("party: '{}' is not a party of this programme", c.party.trim())));
    }
    let kind = ContributionKind::parse(&c.kind).ok_or_else(|| bad("kind: money, staff_hours, homes, space or data"))?;
    let record = CommitmentRecord {
        id: uuid::Uuid::now_v7().to_string(),
        programme_id: p.id.clone(),
        party: c.party.trim().to_string(),
        kind: kind.code().to_string(),
        description: text("description", &c.description, 1000)?,
        amount: text("amount", &c.amount, 200)?,
        in_return: text("in_return", &c.in_return, 1000)?,
        status: CommitmentStatus::Proposed.code().to_string(),
        updated_at: now(),
    };
    app.store.add_commitment(&record, &user.id).await?;
    Ok(record)
}

pub async fn move_commitment(
    app: &App,
    user: &User,
    programme_id: &str,
    id: &str,
    status: &str,
) -> Result<(), AppError> {
    let p = programme(app, programme_id).await?;
    owned(&p, user)?;
    let next =
        CommitmentStatus::parse(status).ok_or_else(|| bad("status: proposed, agreed, delivered, late or withdrawn"))?;
    let current = app
        .store
        .commitments(&p.id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| AppError::NotFound(format!("commitment {id}")))?;
    let from = CommitmentStatus::parse(&current.status).ok_or_else(|| AppError::Internal("stored status".into()))?;
    if !from.can_move_to(next) {
        return Err(bad(format!(
            "status: een afspraak die '{}' is kan niet '{}' worden / a commitment that is {} cannot become {}",
            from.label_nl(),
            next.label_nl(),
            from.code(),
            next.code()
        )));
    }
    if !app.store.move_commitment(id, from.code(), next.code(), &user.id, now()).await? {
        return Err(AppError::Conflict(
            "De afspraak is intussen gewijzigd; laad opnieuw. / The commitment was changed meanwhile: reload and try again."
                .into(),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewIntervention {
    pub name: String,
    /// social or physical.
    pub kind: String,
    pub owner: String,
    pub reach_households: f64,
    #[serde(default)]
    pub reach_people: i64,
    pub goal_id: Option<String>,
    #[serde(default)]
    pub outcome_measures: String,
    /// Yearly cost per paying funder, in cents.
    #[serde(default)]
    pub costs_per_year_cents: BTreeMap<String, i64>,
    #[serde(default)]
    pub effects: Vec<Effect>,
}

pub async fn add_intervention(
    app: &App,
    user: &User,
    programme_id: &str,
    i: &NewIntervention,
) -> Result<InterventionRecord, AppError> {
    let p = programme(app, programme_id).await?;
    owned(&p, user)?;
    let name = text("name", &i.name, 200)?;
    if !matches!(i.kind.as_str(), "social" | "physical") {
        return Err(bad("kind: social or physical"));
    }
    if app.store.interventions(&p.id).await?.iter().any(|x| x.name == name) {
        return Err(bad(format!("name: the programme already has an intervention '{name}'")));
    }
    if let Some(goal) = &i.goal_id {
        if !app.store.goals(&p.id).await?.iter().any(|g| &g.id == goal) {
            return Err(bad("goal_id: not a goal of this programme"));
        }
    }
    if i.reach_people < 0 {
        return Err(bad("reach_people: 0 or more"));
    }
    let case = InterventionCase {
        name: name.clone(),
        reach_households: i.reach_households,
        costs_per_year_cents: i.costs_per_year_cents.clone(),
        effects: i.effects.clone(),
    };
    business_case::validate(&BusinessCase { interventions: vec![case] }).map_err(|e| bad(e.to_string()))?;
    let record = InterventionRecord {
        id: uuid::Uuid::now_v7().to_string(),
        programme_id: p.id.clone(),
        name,
        kind: i.kind.clone(),
        owner: text("owner", &i.owner, 200)?,
        reach_households: i.reach_households,
        reach_people: i.reach_people,
        goal_id: i.goal_id.clone(),
        outcome_measures: i.outcome_measures.trim().chars().take(2000).collect(),
        costs_per_year: serde_json::to_string(&i.costs_per_year_cents)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        effects: serde_json::to_string(&i.effects).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now(),
    };
    app.store.add_intervention(&record).await?;
    Ok(record)
}

/// A booking as entered: one of the four movements.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Booking {
    Contribution {
        funder: String,
        stream: FundingStream,
        amount_cents: i64,
        date: String,
        memo: String,
    },
    Allocation {
        stream: FundingStream,
        intervention: String,
        amount_cents: i64,
        date: String,
        memo: String,
    },
    Spending {
        intervention: String,
        stream: FundingStream,
        amount_cents: i64,
        date: String,
        memo: String,
    },
    /// Reverses an earlier transaction (bookings are never edited).
    Correction {
        of: String,
        date: String,
        memo: String,
    },
}

/// The programme's ledger as stored, replayed through the domain rules.
pub async fn ledger(app: &App, programme_id: &str) -> Result<(Ledger, i64), AppError> {
    let rows = app.store.ledger(programme_id).await?;
    let last = rows.last().map(|r| r.seq).unwrap_or(0);
    let txs = rows.into_iter().map(|r| {
        let postings: Vec<Posting> = serde_json::from_str(&r.postings).unwrap_or_default();
        Transaction { id: r.id, date: r.booked_on, memo: r.memo, corrects: r.corrects, postings }
    });
    let ledger = Ledger::from_transactions(txs)
        .map_err(|e| AppError::Internal(format!("stored ledger of {programme_id} does not replay: {e}")))?;
    Ok((ledger, last))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Booked {
    pub transaction: Transaction,
}

pub async fn book(app: &App, user: &User, programme_id: &str, booking: &Booking) -> Result<Booked, AppError> {
    let p = programme(app, programme_id).await?;
    owned(&p, user)?;
    let (mut ledger, last) = ledger(app, &p.id).await?;
    let interventions = app.store.interventions(&p.id).await?;
    let known = |name: &str| -> Result<(), AppError> {
        if interventions.iter().any(|i| i.name == name) {
            Ok(())
        } else {
            Err(bad(format!("intervention: '{name}' is not an intervention of this programme")))
        }
    };
    let id = format!("T{:05}", last + 1);
    let tx = match booking {
        Booking::Contribution { funder, stream, amount_cents, date, memo } => {
            let parties = app.store.programme_parties(&p.id).await?;
            if !parties.iter().any(|x| &x.name == funder) {
                return Err(bad(format!("funder: '{funder}' is not a party of this programme")));
            }
            contribution(funder.clone(), *stream, *amount_cents).with_id(id).dated(date.clone()).with_memo(memo.clone())
        }
        Booking::Allocation { stream, intervention, amount_cents, date, memo } => {
            known(intervention)?;
            allocation(*stream, intervention.clone(), *amount_cents)
                .with_id(id)
                .dated(date.clone())
                .with_memo(memo.clone())
        }
        Booking::Spending { intervention, stream, amount_cents, date, memo } => {
            known(intervention)?;
            spending(intervention.clone(), *stream, *amount_cents)
                .with_id(id)
                .dated(date.clone())
                .with_memo(memo.clone())
        }
        Booking::Correction { of, date, memo } => {
            let original = ledger
                .transactions()
                .iter()
                .find(|t| &t.id == of)
                .ok_or_else(|| bad(format!("of: no transaction '{of}' in this ledger")))?;
            correction(original).with_id(id).dated(date.clone()).with_memo(memo.clone())
        }
    };
    if tx.memo.trim().is_empty() {
        return Err(bad("memo: say what the booking is for"));
    }
    ledger.apply(tx.clone()).map_err(|e| bad(e.to_string()))?;
    let row = LedgerRow {
        seq: last + 1,
        id: tx.id.clone(),
        booked_on: tx.date.clone(),
        memo: tx.memo.clone(),
        corrects: tx.corrects.clone(),
        postings: serde_json::to_string(&tx.postings).map_err(|e| AppError::Internal(e.to_string()))?,
        actor_id: user.id.clone(),
        created_at: now(),
    };
    if let Err(e) = app.store.append_ledger(&p.id, last, &row).await {
        return Err(match e {
            leefwijk_store::StoreError::Database(_) => {
                AppError::Conflict("another booking was made meanwhile: reload the ledger and book again".into())
            }
            other => other.into(),
        });
    }
    Ok(Booked { transaction: tx })
}
