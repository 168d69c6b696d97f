//! SQL of the marketplace, one file per area; services call these and hold the rules.

pub mod analytics;
pub mod bookings;
pub mod campaigns;
pub mod categories;
pub mod deliveries;
pub mod pricing;
pub mod profiles;
pub mod providers;
pub mod requests;
pub mod reviews;
pub mod search;
pub mod window;
