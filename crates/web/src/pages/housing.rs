//! Housing pages: a municipality's stock, social share and projection to 30% (with a
//! form for planned construction), a region, and agreements with progress per priority
//! group, placements and support confirmation.

use super::{check_csrf, denied_page, render, PageCtx, PageError};
use crate::auth::SignedIn;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::access::gate::Actor;
use leefwijk_app::housing::{
    self, AgreementProgress, MunicipalityHousing, NewPlacement, NewPlan, PlacementView, RegionHousing,
};
use leefwijk_app::{App, AppError};
use leefwijk_domain::housing::{PriorityGroup, Segment};
use leefwijk_domain::Lang;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/wonen/{code}", get(municipality))
        .route("/wonen/{code}/plannen", post(add_plan))
        .route("/wonen/regio/{id}", get(region))
        .route("/afspraken", get(agreements))
        .route("/afspraken/{id}", get(agreement))
        .route("/afspraken/{id}/plaatsingen", post(add_placement))
        .route("/plaatsingen/{id}/bevestigen", post(confirm))
}

fn pct(v: Option<f64>, lang: Lang) -> String {
    match v {
        Some(s) => {
            let t = format!("{:.1}%", s * 100.0);
            if lang == Lang::Nl {
                t.replace('.', ",")
            } else {
                t
            }
        }
        None => "—".into(),
    }
}

fn int(v: u64, lang: Lang) -> String {
    super::group_thousands(v, lang)
}

struct ChartPoint {
    x: f64,
    y: f64,
    label: String,
}

struct YearRow {
    year: i32,
    total: String,
    corporation: String,
    share: String,
    reached: bool,
}

#[derive(Template)]
#[template(path = "housing_municipality.html")]
struct MunicipalityPage {
    ctx: PageCtx,
    h: MunicipalityHousing,
    share: String,
    shortfall: String,
    rows: Vec<YearRow>,
    points: Vec<ChartPoint>,
    polyline: String,
    target_y: f64,
    can_plan: bool,
    segments: Vec<(&'static str, &'static str)>,
    message: String,
}

impl MunicipalityPage {
    /// A housing segment's name for its stored code.
    fn segment_label<'a>(&self, code: &'a str) -> &'a str {
        self.segments.iter().find(|(c, _)| *c == code).map(|(_, label)| *label).unwrap_or(code)
    }
}

/// Chart geometry: 600 × 240 view box, shares from 0 to max(40%, highest + 5%).
fn chart(h: &MunicipalityHousing, lang: Lang) -> (Vec<ChartPoint>, String, f64) {
    let shares: Vec<(i32, f64)> = h.projection.iter().filter_map(|y| y.social_share.map(|s| (y.year, s))).collect();
    let top = shares.iter().map(|(_, s)| *s).fold(0.40f64, f64::max) + 0.05;
    let n = shares.len().max(2) as f64 - 1.0;
    let y_of = |s: f64| 220.0 - s / top * 200.0;
    let points: Vec<ChartPoint> = shares
        .iter()
        .enumerate()
        .map(|(i, (year, s))| ChartPoint {
            x: 40.0 + i as f64 / n * 540.0,
            y: y_of(*s),
            label: format!("{year}: {}", pct(Some(*s), lang)),
        })
        .collect();
    let polyline = points.iter().map(|p| format!("{:.1},{:.1}", p.x, p.y)).collect::<Vec<_>>().join(" ");
    (points, polyline, y_of(housing::TARGET))
}

