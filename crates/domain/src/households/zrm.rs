//! The Zelfredzaamheid-Matrix 2017 (ZRM): 13 life domains scored on 5 levels of
//! self-reliance, with the instrument version and date stored with every assessment.
//!
//! Only the domain and level NAMES of the ZRM are encoded here. The criteria texts per
//! domain and level belong to GGD Amsterdam and are not shipped; an organisation that
//! holds a licence loads its own copy (RULES.md, "Zelfredzaamheid-Matrix").

use crate::calendar::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The instrument version recorded with assessments made with the 2017 matrix.
pub const ZRM_2017: &str = "ZRM 2017";

/// The 13 life domains of the ZRM 2017, in the matrix's own order (which is also the
/// `Ord` order, so maps keyed by domain list them as the matrix does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LifeDomain {
    Finances,
    WorkAndEducation,
    TimeUse,
    Housing,
    DomesticRelations,
    MentalHealth,
    PhysicalHealth,
    SubstanceUse,
    BasicAdl,
    InstrumentalAdl,
    SocialNetwork,
    CommunityParticipation,
    Justice,
}

impl LifeDomain {
    pub const ALL: [LifeDomain; 13] = [
        LifeDomain::Finances,
        LifeDomain::WorkAndEducation,
        LifeDomain::TimeUse,
        LifeDomain::Housing,
        LifeDomain::DomesticRelations,
        LifeDomain::MentalHealth,
        LifeDomain::PhysicalHealth,
        LifeDomain::SubstanceUse,
        LifeDomain::BasicAdl,
        LifeDomain::InstrumentalAdl,
        LifeDomain::SocialNetwork,
        LifeDomain::CommunityParticipation,
        LifeDomain::Justice,
    ];

    /// The code used in the API, forms and the database (equal to the serde name).
    pub fn code(self) -> &'static str {
        match self {
            LifeDomain::Finances => "finances",
            LifeDomain::WorkAndEducation => "work_and_education",
            LifeDomain::TimeUse => "time_use",
            LifeDomain::Housing => "housing",
            LifeDomain::DomesticRelations => "domestic_relations",
            LifeDomain::MentalHealth => "mental_health",
            LifeDomain::PhysicalHealth => "physical_health",
            LifeDomain::SubstanceUse => "substance_use",
            LifeDomain::BasicAdl => "basic_adl",
            LifeDomain::InstrumentalAdl => "instrumental_adl",
            LifeDomain::SocialNetwork => "social_network",
            LifeDomain::CommunityParticipation => "community_participation",
            LifeDomain::Justice => "justice",
        }
    }

    /// Parses a code, ignoring surrounding whitespace and case.
    pub fn parse(code: &str) -> Option<LifeDomain> {
        let code = code.trim();
        LifeDomain::ALL.into_iter().find(|d| d.code().eq_ignore_ascii_case(code))
    }

    /// The official domain name of the ZRM 2017.
    pub fn label_nl(self) -> &'static str {
        match self {
            LifeDomain::Finances => "Financiën",
            LifeDomain::WorkAndEducation => "Werk & opleiding",
            LifeDomain::TimeUse => "Tijdsbesteding",
            LifeDomain::Housing => "Huisvesting",
            LifeDomain::DomesticRelations => "Huiselijke relaties",
            LifeDomain::MentalHealth => "Geestelijke gezondheid",
            LifeDomain::PhysicalHealth => "Lichamelijke gezondheid",
            LifeDomain::SubstanceUse => "Middelengebruik",
            LifeDomain::BasicAdl => "Basale ADL",
            LifeDomain::InstrumentalAdl => "Instrumentele ADL",
            LifeDomain::SocialNetwork => "Sociaal netwerk",
            LifeDomain::CommunityParticipation => "Maatschappelijke participatie",
            LifeDomain::Justice => "Justitie",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            LifeDomain::Finances => "Finances",
            LifeDomain::WorkAndEducation => "Work & education",
            LifeDomain::TimeUse => "Use of time",
            LifeDomain::Housing => "Housing",
            LifeDomain::DomesticRelations => "Domestic relations",
            LifeDomain::MentalHealth => "Mental health",
            LifeDomain::PhysicalHealth => "Physical health",
            LifeDomain::SubstanceUse => "Substance use",
            LifeDomain::BasicAdl => "Basic ADL",
            LifeDomain::InstrumentalAdl => "Instrumental ADL",
            LifeDomain::SocialNetwork => "Social network",
            LifeDomain::CommunityParticipation => "Community participation",
            LifeDomain::Justice => "Justice",
        }
    }
}

