//! Repository of early signalling: batches, signals, cases, contact attempts, case events,
//! routing rules and the postcode lookup. Writes and reads of signals and cases take an
//! [`AccessHandle`] for the batch, household or team concerned, so every one of them has
//! an audit entry in the same transaction.
//!
//! Bulk inserts use multi-row `VALUES` lists with `$N` placeholders, which both SQLite and
//! PostgreSQL accept, in chunks that stay under either database's parameter limit.

use crate::{AccessHandle, Backend, Result, SignalAccess, Store, StoreTx};
use sqlx::Row;

/// Rows per multi-row INSERT: 400 rows × 22 columns stays far below SQLite's 32,766 and
/// PostgreSQL's 65,535 parameters.
const CHUNK: usize = 400;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    pub id: String,
    pub tenant_id: String,
    pub sender_id: String,
    pub organisation_id: String,
    pub idempotency_key: String,
    pub body_hash: String,
    pub format: String,
    pub row_count: i64,
    pub received_at: i64,
    /// What the batch did, recorded when it committed (`None` for batches stored before
    /// outcomes were recorded).
    pub outcome: Option<BatchOutcome>,
}

/// Cases opened and stacked and repeats found by a stored batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchOutcome {
    pub cases_opened: i64,
    pub cases_stacked: i64,
    pub repeats: i64,
}

/// A stored signal as matching compares a new one with it: who sent what, when, for
/// which case, and whether that case is still open. Nothing else is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorRecord {
    pub case_id: String,
    pub household_key: String,
    pub organisation_id: String,
    pub kind: String,
    pub arrears_cents: i64,
    pub signal_date: String,
    pub crisis: bool,
    pub is_repeat: bool,
    pub case_open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: String,
    pub tenant_id: String,
    pub household_key: String,
    pub case_month: String,
    pub buurt_code: String,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub opened_on: String,
    pub due_on: String,
    pub priority: i64,
    pub status: String,
    pub outcome: Option<String>,
    pub closed_on: Option<String>,
    pub first_contact_on: Option<String>,
    pub reached: bool,
    pub recurrent: bool,
    pub signal_count: i64,
    pub sealed_address: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalRecord {
    pub id: String,
    pub tenant_id: String,
    pub batch_id: String,
    pub row_number: i64,
    pub case_id: String,
    pub organisation_id: String,
    pub kind: String,
    pub person_pseudonym: Option<String>,
    pub household_key: String,
    pub buurt_code: String,
    pub arrears_cents: i64,
    pub arrears_since: Option<String>,
    pub signal_date: String,
    pub received_on: String,
    pub customer_key: Option<String>,
    pub reference: Option<String>,
    pub crisis: bool,
    /// Bits: 1 reminder sent, 2 personal contact attempted, 4 debt help pointed to, 8 no objection.
    pub preconditions: i64,
    pub is_multiple: bool,
    pub is_recurrent: bool,
    pub is_repeat: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub id: String,
    pub tenant_id: String,
    pub case_id: String,
    pub attempted_on: String,
    pub channel: String,
    pub part_of_day: String,
    pub reached: bool,
    pub user_id: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub id: String,
    pub tenant_id: String,
    pub case_id: String,
    pub at_ms: i64,
    pub actor_id: String,
    pub event: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRuleRecord {
    pub id: String,
    pub area_code: String,
    pub kind: Option<String>,
    pub team_id: String,
}

/// What the partner may read back about one of its signals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRecord {
    pub signal_id: String,
    pub batch_id: String,
    pub row_number: i64,
    pub reference: Option<String>,
    pub case_status: String,
    pub outcome: Option<String>,
}

/// Counts removed by a retention run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeCounts {
    pub cases: u64,
    pub signals: u64,
    pub attempts: u64,
    pub vault_entries: u64,
}

fn b(v: bool) -> i64 {
    i64::from(v)
}

/// "($1, $2, $3), ($4, $5, $6)" for `rows` rows of `cols` columns; on SQLite "(?, ?, ?), …"
/// instead. sqlx's SQLite driver looks up the name of every parameter it binds, and SQLite
/// finds a `$N` name by a linear scan, so binding a multi-row statement with `$N` costs the
/// square of its parameter count: `?` has no name to look up (see docs/performance.md).
/// Use it only for statements whose parameters are all in this list.
pub(crate) fn values_list(backend: Backend, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => {
                    out.push('$');
                    out.push_str(&(r * cols + c + 1).to_string());
                }
            }
        }
        out.push(')');
    }
    out
}

fn in_list(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// An IN list of `n` parameters following `start - 1` earlier ones: `$N` on PostgreSQL, `?`
/// on SQLite, for the reason given at [`values_list`].
fn params_list(backend: Backend, start: usize, n: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; n].join(", "),
        Backend::Postgres => in_list(start, n),
    }
}

const CASE_COLUMNS: &str = "c.id, c.tenant_id, c.household_key, c.case_month, c.buurt_code, c.team_id, t.name, \
    c.opened_on, c.due_on, c.priority, c.status, c.outcome, c.closed_on, c.first_contact_on, c.reached, c.recurrent, \
    c.signal_count, c.sealed_address, c.created_at";

