//! Storage of AVG inzage requests and the lookups that gather what is held under a
//! person's pseudonyms (one per purpose key) for the export. The export reads take access
//! handles whose audit entries name each pseudonym, so the reading itself is in the log.

use crate::{AccessHandle, Result, Store, StoreTx};
use serde_json::{Map, Value};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequestRecord {
    pub id: String,
    pub tenant_id: String,
    pub received_at: i64,
    pub received_on: String,
    pub due_on: String,
    /// JSON object: purpose name → pseudonym of the person under that purpose's key.
    pub pseudonyms: String,
    /// Name and answer address, sealed with the tenant's vault key.
    pub sealed_contact: String,
    pub status: String,
    pub identity_note: Option<String>,
    pub refusal_reason: Option<String>,
    pub closed_on: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessStepRecord {
    pub at_ms: i64,
    pub step: String,
    pub note: String,
    pub actor_id: String,
}

/// The pseudonyms an export covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnDataKeys {
    /// Early-signalling person pseudonym (signals).
    pub signals_person: Option<String>,
    /// Involvement-index person pseudonym (involvements, consents, joint plans).
    pub involvement_person: Option<String>,
    /// Housing-placement pseudonym (placements).
    pub housing_person: Option<String>,
}

impl OwnDataKeys {
    fn all(&self) -> Vec<String> {
        [&self.signals_person, &self.involvement_person, &self.housing_person].into_iter().flatten().cloned().collect()
    }
}

/// Everything held under the pseudonyms, per table, as JSON rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnDataRows {
    pub signals: Vec<Value>,
    pub signal_cases: Vec<Value>,
    pub contact_attempts: Vec<Value>,
    pub case_events: Vec<Value>,
    pub involvements: Vec<Value>,
    pub consents: Vec<Value>,
    pub joint_plans: Vec<Value>,
    pub plan_items: Vec<Value>,
    pub zrm_assessments: Vec<Value>,
    pub placements: Vec<Value>,
    pub audit_entries: Vec<Value>,
    /// Household keys of the person's signals (audit entries on these are included).
    pub household_keys: Vec<String>,
}

const REQUEST_COLUMNS: &str = "id, tenant_id, received_at, received_on, due_on, pseudonyms, sealed_contact, status, \
    identity_note, refusal_reason, closed_on, updated_at";

fn decode_request(r: &sqlx::any::AnyRow) -> Result<AccessRequestRecord> {
    Ok(AccessRequestRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        received_at: r.try_get(2)?,
        received_on: r.try_get(3)?,
        due_on: r.try_get(4)?,
        pseudonyms: r.try_get(5)?,
        sealed_contact: r.try_get(6)?,
        status: r.try_get(7)?,
        identity_note: r.try_get(8)?,
        refusal_reason: r.try_get(9)?,
        closed_on: r.try_get(10)?,
        updated_at: r.try_get(11)?,
    })
}

/// Column types of a generic export row.
#[derive(Clone, Copy)]
enum Ty {
    Text,
    OptText,
    Int,
}

use Ty::{Int, OptText, Text};

