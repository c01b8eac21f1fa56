//! Verification of the audit log: walks the whole chain page by page and names the first
//! entry that was changed, removed or reordered.

use crate::AppError;
use leefwijk_domain::access::audit_chain::{head_seal, verify_from, ChainBreak, Checkpoint, GENESIS};
use leefwijk_store::Store;

const PAGE: i64 = 10_000;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { entries: usize },
    Broken(ChainBreak),
}

/// Verifies the stored chain against the key and the recorded head.
pub async fn verify_chain(store: &Store, key: &[u8]) -> Result<Verification, AppError> {
    let head = store.audit_head().await?;
    let (mut after_seq, mut after_hash) = (0, GENESIS.to_string());
    let mut total = 0;
    loop {
        let page = store.audit_page(after_seq, PAGE).await?;
        let is_last = (page.len() as i64) < PAGE;
        // The head is checked against the end of the last page only.
        match verify_from(key, &page, after_seq, &after_hash, if is_last { Some(&head) } else { None }) {
            Ok(n) => total += n,
            Err(b) => return Ok(Verification::Broken(b)),
        }
        if is_last {
            return Ok(Verification::Intact { entries: total });
        }
        if let Some(last) = page.last() {
            after_seq = last.seq;
            after_hash = last.hash.clone();
        }
    }
}

/// Seals the head of a log written before heads were sealed (once, at start: the key is
/// not in the database, so the migration could not). A sealed head is left alone.
pub async fn seal_unsealed_head(store: &Store, key: &[u8]) -> Result<bool, AppError> {
    let head = store.audit_head().await?;
    if head.seal.is_some() || head.seq == 0 {
        return Ok(false);
    }
    let sealed = store.seal_unsealed_audit_head(head.seq, &head.hash, &head_seal(key, head.seq, &head.hash)).await?;
    if sealed {
        tracing::info!(seq = head.seq, "audit head sealed with the audit key");
    }
    Ok(sealed)
}

/// A checkpoint of the chain as it is now, after verifying it: to be kept outside the
/// database (`leefwijk audit checkpoint`).
pub async fn checkpoint(store: &Store, key: &[u8], now_ms: i64) -> Result<Result<Checkpoint, ChainBreak>, AppError> {
    if let Verification::Broken(b) = verify_chain(store, key).await? {
        return Ok(Err(b));
    }
    let head = store.audit_head().await?;
    Ok(Ok(Checkpoint::new(key, head.seq, &head.hash, now_ms)))
}

/// Whether the chain still holds the entry a checkpoint recorded, unchanged. A checkpoint
/// the key did not make is refused as such.
pub async fn verify_checkpoint(store: &Store, key: &[u8], point: &Checkpoint) -> Result<Result<(), String>, AppError> {
    if !point.is_authentic(key) {
        return Ok(Err(format!(
            "the checkpoint of entry {} was not made with this installation's audit key (or was changed)",
            point.seq
        )));
    }
    if point.seq == 0 {
        return Ok(Ok(()));
    }
    match store.audit_entry(point.seq).await? {
        Some(entry) if entry.hash == point.hash => Ok(Ok(())),
        _ => Ok(Err(ChainBreak::CheckpointMissed { seq: point.seq }.to_string())),
    }
}
