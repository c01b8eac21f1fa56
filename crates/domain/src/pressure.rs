//! The pressure index (drukindex): a transparent composite of z-scores.
//!
//! For each configured indicator, every area of one level (all wijken nationally, say)
//! gets a z-score (value − mean) / standard deviation. The index is the weighted mean of
//! those z-scores, with a positive weight meaning "a higher value is more pressure".
//! Like the Leefbaarometer (BZK) it is a signalling tool, not a causal model: every
//! score comes with the indicators that drive it.

use crate::area::{AreaCode, AreaKind};
use crate::figures::Figures;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One indicator in the index and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weight {
    pub indicator: String,
    /// Positive: higher values mean more pressure. Negative: lower values do.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PressureConfig {
    pub weights: Vec<Weight>,
    /// How many of the highest-pressure areas of `focus_kind` are focus areas.
    pub focus_top_n: usize,
    pub focus_kind: AreaKind,
    /// Areas with fewer inhabitants are not scored: their percentages are too noisy.
    pub min_population: f64,
    /// Share of the total absolute weight that must be present to compute a score.
    pub min_coverage: f64,
}

impl Default for PressureConfig {
    fn default() -> Self {
        let w = |indicator: &str, weight: f64| Weight { indicator: indicator.to_string(), weight };
        PressureConfig {
            // Indicators that exist nationally at wijk level (CBS KWB and RIVM's health
            // estimates), one or two per theme of the coalition: livelihood (income, work,
            // money worries), housing (tenure, value), loneliness and mental health, health.
            // docs/monitor.md gives the reasons per indicator.
            weights: vec![
                w("pct_low_income_persons", 1.0),
                w("labour_participation", -1.0),
                w("difficulty_making_ends_meet", 1.0),
                w("pct_owner_occupied", -0.5),
                w("avg_woz", -0.5),
                w("severely_lonely", 0.5),
                w("anxiety_depression_risk", 0.75),
                w("health_good", -0.5),
            ],
            // The coalition counts about 200 wijken with structurally pressured liveability.
            focus_top_n: 200,
            focus_kind: AreaKind::Wijk,
            min_population: 100.0,
            // The CBS indicators carry 3.0 of the 5.75 weight: an area with the national CBS
            // figures but no RIVM estimates is still scored, one with less is not.
            min_coverage: 0.5,
        }
    }
}

