//! Households with stacked problems (issue 5): the involvement index (register only *that*
//! an organisation is involved, never why), match notices between the involved, choosing
//! one coordinator with escalation to the municipality, consent per member, purpose and
//! organisation, and the joint plan with goals, actions, reviews and ZRM assessments.
//! Everything about a person passes the gate; plan content also needs involvement and
//! consent.

pub mod notify;

use crate::access::gate::{pass, Actor, Denied, Request};
use crate::{App, AppError};
use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_domain::access::bsn::Bsn;
use leefwijk_domain::access::covenant::{Action, Covenant, DataCategory, Decision, Purpose};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::households::involvement;
use leefwijk_domain::households::zrm::{Assessment, Level, LifeDomain};
use leefwijk_domain::signals::intake::Postcode;
use leefwijk_store::{
    AssessmentRecord, ConsentRecord, InvolvementRecord, MatchRecord, PlanItemRecord, PlanRecordJoint, User,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Working days after a match within which the involved must agree on a coordinator.
pub const ESCALATION_WORKING_DAYS: u32 = involvement::DEFAULT_ESCALATION_WORKING_DAYS;

fn now() -> i64 {
    crate::access::identity::now_ms()
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::BadRequest(m.into())
}

fn date(field: &str, s: &str) -> Result<Date, AppError> {
    Date::parse(s).map_err(|_| bad(format!("{field}: a date such as 2026-11-23")))
}

fn opt_date(field: &str, s: &Option<String>) -> Result<Option<Date>, AppError> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => date(field, v).map(Some),
    }
}

fn key_error(e: crate::access::keys::KeyError) -> AppError {
    AppError::Internal(e.to_string())
}

/// The pseudonym of a person in the households capability.
pub fn person(app: &App, tenant: &str, raw_bsn: &str, field: &str) -> Result<String, AppError> {
    let bsn = Bsn::parse(raw_bsn).map_err(|e| bad(format!("{field}: {e}")))?;
    Ok(app.keys.pseudonym_key(tenant, Purpose::InvolvementIndex).map_err(key_error)?.person(&bsn))
}

/// A registration as entered: nothing about the reason.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewInvolvement {
    /// BSN of the person: pseudonymised at once.
    pub bsn: String,
    /// Address of the household (optional): links household members.
    pub postcode: Option<String>,
    pub house_number: Option<u32>,
    pub house_number_addition: Option<String>,
    /// BSN of a parent (optional): links a child to its parent.
    pub parent_bsn: Option<String>,
    pub start_on: String,
    pub expected_end_on: Option<String>,
    /// Date of birth when the person is under 23 (youth regime); only the date they turn 23
    /// is kept.
    pub birth_date: Option<String>,
    /// Youth regime: the date parents and the young person were informed …
    pub informed_on: Option<String>,
    /// … or the reason and end of a deferral.
    pub deferral_reason: Option<String>,
    pub deferral_until: Option<String>,
}

/// The end of a registration: the organisation is no longer involved, or the person died.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EndInvolvement {
    /// BSN of the person: pseudonymised at once, as at registration.
    pub bsn: String,
    /// The last day of involvement (not in the future).
    pub ended_on: String,
    /// The person died on `ended_on`: recorded, so a youth registration ends with it.
    #[serde(default)]
    pub deceased: bool,
}

/// What ending did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ended {
    /// Running registrations of the organisation for this person that were ended.
    pub ended: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = InvolvementRegistered)]
pub struct Registered {
    pub involvement_id: String,
    /// The match this registration made or joined, with the organisations involved.
    pub match_id: Option<String>,
    pub organisations: Vec<String>,
}

