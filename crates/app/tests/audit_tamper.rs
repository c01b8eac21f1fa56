//! Changing, deleting or swapping audit rows directly in SQL (after removing the
//! append-only triggers, as a database administrator could) makes verification fail at
//! that entry. On SQLite and PostgreSQL, plus a property test over random mutations.

use leefwijk_app::access::audit::{checkpoint, seal_unsealed_head, verify_chain, verify_checkpoint, Verification};
use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_store::testing::{backend_urls, disable_audit_triggers, fresh_store, raw_sql};
use leefwijk_store::Store;
use proptest::prelude::*;

const KEY: &[u8] = b"tamper-test-key-0123456789abcdef";

async fn store_with_chain(url: &str, n: i64) -> Store {
    let store = fresh_store(url).await.expect("store");
    append(&store, 1..=n).await;
    disable_audit_triggers(&store).await.expect("attacker drops triggers");
    store
}

async fn append(store: &Store, range: std::ops::RangeInclusive<i64>) {
    for i in range {
        let mut tx = store.begin().await.expect("tx");
        tx.append_audit(
            AuditEntry {
                seq: 0,
                at_ms: 1_750_000_000_000 + i,
                tenant: "wijkerveen".into(),
                actor: format!("user-{}", i % 4),
                organisation: "wijkteam".into(),
                purpose: "outreach".into(),
                action: "read".into(),
                category: "contact".into(),
                subject: format!("pseudonym-{i}"),
                outcome: "allow".into(),
                rule: "convenant v1 / Outreach / grant 1".into(),
                prev_hash: String::new(),
                hash: String::new(),
            },
            KEY,
        )
        .await
        .expect("append");
        tx.commit().await.expect("commit");
    }
}

async fn broken_at(store: &Store) -> Option<i64> {
    match verify_chain(store, KEY).await.expect("verify") {
        Verification::Intact { .. } => None,
        Verification::Broken(b) => Some(b.seq()),
    }
}

