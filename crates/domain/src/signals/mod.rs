//! Early-signalling rules (Wgs art. 3a; GGM "Model Vroegsignalering"), as pure functions
//! for the signals capability (issue 4): signal kinds, the GGM outcome codes with what a
//! partner may be told, and how a new signal relates to a household's earlier ones.

pub mod contact;
pub mod ddas;
pub mod deadlines;
pub mod grouping;
pub mod intake;
pub mod kpi;
pub mod period;
pub mod routing;
pub mod worklist;

use crate::calendar::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    RentArrears,
    EnergyArrears,
    EnergyEndOfSupply,
    DrinkingWaterArrears,
    HealthInsuranceArrears,
    Nuisance,
    Neglect,
    WorryAboutResident,
}

impl SignalKind {
    pub const ALL: [SignalKind; 8] = [
        SignalKind::RentArrears,
        SignalKind::EnergyArrears,
        SignalKind::EnergyEndOfSupply,
        SignalKind::DrinkingWaterArrears,
        SignalKind::HealthInsuranceArrears,
        SignalKind::Nuisance,
        SignalKind::Neglect,
        SignalKind::WorryAboutResident,
    ];

    /// The code used in the API, CSV files and the database.
    pub fn code(self) -> &'static str {
        match self {
            SignalKind::RentArrears => "rent_arrears",
            SignalKind::EnergyArrears => "energy_arrears",
            SignalKind::EnergyEndOfSupply => "energy_end_of_supply",
            SignalKind::DrinkingWaterArrears => "drinking_water_arrears",
            SignalKind::HealthInsuranceArrears => "health_insurance_arrears",
            SignalKind::Nuisance => "nuisance",
            SignalKind::Neglect => "neglect",
            SignalKind::WorryAboutResident => "worry_about_resident",
        }
    }

    pub fn parse(code: &str) -> Option<SignalKind> {
        let code = code.trim();
        SignalKind::ALL.into_iter().find(|k| k.code().eq_ignore_ascii_case(code))
    }

    pub fn label_en(self) -> &'static str {
        match self {
            SignalKind::RentArrears => "Rent arrears",
            SignalKind::EnergyArrears => "Energy arrears",
            SignalKind::EnergyEndOfSupply => "Energy end of supply",
            SignalKind::DrinkingWaterArrears => "Drinking-water arrears",
            SignalKind::HealthInsuranceArrears => "Health-insurance premium arrears",
            SignalKind::Nuisance => "Nuisance",
            SignalKind::Neglect => "Neglect or pollution of the home",
            SignalKind::WorryAboutResident => "Worry about a resident",
        }
    }

    /// Payment-arrears signals under the Wgs: a BSN and the creditor's preconditions are
    /// required (reminder sent, personal contact tried, debt help pointed to, no objection).
    pub fn is_financial(self) -> bool {
        matches!(
            self,
            SignalKind::RentArrears
                | SignalKind::EnergyArrears
                | SignalKind::EnergyEndOfSupply
                | SignalKind::DrinkingWaterArrears
                | SignalKind::HealthInsuranceArrears
        )
    }

    /// The data category a signal of this kind is, unless the covenant maps it otherwise:
    /// arrears are financial data; nuisance and neglect describe the home and how it is
    /// lived in (housing data); worry about a resident is what a professional noticed
    /// about a person (case content). None is special-category data by default: a
    /// covenant that treats worry as health data says so and names its art. 9 exception.
    pub fn default_category(self) -> crate::access::covenant::DataCategory {
        use crate::access::covenant::DataCategory;
        match self {
            _ if self.is_financial() => DataCategory::Financial,
            SignalKind::Nuisance | SignalKind::Neglect => DataCategory::Housing,
            _ => DataCategory::CaseContent,
        }
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            SignalKind::RentArrears => "Huurachterstand",
            SignalKind::EnergyArrears => "Energieachterstand",
            SignalKind::EnergyEndOfSupply => "Einde levering energie",
            SignalKind::DrinkingWaterArrears => "Drinkwaterachterstand",
            SignalKind::HealthInsuranceArrears => "Premieachterstand zorgverzekering",
            SignalKind::Nuisance => "Overlast",
            SignalKind::Neglect => "Vervuiling of verwaarlozing van de woning",
            SignalKind::WorryAboutResident => "Zorg om een bewoner",
        }
    }

    /// Weight in the priority of a case: losing the home or utilities weighs most.
    fn weight(self) -> u32 {
        match self {
            SignalKind::RentArrears | SignalKind::EnergyEndOfSupply => 3,
            SignalKind::EnergyArrears | SignalKind::DrinkingWaterArrears | SignalKind::Neglect => 2,
            SignalKind::HealthInsuranceArrears | SignalKind::Nuisance | SignalKind::WorryAboutResident => 1,
        }
    }
}

