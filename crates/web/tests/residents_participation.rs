//! Initiatives and participatory budgeting end to end, on SQLite and PostgreSQL: a resident
//! proposes, neighbours support it past the threshold, staff assess it and run a round
//! (ideas → assessment → voting → result), residents verify with an e-mail code read from
//! the mail outbox and cast hand-designed ballots, the count matches the hand count, a
//! second vote and a resident of another area are refused, and the winners end up in the
//! area programme as interventions.

mod common;

use axum::http::{Method, StatusCode};
use axum::Router;
use common::{form, login, send, Browser, Reply};
use leefwijk_app::households::notify::MailSender;
use leefwijk_app::residents::limits::RateLimit;
use leefwijk_app::residents::participation::ParticipationConfig;
use leefwijk_app::residents::ResidentsConfig;
use leefwijk_app::testing::{backend_urls, demo_app};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const JSON: (&str, &str) = ("content-type", "application/json");

fn outbox(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "leefwijk-participation-{tag}-{}-{}.jsonl",
        std::process::id(),
        leefwijk_app::access::identity::now_ms()
    ));
    let _ = std::fs::remove_file(&p);
    p
}

/// The newest code mailed to an address.
fn code_for(outbox: &Path, email: &str) -> String {
    let text = std::fs::read_to_string(outbox).expect("outbox");
    let line = text
        .lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|m| m["to"] == email)
        .unwrap_or_else(|| panic!("no mail to {email}"));
    let body = line["body"].as_str().expect("body");
    let digits: Vec<char> = body.chars().collect();
    digits.windows(6).find(|w| w.iter().all(char::is_ascii_digit)).map(|w| w.iter().collect()).expect("a 6-digit code")
}

async fn post_json(r: &Router, uri: &str, body: Value) -> Reply {
    send(r, Method::POST, uri, &[JSON], Some(body.to_string())).await
}

async fn staff_json(r: &Router, b: &Browser, uri: &str, body: Value) -> Reply {
    send(r, Method::POST, uri, &[("cookie", &b.cookie()), ("x-csrf-token", &b.csrf), JSON], Some(body.to_string()))
        .await
}

/// Requests a code for a resident and returns it.
async fn verify(r: &Router, outbox: &Path, uri: &str, email: &str, postcode: &str) -> String {
    let reply = post_json(r, uri, json!({"email": email, "postcode": postcode, "house_number": "12"})).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{uri} for {email}: {}", reply.body);
    code_for(outbox, email)
}

