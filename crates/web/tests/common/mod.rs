//! Shared helpers for the web tests: requests against the router, cookies, login.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The value a Set-Cookie header gives `name`, if any.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
            c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or_default().to_string())
        })
    }

    pub fn set_cookie_header(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(String::from)
    }

    /// The value of the first hidden input `name` in the page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        Some(self.body[start..].split('"').next()?.to_string())
    }
}

pub async fn send(router: &Router, method: Method, uri: &str, headers: &[(&str, &str)], body: Option<String>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = router
        .clone()
        .oneshot(req.body(body.map(Body::from).unwrap_or_else(Body::empty)).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 20 * 1024 * 1024).await.expect("body");
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    let enc = leefwijk_app::access::oidc::percent_encode;
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// A signed-in browser: its session cookie and CSRF token.
#[derive(Debug, Clone)]
pub struct Browser {
    pub session: String,
    pub csrf: String,
}

impl Browser {
    pub fn cookie(&self) -> String {
        format!("leefwijk_session={}", self.session)
    }

    pub async fn get(&self, router: &Router, uri: &str) -> Reply {
        send(router, Method::GET, uri, &[("cookie", &self.cookie())], None).await
    }

    pub async fn post(&self, router: &Router, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(pairs);
        send(
            router,
            Method::POST,
            uri,
            &[("cookie", &self.cookie()), ("content-type", "application/x-www-form-urlencoded")],
            Some(form(&all)),
        )
        .await
    }
}

/// Posts the login form as a browser would (fetching the form first for its CSRF token).
pub async fn try_login(router: &Router, username: &str, password: &str) -> Reply {
    let page = send(router, Method::GET, "/inloggen", &[], None).await;
    let csrf = page.cookie("leefwijk_login_csrf").expect("login csrf cookie");
    assert_eq!(page.hidden("csrf").as_deref(), Some(csrf.as_str()));
    // The return path the form carries, as a browser would send it back.
    let back = page.hidden("terug").unwrap_or_default();
    send(
        router,
        Method::POST,
        "/inloggen",
        &[("cookie", &format!("leefwijk_login_csrf={csrf}")), ("content-type", "application/x-www-form-urlencoded")],
        Some(form(&[("username", username), ("password", password), ("csrf", &csrf), ("terug", &back)])),
    )
    .await
}

/// Logs in and returns the browser with its session and CSRF token.
pub async fn login(router: &Router, username: &str) -> Browser {
    let reply = try_login(router, username, &leefwijk_app::demo::demo_password(username)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "login of {username}: {}", reply.body);
    let session = reply.cookie("leefwijk_session").expect("session cookie");
    let page =
        send(router, Method::GET, "/wachtwoord", &[("cookie", &format!("leefwijk_session={session}"))], None).await;
    let csrf = page.hidden("csrf").expect("csrf in page");
    Browser { session, csrf }
}
