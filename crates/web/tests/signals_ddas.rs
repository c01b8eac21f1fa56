//! DDAS vroegsignalering (issue 20, part 2), on SQLite and PostgreSQL: the delivery of the
//! demo's last full month validates against VNG Realisatie's published JSON schema v0.9
//! (vendored in conformance/ddas/, formats checked) and its counts match the signals
//! figures for the same period; nothing in it points back to a person or to Leefwijk's
//! records; the covenant decides what leaves and who may ask; a bad period names its
//! parameter.

mod common;

use axum::http::StatusCode;
use common::login;
use leefwijk_app::access::covenant::{load, SAMPLE_COVENANT};
use leefwijk_app::signals::ddas::{covenant_with_purpose, STATISTICS_PURPOSE};
use leefwijk_app::signals::SignalsConfig;
use leefwijk_app::testing::{backend_urls, demo_app, full_demo_app};
use leefwijk_domain::disclosure::DisclosureControl;
use leefwijk_domain::signals::ddas::final_result;
use leefwijk_domain::signals::Outcome;
use leefwijk_store::testing::raw_strings;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const SCHEMA: &str = include_str!("../../../conformance/ddas/v0.9/json_schema_Uitwisselmodel.json");
const EXAMPLE: &str = include_str!("../../../conformance/ddas/v0.9/enkelvoudigVoorbeeld.json");

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    jsonschema::options().should_validate_formats(true).build(&schema).expect("the published schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{e} (at {})", e.instance_path())).collect()
}

/// The statistics purpose granting every data category a signal can be in: every kind
/// leaves (non-financial ones as "Overige"), so the counts can match the figures of all
/// cases.
fn every_category_block() -> String {
    STATISTICS_PURPOSE
        .replace(
            r#"categories = ["financial", "contact"]"#,
            r#"categories = ["financial", "housing", "case_content", "contact"]"#,
        )
        .replace(
            "retention_days = { financial = 0, contact = 0 }",
            "retention_days = { financial = 0, housing = 0, case_content = 0, contact = 0 }",
        )
}

/// The last calendar month before the demo's today: its cases have had their outreach.
fn demo_month(app: &leefwijk_app::App) -> String {
    let today = app.signals.today();
    let (y, m) = if today.month == 1 { (today.year - 1, 12) } else { (today.year, today.month - 1) };
    format!("{y:04}-{m:02}")
}

fn levering_items<'a>(delivery: &'a Value, field: &str) -> Vec<&'a Value> {
    delivery["leveringen"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|l| l[field].as_array().into_iter().flatten())
        .collect()
}

