//! Public-space reports (meldingen): filed by residents without an account, routed to the
//! responsible organisation, handled against a service level.
//!
//! A report holds no pseudonym and passes no covenant purpose: the resident gives what
//! they choose, and the only personal data are the optional contact details. Those are
//! shown to the handling organisation only (audited), never on the status page, and
//! cleared a configured term after closing ([`anonymise_contacts`]). The reporter's
//! private status link is a random token; only its SHA-256 is stored.

use crate::access::identity::{now_ms, random_token, sha256_hex};
use crate::{App, AppError};
use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_domain::access::logboek::OperationName;
use leefwijk_domain::calendar::Date;
use leefwijk_domain::disclosure::DisclosureControl;
use leefwijk_domain::residents::reports::{
    self as rules, check_description, check_email, check_phone, check_photo, check_point, check_short, field_error,
    find_sub, find_top, strip_metadata, transition, Clock, FieldError, PhotoError, Status, CATEGORIES,
};
use leefwijk_domain::signals::intake::Postcode;
use leefwijk_domain::{AreaCode, AreaKind, Lang};
use leefwijk_store::{ReportEventRecord, ReportRecord, ReportRouteRecord, User};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[residents.reports]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportsConfig {
    /// Working days to handle a report, per top category (overlast, verval, onveilig,
    /// woning, groen, overig). Categories not named get `default_service_level`.
    pub service_levels: BTreeMap<String, u32>,
    pub default_service_level: u32,
    /// Largest photo accepted, in bytes (before metadata stripping).
    pub max_photo_bytes: usize,
    /// Days after closing (or cancelling) after which contact details are cleared.
    pub contact_retention_days: u32,
    /// "Similar reports nearby": same top category within this many metres …
    pub similar_radius_m: f64,
    /// … filed in this many recent weeks.
    pub similar_weeks: u32,
    /// Weeks the public area summary looks back.
    pub summary_weeks: u32,
    /// The site's public address (e.g. "https://leefwijk.example.nl"), put before the
    /// status link in the confirmation e-mail; empty: the e-mail gives the path only.
    pub link_base_url: String,
    /// A base map under the report form's click-map: a tile URL with `{z}`, `{x}` and `{y}`
    /// in the Dutch tiling scheme (EPSG:28992), such as PDOK's BRT achtergrondkaart
    /// (docs/residents/reports.md). Empty: the map shows the buurten only.
    pub base_map_tiles: String,
    /// The base map's attribution, shown under the map (e.g. "Kaart: BRT Achtergrondkaart, Kadaster").
    pub base_map_attribution: String,
}

/// Built-in service levels in working days: unsafe situations fastest, green space slowest.
pub const DEFAULT_SERVICE_LEVELS: &[(&str, u32)] =
    &[("overlast", 5), ("verval", 5), ("onveilig", 2), ("woning", 10), ("groen", 15), ("overig", 10)];

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            service_levels: DEFAULT_SERVICE_LEVELS.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            default_service_level: 10,
            max_photo_bytes: 5 * 1024 * 1024,
            contact_retention_days: 90,
            similar_radius_m: 250.0,
            similar_weeks: 4,
            summary_weeks: 13,
            link_base_url: String::new(),
            base_map_tiles: String::new(),
            base_map_attribution: String::new(),
        }
    }
}

impl ReportsConfig {
    /// The service level of a top category, in working days: the configured one, else the
    /// built-in one (so configuring one category keeps the others), else the default.
    pub fn level(&self, top: &str) -> u32 {
        self.service_levels
            .get(top)
            .copied()
            .or_else(|| DEFAULT_SERVICE_LEVELS.iter().find(|(k, _)| *k == top).map(|(_, v)| *v))
            .unwrap_or(self.default_service_level)
            .max(1)
    }
}

/// A report as the resident sends it (JSON or the form). Everything is checked here.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewReport {
    /// Subcategory code, such as "verval.zwerfafval" (see GET /api/v1/report-categories).
    pub category: String,
    /// Location by address: postcode and house number …
    pub postcode: Option<String>,
    pub house_number: Option<u32>,
    /// … or by a point in WGS84 degrees.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// … or only the buurt (a BU code), e.g. when coming from the neighbourhood page;
    /// an address or point, when also given, decides.
    pub buurt: Option<String>,
    /// Where exactly (optional, up to 200 characters), e.g. "bij de speeltuin".
    pub location_note: Option<String>,
    /// What is wrong: 10 to 2000 characters.
    pub description: String,
    /// Optional contact details; never shown on the status page.
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Optional photo (JPEG or PNG), base64-encoded; metadata is removed before storing.
    pub photo_base64: Option<String>,
    /// The photo's bytes when it came from a form upload.
    #[serde(skip)]
    #[schema(ignore)]
    pub photo: Option<Vec<u8>>,
}

/// A similar report nearby: only what anyone may see.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarReport {
    pub category: String,
    pub status: Status,
    pub filed_on: String,
    /// Metres away, when both reports have a point.
    pub distance_m: Option<u32>,
}

/// What the reporter gets back after filing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Filed {
    pub id: String,
    /// The private status token: shown once, stored only as a hash.
    pub token: String,
    /// Path of the status page.
    pub status_url: String,
    pub organisation: String,
    pub buurt_code: String,
    /// Date by which the report should be handled.
    pub due: String,
    pub similar: Vec<SimilarReport>,
}

/// One history entry as shown publicly: no staff names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicEvent {
    pub on: String,
    pub status: Status,
    pub text: String,
}

/// The status page's content; no contact details.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicStatus {
    pub id: String,
    pub category: String,
    pub category_nl: String,
    pub category_en: String,
    pub buurt_code: String,
    pub description: String,
    pub location_note: Option<String>,
    pub status: Status,
    pub filed_on: String,
    pub due: String,
    pub organisation: String,
    pub has_photo: bool,
    pub history: Vec<PublicEvent>,
    /// Closed and not yet answered: the satisfaction question may be asked.
    pub may_answer: bool,
    pub satisfaction: Option<i64>,
    /// Similar reports nearby in recent weeks (while this one is open).
    pub similar: Vec<SimilarReport>,
}

