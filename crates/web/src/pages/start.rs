//! `/werk`: the start page after login, "what needs me today", per role (issue 17). The
//! needs come from `leefwijk_app::start`; this module only words them.

use super::{render, PageCtx};
use crate::auth::SignedIn;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use leefwijk_app::start::{needs, Need};
use leefwijk_app::App;

/// Where a signed-in person lands when they did not ask for another page.
pub const START_PAGE: &str = "/werk";

pub fn routes() -> Router<App> {
    Router::new().route(START_PAGE, get(start_page))
}

/// One block of the start page.
struct Section {
    id: &'static str,
    title: String,
    /// The block's summary sentence.
    lead: String,
    urgent: bool,
    rows: Vec<Row>,
    link: String,
    link_text: String,
}

struct Row {
    text: String,
    href: String,
    note: String,
    urgent: bool,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    ctx: PageCtx,
    name: String,
    role: String,
    today: String,
    sections: Vec<Section>,
}

fn count(ctx: &PageCtx, n: usize, one: (&str, &str), many: (&str, &str)) -> String {
    let (nl, en) = if n == 1 { one } else { many };
    format!("{n} {}", ctx.t(nl, en))
}

fn section(ctx: &PageCtx, need: Need) -> Section {
    match need {
        Need::Outreach { awaiting_first_contact, overdue, crisis_waiting, first } => Section {
            id: "need-outreach",
            title: ctx.t("Signalen: vroeg erop af", "Signals: early outreach").into(),
            lead: if awaiting_first_contact == 0 {
                ctx.t(
                    "Geen huishoudens wachten op een eerste contact.",
                    "No households are waiting for a first contact.",
                )
                .into()
            } else {
                format!(
                    "{} {}{}{}.",
                    count(
                        ctx,
                        awaiting_first_contact,
                        ("huishouden wacht", "household is waiting"),
                        ("huishoudens wachten", "households are waiting")
                    ),
                    ctx.t("op een eerste contact", "for a first contact"),
                    if overdue > 0 { format!(", {overdue} {}", ctx.t("te laat", "overdue")) } else { String::new() },
                    if crisis_waiting > 0 {
                        format!(", {crisis_waiting} {}", ctx.t("in crisis", "in crisis"))
                    } else {
                        String::new()
                    },
                )
            },
            urgent: overdue > 0 || crisis_waiting > 0,
            rows: first
                .iter()
                .map(|i| Row {
                    text: format!("{} {}", ctx.t("Huishouden", "Household"), super::signals::reference(&i.case_id)),
                    href: format!("/signalen/huishouden/{}", i.case_id),
                    note: format!(
                        "{}{} {}",
                        if i.crisis { format!("{} · ", ctx.t("crisis", "crisis")) } else { String::new() },
                        ctx.t("termijn", "deadline"),
                        ctx.date(&i.due_on)
                    ),
                    urgent: i.crisis || i.overdue,
                })
                .collect(),
            link: "/signalen".into(),
            link_text: ctx.t("Naar de werklijst", "To the worklist").into(),
        },
        Need::MatchesWithoutCoordinator { count: n, oldest_on } => Section {
            id: "need-matches",
            title: ctx.t("Huishoudens zonder regisseur", "Households without a coordinator").into(),
            lead: if n == 0 {
                ctx.t(
                    "Bij elke match met uw organisatie is een regisseur gekozen.",
                    "Every match with your organisation has a coordinator.",
                )
                .into()
            } else {
                format!(
                    "{} {}{}.",
                    count(ctx, n, ("match", "match"), ("matches", "matches")),
                    ctx.t("met uw organisatie zonder regisseur", "with your organisation without a coordinator"),
                    oldest_on
                        .map(|d| format!(", {} {}", ctx.t("de oudste sinds", "the oldest since"), ctx.date(&d)))
                        .unwrap_or_default()
                )
            },
            urgent: n > 0,
            rows: Vec::new(),
            link: "/huishoudens".into(),
            link_text: ctx.t("Naar huishoudens", "To households").into(),
        },
        Need::OwnPlans { plans } => Section {
            id: "need-plans",
            title: ctx.t("Plannen waarvan u regisseur bent", "Plans you coordinate").into(),
            lead: count(ctx, plans.len(), ("open plan", "open plan"), ("open plannen", "open plans")),
            urgent: false,
            rows: plans
                .iter()
                .take(leefwijk_app::start::SHOWN)
                .map(|p| Row {
                    text: format!("{} {}", ctx.t("Plan", "Plan"), super::signals::reference(&p.id)),
                    href: format!("/plan/{}", p.id),
                    note: String::new(),
                    urgent: false,
                })
                .collect(),
            link: "/huishoudens".into(),
            link_text: ctx.t("Naar huishoudens", "To households").into(),
        },
        Need::PlacementsAwaitingSupport { count: n, overdue, first } => Section {
            id: "need-placements",
            title: ctx.t("Plaatsingen: begeleiding bevestigen", "Placements: confirm support").into(),
            lead: if n == 0 {
                ctx.t(
                    "Bij alle plaatsingen heeft uw organisatie de begeleiding bevestigd.",
                    "Your organisation has confirmed support for every placement.",
                )
                .into()
            } else {
                format!(
                    "{} {}{}.",
                    count(
                        ctx,
                        n,
                        ("plaatsing wacht", "placement is waiting"),
                        ("plaatsingen wachten", "placements are waiting")
                    ),
                    ctx.t(
                        "op bevestiging van de begeleiding door uw organisatie",
                        "for your organisation to confirm the support"
                    ),
                    if overdue > 0 { format!(", {overdue} {}", ctx.t("te laat", "overdue")) } else { String::new() }
                )
            },
            urgent: overdue > 0,
            rows: first
                .iter()
                .map(|(agreement, p)| Row {
                    text: format!("{} {}", ctx.t("Geplaatst op", "Placed on"), ctx.date(&p.placed_on)),
                    href: format!("/afspraken/{agreement}"),
                    note: p.support_description.clone(),
                    urgent: p.overdue,
                })
                .collect(),
            link: "/afspraken".into(),
            link_text: ctx.t("Naar de woonafspraken", "To the housing agreements").into(),
        },
        Need::AccessRequests { open, overdue, first } => Section {
            id: "need-access-requests",
            title: ctx.t("Inzageverzoeken van bewoners", "Residents' access requests").into(),
            lead: if open == 0 {
                ctx.t("Er staan geen inzageverzoeken open.", "No access requests are open.").into()
            } else {
                format!(
                    "{} {}{}.",
                    count(ctx, open, ("verzoek staat", "request is"), ("verzoeken staan", "requests are")),
                    ctx.t("open", "open"),
                    if overdue > 0 {
                        format!(", {overdue} {}", ctx.t("over de wettelijke termijn", "past the legal deadline"))
                    } else {
                        String::new()
                    }
                )
            },
            urgent: overdue > 0,
            rows: first
                .iter()
                .map(|r| Row {
                    text: format!("{} {}", ctx.t("Ontvangen", "Received"), ctx.date(&r.received_on)),
                    href: format!("/privacy/inzage/{}", r.id),
                    note: format!("{} {}", ctx.t("antwoord uiterlijk", "answer by"), ctx.date(&r.due_on)),
                    urgent: r.overdue,
                })
                .collect(),
            link: "/privacy/inzage".into(),
            link_text: ctx.t("Naar de inzageverzoeken", "To the access requests").into(),
        },
        Need::Commitments { late, proposed } => Section {
            id: "need-commitments",
            title: ctx.t("Afspraken in de wijkprogramma's", "Commitments in the area programmes").into(),
            lead: format!(
                "{}, {}.",
                count(
                    ctx,
                    late.len(),
                    ("afspraak is te laat", "commitment is late"),
                    ("afspraken zijn te laat", "commitments are late")
                ),
                count(
                    ctx,
                    proposed,
                    ("is nog voorgesteld", "is still proposed"),
                    ("zijn nog voorgesteld", "are still proposed")
                )
            ),
            urgent: !late.is_empty(),
            rows: late
                .iter()
                .take(leefwijk_app::start::SHOWN)
                .map(|(id, programme, description)| Row {
                    text: description.clone(),
                    href: format!("/programma/{id}"),
                    note: programme.clone(),
                    urgent: true,
                })
                .collect(),
            link: "/programmas".into(),
            link_text: ctx.t("Naar de programma's", "To the programmes").into(),
        },
        Need::ApiClientsExpiring { clients } => Section {
            id: "need-api-clients",
            title: ctx.t("Koppelingen die verlopen", "API clients that expire").into(),
            lead: if clients.is_empty() {
                ctx.t("Geen koppeling verloopt in de komende 30 dagen.", "No API client expires in the next 30 days.")
                    .into()
            } else {
                count(
                    ctx,
                    clients.len(),
                    ("koppeling verloopt binnen 30 dagen", "API client expires within 30 days"),
                    ("koppelingen verlopen binnen 30 dagen", "API clients expire within 30 days"),
                )
            },
            urgent: !clients.is_empty(),
            rows: clients
                .iter()
                .map(|(_, name, expires)| Row {
                    text: name.clone(),
                    href: "/beheer/api-clients".into(),
                    note: format!("{} {}", ctx.t("verloopt", "expires"), ctx.moment(*expires)),
                    urgent: true,
                })
                .collect(),
            link: "/beheer".into(),
            link_text: ctx.t("Naar beheer", "To administration").into(),
        },
    }
}

async fn start_page(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    // Without a covenant nothing personal can be read; the rest of the page still helps.
    let covenant = app.covenant_of(&me.user.tenant_id).await.ok();
    let now = leefwijk_app::access::identity::now_ms();
    let found = match &covenant {
        Some(c) => needs(&app, c, &me.user, now).await,
        None => Ok(Vec::new()),
    };
    let found = match found {
        Ok(found) => found,
        Err(e) => return super::PageError::from_app(&ctx, e).into_response(),
    };
    let page = StartPage {
        ctx: ctx.clone(),
        name: me.user.display_name.clone(),
        role: ctx.role(&me.user.role),
        today: ctx.date(&app.signals.today().to_string()),
        sections: found.into_iter().map(|n| section(&ctx, n)).collect(),
    };
    render(&ctx, &page)
}
