//! Own data (AVG inzage) end to end, on SQLite and PostgreSQL: a resident's request, the
//! privacy officer's steps, the export holding the person's signals and the audit entries
//! about them and nothing of another person, every step in the audit log, no BSN stored,
//! and every other role refused.

mod common;

use axum::http::{Method, StatusCode};
use common::{form, login, send, Browser, Reply};
use leefwijk_app::demo::{fictional_bsn, DEMO_TENANT};
use leefwijk_app::households::notify::MailSender;
use leefwijk_app::residents::limits::RateLimit;
use leefwijk_app::residents::ResidentsConfig;
use leefwijk_app::testing::{backend_urls, demo_app};
use leefwijk_app::AuditFilter;
use serde_json::{json, Value};
use std::collections::BTreeSet;

async fn request(r: &axum::Router, body: Value) -> Reply {
    send(r, Method::POST, "/api/v1/access-requests", &[("content-type", "application/json")], Some(body.to_string()))
        .await
}

async fn take_step(r: &axum::Router, b: &Browser, id: &str, body: Value) -> Reply {
    send(
        r,
        Method::POST,
        &format!("/api/v1/access-requests/{id}/steps"),
        &[("cookie", &b.cookie()), ("x-csrf-token", &b.csrf), ("content-type", "application/json")],
        Some(body.to_string()),
    )
    .await
}

/// Fictional people of the demo signals who have signals of their own.
async fn people_with_signals(app: &leefwijk_app::App, n: usize) -> Vec<String> {
    let key =
        app.keys.pseudonym_key(DEMO_TENANT, leefwijk_domain::access::covenant::Purpose::EarlySignalling).expect("key");
    let mut out = Vec::new();
    for seed in 1..=140 {
        let bsn = fictional_bsn(seed);
        let person = key.person(&leefwijk_domain::access::bsn::Bsn::parse(&bsn).expect("valid"));
        if app.store.person_has_signals(DEMO_TENANT, &person).await.expect("db") {
            out.push(bsn);
        }
        if out.len() == n {
            break;
        }
    }
    assert_eq!(out.len(), n, "the demo has people with signals");
    out
}

fn ids(export: &Value, section: &str) -> BTreeSet<String> {
    export[section].as_array().expect(section).iter().map(|s| s["id"].as_str().expect("id").to_string()).collect()
}

