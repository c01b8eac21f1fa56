//! RFC 9457 problem details: every API error is `application/problem+json` with a message
//! a person can act on, a stable code and the request id.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leefwijk_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do about it.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Per-row problems of a rejected batch: line, field and message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<serde_json::Value>,
}

/// Longest text a problem repeats from what it is about: a message may quote a cell or a
/// column name, and input is not bounded (a 60 MB header cell was echoed twice).
pub const MAX_QUOTED_CHARS: usize = 500;

/// Cuts a message to [`MAX_QUOTED_CHARS`] characters, saying that it did.
pub fn shorten(text: String) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((at, _)) => format!("{} … (shortened: {} characters in all)", &text[..at], text.chars().count()),
        None => text,
    }
}

fn shorten_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = shorten(std::mem::take(s)),
        serde_json::Value::Array(items) => items.iter_mut().for_each(shorten_strings),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(shorten_strings),
        _ => {}
    }
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: shorten(detail.into()),
            code: code.to_string(),
            request_id: crate::middleware::current_request_id(),
            errors: None,
        }
    }

    /// Adds the list of per-row problems.
    pub fn with_errors(mut self, mut errors: serde_json::Value) -> Problem {
        shorten_strings(&mut errors);
        self.errors = Some(errors);
        self
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not_found", detail)
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        let status = match &e {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::Import(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::NoData => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let detail = match &e {
            // Internals go to the log with the request id, not to the client.
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %e, "request failed");
                "Something went wrong on our side. Quote the request id when you report it.".to_string()
            }
            _ => e.to_string(),
        };
        Problem::new(status, e.code(), detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_never_echo_unbounded_input() {
        let huge = "x".repeat(10_000_000);
        let p = Problem::bad_request(format!("unknown column '{huge}' (also '{huge}')"))
            .with_errors(serde_json::json!([{ "line": 1, "field": huge, "message": huge }]));
        let body = serde_json::to_vec(&p).expect("json");
        assert!(body.len() < 4 * MAX_QUOTED_CHARS + 1_000, "{} bytes", body.len());
        assert!(p.detail.ends_with("(shortened: 20000027 characters in all)"), "{}", &p.detail[p.detail.len() - 60..]);
        assert_eq!(shorten("kort".into()), "kort");
        // Cut on a character, not inside one.
        assert!(shorten("é".repeat(600)).starts_with(&"é".repeat(500)));
    }
}
