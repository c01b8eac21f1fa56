//! Leefwijk's use cases, one module per capability. The web layer talks to these, never
//! to storage directly.

pub mod access;
pub mod areas;
pub mod demo;

use leefwijk_domain::pressure::PressureConfig;
use leefwijk_store::{Store, StoreError};
use std::sync::Arc;

/// Application errors with stable codes; the web layer maps them to problem+json.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("no figures have been imported yet: run `leefwijk import cbs-kwb FILE` or start with --demo")]
    NoData,
    #[error("import rejected: {0}")]
    Import(#[from] areas::import_kwb::KwbError),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A stable, machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::NoData => "no_data",
            AppError::Import(_) => "import_rejected",
            AppError::Store(_) => "storage",
            AppError::Internal(_) => "internal",
        }
    }
}

/// Everything the web layer needs, cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub monitor: Arc<areas::monitor::Monitor>,
}

impl App {
    pub fn new(store: Store, pressure: PressureConfig) -> App {
        App { monitor: Arc::new(areas::monitor::Monitor::new(store.clone(), pressure)), store }
    }
}

/// Shared fixtures for tests of this and higher crates.
pub mod testing {
    use super::App;
    use leefwijk_domain::pressure::PressureConfig;

    /// The database URLs of the backends under test (SQLite, plus PostgreSQL when configured).
    pub use leefwijk_store::testing::backend_urls;

    /// A fresh store on the backend, with the demo loaded, wrapped as an App.
    pub async fn demo_app(backend_url: &str) -> App {
        let store = leefwijk_store::testing::fresh_store(backend_url)
            .await
            .unwrap_or_else(|e| panic!("test store on {backend_url}: {e}"));
        crate::demo::load(&store).await.unwrap_or_else(|e| panic!("demo on {backend_url}: {e}"));
        App::new(store, PressureConfig::default())
    }

    /// A fresh, empty store wrapped as an App.
    pub async fn empty_app(backend_url: &str) -> App {
        let store = leefwijk_store::testing::fresh_store(backend_url)
            .await
            .unwrap_or_else(|e| panic!("test store on {backend_url}: {e}"));
        App::new(store, PressureConfig::default())
    }
}
