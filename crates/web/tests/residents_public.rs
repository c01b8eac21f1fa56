//! The residents' public front door and neighbourhood page, and the abuse limits every
//! public form shares, on SQLite and PostgreSQL: the page shows CBS key figures with the
//! source, outreach counts only under disclosure control and the programmes covering the
//! area; a postcode finds the buurt; every public form is rate limited per client (429 with
//! Retry-After, nothing stored) and refuses oversized bodies.

mod common;

use axum::http::{Method, StatusCode};
use common::send;
use leefwijk_app::residents::limits::RateLimit;
use leefwijk_app::residents::ResidentsConfig;
use leefwijk_app::testing::{backend_urls, demo_app};
use leefwijk_web::access_table::rules;

#[tokio::test]
async fn neighbourhood_page_shows_figures_programme_and_ways_in() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_signals(&app).await.expect("demo signals");
        leefwijk_app::demo::load_programme(&app).await.expect("demo programme");
        leefwijk_app::demo::load_residents(&app).await.expect("demo residents");
        let r = leefwijk_web::router(app.clone());

        // The buurt BU99010102 lies in WK990101, which the demo programme covers.
        let json = send(&r, Method::GET, "/api/v1/neighbourhoods/BU99010102", &[], None).await;
        assert_eq!(json.status, StatusCode::OK, "{url}: {}", json.body);
        let n = json.json();
        assert_eq!(n["detail"]["area"]["code"], "BU99010102");
        let programmes = n["programmes"].as_array().expect("list");
        assert_eq!(programmes.len(), 1, "{url}: the demo programme covers the wijk of this buurt");
        assert_eq!(programmes[0]["name"], leefwijk_app::demo::DEMO_PROGRAMME_NAME);
        assert!(!programmes[0]["goals"].as_array().expect("goals").is_empty());
        // Outreach counts are either hidden or rounded to the disclosure step.
        for key in ["signals", "cases"] {
            let v = &n["outreach"][key];
            assert!(v.is_null() || v.as_u64().is_some_and(|c| c % 5 == 0), "{url}: {key} = {v} is not controlled");
        }
        // Reports per category under the same control; the residents' parts of the area.
        let categories = n["reports"]["categories"].as_array().expect("categories");
        assert_eq!(categories.len(), 6, "{url}: the six top categories");
        for c in categories {
            for key in ["open", "closed", "total"] {
                let v = &c[key];
                assert!(v.is_null() || v.as_u64().is_some_and(|c| c % 5 == 0), "{url}: report {key} = {v}");
            }
        }
        assert!(n["participation"]["open_rounds"].is_array() && n["surveys"].is_array());
        // The demo's survey is linked to the programme of this wijk.
        assert!(!n["surveys"].as_array().expect("surveys").is_empty(), "{url}: {}", n["surveys"]);
        // A buurt outside the programme's wijken has none.
        let other = send(&r, Method::GET, "/api/v1/neighbourhoods/BU99010601", &[], None).await.json();
        assert_eq!(other["programmes"].as_array().map(Vec::len), Some(0), "{url}");

        let page = send(&r, Method::GET, "/buurt/BU99010102", &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Bron: fictieve demogegevens"), "the demo's figures say they are made up");
        assert!(!page.body.contains("Bron: CBS"), "and never name CBS");
        assert!(page.body.contains("href=\"/melden?buurt=BU99010102\""), "a report starts in this buurt");
        assert!(page.body.contains(leefwijk_app::demo::DEMO_PROGRAMME_NAME));
        assert!(page.body.contains("id=\"outreach-figures\""));
        assert!(page.body.contains("id=\"report-counts\"") && page.body.contains("id=\"participation\""));
        // A wijk page lists its buurten.
        let wijk = send(&r, Method::GET, "/buurt/WK990101?lang=en", &[], None).await;
        assert!(wijk.body.contains("href=\"/buurt/BU99010101\""), "{}", wijk.body);
        assert!(wijk.body.contains("Neighbourhoods in this district"));

        let missing = send(&r, Method::GET, "/api/v1/neighbourhoods/BU00000000", &[], None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{url}");
        assert_eq!(missing.content_type(), "application/problem+json");
        let bad = send(&r, Method::GET, "/api/v1/neighbourhoods/xyz", &[], None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{url}");
    }
}

#[tokio::test]
async fn a_postcode_finds_the_buurt() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_signals(&app).await.expect("demo signals");
        let r = leefwijk_web::router(app);
        let (postcode, buurt) = leefwijk_app::demo::demo_postcodes()[5].clone();
        let spaced = format!("{}+{}", &postcode[..4], postcode[4..].to_lowercase());
        let found = send(&r, Method::GET, &format!("/bewoners?postcode={spaced}"), &[], None).await;
        assert_eq!(found.status, StatusCode::SEE_OTHER, "{url}: {}", found.body);
        assert_eq!(found.headers["location"], format!("/buurt/{buurt}").as_str());

        let invalid = send(&r, Method::GET, "/bewoners?postcode=12345", &[], None).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(invalid.body.contains("vier cijfers en twee letters"), "says what a postcode looks like");
        assert!(invalid.body.contains("value=\"12345\""), "keeps what was typed");
        let unknown = send(&r, Method::GET, "/bewoners?postcode=1011AB", &[], None).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.body.contains("Deze postcode kennen we niet"));
        // What was typed comes back escaped, never as markup.
        let injected = send(&r, Method::GET, "/bewoners?postcode=%3Cscript%3E", &[], None).await;
        assert!(!injected.body.contains("<script>"), "input is escaped");
        assert!(injected.body.contains("value=\"&#60;script&#62;\""), "{}", injected.body);
    }
}