#[tokio::test]
async fn full_budgeting_round_end_to_end() {
    for url in backend_urls() {
        let mail = outbox("round");
        let config = ResidentsConfig {
            rate_limit: RateLimit { max_posts: 1000, ..RateLimit::default() },
            participation: ParticipationConfig { support_threshold: 3, ..ParticipationConfig::default() },
            ..ResidentsConfig::default()
        };
        let app = demo_app(&url).await.with_mail(MailSender::File { path: mail.clone() }).with_residents(config);
        app.store.put_postcode_areas(&leefwijk_app::demo::demo_postcodes()).await.expect("postcodes");
        let programme = leefwijk_app::demo::load_programme(&app).await.expect("programme").expect("new");
        let r = leefwijk_web::router(app.clone());

        // A resident proposes an initiative in buurt BU99010101 (wijk WK990101).
        let proposed = post_json(
            &r,
            "/api/v1/initiatives",
            json!({"area_code": "BU99010101", "title": "Bankje bij de speeltuin", "description": "Een bankje om te zitten.",
                   "cost_euros": 1500, "contact": "fictief@voorbeeld.nl"}),
        )
        .await;
        assert_eq!(proposed.status, StatusCode::CREATED, "{url}: {}", proposed.body);
        let initiative = proposed.json()["id"].as_str().expect("id").to_string();
        assert!(!proposed.body.contains("fictief@voorbeeld.nl"), "contact details are never public");
        let invalid =
            post_json(&r, "/api/v1/initiatives", json!({"area_code": "BU99010101", "title": "", "description": "x"}))
                .await;
        assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid.content_type(), "application/problem+json");
        assert!(invalid.json()["detail"].as_str().unwrap_or_default().contains("title"), "{}", invalid.body);

        // Three residents of the wijk support it: past the threshold of 3 it waits for assessment.
        let support_code = format!("/api/v1/initiatives/{initiative}/support-code");
        let support_uri = format!("/api/v1/initiatives/{initiative}/support");
        for (n, postcode) in ["9110AB", "9120 ab", "9140AB"].iter().enumerate() {
            let email = format!("steun{n}@voorbeeld.nl");
            let code = verify(&r, &mail, &support_code, &email, postcode).await;
            let s = post_json(&r, &support_uri, json!({"email": email, "code": code})).await;
            assert_eq!(s.status, StatusCode::OK, "{url}: {}", s.body);
            assert_eq!(s.json()["supporters"], n + 1);
            let expected = if n < 2 { "proposed" } else { "supported" };
            assert_eq!(s.json()["status"], expected);
        }
        // The same resident again (other capitals): refused, the count stays.
        let code = verify(&r, &mail, &support_code, "steun0@voorbeeld.nl", "9110AB").await;
        let again = post_json(&r, &support_uri, json!({"email": "STEUN0@voorbeeld.nl", "code": code})).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(again.body.contains("al"), "{}", again.body);
        // A resident of another wijk (BU99010201) may not support it.
        let elsewhere = post_json(
            &r,
            &support_code,
            json!({"email": "buiten@voorbeeld.nl", "postcode": "9210AB", "house_number": "3"}),
        )
        .await;
        assert_eq!(elsewhere.status, StatusCode::FORBIDDEN, "{}", elsewhere.body);

        // Staff assess it and accept it.
        let beleid = login(&r, "beleid").await;
        let assess = format!("/api/v1/initiatives/{initiative}/assessment");
        let a = staff_json(&r, &beleid, &assess, json!({"status": "in_assessment"})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let a = staff_json(&r, &beleid, &assess, json!({"status": "rejected"})).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "a rejection needs a reason: {}", a.body);
        let a = staff_json(&r, &beleid, &assess, json!({"status": "accepted", "note": "Past in het programma."})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);

        // A round for wijk WK990101, budget € 10.000, at most 2 projects per ballot.
        let created = staff_json(
            &r,
            &beleid,
            "/api/v1/budget-rounds",
            json!({
                "name": "Bewonersbegroting test", "area_code": "WK990101", "budget_euros": 10000,
                "vote_rule": {"kind": "max_projects", "k": 2}, "programme_id": programme,
                "projects": [
                    {"title": "Speeltuin", "cost_euros": 6000},
                    {"title": "Groen", "cost_euros": 3000},
                    {"title": "Licht", "cost_euros": 2500},
                    {"title": "Kunst", "cost_euros": 500}
                ]
            }),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{url}: {}", created.body);
        let id = created.json()["id"].as_str().expect("id").to_string();
        assert_eq!(created.json()["phase"], "ideas");
        // In the ideas phase the accepted initiative joins the ballot as a project.
        let projects_uri = format!("/api/v1/budget-rounds/{id}/projects");
        let added = staff_json(
            &r,
            &beleid,
            &projects_uri,
            json!({"title": "Bankje bij de speeltuin", "cost_euros": 1500, "initiative_id": initiative}),
        )
        .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        let round = added.json();
        assert_eq!(round["projects"].as_array().map(Vec::len), Some(5));
        let pid = |title: &str| {
            round["projects"].as_array().expect("projects").iter().find(|p| p["title"] == title).expect("project")["id"]
                .as_str()
                .expect("id")
                .to_string()
        };
        let (speel, bank, groen, licht, kunst) =
            (pid("Speeltuin"), pid("Bankje bij de speeltuin"), pid("Groen"), pid("Licht"), pid("Kunst"));
        let i = send(&r, Method::GET, &format!("/api/v1/initiatives/{initiative}"), &[], None).await.json();
        assert_eq!(i["status"], "in_round");

        // Voting is not open yet; phases move forward one at a time only.
        let code_uri = format!("/api/v1/budget-rounds/{id}/code");
        let early =
            post_json(&r, &code_uri, json!({"email": "a@voorbeeld.nl", "postcode": "9110AB", "house_number": "1"}))
                .await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
        let phase = format!("/api/v1/budget-rounds/{id}/phase");
        let skip = staff_json(&r, &beleid, &phase, json!({"to": "voting"})).await;
        assert_eq!(skip.status, StatusCode::BAD_REQUEST, "{}", skip.body);
        for to in ["assessment", "voting"] {
            let m = staff_json(&r, &beleid, &phase, json!({"to": to})).await;
            assert_eq!(m.status, StatusCode::OK, "{to}: {}", m.body);
        }
        let late = staff_json(&r, &beleid, &projects_uri, json!({"title": "Te laat", "cost_euros": 100})).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "the ballot is fixed once voting opens: {}", late.body);
        let back = staff_json(&r, &beleid, &phase, json!({"to": "assessment"})).await;
        assert_eq!(back.status, StatusCode::BAD_REQUEST, "never back");

        // Hand-designed ballots (at most 2 projects each):
        //   1 speel+bank  2 speel+groen  3 speel+bank  4 speel+groen  5 speel+licht
        //   6 bank+groen  7 bank+licht (cast through the web form below)
        // Hand count: speel 5, bank 4, groen 3, licht 2, kunst 0. Greedy over € 10.000:
        // speel (6.000), bank (7.500), groen would make 10.500: skipped, licht (10.000): in.
        let ballots_uri = format!("/api/v1/budget-rounds/{id}/ballots");
        let postcodes = ["9110AB", "9120AB", "9130AB", "9140AB"];
        let ballots: [[&String; 2]; 6] =
            [[&speel, &bank], [&speel, &groen], [&speel, &bank], [&speel, &groen], [&speel, &licht], [&bank, &groen]];
        for (n, choice) in ballots.iter().enumerate() {
            let email = format!("bewoner{n}@voorbeeld.nl");
            let code = verify(&r, &mail, &code_uri, &email, postcodes[n % 4]).await;
            if n == 0 {
                // A ballot breaking the rule is refused without using up the code.
                let three = post_json(
                    &r,
                    &ballots_uri,
                    json!({"email": email, "code": code, "projects": [speel, bank, kunst]}),
                )
                .await;
                assert_eq!(three.status, StatusCode::BAD_REQUEST, "{}", three.body);
                assert!(three.body.contains("at most 2"), "{}", three.body);
                let wrong = if code == "000000" { "000001" } else { "000000" };
                let bad =
                    post_json(&r, &ballots_uri, json!({"email": email, "code": wrong, "projects": [speel]})).await;
                assert_eq!(bad.status, StatusCode::BAD_REQUEST);
                assert!(bad.body.contains("poging"), "tries left are told: {}", bad.body);
            }
            let v = post_json(&r, &ballots_uri, json!({"email": email, "code": code, "projects": choice})).await;
            assert_eq!(v.status, StatusCode::CREATED, "{url} ballot {n}: {}", v.body);
        }

        // Ballot 7 through the public pages: request a code, then tick two boxes.
        let page = send(&r, Method::GET, &format!("/begroting/{id}"), &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Stuur mij een code"), "the code form is shown while voting");
        let form_headers = [("content-type", "application/x-www-form-urlencoded")];
        let step1 = send(
            &r,
            Method::POST,
            &format!("/begroting/{id}/code"),
            &form_headers,
            Some(form(&[("email", "bewoner6@voorbeeld.nl"), ("postcode", "9130 ab"), ("house_number", "7")])),
        )
        .await;
        assert_eq!(step1.status, StatusCode::OK, "{}", step1.body);
        assert!(step1.body.contains("id=\"vote-form\""), "the vote form follows");
        let code = code_for(&mail, "bewoner6@voorbeeld.nl");
        let step2 = send(
            &r,
            Method::POST,
            &format!("/begroting/{id}/stem"),
            &form_headers,
            Some(form(&[("email", "bewoner6@voorbeeld.nl"), ("project", &bank), ("project", &licht), ("code", &code)])),
        )
        .await;
        assert_eq!(step2.status, StatusCode::OK, "{}", step2.body);
        assert!(step2.body.contains("Uw stem is geteld"), "{}", step2.body);

        // A second vote by the same resident: refused, through the API and the form.
        let code = verify(&r, &mail, &code_uri, "bewoner0@voorbeeld.nl", "9110AB").await;
        let twice =
            post_json(&r, &ballots_uri, json!({"email": "Bewoner0@Voorbeeld.nl", "code": code, "projects": [kunst]}))
                .await;
        assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
        assert_eq!(twice.content_type(), "application/problem+json");
        assert!(twice.body.contains("al gestemd"), "{}", twice.body);
        let code = verify(&r, &mail, &code_uri, "bewoner6@voorbeeld.nl", "9130AB").await;
        let twice_form = send(
            &r,
            Method::POST,
            &format!("/begroting/{id}/stem"),
            &form_headers,
            Some(form(&[("email", "bewoner6@voorbeeld.nl"), ("project", &kunst), ("code", &code)])),
        )
        .await;
        assert_eq!(twice_form.status, StatusCode::CONFLICT);
        assert!(twice_form.body.contains("al gestemd"), "{}", twice_form.body);
        // A resident of another wijk may not vote.
        let other = post_json(
            &r,
            &code_uri,
            json!({"email": "buiten@voorbeeld.nl", "postcode": "9210AB", "house_number": "1"}),
        )
        .await;
        assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.body);
        assert!(other.body.contains("WK990101"), "{}", other.body);
        let unknown =
            post_json(&r, &code_uri, json!({"email": "x@voorbeeld.nl", "postcode": "1011AB", "house_number": "1"}))
                .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);

        // The e-mail addresses are nowhere in the participation tables.
        let stored = app.store.participation_identifiers().await.expect("identifiers");
        for table in ["ballot_voters", "ballots", "initiative_supports", "participation_codes"] {
            assert!(stored.iter().any(|(t, _)| t == table), "{table} has rows");
        }
        for (table, value) in &stored {
            assert!(!value.contains('@') && !value.contains("voorbeeld"), "{table} holds an address: {value}");
        }

        // Result: counted and published in one step; the count matches the hand count.
        let result = staff_json(&r, &beleid, &phase, json!({"to": "result"})).await;
        assert_eq!(result.status, StatusCode::OK, "{}", result.body);
        let outcome = &result.json()["outcome"];
        assert_eq!(outcome["ballots"], 7);
        let tallies: Vec<(String, u64, bool)> = outcome["tallies"]
            .as_array()
            .expect("tallies")
            .iter()
            .map(|t| {
                (
                    t["project_id"].as_str().unwrap_or_default().to_string(),
                    t["votes"].as_u64().unwrap_or(99),
                    t["won"] == true,
                )
            })
            .collect();
        assert_eq!(
            tallies,
            vec![
                (speel.clone(), 5, true),
                (bank.clone(), 4, true),
                (groen.clone(), 3, false),
                (licht.clone(), 2, true),
                (kunst.clone(), 0, false)
            ],
            "{url}"
        );
        assert_eq!(outcome["winners"], json!([speel, bank, licht]));
        assert_eq!(outcome["spent_cents"], 1_000_000);
        let closed =
            post_json(&r, &ballots_uri, json!({"email": "laat@voorbeeld.nl", "code": "123456", "projects": [kunst]}))
                .await;
        assert_eq!(closed.status, StatusCode::CONFLICT, "voting is closed: {}", closed.body);
        let uitslag = send(&r, Method::GET, &format!("/begroting/{id}/uitslag"), &[], None).await;
        assert_eq!(uitslag.status, StatusCode::OK);
        for text in ["Speeltuin", "Bankje bij de speeltuin", "Hoe is geteld?", "€ 10.000"] {
            assert!(uitslag.body.contains(text), "result page lacks {text}");
        }

        // Handed to the area programme as interventions, once.
        let handover = format!("/api/v1/budget-rounds/{id}/handover");
        let h = staff_json(&r, &beleid, &handover, json!({})).await;
        assert_eq!(h.status, StatusCode::OK, "{}", h.body);
        let ids = h.json()["intervention_ids"].as_array().expect("ids").clone();
        assert_eq!(ids.len(), 3);
        let again = staff_json(&r, &beleid, &handover, json!({})).await;
        assert_eq!(again.json()["intervention_ids"].as_array().map(Vec::len), Some(3), "repeat adds nothing");
        let interventions = app.store.interventions(&programme).await.expect("interventions");
        let names: Vec<&str> = interventions.iter().map(|i| i.name.as_str()).collect();
        for t in [
            "Speeltuin (bewonersbegroting)",
            "Bankje bij de speeltuin (bewonersbegroting)",
            "Licht (bewonersbegroting)",
        ] {
            assert!(names.contains(&t), "{names:?} lacks {t}");
        }
        assert!(!names.contains(&"Groen (bewonersbegroting)"));

        // Another collaboration's staff cannot touch the round.
        let other_admin = login(&r, "beheer-dijkhoven").await;
        let theirs = staff_json(&r, &other_admin, &handover, json!({})).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);

        // The neighbourhood page's summary.
        let summary = send(&r, Method::GET, "/api/v1/areas/BU99010101/participation", &[], None).await.json();
        assert_eq!(summary["results"][0]["url"], format!("/begroting/{id}"));
        let _ = std::fs::remove_file(&mail);
    }
}

