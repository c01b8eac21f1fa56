//! The data-exchange covenant (convenant gegevensuitwisseling) as data: parties, purposes,
//! and per purpose which organisation kinds and roles may do what with which data
//! categories, on which legal basis, with or without consent, kept for how long.
//! [`decide`] is the one rule every access to personal data passes through.

use crate::signals::SignalKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    EarlySignalling,
    Outreach,
    JointPlan,
    HousingPlacement,
    Monitoring,
    /// Turning a pseudonym back into a person: its own purpose, always logged.
    Reidentification,
    /// The involvement index (after the Verwijsindex): only *that* an organisation is
    /// involved, never why, and match notices between the involved.
    InvolvementIndex,
    /// Statistics: the delivery of early-signalling records to CBS (DDAS vroegsignalering,
    /// docs/ddas.md), pseudonymised under this purpose's own key.
    Statistics,
}

impl Purpose {
    pub fn label_nl(self) -> &'static str {
        match self {
            Purpose::EarlySignalling => "Vroegsignalering",
            Purpose::Outreach => "Outreach (vroeg erop af)",
            Purpose::JointPlan => "Gezamenlijk plan (1 huishouden, 1 plan, 1 regisseur)",
            Purpose::HousingPlacement => "Huisvesting aandachtsgroepen",
            Purpose::Monitoring => "Monitoring (geaggregeerd)",
            Purpose::Reidentification => "Herleiding van pseudoniem",
            Purpose::InvolvementIndex => "Betrokkenheidsindex (wie is betrokken, nooit waarom)",
            Purpose::Statistics => "Statistiek (levering vroegsignalering aan het CBS)",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Purpose::EarlySignalling => "Early signalling",
            Purpose::Outreach => "Outreach (reaching out early)",
            Purpose::JointPlan => "Joint plan (one household, one plan, one coordinator)",
            Purpose::HousingPlacement => "Housing for priority groups",
            Purpose::Monitoring => "Monitoring (aggregated)",
            Purpose::Reidentification => "Re-identification of a pseudonym",
            Purpose::InvolvementIndex => "Involvement index (who is involved, never why)",
            Purpose::Statistics => "Statistics (early-signalling delivery to CBS)",
        }
    }

    /// The purpose of a code as stored (`joint_plan`), if it is one.
    pub fn parse(code: &str) -> Option<Purpose> {
        Some(match code.trim() {
            "early_signalling" => Purpose::EarlySignalling,
            "outreach" => Purpose::Outreach,
            "joint_plan" => Purpose::JointPlan,
            "housing_placement" => Purpose::HousingPlacement,
            "monitoring" => Purpose::Monitoring,
            "reidentification" => Purpose::Reidentification,
            "involvement_index" => Purpose::InvolvementIndex,
            "statistics" => Purpose::Statistics,
            _ => return None,
        })
    }

    /// The code as stored and as covenants write it (`joint_plan`).
    pub fn code(self) -> &'static str {
        match self {
            Purpose::EarlySignalling => "early_signalling",
            Purpose::Outreach => "outreach",
            Purpose::JointPlan => "joint_plan",
            Purpose::HousingPlacement => "housing_placement",
            Purpose::Monitoring => "monitoring",
            Purpose::Reidentification => "reidentification",
            Purpose::InvolvementIndex => "involvement_index",
            Purpose::Statistics => "statistics",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    Identity,
    Contact,
    Financial,
    Housing,
    /// Special category (AVG art. 9): needs an art. 9 exception.
    Health,
    CaseContent,
    InvolvementOnly,
}

impl DataCategory {
    pub const ALL: [DataCategory; 7] = [
        DataCategory::Identity,
        DataCategory::Contact,
        DataCategory::Financial,
        DataCategory::Housing,
        DataCategory::Health,
        DataCategory::CaseContent,
        DataCategory::InvolvementOnly,
    ];

