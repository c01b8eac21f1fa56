//! The start page after login ("Mijn werk", issue 17): every role lands on `/werk` and sees
//! the needs of its role, drawn from the demo's own records.

mod common;

use axum::http::StatusCode;
use common::{login, send, try_login};
use leefwijk_app::testing::{backend_urls, full_demo_app};

/// The blocks each demo account's start page shows, in order.
const EXPECTED: &[(&str, &[&str])] = &[
    ("wijkteam", &["need-outreach", "need-matches"]),
    ("regisseur", &["need-outreach", "need-matches", "need-plans"]),
    ("corporatie", &["need-matches", "need-placements"]),
    ("ggz", &["need-matches", "need-placements"]),
    ("privacy", &["need-access-requests"]),
    ("beleid", &["need-commitments"]),
    ("beheer", &["need-commitments", "need-api-clients"]),
];

fn sections(html: &str) -> Vec<String> {
    html.split("<section class=\"start-need")
        .skip(1)
        .filter_map(|s| s.split("id=\"").nth(1).and_then(|rest| rest.split('"').next()).map(String::from))
        .collect()
}

#[tokio::test]
async fn every_role_lands_on_its_start_page() {
    for url in backend_urls() {
        // The whole demo, as `serve --demo` loads it, so every kind of record of ours exists.
        let app = full_demo_app(&url).await;
        let r = leefwijk_web::router(app.clone());

        // Signing in without a return path lands on the start page; with one, there.
        let reply = try_login(&r, "wijkteam", &leefwijk_app::demo::demo_password("wijkteam")).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.headers.get("location").and_then(|l| l.to_str().ok()), Some("/werk"), "{url}");

        for (user, expected) in EXPECTED {
            let browser = login(&r, user).await;
            let page = browser.get(&r, "/werk").await;
            assert_eq!(page.status, StatusCode::OK, "{url}: {user}: {}", page.body);
            assert!(page.body.contains("<h1>Mijn werk</h1>"), "{url}: {user}");
            assert_eq!(sections(&page.body), *expected, "{url}: {user}");
            assert!(page.body.contains("id=\"nav-start\""), "{url}: {user}: the menu leads back to it");
        }
        // The neighbourhood team sees its households awaiting a first contact by reference.
        let wijkteam = login(&r, "wijkteam").await;
        let page = wijkteam.get(&r, "/werk").await;
        assert!(
            page.body.contains("wachten op een eerste contact") || page.body.contains("wacht op een eerste contact"),
            "{url}"
        );
        assert!(page.body.contains("href=\"/signalen/huishouden/"), "{url}: the first households are linked");
        // The privacy officer sees the open access requests of the demo.
        let privacy = login(&r, "privacy").await;
        let page = privacy.get(&r, "/werk").await;
        assert!(page.body.contains("href=\"/privacy/inzage/"), "{url}: open requests are linked");
        // Policy staff see the programme's late commitments by name.
        let beleid = login(&r, "beleid").await;
        let page = beleid.get(&r, "/werk?lang=en").await;
        assert_eq!(page.status, StatusCode::OK);

        // Signed out: the start page asks to sign in.
        let anonymous = send(&r, axum::http::Method::GET, "/werk", &[], None).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{url}");
    }
}
