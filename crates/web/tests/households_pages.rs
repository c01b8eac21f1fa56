//! The joint plan page as its coordinator sees it (issue 17): names instead of codes, Dutch
//! dates, a ZRM chart that joins nothing across life domains, and closing that needs an
//! explicit outcome and confirmation.

mod common;

use axum::http::StatusCode;
use common::login;
use leefwijk_app::testing::{backend_urls, demo_app};
use leefwijk_store::testing::raw_strings;

#[tokio::test]
async fn the_plan_page_speaks_dutch_and_closing_needs_a_choice() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_households(&app).await.expect("households");
        let plan = raw_strings(&app.store, "SELECT id FROM joint_plans").await.expect("plans");
        let plan = plan.first().expect("the demo plan").clone();
        let r = leefwijk_web::router(app.clone());
        let regisseur = login(&r, "regisseur").await;
        let page = regisseur.get(&r, &format!("/plan/{plan}")).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.body);
        let body = &page.body;
        assert!(body.contains("id=\"plan-status\">loopt<"), "{url}: the status in words");
        assert!(
            !body.contains(">joint_plan<") && body.contains("Gezamenlijk plan (1 huishouden"),
            "{url}: purpose named"
        );
        assert!(!body.contains(">goals_reached<"), "{url}: outcomes in words");
        assert!(
            body.contains("<option value=\"\" selected>Kies de uitkomst</option>"),
            "{url}: no outcome preselected"
        );
        assert!(body.contains("id=\"close-confirm\""), "{url}: closing is confirmed explicitly");
        // The chart: domain names as row labels, dots only, no line joining domains.
        let chart = body.split("<svg id=\"zrm-chart\"").nth(1).and_then(|c| c.split("</svg>").next()).expect("chart");
        assert!(chart.contains(">Financiën<"), "{url}: domain names, not codes");
        assert!(!chart.contains("<polyline"), "{url}: no line across life domains");
        // ISO dates are not shown as text in the assessment table's header.
        let table = body.split("id=\"zrm-table\"").nth(1).expect("table");
        assert!(!table.split("</thead>").next().unwrap_or_default().contains(">20"), "{url}: dates the Dutch way");

        // Without an outcome or without the confirmation nothing happens.
        for fields in [vec![("outcome", "goals_reached")], vec![("outcome", ""), ("confirm", "1")]] {
            let reply = regisseur.post(&r, &format!("/plan/{plan}/afsluiten"), &fields).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{url}: {fields:?}");
            let still = regisseur.get(&r, &format!("/plan/{plan}")).await;
            assert!(still.body.contains("id=\"plan-status\">loopt<"), "{url}: still running after {fields:?}");
        }
        let closed = regisseur
            .post(&r, &format!("/plan/{plan}/afsluiten"), &[("outcome", "partly_reached"), ("confirm", "1")])
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{url}: {}", closed.body);
        let page = regisseur.get(&r, &format!("/plan/{plan}")).await;
        assert!(page.body.contains("id=\"plan-status\">afgesloten (Doelen deels bereikt, "), "{url}");
    }
}
