//! Retention of what residents left with the collaboration, run by `leefwijk retention run`
//! and the server's daily job: report contacts after handling ([`super::reports`]), the
//! proposer's contact of decided initiatives, who asked in closed access requests, and the
//! open-text answers of closed surveys.
//! Every clearing is audited by count per collaboration, never by content.

use super::{allowed, AuditBy};
use crate::access::identity::now_ms;
use crate::{App, AppError};
use leefwijk_domain::calendar::Date;

/// What one run cleared, over all collaborations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleared {
    /// Handled public-space reports whose contact details were anonymised.
    pub report_contacts: u64,
    /// Decided initiatives whose proposer's contact was cleared.
    pub initiative_contacts: u64,
    /// Closed access requests whose requester (name, address, pseudonyms) was cleared.
    pub access_requests: u64,
    /// Open-text answers of closed surveys that were blanked.
    pub open_answers: u64,
}

/// The first day still kept under a term of `days`, and the start of that day (UTC) in
/// milliseconds, for records stamped by the clock.
fn cutoff(today: Date, days: u32) -> (Date, i64) {
    let day = today.add_days(-i64::from(days));
    (day, day.days_since_epoch() * 86_400_000)
}

/// Clears everything past its term on `today`.
pub async fn run(app: &App, today: Date) -> Result<Cleared, AppError> {
    let report_contacts = super::reports::anonymise_contacts(app, today).await?;
    let config = &app.residents;
    let (initiative_days, request_days, answer_days) = (
        config.participation.contact_retention_days,
        config.inzage.contact_retention_days,
        config.panels.open_answer_retention_days,
    );
    let (initiatives_before, initiatives_before_ms) = cutoff(today, initiative_days);
    let (requests_before, _) = cutoff(today, request_days);
    let (answers_before, answers_before_ms) = cutoff(today, answer_days);
    let mut cleared = Cleared { report_contacts, ..Cleared::default() };
    for tenant in app.store.tenant_ids().await? {
        let now = now_ms();
        let mut tx = app.store.begin().await?;
        let initiatives = tx.clear_initiative_contacts(&tenant, initiatives_before_ms, now).await?;
        let requests = tx.clear_closed_access_requests(&tenant, &requests_before.to_string(), now).await?;
        let answers = tx.clear_open_answers(&tenant, answers_before_ms).await?;
        let by = AuditBy { tenant: &tenant, actor: "system", organisation: "system" };
        // Each clearing audited by count, under its own purpose, when it cleared anything.
        let audited = [
            (
                initiatives,
                "participation",
                "contact",
                format!(
                    "contact of initiatives decided before {initiatives_before} ({initiative_days} days): cleared on {initiatives}"
                ),
            ),
            (
                requests,
                "data_subject_access",
                "contact",
                format!(
                    "requester of access requests closed before {requests_before} ({request_days} days): cleared on {requests}"
                ),
            ),
            (
                answers,
                "panels",
                "survey_text",
                format!("open-text answers of surveys closed before {answers_before} ({answer_days} days): blanked {answers}"),
            ),
        ];
        for (count, purpose, category, rule) in audited {
            if count > 0 {
                let entry = allowed(by, purpose, "purge", category, "retention", rule);
                crate::access::logboek::audit_and_log(
                    &mut tx,
                    app.keys.audit(),
                    entry,
                    leefwijk_domain::access::logboek::OperationName::RetentionDeletion,
                )
                .await?;
            }
        }
        tx.commit().await?;
        cleared.initiative_contacts += initiatives;
        cleared.access_requests += requests;
        cleared.open_answers += answers;
    }
    tracing::info!(
        reports = cleared.report_contacts,
        initiatives = cleared.initiative_contacts,
        access_requests = cleared.access_requests,
        open_answers = cleared.open_answers,
        "residents' retention run"
    );
    Ok(cleared)
}
