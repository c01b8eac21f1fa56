//! Pages of the access capability: sign in and out, own password, administration of the
//! own collaboration, the covenant, the processing register, the audit log and
//! re-identification.

use super::{check_csrf, render, PageCtx, PageError};
use crate::auth::{cookie, set_cookie, SignedIn, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use leefwijk_app::access::gate::Actor;
use leefwijk_app::access::identity::{self, LoginFailure, NewUser};
use leefwijk_app::access::vault;
use leefwijk_app::{App, AppError};
use leefwijk_domain::access::covenant::processing_register;
use leefwijk_domain::Lang;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/inloggen", get(login_form).post(login))
        .route("/inloggen/oidc/{provider}", get(sso_start))
        .route("/inloggen/oidc/{provider}/callback", get(sso_callback))
        .route("/uitloggen", post(logout))
        .route("/wachtwoord", get(password_form).post(change_password))
        .route("/beheer", get(admin))
        .route("/beheer/gebruikers", post(create_user))
        .route("/beheer/gebruikers/{id}/reset", post(reset_user))
        .route("/beheer/api-clients", post(create_client))
        .route("/beheer/api-clients/{id}/intrekken", post(revoke_client))
        .route("/convenant", get(covenant_page))
        .route("/verwerkingsregister", get(register_page))
        .route("/audit", get(audit_page))
        .route("/herleiden", get(reidentify_form).post(reidentify))
}

fn app_error(ctx: &PageCtx, e: AppError) -> Response {
    PageError::from_app(ctx, e).into_response()
}

/// Only local paths, so the login form cannot send people elsewhere. Browsers drop tabs
/// and newlines from a URL and read `\\` as `/`, so `/<TAB>/evil.example` would be
/// `//evil.example`, another host: any whitespace, control character or backslash makes
/// the path unsafe, and so does a second slash at the start.
pub(crate) fn safe_return(path: &str) -> String {
    let plain = path.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '\\');
    if plain && path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") {
        path.to_string()
    } else {
        "/".to_string()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    csrf: String,
    back: String,
    username: String,
    error: String,
    /// Single sign-on providers: (id, name).
    providers: Vec<(String, String)>,
}

fn providers(app: &App) -> Vec<(String, String)> {
    app.oidc.providers().iter().map(|p| (p.id.clone(), p.name.clone())).collect()
}

#[derive(Deserialize)]
struct LoginQuery {
    terug: Option<String>,
}

async fn login_form(State(app): State<App>, ctx: PageCtx, Query(q): Query<LoginQuery>) -> Response {
    let csrf = match identity::random_token() {
        Ok(t) => t,
        Err(e) => return app_error(&ctx, e),
    };
    let page = LoginPage {
        ctx: ctx.clone(),
        csrf: csrf.clone(),
        back: safe_return(q.terug.as_deref().unwrap_or(super::start::START_PAGE)),
        username: String::new(),
        error: String::new(),
        providers: providers(&app),
    };
    let mut response = render(&ctx, &page);
    response.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, &csrf, 1800));
    response
}

#[derive(Deserialize)]
struct LoginFormData {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    terug: String,
}

