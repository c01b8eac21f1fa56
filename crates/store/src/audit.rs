//! Repository of the audit log and covenant versions. The log is append-only: triggers
//! refuse updates and deletes, and every append seals the entry onto the hash chain in
//! the caller's transaction.

use crate::{Result, Store, StoreError, StoreTx};
use leefwijk_domain::access::audit_chain::{head_seal, AuditEntry, ChainHead};
use sqlx::Row;

/// What to filter the audit log on (all optional), for the privacy officer.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries of this collaboration only; set it for every request a person makes.
    pub tenant: Option<String>,
    pub subject: Option<String>,
    pub actor: Option<String>,
    pub purpose: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
}

const COLUMNS: &str =
    "seq, at_ms, tenant, actor, organisation, purpose, action, category, subject, outcome, rule, prev_hash, hash";

fn decode(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.try_get(0)?,
        at_ms: r.try_get(1)?,
        tenant: r.try_get(2)?,
        actor: r.try_get(3)?,
        organisation: r.try_get(4)?,
        purpose: r.try_get(5)?,
        action: r.try_get(6)?,
        category: r.try_get(7)?,
        subject: r.try_get(8)?,
        outcome: r.try_get(9)?,
        rule: r.try_get(10)?,
        prev_hash: r.try_get(11)?,
        hash: r.try_get(12)?,
    })
}

impl StoreTx {
    /// Seals `draft` onto the chain (its seq, prev_hash and hash are set here) and
    /// stores it with the new head, inside this transaction.
    pub async fn append_audit(&mut self, draft: AuditEntry, key: &[u8]) -> Result<AuditEntry> {
        // Touch the head first: this takes the row (PostgreSQL) or database (SQLite) write
        // lock, so concurrent appends queue instead of forking the chain.
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *self.tx).await?;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *self.tx).await?;
        let (seq, prev): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        let entry = AuditEntry { seq: seq + 1, ..draft }.seal(key, &prev);
        sqlx::query(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(entry.tenant.clone())
        .bind(entry.actor.clone())
        .bind(entry.organisation.clone())
        .bind(entry.purpose.clone())
        .bind(entry.action.clone())
        .bind(entry.category.clone())
        .bind(entry.subject.clone())
        .bind(entry.outcome.clone())
        .bind(entry.rule.clone())
        .bind(entry.prev_hash.clone())
        .bind(entry.hash.clone())
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, seal = $3 WHERE id = 1")
            .bind(entry.seq)
            .bind(entry.hash.clone())
            .bind(head_seal(key, entry.seq, &entry.hash))
            .execute(&mut *self.tx)
            .await?;
        Ok(entry)
    }
}

