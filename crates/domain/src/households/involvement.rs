//! The involvement index (Verwijsindex pattern, Jeugdwet §7.1): an organisation registers
//! only THAT it is involved with a person, never why. Two active registrations of
//! different organisations for the same person, or for family members (same household or
//! parent), make a match; the professionals agree on a coordinator, and without one the
//! match escalates to the municipality's coordinator after a number of working days.
//!
//! Under the youth regime (under 23) a registration lives at most 2 years, ends at the
//! 23rd birthday or at death, and the duty to inform the parents (child under 16) and the
//! young person (12 and over) is recorded, or a reasoned deferral (RULES.md,
//! "Involvement index").
//!
//! Dates are half-open: a registration that expires or ends on a date is no longer
//! active on that date.

use crate::calendar::{deadline, Date, DayCount, HolidayRules};
use serde::{Deserialize, Serialize};

/// Working days after a match within which the involved organisations choose a
/// coordinator before the match escalates to the municipality's coordinator for the area.
/// Local policy: configurable; this is the default.
pub const DEFAULT_ESCALATION_WORKING_DAYS: u32 = 10;

/// The longest life of a youth-regime registration, in years (Jeugdwet art. 7.1.3.3
/// pattern; many regions use 1 year, which the application can enforce by setting an
/// earlier expected end).
pub const YOUTH_MAX_TERM_YEARS: i32 = 2;

/// The age at which the youth regime ends.
pub const YOUTH_AGE_LIMIT: i32 = 23;

/// One registration: organisation X is involved with subject Y since `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Involvement {
    pub id: String,
    /// The subject's pseudonym (keyed HMAC of the BSN), never the BSN itself.
    pub subject: String,
    pub organisation: String,
    #[serde(with = "crate::households::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    #[serde(default, with = "crate::households::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_end: Option<Date>,
    /// Present when the subject is under 23 at registration.
    #[serde(default)]
    pub youth: Option<YouthRegime>,
    /// Ended early by the registering organisation.
    #[serde(default, with = "crate::households::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub ended: Option<Date>,
}

/// The extra facts of a youth-regime registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct YouthRegime {
    /// The 23rd birthday (see [`turns_23_on`]).
    #[serde(with = "crate::households::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub turns_23_on: Date,
    #[serde(default, with = "crate::households::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub deceased_on: Option<Date>,
    pub informed: Informing,
}

/// The duty to inform the parents and the young person of the registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Informing {
    /// Parents and young person were informed.
    Informed {
        #[serde(with = "crate::households::iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
    },
    /// Informing is deferred for a recorded reason (for example the young person's
    /// safety), until a date on which it is due again.
    Deferred {
        reason: String,
        #[serde(with = "crate::households::iso_date")]
        #[schema(value_type = String, format = Date)]
        until: Date,
    },
    /// Not yet informed, no deferral.
    Pending,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvolvementError {
    #[error("an involvement registration names its {0}")]
    Missing(&'static str),
    #[error("the expected end {end} lies before the start {start}")]
    ExpectedEndBeforeStart { start: Date, end: Date },
    #[error("the end {end} lies before the start {start}")]
    EndedBeforeStart { start: Date, end: Date },
    #[error("a deferral of the duty to inform needs a reason")]
    DeferralWithoutReason,
}

impl InvolvementError {
    /// Stable code for the API and logs.
    pub fn code(&self) -> &'static str {
        match self {
            InvolvementError::Missing(_) => "involvement_missing_field",
            InvolvementError::ExpectedEndBeforeStart { .. } => "involvement_expected_end_before_start",
            InvolvementError::EndedBeforeStart { .. } => "involvement_ended_before_start",
            InvolvementError::DeferralWithoutReason => "involvement_deferral_without_reason",
        }
    }
}

