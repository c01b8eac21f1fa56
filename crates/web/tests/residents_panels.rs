//! Panels end to end, on SQLite and PostgreSQL: policy staff build an invitation survey
//! linked to the demo programme, residents answer with one-time codes (a used code is
//! refused), results stay hidden under the disclosure threshold and show (rounded) above
//! it, open answers are never published, the programme report shows the evaluation, and
//! the public pages keep what was typed and escape it.

mod common;

use axum::http::{Method, StatusCode};
use common::{form, login, send, Browser, Reply};
use leefwijk_app::residents::limits::RateLimit;
use leefwijk_app::residents::ResidentsConfig;
use leefwijk_app::testing::{backend_urls, demo_app};
use serde_json::{json, Value};

fn relaxed() -> ResidentsConfig {
    // The rate limit is tested on its own; here one "client" posts many answers.
    ResidentsConfig {
        rate_limit: RateLimit { max_posts: 10_000, ..RateLimit::default() },
        ..ResidentsConfig::default()
    }
}

async fn api_post(r: &axum::Router, b: &Browser, uri: &str, body: Value) -> Reply {
    send(
        r,
        Method::POST,
        uri,
        &[("cookie", &b.cookie()), ("x-csrf-token", &b.csrf), ("content-type", "application/json")],
        Some(body.to_string()),
    )
    .await
}

async fn answer(r: &axum::Router, survey: &str, body: Value) -> Reply {
    send(
        r,
        Method::POST,
        &format!("/api/v1/surveys/{survey}/responses"),
        &[("content-type", "application/json")],
        Some(body.to_string()),
    )
    .await
}