impl Store {
    /// The chain head as recorded.
    pub async fn audit_head(&self) -> Result<ChainHead> {
        let row = sqlx::query("SELECT seq, hash, seal FROM audit_head WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the audit head row is missing".into()))?;
        Ok(ChainHead { seq: row.try_get(0)?, hash: row.try_get(1)?, seal: row.try_get(2)? })
    }

    /// Seals a head stored before heads were sealed, if it is still `seq`/`hash`; `true`
    /// when it did. Done once at start with the audit key (see `app::access::audit`).
    pub async fn seal_unsealed_audit_head(&self, seq: i64, hash: &str, seal: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE audit_head SET seal = $3 WHERE id = 1 AND seq = $1 AND hash = $2 AND seal IS NULL")
                .bind(seq)
                .bind(hash.to_string())
                .bind(seal.to_string())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The entry with this seq, if the log has it.
    pub async fn audit_entry(&self, seq: i64) -> Result<Option<AuditEntry>> {
        Ok(self.audit_page(seq - 1, 1).await?.into_iter().find(|e| e.seq == seq))
    }

    /// Entries with seq > `after`, in seq order, at most `limit`: for walking the chain
    /// page by page without loading it whole.
    pub async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode).collect()
    }

    /// Entries matching the filter, newest first.
    pub async fn audit_search(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        for (column, value) in [
            ("tenant", &filter.tenant),
            ("subject", &filter.subject),
            ("actor", &filter.actor),
            ("purpose", &filter.purpose),
        ] {
            if let Some(v) = value {
                args.push(v.clone());
                sql.push_str(&format!(" AND {column} = ${}", args.len()));
            }
        }
        let mut n = args.len();
        if let Some(from) = filter.from_ms {
            n += 1;
            ints.push(from);
            sql.push_str(&format!(" AND at_ms >= ${n}"));
        }
        if let Some(to) = filter.to_ms {
            n += 1;
            ints.push(to);
            sql.push_str(&format!(" AND at_ms < ${n}"));
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT ${}", n + 1));
        let mut q = sqlx::query(&sql);
        for a in args {
            q = q.bind(a);
        }
        for i in ints {
            q = q.bind(i);
        }
        let rows = q.bind(filter.limit.clamp(1, 10_000)).fetch_all(&self.pool).await?;
        rows.iter().map(decode).collect()
    }

    /// Stores a covenant version (idempotent for the same id, version and body).
    pub async fn save_covenant(&self, id: &str, version: u32, body: &str, at_ms: i64) -> Result<bool> {
        let existing = sqlx::query("SELECT body FROM covenants WHERE id = $1 AND version = $2")
            .bind(id.to_string())
            .bind(i64::from(version))
            .fetch_optional(&self.pool)
            .await?;
        if let Some(row) = existing {
            let stored: String = row.try_get(0)?;
            if stored == body {
                return Ok(false);
            }
            return Err(StoreError::Corrupt(format!(
                "covenant {id} version {version} is already loaded with other content: give the changed covenant a new version"
            )));
        }
        sqlx::query("INSERT INTO covenants (id, version, body, loaded_at) VALUES ($1, $2, $3, $4)")
            .bind(id.to_string())
            .bind(i64::from(version))
            .bind(body.to_string())
            .bind(at_ms)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    /// Every stored version of a covenant, newest first: (version, body, loaded_at).
    pub async fn covenant_versions(&self, id: &str) -> Result<Vec<(u32, String, i64)>> {
        let rows = sqlx::query("SELECT version, body, loaded_at FROM covenants WHERE id = $1 ORDER BY version DESC")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((u32::try_from(r.try_get::<i64, _>(0)?).unwrap_or_default(), r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{backend_urls, fresh_store};
    use leefwijk_domain::access::audit_chain::{verify, AuditEntry};

    const KEY: &[u8] = b"test-audit-key";

    fn draft(i: i64) -> AuditEntry {
        AuditEntry {
            seq: 0,
            at_ms: 1_000 + i,
            tenant: "t1".into(),
            actor: format!("user-{i}"),
            organisation: "org".into(),
            purpose: "outreach".into(),
            action: "read".into(),
            category: "contact".into(),
            subject: format!("p{i}"),
            outcome: "allow".into(),
            rule: "r".into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[tokio::test]
    async fn appends_chain_and_refuses_updates_and_deletes() {
        for url in backend_urls() {
            let store = fresh_store(&url).await.expect("store");
            for i in 1..=3 {
                let mut tx = store.begin().await.expect("tx");
                tx.append_audit(draft(i), KEY).await.expect("append");
                tx.commit().await.expect("commit");
            }
            // A rolled-back change leaves no audit entry behind.
            let mut tx = store.begin().await.expect("tx");
            tx.append_audit(draft(99), KEY).await.expect("append");
            tx.rollback().await.expect("rollback");

            let entries = store.audit_page(0, 100).await.expect("page");
            let head = store.audit_head().await.expect("head");
            assert_eq!(verify(KEY, &entries, Some(&head)), Ok(3), "{url}");
            assert_eq!(head.seq, 3);

            for sql in [
                "UPDATE audit_log SET actor = 'x' WHERE seq = 2",
                "DELETE FROM audit_log WHERE seq = 3",
                "DELETE FROM audit_head",
            ] {
                let err = sqlx::query(sql).execute(&store.pool).await.expect_err("blocked by trigger");
                assert!(
                    err.to_string().contains("append-only") || err.to_string().contains("cannot be deleted"),
                    "{url}: {err}"
                );
            }
            let found = store
                .audit_search(&crate::AuditFilter { subject: Some("p2".into()), limit: 10, ..Default::default() })
                .await
                .expect("search");
            assert_eq!(found.len(), 1, "{url}");
            assert_eq!(found[0].seq, 2);
        }
    }

    #[tokio::test]
    async fn covenant_versions_are_immutable() {
        for url in backend_urls() {
            let store = fresh_store(&url).await.expect("store");
            assert!(store.save_covenant("c", 1, "body", 1).await.expect("first"));
            assert!(!store.save_covenant("c", 1, "body", 2).await.expect("same again"));
            assert!(store.save_covenant("c", 1, "changed", 3).await.is_err(), "{url}");
            assert!(store.save_covenant("c", 2, "changed", 4).await.expect("new version"));
            let versions = store.covenant_versions("c").await.expect("versions");
            assert_eq!(versions.iter().map(|v| v.0).collect::<Vec<_>>(), vec![2, 1]);
        }
    }
}
