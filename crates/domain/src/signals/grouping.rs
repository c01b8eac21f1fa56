//! Which case a signal belongs to. A case is one household's stacked signals of one
//! calendar month; a repeat (same partner, same kind, no increase) joins the case of the
//! signal it repeats instead of opening a new one, so it is recorded but not routed again.
//!
//! Signals are processed in a canonical order (by date, then partner, kind, amount,
//! crisis), so the grouping does not depend on the order in which they arrive.

use super::{classify, Classification, SignalFacts};
use std::cmp::Ordering;

/// Where a signal goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A case already stored, by id.
    Existing(String),
    /// A case to open: the household's case for this month.
    New { year: i32, month: u32 },
}

/// A signal of the household already stored, with its case.
#[derive(Debug, Clone)]
pub struct Prior {
    pub facts: SignalFacts,
    pub case_id: String,
    /// A closed case takes no new signals; a new one opens instead.
    pub case_open: bool,
    /// A repeat sits in the case it repeats, which may be of another month: it does not
    /// stand for its own month's case.
    pub repeat: bool,
}

/// The decision for one new signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Index into the `new` slice given to [`assign`].
    pub index: usize,
    pub classification: Classification,
    pub target: Target,
}

fn canonical(a: &SignalFacts, b: &SignalFacts) -> Ordering {
    (a.signal_date, &a.partner, a.kind, a.arrears_cents, a.crisis).cmp(&(
        b.signal_date,
        &b.partner,
        b.kind,
        b.arrears_cents,
        b.crisis,
    ))
}

/// Where a signal goes, borrowed while one household is assigned: the same variants in the
/// same order as [`Target`], so both sort alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TargetRef<'a> {
    Existing(&'a str),
    New { year: i32, month: u32 },
}

impl TargetRef<'_> {
    fn to_target(self) -> Target {
        match self {
            TargetRef::Existing(id) => Target::Existing(id.to_string()),
            TargetRef::New { year, month } => Target::New { year, month },
        }
    }
}

