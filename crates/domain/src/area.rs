//! Areas as CBS defines them: gemeente (GMgggg), wijk (WKggggww) and buurt (BUggggwwbb),
//! plus the country (NL00; StatLine tables may call it NL01) as the national reference row.
//!
//! Since 2022 some municipalities (Amsterdam first) use letters in the wijk and buurt part:
//! `WK0363AA`, `BU0363AA01`. The published grammar is `GM` + 4 digits, `WK` + 4 digits + 2
//! alphanumerics and `BU` + 4 digits + 4 alphanumerics; the 4 digits always name the
//! municipality and a buurt's first 6 characters after the prefix always name its wijk.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The level of an area in the CBS hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AreaKind {
    Land,
    Gemeente,
    Wijk,
    Buurt,
}

impl AreaKind {
    pub const ALL: [AreaKind; 4] = [AreaKind::Land, AreaKind::Gemeente, AreaKind::Wijk, AreaKind::Buurt];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::Land => "land",
            AreaKind::Gemeente => "gemeente",
            AreaKind::Wijk => "wijk",
            AreaKind::Buurt => "buurt",
        }
    }

    /// Dutch label as used in the interface.
    pub fn label_nl(self) -> &'static str {
        match self {
            AreaKind::Land => "Land",
            AreaKind::Gemeente => "Gemeente",
            AreaKind::Wijk => "Wijk",
            AreaKind::Buurt => "Buurt",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AreaKind::Land => "Country",
            AreaKind::Gemeente => "Municipality",
            AreaKind::Wijk => "District",
            AreaKind::Buurt => "Neighbourhood",
        }
    }

    /// The CBS code prefix of this level.
    pub fn prefix(self) -> &'static str {
        match self {
            AreaKind::Land => "NL",
            AreaKind::Gemeente => "GM",
            AreaKind::Wijk => "WK",
            AreaKind::Buurt => "BU",
        }
    }

    /// Number of characters after the prefix.
    fn code_len(self) -> usize {
        match self {
            AreaKind::Land => 2,
            AreaKind::Gemeente => 4,
            AreaKind::Wijk => 6,
            AreaKind::Buurt => 8,
        }
    }

    /// The kind one level down, if any.
    pub fn child(self) -> Option<AreaKind> {
        match self {
            AreaKind::Land => Some(AreaKind::Gemeente),
            AreaKind::Gemeente => Some(AreaKind::Wijk),
            AreaKind::Wijk => Some(AreaKind::Buurt),
            AreaKind::Buurt => None,
        }
    }

    /// Parses the CBS `SoortRegio` text ("Gemeente  ", "Wijk", "Buurt", "Land") or our own key.
    pub fn from_cbs_label(label: &str) -> Option<AreaKind> {
        match label.trim().to_ascii_lowercase().as_str() {
            "land" | "nederland" => Some(AreaKind::Land),
            "gemeente" => Some(AreaKind::Gemeente),
            "wijk" => Some(AreaKind::Wijk),
            "buurt" => Some(AreaKind::Buurt),
            _ => None,
        }
    }
}