/// A row of the handling team's list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub id: String,
    pub category: String,
    pub top_category: String,
    pub buurt_code: String,
    pub status: Status,
    pub filed_on: String,
    pub due: String,
    pub overdue: bool,
    /// Working days left; negative when overdue; absent once closed.
    pub days_left: Option<i64>,
    pub description: String,
}

/// A report in full for its handling organisation, contact details included.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub row: ReportRow,
    pub postcode: Option<String>,
    pub house_number: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub location_note: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_anonymised: bool,
    pub satisfaction: Option<i64>,
    pub satisfaction_comment: Option<String>,
    pub has_photo: bool,
    pub history: Vec<StaffEvent>,
    /// Statuses this report may move to.
    pub next: Vec<Status>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffEvent {
    pub on: String,
    pub at_ms: i64,
    pub status: Status,
    pub text: String,
    pub actor: String,
}

/// Filters of the handling team's list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListFilter {
    /// Only this status (reported, in_progress, on_hold, closed, reopened, cancelled); "open" for all open ones.
    pub status: Option<String>,
    /// Only overdue reports.
    pub overdue: Option<bool>,
    /// Only this top category.
    pub category: Option<String>,
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::BadRequest(m.into())
}

fn parse_point(p: &Option<String>) -> Option<(f64, f64)> {
    let (a, b) = p.as_deref()?.split_once(',')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn date_of(s: &str) -> Result<Date, AppError> {
    Date::parse(s).map_err(|e| AppError::Internal(format!("stored date: {e}")))
}

fn status_of(s: &str) -> Result<Status, AppError> {
    Status::parse(s).ok_or_else(|| AppError::Internal(format!("stored status '{s}'")))
}

/// Every field checked; all problems at once so the form can show each next to its field.
struct Checked {
    category: &'static str,
    top: &'static str,
    postcode: Option<Postcode>,
    house_number: Option<u32>,
    point: Option<(f64, f64)>,
    buurt: Option<String>,
    location_note: Option<String>,
    description: String,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    photo: Option<(&'static str, Vec<u8>)>,
}

fn photo_error(e: PhotoError, max: usize) -> FieldError {
    match e {
        PhotoError::TooLarge { .. } => field_error(
            "photo",
            format!("De foto is te groot; het maximum is {} MB.", max / (1024 * 1024)),
            format!("The photo is too large; the maximum is {} MB.", max / (1024 * 1024)),
        ),
        PhotoError::WrongType => {
            field_error("photo", "Alleen foto's in JPEG of PNG kunnen mee.", "Only JPEG or PNG photos can be attached.")
        }
        PhotoError::Damaged => field_error(
            "photo",
            "Het fotobestand is beschadigd of onvolledig.",
            "The photo file is damaged or incomplete.",
        ),
    }
}

fn check(app: &App, input: &NewReport) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut keep = |r: Result<Option<String>, FieldError>| r.map_err(|e| errors.push(e)).ok().flatten();
    let name = keep(check_short("name", input.name.as_deref().unwrap_or_default(), rules::MAX_NAME));
    let email = keep(check_email(input.email.as_deref().unwrap_or_default()));
    let phone = keep(check_phone(input.phone.as_deref().unwrap_or_default()));
    let location_note = keep(check_short(
        "location_note",
        input.location_note.as_deref().unwrap_or_default(),
        rules::MAX_LOCATION_NOTE,
    ));
    let description = check_description(&input.description).map_err(|e| errors.push(e)).ok();
    let found = find_sub(input.category.trim());
    if found.is_none() {
        errors.push(field_error("category", "Kies een categorie.", "Choose a category."));
    }
    let postcode_raw = input.postcode.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let buurt = match input.buurt.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => match AreaCode::parse(raw) {
            Ok(code) if code.kind() == AreaKind::Buurt => Some(code.as_str().to_string()),
            _ => {
                errors.push(field_error(
                    "location",
                    "Dit is geen buurtcode zoals BU03630000.",
                    "This is not a neighbourhood code such as BU03630000.",
                ));
                None
            }
        },
    };
    let point = check_point(input.lat, input.lon).map_err(|e| errors.push(e)).ok().flatten();
    let mut postcode = None;
    match (postcode_raw, input.house_number, point) {
        (Some(raw), number, _) => {
            match Postcode::parse(raw) {
                Ok(p) => postcode = Some(p),
                Err(_) => errors.push(field_error(
                    "postcode",
                    "Een postcode is vier cijfers en twee letters, zoals 1234 AB.",
                    "A postcode is four digits and two letters, such as 1234 AB.",
                )),
            }
            if !number.is_some_and(|n| (1..=99_999).contains(&n)) {
                errors.push(field_error(
                    "house_number",
                    "Vul bij de postcode een huisnummer in.",
                    "Give a house number with the postcode.",
                ));
            }
        }
        (None, _, Some(_)) => {}
        (None, _, None) if buurt.is_some() || input.buurt.as_deref().is_some_and(|b| !b.trim().is_empty()) => {}
        (None, _, None) if input.lat.is_none() && input.lon.is_none() => errors.push(field_error(
            "location",
            "Geef de plek: een postcode met huisnummer, of een punt op de kaart.",
            "Give the place: a postcode with house number, or a point on the map.",
        )),
        (None, _, None) => {}
    }
    let max = app.residents.reports.max_photo_bytes;
    let photo_bytes = match (&input.photo, input.photo_base64.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (Some(b), _) if !b.is_empty() => Some(b.clone()),
        (_, Some(b64)) => {
            use base64::Engine;
            // Base64 is 4/3 of the bytes: refuse before decoding something far too large.
            if b64.len() > max / 3 * 4 + 8 {
                errors.push(photo_error(PhotoError::TooLarge { size: b64.len() / 4 * 3, max }, max));
                None
            } else {
                match base64::engine::general_purpose::STANDARD.decode(b64) {
                    Ok(b) => Some(b),
                    Err(_) => {
                        errors.push(field_error(
                            "photo",
                            "De foto is niet goed gecodeerd (base64).",
                            "The photo is not valid base64.",
                        ));
                        None
                    }
                }
            }
        }
        _ => None,
    };
    let photo = photo_bytes.and_then(|b| {
        check_photo(&b, max)
            .and_then(|kind| strip_metadata(&b, kind).map(|clean| (kind.mime(), clean)))
            .map_err(|e| errors.push(photo_error(e, max)))
            .ok()
    });
    match (found, description) {
        (Some((top, sub)), Some(description)) if errors.is_empty() => Ok(Checked {
            category: sub.code,
            top: top.code,
            postcode,
            house_number: input.house_number,
            point,
            buurt,
            location_note,
            description,
            name,
            email,
            phone,
            photo,
        }),
        _ => Err(errors),
    }
}

