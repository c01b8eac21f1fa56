//! Trends between two years. CBS renumbers and redraws wijken and buurten; an area whose
//! code or boundaries changed is flagged rather than silently compared.

use crate::figures::Figures;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Comparability {
    /// Same code, boundaries unchanged (CBS change code 1 or none given).
    Comparable,
    /// CBS reports a change of code or boundaries in the later year.
    BoundaryChanged,
    /// The code does not exist in one of the two years.
    MissingInYear,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrendValue {
    pub indicator: String,
    pub from: f64,
    pub to: f64,
    pub change: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Trend {
    pub from_year: i32,
    pub to_year: i32,
    pub comparability: Comparability,
    pub values: Vec<TrendValue>,
}

/// Compares two years of one area code. `later` carries CBS's boundary-change code.
pub fn trend(from_year: i32, earlier: Option<&Figures>, to_year: i32, later: Option<&Figures>) -> Trend {
    let (Some(a), Some(b)) = (earlier, later) else {
        return Trend { from_year, to_year, comparability: Comparability::MissingInYear, values: Vec::new() };
    };
    let comparability = match b.get("boundary_change") {
        Some(code) if (code - 1.0).abs() > f64::EPSILON => Comparability::BoundaryChanged,
        _ => Comparability::Comparable,
    };
    let values = b
        .values
        .iter()
        .filter(|(k, _)| k.as_str() != "boundary_change")
        .filter_map(|(k, to)| {
            a.get(k).map(|from| TrendValue { indicator: k.clone(), from, to: *to, change: to - from })
        })
        .collect();
    Trend { from_year, to_year, comparability, values }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_boundaries_are_flagged() {
        let mut a = Figures::default();
        a.set("population", 100.0);
        let mut b = Figures::default();
        b.set("population", 120.0);
        b.set("boundary_change", 3.0);
        let t = trend(2022, Some(&a), 2023, Some(&b));
        assert_eq!(t.comparability, Comparability::BoundaryChanged);
        assert_eq!(t.values[0].change, 20.0);
        b.set("boundary_change", 1.0);
        assert_eq!(trend(2022, Some(&a), 2023, Some(&b)).comparability, Comparability::Comparable);
        assert_eq!(trend(2022, None, 2023, Some(&b)).comparability, Comparability::MissingInYear);
    }
}
