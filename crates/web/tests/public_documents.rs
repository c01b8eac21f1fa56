//! What Leefwijk publishes for anyone, without signing in (issue 20), on SQLite and
//! PostgreSQL: the data-exchange covenant in force per collaboration as a page
//! (`/openbaar/convenant`) and as JSON (`/api/v1/convenant`) that say the same thing, with
//! parties, purposes, legal grounds, retention and version history and without any person
//! (no user's name or id, no pseudonym); and the accessibility statement
//! (`/toegankelijkheid`) with the browser suite's committed axe results. Both are linked
//! from every page's footer.

mod common;

use axum::http::{Method, StatusCode};
use common::{send, Reply};
use leefwijk_app::testing::{backend_urls, full_demo_app};
use leefwijk_store::testing::raw_strings;

/// Text as askama writes it into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// A `YYYY-MM-DD` date the way Dutch pages write it ("7 dec 2026").
fn dutch_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
    let parts: Vec<u32> = iso.split('-').map(|p| p.parse().expect("a date")).collect();
    format!("{} {} {}", parts[2], MONTHS[parts[1] as usize - 1], parts[0])
}

async fn get(router: &axum::Router, uri: &str) -> Reply {
    send(router, Method::GET, uri, &[], None).await
}

#[tokio::test]
async fn the_covenant_in_force_is_public_as_a_page_and_as_the_same_json_without_people() {
    for url in backend_urls() {
        let app = full_demo_app(&url).await;
        let r = leefwijk_web::router(app.clone());
        let sample = leefwijk_app::access::covenant::parse(leefwijk_app::access::covenant::SAMPLE_COVENANT)
            .expect("the demo's covenant");

        // The export: every collaboration with a covenant, by name.
        let all = get(&r, "/api/v1/convenant").await;
        assert_eq!(all.status, StatusCode::OK, "{url}: {}", all.body);
        assert!(all.content_type().starts_with("application/json"));
        let doc = all.json();
        let collaborations = doc["collaborations"].as_array().expect("collaborations");
        let names: Vec<&str> = collaborations.iter().filter_map(|c| c["collaboration"]["name"].as_str()).collect();
        assert_eq!(names, ["Wijkaanpak Dijkhoven (fictief)", "Wijkaanpak Wijkerveen (fictief)"], "{url}");

        // The page without a choice shows the first collaboration and offers the others.
        let first = get(&r, "/openbaar/convenant").await;
        assert_eq!(first.status, StatusCode::OK, "{url}: {}", first.body);
        assert!(first.body.contains("id=\"collaboration-choice\""), "several collaborations: a choice");
        for name in &names {
            assert!(first.body.contains(&format!(">{}</option>", escaped(name))), "{url}: {name} to choose");
        }
        assert!(first.body.contains("<dd id=\"collaboration-name\">Wijkaanpak Dijkhoven (fictief)</dd>"));

        for c in collaborations {
            let id = c["collaboration"]["id"].as_str().expect("id");
            let one = get(&r, &format!("/api/v1/convenant?collaboration={id}")).await;
            assert_eq!(one.status, StatusCode::OK, "{url}: {}", one.body);
            assert_eq!(one.json()["collaborations"], serde_json::json!([c]), "{url}: one collaboration, the same");

            let page = get(&r, &format!("/openbaar/convenant?samenwerking={id}")).await;
            assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.body);
            let body = &page.body;
            let shows = |what: &str, text: &str| {
                assert!(body.contains(&escaped(text)), "{url} {id}: the page shows the {what} {text:?}");
            };
            assert!(body.contains(&format!("<option value=\"{id}\" selected>")), "{url}: {id} chosen");
            shows("collaboration", c["collaboration"]["name"].as_str().expect("name"));
            shows("title", c["title"].as_str().expect("title"));
            shows("controller", c["controller"].as_str().expect("controller"));
            assert!(body.contains(&format!("<dd id=\"covenant-version\">{}</dd>", c["version"])), "{url}: version");
            shows("start date", &dutch_date(c["valid_from"].as_str().expect("valid_from")));
            let parties = c["parties"].as_array().expect("parties");
            assert_eq!(parties.len(), sample.parties.len(), "{url}: the demo covenant's parties");
            for p in parties {
                shows("party", p["name"].as_str().expect("party name"));
            }
            assert!(body.contains("<td>woningcorporatie</td>"), "{url}: kinds by name");
            let purposes = c["purposes"].as_array().expect("purposes");
            assert_eq!(purposes.len(), sample.purposes.len(), "{url}: the demo covenant's purposes");
            for t in purposes {
                shows("purpose", t["name_nl"].as_str().expect("name"));
                shows("description", t["description"].as_str().expect("description"));
                shows("legal ground", t["avg_art6"].as_str().expect("art. 6"));
                shows("law", t["law"].as_str().expect("law"));
                if let Some(art9) = t["avg_art9"].as_str() {
                    shows("art. 9 exception", art9);
                }
                assert!(!t["retention"].as_array().expect("retention").is_empty());
            }
            // Retention in days, grants by name (roles and data categories).
            assert!(body.contains("Gezondheidsgegevens (bijzonder): 1.825 dagen"), "{url}: retention");
            assert!(body.contains("koppeling (API)"), "{url}: a partner system's role by name");
            // The version history: number, start and the day it was loaded.
            let versions = c["versions"].as_array().expect("versions");
            assert!(!versions.is_empty());
            assert_eq!(versions[0]["version"], c["version"], "{url}: newest first");
            for v in versions {
                assert!(body.contains(&format!("<th scope=\"row\">{}", v["version"])), "{url}: version row");
                shows("loading date", &dutch_date(v["loaded_on"].as_str().expect("loaded_on")));
            }
            assert!(body.contains("(geldt nu)"), "{url}: the version in force is marked");
            // English: the same covenant, the parties' own Dutch text marked as Dutch.
            let en = get(&r, &format!("/openbaar/convenant?samenwerking={id}&lang=en")).await;
            assert_eq!(en.status, StatusCode::OK);
            assert!(en.body.contains("Data-exchange covenant") && en.body.contains("Health data (special category)"));
            assert!(en.body.contains(&format!(
                "<dd id=\"covenant-title\" lang=\"nl\">{}</dd>",
                escaped(c["title"].as_str().expect("title"))
            )));
        }

        // No person anywhere: neither a user (name or id) nor a pseudonym of the demo's
        // residents, in the page, its English version or the export.
        let mut people = raw_strings(&app.store, "SELECT display_name FROM users").await.expect("users");
        people.extend(raw_strings(&app.store, "SELECT id FROM users").await.expect("user ids"));
        let mut pseudonyms = raw_strings(&app.store, "SELECT DISTINCT subject FROM audit_log").await.expect("subjects");
        pseudonyms.extend(raw_strings(&app.store, "SELECT pseudonym FROM person_vault").await.expect("vault"));
        pseudonyms.retain(|p| p.len() >= 16);
        assert!(people.len() >= 8 && pseudonyms.len() >= 10, "{url}: the demo has people to leak");
        for uri in [
            "/openbaar/convenant?samenwerking=wijkerveen",
            "/openbaar/convenant?samenwerking=dijkhoven&lang=en",
            "/api/v1/convenant",
        ] {
            let reply = get(&r, uri).await;
            for who in people.iter().chain(&pseudonyms) {
                assert!(!reply.body.contains(who.as_str()), "{url}: {uri} shows {who:?}");
            }
            assert!(!reply.body.contains("Uitloggen"), "{url}: {uri} is read without signing in");
        }

        // Asking for a collaboration that does not exist.
        let missing = get(&r, "/openbaar/convenant?samenwerking=nergens").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{url}");
        let missing = get(&r, "/api/v1/convenant?collaboration=nergens").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{url}");
        assert_eq!(missing.content_type(), "application/problem+json");
    }
}

