//! Storage of initiatives, support, budgeting rounds, verified voters and ballots.
