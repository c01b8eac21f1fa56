//! Demo housing: a fictional housing-market region of the four demo municipalities, planned
//! construction and sales in Wijkerveen, performance agreements with contingents per
//! priority group and support, and placements (some with support never confirmed).

use super::signals::fictional_bsn;
use super::DEMO_TENANT;
use crate::access::gate::Actor;
use crate::housing::{self, AgreementParty, ContingentIn, NewAgreement, NewPlacement, NewPlan, SupportIn};
use crate::{App, AppError};

pub const DEMO_AGREEMENT_TITLE: &str = "Prestatieafspraken Wijkerveen 2026–2028 (fictief)";

/// Loads the demo housing once; returns the agreement id when loaded now.
pub async fn load_housing(app: &App) -> Result<Option<String>, AppError> {
    let Some(beleid) = app.store.user_by_username("beleid").await? else { return Ok(None) };
    if app.store.agreements(Some(DEMO_TENANT)).await?.iter().any(|a| a.title == DEMO_AGREEMENT_TITLE) {
        return Ok(None);
    }
    let codes: Vec<String> = ["GM9901", "GM9902", "GM9903", "GM9904"].iter().map(|s| s.to_string()).collect();
    let region = housing::add_region(app, &beleid, "Woningmarktregio Veenland (fictief)", &codes).await?;
    for (year, segment, construction, demolition, sales) in [
        (2026, "social_rent", 120, 40, 30),
        (2027, "social_rent", 220, 0, 20),
        (2028, "social_rent", 260, 60, 0),
        (2027, "mid_rent", 90, 0, 0),
        (2028, "owner_occupied", 150, 0, 0),
    ] {
        housing::add_plan(
            app,
            &beleid,
            "GM9901",
            &NewPlan { year, segment: segment.into(), construction, demolition, sales },
        )
        .await?;
    }
    let contingent = |year: i64, group: &str, homes: i64| ContingentIn {
        municipality_code: "GM9901".into(),
        year,
        priority_group: group.into(),
        homes,
    };
    let agreement = housing::create_agreement(
        app,
        &beleid,
        &NewAgreement {
            kind: "prestatieafspraken".into(),
            title: DEMO_AGREEMENT_TITLE.into(),
            region_id: Some(region),
            start_year: 2026,
            end_year: 2028,
            parties: vec![
                AgreementParty { name: "Gemeente Wijkerveen (fictief)".into(), role: "gemeente".into() },
                AgreementParty { name: "Woonstichting Veenland (fictief)".into(), role: "corporatie".into() },
                AgreementParty {
                    name: "Huurdersvereniging Veenland (fictief)".into(),
                    role: "huurdersorganisatie".into(),
                },
            ],
            contingents: vec![
                contingent(2026, "statushouders", 8),
                contingent(2026, "leaving_sheltered_housing", 6),
                contingent(2026, "leaving_ggz_clinic", 4),
                contingent(2026, "urgent", 10),
                contingent(2027, "statushouders", 10),
                contingent(2027, "leaving_sheltered_housing", 8),
            ],
            support: vec![
                SupportIn {
                    priority_group: "leaving_sheltered_housing".into(),
                    organisation: "wv-ggz".into(),
                    what: "Ambulante woonbegeleiding, 4 uur per week".into(),
                    months: 12,
                },
                SupportIn {
                    priority_group: "leaving_ggz_clinic".into(),
                    organisation: "wv-ggz".into(),
                    what: "FACT-begeleiding en huisbezoek".into(),
                    months: 24,
                },
                SupportIn {
                    priority_group: "statushouders".into(),
                    organisation: "wv-wijkteam".into(),
                    what: "Maatschappelijke begeleiding en inburgering".into(),
                    months: 18,
                },
            ],
        },
    )
    .await?;
    let Some(corporatie) = app.store.user_by_username("corporatie").await? else { return Ok(Some(agreement)) };
    let Some(ggz) = app.store.user_by_username("ggz").await? else { return Ok(Some(agreement)) };
    let covenant = app.covenant_of(DEMO_TENANT).await?;
    let corp = Actor::User(corporatie);
    let ggz = Actor::User(ggz);
    let placements = [
        ("statushouders", "BU99010101", "2026-03-02", "wv-wijkteam", false),
        ("statushouders", "BU99010101", "2026-04-14", "wv-wijkteam", false),
        ("statushouders", "BU99010101", "2026-06-01", "wv-wijkteam", false),
        ("statushouders", "BU99010102", "2026-07-20", "wv-wijkteam", false),
        ("leaving_sheltered_housing", "BU99010101", "2026-02-10", "wv-ggz", true),
        ("leaving_sheltered_housing", "BU99010304", "2026-05-05", "wv-ggz", true),
        ("leaving_sheltered_housing", "BU99010402", "2026-09-15", "wv-ggz", false),
        ("leaving_ggz_clinic", "BU99010101", "2026-08-03", "wv-ggz", true),
        ("urgent", "BU99010203", "2026-01-20", "wv-wijkteam", false),
        ("urgent", "BU99010601", "2026-10-06", "wv-wijkteam", false),
    ];
    for (i, (group, buurt, on, support_org, confirm)) in placements.iter().enumerate() {
        let id = housing::register_placement(
            app,
            &covenant,
            &corp,
            &NewPlacement {
                agreement_id: agreement.clone(),
                priority_group: (*group).into(),
                buurt_code: (*buurt).into(),
                placed_on: (*on).into(),
                bsn: fictional_bsn(500 + i as u64),
                support_org: (*support_org).into(),
                support_description: if *support_org == "wv-ggz" {
                    "Woonbegeleiding vanuit GGZ Veenstreek"
                } else {
                    "Begeleiding door het wijkteam"
                }
                .into(),
                consent: true,
            },
        )
        .await?
        .map_err(|d| AppError::Internal(format!("demo placement denied: {}", d.decision)))?;
        if *confirm {
            housing::confirm_support(app, &covenant, &ggz, &id)
                .await?
                .map_err(|d| AppError::Internal(format!("demo confirmation denied: {}", d.decision)))?;
        }
    }
    Ok(Some(agreement))
}