    /// The code in covenants, the audit log and the store (as serialised).
    pub fn code(self) -> &'static str {
        match self {
            DataCategory::Identity => "identity",
            DataCategory::Contact => "contact",
            DataCategory::Financial => "financial",
            DataCategory::Housing => "housing",
            DataCategory::Health => "health",
            DataCategory::CaseContent => "case_content",
            DataCategory::InvolvementOnly => "involvement_only",
        }
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            DataCategory::Identity => "Identificerende gegevens",
            DataCategory::Contact => "Contactgegevens",
            DataCategory::Financial => "Financiële gegevens",
            DataCategory::Housing => "Woongegevens",
            DataCategory::Health => "Gezondheidsgegevens (bijzonder)",
            DataCategory::CaseContent => "Inhoud van het plan",
            DataCategory::InvolvementOnly => "Alleen betrokkenheid",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DataCategory::Identity => "Identifying data",
            DataCategory::Contact => "Contact details",
            DataCategory::Financial => "Financial data",
            DataCategory::Housing => "Housing data",
            DataCategory::Health => "Health data (special category)",
            DataCategory::CaseContent => "Content of the plan",
            DataCategory::InvolvementOnly => "Involvement only",
        }
    }

    pub fn is_special(self) -> bool {
        self == DataCategory::Health
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = DataAction)]
pub enum Action {
    Read,
    Write,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    /// Organisation kind, e.g. "gemeente", "woningcorporatie", "sociaal_wijkteam".
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    /// AVG art. 6(1) ground, e.g. "6.1.e (algemeen belang)".
    pub avg_art6: String,
    /// AVG art. 9(2) exception; required when health data is processed.
    #[serde(default)]
    pub avg_art9: Option<String>,
    /// The specific law, e.g. "Wgs art. 3a".
    pub law: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub organisation_kinds: Vec<String>,
    pub roles: Vec<String>,
    pub actions: Vec<Action>,
    pub categories: Vec<DataCategory>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeTerms {
    pub purpose: Purpose,
    pub description: String,
    pub legal_basis: LegalBasis,
    #[serde(default)]
    pub consent_required: bool,
    pub grants: Vec<Grant>,
    /// Retention in days per data category.
    pub retention_days: BTreeMap<DataCategory, u32>,
    /// Early signalling: the data category a signal of each kind is, where the covenant
    /// departs from the default ([`SignalKind::default_category`]: arrears are financial
    /// data, nuisance and neglect housing data, worry about a resident case content).
    /// The gate checks and audits a signal under its kind's category, never all as financial.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub signal_categories: BTreeMap<SignalKind, DataCategory>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Covenant {
    pub id: String,
    pub version: u32,
    pub title: String,
    /// ISO date the version takes effect.
    pub valid_from: String,
    pub controller: String,
    pub parties: Vec<Party>,
    pub purposes: Vec<PurposeTerms>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CovenantError {
    #[error("purpose {0:?} appears more than once")]
    DuplicatePurpose(Purpose),
    #[error("purpose {purpose:?} grants health data but names no AVG art. 9 exception")]
    HealthWithoutArt9 { purpose: Purpose },
    #[error("purpose {purpose:?} grants {category:?} but sets no retention term for it")]
    NoRetention { purpose: Purpose, category: DataCategory },
    #[error("purpose {purpose:?} grants to organisation kind '{kind}', which is not a party")]
    UnknownParty { purpose: Purpose, kind: String },
    #[error("purpose {purpose:?} maps signal kind {kind:?} to {category:?}, a category it sets no retention term for")]
    SignalCategoryWithoutRetention { purpose: Purpose, kind: SignalKind, category: DataCategory },
}

impl Covenant {
    /// Checks the covenant is complete enough to be enforced and registered.
    pub fn validate(&self) -> Result<(), CovenantError> {
        let mut seen = Vec::new();
        for terms in &self.purposes {
            if seen.contains(&terms.purpose) {
                return Err(CovenantError::DuplicatePurpose(terms.purpose));
            }
            seen.push(terms.purpose);
            for grant in &terms.grants {
                for kind in &grant.organisation_kinds {
                    if !self.parties.iter().any(|p| &p.kind == kind) {
                        return Err(CovenantError::UnknownParty { purpose: terms.purpose, kind: kind.clone() });
                    }
                }
                for category in &grant.categories {
                    if category.is_special() && terms.legal_basis.avg_art9.is_none() {
                        return Err(CovenantError::HealthWithoutArt9 { purpose: terms.purpose });
                    }
                    if !terms.retention_days.contains_key(category) {
                        return Err(CovenantError::NoRetention { purpose: terms.purpose, category: *category });
                    }
                }
            }
            for (kind, category) in &terms.signal_categories {
                if category.is_special() && terms.legal_basis.avg_art9.is_none() {
                    return Err(CovenantError::HealthWithoutArt9 { purpose: terms.purpose });
                }
                if !terms.retention_days.contains_key(category) {
                    return Err(CovenantError::SignalCategoryWithoutRetention {
                        purpose: terms.purpose,
                        kind: *kind,
                        category: *category,
                    });
                }
            }
        }
        Ok(())
    }

    pub fn terms(&self, purpose: Purpose) -> Option<&PurposeTerms> {
        self.purposes.iter().find(|t| t.purpose == purpose)
    }

    /// The data category of a signal of this kind: the early-signalling purpose's mapping
    /// where it names the kind, else the kind's default.
    pub fn signal_category(&self, kind: SignalKind) -> DataCategory {
        self.terms(Purpose::EarlySignalling)
            .and_then(|t| t.signal_categories.get(&kind).copied())
            .unwrap_or_else(|| kind.default_category())
    }

    /// Every data category a signal can be under this covenant, each once, in order.
    pub fn signal_categories(&self) -> Vec<DataCategory> {
        let mut categories: Vec<DataCategory> = SignalKind::ALL.iter().map(|k| self.signal_category(*k)).collect();
        categories.sort();
        categories.dedup();
        categories
    }

    /// The kinds of signal whose data category is one of `categories`.
    pub fn signal_kinds_in(&self, categories: &[DataCategory]) -> Vec<SignalKind> {
        SignalKind::ALL.into_iter().filter(|k| categories.contains(&self.signal_category(*k))).collect()
    }
}

/// Who asks, for what, with which data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest<'a> {
    pub organisation_kind: &'a str,
    pub role: &'a str,
    pub purpose: Purpose,
    pub category: DataCategory,
    pub action: Action,
    /// The subject consented to this purpose for this organisation.
    pub consent: bool,
}

/// The outcome, with the rule that decided it, in words a privacy officer can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub rule: String,
    /// What is missing when denied.
    pub missing: Option<String>,
    /// Why it was denied, as values a page can put in a person's own words.
    #[serde(skip)]
    pub refusal: Option<Refusal>,
}

