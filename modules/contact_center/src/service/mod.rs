//! Domain rules of part 1 (no HTTP types): validation, the campaign status
//! machine, imports, routing and assignment, computed figures.

pub mod campaigns;
pub mod contacts;
pub mod org;
pub mod queues;
