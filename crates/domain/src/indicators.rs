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
}

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
        }
    }

    /// Decimals shown for a value of this unit.
    pub fn decimals(self) -> usize {
        match self {
            Unit::Count | Unit::Code | Unit::Hectare | Unit::PerKm2 => 0,
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

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorDef {
    pub key: &'static str,
    pub name_nl: &'static str,
    pub name_en: &'static str,
    pub unit: Unit,
    pub origin: Origin,
    /// Definition or formula, in English (the formula is in canonical keys).
    pub definition: &'static str,
    pub source: &'static str,
    pub higher_is_better: HigherIsBetter,
    /// Name stems of the CBS StatLine/OData CSV columns (the part before `_<number>`).
    #[serde(skip)]
    pub cbs_stems: &'static [&'static str],
    /// Attribute names in the PDOK "wijkenbuurten" GeoJSON.
    #[serde(skip)]
    pub pdok_names: &'static [&'static str],
}

impl IndicatorDef {
    pub fn name(&self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Nl => self.name_nl,
            crate::Lang::En => self.name_en,
        }
    }
}

const KWB: &str = "CBS Kerncijfers wijken en buurten";
const LEEFWIJK: &str = "Leefwijk, computed from CBS Kerncijfers wijken en buurten";

macro_rules! base {
    ($key:literal, $nl:literal, $en:literal, $unit:expr, $def:literal, $hib:expr, [$($stem:literal),*], [$($pdok:literal),*]) => {
        IndicatorDef {
            key: $key, name_nl: $nl, name_en: $en, unit: $unit, origin: Origin::Base,
            definition: $def, source: KWB, higher_is_better: $hib,
            cbs_stems: &[$($stem),*], pdok_names: &[$($pdok),*],
        }
    };
}

macro_rules! derived {
    ($key:literal, $nl:literal, $en:literal, $unit:expr, $def:literal, $hib:expr) => {
        IndicatorDef {
            key: $key,
            name_nl: $nl,
            name_en: $en,
            unit: $unit,
            origin: Origin::Derived,
            definition: $def,
            source: LEEFWIJK,
            higher_is_better: $hib,
            cbs_stems: &[],
            pdok_names: &[],
        }
    };
}

