//! DumuWaks marketplace pricing and reviews (specs/marketplace.md), served at
//! `/marketplace/v1`.

pub mod api;
pub mod delivery_reports;
pub mod demo;
pub mod model;
pub mod service;
pub mod stats;
pub mod store;

use std::sync::Arc;

use frontline_platform::http::{self, Module, ModuleInfo, MountedModule};
use frontline_platform::ratelimit::LimitRule;
use frontline_platform::Platform;

pub const SLUG: &str = "marketplace";

/// Schema steps of this module, applied in order (never edit a released step).
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE marketplace_categories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX marketplace_categories_name ON marketplace_categories(lower(name));
CREATE TABLE marketplace_providers (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    profile_image TEXT,
    lng REAL,
    lat REAL,
    address TEXT,
    city TEXT,
    rating_avg REAL NOT NULL DEFAULT 0,
    rating_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX marketplace_providers_geo ON marketplace_providers(lat, lng);
CREATE TABLE marketplace_customers (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    preferences TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE TABLE marketplace_pricing (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES marketplace_providers(id),
    category_id TEXT,
    service_key TEXT NOT NULL,
    service_name TEXT NOT NULL,
    pricing_type TEXT NOT NULL,
    current_price REAL NOT NULL,
    currency TEXT NOT NULL,
    config TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE(provider_id, service_key)
);
CREATE INDEX marketplace_pricing_category ON marketplace_pricing(category_id, is_active, current_price);
CREATE TABLE marketplace_pricing_history (
    id TEXT PRIMARY KEY,
    pricing_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    change_type TEXT NOT NULL,
    previous_state TEXT NOT NULL,
    new_state TEXT NOT NULL,
    changed_fields TEXT NOT NULL,
    reason TEXT,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX marketplace_pricing_history_provider ON marketplace_pricing_history(provider_id, changed_at);
CREATE TABLE marketplace_bookings (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES marketplace_customers(id),
    provider_id TEXT NOT NULL REFERENCES marketplace_providers(id),
    pricing_id TEXT NOT NULL REFERENCES marketplace_pricing(id),
    service_type TEXT NOT NULL,
    service_date TEXT NOT NULL,
    duration INTEGER NOT NULL DEFAULT 60,
    price REAL NOT NULL,
    incentive_code TEXT,
    status TEXT NOT NULL,
    completed_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX marketplace_bookings_provider ON marketplace_bookings(provider_id, status, service_date);
CREATE INDEX marketplace_bookings_customer ON marketplace_bookings(customer_id);
CREATE TABLE marketplace_reviews (
    id TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL UNIQUE REFERENCES marketplace_bookings(id),
    provider_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    request_id TEXT,
    overall_rating INTEGER NOT NULL,
    category_ratings TEXT NOT NULL DEFAULT '{}',
    title TEXT,
    comment TEXT,
    pros TEXT NOT NULL DEFAULT '[]',
    photos TEXT NOT NULL DEFAULT '[]',
    source TEXT,
    status TEXT NOT NULL DEFAULT 'submitted',
    moderation_status TEXT NOT NULL DEFAULT 'pending',
    flagged INTEGER NOT NULL DEFAULT 0,
    moderated_by TEXT,
    moderated_at TEXT,
    moderation_reason TEXT,
    helpful_votes INTEGER NOT NULL DEFAULT 0,
    not_helpful_votes INTEGER NOT NULL DEFAULT 0,
    response TEXT,
    responded_at TEXT,
    incentive TEXT,
    incentive_code TEXT UNIQUE,
    incentive_claimed INTEGER NOT NULL DEFAULT 0,
    submitted_at TEXT NOT NULL
);
CREATE INDEX marketplace_reviews_provider ON marketplace_reviews(provider_id, submitted_at);
CREATE INDEX marketplace_reviews_customer ON marketplace_reviews(customer_id, submitted_at);
CREATE TABLE marketplace_review_votes (
    review_id TEXT NOT NULL REFERENCES marketplace_reviews(id),
    user_id TEXT NOT NULL,
    vote TEXT NOT NULL,
    PRIMARY KEY (review_id, user_id)
);
CREATE TABLE marketplace_review_requests (
    id TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL UNIQUE REFERENCES marketplace_bookings(id),
    customer_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    campaign_id TEXT,
    variant_id TEXT,
    channel TEXT NOT NULL,
    timing_strategy TEXT NOT NULL,
    status TEXT NOT NULL,
    scheduled_at TEXT NOT NULL,
    requested_at TEXT,
    expires_at TEXT,
    reminder_count INTEGER NOT NULL DEFAULT 0,
    next_reminder_at TEXT,
    decline_reason TEXT,
    decline_feedback TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX marketplace_review_requests_customer ON marketplace_review_requests(customer_id, status);
CREATE INDEX marketplace_review_requests_campaign ON marketplace_review_requests(campaign_id, variant_id);
CREATE TABLE marketplace_campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"#,
    // Step 2: covering indexes for provider search, so that finding the
    // providers near a place and their prices in a category reads index pages
    // only; the rows are read for the page shown.
    r#"
CREATE INDEX marketplace_providers_near ON marketplace_providers(lat, lng, id, rating_avg, rating_count);
CREATE INDEX marketplace_pricing_by_provider ON marketplace_pricing(provider_id, category_id, is_active, current_price);
"#,
    // Step 3: categories are registered on first use (named after their
    // reference until an admin names them) and found by id or slug.
    r#"
ALTER TABLE marketplace_categories ADD COLUMN slug TEXT;
ALTER TABLE marketplace_categories ADD COLUMN named INTEGER NOT NULL DEFAULT 1;
UPDATE marketplace_categories SET slug = lower(replace(trim(name), ' ', '-'));
CREATE INDEX marketplace_categories_slug ON marketplace_categories(slug);
"#,
    // Step 4: what sending review requests and reminders did (statuses, reasons, cost).
    service::requests::DELIVERY_MIGRATION,
    // Step 5: every documented filter and order of the review and pricing lists reads
    // an index in list order that also holds the filtered columns, so a page (first
    // or deep) and its total read index pages only; the page's rows are read last.
    r#"
DROP INDEX marketplace_reviews_provider;
DROP INDEX marketplace_reviews_customer;
CREATE INDEX marketplace_reviews_moderation ON marketplace_reviews(moderation_status, submitted_at);
CREATE INDEX marketplace_reviews_newest ON marketplace_reviews(submitted_at);
CREATE INDEX marketplace_reviews_customer ON marketplace_reviews(customer_id, submitted_at);
CREATE INDEX marketplace_reviews_provider_recent ON marketplace_reviews(provider_id, submitted_at, moderation_status, overall_rating);
CREATE INDEX marketplace_reviews_provider_rating ON marketplace_reviews(provider_id, overall_rating, submitted_at, moderation_status);
CREATE INDEX marketplace_reviews_provider_rating_asc ON marketplace_reviews(provider_id, overall_rating DESC, submitted_at, moderation_status);
CREATE INDEX marketplace_reviews_provider_helpful ON marketplace_reviews(provider_id, helpful_votes, submitted_at, moderation_status, overall_rating);
CREATE INDEX marketplace_pricing_provider_list ON marketplace_pricing(provider_id, created_at, is_active, category_id, pricing_type);
CREATE INDEX marketplace_pricing_history_list ON marketplace_pricing_history(provider_id, changed_at, pricing_id, change_type);
"#,
    // Step 6: visible reviews per provider and rating, kept by triggers, so a
    // provider's distribution, list totals and average never rescan its reviews.
    r#"
CREATE TABLE marketplace_provider_ratings (
    provider_id TEXT NOT NULL,
    rating INTEGER NOT NULL,
    visible INTEGER NOT NULL,
    PRIMARY KEY (provider_id, rating)
) WITHOUT ROWID;
INSERT INTO marketplace_provider_ratings (provider_id, rating, visible)
    SELECT provider_id, overall_rating, COUNT(*) FROM marketplace_reviews
    WHERE moderation_status <> 'rejected' GROUP BY provider_id, overall_rating;
CREATE TRIGGER marketplace_provider_ratings_insert AFTER INSERT ON marketplace_reviews
WHEN NEW.moderation_status <> 'rejected' BEGIN
    INSERT OR IGNORE INTO marketplace_provider_ratings VALUES (NEW.provider_id, NEW.overall_rating, 0);
    UPDATE marketplace_provider_ratings SET visible = visible + 1
        WHERE provider_id = NEW.provider_id AND rating = NEW.overall_rating;
END;
CREATE TRIGGER marketplace_provider_ratings_delete AFTER DELETE ON marketplace_reviews
WHEN OLD.moderation_status <> 'rejected' BEGIN
    UPDATE marketplace_provider_ratings SET visible = visible - 1
        WHERE provider_id = OLD.provider_id AND rating = OLD.overall_rating;
END;
CREATE TRIGGER marketplace_provider_ratings_update
AFTER UPDATE OF moderation_status, overall_rating, provider_id ON marketplace_reviews BEGIN
    UPDATE marketplace_provider_ratings SET visible = visible - 1
        WHERE OLD.moderation_status <> 'rejected' AND provider_id = OLD.provider_id AND rating = OLD.overall_rating;
    INSERT OR IGNORE INTO marketplace_provider_ratings
        SELECT NEW.provider_id, NEW.overall_rating, 0 WHERE NEW.moderation_status <> 'rejected';
    UPDATE marketplace_provider_ratings SET visible = visible + 1
        WHERE NEW.moderation_status <> 'rejected' AND provider_id = NEW.provider_id AND rating = NEW.overall_rating;
END;
"#,
    // Step 7: pricing configurations per provider, category, type and state, kept by
    // triggers, so a pricing list's total reads a handful of rows.
    r#"
CREATE TABLE marketplace_pricing_counts (
    provider_id TEXT NOT NULL,
    category_id TEXT NOT NULL,
    pricing_type TEXT NOT NULL,
    is_active INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (provider_id, category_id, pricing_type, is_active)
) WITHOUT ROWID;
INSERT INTO marketplace_pricing_counts (provider_id, category_id, pricing_type, is_active, n)
    SELECT provider_id, COALESCE(category_id, ''), pricing_type, is_active, COUNT(*) FROM marketplace_pricing
    GROUP BY provider_id, COALESCE(category_id, ''), pricing_type, is_active;
CREATE TRIGGER marketplace_pricing_counts_insert AFTER INSERT ON marketplace_pricing BEGIN
    INSERT OR IGNORE INTO marketplace_pricing_counts
        VALUES (NEW.provider_id, COALESCE(NEW.category_id, ''), NEW.pricing_type, NEW.is_active, 0);
    UPDATE marketplace_pricing_counts SET n = n + 1 WHERE provider_id = NEW.provider_id
        AND category_id = COALESCE(NEW.category_id, '') AND pricing_type = NEW.pricing_type AND is_active = NEW.is_active;
END;
CREATE TRIGGER marketplace_pricing_counts_delete AFTER DELETE ON marketplace_pricing BEGIN
    UPDATE marketplace_pricing_counts SET n = n - 1 WHERE provider_id = OLD.provider_id
        AND category_id = COALESCE(OLD.category_id, '') AND pricing_type = OLD.pricing_type AND is_active = OLD.is_active;
END;
CREATE TRIGGER marketplace_pricing_counts_update
AFTER UPDATE OF provider_id, category_id, pricing_type, is_active ON marketplace_pricing BEGIN
    UPDATE marketplace_pricing_counts SET n = n - 1 WHERE provider_id = OLD.provider_id
        AND category_id = COALESCE(OLD.category_id, '') AND pricing_type = OLD.pricing_type AND is_active = OLD.is_active;
    INSERT OR IGNORE INTO marketplace_pricing_counts
        VALUES (NEW.provider_id, COALESCE(NEW.category_id, ''), NEW.pricing_type, NEW.is_active, 0);
    UPDATE marketplace_pricing_counts SET n = n + 1 WHERE provider_id = NEW.provider_id
        AND category_id = COALESCE(NEW.category_id, '') AND pricing_type = NEW.pricing_type AND is_active = NEW.is_active;
END;
"#,
    // Step 8: the vendor's id of the last reminder, and indexes to find a
    // request's message by the id a vendor's status report names.
    service::requests::STATUS_MIGRATION,
    // Step 9: providers are found by name (GET /providers/search).
    store::providers::NAME_INDEX_MIGRATION,
    // Step 10: providers nearby read the offers in the box (an R*Tree kept by triggers).
    store::search::NEARBY_MIGRATION,
    // Step 11: the offers' R*Tree carries place, prices and rating, so a search
    // counts and orders the offers in the box from the R*Tree alone.
    store::search::NEARBY_AUX_MIGRATION,
    // Step 12: reviews per customer and per moderation status, kept by
    // triggers, so a customer's review list and the moderation queue do not
    // count their rows for each page.
    store::reviews::TOTALS_MIGRATION,
    // Step 13: offers counted per category and grid cell (levels of 1/256 to
    // 16 degrees), kept by triggers, so "providers nearby" sums the cells
    // inside its circle and reads only the offers of the cells on its edge.
    store::search::NEAR_CELLS_MIGRATION,
];

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
        .with_start(start)
        .with_demo(demo::load)
}

/// Registers the review-request delivery job.
fn start(platform: &Platform) {
    service::requests::register_jobs(platform);
}

fn build(platform: &Platform) -> MountedModule {
    http::mount::<_, model::MarketplaceEnvelope>(
        platform,
        ModuleInfo {
            slug: SLUG,
            title: "DumuWaks 2.0 API",
            version: "1.0",
            description: "Service pricing, estimates, provider search, reviews, analytics and review campaigns.",
            base: "/marketplace/v1",
            require_module_role: true,
        },
        (
            api::apis(platform),
            delivery_reports::DeliveryReportApi {
                platform: platform.clone(),
            },
        ),
        // The document's limits per hour: anonymous 100, customer 1000, provider 2000, admin 10000.
        Arc::new(|req, principal| {
            // Vendors' status reports (signed; checked before anything is
            // read) come from the vendor's few addresses: their own bucket.
            if req.uri().path().contains("/webhooks/twilio/status/")
                || req.uri().path().ends_with("/webhooks/whatsapp/status")
            {
                return Some(LimitRule::new("delivery_reports", 20_000, 3600));
            }
            let limit = match principal {
                None => 100,
                Some(p) if p.is_admin() || p.has_role(SLUG, "admin") => 10_000,
                Some(p) if p.has_role(SLUG, "provider") => 2_000,
                Some(_) => 1_000,
            };
            Some(LimitRule::new("api", limit, 3600))
        }),
    )
}
