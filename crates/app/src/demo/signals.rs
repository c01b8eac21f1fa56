//! Demo early signalling: a few hundred fictional signals from four partners over the last
//! five months for households in Wijkerveen, with contact attempts and outcomes for the
//! older cases, so the worklist, household pages and figures show something real-looking.
//! Everything goes through the same intake and outreach code as real signals.

use super::DEMO_TENANT;
use crate::access::gate::Actor;
use crate::signals::ingest::{ingest, Delivery, Ingested};
use crate::signals::intake::parse_csv;
use crate::signals::outreach::{self, NewAttempt, CHANNELS, PARTS_OF_DAY};
use crate::signals::SignalsConfig;
use crate::{App, AppError};
use leefwijk_domain::calendar::Date;
use leefwijk_domain::signals::Outcome;
use leefwijk_store::ApiClient;
use std::fmt::Write as _;

/// A small deterministic generator (LCG): the demo is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A fictional BSN passing the elfproef, from a seed.
pub fn fictional_bsn(seed: u64) -> String {
    let mut n = 900_000_000 + (seed * 7_919) % 90_000_000;
    loop {
        let digits: Vec<u64> = format!("{n:09}").bytes().map(|b| u64::from(b - b'0')).collect();
        let sum: i64 =
            digits[..8].iter().enumerate().map(|(i, d)| (9 - i as i64) * *d as i64).sum::<i64>() - digits[8] as i64;
        if sum % 11 == 0 {
            return format!("{n:09}");
        }
        n += 1;
    }
}

/// The demo's postcodes: one per buurt of Wijkerveen, "9WB0 AA" style.
pub fn demo_postcodes() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for w in 1..=6 {
        for b in 1..=4 {
            out.push((format!("9{w}{b}0AB"), format!("BU9901{w:02}{b:02}")));
        }
    }
    out
}

struct Household {
    postcode: String,
    number: u32,
    bsn: String,
}

fn partner(id: &str, kind: &str, name: &str) -> Actor {
    Actor::Client(ApiClient {
        id: format!("demo-feed-{id}"),
        tenant_id: DEMO_TENANT.into(),
        organisation_id: id.into(),
        organisation_kind: kind.into(),
        name: name.into(),
        secret_hash: String::new(),
        scopes: vec!["signals:write".into()],
        expires_at: i64::MAX,
        revoked_at: None,
    })
}