async fn render_municipality(app: &App, ctx: &PageCtx, code: &str, message: String) -> Response {
    let h = match housing::municipality(app, code).await {
        Ok(h) => h,
        Err(e) => return PageError::from_app(ctx, e).into_response(),
    };
    let lang = ctx.lang;
    let (points, polyline, target_y) = chart(&h, lang);
    let rows = h
        .projection
        .iter()
        .map(|y| YearRow {
            year: y.year,
            total: int(y.stock.total, lang),
            corporation: int(y.stock.corporation, lang),
            share: pct(y.social_share, lang),
            reached: y.social_share.is_some_and(|s| s >= housing::TARGET),
        })
        .collect();
    // The form only where the user's collaboration works (others would be refused).
    let can_plan = match &ctx.user {
        Some(u) if ["beleidsmedewerker", "beheerder", "professional"].contains(&u.role.as_str()) => {
            housing::works_in(app, &u.tenant_id, &h.code).await.unwrap_or(false)
        }
        _ => false,
    };
    render(
        ctx,
        &MunicipalityPage {
            ctx: ctx.clone(),
            share: pct(h.social_share, lang),
            shortfall: h.shortfall_now.map(|s| int(s, lang)).unwrap_or_else(|| "—".into()),
            rows,
            points,
            polyline,
            target_y,
            can_plan,
            segments: Segment::ALL
                .iter()
                .map(|s| (s.code(), if lang == Lang::Nl { s.label_nl() } else { s.label_en() }))
                .collect(),
            message,
            h,
        },
    )
}

async fn municipality(State(app): State<App>, ctx: PageCtx, Path(code): Path<String>) -> Response {
    render_municipality(&app, &ctx, &code, String::new()).await
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    construction: String,
    #[serde(default)]
    demolition: String,
    #[serde(default)]
    sales: String,
}

