//! Demo area programme: "Samen Sterk in Wijkerveen-Noord" with three funders (the
//! municipality, the health insurer and the housing corporation), two interventions, goals
//! tied to the monitor, reciprocal commitments and a ledger with a correction. Built
//! through the same use cases as a real programme.

use crate::programme::{self, Booking, NewCommitment, NewGoal, NewIntervention, NewProgramme, PartyIn};
use crate::{App, AppError};
use leefwijk_domain::programme::business_case::{Effect, Scenario};
use leefwijk_domain::programme::{FundingStream, GoalDirection};
use std::collections::BTreeMap;

pub const DEMO_PROGRAMME_NAME: &str = "Samen Sterk in Wijkerveen-Noord (fictief)";

const GEMEENTE: &str = "Gemeente Wijkerveen (fictief)";
const VERZEKERAAR: &str = "Zorgverzekeraar Veenland (fictief)";
const CORPORATIE: &str = "Woonstichting Veenland (fictief)";

fn party(name: &str, role: &str) -> PartyIn {
    PartyIn { name: name.into(), role: role.into() }
}

/// Loads the demo programme once. Returns its id, or `None` when it exists already.
pub async fn load_programme(app: &App) -> Result<Option<String>, AppError> {
    let Some(user) = app.store.user_by_username("beleid").await? else { return Ok(None) };
    if app.store.programmes(Some(&user.tenant_id)).await?.iter().any(|p| p.name == DEMO_PROGRAMME_NAME) {
        return Ok(None);
    }
    let p = programme::create(
        app,
        &user,
        &NewProgramme {
            name: DEMO_PROGRAMME_NAME.into(),
            description:
                "Meerjarig wijkprogramma: bestaanszekerheid, betaalbaar wonen en gezondheid in Centrum-Noord, \
                met ontschotte financiering uit Wmo, Participatiewet, Zvw en de corporatie."
                    .into(),
            area_codes: vec!["WK990101".into(), "WK990102".into()],
            start_year: 2026,
            end_year: 2030,
            lead: GEMEENTE.into(),
            parties: vec![
                party(GEMEENTE, "gemeente"),
                party(VERZEKERAAR, "zorgverzekeraar"),
                party(CORPORATIE, "corporatie"),
                party("Sociaal Wijkteam Wijkerveen (fictief)", "welzijn"),
                party("Politie Wijkerveen (fictief)", "politie"),
                party("Bewonersraad Noord (fictief)", "bewoners"),
            ],
            horizon_years: Some(5),
            discount_rate: Some(0.0225),
            scenarios: vec![
                Scenario { name: "Voorzichtig".into(), reach_factor: 0.8, effect_factor: 0.5 },
                Scenario { name: "Ambitieus".into(), reach_factor: 1.2, effect_factor: 1.2 },
            ],
        },
    )
    .await?;
    let income = programme::add_goal(
        app,
        &user,
        &p.id,
        &NewGoal {
            title: "Minder huishoudens met een laag inkomen".into(),
            indicator: Some("low_income_share".into()),
            area_code: Some("WK990101".into()),
            baseline: 18.0,
            baseline_year: 2023,
            target: 14.0,
            target_year: 2030,
            direction: GoalDirection::Decrease,
            own_value: None,
        },
    )
    .await?;
    let evictions = programme::add_goal(
        app,
        &user,
        &p.id,
        &NewGoal {
            title: "Geen huisuitzettingen om huurschuld".into(),
            indicator: None,
            area_code: None,
            baseline: 12.0,
            baseline_year: 2025,
            target: 0.0,
            target_year: 2030,
            direction: GoalDirection::Decrease,
            own_value: Some(7.0),
        },
    )
    .await?;
    for (party, kind, description, amount, in_return, status) in [
        (
            GEMEENTE,
            "money",
            "Bijdrage Wmo en Participatiewet aan de wijkpot",
            "€ 350.000 per jaar",
            "Minder maatwerkvoorzieningen en uitkeringen",
            &["agreed", "delivered"][..],
        ),
        (
            VERZEKERAAR,
            "money",
            "Bijdrage Zvw (preventie) aan de wijkpot",
            "€ 150.000 per jaar",
            "Minder huisartsbezoek en ggz-instroom",
            &["agreed", "delivered"][..],
        ),
        (
            CORPORATIE,
            "money",
            "Bijdrage aan vroegsignalering en de buurtkamer",
            "€ 100.000 per jaar",
            "Minder huurachterstand en ontruimingen",
            &["agreed"][..],
        ),
        (
            CORPORATIE,
            "space",
            "Buurtkamer in De Veenhof, huurvrij",
            "120 m2",
            "Beheer door bewoners",
            &["agreed", "late"][..],
        ),
        (
            "Politie Wijkerveen (fictief)",
            "data",
            "Meldingen overlast per buurt (geaggregeerd)",
            "per kwartaal",
            "Signalen uit het wijkteam",
            &[][..],
        ),
    ] {
        let c = programme::add_commitment(
            app,
            &user,
            &p.id,
            &NewCommitment {
                party: party.into(),
                kind: kind.into(),
                description: description.into(),
                amount: amount.into(),
                in_return: in_return.into(),
            },
        )
        .await?;
        for s in status {
            programme::move_commitment(app, &user, &p.id, &c.id, s).await?;
        }
    }
    let eur = |euros: i64| euros * 100;
    programme::add_intervention(
        app,
        &user,
        &p.id,
        &NewIntervention {
            name: "Vroeg erop af".into(),
            kind: "social".into(),
            owner: "Sociaal Wijkteam Wijkerveen (fictief)".into(),
            reach_households: 220.0,
            reach_people: 480,
            goal_id: Some(evictions.id.clone()),
            outcome_measures: "Aandeel bereikte huishoudens; aandeel dat hulp accepteert".into(),
            costs_per_year_cents: BTreeMap::from([
                (GEMEENTE.to_string(), eur(180_000)),
                (CORPORATIE.to_string(), eur(40_000)),
            ]),
            effects: vec![
                Effect {
                    name: "Voorkomen huisuitzetting".into(),
                    per_household_rate: 0.03,
                    unit_value_cents: eur(25_000),
                    beneficiary: CORPORATIE.into(),
                },
                Effect {
                    name: "Minder schuldhulptrajecten".into(),
                    per_household_rate: 0.10,
                    unit_value_cents: eur(3_500),
                    beneficiary: GEMEENTE.into(),
                },
                Effect {
                    name: "Minder ggz-instroom".into(),
                    per_household_rate: 0.04,
                    unit_value_cents: eur(6_000),
                    beneficiary: VERZEKERAAR.into(),
                },
            ],
        },
    )
    .await?;
    programme::add_intervention(
        app,
        &user,
        &p.id,
        &NewIntervention {
            name: "Buurtkamer De Veenhof".into(),
            kind: "physical".into(),
            owner: CORPORATIE.into(),
            reach_households: 150.0,
            reach_people: 300,
            goal_id: Some(income.id.clone()),
            outcome_measures: "Bezoekers per week; deelnemers aan activiteiten naar werk".into(),
            costs_per_year_cents: BTreeMap::from([
                (VERZEKERAAR.to_string(), eur(60_000)),
                (CORPORATIE.to_string(), eur(30_000)),
            ]),
            effects: vec![
                Effect {
                    name: "Uitstroom uit de bijstand".into(),
                    per_household_rate: 0.02,
                    unit_value_cents: eur(15_000),
                    beneficiary: GEMEENTE.into(),
                },
                Effect {
                    name: "Minder eenzaamheid (huisartsbezoek)".into(),
                    per_household_rate: 0.15,
                    unit_value_cents: eur(400),
                    beneficiary: VERZEKERAAR.into(),
                },
            ],
        },
    )
    .await?;
    let bookings = [
        Booking::Contribution {
            funder: GEMEENTE.into(),
            stream: FundingStream::Wmo,
            amount_cents: eur(250_000),
            date: "2026-01-15".into(),
            memo: "Bijdrage 2026 (Wmo)".into(),
        },
        Booking::Contribution {
            funder: GEMEENTE.into(),
            stream: FundingStream::Participatiewet,
            amount_cents: eur(100_000),
            date: "2026-01-15".into(),
            memo: "Bijdrage 2026 (Participatiewet)".into(),
        },
        Booking::Contribution {
            funder: VERZEKERAAR.into(),
            stream: FundingStream::Zvw,
            amount_cents: eur(150_000),
            date: "2026-02-01".into(),
            memo: "Bijdrage 2026 (Zvw, preventie)".into(),
        },
        Booking::Contribution {
            funder: CORPORATIE.into(),
            stream: FundingStream::Corporation,
            amount_cents: eur(100_000),
            date: "2026-02-10".into(),
            memo: "Bijdrage 2026".into(),
        },
        Booking::Allocation {
            stream: FundingStream::Wmo,
            intervention: "Vroeg erop af".into(),
            amount_cents: eur(180_000),
            date: "2026-02-15".into(),
            memo: "Budget 2026".into(),
        },
        Booking::Allocation {
            stream: FundingStream::Corporation,
            intervention: "Vroeg erop af".into(),
            amount_cents: eur(40_000),
            date: "2026-02-15".into(),
            memo: "Budget 2026".into(),
        },
        Booking::Allocation {
            stream: FundingStream::Zvw,
            intervention: "Buurtkamer De Veenhof".into(),
            amount_cents: eur(60_000),
            date: "2026-02-15".into(),
            memo: "Budget 2026".into(),
        },
        Booking::Allocation {
            stream: FundingStream::Corporation,
            intervention: "Buurtkamer De Veenhof".into(),
            amount_cents: eur(35_000),
            date: "2026-02-15".into(),
            memo: "Budget 2026 (te hoog, zie correctie)".into(),
        },
        Booking::Spending {
            intervention: "Vroeg erop af".into(),
            stream: FundingStream::Wmo,
            amount_cents: eur(132_500),
            date: "2026-09-30".into(),
            memo: "Inzet outreachmedewerkers t/m september".into(),
        },
        Booking::Spending {
            intervention: "Buurtkamer De Veenhof".into(),
            stream: FundingStream::Zvw,
            amount_cents: eur(41_200),
            date: "2026-09-30".into(),
            memo: "Inrichting en activiteiten".into(),
        },
    ];
    for b in &bookings {
        programme::book(app, &user, &p.id, b).await?;
    }
    // The over-allocation is reversed and booked again at the right amount.
    programme::book(
        app,
        &user,
        &p.id,
        &Booking::Correction {
            of: "T00008".into(),
            date: "2026-03-01".into(),
            memo: "Correctie: bedrag was € 35.000 in plaats van € 30.000".into(),
        },
    )
    .await?;
    programme::book(
        app,
        &user,
        &p.id,
        &Booking::Allocation {
            stream: FundingStream::Corporation,
            intervention: "Buurtkamer De Veenhof".into(),
            amount_cents: eur(30_000),
            date: "2026-03-01".into(),
            memo: "Budget 2026 (gecorrigeerd)".into(),
        },
    )
    .await?;
    Ok(Some(p.id))
}
