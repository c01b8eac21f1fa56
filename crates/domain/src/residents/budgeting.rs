//! Initiatives and participatory budgeting: support thresholds, round phases, vote rules and counting.
//!
//! Counting uses the common *greedy* rule of participatory budgeting: projects are ranked
//! by votes (most first; ties go to the cheaper project, then to the lower project id, so
//! the result never depends on the order ballots arrived in) and taken into the result one
//! by one while the budget still covers them. A project that no longer fits is skipped and
//! the next one is tried, so a cheap project further down may still win. A project without
//! a single vote never wins.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Where an initiative stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeStatus {
    /// Proposed by a resident, collecting support.
    Proposed,
    /// Past the support threshold: waiting for the municipality's assessment.
    Supported,
    /// Being assessed (feasibility, costs, ownership).
    InAssessment,
    Accepted,
    Rejected,
    /// Taken into a budgeting round as a project.
    InRound,
}

impl InitiativeStatus {
    pub const ALL: [InitiativeStatus; 6] = [
        InitiativeStatus::Proposed,
        InitiativeStatus::Supported,
        InitiativeStatus::InAssessment,
        InitiativeStatus::Accepted,
        InitiativeStatus::Rejected,
        InitiativeStatus::InRound,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InitiativeStatus::Proposed => "proposed",
            InitiativeStatus::Supported => "supported",
            InitiativeStatus::InAssessment => "in_assessment",
            InitiativeStatus::Accepted => "accepted",
            InitiativeStatus::Rejected => "rejected",
            InitiativeStatus::InRound => "in_round",
        }
    }

    pub fn parse(s: &str) -> Option<InitiativeStatus> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            InitiativeStatus::Proposed => "Voorgesteld, steun verzamelen",
            InitiativeStatus::Supported => "Genoeg steun, wacht op beoordeling",
            InitiativeStatus::InAssessment => "Wordt beoordeeld",
            InitiativeStatus::Accepted => "Aangenomen",
            InitiativeStatus::Rejected => "Afgewezen",
            InitiativeStatus::InRound => "Project in een begrotingsronde",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            InitiativeStatus::Proposed => "Proposed, collecting support",
            InitiativeStatus::Supported => "Enough support, awaiting assessment",
            InitiativeStatus::InAssessment => "Being assessed",
            InitiativeStatus::Accepted => "Accepted",
            InitiativeStatus::Rejected => "Rejected",
            InitiativeStatus::InRound => "Project in a budgeting round",
        }
    }

    /// Residents may still support it (also after the threshold: the count stays telling).
    pub fn open_for_support(self) -> bool {
        matches!(self, InitiativeStatus::Proposed | InitiativeStatus::Supported)
    }

    /// The status after a support was counted: past the threshold, a proposal moves on.
    pub fn after_support(self, supporters: u64, threshold: u64) -> InitiativeStatus {
        if self == InitiativeStatus::Proposed && supporters >= threshold {
            InitiativeStatus::Supported
        } else {
            self
        }
    }

    /// Moves staff may make. A proposal below the threshold cannot be taken into
    /// assessment: residents decide what gets there.
    pub fn can_move_to(self, to: InitiativeStatus) -> bool {
        use InitiativeStatus::*;
        matches!(
            (self, to),
            (Supported, InAssessment)
                | (InAssessment, Accepted)
                | (InAssessment, Rejected)
                | (InAssessment, InRound)
                | (Accepted, InRound)
        )
    }
}

