//! Area codes come from URLs and files: parsing must never panic, and a parsed code's
//! parent chain must stay well-formed.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(code) = leefwijk_domain::AreaCode::parse(text) {
            let mut cursor = Some(code);
            while let Some(c) = cursor {
                cursor = c.parent();
            }
        }
    }
});
