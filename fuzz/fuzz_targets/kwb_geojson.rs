//! The PDOK GeoJSON attribute importer must reject bad input with an error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = leefwijk_app::areas::import_kwb::parse_pdok_geojson(text, 2024, &|_| {});
    }
});
