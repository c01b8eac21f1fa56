//! The area programme (wijkaanpak, issue 7): the vocabulary of parties, funding streams and
//! reciprocal commitments, goal progress against monitor indicators, the pooled budget as a
//! double-entry ledger ([`ledger`]) and the social business case ([`business_case`]).
//!
//! Everything here is pure: the app layer loads and stores, this module decides.

pub mod business_case;
pub mod ledger;

use serde::{Deserialize, Serialize};

/// The legal or organisational stream money comes through. Kept apart in the ledger
/// because each funder has to account for its own stream, even when the budget is pooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundingStream {
    Wmo,
    Jeugdwet,
    Participatiewet,
    /// Zorgverzekeringswet, paid through the health insurer.
    Zvw,
    Wlz,
    Corporation,
    Other,
}

impl FundingStream {
    pub const ALL: [FundingStream; 7] = [
        FundingStream::Wmo,
        FundingStream::Jeugdwet,
        FundingStream::Participatiewet,
        FundingStream::Zvw,
        FundingStream::Wlz,
        FundingStream::Corporation,
        FundingStream::Other,
    ];

    /// The stable code, equal to the serde name (used in CSV exports and URLs).
    pub fn code(self) -> &'static str {
        match self {
            FundingStream::Wmo => "wmo",
            FundingStream::Jeugdwet => "jeugdwet",
            FundingStream::Participatiewet => "participatiewet",
            FundingStream::Zvw => "zvw",
            FundingStream::Wlz => "wlz",
            FundingStream::Corporation => "corporation",
            FundingStream::Other => "other",
        }
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            FundingStream::Wmo => "Wmo 2015",
            FundingStream::Jeugdwet => "Jeugdwet",
            FundingStream::Participatiewet => "Participatiewet",
            FundingStream::Zvw => "Zvw (zorgverzekeraar)",
            FundingStream::Wlz => "Wlz",
            FundingStream::Corporation => "Woningcorporatie",
            FundingStream::Other => "Overig",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            FundingStream::Wmo => "Wmo 2015 (social support act)",
            FundingStream::Jeugdwet => "Jeugdwet (youth act)",
            FundingStream::Participatiewet => "Participatiewet (participation act)",
            FundingStream::Zvw => "Zvw (health insurer)",
            FundingStream::Wlz => "Wlz (long-term care act)",
            FundingStream::Corporation => "Housing corporation",
            FundingStream::Other => "Other",
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.t(self.label_nl(), self.label_en())
    }

    /// Accepts the code or the Dutch label, ignoring case and surrounding space, because
    /// imports come from spreadsheets typed by people.
    pub fn parse(s: &str) -> Option<FundingStream> {
        let s = s.trim();
        FundingStream::ALL
            .into_iter()
            .find(|f| f.code().eq_ignore_ascii_case(s) || f.label_nl().eq_ignore_ascii_case(s))
    }
}

/// What a party brings into the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    Money,
    StaffHours,
    Homes,
    Space,
    Data,
}

impl ContributionKind {
    pub const ALL: [ContributionKind; 5] = [
        ContributionKind::Money,
        ContributionKind::StaffHours,
        ContributionKind::Homes,
        ContributionKind::Space,
        ContributionKind::Data,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ContributionKind::Money => "money",
            ContributionKind::StaffHours => "staff_hours",
            ContributionKind::Homes => "homes",
            ContributionKind::Space => "space",
            ContributionKind::Data => "data",
        }
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            ContributionKind::Money => "Geld",
            ContributionKind::StaffHours => "Uren personeel",
            ContributionKind::Homes => "Woningen",
            ContributionKind::Space => "Ruimte",
            ContributionKind::Data => "Gegevens",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ContributionKind::Money => "Money",
            ContributionKind::StaffHours => "Staff hours",
            ContributionKind::Homes => "Homes",
            ContributionKind::Space => "Space",
            ContributionKind::Data => "Data",
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.t(self.label_nl(), self.label_en())
    }

    pub fn parse(s: &str) -> Option<ContributionKind> {
        let s = s.trim();
        ContributionKind::ALL
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(s) || k.label_nl().eq_ignore_ascii_case(s))
    }
}

/// Where a reciprocal commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    Proposed,
    Agreed,
    Delivered,
    Late,
    Withdrawn,
}

