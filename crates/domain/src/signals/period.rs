//! A reporting period of early-signalling figures and deliveries: a calendar month
//! (`2026-11`) or the days from one date to another, both included.

use crate::calendar::Date;
use std::fmt;

/// The longest period one delivery or figure covers: a year (a leap year's 366 days).
pub const MAX_DAYS: i64 = 366;

/// Days from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    /// Given as a calendar month (`YYYY-MM`).
    pub whole_month: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("'{0}' is not a month such as 2026-11")]
    Month(String),
    #[error("'{0}' is not a date such as 2026-11-01")]
    Date(String),
    #[error("the period ends ({to}) before it starts ({from})")]
    Reversed { from: Date, to: Date },
    #[error("the period runs {days} days; at most {MAX_DAYS} are allowed")]
    TooLong { days: i64 },
}

fn last_day(year: i32, month: u32) -> Date {
    let next =
        if month == 12 { Date { year: year + 1, month: 1, day: 1 } } else { Date { year, month: month + 1, day: 1 } };
    next.add_days(-1)
}

impl Period {
    /// A calendar month written `YYYY-MM`.
    pub fn month(text: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError::Month(text.trim().chars().take(20).collect());
        let t = text.trim();
        let (y, m) = t.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        let from = Date::new(year, month, 1).map_err(|_| err())?;
        Ok(Period { from, to: last_day(year, month), whole_month: true })
    }

    /// The days from `from` to `to` (`YYYY-MM-DD`), both included.
    pub fn between(from: &str, to: &str) -> Result<Period, PeriodError> {
        let date = |t: &str| Date::parse(t).map_err(|_| PeriodError::Date(t.trim().chars().take(20).collect()));
        let (from, to) = (date(from)?, date(to)?);
        if to < from {
            return Err(PeriodError::Reversed { from, to });
        }
        let days = to.days_since_epoch() - from.days_since_epoch() + 1;
        if days > MAX_DAYS {
            return Err(PeriodError::TooLong { days });
        }
        let whole_month = from.day == 1 && to == last_day(from.year, from.month);
        Ok(Period { from, to, whole_month })
    }

    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }

    pub fn days(&self) -> i64 {
        self.to.days_since_epoch() - self.from.days_since_epoch() + 1
    }

    /// The number of months the period stands for in a per-month rate: 1 for a calendar
    /// month, else its days over the mean month of 30.44 days, at least 1.
    pub fn months(&self) -> u32 {
        if self.whole_month {
            return 1;
        }
        ((self.days() as f64 / 30.436_875).round() as u32).max(1)
    }
}

impl fmt::Display for Period {
    /// `2026-11` for a calendar month, else `2026-11-01/2026-11-15` (ISO 8601 interval).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.whole_month {
            write!(f, "{:04}-{:02}", self.from.year, self.from.month)
        } else {
            write!(f, "{}/{}", self.from, self.to)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_runs_from_its_first_to_its_last_day() {
        let p = Period::month("2026-11").expect("month");
        assert_eq!((p.from.to_string(), p.to.to_string()), ("2026-11-01".into(), "2026-11-30".into()));
        assert_eq!(Period::month("2028-02").expect("leap").to.day, 29);
        assert_eq!(Period::month("2026-12").expect("december").to.to_string(), "2026-12-31");
        assert_eq!((p.months(), p.days(), p.to_string()), (1, 30, "2026-11".to_string()));
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-11-01", "abcd-ef"] {
            assert!(matches!(Period::month(bad), Err(PeriodError::Month(_))), "{bad}");
        }
    }

    #[test]
    fn dates_must_be_in_order_and_at_most_a_year_apart() {
        let p = Period::between("2026-11-01", "2026-11-30").expect("period");
        assert_eq!(p, Period::month("2026-11").expect("month"), "a whole month given as dates is that month");
        let q = Period::between("2026-10-15", "2027-01-14").expect("period");
        assert_eq!((q.months(), q.to_string()), (3, "2026-10-15/2027-01-14".to_string()));
        assert!(
            q.contains(Date { year: 2026, month: 12, day: 1 }) && !q.contains(Date { year: 2027, month: 1, day: 15 })
        );
        assert!(matches!(Period::between("2026-11-30", "2026-11-01"), Err(PeriodError::Reversed { .. })));
        assert!(matches!(Period::between("2025-01-01", "2026-11-01"), Err(PeriodError::TooLong { .. })));
        assert!(matches!(Period::between("2026-11-31", "2026-12-01"), Err(PeriodError::Date(_))));
    }
}
