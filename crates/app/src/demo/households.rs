//! Demo households with stacked problems: a household known to the neighbourhood team and
//! the mental-health service with a coordinator, consent and a joint plan with two ZRM
//! assessments; a household known to the team and the corporation still without a
//! coordinator; and a young person under the youth regime with informing deferred.

use super::signals::fictional_bsn;
use crate::households::{self, NewAssessment, NewConsent, NewInvolvement, NewItem, NewPlan};
use crate::{App, AppError};
use std::collections::BTreeMap;

fn involvement(bsn: &str, start: &str) -> NewInvolvement {
    NewInvolvement { bsn: bsn.into(), start_on: start.into(), ..Default::default() }
}

fn denied(d: crate::access::gate::Denied) -> AppError {
    AppError::Internal(format!("demo households denied: {}", d.decision))
}

/// Loads the demo households once; returns the plan id when loaded now.
pub async fn load_households(app: &App) -> Result<Option<String>, AppError> {
    let (Some(wijkteam), Some(regisseur), Some(ggz), Some(corporatie)) = (
        app.store.user_by_username("wijkteam").await?,
        app.store.user_by_username("regisseur").await?,
        app.store.user_by_username("ggz").await?,
        app.store.user_by_username("corporatie").await?,
    ) else {
        return Ok(None);
    };
    if !app.store.matches_of_organisation(&wijkteam.tenant_id, &wijkteam.organisation_id).await?.is_empty() {
        return Ok(None);
    }
    let covenant = app.covenant_of(&wijkteam.tenant_id).await?;
    let today = app.signals.today();
    let day = |n: i64| today.add_days(-n).to_string();
    let first = fictional_bsn(7001);
    households::register(
        app,
        &covenant,
        &wijkteam,
        &NewInvolvement { postcode: Some("9110AB".into()), house_number: Some(21), ..involvement(&first, &day(120)) },
    )
    .await?
    .map_err(denied)?;
    let matched = households::register(app, &covenant, &ggz, &involvement(&first, &day(90))).await?.map_err(denied)?;
    let Some(match_id) = matched.match_id else { return Ok(None) };
    households::become_coordinator(app, &regisseur, &match_id).await?;
    for org in ["wv-wijkteam", "wv-ggz"] {
        households::record_consent(
            app,
            &covenant,
            &regisseur,
            &NewConsent {
                bsn: first.clone(),
                purpose: "joint_plan".into(),
                organisation_id: org.into(),
                given_on: day(80),
                scope: "Gezamenlijk plan en overleg tussen wijkteam en GGZ".into(),
            },
        )
        .await?
        .map_err(denied)?;
    }
    let plan = households::create_plan(
        app,
        &covenant,
        &regisseur,
        &NewPlan {
            match_id,
            bsn: first,
            own_goals: "Weer rust in huis, de schulden op een rij en de kinderen elke dag naar school.".into(),
        },
    )
    .await?
    .map_err(denied)?;
    for (kind, domain, text, owner, due) in [
        ("goal", Some("finances"), "Overzicht van alle schulden, en een regeling", None, None),
        (
            "action",
            Some("finances"),
            "Aanmelden bij schuldhulp en samen de post doornemen",
            Some("wv-schuldhulp"),
            Some(day(-20)),
        ),
        ("goal", Some("mental_health"), "Beter slapen en minder piekeren", None, None),
        ("action", Some("mental_health"), "Wekelijks gesprek met de GGZ-behandelaar", Some("wv-ggz"), Some(day(-40))),
        ("review", None, "Eerste evaluatie: post is op orde, aanmelding schuldhulp loopt", None, None),
    ] {
        households::add_item(
            app,
            &covenant,
            &regisseur,
            &plan,
            &NewItem {
                kind: kind.into(),
                domain: domain.map(String::from),
                text: text.into(),
                owner_org: owner.map(String::from),
                due_on: due,
            },
        )
        .await?
        .map_err(denied)?;
    }
    for (days_ago, finances, mental, housing, social) in [(75, 1, 2, 3, 2), (10, 3, 3, 3, 3)] {
        let scores = BTreeMap::from([
            ("finances".to_string(), finances),
            ("mental_health".to_string(), mental),
            ("housing".to_string(), housing),
            ("social_network".to_string(), social),
        ]);
        households::add_assessment(
            app,
            &covenant,
            &regisseur,
            &plan,
            &NewAssessment { assessed_on: day(days_ago), instrument_version: None, scores },
        )
        .await?
        .map_err(denied)?;
    }
    // A second household: known to the team and the corporation, no coordinator yet.
    let second = fictional_bsn(7002);
    households::register(app, &covenant, &wijkteam, &involvement(&second, &day(30))).await?.map_err(denied)?;
    households::register(app, &covenant, &corporatie, &involvement(&second, &day(5))).await?.map_err(denied)?;
    // A young person (youth regime): informing the parents is deferred, with a reason.
    households::register(
        app,
        &covenant,
        &wijkteam,
        &NewInvolvement {
            birth_date: Some(today.add_days(-19 * 365).to_string()),
            deferral_reason: Some("Veiligheid van de jongere: eerst een gesprek met de jongere zelf".into()),
            deferral_until: Some(day(-30)),
            ..involvement(&fictional_bsn(7003), &day(14))
        },
    )
    .await?
    .map_err(denied)?;
    Ok(Some(plan))
}
