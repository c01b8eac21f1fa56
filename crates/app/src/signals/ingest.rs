//! Taking in a batch of signals: validate every row (all or nothing), pseudonymise on
//! entry, match per household, route to a team, set deadlines, and store the batch, its
//! signals, cases and vault entries in one transaction with the gate's audit entries.
//! An idempotency key makes a retry return the stored batch instead of a second copy.

use super::intake::{RowError, MAX_ROWS};
use super::SignalsConfig;
use crate::access::entropy::Entropy;
use crate::access::gate::{pass_all, Actor, Denied, Request};
use crate::access::logboek::{activity_uri, operation_id_from, organisation_uri, purpose_code};
use crate::access::vault::Sealer;
use crate::{App, AppError};
use leefwijk_domain::access::covenant::{Action, Covenant, DataCategory, Purpose};
use leefwijk_domain::access::logboek::{ForeignOperation, Operation, OperationId, OperationName, StatusCode, TraceId};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::signals::grouping::{assign, Prior, Target};
use leefwijk_domain::signals::intake::{validate, SignalInput, ValidSignal};
use leefwijk_domain::signals::routing::{route, RoutingRule};
use leefwijk_domain::signals::{priority, SignalFacts, SignalKind};
use leefwijk_domain::AreaCode;
use leefwijk_store::{BatchOutcome, BatchRecord, CaseRecord, PriorRecord, SignalRecord, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What the sender gets back for a stored batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BatchReport {
    pub batch_id: String,
    pub rows: i64,
    /// True when this answer repeats an earlier delivery with the same idempotency key.
    pub replayed: bool,
    pub cases_opened: u64,
    pub cases_stacked: u64,
    pub repeats: u64,
    pub received_at_ms: i64,
}

/// How a batch ended.
#[derive(Debug)]
pub enum Ingested {
    Stored(BatchReport),
    /// Nothing was stored; every problem is listed.
    Rejected(Vec<RowError>),
    Denied(Denied),
}

/// A batch as received.
pub struct Delivery<'a> {
    pub idempotency_key: Option<&'a str>,
    /// SHA-256 of the body, to refuse reuse of a key for other content.
    pub body_hash: String,
    pub format: &'a str,
    pub rows: Vec<(u64, SignalInput)>,
}

struct Row {
    line: u64,
    signal: ValidSignal,
    buurt: AreaCode,
    person: Option<String>,
    household: String,
    customer: Option<String>,
    facts: SignalFacts,
}

/// The answer to a replay: the original batch's outcome (zeros for batches stored before
/// outcomes were recorded).
fn report_of(batch: &BatchRecord, replayed: bool) -> BatchReport {
    let outcome = batch.outcome.unwrap_or_default();
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    BatchReport {
        batch_id: batch.id.clone(),
        rows: batch.row_count,
        replayed,
        cases_opened: count(outcome.cases_opened),
        cases_stacked: count(outcome.cases_stacked),
        repeats: count(outcome.repeats),
        received_at_ms: batch.received_at,
    }
}

fn replay_or_conflict(batch: &BatchRecord, body_hash: &str) -> Result<Ingested, AppError> {
    if batch.body_hash == body_hash {
        Ok(Ingested::Stored(report_of(batch, true)))
    } else {
        Err(AppError::Conflict(format!(
            "idempotency key '{}' was used on {} for a different batch: use a new key for new content",
            batch.idempotency_key, batch.id
        )))
    }
}

/// SHA-256 of a delivery's body, hex: what an idempotency key is bound to.
pub fn body_hash(body: &[u8]) -> String {
    use sha2::Digest;
    leefwijk_domain::access::hex(&sha2::Sha256::digest(body))
}

fn key_error(e: crate::access::keys::KeyError) -> AppError {
    AppError::Internal(e.to_string())
}

/// Routing rules of a tenant: its explicit rules, then every team's served areas as
/// rules for all kinds.
pub async fn routing_rules(app: &App, tenant: &str) -> Result<Vec<RoutingRule>, AppError> {
    let mut rules: Vec<RoutingRule> = app
        .store
        .routing_rules(tenant)
        .await?
        .into_iter()
        .map(|r| RoutingRule {
            area_code: r.area_code,
            kind: r.kind.as_deref().and_then(SignalKind::parse),
            team_id: r.team_id,
        })
        .collect();
    for (team_id, _, _, areas) in app.store.teams(tenant).await? {
        for area in areas {
            // An explicit rule for the same area wins over a team's served area.
            if !rules.iter().any(|r| r.area_code == area && r.kind.is_none()) {
                rules.push(RoutingRule { area_code: area, kind: None, team_id: team_id.clone() });
            }
        }
    }
    Ok(rules)
}

