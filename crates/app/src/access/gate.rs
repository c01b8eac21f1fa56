//! The gate: the one place that decides every read or write of personal data, from
//! (actor, purpose, data category, subject), against the tenant's covenant. Every
//! decision is written to the audit log; an "allow" comes with the access handle that the
//! storage functions for personal data require, in the same transaction.

use super::keys::KeyRing;
use super::logboek::{self, operation_name, purpose_code, Processing};
use crate::AppError;
use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_domain::access::covenant::{decide, AccessRequest, Action, Covenant, DataCategory, Decision, Purpose};
use leefwijk_domain::access::logboek::{Operation, OperationName};
use leefwijk_domain::signals::SignalKind;
use leefwijk_store::{AccessHandle, ApiClient, SignalAccess, Store, StoreTx, User};

/// Who acts: a signed-in person or a partner system.
#[derive(Debug, Clone)]
pub enum Actor {
    User(User),
    Client(ApiClient),
}

impl Actor {
    pub fn id(&self) -> &str {
        match self {
            Actor::User(u) => &u.id,
            Actor::Client(c) => &c.id,
        }
    }
    pub fn tenant_id(&self) -> &str {
        match self {
            Actor::User(u) => &u.tenant_id,
            Actor::Client(c) => &c.tenant_id,
        }
    }
    pub fn organisation_id(&self) -> &str {
        match self {
            Actor::User(u) => &u.organisation_id,
            Actor::Client(c) => &c.organisation_id,
        }
    }
    pub fn organisation_kind(&self) -> &str {
        match self {
            Actor::User(u) => &u.organisation_kind,
            Actor::Client(c) => &c.organisation_kind,
        }
    }
    /// API clients act in the covenant's role "api_client".
    pub fn role(&self) -> &str {
        match self {
            Actor::User(u) => &u.role,
            Actor::Client(_) => "api_client",
        }
    }
}

/// What the actor wants to do.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub purpose: Purpose,
    pub category: DataCategory,
    pub action: Action,
    /// The pseudonym of the person or household concerned.
    pub subject: &'a str,
    pub consent: bool,
}

fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

/// A refusal, with what is missing, already audited.
#[derive(Debug, Clone)]
pub struct Denied {
    pub decision: Decision,
}

