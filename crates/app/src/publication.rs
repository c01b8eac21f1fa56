//! Publication under the Woo (Wet open overheid): the data-exchange covenant in force per
//! collaboration, for anyone to read without signing in. A covenant is an agreement
//! between public bodies and partners, which the Woo expects to be published actively.
//!
//! What is published is the covenant itself and when its versions were loaded: parties
//! (organisation names and kinds), purposes with their legal grounds, who may do what with
//! which data categories, and retention terms. Never personal data, never a user: the
//! covenant holds none, and nothing else is read.

use crate::{access, App, AppError};
use leefwijk_domain::access::covenant::{Action, Covenant, DataCategory, Purpose};
use serde::Serialize;
use utoipa::ToSchema;

/// A collaboration (tenant) that has a covenant: its id and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CollaborationRef {
    /// The collaboration's id, for `?collaboration=`.
    pub id: String,
    /// Its name, as people know it.
    pub name: String,
}

/// A party to the covenant: an organisation, never a person.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CovenantParty {
    pub name: String,
    /// The kind of organisation, e.g. `gemeente`, `woningcorporatie`, `sociaal_wijkteam`.
    pub kind: String,
}

/// Who may do what with which data, for one purpose.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CovenantGrant {
    /// Kinds of organisation (the parties' `kind`).
    pub organisation_kinds: Vec<String>,
    /// Roles within those organisations, e.g. `regisseur`, `professional`, `api_client`
    /// (a partner system).
    pub roles: Vec<String>,
    pub actions: Vec<Action>,
    pub categories: Vec<DataCategory>,
}

/// How long data of one category is kept for a purpose.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RetentionTerm {
    pub category: DataCategory,
    pub days: u32,
}

/// One purpose of the covenant with its legal grounds.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CovenantPurpose {
    pub purpose: Purpose,
    /// The purpose's name in Dutch.
    pub name_nl: String,
    /// The purpose's name in English.
    pub name_en: String,
    /// What is done for this purpose, as the covenant says it (Dutch).
    pub description: String,
    /// The ground of AVG (GDPR) article 6(1).
    pub avg_art6: String,
    /// The exception of AVG article 9(2), where special-category data is processed.
    pub avg_art9: Option<String>,
    /// The specific law.
    pub law: String,
    pub consent_required: bool,
    pub grants: Vec<CovenantGrant>,
    pub retention: Vec<RetentionTerm>,
}

/// One version of the covenant as loaded into Leefwijk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CovenantVersion {
    pub version: u32,
    pub title: String,
    /// The date the version takes effect (YYYY-MM-DD).
    pub valid_from: String,
    /// When the version was loaded, in milliseconds since 1970 (UTC).
    pub loaded_at: i64,
    /// The date it was loaded, in Amsterdam (YYYY-MM-DD).
    pub loaded_on: String,
}

/// The covenant in force of one collaboration, as published.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PublishedCovenant {
    pub collaboration: CollaborationRef,
    /// The covenant's id.
    pub id: String,
    pub title: String,
    /// The version in force (the newest loaded).
    pub version: u32,
    /// The date the version in force takes effect (YYYY-MM-DD).
    pub valid_from: String,
    /// The controller (verwerkingsverantwoordelijke).
    pub controller: String,
    pub parties: Vec<CovenantParty>,
    pub purposes: Vec<CovenantPurpose>,
    /// Every version loaded, newest first.
    pub versions: Vec<CovenantVersion>,
}

/// The collaborations with a covenant, by name.
pub async fn collaborations(app: &App) -> Result<Vec<CollaborationRef>, AppError> {
    Ok(app
        .store
        .collaborations_for_requests()
        .await?
        .into_iter()
        .map(|(id, name)| CollaborationRef { id, name })
        .collect())
}

/// The covenant in force of a collaboration, with its version history; NotFound for a
/// collaboration that does not exist or has no covenant loaded.
pub async fn covenant(app: &App, collaboration: &CollaborationRef) -> Result<PublishedCovenant, AppError> {
    let not_found = || AppError::NotFound(format!("covenant of collaboration {}", collaboration.id));
    let tenant = app.store.tenant(&collaboration.id).await?.ok_or_else(not_found)?;
    let covenant_id = tenant.covenant_id.ok_or_else(not_found)?;
    let stored = app.store.covenant_versions(&covenant_id).await?;
    let (_, body, _) = stored.first().ok_or_else(not_found)?;
    let covenant = access::covenant::parse(body)?;
    let versions = stored.iter().map(|(version, body, loaded_at)| version_entry(*version, body, *loaded_at)).collect();
    Ok(published(CollaborationRef { id: collaboration.id.clone(), name: tenant.name }, &covenant, versions))
}

