//! Accounts: passwords (Argon2id), login with throttling, database sessions with a CSRF
//! token each, admin-driven resets, and API clients for partner systems.

use crate::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use leefwijk_domain::access::hex;
use leefwijk_store::{ApiClient, Session, Store, User};
use sha2::{Digest, Sha256};

pub use super::login_throttle::{LOCK_MS, MAX_FAILED_LOGINS};
/// Sessions end after 8 hours: a working day.
pub const SESSION_MS: i64 = 8 * 60 * 60 * 1000;
pub const MIN_PASSWORD_LEN: usize = 12;

/// The roles a user can have.
pub const ROLES: &[&str] =
    &["beheerder", "beleidsmedewerker", "wijkteammedewerker", "regisseur", "professional", "privacy_officer"];

/// The organisation kinds of the covenant.
pub const ORGANISATION_KINDS: &[&str] = &[
    "gemeente",
    "woningcorporatie",
    "sociaal_wijkteam",
    "schuldhulpverlening",
    "sociaal_werk",
    "ggz",
    "thuiszorg",
    "huisartsenpraktijk",
    "politie",
    "onderwijs",
    "zorgverzekeraar",
    "energieleverancier",
    "drinkwaterbedrijf",
    "bewonersorganisatie",
    "overig",
];

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// A random token of 32 bytes, hex.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    Ok(hex(&bytes))
}

/// A one-time password a person can type: 4 groups of 5 letters and digits.
pub fn one_time_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    Ok(chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

pub fn sha256_hex(value: &str) -> String {
    hex(&Sha256::digest(value.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// Checks a new password against the policy; the message says what to change.
pub fn check_password_policy(password: &str, username: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::BadRequest(format!("Kies een wachtwoord van minstens {MIN_PASSWORD_LEN} tekens.")));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(AppError::BadRequest("Het wachtwoord mag de gebruikersnaam niet bevatten.".into()));
    }
    Ok(())
}

/// Why a login failed, without saying whether the account exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginFailure {
    /// Wrong name or password.
    Invalid,
    /// Too many failures: try again after this moment (ms).
    Locked { until_ms: i64 },
}

/// A new session: the cookie token (shown to the browser once) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user: User,
}

/// A real hash to verify against when the user does not exist, so the response time does
/// not reveal which usernames exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default())
}

/// Logs in: on success a fresh session (a new id every time). Failures are throttled per
/// username and client address and per address, alike for names that exist and names that
/// do not ([`super::login_throttle`]); an account itself is never locked, so nobody can lock
/// another person out from elsewhere.
pub async fn login(
    store: &Store,
    throttle: &super::login_throttle::LoginThrottle,
    attempt: LoginAttempt<'_>,
    now: i64,
) -> Result<Result<NewSession, LoginFailure>, AppError> {
    let LoginAttempt { username, password, client } = attempt;
    if let Some(until_ms) = throttle.refused_until(username, client, now) {
        return Ok(Err(LoginFailure::Locked { until_ms }));
    }
    let user = store.user_by_username(username.trim()).await?;
    let user = user.filter(|u| !u.disabled);
    let ok = match &user {
        Some(u) => u.password_hash.as_deref().map(|h| verify_password(password, h)).unwrap_or(false),
        None => {
            // The same work as for a real account, so timing tells nothing either.
            let _ = verify_password(password, dummy_hash());
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        let refused = throttle.failed(username, client, now);
        tracing::warn!(locked = refused.is_some(), "failed login");
        return Ok(Err(match refused {
            Some(until_ms) => LoginFailure::Locked { until_ms },
            None => LoginFailure::Invalid,
        }));
    };
    throttle.succeeded(username, client);
    let session = start_session(store, user, now).await?;
    tracing::info!(user_id = %session.user.id, "login");
    Ok(Ok(session))
}

/// A password login as typed, and the client address it came from (only counted, never
/// logged or stored).
#[derive(Clone, Copy)]
pub struct LoginAttempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub client: &'a str,
}

pub async fn start_session(store: &Store, user: User, now: i64) -> Result<NewSession, AppError> {
    let token = random_token()?;
    let csrf = random_token()?;
    store.create_session(&sha256_hex(&token), &user.id, &csrf, now, now + SESSION_MS).await?;
    Ok(NewSession { token, csrf, user })
}

/// The live session behind a cookie token.
pub async fn session(store: &Store, token: &str, now: i64) -> Result<Option<Session>, AppError> {
    Ok(store.session(&sha256_hex(token), now).await?.filter(|s| !s.user.disabled))
}

pub async fn logout(store: &Store, token: &str) -> Result<(), AppError> {
    store.delete_session(&sha256_hex(token)).await?;
    Ok(())
}

/// The user changes their own password (old one required).
pub async fn change_password(store: &Store, user: &User, old: &str, new: &str) -> Result<(), AppError> {
    if !user.password_hash.as_deref().map(|h| verify_password(old, h)).unwrap_or(false) {
        return Err(AppError::BadRequest("Het huidige wachtwoord klopt niet.".into()));
    }
    check_password_policy(new, &user.username)?;
    store.set_password(&user.id, &hash_password(new)?, false).await?;
    Ok(())
}

