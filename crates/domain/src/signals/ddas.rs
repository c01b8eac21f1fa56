//! The delivery of early-signalling records to CBS as VNG Realisatie's DDAS exchange
//! specification defines it ("Data delen voor Armoede en Schulden: Vroegsignalering",
//! uitwisselspecificatie v0.9, JSON schema `json_schema_Uitwisselmodel.json`, vendored with
//! its provenance in conformance/ddas/). Pure: the mapping from Leefwijk's signals, cases
//! and contact attempts to the specification's objects and code lists, and the assembly of
//! one delivery. docs/ddas.md has the tables in words.
//!
//! Every code list of the specification is an enum here; every mapping is an exhaustive
//! match, so a new signal kind, outcome or channel does not compile until it is mapped.

use super::contact::{Channel, PartOfDay};
use super::period::Period;
use super::{Outcome, SignalKind};
use crate::calendar::Date;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The version of the exchange specification this module follows.
pub const SPEC_VERSION: &str = "0.9";

/// EnumSignaalpartner: the kind of partner that sent a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[schema(as = DdasPartnerType)]
pub enum PartnerType {
    #[serde(rename = "Energie")]
    Energy,
    #[serde(rename = "Huur")]
    Rent,
    #[serde(rename = "Hypotheek")]
    Mortgage,
    #[serde(rename = "CAK Zorgverzekeringen")]
    CakHealthInsurance,
    #[serde(rename = "Zorg")]
    HealthInsurance,
    #[serde(rename = "Water")]
    Water,
    #[serde(rename = "DUO")]
    Duo,
    #[serde(rename = "Belastingdienst")]
    TaxOffice,
    #[serde(rename = "CAK Eigen bijdrage")]
    CakPersonalContribution,
    #[serde(rename = "Overige")]
    Other,
    #[serde(rename = "Dienst Toeslagen")]
    BenefitsOffice,
}

/// EnumSignaalstatus: whether the municipality picked a signal up, and if not, why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[schema(as = DdasSignalStatus)]
pub enum SignalStatus {
    #[serde(rename = "Nog niet opgepakt")]
    NotYetPickedUp,
    #[serde(rename = "Niet opgepakt: onterecht signaal")]
    NotPickedUpUnjustified,
    #[serde(rename = "Inwoner is overleden")]
    Deceased,
    #[serde(rename = "Persoon is geen inwoner (meer) in de gemeente")]
    NotAResident,
    #[serde(rename = "Niet opgepakt: herhaalde melding")]
    NotPickedUpRepeat,
    #[serde(rename = "Niet opgepakt: andere reden")]
    NotPickedUpOtherReason,
}

/// EnumEindresultaat: the final result of a vroegsignaalzaak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[schema(as = DdasFinalResult)]
pub enum FinalResult {
    #[serde(rename = "Niet opgepakt: herhaalde melding")]
    NotPickedUpRepeat,
    #[serde(rename = "Niet opgepakt: onterecht signaal")]
    NotPickedUpUnjustified,
    #[serde(rename = "Inwoner is overleden")]
    Deceased,
    #[serde(rename = "Persoon is geen inwoner (meer) in de gemeente")]
    NotAResident,
    #[serde(rename = "Niet opgepakt: andere reden")]
    NotPickedUpOtherReason,
    #[serde(rename = "Inwoner al bekend bij schuldhulpverlening")]
    AlreadyKnownToDebtHelp,
    #[serde(rename = "Inwoner heeft al een ander lopend traject")]
    OtherOngoingSupport,
    #[serde(rename = "Definitief geen contact kunnen krijgen")]
    NoContact,
    #[serde(rename = "Geen reactie na eerder contact")]
    NoResponseAfterEarlierContact,
    #[serde(rename = "Inwoner hoeft geen hulp vanuit vroegsignalering")]
    NoHelpNeeded,
    #[serde(rename = "Inwoner heeft zelf al betaald/betalingsregeling getroffen")]
    AlreadyPaidOrArranged,
    #[serde(rename = "(Budget)advies en/of quick fix")]
    QuickFix,
    #[serde(rename = "Vervolghulp en/of verwijzing financieel")]
    FollowUpFinancial,
    #[serde(rename = "Verwijzing zonder contact")]
    ReferralWithoutContact,
    #[serde(rename = "Vervolghulp en/of verwijzing niet financieel")]
    FollowUpNonFinancial,
}

