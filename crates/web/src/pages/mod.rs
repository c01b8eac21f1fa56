//! Server-rendered pages: Dutch first with an English switch, NL Design System look,
//! usable without JavaScript and on a phone.

mod access;
mod accessibility;
pub(crate) mod areas;
mod households;
mod housing;
mod logboek;
mod programme;
mod public_covenant;
pub mod residents;
mod routing;
pub(crate) mod signals;
pub(crate) mod start;

use crate::middleware::current_request_id;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use leefwijk_app::{App, AppError};
use leefwijk_domain::indicators::{format_value, Unit};
use leefwijk_domain::{Lang, MissingMarker};

/// Compares a form's CSRF token with the expected one in constant time; refuses the post
/// with a 403 page when they differ.
pub fn check_csrf(ctx: &PageCtx, expected: &str, given: &str) -> Result<(), Response> {
    let same = expected.len() == given.len()
        && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same && !expected.is_empty() {
        Ok(())
    } else {
        Err(PageError {
            ctx: ctx.clone(),
            status: StatusCode::FORBIDDEN,
            message: ctx
                .t(
                    "Dit formulier is verlopen of niet door Leefwijk verstuurd (CSRF-controle). Laad de pagina opnieuw en probeer het nog eens.",
                    "This form has expired or was not sent by Leefwijk (CSRF check). Reload the page and try again.",
                )
                .to_string(),
        }
        .into_response())
    }
}

/// A covenant refusal as a 403 page that names the rule.
pub fn denied_page(ctx: &PageCtx, d: &leefwijk_app::access::gate::Denied) -> Response {
    PageError { ctx: ctx.clone(), status: StatusCode::FORBIDDEN, message: ctx.refusal(&d.decision) }.into_response()
}

/// A whole number with thousands separators: "1.234.567" in Dutch, "1,234,567" in English.
pub fn group_thousands(v: u64, lang: Lang) -> String {
    let digits = v.to_string();
    let sep = if lang == Lang::Nl { '.' } else { ',' };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

pub fn routes() -> Router<App> {
    areas::routes()
        .merge(access::routes())
        .merge(logboek::routes())
        .merge(signals::routes())
        .merge(programme::routes())
        .merge(housing::routes())
        .merge(households::routes())
        .merge(routing::routes())
        .merge(residents::routes())
        .merge(start::routes())
        .merge(public_covenant::routes())
        .merge(accessibility::routes())
}

/// The signed-in person as the layout shows them.
#[derive(Debug, Clone)]
pub struct PageUser {
    pub name: String,
    pub role: String,
    pub csrf: String,
    /// The collaboration the user works for.
    pub tenant_id: String,
}

/// What every page needs: the language and the links to switch it.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    /// The current path and query without `lang`, for the language switch.
    pub here: String,
    pub user: Option<PageUser>,
    /// The newest year's areas, for pages that name areas by code (`with_areas`).
    pub areas: Option<std::sync::Arc<leefwijk_app::areas::monitor::YearView>>,
}

impl PageCtx {
    /// The same context with the area names loaded, for a page that names areas.
    pub async fn with_areas(mut self, app: &App) -> Self {
        self.areas = app.monitor.view(None).await.ok();
        self
    }

    /// An area's name for its code ("WK990101" → "Centrum"); the code itself when the
    /// figures do not know it (or `with_areas` was not called).
    pub fn area(&self, code: &str) -> String {
        leefwijk_domain::AreaCode::parse(code)
            .ok()
            .and_then(|c| self.areas.as_ref().and_then(|v| v.area(&c).ok().map(|a| a.name.clone())))
            .unwrap_or_else(|| code.to_string())
    }

    /// Several areas by name, joined the way a sentence lists them.
    pub fn areas_named(&self, codes: &[String]) -> String {
        codes.iter().map(|c| self.area(c)).collect::<Vec<_>>().join(", ")
    }

    pub fn t<'a>(&self, nl: &'a str, en: &'a str) -> &'a str {
        self.lang.t(nl, en)
    }

    /// A calendar date the Dutch (or English) way: "2026-11-23" → "23 nov 2026"; the
    /// input itself when it is no date. Every page shows dates through this.
    pub fn date(&self, iso: &str) -> String {
        const MONTHS_NL: [&str; 12] =
            ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
        const MONTHS_EN: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        match leefwijk_domain::calendar::Date::parse(iso) {
            Ok(d) => {
                let months = match self.lang {
                    Lang::Nl => MONTHS_NL,
                    Lang::En => MONTHS_EN,
                };
                let month = months.get(d.month.saturating_sub(1) as usize).copied().unwrap_or_default();
                format!("{} {month} {}", d.day, d.year)
            }
            Err(_) => iso.to_string(),
        }
    }

