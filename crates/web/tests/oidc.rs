//! Single sign-on against an OpenID Connect provider that this test starts on loopback:
//! discovery, authorization code with PKCE (S256), token exchange over real HTTP, an RS256
//! ID token checked against the provider's JWKS, state and nonce.

mod common;

use axum::extract::{Form, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use common::send;
use leefwijk_app::access::oidc::{Oidc, OidcProvider};
use leefwijk_app::testing::{backend_urls, demo_app};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const KEY_PEM: &str = include_str!("fixtures/oidc-test-key.pem");
const KEY_N: &str = include_str!("fixtures/oidc-test-key.n");
const CLIENT_ID: &str = "leefwijk-test";
const CLIENT_SECRET: &str = "provider-shared-secret";

#[derive(Default)]
struct Provider {
    issuer: String,
    /// Who "signs in" at the provider.
    username: String,
    /// Misbehaviours to test against.
    wrong_nonce: bool,
    wrong_audience: bool,
    /// code → (nonce, PKCE challenge, redirect_uri)
    codes: HashMap<String, (String, String, String)>,
}

type Shared = Arc<Mutex<Provider>>;

async fn discovery(State(p): State<Shared>) -> Json<serde_json::Value> {
    let issuer = p.lock().map(|p| p.issuer.clone()).unwrap_or_default();
    Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"]
    }))
}

async fn authorize(State(p): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    assert_eq!(q.get("response_type").map(String::as_str), Some("code"));
    assert_eq!(q.get("code_challenge_method").map(String::as_str), Some("S256"), "PKCE with S256");
    assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
    let code = format!("code-{}", q.get("state").map(|s| &s[..8]).unwrap_or_default());
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    if let Ok(mut p) = p.lock() {
        p.codes.insert(
            code.clone(),
            (
                q.get("nonce").cloned().unwrap_or_default(),
                q.get("code_challenge").cloned().unwrap_or_default(),
                redirect.clone(),
            ),
        );
    }
    Redirect::to(&format!("{redirect}?code={code}&state={}", q.get("state").cloned().unwrap_or_default()))
        .into_response()
}

async fn token(State(p): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    let Ok(mut p) = p.lock() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    if f.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
        return (StatusCode::UNAUTHORIZED, Json(serde_json::json!({"error": "invalid_client"}))).into_response();
    }
    let Some((nonce, challenge, redirect)) = f.get("code").and_then(|c| p.codes.remove(c)) else {
        return (StatusCode::BAD_REQUEST, Json(serde_json::json!({"error": "invalid_grant"}))).into_response();
    };
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if computed != challenge || f.get("redirect_uri") != Some(&redirect) {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "invalid_grant", "error_description": "PKCE verification failed"})),
        )
            .into_response();
    }
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let claims = serde_json::json!({
        "iss": p.issuer,
        "aud": if p.wrong_audience { "someone-else" } else { CLIENT_ID },
        "sub": format!("sub-{}", p.username),
        "preferred_username": p.username,
        "nonce": if p.wrong_nonce { "not-the-nonce".to_string() } else { nonce },
        "iat": now,
        "exp": now + 300,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("test-key".into());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(KEY_PEM.as_bytes()).expect("test key");
    let id_token = jsonwebtoken::encode(&header, &claims, &key).expect("sign");
    Json(serde_json::json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token})).into_response()
}

async fn jwks() -> Json<serde_json::Value> {
    Json(
        serde_json::json!({"keys": [{"kty": "RSA", "kid": "test-key", "use": "sig", "alg": "RS256", "n": KEY_N.trim(), "e": "AQAB"}]}),
    )
}

