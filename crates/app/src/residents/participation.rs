//! Initiatives and participatory budgeting.
//!
//! A resident proposes an initiative for their area (anonymously, with optional contact
//! details for the municipality). Verified residents of the area support it; past the
//! support threshold it waits for the municipality's assessment. Policy staff run
//! budgeting rounds per area: ideas → assessment → voting → result, only forward. One vote
//! per verified resident of the area; the counted result is published and the winning
//! projects are handed to the area programme as interventions.
//!
//! Verification is pluggable ([`ResidentVerification`]): by default an e-mail code. The
//! resident gives an e-mail address, postcode and house number; the postcode must lie in
//! the round's area; a 6-digit code goes to the address. Only a keyed hash of the code is
//! kept, it expires and allows a few tries. The resident's identity in the vote tables is
//! a keyed pseudonym of the normalised address, never the address itself.

use crate::{App, AppError};
use leefwijk_domain::access::covenant::Purpose;
use leefwijk_domain::residents::budgeting::{
    self, count, euros, validate_ballot, InitiativeStatus, Outcome, Phase, Project, VoteRule,
};
use leefwijk_store::{CodeRecord, InitiativeRecord, ProjectRecord, RoundRecord, User};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How residents prove they live in the area. The e-mail code is built in; DigiD through
/// OpenID Connect is the planned stronger variant and answers "not configured" until then.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidentVerification {
    #[default]
    EmailCode,
    /// DigiD via OpenID Connect (later): the BSN-based pseudonym would replace the e-mail one.
    DigidOidc,
}

/// `[residents.participation]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParticipationConfig {
    /// Supporters an initiative needs before it goes to assessment.
    pub support_threshold: u32,
    /// Minutes a verification code stays valid.
    pub code_minutes: u32,
    /// Wrong tries before a code is void.
    pub code_tries: u32,
    /// Codes one resident may request per round or initiative per hour.
    pub codes_per_hour: u32,
    /// How residents are verified.
    pub verification: ResidentVerification,
    /// The collaboration that receives initiatives for areas no round or programme covers
    /// yet (absent: such proposals are refused with an explanation).
    pub default_tenant: Option<String>,
    /// Days after an initiative was decided (accepted, rejected or taken into a round) that
    /// the proposer's contact is kept; then retention clears it.
    pub contact_retention_days: u32,
}

impl Default for ParticipationConfig {
    fn default() -> Self {
        ParticipationConfig {
            support_threshold: 25,
            code_minutes: 15,
            code_tries: 5,
            codes_per_hour: 5,
            verification: ResidentVerification::EmailCode,
            default_tenant: None,
            contact_retention_days: 365,
        }
    }
}