fn audit_deny(tenant: &str, actor: &Actor, purpose: &str, category: &str, subject: &str, rule: &str) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at_ms: now(),
        tenant: tenant.into(),
        actor: actor.id().into(),
        organisation: actor.organisation_id().into(),
        purpose: purpose.into(),
        action: "read".into(),
        category: category.into(),
        subject: subject.into(),
        outcome: "deny".into(),
        rule: rule.into(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// A refusal outside the covenant's own rules (such as "not involved"), audited like the
/// gate's refusals.
async fn refuse(app: &App, actor: &Actor, subject: &str, rule: &str, missing: &str) -> Result<Denied, AppError> {
    let mut tx = app.store.begin().await?;
    tx.append_audit(
        audit_deny(actor.tenant_id(), actor, "joint_plan", "case_content", subject, rule),
        app.keys.audit(),
    )
    .await?;
    tx.commit().await?;
    Ok(Denied {
        decision: Decision {
            allowed: false,
            rule: rule.into(),
            missing: Some(missing.into()),
            refusal: Some(leefwijk_domain::access::covenant::Refusal::NotInvolved),
        },
    })
}

/// The record as the domain's involvement, for its youth-regime and activity rules.
pub fn as_domain(i: &InvolvementRecord) -> Option<involvement::Involvement> {
    let d = |s: &Option<String>| s.as_deref().and_then(|v| Date::parse(v).ok());
    let informed = match (d(&i.informed_on), &i.deferral_reason, d(&i.deferral_until)) {
        (Some(on), _, _) => involvement::Informing::Informed { on },
        (None, Some(reason), Some(until)) => involvement::Informing::Deferred { reason: reason.clone(), until },
        _ => involvement::Informing::Pending,
    };
    Some(involvement::Involvement {
        id: i.id.clone(),
        subject: i.subject.clone(),
        organisation: i.organisation_id.clone(),
        start: Date::parse(&i.start_on).ok()?,
        expected_end: d(&i.expected_end_on),
        youth: d(&i.turns_23_on).map(|turns_23_on| involvement::YouthRegime {
            turns_23_on,
            deceased_on: d(&i.deceased_on),
            informed,
        }),
        ended: d(&i.ended_on),
    })
}

fn is_active(i: &InvolvementRecord, today: Date) -> bool {
    as_domain(i).is_some_and(|inv| involvement::is_active(&inv, today))
}

/// Youth regime: a registration of someone under 23 ends after at most two years, at 23,
/// or at death, whichever comes first.
pub fn expiry(i: &InvolvementRecord) -> Option<String> {
    as_domain(i).and_then(|inv| involvement::expires_on(&inv)).map(|d| d.to_string())
}

/// Passes the gate for the involvement index (only *that* an organisation is involved) for
/// the signed-in professional: registering, ending and looking up registrations.
async fn pass_index(
    app: &App,
    covenant: &Covenant,
    user: &User,
    subject: &str,
    action: Action,
) -> Result<Result<(leefwijk_store::StoreTx, leefwijk_store::AccessHandle), Denied>, AppError> {
    let request = Request {
        purpose: Purpose::InvolvementIndex,
        category: DataCategory::InvolvementOnly,
        action,
        subject,
        consent: false,
    };
    pass(&app.store, &app.keys, covenant, &Actor::User(user.clone()), &request).await
}

/// Ends the user's organisation's running registrations of a person: the index must show
/// only who is involved now, so a finished involvement leaves it (and no longer makes
/// matches). Through the gate like registering; audited there.
pub async fn end_involvement(
    app: &App,
    covenant: &Covenant,
    user: &User,
    input: &EndInvolvement,
) -> Result<Result<Ended, Denied>, AppError> {
    let tenant = user.tenant_id.clone();
    let subject = person(app, &tenant, &input.bsn, "bsn")?;
    let ended_on = date("ended_on", &input.ended_on)?;
    if ended_on > app.signals.today() {
        return Err(bad("ended_on: niet in de toekomst / not in the future"));
    }
    let (mut tx, handle) = match pass_index(app, covenant, user, &subject, Action::Write).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let day = ended_on.to_string();
    let deceased = input.deceased.then_some(day.as_str());
    let ended = tx.end_involvements(&handle, &tenant, &subject, &user.organisation_id, &day, deceased).await?;
    if ended == 0 {
        tx.rollback().await?;
        return Err(AppError::NotFound(
            "bsn: uw organisatie heeft geen lopende registratie voor deze persoon die op of voor deze datum begon / \
             your organisation has no running registration for this person that started on or before this date"
                .into(),
        ));
    }
    tx.commit().await?;
    Ok(Ok(Ended { ended }))
}

pub async fn register(
    app: &App,
    covenant: &Covenant,
    user: &User,
    input: &NewInvolvement,
) -> Result<Result<Registered, Denied>, AppError> {
    let tenant = user.tenant_id.clone();
    let today = app.signals.today();
    let subject = person(app, &tenant, &input.bsn, "bsn")?;
    let parent = match input.parent_bsn.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(b) => Some(person(app, &tenant, b, "parent_bsn")?),
        None => None,
    };
    let key = app.keys.pseudonym_key(&tenant, Purpose::InvolvementIndex).map_err(key_error)?;
    let household = match (&input.postcode, input.house_number) {
        (Some(pc), Some(n)) if !pc.trim().is_empty() => {
            let pc = Postcode::parse(pc).map_err(|e| bad(format!("postcode: {e}")))?;
            let addition = input.house_number_addition.as_deref().unwrap_or("").trim().to_ascii_lowercase();
            Some(key.household(&format!("{}|{n}|{addition}", pc.as_str())))
        }
        _ => None,
    };
    let start = date("start_on", &input.start_on)?;
    if start > today {
        return Err(bad("start_on: not in the future"));
    }
    let expected_end = opt_date("expected_end_on", &input.expected_end_on)?;
    if expected_end.is_some_and(|e| e < start) {
        return Err(bad("expected_end_on: not before the start"));
    }
    let turns_23 = match opt_date("birth_date", &input.birth_date)? {
        Some(b) => {
            let t = involvement::turns_23_on(b);
            (t > start).then(|| t.to_string())
        }
        None => None,
    };
    let informed = opt_date("informed_on", &input.informed_on)?;
    let deferral_reason = input.deferral_reason.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let deferral_until = opt_date("deferral_until", &input.deferral_until)?;
    if deferral_until.is_some() && deferral_reason.is_none() {
        return Err(bad("deferral_reason: a deferral of informing needs a reason"));
    }
    let (mut tx, handle) = match pass_index(app, covenant, user, &subject, Action::Write).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let related = tx.related_involvements(&handle, &tenant, &subject, household.as_deref(), parent.as_deref()).await?;
    let record = InvolvementRecord {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: tenant.clone(),
        subject: subject.clone(),
        household_key: household,
        parent_subject: parent,
        organisation_id: user.organisation_id.clone(),
        professional_id: user.id.clone(),
        start_on: start.to_string(),
        expected_end_on: expected_end.map(|d| d.to_string()),
        turns_23_on: turns_23,
        deceased_on: None,
        informed_on: informed.map(|d| d.to_string()),
        deferral_reason,
        deferral_until: deferral_until.map(|d| d.to_string()),
        ended_on: None,
        match_id: None,
        created_at: now(),
    };
    tx.add_involvement(&handle, &record).await?;
    // A match: active registrations of other organisations for the person, the household or
    // a parent or child.
    let others: Vec<&InvolvementRecord> =
        related.iter().filter(|i| i.organisation_id != user.organisation_id && is_active(i, today)).collect();
    let mut match_id = None;
    let mut organisations = Vec::new();
    if !others.is_empty() {
        let id = others.iter().find_map(|i| i.match_id.clone()).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let mut ids: Vec<String> = others.iter().filter(|i| i.match_id.is_none()).map(|i| i.id.clone()).collect();
        ids.push(record.id.clone());
        if others.iter().any(|i| i.match_id.as_deref() == Some(id.as_str())) {
            tx.create_match_links(&tenant, &id, &ids).await?;
        } else {
            let area = app.store.user_area(&user.id).await.ok().flatten();
            tx.create_match(
                &tenant,
                &MatchRecord {
                    id: id.clone(),
                    tenant_id: tenant.clone(),
                    matched_on: today.to_string(),
                    area_code: area,
                    coordinator_org: None,
                    coordinator_user: None,
                    escalated_on: None,
                },
                &ids,
                now(),
            )
            .await?;
        }
        match_id = Some(id);
    }
    tx.commit().await?;
    if let Some(id) = &match_id {
        organisations = app.store.match_organisations(id).await?;
        notify::match_made(app, &tenant, id, &organisations).await?;
    }
    Ok(Ok(Registered { involvement_id: record.id, match_id, organisations }))
}