    /// A role's name ("regisseur", "coordinator"), never its code.
    pub fn role(&self, role: &str) -> String {
        let (nl, en) = match role {
            "beheerder" => ("beheerder", "administrator"),
            "beleidsmedewerker" => ("beleidsmedewerker", "policy officer"),
            "wijkteammedewerker" => ("wijkteammedewerker", "neighbourhood team worker"),
            "regisseur" => ("regisseur", "coordinator"),
            "professional" => ("professional", "professional"),
            "privacy_officer" => ("privacy officer (FG)", "data protection officer"),
            "api_client" => ("koppeling (API)", "system link (API)"),
            other => return other.replace('_', " "),
        };
        self.t(nl, en).to_string()
    }

    /// A kind of organisation's name ("sociaal wijkteam"), never its code.
    /// Why the covenant said no, in the person's language and with names, followed by the
    /// rule that decided it (which the privacy officer finds in the audit log).
    pub fn refusal(&self, d: &leefwijk_domain::access::covenant::Decision) -> String {
        use leefwijk_domain::access::covenant::{Action, Refusal};
        let purpose = |p: leefwijk_domain::access::covenant::Purpose| self.t(p.label_nl(), p.label_en()).to_string();
        let why = match &d.refusal {
            Some(Refusal::NoGrant { purpose: p, role, organisation_kind, action, category }) => {
                let category = self.t(category.label_nl(), category.label_en()).to_lowercase();
                let (role, kind, purpose) = (self.role(role), self.organisation_kind(organisation_kind), purpose(*p));
                match self.lang {
                    Lang::Nl => {
                        let verb = if *action == Action::Read { "in te zien" } else { "vast te leggen" };
                        format!("Het convenant geeft een {role} van een {kind} geen recht om {category} {verb} voor het doel “{purpose}”.")
                    }
                    Lang::En => {
                        let verb = if *action == Action::Read { "see" } else { "record" };
                        format!("The covenant gives a {role} of a {kind} no right to {verb} {category} for the purpose “{purpose}”.")
                    }
                }
            }
            Some(Refusal::NoConsent(p)) => match self.lang {
                Lang::Nl => format!(
                    "Voor het doel “{}” is toestemming van de bewoner nodig, en die is er (nog) niet.",
                    purpose(*p)
                ),
                Lang::En => {
                    format!("The purpose “{}” needs the resident's consent, and there is none (yet).", purpose(*p))
                }
            },
            Some(Refusal::NoPurpose(p)) => match self.lang {
                Lang::Nl => format!("Het convenant kent het doel “{}” niet.", purpose(*p)),
                Lang::En => format!("The covenant has no purpose “{}”.", purpose(*p)),
            },
            Some(Refusal::NotInvolved) => self
                .t(
                    "Uw organisatie is niet betrokken bij dit huishouden (betrokkenheidsindex).",
                    "Your organisation is not involved with this household (involvement index).",
                )
                .to_string(),
            None => self.t("Het convenant staat dit niet toe.", "The covenant does not allow this.").to_string(),
        };
        let rule = d.rule.split(" / ").next().unwrap_or(&d.rule);
        format!(
            "{why} {} {rule}.",
            self.t("Het besluit staat in de auditlog onder", "The decision is in the audit log under")
        )
    }

    pub fn organisation_kind(&self, kind: &str) -> String {
        let (nl, en) = match kind {
            "gemeente" => ("gemeente", "municipality"),
            "sociaal_wijkteam" => ("sociaal wijkteam", "neighbourhood social team"),
            "schuldhulpverlening" => ("schuldhulpverlening", "debt help"),
            "woningcorporatie" => ("woningcorporatie", "housing corporation"),
            "ggz" => ("ggz", "mental health care"),
            "energieleverancier" => ("energieleverancier", "energy supplier"),
            "drinkwaterbedrijf" => ("drinkwaterbedrijf", "drinking-water company"),
            "zorgverzekeraar" => ("zorgverzekeraar", "health insurer"),
            "politie" => ("politie", "police"),
            other => return other.replace('_', " "),
        };
        self.t(nl, en).to_string()
    }

    /// A number with `decimals` decimals, Dutch (1.234,5) or English (1,234.5).
    pub fn number(&self, value: &f64, decimals: usize) -> String {
        leefwijk_domain::indicators::format_number(*value, decimals, self.lang)
    }

    /// A moment (UTC milliseconds) as Amsterdam date and time: "7 dec 2026 07:44".
    pub fn moment(&self, ms: i64) -> String {
        let (date, hours, minutes) = leefwijk_domain::calendar::amsterdam_local(ms);
        format!("{} {hours:02}:{minutes:02}", self.date(&date.to_string()))
    }

    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    pub fn user_name(&self) -> &str {
        self.user.as_ref().map(|u| u.name.as_str()).unwrap_or_default()
    }

