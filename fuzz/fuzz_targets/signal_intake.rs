//! A partner's signal batch (CSV or JSON) is outside input: parsing must give rows or
//! errors with line and field, never a panic, and every parsed row must validate to a
//! signal or to field errors without panicking. Errors never carry the values sent.
#![no_main]
use leefwijk_app::signals::intake::{parse_csv, parse_json, Parsed, MAX_ROWS};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::signals::intake::{validate, FIELDS};
use libfuzzer_sys::fuzz_target;

fn check(parsed: Parsed, today: Date) {
    match parsed {
        Ok(rows) => {
            assert!(rows.len() <= MAX_ROWS);
            for (_, input) in &rows {
                assert!(input.values.keys().all(|k| FIELDS.contains(k)), "only known fields are kept");
                assert!(input.values.values().all(|v| !v.is_empty() && v.trim() == v), "values are trimmed, never empty");
                match validate(input, today) {
                    Ok(signal) => {
                        assert!(signal.arrears_cents >= 0);
                        assert!(signal.signal_date <= today);
                        if let Some(a) = &signal.address {
                            let _ = (a.normalised(), a.display());
                        }
                    }
                    Err(errors) => assert!(!errors.is_empty() && errors.iter().all(|e| FIELDS.contains(&e.field.as_str()))),
                }
            }
        }
        Err(errors) => assert!(!errors.is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    let today = Date { year: 2026, month: 11, day: 23 };
    check(parse_csv(data), today);
    check(parse_json(data), today);
});
