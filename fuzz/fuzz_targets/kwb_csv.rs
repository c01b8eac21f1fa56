//! The CBS StatLine CSV importer must reject bad input with an error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(parsed) = leefwijk_app::areas::import_kwb::parse_cbs_csv(text, 2024, &|_| {}) {
            // Whatever is accepted is internally consistent.
            assert_eq!(parsed.areas.len(), parsed.figures.len());
        }
    }
});
