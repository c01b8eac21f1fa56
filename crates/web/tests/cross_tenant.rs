//! The other collaboration changes nothing of ours (issue 16, finding 1 generalised):
//! every state-changing route of the access table that works on one's own collaboration,
//! called by a user of the other collaboration whose role the table lets through, with a
//! real id (or municipality) of ours and a body that would be valid, is refused with 403
//! or 404, and afterwards every table but the logs holds exactly what it held before.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send, Browser};
use leefwijk_app::access::identity::{create_user, NewUser};
use leefwijk_app::demo::{demo_password, DEMO_TENANT, OTHER_TENANT};
use leefwijk_app::testing::{backend_urls, full_demo_app};
use leefwijk_store::testing::{raw_strings, snapshot};
use leefwijk_store::Organisation;
use leefwijk_web::access_table::{rules, Access};

/// Tables an attempt may rightly touch: the logs (a refusal is audited), sessions.
const LOGS: &[&str] = &["audit_log", "audit_head", "sessions", "oidc_flows"];

/// The other collaboration's users, one per role, with organisations of the right kind.
const OTHERS: &[(&str, &str, Option<&str>, &str)] = &[
    ("beheer-dijkhoven", "dh-gemeente", None, "beheerder"),
    ("dh-beleid", "dh-gemeente", None, "beleidsmedewerker"),
    ("dh-wijkteam", "dh-wijkteam", Some("dh-team"), "wijkteammedewerker"),
    ("dh-regisseur", "dh-wijkteam", Some("dh-team"), "regisseur"),
    ("dh-professional", "dh-corporatie", None, "professional"),
    ("dh-privacy", "dh-gemeente", None, "privacy_officer"),
];

/// A real record of our collaboration for the route's `{id}` (and `{cid}`).
fn id_query(path: &str) -> Option<(&'static str, Option<&'static str>)> {
    let table = [
        ("/beheer/gebruikers/", "SELECT id FROM users WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/beheer/api-clients/", "SELECT id FROM api_clients WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/beheer/routering/", "SELECT id FROM routing_rules WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/signal-cases/", "SELECT id FROM signal_cases WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/signalen/huishouden/", "SELECT id FROM signal_cases WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/programmes/", "SELECT id FROM programmes WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/programma/", "SELECT id FROM programmes WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/housing/placements/", "SELECT id FROM placements WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/plaatsingen/", "SELECT id FROM placements WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/afspraken/", "SELECT id FROM agreements WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/matches/", "SELECT id FROM match_notices WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/huishoudens/match/", "SELECT id FROM match_notices WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/consents/", "SELECT id FROM consents WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/plans/", "SELECT id FROM joint_plans WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/plan/", "SELECT id FROM joint_plans WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/reports/", "SELECT id FROM reports WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/meldingen/", "SELECT id FROM reports WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/report-routing/", "SELECT id FROM report_routes WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/meldingen-routering/", "SELECT id FROM report_routes WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/begroting/", "SELECT id FROM budget_rounds WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/budget-rounds/", "SELECT id FROM budget_rounds WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/initiatief/", "SELECT id FROM initiatives WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/initiatives/", "SELECT id FROM initiatives WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/enquete/", "SELECT id FROM surveys WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/surveys/", "SELECT id FROM surveys WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/inzage/", "SELECT id FROM access_requests WHERE tenant_id = 'wijkerveen' ORDER BY id"),
        ("/access-requests/", "SELECT id FROM access_requests WHERE tenant_id = 'wijkerveen' ORDER BY id"),
    ];
    let id = table.iter().find(|(prefix, _)| path.contains(prefix)).map(|(_, sql)| *sql)?;
    let cid = if path.contains("/commitments/{cid}") || path.contains("/afspraak/{cid}") {
        Some("SELECT c.id FROM commitments c JOIN programmes p ON p.id = c.programme_id WHERE p.tenant_id = 'wijkerveen' ORDER BY c.id")
    } else if path.contains("/toestemming/{cid}") {
        Some("SELECT id FROM consents WHERE tenant_id = 'wijkerveen' ORDER BY id")
    } else {
        None
    };
    Some((id, cid))
}

