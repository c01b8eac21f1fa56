//! The monitor's pages as HTML (the browser suite in e2e/ covers interaction and axe).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use leefwijk_app::testing::{backend_urls, demo_app};
use tower::ServiceExt;

mod common;

async fn page(router: &Router, uri: &str, cookie: Option<&str>) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::builder().uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let response = router.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 10 * 1024 * 1024).await.expect("body");
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[tokio::test]
async fn every_page_renders_with_attribution() {
    for url in backend_urls() {
        let r = leefwijk_web::router(demo_app(&url).await);
        for uri in [
            "/",
            "/?q=centrum",
            "/gemeente/GM9901",
            "/gemeente/GM9901?niveau=buurt&indicator=population",
            "/gebied/WK990101",
            "/gebied/BU99010304",
            "/focusgebieden",
            "/sociale-huur",
            "/indicatoren",
            "/kaart",
            "/kaart?niveau=gemeente&indicator=population",
        ] {
            let (status, headers, body) = page(&r, uri, None).await;
            assert_eq!(status, StatusCode::OK, "{url} {uri}");
            assert!(headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .starts_with("text/html"));
            // The demo's figures are made up: their source line says so and never names CBS.
            if uri != "/indicatoren" {
                assert!(body.contains("Bron: fictieve demogegevens"), "{uri} names the figures' source");
            }
            assert!(!body.contains("Bron: CBS"), "{uri}: fictional figures never say Bron: CBS");
            assert!(body.contains("<html lang=\"nl\""), "{uri} is Dutch by default");
            assert!(!body.contains("<script"), "{uri} needs no JavaScript");
            assert!(!body.contains("style=\""), "{uri}: no inline styles (CSP)");
        }
    }
}

#[tokio::test]
async fn municipality_map_follows_the_chosen_indicator_and_level() {
    let r = leefwijk_web::router(demo_app("sqlite").await);
    let (_, _, wijken) = page(&r, "/gemeente/GM9901", None).await;
    assert_eq!(count(&wijken, "class=\"area\""), 6);
    assert!(wijken.contains("data-indicator=\"pressure_index\""));
    assert!(wijken.contains("id=\"gap-30\""));
    assert!(wijken.contains("<option value=\"population\">"));
    let (_, _, population) = page(&r, "/gemeente/GM9901?indicator=population", None).await;
    assert!(population.contains("data-indicator=\"population\""));
    assert!(population.contains("<option value=\"population\" selected>"));
    assert_ne!(wijken, population);
    let (_, _, buurten) = page(&r, "/gemeente/GM9901?niveau=buurt", None).await;
    assert_eq!(count(&buurten, "class=\"area\""), 24);
    // Table rows as the text alternative: one per area.
    assert_eq!(count(&buurten, "<tr data-fill="), 24);
    // An unknown indicator falls back to the pressure index rather than failing.
    let (status, _, body) = page(&r, "/gemeente/GM9901?indicator=geluk", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("data-indicator=\"pressure_index\""));
}

#[tokio::test]
async fn area_page_shows_rank_drivers_trend_and_withheld_values() {
    let r = leefwijk_web::router(demo_app("sqlite").await);
    let (_, _, body) = page(&r, "/gebied/WK990101", None).await;
    assert!(body.contains("id=\"pressure-score\""));
    assert!(body.contains("van 14 wijken landelijk"));
    assert!(body.contains("id=\"drivers\""));
    assert!(body.contains("Ontwikkeling 2020 – 2022"));
    let (_, _, body) = page(&r, "/gebied/BU99010503", None).await;
    assert!(body.contains("id=\"trend-warning\""), "redrawn buurt is flagged");
    let (_, _, body) = page(&r, "/gebied/BU99010304", None).await;
    assert!(body.contains("geheim (CBS, kleine aantallen)"), "a secret value says why it is missing");
}