/// Why the gate said no, typed, so the pages can say it in Dutch or English with names
/// instead of the rule's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The covenant has no such purpose.
    NoPurpose(Purpose),
    /// No grant of the purpose covers this role, organisation kind, action and category.
    NoGrant { purpose: Purpose, role: String, organisation_kind: String, action: Action, category: DataCategory },
    /// The purpose needs the subject's consent, and there is none.
    NoConsent(Purpose),
    /// The organisation is not involved with the household (involvement index).
    NotInvolved,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.allowed, &self.missing) {
            (true, _) => write!(f, "allowed by {}", self.rule),
            (false, Some(m)) => write!(f, "denied by {}: {m}", self.rule),
            (false, None) => write!(f, "denied by {}", self.rule),
        }
    }
}

/// Decides a request against the covenant. Deny is the default: a request is allowed only
/// when a grant of the purpose names the organisation kind, the role, the action and the
/// category, and consent is present where the purpose requires it.
pub fn decide(covenant: &Covenant, req: &AccessRequest<'_>) -> Decision {
    let base = format!("{} v{}", covenant.id, covenant.version);
    let Some(terms) = covenant.terms(req.purpose) else {
        return Decision {
            allowed: false,
            rule: base,
            missing: Some(format!("the covenant has no purpose {:?}", req.purpose)),
            refusal: Some(Refusal::NoPurpose(req.purpose)),
        };
    };
    let rule = format!("{base} / {:?}", req.purpose);
    let grant = terms.grants.iter().position(|g| {
        g.organisation_kinds.iter().any(|k| k == req.organisation_kind)
            && g.roles.iter().any(|r| r == req.role)
            && g.actions.contains(&req.action)
            && g.categories.contains(&req.category)
    });
    let Some(index) = grant else {
        return Decision {
            allowed: false,
            rule,
            missing: Some(format!(
                "no grant lets role '{}' of a '{}' {:?} {:?} data for this purpose",
                req.role, req.organisation_kind, req.action, req.category
            )),
            refusal: Some(Refusal::NoGrant {
                purpose: req.purpose,
                role: req.role.to_string(),
                organisation_kind: req.organisation_kind.to_string(),
                action: req.action,
                category: req.category,
            }),
        };
    };
    let rule = format!("{rule} / grant {}", index + 1);
    if terms.consent_required && !req.consent {
        return Decision {
            allowed: false,
            rule,
            missing: Some("the subject's consent for this purpose".into()),
            refusal: Some(Refusal::NoConsent(req.purpose)),
        };
    }
    Decision { allowed: true, rule, missing: None, refusal: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covenant() -> Covenant {
        Covenant {
            id: "convenant-test".into(),
            version: 2,
            title: "Test".into(),
            valid_from: "2026-01-01".into(),
            controller: "Gemeente Test".into(),
            parties: vec![
                Party { name: "Gemeente".into(), kind: "gemeente".into() },
                Party { name: "Wijkteam".into(), kind: "sociaal_wijkteam".into() },
                Party { name: "Corporatie".into(), kind: "woningcorporatie".into() },
            ],
            purposes: vec![
                PurposeTerms {
                    purpose: Purpose::Outreach,
                    description: "Contact na een signaal".into(),
                    legal_basis: LegalBasis { avg_art6: "6.1.e".into(), avg_art9: None, law: "Wgs art. 3a".into() },
                    consent_required: false,
                    grants: vec![Grant {
                        organisation_kinds: vec!["sociaal_wijkteam".into()],
                        roles: vec!["wijkteammedewerker".into()],
                        actions: vec![Action::Read],
                        categories: vec![DataCategory::Contact, DataCategory::Financial],
                    }],
                    retention_days: [(DataCategory::Contact, 365), (DataCategory::Financial, 365)]
                        .into_iter()
                        .collect(),
                    signal_categories: BTreeMap::new(),
                },
                PurposeTerms {
                    purpose: Purpose::JointPlan,
                    description: "Plan".into(),
                    legal_basis: LegalBasis {
                        avg_art6: "6.1.a".into(),
                        avg_art9: Some("9.2.a".into()),
                        law: "Wmo 2015".into(),
                    },
                    consent_required: true,
                    grants: vec![Grant {
                        organisation_kinds: vec!["sociaal_wijkteam".into()],
                        roles: vec!["regisseur".into()],
                        actions: vec![Action::Read, Action::Write],
                        categories: vec![DataCategory::CaseContent, DataCategory::Health],
                    }],
                    retention_days: [(DataCategory::CaseContent, 730), (DataCategory::Health, 730)]
                        .into_iter()
                        .collect(),
                    signal_categories: BTreeMap::new(),
                },
            ],
        }
    }

    fn req(kind: &str, role: &str, purpose: Purpose, category: DataCategory, consent: bool) -> AccessRequest<'static> {
        AccessRequest {
            organisation_kind: Box::leak(kind.to_string().into_boxed_str()),
            role: Box::leak(role.to_string().into_boxed_str()),
            purpose,
            category,
            action: Action::Read,
            consent,
        }
    }

    #[test]
    fn allows_only_what_a_grant_names() {
        let c = covenant();
        c.validate().expect("valid");
        let d =
            decide(&c, &req("sociaal_wijkteam", "wijkteammedewerker", Purpose::Outreach, DataCategory::Contact, false));
        assert!(d.allowed);
        assert_eq!(d.rule, "convenant-test v2 / Outreach / grant 1");
        let d =
            decide(&c, &req("woningcorporatie", "wijkteammedewerker", Purpose::Outreach, DataCategory::Contact, false));
        assert!(!d.allowed);
        assert!(d.missing.as_deref().unwrap_or_default().contains("'woningcorporatie'"));
        let d =
            decide(&c, &req("sociaal_wijkteam", "wijkteammedewerker", Purpose::Outreach, DataCategory::Health, false));
        assert!(!d.allowed, "category not granted");
        let d = decide(
            &c,
            &req("sociaal_wijkteam", "wijkteammedewerker", Purpose::Monitoring, DataCategory::Contact, false),
        );
        assert!(!d.allowed, "purpose not in covenant");
    }

    #[test]
    fn consent_is_enforced_where_required() {
        let c = covenant();
        let d = decide(&c, &req("sociaal_wijkteam", "regisseur", Purpose::JointPlan, DataCategory::CaseContent, false));
        assert_eq!(d.missing.as_deref(), Some("the subject's consent for this purpose"));
        assert!(
            decide(&c, &req("sociaal_wijkteam", "regisseur", Purpose::JointPlan, DataCategory::CaseContent, true))
                .allowed
        );
    }

    #[test]
    fn validation_catches_incomplete_covenants() {
        let mut c = covenant();
        c.purposes[1].legal_basis.avg_art9 = None;
        assert_eq!(c.validate(), Err(CovenantError::HealthWithoutArt9 { purpose: Purpose::JointPlan }));
        let mut c = covenant();
        c.purposes[0].retention_days.clear();
        assert!(matches!(c.validate(), Err(CovenantError::NoRetention { .. })));
        let mut c = covenant();
        c.purposes[0].grants[0].organisation_kinds.push("politie".into());
        assert!(matches!(c.validate(), Err(CovenantError::UnknownParty { .. })));
    }

    #[test]
    fn purpose_codes_parse_back() {
        for p in [
            Purpose::EarlySignalling,
            Purpose::Outreach,
            Purpose::JointPlan,
            Purpose::HousingPlacement,
            Purpose::Monitoring,
            Purpose::Reidentification,
            Purpose::InvolvementIndex,
            Purpose::Statistics,
        ] {
            let code = serde_json::to_value(p).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            assert_eq!(Purpose::parse(&code), Some(p));
            assert_eq!(p.code(), code);
            assert_ne!(p.label_nl(), p.label_en());
        }
    }

    #[test]
    fn category_codes_are_their_serialised_names() {
        for c in DataCategory::ALL {
            assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::Value::String(c.code().to_string())));
        }
    }

    /// Issue 16, finding 9: a signal's data category follows its kind, and a covenant may
    /// map a kind to another category as long as it keeps that category for a term.
    #[test]
    fn a_signal_is_the_data_category_its_kind_is() {
        let mut c = covenant();
        assert_eq!(c.signal_category(SignalKind::RentArrears), DataCategory::Financial);
        assert_eq!(c.signal_category(SignalKind::Nuisance), DataCategory::Housing);
        assert_eq!(c.signal_category(SignalKind::WorryAboutResident), DataCategory::CaseContent);
        assert_eq!(
            c.signal_categories(),
            vec![DataCategory::Financial, DataCategory::Housing, DataCategory::CaseContent]
        );
        assert_eq!(c.signal_kinds_in(&[DataCategory::Housing]), vec![SignalKind::Nuisance, SignalKind::Neglect]);

        let mut early = c.purposes[0].clone();
        early.purpose = Purpose::EarlySignalling;
        early.signal_categories.insert(SignalKind::Neglect, DataCategory::Contact);
        c.purposes.push(early);
        assert_eq!(c.signal_category(SignalKind::Neglect), DataCategory::Contact);
        assert_eq!(c.validate(), Ok(()));
        c.purposes[2].signal_categories.insert(SignalKind::WorryAboutResident, DataCategory::Housing);
        assert_eq!(
            c.validate(),
            Err(CovenantError::SignalCategoryWithoutRetention {
                purpose: Purpose::EarlySignalling,
                kind: SignalKind::WorryAboutResident,
                category: DataCategory::Housing
            })
        );
        c.purposes[2].signal_categories.insert(SignalKind::WorryAboutResident, DataCategory::Health);
        assert_eq!(c.validate(), Err(CovenantError::HealthWithoutArt9 { purpose: Purpose::EarlySignalling }));
    }
}

