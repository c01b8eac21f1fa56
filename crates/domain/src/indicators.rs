//! The indicator catalogue: every figure Leefwijk shows, base (as CBS publishes it) or
//! derived (computed here, with its formula). One table, so the API, the pages, the
//! importer and the docs all speak of the same thing.

use serde::Serialize;

/// The unit a value is expressed in; drives formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    Percent,
    PerThousand,
    Km,
    ThousandEuro,
    Persons,
    PerKm2,
    Hectare,
    Score,
    Code,
    /// Energy use, as StatLine publishes it (`kWh`).
    Kwh,
    /// Gas use (`m³`).
    CubicMetre,
    /// An average per household, such as cars per household.
    PerHousehold,
}

/// Every unit, for lookups by key.
pub const UNITS: [Unit; 13] = [
    Unit::Count,
    Unit::Percent,
    Unit::PerThousand,
    Unit::Km,
    Unit::ThousandEuro,
    Unit::Persons,
    Unit::PerKm2,
    Unit::Hectare,
    Unit::Score,
    Unit::Code,
    Unit::Kwh,
    Unit::CubicMetre,
    Unit::PerHousehold,
];

impl Unit {
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Count | Unit::Code | Unit::Score => "",
            Unit::Percent => "%",
            Unit::PerThousand => "‰",
            Unit::Km => "km",
            Unit::ThousandEuro => "× € 1.000",
            Unit::Persons => "pers.",
            Unit::PerKm2 => "/km²",
            Unit::Hectare => "ha",
            Unit::Kwh => "kWh",
            Unit::CubicMetre => "m³",
            Unit::PerHousehold => "per huishouden",
        }
    }

    /// The unit's stable name in storage and JSON (`thousand_euro`).
    pub fn key(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percent => "percent",
            Unit::PerThousand => "per_thousand",
            Unit::Km => "km",
            Unit::ThousandEuro => "thousand_euro",
            Unit::Persons => "persons",
            Unit::PerKm2 => "per_km2",
            Unit::Hectare => "hectare",
            Unit::Score => "score",
            Unit::Code => "code",
            Unit::Kwh => "kwh",
            Unit::CubicMetre => "cubic_metre",
            Unit::PerHousehold => "per_household",
        }
    }

    /// The unit of a stored [`Unit::key`].
    pub fn from_key(key: &str) -> Option<Unit> {
        UNITS.iter().copied().find(|u| u.key() == key)
    }

    /// The unit of a StatLine codebook entry (`DataProperties.Unit`), for the figures
    /// Leefwijk can show; `None` for codes, names and units it has no format for.
    pub fn from_statline(unit: &str) -> Option<Unit> {
        Some(match unit.trim() {
            "aantal" => Unit::Count,
            "%" => Unit::Percent,
            "per 1 000 inwoners" => Unit::PerThousand,
            "km" => Unit::Km,
            "x 1 000 euro" => Unit::ThousandEuro,
            "ha" => Unit::Hectare,
            "per km²" | "aantal inwoners per km²" => Unit::PerKm2,
            "kWh" => Unit::Kwh,
            "m³" => Unit::CubicMetre,
            "per huishouden" => Unit::PerHousehold,
            _ => return None,
        })
    }

    /// Decimals shown for a value of this unit.
    pub fn decimals(self) -> usize {
        match self {
            Unit::Count | Unit::Code | Unit::Hectare | Unit::PerKm2 | Unit::Kwh | Unit::CubicMetre => 0,
            Unit::Score => 2,
            _ => 1,
        }
    }
}

/// Base figures come from a source file; derived ones are computed by [`crate::derive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Base,
    Derived,
}

/// Which way is good. `None` for figures that describe rather than judge.
pub type HigherIsBetter = Option<bool>;

/// The population a figure describes. StatLine health tables carry it as the `Leeftijd`
/// dimension (RIVM 50090NED: `20300` = 18 or older, `80200` = 65 or older); the same
/// column then becomes two indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    /// Every inhabitant (KWB) or adults of 18 and over (RIVM's default group).
    All,
    Seniors65,
}

impl AgeGroup {
    /// Reads a StatLine `Leeftijd` code.
    pub fn from_statline(code: &str) -> Option<AgeGroup> {
        match code.trim() {
            "20300" | "10000" | "" => Some(AgeGroup::All),
            "80200" => Some(AgeGroup::Seniors65),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorDef {
    pub key: &'static str,
    pub name_nl: &'static str,
    pub name_en: &'static str,
    pub unit: Unit,
    pub origin: Origin,
    /// Definition in English prose; the formula, if any, is in [`IndicatorDef::formula`].
    pub definition: &'static str,
    /// Definition in Dutch prose.
    pub definition_nl: &'static str,
    /// How a derived indicator is computed, in canonical keys
    /// (`round(social_share / 100 × housing_stock)`); empty when there is no formula.
    pub formula: &'static str,
    pub source: &'static str,
    pub higher_is_better: HigherIsBetter,
    /// Name stems of the CBS StatLine/OData CSV columns (the part before `_<number>`).
    #[serde(skip)]
    pub cbs_stems: &'static [&'static str],
    /// Attribute names in the PDOK "wijkenbuurten" GeoJSON.
    #[serde(skip)]
    pub pdok_names: &'static [&'static str],
    /// The population the figure describes.
    pub age_group: AgeGroup,
}

impl IndicatorDef {
    pub fn name(&self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Nl => self.name_nl,
            crate::Lang::En => self.name_en,
        }
    }

    /// The definition in prose, in the language asked for (without the formula).
    pub fn definition_in(&self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Nl => self.definition_nl,
            crate::Lang::En => self.definition,
        }
    }
}

const KWB: &str = "CBS Kerncijfers wijken en buurten";
const LEEFWIJK: &str = "Leefwijk, computed from CBS Kerncijfers wijken en buurten";
/// Model-based small-area estimates from the Gezondheidsmonitor of GGD'en, CBS and RIVM.
pub const RIVM: &str = "RIVM Gezondheid per wijk en buurt (StatLine 50090NED)";

