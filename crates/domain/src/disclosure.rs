//! Statistical disclosure control for figures shown outside the team that owns the
//! records: a count below the threshold is hidden, others are rounded, and a share or
//! median over too few records is hidden. Thresholds follow common practice of Dutch
//! municipal research offices (cells under 10 hidden, counts rounded to 5).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DisclosureControl {
    /// Counts (and denominators of shares) below this are hidden.
    pub min_cell: u64,
    /// Counts shown are rounded to a multiple of this.
    pub round_to: u64,
}

impl Default for DisclosureControl {
    fn default() -> Self {
        DisclosureControl { min_cell: 10, round_to: 5 }
    }
}

impl DisclosureControl {
    /// No control: for the team's own records.
    pub const NONE: DisclosureControl = DisclosureControl { min_cell: 0, round_to: 1 };

    /// A count as it may be shown: `None` when hidden.
    pub fn count(&self, n: u64) -> Option<u64> {
        if n < self.min_cell {
            return None;
        }
        let step = self.round_to.max(1);
        Some((n + step / 2) / step * step)
    }

    /// A share (0–1) of `part` in `whole`, hidden when the whole is too small. Computed
    /// from the exact counts, shown rounded to whole percents by the caller.
    pub fn share(&self, part: u64, whole: u64) -> Option<f64> {
        if whole == 0 || whole < self.min_cell {
            return None;
        }
        Some(part as f64 / whole as f64)
    }

    /// A statistic over `n` records (such as a median), hidden when `n` is too small.
    pub fn over<T>(&self, n: u64, value: Option<T>) -> Option<T> {
        if n < self.min_cell.max(1) {
            None
        } else {
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_are_hidden_and_counts_rounded() {
        let c = DisclosureControl::default();
        assert_eq!(c.count(9), None);
        assert_eq!(c.count(10), Some(10));
        assert_eq!(c.count(12), Some(10));
        assert_eq!(c.count(13), Some(15));
        assert_eq!(c.share(3, 9), None);
        assert_eq!(c.share(5, 20), Some(0.25));
        assert_eq!(c.over(4, Some(2.0)), None);
        assert_eq!(DisclosureControl::NONE.count(1), Some(1));
        assert_eq!(DisclosureControl::NONE.share(0, 0), None);
    }
}