/// A registration as shown in the history: organisations and dates, never a reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryLine {
    pub organisation_id: String,
    pub start_on: String,
    pub expected_end_on: Option<String>,
    /// When the registration lapses (youth regime: two years, age 23 or death).
    pub expires_on: Option<String>,
    pub ended_on: Option<String>,
    pub in_match: bool,
    /// Youth regime: whether informing the parents and the young person is still open.
    pub informing_due: bool,
}

/// The registration history of a person. Looking at it is itself audited, allowed or not.
pub async fn history(
    app: &App,
    covenant: &Covenant,
    user: &User,
    raw_bsn: &str,
) -> Result<Result<Vec<HistoryLine>, Denied>, AppError> {
    let subject = person(app, &user.tenant_id, raw_bsn, "bsn")?;
    let (mut tx, handle) = match pass_index(app, covenant, user, &subject, Action::Read).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let rows = tx.involvement_history(&handle, &user.tenant_id, &subject).await?;
    tx.commit().await?;
    let today = app.signals.today();
    Ok(Ok(rows
        .iter()
        .map(|i| HistoryLine {
            organisation_id: i.organisation_id.clone(),
            start_on: i.start_on.clone(),
            expected_end_on: i.expected_end_on.clone(),
            expires_on: expiry(i),
            ended_on: i.ended_on.clone(),
            in_match: i.match_id.is_some(),
            informing_due: as_domain(i).is_some_and(|inv| involvement::informing_due(&inv, today)),
        })
        .collect()))
}

