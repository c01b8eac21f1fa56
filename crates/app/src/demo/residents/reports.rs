//! Demo public-space reports in several states, some overdue.

use crate::{App, AppError};

/// Loads this part's demo; `Some(description)` when it loaded something.
pub async fn load(_app: &App) -> Result<Option<String>, AppError> {
    Ok(None)
}
