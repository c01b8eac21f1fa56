//! API tests of the neighbourhood monitor, on SQLite and (when configured) PostgreSQL.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use leefwijk_app::testing::{backend_urls, demo_app, empty_app};
use serde_json::Value;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn assert_problem(&self, status: StatusCode, detail_contains: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type, "application/problem+json", "{}", self.body);
        let p = self.json();
        assert_eq!(p["status"], status.as_u16());
        assert!(
            p["detail"].as_str().unwrap_or_default().contains(detail_contains),
            "detail {:?} lacks {detail_contains:?}",
            p["detail"]
        );
        assert!(p["request_id"].as_str().map(|s| !s.is_empty()).unwrap_or(false), "request id missing: {}", self.body);
        assert!(p["code"].is_string() && p["type"].is_string() && p["title"].is_string());
    }
}

async fn call(router: &Router, method: Method, uri: &str, accept: Option<&str>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    let response = router.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let bytes = axum::body::to_bytes(response.into_body(), 50 * 1024 * 1024).await.expect("body");
    Reply { status, content_type, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(router: &Router, uri: &str) -> Reply {
    call(router, Method::GET, uri, None).await
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let mut rows = vec![reader.headers().expect("header").iter().map(String::from).collect()];
    rows.extend(reader.records().map(|r| r.expect("row").iter().map(String::from).collect()));
    rows
}

async fn routers() -> Vec<(String, Router)> {
    let mut out = Vec::new();
    for url in backend_urls() {
        let name = if url == "sqlite" { "sqlite".to_string() } else { "postgres".to_string() };
        out.push((name, leefwijk_web::router(demo_app(&url).await)));
    }
    out
}

#[tokio::test]
async fn area_search_filters_by_name_kind_and_parent() {
    for (db, r) in routers().await {
        let reply = get(&r, "/api/v1/areas?q=centrum").await;
        assert_eq!(reply.status, StatusCode::OK, "{db}");
        let body = reply.json();
        assert_eq!(body["year"], 2022, "{db}: newest year by default");
        assert_eq!(body["areas"][0]["code"], "WK990101", "{db}");
        assert_eq!(body["areas"][0]["municipality"]["code"], "GM9901");
        let source = body["source"].as_str().unwrap_or_default();
        assert!(source.contains("fictieve demogegevens") && !source.contains("CBS"), "{db}: {source}");

        let body = get(&r, "/api/v1/areas?kind=wijk&parent=GM9901").await.json();
        assert_eq!(body["count"], 6, "{db}");
        let body = get(&r, "/api/v1/areas?kind=buurt&parent=GM9901&limit=1000").await.json();
        assert_eq!(body["count"], 24, "{db}: a municipality lists its buurten too");
        let body = get(&r, "/api/v1/areas?kind=gemeente&year=2020").await.json();
        assert_eq!(body["count"], 4, "{db}");
        assert_eq!(body["year"], 2020);
        let body = get(&r, "/api/v1/areas?q=GM990").await.json();
        assert_eq!(body["count"], 4, "{db}: code prefix search");

        get(&r, "/api/v1/areas?kind=provincie").await.assert_problem(StatusCode::BAD_REQUEST, "kind 'provincie'");
        get(&r, "/api/v1/areas?limit=0").await.assert_problem(StatusCode::BAD_REQUEST, "limit '0'");
        get(&r, "/api/v1/areas?year=twintig").await.assert_problem(StatusCode::BAD_REQUEST, "year 'twintig'");
        get(&r, "/api/v1/areas?year=2019").await.assert_problem(StatusCode::NOT_FOUND, "2019");
        get(&r, "/api/v1/areas?parent=GM1").await.assert_problem(StatusCode::BAD_REQUEST, "parent");
        call(&r, Method::GET, "/api/v1/areas", Some("application/xml"))
            .await
            .assert_problem(StatusCode::NOT_ACCEPTABLE, "text/csv");

        let csv = get(&r, "/api/v1/areas.csv?kind=wijk&parent=GM9901").await;
        assert_eq!(csv.content_type, "text/csv; charset=utf-8");
        let rows = csv_rows(&csv.body);
        assert_eq!(rows[0][0], "code");
        assert_eq!(rows.len(), 7, "{db}: header plus six wijken");
        let accept_csv = call(&r, Method::GET, "/api/v1/areas?kind=wijk&parent=GM9901", Some("text/csv")).await;
        assert_eq!(accept_csv.body, csv.body);
    }
}

#[tokio::test]
async fn area_detail_has_figures_rank_drivers_children_comparables_and_trend() {
    for (db, r) in routers().await {
        let reply = get(&r, "/api/v1/areas/GM9901").await;
        assert_eq!(reply.status, StatusCode::OK, "{db}: {}", reply.body);
        let a = reply.json();
        assert_eq!(a["area"]["name"], "Wijkerveen (fictief)");
        assert_eq!(a["children"].as_array().map(Vec::len), Some(6), "{db}");
        assert_eq!(a["ancestors"].as_array().map(Vec::len), Some(0), "{db}: no fictional country");
        assert_eq!(a["fictional"], true);
        assert_eq!(a["years"], serde_json::json!([2022, 2020]));
        let indicator = |key: &str| {
            a["indicators"].as_array().and_then(|v| v.iter().find(|i| i["key"] == key).cloned()).unwrap_or(Value::Null)
        };
        let stock = indicator("housing_stock")["value"].as_f64().expect("stock");
        let share = indicator("social_share")["value"].as_f64().expect("share");
        let gap = indicator("social_gap_30")["value"].as_f64().expect("gap");
        let social = (share / 100.0 * stock).round();
        assert_eq!(gap, leefwijk_domain::figures::social_gap(stock, social, 0.30), "{db}");
        assert!(
            indicator("population")["national"].is_null(),
            "{db}: a fictional area is never compared with the Netherlands"
        );
        assert_eq!(indicator("population")["year"], 2022);
        assert_eq!(a["pressure"]["ranked_of"], 4, "{db}: four municipalities");
        assert!(a["pressure"]["drivers"].as_array().map(|d| !d.is_empty()).unwrap_or(false));
        assert_eq!(a["trend"]["from_year"], 2020);
        assert_eq!(a["trend"]["comparability"], "comparable");
        assert_eq!(a["comparable"].as_array().map(Vec::len), Some(3), "{db}: the other three municipalities");
        assert_eq!(a["source"], "Bron: fictieve demogegevens van Leefwijk, geen echte cijfers");

        // A redrawn buurt: its trend is flagged, not silently compared.
        let b = get(&r, "/api/v1/areas/BU99010503").await.json();
        assert_eq!(b["trend"]["comparability"], "boundary_changed", "{db}");
        // A buurt with CBS-secret values: missing, with the reason, never zero.
        let b = get(&r, "/api/v1/areas/BU99010304").await.json();
        let low_income = b["indicators"]
            .as_array()
            .and_then(|v| v.iter().find(|i| i["key"] == "pct_low_income_households").cloned())
            .expect("listed");
        assert_eq!(low_income["value"], Value::Null, "{db}");
        assert_eq!(low_income["missing"], "secret");
        assert_eq!(b["pressure"]["score"], Value::Null, "{db}: too few inhabitants to score");

        let csv = get(&r, "/api/v1/areas/GM9901.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        let rows = csv_rows(&csv.body);
        assert!(rows.iter().any(|row| row[2] == "social_gap_30" && row[5] == gap.to_string()), "{db}");
        assert_eq!(call(&r, Method::GET, "/api/v1/areas/GM9901", Some("text/csv")).await.body, csv.body);

        get(&r, "/api/v1/areas/GM0000").await.assert_problem(StatusCode::NOT_FOUND, "GM0000");
        get(&r, "/api/v1/areas/Amsterdam").await.assert_problem(StatusCode::BAD_REQUEST, "not a CBS area code");
        get(&r, "/api/v1/areas/GM9901?year=1800").await.assert_problem(StatusCode::BAD_REQUEST, "year '1800'");
        call(&r, Method::GET, "/api/v1/areas/GM9901", Some("image/png"))
            .await
            .assert_problem(StatusCode::NOT_ACCEPTABLE, "image/png");
    }
}

#[tokio::test]
async fn geojson_of_an_area() {
    for (db, r) in routers().await {
        let reply = get(&r, "/api/v1/areas/WK990101/geojson").await;
        assert_eq!(reply.status, StatusCode::OK, "{db}");
        assert_eq!(reply.content_type, "application/geo+json");
        let f = reply.json();
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        assert!(f["geometry"]["coordinates"][0][0].as_array().map(|r| r.len() >= 4).unwrap_or(false));
        assert_eq!(f["properties"]["code"], "WK990101");
        assert!(f["properties"]["population"].as_f64().is_some());
        get(&r, "/api/v1/areas/WK000000/geojson").await.assert_problem(StatusCode::NOT_FOUND, "WK000000");
        call(&r, Method::GET, "/api/v1/areas/WK990101/geojson", Some("text/csv"))
            .await
            .assert_problem(StatusCode::NOT_ACCEPTABLE, "geo+json");
    }
}

#[tokio::test]
async fn rankings_sort_and_rank_within_an_area() {
    for (db, r) in routers().await {
        let body = get(&r, "/api/v1/rankings?indicator=population&kind=wijk&within=GM9901").await.json();
        let rows = body["rows"].as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 6, "{db}");
        let values: Vec<f64> = rows.iter().filter_map(|r| r["value"].as_f64()).collect();
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "{db}: highest first");
        let ranks: Vec<u64> = rows.iter().filter_map(|r| r["rank"].as_u64()).collect();
        assert_eq!(ranks, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(body["within"]["code"], "GM9901");

        let body = get(&r, "/api/v1/rankings").await.json();
        assert_eq!(body["indicator"], "pressure_index", "{db}: default indicator");
        assert_eq!(body["kind"], "wijk");
        assert_eq!(body["rows"].as_array().map(Vec::len), Some(14));

        // Paging: a window on the whole ranking, ranks unchanged.
        let page = get(&r, "/api/v1/rankings?indicator=population&kind=buurt&limit=10&offset=20").await.json();
        let ranks: Vec<u64> =
            page["rows"].as_array().map(|v| v.iter().filter_map(|r| r["rank"].as_u64()).collect()).unwrap_or_default();
        assert_eq!(ranks, (21..=30).collect::<Vec<u64>>(), "{db}");
        get(&r, "/api/v1/rankings?limit=0").await.assert_problem(StatusCode::BAD_REQUEST, "limit '0'");
        get(&r, "/api/v1/rankings?offset=-1").await.assert_problem(StatusCode::BAD_REQUEST, "offset '-1'");

        let body = get(&r, "/api/v1/rankings?indicator=low_income_share&kind=buurt").await.json();
        assert!(body["without_value"].as_u64().unwrap_or(0) >= 1, "{db}: secret cells are counted, not ranked");

        get(&r, "/api/v1/rankings?indicator=geluk")
            .await
            .assert_problem(StatusCode::BAD_REQUEST, "unknown indicator 'geluk'");
        get(&r, "/api/v1/rankings?kind=straat").await.assert_problem(StatusCode::BAD_REQUEST, "kind 'straat'");
        get(&r, "/api/v1/rankings?within=GM0001").await.assert_problem(StatusCode::NOT_FOUND, "GM0001");

        let csv = csv_rows(&get(&r, "/api/v1/rankings.csv?indicator=population&kind=wijk&within=GM9901").await.body);
        assert_eq!(csv.len(), 7);
        assert_eq!(csv[1][0], "1");
    }
}

#[tokio::test]
async fn social_share_lists_every_municipality_with_its_gap() {
    for (db, r) in routers().await {
        let body = get(&r, "/api/v1/housing/social-share").await.json();
        assert_eq!(body["target_percent"], 30.0);
        let rows = body["municipalities"].as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 4, "{db}");
        for m in &rows {
            let stock = m["housing_stock"].as_f64().expect("stock");
            let homes = m["social_homes"].as_f64().expect("homes");
            let gap = m["gap_to_30"].as_f64().expect("gap");
            assert!(gap >= 0.0);
            assert_eq!(gap, leefwijk_domain::figures::social_gap(stock, homes, 0.30), "{db}: {}", m["code"]);
        }
        let csv = csv_rows(&get(&r, "/api/v1/housing/social-share.csv").await.body);
        assert_eq!(
            csv[0],
            vec!["code", "name", "housing_stock", "social_share", "social_homes", "gap_to_30", "year", "source"]
        );
        assert_eq!(csv.len(), 5);
        get(&r, "/api/v1/housing/social-share?year=abc").await.assert_problem(StatusCode::BAD_REQUEST, "year 'abc'");
    }
}

#[tokio::test]
async fn focus_areas_indicators_and_health() {
    for (db, r) in routers().await {
        let body = get(&r, "/api/v1/focus-areas").await.json();
        let areas = body["areas"].as_array().cloned().unwrap_or_default();
        assert!(!areas.is_empty(), "{db}: the demo has wijken above average pressure");
        assert!(areas
            .iter()
            .all(|a| a["area"]["kind"] == "wijk" && a["area"]["pressure_index"].as_f64().unwrap_or(0.0) > 0.0));
        assert_eq!(areas[0]["rank"], 1);
        assert!(get(&r, "/api/v1/focus-areas.csv").await.body.starts_with("rank,code"));

        let catalogue = get(&r, "/api/v1/indicators").await.json();
        let entries = catalogue.as_array().cloned().unwrap_or_default();
        assert!(entries
            .iter()
            .any(|e| e["key"] == "social_gap_30" && e["formula"].as_str().unwrap_or_default().contains("0.30")));
        assert!(entries.iter().any(|e| e["key"] == "difficulty_making_ends_meet" && e["pressure_weight"] == 1.0));
        assert!(entries
            .iter()
            .any(|e| e["key"] == "lonely" && e["source"].as_str().unwrap_or_default().starts_with("RIVM")));
        assert!(get(&r, "/api/v1/indicators.csv").await.body.starts_with("key,name_nl"));

        let health = get(&r, "/api/v1/health").await.json();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["database"], db.as_str());
    }
}

