//! Storage of public-space reports (meldingen), their history and routing rules.
//!
//! The rules (status transitions, service levels, who may change what) are checked by
//! the caller; writes that change a report go through a [`StoreTx`] so the change and its
//! audit entry commit together.

use crate::{Result, Store, StoreError, StoreTx};
use sqlx::Row;

/// One report as stored. Contact fields are `None` when not given or anonymised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    pub id: String,
    pub tenant_id: String,
    pub organisation_id: String,
    /// Subcategory code, such as "verval.zwerfafval".
    pub category: String,
    pub top_category: String,
    pub buurt_code: String,
    pub postcode: Option<String>,
    pub house_number: Option<i64>,
    /// "lat,lon" in WGS84 degrees.
    pub point: Option<String>,
    pub location_note: Option<String>,
    pub description: String,
    pub status: String,
    /// YYYY-MM-DD of filing (the service-level clock starts here).
    pub filed_on: String,
    /// YYYY-MM-DD of the last status change.
    pub status_on: String,
    /// SHA-256 (hex) of the private status token.
    pub token_hash: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_anonymised_at: Option<i64>,
    /// 1 (very unhappy) to 5 (very happy).
    pub satisfaction: Option<i64>,
    pub satisfaction_comment: Option<String>,
    pub satisfaction_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One status change of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEventRecord {
    pub seq: i64,
    pub at_ms: i64,
    pub on_date: String,
    pub status: String,
    pub text: String,
    pub actor_id: String,
}

/// A routing rule: reports of `category` (a top category; `None` for all) in `area_code`
/// go to `organisation_id` of `tenant_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRouteRecord {
    pub id: String,
    pub tenant_id: String,
    pub area_code: String,
    pub category: Option<String>,
    pub organisation_id: String,
    pub created_at: i64,
}

/// How many reports of a top category are in a status, for summaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCountRow {
    pub top_category: String,
    pub status: String,
    pub count: i64,
}

const REPORT_COLUMNS: &str = "id, tenant_id, organisation_id, category, top_category, buurt_code, postcode, \
    house_number, point, location_note, description, status, filed_on, status_on, token_hash, contact_name, \
    contact_email, contact_phone, contact_anonymised_at, satisfaction, satisfaction_comment, satisfaction_at, \
    created_at, updated_at";

fn decode_report(r: &sqlx::any::AnyRow) -> Result<ReportRecord> {
    Ok(ReportRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        organisation_id: r.try_get(2)?,
        category: r.try_get(3)?,
        top_category: r.try_get(4)?,
        buurt_code: r.try_get(5)?,
        postcode: r.try_get(6)?,
        house_number: r.try_get(7)?,
        point: r.try_get(8)?,
        location_note: r.try_get(9)?,
        description: r.try_get(10)?,
        status: r.try_get(11)?,
        filed_on: r.try_get(12)?,
        status_on: r.try_get(13)?,
        token_hash: r.try_get(14)?,
        contact_name: r.try_get(15)?,
        contact_email: r.try_get(16)?,
        contact_phone: r.try_get(17)?,
        contact_anonymised_at: r.try_get(18)?,
        satisfaction: r.try_get(19)?,
        satisfaction_comment: r.try_get(20)?,
        satisfaction_at: r.try_get(21)?,
        created_at: r.try_get(22)?,
        updated_at: r.try_get(23)?,
    })
}

fn decode_event(r: &sqlx::any::AnyRow) -> Result<ReportEventRecord> {
    Ok(ReportEventRecord {
        seq: r.try_get(0)?,
        at_ms: r.try_get(1)?,
        on_date: r.try_get(2)?,
        status: r.try_get(3)?,
        text: r.try_get(4)?,
        actor_id: r.try_get(5)?,
    })
}

fn decode_route(r: &sqlx::any::AnyRow) -> Result<ReportRouteRecord> {
    Ok(ReportRouteRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        area_code: r.try_get(2)?,
        category: r.try_get(3)?,
        organisation_id: r.try_get(4)?,
        created_at: r.try_get(5)?,
    })
}

const ROUTE_COLUMNS: &str = "id, tenant_id, area_code, category, organisation_id, created_at";

