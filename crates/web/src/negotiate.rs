//! Content negotiation for API tables: JSON by default, CSV with a `.csv` suffix or
//! `Accept: text/csv`; anything else the client insists on gets 406.

use crate::Problem;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// Picks the format from the path suffix and the Accept header. `json_types` are the
/// JSON media types this endpoint serves besides `application/json`.
pub fn negotiate(
    headers: &HeaderMap,
    csv_suffix: bool,
    csv_allowed: bool,
    json_types: &[&str],
) -> Result<Format, Problem> {
    if csv_suffix {
        return if csv_allowed {
            Ok(Format::Csv)
        } else {
            Err(Problem::new(
                StatusCode::NOT_ACCEPTABLE,
                "not_acceptable",
                "This resource has no CSV form; ask for application/json.",
            ))
        };
    }
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(Format::Json);
    };
    let mut offered: Vec<&str> = vec!["application/json", "application/*", "*/*"];
    offered.extend_from_slice(json_types);
    // Media ranges in order of appearance; q=0 means "not this".
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        if parts.any(|p| p.replace(' ', "") == "q=0") {
            continue;
        }
        if csv_allowed && (media == "text/csv" || media == "text/*") {
            return Ok(Format::Csv);
        }
        if offered.contains(&media.as_str()) {
            return Ok(Format::Json);
        }
    }
    let mut supported = vec!["application/json"];
    supported.extend_from_slice(json_types);
    if csv_allowed {
        supported.push("text/csv");
    }
    Err(Problem::new(
        StatusCode::NOT_ACCEPTABLE,
        "not_acceptable",
        format!("Cannot answer with '{accept}'. This resource is available as {}.", supported.join(", ")),
    ))
}

/// Splits a `.csv` suffix off a path segment.
pub fn strip_csv(segment: &str) -> (&str, bool) {
    match segment.strip_suffix(".csv") {
        Some(s) => (s, true),
        None => (segment, false),
    }
}

pub fn json<T: Serialize>(value: &T) -> Response {
    axum::Json(value).into_response()
}

/// Writes rows as CSV with a header. CBS figures carry the attribution CC BY 4.0 asks for.
pub fn csv_response(file_name: &str, header_row: &[&str], rows: Vec<Vec<String>>) -> Response {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut result = writer.write_record(header_row);
    for row in rows {
        if result.is_ok() {
            result = writer.write_record(&row);
        }
    }
    let body = match (result, writer.into_inner()) {
        (Ok(()), Ok(body)) => body,
        _ => {
            return Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Could not write CSV.").into_response()
        }
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A number for CSV: empty when missing, full precision otherwise.
pub fn num(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).expect("header"));
        h
    }

    #[test]
    fn negotiates() {
        assert_eq!(negotiate(&HeaderMap::new(), false, true, &[]).ok(), Some(Format::Json));
        assert_eq!(negotiate(&HeaderMap::new(), true, true, &[]).ok(), Some(Format::Csv));
        assert_eq!(negotiate(&accept("text/csv"), false, true, &[]).ok(), Some(Format::Csv));
        assert_eq!(negotiate(&accept("text/html,application/json;q=0.9"), false, true, &[]).ok(), Some(Format::Json));
        assert_eq!(negotiate(&accept("*/*"), false, true, &[]).ok(), Some(Format::Json));
        assert!(negotiate(&accept("application/xml"), false, true, &[]).is_err());
        assert!(negotiate(&accept("text/csv"), false, false, &[]).is_err());
        assert!(negotiate(&accept("application/json;q=0"), false, true, &[]).is_err());
        assert_eq!(
            negotiate(&accept("application/geo+json"), false, false, &["application/geo+json"]).ok(),
            Some(Format::Json)
        );
    }
}
