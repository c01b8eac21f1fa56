//! Storage of the residents capability; one file per part, each adding `impl Store`
//! methods and its records.

mod inzage;
mod panels;
mod participation;
mod reports;

#[allow(unused_imports)]
pub use inzage::*;
#[allow(unused_imports)]
pub use panels::*;
#[allow(unused_imports)]
pub use participation::*;
#[allow(unused_imports)]
pub use reports::*;