/// EnumContactsoort: how contact was sought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[schema(as = DdasContactKind)]
pub enum ContactKind {
    #[serde(rename = "Mail")]
    Email,
    #[serde(rename = "Brief")]
    Letter,
    #[serde(rename = "SMS/Whatsapp")]
    TextMessage,
    #[serde(rename = "Telefoon")]
    Phone,
    #[serde(rename = "Huisbezoek")]
    HomeVisit,
    #[serde(rename = "Kaartje")]
    Card,
    #[serde(rename = "Overige")]
    Other,
    #[serde(rename = "Administratief")]
    Administrative,
}

/// EnumDagdeel: before 12:00, 12:00 to 18:00, from 18:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[schema(as = DdasDayPart)]
pub enum DayPart {
    #[serde(rename = "Ochtend")]
    Morning,
    #[serde(rename = "Middag")]
    Afternoon,
    #[serde(rename = "Avond")]
    Evening,
}

/// The partner type of a signal kind. Every Leefwijk kind has a counterpart: the arrears
/// kinds their own partner type, the non-financial kinds a housing corporation may send
/// (nuisance, neglect, worry about a resident) "Overige", as the specification has no
/// partner type for them. Whether those leave the system at all is the covenant's
/// decision (docs/ddas.md: the recommended statistics purpose grants financial data only).
pub fn partner_type(kind: SignalKind) -> PartnerType {
    match kind {
        SignalKind::RentArrears => PartnerType::Rent,
        SignalKind::EnergyArrears | SignalKind::EnergyEndOfSupply => PartnerType::Energy,
        SignalKind::DrinkingWaterArrears => PartnerType::Water,
        // Premium arrears reported by the insurer (30 to 100 days); Leefwijk receives no
        // signals from the CAK.
        SignalKind::HealthInsuranceArrears => PartnerType::HealthInsurance,
        SignalKind::Nuisance | SignalKind::Neglect | SignalKind::WorryAboutResident => PartnerType::Other,
    }
}

/// The final result of a closed case. `reached_before`: some contact attempt of the case
/// reached the household, which turns "not reached" into "no response after earlier
/// contact" (the specification's two values for what Leefwijk records as one outcome).
pub fn final_result(outcome: Outcome, reached_before: bool) -> FinalResult {
    match outcome {
        Outcome::HelpAcceptedFinancial => FinalResult::FollowUpFinancial,
        Outcome::HelpAcceptedNonFinancial => FinalResult::FollowUpNonFinancial,
        Outcome::QuickFix => FinalResult::QuickFix,
        Outcome::NoHelpNeeded => FinalResult::NoHelpNeeded,
        Outcome::AlreadyKnownToDebtHelp => FinalResult::AlreadyKnownToDebtHelp,
        Outcome::OtherOngoingSupport => FinalResult::OtherOngoingSupport,
        Outcome::NotReached if reached_before => FinalResult::NoResponseAfterEarlierContact,
        Outcome::NotReached => FinalResult::NoContact,
        Outcome::Unjustified => FinalResult::NotPickedUpUnjustified,
        Outcome::RepeatSignal => FinalResult::NotPickedUpRepeat,
        Outcome::NotAResident => FinalResult::NotAResident,
        Outcome::Deceased => FinalResult::Deceased,
        Outcome::ReferralWithoutContact => FinalResult::ReferralWithoutContact,
    }
}

/// Where a case stands on the day of the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseState {
    /// Open; `contacted`: at least one contact attempt was made.
    Open {
        contacted: bool,
    },
    Closed(Outcome),
}

