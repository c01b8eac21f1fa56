//! Own data (AVG inzage, art. 15 GDPR): a resident asks what is recorded about them; the
//! privacy officer handles the request in the application; the answer is an export of
//! everything held under the person's pseudonyms; every step is in the audit log.
//!
//! What is kept of a request, and why:
//! - No BSN. At intake the BSN is checked (elfproef) and turned at once into the person's
//!   pseudonym under each purpose key that stores persons (early signalling, involvement
//!   index, housing placement): exactly what the export needs, and nothing that would let
//!   the database alone identify the person. To verify identity at the desk, the officer
//!   may type the BSN from the ID document; it is compared by pseudonym and not kept.
//! - Name and answer address (e-mail or postal) sealed with the collaboration's vault key:
//!   the officer needs them to answer; opening them is audited.
//! - Nothing of the request is ever logged (tracing); the audit log holds pseudonyms only.
//!
//! The covenant has no purpose for a data subject's own access (it is not an exchange
//! between partners but the controller's duty under art. 15), so the gate's `decide` does
//! not apply. Instead every step and every read is written to the audit log explicitly,
//! under the purpose `data_subject_access`, by the privacy officer (role
//! `privacy_officer`) of the collaboration only.

use crate::access::vault::{open, seal};
use crate::{App, AppError};
use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_domain::access::bsn::Bsn;
use leefwijk_domain::access::covenant::Purpose;
use leefwijk_domain::access::logboek::OperationName;
use leefwijk_domain::calendar::Date;
use leefwijk_store::{AccessRequestRecord, OwnDataKeys, StoreTx, User};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The audit purpose of everything done for an access request.
pub const AUDIT_PURPOSE: &str = "data_subject_access";
const MAX_NAME: usize = 200;
const MAX_ADDRESS: usize = 500;
const MAX_NOTE: usize = 2000;

/// `[residents.inzage]`: the answer term in months (art. 12(3) GDPR: one month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InzageConfig {
    pub term_months: u32,
    /// Days after an answer or refusal that the requester's name, reply address and
    /// pseudonyms are kept (for questions about the answer); then retention clears them.
    pub contact_retention_days: u32,
}

impl Default for InzageConfig {
    fn default() -> Self {
        InzageConfig { term_months: 1, contact_retention_days: 365 }
    }
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::BadRequest(m.into())
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// The legal deadline: the same day `months` later, or the last day of that month when it
/// is shorter (received 31 January → 28/29 February), as art. 12(3) is usually read.
pub fn due_date(received: Date, months: u32) -> Date {
    let total = received.month - 1 + months;
    let year = received.year + (total / 12) as i32;
    let month = total % 12 + 1;
    let mut day = received.day;
    loop {
        if let Ok(d) = Date::new(year, month, day) {
            return d;
        }
        day -= 1;
    }
}

/// The request form as filled in.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewAccessRequest {
    /// The collaboration asked (see the form's list); may be empty when there is one.
    #[serde(default)]
    pub tenant: String,
    pub bsn: String,
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub postal_address: String,
}

/// A field the form must show a message next to.
pub use super::panels::FieldError;

fn field(f: &str, m: impl Into<String>) -> FieldError {
    FieldError { field: f.to_string(), message: m.into() }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Contact {
    name: String,
    email: String,
    postal_address: String,
}

/// What the resident gets back: the reference and the deadline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    pub reference: String,
    pub received_on: String,
    pub due_on: String,
}

pub(crate) fn pseudonyms(app: &App, tenant: &str, bsn: &Bsn) -> Result<BTreeMap<String, String>, AppError> {
    let mut out = BTreeMap::new();
    for (name, purpose) in [
        ("early_signalling", Purpose::EarlySignalling),
        ("involvement_index", Purpose::InvolvementIndex),
        ("housing_placement", Purpose::HousingPlacement),
    ] {
        out.insert(name.to_string(), app.keys.pseudonym_key(tenant, purpose).map_err(internal)?.person(bsn));
    }
    Ok(out)
}

