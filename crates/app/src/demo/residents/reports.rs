//! Demo public-space reports in several states, some overdue.
//!
//! Routing: every report in Wijkerveen (GM9901) goes to the municipality (public space),
//! except "woning of portiek", which goes to the corporation. Reports are fictional and
//! dated relative to today, so some are always overdue; one closed report has a
//! satisfaction answer. Contact details are fictional too ("(fictief)").

use super::super::{demo_postcodes, DEMO_TENANT};
use crate::access::identity::{now_ms, random_token, sha256_hex};
use crate::{App, AppError};
use leefwijk_domain::residents::reports::{find_sub, rd_to_wgs84, Status};
use leefwijk_store::{ReportEventRecord, ReportRecord, ReportRouteRecord};

/// The RD centre of a demo buurt of Wijkerveen: wijk `w` (0-based) and buurt `b` (0–3);
/// the demo's grid puts buurt cells of 900 m from (120 000, 480 000).
pub fn buurt_centre(w: usize, b: usize) -> (f64, f64) {
    let (c, r) = ((w % 3) * 2 + b % 2, (w / 3) * 2 + b / 2);
    rd_to_wgs84([120_000.0 + (c as f64 + 0.5) * 900.0, 480_000.0 + (r as f64 + 0.5) * 900.0])
}