macro_rules! base {
    ($key:literal, $nl:literal, $en:literal, $unit:expr, $def:literal, $def_nl:literal, $hib:expr, [$($stem:literal),*], [$($pdok:literal),*]) => {
        IndicatorDef {
            key: $key, name_nl: $nl, name_en: $en, unit: $unit, origin: Origin::Base,
            definition: $def, definition_nl: $def_nl, formula: "", source: KWB, higher_is_better: $hib,
            cbs_stems: &[$($stem),*], pdok_names: &[$($pdok),*], age_group: AgeGroup::All,
        }
    };
}

/// A RIVM health estimate: one StatLine column, two indicators (adults 18+ and 65+).
macro_rules! rivm {
    ($key:literal, $key65:literal, $nl:literal, $en:literal, $def:literal, $def_nl:literal, $hib:expr, $stem:literal) => {
        [
            IndicatorDef {
                key: $key,
                name_nl: $nl,
                name_en: $en,
                unit: Unit::Percent,
                origin: Origin::Base,
                definition: concat!($def, " Share of adults (18 or older), model estimate."),
                definition_nl: concat!($def_nl, " Aandeel volwassenen (18 jaar of ouder), modelschatting."),
                formula: "",
                source: RIVM,
                higher_is_better: $hib,
                cbs_stems: &[$stem],
                pdok_names: &[],
                age_group: AgeGroup::All,
            },
            IndicatorDef {
                key: $key65,
                name_nl: concat!($nl, " (65+)"),
                name_en: concat!($en, " (65+)"),
                unit: Unit::Percent,
                origin: Origin::Base,
                definition: concat!($def, " Share of inhabitants aged 65 or older, model estimate."),
                definition_nl: concat!($def_nl, " Aandeel inwoners van 65 jaar of ouder, modelschatting."),
                formula: "",
                source: RIVM,
                higher_is_better: $hib,
                cbs_stems: &[$stem],
                pdok_names: &[],
                age_group: AgeGroup::Seniors65,
            },
        ]
    };
}

macro_rules! derived {
    ($key:literal, $nl:literal, $en:literal, $unit:expr, $def:literal, $def_nl:literal, $formula:literal, $hib:expr) => {
        IndicatorDef {
            key: $key,
            name_nl: $nl,
            name_en: $en,
            unit: $unit,
            origin: Origin::Derived,
            definition: $def,
            definition_nl: $def_nl,
            formula: $formula,
            source: LEEFWIJK,
            higher_is_better: $hib,
            cbs_stems: &[],
            pdok_names: &[],
            age_group: AgeGroup::All,
        }
    };
}