async fn login(
    State(app): State<App>,
    ctx: PageCtx,
    headers: HeaderMap,
    address: Option<Extension<crate::auth::ClientAddress>>,
    Form(form): Form<LoginFormData>,
) -> Response {
    // Before login there is no session: the token in the form must match the cookie set
    // with the form (double submit).
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if let Err(r) = check_csrf(&ctx, &expected, &form.csrf) {
        return r;
    }
    let now = identity::now_ms();
    let client = address.map(|Extension(a)| a.0).unwrap_or_else(|| "unknown".to_string());
    let attempt = identity::LoginAttempt { username: &form.username, password: &form.password, client: &client };
    let outcome = match identity::login(&app.store, &app.login_throttle, attempt, now).await {
        Ok(o) => o,
        Err(e) => return app_error(&ctx, e),
    };
    match outcome {
        Ok(session) => {
            // A new session id on every login; the old session (if any) ends.
            if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                let _ = identity::logout(&app.store, &old).await;
            }
            let target = if session.user.must_change_password {
                "/wachtwoord".to_string()
            } else if form.terug.is_empty() {
                super::start::START_PAGE.to_string()
            } else {
                safe_return(&form.terug)
            };
            let mut response = Redirect::to(&target).into_response();
            let h = response.headers_mut();
            h.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &session.token, identity::SESSION_MS / 1000));
            h.append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", 0));
            response
        }
        Err(failure) => {
            let (status, error) = match failure {
                LoginFailure::Invalid => (
                    StatusCode::UNAUTHORIZED,
                    ctx.t("Onjuiste gebruikersnaam of wachtwoord.", "Wrong username or password.").to_string(),
                ),
                LoginFailure::Locked { until_ms } => {
                    let minutes = ((until_ms - now).max(0) + 59_999) / 60_000;
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        format!(
                            "{} {minutes} {}",
                            ctx.t(
                                "Te veel mislukte pogingen. Probeer het over",
                                "Too many failed attempts. Try again in"
                            ),
                            ctx.t(
                                "minuten opnieuw, of vraag de beheerder om een nieuw wachtwoord.",
                                "minutes, or ask the administrator for a new password."
                            )
                        ),
                    )
                }
            };
            let page = LoginPage {
                ctx: ctx.clone(),
                csrf: form.csrf.clone(),
                back: safe_return(&form.terug),
                username: form.username.clone(),
                error,
                providers: providers(&app),
            };
            let mut response = render(&ctx, &page);
            *response.status_mut() = status;
            response
        }
    }
}

/// Sends the browser to the identity provider.
async fn sso_start(
    State(app): State<App>,
    ctx: PageCtx,
    Path(provider): Path<String>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let back = safe_return(q.terug.as_deref().unwrap_or(super::start::START_PAGE));
    match app.oidc.start(&app.store, &provider, &back).await {
        Ok(Ok(url)) => Redirect::to(&url).into_response(),
        Ok(Err(failure)) => sso_refused(&app, &ctx, failure.to_string()),
        Err(e) => app_error(&ctx, e),
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn sso_refused(app: &App, ctx: &PageCtx, reason: String) -> Response {
    let page = LoginPage {
        ctx: ctx.clone(),
        csrf: String::new(),
        back: "/".into(),
        username: String::new(),
        error: format!(
            "{} {reason}",
            ctx.t(
                "Inloggen via de identiteitsprovider is niet gelukt:",
                "Signing in with the identity provider failed:"
            )
        ),
        providers: providers(app),
    };
    let mut response = render(ctx, &page);
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

/// The provider sends the browser back here with a code and the state.
async fn sso_callback(
    State(app): State<App>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(provider): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    if let Some(error) = q.error {
        return sso_refused(&app, &ctx, format!("{error} {}", q.error_description.unwrap_or_default()));
    }
    let (Some(code), Some(state)) = (q.code, q.state) else {
        return sso_refused(&app, &ctx, ctx.t("code of state ontbreekt", "code or state missing").to_string());
    };
    match app.oidc.finish(&app.store, &provider, &code, &state).await {
        Ok(Ok((user, back))) => {
            if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                let _ = identity::logout(&app.store, &old).await;
            }
            let session = match identity::start_session(&app.store, user, identity::now_ms()).await {
                Ok(s) => s,
                Err(e) => return app_error(&ctx, e),
            };
            tracing::info!(user_id = %session.user.id, provider = %provider, "login by single sign-on");
            let mut response = Redirect::to(&safe_return(&back)).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &session.token, identity::SESSION_MS / 1000));
            response
        }
        Ok(Err(failure)) => sso_refused(&app, &ctx, failure.to_string()),
        Err(e) => app_error(&ctx, e),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    if let Err(e) = identity::logout(&app.store, &me.token).await {
        return app_error(&ctx, e);
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0));
    response
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: PageCtx,
    must_change: bool,
    error: String,
    done: bool,
}

