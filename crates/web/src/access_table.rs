//! Who may call which route: one table, enforced by the `authorize` middleware on every
//! matched route and shown in docs/security.md. A route that is not in this table is
//! refused (fail closed), and the authorisation-matrix test calls every route in it.

use serde::Serialize;

/// The six roles of a collaboration.
pub const ALL_ROLES: &[&str] =
    &["beheerder", "beleidsmedewerker", "wijkteammedewerker", "regisseur", "professional", "privacy_officer"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Access {
    /// Anyone, no login: public figures and pages.
    Public,
    /// A signed-in user with one of these roles. Personal data behind it is further
    /// checked by the gate against the covenant.
    Roles { roles: &'static [&'static str] },
    /// A partner system's API client holding this scope.
    Client { scope: &'static str },
}

pub const SIGNED: Access = Access::Roles { roles: ALL_ROLES };
pub const ADMIN: Access = Access::Roles { roles: &["beheerder"] };
pub const PRIVACY: Access = Access::Roles { roles: &["privacy_officer"] };
pub const SIGNALS_CLIENT: Access = Access::Client { scope: "signals:write" };
/// Outreach workers; the covenant further limits this to the organisations it names.
pub const OUTREACH: Access = Access::Roles { roles: &["wijkteammedewerker", "regisseur"] };
pub const OUTREACH_AND_POLICY: Access =
    Access::Roles { roles: &["wijkteammedewerker", "regisseur", "beleidsmedewerker"] };
/// Who delivers early-signalling records to CBS (DDAS): the municipality's policy staff,
/// who already see the signals figures of the whole collaboration; the covenant's
/// `statistics` purpose further limits this to the organisations it names.
pub const STATISTICS: Access = Access::Roles { roles: &["beleidsmedewerker"] };
/// Policy staff and administrators: area programmes.
pub const POLICY: Access = Access::Roles { roles: &["beleidsmedewerker", "beheerder"] };
/// Who enters planned construction: policy staff, administrators, corporation staff.
pub const HOUSING_PLANNERS: Access = Access::Roles { roles: &["beleidsmedewerker", "beheerder", "professional"] };
/// Who handles placements, household by household: professionals of corporations and
/// support organisations (the covenant decides per organisation kind). Policy staff see
/// aggregates only (progress per group), as the README promises (issue 16, finding 6).
pub const HOUSING_PARTNERS: Access = Access::Roles { roles: &["professional"] };
/// Professionals who register involvement and work on joint plans; the covenant decides
/// per organisation kind.
pub const INVOLVED: Access = Access::Roles { roles: &["professional", "wijkteammedewerker", "regisseur"] };
/// The involved plus the municipality's coordinator, who receives escalations.
pub const INVOLVED_AND_MUNICIPALITY: Access =
    Access::Roles { roles: &["professional", "wijkteammedewerker", "regisseur", "beleidsmedewerker"] };
/// Staff of a partner (corporation, utility, insurer) uploading a file by hand.
pub const PARTNER_USER: Access = Access::Roles { roles: &["professional"] };

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    /// The route shows or changes data of the actor's own collaboration only.
    pub tenant_scoped: bool,
    /// A public form: each client may post it only so often (`[residents.rate_limit]`).
    pub rate_limited: bool,
}

pub const fn public(method: &'static str, path: &'static str) -> Rule {
    Rule { method, path, access: Access::Public, tenant_scoped: false, rate_limited: false }
}

/// A public form anyone may post, rate limited per client and form.
pub const fn public_form(method: &'static str, path: &'static str) -> Rule {
    Rule { method, path, access: Access::Public, tenant_scoped: false, rate_limited: true }
}

pub const fn scoped(method: &'static str, path: &'static str, access: Access) -> Rule {
    Rule { method, path, access, tenant_scoped: true, rate_limited: false }
}

/// Every rule: the core table below plus one table per residents' part (each kept next to
/// its pages, so the parts can grow independently).
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    use crate::pages::residents as r;
    RULES
        .iter()
        .chain(r::neighbourhood::RULES)
        .chain(r::reports::RULES)
        .chain(r::report_routing::RULES)
        .chain(r::participation::RULES)
        .chain(r::panels::RULES)
        .chain(r::inzage::RULES)
}

