//! Housing (issue 6): the housing stock of a municipality, its projection towards the 30%
//! social-rent target, the spread of the social share across a region, priority groups
//! (aandachtsgroepen) of housing agreements, progress against contingents, and the check
//! that placements are not piled into the most pressured buurten. Pure functions, no I/O.

use crate::figures::social_gap;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Housing stock of one municipality in homes. `corporation` is the social-rent stock;
/// mid-rent is counted in `other_rent`. The parts may sum to less than `total` (CBS has
/// homes of unknown ownership) but never to more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HousingStock {
    pub total: u64,
    pub corporation: u64,
    pub other_rent: u64,
    pub owner_occupied: u64,
}

/// Why CBS percentages cannot be turned into a stock.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SharesError {
    #[error("percentage {part} is {value}: expected a number from 0 to 100")]
    OutOfRange { part: &'static str, value: f64 },
    #[error("percentages sum to {sum}: expected 100 ± 1")]
    SumOff { sum: f64 },
}

impl HousingStock {
    /// Share of social rent in the stock, 0–1; None for an empty stock, which has no share.
    pub fn social_share(&self) -> Option<f64> {
        (self.total > 0).then(|| self.corporation as f64 / self.total as f64)
    }

    /// Builds a stock from the CBS municipality figures: a number of homes and the
    /// percentages owner-occupied, corporation and other rent. CBS rounds each percentage on
    /// its own, so they rarely sum to exactly 100; they are rescaled to their sum and the
    /// homes are apportioned by largest remainder so the parts always add up to `total`.
    /// Ties in the remainder go to owner-occupied, then corporation, then other rent.
    pub fn from_cbs_shares(
        total: u64,
        pct_owner: f64,
        pct_corporation: f64,
        pct_other_rent: f64,
    ) -> Result<HousingStock, SharesError> {
        let pcts = [("owner_occupied", pct_owner), ("corporation", pct_corporation), ("other_rent", pct_other_rent)];
        for (part, value) in pcts {
            if !(0.0..=100.0).contains(&value) {
                return Err(SharesError::OutOfRange { part, value });
            }
        }
        let sum: f64 = pcts.iter().map(|(_, v)| v).sum();
        if !(99.0..=101.0).contains(&sum) {
            return Err(SharesError::SumOff { sum });
        }
        let quotas = pcts.map(|(_, v)| total as f64 * v / sum);
        let mut parts = quotas.map(|q| q.floor() as u64);
        let remainders = [0, 1, 2].map(|i| quotas[i] - parts[i] as f64);
        // Stable sort keeps the documented tie order.
        let mut order = [0usize, 1, 2];
        order.sort_by(|&a, &b| remainders[b].total_cmp(&remainders[a]));
        let mut floored: u64 = parts.iter().sum();
        // Float noise can lift a floor past an integer; take such homes back from the parts
        // with the smallest remainder (each part is off by at most one).
        for &i in order.iter().rev() {
            if floored > total && parts[i] > 0 {
                parts[i] -= 1;
                floored -= 1;
            }
        }
        // Mathematically at most two homes are left; cycling is only a float guard.
        for k in 0..total.saturating_sub(floored) as usize {
            parts[order[k % 3]] += 1;
        }
        Ok(HousingStock { total, owner_occupied: parts[0], corporation: parts[1], other_rent: parts[2] })
    }

    /// Social-rent homes missing to reach `target` (0–1) when only new social homes are
    /// added. New homes also grow the stock, so x must satisfy (social + x) / (total + x) ≥
    /// target, which gives x = ceil((target·total − social) / (1 − target)); 0 once the
    /// target is reached or for an empty stock. None when the target is not in 0..=1 or
    /// cannot be reached by adding homes (a target of 1 with any non-social home).
    pub fn shortfall(&self, target: f64) -> Option<u64> {
        if !(0.0..=1.0).contains(&target) {
            return None;
        }
        match self.social_share() {
            None => Some(0),
            Some(share) if share >= target => Some(0),
            _ if target >= 1.0 => None,
            // Not reached, so at least one home is missing whatever the float rounding says;
            // the same rule as the monitor's social_gap_30.
            _ => Some((social_gap(self.total as f64, self.corporation as f64, target) as u64).max(1)),
        }
    }
}

/// Market segment of planned construction, demolition and sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    SocialRent,
    MidRent,
    OwnerOccupied,
    OtherRent,
}