fn forms() -> Vec<&'static leefwijk_web::access_table::Rule> {
    rules().filter(|r| r.rate_limited).collect()
}

#[tokio::test]
async fn every_public_form_is_rate_limited_per_client() {
    assert!(!forms().is_empty(), "the residents' forms are in the access table");
    for r in forms() {
        assert_eq!(r.method, "POST", "{}: only posts are limited", r.path);
    }
    for url in backend_urls() {
        let config = ResidentsConfig {
            rate_limit: RateLimit { max_posts: 3, window_seconds: 3600, trust_forwarded_for: true },
            ..ResidentsConfig::default()
        };
        let app = demo_app(&url).await.with_residents(config);
        let router = leefwijk_web::router(app);
        for rule in forms() {
            let uri =
                rule.path.replace("{id}", "1").replace("{token}", "unknown-token").replace("{code}", "BU99010101");
            let post = |client: &'static str| {
                let router = router.clone();
                let uri = uri.clone();
                async move {
                    send(
                        &router,
                        Method::POST,
                        &uri,
                        &[("content-type", "application/x-www-form-urlencoded"), ("x-forwarded-for", client)],
                        Some(String::new()),
                    )
                    .await
                }
            };
            for attempt in 1..=3 {
                let reply = post("192.0.2.10").await;
                assert_ne!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{url} {uri}: attempt {attempt} is allowed");
                assert!(!reply.status.is_server_error(), "{url} {uri}: {} {}", reply.status, reply.body);
            }
            let refused = post("192.0.2.10").await;
            assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{url} {uri}");
            let retry: u64 = refused.headers["retry-after"].to_str().expect("ascii").parse().expect("seconds");
            assert!((1..=3600).contains(&retry), "{retry}");
            if uri.starts_with("/api/") {
                assert_eq!(refused.content_type(), "application/problem+json");
                assert!(refused.json()["detail"].as_str().is_some_and(|d| d.contains("Nothing was stored")));
            } else {
                assert!(refused.body.contains("Er is niets opgeslagen"), "{}", refused.body);
            }
            // Another client is not affected by the first one's posts.
            let other = post("192.0.2.11").await;
            assert_ne!(other.status, StatusCode::TOO_MANY_REQUESTS, "{url} {uri}: limits are per client");
        }
    }
}

#[tokio::test]
async fn every_public_form_refuses_oversized_bodies() {
    let url = backend_urls().into_iter().next().expect("sqlite");
    let router = leefwijk_web::router(demo_app(&url).await);
    // Larger than any limit a public form allows (a photo is at most a few megabytes).
    let huge = "x".repeat(24 * 1024 * 1024);
    for rule in forms() {
        let uri = rule.path.replace("{id}", "1").replace("{token}", "unknown-token").replace("{code}", "BU99010101");
        for content_type in ["application/x-www-form-urlencoded", "application/json"] {
            let reply =
                send(&router, Method::POST, &uri, &[("content-type", content_type)], Some(format!("a={huge}"))).await;
            assert!(reply.status.is_client_error(), "{uri} ({content_type}) took a 24 MB body: {}", reply.status);
        }
    }
}
