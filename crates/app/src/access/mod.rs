//! Capability: access. Keys kept outside the database, the audit log's verification,
//! and the covenant in force with the processing register generated from it.

pub mod audit;
pub mod covenant;
pub(crate) mod entropy;
pub mod gate;
pub mod history;
pub mod identity;
pub mod keys;
pub mod logboek;
pub mod login_throttle;
pub mod oidc;
pub mod otlp;
pub mod vault;