/// Validates and resolves every row; all problems of the batch at once.
async fn prepare(
    app: &App,
    actor: &Actor,
    rows: Vec<(u64, SignalInput)>,
    today: Date,
) -> Result<Result<Vec<Row>, Vec<RowError>>, AppError> {
    let tenant = actor.tenant_id();
    let key = app.keys.pseudonym_key(tenant, Purpose::EarlySignalling).map_err(key_error)?;
    let mut errors = Vec::new();
    let mut valid = Vec::with_capacity(rows.len());
    for (line, input) in rows {
        match validate(&input, today) {
            Ok(v) => valid.push((line, v)),
            Err(es) => errors.extend(es.into_iter().map(|e| RowError::from_field(line, e))),
        }
    }
    // Postcodes without a buurt code are looked up.
    let mut wanted: Vec<String> = valid
        .iter()
        .filter(|(_, v)| v.buurt_code.is_none())
        .filter_map(|(_, v)| v.address.as_ref().map(|a| a.postcode.as_str().to_string()))
        .collect();
    wanted.sort();
    wanted.dedup();
    let lookup: HashMap<String, String> = app.store.buurten_for_postcodes(&wanted).await?.into_iter().collect();
    let view = app.monitor.view(None).await.ok();
    let mut out = Vec::with_capacity(valid.len());
    for (line, signal) in valid {
        let buurt = match (&signal.buurt_code, &signal.address) {
            (Some(code), _) => Some(code.clone()),
            (None, Some(a)) => match lookup.get(a.postcode.as_str()).map(|c| AreaCode::parse(c)) {
                Some(Ok(code)) => Some(code),
                _ => {
                    errors.push(RowError::new(
                        line,
                        "buurt_code",
                        "the postcode is not in the postcode table: send the buurt_code too",
                    ));
                    None
                }
            },
            (None, None) => None,
        };
        let Some(buurt) = buurt else { continue };
        if let Some(view) = &view {
            if view.area(&buurt).is_err() {
                errors.push(RowError::new(line, "buurt_code", "this buurt is not in the area register of the monitor"));
                continue;
            }
        }
        let person = signal.bsn.as_ref().map(|b| key.person(b));
        let household = match (&signal.address, &person) {
            (Some(a), _) => key.household(&a.normalised()),
            (None, Some(p)) => key.household(&format!("person|{p}")),
            (None, None) => continue, // validation already refused this row
        };
        let customer = signal.customer_number.as_deref().map(|n| key.customer(actor.organisation_id(), n));
        let facts = SignalFacts {
            partner: actor.organisation_id().to_string(),
            kind: signal.kind,
            arrears_cents: signal.arrears_cents,
            signal_date: signal.signal_date,
            crisis: signal.crisis,
        };
        out.push(Row { line, signal, buurt, person, household, customer, facts });
    }
    if errors.is_empty() {
        Ok(Ok(out))
    } else {
        errors.sort_by(|a, b| (a.line, &a.field).cmp(&(b.line, &b.field)));
        Ok(Err(errors))
    }
}

/// The stored signal as matching sees it, taking over its strings; `None` for a row whose
/// kind or date this version cannot read (it is then left out of matching).
fn prior_of_record(s: PriorRecord) -> Option<(String, Prior)> {
    let facts = SignalFacts {
        kind: SignalKind::parse(&s.kind)?,
        signal_date: Date::parse(&s.signal_date).ok()?,
        partner: s.organisation_id,
        arrears_cents: s.arrears_cents,
        crisis: s.crisis,
    };
    Some((s.household_key, Prior { facts, case_id: s.case_id, case_open: s.case_open, repeat: s.is_repeat }))
}

fn preconditions_bits(v: &ValidSignal) -> i64 {
    let p = v.preconditions;
    i64::from(p.reminder_sent)
        | i64::from(p.personal_contact_attempted) << 1
        | i64::from(p.debt_help_pointed_to) << 2
        | i64::from(p.no_objection) << 3
}

