//! Repository of area programmes: programmes, parties, goals, commitments, interventions
//! and the append-only ledger. Domain rules (balanced transactions, status transitions)
//! are checked by the caller before anything is stored.

use crate::{Result, Store};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub area_codes: Vec<String>,
    pub start_year: i64,
    pub end_year: i64,
    pub lead: String,
    pub horizon_years: i64,
    pub discount_rate: f64,
    /// Scenarios of the business case, as JSON.
    pub scenarios: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRecord {
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GoalRecord {
    pub id: String,
    pub programme_id: String,
    pub title: String,
    pub indicator: Option<String>,
    pub area_code: Option<String>,
    pub baseline: f64,
    pub baseline_year: i64,
    pub target: f64,
    pub target_year: i64,
    pub direction: String,
    pub own_value: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentRecord {
    pub id: String,
    pub programme_id: String,
    pub party: String,
    pub kind: String,
    pub description: String,
    pub amount: String,
    pub in_return: String,
    pub status: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InterventionRecord {
    pub id: String,
    pub programme_id: String,
    pub name: String,
    pub kind: String,
    pub owner: String,
    pub reach_households: f64,
    pub reach_people: i64,
    pub goal_id: Option<String>,
    pub outcome_measures: String,
    /// Yearly cost per paying funder in cents, as JSON.
    pub costs_per_year: String,
    /// Assumed effects, as JSON.
    pub effects: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub seq: i64,
    pub id: String,
    pub booked_on: String,
    pub memo: String,
    pub corrects: Option<String>,
    /// The postings as JSON.
    pub postings: String,
    pub actor_id: String,
    pub created_at: i64,
}

const PROGRAMME_COLUMNS: &str = "id, tenant_id, name, description, area_codes, start_year, end_year, lead, \
    horizon_years, discount_rate, scenarios, created_at";

fn decode_programme(r: &sqlx::any::AnyRow) -> Result<ProgrammeRecord> {
    let areas: String = r.try_get(4)?;
    Ok(ProgrammeRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        name: r.try_get(2)?,
        description: r.try_get(3)?,
        area_codes: areas.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
        start_year: r.try_get(5)?,
        end_year: r.try_get(6)?,
        lead: r.try_get(7)?,
        horizon_years: r.try_get(8)?,
        discount_rate: r.try_get(9)?,
        scenarios: r.try_get(10)?,
        created_at: r.try_get(11)?,
    })
}

impl Store {
    pub async fn create_programme(&self, p: &ProgrammeRecord, parties: &[PartyRecord]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO programmes ({PROGRAMME_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(p.id.clone())
        .bind(p.tenant_id.clone())
        .bind(p.name.clone())
        .bind(p.description.clone())
        .bind(p.area_codes.join(","))
        .bind(p.start_year)
        .bind(p.end_year)
        .bind(p.lead.clone())
        .bind(p.horizon_years)
        .bind(p.discount_rate)
        .bind(p.scenarios.clone())
        .bind(p.created_at)
        .execute(&mut *tx)
        .await?;
        for party in parties {
            sqlx::query("INSERT INTO programme_parties (programme_id, name, role) VALUES ($1, $2, $3)")
                .bind(p.id.clone())
                .bind(party.name.clone())
                .bind(party.role.clone())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Programmes, of one collaboration or all, newest first.
    pub async fn programmes(&self, tenant: Option<&str>) -> Result<Vec<ProgrammeRecord>> {
        let rows = match tenant {
            Some(t) => {
                sqlx::query(&format!(
                    "SELECT {PROGRAMME_COLUMNS} FROM programmes WHERE tenant_id = $1 ORDER BY created_at DESC, id"
                ))
                .bind(t.to_string())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {PROGRAMME_COLUMNS} FROM programmes ORDER BY created_at DESC, id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(decode_programme).collect()
    }

    pub async fn programme(&self, id: &str) -> Result<Option<ProgrammeRecord>> {
        let row = sqlx::query(&format!("SELECT {PROGRAMME_COLUMNS} FROM programmes WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_programme).transpose()
    }

    pub async fn programme_parties(&self, id: &str) -> Result<Vec<PartyRecord>> {
        let rows = sqlx::query("SELECT name, role FROM programme_parties WHERE programme_id = $1 ORDER BY name")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(PartyRecord { name: r.try_get(0)?, role: r.try_get(1)? })).collect()
    }

    pub async fn add_goal(&self, g: &GoalRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO programme_goals (id, programme_id, title, indicator, area_code, baseline, baseline_year, target, \
             target_year, direction, own_value, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(g.id.clone())
        .bind(g.programme_id.clone())
        .bind(g.title.clone())
        .bind(g.indicator.clone())
        .bind(g.area_code.clone())
        .bind(g.baseline)
        .bind(g.baseline_year)
        .bind(g.target)
        .bind(g.target_year)
        .bind(g.direction.clone())
        .bind(g.own_value.clone())
        .bind(g.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn goals(&self, programme_id: &str) -> Result<Vec<GoalRecord>> {
        let rows = sqlx::query(
            "SELECT id, programme_id, title, indicator, area_code, baseline, baseline_year, target, target_year, direction, \
             own_value, created_at FROM programme_goals WHERE programme_id = $1 ORDER BY created_at, id",
        )
        .bind(programme_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(GoalRecord {
                    id: r.try_get(0)?,
                    programme_id: r.try_get(1)?,
                    title: r.try_get(2)?,
                    indicator: r.try_get(3)?,
                    area_code: r.try_get(4)?,
                    baseline: r.try_get(5)?,
                    baseline_year: r.try_get(6)?,
                    target: r.try_get(7)?,
                    target_year: r.try_get(8)?,
                    direction: r.try_get(9)?,
                    own_value: r.try_get(10)?,
                    created_at: r.try_get(11)?,
                })
            })
            .collect()
    }

    pub async fn add_commitment(&self, c: &CommitmentRecord, actor: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO commitments (id, programme_id, party, kind, description, amount, in_return, status, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.id.clone())
        .bind(c.programme_id.clone())
        .bind(c.party.clone())
        .bind(c.kind.clone())
        .bind(c.description.clone())
        .bind(c.amount.clone())
        .bind(c.in_return.clone())
        .bind(c.status.clone())
        .bind(c.updated_at)
        .execute(&mut *tx)
        .await?;
        history(&mut tx, &c.id, c.updated_at, &c.status, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a commitment to `status` when it still has `from` (so two people cannot both
    /// move it from the same state). False when it had changed meanwhile.
    pub async fn move_commitment(&self, id: &str, from: &str, status: &str, actor: &str, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE commitments SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(status.to_string())
            .bind(now)
            .bind(id.to_string())
            .bind(from.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        history(&mut tx, id, now, status, actor).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn commitments(&self, programme_id: &str) -> Result<Vec<CommitmentRecord>> {
        let rows = sqlx::query(
            "SELECT id, programme_id, party, kind, description, amount, in_return, status, updated_at FROM commitments \
             WHERE programme_id = $1 ORDER BY party, id",
        )
        .bind(programme_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CommitmentRecord {
                    id: r.try_get(0)?,
                    programme_id: r.try_get(1)?,
                    party: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    description: r.try_get(4)?,
                    amount: r.try_get(5)?,
                    in_return: r.try_get(6)?,
                    status: r.try_get(7)?,
                    updated_at: r.try_get(8)?,
                })
            })
            .collect()
    }

    pub async fn add_intervention(&self, i: &InterventionRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO interventions (id, programme_id, name, kind, owner, reach_households, reach_people, goal_id, \
             outcome_measures, costs_per_year, effects, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(i.id.clone())
        .bind(i.programme_id.clone())
        .bind(i.name.clone())
        .bind(i.kind.clone())
        .bind(i.owner.clone())
        .bind(i.reach_households)
        .bind(i.reach_people)
        .bind(i.goal_id.clone())
        .bind(i.outcome_measures.clone())
        .bind(i.costs_per_year.clone())
        .bind(i.effects.clone())
        .bind(i.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn interventions(&self, programme_id: &str) -> Result<Vec<InterventionRecord>> {
        let rows = sqlx::query(
            "SELECT id, programme_id, name, kind, owner, reach_households, reach_people, goal_id, outcome_measures, \
             costs_per_year, effects, created_at FROM interventions WHERE programme_id = $1 ORDER BY created_at, name",
        )
        .bind(programme_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(InterventionRecord {
                    id: r.try_get(0)?,
                    programme_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    owner: r.try_get(4)?,
                    reach_households: r.try_get(5)?,
                    reach_people: r.try_get(6)?,
                    goal_id: r.try_get(7)?,
                    outcome_measures: r.try_get(8)?,
                    costs_per_year: r.try_get(9)?,
                    effects: r.try_get(10)?,
                    created_at: r.try_get(11)?,
                })
            })
            .collect()
    }

    /// The ledger of a programme in booking order.
    pub async fn ledger(&self, programme_id: &str) -> Result<Vec<LedgerRow>> {
        let rows = sqlx::query(
            "SELECT seq, id, booked_on, memo, corrects, postings, actor_id, created_at FROM ledger_transactions \
             WHERE programme_id = $1 ORDER BY seq",
        )
        .bind(programme_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LedgerRow {
                    seq: r.try_get(0)?,
                    id: r.try_get(1)?,
                    booked_on: r.try_get(2)?,
                    memo: r.try_get(3)?,
                    corrects: r.try_get(4)?,
                    postings: r.try_get(5)?,
                    actor_id: r.try_get(6)?,
                    created_at: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// Appends a transaction after `expected_seq` (the last seq the caller validated
    /// against). Fails with a unique violation when another booking came first, so a
    /// transaction is never checked against a stale ledger.
    pub async fn append_ledger(&self, programme_id: &str, expected_seq: i64, row: &LedgerRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO ledger_transactions (programme_id, seq, id, booked_on, memo, corrects, postings, actor_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(programme_id.to_string())
        .bind(expected_seq + 1)
        .bind(row.id.clone())
        .bind(row.booked_on.clone())
        .bind(row.memo.clone())
        .bind(row.corrects.clone())
        .bind(row.postings.clone())
        .bind(row.actor_id.clone())
        .bind(row.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

async fn history(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    at: i64,
    status: &str,
    actor: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO commitment_history (commitment_id, at_ms, status, actor_id) VALUES ($1, $2, $3, $4)")
        .bind(id.to_string())
        .bind(at)
        .bind(status.to_string())
        .bind(actor.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