/// RIVM's health and wellbeing estimates per wijk and buurt (StatLine 50090NED).
static RIVM_CATALOGUE: [[IndicatorDef; 2]; 33] = [
    rivm!(
        "health_good",
        "health_good_65plus",
        "Ervaren gezondheid goed of zeer goed",
        "Rates own health as good or very good",
        "Rates own health as good or very good.",
        "Beoordeelt de eigen gezondheid als goed of zeer goed.",
        Some(true),
        "ErvarenGezondheidGoedZeerGoed"
    ),
    rivm!(
        "exercise_guideline",
        "exercise_guideline_65plus",
        "Voldoet aan beweegrichtlijn",
        "Meets the physical activity guideline",
        "Meets the Dutch physical activity guideline.",
        "Voldoet aan de Beweegrichtlijnen van de Gezondheidsraad.",
        Some(true),
        "VoldoetAanBeweegrichtlijn"
    ),
    rivm!(
        "weekly_sport",
        "weekly_sport_65plus",
        "Wekelijkse sporters",
        "Does sport weekly",
        "Does sport at least once a week.",
        "Sport minstens één keer per week.",
        Some(true),
        "WekelijkseSporters"
    ),
    rivm!(
        "underweight",
        "underweight_65plus",
        "Ondergewicht",
        "Underweight",
        "Body-mass index below 18.5.",
        "Body-mass-index lager dan 18,5.",
        None,
        "Ondergewicht"
    ),
    rivm!(
        "normal_weight",
        "normal_weight_65plus",
        "Normaal gewicht",
        "Normal weight",
        "Body-mass index from 18.5 to 25.",
        "Body-mass-index van 18,5 tot 25.",
        Some(true),
        "NormaalGewicht"
    ),
    rivm!(
        "overweight",
        "overweight_65plus",
        "Overgewicht",
        "Overweight",
        "Body-mass index of 25 or more.",
        "Body-mass-index van 25 of hoger.",
        Some(false),
        "Overgewicht"
    ),
    rivm!(
        "obesity",
        "obesity_65plus",
        "Ernstig overgewicht",
        "Obesity",
        "Body-mass index of 30 or more.",
        "Body-mass-index van 30 of hoger.",
        Some(false),
        "ErnstigOvergewicht"
    ),
    rivm!("smoker", "smoker_65plus", "Roker", "Smokes", "Smokes.", "Rookt.", Some(false), "Roker"),
    rivm!(
        "alcohol_guideline",
        "alcohol_guideline_65plus",
        "Voldoet aan alcoholrichtlijn",
        "Meets the alcohol guideline",
        "Drinks no alcohol or at most one glass a day.",
        "Drinkt geen alcohol of hooguit één glas per dag.",
        Some(true),
        "VoldoetAanAlcoholRichtlijn"
    ),
    rivm!(
        "drinker",
        "drinker_65plus",
        "Drinkt alcohol",
        "Drinks alcohol",
        "Drank alcohol in the past twelve months.",
        "Heeft in de afgelopen twaalf maanden alcohol gedronken.",
        None,
        "Drinker"
    ),
    rivm!(
        "heavy_drinker",
        "heavy_drinker_65plus",
        "Zware drinker",
        "Heavy drinker",
        "Drinks six (men) or four (women) glasses on one day at least weekly.",
        "Drinkt minstens één keer per week zes (mannen) of vier (vrouwen) glazen op één dag.",
        Some(false),
        "ZwareDrinker"
    ),
    rivm!(
        "excessive_drinker",
        "excessive_drinker_65plus",
        "Overmatige drinker",
        "Excessive drinker",
        "Drinks more than 21 (men) or 14 (women) glasses a week.",
        "Drinkt meer dan 21 (mannen) of 14 (vrouwen) glazen per week.",
        Some(false),
        "OvermatigeDrinker"
    ),
    rivm!(
        "chronic_condition",
        "chronic_condition_65plus",
        "Eén of meer langdurige aandoeningen",
        "One or more chronic conditions",
        "Has one or more long-term illnesses or conditions.",
        "Heeft één of meer langdurige ziekten of aandoeningen.",
        Some(false),
        "EenOfMeerLangdurigeAandoeningen"
    ),
    rivm!(
        "limited_by_health",
        "limited_by_health_65plus",
        "Beperkt vanwege gezondheid",
        "Limited by health",
        "Limited in daily activities because of health for at least six months.",
        "Is al minstens zes maanden beperkt in de dagelijkse activiteiten vanwege de gezondheid.",
        Some(false),
        "BeperktVanwegeGezondheid"
    ),
    rivm!(
        "severely_limited_by_health",
        "severely_limited_by_health_65plus",
        "Ernstig beperkt vanwege gezondheid",
        "Severely limited by health",
        "Severely limited in daily activities because of health.",
        "Is ernstig beperkt in de dagelijkse activiteiten vanwege de gezondheid.",
        Some(false),
        "ErnstigBeperktVanwegeGezondheid"
    ),
    rivm!(
        "long_illness_and_limited",
        "long_illness_and_limited_65plus",
        "Langdurige ziekte en beperkt",
        "Long-term illness and limited",
        "Has a long-term illness and is limited by it.",
        "Heeft een langdurige ziekte en is daardoor beperkt.",
        Some(false),
        "LangdurigeZiekteEnBeperkt"
    ),
    rivm!(
        "physical_limitation",
        "physical_limitation_65plus",
        "Eén of meer lichamelijke beperkingen",
        "One or more physical limitations",
        "Has at least one limitation in hearing, seeing or moving.",
        "Heeft minstens één beperking in horen, zien of bewegen.",
        Some(false),
        "EenOfMeerLichamelijkeBeperkingen"
    ),
    rivm!(
        "hearing_limitation",
        "hearing_limitation_65plus",
        "Beperking in horen",
        "Hearing limitation",
        "Has a limitation in hearing.",
        "Heeft een beperking in horen.",
        Some(false),
        "BeperkingInHoren"
    ),
    rivm!(
        "sight_limitation",
        "sight_limitation_65plus",
        "Beperking in zien",
        "Sight limitation",
        "Has a limitation in seeing.",
        "Heeft een beperking in zien.",
        Some(false),
        "BeperkingInZien"
    ),
    rivm!(
        "mobility_limitation",
        "mobility_limitation_65plus",
        "Beperking in bewegen",
        "Mobility limitation",
        "Has a limitation in moving.",
        "Heeft een beperking in bewegen.",
        Some(false),
        "BeperkingInBewegen"
    ),
    rivm!(
        "anxiety_depression_risk",
        "anxiety_depression_risk_65plus",
        "Matig of hoog risico op angststoornis of depressie",
        "Moderate or high risk of anxiety or depression",
        "Moderate or high risk of an anxiety disorder or depression on the K10 scale.",
        "Matig of hoog risico op een angststoornis of depressie volgens de K10-schaal.",
        Some(false),
        "MatigHoogRisicoOpAngstOfDepressie"
    ),
    rivm!(
        "high_anxiety_depression_risk",
        "high_anxiety_depression_risk_65plus",
        "Hoog risico op angststoornis of depressie",
        "High risk of anxiety or depression",
        "High risk of an anxiety disorder or depression on the K10 scale.",
        "Hoog risico op een angststoornis of depressie volgens de K10-schaal.",
        Some(false),
        "HoogRisicoOpAngstOfDepressie"
    ),
    rivm!(
        "much_stress",
        "much_stress_65plus",
        "(Heel) veel stress",
        "(Very) much stress",
        "Had much or very much stress in the past four weeks.",
        "Had in de afgelopen vier weken veel of heel veel stress.",
        Some(false),
        "HeelVeelStressInAfgelopen4Weken"
    ),
    rivm!(
        "control_over_life",
        "control_over_life_65plus",
        "Matig of veel regie over eigen leven",
        "Moderate or much control over own life",
        "Feels in moderate or much control over their own life.",
        "Ervaart matig of veel regie over het eigen leven.",
        Some(true),
        "MatigVeelRegieOverEigenLeven"
    ),
    rivm!(
        "lonely",
        "lonely_65plus",
        "Eenzaam",
        "Lonely",
        "Lonely on the De Jong Gierveld scale.",
        "Eenzaam volgens de eenzaamheidsschaal van De Jong Gierveld.",
        Some(false),
        "Eenzaam"
    ),
    rivm!(
        "severely_lonely",
        "severely_lonely_65plus",
        "Ernstig of zeer ernstig eenzaam",
        "Severely or very severely lonely",
        "Severely or very severely lonely on the De Jong Gierveld scale.",
        "Ernstig of zeer ernstig eenzaam volgens de eenzaamheidsschaal van De Jong Gierveld.",
        Some(false),
        "ErnstigZeerErnstigEenzaam"
    ),
    rivm!(
        "emotionally_lonely",
        "emotionally_lonely_65plus",
        "Emotioneel eenzaam",
        "Emotionally lonely",
        "Misses an intimate relationship or close bond.",
        "Mist een intieme relatie of een hechte band.",
        Some(false),
        "EmotioneelEenzaam"
    ),
    rivm!(
        "socially_lonely",
        "socially_lonely_65plus",
        "Sociaal eenzaam",
        "Socially lonely",
        "Misses a wider circle of people.",
        "Mist een bredere kring van mensen om zich heen.",
        Some(false),
        "SociaalEenzaam"
    ),
    rivm!(
        "informal_carer",
        "informal_carer_65plus",
        "Mantelzorger",
        "Informal carer",
        "Gives informal care (mantelzorg) for at least three months or eight hours a week.",
        "Geeft mantelzorg, minstens drie maanden lang of minstens acht uur per week.",
        None,
        "Mantelzorger"
    ),
    rivm!(
        "volunteer",
        "volunteer_65plus",
        "Vrijwilligerswerk",
        "Does volunteer work",
        "Does volunteer work.",
        "Doet vrijwilligerswerk.",
        Some(true),
        "Vrijwilligerswerk"
    ),
    rivm!(
        "walk_or_cycle_to_work",
        "walk_or_cycle_to_work_65plus",
        "Lopen of fietsen naar school of werk",
        "Walks or cycles to school or work",
        "Walks or cycles to school or work.",
        "Loopt of fietst naar school of werk.",
        None,
        "LopenEnOfFietsenNaarSchoolOfWerk"
    ),
    rivm!(
        "noise_nuisance_neighbours",
        "noise_nuisance_neighbours_65plus",
        "Ernstige geluidhinder door buren",
        "Severely bothered by noise from neighbours",
        "Severely bothered by noise from neighbours.",
        "Heeft ernstige geluidhinder door buren.",
        Some(false),
        "ErnstigeGeluidhinderDoorBuren"
    ),
    rivm!(
        "difficulty_making_ends_meet",
        "difficulty_making_ends_meet_65plus",
        "Moeite met rondkomen",
        "Difficulty making ends meet",
        "Has (some or great) difficulty making ends meet: the poverty and debt proxy at buurt level.",
        "Heeft enige of grote moeite met rondkomen: de benadering van armoede en schulden op buurtniveau.",
        Some(false),
        "MoeiteMetRondkomen"
    ),
];

