//! Residents' rules: public-space reports (categories, status machine, service levels),
//! participatory budgeting (phases, vote rules, counting) and panels (surveys, results).

pub mod budgeting;
pub mod panels;
pub mod reports;
