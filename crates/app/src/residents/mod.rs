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