/// Every indicator Leefwijk knows: the base figures of CBS, the RIVM health estimates and
/// the derived indicators, in that order.
pub static CATALOGUE: std::sync::LazyLock<Vec<IndicatorDef>> = std::sync::LazyLock::new(|| {
    let mut all: Vec<IndicatorDef> = KWB_CATALOGUE.to_vec();
    let derived_from = all.iter().position(|d| d.origin == Origin::Derived).unwrap_or(all.len());
    let rivm: Vec<IndicatorDef> = RIVM_CATALOGUE.iter().flat_map(|pair| pair.iter().cloned()).collect();
    all.splice(derived_from..derived_from, rivm);
    all
});

/// The CBS indicators and the derived ones.
static KWB_CATALOGUE: &[IndicatorDef] = &[
    base!("population", "Inwoners", "Inhabitants", Unit::Count,
        "Number of registered inhabitants on 1 January.",
        "Aantal ingeschreven inwoners op 1 januari.", None,
        ["AantalInwoners"], ["aantalInwoners"]),
    base!("men", "Mannen", "Men", Unit::Count, "Number of male inhabitants.",
        "Aantal mannelijke inwoners.", None,
        ["Mannen"], ["mannen"]),
    base!("women", "Vrouwen", "Women", Unit::Count, "Number of female inhabitants.",
        "Aantal vrouwelijke inwoners.", None,
        ["Vrouwen"], ["vrouwen"]),
    base!("age_0_14", "0 tot 15 jaar", "Aged 0 to 14", Unit::Count, "Inhabitants aged 0 to 14.",
        "Inwoners van 0 tot 15 jaar.", None,
        ["k_0Tot15Jaar"], []),
    base!("age_15_24", "15 tot 25 jaar", "Aged 15 to 24", Unit::Count, "Inhabitants aged 15 to 24.",
        "Inwoners van 15 tot 25 jaar.", None,
        ["k_15Tot25Jaar"], []),
    base!("age_25_44", "25 tot 45 jaar", "Aged 25 to 44", Unit::Count, "Inhabitants aged 25 to 44.",
        "Inwoners van 25 tot 45 jaar.", None,
        ["k_25Tot45Jaar"], []),
    base!("age_45_64", "45 tot 65 jaar", "Aged 45 to 64", Unit::Count, "Inhabitants aged 45 to 64.",
        "Inwoners van 45 tot 65 jaar.", None,
        ["k_45Tot65Jaar"], []),
    base!("age_65_plus", "65 jaar of ouder", "Aged 65 or over", Unit::Count, "Inhabitants aged 65 or over.",
        "Inwoners van 65 jaar of ouder.", None,
        ["k_65JaarOfOuder"], []),
    base!("pct_age_65_plus", "Aandeel 65+ (bron)", "Share 65+ (source)", Unit::Percent,
        "Share of inhabitants aged 65 or over as published (PDOK).",
        "Aandeel inwoners van 65 jaar of ouder, zoals gepubliceerd (PDOK).", None,
        [], ["percentagePersonen65JaarEnOuder"]),
    base!("households", "Huishoudens", "Households", Unit::Count, "Number of private households.",
        "Aantal particuliere huishoudens.", None,
        ["HuishoudensTotaal"], ["aantalHuishoudens"]),
    base!("single_person_households", "Eenpersoonshuishoudens", "Single-person households", Unit::Count,
        "Number of households of one person.",
        "Aantal eenpersoonshuishoudens.", None,
        ["Eenpersoonshuishoudens"], []),
    base!("pct_single_person_households", "Aandeel eenpersoonshuishoudens (bron)", "Share of single-person households (source)", Unit::Percent,
        "Share of single-person households as published (PDOK).",
        "Aandeel eenpersoonshuishoudens, zoals gepubliceerd (PDOK).", None,
        [], ["percentageEenpersoonshuishoudens"]),
    base!("avg_household_size", "Gemiddelde huishoudensgrootte", "Average household size", Unit::Persons,
        "Average number of persons per household.",
        "Gemiddeld aantal personen per huishouden.", None,
        ["GemiddeldeHuishoudensgrootte"], ["gemiddeldeHuishoudsgrootte"]),
    base!("population_density", "Bevolkingsdichtheid", "Population density", Unit::PerKm2,
        "Inhabitants per km² of land.",
        "Aantal inwoners per km² land.", None,
        ["Bevolkingsdichtheid"], ["bevolkingsdichtheidInwonersPerKm2"]),
    base!("housing_stock", "Woningvoorraad", "Housing stock", Unit::Count,
        "Number of homes on 1 January.",
        "Aantal woningen op 1 januari.", None,
        ["Woningvoorraad"], ["woningvoorraad", "aantalWoningen"]),
    base!("avg_woz", "Gemiddelde WOZ-waarde", "Average property value (WOZ)", Unit::ThousandEuro,
        "Average WOZ value of homes, × € 1,000.",
        "Gemiddelde WOZ-waarde van woningen, × € 1.000.", None,
        ["GemiddeldeWOZWaardeVanWoningen", "GemiddeldeWoningwaarde"], ["gemiddeldeWoningwaarde"]),
    base!("pct_owner_occupied", "Koopwoningen", "Owner-occupied homes", Unit::Percent,
        "Share of owner-occupied homes in the stock.",
        "Aandeel koopwoningen in de woningvoorraad.", None,
        ["Koopwoningen"], ["percentageKoopwoningen"]),
    base!("pct_rental", "Huurwoningen", "Rental homes", Unit::Percent,
        "Share of rental homes in the stock.",
        "Aandeel huurwoningen in de woningvoorraad.", None,
        ["HuurwoningenTotaal"], ["percentageHuurwoningen"]),
    base!("pct_corporation", "Huurwoningen van woningcorporaties", "Rental homes owned by housing corporations", Unit::Percent,
        "Share of the stock owned by housing corporations.",
        "Aandeel van de woningvoorraad in bezit van woningcorporaties.", None,
        ["InBezitWoningcorporatie"], ["percHuurwoningenInBezitWoningcorporaties"]),
    base!("pct_other_landlords", "Huurwoningen van overige verhuurders", "Rental homes of other landlords", Unit::Percent,
        "Share of the stock owned by other landlords.",
        "Aandeel van de woningvoorraad in bezit van overige verhuurders.", None,
        ["InBezitOverigeVerhuurders"], ["percHuurwoningenInBezitOverigeVerhuurders"]),
    base!("avg_income_per_inhabitant", "Gemiddeld inkomen per inwoner", "Average income per inhabitant", Unit::ThousandEuro,
        "Average personal income per inhabitant, × € 1,000.",
        "Gemiddeld persoonlijk inkomen per inwoner, × € 1.000.", Some(true),
        ["GemiddeldInkomenPerInwoner"], ["gemiddeldInkomenPerInwoner"]),
    base!("pct_low_income_households", "Huishoudens met een laag inkomen", "Households with a low income", Unit::Percent,
        "Share of households with a low income (below the CBS low-income threshold).",
        "Aandeel huishoudens met een laag inkomen (onder de lage-inkomensgrens van het CBS).", Some(false),
        ["HuishoudensMetEenLaagInkomen"], ["percentageHuishoudensMetLaagInkomen", "huishoudensMetEenLaagInkomen"]),
    base!("pct_social_minimum", "Huishoudens onder of rond sociaal minimum", "Households at or below the social minimum", Unit::Percent,
        "Share of households with an income up to 110% of the social minimum.",
        "Aandeel huishoudens met een inkomen tot 110% van het sociaal minimum.", Some(false),
        ["HuishOnderOfRondSociaalMinimum"], ["percentageHuishoudensOnderOfRondSociaalMinimum"]),
    base!("benefit_bijstand", "Personen met bijstand", "Persons on social assistance", Unit::Count,
        "Persons receiving social assistance (Participatiewet).",
        "Personen met een bijstandsuitkering (Participatiewet).", None,
        ["PersonenPerSoortUitkeringBijstand"], ["aantalPersonenMetUitkeringBijstand"]),
    base!("benefit_ao", "Personen met arbeidsongeschiktheidsuitkering", "Persons on disability benefit", Unit::Count,
        "Persons receiving a disability benefit.",
        "Personen met een arbeidsongeschiktheidsuitkering.", None,
        ["PersonenPerSoortUitkeringAO"], ["aantalPersonenMetUitkeringAO"]),
    base!("benefit_ww", "Personen met WW-uitkering", "Persons on unemployment benefit", Unit::Count,
        "Persons receiving an unemployment benefit (WW).",
        "Personen met een werkloosheidsuitkering (WW).", None,
        ["PersonenPerSoortUitkeringWW"], ["aantalPersonenMetUitkeringWW"]),
    base!("benefit_aow", "Personen met AOW-uitkering", "Persons on state pension", Unit::Count,
        "Persons receiving the state pension (AOW).",
        "Personen met een AOW-uitkering (Algemene Ouderdomswet).", None,
        ["PersonenPerSoortUitkeringAOW"], ["aantalPersonenMetUitkeringAOW"]),
    base!("distance_gp", "Afstand tot huisartsenpraktijk", "Distance to GP practice", Unit::Km,
        "Average road distance of inhabitants to the nearest GP practice.",
        "Gemiddelde afstand over de weg van alle inwoners tot de dichtstbijzijnde huisartsenpraktijk.", Some(false),
        ["AfstandTotHuisartsenpraktijk"], ["afstandTotHuisartsenpraktijk"]),
    base!("distance_supermarket", "Afstand tot grote supermarkt", "Distance to large supermarket", Unit::Km,
        "Average road distance of inhabitants to the nearest large supermarket.",
        "Gemiddelde afstand over de weg van alle inwoners tot de dichtstbijzijnde grote supermarkt.", Some(false),
        ["AfstandTotGroteSupermarkt"], ["afstandTotGroteSupermarkt"]),
    base!("distance_daycare", "Afstand tot kinderdagverblijf", "Distance to day-care centre", Unit::Km,
        "Average road distance of inhabitants to the nearest day-care centre.",
        "Gemiddelde afstand over de weg van alle inwoners tot het dichtstbijzijnde kinderdagverblijf.", Some(false),
        ["AfstandTotKinderdagverblijf"], ["afstandTotKinderdagverblijf"]),
    base!("distance_school", "Afstand tot school", "Distance to school", Unit::Km,
        "Average road distance of inhabitants to the nearest primary school.",
        "Gemiddelde afstand over de weg van alle inwoners tot de dichtstbijzijnde basisschool.", Some(false),
        ["AfstandTotSchool"], ["afstandTotSchool"]),
    base!("area_land", "Oppervlakte land", "Land area", Unit::Hectare,
        "Land area in hectares.",
        "Oppervlakte land in hectare.", None,
        ["OppervlakteLand"], ["oppervlakteLandInHa"]),
    base!("urbanity", "Mate van stedelijkheid", "Degree of urbanity", Unit::Code,
        "CBS urbanity class: 1 very strongly urban … 5 not urban.",
        "Stedelijkheidsklasse van het CBS: 1 zeer sterk stedelijk … 5 niet stedelijk.", None,
        ["MateVanStedelijkheid"], ["stedelijkheidAdressenPerKm2"]),
    base!("labour_participation", "Netto arbeidsparticipatie", "Net labour participation", Unit::Percent,
        "Employed persons aged 15 to 75 as a share of all persons of that age.",
        "Werkzame personen van 15 tot 75 jaar als aandeel van alle personen van die leeftijd.", Some(true),
        ["Nettoarbeidsparticipatie"], ["nettoarbeidsparticipatie"]),
    base!("pct_low_income_persons", "Personen met laag inkomen (laagste 40%)", "Persons with a low income (lowest 40%)", Unit::Percent,
        "Share of persons with an income in the lowest 40% of personal incomes nationally.",
        "Aandeel personen met een inkomen in de laagste 40% van de persoonlijke inkomens in Nederland.", Some(false),
        ["k_40PersonenMetLaagsteInkomen"], ["percentagePersonenMetLaagsteInkomen"]),
    base!("pct_high_income_persons", "Personen met hoog inkomen (hoogste 20%)", "Persons with a high income (highest 20%)", Unit::Percent,
        "Share of persons with an income in the highest 20% of personal incomes nationally.",
        "Aandeel personen met een inkomen in de hoogste 20% van de persoonlijke inkomens in Nederland.", None,
        ["k_20PersonenMetHoogsteInkomen"], ["percentagePersonenMetHoogsteInkomen"]),
    base!("pct_high_education", "Hoog opleidingsniveau", "High level of education", Unit::Percent,
        "Share of persons aged 15 to 75 with a known level of education whose level is high (hbo, wo).",
        "Aandeel personen van 15 tot 75 jaar met een bekend opleidingsniveau van wie het opleidingsniveau hoog is (hbo, wo).", None,
        [], []),
    base!("boundary_change", "Indelingswijziging", "Boundary change", Unit::Code,
        "CBS code for change since the previous year: 1 = code and boundaries unchanged.",
        "CBS-code voor een wijziging sinds het vorige jaar: 1 = code en grenzen ongewijzigd.", None,
        ["IndelingswijzigingWijkenEnBuurten", "IndelingswijzigingGemeenteWijkBuurt"], ["indelingswijzigingWijkenEnBuurten"]),
    derived!("social_share", "Aandeel sociale huur (corporatiebezit)", "Social-rent share (corporation-owned)", Unit::Percent,
        "Share of the housing stock owned by housing corporations, the measure of the 30% target.",
        "Aandeel van de woningvoorraad in bezit van woningcorporaties, de maat voor het doel van 30% sociale huur.",
        "pct_corporation", None),
    derived!("social_homes", "Corporatiewoningen", "Corporation-owned homes", Unit::Count,
        "Number of homes owned by housing corporations: the social-rent share of the housing stock, rounded.",
        "Aantal woningen in bezit van woningcorporaties: het aandeel sociale huur van de woningvoorraad, afgerond.",
        "round(social_share / 100 × housing_stock)", None),
    derived!("social_gap_30", "Tekort tot 30% sociale huur", "Shortfall to 30% social rent", Unit::Count,
        "Social homes to add to the stock until they are 30% of it; 0 once that share is reached.",
        "Aantal sociale huurwoningen dat erbij moet komen tot 30% van de woningvoorraad sociale huur is; 0 als dat aandeel al is bereikt.",
        "max(0, ceil((0.30 × housing_stock − social_homes) / 0.70))", Some(false)),
    derived!("low_income_share", "Aandeel huishoudens met laag inkomen", "Share of low-income households", Unit::Percent,
        "Share of households with a low income, as CBS publishes it.",
        "Aandeel huishoudens met een laag inkomen, zoals het CBS het publiceert.",
        "pct_low_income_households", Some(false)),
    derived!("single_person_share", "Aandeel eenpersoonshuishoudens", "Share of single-person households", Unit::Percent,
        "Single-person households as a share of all households; the published share when the counts are missing.",
        "Eenpersoonshuishoudens als aandeel van alle huishoudens; het gepubliceerde aandeel als de aantallen ontbreken.",
        "single_person_households / households × 100, or pct_single_person_households", None),
    derived!("share_65_plus", "Aandeel 65-plussers", "Share aged 65 or over", Unit::Percent,
        "Inhabitants aged 65 or over as a share of all inhabitants; the published share when the counts are missing.",
        "Inwoners van 65 jaar of ouder als aandeel van alle inwoners; het gepubliceerde aandeel als de aantallen ontbreken.",
        "age_65_plus / population × 100, or pct_age_65_plus", None),
    derived!("bijstand_per_1000", "Bijstand per 1.000 inwoners", "Social assistance per 1,000 inhabitants", Unit::PerThousand,
        "Persons on social assistance per 1,000 inhabitants.",
        "Personen met een bijstandsuitkering per 1.000 inwoners.",
        "benefit_bijstand / population × 1000", Some(false)),
    derived!("benefits_per_1000", "Uitkeringen per 1.000 inwoners", "Benefit recipients per 1,000 inhabitants", Unit::PerThousand,
        "Persons on social assistance, disability or unemployment benefit per 1,000 inhabitants: working-age benefits, state pension (AOW) excluded.",
        "Personen met een bijstands-, arbeidsongeschiktheids- of werkloosheidsuitkering per 1.000 inwoners: uitkeringen op werkende leeftijd, zonder AOW.",
        "(benefit_bijstand + benefit_ao + benefit_ww) / population × 1000", Some(false)),
    derived!("pressure_index", "Drukindex", "Pressure index", Unit::Score,
        "Weighted mean of z-scores of the configured indicator set among areas of the same level; > 0 is more pressure than average.",
        "Gewogen gemiddelde van de z-scores van de ingestelde indicatoren, ten opzichte van gebieden van hetzelfde niveau; boven 0 is meer druk dan gemiddeld.",
        "", Some(false)),
];

