//! Area programmes end to end, on SQLite and PostgreSQL: the demo programme is built
//! through the use cases, the ledger refuses what would not add up, corrections are new
//! bookings, stored bookings cannot be changed, and the results report (JSON, CSV, page)
//! shows goals, commitments, money per stream and intervention and the business case.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send};
use leefwijk_app::testing::{backend_urls, demo_app};

#[tokio::test]
async fn demo_programme_to_results_report() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        let id = leefwijk_app::demo::load_programme(&app).await.expect("demo programme").expect("new");
        assert!(leefwijk_app::demo::load_programme(&app).await.expect("again").is_none(), "loaded once");
        let r = leefwijk_web::router(app.clone());

        let list = send(&r, Method::GET, "/api/v1/programmes", &[], None).await;
        assert_eq!(list.json()[0]["name"], leefwijk_app::demo::DEMO_PROGRAMME_NAME);
        let report = send(&r, Method::GET, &format!("/api/v1/programmes/{id}"), &[], None).await;
        assert_eq!(report.status, StatusCode::OK, "{url}: {}", report.body);
        let rep = report.json();
        // Money: 250k + 100k + 150k + 100k contributed; 180k + 40k + 60k + 30k allocated
        // after the correction; 132.5k + 41.2k spent. In cents.
        assert_eq!(rep["money"]["contributed_cents"], 60_000_000, "{url}");
        assert_eq!(rep["money"]["allocated_cents"], 31_000_000);
        assert_eq!(rep["money"]["spent_cents"], 17_370_000);
        assert_eq!(rep["money"]["ledger_sum_cents"], 0, "double entry: every account together is zero");
        assert_eq!(rep["money"]["per_stream"]["corporation"]["unallocated_cents"], 3_000_000);
        assert_eq!(rep["money"]["per_funder"].as_object().map(|o| o.len()), Some(3), "three funders");
        let vroeg = rep["interventions"]
            .as_array()
            .expect("list")
            .iter()
            .find(|i| i["name"] == "Vroeg erop af")
            .cloned()
            .expect("row");
        assert_eq!(vroeg["money"]["remaining_cents"], 22_000_000 - 13_250_000);
        assert_eq!(rep["commitments_kept"], serde_json::json!([2, 5]));
        assert_eq!(rep["goals"][1]["progress"], 5.0 / 12.0, "own measure: from 12 to 7 of the way to 0");
        assert!(rep["goals"][0]["current"].is_number(), "indicator goal reads the monitor");
        // Business case: three scenarios; the base case in hand-checkable parts.
        let cases = rep["business_case"].as_array().expect("scenarios");
        assert_eq!(cases.len(), 3);
        let base = &cases[0]["result"];
        let a: f64 = (1..=5).map(|t| 1.0225f64.powi(-t)).sum();
        // Costs per year: 180k + 40k + 60k + 30k = EUR 310,000.
        let costs = (31_000_000.0 * a).round() as i64;
        let total_costs = base["total_costs_pv_cents"].as_i64().expect("int");
        assert!((total_costs - costs).abs() <= 2, "{total_costs} vs {costs}");
        // Benefits per year: 220×(0.03×25,000 + 0.10×3,500 + 0.04×6,000) + 150×(0.02×15,000 + 0.15×400)
        // = 220×1,340 + 150×360 = 294,800 + 54,000 = EUR 348,800.
        let benefits = (34_880_000.0 * a).round() as i64;
        let total_benefits = base["total_benefits_pv_cents"].as_i64().expect("int");
        assert!((total_benefits - benefits).abs() <= 3, "{total_benefits} vs {benefits}");
        assert!(
            cases[1]["result"]["net_cents"].as_i64() < cases[2]["result"]["net_cents"].as_i64(),
            "cautious < ambitious"
        );

        // CSV and the printable page.
        let csv = send(&r, Method::GET, &format!("/api/v1/programmes/{id}/report.csv"), &[], None).await;
        assert!(csv.content_type().starts_with("text/csv"));
        assert!(csv.body.contains("stream,wmo,spent_cents,13250000"), "{}", csv.body);
        let page = send(&r, Method::GET, &format!("/programma/{id}"), &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        for text in [
            "Verantwoording op hoofdlijnen",
            "Vroeg erop af",
            "Het grootboek sluit",
            "Bron: fictieve demogegevens",
            "€ 600.000",
        ] {
            assert!(page.body.contains(text), "page lacks {text}");
        }
        assert!(!page.body.contains("Bron: CBS"), "the demo programme's figures are fictional");

        // Bookings the ledger refuses, with reasons a person can act on.
        let beleid = login(&r, "beleid").await;
        let headers = [
            ("cookie", beleid.cookie()),
            ("x-csrf-token", beleid.csrf.clone()),
            ("content-type", "application/json".into()),
        ];
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let book = |body: &'static str| {
            let r = r.clone();
            let h = h.clone();
            let uri = format!("/api/v1/programmes/{id}/transactions");
            async move { send(&r, Method::POST, &uri, &h, Some(body.to_string())).await }
        };
        let too_much = book(r#"{"type": "allocation", "stream": "zvw", "intervention": "Vroeg erop af", "amount_cents": 10000000, "date": "2026-10-01", "memo": "te veel"}"#).await;
        assert_eq!(too_much.status, StatusCode::BAD_REQUEST, "{}", too_much.body);
        assert_eq!(too_much.content_type(), "application/problem+json");
        assert!(too_much.json()["detail"].as_str().unwrap_or_default().contains("EUR"), "{}", too_much.body);
        let overspend = book(r#"{"type": "spending", "stream": "corporation", "intervention": "Buurtkamer De Veenhof", "amount_cents": 3000001, "date": "2026-10-01", "memo": "te veel"}"#).await;
        assert_eq!(overspend.status, StatusCode::BAD_REQUEST);
        let stranger = book(r#"{"type": "contribution", "funder": "Onbekende BV", "stream": "other", "amount_cents": 100, "date": "2026-10-01", "memo": "x"}"#).await;
        assert_eq!(stranger.status, StatusCode::BAD_REQUEST);
        let corrected_twice =
            book(r#"{"type": "correction", "of": "T00008", "date": "2026-10-01", "memo": "nog eens"}"#).await;
        assert_eq!(corrected_twice.status, StatusCode::BAD_REQUEST, "a transaction is corrected once");
        let ok = book(r#"{"type": "spending", "stream": "corporation", "intervention": "Buurtkamer De Veenhof", "amount_cents": 500000, "date": "2026-10-01", "memo": "Activiteiten oktober"}"#).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        let after = send(&r, Method::GET, &format!("/api/v1/programmes/{id}"), &[], None).await.json();
        assert_eq!(after["money"]["spent_cents"], 17_870_000);
        assert_eq!(after["money"]["ledger_sum_cents"], 0);

        // Stored bookings cannot be edited or removed, not even with SQL.
        for sql in ["UPDATE ledger_transactions SET memo = 'x'", "DELETE FROM ledger_transactions"] {
            let err = leefwijk_store::testing::raw_sql(&app.store, sql).await.expect_err("append-only");
            assert!(err.to_string().contains("append-only"), "{url}: {err}");
        }

        // Commitments move only along allowed transitions.
        let c = after["commitments"]
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c["status"] == "delivered")
            .cloned()
            .expect("delivered");
        let uri = format!("/api/v1/programmes/{id}/commitments/{}/status", c["id"].as_str().expect("id"));
        let back = send(&r, Method::POST, &uri, &h, Some(r#"{"status": "proposed"}"#.into())).await;
        assert_eq!(back.status, StatusCode::BAD_REQUEST);

        // Another collaboration cannot change it; anonymous callers cannot either.
        let other = login(&r, "beheer-dijkhoven").await;
        let oh = [("cookie", other.cookie()), ("x-csrf-token", other.csrf.clone())];
        let oh: Vec<(&str, &str)> = oh.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let foreign = send(
            &r,
            Method::POST,
            &format!("/api/v1/programmes/{id}/transactions"),
            &oh,
            Some(r#"{"type": "correction", "of": "T00001", "date": "2026-10-01", "memo": "x"}"#.into()),
        )
        .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
        let anonymous =
            send(&r, Method::POST, &format!("/api/v1/programmes/{id}/transactions"), &[], Some("{}".into())).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_programme_is_created_and_validated_through_the_api() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        let r = leefwijk_web::router(app);
        let beleid = login(&r, "beleid").await;
        let headers = [("cookie", beleid.cookie()), ("x-csrf-token", beleid.csrf.clone())];
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let bad = send(&r, Method::POST, "/api/v1/programmes", &h, Some(r#"{"name": "X", "area_codes": ["WK000000"], "start_year": 2026, "end_year": 2030, "lead": "G", "parties": [{"name": "G", "role": "gemeente"}]}"#.into())).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{url}: {}", bad.body);
        assert!(bad.json()["detail"].as_str().unwrap_or_default().contains("area_codes"));
        let ok = send(&r, Method::POST, "/api/v1/programmes", &h, Some(r#"{"name": "Wijk Zuid", "area_codes": ["WK990104"], "start_year": 2026, "end_year": 2029, "lead": "G", "parties": [{"name": "G", "role": "gemeente"}, {"name": "Z", "role": "zorgverzekeraar"}]}"#.into())).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        let id = ok.json()["id"].as_str().expect("id").to_string();
        let goal = send(&r, Method::POST, &format!("/api/v1/programmes/{id}/goals"), &h, Some(r#"{"title": "Meer werk", "indicator": "nonsense", "baseline": 1, "baseline_year": 2024, "target": 2, "target_year": 2029, "direction": "increase"}"#.into())).await;
        assert_eq!(goal.status, StatusCode::BAD_REQUEST);
        let wrong_way = send(&r, Method::POST, &format!("/api/v1/programmes/{id}/goals"), &h, Some(r#"{"title": "Minder", "baseline": 5, "baseline_year": 2024, "target": 8, "target_year": 2029, "direction": "decrease"}"#.into())).await;
        assert_eq!(wrong_way.status, StatusCode::BAD_REQUEST, "target on the wrong side");
        let page = send(&r, Method::GET, "/programmas", &[], None).await;
        assert!(page.body.contains("Wijk Zuid"));
        let wijkteam = login(&r, "wijkteam").await;
        let wh = [("cookie", wijkteam.cookie()), ("x-csrf-token", wijkteam.csrf.clone())];
        let wh: Vec<(&str, &str)> = wh.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = send(&r, Method::POST, "/api/v1/programmes", &wh, Some("{}".into())).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "only policy staff and administrators");
    }
}

/// Policy staff of the owner record a commitment's next status on the report page (a form,
/// no script); the public sees no form; a move the rules do not allow is refused with the
/// reason on the page and changes nothing.
#[tokio::test]
async fn policy_staff_move_a_commitment_on_the_report_page() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        let id = leefwijk_app::demo::load_programme(&app).await.expect("demo programme").expect("new");
        let r = leefwijk_web::router(app.clone());
        let status_of = |rep: &serde_json::Value, cid: &str| {
            rep["commitments"].as_array().expect("list").iter().find(|c| c["id"] == cid).expect("commitment")["status"]
                .as_str()
                .expect("status")
                .to_string()
        };
        let rep = send(&r, Method::GET, &format!("/api/v1/programmes/{id}"), &[], None).await.json();
        let agreed = rep["commitments"]
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c["status"] == "agreed")
            .and_then(|c| c["id"].as_str())
            .expect("an agreed commitment in the demo")
            .to_string();
        let action = format!("/programma/{id}/afspraak/{agreed}/status");

        let public = send(&r, Method::GET, &format!("/programma/{id}"), &[], None).await;
        assert!(!public.body.contains(&action), "{url}: no form for the public");
        let beleid = login(&r, "beleid").await;
        let page = beleid.get(&r, &format!("/programma/{id}")).await;
        assert!(page.body.contains(&action), "{url}: the owner's staff get the form");
        assert!(page.body.contains("value=\"delivered\""), "{url}: agreed can become delivered");

        let post = |status: &str, csrf: &str| {
            let body = common::form(&[("csrf", csrf), ("status", status)]);
            let headers =
                [("cookie", beleid.cookie()), ("content-type", "application/x-www-form-urlencoded".to_string())];
            let r = r.clone();
            let action = action.clone();
            async move {
                let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                send(&r, Method::POST, &action, &headers, Some(body)).await
            }
        };
        assert_eq!(post("delivered", "wrong").await.status, StatusCode::FORBIDDEN, "{url}: CSRF is checked");
        let moved = post("delivered", &beleid.csrf).await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{url}: {}", moved.body);
        let rep = send(&r, Method::GET, &format!("/api/v1/programmes/{id}"), &[], None).await.json();
        assert_eq!(status_of(&rep, &agreed), "delivered", "{url}");

        let refused = post("agreed", &beleid.csrf).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", refused.body);
        assert!(refused.body.contains("commitment-error"), "{url}: the reason is on the page");
        assert!(refused.body.contains("kan niet"), "{url}: in Dutch first");
        let rep = send(&r, Method::GET, &format!("/api/v1/programmes/{id}"), &[], None).await.json();
        assert_eq!(status_of(&rep, &agreed), "delivered", "{url}: nothing changed");

        let anonymous = send(
            &r,
            Method::POST,
            &action,
            &[("content-type", "application/x-www-form-urlencoded")],
            Some("status=late".into()),
        )
        .await;
        assert!(anonymous.status.is_redirection() || anonymous.status == StatusCode::UNAUTHORIZED, "{url}");
    }
}
