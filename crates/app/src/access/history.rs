//! A data subject's processing history from the Logboek Dataverwerkingen: which
//! organisation processed their data, when, for which purpose and in which operation
//! (AVG art. 15(1)(c): the recipients). For the privacy officer of the collaboration only.
//!
//! The officer types the BSN from the person's ID document; it becomes the person's
//! pseudonyms under each purpose key at once and is never stored or logged. The history
//! covers the person's pseudonyms and the households their signals were filed under
//! (outreach reads a household, not a person). Looking the history up is itself a
//! processing of personal data: audited and written to the Logboek.

use crate::{App, AppError};
use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_domain::access::bsn::Bsn;
use leefwijk_domain::access::logboek::{Operation, OperationName};
use leefwijk_store::User;
use serde::Serialize;
use std::collections::BTreeMap;

/// The audit purpose of the lookup: the controller's duty towards the data subject.
pub const AUDIT_PURPOSE: &str = "data_subject_access";
/// At most this many operations in one history.
const LIMIT: i64 = 10_000;

/// One operation as the data subject's history shows it: the standard's fields plus the
/// names a person can read.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = ProcessingHistoryLine)]
pub struct HistoryLine {
    pub trace_id: String,
    pub operation_id: String,
    pub parent_operation_id: Option<String>,
    /// The calling operation at another organisation, as `trace_id`, `operation_id`,
    /// `entity`.
    pub foreign_operation: Option<ForeignLine>,
    /// The standard's operation name (Dutch).
    pub name: String,
    /// `STATUS_CODE_OK` and so on.
    pub status_code: String,
    /// Start and end, milliseconds since 1970 UTC.
    pub start_time: i64,
    pub end_time: i64,
    pub processing_activity_id: String,
    /// The pseudonym the operation was logged under (never a BSN).
    pub data_subject_id: Option<String>,
    /// The organisation that processed the data, by name.
    pub organisation: String,
    /// The purpose, by its name in the processing register.
    pub purpose: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = ProcessingForeignOperation)]
pub struct ForeignLine {
    pub trace_id: String,
    pub operation_id: String,
    pub entity: String,
}

/// The purpose code at the end of a processing activity URI, by its register name.
fn purpose_name(activity: &str) -> String {
    match leefwijk_domain::access::logboek::activity_purpose(activity) {
        Some(p) => p.label_nl().to_string(),
        None if leefwijk_domain::access::logboek::activity_code(activity) == AUDIT_PURPOSE => {
            "Inzage door de betrokkene (AVG art. 15)".to_string()
        }
        None => leefwijk_domain::access::logboek::activity_code(activity).to_string(),
    }
}

/// The history lines of these operations, with organisation names of the collaboration.
pub async fn lines(app: &App, tenant: &str, ops: Vec<Operation>) -> Result<Vec<HistoryLine>, AppError> {
    let names: BTreeMap<String, String> =
        app.store.organisations(tenant).await?.into_iter().map(|o| (o.id, o.name)).collect();
    Ok(ops
        .into_iter()
        .map(|op| HistoryLine {
            trace_id: op.trace_id.to_hex(),
            operation_id: op.operation_id.to_hex(),
            parent_operation_id: op.parent_operation_id.map(|p| p.to_hex()),
            foreign_operation: op.foreign_operation.as_ref().map(|f| ForeignLine {
                trace_id: f.trace_id.to_hex(),
                operation_id: f.operation_id.to_hex(),
                entity: f.entity.clone(),
            }),
            name: op.name.code().to_string(),
            status_code: serde_json::to_value(op.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            start_time: op.start_ms,
            end_time: op.end_ms,
            purpose: purpose_name(&op.processing_activity_id),
            processing_activity_id: op.processing_activity_id,
            data_subject_id: op.data_subject_id,
            organisation: match op.organisation.as_str() {
                "system" => "Leefwijk (automatisch)".to_string(),
                id => names.get(id).cloned().unwrap_or_else(|| id.to_string()),
            },
        })
        .collect())
}

/// The data subjects of a person's history: their pseudonyms `persons` and the
/// households their signals were filed under. The caller holds the access handles.
pub(crate) async fn subjects_of(
    tx: &mut leefwijk_store::StoreTx,
    handles: &[leefwijk_store::AccessHandle],
    tenant: &str,
    persons: &[String],
) -> Result<Vec<String>, AppError> {
    let mut subjects: Vec<String> = persons.to_vec();
    for person in persons {
        if let Some(handle) = handles.iter().find(|h| h.covers_subject(person)) {
            subjects.extend(tx.households_of_person(handle, tenant, person).await?);
        }
    }
    subjects.sort();
    subjects.dedup();
    Ok(subjects)
}

/// The Logboek operations on these data subjects, oldest first.
pub(crate) async fn operations_on(app: &App, tenant: &str, subjects: &[String]) -> Result<Vec<Operation>, AppError> {
    Ok(app.store.processing_of_subjects(tenant, subjects, LIMIT).await?)
}

/// The processing history of the person with this BSN in the officer's collaboration.
pub async fn subject_history(app: &App, user: &User, bsn: &str) -> Result<Vec<HistoryLine>, AppError> {
    if user.role != "privacy_officer" {
        return Err(AppError::Forbidden(
            "only the privacy officer (functionaris gegevensbescherming) looks up a person's processing history".into(),
        ));
    }
    let bsn = Bsn::parse(bsn).map_err(|e| AppError::BadRequest(format!("bsn: {e}")))?;
    let persons: Vec<String> =
        crate::residents::inzage::pseudonyms(app, &user.tenant_id, &bsn)?.into_values().collect();
    let covenant = app.covenant_of(&user.tenant_id).await.ok();
    let start_ms = crate::access::identity::now_ms();
    let mut tx = app.store.begin().await?;
    let mut handles = Vec::with_capacity(persons.len());
    for subject in &persons {
        let entry = AuditEntry {
            seq: 0,
            at_ms: start_ms,
            tenant: user.tenant_id.clone(),
            actor: user.id.clone(),
            organisation: user.organisation_id.clone(),
            purpose: AUDIT_PURPOSE.into(),
            action: "read".into(),
            category: "processing_log".into(),
            subject: subject.clone(),
            outcome: "allow".into(),
            rule: "AVG art. 15: verwerkingsgeschiedenis opgevraagd door de functionaris gegevensbescherming".into(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        let p = super::logboek::Processing {
            tenant: &user.tenant_id,
            organisation: &user.organisation_id,
            name: OperationName::Read,
            purpose: AUDIT_PURPOSE,
            covenant: covenant.as_ref(),
            subject,
            start_ms,
        };
        let op = super::logboek::operation(&mut tx, p, None).await?;
        handles.push(tx.issue_access(entry, app.keys.audit(), op).await?);
    }
    let subjects = subjects_of(&mut tx, &handles, &user.tenant_id, &persons).await?;
    tx.commit().await?;
    // Read after the commit: the lookup just written is part of the history too.
    let ops = operations_on(app, &user.tenant_id, &subjects).await?;
    lines(app, &user.tenant_id, ops).await
}