async fn start_provider() -> (Shared, String) {
    let shared: Shared = Arc::new(Mutex::new(Provider::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    if let Ok(mut p) = shared.lock() {
        p.issuer = issuer.clone();
    }
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/jwks", get(jwks))
        .with_state(shared.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (shared, issuer)
}

fn location(reply: &common::Reply) -> String {
    reply.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// Runs the browser's part: start at Leefwijk, visit the provider, come back. Returns the
/// callback reply and the callback URL.
async fn sign_in(router: &Router, http: &reqwest::Client) -> (common::Reply, String) {
    let start = send(router, Method::GET, "/inloggen/oidc/test?terug=/convenant", &[], None).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let at_provider = http.get(location(&start)).send().await.expect("provider");
    let back = at_provider.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let path = back.split_once("/inloggen").map(|(_, rest)| format!("/inloggen{rest}")).expect("callback to leefwijk");
    (send(router, Method::GET, &path, &[], None).await, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_sign_on_with_pkce_state_and_nonce() {
    let (provider, issuer) = start_provider().await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    for url in backend_urls() {
        let oidc = Oidc::new(
            vec![OidcProvider {
                id: "test".into(),
                name: "Test-IdP Wijkerveen".into(),
                issuer: issuer.clone(),
                client_id: CLIENT_ID.into(),
                client_secret: CLIENT_SECRET.into(),
                username_claim: "preferred_username".into(),
            }],
            "http://leefwijk.test",
        )
        .expect("provider config");
        let router = leefwijk_web::router(demo_app(&url).await.with_oidc(oidc));
        let login_page = send(&router, Method::GET, "/inloggen", &[], None).await;
        assert!(login_page.body.contains("Inloggen met Test-IdP Wijkerveen"));

        // A known user signs in: a session, and back to where they were going.
        if let Ok(mut p) = provider.lock() {
            p.username = "wijkteam".into();
            p.wrong_nonce = false;
            p.wrong_audience = false;
        }
        let (reply, callback) = sign_in(&router, &http).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{url}: {}", reply.body);
        assert_eq!(location(&reply), "/convenant");
        let session = reply.cookie("leefwijk_session").expect("session");
        let page =
            send(&router, Method::GET, "/convenant", &[("cookie", &format!("leefwijk_session={session}"))], None).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: signed in by single sign-on");

        // The same callback again: the state was used up.
        let replay = send(&router, Method::GET, &callback, &[], None).await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
        assert!(replay.body.contains("unknown or expired (state)"), "{}", replay.body);

        // A forged state.
        let forged = send(&router, Method::GET, "/inloggen/oidc/test/callback?code=x&state=forged", &[], None).await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

        // A token with another nonce is refused.
        if let Ok(mut p) = provider.lock() {
            p.wrong_nonce = true;
        }
        let (reply, _) = sign_in(&router, &http).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{url}");
        assert!(reply.body.contains("(nonce)"), "{}", reply.body);
        assert!(reply.cookie("leefwijk_session").is_none());

        // A token for another audience is refused.
        if let Ok(mut p) = provider.lock() {
            p.wrong_nonce = false;
            p.wrong_audience = true;
        }
        let (reply, _) = sign_in(&router, &http).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.body.contains("not valid"), "{}", reply.body);

        // Someone the provider knows but Leefwijk does not.
        if let Ok(mut p) = provider.lock() {
            p.wrong_audience = false;
            p.username = "onbekend".into();
        }
        let (reply, _) = sign_in(&router, &http).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.body.contains("no active Leefwijk account"), "{}", reply.body);

        // The provider reports an error (the person cancelled).
        let cancelled = send(
            &router,
            Method::GET,
            "/inloggen/oidc/test/callback?error=access_denied&error_description=cancelled",
            &[],
            None,
        )
        .await;
        assert_eq!(cancelled.status, StatusCode::UNAUTHORIZED);
        assert!(cancelled.body.contains("access_denied"));
    }
}

#[tokio::test]
async fn pkce_is_enforced_by_the_token_exchange() {
    // The verifier that Leefwijk keeps must match the challenge it sent: a provider that
    // received a different challenge refuses the code.
    let (provider, issuer) = start_provider().await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let oidc = Oidc::new(
        vec![OidcProvider {
            id: "test".into(),
            name: "IdP".into(),
            issuer,
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            username_claim: "preferred_username".into(),
        }],
        "http://leefwijk.test",
    )
    .expect("config");
    let router = leefwijk_web::router(demo_app("sqlite").await.with_oidc(oidc));
    if let Ok(mut p) = provider.lock() {
        p.username = "wijkteam".into();
    }
    let start = send(&router, Method::GET, "/inloggen/oidc/test", &[], None).await;
    let at_provider = http.get(location(&start)).send().await.expect("provider");
    let back = at_provider.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    // Tamper with the stored challenge at the provider.
    if let Ok(mut p) = provider.lock() {
        for v in p.codes.values_mut() {
            v.1 = "tampered-challenge".into();
        }
    }
    let path = back.split_once("/inloggen").map(|(_, rest)| format!("/inloggen{rest}")).expect("callback");
    let reply = send(&router, Method::GET, &path, &[], None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.body.contains("PKCE verification failed"), "{}", reply.body);
}