/// Every indicator Leefwijk knows. Base figures first, then derived ones.
pub static CATALOGUE: &[IndicatorDef] = &[
    base!("population", "Inwoners", "Inhabitants", Unit::Count,
        "Number of registered inhabitants on 1 January.", None,
        ["AantalInwoners"], ["aantalInwoners"]),
    base!("men", "Mannen", "Men", Unit::Count, "Number of male inhabitants.", None,
        ["Mannen"], ["mannen"]),
    base!("women", "Vrouwen", "Women", Unit::Count, "Number of female inhabitants.", None,
        ["Vrouwen"], ["vrouwen"]),
    base!("age_0_14", "0 tot 15 jaar", "Aged 0 to 14", Unit::Count, "Inhabitants aged 0 to 14.", None,
        ["k_0Tot15Jaar"], []),
    base!("age_15_24", "15 tot 25 jaar", "Aged 15 to 24", Unit::Count, "Inhabitants aged 15 to 24.", None,
        ["k_15Tot25Jaar"], []),
    base!("age_25_44", "25 tot 45 jaar", "Aged 25 to 44", Unit::Count, "Inhabitants aged 25 to 44.", None,
        ["k_25Tot45Jaar"], []),
    base!("age_45_64", "45 tot 65 jaar", "Aged 45 to 64", Unit::Count, "Inhabitants aged 45 to 64.", None,
        ["k_45Tot65Jaar"], []),
    base!("age_65_plus", "65 jaar of ouder", "Aged 65 or over", Unit::Count, "Inhabitants aged 65 or over.", None,
        ["k_65JaarOfOuder"], []),
    base!("pct_age_65_plus", "Aandeel 65+ (bron)", "Share 65+ (source)", Unit::Percent,
        "Share of inhabitants aged 65 or over as published (PDOK).", None,
        [], ["percentagePersonen65JaarEnOuder"]),
    base!("households", "Huishoudens", "Households", Unit::Count, "Number of private households.", None,
        ["HuishoudensTotaal"], ["aantalHuishoudens"]),
    base!("single_person_households", "Eenpersoonshuishoudens", "Single-person households", Unit::Count,
        "Number of households of one person.", None,
        ["Eenpersoonshuishoudens"], []),
    base!("pct_single_person_households", "Aandeel eenpersoonshuishoudens (bron)", "Share of single-person households (source)", Unit::Percent,
        "Share of single-person households as published (PDOK).", None,
        [], ["percentageEenpersoonshuishoudens"]),
    base!("avg_household_size", "Gemiddelde huishoudensgrootte", "Average household size", Unit::Persons,
        "Average number of persons per household.", None,
        ["GemiddeldeHuishoudensgrootte"], ["gemiddeldeHuishoudsgrootte"]),
    base!("population_density", "Bevolkingsdichtheid", "Population density", Unit::PerKm2,
        "Inhabitants per km² of land.", None,
        ["Bevolkingsdichtheid"], ["bevolkingsdichtheidInwonersPerKm2"]),
    base!("housing_stock", "Woningvoorraad", "Housing stock", Unit::Count,
        "Number of homes on 1 January.", None,
        ["Woningvoorraad"], ["woningvoorraad", "aantalWoningen"]),
    base!("avg_woz", "Gemiddelde WOZ-waarde", "Average property value (WOZ)", Unit::ThousandEuro,
        "Average WOZ value of homes, × € 1,000.", None,
        ["GemiddeldeWOZWaardeVanWoningen", "GemiddeldeWoningwaarde"], ["gemiddeldeWoningwaarde"]),
    base!("pct_owner_occupied", "Koopwoningen", "Owner-occupied homes", Unit::Percent,
        "Share of owner-occupied homes in the stock.", None,
        ["Koopwoningen"], ["percentageKoopwoningen"]),
    base!("pct_rental", "Huurwoningen", "Rental homes", Unit::Percent,
        "Share of rental homes in the stock.", None,
        ["HuurwoningenTotaal"], ["percentageHuurwoningen"]),
    base!("pct_corporation", "Huurwoningen van woningcorporaties", "Rental homes owned by housing corporations", Unit::Percent,
        "Share of the stock owned by housing corporations.", None,
        ["InBezitWoningcorporatie"], ["percHuurwoningenInBezitWoningcorporaties"]),
    base!("pct_other_landlords", "Huurwoningen van overige verhuurders", "Rental homes of other landlords", Unit::Percent,
        "Share of the stock owned by other landlords.", None,
        ["InBezitOverigeVerhuurders"], ["percHuurwoningenInBezitOverigeVerhuurders"]),
    base!("avg_income_per_inhabitant", "Gemiddeld inkomen per inwoner", "Average income per inhabitant", Unit::ThousandEuro,
        "Average personal income per inhabitant, × € 1,000.", Some(true),
        ["GemiddeldInkomenPerInwoner"], ["gemiddeldInkomenPerInwoner"]),
    base!("pct_low_income_households", "Huishoudens met een laag inkomen", "Households with a low income", Unit::Percent,
        "Share of households with a low income (below the CBS low-income threshold).", Some(false),
        ["HuishoudensMetEenLaagInkomen"], ["percentageHuishoudensMetLaagInkomen", "huishoudensMetEenLaagInkomen"]),
    base!("pct_social_minimum", "Huishoudens onder of rond sociaal minimum", "Households at or below the social minimum", Unit::Percent,
        "Share of households with an income up to 110% of the social minimum.", Some(false),
        ["HuishOnderOfRondSociaalMinimum"], ["percentageHuishoudensOnderOfRondSociaalMinimum"]),
    base!("benefit_bijstand", "Personen met bijstand", "Persons on social assistance", Unit::Count,
        "Persons receiving social assistance (Participatiewet).", None,
        ["PersonenPerSoortUitkeringBijstand"], ["aantalPersonenMetUitkeringBijstand"]),
    base!("benefit_ao", "Personen met arbeidsongeschiktheidsuitkering", "Persons on disability benefit", Unit::Count,
        "Persons receiving a disability benefit.", None,
        ["PersonenPerSoortUitkeringAO"], ["aantalPersonenMetUitkeringAO"]),
    base!("benefit_ww", "Personen met WW-uitkering", "Persons on unemployment benefit", Unit::Count,
        "Persons receiving an unemployment benefit (WW).", None,
        ["PersonenPerSoortUitkeringWW"], ["aantalPersonenMetUitkeringWW"]),
    base!("benefit_aow", "Personen met AOW-uitkering", "Persons on state pension", Unit::Count,
        "Persons receiving the state pension (AOW).", None,
        ["PersonenPerSoortUitkeringAOW"], ["aantalPersonenMetUitkeringAOW"]),
    base!("distance_gp", "Afstand tot huisartsenpraktijk", "Distance to GP practice", Unit::Km,
        "Average road distance of inhabitants to the nearest GP practice.", Some(false),
        ["AfstandTotHuisartsenpraktijk"], ["afstandTotHuisartsenpraktijk"]),
    base!("distance_supermarket", "Afstand tot grote supermarkt", "Distance to large supermarket", Unit::Km,
        "Average road distance of inhabitants to the nearest large supermarket.", Some(false),
        ["AfstandTotGroteSupermarkt"], ["afstandTotGroteSupermarkt"]),
    base!("distance_daycare", "Afstand tot kinderdagverblijf", "Distance to day-care centre", Unit::Km,
        "Average road distance of inhabitants to the nearest day-care centre.", Some(false),
        ["AfstandTotKinderdagverblijf"], ["afstandTotKinderdagverblijf"]),
    base!("distance_school", "Afstand tot school", "Distance to school", Unit::Km,
        "Average road distance of inhabitants to the nearest primary school.", Some(false),
        ["AfstandTotSchool"], ["afstandTotSchool"]),
    base!("area_land", "Oppervlakte land", "Land area", Unit::Hectare,
        "Land area in hectares.", None,
        ["OppervlakteLand"], ["oppervlakteLandInHa"]),
    base!("urbanity", "Mate van stedelijkheid", "Degree of urbanity", Unit::Code,
        "CBS urbanity class: 1 very strongly urban … 5 not urban.", None,
        ["MateVanStedelijkheid"], ["stedelijkheidAdressenPerKm2"]),
    base!("boundary_change", "Indelingswijziging", "Boundary change", Unit::Code,
        "CBS code for change since the previous year: 1 = code and boundaries unchanged.", None,
        ["IndelingswijzigingWijkenEnBuurten"], ["indelingswijzigingWijkenEnBuurten"]),
    derived!("social_share", "Aandeel sociale huur (corporatiebezit)", "Social-rent share (corporation-owned)", Unit::Percent,
        "pct_corporation: share of the housing stock owned by housing corporations, the measure of the 30% target.", None),
    derived!("social_homes", "Corporatiewoningen", "Corporation-owned homes", Unit::Count,
        "round(social_share / 100 × housing_stock).", None),
    derived!("social_gap_30", "Tekort tot 30% sociale huur", "Shortfall to 30% social rent", Unit::Count,
        "max(0, ceil((0.30 × housing_stock − social_homes) / 0.70)): social homes to add to the stock until they are 30% of it.", Some(false)),
    derived!("low_income_share", "Aandeel huishoudens met laag inkomen", "Share of low-income households", Unit::Percent,
        "pct_low_income_households.", Some(false)),
    derived!("single_person_share", "Aandeel eenpersoonshuishoudens", "Share of single-person households", Unit::Percent,
        "single_person_households / households × 100 (or the published share).", None),
    derived!("share_65_plus", "Aandeel 65-plussers", "Share aged 65 or over", Unit::Percent,
        "age_65_plus / population × 100 (or the published share).", None),
    derived!("bijstand_per_1000", "Bijstand per 1.000 inwoners", "Social assistance per 1,000 inhabitants", Unit::PerThousand,
        "benefit_bijstand / population × 1000.", Some(false)),
    derived!("benefits_per_1000", "Uitkeringen per 1.000 inwoners", "Benefit recipients per 1,000 inhabitants", Unit::PerThousand,
        "(benefit_bijstand + benefit_ao + benefit_ww) / population × 1000: working-age benefits, AOW excluded.", Some(false)),
    derived!("pressure_index", "Drukindex", "Pressure index", Unit::Score,
        "Weighted mean of z-scores of the configured indicator set among areas of the same level; > 0 is more pressure than average.", Some(false)),
];

/// Looks an indicator up by key.
pub fn indicator(key: &str) -> Option<&'static IndicatorDef> {
    CATALOGUE.iter().find(|d| d.key == key)
}

/// Finds the indicator a CBS CSV column belongs to, by its name stem: CBS numbers the
/// columns per table (`AantalInwoners_5` in one year, `AantalInwoners_6` in another).
pub fn by_cbs_column(column: &str) -> Option<&'static IndicatorDef> {
    let stem = column_stem(column);
    CATALOGUE.iter().find(|d| d.cbs_stems.contains(&stem))
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
    let decimals = unit.decimals();
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
    fn cbs_columns_map_by_stem_whatever_their_number() {
        assert_eq!(by_cbs_column("AantalInwoners_5").map(|d| d.key), Some("population"));
        assert_eq!(by_cbs_column("AantalInwoners_6").map(|d| d.key), Some("population"));
        assert_eq!(by_cbs_column("k_65JaarOfOuder_12").map(|d| d.key), Some("age_65_plus"));
        assert_eq!(by_cbs_column("InBezitWoningcorporatie_42").map(|d| d.key), Some("pct_corporation"));
        assert!(by_cbs_column("Gemeentenaam_1").is_none());
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