/// The buurt of a point: the buurt boundary of the latest year that contains it. Only
/// buurten of municipalities with a routing rule are searched: elsewhere a report could
/// not be routed anyway, and a national boundary import stays out of the request.
pub async fn buurt_of_point(app: &App, lat: f64, lon: f64) -> Result<Option<String>, AppError> {
    let Some(year) = app.store.shape_years().await?.into_iter().next() else {
        return Ok(None);
    };
    let mut prefixes: Vec<String> = app
        .store
        .report_route_areas()
        .await?
        .iter()
        .filter_map(|c| AreaCode::parse(c).ok()?.municipality())
        .map(|gm| format!("BU{}", &gm.as_str()[2..]))
        .collect();
    prefixes.sort();
    prefixes.dedup();
    for s in app.store.buurt_shapes(year, &prefixes).await? {
        let p = rules::point_for(&s.shape, lat, lon);
        let in_box =
            s.shape.bbox().is_some_and(|b| p[0] >= b.min_x && p[0] <= b.max_x && p[1] >= b.min_y && p[1] <= b.max_y);
        if in_box && rules::contains(&s.shape, p) {
            return Ok(Some(s.code.as_str().to_string()));
        }
    }
    Ok(None)
}

/// The buurt code when the latest boundaries know it.
async fn known_buurt(app: &App, code: &str) -> Result<Option<String>, AppError> {
    let Some(year) = app.store.shape_years().await?.into_iter().next() else {
        return Ok(None);
    };
    let parsed = AreaCode::parse(code).map_err(|e| bad(e.to_string()))?;
    Ok(app.store.shape(year, &parsed).await?.map(|_| code.to_string()))
}

/// Which collaboration and organisation handle reports of `top` in `buurt`: the rule of
/// the most specific area (buurt, then wijk, then gemeente), one for the category before
/// one for every category; among equals the oldest rule.
pub async fn route(app: &App, buurt: &str, top: &str) -> Result<Option<ReportRouteRecord>, AppError> {
    let code = AreaCode::parse(buurt).map_err(|e| bad(e.to_string()))?;
    let mut chain = vec![code.clone()];
    while let Some(parent) = chain.last().and_then(|c| c.parent()).filter(|p| p.kind() != AreaKind::Land) {
        chain.push(parent);
    }
    let codes: Vec<String> = chain.iter().map(|c| c.as_str().to_string()).collect();
    let rules = app.store.report_routes_for(&codes).await?;
    let rank = |r: &ReportRouteRecord| {
        let depth = codes.iter().position(|c| *c == r.area_code).unwrap_or(usize::MAX);
        (depth, r.category.is_none())
    };
    Ok(rules.into_iter().filter(|r| r.category.as_deref().is_none_or(|c| c == top)).min_by_key(|r| rank(r)))
}

async fn organisation_name(app: &App, tenant: &str, org: &str) -> Result<String, AppError> {
    Ok(app
        .store
        .organisations(tenant)
        .await?
        .into_iter()
        .find(|o| o.id == org)
        .map(|o| o.name)
        .unwrap_or_else(|| org.to_string()))
}

fn clock_of(app: &App, r: &ReportRecord, events: &[ReportEventRecord], today: Date) -> Result<Clock, AppError> {
    let changes = events
        .iter()
        .skip(1)
        .map(|e| Ok((date_of(&e.on_date)?, status_of(&e.status)?)))
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(rules::clock(
        date_of(&r.filed_on)?,
        app.residents.reports.level(&r.top_category),
        &changes,
        today,
        app.signals.deadlines.holidays,
    ))
}

/// Similar reports nearby in recent weeks (same top category), excluding `except`.
pub async fn similar(
    app: &App,
    top: &str,
    buurt: &str,
    point: Option<(f64, f64)>,
    except: Option<&str>,
) -> Result<Vec<SimilarReport>, AppError> {
    let cfg = &app.residents.reports;
    let today = app.signals.today();
    let since = today.add_days(-7 * i64::from(cfg.similar_weeks)).to_string();
    let mut out = Vec::new();
    for r in app.store.reports_since(top, &since).await? {
        if Some(r.id.as_str()) == except {
            continue;
        }
        let other = parse_point(&r.point);
        let filed = date_of(&r.filed_on)?;
        if rules::is_similar(
            top,
            buurt,
            point,
            &r.top_category,
            &r.buurt_code,
            other,
            filed,
            today,
            cfg.similar_radius_m,
            cfg.similar_weeks,
        ) {
            let distance_m = point.zip(other).map(|(a, b)| rules::distance_m(a, b).round() as u32);
            out.push(SimilarReport {
                category: r.category,
                status: status_of(&r.status)?,
                filed_on: r.filed_on,
                distance_m,
            });
        }
    }
    out.truncate(5);
    Ok(out)
}

