//! The accessibility statement (toegankelijkheidsverklaring) at `/toegankelijkheid`, for
//! anyone, linked from every page's footer. It follows the headings of the Dutch model
//! statement (status, date and method, scope, results, known limits, contact, enforcement)
//! so a municipality that adopts Leefwijk can take it over into its own statement.
//!
//! The results are those of the browser suite's last committed run: `e2e/tests/
//! catalogue.test.mjs` writes `docs/accessibility/axe-results.json` after it has crawled
//! every page type with axe-core, and the page shows that file as it was when Leefwijk
//! was built.

use super::{group_thousands, render, PageCtx};
use askama::Template;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leefwijk_app::App;
use serde::Deserialize;

/// The browser suite's summary, committed with the code it tested.
pub const AXE_RESULTS: &str = include_str!("../../../../docs/accessibility/axe-results.json");

pub fn routes() -> Router<App> {
    Router::new().route("/toegankelijkheid", get(page))
}

/// `docs/accessibility/axe-results.json`, as the browser suite writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct AxeResults {
    /// The day of the run (YYYY-MM-DD).
    pub date: String,
    pub chromium: String,
    pub axe: String,
    /// The axe tags run (WCAG 2.0 and 2.1, A and AA).
    pub tags: Vec<String>,
    /// Screen widths every page type was checked at, in CSS pixels.
    pub widths: Vec<u32>,
    /// Who crawled: `public` and the demo accounts.
    pub crawlers: Vec<String>,
    pub page_types: usize,
    pub violations_total: usize,
    pub pages: Vec<AxePage>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AxePage {
    /// The page type: the path with ids and codes folded (`/gebied/{WK}`).
    pub page_type: String,
    /// The first crawler that reached it.
    pub checked_as: String,
    /// Violations per width, in the order of [`AxeResults::widths`].
    pub violations: Vec<usize>,
    /// The axe rules that found a violation, if any.
    pub rules: Vec<String>,
}

/// The committed results; None if the file does not read (the page then says so).
pub fn axe_results() -> Option<AxeResults> {
    serde_json::from_str(AXE_RESULTS).ok()
}

struct Row {
    page_type: String,
    checked_as: String,
    violations: Vec<String>,
    rules: String,
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct StatementPage {
    ctx: PageCtx,
    /// The date of the last test, written the page's way.
    date: String,
    chromium: String,
    axe: String,
    /// The axe tags run.
    tags: String,
    widths: Vec<String>,
    page_types: String,
    total: String,
    crawlers: String,
    rows: Vec<Row>,
    found: bool,
}

async fn page(ctx: PageCtx) -> Response {
    let results = axe_results();
    let widths: Vec<String> =
        results.as_ref().map(|r| r.widths.iter().map(|w| format!("{w} px")).collect()).unwrap_or_default();
    let who = |c: &str| match c {
        "public" => ctx.t("bezoeker zonder account", "visitor without an account").to_string(),
        other => format!("{} {other}", ctx.t("demo-account", "demo account")),
    };
    let page = match results {
        Some(r) => StatementPage {
            date: ctx.date(&r.date),
            chromium: r.chromium.clone(),
            axe: r.axe.clone(),
            tags: r.tags.join(", "),
            widths,
            page_types: group_thousands(r.page_types as u64, ctx.lang),
            total: group_thousands(r.violations_total as u64, ctx.lang),
            crawlers: r.crawlers.iter().map(|c| who(c)).collect::<Vec<_>>().join(", "),
            rows: r
                .pages
                .iter()
                .map(|p| Row {
                    page_type: p.page_type.clone(),
                    checked_as: who(&p.checked_as),
                    violations: p.violations.iter().map(|v| group_thousands(*v as u64, ctx.lang)).collect(),
                    rules: p.rules.join(", "),
                })
                .collect(),
            found: r.violations_total > 0,
            ctx: ctx.clone(),
        },
        None => StatementPage {
            date: String::new(),
            chromium: String::new(),
            axe: String::new(),
            tags: String::new(),
            widths,
            page_types: String::new(),
            total: String::new(),
            crawlers: String::new(),
            rows: Vec::new(),
            found: false,
            ctx: ctx.clone(),
        },
    };
    render(&ctx, &page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_committed_results_read_and_add_up() {
        let r = super::axe_results().expect("docs/accessibility/axe-results.json reads");
        assert_eq!(r.page_types, r.pages.len());
        assert!(r.page_types >= 40, "{} page types", r.page_types);
        assert_eq!(r.widths, [320, 1280]);
        let sum: usize = r.pages.iter().flat_map(|p| p.violations.iter()).sum();
        assert_eq!(sum, r.violations_total);
        assert!(r.pages.iter().all(|p| p.violations.len() == r.widths.len()));
        assert!(leefwijk_domain::calendar::Date::parse(&r.date).is_ok(), "{}", r.date);
    }
}