async fn add_plan(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(code): Path<String>,
    Form(f): Form<PlanForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    // Whether this collaboration may plan here at all, before the numbers are looked at.
    if let Err(e) = housing::check_may_plan(&app, &me.user, &code).await {
        return PageError::from_app(&ctx, e).into_response();
    }
    let n = |s: &str| if s.trim().is_empty() { Ok(0) } else { s.trim().parse::<i64>() };
    let plan = match (f.year.trim().parse::<i64>(), n(&f.construction), n(&f.demolition), n(&f.sales)) {
        (Ok(year), Ok(construction), Ok(demolition), Ok(sales)) => {
            NewPlan { year, segment: f.segment.clone(), construction, demolition, sales }
        }
        _ => {
            return PageError {
                ctx: ctx.clone(),
                status: StatusCode::BAD_REQUEST,
                message: ctx
                    .t(
                        "Vul jaar en aantallen woningen in als hele getallen.",
                        "Enter the year and numbers of homes as whole numbers.",
                    )
                    .into(),
            }
            .into_response()
        }
    };
    match housing::add_plan(&app, &me.user, &code, &plan).await {
        Ok(()) => Redirect::to(&format!("/wonen/{code}?opgeslagen=1")).into_response(),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

struct RegionRow {
    href: String,
    name: String,
    total: String,
    share: String,
    shortfall: String,
    below: bool,
}

#[derive(Template)]
#[template(path = "housing_region.html")]
struct RegionPage {
    ctx: PageCtx,
    r: RegionHousing,
    rows: Vec<RegionRow>,
    total_share: String,
    min: String,
    max: String,
}

async fn region(State(app): State<App>, ctx: PageCtx, Path(id): Path<String>) -> Response {
    let r = match housing::region(&app, &id).await {
        Ok(r) => r,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let lang = ctx.lang;
    let name_of =
        |code: &str| r.municipalities.iter().find(|m| m.code == code).map(|m| m.name.clone()).unwrap_or_default();
    let rows = r
        .municipalities
        .iter()
        .map(|m| RegionRow {
            href: format!("/wonen/{}", m.code),
            name: m.name.clone(),
            total: m.stock.map(|s| int(s.total, lang)).unwrap_or_else(|| "—".into()),
            share: pct(m.social_share, lang),
            shortfall: m.shortfall.map(|s| int(s, lang)).unwrap_or_else(|| "—".into()),
            below: r.below_target.contains(&m.code),
        })
        .collect();
    let page = RegionPage {
        ctx: ctx.clone(),
        total_share: pct(r.spread.total_share, lang),
        min: r
            .spread
            .min
            .as_ref()
            .map(|m| format!("{} ({})", name_of(&m.code), pct(Some(m.share), lang)))
            .unwrap_or_default(),
        max: r
            .spread
            .max
            .as_ref()
            .map(|m| format!("{} ({})", name_of(&m.code), pct(Some(m.share), lang)))
            .unwrap_or_default(),
        rows,
        r,
    };
    render(&ctx, &page)
}

struct AgreementRow {
    href: String,
    title: String,
    kind: String,
    period: String,
}

#[derive(Template)]
#[template(path = "housing_agreements.html")]
struct AgreementsPage {
    ctx: PageCtx,
    rows: Vec<AgreementRow>,
    regions: Vec<(String, String)>,
}

async fn agreements(State(app): State<App>, ctx: PageCtx) -> Response {
    let (all, regions) = match (app.store.agreements(None).await, app.store.regions().await) {
        (Ok(a), Ok(r)) => (a, r),
        (Err(e), _) | (_, Err(e)) => return PageError::from_app(&ctx, AppError::Store(e)).into_response(),
    };
    render(
        &ctx,
        &AgreementsPage {
            ctx: ctx.clone(),
            rows: all
                .into_iter()
                .map(|a| AgreementRow {
                    href: format!("/afspraken/{}", a.id),
                    title: a.title,
                    kind: if a.kind == "woonzorgvisie" { "Woonzorgvisie".into() } else { "Prestatieafspraken".into() },
                    period: format!("{}–{}", a.start_year, a.end_year),
                })
                .collect(),
            regions: regions.into_iter().map(|r| (format!("/wonen/regio/{}", r.id), r.name)).collect(),
        },
    )
}

struct LineView {
    group: String,
    municipality: String,
    year: i64,
    agreed: u32,
    realised: u32,
    remaining: u32,
    share: String,
    bar: u32,
    unconfirmed: u32,
}

#[derive(Template)]
#[template(path = "housing_agreement.html")]
struct AgreementPage {
    ctx: PageCtx,
    p: AgreementProgress,
    lines: Vec<LineView>,
    groups: Vec<(String, String, String)>,
    support: Vec<(String, String, String, i64)>,
    placements: Option<Vec<PlacementView>>,
    can_place: bool,
    my_org: String,
    group_options: Vec<(&'static str, &'static str)>,
    orgs: Vec<(String, String)>,
    /// Names of the buurten the page mentions, by code.
    today: String,
    message: String,
}

impl AgreementPage {
    /// An organisation's name for its id.
    fn org_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.orgs.iter().find(|(o, _)| o == id).map(|(_, name)| name.as_str()).unwrap_or(id)
    }

    /// A buurt's name for its code (the code where the monitor does not know it).
    fn area_name(&self, code: &str) -> String {
        self.ctx.area(code)
    }

    fn group(&self, g: &PriorityGroup) -> String {
        group_label(*g, self.ctx.lang)
    }
}

fn group_label(g: PriorityGroup, lang: Lang) -> String {
    if lang == Lang::Nl { g.label_nl() } else { g.label_en() }.to_string()
}

async fn agreement(
    State(app): State<App>,
    ctx: PageCtx,
    me: Option<Extension<SignedIn>>,
    Path(id): Path<String>,
    query: axum::extract::RawQuery,
) -> Response {
    let p = match housing::agreement_progress(&app, &id).await {
        Ok(p) => p,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let lang = ctx.lang;
    let mut placements = None;
    let mut my_org = String::new();
    let mut orgs = Vec::new();
    if let Some(Extension(me)) = &me {
        my_org = me.user.organisation_id.clone();
        // Household by household only for professionals; policy staff see the aggregates.
        if me.user.role == "professional" {
            if let Ok(covenant) = app.covenant_of(&me.user.tenant_id).await {
                if let Ok(Ok(list)) = housing::placements(&app, &covenant, &Actor::User(me.user.clone()), &id).await {
                    placements = Some(list);
                }
            }
            orgs = app
                .store
                .organisations(&me.user.tenant_id)
                .await
                .map(|o| o.into_iter().map(|o| (o.id, o.name)).collect())
                .unwrap_or_default();
        }
    }
    let can_place =
        me.as_ref().is_some_and(|m| m.user.role == "professional" && m.user.organisation_kind == "woningcorporatie");
    let message = match query.0.as_deref() {
        Some(q) if q.contains("geplaatst=1") => {
            ctx.t("De plaatsing is vastgelegd.", "The placement was recorded.").to_string()
        }
        Some(q) if q.contains("bevestigd=1") => {
            ctx.t("De begeleiding is bevestigd.", "The support was confirmed.").to_string()
        }
        _ => String::new(),
    };
    let ctx = &ctx.clone().with_areas(&app).await;
    let page = AgreementPage {
        ctx: ctx.clone(),
        lines: p
            .lines
            .iter()
            .map(|l| LineView {
                group: group_label(l.priority_group, lang),
                municipality: ctx.area(&l.municipality_code),
                year: l.year,
                agreed: l.progress.agreed,
                realised: l.progress.realised,
                remaining: l.progress.remaining,
                share: pct(l.progress.share, lang),
                bar: l.progress.share.map(|s| (s.clamp(0.0, 1.0) * 100.0).round() as u32).unwrap_or(0),
                unconfirmed: l.unconfirmed_support,
            })
            .collect(),
        groups: p
            .per_group
            .iter()
            .map(|(g, pr)| (group_label(*g, lang), format!("{} / {}", pr.realised, pr.agreed), pct(pr.share, lang)))
            .collect(),
        support: p
            .support
            .iter()
            .map(|s| (group_label(s.priority_group, lang), s.organisation_name.clone(), s.what.clone(), s.months))
            .collect(),
        placements,
        can_place,
        my_org,
        group_options: PriorityGroup::ALL
            .iter()
            .map(|g| (g.code(), if lang == Lang::Nl { g.label_nl() } else { g.label_en() }))
            .collect(),
        orgs,
        today: app.signals.today().to_string(),
        message,
        p,
    };
    render(ctx, &page)
}

#[derive(Deserialize)]
struct PlacementForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    priority_group: String,
    #[serde(default)]
    buurt_code: String,
    #[serde(default)]
    placed_on: String,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    support_org: String,
    #[serde(default)]
    support_description: String,
    #[serde(default)]
    consent: Option<String>,
}

async fn add_placement(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<PlacementForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let placement = NewPlacement {
        agreement_id: id.clone(),
        priority_group: f.priority_group,
        buurt_code: f.buurt_code.trim().to_uppercase(),
        placed_on: f.placed_on,
        bsn: f.bsn,
        support_org: f.support_org,
        support_description: f.support_description,
        consent: f.consent.is_some(),
    };
    match housing::register_placement(&app, &covenant, &Actor::User(me.user.clone()), &placement).await {
        Ok(Ok(_)) => Redirect::to(&format!("/afspraken/{id}?geplaatst=1")).into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agreement: String,
}

async fn confirm(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &f.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return PageError::from_app(&ctx, e).into_response(),
    };
    let back = if f.agreement.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        f.agreement.clone()
    } else {
        String::new()
    };
    match housing::confirm_support(&app, &covenant, &Actor::User(me.user.clone()), &id).await {
        Ok(Ok(())) => Redirect::to(&format!("/afspraken/{back}?bevestigd=1")).into_response(),
        Ok(Err(d)) => denied_page(&ctx, &d),
        Err(AppError::Conflict(m)) => {
            PageError { ctx: ctx.clone(), status: StatusCode::CONFLICT, message: m }.into_response()
        }
        Err(e) => PageError::from_app(&ctx, e).into_response(),
    }
}
