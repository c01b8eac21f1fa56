//! The residents' pages: public, for a phone first, no account needed. One module per
//! part, each with its routes and its rows of the access table.

pub mod inzage;
pub mod neighbourhood;
pub mod panels;
pub mod participation;
pub mod report_routing;
pub mod reports;

use axum::Router;
use leefwijk_app::App;

pub fn routes() -> Router<App> {
    neighbourhood::routes()
        .merge(reports::routes())
        .merge(report_routing::routes())
        .merge(participation::routes())
        .merge(panels::routes())
        .merge(inzage::routes())
}
