//! The pooled area budget (ontschot gebiedsbudget) as a double-entry ledger in whole cents.
//!
//! Sign convention: every posting is signed; **positive is a debit, negative a credit**, and
//! the postings of a transaction sum to exactly zero. Each account has a normal side:
//!
//! | account | normal balance | meaning of the balance |
//! | --- | --- | --- |
//! | `Funder { funder, stream }` | credit (≤ 0) | minus what the funder contributed through the stream |
//! | `Pool { stream }` | debit (≥ 0) | pooled money of the stream not yet allocated |
//! | `Intervention { intervention, stream }` | debit (≥ 0) | allocated to the intervention, not yet spent |
//! | `Spent { intervention, stream }` | debit (≥ 0) | spent by the intervention |
//!
//! So money flows Funder → Pool → Intervention → Spent, and for every stream
//! `contributed = unallocated + allocated but unspent + spent`. The [`Ledger`] refuses any
//! transaction that would push an account past its normal side, which is how "no allocation
//! beyond the pool" and "no spending beyond the allocation" are enforced, and why a
//! correction can only undo what is still there.
//!
//! Streams are never mixed inside one transaction (each stream's postings sum to zero),
//! because every funder accounts for its own stream even when the budget is pooled.
//! Corrections are new, reversing transactions ([`correction`]); nothing is ever edited.

use super::FundingStream;
use crate::calendar::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Formats cents as "1234.56 EUR" (no thousands separator, so it reads back unambiguously
/// in both Dutch and English).
pub fn format_eur(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02} EUR", abs / 100, abs % 100)
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Account {
    Funder { funder: String, stream: FundingStream },
    Pool { stream: FundingStream },
    Intervention { intervention: String, stream: FundingStream },
    Spent { intervention: String, stream: FundingStream },
}

impl Account {
    pub fn stream(&self) -> FundingStream {
        match self {
            Account::Funder { stream, .. }
            | Account::Pool { stream }
            | Account::Intervention { stream, .. }
            | Account::Spent { stream, .. } => *stream,
        }
    }

    /// A phrase naming the account in error messages.
    pub fn describe(&self) -> String {
        match self {
            Account::Funder { funder, stream } => format!("funder '{funder}' ({})", stream.label_nl()),
            Account::Pool { stream } => format!("the {} pool", stream.label_nl()),
            Account::Intervention { intervention, stream } => {
                format!("intervention '{intervention}' ({})", stream.label_nl())
            }
            Account::Spent { intervention, stream } => {
                format!("spending of intervention '{intervention}' ({})", stream.label_nl())
            }
        }
    }

    fn name_is_empty(&self) -> bool {
        match self {
            Account::Funder { funder: name, .. }
            | Account::Intervention { intervention: name, .. }
            | Account::Spent { intervention: name, .. } => name.trim().is_empty(),
            Account::Pool { .. } => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Posting {
    pub account: Account,
    /// Positive = debit, negative = credit.
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Transaction {
    pub id: String,
    /// ISO date, YYYY-MM-DD: the booking date, which decides the budget year.
    pub date: String,
    pub memo: String,
    /// The id of the transaction this one reverses, if it is a correction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
    pub postings: Vec<Posting>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a transaction needs an id")]
    MissingId,
    #[error("transaction {id}: '{date}' is not a date such as 2026-03-31")]
    InvalidDate { id: String, date: String },
    #[error("transaction {id} has {count} posting(s); money always moves from one account to another, so it needs at least 2")]
    TooFewPostings { id: String, count: usize },
    #[error("transaction {id} names an account without a funder or intervention name")]
    EmptyName { id: String },
    #[error("transaction {id} posts 0.00 EUR to {account}; leave that posting out")]
    ZeroAmount { id: String, account: String },
    #[error("transaction {id} has amounts too large to add up; split it into smaller transactions")]
    Overflow { id: String },
    #[error(
        "transaction {id} does not balance: debits {}, credits {}, difference {}; the positive and negative amounts must add up to zero",
        format_eur(*.debits_cents), format_eur(*.credits_cents), format_eur(.debits_cents - .credits_cents)
    )]
    Unbalanced { id: String, debits_cents: i64, credits_cents: i64 },
    #[error(
        "transaction {id} moves money between funding streams: the {} postings add up to {} instead of zero; book each stream separately",
        .stream.label_nl(), format_eur(*.difference_cents)
    )]
    StreamUnbalanced { id: String, stream: FundingStream, difference_cents: i64 },
    #[error("transaction id {id} is already in the ledger; corrections are new transactions with their own id")]
    DuplicateId { id: String },
    #[error("transaction {id} corrects {corrects}, which is not in the ledger")]
    UnknownCorrected { id: String, corrects: String },
    #[error("transaction {id} corrects {corrects}, which was already corrected by {by}")]
    AlreadyCorrected { id: String, corrects: String, by: String },
    #[error(
        "transaction {id} takes {} out of the {} pool, which holds only {} unallocated; contribute more or allocate less",
        format_eur(*.requested_cents), .stream.label_nl(), format_eur(*.available_cents)
    )]
    InsufficientPool { id: String, stream: FundingStream, available_cents: i64, requested_cents: i64 },
    #[error(
        "transaction {id} takes {} from intervention '{intervention}' ({}), which has only {} allocated and unspent; allocate more first",
        format_eur(*.requested_cents), .stream.label_nl(), format_eur(*.available_cents)
    )]
    InsufficientAllocation {
        id: String,
        intervention: String,
        stream: FundingStream,
        available_cents: i64,
        requested_cents: i64,
    },
    #[error(
        "transaction {id} returns {} to funder '{funder}' ({}), which contributed only {}",
        format_eur(*.returned_cents), .stream.label_nl(), format_eur(*.contributed_cents)
    )]
    FunderOverdrawn { id: String, funder: String, stream: FundingStream, contributed_cents: i64, returned_cents: i64 },
    #[error(
        "transaction {id} reverses {} of spending by intervention '{intervention}' ({}), which spent only {}",
        format_eur(*.reversed_cents), .stream.label_nl(), format_eur(*.spent_cents)
    )]
    SpentBelowZero { id: String, intervention: String, stream: FundingStream, spent_cents: i64, reversed_cents: i64 },
    #[error("transaction {id} would make the ledger's totals too large to count in cents")]
    BalanceOverflow { id: String },
}