/// Code (as in JSON), Dutch and English label, in declaration order so that the
/// discriminant indexes it; one table keeps the three from drifting apart.
const SEGMENT_TEXT: [(&str, &str, &str); 4] = [
    ("social_rent", "Sociale huur", "Social rent"),
    ("mid_rent", "Middenhuur", "Mid-rent"),
    ("owner_occupied", "Koop", "Owner-occupied"),
    ("other_rent", "Overige huur", "Other rent"),
];

impl Segment {
    pub const ALL: [Segment; 4] = [Segment::SocialRent, Segment::MidRent, Segment::OwnerOccupied, Segment::OtherRent];

    pub fn code(self) -> &'static str {
        SEGMENT_TEXT[self as usize].0
    }

    pub fn parse(s: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|g| g.code() == s.trim())
    }

    pub fn label_nl(self) -> &'static str {
        SEGMENT_TEXT[self as usize].1
    }

    pub fn label_en(self) -> &'static str {
        SEGMENT_TEXT[self as usize].2
    }

    /// Index of the part of `HousingStock` the segment lives in: 0 corporation, 1 other rent
    /// (mid-rent included), 2 owner-occupied.
    fn part(self) -> usize {
        match self {
            Segment::SocialRent => 0,
            Segment::MidRent | Segment::OtherRent => 1,
            Segment::OwnerOccupied => 2,
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Planned or realised change in one segment in one year, entered by the municipality or a
/// corporation. Sales move homes out of a rented segment into owner-occupied (the total is
/// unchanged); a sale of an owner-occupied home stays owner-occupied and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mutation {
    pub year: i32,
    pub segment: Segment,
    pub construction: u64,
    pub demolition: u64,
    pub sales: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error("projection ends in {until_year}, before it starts in {start_year}")]
    EndBeforeStart { start_year: i32, until_year: i32 },
    #[error("the parts of the stock ({parts} homes) exceed its total ({total} homes)")]
    PartsExceedTotal { parts: u64, total: u64 },
    #[error("a mutation for {year} lies outside the projection {start_year}–{until_year}")]
    YearOutOfRange { year: i32, start_year: i32, until_year: i32 },
    #[error("in {year} the {segment} stock would become negative: {removed} homes demolished or sold, {available} available")]
    NegativeStock { year: i32, segment: Segment, available: u64, removed: u64 },
    #[error("in {year} the stock grows beyond what can be counted")]
    Overflow { year: i32 },
}

/// The stock at the end of one year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProjectedYear {
    pub year: i32,
    pub stock: HousingStock,
    pub social_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Projection {
    pub start_year: i32,
    /// The stock at the start of `start_year` (CBS counts the stock on 1 January).
    pub start: HousingStock,
    /// One entry per year from `start_year` to the last year, in order.
    pub years: Vec<ProjectedYear>,
}

impl Projection {
    pub fn year(&self, year: i32) -> Option<&ProjectedYear> {
        self.years.iter().find(|y| y.year == year)
    }

    /// First year whose end-of-year social share is at least `target`.
    pub fn year_target_reached(&self, target: f64) -> Option<i32> {
        self.years.iter().find(|y| y.social_share.is_some_and(|s| s >= target)).map(|y| y.year)
    }

    /// Social-rent homes missing at the end of `year` (see `HousingStock::shortfall` for the
    /// formula); None when the year is not projected or the target is unreachable.
    pub fn shortfall(&self, target: f64, year: i32) -> Option<u64> {
        self.year(year)?.stock.shortfall(target)
    }
}

