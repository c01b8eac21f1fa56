//! Keys live in the data directory (or a configured path), never in the database: a copy
//! of the database alone cannot forge the audit chain or link pseudonyms to people.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or create key file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("key file {0} is damaged: expected 64 hexadecimal characters")]
    Malformed(PathBuf),
    #[error("no secure random source available: {0}")]
    Random(String),
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    (0..32).map(|i| u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()).collect()
}

/// Reads a 256-bit key from `dir/name.key`, creating it (mode 0600) on first use.
pub fn load_or_create(dir: &Path, name: &str) -> Result<Vec<u8>, KeyError> {
    let path = dir.join(format!("{name}.key"));
    let io = |source| KeyError::Io { path: path.clone(), source };
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(io)?;
        return parse_hex(&text).ok_or_else(|| KeyError::Malformed(path.clone()));
    }
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut key = vec![0u8; 32];
    getrandom::getrandom(&mut key).map_err(|e| KeyError::Random(e.to_string()))?;
    let text = leefwijk_domain::access::hex(&key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(io)?;
    std::io::Write::write_all(&mut file, format!("{text}\n").as_bytes()).map_err(io)?;
    Ok(key)
}

/// All keys of an installation, loaded from (or created in) one directory.
pub struct KeyRing {
    dir: PathBuf,
    audit: Vec<u8>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing({})", self.dir.display())
    }
}

fn safe_name(tenant: &str) -> Result<&str, KeyError> {
    if !tenant.is_empty() && tenant.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        Ok(tenant)
    } else {
        Err(KeyError::Malformed(PathBuf::from(tenant)))
    }
}

impl KeyRing {
    /// Opens the key directory, creating the audit key on first start.
    pub fn open(dir: &Path) -> Result<KeyRing, KeyError> {
        let audit = load_or_create(dir, "audit")?;
        Ok(KeyRing { dir: dir.to_path_buf(), audit })
    }

    pub fn audit(&self) -> &[u8] {
        &self.audit
    }

    /// The pseudonymisation key of a tenant for a purpose: derived from the tenant's master
    /// key, so purposes get unlinkable pseudonyms. The id names tenant, purpose and version.
    pub fn pseudonym_key(
        &self,
        tenant: &str,
        purpose: leefwijk_domain::access::covenant::Purpose,
    ) -> Result<leefwijk_domain::access::pseudonym::PseudonymKey, KeyError> {
        use hmac::{Hmac, Mac};
        let master = load_or_create(&self.dir, &format!("pseudonym-{}", safe_name(tenant)?))?;
        let purpose_name =
            serde_json::to_value(purpose).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(&master).map_err(|_| KeyError::Malformed(self.dir.clone()))?;
        mac.update(purpose_name.as_bytes());
        let key = mac.finalize().into_bytes().to_vec();
        Ok(leefwijk_domain::access::pseudonym::PseudonymKey::new(format!("{tenant}/{purpose_name}/1"), key))
    }

    /// The key that seals identities in the vault of a tenant.
    pub fn vault_key(&self, tenant: &str) -> Result<Vec<u8>, KeyError> {
        load_or_create(&self.dir, &format!("vault-{}", safe_name(tenant)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_then_reads_the_same_key() {
        let dir = std::env::temp_dir().join(format!("leefwijk-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = load_or_create(&dir, "audit").expect("created");
        assert_eq!(first.len(), 32);
        assert_eq!(load_or_create(&dir, "audit").expect("read"), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("audit.key")).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the service account may read the key");
        }
        std::fs::write(dir.join("audit.key"), "not hex").expect("write");
        assert!(matches!(load_or_create(&dir, "audit"), Err(KeyError::Malformed(_))));
    }
}
