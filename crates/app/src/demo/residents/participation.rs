//! Demo initiatives and participatory-budgeting rounds: a round in the voting phase with
//! five projects and fictional ballots, a finished round whose result went to the demo
//! area programme, and initiatives collecting support. All names are fictional.

use crate::residents::participation::{self as part, NewInitiative, NewProject, NewRound};
use crate::{App, AppError};
use leefwijk_domain::residents::budgeting::{Phase, VoteRule};

pub const DEMO_VOTING_ROUND: &str = "Buurtbudget Wijkerveen-Oost 2027 (fictief)";
pub const DEMO_FINISHED_ROUND: &str = "Bewonersbegroting Centrum-Noord 2026 (fictief)";

fn project(title: &str, description: &str, cost_euros: i64) -> NewProject {
    NewProject { title: title.into(), description: description.into(), cost_euros, initiative_id: None }
}

/// Loads this part's demo; `Some(description)` when it loaded something.
pub async fn load(app: &App) -> Result<Option<String>, AppError> {
    let Some(user) = app.store.user_by_username("beleid").await? else { return Ok(None) };
    if app.store.rounds(Some(&user.tenant_id)).await?.iter().any(|r| r.name == DEMO_VOTING_ROUND) {
        return Ok(None);
    }
    // Voters must live in the area: make sure the demo postcodes are known.
    app.store.put_postcode_areas(&crate::demo::demo_postcodes()).await?;
    let programme = app
        .store
        .programmes(Some(&user.tenant_id))
        .await?
        .into_iter()
        .find(|p| p.name == crate::demo::DEMO_PROGRAMME_NAME)
        .map(|p| p.id);

    // A finished round in Centrum-Noord, handed to the demo programme when it exists.
    let finished = part::create_round(
        app,
        &user,
        &NewRound {
            name: DEMO_FINISHED_ROUND.into(),
            description: "Bewoners van wijk WK990101 kozen hoe € 20.000 wordt besteed.".into(),
            area_code: "WK990101".into(),
            budget_euros: 20_000,
            vote_rule: VoteRule::MaxProjects { k: 2 },
            programme_id: programme.clone(),
            projects: vec![
                project("Buurtmoestuin bij de Esdoornlaan", "Bakken, gereedschap en een waterpunt.", 8_000),
                project("Speeltoestel voor peuters", "Een klimtoestel op het pleintje.", 12_000),
                project("Bankjes langs de singel", "Vier bankjes voor een rustpunt.", 4_000),
            ],
        },
    )
    .await?;
    let ids: Vec<String> = finished.projects.iter().map(|p| p.id.clone()).collect();
    part::move_phase(app, &user, &finished.id, Phase::Assessment).await?;
    part::move_phase(app, &user, &finished.id, Phase::Voting).await?;
    let choices: [&[usize]; 9] = [&[0, 1], &[0, 2], &[0], &[1, 2], &[0, 1], &[2], &[0, 2], &[1], &[0]];
    for (n, pick) in choices.iter().enumerate() {
        let chosen: Vec<String> = pick.iter().map(|&i| ids[i].clone()).collect();
        part::cast_demo_ballot(app, &finished.id, &format!("bewoner{n}@noord.voorbeeld.nl"), &chosen).await?;
    }
    part::move_phase(app, &user, &finished.id, Phase::Result).await?;
    if programme.is_some() {
        part::hand_over(app, &user, &finished.id).await?;
    }

    // A round in Wijkerveen-Oost that is open for voting.
    let voting = part::create_round(
        app,
        &user,
        &NewRound {
            name: DEMO_VOTING_ROUND.into(),
            description: "Kies welke plannen uit de buurt het budget van € 25.000 krijgen.".into(),
            area_code: "WK990103".into(),
            budget_euros: 25_000,
            vote_rule: VoteRule::ShareOfBudget { percent: 50 },
            programme_id: None,
            projects: vec![
                project("Straatfeest in de Lindestraat", "Een jaarlijks feest voor de hele straat.", 3_000),
                project("Extra verlichting in het parkje", "Veilig over straat na donker.", 9_000),
                project("Ontmoetingsbank bij de school", "Een plek om te wachten en te praten.", 2_500),
                project("Geveltuintjes", "Tegels eruit, planten erin: 30 geveltuinen.", 6_000),
                project("Huiswerkklas in het buurthuis", "Een jaar lang twee middagen per week.", 11_000),
            ],
        },
    )
    .await?;
    let ids: Vec<String> = voting.projects.iter().map(|p| p.id.clone()).collect();
    part::move_phase(app, &user, &voting.id, Phase::Assessment).await?;
    part::move_phase(app, &user, &voting.id, Phase::Voting).await?;
    let choices: [&[usize]; 6] = [&[1, 0], &[4], &[2, 3, 0], &[1, 2], &[3, 2], &[3, 0]];
    for (n, pick) in choices.iter().enumerate() {
        let chosen: Vec<String> = pick.iter().map(|&i| ids[i].clone()).collect();
        part::cast_demo_ballot(app, &voting.id, &format!("bewoner{n}@oost.voorbeeld.nl"), &chosen).await?;
    }

    // Initiatives collecting support in the ideas phase.
    for (area, title, text, cost) in [
        ("BU99010301", "Buurtbieb in een oude telefooncel (fictief)", "Boeken ruilen op de hoek van de straat.", 800),
        (
            "BU99010302",
            "Zwerfvuilprikkers voor de buurt (fictief)",
            "Prikkers en vuilniszakken om samen op te ruimen.",
            300,
        ),
        ("WK990103", "Jeu-de-boulesbaan bij het buurthuis (fictief)", "Een baan om elkaar te ontmoeten.", 5_000),
    ] {
        part::propose(
            app,
            &NewInitiative {
                area_code: area.into(),
                title: title.into(),
                description: text.into(),
                cost_euros: cost,
                contact: None,
            },
        )
        .await?;
    }
    Ok(Some(format!(
        "participation: 2 budgeting rounds ({} and {}), 15 fictional ballots, 3 initiatives",
        DEMO_VOTING_ROUND, DEMO_FINISHED_ROUND
    )))
}
