//! Single sign-on with OpenID Connect for municipal identity providers: the authorization
//! code flow with PKCE (S256), state and nonce. A provider only signs people in; the
//! account (tenant, organisation, role) must exist in Leefwijk with the same username.

use super::identity::{now_ms, random_token};
use crate::AppError;
use base64::Engine;
use leefwijk_store::{OidcFlow, Store, User};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A configured identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProvider {
    /// Short id used in URLs, e.g. "gemeente".
    pub id: String,
    /// Shown on the login button.
    pub name: String,
    /// Issuer URL; must be https (plain http only on loopback, for tests).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The ID-token claim that holds the Leefwijk username.
    #[serde(default = "default_claim")]
    pub username_claim: String,
}

fn default_claim() -> String {
    "preferred_username".to_string()
}

/// A flow lives this long between redirect and callback.
const FLOW_MS: i64 = 10 * 60 * 1000;

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
pub fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Why single sign-on did not sign someone in; safe to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcFailure {
    #[error("the sign-in attempt is unknown or expired (state); start again")]
    UnknownState,
    #[error("the identity provider refused: {0}")]
    Provider(String),
    #[error("the identity provider's token is not valid: {0}")]
    InvalidToken(String),
    #[error("the token does not belong to this sign-in attempt (nonce)")]
    NonceMismatch,
    #[error("there is no active Leefwijk account '{0}'; ask your administrator")]
    UnknownUser(String),
}

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    id_token: String,
}

#[derive(Debug, Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Debug, Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

/// The configured providers and the HTTP client that talks to them.
#[derive(Debug, Clone, Default)]
pub struct Oidc {
    providers: Vec<OidcProvider>,
    public_url: String,
    http: reqwest::Client,
}

fn is_loopback(url: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"].iter().any(|p| url.starts_with(p))
}

