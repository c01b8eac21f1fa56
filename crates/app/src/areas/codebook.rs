//! StatLine codebooks (`DataProperties`: Key, Title, Unit, Decimals, Description) name and
//! describe a table's columns. Column keys carry a number that changes between years
//! (`GemiddeldeWOZWaardeVanWoningen_35` in 2022, `_39` in 2024), so entries are found by the
//! key's stem. Leefwijk knows the codebook of KWB 2024 (85984NED, shipped in data/nl) and
//! reads any other one given with `--codebook`: columns it has no indicator for are then
//! reported by their published title instead of by a bare key.

use leefwijk_domain::indicators::{column_stem, CodebookIndicator, Unit};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

/// One column of a StatLine table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CodebookEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Title")]
    pub title: String,
    #[serde(rename = "Unit", default)]
    pub unit: Option<String>,
    #[serde(rename = "Decimals", default)]
    pub decimals: Option<u32>,
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    #[serde(rename = "Type", default)]
    pub kind: Option<String>,
}

impl CodebookEntry {
    /// The indicator this column becomes when Leefwijk has none for it: only figures
    /// (`Topic`s) in a unit Leefwijk can format; names, codes and descriptions are not.
    pub fn indicator(&self) -> Option<CodebookIndicator> {
        if self.kind.as_deref().is_some_and(|k| k != "Topic") {
            return None;
        }
        let unit = Unit::from_statline(self.unit.as_deref()?)?;
        let stem = column_stem(&self.key).to_string();
        // StatLine descriptions use CRLF paragraphs; one space-separated text reads better.
        let description =
            self.description.as_deref().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
        Some(CodebookIndicator {
            key: CodebookIndicator::key_of(&stem),
            stem,
            title: self.title.trim().to_string(),
            unit,
            description,
        })
    }
}

/// A codebook, by key stem.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Codebook {
    pub by_stem: BTreeMap<String, CodebookEntry>,
    /// Stems the codebook has more than once (KWB has `Appartement_54` in kWh and
    /// `Appartement_62` in m³): a column with such a stem cannot be told apart by name in
    /// another year's table, so it is never imported by the codebook.
    pub ambiguous: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the codebook is not StatLine DataProperties JSON (a list of objects with Key and Title): {0}")]
pub struct CodebookError(String);