#[tokio::test]
async fn one_collaboration_needs_no_choice_and_none_says_so() {
    for url in backend_urls() {
        let app = leefwijk_app::testing::empty_app(&url).await;
        let r = leefwijk_web::router(app.clone());
        let none = get(&r, "/openbaar/convenant").await;
        assert_eq!(none.status, StatusCode::OK, "{url}: {}", none.body);
        assert!(none.body.contains("id=\"no-covenant\""), "{url}: nothing published yet");
        assert_eq!(get(&r, "/api/v1/convenant").await.json()["collaborations"], serde_json::json!([]));

        leefwijk_app::access::covenant::load(&app.store, leefwijk_app::access::covenant::SAMPLE_COVENANT)
            .await
            .expect("covenant");
        app.store
            .create_tenant(
                "enige",
                "Wijkaanpak Enige (fictief)",
                Some(leefwijk_app::access::covenant::SAMPLE_COVENANT_ID),
                0,
            )
            .await
            .expect("tenant");
        let one = get(&r, "/openbaar/convenant").await;
        assert_eq!(one.status, StatusCode::OK, "{url}");
        assert!(!one.body.contains("id=\"collaboration-choice\""), "{url}: one collaboration, nothing to choose");
        assert!(one.body.contains("<dd id=\"collaboration-name\">Wijkaanpak Enige (fictief)</dd>"));
    }
}