#[tokio::test]
async fn unknown_routes_methods_and_empty_databases_get_problems() {
    for url in backend_urls() {
        let r = leefwijk_web::router(empty_app(&url).await);
        get(&r, "/api/v1/areas").await.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "leefwijk import cbs-kwb");
        get(&r, "/api/v1/nothing-here").await.assert_problem(StatusCode::NOT_FOUND, "/api/v1/nothing-here");
        call(&r, Method::POST, "/api/v1/areas", None).await.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "GET");
        // The page says the same in Dutch, with the request id.
        let page = get(&r, "/").await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(page.body.contains("Er zijn nog geen cijfers"));
        assert!(page.body.contains("id=\"request-id\""));
    }
}

#[tokio::test]
async fn every_response_has_security_headers_and_a_request_id() {
    let r = leefwijk_web::router(demo_app("sqlite").await);
    for uri in ["/favicon.ico", "/assets/favicon.svg"] {
        let reply = get(&r, uri).await;
        assert_eq!((reply.status, reply.content_type.as_str()), (StatusCode::OK, "image/svg+xml"), "{uri}");
    }
    for uri in ["/", "/api/v1/areas", "/api/v1/areas/XX", "/assets/app.css", "/nope"] {
        let reply = get(&r, uri).await;
        let h = &reply.headers;
        let csp = h.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()), Some(&b"nosniff"[..]), "{uri}");
        assert!(h.get("x-request-id").is_some(), "{uri}");
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "{uri}: no HSTS on plain HTTP");
    }
    // Every API answer names the API's full version (NL API Design Rules).
    assert_eq!(
        get(&r, "/api/v1/areas").await.headers.get("api-version").and_then(|v| v.to_str().ok()),
        Some(leefwijk_web::api::API_VERSION)
    );
    assert!(get(&r, "/api/v1/nope").await.headers.get("api-version").is_some(), "also on errors");
    // No API answer is kept in a cache; a public page without a session may be.
    assert_eq!(
        get(&r, "/api/v1/areas").await.headers.get(header::CACHE_CONTROL).map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
    assert!(get(&r, "/kaart").await.headers.get(header::CACHE_CONTROL).is_none());
    // What the framework refuses itself is a problem document too.
    let big = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/access-requests")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(vec![b' '; 3 * 1024 * 1024]))
        .expect("request");
    let response = r.clone().oneshot(big).await.expect("response");
    let status = response.status();
    let content_type =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let body = axum::body::to_bytes(response.into_body(), 1024 * 1024).await.expect("body");
    let reply =
        Reply { status, content_type, headers: Default::default(), body: String::from_utf8_lossy(&body).into_owned() };
    reply.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "larger than this endpoint accepts");
    let req = Request::builder().uri("/").header("x-forwarded-proto", "https").body(Body::empty()).expect("request");
    let response = r.clone().oneshot(req).await.expect("response");
    assert!(response.headers().get(header::STRICT_TRANSPORT_SECURITY).is_some(), "HSTS behind TLS");
}

