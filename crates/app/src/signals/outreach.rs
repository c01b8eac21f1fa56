//! Outreach after a signal: the team's worklist, the household page, contact attempts,
//! outcomes, manual reassignment, and what a partner may read back. Every function passes
//! the gate first; reads of a household unseal its address only after an audited allow.

use super::vault_open;
use crate::access::gate::{pass, pass_signal_read, Actor, Denied, Request};
use crate::{App, AppError};
use leefwijk_domain::access::covenant::{Action, Covenant, DataCategory, Purpose};
use leefwijk_domain::calendar::{working_days_between, Date};
use leefwijk_domain::signals::worklist::{order_key, Urgency, WorkStage};
use leefwijk_domain::signals::{Outcome, PartnerFeedback, SignalKind};
use leefwijk_store::{AttemptRecord, CaseEvent, CaseRecord, SignalRecord};
use serde::{Deserialize, Serialize};

/// One line of the worklist.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkItem {
    pub case_id: String,
    pub household_key: String,
    pub buurt_code: String,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub opened_on: String,
    pub due_on: String,
    /// Working days left until the deadline (negative when overdue).
    pub working_days_left: i64,
    pub overdue: bool,
    pub priority: i64,
    pub status: String,
    pub outcome: Option<String>,
    pub signal_count: i64,
    pub recurrent: bool,
    pub kinds: Vec<SignalKind>,
    pub crisis: bool,
    pub reached: bool,
    pub first_contact_on: Option<String>,
    /// Awaiting first contact, in contact, or closed: the worklist's first ordering.
    pub stage: WorkStage,
}

fn outreach(category: DataCategory, action: Action, subject: &str) -> Request<'_> {
    Request { purpose: Purpose::Outreach, category, action, subject, consent: false }
}

fn date(s: &str) -> Result<Date, AppError> {
    Date::parse(s).map_err(|e| AppError::Internal(format!("stored date: {e}")))
}

fn work_item(app: &App, case: CaseRecord, signals: &[SignalRecord]) -> Result<WorkItem, AppError> {
    let today = app.signals.today();
    let due = date(&case.due_on)?;
    let left = working_days_between(today, due, app.signals.deadlines.holidays);
    let mut kinds: Vec<SignalKind> =
        signals.iter().filter(|s| s.case_id == case.id).filter_map(|s| SignalKind::parse(&s.kind)).collect();
    kinds.sort();
    kinds.dedup();
    let crisis = signals.iter().any(|s| s.case_id == case.id && s.crisis);
    let open = case.status == "open";
    let stage = WorkStage::of(open, case.first_contact_on.is_some());
    Ok(WorkItem {
        stage,
        overdue: open && case.first_contact_on.is_none() && due < today,
        working_days_left: left,
        case_id: case.id,
        household_key: case.household_key,
        buurt_code: case.buurt_code,
        team_id: case.team_id,
        team_name: case.team_name,
        opened_on: case.opened_on,
        due_on: case.due_on,
        priority: case.priority,
        status: case.status,
        outcome: case.outcome,
        signal_count: case.signal_count,
        recurrent: case.recurrent,
        kinds,
        crisis,
        reached: case.reached,
        first_contact_on: case.first_contact_on,
    })
}

fn urgency(item: &WorkItem) -> Urgency<'_> {
    Urgency { stage: item.stage, crisis: item.crisis, due_on: &item.due_on, priority: item.priority }
}

/// Which team's list a user sees: their own; a regisseur (coordinator) may ask for any
/// team of the collaboration or all of them (`"all"`).
pub fn team_scope(actor: &Actor, asked: Option<&str>) -> Result<Option<String>, AppError> {
    let own = match actor {
        Actor::User(u) => u.team_id.clone(),
        Actor::Client(_) => None,
    };
    match asked {
        None => Ok(Some(own.unwrap_or_else(|| "*".into())).filter(|t| t != "*")),
        Some(team) if Some(team) == own.as_deref() => Ok(Some(team.to_string())),
        Some(team) if actor.role() == "regisseur" => Ok((team != "all").then(|| team.to_string())),
        Some(_) => Err(AppError::Forbidden("you can see the worklist of your own team only".into())),
    }
}

/// The worklist: open cases first, by deadline, then priority.
pub async fn worklist(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    team: Option<&str>,
    include_closed: bool,
) -> Result<Result<Vec<WorkItem>, Denied>, AppError> {
    let tenant = actor.tenant_id().to_string();
    let subject = format!("team:{}", team.unwrap_or("*"));
    let (mut tx, access) =
        match pass_signal_read(&app.store, &app.keys, covenant, actor, Purpose::Outreach, &subject).await? {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    let cases = tx.worklist(&access, &tenant, team, include_closed, 2_000).await?;
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let signals = tx.signals_of_cases(&ids).await?;
    tx.commit().await?;
    let mut items = cases.into_iter().map(|c| work_item(app, c, &signals)).collect::<Result<Vec<_>, _>>()?;
    items.sort_by(|a, b| order_key(urgency(a)).cmp(&order_key(urgency(b))));
    Ok(Ok(items))
}

/// A signal as shown on the household page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignalView {
    pub id: String,
    pub kind: SignalKind,
    pub partner_organisation: String,
    pub arrears_cents: i64,
    pub arrears_since: Option<String>,
    pub signal_date: String,
    pub received_on: String,
    pub crisis: bool,
    pub multiple: bool,
    pub recurrent: bool,
    pub repeat: bool,
    pub has_identity: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub attempted_on: String,
    pub channel: String,
    pub part_of_day: String,
    pub reached: bool,
    pub by: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub at_ms: i64,
    pub by: String,
    pub event: String,
    pub detail: String,
}