/// Files a report. `Ok(Err(errors))`: the input has problems, per field; nothing was stored.
pub async fn file(app: &App, input: &NewReport) -> Result<Result<Filed, Vec<FieldError>>, AppError> {
    let c = match check(app, input) {
        Ok(c) => c,
        Err(errors) => return Ok(Err(errors)),
    };
    let buurt = match (&c.postcode, c.point) {
        (Some(pc), _) => {
            app.store.buurten_for_postcodes(&[pc.as_str().to_string()]).await?.into_iter().next().map(|(_, b)| b)
        }
        (None, Some((lat, lon))) => buurt_of_point(app, lat, lon).await?,
        (None, None) => match &c.buurt {
            Some(code) => known_buurt(app, code).await?,
            None => None,
        },
    };
    let Some(buurt) = buurt else {
        let field = if c.postcode.is_some() { "postcode" } else { "location" };
        return Ok(Err(vec![field_error(
            field,
            "Deze plek ligt niet in een buurt die wij kennen. Controleer de postcode of kies een punt in de gemeente.",
            "This place is not in a neighbourhood we know. Check the postcode or pick a point in the municipality.",
        )]));
    };
    let Some(rule) = route(app, &buurt, c.top).await? else {
        return Ok(Err(vec![field_error(
            "location",
            "Voor deze buurt kunnen hier (nog) geen meldingen worden gedaan. Neem contact op met uw gemeente.",
            "Reports for this neighbourhood cannot be filed here (yet). Contact your municipality.",
        )]));
    };
    let today = app.signals.today();
    let now = now_ms();
    let token = random_token()?;
    let id = format!("M-{}", &random_token()?[..12]);
    let record = ReportRecord {
        id: id.clone(),
        tenant_id: rule.tenant_id.clone(),
        organisation_id: rule.organisation_id.clone(),
        category: c.category.to_string(),
        top_category: c.top.to_string(),
        buurt_code: buurt.clone(),
        postcode: c.postcode.as_ref().map(|p| p.as_str().to_string()),
        house_number: c.house_number.map(i64::from),
        point: c.point.map(|(a, b)| format!("{a:.6},{b:.6}")),
        location_note: c.location_note,
        description: c.description,
        status: Status::Reported.code().into(),
        filed_on: today.to_string(),
        status_on: today.to_string(),
        token_hash: sha256_hex(&token),
        contact_name: c.name,
        contact_email: c.email,
        contact_phone: c.phone,
        contact_anonymised_at: None,
        satisfaction: None,
        satisfaction_comment: None,
        satisfaction_at: None,
        created_at: now,
        updated_at: now,
    };
    let first = ReportEventRecord {
        seq: 1,
        at_ms: now,
        on_date: today.to_string(),
        status: Status::Reported.code().into(),
        text: String::new(),
        actor_id: "melder".into(),
    };
    let similar = similar(app, c.top, &buurt, c.point, None).await?;
    let mut tx = app.store.begin().await?;
    tx.insert_report(&record, &first, c.photo.as_ref().map(|(m, b)| (*m, b.as_slice()))).await?;
    tx.commit().await?;
    tracing::info!(report = %id, category = c.category, buurt = %buurt, "report filed");
    if let Some(to) = &record.contact_email {
        confirm_by_mail(app, to, &id, &token);
    }
    let due = rules::clock(today, app.residents.reports.level(c.top), &[], today, app.signals.deadlines.holidays).due;
    Ok(Ok(Filed {
        status_url: format!("/melding/{token}"),
        token,
        id,
        organisation: organisation_name(app, &rule.tenant_id, &rule.organisation_id).await?,
        buurt_code: buurt,
        due: due.to_string(),
        similar,
    }))
}

/// Sends the status link to the reporter who left an e-mail address: the only copy
/// outside their browser. A failure to send is logged, not fatal: the report is stored
/// and the status page shows the link.
fn confirm_by_mail(app: &App, to: &str, id: &str, token: &str) {
    let base = app.residents.reports.link_base_url.trim_end_matches('/');
    let body = format!(
        "Uw melding {id} is ontvangen. Volg de afhandeling via deze persoonlijke link:\n{base}/melding/{token}\n\n\
         Your report {id} has been received. Follow how it is handled through this personal link:\n\
         {base}/melding/{token}?lang=en\n\nDeel deze link niet / Do not share this link."
    );
    if let Err(e) = app.mail.send_to_address(to, &format!("Uw melding {id} / Your report {id}"), &body) {
        tracing::warn!(report = %id, error = %e, "confirmation e-mail not sent");
    }
}

/// Closing tells a reporter who left an e-mail address, so they can answer the
/// satisfaction question through the link they received.
fn closed_by_mail(app: &App, r: &ReportRecord, text: &str) {
    let Some(to) = &r.contact_email else { return };
    let id = &r.id;
    let body = format!(
        "Uw melding {id} is afgehandeld:\n{text}\n\nOp uw persoonlijke statuspagina (de link uit de eerste e-mail) \
         kunt u laten weten hoe tevreden u bent.\n\nYour report {id} has been closed:\n{text}\n\nOn your personal \
         status page (the link from the first e-mail) you can tell us how satisfied you are."
    );
    if let Err(e) = app.mail.send_to_address(to, &format!("Melding {id} afgehandeld / Report {id} closed"), &body) {
        tracing::warn!(report = %id, error = %e, "closing e-mail not sent");
    }
}

/// Tokens are 64 hex characters; anything else is not looked up.
fn token_hash(token: &str) -> Option<String> {
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())).then(|| sha256_hex(token))
}

async fn by_token(app: &App, token: &str) -> Result<ReportRecord, AppError> {
    let not_found =
        || AppError::NotFound("no report with this status link; check that the whole link was copied".into());
    let hash = token_hash(token).ok_or_else(not_found)?;
    app.store.report_by_token_hash(&hash).await?.ok_or_else(not_found)
}