/// How one indicator pushes an area's score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Driver {
    pub indicator: String,
    pub value: f64,
    pub z: f64,
    pub weight: f64,
    /// weight × z / Σ|weight|: its share of the index.
    pub contribution: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PressureScore {
    pub score: Option<f64>,
    /// Sorted by absolute contribution, largest first.
    pub drivers: Vec<Driver>,
    /// 1 = highest pressure among scored areas of the same level nationally.
    pub rank: Option<usize>,
    pub ranked_of: usize,
    pub rank_in_municipality: Option<usize>,
    pub ranked_in_municipality_of: usize,
    pub focus: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Moments {
    mean: f64,
    sd: f64,
}

fn moments(values: impl Iterator<Item = f64>) -> Option<Moments> {
    let v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return None;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    (sd > 0.0).then_some(Moments { mean, sd })
}

/// z-scores of every configured indicator for every area (same level), by area.
pub fn z_scores(
    areas: &[(AreaCode, &Figures)],
    config: &PressureConfig,
) -> BTreeMap<AreaCode, BTreeMap<String, (f64, f64)>> {
    let eligible: Vec<&(AreaCode, &Figures)> =
        areas.iter().filter(|(_, f)| f.get("population").unwrap_or(0.0) >= config.min_population).collect();
    let mut out: BTreeMap<AreaCode, BTreeMap<String, (f64, f64)>> = BTreeMap::new();
    for w in &config.weights {
        let Some(m) = moments(eligible.iter().filter_map(|(_, f)| f.get(&w.indicator))) else {
            continue;
        };
        for (code, f) in &eligible {
            if let Some(v) = f.get(&w.indicator).filter(|v| v.is_finite()) {
                out.entry(code.clone()).or_default().insert(w.indicator.clone(), (v, (v - m.mean) / m.sd));
            }
        }
    }
    out
}

/// Scores, ranks and flags every area of one level. Areas without enough data get no
/// score and no rank; ranks among the rest are a permutation of 1..=n, ties broken by
/// code so the outcome is deterministic.
pub fn score_areas(areas: &[(AreaCode, &Figures)], config: &PressureConfig) -> BTreeMap<AreaCode, PressureScore> {
    let total_weight: f64 = config.weights.iter().map(|w| w.weight.abs()).sum();
    let zs = z_scores(areas, config);
    let mut out: BTreeMap<AreaCode, PressureScore> = BTreeMap::new();
    for (code, _) in areas {
        let mut drivers = Vec::new();
        let mut present_weight = 0.0;
        if let Some(z) = zs.get(code) {
            for w in &config.weights {
                if let Some((value, z)) = z.get(&w.indicator) {
                    present_weight += w.weight.abs();
                    drivers.push(Driver {
                        indicator: w.indicator.clone(),
                        value: *value,
                        z: *z,
                        weight: w.weight,
                        contribution: 0.0,
                    });
                }
            }
        }
        let score =
            if total_weight > 0.0 && present_weight >= config.min_coverage * total_weight && present_weight > 0.0 {
                for d in &mut drivers {
                    d.contribution = d.weight * d.z / present_weight;
                }
                Some(drivers.iter().map(|d| d.contribution).sum())
            } else {
                None
            };
        drivers.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        out.insert(
            code.clone(),
            PressureScore {
                score,
                drivers,
                rank: None,
                ranked_of: 0,
                rank_in_municipality: None,
                ranked_in_municipality_of: 0,
                focus: false,
            },
        );
    }

    // National ranks.
    let mut ranked: Vec<(AreaCode, f64)> = out.iter().filter_map(|(c, s)| s.score.map(|v| (c.clone(), v))).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let n = ranked.len();
    for (i, (code, score)) in ranked.iter().enumerate() {
        if let Some(s) = out.get_mut(code) {
            s.rank = Some(i + 1);
            s.ranked_of = n;
            s.focus = code.kind() == config.focus_kind && i < config.focus_top_n && *score > 0.0;
        }
    }

    // Ranks within each municipality.
    let mut by_municipality: BTreeMap<Option<AreaCode>, Vec<(AreaCode, f64)>> = BTreeMap::new();
    for (code, score) in &ranked {
        by_municipality.entry(code.municipality()).or_default().push((code.clone(), *score));
    }
    for members in by_municipality.values() {
        for (i, (code, _)) in members.iter().enumerate() {
            if let Some(s) = out.get_mut(code) {
                s.rank_in_municipality = Some(i + 1);
                s.ranked_in_municipality_of = members.len();
            }
        }
    }
    out
}

/// The `k` areas nearest to `target` on the standardised indicator set (Euclidean
/// distance over the z-scores both have), nearest first. Areas that share fewer than
/// half of the target's indicators are not comparable.
pub fn comparable_areas(
    target: &AreaCode,
    z: &BTreeMap<AreaCode, BTreeMap<String, (f64, f64)>>,
    k: usize,
) -> Vec<(AreaCode, f64)> {
    let Some(own) = z.get(target) else {
        return Vec::new();
    };
    let needed = own.len().div_ceil(2).max(1);
    let mut candidates: Vec<(AreaCode, f64)> = z
        .iter()
        .filter(|(code, _)| *code != target)
        .filter_map(|(code, other)| {
            let shared: Vec<f64> =
                own.iter().filter_map(|(key, (_, za))| other.get(key).map(|(_, zb)| (za - zb).powi(2))).collect();
            (shared.len() >= needed).then(|| (code.clone(), (shared.iter().sum::<f64>() / shared.len() as f64).sqrt()))
        })
        .collect();
    candidates.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    candidates.truncate(k);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn area(code: &str, pairs: &[(&str, f64)]) -> (AreaCode, Figures) {
        let mut f = Figures::default();
        f.set("population", 1000.0);
        for (k, v) in pairs {
            f.set(k, *v);
        }
        (AreaCode::parse(code).expect("valid"), f)
    }

    fn config(weights: &[(&str, f64)]) -> PressureConfig {
        PressureConfig {
            weights: weights.iter().map(|(i, w)| Weight { indicator: i.to_string(), weight: *w }).collect(),
            focus_top_n: 1,
            ..PressureConfig::default()
        }
    }

    #[test]
    fn hand_computed_scores_ranks_and_drivers() {
        // Values 10, 20, 30: mean 20, population sd sqrt(200/3) = 8.165.
        let owned = [
            area("WK000101", &[("a", 10.0), ("b", 3.0)]),
            area("WK000102", &[("a", 20.0), ("b", 2.0)]),
            area("WK000201", &[("a", 30.0), ("b", 1.0)]),
        ];
        let areas: Vec<(AreaCode, &Figures)> = owned.iter().map(|(c, f)| (c.clone(), f)).collect();
        let scores = score_areas(&areas, &config(&[("a", 1.0), ("b", -1.0)]));
        let sd = (200.0f64 / 3.0).sqrt();
        let top = &scores[&AreaCode::parse("WK000201").expect("valid")];
        // a: z = 10/sd, b (lower is pressure): z = -1/sd(b) with sd(b) = sqrt(2/3).
        let expected = (10.0 / sd + 1.0 / (2.0f64 / 3.0).sqrt()) / 2.0;
        assert!((top.score.expect("scored") - expected).abs() < 1e-9);
        assert_eq!(top.rank, Some(1));
        assert!(top.focus, "highest pressure wijk is a focus area with focus_top_n = 1");
        assert_eq!(top.rank_in_municipality, Some(1));
        assert_eq!(top.ranked_in_municipality_of, 1);
        let low = &scores[&AreaCode::parse("WK000101").expect("valid")];
        assert_eq!(low.rank, Some(3));
        assert!(!low.focus);
        assert_eq!(low.rank_in_municipality, Some(2));
        assert_eq!(low.drivers.len(), 2);
    }

    #[test]
    fn too_little_data_gives_no_score() {
        let owned = [
            area("WK000101", &[("a", 10.0)]),
            area("WK000102", &[("a", 20.0), ("b", 2.0)]),
            area("WK000103", &[("a", 30.0), ("b", 1.0)]),
        ];
        let areas: Vec<(AreaCode, &Figures)> = owned.iter().map(|(c, f)| (c.clone(), f)).collect();
        let mut cfg = config(&[("a", 1.0), ("b", 3.0)]);
        cfg.min_coverage = 0.5;
        let scores = score_areas(&areas, &cfg);
        assert_eq!(scores[&AreaCode::parse("WK000101").expect("valid")].score, None);
        assert_eq!(scores[&AreaCode::parse("WK000101").expect("valid")].rank, None);
    }

    #[test]
    fn comparable_areas_are_nearest_first() {
        let owned =
            [area("WK000101", &[("a", 10.0)]), area("WK000102", &[("a", 11.0)]), area("WK000103", &[("a", 30.0)])];
        let areas: Vec<(AreaCode, &Figures)> = owned.iter().map(|(c, f)| (c.clone(), f)).collect();
        let z = z_scores(&areas, &config(&[("a", 1.0)]));
        let near = comparable_areas(&AreaCode::parse("WK000101").expect("valid"), &z, 2);
        assert_eq!(near[0].0.as_str(), "WK000102");
        assert_eq!(near[1].0.as_str(), "WK000103");
    }

    proptest! {
        #[test]
        fn ranks_are_a_permutation(values in proptest::collection::vec((0.0f64..100.0, proptest::option::of(0.0f64..50.0)), 1..60)) {
            let owned: Vec<(AreaCode, Figures)> = values.iter().enumerate().map(|(i, (a, b))| {
                let mut f = Figures::default();
                f.set("population", 500.0);
                f.set("a", *a);
                if let Some(b) = b { f.set("b", *b); }
                (AreaCode::parse(&format!("WK{:04}{:02}", i / 10, i % 10)).expect("valid"), f)
            }).collect();
            let areas: Vec<(AreaCode, &Figures)> = owned.iter().map(|(c, f)| (c.clone(), f)).collect();
            let scores = score_areas(&areas, &config(&[("a", 1.0), ("b", 1.0)]));
            let mut ranks: Vec<usize> = scores.values().filter_map(|s| s.rank).collect();
            ranks.sort_unstable();
            let n = ranks.len();
            prop_assert_eq!(ranks, (1..=n).collect::<Vec<_>>());
            // Within each municipality too.
            let mut per: BTreeMap<Option<AreaCode>, Vec<usize>> = BTreeMap::new();
            for (code, s) in &scores {
                if let Some(r) = s.rank_in_municipality { per.entry(code.municipality()).or_default().push(r); }
            }
            for (_, mut r) in per {
                r.sort_unstable();
                let n = r.len();
                prop_assert_eq!(r, (1..=n).collect::<Vec<_>>());
            }
            // Higher rank never has a lower score.
            let mut by_rank: Vec<(usize, f64)> = scores.values().filter_map(|s| Some((s.rank?, s.score?))).collect();
            by_rank.sort_by_key(|(r, _)| *r);
            for pair in by_rank.windows(2) {
                prop_assert!(pair[0].1 >= pair[1].1);
            }
        }
    }
}