#[tokio::test]
async fn invitation_survey_codes_results_and_programme_evaluation() {
    for url in backend_urls() {
        let app = demo_app(&url).await.with_residents(relaxed());
        let programme = leefwijk_app::demo::load_programme(&app).await.expect("programme").expect("new");
        let r = leefwijk_web::router(app.clone());
        let beleid = login(&r, "beleid").await;

        let panel = api_post(&r, &beleid, "/api/v1/panels", json!({"name": "Testpanel", "kind": "residents"})).await;
        assert_eq!(panel.status, StatusCode::CREATED, "{url}: {}", panel.body);
        let panel_id = panel.json()["id"].as_str().expect("id").to_string();
        let bad_kind = api_post(&r, &beleid, "/api/v1/panels", json!({"name": "X", "kind": "robots"})).await;
        assert_eq!(bad_kind.status, StatusCode::BAD_REQUEST);
        assert!(bad_kind.body.contains("kind"), "{}", bad_kind.body);

        let survey = api_post(
            &r,
            &beleid,
            "/api/v1/surveys",
            json!({"panel_id": panel_id, "title": "Veiligheid in de buurt", "mode": "invitation", "programme_id": programme}),
        )
        .await;
        assert_eq!(survey.status, StatusCode::CREATED, "{}", survey.body);
        let sid = survey.json()["id"].as_str().expect("id").to_string();
        // A draft is not public.
        assert_eq!(
            send(&r, Method::GET, &format!("/api/v1/surveys/{sid}"), &[], None).await.status,
            StatusCode::NOT_FOUND
        );

        let q = |body: Value| {
            let (r, b, sid) = (r.clone(), beleid.clone(), sid.clone());
            async move { api_post(&r, &b, &format!("/api/v1/surveys/{sid}/questions"), body).await }
        };
        let scale = q(json!({"kind": "scale", "text": "Hoe veilig voelt u zich?"})).await;
        assert_eq!(scale.status, StatusCode::CREATED, "{}", scale.body);
        let scale = scale.json()["id"].as_str().expect("id").to_string();
        let choice = q(json!({"kind": "single_choice", "text": "Komt u in het park?", "options": ["Ja", "Nee"]})).await;
        let choice = choice.json()["id"].as_str().expect("id").to_string();
        let open = q(json!({"kind": "open_text", "text": "Wat moet beter?"})).await;
        let open = open.json()["id"].as_str().expect("id").to_string();
        let one_option = q(json!({"kind": "single_choice", "text": "Kies", "options": ["Alleen"]})).await;
        assert_eq!(one_option.status, StatusCode::BAD_REQUEST);

        // Codes before opening is fine; answering a draft is not.
        let codes = api_post(&r, &beleid, &format!("/api/v1/surveys/{sid}/codes"), json!({"count": 13})).await;
        assert_eq!(codes.status, StatusCode::CREATED, "{}", codes.body);
        let codes: Vec<String> = codes.json()["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .map(|c| c.as_str().expect("str").to_string())
            .collect();
        assert_eq!(codes.len(), 13);
        let opened = api_post(&r, &beleid, &format!("/api/v1/surveys/{sid}/status"), json!({"status": "open"})).await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        let late = q(json!({"kind": "scale", "text": "Nog een vraag"})).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "questions are fixed once open");

        // Another collaboration's administrator cannot touch it.
        let other = login(&r, "beheer-dijkhoven").await;
        let foreign = api_post(&r, &other, &format!("/api/v1/surveys/{sid}/codes"), json!({"count": 1})).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);

        // A resident answers with a code; the same code again is refused.
        let first = answer(
            &r,
            &sid,
            json!({"code": codes[0].to_lowercase(), "answers": [
                {"question_id": scale, "value": "4"}, {"question_id": choice, "value": "0"},
                {"question_id": open, "value": "<script>alert(1)</script> geheim"}]}),
        )
        .await;
        assert_eq!(first.status, StatusCode::CREATED, "{url}: {}", first.body);
        let again =
            answer(&r, &sid, json!({"code": codes[0], "answers": [{"question_id": scale, "value": "5"}]})).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert_eq!(again.json()["errors"][0]["field"], "code", "{}", again.body);
        let no_code = answer(&r, &sid, json!({"answers": [{"question_id": scale, "value": "5"}]})).await;
        assert_eq!(no_code.status, StatusCode::BAD_REQUEST);
        let made_up =
            answer(&r, &sid, json!({"code": "AAAAA-BBBBB", "answers": [{"question_id": scale, "value": "5"}]})).await;
        assert_eq!(made_up.status, StatusCode::BAD_REQUEST);
        let out_of_range =
            answer(&r, &sid, json!({"code": codes[1], "answers": [{"question_id": scale, "value": "9"}]})).await;
        assert_eq!(out_of_range.status, StatusCode::BAD_REQUEST);
        assert_eq!(out_of_range.json()["errors"][0]["field"], scale.as_str());

        // One response: everything hidden.
        let results = send(&r, Method::GET, &format!("/api/v1/surveys/{sid}/results"), &[], None).await.json();
        assert_eq!(results["responses"], Value::Null, "{results}");
        assert!(results["questions"][0]["rows"].as_array().expect("rows").iter().all(|row| row["count"].is_null()));
        assert_eq!(results["questions"][0]["mean"], Value::Null);

        // Eleven more (the unused code from the refused answer too): 12 responses.
        for (i, code) in codes.iter().enumerate().skip(1).take(11) {
            let reply = answer(
                &r,
                &sid,
                json!({"code": code, "answers": [
                    {"question_id": scale, "value": if i % 2 == 0 { "5" } else { "3" }},
                    {"question_id": choice, "value": "0"},
                    {"question_id": open, "value": format!("tip {i}")}]}),
            )
            .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        }
        let results = send(&r, Method::GET, &format!("/api/v1/surveys/{sid}/results"), &[], None).await;
        let res = results.json();
        assert_eq!(res["responses"], 10, "12 rounded to 10: {res}");
        assert_eq!(res["questions"][0]["respondents"], 10);
        // Scale: 4 once, 5 five times (even i of 1..=11), 3 six times: mean (4+25+18)/12 = 3.9.
        assert_eq!(res["questions"][0]["mean"], 3.9, "{res}");
        assert!(
            res["questions"][0]["rows"].as_array().expect("rows").iter().all(|row| row["count"].is_null()),
            "each scale point under 10"
        );
        assert_eq!(res["questions"][1]["rows"][0]["count"], 10, "12 × Ja, rounded");
        assert_eq!(res["questions"][1]["rows"][1]["count"], Value::Null, "0 × Nee: hidden");
        assert_eq!(res["questions"][2]["open_answers_not_published"], true);
        assert!(!results.body.contains("geheim") && !results.body.contains("tip 3"), "open answers never published");

        // The results page says what is hidden; the programme report shows the evaluation.
        let page = send(&r, Method::GET, &format!("/enquete/{sid}/resultaten"), &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("verborgen") && page.body.contains("3,9"), "{}", page.body);
        let report = send(&r, Method::GET, &format!("/api/v1/programmes/{programme}"), &[], None).await.json();
        let evaluation = report["residents_evaluation"].as_str().expect("evaluation").to_string();
        assert!(evaluation.contains("Veiligheid in de buurt") && evaluation.contains("3,9"), "{evaluation}");

        // Closing refuses further answers, with a code that is still unused.
        let closed = api_post(&r, &beleid, &format!("/api/v1/surveys/{sid}/status"), json!({"status": "closed"})).await;
        assert_eq!(closed.status, StatusCode::OK);
        let after =
            answer(&r, &sid, json!({"code": codes[12], "answers": [{"question_id": scale, "value": "5"}]})).await;
        assert_eq!(after.status, StatusCode::CONFLICT, "{}", after.body);
        assert_eq!(after.content_type(), "application/problem+json");
        let draft_again =
            api_post(&r, &beleid, &format!("/api/v1/surveys/{sid}/status"), json!({"status": "draft"})).await;
        assert_eq!(draft_again.status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn public_form_keeps_input_escapes_it_and_uses_codes_once() {
    for url in backend_urls() {
        let app = demo_app(&url).await.with_residents(relaxed());
        let r = leefwijk_web::router(app.clone());
        let beleid = login(&r, "beleid").await;
        // Through the management pages this time.
        let made =
            beleid.post(&r, "/panelbeheer/panelen", &[("name", "Straatpanel"), ("kind", "experience_experts")]).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let (_, surveys) = leefwijk_app::residents::panels::overview(
            &app,
            &app.store.user_by_username("beleid").await.expect("db").expect("user"),
        )
        .await
        .expect("overview");
        assert!(surveys.is_empty());
        let panels = app.store.panels(leefwijk_app::demo::DEMO_TENANT).await.expect("panels");
        let made = beleid
            .post(
                &r,
                "/panelbeheer/enquetes",
                &[("panel_id", &panels[0].id), ("title", "Spelen op straat"), ("mode", "invitation")],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let sid = app.store.surveys_of_tenant(leefwijk_app::demo::DEMO_TENANT).await.expect("surveys")[0].id.clone();
        let q =
            beleid.post(&r, &format!("/enquete/{sid}/vragen"), &[("kind", "open_text"), ("text", "Wat mist u?")]).await;
        assert_eq!(q.status, StatusCode::OK, "{}", q.body);
        let q = beleid
            .post(
                &r,
                &format!("/enquete/{sid}/vragen"),
                &[("kind", "single_choice"), ("text", "Speelt uw kind buiten?"), ("options", "Ja\nNee")],
            )
            .await;
        assert_eq!(q.status, StatusCode::OK);
        let opened = beleid.post(&r, &format!("/enquete/{sid}/status"), &[("status", "open")]).await;
        assert!(opened.body.contains("manage-message"), "{}", opened.body);
        let codes_page = beleid.post(&r, &format!("/enquete/{sid}/codes"), &[("count", "2")]).await;
        assert_eq!(codes_page.status, StatusCode::OK);
        let code =
            codes_page.body.split("<li><code>").nth(1).and_then(|s| s.split('<').next()).expect("a code").to_string();
        let questions = app.store.questions(&sid).await.expect("questions");
        let (open_q, choice_q) = (questions[0].id.clone(), questions[1].id.clone());

        // Listed publicly; the form asks for the code.
        let list = send(&r, Method::GET, "/panels", &[], None).await;
        assert!(list.body.contains("Spelen op straat"));
        let page = send(&r, Method::GET, &format!("/enquete/{sid}"), &[], None).await;
        assert!(page.body.contains("name=\"code\""), "{}", page.body);

        // A wrong code: the form comes back with the message at the field and the typed
        // text kept, escaped.
        let typed = "<img src=x onerror=alert(1)>";
        let post = |pairs: Vec<(String, String)>| {
            let r = r.clone();
            let sid = sid.clone();
            async move {
                let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                send(
                    &r,
                    Method::POST,
                    &format!("/enquete/{sid}"),
                    &[("content-type", "application/x-www-form-urlencoded")],
                    Some(form(&pairs)),
                )
                .await
            }
        };
        let wrong = post(vec![
            ("code".into(), "ZZZZZ-ZZZZZ".into()),
            (open_q.clone(), typed.into()),
            (choice_q.clone(), "1".into()),
        ])
        .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        assert!(wrong.body.contains("id=\"code-error\""), "{}", wrong.body);
        assert!(!wrong.body.contains(typed), "typed text is escaped");
        assert!(wrong.body.contains("&#60;img src=x onerror=alert(1)&#62;"), "and kept: {}", wrong.body);
        assert!(wrong.body.contains("value=\"1\" checked"), "the choice is kept");

        let ok = post(vec![("code".into(), code.clone()), (open_q.clone(), "meer bankjes".into())]).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(ok.body.contains("survey-thanks"));
        let reuse = post(vec![("code".into(), code.clone()), (open_q.clone(), "nog eens".into())]).await;
        assert_eq!(reuse.status, StatusCode::BAD_REQUEST);
        assert!(reuse.body.contains("al gebruikt"), "{}", reuse.body);
        let too_long = post(vec![("code".into(), "X".into()), (open_q.clone(), "a".repeat(2001))]).await;
        assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
        assert!(too_long.body.contains(&format!("id=\"err-{open_q}\"")));

        // Not for residents: the management page.
        assert_eq!(send(&r, Method::GET, "/panelbeheer", &[], None).await.status, StatusCode::SEE_OTHER);
        let wijkteam = login(&r, "wijkteam").await;
        assert_eq!(wijkteam.get(&r, "/panelbeheer").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn demo_panels_show_some_results_and_hide_others() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_programme(&app).await.expect("programme");
        let loaded = leefwijk_app::demo::load_residents(&app).await.expect("residents demo");
        assert!(loaded.iter().any(|l| l.starts_with("panels")), "{loaded:?}");
        let again = leefwijk_app::demo::load_residents(&app).await.expect("again");
        assert!(!again.iter().any(|l| l.starts_with("panels")), "loaded once");
        let r = leefwijk_web::router(app.clone());
        let open = send(&r, Method::GET, "/api/v1/surveys", &[], None).await.json();
        assert_eq!(open.as_array().map(Vec::len), Some(2), "{open}");
        let mut shown = 0;
        let mut hidden = 0;
        for s in open.as_array().expect("list") {
            let res =
                send(&r, Method::GET, &format!("/api/v1/surveys/{}/results", s["id"].as_str().expect("id")), &[], None)
                    .await
                    .json();
            for q in res["questions"].as_array().expect("questions") {
                for row in q["rows"].as_array().expect("rows") {
                    if row["count"].is_null() {
                        hidden += 1;
                    } else {
                        shown += 1;
                    }
                }
            }
        }
        assert!(shown > 0 && hidden > 0, "shown {shown}, hidden {hidden}");
        // The area filter: the demo programme's area and a buurt in it.
        let area = open[0]["area_code"].as_str().map(String::from);
        if let Some(area) = area {
            let for_area = send(&r, Method::GET, &format!("/api/v1/surveys?area={area}"), &[], None).await.json();
            assert_eq!(for_area.as_array().map(Vec::len), Some(2));
            let summary = leefwijk_app::residents::panels::area_summary(&app, &area).await.expect("summary");
            assert_eq!(summary.len(), 2);
        }
        let none = leefwijk_app::residents::panels::area_summary(&app, "GM0001").await.expect("summary");
        assert!(none.is_empty());
    }
}

#[tokio::test]
async fn owners_read_open_answers_once_enough_responses_are_in_audited() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_programme(&app).await.expect("programme");
        leefwijk_app::demo::load_residents(&app).await.expect("residents demo");
        let r = leefwijk_web::router(app.clone());
        let open = send(&r, Method::GET, "/api/v1/surveys", &[], None).await.json();
        let ids: Vec<String> =
            open.as_array().expect("list").iter().map(|s| s["id"].as_str().expect("id").to_string()).collect();
        let beleid = login(&r, "beleid").await;
        let mut seen = Vec::new();
        for id in &ids {
            let view = beleid.get(&r, &format!("/api/v1/surveys/{id}/open-answers")).await;
            assert_eq!(view.status, StatusCode::OK, "{url}: {}", view.body);
            seen.push(view.json());
        }
        // The residents' survey (24 responses) shows its six open answers, sorted; the
        // experts' survey (4 responses) keeps them hidden.
        let residents = seen.iter().find(|v| v["responses"] == 24).expect("residents' survey");
        let answers = residents["questions"][0]["answers"].as_array().expect("answers");
        assert_eq!(answers.len(), 6, "{url}: {residents}");
        assert_eq!(residents["questions"][0]["question"], "Wat moet beter?");
        let experts = seen.iter().find(|v| v["responses"] == 4).expect("experts' survey");
        assert_eq!(experts["questions"].as_array().map(Vec::len), Some(0), "{url}: fewer than 10 responses");
        let residents_id = residents["survey_id"].as_str().expect("id");
        let page = beleid.get(&r, &format!("/enquete/{residents_id}/open-antwoorden")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Meer verlichting bij het speelveld"));

        // Every shown read is audited; other roles and collaborations do not get them.
        let audited = app
            .store
            .audit_search(&leefwijk_app::AuditFilter {
                tenant: Some(leefwijk_app::demo::DEMO_TENANT.into()),
                subject: Some(format!("survey:{residents_id}")),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(audited.iter().filter(|e| e.action == "read").count(), 2, "{url}: API and page");
        let corporatie = login(&r, "corporatie").await;
        let refused = corporatie.get(&r, &format!("/api/v1/surveys/{residents_id}/open-answers")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let other = login(&r, "beheer-dijkhoven").await;
        let foreign = other.get(&r, &format!("/api/v1/surveys/{residents_id}/open-answers")).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{url}: another collaboration's survey");
        let anonymous = send(&r, Method::GET, &format!("/api/v1/surveys/{residents_id}/open-answers"), &[], None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
}