impl Store {
    /// The buurt boundaries of a year whose codes start with one of `prefixes` (such as
    /// "BU0363" for a municipality's buurten), for placing a point in its buurt. Read from
    /// the areas' table directly: the areas module only lists shapes within a parent.
    pub async fn buurt_shapes(&self, year: i32, prefixes: &[String]) -> Result<Vec<crate::ShapeRecord>> {
        if prefixes.is_empty() {
            return Ok(Vec::new());
        }
        let likes: Vec<String> = (0..prefixes.len()).map(|i| format!("code LIKE ${}", i + 2)).collect();
        let sql = format!(
            "SELECT code, shape FROM area_shapes WHERE year = $1 AND kind = 'buurt' AND ({}) ORDER BY code",
            likes.join(" OR ")
        );
        let mut q = sqlx::query(&sql).bind(i64::from(year));
        for p in prefixes {
            q = q.bind(format!("{p}%"));
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let raw: String = r.try_get(0)?;
                let code = leefwijk_domain::AreaCode::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let json: String = r.try_get(1)?;
                let shape =
                    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("shape of {code}: {e}")))?;
                Ok(crate::ShapeRecord { code, shape })
            })
            .collect()
    }

    /// The areas that have a report routing rule, of every collaboration.
    pub async fn report_route_areas(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT area_code FROM report_routes ORDER BY area_code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// A report by the hash of its status token (the reporter's private link).
    pub async fn report_by_token_hash(&self, token_hash: &str) -> Result<Option<ReportRecord>> {
        let row = sqlx::query(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE token_hash = $1"))
            .bind(token_hash.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_report).transpose()
    }

    /// A report of a collaboration by id.
    pub async fn report(&self, tenant: &str, id: &str) -> Result<Option<ReportRecord>> {
        let row = sqlx::query(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE tenant_id = $1 AND id = $2"))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_report).transpose()
    }

    /// The reports an organisation handles, oldest first (the longest waiting on top).
    pub async fn reports_of_organisation(&self, tenant: &str, organisation: &str) -> Result<Vec<ReportRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE tenant_id = $1 AND organisation_id = $2 \
             ORDER BY filed_on, created_at, id"
        ))
        .bind(tenant.to_string())
        .bind(organisation.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_report).collect()
    }

    /// Reports of a top category filed on or after `since` (YYYY-MM-DD), for the
    /// "similar reports nearby" hint.
    pub async fn reports_since(&self, top_category: &str, since: &str) -> Result<Vec<ReportRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE top_category = $1 AND filed_on >= $2 ORDER BY filed_on DESC, id"
        ))
        .bind(top_category.to_string())
        .bind(since.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_report).collect()
    }

    /// Counts per top category and status of reports in buurten whose code starts with
    /// `buurt_prefix`, filed on or after `since`.
    pub async fn report_counts(&self, buurt_prefix: &str, since: &str) -> Result<Vec<ReportCountRow>> {
        let rows = sqlx::query(
            "SELECT top_category, status, COUNT(*) FROM reports WHERE buurt_code LIKE $1 AND filed_on >= $2 \
             GROUP BY top_category, status ORDER BY top_category, status",
        )
        .bind(format!("{buurt_prefix}%"))
        .bind(since.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(ReportCountRow { top_category: r.try_get(0)?, status: r.try_get(1)?, count: r.try_get(2)? }))
            .collect()
    }

    pub async fn report_events(&self, report_id: &str) -> Result<Vec<ReportEventRecord>> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, on_date, status, text, actor_id FROM report_events WHERE report_id = $1 ORDER BY seq",
        )
        .bind(report_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_event).collect()
    }

    /// The history of every report of an organisation, by report id: one query for the
    /// handling list's clocks instead of one per report.
    pub async fn report_events_of_organisation(
        &self,
        tenant: &str,
        organisation: &str,
    ) -> Result<std::collections::HashMap<String, Vec<ReportEventRecord>>> {
        let rows = sqlx::query(
            "SELECT e.seq, e.at_ms, e.on_date, e.status, e.text, e.actor_id, e.report_id FROM report_events e \
             JOIN reports r ON r.id = e.report_id WHERE r.tenant_id = $1 AND r.organisation_id = $2 \
             ORDER BY e.report_id, e.seq",
        )
        .bind(tenant.to_string())
        .bind(organisation.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: std::collections::HashMap<String, Vec<ReportEventRecord>> = std::collections::HashMap::new();
        for r in &rows {
            let id: String = r.try_get(6)?;
            out.entry(id).or_default().push(decode_event(r)?);
        }
        Ok(out)
    }

    /// The photo of a report: its MIME type and bytes.
    pub async fn report_photo(&self, report_id: &str) -> Result<Option<(String, Vec<u8>)>> {
        let row = sqlx::query("SELECT mime, bytes FROM report_photos WHERE report_id = $1")
            .bind(report_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    /// Whether any report exists (the demo loads once).
    pub async fn report_count(&self, tenant: &str) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM reports WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn tenants_with_reports(&self) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT DISTINCT tenant_id FROM reports ORDER BY tenant_id").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Routing rules whose area is one of `area_codes`, of every collaboration.
    pub async fn report_routes_for(&self, area_codes: &[String]) -> Result<Vec<ReportRouteRecord>> {
        if area_codes.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=area_codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {ROUTE_COLUMNS} FROM report_routes WHERE area_code IN ({}) ORDER BY created_at, id",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for c in area_codes {
            q = q.bind(c.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(decode_route).collect()
    }

    pub async fn report_routes(&self, tenant: &str) -> Result<Vec<ReportRouteRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {ROUTE_COLUMNS} FROM report_routes WHERE tenant_id = $1 ORDER BY area_code, category, id"
        ))
        .bind(tenant.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_route).collect()
    }

    pub async fn add_report_route(&self, r: &ReportRouteRecord) -> Result<()> {
        sqlx::query(&format!("INSERT INTO report_routes ({ROUTE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"))
            .bind(r.id.clone())
            .bind(r.tenant_id.clone())
            .bind(r.area_code.clone())
            .bind(r.category.clone())
            .bind(r.organisation_id.clone())
            .bind(r.created_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_report_route(&self, tenant: &str, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM report_routes WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

impl StoreTx {
    /// Stores a new report with its first history entry and its photo (if any).
    pub async fn insert_report(
        &mut self,
        r: &ReportRecord,
        first: &ReportEventRecord,
        photo: Option<(&str, &[u8])>,
    ) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO reports ({REPORT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
             $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"
        ))
        .bind(r.id.clone())
        .bind(r.tenant_id.clone())
        .bind(r.organisation_id.clone())
        .bind(r.category.clone())
        .bind(r.top_category.clone())
        .bind(r.buurt_code.clone())
        .bind(r.postcode.clone())
        .bind(r.house_number)
        .bind(r.point.clone())
        .bind(r.location_note.clone())
        .bind(r.description.clone())
        .bind(r.status.clone())
        .bind(r.filed_on.clone())
        .bind(r.status_on.clone())
        .bind(r.token_hash.clone())
        .bind(r.contact_name.clone())
        .bind(r.contact_email.clone())
        .bind(r.contact_phone.clone())
        .bind(r.contact_anonymised_at)
        .bind(r.satisfaction)
        .bind(r.satisfaction_comment.clone())
        .bind(r.satisfaction_at)
        .bind(r.created_at)
        .bind(r.updated_at)
        .execute(&mut *self.tx)
        .await?;
        self.insert_report_event(&r.id, first).await?;
        if let Some((mime, bytes)) = photo {
            sqlx::query("INSERT INTO report_photos (report_id, mime, bytes, created_at) VALUES ($1, $2, $3, $4)")
                .bind(r.id.clone())
                .bind(mime.to_string())
                .bind(bytes.to_vec())
                .bind(r.created_at)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Appends a history entry as given (its seq included); for imports and the demo.
    pub async fn insert_report_event(&mut self, report_id: &str, e: &ReportEventRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO report_events (report_id, seq, at_ms, on_date, status, text, actor_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(report_id.to_string())
        .bind(e.seq)
        .bind(e.at_ms)
        .bind(e.on_date.clone())
        .bind(e.status.clone())
        .bind(e.text.clone())
        .bind(e.actor_id.clone())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Moves a report from `from` to the event's status; false when it was no longer in
    /// `from` (someone else changed it first), and then nothing is written.
    pub async fn change_report_status(&mut self, report_id: &str, from: &str, e: &ReportEventRecord) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE reports SET status = $1, status_on = $2, updated_at = $3 WHERE id = $4 AND status = $5",
        )
        .bind(e.status.clone())
        .bind(e.on_date.clone())
        .bind(e.at_ms)
        .bind(report_id.to_string())
        .bind(from.to_string())
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM report_events WHERE report_id = $1")
            .bind(report_id.to_string())
            .fetch_one(&mut *self.tx)
            .await?;
        let seq: i64 = row.try_get(0)?;
        self.insert_report_event(report_id, &ReportEventRecord { seq: seq + 1, ..e.clone() }).await?;
        Ok(true)
    }

    /// Records the satisfaction answer once, on a closed report; false when the report
    /// is not closed or already answered.
    pub async fn answer_report_satisfaction(
        &mut self,
        report_id: &str,
        score: i64,
        comment: Option<&str>,
        at_ms: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE reports SET satisfaction = $1, satisfaction_comment = $2, satisfaction_at = $3, updated_at = $3 \
             WHERE id = $4 AND status = 'closed' AND satisfaction IS NULL",
        )
        .bind(score)
        .bind(comment.map(String::from))
        .bind(at_ms)
        .bind(report_id.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Clears the contact details of a collaboration's reports closed or cancelled before
    /// `before` (YYYY-MM-DD); returns how many reports were anonymised.
    pub async fn anonymise_report_contacts(&mut self, tenant: &str, before: &str, at_ms: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE reports SET contact_name = NULL, contact_email = NULL, contact_phone = NULL, \
             contact_anonymised_at = $1, updated_at = $1 \
             WHERE tenant_id = $2 AND status IN ('closed', 'cancelled') AND status_on < $3 \
             AND contact_anonymised_at IS NULL \
             AND (contact_name IS NOT NULL OR contact_email IS NOT NULL OR contact_phone IS NOT NULL)",
        )
        .bind(at_ms)
        .bind(tenant.to_string())
        .bind(before.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }
}
