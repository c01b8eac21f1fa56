//! Logboek Dataverwerkingen in the application: the trace context a request brings
//! (W3C `traceparent`), and the Logboek operation the gate writes beside every "allow".
//!
//! How traces are formed (docs/logboek.md):
//! - Every request gets a trace of its own. A `traceparent` from the caller is another
//!   organisation's operation: it is recorded as the `foreign_operation` of every
//!   processing in the request, and not continued as our own trace (the reference
//!   implementation does the same), so one organisation's ids never decide another's.
//! - The processing of one signal case forms one trace: intake opens it, matching joins
//!   it, and every later read, write or re-identification of that household or person
//!   under early signalling, outreach or re-identification continues it, with the intake
//!   or matching as its parent. A data subject's history then reads as one story.

use crate::access::entropy::Entropy;
use crate::AppError;
use leefwijk_domain::access::covenant::{Action, Covenant, Purpose};
use leefwijk_domain::access::logboek::{
    is_data_subject, processing_activity_uri, ForeignOperation, Operation, OperationId, OperationName, StatusCode,
    TraceId, TraceParent,
};
use leefwijk_store::StoreTx;

/// The trace context of the request being handled.
#[derive(Debug, Clone, Copy)]
pub struct RequestTrace {
    /// This request's own trace.
    pub trace_id: TraceId,
    /// The caller's operation, from its `traceparent` header.
    pub caller: Option<TraceParent>,
}

/// A request's trace and the last operation it recorded, for outgoing calls.
struct Scope {
    trace: RequestTrace,
    last: std::cell::Cell<Option<(TraceId, OperationId)>>,
}

tokio::task_local! {
    static CURRENT: Scope;
}

fn random<const N: usize>() -> Result<[u8; N], AppError> {
    let mut out = [0u8; N];
    // Never all zero: the W3C spec makes the zero id invalid.
    while out.iter().all(|b| *b == 0) {
        getrandom::getrandom(&mut out).map_err(|e| AppError::Internal(format!("no randomness for a trace id: {e}")))?;
    }
    Ok(out)
}

/// A fresh trace id.
pub fn new_trace_id() -> Result<TraceId, AppError> {
    random::<16>().map(TraceId)
}

/// A fresh operation id.
pub fn new_operation_id() -> Result<OperationId, AppError> {
    random::<8>().map(OperationId)
}

/// Fresh operation ids for a bulk job, from the job's entropy pool.
pub(crate) fn operation_id_from(entropy: &mut Entropy) -> Result<OperationId, AppError> {
    let mut out = [0u8; 8];
    while out.iter().all(|b| *b == 0) {
        entropy.fill(&mut out)?;
    }
    Ok(OperationId(out))
}

impl RequestTrace {
    /// The context for a request with this `traceparent` header (if any). An invalid
    /// header is ignored, as W3C Trace Context prescribes: the request is still served.
    pub fn from_header(traceparent: Option<&str>) -> Result<RequestTrace, AppError> {
        Ok(RequestTrace { trace_id: new_trace_id()?, caller: traceparent.and_then(|h| TraceParent::parse(h).ok()) })
    }
}

/// Runs `f` (the handling of one request) within `trace`.
pub async fn in_request<F: std::future::Future>(trace: RequestTrace, f: F) -> F::Output {
    CURRENT.scope(Scope { trace, last: std::cell::Cell::new(None) }, f).await
}

/// The current request's trace, or a fresh one outside a request (a command, a job).
pub fn current() -> Result<RequestTrace, AppError> {
    match CURRENT.try_with(|s| s.trace) {
        Ok(t) => Ok(t),
        Err(_) => RequestTrace::from_header(None),
    }
}

/// Remembers the operation just recorded: what the request sends out next (a notice to
/// another organisation) is a call made within it.
fn note(trace_id: TraceId, operation_id: OperationId) {
    let _ = CURRENT.try_with(|s| s.last.set(Some((trace_id, operation_id))));
}

/// The `traceparent` for a message this request sends to another organisation: the
/// Logboek operation that caused it, so the receiver can record it as its foreign
/// operation. `None` outside a request or before any processing was recorded.
pub fn outgoing_traceparent() -> Option<String> {
    CURRENT.try_with(|s| s.last.get()).ok().flatten().map(|(t, o)| TraceParent::header(t, o))
}

/// The URI naming an organisation of a collaboration as the other party of a foreign
/// operation.
pub fn organisation_uri(organisation_id: &str) -> String {
    format!("urn:leefwijk:organisatie:{organisation_id}")
}

/// The Logboek's name for what the gate allowed.
pub fn operation_name(purpose: Purpose, action: Action) -> OperationName {
    match (purpose, action) {
        (Purpose::Reidentification, Action::Read) => OperationName::Reidentification,
        // A statistics read is the delivery to CBS (DDAS): data leaves Leefwijk.
        (Purpose::Statistics, Action::Read) => OperationName::Export,
        (_, Action::Read) => OperationName::Read,
        (_, Action::Write) => OperationName::Write,
    }
}

/// The covenant's code of a purpose, as the audit log and the register write it.
pub fn purpose_code(purpose: Purpose) -> String {
    purpose.code().to_string()
}