async fn password_form(ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    render(
        &ctx,
        &PasswordPage {
            ctx: ctx.clone(),
            must_change: me.user.must_change_password,
            error: String::new(),
            done: false,
        },
    )
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn change_password(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(form): Form<PasswordForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let result = if form.new != form.repeat {
        Err(AppError::BadRequest(
            ctx.t("De twee nieuwe wachtwoorden verschillen.", "The two new passwords differ.").into(),
        ))
    } else {
        identity::change_password(&app.store, &me.user, &form.current, &form.new).await
    };
    match result {
        // Changing the password ends every session: sign in again with the new one.
        Ok(()) => {
            let mut response = render(
                &ctx,
                &PasswordPage {
                    ctx: PageCtx { user: None, ..ctx.clone() },
                    must_change: false,
                    error: String::new(),
                    done: true,
                },
            );
            response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0));
            response
        }
        Err(AppError::BadRequest(m)) => {
            let mut response = render(
                &ctx,
                &PasswordPage { ctx: ctx.clone(), must_change: me.user.must_change_password, error: m, done: false },
            );
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
        Err(e) => app_error(&ctx, e),
    }
}

struct UserRow {
    id: String,
    username: String,
    name: String,
    role: String,
    organisation: String,
    status: String,
}

struct ClientRow {
    id: String,
    name: String,
    scopes: String,
    status: String,
    active: bool,
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    ctx: PageCtx,
    tenant: String,
    users: Vec<UserRow>,
    clients: Vec<ClientRow>,
    organisations: Vec<Choice>,
    roles: Vec<Choice>,
    scopes: Vec<String>,
    teams: Vec<(String, String, String)>,
    /// A secret to show once (new password or client secret), with what it is for.
    secret_for: String,
    secret: String,
    error: String,
}

async fn admin_page(
    app: &App,
    ctx: &PageCtx,
    me: &SignedIn,
    secret_for: String,
    secret: String,
    error: String,
) -> Result<AdminPage, AppError> {
    let tenant = me.user.tenant_id.clone();
    let now = identity::now_ms();
    let ctx = &ctx.clone().with_areas(app).await;
    let organisations = app.store.organisations(&tenant).await?;
    let users = app.store.users(&tenant).await?;
    let clients = app.store.api_clients(&tenant).await?;
    let teams = app.store.teams(&tenant).await?;
    Ok(AdminPage {
        ctx: ctx.clone(),
        tenant: app.store.tenant(&tenant).await?.map(|t| t.name).unwrap_or(tenant.clone()),
        users: users
            .into_iter()
            .map(|u| UserRow {
                status: if u.disabled {
                    ctx.t("uitgeschakeld", "disabled").into()
                } else if u.locked_until > now {
                    ctx.t("tijdelijk geblokkeerd", "temporarily locked").into()
                } else if u.must_change_password {
                    ctx.t("moet wachtwoord kiezen", "must choose a password").into()
                } else {
                    ctx.t("actief", "active").into()
                },
                id: u.id,
                username: u.username,
                name: u.display_name,
                role: ctx.role(&u.role),
                organisation: u.organisation_name,
            })
            .collect(),
        clients: clients
            .into_iter()
            .map(|c| {
                let active = c.revoked_at.is_none() && c.expires_at > now;
                ClientRow {
                    status: if c.revoked_at.is_some() {
                        ctx.t("ingetrokken", "revoked").into()
                    } else if c.expires_at <= now {
                        ctx.t("verlopen", "expired").into()
                    } else {
                        format!(
                            "{} {}",
                            ctx.t("geldig, nog dagen:", "valid, days left:"),
                            (c.expires_at - now) / 86_400_000
                        )
                    },
                    active,
                    id: c.id,
                    name: c.name,
                    scopes: c.scopes.join(" "),
                }
            })
            .collect(),
        organisations: organisations
            .iter()
            .map(|o| Choice { value: o.id.clone(), label: format!("{} ({})", o.name, ctx.organisation_kind(&o.kind)) })
            .collect(),
        roles: identity::ROLES.iter().map(|r| Choice { value: r.to_string(), label: ctx.role(r) }).collect(),
        scopes: identity::SCOPES.iter().map(|s| s.to_string()).collect(),
        teams: teams.into_iter().map(|(_, name, org, areas)| (name, org, ctx.areas_named(&areas))).collect(),
        secret_for,
        secret,
        error,
    })
}

