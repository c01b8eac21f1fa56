//! DDAS vroegsignalering: the delivery of a period's early-signalling records to CBS as
//! VNG Realisatie's exchange specification v0.9 defines it (docs/ddas.md). The records are
//! read through the gate under the covenant's `statistics` purpose, audited like every
//! other read of personal data; what leaves is pseudonymised under that purpose's own key
//! and holds no BSN, name, address or internal id.

use crate::access::gate::{pass, pass_all, Actor, Denied, Request};
use crate::{App, AppError};
use leefwijk_domain::access::covenant::{decide, AccessRequest, Action, Covenant, DataCategory, Purpose, PurposeTerms};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::signals::contact::{Channel, PartOfDay};
use leefwijk_domain::signals::ddas::{
    assemble, municipality_code, AttemptIn, CaseIn, CaseState, ContactPerson, Delivery, SignalIn, Supplier,
    SupplyingOrganisation,
};
use leefwijk_domain::signals::period::{Period, PeriodError};
use leefwijk_domain::signals::{Outcome, SignalKind};
use leefwijk_domain::AreaCode;
use leefwijk_store::{AccessHandle, SignalAccess, StoreTx};
use serde::Deserialize;

/// The covenant purpose a delivery needs, as a `[[purposes]]` block to add to a covenant.
pub const STATISTICS_PURPOSE: &str = include_str!("ddas_purpose.toml");

/// `[signals.ddas]` in leefwijk.toml: who delivers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DdasConfig {
    /// The code CBS gave the supplier of the data (the software supplier or host).
    pub code_gegevensleverancier: Option<String>,
    /// The organisation that delivers: the municipality, or the party handling early
    /// signalling on its behalf.
    pub organisation_name: Option<String>,
    /// Its number in the Dutch trade register (KvK), eight digits.
    pub kvk_number: Option<String>,
    /// At least one person CBS can ask about the delivery.
    pub contacts: Vec<DdasContact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DdasContact {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub job_title: Option<String>,
}

fn plausible_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

impl DdasConfig {
    /// The fictional supplier of the demo.
    pub fn demo() -> DdasConfig {
        DdasConfig {
            code_gegevensleverancier: Some("LEEFWIJK-DEMO".into()),
            organisation_name: Some("Gemeente Wijkerveen (fictief)".into()),
            kvk_number: Some("00000000".into()),
            contacts: vec![DdasContact {
                name: "B. Beleid (fictief)".into(),
                phone: Some("0900-0000000".into()),
                email: Some("vroegsignalering@wijkerveen.example".into()),
                job_title: Some("Beleidsmedewerker schuldhulpverlening".into()),
            }],
        }
    }

    /// The supplier as the delivery names it; an error names the setting to fix.
    pub fn supplier(&self) -> Result<Supplier, AppError> {
        let bad = |key: &str, what: &str| AppError::BadRequest(format!("[signals.ddas] {key}: {what} (docs/ddas.md)"));
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let code = text(&self.code_gegevensleverancier)
            .ok_or_else(|| bad("code_gegevensleverancier", "not set: the supplier code CBS gave you is required"))?;
        if code.chars().count() > 80 || code.chars().any(char::is_control) {
            return Err(bad("code_gegevensleverancier", "at most 80 characters, no control characters"));
        }
        let name = text(&self.organisation_name)
            .ok_or_else(|| bad("organisation_name", "not set: name the organisation that delivers"))?;
        if name.chars().count() > 200 {
            return Err(bad("organisation_name", "at most 200 characters"));
        }
        let kvk = text(&self.kvk_number).ok_or_else(|| bad("kvk_number", "not set"))?;
        if kvk.len() != 8 || !kvk.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("kvk_number", "a KvK number has eight digits"));
        }
        if self.contacts.is_empty() {
            return Err(bad("contacts", "name at least one contact person"));
        }
        let mut contacts: Vec<ContactPerson> = Vec::with_capacity(self.contacts.len());
        for (i, c) in self.contacts.iter().enumerate() {
            let n = i + 1;
            if c.name.trim().is_empty() || c.name.chars().count() > 200 {
                return Err(bad("contacts", &format!("contact {n} needs a name of at most 200 characters")));
            }
            if let Some(e) = text(&c.email) {
                if !plausible_email(&e) {
                    return Err(bad("contacts", &format!("contact {n}: '{e}' is not an e-mail address")));
                }
            }
            let person = ContactPerson {
                name: Some(c.name.trim().to_string()),
                phone: text(&c.phone),
                email: text(&c.email),
                job_title: text(&c.job_title),
            };
            if contacts.contains(&person) {
                return Err(bad("contacts", &format!("contact {n} is listed twice")));
            }
            contacts.push(person);
        }
        Ok(Supplier { code, organisation: SupplyingOrganisation { name: Some(name), kvk_number: Some(kvk), contacts } })
    }
}

