//! Demo collaborations: the fictional municipality Wijkerveen with its partner
//! organisations, a user for every role, the sample covenant and an API client; plus a
//! second collaboration (Dijkhoven) so tenant separation can be seen and tested.

use crate::access::{covenant, identity};
use crate::AppError;
use leefwijk_store::{Organisation, Store};

pub const DEMO_TENANT: &str = "wijkerveen";
pub const OTHER_TENANT: &str = "dijkhoven";

/// A demo login, printed at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub tenant: String,
    pub role: String,
    pub username: String,
    pub password: String,
    pub organisation: String,
}

#[derive(Debug, Clone, Default)]
pub struct DemoAccess {
    pub logins: Vec<DemoLogin>,
    /// (client id, secret) of the corporation's API client.
    pub api_client: Option<(String, String)>,
}

/// The fixed password of a demo user: public, fictional, for the demo only.
pub fn demo_password(username: &str) -> String {
    format!("demo-{username}-leefwijk")
}

fn org(id: &str, tenant: &str, name: &str, kind: &str) -> Organisation {
    Organisation { id: id.into(), tenant_id: tenant.into(), name: name.into(), kind: kind.into() }
}

/// Loads the demo collaborations into a database without users; otherwise does nothing.
pub async fn load_access(store: &Store) -> Result<DemoAccess, AppError> {
    if store.count_users().await? > 0 {
        return Ok(DemoAccess::default());
    }
    let now = identity::now_ms();
    covenant::load(store, covenant::SAMPLE_COVENANT).await?;
    store
        .create_tenant(DEMO_TENANT, "Wijkaanpak Wijkerveen (fictief)", Some(covenant::SAMPLE_COVENANT_ID), now)
        .await?;
    store
        .create_tenant(OTHER_TENANT, "Wijkaanpak Dijkhoven (fictief)", Some(covenant::SAMPLE_COVENANT_ID), now)
        .await?;
    // Where each collaboration works: Wijkerveen (GM9901), Dijkhoven (GM9902).
    store.add_tenant_municipality(DEMO_TENANT, super::areas::DEMO_MUNICIPALITY).await?;
    store.add_tenant_municipality(OTHER_TENANT, "GM9902").await?;
    let orgs = [
        org("wv-gemeente", DEMO_TENANT, "Gemeente Wijkerveen (fictief)", "gemeente"),
        org("wv-wijkteam", DEMO_TENANT, "Sociaal Wijkteam Wijkerveen (fictief)", "sociaal_wijkteam"),
        org("wv-schuldhulp", DEMO_TENANT, "Schuldhulp Wijkerveen (fictief)", "schuldhulpverlening"),
        org("wv-corporatie", DEMO_TENANT, "Woonstichting Veenland (fictief)", "woningcorporatie"),
        org("wv-ggz", DEMO_TENANT, "GGZ Veenstreek (fictief)", "ggz"),
        org("wv-energie", DEMO_TENANT, "Energie Noordwest (fictief)", "energieleverancier"),
        org("wv-water", DEMO_TENANT, "Waterbedrijf Veenstreek (fictief)", "drinkwaterbedrijf"),
        org("wv-zorgverzekeraar", DEMO_TENANT, "Zorgverzekeraar Veenland (fictief)", "zorgverzekeraar"),
        org("dh-gemeente", OTHER_TENANT, "Gemeente Dijkhoven (fictief)", "gemeente"),
    ];
    for o in &orgs {
        store.create_organisation(o, now).await?;
    }
    let centrum: Vec<String> = ["WK990101", "WK990102", "WK990103"].iter().map(|s| s.to_string()).collect();
    let zuid: Vec<String> = ["WK990104", "WK990105", "WK990106"].iter().map(|s| s.to_string()).collect();
    store.create_team("wv-team-noord", DEMO_TENANT, "wv-wijkteam", "Wijkteam Centrum-Noord", &centrum).await?;
    store.create_team("wv-team-zuid", DEMO_TENANT, "wv-wijkteam", "Wijkteam Zuid-West", &zuid).await?;
    let people = [
        (DEMO_TENANT, "wv-gemeente", None, "beheer", "Bea Beheer (fictief)", "beheerder"),
        (DEMO_TENANT, "wv-gemeente", None, "beleid", "Bram Beleid (fictief)", "beleidsmedewerker"),
        (
            DEMO_TENANT,
            "wv-wijkteam",
            Some("wv-team-noord"),
            "wijkteam",
            "Wanda Wijkteam (fictief)",
            "wijkteammedewerker",
        ),
        (DEMO_TENANT, "wv-wijkteam", Some("wv-team-noord"), "regisseur", "Rik Regisseur (fictief)", "regisseur"),
        (DEMO_TENANT, "wv-ggz", None, "ggz", "Gina GGZ (fictief)", "professional"),
        (DEMO_TENANT, "wv-corporatie", None, "corporatie", "Cor Corporatie (fictief)", "professional"),
        (DEMO_TENANT, "wv-gemeente", None, "privacy", "Petra Privacy (fictief)", "privacy_officer"),
        (OTHER_TENANT, "dh-gemeente", None, "beheer-dijkhoven", "Dirk Dijkhoven (fictief)", "beheerder"),
    ];
    let mut logins = Vec::new();
    for (tenant, organisation, team, username, name, role) in people {
        let password = demo_password(username);
        identity::create_user(
            store,
            &identity::NewUser {
                tenant_id: tenant.into(),
                organisation_id: organisation.into(),
                team_id: team.map(String::from),
                username: username.into(),
                display_name: name.into(),
                role: role.into(),
            },
            Some(&password),
        )
        .await?;
        let organisation = orgs.iter().find(|o| o.id == organisation).map(|o| o.name.clone()).unwrap_or_default();
        logins.push(DemoLogin {
            tenant: tenant.into(),
            role: role.into(),
            username: username.into(),
            password,
            organisation,
        });
    }
    let client = identity::create_api_client(
        store,
        DEMO_TENANT,
        "wv-corporatie",
        "Huurachterstanden Woonstichting Veenland (fictief)",
        &["persons:write".to_string(), "signals:write".to_string()],
        365,
    )
    .await?;
    Ok(DemoAccess { logins, api_client: Some(client) })
}