fn audit_entry(
    tenant: &str,
    actor: &str,
    organisation: &str,
    action: &str,
    category: &str,
    subject: &str,
    rule: String,
) -> AuditEntry {
    super::allowed(super::AuditBy { tenant, actor, organisation }, AUDIT_PURPOSE, action, category, subject, rule)
}

async fn pick_tenant(app: &App, asked: &str) -> Result<Option<String>, AppError> {
    let all = app.store.collaborations_for_requests().await?;
    let asked = asked.trim();
    if asked.is_empty() {
        return Ok(if all.len() == 1 { all.first().map(|t| t.0.clone()) } else { None });
    }
    Ok(all.into_iter().find(|(id, _)| id == asked).map(|(id, _)| id))
}

/// The collaborations a resident can choose from on the form: (id, name).
pub async fn collaborations(app: &App) -> Result<Vec<(String, String)>, AppError> {
    Ok(app.store.collaborations_for_requests().await?)
}

/// Receives a request from the public form. Field errors come back for the form.
pub async fn submit(app: &App, input: &NewAccessRequest) -> Result<Result<Receipt, Vec<FieldError>>, AppError> {
    let mut errors = Vec::new();
    let tenant = pick_tenant(app, &input.tenant).await?;
    if tenant.is_none() {
        errors.push(field("tenant", "choose the organisation your request is for"));
    }
    let bsn = match Bsn::parse(&input.bsn) {
        Ok(b) => Some(b),
        Err(e) => {
            errors.push(field("bsn", e.to_string()));
            None
        }
    };
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        errors.push(field("name", format!("fill in your name (at most {MAX_NAME} characters)")));
    }
    let email = input.email.trim();
    let postal = input.postal_address.trim();
    if !email.is_empty()
        && (email.len() > 254 || !email.contains('@') || email.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        errors.push(field("email", "this is not an e-mail address such as naam@voorbeeld.nl"));
    }
    if postal.chars().count() > MAX_ADDRESS {
        errors.push(field("postal_address", format!("at most {MAX_ADDRESS} characters")));
    }
    if email.is_empty() && postal.is_empty() {
        errors.push(field("email", "give an e-mail address or a postal address for the answer"));
    }
    let (Some(tenant), Some(bsn), true) = (tenant, bsn, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let pseudonyms = pseudonyms(app, &tenant, &bsn)?;
    let subject = pseudonyms.get("early_signalling").cloned().unwrap_or_default();
    let contact = Contact { name: name.to_string(), email: email.to_string(), postal_address: postal.to_string() };
    let sealed =
        seal(&app.keys.vault_key(&tenant).map_err(internal)?, &serde_json::to_string(&contact).map_err(internal)?)?;
    let today = app.signals.today();
    let due = due_date(today, app.residents.inzage.term_months);
    let now = crate::access::identity::now_ms();
    let record = AccessRequestRecord {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: tenant.clone(),
        received_at: now,
        received_on: today.to_string(),
        due_on: due.to_string(),
        pseudonyms: serde_json::to_string(&pseudonyms).map_err(internal)?,
        sealed_contact: sealed,
        status: "received".into(),
        identity_note: None,
        refusal_reason: None,
        closed_on: None,
        updated_at: now,
    };
    let mut tx = app.store.begin().await?;
    let rule = format!("AVG art. 15: verzoek om inzage {} ontvangen via het openbare formulier", record.id);
    crate::access::logboek::audit_and_log(
        &mut tx,
        app.keys.audit(),
        audit_entry(&tenant, "resident", "public", "write", "access_request", &subject, rule),
        OperationName::Write,
    )
    .await?;
    tx.add_access_request(&record).await?;
    tx.commit().await?;
    if !email.is_empty() {
        let body = format!(
            "Wij hebben uw verzoek om inzage ontvangen op {today}. Kenmerk: {}. U krijgt uiterlijk {due} antwoord. \
             Om uw identiteit vast te stellen neemt de functionaris gegevensbescherming contact met u op.",
            record.id
        );
        app.mail.send_to_address(email, "Uw verzoek om inzage (AVG)", &body)?;
    }
    Ok(Ok(Receipt { reference: record.id, received_on: today.to_string(), due_on: due.to_string() }))
}

