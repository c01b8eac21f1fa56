//! Authentication (session cookie for people, bearer credentials for API clients) and the
//! `authorize` middleware that applies the access table to every matched route.

use crate::access_table::{rule, Access};
use crate::Problem;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leefwijk_app::access::identity::{self, ClientRefusal};
use leefwijk_app::App;
use leefwijk_app::{ApiClient, User};

pub const SESSION_COOKIE: &str = "leefwijk_session";
pub const LOGIN_CSRF_COOKIE: &str = "leefwijk_login_csrf";

/// The signed-in person of this request.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub csrf: String,
    pub token: String,
}

/// The API client of this request.
#[derive(Debug, Clone)]
pub struct Client(pub ApiClient);

/// The address a request came from, as the rate limits count it ([`client_key`]): for the
/// login throttle. Never logged.
#[derive(Clone)]
pub struct ClientAddress(pub String);

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name).and_then(|rest| rest.strip_prefix('=')).map(String::from))
}

/// A cookie for this site: HttpOnly, Secure, SameSite=Lax (a link from an e-mail keeps the
/// session; cross-site posts do not carry it).
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Lax"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Reads `Authorization: Bearer CLIENT_ID:SECRET`.
fn bearer(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
    let (id, secret) = token.trim().split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn unauthenticated(path: &str, query: Option<&str>) -> Response {
    if is_api(path) {
        let mut r = Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign in first (session cookie) or send `Authorization: Bearer CLIENT_ID:SECRET`.",
        )
        .into_response();
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"leefwijk\""));
        return r;
    }
    let back = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let encoded = leefwijk_app::access::oidc::percent_encode(&back);
    Redirect::to(&format!("/inloggen?terug={encoded}")).into_response()
}

fn forbidden(detail: String) -> Response {
    Problem::new(StatusCode::FORBIDDEN, "forbidden", detail).into_response()
}

/// Applies the access table. Runs after routing (route_layer), so the matched path is known.
pub async fn authorize(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let Some(matched) = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()) else {
        return next.run(request).await;
    };
    let Some(rule) = rule(&method, &matched) else {
        // The path is known but not with this method: the router answers 405.
        if crate::access_table::rules().any(|r| r.path == matched) {
            return next.run(request).await;
        }
        tracing::error!(%method, route = %matched, "route missing from the access table");
        return Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "route_not_in_access_table",
            "This route has no access rule; it is refused until it gets one.",
        )
        .into_response();
    };
    let now = identity::now_ms();
    if rule.rate_limited {
        if let Err(limited) = rate_limit(&app, &request, &matched, now) {
            return too_many(&request, &path, limited);
        }
    }
    let headers = request.headers().clone();
    // Who is this? A session cookie for people, bearer credentials for partner systems.
    let signed_in = match cookie(&headers, SESSION_COOKIE) {
        Some(token) => match identity::session(&app.store, &token, now).await {
            Ok(Some(s)) => Some(SignedIn { user: s.user, csrf: s.csrf_token, token }),
            Ok(None) => None,
            Err(e) => return Problem::from(e).into_response(),
        },
        None => None,
    };
    let client = match bearer(&headers) {
        Some((id, secret)) => match identity::authenticate_client(&app.store, &id, &secret, now).await {
            Ok(Ok(c)) => Some(Ok(c)),
            Ok(Err(refusal)) => Some(Err(refusal)),
            Err(e) => return Problem::from(e).into_response(),
        },
        None => None,
    };
    match rule.access {
        Access::Public => {}
        Access::Roles { roles } => match &signed_in {
            None => return unauthenticated(&path, request.uri().query()),
            Some(s) if !roles.contains(&s.user.role.as_str()) => {
                return forbidden(format!(
                    "Your role '{}' may not use this; it needs one of: {}.",
                    s.user.role,
                    roles.join(", ")
                ))
            }
            Some(_) => {}
        },
        Access::Client { scope } => match &client {
            None => return unauthenticated(&path, None),
            Some(Err(refusal)) => {
                let detail = match refusal {
                    ClientRefusal::Unknown => "Unknown API client or wrong secret.",
                    ClientRefusal::Revoked => "This API client was revoked; ask the administrator for a new one.",
                    ClientRefusal::Expired => "This API client has expired; ask the administrator for a new one.",
                };
                let mut r = Problem::new(StatusCode::UNAUTHORIZED, "client_refused", detail).into_response();
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
                return r;
            }
            Some(Ok(c)) if !c.scopes.iter().any(|s| s == scope) => {
                return forbidden(format!("This API client lacks the scope '{scope}'."));
            }
            Some(Ok(_)) => {}
        },
    }
    if let Some(s) = signed_in {
        request.extensions_mut().insert(s);
    }
    let address = ClientAddress(client_key(&app, &request));
    request.extensions_mut().insert(address);
    if let Some(Ok(c)) = client {
        request.extensions_mut().insert(Client(c));
    }
    next.run(request).await
}

/// The client a public form's rate limit counts: the peer address, or the first
/// `X-Forwarded-For` entry behind a trusted proxy. Never logged (an address is personal data).
fn client_key(app: &App, request: &Request) -> String {
    if app.residents.rate_limit.trust_forwarded_for {
        if let Some(first) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            return first.to_string();
        }
    }
    request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn rate_limit(
    app: &App,
    request: &Request,
    route: &str,
    now_ms: i64,
) -> Result<(), leefwijk_app::residents::limits::Limited> {
    let client = client_key(app, request);
    let now_secs = u64::try_from(now_ms / 1000).unwrap_or_default();
    app.limiter.check(&app.residents.rate_limit, route, &client, now_secs)
}

/// 429 with `Retry-After`: problem+json for the API, a Dutch/English page otherwise.
fn too_many(request: &Request, path: &str, limited: leefwijk_app::residents::limits::Limited) -> Response {
    let minutes = limited.retry_after_secs.div_ceil(60).max(1);
    let mut response = if is_api(path) {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many submissions from your connection; try again in {minutes} minute(s). Nothing was stored."),
        )
        .into_response()
    } else {
        let english = request.uri().query().is_some_and(|q| q.contains("lang=en"))
            || cookie(request.headers(), "lang").is_some_and(|l| l == "en");
        let (lang, title, text) = if english {
            (
                "en",
                "Too many submissions",
                format!("Too many forms were sent from your connection. Nothing was stored. Try again in {minutes} minute(s)."),
            )
        } else {
            (
                "nl",
                "Te veel inzendingen",
                format!("Er zijn te veel formulieren verstuurd vanaf uw verbinding. Er is niets opgeslagen. Probeer het over {minutes} minuut/minuten opnieuw."),
            )
        };
        let html = format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · Leefwijk</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main id=\"main\"><h1>{title}</h1><p>{text}</p><p><a href=\"/\">Leefwijk</a></p></main></body></html>"
        );
        (StatusCode::TOO_MANY_REQUESTS, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&limited.retry_after_secs.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}
