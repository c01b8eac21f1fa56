//! Early signalling and outreach (vroegsignalering): partner intake, matching per
//! household, routing, deadlines, contact attempts and outcomes, partner feedback,
//! retention and figures. Every access to personal data goes through the gate.

pub mod ddas;
pub mod figures;
pub mod ingest;
pub mod intake;
pub mod outreach;
pub mod retention;

use crate::AppError;
use leefwijk_domain::calendar::Date;
use leefwijk_domain::disclosure::DisclosureControl;
use leefwijk_domain::signals::deadlines::DeadlinePolicy;
use serde::Deserialize;

/// Configuration of the signals capability (`[signals]` in leefwijk.toml).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignalsConfig {
    pub deadlines: DeadlinePolicy,
    pub disclosure: DisclosureControl,
    /// Who delivers early-signalling records to CBS (DDAS, docs/ddas.md).
    pub ddas: ddas::DdasConfig,
    /// A fixed "today" (YYYY-MM-DD) instead of the system clock: for tests and
    /// demonstrations only.
    #[serde(skip)]
    pub fixed_today: Option<Date>,
}

impl SignalsConfig {
    /// Today's date in the Netherlands (UTC+1, or UTC+2 from the last Sunday of March to
    /// the last Sunday of October), unless fixed.
    pub fn today(&self) -> Date {
        if let Some(d) = self.fixed_today {
            return d;
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let utc = Date::from_days_since_epoch(secs.div_euclid(86_400));
        let last_sunday = |month: u32| {
            let end = Date { year: utc.year, month, day: 31 };
            end.add_days(-(i64::from(end.weekday()) % 7))
        };
        let summer = utc >= last_sunday(3) && utc < last_sunday(10);
        let offset = if summer { 2 * 3600 } else { 3600 };
        Date::from_days_since_epoch((secs + offset).div_euclid(86_400))
    }
}

pub(crate) fn vault_open(key: &[u8], sealed: &str) -> Result<String, AppError> {
    crate::access::vault::open(key, sealed)
}