fn now() -> i64 {
    crate::access::identity::now_ms()
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A required single- or multi-line text, trimmed, capped and free of control characters.
fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, AppError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(bad(format!("{field}: verplicht / required")));
    }
    if v.chars().count() > max {
        return Err(bad(format!("{field}: hoogstens {max} tekens / at most {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r') || v.contains('\0') {
        return Err(bad(format!("{field}: bevat stuurtekens / contains control characters")));
    }
    Ok(v.replace("\r\n", "\n"))
}

/// The digits of a CBS area code (GM, WK or BU), or `None`.
fn area_digits(code: &str) -> Option<&str> {
    let (prefix, digits) = (code.get(..2)?, code.get(2..)?);
    let len = match prefix {
        "GM" => 4,
        "WK" => 6,
        "BU" => 8,
        _ => return None,
    };
    (digits.len() == len && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Is `inner` the same area as `outer` or inside it?
pub fn area_within(inner: &str, outer: &str) -> bool {
    match (area_digits(inner), area_digits(outer)) {
        (Some(i), Some(o)) => i.starts_with(o),
        _ => false,
    }
}

/// Does one area lie in the other (either way round)?
fn related(a: &str, b: &str) -> bool {
    area_within(a, b) || area_within(b, a)
}

/// A checked area code: a gemeente, wijk or buurt in the area register.
async fn known_area(app: &App, raw: &str) -> Result<String, AppError> {
    let code = leefwijk_domain::AreaCode::parse(raw.trim()).map_err(|e| bad(format!("area_code: {e}")))?;
    let view = app.monitor.view(None).await?;
    view.area(&code)
        .map_err(|_| bad(format!("area_code: {code} staat niet in het gebiedenregister / is not a known area")))?;
    Ok(code.as_str().to_string())
}

/// The wijk an area belongs to (a buurt's wijk; a wijk or gemeente stays itself): who may
/// support an initiative for a buurt lives in the same wijk.
fn support_area(area: &str) -> String {
    match area_digits(area) {
        Some(d) if area.starts_with("BU") => format!("WK{}", &d[..6]),
        _ => area.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitiativeView {
    pub id: String,
    pub area_code: String,
    pub title: String,
    pub description: String,
    pub cost_cents: i64,
    pub cost_text: String,
    pub status: InitiativeStatus,
    pub status_nl: String,
    pub status_en: String,
    pub supporters: i64,
    pub support_threshold: u32,
    pub open_for_support: bool,
    /// The municipality's assessment, once given.
    pub assessment: Option<String>,
    pub round_id: Option<String>,
    pub created_at: i64,
    /// The collaboration that handles it: only its staff see the assessment tools.
    #[serde(skip)]
    #[schema(ignore)]
    pub tenant_id: String,
}

fn initiative_view(app: &App, r: InitiativeRecord) -> InitiativeView {
    let status = InitiativeStatus::parse(&r.status).unwrap_or(InitiativeStatus::Proposed);
    InitiativeView {
        tenant_id: r.tenant_id.clone(),
        id: r.id,
        area_code: r.area_code,
        title: r.title,
        description: r.description,
        cost_text: euros(r.cost_cents),
        cost_cents: r.cost_cents,
        status,
        status_nl: status.label_nl().into(),
        status_en: status.label_en().into(),
        supporters: r.supporters,
        support_threshold: app.residents.participation.support_threshold,
        open_for_support: status.open_for_support(),
        assessment: r.assessment,
        round_id: r.round_id,
        created_at: r.created_at,
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub cost_cents: i64,
    pub cost_text: String,
    pub initiative_id: Option<String>,
    pub intervention_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultLine {
    pub project_id: String,
    pub title: String,
    pub votes: u64,
    pub cost_text: String,
    pub rank: u32,
    pub won: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundView {
    pub id: String,
    pub tenant_id: String,
    pub area_code: String,
    pub name: String,
    pub description: String,
    pub budget_cents: i64,
    pub budget_text: String,
    pub vote_rule: VoteRule,
    pub rule_nl: String,
    pub rule_en: String,
    pub phase: Phase,
    pub phase_nl: String,
    pub phase_en: String,
    pub projects: Vec<ProjectView>,
    /// Ballots cast so far.
    pub ballots: i64,
    pub programme_id: Option<String>,
    /// The counted result, once published.
    pub outcome: Option<Outcome>,
    pub result: Vec<ResultLine>,
    pub spent_text: String,
    pub published_at: Option<i64>,
    pub handed_over_at: Option<i64>,
}

impl RoundView {
    pub fn is_voting(&self) -> bool {
        self.phase == Phase::Voting
    }

    pub fn has_result(&self) -> bool {
        self.outcome.is_some()
    }

    /// A share-of-budget rule (the form then shows costs as the constraint).
    pub fn max_projects(&self) -> Option<u32> {
        match self.vote_rule {
            VoteRule::MaxProjects { k } => Some(k),
            VoteRule::ShareOfBudget { .. } => None,
        }
    }
}

fn rule_of(r: &RoundRecord) -> Result<VoteRule, AppError> {
    serde_json::from_str(&r.vote_rule).map_err(|e| AppError::Internal(format!("vote rule of round {}: {e}", r.id)))
}

fn phase_of(r: &RoundRecord) -> Result<Phase, AppError> {
    Phase::parse(&r.phase).ok_or_else(|| AppError::Internal(format!("phase of round {}", r.id)))
}

fn domain_projects(projects: &[ProjectRecord]) -> Vec<Project> {
    projects.iter().map(|p| Project { id: p.id.clone(), cost_cents: p.cost_cents }).collect()
}

async fn round_view(app: &App, r: RoundRecord) -> Result<RoundView, AppError> {
    let rule = rule_of(&r)?;
    let phase = phase_of(&r)?;
    let projects = app.store.round_projects(&r.id).await?;
    let ballots = app.store.ballot_count(&r.id).await?;
    let outcome: Option<Outcome> = match &r.outcome {
        Some(o) => Some(serde_json::from_str(o).map_err(|e| AppError::Internal(format!("outcome: {e}")))?),
        None => None,
    };
    let title = |id: &str| projects.iter().find(|p| p.id == id).map(|p| p.title.clone()).unwrap_or_default();
    let result = outcome
        .as_ref()
        .map(|o| {
            o.tallies
                .iter()
                .map(|t| ResultLine {
                    project_id: t.project_id.clone(),
                    title: title(&t.project_id),
                    votes: t.votes,
                    cost_text: euros(t.cost_cents),
                    rank: t.rank,
                    won: t.won,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(RoundView {
        rule_nl: rule.describe_nl(r.budget_cents),
        rule_en: rule.describe_en(r.budget_cents),
        vote_rule: rule,
        phase_nl: phase.label_nl().into(),
        phase_en: phase.label_en().into(),
        phase,
        budget_text: euros(r.budget_cents),
        spent_text: euros(outcome.as_ref().map_or(0, |o| o.spent_cents)),
        projects: projects
            .iter()
            .map(|p| ProjectView {
                id: p.id.clone(),
                title: p.title.clone(),
                description: p.description.clone(),
                cost_cents: p.cost_cents,
                cost_text: euros(p.cost_cents),
                initiative_id: p.initiative_id.clone(),
                intervention_id: p.intervention_id.clone(),
            })
            .collect(),
        ballots,
        outcome,
        result,
        id: r.id,
        tenant_id: r.tenant_id,
        area_code: r.area_code,
        name: r.name,
        description: r.description,
        budget_cents: r.budget_cents,
        programme_id: r.programme_id,
        published_at: r.published_at,
        handed_over_at: r.handed_over_at,
    })
}

// ---------------------------------------------------------------------------------------
// Public reading
// ---------------------------------------------------------------------------------------

/// Initiatives, newest first; with an area, those in it or around it.
pub async fn initiatives(app: &App, area: Option<&str>) -> Result<Vec<InitiativeView>, AppError> {
    let all = app.store.initiatives().await?;
    Ok(all
        .into_iter()
        .filter(|i| area.is_none_or(|a| related(&i.area_code, a)))
        .map(|i| initiative_view(app, i))
        .collect())
}

pub async fn initiative(app: &App, id: &str) -> Result<InitiativeView, AppError> {
    let r = app.store.initiative(id).await?.ok_or_else(|| AppError::NotFound(format!("initiatief {id}")))?;
    Ok(initiative_view(app, r))
}

pub async fn round(app: &App, id: &str) -> Result<RoundView, AppError> {
    let r = app.store.round(id).await?.ok_or_else(|| AppError::NotFound(format!("begrotingsronde {id}")))?;
    round_view(app, r).await
}

/// Rounds of every collaboration (public), or of one (for staff), newest first.
pub async fn rounds(app: &App, tenant: Option<&str>) -> Result<Vec<RoundView>, AppError> {
    let mut out = Vec::new();
    for r in app.store.rounds(tenant).await? {
        out.push(round_view(app, r).await?);
    }
    Ok(out)
}

/// What the public neighbourhood page shows of participation in an area.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ParticipationArea)]
pub struct AreaSummary {
    pub area_code: String,
    /// Rounds not yet finished (ideas, assessment, voting), with their public URL.
    pub open_rounds: Vec<RoundLink>,
    /// Rounds with a published result.
    pub results: Vec<RoundLink>,
    /// Initiatives still open for support or being assessed.
    pub open_initiatives: Vec<InitiativeLink>,
    /// Where to see all initiatives of the area.
    pub initiatives_url: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundLink {
    pub id: String,
    pub name: String,
    pub area_code: String,
    pub phase: Phase,
    pub phase_nl: String,
    pub phase_en: String,
    pub budget_text: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitiativeLink {
    pub id: String,
    pub title: String,
    pub status_nl: String,
    pub status_en: String,
    pub supporters: i64,
    pub url: String,
}

/// Open rounds, published results and open initiatives of an area (and of the areas
/// around or inside it), for the public neighbourhood page `/buurt/{code}`.
pub async fn area_summary(app: &App, area_code: &str) -> Result<AreaSummary, AppError> {
    let mut open_rounds = Vec::new();
    let mut results = Vec::new();
    for r in app.store.rounds(None).await?.into_iter().filter(|r| related(&r.area_code, area_code)) {
        let phase = phase_of(&r)?;
        let link = RoundLink {
            url: format!("/begroting/{}", r.id),
            id: r.id,
            name: r.name,
            area_code: r.area_code,
            phase,
            phase_nl: phase.label_nl().into(),
            phase_en: phase.label_en().into(),
            budget_text: euros(r.budget_cents),
        };
        if phase == Phase::Result {
            results.push(link);
        } else {
            open_rounds.push(link);
        }
    }
    let open_initiatives = initiatives(app, Some(area_code))
        .await?
        .into_iter()
        .filter(|i| {
            matches!(
                i.status,
                InitiativeStatus::Proposed | InitiativeStatus::Supported | InitiativeStatus::InAssessment
            )
        })
        .map(|i| InitiativeLink {
            url: format!("/initiatief/{}", i.id),
            id: i.id,
            title: i.title,
            status_nl: i.status_nl,
            status_en: i.status_en,
            supporters: i.supporters,
        })
        .collect();
    Ok(AreaSummary {
        initiatives_url: format!("/initiatieven?gebied={area_code}"),
        area_code: area_code.to_string(),
        open_rounds,
        results,
        open_initiatives,
    })
}

// ---------------------------------------------------------------------------------------
// Proposing an initiative (public)
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewInitiative {
    /// Wijk or buurt code.
    pub area_code: String,
    pub title: String,
    pub description: String,
    /// Estimated cost in whole euros (0 when unknown).
    #[serde(default)]
    pub cost_euros: i64,
    /// Optional: how the municipality may reach the proposer (never shown in public).
    #[serde(default)]
    pub contact: Option<String>,
}

/// The collaboration that handles an area: the newest round around it, else a programme
/// working there, else the configured default.
async fn tenant_for_area(app: &App, area: &str) -> Result<String, AppError> {
    if let Some(r) = app.store.rounds(None).await?.into_iter().find(|r| related(area, &r.area_code)) {
        return Ok(r.tenant_id);
    }
    if let Some(p) =
        app.store.programmes(None).await?.into_iter().find(|p| p.area_codes.iter().any(|a| related(area, a)))
    {
        return Ok(p.tenant_id);
    }
    app.residents.participation.default_tenant.clone().ok_or_else(|| {
        bad("area_code: in dit gebied neemt nog geen wijkaanpak initiatieven aan / no area approach takes initiatives here yet")
    })
}

pub async fn propose(app: &App, input: &NewInitiative) -> Result<InitiativeView, AppError> {
    let area = known_area(app, &input.area_code).await?;
    if area.starts_with("GM") {
        return Err(bad("area_code: kies een wijk of buurt / choose a wijk or buurt"));
    }
    let title = text("title", &input.title, 120, true)?;
    let description = text("description", &input.description, 4000, true)?;
    if !(0..=10_000_000).contains(&input.cost_euros) {
        return Err(bad("cost_euros: 0 tot 10.000.000 euro / 0 to 10,000,000 euros"));
    }
    let contact = match input.contact.as_deref().map(|c| text("contact", c, 200, false)).transpose()? {
        Some(c) if !c.is_empty() => Some(c),
        _ => None,
    };
    let tenant = tenant_for_area(app, &area).await?;
    let t = now();
    let record = InitiativeRecord {
        id: new_id(),
        tenant_id: tenant,
        area_code: area,
        title,
        description,
        cost_cents: input.cost_euros * 100,
        contact,
        status: InitiativeStatus::Proposed.code().into(),
        supporters: 0,
        assessment: None,
        round_id: None,
        created_at: t,
        updated_at: t,
    };
    app.store.insert_initiative(&record).await?;
    Ok(initiative_view(app, record))
}

// ---------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------

/// What a code verifies for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Round(String),
    Initiative(String),
}

impl Scope {
    fn key(&self) -> String {
        match self {
            Scope::Round(id) => format!("round:{id}"),
            Scope::Initiative(id) => format!("initiative:{id}"),
        }
    }
}

/// What a resident enters to get a code.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CodeRequest {
    pub email: String,
    pub postcode: String,
    pub house_number: String,
}

/// The scope's collaboration and the area a resident must live in.
async fn scope_area(app: &App, scope: &Scope) -> Result<(String, String), AppError> {
    match scope {
        Scope::Round(id) => {
            let r = app.store.round(id).await?.ok_or_else(|| AppError::NotFound(format!("begrotingsronde {id}")))?;
            if phase_of(&r)? != Phase::Voting {
                return Err(AppError::Conflict(
                    "Er kan nu niet gestemd worden: de stemfase van deze ronde is niet open. / Voting is not open in this round."
                        .into(),
                ));
            }
            Ok((r.tenant_id, r.area_code))
        }
        Scope::Initiative(id) => {
            let i = app.store.initiative(id).await?.ok_or_else(|| AppError::NotFound(format!("initiatief {id}")))?;
            let status = InitiativeStatus::parse(&i.status).unwrap_or(InitiativeStatus::Proposed);
            if !status.open_for_support() {
                return Err(AppError::Conflict(
                    "Dit initiatief verzamelt geen steun meer. / This initiative no longer collects support.".into(),
                ));
            }
            Ok((i.tenant_id, support_area(&i.area_code)))
        }
    }
}

/// The voter pseudonym: a keyed hash of the normalised e-mail address under the
/// collaboration's key, in its own domain so it never matches another pseudonym.
fn voter_of(app: &App, tenant: &str, email: &str) -> Result<String, AppError> {
    let key = app.keys.pseudonym_key(tenant, Purpose::Monitoring).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(key.customer("residents-participation", email))
}

fn code_hash(app: &App, tenant: &str, scope: &str, voter: &str, code: &str) -> Result<String, AppError> {
    let key = app.keys.pseudonym_key(tenant, Purpose::Monitoring).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(key.customer("residents-participation-code", &format!("{scope}|{voter}|{code}")))
}

fn check_verification(app: &App) -> Result<(), AppError> {
    match app.residents.participation.verification {
        ResidentVerification::EmailCode => Ok(()),
        ResidentVerification::DigidOidc => Err(AppError::Forbidden(
            "Inloggen met DigiD is voor stemmen nog niet ingericht; vraag de gemeente. / DigiD verification is not configured yet."
                .into(),
        )),
    }
}

fn email_of(raw: &str) -> Result<String, AppError> {
    budgeting::normalise_email(raw)
        .ok_or_else(|| bad("email: vul een geldig e-mailadres in / enter a valid e-mail address"))
}

fn house_number_ok(raw: &str) -> bool {
    let n = raw.trim();
    let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
    !digits.is_empty()
        && digits.len() <= 5
        && !digits.starts_with('0')
        && n.chars().count() <= 10
        && n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-'))
}

/// Checks where the resident lives and sends a 6-digit code to their address.
pub async fn request_code(app: &App, scope: &Scope, input: &CodeRequest) -> Result<(), AppError> {
    check_verification(app)?;
    let email = email_of(&input.email)?;
    let postcode = budgeting::normalise_postcode(&input.postcode)
        .ok_or_else(|| bad("postcode: vul een postcode in als 1234 AB / enter a postcode like 1234 AB"))?;
    if !house_number_ok(&input.house_number) {
        return Err(bad("house_number: vul uw huisnummer in, bijvoorbeeld 12 of 12-A / enter your house number"));
    }
    let (tenant, area) = scope_area(app, scope).await?;
    let found = app.store.buurten_for_postcodes(std::slice::from_ref(&postcode)).await?;
    let Some((_, buurt)) = found.into_iter().next() else {
        return Err(bad(
            "postcode: deze postcode kennen we niet in dit gebied. Alleen bewoners van het gebied doen mee. / We do not know this postcode in this area.",
        ));
    };
    if !area_within(&buurt, &area) {
        return Err(AppError::Forbidden(format!(
            "Uw postcode ligt niet in het gebied van deze ronde ({area}); alleen bewoners van het gebied doen mee. / Your postcode is not in this area ({area}); only its residents take part."
        )));
    }
    let voter = voter_of(app, &tenant, &email)?;
    let cfg = &app.residents.participation;
    let t = now();
    if app.store.codes_sent_since(&scope.key(), &voter, t - 3_600_000).await? >= i64::from(cfg.codes_per_hour) {
        return Err(AppError::Conflict(format!(
            "U heeft het afgelopen uur al {} codes aangevraagd; wacht even en gebruik de laatste code. / Too many codes requested this hour.",
            cfg.codes_per_hour
        )));
    }
    let code = six_digits()?;
    app.store
        .insert_code(&CodeRecord {
            id: new_id(),
            scope: scope.key(),
            code_hash: code_hash(app, &tenant, &scope.key(), &voter, &code)?,
            voter,
            expires_at: t + i64::from(cfg.code_minutes) * 60_000,
            tries: 0,
            used_at: None,
            created_at: t,
        })
        .await?;
    let (what, subject) = match scope {
        Scope::Round(_) => ("stemmen in de bewonersbegroting", "Uw code om te stemmen"),
        Scope::Initiative(_) => ("een initiatief steunen", "Uw code om een initiatief te steunen"),
    };
    let body = format!(
        "Uw code om te {what}: {code}\n\nDe code is {} minuten geldig. Heeft u deze code niet aangevraagd? Dan kunt u dit bericht negeren.\n\nYour code: {code} (valid for {} minutes).",
        cfg.code_minutes, cfg.code_minutes
    );
    app.mail.send_to_address(&email, &format!("Leefwijk: {subject}"), &body)
}

fn six_digits() -> Result<String, AppError> {
    let mut bytes = [0u8; 4];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    Ok(format!("{:06}", u32::from_le_bytes(bytes) % 1_000_000))
}

/// Checks a code; returns the voter pseudonym and the code's id.
async fn verify(app: &App, scope: &Scope, tenant: &str, email: &str, code: &str) -> Result<(String, String), AppError> {
    check_verification(app)?;
    let email = email_of(email)?;
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("code: de code bestaat uit 6 cijfers / the code has 6 digits"));
    }
    let voter = voter_of(app, tenant, &email)?;
    let Some(stored) = app.store.latest_code(&scope.key(), &voter).await? else {
        return Err(bad("code: vraag eerst een code aan met dit e-mailadres / request a code for this address first"));
    };
    if stored.expires_at < now() {
        return Err(bad(
            "code: deze code is verlopen; vraag een nieuwe aan / this code has expired; request a new one",
        ));
    }
    let max = i64::from(app.residents.participation.code_tries);
    if !app.store.count_code_try(&stored.id, max).await? {
        return Err(bad(
            "code: te vaak een verkeerde code; vraag een nieuwe aan / too many wrong tries; request a new code",
        ));
    }
    let expected = code_hash(app, tenant, &scope.key(), &voter, code)?;
    if expected.len() != stored.code_hash.len()
        || expected.bytes().zip(stored.code_hash.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0
    {
        let left = (max - stored.tries - 1).max(0);
        return Err(bad(format!("code: de code klopt niet; nog {left} poging(en) / wrong code; {left} tries left")));
    }
    Ok((voter, stored.id))
}

// ---------------------------------------------------------------------------------------
// Support and voting (public, verified)
// ---------------------------------------------------------------------------------------

pub async fn support(app: &App, initiative_id: &str, email: &str, code: &str) -> Result<InitiativeView, AppError> {
    let scope = Scope::Initiative(initiative_id.to_string());
    let (tenant, _) = scope_area(app, &scope).await?;
    let (voter, code_id) = verify(app, &scope, &tenant, email, code).await?;
    if !app.store.add_support(initiative_id, &voter, &code_id, now()).await? {
        return Err(AppError::Conflict(
            "U steunt dit initiatief al; iedere bewoner telt één keer. / You already support this initiative.".into(),
        ));
    }
    let i = app.store.initiative(initiative_id).await?.ok_or_else(|| AppError::NotFound(initiative_id.into()))?;
    let status = InitiativeStatus::parse(&i.status).unwrap_or(InitiativeStatus::Proposed);
    let next = status.after_support(
        u64::try_from(i.supporters).unwrap_or(0),
        u64::from(app.residents.participation.support_threshold),
    );
    if next != status {
        // Another support may have moved it first; either way it is past the threshold.
        app.store.move_initiative(&i.id, status.code(), next.code(), None, None, now()).await?;
    }
    initiative(app, initiative_id).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BallotIn {
    pub email: String,
    pub code: String,
    /// The chosen project ids.
    pub projects: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BallotReceipt {
    pub round_id: String,
    /// The chosen projects' titles, as confirmation.
    pub chosen: Vec<String>,
}

pub const ALREADY_VOTED: &str =
    "U heeft al gestemd in deze ronde; iedere bewoner stemt één keer. / You have already voted in this round; every resident votes once.";

pub async fn vote(app: &App, round_id: &str, ballot: &BallotIn) -> Result<BallotReceipt, AppError> {
    let scope = Scope::Round(round_id.to_string());
    let r =
        app.store.round(round_id).await?.ok_or_else(|| AppError::NotFound(format!("begrotingsronde {round_id}")))?;
    scope_area(app, &scope).await?;
    let projects = app.store.round_projects(round_id).await?;
    let chosen = validate_ballot(rule_of(&r)?, r.budget_cents, &domain_projects(&projects), &ballot.projects)
        .map_err(|e| bad(format!("projects: {e}")))?;
    let (voter, code_id) = verify(app, &scope, &r.tenant_id, &ballot.email, &ballot.code).await?;
    if !app.store.cast_ballot(round_id, &voter, &new_id(), &chosen, &code_id, now()).await? {
        return Err(AppError::Conflict(ALREADY_VOTED.into()));
    }
    Ok(BallotReceipt {
        round_id: round_id.into(),
        chosen: chosen.iter().filter_map(|id| projects.iter().find(|p| &p.id == id).map(|p| p.title.clone())).collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Staff: assessing initiatives, running rounds, handing results to the programme
// ---------------------------------------------------------------------------------------

/// An initiative of the user's own collaboration (others' are "not found").
pub async fn owned_initiative(app: &App, user: &User, id: &str) -> Result<InitiativeRecord, AppError> {
    match app.store.initiative(id).await? {
        Some(i) if i.tenant_id == user.tenant_id => Ok(i),
        _ => Err(AppError::NotFound(format!("initiatief {id}"))),
    }
}

fn owned_initiative_record(i: &InitiativeRecord, user: &User) -> Result<(), AppError> {
    if i.tenant_id == user.tenant_id {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("initiatief {}", i.id)))
    }
}

/// A round of the user's own collaboration (others' are "not found").
pub async fn owned_round(app: &App, user: &User, id: &str) -> Result<RoundRecord, AppError> {
    match app.store.round(id).await? {
        Some(r) if r.tenant_id == user.tenant_id => Ok(r),
        _ => Err(AppError::NotFound(format!("begrotingsronde {id}"))),
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = InitiativeAssessment)]
pub struct Assessment {
    /// in_assessment, accepted or rejected.
    pub status: InitiativeStatus,
    #[serde(default)]
    pub note: String,
}

/// Moves an initiative on (supported → in assessment → accepted or rejected); a
/// rejection needs a reason, which residents see.
pub async fn assess(app: &App, user: &User, id: &str, a: &Assessment) -> Result<InitiativeView, AppError> {
    let i = app.store.initiative(id).await?.ok_or_else(|| AppError::NotFound(format!("initiatief {id}")))?;
    owned_initiative_record(&i, user)?;
    let from = InitiativeStatus::parse(&i.status).unwrap_or(InitiativeStatus::Proposed);
    if a.status == InitiativeStatus::InRound || !from.can_move_to(a.status) {
        return Err(bad(format!(
            "status: van '{}' kan een initiatief niet naar '{}' / not allowed from '{}'",
            from.label_nl(),
            a.status.label_nl(),
            from.code()
        )));
    }
    let note = text("note", &a.note, 2000, a.status == InitiativeStatus::Rejected)?;
    let note = (!note.is_empty()).then_some(note);
    if !app.store.move_initiative(id, from.code(), a.status.code(), note.as_deref(), None, now()).await? {
        return Err(AppError::Conflict(
            "Het initiatief is intussen gewijzigd; laad opnieuw. / Changed meanwhile.".into(),
        ));
    }
    initiative(app, id).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewProject {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub cost_euros: i64,
    /// An initiative (in assessment or accepted) this project carries out.
    #[serde(default)]
    pub initiative_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewRound {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The wijk or buurt whose residents vote.
    pub area_code: String,
    pub budget_euros: i64,
    pub vote_rule: VoteRule,
    /// The area programme that receives the winning projects as interventions.
    #[serde(default)]
    pub programme_id: Option<String>,
    pub projects: Vec<NewProject>,
}

pub async fn create_round(app: &App, user: &User, input: &NewRound) -> Result<RoundView, AppError> {
    let name = text("name", &input.name, 200, true)?;
    let description = text("description", &input.description, 4000, false)?;
    let area = known_area(app, &input.area_code).await?;
    if !(1..=100_000_000).contains(&input.budget_euros) {
        return Err(bad("budget_euros: 1 tot 100.000.000 euro / 1 to 100,000,000 euros"));
    }
    let budget = input.budget_euros * 100;
    let rule = input.vote_rule.validate().map_err(|e| bad(format!("vote_rule: {e}")))?;
    if let Some(pid) = &input.programme_id {
        let p = crate::programme::owned_programme(app, user, pid).await?;
        if !p.area_codes.iter().any(|a| related(a, &area)) {
            return Err(bad(
                "programme_id: het programma werkt niet in dit gebied / the programme does not cover this area",
            ));
        }
    }
    if input.projects.len() > 50 {
        return Err(bad("projects: hoogstens 50 / at most 50"));
    }
    let id = new_id();
    let mut projects = Vec::new();
    let mut initiatives = Vec::new();
    for (n, p) in input.projects.iter().enumerate() {
        let title = text("projects.title", &p.title, 120, true)?;
        if projects.iter().any(|x: &ProjectRecord| x.title == title) {
            return Err(bad(format!("projects: '{title}' staat er twee keer in / appears twice")));
        }
        if !(1..=budget / 100).contains(&p.cost_euros) {
            return Err(bad(format!("projects: '{title}' kost 1 euro tot het budget / costs 1 euro up to the budget")));
        }
        if let Some(iid) = &p.initiative_id {
            let i = app
                .store
                .initiative(iid)
                .await?
                .ok_or_else(|| bad(format!("projects: initiatief {iid} bestaat niet")))?;
            owned_initiative_record(&i, user).map_err(|_| bad(format!("projects: initiatief {iid} bestaat niet")))?;
            let s = InitiativeStatus::parse(&i.status).unwrap_or(InitiativeStatus::Proposed);
            if !s.can_move_to(InitiativeStatus::InRound) {
                return Err(bad(format!(
                    "projects: initiatief '{}' is niet beoordeeld of aangenomen / is not assessed or accepted",
                    i.title
                )));
            }
            initiatives.push((iid.clone(), s));
        }
        projects.push(ProjectRecord {
            id: new_id(),
            round_id: id.clone(),
            position: n as i64,
            title,
            description: text("projects.description", &p.description, 2000, false)?,
            cost_cents: p.cost_euros * 100,
            initiative_id: p.initiative_id.clone(),
            intervention_id: None,
        });
    }
    let t = now();
    let record = RoundRecord {
        id: id.clone(),
        tenant_id: user.tenant_id.clone(),
        area_code: area,
        name,
        description,
        budget_cents: budget,
        vote_rule: serde_json::to_string(&rule).map_err(|e| AppError::Internal(e.to_string()))?,
        phase: Phase::Ideas.code().into(),
        programme_id: input.programme_id.clone(),
        outcome: None,
        published_at: None,
        handed_over_at: None,
        created_by: user.id.clone(),
        created_at: t,
        updated_at: t,
    };
    app.store.insert_round(&record, &projects).await?;
    for (iid, from) in initiatives {
        app.store.move_initiative(&iid, from.code(), InitiativeStatus::InRound.code(), None, Some(&id), t).await?;
    }
    round(app, &id).await
}

/// Adds a project to a round in its ideas or assessment phase (an entered plan or an
/// assessed or accepted initiative, which then moves into the round).
pub async fn add_project(app: &App, user: &User, round_id: &str, p: &NewProject) -> Result<RoundView, AppError> {
    let r = owned_round(app, user, round_id).await?;
    let phase = phase_of(&r)?;
    if phase > Phase::Assessment {
        return Err(AppError::Conflict(
            "Projecten kunnen alleen in de fase ideeën of beoordeling worden toegevoegd. / Projects can only be added before voting."
                .into(),
        ));
    }
    let existing = app.store.round_projects(round_id).await?;
    if existing.len() >= 50 {
        return Err(bad("projects: hoogstens 50 / at most 50"));
    }
    let title = text("title", &p.title, 120, true)?;
    if existing.iter().any(|x| x.title == title) {
        return Err(bad(format!("title: '{title}' staat al in deze ronde / is already in this round")));
    }
    if !(1..=r.budget_cents / 100).contains(&p.cost_euros) {
        return Err(bad("cost_euros: 1 euro tot het budget / 1 euro up to the budget"));
    }
    let from = match &p.initiative_id {
        Some(iid) => {
            let i = owned_initiative(app, user, iid)
                .await
                .map_err(|_| bad(format!("initiative_id: {iid} bestaat niet")))?;
            let s = InitiativeStatus::parse(&i.status).unwrap_or(InitiativeStatus::Proposed);
            if !s.can_move_to(InitiativeStatus::InRound) {
                return Err(bad(
                    "initiative_id: het initiatief is niet beoordeeld of aangenomen / is not assessed or accepted",
                ));
            }
            Some((iid.clone(), s))
        }
        None => None,
    };
    let record = ProjectRecord {
        id: new_id(),
        round_id: round_id.into(),
        position: 0,
        title,
        description: text("description", &p.description, 2000, false)?,
        cost_cents: p.cost_euros * 100,
        initiative_id: p.initiative_id.clone(),
        intervention_id: None,
    };
    if !app.store.add_project(&record, phase.code()).await? {
        return Err(AppError::Conflict("De ronde is intussen verder gezet; laad opnieuw. / Changed meanwhile.".into()));
    }
    if let Some((iid, s)) = from {
        app.store
            .move_initiative(&iid, s.code(), InitiativeStatus::InRound.code(), None, Some(round_id), now())
            .await?;
    }
    round(app, round_id).await
}

/// Moves a round one phase on. Moving into the result counts the ballots and publishes the
/// outcome in the same step.
pub async fn move_phase(app: &App, user: &User, id: &str, to: Phase) -> Result<RoundView, AppError> {
    let r = owned_round(app, user, id).await?;
    let from = phase_of(&r)?;
    let projects = app.store.round_projects(id).await?;
    from.move_to(to, projects.len()).map_err(|e| bad(format!("phase: {e}")))?;
    let outcome = if to == Phase::Result {
        let ballots = app.store.ballots(id).await?;
        let o = count(&domain_projects(&projects), &ballots, r.budget_cents);
        Some(serde_json::to_string(&o).map_err(|e| AppError::Internal(e.to_string()))?)
    } else {
        None
    };
    if !app.store.move_round(id, from.code(), to.code(), outcome.as_deref(), now()).await? {
        return Err(AppError::Conflict("De ronde is intussen verder gezet; laad opnieuw. / Changed meanwhile.".into()));
    }
    round(app, id).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HandOver {
    pub programme_id: String,
    /// The interventions added, one per winning project.
    pub intervention_ids: Vec<String>,
}

/// Hands the winning projects of a published round to its area programme as interventions
/// (owner: the residents of the area; the one-off cost spread over the programme's
/// business-case horizon, paid by the programme's lead). Safe to repeat: projects already
/// handed over are skipped.
pub async fn hand_over(app: &App, user: &User, id: &str) -> Result<HandOver, AppError> {
    let r = owned_round(app, user, id).await?;
    let Some(outcome) = r.outcome.as_deref() else {
        return Err(bad("De uitslag is nog niet gepubliceerd. / The result is not published yet."));
    };
    let outcome: Outcome = serde_json::from_str(outcome).map_err(|e| AppError::Internal(e.to_string()))?;
    let Some(pid) = r.programme_id.clone() else {
        return Err(bad("Deze ronde hoort bij geen wijkprogramma. / This round names no area programme."));
    };
    let p = crate::programme::owned_programme(app, user, &pid).await?;
    let projects = app.store.round_projects(id).await?;
    let mut ids = Vec::new();
    for winner in &outcome.winners {
        let Some(project) = projects.iter().find(|x| &x.id == winner) else { continue };
        if let Some(done) = &project.intervention_id {
            ids.push(done.clone());
            continue;
        }
        let yearly = project.cost_cents / p.horizon_years.max(1);
        let name: String = format!("{} (bewonersbegroting)", project.title).chars().take(200).collect();
        let intervention = crate::programme::add_intervention(
            app,
            user,
            &pid,
            &crate::programme::NewIntervention {
                name,
                kind: "physical".into(),
                owner: format!("Bewoners {} via {}", r.area_code, r.name).chars().take(200).collect(),
                reach_households: 0.0,
                reach_people: 0,
                goal_id: None,
                outcome_measures: format!(
                    "Gekozen in de bewonersbegroting '{}' met {} stemmen; eenmalig {}.",
                    r.name,
                    outcome.tallies.iter().find(|t| &t.project_id == winner).map_or(0, |t| t.votes),
                    euros(project.cost_cents)
                ),
                costs_per_year_cents: BTreeMap::from([(p.lead.clone(), yearly)]),
                effects: Vec::new(),
            },
        )
        .await?;
        app.store.set_project_intervention(&project.id, &intervention.id).await?;
        ids.push(intervention.id);
    }
    app.store.mark_round_handed_over(id, now()).await?;
    Ok(HandOver { programme_id: pid, intervention_ids: ids })
}

/// Initiatives of the user's collaboration, for assessment (newest first).
pub async fn initiatives_to_assess(app: &App, user: &User) -> Result<Vec<InitiativeView>, AppError> {
    let all = app.store.initiatives().await?;
    Ok(all.into_iter().filter(|i| i.tenant_id == user.tenant_id).map(|i| initiative_view(app, i)).collect())
}

/// Casts a ballot for a fictional resident without the e-mail round trip: for the demo
/// only (the demo's residents have no mailbox). Goes through the same ballot rules.
pub(crate) async fn cast_demo_ballot(
    app: &App,
    round_id: &str,
    email: &str,
    projects: &[String],
) -> Result<bool, AppError> {
    let r = app.store.round(round_id).await?.ok_or_else(|| AppError::NotFound(round_id.into()))?;
    let all = app.store.round_projects(round_id).await?;
    let chosen = validate_ballot(rule_of(&r)?, r.budget_cents, &domain_projects(&all), projects)
        .map_err(|e| bad(format!("projects: {e}")))?;
    let voter = voter_of(app, &r.tenant_id, &email_of(email)?)?;
    Ok(app.store.cast_ballot(round_id, &voter, &new_id(), &chosen, "", now()).await?)
}

/// The contact details the proposer left, for the collaboration's staff who assess the
/// initiative (to ask a question or tell the outcome). Every read is audited; residents'
/// pages never show them.
pub async fn proposer_contact(app: &App, user: &User, initiative_id: &str) -> Result<Option<String>, AppError> {
    let i = owned_initiative(app, user, initiative_id).await?;
    if !matches!(user.role.as_str(), "beleidsmedewerker" | "beheerder") {
        return Err(AppError::Forbidden("only policy staff and administrators contact proposers".into()));
    }
    let rule = format!("contact details of the proposer of initiative {} read to assess it", i.id);
    let subject = format!("initiative:{}", i.id);
    let entry = super::allowed(super::AuditBy::staff(user), "participation", "read", "contact", &subject, rule);
    let mut tx = app.store.begin().await?;
    crate::access::logboek::audit_and_log(
        &mut tx,
        app.keys.audit(),
        entry,
        leefwijk_domain::access::logboek::OperationName::Read,
    )
    .await?;
    tx.commit().await?;
    Ok(i.contact)
}
