//! "What needs me today": the start page of a signed-in person, per role. Each need is
//! typed data (the web layer words it), gathered through the same use cases and gate as
//! the pages it links to, so the start page shows nothing its reader could not open.

use crate::access::gate::{Actor, Denied};
use crate::residents::inzage::{self, RequestRow};
use crate::signals::outreach::{self, WorkItem};
use crate::{housing, App, AppError};
use leefwijk_domain::access::covenant::Covenant;
use leefwijk_domain::programme::CommitmentStatus;
use leefwijk_domain::signals::worklist::WorkStage;
use leefwijk_store::{PlanRecordJoint, User};

/// How many cases, placements or requests a need lists by name; the page it links to has all.
pub const SHOWN: usize = 5;

/// One thing that needs the reader, with what the page should list of it.
#[derive(Debug, Clone)]
pub enum Need {
    /// The team's outreach: households awaiting a first contact, overdue, in crisis.
    Outreach { awaiting_first_contact: usize, overdue: usize, crisis_waiting: usize, first: Vec<WorkItem> },
    /// Match notices of the reader's organisation without a coordinator yet.
    MatchesWithoutCoordinator { count: usize, oldest_on: Option<String> },
    /// Open joint plans the reader coordinates.
    OwnPlans { plans: Vec<PlanRecordJoint> },
    /// Placements whose support the reader's organisation has not confirmed.
    PlacementsAwaitingSupport { count: usize, overdue: usize, first: Vec<(String, housing::PlacementView)> },
    /// Residents' access requests (AVG art. 15) not yet answered.
    AccessRequests { open: usize, overdue: usize, first: Vec<RequestRow> },
    /// Commitments in the collaboration's programmes that are late or still proposed.
    Commitments { late: Vec<(String, String, String)>, proposed: usize },
    /// API clients that expire within 30 days.
    ApiClientsExpiring { clients: Vec<(String, String, i64)> },
}

/// The needs of the reader's role, in the order the page shows them. A part the covenant
/// does not allow the reader is left out, never shown empty.
pub async fn needs(app: &App, covenant: &Covenant, user: &User, now_ms: i64) -> Result<Vec<Need>, AppError> {
    let actor = Actor::User(user.clone());
    let role = user.role.as_str();
    let mut out = Vec::new();
    if matches!(role, "wijkteammedewerker" | "regisseur") {
        let team = outreach::team_scope(&actor, None)?;
        if let Ok(items) = outreach::worklist(app, covenant, &actor, team.as_deref(), false).await? {
            out.push(outreach_need(items));
        }
    }
    if matches!(role, "wijkteammedewerker" | "regisseur" | "professional") {
        let matches = app.store.matches_of_organisation(&user.tenant_id, &user.organisation_id).await?;
        let mut without: Vec<&str> =
            matches.iter().filter(|m| m.coordinator_org.is_none()).map(|m| m.matched_on.as_str()).collect();
        without.sort_unstable();
        out.push(Need::MatchesWithoutCoordinator {
            count: without.len(),
            oldest_on: without.first().map(|d| d.to_string()),
        });
        let mut plans = Vec::new();
        for m in matches.iter().filter(|m| m.coordinator_user.as_deref() == Some(user.id.as_str())) {
            plans.extend(
                app.store.plans_of_match(&user.tenant_id, &m.id).await?.into_iter().filter(|p| p.status == "open"),
            );
        }
        if !plans.is_empty() || role == "regisseur" {
            out.push(Need::OwnPlans { plans });
        }
    }
    if role == "professional" {
        if let Some(need) = placements_need(app, covenant, &actor, user).await? {
            out.push(need);
        }
    }
    if role == "privacy_officer" {
        let rows = inzage::list(app, user).await?;
        let open: Vec<RequestRow> = rows.into_iter().filter(|r| r.closed_on.is_none()).collect();
        let overdue = open.iter().filter(|r| r.overdue).count();
        let mut first = open.clone();
        first.sort_by(|a, b| a.due_on.cmp(&b.due_on));
        first.truncate(SHOWN);
        out.push(Need::AccessRequests { open: open.len(), overdue, first });
    }
    if matches!(role, "beleidsmedewerker" | "beheerder") {
        let mut late = Vec::new();
        let mut proposed = 0;
        for p in app.store.programmes(Some(&user.tenant_id)).await? {
            for c in app.store.commitments(&p.id).await? {
                match CommitmentStatus::parse(&c.status) {
                    Some(CommitmentStatus::Late) => late.push((p.id.clone(), p.name.clone(), c.description.clone())),
                    Some(CommitmentStatus::Proposed) => proposed += 1,
                    _ => {}
                }
            }
        }
        out.push(Need::Commitments { late, proposed });
    }
    if role == "beheerder" {
        let soon = now_ms + 30 * 24 * 3_600_000;
        let mut clients: Vec<(String, String, i64)> = app
            .store
            .api_clients(&user.tenant_id)
            .await?
            .into_iter()
            .filter(|c| c.revoked_at.is_none() && c.expires_at <= soon)
            .map(|c| (c.id, c.name, c.expires_at))
            .collect();
        clients.sort_by_key(|c| c.2);
        out.push(Need::ApiClientsExpiring { clients });
    }
    Ok(out)
}

fn outreach_need(items: Vec<WorkItem>) -> Need {
    let waiting: Vec<WorkItem> = items.into_iter().filter(|i| i.stage == WorkStage::FirstContact).collect();
    Need::Outreach {
        awaiting_first_contact: waiting.len(),
        overdue: waiting.iter().filter(|i| i.overdue).count(),
        crisis_waiting: waiting.iter().filter(|i| i.crisis).count(),
        // The worklist's order: a crisis first, then the earliest deadline.
        first: waiting.into_iter().take(SHOWN).collect(),
    }
}

/// Placements of the reader's organisation's agreements still waiting for its support.
async fn placements_need(app: &App, covenant: &Covenant, actor: &Actor, user: &User) -> Result<Option<Need>, AppError> {
    let mut waiting = Vec::new();
    for agreement in app.store.agreements(Some(&user.tenant_id)).await? {
        let placements: Result<Vec<housing::PlacementView>, Denied> =
            housing::placements(app, covenant, actor, &agreement.id).await?;
        let Ok(placements) = placements else { return Ok(None) };
        waiting.extend(
            placements
                .into_iter()
                .filter(|p| p.support_confirmed_on.is_none() && p.support_org == user.organisation_id)
                .map(|p| (agreement.id.clone(), p)),
        );
    }
    waiting.sort_by(|a, b| b.1.overdue.cmp(&a.1.overdue).then(a.1.placed_on.cmp(&b.1.placed_on)));
    let overdue = waiting.iter().filter(|(_, p)| p.overdue).count();
    let count = waiting.len();
    waiting.truncate(SHOWN);
    Ok(Some(Need::PlacementsAwaitingSupport { count, overdue, first: waiting }))
}
