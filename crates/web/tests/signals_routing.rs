//! Routing rules as an administrator sets them, on SQLite and PostgreSQL: a rule for one
//! kind in one wijk sends those signals to another team than the teams' served areas do.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send};
use leefwijk_app::testing::{backend_urls, demo_app_with_credentials};

#[tokio::test]
async fn an_admin_rule_routes_one_kind_to_another_team() {
    for url in backend_urls() {
        let (app, access) = demo_app_with_credentials(&url).await;
        let r = leefwijk_web::router(app.clone());
        let beheer = login(&r, "beheer").await;
        let page = beheer.get(&r, "/beheer/routering").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Wijkteam Centrum-Noord"), "served areas are listed");
        let bad = beheer
            .post(&r, "/beheer/routering", &[("area_code", "XX1"), ("kind", ""), ("team_id", "wv-team-zuid")])
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let added = beheer
            .post(
                &r,
                "/beheer/routering",
                &[("area_code", "WK990101"), ("kind", "nuisance"), ("team_id", "wv-team-zuid")],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let wijkteam = login(&r, "wijkteam").await;
        assert_eq!(wijkteam.get(&r, "/beheer/routering").await.status, StatusCode::FORBIDDEN);

        let (id, secret) = access.api_client.clone().expect("client");
        let csv = "kind,postcode,house_number,buurt_code,bsn,arrears_cents,reminder_sent,personal_contact_attempted,debt_help_pointed_to,no_objection\n\
                   nuisance,9110AB,1,BU99010101,,,,,,\n\
                   rent_arrears,9110AB,2,BU99010101,111222333,50000,true,true,true,true\n";
        let stored = send(
            &r,
            Method::POST,
            "/api/v1/signal-batches",
            &[("authorization", &format!("Bearer {id}:{secret}")), ("content-type", "text/csv")],
            Some(csv.into()),
        )
        .await;
        assert_eq!(stored.status, StatusCode::CREATED, "{url}: {}", stored.body);
        let regisseur = login(&r, "regisseur").await;
        let all = regisseur.get(&r, "/api/v1/signal-cases?team=all").await.json();
        let team_of = |kind: &str| {
            all.as_array()
                .expect("list")
                .iter()
                .find(|c| c["kinds"][0] == kind)
                .map(|c| c["team_id"].as_str().unwrap_or_default().to_string())
        };
        assert_eq!(team_of("nuisance").as_deref(), Some("wv-team-zuid"), "the kind rule wins");
        assert_eq!(team_of("rent_arrears").as_deref(), Some("wv-team-noord"), "the served area for other kinds");

        // Removing the rule: the form lists it with a remove button.
        let rules = app.store.routing_rules("wijkerveen").await.expect("rules");
        let removed = beheer.post(&r, &format!("/beheer/routering/{}/verwijderen", rules[0].id), &[]).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER);
        assert!(app.store.routing_rules("wijkerveen").await.expect("rules").is_empty());
    }
}
