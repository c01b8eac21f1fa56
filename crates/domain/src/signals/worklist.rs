//! The outreach worklist as a tool: which stage a case is in and what needs a person first.
//! Households still waiting for a first contact come before cases already under way (an
//! old reached case must never push an unreached crisis down the list), a crisis comes
//! first within its stage, then the earliest deadline, then the highest priority.

use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// Where a case stands in the outreach, in worklist order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkStage {
    /// Open, no contact with the household yet: the work of the deadline.
    FirstContact,
    /// Open, contact was tried or made: follow-up until an outcome is recorded.
    InProgress,
    /// An outcome was recorded.
    Closed,
}

impl WorkStage {
    pub const ALL: [WorkStage; 3] = [WorkStage::FirstContact, WorkStage::InProgress, WorkStage::Closed];

    pub fn of(open: bool, first_contact_made: bool) -> WorkStage {
        match (open, first_contact_made) {
            (false, _) => WorkStage::Closed,
            (true, false) => WorkStage::FirstContact,
            (true, true) => WorkStage::InProgress,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            WorkStage::FirstContact => "first_contact",
            WorkStage::InProgress => "in_progress",
            WorkStage::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<WorkStage> {
        WorkStage::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            WorkStage::FirstContact => "Wacht op eerste contact",
            WorkStage::InProgress => "Contact gezocht of gelegd",
            WorkStage::Closed => "Afgesloten",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            WorkStage::FirstContact => "Awaiting first contact",
            WorkStage::InProgress => "Contact tried or made",
            WorkStage::Closed => "Closed",
        }
    }
}

/// What the order looks at in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Urgency<'a> {
    pub stage: WorkStage,
    pub crisis: bool,
    /// ISO date of the deadline (sorts as a date).
    pub due_on: &'a str,
    pub priority: i64,
}

/// The worklist's sort key: stage, crisis first, earliest deadline, highest priority.
pub fn order_key(u: Urgency<'_>) -> (WorkStage, bool, &str, Reverse<i64>) {
    (u.stage, !u.crisis, u.due_on, Reverse(u.priority))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(stage: WorkStage, crisis: bool, due_on: &'static str, priority: i64) -> Urgency<'static> {
        Urgency { stage, crisis, due_on, priority }
    }

    /// Issue 17, item 7: reached cases from months ago sorted above the ones that still
    /// needed a first contact, and a crisis unreached since August had only a badge.
    #[test]
    fn first_contact_comes_first_and_a_crisis_tops_its_stage() {
        let mut cases = [
            ("reached in July", u(WorkStage::InProgress, false, "2026-07-01", 3)),
            ("closed", u(WorkStage::Closed, true, "2026-06-01", 13)),
            ("new, due next week", u(WorkStage::FirstContact, false, "2026-12-14", 5)),
            ("crisis since August", u(WorkStage::FirstContact, true, "2026-08-20", 13)),
            ("new, due tomorrow", u(WorkStage::FirstContact, false, "2026-12-08", 2)),
            ("new, due tomorrow, heavier", u(WorkStage::FirstContact, false, "2026-12-08", 4)),
        ];
        cases.sort_by_key(|(_, c)| order_key(*c));
        let order: Vec<&str> = cases.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            order,
            [
                "crisis since August",
                "new, due tomorrow, heavier",
                "new, due tomorrow",
                "new, due next week",
                "reached in July",
                "closed"
            ]
        );
    }

    #[test]
    fn stages_follow_open_and_contact_and_parse_back() {
        assert_eq!(WorkStage::of(true, false), WorkStage::FirstContact);
        assert_eq!(WorkStage::of(true, true), WorkStage::InProgress);
        assert_eq!(WorkStage::of(false, false), WorkStage::Closed);
        for s in WorkStage::ALL {
            assert_eq!(WorkStage::parse(s.code()), Some(s));
            assert_ne!(s.label_nl(), s.label_en());
        }
    }
}