static RULES: &[Rule] = &[
    // Neighbourhood monitor: public CBS figures.
    public("GET", "/"),
    public("GET", "/gemeente/{code}"),
    public("GET", "/gebied/{code}"),
    public("GET", "/focusgebieden"),
    public("GET", "/sociale-huur"),
    public("GET", "/indicatoren"),
    public("GET", "/kaart"),
    public("GET", "/assets/app.css"),
    public("GET", "/assets/favicon.svg"),
    public("GET", "/favicon.ico"),
    public("GET", "/assets/vendor/utrecht-html.css"),
    public("GET", "/assets/vendor/voorbeeld-theme.css"),
    public("GET", "/api/v1/openapi.json"),
    public("GET", "/api/v1/health"),
    public("GET", "/api/v1/areas"),
    public("GET", "/api/v1/areas.csv"),
    public("GET", "/api/v1/areas/{code}"),
    public("GET", "/api/v1/areas/{code}/geojson"),
    public("GET", "/api/v1/rankings"),
    public("GET", "/api/v1/rankings.csv"),
    public("GET", "/api/v1/housing/social-share"),
    public("GET", "/api/v1/housing/social-share.csv"),
    public("GET", "/api/v1/focus-areas"),
    public("GET", "/api/v1/focus-areas.csv"),
    public("GET", "/api/v1/indicators"),
    public("GET", "/api/v1/indicators.csv"),
    // Signing in and out.
    public("GET", "/inloggen"),
    public("POST", "/inloggen"),
    public("GET", "/inloggen/oidc/{provider}"),
    public("GET", "/inloggen/oidc/{provider}/callback"),
    scoped("POST", "/uitloggen", SIGNED),
    scoped("GET", "/werk", SIGNED),
    scoped("GET", "/wachtwoord", SIGNED),
    scoped("POST", "/wachtwoord", SIGNED),
    // Administration of the own collaboration.
    scoped("GET", "/beheer", ADMIN),
    scoped("POST", "/beheer/gebruikers", ADMIN),
    scoped("POST", "/beheer/gebruikers/{id}/reset", ADMIN),
    scoped("POST", "/beheer/api-clients", ADMIN),
    scoped("POST", "/beheer/api-clients/{id}/intrekken", ADMIN),
    scoped("GET", "/beheer/routering", ADMIN),
    scoped("POST", "/beheer/routering", ADMIN),
    scoped("POST", "/beheer/routering/{id}/verwijderen", ADMIN),
    // Covenant, processing register and audit.
    scoped("GET", "/convenant", SIGNED),
    scoped("GET", "/verwerkingsregister", SIGNED),
    scoped("GET", "/api/v1/processing-register", SIGNED),
    // Published for anyone: the covenant in force (Woo) and the accessibility statement.
    public("GET", "/openbaar/convenant"),
    public("GET", "/api/v1/convenant"),
    public("GET", "/toegankelijkheid"),
    scoped("GET", "/audit", PRIVACY),
    scoped("GET", "/api/v1/audit", PRIVACY),
    scoped("POST", "/api/v1/processing-log/subject", PRIVACY),
    scoped("GET", "/logboek", PRIVACY),
    scoped("POST", "/logboek", PRIVACY),
    // Personal data: the gate decides per request against the covenant.
    scoped("GET", "/herleiden", SIGNED),
    scoped("POST", "/herleiden", SIGNED),
    scoped("POST", "/api/v1/persons", Access::Client { scope: "persons:write" }),
    // Early signalling: partners deliver and read feedback; outreach workers handle cases.
    scoped("POST", "/api/v1/signals", SIGNALS_CLIENT),
    scoped("POST", "/api/v1/signal-batches", SIGNALS_CLIENT),
    scoped("GET", "/api/v1/signal-batches/{id}/feedback", SIGNALS_CLIENT),
    scoped("GET", "/api/v1/signal-feedback", SIGNALS_CLIENT),
    scoped("GET", "/api/v1/signal-cases", OUTREACH),
    scoped("GET", "/api/v1/signal-cases/{id}", OUTREACH),
    scoped("POST", "/api/v1/signal-cases/{id}/attempts", OUTREACH),
    scoped("POST", "/api/v1/signal-cases/{id}/outcome", OUTREACH),
    scoped("POST", "/api/v1/signal-cases/{id}/assignment", OUTREACH),
    public("GET", "/api/v1/signal-figures/{code}"),
    scoped("GET", "/api/v1/signal-kpis", OUTREACH_AND_POLICY),
    scoped("GET", "/api/v1/ddas/vroegsignalering", STATISTICS),
    scoped("GET", "/signalen", OUTREACH),
    scoped("GET", "/signalen/huishouden/{id}", OUTREACH),
    scoped("POST", "/signalen/huishouden/{id}/poging", OUTREACH),
    scoped("POST", "/signalen/huishouden/{id}/uitkomst", OUTREACH),
    scoped("POST", "/signalen/huishouden/{id}/toewijzing", OUTREACH),
    scoped("GET", "/signalen/kpi", OUTREACH_AND_POLICY),
    scoped("GET", "/signalen/aanleveren", PARTNER_USER),
    scoped("POST", "/signalen/aanleveren", PARTNER_USER),
    // Area programmes: accounted for in public; changed by policy staff of the owner.
    public("GET", "/api/v1/programmes"),
    public("GET", "/api/v1/programmes/{id}"),
    public("GET", "/api/v1/programmes/{id}/report.csv"),
    scoped("POST", "/api/v1/programmes", POLICY),
    scoped("POST", "/api/v1/programmes/{id}/goals", POLICY),
    scoped("POST", "/api/v1/programmes/{id}/commitments", POLICY),
    scoped("POST", "/api/v1/programmes/{id}/commitments/{cid}/status", POLICY),
    scoped("POST", "/api/v1/programmes/{id}/interventions", POLICY),
    scoped("POST", "/api/v1/programmes/{id}/transactions", POLICY),
    public("GET", "/programmas"),
    public("GET", "/programma/{id}"),
    scoped("POST", "/programma/{id}/afspraak/{cid}/status", POLICY),
    // Housing: public figures and progress; plans and agreements by policy staff (and
    // corporations for plans); placements by partners as the covenant allows.
    public("GET", "/api/v1/housing/municipalities/{code}"),
    public("GET", "/api/v1/housing/municipalities/{code}/projection.csv"),
    scoped("POST", "/api/v1/housing/municipalities/{code}/plans", HOUSING_PLANNERS),
    scoped("POST", "/api/v1/housing/regions", POLICY),
    public("GET", "/api/v1/housing/regions/{id}"),
    public("GET", "/api/v1/housing/agreements"),
    scoped("POST", "/api/v1/housing/agreements", POLICY),
    public("GET", "/api/v1/housing/agreements/{id}"),
    public("GET", "/api/v1/housing/agreements/{id}/progress.csv"),
    scoped("GET", "/api/v1/housing/agreements/{id}/placements", HOUSING_PARTNERS),
    scoped("POST", "/api/v1/housing/placements", HOUSING_PARTNERS),
    scoped("POST", "/api/v1/housing/placements/{id}/support-confirmation", HOUSING_PARTNERS),
    // Households: the involvement index and the joint plan; the gate checks involvement
    // and consent per household.
    scoped("POST", "/api/v1/involvements", INVOLVED),
    scoped("POST", "/api/v1/involvements/history", INVOLVED),
    scoped("POST", "/api/v1/involvement-endings", INVOLVED),
    // The path of version 1.0, kept until version 2.
    scoped("POST", "/api/v1/involvements/end", INVOLVED),
    scoped("GET", "/api/v1/match-notices", INVOLVED_AND_MUNICIPALITY),
    scoped("POST", "/api/v1/matches/{id}/coordinator", INVOLVED),
    scoped("POST", "/api/v1/consents", INVOLVED),
    scoped("POST", "/api/v1/consents/{id}/withdrawal", INVOLVED),
    scoped("POST", "/api/v1/zrm-criteria", INVOLVED),
    scoped("POST", "/plan/{id}/toestemming/{cid}/intrekken", INVOLVED),
    scoped("POST", "/api/v1/plans", INVOLVED),
    scoped("GET", "/api/v1/plans/{id}", INVOLVED),
    scoped("POST", "/api/v1/plans/{id}/items", INVOLVED),
    scoped("POST", "/api/v1/plans/{id}/assessments", INVOLVED),
    scoped("POST", "/api/v1/plans/{id}/close", INVOLVED),
    public("GET", "/api/v1/zrm-figures/{code}"),
    scoped("GET", "/huishoudens", INVOLVED_AND_MUNICIPALITY),
    scoped("POST", "/huishoudens/betrokkenheid", INVOLVED),
    scoped("POST", "/huishoudens/betrokkenheid/beeindigen", INVOLVED),
    scoped("POST", "/huishoudens/match/{id}/regisseur", INVOLVED),
    scoped("POST", "/huishoudens/toestemming", INVOLVED),
    scoped("POST", "/huishoudens/plan", INVOLVED),
    scoped("GET", "/plan/{id}", INVOLVED),
    scoped("POST", "/plan/{id}/onderdeel", INVOLVED),
    scoped("POST", "/plan/{id}/zrm", INVOLVED),
    scoped("POST", "/plan/{id}/afsluiten", INVOLVED),
    public("GET", "/wonen/{code}"),
    scoped("POST", "/wonen/{code}/plannen", HOUSING_PLANNERS),
    public("GET", "/wonen/regio/{id}"),
    public("GET", "/afspraken"),
    public("GET", "/afspraken/{id}"),
    scoped("POST", "/afspraken/{id}/plaatsingen", HOUSING_PARTNERS),
    scoped("POST", "/plaatsingen/{id}/bevestigen", HOUSING_PARTNERS),
];

/// The rule of a matched route.
pub fn rule(method: &str, path: &str) -> Option<&'static Rule> {
    rules().find(|r| r.method == method && r.path == path)
}

/// The table as Markdown, for docs/security.md.
pub fn markdown() -> String {
    let mut s = String::from("| method | route | who | own collaboration only |\n| --- | --- | --- | --- |\n");
    for r in rules() {
        let who = match r.access {
            Access::Public if r.rate_limited => "anyone (rate limited)".to_string(),
            Access::Public => "anyone".to_string(),
            Access::Roles { roles } if roles == ALL_ROLES => "any signed-in role".to_string(),
            Access::Roles { roles } => roles.join(", "),
            Access::Client { scope } => format!("API client with scope `{scope}`"),
        };
        s.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.method,
            r.path,
            who,
            if r.tenant_scoped { "yes" } else { "" }
        ));
    }
    s
}
