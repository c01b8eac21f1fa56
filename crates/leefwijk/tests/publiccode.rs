//! Validates the repository's `publiccode.yml` against the publiccode.yml standard,
//! version 0.4 (<https://github.com/publiccodeyml/publiccode.yml/blob/v0.4.0/docs/standard/schema.core.rst>,
//! also at <https://yml.publiccode.tools/>). The standard's own validator
//! (`publiccode-parser-go`) cannot be installed here, so this test checks the rules of
//! the standard itself and runs in `cargo test` (and so in CI) on every change.
//!
//! The rules checked, each failing with an error that names the key:
//!
//! - The file is UTF-8 YAML with one document whose top level is a mapping; keys the
//!   standard does not define are errors (the country section `it`, the only one 0.4
//!   defines, is allowed; the standard has no Dutch section, so Leefwijk has none).
//! - `publiccodeYmlVersion`: mandatory string, `0.4` or `0.4.x`.
//! - `name`: mandatory, non-empty string. `url`: mandatory `http(s)://` or `git://` URL
//!   with a host. `landingURL`, `roadmap`: optional URLs. `isBasedOn`: optional URL or
//!   list of URLs. `softwareVersion`, `applicationSuite`, `logo`: optional strings.
//!   `releaseDate`: optional date.
//! - `platforms`: mandatory string or non-empty list of strings (`web`, `windows`, `mac`,
//!   `linux`, `ios`, `android`, or another human-readable value).
//! - `categories`: mandatory non-empty list, every value from the standard's list
//!   ([`CATEGORIES`], `categories-list.rst`).
//! - `usedBy`: optional list of strings.
//! - `developmentStatus`: one of `concept`, `development`, `beta`, `stable`, `obsolete`.
//! - `softwareType`: one of `standalone/mobile`, `standalone/iot`, `standalone/desktop`,
//!   `standalone/web`, `standalone/backend`, `standalone/other`, `addon`, `library`,
//!   `configurationFiles`.
//! - `intendedAudience` (optional): `countries` and `unsupportedCountries` lists of
//!   lowercase ISO 3166-1 alpha-2 codes; `scope` values from the scope list ([`SCOPES`]).
//! - `description`: at least one language, each keyed by a well-formed BCP 47 tag
//!   (RFC 5646 syntax; the IANA registry itself is not consulted), each with
//!   `shortDescription` (string, at most 150 characters), `longDescription` (string,
//!   150 to 10,000 characters) and `features` (non-empty list of strings); the standard
//!   makes the last two mandatory "for at least one language", Leefwijk asks them of every
//!   language it describes. Optional: `localisedName`, `genericName` (at most 35
//!   characters), `documentation` and `apiDocumentation` (URLs), `screenshots`, `videos`,
//!   `awards` (lists of strings). Characters are Unicode scalar values.
//! - `legal.license`: mandatory, a valid SPDX licence expression (strict: identifiers of
//!   the SPDX licence list, no deprecated ones) of open-source (OSI-approved) licences.
//!   `mainCopyrightOwner`, `repoOwner`, `authorsFile`: optional strings.
//! - `maintenance.type`: one of `internal`, `contract`, `community`, `none`;
//!   `contractors` (each with `name` and an `until` date) mandatory for `contract`;
//!   `contacts` (each with `name`; `email`, `phone`, `affiliation` strings) mandatory for
//!   `internal` and `community`.
//! - `localisation.localisationReady`: mandatory boolean; `availableLanguages`: mandatory
//!   non-empty list of BCP 47 tags.
//! - `dependsOn` (optional): `open`, `proprietary`, `hardware` lists of dependencies, each
//!   with a `name` (`version`, `versionMin`, `versionMax` strings, `optional` boolean).
//! - Dates: `YYYY-MM-DD`, a real calendar date (the only form the standard allows).
//!
//! Beyond the standard, Leefwijk's file must agree with the repository: `legal.license`
//! names the licence in LICENSE, `url` is the workspace's `repository` in Cargo.toml, the
//! available languages are the interface's (nl, en), and every screenshot exists.