#[tokio::test]
async fn codes_expire_after_their_tries_and_forms_keep_input() {
    for url in backend_urls() {
        let mail = outbox("tries");
        let config = ResidentsConfig {
            rate_limit: RateLimit { max_posts: 1000, ..RateLimit::default() },
            ..ResidentsConfig::default()
        };
        let app = demo_app(&url).await.with_mail(MailSender::File { path: mail.clone() }).with_residents(config);
        app.store.put_postcode_areas(&leefwijk_app::demo::demo_postcodes()).await.expect("postcodes");
        leefwijk_app::demo::load_programme(&app).await.expect("programme");
        let r = leefwijk_web::router(app.clone());
        let proposed = post_json(
            &r,
            "/api/v1/initiatives",
            json!({"area_code": "WK990101", "title": "Boomspiegels", "description": "Planten rond de bomen."}),
        )
        .await;
        let id = proposed.json()["id"].as_str().expect("id").to_string();
        let code =
            verify(&r, &mail, &format!("/api/v1/initiatives/{id}/support-code"), "t@voorbeeld.nl", "9110AB").await;
        let wrong = if code == "111111" { "222222" } else { "111111" };
        for _ in 0..5 {
            let s = post_json(
                &r,
                &format!("/api/v1/initiatives/{id}/support"),
                json!({"email": "t@voorbeeld.nl", "code": wrong}),
            )
            .await;
            assert_eq!(s.status, StatusCode::BAD_REQUEST);
        }
        let late = post_json(
            &r,
            &format!("/api/v1/initiatives/{id}/support"),
            json!({"email": "t@voorbeeld.nl", "code": code}),
        )
        .await;
        assert_eq!(late.status, StatusCode::BAD_REQUEST, "after 5 tries even the right code is void: {}", late.body);
        assert!(late.body.contains("nieuwe"), "{}", late.body);

        // The proposal form keeps what was typed and escapes it.
        let page = send(
            &r,
            Method::POST,
            "/initiatieven",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[("area_code", "WK990101"), ("title", "<script>alert(1)</script>"), ("description", "")])),
        )
        .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("&#60;script&#62;alert(1)"), "kept and escaped: {}", page.body);
        assert!(!page.body.contains("<script>alert(1)"), "never echoed as HTML");
        assert!(page.body.contains("id=\"description-error\""), "the error sits next to its field");
        let too_long = "x".repeat(121);
        let long = post_json(
            &r,
            "/api/v1/initiatives",
            json!({"area_code": "WK990101", "title": too_long, "description": "x"}),
        )
        .await;
        assert_eq!(long.status, StatusCode::BAD_REQUEST);
        let list = send(&r, Method::GET, "/initiatieven?gebied=WK990101", &[], None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Boomspiegels"));
        let _ = std::fs::remove_file(&mail);
    }
}