impl Codebook {
    /// Reads StatLine `DataProperties` JSON: a list, or OData's `{"value": [...]}`.
    pub fn parse(json: &[u8]) -> Result<Codebook, CodebookError> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Doc {
            List(Vec<serde_json::Value>),
            OData { value: Vec<serde_json::Value> },
        }
        let doc: Doc = serde_json::from_slice(json).map_err(|e| CodebookError(e.to_string()))?;
        let items = match doc {
            Doc::List(v) | Doc::OData { value: v } => v,
        };
        let mut by_stem = BTreeMap::new();
        let mut ambiguous = BTreeSet::new();
        for item in items {
            // Topic groups have no key; they only structure the table.
            let Ok(entry) = serde_json::from_value::<CodebookEntry>(item) else { continue };
            if entry.key.trim().is_empty() {
                continue;
            }
            let stem = column_stem(&entry.key).to_string();
            match by_stem.entry(stem) {
                std::collections::btree_map::Entry::Occupied(seen) => {
                    ambiguous.insert(seen.key().clone());
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(entry);
                }
            }
        }
        if by_stem.is_empty() {
            return Err(CodebookError("no entry with a Key".into()));
        }
        Ok(Codebook { by_stem, ambiguous })
    }

    /// The codebook of CBS Kerncijfers wijken en buurten 2024 (StatLine 85984NED).
    pub fn kwb_2024() -> Codebook {
        static GZ: &[u8] = include_bytes!("../../../../data/nl/cbs_85984NED_DataProperties.json.gz");
        let mut json = Vec::new();
        match flate2::read::GzDecoder::new(GZ).read_to_end(&mut json) {
            Ok(_) => Codebook::parse(&json).unwrap_or_default(),
            Err(_) => Codebook::default(),
        }
    }

    /// The entry of a column, by its stem; `None` for a stem the codebook has twice.
    pub fn entry(&self, column: &str) -> Option<&CodebookEntry> {
        let stem = column_stem(column);
        if self.ambiguous.contains(stem) {
            return None;
        }
        self.by_stem.get(stem)
    }

    /// "Key: Title (unit)" for a column, or the bare key when the codebook does not know it.
    pub fn describe(&self, column: &str) -> String {
        if self.ambiguous.contains(column_stem(column)) {
            return format!(
                "{column}: the codebook has more than one column named {} (told apart only by number)",
                column_stem(column)
            );
        }
        match self.entry(column) {
            Some(e) => match e.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                Some(unit) => format!("{column}: {} ({unit})", e.title.trim()),
                None => format!("{column}: {}", e.title.trim()),
            },
            None => column.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_data_properties_by_stem() {
        let json = br#"[{"Type":"TopicGroup","Title":"Wonen","Key":""},
            {"Type":"Topic","Key":"GemiddeldeWOZWaardeVanWoningen_39","Title":"Gemiddelde WOZ-waarde van woningen","Unit":"x 1 000 euro","Decimals":0,"Description":"see CBS"}]"#;
        let book = Codebook::parse(json).expect("valid");
        assert_eq!(
            book.entry("GemiddeldeWOZWaardeVanWoningen_35").map(|e| e.title.as_str()),
            Some("Gemiddelde WOZ-waarde van woningen")
        );
        assert_eq!(
            book.describe("GemiddeldeWOZWaardeVanWoningen_35"),
            "GemiddeldeWOZWaardeVanWoningen_35: Gemiddelde WOZ-waarde van woningen (x 1 000 euro)"
        );
        assert_eq!(book.describe("Onbekend_1"), "Onbekend_1");
        let woz = book.entry("GemiddeldeWOZWaardeVanWoningen_35").and_then(CodebookEntry::indicator).expect("a figure");
        assert_eq!(woz.key, "cbs_gemiddelde_woz_waarde_van_woningen");
        assert_eq!(woz.unit, Unit::ThousandEuro);
        assert!(Codebook::parse(b"{\"value\": []}").is_err());
        assert!(Codebook::parse(b"nonsense").is_err());
    }

    #[test]
    fn the_kwb_2024_codebook_is_known_and_covers_the_catalogue() {
        let book = Codebook::kwb_2024();
        assert!(book.by_stem.len() > 100, "{}", book.by_stem.len());
        assert_eq!(book.entry("InBezitWoningcorporatie_49").map(|e| e.title.trim()), Some("In bezit woningcorporatie"));
        // kWh and m³ of an apartment share a stem: neither is guessed.
        assert!(book.entry("Appartement_54").is_none());
        assert!(
            book.describe("Appartement_70").contains("more than one column"),
            "{}",
            book.describe("Appartement_70")
        );
        let gas = book.entry("GemiddeldAardgasverbruikTotaal_70").and_then(CodebookEntry::indicator).expect("gas use");
        assert_eq!((gas.key.as_str(), gas.unit), ("cbs_gemiddeld_aardgasverbruik_totaal", Unit::CubicMetre));
        // Names and codes are not figures.
        assert!(book.entry("Gemeentenaam_1").and_then(CodebookEntry::indicator).is_none());
        // Every CBS indicator of the catalogue is found by one of its stems in the newest codebook.
        for def in leefwijk_domain::CATALOGUE.iter().filter(|d| d.source.starts_with("CBS") && !d.cbs_stems.is_empty())
        {
            assert!(def.cbs_stems.iter().any(|s| book.by_stem.contains_key(*s)), "{} {:?}", def.key, def.cbs_stems);
        }
    }
}
