//! Logboek Dataverwerkingen: the Dutch government's standard for logging every processing
//! of personal data (Logius, "Logboek Dataverwerkingen", component Logboek). One
//! [`Operation`] per processing action, with its trace, its parent within the trace, the
//! calling operation of another organisation, and the attributes that tie it to the
//! processing register and to the (pseudonymised) data subject.
//!
//! This module holds the record and the W3C Trace Context parsing; ids are drawn by the
//! application (it has the entropy), and the store writes the record in the same
//! transaction as the processing itself. Choices the standard leaves open are written
//! down in docs/logboek.md.

use super::hex;
use serde::Serialize;

/// Attribute key of the processing activity in the processing register (a URI).
pub const ATTR_PROCESSING_ACTIVITY: &str = "dpl.core.processing_activity_id";
/// Attribute key of the data subject, never in the clear: Leefwijk writes the pseudonym.
pub const ATTR_DATA_SUBJECT: &str = "dpl.core.data_subject_id";

/// A trace: a group of processing operations that belong together (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceId(pub [u8; 16]);

/// One processing operation (8 bytes; `span_id` in OpenTelemetry terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperationId(pub [u8; 8]);

/// Why a trace or operation id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    #[error("traceparent must be version-traceid-parentid-flags, four fields separated by '-'")]
    Shape,
    #[error("traceparent version {0:?} is not two lower-case hexadecimal digits other than ff")]
    Version(String),
    #[error("a version 00 traceparent has exactly four fields (55 characters)")]
    Version00Length,
    #[error("the trace id must be 32 lower-case hexadecimal digits, not all zero")]
    TraceId,
    #[error("the parent id must be 16 lower-case hexadecimal digits, not all zero")]
    ParentId,
    #[error("the trace flags must be two lower-case hexadecimal digits")]
    Flags,
}

fn parse_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != N * 2 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

impl TraceId {
    /// Parses 32 lower-case hex digits; the all-zero id is invalid (W3C Trace Context).
    pub fn parse(s: &str) -> Result<TraceId, TraceError> {
        parse_hex::<16>(s).filter(|b| b.iter().any(|x| *x != 0)).map(TraceId).ok_or(TraceError::TraceId)
    }
    pub fn to_hex(self) -> String {
        hex(&self.0)
    }
}

impl OperationId {
    /// Parses 16 lower-case hex digits; the all-zero id is invalid.
    pub fn parse(s: &str) -> Result<OperationId, TraceError> {
        parse_hex::<8>(s).filter(|b| b.iter().any(|x| *x != 0)).map(OperationId).ok_or(TraceError::ParentId)
    }
    pub fn to_hex(self) -> String {
        hex(&self.0)
    }
}

impl std::fmt::Display for TraceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl std::fmt::Display for OperationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A W3C Trace Context `traceparent` header: the caller's trace and operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    pub trace_id: TraceId,
    pub parent_id: OperationId,
    pub sampled: bool,
}

impl TraceParent {
    /// Parses the header as W3C Trace Context level 1 defines it: version 00 exactly,
    /// a later version by its first four fields (a receiver must accept what it knows of
    /// a newer version); version ff is invalid.
    pub fn parse(header: &str) -> Result<TraceParent, TraceError> {
        let header = header.trim();
        let mut fields = header.splitn(5, '-');
        let (Some(version), Some(trace), Some(parent), Some(flags)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(TraceError::Shape);
        };
        let rest = fields.next();
        let version_ok = version.len() == 2 && version.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !version_ok || version == "ff" {
            return Err(TraceError::Version(version.chars().take(8).collect()));
        }
        if version == "00" && (rest.is_some() || header.len() != 55) {
            return Err(TraceError::Version00Length);
        }
        let flags = parse_hex::<1>(flags).ok_or(TraceError::Flags)?;
        Ok(TraceParent {
            trace_id: TraceId::parse(trace)?,
            parent_id: OperationId::parse(parent)?,
            sampled: flags[0] & 1 == 1,
        })
    }

    /// The header value for an outgoing call made within `operation` of `trace`.
    /// Leefwijk never samples (the standard forbids it), so the sampled flag is always set.
    pub fn header(trace_id: TraceId, operation_id: OperationId) -> String {
        format!("00-{}-{}-01", trace_id.to_hex(), operation_id.to_hex())
    }
}

