//! Static assets, compiled into the binary so one file runs anywhere.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leefwijk_app::App;

const APP_CSS: &str = include_str!("../assets/app.css");
// The vendored NL Design System stylesheets stay byte-for-byte as published; they are
// served inside cascade layers so the app's own (unlayered) rules in app.css win where
// they disagree, whatever the selectors' specificity.
const UTRECHT_HTML_CSS: &str =
    concat!("@layer nlds-components {\n", include_str!("../assets/vendor/utrecht-html.css"), "\n}\n");
const VOORBEELD_THEME_CSS: &str =
    concat!("@layer nlds-theme {\n", include_str!("../assets/vendor/voorbeeld-theme.css"), "\n}\n");
const FAVICON_SVG: &str = include_str!("../assets/favicon.svg");

/// The icon browsers show in a tab (and ask for at `/favicon.ico` when a page names none).
fn favicon() -> Response {
    let mut r = FAVICON_SVG.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    r
}

fn css(body: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/assets/app.css", get(|| async { css(APP_CSS) }))
        .route("/assets/vendor/utrecht-html.css", get(|| async { css(UTRECHT_HTML_CSS) }))
        .route("/assets/vendor/voorbeeld-theme.css", get(|| async { css(VOORBEELD_THEME_CSS) }))
        .route("/assets/favicon.svg", get(|| async { favicon() }))
        .route("/favicon.ico", get(|| async { favicon() }))
}