/// The phases of a budgeting round; a round only ever moves forward, one phase at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Residents bring ideas and initiatives.
    Ideas,
    /// The municipality checks feasibility and costs; projects are fixed.
    Assessment,
    /// Verified residents of the area vote.
    Voting,
    /// Votes counted and published.
    Result,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhaseError {
    #[error("a round only moves forward one phase at a time: from {from} the next phase is {expected}")]
    NotNext { from: &'static str, expected: &'static str },
    #[error("the round already has its result; it does not move any further")]
    Finished,
    #[error("a round needs at least two projects before voting opens")]
    TooFewProjects,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Ideas, Phase::Assessment, Phase::Voting, Phase::Result];

    pub fn code(self) -> &'static str {
        match self {
            Phase::Ideas => "ideas",
            Phase::Assessment => "assessment",
            Phase::Voting => "voting",
            Phase::Result => "result",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Self::ALL.into_iter().find(|p| p.code() == s)
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            Phase::Ideas => "Ideeën",
            Phase::Assessment => "Beoordeling",
            Phase::Voting => "Stemmen",
            Phase::Result => "Uitslag",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Phase::Ideas => "Ideas",
            Phase::Assessment => "Assessment",
            Phase::Voting => "Voting",
            Phase::Result => "Result",
        }
    }

    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Ideas => Some(Phase::Assessment),
            Phase::Assessment => Some(Phase::Voting),
            Phase::Voting => Some(Phase::Result),
            Phase::Result => None,
        }
    }

    /// Checks a move to `to`; voting needs at least two projects to choose from.
    pub fn move_to(self, to: Phase, projects: usize) -> Result<Phase, PhaseError> {
        let Some(next) = self.next() else { return Err(PhaseError::Finished) };
        if to != next {
            return Err(PhaseError::NotNext { from: self.code(), expected: next.code() });
        }
        if to == Phase::Voting && projects < 2 {
            return Err(PhaseError::TooFewProjects);
        }
        Ok(to)
    }
}

/// How much of the ballot a resident may fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VoteRule {
    /// The chosen projects may together cost at most this percentage (1–100) of the budget.
    ShareOfBudget { percent: u8 },
    /// At most this many projects (at least 1).
    MaxProjects { k: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("share of budget: a percentage from 1 to 100")]
    Percent,
    #[error("maximum number of projects: at least 1")]
    MaxProjects,
}

impl VoteRule {
    pub fn validate(self) -> Result<VoteRule, RuleError> {
        match self {
            VoteRule::ShareOfBudget { percent } if !(1..=100).contains(&percent) => Err(RuleError::Percent),
            VoteRule::MaxProjects { k: 0 } => Err(RuleError::MaxProjects),
            r => Ok(r),
        }
    }

    /// The most a ballot's projects may cost together, for a share-of-budget rule.
    pub fn ballot_limit_cents(self, budget_cents: i64) -> Option<i64> {
        match self {
            VoteRule::ShareOfBudget { percent } => Some(budget_cents.saturating_mul(i64::from(percent)) / 100),
            VoteRule::MaxProjects { .. } => None,
        }
    }

    pub fn describe_nl(self, budget_cents: i64) -> String {
        match self {
            VoteRule::ShareOfBudget { percent } => format!(
                "Kies projecten die samen hoogstens {} kosten ({percent}% van het budget).",
                euros(self.ballot_limit_cents(budget_cents).unwrap_or(budget_cents))
            ),
            VoteRule::MaxProjects { k } => format!("Kies hoogstens {k} project(en)."),
        }
    }

    pub fn describe_en(self, budget_cents: i64) -> String {
        match self {
            VoteRule::ShareOfBudget { percent } => format!(
                "Choose projects costing together at most {} ({percent}% of the budget).",
                euros(self.ballot_limit_cents(budget_cents).unwrap_or(budget_cents))
            ),
            VoteRule::MaxProjects { k } => format!("Choose at most {k} project(s)."),
        }
    }
}

/// Cents as "€ 12.345" (whole euros, Dutch grouping) or "€ 12.345,50".
pub fn euros(cents: i64) -> String {
    let whole = (cents / 100).unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    match (cents % 100).abs() {
        0 => format!("€ {sign}{grouped}"),
        r => format!("€ {sign}{grouped},{r:02}"),
    }
}

/// A project on the ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Project {
    pub id: String,
    pub cost_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    #[error("choose at least one project")]
    Empty,
    #[error("project '{0}' is not on this round's ballot")]
    Unknown(String),
    #[error("project '{0}' is chosen twice")]
    Duplicate(String),
    #[error("you chose {chosen} projects; this round allows at most {max}")]
    TooMany { chosen: usize, max: u32 },
    #[error("your projects cost {} together; this round allows at most {}", euros(*.total_cents), euros(*.limit_cents))]
    OverBudget { total_cents: i64, limit_cents: i64 },
}