fn officer(user: &User) -> Result<(), AppError> {
    if user.role == "privacy_officer" {
        Ok(())
    } else {
        Err(AppError::Forbidden("only the privacy officer handles requests for access".into()))
    }
}

async fn owned(app: &App, user: &User, id: &str) -> Result<AccessRequestRecord, AppError> {
    officer(user)?;
    app.store
        .access_request(id)
        .await?
        .filter(|r| r.tenant_id == user.tenant_id)
        .ok_or_else(|| AppError::NotFound(format!("access request {id}")))
}

fn keys_of(r: &AccessRequestRecord) -> Result<OwnDataKeys, AppError> {
    let map: BTreeMap<String, String> = serde_json::from_str(&r.pseudonyms).map_err(internal)?;
    Ok(OwnDataKeys {
        signals_person: map.get("early_signalling").cloned(),
        involvement_person: map.get("involvement_index").cloned(),
        housing_person: map.get("housing_placement").cloned(),
    })
}

fn subject_of(r: &AccessRequestRecord) -> Result<String, AppError> {
    Ok(keys_of(r)?.signals_person.unwrap_or_default())
}

/// A request in the officer's list: no personal data, only dates and status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestRow {
    pub id: String,
    pub received_on: String,
    pub due_on: String,
    pub status: String,
    pub closed_on: Option<String>,
    /// Past the legal deadline and not answered or refused.
    pub overdue: bool,
    pub days_left: i64,
}

fn is_closed(status: &str) -> bool {
    matches!(status, "answered" | "refused")
}

fn row(r: &AccessRequestRecord, today: Date) -> RequestRow {
    let due = Date::parse(&r.due_on).unwrap_or(today);
    let days_left = due.days_since_epoch() - today.days_since_epoch();
    RequestRow {
        id: r.id.clone(),
        received_on: r.received_on.clone(),
        due_on: r.due_on.clone(),
        status: r.status.clone(),
        closed_on: r.closed_on.clone(),
        overdue: !is_closed(&r.status) && days_left < 0,
        days_left,
    }
}

/// The collaboration's requests, open ones first by deadline.
pub async fn list(app: &App, user: &User) -> Result<Vec<RequestRow>, AppError> {
    officer(user)?;
    let today = app.signals.today();
    Ok(app.store.access_requests(&user.tenant_id).await?.iter().map(|r| row(r, today)).collect())
}

/// A step of the handling, as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub at_ms: i64,
    pub step: String,
    pub note: String,
    pub actor_id: String,
}

/// One request for the officer: the contact details (opened from the vault; audited).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestDetail {
    pub row: RequestRow,
    pub name: String,
    pub email: String,
    pub postal_address: String,
    pub identity_note: Option<String>,
    pub refusal_reason: Option<String>,
    pub steps: Vec<StepView>,
}

/// Opens a request; reading the name and address is audited.
pub async fn detail(app: &App, user: &User, id: &str) -> Result<RequestDetail, AppError> {
    let r = owned(app, user, id).await?;
    let contact = if r.sealed_contact.is_empty() {
        // Cleared by retention: nothing personal is left to read (or to audit).
        let gone = "(verwijderd na de bewaartermijn / removed after the retention term)".to_string();
        Contact { name: gone.clone(), email: gone.clone(), postal_address: gone }
    } else {
        let mut tx = app.store.begin().await?;
        let rule = format!("AVG art. 12 en 15: contactgegevens van verzoek {} geopend om te antwoorden", r.id);
        crate::access::logboek::audit_and_log(
            &mut tx,
            app.keys.audit(),
            audit_entry(&user.tenant_id, &user.id, &user.organisation_id, "read", "contact", &subject_of(&r)?, rule),
            OperationName::Read,
        )
        .await?;
        tx.commit().await?;
        serde_json::from_str(&open(&app.keys.vault_key(&r.tenant_id).map_err(internal)?, &r.sealed_contact)?)
            .map_err(internal)?
    };
    let steps = app
        .store
        .access_request_steps(&r.id)
        .await?
        .into_iter()
        .map(|s| StepView { at_ms: s.at_ms, step: s.step, note: s.note, actor_id: s.actor_id })
        .collect();
    Ok(RequestDetail {
        row: row(&r, app.signals.today()),
        name: contact.name,
        email: contact.email,
        postal_address: contact.postal_address,
        identity_note: r.identity_note.clone(),
        refusal_reason: r.refusal_reason.clone(),
        steps,
    })
}