/// Looks an indicator up by key: the catalogue, then the indicators named from a codebook.
pub fn indicator(key: &str) -> Option<&'static IndicatorDef> {
    CATALOGUE.iter().find(|d| d.key == key).or_else(|| registered().into_iter().find(|d| d.key == key))
}

/// Source line of indicators named from a StatLine codebook.
pub const CODEBOOK_SOURCE: &str = "CBS StatLine (named from the table's codebook)";

/// An indicator Leefwijk has no definition of, named and described from a StatLine codebook
/// (`DataProperties`) so that a column of a newer table is imported rather than dropped.
/// Owned, so it can be stored and read back; [`register`] makes it an [`IndicatorDef`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodebookIndicator {
    /// `cbs_` and the column's stem in snake case: `cbs_gemiddeld_aardgasverbruik_totaal`.
    pub key: String,
    /// The StatLine column stem, without the number that changes between tables.
    pub stem: String,
    /// StatLine's (Dutch) title, shown in both languages: StatLine has no English one.
    pub title: String,
    pub unit: Unit,
    pub description: String,
}

impl CodebookIndicator {
    /// The key an indicator named from a codebook gets: stable across tables and years.
    pub fn key_of(stem: &str) -> String {
        let mut key = String::from("cbs_");
        let chars: Vec<char> = stem.chars().collect();
        for (i, ch) in chars.iter().enumerate() {
            let previous = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            // A word starts at a capital after a small letter or digit, and at the last
            // capital of an acronym: `WOZWaarde` is `woz_waarde`.
            let starts_word = ch.is_ascii_uppercase()
                && match previous {
                    Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                    Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                    _ => false,
                };
            if starts_word && !key.ends_with('_') {
                key.push('_');
            }
            if ch.is_ascii_alphanumeric() {
                key.push(ch.to_ascii_lowercase());
            } else if !key.ends_with('_') {
                key.push('_');
            }
        }
        key
    }
}