/// An administrator resets a user of their own tenant: returns the one-time password,
/// ends the user's sessions and makes them choose a new password at next login.
pub async fn admin_reset(store: &Store, admin: &User, user_id: &str) -> Result<String, AppError> {
    let user = store.user(user_id).await?.filter(|u| u.tenant_id == admin.tenant_id);
    let user = user.ok_or_else(|| AppError::NotFound(format!("user {user_id}")))?;
    let password = one_time_password()?;
    store.set_password(&user.id, &hash_password(&password)?, true).await?;
    tracing::info!(admin_id = %admin.id, user_id = %user.id, "password reset by administrator");
    Ok(password)
}

/// What a new user gets.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub tenant_id: String,
    pub organisation_id: String,
    pub team_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// Creates a user with a one-time password (returned once) or the given password.
pub async fn create_user(store: &Store, new: &NewUser, password: Option<&str>) -> Result<(String, String), AppError> {
    if !ROLES.contains(&new.role.as_str()) {
        return Err(AppError::BadRequest(format!("role '{}' is not one of {}", new.role, ROLES.join(", "))));
    }
    let username = new.username.trim();
    if username.len() < 3 || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c)) {
        return Err(AppError::BadRequest("A username has at least 3 characters: letters, digits, . _ - @".into()));
    }
    if store.user_by_username(username).await?.is_some() {
        return Err(AppError::BadRequest(format!("username '{username}' is taken")));
    }
    let orgs = store.organisations(&new.tenant_id).await?;
    if !orgs.iter().any(|o| o.id == new.organisation_id) {
        return Err(AppError::BadRequest(format!(
            "organisation '{}' is not part of this collaboration",
            new.organisation_id
        )));
    }
    let (password, must_change) = match password {
        Some(p) => (p.to_string(), false),
        None => (one_time_password()?, true),
    };
    let id = uuid::Uuid::now_v7().to_string();
    store
        .create_user(
            &id,
            &new.tenant_id,
            &new.organisation_id,
            new.team_id.as_deref(),
            username,
            new.display_name.trim(),
            &new.role,
            &hash_password(&password)?,
            must_change,
            now_ms(),
        )
        .await?;
    Ok((id, password))
}

/// Scopes an API client can hold.
pub const SCOPES: &[&str] = &["persons:write", "signals:write", "figures:read"];

/// Creates an API client; returns its id and the secret, shown once and stored hashed.
pub async fn create_api_client(
    store: &Store,
    tenant_id: &str,
    organisation_id: &str,
    name: &str,
    scopes: &[String],
    valid_days: i64,
) -> Result<(String, String), AppError> {
    for s in scopes {
        if !SCOPES.contains(&s.as_str()) {
            return Err(AppError::BadRequest(format!("scope '{s}' is not one of {}", SCOPES.join(", "))));
        }
    }
    if !(1..=730).contains(&valid_days) {
        return Err(AppError::BadRequest("An API client is valid for 1 to 730 days.".into()));
    }
    if !store.organisations(tenant_id).await?.iter().any(|o| o.id == organisation_id) {
        return Err(AppError::BadRequest(format!(
            "organisation '{organisation_id}' is not part of this collaboration"
        )));
    }
    let id = format!("lwc_{}", &random_token()?[..16]);
    let secret = random_token()?;
    let now = now_ms();
    // The secret has 256 bits of entropy: a plain SHA-256 is enough and keeps checks fast.
    store
        .create_api_client(
            &id,
            tenant_id,
            organisation_id,
            name,
            &sha256_hex(&secret),
            scopes,
            now + valid_days * 86_400_000,
            now,
        )
        .await?;
    Ok((id, secret))
}

/// Why an API client was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientRefusal {
    Unknown,
    Revoked,
    Expired,
}

/// Authenticates `client_id` + `secret`.
pub async fn authenticate_client(
    store: &Store,
    client_id: &str,
    secret: &str,
    now: i64,
) -> Result<Result<ApiClient, ClientRefusal>, AppError> {
    let Some(client) = store.api_client(client_id).await? else {
        return Ok(Err(ClientRefusal::Unknown));
    };
    // Compare hashes, not secrets; both are fixed length.
    if sha256_hex(secret) != client.secret_hash {
        return Ok(Err(ClientRefusal::Unknown));
    }
    if client.revoked_at.is_some() {
        return Ok(Err(ClientRefusal::Revoked));
    }
    if client.expires_at <= now {
        return Ok(Err(ClientRefusal::Expired));
    }
    Ok(Ok(client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn policy_and_one_time_passwords() {
        assert!(check_password_policy("short", "anna").is_err());
        assert!(check_password_policy("anna-is-mijn-naam", "anna").is_err());
        assert!(check_password_policy("lange zin als wachtwoord", "anna").is_ok());
        let p = one_time_password().expect("otp");
        assert_eq!(p.len(), 23);
        assert_ne!(p, one_time_password().expect("otp"));
    }
}