/// The five levels of self-reliance, 1 (acute problems) to 5 (fully self-reliant).
/// Serialised as the number 1..=5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Level {
    AcuteProblems = 1,
    NotSelfReliant = 2,
    LimitedlySelfReliant = 3,
    SufficientlySelfReliant = 4,
    FullySelfReliant = 5,
}

/// A number outside 1..=5 given as a ZRM level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a ZRM level: expected 1 to 5")]
pub struct LevelError(pub u8);

impl Level {
    pub const ALL: [Level; 5] = [
        Level::AcuteProblems,
        Level::NotSelfReliant,
        Level::LimitedlySelfReliant,
        Level::SufficientlySelfReliant,
        Level::FullySelfReliant,
    ];

    /// 1..=5.
    pub fn value(self) -> u8 {
        self as u8
    }

    pub fn from_value(value: u8) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.value() == value)
    }

    /// Parses "1".."5" (as entered in a form), ignoring surrounding whitespace.
    pub fn parse(s: &str) -> Option<Level> {
        s.trim().parse::<u8>().ok().and_then(Level::from_value)
    }

    /// The official level name of the ZRM 2017.
    pub fn label_nl(self) -> &'static str {
        match self {
            Level::AcuteProblems => "Acute problematiek",
            Level::NotSelfReliant => "Niet zelfredzaam",
            Level::LimitedlySelfReliant => "Beperkt zelfredzaam",
            Level::SufficientlySelfReliant => "Voldoende zelfredzaam",
            Level::FullySelfReliant => "Volledig zelfredzaam",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Level::AcuteProblems => "Acute problems",
            Level::NotSelfReliant => "Not self-reliant",
            Level::LimitedlySelfReliant => "Limited self-reliance",
            Level::SufficientlySelfReliant => "Sufficiently self-reliant",
            Level::FullySelfReliant => "Fully self-reliant",
        }
    }
}

impl TryFrom<u8> for Level {
    type Error = LevelError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Level::from_value(value).ok_or(LevelError(value))
    }
}

impl From<Level> for u8 {
    fn from(level: Level) -> u8 {
        level.value()
    }
}

// Written by hand: the derive would describe the variant names, but the wire format is
// the number 1..=5.
impl utoipa::PartialSchema for Level {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(1))
            .maximum(Some(5))
            .description(Some(
                "ZRM level: 1 acute problematiek, 2 niet zelfredzaam, 3 beperkt zelfredzaam, \
                 4 voldoende zelfredzaam, 5 volledig zelfredzaam",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Level {}

/// One ZRM assessment: the scores of the domains assessed on one date, with the
/// instrument version they were made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assessment {
    #[serde(with = "crate::households::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// For example "ZRM 2017".
    pub instrument_version: String,
    pub scores: BTreeMap<LifeDomain, Level>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    #[error("an assessment scores at least one life domain")]
    NoScores,
    #[error("an assessment names the instrument version, such as \"ZRM 2017\"")]
    MissingVersion,
}

impl AssessmentError {
    /// Stable code for the API and logs.
    pub fn code(self) -> &'static str {
        match self {
            AssessmentError::NoScores => "zrm_no_scores",
            AssessmentError::MissingVersion => "zrm_missing_version",
        }
    }
}

impl Assessment {
    pub fn validate(&self) -> Result<(), AssessmentError> {
        if self.scores.is_empty() {
            return Err(AssessmentError::NoScores);
        }
        if self.instrument_version.trim().is_empty() {
            return Err(AssessmentError::MissingVersion);
        }
        Ok(())
    }
}

/// Change per domain from `earlier` to `later` (later minus earlier, −4..=4), for the
/// domains scored in both. Positive is more self-reliant. The order of the arguments is
/// taken as given, not derived from the dates.
pub fn change(earlier: &Assessment, later: &Assessment) -> BTreeMap<LifeDomain, i8> {
    later
        .scores
        .iter()
        .filter_map(|(domain, after)| {
            let before = earlier.scores.get(domain)?;
            // Both values are 1..=5, so the difference fits an i8.
            Some((*domain, after.value() as i8 - before.value() as i8))
        })
        .collect()
}

