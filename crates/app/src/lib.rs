//! Leefwijk's use cases, one module per capability. The web layer talks to these, never
//! to storage directly.

pub mod access;
/// Records the web layer shows; it never talks to storage itself.
pub use leefwijk_store::{ApiClient, AuditFilter, RoutingRuleRecord, User};
pub mod areas;
pub mod demo;
pub mod households;
pub mod housing;
pub mod programme;
pub mod publication;
pub mod residents;
pub mod signals;
pub mod start;

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
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
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
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
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
    pub keys: Arc<access::keys::KeyRing>,
    pub oidc: Arc<access::oidc::Oidc>,
    pub signals: Arc<signals::SignalsConfig>,
    pub mail: Arc<households::notify::MailSender>,
    pub residents: Arc<residents::ResidentsConfig>,
    /// Counters of the public forms' rate limit, shared by all requests.
    pub limiter: Arc<residents::limits::RateLimiter>,
    /// Failed password logins per username and address, and per address.
    pub login_throttle: Arc<access::login_throttle::LoginThrottle>,
    /// The API's cross-origin policy.
    pub api: Arc<ApiConfig>,
}

/// `[api]` in leefwijk.toml.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Origins whose web pages may call the API from a browser (CORS), such as
    /// `https://dashboard.gemeente.nl`. Default: none, so browsers allow only pages of
    /// Leefwijk itself; systems that call the API directly (not from a browser) need none.
    pub cors_allowed_origins: Vec<String>,
    /// Who answers questions about this installation's API, shown in the served OpenAPI
    /// document's `info.contact` (the NL API Design Rules ask for name, URL and e-mail).
    /// Default: the placeholder of the committed document.
    pub contact_name: Option<String>,
    pub contact_url: Option<String>,
    pub contact_email: Option<String>,
}

impl App {
    pub fn new(store: Store, pressure: PressureConfig, keys: access::keys::KeyRing) -> App {
        App {
            monitor: Arc::new(areas::monitor::Monitor::new(store.clone(), pressure)),
            store,
            keys: Arc::new(keys),
            oidc: Arc::new(access::oidc::Oidc::default()),
            signals: Arc::new(signals::SignalsConfig::default()),
            mail: Arc::new(households::notify::MailSender::default()),
            residents: Arc::new(residents::ResidentsConfig::default()),
            limiter: Arc::new(residents::limits::RateLimiter::default()),
            login_throttle: Arc::new(access::login_throttle::LoginThrottle::default()),
            api: Arc::new(ApiConfig::default()),
        }
    }

    /// Sets the API's cross-origin policy.
    pub fn with_api(mut self, config: ApiConfig) -> App {
        self.api = Arc::new(config);
        self
    }

    /// Sets how notices are sent by e-mail.
    pub fn with_mail(mut self, sender: households::notify::MailSender) -> App {
        self.mail = Arc::new(sender);
        self
    }

    /// Sets the residents' configuration (rate limits, service levels, participation).
    pub fn with_residents(mut self, config: residents::ResidentsConfig) -> App {
        self.residents = Arc::new(config);
        self
    }

    /// Sets the early-signalling configuration (deadlines, disclosure control, clock).
    pub fn with_signals(mut self, config: signals::SignalsConfig) -> App {
        self.signals = Arc::new(config);
        self
    }

    /// Adds single sign-on providers.
    pub fn with_oidc(mut self, oidc: access::oidc::Oidc) -> App {
        self.oidc = Arc::new(oidc);
        self
    }

    /// The covenant in force for a tenant.
    pub async fn covenant_of(&self, tenant_id: &str) -> Result<leefwijk_domain::access::covenant::Covenant, AppError> {
        let tenant =
            self.store.tenant(tenant_id).await?.ok_or_else(|| AppError::NotFound(format!("tenant {tenant_id}")))?;
        let id = tenant.covenant_id.ok_or_else(|| {
            AppError::Forbidden(format!(
                "collaboration {tenant_id} has no covenant: load one with `leefwijk covenant load FILE`"
            ))
        })?;
        access::covenant::in_force(&self.store, &id)
            .await?
            .ok_or_else(|| AppError::Forbidden(format!("covenant {id} is not loaded")))
    }
}

/// Shared fixtures for tests of this and higher crates.
pub mod testing {
    use super::App;
    use leefwijk_domain::pressure::PressureConfig;

    /// The database URLs of the backends under test (SQLite, plus PostgreSQL when configured).
    pub use leefwijk_store::testing::backend_urls;

    async fn store(backend_url: &str) -> leefwijk_store::Store {
        leefwijk_store::testing::fresh_store(backend_url)
            .await
            .unwrap_or_else(|e| panic!("test store on {backend_url}: {e}"))
    }

    /// A fresh key directory in the temp dir.
    pub fn test_keys() -> crate::access::keys::KeyRing {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "leefwijk-test-keys-{}-{n}-{}",
            std::process::id(),
            crate::access::identity::now_ms()
        ));
        crate::access::keys::KeyRing::open(&dir).unwrap_or_else(|e| panic!("test keys: {e}"))
    }

    /// A fresh store on the backend with the whole demo (figures, organisations, users,
    /// covenant), wrapped as an App; plus the demo's credentials.
    pub async fn demo_app_with_credentials(backend_url: &str) -> (App, crate::demo::DemoAccess) {
        let store = store(backend_url).await;
        crate::demo::load(&store).await.unwrap_or_else(|e| panic!("demo on {backend_url}: {e}"));
        let access =
            crate::demo::load_access(&store).await.unwrap_or_else(|e| panic!("demo access on {backend_url}: {e}"));
        (App::new(store, PressureConfig::default(), test_keys()), access)
    }

    /// A fresh store on the backend with the whole demo, wrapped as an App.
    pub async fn demo_app(backend_url: &str) -> App {
        demo_app_with_credentials(backend_url).await.0
    }

    /// The demo as `serve --demo` loads it: figures and access, plus the signals, housing,
    /// households, programme and residents' records of every capability.
    pub async fn full_demo_app(backend_url: &str) -> App {
        let app = demo_app(backend_url).await;
        crate::demo::load_signals(&app).await.unwrap_or_else(|e| panic!("demo signals on {backend_url}: {e}"));
        crate::demo::load_housing(&app).await.unwrap_or_else(|e| panic!("demo housing on {backend_url}: {e}"));
        crate::demo::load_households(&app).await.unwrap_or_else(|e| panic!("demo households on {backend_url}: {e}"));
        crate::demo::load_programme(&app).await.unwrap_or_else(|e| panic!("demo programme on {backend_url}: {e}"));
        crate::demo::load_residents(&app).await.unwrap_or_else(|e| panic!("demo residents on {backend_url}: {e}"));
        app
    }

    /// A fresh, empty store wrapped as an App.
    pub async fn empty_app(backend_url: &str) -> App {
        App::new(store(backend_url).await, PressureConfig::default(), test_keys())
    }
}