/// Checks a ballot against the projects and the vote rule; returns the chosen ids sorted.
pub fn validate_ballot(
    rule: VoteRule,
    budget_cents: i64,
    projects: &[Project],
    chosen: &[String],
) -> Result<Vec<String>, BallotError> {
    if chosen.is_empty() {
        return Err(BallotError::Empty);
    }
    let mut seen = BTreeSet::new();
    let mut total: i64 = 0;
    for id in chosen {
        let p = projects.iter().find(|p| &p.id == id).ok_or_else(|| BallotError::Unknown(id.clone()))?;
        if !seen.insert(id.clone()) {
            return Err(BallotError::Duplicate(id.clone()));
        }
        total = total.saturating_add(p.cost_cents);
    }
    match rule {
        VoteRule::MaxProjects { k } if chosen.len() > k as usize => {
            Err(BallotError::TooMany { chosen: chosen.len(), max: k })
        }
        VoteRule::ShareOfBudget { .. } => {
            let limit = rule.ballot_limit_cents(budget_cents).unwrap_or(budget_cents);
            if total > limit {
                Err(BallotError::OverBudget { total_cents: total, limit_cents: limit })
            } else {
                Ok(seen.into_iter().collect())
            }
        }
        VoteRule::MaxProjects { .. } => Ok(seen.into_iter().collect()),
    }
}

/// One project's line in the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tally {
    pub project_id: String,
    pub votes: u64,
    pub cost_cents: i64,
    /// 1-based place in the ranking (votes, then cost, then id).
    pub rank: u32,
    pub won: bool,
}

/// The counted result of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = BudgetOutcome)]
pub struct Outcome {
    pub ballots: u64,
    /// In ranking order.
    pub tallies: Vec<Tally>,
    /// Winning project ids in ranking order.
    pub winners: Vec<String>,
    pub spent_cents: i64,
    pub budget_cents: i64,
}

/// Counts ballots (each a list of project ids; ids not on the ballot are ignored, as are
/// repeats within a ballot) with the greedy rule described at the top of this module.
pub fn count(projects: &[Project], ballots: &[Vec<String>], budget_cents: i64) -> Outcome {
    let mut votes: BTreeMap<&str, u64> = projects.iter().map(|p| (p.id.as_str(), 0)).collect();
    for ballot in ballots {
        let unique: BTreeSet<&str> = ballot.iter().map(String::as_str).collect();
        for id in unique {
            if let Some(v) = votes.get_mut(id) {
                *v += 1;
            }
        }
    }
    let mut ranked: Vec<&Project> = projects.iter().collect();
    ranked.sort_by(|a, b| {
        votes[b.id.as_str()].cmp(&votes[a.id.as_str()]).then(a.cost_cents.cmp(&b.cost_cents)).then(a.id.cmp(&b.id))
    });
    let mut spent: i64 = 0;
    let mut tallies = Vec::new();
    let mut winners = Vec::new();
    for (i, p) in ranked.iter().enumerate() {
        let v = votes[p.id.as_str()];
        let won = v > 0 && p.cost_cents >= 0 && spent.saturating_add(p.cost_cents) <= budget_cents;
        if won {
            spent += p.cost_cents;
            winners.push(p.id.clone());
        }
        tallies.push(Tally { project_id: p.id.clone(), votes: v, cost_cents: p.cost_cents, rank: i as u32 + 1, won });
    }
    Outcome { ballots: ballots.len() as u64, tallies, winners, spent_cents: spent, budget_cents }
}

/// Does a buurt lie in an area (gemeente, wijk or buurt)? CBS codes nest: BU + the
/// municipality's 4 digits + 2 for the wijk + 2 for the buurt, WK + 6, GM + 4.
pub fn buurt_in_area(buurt: &str, area: &str) -> bool {
    let (Some(b), Some(a)) = (buurt.strip_prefix("BU"), area.get(2..)) else { return false };
    let known = area.starts_with("GM") || area.starts_with("WK") || area.starts_with("BU");
    known && !a.is_empty() && b.len() == 8 && b.starts_with(a)
}

/// A Dutch postcode as "1234AB" (spaces removed, letters upper case), or `None`.
pub fn normalise_postcode(raw: &str) -> Option<String> {
    let p: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let b = p.as_bytes();
    let ok = b.len() == 6
        && b[0] != b'0'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_uppercase);
    ok.then_some(p)
}

