//! Tests of the pooled-budget ledger: worked examples and the invariants from issue 7.

use super::*;
use proptest::prelude::*;
use FundingStream::{Jeugdwet, Wmo, Zvw};

fn tx(t: Transaction, id: &str) -> Transaction {
    t.with_id(id).dated("2026-02-01")
}

/// Three funders, two interventions: the demo's shape.
fn demo() -> Ledger {
    let mut l = Ledger::new();
    l.apply(tx(contribution("Gemeente", Wmo, 10_000_000), "c1")).expect("c1");
    l.apply(tx(contribution("Gemeente", Jeugdwet, 4_000_000), "c2")).expect("c2");
    l.apply(tx(contribution("Zorgverzekeraar", Zvw, 5_000_000), "c3")).expect("c3");
    l.apply(tx(contribution("Woonstad", FundingStream::Corporation, 2_500_000), "c4")).expect("c4");
    l.apply(tx(allocation(Wmo, "Buurtteam", 6_000_000), "a1")).expect("a1");
    l.apply(tx(allocation(Zvw, "Buurtteam", 3_000_000), "a2")).expect("a2");
    l.apply(tx(allocation(Jeugdwet, "Huiskamer", 1_000_000), "a3")).expect("a3");
    l.apply(tx(spending("Buurtteam", Wmo, 2_500_000), "s1")).expect("s1");
    l
}

#[test]
fn demo_summaries_add_up() {
    let l = demo();
    assert_eq!(l.sum_of_balances(), 0);
    let funders = l.balance_per_funder();
    assert_eq!(funders["Gemeente"].contributed_cents, 14_000_000);
    assert_eq!(funders["Gemeente"].per_stream[&Jeugdwet], 4_000_000);
    assert_eq!(funders["Zorgverzekeraar"].contributed_cents, 5_000_000);
    let wmo = l.per_stream()[&Wmo];
    assert_eq!(
        wmo,
        StreamSummary {
            contributed_cents: 10_000_000,
            unallocated_cents: 4_000_000,
            allocated_unspent_cents: 3_500_000,
            spent_cents: 2_500_000
        }
    );
    let team = l.per_intervention()["Buurtteam"];
    assert_eq!(
        team,
        InterventionSummary { allocated_cents: 9_000_000, spent_cents: 2_500_000, remaining_cents: 6_500_000 }
    );
    assert_eq!(l.contributions_per_year()[&(2026, "Gemeente".to_string(), Wmo)], 10_000_000);
}

#[test]
fn unbalanced_message_says_what_to_fix() {
    let t = Transaction::new(
        "t1",
        "2026-01-01",
        "",
        vec![
            Posting { account: Account::Pool { stream: Wmo }, amount_cents: 100_000 },
            Posting { account: Account::Funder { funder: "G".into(), stream: Wmo }, amount_cents: -90_000 },
        ],
    );
    let err = t.validate().expect_err("unbalanced");
    assert_eq!(err.code(), "ledger.unbalanced");
    assert!(
        err.to_string().contains("does not balance: debits 1000.00 EUR, credits 900.00 EUR, difference 100.00 EUR"),
        "{err}"
    );
}

#[test]
fn validation_errors() {
    let ok = tx(contribution("G", Wmo, 100), "x");
    assert_eq!(ok.validate(), Ok(()));
    assert_eq!(contribution("G", Wmo, 100).dated("2026-01-01").validate(), Err(LedgerError::MissingId));
    assert_eq!(ok.clone().dated("2026-02-30").validate().map_err(|e| e.code()), Err("ledger.invalid_date"));
    assert_eq!(tx(contribution("G", Wmo, 0), "x").validate().map_err(|e| e.code()), Err("ledger.zero_amount"));
    assert_eq!(tx(contribution(" ", Wmo, 5), "x").validate().map_err(|e| e.code()), Err("ledger.empty_name"));
    let mut one = ok.clone();
    one.postings.truncate(1);
    assert_eq!(one.validate().map_err(|e| e.code()), Err("ledger.too_few_postings"));
    // Wmo money booked onto a Jeugdwet intervention: balanced overall, not per stream.
    let mixed = Transaction::new(
        "m",
        "2026-01-01",
        "",
        vec![
            Posting { account: Account::Pool { stream: Wmo }, amount_cents: -500 },
            Posting {
                account: Account::Intervention { intervention: "H".into(), stream: Jeugdwet },
                amount_cents: 500,
            },
        ],
    );
    let err = mixed.validate().expect_err("mixed streams");
    assert_eq!(err.code(), "ledger.stream_unbalanced");
    assert!(err.to_string().contains("Wmo 2015 postings add up to -5.00 EUR"), "{err}");
    // Order-independent overflow: MAX + 1 on the debit side cannot be summed.
    let big = Transaction::new(
        "b",
        "2026-01-01",
        "",
        vec![
            Posting { account: Account::Pool { stream: Wmo }, amount_cents: i64::MAX },
            Posting { account: Account::Pool { stream: Wmo }, amount_cents: 1 },
            Posting { account: Account::Funder { funder: "G".into(), stream: Wmo }, amount_cents: i64::MIN },
        ],
    );
    assert_eq!(big.validate().map_err(|e| e.code()), Err("ledger.overflow"));
}