#[tokio::test]
async fn the_demo_period_validates_against_the_ddas_schema_and_matches_the_figures() {
    let validator = validator();
    // The validator is the right one: the specification's own example passes, and a wrong
    // type, a wrong date and a wrong code fail.
    let example: Value = serde_json::from_str(EXAMPLE).expect("example");
    assert_eq!(errors(&validator, &example), Vec::<String>::new());
    for (pointer, bad) in [
        ("/leveringen/0/vroegsignalen/0/bedrag", Value::from("450")),
        ("/leveringen/0/vroegsignalen/0/signaaldatum", Value::from("2025-13-05")),
        ("/aanleverdatumEnTijd", Value::from("5 februari 2025")),
        ("/leveringen/0/vroegsignalen/0/signaalpartner/type", Value::from("Huurachterstand")),
    ] {
        let mut broken = example.clone();
        *broken.pointer_mut(pointer).expect("field") = bad;
        assert!(!errors(&validator, &broken).is_empty(), "{pointer} must fail");
    }

    for url in backend_urls() {
        let app = full_demo_app(&url).await;
        let exact = SignalsConfig { disclosure: DisclosureControl::NONE, ..(*app.signals).clone() };
        let app = app.with_signals(exact);
        let text = covenant_with_purpose(SAMPLE_COVENANT, &every_category_block()).expect("covenant");
        load(&app.store, &text).await.expect("covenant with the statistics purpose");
        let r = leefwijk_web::router(app.clone());
        let beleid = login(&r, "beleid").await;
        let month = demo_month(&app);

        let reply = beleid.get(&r, &format!("/api/v1/ddas/vroegsignalering?period={month}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.body);
        assert!(reply.content_type().starts_with("application/json"), "{}", reply.content_type());
        let delivery = reply.json();
        assert_eq!(errors(&validator, &delivery), Vec::<String>::new(), "{url}: {}", reply.body);
        assert_eq!(delivery["startdatumLevering"], format!("{month}-01"));
        assert_eq!(delivery["codeGegevensleverancier"], "LEEFWIJK-DEMO");
        let codes: Vec<&str> = delivery["leveringen"]
            .as_array()
            .expect("leveringen")
            .iter()
            .filter_map(|l| l["gemeentecode"].as_str())
            .collect();
        assert_eq!(codes, vec!["9901"], "{url}: Wijkerveen (GM9901)");

        let signals = levering_items(&delivery, "vroegsignalen");
        let cases = levering_items(&delivery, "vroegsignaalzaken");
        assert!(cases.len() >= 10 && signals.len() >= cases.len(), "{url}: a real month: {} cases", cases.len());
        assert!(signals.iter().all(|s| s["client"] == serde_json::json!({})), "no client data");
        // Every case refers to signals of the same delivery.
        let ids: BTreeSet<&str> = signals.iter().filter_map(|s| s["ID"].as_str()).collect();
        assert_eq!(ids.len(), signals.len(), "IDs are unique");
        for c in &cases {
            for s in c["vroegsignalen"].as_array().expect("refs") {
                assert!(ids.contains(s["ID"].as_str().unwrap_or_default()), "{url}: dangling {s}");
            }
        }

        // The figures of the same period, per wijk (without disclosure control here, so
        // exact), add up to the delivery.
        let kpis = beleid.get(&r, &format!("/api/v1/signal-kpis?period={month}")).await;
        assert_eq!(kpis.status, StatusCode::OK, "{url}: {}", kpis.body);
        let rows = kpis.json().as_array().cloned().expect("rows");
        let total = |field: &str| rows.iter().map(|k| k["figures"][field].as_u64().expect(field)).sum::<u64>();
        assert_eq!(total("cases"), cases.len() as u64, "{url}: cases");
        let open = cases.iter().filter(|c| c.get("resultaat").is_none()).count() as u64;
        assert_eq!(total("open_cases"), open, "{url}: open cases");
        let mut per_outcome: BTreeMap<&str, u64> = BTreeMap::new();
        for k in &rows {
            for o in k["figures"]["outcomes"].as_array().expect("outcomes") {
                *per_outcome.entry(o["outcome"].as_str().expect("code")).or_default() +=
                    o["cases"].as_u64().expect("n");
            }
        }
        for outcome in Outcome::ALL {
            let results = [final_result(outcome, false), final_result(outcome, true)]
                .map(|r| serde_json::to_value(r).expect("result"));
            let delivered = cases.iter().filter(|c| c.get("resultaat").is_some_and(|r| results.contains(r))).count();
            assert_eq!(per_outcome.get(outcome.code()).copied().unwrap_or(0), delivered as u64, "{url}: {outcome:?}");
        }
        // Signals: the figures count the signals that opened or joined the period's cases;
        // the delivery adds the repeats received in the period, each once.
        let (from, to) = (format!("{month}-01"), delivery["einddatumLevering"].as_str().expect("end").to_string());
        let repeats = raw_strings(
            &app.store,
            &format!(
                "SELECT id FROM signals WHERE is_repeat = 1 AND received_on >= '{from}' AND received_on <= '{to}'"
            ),
        )
        .await
        .expect("repeats");
        assert_eq!(total("signals") + repeats.len() as u64, signals.len() as u64, "{url}: signals");
        let repeat_status = signals.iter().filter(|s| s["status"] == "Niet opgepakt: herhaalde melding").count();
        assert!(repeat_status >= repeats.len(), "{url}: every repeat says so");

        // Nothing points back: no BSN, no pseudonym or key used elsewhere in Leefwijk, no
        // internal id. Every ID is a 64-hex keyed pseudonym, the same in a later delivery.
        let mut secrets: Vec<String> = (1..=140).map(leefwijk_app::demo::fictional_bsn).collect();
        for sql in [
            "SELECT id FROM signals",
            "SELECT case_id FROM signals",
            "SELECT batch_id FROM signals",
            "SELECT person_pseudonym FROM signals WHERE person_pseudonym IS NOT NULL",
            "SELECT household_key FROM signals",
            "SELECT customer_key FROM signals WHERE customer_key IS NOT NULL",
            "SELECT id FROM contact_attempts",
            "SELECT user_id FROM contact_attempts",
            "SELECT pseudonym FROM person_vault",
            "SELECT id FROM users",
        ] {
            let found = raw_strings(&app.store, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            assert!(!found.is_empty() || sql.contains("customer") || sql.contains("vault"), "{url}: {sql}");
            secrets.extend(found);
        }
        secrets.sort();
        secrets.dedup();
        for secret in secrets.iter().filter(|s| s.len() >= 8) {
            assert!(!reply.body.contains(secret.as_str()), "{url}: '{secret}' left the system");
        }
        assert!(ids.iter().all(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())), "{url}");
        let again = beleid.get(&r, &format!("/api/v1/ddas/vroegsignalering?period={month}")).await.json();
        let again_ids: BTreeSet<String> =
            levering_items(&again, "vroegsignalen").iter().filter_map(|s| s["ID"].as_str().map(String::from)).collect();
        assert_eq!(again_ids, ids.iter().map(|s| s.to_string()).collect(), "{url}: stable IDs");

        // The read is audited under the statistics purpose, per data category.
        let audited = raw_strings(
            &app.store,
            &format!(
                "SELECT category FROM audit_log WHERE purpose = 'statistics' AND action = 'read' \
                 AND outcome = 'allow' AND subject = 'ddas:{month}' AND actor = (SELECT id FROM users WHERE username = 'beleid')"
            ),
        )
        .await
        .expect("audit");
        let categories: BTreeSet<&str> = audited.iter().map(String::as_str).collect();
        assert_eq!(categories, BTreeSet::from(["case_content", "contact", "financial", "housing"]), "{url}");
    }
}

/// The recommended covenant purpose grants financial data only: only arrears signals
/// leave, and no case is delivered without one.
#[tokio::test]
async fn a_covenant_granting_financial_data_only_delivers_arrears_signals_only() {
    let validator = validator();
    for url in backend_urls() {
        let app = full_demo_app(&url).await;
        let text = covenant_with_purpose(SAMPLE_COVENANT, STATISTICS_PURPOSE).expect("covenant");
        load(&app.store, &text).await.expect("load");
        let r = leefwijk_web::router(app.clone());
        let beleid = login(&r, "beleid").await;
        let month = demo_month(&app);
        let reply = beleid.get(&r, &format!("/api/v1/ddas/vroegsignalering?from={month}-01&to={month}-28")).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.body);
        let delivery = reply.json();
        assert_eq!(errors(&validator, &delivery), Vec::<String>::new(), "{url}");
        let signals = levering_items(&delivery, "vroegsignalen");
        assert!(!signals.is_empty(), "{url}");
        assert!(signals.iter().all(|s| s["signaalpartner"]["type"] != "Overige" && s.get("bedrag").is_some()), "{url}");
        assert!(!levering_items(&delivery, "vroegsignaalzaken").is_empty(), "{url}");
    }
}

#[tokio::test]
async fn who_may_ask_is_the_covenants_and_a_bad_period_names_its_parameter() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        let r = leefwijk_web::router(app.clone());
        let path = "/api/v1/ddas/vroegsignalering?period=2026-11";

        // A role without the right: refused by the access table.
        let wijkteam = login(&r, "wijkteam").await;
        let reply = wijkteam.get(&r, path).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{url}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");

        // Policy staff, under a covenant without the statistics purpose: refused by the
        // gate, and the refusal is audited.
        let beleid = login(&r, "beleid").await;
        let reply = beleid.get(&r, path).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{url}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
        assert_eq!(reply.json()["code"], "covenant_denied");
        assert!(reply.body.contains("Statistics"), "{url}: {}", reply.body);
        let denials = raw_strings(
            &app.store,
            "SELECT outcome FROM audit_log WHERE purpose = 'statistics' AND subject = 'ddas:2026-11'",
        )
        .await
        .expect("audit");
        assert_eq!(denials, vec!["deny".to_string()], "{url}");

        // A bad period: 400, naming the parameter, before anything is read.
        for (query, parameter) in [
            ("period=2026-13", "period"),
            ("period=november", "period"),
            ("", "period"),
            ("from=2026-11-01", "to"),
            ("from=2026-11-31&to=2026-12-01", "from"),
            ("from=2026-12-01&to=2026-11-01", "to"),
            ("period=2026-11&from=2026-11-01&to=2026-11-30", "period"),
        ] {
            let reply = beleid.get(&r, &format!("/api/v1/ddas/vroegsignalering?{query}")).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{url} {query}: {}", reply.body);
            assert_eq!(reply.content_type(), "application/problem+json");
            let problem = reply.json();
            assert_eq!(problem["errors"][0]["field"], parameter, "{url} {query}: {problem}");
            assert!(problem["detail"].as_str().unwrap_or_default().starts_with(parameter), "{problem}");
        }
        let kpis = beleid.get(&r, "/api/v1/signal-kpis?period=2026-1").await;
        assert_eq!(kpis.status, StatusCode::BAD_REQUEST, "{url}: {}", kpis.body);
        assert_eq!(kpis.json()["errors"][0]["field"], "period");
    }
}