/// An e-mail address trimmed and lower-cased, when it looks like one (one '@', a dot in
/// the domain, no spaces, at most 254 characters).
pub fn normalise_email(raw: &str) -> Option<String> {
    let e = raw.trim().to_lowercase();
    let (local, domain) = e.split_once('@')?;
    let ok = e.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ','));
    ok.then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(id: &str, euros: i64) -> Project {
        Project { id: id.into(), cost_cents: euros * 100 }
    }

    fn b(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn phases_only_move_forward_one_step() {
        assert_eq!(Phase::Ideas.move_to(Phase::Assessment, 0), Ok(Phase::Assessment));
        assert_eq!(
            Phase::Ideas.move_to(Phase::Voting, 5),
            Err(PhaseError::NotNext { from: "ideas", expected: "assessment" })
        );
        assert_eq!(Phase::Assessment.move_to(Phase::Voting, 1), Err(PhaseError::TooFewProjects));
        assert_eq!(Phase::Assessment.move_to(Phase::Voting, 2), Ok(Phase::Voting));
        assert!(Phase::Voting.move_to(Phase::Assessment, 3).is_err(), "never back");
        assert_eq!(Phase::Result.move_to(Phase::Result, 3), Err(PhaseError::Finished));
        for ph in Phase::ALL {
            assert_eq!(Phase::parse(ph.code()), Some(ph));
        }
    }

    #[test]
    fn initiatives_pass_the_threshold_then_staff_assess() {
        use InitiativeStatus::*;
        assert_eq!(Proposed.after_support(24, 25), Proposed);
        assert_eq!(Proposed.after_support(25, 25), Supported);
        assert_eq!(Supported.after_support(40, 25), Supported);
        assert!(!Proposed.can_move_to(InAssessment), "below the threshold residents decide");
        assert!(Supported.can_move_to(InAssessment));
        assert!(InAssessment.can_move_to(Accepted) && InAssessment.can_move_to(Rejected));
        assert!(Accepted.can_move_to(InRound) && InAssessment.can_move_to(InRound));
        assert!(!Rejected.can_move_to(Accepted) && !InRound.can_move_to(Proposed));
        for s in InitiativeStatus::ALL {
            assert_eq!(InitiativeStatus::parse(s.code()), Some(s));
        }
    }

    #[test]
    fn ballots_follow_the_rule() {
        let projects = vec![p("a", 4_000), p("b", 3_000), p("c", 2_000)];
        let half = VoteRule::ShareOfBudget { percent: 50 };
        // Budget 10,000: a ballot may cost 5,000.
        assert_eq!(validate_ballot(half, 1_000_000, &projects, &b(&["c", "b"])), Ok(b(&["b", "c"])));
        assert_eq!(
            validate_ballot(half, 1_000_000, &projects, &b(&["a", "c"])),
            Err(BallotError::OverBudget { total_cents: 600_000, limit_cents: 500_000 })
        );
        let two = VoteRule::MaxProjects { k: 2 };
        assert_eq!(
            validate_ballot(two, 1_000_000, &projects, &b(&["a", "b", "c"])),
            Err(BallotError::TooMany { chosen: 3, max: 2 })
        );
        assert_eq!(validate_ballot(two, 1, &projects, &b(&[])), Err(BallotError::Empty));
        assert_eq!(validate_ballot(two, 1, &projects, &b(&["x"])), Err(BallotError::Unknown("x".into())));
        assert_eq!(validate_ballot(two, 1, &projects, &b(&["a", "a"])), Err(BallotError::Duplicate("a".into())));
        assert!(VoteRule::ShareOfBudget { percent: 0 }.validate().is_err());
        assert!(VoteRule::MaxProjects { k: 0 }.validate().is_err());
    }

    /// Hand-counted: budget € 10.000, five projects, seven ballots.
    ///
    /// | project | cost    | ballots choosing it | votes |
    /// |---------|---------|---------------------|-------|
    /// | speel   | € 6.000 | 1 2 3 4 5           | 5     |
    /// | bank    | € 1.500 | 1 3 6 7             | 4     |
    /// | groen   | € 3.000 | 2 4 6 7             | 4     |
    /// | licht   | € 2.500 | 5 6                 | 2     |
    /// | kunst   | €   500 | (none)              | 0     |
    ///
    /// Ranking: speel 5; bank and groen tie at 4, bank is cheaper; licht 2; kunst 0.
    /// Greedy: speel (6.000 spent), bank (7.500), groen would make 10.500 > 10.000: skipped;
    /// licht makes exactly 10.000: wins; kunst has no votes. Winners: speel, bank, licht.
    #[test]
    fn hand_counted_round() {
        let projects = vec![p("speel", 6_000), p("bank", 1_500), p("groen", 3_000), p("licht", 2_500), p("kunst", 500)];
        let ballots = vec![
            b(&["speel", "bank"]),
            b(&["speel", "groen"]),
            b(&["speel", "bank"]),
            b(&["speel", "groen"]),
            b(&["speel", "licht"]),
            b(&["bank", "groen", "licht"]),
            b(&["bank", "groen"]),
        ];
        let o = count(&projects, &ballots, 1_000_000);
        let votes: Vec<(&str, u64, bool)> = o.tallies.iter().map(|t| (t.project_id.as_str(), t.votes, t.won)).collect();
        assert_eq!(
            votes,
            vec![("speel", 5, true), ("bank", 4, true), ("groen", 4, false), ("licht", 2, true), ("kunst", 0, false)]
        );
        assert_eq!(o.winners, b(&["speel", "bank", "licht"]));
        assert_eq!(o.spent_cents, 1_000_000);
        assert_eq!(o.ballots, 7);
    }

    #[test]
    fn ties_on_votes_and_cost_go_to_the_lower_id() {
        let projects = vec![p("b", 600), p("a", 600)];
        let o = count(&projects, &[b(&["a", "b"])], 100_000);
        assert_eq!(o.winners, b(&["a"]), "only one fits; a before b");
    }

    #[test]
    fn codes_and_addresses() {
        assert!(buurt_in_area("BU99010101", "WK990101"));
        assert!(buurt_in_area("BU99010101", "GM9901"));
        assert!(buurt_in_area("BU99010101", "BU99010101"));
        assert!(!buurt_in_area("BU99010201", "WK990101"));
        assert!(!buurt_in_area("BU99010101", "XX990101"));
        assert_eq!(normalise_postcode(" 9110 ab"), Some("9110AB".into()));
        assert_eq!(normalise_postcode("0110AB"), None);
        assert_eq!(normalise_postcode("911AB"), None);
        assert_eq!(normalise_email(" Anna@Example.NL "), Some("anna@example.nl".into()));
        assert_eq!(normalise_email("anna@@x.nl"), None);
        assert_eq!(normalise_email("anna@localhost"), None);
        assert_eq!(euros(1_234_500), "€ 12.345");
        assert_eq!(euros(50), "€ 0,50");
    }

    fn round() -> impl Strategy<Value = (Vec<Project>, Vec<Vec<String>>, i64)> {
        (1usize..8, 0i64..2_000_000).prop_flat_map(|(n, budget)| {
            let costs = prop::collection::vec(0i64..800_000, n);
            let ballots = prop::collection::vec(prop::collection::vec(0..n, 0..n + 1), 0..30);
            (costs, ballots).prop_map(move |(costs, ballots)| {
                let projects: Vec<Project> =
                    costs.iter().enumerate().map(|(i, &c)| Project { id: format!("p{i}"), cost_cents: c }).collect();
                let ballots = ballots.into_iter().map(|bl| bl.into_iter().map(|i| format!("p{i}")).collect()).collect();
                (projects, ballots, budget)
            })
        })
    }

    proptest! {
        #[test]
        fn winners_never_exceed_the_budget((projects, ballots, budget) in round()) {
            let o = count(&projects, &ballots, budget);
            let cost: i64 = o.winners.iter().map(|w| projects.iter().find(|p| &p.id == w).map_or(0, |p| p.cost_cents)).sum();
            prop_assert!(cost <= budget);
            prop_assert_eq!(cost, o.spent_cents);
            let total: u64 = o.tallies.iter().map(|t| t.votes).sum();
            let cast: u64 = ballots.iter().map(|bl| bl.iter().collect::<BTreeSet<_>>().len() as u64).sum();
            prop_assert_eq!(total, cast, "every choice counted once");
        }

        #[test]
        fn ballot_order_does_not_change_the_result((projects, ballots, budget) in round(), seed in any::<u64>()) {
            let mut shuffled = ballots.clone();
            // A deterministic shuffle driven by the seed.
            let mut s = seed | 1;
            for i in (1..shuffled.len()).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                shuffled.swap(i, (s % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(count(&projects, &ballots, budget), count(&projects, &shuffled, budget));
        }

        #[test]
        fn a_losing_project_with_votes_did_not_fit((projects, ballots, budget) in round()) {
            let o = count(&projects, &ballots, budget);
            let mut spent = 0;
            for t in &o.tallies {
                if t.won { spent += t.cost_cents; }
                else if t.votes > 0 { prop_assert!(spent + t.cost_cents > budget, "greedy: it would have fitted"); }
            }
        }
    }
}