/// Loads the demo signals once (when the demo collaboration has none yet). Returns the
/// number of signals loaded.
pub async fn load_signals(app: &App) -> Result<usize, AppError> {
    if app.store.tenants_with_signals().await?.iter().any(|t| t == DEMO_TENANT) {
        return Ok(0);
    }
    let Some(worker) = app.store.user_by_username("wijkteam").await? else {
        return Ok(0);
    };
    let Some(worker_zuid) = app.store.user_by_username("regisseur").await? else {
        return Ok(0);
    };
    app.store.put_postcode_areas(&demo_postcodes()).await?;
    let covenant = app.covenant_of(DEMO_TENANT).await?;
    let mut rng = Rng(0x01ee_f41c);
    let postcodes = demo_postcodes();
    let households: Vec<Household> = (0..140)
        .map(|i| Household {
            postcode: postcodes[(i * 7 + i / 5) % postcodes.len()].0.clone(),
            number: 1 + (i as u32 * 13) % 180,
            bsn: fictional_bsn(i as u64 + 1),
        })
        .collect();
    let partners = [
        (
            partner("wv-corporatie", "woningcorporatie", "Woonstichting Veenland (fictief)"),
            ["rent_arrears", "nuisance"],
        ),
        (
            partner("wv-energie", "energieleverancier", "Energie Noordwest (fictief)"),
            ["energy_arrears", "energy_end_of_supply"],
        ),
        (
            partner("wv-water", "drinkwaterbedrijf", "Waterbedrijf Veenstreek (fictief)"),
            ["drinking_water_arrears", "drinking_water_arrears"],
        ),
        (
            partner("wv-zorgverzekeraar", "zorgverzekeraar", "Zorgverzekeraar Veenland (fictief)"),
            ["health_insurance_arrears", "health_insurance_arrears"],
        ),
    ];
    let today = app.signals.today();
    let mut total = 0;
    // Twenty weekly deliveries per partner, ending today.
    for week in (0..20).rev() {
        let day = today.add_days(-7 * week);
        let dated = app.clone().with_signals(SignalsConfig { fixed_today: Some(day), ..(*app.signals).clone() });
        for (p, (actor, kinds)) in partners.iter().enumerate() {
            let mut csv = String::from(
                "kind,bsn,postcode,house_number,arrears_cents,arrears_since,signal_date,crisis,reminder_sent,\
                 personal_contact_attempted,debt_help_pointed_to,no_objection,reference\n",
            );
            let rows = 2 + rng.below(3);
            for r in 0..rows {
                // Households with problems tend to show up with several partners.
                let h = &households[((rng.below(60) + p as u64 * 3) as usize) % households.len()];
                let kind = kinds[rng.below(2) as usize];
                let financial = kind != "nuisance";
                let cents = if financial { 15_000 + rng.below(40) * 2_500 } else { 0 };
                let since = day.add_days(-30 - rng.below(60) as i64);
                let crisis = financial && rng.chance(6);
                let _ = writeln!(
                    csv,
                    "{kind},{},{},{},{},{},{},{crisis},{f},{f},{f},{f},DEMO-{p}-{week}-{r}",
                    if financial { h.bsn.as_str() } else { "" },
                    h.postcode,
                    h.number,
                    if financial { cents.to_string() } else { String::new() },
                    if financial { since.to_string() } else { String::new() },
                    day.add_days(-(rng.below(3) as i64)),
                    f = if financial { "true" } else { "" },
                );
            }
            let rows = parse_csv(csv.as_bytes()).map_err(|e| AppError::Internal(format!("demo signals: {e:?}")))?;
            let delivery = Delivery {
                idempotency_key: None,
                body_hash: crate::signals::ingest::body_hash(csv.as_bytes()),
                format: "csv",
                rows,
            };
            match ingest(&dated, &covenant, actor, delivery).await? {
                Ingested::Stored(r) => total += r.rows as usize,
                Ingested::Rejected(e) => return Err(AppError::Internal(format!("demo signals rejected: {e:?}"))),
                Ingested::Denied(d) => return Err(AppError::Internal(format!("demo signals denied: {}", d.decision))),
            }
        }
    }
    // Outreach on the older cases: attempts, and outcomes for most.
    for (user, team) in [(&worker, "wv-team-noord"), (&worker_zuid, "wv-team-zuid")] {
        let actor = Actor::User(user.clone());
        let scope_actor = Actor::User(leefwijk_store::User { team_id: Some(team.into()), ..user.clone() });
        let cases = match outreach::worklist(app, &covenant, &scope_actor, Some(team), false).await? {
            Ok(c) => c,
            Err(d) => return Err(AppError::Internal(format!("demo outreach denied: {}", d.decision))),
        };
        for case in cases {
            let opened = Date::parse(&case.opened_on).map_err(|e| AppError::Internal(e.to_string()))?;
            let age = today.days_since_epoch() - opened.days_since_epoch();
            if age < 12 {
                continue;
            }
            let attempts = 1 + rng.below(3);
            let mut reached = false;
            for a in 0..attempts {
                reached = rng.chance(55);
                let attempt = NewAttempt {
                    attempted_on: opened.add_days(1 + a as i64 * 3 + rng.below(4) as i64).to_string(),
                    channel: CHANNELS[rng.below(CHANNELS.len() as u64) as usize].to_string(),
                    part_of_day: PARTS_OF_DAY[rng.below(3) as usize].to_string(),
                    reached,
                };
                if outreach::record_attempt(app, &covenant, &actor, &case.case_id, &attempt).await?.is_err() {
                    break;
                }
                if reached {
                    break;
                }
            }
            if rng.chance(85) {
                let outcome = if !reached {
                    Outcome::NotReached
                } else {
                    [
                        Outcome::HelpAcceptedFinancial,
                        Outcome::HelpAcceptedNonFinancial,
                        Outcome::QuickFix,
                        Outcome::NoHelpNeeded,
                        Outcome::AlreadyKnownToDebtHelp,
                        Outcome::OtherOngoingSupport,
                    ][rng.below(6) as usize]
                };
                let _ = outreach::record_outcome(app, &covenant, &actor, &case.case_id, outcome.code()).await?;
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use leefwijk_domain::access::bsn::Bsn;

    #[test]
    fn fictional_bsns_pass_the_elfproef_and_differ() {
        let a = fictional_bsn(1);
        let b = fictional_bsn(2);
        assert!(Bsn::parse(&a).is_ok() && Bsn::parse(&b).is_ok());
        assert_ne!(a, b);
    }
}