#[test]
fn business_rules_refuse_overdrafts_with_amounts() {
    let mut l = demo();
    let before = l.balances();
    let err = l.apply(tx(allocation(Wmo, "Huiskamer", 4_000_001), "a9")).expect_err("pool too small");
    assert_eq!(
        err.to_string(),
        "transaction a9 takes 40000.01 EUR out of the Wmo 2015 pool, which holds only 40000.00 EUR unallocated; \
         contribute more or allocate less"
    );
    let err = l.apply(tx(spending("Buurtteam", Zvw, 3_000_001), "s9")).expect_err("allocation too small");
    assert_eq!(err.code(), "ledger.insufficient_allocation");
    assert!(err.to_string().contains("has only 30000.00 EUR allocated and unspent"), "{err}");
    // Undoing a contribution whose money was already allocated would empty the pool below zero.
    let c1 = l.transactions()[0].clone();
    assert_eq!(l.apply(correction(&c1)).map_err(|e| e.code()), Err("ledger.insufficient_pool"));
    // Returning more than a funder put in is refused, even though the pool could pay it.
    let mut richer = l.clone();
    richer.apply(tx(contribution("Gemeente", FundingStream::Corporation, 1_000_000), "c9")).expect("c9");
    let err = richer
        .apply(tx(contribution("Woonstad", FundingStream::Corporation, -2_500_001), "r9"))
        .expect_err("more than contributed");
    assert_eq!(
        err.to_string(),
        "transaction r9 returns 25000.01 EUR to funder 'Woonstad' (Woningcorporatie), which contributed only 25000.00 EUR"
    );
    // Returning unallocated money within both limits is fine.
    l.apply(tx(contribution("Gemeente", Wmo, -1), "r1")).expect("return 0.01 EUR");
    l.apply(correction(&l.transactions()[8].clone())).expect("undo the return");
    assert_eq!(l.balances(), before, "refused transactions leave no trace");
    assert_eq!(l.transactions().len(), 10, "only r1 and its correction were booked");
}

#[test]
fn corrections_are_new_transactions() {
    let mut l = demo();
    let s1 = l.transactions()[7].clone();
    let fix = correction(&s1);
    assert_eq!(fix.id, "s1-correctie");
    assert_eq!(fix.corrects.as_deref(), Some("s1"));
    l.apply(fix.clone()).expect("correction");
    assert_eq!(l.per_intervention()["Buurtteam"].spent_cents, 0);
    assert_eq!(l.transactions().len(), 9, "the original stays in the ledger");
    assert_eq!(l.apply(fix.clone()).map_err(|e| e.code()), Err("ledger.duplicate_id"));
    let again = fix.clone().with_id("s1-correctie-2");
    assert_eq!(l.apply(again).map_err(|e| e.code()), Err("ledger.already_corrected"));
    let mut orphan = fix.with_id("o");
    orphan.corrects = Some("nope".into());
    assert_eq!(l.apply(orphan).map_err(|e| e.code()), Err("ledger.unknown_corrected"));
}

#[test]
fn eur_formatting() {
    assert_eq!(format_eur(0), "0.00 EUR");
    assert_eq!(format_eur(5), "0.05 EUR");
    assert_eq!(format_eur(-123_456), "-1234.56 EUR");
    assert_eq!(format_eur(i64::MIN), "-92233720368547758.08 EUR");
}

const FUNDERS: [&str; 3] = ["Gemeente", "Zorgverzekeraar", "Woonstad"];
const INTERVENTIONS: [&str; 2] = ["Buurtteam", "Huiskamer"];

fn stream() -> impl Strategy<Value = FundingStream> {
    prop::sample::select(FundingStream::ALL.to_vec())
}

fn account() -> impl Strategy<Value = Account> {
    prop_oneof![
        (prop::sample::select(FUNDERS.to_vec()), stream())
            .prop_map(|(f, stream)| Account::Funder { funder: f.into(), stream }),
        stream().prop_map(|stream| Account::Pool { stream }),
        (prop::sample::select(INTERVENTIONS.to_vec()), stream())
            .prop_map(|(i, stream)| Account::Intervention { intervention: i.into(), stream }),
        (prop::sample::select(INTERVENTIONS.to_vec()), stream())
            .prop_map(|(i, stream)| Account::Spent { intervention: i.into(), stream }),
    ]
}