/// Indicators named from codebooks in this process (read from the store at start and after
/// every import). Leaked on purpose: a handful per table, registered once per key, and the
/// catalogue hands out `&'static` definitions everywhere.
static REGISTERED: std::sync::RwLock<Vec<&'static IndicatorDef>> = std::sync::RwLock::new(Vec::new());

fn registered() -> Vec<&'static IndicatorDef> {
    REGISTERED.read().map(|r| r.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
}

/// Makes an indicator named from a codebook known to this process. A key the catalogue or
/// an earlier registration already has is left as it is.
pub fn register(indicator: &CodebookIndicator) -> &'static IndicatorDef {
    if let Some(known) = self::indicator(&indicator.key) {
        return known;
    }
    let mut all = REGISTERED.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = all.iter().find(|d| d.key == indicator.key) {
        return known;
    }
    let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
    let description = leak(&indicator.description);
    let def: &'static IndicatorDef = Box::leak(Box::new(IndicatorDef {
        key: leak(&indicator.key),
        name_nl: leak(&indicator.title),
        name_en: leak(&indicator.title),
        unit: indicator.unit,
        origin: Origin::Base,
        // StatLine's description is Dutch and has no English version: both languages show it.
        definition: description,
        definition_nl: description,
        formula: "",
        source: CODEBOOK_SOURCE,
        higher_is_better: None,
        cbs_stems: Box::leak(vec![leak(&indicator.stem)].into_boxed_slice()),
        pdok_names: &[],
        age_group: AgeGroup::All,
    }));
    all.push(def);
    def
}

