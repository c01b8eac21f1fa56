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
