//! Export of the Logboek Dataverwerkingen to an organisation's central Logboek over
//! OpenTelemetry (OTLP/HTTP with JSON encoding), which the standard recommends between
//! application and Logboek. Each operation becomes a span: trace and span id, parent,
//! name, start and end, status, the `dpl.core.*` attributes, and the foreign operation as
//! a span link. Page by page from a cursor; a receiver that does not acknowledge (2xx)
//! stops the export at the last acknowledged page, so nothing is skipped or sent twice
//! in a row.

use crate::AppError;
use leefwijk_domain::access::logboek::{Operation, StatusCode};
use leefwijk_store::Store;
use serde_json::{json, Value};

/// Where an export stopped: the last exported operation (`end_ms`, `operation_id`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cursor {
    pub end_ms: i64,
    pub operation_id: String,
}

impl Cursor {
    /// `end_ms:operation_id`, as printed and passed back with `--after`.
    pub fn to_text(&self) -> String {
        format!("{}:{}", self.end_ms, self.operation_id)
    }

    pub fn parse(text: &str) -> Result<Cursor, AppError> {
        let bad = || {
            AppError::BadRequest(format!(
                "after: '{text}' is not a cursor; pass what the previous export printed, such as 1733612345678:0a1b2c3d4e5f6071"
            ))
        };
        let (ms, op) = text.trim().split_once(':').ok_or_else(bad)?;
        let end_ms = ms.parse::<i64>().map_err(|_| bad())?;
        if !op.is_empty() && leefwijk_domain::access::logboek::OperationId::parse(op).is_err() {
            return Err(bad());
        }
        Ok(Cursor { end_ms, operation_id: op.to_string() })
    }
}

fn attribute(key: &str, value: &str) -> Value {
    json!({ "key": key, "value": { "stringValue": value } })
}

fn nanos(ms: i64) -> String {
    (i128::from(ms) * 1_000_000).to_string()
}

/// One operation as an OTLP span (JSON encoding: ids as lower-case hex).
pub fn span(op: &Operation) -> Value {
    let mut span = json!({
        "traceId": op.trace_id.to_hex(),
        "spanId": op.operation_id.to_hex(),
        "name": op.name.code(),
        // SPAN_KIND_INTERNAL: a processing inside Leefwijk.
        "kind": 1,
        "startTimeUnixNano": nanos(op.start_ms),
        "endTimeUnixNano": nanos(op.end_ms),
        "attributes": op.attributes().iter().map(|(k, v)| attribute(k, v)).collect::<Vec<_>>(),
        // OTLP's status codes: 0 unset, 1 ok, 2 error (the standard's numbering too).
        "status": { "code": op.status.number() },
    });
    if op.status == StatusCode::Unknown {
        span["status"] = json!({ "code": 0 });
    }
    if let Some(parent) = op.parent_operation_id {
        span["parentSpanId"] = json!(parent.to_hex());
    }
    if let Some(f) = &op.foreign_operation {
        span["links"] = json!([{
            "traceId": f.trace_id.to_hex(),
            "spanId": f.operation_id.to_hex(),
            "attributes": [attribute("dpl.core.foreign_operation.entity", &f.entity)],
        }]);
    }
    span
}

/// An OTLP `ExportTraceServiceRequest` for these operations.
pub fn request(ops: &[Operation]) -> Value {
    json!({
        "resourceSpans": [{
            "resource": { "attributes": [
                attribute("service.name", "leefwijk"),
                attribute("service.version", env!("CARGO_PKG_VERSION")),
            ]},
            "scopeSpans": [{
                "scope": { "name": "leefwijk.logboek-dataverwerkingen" },
                "spans": ops.iter().map(span).collect::<Vec<_>>(),
            }],
        }]
    })
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub operations: usize,
    pub cursor: Cursor,
    /// Why it stopped early, if it did: the cursor is then that of the last page the
    /// receiver acknowledged.
    pub stopped: Option<String>,
}

/// Sends every operation after `from` to `endpoint` (an OTLP/HTTP traces URL, usually
/// ending in `/v1/traces`), `page` operations per request.
pub async fn export(store: &Store, endpoint: &str, from: Cursor, page: i64) -> Result<Exported, AppError> {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| AppError::Internal(format!("HTTP client: {e}")))?;
    let mut cursor = from;
    let mut operations = 0;
    loop {
        let ops = store.processing_after(cursor.end_ms, &cursor.operation_id, page).await?;
        let Some(last) = ops.last() else {
            return Ok(Exported { operations, cursor, stopped: None });
        };
        let next = Cursor { end_ms: last.end_ms, operation_id: last.operation_id.to_hex() };
        let sent = http.post(endpoint).json(&request(&ops)).send().await;
        let refusal = match sent {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("the receiver answered {}", r.status())),
            Err(e) => Some(format!("the receiver could not be reached: {e}")),
        };
        if let Some(why) = refusal {
            return Ok(Exported { operations, cursor, stopped: Some(why) });
        }
        operations += ops.len();
        cursor = next;
        if (ops.len() as i64) < page {
            return Ok(Exported { operations, cursor, stopped: None });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leefwijk_domain::access::logboek::*;

    #[test]
    fn a_span_carries_the_standard_fields() {
        let op = Operation {
            tenant: "t".into(),
            organisation: "o".into(),
            trace_id: TraceId([1; 16]),
            operation_id: OperationId([2; 8]),
            parent_operation_id: Some(OperationId([3; 8])),
            foreign_operation: Some(ForeignOperation {
                trace_id: TraceId([4; 16]),
                operation_id: OperationId([5; 8]),
                entity: "urn:leefwijk:organisatie:p".into(),
            }),
            name: OperationName::SignalIntake,
            status: StatusCode::Ok,
            start_ms: 1_000,
            end_ms: 1_002,
            processing_activity_id: "urn:x".into(),
            data_subject_id: Some("ab".repeat(32)),
            audit_seq: Some(1),
        };
        let s = span(&op);
        assert_eq!(s["traceId"], "01".repeat(16));
        assert_eq!(s["spanId"], "02".repeat(8));
        assert_eq!(s["parentSpanId"], "03".repeat(8));
        assert_eq!(s["startTimeUnixNano"], "1000000000");
        assert_eq!(s["status"]["code"], 1);
        assert_eq!(s["links"][0]["spanId"], "05".repeat(8));
        assert_eq!(s["attributes"][0]["key"], ATTR_PROCESSING_ACTIVITY);
        assert_eq!(request(&[op])["resourceSpans"][0]["scopeSpans"][0]["spans"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn cursors_round_trip_and_bad_ones_are_named() {
        let c = Cursor { end_ms: 17, operation_id: "0a1b2c3d4e5f6071".into() };
        assert_eq!(Cursor::parse(&c.to_text()).expect("parses"), c);
        assert_eq!(Cursor::parse("0:").expect("start"), Cursor::default());
        assert!(Cursor::parse("yesterday").is_err());
        assert!(Cursor::parse("12:zz").is_err());
    }
}
