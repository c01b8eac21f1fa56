//! Demo data of the residents capability: reports, an initiative round and a survey.

mod inzage;
mod panels;
mod participation;
mod reports;

use crate::{App, AppError};

/// Loads the residents' demo once (each part skips itself when its data exists); returns
/// a line per part that loaded something, for the start-up message.
pub async fn load_residents(app: &App) -> Result<Vec<String>, AppError> {
    let mut loaded = Vec::new();
    loaded.extend(reports::load(app).await?);
    loaded.extend(participation::load(app).await?);
    loaded.extend(panels::load(app).await?);
    loaded.extend(inzage::load(app).await?);
    Ok(loaded)
}
