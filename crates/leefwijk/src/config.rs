//! Configuration: defaults → leefwijk.toml → LEEFWIJK_* environment → command-line flags.

use anyhow::{Context, Result};
use leefwijk_domain::pressure::PressureConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Settings read from the optional TOML file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    /// The address people use to reach Leefwijk (for single sign-on redirects), e.g.
    /// https://leefwijk.gemeente.nl. Default: http:// plus the listen address.
    pub public_url: Option<String>,
    pub pressure: PressureConfig,
    /// Single sign-on providers (OpenID Connect).
    pub oidc: Vec<leefwijk_app::access::oidc::OidcProvider>,
    /// Early signalling: outreach deadlines per kind and disclosure control.
    pub signals: leefwijk_app::signals::SignalsConfig,
    /// How match notices are e-mailed: `sender = "log"` (default) or `sender = "file"` with
    /// a `path` that the organisation's mail relay reads.
    pub mail: leefwijk_app::households::notify::MailSender,
    /// Residents: rate limits of public forms, report service levels, participation.
    pub residents: leefwijk_app::residents::ResidentsConfig,
    /// Load the open national figures and boundaries shipped with Leefwijk (CBS, CC BY
    /// 4.0; data/nl) into the database on first start. Default: yes.
    pub national_data: Option<bool>,
    /// The API: which other web origins may call it from a browser (CORS; none by default).
    pub api: leefwijk_app::ApiConfig,
}

impl FileConfig {
    /// Reads `path`, or `./leefwijk.toml` when it exists, or the defaults.
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => {
                let default = PathBuf::from("leefwijk.toml");
                if !default.exists() {
                    return Ok(FileConfig::default());
                }
                default
            }
        };
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading config {}", path.display()))?;
        let config: FileConfig =
            toml::from_str(&text).with_context(|| format!("config {} is invalid", path.display()))?;
        for origin in &config.api.cors_allowed_origins {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin.trim_end_matches('/').contains(['*', ' '])
                && origin.matches('/').count() == 2;
            if !ok {
                anyhow::bail!(
                    "config {}: api.cors_allowed_origins: '{origin}' is not an origin such as https://dashboard.gemeente.nl (scheme and host, no path, no wildcard)",
                    path.display()
                );
            }
        }
        for w in &config.pressure.weights {
            // Indicators named from a StatLine codebook (`cbs_…`) live in the database, which
            // is not open yet; an area without such a figure simply has one indicator fewer.
            let codebook_named = w.indicator.starts_with("cbs_");
            if leefwijk_domain::indicators::indicator(&w.indicator).is_none() && !codebook_named {
                anyhow::bail!(
                    "config {}: pressure weight for unknown indicator '{}' (see /indicatoren for the keys)",
                    path.display(),
                    w.indicator
                );
            }
        }
        Ok(config)
    }
}

/// The database URL: explicit, or an SQLite file in the data directory (created).
pub fn database_url(explicit: Option<String>, data_dir: &Path) -> Result<String> {
    if let Some(url) = explicit.filter(|u| !u.trim().is_empty()) {
        return Ok(url);
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating data directory {}", data_dir.display()))?;
    Ok(format!("sqlite://{}", data_dir.join("leefwijk.db").display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pressure_weights_from_toml() {
        let dir = std::env::temp_dir().join(format!("leefwijk-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("leefwijk.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9999\"\n[pressure]\nfocus_top_n = 50\nweights = [{ indicator = \"low_income_share\", weight = 2.0 }]\n").expect("write");
        let config = FileConfig::load(Some(&path)).expect("valid");
        assert_eq!(config.listen.as_deref(), Some("127.0.0.1:9999"));
        assert_eq!(config.pressure.focus_top_n, 50);
        assert_eq!(config.pressure.weights.len(), 1);
        std::fs::write(&path, "[pressure]\nweights = [{ indicator = \"nonsense\", weight = 2.0 }]\n").expect("write");
        assert!(FileConfig::load(Some(&path)).is_err());
        std::fs::write(&path, "lissen = 1\n").expect("write");
        assert!(FileConfig::load(Some(&path)).is_err(), "typos are errors");
    }

    #[test]
    fn the_documented_example_is_valid_and_matches_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/leefwijk.example.toml");
        let config = FileConfig::load(Some(&path)).expect("docs/leefwijk.example.toml is valid");
        assert_eq!(config.pressure, PressureConfig::default());
        assert_eq!(config.signals, leefwijk_app::signals::SignalsConfig::default());
        assert_eq!(config.mail, leefwijk_app::households::notify::MailSender::Log);
        assert_eq!(config.residents, leefwijk_app::residents::ResidentsConfig::default());
    }
}