#[tokio::test]
async fn each_kind_of_tampering_is_named() {
    for url in backend_urls() {
        let s = store_with_chain(&url, 6).await;
        assert_eq!(verify_chain(&s, KEY).await.expect("verify"), Verification::Intact { entries: 6 }, "{url}");

        raw_sql(&s, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4").await.expect("update");
        assert_eq!(broken_at(&s).await, Some(4), "{url}: changed row");

        let s = store_with_chain(&url, 6).await;
        raw_sql(&s, "DELETE FROM audit_log WHERE seq = 3").await.expect("delete");
        assert_eq!(broken_at(&s).await, Some(3), "{url}: deleted row");

        // Swap the contents of rows 2 and 5, keeping their numbers.
        let s = store_with_chain(&url, 6).await;
        raw_sql(
            &s,
            "UPDATE audit_log SET seq = 1002 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 1002;",
        )
        .await
        .expect("swap");
        assert_eq!(broken_at(&s).await, Some(2), "{url}: swapped rows");

        // Cut the newest entry off the end.
        let s = store_with_chain(&url, 6).await;
        raw_sql(&s, "DELETE FROM audit_log WHERE seq = 6").await.expect("truncate");
        assert_eq!(broken_at(&s).await, Some(6), "{url}: removed last row");

        // Cut the two newest entries off and point the head at the new last one, as an
        // attacker with the database but not the key would (issue 16, finding 2).
        let s = store_with_chain(&url, 6).await;
        raw_sql(
            &s,
            "DELETE FROM audit_log WHERE seq > 4; \
             UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE id = 1",
        )
        .await
        .expect("truncate and rewrite the head");
        assert_eq!(broken_at(&s).await, Some(4), "{url}: a rewritten head is noticed");
        raw_sql(&s, "UPDATE audit_head SET seal = NULL WHERE id = 1").await.expect("unseal");
        assert_eq!(broken_at(&s).await, Some(4), "{url}: so is a head without its seal");

        // A wrong key fails at the very first entry.
        let s = store_with_chain(&url, 2).await;
        assert!(matches!(verify_chain(&s, b"wrong").await.expect("verify"), Verification::Broken(b) if b.seq() == 1));
    }
}

/// Restoring an old head row with its old, valid seal (from a backup) after cutting entries
/// off is beyond the database alone; a checkpoint kept outside it notices.
#[tokio::test]
async fn a_checkpoint_kept_outside_notices_a_restored_head() {
    for url in backend_urls() {
        let s = fresh_store(&url).await.expect("store");
        append(&s, 1..=4).await;
        let old_head = s.audit_head().await.expect("head");
        assert!(old_head.seal.is_some(), "{url}: every append seals the head");
        append(&s, 5..=6).await;
        let point = checkpoint(&s, KEY, 1_765_000_000_000).await.expect("checkpoint").expect("intact");
        assert_eq!(point.seq, 6);
        assert_eq!(verify_checkpoint(&s, KEY, &point).await.expect("check"), Ok(()));
        disable_audit_triggers(&s).await.expect("attacker drops triggers");
        raw_sql(
            &s,
            &format!(
                "DELETE FROM audit_log WHERE seq > 4; UPDATE audit_head SET seq = 4, hash = '{}', seal = '{}' WHERE id = 1",
                old_head.hash,
                old_head.seal.clone().unwrap_or_default()
            ),
        )
        .await
        .expect("restore the old head");
        assert_eq!(
            verify_chain(&s, KEY).await.expect("verify"),
            Verification::Intact { entries: 4 },
            "{url}: the limit"
        );
        let missed = verify_checkpoint(&s, KEY, &point).await.expect("check").expect_err("noticed");
        assert!(missed.contains("entry 6"), "{url}: {missed}");
        // A checkpoint the key did not make is refused.
        let made_up = leefwijk_domain::access::audit_chain::Checkpoint { seq: 4, ..point };
        assert!(verify_checkpoint(&s, KEY, &made_up).await.expect("check").is_err());
    }
}

/// A log from before heads were sealed verifies once Leefwijk has sealed its head.
#[tokio::test]
async fn an_old_unsealed_head_is_sealed_at_start() {
    for url in backend_urls() {
        let s = store_with_chain(&url, 3).await;
        raw_sql(&s, "UPDATE audit_head SET seal = NULL WHERE id = 1").await.expect("as before migration 0017");
        assert_eq!(broken_at(&s).await, Some(3), "{url}");
        assert!(seal_unsealed_head(&s, KEY).await.expect("seal"), "{url}");
        assert!(!seal_unsealed_head(&s, KEY).await.expect("seal"), "{url}: only once");
        assert_eq!(verify_chain(&s, KEY).await.expect("verify"), Verification::Intact { entries: 3 }, "{url}");
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn any_single_mutation_breaks_the_chain_at_or_before_the_victim(n in 3i64..12, victim in 1i64..12, kind in 0usize..5) {
        let victim = 1 + (victim - 1) % n;
        let found = runtime().block_on(async {
            let s = store_with_chain("sqlite", n).await;
            let sql = match kind {
                0 => format!("UPDATE audit_log SET subject = 'x' WHERE seq = {victim}"),
                1 => format!("UPDATE audit_log SET at_ms = at_ms + 1 WHERE seq = {victim}"),
                2 => format!("DELETE FROM audit_log WHERE seq = {victim}"),
                3 => format!("UPDATE audit_log SET outcome = 'deny' WHERE seq = {victim}"),
                _ => {
                    let other = if victim == n { 1 } else { victim + 1 };
                    format!("UPDATE audit_log SET seq = -1 WHERE seq = {victim}; UPDATE audit_log SET seq = {victim} WHERE seq = {other}; UPDATE audit_log SET seq = {other} WHERE seq = -1;")
                }
            };
            raw_sql(&s, &sql).await.expect("mutation");
            broken_at(&s).await
        });
        prop_assert!(found.is_some(), "mutation {} of entry {} went unnoticed", kind, victim);
        // A swap may be noticed at the lower of the two entries; never later than the victim.
        let at = found.unwrap_or(i64::MAX);
        prop_assert!(at <= victim, "noticed at {} after the victim {}", at, victim);
    }
}