/// The document is valid where generators go wrong (issue 16): every operationId once,
/// every operation's error statuses as problem+json, `API-Version` on every response.
#[test]
fn openapi_operations_are_unique_and_document_their_errors() {
    let doc: Value = serde_json::from_str(&leefwijk_web::api::openapi_json()).expect("json");
    assert_eq!(doc["info"]["version"], leefwijk_web::api::API_VERSION);
    assert!(doc["info"]["contact"]["name"].is_string());
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(ids.insert(id.clone()), "operationId {id} repeats ({method} {path})");
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("500"), "{method} {path}");
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path}");
            }
            if op.get("security").is_some() {
                assert!(responses.contains_key("401") && responses.contains_key("403"), "{method} {path}");
            }
            for (status, r) in responses {
                assert!(r["headers"]["API-Version"].is_object(), "{method} {path} {status}");
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(r["content"]["application/problem+json"].is_object(), "{method} {path} {status}");
                }
            }
        }
    }
    // The housing plan's body is the housing plan's, not the household plan's.
    let body = &doc["paths"]["/housing/municipalities/{code}/plans"]["post"]["requestBody"];
    assert_eq!(body["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/NewHousingPlan");
}

#[tokio::test]
async fn openapi_document_is_committed_and_current() {
    let generated = leefwijk_web::api::openapi_json();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&path, format!("{generated}\n")).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed.trim_end(),
        generated.trim_end(),
        "docs/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p leefwijk-web --test api_areas openapi`"
    );
    let r = leefwijk_web::router(demo_app("sqlite").await);
    let served = get(&r, "/api/v1/openapi.json").await;
    assert_eq!(served.body.trim_end(), generated.trim_end());

    // Every documented path answers (with sample parameters), so the document cannot
    // promise a route that does not exist: public GETs with 200, the rest asks to sign in.
    let doc: Value = serde_json::from_str(&generated).expect("json");
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    assert!(paths.len() >= 8);
    assert_eq!(doc["servers"][0]["url"], leefwijk_web::api::API_BASE);
    for (path, item) in &paths {
        let code = if path.contains("/housing/municipalities/") { "GM9901" } else { "WK990101" };
        let uri = format!("{}{}", leefwijk_web::api::API_BASE, path.replace("{code}", code));
        for method in item.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            let secured = item[&method]["security"].is_array();
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let reply = call(&r, m, &uri, None).await;
            let expected = if secured { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
            // A made-up {id} or {token} is not found by the handler: the route exists, the record does not.
            if !secured && (path.contains("{id}") || path.contains("{token}")) && reply.status == StatusCode::NOT_FOUND
            {
                assert!(!reply.body.contains("There is no API resource"), "{method} {path}: {}", reply.body);
                continue;
            }
            // A public form (a post without security) needs a body: without one it answers 400.
            if !secured && method == "post" {
                assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{method} {path}: {}", reply.body);
                continue;
            }
            assert_eq!(
                reply.status, expected,
                "{method} {path} is documented but answers {}: {}",
                reply.status, reply.body
            );
        }
    }
}