/// Assigns one household's `new` signals to cases, given its stored `prior` signals.
pub fn assign(prior: &[Prior], new: &[SignalFacts]) -> Vec<Assignment> {
    let mut order: Vec<usize> = (0..new.len()).collect();
    order.sort_by(|&a, &b| canonical(&new[a], &new[b]).then(a.cmp(&b)));
    // Everything known so far: facts, target, whether that case is open, whether a repeat.
    let mut known: Vec<(&SignalFacts, TargetRef, bool, bool)> = Vec::with_capacity(prior.len() + new.len());
    known.extend(prior.iter().map(|p| (&p.facts, TargetRef::Existing(&p.case_id), p.case_open, p.repeat)));
    let mut out = Vec::with_capacity(new.len());
    for index in order {
        let facts = &new[index];
        let classification = classify(facts, known.iter().map(|(f, _, _, _)| *f));
        let same_month = |f: &SignalFacts| {
            f.signal_date.year == facts.signal_date.year && f.signal_date.month == facts.signal_date.month
        };
        let target = if classification.repeat {
            // The latest earlier signal of the same source: the repeat joins its case.
            known
                .iter()
                .filter(|(f, _, _, _)| {
                    f.partner == facts.partner && f.kind == facts.kind && f.signal_date <= facts.signal_date
                })
                .max_by(|a, b| canonical(a.0, b.0))
                .map(|(_, t, _, _)| *t)
        } else {
            None
        };
        let target = target.unwrap_or_else(|| {
            known
                .iter()
                .filter(|(f, _, open, repeat)| *open && !*repeat && same_month(f))
                .map(|(_, t, _, _)| *t)
                .min()
                .unwrap_or(TargetRef::New { year: facts.signal_date.year, month: facts.signal_date.month })
        });
        known.push((facts, target, true, classification.repeat));
        out.push(Assignment { index, classification, target: target.to_target() });
    }
    out.sort_by_key(|a| a.index);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Date;
    use crate::signals::SignalKind;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn s(partner: &str, kind: SignalKind, cents: i64, date: &str) -> SignalFacts {
        SignalFacts {
            partner: partner.into(),
            kind,
            arrears_cents: cents,
            signal_date: Date::parse(date).expect("date"),
            crisis: false,
        }
    }

    #[test]
    fn same_month_signals_stack_into_one_case_and_repeats_join_the_case_they_repeat() {
        let new = [
            s("corporatie", SignalKind::RentArrears, 80_000, "2026-10-05"),
            s("energie", SignalKind::EnergyArrears, 20_000, "2026-10-20"),
            s("corporatie", SignalKind::RentArrears, 80_000, "2026-11-05"),
            s("water", SignalKind::DrinkingWaterArrears, 5_000, "2026-11-06"),
        ];
        let out = assign(&[], &new);
        let october = Target::New { year: 2026, month: 10 };
        let november = Target::New { year: 2026, month: 11 };
        assert_eq!(out[0].target, october);
        assert_eq!(out[1].target, october);
        assert!(out[1].classification.multiple);
        assert_eq!(out[2].target, october, "a repeat is recorded on the case it repeats");
        assert!(out[2].classification.repeat);
        assert_eq!(out[3].target, november);
        assert!(out[3].classification.recurrent);
    }

    #[test]
    fn stored_open_cases_take_new_signals_but_closed_ones_do_not() {
        let prior = Prior {
            facts: s("energie", SignalKind::EnergyArrears, 1, "2026-11-02"),
            case_id: "c7".into(),
            case_open: true,
            repeat: false,
        };
        let new = [s("water", SignalKind::DrinkingWaterArrears, 5, "2026-11-10")];
        assert_eq!(assign(std::slice::from_ref(&prior), &new)[0].target, Target::Existing("c7".into()));
        let closed = Prior { case_open: false, ..prior };
        assert_eq!(assign(&[closed], &new)[0].target, Target::New { year: 2026, month: 11 });
    }

    fn arb_signal() -> impl Strategy<Value = SignalFacts> {
        (0usize..3, 0usize..3, 0i64..4, 0i64..120, any::<bool>()).prop_map(|(p, k, cents, day, crisis)| {
            let kinds = [SignalKind::RentArrears, SignalKind::EnergyArrears, SignalKind::Nuisance];
            SignalFacts {
                partner: ["a", "b", "c"][p].to_string(),
                kind: kinds[k],
                arrears_cents: cents * 10_000,
                signal_date: Date::parse("2026-06-01").expect("date").add_days(day),
                crisis,
            }
        })
    }

    /// The grouping as sets of signals per case, independent of indices.
    fn grouping(new: &[SignalFacts], out: &[Assignment]) -> BTreeSet<Vec<String>> {
        let mut by_target: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for a in out {
            // A new case is identified by its earliest member, not by its key alone, since a
            // repeat can sit in another month's case.
            by_target.entry(format!("{:?}", a.target)).or_default().push(format!("{:?}", new[a.index]));
        }
        by_target
            .into_values()
            .map(|mut v| {
                v.sort();
                v
            })
            .collect()
    }

    proptest! {
        #[test]
        fn arrival_order_does_not_change_the_grouping(
            signals in proptest::collection::vec(arb_signal(), 0..25),
            seed in any::<u64>(),
        ) {
            let first = assign(&[], &signals);
            let mut shuffled = signals.clone();
            // A deterministic shuffle from the seed (Fisher–Yates with an LCG).
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let j = (state >> 33) as usize % (i + 1);
                shuffled.swap(i, j);
            }
            let second = assign(&[], &shuffled);
            prop_assert_eq!(grouping(&signals, &first), grouping(&shuffled, &second));
            let mut c1: Vec<String> = first.iter().map(|a| format!("{:?}{:?}", signals[a.index], a.classification)).collect();
            let mut c2: Vec<String> = second.iter().map(|a| format!("{:?}{:?}", shuffled[a.index], a.classification)).collect();
            c1.sort();
            c2.sort();
            prop_assert_eq!(c1, c2);
        }

        #[test]
        fn every_case_holds_signals_of_one_month_except_repeats(signals in proptest::collection::vec(arb_signal(), 0..25)) {
            for a in assign(&[], &signals) {
                if let Target::New { year, month } = a.target {
                    let d = signals[a.index].signal_date;
                    prop_assert!(a.classification.repeat || (d.year == year && d.month == month));
                }
            }
        }
    }
}
