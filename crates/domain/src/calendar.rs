//! Dates, Dutch public holidays and service-level deadlines in working days or calendar
//! days. Used for outreach deadlines after a signal (issue 4) and service levels of
//! public-space reports (issue 8).
//!
//! Holidays follow the Algemene termijnenwet (art. 3 lid 1): Nieuwjaarsdag, tweede
//! Paasdag, Hemelvaartsdag, tweede Pinksterdag, eerste en tweede Kerstdag, Koningsdag and
//! 5 mei; Goede Vrijdag is optional because many organisations work on it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a date such as 2026-11-23")]
pub struct DateError(pub String);

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    pub fn new(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        if (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) {
            Ok(Date { year, month, day })
        } else {
            Err(DateError(format!("{year:04}-{month:02}-{day:02}")))
        }
    }

    /// Parses YYYY-MM-DD.
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let err = || DateError(s.to_string());
        let mut parts = s.trim().splitn(3, '-');
        let y = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let m = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let d = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        Date::new(y, m, d).map_err(|_| err())
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's days_from_civil.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn add_days(self, n: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// 1 = Monday … 7 = Sunday (ISO 8601).
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        ((self.days_since_epoch() + 3).rem_euclid(7) + 1) as u32
    }

    pub fn is_weekend(self) -> bool {
        self.weekday() >= 6
    }
}

/// The last Sunday of a month (for the EU's summer-time rule).
fn last_sunday(year: i32, month: u32) -> Date {
    let next_first =
        if month == 12 { Date { year: year + 1, month: 1, day: 1 } } else { Date { year, month: month + 1, day: 1 } };
    let last = next_first.add_days(-1);
    last.add_days(-i64::from(last.weekday() % 7))
}

/// Hours Amsterdam (Europe/Amsterdam) is ahead of UTC at a moment: 2 in summer time,
/// which runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday
/// of October (EU directive 2000/84/EC), else 1.
pub fn amsterdam_offset_hours(utc_ms: i64) -> i64 {
    let date = Date::from_days_since_epoch(utc_ms.div_euclid(86_400_000));
    let start = last_sunday(date.year, 3).days_since_epoch() * 86_400_000 + 3_600_000;
    let end = last_sunday(date.year, 10).days_since_epoch() * 86_400_000 + 3_600_000;
    if (start..end).contains(&utc_ms) {
        2
    } else {
        1
    }
}

/// The Amsterdam calendar date and time (hours, minutes) of a moment in UTC milliseconds.
pub fn amsterdam_local(utc_ms: i64) -> (Date, u32, u32) {
    let local = utc_ms + amsterdam_offset_hours(utc_ms) * 3_600_000;
    let date = Date::from_days_since_epoch(local.div_euclid(86_400_000));
    let rem = local.rem_euclid(86_400_000);
    (date, (rem / 3_600_000) as u32, (rem / 60_000 % 60) as u32)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
pub fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date { year, month: month as u32, day: day as u32 }
}

/// Which holidays count. The default follows the Algemene termijnenwet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HolidayRules {
    pub good_friday: bool,
    /// 5 mei every year (Algemene termijnenwet); false: only every fifth year (lustrum).
    pub liberation_day_every_year: bool,
}

impl Default for HolidayRules {
    fn default() -> Self {
        HolidayRules { good_friday: false, liberation_day_every_year: true }
    }
}

/// The Dutch public holidays of a year, with their names, in date order.
pub fn holidays(year: i32, rules: HolidayRules) -> Vec<(Date, &'static str)> {
    let e = easter(year);
    let fixed = |m, d| Date { year, month: m, day: d };
    // Koningsdag is 27 April, or 26 April when the 27th is a Sunday.
    let kings = if fixed(4, 27).weekday() == 7 { fixed(4, 26) } else { fixed(4, 27) };
    let mut out = vec![
        (fixed(1, 1), "Nieuwjaarsdag"),
        (e, "Eerste Paasdag"),
        (e.add_days(1), "Tweede Paasdag"),
        (kings, "Koningsdag"),
        (e.add_days(39), "Hemelvaartsdag"),
        (e.add_days(49), "Eerste Pinksterdag"),
        (e.add_days(50), "Tweede Pinksterdag"),
        (fixed(12, 25), "Eerste Kerstdag"),
        (fixed(12, 26), "Tweede Kerstdag"),
    ];
    if rules.good_friday {
        out.push((e.add_days(-2), "Goede Vrijdag"));
    }
    if rules.liberation_day_every_year || year % 5 == 0 {
        out.push((fixed(5, 5), "Bevrijdingsdag"));
    }
    out.sort();
    out
}

pub fn is_holiday(date: Date, rules: HolidayRules) -> bool {
    holidays(date.year, rules).iter().any(|(d, _)| *d == date)
}

pub fn is_working_day(date: Date, rules: HolidayRules) -> bool {
    !date.is_weekend() && !is_holiday(date, rules)
}

/// How a service level counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Monday–Friday minus public holidays.
    WorkingDays,
    CalendarDays,
}

/// The deadline `n` days after `start`. Working days are counted from the day after
/// `start`, skipping weekends and holidays: Friday + 1 = Monday, and a report on Saturday
/// starts counting on Monday (Saturday + 1 = Monday).
pub fn deadline(start: Date, n: u32, count: DayCount, rules: HolidayRules) -> Date {
    match count {
        DayCount::CalendarDays => start.add_days(i64::from(n)),
        DayCount::WorkingDays => {
            let mut date = start;
            let mut left = n;
            while left > 0 {
                date = date.add_days(1);
                if is_working_day(date, rules) {
                    left -= 1;
                }
            }
            date
        }
    }
}

/// Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier.
pub fn working_days_between(from: Date, to: Date, rules: HolidayRules) -> i64 {
    let (a, b, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
    let mut count = 0;
    let mut d = a;
    while d < b {
        d = d.add_days(1);
        if is_working_day(d, rules) {
            count += 1;
        }
    }
    sign * count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("valid date")
    }

    #[test]
    fn dates_round_trip_and_know_their_weekday() {
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("2026-11-23").weekday(), 1, "a Monday");
        assert_eq!(d("2024-02-29").add_days(1), d("2024-03-01"));
        assert!(Date::parse("2025-02-29").is_err());
        assert!(Date::parse("23-11-2026x").is_err());
        assert_eq!(d("2026-11-23").to_string(), "2026-11-23");
    }

    #[test]
    fn easter_and_moving_holidays_of_known_years() {
        assert_eq!(easter(2024), d("2024-03-31"));
        assert_eq!(easter(2025), d("2025-04-20"));
        assert_eq!(easter(2026), d("2026-04-05"));
        let h: Vec<String> = holidays(2026, HolidayRules::default()).iter().map(|(d, _)| d.to_string()).collect();
        assert!(h.contains(&"2026-04-06".to_string()), "Tweede Paasdag");
        assert!(h.contains(&"2026-05-14".to_string()), "Hemelvaartsdag");
        assert!(h.contains(&"2026-05-25".to_string()), "Tweede Pinksterdag");
        assert!(h.contains(&"2026-04-27".to_string()), "Koningsdag on a Monday");
        // 27 April 2025 was a Sunday: Koningsdag moved to Saturday the 26th.
        assert!(is_holiday(d("2025-04-26"), HolidayRules::default()));
        assert!(!is_holiday(d("2026-04-03"), HolidayRules::default()), "Goede Vrijdag off by default");
        assert!(is_holiday(d("2026-04-03"), HolidayRules { good_friday: true, ..HolidayRules::default() }));
        assert!(!is_holiday(
            d("2026-05-05"),
            HolidayRules { liberation_day_every_year: false, ..HolidayRules::default() }
        ));
        assert!(is_holiday(
            d("2025-05-05"),
            HolidayRules { liberation_day_every_year: false, ..HolidayRules::default() }
        ));
    }

    #[test]
    fn working_day_deadlines_skip_weekends_and_holidays() {
        let r = HolidayRules::default();
        // Friday + 1 working day = Monday.
        assert_eq!(deadline(d("2026-11-20"), 1, DayCount::WorkingDays, r), d("2026-11-23"));
        // A report on Saturday starts counting on Monday.
        assert_eq!(deadline(d("2026-11-21"), 1, DayCount::WorkingDays, r), d("2026-11-23"));
        // Thursday 24 Dec + 2 working days: 25 and 26 Dec are holidays, then a weekend.
        assert_eq!(deadline(d("2026-12-24"), 2, DayCount::WorkingDays, r), d("2026-12-29"));
        // Around Easter 2026: Thursday 2 April + 2 = Tuesday 7 April (Easter Monday skipped).
        assert_eq!(deadline(d("2026-04-02"), 2, DayCount::WorkingDays, r), d("2026-04-07"));
        assert_eq!(deadline(d("2026-11-20"), 3, DayCount::CalendarDays, r), d("2026-11-23"));
        assert_eq!(working_days_between(d("2026-11-20"), d("2026-11-27"), r), 5);
        assert_eq!(working_days_between(d("2026-11-27"), d("2026-11-20"), r), -5);
    }

    proptest! {
        #[test]
        fn day_numbers_round_trip(days in -800_000i64..800_000) {
            prop_assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }

        #[test]
        fn a_working_day_deadline_is_a_working_day_exactly_n_working_days_later(start in 18_000i64..25_000, n in 1u32..60) {
            let r = HolidayRules::default();
            let s = Date::from_days_since_epoch(start);
            let due = deadline(s, n, DayCount::WorkingDays, r);
            prop_assert!(is_working_day(due, r));
            prop_assert_eq!(working_days_between(s, due, r), i64::from(n));
        }
    }

    #[test]
    fn amsterdam_time_follows_the_eu_summer_time_rule() {
        let ms = |y, m, d, h: i64, min: i64| {
            Date::new(y, m, d).expect("date").days_since_epoch() * 86_400_000 + h * 3_600_000 + min * 60_000
        };
        // Winter: UTC+1. 7 December 2026, 06:44 UTC is 07:44 in Amsterdam.
        assert_eq!(amsterdam_local(ms(2026, 12, 7, 6, 44)), (Date::new(2026, 12, 7).expect("d"), 7, 44));
        // Summer time starts 29 March 2026 at 01:00 UTC and ends 25 October 2026 at 01:00 UTC.
        assert_eq!(amsterdam_offset_hours(ms(2026, 3, 29, 0, 59)), 1);
        assert_eq!(amsterdam_offset_hours(ms(2026, 3, 29, 1, 0)), 2);
        assert_eq!(amsterdam_offset_hours(ms(2026, 10, 25, 0, 59)), 2);
        assert_eq!(amsterdam_offset_hours(ms(2026, 10, 25, 1, 0)), 1);
        // Late in the evening UTC is the next day in Amsterdam.
        assert_eq!(amsterdam_local(ms(2026, 6, 30, 22, 30)), (Date::new(2026, 7, 1).expect("d"), 0, 30));
    }
}