fn decode_case(r: &sqlx::any::AnyRow) -> Result<CaseRecord> {
    Ok(CaseRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        household_key: r.try_get(2)?,
        case_month: r.try_get(3)?,
        buurt_code: r.try_get(4)?,
        team_id: r.try_get(5)?,
        team_name: r.try_get(6)?,
        opened_on: r.try_get(7)?,
        due_on: r.try_get(8)?,
        priority: r.try_get(9)?,
        status: r.try_get(10)?,
        outcome: r.try_get(11)?,
        closed_on: r.try_get(12)?,
        first_contact_on: r.try_get(13)?,
        reached: r.try_get::<i64, _>(14)? != 0,
        recurrent: r.try_get::<i64, _>(15)? != 0,
        signal_count: r.try_get(16)?,
        sealed_address: r.try_get(17)?,
        created_at: r.try_get(18)?,
    })
}

const SIGNAL_COLUMNS: &str = "id, tenant_id, batch_id, row_number, case_id, organisation_id, kind, person_pseudonym, \
    household_key, buurt_code, arrears_cents, arrears_since, signal_date, received_on, customer_key, reference, crisis, \
    preconditions, is_multiple, is_recurrent, is_repeat, created_at";

fn decode_signal(r: &sqlx::any::AnyRow) -> Result<SignalRecord> {
    Ok(SignalRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        batch_id: r.try_get(2)?,
        row_number: r.try_get(3)?,
        case_id: r.try_get(4)?,
        organisation_id: r.try_get(5)?,
        kind: r.try_get(6)?,
        person_pseudonym: r.try_get(7)?,
        household_key: r.try_get(8)?,
        buurt_code: r.try_get(9)?,
        arrears_cents: r.try_get(10)?,
        arrears_since: r.try_get(11)?,
        signal_date: r.try_get(12)?,
        received_on: r.try_get(13)?,
        customer_key: r.try_get(14)?,
        reference: r.try_get(15)?,
        crisis: r.try_get::<i64, _>(16)? != 0,
        preconditions: r.try_get(17)?,
        is_multiple: r.try_get::<i64, _>(18)? != 0,
        is_recurrent: r.try_get::<i64, _>(19)? != 0,
        is_repeat: r.try_get::<i64, _>(20)? != 0,
        created_at: r.try_get(21)?,
    })
}

fn decode_batch(r: &sqlx::any::AnyRow) -> Result<BatchRecord> {
    Ok(BatchRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        sender_id: r.try_get(2)?,
        organisation_id: r.try_get(3)?,
        idempotency_key: r.try_get(4)?,
        body_hash: r.try_get(5)?,
        format: r.try_get(6)?,
        row_count: r.try_get(7)?,
        received_at: r.try_get(8)?,
        outcome: match (
            r.try_get::<Option<i64>, _>(9)?,
            r.try_get::<Option<i64>, _>(10)?,
            r.try_get::<Option<i64>, _>(11)?,
        ) {
            (Some(cases_opened), Some(cases_stacked), Some(repeats)) => {
                Some(BatchOutcome { cases_opened, cases_stacked, repeats })
            }
            _ => None,
        },
    })
}

const BATCH_INSERT_COLUMNS: &str =
    "id, tenant_id, sender_id, organisation_id, idempotency_key, body_hash, format, row_count, received_at";
const BATCH_COLUMNS: &str =
    "id, tenant_id, sender_id, organisation_id, idempotency_key, body_hash, format, row_count, \
     received_at, cases_opened, cases_stacked, repeats";

