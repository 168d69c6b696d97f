//! The document's fixed value sets as schema enums, and its date values.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

/// A fixed set of strings: a poem-openapi `Enum` (so the schema lists the
/// values), stored and compared as the same strings (`as_str`).
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[oai(rename = $s)] #[serde(rename = $s)] $v),+
        }

        impl $name {
            /// The value as the document spells it.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$v => $s),+
                }
            }
        }
    };
}

str_enum! {
    /// How a service is priced.
    PricingType { Flat = "flat", Hourly = "hourly", Tiered = "tiered", Package = "package" }
}

str_enum! {
    /// A provider's experience level by completed bookings: new 0-4, intermediate 5-19,
    /// experienced 20-49, expert 50 or more.
    ExperienceLevel { New = "new", Intermediate = "intermediate", Experienced = "experienced", Expert = "expert" }
}

str_enum! {
    /// Order of search results.
    SearchSort { PriceAsc = "price_asc", PriceDesc = "price_desc", RatingDesc = "rating_desc", Distance = "distance" }
}

str_enum! {
    /// Order of a provider's reviews.
    ReviewSort { Recent = "recent", Helpful = "helpful", Highest = "highest", Lowest = "lowest" }
}

str_enum! {
    /// Kind of change in the pricing history.
    ChangeType { Created = "created", Updated = "updated", Deleted = "deleted" }
}

str_enum! {
    /// Length of an analytics period ending at `endDate` (or now).
    AnalyticsPeriod { Day = "day", Week = "week", Month = "month", Year = "year" }
}

str_enum! {
    /// Where a review was written.
    ReviewSource { MobileApp = "mobile_app", Web = "web", Sms = "sms", Whatsapp = "whatsapp", Email = "email" }
}

str_enum! {
    /// A reader's vote on a review.
    Vote { Helpful = "helpful", NotHelpful = "not_helpful" }
}

str_enum! {
    /// Why a customer declines a review request.
    DeclineReason { NotInterested = "not_interested", TooBusy = "too_busy", BadExperience = "bad_experience", Privacy = "privacy", Other = "other" }
}

str_enum! {
    /// How review requests reach a customer.
    Channel { Push = "push", Sms = "sms", Whatsapp = "whatsapp", Email = "email" }
}

str_enum! {
    /// When review requests reach a customer: 09:00, 14:00 or 18:00 UTC.
    TimeOfDay { Morning = "morning", Afternoon = "afternoon", Evening = "evening" }
}

str_enum! {
    /// A moderator's decision.
    ModerationAction { Approve = "approve", Reject = "reject", Flag = "flag" }
}

str_enum! {
    /// Where a review stands in moderation: pending (not yet looked at), flagged
    /// (held for a decision), approved, rejected (hidden).
    ModerationStatus { Pending = "pending", Flagged = "flagged", Approved = "approved", Rejected = "rejected" }
}

str_enum! {
    /// What a campaign tests.
    ExperimentType { Timing = "timing", Channel = "channel", Incentive = "incentive", Message = "message" }
}

str_enum! {
    /// A review reward: `discount_N` is KES N off the next booking, `points_N` is N
    /// loyalty points (one point is worth KES 1 when redeemed on a booking).
    IncentiveType {
        Discount50 = "discount_50", Discount100 = "discount_100", Discount200 = "discount_200",
        Points50 = "points_50", Points100 = "points_100", Points200 = "points_200"
    }
}

str_enum! {
    /// Unit of a variant's delay.
    DelayUnit { Minutes = "minutes", Hours = "hours", Days = "days" }
}

str_enum! {
    /// A campaign's status.
    CampaignStatus { Draft = "draft", Active = "active", Paused = "paused", Completed = "completed" }
}

str_enum! {
    /// A booking's status.
    BookingState { Pending = "pending", Confirmed = "confirmed", Completed = "completed", Cancelled = "cancelled" }
}

str_enum! {
    /// What a booking can become.
    BookingTransition { Confirmed = "confirmed", Completed = "completed", Cancelled = "cancelled" }
}

str_enum! {
    /// The marketplace's webhook events.
    WebhookEvent {
        ReviewCreated = "review.created",
        ReviewResponseAdded = "review.response_added",
        PricingUpdated = "pricing.updated",
        ReviewRequestDelivered = "review.request.delivered",
    }
}

/// A date (`YYYY-MM-DD`, midnight UTC) or an RFC 3339 date-time, kept as sent.
/// A query parameter is checked when parsed; in a body any string is taken and
/// the service checks it, naming the field.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct DateOrTime(pub String);

impl DateOrTime {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parse(s: &str) -> ParseResult<Self> {
        let ok = chrono::DateTime::parse_from_rfc3339(s).is_ok()
            || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
        if ok {
            Ok(DateOrTime(s.to_string()))
        } else {
            Err(ParseError::custom(
                "must be a date (YYYY-MM-DD) or an RFC 3339 date-time",
            ))
        }
    }
}

impl Type for DateOrTime {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "DateOrTime".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let one =
            |format| MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", format)));
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some("A date (YYYY-MM-DD, midnight UTC) or an RFC 3339 date-time."),
            any_of: vec![one("date"), one("date-time")],
            ..MetaSchema::new("string")
        }))
    }

    fn register(_registry: &mut Registry) {}

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for DateOrTime {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(s)) => Ok(DateOrTime(s)),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl ParseFromParameter for DateOrTime {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse(value)
    }
}

impl ToJSON for DateOrTime {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

// Strings checked against a pattern compiled once (poem-openapi's
// `validator(pattern)` compiles its regex on every check); the schema is the
// one the validator documented.
frontline_platform::pattern_string! {
    /// "lat,lng" (decimal degrees) or a city of the built-in gazetteer.
    pub PlaceText = r"^\s*-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?)\s*,\s*-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)\s*$|^(Nairobi|Mombasa|Kisumu|Nakuru|Eldoret|Thika|Malindi|Kitale|Garissa|Nyeri|Machakos|Meru|Kampala|Dar es Salaam|Kigali|Addis Ababa|Lagos|Accra|Johannesburg|Cape Town|Cairo|London|New York)$";

    /// A category id or slug: a letter or digit, then up to 63 letters, digits, `_` or `-`.
    pub CategoryRef = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$";

    /// An E.164 phone number (`+254712345678`).
    pub PhoneNumber = "^\\+[1-9][0-9]{6,14}$";

    /// A time of day, HH:MM.
    pub ClockTime = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

    /// A 24-hex-digit id.
    pub HexId = "^[0-9a-fA-F]{24}$";

    /// A text starting with http:// or https://.
    pub HttpUrlPrefix = "^https?://";

    /// An absolute http(s) URL with a host.
    pub HttpUrl = "^[hH][tT][tT][pP][sS]?://[^/?#\\s]+";
}

pub use frontline_platform::pattern::common::{CurrencyCode, NonBlank};