/// The household page: the case, its signals, attempts and events, and the address.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Household {
    pub case: WorkItem,
    pub address: Option<String>,
    pub signals: Vec<SignalView>,
    pub attempts: Vec<AttemptView>,
    pub events: Vec<EventView>,
    /// Earlier and later cases of the same household.
    pub other_cases: Vec<String>,
}

async fn household_key(app: &App, tenant: &str, case_id: &str) -> Result<String, AppError> {
    app.store.case_household(tenant, case_id).await?.ok_or_else(|| AppError::NotFound(format!("case {case_id}")))
}

pub async fn household(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    case_id: &str,
) -> Result<Result<Household, Denied>, AppError> {
    let tenant = actor.tenant_id().to_string();
    let key = household_key(app, &tenant, case_id).await?;
    let (mut tx, handle) =
        match pass(&app.store, &app.keys, covenant, actor, &outreach(DataCategory::Contact, Action::Read, &key)).await?
        {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    let Some((case, signals, attempts, events)) = tx.case_detail(&handle, &tenant, case_id).await? else {
        tx.commit().await?;
        return Err(AppError::NotFound(format!("case {case_id}")));
    };
    let history = tx.household_history(&tenant, std::slice::from_ref(&key), "0000-01-01").await?;
    tx.commit().await?;
    let mut other_cases: Vec<String> =
        history.iter().map(|(s, _)| s.case_id.clone()).filter(|id| id != case_id).collect();
    other_cases.sort();
    other_cases.dedup();
    let address = match &case.sealed_address {
        Some(sealed) => {
            Some(vault_open(&app.keys.vault_key(&tenant).map_err(|e| AppError::Internal(e.to_string()))?, sealed)?)
        }
        None => None,
    };
    let names = user_names(app, &tenant).await?;
    let orgs = app.store.organisations(&tenant).await?;
    let signal_views = signals
        .iter()
        .filter_map(|s| {
            Some(SignalView {
                id: s.id.clone(),
                kind: SignalKind::parse(&s.kind)?,
                partner_organisation: orgs
                    .iter()
                    .find(|o| o.id == s.organisation_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_else(|| s.organisation_id.clone()),
                arrears_cents: s.arrears_cents,
                arrears_since: s.arrears_since.clone(),
                signal_date: s.signal_date.clone(),
                received_on: s.received_on.clone(),
                crisis: s.crisis,
                multiple: s.is_multiple,
                recurrent: s.is_recurrent,
                repeat: s.is_repeat,
                has_identity: s.person_pseudonym.is_some(),
            })
        })
        .collect();
    let name_of =
        |id: &str| names.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()).unwrap_or_else(|| id.to_string());
    Ok(Ok(Household {
        case: work_item(app, case, &signals)?,
        address,
        signals: signal_views,
        attempts: attempts
            .iter()
            .map(|a| AttemptView {
                attempted_on: a.attempted_on.clone(),
                channel: a.channel.clone(),
                part_of_day: a.part_of_day.clone(),
                reached: a.reached,
                by: name_of(&a.user_id),
            })
            .collect(),
        events: events
            .iter()
            .map(|e| EventView {
                at_ms: e.at_ms,
                by: name_of(&e.actor_id),
                event: e.event.clone(),
                detail: e.detail.clone(),
            })
            .collect(),
        other_cases,
    }))
}

async fn user_names(app: &App, tenant: &str) -> Result<Vec<(String, String)>, AppError> {
    Ok(app.store.users(tenant).await?.into_iter().map(|u| (u.id, u.display_name)).collect())
}

pub const CHANNELS: &[&str] = &["letter", "phone", "home_visit", "email", "text_message", "card"];
pub const PARTS_OF_DAY: &[&str] = &["morning", "afternoon", "evening"];

/// A contact attempt as entered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAttempt {
    /// YYYY-MM-DD; not in the future.
    pub attempted_on: String,
    /// letter, phone, home_visit, email, text_message or card.
    pub channel: String,
    /// morning, afternoon or evening.
    pub part_of_day: String,
    pub reached: bool,
}

fn event(tenant: &str, case_id: &str, actor: &Actor, event: &str, detail: String) -> CaseEvent {
    CaseEvent {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: tenant.to_string(),
        case_id: case_id.to_string(),
        at_ms: crate::access::identity::now_ms(),
        actor_id: actor.id().to_string(),
        event: event.to_string(),
        detail,
    }
}