/// The indicator an earlier import in this process named from a codebook for a column.
pub fn registered_for_column(column: &str) -> Option<CodebookIndicator> {
    let stem = column_stem(column);
    registered().into_iter().find(|d| d.cbs_stems.contains(&stem)).map(|d| CodebookIndicator {
        key: d.key.to_string(),
        stem: stem.to_string(),
        title: d.name_nl.to_string(),
        unit: d.unit,
        description: d.definition.to_string(),
    })
}

/// Every indicator: the catalogue, then those named from codebooks, sorted by key.
pub fn all() -> Vec<&'static IndicatorDef> {
    let mut extra = registered();
    extra.sort_by_key(|d| d.key);
    CATALOGUE.iter().chain(extra).collect()
}

/// Finds the indicator a CBS CSV column belongs to, by its name stem: CBS numbers the
/// columns per table (`AantalInwoners_5` in one year, `AantalInwoners_6` in another).
pub fn by_cbs_column(column: &str) -> Option<&'static IndicatorDef> {
    by_cbs_column_for(column, AgeGroup::All)
}

/// As [`by_cbs_column`], for the population of a StatLine `Leeftijd` dimension.
pub fn by_cbs_column_for(column: &str, age: AgeGroup) -> Option<&'static IndicatorDef> {
    let stem = column_stem(column);
    CATALOGUE
        .iter()
        .find(|d| d.age_group == age && d.cbs_stems.contains(&stem))
        .or_else(|| registered().into_iter().find(|d| d.age_group == age && d.cbs_stems.contains(&stem)))
}

/// Finds the indicator a PDOK GeoJSON attribute belongs to.
pub fn by_pdok_attribute(name: &str) -> Option<&'static IndicatorDef> {
    CATALOGUE.iter().find(|d| d.pdok_names.contains(&name))
}

/// `AantalInwoners_5` → `AantalInwoners`; `k_0Tot15Jaar_8` → `k_0Tot15Jaar`.
pub fn column_stem(column: &str) -> &str {
    let column = column.trim();
    match column.rsplit_once('_') {
        Some((stem, num)) if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => column,
    }
}

/// Formats a value in the unit, Dutch style (decimal comma, dot for thousands).
pub fn format_value(value: f64, unit: Unit, lang: crate::Lang) -> String {
    format_number(value, unit.decimals(), lang)
}

