//! A covenant file is loaded by an administrator: any text must give a covenant or an
//! error, never a panic; an accepted covenant must decide requests without panicking.
#![no_main]
use leefwijk_domain::access::covenant::{decide, processing_register, AccessRequest, Action, DataCategory, Purpose};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = leefwijk_app::access::covenant::parse(text) {
            let _ = processing_register(&c);
            let _ = decide(
                &c,
                &AccessRequest {
                    organisation_kind: "sociaal_wijkteam",
                    role: "wijkteammedewerker",
                    purpose: Purpose::Outreach,
                    category: DataCategory::Contact,
                    action: Action::Read,
                    consent: false,
                },
            );
        }
    }
});