use yaml_rust2::{Yaml, YamlLoader};

/// The categories of the standard (v0.4.0, docs/standard/categories-list.rst).
#[rustfmt::skip]
const CATEGORIES: &[&str] = &[
    "accounting", "agile-project-management", "applicant-tracking", "application-development",
    "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting", "business-intelligence",
    "business-process-management", "cad", "call-center-management", "cloud-management", "collaboration",
    "communications", "compliance-management", "contact-management", "content-management", "crm",
    "customer-service-and-support", "data-analytics", "data-collection", "data-visualization", "design",
    "design-system", "digital-asset-management", "digital-citizenship", "document-management",
    "donor-management", "e-commerce", "e-signature", "educational-content", "email-management",
    "email-marketing", "employee-management", "enterprise-project-management", "enterprise-social-networking",
    "erp", "event-management", "facility-management", "feedback-and-reviews-management",
    "financial-reporting", "fleet-management", "fundraising", "gamification",
    "geographic-information-systems", "grant-management", "graphic-design", "help-desk", "hr", "ide",
    "identity-management", "instant-messaging", "integrated-library-system", "inventory-management",
    "it-asset-management", "it-development", "it-management", "it-security", "it-service-management",
    "knowledge-management", "learning-management-system", "marketing", "mind-mapping", "mobile-marketing",
    "mobile-payment", "network-management", "office", "online-booking", "online-community", "payment-gateway",
    "payroll", "predictive-analysis", "procurement", "productivity-suite", "project-collaboration",
    "project-management", "property-management", "real-estate-management", "regulations-and-directives",
    "remote-support", "resource-management", "sales-management", "seo", "service-desk",
    "social-media-management", "survey", "talent-management", "task-management", "taxes-management",
    "test-management", "time-management", "time-tracking", "translation", "video-conferencing",
    "video-editing", "visitor-management", "voip", "warehouse-management", "web-collaboration",
    "web-conferencing", "website-builder", "whistleblowing", "workflow-management",
];

/// The scopes of the standard (v0.4.0, docs/standard/scope-list.rst).
#[rustfmt::skip]
const SCOPES: &[&str] = &[
    "agriculture", "culture", "defence", "education", "emergency-services", "employment", "energy",
    "environment", "finance-and-economic-development", "foreign-affairs", "government", "healthcare",
    "infrastructures", "justice", "local-authorities", "manufacturing", "research", "science-and-technology",
    "security", "society", "sport", "tourism", "transportation", "welfare",
];

const DEVELOPMENT_STATUSES: &[&str] = &["concept", "development", "beta", "stable", "obsolete"];

const SOFTWARE_TYPES: &[&str] = &[
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
];

const MAINTENANCE_TYPES: &[&str] = &["internal", "contract", "community", "none"];

const TOP_LEVEL_KEYS: &[&str] = &[
    "publiccodeYmlVersion",
    "name",
    "applicationSuite",
    "url",
    "landingURL",
    "isBasedOn",
    "softwareVersion",
    "releaseDate",
    "logo",
    "monochromeLogo",
    "inputTypes",
    "outputTypes",
    "platforms",
    "categories",
    "usedBy",
    "roadmap",
    "developmentStatus",
    "softwareType",
    "intendedAudience",
    "description",
    "legal",
    "maintenance",
    "localisation",
    "dependsOn",
    // The one country-specific section version 0.4 defines (Italy).
    "it",
];

/// Collects the errors of one file; each names the key's path.
struct Check {
    errors: Vec<String>,
}

impl Check {
    fn error(&mut self, path: &str, problem: impl std::fmt::Display) {
        self.errors.push(format!("{path}: {problem}"));
    }

    fn unknown_keys(&mut self, path: &str, node: &Yaml, known: &[&str]) {
        if let Yaml::Hash(map) = node {
            for key in map.keys() {
                match key.as_str() {
                    Some(k) if known.contains(&k) => {}
                    Some(k) => self.error(&join(path, k), "not a key of the standard"),
                    None => self.error(path, format!("a key that is not a string: {key:?}")),
                }
            }
        }
    }