/// A number with `decimals` decimals and the language's separators: "1.234,5" in Dutch,
/// "1,234.5" in English. The one number formatter of every page.
pub fn format_number(value: f64, decimals: usize, lang: crate::Lang) -> String {
    let raw = format!("{:.*}", decimals, value);
    let (int_part, frac) = match raw.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (raw.clone(), None),
    };
    let (sign, digits) = match int_part.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", int_part),
    };
    let (thousands, decimal) = match lang {
        crate::Lang::Nl => ('.', ','),
        crate::Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(thousands);
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}{decimal}{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn codebook_indicators_get_stable_snake_case_keys_and_register_once() {
        use super::*;
        assert_eq!(
            CodebookIndicator::key_of("GemiddeldeWOZWaardeVanWoningen"),
            "cbs_gemiddelde_woz_waarde_van_woningen"
        );
        assert_eq!(CodebookIndicator::key_of("k_0Tot15Jaar"), "cbs_k_0_tot15_jaar");
        assert_eq!(CodebookIndicator::key_of("GemiddeldAardgasverbruikTotaal"), "cbs_gemiddeld_aardgasverbruik_totaal");
        let new = CodebookIndicator {
            key: "cbs_test_register_once".into(),
            stem: "TestRegisterOnce".into(),
            title: "Test".into(),
            unit: Unit::Kwh,
            description: "A test column.".into(),
        };
        let def = register(&new);
        assert!(std::ptr::eq(def, register(&new)), "a second registration returns the first");
        assert_eq!(indicator("cbs_test_register_once").map(|d| d.unit), Some(Unit::Kwh));
        assert_eq!(by_cbs_column("TestRegisterOnce_12").map(|d| d.key), Some("cbs_test_register_once"));
        assert!(all().iter().any(|d| d.key == "cbs_test_register_once"));
        // A key the catalogue has is never replaced.
        let clash = CodebookIndicator { key: "population".into(), ..new };
        assert_eq!(register(&clash).source, KWB);
        assert_eq!(Unit::from_statline("x 1 000 euro"), Some(Unit::ThousandEuro));
        assert_eq!(Unit::from_statline("code"), None);
        for unit in UNITS {
            assert_eq!(Unit::from_key(unit.key()), Some(unit));
            assert_eq!(serde_json::to_value(unit).ok(), Some(serde_json::Value::from(unit.key())));
        }
    }

    use super::*;
    use crate::Lang;

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = CATALOGUE.iter().map(|d| d.key).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len());
    }

    #[test]
    fn definitions_are_prose_in_both_languages() {
        // A decimal point between digits: one not followed by exactly three digits (a
        // thousands separator, "1.000", is Dutch).
        fn point_decimal(text: &str) -> Option<&str> {
            let bytes = text.as_bytes();
            (1..bytes.len()).find_map(|i| {
                let digits_before = bytes[..i].iter().rev().take_while(|b| b.is_ascii_digit()).count();
                let digits_after = bytes[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
                (bytes[i] == b'.' && digits_before > 0 && digits_after > 0 && digits_after != 3)
                    .then(|| &text[i - digits_before..i + 1 + digits_after])
            })
        }
        for d in CATALOGUE.iter() {
            assert!(!d.definition_nl.trim().is_empty(), "{}: no Dutch definition", d.key);
            assert!(!d.definition.trim().is_empty(), "{}: no English definition", d.key);
            for text in [d.definition, d.definition_nl] {
                let key = text.split_whitespace().find(|word| word.contains('_'));
                assert_eq!(key, None, "{}: a key in the prose {text:?}; formulas go in `formula`", d.key);
            }
            assert_eq!(
                point_decimal(d.definition_nl),
                None,
                "{}: decimal point in Dutch: {:?}",
                d.key,
                d.definition_nl
            );
            assert_eq!(d.definition_in(Lang::Nl), d.definition_nl);
            assert_eq!(d.definition_in(Lang::En), d.definition);
            assert!(d.origin == Origin::Derived || d.formula.is_empty(), "{}: a base figure has no formula", d.key);
        }
        let gap = indicator("social_gap_30").expect("social_gap_30");
        assert!(gap.formula.contains("0.30 × housing_stock"));
        assert_eq!(
            indicator("underweight").map(|d| d.definition_nl),
            Some("Body-mass-index lager dan 18,5. Aandeel volwassenen (18 jaar of ouder), modelschatting.")
        );
        assert!(indicator("underweight_65plus")
            .is_some_and(|d| d.definition_nl.ends_with("Aandeel inwoners van 65 jaar of ouder, modelschatting.")));
        assert_eq!(point_decimal("lager dan 18.5."), Some("18.5"));
        assert_eq!(point_decimal("per 1.000 inwoners"), None);
    }

    #[test]
    fn cbs_columns_map_by_stem_whatever_their_number() {
        assert_eq!(by_cbs_column("AantalInwoners_5").map(|d| d.key), Some("population"));
        assert_eq!(by_cbs_column("AantalInwoners_6").map(|d| d.key), Some("population"));
        assert_eq!(by_cbs_column("k_65JaarOfOuder_12").map(|d| d.key), Some("age_65_plus"));
        assert_eq!(by_cbs_column("InBezitWoningcorporatie_42").map(|d| d.key), Some("pct_corporation"));
        assert!(by_cbs_column("Gemeentenaam_1").is_none());
    }

    #[test]
    fn rivm_columns_map_per_age_group() {
        assert_eq!(by_cbs_column("MoeiteMetRondkomen_38").map(|d| d.key), Some("difficulty_making_ends_meet"));
        assert_eq!(
            by_cbs_column_for("MoeiteMetRondkomen_38", AgeGroup::Seniors65).map(|d| d.key),
            Some("difficulty_making_ends_meet_65plus")
        );
        assert_eq!(by_cbs_column("Eenzaam_28").map(|d| d.source), Some(RIVM));
        assert!(by_cbs_column_for("AantalInwoners_5", AgeGroup::Seniors65).is_none());
        // Derived indicators stay last, after the RIVM block.
        let first_derived = CATALOGUE.iter().position(|d| d.origin == Origin::Derived).expect("derived");
        assert!(CATALOGUE[first_derived..].iter().all(|d| d.origin == Origin::Derived));
    }

    #[test]
    fn pdok_attributes_map() {
        assert_eq!(
            by_pdok_attribute("percHuurwoningenInBezitWoningcorporaties").map(|d| d.key),
            Some("pct_corporation")
        );
        assert_eq!(by_pdok_attribute("aantalInwoners").map(|d| d.key), Some("population"));
    }

    #[test]
    fn formats_dutch_and_english() {
        assert_eq!(format_value(12345.0, Unit::Count, Lang::Nl), "12.345");
        assert_eq!(format_value(12.345, Unit::Percent, Lang::Nl), "12,3");
        assert_eq!(format_value(1234567.25, Unit::Km, Lang::En), "1,234,567.2");
        assert_eq!(format_value(-0.5, Unit::Score, Lang::Nl), "-0,50");
        assert_eq!(format_value(999.0, Unit::Count, Lang::Nl), "999");
    }
}
