//! The covenant published (Woo): `/openbaar/convenant`, for anyone without signing in.
//! The data-exchange covenant in force of a collaboration: parties, purposes with their
//! legal grounds, who may do what with which data, retention terms and the version
//! history. With several collaborations the reader chooses one by name. The same
//! publication is JSON at `/api/v1/convenant`.

use super::{group_thousands, render, PageCtx, PageError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leefwijk_app::publication::{self, CollaborationRef, PublishedCovenant};
use leefwijk_app::App;
use leefwijk_domain::access::covenant::Action;
use leefwijk_domain::Lang;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new().route("/openbaar/convenant", get(page))
}

#[derive(Deserialize)]
struct Choice {
    samenwerking: Option<String>,
}

struct PartyRow {
    name: String,
    kind: String,
}

struct GrantRow {
    organisations: String,
    roles: String,
    actions: String,
    categories: String,
}

struct PurposeView {
    /// For the heading's id.
    anchor: String,
    name: String,
    description: String,
    art6: String,
    art9: String,
    law: String,
    consent: bool,
    grants: Vec<GrantRow>,
    retention: Vec<(String, String)>,
}

struct VersionRow {
    version: u32,
    title: String,
    valid_from: String,
    loaded_on: String,
    in_force: bool,
}

#[derive(Template)]
#[template(path = "public_covenant.html")]
struct CovenantPage {
    ctx: PageCtx,
    /// Every collaboration with a covenant, for the choice: (id, name).
    collaborations: Vec<(String, String)>,
    chosen: Option<Chosen>,
}

struct Chosen {
    id: String,
    collaboration: String,
    title: String,
    version: u32,
    valid_from: String,
    controller: String,
    parties: Vec<PartyRow>,
    purposes: Vec<PurposeView>,
    versions: Vec<VersionRow>,
    json_href: String,
}

impl CovenantPage {
    /// Whether text the covenant's parties wrote (in Dutch) needs `lang="nl"` here.
    fn foreign(&self) -> bool {
        self.ctx.lang != Lang::Nl
    }
}

async fn page(State(app): State<App>, ctx: PageCtx, Query(choice): Query<Choice>) -> Response {
    let all = match publication::collaborations(&app).await {
        Ok(all) => all,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let asked = choice.samenwerking.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let collaboration: Option<&CollaborationRef> = match asked {
        Some(id) => match all.iter().find(|c| c.id == id) {
            Some(c) => Some(c),
            None => return PageError {
                message: ctx
                    .t(
                        "Deze samenwerking bestaat niet of heeft geen convenant. Kies een samenwerking uit de lijst.",
                        "This collaboration does not exist or has no covenant. Choose a collaboration from the list.",
                    )
                    .to_string(),
                status: StatusCode::NOT_FOUND,
                ctx,
            }
            .into_response(),
        },
        None => all.first(),
    };
    let chosen = match collaboration {
        Some(c) => match publication::covenant(&app, c).await {
            Ok(published) => Some(chosen(&ctx, published)),
            Err(e) => return PageError::from_app(&ctx, e).into_response(),
        },
        None => None,
    };
    let collaborations = all.into_iter().map(|c| (c.id, c.name)).collect();
    render(&ctx, &CovenantPage { ctx: ctx.clone(), collaborations, chosen })
}

fn chosen(ctx: &PageCtx, p: PublishedCovenant) -> Chosen {
    let list = |items: Vec<String>| items.join(", ");
    let purposes = p
        .purposes
        .iter()
        .map(|t| PurposeView {
            anchor: anchor(t.purpose),
            name: ctx.t(&t.name_nl, &t.name_en).to_string(),
            description: t.description.clone(),
            art6: t.avg_art6.clone(),
            art9: t.avg_art9.clone().unwrap_or_default(),
            law: t.law.clone(),
            consent: t.consent_required,
            grants: t
                .grants
                .iter()
                .map(|g| GrantRow {
                    organisations: list(g.organisation_kinds.iter().map(|k| ctx.organisation_kind(k)).collect()),
                    roles: list(g.roles.iter().map(|r| ctx.role(r)).collect()),
                    actions: list(
                        g.actions
                            .iter()
                            .map(|a| match a {
                                Action::Read => ctx.t("inzien", "read"),
                                Action::Write => ctx.t("vastleggen", "record"),
                            })
                            .map(str::to_string)
                            .collect(),
                    ),
                    categories: list(
                        g.categories.iter().map(|c| ctx.t(c.label_nl(), c.label_en()).to_string()).collect(),
                    ),
                })
                .collect(),
            retention: t
                .retention
                .iter()
                .map(|r| {
                    (
                        ctx.t(r.category.label_nl(), r.category.label_en()).to_string(),
                        format!("{} {}", group_thousands(u64::from(r.days), ctx.lang), ctx.t("dagen", "days")),
                    )
                })
                .collect(),
        })
        .collect();
    let versions = p
        .versions
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            title: v.title.clone(),
            valid_from: ctx.date(&v.valid_from),
            loaded_on: ctx.date(&v.loaded_on),
            in_force: v.version == p.version,
        })
        .collect();
    Chosen {
        json_href: format!(
            "/api/v1/convenant?collaboration={}",
            leefwijk_app::access::oidc::percent_encode(&p.collaboration.id)
        ),
        id: p.collaboration.id,
        collaboration: p.collaboration.name,
        title: p.title,
        version: p.version,
        valid_from: ctx.date(&p.valid_from),
        controller: p.controller,
        parties: p
            .parties
            .into_iter()
            .map(|party| PartyRow { kind: ctx.organisation_kind(&party.kind), name: party.name })
            .collect(),
        purposes,
        versions,
    }
}

/// The id of a purpose's heading: its code with hyphens (`doel-joint-plan`).
fn anchor(purpose: leefwijk_domain::access::covenant::Purpose) -> String {
    let code = serde_json::to_value(purpose).ok().and_then(|v| v.as_str().map(|s| s.replace('_', "-")));
    format!("doel-{}", code.unwrap_or_default())
}