impl Store {
    /// The batch a sender stored under an idempotency key, if any.
    pub async fn signal_batch_by_key(&self, tenant: &str, sender: &str, key: &str) -> Result<Option<BatchRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {BATCH_COLUMNS} FROM signal_batches WHERE tenant_id = $1 AND sender_id = $2 AND idempotency_key = $3"
        ))
        .bind(tenant.to_string())
        .bind(sender.to_string())
        .bind(key.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_batch).transpose()
    }

    pub async fn signal_batch(&self, tenant: &str, id: &str) -> Result<Option<BatchRecord>> {
        let row = sqlx::query(&format!("SELECT {BATCH_COLUMNS} FROM signal_batches WHERE tenant_id = $1 AND id = $2"))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_batch).transpose()
    }

    /// The household key of a case: a pseudonym, needed to ask the gate for the household.
    pub async fn case_household(&self, tenant: &str, case_id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT household_key FROM signal_cases WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(case_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
    }

    /// Tenants that have signals: the ones a retention run looks at.
    /// Refreshes PostgreSQL's planner statistics of the signal tables after a large batch.
    /// Until autovacuum gets to it, the planner still believes the tables are as small as
    /// before and may match the next batch's households by scanning instead of by index.
    /// SQLite plans from its indexes alone and needs nothing here.
    pub async fn refresh_signal_statistics(&self) -> Result<()> {
        if self.backend() == Backend::Postgres {
            sqlx::query("ANALYZE signals, signal_cases").execute(&self.pool).await?;
        }
        Ok(())
    }

    pub async fn tenants_with_signals(&self) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT DISTINCT tenant_id FROM signal_cases ORDER BY tenant_id").fetch_all(&self.pool).await?;
        rows.iter().map(|r| r.try_get(0).map_err(Into::into)).collect()
    }

    /// Buurt codes for postcodes found in the lookup.
    pub async fn buurten_for_postcodes(&self, postcodes: &[String]) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for chunk in postcodes.chunks(CHUNK) {
            let sql = format!(
                "SELECT postcode, buurt_code FROM postcode_areas WHERE postcode IN ({})",
                in_list(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q.bind(p.clone());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push((r.try_get(0)?, r.try_get(1)?));
            }
        }
        Ok(out)
    }

    /// Adds or replaces postcode → buurt pairs.
    pub async fn put_postcode_areas(&self, pairs: &[(String, String)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for chunk in pairs.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO postcode_areas (postcode, buurt_code) VALUES {} \
                 ON CONFLICT (postcode) DO UPDATE SET buurt_code = excluded.buurt_code",
                values_list(self.backend(), chunk.len(), 2)
            );
            let mut q = sqlx::query(&sql);
            for (p, bu) in chunk {
                q = q.bind(p.clone()).bind(bu.clone());
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn routing_rules(&self, tenant: &str) -> Result<Vec<RoutingRuleRecord>> {
        let rows = sqlx::query(
            "SELECT id, area_code, kind, team_id FROM routing_rules WHERE tenant_id = $1 ORDER BY area_code, kind",
        )
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RoutingRuleRecord {
                    id: r.try_get(0)?,
                    area_code: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    team_id: r.try_get(3)?,
                })
            })
            .collect()
    }

    pub async fn add_routing_rule(&self, tenant: &str, rule: &RoutingRuleRecord, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO routing_rules (id, tenant_id, area_code, kind, team_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(rule.id.clone())
        .bind(tenant.to_string())
        .bind(rule.area_code.clone())
        .bind(rule.kind.clone())
        .bind(rule.team_id.clone())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_routing_rule(&self, tenant: &str, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM routing_rules WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Cases of every team of a tenant, for figures: (buurt, opened_on, first_contact_on,
    /// reached, outcome, signal_count). Pseudonymised, aggregated by the caller.
    pub async fn case_facts(&self, tenant: Option<&str>, from: &str, to: &str) -> Result<Vec<CaseFactRow>> {
        let (sql, with_tenant) = match tenant {
            Some(_) => (
                "SELECT buurt_code, opened_on, first_contact_on, reached, outcome, signal_count, team_id FROM signal_cases \
                 WHERE opened_on >= $1 AND opened_on <= $2 AND tenant_id = $3",
                true,
            ),
            None => (
                "SELECT buurt_code, opened_on, first_contact_on, reached, outcome, signal_count, team_id FROM signal_cases \
                 WHERE opened_on >= $1 AND opened_on <= $2",
                false,
            ),
        };
        let mut q = sqlx::query(sql).bind(from.to_string()).bind(to.to_string());
        if with_tenant {
            q = q.bind(tenant.unwrap_or_default().to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(CaseFactRow {
                    buurt_code: r.try_get(0)?,
                    opened_on: r.try_get(1)?,
                    first_contact_on: r.try_get(2)?,
                    reached: r.try_get::<i64, _>(3)? != 0,
                    outcome: r.try_get(4)?,
                    signal_count: r.try_get(5)?,
                    team_id: r.try_get(6)?,
                })
            })
            .collect()
    }
}

/// One case as the figures need it, without anything that points to the household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFactRow {
    pub buurt_code: String,
    pub opened_on: String,
    pub first_contact_on: Option<String>,
    pub reached: bool,
    pub outcome: Option<String>,
    pub signal_count: i64,
    pub team_id: Option<String>,
}

impl StoreTx {
    /// Stores a batch record. Fails on a unique violation when a concurrent request with the
    /// same idempotency key got there first; the caller then reports the stored batch.
    pub async fn insert_signal_batch(&mut self, access: &SignalAccess, batch: &BatchRecord) -> Result<()> {
        access.permits(&batch.tenant_id, "write", &format!("batch:{}", batch.id))?;
        sqlx::query(&format!(
            "INSERT INTO signal_batches ({BATCH_INSERT_COLUMNS}) VALUES {}",
            values_list(self.backend, 1, 9)
        ))
        .bind(batch.id.clone())
        .bind(batch.tenant_id.clone())
        .bind(batch.sender_id.clone())
        .bind(batch.organisation_id.clone())
        .bind(batch.idempotency_key.clone())
        .bind(batch.body_hash.clone())
        .bind(batch.format.clone())
        .bind(batch.row_count)
        .bind(batch.received_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records what a batch did, in its own transaction, so a replay can report it.
    pub async fn record_batch_outcome(&mut self, batch_id: &str, outcome: BatchOutcome) -> Result<()> {
        sqlx::query("UPDATE signal_batches SET cases_opened = $2, cases_stacked = $3, repeats = $4 WHERE id = $1")
            .bind(batch_id.to_string())
            .bind(outcome.cases_opened)
            .bind(outcome.cases_stacked)
            .bind(outcome.repeats)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Signals of these households dated on or after `since`, with their case's state:
    /// what matching compares new signals with.
    pub async fn household_history(
        &mut self,
        tenant: &str,
        households: &[String],
        since: &str,
    ) -> Result<Vec<(SignalRecord, bool)>> {
        let mut out = Vec::new();
        for chunk in households.chunks(CHUNK) {
            let cols: String =
                SIGNAL_COLUMNS.split(", ").map(|c| format!("s.{}", c.trim())).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "SELECT {cols}, c.status FROM signals s JOIN signal_cases c ON c.id = s.case_id \
                 WHERE s.tenant_id = $1 AND s.signal_date >= $2 AND s.household_key IN ({})",
                in_list(3, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(tenant.to_string()).bind(since.to_string());
            for h in chunk {
                q = q.bind(h.clone());
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                let open = r.try_get::<String, _>(22)? == "open";
                out.push((decode_signal(&r)?, open));
            }
        }
        Ok(out)
    }

    /// What matching needs of the signals of these households dated on or after `since`
    /// ([`PriorRecord`]): the signals are found through `signals_by_household`, their cases
    /// by primary key.
    pub async fn household_priors(
        &mut self,
        tenant: &str,
        households: &[String],
        since: &str,
    ) -> Result<Vec<PriorRecord>> {
        let mut out = Vec::new();
        for chunk in households.chunks(CHUNK) {
            let (tenant_param, since_param) = match self.backend {
                Backend::Sqlite => ("?", "?"),
                Backend::Postgres => ("$1", "$2"),
            };
            let sql = format!(
                "SELECT s.case_id, s.household_key, s.organisation_id, s.kind, s.arrears_cents, s.signal_date, s.crisis, \
                 s.is_repeat, c.status FROM signals s JOIN signal_cases c ON c.id = s.case_id \
                 WHERE s.tenant_id = {tenant_param} AND s.signal_date >= {since_param} AND s.household_key IN ({})",
                params_list(self.backend, 3, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(tenant.to_string()).bind(since.to_string());
            for h in chunk {
                q = q.bind(h.as_str());
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                out.push(PriorRecord {
                    case_id: r.try_get(0)?,
                    household_key: r.try_get(1)?,
                    organisation_id: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    arrears_cents: r.try_get(4)?,
                    signal_date: r.try_get(5)?,
                    crisis: r.try_get::<i64, _>(6)? != 0,
                    is_repeat: r.try_get::<i64, _>(7)? != 0,
                    case_open: r.try_get::<String, _>(8)? == "open",
                });
            }
        }
        Ok(out)
    }

    /// Stored cases by id (for updating the ones that take new signals); ids of another
    /// tenant are left out.
    ///
    /// The tenant is checked here rather than in the WHERE clause: with `tenant_id = ?`
    /// beside a long IN list, SQLite (without statistics) chose the worklist index on
    /// `tenant_id` and read every case of the tenant for each chunk — a second per 10,000
    /// stacked cases at 300,000 stored ones.
    pub async fn cases_by_ids(&mut self, tenant: &str, ids: &[String]) -> Result<Vec<CaseRecord>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT {CASE_COLUMNS} FROM signal_cases c LEFT JOIN teams t ON t.id = c.team_id WHERE c.id IN ({})",
                params_list(self.backend, 1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.as_str());
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                let case = decode_case(&r)?;
                if case.tenant_id == tenant {
                    out.push(case);
                }
            }
        }
        Ok(out)
    }

    /// Signals of the given cases (all of them, for priorities and deadlines).
    pub async fn signals_of_cases(&mut self, case_ids: &[String]) -> Result<Vec<SignalRecord>> {
        let mut out = Vec::new();
        for chunk in case_ids.chunks(CHUNK) {
            let sql = format!("SELECT {SIGNAL_COLUMNS} FROM signals WHERE case_id IN ({})", in_list(1, chunk.len()));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                out.push(decode_signal(&r)?);
            }
        }
        Ok(out)
    }

    pub async fn insert_cases(&mut self, access: &SignalAccess, batch_id: &str, cases: &[CaseRecord]) -> Result<()> {
        let Some(first) = cases.first() else { return Ok(()) };
        access.permits(&first.tenant_id, "write", &format!("batch:{batch_id}"))?;
        for chunk in cases.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO signal_cases (id, tenant_id, household_key, case_month, buurt_code, team_id, opened_on, due_on, \
                 priority, status, outcome, closed_on, first_contact_on, reached, recurrent, signal_count, sealed_address, \
                 created_at) VALUES {}",
                values_list(self.backend, chunk.len(), 18)
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q
                    .bind(c.id.as_str())
                    .bind(c.tenant_id.as_str())
                    .bind(c.household_key.as_str())
                    .bind(c.case_month.as_str())
                    .bind(c.buurt_code.as_str())
                    .bind(c.team_id.as_deref())
                    .bind(c.opened_on.as_str())
                    .bind(c.due_on.as_str())
                    .bind(c.priority)
                    .bind(c.status.as_str())
                    .bind(c.outcome.as_deref())
                    .bind(c.closed_on.as_deref())
                    .bind(c.first_contact_on.as_deref())
                    .bind(b(c.reached))
                    .bind(b(c.recurrent))
                    .bind(c.signal_count)
                    .bind(c.sealed_address.as_deref())
                    .bind(c.created_at);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Updates a stored case that took new signals: its deadline, priority and count.
    /// Updates the deadline, priority and count of stored cases that took new signals, in
    /// one statement per chunk: an `UPDATE` per case was the largest cost of a batch that
    /// stacks onto many stored cases.
    pub async fn restack_cases(
        &mut self,
        access: &SignalAccess,
        batch_id: &str,
        tenant: &str,
        cases: &[CaseRecord],
    ) -> Result<()> {
        if cases.is_empty() {
            return Ok(());
        }
        access.permits(tenant, "write", &format!("batch:{batch_id}"))?;
        for chunk in cases.chunks(CHUNK) {
            let tenant_param = match self.backend {
                Backend::Sqlite => "?".to_string(),
                Backend::Postgres => format!("${}", chunk.len() * 4 + 1),
            };
            // VALUES columns are named column1.. on both SQLite and PostgreSQL.
            let sql = format!(
                "UPDATE signal_cases SET due_on = v.column2, priority = v.column3, signal_count = v.column4 \
                 FROM (VALUES {}) AS v WHERE signal_cases.id = v.column1 AND signal_cases.tenant_id = {tenant_param}",
                values_list(self.backend, chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for case in chunk {
                if case.tenant_id != tenant {
                    return Err(crate::StoreError::Forbidden(format!(
                        "case {} is not of collaboration {tenant}",
                        case.id
                    )));
                }
                q = q.bind(case.id.as_str()).bind(case.due_on.as_str()).bind(case.priority).bind(case.signal_count);
            }
            q.bind(tenant).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub async fn insert_signals(
        &mut self,
        access: &SignalAccess,
        batch_id: &str,
        signals: &[SignalRecord],
    ) -> Result<()> {
        let Some(first) = signals.first() else { return Ok(()) };
        let subject = format!("batch:{batch_id}");
        access.permits(&first.tenant_id, "write", &subject)?;
        for s in signals {
            access.permits_kind(&s.tenant_id, &s.kind, "write", &subject)?;
        }
        for chunk in signals.chunks(CHUNK) {
            let sql =
                format!("INSERT INTO signals ({SIGNAL_COLUMNS}) VALUES {}", values_list(self.backend, chunk.len(), 22));
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q
                    .bind(s.id.as_str())
                    .bind(s.tenant_id.as_str())
                    .bind(s.batch_id.as_str())
                    .bind(s.row_number)
                    .bind(s.case_id.as_str())
                    .bind(s.organisation_id.as_str())
                    .bind(s.kind.as_str())
                    .bind(s.person_pseudonym.as_deref())
                    .bind(s.household_key.as_str())
                    .bind(s.buurt_code.as_str())
                    .bind(s.arrears_cents)
                    .bind(s.arrears_since.as_deref())
                    .bind(s.signal_date.as_str())
                    .bind(s.received_on.as_str())
                    .bind(s.customer_key.as_deref())
                    .bind(s.reference.as_deref())
                    .bind(b(s.crisis))
                    .bind(s.preconditions)
                    .bind(b(s.is_multiple))
                    .bind(b(s.is_recurrent))
                    .bind(b(s.is_repeat))
                    .bind(s.created_at);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Keeps sealed identities of a batch in the vault; a pseudonym already there stays.
    pub async fn vault_put_batch(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        batch_id: &str,
        entries: &[(String, String, String)],
        now: i64,
    ) -> Result<()> {
        handle.permits(tenant, "identity", "write", &format!("batch:{batch_id}"))?;
        for chunk in entries.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO person_vault (tenant_id, pseudonym, key_id, sealed_bsn, created_at) VALUES {} \
                 ON CONFLICT (tenant_id, pseudonym) DO NOTHING",
                values_list(self.backend, chunk.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for (pseudonym, key_id, sealed) in chunk {
                q = q.bind(tenant).bind(pseudonym.as_str()).bind(key_id.as_str()).bind(sealed.as_str()).bind(now);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Open and closed cases of a team (or of every team of the tenant), worklist order:
    /// open first, then by deadline and priority. Only cases all of whose signals are of
    /// kinds `access` covers: a case is shown whole or not at all.
    pub async fn worklist(
        &mut self,
        access: &SignalAccess,
        tenant: &str,
        team_id: Option<&str>,
        include_closed: bool,
        limit: i64,
    ) -> Result<Vec<CaseRecord>> {
        access.permits(tenant, "read", &format!("team:{}", team_id.unwrap_or("*")))?;
        let kinds: Vec<&str> = access.kinds().collect();
        let mut sql = format!(
            "SELECT {CASE_COLUMNS} FROM signal_cases c LEFT JOIN teams t ON t.id = c.team_id WHERE c.tenant_id = $1"
        );
        if !access.covers_every_kind() {
            let list = in_list(4, kinds.len());
            sql.push_str(&format!(
                " AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.case_id = c.id AND s.kind NOT IN ({list}))"
            ));
        }
        if !include_closed {
            sql.push_str(" AND c.status = 'open'");
        }
        sql.push_str(" AND ($3 = '' OR c.team_id = $3)");
        sql.push_str(
            " ORDER BY CASE WHEN c.status = 'open' THEN 0 ELSE 1 END, c.due_on, c.priority DESC, c.id LIMIT $2",
        );
        let mut q = sqlx::query(&sql)
            .bind(tenant.to_string())
            .bind(limit.clamp(1, 5_000))
            .bind(team_id.unwrap_or_default().to_string());
        if !access.covers_every_kind() {
            for kind in &kinds {
                q = q.bind(kind.to_string());
            }
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.iter().map(decode_case).collect()
    }

    /// A case with its signals, attempts and events: the household page.
    pub async fn case_detail(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        case_id: &str,
    ) -> Result<Option<(CaseRecord, Vec<SignalRecord>, Vec<AttemptRecord>, Vec<CaseEvent>)>> {
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM signal_cases c LEFT JOIN teams t ON t.id = c.team_id WHERE c.tenant_id = $1 AND c.id = $2"
        ))
        .bind(tenant.to_string())
        .bind(case_id.to_string())
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let case = decode_case(&row)?;
        handle.permits(tenant, "contact", "read", &case.household_key)?;
        let signals = sqlx::query(&format!(
            "SELECT {SIGNAL_COLUMNS} FROM signals WHERE case_id = $1 ORDER BY signal_date, row_number"
        ))
        .bind(case_id.to_string())
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(decode_signal)
        .collect::<Result<Vec<_>>>()?;
        let attempts = sqlx::query(
            "SELECT id, tenant_id, case_id, attempted_on, channel, part_of_day, reached, user_id, created_at \
             FROM contact_attempts WHERE case_id = $1 ORDER BY attempted_on, created_at",
        )
        .bind(case_id.to_string())
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(|r| {
            Ok(AttemptRecord {
                id: r.try_get(0)?,
                tenant_id: r.try_get(1)?,
                case_id: r.try_get(2)?,
                attempted_on: r.try_get(3)?,
                channel: r.try_get(4)?,
                part_of_day: r.try_get(5)?,
                reached: r.try_get::<i64, _>(6)? != 0,
                user_id: r.try_get(7)?,
                created_at: r.try_get(8)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let events = sqlx::query(
            "SELECT id, tenant_id, case_id, at_ms, actor_id, event, detail FROM case_events WHERE case_id = $1 ORDER BY at_ms, id",
        )
        .bind(case_id.to_string())
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(|r| {
            Ok(CaseEvent {
                id: r.try_get(0)?,
                tenant_id: r.try_get(1)?,
                case_id: r.try_get(2)?,
                at_ms: r.try_get(3)?,
                actor_id: r.try_get(4)?,
                event: r.try_get(5)?,
                detail: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some((case, signals, attempts, events)))
    }

    /// Records a contact attempt; the first one sets the case's first-contact date, and a
    /// successful one marks the case reached.
    pub async fn add_attempt(&mut self, handle: &AccessHandle, household_key: &str, a: &AttemptRecord) -> Result<()> {
        handle.permits(&a.tenant_id, "contact", "write", household_key)?;
        sqlx::query(
            "INSERT INTO contact_attempts (id, tenant_id, case_id, attempted_on, channel, part_of_day, reached, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.id.clone())
        .bind(a.tenant_id.clone())
        .bind(a.case_id.clone())
        .bind(a.attempted_on.clone())
        .bind(a.channel.clone())
        .bind(a.part_of_day.clone())
        .bind(b(a.reached))
        .bind(a.user_id.clone())
        .bind(a.created_at)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE signal_cases SET first_contact_on = CASE WHEN first_contact_on IS NULL OR first_contact_on > $1 \
             THEN $1 ELSE first_contact_on END, reached = CASE WHEN $2 = 1 THEN 1 ELSE reached END \
             WHERE tenant_id = $3 AND id = $4",
        )
        .bind(a.attempted_on.clone())
        .bind(b(a.reached))
        .bind(a.tenant_id.clone())
        .bind(a.case_id.clone())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn add_case_event(&mut self, handle: &AccessHandle, household_key: &str, e: &CaseEvent) -> Result<()> {
        handle.permits(&e.tenant_id, "contact", "write", household_key)?;
        sqlx::query(
            "INSERT INTO case_events (id, tenant_id, case_id, at_ms, actor_id, event, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.id.clone())
        .bind(e.tenant_id.clone())
        .bind(e.case_id.clone())
        .bind(e.at_ms)
        .bind(e.actor_id.clone())
        .bind(e.event.clone())
        .bind(e.detail.clone())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Closes a case with an outcome (or reopens it with `None`).
    pub async fn set_case_outcome(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        household_key: &str,
        case_id: &str,
        outcome: Option<(&str, &str)>,
    ) -> Result<()> {
        handle.permits(tenant, "contact", "write", household_key)?;
        let (status, code, on) = match outcome {
            Some((code, on)) => ("closed", Some(code.to_string()), Some(on.to_string())),
            None => ("open", None, None),
        };
        sqlx::query(
            "UPDATE signal_cases SET status = $1, outcome = $2, closed_on = $3 WHERE tenant_id = $4 AND id = $5",
        )
        .bind(status.to_string())
        .bind(code)
        .bind(on)
        .bind(tenant.to_string())
        .bind(case_id.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn assign_case(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        household_key: &str,
        case_id: &str,
        team_id: &str,
    ) -> Result<()> {
        handle.permits(tenant, "contact", "write", household_key)?;
        sqlx::query("UPDATE signal_cases SET team_id = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(team_id.to_string())
            .bind(tenant.to_string())
            .bind(case_id.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Feedback on a partner organisation's own signals, newest first.
    pub async fn partner_feedback(
        &mut self,
        access: &SignalAccess,
        tenant: &str,
        organisation_id: &str,
        batch_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<FeedbackRecord>> {
        access.permits(tenant, "read", &format!("organisation:{organisation_id}"))?;
        let kinds: Vec<&str> = access.kinds().collect();
        let mut sql = format!(
            "SELECT s.id, s.batch_id, s.row_number, s.reference, c.status, c.outcome FROM signals s \
             JOIN signal_cases c ON c.id = s.case_id WHERE s.tenant_id = $1 AND s.organisation_id = $2 \
             AND ($4 = '' OR s.batch_id = $4) AND s.kind IN ({})",
            in_list(5, kinds.len())
        );
        sql.push_str(" ORDER BY s.created_at DESC, s.row_number LIMIT $3");
        let mut q = sqlx::query(&sql)
            .bind(tenant.to_string())
            .bind(organisation_id.to_string())
            .bind(limit.clamp(1, 100_000))
            .bind(batch_id.unwrap_or_default().to_string());
        for kind in &kinds {
            q = q.bind(kind.to_string());
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.iter()
            .map(|r| {
                Ok(FeedbackRecord {
                    signal_id: r.try_get(0)?,
                    batch_id: r.try_get(1)?,
                    row_number: r.try_get(2)?,
                    reference: r.try_get(3)?,
                    case_status: r.try_get(4)?,
                    outcome: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// The cases of a statistics delivery (DDAS): those opened from `from` to `to`, under a
    /// handle for contact data (outcomes and first contact) of `subject`, the delivery.
    pub async fn delivery_cases(
        &mut self,
        contact: &AccessHandle,
        tenant: &str,
        subject: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<CaseRecord>> {
        contact.permits(tenant, "contact", "read", subject)?;
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM signal_cases c LEFT JOIN teams t ON t.id = c.team_id \
             WHERE c.tenant_id = $1 AND c.opened_on >= $2 AND c.opened_on <= $3 ORDER BY c.opened_on, c.id"
        ))
        .bind(tenant.to_string())
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(decode_case).collect()
    }

    /// The signals of a statistics delivery, of the kinds `access` covers: every signal of
    /// the cases opened from `from` to `to` except repeats received after `to`, and the
    /// repeats received in the period whatever case they joined. So each signal is in the
    /// delivery of exactly one period: with its case, or, a repeat, when it came in.
    pub async fn delivery_signals(
        &mut self,
        access: &SignalAccess,
        tenant: &str,
        subject: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<SignalRecord>> {
        access.permits(tenant, "read", subject)?;
        let kinds: Vec<&str> = access.kinds().collect();
        let cols: String = SIGNAL_COLUMNS.split(", ").map(|c| format!("s.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let mut sql = format!(
            "SELECT {cols} FROM signals s JOIN signal_cases c ON c.id = s.case_id WHERE s.tenant_id = $1 \
             AND ((s.is_repeat = 0 AND c.opened_on >= $2 AND c.opened_on <= $3) \
             OR (s.is_repeat = 1 AND s.received_on >= $2 AND s.received_on <= $3))"
        );
        if !access.covers_every_kind() {
            sql.push_str(&format!(" AND s.kind IN ({})", in_list(4, kinds.len())));
        }
        sql.push_str(" ORDER BY s.signal_date, s.id");
        let mut q = sqlx::query(&sql).bind(tenant.to_string()).bind(from.to_string()).bind(to.to_string());
        if !access.covers_every_kind() {
            for kind in &kinds {
                q = q.bind(kind.to_string());
            }
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.iter().map(decode_signal).collect()
    }

    /// The contact attempts of the given cases of a statistics delivery.
    pub async fn delivery_attempts(
        &mut self,
        contact: &AccessHandle,
        tenant: &str,
        subject: &str,
        case_ids: &[String],
    ) -> Result<Vec<AttemptRecord>> {
        contact.permits(tenant, "contact", "read", subject)?;
        let mut out = Vec::new();
        for chunk in case_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, tenant_id, case_id, attempted_on, channel, part_of_day, reached, user_id, created_at \
                 FROM contact_attempts WHERE tenant_id = $1 AND case_id IN ({}) ORDER BY attempted_on, created_at, id",
                in_list(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(tenant.to_string());
            for id in chunk {
                q = q.bind(id.as_str());
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                out.push(AttemptRecord {
                    id: r.try_get(0)?,
                    tenant_id: r.try_get(1)?,
                    case_id: r.try_get(2)?,
                    attempted_on: r.try_get(3)?,
                    channel: r.try_get(4)?,
                    part_of_day: r.try_get(5)?,
                    reached: r.try_get::<i64, _>(6)? != 0,
                    user_id: r.try_get(7)?,
                    created_at: r.try_get(8)?,
                });
            }
        }
        Ok(out)
    }

    /// Removes cases opened before `cutoff` whose household did not accept help (signals
    /// without follow-up), with their signals, attempts, events and the vault entries no
    /// remaining signal refers to. Cases where help was accepted are kept until
    /// `accepted_cutoff`. Returns counts only.
    pub async fn purge_signals(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        cutoff: &str,
        accepted_cutoff: &str,
        accepted_outcomes: &[&str],
    ) -> Result<PurgeCounts> {
        handle.permits(tenant, "financial", "write", "retention")?;
        let accepted = in_list(4, accepted_outcomes.len());
        let condition = format!(
            "tenant_id = $1 AND ((opened_on < $2 AND (outcome IS NULL OR outcome NOT IN ({accepted}))) \
             OR (opened_on < $3 AND outcome IN ({accepted})))"
        );
        let mut counts = PurgeCounts::default();
        // Collect the doomed cases and the pseudonyms of their signals first.
        let select = format!("SELECT id FROM signal_cases WHERE {condition}");
        let mut q =
            sqlx::query(&select).bind(tenant.to_string()).bind(cutoff.to_string()).bind(accepted_cutoff.to_string());
        for o in accepted_outcomes {
            q = q.bind(o.to_string());
        }
        let ids: Vec<String> =
            q.fetch_all(&mut *self.tx).await?.iter().map(|r| r.try_get(0)).collect::<std::result::Result<_, _>>()?;
        let mut pseudonyms: Vec<String> = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let list = in_list(1, chunk.len());
            let select =
                format!("SELECT DISTINCT person_pseudonym FROM signals WHERE case_id IN ({list}) AND person_pseudonym IS NOT NULL");
            let mut q = sqlx::query(&select);
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                pseudonyms.push(r.try_get(0)?);
            }
            for (table, counter) in [
                ("contact_attempts", Some(&mut counts.attempts)),
                ("case_events", None),
                ("signals", Some(&mut counts.signals)),
            ] {
                let delete = format!("DELETE FROM {table} WHERE case_id IN ({list})");
                let mut q = sqlx::query(&delete);
                for id in chunk {
                    q = q.bind(id.clone());
                }
                let done = q.execute(&mut *self.tx).await?;
                if let Some(c) = counter {
                    *c += done.rows_affected();
                }
            }
            let delete = format!("DELETE FROM signal_cases WHERE id IN ({list})");
            let mut q = sqlx::query(&delete);
            for id in chunk {
                q = q.bind(id.clone());
            }
            counts.cases += q.execute(&mut *self.tx).await?.rows_affected();
        }
        pseudonyms.sort();
        pseudonyms.dedup();
        if pseudonyms.is_empty() {
            return Ok(counts);
        }
        // A pseudonym still used by a signal in retention keeps its vault entry. The
        // pseudonyms in use are read in one pass: `person_pseudonym` has no index (the intake
        // would pay for it on every row), and a NOT EXISTS per pseudonym scanned the table
        // once for each of them.
        let in_use: std::collections::HashSet<String> = sqlx::query(
            "SELECT DISTINCT person_pseudonym FROM signals WHERE tenant_id = $1 AND person_pseudonym IS NOT NULL",
        )
        .bind(tenant.to_string())
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        let released: Vec<String> = pseudonyms.into_iter().filter(|p| !in_use.contains(p)).collect();
        for chunk in released.chunks(CHUNK) {
            let delete =
                format!("DELETE FROM person_vault WHERE tenant_id = $1 AND pseudonym IN ({})", in_list(2, chunk.len()));
            let mut q = sqlx::query(&delete).bind(tenant.to_string());
            for p in chunk {
                q = q.bind(p.as_str());
            }
            counts.vault_entries += q.execute(&mut *self.tx).await?.rows_affected();
        }
        Ok(counts)
    }
}
