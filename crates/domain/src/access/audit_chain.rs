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
    /// The head row does not carry the key's seal: someone rewrote it, typically after
    /// cutting entries off the end.
    #[error("the chain's head (entry {seq}) does not carry the audit key's seal: the head row was rewritten, and entries after {seq} may have been cut off")]
    HeadForged { seq: i64 },
    /// An exported checkpoint names an entry the chain no longer has (or has otherwise).
    #[error("entry {seq}, recorded in a checkpoint, is missing or different: entries were cut off or rewritten")]
    CheckpointMissed { seq: i64 },
}

impl ChainBreak {
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::Removed { seq, .. }
            | ChainBreak::Changed { seq }
            | ChainBreak::Reordered { seq, .. }
            | ChainBreak::HeadForged { seq }
            | ChainBreak::CheckpointMissed { seq } => *seq,
        }
    }
}

/// The newest entry's seq and hash, kept apart from the entries (updated in the same
/// transaction) so that cutting entries off the end is noticed too. The head is sealed
/// with the audit key ([`head_seal`]): whoever cuts entries off and points the head at the
/// new last entry cannot seal it. (Putting back an old head row with its old seal, from a
/// backup, is caught by an exported [`Checkpoint`] only.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
    /// `None` only before the first entry, or in a database from before heads were sealed
    /// until Leefwijk starts and seals it.
    pub seal: Option<String>,
}

fn keyed(key: &[u8], parts: &[&str]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex(&mac.finalize().into_bytes())
}

/// The seal of a head: HMAC(audit key, "audit-head" ‖ seq ‖ hash).
pub fn head_seal(key: &[u8], seq: i64, hash: &str) -> String {
    keyed(key, &["audit-head", &seq.to_string(), hash])
}

/// A signed statement "entry `seq` had hash `hash` at `at_ms`", exported to somewhere the
/// database's administrators cannot reach (a mailbox, paper, write-once storage). A later
/// verification with it notices entries cut off before it, even when the head row was
/// restored from a backup with its own valid seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at_ms: i64,
    pub seal: String,
}

const CHECKPOINT_PREFIX: &str = "leefwijk-audit-checkpoint v1";

impl Checkpoint {
    pub fn new(key: &[u8], seq: i64, hash: &str, at_ms: i64) -> Checkpoint {
        let seal = keyed(key, &["audit-checkpoint", &seq.to_string(), hash, &at_ms.to_string()]);
        Checkpoint { seq, hash: hash.to_string(), at_ms, seal }
    }

    /// Whether the audit key made this checkpoint.
    pub fn is_authentic(&self, key: &[u8]) -> bool {
        Checkpoint::new(key, self.seq, &self.hash, self.at_ms).seal == self.seal
    }

    /// One line of text: `leefwijk-audit-checkpoint v1 seq=… hash=… at_ms=… seal=…`.
    pub fn to_line(&self) -> String {
        format!("{CHECKPOINT_PREFIX} seq={} hash={} at_ms={} seal={}", self.seq, self.hash, self.at_ms, self.seal)
    }

    /// Reads a line written by [`Checkpoint::to_line`].
    pub fn parse(line: &str) -> Result<Checkpoint, String> {
        let rest = line
            .trim()
            .strip_prefix(CHECKPOINT_PREFIX)
            .ok_or_else(|| format!("a checkpoint line starts with '{CHECKPOINT_PREFIX}'"))?;
        let mut fields = std::collections::BTreeMap::new();
        for part in rest.split_whitespace() {
            let (name, value) = part.split_once('=').ok_or_else(|| format!("'{part}' is not name=value"))?;
            fields.insert(name, value);
        }
        let get = |name: &str| fields.get(name).copied().ok_or_else(|| format!("the checkpoint lacks {name}="));
        let number = |name: &str| get(name)?.parse::<i64>().map_err(|_| format!("{name} must be a whole number"));
        Ok(Checkpoint {
            seq: number("seq")?,
            hash: get("hash")?.to_string(),
            at_ms: number("at_ms")?,
            seal: get("seal")?.to_string(),
        })
    }
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
        let sealed = match &head.seal {
            Some(seal) => *seal == head_seal(key, head.seq, &head.hash),
            // Nothing to seal before the first entry.
            None => head.seq == 0 && head.hash == GENESIS,
        };
        if !sealed {
            return Err(ChainBreak::HeadForged { seq: head.seq });
        }
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

    #[test]
    fn a_head_pointed_at_an_earlier_entry_without_the_key_is_noticed() {
        let c = chain(6);
        let sealed =
            |seq: i64, hash: &str| ChainHead { seq, hash: hash.to_string(), seal: Some(head_seal(KEY, seq, hash)) };
        assert_eq!(verify(KEY, &c, Some(&sealed(6, &c[5].hash))), Ok(6));
        // Entries 5 and 6 cut off, the head pointed at 4 with its old seal kept or made up.
        let cut = &c[..4];
        let forged = ChainHead { seq: 4, hash: c[3].hash.clone(), seal: Some(head_seal(KEY, 6, &c[5].hash)) };
        assert_eq!(verify(KEY, cut, Some(&forged)), Err(ChainBreak::HeadForged { seq: 4 }));
        let unsealed = ChainHead { seal: None, ..forged.clone() };
        assert_eq!(verify(KEY, cut, Some(&unsealed)), Err(ChainBreak::HeadForged { seq: 4 }));
        let other_key = ChainHead { seal: Some(head_seal(b"another key", 4, &c[3].hash)), ..forged };
        assert_eq!(verify(KEY, cut, Some(&other_key)), Err(ChainBreak::HeadForged { seq: 4 }));
        // An empty log needs no seal.
        assert_eq!(verify(KEY, &[], Some(&ChainHead { seq: 0, hash: GENESIS.into(), seal: None })), Ok(0));
    }

    #[test]
    fn checkpoints_round_trip_and_only_the_key_makes_them() {
        let c = chain(3);
        let point = Checkpoint::new(KEY, 3, &c[2].hash, 1_765_000_000_000);
        let line = point.to_line();
        assert!(line.starts_with("leefwijk-audit-checkpoint v1 seq=3 hash="), "{line}");
        assert_eq!(Checkpoint::parse(&line), Ok(point.clone()));
        assert!(point.is_authentic(KEY));
        assert!(!point.is_authentic(b"another key"));
        let moved = Checkpoint { seq: 2, ..point };
        assert!(!moved.is_authentic(KEY), "a changed checkpoint is not the key's");
        assert!(Checkpoint::parse("seq=3").is_err());
        assert!(Checkpoint::parse("leefwijk-audit-checkpoint v1 seq=x hash=a at_ms=1 seal=b").is_err());
    }

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
        let head = ChainHead { seq: 5, hash: full[4].hash.clone(), seal: Some(head_seal(KEY, 5, &full[4].hash)) };
        assert_eq!(verify(KEY, &full, Some(&head)), Ok(5));
        assert_eq!(verify(KEY, &full[..4], Some(&head)), Err(ChainBreak::Removed { seq: 5, previous: 4, found: 5 }));
    }

    proptest! {
        #[test]
        fn any_mutation_is_caught_at_or_before_the_mutated_entry(n in 2i64..20, victim in 0usize..19, field in 0usize..6, kind in 0usize..3) {
            let victim = victim % n as usize;
            let mut c = chain(n);
            let head = ChainHead { seq: n, hash: c[n as usize - 1].hash.clone(), seal: Some(head_seal(KEY, n, &c[n as usize - 1].hash)) };
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