/// The reporter's view through the private link.
pub async fn status_by_token(app: &App, token: &str) -> Result<PublicStatus, AppError> {
    let r = by_token(app, token).await?;
    let events = app.store.report_events(&r.id).await?;
    let clock = clock_of(app, &r, &events, app.signals.today())?;
    let status = status_of(&r.status)?;
    let (nl, en) = find_sub(&r.category).map(|(_, s)| (s.nl, s.en)).unwrap_or((&r.category, &r.category));
    Ok(PublicStatus {
        id: r.id.clone(),
        category: r.category.clone(),
        category_nl: nl.to_string(),
        category_en: en.to_string(),
        buurt_code: r.buurt_code.clone(),
        description: r.description.clone(),
        location_note: r.location_note.clone(),
        status,
        filed_on: r.filed_on.clone(),
        due: clock.due.to_string(),
        organisation: organisation_name(app, &r.tenant_id, &r.organisation_id).await?,
        has_photo: app.store.report_photo(&r.id).await?.is_some(),
        history: events
            .iter()
            .map(|e| Ok(PublicEvent { on: e.on_date.clone(), status: status_of(&e.status)?, text: e.text.clone() }))
            .collect::<Result<_, AppError>>()?,
        may_answer: status == Status::Closed && r.satisfaction.is_none(),
        satisfaction: r.satisfaction,
        similar: if status.is_open() {
            similar(app, &r.top_category, &r.buurt_code, parse_point(&r.point), Some(&r.id)).await?
        } else {
            Vec::new()
        },
    })
}

/// The photo through the private link.
pub async fn photo_by_token(app: &App, token: &str) -> Result<(String, Vec<u8>), AppError> {
    let r = by_token(app, token).await?;
    app.store.report_photo(&r.id).await?.ok_or_else(|| AppError::NotFound("this report has no photo".into()))
}

/// Longest comment with the satisfaction answer.
pub const MAX_SATISFACTION_COMMENT: usize = 500;

/// The one satisfaction question after closing: 1 (very unhappy) to 5 (very happy), with
/// an optional comment. Answered once.
pub async fn answer_satisfaction(app: &App, token: &str, score: i64, comment: Option<&str>) -> Result<(), AppError> {
    // The link first: an unknown link is "not found", whatever was sent with it.
    let r = by_token(app, token).await?;
    if !(1..=5).contains(&score) {
        return Err(bad("choose an answer from 1 (very unhappy) to 5 (very happy)"));
    }
    let comment = check_short("comment", comment.unwrap_or_default(), MAX_SATISFACTION_COMMENT)
        .map_err(|e| bad(format!("comment: {}", e.en)))?;
    let mut tx = app.store.begin().await?;
    if !tx.answer_report_satisfaction(&r.id, score, comment.as_deref(), now_ms()).await? {
        tx.rollback().await?;
        return Err(AppError::Conflict(if r.status != "closed" {
            "De vraag over uw tevredenheid komt zodra de melding is afgehandeld. / The satisfaction question opens once \
             the report is closed."
                .into()
        } else {
            "U heeft deze vraag al beantwoord; dank u wel. / This report's satisfaction question was already answered; \
             thank you."
                .into()
        }));
    }
    tx.commit().await?;
    Ok(())
}

fn audit(tenant: &str, user: &User, action: &str, category: &str, subject: &str, rule: String) -> AuditEntry {
    let by = super::AuditBy { tenant, ..super::AuditBy::staff(user) };
    super::allowed(by, "public_reports", action, category, subject, rule)
}

/// A report of the user's own organisation; others' reports do not exist for them.
async fn own(app: &App, user: &User, id: &str) -> Result<ReportRecord, AppError> {
    app.store
        .report(&user.tenant_id, id)
        .await?
        .filter(|r| r.organisation_id == user.organisation_id)
        .ok_or_else(|| AppError::NotFound(format!("report {id} of your organisation")))
}

fn row(app: &App, r: &ReportRecord, events: &[ReportEventRecord], today: Date) -> Result<ReportRow, AppError> {
    let clock = clock_of(app, r, events, today)?;
    Ok(ReportRow {
        id: r.id.clone(),
        category: r.category.clone(),
        top_category: r.top_category.clone(),
        buurt_code: r.buurt_code.clone(),
        status: status_of(&r.status)?,
        filed_on: r.filed_on.clone(),
        due: clock.due.to_string(),
        overdue: clock.overdue,
        days_left: clock.days_left,
        description: r.description.clone(),
    })
}

/// The handling team's list: the organisation's reports with their clocks, filtered.
pub async fn team_list(app: &App, user: &User, filter: &ListFilter) -> Result<Vec<ReportRow>, AppError> {
    let today = app.signals.today();
    let status = filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = status {
        if s != "open" && Status::parse(s).is_none() {
            return Err(bad(format!(
                "status '{s}': use open, reported, in_progress, on_hold, closed, reopened or cancelled"
            )));
        }
    }
    let category = filter.category.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut out = Vec::new();
    let events = app.store.report_events_of_organisation(&user.tenant_id, &user.organisation_id).await?;
    for r in app.store.reports_of_organisation(&user.tenant_id, &user.organisation_id).await? {
        let keep_status = match status {
            None => true,
            Some("open") => Status::parse(&r.status).is_some_and(Status::is_open),
            Some(s) => r.status == s,
        };
        if !keep_status || category.is_some_and(|c| c != r.top_category) {
            continue;
        }
        let row = row(app, &r, events.get(&r.id).map(Vec::as_slice).unwrap_or_default(), today)?;
        if filter.overdue == Some(true) && !row.overdue {
            continue;
        }
        out.push(row);
    }
    // Overdue first, then the fewest days left, then the oldest.
    out.sort_by_key(|r| (!r.overdue, r.days_left.unwrap_or(i64::MAX), r.filed_on.clone()));
    Ok(out)
}

