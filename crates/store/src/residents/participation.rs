//! Storage of initiatives, support, budgeting rounds, verified voters and ballots.
//!
//! Residents appear only as a voter pseudonym. "One vote per resident" rests on the primary
//! key of `ballot_voters`: the insert uses `ON CONFLICT DO NOTHING` and a second vote finds
//! nothing inserted, also when two requests race. The choices go to `ballots` without the
//! pseudonym, in the same transaction, so they cannot be traced back to a voter.

use crate::{Result, Store};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiativeRecord {
    pub id: String,
    pub tenant_id: String,
    pub area_code: String,
    pub title: String,
    pub description: String,
    pub cost_cents: i64,
    /// Contact details the proposer chose to leave; never shown in public.
    pub contact: Option<String>,
    pub status: String,
    pub supporters: i64,
    pub assessment: Option<String>,
    pub round_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRecord {
    pub id: String,
    pub tenant_id: String,
    pub area_code: String,
    pub name: String,
    pub description: String,
    pub budget_cents: i64,
    /// The vote rule as JSON.
    pub vote_rule: String,
    pub phase: String,
    pub programme_id: Option<String>,
    /// The counted outcome as JSON, once published.
    pub outcome: Option<String>,
    pub published_at: Option<i64>,
    pub handed_over_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRecord {
    pub id: String,
    pub round_id: String,
    pub position: i64,
    pub title: String,
    pub description: String,
    pub cost_cents: i64,
    pub initiative_id: Option<String>,
    pub intervention_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub id: String,
    /// What the code verifies for: `round:ID` or `initiative:ID`.
    pub scope: String,
    pub voter: String,
    pub code_hash: String,
    pub expires_at: i64,
    pub tries: i64,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

const INITIATIVE_COLUMNS: &str = "id, tenant_id, area_code, title, description, cost_cents, contact, status, \
    supporters, assessment, round_id, created_at, updated_at";

fn decode_initiative(r: &sqlx::any::AnyRow) -> Result<InitiativeRecord> {
    Ok(InitiativeRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        area_code: r.try_get(2)?,
        title: r.try_get(3)?,
        description: r.try_get(4)?,
        cost_cents: r.try_get(5)?,
        contact: r.try_get(6)?,
        status: r.try_get(7)?,
        supporters: r.try_get(8)?,
        assessment: r.try_get(9)?,
        round_id: r.try_get(10)?,
        created_at: r.try_get(11)?,
        updated_at: r.try_get(12)?,
    })
}

const ROUND_COLUMNS: &str = "id, tenant_id, area_code, name, description, budget_cents, vote_rule, phase, \
    programme_id, outcome, published_at, handed_over_at, created_by, created_at, updated_at";

fn decode_round(r: &sqlx::any::AnyRow) -> Result<RoundRecord> {
    Ok(RoundRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        area_code: r.try_get(2)?,
        name: r.try_get(3)?,
        description: r.try_get(4)?,
        budget_cents: r.try_get(5)?,
        vote_rule: r.try_get(6)?,
        phase: r.try_get(7)?,
        programme_id: r.try_get(8)?,
        outcome: r.try_get(9)?,
        published_at: r.try_get(10)?,
        handed_over_at: r.try_get(11)?,
        created_by: r.try_get(12)?,
        created_at: r.try_get(13)?,
        updated_at: r.try_get(14)?,
    })
}

const PROJECT_COLUMNS: &str = "id, round_id, position, title, description, cost_cents, initiative_id, intervention_id";

fn decode_project(r: &sqlx::any::AnyRow) -> Result<ProjectRecord> {
    Ok(ProjectRecord {
        id: r.try_get(0)?,
        round_id: r.try_get(1)?,
        position: r.try_get(2)?,
        title: r.try_get(3)?,
        description: r.try_get(4)?,
        cost_cents: r.try_get(5)?,
        initiative_id: r.try_get(6)?,
        intervention_id: r.try_get(7)?,
    })
}

impl Store {
    pub async fn insert_initiative(&self, i: &InitiativeRecord) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO initiatives ({INITIATIVE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(i.id.clone())
        .bind(i.tenant_id.clone())
        .bind(i.area_code.clone())
        .bind(i.title.clone())
        .bind(i.description.clone())
        .bind(i.cost_cents)
        .bind(i.contact.clone())
        .bind(i.status.clone())
        .bind(i.supporters)
        .bind(i.assessment.clone())
        .bind(i.round_id.clone())
        .bind(i.created_at)
        .bind(i.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn initiative(&self, id: &str) -> Result<Option<InitiativeRecord>> {
        let row = sqlx::query(&format!("SELECT {INITIATIVE_COLUMNS} FROM initiatives WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_initiative).transpose()
    }

    /// Every initiative, newest first (a municipality has hundreds, not millions).
    pub async fn initiatives(&self) -> Result<Vec<InitiativeRecord>> {
        let rows = sqlx::query(&format!("SELECT {INITIATIVE_COLUMNS} FROM initiatives ORDER BY created_at DESC, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_initiative).collect()
    }

    /// Records a resident's support and raises the count; `false` when this voter already
    /// supports the initiative (nothing changes).
    pub async fn add_support(&self, initiative_id: &str, voter: &str, code_id: &str, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let added = sqlx::query(
            "INSERT INTO initiative_supports (initiative_id, voter, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (initiative_id, voter) DO NOTHING",
        )
        .bind(initiative_id.to_string())
        .bind(voter.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("UPDATE initiatives SET supporters = supporters + 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(initiative_id.to_string())
            .execute(&mut *tx)
            .await?;
        use_code(&mut tx, code_id, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves an initiative from one status to another; `false` when it was no longer in
    /// `from` (someone else moved it first).
    pub async fn move_initiative(
        &self,
        id: &str,
        from: &str,
        to: &str,
        assessment: Option<&str>,
        round_id: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE initiatives SET status = $1, assessment = COALESCE($2, assessment), round_id = COALESCE($3, round_id), \
             updated_at = $4 WHERE id = $5 AND status = $6",
        )
        .bind(to.to_string())
        .bind(assessment.map(String::from))
        .bind(round_id.map(String::from))
        .bind(now)
        .bind(id.to_string())
        .bind(from.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn insert_round(&self, r: &RoundRecord, projects: &[ProjectRecord]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO budget_rounds ({ROUND_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(r.id.clone())
        .bind(r.tenant_id.clone())
        .bind(r.area_code.clone())
        .bind(r.name.clone())
        .bind(r.description.clone())
        .bind(r.budget_cents)
        .bind(r.vote_rule.clone())
        .bind(r.phase.clone())
        .bind(r.programme_id.clone())
        .bind(r.outcome.clone())
        .bind(r.published_at)
        .bind(r.handed_over_at)
        .bind(r.created_by.clone())
        .bind(r.created_at)
        .bind(r.updated_at)
        .execute(&mut *tx)
        .await?;
        for p in projects {
            sqlx::query(&format!(
                "INSERT INTO budget_projects ({PROJECT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
            .bind(p.id.clone())
            .bind(p.round_id.clone())
            .bind(p.position)
            .bind(p.title.clone())
            .bind(p.description.clone())
            .bind(p.cost_cents)
            .bind(p.initiative_id.clone())
            .bind(p.intervention_id.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds a project to a round while it is still in `phase`; `false` when the round has
    /// moved on meanwhile (nothing is stored).
    pub async fn add_project(&self, p: &ProjectRecord, phase: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query("UPDATE budget_rounds SET updated_at = updated_at WHERE id = $1 AND phase = $2")
            .bind(p.round_id.clone())
            .bind(phase.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(&format!(
            "INSERT INTO budget_projects ({PROJECT_COLUMNS}) VALUES ($1, $2, \
             (SELECT COALESCE(MAX(position), -1) + 1 FROM budget_projects WHERE round_id = $2), $3, $4, $5, $6, $7)"
        ))
        .bind(p.id.clone())
        .bind(p.round_id.clone())
        .bind(p.title.clone())
        .bind(p.description.clone())
        .bind(p.cost_cents)
        .bind(p.initiative_id.clone())
        .bind(p.intervention_id.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn round(&self, id: &str) -> Result<Option<RoundRecord>> {
        let row = sqlx::query(&format!("SELECT {ROUND_COLUMNS} FROM budget_rounds WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_round).transpose()
    }

    /// Rounds, of one collaboration or all, newest first.
    pub async fn rounds(&self, tenant: Option<&str>) -> Result<Vec<RoundRecord>> {
        let rows = match tenant {
            Some(t) => {
                sqlx::query(&format!(
                    "SELECT {ROUND_COLUMNS} FROM budget_rounds WHERE tenant_id = $1 ORDER BY created_at DESC, id"
                ))
                .bind(t.to_string())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {ROUND_COLUMNS} FROM budget_rounds ORDER BY created_at DESC, id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(decode_round).collect()
    }

    pub async fn round_projects(&self, round_id: &str) -> Result<Vec<ProjectRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {PROJECT_COLUMNS} FROM budget_projects WHERE round_id = $1 ORDER BY position, id"
        ))
        .bind(round_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_project).collect()
    }

    /// Moves a round's phase, optionally storing its published outcome; `false` when the
    /// round was no longer in `from`.
    pub async fn move_round(&self, id: &str, from: &str, to: &str, outcome: Option<&str>, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE budget_rounds SET phase = $1, outcome = COALESCE($2, outcome), \
             published_at = COALESCE($3, published_at), updated_at = $4 \
             WHERE id = $5 AND phase = $6",
        )
        .bind(to.to_string())
        .bind(outcome.map(String::from))
        .bind(outcome.map(|_| now))
        .bind(now)
        .bind(id.to_string())
        .bind(from.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Marks a round as handed to its programme; `false` when it already was.
    pub async fn mark_round_handed_over(&self, id: &str, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE budget_rounds SET handed_over_at = $1, updated_at = $1 WHERE id = $2 AND handed_over_at IS NULL",
        )
        .bind(now)
        .bind(id.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn set_project_intervention(&self, project_id: &str, intervention_id: &str) -> Result<()> {
        sqlx::query("UPDATE budget_projects SET intervention_id = $1 WHERE id = $2")
            .bind(intervention_id.to_string())
            .bind(project_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn insert_code(&self, c: &CodeRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO participation_codes (id, scope, voter, code_hash, expires_at, tries, used_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(c.id.clone())
        .bind(c.scope.clone())
        .bind(c.voter.clone())
        .bind(c.code_hash.clone())
        .bind(c.expires_at)
        .bind(c.tries)
        .bind(c.used_at)
        .bind(c.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest unused code of a voter for a scope.
    pub async fn latest_code(&self, scope: &str, voter: &str) -> Result<Option<CodeRecord>> {
        let row = sqlx::query(
            "SELECT id, scope, voter, code_hash, expires_at, tries, used_at, created_at FROM participation_codes \
             WHERE scope = $1 AND voter = $2 AND used_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(scope.to_string())
        .bind(voter.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(CodeRecord {
                id: r.try_get(0)?,
                scope: r.try_get(1)?,
                voter: r.try_get(2)?,
                code_hash: r.try_get(3)?,
                expires_at: r.try_get(4)?,
                tries: r.try_get(5)?,
                used_at: r.try_get(6)?,
                created_at: r.try_get(7)?,
            })
        })
        .transpose()
    }

    /// Counts one try of a code; `false` when it already had `max` tries.
    pub async fn count_code_try(&self, id: &str, max: i64) -> Result<bool> {
        let n = sqlx::query("UPDATE participation_codes SET tries = tries + 1 WHERE id = $1 AND tries < $2")
            .bind(id.to_string())
            .bind(max)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Codes sent to a voter for a scope since a moment (to limit how many are requested).
    pub async fn codes_sent_since(&self, scope: &str, voter: &str, since: i64) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM participation_codes WHERE scope = $1 AND voter = $2 AND created_at >= $3",
        )
        .bind(scope.to_string())
        .bind(voter.to_string())
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Stores a ballot: `false` when this voter already voted in the round (nothing is
    /// stored). The voter and the choices go to separate tables; the code is used up.
    pub async fn cast_ballot(
        &self,
        round_id: &str,
        voter: &str,
        ballot_id: &str,
        choices: &[String],
        code_id: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let added = sqlx::query(
            "INSERT INTO ballot_voters (round_id, voter) VALUES ($1, $2) ON CONFLICT (round_id, voter) DO NOTHING",
        )
        .bind(round_id.to_string())
        .bind(voter.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("INSERT INTO ballots (id, round_id, choices) VALUES ($1, $2, $3)")
            .bind(ballot_id.to_string())
            .bind(round_id.to_string())
            .bind(choices.join(","))
            .execute(&mut *tx)
            .await?;
        use_code(&mut tx, code_id, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Has this voter voted in the round?
    pub async fn has_voted(&self, round_id: &str, voter: &str) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) FROM ballot_voters WHERE round_id = $1 AND voter = $2")
            .bind(round_id.to_string())
            .bind(voter.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// The ballots of a round, each as its chosen project ids (in id order, so the order
    /// ballots were cast in is not revealed).
    pub async fn ballots(&self, round_id: &str) -> Result<Vec<Vec<String>>> {
        let rows = sqlx::query("SELECT choices FROM ballots WHERE round_id = $1 ORDER BY id")
            .bind(round_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let c: String = r.try_get(0)?;
                Ok(c.split(',').filter(|s| !s.is_empty()).map(String::from).collect())
            })
            .collect()
    }

    /// Every resident identifier and ballot text the participation tables hold, per table:
    /// lets a privacy check (and the tests) confirm that no e-mail address is stored.
    pub async fn participation_identifiers(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for (table, sql) in [
            ("ballot_voters", "SELECT voter FROM ballot_voters"),
            ("ballots", "SELECT choices FROM ballots"),
            ("initiative_supports", "SELECT voter FROM initiative_supports"),
            ("participation_codes", "SELECT voter FROM participation_codes"),
            ("participation_codes", "SELECT code_hash FROM participation_codes"),
        ] {
            for r in sqlx::query(sql).fetch_all(&self.pool).await? {
                out.push((table.to_string(), r.try_get(0)?));
            }
        }
        Ok(out)
    }

    pub async fn ballot_count(&self, round_id: &str) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM ballot_voters WHERE round_id = $1")
            .bind(round_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}

async fn use_code(tx: &mut sqlx::Transaction<'static, sqlx::Any>, code_id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE participation_codes SET used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(code_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl crate::StoreTx {
    /// Clears the proposer's contact of decided initiatives (accepted, rejected or taken into
    /// a round) last changed before `before_ms`: the municipality needs it while it decides
    /// and prepares, not for ever. Returns how many initiatives lost their contact.
    pub async fn clear_initiative_contacts(&mut self, tenant: &str, before_ms: i64, at_ms: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE initiatives SET contact = NULL, updated_at = $1 \
             WHERE tenant_id = $2 AND contact IS NOT NULL AND status IN ('accepted', 'rejected', 'in_round') \
             AND updated_at < $3",
        )
        .bind(at_ms)
        .bind(tenant)
        .bind(before_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }
}

impl crate::Store {
    /// Every collaboration (tenant) id, for retention runs that go tenant by tenant.
    pub async fn tenant_ids(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM tenants ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter().map(|r| r.try_get(0).map_err(Into::into)).collect()
    }
}