async fn admin(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    match admin_page(&app, &ctx, &me, String::new(), String::new(), String::new()).await {
        Ok(page) => render(&ctx, &page),
        Err(e) => app_error(&ctx, e),
    }
}

/// Renders the admin page after an action: a secret to show once, or the error.
async fn admin_after(app: &App, ctx: &PageCtx, me: &SignedIn, result: Result<(String, String), AppError>) -> Response {
    let (secret_for, secret, error, status) = match result {
        Ok((what, secret)) => (what, secret, String::new(), StatusCode::OK),
        Err(AppError::BadRequest(m)) => (String::new(), String::new(), m, StatusCode::BAD_REQUEST),
        Err(AppError::NotFound(m)) => (String::new(), String::new(), m, StatusCode::NOT_FOUND),
        Err(e) => return app_error(ctx, e),
    };
    match admin_page(app, ctx, me, secret_for, secret, error).await {
        Ok(page) => {
            let mut response = render(ctx, &page);
            *response.status_mut() = status;
            // Secrets must not linger in caches.
            response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => app_error(ctx, e),
    }
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation: String,
}

async fn create_user(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(form): Form<NewUserForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let result = identity::create_user(
        &app.store,
        &NewUser {
            tenant_id: me.user.tenant_id.clone(),
            organisation_id: form.organisation,
            team_id: None,
            username: form.username.clone(),
            display_name: if form.name.trim().is_empty() { form.username.clone() } else { form.name },
            role: form.role,
        },
        None,
    )
    .await
    .map(|(_, password)| {
        (format!("{} {}", ctx.t("Eenmalig wachtwoord voor", "One-time password for"), form.username), password)
    });
    admin_after(&app, &ctx, &me, result).await
}

async fn reset_user(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let result = identity::admin_reset(&app.store, &me.user, &id)
        .await
        .map(|password| (ctx.t("Nieuw eenmalig wachtwoord", "New one-time password").to_string(), password));
    admin_after(&app, &ctx, &me, result).await
}

#[derive(Deserialize)]
struct NewClientForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    scopes: String,
    #[serde(default)]
    days: String,
}

async fn create_client(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(form): Form<NewClientForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let days = form.days.trim().parse::<i64>().unwrap_or(0);
    let scopes: Vec<String> = form.scopes.split([' ', ',']).filter(|s| !s.is_empty()).map(String::from).collect();
    let result = if form.name.trim().is_empty() {
        Err(AppError::BadRequest(ctx.t("Geef de API-client een naam.", "Give the API client a name.").into()))
    } else {
        identity::create_api_client(&app.store, &me.user.tenant_id, &form.organisation, form.name.trim(), &scopes, days)
            .await
    }
    .map(|(id, secret)| {
        (format!("{} {id}", ctx.t("Geheim voor API-client", "Secret of API client")), format!("{id}:{secret}"))
    });
    admin_after(&app, &ctx, &me, result).await
}

async fn revoke_client(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let result = match app.store.revoke_api_client(&me.user.tenant_id, &id, identity::now_ms()).await {
        Ok(true) => Ok((String::new(), String::new())),
        Ok(false) => Err(AppError::NotFound(format!("API client {id}"))),
        Err(e) => Err(AppError::Store(e)),
    };
    admin_after(&app, &ctx, &me, result).await
}

struct GrantRow {
    purpose: String,
    basis: String,
    consent: bool,
    who: String,
    what: String,
    retention: String,
}