/// A body that would be valid for the route (so the refusal cannot be a 400).
fn api_body(path: &str) -> &'static str {
    let bodies: &[(&str, &str)] = &[
        ("/steps", r#"{"step": "identity_verified", "note": "x"}"#),
        ("/phase", r#"{"to": "voting"}"#),
        ("/projects", r#"{"title": "Bankjes", "cost_euros": 1000, "description": "x"}"#),
        ("/withdrawal", r#"{"withdrawn_on": "2026-11-23"}"#),
        ("/plans", r#"{"year": 2027, "segment": "social_rent", "construction": 10}"#),
        ("/assessment", r#"{"status": "rejected", "note": "past niet in het programma"}"#),
        ("/assessments", r#"{"assessed_on": "2026-11-22", "scores": {"finances": 3}}"#),
        ("/close", r#"{"outcome": "partly_reached"}"#),
        (
            "/items",
            r#"{"kind": "action", "domain": "finances", "text": "x", "owner_org": "dh-wijkteam", "due_on": "2027-01-15"}"#,
        ),
        ("/status", r#"{"status": "closed", "text": "x"}"#),
        (
            "/commitments",
            r#"{"party": "Gemeente", "kind": "money", "description": "x", "amount": "1", "in_return": "y"}"#,
        ),
        (
            "/goals",
            r#"{"title": "Minder", "baseline": 5, "baseline_year": 2024, "target": 8, "target_year": 2029, "direction": "decrease"}"#,
        ),
        (
            "/interventions",
            r#"{"name": "Vroeg erop af", "kind": "social", "owner": "Gemeente", "reach_households": 10}"#,
        ),
        ("/transactions", r#"{"type": "correction", "of": "T00001", "date": "2026-10-01", "memo": "x"}"#),
        ("/assignment", r#"{"team_id": "dh-team"}"#),
        (
            "/attempts",
            r#"{"attempted_on": "2026-11-20", "channel": "home_visit", "part_of_day": "afternoon", "reached": true}"#,
        ),
        ("/outcome", r#"{"outcome": "not_reached"}"#),
        ("/codes", r#"{"count": 2}"#),
        ("/questions", r#"{"text": "Hoe veilig voelt u zich?", "kind": "scale"}"#),
    ];
    bodies.iter().find(|(suffix, _)| path.ends_with(suffix)).map(|(_, b)| *b).unwrap_or("{}")
}

/// Form fields that would be valid for the page route.
fn form_fields(path: &str) -> Vec<(&'static str, &'static str)> {
    let fields: &[(&str, &[(&str, &str)])] = &[
        (
            "/poging",
            &[
                ("attempted_on", "2026-11-20"),
                ("channel", "home_visit"),
                ("part_of_day", "afternoon"),
                ("reached", "true"),
            ],
        ),
        ("/uitkomst", &[("outcome", "not_reached")]),
        ("/toewijzing", &[("team_id", "dh-team")]),
        ("/status", &[("status", "done"), ("text", "x")]),
        ("/plannen", &[("year", "2027"), ("segment", "social_rent"), ("construction", "10")]),
        ("/intrekken", &[("withdrawn_on", "2026-11-23")]),
        (
            "/onderdeel",
            &[
                ("kind", "action"),
                ("domain", "finances"),
                ("text", "x"),
                ("owner_org", "dh-wijkteam"),
                ("due_on", "2027-01-15"),
            ],
        ),
        ("/zrm", &[("assessed_on", "2026-11-22"), ("finances", "3")]),
        ("/afsluiten", &[("outcome", "partly_reached"), ("confirm", "1")]),
        (
            "/plaatsingen",
            &[
                ("priority_group", "statushouders"),
                ("placed_on", "2026-11-01"),
                ("buurt_code", "BU99010101"),
                ("bsn", "111222333"),
                ("consent", "on"),
                ("support_org", "dh-wijkteam"),
                ("support_description", "begeleiding"),
            ],
        ),
        ("/fase", &[("to", "voting")]),
        ("/project", &[("title", "Bankjes"), ("cost_euros", "1000")]),
        ("/beoordeling", &[("status", "rejected"), ("note", "x")]),
        ("/vragen", &[("text", "Hoe veilig?"), ("kind", "scale")]),
        ("/codes", &[("count", "2")]),
        ("/stap", &[("step", "identity_verified"), ("note", "x")]),
    ];
    fields.iter().find(|(suffix, _)| path.ends_with(suffix)).map(|(_, f)| f.to_vec()).unwrap_or_default()
}

async fn add_other_collaboration_users(app: &leefwijk_app::App) {
    let now = 0;
    for (id, name, kind) in [
        ("dh-wijkteam", "Wijkteam Dijkhoven (fictief)", "sociaal_wijkteam"),
        ("dh-corporatie", "Woonbron Dijkhoven (fictief)", "woningcorporatie"),
    ] {
        let org = Organisation { id: id.into(), tenant_id: OTHER_TENANT.into(), name: name.into(), kind: kind.into() };
        app.store.create_organisation(&org, now).await.expect("organisation");
    }
    app.store.create_team("dh-team", OTHER_TENANT, "dh-wijkteam", "Wijkteam Dijkhoven", &[]).await.expect("team");
    for (username, organisation, team, role) in OTHERS.iter().skip(1) {
        let new = NewUser {
            tenant_id: OTHER_TENANT.into(),
            organisation_id: (*organisation).into(),
            team_id: team.map(String::from),
            username: (*username).into(),
            display_name: format!("{username} (fictief)"),
            role: (*role).into(),
        };
        create_user(&app.store, &new, Some(&demo_password(username))).await.expect("user");
    }
}

#[tokio::test]
async fn the_other_collaboration_changes_nothing_of_ours() {
    for url in backend_urls() {
        assert_eq!(DEMO_TENANT, "wijkerveen", "the id queries name our collaboration");
        // The whole demo, as `serve --demo` loads it, so every kind of record of ours exists.
        let app = full_demo_app(&url).await;
        add_other_collaboration_users(&app).await;
        // The demo routes signals by team areas; a rule of ours to try to delete.
        let rule = leefwijk_store::RoutingRuleRecord {
            id: "wv-rule-test".into(),
            area_code: "WK990101".into(),
            kind: Some("nuisance".into()),
            team_id: "wv-team-zuid".into(),
        };
        app.store.add_routing_rule(DEMO_TENANT, &rule, 0).await.expect("routing rule");
        let router = leefwijk_web::router(app.clone());
        let mut sessions: Vec<(&str, Browser)> = Vec::new();
        for (username, _, _, role) in OTHERS {
            sessions.push((role, login(&router, username).await));
        }
        let before = snapshot(&app.store, LOGS).await.expect("snapshot");
        let mut checked = 0;
        let mut wrong: Vec<String> = Vec::new();
        for rule in rules().filter(|r| r.method != "GET" && r.tenant_scoped) {
            if !(rule.path.contains("{id}") || rule.path.contains("{code}")) {
                continue;
            }
            let Access::Roles { roles } = rule.access else { continue };
            let Some((role, browser)) = sessions.iter().find(|(role, _)| roles.contains(role)) else { continue };
            let mut uri = rule.path.replace("{code}", "GM9901");
            if rule.path.contains("{id}") {
                let (id_sql, cid_sql) =
                    id_query(rule.path).unwrap_or_else(|| panic!("no id of ours for {}", rule.path));
                let id = raw_strings(&app.store, id_sql).await.expect("ids").into_iter().next();
                let id = id.unwrap_or_else(|| panic!("{url}: the demo has no record for {}", rule.path));
                uri = uri.replace("{id}", &id);
                if let Some(cid_sql) = cid_sql {
                    let cid = raw_strings(&app.store, cid_sql).await.expect("ids").into_iter().next();
                    uri = uri.replace("{cid}", &cid.unwrap_or_else(|| panic!("{url}: no {{cid}} for {}", rule.path)));
                }
            }
            let method = Method::from_bytes(rule.method.as_bytes()).expect("method");
            let reply = if rule.path.starts_with("/api/") {
                send(
                    &router,
                    method,
                    &uri,
                    &[
                        ("cookie", &browser.cookie()),
                        ("x-csrf-token", &browser.csrf),
                        ("content-type", "application/json"),
                    ],
                    Some(api_body(rule.path).to_string()),
                )
                .await
            } else {
                browser.post(&router, &uri, &form_fields(rule.path)).await
            };
            if ![StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&reply.status) {
                wrong.push(format!(
                    "{} {} as the other collaboration's {role}: {} {}",
                    rule.method,
                    rule.path,
                    reply.status,
                    reply.body.chars().take(240).collect::<String>()
                ));
            }
            checked += 1;
        }
        assert!(wrong.is_empty(), "{url}: not refused with 403 or 404:\n{}", wrong.join("\n"));
        // Our initiative's public page shows the assessment tools to our staff only.
        let initiative = raw_strings(&app.store, "SELECT id FROM initiatives WHERE tenant_id = 'wijkerveen'")
            .await
            .expect("ids")
            .into_iter()
            .next()
            .expect("a demo initiative");
        let theirs = sessions.iter().find(|(role, _)| *role == "beheerder").map(|(_, b)| b).expect("admin");
        let page = theirs.get(&router, &format!("/initiatief/{initiative}")).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: the page itself is public");
        assert!(!page.body.contains("id=\"assess-heading\""), "{url}: no assessment tools for another collaboration");
        let ours = login(&router, "beleid").await;
        let page = ours.get(&router, &format!("/initiatief/{initiative}")).await;
        assert!(page.body.contains("id=\"assess-heading\""), "{url}: our policy staff assess it");
        assert!(checked >= 40, "{url}: only {checked} routes checked");
        let after = snapshot(&app.store, LOGS).await.expect("snapshot");
        for (table, rows) in &before {
            assert_eq!(Some(rows), after.get(table), "{url}: table {table} changed");
        }
        assert_eq!(before.len(), after.len());
    }
}
