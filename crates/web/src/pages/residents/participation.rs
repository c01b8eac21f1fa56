//! Pages of initiatives and participatory budgeting.

use crate::access_table::Rule;
use axum::Router;
use leefwijk_app::App;

/// Who may call this part's pages and API routes (see `access_table`).
pub static RULES: &[Rule] = &[];

pub fn routes() -> Router<App> {
    Router::new()
}
