//! Validation of one incoming signal, the same for JSON and CSV: every field arrives as
//! text (or absent), and every problem is reported with the field it concerns, so a
//! partner can fix its export. Nothing here stores or logs the values.

use super::SignalKind;
use crate::access::bsn::Bsn;
use crate::calendar::Date;
use crate::AreaCode;
use serde::Serialize;

/// The fields a partner may send, by their API/CSV names.
pub const FIELDS: &[&str] = &[
    "kind",
    "bsn",
    "postcode",
    "house_number",
    "house_number_addition",
    "buurt_code",
    "arrears_cents",
    "arrears_since",
    "signal_date",
    "customer_number",
    "crisis",
    "reminder_sent",
    "personal_contact_attempted",
    "debt_help_pointed_to",
    "no_objection",
    "reference",
];

/// The creditor's preconditions of the Besluit Wgs, in field order.
pub const PRECONDITIONS: [&str; 4] =
    ["reminder_sent", "personal_contact_attempted", "debt_help_pointed_to", "no_objection"];

/// Arrears above this many cents (EUR 10 million) are taken for an export error.
pub const MAX_ARREARS_CENTS: i64 = 1_000_000_000;

/// One signal as received: every field as text, absent when not sent or empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignalInput {
    pub values: std::collections::BTreeMap<&'static str, String>,
}

impl SignalInput {
    /// Sets a field by name; `false` when the name is not a known field.
    pub fn set(&mut self, field: &str, value: impl Into<String>) -> bool {
        let Some(name) = FIELDS.iter().find(|f| **f == field) else {
            return false;
        };
        let value = value.into();
        let trimmed = value.trim();
        if trimmed.len() == value.len() {
            if !value.is_empty() {
                self.values.insert(name, value);
            }
        } else if !trimmed.is_empty() {
            self.values.insert(name, trimmed.to_string());
        }
        true
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.values.get(field).map(String::as_str)
    }
}

/// A problem with one field of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = SignalFieldError)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.to_string(), message: message.into() }
}

/// A Dutch postcode, normalised to "1234AB".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Postcode(String);

impl Postcode {
    /// Four digits (not starting with 0) and two letters; SA, SD and SS are never issued.
    pub fn parse(raw: &str) -> Result<Postcode, String> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let bytes = compact.as_bytes();
        let shape_ok = bytes.len() == 6
            && bytes[0].is_ascii_digit()
            && bytes[0] != b'0'
            && bytes[1..4].iter().all(u8::is_ascii_digit)
            && bytes[4..].iter().all(u8::is_ascii_uppercase);
        if !shape_ok {
            return Err("a postcode is four digits and two letters, such as 1234 AB".into());
        }
        if matches!(&compact[4..], "SA" | "SD" | "SS") {
            return Err("postcodes with the letters SA, SD or SS do not exist".into());
        }
        Ok(Postcode(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A postal address: enough to find the household's front door.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Address {
    pub postcode: Postcode,
    pub house_number: u32,
    pub addition: Option<String>,
}

impl Address {
    /// The normalised form the household key is computed from: "1234AB|12|a". Spelling
    /// differences in the addition ("A", " a", "-a") give the same household.
    pub fn normalised(&self) -> String {
        format!("{}|{}|{}", self.postcode.as_str(), self.house_number, self.addition.as_deref().unwrap_or(""))
    }

    /// The address as a person writes it: "1234 AB 12-a".
    pub fn display(&self) -> String {
        let pc = self.postcode.as_str();
        let addition = self.addition.as_deref().map(|a| format!("-{a}")).unwrap_or_default();
        format!("{} {} {}{}", &pc[..4], &pc[4..], self.house_number, addition)
    }
}

/// The creditor's preconditions before a payment-arrears signal (Besluit Wgs art. 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Preconditions {
    pub reminder_sent: bool,
    pub personal_contact_attempted: bool,
    pub debt_help_pointed_to: bool,
    pub no_objection: bool,
}

/// A signal that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSignal {
    pub kind: SignalKind,
    pub bsn: Option<Bsn>,
    pub address: Option<Address>,
    pub buurt_code: Option<AreaCode>,
    pub arrears_cents: i64,
    pub arrears_since: Option<Date>,
    pub signal_date: Date,
    pub customer_number: Option<String>,
    pub crisis: bool,
    pub preconditions: Preconditions,
    /// The partner's own reference, returned with feedback.
    pub reference: Option<String>,
}

/// Parses yes/no in the spellings exports use.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "ja" | "j" | "yes" | "y" | "waar" => Some(true),
        "false" | "0" | "nee" | "n" | "no" | "onwaar" => Some(false),
        _ => None,
    }
}

fn short_text(input: &SignalInput, field: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = input.get(field)?;
    if v.chars().count() > max {
        errors.push(err(field, format!("at most {max} characters")));
        return None;
    }
    if v.chars().any(|c| c.is_control() || c == '<' || c == '>') {
        errors.push(err(field, "use letters, digits and simple punctuation only"));
        return None;
    }
    Some(v.to_string())
}

