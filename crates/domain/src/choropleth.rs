//! Classes and colours for choropleth maps.

use serde::Serialize;

/// ColorBrewer "YlGnBu", 5 classes: sequential and safe for the common forms of colour
/// blindness (colorbrewer2.org marks it colour-blind safe). Light = low, dark = high.
pub const PALETTE: [&str; 5] = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
/// Fill for areas without a value.
pub const MISSING_FILL: &str = "#e0e0e0";

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Class {
    pub lower: f64,
    pub upper: f64,
    pub colour: &'static str,
}

/// Quantile classes over the values (at most 5, fewer when there are fewer distinct
/// values). Class bounds are actual data values, so the legend never promises a range
/// no area has.
pub fn quantile_classes(values: &[f64]) -> Vec<Class> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    if v.is_empty() {
        return Vec::new();
    }
    let n = v.len().min(PALETTE.len());
    let mut classes: Vec<Class> = Vec::with_capacity(n);
    for i in 0..n {
        let lo_idx = i * v.len() / n;
        let hi_idx = ((i + 1) * v.len() / n).saturating_sub(1).max(lo_idx);
        classes.push(Class { lower: v[lo_idx], upper: v[hi_idx], colour: "" });
    }
    // Spread the palette over the classes we have, keeping the darkest for the highest.
    let len = classes.len();
    for (i, class) in classes.iter_mut().enumerate() {
        let idx = if len == 1 { PALETTE.len() / 2 } else { i * (PALETTE.len() - 1) / (len - 1) };
        class.colour = PALETTE[idx];
    }
    classes
}

/// The class a value falls in: the first whose upper bound it does not exceed.
pub fn class_of(classes: &[Class], value: f64) -> Option<usize> {
    if classes.is_empty() || !value.is_finite() {
        return None;
    }
    Some(classes.iter().position(|c| value <= c.upper).unwrap_or(classes.len() - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn five_quantile_classes_over_ten_values() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let classes = quantile_classes(&values);
        assert_eq!(classes.len(), 5);
        assert_eq!((classes[0].lower, classes[0].upper), (1.0, 2.0));
        assert_eq!((classes[4].lower, classes[4].upper), (9.0, 10.0));
        assert_eq!(class_of(&classes, 1.0), Some(0));
        assert_eq!(class_of(&classes, 10.0), Some(4));
        assert_eq!(classes[4].colour, PALETTE[4]);
    }

    #[test]
    fn few_distinct_values_give_few_classes() {
        let classes = quantile_classes(&[3.0, 3.0, 7.0]);
        assert_eq!(classes.len(), 2);
        assert_eq!(class_of(&classes, 3.0), Some(0));
        assert_eq!(class_of(&classes, 7.0), Some(1));
        assert!(quantile_classes(&[]).is_empty());
    }

    proptest! {
        #[test]
        fn every_value_falls_in_a_class_containing_it(values in proptest::collection::vec(-1e6f64..1e6, 1..100)) {
            let classes = quantile_classes(&values);
            for v in &values {
                let c = &classes[class_of(&classes, *v).expect("class")];
                prop_assert!(c.lower <= *v && *v <= c.upper);
            }
            for pair in classes.windows(2) {
                prop_assert!(pair[0].upper < pair[1].lower);
            }
        }
    }
}