/// The organisation of `user` becomes coordinator (regisseur) of a match it is part of.
pub async fn become_coordinator(app: &App, user: &User, match_id: &str) -> Result<(), AppError> {
    let orgs = app.store.match_organisations(match_id).await?;
    if app.store.match_record(&user.tenant_id, match_id).await?.is_none() || !orgs.contains(&user.organisation_id) {
        return Err(AppError::NotFound(format!("match {match_id} of your organisation")));
    }
    if !app.store.set_coordinator(&user.tenant_id, match_id, &user.organisation_id, &user.id).await? {
        return Err(AppError::Conflict("a coordinator was chosen already".into()));
    }
    notify::coordinator_chosen(app, &user.tenant_id, match_id, &orgs, &user.organisation_id).await
}

/// Matches without a coordinator after the term escalate to the municipality's
/// coordinator for the area. Returns the matches escalated.
pub async fn escalate_due(app: &App, today: Date) -> Result<Vec<String>, AppError> {
    let mut done = Vec::new();
    for m in app.store.open_matches().await? {
        let Ok(matched) = Date::parse(&m.matched_on) else { continue };
        let due = involvement::escalation_date(matched, ESCALATION_WORKING_DAYS, app.signals.deadlines.holidays);
        if today >= due && app.store.mark_escalated(&m.id, &today.to_string()).await? {
            notify::escalated(app, &m.tenant_id, &m.id).await?;
            done.push(m.id);
        }
    }
    Ok(done)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewConsent {
    pub bsn: String,
    /// The purpose, e.g. joint_plan.
    pub purpose: String,
    /// The organisation the consent is given to.
    pub organisation_id: String,
    pub given_on: String,
    pub scope: String,
}

pub async fn record_consent(
    app: &App,
    covenant: &Covenant,
    user: &User,
    c: &NewConsent,
) -> Result<Result<String, Denied>, AppError> {
    let tenant = user.tenant_id.clone();
    let member = person(app, &tenant, &c.bsn, "bsn")?;
    let given = date("given_on", &c.given_on)?;
    if given > app.signals.today() {
        return Err(bad("given_on: not in the future"));
    }
    if c.scope.trim().is_empty() {
        return Err(bad("scope: say what the consent covers"));
    }
    if !matches!(c.purpose.as_str(), "joint_plan" | "housing_placement") {
        return Err(bad("purpose: joint_plan or housing_placement"));
    }
    if !app.store.organisations(&tenant).await?.iter().any(|o| o.id == c.organisation_id) {
        return Err(bad("organisation_id: not an organisation of this collaboration"));
    }
    // Recording a consent is writing that the member gave it: allowed with that consent.
    let request = Request {
        purpose: Purpose::JointPlan,
        category: DataCategory::CaseContent,
        action: Action::Write,
        subject: &member,
        consent: true,
    };
    let (mut tx, handle) = match pass(&app.store, &app.keys, covenant, &Actor::User(user.clone()), &request).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let id = uuid::Uuid::now_v7().to_string();
    tx.add_consent(
        &handle,
        &ConsentRecord {
            id: id.clone(),
            tenant_id: tenant,
            member,
            purpose: c.purpose.clone(),
            organisation_id: c.organisation_id.clone(),
            given_on: given.to_string(),
            scope: c.scope.trim().chars().take(500).collect(),
            withdrawn_on: None,
            recorded_by: user.id.clone(),
            created_at: now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Withdraws a consent from a date on; from then the gate refuses what needed it.
pub async fn withdraw_consent(
    app: &App,
    covenant: &Covenant,
    user: &User,
    id: &str,
    on: &str,
) -> Result<Result<(), Denied>, AppError> {
    let on = date("withdrawn_on", on)?;
    let (member, _) = app
        .store
        .consent_owner(&user.tenant_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("consent {id}")))?;
    // Recording a withdrawal always may: it only takes consent away.
    let request = Request {
        purpose: Purpose::JointPlan,
        category: DataCategory::CaseContent,
        action: Action::Write,
        subject: &member,
        consent: true,
    };
    let (mut tx, handle) = match pass(&app.store, &app.keys, covenant, &Actor::User(user.clone()), &request).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let done = tx.withdraw_consent(&handle, &user.tenant_id, &member, id, &on.to_string()).await?;
    tx.commit().await?;
    if done {
        Ok(Ok(()))
    } else {
        Err(AppError::Conflict("the consent was withdrawn already".into()))
    }
}

/// Loads an organisation's licensed ZRM criteria texts (CSV: domain,level,text). They
/// belong to GGD Amsterdam and are shown only to the organisation that loaded them.
pub async fn load_criteria(app: &App, user: &User, csv_text: &str) -> Result<usize, AppError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv_text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| bad(format!("line {line}: {e}")))?;
        let domain = record
            .get(0)
            .and_then(LifeDomain::parse)
            .ok_or_else(|| bad(format!("line {line}, field domain: not a ZRM life domain code")))?;
        let level =
            record.get(1).and_then(Level::parse).ok_or_else(|| bad(format!("line {line}, field level: 1 to 5")))?;
        let text = record
            .get(2)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad(format!("line {line}, field text: required")))?;
        rows.push((domain.code().to_string(), i64::from(level.value()), text.chars().take(2000).collect::<String>()));
    }
    if rows.is_empty() {
        return Err(bad("the file holds no criteria: a header domain,level,text and a line per level"));
    }
    app.store.put_zrm_criteria(&user.organisation_id, &rows, now()).await?;
    Ok(rows.len())
}

