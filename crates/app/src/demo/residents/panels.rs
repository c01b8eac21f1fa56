//! Demo panels: a residents' panel with an invitation survey linked to the demo programme
//! (enough answers that some results pass disclosure control and some stay hidden), and
//! an experience experts' panel with an open survey that has too few answers to publish.
//! Everything is fictional.

use crate::demo::{DEMO_PROGRAMME_NAME, DEMO_TENANT};
use crate::residents::panels::{self, NewPanel, NewSurvey};
use crate::{App, AppError};
use leefwijk_domain::residents::panels::{QuestionDef, QuestionKind};

fn q(kind: QuestionKind, text: &str, options: &[&str]) -> QuestionDef {
    QuestionDef { kind, text: text.into(), options: options.iter().map(|o| o.to_string()).collect() }
}

/// Loads this part's demo; `Some(description)` when it loaded something.
pub async fn load(app: &App) -> Result<Option<String>, AppError> {
    let Some(beleid) = app.store.user_by_username("beleid").await? else {
        return Ok(None);
    };
    if beleid.tenant_id != DEMO_TENANT || !app.store.panels(DEMO_TENANT).await?.is_empty() {
        return Ok(None);
    }
    let programme = app.store.programmes(Some(DEMO_TENANT)).await?.into_iter().find(|p| p.name == DEMO_PROGRAMME_NAME);
    let residents = panels::create_panel(
        app,
        &beleid,
        &NewPanel { name: "Bewonerspanel Wijkerveen (fictief)".into(), kind: "residents".into(), area_code: None },
    )
    .await?;
    let survey = panels::create_survey(
        app,
        &beleid,
        &NewSurvey {
            panel_id: residents.id.clone(),
            title: "Hoe merkt u de wijkaanpak? (fictief)".into(),
            intro: "Het bewonerspanel evalueert het wijkprogramma. Uw antwoorden zijn anoniem.".into(),
            programme_id: programme.as_ref().map(|p| p.id.clone()),
            area_code: programme.as_ref().and_then(|p| p.area_codes.first().cloned()),
            mode: "invitation".into(),
        },
    )
    .await?;
    let safety = panels::add_question(
        app,
        &beleid,
        &survey.id,
        &q(
            QuestionKind::Scale,
            "Hoe veilig voelt u zich 's avonds op straat? (1 = heel onveilig, 5 = heel veilig)",
            &[],
        ),
    )
    .await?;
    let noticed = panels::add_question(
        app,
        &beleid,
        &survey.id,
        &q(
            QuestionKind::SingleChoice,
            "Merkt u iets van de aanpak in uw buurt?",
            &["Ja, duidelijk", "Een beetje", "Nee"],
        ),
    )
    .await?;
    let better =
        panels::add_question(app, &beleid, &survey.id, &q(QuestionKind::OpenText, "Wat moet beter?", &[])).await?;
    panels::set_status(app, &beleid, &survey.id, "open").await?;
    let codes = panels::generate_codes(app, &beleid, &survey.id, 30).await?;
    // 24 of 30 codes used: safety answered by all (shown), "yes" 13 (shown, rounded),
    // "a little" 8 and "no" 3 (hidden), 6 open answers (counted, never shown).
    for (i, code) in codes.iter().take(24).enumerate() {
        let mut answers = vec![(safety.clone(), ["4", "3", "5", "2", "4", "3"][i % 6].to_string())];
        let choice = if i < 13 {
            "0"
        } else if i < 21 {
            "1"
        } else {
            "2"
        };
        answers.push((noticed.clone(), choice.to_string()));
        if i % 4 == 0 {
            answers.push((better.clone(), "Meer verlichting bij het speelveld (fictief antwoord)".into()));
        }
        if let Err(errors) = panels::answer(app, &survey.id, Some(code), &answers).await? {
            return Err(AppError::Internal(format!("demo answer refused: {errors:?}")));
        }
    }

    let experts = panels::create_panel(
        app,
        &beleid,
        &NewPanel {
            name: "Panel ervaringsdeskundigen schulden (fictief)".into(),
            kind: "experience_experts".into(),
            area_code: None,
        },
    )
    .await?;
    let open = panels::create_survey(
        app,
        &beleid,
        &NewSurvey {
            panel_id: experts.id,
            title: "Wat hielp u toen u schulden had? (fictief)".into(),
            intro: "Voor mensen die zelf schulden hebben gehad. Anoniem; iedereen met de link kan meedoen.".into(),
            programme_id: programme.as_ref().map(|p| p.id.clone()),
            area_code: programme.as_ref().and_then(|p| p.area_codes.first().cloned()),
            mode: "open".into(),
        },
    )
    .await?;
    let helped = panels::add_question(
        app,
        &beleid,
        &open.id,
        &q(
            QuestionKind::SingleChoice,
            "Wie nam als eerste contact op?",
            &["Het wijkteam", "De woningcorporatie", "Niemand, ik zocht zelf hulp"],
        ),
    )
    .await?;
    let grade =
        panels::add_question(app, &beleid, &open.id, &q(QuestionKind::Scale, "Hoe tevreden bent u over de hulp?", &[]))
            .await?;
    panels::set_status(app, &beleid, &open.id, "open").await?;
    // Four answers: under the threshold, so nothing of this survey is published yet.
    for i in 0..4 {
        let answers = vec![(helped.clone(), (i % 3).to_string()), (grade.clone(), "4".to_string())];
        if let Err(errors) = panels::answer(app, &open.id, None, &answers).await? {
            return Err(AppError::Internal(format!("demo answer refused: {errors:?}")));
        }
    }
    Ok(Some(
        "panels: a residents' survey (24 answers by invitation code) and an open survey of experience experts".into(),
    ))
}
