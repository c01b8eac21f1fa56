//! Initiatives and participatory budgeting: support thresholds, round phases, vote rules and counting.