/// Files a request for `bsn`, verifies identity and returns (request id, export JSON).
async fn handled(r: &axum::Router, privacy: &Browser, bsn: &str, name: &str) -> (String, Value) {
    let reply =
        request(r, json!({"tenant": DEMO_TENANT, "bsn": bsn, "name": name, "email": "bewoner@example.org"})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.json()["reference"].as_str().expect("reference").to_string();
    let verified = take_step(
        r,
        privacy,
        &id,
        json!({"step": "verify_identity", "note": "ID-kaart gezien aan de balie", "bsn_on_id": bsn}),
    )
    .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let exported = take_step(r, privacy, &id, json!({"step": "export"})).await;
    assert_eq!(exported.json()["status"], "export_ready");
    let export = privacy.get(r, &format!("/api/v1/access-requests/{id}/export")).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert!(export.headers.get("content-disposition").is_some(), "a download");
    (id, export.json())
}

#[tokio::test]
async fn request_steps_export_and_audit() {
    for url in backend_urls() {
        let mail =
            std::env::temp_dir().join(format!("leefwijk-inzage-mail-{}-{}.jsonl", std::process::id(), url.len()));
        let _ = std::fs::remove_file(&mail);
        let config = ResidentsConfig {
            rate_limit: RateLimit { max_posts: 1_000, ..RateLimit::default() },
            ..ResidentsConfig::default()
        };
        let app = demo_app(&url).await.with_mail(MailSender::File { path: mail.clone() }).with_residents(config);
        leefwijk_app::demo::load_signals(&app).await.expect("demo signals");
        let r = leefwijk_web::router(app.clone());
        let privacy = login(&r, "privacy").await;
        let people = people_with_signals(&app, 2).await;
        let bsn = people[0].clone();

        // Honest errors per field.
        let bad =
            request(&r, json!({"tenant": DEMO_TENANT, "bsn": "123456789", "name": "", "email": "geen-adres"})).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let fields: Vec<String> = bad.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().expect("f").to_string())
            .collect();
        assert_eq!(fields, vec!["bsn", "name", "email"], "{}", bad.body);
        let no_tenant = request(&r, json!({"bsn": bsn, "name": "X", "email": "x@example.org"})).await;
        assert_eq!(no_tenant.json()["errors"][0]["field"], "tenant", "two collaborations: the resident chooses");

        // The request: a reference and the deadline one month on.
        let reply = request(&r, json!({"tenant": DEMO_TENANT, "bsn": bsn, "name": "Test Bewoner (fictief)", "email": "bewoner@example.org"})).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let receipt = reply.json();
        let id = receipt["reference"].as_str().expect("reference").to_string();
        let today = app.signals.today();
        assert_eq!(receipt["due_on"], leefwijk_app::residents::inzage::due_date(today, 1).to_string());
        let sent = std::fs::read_to_string(&mail).expect("confirmation mail");
        assert!(sent.contains(&id) && sent.contains("bewoner@example.org"));
        assert!(!sent.contains(&bsn), "the BSN is never sent back");

        // No BSN stored anywhere in the request.
        let stored = app.store.access_request(&id).await.expect("db").expect("stored");
        assert!(!format!("{stored:?}").contains(&bsn) && !stored.sealed_contact.contains("Bewoner"));

        // Other roles are refused; the officer sees the request.
        let beleid = login(&r, "beleid").await;
        assert_eq!(beleid.get(&r, "/api/v1/access-requests").await.status, StatusCode::FORBIDDEN);
        assert_eq!(beleid.get(&r, &format!("/api/v1/access-requests/{id}/export")).await.status, StatusCode::FORBIDDEN);
        let wijkteam = login(&r, "wijkteam").await;
        assert_eq!(wijkteam.get(&r, &format!("/privacy/inzage/{id}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(send(&r, Method::GET, "/api/v1/access-requests", &[], None).await.status, StatusCode::UNAUTHORIZED);
        let list = privacy.get(&r, "/api/v1/access-requests").await.json();
        assert!(list.as_array().expect("list").iter().any(|row| row["id"] == id.as_str() && row["overdue"] == false));

        // No export before identity is verified; a BSN on the ID that differs is refused.
        let early = privacy.get(&r, &format!("/api/v1/access-requests/{id}/export")).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
        let wrong = take_step(
            &r,
            &privacy,
            &id,
            json!({"step": "verify_identity", "note": "paspoort", "bsn_on_id": people[1]}),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        let no_note = take_step(&r, &privacy, &id, json!({"step": "verify_identity"})).await;
        assert_eq!(no_note.status, StatusCode::BAD_REQUEST);
        let out_of_order = take_step(&r, &privacy, &id, json!({"step": "answer"})).await;
        assert_eq!(out_of_order.status, StatusCode::CONFLICT);

        let verified = take_step(
            &r,
            &privacy,
            &id,
            json!({"step": "verify_identity", "note": "ID-kaart gezien aan de balie", "bsn_on_id": bsn}),
        )
        .await;
        assert_eq!(verified.json()["status"], "identity_verified", "{}", verified.body);
        let exported = take_step(&r, &privacy, &id, json!({"step": "export"})).await;
        assert_eq!(exported.json()["status"], "export_ready");
        let export = privacy.get(&r, &format!("/api/v1/access-requests/{id}/export")).await.json();
        let own_signals = ids(&export, "signals");
        assert!(!own_signals.is_empty(), "the demo person's signals: {export}");
        assert!(!ids(&export, "signal_cases").is_empty());
        let audit = export["audit_entries"].as_array().expect("audit");
        assert!(audit.iter().any(|e| e["purpose"] == "early_signalling"), "the partners' writes");
        assert!(
            audit
                .iter()
                .any(|e| e["purpose"] == "data_subject_access" && e["action"] == "read" && e["category"] == "own_data"),
            "and this export itself"
        );
        // The Logboek Dataverwerkingen section: the partners' intake of the person's
        // signals, and the handling of this request itself (contact opened, export).
        let processing = export["processing_log"].as_array().expect("processing_log");
        let has = |name: &str| processing.iter().any(|l| l["name"] == name);
        assert!(has("vroegsignaal ontvangen"), "{url}: the intake of the person's signals: {processing:?}");
        assert!(has("persoonsgegevens geëxporteerd"), "{url}: this export");
        assert!(processing.iter().all(|l| l["trace_id"].as_str().is_some_and(|t| t.len() == 32)));
        assert!(!export.to_string().contains(&bsn));

        // Another person's export shares nothing with this one.
        let (_, other) = handled(&r, &privacy, &people[1], "Ander (fictief)").await;
        let other_signals = ids(&other, "signals");
        assert!(!other_signals.is_empty());
        assert!(own_signals.is_disjoint(&other_signals), "nothing of another person");
        assert!(ids(&export, "signal_cases").is_disjoint(&ids(&other, "signal_cases")));

        let answered = take_step(&r, &privacy, &id, json!({"step": "answer", "note": "per e-mail verstuurd"})).await;
        assert_eq!(answered.json()["status"], "answered");
        let refuse_closed = take_step(&r, &privacy, &id, json!({"step": "refuse", "note": "te laat"})).await;
        assert_eq!(refuse_closed.status, StatusCode::CONFLICT);

        // Every step audited under the purpose of the request, with the officer as actor.
        let entries = app
            .store
            .audit_search(&AuditFilter {
                tenant: Some(DEMO_TENANT.into()),
                purpose: Some("data_subject_access".into()),
                limit: 1000,
                ..AuditFilter::default()
            })
            .await
            .expect("audit");
        let of_this: Vec<_> = entries.iter().filter(|e| e.rule.contains(&id)).collect();
        for rule in ["ontvangen", "'verify_identity'", "'export'", "'answer'"] {
            assert!(of_this.iter().any(|e| e.rule.contains(rule)), "{rule} audited: {of_this:?}");
        }
        let officer = app.store.user_by_username("privacy").await.expect("db").expect("user");
        assert!(of_this.iter().filter(|e| e.rule.contains("stap")).all(|e| e.actor == officer.id));
        let steps = app.store.access_request_steps(&id).await.expect("steps");
        assert_eq!(
            steps.iter().map(|s| s.step.as_str()).collect::<Vec<_>>(),
            vec!["received", "verify_identity", "export", "answer"]
        );

        // Refusing needs a reason.
        let (third, _) = {
            let reply = request(
                &r,
                json!({"tenant": DEMO_TENANT, "bsn": fictional_bsn(3), "name": "Derde", "postal_address": "Straat 1"}),
            )
            .await;
            (reply.json()["reference"].as_str().expect("ref").to_string(), ())
        };
        assert_eq!(take_step(&r, &privacy, &third, json!({"step": "refuse"})).await.status, StatusCode::BAD_REQUEST);
        let refused = take_step(
            &r,
            &privacy,
            &third,
            json!({"step": "refuse", "note": "Identiteit kon niet worden vastgesteld"}),
        )
        .await;
        assert_eq!(refused.json()["status"], "refused");
        let _ = std::fs::remove_file(&mail);
    }
}

#[tokio::test]
async fn pages_form_officer_and_overdue_demo() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_signals(&app).await.expect("demo signals");
        leefwijk_app::demo::load_households(&app).await.expect("demo households");
        // The demo adds two requests, one overdue (for the households demo's person).
        let loaded = leefwijk_app::demo::load_residents(&app).await.expect("demo");
        assert!(loaded.iter().any(|l| l.starts_with("inzage")), "{loaded:?}");
        let r = leefwijk_web::router(app.clone());

        let page = send(&r, Method::GET, "/inzage", &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("name=\"bsn\""));
        let post = |pairs: Vec<(&'static str, String)>| {
            let r = r.clone();
            async move {
                let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                send(
                    &r,
                    Method::POST,
                    "/inzage",
                    &[("content-type", "application/x-www-form-urlencoded")],
                    Some(form(&pairs)),
                )
                .await
            }
        };
        let bad = post(vec![
            ("tenant", DEMO_TENANT.into()),
            ("bsn", "111222334".into()),
            ("name", "<b>Jan</b>".into()),
            ("email", "jan@example.org".into()),
        ])
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("id=\"bsn-error\"") && bad.body.contains("elfproef"), "{}", bad.body);
        assert!(bad.body.contains("&#60;b&#62;Jan&#60;/b&#62;") && !bad.body.contains("<b>Jan"), "kept, escaped");
        assert!(!bad.body.contains("111222334"), "a failed BSN is not echoed");
        let ok = post(vec![
            ("tenant", DEMO_TENANT.into()),
            ("bsn", fictional_bsn(1)),
            ("name", "Jan (fictief)".into()),
            ("email", "jan@example.org".into()),
        ])
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(ok.body.contains("id=\"reference\""));

        let privacy = login(&r, "privacy").await;
        let list = privacy.get(&r, "/privacy/inzage").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("id=\"overdue-count\""), "{}", list.body);
        let rows = privacy.get(&r, "/api/v1/access-requests").await.json();
        assert_eq!(rows.as_array().map(|a| a.iter().filter(|r| r["overdue"] == true).count()), Some(1));
        let id = rows[0]["id"].as_str().expect("id").to_string();

        let detail = privacy.get(&r, &format!("/privacy/inzage/{id}")).await;
        assert_eq!(detail.status, StatusCode::OK);
        assert!(detail.body.contains("(fictief)"), "the officer sees who asked");
        let step = privacy
            .post(
                &r,
                &format!("/privacy/inzage/{id}/stap"),
                &[("step", "verify_identity"), ("note", "Paspoort gezien")],
            )
            .await;
        assert_eq!(step.status, StatusCode::SEE_OTHER, "{}", step.body);
        let missing = privacy.post(&r, &format!("/privacy/inzage/{id}/stap"), &[("step", "refuse")]).await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        assert!(missing.body.contains("id=\"step-error\""));
        let printable = privacy.get(&r, &format!("/privacy/inzage/{id}/export")).await;
        assert_eq!(printable.status, StatusCode::OK, "{}", printable.body);
        assert!(printable.body.contains("section-signals") && printable.body.contains("section-audit_entries"));
        // The overdue request is the households demo's person: involvements, consents, the
        // joint plan with its items and ZRM assessments.
        let export = privacy.get(&r, &format!("/api/v1/access-requests/{id}/export")).await.json();
        for section in ["involvements", "consents", "joint_plans", "plan_items", "zrm_assessments"] {
            assert!(!export[section].as_array().expect(section).is_empty(), "{section}: {export}");
        }
        assert!(export["audit_entries"].as_array().expect("audit").iter().any(|e| e["purpose"] == "joint_plan"));
        // Another collaboration's request is not found for the officer of this one.
        assert_eq!(privacy.get(&r, "/privacy/inzage/does-not-exist").await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn public_forms_are_rate_limited_and_size_capped() {
    for url in backend_urls() {
        let config = ResidentsConfig {
            rate_limit: RateLimit { max_posts: 3, window_seconds: 600, ..RateLimit::default() },
            ..ResidentsConfig::default()
        };
        let app = demo_app(&url).await.with_residents(config);
        let r = leefwijk_web::router(app.clone());
        let long = "x".repeat(501);
        for _ in 0..3 {
            let reply =
                request(&r, json!({"tenant": DEMO_TENANT, "bsn": "1", "name": "n", "postal_address": long})).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert!(reply.body.contains("postal_address"), "the size cap names the field: {}", reply.body);
        }
        let limited = request(&r, json!({"tenant": DEMO_TENANT, "bsn": "1", "name": "n"})).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
        assert!(limited.headers.get("retry-after").is_some());
        // The page form counts on its own.
        let page = send(
            &r,
            Method::POST,
            "/inzage",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(String::new()),
        )
        .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn the_term_is_extended_once_by_two_months_within_the_first_term() {
    use leefwijk_app::signals::SignalsConfig;
    use leefwijk_domain::calendar::Date;
    let on = |day: &str| SignalsConfig { fixed_today: Some(Date::parse(day).expect("date")), ..Default::default() };
    for url in backend_urls() {
        let base = demo_app(&url).await;
        let app = base.clone().with_signals(on("2026-01-31"));
        let r = leefwijk_web::router(app.clone());
        let privacy = login(&r, "privacy").await;
        let filed = request(
            &r,
            json!({"tenant": DEMO_TENANT, "bsn": fictional_bsn(5), "name": "Vijf", "email": "vijf@example.org"}),
        )
        .await;
        assert_eq!(filed.status, StatusCode::CREATED, "{url}: {}", filed.body);
        assert_eq!(filed.json()["due_on"], "2026-02-28", "one month, cut to the month's last day");
        let id = filed.json()["reference"].as_str().expect("ref").to_string();

        let no_reason = take_step(&r, &privacy, &id, json!({"step": "extend"})).await;
        assert_eq!(no_reason.status, StatusCode::BAD_REQUEST, "{url}: the reason is required");
        let extended =
            take_step(&r, &privacy, &id, json!({"step": "extend", "note": "Gegevens bij vijf organisaties"})).await;
        assert_eq!(extended.status, StatusCode::OK, "{url}: {}", extended.body);
        assert_eq!(extended.json()["status"], "received", "the status stays");
        let detail = privacy.get(&r, &format!("/api/v1/access-requests/{id}")).await.json();
        assert_eq!(detail["row"]["due_on"], "2026-04-30", "{url}: received + 1 + 2 months: {detail}");
        let again = take_step(&r, &privacy, &id, json!({"step": "extend", "note": "nog eens"})).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{url}: only once");
        let steps = app.store.access_request_steps(&id).await.expect("steps");
        assert_eq!(steps.iter().filter(|s| s.step == "extend").count(), 1);
        let audit = app
            .store
            .audit_search(&AuditFilter { tenant: Some(DEMO_TENANT.to_string()), limit: 1000, ..AuditFilter::default() })
            .await
            .expect("audit")
            .into_iter()
            .any(|e| e.rule.contains("verlengd tot 2026-04-30"));
        assert!(audit, "{url}: the extension is audited");

        // Past the first term an extension is too late.
        let late_filed = request(
            &r,
            json!({"tenant": DEMO_TENANT, "bsn": fictional_bsn(6), "name": "Zes", "email": "zes@example.org"}),
        )
        .await;
        let late_id = late_filed.json()["reference"].as_str().expect("ref").to_string();
        let later = leefwijk_web::router(base.clone().with_signals(on("2026-03-02")));
        let privacy_later = login(&later, "privacy").await;
        let late = take_step(&later, &privacy_later, &late_id, json!({"step": "extend", "note": "drukte"})).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{url}: {}", late.body);
        assert!(late.json()["detail"].as_str().is_some_and(|d| d.contains("within the first term")));
    }
}
