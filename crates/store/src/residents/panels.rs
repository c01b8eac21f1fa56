//! Storage of panels, surveys, questions and answers. Answers are anonymous: a response
//! row has only its survey and time; invitation codes are stored as hashes.

use crate::{Result, Store};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub kind: String,
    pub area_code: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRecord {
    pub id: String,
    pub tenant_id: String,
    pub panel_id: String,
    pub title: String,
    pub intro: String,
    pub programme_id: Option<String>,
    pub area_code: Option<String>,
    pub mode: String,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionRecord {
    pub id: String,
    pub survey_id: String,
    pub position: i64,
    pub kind: String,
    pub text: String,
    /// JSON array of options.
    pub options: String,
}

/// Why an answer was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRefusal {
    /// The survey is not open (any more).
    NotOpen,
    /// The invitation code is unknown or was used before.
    CodeInvalid,
}

const SURVEY_COLUMNS: &str = "id, tenant_id, panel_id, title, intro, programme_id, area_code, mode, status, \
    created_by, created_at, updated_at";

fn decode_survey(r: &sqlx::any::AnyRow) -> Result<SurveyRecord> {
    Ok(SurveyRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        panel_id: r.try_get(2)?,
        title: r.try_get(3)?,
        intro: r.try_get(4)?,
        programme_id: r.try_get(5)?,
        area_code: r.try_get(6)?,
        mode: r.try_get(7)?,
        status: r.try_get(8)?,
        created_by: r.try_get(9)?,
        created_at: r.try_get(10)?,
        updated_at: r.try_get(11)?,
    })
}

fn decode_panel(r: &sqlx::any::AnyRow) -> Result<PanelRecord> {
    Ok(PanelRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        name: r.try_get(2)?,
        kind: r.try_get(3)?,
        area_code: r.try_get(4)?,
        created_by: r.try_get(5)?,
        created_at: r.try_get(6)?,
    })
}