/// One report in full for its handling organisation; reading the contact details is audited.
pub async fn detail(app: &App, user: &User, id: &str) -> Result<ReportDetail, AppError> {
    let r = own(app, user, id).await?;
    let events = app.store.report_events(&r.id).await?;
    let today = app.signals.today();
    let status = status_of(&r.status)?;
    let has_contact = r.contact_name.is_some() || r.contact_email.is_some() || r.contact_phone.is_some();
    if has_contact {
        let mut tx = app.store.begin().await?;
        crate::access::logboek::audit_and_log(
            &mut tx,
            app.keys.audit(),
            audit(
                &user.tenant_id,
                user,
                "read",
                "contact",
                &r.id,
                "handling organisation reads the reporter's contact details".into(),
            ),
            OperationName::Read,
        )
        .await?;
        tx.commit().await?;
    }
    let point = parse_point(&r.point);
    Ok(ReportDetail {
        row: row(app, &r, &events, today)?,
        postcode: r.postcode.clone(),
        house_number: r.house_number,
        lat: point.map(|p| p.0),
        lon: point.map(|p| p.1),
        location_note: r.location_note.clone(),
        contact_name: r.contact_name.clone(),
        contact_email: r.contact_email.clone(),
        contact_phone: r.contact_phone.clone(),
        contact_anonymised: r.contact_anonymised_at.is_some(),
        satisfaction: r.satisfaction,
        satisfaction_comment: r.satisfaction_comment.clone(),
        has_photo: app.store.report_photo(&r.id).await?.is_some(),
        history: events
            .iter()
            .map(|e| {
                Ok(StaffEvent {
                    on: e.on_date.clone(),
                    at_ms: e.at_ms,
                    status: status_of(&e.status)?,
                    text: e.text.clone(),
                    actor: e.actor_id.clone(),
                })
            })
            .collect::<Result<_, AppError>>()?,
        next: status.next().to_vec(),
    })
}

/// The photo of a report of the user's organisation.
pub async fn photo_for_staff(app: &App, user: &User, id: &str) -> Result<(String, Vec<u8>), AppError> {
    let r = own(app, user, id).await?;
    app.store.report_photo(&r.id).await?.ok_or_else(|| AppError::NotFound("this report has no photo".into()))
}

/// A status change by the handling organisation's staff: checked against the status
/// machine, stored with its text and audited in one transaction.
pub async fn change_status(app: &App, user: &User, id: &str, to: &str, text: &str) -> Result<ReportRow, AppError> {
    // The report first: another organisation's report does not exist for this user.
    let r = own(app, user, id).await?;
    let to = Status::parse(to)
        .ok_or_else(|| bad(format!("status '{to}': use in_progress, on_hold, closed, reopened or cancelled")))?;
    let from = status_of(&r.status)?;
    let text = text.trim();
    // Staff read these first: Dutch, then the English of the domain rule.
    transition(from, to, text).map_err(|e| match e {
        rules::TransitionError::NotAllowed { .. } => AppError::Conflict(format!(
            "Een melding met status '{}' kan niet naar '{}'; laad de melding opnieuw. / {e}",
            from.label(leefwijk_domain::Lang::Nl),
            to.label(leefwijk_domain::Lang::Nl)
        )),
        rules::TransitionError::TextRequired(_) => bad(format!(
            "Bij '{}' hoort een tekst voor de melder: wat is er gedaan of waarom niet. / {e}",
            to.label(leefwijk_domain::Lang::Nl)
        )),
        rules::TransitionError::TextTooLong => bad(format!("De tekst is te lang. / {e}")),
    })?;
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(bad(
            "De tekst bevat onzichtbare stuurtekens; haal ze weg. / The text contains invisible control characters; remove them.",
        ));
    }
    let today = app.signals.today();
    let now = now_ms();
    let event = ReportEventRecord {
        seq: 0,
        at_ms: now,
        on_date: today.to_string(),
        status: to.code().into(),
        text: text.to_string(),
        actor_id: user.id.clone(),
    };
    let mut tx = app.store.begin().await?;
    if !tx.change_report_status(&r.id, from.code(), &event).await? {
        tx.rollback().await?;
        return Err(AppError::Conflict(
            "Iemand anders wijzigde deze melding tegelijk; laad opnieuw en probeer het nog eens. / Someone changed this \
             report at the same time; reload and try again."
                .into(),
        ));
    }
    tx.append_audit(
        audit(&user.tenant_id, user, "write", "report", &r.id, format!("status {} -> {}", from.code(), to.code())),
        app.keys.audit(),
    )
    .await?;
    tx.commit().await?;
    if to == Status::Closed {
        closed_by_mail(app, &r, text);
    }
    let updated = own(app, user, id).await?;
    let events = app.store.report_events(id).await?;
    row(app, &updated, &events, today)
}

/// Clears the contact details of reports closed or cancelled longer than the configured
/// term ago, per collaboration, audited by count. Returns how many reports were anonymised.
pub async fn anonymise_contacts(app: &App, today: Date) -> Result<u64, AppError> {
    let days = app.residents.reports.contact_retention_days;
    let before = today.add_days(-i64::from(days)).to_string();
    let mut total = 0;
    for tenant in app.store.tenants_with_reports().await? {
        let mut tx = app.store.begin().await?;
        let n = tx.anonymise_report_contacts(&tenant, &before, now_ms()).await?;
        let by = super::AuditBy { tenant: &tenant, actor: "system", organisation: "system" };
        let rule = format!("contact details of reports closed before {before} ({days} days): cleared on {n} reports");
        let entry = super::allowed(by, "public_reports", "purge", "contact", "retention", rule);
        crate::access::logboek::audit_and_log(&mut tx, app.keys.audit(), entry, OperationName::RetentionDeletion)
            .await?;
        tx.commit().await?;
        total += n;
    }
    tracing::info!(anonymised = total, "report contacts retention run");
    Ok(total)
}

/// Counts of one top category in an area, disclosure-controlled (`None`: hidden).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryCount {
    pub category: String,
    pub label_nl: String,
    pub label_en: String,
    pub open: Option<u64>,
    pub closed: Option<u64>,
    pub total: Option<u64>,
}

/// Reports in an area in recent weeks, for the public neighbourhood page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaReportSummary {
    pub area_code: String,
    pub since: String,
    pub weeks: u32,
    pub categories: Vec<CategoryCount>,
    pub total: Option<u64>,
    /// Counts below this are hidden; others are rounded to `round_to`.
    pub min_cell: u64,
    pub round_to: u64,
}

