//! Answers of the pricing APIs (document §1-§8).

use poem_openapi::Object;
use serde_json::Value;

use super::input::{Discounts, DynamicPricing, Package, PricingLocation, Tier};
use super::{sorted_json, ErrorDetail};

/// §1: the configuration just created.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PricingCreated {
    /// Its id (24 hex digits).
    pub pricing_id: String,
    /// The provider profile it belongs to.
    pub provider_id: String,
    /// flat, hourly, tiered or package.
    pub pricing_type: String,
    /// The headline price: the flat or hourly rate, or the cheapest tier or package.
    pub current_price: f64,
    /// Whether customers can find and book it.
    pub is_active: bool,
    /// When it was created.
    pub created_at: String,
}

/// One changed field of a configuration (old and new values as stored).
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct ChangedField {
    /// Dotted name of the field (`dynamicPricing.rushFee`).
    pub field_name: String,
    /// The value before (null when it was not set).
    pub old_value: Value,
    /// The value after (null when it was removed).
    pub new_value: Value,
}

/// §2: the configuration after an update.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PricingUpdated {
    /// The configuration's id.
    pub pricing_id: String,
    /// flat, hourly, tiered or package.
    pub pricing_type: String,
    /// The headline price now.
    pub current_price: f64,
    /// The headline price before the update.
    pub previous_rate: f64,
    /// Bumped by every update that changed something.
    pub version: i64,
    /// What this update changed (empty when nothing did).
    pub changed_fields: Vec<ChangedField>,
    /// When the update was made.
    pub updated_at: String,
    /// The flat rate now (flat pricing).
    #[oai(skip_serializing_if_is_none)]
    pub flat_rate: Option<f64>,
    /// The hourly rate now (hourly pricing).
    #[oai(skip_serializing_if_is_none)]
    pub hourly_rate: Option<f64>,
    /// The cheapest tier or package now (tiered and package pricing).
    #[oai(skip_serializing_if_is_none)]
    pub starting_price: Option<f64>,
}

/// §3: a stored pricing configuration: the fields that were set, and its state.
#[derive(Object, Clone, Debug, Default)]
#[oai(rename_all = "camelCase")]
pub struct PricingConfiguration {
    /// The configuration's id.
    pub pricing_id: String,
    /// The category (id) of the service.
    #[oai(skip_serializing_if_is_none)]
    pub service_category_id: Option<String>,
    /// The sub-category reference, as given.
    #[oai(skip_serializing_if_is_none)]
    pub service_sub_category_id: Option<String>,
    /// The service's name (unique per provider, ignoring case).
    #[oai(skip_serializing_if_is_none)]
    pub service_name: Option<String>,
    /// What the service is.
    #[oai(skip_serializing_if_is_none)]
    pub service_description: Option<String>,
    /// How it is priced.
    #[oai(skip_serializing_if_is_none)]
    pub pricing_type: Option<super::PricingType>,
    /// Price of the service (flat pricing).
    #[oai(skip_serializing_if_is_none)]
    pub flat_rate: Option<f64>,
    /// Price per hour (hourly pricing).
    #[oai(skip_serializing_if_is_none)]
    pub hourly_rate: Option<f64>,
    /// Fewest hours charged (hourly pricing).
    #[oai(skip_serializing_if_is_none)]
    pub minimum_hours: Option<f64>,
    /// Most hours bookable (hourly pricing).
    #[oai(skip_serializing_if_is_none)]
    pub maximum_hours: Option<f64>,
    /// The tiers (tiered pricing).
    #[oai(skip_serializing_if_is_none)]
    pub tiers: Option<Vec<Tier>>,
    /// The packages (package pricing).
    #[oai(skip_serializing_if_is_none)]
    pub packages: Option<Vec<Package>>,
    /// What the rate includes.
    #[oai(skip_serializing_if_is_none)]
    pub rate_description: Option<String>,
    /// ISO 4217 code.
    #[oai(skip_serializing_if_is_none)]
    pub currency: Option<String>,
    /// Where the provider works.
    #[oai(skip_serializing_if_is_none)]
    pub location: Option<PricingLocation>,
    /// Surcharges.
    #[oai(skip_serializing_if_is_none)]
    pub dynamic_pricing: Option<DynamicPricing>,
    /// Discounts.
    #[oai(skip_serializing_if_is_none)]
    pub discounts: Option<Discounts>,
    /// The provider profile it belongs to.
    pub provider_id: String,
    /// The headline price: the flat or hourly rate, or the cheapest tier or package.
    pub current_price: f64,
    /// Whether customers can find and book it.
    pub is_active: bool,
    /// 1, then bumped by every update that changed something.
    pub version: i64,
    /// When it was created.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// One configuration that a bulk upload did not create.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct BulkPricingFailure {
    /// Its position in `pricing`, from 0.
    pub index: usize,
    /// Its service name as sent (null when none was).
    pub service_name: Option<String>,
    /// Why, one entry per bad field (`pricing[2].flatRate`).
    pub errors: Vec<ErrorDetail>,
}

