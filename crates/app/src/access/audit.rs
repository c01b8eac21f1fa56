//! Verification of the audit log: walks the whole chain page by page and names the first
//! entry that was changed, removed or reordered.

use crate::AppError;
use leefwijk_domain::access::audit_chain::{verify_from, ChainBreak, GENESIS};
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