impl Involvement {
    /// Checks a registration before it is stored. The reason for the involvement is not
    /// part of the type at all: there is nothing to validate there.
    pub fn validate(&self) -> Result<(), InvolvementError> {
        for (value, name) in [(&self.id, "id"), (&self.subject, "subject"), (&self.organisation, "organisation")] {
            if value.trim().is_empty() {
                return Err(InvolvementError::Missing(name));
            }
        }
        if let Some(end) = self.expected_end.filter(|e| *e < self.start) {
            return Err(InvolvementError::ExpectedEndBeforeStart { start: self.start, end });
        }
        if let Some(end) = self.ended.filter(|e| *e < self.start) {
            return Err(InvolvementError::EndedBeforeStart { start: self.start, end });
        }
        if let Some(YouthRegime { informed: Informing::Deferred { reason, .. }, .. }) = &self.youth {
            if reason.trim().is_empty() {
                return Err(InvolvementError::DeferralWithoutReason);
            }
        }
        Ok(())
    }
}

/// `date` plus whole years. 29 February becomes 28 February in a year without it: the
/// earlier day, so a term never runs longer than the stated number of years.
pub fn add_years(date: Date, years: i32) -> Date {
    let year = date.year + years;
    Date::new(year, date.month, date.day).unwrap_or(Date { year, month: 2, day: 28 })
}

/// The 23rd birthday of someone born on `birth_date` (28 February for a 29 February
/// birth in a common year: the youth regime then ends a day early rather than late).
pub fn turns_23_on(birth_date: Date) -> Date {
    add_years(birth_date, YOUTH_AGE_LIMIT)
}

/// The first day on which the registration is no longer active by its own terms (not
/// counting an early `ended`):
/// - youth regime: the earliest of start + 2 years, the 23rd birthday, the date of death,
///   and the expected end if one was set;
/// - otherwise: the expected end, or `None` when open-ended.
pub fn expires_on(inv: &Involvement) -> Option<Date> {
    match &inv.youth {
        Some(youth) => {
            let term = add_years(inv.start, YOUTH_MAX_TERM_YEARS);
            let candidates = [Some(term), Some(youth.turns_23_on), youth.deceased_on, inv.expected_end];
            candidates.into_iter().flatten().min()
        }
        None => inv.expected_end,
    }
}

/// Active on `today`: started, not expired and not ended early.
pub fn is_active(inv: &Involvement, today: Date) -> bool {
    inv.start <= today && expires_on(inv).is_none_or(|e| today < e) && inv.ended.is_none_or(|e| today < e)
}

/// Whether the duty to inform the parents and the young person is open on `today`: an
/// active youth-regime registration that is not informed (on or before today) and not
/// validly deferred. A deferral without a reason does not count, and a deferral is due
/// again from its `until` date. Adult registrations carry no such duty here.
pub fn informing_due(inv: &Involvement, today: Date) -> bool {
    let Some(youth) = &inv.youth else {
        return false;
    };
    if !is_active(inv, today) {
        return false;
    }
    match &youth.informed {
        Informing::Informed { on } => *on > today,
        Informing::Deferred { reason, until } => reason.trim().is_empty() || today >= *until,
        Informing::Pending => true,
    }
}

/// Why two registrations match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Both registrations are for the same person.
    Person,
    /// The registrations are for family members: same household or a parent.
    Family,
}

impl MatchKind {
    /// The kind of the match between a new registration and a matching existing one.
    pub fn of(new: &Involvement, other: &Involvement) -> MatchKind {
        if new.subject == other.subject {
            MatchKind::Person
        } else {
            MatchKind::Family
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MatchKind::Person => "person",
            MatchKind::Family => "family",
        }
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            MatchKind::Person => "Match op dezelfde persoon",
            MatchKind::Family => "Match binnen het gezin",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            MatchKind::Person => "Match on the same person",
            MatchKind::Family => "Match within the family",
        }
    }
}

/// The registrations `new` matches on `today`: active registrations of OTHER
/// organisations for the same subject, or for a subject `related` to it (family link:
/// same household or parent; the caller decides, in either direction). A registration
/// that is itself not active on `today` matches nothing, and `new` never matches itself
/// (same id).
pub fn matches<'a>(
    new: &Involvement,
    existing: &'a [Involvement],
    related: &dyn Fn(&str, &str) -> bool,
    today: Date,
) -> Vec<&'a Involvement> {
    if !is_active(new, today) {
        return Vec::new();
    }
    existing
        .iter()
        .filter(|e| e.id != new.id && e.organisation != new.organisation && is_active(e, today))
        .filter(|e| e.subject == new.subject || related(&new.subject, &e.subject))
        .collect()
}