/// GGM outcome codes of an outreach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SignalOutcome)]
pub enum Outcome {
    HelpAcceptedFinancial,
    HelpAcceptedNonFinancial,
    QuickFix,
    NoHelpNeeded,
    AlreadyKnownToDebtHelp,
    OtherOngoingSupport,
    NotReached,
    Unjustified,
    RepeatSignal,
    NotAResident,
    Deceased,
    ReferralWithoutContact,
}

/// What the sending partner is told: only whether the signal was picked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnerFeedback {
    PickedUp,
    NotPickedUp,
}

impl Outcome {
    pub const ALL: [Outcome; 12] = [
        Outcome::HelpAcceptedFinancial,
        Outcome::HelpAcceptedNonFinancial,
        Outcome::QuickFix,
        Outcome::NoHelpNeeded,
        Outcome::AlreadyKnownToDebtHelp,
        Outcome::OtherOngoingSupport,
        Outcome::NotReached,
        Outcome::Unjustified,
        Outcome::RepeatSignal,
        Outcome::NotAResident,
        Outcome::Deceased,
        Outcome::ReferralWithoutContact,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::HelpAcceptedFinancial => "help_accepted_financial",
            Outcome::HelpAcceptedNonFinancial => "help_accepted_non_financial",
            Outcome::QuickFix => "quick_fix",
            Outcome::NoHelpNeeded => "no_help_needed",
            Outcome::AlreadyKnownToDebtHelp => "already_known_to_debt_help",
            Outcome::OtherOngoingSupport => "other_ongoing_support",
            Outcome::NotReached => "not_reached",
            Outcome::Unjustified => "unjustified",
            Outcome::RepeatSignal => "repeat_signal",
            Outcome::NotAResident => "not_a_resident",
            Outcome::Deceased => "deceased",
            Outcome::ReferralWithoutContact => "referral_without_contact",
        }
    }

    pub fn parse(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code.trim())
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            Outcome::HelpAcceptedFinancial => "Hulp geaccepteerd (financieel)",
            Outcome::HelpAcceptedNonFinancial => "Hulp geaccepteerd (niet-financieel)",
            Outcome::QuickFix => "Snelle oplossing (quick fix)",
            Outcome::NoHelpNeeded => "Geen hulp nodig",
            Outcome::AlreadyKnownToDebtHelp => "Al bekend bij schuldhulpverlening",
            Outcome::OtherOngoingSupport => "Andere lopende hulp",
            Outcome::NotReached => "Niet bereikt",
            Outcome::Unjustified => "Signaal onterecht",
            Outcome::RepeatSignal => "Herhaalsignaal",
            Outcome::NotAResident => "Verhuisd / geen bewoner",
            Outcome::Deceased => "Overleden",
            Outcome::ReferralWithoutContact => "Doorverwezen zonder contact",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Outcome::HelpAcceptedFinancial => "Help accepted (financial)",
            Outcome::HelpAcceptedNonFinancial => "Help accepted (non-financial)",
            Outcome::QuickFix => "Quick fix",
            Outcome::NoHelpNeeded => "No help needed",
            Outcome::AlreadyKnownToDebtHelp => "Already known to debt help",
            Outcome::OtherOngoingSupport => "Other ongoing support",
            Outcome::NotReached => "Not reached",
            Outcome::Unjustified => "Unjustified signal",
            Outcome::RepeatSignal => "Repeat signal",
            Outcome::NotAResident => "Moved / not a resident",
            Outcome::Deceased => "Deceased",
            Outcome::ReferralWithoutContact => "Referred without contact",
        }
    }

    /// Outcomes in which the household accepted help: the signal's data moves on to the
    /// help process and is not purged as "without follow-up".
    pub fn accepted_help(self) -> bool {
        matches!(self, Outcome::HelpAcceptedFinancial | Outcome::HelpAcceptedNonFinancial | Outcome::QuickFix)
    }

    /// The GGM model limits feedback: for every outcome other than accepted help, the
    /// partner hears only "not picked up", never the reason.
    pub fn partner_feedback(self) -> PartnerFeedback {
        match self {
            Outcome::HelpAcceptedFinancial | Outcome::HelpAcceptedNonFinancial | Outcome::QuickFix => {
                PartnerFeedback::PickedUp
            }
            _ => PartnerFeedback::NotPickedUp,
        }
    }
}

