//! Early signalling end to end over HTTP, on SQLite and PostgreSQL: a partner's API
//! client uploads a CSV batch (all or nothing, errors by line and field, idempotent
//! retries); the team sees its households with deadlines across Christmas; attempts and
//! outcomes are registered; the partner reads back only "picked up / not picked up"; the
//! figures appear with small cells suppressed; retention purges by the covenant's term.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send, Reply};
use leefwijk_app::signals::SignalsConfig;
use leefwijk_app::testing::{backend_urls, demo_app_with_credentials};
use leefwijk_domain::calendar::Date;

/// Thursday 24 December 2026: Christmas and a weekend follow.
const TODAY: &str = "2026-12-24";

const HEADER: &str = "kind,bsn,postcode,house_number,house_number_addition,buurt_code,arrears_cents,arrears_since,\
signal_date,crisis,reminder_sent,personal_contact_attempted,debt_help_pointed_to,no_objection,reference";

fn good_batch() -> String {
    [
        HEADER,
        // Household A (WK990101, team noord): rent and energy in the same month → one case.
        "rent_arrears,111222333,9110AB,12,,BU99010101,125000,2026-10-01,2026-12-20,false,true,true,true,true,A-rent",
        "energy_arrears,111222333,9110 ab,12,,,40000,2026-11-01,2026-12-22,false,true,true,true,true,A-energy",
        // Household B (WK990102): a crisis.
        "rent_arrears,123456782,9120AB,3,b,BU99010201,300000,2026-09-01,2026-12-23,true,ja,ja,ja,ja,B-rent",
        // Household C (WK990104, team zuid): nuisance, no BSN needed.
        "nuisance,,9410AB,7,,BU99010401,,,2026-12-21,,,,,,C-nuisance",
    ]
    .join("\n")
}

async fn post_batch(r: &axum::Router, bearer: &str, key: &str, body: &str) -> Reply {
    send(
        r,
        Method::POST,
        "/api/v1/signal-batches",
        &[("authorization", bearer), ("content-type", "text/csv"), ("idempotency-key", key)],
        Some(body.to_string()),
    )
    .await
}

/// The demo with its postcodes on `TODAY`: the app, its router and the partner client's
/// `Authorization` value.
async fn on_christmas_eve(url: &str) -> (leefwijk_app::App, axum::Router, String) {
    let (app, access) = demo_app_with_credentials(url).await;
    app.store.put_postcode_areas(&leefwijk_app::demo::demo_postcodes()).await.expect("postcodes");
    let today = Date::parse(TODAY).expect("date");
    let app = app.with_signals(SignalsConfig { fixed_today: Some(today), ..SignalsConfig::default() });
    let r = leefwijk_web::router(app.clone());
    let (id, secret) = access.api_client.clone().expect("demo client");
    (app, r, format!("Bearer {id}:{secret}"))
}