/// The status of an operation (the standard's `status_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusCode {
    #[serde(rename = "STATUS_CODE_UNKNOWN")]
    Unknown,
    #[serde(rename = "STATUS_CODE_OK")]
    Ok,
    #[serde(rename = "STATUS_CODE_ERROR")]
    Error,
}

impl StatusCode {
    /// The enumeration's number in the standard (0, 1, 2).
    pub fn number(self) -> i64 {
        match self {
            StatusCode::Unknown => 0,
            StatusCode::Ok => 1,
            StatusCode::Error => 2,
        }
    }
    pub fn from_number(n: i64) -> StatusCode {
        match n {
            1 => StatusCode::Ok,
            2 => StatusCode::Error,
            _ => StatusCode::Unknown,
        }
    }
}

/// The calling operation at another organisation (`foreign_operation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignOperation {
    pub trace_id: TraceId,
    pub operation_id: OperationId,
    /// A URI naming the other party.
    pub entity: String,
}

/// What an operation is: the standard's `name`, one per kind of processing, in Dutch as
/// the register and the data subject read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationName {
    /// A partner's batch of signals taken in (the request as a whole).
    BatchIntake,
    /// One signal about a person or household stored.
    SignalIntake,
    /// A household's signals matched into its case.
    Matching,
    /// Personal data read under the covenant.
    Read,
    /// Personal data written under the covenant.
    Write,
    /// Personal data deleted when its retention term ended.
    RetentionDeletion,
    /// A pseudonym turned back into the BSN.
    Reidentification,
    /// Personal data exported (an AVG access request, a statistics delivery).
    Export,
}

impl OperationName {
    pub fn code(self) -> &'static str {
        match self {
            OperationName::BatchIntake => "signaallevering ontvangen",
            OperationName::SignalIntake => "vroegsignaal ontvangen",
            OperationName::Matching => "signalen samengevoegd in casus",
            OperationName::Read => "persoonsgegevens ingezien",
            OperationName::Write => "persoonsgegevens vastgelegd",
            OperationName::RetentionDeletion => "persoonsgegevens verwijderd na bewaartermijn",
            OperationName::Reidentification => "pseudoniem herleid tot BSN",
            OperationName::Export => "persoonsgegevens geëxporteerd",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            OperationName::BatchIntake => "signal delivery received",
            OperationName::SignalIntake => "early signal received",
            OperationName::Matching => "signals matched into a case",
            OperationName::Read => "personal data read",
            OperationName::Write => "personal data recorded",
            OperationName::RetentionDeletion => "personal data deleted after its retention term",
            OperationName::Reidentification => "pseudonym re-identified to a BSN",
            OperationName::Export => "personal data exported",
        }
    }
    pub const ALL: [OperationName; 8] = [
        OperationName::BatchIntake,
        OperationName::SignalIntake,
        OperationName::Matching,
        OperationName::Read,
        OperationName::Write,
        OperationName::RetentionDeletion,
        OperationName::Reidentification,
        OperationName::Export,
    ];
    pub fn from_code(code: &str) -> Option<OperationName> {
        OperationName::ALL.into_iter().find(|n| n.code() == code)
    }
}

/// One line of the Logboek: a processing operation as the standard's interface defines
/// it, plus the collaboration (tenant) and organisation that did it, so a data subject's
/// history can say who processed their data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub tenant: String,
    pub organisation: String,
    pub trace_id: TraceId,
    pub operation_id: OperationId,
    pub parent_operation_id: Option<OperationId>,
    pub foreign_operation: Option<ForeignOperation>,
    pub name: OperationName,
    pub status: StatusCode,
    pub start_ms: i64,
    pub end_ms: i64,
    /// URI of the activity in the processing register.
    pub processing_activity_id: String,
    /// The data subject's pseudonym, when the operation concerns one person or household.
    pub data_subject_id: Option<String>,
    /// The audit-log entry of the same action, when there is one.
    pub audit_seq: Option<i64>,
}

impl Operation {
    /// The standard's `attributes`: key-value pairs in the `dpl.` namespace.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![(ATTR_PROCESSING_ACTIVITY, self.processing_activity_id.clone())];
        if let Some(subject) = &self.data_subject_id {
            out.push((ATTR_DATA_SUBJECT, subject.clone()));
        }
        out
    }
}