/// Mean change per domain over (earlier, later) pairs, with the number of pairs in which
/// the domain was scored both times. Domains never scored twice are absent. The monitor
/// applies disclosure control to `n` before publishing (issue 5, item 5).
pub fn average_change(pairs: &[(Assessment, Assessment)]) -> BTreeMap<LifeDomain, (f64, u32)> {
    let mut sums: BTreeMap<LifeDomain, (i64, u32)> = BTreeMap::new();
    for (earlier, later) in pairs {
        for (domain, delta) in change(earlier, later) {
            let entry = sums.entry(domain).or_insert((0, 0));
            entry.0 += i64::from(delta);
            entry.1 += 1;
        }
    }
    sums.into_iter().map(|(domain, (sum, n))| (domain, (sum as f64 / f64::from(n), n))).collect()
}

/// The points of a progress chart: per domain (in matrix order, only domains scored at
/// least once), the (date, level 1..=5) points sorted by date. Assessments on the same
/// date keep their input order.
pub fn progress_series(assessments: &[Assessment]) -> Vec<(LifeDomain, Vec<(Date, u8)>)> {
    let mut sorted: Vec<&Assessment> = assessments.iter().collect();
    sorted.sort_by_key(|a| a.date);
    LifeDomain::ALL
        .into_iter()
        .filter_map(|domain| {
            let points: Vec<(Date, u8)> =
                sorted.iter().filter_map(|a| a.scores.get(&domain).map(|l| (a.date, l.value()))).collect();
            (!points.is_empty()).then_some((domain, points))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("valid date")
    }

    fn assessment(date: &str, scores: &[(LifeDomain, u8)]) -> Assessment {
        Assessment {
            date: d(date),
            instrument_version: ZRM_2017.to_string(),
            scores: scores.iter().map(|(dom, v)| (*dom, Level::from_value(*v).expect("level 1..=5"))).collect(),
        }
    }

    #[test]
    fn thirteen_domains_with_unique_codes_that_parse_back() {
        assert_eq!(LifeDomain::ALL.len(), 13);
        for domain in LifeDomain::ALL {
            assert_eq!(LifeDomain::parse(domain.code()), Some(domain));
            assert_eq!(LifeDomain::parse(&format!(" {} ", domain.code().to_uppercase())), Some(domain));
            assert!(!domain.label_nl().is_empty() && !domain.label_en().is_empty());
        }
        let mut codes: Vec<&str> = LifeDomain::ALL.iter().map(|d| d.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 13);
        assert_eq!(LifeDomain::parse("wellbeing"), None);
        assert_eq!(LifeDomain::Finances.label_nl(), "Financiën");
        assert_eq!(LifeDomain::WorkAndEducation.label_nl(), "Werk & opleiding");
        assert_eq!(LifeDomain::CommunityParticipation.label_nl(), "Maatschappelijke participatie");
        // Ord follows the matrix order.
        let mut sorted = LifeDomain::ALL;
        sorted.sort();
        assert_eq!(sorted, LifeDomain::ALL);
    }

    #[test]
    fn five_levels_by_number_and_name() {
        assert_eq!(Level::ALL.map(Level::value), [1, 2, 3, 4, 5]);
        assert_eq!(Level::from_value(0), None);
        assert_eq!(Level::from_value(6), None);
        assert_eq!(Level::parse(" 3 "), Some(Level::LimitedlySelfReliant));
        assert_eq!(Level::parse("three"), None);
        assert_eq!(Level::try_from(7), Err(LevelError(7)));
        assert_eq!(u8::from(Level::FullySelfReliant), 5);
        assert_eq!(Level::AcuteProblems.label_nl(), "Acute problematiek");
        assert_eq!(Level::SufficientlySelfReliant.label_nl(), "Voldoende zelfredzaam");
        assert!(Level::AcuteProblems < Level::FullySelfReliant);
    }

    #[test]
    fn an_assessment_needs_a_score_and_a_version() {
        let ok = assessment("2026-03-01", &[(LifeDomain::Finances, 2)]);
        assert_eq!(ok.validate(), Ok(()));
        let empty = assessment("2026-03-01", &[]);
        assert_eq!(empty.validate(), Err(AssessmentError::NoScores));
        let unversioned = Assessment { instrument_version: "  ".to_string(), ..ok };
        assert_eq!(unversioned.validate(), Err(AssessmentError::MissingVersion));
        assert_eq!(AssessmentError::NoScores.code(), "zrm_no_scores");
    }

    #[test]
    fn change_covers_domains_scored_in_both() {
        let first = assessment("2026-01-10", &[(LifeDomain::Finances, 1), (LifeDomain::Housing, 3)]);
        let second = assessment("2026-04-10", &[(LifeDomain::Finances, 3), (LifeDomain::Justice, 5)]);
        let delta = change(&first, &second);
        assert_eq!(delta, BTreeMap::from([(LifeDomain::Finances, 2)]));
    }

    #[test]
    fn average_change_per_domain_with_counts() {
        let pairs = vec![
            (
                assessment("2026-01-10", &[(LifeDomain::Finances, 1), (LifeDomain::Housing, 4)]),
                assessment("2026-06-10", &[(LifeDomain::Finances, 3), (LifeDomain::Housing, 3)]),
            ),
            (
                assessment("2026-02-01", &[(LifeDomain::Finances, 2)]),
                assessment("2026-07-01", &[(LifeDomain::Finances, 3), (LifeDomain::Housing, 5)]),
            ),
        ];
        let avg = average_change(&pairs);
        assert_eq!(avg.get(&LifeDomain::Finances), Some(&(1.5, 2)));
        assert_eq!(avg.get(&LifeDomain::Housing), Some(&(-1.0, 1)));
        assert_eq!(avg.len(), 2);
        assert!(average_change(&[]).is_empty());
    }

    #[test]
    fn progress_series_sorted_by_date_per_domain() {
        let later = assessment("2026-06-01", &[(LifeDomain::Finances, 3), (LifeDomain::Housing, 4)]);
        let earlier = assessment("2026-01-01", &[(LifeDomain::Finances, 1)]);
        let series = progress_series(&[later, earlier]);
        assert_eq!(
            series,
            vec![
                (LifeDomain::Finances, vec![(d("2026-01-01"), 1), (d("2026-06-01"), 3)]),
                (LifeDomain::Housing, vec![(d("2026-06-01"), 4)]),
            ]
        );
        assert!(progress_series(&[]).is_empty());
    }

    fn arb_assessment() -> impl Strategy<Value = Assessment> {
        (18_000i64..25_000, proptest::collection::btree_map(0usize..13, 1u8..=5, 0..13)).prop_map(|(day, raw)| {
            Assessment {
                date: Date::from_days_since_epoch(day),
                instrument_version: ZRM_2017.to_string(),
                scores: raw
                    .into_iter()
                    .map(|(i, v)| (LifeDomain::ALL[i], Level::from_value(v).expect("1..=5")))
                    .collect(),
            }
        })
    }

    proptest! {
        #[test]
        fn change_is_antisymmetric_and_bounded(a in arb_assessment(), b in arb_assessment()) {
            let forward = change(&a, &b);
            let backward = change(&b, &a);
            prop_assert_eq!(forward.len(), backward.len());
            for (domain, delta) in &forward {
                prop_assert_eq!(backward.get(domain), Some(&-delta));
                prop_assert!((-4..=4).contains(delta));
            }
            prop_assert!(change(&a, &a).values().all(|v| *v == 0));
        }

        #[test]
        fn average_change_stays_within_bounds(pairs in proptest::collection::vec((arb_assessment(), arb_assessment()), 0..8)) {
            for (mean, n) in average_change(&pairs).values() {
                prop_assert!(*n >= 1 && (*n as usize) <= pairs.len());
                prop_assert!((-4.0..=4.0).contains(mean));
            }
        }

        #[test]
        fn progress_points_are_in_date_order(list in proptest::collection::vec(arb_assessment(), 0..6)) {
            for (_, points) in progress_series(&list) {
                prop_assert!(points.windows(2).all(|w| w[0].0 <= w[1].0));
                prop_assert!(points.iter().all(|(_, v)| (1..=5).contains(v)));
            }
        }
    }
}