/// The status of a signal, if the specification has one for it. A repeat is "not picked
/// up: repeat"; a signal of an open case without contact attempts "not yet picked up"; a
/// signal of a case closed without being picked up says why. A signal that was picked up
/// (contact attempted, or any outcome after contact) has no value in EnumSignaalstatus
/// v0.9, so its status is left out: the case's final result tells what came of it.
pub fn signal_status(repeat: bool, case: Option<CaseState>) -> Option<SignalStatus> {
    if repeat {
        return Some(SignalStatus::NotPickedUpRepeat);
    }
    match case? {
        CaseState::Open { contacted: false } => Some(SignalStatus::NotYetPickedUp),
        CaseState::Open { contacted: true } => None,
        CaseState::Closed(outcome) => match outcome {
            Outcome::Unjustified => Some(SignalStatus::NotPickedUpUnjustified),
            Outcome::RepeatSignal => Some(SignalStatus::NotPickedUpRepeat),
            Outcome::NotAResident => Some(SignalStatus::NotAResident),
            Outcome::Deceased => Some(SignalStatus::Deceased),
            Outcome::HelpAcceptedFinancial
            | Outcome::HelpAcceptedNonFinancial
            | Outcome::QuickFix
            | Outcome::NoHelpNeeded
            | Outcome::AlreadyKnownToDebtHelp
            | Outcome::OtherOngoingSupport
            | Outcome::NotReached
            | Outcome::ReferralWithoutContact => None,
        },
    }
}

pub fn contact_kind(channel: Channel) -> ContactKind {
    match channel {
        Channel::Letter => ContactKind::Letter,
        Channel::Phone => ContactKind::Phone,
        Channel::HomeVisit => ContactKind::HomeVisit,
        Channel::Email => ContactKind::Email,
        Channel::TextMessage => ContactKind::TextMessage,
        Channel::Card => ContactKind::Card,
    }
}

pub fn day_part(part: PartOfDay) -> DayPart {
    match part {
        PartOfDay::Morning => DayPart::Morning,
        PartOfDay::Afternoon => DayPart::Afternoon,
        PartOfDay::Evening => DayPart::Evening,
    }
}

/// An amount in whole euros ("bedrag: een geldbedrag in hele euros"), rounded half up
/// from cents (arrears are never negative).
pub fn whole_euros(cents: i64) -> i64 {
    (cents + 50).div_euclid(100)
}

/// The municipality code as DDAS writes it: the four digits of the CBS code (GM0363 →
/// 0363), from any area code inside the municipality.
pub fn municipality_code(area: &crate::AreaCode) -> Option<String> {
    area.municipality().map(|gm| gm.as_str()[2..].to_string())
}

/// A moment in UTC milliseconds as RFC 3339 in UTC to the second: 2026-12-01T09:30:00Z.
pub fn rfc3339_utc(ms: i64) -> String {
    let date = Date::from_days_since_epoch(ms.div_euclid(86_400_000));
    let secs = ms.rem_euclid(86_400_000) / 1000;
    format!("{date}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

// ---- The exchange model (the JSON schema's objects, field names as the schema spells them)

/// Uitwisselmodel: one file with a delivery per municipality.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasDelivery)]
pub struct Delivery {
    /// First day of the period reported on.
    #[serde(rename = "startdatumLevering")]
    #[schema(format = Date)]
    pub start_date: String,
    /// Last day of the period reported on.
    #[serde(rename = "einddatumLevering")]
    #[schema(format = Date)]
    pub end_date: String,
    /// When the file was made (UTC).
    #[serde(rename = "aanleverdatumEnTijd")]
    #[schema(format = DateTime)]
    pub delivered_at: String,
    /// The code CBS gave the supplier (software supplier or host) delivering the data.
    #[serde(rename = "codeGegevensleverancier")]
    pub supplier_code: String,
    /// One per municipality; left out when there is none (the schema asks for at least one
    /// when present).
    #[serde(rename = "leveringen", skip_serializing_if = "Vec::is_empty")]
    pub deliveries: Vec<MunicipalityDelivery>,
}

/// Levering: the signals and cases of one municipality over the period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasMunicipalityDelivery)]
pub struct MunicipalityDelivery {
    /// 1, 2, … within the file.
    #[serde(rename = "teller")]
    pub counter: u32,
    /// The four digits of the CBS municipality code (GM0363 → 0363).
    #[serde(rename = "gemeentecode")]
    pub municipality_code: String,
    #[serde(rename = "aanleverende_organisatie")]
    pub supplying_organisation: SupplyingOrganisation,
    #[serde(rename = "vroegsignalen")]
    pub signals: Vec<EarlySignal>,
    #[serde(rename = "vroegsignaalzaken")]
    pub cases: Vec<EarlySignalCase>,
}

/// AanleverendeOrganisatie: the municipality or the party that handles early signalling on
/// its behalf; from `[signals.ddas]` in leefwijk.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasSupplyingOrganisation)]
pub struct SupplyingOrganisation {
    #[serde(rename = "naam", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "kvk-nummer", skip_serializing_if = "Option::is_none")]
    pub kvk_number: Option<String>,
    #[serde(rename = "contactpersoonen", skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<ContactPerson>,
}

/// Contactpersoon at the supplying organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasContactPerson)]
pub struct ContactPerson {
    #[serde(rename = "naam", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "telefoonnummer", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(rename = "email", skip_serializing_if = "Option::is_none")]
    #[schema(format = Email)]
    pub email: Option<String>,
    #[serde(rename = "functietitel", skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
}

/// Vroegsignaal: one signal of a partner.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasEarlySignal)]
pub struct EarlySignal {
    /// A keyed pseudonym of the signal (HMAC-SHA256 under the collaboration's statistics
    /// key): the same in every delivery, never Leefwijk's own id.
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "crisissignaal")]
    pub crisis: bool,
    /// Leefwijk records no warm handover, so this is always left out.
    #[serde(rename = "warmeOverdracht", skip_serializing_if = "Option::is_none")]
    pub warm_handover: Option<bool>,
    /// Arrears in whole euros; left out for signals without an amount (non-financial kinds).
    #[serde(rename = "bedrag", skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// Since when the arrears run, when the partner said so.
    #[serde(rename = "ontstaansdatum", skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub arrears_since: Option<String>,
    #[serde(rename = "signaaldatum")]
    #[schema(format = Date)]
    pub signal_date: String,
    #[serde(rename = "status", skip_serializing_if = "Option::is_none")]
    pub status: Option<SignalStatus>,
    #[serde(rename = "signaalpartner")]
    pub partner: Partner,
    /// Always empty: no identity, name or address leaves Leefwijk (docs/ddas.md).
    pub client: Client,
}

