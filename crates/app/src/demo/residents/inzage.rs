//! Demo own-data requests (AVG inzage) for the privacy officer.

use crate::{App, AppError};

/// Loads this part's demo; `Some(description)` when it loaded something.
pub async fn load(_app: &App) -> Result<Option<String>, AppError> {
    Ok(None)
}