#[tokio::test]
async fn partner_batch_to_outreach_feedback_figures_and_retention() {
    for url in backend_urls() {
        let (app, r, bearer) = on_christmas_eve(&url).await;
        let today = Date::parse(TODAY).expect("date");

        // A batch with bad rows is refused whole, naming line and field of every problem.
        let bad = format!(
            "{HEADER}\nrent_arrears,111222334,9110AB,12,,,-5,2027-01-01,,false,true,true,true,true,x\n\
             nuisance,,0123AB,7,,,,,,,,,,,y\nrent_arrears,111222333,9110AB,12,,,100,,,,true,false,true,true,z"
        );
        let reply = post_batch(&r, &bearer, "bad-1", &bad).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
        let errors = reply.json()["errors"].as_array().cloned().expect("errors");
        let has = |line: u64, field: &str| errors.iter().any(|e| e["line"] == line && e["field"] == field);
        assert!(has(2, "bsn") && has(2, "arrears_cents") && has(2, "arrears_since"), "{errors:?}");
        assert!(has(3, "postcode"), "{errors:?}");
        assert!(has(4, "personal_contact_attempted") && !has(4, "arrears_cents"), "{errors:?}");
        assert!(!reply.body.contains("111222334"), "values are never echoed");
        let feedback = send(&r, Method::GET, "/api/v1/signal-feedback", &[("authorization", &bearer)], None).await;
        assert_eq!(feedback.json().as_array().map(Vec::len), Some(0), "{url}: nothing stored");

        // The good batch is stored once, however often it is retried.
        let reply = post_batch(&r, &bearer, "batch-2026-12-24", &good_batch()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{url}: {}", reply.body);
        let report = reply.json();
        assert_eq!((report["rows"].as_i64(), report["cases_opened"].as_u64()), (Some(4), Some(3)), "{report}");
        let batch_id = report["batch_id"].as_str().expect("id").to_string();
        let again = post_batch(&r, &bearer, "batch-2026-12-24", &good_batch()).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["replayed"], true);
        assert_eq!(again.json()["batch_id"], batch_id.as_str());
        // The replay reports what the batch did, not zeros (issue 16, finding 10).
        for field in ["rows", "cases_opened", "cases_stacked", "repeats", "received_at_ms"] {
            assert_eq!(again.json()[field], report[field], "{url}: {field}");
        }
        let conflict = post_batch(&r, &bearer, "batch-2026-12-24", &format!("{}\n", good_batch())).await;
        assert_eq!(conflict.status, StatusCode::CONFLICT, "{url}: same key, other content");

        // The team's worklist: the crisis first, due three working days after Christmas;
        // the stacked household due ten working days later, past New Year's Day.
        let wijkteam = login(&r, "wijkteam").await;
        let list = wijkteam.get(&r, "/api/v1/signal-cases").await;
        assert_eq!(list.status, StatusCode::OK, "{url}: {}", list.body);
        let cases = list.json().as_array().cloned().expect("cases");
        assert_eq!(cases.len(), 2, "team noord has households A and B: {cases:?}");
        assert_eq!(cases[0]["due_on"], "2026-12-30", "Thu 24 Dec + 3 working days skips 25–27 Dec");
        assert_eq!(cases[0]["crisis"], true);
        assert_eq!(cases[1]["due_on"], "2027-01-11", "10 working days skip Christmas and 1 January");
        assert_eq!(cases[1]["signal_count"], 2, "rent and energy stacked into one case");
        assert_eq!(cases[1]["kinds"], serde_json::json!(["rent_arrears", "energy_arrears"]));
        let (case_a, case_b) = (cases[1]["case_id"].as_str().expect("id"), cases[0]["case_id"].as_str().expect("id"));

        // The household page shows the address, and reading it is audited.
        let household = wijkteam.get(&r, &format!("/api/v1/signal-cases/{case_a}")).await;
        assert_eq!(household.status, StatusCode::OK, "{}", household.body);
        assert_eq!(household.json()["address"], "9110 AB 12");
        let key = household.json()["case"]["household_key"].as_str().expect("key").to_string();
        let audit = app
            .store
            .audit_search(&leefwijk_app::AuditFilter { subject: Some(key.clone()), limit: 10, ..Default::default() })
            .await
            .expect("audit");
        assert!(audit.iter().any(|e| e.purpose == "outreach" && e.action == "read" && e.outcome == "allow"));

        // Attempts and outcomes; writes need the session's CSRF token.
        let csrf = [("cookie", wijkteam.cookie()), ("x-csrf-token", wijkteam.csrf.clone())];
        let headers: Vec<(&str, &str)> = csrf.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let attempt =
            r#"{"attempted_on": "2026-12-24", "channel": "home_visit", "part_of_day": "afternoon", "reached": true}"#;
        let no_csrf = send(
            &r,
            Method::POST,
            &format!("/api/v1/signal-cases/{case_a}/attempts"),
            &headers[..1],
            Some(attempt.into()),
        )
        .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
        let ok =
            send(&r, Method::POST, &format!("/api/v1/signal-cases/{case_a}/attempts"), &headers, Some(attempt.into()))
                .await;
        assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
        let future = attempt.replace("2026-12-24", "2027-02-01");
        let bad =
            send(&r, Method::POST, &format!("/api/v1/signal-cases/{case_a}/attempts"), &headers, Some(future)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.json()["detail"].as_str().unwrap_or_default().contains("future"));
        for (case, outcome) in [(case_a, "help_accepted_financial"), (case_b, "not_reached")] {
            let body = format!(r#"{{"outcome": "{outcome}"}}"#);
            let done =
                send(&r, Method::POST, &format!("/api/v1/signal-cases/{case}/outcome"), &headers, Some(body)).await;
            assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
        }
        let unknown = send(
            &r,
            Method::POST,
            &format!("/api/v1/signal-cases/{case_b}/outcome"),
            &headers,
            Some(r#"{"outcome": "gone"}"#.into()),
        )
        .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        let household = wijkteam.get(&r, &format!("/api/v1/signal-cases/{case_a}")).await.json();
        assert_eq!(household["case"]["status"], "closed");
        assert_eq!(household["attempts"][0]["channel"], "home_visit");
        assert_eq!(household["case"]["first_contact_on"], "2026-12-24");

        // The partner reads back only whether each signal was picked up.
        let feedback = send(
            &r,
            Method::GET,
            &format!("/api/v1/signal-batches/{batch_id}/feedback"),
            &[("authorization", &bearer)],
            None,
        )
        .await;
        assert_eq!(feedback.status, StatusCode::OK, "{}", feedback.body);
        let status_of = |reference: &str| {
            feedback
                .json()
                .as_array()
                .expect("list")
                .iter()
                .find(|f| f["reference"] == reference)
                .map(|f| f["status"].clone())
        };
        assert_eq!(status_of("A-rent"), Some("picked_up".into()));
        assert_eq!(status_of("A-energy"), Some("picked_up".into()));
        assert_eq!(status_of("B-rent"), Some("not_picked_up".into()));
        assert_eq!(status_of("C-nuisance"), Some("pending".into()));
        for secret in ["help_accepted", "not_reached", "9110", "home_visit"] {
            assert!(!feedback.body.contains(secret), "feedback leaks '{secret}': {}", feedback.body);
        }

        // A coordinator moves household C to team noord; it is audited and kept as an event.
        let regisseur = login(&r, "regisseur").await;
        let all = regisseur.get(&r, "/api/v1/signal-cases?team=all").await.json();
        let case_c = all.as_array().expect("list").iter().find(|c| c["team_id"] == "wv-team-zuid").expect("C")
            ["case_id"]
            .as_str()
            .expect("id")
            .to_string();
        let forbidden = wijkteam.get(&r, "/api/v1/signal-cases?team=wv-team-zuid").await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "a worker sees only their own team");
        let rh = [("cookie", regisseur.cookie()), ("x-csrf-token", regisseur.csrf.clone())];
        let rh: Vec<(&str, &str)> = rh.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let moved = send(
            &r,
            Method::POST,
            &format!("/api/v1/signal-cases/{case_c}/assignment"),
            &rh,
            Some(r#"{"team_id": "wv-team-noord"}"#.into()),
        )
        .await;
        assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.body);
        let c = regisseur.get(&r, &format!("/api/v1/signal-cases/{case_c}")).await.json();
        assert_eq!(c["case"]["team_id"], "wv-team-noord");
        assert_eq!(c["events"][0]["event"], "assigned");

        // Figures: public ones hide the small cells; the own team sees its exact figures.
        let public = send(&r, Method::GET, "/api/v1/signal-figures/WK990101", &[], None).await.json();
        assert_eq!(public["cases"], serde_json::Value::Null, "1 case is below the threshold: {public}");
        assert_eq!(public["share_reached"], serde_json::Value::Null);
        let kpis = wijkteam.get(&r, "/api/v1/signal-kpis").await.json();
        let wk = kpis.as_array().expect("list").iter().find(|k| k["area_code"] == "WK990101").cloned().expect("row");
        assert_eq!(wk["own_team"], true);
        assert_eq!(wk["figures"]["cases"], 1);
        assert_eq!(wk["figures"]["share_reached"], 1.0);
        assert_eq!(wk["figures"]["median_working_days_to_first_contact"], 0.0);

        // A professional of the mental-health organisation has no outreach role.
        let ggz = login(&r, "ggz").await;
        assert_eq!(ggz.get(&r, "/api/v1/signal-cases").await.status, StatusCode::FORBIDDEN);

        // Retention: nothing within the term; after it, all gone with their vault entries,
        // and the purge is audited by count.
        let soon = leefwijk_app::signals::retention::run(&app, today.add_days(100)).await.expect("retention");
        assert!(soon.iter().all(|(_, c)| c.cases == 0), "{soon:?}");
        let late = leefwijk_app::signals::retention::run(&app, today.add_days(400)).await.expect("retention");
        let counts = late.iter().find(|(t, _)| t == "wijkerveen").expect("tenant").1;
        assert_eq!((counts.cases, counts.signals, counts.attempts), (3, 4, 1), "{url}");
        assert_eq!(counts.vault_entries, 2, "both BSNs' vault entries go with their signals");
        let list = wijkteam.get(&r, "/api/v1/signal-cases?closed=true").await.json();
        assert_eq!(list.as_array().map(Vec::len), Some(0));
        let purge = app
            .store
            .audit_search(&leefwijk_app::AuditFilter {
                subject: Some("retention".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert!(purge.iter().any(|e| e.rule.contains("removed 3 cases, 4 signals")), "{purge:?}");
        assert!(purge.iter().all(|e| !e.rule.contains(&key)), "counts, not content");
        assert!(leefwijk_app::access::audit::verify_chain(&app.store, app.keys.audit()).await.is_ok());
    }
}

#[tokio::test]
async fn single_signals_json_and_repeats_are_recorded_without_new_routing() {
    for url in backend_urls() {
        let (app, access) = demo_app_with_credentials(&url).await;
        let app = app.with_signals(SignalsConfig {
            fixed_today: Some(Date::parse("2026-11-23").expect("d")),
            ..Default::default()
        });
        let r = leefwijk_web::router(app);
        let (id, secret) = access.api_client.clone().expect("client");
        let bearer = format!("Bearer {id}:{secret}");
        let signal = |date: &str, cents: u32| {
            format!(
                r#"{{"kind": "rent_arrears", "bsn": "111222333", "postcode": "9110AB", "house_number": 5, "buurt_code": "BU99010101",
                "arrears_cents": {cents}, "signal_date": "{date}", "reminder_sent": true, "personal_contact_attempted": true,
                "debt_help_pointed_to": true, "no_objection": true}}"#
            )
        };
        let post = |body: String| {
            let r = r.clone();
            let bearer = bearer.clone();
            async move {
                send(
                    &r,
                    Method::POST,
                    "/api/v1/signals",
                    &[("authorization", &bearer), ("content-type", "application/json")],
                    Some(body),
                )
                .await
            }
        };
        let first = post(signal("2026-10-05", 80_000)).await;
        assert_eq!(first.status, StatusCode::CREATED, "{url}: {}", first.body);
        assert_eq!(first.json()["cases_opened"], 1);
        let repeat = post(signal("2026-11-05", 80_000)).await;
        assert_eq!(repeat.json()["repeats"], 1, "same arrears again: a repeat");
        assert_eq!(repeat.json()["cases_opened"], 0, "not routed again");
        let grown = post(signal("2026-11-06", 120_000)).await;
        assert_eq!(grown.json()["cases_opened"], 1, "grown arrears open a new (recurrent) case");
        // Another kind in the same month stacks onto that stored case: one more signal, the
        // shorter end-of-supply deadline (Mon 23 Nov + 3 working days); priority is recomputed
        // over all its signals (one source, no crisis: it cannot drop).
        let wijkteam = login(&r, "wijkteam").await;
        let before = wijkteam.get(&r, "/api/v1/signal-cases").await.json();
        let stored = before
            .as_array()
            .and_then(|c| c.iter().find(|c| c["recurrent"] == true).cloned())
            .expect("November's case");
        assert_eq!((stored["signal_count"].as_i64(), stored["due_on"].as_str()), (Some(1), Some("2026-12-07")));
        let end_of_supply = signal("2026-11-10", 30_000).replace("rent_arrears", "energy_end_of_supply");
        let stacked = post(end_of_supply).await;
        assert_eq!(stacked.status, StatusCode::CREATED, "{url}: {}", stacked.body);
        assert_eq!(
            (stacked.json()["cases_opened"].as_u64(), stacked.json()["cases_stacked"].as_u64()),
            (Some(0), Some(1))
        );
        let after = wijkteam.get(&r, "/api/v1/signal-cases").await.json();
        let case = after.as_array().and_then(|c| c.iter().find(|c| c["case_id"] == stored["case_id"]).cloned());
        let case = case.expect("still listed");
        assert_eq!(case["signal_count"], 2, "{url}: {case}");
        assert_eq!(case["due_on"], "2026-11-26", "{url}: the earlier deadline wins");
        assert!(case["priority"].as_i64() >= stored["priority"].as_i64(), "{url}: {case} vs {stored}");
        assert_eq!(case["kinds"], serde_json::json!(["rent_arrears", "energy_end_of_supply"]));
        let invalid = post(r#"{"kind": "rent_arrears", "bsn": 12}"#.into()).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invalid.content_type(), "application/problem+json");
        let wrong_type = send(
            &r,
            Method::POST,
            "/api/v1/signal-batches",
            &[("authorization", &bearer), ("content-type", "text/plain")],
            Some("x".into()),
        )
        .await;
        assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let no_auth = send(
            &r,
            Method::POST,
            "/api/v1/signals",
            &[("content-type", "application/json")],
            Some(signal("2026-11-01", 1)),
        )
        .await;
        assert_eq!(no_auth.status, StatusCode::UNAUTHORIZED);
        assert_eq!(no_auth.content_type(), "application/problem+json");
    }
}

/// Retention removes a person's vault entry only with the last signal that uses it: a BSN
/// that is also in a newer case, still within its term, keeps its entry until that case goes.
#[tokio::test]
async fn retention_keeps_a_vault_entry_while_a_newer_signal_uses_it() {
    for url in backend_urls() {
        let (app, access) = demo_app_with_credentials(&url).await;
        let (id, secret) = access.api_client.clone().expect("demo client");
        let bearer = format!("Bearer {id}:{secret}");
        let on = |day: &str| {
            let today = Date::parse(day).expect("date");
            app.clone().with_signals(SignalsConfig { fixed_today: Some(today), ..SignalsConfig::default() })
        };
        let row = |bsn: &str, postcode: &str, date: &str, reference: &str| {
            format!("rent_arrears,{bsn},{postcode},4,,BU99010101,90000,,{date},false,true,true,true,true,{reference}")
        };
        // January: persons X and Y. November: X again, in a new case.
        let january = [
            HEADER.to_string(),
            row("111222333", "9110AB", "2026-01-05", "X1"),
            row("123456782", "9120AB", "2026-01-06", "Y1"),
        ]
        .join("\n");
        let stored = post_batch(&leefwijk_web::router(on("2026-01-12")), &bearer, "january", &january).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{url}: {}", stored.body);
        let november = [HEADER.to_string(), row("111222333", "9110AB", "2026-11-02", "X2")].join("\n");
        let stored = post_batch(&leefwijk_web::router(on("2026-11-08")), &bearer, "november", &november).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{url}: {}", stored.body);

        // Past January's term, within November's: January's cases go, and of the vault only
        // Y's entry; X's stays for the November signal.
        let runs =
            leefwijk_app::signals::retention::run(&app, Date::parse("2027-02-15").expect("d")).await.expect("run");
        let counts = runs.iter().find(|(t, _)| t == "wijkerveen").expect("tenant").1;
        assert_eq!((counts.cases, counts.signals, counts.vault_entries), (2, 2, 1), "{url}: {counts:?}");
        // Past November's term too: X's entry goes with its last signal.
        let runs =
            leefwijk_app::signals::retention::run(&app, Date::parse("2027-12-31").expect("d")).await.expect("run");
        let counts = runs.iter().find(|(t, _)| t == "wijkerveen").expect("tenant").1;
        assert_eq!((counts.cases, counts.signals, counts.vault_entries), (1, 1, 1), "{url}: {counts:?}");
    }
}

/// Issue 16, finding 9: a batch is gated and audited under the data category of each of
/// its signals' kinds, as the covenant maps them, not all as financial data. A covenant
/// that does not let corporations write housing data refuses a nuisance signal; a reader
/// granted financial data only sees the arrears cases, not the nuisance ones.
#[tokio::test]
async fn a_signal_is_gated_and_audited_under_the_category_of_its_kind() {
    for url in backend_urls() {
        let (app, r, bearer) = on_christmas_eve(&url).await;
        let categories = |batch: String| {
            let app = app.clone();
            async move {
                let filter = leefwijk_app::AuditFilter {
                    subject: Some(format!("batch:{batch}")),
                    limit: 50,
                    ..Default::default()
                };
                let entries = app.store.audit_search(&filter).await.expect("audit");
                let mut written: Vec<String> = entries
                    .iter()
                    .filter(|e| e.action == "write" && e.outcome == "allow" && e.purpose == "early_signalling")
                    .map(|e| e.category.clone())
                    .collect();
                written.sort();
                written
            }
        };

        let stored = post_batch(&r, &bearer, "categories-1", &good_batch()).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{url}: {}", stored.body);
        let batch = stored.json()["batch_id"].as_str().expect("id").to_string();
        assert_eq!(categories(batch).await, ["contact", "financial", "housing", "identity"], "{url}");

        let worry = format!("{HEADER}\nworry_about_resident,,9410AB,9,,BU99010401,,,2026-12-22,,,,,,W-1");
        let stored = post_batch(&r, &bearer, "categories-2", &worry).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{url}: {}", stored.body);
        let batch = stored.json()["batch_id"].as_str().expect("id").to_string();
        assert_eq!(categories(batch).await, ["case_content", "contact"], "{url}: a worry is not financial data");

        let regisseur = login(&r, "regisseur").await;
        let kinds_listed = |list: &Reply| -> Vec<String> {
            list.json()
                .as_array()
                .map(|cases| {
                    cases.iter().flat_map(|c| c["kinds"].as_array().cloned().unwrap_or_default()).collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .iter()
                .filter_map(|k| k.as_str().map(String::from))
                .collect()
        };
        let before = regisseur.get(&r, "/api/v1/signal-cases?team=all").await;
        assert_eq!(before.status, StatusCode::OK, "{url}: {}", before.body);
        assert!(kinds_listed(&before).iter().any(|k| k == "nuisance"), "{url}: {}", before.body);

        // A stricter version of the covenant: corporations write financial data only, and
        // outreach reads financial and contact data only.
        let stricter = leefwijk_app::access::covenant::SAMPLE_COVENANT
            .replacen("version = 3", "version = 4", 1)
            .replacen(
                r#"categories = ["identity", "contact", "financial", "housing", "case_content"]"#,
                r#"categories = ["identity", "contact", "financial"]"#,
                1,
            )
            .replacen(
                r#"categories = ["contact", "financial", "housing", "case_content"]"#,
                r#"categories = ["contact", "financial"]"#,
                1,
            );
        assert_ne!(stricter, leefwijk_app::access::covenant::SAMPLE_COVENANT);
        leefwijk_app::access::covenant::load(&app.store, &stricter).await.expect("load v4");

        let nuisance = format!("{HEADER}\nnuisance,,9410AB,11,,BU99010401,,,2026-12-22,,,,,,N-1");
        let refused = post_batch(&r, &bearer, "categories-3", &nuisance).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{url}: {}", refused.body);
        assert_eq!(refused.content_type(), "application/problem+json");
        assert!(refused.body.to_lowercase().contains("housing"), "{url}: {}", refused.body);
        let arrears = good_batch().lines().take(2).collect::<Vec<_>>().join("\n");
        let allowed = post_batch(&r, &bearer, "categories-4", &arrears).await;
        assert_eq!(allowed.status, StatusCode::CREATED, "{url}: {}", allowed.body);

        let after = regisseur.get(&r, "/api/v1/signal-cases?team=all").await;
        assert_eq!(after.status, StatusCode::OK, "{url}: {}", after.body);
        let kinds = kinds_listed(&after);
        assert!(!kinds.is_empty(), "{url}: arrears cases are still listed");
        assert!(
            kinds.iter().all(|k| !["nuisance", "neglect", "worry_about_resident"].contains(&k.as_str())),
            "{url}: {kinds:?}"
        );
    }
}

/// Issue 17, item 7: the worklist page puts households awaiting a first contact first (a
/// crisis on top), filters by stage, kind and buurt with a count per option, and explains
/// the priority in words.
#[tokio::test]
async fn the_worklist_page_puts_first_contact_first_and_filters_with_counts() {
    for url in backend_urls() {
        let (_, r, bearer) = on_christmas_eve(&url).await;
        let stored = post_batch(&r, &bearer, "worklist-1", &good_batch()).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{url}: {}", stored.body);
        let regisseur = login(&r, "regisseur").await;

        // A contact attempt on the stacked household (A) moves it below the others.
        let list = regisseur.get(&r, "/api/v1/signal-cases?team=all").await.json();
        let cases = list.as_array().cloned().expect("cases");
        let a = cases.iter().find(|c| c["signal_count"] == 2).expect("household A")["case_id"].clone();
        let a = a.as_str().expect("id").to_string();
        let attempt =
            r#"{"attempted_on": "2026-12-24", "channel": "phone", "part_of_day": "morning", "reached": false}"#;
        let reply = send(
            &r,
            Method::POST,
            &format!("/api/v1/signal-cases/{a}/attempts"),
            &[("cookie", &regisseur.cookie()), ("x-csrf-token", &regisseur.csrf), ("content-type", "application/json")],
            Some(attempt.into()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{url}: {}", reply.body);
        let list = regisseur.get(&r, "/api/v1/signal-cases?team=all").await.json();
        let stages: Vec<(bool, String)> = list
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| (c["crisis"] == true, c["stage"].as_str().unwrap_or_default().to_string()))
            .collect();
        assert_eq!(
            stages,
            [
                (true, "first_contact".to_string()),
                (false, "first_contact".to_string()),
                (false, "in_progress".to_string())
            ],
            "{url}: crisis first, then the other awaiting first contact, then the one contacted"
        );

        let page = regisseur.get(&r, "/signalen?team=all").await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        let position = |needle: &str| page.body.find(needle).unwrap_or(usize::MAX);
        assert!(
            position(&a[a.len() - 8..].to_uppercase()) > position("mark-crisis"),
            "{url}: the crisis row comes first"
        );
        assert!(page.body.contains("id=\"worklist-crisis\""), "{url}: waiting crisis called out");
        assert!(page.body.contains("Wacht op eerste contact (2)"), "{url}: stage counts");
        assert!(page.body.contains("Overlast (1)"), "{url}: kind counts");
        assert!(page.body.contains("id=\"priority-explained\""), "{url}: priority explained in words");

        let nuisance = regisseur.get(&r, "/signalen?team=all&soort=nuisance").await;
        assert_eq!(nuisance.body.matches("class=\"case-row").count(), 1, "{url}: one nuisance case");
        let contacted = regisseur.get(&r, "/signalen?team=all&fase=in_progress").await;
        assert_eq!(contacted.body.matches("class=\"case-row").count(), 1, "{url}: one contacted case");
        assert!(contacted.body.contains(&format!("data-case-id=\"{a}\"")), "{url}");
        let none = regisseur.get(&r, "/signalen?team=all&fase=closed").await;
        assert!(none.body.contains("id=\"worklist-empty\""), "{url}: nothing closed yet");
        let buurt = regisseur.get(&r, "/signalen?team=all&buurt=BU99010201").await;
        assert_eq!(buurt.body.matches("class=\"case-row").count(), 1, "{url}: household B's buurt");
    }
}
