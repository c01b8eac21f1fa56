//! Import of area boundaries from GeoJSON (PDOK "wijkenbuurten" or any FeatureCollection
//! whose features carry a CBS code). Shapes are simplified on import: the maps draw
//! municipalities and their wijken/buurten, never at cadastral detail, and smaller
//! shapes keep pages light.

use super::import_kwb::{feature_identity, visit_features, KwbError};
use leefwijk_domain::geometry::{Point, Polygon, Ring, Shape};
use leefwijk_store::ShapeRecord;
use std::collections::BTreeSet;

/// Fraction of a shape's bounding-box diagonal below which detail is dropped.
const RELATIVE_TOLERANCE: f64 = 1.0 / 400.0;

#[derive(Debug, Clone, Default)]
pub struct ParsedBoundaries {
    pub shapes: Vec<ShapeRecord>,
    pub points_before: usize,
    pub points_after: usize,
    /// Areas whose geometry is empty (water-only wijken in some CBS files): known, not drawn.
    pub without_geometry: Vec<leefwijk_domain::AreaCode>,
}

fn geometry_error(feature: usize, problem: impl Into<String>) -> KwbError {
    KwbError::Feature { feature, attribute: "geometry".into(), problem: problem.into() }
}

fn point(v: &serde_json::Value, feature: usize) -> Result<Point, KwbError> {
    let arr = v.as_array().ok_or_else(|| geometry_error(feature, "a position is not an array"))?;
    match (arr.first().and_then(|x| x.as_f64()), arr.get(1).and_then(|y| y.as_f64())) {
        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok([x, y]),
        _ => Err(geometry_error(feature, "a position needs two numbers")),
    }
}

fn ring(v: &serde_json::Value, feature: usize) -> Result<Ring, KwbError> {
    let arr = v.as_array().ok_or_else(|| geometry_error(feature, "a ring is not an array"))?;
    let mut ring: Ring = arr.iter().map(|p| point(p, feature)).collect::<Result<_, _>>()?;
    if ring.len() < 3 {
        return Err(geometry_error(feature, "a ring needs at least three positions"));
    }
    if ring.first() != ring.last() {
        // GeoJSON requires closed rings; close an open one rather than reject real data.
        ring.push(ring[0]);
    }
    Ok(ring)
}

fn polygon(v: &serde_json::Value, feature: usize) -> Result<Polygon, KwbError> {
    let arr = v.as_array().ok_or_else(|| geometry_error(feature, "a polygon is not an array"))?;
    arr.iter().map(|r| ring(r, feature)).collect()
}

/// Parses boundaries from GeoJSON text and simplifies them.
pub fn parse_boundaries(text: &str, progress: &dyn Fn(u64)) -> Result<ParsedBoundaries, KwbError> {
    let mut out = ParsedBoundaries::default();
    let mut seen = BTreeSet::new();
    visit_features(text, progress, |n, feature, props| {
        let (code, _) = feature_identity(props, n)?;
        if !seen.insert(code.clone()) {
            return Err(KwbError::Feature {
                feature: n,
                attribute: "code".into(),
                problem: format!("area {code} appears twice"),
            });
        }
        let geometry = feature.get("geometry").filter(|g| !g.is_null()).ok_or_else(|| geometry_error(n, "missing"))?;
        let coordinates = geometry.get("coordinates").ok_or_else(|| geometry_error(n, "no coordinates"))?;
        let polygons = match geometry.get("type").and_then(|t| t.as_str()) {
            Some("Polygon") => vec![polygon(coordinates, n)?],
            Some("MultiPolygon") => coordinates
                .as_array()
                .ok_or_else(|| geometry_error(n, "a multipolygon is not an array"))?
                .iter()
                .map(|p| polygon(p, n))
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(geometry_error(n, format!("type {other} is not an area; expected Polygon or MultiPolygon")))
            }
            None => return Err(geometry_error(n, "no type")),
        };
        let shape = Shape { polygons };
        let Some(bbox) = shape.bbox() else {
            out.without_geometry.push(code);
            return Ok(());
        };
        let diagonal = ((bbox.max_x - bbox.min_x).powi(2) + (bbox.max_y - bbox.min_y).powi(2)).sqrt();
        let simple = shape.simplify(diagonal * RELATIVE_TOLERANCE);
        out.points_before += shape.point_count();
        out.points_after += simple.point_count();
        out.shapes.push(ShapeRecord { code, shape: simple });
        Ok(())
    })?;
    if out.shapes.is_empty() {
        return Err(KwbError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_simplifies_polygons() {
        // A wijk with a noisy edge and a buurt as a multipolygon.
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"wijkcode":"WK990101","gemeentecode":"GM9901"},
           "geometry":{"type":"Polygon","coordinates":[[[0,0],[500,0.5],[1000,0],[1000,1000],[0,1000],[0,0]]]}},
          {"type":"Feature","properties":{"buurtcode":"BU99010101"},
           "geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10]]]]}}
        ]}"#;
        let parsed = parse_boundaries(text, &|_| {}).expect("valid");
        assert_eq!(parsed.shapes.len(), 2);
        assert_eq!(parsed.shapes[0].code.as_str(), "WK990101");
        assert_eq!(parsed.shapes[0].shape.polygons[0][0].len(), 5, "the noisy point is gone");
        assert_eq!(parsed.shapes[1].shape.polygons[0][0].len(), 5, "open ring closed");
        assert!(parsed.points_after < parsed.points_before);
    }

    #[test]
    fn rejects_non_areas_with_feature_number() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"buurtcode":"BU99010101"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#;
        let err = parse_boundaries(text, &|_| {}).expect_err("point");
        assert!(err.to_string().starts_with("feature 1, attribute geometry: type Point"), "{err}");
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"buurtcode":"BU99010101"},"geometry":{"type":"Polygon","coordinates":[[[0,0],["a",1],[1,1]]]}}]}"#;
        let err = parse_boundaries(text, &|_| {}).expect_err("bad position");
        assert!(err.to_string().contains("two numbers"), "{err}");
    }
}
