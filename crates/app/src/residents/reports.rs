//! Public-space reports (meldingen): filed by residents without an account, routed to the
//! responsible organisation, handled against a service level.

use serde::Deserialize;

/// `[residents.reports]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportsConfig {}
