//! The covenant gate end to end: a partner registers persons, the neighbourhood team may
//! re-identify, the housing corporation may not, and the privacy officer sees every
//! decision in the audit log. The scenario captures every log line (a global subscriber,
//! so this file holds this one test) and checks that no BSN, name or password appears.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send};
use leefwijk_app::testing::{backend_urls, demo_app_with_credentials};
use std::sync::{Arc, Mutex};

const BSN: &str = "111222333";
const OTHER_BSN: &str = "123456782";
const STATUS_TOKEN: &str = "k7Qm2ZpX9rVt4WbN8cYd";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map(|mut v| v.extend_from_slice(buf)).map_err(|_| std::io::Error::other("poisoned"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn the_gate_decides_by_covenant_and_everything_is_audited_without_personal_data() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    // Global, not scoped: a scoped subscriber can miss events whose interest another
    // thread cached first. This file holds this one test, so nothing else logs here.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber in this test binary");
    for url in backend_urls() {
        let (app, demo) = demo_app_with_credentials(&url).await;
        let r = leefwijk_web::router(app.clone());
        let (id, secret) = demo.api_client.clone().expect("client");
        let auth = format!("Bearer {id}:{secret}");
        let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
        let reply = send(&r, Method::POST, "/api/v1/persons", &headers, Some(format!("{{\"bsn\":\"{BSN}\"}}"))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{url}: {}", reply.body);
        let pseudonym = reply.json()["pseudonym"].as_str().expect("pseudonym").to_string();
        assert_eq!(pseudonym.len(), 64);
        assert!(!reply.body.contains(BSN));
        // The same person again: the same pseudonym.
        let again = send(&r, Method::POST, "/api/v1/persons", &headers, Some(format!("{{\"bsn\":\"{BSN}\"}}"))).await;
        assert_eq!(again.json()["pseudonym"], pseudonym.as_str());
        // A number that fails the elfproef is refused with a clear problem.
        let bad = send(&r, Method::POST, "/api/v1/persons", &headers, Some("{\"bsn\":\"111222334\"}".into())).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(bad.content_type(), "application/problem+json");
        assert!(bad.body.contains("elfproef"));
        let bad = send(&r, Method::POST, "/api/v1/persons", &headers, Some("not json".into())).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        send(&r, Method::POST, "/api/v1/persons", &headers, Some(format!("{{\"bsn\":\"{OTHER_BSN}\"}}"))).await;

        // The wijkteam may re-identify for outreach; the corporation's professional may not.
        let wijkteam = login(&r, "wijkteam").await;
        let reply = wijkteam.post(&r, "/herleiden", &[("pseudonym", &pseudonym)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.body);
        assert!(reply.body.contains(&format!("id=\"bsn\">{BSN}<")));
        let corporatie = login(&r, "corporatie").await;
        let reply = corporatie.post(&r, "/herleiden", &[("pseudonym", &pseudonym)]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{url}");
        assert!(reply.body.contains("woningcorporatie"), "the refusal names what is missing: {}", reply.body);
        assert!(!reply.body.contains(BSN));

        // The privacy officer sees every decision, allow and deny, about that pseudonym.
        let privacy = login(&r, "privacy").await;
        let audit = privacy.get(&r, &format!("/api/v1/audit?subject={pseudonym}")).await;
        let entries = audit.json();
        let outcomes: Vec<(&str, &str)> = entries
            .as_array()
            .expect("list")
            .iter()
            .map(|e| (e["purpose"].as_str().unwrap_or_default(), e["outcome"].as_str().unwrap_or_default()))
            .collect();
        assert!(outcomes.contains(&("reidentification", "allow")), "{url}: {outcomes:?}");
        assert!(outcomes.contains(&("reidentification", "deny")));
        assert!(outcomes.contains(&("early_signalling", "allow")));
        assert!(!audit.body.contains(BSN), "audit rows hold pseudonyms only");
        let page = privacy.get(&r, "/audit").await;
        assert!(page.body.contains("Keten intact"), "{url}");
        // Another collaboration sees none of it.
        let other = login(&r, "beheer-dijkhoven").await;
        let admin_page = other.get(&r, "/beheer").await;
        assert!(
            !admin_page.body.contains("Wanda Wijkteam")
                && !admin_page.body.contains("lwc_")
                && admin_page.body.contains("beheer-dijkhoven"),
            "{url}: tenant separation"
        );
        let covenant = privacy.get(&r, "/convenant").await;
        assert!(covenant.body.contains("Convenant gegevensuitwisseling wijkaanpak Wijkerveen"));
        let register = privacy.get(&r, "/api/v1/processing-register").await.json();
        assert!(register["entries"].as_array().map(|e| e.len() >= 5).unwrap_or(false), "{register}");
        // The chain verifies with the installation's key.
        assert!(matches!(
            leefwijk_app::access::audit::verify_chain(&app.store, app.keys.audit()).await.expect("verify"),
            leefwijk_app::access::audit::Verification::Intact { entries } if entries >= 5
        ));
    }
    // A resident's private status link, also mistyped: the log names the route, not the token.
    let r = leefwijk_web::router(demo_app_with_credentials("sqlite").await.0);
    send(&r, Method::GET, &format!("/melding/{STATUS_TOKEN}"), &[], None).await;
    send(&r, Method::GET, &format!("/melding/{STATUS_TOKEN}/foto"), &[], None).await;
    send(&r, Method::GET, &format!("/melding/{STATUS_TOKEN}/typo/x"), &[], None).await;
    let logs = String::from_utf8(captured.0.lock().expect("logs").clone()).expect("utf8");
    assert!(logs.contains("request"), "log lines were captured");
    assert!(logs.contains("route=/melding/{token}/foto"), "the route is logged as declared");
    for secret in
        [BSN, OTHER_BSN, "Wanda Wijkteam", "Cor Corporatie", "Petra Privacy", "demo-wijkteam-leefwijk", STATUS_TOKEN]
    {
        assert!(!logs.contains(secret), "a log line contains '{secret}'");
    }
}