/// Signaalpartner: only its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasPartner)]
pub struct Partner {
    #[serde(rename = "type")]
    pub kind: PartnerType,
}

/// Client: every field of the schema's client is optional and none is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
#[schema(as = DdasClient)]
pub struct Client {}

/// Vroegsignaalzaak: the handling of one household's signals.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasEarlySignalCase)]
pub struct EarlySignalCase {
    /// Left out while the case is open.
    #[serde(rename = "resultaat", skip_serializing_if = "Option::is_none")]
    pub result: Option<FinalResult>,
    /// The day the signals were matched into this case: the day it was opened.
    #[serde(rename = "matchingsdatum")]
    #[schema(format = Date)]
    pub matched_on: String,
    /// First day of the month whose signals the case gathers (the schema's spelling).
    #[serde(rename = "startdatum_matchtingperiode")]
    #[schema(format = Date)]
    pub matching_from: String,
    /// The day of the first contact attempt; left out before there is one.
    #[serde(rename = "datum_opgepakt", skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub picked_up_on: Option<String>,
    /// Last day of the month whose signals the case gathers.
    #[serde(rename = "einddatum_matchingperiode")]
    #[schema(format = Date)]
    pub matching_to: String,
    #[serde(rename = "vroegsignalen")]
    pub signals: Vec<SignalRef>,
    #[serde(rename = "contactpogingen")]
    pub attempts: Vec<ContactAttempt>,
}

/// A reference to a vroegsignaal of the same delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasSignalRef)]
pub struct SignalRef {
    #[serde(rename = "ID")]
    pub id: String,
}

/// Contactpoging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = DdasContactAttempt)]
pub struct ContactAttempt {
    #[serde(rename = "soort")]
    pub kind: ContactKind,
    #[serde(rename = "bereikt")]
    pub reached: bool,
    #[serde(rename = "datum")]
    #[schema(format = Date)]
    pub date: String,
    #[serde(rename = "dagdeel")]
    pub day_part: DayPart,
}

// ---- What the assembly is given