/// §4: what a bulk upload created.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct BulkPricingResult {
    /// Configurations created.
    pub created: usize,
    /// Configurations refused.
    pub failed: usize,
    /// Ids of the created configurations, in the order sent.
    pub pricing_ids: Vec<String>,
    /// The refused ones and why.
    pub errors: Vec<BulkPricingFailure>,
}

/// Market price figures of the compared prices.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PriceStatistics {
    /// Lowest price (0 without samples).
    pub minimum_price: f64,
    /// Highest price (0 without samples).
    pub maximum_price: f64,
    /// Mean price.
    pub average_price: f64,
    /// Median price.
    pub median_price: f64,
    /// 25th percentile.
    pub percentile25: f64,
    /// 75th percentile.
    pub percentile75: f64,
}

/// A recommended price and the band it comes from.
#[derive(Object, Clone, Debug)]
pub struct PriceSuggestion {
    /// The middle of the band.
    pub recommended: f64,
    /// The band, `low-high`.
    pub range: String,
    /// Why this band.
    pub reason: String,
}

/// Suggestions for a new and for an experienced provider.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PriceSuggestions {
    /// 25th to 50th percentile.
    pub new_provider: PriceSuggestion,
    /// 50th to 75th percentile.
    pub experienced_provider: PriceSuggestion,
}

/// The suggestion for the asked experience level.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct LevelSuggestion {
    /// new, intermediate, experienced or expert.
    pub experience_level: String,
    /// The middle of the band.
    pub recommended: f64,
    /// The band, `low-high`.
    pub range: String,
    /// The band's percentiles, low and high.
    pub percentiles: Vec<f64>,
    /// Why this band.
    pub reason: String,
    /// Providers of this level among the samples.
    pub peer_sample_size: usize,
    /// Their average price (null without peers).
    pub peer_average_price: Option<f64>,
}

/// Samples of another pricing type or currency, not compared.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct OtherPricingType {
    /// flat, hourly, tiered or package.
    pub pricing_type: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Active prices of this type and currency.
    pub sample_size: usize,
}

/// Average price of providers in a rating band.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct QualityTier {
    /// `<4.0`, `4.0-4.5`, `4.5-4.8` or `4.8+`.
    pub rating_tier: String,
    /// Their average price.
    pub average_price: f64,
    /// Prices in the band.
    pub sample_size: usize,
}

/// §5: market rates of a category.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MarketRateSuggestions {
    /// The category's name.
    pub service_category: String,
    /// The place asked for (null: everywhere).
    pub location: Option<String>,
    /// The experience level asked for (null: none).
    pub experience_level: Option<String>,
    /// The pricing type compared (null without samples).
    pub pricing_type: Option<String>,
    /// What a price is for: service, hour, lowest tier or cheapest package.
    pub unit: Option<String>,
    /// The currency compared (null without samples).
    pub currency: Option<String>,
    /// Prices compared.
    pub sample_size: usize,
    /// Figures of the compared prices.
    pub statistics: PriceStatistics,
    /// Suggestions (null without samples).
    pub suggestions: Option<PriceSuggestions>,
    /// The suggestion for `experienceLevel` (null without it or without samples).
    pub for_experience_level: Option<LevelSuggestion>,
    /// Samples of other types and currencies.
    pub other_pricing_types: Vec<OtherPricingType>,
    /// Average prices by provider rating.
    pub quality_based: Vec<QualityTier>,
    /// When the figures were computed.
    pub last_updated: String,
}

/// One fee or discount of an estimate.
#[derive(Object, Clone, Debug)]
pub struct PriceAdjustment {
    /// rush_fee, weekend_fee, travel_fee or new_customer_discount.
    #[oai(rename = "type")]
    pub kind: String,
    /// Amount (negative for a discount).
    pub amount: f64,
    /// Percent of the base price (null for the flat travel fee).
    pub percentage: Option<f64>,
    /// What it is, for people.
    pub description: String,
}

/// subtotal = base + fees; total = subtotal − discount.
#[derive(Object, Clone, Debug)]
pub struct PriceBreakdown {
    /// Base price and fees.
    pub subtotal: f64,
    /// The discount taken off.
    pub discount: f64,
    /// What the customer pays.
    pub total: f64,
}

