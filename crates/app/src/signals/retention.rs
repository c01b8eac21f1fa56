//! Retention: signals without follow-up are purged with their pseudonym links when the
//! covenant's term ends. The term is the early-signalling purpose's longest term for the
//! categories a signal holds; cases in which help was accepted follow the outreach term.
//! The purge is audited by count, never by content.

use crate::access::gate::{system_access, Request};
use crate::{App, AppError};
use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_domain::access::covenant::{Action, Covenant, DataCategory, Purpose};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::signals::Outcome;
use leefwijk_store::PurgeCounts;

/// The retention term in days of a purpose: the longest of its categories (a record is
/// kept as long as any part of it may be).
pub fn term_days(covenant: &Covenant, purpose: Purpose) -> Option<u32> {
    covenant.terms(purpose).and_then(|t| t.retention_days.values().copied().max())
}

/// Runs retention for one tenant on `today`.
pub async fn run_tenant(app: &App, tenant: &str, today: Date) -> Result<PurgeCounts, AppError> {
    let covenant = app.covenant_of(tenant).await?;
    let Some(signals_term) = term_days(&covenant, Purpose::EarlySignalling) else {
        return Ok(PurgeCounts::default());
    };
    let outreach_term = term_days(&covenant, Purpose::Outreach).unwrap_or(signals_term).max(signals_term);
    let cutoff = today.add_days(-i64::from(signals_term)).to_string();
    let accepted_cutoff = today.add_days(-i64::from(outreach_term)).to_string();
    let rule = format!(
        "retention of {} v{}: early_signalling {signals_term} days, accepted help {outreach_term} days",
        covenant.id, covenant.version
    );
    let request = Request {
        purpose: Purpose::EarlySignalling,
        category: DataCategory::Financial,
        action: Action::Write,
        subject: "retention",
        consent: false,
    };
    let (mut tx, handle) = system_access(
        &app.store,
        &app.keys,
        &covenant,
        tenant,
        &request,
        rule.clone(),
        leefwijk_domain::access::logboek::OperationName::RetentionDeletion,
    )
    .await?;
    let accepted: Vec<&str> = Outcome::ALL.iter().filter(|o| o.accepted_help()).map(|o| o.code()).collect();
    let counts = tx.purge_signals(&handle, tenant, &cutoff, &accepted_cutoff, &accepted).await?;
    let summary = AuditEntry {
        seq: 0,
        at_ms: crate::access::identity::now_ms(),
        tenant: tenant.to_string(),
        actor: "system".into(),
        organisation: "system".into(),
        purpose: "early_signalling".into(),
        action: "purge".into(),
        category: "financial".into(),
        subject: "retention".into(),
        outcome: "allow".into(),
        rule: format!(
            "{rule}; removed {} cases, {} signals, {} contact attempts, {} vault entries",
            counts.cases, counts.signals, counts.attempts, counts.vault_entries
        ),
        prev_hash: String::new(),
        hash: String::new(),
    };
    tx.append_audit(summary, app.keys.audit()).await?;
    tx.commit().await?;
    tracing::info!(tenant, cases = counts.cases, signals = counts.signals, "retention run");
    Ok(counts)
}

/// Runs retention for every tenant that holds signals.
pub async fn run(app: &App, today: Date) -> Result<Vec<(String, PurgeCounts)>, AppError> {
    let mut out = Vec::new();
    for tenant in app.store.tenants_with_signals().await? {
        out.push((tenant.clone(), run_tenant(app, &tenant, today).await?));
    }
    Ok(out)
}
