//! Logboek Dataverwerkingen end to end, on SQLite and PostgreSQL: a partner posts a
//! signal batch with a W3C `traceparent`; the intake, the matching into a case, a
//! professional's read and a re-identification each write Logboek operations in one
//! trace with the right parents, the partner's call recorded as the foreign operation;
//! the privacy officer's history of that person lists them all, and a refusal writes none.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send};
use leefwijk_app::demo::DEMO_TENANT;
use leefwijk_app::signals::SignalsConfig;
use leefwijk_app::testing::{backend_urls, demo_app_with_credentials};
use leefwijk_domain::access::bsn::Bsn;
use leefwijk_domain::access::covenant::Purpose;
use leefwijk_domain::access::logboek::{Operation, OperationName, TraceId};
use leefwijk_domain::calendar::Date;
use serde_json::Value;

const BSN: &str = "111222333";
const PARTNER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARTNER_OPERATION: &str = "00f067aa0ba902b7";

const BATCH: &str = "kind,bsn,postcode,house_number,house_number_addition,buurt_code,arrears_cents,arrears_since,\
signal_date,crisis,reminder_sent,personal_contact_attempted,debt_help_pointed_to,no_objection,reference
rent_arrears,111222333,9110AB,12,,BU99010101,125000,2026-10-01,2026-12-20,false,true,true,true,true,A-rent
energy_arrears,111222333,9110 ab,12,,,40000,2026-11-01,2026-12-22,false,true,true,true,true,A-energy";

fn one<'a>(ops: &'a [Operation], name: OperationName, what: &str) -> &'a Operation {
    let found: Vec<&Operation> = ops.iter().filter(|o| o.name == name).collect();
    assert_eq!(found.len(), 1, "one {what} operation: {ops:#?}");
    found[0]
}