#[tokio::test]
async fn the_accessibility_statement_is_public_and_shows_the_committed_axe_results() {
    let url = backend_urls().into_iter().next().expect("a backend");
    let r = leefwijk_web::router(leefwijk_app::testing::demo_app(&url).await);
    let results: serde_json::Value =
        serde_json::from_str(include_str!("../../../docs/accessibility/axe-results.json")).expect("results");

    let page = get(&r, "/toegankelijkheid").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    for heading in [
        "Toegankelijkheidsverklaring",
        "Nalevingsstatus",
        "Datum en methode van de laatste test",
        "Reikwijdte",
        "Uitslag van de laatste test",
        "Bekende beperkingen",
        "Feedback en contact",
        "Handhavingsprocedure",
    ] {
        // Long words carry a soft hyphen, to break on a phone.
        let plain = body.replace("&shy;", "");
        assert!(plain.contains(&format!(">{heading}</h")), "the statement has the heading {heading}");
    }
    assert!(body.contains("WCAG") && body.contains("2.1 op niveau AA") && body.contains("EN 301 549"));
    let date = dutch_date(results["date"].as_str().expect("date"));
    assert!(body.contains(&format!("<strong>{date}</strong>")), "the date of the test run: {date}");
    assert!(body.contains(&format!("<code>{}</code>", results["chromium"].as_str().expect("chromium"))));
    assert!(body.contains(&format!("<code>{}</code>", results["axe"].as_str().expect("axe"))));
    assert!(body.contains(&format!("<strong id=\"page-type-count\">{}</strong>", results["page_types"])));
    assert!(body.contains(&format!("<strong id=\"violation-total\">{}</strong>", results["violations_total"])));
    let pages = results["pages"].as_array().expect("pages");
    assert!(pages.len() >= 40, "the committed results cover the product: {} page types", pages.len());
    for p in pages {
        let t = p["page_type"].as_str().expect("page type");
        assert!(body.contains(&format!("<code>{}</code>", escaped(t))), "the results list {t}");
    }
    assert!(pages.iter().any(|p| p["page_type"] == "/toegankelijkheid"), "the statement was tested itself");
    assert!(pages.iter().any(|p| p["page_type"] == "/openbaar/convenant"), "and so was the covenant");

    let en = get(&r, "/toegankelijkheid?lang=en").await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains("Accessibility statement") && en.body.contains("Known limitations"));

    // Every page links both publications from its footer.
    for uri in ["/", "/bewoners", "/inloggen"] {
        let reply = get(&r, uri).await;
        assert!(reply.body.contains("href=\"/toegankelijkheid\""), "{uri} links the statement");
        assert!(reply.body.contains("href=\"/openbaar/convenant\""), "{uri} links the covenant");
    }
}