#[derive(Template)]
#[template(path = "covenant.html")]
struct CovenantPage {
    ctx: PageCtx,
    title: String,
    version: u32,
    valid_from: String,
    controller: String,
    parties: Vec<(String, String)>,
    grants: Vec<GrantRow>,
}

fn cat_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

async fn covenant_page(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    let c = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return app_error(&ctx, e),
    };
    let lang = ctx.lang;
    let category = |c: &leefwijk_domain::access::covenant::DataCategory| match lang {
        Lang::Nl => c.label_nl().to_string(),
        Lang::En => cat_name(c).replace('_', " "),
    };
    let action = |a: &leefwijk_domain::access::covenant::Action| match a {
        leefwijk_domain::access::covenant::Action::Read => ctx.t("lezen", "read"),
        leefwijk_domain::access::covenant::Action::Write => ctx.t("vastleggen", "record"),
    };
    let grants = c
        .purposes
        .iter()
        .flat_map(|t| {
            t.grants.iter().map(|g| GrantRow {
                purpose: match lang {
                    Lang::Nl => t.purpose.label_nl(),
                    Lang::En => t.purpose.label_en(),
                }
                .to_string(),
                basis: format!(
                    "AVG {}{}; {}",
                    t.legal_basis.avg_art6,
                    t.legal_basis.avg_art9.as_ref().map(|a| format!(", {a}")).unwrap_or_default(),
                    t.legal_basis.law
                ),
                consent: t.consent_required,
                who: format!(
                    "{} — {}",
                    g.organisation_kinds.iter().map(|k| ctx.organisation_kind(k)).collect::<Vec<_>>().join(", "),
                    g.roles.iter().map(|r| ctx.role(r)).collect::<Vec<_>>().join(", ")
                ),
                what: format!(
                    "{}: {}",
                    g.actions.iter().map(action).collect::<Vec<_>>().join("/"),
                    g.categories.iter().map(category).collect::<Vec<_>>().join(", ")
                ),
                retention: t
                    .retention_days
                    .iter()
                    .map(|(c, d)| format!("{} {d} {}", category(c), ctx.t("dagen", "days")))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .collect();
    let page = CovenantPage {
        ctx: ctx.clone(),
        title: c.title.clone(),
        version: c.version,
        valid_from: ctx.date(&c.valid_from),
        controller: c.controller.clone(),
        parties: c.parties.iter().map(|p| (p.name.clone(), ctx.organisation_kind(&p.kind))).collect(),
        grants,
    };
    render(&ctx, &page)
}

struct RegisterRow {
    name: String,
    description: String,
    categories: String,
    recipients: String,
    basis: String,
    special: bool,
    consent: bool,
    /// The id the Logboek Dataverwerkingen records with each processing.
    activity: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: PageCtx,
    controller: String,
    covenant: String,
    rows: Vec<RegisterRow>,
}

async fn register_page(State(app): State<App>, ctx: PageCtx, Extension(me): Extension<SignedIn>) -> Response {
    let c = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return app_error(&ctx, e),
    };
    let rows = processing_register(&c)
        .into_iter()
        .map(|r| RegisterRow {
            activity: r.processing_activity_id.clone(),
            name: ctx.t(r.purpose.label_nl(), r.purpose.label_en()).to_string(),
            description: r.description,
            categories: r
                .categories
                .iter()
                .map(|(c, d)| format!("{} ({d} {})", ctx.t(c.label_nl(), c.label_en()), ctx.t("dagen", "days")))
                .collect::<Vec<_>>()
                .join("; "),
            // Organisation kinds and roles by name (the register's JSON keeps the codes).
            recipients: {
                let mut named: Vec<String> = c
                    .terms(r.purpose)
                    .map(|t| t.grants.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|g| {
                        let roles = g.roles.iter().map(|role| ctx.role(role)).collect::<Vec<_>>().join(", ");
                        g.organisation_kinds.iter().map(move |k| (k.clone(), roles.clone()))
                    })
                    .map(|(k, roles)| format!("{} ({roles})", ctx.organisation_kind(&k)))
                    .collect();
                named.sort();
                named.dedup();
                named.join("; ")
            },
            basis: format!("AVG {}{}; {}", r.avg_art6, r.avg_art9.map(|a| format!(", {a}")).unwrap_or_default(), r.law),
            special: r.special_category,
            consent: r.consent_required,
        })
        .collect();
    render(
        &ctx,
        &RegisterPage {
            ctx: ctx.clone(),
            controller: c.controller.clone(),
            covenant: format!("{} v{}", c.id, c.version),
            rows,
        },
    )
}

#[derive(Deserialize)]
struct AuditQuery {
    subject: Option<String>,
    actor: Option<String>,
    purpose: Option<String>,
    van: Option<String>,
    tot: Option<String>,
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    purpose: String,
    action: String,
    category: String,
    subject: String,
    outcome: String,
    rule: String,
}

/// An audit entry's purpose by name: a covenant purpose, or one of the processings the
/// system records on its own account (a resident's access request).
fn audit_purpose(ctx: &PageCtx, code: &str) -> String {
    match (leefwijk_domain::access::covenant::Purpose::parse(code), code) {
        (Some(p), _) => ctx.t(p.label_nl(), p.label_en()).to_string(),
        (None, leefwijk_app::residents::inzage::AUDIT_PURPOSE) => {
            ctx.t("Inzageverzoek (AVG art. 15)", "Access request (GDPR art. 15)").to_string()
        }
        (None, other) => other.to_string(),
    }
}

/// An audit entry's data category by name.
fn audit_category(ctx: &PageCtx, code: &str) -> String {
    match leefwijk_domain::access::covenant::DataCategory::ALL.iter().find(|c| c.code() == code) {
        Some(c) => ctx.t(c.label_nl(), c.label_en()).to_string(),
        None if code == "access_request" => ctx.t("Inzageverzoek", "Access request").to_string(),
        None => code.to_string(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: PageCtx,
    subject: String,
    actor: String,
    purpose: String,
    from: String,
    to: String,
    rows: Vec<AuditRow>,
    chain: String,
    error: String,
}

/// "2026-11-23" → milliseconds at 00:00 UTC that day.
fn date_ms(s: &str) -> Option<i64> {
    leefwijk_domain::calendar::Date::parse(s).ok().map(|d| d.days_since_epoch() * 86_400_000)
}

async fn audit_page(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Query(q): Query<AuditQuery>,
) -> Response {
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let mut error = String::new();
    let from_ms = clean(&q.van).and_then(|v| {
        let d = date_ms(&v);
        if d.is_none() {
            error = format!("{} '{v}' (JJJJ-MM-DD)", ctx.t("Ongeldige datum", "Invalid date"));
        }
        d
    });
    let to_ms = clean(&q.tot).and_then(|v| date_ms(&v).map(|d| d + 86_400_000));
    let filter = leefwijk_app::AuditFilter {
        tenant: Some(me.user.tenant_id.clone()),
        subject: clean(&q.subject),
        actor: clean(&q.actor),
        purpose: clean(&q.purpose),
        from_ms,
        to_ms,
        limit: 100,
    };
    let entries = match app.store.audit_search(&filter).await {
        Ok(e) => e,
        Err(e) => return app_error(&ctx, AppError::Store(e)),
    };
    let chain = match leefwijk_app::access::audit::verify_chain(&app.store, app.keys.audit()).await {
        Ok(leefwijk_app::access::audit::Verification::Intact { entries }) => {
            format!("{} ({entries} {})", ctx.t("Keten intact", "Chain intact"), ctx.t("regels", "entries"))
        }
        Ok(leefwijk_app::access::audit::Verification::Broken(b)) => {
            format!("{}: {b}", ctx.t("KETEN VERBROKEN", "CHAIN BROKEN"))
        }
        Err(e) => return app_error(&ctx, e),
    };
    let page = AuditPage {
        ctx: ctx.clone(),
        subject: filter.subject.clone().unwrap_or_default(),
        actor: filter.actor.clone().unwrap_or_default(),
        purpose: filter.purpose.clone().unwrap_or_default(),
        from: clean(&q.van).unwrap_or_default(),
        to: clean(&q.tot).unwrap_or_default(),
        rows: entries
            .into_iter()
            .map(|e| AuditRow {
                seq: e.seq,
                at: ctx.moment(e.at_ms),
                actor: e.actor,
                purpose: audit_purpose(&ctx, &e.purpose),
                action: match e.action.as_str() {
                    "read" => ctx.t("inzien", "read").to_string(),
                    "write" => ctx.t("vastleggen", "record").to_string(),
                    other => other.to_string(),
                },
                category: audit_category(&ctx, &e.category),
                subject: e.subject,
                outcome: match e.outcome.as_str() {
                    "allow" => ctx.t("toegestaan", "allowed").to_string(),
                    "deny" => ctx.t("geweigerd", "denied").to_string(),
                    other => other.to_string(),
                },
                rule: e.rule,
            })
            .collect(),
        chain,
        error,
    };
    render(&ctx, &page)
}

#[derive(Template)]
#[template(path = "reidentify.html")]
struct ReidentifyPage {
    ctx: PageCtx,
    pseudonym: String,
    bsn: String,
    message: String,
    /// The covenant's decision text (English, marked as such).
    rule: String,
}

async fn reidentify_form(ctx: PageCtx) -> Response {
    render(
        &ctx,
        &ReidentifyPage {
            ctx: ctx.clone(),
            pseudonym: String::new(),
            bsn: String::new(),
            message: String::new(),
            rule: String::new(),
        },
    )
}

#[derive(Deserialize)]
struct ReidentifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pseudonym: String,
}

async fn reidentify(
    State(app): State<App>,
    ctx: PageCtx,
    Extension(me): Extension<SignedIn>,
    Form(form): Form<ReidentifyForm>,
) -> Response {
    if let Err(r) = check_csrf(&ctx, &me.csrf, &form.csrf) {
        return r;
    }
    let covenant = match app.covenant_of(&me.user.tenant_id).await {
        Ok(c) => c,
        Err(e) => return app_error(&ctx, e),
    };
    let pseudonym = form.pseudonym.trim().to_lowercase();
    let actor = Actor::User(me.user.clone());
    let mut rule = String::new();
    let (status, bsn, message) = match vault::reidentify(&app.store, &app.keys, &covenant, &actor, &pseudonym).await {
        Ok(Ok(Some(bsn))) => (
            StatusCode::OK,
            bsn,
            ctx.t(
                "Herleid. Deze inzage is vastgelegd in de auditlog.",
                "Re-identified. This access is recorded in the audit log.",
            )
            .to_string(),
        ),
        Ok(Ok(None)) => (
            StatusCode::NOT_FOUND,
            String::new(),
            ctx.t(
                "Geen persoon bekend onder dit pseudoniem. De poging is vastgelegd.",
                "No person is known under this pseudonym. The attempt is recorded.",
            )
            .to_string(),
        ),
        Ok(Err(denied)) => {
            rule = denied.decision.to_string();
            (
                StatusCode::FORBIDDEN,
                String::new(),
                ctx.t("Geen toegang volgens het convenant:", "Not allowed by the covenant:").to_string(),
            )
        }
        Err(AppError::BadRequest(m)) => (StatusCode::BAD_REQUEST, String::new(), m),
        Err(e) => return app_error(&ctx, e),
    };
    let mut response = render(&ctx, &ReidentifyPage { ctx: ctx.clone(), pseudonym, bsn, message, rule });
    *response.status_mut() = status;
    response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_local_paths_are_returned_to() {
        use super::safe_return;
        for ok in ["/", "/plan/abc?x=1", "/gemeente/GM0344#kaart"] {
            assert_eq!(safe_return(ok), ok);
        }
        for evil in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "/ /evil.example",
            "/\u{0}/x",
            "",
        ] {
            assert_eq!(safe_return(evil), "/", "{evil:?}");
        }
    }
}