#[tokio::test]
async fn english_is_one_click_away_and_remembered() {
    let r = leefwijk_web::router(demo_app("sqlite").await);
    let (_, headers, body) = page(&r, "/gemeente/GM9901?lang=en", None).await;
    assert!(body.contains("<html lang=\"en\""));
    assert!(body.contains("Key figures"));
    let cookie = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(
        cookie.starts_with("lang=en") && cookie.contains("SameSite=Lax") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let (_, _, body) = page(&r, "/focusgebieden", Some("lang=en")).await;
    assert!(body.contains("Focus areas"));
    assert!(body.contains("href=\"/focusgebieden?lang=nl\""), "switch back to Dutch");
}

#[tokio::test]
async fn errors_are_pages_with_a_request_id() {
    let r = leefwijk_web::router(demo_app("sqlite").await);
    for (uri, status, text) in [
        ("/gebied/GM0000", StatusCode::NOT_FOUND, "Leefwijk kent geen gebied met de code GM0000"),
        ("/gebied/Utrecht", StatusCode::BAD_REQUEST, "not a CBS area code"),
        ("/gemeente/WK990101", StatusCode::BAD_REQUEST, "not a municipality"),
        ("/bestaat-niet", StatusCode::NOT_FOUND, "Er is geen pagina op /bestaat-niet"),
    ] {
        let (s, headers, body) = page(&r, uri, None).await;
        assert_eq!(s, status, "{uri}");
        assert!(body.contains(text), "{uri}: {body}");
        let id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(!id.is_empty() && body.contains(&id), "{uri}: the page shows the request id of the response");
    }
}

/// The real Netherlands shipped with Leefwijk beside the fictional demo: the home page keeps
/// them apart, Utrecht's wijken are on a map with their real source, the national wijk map
/// draws the whole country and goes to a phone gzipped well under a megabyte.
#[tokio::test]
async fn the_real_netherlands_beside_the_demo() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::areas::national::load(&app.store).await.expect("national bundle");
        let r = leefwijk_web::router(app);

        let (status, _, home) = page(&r, "/", None).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        let (real, demo) = home.split_once("id=\"demo-title\"").expect("a demo section apart");
        assert!(real.contains("href=\"/gemeente/GM0344\">Utrecht</a>") && !real.contains("(fictief)</a>"), "{url}");
        assert!(demo.contains("(fictief)") && !demo.contains("GM0344"), "{url}");
        assert!(real.contains("Bron: CBS, Kerncijfers wijken en buurten 2022 (StatLine 85318NED)"));
        assert!(demo.contains("Bron: fictieve demogegevens") && !demo.contains("Bron: CBS"));

        let (status, _, utrecht) = page(&r, "/gemeente/GM0344?indicator=avg_woz", None).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert_eq!(count(&utrecht, "class=\"area\""), 10, "{url}: Utrecht's ten wijken");
        assert_eq!(count(&utrecht, "class=\"outline\""), 1, "{url}: the municipality's outline");
        assert!(utrecht.contains("grenzen: CBS, Kadaster – CBS gebiedsindelingen 2022"));
        assert!(utrecht.contains("data-indicator=\"avg_woz\""));
        assert!(!utrecht.contains("value=\"households\""), "{url}: only indicators the wijken have are offered");

        let (status, _, national) = page(&r, "/kaart", None).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert_eq!(count(&national, "class=\"area\""), 3_340, "{url}: every wijk of 2022");
        assert!(count(&national, "class=\"outline\"") >= 340, "{url}: municipal outlines");
        assert!(!national.contains("data-code=\"WK99"), "{url}: no fictional wijk on the map of the Netherlands");
        assert!(national.contains("3.340 gebieden"));
        let (status, _, second) = page(&r, "/kaart?pagina=2", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(second.contains("rij 101–200 van 3.340"), "{url}");
        let (status, _, _) = page(&r, "/kaart?pagina=99", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let gz = r
            .clone()
            .oneshot(
                Request::builder()
                    .uri("/kaart")
                    .header(header::ACCEPT_ENCODING, "gzip")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await
            .expect("response");
        assert_eq!(gz.headers().get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("gzip"));
        assert_eq!(gz.headers().get(header::VARY).and_then(|v| v.to_str().ok()), Some("accept-encoding"));
        let bytes = axum::body::to_bytes(gz.into_body(), 10 * 1024 * 1024).await.expect("body");
        assert!(bytes.len() < 1024 * 1024, "{url}: the national wijk map is {} bytes gzipped", bytes.len());
        // The kept, gzipped page is the page.
        let mut unzipped = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut unzipped).expect("gzip");
        assert_eq!(unzipped, national, "{url}");
        // What is kept for visitors without a session is never shown to someone signed in,
        // and the other way round.
        let me = common::login(&r, "beleid").await;
        let signed_in = me.get(&r, "/kaart").await;
        assert!(signed_in.body.contains("id=\"logout\"") && signed_in.body.contains("3.340 gebieden"), "{url}");
        let (_, _, again) = page(&r, "/kaart", None).await;
        assert!(!again.contains("id=\"logout\"") && again == national, "{url}");
        // Another language or indicator is another page.
        let (_, _, english) = page(&r, "/kaart?lang=en&indicator=population", None).await;
        assert!(
            english.contains("Map of the Netherlands") && english.contains("data-indicator=\"population\""),
            "{url}"
        );
    }
}