/// A column of a newer StatLine table that Leefwijk has no indicator for is imported under
/// its codebook's title, unit and description, stored with its figures, and served like
/// any other indicator. A stem the codebook has twice is reported, never guessed.
#[tokio::test]
async fn a_column_named_by_the_codebook_is_an_indicator_like_any_other() {
    use leefwijk_app::areas::{codebook::Codebook, import_kwb::parse_kwb_with, store_years};
    let csv = "ID;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;AantalInwoners_5;GemiddeldAardgasverbruikTotaal_61;Appartement_54;Appartement_62\n\
        0;Amsterdam;Amsterdam;Gemeente;GM0363;931298;870;1500;600\n\
        1;Burgwallen-Oude Zijde;Amsterdam;Wijk;WK0363AA;4555;640;1200;500\n\
        2;Burgwallen-Nieuwe Zijde;Amsterdam;Wijk;WK0363AB;4100;.;1100;450\n";
    let key = "cbs_gemiddeld_aardgasverbruik_totaal";
    for url in backend_urls() {
        let app = empty_app(&url).await;
        let book = Codebook::kwb_2024();
        let parsed = parse_kwb_with(csv.as_bytes(), "kwb-2024.csv", None, Some(&book), &|_| {}).expect("parsed");
        assert_eq!(parsed[0].year, 2024);
        assert_eq!(parsed[0].ignored_columns, ["Appartement_54", "Appartement_62"], "{url}");
        let summary = store_years(&app.store, &parsed, "kwb-2024.csv").await.expect("stored");
        assert_eq!(summary[0].new_indicators, [format!("{key}: Gemiddeld aardgasverbruik totaal (cubic_metre)")]);
        let stored = app.store.indicator_definitions().await.expect("definitions");
        assert_eq!(stored.iter().map(|d| d.key.as_str()).collect::<Vec<_>>(), [key], "{url}");
        assert!(stored[0].description.starts_with("Het gemiddeld aardgasverbruik"), "{url}: {}", stored[0].description);

        let r = leefwijk_web::router(app);
        let catalogue = get(&r, "/api/v1/indicators").await.json();
        let entry = catalogue.as_array().and_then(|c| c.iter().find(|e| e["key"] == key).cloned()).expect("listed");
        assert_eq!(entry["unit"], "cubic_metre");
        assert_eq!(entry["name_nl"], "Gemiddeld aardgasverbruik totaal");
        assert_eq!(entry["source"], leefwijk_domain::indicators::CODEBOOK_SOURCE);

        let area = get(&r, "/api/v1/areas/WK0363AA").await.json();
        let gas = area["indicators"].as_array().and_then(|v| v.iter().find(|i| i["key"] == key).cloned());
        assert_eq!(gas.map(|g| g["value"].clone()), Some(serde_json::json!(640.0)), "{url}");
        let ranking = get(&r, &format!("/api/v1/rankings?indicator={key}&kind=wijk")).await.json();
        assert_eq!(ranking["rows"][0]["code"], "WK0363AA", "{url}: {ranking}");
        assert_eq!(ranking["without_value"], 1, "{url}: the missing value is missing, not zero");

        let page = get(&r, "/gebied/WK0363AA").await;
        assert!(page.body.contains("Gemiddeld aardgasverbruik totaal") && page.body.contains("640 m³"), "{url}");
        assert!(get(&r, "/indicatoren").await.body.contains("Gemiddeld aardgasverbruik totaal"));
    }
}

