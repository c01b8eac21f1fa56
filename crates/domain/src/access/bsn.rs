//! The citizen service number (BSN). Validated with the elfproef and never shown, logged
//! or stored in plain text: `Debug` and `Display` mask it.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BsnError {
    #[error("a BSN has 9 digits (8 digits get a leading zero); this one has {0}")]
    Length(usize),
    #[error("a BSN has only digits")]
    NotDigits,
    #[error("this number fails the elfproef (11-test) for BSNs: check for a typing error")]
    Elfproef,
}

/// A valid BSN. The digits are reachable only through [`Bsn::expose`], which the
/// pseudonymiser and the vault call; nothing else needs them.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Bsn([u8; 9]);

impl Bsn {
    /// Parses 9 digits (or 8, which get a leading zero), ignoring spaces, dots and dashes.
    pub fn parse(raw: &str) -> Result<Bsn, BsnError> {
        let digits: Vec<u8> = raw.bytes().filter(|b| !matches!(b, b' ' | b'.' | b'-')).collect();
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(BsnError::NotDigits);
        }
        let digits: Vec<u8> = match digits.len() {
            9 => digits.iter().map(|d| d - b'0').collect(),
            8 => std::iter::once(0).chain(digits.iter().map(|d| d - b'0')).collect(),
            n => return Err(BsnError::Length(n)),
        };
        let mut arr = [0u8; 9];
        arr.copy_from_slice(&digits);
        if !elfproef(&arr) {
            return Err(BsnError::Elfproef);
        }
        Ok(Bsn(arr))
    }

    /// The nine digits. Only for pseudonymisation and the purpose-bound vault.
    pub fn expose(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

/// The BSN 11-test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 and not zero.
/// (Logius, "Elfproef BSN"; all zeros is excluded.)
pub fn elfproef(d: &[u8; 9]) -> bool {
    let sum: i64 = d[..8].iter().zip((2..=9).rev()).map(|(d, w)| i64::from(*d) * w).sum::<i64>() - i64::from(d[8]);
    sum != 0 && sum % 11 == 0
}

impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bsn(*********)")
    }
}

impl fmt::Display for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("*********")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_valid_and_rejects_invalid_numbers() {
        // 111222333: 9+8+7+12+10+8+9+6−3 = 66 = 6·11.
        assert!(Bsn::parse("111222333").is_ok());
        assert!(Bsn::parse("1112.22.333").is_ok());
        assert_eq!(Bsn::parse("111222334"), Err(BsnError::Elfproef));
        assert_eq!(Bsn::parse("000000000"), Err(BsnError::Elfproef));
        assert_eq!(Bsn::parse("12345"), Err(BsnError::Length(5)));
        assert_eq!(Bsn::parse("11122233a"), Err(BsnError::NotDigits));
        // Eight digits get a leading zero: 012345672 is valid (0+8+14+18+20+20+18+14−2 = 110).
        assert_eq!(Bsn::parse("12345672").map(|b| b.expose()), Ok("012345672".to_string()));
    }

    #[test]
    fn never_prints_the_number() {
        let bsn = Bsn::parse("111222333").expect("valid");
        assert!(!format!("{bsn:?} {bsn}").contains("111"));
    }

    proptest! {
        #[test]
        fn a_single_changed_digit_fails_the_elfproef(pos in 0usize..9, delta in 1u8..10) {
            let mut d = [1u8, 1, 1, 2, 2, 2, 3, 3, 3];
            d[pos] = (d[pos] + delta) % 10;
            prop_assert!(!elfproef(&d));
        }
    }
}