    pub fn csrf(&self) -> &str {
        self.user.as_ref().map(|u| u.csrf.as_str()).unwrap_or_default()
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.user.as_ref().map(|u| u.role == role).unwrap_or(false)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn switch_href(&self) -> String {
        let other = match self.lang {
            Lang::Nl => "en",
            Lang::En => "nl",
        };
        let sep = if self.here.contains('?') { '&' } else { '?' };
        format!("{}{sep}lang={other}", self.here)
    }

    pub fn switch_label(&self) -> &'static str {
        match self.lang {
            Lang::Nl => "English",
            Lang::En => "Nederlands",
        }
    }

    pub fn switch_lang(&self) -> &'static str {
        match self.lang {
            Lang::Nl => "en",
            Lang::En => "nl",
        }
    }

    /// A value in its unit, or the CBS symbol for a missing value. Amounts that CBS gives
    /// in thousands of euros are shown as euros ("€ 31.600", not "31,6 × € 1.000").
    pub fn value(&self, value: Option<f64>, unit: Unit) -> String {
        match value {
            Some(v) if unit == Unit::ThousandEuro => {
                let euros = format_value((v * 1000.0).round(), Unit::Count, self.lang);
                match self.lang {
                    Lang::Nl => format!("€ {euros}"),
                    Lang::En => format!("€{euros}"),
                }
            }
            Some(v) => {
                let s = format_value(v, unit, self.lang);
                match (unit, unit.symbol()) {
                    (_, "") => s,
                    (_, "%") => format!("{s}%"),
                    (Unit::PerHousehold, _) if self.lang == Lang::En => format!("{s} per household"),
                    (Unit::Persons, _) if self.lang == Lang::En => format!("{s} people"),
                    (_, sym) => format!("{s} {sym}"),
                }
            }
            None => "·".to_string(),
        }
    }

    /// A change between two values, signed: a change of a percentage is in percentage
    /// points ("-0,3 procentpunt"), never "-0,3%", which would be a relative change.
    pub fn change(&self, change: f64, unit: Unit) -> String {
        let sign = if change > 0.0 { "+" } else { "" };
        if unit == Unit::Percent {
            let points = format_value(change, unit, self.lang);
            format!("{sign}{points} {}", self.t("procentpunt", "percentage points"))
        } else {
            format!("{sign}{}", self.value(Some(change), unit))
        }
    }

    pub fn missing_note(&self, marker: Option<MissingMarker>) -> String {
        match marker {
            Some(MissingMarker::Secret) => {
                self.t("geheim (CBS, kleine aantallen)", "secret (CBS, small numbers)").into()
            }
            Some(MissingMarker::Unknown) => {
                self.t("onbekend of onbetrouwbaar (CBS)", "unknown or unreliable (CBS)").into()
            }
            None => self.t("geen gegevens", "no data").into(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let from_query = query.split('&').find_map(|kv| kv.strip_prefix("lang=")).and_then(Lang::parse);
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix("lang=").and_then(Lang::parse));
        let rest: Vec<&str> = query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("lang=")).collect();
        let here = if rest.is_empty() {
            parts.uri.path().to_string()
        } else {
            format!("{}?{}", parts.uri.path(), rest.join("&"))
        };
        let user = parts.extensions.get::<crate::auth::SignedIn>().map(|s| PageUser {
            name: s.user.display_name.clone(),
            role: s.user.role.clone(),
            csrf: s.csrf.clone(),
            tenant_id: s.user.tenant_id.clone(),
        });
        Ok(PageCtx { lang: from_query.or(from_cookie).unwrap_or_default(), here, user, areas: None })
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    title: String,
    message: String,
    request_id: String,
}

/// An error shown as a page, with the request id to quote.
pub struct PageError {
    pub ctx: PageCtx,
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn from_app(ctx: &PageCtx, e: AppError) -> PageError {
        let (status, message) = match &e {
            AppError::NotFound(what) => (StatusCode::NOT_FOUND, not_found_message(ctx, what)),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
            AppError::NoData => (
                StatusCode::SERVICE_UNAVAILABLE,
                ctx.t(
                    "Er zijn nog geen cijfers geïmporteerd. Start met --demo of importeer CBS-cijfers met `leefwijk import cbs-kwb BESTAND`.",
                    "No figures have been imported yet. Start with --demo or import CBS figures with `leefwijk import cbs-kwb FILE`.",
                )
                .to_string(),
            ),
            _ => {
                tracing::error!(error = %e, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, ctx.t("Er ging iets mis aan onze kant.", "Something went wrong on our side.").to_string())
            }
        };
        PageError { ctx: ctx.clone(), status, message }
    }
}

