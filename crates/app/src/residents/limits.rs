//! Abuse resistance for public forms: a fixed-window counter per client and form. A
//! resident filing a report or voting never comes near the limit; a script posting in a
//! loop is refused with 429 and a `Retry-After` until its window ends.
//!
//! In-process on purpose: Leefwijk runs as one process per municipality, and a restart
//! resetting the counters is harmless. Several instances behind a balancer would each
//! count separately (a limit of n becomes n per instance).

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// `[residents.rate_limit]`: at most `max_posts` posts per client and form per
/// `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimit {
    pub max_posts: u32,
    pub window_seconds: u64,
    /// Take the client's address from the first `X-Forwarded-For` entry: only behind a
    /// reverse proxy that sets it, or anyone could pick their own key.
    pub trust_forwarded_for: bool,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit { max_posts: 20, window_seconds: 600, trust_forwarded_for: false }
    }
}

/// The limit was reached; try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_secs: u64,
}

/// Counters per (form, client) key and window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    /// Counts one post by `client` to `form` at `now_secs`; refuses it past the limit.
    pub fn check(&self, limit: &RateLimit, form: &str, client: &str, now_secs: u64) -> Result<(), Limited> {
        let window = limit.window_seconds.max(1);
        let start = now_secs - now_secs % window;
        let key = format!("{form}\u{1f}{client}");
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget ended windows now and then, so the map stays as small as the traffic.
        if windows.len() > 10_000 {
            windows.retain(|_, (s, _)| *s == start);
        }
        let entry = windows.entry(key).or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        if entry.1 >= limit.max_posts {
            return Err(Limited { retry_after_secs: start + window - now_secs });
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_until_the_window_ends() {
        let limit = RateLimit { max_posts: 3, window_seconds: 60, trust_forwarded_for: false };
        let l = RateLimiter::default();
        for _ in 0..3 {
            assert!(l.check(&limit, "/melden", "10.0.0.1", 120).is_ok());
        }
        assert_eq!(l.check(&limit, "/melden", "10.0.0.1", 150), Err(Limited { retry_after_secs: 30 }));
        // Another client and another form count separately.
        assert!(l.check(&limit, "/melden", "10.0.0.2", 150).is_ok());
        assert!(l.check(&limit, "/stemmen", "10.0.0.1", 150).is_ok());
        // The next window starts afresh.
        assert!(l.check(&limit, "/melden", "10.0.0.1", 180).is_ok());
    }
}