pub async fn record_attempt(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    case_id: &str,
    attempt: &NewAttempt,
) -> Result<Result<(), Denied>, AppError> {
    let on = Date::parse(&attempt.attempted_on)
        .map_err(|_| AppError::BadRequest("attempted_on: use a date such as 2026-11-23".into()))?;
    if on > app.signals.today() {
        return Err(AppError::BadRequest("attempted_on: the date is in the future".into()));
    }
    if !CHANNELS.contains(&attempt.channel.as_str()) {
        return Err(AppError::BadRequest(format!("channel: use one of {}", CHANNELS.join(", "))));
    }
    if !PARTS_OF_DAY.contains(&attempt.part_of_day.as_str()) {
        return Err(AppError::BadRequest(format!("part_of_day: use one of {}", PARTS_OF_DAY.join(", "))));
    }
    let tenant = actor.tenant_id().to_string();
    let key = household_key(app, &tenant, case_id).await?;
    let (mut tx, handle) =
        match pass(&app.store, &app.keys, covenant, actor, &outreach(DataCategory::Contact, Action::Write, &key))
            .await?
        {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    let record = AttemptRecord {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: tenant.clone(),
        case_id: case_id.to_string(),
        attempted_on: on.to_string(),
        channel: attempt.channel.clone(),
        part_of_day: attempt.part_of_day.clone(),
        reached: attempt.reached,
        user_id: actor.id().to_string(),
        created_at: crate::access::identity::now_ms(),
    };
    tx.add_attempt(&handle, &key, &record).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Closes a case with a GGM outcome.
pub async fn record_outcome(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    case_id: &str,
    outcome: &str,
) -> Result<Result<(), Denied>, AppError> {
    let outcome = Outcome::parse(outcome).ok_or_else(|| {
        let known: Vec<&str> = Outcome::ALL.iter().map(|o| o.code()).collect();
        AppError::BadRequest(format!("outcome: use one of {}", known.join(", ")))
    })?;
    let tenant = actor.tenant_id().to_string();
    let key = household_key(app, &tenant, case_id).await?;
    let (mut tx, handle) =
        match pass(&app.store, &app.keys, covenant, actor, &outreach(DataCategory::Contact, Action::Write, &key))
            .await?
        {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    let today = app.signals.today().to_string();
    tx.set_case_outcome(&handle, &tenant, &key, case_id, Some((outcome.code(), &today))).await?;
    tx.add_case_event(&handle, &key, &event(&tenant, case_id, actor, "outcome", outcome.code().to_string())).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Moves a case to another team of the collaboration; audited and kept as an event.
pub async fn reassign(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    case_id: &str,
    team_id: &str,
) -> Result<Result<(), Denied>, AppError> {
    let tenant = actor.tenant_id().to_string();
    if !app.store.teams(&tenant).await?.iter().any(|(id, _, _, _)| id == team_id) {
        return Err(AppError::BadRequest(format!("team_id: '{team_id}' is not a team of this collaboration")));
    }
    let key = household_key(app, &tenant, case_id).await?;
    let (mut tx, handle) =
        match pass(&app.store, &app.keys, covenant, actor, &outreach(DataCategory::Contact, Action::Write, &key))
            .await?
        {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    tx.assign_case(&handle, &tenant, &key, case_id, team_id).await?;
    tx.add_case_event(&handle, &key, &event(&tenant, case_id, actor, "assigned", team_id.to_string())).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// What a partner reads back about one signal: only whether it was picked up.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub signal_id: String,
    pub batch_id: String,
    pub line: i64,
    pub reference: Option<String>,
    /// `pending` while the case is open, then `picked_up` or `not_picked_up`.
    pub status: String,
}

pub async fn partner_feedback(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    batch_id: Option<&str>,
) -> Result<Result<Vec<Feedback>, Denied>, AppError> {
    let tenant = actor.tenant_id().to_string();
    let subject = format!("organisation:{}", actor.organisation_id());
    let (mut tx, access) =
        match pass_signal_read(&app.store, &app.keys, covenant, actor, Purpose::EarlySignalling, &subject).await? {
            Ok(ok) => ok,
            Err(d) => return Ok(Err(d)),
        };
    let rows = tx.partner_feedback(&access, &tenant, actor.organisation_id(), batch_id, 100_000).await?;
    tx.commit().await?;
    Ok(Ok(rows
        .into_iter()
        .map(|r| Feedback {
            signal_id: r.signal_id,
            batch_id: r.batch_id,
            line: r.row_number,
            reference: r.reference,
            status: match (r.case_status.as_str(), r.outcome.as_deref().and_then(Outcome::parse)) {
                ("closed", Some(o)) => match o.partner_feedback() {
                    PartnerFeedback::PickedUp => "picked_up",
                    PartnerFeedback::NotPickedUp => "not_picked_up",
                },
                _ => "pending",
            }
            .to_string(),
        })
        .collect()))
}