/// Wall-clock time per phase of one batch, logged with the batch (counts and durations
/// only, nothing about a household) so a slow intake shows where its time went.
struct Phases {
    last: std::time::Instant,
    done: Vec<(&'static str, std::time::Duration)>,
}

impl Phases {
    fn start() -> Self {
        Phases { last: std::time::Instant::now(), done: Vec::with_capacity(12) }
    }

    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        self.done.push((phase, now - self.last));
        self.last = now;
    }
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (phase, took)) in self.done.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            write!(f, "{sep}{phase}={}ms", took.as_millis())?;
        }
        Ok(())
    }
}

/// What the Logboek operations of one delivery share.
struct LogboekBatch<'a> {
    covenant: &'a Covenant,
    actor: &'a Actor,
    /// The delivery's own operation (written by the gate).
    delivery: (TraceId, OperationId),
    start_ms: i64,
}

/// The Logboek operations of a delivery's processing, in the delivery's trace: one intake
/// per signal (the person's pseudonym as data subject, or the household's key without
/// one), its parent the delivery; and one matching per case the signals opened or joined
/// (the household as data subject), its parent the intake of the case's first signal.
/// Later processing of the household or person continues this trace
/// (see `access::logboek`).
fn logboek_operations(
    entropy: &mut Entropy,
    batch: LogboekBatch<'_>,
    signals: &[SignalRecord],
    opened: &[CaseRecord],
    joined: &[CaseRecord],
) -> Result<Vec<Operation>, AppError> {
    let request = crate::access::logboek::current()?;
    let (trace_id, delivery) = batch.delivery;
    let organisation = batch.actor.organisation_id();
    let activity = activity_uri(Some(batch.covenant), &purpose_code(Purpose::EarlySignalling));
    let end_ms = crate::access::identity::now_ms();
    let foreign = request.caller.map(|c| ForeignOperation {
        trace_id: c.trace_id,
        operation_id: c.parent_id,
        entity: organisation_uri(organisation),
    });
    let op = |name, parent, subject: &str, entropy: &mut Entropy| -> Result<Operation, AppError> {
        Ok(Operation {
            tenant: batch.actor.tenant_id().to_string(),
            organisation: organisation.to_string(),
            trace_id,
            operation_id: operation_id_from(entropy)?,
            parent_operation_id: Some(parent),
            foreign_operation: foreign.clone(),
            name,
            status: StatusCode::Ok,
            start_ms: batch.start_ms,
            end_ms,
            processing_activity_id: activity.clone(),
            data_subject_id: Some(subject.to_string()),
            audit_seq: None,
        })
    };
    let mut out = Vec::with_capacity(signals.len() + opened.len() + joined.len());
    let mut first_intake: HashMap<&str, OperationId> = HashMap::new();
    for s in signals {
        let subject = s.person_pseudonym.as_deref().unwrap_or(&s.household_key);
        let intake = op(OperationName::SignalIntake, delivery, subject, entropy)?;
        first_intake.entry(s.case_id.as_str()).or_insert(intake.operation_id);
        out.push(intake);
    }
    for case in opened.iter().chain(joined) {
        let parent = first_intake.get(case.id.as_str()).copied().unwrap_or(delivery);
        out.push(op(OperationName::Matching, parent, &case.household_key, entropy)?);
    }
    Ok(out)
}

/// Batches of at least this many rows refresh the database's planner statistics.
const ANALYZE_AFTER_ROWS: usize = 10_000;

