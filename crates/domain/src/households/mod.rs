//! Households with stacked problems (issue 5): one household, one plan, one coordinator
//! (1 huishouden, 1 plan, 1 regisseur). Pure rules for the involvement index and its
//! matches, consent, the joint plan and ZRM assessments.
//!
//! Dates in the serialised forms of these types are ISO strings (YYYY-MM-DD), as in the
//! API and the database.

pub mod consent;
pub mod involvement;
pub mod zrm;

pub use consent::{has_consent, Consent, ConsentError};
pub use involvement::{
    add_years, escalation_date, escalation_due, expires_on, informing_due, is_active, matches, turns_23_on,
    Coordination, Informing, Involvement, InvolvementError, MatchKind, YouthRegime, DEFAULT_ESCALATION_WORKING_DAYS,
    YOUTH_AGE_LIMIT, YOUTH_MAX_TERM_YEARS,
};
pub use zrm::{
    average_change, change, progress_series, Assessment, AssessmentError, Level, LevelError, LifeDomain, ZRM_2017,
};

use crate::calendar::Date;
use serde::{Deserialize, Serialize};

/// The life cycle of a joint plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Active,
    Closed,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 3] = [PlanStatus::Draft, PlanStatus::Active, PlanStatus::Closed];

    pub fn code(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Active => "active",
            PlanStatus::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<PlanStatus> {
        let code = code.trim();
        PlanStatus::ALL.into_iter().find(|s| s.code().eq_ignore_ascii_case(code))
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            PlanStatus::Draft => "Concept",
            PlanStatus::Active => "Actief",
            PlanStatus::Closed => "Afgesloten",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PlanStatus::Draft => "Draft",
            PlanStatus::Active => "Active",
            PlanStatus::Closed => "Closed",
        }
    }

    /// Draft → Active → Closed; a draft may also be closed (the household stops before the
    /// plan starts). A closed plan stays closed: its retention term is running.
    pub fn can_move_to(self, next: PlanStatus) -> bool {
        matches!(
            (self, next),
            (PlanStatus::Draft, PlanStatus::Active)
                | (PlanStatus::Draft, PlanStatus::Closed)
                | (PlanStatus::Active, PlanStatus::Closed)
        )
    }
}

/// How a joint plan ended; recorded on closing, after which the retention term runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanOutcome {
    GoalsReached,
    PartlyReached,
    NotReached,
    Moved,
    StoppedByHousehold,
    Other,
}

impl PlanOutcome {
    pub const ALL: [PlanOutcome; 6] = [
        PlanOutcome::GoalsReached,
        PlanOutcome::PartlyReached,
        PlanOutcome::NotReached,
        PlanOutcome::Moved,
        PlanOutcome::StoppedByHousehold,
        PlanOutcome::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlanOutcome::GoalsReached => "goals_reached",
            PlanOutcome::PartlyReached => "partly_reached",
            PlanOutcome::NotReached => "not_reached",
            PlanOutcome::Moved => "moved",
            PlanOutcome::StoppedByHousehold => "stopped_by_household",
            PlanOutcome::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<PlanOutcome> {
        let code = code.trim();
        PlanOutcome::ALL.into_iter().find(|o| o.code().eq_ignore_ascii_case(code))
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            PlanOutcome::GoalsReached => "Doelen bereikt",
            PlanOutcome::PartlyReached => "Doelen deels bereikt",
            PlanOutcome::NotReached => "Doelen niet bereikt",
            PlanOutcome::Moved => "Verhuisd",
            PlanOutcome::StoppedByHousehold => "Gestopt op verzoek van het huishouden",
            PlanOutcome::Other => "Anders",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PlanOutcome::GoalsReached => "Goals reached",
            PlanOutcome::PartlyReached => "Goals partly reached",
            PlanOutcome::NotReached => "Goals not reached",
            PlanOutcome::Moved => "Moved",
            PlanOutcome::StoppedByHousehold => "Stopped at the household's request",
            PlanOutcome::Other => "Other",
        }
    }
}

/// One action of a joint plan, in a life domain, owned by one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PlanAction)]
pub struct Action {
    pub domain: LifeDomain,
    pub description: String,
    pub owner_organisation: String,
    #[serde(with = "crate::households::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub due: Date,
    #[serde(default, with = "crate::households::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<Date>,
}

impl Action {
    /// Not done and `today` is past the due date (an action due today is not overdue yet).
    pub fn is_overdue(&self, today: Date) -> bool {
        self.done_on.is_none() && self.due < today
    }
}

/// The actions that are overdue on `today`, in their given order.
pub fn overdue_actions(actions: &[Action], today: Date) -> Vec<&Action> {
    actions.iter().filter(|a| a.is_overdue(today)).collect()
}

/// Serde helpers: a [`Date`] as an ISO string "YYYY-MM-DD".
pub(crate) mod iso_date {
    use crate::calendar::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
        let raw = String::deserialize(de)?;
        Date::parse(&raw).map_err(serde::de::Error::custom)
    }

    /// The same for `Option<Date>` (use with `#[serde(default)]`).
    pub mod option {
        use crate::calendar::Date;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match date {
                Some(d) => s.serialize_some(&d.to_string()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Date>, D::Error> {
            Option::<String>::deserialize(de)?
                .map(|raw| Date::parse(&raw).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("valid date")
    }

    fn action(due: &str, done: Option<&str>) -> Action {
        Action {
            domain: LifeDomain::Finances,
            description: "Apply for debt help".to_string(),
            owner_organisation: "org-debt".to_string(),
            due: d(due),
            done_on: done.map(d),
        }
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let actions =
            vec![action("2026-03-01", None), action("2026-03-10", None), action("2026-02-01", Some("2026-02-20"))];
        let today = d("2026-03-10");
        let overdue = overdue_actions(&actions, today);
        assert_eq!(overdue, vec![&actions[0]]);
        assert!(!actions[1].is_overdue(today), "due today is not overdue");
        assert!(actions[1].is_overdue(d("2026-03-11")));
        assert!(overdue_actions(&[], today).is_empty());
    }

    #[test]
    fn plan_status_and_outcome_codes_round_trip() {
        for s in PlanStatus::ALL {
            assert_eq!(PlanStatus::parse(s.code()), Some(s));
            assert!(!s.label_nl().is_empty() && !s.label_en().is_empty());
        }
        for o in PlanOutcome::ALL {
            assert_eq!(PlanOutcome::parse(o.code()), Some(o));
            assert!(!o.label_nl().is_empty() && !o.label_en().is_empty());
        }
        assert_eq!(PlanOutcome::parse("stopped_by_household"), Some(PlanOutcome::StoppedByHousehold));
        assert_eq!(PlanOutcome::parse("finished"), None);
        assert_eq!(PlanStatus::parse(" ACTIVE "), Some(PlanStatus::Active));
    }

    #[test]
    fn plan_status_moves_forward_only() {
        assert!(PlanStatus::Draft.can_move_to(PlanStatus::Active));
        assert!(PlanStatus::Active.can_move_to(PlanStatus::Closed));
        assert!(PlanStatus::Draft.can_move_to(PlanStatus::Closed));
        assert!(!PlanStatus::Closed.can_move_to(PlanStatus::Active));
        assert!(!PlanStatus::Active.can_move_to(PlanStatus::Draft));
        assert!(!PlanStatus::Active.can_move_to(PlanStatus::Active));
    }
}
