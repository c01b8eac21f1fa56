//! Fictional municipalities with wijken, buurten, boundaries and plausible figures for two
//! years. Codes GM99xx do not exist at CBS, and every name says "(fictief)" at
//! municipality level, so nobody mistakes this for real data.

use crate::areas::import_boundaries::ParsedBoundaries;
use crate::areas::import_kwb::ParsedYear;
use leefwijk_domain::geometry::{Point, Shape};
use leefwijk_domain::{Area, AreaCode, Figures, MissingMarker};
use leefwijk_store::ShapeRecord;
use std::collections::BTreeMap;

/// The demo's main municipality, shown on the home page.
pub const DEMO_MUNICIPALITY: &str = "GM9901";

struct Town {
    number: u32,
    name: &'static str,
    /// Wijken as (name, buurt names); each wijk is a 2×2 block of the town's grid.
    wijken: &'static [(&'static str, [&'static str; 4])],
    /// Lower-left corner in metres (RD-like) so towns lie apart on a national map.
    origin: Point,
    /// Baseline deprivation 0..1 that shifts the town's figures.
    pressure: f64,
}

const TOWNS: &[Town] = &[
    Town {
        number: 1,
        name: "Wijkerveen (fictief)",
        wijken: &[
            ("Centrum", ["Oude Haven", "Marktkwartier", "Stationsbuurt", "Kerkplein"]),
            ("Noorderpolder", ["Polderhof", "Molenwijk", "Bloemenbuurt", "Sluisbuurt"]),
            ("Oostwaard", ["Waardpark", "Schildersbuurt", "Vogelbuurt", "Bedrijventerrein Oost"]),
            ("Zuiderkwartier", ["Zuidplein", "Rozenhof", "Componistenbuurt", "Sportpark"]),
            ("Westerdijk", ["Dijkzicht", "Boomgaard", "Kanaalzone", "Weverij"]),
            ("Het Veld", ["Veldhoven", "Heidebuurt", "Akkerland", "Buitengebied"]),
        ],
        origin: [120_000.0, 480_000.0],
        pressure: 0.55,
    },
    Town {
        number: 2,
        name: "Dijkhoven (fictief)",
        wijken: &[
            ("Dorpskern", ["Brink", "Pastorie", "Smidse", "Lindehof"]),
            ("Nieuwland", ["Nieuwland-Noord", "Nieuwland-Zuid", "Fazantenhof", "Reigerbos"]),
            ("Buitenhof", ["Hoeve", "Weidezicht", "Elzenbuurt", "Dijkvoet"]),
        ],
        origin: [150_000.0, 470_000.0],
        pressure: 0.25,
    },
    Town {
        number: 3,
        name: "Oostmolen (fictief)",
        wijken: &[
            ("Molenkwartier", ["Maalderij", "Korenbuurt", "Zeilmakers", "Wiekenhof"]),
            ("Havenstad", ["Kade", "Loodsen", "Dokken", "Ankerplaats"]),
            ("Parkzoom", ["Parkrand", "Vijverhof", "Beukenlaan", "Tuinstad"]),
        ],
        origin: [135_000.0, 455_000.0],
        pressure: 0.75,
    },
    Town {
        number: 4,
        name: "Zandhorst (fictief)",
        wijken: &[
            ("Zandkern", ["Zandplein", "Duinzicht", "Helmgras", "Strandweg"]),
            ("Bosrand", ["Dennenlaan", "Eikenhof", "Varenbuurt", "Mosveld"]),
        ],
        origin: [110_000.0, 460_000.0],
        pressure: 0.4,
    },
];

/// Deterministic pseudo-random numbers (SplitMix64): the demo is identical on every start.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

const CELL: f64 = 900.0;

/// Grid vertex (col, row) of a town, jittered so the map looks like a map.
fn vertex(town: &Town, col: usize, row: usize, cols: usize, rows: usize) -> Point {
    let on_edge = col == 0 || row == 0 || col == cols || row == rows;
    let mut rng = Rng(u64::from(town.number) * 10_007 + (col as u64) * 101 + row as u64);
    let jitter = if on_edge { 120.0 } else { 260.0 };
    [
        town.origin[0] + col as f64 * CELL + rng.between(-jitter, jitter),
        town.origin[1] + row as f64 * CELL + rng.between(-jitter, jitter),
    ]
}

/// The outline of the cell block [c0, c1) × [r0, r1), walked along the grid.
fn block(town: &Town, c0: usize, c1: usize, r0: usize, r1: usize, cols: usize, rows: usize) -> Shape {
    let mut ring = Vec::new();
    for c in c0..c1 {
        ring.push(vertex(town, c, r0, cols, rows));
    }
    for r in r0..r1 {
        ring.push(vertex(town, c1, r, cols, rows));
    }
    for c in (c0 + 1..=c1).rev() {
        ring.push(vertex(town, c, r1, cols, rows));
    }
    for r in (r0 + 1..=r1).rev() {
        ring.push(vertex(town, c0, r, cols, rows));
    }
    ring.push(ring[0]);
    Shape { polygons: vec![vec![ring]] }
}

fn grid(town: &Town) -> (usize, usize) {
    // Wijken are 2×2 blocks, three wijken per row of blocks.
    let per_row = 3.min(town.wijken.len());
    let block_rows = town.wijken.len().div_ceil(per_row);
    (per_row * 2, block_rows * 2)
}

fn code(s: String) -> AreaCode {
    AreaCode::parse(&s).unwrap_or_else(|e| unreachable!("demo codes are well-formed: {e}"))
}

/// Boundaries of every demo area.
pub fn demo_boundaries() -> ParsedBoundaries {
    let mut shapes = Vec::new();
    for town in TOWNS {
        let (cols, rows) = grid(town);
        shapes.push(ShapeRecord {
            code: code(format!("GM99{:02}", town.number)),
            shape: block(town, 0, cols, 0, rows, cols, rows),
        });
        for (w, (_, buurten)) in town.wijken.iter().enumerate() {
            let (bc, br) = ((w % 3) * 2, (w / 3) * 2);
            shapes.push(ShapeRecord {
                code: code(format!("WK99{:02}{:02}", town.number, w + 1)),
                shape: block(town, bc, bc + 2, br, br + 2, cols, rows),
            });
            for b in 0..buurten.len() {
                let (c, r) = (bc + b % 2, br + b / 2);
                shapes.push(ShapeRecord {
                    code: code(format!("BU99{:02}{:02}{:02}", town.number, w + 1, b + 1)),
                    shape: block(town, c, c + 1, r, r + 1, cols, rows),
                });
            }
        }
    }
    let points = shapes.iter().map(|s| s.shape.point_count()).sum();
    ParsedBoundaries { shapes, points_before: points, points_after: points, without_geometry: Vec::new() }
}

/// Base figures of one buurt in the first demo year.
fn buurt_figures(rng: &mut Rng, deprivation: f64, name: &str) -> Figures {
    let business_park = name.starts_with("Bedrijventerrein") || name == "Buitengebied" || name == "Sportpark";
    let population = if business_park { rng.between(30.0, 90.0) } else { rng.between(900.0, 4200.0) }.round();
    let d = (deprivation + rng.between(-0.25, 0.25)).clamp(0.0, 1.0);
    let mut f = Figures::default();
    let share = |lo: f64, hi: f64, t: f64| lo + (hi - lo) * t;
    let age_65 = share(0.10, 0.30, rng.next());
    let age_0_14 = share(0.10, 0.22, rng.next());
    let age_15_24 = share(0.09, 0.16, rng.next());
    let age_25_44 = share(0.20, 0.32, d * 0.5 + rng.next() * 0.5);
    f.set("population", population);
    f.set("men", (population * rng.between(0.47, 0.52)).round());
    f.set("women", population - f.get("men").unwrap_or_default());
    f.set("age_0_14", (population * age_0_14).round());
    f.set("age_15_24", (population * age_15_24).round());
    f.set("age_25_44", (population * age_25_44).round());
    f.set("age_65_plus", (population * age_65).round());
    f.set(
        "age_45_64",
        (population - [age_0_14, age_15_24, age_25_44, age_65].iter().map(|s| (population * s).round()).sum::<f64>())
            .max(0.0),
    );
    let avg_hh = share(2.5, 1.7, d * 0.7 + rng.next() * 0.3);
    let households = (population / avg_hh).round();
    f.set("households", households);
    f.set("avg_household_size", (avg_hh * 10.0).round() / 10.0);
    f.set("single_person_households", (households * share(0.22, 0.62, d * 0.7 + rng.next() * 0.3)).round());
    let stock = (households * rng.between(1.01, 1.06)).round();
    f.set("housing_stock", stock);
    let corp = share(6.0, 68.0, d * 0.75 + rng.next() * 0.25);
    let other = rng.between(5.0, 18.0);
    f.set("pct_corporation", corp.round());
    f.set("pct_other_landlords", other.round());
    f.set("pct_rental", (corp + other).round());
    f.set("pct_owner_occupied", (100.0 - corp - other).max(0.0).round());
    f.set("avg_woz", share(420.0, 210.0, d).round());
    f.set("avg_income_per_inhabitant", (share(44.0, 23.0, d * 0.8 + rng.next() * 0.2) * 10.0).round() / 10.0);
    f.set("pct_low_income_households", (share(3.5, 21.0, d * 0.8 + rng.next() * 0.2) * 10.0).round() / 10.0);
    f.set("pct_social_minimum", (share(4.0, 24.0, d * 0.8 + rng.next() * 0.2) * 10.0).round() / 10.0);
    f.set("benefit_bijstand", (population * share(0.008, 0.085, d)).round());
    f.set("benefit_ao", (population * share(0.035, 0.085, d)).round());
    f.set("benefit_ww", (population * share(0.008, 0.022, d)).round());
    f.set("benefit_aow", (population * age_65 * 0.97).round());
    f.set("distance_gp", (rng.between(0.3, if business_park { 3.5 } else { 1.6 }) * 10.0).round() / 10.0);
    f.set("distance_supermarket", (rng.between(0.3, if business_park { 3.0 } else { 1.4 }) * 10.0).round() / 10.0);
    f.set("distance_daycare", (rng.between(0.3, 1.5) * 10.0).round() / 10.0);
    f.set("distance_school", (rng.between(0.3, if business_park { 2.8 } else { 1.2 }) * 10.0).round() / 10.0);
    f.set("area_land", (CELL * CELL / 10_000.0 * rng.between(0.85, 1.0)).round());
    // The indicators of the default pressure index, fictional like the rest.
    let pct = |rng: &mut Rng, lo: f64, hi: f64| ((lo + (hi - lo) * (d * 0.8 + rng.next() * 0.2)) * 10.0).round() / 10.0;
    f.set("pct_low_income_persons", pct(rng, 28.0, 58.0));
    f.set("labour_participation", pct(rng, 74.0, 52.0));
    f.set("difficulty_making_ends_meet", pct(rng, 6.0, 32.0));
    f.set("severely_lonely", pct(rng, 8.0, 19.0));
    f.set("anxiety_depression_risk", pct(rng, 38.0, 58.0));
    f.set("health_good", pct(rng, 84.0, 66.0));
    f.set("boundary_change", 1.0);
    if business_park {
        // CBS withholds income and benefit figures for very small populations.
        for key in
            ["pct_low_income_households", "pct_social_minimum", "avg_income_per_inhabitant", "pct_low_income_persons"]
        {
            f.mark_missing(key, MissingMarker::Secret);
        }
        f.mark_missing("benefit_bijstand", MissingMarker::Unknown);
    }
    f
}

const COUNT_KEYS: &[&str] = &[
    "population",
    "men",
    "women",
    "age_0_14",
    "age_15_24",
    "age_25_44",
    "age_45_64",
    "age_65_plus",
    "households",
    "single_person_households",
    "housing_stock",
    "benefit_bijstand",
    "benefit_ao",
    "benefit_ww",
    "benefit_aow",
    "area_land",
];
/// Shares weighted by the count they are a share of.
const WEIGHTED: &[(&str, &str)] = &[
    ("pct_corporation", "housing_stock"),
    ("pct_other_landlords", "housing_stock"),
    ("pct_rental", "housing_stock"),
    ("pct_owner_occupied", "housing_stock"),
    ("avg_woz", "housing_stock"),
    ("pct_low_income_households", "households"),
    ("pct_social_minimum", "households"),
    ("avg_income_per_inhabitant", "population"),
    ("avg_household_size", "households"),
    ("distance_gp", "population"),
    ("distance_supermarket", "population"),
    ("distance_daycare", "population"),
    ("distance_school", "population"),
    ("pct_low_income_persons", "population"),
    ("labour_participation", "population"),
    ("difficulty_making_ends_meet", "population"),
    ("severely_lonely", "population"),
    ("anxiety_depression_risk", "population"),
    ("health_good", "population"),
];

/// Figures of a larger area from its parts, as CBS would publish them.
fn aggregate(parts: &[&Figures]) -> Figures {
    let mut f = Figures::default();
    for key in COUNT_KEYS {
        let values: Vec<f64> = parts.iter().filter_map(|p| p.get(key)).collect();
        if !values.is_empty() {
            f.set(key, values.iter().sum());
        }
    }
    for (key, weight) in WEIGHTED {
        let (sum, w) = parts
            .iter()
            .filter_map(|p| Some((p.get(key)?, p.get(weight)?)))
            .fold((0.0, 0.0), |(s, w), (v, wt)| (s + v * wt, w + wt));
        if w > 0.0 {
            f.set(key, (sum / w * 10.0).round() / 10.0);
        }
    }
    if let (Some(p), Some(a)) = (f.get("population"), f.get("area_land")) {
        f.set("population_density", (p / (a / 100.0)).round());
    }
    f.set("boundary_change", 1.0);
    f
}

/// The demo's years: the years of the real national figures shipped with Leefwijk, so
/// the fictional collaboration and the real Netherlands are shown side by side.
pub const DEMO_YEARS: [i32; 2] = [2020, 2022];

/// Two years of demo figures for all demo areas. No national row: the fictional towns are
/// never compared with, ranked among or averaged into the real Netherlands.
pub fn demo_years() -> Vec<ParsedYear> {
    let mut years = Vec::new();
    for (y, year) in DEMO_YEARS.into_iter().enumerate() {
        let mut areas = Vec::new();
        let mut figures: BTreeMap<AreaCode, Figures> = BTreeMap::new();
        for town in TOWNS {
            let gm = code(format!("GM99{:02}", town.number));
            areas.push(Area::new(gm.clone(), year, town.name));
            let mut wijk_figures = Vec::new();
            for (w, (wijk_name, buurten)) in town.wijken.iter().enumerate() {
                let wk = code(format!("WK99{:02}{:02}", town.number, w + 1));
                areas.push(Area::new(wk.clone(), year, *wijk_name));
                let mut buurt_figures_list = Vec::new();
                for (b, buurt_name) in buurten.iter().enumerate() {
                    let bu = code(format!("BU99{:02}{:02}{:02}", town.number, w + 1, b + 1));
                    let mut rng = Rng(u64::from(town.number) * 1_000_003 + (w as u64) * 1_009 + b as u64);
                    let deprivation = (town.pressure + (w as f64 - 1.5) * 0.08).clamp(0.0, 1.0);
                    let mut f = buurt_figures(&mut rng, deprivation, buurt_name);
                    if y == 1 {
                        // The second year drifts a little: growth, slightly less low income.
                        let mut drift = Rng(rng.0 ^ 0xDEAD_BEEF);
                        for key in COUNT_KEYS {
                            if let Some(v) = f.get(key) {
                                f.set(key, (v * drift.between(0.98, 1.04)).round());
                            }
                        }
                        for key in ["pct_low_income_households", "pct_corporation"] {
                            if let Some(v) = f.get(key) {
                                f.set(key, ((v * drift.between(0.93, 1.03)) * 10.0).round() / 10.0);
                            }
                        }
                        // Homes that left the corporations were sold to their occupiers: the
                        // tenure shares still add up to 100, as CBS publishes them.
                        if let (Some(corp), Some(other)) = (f.get("pct_corporation"), f.get("pct_other_landlords")) {
                            f.set("pct_rental", corp + other);
                            f.set("pct_owner_occupied", (100.0 - corp - other).max(0.0));
                        }
                        if *buurt_name == "Kanaalzone" {
                            // Redrawn in the second year: the trend must be flagged, not compared.
                            f.set("boundary_change", 3.0);
                        }
                    }
                    areas.push(Area::new(bu.clone(), year, *buurt_name));
                    buurt_figures_list.push(f.clone());
                    figures.insert(bu, f);
                }
                let wf = aggregate(&buurt_figures_list.iter().collect::<Vec<_>>());
                wijk_figures.push(wf.clone());
                figures.insert(wk, wf);
            }
            let gf = aggregate(&wijk_figures.iter().collect::<Vec<_>>());
            figures.insert(gm, gf);
        }
        let areas = areas.into_iter().map(Area::fictional).collect();
        years.push(ParsedYear {
            year,
            areas,
            figures,
            source: leefwijk_domain::DataSource::fictional_demo(),
            ..ParsedYear::default()
        });
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;
    use leefwijk_domain::AreaKind;

    #[test]
    fn demo_is_deterministic_and_complete() {
        let a = demo_years();
        let b = demo_years();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        let first = &a[0];
        assert_eq!(first.count(AreaKind::Gemeente), TOWNS.len());
        assert_eq!(first.count(AreaKind::Wijk), 14);
        assert_eq!(first.count(AreaKind::Buurt), 56);
        // Every area has a boundary and figures.
        let shapes = demo_boundaries();
        assert_eq!(shapes.shapes.len(), first.areas.len());
        assert!(first.areas.iter().all(|a| a.fictional), "every demo area is marked fictional");
        assert!(first.source.fictional);
        for area in &first.areas {
            assert!(first.figures.contains_key(&area.code), "{}", area.code);
        }
        // Tenure shares add up to 100 (± CBS rounding) in every area and year, so the
        // housing capability can rebuild the stock from them.
        for year in &a {
            for (code, f) in &year.figures {
                let (Some(o), Some(c), Some(r)) =
                    (f.get("pct_owner_occupied"), f.get("pct_corporation"), f.get("pct_other_landlords"))
                else {
                    continue;
                };
                assert!((99.0..=101.0).contains(&(o + c + r)), "{} {code}: {o} + {c} + {r}", year.year);
            }
        }
        // Municipal population is the sum of its buurten.
        let gm = &first.figures[&code(DEMO_MUNICIPALITY.into())];
        let sum: f64 = first
            .figures
            .iter()
            .filter(|(c, _)| {
                c.kind() == AreaKind::Buurt && c.municipality().as_ref().map(|m| m.as_str()) == Some(DEMO_MUNICIPALITY)
            })
            .filter_map(|(_, f)| f.get("population"))
            .sum();
        assert_eq!(gm.get("population"), Some(sum));
    }
}