/// A period asked for wrongly, naming the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPeriod {
    pub parameter: &'static str,
    pub message: String,
}

impl std::fmt::Display for BadPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.parameter, self.message)
    }
}

impl From<BadPeriod> for AppError {
    fn from(b: BadPeriod) -> AppError {
        AppError::BadRequest(b.to_string())
    }
}

/// The period of a delivery: a month (`period=2026-11`) or two dates (`from`, `to`).
pub fn period_of(period: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<Period, BadPeriod> {
    let named = |parameter: &'static str, e: PeriodError| BadPeriod { parameter, message: e.to_string() };
    match (period, from, to) {
        (Some(p), None, None) => Period::month(p).map_err(|e| named("period", e)),
        (None, Some(f), Some(t)) => Period::between(f, t).map_err(|e| match e {
            PeriodError::Date(ref bad) if Date::parse(f).is_err() && bad == f.trim() => named("from", e),
            PeriodError::Date(_) => named("to", e),
            other => named("to", other),
        }),
        (Some(_), _, _) => Err(BadPeriod {
            parameter: "period",
            message: "give either a month (period) or two dates (from and to), not both".into(),
        }),
        (None, Some(_), None) => Err(BadPeriod { parameter: "to", message: "missing: give the last day too".into() }),
        (None, None, Some(_)) => {
            Err(BadPeriod { parameter: "from", message: "missing: give the first day too".into() })
        }
        (None, None, None) => Err(BadPeriod {
            parameter: "period",
            message: "missing: give a month such as 2026-11, or from and to dates".into(),
        }),
    }
}

/// The covenant `covenant_text` with `purpose_block` (a `[[purposes]]` block such as
/// [`STATISTICS_PURPOSE`]) added as its next version, unless it has that purpose already.
pub fn covenant_with_purpose(covenant_text: &str, purpose_block: &str) -> Result<String, AppError> {
    #[derive(Deserialize)]
    struct Block {
        purposes: Vec<PurposeTerms>,
    }
    let mut covenant = crate::access::covenant::parse(covenant_text)?;
    let block: Block =
        toml::from_str(purpose_block).map_err(|e| AppError::BadRequest(format!("purpose block: {e}")))?;
    let mut changed = false;
    for terms in block.purposes {
        if covenant.terms(terms.purpose).is_none() {
            covenant.purposes.push(terms);
            changed = true;
        }
    }
    if !changed {
        return Ok(covenant_text.to_string());
    }
    covenant.version += 1;
    let text = toml::to_string(&covenant).map_err(|e| AppError::Internal(format!("covenant as TOML: {e}")))?;
    crate::access::covenant::parse(&text)?;
    Ok(text)
}

fn internal(what: &str) -> impl Fn(String) -> AppError + '_ {
    move |detail| AppError::Internal(format!("{what}: {detail}"))
}

/// The handles a delivery reads under: contact data (cases, attempts) and the signal
/// categories allowed, with the open transaction.
struct Passed {
    tx: StoreTx,
    contact: AccessHandle,
    signals: Vec<AccessHandle>,
    categories: Vec<DataCategory>,
}

fn statistics_read(category: DataCategory, subject: &str) -> Request<'_> {
    Request { purpose: Purpose::Statistics, category, action: Action::Read, subject, consent: false }
}

