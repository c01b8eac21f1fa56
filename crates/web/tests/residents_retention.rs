//! Retention of what residents left with the collaboration, on SQLite and PostgreSQL: the
//! proposer's contact of a decided initiative and the requester of a closed access request
//! are kept for their term and cleared after it, audited by count; an open initiative and
//! a request still being handled keep theirs.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send, Browser, Reply};
use leefwijk_app::demo::{fictional_bsn, DEMO_TENANT};
use leefwijk_app::residents::retention;
use leefwijk_app::signals::SignalsConfig;
use leefwijk_app::testing::{backend_urls, demo_app};
use leefwijk_app::AuditFilter;
use leefwijk_domain::calendar::Date;
use serde_json::{json, Value};

const JSON: (&str, &str) = ("content-type", "application/json");

fn day(s: &str) -> Date {
    Date::parse(s).expect("date")
}

async fn staff_step(r: &axum::Router, b: &Browser, id: &str, body: Value) -> Reply {
    let uri = format!("/api/v1/access-requests/{id}/steps");
    send(r, Method::POST, &uri, &[("cookie", &b.cookie()), ("x-csrf-token", &b.csrf), JSON], Some(body.to_string()))
        .await
}

async fn propose(r: &axum::Router, contact: &str) -> String {
    let body = json!({"area_code": "BU99010101", "title": "Bankje bij de vijver", "description": "Om even te zitten.",
                      "cost_euros": 800, "contact": contact});
    let reply = send(r, Method::POST, "/api/v1/initiatives", &[JSON], Some(body.to_string())).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn contacts_of_decided_initiatives_and_closed_requests_are_cleared_after_their_term() {
    let today = day("2026-01-10");
    for url in backend_urls() {
        let base = demo_app(&url).await;
        leefwijk_app::demo::load_residents(&base).await.expect("demo");
        let app = base.clone().with_signals(SignalsConfig { fixed_today: Some(today), ..Default::default() });
        let r = leefwijk_web::router(app.clone());

        // Two initiatives with a contact: one decided (rejected), one still collecting support.
        let decided = propose(&r, "besloten@voorbeeld.nl").await;
        let open = propose(&r, "lopend@voorbeeld.nl").await;
        let now = leefwijk_app::access::identity::now_ms();
        assert!(app
            .store
            .move_initiative(&decided, "proposed", "rejected", Some("Past niet"), None, now)
            .await
            .expect("db"));

        // Two access requests: one answered, one still being handled.
        let privacy = login(&r, "privacy").await;
        let mut ids = Vec::new();
        for (seed, name) in [(11, "Elf"), (12, "Twaalf")] {
            let body =
                json!({"tenant": DEMO_TENANT, "bsn": fictional_bsn(seed), "name": name, "email": "b@example.org"});
            let filed = send(&r, Method::POST, "/api/v1/access-requests", &[JSON], Some(body.to_string())).await;
            assert_eq!(filed.status, StatusCode::CREATED, "{url}: {}", filed.body);
            ids.push(filed.json()["reference"].as_str().expect("ref").to_string());
        }
        let (answered, pending) = (&ids[0], &ids[1]);
        let verify = json!({"step": "verify_identity", "note": "ID-kaart gezien", "bsn_on_id": fictional_bsn(11)});
        for step in [verify, json!({"step": "export"}), json!({"step": "answer", "note": "Verstuurd per post"})] {
            let done = staff_step(&r, &privacy, answered, step).await;
            assert_eq!(done.status, StatusCode::OK, "{url}: {}", done.body);
        }

        // Within the terms nothing of these goes.
        let early = retention::run(&app, today.add_days(30)).await.expect("retention");
        assert_eq!((early.initiative_contacts, early.access_requests), (0, 0), "{url}: {early:?}");
        assert!(app.store.initiative(&decided).await.expect("db").expect("row").contact.is_some());

        // After them: the decided initiative and the answered request lose who they came from.
        // (Initiatives are stamped by the clock, requests by the configured day: go past both.)
        let clock_today = Date::from_days_since_epoch(now / 86_400_000);
        let after_both = clock_today.max(today).add_days(400);
        let late = retention::run(&app, after_both).await.expect("retention");
        assert!(late.initiative_contacts >= 1 && late.access_requests >= 1, "{url}: {late:?}");
        assert_eq!(app.store.initiative(&decided).await.expect("db").expect("row").contact, None, "{url}");
        let still = app.store.initiative(&open).await.expect("db").expect("row");
        assert_eq!(still.contact.as_deref(), Some("lopend@voorbeeld.nl"), "{url}: undecided keeps its contact");
        let cleared = app.store.access_request(answered).await.expect("db").expect("row");
        assert_eq!((cleared.sealed_contact.as_str(), cleared.pseudonyms.as_str()), ("", "{}"), "{url}");
        assert_eq!(cleared.status, "answered", "{url}: the record of the request stays");
        let kept = app.store.access_request(pending).await.expect("db").expect("row");
        assert!(!kept.sealed_contact.is_empty(), "{url}: a request being handled keeps its requester");

        // The officer still opens the cleared request, without a name to read.
        let detail = privacy.get(&r, &format!("/api/v1/access-requests/{answered}")).await;
        assert_eq!(detail.status, StatusCode::OK, "{url}: {}", detail.body);
        assert!(detail.body.contains("bewaartermijn") && !detail.body.contains("Elf"), "{url}: {}", detail.body);

        // Audited by count, never by content; a second run finds nothing more.
        let audit = app
            .store
            .audit_search(&AuditFilter { subject: Some("retention".into()), limit: 50, ..Default::default() })
            .await
            .expect("audit");
        for purpose in ["participation", "data_subject_access"] {
            let entry = audit.iter().find(|e| e.purpose == purpose && e.action == "purge").expect(purpose);
            assert!(entry.rule.contains("cleared on"), "{url}: {}", entry.rule);
            assert!(!entry.rule.contains("voorbeeld.nl") && !entry.rule.contains("Elf"), "{url}: {}", entry.rule);
        }
        let again = retention::run(&app, after_both).await.expect("retention");
        assert_eq!((again.initiative_contacts, again.access_requests), (0, 0), "{url}: {again:?}");
    }
}

/// The open-text answers of a closed survey are blanked after their term; the number of
/// responses and the published results stay, and an open survey keeps its texts.
#[tokio::test]
async fn open_answers_of_closed_surveys_are_blanked_after_their_term() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_residents(&app).await.expect("demo");
        let r = leefwijk_web::router(app.clone());
        let beleid = login(&r, "beleid").await;
        let texts = |view: &Value| -> usize {
            view["questions"]
                .as_array()
                .map(|qs| qs.iter().map(|q| q["answers"].as_array().map_or(0, Vec::len)).sum())
                .unwrap_or(0)
        };
        // The demo's surveys with open texts to read; close the first of them.
        let mut with_texts = Vec::new();
        for s in app.store.surveys_with_status("open").await.expect("surveys") {
            let view = beleid.get(&r, &format!("/api/v1/surveys/{}/open-answers", s.id)).await;
            if view.status == StatusCode::OK && texts(&view.json()) > 0 {
                with_texts.push(s.id);
            }
        }
        assert!(!with_texts.is_empty(), "{url}: the demo has a survey with open answers");
        let closed = with_texts[0].clone();
        let uri = format!("/api/v1/surveys/{closed}/status");
        let body = json!({"status": "closed"}).to_string();
        let headers = [("cookie", beleid.cookie()), ("x-csrf-token", beleid.csrf.clone())];
        let headers: Vec<(&str, &str)> =
            headers.iter().map(|(k, v)| (*k, v.as_str())).chain(std::iter::once(JSON)).collect();
        let done = send(&r, Method::POST, &uri, &headers, Some(body)).await;
        assert_eq!(done.status, StatusCode::OK, "{url}: {}", done.body);
        let before = send(&r, Method::GET, &format!("/api/v1/surveys/{closed}/results"), &[], None).await.json();

        let clock_today = Date::from_days_since_epoch(leefwijk_app::access::identity::now_ms() / 86_400_000);
        let early = retention::run(&app, clock_today.add_days(30)).await.expect("retention");
        assert_eq!(early.open_answers, 0, "{url}: within the term");
        let late = retention::run(&app, clock_today.add_days(400)).await.expect("retention");
        assert!(late.open_answers >= 1, "{url}: {late:?}");

        let view = beleid.get(&r, &format!("/api/v1/surveys/{closed}/open-answers")).await.json();
        assert_eq!(texts(&view), 0, "{url}: no text left: {view}");
        let after = send(&r, Method::GET, &format!("/api/v1/surveys/{closed}/results"), &[], None).await.json();
        assert!(before["responses"].as_u64().is_some_and(|n| n > 0), "{url}: published: {before}");
        assert_eq!(after["responses"], before["responses"], "{url}: the counts stay");
        assert_eq!(after["questions"], before["questions"], "{url}: the published results stay");
        for other in &with_texts[1..] {
            let view = beleid.get(&r, &format!("/api/v1/surveys/{other}/open-answers")).await.json();
            assert!(texts(&view) > 0, "{url}: an open survey keeps its texts");
        }
        let audit = app
            .store
            .audit_search(&AuditFilter { subject: Some("retention".into()), limit: 50, ..Default::default() })
            .await
            .expect("audit");
        assert!(audit.iter().any(|e| e.purpose == "panels" && e.action == "purge"), "{url}: audited by count");
    }
}