#[tokio::test]
async fn demo_rounds_load_once() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_programme(&app).await.expect("programme");
        let first = leefwijk_app::demo::load_residents(&app).await.expect("demo");
        assert!(first.iter().any(|l| l.contains("participation")), "{first:?}");
        let again = leefwijk_app::demo::load_residents(&app).await.expect("demo again");
        assert!(!again.iter().any(|l| l.contains("participation")), "loaded once");
        let r = leefwijk_web::router(app.clone());
        let rounds = send(&r, Method::GET, "/api/v1/budget-rounds", &[], None).await.json();
        let voting =
            rounds.as_array().expect("rounds").iter().find(|x| x["phase"] == "voting").expect("a voting round");
        assert_eq!(voting["projects"].as_array().map(Vec::len), Some(5));
        assert_eq!(voting["ballots"], 6);
        let done =
            rounds.as_array().expect("rounds").iter().find(|x| x["phase"] == "result").expect("a finished round");
        assert!(done["handed_over_at"].is_number(), "handed to the demo programme");
        for path in ["/initiatieven".to_string(), format!("/begroting/{}", voting["id"].as_str().unwrap_or_default())] {
            assert_eq!(send(&r, Method::GET, &path, &[], None).await.status, StatusCode::OK, "{path}");
        }
        // Staff pages: the manage page lists the rounds; a round moves on through its form.
        let beleid = login(&r, "beleid").await;
        let manage = beleid.get(&r, "/begrotingen").await;
        assert_eq!(manage.status, StatusCode::OK);
        assert!(manage.body.contains("Buurtbudget Wijkerveen-Oost 2027 (fictief)"), "{}", manage.body);
        let vid = voting["id"].as_str().unwrap_or_default();
        let skip = beleid.post(&r, &format!("/begroting/{vid}/fase"), &[("to", "ideas")]).await;
        assert_eq!(skip.status, StatusCode::BAD_REQUEST, "never back");
        let forged = send(
            &r,
            Method::POST,
            &format!("/begroting/{vid}/fase"),
            &[("cookie", &beleid.cookie()), ("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[("csrf", "wrong"), ("to", "result")])),
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "CSRF checked");
        let moved = beleid.post(&r, &format!("/begroting/{vid}/fase"), &[("to", "result")]).await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        let result = send(&r, Method::GET, &format!("/begroting/{vid}/uitslag"), &[], None).await;
        assert!(result.body.contains("id=\"result\""), "published");
    }
}

