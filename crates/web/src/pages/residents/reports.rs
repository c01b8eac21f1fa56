//! Pages of public-space reports (meldingen): the public form and status link, and the handling team's list.

use crate::access_table::Rule;
use axum::Router;
use leefwijk_app::App;

/// Who may call this part's pages and API routes (see `access_table`).
pub static RULES: &[Rule] = &[];

pub fn routes() -> Router<App> {
    Router::new()
}