impl LedgerError {
    /// Stable code for problem+json and logs.
    pub fn code(&self) -> &'static str {
        match self {
            LedgerError::MissingId => "ledger.missing_id",
            LedgerError::InvalidDate { .. } => "ledger.invalid_date",
            LedgerError::TooFewPostings { .. } => "ledger.too_few_postings",
            LedgerError::EmptyName { .. } => "ledger.empty_name",
            LedgerError::ZeroAmount { .. } => "ledger.zero_amount",
            LedgerError::Overflow { .. } => "ledger.overflow",
            LedgerError::Unbalanced { .. } => "ledger.unbalanced",
            LedgerError::StreamUnbalanced { .. } => "ledger.stream_unbalanced",
            LedgerError::DuplicateId { .. } => "ledger.duplicate_id",
            LedgerError::UnknownCorrected { .. } => "ledger.unknown_corrected",
            LedgerError::AlreadyCorrected { .. } => "ledger.already_corrected",
            LedgerError::InsufficientPool { .. } => "ledger.insufficient_pool",
            LedgerError::InsufficientAllocation { .. } => "ledger.insufficient_allocation",
            LedgerError::FunderOverdrawn { .. } => "ledger.funder_overdrawn",
            LedgerError::SpentBelowZero { .. } => "ledger.spent_below_zero",
            LedgerError::BalanceOverflow { .. } => "ledger.balance_overflow",
        }
    }
}

impl Transaction {
    pub fn new(
        id: impl Into<String>,
        date: impl Into<String>,
        memo: impl Into<String>,
        postings: Vec<Posting>,
    ) -> Self {
        Transaction { id: id.into(), date: date.into(), memo: memo.into(), corrects: None, postings }
    }

    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    pub fn dated(mut self, date: impl Into<String>) -> Self {
        self.date = date.into();
        self
    }

    pub fn with_memo(mut self, memo: impl Into<String>) -> Self {
        self.memo = memo.into();
        self
    }

    /// The budget year, if the date is valid.
    pub fn year(&self) -> Option<i32> {
        Date::parse(&self.date).ok().map(|d| d.year)
    }