/// Every documented participation path answers as documented when called without
/// credentials or body: public reads 200 (or 404 for a made-up id), public forms 400 with a
/// problem saying what to send, staff routes 401.
#[tokio::test]
async fn documented_participation_paths_answer() {
    let r = leefwijk_web::router(demo_app("sqlite").await);
    let doc: Value = serde_json::from_str(&leefwijk_web::api::openapi_json()).expect("json");
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if !(path.contains("initiatives") || path.contains("budget-rounds") || path.ends_with("/participation")) {
            continue;
        }
        for (method, op) in item.as_object().expect("operations") {
            let uri = format!(
                "{}{}",
                leefwijk_web::api::API_BASE,
                path.replace("{code}", "WK990101").replace("{id}", "onbekend")
            );
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let reply = send(&r, m, &uri, &[JSON], None).await;
            let expected = if op["security"].is_array() {
                StatusCode::UNAUTHORIZED
            } else if path.contains("{id}") {
                StatusCode::NOT_FOUND
            } else if method == "post" {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            assert_eq!(reply.status, expected, "{method} {path}: {}", reply.body);
            if reply.status != StatusCode::OK {
                assert_eq!(reply.content_type(), "application/problem+json", "{method} {path}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 15, "every participation operation is documented");
}

/// The public forms of this part are rate limited per client: past the limit, 429 with
/// `Retry-After`, and nothing is stored.
#[tokio::test]
async fn public_forms_are_rate_limited() {
    let config = ResidentsConfig {
        rate_limit: RateLimit { max_posts: 2, window_seconds: 600, ..RateLimit::default() },
        ..ResidentsConfig::default()
    };
    let app = demo_app("sqlite").await.with_residents(config);
    leefwijk_app::demo::load_programme(&app).await.expect("programme");
    let r = leefwijk_web::router(app.clone());
    let body = json!({"area_code": "WK990101", "title": "Plantenbakken", "description": "Groen in de straat."});
    for _ in 0..2 {
        assert_eq!(post_json(&r, "/api/v1/initiatives", body.clone()).await.status, StatusCode::CREATED);
    }
    let limited = post_json(&r, "/api/v1/initiatives", body).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.get("retry-after").is_some());
    assert_eq!(app.store.initiatives().await.expect("initiatives").len(), 2, "the third was not stored");
    let page = send(
        &r,
        Method::POST,
        "/begroting/x/stem",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(String::new()),
    )
    .await;
    assert_ne!(page.status, StatusCode::TOO_MANY_REQUESTS, "each form has its own count");
}

#[tokio::test]
async fn staff_add_projects_to_a_round_on_the_page_until_voting() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_residents(&app).await.expect("demo");
        let r = leefwijk_web::router(app.clone());
        let beleid = login(&r, "beleid").await;
        let created = beleid
            .post(
                &r,
                "/begrotingen",
                &[
                    ("name", "Buurtbudget Polderhof (test)"),
                    ("description", "Test"),
                    ("area_code", "WK990102"),
                    ("budget_euros", "10000"),
                    ("rule", "max_projects"),
                    ("rule_value", "2"),
                    ("programme_id", ""),
                    ("projects", "Picknicktafels | 3000\nBuurtbibliotheek | 2000"),
                ],
            )
            .await;
        assert!(created.status.is_success() || created.status.is_redirection(), "{url}: {}", created.body);
        let rounds = send(&r, Method::GET, "/api/v1/budget-rounds", &[], None).await.json();
        let round = rounds
            .as_array()
            .and_then(|a| a.iter().find(|x| x["name"] == "Buurtbudget Polderhof (test)").cloned())
            .expect("the new round");
        let id = round["id"].as_str().expect("id").to_string();
        let page = beleid.get(&r, "/begrotingen").await;
        assert!(page.body.contains(&format!("action=\"/begroting/{id}/project\"")), "{url}: a project form for it");

        let bad_cost = beleid
            .post(&r, &format!("/begroting/{id}/project"), &[("title", "Bloembakken"), ("cost_euros", "veel")])
            .await;
        assert_eq!(bad_cost.status, StatusCode::BAD_REQUEST);
        assert!(bad_cost.body.contains("hele euro"), "says what to type");
        let added = beleid
            .post(
                &r,
                &format!("/begroting/{id}/project"),
                &[("title", "Bloembakken"), ("cost_euros", "1.500"), ("description", "Tien bakken")],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{url}: {}", added.body);
        assert!(added.body.contains("project toegevoegd"));
        let after = send(&r, Method::GET, &format!("/api/v1/budget-rounds/{id}"), &[], None).await.json();
        let projects = after["projects"].as_array().expect("projects");
        assert_eq!(projects.len(), 3, "{url}: {after}");
        assert!(projects.iter().any(|p| p["title"] == "Bloembakken" && p["cost_cents"] == 150_000), "{after}");

        // Once voting starts the list is fixed.
        for phase in ["assessment", "voting"] {
            let moved = beleid.post(&r, &format!("/begroting/{id}/fase"), &[("to", phase)]).await;
            assert_eq!(moved.status, StatusCode::OK, "{url}: {}", moved.body);
        }
        let page = beleid.get(&r, "/begrotingen").await;
        assert!(!page.body.contains(&format!("action=\"/begroting/{id}/project\"")), "no form while voting");
        let late =
            beleid.post(&r, &format!("/begroting/{id}/project"), &[("title", "Laat"), ("cost_euros", "100")]).await;
        assert_eq!(late.status, StatusCode::BAD_REQUEST, "{url}");
        assert!(late.body.contains("before voting"), "{}", late.body);
    }
}

#[tokio::test]
async fn assessing_staff_see_the_proposers_contact_on_request_audited() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_residents(&app).await.expect("demo");
        let r = leefwijk_web::router(app.clone());
        let proposed = post_json(
            &r,
            "/api/v1/initiatives",
            json!({"area_code": "BU99010101", "title": "Jeu-de-boulesbaan", "description": "Een baan bij het plein.",
                   "cost_euros": 2500, "contact": "indiener@voorbeeld.nl"}),
        )
        .await;
        assert_eq!(proposed.status, StatusCode::CREATED, "{url}: {}", proposed.body);
        let id = proposed.json()["id"].as_str().expect("id").to_string();
        let public = send(&r, Method::GET, &format!("/initiatief/{id}"), &[], None).await;
        assert!(!public.body.contains("indiener@voorbeeld.nl") && !public.body.contains("proposer-contact"));

        let beleid = login(&r, "beleid").await;
        let staff_view = beleid.get(&r, &format!("/initiatief/{id}")).await;
        assert!(staff_view.body.contains(&format!("href=\"/initiatief/{id}/contact\"")), "{url}: a link, not the data");
        assert!(!staff_view.body.contains("indiener@voorbeeld.nl"));
        let contact = beleid.get(&r, &format!("/initiatief/{id}/contact")).await;
        assert_eq!(contact.status, StatusCode::OK, "{url}: {}", contact.body);
        assert!(contact.body.contains("indiener@voorbeeld.nl"));
        let audited = app
            .store
            .audit_search(&leefwijk_app::AuditFilter {
                tenant: Some(leefwijk_app::demo::DEMO_TENANT.into()),
                subject: Some(format!("initiative:{id}")),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(audited.iter().filter(|e| e.action == "read" && e.category == "contact").count(), 1, "{url}");

        let corporatie = login(&r, "corporatie").await;
        assert_eq!(corporatie.get(&r, &format!("/initiatief/{id}/contact")).await.status, StatusCode::FORBIDDEN);
        let other = login(&r, "beheer-dijkhoven").await;
        assert_eq!(other.get(&r, &format!("/initiatief/{id}/contact")).await.status, StatusCode::NOT_FOUND);
    }
}
