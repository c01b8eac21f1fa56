//! Consent per household member, per purpose and per organisation, with the date it was
//! given, its scope and its withdrawal. Sharing anything beyond the involvement index
//! needs a consent valid on the day (or another ground in the covenant; the gate in the
//! application layer checks both).

use crate::calendar::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consent {
    /// The household member's pseudonym.
    pub member: String,
    /// The purpose code, as in the covenant.
    pub purpose: String,
    /// The organisation the consent is given to.
    pub organisation: String,
    #[serde(with = "crate::households::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub given_on: Date,
    /// What the member agreed to share, in words the member recognises.
    pub scope: String,
    #[serde(default, with = "crate::households::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub withdrawn_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    #[error("a consent names its {0}")]
    Missing(&'static str),
    #[error("the withdrawal on {withdrawn_on} lies before the consent was given on {given_on}")]
    WithdrawnBeforeGiven { given_on: Date, withdrawn_on: Date },
}

impl ConsentError {
    /// Stable code for the API and logs.
    pub fn code(&self) -> &'static str {
        match self {
            ConsentError::Missing(_) => "consent_missing_field",
            ConsentError::WithdrawnBeforeGiven { .. } => "consent_withdrawn_before_given",
        }
    }
}

impl Consent {
    pub fn validate(&self) -> Result<(), ConsentError> {
        for (value, name) in [
            (&self.member, "member"),
            (&self.purpose, "purpose"),
            (&self.organisation, "organisation"),
            (&self.scope, "scope"),
        ] {
            if value.trim().is_empty() {
                return Err(ConsentError::Missing(name));
            }
        }
        if let Some(withdrawn_on) = self.withdrawn_on.filter(|w| *w < self.given_on) {
            return Err(ConsentError::WithdrawnBeforeGiven { given_on: self.given_on, withdrawn_on });
        }
        Ok(())
    }

    /// In force on `on`: given on or before `on`, and not withdrawn on or before `on`
    /// (a withdrawal takes effect on its own date).
    pub fn in_force_on(&self, on: Date) -> bool {
        self.given_on <= on && self.withdrawn_on.is_none_or(|w| w > on)
    }
}

/// Whether `member` has a consent in force on `on` for `purpose` towards `organisation`.
/// Identifiers are compared exactly.
pub fn has_consent(consents: &[Consent], member: &str, purpose: &str, organisation: &str, on: Date) -> bool {
    consents
        .iter()
        .any(|c| c.member == member && c.purpose == purpose && c.organisation == organisation && c.in_force_on(on))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("valid date")
    }

    fn consent(given: &str, withdrawn: Option<&str>) -> Consent {
        Consent {
            member: "m1".to_string(),
            purpose: "joint_plan".to_string(),
            organisation: "org-ggz".to_string(),
            given_on: d(given),
            scope: "Plan goals and actions for finances and housing".to_string(),
            withdrawn_on: withdrawn.map(d),
        }
    }

    #[test]
    fn consent_holds_from_giving_until_withdrawal() {
        let list = vec![consent("2026-02-01", Some("2026-05-01"))];
        let has = |on: &str| has_consent(&list, "m1", "joint_plan", "org-ggz", d(on));
        assert!(!has("2026-01-31"), "not yet given");
        assert!(has("2026-02-01"), "given that day");
        assert!(has("2026-04-30"));
        assert!(!has("2026-05-01"), "withdrawn that day");
        assert!(!has("2026-06-01"));
    }

    #[test]
    fn consent_is_per_member_purpose_and_organisation() {
        let list = vec![consent("2026-02-01", None)];
        let on = d("2026-03-01");
        assert!(has_consent(&list, "m1", "joint_plan", "org-ggz", on));
        assert!(!has_consent(&list, "m2", "joint_plan", "org-ggz", on), "other member");
        assert!(!has_consent(&list, "m1", "research", "org-ggz", on), "other purpose");
        assert!(!has_consent(&list, "m1", "joint_plan", "org-police", on), "other organisation");
        assert!(!has_consent(&[], "m1", "joint_plan", "org-ggz", on));
    }

    #[test]
    fn a_new_consent_after_a_withdrawal_counts() {
        let list = vec![consent("2026-02-01", Some("2026-03-01")), consent("2026-04-01", None)];
        assert!(!has_consent(&list, "m1", "joint_plan", "org-ggz", d("2026-03-15")));
        assert!(has_consent(&list, "m1", "joint_plan", "org-ggz", d("2026-04-01")));
    }

    #[test]
    fn validation() {
        assert_eq!(consent("2026-02-01", None).validate(), Ok(()));
        assert_eq!(consent("2026-02-01", Some("2026-02-01")).validate(), Ok(()), "withdrawn the same day");
        let err = consent("2026-02-01", Some("2026-01-31")).validate().expect_err("withdrawn before given");
        assert_eq!(err.code(), "consent_withdrawn_before_given");
        let no_scope = Consent { scope: "  ".to_string(), ..consent("2026-02-01", None) };
        assert_eq!(no_scope.validate(), Err(ConsentError::Missing("scope")));
        let no_member = Consent { member: String::new(), ..consent("2026-02-01", None) };
        assert_eq!(no_member.validate(), Err(ConsentError::Missing("member")));
    }

    proptest! {
        #[test]
        fn in_force_exactly_between_giving_and_withdrawal(given in 0i64..1_000, gap in proptest::option::of(0i64..1_000), on in -100i64..2_200) {
            let base = d("2026-01-01");
            let c = Consent {
                given_on: base.add_days(given),
                withdrawn_on: gap.map(|g| base.add_days(given + g)),
                ..consent("2026-01-01", None)
            };
            prop_assert!(c.validate().is_ok());
            let on_day = base.add_days(on);
            let expected = on >= given && gap.is_none_or(|g| on < given + g);
            prop_assert_eq!(has_consent(std::slice::from_ref(&c), "m1", "joint_plan", "org-ggz", on_day), expected);
        }
    }
}
