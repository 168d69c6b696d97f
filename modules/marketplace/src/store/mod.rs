//! SQL of the marketplace, one file per area; services call these and hold the rules.

pub mod campaigns;
pub mod deliveries;
pub mod pricing;
pub mod providers;
pub mod reviews;
pub mod search;
pub mod window;