/// Every collaboration's covenant in force, by collaboration name.
pub async fn all_covenants(app: &App) -> Result<Vec<PublishedCovenant>, AppError> {
    let mut out = Vec::new();
    for collaboration in collaborations(app).await? {
        match covenant(app, &collaboration).await {
            Ok(c) => out.push(c),
            // A collaboration whose covenant id names nothing loaded has nothing to publish.
            Err(AppError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The head of a stored version. An older version is read leniently (only its title and
/// date): it was valid when loaded, and the rules a covenant must meet may have grown since.
fn version_entry(version: u32, body: &str, loaded_at: i64) -> CovenantVersion {
    #[derive(serde::Deserialize, Default)]
    struct Head {
        #[serde(default)]
        title: String,
        #[serde(default)]
        valid_from: String,
    }
    let head: Head = toml::from_str(body).unwrap_or_default();
    CovenantVersion {
        version,
        title: head.title,
        valid_from: head.valid_from,
        loaded_at,
        loaded_on: leefwijk_domain::calendar::amsterdam_local(loaded_at).0.to_string(),
    }
}

fn published(collaboration: CollaborationRef, c: &Covenant, versions: Vec<CovenantVersion>) -> PublishedCovenant {
    PublishedCovenant {
        collaboration,
        id: c.id.clone(),
        title: c.title.clone(),
        version: c.version,
        valid_from: c.valid_from.clone(),
        controller: c.controller.clone(),
        parties: c.parties.iter().map(|p| CovenantParty { name: p.name.clone(), kind: p.kind.clone() }).collect(),
        purposes: c
            .purposes
            .iter()
            .map(|t| CovenantPurpose {
                purpose: t.purpose,
                name_nl: t.purpose.label_nl().to_string(),
                name_en: t.purpose.label_en().to_string(),
                description: t.description.clone(),
                avg_art6: t.legal_basis.avg_art6.clone(),
                avg_art9: t.legal_basis.avg_art9.clone(),
                law: t.legal_basis.law.clone(),
                consent_required: t.consent_required,
                grants: t
                    .grants
                    .iter()
                    .map(|g| CovenantGrant {
                        organisation_kinds: g.organisation_kinds.clone(),
                        roles: g.roles.clone(),
                        actions: g.actions.clone(),
                        categories: g.categories.clone(),
                    })
                    .collect(),
                retention: t
                    .retention_days
                    .iter()
                    .map(|(category, days)| RetentionTerm { category: *category, days: *days })
                    .collect(),
            })
            .collect(),
        versions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_covenant_is_published_whole_and_without_people() {
        let c = access::covenant::parse(access::covenant::SAMPLE_COVENANT).expect("sample");
        let v = version_entry(3, access::covenant::SAMPLE_COVENANT, 1_767_225_600_000);
        assert_eq!(v.valid_from, "2026-01-01");
        assert_eq!(v.loaded_on, "2026-01-01", "midnight UTC is one in the morning in Amsterdam");
        let p = published(CollaborationRef { id: "t".into(), name: "T".into() }, &c, vec![v]);
        assert_eq!(p.parties.len(), c.parties.len());
        assert_eq!(p.purposes.len(), c.purposes.len());
        let plan = p.purposes.iter().find(|t| t.purpose == Purpose::JointPlan).expect("joint plan");
        assert!(plan.consent_required && plan.avg_art9.is_some());
        assert!(plan.retention.iter().any(|r| r.category == DataCategory::Health && r.days == 1825));
        // An older version that no longer parses as a covenant still shows its head.
        let old = version_entry(1, "title = \"Oud\"\nvalid_from = \"2025-01-01\"\nunknown = 1", 0);
        assert_eq!((old.title.as_str(), old.valid_from.as_str()), ("Oud", "2025-01-01"));
    }
}
