//! Area boundaries: simplification on import and projection to SVG for drawing.

use serde::{Deserialize, Serialize};

pub type Point = [f64; 2];
pub type Ring = Vec<Point>;
/// Outer ring first, then holes.
pub type Polygon = Vec<Ring>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    pub polygons: Vec<Polygon>,
}

impl Shape {
    pub fn bbox(&self) -> Option<BBox> {
        let mut points = self.polygons.iter().flatten().flatten();
        let first = points.next()?;
        let mut b = BBox { min_x: first[0], min_y: first[1], max_x: first[0], max_y: first[1] };
        for p in points {
            b.extend(p);
        }
        Some(b)
    }

    pub fn point_count(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }

    /// Douglas–Peucker simplification of every ring. Rings that collapse below a
    /// triangle are dropped (slivers and islets smaller than the tolerance).
    pub fn simplify(&self, tolerance: f64) -> Shape {
        let keep = |r: &Ring| r.len() >= 4 && !is_smaller_than(r, tolerance);
        let polygons = self
            .polygons
            .iter()
            .filter_map(|poly| {
                let mut rings = poly.iter().map(|r| simplify_ring(r, tolerance));
                // Without its outer ring a polygon's holes mean nothing.
                let outer = rings.next().filter(|r| keep(r))?;
                Some(std::iter::once(outer).chain(rings.filter(|r| keep(r))).collect())
            })
            .collect();
        Shape { polygons }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl BBox {
    pub fn extend(&mut self, p: &Point) {
        self.min_x = self.min_x.min(p[0]);
        self.min_y = self.min_y.min(p[1]);
        self.max_x = self.max_x.max(p[0]);
        self.max_y = self.max_y.max(p[1]);
    }

    pub fn union(self, other: BBox) -> BBox {
        BBox {
            min_x: self.min_x.min(other.min_x),
            min_y: self.min_y.min(other.min_y),
            max_x: self.max_x.max(other.max_x),
            max_y: self.max_y.max(other.max_y),
        }
    }

    /// Longitude/latitude (WGS84) rather than metres (RD New, EPSG:28992).
    pub fn is_geographic(&self) -> bool {
        self.min_x >= -180.0 && self.max_x <= 180.0 && self.min_y >= -90.0 && self.max_y <= 90.0
    }
}

/// True when the ring fits in a box of `tolerance` by `tolerance`: too small to draw.
fn is_smaller_than(ring: &Ring, tolerance: f64) -> bool {
    let shape = Shape { polygons: vec![vec![ring.clone()]] };
    shape.bbox().map(|b| b.max_x - b.min_x < tolerance && b.max_y - b.min_y < tolerance).unwrap_or(true)
}

fn perpendicular_distance(p: &Point, a: &Point, b: &Point) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len = (dx * dx + dy * dy).sqrt();
    if len == 0.0 {
        return ((p[0] - a[0]).powi(2) + (p[1] - a[1]).powi(2)).sqrt();
    }
    ((dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]).abs()) / len
}

/// Douglas–Peucker on a closed ring (first point equals last), iterative so deep rings
/// cannot overflow the stack.
pub fn simplify_ring(ring: &[Point], tolerance: f64) -> Ring {
    if ring.len() <= 4 || tolerance <= 0.0 {
        return ring.to_vec();
    }
    let mut keep = vec![false; ring.len()];
    keep[0] = true;
    keep[ring.len() - 1] = true;
    // A closed ring has first == last; split at the point farthest from the start so
    // the two halves are well-defined.
    let far = (1..ring.len() - 1)
        .max_by(|&i, &j| {
            let di = (ring[i][0] - ring[0][0]).powi(2) + (ring[i][1] - ring[0][1]).powi(2);
            let dj = (ring[j][0] - ring[0][0]).powi(2) + (ring[j][1] - ring[0][1]).powi(2);
            di.total_cmp(&dj)
        })
        .unwrap_or(ring.len() / 2);
    keep[far] = true;
    let mut stack = vec![(0, far), (far, ring.len() - 1)];
    while let Some((start, end)) = stack.pop() {
        if end <= start + 1 {
            continue;
        }
        let mut max_d = 0.0;
        let mut idx = start;
        for i in start + 1..end {
            let d = perpendicular_distance(&ring[i], &ring[start], &ring[end]);
            if d > max_d {
                max_d = d;
                idx = i;
            }
        }
        if max_d > tolerance {
            keep[idx] = true;
            stack.push((start, idx));
            stack.push((idx, end));
        }
    }
    ring.iter().zip(keep).filter_map(|(p, k)| k.then_some(*p)).collect()
}

