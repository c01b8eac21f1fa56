//! The built-in demo: clearly fictional data, generated deterministically, so the first
//! README command shows every capability working on a machine without any real files.
//! Every capability adds its part here.

mod access;
mod areas;
mod households;
mod housing;
mod programme;
mod residents;
mod signals;

use crate::AppError;
use leefwijk_store::Store;

pub use access::{demo_password, load_access, DemoAccess, DemoLogin, DEMO_TENANT, OTHER_TENANT};
pub use areas::{demo_boundaries, demo_years, DEMO_MUNICIPALITY};
pub use households::load_households;
pub use housing::{load_housing, DEMO_AGREEMENT_TITLE};
pub use programme::{load_programme, DEMO_PROGRAMME_NAME};
pub use residents::load_residents;
pub use signals::{demo_postcodes, fictional_bsn, load_signals};

/// What loading the demo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded {
        years: Vec<i32>,
        areas: usize,
    },
    /// The database already holds figures; the demo never overwrites them.
    SkippedExistingData,
}

/// Loads the demo into an empty database.
pub async fn load(store: &Store) -> Result<DemoOutcome, AppError> {
    // The demo sits beside real figures but never overwrites a demo already loaded.
    let demo = leefwijk_domain::DataSource::fictional_demo();
    if store.data_sources().await?.iter().any(|s| s.id == demo.id) {
        return Ok(DemoOutcome::SkippedExistingData);
    }
    let mut years = Vec::new();
    let mut count = 0;
    for parsed in demo_years() {
        crate::areas::store_kwb(store, &parsed, "demo (fictief)").await?;
        crate::areas::store_boundaries(store, parsed.year, &demo_boundaries(), "demo (fictief)").await?;
        years.push(parsed.year);
        count = parsed.areas.len();
    }
    Ok(DemoOutcome::Loaded { years, areas: count })
}