/// Projects `stock`, counted at the start of `start_year`, through `until_year` applying the
/// mutations of each year. Within a year the mutations are summed per part of the stock
/// before checking that no part goes negative: a year is the resolution of the plans, so
/// construction and demolition in the same year may offset each other whatever the order
/// they were entered in. Mid-rent errors are reported as `other_rent`, the part it lives in.
pub fn project(
    start_year: i32,
    stock: HousingStock,
    mutations: &[Mutation],
    until_year: i32,
) -> Result<Projection, ProjectionError> {
    if until_year < start_year {
        return Err(ProjectionError::EndBeforeStart { start_year, until_year });
    }
    let parts = stock.corporation as u128 + stock.other_rent as u128 + stock.owner_occupied as u128;
    if parts > stock.total as u128 {
        return Err(ProjectionError::PartsExceedTotal {
            parts: parts.min(u64::MAX as u128) as u64,
            total: stock.total,
        });
    }
    if let Some(m) = mutations.iter().find(|m| m.year < start_year || m.year > until_year) {
        return Err(ProjectionError::YearOutOfRange { year: m.year, start_year, until_year });
    }
    const PART_SEGMENT: [Segment; 3] = [Segment::SocialRent, Segment::OtherRent, Segment::OwnerOccupied];
    let unknown = stock.total as u128 - parts;
    let mut current = stock;
    let mut years = Vec::with_capacity((until_year - start_year + 1) as usize);
    for year in start_year..=until_year {
        // u128 cannot overflow on sums of u64 values from a slice of realistic length.
        let mut added = [0u128; 3];
        let mut removed = [0u128; 3];
        for m in mutations.iter().filter(|m| m.year == year) {
            let p = m.segment.part();
            added[p] += m.construction as u128;
            removed[p] += m.demolition as u128;
            if p != 2 {
                removed[p] += m.sales as u128;
                added[2] += m.sales as u128;
            }
        }
        let old = [current.corporation, current.other_rent, current.owner_occupied];
        let mut new = [0u64; 3];
        for p in 0..3 {
            let available = old[p] as u128 + added[p];
            if removed[p] > available {
                let clip = |v: u128| v.min(u64::MAX as u128) as u64;
                return Err(ProjectionError::NegativeStock {
                    year,
                    segment: PART_SEGMENT[p],
                    available: clip(available),
                    removed: clip(removed[p]),
                });
            }
            new[p] = u64::try_from(available - removed[p]).map_err(|_| ProjectionError::Overflow { year })?;
        }
        // Homes of unknown ownership are not planned for, so they carry over unchanged and
        // the total follows the parts: sales cancel out, construction and demolition count.
        let total = u64::try_from(unknown + new.iter().map(|&v| v as u128).sum::<u128>())
            .map_err(|_| ProjectionError::Overflow { year })?;
        current = HousingStock { total, corporation: new[0], other_rent: new[1], owner_occupied: new[2] };
        years.push(ProjectedYear { year, stock: current, social_share: current.social_share() });
    }
    Ok(Projection { start_year, start: stock, years })
}

/// Social share of one municipality in a region.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MunicipalityShare {
    pub code: String,
    pub share: f64,
}

/// Social share of a region (such as a housing-market region) and its spread.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionSpread {
    pub total: u64,
    pub social: u64,
    /// Weighted by homes: all social homes over all homes, so a large city weighs more
    /// than a village, as it does in the regional housing market. None without homes.
    pub total_share: Option<f64>,
    pub min: Option<MunicipalityShare>,
    pub max: Option<MunicipalityShare>,
    /// Municipalities with homes, in the order given; those without homes have no share.
    pub municipalities: Vec<MunicipalityShare>,
}

impl RegionSpread {
    /// Codes of the municipalities whose share is below `target`, in the order given.
    pub fn municipalities_below_target(&self, target: f64) -> Vec<String> {
        self.municipalities.iter().filter(|m| m.share < target).map(|m| m.code.clone()).collect()
    }

    /// Difference between the highest and lowest municipal share.
    pub fn range(&self) -> Option<f64> {
        Some(self.max.as_ref()?.share - self.min.as_ref()?.share)
    }
}

/// Weighted regional share and the spread across its municipalities. Equal shares are
/// broken by the lower code, so the result does not depend on the input order.
pub fn region_spread(municipalities: &[(String, HousingStock)]) -> RegionSpread {
    let total: u64 = municipalities.iter().map(|(_, s)| s.total).fold(0, u64::saturating_add);
    let social: u64 = municipalities.iter().map(|(_, s)| s.corporation).fold(0, u64::saturating_add);
    let shares: Vec<MunicipalityShare> = municipalities
        .iter()
        .filter_map(|(code, s)| s.social_share().map(|share| MunicipalityShare { code: code.clone(), share }))
        .collect();
    let min = shares.iter().min_by(|a, b| a.share.total_cmp(&b.share).then_with(|| a.code.cmp(&b.code))).cloned();
    // Reversed code order so that among equal maxima the lower code counts as larger.
    let max = shares.iter().max_by(|a, b| a.share.total_cmp(&b.share).then_with(|| b.code.cmp(&a.code))).cloned();
    RegionSpread {
        total,
        social,
        total_share: (total > 0).then(|| social as f64 / total as f64),
        min,
        max,
        municipalities: shares,
    }
}

