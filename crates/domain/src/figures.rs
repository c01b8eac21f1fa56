//! Figures of one area in one year and the derived indicators computed from them.
//! A missing value is absent, never zero: CBS suppresses small or secret cells and
//! a zero would rank an area wrongly.

use serde::Serialize;
use std::collections::BTreeMap;

/// Why a value is missing, as the source said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingMarker {
    /// CBS "x" / PDOK -99995: secret (geheim) to protect small numbers.
    Secret,
    /// CBS "." / PDOK -99997: unknown or not applicable.
    Unknown,
}

impl MissingMarker {
    pub fn as_str(self) -> &'static str {
        match self {
            MissingMarker::Secret => "secret",
            MissingMarker::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<MissingMarker> {
        match s {
            "secret" => Some(MissingMarker::Secret),
            "unknown" => Some(MissingMarker::Unknown),
            _ => None,
        }
    }

    /// The symbol CBS uses in tables.
    pub fn symbol(self) -> &'static str {
        match self {
            MissingMarker::Secret => "x",
            MissingMarker::Unknown => ".",
        }
    }
}

/// Present values by indicator key, plus the markers of values the source withheld.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub values: BTreeMap<String, f64>,
    pub missing: BTreeMap<String, MissingMarker>,
}

impl Figures {
    pub fn get(&self, key: &str) -> Option<f64> {
        self.values.get(key).copied()
    }

    pub fn set(&mut self, key: &str, value: f64) {
        self.missing.remove(key);
        self.values.insert(key.to_string(), value);
    }

    pub fn mark_missing(&mut self, key: &str, marker: MissingMarker) {
        self.values.remove(key);
        self.missing.insert(key.to_string(), marker);
    }
}

/// Who published a set of figures: shown with every figure ("Bron: …"), as the CC BY
/// licences of CBS and Kadaster require, and never a real publisher for made-up numbers.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct DataSource {
    /// Stable identifier, e.g. `cbs-kwb-2022` or `rivm-50090ned`.
    pub id: String,
    /// The attribution line without "Bron: ", e.g. "CBS, Kerncijfers wijken en buurten 2022".
    pub attribution: String,
    /// The licence, e.g. "CC BY 4.0".
    pub licence: String,
    /// Made-up figures (the demo): their line says so and names no real publisher.
    pub fictional: bool,
}

impl DataSource {
    pub fn new(id: &str, attribution: &str, licence: &str) -> DataSource {
        DataSource { id: id.into(), attribution: attribution.into(), licence: licence.into(), fictional: false }
    }

    /// The fictional figures of the demo.
    pub fn fictional_demo() -> DataSource {
        DataSource {
            id: "leefwijk-demo".into(),
            attribution: "fictieve demogegevens van Leefwijk, geen echte cijfers".into(),
            licence: "EUPL-1.2".into(),
            fictional: true,
        }
    }

    /// CBS Kerncijfers wijken en buurten of one year.
    pub fn cbs_kwb(year: i32) -> DataSource {
        DataSource::new(&format!("cbs-kwb-{year}"), &format!("CBS, Kerncijfers wijken en buurten {year}"), "CC BY 4.0")
    }

    /// RIVM's health estimates per wijk and buurt (StatLine 50090NED) of one year.
    pub fn rivm_health(year: i32) -> DataSource {
        DataSource::new(
            &format!("rivm-50090ned-{year}"),
            &format!("RIVM, Gezondheid per wijk en buurt {year} (StatLine 50090NED; Gezondheidsmonitor van GGD'en, CBS en RIVM)"),
            "RIVM open data, met bronvermelding",
        )
    }

    /// "Bron: …" for a set of sources (deduplicated, in order).
    pub fn line(sources: &[&DataSource]) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for s in sources {
            if !seen.contains(&s.attribution.as_str()) {
                seen.push(&s.attribution);
            }
        }
        if seen.is_empty() {
            return String::new();
        }
        format!("Bron: {}", seen.join("; "))
    }
}

