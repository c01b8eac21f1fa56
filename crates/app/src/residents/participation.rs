//! Initiatives and participatory budgeting.

use serde::Deserialize;

/// `[residents.participation]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParticipationConfig {}