impl Store {
    pub async fn add_panel(&self, p: &PanelRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO panels (id, tenant_id, name, kind, area_code, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(p.id.clone())
        .bind(p.tenant_id.clone())
        .bind(p.name.clone())
        .bind(p.kind.clone())
        .bind(p.area_code.clone())
        .bind(p.created_by.clone())
        .bind(p.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Panels of a collaboration, by name.
    pub async fn panels(&self, tenant: &str) -> Result<Vec<PanelRecord>> {
        let rows = sqlx::query(
            "SELECT id, tenant_id, name, kind, area_code, created_by, created_at FROM panels WHERE tenant_id = $1 \
             ORDER BY name, id",
        )
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_panel).collect()
    }

    pub async fn panel(&self, id: &str) -> Result<Option<PanelRecord>> {
        let row = sqlx::query(
            "SELECT id, tenant_id, name, kind, area_code, created_by, created_at FROM panels WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_panel).transpose()
    }

    pub async fn add_survey(&self, s: &SurveyRecord) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO surveys ({SURVEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(s.id.clone())
        .bind(s.tenant_id.clone())
        .bind(s.panel_id.clone())
        .bind(s.title.clone())
        .bind(s.intro.clone())
        .bind(s.programme_id.clone())
        .bind(s.area_code.clone())
        .bind(s.mode.clone())
        .bind(s.status.clone())
        .bind(s.created_by.clone())
        .bind(s.created_at)
        .bind(s.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn survey(&self, id: &str) -> Result<Option<SurveyRecord>> {
        let row = sqlx::query(&format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_survey).transpose()
    }

    /// Surveys of a collaboration (all statuses), newest first.
    pub async fn surveys_of_tenant(&self, tenant: &str) -> Result<Vec<SurveyRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {SURVEY_COLUMNS} FROM surveys WHERE tenant_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_survey).collect()
    }

    /// Surveys with a status (of every collaboration: open surveys are public), newest first.
    pub async fn surveys_with_status(&self, status: &str) -> Result<Vec<SurveyRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {SURVEY_COLUMNS} FROM surveys WHERE status = $1 ORDER BY created_at DESC, id"
        ))
        .bind(status.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_survey).collect()
    }

    /// Surveys linked to a programme's evaluation.
    pub async fn surveys_of_programme(&self, programme_id: &str) -> Result<Vec<SurveyRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {SURVEY_COLUMNS} FROM surveys WHERE programme_id = $1 ORDER BY created_at, id"
        ))
        .bind(programme_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_survey).collect()
    }

    /// Moves a survey from `from` to `to`; false when it had another status meanwhile.
    pub async fn move_survey(&self, id: &str, from: &str, to: &str, now: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE surveys SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(to.to_string())
            .bind(now)
            .bind(id.to_string())
            .bind(from.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Appends a question at the end (only while the survey is a draft; checked here too,
    /// in the same statement, so a question cannot slip in after opening).
    pub async fn add_question(&self, q: &QuestionRecord) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let next: i64 = sqlx::query("SELECT COALESCE(MAX(position), 0) + 1 FROM survey_questions WHERE survey_id = $1")
            .bind(q.survey_id.clone())
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let done = sqlx::query(
            "INSERT INTO survey_questions (id, survey_id, position, kind, text, options) \
             SELECT $1, $2, $3, $4, $5, $6 FROM surveys WHERE id = $7 AND status = 'draft'",
        )
        .bind(q.id.clone())
        .bind(q.survey_id.clone())
        .bind(next)
        .bind(q.kind.clone())
        .bind(q.text.clone())
        .bind(q.options.clone())
        .bind(q.survey_id.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn questions(&self, survey_id: &str) -> Result<Vec<QuestionRecord>> {
        let rows = sqlx::query(
            "SELECT id, survey_id, position, kind, text, options FROM survey_questions WHERE survey_id = $1 \
             ORDER BY position",
        )
        .bind(survey_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QuestionRecord {
                    id: r.try_get(0)?,
                    survey_id: r.try_get(1)?,
                    position: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    text: r.try_get(4)?,
                    options: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Stores invitation-code hashes.
    pub async fn add_survey_codes(&self, survey_id: &str, hashes: &[String], now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for h in hashes {
            sqlx::query("INSERT INTO survey_codes (survey_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind(survey_id.to_string())
                .bind(h.clone())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// (codes issued, codes used) of a survey.
    pub async fn survey_code_counts(&self, survey_id: &str) -> Result<(i64, i64)> {
        let row = sqlx::query("SELECT COUNT(*), COUNT(used_at) FROM survey_codes WHERE survey_id = $1")
            .bind(survey_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Stores one response with its answers, if the survey is open and (when given) the
    /// code is unused: the code is spent in the same transaction, so two posts with one
    /// code cannot both succeed.
    pub async fn add_response(
        &self,
        survey_id: &str,
        response_id: &str,
        code_hash: Option<&str>,
        answers: &[(String, String)],
        now: i64,
    ) -> Result<std::result::Result<(), AnswerRefusal>> {
        let mut tx = self.pool.begin().await?;
        // Taking the write lock first (SQLite) / locking the survey row (PostgreSQL) keeps
        // a concurrent close or code use from interleaving.
        let open = sqlx::query("UPDATE surveys SET updated_at = updated_at WHERE id = $1 AND status = 'open'")
            .bind(survey_id.to_string())
            .execute(&mut *tx)
            .await?;
        if open.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(Err(AnswerRefusal::NotOpen));
        }
        if let Some(hash) = code_hash {
            let spent = sqlx::query(
                "UPDATE survey_codes SET used_at = $1 WHERE survey_id = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .bind(now)
            .bind(survey_id.to_string())
            .bind(hash.to_string())
            .execute(&mut *tx)
            .await?;
            if spent.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(Err(AnswerRefusal::CodeInvalid));
            }
        }
        sqlx::query("INSERT INTO survey_responses (id, survey_id, submitted_at) VALUES ($1, $2, $3)")
            .bind(response_id.to_string())
            .bind(survey_id.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for (question_id, value) in answers {
            sqlx::query("INSERT INTO survey_answers (response_id, question_id, value) VALUES ($1, $2, $3)")
                .bind(response_id.to_string())
                .bind(question_id.clone())
                .bind(value.clone())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn response_count(&self, survey_id: &str) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1")
            .bind(survey_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Every answer of a survey as (question id, value); open text included, for counting
    /// only (the caller never publishes it).
    pub async fn survey_answers(&self, survey_id: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT a.question_id, a.value FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id \
             WHERE q.survey_id = $1",
        )
        .bind(survey_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }
}

impl crate::StoreTx {
    /// Blanks the open-text answers of closed surveys last changed before `before_ms`:
    /// free text may hold personal details and is needed only while the results are being
    /// read. The answer rows stay (blank), so response counts do not change.
    pub async fn clear_open_answers(&mut self, tenant: &str, before_ms: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE survey_answers SET value = '' WHERE value <> '' AND question_id IN ( \
             SELECT q.id FROM survey_questions q JOIN surveys s ON s.id = q.survey_id \
             WHERE q.kind = 'open_text' AND s.tenant_id = $1 AND s.status = 'closed' AND s.updated_at < $2)",
        )
        .bind(tenant)
        .bind(before_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }
}
