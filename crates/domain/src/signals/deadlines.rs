//! Outreach deadlines per kind of signal: a number of working days (Dutch public holidays
//! excluded) or calendar days after receipt. Configurable in `leefwijk.toml`; the defaults
//! follow common municipal practice: 3 working days for a crisis or an end of energy
//! supply, 10 working days otherwise.

use super::SignalKind;
use crate::calendar::{deadline, Date, DayCount, HolidayRules};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub days: u32,
    #[serde(default = "working_days")]
    pub count: DayCount,
}

fn working_days() -> DayCount {
    DayCount::WorkingDays
}

impl DeadlineRule {
    pub const fn working(days: u32) -> DeadlineRule {
        DeadlineRule { days, count: DayCount::WorkingDays }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlinePolicy {
    /// Applies to every signal flagged as a crisis, whatever its kind.
    pub crisis: DeadlineRule,
    /// Kinds with their own term.
    pub per_kind: BTreeMap<SignalKind, DeadlineRule>,
    /// Every other kind.
    pub default: DeadlineRule,
    pub holidays: HolidayRules,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            crisis: DeadlineRule::working(3),
            per_kind: BTreeMap::from([(SignalKind::EnergyEndOfSupply, DeadlineRule::working(3))]),
            default: DeadlineRule::working(10),
            holidays: HolidayRules::default(),
        }
    }
}

impl DeadlinePolicy {
    pub fn rule(&self, kind: SignalKind, crisis: bool) -> DeadlineRule {
        let for_kind = self.per_kind.get(&kind).copied().unwrap_or(self.default);
        if crisis && self.crisis.days < for_kind.days {
            self.crisis
        } else {
            for_kind
        }
    }

    /// The date by which first contact is due for a signal received on `received`.
    pub fn due(&self, kind: SignalKind, crisis: bool, received: Date) -> Date {
        let rule = self.rule(kind, crisis);
        deadline(received, rule.days, rule.count, self.holidays)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    #[test]
    fn defaults_count_working_days_across_holidays() {
        let p = DeadlinePolicy::default();
        // Thursday 2026-12-24: Friday 25 is Christmas, 26–27 a weekend (and Boxing Day);
        // the three working days are Monday 28, 29 and 30 December.
        assert_eq!(p.due(SignalKind::EnergyEndOfSupply, false, d("2026-12-24")), d("2026-12-30"));
        assert_eq!(p.due(SignalKind::RentArrears, true, d("2026-12-24")), d("2026-12-30"));
        // Ten working days from Thursday 2027-03-25 skip Easter Monday 29 March.
        assert_eq!(p.due(SignalKind::RentArrears, false, d("2027-03-25")), d("2027-04-09"));
    }

    #[test]
    fn configured_terms_override_the_defaults() {
        let toml_like = DeadlinePolicy {
            per_kind: BTreeMap::from([(
                SignalKind::Nuisance,
                DeadlineRule { days: 14, count: DayCount::CalendarDays },
            )]),
            ..DeadlinePolicy::default()
        };
        assert_eq!(toml_like.due(SignalKind::Nuisance, false, d("2026-12-20")), d("2027-01-03"));
        assert_eq!(
            toml_like.due(SignalKind::EnergyEndOfSupply, false, d("2026-11-23")),
            d("2026-12-07"),
            "a kind not configured falls back to the default"
        );
    }
}