    /// A mandatory (or, when `optional`, possibly missing) string; None when absent or wrong.
    fn string<'a>(&mut self, node: &'a Yaml, path: &str, optional: bool) -> Option<&'a str> {
        match node {
            Yaml::String(s) => Some(s.as_str()),
            Yaml::BadValue if optional => None,
            Yaml::BadValue => {
                self.error(path, "missing (mandatory)");
                None
            }
            other => {
                self.error(path, format!("must be a string, not {}", kind(other)));
                None
            }
        }
    }

    fn url(&mut self, node: &Yaml, path: &str, optional: bool) {
        if let Some(u) = self.string(node, path, optional) {
            if !is_url(u) {
                self.error(path, format!("{u:?} is not an http(s) or git URL with a host"));
            }
        }
    }

    fn date(&mut self, node: &Yaml, path: &str, optional: bool) {
        if let Some(d) = self.string(node, path, optional) {
            if !is_date(d) {
                self.error(path, format!("{d:?} is not a date in the form YYYY-MM-DD"));
            }
        }
    }

    fn enumerated(&mut self, node: &Yaml, path: &str, allowed: &[&str]) {
        if let Some(v) = self.string(node, path, false) {
            if !allowed.contains(&v) {
                self.error(path, format!("{v:?} is not one of {}", allowed.join(", ")));
            }
        }
    }

    /// A list of strings; `min` items at least when present. None when absent or wrong.
    fn strings<'a>(&mut self, node: &'a Yaml, path: &str, optional: bool, min: usize) -> Option<Vec<&'a str>> {
        match node {
            Yaml::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) => out.push(s),
                        None => self.error(&format!("{path}[{i}]"), format!("must be a string, not {}", kind(item))),
                    }
                }
                if items.len() < min {
                    self.error(path, format!("needs at least {min} item(s)"));
                }
                Some(out)
            }
            Yaml::BadValue if optional => None,
            Yaml::BadValue => {
                self.error(path, "missing (mandatory)");
                None
            }
            other => {
                self.error(path, format!("must be a list, not {}", kind(other)));
                None
            }
        }
    }

    fn boolean(&mut self, node: &Yaml, path: &str, optional: bool) {
        match node {
            Yaml::Boolean(_) => {}
            Yaml::BadValue if optional => {}
            Yaml::BadValue => self.error(path, "missing (mandatory)"),
            other => self.error(path, format!("must be true or false, not {}", kind(other))),
        }
    }

    /// A mapping section; false when absent or not a mapping.
    fn section(&mut self, node: &Yaml, path: &str, optional: bool) -> bool {
        match node {
            Yaml::Hash(_) => true,
            Yaml::BadValue if optional => false,
            Yaml::BadValue => {
                self.error(path, "missing (mandatory)");
                false
            }
            other => {
                self.error(path, format!("must be a mapping, not {}", kind(other)));
                false
            }
        }
    }

    fn length(&mut self, text: &str, path: &str, min: usize, max: usize) {
        let n = text.chars().count();
        if n < min {
            self.error(path, format!("{n} characters, at least {min}"));
        } else if n > max {
            self.error(path, format!("{n} characters, at most {max}"));
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(node: &Yaml) -> &'static str {
    match node {
        Yaml::Real(_) => "a number",
        Yaml::Integer(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Boolean(_) => "a boolean",
        Yaml::Array(_) => "a list",
        Yaml::Hash(_) => "a mapping",
        Yaml::Alias(_) => "an alias",
        Yaml::Null => "empty",
        Yaml::BadValue => "missing",
    }
}

fn is_url(u: &str) -> bool {
    let rest = ["https://", "http://", "git://"].iter().find_map(|s| u.strip_prefix(s));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = host.rsplit('@').next().unwrap_or_default();
            let host = host.split(':').next().unwrap_or_default();
            !host.is_empty()
                && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && !u.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// `YYYY-MM-DD`, and a day that exists.
fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num =
        |r: std::ops::Range<usize>| d.get(r).filter(|s| s.bytes().all(|c| c.is_ascii_digit()))?.parse::<u32>().ok();
    let (Some(y), Some(m), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// A well-formed BCP 47 language tag (RFC 5646 section 2.1 syntax, without the
/// grandfathered tags): language (2–3 letters with up to three extlangs, or 4, or 5–8
/// letters), then optional script (4 letters), region (2 letters or 3 digits), variants
/// (5–8 alphanumerics, or a digit and 3 alphanumerics), extensions (a singleton and
/// 2–8 alphanumerics each) and a private use part (`x` and 1–8 alphanumerics each).
fn is_bcp47(tag: &str) -> bool {
    let parts: Vec<&str> = tag.split('-').collect();
    let alpha = |s: &str| s.bytes().all(|c| c.is_ascii_alphabetic());
    let digit = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    let alnum = |s: &str| s.bytes().all(|c| c.is_ascii_alphanumeric());
    let mut i = 0;
    let Some(language) = parts.first() else { return false };
    if !(alpha(language) && (2..=8).contains(&language.len())) {
        return false;
    }
    i += 1;
    if language.len() <= 3 {
        let mut extlangs = 0;
        while extlangs < 3 && parts.get(i).is_some_and(|p| p.len() == 3 && alpha(p)) {
            extlangs += 1;
            i += 1;
        }
    }
    if parts.get(i).is_some_and(|p| p.len() == 4 && alpha(p)) {
        i += 1;
    }
    if parts.get(i).is_some_and(|p| (p.len() == 2 && alpha(p)) || (p.len() == 3 && digit(p))) {
        i += 1;
    }
    while parts
        .get(i)
        .is_some_and(|p| alnum(p) && ((5..=8).contains(&p.len()) || (p.len() == 4 && p.as_bytes()[0].is_ascii_digit())))
    {
        i += 1;
    }
    while let Some(singleton) = parts.get(i).filter(|p| p.len() == 1 && alnum(p) && !p.eq_ignore_ascii_case("x")) {
        let _ = singleton;
        i += 1;
        let start = i;
        while parts.get(i).is_some_and(|p| (2..=8).contains(&p.len()) && alnum(p)) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if parts.get(i).is_some_and(|p| p.eq_ignore_ascii_case("x")) {
        i += 1;
        let start = i;
        while parts.get(i).is_some_and(|p| (1..=8).contains(&p.len()) && alnum(p)) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == parts.len()
}

/// The SPDX licence identifiers of a valid expression of open-source licences, or why not.
fn spdx_licences(expression: &str) -> Result<Vec<String>, String> {
    let parsed = spdx::Expression::parse_mode(expression, spdx::ParseMode::STRICT)
        .map_err(|e| format!("{expression:?} is not a valid SPDX expression ({})", e.reason))?;
    let mut ids = Vec::new();
    for req in parsed.requirements() {
        match &req.req.license {
            spdx::LicenseItem::Spdx { id, .. } if !id.is_osi_approved() => {
                return Err(format!("{} is not an open-source (OSI-approved) licence", id.name));
            }
            spdx::LicenseItem::Spdx { id, .. } => ids.push(id.name.to_string()),
            other => return Err(format!("{other} is not a licence of the SPDX list")),
        }
    }
    Ok(ids)
}

/// Every error of a publiccode.yml text against the standard; empty when it conforms.
fn validate(text: &str) -> Vec<String> {
    let mut c = Check { errors: Vec::new() };
    let docs = match YamlLoader::load_from_str(text) {
        Ok(d) => d,
        Err(e) => return vec![format!("not valid YAML: {e}")],
    };
    let doc = match docs.as_slice() {
        [one] => one,
        other => return vec![format!("must hold exactly one YAML document, not {}", other.len())],
    };
    if !matches!(doc, Yaml::Hash(_)) {
        return vec![format!("the top level must be a mapping, not {}", kind(doc))];
    }
    c.unknown_keys("", doc, TOP_LEVEL_KEYS);

    if let Some(v) = c.string(&doc["publiccodeYmlVersion"], "publiccodeYmlVersion", false) {
        let ok = v == "0.4"
            || v.strip_prefix("0.4.").is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            c.error("publiccodeYmlVersion", format!("{v:?} is not a version this check knows (0.4)"));
        }
    }
    if let Some(name) = c.string(&doc["name"], "name", false) {
        if name.trim().is_empty() {
            c.error("name", "must not be empty");
        }
    }
    c.string(&doc["applicationSuite"], "applicationSuite", true);
    c.url(&doc["url"], "url", false);
    c.url(&doc["landingURL"], "landingURL", true);
    match &doc["isBasedOn"] {
        Yaml::Array(_) => {
            for (i, _) in c.strings(&doc["isBasedOn"], "isBasedOn", true, 1).unwrap_or_default().iter().enumerate() {
                c.url(&doc["isBasedOn"][i], &format!("isBasedOn[{i}]"), false);
            }
        }
        other => c.url(other, "isBasedOn", true),
    }
    c.string(&doc["softwareVersion"], "softwareVersion", true);
    c.date(&doc["releaseDate"], "releaseDate", true);
    c.string(&doc["logo"], "logo", true);
    c.string(&doc["monochromeLogo"], "monochromeLogo", true);
    c.strings(&doc["inputTypes"], "inputTypes", true, 0);
    c.strings(&doc["outputTypes"], "outputTypes", true, 0);
    match &doc["platforms"] {
        Yaml::String(p) if p.trim().is_empty() => c.error("platforms", "must not be empty"),
        Yaml::String(_) => {}
        other => {
            c.strings(other, "platforms", false, 1);
        }
    }
    if let Some(categories) = c.strings(&doc["categories"], "categories", false, 1) {
        for cat in categories {
            if !CATEGORIES.contains(&cat) {
                c.error("categories", format!("{cat:?} is not in the standard's list of categories"));
            }
        }
    }
    c.strings(&doc["usedBy"], "usedBy", true, 0);
    c.url(&doc["roadmap"], "roadmap", true);
    c.enumerated(&doc["developmentStatus"], "developmentStatus", DEVELOPMENT_STATUSES);
    c.enumerated(&doc["softwareType"], "softwareType", SOFTWARE_TYPES);

    let audience = &doc["intendedAudience"];
    if c.section(audience, "intendedAudience", true) {
        c.unknown_keys("intendedAudience", audience, &["countries", "unsupportedCountries", "scope"]);
        for key in ["countries", "unsupportedCountries"] {
            let path = format!("intendedAudience.{key}");
            for code in c.strings(&audience[key], &path, true, 0).unwrap_or_default() {
                if !(code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())) {
                    c.error(&path, format!("{code:?} is not a lowercase ISO 3166-1 alpha-2 country code"));
                }
            }
        }
        for scope in c.strings(&audience["scope"], "intendedAudience.scope", true, 0).unwrap_or_default() {
            if !SCOPES.contains(&scope) {
                c.error("intendedAudience.scope", format!("{scope:?} is not in the standard's list of scopes"));
            }
        }
    }

    let description = &doc["description"];
    if c.section(description, "description", false) {
        let Yaml::Hash(languages) = description else { unreachable!("checked a mapping") };
        if languages.is_empty() {
            c.error("description", "needs at least one language");
        }
        for (lang, text) in languages {
            let Some(lang) = lang.as_str() else {
                c.error("description", format!("a language key that is not a string: {lang:?}"));
                continue;
            };
            let path = format!("description.{lang}");
            if !is_bcp47(lang) {
                c.error(&path, format!("{lang:?} is not a BCP 47 language tag"));
            }
            if !c.section(text, &path, false) {
                continue;
            }
            c.unknown_keys(
                &path,
                text,
                &[
                    "localisedName",
                    "genericName",
                    "shortDescription",
                    "longDescription",
                    "documentation",
                    "apiDocumentation",
                    "features",
                    "screenshots",
                    "videos",
                    "awards",
                ],
            );
            c.string(&text["localisedName"], &format!("{path}.localisedName"), true);
            if let Some(g) = c.string(&text["genericName"], &format!("{path}.genericName"), true) {
                c.length(g, &format!("{path}.genericName"), 0, 35);
            }
            if let Some(s) = c.string(&text["shortDescription"], &format!("{path}.shortDescription"), false) {
                c.length(s, &format!("{path}.shortDescription"), 1, 150);
            }
            if let Some(l) = c.string(&text["longDescription"], &format!("{path}.longDescription"), false) {
                c.length(l, &format!("{path}.longDescription"), 150, 10_000);
            }
            c.url(&text["documentation"], &format!("{path}.documentation"), true);
            c.url(&text["apiDocumentation"], &format!("{path}.apiDocumentation"), true);
            c.strings(&text["features"], &format!("{path}.features"), false, 1);
            c.strings(&text["screenshots"], &format!("{path}.screenshots"), true, 0);
            c.strings(&text["videos"], &format!("{path}.videos"), true, 0);
            c.strings(&text["awards"], &format!("{path}.awards"), true, 0);
        }
    }

    let legal = &doc["legal"];
    if c.section(legal, "legal", false) {
        c.unknown_keys("legal", legal, &["license", "mainCopyrightOwner", "repoOwner", "authorsFile"]);
        if let Some(l) = c.string(&legal["license"], "legal.license", false) {
            if let Err(e) = spdx_licences(l) {
                c.error("legal.license", e);
            }
        }
        for key in ["mainCopyrightOwner", "repoOwner", "authorsFile"] {
            c.string(&legal[key], &format!("legal.{key}"), true);
        }
    }

    let maintenance = &doc["maintenance"];
    if c.section(maintenance, "maintenance", false) {
        c.unknown_keys("maintenance", maintenance, &["type", "contractors", "contacts"]);
        c.enumerated(&maintenance["type"], "maintenance.type", MAINTENANCE_TYPES);
        let kind_of = maintenance["type"].as_str().unwrap_or_default();
        let people = |c: &mut Check, key: &str, mandatory: bool, fields: &[&str]| {
            let path = format!("maintenance.{key}");
            match &maintenance[key] {
                Yaml::Array(items) => {
                    if items.is_empty() && mandatory {
                        c.error(&path, format!("needs at least one entry when maintenance.type is {kind_of}"));
                    }
                    for (i, item) in items.iter().enumerate() {
                        let at = format!("{path}[{i}]");
                        if c.section(item, &at, false) {
                            c.unknown_keys(&at, item, fields);
                            if let Some(n) = c.string(&item["name"], &format!("{at}.name"), false) {
                                if n.trim().is_empty() {
                                    c.error(&format!("{at}.name"), "must not be empty");
                                }
                            }
                            for f in fields.iter().filter(|f| !matches!(**f, "name" | "until")) {
                                c.string(&item[*f], &format!("{at}.{f}"), true);
                            }
                            if fields.contains(&"until") {
                                c.date(&item["until"], &format!("{at}.until"), false);
                            }
                        }
                    }
                }
                Yaml::BadValue if mandatory => {
                    c.error(&path, format!("missing (mandatory when maintenance.type is {kind_of})"))
                }
                Yaml::BadValue => {}
                other => c.error(&path, format!("must be a list, not {}", kind(other))),
            }
        };
        people(&mut c, "contractors", kind_of == "contract", &["name", "until", "email", "website"]);
        people(
            &mut c,
            "contacts",
            matches!(kind_of, "internal" | "community"),
            &["name", "email", "phone", "affiliation"],
        );
    }

    let localisation = &doc["localisation"];
    if c.section(localisation, "localisation", false) {
        c.unknown_keys("localisation", localisation, &["localisationReady", "availableLanguages"]);
        c.boolean(&localisation["localisationReady"], "localisation.localisationReady", false);
        for tag in c
            .strings(&localisation["availableLanguages"], "localisation.availableLanguages", false, 1)
            .unwrap_or_default()
        {
            if !is_bcp47(tag) {
                c.error("localisation.availableLanguages", format!("{tag:?} is not a BCP 47 language tag"));
            }
        }
    }

    let depends = &doc["dependsOn"];
    if c.section(depends, "dependsOn", true) {
        c.unknown_keys("dependsOn", depends, &["open", "proprietary", "hardware"]);
        for key in ["open", "proprietary", "hardware"] {
            let path = format!("dependsOn.{key}");
            match &depends[key] {
                Yaml::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let at = format!("{path}[{i}]");
                        if c.section(item, &at, false) {
                            c.unknown_keys(&at, item, &["name", "version", "versionMin", "versionMax", "optional"]);
                            c.string(&item["name"], &format!("{at}.name"), false);
                            for f in ["version", "versionMin", "versionMax"] {
                                c.string(&item[f], &format!("{at}.{f}"), true);
                            }
                            c.boolean(&item["optional"], &format!("{at}.optional"), true);
                        }
                    }
                }
                Yaml::BadValue => {}
                other => c.error(&path, format!("must be a list, not {}", kind(other))),
            }
        }
    }
    c.section(&doc["it"], "it", true);
    c.errors
}

fn repository_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ours() -> String {
    repository_file("publiccode.yml")
}

#[test]
fn the_repositorys_publiccode_yml_follows_the_standard() {
    let errors = validate(&ours());
    assert!(errors.is_empty(), "publiccode.yml does not follow the standard:\n{}", errors.join("\n"));
}

#[test]
fn the_publiccode_yml_agrees_with_the_repository() {
    let text = ours();
    let doc = YamlLoader::load_from_str(&text).expect("YAML").remove(0);
    // The licence is the one in LICENSE.
    let licence = doc["legal"]["license"].as_str().expect("legal.license");
    let ids = spdx_licences(licence).expect("a valid expression");
    let licence_file = repository_file("LICENSE");
    for id in &ids {
        assert!(licence_file.contains(&format!("({id})")), "LICENSE does not name {id}");
    }
    // ... and the one every crate declares.
    let manifest: toml::Value = repository_file("Cargo.toml").parse().expect("Cargo.toml");
    let package = &manifest["workspace"]["package"];
    assert_eq!(package["license"].as_str(), Some(licence), "Cargo.toml's licence");
    assert_eq!(doc["url"].as_str(), package["repository"].as_str(), "url is the workspace's repository");
    // The languages the interface speaks, with a description in each.
    let languages: Vec<&str> = doc["localisation"]["availableLanguages"]
        .as_vec()
        .expect("languages")
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    assert_eq!(languages, ["nl", "en"]);
    for lang in languages {
        let shots = doc["description"][lang]["screenshots"].as_vec().expect("screenshots");
        assert!(!shots.is_empty(), "{lang}: screenshots");
        for shot in shots {
            let shot = shot.as_str().expect("a path");
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(shot);
            assert!(path.is_file(), "screenshot {shot} exists");
        }
    }
}

/// Replaces `from` (which must occur) in our file.
fn broken(from: &str, to: &str) -> String {
    let text = ours();
    assert!(text.contains(from), "publiccode.yml has {from:?}");
    text.replacen(from, to, 1)
}

/// Replaces our file's text from `start` (which must occur) up to `until` with `with`.
fn block(start: &str, until: &str, with: &str) -> String {
    let text = ours();
    let from = text.find(start).unwrap_or_else(|| panic!("publiccode.yml has {start:?}"));
    let to = from + text[from..].find(until).unwrap_or_else(|| panic!("{until:?} follows {start:?}"));
    format!("{}{with}{}", &text[..from], &text[to..])
}

#[test]
fn a_broken_publiccode_yml_fails_with_the_key_and_the_rule() {
    let cases: Vec<(String, &str)> = vec![
        (broken("publiccodeYmlVersion: \"0.4\"\n", ""), "publiccodeYmlVersion: missing (mandatory)"),
        (
            broken("publiccodeYmlVersion: \"0.4\"", "publiccodeYmlVersion: \"0.2\""),
            "publiccodeYmlVersion: \"0.2\" is not a version this check knows (0.4)",
        ),
        (broken("name: Leefwijk\n", "name: 12\n"), "name: must be a string, not a number"),
        (
            broken("url: \"https://example.invalid/leefwijk\"", "url: \"example.invalid/leefwijk\""),
            "url: \"example.invalid/leefwijk\" is not an http(s) or git URL with a host",
        ),
        (
            broken("  - data-analytics\n", "  - neighbourhoods\n"),
            "categories: \"neighbourhoods\" is not in the standard's list of categories",
        ),
        (
            broken("developmentStatus: beta", "developmentStatus: pilot"),
            "developmentStatus: \"pilot\" is not one of concept, development, beta, stable, obsolete",
        ),
        (
            broken("softwareType: \"standalone/web\"", "softwareType: \"web\""),
            "softwareType: \"web\" is not one of standalone/mobile, standalone/iot, standalone/desktop, standalone/web, standalone/backend, standalone/other, addon, library, configurationFiles",
        ),
        (
            broken(
                "Open platform voor de gebiedsgerichte wijkaanpak: wijkbeeld, vroegsignalering,\n      huishoudens, wonen, gebiedsprogramma's en bewoners.",
                &"x".repeat(151),
            ),
            "description.nl.shortDescription: 151 characters, at most 150",
        ),
        (
            block("    longDescription: >\n      Leefwijk supports", "    features:", "    longDescription: Too short.\n"),
            "description.en.longDescription: 10 characters, at least 150",
        ),
        (broken("  en:\n", "  en_GB:\n"), "description.en_GB: \"en_GB\" is not a BCP 47 language tag"),
        (
            broken("  license: EUPL-1.2", "  license: EUPL 1.2"),
            "legal.license: \"EUPL 1.2\" is not a valid SPDX expression",
        ),
        (
            broken("  license: EUPL-1.2", "  license: CC-BY-NC-4.0"),
            "legal.license: CC-BY-NC-4.0 is not an open-source (OSI-approved) licence",
        ),
        (broken("  type: internal", "  type: volunteers"), "maintenance.type: \"volunteers\" is not one of internal, contract, community, none"),
        (
            broken("  type: internal", "  type: contract"),
            "maintenance.contractors: missing (mandatory when maintenance.type is contract)",
        ),
        (
            broken("  localisationReady: true", "  localisationReady: \"ja\""),
            "localisation.localisationReady: must be true or false, not a string",
        ),
        (
            broken("    - nl\n    - en\n\ndependsOn", "    - nl\n    - en_GB\n\ndependsOn"),
            "localisation.availableLanguages: \"en_GB\" is not a BCP 47 language tag",
        ),
        (
            broken("softwareType: \"standalone/web\"", "softwareType: \"standalone/web\"\nreleaseDate: \"2026-02-30\""),
            "releaseDate: \"2026-02-30\" is not a date in the form YYYY-MM-DD",
        ),
        (
            broken("developmentStatus: beta", "developmentStatus: beta\nnl:\n  countryExtensionVersion: \"1.0\""),
            "nl: not a key of the standard",
        ),
        ("name: [unclosed".to_string(), "not valid YAML"),
    ];
    for (text, expected) in cases {
        let errors = validate(&text);
        assert!(
            errors.iter().any(|e| e.starts_with(expected)),
            "expected an error starting with {expected:?}, got {errors:#?}"
        );
    }
}

#[test]
fn the_helpers_follow_their_grammars() {
    for ok in ["nl", "en", "en-GB", "sl-IT-nedis", "zh-Hant-TW", "es-419", "nl-x-fries", "de-DE-u-co-phonebk"] {
        assert!(is_bcp47(ok), "{ok}");
    }
    for bad in ["", "e", "en_GB", "english-language-tag", "nl-", "en-a", "x"] {
        assert!(!is_bcp47(bad), "{bad}");
    }
    for ok in ["2024-02-29", "2026-12-31"] {
        assert!(is_date(ok), "{ok}");
    }
    for bad in ["2026-02-29", "2026-13-01", "26-01-01", "2026-1-01", "2026/01/01"] {
        assert!(!is_date(bad), "{bad}");
    }
    assert_eq!(spdx_licences("EUPL-1.2 OR MIT").expect("valid"), ["EUPL-1.2", "MIT"]);
    assert!(spdx_licences("GPL-2.0").is_err(), "deprecated identifiers are refused");
}