/// Amounts from small to near the limit, so both ordinary rules and overflow are exercised.
fn cents() -> impl Strategy<Value = i64> {
    prop_oneof![1i64..1_000_000, 1i64..=i64::MAX, Just(i64::MAX)]
}

/// Any transaction: the helpers (often valid), their corrections of a previous one, and
/// arbitrary postings (valid or not).
#[derive(Debug, Clone)]
enum Op {
    Contribute(usize, FundingStream, i64),
    Allocate(FundingStream, usize, i64),
    Spend(usize, FundingStream, i64),
    CorrectEarlier(usize),
    Raw(Vec<(Account, i64)>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..FUNDERS.len(), stream(), cents()).prop_map(|(f, s, c)| Op::Contribute(f, s, c)),
        (stream(), 0..INTERVENTIONS.len(), cents()).prop_map(|(s, i, c)| Op::Allocate(s, i, c)),
        (0..INTERVENTIONS.len(), stream(), cents()).prop_map(|(i, s, c)| Op::Spend(i, s, c)),
        any::<usize>().prop_map(Op::CorrectEarlier),
        prop::collection::vec((account(), any::<i64>()), 0..5).prop_map(Op::Raw),
    ]
}

fn build(op: &Op, n: usize, ledger: &Ledger) -> Transaction {
    let t = match op {
        Op::Contribute(f, s, c) => contribution(FUNDERS[*f], *s, *c),
        Op::Allocate(s, i, c) => allocation(*s, INTERVENTIONS[*i], *c),
        Op::Spend(i, s, c) => spending(INTERVENTIONS[*i], *s, *c),
        Op::CorrectEarlier(k) => match ledger.transactions() {
            [] => contribution(FUNDERS[0], Wmo, 100),
            txs => correction(&txs[k % txs.len()]),
        },
        Op::Raw(postings) => Transaction::new(
            "",
            "",
            "raw",
            postings
                .iter()
                .map(|(account, amount_cents)| Posting { account: account.clone(), amount_cents: *amount_cents })
                .collect(),
        ),
    };
    t.with_id(format!("t{n}")).dated("2026-06-30")
}

fn assert_invariants(l: &Ledger) -> Result<(), TestCaseError> {
    prop_assert_eq!(l.sum_of_balances(), 0);
    for (stream, s) in l.per_stream() {
        let parts = i128::from(s.unallocated_cents) + i128::from(s.allocated_unspent_cents) + i128::from(s.spent_cents);
        prop_assert_eq!(i128::from(s.contributed_cents), parts, "stream {:?}", stream);
    }
    for (_, s) in l.per_intervention() {
        prop_assert_eq!(s.allocated_cents, s.spent_cents + s.remaining_cents);
    }
    for (account, b) in l.balances() {
        match account {
            Account::Funder { .. } => prop_assert!(b < 0),
            _ => prop_assert!(b > 0),
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn accepted_transactions_keep_the_ledger_at_zero(ops in prop::collection::vec(op(), 0..40)) {
        let mut l = Ledger::new();
        for (n, op) in ops.iter().enumerate() {
            let t = build(op, n, &l);
            let before = l.balances();
            if l.apply(t).is_err() {
                prop_assert_eq!(&l.balances(), &before, "a refused transaction changed balances");
            }
            assert_invariants(&l)?;
        }
    }

    #[test]
    fn unbalanced_transactions_are_always_refused(
        ops in prop::collection::vec(op(), 0..20),
        postings in prop::collection::vec((account(), any::<i64>()), 0..6),
    ) {
        let sum: i128 = postings.iter().map(|(_, a)| i128::from(*a)).sum();
        prop_assume!(sum != 0);
        let mut l = Ledger::new();
        for (n, op) in ops.iter().enumerate() {
            let _ = l.apply(build(op, n, &l));
        }
        let before = l.balances();
        let count = l.transactions().len();
        let t = build(&Op::Raw(postings), 1_000, &l);
        prop_assert!(t.validate().is_err());
        prop_assert!(l.apply(t).is_err());
        prop_assert_eq!(l.balances(), before);
        prop_assert_eq!(l.transactions().len(), count);
    }

    #[test]
    fn a_correction_restores_every_balance(ops in prop::collection::vec(op(), 0..30), last in op()) {
        let mut l = Ledger::new();
        for (n, op) in ops.iter().enumerate() {
            let _ = l.apply(build(op, n, &l));
        }
        let before = l.balances();
        let t = build(&last, 1_000, &l);
        if l.apply(t.clone()).is_ok() {
            l.apply(correction(&t)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(l.balances(), before);
            assert_invariants(&l)?;
        }
    }
}
