//! Reading a partner's batch: CSV (header row with the field names, comma or semicolon)
//! or JSON (an array of objects, or `{"signals": [...]}`), into one [`SignalInput`] per
//! row with its line, or errors that name the line and field. Nothing is stored here.

use leefwijk_domain::signals::intake::{FieldError, SignalInput, FIELDS};
use serde::Serialize;

/// The most rows one batch may hold.
pub const MAX_ROWS: usize = 100_000;

/// A problem with one row (line in the CSV file, counting the header as line 1; or the
/// 1-based position in the JSON array).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl RowError {
    pub fn new(line: u64, field: impl Into<String>, message: impl Into<String>) -> RowError {
        RowError { line, field: field.into(), message: message.into() }
    }

    pub fn from_field(line: u64, e: FieldError) -> RowError {
        RowError { line, field: e.field, message: e.message }
    }
}

/// The rows of a batch, or why the file as a whole cannot be read.
pub type Parsed = Result<Vec<(u64, SignalInput)>, Vec<RowError>>;

fn too_many(n: usize) -> Vec<RowError> {
    vec![RowError::new(
        0,
        "",
        format!("a batch holds at most {MAX_ROWS} rows; this one has more than {n}: split it into several batches"),
    )]
}

/// Reads a CSV batch. The delimiter is detected from the header (`;` as written by Dutch
/// spreadsheet software, or `,`).
pub fn parse_csv(body: &[u8]) -> Parsed {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let first_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(false).from_reader(body);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![RowError::new(1, "", format!("the header row cannot be read: {e}"))]),
    };
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    for (i, name) in headers.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        if FIELDS.contains(&name.as_str()) {
            if columns.iter().any(|(_, n): &(usize, String)| *n == name) {
                errors.push(RowError::new(1, name.clone(), "this column appears twice"));
            }
            columns.push((i, name));
        } else {
            errors.push(RowError::new(
                1,
                name.clone(),
                format!("unknown column (column {}); known columns: {}", i + 1, FIELDS.join(", ")),
            ));
        }
    }
    if !columns.iter().any(|(_, n)| n == "kind") {
        errors.push(RowError::new(1, "kind", "the header needs a column 'kind'"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Line numbers are counted from byte offsets: the csv crate skips blank lines without
    // counting them, and a partner must find the line in their own file.
    let mut counted = (0usize, 1u64);
    let mut line_at = |byte: u64| -> u64 {
        let mut byte = (byte as usize).min(body.len());
        // A record's position can point at the blank lines the reader skipped before it.
        while byte < body.len() && matches!(body[byte], b'\n' | b'\r') {
            byte += 1;
        }
        if byte >= counted.0 {
            counted.1 += body[counted.0..byte].iter().filter(|b| **b == b'\n').count() as u64;
            counted.0 = byte;
        }
        counted.1
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
                errors.push(RowError::new(line, "", format!("this line cannot be read as CSV: {e}")));
                if errors.len() > 1000 {
                    break;
                }
                continue;
            }
        };
        let line = record.position().map(|p| line_at(p.byte())).unwrap_or(0);
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(too_many(MAX_ROWS));
        }
        let mut input = SignalInput::default();
        for (i, name) in &columns {
            if let Some(v) = record.get(*i) {
                input.set(name, v);
            }
        }
        rows.push((line, input));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn value_text(v: &serde_json::Value) -> Option<Result<String, &'static str>> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(Ok(s.clone())),
        serde_json::Value::Number(n) => Some(Ok(n.to_string())),
        serde_json::Value::Bool(b) => Some(Ok(b.to_string())),
        _ => Some(Err("use a string, number or true/false here")),
    }
}

/// Reads one JSON object as a signal, with errors on its `line` (position).
pub fn object_input(line: u64, v: &serde_json::Value) -> Result<SignalInput, Vec<RowError>> {
    let Some(obj) = v.as_object() else {
        return Err(vec![RowError::new(line, "", "each signal is a JSON object with named fields")]);
    };
    let mut input = SignalInput::default();
    let mut errors = Vec::new();
    for (key, value) in obj {
        match value_text(value) {
            None => {}
            Some(Err(m)) => errors.push(RowError::new(line, key.clone(), m)),
            Some(Ok(text)) if !input.set(key, text.as_str()) => errors.push(RowError::new(
                line,
                key.clone(),
                format!("unknown field; known fields: {}", FIELDS.join(", ")),
            )),
            Some(Ok(_)) => {}
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

/// Reads a JSON batch: an array of signal objects, or an object with a `signals` array.
pub fn parse_json(body: &[u8]) -> Parsed {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| vec![RowError::new(e.line() as u64, "", format!("the body is not valid JSON: {e}"))])?;
    let items = match &value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => match o.get("signals").and_then(|s| s.as_array()) {
            Some(a) => a,
            None => return Err(vec![RowError::new(0, "signals", "send an array of signals, or {\"signals\": [...]}")]),
        },
        _ => return Err(vec![RowError::new(0, "", "send an array of signals, or {\"signals\": [...]}")]),
    };
    if items.len() > MAX_ROWS {
        return Err(too_many(MAX_ROWS));
    }
    let mut rows = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let line = i as u64 + 1;
        match object_input(line, item) {
            Ok(input) => rows.push((line, input)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_and_a_bom_is_read_with_lines() {
        let body = "\u{feff}kind;bsn;postcode;house_number\nnuisance;;1234AB;5\n\nneglect;;1234AB;7\n";
        let rows = parse_csv(body.as_bytes()).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].0, 4, "the blank line is skipped but still counted");
    }

    #[test]
    fn unknown_columns_and_ragged_rows_are_named() {
        let errors = parse_csv(b"kind,naam\nnuisance,Jan\n").expect_err("unknown column");
        assert_eq!(errors[0].field, "naam");
        assert!(!errors[0].message.contains("Jan"), "values never appear in errors");
        let errors = parse_csv(b"kind,postcode\nnuisance\n").expect_err("ragged");
        assert_eq!(errors[0].line, 2);
    }

    #[test]
    fn json_accepts_numbers_and_booleans_and_names_bad_fields() {
        let rows =
            parse_json(br#"[{"kind":"rent_arrears","arrears_cents":125000,"crisis":true,"bsn":null}]"#).expect("rows");
        assert_eq!(rows[0].1.values.get("arrears_cents").map(String::as_str), Some("125000"));
        assert_eq!(rows[0].1.values.get("crisis").map(String::as_str), Some("true"));
        let errors = parse_json(br#"{"signals":[{"kind":"nuisance"},{"kind":"x","extra":[1]}]}"#).expect_err("bad");
        assert_eq!((errors[0].line, errors[0].field.as_str()), (2, "extra"));
        assert!(parse_json(b"{").is_err());
        assert!(parse_json(b"42").is_err());
    }
}
