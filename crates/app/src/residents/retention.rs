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

/// Clears everything past its term on `today`.
pub async fn run(app: &App, today: Date) -> Result<Cleared, AppError> {
    let report_contacts = super::reports::anonymise_contacts(app, today).await?;
    let participation_days = app.residents.participation.contact_retention_days;
    let inzage_days = app.residents.inzage.contact_retention_days;
    let initiatives_before = today.add_days(-i64::from(participation_days));
    // Initiatives carry milliseconds: the start of that day, UTC.
    let initiatives_before_ms = initiatives_before.days_since_epoch() * 86_400_000;
    let requests_before = today.add_days(-i64::from(inzage_days)).to_string();
    let answers_days = app.residents.panels.open_answer_retention_days;
    let answers_before = today.add_days(-i64::from(answers_days));
    let answers_before_ms = answers_before.days_since_epoch() * 86_400_000;
    let mut cleared = Cleared { report_contacts, ..Cleared::default() };
    for tenant in app.store.tenant_ids().await? {
        let now = now_ms();
        let mut tx = app.store.begin().await?;
        let initiatives = tx.clear_initiative_contacts(&tenant, initiatives_before_ms, now).await?;
        let requests = tx.clear_closed_access_requests(&tenant, &requests_before, now).await?;
        let answers = tx.clear_open_answers(&tenant, answers_before_ms).await?;
        let by = AuditBy { tenant: &tenant, actor: "system", organisation: "system" };
        if initiatives > 0 {
            let rule = format!(
                "contact of initiatives decided before {initiatives_before} ({participation_days} days): cleared on {initiatives}"
            );
            tx.append_audit(allowed(by, "participation", "purge", "contact", "retention", rule), app.keys.audit())
                .await?;
        }
        if requests > 0 {
            let rule = format!(
                "requester of access requests closed before {requests_before} ({inzage_days} days): cleared on {requests}"
            );
            tx.append_audit(
                allowed(by, "data_subject_access", "purge", "contact", "retention", rule),
                app.keys.audit(),
            )
            .await?;
        }
        if answers > 0 {
            let rule = format!(
                "open-text answers of surveys closed before {answers_before} ({answers_days} days): blanked {answers}"
            );
            tx.append_audit(allowed(by, "panels", "purge", "survey_text", "retention", rule), app.keys.audit()).await?;
        }
        tx.commit().await?;
        cleared.open_answers += answers;
        cleared.initiative_contacts += initiatives;
        cleared.access_requests += requests;
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