/// The served document names the installation's contact where `[api] contact_*` is set,
/// and the placeholder of the committed document where it is not.
#[tokio::test]
async fn the_served_api_document_names_the_operators_contact() {
    let config = leefwijk_app::ApiConfig {
        contact_name: Some("Team Leefwijk Wijkerveen".into()),
        contact_email: Some("leefwijk@wijkerveen.example".into()),
        ..leefwijk_app::ApiConfig::default()
    };
    let r = leefwijk_web::router(demo_app("sqlite").await.with_api(config));
    let doc: Value = serde_json::from_str(&get(&r, "/api/v1/openapi.json").await.body).expect("json");
    assert_eq!(doc["info"]["contact"]["name"], "Team Leefwijk Wijkerveen");
    assert_eq!(doc["info"]["contact"]["email"], "leefwijk@wijkerveen.example");
    assert_eq!(doc["info"]["contact"]["url"], "https://example.invalid/leefwijk", "unset: the placeholder");
}

/// No cross-origin calls by default; the origins `[api] cors_allowed_origins` names get a
/// preflight answer and may read the API's answers (issue 16: an OPTIONS preflight got 405).
#[tokio::test]
async fn cross_origin_calls_only_from_configured_origins() {
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/v1/areas")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(Body::empty())
            .expect("request")
    };
    let closed = leefwijk_web::router(demo_app("sqlite").await);
    let reply = closed.clone().oneshot(preflight("https://dashboard.example")).await.expect("response");
    assert!(reply.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "none by default");

    let config = leefwijk_app::ApiConfig {
        cors_allowed_origins: vec!["https://dashboard.example".into()],
        ..leefwijk_app::ApiConfig::default()
    };
    let open = leefwijk_web::router(demo_app("sqlite").await.with_api(config));
    let reply = open.clone().oneshot(preflight("https://dashboard.example")).await.expect("response");
    assert!(reply.status().is_success(), "{}", reply.status());
    assert_eq!(
        reply.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).and_then(|v| v.to_str().ok()),
        Some("https://dashboard.example")
    );
    let other = open.clone().oneshot(preflight("https://evil.example")).await.expect("response");
    assert!(other.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "only the configured origin");
    let get = Request::builder()
        .uri("/api/v1/areas")
        .header(header::ORIGIN, "https://dashboard.example")
        .body(Body::empty())
        .expect("request");
    let reply = open.oneshot(get).await.expect("response");
    let exposed =
        reply.headers().get(header::ACCESS_CONTROL_EXPOSE_HEADERS).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(exposed.contains("api-version"), "{exposed}");
}