/// Priority group (aandachtsgroep) of housing agreements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityGroup {
    Statushouders,
    LeavingShelteredHousing,
    LeavingGgzClinic,
    Homeless,
    Urgent,
    YoungPeople,
    Other,
}

/// Code, Dutch and English label in declaration order, as `SEGMENT_TEXT`.
const GROUP_TEXT: [(&str, &str, &str); 7] = [
    ("statushouders", "Statushouders", "Refugees with a residence permit"),
    ("leaving_sheltered_housing", "Uitstroom beschermd wonen/opvang", "Leaving sheltered housing or shelter"),
    ("leaving_ggz_clinic", "Uitstroom ggz-kliniek", "Leaving a mental-health clinic"),
    ("homeless", "Dak- en thuislozen", "Homeless people"),
    ("urgent", "Urgenten", "Urgent cases"),
    ("young_people", "Jongeren", "Young people"),
    ("other", "Overig", "Other"),
];

impl PriorityGroup {
    pub const ALL: [PriorityGroup; 7] = [
        PriorityGroup::Statushouders,
        PriorityGroup::LeavingShelteredHousing,
        PriorityGroup::LeavingGgzClinic,
        PriorityGroup::Homeless,
        PriorityGroup::Urgent,
        PriorityGroup::YoungPeople,
        PriorityGroup::Other,
    ];

    /// The snake_case code, the same as in JSON.
    pub fn code(self) -> &'static str {
        GROUP_TEXT[self as usize].0
    }

    pub fn parse(s: &str) -> Option<PriorityGroup> {
        PriorityGroup::ALL.into_iter().find(|g| g.code() == s.trim())
    }

    pub fn label_nl(self) -> &'static str {
        GROUP_TEXT[self as usize].1
    }

    pub fn label_en(self) -> &'static str {
        GROUP_TEXT[self as usize].2
    }
}

/// Realised placements against an agreed contingent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub agreed: u32,
    pub realised: u32,
    /// Realised over agreed; above 1 when more was realised than agreed, which is shown
    /// rather than capped. None without a contingent.
    pub share: Option<f64>,
    /// Placements still to go; 0 once the contingent is met.
    pub remaining: u32,
}

pub fn progress(agreed: u32, realised: u32) -> Progress {
    Progress {
        agreed,
        realised,
        share: (agreed > 0).then(|| realised as f64 / agreed as f64),
        remaining: agreed.saturating_sub(realised),
    }
}

/// A buurt that received more than its fair share of placements while under high pressure.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConcentrationFlag {
    pub buurt: String,
    pub placements: u32,
    pub pressure_z: f64,
    /// Total placements divided by the number of buurten given.
    pub fair_share: f64,
}

