//! Access as people and partner systems use it: login with throttling, CSRF, session
//! renewal, resets, API clients, the covenant gate with its audit trail, re-identification
//! and tenant separation. On SQLite and PostgreSQL. One scenario also captures every log
//! line and checks that no BSN, name or address of the fixtures appears in it.

mod common;

use axum::http::{Method, StatusCode};
use common::{login, send, try_login};
use leefwijk_app::testing::{backend_urls, demo_app_with_credentials};
use std::sync::{Arc, Mutex};

const BSN: &str = "111222333";
const OTHER_BSN: &str = "123456782";

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
async fn login_is_throttled_and_sessions_are_renewed() {
    for url in backend_urls() {
        let (app, _) = demo_app_with_credentials(&url).await;
        let r = leefwijk_web::router(app);
        // Wrong passwords: four times "wrong", the fifth locks the account.
        for attempt in 1..=4 {
            let reply = try_login(&r, "wijkteam", "not the password").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{url}: attempt {attempt}");
            assert!(reply.body.contains("Onjuiste gebruikersnaam of wachtwoord"));
        }
        let reply = try_login(&r, "wijkteam", "not the password").await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{url}");
        // Even the right password is refused while locked.
        let reply = try_login(&r, "wijkteam", &leefwijk_app::demo::demo_password("wijkteam")).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{url}: locked");
        // Unknown users get the same answer as wrong passwords.
        let reply = try_login(&r, "niemand", "whatever-password").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

        // Cookies are HttpOnly, Secure and SameSite; every login gets a new session id.
        let first = try_login(&r, "regisseur", &leefwijk_app::demo::demo_password("regisseur")).await;
        let header = first.set_cookie_header("leefwijk_session").expect("session cookie");
        assert!(
            header.contains("HttpOnly") && header.contains("Secure") && header.contains("SameSite=Lax"),
            "{header}"
        );
        let a = login(&r, "regisseur").await;
        let b = login(&r, "regisseur").await;
        assert_ne!(a.session, b.session, "{url}: a new session id at login");
        assert_ne!(first.cookie("leefwijk_session"), Some(a.session.clone()));
        // Logging in with an old session cookie ends that old session.
        let page = send(&r, Method::GET, "/inloggen", &[], None).await;
        let csrf = page.cookie("leefwijk_login_csrf").expect("csrf");
        let renewed = send(
            &r,
            Method::POST,
            "/inloggen",
            &[
                ("cookie", &format!("leefwijk_login_csrf={csrf}; leefwijk_session={}", a.session)),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(common::form(&[
                ("username", "regisseur"),
                ("password", &leefwijk_app::demo::demo_password("regisseur")),
                ("csrf", &csrf),
            ])),
        )
        .await;
        assert_ne!(renewed.cookie("leefwijk_session"), Some(a.session.clone()));
        assert_eq!(a.get(&r, "/wachtwoord").await.status, StatusCode::SEE_OTHER, "{url}: the old session is gone");

        // Logout ends the session.
        let reply = b.post(&r, "/uitloggen", &[]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(b.get(&r, "/wachtwoord").await.status, StatusCode::SEE_OTHER, "{url}: logged out");
    }
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let (app, _) = demo_app_with_credentials("sqlite").await;
    let r = leefwijk_web::router(app.clone());
    let admin = login(&r, "beheer").await;
    let cookie = admin.cookie();
    let headers = [("cookie", cookie.as_str()), ("content-type", "application/x-www-form-urlencoded")];
    for (uri, body) in [
        ("/beheer/gebruikers", "username=indringer&role=beheerder&organisation=wv-gemeente"),
        ("/uitloggen", ""),
        ("/herleiden", "pseudonym=00"),
        ("/beheer/gebruikers", "username=indringer&role=beheerder&organisation=wv-gemeente&csrf=wrong"),
    ] {
        let reply = send(&r, Method::POST, uri, &headers, Some(body.to_string())).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri} {body}");
        assert!(reply.body.contains("CSRF"), "{uri}");
    }
    assert!(app.store.user_by_username("indringer").await.expect("query").is_none(), "nothing was created");
    // The login form itself: without its cookie the token does not count.
    let reply = send(
        &r,
        Method::POST,
        "/inloggen",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some("username=beheer&password=demo-beheer-leefwijk&csrf=abc".into()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn administrators_reset_passwords_and_manage_api_clients() {
    for url in backend_urls() {
        let (app, _) = demo_app_with_credentials(&url).await;
        let r = leefwijk_web::router(app.clone());
        let admin = login(&r, "beheer").await;
        // A new user gets a one-time password, shown once, and must choose their own.
        let reply = admin
            .post(
                &r,
                "/beheer/gebruikers",
                &[("username", "nieuw"), ("name", "Nina Nieuw"), ("role", "professional"), ("organisation", "wv-ggz")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.body);
        assert_eq!(reply.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
        let otp = reply
            .body
            .split("id=\"secret\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .expect("secret shown")
            .to_string();
        let first = try_login(&r, "nieuw", &otp).await;
        assert_eq!(
            first.headers.get("location").and_then(|v| v.to_str().ok()),
            Some("/wachtwoord"),
            "{url}: must change"
        );

        // Reset: the old password stops working, the new one-time password works.
        let user = app.store.user_by_username("ggz").await.expect("query").expect("user");
        let reply = admin.post(&r, &format!("/beheer/gebruikers/{}/reset", user.id), &[]).await;
        let otp =
            reply.body.split("id=\"secret\">").nth(1).and_then(|s| s.split('<').next()).expect("secret").to_string();
        assert_eq!(
            try_login(&r, "ggz", &leefwijk_app::demo::demo_password("ggz")).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(try_login(&r, "ggz", &otp).await.status, StatusCode::SEE_OTHER, "{url}");

        // API clients: the secret is shown once; it works until revoked or expired.
        let reply = admin
            .post(
                &r,
                "/beheer/api-clients",
                &[("name", "Water"), ("organisation", "wv-energie"), ("scopes", "persons:write"), ("days", "30")],
            )
            .await;
        let credential =
            reply.body.split("id=\"secret\">").nth(1).and_then(|s| s.split('<').next()).expect("secret").to_string();
        let (client_id, _) = credential.split_once(':').expect("id:secret");
        let bearer = format!("Bearer {credential}");
        let post = |auth: String| {
            let r = r.clone();
            async move {
                send(
                    &r,
                    Method::POST,
                    "/api/v1/persons",
                    &[("authorization", &auth), ("content-type", "application/json")],
                    Some(format!("{{\"bsn\":\"{BSN}\"}}")),
                )
                .await
            }
        };
        assert_eq!(post(bearer.clone()).await.status, StatusCode::CREATED, "{url}");
        assert_eq!(post(format!("Bearer {client_id}:wrong")).await.status, StatusCode::UNAUTHORIZED);
        admin.post(&r, &format!("/beheer/api-clients/{client_id}/intrekken"), &[]).await;
        let refused = post(bearer).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(refused.body.contains("revoked"), "{}", refused.body);
        // An expired client.
        let expired_secret = "a".repeat(64);
        app.store
            .create_api_client(
                "lwc_expired",
                "wijkerveen",
                "wv-energie",
                "old",
                &leefwijk_app::access::identity::sha256_hex(&expired_secret),
                &["persons:write".to_string()],
                1,
                0,
            )
            .await
            .expect("client");
        let refused = post(format!("Bearer lwc_expired:{expired_secret}")).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(refused.body.contains("expired"), "{url}: {}", refused.body);
        // Without the scope.
        let (id, secret) = leefwijk_app::access::identity::create_api_client(
            &app.store,
            "wijkerveen",
            "wv-energie",
            "figures only",
            &["figures:read".to_string()],
            10,
        )
        .await
        .expect("client");
        assert_eq!(post(format!("Bearer {id}:{secret}")).await.status, StatusCode::FORBIDDEN);
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
    let _guard = tracing::subscriber::set_default(subscriber);
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
    let logs = String::from_utf8(captured.0.lock().expect("logs").clone()).expect("utf8");
    assert!(logs.contains("request"), "log lines were captured");
    for secret in [BSN, OTHER_BSN, "Wanda Wijkteam", "Cor Corporatie", "Petra Privacy", "demo-wijkteam-leefwijk"] {
        assert!(!logs.contains(secret), "a log line contains '{secret}'");
    }
}
