//! The covenant in force: read from a TOML file, validated, stored as an immutable version,
//! and turned into the processing register.

use crate::AppError;
use leefwijk_domain::access::covenant::{processing_register, Covenant, RegisterEntry};
use leefwijk_store::Store;

/// The fictional sample covenant that ships with the demo.
pub const SAMPLE_COVENANT: &str = include_str!("sample_covenant.toml");
pub const SAMPLE_COVENANT_ID: &str = "convenant-wijkerveen";

/// Parses and validates a covenant file; errors say what to fix.
pub fn parse(text: &str) -> Result<Covenant, AppError> {
    let covenant: Covenant = toml::from_str(text).map_err(|e| AppError::BadRequest(format!("covenant file: {e}")))?;
    covenant
        .validate()
        .map_err(|e| AppError::BadRequest(format!("covenant {} v{}: {e}", covenant.id, covenant.version)))?;
    Ok(covenant)
}

/// Stores a covenant version; returns false when that exact version was loaded before.
pub async fn load(store: &Store, text: &str) -> Result<(Covenant, bool), AppError> {
    let covenant = parse(text)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let new = store.save_covenant(&covenant.id, covenant.version, text, now).await.map_err(|e| match e {
        leefwijk_store::StoreError::Corrupt(m) => AppError::BadRequest(m),
        other => AppError::Store(other),
    })?;
    Ok((covenant, new))
}

/// The newest version of a covenant, if loaded.
pub async fn in_force(store: &Store, id: &str) -> Result<Option<Covenant>, AppError> {
    match store.covenant_versions(id).await?.into_iter().next() {
        Some((_, body, _)) => Ok(Some(parse(&body)?)),
        None => Ok(None),
    }
}

/// The processing register of the covenant in force.
pub async fn register(store: &Store, id: &str) -> Result<(Covenant, Vec<RegisterEntry>), AppError> {
    let covenant = in_force(store, id).await?.ok_or_else(|| AppError::NotFound(format!("covenant {id}")))?;
    let register = processing_register(&covenant);
    Ok((covenant, register))
}

#[cfg(test)]
mod tests {
    use super::*;
    use leefwijk_domain::access::covenant::{decide, AccessRequest, Action, DataCategory, Purpose};

    #[test]
    fn the_sample_covenant_is_valid_and_enforces_what_it_says() {
        let c = parse(SAMPLE_COVENANT).expect("valid sample");
        assert_eq!(c.id, SAMPLE_COVENANT_ID);
        let allowed = decide(
            &c,
            &AccessRequest {
                organisation_kind: "sociaal_wijkteam",
                role: "wijkteammedewerker",
                purpose: Purpose::Outreach,
                category: DataCategory::Contact,
                action: Action::Read,
                consent: false,
            },
        );
        assert!(allowed.allowed, "{allowed}");
        // A housing corporation never reads health data for a joint plan.
        let denied = decide(
            &c,
            &AccessRequest {
                organisation_kind: "woningcorporatie",
                role: "professional",
                purpose: Purpose::JointPlan,
                category: DataCategory::Health,
                action: Action::Read,
                consent: true,
            },
        );
        assert!(!denied.allowed);
        let register = processing_register(&c);
        assert_eq!(register.len(), c.purposes.len());
        assert!(register.iter().any(|r| r.special_category && r.avg_art9.is_some()));
    }

    #[test]
    fn invalid_files_say_what_is_wrong() {
        let err = parse("id = 1").expect_err("bad");
        assert!(err.to_string().contains("covenant file"), "{err}");
        let broken = SAMPLE_COVENANT.replace("avg_art9 = \"9.2.a (uitdrukkelijke toestemming)\", ", "");
        let err = parse(&broken).expect_err("health without art. 9");
        assert!(err.to_string().contains("art. 9"), "{err}");
    }
}
