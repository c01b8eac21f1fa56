//! Base-map tiles in the Dutch national tiling scheme (Geonovum's "Nederlandse richtlijn
//! tiling", EPSG:28992), which PDOK's BRT achtergrondkaart and other Dutch tile services
//! publish: which tiles cover a map drawn in RD metres, and where each goes on it.

/// Top-left corner of tile (0, 0) at every level, in RD metres.
pub const ORIGIN_X: f64 = -285_401.92;
pub const ORIGIN_Y: f64 = 903_401.92;
/// Metres per pixel at level 0; each level halves it.
pub const RESOLUTION_0: f64 = 3440.64;
/// Pixels per tile side.
pub const TILE_PIXELS: f64 = 256.0;
/// The deepest level the scheme defines.
pub const MAX_LEVEL: u32 = 14;
/// A map never asks for more tiles than this (a coarser level is used instead).
pub const MAX_TILES: usize = 64;

/// One tile placed on the map: its level, column and row in the scheme, and its box on
/// the map in map pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedTile {
    pub level: u32,
    pub col: i64,
    pub row: i64,
    pub x: f64,
    pub y: f64,
    pub size: f64,
}

/// Metres per pixel at a level.
pub fn resolution(level: u32) -> f64 {
    RESOLUTION_0 / f64::from(1u32 << level)
}

/// The tiles under a map of `width` × `height` pixels whose top-left corner is RD
/// (`min_x`, `max_y`) at `scale` pixels per metre: the finest level whose pixels are no
/// larger than the map's (so the base map is never blurrier than the map), coarser when
/// that would take more than [`MAX_TILES`] tiles. Empty for a degenerate map.
pub fn covering(min_x: f64, max_y: f64, scale: f64, width: f64, height: f64) -> Vec<PlacedTile> {
    if !(scale.is_finite() && scale > 0.0 && width > 0.0 && height > 0.0) {
        return Vec::new();
    }
    let (max_x, min_y) = (min_x + width / scale, max_y - height / scale);
    let wanted = (0..=MAX_LEVEL).find(|l| resolution(*l) <= 1.0 / scale).unwrap_or(MAX_LEVEL);
    for level in (0..=wanted).rev() {
        let span = TILE_PIXELS * resolution(level);
        let cols = ((min_x - ORIGIN_X) / span).floor() as i64..=((max_x - ORIGIN_X) / span).floor() as i64;
        let rows = ((ORIGIN_Y - max_y) / span).floor() as i64..=((ORIGIN_Y - min_y) / span).floor() as i64;
        let count = (cols.end() - cols.start() + 1) * (rows.end() - rows.start() + 1);
        if count as usize > MAX_TILES && level > 0 {
            continue;
        }
        let size = span * scale;
        return rows
            .flat_map(|row| cols.clone().map(move |col| (col, row)))
            .map(|(col, row)| PlacedTile {
                level,
                col,
                row,
                x: (ORIGIN_X + col as f64 * span - min_x) * scale,
                y: (max_y - (ORIGIN_Y - row as f64 * span)) * scale,
                size,
            })
            .collect();
    }
    Vec::new()
}

/// A tile's address from a URL template with `{z}`, `{x}` (column) and `{y}` (row).
pub fn url(template: &str, tile: &PlacedTile) -> String {
    template
        .replace("{z}", &tile.level.to_string())
        .replace("{x}", &tile.col.to_string())
        .replace("{y}", &tile.row.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tiles_cover_the_map_exactly_once_and_line_up_with_rd() {
        // A 340 px map of 3.4 km of Utrecht (RD 133000..136400, top at 457000): 0.1 px/m.
        let scale = 0.1;
        let tiles = covering(133_000.0, 457_000.0, scale, 340.0, 200.0);
        assert!(!tiles.is_empty());
        let level = tiles[0].level;
        // Pixels no larger than the map's: 10 m per map pixel, so at most 10 m per tile pixel.
        assert!(resolution(level) <= 10.0 && resolution(level) * 2.0 > 10.0, "level {level}");
        assert!(tiles
            .iter()
            .all(|t| t.level == level && (t.size - TILE_PIXELS * resolution(level) * scale).abs() < 1e-9));
        // Together they cover the map, and no two overlap.
        let (left, top) = tiles.iter().fold((f64::MAX, f64::MAX), |(l, t), p| (l.min(p.x), t.min(p.y)));
        let (right, bottom) =
            tiles.iter().fold((f64::MIN, f64::MIN), |(r, b), p| (r.max(p.x + p.size), b.max(p.y + p.size)));
        assert!(left <= 0.0 && top <= 0.0 && right >= 340.0 && bottom >= 200.0);
        for (i, a) in tiles.iter().enumerate() {
            for b in &tiles[i + 1..] {
                assert!(a.col != b.col || a.row != b.row);
            }
        }
        // A tile's corner is where its RD corner lies on the map.
        let t = &tiles[0];
        let span = TILE_PIXELS * resolution(t.level);
        assert!(((ORIGIN_X + t.col as f64 * span - 133_000.0) * scale - t.x).abs() < 1e-6);
        assert!(((457_000.0 - (ORIGIN_Y - t.row as f64 * span)) * scale - t.y).abs() < 1e-6);
    }

    #[test]
    fn a_large_map_takes_a_coarser_level_rather_than_too_many_tiles() {
        // The whole country (300 km) on 340 px would want level 6 tiles; at most 64 are fetched.
        let tiles = covering(0.0, 625_000.0, 340.0 / 300_000.0, 340.0, 400.0);
        assert!(!tiles.is_empty() && tiles.len() <= MAX_TILES, "{}", tiles.len());
        assert!(covering(0.0, 0.0, 0.0, 340.0, 200.0).is_empty(), "no scale, no tiles");
    }

    #[test]
    fn the_url_template_names_level_column_and_row() {
        let t = PlacedTile { level: 9, col: 260, row: 253, x: 0.0, y: 0.0, size: 256.0 };
        assert_eq!(url("https://tiles.example/{z}/{x}/{y}.png", &t), "https://tiles.example/9/260/253.png");
    }
}