impl Oidc {
    /// Checks the providers: unique ids, https issuers (http only on loopback).
    pub fn new(providers: Vec<OidcProvider>, public_url: &str) -> Result<Oidc, AppError> {
        for (i, p) in providers.iter().enumerate() {
            if p.id.is_empty() || !p.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                return Err(AppError::BadRequest(format!(
                    "oidc provider id '{}': use lower-case letters, digits and -",
                    p.id
                )));
            }
            if providers[..i].iter().any(|q| q.id == p.id) {
                return Err(AppError::BadRequest(format!("oidc provider id '{}' appears twice", p.id)));
            }
            if !p.issuer.starts_with("https://") && !is_loopback(&p.issuer) {
                return Err(AppError::BadRequest(format!("oidc provider '{}': the issuer must be an https URL", p.id)));
            }
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AppError::Internal(format!("http client: {e}")))?;
        Ok(Oidc { providers, public_url: public_url.trim_end_matches('/').to_string(), http })
    }

    pub fn providers(&self) -> &[OidcProvider] {
        &self.providers
    }

    fn provider(&self, id: &str) -> Result<&OidcProvider, AppError> {
        self.providers
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::NotFound(format!("identity provider '{id}'")))
    }

    pub fn redirect_uri(&self, provider_id: &str) -> String {
        format!("{}/inloggen/oidc/{provider_id}/callback", self.public_url)
    }

    async fn discover(&self, p: &OidcProvider) -> Result<Discovery, OidcFailure> {
        let url = format!("{}/.well-known/openid-configuration", p.issuer.trim_end_matches('/'));
        let response =
            self.http.get(&url).send().await.map_err(|e| OidcFailure::Provider(format!("discovery: {e}")))?;
        if !response.status().is_success() {
            return Err(OidcFailure::Provider(format!("discovery answered {}", response.status())));
        }
        let d: Discovery = response.json().await.map_err(|e| OidcFailure::Provider(format!("discovery: {e}")))?;
        if d.issuer.trim_end_matches('/') != p.issuer.trim_end_matches('/') {
            return Err(OidcFailure::Provider(format!("discovery names issuer {} instead of {}", d.issuer, p.issuer)));
        }
        Ok(d)
    }

    /// Starts a sign-in: stores state, nonce and PKCE verifier, and returns the URL of the
    /// provider's authorization endpoint to send the browser to.
    pub async fn start(
        &self,
        store: &Store,
        provider_id: &str,
        return_to: &str,
    ) -> Result<Result<String, OidcFailure>, AppError> {
        let p = self.provider(provider_id)?;
        let d = match self.discover(p).await {
            Ok(d) => d,
            Err(f) => return Ok(Err(f)),
        };
        let (state, nonce, verifier) = (random_token()?, random_token()?, random_token()?);
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        store
            .save_oidc_flow(&OidcFlow {
                state: state.clone(),
                provider: p.id.clone(),
                nonce: nonce.clone(),
                verifier,
                return_to: return_to.to_string(),
                expires_at: now_ms() + FLOW_MS,
            })
            .await?;
        let sep = if d.authorization_endpoint.contains('?') { '&' } else { '?' };
        Ok(Ok(format!(
            "{}{sep}response_type=code&client_id={}&redirect_uri={}&scope=openid%20profile&state={state}&nonce={nonce}&code_challenge={challenge}&code_challenge_method=S256",
            d.authorization_endpoint,
            percent_encode(&p.client_id),
            percent_encode(&self.redirect_uri(&p.id)),
        )))
    }

    /// Finishes a sign-in from the callback: checks state, exchanges the code (with the
    /// PKCE verifier), validates the ID token (signature, issuer, audience, expiry, nonce)
    /// and finds the account. Returns the user and where to send them.
    pub async fn finish(
        &self,
        store: &Store,
        provider_id: &str,
        code: &str,
        state: &str,
    ) -> Result<Result<(User, String), OidcFailure>, AppError> {
        let p = self.provider(provider_id)?;
        let Some(flow) = store.take_oidc_flow(state, now_ms()).await?.filter(|f| f.provider == p.id) else {
            return Ok(Err(OidcFailure::UnknownState));
        };
        let result = async {
            let d = self.discover(p).await?;
            let response = self
                .http
                .post(&d.token_endpoint)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", &self.redirect_uri(&p.id)),
                    ("client_id", &p.client_id),
                    ("client_secret", &p.client_secret),
                    ("code_verifier", &flow.verifier),
                ])
                .send()
                .await
                .map_err(|e| OidcFailure::Provider(format!("token request: {e}")))?;
            if !response.status().is_success() {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                return Err(OidcFailure::Provider(format!(
                    "token endpoint answered {status}: {}",
                    body.chars().take(200).collect::<String>()
                )));
            }
            let token: TokenResponse =
                response.json().await.map_err(|e| OidcFailure::Provider(format!("token response: {e}")))?;
            let claims = self.validate(p, &d, &token.id_token).await?;
            if claims.get("nonce").and_then(|n| n.as_str()) != Some(flow.nonce.as_str()) {
                return Err(OidcFailure::NonceMismatch);
            }
            let username = claims.get(&p.username_claim).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            Ok(username)
        }
        .await;
        let username = match result {
            Ok(u) => u,
            Err(f) => {
                tracing::warn!(provider = %p.id, reason = %f, "single sign-on refused");
                return Ok(Err(f));
            }
        };
        match store.user_by_username(&username).await?.filter(|u| !u.disabled) {
            Some(user) => Ok(Ok((user, flow.return_to))),
            None => Ok(Err(OidcFailure::UnknownUser(username))),
        }
    }

    async fn validate(
        &self,
        p: &OidcProvider,
        d: &Discovery,
        id_token: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>, OidcFailure> {
        let header = jsonwebtoken::decode_header(id_token).map_err(|e| OidcFailure::InvalidToken(e.to_string()))?;
        if header.alg != jsonwebtoken::Algorithm::RS256 {
            return Err(OidcFailure::InvalidToken(format!("algorithm {:?} is not accepted; use RS256", header.alg)));
        }
        let jwks: Jwks = self
            .http
            .get(&d.jwks_uri)
            .send()
            .await
            .map_err(|e| OidcFailure::Provider(format!("jwks: {e}")))?
            .json()
            .await
            .map_err(|e| OidcFailure::Provider(format!("jwks: {e}")))?;
        let key = jwks
            .keys
            .iter()
            .filter(|k| k.kty == "RSA")
            .find(|k| header.kid.is_none() || k.kid == header.kid)
            .ok_or_else(|| OidcFailure::InvalidToken("no matching signing key in the provider's JWKS".into()))?;
        let (n, e) = (key.n.as_deref().unwrap_or_default(), key.e.as_deref().unwrap_or_default());
        let decoding = jsonwebtoken::DecodingKey::from_rsa_components(n, e)
            .map_err(|e| OidcFailure::InvalidToken(e.to_string()))?;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_issuer(&[p.issuer.trim_end_matches('/'), &d.issuer]);
        validation.set_audience(&[&p.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 60;
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(id_token, &decoding, &validation)
            .map_err(|e| OidcFailure::InvalidToken(e.to_string()))?;
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(id: &str, issuer: &str) -> OidcProvider {
        OidcProvider {
            id: id.into(),
            name: "IdP".into(),
            issuer: issuer.into(),
            client_id: "leefwijk".into(),
            client_secret: "s".into(),
            username_claim: default_claim(),
        }
    }

    #[test]
    fn providers_need_https_and_unique_ids() {
        assert!(Oidc::new(vec![provider("gemeente", "https://idp.example")], "http://127.0.0.1:8080").is_ok());
        assert!(Oidc::new(vec![provider("test", "http://127.0.0.1:9999")], "http://127.0.0.1:8080").is_ok());
        assert!(Oidc::new(vec![provider("gemeente", "http://idp.example")], "x").is_err());
        assert!(Oidc::new(vec![provider("a", "https://a"), provider("a", "https://b")], "x").is_err());
        assert!(Oidc::new(vec![provider("A b", "https://a")], "x").is_err());
        assert_eq!(percent_encode("http://x/y z"), "http%3A%2F%2Fx%2Fy%20z");
    }
}
