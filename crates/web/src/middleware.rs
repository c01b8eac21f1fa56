//! Cross-cutting concerns on every response: a request id (header, log line, error page
//! and problem document), security headers, and remembering the chosen language.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    /// The id of the request being handled, for problem documents and error pages.
    pub static REQUEST_ID: String;
}

/// The current request's id, if called while handling a request.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Content-Security-Policy: nothing inline, nothing from elsewhere, never framed; images
/// also from the configured base map's tile server (`base_map_origin`), nothing else.
pub fn content_security_policy(base_map_origin: Option<&str>) -> HeaderValue {
    let images = match base_map_origin {
        Some(origin) => format!("'self' data: {origin}"),
        None => "'self' data:".to_string(),
    };
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src {images}; script-src 'self'; \
         form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ))
}

pub async fn request_context(State(csp): State<HeaderValue>, request: Request, next: Next) -> Response {
    let id = uuid::Uuid::now_v7().to_string();
    let method = request.method().clone();
    // Log the route as declared (`/melding/{token}`), never the path as asked: a path may
    // hold a resident's private status token, and a query search terms about people.
    let route = logged_route(&request);
    let is_api = request.uri().path().starts_with("/api/");
    let credentialed = request.headers().contains_key(header::AUTHORIZATION)
        || request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(';').any(|c| c.trim().starts_with("leefwijk_session=")));
    let https = request
        .headers()
        .get("x-forwarded-proto")
        .map(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
        .unwrap_or(false);
    let lang_choice = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")).and_then(leefwijk_domain::Lang::parse));
    // The caller's W3C trace context: recorded as the foreign operation of every
    // processing of personal data this request does (Logboek Dataverwerkingen).
    let traceparent = request.headers().get("traceparent").and_then(|v| v.to_str().ok()).map(String::from);
    let trace = leefwijk_app::access::logboek::RequestTrace::from_header(traceparent.as_deref());
    let started = Instant::now();
    let handled = async move {
        match trace {
            Ok(trace) => leefwijk_app::access::logboek::in_request(trace, next.run(request)).await,
            // Without randomness each processing draws (and fails on) its own trace id.
            Err(_) => next.run(request).await,
        }
    };
    let mut response = REQUEST_ID.scope(id.clone(), handled).await;
    if is_api {
        response = REQUEST_ID.scope(id.clone(), as_problem(response)).await;
    }
    let headers = response.headers_mut();
    // Personal data must not linger in a browser's or proxy's cache: no API answer and no
    // answer to a signed-in request is stored, unless the handler said otherwise.
    if is_api {
        headers.insert(HeaderName::from_static("api-version"), HeaderValue::from_static(crate::api::API_VERSION));
    }
    if (is_api || credentialed) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), v);
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("geolocation=(), camera=(), microphone=()"),
    );
    if https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if let Some(lang) = lang_choice {
        let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.code());
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    tracing::info!(
        request_id = %id,
        %method,
        route = %route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// The route that matched, as declared; for a path no route matches only its first segment
/// (a mistyped status link still holds the token).
fn logged_route(request: &Request) -> String {
    match request.extensions().get::<axum::extract::MatchedPath>() {
        Some(matched) => matched.as_str().to_string(),
        None => {
            let path = request.uri().path();
            let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
            let first: String = first.chars().take(40).collect();
            if path.trim_start_matches('/').contains('/') {
                format!("/{first}/… (no route)")
            } else {
                format!("/{first} (no route)")
            }
        }
    }
}

/// An API error the framework answered itself (a body over the limit, a query or JSON the
/// extractor refused, a method without a route) in text or without a body becomes
/// `application/problem+json` like every other API error.
async fn as_problem(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    // The framework's own messages are short; anything longer is not read.
    let text = match axum::body::to_bytes(body, 16 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
        Err(_) => String::new(),
    };
    let code = match status.as_u16() {
        413 => "payload_too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        405 => "method_not_allowed",
        404 => "not_found",
        s if s >= 500 => "internal",
        _ => "bad_request",
    };
    let detail = match (status.as_u16(), text.is_empty()) {
        (413, _) => "The request body is larger than this endpoint accepts; send less data per request (see /api/v1/openapi.json).".to_string(),
        (_, true) => format!("The request was refused: {}.", status.canonical_reason().unwrap_or("error")),
        (_, false) => format!("The request was refused: {text}"),
    };
    let mut problem = crate::Problem::new(status, code, detail).into_response();
    // Keep what the framework said about the method (Allow) and the like.
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}