    /// Checks the bookkeeping rules that need no ledger: an id and a date, at least two
    /// non-zero postings on named accounts, debits equal to credits overall and per stream.
    /// Sums are checked so that no amount can wrap around into a false balance.
    pub fn validate(&self) -> Result<(), LedgerError> {
        let id = || self.id.clone();
        if self.id.trim().is_empty() {
            return Err(LedgerError::MissingId);
        }
        if Date::parse(&self.date).is_err() {
            return Err(LedgerError::InvalidDate { id: id(), date: self.date.clone() });
        }
        if self.postings.len() < 2 {
            return Err(LedgerError::TooFewPostings { id: id(), count: self.postings.len() });
        }
        let (mut debits, mut credits) = (0i64, 0i64);
        let mut per_stream: BTreeMap<FundingStream, i64> = BTreeMap::new();
        for p in &self.postings {
            if p.account.name_is_empty() {
                return Err(LedgerError::EmptyName { id: id() });
            }
            if p.amount_cents == 0 {
                return Err(LedgerError::ZeroAmount { id: id(), account: p.account.describe() });
            }
            // Debits and credits are summed apart (credits as magnitudes), so the result
            // does not depend on the order of the postings and i64::MIN is refused.
            let overflow = || LedgerError::Overflow { id: id() };
            if p.amount_cents > 0 {
                debits = debits.checked_add(p.amount_cents).ok_or_else(overflow)?;
            } else {
                let magnitude = p.amount_cents.checked_neg().ok_or_else(overflow)?;
                credits = credits.checked_add(magnitude).ok_or_else(overflow)?;
            }
            let s = per_stream.entry(p.account.stream()).or_insert(0);
            // Bounded by the debit and credit totals just checked, so this cannot overflow.
            *s += p.amount_cents;
        }
        if debits != credits {
            return Err(LedgerError::Unbalanced { id: id(), debits_cents: debits, credits_cents: credits });
        }
        if let Some((&stream, &difference_cents)) = per_stream.iter().find(|(_, &sum)| sum != 0) {
            return Err(LedgerError::StreamUnbalanced { id: id(), stream, difference_cents });
        }
        Ok(())
    }
}

/// A two-sided movement of `cents` from `from` (credited) to `to` (debited), with no id or
/// date yet: set them with [`Transaction::with_id`] and [`Transaction::dated`].
fn movement(memo: String, from: Account, to: Account, cents: i64) -> Transaction {
    let postings = vec![
        Posting { account: to, amount_cents: cents },
        Posting { account: from, amount_cents: cents.saturating_neg() },
    ];
    Transaction::new("", "", memo, postings)
}

/// Money a funder puts into the pool of a stream: the funder is credited, the pool debited.
/// A negative amount returns unallocated money to the funder; the ledger limits that to what
/// is in the pool and what the funder put in.
pub fn contribution(funder: impl Into<String>, stream: FundingStream, cents: i64) -> Transaction {
    let funder = funder.into();
    let memo = format!("Bijdrage {funder} ({})", stream.label_nl());
    movement(memo, Account::Funder { funder, stream }, Account::Pool { stream }, cents)
}

/// Pooled money assigned to an intervention: the pool is credited, the intervention debited.
pub fn allocation(stream: FundingStream, intervention: impl Into<String>, cents: i64) -> Transaction {
    let intervention = intervention.into();
    let memo = format!("Toewijzing aan {intervention} ({})", stream.label_nl());
    movement(memo, Account::Pool { stream }, Account::Intervention { intervention, stream }, cents)
}

/// Money an intervention spends: its allocation is credited, its spending debited.
pub fn spending(intervention: impl Into<String>, stream: FundingStream, cents: i64) -> Transaction {
    let intervention = intervention.into();
    let memo = format!("Besteding {intervention} ({})", stream.label_nl());
    let from = Account::Intervention { intervention: intervention.clone(), stream };
    movement(memo, from, Account::Spent { intervention, stream }, cents)
}