impl CommitmentStatus {
    pub const ALL: [CommitmentStatus; 5] = [
        CommitmentStatus::Proposed,
        CommitmentStatus::Agreed,
        CommitmentStatus::Delivered,
        CommitmentStatus::Late,
        CommitmentStatus::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CommitmentStatus::Proposed => "proposed",
            CommitmentStatus::Agreed => "agreed",
            CommitmentStatus::Delivered => "delivered",
            CommitmentStatus::Late => "late",
            CommitmentStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            CommitmentStatus::Proposed => "Voorgesteld",
            CommitmentStatus::Agreed => "Afgesproken",
            CommitmentStatus::Delivered => "Nagekomen",
            CommitmentStatus::Late => "Te laat",
            CommitmentStatus::Withdrawn => "Ingetrokken",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CommitmentStatus::Proposed => "Proposed",
            CommitmentStatus::Agreed => "Agreed",
            CommitmentStatus::Delivered => "Delivered",
            CommitmentStatus::Late => "Late",
            CommitmentStatus::Withdrawn => "Withdrawn",
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.t(self.label_nl(), self.label_en())
    }

    pub fn parse(s: &str) -> Option<CommitmentStatus> {
        let s = s.trim();
        CommitmentStatus::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s) || c.label_nl().eq_ignore_ascii_case(s))
    }

    /// Delivered and withdrawn are final: the results report counts commitments kept, and a
    /// count that can silently change afterwards is not accountability. A changed agreement
    /// is recorded as a new commitment.
    pub fn is_final(self) -> bool {
        matches!(self, CommitmentStatus::Delivered | CommitmentStatus::Withdrawn)
    }

    /// Allowed moves. Only an agreed commitment can fall behind or be delivered (a proposal
    /// promises nothing yet), and a late one can still be delivered. Staying put is not a move.
    pub fn can_move_to(self, next: CommitmentStatus) -> bool {
        use CommitmentStatus::*;
        matches!(
            (self, next),
            (Proposed, Agreed)
                | (Proposed, Withdrawn)
                | (Agreed, Delivered)
                | (Agreed, Late)
                | (Agreed, Withdrawn)
                | (Late, Delivered)
                | (Late, Withdrawn)
        )
    }
}

/// The kind of party in a programme; the issue names these domains explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Gemeente,
    Zorgverzekeraar,
    Zorg,
    Welzijn,
    Politie,
    Justitie,
    Onderwijs,
    Corporatie,
    Bewoners,
    Other,
}

impl PartyRole {
    pub const ALL: [PartyRole; 10] = [
        PartyRole::Gemeente,
        PartyRole::Zorgverzekeraar,
        PartyRole::Zorg,
        PartyRole::Welzijn,
        PartyRole::Politie,
        PartyRole::Justitie,
        PartyRole::Onderwijs,
        PartyRole::Corporatie,
        PartyRole::Bewoners,
        PartyRole::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PartyRole::Gemeente => "gemeente",
            PartyRole::Zorgverzekeraar => "zorgverzekeraar",
            PartyRole::Zorg => "zorg",
            PartyRole::Welzijn => "welzijn",
            PartyRole::Politie => "politie",
            PartyRole::Justitie => "justitie",
            PartyRole::Onderwijs => "onderwijs",
            PartyRole::Corporatie => "corporatie",
            PartyRole::Bewoners => "bewoners",
            PartyRole::Other => "other",
        }
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            PartyRole::Gemeente => "Gemeente",
            PartyRole::Zorgverzekeraar => "Zorgverzekeraar",
            PartyRole::Zorg => "Zorgaanbieder",
            PartyRole::Welzijn => "Welzijnsorganisatie",
            PartyRole::Politie => "Politie",
            PartyRole::Justitie => "Justitie",
            PartyRole::Onderwijs => "Onderwijs",
            PartyRole::Corporatie => "Woningcorporatie",
            PartyRole::Bewoners => "Bewoners",
            PartyRole::Other => "Overig",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PartyRole::Gemeente => "Municipality",
            PartyRole::Zorgverzekeraar => "Health insurer",
            PartyRole::Zorg => "Care provider",
            PartyRole::Welzijn => "Social welfare organisation",
            PartyRole::Politie => "Police",
            PartyRole::Justitie => "Justice",
            PartyRole::Onderwijs => "Education",
            PartyRole::Corporatie => "Housing corporation",
            PartyRole::Bewoners => "Residents",
            PartyRole::Other => "Other",
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.t(self.label_nl(), self.label_en())
    }

    pub fn parse(s: &str) -> Option<PartyRole> {
        let s = s.trim();
        PartyRole::ALL.into_iter().find(|r| r.code().eq_ignore_ascii_case(s) || r.label_nl().eq_ignore_ascii_case(s))
    }
}

/// Whether a goal is reached by the indicator going up (e.g. employment) or down (e.g.
/// evictions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalDirection {
    Increase,
    Decrease,
}