#[tokio::test]
async fn a_partner_batch_with_traceparent_is_traced_through_intake_matching_read_and_reidentification() {
    for url in backend_urls() {
        let (app, access) = demo_app_with_credentials(&url).await;
        app.store.put_postcode_areas(&leefwijk_app::demo::demo_postcodes()).await.expect("postcodes");
        let today = Date::parse("2026-12-24").expect("date");
        let app = app.with_signals(SignalsConfig { fixed_today: Some(today), ..SignalsConfig::default() });
        let r = leefwijk_web::router(app.clone());
        let (client_id, secret) = access.api_client.clone().expect("demo client");
        let bearer = format!("Bearer {client_id}:{secret}");
        let traceparent = format!("00-{PARTNER_TRACE}-{PARTNER_OPERATION}-01");

        // 1. The partner's delivery, with its own trace context.
        let reply = send(
            &r,
            Method::POST,
            "/api/v1/signal-batches",
            &[
                ("authorization", &bearer),
                ("content-type", "text/csv"),
                ("idempotency-key", "logboek-1"),
                ("traceparent", &traceparent),
            ],
            Some(BATCH.to_string()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{url}: {}", reply.body);
        let person = app
            .keys
            .pseudonym_key(DEMO_TENANT, Purpose::EarlySignalling)
            .expect("key")
            .person(&Bsn::parse(BSN).expect("bsn"));

        // The delivery's operation carries the partner's call; the trace is Leefwijk's own.
        // (One operation per data category the gate allowed: financial, identity, contact.)
        let all_ops = app.store.processing_after(0, "", 100_000).await.expect("log");
        let deliveries: Vec<&Operation> = all_ops.iter().filter(|o| o.name == OperationName::BatchIntake).collect();
        assert!(deliveries.len() >= 2, "{url}: the delivery is logged per category: {deliveries:#?}");
        let delivery = deliveries[0];
        let trace = delivery.trace_id;
        assert!(deliveries.iter().all(|d| d.trace_id == trace && d.foreign_operation == delivery.foreign_operation));
        assert_ne!(trace.to_hex(), PARTNER_TRACE, "the partner's trace is recorded as foreign, not continued");
        let foreign = delivery.foreign_operation.clone().expect("the partner's call is the foreign operation");
        assert_eq!(
            (foreign.trace_id.to_hex().as_str(), foreign.operation_id.to_hex().as_str()),
            (PARTNER_TRACE, PARTNER_OPERATION)
        );
        assert!(foreign.entity.starts_with("urn:leefwijk:organisatie:"), "{}", foreign.entity);
        assert!(delivery.audit_seq.is_some(), "linked to the audit entry of the same decision");
        assert!(delivery.processing_activity_id.ends_with(":early_signalling"), "{}", delivery.processing_activity_id);

        let in_trace = app.store.processing_of_trace(DEMO_TENANT, trace).await.expect("trace");
        let intakes: Vec<&Operation> = in_trace.iter().filter(|o| o.name == OperationName::SignalIntake).collect();
        assert_eq!(intakes.len(), 2, "one intake per signal: {in_trace:#?}");
        for intake in &intakes {
            assert!(
                deliveries.iter().any(|d| Some(d.operation_id) == intake.parent_operation_id),
                "the delivery is the intake's parent"
            );
            assert_eq!(intake.data_subject_id.as_deref(), Some(person.as_str()), "the person's pseudonym, not the BSN");
        }
        let matching = one(&in_trace, OperationName::Matching, "matching");
        assert!(
            intakes.iter().any(|i| Some(i.operation_id) == matching.parent_operation_id),
            "matching follows an intake"
        );
        let household = matching.data_subject_id.clone().expect("the household is the matching's subject");

        // 2. A professional of the team reads the household: same trace, the matching as parent.
        let wijkteam = login(&r, "wijkteam").await;
        let cases = wijkteam.get(&r, "/api/v1/signal-cases").await.json();
        assert_eq!(cases.as_array().map(Vec::len), Some(1), "{url}: the one household of the batch: {cases}");
        let case_id = cases[0]["case_id"].as_str().expect("the new case").to_string();
        let read = wijkteam.get(&r, &format!("/api/v1/signal-cases/{case_id}")).await;
        assert_eq!(read.status, StatusCode::OK, "{url}: {}", read.body);
        assert_eq!(read.json()["case"]["household_key"], household.as_str());

        // 3. The team re-identifies the person for outreach: same trace, the intake as parent.
        let reply = wijkteam.post(&r, "/herleiden", &[("pseudonym", &person)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.body);
        // A refusal is audited but is no processing: it writes no Logboek operation.
        let corporatie = login(&r, "corporatie").await;
        let before = app.store.processing_of_trace(DEMO_TENANT, trace).await.expect("trace").len();
        let refused = corporatie.post(&r, "/herleiden", &[("pseudonym", &person)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let in_trace = app.store.processing_of_trace(DEMO_TENANT, trace).await.expect("trace");
        assert_eq!(in_trace.len(), before, "{url}: nothing logged for a refusal");

        let reads: Vec<&Operation> = in_trace
            .iter()
            .filter(|o| o.name == OperationName::Read && o.data_subject_id.as_deref() == Some(household.as_str()))
            .collect();
        assert!(!reads.is_empty(), "{url}: the read continues the case's trace: {in_trace:#?}");
        for read in &reads {
            assert_eq!(read.parent_operation_id, Some(matching.operation_id));
            assert!(read.foreign_operation.is_none(), "the team's own request has no foreign caller");
            assert!(read.processing_activity_id.ends_with(":outreach"), "{}", read.processing_activity_id);
        }
        let reidentified = one(&in_trace, OperationName::Reidentification, "re-identification");
        assert_eq!(reidentified.data_subject_id.as_deref(), Some(person.as_str()));
        assert!(intakes.iter().any(|i| Some(i.operation_id) == reidentified.parent_operation_id));
        assert!(in_trace.iter().all(|o| o.trace_id == trace && o.end_ms >= o.start_ms));

        // 4. The privacy officer's history of that person lists every one of them.
        let privacy = login(&r, "privacy").await;
        let no_csrf = send(
            &r,
            Method::POST,
            "/api/v1/processing-log/subject",
            &[("cookie", &privacy.cookie()), ("content-type", "application/json")],
            Some(format!("{{\"bsn\":\"{BSN}\"}}")),
        )
        .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
        let history = send(
            &r,
            Method::POST,
            "/api/v1/processing-log/subject",
            &[("cookie", &privacy.cookie()), ("x-csrf-token", &privacy.csrf), ("content-type", "application/json")],
            Some(format!("{{\"bsn\":\"{BSN}\"}}")),
        )
        .await;
        assert_eq!(history.status, StatusCode::OK, "{url}: {}", history.body);
        assert!(!history.body.contains(BSN), "the BSN never comes back");
        let lines: Vec<Value> = history.json()["operations"].as_array().cloned().expect("operations");
        let listed = |id: &str| lines.iter().any(|l| l["operation_id"] == id);
        for op in intakes.iter().copied().chain([matching, reidentified]).chain(reads.iter().copied()) {
            assert!(listed(&op.operation_id.to_hex()), "{url}: {:?} missing from the history", op.name);
        }
        let intake_line = lines.iter().find(|l| l["name"] == OperationName::SignalIntake.code()).expect("intake line");
        assert_eq!(intake_line["foreign_operation"]["trace_id"], PARTNER_TRACE);
        assert_eq!(intake_line["purpose"], "Vroegsignalering");
        assert!(intake_line["organisation"].as_str().is_some_and(|o| !o.starts_with("urn:") && !o.is_empty()));
        assert!(lines.iter().all(|l| l["trace_id"].as_str().is_some_and(|t| TraceId::parse(t).is_ok())));
        // The lookup itself is a processing, in the history it answers.
        assert!(lines.iter().any(|l| l["name"] == OperationName::Read.code()
            && l["processing_activity_id"].as_str().is_some_and(|a| a.ends_with(":data_subject_access"))));

        // The page shows it with names, and downloads it; others may not look.
        let page = privacy.post(&r, "/logboek", &[("bsn", BSN), ("formaat", "pagina")]).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.body);
        assert!(page.body.contains("vroegsignaal ontvangen") && page.body.contains("pseudoniem herleid tot BSN"));
        assert!(page.body.contains(&reidentified.operation_id.to_hex()));
        let download = privacy.post(&r, "/logboek", &[("bsn", BSN), ("formaat", "json")]).await;
        assert!(download.headers.get("content-disposition").is_some(), "a download");
        let bad = privacy.post(&r, "/logboek", &[("bsn", "123456789"), ("formaat", "pagina")]).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("elfproef"), "{}", bad.body);
        let not_privacy = wijkteam.post(&r, "/logboek", &[("bsn", BSN)]).await;
        assert_eq!(not_privacy.status, StatusCode::FORBIDDEN);

        // Beside the Logboek, the hash-chained audit log still verifies.
        let verified = leefwijk_app::access::audit::verify_chain(&app.store, app.keys.audit()).await.expect("verify");
        assert!(matches!(verified, leefwijk_app::access::audit::Verification::Intact { .. }), "{url}: {verified:?}");
    }
}

/// A notice to another organisation carries the Logboek operation that caused it as W3C
/// `traceparent`, so the receiver can record it as its foreign operation.
#[tokio::test]
async fn a_match_notice_carries_the_traceparent_of_the_registration_that_made_it() {
    use leefwijk_app::households::notify::MailSender;
    for url in backend_urls() {
        let outbox =
            std::env::temp_dir().join(format!("leefwijk-logboek-outbox-{}-{}.jsonl", std::process::id(), url.len()));
        let _ = std::fs::remove_file(&outbox);
        let today = Date::parse("2026-11-23").expect("date");
        let app = leefwijk_app::testing::demo_app(&url)
            .await
            .with_mail(MailSender::File { path: outbox.clone() })
            .with_signals(SignalsConfig { fixed_today: Some(today), ..SignalsConfig::default() });
        let r = leefwijk_web::router(app.clone());
        let register = |who: &common::Browser, start: &str| {
            let body = format!(r#"{{"bsn": "{BSN}", "postcode": "9110AB", "house_number": 4, "start_on": "{start}"}}"#);
            let headers = [
                ("cookie", who.cookie()),
                ("x-csrf-token", who.csrf.clone()),
                ("content-type", "application/json".to_string()),
            ];
            let r = r.clone();
            async move {
                let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                send(&r, Method::POST, "/api/v1/involvements", &h, Some(body)).await
            }
        };
        let wijkteam = login(&r, "wijkteam").await;
        let ggz = login(&r, "ggz").await;
        assert_eq!(register(&wijkteam, "2026-10-01").await.status, StatusCode::CREATED, "{url}");
        let second = register(&ggz, "2026-11-01").await;
        assert_eq!(second.status, StatusCode::CREATED, "{url}: {}", second.body);

        let sent = std::fs::read_to_string(&outbox).expect("the outbox");
        let notices: Vec<Value> = sent
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["notice"].is_string())
            .collect();
        assert_eq!(notices.len(), 2, "{url}: both organisations hear of the match: {sent}");
        let ops = app.store.processing_after(0, "", 100_000).await.expect("log");
        for notice in &notices {
            let header = notice["traceparent"].as_str().expect("a traceparent on every notice");
            let parsed = leefwijk_domain::access::logboek::TraceParent::parse(header).expect("valid W3C header");
            let cause = ops
                .iter()
                .find(|o| o.operation_id == parsed.parent_id && o.trace_id == parsed.trace_id)
                .expect("the header names a Logboek operation");
            assert!(cause.processing_activity_id.ends_with(":involvement_index"), "{}", cause.processing_activity_id);
            assert!(!sent.contains(BSN), "never the BSN");
        }
        let _ = std::fs::remove_file(&outbox);
    }
}

/// The OTLP exporter sends every operation, page by page, to a receiver the test starts;
/// a receiver that refuses stops it at the last acknowledged page.
#[tokio::test]
async fn the_logboek_exports_to_an_otlp_receiver_without_skipping() {
    use leefwijk_app::access::otlp::{export, Cursor};
    use std::sync::{Arc, Mutex};
    for url in backend_urls() {
        let (app, access) = demo_app_with_credentials(&url).await;
        app.store.put_postcode_areas(&leefwijk_app::demo::demo_postcodes()).await.expect("postcodes");
        let today = Date::parse("2026-12-24").expect("date");
        let app = app.with_signals(SignalsConfig { fixed_today: Some(today), ..SignalsConfig::default() });
        let r = leefwijk_web::router(app.clone());
        let (client_id, secret) = access.api_client.clone().expect("demo client");
        let bearer = format!("Bearer {client_id}:{secret}");
        let headers = [("authorization", bearer.as_str()), ("content-type", "text/csv"), ("idempotency-key", "otlp-1")];
        let reply = send(&r, Method::POST, "/api/v1/signal-batches", &headers, Some(BATCH.to_string())).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{url}: {}", reply.body);
        let all = app.store.processing_after(0, "", 100_000).await.expect("log");
        assert!(all.len() >= 4, "{url}: deliveries, intakes and matching: {}", all.len());

        // The receiver: collects the spans; refuses while `refuse` is set.
        let received: Arc<Mutex<Vec<Value>>> = Arc::default();
        let refuse = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (rec, no) = (received.clone(), refuse.clone());
        let receiver = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
                let (rec, no) = (rec.clone(), no.clone());
                async move {
                    if no.load(std::sync::atomic::Ordering::SeqCst) {
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                    rec.lock().expect("lock").push(body);
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}/v1/traces", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, receiver).await.expect("serve") });

        let stopped = export(&app.store, &endpoint, Cursor::default(), 2).await.expect("export");
        assert_eq!((stopped.operations, &stopped.cursor), (0, &Cursor::default()), "{url}: nothing acknowledged");
        assert!(stopped.stopped.as_deref().is_some_and(|w| w.contains("503")), "{stopped:?}");

        refuse.store(false, std::sync::atomic::Ordering::SeqCst);
        let done = export(&app.store, &endpoint, stopped.cursor, 2).await.expect("export");
        assert_eq!(done.operations, all.len(), "{url}: every operation once");
        assert!(done.stopped.is_none());
        let bodies = received.lock().expect("lock").clone();
        assert_eq!(bodies.len(), all.len().div_ceil(2), "pages of two");
        let spans: Vec<Value> = bodies
            .iter()
            .flat_map(|b| b["resourceSpans"][0]["scopeSpans"][0]["spans"].as_array().cloned().unwrap_or_default())
            .collect();
        for op in &all {
            let span = spans.iter().find(|s| s["spanId"] == op.operation_id.to_hex().as_str()).expect("exported");
            assert_eq!(span["traceId"], op.trace_id.to_hex().as_str());
            assert_eq!(span["name"], op.name.code());
            let parent = op.parent_operation_id.map(|p| Value::String(p.to_hex())).unwrap_or(Value::Null);
            assert_eq!(span["parentSpanId"], parent);
            assert!(span["attributes"]
                .as_array()
                .is_some_and(|a| a.iter().any(|kv| kv["key"] == "dpl.core.processing_activity_id")));
        }
        assert_eq!(bodies[0]["resourceSpans"][0]["resource"]["attributes"][0]["value"]["stringValue"], "leefwijk");
        // Nothing new: nothing sent, the cursor stays.
        let again = export(&app.store, &endpoint, done.cursor.clone(), 2).await.expect("export");
        assert_eq!((again.operations, again.cursor), (0, done.cursor));
    }
}