/// Maps source coordinates into an SVG view box of the given width, north up.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    bbox: BBox,
    scale: f64,
    x_factor: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    pub fn fit(bbox: BBox, width: f64) -> Projection {
        // For longitude/latitude, shrink x by cos(latitude) so the map is not stretched.
        let x_factor = if bbox.is_geographic() { ((bbox.min_y + bbox.max_y) / 2.0).to_radians().cos() } else { 1.0 };
        let w = ((bbox.max_x - bbox.min_x) * x_factor).max(f64::EPSILON);
        let h = (bbox.max_y - bbox.min_y).max(f64::EPSILON);
        let scale = width / w;
        Projection { bbox, scale, x_factor, width, height: (h * scale).max(1.0) }
    }

    pub fn project(&self, p: &Point) -> (f64, f64) {
        ((p[0] - self.bbox.min_x) * self.x_factor * self.scale, (self.bbox.max_y - p[1]) * self.scale)
    }

    /// The source point under a point of the view box: the inverse of [`Projection::project`]
    /// (a click on a map image back to map coordinates).
    pub fn unproject(&self, x: f64, y: f64) -> Point {
        [x / (self.x_factor * self.scale) + self.bbox.min_x, self.bbox.max_y - y / self.scale]
    }

    /// Source units under one unit of the view box: detail finer than this cannot be seen,
    /// so a whole-country map simplifies to it before drawing.
    pub fn units_per_pixel(&self) -> f64 {
        1.0 / self.scale.max(f64::EPSILON)
    }

    /// Whether the source coordinates are longitude/latitude (else metres, RD New).
    /// For a map of projected metres (RD), its top-left corner and pixels per metre: what
    /// a base map in the same grid needs to line up under it. `None` for longitude/latitude.
    pub fn metric_frame(&self) -> Option<(f64, f64, f64)> {
        (!self.is_geographic()).then_some((self.bbox.min_x, self.bbox.max_y, self.scale))
    }

    pub fn is_geographic(&self) -> bool {
        self.bbox.is_geographic()
    }

    /// An SVG path `d` attribute for a shape, even-odd so holes stay holes.
    pub fn path(&self, shape: &Shape) -> String {
        self.path_with(shape, 1)
    }

    /// As [`Projection::path`], with `decimals` decimals (0 for a whole-country map, where
    /// a tenth of a pixel only adds bytes). Repeated points after rounding are dropped.
    pub fn path_with(&self, shape: &Shape, decimals: usize) -> String {
        use std::fmt::Write;
        let mut d = String::new();
        for ring in shape.polygons.iter().flatten() {
            let mut last: Option<String> = None;
            let mut n = 0;
            for p in ring {
                let (x, y) = self.project(p);
                let xy = format!("{x:.decimals$} {y:.decimals$}");
                if last.as_deref() == Some(xy.as_str()) {
                    continue;
                }
                let _ = write!(d, "{}{xy}", if n == 0 { "M" } else { "L" });
                last = Some(xy);
                n += 1;
            }
            d.push('Z');
        }
        d
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn unproject_inverts_project() {
        for bbox in [
            BBox { min_x: 4.8, min_y: 52.3, max_x: 5.0, max_y: 52.4 },
            BBox { min_x: 120_000.0, min_y: 480_000.0, max_x: 125_000.0, max_y: 486_000.0 },
        ] {
            let p = Projection::fit(bbox, 600.0);
            for point in [
                [bbox.min_x, bbox.max_y],
                [bbox.max_x, bbox.min_y],
                [(bbox.min_x + bbox.max_x) / 2.0, bbox.min_y + 0.001],
            ] {
                let (x, y) = p.project(&point);
                let back = p.unproject(x, y);
                assert!(
                    (back[0] - point[0]).abs() < 1e-9 && (back[1] - point[1]).abs() < 1e-9,
                    "{point:?} -> {back:?}"
                );
            }
        }
    }

    use super::*;

    fn square_with_noise() -> Ring {
        vec![[0.0, 0.0], [5.0, 0.01], [10.0, 0.0], [10.0, 10.0], [5.0, 9.99], [0.0, 10.0], [0.0, 0.0]]
    }

    #[test]
    fn simplification_drops_points_within_tolerance() {
        let s = simplify_ring(&square_with_noise(), 0.1);
        assert_eq!(s, vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]);
        // Zero tolerance keeps everything.
        assert_eq!(simplify_ring(&square_with_noise(), 0.0).len(), 7);
    }

    #[test]
    fn tiny_islands_are_dropped() {
        let shape = Shape {
            polygons: vec![
                vec![square_with_noise()],
                vec![vec![[50.0, 50.0], [50.01, 50.0], [50.0, 50.01], [50.0, 50.0]]],
            ],
        };
        let simple = shape.simplify(0.1);
        assert_eq!(simple.polygons.len(), 1);
    }

    #[test]
    fn projection_puts_north_up_and_fits_width() {
        let bbox = BBox { min_x: 100_000.0, min_y: 400_000.0, max_x: 110_000.0, max_y: 405_000.0 };
        let p = Projection::fit(bbox, 800.0);
        assert_eq!(p.project(&[100_000.0, 405_000.0]), (0.0, 0.0));
        assert_eq!(p.project(&[110_000.0, 400_000.0]), (800.0, 400.0));
        assert_eq!(p.height, 400.0);
    }
}