/// Share of the way from baseline to target that `current` has travelled: 0.0 at the
/// baseline, 1.0 at the target. The raw value is returned unclamped, because going
/// backwards (< 0) or overshooting (> 1) is exactly what a results report must show; use
/// [`progress_for_display`] for a progress bar.
///
/// `None` when there is no way to travel (baseline equals target), when the target lies on
/// the wrong side of the baseline for the direction (the goal is mis-specified and any
/// number would mislead), or when an input is not a finite number.
pub fn goal_progress(baseline: f64, target: f64, current: f64, direction: GoalDirection) -> Option<f64> {
    if !(baseline.is_finite() && target.is_finite() && current.is_finite()) || baseline == target {
        return None;
    }
    let consistent = match direction {
        GoalDirection::Increase => target > baseline,
        GoalDirection::Decrease => target < baseline,
    };
    if !consistent {
        return None;
    }
    let share = (current - baseline) / (target - baseline);
    share.is_finite().then_some(share)
}

/// Clamps a raw progress share into 0.0..=1.0 for a progress bar.
pub fn progress_for_display(share: f64) -> f64 {
    if share.is_nan() {
        0.0
    } else {
        share.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn progress_increase_hand_computed() {
        // Employment 60% → 70%; at 64% we are (64-60)/(70-60) = 0.4 of the way.
        assert!(close(goal_progress(60.0, 70.0, 64.0, GoalDirection::Increase), 0.4));
        // Overshoot stays raw: (73-60)/10 = 1.3.
        assert!(close(goal_progress(60.0, 70.0, 73.0, GoalDirection::Increase), 1.3));
        // Moving backwards: (55-60)/10 = -0.5.
        assert!(close(goal_progress(60.0, 70.0, 55.0, GoalDirection::Increase), -0.5));
    }

    #[test]
    fn progress_decrease_hand_computed() {
        // Evictions 40 → 20; at 35 we are (35-40)/(20-40) = 0.25 of the way.
        assert!(close(goal_progress(40.0, 20.0, 35.0, GoalDirection::Decrease), 0.25));
        assert!(close(goal_progress(40.0, 20.0, 20.0, GoalDirection::Decrease), 1.0));
        assert!(close(goal_progress(40.0, 20.0, 50.0, GoalDirection::Decrease), -0.5));
    }

    #[test]
    fn progress_none_when_undefined() {
        assert_eq!(goal_progress(5.0, 5.0, 7.0, GoalDirection::Increase), None);
        assert_eq!(goal_progress(40.0, 20.0, 30.0, GoalDirection::Increase), None);
        assert_eq!(goal_progress(20.0, 40.0, 30.0, GoalDirection::Decrease), None);
        assert_eq!(goal_progress(f64::NAN, 40.0, 30.0, GoalDirection::Increase), None);
    }

    #[test]
    fn display_clamps() {
        assert_eq!(progress_for_display(1.3), 1.0);
        assert_eq!(progress_for_display(-0.5), 0.0);
        assert_eq!(progress_for_display(0.4), 0.4);
        assert_eq!(progress_for_display(f64::NAN), 0.0);
    }

    #[test]
    fn commitment_transitions() {
        use CommitmentStatus::*;
        assert!(Proposed.can_move_to(Agreed));
        assert!(Agreed.can_move_to(Late));
        assert!(Late.can_move_to(Delivered));
        assert!(!Proposed.can_move_to(Delivered));
        assert!(!Proposed.can_move_to(Late));
        assert!(!Late.can_move_to(Agreed));
        for s in CommitmentStatus::ALL {
            assert!(!s.can_move_to(s), "{s:?} to itself is not a move");
            if s.is_final() {
                assert!(CommitmentStatus::ALL.iter().all(|&n| !s.can_move_to(n)), "{s:?} is final");
            }
        }
    }

    #[test]
    fn codes_and_labels_parse_back() {
        for f in FundingStream::ALL {
            assert_eq!(FundingStream::parse(f.code()), Some(f));
            assert_eq!(FundingStream::parse(&f.label_nl().to_uppercase()), Some(f));
        }
        for k in ContributionKind::ALL {
            assert_eq!(ContributionKind::parse(k.code()), Some(k));
        }
        for c in CommitmentStatus::ALL {
            assert_eq!(CommitmentStatus::parse(c.label_nl()), Some(c));
        }
        for r in PartyRole::ALL {
            assert_eq!(PartyRole::parse(&format!(" {} ", r.code())), Some(r));
        }
        assert_eq!(FundingStream::parse("nonsense"), None);
    }
}