/// The register URI of a purpose under a covenant (or the collaboration's duty outside
/// the covenant, such as an AVG access request).
pub fn activity_uri(covenant: Option<&Covenant>, purpose: &str) -> String {
    processing_activity_uri(covenant.map(|c| c.id.as_str()).unwrap_or("leefwijk"), purpose)
}

/// Purposes whose processing of a household or person continues the trace of its
/// signal case.
fn follows_case(purpose: Purpose) -> bool {
    matches!(purpose, Purpose::EarlySignalling | Purpose::Outreach | Purpose::Reidentification)
}

/// What the operation is about: who does it, for which purpose, on whom.
pub struct Processing<'a> {
    pub tenant: &'a str,
    pub organisation: &'a str,
    pub name: OperationName,
    pub purpose: &'a str,
    pub covenant: Option<&'a Covenant>,
    /// The gate's subject: a pseudonym, or a group ("team:…", "batch:…").
    pub subject: &'a str,
    pub start_ms: i64,
}

/// The Logboek operation of one allowed processing, inside the request's trace (or the
/// subject's case trace, see the module documentation).
pub async fn operation(
    tx: &mut StoreTx,
    p: Processing<'_>,
    case_purpose: Option<Purpose>,
) -> Result<Operation, AppError> {
    let request = current()?;
    let subject = is_data_subject(p.subject).then(|| p.subject.to_string());
    let case = match (&subject, case_purpose) {
        (Some(s), Some(purpose)) if follows_case(purpose) => tx.case_trace_of(p.tenant, s).await?,
        _ => None,
    };
    let (trace_id, parent) = match case {
        Some((trace, parent)) => (trace, Some(parent)),
        None => (request.trace_id, None),
    };
    let operation_id = new_operation_id()?;
    note(trace_id, operation_id);
    Ok(Operation {
        tenant: p.tenant.to_string(),
        organisation: p.organisation.to_string(),
        trace_id,
        operation_id,
        parent_operation_id: parent,
        foreign_operation: request.caller.map(|c| ForeignOperation {
            trace_id: c.trace_id,
            operation_id: c.parent_id,
            entity: organisation_uri(p.organisation),
        }),
        name: p.name,
        status: StatusCode::Ok,
        start_ms: p.start_ms,
        end_ms: crate::access::identity::now_ms(),
        processing_activity_id: activity_uri(p.covenant, p.purpose),
        data_subject_id: subject,
        audit_seq: None,
    })
}

/// For processing outside the covenant gate (the residents' parts: a reporter's or
/// proposer's contact details, open survey answers, their retention): appends the audit
/// entry and the Logboek operation it stands for, in the caller's transaction. The
/// activity id uses the installation's prefix (`urn:leefwijk:verwerkingsactiviteit:
/// leefwijk:{purpose}`): these are the municipality's own activities, not the covenant's.
pub(crate) async fn audit_and_log(
    tx: &mut StoreTx,
    key: &[u8],
    entry: leefwijk_domain::access::audit_chain::AuditEntry,
    name: OperationName,
) -> Result<(), AppError> {
    let start_ms = entry.at_ms;
    let (tenant, organisation, purpose, subject) =
        (entry.tenant.clone(), entry.organisation.clone(), entry.purpose.clone(), entry.subject.clone());
    let recorded = tx.append_audit(entry, key).await?;
    let p = Processing {
        tenant: &tenant,
        organisation: &organisation,
        name,
        purpose: &purpose,
        covenant: None,
        subject: &subject,
        start_ms,
    };
    let op = operation(tx, p, None).await?;
    tx.append_processing(&[Operation { audit_seq: Some(recorded.seq), ..op }]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_keeps_its_trace_and_remembers_the_caller() {
        let header = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        let trace = RequestTrace::from_header(Some(header)).expect("trace");
        let seen = in_request(trace, async { current().expect("current") }).await;
        assert_eq!(seen.trace_id, trace.trace_id);
        assert_ne!(seen.trace_id.to_hex(), "0af7651916cd43dd8448eb211c80319c", "the caller's trace is not ours");
        assert_eq!(seen.caller.map(|c| c.parent_id.to_hex()), Some("b7ad6b7169203331".into()));
        // Outside a request every call is a trace of its own.
        assert_ne!(current().expect("a").trace_id, current().expect("b").trace_id);
        // A malformed header is ignored, not refused.
        assert!(RequestTrace::from_header(Some("garbage")).expect("trace").caller.is_none());
    }

    #[tokio::test]
    async fn outgoing_calls_carry_the_last_recorded_operation() {
        assert_eq!(outgoing_traceparent(), None, "outside a request");
        let trace = RequestTrace::from_header(None).expect("trace");
        let header = in_request(trace, async {
            assert_eq!(outgoing_traceparent(), None, "nothing recorded yet");
            note(TraceId([1; 16]), OperationId([2; 8]));
            note(TraceId([3; 16]), OperationId([4; 8]));
            outgoing_traceparent()
        })
        .await;
        assert_eq!(header, Some(TraceParent::header(TraceId([3; 16]), OperationId([4; 8]))));
    }

    #[test]
    fn names_follow_purpose_and_action() {
        assert_eq!(operation_name(Purpose::Reidentification, Action::Read), OperationName::Reidentification);
        assert_eq!(operation_name(Purpose::Outreach, Action::Read), OperationName::Read);
        assert_eq!(operation_name(Purpose::Outreach, Action::Write), OperationName::Write);
    }
}