/// A step the officer takes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// "verify_identity", "export", "answer", "refuse" or "extend" (the term, once, by two
    /// months).
    pub step: String,
    /// How identity was verified, how the answer was sent, or why the request is refused.
    #[serde(default)]
    pub note: String,
    /// Optional, with "verify_identity": the BSN on the ID document, compared with the
    /// request by pseudonym and not kept.
    #[serde(default)]
    pub bsn_on_id: String,
}

/// How many months art. 12(3) GDPR allows the term to be extended by.
pub const EXTENSION_MONTHS: u32 = 2;

/// Extends the term once by two months (art. 12(3) GDPR: where necessary, given the
/// complexity and number of requests; the resident must be told, with the reasons, within
/// the first term). Only before the original due date, with the reason as the note.
async fn extend(app: &App, user: &User, r: &AccessRequestRecord, note: &str) -> Result<String, AppError> {
    if note.is_empty() {
        return Err(bad("note: give the reason for the extension; the resident must be told it within the first term"));
    }
    if is_closed(&r.status) {
        return Err(AppError::Conflict(format!("a request with status '{}' is closed", r.status)));
    }
    let steps = app.store.access_request_steps(&r.id).await?;
    if steps.iter().any(|s| s.step == "extend") {
        return Err(AppError::Conflict("the term was already extended once; it cannot be extended again".into()));
    }
    let today = app.signals.today();
    let due = Date::parse(&r.due_on).map_err(|e| AppError::Internal(format!("stored due date: {e}")))?;
    if today > due {
        return Err(AppError::Conflict(format!(
            "the term ended on {due}: an extension must be decided and told to the resident within the first term"
        )));
    }
    let received = Date::parse(&r.received_on).map_err(|e| AppError::Internal(format!("stored date: {e}")))?;
    let new_due = due_date(received, app.residents.inzage.term_months + EXTENSION_MONTHS);
    let mut tx = app.store.begin().await?;
    let rule = format!("AVG art. 12 lid 3: termijn van verzoek {} verlengd tot {new_due}", r.id);
    tx.append_audit(
        audit_entry(&user.tenant_id, &user.id, &user.organisation_id, "write", "access_request", &subject_of(r)?, rule),
        app.keys.audit(),
    )
    .await?;
    let now = crate::access::identity::now_ms();
    if !tx.extend_access_request(&r.id, &r.status, &new_due.to_string(), note, &user.id, now).await? {
        tx.rollback().await?;
        return Err(AppError::Conflict("the request changed meanwhile; reload and try again".into()));
    }
    tx.commit().await?;
    Ok(r.status.clone())
}