/// A signal to deliver, with the identifier it leaves under already computed. The case id
/// only joins the signal to its case here; it is never written out.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalIn {
    pub delivery_id: String,
    pub case_id: String,
    /// Four digits (see [`municipality_code`]).
    pub municipality: String,
    pub kind: SignalKind,
    pub arrears_cents: i64,
    pub arrears_since: Option<Date>,
    pub signal_date: Date,
    pub crisis: bool,
    pub repeat: bool,
}

/// A case to deliver; its id is never written out.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseIn {
    pub case_id: String,
    pub municipality: String,
    /// The calendar month whose signals the case gathers.
    pub month: (i32, u32),
    pub opened_on: Date,
    pub state: CaseState,
    pub first_contact_on: Option<Date>,
    /// Some contact attempt reached the household.
    pub reached: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttemptIn {
    pub case_id: String,
    pub on: Date,
    pub channel: Channel,
    pub part_of_day: PartOfDay,
    pub reached: bool,
}

/// Who delivers: the supplier's code at CBS and the supplying organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplier {
    pub code: String,
    pub organisation: SupplyingOrganisation,
}

fn month_bounds((year, month): (i32, u32)) -> (String, String) {
    match Period::month(&format!("{year:04}-{month:02}")) {
        Ok(p) => (p.from.to_string(), p.to.to_string()),
        Err(_) => (String::new(), String::new()),
    }
}

