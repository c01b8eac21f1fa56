//! Taking in a batch of signals: validate every row (all or nothing), pseudonymise on
//! entry, match per household, route to a team, set deadlines, and store the batch, its
//! signals, cases and vault entries in one transaction with the gate's audit entries.
//! An idempotency key makes a retry return the stored batch instead of a second copy.

use super::intake::{RowError, MAX_ROWS};
use super::SignalsConfig;
use crate::access::gate::{pass_all, Actor, Denied, Request};
use crate::access::vault::Sealer;
use crate::{App, AppError};
use leefwijk_domain::access::covenant::{Action, Covenant, DataCategory, Purpose};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::signals::grouping::{assign, Prior, Target};
use leefwijk_domain::signals::intake::{validate, SignalInput, ValidSignal};
use leefwijk_domain::signals::routing::{route, RoutingRule};
use leefwijk_domain::signals::{priority, SignalFacts, SignalKind};
use leefwijk_domain::AreaCode;
use leefwijk_store::{BatchRecord, CaseRecord, SignalRecord, StoreError};
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

fn report_of(batch: &BatchRecord, replayed: bool) -> BatchReport {
    BatchReport {
        batch_id: batch.id.clone(),
        rows: batch.row_count,
        replayed,
        cases_opened: 0,
        cases_stacked: 0,
        repeats: 0,
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

fn facts_of(s: &SignalRecord) -> Option<SignalFacts> {
    Some(SignalFacts {
        partner: s.organisation_id.clone(),
        kind: SignalKind::parse(&s.kind)?,
        arrears_cents: s.arrears_cents,
        signal_date: Date::parse(&s.signal_date).ok()?,
        crisis: s.crisis,
    })
}

fn preconditions_bits(v: &ValidSignal) -> i64 {
    let p = v.preconditions;
    i64::from(p.reminder_sent)
        | i64::from(p.personal_contact_attempted) << 1
        | i64::from(p.debt_help_pointed_to) << 2
        | i64::from(p.no_objection) << 3
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
    let rows = match prepare(app, actor, delivery.rows, today).await? {
        Ok(rows) => rows,
        Err(errors) => return Ok(Ingested::Rejected(errors)),
    };
    let batch_id = uuid::Uuid::now_v7().to_string();
    let subject = format!("batch:{batch_id}");
    let keep_identity = covenant.terms(Purpose::Reidentification).is_some();
    let has_bsn = keep_identity && rows.iter().any(|r| r.person.is_some());
    let has_address = rows.iter().any(|r| r.signal.address.is_some());
    let mut requests = vec![Request {
        purpose: Purpose::EarlySignalling,
        category: DataCategory::Financial,
        action: Action::Write,
        subject: &subject,
        consent: false,
    }];
    if has_bsn {
        requests.push(Request { category: DataCategory::Identity, ..requests[0].clone() });
    }
    if has_address {
        requests.push(Request { category: DataCategory::Contact, ..requests[0].clone() });
    }
    let (mut tx, handles) = match pass_all(&app.store, &app.keys, covenant, actor, &requests).await? {
        Ok(ok) => ok,
        Err(denied) => return Ok(Ingested::Denied(denied)),
    };
    let financial = &handles[0];
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
    };
    if let Err(e) = tx.insert_signal_batch(financial, &batch).await {
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
    let mut by_household: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_household.entry(r.household.as_str()).or_default().push(i);
    }
    let earliest = rows.iter().map(|r| r.facts.signal_date).min().unwrap_or(today);
    let since = earliest.add_days(-215).to_string();
    let households: Vec<String> = by_household.keys().map(|h| h.to_string()).collect();
    let history = tx.household_history(&tenant, &households, &since).await?;
    let mut prior_of: HashMap<&str, Vec<Prior>> = HashMap::new();
    let mut prior_signals: HashMap<String, Vec<SignalFacts>> = HashMap::new();
    for (s, open) in &history {
        if let Some(facts) = facts_of(s) {
            prior_signals.entry(s.case_id.clone()).or_default().push(facts.clone());
            prior_of.entry(s.household_key.as_str()).or_default().push(Prior {
                facts,
                case_id: s.case_id.clone(),
                case_open: *open,
                repeat: s.is_repeat,
            });
        }
    }
    let rules = routing_rules(app, &tenant).await?;
    let sealer = Sealer::new(&app.keys.vault_key(&tenant).map_err(key_error)?)?;
    // The deadline depends only on kind, crisis and today: computed once per pair.
    let mut deadlines: HashMap<(SignalKind, bool), Date> = HashMap::new();
    let pseudonym_key_id = app.keys.pseudonym_key(&tenant, Purpose::EarlySignalling).map_err(key_error)?.id;

    let mut new_cases: BTreeMap<(String, i32, u32), CaseRecord> = BTreeMap::new();
    let mut new_case_facts: HashMap<String, Vec<SignalFacts>> = HashMap::new();
    let mut touched: BTreeMap<String, (Vec<SignalFacts>, Option<Date>)> = BTreeMap::new();
    let mut signals = Vec::with_capacity(rows.len());
    let mut vault = Vec::new();
    let mut repeats = 0;
    let mut household_facts: Vec<SignalFacts> = Vec::new();
    for (household, indices) in &by_household {
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
                    let key = (household.to_string(), *year, *month);
                    let case = new_cases.entry(key).or_insert_with(|| CaseRecord {
                        id: uuid::Uuid::now_v7().to_string(),
                        tenant_id: tenant.clone(),
                        household_key: household.to_string(),
                        case_month: format!("{year:04}-{month:02}"),
                        buurt_code: row.buurt.as_str().to_string(),
                        team_id: route(&row.buurt, row.signal.kind, &rules).map(String::from),
                        team_name: None,
                        opened_on: today.to_string(),
                        due_on: due.unwrap_or(today).to_string(),
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
                    });
                    if let Some(due) = due {
                        if due.to_string() < case.due_on {
                            case.due_on = due.to_string();
                        }
                    }
                    case.recurrent |= a.classification.recurrent;
                    case.signal_count += 1;
                    if case.sealed_address.is_none() {
                        if let Some(address) = &row.signal.address {
                            case.sealed_address = Some(sealer.seal(&address.display())?);
                        }
                    }
                    new_case_facts.entry(case.id.clone()).or_default().push(row.facts.clone());
                    case.id.clone()
                }
            };
            if a.classification.repeat {
                repeats += 1;
            }
            if let (true, Some(person), Some(bsn)) = (keep_identity, &row.person, &row.signal.bsn) {
                vault.push((person.clone(), pseudonym_key_id.clone(), sealer.seal(&bsn.expose())?));
            }
            signals.push(SignalRecord {
                id: uuid::Uuid::now_v7().to_string(),
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
                received_on: today.to_string(),
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
    let mut cases: Vec<CaseRecord> = new_cases.into_values().collect();
    for case in &mut cases {
        case.priority = i64::from(priority(new_case_facts.get(&case.id).map(Vec::as_slice).unwrap_or(&[])));
    }
    // Stored cases that took new (non-repeat) signals: new deadline, priority and count.
    let stacked_ids: Vec<String> =
        touched.iter().filter(|(_, (f, _))| !f.is_empty()).map(|(id, _)| id.clone()).collect();
    let stored = tx.cases_by_ids(&tenant, &stacked_ids).await?;
    let mut restacked = Vec::with_capacity(stored.len());
    for mut case in stored {
        let Some((new_facts, due)) = touched.get(&case.id) else { continue };
        let mut all = prior_signals.get(&case.id).cloned().unwrap_or_default();
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
    tx.restack_cases(financial, &batch_id, &tenant, &restacked).await?;
    let stacked = restacked.len() as u64;
    tx.insert_cases(financial, &batch_id, &cases).await?;
    tx.insert_signals(financial, &batch_id, &signals).await?;
    if let Some(identity) = handles.iter().find(|h| h.category() == "identity") {
        vault.sort();
        vault.dedup_by(|a, b| a.0 == b.0);
        tx.vault_put_batch(identity, &tenant, &batch_id, &vault, now).await?;
    }
    tx.commit().await?;
    if signals.len() >= ANALYZE_AFTER_ROWS {
        app.store.refresh_signal_statistics().await?;
    }
    tracing::info!(batch = %batch_id, rows = signals.len(), cases_opened = cases.len(), stacked, repeats, "signal batch stored");
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
