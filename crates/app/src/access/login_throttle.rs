//! Throttling of password logins, the same for every username whether or not it exists
//! (issue 16, finding 5: locking only known accounts told which accounts exist, and anyone
//! could lock anyone out, the administrator included).
//!
//! * Per username and client address: after [`MAX_FAILED_LOGINS`] failures that pair is
//!   refused for [`LOCK_MS`]. Someone guessing from one address stops there; the account's
//!   owner, at another address, can still sign in.
//! * Per client address: after [`MAX_FAILED_PER_CLIENT`] failures within [`LOCK_MS`], across
//!   usernames, the address is refused for [`LOCK_MS`]: no spraying one password over many
//!   names.
//!
//! Usernames are kept as SHA-256 hashes and addresses only in memory: neither is logged.
//! Counters live in this process (issue 19 asks to share them between instances).

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Failed logins of one username from one address before that pair is refused.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// Failed logins from one address, any username, before the address is refused.
pub const MAX_FAILED_PER_CLIENT: u32 = 30;
/// How long a refusal lasts, and the window failures are counted in.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// Entries kept before ended ones are forgotten.
const PRUNE_ABOVE: usize = 50_000;

#[derive(Debug, Clone, Copy, Default)]
struct Failures {
    count: u32,
    /// When counting started; failures older than [`LOCK_MS`] are forgotten.
    since_ms: i64,
    locked_until_ms: i64,
}

impl Failures {
    fn fail(&mut self, now: i64, max: u32) {
        if now - self.since_ms > LOCK_MS {
            *self = Failures { count: 0, since_ms: now, locked_until_ms: 0 };
        }
        self.count += 1;
        if self.count >= max {
            self.locked_until_ms = now + LOCK_MS;
        }
    }
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    pairs: Mutex<HashMap<String, Failures>>,
    clients: Mutex<HashMap<String, Failures>>,
}

fn pair_key(username: &str, client: &str) -> String {
    let name = Sha256::digest(username.trim().to_lowercase().as_bytes());
    format!("{}\u{1f}{client}", leefwijk_domain::access::hex(&name))
}

fn prune(map: &mut HashMap<String, Failures>, now: i64) {
    if map.len() > PRUNE_ABOVE {
        map.retain(|_, f| f.locked_until_ms > now || now - f.since_ms <= LOCK_MS);
    }
}

impl LoginThrottle {
    /// Until when a login of `username` from `client` is refused, if it is.
    pub fn refused_until(&self, username: &str, client: &str, now: i64) -> Option<i64> {
        let pairs = self.pairs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let clients = self.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let pair = pairs.get(&pair_key(username, client)).map(|f| f.locked_until_ms).unwrap_or(0);
        let address = clients.get(client).map(|f| f.locked_until_ms).unwrap_or(0);
        Some(pair.max(address)).filter(|until| *until > now)
    }

    /// Counts a failed login; returns until when the next attempt is refused, if it is.
    pub fn failed(&self, username: &str, client: &str, now: i64) -> Option<i64> {
        {
            let mut pairs = self.pairs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            prune(&mut pairs, now);
            pairs.entry(pair_key(username, client)).or_default().fail(now, MAX_FAILED_LOGINS);
        }
        {
            let mut clients = self.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            prune(&mut clients, now);
            clients.entry(client.to_string()).or_default().fail(now, MAX_FAILED_PER_CLIENT);
        }
        self.refused_until(username, client, now)
    }

    /// A successful login forgets that pair's failures (not the address's).
    pub fn succeeded(&self, username: &str, client: &str) {
        let mut pairs = self.pairs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        pairs.remove(&pair_key(username, client));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_and_address_pair_is_refused_after_five_failures_known_or_not() {
        let t = LoginThrottle::default();
        for i in 1..MAX_FAILED_LOGINS {
            assert_eq!(t.failed("beheer", "10.0.0.1", 1_000 + i64::from(i)), None, "failure {i}");
        }
        assert_eq!(t.failed("BEHEER ", "10.0.0.1", 2_000), Some(2_000 + LOCK_MS), "names compare case-blind");
        assert!(t.refused_until("beheer", "10.0.0.1", 3_000).is_some());
        // The owner elsewhere is not locked out; neither is another name here.
        assert_eq!(t.refused_until("beheer", "10.0.0.2", 3_000), None);
        assert_eq!(t.refused_until("wijkteam", "10.0.0.1", 3_000), None);
        // It ends.
        assert_eq!(t.refused_until("beheer", "10.0.0.1", 2_000 + LOCK_MS + 1), None);
    }

    #[test]
    fn an_address_spraying_many_names_is_refused() {
        let t = LoginThrottle::default();
        for i in 0..MAX_FAILED_PER_CLIENT - 1 {
            assert_eq!(t.failed(&format!("naam{i}"), "10.0.0.9", 1_000), None);
        }
        assert!(t.failed("nog-een", "10.0.0.9", 1_000).is_some());
        assert!(t.refused_until("iemand-anders", "10.0.0.9", 1_001).is_some());
        assert_eq!(t.refused_until("iemand-anders", "10.0.0.10", 1_001), None);
    }

    #[test]
    fn success_forgets_the_pair_and_old_failures_expire() {
        let t = LoginThrottle::default();
        for _ in 0..MAX_FAILED_LOGINS - 1 {
            t.failed("beleid", "c", 0);
        }
        t.succeeded("beleid", "c");
        assert_eq!(t.failed("beleid", "c", 1), None, "counting starts again");
        for _ in 0..MAX_FAILED_LOGINS - 2 {
            t.failed("beleid", "c", 2);
        }
        // Failures older than the window do not add up with new ones.
        assert_eq!(t.failed("beleid", "c", 3 + LOCK_MS), None);
    }
}