type Step = (i64, Status, &'static str);

struct Demo {
    sub: &'static str,
    wijk: usize,
    buurt: usize,
    filed_days_ago: i64,
    description: &'static str,
    steps: &'static [Step],
    contact: bool,
    satisfaction: Option<i64>,
}

const fn d(
    sub: &'static str,
    wijk: usize,
    buurt: usize,
    filed_days_ago: i64,
    description: &'static str,
    steps: &'static [Step],
) -> Demo {
    Demo { sub, wijk, buurt, filed_days_ago, description, steps, contact: false, satisfaction: None }
}

use Status::{Cancelled, Closed, InProgress, OnHold, Reopened};

const DONE: &str = "Opgelost door de buitendienst (fictief).";

fn demos() -> Vec<Demo> {
    let mut v = vec![
        d("verval.zwerfafval", 0, 0, 1, "Zakken met afval naast de container bij de haven.", &[]),
        d("verval.dumping", 0, 1, 2, "Een oude bank en matras gedumpt op de stoep.", &[(1, InProgress, "")]),
        d("overlast.geluid", 0, 2, 20, "Elke nacht harde muziek uit een geparkeerde auto.", &[(18, InProgress, "")]),
        d("onveilig.verlichting", 0, 3, 9, "Drie lantaarnpalen op rij doen het niet; erg donker.", &[]),
        d("groen.snoeien", 1, 0, 30, "Struiken belemmeren het zicht op de oversteekplaats.", &[(25, InProgress, "")]),
        d("groen.boom", 1, 1, 3, "Grote tak hangt los boven het fietspad.", &[(2, InProgress, "")]),
        d("woning.portiek", 1, 2, 14, "Portiek wordt al weken niet schoongemaakt.", &[]),
        d("woning.lift", 1, 3, 5, "Lift in de flat staat al vier dagen stil.", &[(4, InProgress, "")]),
        d(
            "woning.lekkage",
            2,
            0,
            25,
            "Lekkage in de gemeenschappelijke kelder.",
            &[(20, InProgress, ""), (15, OnHold, "Wacht op onderdelen van de leverancier (fictief).")],
        ),
        d(
            "verval.graffiti",
            2,
            1,
            40,
            "Graffiti op de muur van het buurthuis.",
            &[(35, InProgress, ""), (30, Closed, DONE)],
        ),
        d("verval.bestrating", 2, 2, 8, "Losse stoeptegels voor de school, struikelgevaar.", &[]),
        d("overlast.parkeren", 2, 3, 2, "Auto's staan steeds op de stoep bij de ingang.", &[]),
        d("onveilig.verkeer", 3, 0, 12, "Auto's rijden veel te hard door de woonstraat.", &[(10, InProgress, "")]),
        d("onveilig.speelplek", 3, 1, 6, "Schommel in de speeltuin is kapot, scherpe randen.", &[(5, InProgress, "")]),
        d("overlast.stank", 3, 2, 50, "Stank bij het riool na regen.", &[(45, InProgress, ""), (40, Closed, DONE)]),
        d(
            "groen.onkruid",
            3,
            3,
            11,
            "Onkruid tot kniehoogte langs het pad.",
            &[(9, Cancelled, "Dubbele melding (fictief).")],
        ),
        d("overig.overig", 4, 0, 4, "Bankje bij de vijver is omgevallen.", &[]),
        d(
            "verval.zwerfafval",
            4,
            1,
            35,
            "Zwerfafval rond het winkelcentrum.",
            &[(30, InProgress, ""), (25, Closed, DONE), (20, Reopened, "Na een week weer net zo vies (fictief).")],
        ),
        d("woning.schimmel", 4, 2, 9, "Schimmel in het trappenhuis.", &[(7, InProgress, "")]),
        d("overlast.jongeren", 4, 3, 1, "Groep jongeren met brommers bij het pleintje, 's avonds laat.", &[]),
        d("groen.boom", 5, 0, 16, "Boomwortels drukken de bestrating omhoog.", &[(14, InProgress, "")]),
        d("verval.dumping", 5, 1, 0, "Bouwafval achtergelaten in de berm.", &[]),
        d(
            "onveilig.losliggend",
            5,
            2,
            22,
            "Losliggend deksel van een put.",
            &[(21, InProgress, ""), (20, Closed, DONE)],
        ),
        d("woning.portiek", 0, 0, 3, "Brandgang achter de flat staat vol spullen.", &[]),
    ];
    // The one with a satisfaction answer and contact details (fictional).
    v.push(Demo {
        contact: true,
        satisfaction: Some(4),
        ..d(
            "verval.zwerfafval",
            0,
            1,
            18,
            "Volle afvalbak bij de bushalte.",
            &[(16, InProgress, ""), (12, Closed, DONE)],
        )
    });
    v
}

/// Loads this part's demo; `Some(description)` when it loaded something.
pub async fn load(app: &App) -> Result<Option<String>, AppError> {
    let tenants = app.store.organisations(DEMO_TENANT).await?;
    if tenants.is_empty() || app.store.report_count(DEMO_TENANT).await? > 0 {
        return Ok(None);
    }
    app.store.put_postcode_areas(&demo_postcodes()).await?;
    let now = now_ms();
    for (id, category, org) in
        [("RR-demo-gemeente", None, "wv-gemeente"), ("RR-demo-woning", Some("woning"), "wv-corporatie")]
    {
        app.store
            .add_report_route(&ReportRouteRecord {
                id: id.into(),
                tenant_id: DEMO_TENANT.into(),
                area_code: crate::demo::DEMO_MUNICIPALITY.into(),
                category: category.map(String::from),
                organisation_id: org.into(),
                created_at: now,
            })
            .await?;
    }
    let today = app.signals.today();
    let list = demos();
    let mut tx = app.store.begin().await?;
    for (i, demo) in list.iter().enumerate() {
        let Some((top, _)) = find_sub(demo.sub) else { continue };
        let filed = today.add_days(-demo.filed_days_ago);
        let (lat, lon) = buurt_centre(demo.wijk, demo.buurt);
        let last = demo.steps.last().map(|s| (today.add_days(-s.0), s.1));
        let status = last.map(|l| l.1).unwrap_or(Status::Reported);
        let record = ReportRecord {
            id: format!("M-demo-{:02}", i + 1),
            tenant_id: DEMO_TENANT.into(),
            organisation_id: if top.code == "woning" { "wv-corporatie" } else { "wv-gemeente" }.into(),
            category: demo.sub.into(),
            top_category: top.code.into(),
            buurt_code: format!("BU9901{:02}{:02}", demo.wijk + 1, demo.buurt + 1),
            postcode: None,
            house_number: None,
            point: Some(format!("{lat:.6},{lon:.6}")),
            location_note: None,
            description: demo.description.into(),
            status: status.code().into(),
            filed_on: filed.to_string(),
            status_on: last.map(|l| l.0).unwrap_or(filed).to_string(),
            // Nobody holds these links: the demo's reports are seen through the team's list.
            token_hash: sha256_hex(&random_token()?),
            contact_name: demo.contact.then(|| "Mirjam Melder (fictief)".to_string()),
            contact_email: demo.contact.then(|| "mirjam.melder@voorbeeld.invalid".to_string()),
            contact_phone: None,
            contact_anonymised_at: None,
            satisfaction: demo.satisfaction,
            satisfaction_comment: demo.satisfaction.map(|_| "Snel opgeruimd, dank! (fictief)".to_string()),
            satisfaction_at: demo.satisfaction.map(|_| now),
            created_at: now,
            updated_at: now,
        };
        let first = ReportEventRecord {
            seq: 1,
            at_ms: now,
            on_date: filed.to_string(),
            status: Status::Reported.code().into(),
            text: String::new(),
            actor_id: "melder".into(),
        };
        tx.insert_report(&record, &first, None).await?;
        for (seq, (ago, st, text)) in demo.steps.iter().enumerate() {
            let e = ReportEventRecord {
                seq: seq as i64 + 2,
                at_ms: now,
                on_date: today.add_days(-ago).to_string(),
                status: st.code().into(),
                text: (*text).into(),
                actor_id: "demo".into(),
            };
            tx.insert_report_event(&record.id, &e).await?;
        }
    }
    tx.commit().await?;
    Ok(Some(format!("{} meldingen openbare ruimte (fictief), routering naar gemeente en corporatie", list.len())))
}
