//! Residents: the way in for people who live in the area, on a phone and without an
//! account. Public neighbourhood pages, public-space reports (meldingen) with service
//! levels, initiatives with participatory budgeting, panels, and access to one's own data
//! (AVG inzage). Every public form is rate limited per client (see [`limits`]).

pub mod inzage;
pub mod limits;
pub mod neighbourhood;
pub mod panels;
pub mod participation;
pub mod reports;
pub mod retention;

use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_store::User;
use serde::Deserialize;

/// Configuration of the residents capability (`[residents]` in leefwijk.toml).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResidentsConfig {
    /// How often one client may post a public form.
    pub rate_limit: limits::RateLimit,
    /// Public-space reports: service levels, photos, contact retention.
    pub reports: reports::ReportsConfig,
    /// Initiatives and participatory budgeting.
    pub participation: participation::ParticipationConfig,
    /// Panels: disclosure control of survey results, codes per request.
    pub panels: panels::PanelsConfig,
    /// Own-data requests (AVG inzage): the answer term.
    pub inzage: inzage::InzageConfig,
}

/// Who takes an audited step of the residents' capability.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AuditBy<'a> {
    pub tenant: &'a str,
    pub actor: &'a str,
    pub organisation: &'a str,
}

impl<'a> AuditBy<'a> {
    /// A member of staff, in their own collaboration.
    pub(crate) fn staff(user: &'a User) -> AuditBy<'a> {
        AuditBy { tenant: &user.tenant_id, actor: &user.id, organisation: &user.organisation_id }
    }
}

/// An allowed step for the audit log (the chain fills in sequence and hashes). The
/// residents' parts record their reads and changes beside the covenant gate, which has no
/// purpose for them yet.
pub(crate) fn allowed(
    by: AuditBy<'_>,
    purpose: &str,
    action: &str,
    category: &str,
    subject: &str,
    rule: String,
) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at_ms: crate::access::identity::now_ms(),
        tenant: by.tenant.to_string(),
        actor: by.actor.to_string(),
        organisation: by.organisation.to_string(),
        purpose: purpose.to_string(),
        action: action.to_string(),
        category: category.to_string(),
        subject: subject.to_string(),
        outcome: "allow".to_string(),
        rule,
        prev_hash: String::new(),
        hash: String::new(),
    }
}