/// A signal as far as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignalFacts {
    pub partner: String,
    pub kind: SignalKind,
    pub arrears_cents: i64,
    pub signal_date: Date,
    pub crisis: bool,
}

/// How a new signal relates to the household's earlier signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Classification {
    /// Another signal for the household in the same calendar month: one stacked case.
    pub multiple: bool,
    /// A signal in the six months before: recurrent.
    pub recurrent: bool,
    /// The same partner reports the same kind again without the arrears increasing: recorded,
    /// not routed again.
    pub repeat: bool,
}

fn months_between(earlier: Date, later: Date) -> i64 {
    let months = i64::from(later.year - earlier.year) * 12 + i64::from(later.month) - i64::from(earlier.month);
    if later.day < earlier.day {
        months - 1
    } else {
        months
    }
}

/// Classifies `new` against the household's `earlier` signals (any order). One pass and no
/// allocation: the intake classifies every signal of a batch.
pub fn classify<'a>(new: &SignalFacts, earlier: impl IntoIterator<Item = &'a SignalFacts>) -> Classification {
    let same_month =
        |s: &SignalFacts| s.signal_date.year == new.signal_date.year && s.signal_date.month == new.signal_date.month;
    let (mut multiple, mut recurrent) = (false, false);
    // The latest earlier signal of this partner and kind within six months.
    let mut same_source: Option<&SignalFacts> = None;
    for s in earlier.into_iter().filter(|s| s.signal_date <= new.signal_date) {
        let months = months_between(s.signal_date, new.signal_date);
        if same_month(s) {
            multiple = true;
        } else if (0..6).contains(&months) {
            recurrent = true;
        }
        if s.partner == new.partner && s.kind == new.kind && months < 6 {
            // Of equally dated ones the last wins, as with `Iterator::max_by_key`.
            if same_source.is_none_or(|best| s.signal_date >= best.signal_date) {
                same_source = Some(s);
            }
        }
    }
    let repeat = same_source.map(|s| new.arrears_cents <= s.arrears_cents && !new.crisis).unwrap_or(false);
    Classification { multiple, recurrent, repeat }
}

