//! Capability: access. The rules that protect personal data: BSN validation,
//! pseudonymisation, the covenant (convenant gegevensuitwisseling) as executable policy,
//! and the hash chain of the audit log. Pure functions; keys are passed in, never read here.

pub mod audit_chain;
pub mod bsn;
pub mod covenant;
pub mod logboek;
pub mod pseudonym;

/// Lower-case hex, for hashes and pseudonyms.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    s
}
