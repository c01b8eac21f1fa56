//! Demo own-data requests (AVG inzage) for the privacy officer: one just received for a
//! person with demo signals, one received 40 days ago and overdue. Fictional people.

use crate::demo::{fictional_bsn, DEMO_TENANT};
use crate::residents::inzage::{self, NewAccessRequest};
use crate::signals::SignalsConfig;
use crate::{App, AppError};
use leefwijk_domain::access::bsn::Bsn;
use leefwijk_domain::access::covenant::Purpose;

/// The first fictional person of the demo signals who has signals of their own (the
/// demo's partners pick households at random, with a fixed seed).
async fn person_with_signals(app: &App) -> Result<String, AppError> {
    let key =
        app.keys.pseudonym_key(DEMO_TENANT, Purpose::EarlySignalling).map_err(|e| AppError::Internal(e.to_string()))?;
    for seed in 1..=140 {
        let bsn = fictional_bsn(seed);
        let parsed = Bsn::parse(&bsn).map_err(|e| AppError::Internal(e.to_string()))?;
        if app.store.person_has_signals(DEMO_TENANT, &key.person(&parsed)).await? {
            return Ok(bsn);
        }
    }
    Ok(fictional_bsn(1))
}

/// Loads this part's demo; `Some(description)` when it loaded something.
pub async fn load(app: &App) -> Result<Option<String>, AppError> {
    if app.store.tenant(DEMO_TENANT).await?.is_none() || app.store.access_request_count(DEMO_TENANT).await? > 0 {
        return Ok(None);
    }
    let today = app.signals.today();
    let requests = [
        (person_with_signals(app).await?, "J. de Vries (fictief)", "j.devries@example.org", "", today),
        (
            fictional_bsn(7001),
            "A. Bakker (fictief)",
            "",
            "Veenweg 21, 9110 AB Wijkerveen (fictief)",
            today.add_days(-40),
        ),
    ];
    for (bsn, name, email, postal, received) in requests {
        let dated = app.clone().with_signals(SignalsConfig { fixed_today: Some(received), ..(*app.signals).clone() });
        let input = NewAccessRequest {
            tenant: DEMO_TENANT.into(),
            bsn,
            name: name.into(),
            email: email.into(),
            postal_address: postal.into(),
        };
        if let Err(errors) = inzage::submit(&dated, &input).await? {
            return Err(AppError::Internal(format!("demo access request refused: {errors:?}")));
        }
    }
    Ok(Some("inzage: two requests for access (one overdue) for the privacy officer".into()))
}