/// Priority of a household's open case: the heaviest kind, more for every other source, and
/// most for a crisis. Higher is more urgent.
pub fn priority(signals: &[SignalFacts]) -> u32 {
    let mut sources: Vec<&str> = signals.iter().map(|s| s.partner.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    let heaviest = signals.iter().map(|s| s.kind.weight()).max().unwrap_or(0);
    let crisis = if signals.iter().any(|s| s.crisis) { 10 } else { 0 };
    heaviest + 2 * sources.len().saturating_sub(1) as u32 + crisis
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(partner: &str, kind: SignalKind, cents: i64, date: &str) -> SignalFacts {
        SignalFacts {
            partner: partner.into(),
            kind,
            arrears_cents: cents,
            signal_date: Date::parse(date).expect("date"),
            crisis: false,
        }
    }

    /// `classify` as first written: a filtered list, then one search per rule. The
    /// single-pass version must agree with it on every input.
    fn classify_by_lists(new: &SignalFacts, earlier: &[SignalFacts]) -> Classification {
        let before: Vec<&SignalFacts> = earlier.iter().filter(|s| s.signal_date <= new.signal_date).collect();
        let same_month = |s: &SignalFacts| {
            s.signal_date.year == new.signal_date.year && s.signal_date.month == new.signal_date.month
        };
        let multiple = before.iter().any(|s| same_month(s));
        let recurrent =
            before.iter().any(|s| (0..6).contains(&months_between(s.signal_date, new.signal_date)) && !same_month(s));
        let same_source = before
            .iter()
            .filter(|s| {
                s.partner == new.partner && s.kind == new.kind && months_between(s.signal_date, new.signal_date) < 6
            })
            .max_by_key(|s| s.signal_date);
        let repeat = same_source.map(|s| new.arrears_cents <= s.arrears_cents && !new.crisis).unwrap_or(false);
        Classification { multiple, recurrent, repeat }
    }

    fn arbitrary_facts() -> impl proptest::strategy::Strategy<Value = SignalFacts> {
        use proptest::prelude::*;
        (0usize..2, 0usize..3, 0i64..4, 0u32..400, any::<bool>()).prop_map(|(partner, kind, amount, day, crisis)| {
            SignalFacts {
                partner: ["corporatie", "energie"][partner].to_string(),
                kind: [SignalKind::RentArrears, SignalKind::EnergyArrears, SignalKind::Nuisance][kind],
                arrears_cents: amount * 10_000,
                signal_date: Date::parse("2026-01-01").expect("date").add_days(i64::from(day)),
                crisis,
            }
        })
    }

    proptest::proptest! {
        #[test]
        fn single_pass_classification_agrees_with_the_list_version(
            new in arbitrary_facts(),
            earlier in proptest::collection::vec(arbitrary_facts(), 0..8),
        ) {
            proptest::prop_assert_eq!(classify(&new, &earlier), classify_by_lists(&new, &earlier));
        }
    }

    #[test]
    fn same_month_is_multiple_and_earlier_half_year_is_recurrent() {
        let rent = s("corporatie", SignalKind::RentArrears, 80_000, "2026-11-03");
        let energy = s("energie", SignalKind::EnergyArrears, 30_000, "2026-11-20");
        let c = classify(&energy, std::slice::from_ref(&rent));
        assert!(c.multiple && !c.recurrent && !c.repeat);
        let water = s("water", SignalKind::DrinkingWaterArrears, 9_000, "2026-07-15");
        let c = classify(&energy, std::slice::from_ref(&water));
        assert!(c.recurrent && !c.multiple, "July to November is within six months");
        let old = s("water", SignalKind::DrinkingWaterArrears, 9_000, "2026-04-10");
        assert!(!classify(&energy, &[old]).recurrent, "more than six months ago");
        assert_eq!(classify(&energy, &[]), Classification::default());
    }

    #[test]
    fn the_same_arrears_again_is_a_repeat_unless_it_grew_or_is_a_crisis() {
        let first = s("corporatie", SignalKind::RentArrears, 80_000, "2026-10-01");
        let same = s("corporatie", SignalKind::RentArrears, 80_000, "2026-11-01");
        assert!(classify(&same, std::slice::from_ref(&first)).repeat);
        let grown = s("corporatie", SignalKind::RentArrears, 120_000, "2026-11-01");
        assert!(!classify(&grown, std::slice::from_ref(&first)).repeat, "increased arrears are picked up again");
        let crisis = SignalFacts { crisis: true, ..same.clone() };
        assert!(!classify(&crisis, std::slice::from_ref(&first)).repeat);
        let other_partner = s("energie", SignalKind::RentArrears, 80_000, "2026-11-01");
        assert!(!classify(&other_partner, &[first]).repeat);
    }

    #[test]
    fn feedback_to_partners_is_limited() {
        assert_eq!(Outcome::HelpAcceptedFinancial.partner_feedback(), PartnerFeedback::PickedUp);
        assert_eq!(Outcome::Deceased.partner_feedback(), PartnerFeedback::NotPickedUp);
        assert_eq!(Outcome::AlreadyKnownToDebtHelp.partner_feedback(), PartnerFeedback::NotPickedUp);
        assert!(SignalKind::RentArrears.is_financial() && !SignalKind::Nuisance.is_financial());
    }

    #[test]
    fn priority_grows_with_sources_and_crisis() {
        let rent = s("corporatie", SignalKind::RentArrears, 1, "2026-11-01");
        let energy = s("energie", SignalKind::EnergyArrears, 1, "2026-11-02");
        assert_eq!(priority(std::slice::from_ref(&rent)), 3);
        assert_eq!(priority(&[rent.clone(), energy.clone()]), 5);
        let crisis = SignalFacts { crisis: true, ..energy };
        assert_eq!(priority(&[rent, crisis]), 15);
        assert_eq!(priority(&[]), 0);
    }
}
