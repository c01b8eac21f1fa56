//! Repository of households with stacked problems: the involvement index, matches and
//! notices, consents, and joint plans with items and ZRM assessments. Reads and writes of
//! involvements, consents and plan content take an [`AccessHandle`] for the subject.

use crate::{AccessHandle, Result, Store, StoreTx};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvolvementRecord {
    pub id: String,
    pub tenant_id: String,
    pub subject: String,
    pub household_key: Option<String>,
    pub parent_subject: Option<String>,
    pub organisation_id: String,
    pub professional_id: String,
    pub start_on: String,
    pub expected_end_on: Option<String>,
    pub turns_23_on: Option<String>,
    pub deceased_on: Option<String>,
    pub informed_on: Option<String>,
    pub deferral_reason: Option<String>,
    pub deferral_until: Option<String>,
    pub ended_on: Option<String>,
    pub match_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRecord {
    pub id: String,
    pub tenant_id: String,
    pub matched_on: String,
    pub area_code: Option<String>,
    pub coordinator_org: Option<String>,
    pub coordinator_user: Option<String>,
    pub escalated_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecord {
    pub id: String,
    pub match_id: String,
    pub organisation_id: String,
    pub kind: String,
    pub text: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub id: String,
    pub tenant_id: String,
    pub member: String,
    pub purpose: String,
    pub organisation_id: String,
    pub given_on: String,
    pub scope: String,
    pub withdrawn_on: Option<String>,
    pub recorded_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecordJoint {
    pub id: String,
    pub tenant_id: String,
    pub match_id: String,
    pub member: String,
    pub signals_subject: Option<String>,
    pub coordinator_org: String,
    pub own_goals: String,
    pub status: String,
    pub outcome: Option<String>,
    pub closed_on: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItemRecord {
    pub id: String,
    pub plan_id: String,
    pub kind: String,
    pub domain: Option<String>,
    pub text: String,
    pub owner_org: Option<String>,
    pub due_on: Option<String>,
    pub done_on: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRecord {
    pub id: String,
    pub plan_id: String,
    pub assessed_on: String,
    pub instrument_version: String,
    /// Scores per domain as JSON.
    pub scores: String,
    pub recorded_by: String,
    pub created_at: i64,
}

const INVOLVEMENT_COLUMNS: &str = "id, tenant_id, subject, household_key, parent_subject, organisation_id, professional_id, \
    start_on, expected_end_on, turns_23_on, deceased_on, informed_on, deferral_reason, deferral_until, ended_on, match_id, created_at";

fn decode_involvement(r: &sqlx::any::AnyRow) -> Result<InvolvementRecord> {
    Ok(InvolvementRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        subject: r.try_get(2)?,
        household_key: r.try_get(3)?,
        parent_subject: r.try_get(4)?,
        organisation_id: r.try_get(5)?,
        professional_id: r.try_get(6)?,
        start_on: r.try_get(7)?,
        expected_end_on: r.try_get(8)?,
        turns_23_on: r.try_get(9)?,
        deceased_on: r.try_get(10)?,
        informed_on: r.try_get(11)?,
        deferral_reason: r.try_get(12)?,
        deferral_until: r.try_get(13)?,
        ended_on: r.try_get(14)?,
        match_id: r.try_get(15)?,
        created_at: r.try_get(16)?,
    })
}

const PLAN_COLUMNS: &str =
    "id, tenant_id, match_id, member, signals_subject, coordinator_org, own_goals, status, outcome, closed_on, created_at";

fn decode_plan(r: &sqlx::any::AnyRow) -> Result<PlanRecordJoint> {
    Ok(PlanRecordJoint {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        match_id: r.try_get(2)?,
        member: r.try_get(3)?,
        signals_subject: r.try_get(4)?,
        coordinator_org: r.try_get(5)?,
        own_goals: r.try_get(6)?,
        status: r.try_get(7)?,
        outcome: r.try_get(8)?,
        closed_on: r.try_get(9)?,
        created_at: r.try_get(10)?,
    })
}

fn decode_match(r: &sqlx::any::AnyRow) -> Result<MatchRecord> {
    Ok(MatchRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        matched_on: r.try_get(2)?,
        area_code: r.try_get(3)?,
        coordinator_org: r.try_get(4)?,
        coordinator_user: r.try_get(5)?,
        escalated_on: r.try_get(6)?,
    })
}

const MATCH_COLUMNS: &str = "id, tenant_id, matched_on, area_code, coordinator_org, coordinator_user, escalated_on";

impl Store {
    /// Matches an organisation takes part in (through one of its involvements).
    pub async fn matches_of_organisation(&self, tenant: &str, organisation: &str) -> Result<Vec<MatchRecord>> {
        let cols: String = MATCH_COLUMNS.split(", ").map(|c| format!("m.{c}")).collect::<Vec<_>>().join(", ");
        let rows = sqlx::query(&format!(
            "SELECT DISTINCT {cols} FROM involvement_matches m JOIN involvements i ON i.match_id = m.id \
             WHERE m.tenant_id = $1 AND i.organisation_id = $2 ORDER BY m.matched_on DESC, m.id DESC"
        ))
        .bind(tenant.to_string())
        .bind(organisation.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_match).collect()
    }

    /// The first area the user's team serves, if any: where a match is escalated to.
    pub async fn user_area(&self, user_id: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT ta.area_code FROM users u JOIN team_areas ta ON ta.team_id = u.team_id WHERE u.id = $1 ORDER BY ta.area_code LIMIT 1",
        )
        .bind(user_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
    }

    pub async fn match_record(&self, tenant: &str, id: &str) -> Result<Option<MatchRecord>> {
        let row =
            sqlx::query(&format!("SELECT {MATCH_COLUMNS} FROM involvement_matches WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(decode_match).transpose()
    }

    /// Matches without a coordinator: the escalation job looks at these.
    pub async fn open_matches(&self) -> Result<Vec<MatchRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {MATCH_COLUMNS} FROM involvement_matches WHERE coordinator_org IS NULL AND escalated_on IS NULL"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_match).collect()
    }

    /// The organisations involved in a match (no subjects): what a notice may name.
    pub async fn match_organisations(&self, match_id: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT organisation_id FROM involvements WHERE match_id = $1 ORDER BY organisation_id",
        )
        .bind(match_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| r.try_get(0).map_err(Into::into)).collect()
    }

    pub async fn notices(&self, tenant: &str, organisation: &str) -> Result<Vec<NoticeRecord>> {
        let rows = sqlx::query(
            "SELECT id, match_id, organisation_id, kind, text, created_at, read_at FROM match_notices \
             WHERE tenant_id = $1 AND organisation_id = $2 ORDER BY created_at DESC, id",
        )
        .bind(tenant.to_string())
        .bind(organisation.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(NoticeRecord {
                    id: r.try_get(0)?,
                    match_id: r.try_get(1)?,
                    organisation_id: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    text: r.try_get(4)?,
                    created_at: r.try_get(5)?,
                    read_at: r.try_get(6)?,
                })
            })
            .collect()
    }

    pub async fn add_notice(&self, tenant: &str, n: &NoticeRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO match_notices (id, tenant_id, match_id, organisation_id, kind, text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(n.id.clone())
        .bind(tenant.to_string())
        .bind(n.match_id.clone())
        .bind(n.organisation_id.clone())
        .bind(n.kind.clone())
        .bind(n.text.clone())
        .bind(n.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets the coordinator once; false when one was chosen already.
    pub async fn set_coordinator(&self, tenant: &str, match_id: &str, org: &str, user: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE involvement_matches SET coordinator_org = $1, coordinator_user = $2 WHERE tenant_id = $3 AND id = $4 \
             AND coordinator_org IS NULL",
        )
        .bind(org.to_string())
        .bind(user.to_string())
        .bind(tenant.to_string())
        .bind(match_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn mark_escalated(&self, match_id: &str, on: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE involvement_matches SET escalated_on = $1 WHERE id = $2 AND escalated_on IS NULL")
                .bind(on.to_string())
                .bind(match_id.to_string())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn plans_of_match(&self, tenant: &str, match_id: &str) -> Result<Vec<PlanRecordJoint>> {
        let rows =
            sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM joint_plans WHERE tenant_id = $1 AND match_id = $2"))
                .bind(tenant.to_string())
                .bind(match_id.to_string())
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(decode_plan).collect()
    }

    /// The plan's header without content: enough to ask the gate about its member.
    pub async fn plan_header(&self, tenant: &str, id: &str) -> Result<Option<PlanRecordJoint>> {
        let row = sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM joint_plans WHERE tenant_id = $1 AND id = $2"))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_plan).transpose()
    }

    /// ZRM assessments of the plans of a tenant's members (pairs are built by the caller),
    /// for aggregated figures only.
    pub async fn all_assessments(&self) -> Result<Vec<(String, Option<String>, AssessmentRecord)>> {
        let rows = sqlx::query(
            "SELECT a.id, a.plan_id, a.assessed_on, a.instrument_version, a.scores, a.recorded_by, a.created_at, m.area_code \
             FROM zrm_assessments a JOIN joint_plans p ON p.id = a.plan_id JOIN involvement_matches m ON m.id = p.match_id \
             ORDER BY a.plan_id, a.assessed_on",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let rec = AssessmentRecord {
                    id: r.try_get(0)?,
                    plan_id: r.try_get(1)?,
                    assessed_on: r.try_get(2)?,
                    instrument_version: r.try_get(3)?,
                    scores: r.try_get(4)?,
                    recorded_by: r.try_get(5)?,
                    created_at: r.try_get(6)?,
                };
                Ok((rec.plan_id.clone(), r.try_get(7)?, rec))
            })
            .collect()
    }
}

impl StoreTx {
    /// Ends the organisation's running registrations of a subject on `ended_on` (and records
    /// the date of death when given). Returns how many registrations it ended.
    pub async fn end_involvements(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        subject: &str,
        organisation_id: &str,
        ended_on: &str,
        deceased_on: Option<&str>,
    ) -> Result<u64> {
        handle.permits(tenant, "involvement_only", "write", subject)?;
        let done = sqlx::query(
            "UPDATE involvements SET ended_on = $1, deceased_on = COALESCE($2, deceased_on) \
             WHERE tenant_id = $3 AND subject = $4 AND organisation_id = $5 AND ended_on IS NULL AND start_on <= $1",
        )
        .bind(ended_on)
        .bind(deceased_on)
        .bind(tenant)
        .bind(subject)
        .bind(organisation_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn add_involvement(&mut self, handle: &AccessHandle, i: &InvolvementRecord) -> Result<()> {
        handle.permits(&i.tenant_id, "involvement_only", "write", &i.subject)?;
        sqlx::query(&format!(
            "INSERT INTO involvements ({INVOLVEMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        ))
        .bind(i.id.clone())
        .bind(i.tenant_id.clone())
        .bind(i.subject.clone())
        .bind(i.household_key.clone())
        .bind(i.parent_subject.clone())
        .bind(i.organisation_id.clone())
        .bind(i.professional_id.clone())
        .bind(i.start_on.clone())
        .bind(i.expected_end_on.clone())
        .bind(i.turns_23_on.clone())
        .bind(i.deceased_on.clone())
        .bind(i.informed_on.clone())
        .bind(i.deferral_reason.clone())
        .bind(i.deferral_until.clone())
        .bind(i.ended_on.clone())
        .bind(i.match_id.clone())
        .bind(i.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Involvements of the subject, its household, its parent or its children: the ones a
    /// new registration may match.
    pub async fn related_involvements(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        subject: &str,
        household: Option<&str>,
        parent: Option<&str>,
    ) -> Result<Vec<InvolvementRecord>> {
        handle.permits(tenant, "involvement_only", "write", subject)?;
        let rows = sqlx::query(&format!(
            "SELECT {INVOLVEMENT_COLUMNS} FROM involvements WHERE tenant_id = $1 AND (subject = $2 OR subject = $4 \
             OR parent_subject = $2 OR (household_key IS NOT NULL AND household_key = $3))"
        ))
        .bind(tenant.to_string())
        .bind(subject.to_string())
        .bind(household.unwrap_or("-").to_string())
        .bind(parent.unwrap_or("-").to_string())
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(decode_involvement).collect()
    }

    /// The registration history of a subject: looking at it is itself audited.
    pub async fn involvement_history(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        subject: &str,
    ) -> Result<Vec<InvolvementRecord>> {
        handle.permits(tenant, "involvement_only", "read", subject)?;
        let rows = sqlx::query(&format!(
            "SELECT {INVOLVEMENT_COLUMNS} FROM involvements WHERE tenant_id = $1 AND subject = $2 ORDER BY start_on, created_at"
        ))
        .bind(tenant.to_string())
        .bind(subject.to_string())
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(decode_involvement).collect()
    }

    /// Adds involvements to an existing match.
    pub async fn create_match_links(&mut self, tenant: &str, match_id: &str, involvement_ids: &[String]) -> Result<()> {
        for id in involvement_ids {
            sqlx::query("UPDATE involvements SET match_id = $1 WHERE tenant_id = $2 AND id = $3")
                .bind(match_id.to_string())
                .bind(tenant.to_string())
                .bind(id.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn create_match(
        &mut self,
        tenant: &str,
        m: &MatchRecord,
        involvement_ids: &[String],
        now: i64,
    ) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO involvement_matches ({MATCH_COLUMNS}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(m.id.clone())
        .bind(tenant.to_string())
        .bind(m.matched_on.clone())
        .bind(m.area_code.clone())
        .bind(m.coordinator_org.clone())
        .bind(m.coordinator_user.clone())
        .bind(m.escalated_on.clone())
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.create_match_links(tenant, &m.id, involvement_ids).await
    }

    pub async fn add_consent(&mut self, handle: &AccessHandle, c: &ConsentRecord) -> Result<()> {
        handle.permits(&c.tenant_id, "case_content", "write", &c.member)?;
        sqlx::query(
            "INSERT INTO consents (id, tenant_id, member, purpose, organisation_id, given_on, scope, withdrawn_on, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(c.id.clone())
        .bind(c.tenant_id.clone())
        .bind(c.member.clone())
        .bind(c.purpose.clone())
        .bind(c.organisation_id.clone())
        .bind(c.given_on.clone())
        .bind(c.scope.clone())
        .bind(c.withdrawn_on.clone())
        .bind(c.recorded_by.clone())
        .bind(c.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn withdraw_consent(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        member: &str,
        id: &str,
        on: &str,
    ) -> Result<bool> {
        handle.permits(tenant, "case_content", "write", member)?;
        let done = sqlx::query("UPDATE consents SET withdrawn_on = $1 WHERE tenant_id = $2 AND member = $3 AND id = $4 AND withdrawn_on IS NULL")
            .bind(on.to_string())
            .bind(tenant.to_string())
            .bind(member.to_string())
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn create_plan(&mut self, handle: &AccessHandle, p: &PlanRecordJoint) -> Result<()> {
        handle.permits(&p.tenant_id, "case_content", "write", &p.member)?;
        sqlx::query(&format!(
            "INSERT INTO joint_plans ({PLAN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(p.id.clone())
        .bind(p.tenant_id.clone())
        .bind(p.match_id.clone())
        .bind(p.member.clone())
        .bind(p.signals_subject.clone())
        .bind(p.coordinator_org.clone())
        .bind(p.own_goals.clone())
        .bind(p.status.clone())
        .bind(p.outcome.clone())
        .bind(p.closed_on.clone())
        .bind(p.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn close_plan(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        member: &str,
        id: &str,
        outcome: &str,
        on: &str,
    ) -> Result<bool> {
        handle.permits(tenant, "case_content", "write", member)?;
        let done = sqlx::query("UPDATE joint_plans SET status = 'closed', outcome = $1, closed_on = $2 WHERE tenant_id = $3 AND id = $4 AND status <> 'closed'")
            .bind(outcome.to_string())
            .bind(on.to_string())
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn add_plan_item(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        member: &str,
        i: &PlanItemRecord,
    ) -> Result<()> {
        handle.permits(tenant, "case_content", "write", member)?;
        sqlx::query(
            "INSERT INTO plan_items (id, plan_id, kind, domain, text, owner_org, due_on, done_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(i.id.clone())
        .bind(i.plan_id.clone())
        .bind(i.kind.clone())
        .bind(i.domain.clone())
        .bind(i.text.clone())
        .bind(i.owner_org.clone())
        .bind(i.due_on.clone())
        .bind(i.done_on.clone())
        .bind(i.created_by.clone())
        .bind(i.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn add_assessment(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        member: &str,
        a: &AssessmentRecord,
    ) -> Result<()> {
        handle.permits(tenant, "case_content", "write", member)?;
        sqlx::query(
            "INSERT INTO zrm_assessments (id, plan_id, assessed_on, instrument_version, scores, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(a.id.clone())
        .bind(a.plan_id.clone())
        .bind(a.assessed_on.clone())
        .bind(a.instrument_version.clone())
        .bind(a.scores.clone())
        .bind(a.recorded_by.clone())
        .bind(a.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The plan with its items, assessments and the member's consents.
    #[allow(clippy::type_complexity)]
    pub async fn plan_content(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        id: &str,
    ) -> Result<Option<(PlanRecordJoint, Vec<PlanItemRecord>, Vec<AssessmentRecord>, Vec<ConsentRecord>)>> {
        let Some(row) =
            sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM joint_plans WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *self.tx)
                .await?
        else {
            return Ok(None);
        };
        let plan = decode_plan(&row)?;
        handle.permits(tenant, "case_content", "read", &plan.member)?;
        let items = sqlx::query(
            "SELECT id, plan_id, kind, domain, text, owner_org, due_on, done_on, created_by, created_at FROM plan_items \
             WHERE plan_id = $1 ORDER BY created_at, id",
        )
        .bind(id.to_string())
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(|r| {
            Ok(PlanItemRecord {
                id: r.try_get(0)?,
                plan_id: r.try_get(1)?,
                kind: r.try_get(2)?,
                domain: r.try_get(3)?,
                text: r.try_get(4)?,
                owner_org: r.try_get(5)?,
                due_on: r.try_get(6)?,
                done_on: r.try_get(7)?,
                created_by: r.try_get(8)?,
                created_at: r.try_get(9)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let assessments = sqlx::query(
            "SELECT id, plan_id, assessed_on, instrument_version, scores, recorded_by, created_at FROM zrm_assessments \
             WHERE plan_id = $1 ORDER BY assessed_on, created_at",
        )
        .bind(id.to_string())
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(|r| {
            Ok(AssessmentRecord {
                id: r.try_get(0)?,
                plan_id: r.try_get(1)?,
                assessed_on: r.try_get(2)?,
                instrument_version: r.try_get(3)?,
                scores: r.try_get(4)?,
                recorded_by: r.try_get(5)?,
                created_at: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let consents = consents_of(&mut self.tx, tenant, &plan.member).await?;
        Ok(Some((plan, items, assessments, consents)))
    }

    /// Consents of a member, for the gate's consent flag; read under the member's handle.
    pub async fn consents(&mut self, handle: &AccessHandle, tenant: &str, member: &str) -> Result<Vec<ConsentRecord>> {
        handle
            .permits(tenant, handle.category(), "read", member)
            .or_else(|_| handle.permits(tenant, handle.category(), "write", member))?;
        consents_of(&mut self.tx, tenant, member).await
    }
}

async fn consents_of(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    member: &str,
) -> Result<Vec<ConsentRecord>> {
    let rows = sqlx::query(
        "SELECT id, tenant_id, member, purpose, organisation_id, given_on, scope, withdrawn_on, recorded_by, created_at \
         FROM consents WHERE tenant_id = $1 AND member = $2 ORDER BY given_on, created_at",
    )
    .bind(tenant.to_string())
    .bind(member.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ConsentRecord {
                id: r.try_get(0)?,
                tenant_id: r.try_get(1)?,
                member: r.try_get(2)?,
                purpose: r.try_get(3)?,
                organisation_id: r.try_get(4)?,
                given_on: r.try_get(5)?,
                scope: r.try_get(6)?,
                withdrawn_on: r.try_get(7)?,
                recorded_by: r.try_get(8)?,
                created_at: r.try_get(9)?,
            })
        })
        .collect()
}

/// A signal on a plan's timeline: what, when, from whom, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineSignal {
    pub signal_date: String,
    pub kind: String,
    pub organisation_id: String,
    pub case_status: String,
    pub outcome: Option<String>,
}

impl StoreTx {
    /// The signals of a person (by early-signalling pseudonym), for a plan's timeline; read
    /// under the plan's handle.
    pub async fn timeline_signals(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        member: &str,
        signals_subject: &str,
    ) -> Result<Vec<TimelineSignal>> {
        handle.permits(tenant, "case_content", "read", member)?;
        let rows = sqlx::query(
            "SELECT s.signal_date, s.kind, s.organisation_id, c.status, c.outcome FROM signals s \
             JOIN signal_cases c ON c.id = s.case_id WHERE s.tenant_id = $1 AND s.person_pseudonym = $2 ORDER BY s.signal_date",
        )
        .bind(tenant.to_string())
        .bind(signals_subject.to_string())
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TimelineSignal {
                    signal_date: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    organisation_id: r.try_get(2)?,
                    case_status: r.try_get(3)?,
                    outcome: r.try_get(4)?,
                })
            })
            .collect()
    }
}

impl Store {
    /// A consent by id, for withdrawing it: (member, organisation).
    pub async fn consent_owner(&self, tenant: &str, id: &str) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT member, organisation_id FROM consents WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    /// Replaces an organisation's licensed criteria texts: (domain, level, text).
    pub async fn put_zrm_criteria(&self, organisation: &str, rows: &[(String, i64, String)], now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM zrm_criteria WHERE organisation_id = $1")
            .bind(organisation.to_string())
            .execute(&mut *tx)
            .await?;
        for (domain, level, text) in rows {
            sqlx::query("INSERT INTO zrm_criteria (organisation_id, domain, level, text, loaded_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(organisation.to_string())
                .bind(domain.clone())
                .bind(*level)
                .bind(text.clone())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn zrm_criteria(&self, organisation: &str) -> Result<Vec<(String, i64, String)>> {
        let rows = sqlx::query(
            "SELECT domain, level, text FROM zrm_criteria WHERE organisation_id = $1 ORDER BY domain, level",
        )
        .bind(organisation.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
    }

    /// Consents of a member, unaudited: only for deciding the gate's consent flag (the
    /// decision itself is audited), never shown.
    pub async fn consents_for_decision(&self, tenant: &str, member: &str) -> Result<Vec<ConsentRecord>> {
        let mut tx = self.pool.begin().await?;
        let out = consents_of(&mut tx, tenant, member).await?;
        tx.commit().await?;
        Ok(out)
    }
}