/// What a 404 page says: in the page's language, without the use case's technical words.
fn not_found_message(ctx: &PageCtx, what: &str) -> String {
    match what.strip_prefix("area ") {
        Some(code) => match ctx.lang {
            Lang::Nl => format!("Leefwijk kent geen gebied met de code {code}. Zoek het gebied op naam via het wijkbeeld."),
            Lang::En => format!("Leefwijk knows no area with the code {code}. Look the area up by name in the monitor."),
        },
        None => ctx
            .t(
                "Wat u zoekt bestaat niet (meer), of hoort bij een ander samenwerkingsverband. Controleer de link of begin bij Mijn werk of het wijkbeeld.",
                "What you are looking for does not exist (any more), or belongs to another collaboration. Check the link, or start from My work or the monitor.",
            )
            .to_string(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = match self.status {
            StatusCode::NOT_FOUND => self.ctx.t("Pagina niet gevonden", "Page not found"),
            StatusCode::BAD_REQUEST => self.ctx.t("Ongeldige aanvraag", "Invalid request"),
            StatusCode::FORBIDDEN => self.ctx.t("Geen toegang", "Access denied"),
            StatusCode::SERVICE_UNAVAILABLE => self.ctx.t("Nog geen gegevens", "No data yet"),
            _ => self.ctx.t("Er ging iets mis", "Something went wrong"),
        }
        .to_string();
        let page = ErrorPage {
            status: self.status.as_u16(),
            title,
            message: self.message,
            request_id: current_request_id().unwrap_or_default(),
            ctx: self.ctx,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, "error").into_response(),
        }
    }
}

/// Renders a template or an error page.
pub fn render<T: Template>(ctx: &PageCtx, page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => PageError::from_app(ctx, AppError::Internal(e.to_string())).into_response(),
    }
}

/// A public page rendered once and kept (with the year view it shows), as is and gzipped,
/// so that serving it again costs neither rendering nor compression.
pub(crate) struct KeptPage {
    html: axum::body::Bytes,
    gzip: Option<axum::body::Bytes>,
}

impl KeptPage {
    pub(crate) fn new(html: String) -> KeptPage {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        // Without a gzipped copy the compression layer compresses per request, as for any page.
        let gzip = encoder.write_all(html.as_bytes()).and_then(|()| encoder.finish()).ok().map(axum::body::Bytes::from);
        KeptPage { html: axum::body::Bytes::from(html), gzip }
    }

    /// Approximate size, for the bound on what a view keeps.
    pub(crate) fn bytes(&self) -> usize {
        self.html.len() + self.gzip.as_ref().map(axum::body::Bytes::len).unwrap_or_default()
    }

    pub(crate) fn response(&self, accepts_gzip: bool) -> Response {
        use axum::http::header;
        match (&self.gzip, accepts_gzip) {
            (Some(gz), true) => (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CONTENT_ENCODING, "gzip"),
                    (header::VARY, "accept-encoding"),
                ],
                gz.clone(),
            )
                .into_response(),
            _ => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], self.html.clone()).into_response(),
        }
    }
}

/// Whether the client takes gzip (`Accept-Encoding: gzip`, not with `q=0`).
pub(crate) fn accepts_gzip(headers: &axum::http::HeaderMap) -> bool {
    headers.get_all(axum::http::header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f64>().ok()) == Some(0.0));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
    })
}

/// Fallback for unknown paths: problem+json under /api, a page elsewhere.
pub async fn not_found(ctx: PageCtx, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::Problem::not_found(format!("There is no API resource at {}.", uri.path())).into_response();
    }
    PageError {
        message: format!("{} {}", ctx.t("Er is geen pagina op", "There is no page at"), uri.path()),
        status: StatusCode::NOT_FOUND,
        ctx,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    /// The CSP (`style-src 'self'`) blocks inline styles: a bar drawn with `style="width:…"`
    /// showed as full whatever its value (issue 17). No template may carry one.
    #[test]
    fn no_template_has_an_inline_style() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut read = 0;
        for entry in std::fs::read_dir(&dir).expect("templates") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            assert!(!text.contains(" style=\""), "{} has an inline style", path.display());
            read += 1;
        }
        assert!(read > 40, "{read} templates");
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        let with = |v: &str| {
            let mut h = axum::http::HeaderMap::new();
            h.insert(axum::http::header::ACCEPT_ENCODING, axum::http::HeaderValue::from_str(v).expect("value"));
            super::accepts_gzip(&h)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br, deflate"));
        assert!(!super::accepts_gzip(&axum::http::HeaderMap::new()));
    }
}