/// One processing activity in the processing register (AVG art. 30), generated from the
/// covenant so the register can never say something the system does not enforce.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegisterEntry {
    pub purpose: Purpose,
    pub name: String,
    pub controller: String,
    pub description: String,
    /// Data categories processed, with retention in days.
    pub categories: Vec<(DataCategory, u32)>,
    /// Organisation kinds that may receive or process the data, with their roles.
    pub recipients: Vec<String>,
    pub avg_art6: String,
    pub avg_art9: Option<String>,
    pub law: String,
    pub consent_required: bool,
    pub special_category: bool,
    pub covenant: String,
    /// The activity's id, as the Logboek Dataverwerkingen records it with every processing
    /// (`dpl.core.processing_activity_id`).
    pub processing_activity_id: String,
}

/// The processing register of a covenant, one entry per purpose.
pub fn processing_register(covenant: &Covenant) -> Vec<RegisterEntry> {
    covenant
        .purposes
        .iter()
        .map(|t| {
            let mut recipients: Vec<String> = t
                .grants
                .iter()
                .flat_map(|g| g.organisation_kinds.iter().map(move |k| format!("{k} ({})", g.roles.join(", "))))
                .collect();
            recipients.sort();
            recipients.dedup();
            RegisterEntry {
                purpose: t.purpose,
                name: t.purpose.label_nl().to_string(),
                controller: covenant.controller.clone(),
                description: t.description.clone(),
                categories: t.retention_days.iter().map(|(c, d)| (*c, *d)).collect(),
                recipients,
                avg_art6: t.legal_basis.avg_art6.clone(),
                avg_art9: t.legal_basis.avg_art9.clone(),
                law: t.legal_basis.law.clone(),
                consent_required: t.consent_required,
                special_category: t.retention_days.keys().any(|c| c.is_special()),
                covenant: format!("{} v{}", covenant.id, covenant.version),
                processing_activity_id: super::logboek::processing_activity_uri(&covenant.id, t.purpose.code()),
            }
        })
        .collect()
}