/// The transaction that exactly reverses `of`, dated the same so that per-year totals net
/// out; override id or date with the builder methods if needed. A posting of i64::MIN,
/// which no valid transaction has, saturates and so yields an invalid correction.
pub fn correction(of: &Transaction) -> Transaction {
    Transaction {
        id: format!("{}-correctie", of.id),
        date: of.date.clone(),
        memo: format!("Correctie van {}: {}", of.id, of.memo),
        corrects: Some(of.id.clone()),
        postings: of
            .postings
            .iter()
            .map(|p| Posting { account: p.account.clone(), amount_cents: p.amount_cents.saturating_neg() })
            .collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StreamSummary {
    pub contributed_cents: i64,
    pub unallocated_cents: i64,
    pub allocated_unspent_cents: i64,
    pub spent_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FunderSummary {
    pub contributed_cents: i64,
    pub per_stream: BTreeMap<FundingStream, i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterventionSummary {
    /// Everything allocated net of corrections: spent plus remaining.
    pub allocated_cents: i64,
    pub spent_cents: i64,
    pub remaining_cents: i64,
}

/// Applied transactions and the balances they produce. Only zero-sum, rule-abiding
/// transactions get in, so every summary adds up.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    transactions: Vec<Transaction>,
    ids: BTreeSet<String>,
    /// Original id → id of the correction that reversed it.
    corrected_by: BTreeMap<String, String>,
    /// Non-zero balances only, so "back to how it was" compares equal.
    balances: BTreeMap<Account, i64>,
    /// Total contributed over all funders. Every debit-normal balance is non-negative and
    /// together they equal this total, so keeping it within i64 bounds every summary.
    total_contributed: i64,
}

impl Ledger {
    pub fn new() -> Self {
        Ledger::default()
    }

    /// Rebuilds a ledger from stored transactions, refusing the first one that breaks a rule.
    pub fn from_transactions(txs: impl IntoIterator<Item = Transaction>) -> Result<Self, LedgerError> {
        let mut ledger = Ledger::new();
        for tx in txs {
            ledger.apply(tx)?;
        }
        Ok(ledger)
    }

    pub fn transactions(&self) -> &[Transaction] {
        &self.transactions
    }

    /// Validates `tx`, checks it against the current balances, and only then books it: a
    /// refused transaction leaves the ledger untouched.
    pub fn apply(&mut self, tx: Transaction) -> Result<(), LedgerError> {
        tx.validate()?;
        let id = || tx.id.clone();
        if self.ids.contains(&tx.id) {
            return Err(LedgerError::DuplicateId { id: id() });
        }
        if let Some(corrects) = &tx.corrects {
            if !self.ids.contains(corrects) {
                return Err(LedgerError::UnknownCorrected { id: id(), corrects: corrects.clone() });
            }
            if let Some(by) = self.corrected_by.get(corrects) {
                return Err(LedgerError::AlreadyCorrected { id: id(), corrects: corrects.clone(), by: by.clone() });
            }
        }
        let overflow = || LedgerError::BalanceOverflow { id: id() };
        let mut deltas: BTreeMap<&Account, i64> = BTreeMap::new();
        for p in &tx.postings {
            let d = deltas.entry(&p.account).or_insert(0);
            *d = d.checked_add(p.amount_cents).ok_or_else(overflow)?;
        }
        let mut new_balances = Vec::with_capacity(deltas.len());
        let mut total = self.total_contributed;
        for (&account, &delta) in &deltas {
            let old = self.balance(account);
            let new = old.checked_add(delta).ok_or_else(overflow)?;
            self.check_normal_side(&tx.id, account, old, delta, new)?;
            if matches!(account, Account::Funder { .. }) {
                total = total.checked_sub(delta).ok_or_else(overflow)?;
            }
            new_balances.push((account.clone(), new));
        }
        for (account, new) in new_balances {
            if new == 0 {
                self.balances.remove(&account);
            } else {
                self.balances.insert(account, new);
            }
        }
        self.total_contributed = total;
        if let Some(corrects) = &tx.corrects {
            self.corrected_by.insert(corrects.clone(), tx.id.clone());
        }
        self.ids.insert(tx.id.clone());
        self.transactions.push(tx);
        Ok(())
    }

    fn check_normal_side(
        &self,
        id: &str,
        account: &Account,
        old: i64,
        delta: i64,
        new: i64,
    ) -> Result<(), LedgerError> {
        let id = id.to_string();
        // `delta` is negative (or positive for funders) whenever the check fails, and
        // |delta| > |old|, so negating it cannot overflow: it came from a validated posting.
        match account {
            Account::Funder { funder, stream } if new > 0 => Err(LedgerError::FunderOverdrawn {
                id,
                funder: funder.clone(),
                stream: *stream,
                contributed_cents: -old,
                returned_cents: delta,
            }),
            Account::Pool { stream } if new < 0 => Err(LedgerError::InsufficientPool {
                id,
                stream: *stream,
                available_cents: old,
                requested_cents: -delta,
            }),
            Account::Intervention { intervention, stream } if new < 0 => Err(LedgerError::InsufficientAllocation {
                id,
                intervention: intervention.clone(),
                stream: *stream,
                available_cents: old,
                requested_cents: -delta,
            }),
            Account::Spent { intervention, stream } if new < 0 => Err(LedgerError::SpentBelowZero {
                id,
                intervention: intervention.clone(),
                stream: *stream,
                spent_cents: old,
                reversed_cents: -delta,
            }),
            _ => Ok(()),
        }
    }

    pub fn balance(&self, account: &Account) -> i64 {
        self.balances.get(account).copied().unwrap_or(0)
    }

    /// Every non-zero balance.
    pub fn balances(&self) -> BTreeMap<Account, i64> {
        self.balances.clone()
    }

    /// Sum over all accounts; zero by construction. i128 so that checking it can never
    /// overflow itself.
    pub fn sum_of_balances(&self) -> i128 {
        self.balances.values().map(|&b| i128::from(b)).sum()
    }

    /// What each funder contributed (positive), in total and per stream.
    pub fn balance_per_funder(&self) -> BTreeMap<String, FunderSummary> {
        let mut out: BTreeMap<String, FunderSummary> = BTreeMap::new();
        for (account, &balance) in &self.balances {
            if let Account::Funder { funder, stream } = account {
                let s = out.entry(funder.clone()).or_default();
                // All within total_contributed, see the field's comment.
                s.contributed_cents += -balance;
                *s.per_stream.entry(*stream).or_insert(0) += -balance;
            }
        }
        out
    }

    /// Per stream: contributed = unallocated + allocated_unspent + spent.
    pub fn per_stream(&self) -> BTreeMap<FundingStream, StreamSummary> {
        let mut out: BTreeMap<FundingStream, StreamSummary> = BTreeMap::new();
        for (account, &balance) in &self.balances {
            let s = out.entry(account.stream()).or_default();
            match account {
                Account::Funder { .. } => s.contributed_cents += -balance,
                Account::Pool { .. } => s.unallocated_cents += balance,
                Account::Intervention { .. } => s.allocated_unspent_cents += balance,
                Account::Spent { .. } => s.spent_cents += balance,
            }
        }
        out
    }

    /// Per intervention over all streams: allocated = spent + remaining.
    pub fn per_intervention(&self) -> BTreeMap<String, InterventionSummary> {
        let mut out: BTreeMap<String, InterventionSummary> = BTreeMap::new();
        for (account, &balance) in &self.balances {
            match account {
                Account::Intervention { intervention, .. } => {
                    let s = out.entry(intervention.clone()).or_default();
                    s.remaining_cents += balance;
                    s.allocated_cents += balance;
                }
                Account::Spent { intervention, .. } => {
                    let s = out.entry(intervention.clone()).or_default();
                    s.spent_cents += balance;
                    s.allocated_cents += balance;
                }
                _ => {}
            }
        }
        out
    }

    /// Net contributions per (year, funder, stream), from the booking dates. Saturating,
    /// because a contribution and its correction may fall in different years, so one year's
    /// figure is not bounded by the ledger total.
    pub fn contributions_per_year(&self) -> BTreeMap<(i32, String, FundingStream), i64> {
        let mut out: BTreeMap<(i32, String, FundingStream), i64> = BTreeMap::new();
        for tx in &self.transactions {
            let Some(year) = tx.year() else { continue };
            for p in &tx.postings {
                if let Account::Funder { funder, stream } = &p.account {
                    let v = out.entry((year, funder.clone(), *stream)).or_insert(0);
                    *v = v.saturating_add(p.amount_cents.saturating_neg());
                }
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