/// Reports filed in the area (a buurt, wijk or gemeente code) in the last
/// `summary_weeks`, per top category and open/closed, under the same disclosure control
/// as the signals figures.
pub async fn area_summary(app: &App, area_code: &str) -> Result<AreaReportSummary, AppError> {
    let code = AreaCode::parse(area_code).map_err(|e| bad(e.to_string()))?;
    let prefix = match code.kind() {
        AreaKind::Buurt => code.as_str().to_string(),
        AreaKind::Wijk | AreaKind::Gemeente => format!("BU{}", &code.as_str()[2..]),
        AreaKind::Land => "BU".to_string(),
    };
    let weeks = app.residents.reports.summary_weeks;
    let since = app.signals.today().add_days(-7 * i64::from(weeks)).to_string();
    let dc: DisclosureControl = app.signals.disclosure;
    let mut per: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for row in app.store.report_counts(&prefix, &since).await? {
        let Some(top) = find_top(&row.top_category) else { continue };
        let n = u64::try_from(row.count).unwrap_or(0);
        let e = per.entry(top.code).or_default();
        if Status::parse(&row.status).is_some_and(Status::is_open) {
            e.0 += n;
        } else {
            e.1 += n;
        }
    }
    let total: u64 = per.values().map(|(o, c)| o + c).sum();
    let categories = CATEGORIES
        .iter()
        .map(|c| {
            let (open, closed) = per.get(c.code).copied().unwrap_or_default();
            CategoryCount {
                category: c.code.into(),
                label_nl: c.nl.into(),
                label_en: c.en.into(),
                open: dc.count(open),
                closed: dc.count(closed),
                total: dc.count(open + closed),
            }
        })
        .collect();
    Ok(AreaReportSummary {
        area_code: code.as_str().to_string(),
        since,
        weeks,
        categories,
        total: dc.count(total),
        min_cell: dc.min_cell,
        round_to: dc.round_to,
    })
}

/// A routing rule as entered by an administrator.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoute {
    /// A buurt, wijk or gemeente code.
    pub area_code: String,
    /// A top category (overlast, verval, onveilig, woning, groen, overig); absent for all.
    pub category: Option<String>,
    /// An organisation of the administrator's collaboration.
    pub organisation_id: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RouteView {
    pub id: String,
    pub area_code: String,
    pub category: Option<String>,
    pub organisation_id: String,
}

pub async fn routes(app: &App, user: &User) -> Result<Vec<RouteView>, AppError> {
    Ok(app
        .store
        .report_routes(&user.tenant_id)
        .await?
        .into_iter()
        .map(|r| RouteView {
            id: r.id,
            area_code: r.area_code,
            category: r.category,
            organisation_id: r.organisation_id,
        })
        .collect())
}