/// The social-rent target of the coalition and the national housing agreements.
pub const SOCIAL_TARGET_SHARE: f64 = 0.30;

/// Social homes that must be added to a stock of `stock` homes, of which `social` are
/// social rent, until social rent is at least `target` of it. New homes add to the
/// stock as well, hence the division by (1 − target): (social + x) / (stock + x) ≥ target.
/// Never negative; zero once the target is reached.
pub fn social_gap(stock: f64, social: f64, target: f64) -> f64 {
    if !(0.0..1.0).contains(&target) || stock <= 0.0 {
        return 0.0;
    }
    let needed = (target * stock - social) / (1.0 - target);
    // Tolerate float noise so an exact 30% does not report one missing home.
    if needed <= 1e-9 {
        0.0
    } else {
        (needed - 1e-9).ceil()
    }
}

fn share(part: Option<f64>, whole: Option<f64>, per: f64) -> Option<f64> {
    match (part, whole) {
        (Some(p), Some(w)) if w > 0.0 => Some((p / w * per).clamp(0.0, per)),
        _ => None,
    }
}

/// Computes the derived indicators (see the catalogue) from base figures. Shares are
/// clamped to 0–100: CBS rounds counts independently, so a part can exceed its whole.
pub fn derive(base: &Figures) -> Figures {
    let mut out = base.clone();
    let g = |k: &str| base.get(k);

    if let Some(share) = g("pct_corporation") {
        out.set("social_share", share.clamp(0.0, 100.0));
        if let Some(stock) = g("housing_stock") {
            let social = (share.clamp(0.0, 100.0) / 100.0 * stock).round();
            out.set("social_homes", social);
            out.set("social_gap_30", social_gap(stock, social, SOCIAL_TARGET_SHARE));
        }
    }
    if let Some(v) = g("pct_low_income_households") {
        out.set("low_income_share", v.clamp(0.0, 100.0));
    }
    if let Some(v) = share(g("single_person_households"), g("households"), 100.0)
        .or_else(|| g("pct_single_person_households").map(|v| v.clamp(0.0, 100.0)))
    {
        out.set("single_person_share", v);
    }
    if let Some(v) =
        share(g("age_65_plus"), g("population"), 100.0).or_else(|| g("pct_age_65_plus").map(|v| v.clamp(0.0, 100.0)))
    {
        out.set("share_65_plus", v);
    }
    if let Some(v) = share(g("benefit_bijstand"), g("population"), 1000.0) {
        out.set("bijstand_per_1000", v);
    }
    let working_age_benefits = match (g("benefit_bijstand"), g("benefit_ao"), g("benefit_ww")) {
        (Some(a), Some(b), Some(c)) => Some(a + b + c),
        _ => None,
    };
    if let Some(v) = share(working_age_benefits, g("population"), 1000.0) {
        out.set("benefits_per_1000", v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn figures(pairs: &[(&str, f64)]) -> Figures {
        let mut f = Figures::default();
        for (k, v) in pairs {
            f.set(k, *v);
        }
        f
    }

    #[test]
    fn gap_hand_computed() {
        // 10,000 homes, 2,000 social: (2000 + x) / (10000 + x) >= 0.3 → x >= 1000 / 0.7 = 1428.57 → 1429.
        assert_eq!(social_gap(10_000.0, 2_000.0, 0.30), 1429.0);
        // Exactly 30%: nothing to add.
        assert_eq!(social_gap(10_000.0, 3_000.0, 0.30), 0.0);
        // Above target: never negative.
        assert_eq!(social_gap(10_000.0, 4_500.0, 0.30), 0.0);
        // 1,000 homes, none social: 300 / 0.7 = 428.57 → 429.
        assert_eq!(social_gap(1_000.0, 0.0, 0.30), 429.0);
        assert_eq!(social_gap(0.0, 0.0, 0.30), 0.0);
    }

    #[test]
    fn derives_hand_computed_indicators() {
        let base = figures(&[
            ("population", 2_000.0),
            ("age_65_plus", 500.0),
            ("households", 1_000.0),
            ("single_person_households", 400.0),
            ("housing_stock", 1_050.0),
            ("pct_corporation", 20.0),
            ("pct_low_income_households", 11.5),
            ("benefit_bijstand", 60.0),
            ("benefit_ao", 100.0),
            ("benefit_ww", 40.0),
        ]);
        let d = derive(&base);
        assert_eq!(d.get("share_65_plus"), Some(25.0));
        assert_eq!(d.get("single_person_share"), Some(40.0));
        assert_eq!(d.get("social_share"), Some(20.0));
        assert_eq!(d.get("social_homes"), Some(210.0));
        // (0.3 × 1050 − 210) / 0.7 = 150 exactly.
        assert_eq!(d.get("social_gap_30"), Some(150.0));
        assert_eq!(d.get("low_income_share"), Some(11.5));
        assert_eq!(d.get("bijstand_per_1000"), Some(30.0));
        assert_eq!(d.get("benefits_per_1000"), Some(100.0));
    }

    #[test]
    fn missing_inputs_give_missing_outputs_not_zero() {
        let mut base = figures(&[("population", 2_000.0)]);
        base.mark_missing("age_65_plus", MissingMarker::Secret);
        let d = derive(&base);
        assert_eq!(d.get("share_65_plus"), None);
        assert_eq!(d.get("bijstand_per_1000"), None);
        assert_eq!(d.missing.get("age_65_plus"), Some(&MissingMarker::Secret));
    }

    #[test]
    fn source_lines_name_each_publisher_once_and_fiction_as_fiction() {
        let kwb = DataSource::cbs_kwb(2022);
        let rivm = DataSource::rivm_health(2020);
        let line = DataSource::line(&[&kwb, &rivm, &kwb]);
        assert_eq!(line.matches("CBS, Kerncijfers wijken en buurten 2022").count(), 1);
        assert!(line.starts_with("Bron: CBS"), "{line}");
        assert!(line.contains("RIVM, Gezondheid per wijk en buurt 2020"));
        let demo = DataSource::line(&[&DataSource::fictional_demo()]);
        assert!(!demo.contains("CBS") && demo.contains("fictieve"), "{demo}");
    }

    #[test]
    fn falls_back_to_published_shares() {
        let d = derive(&figures(&[("pct_age_65_plus", 18.0), ("pct_single_person_households", 44.0)]));
        assert_eq!(d.get("share_65_plus"), Some(18.0));
        assert_eq!(d.get("single_person_share"), Some(44.0));
    }

    proptest! {
        #[test]
        fn gap_is_never_negative_and_closes_the_gap(stock in 1.0f64..1e7, share in 0.0f64..1.0) {
            let social = (stock * share).round();
            let gap = social_gap(stock, social, SOCIAL_TARGET_SHARE);
            prop_assert!(gap >= 0.0);
            prop_assert!((social + gap) / (stock + gap) >= SOCIAL_TARGET_SHARE - 1e-9);
            if gap >= 1.0 {
                // One home fewer would not reach the target: the gap is the minimum.
                prop_assert!((social + gap - 1.0) / (stock + gap - 1.0) < SOCIAL_TARGET_SHARE);
            }
        }

        #[test]
        fn shares_stay_within_bounds(pop in 0.0f64..1e6, old in 0.0f64..2e6, hh in 0.0f64..1e6, single in 0.0f64..2e6, pct in -50.0f64..150.0) {
            let d = derive(&figures(&[
                ("population", pop), ("age_65_plus", old), ("households", hh),
                ("single_person_households", single), ("pct_corporation", pct),
                ("pct_low_income_households", pct), ("housing_stock", hh),
            ]));
            for key in ["share_65_plus", "single_person_share", "social_share", "low_income_share"] {
                if let Some(v) = d.get(key) {
                    prop_assert!((0.0..=100.0).contains(&v), "{} = {}", key, v);
                }
            }
            if let Some(gap) = d.get("social_gap_30") {
                prop_assert!(gap >= 0.0);
            }
        }
    }
}