impl fmt::Display for AreaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AreaKind {
    type Err = AreaCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaKind::from_cbs_label(s).ok_or_else(|| AreaCodeError::UnknownKind(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaCodeError {
    #[error("'{0}' is not a CBS area code: expected GM + 4 digits, WK + 4 digits + 2 letters or digits, BU + 4 digits + 4 letters or digits, or NL00/NL01")]
    Malformed(String),
    #[error("'{0}' is not an area kind: expected gemeente, wijk or buurt")]
    UnknownKind(String),
}

/// The country's code as stored.
pub const NATIONAL_CODE: &str = "NL00";

/// A validated CBS area code such as `GM0363`, `WK036300`, `WK0363AA` or `BU03630000`.
/// Stored upper case; the country is always `NL00`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

impl AreaCode {
    /// Parses a code, accepting surrounding whitespace (CBS pads codes to 10 characters)
    /// and lower case.
    pub fn parse(raw: &str) -> Result<AreaCode, AreaCodeError> {
        let code = raw.trim().to_ascii_uppercase();
        let kind = match code.get(..2) {
            Some("NL") => AreaKind::Land,
            Some("GM") => AreaKind::Gemeente,
            Some("WK") => AreaKind::Wijk,
            Some("BU") => AreaKind::Buurt,
            _ => return Err(AreaCodeError::Malformed(raw.trim().to_string())),
        };
        let rest = code.as_bytes().get(2..).unwrap_or_default();
        let malformed = || AreaCodeError::Malformed(raw.trim().chars().take(40).collect());
        if rest.len() != kind.code_len() {
            return Err(malformed());
        }
        // The municipality number is always digits; the wijk and buurt parts may hold letters.
        let digits = if kind == AreaKind::Land { 2 } else { 4 };
        let (number, local) = rest.split_at(digits);
        if !number.iter().all(u8::is_ascii_digit) || !local.iter().all(u8::is_ascii_alphanumeric) {
            return Err(malformed());
        }
        if kind == AreaKind::Land {
            // CBS writes the country as NL00 in KWB and NL01 in other StatLine tables: one row.
            return match number {
                b"00" | b"01" => Ok(AreaCode(NATIONAL_CODE.to_string())),
                _ => Err(malformed()),
            };
        }
        Ok(AreaCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> AreaKind {
        match &self.0[..2] {
            "NL" => AreaKind::Land,
            "GM" => AreaKind::Gemeente,
            "WK" => AreaKind::Wijk,
            _ => AreaKind::Buurt,
        }
    }

    /// The code of the municipality this area lies in (itself for a municipality).
    /// The country has none.
    pub fn municipality(&self) -> Option<AreaCode> {
        match self.kind() {
            AreaKind::Land => None,
            _ => Some(AreaCode(format!("GM{}", &self.0[2..6]))),
        }
    }

    /// The parent in the CBS hierarchy: buurt → wijk → gemeente → country.
    /// CBS codes nest by prefix: BU gggg ww bb lies in WK gggg ww, which lies in GM gggg.
    pub fn parent(&self) -> Option<AreaCode> {
        match self.kind() {
            AreaKind::Land => None,
            AreaKind::Gemeente => Some(AreaCode(NATIONAL_CODE.to_string())),
            AreaKind::Wijk => self.municipality(),
            AreaKind::Buurt => Some(AreaCode(format!("WK{}", &self.0[2..8]))),
        }
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AreaCode {
    type Err = AreaCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaCode::parse(s)
    }
}

impl TryFrom<String> for AreaCode {
    type Error = AreaCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        AreaCode::parse(&value)
    }
}

impl From<AreaCode> for String {
    fn from(code: AreaCode) -> String {
        code.0
    }
}

/// One area in one year, as published by CBS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub code: AreaCode,
    pub year: i32,
    pub kind: AreaKind,
    pub name: String,
    pub parent: Option<AreaCode>,
    pub municipality: Option<AreaCode>,
    /// Made-up demo or test areas. They are never ranked, averaged or listed with real
    /// ones, and their figures never carry a real source line.
    #[serde(default)]
    pub fictional: bool,
}

impl Area {
    pub fn new(code: AreaCode, year: i32, name: impl Into<String>) -> Area {
        Area {
            kind: code.kind(),
            parent: code.parent(),
            municipality: code.municipality(),
            code,
            year,
            name: name.into(),
            fictional: false,
        }
    }

    /// The same area, marked as made up.
    pub fn fictional(mut self) -> Area {
        self.fictional = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_padded_cbs_codes() {
        let code = AreaCode::parse("BU03630001  ").expect("valid");
        assert_eq!(code.as_str(), "BU03630001");
        assert_eq!(code.kind(), AreaKind::Buurt);
        assert_eq!(code.parent().map(String::from).as_deref(), Some("WK036300"));
        assert_eq!(code.municipality().map(String::from).as_deref(), Some("GM0363"));
    }

    #[test]
    fn wijk_parent_is_municipality_and_municipality_parent_is_country() {
        let wijk = AreaCode::parse("wk036305").expect("valid");
        assert_eq!(wijk.parent().map(String::from).as_deref(), Some("GM0363"));
        let gm = AreaCode::parse("GM0363").expect("valid");
        assert_eq!(gm.parent().map(String::from).as_deref(), Some("NL00"));
        assert_eq!(AreaCode::parse("NL00").expect("valid").parent(), None);
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "",
            "GM36",
            "GM03630",
            "WK0363",
            "BU0363000",
            "XX0363",
            "G",
            "GM03A3",
            "WKAB0363",
            "BU0363-001",
            "NL02",
            "WK0363É1",
            "GM0363 WK",
        ] {
            assert!(AreaCode::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn letters_in_wijk_and_buurt_codes_since_2022() {
        let wijk = AreaCode::parse("WK0363AA").expect("Amsterdam's lettered wijk");
        assert_eq!(wijk.kind(), AreaKind::Wijk);
        assert_eq!(wijk.municipality().map(String::from).as_deref(), Some("GM0363"));
        let buurt = AreaCode::parse("bu0363aa01").expect("lower case is folded");
        assert_eq!(buurt.as_str(), "BU0363AA01");
        assert_eq!(buurt.parent(), Some(wijk));
    }

    #[test]
    fn the_country_is_one_code_whether_written_nl00_or_nl01() {
        assert_eq!(AreaCode::parse("NL01").expect("StatLine's land row").as_str(), NATIONAL_CODE);
        assert_eq!(AreaCode::parse("NL00").expect("KWB's land row").as_str(), NATIONAL_CODE);
    }

    #[test]
    fn kind_from_cbs_label_trims_padding() {
        assert_eq!(AreaKind::from_cbs_label("Gemeente  "), Some(AreaKind::Gemeente));
        assert_eq!(AreaKind::from_cbs_label("Buurt     "), Some(AreaKind::Buurt));
        assert_eq!(AreaKind::from_cbs_label("Provincie"), None);
    }

    proptest! {
        #[test]
        fn every_buurt_nests_in_its_wijk_and_municipality(g in 0u32..10000, w in 0u32..100, b in 0u32..100) {
            let code = AreaCode::parse(&format!("BU{g:04}{w:02}{b:02}")).expect("valid");
            let wijk = code.parent().expect("parent");
            prop_assert_eq!(wijk.kind(), AreaKind::Wijk);
            prop_assert_eq!(wijk.municipality(), code.municipality());
            prop_assert_eq!(wijk.parent(), code.municipality());
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = AreaCode::parse(&s);
        }

        /// Every published form (digits or letters) survives parse → text (as in URLs and
        /// CSV cells) → parse, and nests by prefix.
        #[test]
        fn published_codes_round_trip(g in 0u32..10000, w in "[0-9A-Z]{2}", b in "[0-9A-Z]{2}", lower in any::<bool>()) {
            for raw in [format!("GM{g:04}"), format!("WK{g:04}{w}"), format!("BU{g:04}{w}{b}")] {
                let input = if lower { raw.to_ascii_lowercase() } else { raw.clone() };
                let code = AreaCode::parse(&format!(" {input}  ")).expect("published form");
                prop_assert_eq!(code.as_str(), raw.as_str());
                let again: AreaCode = code.to_string().parse().expect("round trip");
                prop_assert_eq!(&again, &code);
                let json = serde_json::to_string(&code).expect("json");
                let back: AreaCode = serde_json::from_str(&json).expect("json round trip");
                prop_assert_eq!(&back, &code);
                prop_assert_eq!(code.municipality().map(String::from), Some(format!("GM{g:04}")));
            }
        }
    }
}