/// Adds a routing rule for the administrator's collaboration (audited).
pub async fn add_route(app: &App, user: &User, input: &NewRoute) -> Result<String, AppError> {
    let code = AreaCode::parse(input.area_code.trim()).map_err(|e| bad(format!("area_code: {e}")))?;
    if code.kind() == AreaKind::Land {
        return Err(bad("area_code: give a buurt, wijk or gemeente code"));
    }
    let category = input.category.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = category {
        if find_top(c).is_none() {
            return Err(bad(format!("category '{c}': use overlast, verval, onveilig, woning, groen or overig")));
        }
    }
    let orgs = app.store.organisations(&user.tenant_id).await?;
    if !orgs.iter().any(|o| o.id == input.organisation_id) {
        return Err(bad(format!(
            "organisation_id '{}' is not an organisation of your collaboration",
            input.organisation_id
        )));
    }
    let id = format!("RR-{}", &random_token()?[..12]);
    app.store
        .add_report_route(&ReportRouteRecord {
            id: id.clone(),
            tenant_id: user.tenant_id.clone(),
            area_code: code.as_str().to_string(),
            category: category.map(String::from),
            organisation_id: input.organisation_id.clone(),
            created_at: now_ms(),
        })
        .await?;
    let mut tx = app.store.begin().await?;
    tx.append_audit(
        audit(
            &user.tenant_id,
            user,
            "write",
            "routing",
            &id,
            format!("report routing {} {:?} -> {}", code, category, input.organisation_id),
        ),
        app.keys.audit(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a routing rule of the administrator's collaboration (audited); false when there is none.
pub async fn delete_route(app: &App, user: &User, id: &str) -> Result<(), AppError> {
    if !app.store.delete_report_route(&user.tenant_id, id).await? {
        return Err(AppError::NotFound(format!("routing rule {id} of your collaboration")));
    }
    let mut tx = app.store.begin().await?;
    tx.append_audit(
        audit(&user.tenant_id, user, "write", "routing", id, format!("report routing rule {id} removed")),
        app.keys.audit(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The category tree with labels in the language asked, for forms and clients.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub label: String,
    pub service_level_working_days: u32,
    pub subcategories: Vec<(String, String)>,
}

pub fn categories(app: &App, lang: Lang) -> Vec<CategoryView> {
    CATEGORIES
        .iter()
        .map(|c| CategoryView {
            code: c.code.into(),
            label: lang.t(c.nl, c.en).into(),
            service_level_working_days: app.residents.reports.level(c.code),
            subcategories: c.subs.iter().map(|s| (s.code.to_string(), lang.t(s.nl, s.en).to_string())).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_map_origin_is_taken_only_from_a_tile_url() {
        let with = |t: &str| ReportsConfig { base_map_tiles: t.into(), ..ReportsConfig::default() }.base_map_origin();
        assert_eq!(
            with("https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:28992/{z}/{x}/{y}.png")
                .as_deref(),
            Some("https://service.pdok.nl")
        );
        assert_eq!(with("http://127.0.0.1:8081/t/{z}/{x}/{y}.png").as_deref(), Some("http://127.0.0.1:8081"));
        assert_eq!(with(""), None, "no base map");
        assert_eq!(with("https://tiles.example/{z}/{x}.png"), None, "a template without {{y}}");
        assert_eq!(with("ftp://tiles.example/{z}/{x}/{y}"), None, "not http(s)");
        assert_eq!(with("https://evil.example; script-src */{z}/{x}/{y}"), None, "nothing that could widen the CSP");
    }

    #[test]
    fn config_keeps_built_in_levels_for_categories_not_named() {
        let c: ReportsConfig =
            toml::from_str("service_levels = { groen = 3 }\nmax_photo_bytes = 1000").expect("config");
        assert_eq!(c.level("groen"), 3);
        assert_eq!(c.level("onveilig"), 2, "built-in");
        assert_eq!(c.level("unknown"), 10, "default");
        assert_eq!(c.max_photo_bytes, 1000);
        assert_eq!(c.contact_retention_days, 90);
        assert!(toml::from_str::<ReportsConfig>("max_photo_size = 1").is_err(), "unknown keys are refused");
    }
}

/// A municipality's buurten as a clickable map for the report form (an image input: the
/// browser sends where it was clicked, so choosing a point needs no JavaScript).
#[derive(Debug, Clone)]
pub struct ReportMap {
    pub gemeente: String,
    pub width: f64,
    pub height: f64,
    /// (buurt code, SVG path) per buurt.
    pub buurten: Vec<(String, String)>,
    /// (buurt code, x, y): where each buurt's name goes (the middle of its bounding box).
    pub labels: Vec<(String, f64, f64)>,
    projection: leefwijk_domain::geometry::Projection,
}

/// The width of the map image in pixels (its view box). An image input reports the click
/// in rendered pixels, so the image is never scaled: 340 pixels fit a phone's screen.
pub const MAP_WIDTH: f64 = 340.0;

/// The map of a municipality's buurten (latest boundaries), when it has any.
pub async fn map_of(app: &App, gemeente: &str) -> Result<Option<ReportMap>, AppError> {
    let code = AreaCode::parse(gemeente).map_err(|e| bad(e.to_string()))?;
    if code.kind() != AreaKind::Gemeente {
        return Err(bad("a map is drawn for a gemeente code (GM…)"));
    }
    let Some(year) = app.store.shape_years().await?.into_iter().next() else {
        return Ok(None);
    };
    let shapes = app.store.buurt_shapes(year, &[format!("BU{}", &code.as_str()[2..])]).await?;
    let Some(bbox) = shapes.iter().filter_map(|s| s.shape.bbox()).reduce(|a, b| a.union(b)) else {
        return Ok(None);
    };
    let projection = leefwijk_domain::geometry::Projection::fit(bbox, MAP_WIDTH);
    let buurten = shapes.iter().map(|s| (s.code.as_str().to_string(), projection.path(&s.shape))).collect();
    let labels = shapes
        .iter()
        .filter_map(|s| {
            let b = s.shape.bbox()?;
            let (x, y) = projection.project(&[(b.min_x + b.max_x) / 2.0, (b.min_y + b.max_y) / 2.0]);
            Some((s.code.as_str().to_string(), x, y))
        })
        .collect();
    Ok(Some(ReportMap {
        gemeente: code.as_str().to_string(),
        width: projection.width,
        height: projection.height,
        buurten,
        labels,
        projection,
    }))
}

impl ReportsConfig {
    /// The origin (scheme, host and port) of the base map's tiles, for the pages' CSP;
    /// `None` without a base map or with a template that is no http(s) URL.
    pub fn base_map_origin(&self) -> Option<String> {
        let t = self.base_map_tiles.trim();
        let rest =
            t.strip_prefix("https://").map(|r| ("https", r)).or_else(|| t.strip_prefix("http://").map(|r| ("http", r)));
        let (scheme, rest) = rest?;
        let host = rest.split('/').next().filter(|h| !h.is_empty() && !h.contains(['{', '}', ' ', '\'', ';']))?;
        (t.contains("{z}") && t.contains("{x}") && t.contains("{y}")).then(|| format!("{scheme}://{host}"))
    }
}

impl ReportMap {
    /// The base-map tiles under this map, when it is drawn in RD metres.
    pub fn base_tiles(&self, template: &str) -> Vec<(String, leefwijk_domain::tiles::PlacedTile)> {
        let Some((min_x, max_y, scale)) = self.projection.metric_frame() else { return Vec::new() };
        leefwijk_domain::tiles::covering(min_x, max_y, scale, self.width, self.height)
            .into_iter()
            .map(|t| (leefwijk_domain::tiles::url(template, &t), t))
            .collect()
    }

    /// Where a WGS84 point lies on the map image, when it lies on it.
    pub fn position_of(&self, lat: f64, lon: f64) -> Option<(f64, f64)> {
        let p = if self.projection.is_geographic() { [lon, lat] } else { rules::wgs84_to_rd(lat, lon) };
        let (x, y) = self.projection.project(&p);
        ((0.0..=self.width).contains(&x) && (0.0..=self.height).contains(&y)).then_some((x, y))
    }

    /// Latitude and longitude (WGS84) under a click at (x, y) on the map image.
    pub fn lat_lon_at(&self, x: f64, y: f64) -> (f64, f64) {
        let p = self.projection.unproject(x, y);
        if self.projection.is_geographic() {
            (p[1], p[0])
        } else {
            rules::rd_to_wgs84(p)
        }
    }
}

/// Municipalities where reports can be filed (a routing rule covers them), for the form's
/// map choice: (code, name).
pub async fn map_municipalities(app: &App) -> Result<Vec<(String, String)>, AppError> {
    let mut codes: Vec<AreaCode> =
        app.store.report_route_areas().await?.iter().filter_map(|c| AreaCode::parse(c).ok()?.municipality()).collect();
    codes.sort();
    codes.dedup();
    let view = app.monitor.view(None).await.ok();
    Ok(codes
        .into_iter()
        .map(|c| {
            let name = view.as_ref().and_then(|v| v.area(&c).ok().map(|a| a.name.clone())).unwrap_or_default();
            (c.as_str().to_string(), name)
        })
        .collect())
}