async fn pass_actor(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    subject: &str,
) -> Result<Result<Passed, Denied>, AppError> {
    let allowed = |category| {
        decide(
            covenant,
            &AccessRequest {
                organisation_kind: actor.organisation_kind(),
                role: actor.role(),
                purpose: Purpose::Statistics,
                category,
                action: Action::Read,
                consent: false,
            },
        )
        .allowed
    };
    let signal_categories = covenant.signal_categories();
    let granted: Vec<DataCategory> = signal_categories.iter().copied().filter(|c| allowed(*c)).collect();
    // Without the cases' outcomes and attempts there is no delivery; without any signal
    // category there is nothing to deliver: either refusal is audited by the gate.
    let refused = if !allowed(DataCategory::Contact) {
        Some(DataCategory::Contact)
    } else if granted.is_empty() {
        Some(signal_categories.first().copied().unwrap_or(DataCategory::Financial))
    } else {
        None
    };
    if let Some(category) = refused {
        return match pass(&app.store, &app.keys, covenant, actor, &statistics_read(category, subject)).await? {
            Err(denied) => Ok(Err(denied)),
            Ok(_) => Err(AppError::Internal("the gate allowed what the covenant refuses".into())),
        };
    }
    let mut requests = vec![statistics_read(DataCategory::Contact, subject)];
    requests.extend(granted.iter().map(|c| statistics_read(*c, subject)));
    let (tx, mut handles) = match pass_all(&app.store, &app.keys, covenant, actor, &requests).await? {
        Ok(ok) => ok,
        Err(denied) => return Ok(Err(denied)),
    };
    let contact = handles.remove(0);
    Ok(Ok(Passed { tx, contact, signals: handles, categories: granted }))
}

