//! Routing: which team reaches out to a household. Rules name an area (buurt, wijk or
//! municipality) and optionally a kind of signal; the most specific area wins, and within
//! one area a rule for the kind beats a rule for all kinds.

use super::SignalKind;
use crate::AreaCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoutingRule {
    pub area_code: String,
    pub kind: Option<SignalKind>,
    pub team_id: String,
}

/// The team for a signal of `kind` in `buurt`, or `None` when no rule covers it.
pub fn route<'a>(buurt: &AreaCode, kind: SignalKind, rules: &'a [RoutingRule]) -> Option<&'a str> {
    let mut chain = vec![buurt.as_str().to_string()];
    let mut current = buurt.clone();
    while let Some(parent) = current.parent() {
        chain.push(parent.as_str().to_string());
        current = parent;
    }
    chain.iter().find_map(|area| {
        let here = rules.iter().filter(|r| &r.area_code == area);
        let (specific, general): (Vec<&RoutingRule>, Vec<&RoutingRule>) = here.partition(|r| r.kind.is_some());
        specific.iter().find(|r| r.kind == Some(kind)).or(general.first()).map(|r| r.team_id.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(area: &str, kind: Option<SignalKind>, team: &str) -> RoutingRule {
        RoutingRule { area_code: area.into(), kind, team_id: team.into() }
    }

    #[test]
    fn most_specific_area_then_kind_wins() {
        let rules = vec![
            rule("GM9901", None, "gemeente-team"),
            rule("WK990101", None, "wijkteam-noord"),
            rule("WK990101", Some(SignalKind::Nuisance), "wijkagent-noord"),
            rule("BU99010203", None, "buurtteam-zuid"),
        ];
        let buurt = AreaCode::parse("BU99010101").expect("code");
        assert_eq!(route(&buurt, SignalKind::RentArrears, &rules), Some("wijkteam-noord"));
        assert_eq!(route(&buurt, SignalKind::Nuisance, &rules), Some("wijkagent-noord"));
        let elsewhere = AreaCode::parse("BU99010305").expect("code");
        assert_eq!(route(&elsewhere, SignalKind::RentArrears, &rules), Some("gemeente-team"));
        let other_municipality = AreaCode::parse("BU99020101").expect("code");
        assert_eq!(route(&other_municipality, SignalKind::RentArrears, &rules), None);
        let own = AreaCode::parse("BU99010203").expect("code");
        assert_eq!(route(&own, SignalKind::Nuisance, &rules), Some("buurtteam-zuid"));
    }
}