/// The register's URI of a processing activity: the covenant's purpose, under the
/// covenant that defines it. A URN, so it stays valid wherever the installation is
/// reached; the processing register shows it beside every activity.
pub fn processing_activity_uri(covenant_id: &str, purpose_code: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') { c } else { '-' }).collect()
    };
    format!("urn:leefwijk:verwerkingsactiviteit:{}:{}", clean(covenant_id), clean(purpose_code))
}

/// The covenant purpose a processing activity URI names (its last segment), if it is one;
/// `None` for the installation's own activities such as `data_subject_access`.
pub fn activity_purpose(activity: &str) -> Option<super::covenant::Purpose> {
    super::covenant::Purpose::parse(activity_code(activity))
}

/// The last segment of a processing activity URI: the purpose's code.
pub fn activity_code(activity: &str) -> &str {
    activity.rsplit(':').next().unwrap_or_default()
}

/// Whether a gate subject names one person or household (a 64-hex pseudonym) rather
/// than a group ("team:…", "batch:…", "organisation:…").
pub fn is_data_subject(subject: &str) -> bool {
    subject.len() == 64 && subject.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    #[test]
    fn parses_the_w3c_example() {
        let tp = TraceParent::parse(VALID).expect("valid");
        assert_eq!(tp.trace_id.to_hex(), "0af7651916cd43dd8448eb211c80319c");
        assert_eq!(tp.parent_id.to_hex(), "b7ad6b7169203331");
        assert!(tp.sampled);
        assert_eq!(TraceParent::header(tp.trace_id, tp.parent_id), VALID);
    }

    #[test]
    fn refuses_what_the_w3c_spec_calls_invalid() {
        let cases = [
            ("", TraceError::Shape),
            ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331", TraceError::Shape),
            ("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", TraceError::Version("ff".into())),
            ("0g-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", TraceError::Version("0g".into())),
            ("00-00000000000000000000000000000000-b7ad6b7169203331-01", TraceError::TraceId),
            ("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", TraceError::TraceId),
            ("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", TraceError::ParentId),
            ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz", TraceError::Flags),
            ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", TraceError::Version00Length),
        ];
        for (header, expected) in cases {
            assert_eq!(TraceParent::parse(header), Err(expected), "{header:?}");
        }
    }

    #[test]
    fn a_later_version_is_read_by_its_known_fields() {
        let tp = TraceParent::parse("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00-future").expect("v01");
        assert!(!tp.sampled);
    }

    #[test]
    fn operation_names_round_trip() {
        for name in OperationName::ALL {
            assert_eq!(OperationName::from_code(name.code()), Some(name));
        }
    }

    #[test]
    fn attributes_carry_the_register_and_the_pseudonym_only() {
        let op = Operation {
            tenant: "t".into(),
            organisation: "o".into(),
            trace_id: TraceId([1; 16]),
            operation_id: OperationId([2; 8]),
            parent_operation_id: None,
            foreign_operation: None,
            name: OperationName::Read,
            status: StatusCode::Ok,
            start_ms: 1,
            end_ms: 2,
            processing_activity_id: processing_activity_uri("convenant wijk 1", "outreach"),
            data_subject_id: Some("ab".repeat(32)),
            audit_seq: Some(7),
        };
        let attrs = op.attributes();
        assert_eq!(
            attrs[0],
            (ATTR_PROCESSING_ACTIVITY, "urn:leefwijk:verwerkingsactiviteit:convenant-wijk-1:outreach".into())
        );
        assert_eq!(attrs[1].0, ATTR_DATA_SUBJECT);
        assert!(is_data_subject(&attrs[1].1));
        assert!(!is_data_subject("team:*"));
        assert_eq!(activity_purpose(&op.processing_activity_id), Some(super::super::covenant::Purpose::Outreach));
        assert_eq!(activity_purpose("urn:leefwijk:verwerkingsactiviteit:leefwijk:data_subject_access"), None);
    }

    proptest! {
        #[test]
        fn every_header_we_write_parses_back(trace in any::<[u8; 16]>(), op in any::<[u8; 8]>()) {
            prop_assume!(trace.iter().any(|b| *b != 0) && op.iter().any(|b| *b != 0));
            let header = TraceParent::header(TraceId(trace), OperationId(op));
            let parsed = TraceParent::parse(&header).expect("parses");
            prop_assert_eq!(parsed.trace_id, TraceId(trace));
            prop_assert_eq!(parsed.parent_id, OperationId(op));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,80}") {
            let _ = TraceParent::parse(&s);
        }
    }
}