/// Takes a step; returns the new status.
pub async fn step(app: &App, user: &User, id: &str, input: &StepInput) -> Result<String, AppError> {
    let r = owned(app, user, id).await?;
    let note = input.note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(bad(format!("note: at most {MAX_NOTE} characters")));
    }
    if input.step.trim() == "extend" {
        return extend(app, user, &r, note).await;
    }
    let (from, to): (&[&str], &str) = match input.step.trim() {
        "verify_identity" => {
            if note.is_empty() {
                return Err(bad("note: say how identity was verified, e.g. 'ID-kaart gezien aan de balie'"));
            }
            if !input.bsn_on_id.trim().is_empty() {
                let bsn = Bsn::parse(&input.bsn_on_id).map_err(|e| bad(format!("bsn_on_id: {e}")))?;
                let p = pseudonyms(app, &r.tenant_id, &bsn)?;
                if p.get("early_signalling").map(String::as_str) != keys_of(&r)?.signals_person.as_deref() {
                    return Err(bad("bsn_on_id: the BSN on the ID document is not the BSN of the request"));
                }
            }
            (&["received"], "identity_verified")
        }
        "export" => (&["identity_verified", "export_ready"], "export_ready"),
        "answer" => (&["export_ready"], "answered"),
        "refuse" => {
            if note.is_empty() {
                return Err(bad("note: give the reason for refusing (art. 12(4) GDPR: the resident may complain to the Autoriteit Persoonsgegevens)"));
            }
            (&["received", "identity_verified", "export_ready"], "refused")
        }
        _ => return Err(bad("step: choose verify_identity, export, answer, refuse or extend")),
    };
    if !from.contains(&r.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "a request with status '{}' cannot take the step '{}'",
            r.status,
            input.step.trim()
        )));
    }
    let mut tx = app.store.begin().await?;
    if to == "export_ready" {
        // Generating the export is a read of everything held: audited by `gather`.
        gather(app, user, &r, &mut tx).await?;
    }
    let rule = format!("AVG art. 12 en 15: verzoek {} stap '{}' ({})", r.id, input.step.trim(), to);
    tx.append_audit(
        audit_entry(
            &user.tenant_id,
            &user.id,
            &user.organisation_id,
            "write",
            "access_request",
            &subject_of(&r)?,
            rule,
        ),
        app.keys.audit(),
    )
    .await?;
    let today = app.signals.today().to_string();
    let now = crate::access::identity::now_ms();
    if !tx.access_request_step(&r.id, from, to, input.step.trim(), note, &user.id, &today, now).await? {
        tx.rollback().await?;
        return Err(AppError::Conflict("the request changed meanwhile; reload and try again".into()));
    }
    tx.commit().await?;
    Ok(to.to_string())
}

/// Everything held about the person, as handed to them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnDataExport {
    pub request_id: String,
    pub collaboration: String,
    pub received_on: String,
    pub generated_on: String,
    /// What each section is and where it comes from, in Dutch.
    pub explanation: Vec<(String, String)>,
    #[schema(value_type = Vec<Object>)]
    pub signals: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub signal_cases: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub contact_attempts: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub case_events: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub involvements: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub consents: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub joint_plans: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub plan_items: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub zrm_assessments: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub placements: Vec<serde_json::Value>,
    /// Who looked at or changed their data, when and for what purpose.
    #[schema(value_type = Vec<Object>)]
    pub audit_entries: Vec<serde_json::Value>,
    /// Every processing of their data in the Logboek Dataverwerkingen: which
    /// organisation, when, for which purpose, in which trace.
    pub processing_log: Vec<crate::access::history::HistoryLine>,
}

/// The sections of the export with their Dutch explanation, in order.
pub const SECTIONS: &[(&str, &str)] = &[
    ("signals", "Signalen over betalingsachterstanden die partners (woningcorporatie, energie, water, zorgverzekeraar) over u of uw adres doorgaven (vroegsignalering, Wgs art. 3a)."),
    ("signal_cases", "Dossiers van het wijkteam naar aanleiding van die signalen."),
    ("contact_attempts", "Pogingen van het wijkteam om contact met u te leggen."),
    ("case_events", "Wat er verder met het dossier gebeurde (toewijzing, uitkomst)."),
    ("involvements", "Organisaties die hebben vastgelegd dat zij bij u betrokken zijn (nooit waarom)."),
    ("consents", "Toestemmingen die u gaf, en wanneer u ze introk."),
    ("joint_plans", "Gezamenlijke plannen (1 huishouden, 1 plan) waarin u deelnemer bent."),
    ("plan_items", "Doelen, acties en evaluaties in die plannen."),
    ("zrm_assessments", "Zelfredzaamheidsmetingen (ZRM) in die plannen."),
    ("placements", "Plaatsingen in een woning met begeleiding."),
    ("audit_entries", "Wie uw gegevens inzag of wijzigde, wanneer en met welk doel (auditlog)."),
    ("processing_log", "Elke verwerking van uw gegevens: welke organisatie, wanneer, met welk doel en in welke handeling (Logboek Dataverwerkingen)."),
];

