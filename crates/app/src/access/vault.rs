//! The identity vault: the BSN behind a pseudonym, sealed with AES-256-GCM under a key
//! outside the database. Writing requires the early-signalling purpose; reading is
//! re-identification, its own purpose in the covenant, and always audited by the gate.

use super::gate::{pass, Actor, Denied, Request};
use super::keys::KeyRing;
use crate::access::entropy::Entropy;
use crate::AppError;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use leefwijk_domain::access::bsn::Bsn;
use leefwijk_domain::access::covenant::{Action, Covenant, DataCategory, Purpose};
use leefwijk_domain::access::hex;
use leefwijk_store::Store;

fn key_error(e: super::keys::KeyError) -> AppError {
    AppError::Internal(e.to_string())
}

pub(crate) fn seal(key: &[u8], plain: &str) -> Result<String, AppError> {
    Sealer::new(key)?.seal(plain)
}

/// One tenant's vault cipher, for sealing many values (a signal batch) without expanding
/// the AES key for each one.
pub(crate) struct Sealer(Aes256Gcm);

impl Sealer {
    pub(crate) fn new(key: &[u8]) -> Result<Sealer, AppError> {
        Ok(Sealer(Aes256Gcm::new_from_slice(key).map_err(|e| AppError::Internal(e.to_string()))?))
    }

    /// Seals with a fresh random nonce: hex(nonce ‖ ciphertext).
    pub(crate) fn seal(&self, plain: &str) -> Result<String, AppError> {
        seal_with(&self.0, plain)
    }

    /// As [`Sealer::seal`], with the nonce drawn from a job's entropy pool.
    pub(crate) fn seal_from(&self, plain: &str, entropy: &mut Entropy) -> Result<String, AppError> {
        let mut nonce = [0u8; 12];
        entropy.fill(&mut nonce)?;
        sealed_hex(&self.0, &nonce, plain)
    }
}

fn seal_with(cipher: &Aes256Gcm, plain: &str) -> Result<String, AppError> {
    let mut nonce = [0u8; 12];
    getrandom::getrandom(&mut nonce).map_err(|e| AppError::Internal(e.to_string()))?;
    sealed_hex(cipher, &nonce, plain)
}

fn sealed_hex(cipher: &Aes256Gcm, nonce: &[u8; 12], plain: &str) -> Result<String, AppError> {
    let sealed =
        cipher.encrypt(Nonce::from_slice(nonce), plain.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut out = hex(nonce);
    out.push_str(&hex(&sealed));
    Ok(out)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(s.get(i * 2..i * 2 + 2)?, 16).ok()).collect()
}

pub(crate) fn open(key: &[u8], sealed: &str) -> Result<String, AppError> {
    let bytes =
        unhex(sealed).filter(|b| b.len() > 12).ok_or_else(|| AppError::Internal("vault entry is damaged".into()))?;
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|e| AppError::Internal(e.to_string()))?;
    let plain = cipher
        .decrypt(Nonce::from_slice(&bytes[..12]), &bytes[12..])
        .map_err(|_| AppError::Internal("vault entry does not open with this tenant's key".into()))?;
    String::from_utf8(plain).map_err(|e| AppError::Internal(e.to_string()))
}

/// A person registered by a partner: the pseudonym to use from now on.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = PersonRegistered)]
pub struct Registered {
    pub pseudonym: String,
    pub key_id: String,
}

/// Pseudonymises a BSN and keeps the sealed identity in the vault, if the covenant
/// allows the actor to write identities for early signalling.
pub async fn register_person(
    store: &Store,
    keys: &KeyRing,
    covenant: &Covenant,
    actor: &Actor,
    raw_bsn: &str,
) -> Result<Result<Registered, Denied>, AppError> {
    let bsn = Bsn::parse(raw_bsn).map_err(|e| AppError::BadRequest(format!("bsn: {e}")))?;
    let key = keys.pseudonym_key(actor.tenant_id(), Purpose::EarlySignalling).map_err(key_error)?;
    let pseudonym = key.person(&bsn);
    let request = Request {
        purpose: Purpose::EarlySignalling,
        category: DataCategory::Identity,
        action: Action::Write,
        subject: &pseudonym,
        consent: false,
    };
    let (mut tx, handle) = match pass(store, keys, covenant, actor, &request).await? {
        Ok(ok) => ok,
        Err(denied) => return Ok(Err(denied)),
    };
    let sealed = seal(&keys.vault_key(actor.tenant_id()).map_err(key_error)?, &bsn.expose())?;
    tx.vault_put(&handle, actor.tenant_id(), &pseudonym, &key.id, &sealed, super::identity::now_ms()).await?;
    tx.commit().await?;
    Ok(Ok(Registered { pseudonym, key_id: key.id }))
}

/// Re-identifies a pseudonym: the BSN, for outreach. `None` when the vault has no entry.
pub async fn reidentify(
    store: &Store,
    keys: &KeyRing,
    covenant: &Covenant,
    actor: &Actor,
    pseudonym: &str,
) -> Result<Result<Option<String>, Denied>, AppError> {
    if pseudonym.len() != 64 || !pseudonym.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::BadRequest("a pseudonym is 64 hexadecimal characters".into()));
    }
    let request = Request {
        purpose: Purpose::Reidentification,
        category: DataCategory::Identity,
        action: Action::Read,
        subject: pseudonym,
        consent: false,
    };
    let (mut tx, handle) = match pass(store, keys, covenant, actor, &request).await? {
        Ok(ok) => ok,
        Err(denied) => return Ok(Err(denied)),
    };
    let found = tx.vault_get(&handle, actor.tenant_id(), pseudonym).await?;
    // Commit even when nothing was found: the attempt itself is audited.
    tx.commit().await?;
    match found {
        Some((_, sealed)) => Ok(Ok(Some(open(&keys.vault_key(actor.tenant_id()).map_err(key_error)?, &sealed)?))),
        None => Ok(Ok(None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_depends_on_the_key() {
        let key = [7u8; 32];
        let sealed = seal(&key, "111222333").expect("seal");
        assert!(!sealed.contains("111222333"));
        assert_ne!(sealed, seal(&key, "111222333").expect("seal"), "a fresh nonce every time");
        assert_eq!(open(&key, &sealed).expect("open"), "111222333");
        assert!(open(&[8u8; 32], &sealed).is_err());
    }
}