fn entry(actor_tenant: &str, actor: &str, organisation: &str, req: &Request<'_>, decision: &Decision) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at_ms: super::identity::now_ms(),
        tenant: actor_tenant.to_string(),
        actor: actor.to_string(),
        organisation: organisation.to_string(),
        purpose: name(&req.purpose),
        action: name(&req.action),
        category: name(&req.category),
        subject: req.subject.to_string(),
        outcome: if decision.allowed { "allow" } else { "deny" }.to_string(),
        rule: decision.rule.clone(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// The Logboek operation of an allowed request (see [`logboek::operation`]).
async fn processing(
    tx: &mut StoreTx,
    covenant: Option<&Covenant>,
    actor: &Actor,
    req: &Request<'_>,
    name: OperationName,
    start_ms: i64,
) -> Result<Operation, AppError> {
    let purpose = purpose_code(req.purpose);
    let p = Processing {
        tenant: actor.tenant_id(),
        organisation: actor.organisation_id(),
        name,
        purpose: &purpose,
        covenant,
        subject: req.subject,
        start_ms,
    };
    logboek::operation(tx, p, Some(req.purpose)).await
}

fn decide_for(covenant: &Covenant, actor: &Actor, req: &Request<'_>) -> Decision {
    decide(
        covenant,
        &AccessRequest {
            organisation_kind: actor.organisation_kind(),
            role: actor.role(),
            purpose: req.purpose,
            category: req.category,
            action: req.action,
            consent: req.consent,
        },
    )
}

/// Decides and audits. On allow: the open transaction and the handle; the caller does its
/// work and commits, so the change and its audit entry land together. On deny: the
/// denial is committed to the audit log and returned.
pub async fn pass(
    store: &Store,
    keys: &KeyRing,
    covenant: &Covenant,
    actor: &Actor,
    req: &Request<'_>,
) -> Result<Result<(StoreTx, AccessHandle), Denied>, AppError> {
    Ok(pass_all(store, keys, covenant, actor, std::slice::from_ref(req))
        .await?
        .map(|(tx, mut handles)| (tx, handles.remove(0))))
}

/// Commits the audit entry of a refusal and returns it: a denial is on record even though
/// nothing else happens.
async fn refuse(
    mut tx: StoreTx,
    keys: &KeyRing,
    actor: &Actor,
    req: &Request<'_>,
    decision: &Decision,
) -> Result<Denied, AppError> {
    let e = entry(actor.tenant_id(), actor.id(), actor.organisation_id(), req, decision);
    tx.append_audit(e, keys.audit()).await?;
    tx.commit().await?;
    tracing::info!(actor = %actor.id(), purpose = ?req.purpose, category = ?req.category, "access denied by covenant");
    Ok(Denied { decision: decision.clone() })
}

/// Like [`pass`] for several requests that one operation needs together (a batch writes
/// financial data and identities): all are allowed and audited in one transaction, or the
/// first refusal is audited and returned.
pub async fn pass_all(
    store: &Store,
    keys: &KeyRing,
    covenant: &Covenant,
    actor: &Actor,
    reqs: &[Request<'_>],
) -> Result<Result<(StoreTx, Vec<AccessHandle>), Denied>, AppError> {
    let start_ms = super::identity::now_ms();
    let decisions: Vec<Decision> = reqs.iter().map(|r| decide_for(covenant, actor, r)).collect();
    let mut tx = store.begin().await?;
    if let Some((req, decision)) = reqs.iter().zip(&decisions).find(|(_, d)| !d.allowed) {
        return Ok(Err(refuse(tx, keys, actor, req, decision).await?));
    }
    let mut handles = Vec::with_capacity(reqs.len());
    for (req, decision) in reqs.iter().zip(&decisions) {
        let e = entry(actor.tenant_id(), actor.id(), actor.organisation_id(), req, decision);
        // A delivery ("batch:…") is the intake of many subjects' data: its operation is the
        // parent of each signal's intake (see `signals::ingest`).
        let name = if req.subject.starts_with("batch:") {
            OperationName::BatchIntake
        } else {
            operation_name(req.purpose, req.action)
        };
        let op = processing(&mut tx, Some(covenant), actor, req, name, start_ms).await?;
        handles.push(tx.issue_access(e, keys.audit(), op).await?);
    }
    Ok(Ok((tx, handles)))
}

/// For reads across several data categories where each category stands alone (a worklist
/// of signals of several kinds): every allowed request is audited and gets its handle, the
/// refused ones are left out, and the read shows what the allowed ones cover. Only when
/// none is allowed is the first refusal audited and returned. Each handle is returned
/// with the index of its request.
pub async fn pass_allowed(
    store: &Store,
    keys: &KeyRing,
    covenant: &Covenant,
    actor: &Actor,
    reqs: &[Request<'_>],
) -> Result<Result<(StoreTx, Vec<(usize, AccessHandle)>), Denied>, AppError> {
    let start_ms = super::identity::now_ms();
    let decisions: Vec<Decision> = reqs.iter().map(|r| decide_for(covenant, actor, r)).collect();
    let mut tx = store.begin().await?;
    if !decisions.iter().any(|d| d.allowed) {
        let (Some(req), Some(decision)) = (reqs.first(), decisions.first()) else {
            return Err(AppError::Internal("pass_allowed called without requests".into()));
        };
        return Ok(Err(refuse(tx, keys, actor, req, decision).await?));
    }
    let mut handles = Vec::with_capacity(reqs.len());
    for (i, (req, decision)) in reqs.iter().zip(&decisions).enumerate().filter(|(_, (_, d))| d.allowed) {
        let e = entry(actor.tenant_id(), actor.id(), actor.organisation_id(), req, decision);
        let op =
            processing(&mut tx, Some(covenant), actor, req, operation_name(req.purpose, req.action), start_ms).await?;
        handles.push((i, tx.issue_access(e, keys.audit(), op).await?));
    }
    Ok(Ok((tx, handles)))
}

/// Reads signals under every data category the covenant gives a signal kind, as far as
/// the covenant allows this actor (see [`pass_allowed`]): the open transaction and a
/// [`SignalAccess`] covering the kinds of the allowed categories.
pub async fn pass_signal_read(
    store: &Store,
    keys: &KeyRing,
    covenant: &Covenant,
    actor: &Actor,
    purpose: Purpose,
    subject: &str,
) -> Result<Result<(StoreTx, SignalAccess), Denied>, AppError> {
    let categories = covenant.signal_categories();
    let requests: Vec<Request> = categories
        .iter()
        .map(|category| Request { purpose, category: *category, action: Action::Read, subject, consent: false })
        .collect();
    let (tx, handles) = match pass_allowed(store, keys, covenant, actor, &requests).await? {
        Ok(ok) => ok,
        Err(denied) => return Ok(Err(denied)),
    };
    let allowed: Vec<DataCategory> = handles.iter().map(|(i, _)| categories[*i]).collect();
    let kinds: Vec<(String, String)> = covenant
        .signal_kinds_in(&allowed)
        .into_iter()
        .map(|k| (k.code().to_string(), covenant.signal_category(k).code().to_string()))
        .collect();
    let every_kind = kinds.len() == SignalKind::ALL.len();
    Ok(Ok((tx, SignalAccess::new(handles.into_iter().map(|(_, h)| h).collect(), kinds, every_kind))))
}

/// Access by the system itself (the retention job), for a rule of the covenant rather
/// than a person's request: always audited under the actor "system".
pub async fn system_access(
    store: &Store,
    keys: &KeyRing,
    covenant: &Covenant,
    tenant: &str,
    req: &Request<'_>,
    rule: String,
    name: OperationName,
) -> Result<(StoreTx, AccessHandle), AppError> {
    let start_ms = super::identity::now_ms();
    let decision = Decision { allowed: true, rule, missing: None, refusal: None };
    let mut tx = store.begin().await?;
    let purpose = purpose_code(req.purpose);
    let p = Processing {
        tenant,
        organisation: "system",
        name,
        purpose: &purpose,
        covenant: Some(covenant),
        subject: req.subject,
        start_ms,
    };
    let op = logboek::operation(&mut tx, p, None).await?;
    let handle = tx.issue_access(entry(tenant, "system", "system", req, &decision), keys.audit(), op).await?;
    Ok((tx, handle))
}