/// Takes in a batch for the actor (a partner's API client or a signed-in partner user).
pub async fn ingest(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    delivery: Delivery<'_>,
) -> Result<Ingested, AppError> {
    let tenant = actor.tenant_id().to_string();
    let config: &SignalsConfig = &app.signals;
    let today = config.today();
    if delivery.rows.len() > MAX_ROWS {
        return Ok(Ingested::Rejected(vec![RowError::new(0, "", format!("a batch holds at most {MAX_ROWS} rows"))]));
    }
    if delivery.rows.is_empty() {
        return Ok(Ingested::Rejected(vec![RowError::new(0, "", "the batch holds no signals")]));
    }
    if let Some(key) = delivery.idempotency_key {
        if let Some(batch) = app.store.signal_batch_by_key(&tenant, actor.id(), key).await? {
            return replay_or_conflict(&batch, &delivery.body_hash);
        }
    }
    let mut phases = Phases::start();
    let rows = match prepare(app, actor, delivery.rows, today).await? {
        Ok(rows) => rows,
        Err(errors) => return Ok(Ingested::Rejected(errors)),
    };
    phases.lap("prepare");
    let batch_id = uuid::Uuid::now_v7().to_string();
    let subject = format!("batch:{batch_id}");
    let keep_identity = covenant.terms(Purpose::Reidentification).is_some();
    let has_bsn = keep_identity && rows.iter().any(|r| r.person.is_some());
    let has_address = rows.iter().any(|r| r.signal.address.is_some());
    // One request per data category the batch holds, as the covenant maps its kinds
    // (finding 9 of issue 16: a nuisance signal is not financial data).
    let mut kinds: Vec<SignalKind> = rows.iter().map(|r| r.signal.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut categories: Vec<DataCategory> = kinds.iter().map(|k| covenant.signal_category(*k)).collect();
    categories.sort_unstable();
    categories.dedup();
    let write = |category| Request {
        purpose: Purpose::EarlySignalling,
        category,
        action: Action::Write,
        subject: &subject,
        consent: false,
    };
    let mut requests: Vec<Request> = categories.iter().map(|c| write(*c)).collect();
    if has_bsn && !categories.contains(&DataCategory::Identity) {
        requests.push(write(DataCategory::Identity));
    }
    if has_address && !categories.contains(&DataCategory::Contact) {
        requests.push(write(DataCategory::Contact));
    }
    let (mut tx, handles) = match pass_all(&app.store, &app.keys, covenant, actor, &requests).await? {
        Ok(ok) => ok,
        Err(denied) => return Ok(Ingested::Denied(denied)),
    };
    // The Logboek operation of the delivery: the parent of each signal's intake.
    let Some(delivery_op) = handles.first().map(|h| h.processing) else {
        return Err(AppError::Internal("the gate allowed a batch without a handle".into()));
    };
    // The identity handle is the vault's, unless a kind's own category is identity.
    let mut handles = handles;
    let identity = match handles.iter().position(|h| h.category() == DataCategory::Identity.code()) {
        Some(i) if !categories.contains(&DataCategory::Identity) => Some(handles.remove(i)),
        _ => None,
    };
    let access = leefwijk_store::SignalAccess::new(
        handles,
        kinds.iter().map(|k| (k.code().to_string(), covenant.signal_category(*k).code().to_string())).collect(),
        kinds.len() == SignalKind::ALL.len(),
    );
    phases.lap("gate");
    let now = crate::access::identity::now_ms();
    let batch = BatchRecord {
        id: batch_id.clone(),
        tenant_id: tenant.clone(),
        sender_id: actor.id().to_string(),
        organisation_id: actor.organisation_id().to_string(),
        idempotency_key: delivery.idempotency_key.map(String::from).unwrap_or_else(|| batch_id.clone()),
        body_hash: delivery.body_hash.clone(),
        format: delivery.format.to_string(),
        row_count: rows.len() as i64,
        received_at: now,
        outcome: None,
    };
    if let Err(e) = tx.insert_signal_batch(&access, &batch).await {
        // A concurrent delivery with the same key won the race: answer as a replay.
        tx.rollback().await?;
        if let (StoreError::Database(_), Some(key)) = (&e, delivery.idempotency_key) {
            if let Some(stored) = app.store.signal_batch_by_key(&tenant, actor.id(), key).await? {
                return replay_or_conflict(&stored, &delivery.body_hash);
            }
        }
        return Err(e.into());
    }

    // Matching per household against the last seven months of stored signals.
    // Rows grouped by household (in household order, each group in row order): one sort
    // instead of a map entry and a vector per household.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_unstable_by(|&a, &b| rows[a].household.cmp(&rows[b].household).then(a.cmp(&b)));
    let by_household: Vec<(&str, &[usize])> = order
        .chunk_by(|&a, &b| rows[a].household == rows[b].household)
        .map(|group| (rows[group[0]].household.as_str(), group))
        .collect();
    let earliest = rows.iter().map(|r| r.facts.signal_date).min().unwrap_or(today);
    let since = earliest.add_days(-215).to_string();
    let households: Vec<String> = by_household.iter().map(|(h, _)| h.to_string()).collect();
    let history = tx.household_priors(&tenant, &households, &since).await?;
    phases.lap("history");
    let mut prior_of: HashMap<String, Vec<Prior>> = HashMap::with_capacity(history.len());
    for (household, prior) in history.into_iter().filter_map(prior_of_record) {
        prior_of.entry(household).or_default().push(prior);
    }
    let rules = routing_rules(app, &tenant).await?;
    let sealer = Sealer::new(&app.keys.vault_key(&tenant).map_err(key_error)?)?;
    let mut entropy = Entropy::new();
    // The deadline depends only on kind, crisis and today: computed once per pair.
    let mut deadlines: HashMap<(SignalKind, bool), Date> = HashMap::new();
    let pseudonym_key_id = app.keys.pseudonym_key(&tenant, Purpose::EarlySignalling).map_err(key_error)?.id;

    let today_text = today.to_string();
    // New cases with their earliest deadline, written out as text once at the end.
    // Households come one after the other, so a household's new cases are the tail of this
    // list from `household_start` on: no map keyed by household over the whole batch.
    let mut new_cases: Vec<(CaseRecord, Date, Vec<SignalFacts>)> = Vec::new();
    let mut touched: BTreeMap<String, (Vec<SignalFacts>, Option<Date>)> = BTreeMap::new();
    let mut signals = Vec::with_capacity(rows.len());
    let mut vault = Vec::new();
    let mut vaulted: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut repeats = 0;
    let mut household_facts: Vec<SignalFacts> = Vec::new();
    for &(household, indices) in &by_household {
        let household_start = new_cases.len();
        household_facts.clear();
        household_facts.extend(indices.iter().map(|&i| rows[i].facts.clone()));
        let prior = prior_of.get(household).map(Vec::as_slice).unwrap_or(&[]);
        for a in assign(prior, &household_facts) {
            let row = &rows[indices[a.index]];
            let due = (!a.classification.repeat).then(|| {
                *deadlines
                    .entry((row.signal.kind, row.signal.crisis))
                    .or_insert_with(|| config.deadlines.due(row.signal.kind, row.signal.crisis, today))
            });
            let case_id = match &a.target {
                Target::Existing(id) => {
                    let entry = touched.entry(id.clone()).or_insert_with(|| (Vec::new(), None));
                    if !a.classification.repeat {
                        entry.0.push(row.facts.clone());
                        entry.1 = match (entry.1, due) {
                            (Some(x), Some(y)) => Some(x.min(y)),
                            (x, y) => x.or(y),
                        };
                    }
                    id.clone()
                }
                Target::New { year, month } => {
                    let case_month = format!("{year:04}-{month:02}");
                    let existing = new_cases[household_start..].iter().position(|(c, _, _)| c.case_month == case_month);
                    let at = match existing {
                        Some(offset) => household_start + offset,
                        None => {
                            new_cases.push((
                                CaseRecord {
                                    id: entropy.uuid_v7(now)?,
                                    tenant_id: tenant.clone(),
                                    household_key: household.to_string(),
                                    case_month,
                                    buurt_code: row.buurt.as_str().to_string(),
                                    team_id: route(&row.buurt, row.signal.kind, &rules).map(String::from),
                                    team_name: None,
                                    opened_on: today_text.clone(),
                                    due_on: String::new(),
                                    priority: 0,
                                    status: "open".into(),
                                    outcome: None,
                                    closed_on: None,
                                    first_contact_on: None,
                                    reached: false,
                                    recurrent: false,
                                    signal_count: 0,
                                    sealed_address: None,
                                    created_at: now,
                                },
                                due.unwrap_or(today),
                                Vec::with_capacity(1),
                            ));
                            new_cases.len() - 1
                        }
                    };
                    let (case, case_due, case_facts) = &mut new_cases[at];
                    if let Some(due) = due {
                        *case_due = (*case_due).min(due);
                    }
                    case.recurrent |= a.classification.recurrent;
                    case.signal_count += 1;
                    if case.sealed_address.is_none() {
                        if let Some(address) = &row.signal.address {
                            case.sealed_address = Some(sealer.seal_from(&address.display(), &mut entropy)?);
                        }
                    }
                    case_facts.push(row.facts.clone());
                    case.id.clone()
                }
            };
            if a.classification.repeat {
                repeats += 1;
            }
            if let (true, Some(person), Some(bsn)) = (keep_identity, &row.person, &row.signal.bsn) {
                // One vault entry per person and batch: a person in several rows is sealed once.
                if vaulted.insert(person.as_str()) {
                    vault.push((
                        person.clone(),
                        pseudonym_key_id.clone(),
                        sealer.seal_from(&bsn.expose(), &mut entropy)?,
                    ));
                }
            }
            signals.push(SignalRecord {
                id: entropy.uuid_v7(now)?,
                tenant_id: tenant.clone(),
                batch_id: batch_id.clone(),
                row_number: row.line as i64,
                case_id,
                organisation_id: actor.organisation_id().to_string(),
                kind: row.signal.kind.code().to_string(),
                person_pseudonym: row.person.clone(),
                household_key: row.household.clone(),
                buurt_code: row.buurt.as_str().to_string(),
                arrears_cents: row.signal.arrears_cents,
                arrears_since: row.signal.arrears_since.map(|d| d.to_string()),
                signal_date: row.signal.signal_date.to_string(),
                received_on: today_text.clone(),
                customer_key: row.customer.clone(),
                reference: row.signal.reference.clone(),
                crisis: row.signal.crisis,
                preconditions: preconditions_bits(&row.signal),
                is_multiple: a.classification.multiple,
                is_recurrent: a.classification.recurrent,
                is_repeat: a.classification.repeat,
                created_at: now,
            });
        }
    }
    let cases: Vec<CaseRecord> = new_cases
        .into_iter()
        .map(|(mut case, due, facts)| {
            case.due_on = due.to_string();
            case.priority = i64::from(priority(&facts));
            case
        })
        .collect();
    // Stored cases that took new (non-repeat) signals: new deadline, priority and count.
    let stacked_ids: Vec<String> =
        touched.iter().filter(|(_, (f, _))| !f.is_empty()).map(|(id, _)| id.clone()).collect();
    phases.lap("matching");
    let stored = tx.cases_by_ids(&tenant, &stacked_ids).await?;
    phases.lap("stored_cases");
    let mut restacked = Vec::with_capacity(stored.len());
    for mut case in stored {
        let Some((new_facts, due)) = touched.get(&case.id) else { continue };
        // The case's stored signals are among its household's priors.
        let mut all: Vec<SignalFacts> = prior_of
            .get(&case.household_key)
            .into_iter()
            .flatten()
            .filter(|p| p.case_id == case.id)
            .map(|p| p.facts.clone())
            .collect();
        all.extend(new_facts.iter().cloned());
        case.priority = i64::from(priority(&all));
        case.signal_count += new_facts.len() as i64;
        if let Some(due) = due {
            if due.to_string() < case.due_on {
                case.due_on = due.to_string();
            }
        }
        restacked.push(case);
    }
    phases.lap("priorities");
    let processing = logboek_operations(
        &mut entropy,
        LogboekBatch { covenant, actor, delivery: delivery_op, start_ms: now },
        &signals,
        &cases,
        &restacked,
    )?;
    phases.lap("logboek");
    tx.restack_cases(&access, &batch_id, &tenant, &restacked).await?;
    let stacked = restacked.len() as u64;
    phases.lap("restack");
    tx.insert_cases(&access, &batch_id, &cases).await?;
    phases.lap("insert_cases");
    tx.insert_signals(&access, &batch_id, &signals).await?;
    phases.lap("insert_signals");
    let identity =
        identity.as_ref().or_else(|| access.handles().iter().find(|h| h.category() == DataCategory::Identity.code()));
    if let Some(identity) = identity {
        // In key order, so the inserts walk the vault's primary key once.
        vault.sort_unstable();
        tx.vault_put_batch(identity, &tenant, &batch_id, &vault, now).await?;
    }
    phases.lap("vault");
    let outcome =
        BatchOutcome { cases_opened: cases.len() as i64, cases_stacked: stacked as i64, repeats: repeats as i64 };
    tx.record_batch_outcome(&batch_id, outcome).await?;
    tx.append_processing(&processing).await?;
    tx.commit().await?;
    phases.lap("commit");
    if signals.len() >= ANALYZE_AFTER_ROWS {
        app.store.refresh_signal_statistics().await?;
        phases.lap("statistics");
    }
    tracing::info!(
        batch = %batch_id, rows = signals.len(), cases_opened = cases.len(), stacked, repeats, %phases,
        "signal batch stored"
    );
    Ok(Ingested::Stored(BatchReport {
        batch_id,
        rows: signals.len() as i64,
        replayed: false,
        cases_opened: cases.len() as u64,
        cases_stacked: stacked,
        repeats,
        received_at_ms: now,
    }))
}
