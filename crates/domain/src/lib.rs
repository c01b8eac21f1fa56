//! Leefwijk's domain: pure types and rules, no I/O. Everything here is unit-tested and
//! safe to call from any layer.

pub mod access;
pub mod area;
pub mod calendar;
pub mod choropleth;
pub mod disclosure;
pub mod figures;
pub mod geometry;
pub mod households;
pub mod housing;
pub mod indicators;
pub mod pressure;
pub mod programme;
pub mod residents;
pub mod signals;
pub mod tiles;
pub mod trend;

pub use area::{Area, AreaCode, AreaCodeError, AreaKind};
pub use figures::{derive, DataSource, Figures, MissingMarker};
pub use indicators::{IndicatorDef, Unit, CATALOGUE};

/// Interface language: Dutch first, English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the Dutch or English text.
    pub fn t<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}