fn consent_holds(consents: &[ConsentRecord], purpose: &str, org: &str, on: Date) -> bool {
    consents.iter().any(|c| {
        c.purpose == purpose
            && c.organisation_id == org
            && Date::parse(&c.given_on).is_ok_and(|g| g <= on)
            && c.withdrawn_on.as_deref().and_then(|w| Date::parse(w).ok()).is_none_or(|w| w > on)
    })
}

async fn has_consent(app: &App, tenant: &str, member: &str, org: &str) -> Result<bool, AppError> {
    let consents = app.store.consents_for_decision(tenant, member).await?;
    Ok(consent_holds(&consents, "joint_plan", org, app.signals.today()))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = NewJointPlan)]
pub struct NewPlan {
    pub match_id: String,
    /// BSN of the household member the plan is for.
    pub bsn: String,
    /// The household's own goals, in their words.
    pub own_goals: String,
}

pub async fn create_plan(
    app: &App,
    covenant: &Covenant,
    user: &User,
    p: &NewPlan,
) -> Result<Result<String, Denied>, AppError> {
    let tenant = user.tenant_id.clone();
    let m = app
        .store
        .match_record(&tenant, &p.match_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("match {}", p.match_id)))?;
    if m.coordinator_org.as_deref() != Some(user.organisation_id.as_str()) {
        return Err(AppError::Forbidden(
            "only the coordinator's organisation makes the joint plan; choose a coordinator first".into(),
        ));
    }
    let member = person(app, &tenant, &p.bsn, "bsn")?;
    // With the member's consent the plan links to their early-signalling pseudonym, so the
    // household's signals appear on the plan's timeline.
    let signals_subject = match Bsn::parse(&p.bsn) {
        Ok(bsn) => Some(app.keys.pseudonym_key(&tenant, Purpose::EarlySignalling).map_err(key_error)?.person(&bsn)),
        Err(_) => None,
    };
    let consent = has_consent(app, &tenant, &member, &user.organisation_id).await?;
    let request = Request {
        purpose: Purpose::JointPlan,
        category: DataCategory::CaseContent,
        action: Action::Write,
        subject: &member,
        consent,
    };
    let (mut tx, handle) = match pass(&app.store, &app.keys, covenant, &Actor::User(user.clone()), &request).await? {
        Ok(ok) => ok,
        Err(d) => return Ok(Err(d)),
    };
    let id = uuid::Uuid::now_v7().to_string();
    tx.create_plan(
        &handle,
        &PlanRecordJoint {
            id: id.clone(),
            tenant_id: tenant,
            match_id: m.id,
            member,
            signals_subject,
            coordinator_org: user.organisation_id.clone(),
            own_goals: p.own_goals.trim().chars().take(4000).collect(),
            status: "active".into(),
            outcome: None,
            closed_on: None,
            created_at: now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanItem {
    pub kind: String,
    pub domain: Option<LifeDomain>,
    pub text: String,
    pub owner_org: Option<String>,
    pub due_on: Option<String>,
    pub done_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = JointPlanView)]
pub struct PlanView {
    pub id: String,
    pub match_id: String,
    pub coordinator_org: String,
    pub own_goals: String,
    pub status: String,
    pub outcome: Option<String>,
    pub closed_on: Option<String>,
    pub items: Vec<PlanItem>,
    pub assessments: Vec<Assessment>,
    pub involved: Vec<String>,
    /// (id, purpose, organisation, given on, withdrawn on)
    pub consents: Vec<(String, String, String, String, Option<String>)>,
    /// The household's signals (early signalling): date, kind, sending organisation, case
    /// status and outcome.
    pub timeline: Vec<(String, String, String, String, Option<String>)>,
    /// The viewer's organisation's licensed ZRM criteria: (domain, level, text).
    pub criteria: Vec<(String, i64, String)>,
    /// Whether the viewer's organisation is the coordinator (and may change the plan).
    pub can_edit: bool,
}

/// Which gate request a plan access is, and whether the viewer's organisation is involved.
async fn plan_access(
    app: &App,
    covenant: &Covenant,
    user: &User,
    plan_id: &str,
    action: Action,
    category: DataCategory,
) -> Result<Result<(leefwijk_store::StoreTx, leefwijk_store::AccessHandle, PlanRecordJoint), Denied>, AppError> {
    let tenant = user.tenant_id.clone();
    let plan =
        app.store.plan_header(&tenant, plan_id).await?.ok_or_else(|| AppError::NotFound(format!("plan {plan_id}")))?;
    let actor = Actor::User(user.clone());
    let involved = app.store.match_organisations(&plan.match_id).await?;
    if !involved.contains(&user.organisation_id) {
        let rule = format!(
            "{} v{} / involvement index: the organisation is not involved with this household",
            covenant.id, covenant.version
        );
        return Ok(Err(refuse(
            app,
            &actor,
            &plan.member,
            &rule,
            "an involvement of your organisation in the involvement index",
        )
        .await?));
    }
    let consent = has_consent(app, &tenant, &plan.member, &user.organisation_id).await?;
    let request = Request { purpose: Purpose::JointPlan, category, action, subject: &plan.member, consent };
    Ok(match pass(&app.store, &app.keys, covenant, &actor, &request).await? {
        Ok((tx, handle)) => Ok((tx, handle, plan)),
        Err(d) => Err(d),
    })
}

pub async fn plan(
    app: &App,
    covenant: &Covenant,
    user: &User,
    plan_id: &str,
) -> Result<Result<PlanView, Denied>, AppError> {
    let (mut tx, handle, _) =
        match plan_access(app, covenant, user, plan_id, Action::Read, DataCategory::CaseContent).await? {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    let Some((plan, items, assessments, consents)) = tx.plan_content(&handle, &user.tenant_id, plan_id).await? else {
        tx.commit().await?;
        return Err(AppError::NotFound(format!("plan {plan_id}")));
    };
    let timeline = match &plan.signals_subject {
        Some(s) => tx.timeline_signals(&handle, &user.tenant_id, &plan.member, s).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    let criteria = app.store.zrm_criteria(&user.organisation_id).await?;
    let involved = app.store.match_organisations(&plan.match_id).await?;
    Ok(Ok(PlanView {
        can_edit: plan.coordinator_org == user.organisation_id && plan.status != "closed",
        id: plan.id,
        match_id: plan.match_id,
        coordinator_org: plan.coordinator_org,
        own_goals: plan.own_goals,
        status: plan.status,
        outcome: plan.outcome,
        closed_on: plan.closed_on,
        items: items
            .into_iter()
            .map(|i| PlanItem {
                kind: i.kind,
                domain: i.domain.as_deref().and_then(LifeDomain::parse),
                text: i.text,
                owner_org: i.owner_org,
                due_on: i.due_on,
                done_on: i.done_on,
            })
            .collect(),
        assessments: assessments.iter().filter_map(assessment_of).collect(),
        involved,
        consents: consents
            .into_iter()
            .map(|c| (c.id, c.purpose, c.organisation_id, c.given_on, c.withdrawn_on))
            .collect(),
        timeline: timeline
            .into_iter()
            .map(|t| (t.signal_date, t.kind, t.organisation_id, t.case_status, t.outcome))
            .collect(),
        criteria,
    }))
}

fn assessment_of(a: &AssessmentRecord) -> Option<Assessment> {
    Some(Assessment {
        date: Date::parse(&a.assessed_on).ok()?,
        instrument_version: a.instrument_version.clone(),
        scores: serde_json::from_str(&a.scores).ok()?,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewItem {
    /// goal, action or review.
    pub kind: String,
    /// A ZRM life domain code (goals and actions).
    pub domain: Option<String>,
    pub text: String,
    /// Actions: the organisation that owns it, and its due date.
    pub owner_org: Option<String>,
    pub due_on: Option<String>,
}

async fn coordinator_write(
    app: &App,
    covenant: &Covenant,
    user: &User,
    plan_id: &str,
    category: DataCategory,
) -> Result<Result<(leefwijk_store::StoreTx, leefwijk_store::AccessHandle, PlanRecordJoint), Denied>, AppError> {
    let access = plan_access(app, covenant, user, plan_id, Action::Write, category).await?;
    if let Ok((_, _, plan)) = &access {
        if plan.coordinator_org != user.organisation_id {
            return Err(AppError::Forbidden("only the coordinator's organisation changes the plan".into()));
        }
        if plan.status == "closed" {
            return Err(AppError::Conflict("the plan is closed".into()));
        }
    }
    Ok(access)
}

pub async fn add_item(
    app: &App,
    covenant: &Covenant,
    user: &User,
    plan_id: &str,
    item: &NewItem,
) -> Result<Result<(), Denied>, AppError> {
    if !matches!(item.kind.as_str(), "goal" | "action" | "review") {
        return Err(bad("kind: goal, action or review"));
    }
    let domain = match item.domain.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => Some(LifeDomain::parse(d).ok_or_else(|| bad("domain: one of the 13 ZRM life domains"))?),
        None if item.kind != "review" => return Err(bad("domain: goals and actions belong to a life domain")),
        None => None,
    };
    if item.text.trim().is_empty() {
        return Err(bad("text: required"));
    }
    let due = opt_date("due_on", &item.due_on)?;
    if item.kind == "action" && (due.is_none() || item.owner_org.as_deref().is_none_or(str::is_empty)) {
        return Err(bad("an action needs an owner organisation and a due date"));
    }
    let (mut tx, handle, plan) =
        match coordinator_write(app, covenant, user, plan_id, DataCategory::CaseContent).await? {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    tx.add_plan_item(
        &handle,
        &user.tenant_id,
        &plan.member,
        &PlanItemRecord {
            id: uuid::Uuid::now_v7().to_string(),
            plan_id: plan_id.into(),
            kind: item.kind.clone(),
            domain: domain.map(|d| d.code().to_string()),
            text: item.text.trim().chars().take(2000).collect(),
            owner_org: item.owner_org.clone().filter(|o| !o.is_empty()),
            due_on: due.map(|d| d.to_string()),
            done_on: None,
            created_by: user.id.clone(),
            created_at: now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAssessment {
    pub assessed_on: String,
    /// Default "ZRM 2017".
    pub instrument_version: Option<String>,
    /// Level 1–5 per life domain code.
    pub scores: BTreeMap<String, u8>,
}

pub async fn add_assessment(
    app: &App,
    covenant: &Covenant,
    user: &User,
    plan_id: &str,
    a: &NewAssessment,
) -> Result<Result<(), Denied>, AppError> {
    let on = date("assessed_on", &a.assessed_on)?;
    if on > app.signals.today() {
        return Err(bad("assessed_on: not in the future"));
    }
    let mut scores = BTreeMap::new();
    for (code, level) in &a.scores {
        let d = LifeDomain::parse(code).ok_or_else(|| bad(format!("scores: '{code}' is not a ZRM life domain")))?;
        let l = Level::from_value(*level).ok_or_else(|| bad(format!("scores: {code} must be 1 to 5")))?;
        scores.insert(d, l);
    }
    let assessment = Assessment {
        date: on,
        instrument_version: a
            .instrument_version
            .clone()
            .unwrap_or_else(|| leefwijk_domain::households::zrm::ZRM_2017.into()),
        scores,
    };
    assessment.validate().map_err(|e| bad(e.to_string()))?;
    let (mut tx, handle, plan) =
        match coordinator_write(app, covenant, user, plan_id, DataCategory::CaseContent).await? {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    // ZRM scores are part of the plan's content, under the same consent.
    tx.add_assessment(
        &handle,
        &user.tenant_id,
        &plan.member,
        &AssessmentRecord {
            id: uuid::Uuid::now_v7().to_string(),
            plan_id: plan_id.into(),
            assessed_on: on.to_string(),
            instrument_version: assessment.instrument_version.clone(),
            scores: serde_json::to_string(&assessment.scores).map_err(|e| AppError::Internal(e.to_string()))?,
            recorded_by: user.id.clone(),
            created_at: now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

pub const OUTCOMES: &[&str] =
    &["goals_reached", "partly_reached", "not_reached", "moved", "stopped_by_household", "other"];

pub async fn close_plan(
    app: &App,
    covenant: &Covenant,
    user: &User,
    plan_id: &str,
    outcome: &str,
) -> Result<Result<(), Denied>, AppError> {
    if !OUTCOMES.contains(&outcome) {
        return Err(bad(format!("outcome: one of {}", OUTCOMES.join(", "))));
    }
    let (mut tx, handle, plan) =
        match coordinator_write(app, covenant, user, plan_id, DataCategory::CaseContent).await? {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    tx.close_plan(&handle, &user.tenant_id, &plan.member, plan_id, outcome, &app.signals.today().to_string()).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Average ZRM change per life domain per area (first to last assessment of each plan),
/// with disclosure control: domains with fewer plans than the threshold are hidden.
pub async fn zrm_figures(app: &App, area: &str) -> Result<Vec<(LifeDomain, Option<f64>, Option<u64>)>, AppError> {
    let all = app.store.all_assessments().await?;
    let mut per_plan: BTreeMap<String, Vec<Assessment>> = BTreeMap::new();
    let area = leefwijk_domain::AreaCode::parse(area).map_err(|e| bad(e.to_string()))?;
    for (plan, plan_area, rec) in &all {
        let inside = plan_area
            .as_deref()
            .and_then(|a| leefwijk_domain::AreaCode::parse(a).ok())
            .is_some_and(|a| crate::areas::monitor::is_within(&a, &area));
        if inside {
            if let Some(a) = assessment_of(rec) {
                per_plan.entry(plan.clone()).or_default().push(a);
            }
        }
    }
    let pairs: Vec<(Assessment, Assessment)> = per_plan
        .into_values()
        .filter(|v| v.len() >= 2)
        .filter_map(|mut v| {
            v.sort_by_key(|a| a.date);
            let first = v.first()?.clone();
            let last = v.last()?.clone();
            Some((first, last))
        })
        .collect();
    let averages = leefwijk_domain::households::zrm::average_change(&pairs);
    let control = app.signals.disclosure;
    Ok(LifeDomain::ALL
        .iter()
        .map(|d| {
            let (mean, n) = averages.get(d).copied().unwrap_or((0.0, 0));
            let shown = control.over(u64::from(n), Some(mean));
            (*d, shown, control.count(u64::from(n)))
        })
        .collect())
}