/// Flags buurten whose pressure z-score is at least `threshold` and that received strictly
/// more placements than the fair share, total / number of buurten. The fair share counts
/// every buurt given, so callers pass all buurten placements could go to, including those
/// with none; leaving them out would raise the fair share and hide concentration. A buurt
/// without a pressure score is never flagged: unknown pressure is not high pressure.
/// Flags keep the input order.
pub fn concentration(placements_per_buurt: &[(String, u32, Option<f64>)], threshold: f64) -> Vec<ConcentrationFlag> {
    let n = placements_per_buurt.len() as u64;
    let total: u64 = placements_per_buurt.iter().map(|(_, p, _)| *p as u64).sum();
    let fair_share = if n == 0 { 0.0 } else { total as f64 / n as f64 };
    placements_per_buurt
        .iter()
        // placements > total / n, compared in integers so no rounding decides a flag.
        .filter(|(_, p, _)| *p as u64 * n > total)
        .filter_map(|(buurt, p, z)| {
            z.filter(|z| *z >= threshold).map(|pressure_z| ConcentrationFlag {
                buurt: buurt.clone(),
                placements: *p,
                pressure_z,
                fair_share,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stock(total: u64, corporation: u64, other_rent: u64, owner_occupied: u64) -> HousingStock {
        HousingStock { total, corporation, other_rent, owner_occupied }
    }

    fn m(year: i32, segment: Segment, construction: u64, demolition: u64, sales: u64) -> Mutation {
        Mutation { year, segment, construction, demolition, sales }
    }

    #[test]
    fn cbs_shares_become_homes_that_sum_to_total() {
        let s = HousingStock::from_cbs_shares(1000, 55.0, 30.0, 15.0).expect("valid");
        assert_eq!(s, stock(1000, 300, 150, 550));
        assert_eq!(s.social_share(), Some(0.3));
        // Quotas 570.57 / 280.28 / 150.15: floors give 1000, the last home goes to the
        // largest remainder, owner-occupied.
        let s = HousingStock::from_cbs_shares(1001, 57.0, 28.0, 15.0).expect("valid");
        assert_eq!(s, stock(1001, 280, 150, 571));
        // Sum 99 is rescaled: 3.33 homes each, the tie goes to owner-occupied first.
        let s = HousingStock::from_cbs_shares(10, 33.0, 33.0, 33.0).expect("valid");
        assert_eq!(s, stock(10, 3, 3, 4));
        assert_eq!(HousingStock::from_cbs_shares(0, 60.0, 30.0, 10.0).expect("valid"), stock(0, 0, 0, 0));
    }

    #[test]
    fn bad_cbs_shares_are_refused() {
        assert_eq!(HousingStock::from_cbs_shares(100, 50.0, 30.0, 10.0), Err(SharesError::SumOff { sum: 90.0 }));
        assert_eq!(
            HousingStock::from_cbs_shares(100, -1.0, 70.0, 31.0),
            Err(SharesError::OutOfRange { part: "owner_occupied", value: -1.0 })
        );
        assert!(matches!(
            HousingStock::from_cbs_shares(100, 50.0, f64::NAN, 50.0),
            Err(SharesError::OutOfRange { part: "corporation", .. })
        ));
        assert!(HousingStock::from_cbs_shares(100, 0.0, 0.0, 101.0).is_err());
        assert!(HousingStock::from_cbs_shares(100, 60.0, 30.0, 11.0).is_ok());
    }

    #[test]
    fn shortfall_follows_the_formula() {
        // (0.3 · 10000 − 2000) / 0.7 = 1428.57 → 1429; check: 3429/11429 ≥ 0.3 > 3428/11428.
        assert_eq!(stock(10_000, 2_000, 3_000, 5_000).shortfall(0.30), Some(1429));
        assert_eq!(stock(10_000, 3_000, 2_000, 5_000).shortfall(0.30), Some(0));
        // 300 / 0.7 = 428.57 → 429.
        assert_eq!(stock(1_000, 0, 500, 500).shortfall(0.30), Some(429));
        assert_eq!(stock(0, 0, 0, 0).shortfall(0.30), Some(0));
        assert_eq!(stock(0, 0, 0, 0).social_share(), None);
        assert_eq!(stock(100, 50, 50, 0).shortfall(1.0), None);
        assert_eq!(stock(100, 100, 0, 0).shortfall(1.0), Some(0));
        assert_eq!(stock(100, 50, 50, 0).shortfall(1.5), None);
    }

    #[test]
    fn projection_by_hand() {
        let start = stock(10_000, 2_000, 3_000, 5_000);
        let muts = [
            m(2024, Segment::SocialRent, 500, 100, 50),
            m(2024, Segment::MidRent, 200, 0, 0),
            m(2025, Segment::SocialRent, 800, 0, 0),
            m(2026, Segment::OwnerOccupied, 300, 50, 10),
        ];
        let p = project(2024, start, &muts, 2027).expect("valid");
        let years: Vec<i32> = p.years.iter().map(|y| y.year).collect();
        assert_eq!(years, vec![2024, 2025, 2026, 2027]);
        // 2024: social 2000 + 500 − 100 − 50 sold = 2350; mid-rent into other rent 3200;
        // owner 5000 + 50 bought = 5050; total 10000 + 700 − 100 = 10600.
        assert_eq!(p.years[0].stock, stock(10_600, 2_350, 3_200, 5_050));
        assert_eq!(p.years[1].stock, stock(11_400, 3_150, 3_200, 5_050));
        // A sale of owner-occupied homes stays owner-occupied.
        assert_eq!(p.years[2].stock, stock(11_650, 3_150, 3_200, 5_300));
        assert_eq!(p.years[3].stock, p.years[2].stock);
        assert_eq!(p.years[1].social_share, Some(3_150.0 / 11_400.0));
        assert_eq!(p.year_target_reached(0.30), None);
        assert_eq!(p.year_target_reached(0.25), Some(2025));
        // 2025: (3420 − 3150) / 0.7 = 385.71 → 386; 2026: (3495 − 3150) / 0.7 = 492.86 → 493.
        assert_eq!(p.shortfall(0.30, 2025), Some(386));
        assert_eq!(p.shortfall(0.30, 2026), Some(493));
        assert_eq!(p.shortfall(0.30, 2030), None);
    }

    #[test]
    fn projection_reaches_the_target() {
        let muts: Vec<Mutation> = (2025..=2027).map(|y| m(y, Segment::SocialRent, 50, 0, 0)).collect();
        let p = project(2025, stock(1_000, 250, 250, 500), &muts, 2027).expect("valid");
        // 300/1050 = 0.286, 350/1100 = 0.318.
        assert_eq!(p.year_target_reached(0.30), Some(2026));
        // (315 − 300) / 0.7 = 21.43 → 22; check: 322/1072 ≥ 0.3 > 321/1071.
        assert_eq!(p.shortfall(0.30, 2025), Some(22));
        assert_eq!(p.shortfall(0.30, 2026), Some(0));
    }

    #[test]
    fn unknown_ownership_carries_over_and_a_year_nets_out() {
        let p = project(2025, stock(1_000, 300, 200, 400), &[m(2025, Segment::SocialRent, 100, 0, 0)], 2025);
        assert_eq!(p.expect("valid").years[0].stock, stock(1_100, 400, 200, 400));
        // Demolition entered before construction in the same year is not refused.
        let muts = [m(2025, Segment::SocialRent, 0, 150, 0), m(2025, Segment::SocialRent, 100, 0, 0)];
        let p = project(2025, stock(300, 100, 100, 100), &muts, 2025).expect("valid");
        assert_eq!(p.years[0].stock, stock(250, 50, 100, 100));
    }

    #[test]
    fn projection_errors_name_year_and_segment() {
        let start = stock(10_000, 2_000, 3_000, 5_000);
        let neg =
            |year, segment, available, removed| ProjectionError::NegativeStock { year, segment, available, removed };
        let err = project(2024, start, &[m(2025, Segment::SocialRent, 0, 0, 2_100)], 2026).expect_err("negative");
        assert_eq!(err, neg(2025, Segment::SocialRent, 2_000, 2_100));
        let msg = err.to_string();
        assert!(msg.contains("2025") && msg.contains("social_rent"), "{msg}");
        // Mid-rent lives in other rent, so that is the part that runs out.
        let err = project(2024, start, &[m(2024, Segment::MidRent, 10, 3_011, 0)], 2024).expect_err("negative");
        assert_eq!(err, neg(2024, Segment::OtherRent, 3_010, 3_011));
        assert_eq!(
            project(2024, start, &[m(2031, Segment::SocialRent, 1, 0, 0)], 2030),
            Err(ProjectionError::YearOutOfRange { year: 2031, start_year: 2024, until_year: 2030 })
        );
        assert!(matches!(
            project(2024, start, &[m(2023, Segment::SocialRent, 1, 0, 0)], 2030),
            Err(ProjectionError::YearOutOfRange { year: 2023, .. })
        ));
        assert_eq!(
            project(2024, start, &[], 2023),
            Err(ProjectionError::EndBeforeStart { start_year: 2024, until_year: 2023 })
        );
        assert_eq!(
            project(2024, stock(10, 5, 5, 5), &[], 2024),
            Err(ProjectionError::PartsExceedTotal { parts: 15, total: 10 })
        );
    }

    #[test]
    fn region_is_weighted_by_homes() {
        let region = vec![
            ("GM0004".to_string(), stock(1_000, 200, 300, 500)),
            ("GM0001".to_string(), stock(1_000, 400, 100, 500)),
            ("GM0003".to_string(), stock(0, 0, 0, 0)),
            ("GM0002".to_string(), stock(3_000, 600, 900, 1_500)),
        ];
        let r = region_spread(&region);
        // 1200 / 5000 = 0.24, not the unweighted mean 0.267.
        assert_eq!((r.total, r.social, r.total_share), (5_000, 1_200, Some(0.24)));
        assert_eq!(r.min, Some(MunicipalityShare { code: "GM0002".into(), share: 0.2 }));
        assert_eq!(r.max, Some(MunicipalityShare { code: "GM0001".into(), share: 0.4 }));
        assert_eq!(r.range(), Some(0.2));
        assert_eq!(r.municipalities.len(), 3);
        assert_eq!(r.municipalities_below_target(0.30), vec!["GM0004".to_string(), "GM0002".to_string()]);
        let empty = region_spread(&[]);
        assert_eq!((empty.total_share, empty.range(), empty.min), (None, None, None));
    }

    #[test]
    fn priority_groups_have_codes_and_labels() {
        assert_eq!(PriorityGroup::ALL.len(), 7);
        for (i, g) in PriorityGroup::ALL.into_iter().enumerate() {
            assert_eq!((g as usize, PriorityGroup::parse(g.code())), (i, Some(g)));
            assert!(!g.label_nl().is_empty() && !g.label_en().is_empty());
        }
        assert_eq!(PriorityGroup::parse("leaving_ggz_clinic"), Some(PriorityGroup::LeavingGgzClinic));
        assert_eq!(PriorityGroup::LeavingShelteredHousing.label_nl(), "Uitstroom beschermd wonen/opvang");
        assert_eq!(PriorityGroup::Homeless.label_nl(), "Dak- en thuislozen");
        assert_eq!(PriorityGroup::parse("LeavingGgzClinic"), None);
        for (i, s) in Segment::ALL.into_iter().enumerate() {
            assert_eq!((s as usize, Segment::parse(s.code())), (i, Some(s)));
        }
    }

    #[test]
    fn progress_against_agreed() {
        assert_eq!(progress(10, 4), Progress { agreed: 10, realised: 4, share: Some(0.4), remaining: 6 });
        assert_eq!(progress(10, 12), Progress { agreed: 10, realised: 12, share: Some(1.2), remaining: 0 });
        assert_eq!(progress(0, 3), Progress { agreed: 0, realised: 3, share: None, remaining: 0 });
    }

    #[test]
    fn concentration_flags_pressured_buurten_above_fair_share() {
        let rows = vec![
            ("BU01".to_string(), 10, Some(1.0)), // 10 > 20/4 and z at the threshold: flagged
            ("BU02".to_string(), 2, Some(2.5)),  // most pressured but below fair share
            ("BU03".to_string(), 8, None),       // above fair share, pressure unknown
            ("BU04".to_string(), 0, Some(0.2)),
        ];
        let flags = concentration(&rows, 1.0);
        assert_eq!(
            flags,
            vec![ConcentrationFlag { buurt: "BU01".into(), placements: 10, pressure_z: 1.0, fair_share: 5.0 }]
        );
        // Exactly the fair share is not more than it.
        let even = vec![("BU01".to_string(), 5, Some(3.0)), ("BU02".to_string(), 5, Some(3.0))];
        assert!(concentration(&even, 1.0).is_empty());
        assert!(concentration(&[], 1.0).is_empty());
    }

    proptest! {
        #[test]
        fn social_construction_never_lowers_the_share(
            corporation in 0u64..100_000, other in 0u64..100_000, owner in 0u64..100_000,
            unknown in 0u64..1_000, builds in proptest::collection::vec(0u64..10_000, 1..10),
        ) {
            let start = stock(corporation + other + owner + unknown, corporation, other, owner);
            let until = 2025 + builds.len() as i32 - 1;
            let muts: Vec<Mutation> =
                builds.iter().enumerate().map(|(i, &c)| m(2025 + i as i32, Segment::SocialRent, c, 0, 0)).collect();
            let p = project(2025, start, &muts, until).expect("construction only is valid");
            let mut previous = start.social_share();
            for y in &p.years {
                if let Some(before) = previous {
                    prop_assert!(y.social_share.expect("stock only grows") >= before);
                }
                previous = y.social_share;
            }
        }

        #[test]
        fn cbs_shares_always_sum_to_total(
            total in 0u64..10_000_000, a in 0.0f64..=100.0, b in 0.0f64..=100.0, jitter in -0.99f64..0.99,
        ) {
            prop_assume!(a + b <= 100.0);
            let c = (100.0 - a - b + jitter).clamp(0.0, 100.0);
            let s = HousingStock::from_cbs_shares(total, a, b, c).expect("sum within 100 ± 1");
            prop_assert_eq!(s.owner_occupied + s.corporation + s.other_rent, total);
            // Largest remainder never strays a whole home from the exact quota.
            let sum = a + b + c;
            for (part, pct) in [(s.owner_occupied, a), (s.corporation, b), (s.other_rent, c)] {
                prop_assert!((part as f64 - total as f64 * pct / sum).abs() < 1.0 + 1e-6);
            }
        }
    }
}
