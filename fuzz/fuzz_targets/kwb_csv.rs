//! The CBS StatLine CSV importer must reject bad input with an error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(years) = leefwijk_app::areas::import_kwb::parse_cbs_csv(text, 2024, &|_| {}) {
            // Whatever is accepted is internally consistent: one year per period, each
            // area once per year with its figures.
            assert!(!years.is_empty());
            for parsed in &years {
                assert_eq!(parsed.areas.len(), parsed.figures.len());
            }
            assert!(years.windows(2).all(|w| w[0].year < w[1].year));
        }
    }
});