/// §6: a price estimate.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PriceEstimate {
    /// The provider.
    pub provider_id: String,
    /// The configuration priced.
    pub service_pricing_id: String,
    /// flat, hourly, tiered or package.
    pub pricing_type: String,
    /// The price before fees and discounts.
    pub base_price: f64,
    /// How the base price was reached (`1.5 h at 3000/h`, `tier premium`).
    pub base_price_description: String,
    /// Fees and discounts, in the order applied.
    pub adjustments: Vec<PriceAdjustment>,
    /// What the customer pays.
    pub total_price: f64,
    /// ISO 4217 code.
    pub currency: String,
    /// The sums.
    pub breakdown: PriceBreakdown,
    /// Minutes.
    pub estimated_duration: i64,
    /// Km between the customer and the provider (null without both locations).
    pub distance: Option<f64>,
    /// The estimate holds until then (one hour).
    pub valid_until: String,
}

/// A provider's rating.
#[derive(Object, Clone, Debug)]
pub struct Rating {
    /// Average overall rating of its visible reviews.
    pub average: f64,
    /// Visible reviews.
    pub count: i64,
}

/// One matching price of a found provider.
#[derive(Object, Clone, Debug, Default)]
#[oai(rename_all = "camelCase")]
pub struct SearchPricing {
    /// The configuration's id.
    pub pricing_id: String,
    /// The service's name.
    pub service_name: String,
    /// flat, hourly, tiered or package.
    pub pricing_type: String,
    /// The headline price.
    pub current_price: f64,
    /// ISO 4217 code.
    pub currency: String,
    /// Flat pricing: the price.
    #[oai(skip_serializing_if_is_none)]
    pub flat_rate: Option<f64>,
    /// Hourly pricing: the rate.
    #[oai(skip_serializing_if_is_none)]
    pub hourly_rate: Option<f64>,
    /// Hourly pricing: fewest hours charged.
    #[oai(skip_serializing_if_is_none)]
    pub minimum_hours: Option<f64>,
    /// Hourly pricing: most hours bookable.
    #[oai(skip_serializing_if_is_none)]
    pub maximum_hours: Option<f64>,
    /// Tiered pricing: the tiers.
    #[oai(skip_serializing_if_is_none)]
    pub tiers: Option<Vec<Tier>>,
    /// Package pricing: the packages.
    #[oai(skip_serializing_if_is_none)]
    pub packages: Option<Vec<Package>>,
}

/// Where a found provider is.
#[derive(Object, Clone, Debug)]
pub struct SearchLocation {
    /// Its address (null when unknown).
    pub address: Option<String>,
    /// Km from the searched place.
    pub distance: f64,
}

/// When a found provider is free.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Availability {
    /// The next free whole hour within two weeks (null when none).
    pub next_available: Option<String>,
}

/// §7: one provider found.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ProviderSearchResult {
    /// The provider.
    pub provider_id: String,
    /// Its name.
    pub provider_name: String,
    /// Its image URL (null when none).
    pub profile_image: Option<String>,
    /// Its rating.
    pub rating: Rating,
    /// Its matching prices, cheapest first.
    pub pricing: Vec<SearchPricing>,
    /// Where it is.
    pub location: SearchLocation,
    /// When it is free.
    pub availability: Availability,
}

/// §8: one change of a configuration.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PricingHistoryEntry {
    /// The entry's id.
    pub history_id: String,
    /// The configuration changed.
    pub pricing_id: String,
    /// created, updated or deleted.
    pub change_type: String,
    /// The changed fields before (all fields: `{}` on creation).
    pub previous_state: Value,
    /// The changed fields after (the whole configuration on creation).
    pub new_state: Value,
    /// Field by field.
    pub changed_fields: Vec<ChangedField>,
    /// Why, as the provider said (null when not said).
    pub reason: Option<String>,
    /// The user who made the change.
    pub changed_by: String,
    /// When.
    pub changed_at: String,
}