/// The coordination of a match: who coordinates (regisseur), once agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Coordination {
    #[serde(with = "crate::households::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub matched_on: Date,
    /// The coordinating organisation.
    #[serde(default)]
    pub coordinator: Option<String>,
}

impl Coordination {
    /// See [`escalation_due`].
    pub fn escalation_due(&self, days: u32, rules: HolidayRules, today: Date) -> Option<Date> {
        escalation_due(self.matched_on, self.coordinator.is_some(), days, rules, today)
    }
}

/// The date on which a match without a coordinator escalates: `days` working days after
/// `matched_on` (weekends and Dutch public holidays skipped).
pub fn escalation_date(matched_on: Date, days: u32, rules: HolidayRules) -> Date {
    deadline(matched_on, days, DayCount::WorkingDays, rules)
}

/// The escalation date when the match must escalate on `today`: no coordinator chosen
/// and `today` on or after [`escalation_date`]. `None` otherwise.
pub fn escalation_due(
    matched_on: Date,
    coordinator_chosen: bool,
    days: u32,
    rules: HolidayRules,
    today: Date,
) -> Option<Date> {
    if coordinator_chosen {
        return None;
    }
    let due = escalation_date(matched_on, days, rules);
    (today >= due).then_some(due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::working_days_between;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("valid date")
    }

    fn adult(id: &str, subject: &str, org: &str, start: &str) -> Involvement {
        Involvement {
            id: id.to_string(),
            subject: subject.to_string(),
            organisation: org.to_string(),
            start: d(start),
            expected_end: None,
            youth: None,
            ended: None,
        }
    }

    fn youth(start: &str, turns_23: &str) -> Involvement {
        Involvement {
            youth: Some(YouthRegime { turns_23_on: d(turns_23), deceased_on: None, informed: Informing::Pending }),
            ..adult("y1", "p-young", "org-a", start)
        }
    }

    #[test]
    fn youth_registration_lives_at_most_two_years() {
        let inv = youth("2026-03-01", "2031-07-01");
        assert_eq!(expires_on(&inv), Some(d("2028-03-01")));
        assert!(is_active(&inv, d("2026-03-01")));
        assert!(is_active(&inv, d("2028-02-29")));
        assert!(!is_active(&inv, d("2028-03-01")));
        assert!(!is_active(&inv, d("2026-02-28")), "not active before its start");
    }

    #[test]
    fn youth_registration_ends_at_23_before_the_two_year_term() {
        let inv = youth("2026-03-01", "2027-01-15");
        assert_eq!(expires_on(&inv), Some(d("2027-01-15")));
        assert!(is_active(&inv, d("2027-01-14")));
        assert!(!is_active(&inv, d("2027-01-15")), "no longer under 23 on the birthday");
    }

    #[test]
    fn youth_registration_ends_at_death() {
        let mut inv = youth("2026-03-01", "2030-01-01");
        if let Some(y) = inv.youth.as_mut() {
            y.deceased_on = Some(d("2026-09-10"));
        }
        assert_eq!(expires_on(&inv), Some(d("2026-09-10")));
        assert!(is_active(&inv, d("2026-09-09")));
        assert!(!is_active(&inv, d("2026-09-10")));
    }

    #[test]
    fn an_earlier_expected_end_shortens_a_youth_registration() {
        let inv = Involvement { expected_end: Some(d("2027-03-01")), ..youth("2026-03-01", "2031-01-01") };
        assert_eq!(expires_on(&inv), Some(d("2027-03-01")), "a one-year regional term");
        let later = Involvement { expected_end: Some(d("2029-01-01")), ..youth("2026-03-01", "2031-01-01") };
        assert_eq!(expires_on(&later), Some(d("2028-03-01")), "never beyond two years");
    }

    #[test]
    fn adult_registration_ends_at_expected_end_or_runs_on() {
        let open = adult("a1", "p1", "org-a", "2026-01-01");
        assert_eq!(expires_on(&open), None);
        assert!(is_active(&open, d("2040-01-01")));
        let bounded = Involvement { expected_end: Some(d("2026-06-30")), ..open.clone() };
        assert!(is_active(&bounded, d("2026-06-29")));
        assert!(!is_active(&bounded, d("2026-06-30")));
        let ended = Involvement { ended: Some(d("2026-02-01")), ..open };
        assert!(!is_active(&ended, d("2026-02-01")));
    }

    #[test]
    fn leap_day_terms_end_on_28_february() {
        assert_eq!(add_years(d("2024-02-29"), 2), d("2026-02-28"));
        assert_eq!(add_years(d("2024-02-29"), 4), d("2028-02-29"));
        assert_eq!(turns_23_on(d("2004-02-29")), d("2027-02-28"));
        assert_eq!(turns_23_on(d("2005-06-15")), d("2028-06-15"));
    }

    #[test]
    fn informing_is_due_until_done_or_validly_deferred() {
        let today = d("2026-04-01");
        let mut inv = youth("2026-03-01", "2031-01-01");
        assert!(informing_due(&inv, today), "pending");

        let set = |inv: &mut Involvement, informed: Informing| {
            if let Some(y) = inv.youth.as_mut() {
                y.informed = informed;
            }
        };
        set(&mut inv, Informing::Informed { on: d("2026-03-05") });
        assert!(!informing_due(&inv, today));
        assert!(informing_due(&inv, d("2026-03-04")), "not yet informed on an earlier day");

        set(&mut inv, Informing::Deferred { reason: "Safety of the young person".to_string(), until: d("2026-06-01") });
        assert!(!informing_due(&inv, today));
        assert!(informing_due(&inv, d("2026-06-01")), "due again when the deferral runs out");

        set(&mut inv, Informing::Deferred { reason: "   ".to_string(), until: d("2026-06-01") });
        assert!(informing_due(&inv, today), "a deferral without a reason does not count");
        assert_eq!(inv.validate(), Err(InvolvementError::DeferralWithoutReason));

        set(&mut inv, Informing::Pending);
        assert!(!informing_due(&inv, d("2028-03-01")), "expired registrations carry no duty");
        assert!(!informing_due(&adult("a1", "p1", "org-a", "2026-01-01"), today), "adults: no youth duty");
    }

    #[test]
    fn validation_of_registrations() {
        let ok = adult("a1", "p1", "org-a", "2026-01-01");
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(
            Involvement { subject: " ".to_string(), ..ok.clone() }.validate(),
            Err(InvolvementError::Missing("subject"))
        );
        let err = Involvement { expected_end: Some(d("2025-12-31")), ..ok.clone() }.validate();
        assert!(matches!(err, Err(InvolvementError::ExpectedEndBeforeStart { .. })));
        let err = Involvement { ended: Some(d("2025-12-31")), ..ok }.validate().expect_err("ended before start");
        assert_eq!(err.code(), "involvement_ended_before_start");
    }

    #[test]
    fn matches_other_organisations_for_same_or_related_subjects() {
        let today = d("2026-05-01");
        let existing = vec![
            adult("e1", "p1", "org-b", "2026-01-01"), // person match
            adult("e2", "p1", "org-a", "2026-01-01"), // same organisation
            adult("e3", "p2", "org-c", "2026-01-01"), // family member
            adult("e4", "p3", "org-d", "2026-01-01"), // unrelated
            Involvement { ended: Some(d("2026-04-01")), ..adult("e5", "p1", "org-e", "2026-01-01") }, // ended
            adult("e6", "p1", "org-f", "2026-06-01"), // not started yet
        ];
        let new = adult("n1", "p1", "org-a", "2026-05-01");
        let family = |a: &str, b: &str| matches!((a, b), ("p1", "p2") | ("p2", "p1"));
        let found: Vec<&str> = matches(&new, &existing, &family, today).iter().map(|i| i.id.as_str()).collect();
        assert_eq!(found, vec!["e1", "e3"]);
        assert_eq!(MatchKind::of(&new, &existing[0]), MatchKind::Person);
        assert_eq!(MatchKind::of(&new, &existing[2]), MatchKind::Family);

        // No family link: only the person match.
        let found = matches(&new, &existing, &|_, _| false, today);
        assert_eq!(found.len(), 1);

        // An expired new registration matches nothing.
        let expired = Involvement { expected_end: Some(d("2026-04-01")), ..new };
        assert!(matches(&expired, &existing, &family, today).is_empty());
    }

    #[test]
    fn expired_youth_registrations_do_not_match() {
        let young = Involvement {
            organisation: "org-b".to_string(),
            subject: "p1".to_string(),
            ..youth("2026-03-01", "2027-01-15")
        };
        let new = adult("n1", "p1", "org-a", "2027-01-10");
        assert_eq!(
            matches(&new, std::slice::from_ref(&young), &|_, _| false, d("2027-01-14")).len(),
            1,
            "still under 23"
        );
        assert!(matches(&new, &[young], &|_, _| false, d("2027-01-15")).is_empty(), "turned 23");
    }

    #[test]
    fn escalation_after_ten_working_days_skips_christmas() {
        let rules = HolidayRules::default();
        // Thursday 17 December 2026. Ten working days skip 25 December (Friday), the
        // weekends and 1 January 2027 (Friday): Monday 4 January 2027.
        let matched = d("2026-12-17");
        assert_eq!(escalation_date(matched, DEFAULT_ESCALATION_WORKING_DAYS, rules), d("2027-01-04"));
        assert_eq!(escalation_due(matched, false, DEFAULT_ESCALATION_WORKING_DAYS, rules, d("2026-12-31")), None);
        assert_eq!(escalation_due(matched, false, DEFAULT_ESCALATION_WORKING_DAYS, rules, d("2027-01-03")), None);
        assert_eq!(
            escalation_due(matched, false, DEFAULT_ESCALATION_WORKING_DAYS, rules, d("2027-01-04")),
            Some(d("2027-01-04"))
        );
        assert_eq!(
            escalation_due(matched, false, DEFAULT_ESCALATION_WORKING_DAYS, rules, d("2027-02-01")),
            Some(d("2027-01-04")),
            "still due later"
        );
        assert_eq!(escalation_due(matched, true, DEFAULT_ESCALATION_WORKING_DAYS, rules, d("2027-02-01")), None);

        let open = Coordination { matched_on: matched, coordinator: None };
        assert_eq!(open.escalation_due(3, rules, d("2026-12-22")), Some(d("2026-12-22")));
        let agreed = Coordination { coordinator: Some("org-b".to_string()), ..open };
        assert_eq!(agreed.escalation_due(3, rules, d("2026-12-22")), None);
    }

    fn arb_youth() -> impl Strategy<Value = Involvement> {
        (18_000i64..25_000, 0i64..4_000, proptest::option::of(0i64..2_000), proptest::option::of(0i64..2_000)).prop_map(
            |(start, to_23, died, expected)| {
                let start = Date::from_days_since_epoch(start);
                Involvement {
                    id: "y".to_string(),
                    subject: "p".to_string(),
                    organisation: "org".to_string(),
                    start,
                    expected_end: expected.map(|e| start.add_days(e)),
                    youth: Some(YouthRegime {
                        turns_23_on: start.add_days(to_23),
                        deceased_on: died.map(|x| start.add_days(x)),
                        informed: Informing::Pending,
                    }),
                    ended: None,
                }
            },
        )
    }

    proptest! {
        #[test]
        fn youth_expiry_never_after_two_years_23_or_death(inv in arb_youth()) {
            let expiry = expires_on(&inv).expect("youth registrations always expire");
            let youth = inv.youth.as_ref().expect("youth");
            prop_assert!(expiry <= add_years(inv.start, 2));
            prop_assert!(expiry <= youth.turns_23_on);
            if let Some(died) = youth.deceased_on {
                prop_assert!(expiry <= died);
            }
            prop_assert!(!is_active(&inv, expiry));
            prop_assert!(!is_active(&inv, add_years(inv.start, 2)));
        }

        #[test]
        fn escalation_is_exactly_n_working_days_after_the_match(matched in 18_000i64..25_000, n in 1u32..30, offset in 0i64..60) {
            let rules = HolidayRules::default();
            let matched = Date::from_days_since_epoch(matched);
            let today = matched.add_days(offset);
            match escalation_due(matched, false, n, rules, today) {
                Some(due) => {
                    prop_assert!(today >= due);
                    prop_assert_eq!(working_days_between(matched, due, rules), i64::from(n));
                }
                None => prop_assert!(working_days_between(matched, today, rules) < i64::from(n)),
            }
            prop_assert_eq!(escalation_due(matched, true, n, rules, today), None);
        }
    }
}
