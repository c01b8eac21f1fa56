//! Households end to end, on SQLite and PostgreSQL: two organisations register
//! involvement, both get the match notice, one becomes coordinator, a plan is made with
//! consent and ZRM assessments; a third organisation with neither involvement nor consent
//! is refused with 403 naming the missing rule, and the refusal is in the audit log.
//! Escalation and the youth regime run on a controllable clock.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send, Browser, Reply};
use leefwijk_app::signals::SignalsConfig;
use leefwijk_app::testing::{backend_urls, demo_app};
use leefwijk_domain::calendar::Date;

async fn post(r: &axum::Router, who: &Browser, uri: &str, body: &str) -> Reply {
    send(
        r,
        Method::POST,
        uri,
        &[("cookie", &who.cookie()), ("x-csrf-token", &who.csrf), ("content-type", "application/json")],
        Some(body.to_string()),
    )
    .await
}

fn app_on(app: &leefwijk_app::App, day: &str) -> leefwijk_app::App {
    app.clone().with_signals(SignalsConfig { fixed_today: Some(Date::parse(day).expect("date")), ..Default::default() })
}

const A: &str = "111222333";
const B: &str = "123456782";

#[tokio::test]
async fn involvement_match_coordinator_consent_plan_and_refusal() {
    for url in backend_urls() {
        let (base, access) = leefwijk_app::testing::demo_app_with_credentials(&url).await;
        let app = app_on(&base, "2026-11-23");
        let r = leefwijk_web::router(app.clone());
        // A signal about the person, from the corporation's system: it will show on the plan.
        let (cid, secret) = access.api_client.clone().expect("client");
        let signal = format!(
            r#"{{"kind": "rent_arrears", "bsn": "{A}", "buurt_code": "BU99010101", "postcode": "9110AB", "house_number": 4, "arrears_cents": 90000,
            "signal_date": "2026-11-10", "reminder_sent": true, "personal_contact_attempted": true, "debt_help_pointed_to": true, "no_objection": true}}"#
        );
        let sent = send(
            &r,
            Method::POST,
            "/api/v1/signals",
            &[("authorization", &format!("Bearer {cid}:{secret}")), ("content-type", "application/json")],
            Some(signal),
        )
        .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        let wijkteam = login(&r, "wijkteam").await;
        let ggz = login(&r, "ggz").await;
        let corporatie = login(&r, "corporatie").await;
        // The neighbourhood team's coordinator (regisseur) works on the plan.
        let regisseur = login(&r, "regisseur").await;

        let first = post(
            &r,
            &wijkteam,
            "/api/v1/involvements",
            &format!(r#"{{"bsn": "{A}", "postcode": "9110AB", "house_number": 4, "start_on": "2026-10-01"}}"#),
        )
        .await;
        assert_eq!(first.status, StatusCode::CREATED, "{url}: {}", first.body);
        assert_eq!(first.json()["match_id"], serde_json::Value::Null, "nobody else is involved yet");
        let second =
            post(&r, &ggz, "/api/v1/involvements", &format!(r#"{{"bsn": "{A}", "start_on": "2026-11-01"}}"#)).await;
        assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
        let match_id = second.json()["match_id"].as_str().expect("a match").to_string();
        assert!(!first.body.contains(A) && !second.body.contains(A), "never the BSN");

        // Both receive the notice naming the other, never the person or a reason.
        for (who, other) in [(&wijkteam, "GGZ Veenstreek"), (&ggz, "Sociaal Wijkteam Wijkerveen")] {
            let notices = who.get(&r, "/api/v1/match-notices").await.json();
            let n = notices
                .as_array()
                .expect("list")
                .iter()
                .find(|n| n["match_id"] == match_id.as_str())
                .cloned()
                .expect("notice");
            assert!(n["text"].as_str().unwrap_or_default().contains(other), "{n}");
        }
        assert_eq!(corporatie.get(&r, "/api/v1/match-notices").await.json().as_array().map(Vec::len), Some(0));

        // The neighbourhood team becomes coordinator; once.
        assert_eq!(
            post(&r, &regisseur, &format!("/api/v1/matches/{match_id}/coordinator"), "").await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            post(&r, &ggz, &format!("/api/v1/matches/{match_id}/coordinator"), "").await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            post(&r, &corporatie, &format!("/api/v1/matches/{match_id}/coordinator"), "").await.status,
            StatusCode::NOT_FOUND
        );

        // No plan without consent; with consent the coordinator makes it.
        let plan_body = format!(
            r#"{{"match_id": "{match_id}", "bsn": "{A}", "own_goals": "Rust in huis en de schulden op een rij"}}"#
        );
        let refused = post(&r, &regisseur, "/api/v1/plans", &plan_body).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert!(refused.json()["detail"].as_str().unwrap_or_default().contains("consent"));
        let consent = post(&r, &regisseur, "/api/v1/consents", &format!(r#"{{"bsn": "{A}", "purpose": "joint_plan", "organisation_id": "wv-wijkteam", "given_on": "2026-11-20", "scope": "Gezamenlijk plan met GGZ"}}"#)).await;
        assert_eq!(consent.status, StatusCode::CREATED, "{}", consent.body);
        let made = post(&r, &regisseur, "/api/v1/plans", &plan_body).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let plan_id = made.json()["id"].as_str().expect("id").to_string();
        let not_coordinator = post(&r, &ggz, "/api/v1/plans", &plan_body).await;
        assert_eq!(not_coordinator.status, StatusCode::FORBIDDEN);

        // Goals, actions and two ZRM assessments.
        for item in [
            r#"{"kind": "goal", "domain": "finances", "text": "Schulden in beeld"}"#,
            r#"{"kind": "action", "domain": "finances", "text": "Aanmelden schuldhulp", "owner_org": "wv-schuldhulp", "due_on": "2026-12-15"}"#,
        ] {
            assert_eq!(
                post(&r, &regisseur, &format!("/api/v1/plans/{plan_id}/items"), item).await.status,
                StatusCode::NO_CONTENT
            );
        }
        let no_owner = post(
            &r,
            &regisseur,
            &format!("/api/v1/plans/{plan_id}/items"),
            r#"{"kind": "action", "domain": "finances", "text": "x"}"#,
        )
        .await;
        assert_eq!(no_owner.status, StatusCode::BAD_REQUEST);
        for (on, level) in [("2026-11-01", 2), ("2026-11-22", 3)] {
            let body = format!(
                r#"{{"assessed_on": "{on}", "scores": {{"finances": {level}, "housing": 3, "mental_health": 2}}}}"#
            );
            let a = post(&r, &regisseur, &format!("/api/v1/plans/{plan_id}/assessments"), &body).await;
            assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
        }
        let bad_level = post(
            &r,
            &regisseur,
            &format!("/api/v1/plans/{plan_id}/assessments"),
            r#"{"assessed_on": "2026-11-22", "scores": {"finances": 6}}"#,
        )
        .await;
        assert_eq!(bad_level.status, StatusCode::BAD_REQUEST);
        let plan = regisseur.get(&r, &format!("/api/v1/plans/{plan_id}")).await;
        assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
        assert_eq!(plan.json()["assessments"].as_array().map(Vec::len), Some(2));
        assert_eq!(plan.json()["assessments"][1]["instrument_version"], "ZRM 2017");
        assert_eq!(plan.json()["timeline"][0][1], "rent_arrears", "the household's signal is on the timeline");

        // The organisation's licensed criteria texts: loaded by CSV, shown to it only.
        let crit = send(
            &r,
            Method::POST,
            "/api/v1/zrm-criteria",
            &[("cookie", &regisseur.cookie()), ("x-csrf-token", &regisseur.csrf), ("content-type", "text/csv")],
            Some("domain,level,text\nfinances,1,Criterium tekst een\nfinances,2,Criterium tekst twee\n".into()),
        )
        .await;
        assert_eq!(crit.status, StatusCode::OK, "{}", crit.body);
        let bad_crit = send(
            &r,
            Method::POST,
            "/api/v1/zrm-criteria",
            &[("cookie", &regisseur.cookie()), ("x-csrf-token", &regisseur.csrf), ("content-type", "text/csv")],
            Some("domain,level,text\nfinances,9,x\n".into()),
        )
        .await;
        assert_eq!(bad_crit.status, StatusCode::BAD_REQUEST);
        assert!(bad_crit.json()["detail"].as_str().unwrap_or_default().contains("line 2"));
        assert_eq!(
            regisseur.get(&r, &format!("/api/v1/plans/{plan_id}")).await.json()["criteria"].as_array().map(Vec::len),
            Some(2)
        );

        // The involved ggz sees the plan only once the household consented for it.
        let ggz_no_consent = ggz.get(&r, &format!("/api/v1/plans/{plan_id}")).await;
        assert_eq!(ggz_no_consent.status, StatusCode::FORBIDDEN);
        post(&r, &regisseur, "/api/v1/consents", &format!(r#"{{"bsn": "{A}", "purpose": "joint_plan", "organisation_id": "wv-ggz", "given_on": "2026-11-20", "scope": "Plan delen met GGZ"}}"#)).await;
        let seen_by_ggz = ggz.get(&r, &format!("/api/v1/plans/{plan_id}")).await;
        assert_eq!(seen_by_ggz.status, StatusCode::OK);
        assert_eq!(
            seen_by_ggz.json()["criteria"].as_array().map(Vec::len),
            Some(0),
            "criteria stay with their organisation"
        );
        // Withdrawn consent closes the plan to ggz again.
        let ggz_consent = seen_by_ggz.json()["consents"]
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c[2] == "wv-ggz")
            .cloned()
            .expect("consent");
        let w = post(
            &r,
            &regisseur,
            &format!("/api/v1/consents/{}/withdrawal", ggz_consent[0].as_str().expect("id")),
            r#"{"withdrawn_on": "2026-11-23"}"#,
        )
        .await;
        assert_eq!(w.status, StatusCode::NO_CONTENT, "{}", w.body);
        assert_eq!(
            ggz.get(&r, &format!("/api/v1/plans/{plan_id}")).await.status,
            StatusCode::FORBIDDEN,
            "consent withdrawn"
        );

        // A third organisation, neither involved nor consented: 403 naming the rule, audited.
        let third = corporatie.get(&r, &format!("/api/v1/plans/{plan_id}")).await;
        assert_eq!(third.status, StatusCode::FORBIDDEN, "{}", third.body);
        let detail = third.json()["detail"].as_str().unwrap_or_default().to_string();
        assert!(detail.contains("involvement"), "{detail}");
        let denials = app
            .store
            .audit_search(&leefwijk_app::AuditFilter {
                tenant: Some("wijkerveen".into()),
                limit: 50,
                ..Default::default()
            })
            .await
            .expect("audit");
        let corp_id = app.store.user_by_username("corporatie").await.expect("q").expect("user").id;
        assert!(
            denials.iter().any(|e| e.actor == corp_id && e.outcome == "deny" && e.rule.contains("involvement")),
            "{url}"
        );
        assert!(leefwijk_app::access::audit::verify_chain(&app.store, app.keys.audit()).await.is_ok());

        // ZRM figures per area stay hidden below the disclosure threshold.
        let figures = send(&r, Method::GET, "/api/v1/zrm-figures/GM9901", &[], None).await.json();
        assert!(figures.as_array().expect("list").iter().all(|f| f["mean_change"].is_null()), "one plan is too few");

        // Closing the plan.
        assert_eq!(
            post(&r, &regisseur, &format!("/api/v1/plans/{plan_id}/close"), r#"{"outcome": "partly_reached"}"#)
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            post(&r, &regisseur, &format!("/api/v1/plans/{plan_id}/items"), r#"{"kind": "review", "text": "x"}"#)
                .await
                .status,
            StatusCode::CONFLICT
        );
    }
}

#[tokio::test]
async fn escalation_and_youth_regime_follow_the_clock() {
    for url in backend_urls() {
        let base = demo_app(&url).await;
        // A match on Thursday 17 December 2026 without a coordinator: ten working days
        // skip Christmas and New Year's Day, so it escalates on Monday 4 January 2027.
        let app = app_on(&base, "2026-12-17");
        let r = leefwijk_web::router(app.clone());
        let wijkteam = login(&r, "wijkteam").await;
        let ggz = login(&r, "ggz").await;
        post(&r, &wijkteam, "/api/v1/involvements", &format!(r#"{{"bsn": "{B}", "start_on": "2026-12-01"}}"#)).await;
        let m = post(&r, &ggz, "/api/v1/involvements", &format!(r#"{{"bsn": "{B}", "start_on": "2026-12-10"}}"#)).await;
        let match_id = m.json()["match_id"].as_str().expect("match").to_string();
        let early =
            leefwijk_app::households::escalate_due(&app, Date::parse("2027-01-03").expect("d")).await.expect("run");
        assert!(early.is_empty(), "{url}: not yet");
        let due =
            leefwijk_app::households::escalate_due(&app, Date::parse("2027-01-04").expect("d")).await.expect("run");
        assert_eq!(due, vec![match_id.clone()]);
        let beleid = login(&r, "beleid").await;
        let notices = beleid.get(&r, "/api/v1/match-notices").await.json();
        assert!(notices
            .as_array()
            .expect("list")
            .iter()
            .any(|n| n["kind"] == "escalation" && n["match_id"] == match_id.as_str()));
        assert!(
            leefwijk_app::households::escalate_due(&app, Date::parse("2027-01-05").expect("d"))
                .await
                .expect("run")
                .is_empty(),
            "once"
        );

        // Looking at someone's registration history is audited.
        let hist = post(&r, &wijkteam, "/api/v1/involvements/history", &format!(r#"{{"bsn": "{B}"}}"#)).await;
        assert_eq!(hist.status, StatusCode::OK, "{}", hist.body);
        assert_eq!(hist.json().as_array().map(Vec::len), Some(2));
        let seen = app
            .store
            .audit_search(&leefwijk_app::AuditFilter {
                purpose: Some("involvement_index".into()),
                limit: 20,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert!(seen.iter().any(|e| e.action == "read" && e.outcome == "allow"), "{url}: the look is audited");

        // Youth regime: registered on 2026-06-01 for someone turning 23 on 2027-01-15, so
        // the registration lapses then, before its two years; a later registration by
        // another organisation no longer matches it.
        let young = leefwijk_app::demo::fictional_bsn(4242);
        let reg = post(&r, &wijkteam, "/api/v1/involvements", &format!(r#"{{"bsn": "{young}", "start_on": "2026-06-01", "birth_date": "2004-01-15", "informed_on": "2026-06-02"}}"#)).await;
        assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.body);
        let no_reason = post(&r, &wijkteam, "/api/v1/involvements", &format!(r#"{{"bsn": "{young}", "start_on": "2026-06-01", "birth_date": "2004-01-15", "deferral_until": "2026-09-01"}}"#)).await;
        assert_eq!(no_reason.status, StatusCode::BAD_REQUEST, "a deferral needs a reason");
        let later = app_on(&base, "2027-01-20");
        let r2 = leefwijk_web::router(later);
        let ggz2 = login(&r2, "ggz").await;
        let after =
            post(&r2, &ggz2, "/api/v1/involvements", &format!(r#"{{"bsn": "{young}", "start_on": "2027-01-20"}}"#))
                .await;
        assert_eq!(after.status, StatusCode::CREATED, "{}", after.body);
        assert_eq!(after.json()["match_id"], serde_json::Value::Null, "{url}: the youth registration lapsed at 23");
        let lines = post(&r2, &ggz2, "/api/v1/involvements/history", &format!(r#"{{"bsn": "{young}"}}"#)).await.json();
        let youth = lines
            .as_array()
            .expect("list")
            .iter()
            .find(|l| l["start_on"] == "2026-06-01")
            .cloned()
            .expect("youth line");
        assert_eq!(youth["expires_on"], "2027-01-15", "the 23rd birthday comes before the two years");
    }
}

/// An organisation ends its registration (involvement over): the history shows the end
/// date and a later registration by another organisation makes no match with it. Only a
/// running registration of one's own organisation can be ended, never in the future; the
/// page form does the same, and a death is recorded with the end.
#[tokio::test]
async fn an_organisation_ends_its_registration_and_it_makes_no_more_matches() {
    for url in backend_urls() {
        let app = app_on(&demo_app(&url).await, "2026-11-23");
        let r = leefwijk_web::router(app.clone());
        let wijkteam = login(&r, "wijkteam").await;
        let ggz = login(&r, "ggz").await;
        let registered =
            post(&r, &wijkteam, "/api/v1/involvements", &format!(r#"{{"bsn": "{B}", "start_on": "2026-09-01"}}"#))
                .await;
        assert_eq!(registered.status, StatusCode::CREATED, "{url}: {}", registered.body);

        let future =
            post(&r, &wijkteam, "/api/v1/involvements/end", &format!(r#"{{"bsn": "{B}", "ended_on": "2026-12-01"}}"#))
                .await;
        assert_eq!(future.status, StatusCode::BAD_REQUEST, "{url}: {}", future.body);
        let not_theirs =
            post(&r, &ggz, "/api/v1/involvements/end", &format!(r#"{{"bsn": "{B}", "ended_on": "2026-11-20"}}"#)).await;
        assert_eq!(not_theirs.status, StatusCode::NOT_FOUND, "{url}: only one's own registration");
        assert!(not_theirs.body.contains("geen lopende registratie"), "{url}: {}", not_theirs.body);

        // The ending is a resource of its own; `/involvements/end` (version 1.0) still works.
        let ended = post(
            &r,
            &wijkteam,
            "/api/v1/involvement-endings",
            &format!(r#"{{"bsn": "{B}", "ended_on": "2026-11-20"}}"#),
        )
        .await;
        assert_eq!(ended.status, StatusCode::OK, "{url}: {}", ended.body);
        assert_eq!(ended.json()["ended"], 1);
        assert!(!ended.body.contains(B), "never the BSN");
        let again =
            post(&r, &wijkteam, "/api/v1/involvements/end", &format!(r#"{{"bsn": "{B}", "ended_on": "2026-11-20"}}"#))
                .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "{url}: nothing running any more");

        let history = post(&r, &wijkteam, "/api/v1/involvements/history", &format!(r#"{{"bsn": "{B}"}}"#)).await;
        assert!(history.body.contains("2026-11-20"), "{url}: the end is in the history: {}", history.body);
        let later = post(
            &r,
            &ggz,
            "/api/v1/involvements",
            &format!(
                r#"{{"bsn": "{B}", "start_on": "2026-11-22", "birth_date": "2010-05-01", "informed_on": "2026-11-22"}}"#
            ),
        )
        .await;
        assert_eq!(later.status, StatusCode::CREATED, "{url}: {}", later.body);
        assert_eq!(later.json()["match_id"], serde_json::Value::Null, "{url}: an ended registration makes no match");

        // The page form: GGZ ends its registration because the person died.
        let page = ggz.get(&r, "/huishoudens").await;
        assert!(page.body.contains("id=\"end-form\""), "{url}");
        let body = common::form(&[("csrf", &ggz.csrf), ("bsn", B), ("ended_on", "2026-11-23"), ("deceased", "on")]);
        let cookie = ggz.cookie();
        let headers = [("cookie", cookie.as_str()), ("content-type", "application/x-www-form-urlencoded")];
        let done = send(&r, Method::POST, "/huishoudens/betrokkenheid/beeindigen", &headers, Some(body)).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{url}: {}", done.body);
        assert_eq!(done.headers.get("location").and_then(|v| v.to_str().ok()), Some("/huishoudens?beeindigd=1"));
        let history = post(&r, &ggz, "/api/v1/involvements/history", &format!(r#"{{"bsn": "{B}"}}"#)).await.json();
        let line = history
            .as_array()
            .expect("lines")
            .iter()
            .find(|l| l["organisation_id"] == "wv-ggz")
            .cloned()
            .expect("GGZ's registration");
        assert_eq!(line["ended_on"], "2026-11-23", "{url}: {line}");
        assert_eq!(line["expires_on"], "2026-11-23", "{url}: a youth registration ends at death: {line}");
    }
}
