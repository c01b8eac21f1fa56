//! The social business case (maatschappelijke kosten-batenanalyse, MKBA) of an area
//! programme, in the style of the Dutch MKBA tool for neighbourhood teams: per intervention
//! the reach, the yearly costs per funder and the assumed effects, each with a unit value
//! for the funder that gains from it. The question it answers is "who pays, who benefits".
//!
//! Formulas (all documented here because a business case is only as credible as its
//! arithmetic is checkable):
//!
//! - Costs and benefits fall at the **end** of each year t = 1..=N and are discounted by
//!   (1 + r)^t, so the annuity factor is A = Σ_{t=1..N} (1 + r)^-t. With r = 0, A = N.
//! - Effects are assumed at steady state from the first year (no ramp-up), as in the tool.
//! - Yearly benefit of an effect = reach (households) × reach_factor × rate per household
//!   per year × effect_factor × unit value; it goes to the effect's beneficiary funder.
//! - PV costs of a funder = Σ over interventions of its yearly cost × A. Scenarios do not
//!   scale costs: the budget is fixed, and a scenario asks what happens if the same money
//!   reaches fewer households or works less well.
//! - PV benefits of a funder = Σ over its effects of the yearly benefit × A.
//! - Net = PV benefits − PV costs. Benefit/cost ratio = total PV benefits / total PV costs.
//!
//! Arithmetic is in f64; each reported figure is rounded to whole cents (half away from
//! zero) per funder, and the totals are sums of those rounded figures so that the per-funder
//! rows add up exactly to the total row. Per-intervention rows are rounded on their own and
//! may differ from the total by a cent.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Effect {
    /// E.g. "voorkomen huisuitzetting".
    pub name: String,
    /// Occurrences per household reached per year, e.g. 0.05 avoided evictions.
    pub per_household_rate: f64,
    /// Value of one occurrence to the beneficiary, in cents.
    pub unit_value_cents: i64,
    /// The funder that saves or gains, by name (matching the ledger's funders).
    pub beneficiary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterventionCase {
    pub name: String,
    /// Households reached per year.
    pub reach_households: f64,
    /// Yearly cost per paying funder, in cents.
    pub costs_per_year_cents: BTreeMap<String, i64>,
    pub effects: Vec<Effect>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BusinessCase {
    pub interventions: Vec<InterventionCase>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scenario {
    pub name: String,
    /// Multiplies the households reached (1.0 = as assumed).
    pub reach_factor: f64,
    /// Multiplies every effect rate (1.0 = as assumed).
    pub effect_factor: f64,
}

impl Scenario {
    pub fn base() -> Self {
        Scenario { name: "Basis".to_string(), reach_factor: 1.0, effect_factor: 1.0 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FunderResult {
    pub funder: String,
    pub costs_pv_cents: i64,
    pub benefits_pv_cents: i64,
    pub net_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterventionResult {
    pub intervention: String,
    pub costs_pv_cents: i64,
    pub benefits_pv_cents: i64,
    pub net_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BusinessCaseResult {
    pub years: u32,
    pub discount_rate: f64,
    /// Σ_{t=1..N} (1 + r)^-t, shown so a reader can redo the sums.
    pub annuity_factor: f64,
    /// Sorted by funder name.
    pub per_funder: Vec<FunderResult>,
    /// In the order of the case.
    pub per_intervention: Vec<InterventionResult>,
    pub total_costs_pv_cents: i64,
    pub total_benefits_pv_cents: i64,
    pub net_cents: i64,
    /// None when there are no costs.
    pub benefit_cost_ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScenarioResult {
    pub scenario: Scenario,
    pub result: BusinessCaseResult,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BusinessCaseError {
    #[error("the business case needs at least 1 year")]
    NoYears,
    #[error("discount rate {0} is not usable: give a number above -1, such as 0.04 for 4%")]
    DiscountRate(f64),
    #[error("every intervention, effect and funder needs a name")]
    EmptyName,
    #[error("intervention '{intervention}': reach must be 0 or more households, not {reach}")]
    Reach { intervention: String, reach: f64 },
    #[error("intervention '{intervention}': the yearly cost for '{funder}' is negative; record savings as effects")]
    NegativeCost { intervention: String, funder: String },
    #[error("intervention '{intervention}', effect '{effect}': the rate per household must be 0 or more, not {rate}")]
    EffectRate { intervention: String, effect: String, rate: f64 },
    #[error(
        "intervention '{intervention}', effect '{effect}': the unit value is negative; record extra costs as costs"
    )]
    NegativeValue { intervention: String, effect: String },
    #[error("scenario '{0}': reach and effect factors must be numbers of 0 or more")]
    ScenarioFactor(String),
    #[error("the amounts are too large to report in cents")]
    TooLarge,
}

impl BusinessCaseError {
    /// Stable code for problem+json and logs.
    pub fn code(&self) -> &'static str {
        match self {
            BusinessCaseError::NoYears => "business_case.no_years",
            BusinessCaseError::DiscountRate(_) => "business_case.discount_rate",
            BusinessCaseError::EmptyName => "business_case.empty_name",
            BusinessCaseError::Reach { .. } => "business_case.reach",
            BusinessCaseError::NegativeCost { .. } => "business_case.negative_cost",
            BusinessCaseError::EffectRate { .. } => "business_case.effect_rate",
            BusinessCaseError::NegativeValue { .. } => "business_case.negative_value",
            BusinessCaseError::ScenarioFactor(_) => "business_case.scenario_factor",
            BusinessCaseError::TooLarge => "business_case.too_large",
        }
    }
}

/// Σ_{t=1..years} (1 + r)^-t: year-end discounting.
pub fn annuity_factor(years: u32, discount_rate: f64) -> f64 {
    let step = 1.0 / (1.0 + discount_rate);
    let mut factor = 1.0;
    let mut sum = 0.0;
    for _ in 0..years {
        factor *= step;
        sum += factor;
    }
    sum
}

/// Checks the case itself, independent of the horizon and scenario.
pub fn validate(case: &BusinessCase) -> Result<(), BusinessCaseError> {
    for i in &case.interventions {
        if i.name.trim().is_empty() {
            return Err(BusinessCaseError::EmptyName);
        }
        if !(i.reach_households.is_finite() && i.reach_households >= 0.0) {
            return Err(BusinessCaseError::Reach { intervention: i.name.clone(), reach: i.reach_households });
        }
        for (funder, &cents) in &i.costs_per_year_cents {
            if funder.trim().is_empty() {
                return Err(BusinessCaseError::EmptyName);
            }
            if cents < 0 {
                return Err(BusinessCaseError::NegativeCost { intervention: i.name.clone(), funder: funder.clone() });
            }
        }
        for e in &i.effects {
            if e.name.trim().is_empty() || e.beneficiary.trim().is_empty() {
                return Err(BusinessCaseError::EmptyName);
            }
            if !(e.per_household_rate.is_finite() && e.per_household_rate >= 0.0) {
                return Err(BusinessCaseError::EffectRate {
                    intervention: i.name.clone(),
                    effect: e.name.clone(),
                    rate: e.per_household_rate,
                });
            }
            if e.unit_value_cents < 0 {
                return Err(BusinessCaseError::NegativeValue { intervention: i.name.clone(), effect: e.name.clone() });
            }
        }
    }
    Ok(())
}

fn check_horizon(years: u32, discount_rate: f64) -> Result<(), BusinessCaseError> {
    if years == 0 {
        return Err(BusinessCaseError::NoYears);
    }
    if !(discount_rate.is_finite() && discount_rate > -1.0) {
        return Err(BusinessCaseError::DiscountRate(discount_rate));
    }
    Ok(())
}

/// Rounds to whole cents, refusing values an i64 cannot hold (the cast would saturate and
/// report a wrong figure without a word).
fn to_cents(value: f64) -> Result<i64, BusinessCaseError> {
    let rounded = value.round();
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if !rounded.is_finite() || rounded.abs() >= 9_223_372_036_854_775_808.0 {
        return Err(BusinessCaseError::TooLarge);
    }
    Ok(rounded as i64)
}

fn sum_cents(values: impl IntoIterator<Item = i64>) -> Result<i64, BusinessCaseError> {
    values.into_iter().try_fold(0i64, |acc, v| acc.checked_add(v).ok_or(BusinessCaseError::TooLarge))
}

fn net(costs: i64, benefits: i64) -> Result<i64, BusinessCaseError> {
    benefits.checked_sub(costs).ok_or(BusinessCaseError::TooLarge)
}

/// The business case over `years` at `discount_rate` (0.04 = 4%), as assumed.
pub fn evaluate(case: &BusinessCase, years: u32, discount_rate: f64) -> Result<BusinessCaseResult, BusinessCaseError> {
    evaluate_scenario(case, &Scenario::base(), years, discount_rate)
}

/// The business case under a scenario's reach and effect factors.
pub fn evaluate_scenario(
    case: &BusinessCase,
    scenario: &Scenario,
    years: u32,
    discount_rate: f64,
) -> Result<BusinessCaseResult, BusinessCaseError> {
    validate(case)?;
    check_horizon(years, discount_rate)?;
    let factor_ok = |f: f64| f.is_finite() && f >= 0.0;
    if !(factor_ok(scenario.reach_factor) && factor_ok(scenario.effect_factor)) {
        return Err(BusinessCaseError::ScenarioFactor(scenario.name.clone()));
    }
    let a = annuity_factor(years, discount_rate);

    // Yearly (undiscounted) amounts in f64 cents, per funder and per intervention.
    let mut funder_costs: BTreeMap<&str, f64> = BTreeMap::new();
    let mut funder_benefits: BTreeMap<&str, f64> = BTreeMap::new();
    let mut per_intervention = Vec::with_capacity(case.interventions.len());
    for i in &case.interventions {
        let mut costs = 0.0;
        for (funder, &cents) in &i.costs_per_year_cents {
            *funder_costs.entry(funder).or_insert(0.0) += cents as f64;
            funder_benefits.entry(funder).or_insert(0.0);
            costs += cents as f64;
        }
        let households = i.reach_households * scenario.reach_factor;
        let mut benefits = 0.0;
        for e in &i.effects {
            let yearly = households * e.per_household_rate * scenario.effect_factor * e.unit_value_cents as f64;
            *funder_benefits.entry(&e.beneficiary).or_insert(0.0) += yearly;
            funder_costs.entry(&e.beneficiary).or_insert(0.0);
            benefits += yearly;
        }
        let (costs_pv_cents, benefits_pv_cents) = (to_cents(costs * a)?, to_cents(benefits * a)?);
        per_intervention.push(InterventionResult {
            intervention: i.name.clone(),
            costs_pv_cents,
            benefits_pv_cents,
            net_cents: net(costs_pv_cents, benefits_pv_cents)?,
        });
    }

    let mut per_funder = Vec::with_capacity(funder_costs.len());
    for (funder, costs) in &funder_costs {
        let benefits = funder_benefits.get(funder).copied().unwrap_or(0.0);
        let (costs_pv_cents, benefits_pv_cents) = (to_cents(costs * a)?, to_cents(benefits * a)?);
        per_funder.push(FunderResult {
            funder: funder.to_string(),
            costs_pv_cents,
            benefits_pv_cents,
            net_cents: net(costs_pv_cents, benefits_pv_cents)?,
        });
    }
    let total_costs_pv_cents = sum_cents(per_funder.iter().map(|f| f.costs_pv_cents))?;
    let total_benefits_pv_cents = sum_cents(per_funder.iter().map(|f| f.benefits_pv_cents))?;
    Ok(BusinessCaseResult {
        years,
        discount_rate,
        annuity_factor: a,
        per_funder,
        per_intervention,
        total_costs_pv_cents,
        total_benefits_pv_cents,
        net_cents: net(total_costs_pv_cents, total_benefits_pv_cents)?,
        benefit_cost_ratio: (total_costs_pv_cents > 0)
            .then(|| total_benefits_pv_cents as f64 / total_costs_pv_cents as f64),
    })
}

/// Scenarios side by side, in the given order, on the same horizon and discount rate.
pub fn compare(
    case: &BusinessCase,
    scenarios: &[Scenario],
    years: u32,
    discount_rate: f64,
) -> Result<Vec<ScenarioResult>, BusinessCaseError> {
    scenarios
        .iter()
        .map(|s| Ok(ScenarioResult { scenario: s.clone(), result: evaluate_scenario(case, s, years, discount_rate)? }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reach 100 households; the gemeente pays 50,000.00 EUR a year; 0.02 avoided evictions
    /// per household per year, each worth 20,000.00 EUR to the corporation.
    fn eviction_case() -> BusinessCase {
        BusinessCase {
            interventions: vec![InterventionCase {
                name: "Buurtteam".into(),
                reach_households: 100.0,
                costs_per_year_cents: BTreeMap::from([("Gemeente".to_string(), 5_000_000)]),
                effects: vec![Effect {
                    name: "Voorkomen huisuitzetting".into(),
                    per_household_rate: 0.02,
                    unit_value_cents: 2_000_000,
                    beneficiary: "Woonstad".into(),
                }],
            }],
        }
    }

    #[test]
    fn hand_computed_three_years_at_four_percent() {
        // Discount factors at year end: 1/1.04 = 0.961538462, 1/1.0816 = 0.924556213,
        // 1/1.124864 = 0.888996359; A = 48775/17576 = 2.775091033.
        // Costs: 50,000.00 EUR × A = 138,754.55166 EUR → 13,875,455 cents (gemeente).
        // Benefits: 100 × 0.02 = 2 evictions a year × 20,000.00 EUR = 40,000.00 EUR a year;
        // × A = 111,003.64133 EUR → 11,100,364 cents (corporation).
        // Net: −13,875,455 (gemeente), +11,100,364 (corporation), total −2,775,091.
        let r = evaluate(&eviction_case(), 3, 0.04).expect("valid case");
        assert!((r.annuity_factor - 48775.0 / 17576.0).abs() < 1e-12);
        assert_eq!(
            r.per_funder,
            vec![
                FunderResult {
                    funder: "Gemeente".into(),
                    costs_pv_cents: 13_875_455,
                    benefits_pv_cents: 0,
                    net_cents: -13_875_455
                },
                FunderResult {
                    funder: "Woonstad".into(),
                    costs_pv_cents: 0,
                    benefits_pv_cents: 11_100_364,
                    net_cents: 11_100_364
                },
            ]
        );
        assert_eq!(r.total_costs_pv_cents, 13_875_455);
        assert_eq!(r.total_benefits_pv_cents, 11_100_364);
        assert_eq!(r.net_cents, -2_775_091);
        assert_eq!(r.per_intervention[0].net_cents, -2_775_091);
        // 11,100,364 / 13,875,455 = 0.79999998...: 0.8 up to the cent rounding.
        let bcr = r.benefit_cost_ratio.expect("has costs");
        assert!((bcr - 0.8).abs() < 1e-6, "{bcr}");
    }

    #[test]
    fn zero_discount_is_plain_sum() {
        let r = evaluate(&eviction_case(), 5, 0.0).expect("valid");
        assert_eq!(r.annuity_factor, 5.0);
        assert_eq!(r.total_costs_pv_cents, 25_000_000);
        assert_eq!(r.total_benefits_pv_cents, 20_000_000);
    }

    #[test]
    fn scenarios_side_by_side() {
        let scenarios = [
            Scenario::base(),
            Scenario { name: "Halve bereik".into(), reach_factor: 0.5, effect_factor: 1.0 },
            Scenario { name: "Dubbel effect".into(), reach_factor: 1.0, effect_factor: 2.0 },
        ];
        let rows = compare(&eviction_case(), &scenarios, 1, 0.0).expect("valid");
        let benefits: Vec<i64> = rows.iter().map(|s| s.result.total_benefits_pv_cents).collect();
        assert_eq!(benefits, vec![4_000_000, 2_000_000, 8_000_000]);
        assert!(rows.iter().all(|s| s.result.total_costs_pv_cents == 5_000_000), "costs are fixed");
        assert_eq!(rows[2].scenario.name, "Dubbel effect");
        assert_eq!(rows[2].result.net_cents, 3_000_000);
    }

    #[test]
    fn funder_rows_add_up_to_totals() {
        let mut case = eviction_case();
        case.interventions.push(InterventionCase {
            name: "Huiskamer".into(),
            reach_households: 37.0,
            costs_per_year_cents: BTreeMap::from([("Gemeente".into(), 1_234_567), ("Zilveren Kruis".into(), 765_433)]),
            effects: vec![Effect {
                name: "Voorkomen zorggebruik".into(),
                per_household_rate: 0.13,
                unit_value_cents: 333_333,
                beneficiary: "Zilveren Kruis".into(),
            }],
        });
        let r = evaluate(&case, 7, 0.03).expect("valid");
        assert_eq!(r.per_funder.len(), 3);
        assert_eq!(r.total_costs_pv_cents, r.per_funder.iter().map(|f| f.costs_pv_cents).sum::<i64>());
        assert_eq!(r.net_cents, r.per_funder.iter().map(|f| f.net_cents).sum::<i64>());
    }

    #[test]
    fn invalid_inputs_are_named() {
        let code = |r: Result<BusinessCaseResult, BusinessCaseError>| r.map(|_| ()).map_err(|e| e.code());
        assert_eq!(code(evaluate(&eviction_case(), 0, 0.04)), Err("business_case.no_years"));
        assert_eq!(code(evaluate(&eviction_case(), 3, -1.0)), Err("business_case.discount_rate"));
        assert_eq!(code(evaluate(&eviction_case(), 3, f64::NAN)), Err("business_case.discount_rate"));
        let mut c = eviction_case();
        c.interventions[0].reach_households = -1.0;
        let err = evaluate(&c, 3, 0.04).expect_err("negative reach");
        assert_eq!(err.to_string(), "intervention 'Buurtteam': reach must be 0 or more households, not -1");
        let mut c = eviction_case();
        c.interventions[0].effects[0].unit_value_cents = -5;
        assert_eq!(code(evaluate(&c, 3, 0.04)), Err("business_case.negative_value"));
        let mut c = eviction_case();
        c.interventions[0].effects[0].per_household_rate = f64::INFINITY;
        assert_eq!(code(evaluate(&c, 3, 0.04)), Err("business_case.effect_rate"));
        let mut c = eviction_case();
        c.interventions[0].costs_per_year_cents.insert("Gemeente".into(), -1);
        assert_eq!(code(evaluate(&c, 3, 0.04)), Err("business_case.negative_cost"));
        let bad = Scenario { name: "x".into(), reach_factor: -0.5, effect_factor: 1.0 };
        assert_eq!(code(evaluate_scenario(&eviction_case(), &bad, 3, 0.04)), Err("business_case.scenario_factor"));
        let mut c = eviction_case();
        c.interventions[0].costs_per_year_cents.insert("Gemeente".into(), i64::MAX);
        assert_eq!(code(evaluate(&c, 3, 0.04)), Err("business_case.too_large"));
    }

    #[test]
    fn no_costs_means_no_ratio() {
        let mut c = eviction_case();
        c.interventions[0].costs_per_year_cents.clear();
        assert_eq!(evaluate(&c, 3, 0.04).expect("valid").benefit_cost_ratio, None);
    }
}
