//! Outreach figures per area: signals per 1,000 households per month, the share of cases
//! reached, the share that accepted help, and the median number of working days from
//! receipt to first contact. Disclosure control is applied by the caller's choice of
//! [`DisclosureControl`]: none for the owning team, the default for everyone else.

use super::Outcome;
use crate::calendar::{working_days_between, Date, HolidayRules};
use crate::disclosure::DisclosureControl;
use serde::Serialize;

/// One case as the figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub opened_on: Date,
    pub first_contact_on: Option<Date>,
    pub reached: bool,
    /// The GGM outcome of a closed case; none while open.
    pub outcome: Option<Outcome>,
    pub signals: u64,
}

/// Figures of one area over a period, after disclosure control.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutreachFigures {
    pub months: u32,
    pub signals: Option<u64>,
    pub cases: Option<u64>,
    pub signals_per_1000_households_per_month: Option<f64>,
    pub share_reached: Option<f64>,
    pub share_accepted_help: Option<f64>,
    pub median_working_days_to_first_contact: Option<f64>,
    /// Cases not closed yet.
    pub open_cases: Option<u64>,
    /// Closed cases per GGM outcome, every outcome in the order of [`Outcome::ALL`].
    pub outcomes: Vec<OutcomeCount>,
}

/// The number of closed cases with one outcome, after disclosure control.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = SignalOutcomeCount)]
pub struct OutcomeCount {
    pub outcome: Outcome,
    pub cases: Option<u64>,
}

/// The median of a list (the mean of the middle two for an even count).
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) as f64 / 2.0 } else { values[mid] as f64 })
}

/// Figures for the cases of one area over `months` months; `households` is the area's
/// number of households (CBS), when known.
pub fn figures(
    cases: &[CaseFacts],
    months: u32,
    households: Option<f64>,
    holidays: HolidayRules,
    control: DisclosureControl,
) -> OutreachFigures {
    let n_cases = cases.len() as u64;
    let n_signals: u64 = cases.iter().map(|c| c.signals).sum();
    let reached = cases.iter().filter(|c| c.reached).count() as u64;
    let accepted = cases.iter().filter(|c| c.outcome.is_some_and(Outcome::accepted_help)).count() as u64;
    let open = cases.iter().filter(|c| c.outcome.is_none()).count() as u64;
    let outcomes = Outcome::ALL
        .into_iter()
        .map(|outcome| OutcomeCount {
            outcome,
            cases: control.count(cases.iter().filter(|c| c.outcome == Some(outcome)).count() as u64),
        })
        .collect();
    let mut days: Vec<i64> = cases
        .iter()
        .filter_map(|c| c.first_contact_on.map(|f| working_days_between(c.opened_on, f, holidays).max(0)))
        .collect();
    let per_1000 = match (control.count(n_signals), households) {
        (Some(_), Some(h)) if h > 0.0 && months > 0 => Some(n_signals as f64 / h * 1000.0 / f64::from(months)),
        _ => None,
    };
    OutreachFigures {
        months,
        signals: control.count(n_signals),
        cases: control.count(n_cases),
        signals_per_1000_households_per_month: per_1000,
        share_reached: control.share(reached, n_cases),
        share_accepted_help: control.share(accepted, n_cases),
        median_working_days_to_first_contact: control.over(days.len() as u64, median(&mut days)),
        open_cases: control.count(open),
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(opened: &str, contact: Option<&str>, reached: bool, accepted: bool) -> CaseFacts {
        CaseFacts {
            opened_on: Date::parse(opened).expect("date"),
            first_contact_on: contact.map(|c| Date::parse(c).expect("date")),
            reached,
            outcome: if accepted {
                Some(Outcome::HelpAcceptedFinancial)
            } else if reached {
                Some(Outcome::NoHelpNeeded)
            } else {
                None
            },
            signals: 2,
        }
    }

    #[test]
    fn figures_are_computed_and_small_areas_hidden() {
        // Monday 2026-11-02 → Wednesday 4th = 2 working days; → Monday 9th = 5.
        let mut cases = vec![
            case("2026-11-02", Some("2026-11-04"), true, true),
            case("2026-11-02", Some("2026-11-09"), true, false),
            case("2026-11-02", Some("2026-11-03"), false, false),
            case("2026-11-02", None, false, false),
        ];
        let open = figures(&cases, 1, Some(400.0), HolidayRules::default(), DisclosureControl::NONE);
        assert_eq!(open.signals, Some(8));
        assert_eq!(open.signals_per_1000_households_per_month, Some(20.0));
        assert_eq!(open.share_reached, Some(0.5));
        assert_eq!(open.share_accepted_help, Some(0.25));
        assert_eq!(open.median_working_days_to_first_contact, Some(2.0));
        assert_eq!(open.open_cases, Some(2));
        let count = |f: &OutreachFigures, o: Outcome| f.outcomes.iter().find(|c| c.outcome == o).and_then(|c| c.cases);
        assert_eq!(
            (count(&open, Outcome::HelpAcceptedFinancial), count(&open, Outcome::NoHelpNeeded)),
            (Some(1), Some(1))
        );
        assert_eq!(count(&open, Outcome::Deceased), Some(0));
        assert_eq!(open.outcomes.len(), Outcome::ALL.len());
        let public = figures(&cases, 1, Some(400.0), HolidayRules::default(), DisclosureControl::default());
        assert_eq!(
            (public.cases, public.share_reached, public.median_working_days_to_first_contact),
            (None, None, None)
        );
        cases.extend(std::iter::repeat_n(case("2026-11-02", Some("2026-11-05"), true, false), 8));
        let public = figures(&cases, 1, Some(400.0), HolidayRules::default(), DisclosureControl::default());
        assert_eq!(public.cases, Some(10), "12 cases rounded to 10");
        assert_eq!(public.signals, Some(25), "24 signals rounded to 25");
        assert_eq!(public.share_reached, Some(10.0 / 12.0));
    }
}
