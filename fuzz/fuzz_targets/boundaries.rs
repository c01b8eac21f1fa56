//! The boundaries importer (parse + simplify) must never panic on any GeoJSON.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = leefwijk_app::areas::import_boundaries::parse_boundaries(text, &|_| {});
    }
});