fn flag(input: &SignalInput, field: &str, errors: &mut Vec<FieldError>) -> Option<bool> {
    let raw = input.get(field)?;
    let parsed = parse_bool(raw);
    if parsed.is_none() {
        errors.push(err(field, "use true or false (ja/nee)"));
    }
    parsed
}

fn date_field(input: &SignalInput, field: &str, today: Date, errors: &mut Vec<FieldError>) -> Option<Date> {
    let raw = input.get(field)?;
    match Date::parse(raw) {
        Ok(d) if d > today => {
            errors.push(err(field, "this date is in the future; send the date it happened"));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(err(field, "use a date such as 2026-11-23 (YYYY-MM-DD)"));
            None
        }
    }
}

/// Validates one signal received on `today`. All problems of the row are reported, not
/// only the first, so one correction round suffices.
pub fn validate(input: &SignalInput, today: Date) -> Result<ValidSignal, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = match input.get("kind") {
        None => {
            errors.push(err("kind", "required: the kind of signal, such as rent_arrears"));
            None
        }
        Some(raw) => match SignalKind::parse(raw) {
            Some(k) => Some(k),
            None => {
                let known: Vec<&str> = SignalKind::ALL.iter().map(|k| k.code()).collect();
                errors.push(err("kind", format!("unknown kind; use one of {}", known.join(", "))));
                None
            }
        },
    };
    let financial = kind.is_some_and(SignalKind::is_financial);

    let bsn = match input.get("bsn") {
        Some(raw) => match Bsn::parse(raw) {
            Ok(b) => Some(b),
            Err(e) => {
                errors.push(err("bsn", e.to_string()));
                None
            }
        },
        None => {
            if financial {
                errors.push(err("bsn", "required for payment-arrears signals (Wgs art. 3a)"));
            }
            None
        }
    };

    let postcode = input.get("postcode").and_then(|raw| match Postcode::parse(raw) {
        Ok(p) => Some(p),
        Err(m) => {
            errors.push(err("postcode", m));
            None
        }
    });
    let house_number = input.get("house_number").and_then(|raw| match raw.parse::<u32>() {
        Ok(n) if (1..=99_999).contains(&n) => Some(n),
        _ => {
            errors.push(err("house_number", "a house number is a whole number from 1 to 99999"));
            None
        }
    });
    let addition = input.get("house_number_addition").and_then(|raw| {
        let clean: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>().to_ascii_lowercase();
        if clean.is_empty() || clean.len() > 6 || !clean.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.push(err("house_number_addition", "an addition is up to 6 letters or digits, such as A or 2hg"));
            None
        } else {
            Some(clean)
        }
    });
    let address_sent = input.get("postcode").is_some() || input.get("house_number").is_some();
    let address = match (postcode, house_number) {
        (Some(postcode), Some(house_number)) => Some(Address { postcode, house_number, addition }),
        _ => {
            if input.get("postcode").is_some() && input.get("house_number").is_none() {
                errors.push(err("house_number", "required with a postcode"));
            }
            if input.get("house_number").is_some() && input.get("postcode").is_none() {
                errors.push(err("postcode", "required with a house number"));
            }
            None
        }
    };

    let buurt_code = input.get("buurt_code").and_then(|raw| match AreaCode::parse(raw) {
        Ok(code) if code.kind() == crate::AreaKind::Buurt => Some(code),
        _ => {
            errors.push(err("buurt_code", "a CBS buurt code such as BU03630000"));
            None
        }
    });
    if !address_sent && input.get("buurt_code").is_none() {
        errors.push(err("postcode", "send the address (postcode and house number) or at least the buurt_code"));
    }
    if !address_sent && input.get("bsn").is_none() && !financial {
        errors.push(err("postcode", "send the address or a BSN, so the signal can reach a household"));
    }

    let arrears_cents = match input.get("arrears_cents") {
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if n < 0 => {
                errors.push(err("arrears_cents", "arrears cannot be negative"));
                0
            }
            Ok(n) if n > MAX_ARREARS_CENTS => {
                errors.push(err("arrears_cents", "more than EUR 10 million: send the amount in cents, not a mistake"));
                0
            }
            Ok(n) => n,
            Err(_) => {
                errors.push(err("arrears_cents", "a whole number of euro cents, such as 125000 for EUR 1,250.00"));
                0
            }
        },
        None => {
            if financial {
                errors.push(err("arrears_cents", "required for payment-arrears signals, in euro cents"));
            }
            0
        }
    };
    let arrears_since = date_field(input, "arrears_since", today, &mut errors);
    let signal_date = date_field(input, "signal_date", today, &mut errors).unwrap_or(today);
    if let Some(since) = arrears_since {
        if since > signal_date {
            errors.push(err("arrears_since", "the arrears cannot start after the signal date"));
        }
    }
    let customer_number = short_text(input, "customer_number", 64, &mut errors);
    let reference = short_text(input, "reference", 64, &mut errors);

    let crisis = flag(input, "crisis", &mut errors).unwrap_or(false);
    let mut pre = [false; 4];
    for (i, field) in PRECONDITIONS.iter().enumerate() {
        let value = flag(input, field, &mut errors);
        pre[i] = value.unwrap_or(false);
        if financial && value == Some(false) {
            errors.push(err(field, "the Besluit Wgs requires this before a payment-arrears signal is sent"));
        } else if financial && input.get(field).is_none() {
            errors.push(err(field, "required for payment-arrears signals: true once done"));
        }
    }

    match kind {
        Some(kind) if errors.is_empty() => Ok(ValidSignal {
            kind,
            bsn,
            address,
            buurt_code,
            arrears_cents,
            arrears_since,
            signal_date,
            customer_number,
            crisis,
            preconditions: Preconditions {
                reminder_sent: pre[0],
                personal_contact_attempted: pre[1],
                debt_help_pointed_to: pre[2],
                no_objection: pre[3],
            },
            reference,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::parse("2026-11-23").expect("date")
    }

    fn input(pairs: &[(&str, &str)]) -> SignalInput {
        let mut i = SignalInput::default();
        for (k, v) in pairs {
            assert!(i.set(k, *v), "{k}");
        }
        i
    }

    fn rent() -> Vec<(&'static str, &'static str)> {
        vec![
            ("kind", "rent_arrears"),
            ("bsn", "111222333"),
            ("postcode", "1234 ab"),
            ("house_number", "12"),
            ("house_number_addition", "-A"),
            ("arrears_cents", "125000"),
            ("arrears_since", "2026-09-01"),
            ("reminder_sent", "ja"),
            ("personal_contact_attempted", "true"),
            ("debt_help_pointed_to", "1"),
            ("no_objection", "yes"),
        ]
    }

    #[test]
    fn a_complete_rent_signal_passes_and_normalises_the_address() {
        let s = validate(&input(&rent()), today()).expect("valid");
        assert_eq!(s.kind, SignalKind::RentArrears);
        let address = s.address.expect("address");
        assert_eq!(address.normalised(), "1234AB|12|a");
        assert_eq!(address.display(), "1234 AB 12-a");
        assert_eq!(s.signal_date, today(), "defaults to the day of receipt");
        assert!(s.preconditions.no_objection && !s.crisis);
    }

    #[test]
    fn every_problem_of_a_row_is_reported_with_its_field() {
        let mut pairs = rent();
        pairs.retain(|(k, _)| *k != "no_objection");
        pairs.push(("reminder_sent", "nee"));
        let mut i = input(&pairs);
        i.set("bsn", "111222334");
        i.set("postcode", "0123AB");
        i.set("arrears_cents", "-5");
        i.set("arrears_since", "2027-01-01");
        let errors = validate(&i, today()).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["bsn", "postcode", "arrears_cents", "arrears_since", "reminder_sent", "no_objection"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        assert!(errors.iter().any(|e| e.message.contains("elfproef")));
        assert!(errors.iter().any(|e| e.message.contains("future")));
    }

    #[test]
    fn non_financial_signals_need_no_bsn_but_need_a_household() {
        let ok = input(&[("kind", "nuisance"), ("postcode", "1234AB"), ("house_number", "3")]);
        assert!(validate(&ok, today()).is_ok());
        let only_buurt = input(&[("kind", "neglect"), ("buurt_code", "BU99010101")]);
        let errors = validate(&only_buurt, today()).expect_err("no household");
        assert!(errors.iter().any(|e| e.message.contains("household")));
        let financial_no_bsn = input(&[("kind", "energy_arrears"), ("postcode", "1234AB"), ("house_number", "3")]);
        let errors = validate(&financial_no_bsn, today()).expect_err("bsn required");
        assert!(errors.iter().any(|e| e.field == "bsn"));
        assert!(errors.iter().any(|e| e.field == "reminder_sent"));
    }

    #[test]
    fn postcodes_follow_the_dutch_format() {
        assert_eq!(Postcode::parse(" 9901 ab ").expect("ok").as_str(), "9901AB");
        for bad in ["0901AB", "990AB", "9901A1", "9901SS", "9901 SA", ""] {
            assert!(Postcode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_kinds_and_unknown_fields_are_named() {
        let mut i = SignalInput::default();
        assert!(!i.set("bsn_number", "1"), "unknown field");
        i.set("kind", "gas");
        let errors = validate(&i, today()).expect_err("bad kind");
        assert!(errors[0].message.contains("rent_arrears"));
        assert!(errors.iter().all(|e| !e.message.contains("111222333")));
    }
}