sorted_json!(PricingConfiguration {
    "createdAt" => created_at,
    "currency" => currency if some,
    "currentPrice" => current_price if finite,
    "discounts" => discounts if some_value,
    "dynamicPricing" => dynamic_pricing if some_value,
    "flatRate" => flat_rate if some_value,
    "hourlyRate" => hourly_rate if some_value,
    "isActive" => is_active,
    "location" => location if some_value,
    "maximumHours" => maximum_hours if some_value,
    "minimumHours" => minimum_hours if some_value,
    "packages" => packages if some_value,
    "pricingId" => pricing_id,
    "pricingType" => pricing_type if some_value,
    "providerId" => provider_id,
    "rateDescription" => rate_description if some,
    "serviceCategoryId" => service_category_id if some,
    "serviceDescription" => service_description if some,
    "serviceName" => service_name if some,
    "serviceSubCategoryId" => service_sub_category_id if some,
    "tiers" => tiers if some_value,
    "updatedAt" => updated_at,
    "version" => version,
});
sorted_json!(Rating {
    "average" => average if finite,
    "count" => count,
});
sorted_json!(SearchPricing {
    "currency" => currency,
    "currentPrice" => current_price if finite,
    "flatRate" => flat_rate if some_value,
    "hourlyRate" => hourly_rate if some_value,
    "maximumHours" => maximum_hours if some_value,
    "minimumHours" => minimum_hours if some_value,
    "packages" => packages if some_value,
    "pricingId" => pricing_id,
    "pricingType" => pricing_type,
    "serviceName" => service_name,
    "tiers" => tiers if some_value,
});
sorted_json!(SearchLocation {
    "address" => address,
    "distance" => distance if finite,
});
sorted_json!(Availability {
    "nextAvailable" => next_available,
});
sorted_json!(ProviderSearchResult {
    "availability" => availability,
    "location" => location,
    "pricing" => pricing,
    "profileImage" => profile_image,
    "providerId" => provider_id,
    "providerName" => provider_name,
    "rating" => rating,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Envelope, PageMeta, Paged, PricingInput};
    use poem_openapi::types::ToJSON;
    use serde_json::json;

    fn same<T: ToJSON + serde::Serialize + poem_openapi::types::ParseFromJSON>(items: Vec<T>) {
        let env = Envelope::page(Paged {
            items,
            meta: PageMeta::total(2),
        });
        let fast = serde_json::to_string(&env).expect("serde");
        let slow = serde_json::to_string(&env.to_json()).expect("to_json");
        assert_eq!(fast, slow);
    }

    /// The text `serde` writes for a pricing list and a search page is the text
    /// poem-openapi's `Json` wrote.
    #[test]
    fn pricing_and_search_pages_write_what_to_json_wrote() {
        let odd = "Zoë \"quoted\" \\ tab\t line\n \u{1F600} </script>";
        let full: PricingInput = serde_json::from_value(json!({
            "serviceCategoryId": "cat", "serviceName": odd, "serviceDescription": odd,
            "pricingType": "tiered", "flatRate": 500.5, "hourlyRate": 1e-7, "minimumHours": 1,
            "maximumHours": 8, "currency": "KES", "rateDescription": odd,
            "tiers": [{"tierName": "basic", "displayName": odd, "price": 2500, "duration": 60}],
            "location": {"coordinates": [36.8219, -1.2864], "address": {"street": "Ngong Road", "city": "Nairobi"}, "serviceRadius": 10},
            "dynamicPricing": {"enabled": true, "rushFee": 20, "weekendFee": 15, "travelFee": 100},
            "discounts": {"newCustomerDiscount": 10}
        }))
        .expect("input");
        let config = PricingConfiguration {
            pricing_id: "p1".into(),
            service_category_id: full.service_category_id.clone().map(Into::into),
            service_name: full.service_name.clone(),
            service_description: full.service_description.clone(),
            pricing_type: full.pricing_type,
            flat_rate: full.flat_rate,
            hourly_rate: full.hourly_rate,
            minimum_hours: full.minimum_hours,
            maximum_hours: full.maximum_hours,
            tiers: full.tiers.clone(),
            packages: full.packages.clone(),
            rate_description: full.rate_description.clone(),
            currency: full.currency.clone().map(Into::into),
            location: full.location.clone(),
            dynamic_pricing: full.dynamic_pricing.clone(),
            discounts: full.discounts.clone(),
            provider_id: "v".into(),
            current_price: 2500.0,
            is_active: true,
            version: 3,
            created_at: "t".into(),
            updated_at: "u".into(),
            ..Default::default()
        };
        same(vec![
            config.clone(),
            PricingConfiguration {
                pricing_id: "p2".into(),
                current_price: 0.1 + 0.2,
                ..Default::default()
            },
        ]);
        let priced = SearchPricing {
            pricing_id: "p1".into(),
            service_name: odd.into(),
            pricing_type: "tiered".into(),
            current_price: 2500.0,
            currency: "KES".into(),
            flat_rate: Some(1.5),
            tiers: config.tiers.clone(),
            ..Default::default()
        };
        let result = ProviderSearchResult {
            provider_id: "v".into(),
            provider_name: odd.into(),
            profile_image: None,
            rating: Rating {
                average: 4.3,
                count: 7,
            },
            pricing: vec![priced.clone(), SearchPricing::default()],
            location: SearchLocation {
                address: Some(odd.into()),
                distance: 12.345,
            },
            availability: Availability {
                next_available: None,
            },
        };
        same(vec![
            result.clone(),
            ProviderSearchResult {
                profile_image: Some("https://x/y.png".into()),
                location: SearchLocation {
                    address: None,
                    distance: 0.0,
                },
                availability: Availability {
                    next_available: Some("2026-01-01T09:00:00Z".into()),
                },
                ..result
            },
        ]);
    }
}
