//! The audit log's hash chain. Each entry's hash is HMAC(audit key, previous hash ‖
//! length-prefixed fields), so changing, removing or reordering an entry breaks the chain
//! at that entry, and without the key nobody can forge a consistent replacement.

use super::hex;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry. Holds pseudonyms and codes only: never a BSN, name or address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub tenant: String,
    /// Who acted: a user id, an API client id or "system".
    pub actor: String,
    pub organisation: String,
    pub purpose: String,
    pub action: String,
    pub category: String,
    /// Pseudonym of the person or household concerned, empty when none.
    pub subject: String,
    /// "allow" or "deny".
    pub outcome: String,
    /// The covenant rule that decided.
    pub rule: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    fn fields(&self) -> [String; 11] {
        [
            self.seq.to_string(),
            self.at_ms.to_string(),
            self.tenant.clone(),
            self.actor.clone(),
            self.organisation.clone(),
            self.purpose.clone(),
            self.action.clone(),
            self.category.clone(),
            self.subject.clone(),
            self.outcome.clone(),
            self.rule.clone(),
        ]
    }

    /// The hash this entry must carry, given the key and its predecessor's hash.
    pub fn compute_hash(&self, key: &[u8], prev_hash: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(prev_hash.as_bytes());
        // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
        for field in self.fields() {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
        hex(&mac.finalize().into_bytes())
    }

    /// Seals a new entry onto the chain after `prev_hash`.
    pub fn seal(mut self, key: &[u8], prev_hash: &str) -> AuditEntry {
        self.prev_hash = prev_hash.to_string();
        self.hash = self.compute_hash(key, prev_hash);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq} is missing: the chain jumps from {previous} to {found}")]
    Removed { seq: i64, previous: i64, found: i64 },
    #[error("audit entry {seq} was changed: its hash does not match its contents")]
    Changed { seq: i64 },
    #[error("audit entry {seq} is out of order: it does not follow entry {previous}")]
    Reordered { seq: i64, previous: i64 },
}

impl ChainBreak {
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::Removed { seq, .. } | ChainBreak::Changed { seq } | ChainBreak::Reordered { seq, .. } => *seq,
        }
    }
}

/// The newest entry's seq and hash, kept apart from the entries (updated in the same
/// transaction) so that cutting entries off the end is noticed too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// Walks entries in stored order (by seq) and names the first break. With a head, the
/// chain must end exactly there.
pub fn verify<'a>(
    key: &[u8],
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    head: Option<&ChainHead>,
) -> Result<usize, ChainBreak> {
    verify_from(key, entries, 0, GENESIS, head)
}

/// Like [`verify`], for a stretch of the chain that follows the already verified entry
/// `after_seq` with hash `after_hash`: lets a long log be verified page by page.
pub fn verify_from<'a>(
    key: &[u8],
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    after_seq: i64,
    after_hash: &str,
    head: Option<&ChainHead>,
) -> Result<usize, ChainBreak> {
    let mut previous_seq = after_seq;
    let mut previous_hash = after_hash.to_string();
    let mut count = 0;
    for e in entries {
        if e.seq != previous_seq + 1 {
            if e.seq > previous_seq + 1 {
                return Err(ChainBreak::Removed { seq: previous_seq + 1, previous: previous_seq, found: e.seq });
            }
            return Err(ChainBreak::Reordered { seq: e.seq, previous: previous_seq });
        }
        if e.compute_hash(key, &e.prev_hash) != e.hash {
            return Err(ChainBreak::Changed { seq: e.seq });
        }
        if e.prev_hash != previous_hash {
            return Err(ChainBreak::Reordered { seq: e.seq, previous: previous_seq });
        }
        previous_seq = e.seq;
        previous_hash = e.hash.clone();
        count += 1;
    }
    if let Some(head) = head {
        if head.seq > previous_seq {
            return Err(ChainBreak::Removed { seq: previous_seq + 1, previous: previous_seq, found: head.seq });
        }
        if head.seq != previous_seq || head.hash != previous_hash {
            return Err(ChainBreak::Changed { seq: previous_seq });
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: &[u8] = b"audit-key-for-tests-only-32bytes";

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map(|e| e.hash.clone()).unwrap_or_else(|| GENESIS.to_string());
            let e = AuditEntry {
                seq,
                at_ms: 1_700_000_000_000 + seq,
                tenant: "t1".into(),
                actor: format!("user-{}", seq % 3),
                organisation: "org-1".into(),
                purpose: "outreach".into(),
                action: "read".into(),
                category: "contact".into(),
                subject: format!("pseudonym-{seq}"),
                outcome: "allow".into(),
                rule: "outreach/wijkteam".into(),
                prev_hash: String::new(),
                hash: String::new(),
            };
            out.push(e.seal(KEY, &prev));
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(KEY, &chain(5), None), Ok(5));
        assert_eq!(verify(KEY, &chain(0), None), Ok(0));
    }

    #[test]
    fn a_wrong_key_fails_at_the_first_entry() {
        assert_eq!(verify(b"other", &chain(3), None), Err(ChainBreak::Changed { seq: 1 }));
    }

    #[test]
    fn changes_removals_and_swaps_are_named() {
        let mut c = chain(5);
        c[2].subject = "someone-else".into();
        assert_eq!(verify(KEY, &c, None), Err(ChainBreak::Changed { seq: 3 }));

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(KEY, &c, None), Err(ChainBreak::Removed { seq: 2, previous: 1, found: 3 }));

        // Swapping two rows' contents while keeping their seq numbers.
        let mut c = chain(5);
        let (a, b) = (c[1].clone(), c[3].clone());
        c[1] = AuditEntry { seq: 2, ..b };
        c[3] = AuditEntry { seq: 4, ..a };
        assert_eq!(verify(KEY, &c, None).map_err(|e| e.seq()), Err(2));
    }

    #[test]
    fn cutting_off_the_end_is_caught_by_the_head() {
        let full = chain(5);
        let head = ChainHead { seq: 5, hash: full[4].hash.clone() };
        assert_eq!(verify(KEY, &full, Some(&head)), Ok(5));
        assert_eq!(verify(KEY, &full[..4], Some(&head)), Err(ChainBreak::Removed { seq: 5, previous: 4, found: 5 }));
    }

    proptest! {
        #[test]
        fn any_mutation_is_caught_at_or_before_the_mutated_entry(n in 2i64..20, victim in 0usize..19, field in 0usize..6, kind in 0usize..3) {
            let victim = victim % n as usize;
            let mut c = chain(n);
            let head = ChainHead { seq: n, hash: c[n as usize - 1].hash.clone() };
            match kind {
                0 => {
                    let e = &mut c[victim];
                    match field {
                        0 => e.actor.push('x'),
                        1 => e.subject.push('x'),
                        2 => e.at_ms += 1,
                        3 => e.outcome = "deny".into(),
                        4 => e.hash = GENESIS.into(),
                        _ => e.prev_hash = "f".repeat(64),
                    }
                }
                1 => { c.remove(victim); }
                _ => {
                    let other = (victim + 1) % n as usize;
                    c.swap(victim, other);
                }
            }
            let broken = verify(KEY, &c, Some(&head));
            prop_assert!(broken.is_err(), "mutation {kind} of entry {victim} went unnoticed");
        }
    }
}
