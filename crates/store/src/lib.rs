//! Storage of Leefwijk: one [`Store`] over SQLite (embedded default) or PostgreSQL
//! (production), with the same SQL text for both where possible and versioned,
//! forward-only migrations per backend with the same numbers.

mod areas;
mod audit;
mod db;
mod households;
mod housing;
mod identity;
mod logboek;
mod programme;
mod residents;
mod signals;
pub mod testing;

pub use areas::{AreaRecord, ImportRecord, ShapeRecord, YearFigures};
pub use audit::AuditFilter;
pub use db::{Backend, Store, StoreTx, SQLITE_PRAGMAS};
pub use households::{
    AssessmentRecord, ConsentRecord, InvolvementRecord, MatchRecord, NoticeRecord, PlanItemRecord, PlanRecordJoint,
    TimelineSignal,
};
pub use housing::{AgreementRecord, ContingentRecord, PlacementRecord, PlanRecord, RegionRecord, SupportRecord};
pub use identity::{AccessHandle, ApiClient, OidcFlow, Organisation, Session, SignalAccess, Tenant, User};
pub use programme::{CommitmentRecord, GoalRecord, InterventionRecord, LedgerRow, PartyRecord, ProgrammeRecord};
#[allow(unused_imports)]
pub use residents::*;
pub use signals::{
    AttemptRecord, BatchOutcome, BatchRecord, CaseEvent, CaseFactRow, CaseRecord, FeedbackRecord, PriorRecord,
    PurgeCounts, RoutingRuleRecord, SignalRecord,
};

/// Storage failures. Callers map these to their own errors; none carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
