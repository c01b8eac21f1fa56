//! Access as people and partner systems use it: login with throttling, CSRF, session
//! renewal, resets, API clients, the covenant gate with its audit trail, re-identification
//! and tenant separation. On SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::{form, login, send, try_login};
use leefwijk_app::testing::{backend_urls, demo_app_with_credentials};

const BSN: &str = "111222333";

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
        // Unknown users get the same answers as known ones: wrong four times, then refused
        // (issue 16, finding 5: only known names were ever locked, which told them apart).
        for attempt in 1..=4 {
            let reply = try_login(&r, "niemand", "whatever-password").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{url}: attempt {attempt}");
        }
        assert_eq!(try_login(&r, "niemand", "whatever-password").await.status, StatusCode::TOO_MANY_REQUESTS);
        // The refusal holds for that name from that address only: the account's owner
        // elsewhere signs in (nobody can lock another person out).
        let elsewhere = login_from(&r, "wijkteam", &leefwijk_app::demo::demo_password("wijkteam"), [10, 1, 2, 3]).await;
        assert_eq!(elsewhere, StatusCode::SEE_OTHER, "{url}: the owner from another address");
        let guesser = login_from(&r, "wijkteam", "not the password", [10, 9, 9, 9]).await;
        assert_eq!(guesser, StatusCode::UNAUTHORIZED, "{url}: another address counts on its own");

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

/// After signing in, only a plain local path is followed: browsers drop tabs and newlines,
/// so `/<TAB>/evil.example` would lead to another host, and a newline broke the header.
#[tokio::test]
async fn the_return_path_after_login_never_leaves_leefwijk() {
    let (app, _) = demo_app_with_credentials("sqlite").await;
    let r = leefwijk_web::router(app);
    for back in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "/convenant"] {
        let page = send(&r, Method::GET, "/inloggen", &[], None).await;
        let csrf = page.cookie("leefwijk_login_csrf").expect("login csrf cookie");
        let reply = send(
            &r,
            Method::POST,
            "/inloggen",
            &[
                ("cookie", &format!("leefwijk_login_csrf={csrf}")),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(form(&[
                ("username", "beleid"),
                ("password", &leefwijk_app::demo::demo_password("beleid")),
                ("csrf", &csrf),
                ("terug", back),
            ])),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{back:?}: {}", reply.body);
        let location = reply.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let expected = if back == "/convenant" { "/convenant" } else { "/" };
        assert_eq!(location, expected, "{back:?}");
    }
}

/// A password login from a given client address (as the server sees the peer).
async fn login_from(r: &axum::Router, username: &str, password: &str, ip: [u8; 4]) -> StatusCode {
    use tower::ServiceExt;
    let page = send(r, Method::GET, "/inloggen", &[], None).await;
    let csrf = page.cookie("leefwijk_login_csrf").expect("login csrf cookie");
    let mut request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/inloggen")
        .header("cookie", format!("leefwijk_login_csrf={csrf}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form(&[("username", username), ("password", password), ("csrf", &csrf)])))
        .expect("request");
    let peer = std::net::SocketAddr::from((ip, 40_000));
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    r.clone().oneshot(request).await.expect("response").status()
}