/// The DDAS delivery of `period` for the actor's collaboration: one levering per
/// municipality, read through the gate under the covenant's `statistics` purpose and
/// audited in the actor's name (the API's caller, or the person `leefwijk ddas export
/// --user` names); `Err(Denied)` when the covenant does not let the actor read the data
/// for statistics.
pub async fn export(
    app: &App,
    covenant: &Covenant,
    actor: &Actor,
    period: &Period,
) -> Result<Result<Delivery, Denied>, AppError> {
    let tenant = actor.tenant_id().to_string();
    // The configuration first: a missing supplier code is found before any data is read.
    // The fictional demo collaboration delivers as the fictional demo supplier unless
    // `[signals.ddas]` is configured.
    let supplier = if app.signals.ddas == DdasConfig::default() && tenant == crate::demo::DEMO_TENANT {
        DdasConfig::demo().supplier()?
    } else {
        app.signals.ddas.supplier()?
    };
    let subject = format!("ddas:{period}");
    let passed = match pass_actor(app, covenant, actor, &subject).await? {
        Ok(p) => p,
        Err(denied) => return Ok(Err(denied)),
    };
    let Passed { mut tx, contact, signals: signal_handles, categories } = passed;
    let kinds: Vec<(String, String)> = covenant
        .signal_kinds_in(&categories)
        .into_iter()
        .map(|k| (k.code().to_string(), covenant.signal_category(k).code().to_string()))
        .collect();
    let every_kind = kinds.len() == SignalKind::ALL.len();
    let access = SignalAccess::new(signal_handles, kinds, every_kind);
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let cases = tx.delivery_cases(&contact, &tenant, &subject, &from, &to).await?;
    let signals = tx.delivery_signals(&access, &tenant, &subject, &from, &to).await?;
    let case_ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let attempts = tx.delivery_attempts(&contact, &tenant, &subject, &case_ids).await?;
    tx.commit().await?;

    let key = app.keys.pseudonym_key(&tenant, Purpose::Statistics).map_err(|e| AppError::Internal(e.to_string()))?;
    let date = |s: &str| Date::parse(s).map_err(|e| AppError::Internal(format!("stored date: {e}")));
    let gemeente = |buurt: &str| {
        AreaCode::parse(buurt)
            .ok()
            .and_then(|c| municipality_code(&c))
            .ok_or_else(|| AppError::Internal(format!("stored area code '{buurt}'")))
    };
    let signals_in = signals
        .iter()
        .map(|s| {
            Ok(SignalIn {
                delivery_id: key.delivery_id(&s.id),
                case_id: s.case_id.clone(),
                municipality: gemeente(&s.buurt_code)?,
                kind: SignalKind::parse(&s.kind).ok_or_else(|| internal("stored signal kind")(s.kind.clone()))?,
                arrears_cents: s.arrears_cents,
                arrears_since: s.arrears_since.as_deref().map(date).transpose()?,
                signal_date: date(&s.signal_date)?,
                crisis: s.crisis,
                repeat: s.is_repeat,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let cases_in = cases
        .iter()
        .map(|c| {
            let state = match (c.status.as_str(), c.outcome.as_deref()) {
                ("open", _) => CaseState::Open { contacted: c.first_contact_on.is_some() },
                ("closed", Some(code)) => {
                    CaseState::Closed(Outcome::parse(code).ok_or_else(|| internal("stored outcome")(code.to_string()))?)
                }
                (status, _) => return Err(internal("stored case status")(status.to_string())),
            };
            let month = Period::month(&c.case_month).map_err(|e| internal("stored case month")(e.to_string()))?;
            Ok(CaseIn {
                case_id: c.id.clone(),
                municipality: gemeente(&c.buurt_code)?,
                month: (month.from.year, month.from.month),
                opened_on: date(&c.opened_on)?,
                state,
                first_contact_on: c.first_contact_on.as_deref().map(date).transpose()?,
                reached: c.reached,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let attempts_in = attempts
        .iter()
        .map(|a| {
            Ok(AttemptIn {
                case_id: a.case_id.clone(),
                on: date(&a.attempted_on)?,
                channel: Channel::parse(&a.channel).ok_or_else(|| internal("stored channel")(a.channel.clone()))?,
                part_of_day: PartOfDay::parse(&a.part_of_day)
                    .ok_or_else(|| internal("stored part of day")(a.part_of_day.clone()))?,
                reached: a.reached,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let municipalities: Vec<String> = app
        .store
        .tenant_municipalities(&tenant)
        .await?
        .iter()
        .filter_map(|gm| AreaCode::parse(gm).ok().and_then(|c| municipality_code(&c)))
        .collect();
    let now = crate::access::identity::now_ms();
    Ok(Ok(assemble(period, now, &supplier, &municipalities, &signals_in, &cases_in, &attempts_in)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supplier_comes_from_the_configuration_and_errors_name_the_setting() {
        let demo = DdasConfig::demo().supplier().expect("demo supplier");
        assert_eq!(demo.code, "LEEFWIJK-DEMO");
        assert_eq!(demo.organisation.contacts.len(), 1);
        let missing = DdasConfig::default().supplier().expect_err("nothing configured");
        assert!(missing.to_string().contains("code_gegevensleverancier"), "{missing}");
        let kvk = DdasConfig { kvk_number: Some("1234".into()), ..DdasConfig::demo() };
        assert!(kvk.supplier().expect_err("short").to_string().contains("kvk_number"));
        let mut mail = DdasConfig::demo();
        mail.contacts[0].email = Some("not an address".into());
        assert!(mail.supplier().expect_err("mail").to_string().contains("contacts"));
        let none = DdasConfig { contacts: vec![], ..DdasConfig::demo() };
        assert!(none.supplier().expect_err("no contact").to_string().contains("contacts"));
    }

    #[test]
    fn a_period_is_a_month_or_two_dates_and_errors_name_the_parameter() {
        assert_eq!(period_of(Some("2026-11"), None, None).map(|p| p.to_string()), Ok("2026-11".into()));
        assert_eq!(
            period_of(None, Some("2026-11-01"), Some("2026-11-15")).map(|p| p.to_string()),
            Ok("2026-11-01/2026-11-15".into())
        );
        let param = |r: Result<Period, BadPeriod>| r.err().map(|b| b.parameter);
        assert_eq!(param(period_of(Some("2026-13"), None, None)), Some("period"));
        assert_eq!(param(period_of(None, None, None)), Some("period"));
        assert_eq!(param(period_of(Some("2026-11"), Some("2026-11-01"), None)), Some("period"));
        assert_eq!(param(period_of(None, Some("2026-11-31"), Some("2026-12-01"))), Some("from"));
        assert_eq!(param(period_of(None, Some("2026-11-01"), Some("morgen"))), Some("to"));
        assert_eq!(param(period_of(None, Some("2026-11-01"), None)), Some("to"));
        assert_eq!(param(period_of(None, None, Some("2026-11-01"))), Some("from"));
        assert_eq!(param(period_of(None, Some("2026-11-30"), Some("2026-11-01"))), Some("to"));
    }

    #[test]
    fn the_statistics_purpose_adds_to_a_covenant_as_its_next_version() {
        let sample = crate::access::covenant::SAMPLE_COVENANT;
        let before = crate::access::covenant::parse(sample).expect("sample");
        let text = covenant_with_purpose(sample, STATISTICS_PURPOSE).expect("with statistics");
        let after = crate::access::covenant::parse(&text).expect("valid");
        assert_eq!(after.version, before.version + 1);
        let terms = after.terms(Purpose::Statistics).expect("purpose");
        assert_eq!(terms.grants[0].categories, vec![DataCategory::Financial, DataCategory::Contact]);
        assert_eq!(covenant_with_purpose(&text, STATISTICS_PURPOSE).expect("again"), text, "added once");
    }
}