/// Assembles the delivery of a period: one [`MunicipalityDelivery`] per municipality
/// (those in `municipalities` and those the records lie in, in code order, numbered from
/// 1), signals in date order, and each case with its signals of the same delivery. A case
/// none of whose signals is delivered is left out: a vroegsignaalzaak needs at least one.
pub fn assemble(
    period: &Period,
    delivered_at_ms: i64,
    supplier: &Supplier,
    municipalities: &[String],
    signals: &[SignalIn],
    cases: &[CaseIn],
    attempts: &[AttemptIn],
) -> Delivery {
    let case_of: BTreeMap<&str, &CaseIn> = cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let mut codes: BTreeSet<&str> = municipalities.iter().map(String::as_str).collect();
    codes.extend(signals.iter().map(|s| s.municipality.as_str()));
    let mut deliveries = Vec::with_capacity(codes.len());
    for (i, code) in codes.into_iter().enumerate() {
        let mut mine: Vec<&SignalIn> = signals.iter().filter(|s| s.municipality == code).collect();
        mine.sort_by(|a, b| (a.signal_date, &a.delivery_id).cmp(&(b.signal_date, &b.delivery_id)));
        let early: Vec<EarlySignal> = mine
            .iter()
            .map(|s| EarlySignal {
                id: s.delivery_id.clone(),
                crisis: s.crisis,
                warm_handover: None,
                amount: s.kind.is_financial().then(|| whole_euros(s.arrears_cents)),
                arrears_since: s.arrears_since.map(|d| d.to_string()),
                signal_date: s.signal_date.to_string(),
                status: signal_status(s.repeat, case_of.get(s.case_id.as_str()).map(|c| c.state)),
                partner: Partner { kind: partner_type(s.kind) },
                client: Client {},
            })
            .collect();
        let mut zaken: Vec<(Date, EarlySignalCase)> = cases
            .iter()
            .filter(|c| c.municipality == code)
            .filter_map(|c| {
                let refs: Vec<SignalRef> = mine
                    .iter()
                    .filter(|s| s.case_id == c.case_id)
                    .map(|s| SignalRef { id: s.delivery_id.clone() })
                    .collect();
                if refs.is_empty() {
                    return None;
                }
                let mut tries: Vec<&AttemptIn> = attempts.iter().filter(|a| a.case_id == c.case_id).collect();
                tries.sort_by_key(|a| (a.on, a.part_of_day as u8));
                let (from, to) = month_bounds(c.month);
                Some((
                    c.opened_on,
                    EarlySignalCase {
                        result: match c.state {
                            CaseState::Closed(outcome) => Some(final_result(outcome, c.reached)),
                            CaseState::Open { .. } => None,
                        },
                        matched_on: c.opened_on.to_string(),
                        matching_from: from,
                        picked_up_on: c.first_contact_on.map(|d| d.to_string()),
                        matching_to: to,
                        signals: refs,
                        attempts: tries
                            .iter()
                            .map(|a| ContactAttempt {
                                kind: contact_kind(a.channel),
                                reached: a.reached,
                                date: a.on.to_string(),
                                day_part: day_part(a.part_of_day),
                            })
                            .collect(),
                    },
                ))
            })
            .collect();
        zaken.sort_by(|a, b| (a.0, &a.1.signals[0].id).cmp(&(b.0, &b.1.signals[0].id)));
        deliveries.push(MunicipalityDelivery {
            counter: i as u32 + 1,
            municipality_code: code.to_string(),
            supplying_organisation: supplier.organisation.clone(),
            signals: early,
            cases: zaken.into_iter().map(|(_, z)| z).collect(),
        });
    }
    Delivery {
        start_date: period.from.to_string(),
        end_date: period.to.to_string(),
        delivered_at: rfc3339_utc(delivered_at_ms),
        supplier_code: supplier.code.clone(),
        deliveries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(v: T) -> String {
        serde_json::to_value(v).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
    }

    /// The published schema, vendored in conformance/ddas/.
    fn schema_enum(name: &str) -> Vec<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../conformance/ddas/v0.9/json_schema_Uitwisselmodel.json");
        let text = std::fs::read_to_string(path).expect("vendored schema");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
        schema["$defs"][name]["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    }

    /// Every value of every code list is the schema's, spelled as the schema spells it,
    /// and every value of the schema has a variant.
    #[test]
    fn the_code_lists_are_the_schemas() {
        use PartnerType as P;
        let partners = [
            P::Energy,
            P::Rent,
            P::Mortgage,
            P::CakHealthInsurance,
            P::HealthInsurance,
            P::Water,
            P::Duo,
            P::TaxOffice,
            P::CakPersonalContribution,
            P::Other,
            P::BenefitsOffice,
        ];
        assert_eq!(partners.map(json).to_vec(), schema_enum("EnumSignaalpartner"));
        use SignalStatus as S;
        let statuses = [
            S::NotYetPickedUp,
            S::NotPickedUpUnjustified,
            S::Deceased,
            S::NotAResident,
            S::NotPickedUpRepeat,
            S::NotPickedUpOtherReason,
        ];
        assert_eq!(statuses.map(json).to_vec(), schema_enum("EnumSignaalstatus"));
        use FinalResult as F;
        let results = [
            F::NotPickedUpRepeat,
            F::NotPickedUpUnjustified,
            F::Deceased,
            F::NotAResident,
            F::NotPickedUpOtherReason,
            F::AlreadyKnownToDebtHelp,
            F::OtherOngoingSupport,
            F::NoContact,
            F::NoResponseAfterEarlierContact,
            F::NoHelpNeeded,
            F::AlreadyPaidOrArranged,
            F::QuickFix,
            F::FollowUpFinancial,
            F::ReferralWithoutContact,
            F::FollowUpNonFinancial,
        ];
        assert_eq!(results.map(json).to_vec(), schema_enum("EnumEindresultaat"));
        use ContactKind as C;
        let kinds = [C::Email, C::Letter, C::TextMessage, C::Phone, C::HomeVisit, C::Card, C::Other, C::Administrative];
        assert_eq!(kinds.map(json).to_vec(), schema_enum("EnumContactsoort"));
        assert_eq!(
            [DayPart::Morning, DayPart::Afternoon, DayPart::Evening].map(json).to_vec(),
            schema_enum("EnumDagdeel")
        );
    }

    #[test]
    fn signal_kinds_map_to_partner_types() {
        assert_eq!(partner_type(SignalKind::RentArrears), PartnerType::Rent);
        assert_eq!(partner_type(SignalKind::EnergyEndOfSupply), PartnerType::Energy);
        assert_eq!(partner_type(SignalKind::EnergyArrears), PartnerType::Energy);
        assert_eq!(partner_type(SignalKind::DrinkingWaterArrears), PartnerType::Water);
        assert_eq!(partner_type(SignalKind::HealthInsuranceArrears), PartnerType::HealthInsurance);
        for kind in SignalKind::ALL {
            assert_eq!(partner_type(kind) == PartnerType::Other, !kind.is_financial(), "{kind:?}");
        }
    }

    #[test]
    fn every_outcome_has_its_final_result() {
        let mapped: BTreeSet<FinalResult> = Outcome::ALL.iter().map(|o| final_result(*o, false)).collect();
        assert_eq!(mapped.len(), Outcome::ALL.len(), "no two outcomes share a result");
        assert_eq!(final_result(Outcome::HelpAcceptedFinancial, true), FinalResult::FollowUpFinancial);
        assert_eq!(final_result(Outcome::QuickFix, true), FinalResult::QuickFix);
        assert_eq!(final_result(Outcome::NotReached, false), FinalResult::NoContact);
        assert_eq!(final_result(Outcome::NotReached, true), FinalResult::NoResponseAfterEarlierContact);
        assert_eq!(final_result(Outcome::RepeatSignal, false), FinalResult::NotPickedUpRepeat);
        assert_eq!(final_result(Outcome::NotAResident, true), FinalResult::NotAResident);
        // Values Leefwijk never records.
        for unused in [FinalResult::NotPickedUpOtherReason, FinalResult::AlreadyPaidOrArranged] {
            assert!(Outcome::ALL.iter().all(|o| final_result(*o, true) != unused && final_result(*o, false) != unused));
        }
    }

    #[test]
    fn a_signal_status_says_whether_and_why_it_was_not_picked_up() {
        let open = |contacted| Some(CaseState::Open { contacted });
        assert_eq!(signal_status(false, open(false)), Some(SignalStatus::NotYetPickedUp));
        assert_eq!(signal_status(false, open(true)), None, "being picked up: no value in v0.9");
        assert_eq!(signal_status(true, open(false)), Some(SignalStatus::NotPickedUpRepeat));
        assert_eq!(signal_status(true, None), Some(SignalStatus::NotPickedUpRepeat), "its case in an earlier period");
        let closed = |o| signal_status(false, Some(CaseState::Closed(o)));
        assert_eq!(closed(Outcome::Unjustified), Some(SignalStatus::NotPickedUpUnjustified));
        assert_eq!(closed(Outcome::Deceased), Some(SignalStatus::Deceased));
        assert_eq!(closed(Outcome::NotAResident), Some(SignalStatus::NotAResident));
        assert_eq!(closed(Outcome::RepeatSignal), Some(SignalStatus::NotPickedUpRepeat));
        for picked_up in Outcome::ALL.into_iter().filter(|o| o.accepted_help() || *o == Outcome::NotReached) {
            assert_eq!(closed(picked_up), None, "{picked_up:?}");
        }
    }

    #[test]
    fn contact_attempts_map_one_to_one() {
        let kinds: BTreeSet<ContactKind> = Channel::ALL.into_iter().map(contact_kind).collect();
        assert_eq!(kinds.len(), Channel::ALL.len());
        assert_eq!(contact_kind(Channel::TextMessage), ContactKind::TextMessage);
        assert_eq!(json(contact_kind(Channel::HomeVisit)), "Huisbezoek");
        assert_eq!(PartOfDay::ALL.map(day_part), [DayPart::Morning, DayPart::Afternoon, DayPart::Evening]);
    }

    #[test]
    fn amounts_dates_codes_and_moments_are_written_as_the_schema_asks() {
        assert_eq!([0, 49, 50, 125_000, 125_049, 125_050].map(whole_euros), [0, 0, 1, 1250, 1250, 1251]);
        let buurt = crate::AreaCode::parse("BU03630001").expect("code");
        assert_eq!(municipality_code(&buurt).as_deref(), Some("0363"));
        assert_eq!(municipality_code(&crate::AreaCode::parse("GM0014").expect("gm")).as_deref(), Some("0014"));
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        // 2026-12-01 09:30:15.999 UTC.
        let ms = Date { year: 2026, month: 12, day: 1 }.days_since_epoch() * 86_400_000 + 34_215_999;
        assert_eq!(rfc3339_utc(ms), "2026-12-01T09:30:15Z");
    }

    fn d(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    fn supplier() -> Supplier {
        Supplier {
            code: "SOFT-1".into(),
            organisation: SupplyingOrganisation { name: Some("Gemeente".into()), kvk_number: None, contacts: vec![] },
        }
    }

    fn signal(id: &str, case: &str, gm: &str, kind: SignalKind, date: &str, repeat: bool) -> SignalIn {
        SignalIn {
            delivery_id: id.into(),
            case_id: case.into(),
            municipality: gm.into(),
            kind,
            arrears_cents: if kind.is_financial() { 45_020 } else { 0 },
            arrears_since: kind.is_financial().then(|| d("2026-10-01")),
            signal_date: d(date),
            crisis: false,
            repeat,
        }
    }

    #[test]
    fn a_delivery_groups_by_municipality_and_leaves_internal_ids_out() {
        let signals = vec![
            signal("b2", "case-1", "0363", SignalKind::EnergyArrears, "2026-11-05", false),
            signal("a1", "case-1", "0363", SignalKind::RentArrears, "2026-11-03", false),
            signal("c3", "case-0", "0363", SignalKind::RentArrears, "2026-11-20", true),
            signal("d4", "case-2", "0014", SignalKind::Nuisance, "2026-11-10", false),
        ];
        let cases = vec![
            CaseIn {
                case_id: "case-1".into(),
                municipality: "0363".into(),
                month: (2026, 11),
                opened_on: d("2026-11-06"),
                state: CaseState::Closed(Outcome::NotReached),
                first_contact_on: Some(d("2026-11-09")),
                reached: true,
            },
            CaseIn {
                case_id: "case-2".into(),
                municipality: "0014".into(),
                month: (2026, 11),
                opened_on: d("2026-11-10"),
                state: CaseState::Open { contacted: false },
                first_contact_on: None,
                reached: false,
            },
            CaseIn {
                case_id: "case-without-signals".into(),
                municipality: "0363".into(),
                month: (2026, 11),
                opened_on: d("2026-11-12"),
                state: CaseState::Open { contacted: false },
                first_contact_on: None,
                reached: false,
            },
        ];
        let attempts = vec![
            AttemptIn {
                case_id: "case-1".into(),
                on: d("2026-11-12"),
                channel: Channel::Letter,
                part_of_day: PartOfDay::Morning,
                reached: false,
            },
            AttemptIn {
                case_id: "case-1".into(),
                on: d("2026-11-09"),
                channel: Channel::Phone,
                part_of_day: PartOfDay::Evening,
                reached: true,
            },
        ];
        let period = Period::month("2026-11").expect("period");
        let out = assemble(&period, 0, &supplier(), &["0518".to_string()], &signals, &cases, &attempts);
        assert_eq!((out.start_date.as_str(), out.end_date.as_str()), ("2026-11-01", "2026-11-30"));
        let codes: Vec<(u32, &str)> =
            out.deliveries.iter().map(|l| (l.counter, l.municipality_code.as_str())).collect();
        assert_eq!(codes, vec![(1, "0014"), (2, "0363"), (3, "0518")], "an empty delivery for a quiet municipality");
        let gm0363 = &out.deliveries[1];
        let ids: Vec<&str> = gm0363.signals.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, vec!["a1", "b2", "c3"], "by signal date");
        assert_eq!(gm0363.signals[0].amount, Some(450));
        assert_eq!(gm0363.signals[0].status, None, "picked up");
        assert_eq!(gm0363.signals[2].status, Some(SignalStatus::NotPickedUpRepeat));
        assert_eq!(gm0363.cases.len(), 1, "the case without delivered signals is left out");
        let zaak = &gm0363.cases[0];
        assert_eq!(zaak.result, Some(FinalResult::NoResponseAfterEarlierContact));
        assert_eq!(zaak.signals, vec![SignalRef { id: "a1".into() }, SignalRef { id: "b2".into() }]);
        assert_eq!((zaak.matching_from.as_str(), zaak.matching_to.as_str()), ("2026-11-01", "2026-11-30"));
        assert_eq!(zaak.attempts[0].kind, ContactKind::Phone, "attempts in date order");
        let nuisance = &out.deliveries[0].signals[0];
        assert_eq!((nuisance.amount, nuisance.partner.kind), (None, PartnerType::Other));
        assert_eq!(out.deliveries[0].cases[0].result, None, "open");
        let text = serde_json::to_string(&out).expect("json");
        assert!(!text.contains("case-"), "internal ids never leave: {text}");
        assert!(text.contains(r#""client":{}"#) && !text.contains("warmeOverdracht"), "{text}");
    }
}