fn row_json(r: &sqlx::any::AnyRow, cols: &[(&str, Ty)]) -> Result<Value> {
    let mut m = Map::new();
    for (i, (name, ty)) in cols.iter().enumerate() {
        let v = match ty {
            Text => Value::from(r.try_get::<String, _>(i)?),
            OptText => r.try_get::<Option<String>, _>(i)?.map(Value::from).unwrap_or(Value::Null),
            Int => Value::from(r.try_get::<i64, _>(i)?),
        };
        m.insert((*name).to_string(), v);
    }
    Ok(Value::Object(m))
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn names(cols: &[(&str, Ty)], prefix: &str) -> String {
    cols.iter().map(|(c, _)| format!("{prefix}{c}")).collect::<Vec<_>>().join(", ")
}

const SIGNAL: &[(&str, Ty)] = &[
    ("id", Text),
    ("batch_id", Text),
    ("case_id", Text),
    ("organisation_id", Text),
    ("kind", Text),
    ("buurt_code", Text),
    ("arrears_cents", Int),
    ("arrears_since", OptText),
    ("signal_date", Text),
    ("received_on", Text),
    ("reference", OptText),
    ("household_key", Text),
];
const CASE: &[(&str, Ty)] = &[
    ("id", Text),
    ("case_month", Text),
    ("buurt_code", Text),
    ("team_id", OptText),
    ("opened_on", Text),
    ("due_on", Text),
    ("priority", Int),
    ("status", Text),
    ("outcome", OptText),
    ("closed_on", OptText),
    ("first_contact_on", OptText),
    ("reached", Int),
    ("signal_count", Int),
];
const ATTEMPT: &[(&str, Ty)] = &[
    ("id", Text),
    ("case_id", Text),
    ("attempted_on", Text),
    ("channel", Text),
    ("part_of_day", Text),
    ("reached", Int),
    ("user_id", Text),
];
const EVENT: &[(&str, Ty)] =
    &[("id", Text), ("case_id", Text), ("at_ms", Int), ("actor_id", Text), ("event", Text), ("detail", Text)];
const INVOLVEMENT: &[(&str, Ty)] = &[
    ("id", Text),
    ("organisation_id", Text),
    ("professional_id", Text),
    ("start_on", Text),
    ("expected_end_on", OptText),
    ("informed_on", OptText),
    ("ended_on", OptText),
    ("match_id", OptText),
];
const CONSENT: &[(&str, Ty)] = &[
    ("id", Text),
    ("purpose", Text),
    ("organisation_id", Text),
    ("given_on", Text),
    ("scope", Text),
    ("withdrawn_on", OptText),
    ("recorded_by", Text),
];
const PLAN: &[(&str, Ty)] = &[
    ("id", Text),
    ("match_id", Text),
    ("coordinator_org", Text),
    ("own_goals", Text),
    ("status", Text),
    ("outcome", OptText),
    ("closed_on", OptText),
];
const ITEM: &[(&str, Ty)] = &[
    ("id", Text),
    ("plan_id", Text),
    ("kind", Text),
    ("domain", OptText),
    ("text", Text),
    ("owner_org", OptText),
    ("due_on", OptText),
    ("done_on", OptText),
];
const ZRM: &[(&str, Ty)] =
    &[("id", Text), ("plan_id", Text), ("assessed_on", Text), ("instrument_version", Text), ("scores", Text)];
const PLACEMENT: &[(&str, Ty)] = &[
    ("id", Text),
    ("agreement_id", Text),
    ("priority_group", Text),
    ("municipality_code", Text),
    ("buurt_code", Text),
    ("placed_on", Text),
    ("corporation_org", Text),
    ("support_org", Text),
    ("support_description", Text),
    ("support_confirmed_on", OptText),
];
const AUDIT: &[(&str, Ty)] = &[
    ("seq", Int),
    ("at_ms", Int),
    ("actor", Text),
    ("organisation", Text),
    ("purpose", Text),
    ("action", Text),
    ("category", Text),
    ("outcome", Text),
    ("rule", Text),
];

impl StoreTx {
    /// Forgets who asked, for answered or refused access requests closed before `before`
    /// (ISO date): the sealed name and reply address and the person's pseudonyms go; the
    /// request, its dates and its steps stay as the record of how it was handled.
    pub async fn clear_closed_access_requests(&mut self, tenant: &str, before: &str, at_ms: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE access_requests SET sealed_contact = '', pseudonyms = '{}', updated_at = $1 \
             WHERE tenant_id = $2 AND status IN ('answered', 'refused') AND closed_on < $3 AND sealed_contact <> ''",
        )
        .bind(at_ms)
        .bind(tenant)
        .bind(before)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }

    async fn rows(&mut self, sql: &str, binds: &[String], cols: &[(&str, Ty)]) -> Result<Vec<Value>> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(b.clone());
        }
        q.fetch_all(&mut *self.tx).await?.iter().map(|r| row_json(r, cols)).collect()
    }

    /// Gathers everything held under `keys` in `tenant`. Every pseudonym must be covered
    /// by one of `handles` (read of category "own_data"), issued after the gate's audit.
    pub async fn own_data(
        &mut self,
        handles: &[AccessHandle],
        tenant: &str,
        keys: &OwnDataKeys,
    ) -> Result<OwnDataRows> {
        for subject in keys.all() {
            if !handles.iter().any(|h| h.permits(tenant, "own_data", "read", &subject).is_ok()) {
                return Err(crate::StoreError::Forbidden(format!("no access handle covers subject {subject}")));
            }
        }
        let t = tenant.to_string();
        let mut out = OwnDataRows::default();
        if let Some(es) = &keys.signals_person {
            let own = self
                .rows(
                    &format!(
                        "SELECT {} FROM signals WHERE tenant_id = $1 AND person_pseudonym = $2 ORDER BY signal_date, id",
                        names(SIGNAL, "")
                    ),
                    &[t.clone(), es.clone()],
                    SIGNAL,
                )
                .await?;
            let mut households: Vec<String> =
                own.iter().filter_map(|s| s["household_key"].as_str().map(String::from)).collect();
            households.sort();
            households.dedup();
            out.signals = own;
            if !households.is_empty() {
                let list = placeholders(2, households.len());
                let binds: Vec<String> = std::iter::once(t.clone()).chain(households.iter().cloned()).collect();
                // The household's signals without a person (sent by address only) are about
                // them too; signals of another person in the household are not.
                out.signals.extend(
                    self.rows(
                        &format!(
                            "SELECT {} FROM signals WHERE tenant_id = $1 AND person_pseudonym IS NULL \
                             AND household_key IN ({list}) ORDER BY signal_date, id",
                            names(SIGNAL, "")
                        ),
                        &binds,
                        SIGNAL,
                    )
                    .await?,
                );
                out.signal_cases = self
                    .rows(
                        &format!(
                            "SELECT {} FROM signal_cases WHERE tenant_id = $1 AND id IN (SELECT case_id FROM signals \
                             WHERE tenant_id = $1 AND household_key IN ({list})) ORDER BY opened_on, id",
                            names(CASE, "")
                        ),
                        &binds,
                        CASE,
                    )
                    .await?;
                let case_ids: Vec<String> =
                    out.signal_cases.iter().filter_map(|c| c["id"].as_str().map(String::from)).collect();
                if !case_ids.is_empty() {
                    let list = placeholders(2, case_ids.len());
                    let binds: Vec<String> = std::iter::once(t.clone()).chain(case_ids.iter().cloned()).collect();
                    out.contact_attempts = self
                        .rows(
                            &format!(
                                "SELECT {} FROM contact_attempts WHERE tenant_id = $1 AND case_id IN ({list}) \
                                 ORDER BY attempted_on, id",
                                names(ATTEMPT, "")
                            ),
                            &binds,
                            ATTEMPT,
                        )
                        .await?;
                    out.case_events = self
                        .rows(
                            &format!(
                                "SELECT {} FROM case_events WHERE tenant_id = $1 AND case_id IN ({list}) \
                                 ORDER BY at_ms, id",
                                names(EVENT, "")
                            ),
                            &binds,
                            EVENT,
                        )
                        .await?;
                }
            }
            out.household_keys = households;
        }
        if let Some(ii) = &keys.involvement_person {
            let b = [t.clone(), ii.clone()];
            out.involvements = self
                .rows(
                    &format!(
                        "SELECT {} FROM involvements WHERE tenant_id = $1 AND subject = $2 ORDER BY start_on, id",
                        names(INVOLVEMENT, "")
                    ),
                    &b,
                    INVOLVEMENT,
                )
                .await?;
            out.consents = self
                .rows(
                    &format!(
                        "SELECT {} FROM consents WHERE tenant_id = $1 AND member = $2 ORDER BY given_on, id",
                        names(CONSENT, "")
                    ),
                    &b,
                    CONSENT,
                )
                .await?;
            out.joint_plans = self
                .rows(
                    &format!(
                        "SELECT {} FROM joint_plans WHERE tenant_id = $1 AND member = $2 ORDER BY created_at, id",
                        names(PLAN, "")
                    ),
                    &b,
                    PLAN,
                )
                .await?;
            let plan_ids: Vec<String> =
                out.joint_plans.iter().filter_map(|p| p["id"].as_str().map(String::from)).collect();
            if !plan_ids.is_empty() {
                let list = placeholders(1, plan_ids.len());
                out.plan_items = self
                    .rows(
                        &format!(
                            "SELECT {} FROM plan_items WHERE plan_id IN ({list}) ORDER BY created_at, id",
                            names(ITEM, "")
                        ),
                        &plan_ids,
                        ITEM,
                    )
                    .await?;
                out.zrm_assessments = self
                    .rows(
                        &format!(
                            "SELECT {} FROM zrm_assessments WHERE plan_id IN ({list}) ORDER BY assessed_on, id",
                            names(ZRM, "")
                        ),
                        &plan_ids,
                        ZRM,
                    )
                    .await?;
            }
        }
        if let Some(hp) = &keys.housing_person {
            out.placements = self
                .rows(
                    &format!(
                        "SELECT {} FROM placements WHERE tenant_id = $1 AND household_pseudonym = $2 \
                         ORDER BY placed_on, id",
                        names(PLACEMENT, "")
                    ),
                    &[t.clone(), hp.clone()],
                    PLACEMENT,
                )
                .await?;
        }
        // Who wrote their signals is logged per delivery ("batch:ID"); outreach per household.
        let mut batches: Vec<String> =
            out.signals.iter().filter_map(|s| s["batch_id"].as_str().map(|b| format!("batch:{b}"))).collect();
        batches.sort();
        batches.dedup();
        let subjects: Vec<String> =
            keys.all().into_iter().chain(out.household_keys.iter().cloned()).chain(batches).collect();
        if !subjects.is_empty() {
            let binds: Vec<String> = std::iter::once(t).chain(subjects.iter().cloned()).collect();
            out.audit_entries = self
                .rows(
                    &format!(
                        "SELECT {} FROM audit_log WHERE tenant = $1 AND subject IN ({}) ORDER BY seq",
                        names(AUDIT, ""),
                        placeholders(2, subjects.len())
                    ),
                    &binds,
                    AUDIT,
                )
                .await?;
        }
        Ok(out)
    }

    /// Records a step of a request and its new status, in the transaction that audits it.
    /// Moves a request's due date (an extension of the term) and records the step; false
    /// when the request is no longer in `status`.
    pub async fn extend_access_request(
        &mut self,
        id: &str,
        status: &str,
        due_on: &str,
        note: &str,
        actor: &str,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE access_requests SET due_on = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(due_on.to_string())
            .bind(now)
            .bind(id.to_string())
            .bind(status.to_string())
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO access_request_steps (request_id, at_ms, step, note, actor_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(now)
        .bind("extend".to_string())
        .bind(note.to_string())
        .bind(actor.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(true)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn access_request_step(
        &mut self,
        id: &str,
        from: &[&str],
        status: &str,
        step: &str,
        note: &str,
        actor: &str,
        today: &str,
        now: i64,
    ) -> Result<bool> {
        let allowed = from.iter().map(|s| format!("'{}'", s.replace('\'', ""))).collect::<Vec<_>>().join(", ");
        let closing = matches!(status, "answered" | "refused");
        let done = sqlx::query(&format!(
            "UPDATE access_requests SET status = $1, updated_at = $2, \
             identity_note = CASE WHEN $3 = 'identity_verified' THEN $4 ELSE identity_note END, \
             refusal_reason = CASE WHEN $5 = 'refused' THEN $6 ELSE refusal_reason END, \
             closed_on = CASE WHEN $7 = 1 THEN $8 ELSE closed_on END \
             WHERE id = $9 AND status IN ({allowed})"
        ))
        .bind(status.to_string())
        .bind(now)
        .bind(status.to_string())
        .bind(note.to_string())
        .bind(status.to_string())
        .bind(note.to_string())
        .bind(i64::from(closing))
        .bind(today.to_string())
        .bind(id.to_string())
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO access_request_steps (request_id, at_ms, step, note, actor_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(now)
        .bind(step.to_string())
        .bind(note.to_string())
        .bind(actor.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(true)
    }

    /// Stores a new request with its first step ("received") in this transaction.
    pub async fn add_access_request(&mut self, r: &AccessRequestRecord) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO access_requests ({REQUEST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(r.id.clone())
        .bind(r.tenant_id.clone())
        .bind(r.received_at)
        .bind(r.received_on.clone())
        .bind(r.due_on.clone())
        .bind(r.pseudonyms.clone())
        .bind(r.sealed_contact.clone())
        .bind(r.status.clone())
        .bind(r.identity_note.clone())
        .bind(r.refusal_reason.clone())
        .bind(r.closed_on.clone())
        .bind(r.updated_at)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO access_request_steps (request_id, at_ms, step, note, actor_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(r.id.clone())
        .bind(r.received_at)
        .bind("received".to_string())
        .bind(String::new())
        .bind("resident".to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Requests of a collaboration: open ones first by due date, then closed ones.
    pub async fn access_requests(&self, tenant: &str) -> Result<Vec<AccessRequestRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM access_requests WHERE tenant_id = $1 \
             ORDER BY CASE WHEN status IN ('answered', 'refused') THEN 1 ELSE 0 END, due_on, id"
        ))
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_request).collect()
    }

    pub async fn access_request(&self, id: &str) -> Result<Option<AccessRequestRecord>> {
        let row = sqlx::query(&format!("SELECT {REQUEST_COLUMNS} FROM access_requests WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_request).transpose()
    }

    pub async fn access_request_steps(&self, id: &str) -> Result<Vec<AccessStepRecord>> {
        let rows = sqlx::query(
            "SELECT at_ms, step, note, actor_id FROM access_request_steps WHERE request_id = $1 ORDER BY at_ms, step",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccessStepRecord {
                    at_ms: r.try_get(0)?,
                    step: r.try_get(1)?,
                    note: r.try_get(2)?,
                    actor_id: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Every collaboration (id, name) with a covenant: where a resident can send a
    /// request.
    pub async fn collaborations_for_requests(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT id, name FROM tenants WHERE covenant_id IS NOT NULL ORDER BY name, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// Whether any signal names this person pseudonym (no content): lets the demo pick a
    /// fictional person who has signals.
    pub async fn person_has_signals(&self, tenant: &str, person_pseudonym: &str) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) FROM signals WHERE tenant_id = $1 AND person_pseudonym = $2")
            .bind(tenant.to_string())
            .bind(person_pseudonym.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// How many requests a collaboration has (the demo loads once).
    pub async fn access_request_count(&self, tenant: &str) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM access_requests WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}