async fn gather(
    app: &App,
    user: &User,
    r: &AccessRequestRecord,
    tx: &mut StoreTx,
) -> Result<(leefwijk_store::OwnDataRows, Vec<String>), AppError> {
    let keys = keys_of(r)?;
    let start_ms = crate::access::identity::now_ms();
    let mut handles = Vec::new();
    for subject in [&keys.signals_person, &keys.involvement_person, &keys.housing_person].into_iter().flatten() {
        let rule = format!(
            "AVG art. 15: inzage door de betrokkene; export voor verzoek {} door de functionaris gegevensbescherming",
            r.id
        );
        let entry = audit_entry(&user.tenant_id, &user.id, &user.organisation_id, "read", "own_data", subject, rule);
        let p = crate::access::logboek::Processing {
            tenant: &user.tenant_id,
            organisation: &user.organisation_id,
            name: OperationName::Export,
            purpose: AUDIT_PURPOSE,
            covenant: None,
            subject,
            start_ms,
        };
        let op = crate::access::logboek::operation(tx, p, None).await?;
        handles.push(tx.issue_access(entry, app.keys.audit(), op).await?);
    }
    let rows = tx.own_data(&handles, &r.tenant_id, &keys).await?;
    let persons: Vec<String> =
        [&keys.signals_person, &keys.involvement_person, &keys.housing_person].into_iter().flatten().cloned().collect();
    let subjects = crate::access::history::subjects_of(tx, &handles, &r.tenant_id, &persons).await?;
    Ok((rows, subjects))
}

/// The export (JSON and printable page). Only after identity is verified; every export
/// read is audited under each of the person's pseudonyms.
pub async fn export(app: &App, user: &User, id: &str) -> Result<OwnDataExport, AppError> {
    let r = owned(app, user, id).await?;
    if !matches!(r.status.as_str(), "identity_verified" | "export_ready" | "answered") {
        return Err(AppError::Conflict(
            "verify the requester's identity first: the export is personal data and goes only to the person".into(),
        ));
    }
    let mut tx = app.store.begin().await?;
    let (rows, subjects) = gather(app, user, &r, &mut tx).await?;
    tx.commit().await?;
    let ops = crate::access::history::operations_on(app, &r.tenant_id, &subjects).await?;
    let processing_log = crate::access::history::lines(app, &r.tenant_id, ops).await?;
    let name = app.store.tenant(&r.tenant_id).await?.map(|t| t.name).unwrap_or_default();
    Ok(OwnDataExport {
        request_id: r.id,
        collaboration: name,
        received_on: r.received_on,
        generated_on: app.signals.today().to_string(),
        explanation: SECTIONS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        signals: rows.signals,
        signal_cases: rows.signal_cases,
        contact_attempts: rows.contact_attempts,
        case_events: rows.case_events,
        involvements: rows.involvements,
        consents: rows.consents,
        joint_plans: rows.joint_plans,
        plan_items: rows.plan_items,
        zrm_assessments: rows.zrm_assessments,
        placements: rows.placements,
        audit_entries: rows.audit_entries,
        processing_log,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    #[test]
    fn the_deadline_is_one_month_clamped_to_the_month_end() {
        assert_eq!(due_date(d("2026-11-24"), 1), d("2026-12-24"));
        assert_eq!(due_date(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(due_date(d("2028-01-31"), 1), d("2028-02-29"));
        assert_eq!(due_date(d("2026-12-15"), 1), d("2027-01-15"));
        assert_eq!(due_date(d("2026-12-15"), 3), d("2027-03-15"));
    }
}