/// Every schema of the API document has one name: two types deriving `ToSchema` under the
/// same name overwrite each other in `components.schemas` without a word (issue 16 found
/// `NewPlan` and `PlanView`; later `Assessment`, `SupportIn` and `StatusIn`). A type that
/// shares its Rust name with another is renamed with `#[schema(as = …)]`.
#[test]
fn schema_names_are_unique_across_the_workspace() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut names: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("tests") && !path.ends_with("target") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && path.to_string_lossy().contains("/src/") {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let mut pending: Option<Option<String>> = None;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                pending = Some(None);
                continue;
            }
            let Some(rename) = pending.as_mut() else { continue };
            if let Some(rest) = line.strip_prefix("#[schema(as = ") {
                *rename = rest.split([')', ',']).next().map(str::to_string);
                continue;
            }
            if line.starts_with("#[") || line.starts_with("//") {
                continue;
            }
            let rename = pending.take().flatten();
            let name = line
                .split_whitespace()
                .skip_while(|w| !["struct", "enum"].contains(w))
                .nth(1)
                .map(|n| n.trim_end_matches(['{', '(', ';']).split('<').next().unwrap_or_default().to_string());
            if let Some(name) = rename.or(name) {
                names.entry(name).or_default().push(file.display().to_string());
            }
        }
    }
    assert!(names.len() > 50, "found {} schema types", names.len());
    let twice: Vec<_> = names.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(twice.is_empty(), "schema names used by more than one type: {twice:#?}");
}
