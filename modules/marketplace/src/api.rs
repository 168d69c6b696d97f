//! Handlers of the marketplace API: parse, authorize, call the service, render.

use frontline_platform::auth::Principal;
use frontline_platform::body::JsonBody;
use frontline_platform::events::NewSubscription;
use frontline_platform::http::{ModuleError, RequestMeta};
use frontline_platform::page::Page;
use frontline_platform::write::{transact, WriteCtx};
use frontline_platform::ApiResult;
use frontline_platform::{events, ApiError, BearerAuth, Platform};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, OpenApi, Tags};
use rusqlite::{Connection, Transaction};

use crate::model::*;
use crate::service::{self, analytics, bookings, campaigns, pricing, requests, reviews};
use crate::SLUG;

type Result<T> = std::result::Result<T, ModuleError<MarketplaceEnvelope>>;
/// A 200 answer: `T` in the envelope.
type Out<T> = Json<Envelope<T>>;

#[derive(Tags)]
enum Tag {
    /// Pricing configurations, estimates and provider search.
    Pricing,
    /// Reviews, responses, votes and review requests.
    Reviews,
    /// Pricing and review analytics.
    Analytics,
    /// Moderation and review campaigns.
    Admin,
    /// Outgoing webhooks.
    Webhooks,
    /// What the document assumes exists: categories, profiles, bookings.
    Extensions,
}

/// 201 with `T` in the envelope.
#[derive(ApiResponse)]
pub enum Created<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Out<T>),
}

fn created<T: ParseFromJSON + ToJSON + Send + Sync>(data: T, msg: impl Into<String>) -> Created<T> {
    Created::Created(Json(Envelope::msg(data, msg)))
}

fn ok<T: ParseFromJSON + ToJSON>(data: T) -> Result<Out<T>> {
    Ok(Json(Envelope::ok(data)))
}

fn ok_msg<T: ParseFromJSON + ToJSON>(data: T, msg: impl Into<String>) -> Result<Out<T>> {
    Ok(Json(Envelope::msg(data, msg)))
}

fn paged<T: ParseFromJSON + ToJSON>(data: Paged<T>) -> Result<Out<Vec<T>>> {
    Ok(Json(Envelope::page(data)))
}

fn page(
    platform: &Platform,
    p: Option<i64>,
    l: Option<i64>,
) -> std::result::Result<Page, ApiError> {
    Page::new(p, l, 20, (platform.settings.max_page_size as u64).min(100))
}

/// Unknown or malformed ids are simply not found.
fn id_or_404(id: &str, what: &str) -> std::result::Result<(), ApiError> {
    if service::is_object_id(id) {
        Ok(())
    } else {
        Err(MarketplaceError::NotFound.with_message(format!("{what} not found")))
    }
}

/// `f` on one read connection.
async fn read_with<T, F>(platform: &Platform, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
{
    Ok(platform.db.read(f).await?)
}

/// `f` in one write transaction (no audit context: the service writes its own rows).
async fn write_with<T, F>(platform: &Platform, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Transaction) -> ApiResult<T> + Send + 'static,
{
    Ok(platform.db.write(f).await?)
}

/// `f` in one write transaction as the caller, once it holds one of `roles`
/// (checked before anything else; `&[]`: admins only).
async fn transact_if<T, F>(
    platform: &Platform,
    auth: BearerAuth,
    roles: &[&str],
    meta: RequestMeta,
    f: F,
) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&WriteCtx<'_>) -> ApiResult<T> + Send + 'static,
{
    service::require(&auth.0, roles)?;
    transact_as(platform, auth.0, meta, f).await
}

/// `f` in one write transaction as `user` for this request (audit, events and
/// search staging in the same transaction).
async fn transact_as<T, F>(
    platform: &Platform,
    user: Principal,
    meta: RequestMeta,
    f: F,
) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&WriteCtx<'_>) -> ApiResult<T> + Send + 'static,
{
    Ok(transact(&platform.db, Some(user), meta, f).await?)
}

pub struct PricingApi {
    platform: Platform,
}

#[OpenApi(tag = "Tag::Pricing")]
impl PricingApi {
    /// Create a pricing configuration (provider). One configuration per provider and
    /// service name (409). `flat` needs `flatRate`, `hourly` `hourlyRate`, `tiered` `tiers`,
    /// `package` `packages`; `location.coordinates` is `[longitude, latitude]`.
    #[oai(path = "/providers/pricing", method = "post")]
    async fn create_pricing(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<PricingInput>,
    ) -> Result<Created<PricingCreated>> {
        let out = transact_if(&self.platform, auth, &["provider"], meta, move |w| {
            pricing::create(w, body.0)
        })
        .await?;
        Ok(created(out, "Pricing configuration created successfully"))
    }

    /// Update a pricing configuration (partial; provider who owns it, or admin). Each
    /// change bumps `version` and is kept in the history with `reason`; emits `pricing.updated`.
    #[oai(path = "/providers/pricing/:pricingId", method = "put")]
    async fn update_pricing(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        #[oai(name = "pricingId")] id: Path<String>,
        body: JsonBody<PricingInput>,
    ) -> Result<Out<PricingUpdated>> {
        service::require(&auth.0, &["provider"])?;
        id_or_404(&id, "Pricing configuration")?;
        let p = auth.0;
        let out = transact_as(&self.platform, p, meta, move |w| {
            pricing::update(w, &id.0, body.0)
        })
        .await?;
        ok_msg(out, "Pricing updated successfully")
    }

    /// Upload several configurations at once (provider): valid ones are created, each
    /// invalid or duplicate one is reported in `errors` with its index.
    #[oai(path = "/providers/pricing/bulk", method = "post")]
    async fn bulk_pricing(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<BulkPricing>,
    ) -> Result<Created<BulkPricingResult>> {
        let out = transact_if(&self.platform, auth, &["provider"], meta, move |w| {
            pricing::bulk(w, body.0.pricing)
        })
        .await?;
        let msg = format!(
            "{} pricing configurations created successfully",
            out.created
        );
        Ok(created(out, msg))
    }

    /// Market rates of a category (provider): statistics of the active prices within 50 km of
    /// `location` ("lat,lng" or a city of the built-in gazetteer), suggestions and prices by rating tier.
    ///
    /// Like is compared with like: the figures cover one pricing type and currency
    /// (`pricingType`, default the most common among the samples; `unit` says what the
    /// price is for: service, hour, lowest tier, cheapest package); other types are only
    /// counted in `otherPricingTypes`. A provider's experience level is derived from its
    /// completed bookings: new 0-4, intermediate 5-19, experienced 20-49, expert 50 or more.
    /// With `experienceLevel`, `forExperienceLevel` recommends the band of that level
    /// (new 25th-50th percentile, intermediate 40th-60th, experienced 50th-75th, expert
    /// 75th-90th) and gives the average price of providers at that level.
    #[oai(path = "/providers/pricing/suggestions", method = "get")]
    async fn suggestions(
        &self,
        auth: BearerAuth,
        #[oai(name = "serviceCategoryId")] category: Query<String>,
        location: Query<Option<PlaceText>>,
        #[oai(name = "experienceLevel")] level: Query<Option<ExperienceLevel>>,
        #[oai(name = "pricingType")] pricing_type: Query<Option<PricingType>>,
    ) -> Result<Out<MarketRateSuggestions>> {
        service::require(&auth.0, &["provider"])?;
        let category = category.0;
        if !bookings::is_category_ref(&category) {
            return Err(MarketplaceError::NotFound
                .with_message("Service category not found")
                .into());
        }
        let out = read_with(&self.platform, move |c| {
            pricing::suggestions(
                c,
                &category,
                location.0.as_deref(),
                level.0.map(|l| l.as_str()),
                pricing_type.0.map(|t| t.as_str()),
            )
        })
        .await?;
        ok(out)
    }

    /// A provider's pricing configurations (public), with filters and paging.
    #[oai(path = "/providers/:providerId/pricing", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn provider_pricing(
        &self,
        #[oai(name = "providerId")] provider: Path<String>,
        #[oai(name = "isActive")] is_active: Query<Option<bool>>,
        #[oai(name = "serviceCategoryId")] category: Query<Option<String>>,
        #[oai(name = "pricingType")] ptype: Query<Option<PricingType>>,
        #[oai(name = "page", validator(minimum(value = "1")))] p: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
    ) -> Result<Direct<Envelope<Vec<PricingConfiguration>>>> {
        id_or_404(&provider, "Provider")?;
        let pg = page(&self.platform, p.0, limit.0)?;
        let out = read_with(&self.platform, move |c| {
            pricing::list(
                c,
                &provider.0,
                is_active.0,
                category.0.as_deref(),
                ptype.0.map(|t| t.as_str()),
                &pg,
            )
        })
        .await?;
        Ok(Direct(Envelope::page(out)))
    }

    /// The audit trail of a provider's price changes (that provider or an admin).
    #[oai(path = "/providers/:providerId/pricing/history", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn pricing_history(
        &self,
        auth: BearerAuth,
        #[oai(name = "providerId")] provider: Path<String>,
        #[oai(name = "pricingId")] pricing_id: Query<Option<String>>,
        #[oai(name = "startDate")] start: Query<Option<DateOrTime>>,
        #[oai(name = "endDate")] end: Query<Option<DateOrTime>>,
        #[oai(name = "changeType")] change: Query<Option<ChangeType>>,
        #[oai(name = "page", validator(minimum(value = "1")))] p: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
    ) -> Result<Out<Vec<PricingHistoryEntry>>> {
        service::require(&auth.0, &["provider"])?;
        id_or_404(&provider, "Provider")?;
        let pg = page(&self.platform, p.0, limit.0)?;
        let user = auth.0;
        let out = read_with(&self.platform, move |c| {
            pricing::history_list(
                c,
                &user,
                &pricing::HistoryFilter {
                    provider: &provider.0,
                    pricing_id: pricing_id.0.as_deref(),
                    start: start.0.as_ref().map(DateOrTime::as_str),
                    end: end.0.as_ref().map(DateOrTime::as_str),
                    change_type: change.0.map(|c| c.as_str()),
                },
                &pg,
            )
        })
        .await?;
        paged(out)
    }

    /// Price a service before booking (public): base price by type (hours for hourly, the chosen
    /// tier or package), then rush and weekend fees and the new-customer discount as percentages of
    /// the base, and the travel fee when the customer is outside the service radius.
    /// subtotal = base + fees; total = subtotal − discount. Valid for one hour.
    #[oai(path = "/services/estimate", method = "post")]
    async fn estimate(&self, body: JsonBody<EstimateRequest>) -> Result<Out<PriceEstimate>> {
        id_or_404(&body.0.service_pricing_id, "Pricing configuration")?;
        let out = read_with(&self.platform, move |c| pricing::estimate(c, &body.0)).await?;
        ok(out)
    }

    /// Search providers of a category around `location` ("lat,lng" or a gazetteer city such as
    /// Nairobi or Mombasa) within `radius` km (default 10, great-circle distance), by price range;
    /// sorted by `price_asc`, `price_desc`, `rating_desc` or `distance` (default). Public.
    #[oai(path = "/services/search", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        #[oai(name = "serviceCategoryId")] category: Query<String>,
        location: Query<PlaceText>,
        #[oai(name = "minPrice", validator(minimum(value = "0")))] min_price: Query<Option<f64>>,
        #[oai(name = "maxPrice", validator(minimum(value = "0")))] max_price: Query<Option<f64>>,
        #[oai(name = "sortBy")] sort_by: Query<Option<SearchSort>>,
        #[oai(validator(minimum(value = "0", exclusive), maximum(value = "500")))] radius: Query<
            Option<f64>,
        >,
        #[oai(name = "page", validator(minimum(value = "1")))] p: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
    ) -> Result<Direct<Envelope<Vec<ProviderSearchResult>>>> {
        let pg = page(&self.platform, p.0, limit.0)?;
        let out = read_with(&self.platform, move |c| {
            let q = pricing::SearchQuery {
                category: &category.0,
                location: &location.0,
                min_price: min_price.0,
                max_price: max_price.0,
                sort_by: sort_by.0.map(|s| s.as_str()),
                radius: radius.0,
            };
            pricing::search(c, &q, &pg)
        })
        .await?;
        Ok(Direct(Envelope::page(out)))
    }
}

pub struct ReviewApi {
    platform: Platform,
}

#[OpenApi(tag = "Tag::Reviews")]
impl ReviewApi {
    /// Review one's own completed booking (customer): 404 unknown booking, 403 someone else's,
    /// 400 not completed, 409 already reviewed. Issues a KES 100 incentive; emits `review.created`.
    #[oai(path = "/reviews", method = "post")]
    async fn submit(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ReviewInput>,
    ) -> Result<Created<ReviewSubmitted>> {
        service::require(&auth.0, &["customer"])?;
        id_or_404(&body.0.booking_id, "Booking")?;
        let p = auth.0;
        let out = transact_as(&self.platform, p, meta, move |w| {
            reviews::submit(w, &body.0)
        })
        .await?;
        Ok(created(
            out,
            "Thank you for your review! Enjoy KES 100 off your next booking.",
        ))
    }

    /// A provider's reviews (public; rejected ones hidden) with rating distribution.
    #[oai(path = "/providers/:providerId/reviews", method = "get")]
    async fn provider_reviews(
        &self,
        #[oai(name = "providerId")] provider: Path<String>,
        #[oai(
            name = "minRating",
            validator(minimum(value = "1"), maximum(value = "5"))
        )]
        min: Query<Option<f64>>,
        #[oai(
            name = "maxRating",
            validator(minimum(value = "1"), maximum(value = "5"))
        )]
        max: Query<Option<f64>>,
        #[oai(name = "sortBy")] sort: Query<Option<ReviewSort>>,
        #[oai(name = "page", validator(minimum(value = "1")))] p: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
    ) -> Result<Direct<Envelope<ProviderReviews>>> {
        id_or_404(&provider, "Provider")?;
        let pg = page(&self.platform, p.0, limit.0)?;
        let out = read_with(&self.platform, move |c| {
            reviews::provider_reviews(
                c,
                &provider.0,
                min.0,
                max.0,
                sort.0.map(|s| s.as_str()),
                &pg,
            )
        })
        .await?;
        Ok(Direct(Envelope::ok(out)))
    }

    /// The caller's own reviews (customer), newest first.
    #[oai(path = "/customers/reviews", method = "get")]
    async fn customer_reviews(
        &self,
        auth: BearerAuth,
        #[oai(name = "page", validator(minimum(value = "1")))] p: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
    ) -> Result<Out<Vec<CustomerReview>>> {
        service::require(&auth.0, &["customer"])?;
        let pg = page(&self.platform, p.0, limit.0)?;
        let u = auth.0;
        let out = read_with(&self.platform, move |c| {
            reviews::customer_reviews(c, &u, &pg)
        })
        .await?;
        paged(out)
    }

    /// Respond to a review of one's own services (provider, at most 1000 characters);
    /// emits `review.response_added`.
    #[oai(path = "/reviews/:reviewId/response", method = "post")]
    async fn respond(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        #[oai(name = "reviewId")] id: Path<String>,
        body: JsonBody<ResponseInput>,
    ) -> Result<Out<ReviewResponded>> {
        service::require(&auth.0, &["provider"])?;
        id_or_404(&id, "Review")?;
        let u = auth.0;
        let out = transact_as(&self.platform, u, meta, move |w| {
            reviews::respond(w, &id.0, &body.0.response)
        })
        .await?;
        ok_msg(out, "Response posted successfully")
    }

    /// Vote a review `helpful` or `not_helpful` (any marketplace user; one vote each, changeable).
    #[oai(path = "/reviews/:reviewId/helpful", method = "post")]
    async fn helpful(
        &self,
        auth: BearerAuth,
        #[oai(name = "reviewId")] id: Path<String>,
        body: JsonBody<VoteInput>,
    ) -> Result<Out<ReviewVotes>> {
        id_or_404(&id, "Review")?;
        let u = auth.0;
        let out = write_with(&self.platform, move |tx| {
            reviews::vote(tx, &u, &id.0, body.0.vote.as_str())
        })
        .await?;
        ok_msg(out, "Vote recorded successfully")
    }

    /// Decline a review request (customer); `permanentlyOptOut` turns review requests off.
    #[oai(path = "/reviews/request/:requestId/decline", method = "post")]
    async fn decline(
        &self,
        auth: BearerAuth,
        #[oai(name = "requestId")] id: Path<String>,
        body: JsonBody<DeclineInput>,
    ) -> Result<Out<ReviewRequestDeclined>> {
        service::require(&auth.0, &["customer"])?;
        id_or_404(&id, "Review request")?;
        let u = auth.0;
        let out = write_with(&self.platform, move |tx| {
            requests::decline(tx, &u, &id.0, &body.0)
        })
        .await?;
        ok_msg(out, "Your preferences have been updated")
    }

    /// Be reminded tomorrow at 09:00 UTC (customer; at most three reminders): a background job
    /// sends the reminder through the request's channel then (`reminderStatus` in pending requests).
    #[oai(path = "/reviews/request/:requestId/remind", method = "post")]
    async fn remind(
        &self,
        auth: BearerAuth,
        #[oai(name = "requestId")] id: Path<String>,
    ) -> Result<Out<ReviewReminder>> {
        service::require(&auth.0, &["customer"])?;
        id_or_404(&id, "Review request")?;
        let u = auth.0;
        let out = write_with(&self.platform, move |tx| requests::remind(tx, &u, &id.0)).await?;
        ok_msg(out, "We'll remind you tomorrow morning")
    }

    /// Review request preferences (customer); omitted fields keep their value.
    #[oai(path = "/customers/review-preferences", method = "put")]
    async fn preferences(
        &self,
        auth: BearerAuth,
        body: JsonBody<Preferences>,
    ) -> Result<Out<PreferencesUpdated>> {
        service::require(&auth.0, &["customer"])?;
        let u = auth.0;
        let out = write_with(&self.platform, move |tx| {
            requests::update_prefs(tx, &u, &body.0)
        })
        .await?;
        ok_msg(out, "Preferences updated successfully")
    }

    /// Delivered, still open review requests of the caller (customer).
    #[oai(path = "/customers/reviews/pending", method = "get")]
    async fn pending(&self, auth: BearerAuth) -> Result<Out<Vec<PendingReviewRequest>>> {
        service::require(&auth.0, &["customer"])?;
        let u = auth.0;
        let data = read_with(&self.platform, move |c| requests::pending(c, &u)).await?;
        Ok(Json(Envelope::list(data)))
    }
}

pub struct AnalyticsApi {
    platform: Platform,
}

#[OpenApi(tag = "Tag::Analytics")]
impl AnalyticsApi {
    /// Pricing analytics (provider: own; admin: any provider or the whole platform).
    ///
    /// Prices of different pricing types are not averaged together: `overview.averagePrice`
    /// is the average of the most common active pricing type (`averagePriceType`, with its
    /// `averagePriceUnit`), `pricingByType` has each type's, and `priceComparison` compares
    /// the provider's main type with the market's prices of that type.
    #[oai(path = "/analytics/pricing", method = "get")]
    async fn pricing(
        &self,
        auth: BearerAuth,
        #[oai(name = "providerId")] provider: Query<Option<String>>,
        #[oai(name = "serviceCategoryId")] category: Query<Option<String>>,
        period: Query<Option<AnalyticsPeriod>>,
        #[oai(name = "startDate")] start: Query<Option<DateOrTime>>,
        #[oai(name = "endDate")] end: Query<Option<DateOrTime>>,
    ) -> Result<Out<PricingAnalytics>> {
        service::require(&auth.0, &["provider"])?;
        let (from, to) = service::period(
            period.0.map(|p| p.as_str()),
            start.0.as_ref().map(DateOrTime::as_str),
            end.0.as_ref().map(DateOrTime::as_str),
        )?;
        let u = auth.0;
        let out = read_with(&self.platform, move |c| {
            let p = analytics::scope(c, &u, provider.0.as_deref())?;
            analytics::pricing(c, p.as_deref(), category.0.as_deref(), from, to)
        })
        .await?;
        ok(out)
    }

    /// Review analytics (provider: own; admin: any provider or the whole platform).
    #[oai(path = "/analytics/reviews", method = "get")]
    async fn reviews(
        &self,
        auth: BearerAuth,
        #[oai(name = "providerId")] provider: Query<Option<String>>,
        period: Query<Option<AnalyticsPeriod>>,
        #[oai(name = "startDate")] start: Query<Option<DateOrTime>>,
        #[oai(name = "endDate")] end: Query<Option<DateOrTime>>,
    ) -> Result<Out<ReviewAnalytics>> {
        service::require(&auth.0, &["provider"])?;
        let (from, to) = service::period(
            period.0.map(|p| p.as_str()),
            start.0.as_ref().map(DateOrTime::as_str),
            end.0.as_ref().map(DateOrTime::as_str),
        )?;
        let u = auth.0;
        let out = read_with(&self.platform, move |c| {
            let p = analytics::scope(c, &u, provider.0.as_deref())?;
            analytics::reviews(c, p.as_deref(), from, to)
        })
        .await?;
        ok(out)
    }

    /// Platform-wide review request and review analytics (admin). Delivery figures count
    /// what the channels did (sent, delivered when reported, failed, not configured); a
    /// channel's cost is the vendor's price where its answer gives one (Twilio `price`),
    /// else the operator's per-message cost (`delivery_costs` setting, 0 when unset).
    #[oai(path = "/admin/analytics/reviews", method = "get")]
    async fn platform_reviews(
        &self,
        auth: BearerAuth,
        period: Query<Option<AnalyticsPeriod>>,
        #[oai(name = "startDate")] start: Query<Option<DateOrTime>>,
        #[oai(name = "endDate")] end: Query<Option<DateOrTime>>,
    ) -> Result<Out<PlatformReviewAnalytics>> {
        service::require(&auth.0, &[])?;
        let (from, to) = service::period(
            period.0.map(|p| p.as_str()),
            start.0.as_ref().map(DateOrTime::as_str),
            end.0.as_ref().map(DateOrTime::as_str),
        )?;
        let out = read_with(&self.platform, move |c| analytics::platform(c, from, to)).await?;
        ok(out)
    }
}

pub struct AdminApi {
    platform: Platform,
}

#[OpenApi(tag = "Tag::Admin")]
impl AdminApi {
    /// Extension: the moderation queue (admin). Reviews in one moderation status
    /// (`pending` — not yet looked at, `flagged`, `approved`, `rejected`) or in all,
    /// newest first, paged like the other lists.
    #[oai(path = "/admin/reviews", method = "get")]
    async fn moderation_queue(
        &self,
        auth: BearerAuth,
        /// pending, flagged, approved or rejected; every status when absent.
        status: Query<Option<ModerationStatus>>,
        #[oai(name = "page", validator(minimum(value = "1")))] p: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
    ) -> Result<Out<Vec<ModerationQueueItem>>> {
        service::require(&auth.0, &[])?;
        let pg = page(&self.platform, p.0, limit.0)?;
        let status = status.0;
        let out = read_with(&self.platform, move |c| {
            reviews::moderation_queue(c, status, &pg)
        })
        .await?;
        paged(out)
    }

    /// Approve, reject (hides it and drops it from the rating) or flag a review (admin; audited).
    #[oai(path = "/admin/reviews/:reviewId/moderate", method = "put")]
    async fn moderate(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        #[oai(name = "reviewId")] id: Path<String>,
        body: JsonBody<ModerateInput>,
    ) -> Result<Out<ModerationResult>> {
        service::require(&auth.0, &[])?;
        id_or_404(&id, "Review")?;
        let u = auth.0;
        let out = transact_as(&self.platform, u, meta, move |w| {
            reviews::moderate(w, &id.0, &body.0)
        })
        .await?;
        let msg = format!("Review {} successfully", out.moderation_status);
        ok_msg(out, msg)
    }

    /// Create an A/B review campaign (admin) in `draft`; allocations add up to 100. Once
    /// active, completed bookings in its categories are assigned a variant by allocation
    /// until `sampleSize` is reached.
    #[oai(path = "/admin/campaigns", method = "post")]
    async fn create_campaign(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<CampaignInput>,
    ) -> Result<Created<CampaignCreated>> {
        let out = transact_if(&self.platform, auth, &[], meta, move |w| {
            campaigns::create(w, &body.0)
        })
        .await?;
        Ok(created(out, "Campaign created successfully"))
    }

    /// Results per variant: response rates with 95% intervals; a winner (with confidence)
    /// only when the two-proportion z-test of the best two variants is significant at 95%.
    #[oai(path = "/admin/campaigns/:campaignId/results", method = "get")]
    async fn campaign_results(
        &self,
        auth: BearerAuth,
        #[oai(name = "campaignId")] id: Path<String>,
    ) -> Result<Out<CampaignResults>> {
        service::require(&auth.0, &[])?;
        id_or_404(&id, "Campaign")?;
        let out = read_with(&self.platform, move |c| campaigns::results(c, &id.0)).await?;
        ok(out)
    }

    /// Extension: activate, pause or complete a campaign (admin).
    #[oai(
        path = "/admin/campaigns/:campaignId/status",
        method = "put",
        tag = "Tag::Extensions"
    )]
    async fn campaign_status(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        #[oai(name = "campaignId")] id: Path<String>,
        body: JsonBody<CampaignStatusInput>,
    ) -> Result<Out<CampaignStatusChanged>> {
        service::require(&auth.0, &[])?;
        id_or_404(&id, "Campaign")?;
        let u = auth.0;
        let out = transact_as(&self.platform, u, meta, move |w| {
            campaigns::set_status(w, &id.0, body.0.status.as_str())
        })
        .await?;
        ok_msg(out, "Campaign status updated")
    }
}

fn webhook_json(s: &events::Subscription) -> Webhook {
    Webhook {
        id: s.id.clone(),
        url: s.url.clone(),
        events: s.events.clone(),
        description: s.description.clone(),
        active: s.active,
        created_at: service::iso(s.created_at),
        secret: None,
    }
}

pub struct WebhookApi {
    platform: Platform,
}

#[OpenApi(tag = "Tag::Webhooks")]
impl WebhookApi {
    /// Register a webhook for the caller. It receives the events about the caller's own resources
    /// (as the customer or the provider of a booking, review, review request or price); a marketplace
    /// administrator's webhook receives every event. `url` must reach a public address (loopback,
    /// private, link-local and unique-local hosts are refused unless the server's operator allows them).
    /// Deliveries are POSTed as JSON `{id, event, timestamp, data}`
    /// signed with `X-Frontline-Signature: sha256=<HMAC-SHA256 of the body>` and retried with
    /// backoff. The `secret` is returned only here.
    #[oai(path = "/webhooks", method = "post")]
    async fn register(
        &self,
        auth: BearerAuth,
        body: JsonBody<WebhookInput>,
    ) -> Result<Created<Webhook>> {
        let new = NewSubscription {
            module: SLUG.into(),
            owner_id: Some(auth.0.id.clone()),
            url: body.0.url.into(),
            events: body
                .0
                .events
                .iter()
                .map(|e| e.as_str().to_string())
                .collect(),
            secret: body.0.secret,
            description: body.0.description,
            // An administrator's webhook sees every event; anyone else's only
            // events about their own bookings, reviews and prices.
            module_wide: service::is_admin(&auth.0),
        };
        let ev = self.platform.events.clone();
        let (sub, secret) = write_with(&self.platform, move |tx| ev.subscribe(tx, &new)).await?;
        let mut out = webhook_json(&sub);
        out.secret = Some(secret);
        Ok(created(out, "Webhook registered successfully"))
    }

    /// The caller's registered webhooks.
    #[oai(path = "/webhooks", method = "get")]
    async fn list_webhooks(&self, auth: BearerAuth) -> Result<Out<Vec<Webhook>>> {
        let owner = auth.0.id.clone();
        let subs = read_with(&self.platform, move |c| {
            events::list_subscriptions(c, SLUG, Some(&owner))
        })
        .await?;
        let data: Vec<Webhook> = subs.iter().map(webhook_json).collect();
        Ok(Json(Envelope::list(data)))
    }

    /// Delete one of the caller's webhooks.
    #[oai(path = "/webhooks/:id", method = "delete")]
    async fn delete_webhook(
        &self,
        auth: BearerAuth,
        id: Path<String>,
    ) -> Result<Out<WebhookDeleted>> {
        let owner = auth.0.id.clone();
        let id2 = id.0.clone();
        let gone = write_with(&self.platform, move |tx| {
            events::delete_subscription(tx, SLUG, Some(&owner), &id2)
        })
        .await?;
        if !gone {
            return Err(MarketplaceError::NotFound
                .with_message("Webhook not found")
                .into());
        }
        ok_msg(
            WebhookDeleted {
                id: id.0,
                deleted: true,
            },
            "Webhook deleted successfully",
        )
    }
}

pub struct ExtensionApi {
    platform: Platform,
}

#[OpenApi(tag = "Tag::Extensions")]
impl ExtensionApi {
    /// Extension: service categories (public), each with its `slug` and
    /// whether an admin has `named` it. Categories are registered on first
    /// use: a pricing configuration naming an unknown but well-formed
    /// `serviceCategoryId` (a 24-character hex id or a slug such as
    /// `barber`) creates it, named after its reference.
    #[oai(path = "/service-categories", method = "get")]
    async fn categories(&self) -> Result<Out<Vec<ServiceCategory>>> {
        ok(read_with(&self.platform, bookings::list_categories).await?)
    }

    /// Extension: add a service category (admin). A category registered on
    /// first use whose slug is the new name's is named instead (keeping its id).
    #[oai(path = "/service-categories", method = "post")]
    async fn create_category(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<CategoryInput>,
    ) -> Result<Created<ServiceCategory>> {
        let out = transact_if(&self.platform, auth, &[], meta, move |w| {
            bookings::create_category(w, &body.0)
        })
        .await?;
        Ok(created(out, "Service category created successfully"))
    }

    /// Extension: name or rename a service category (admin), found by id or
    /// slug; it keeps its id, its slug follows the name.
    #[oai(path = "/service-categories/:categoryId", method = "put")]
    async fn name_category(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        #[oai(name = "categoryId")] category: Path<String>,
        body: JsonBody<CategoryInput>,
    ) -> Result<Out<ServiceCategory>> {
        let out = transact_if(&self.platform, auth, &[], meta, move |w| {
            bookings::name_category(w, &category.0, &body.0)
        })
        .await?;
        ok(out)
    }

    /// Extension: create or update the caller's provider profile (name, image, location
    /// `[longitude, latitude]`). Its rating is computed from reviews.
    #[oai(path = "/providers/profile", method = "put")]
    async fn provider_profile(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ProviderProfileInput>,
    ) -> Result<Out<ProviderProfile>> {
        let out = transact_if(&self.platform, auth, &["provider"], meta, move |w| {
            bookings::upsert_provider(w, &body.0)
        })
        .await?;
        ok_msg(out, "Provider profile saved")
    }

    /// Extension: find providers by name, as you type (the admin UI's provider
    /// picker). Best first: the provider whose id is `q`, then names starting
    /// with `q`, then names holding it further in (ASCII letters in any case),
    /// each in name order. For signed-in callers with a marketplace role.
    #[oai(path = "/providers/search", method = "get")]
    async fn search_providers(
        &self,
        auth: BearerAuth,
        /// Part of the provider's name, or its id (1-100 characters).
        #[oai(validator(min_length = 1, max_length = 100))]
        q: Query<String>,
        /// How many to return (1-50, default 10).
        #[oai(validator(minimum(value = "1"), maximum(value = "50")))]
        limit: Query<Option<i64>>,
    ) -> Result<Out<Vec<ProviderProfile>>> {
        service::require(&auth.0, &["provider", "customer"])?;
        let limit = limit.0.unwrap_or(10);
        let data = read_with(&self.platform, move |c| {
            service::providers::search(c, &q.0, limit)
        })
        .await?;
        Ok(Json(Envelope::list(data)))
    }

    /// Extension: a provider's public profile.
    #[oai(path = "/providers/:providerId", method = "get")]
    async fn provider(
        &self,
        #[oai(name = "providerId")] id: Path<String>,
    ) -> Result<Out<ProviderProfile>> {
        id_or_404(&id, "Provider")?;
        let out = read_with(&self.platform, move |c| bookings::provider_json(c, &id.0)).await?;
        match out {
            Some(v) => ok(v),
            None => Err(MarketplaceError::NotFound
                .with_message("Provider not found")
                .into()),
        }
    }

    /// Extension: create or update the caller's customer profile.
    #[oai(path = "/customers/profile", method = "put")]
    async fn customer_profile(
        &self,
        auth: BearerAuth,
        body: JsonBody<CustomerProfileInput>,
    ) -> Result<Out<CustomerProfile>> {
        service::require(&auth.0, &["customer"])?;
        let u = auth.0;
        let out = write_with(&self.platform, move |tx| {
            bookings::upsert_customer(tx, &u, &body.0)
        })
        .await?;
        ok_msg(out, "Customer profile saved")
    }

    /// Extension: book a priced service (customer); an unused review reward code takes its amount off.
    #[oai(path = "/bookings", method = "post")]
    async fn create_booking(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<BookingInput>,
    ) -> Result<Created<Booking>> {
        service::require(&auth.0, &["customer"])?;
        id_or_404(&body.0.service_pricing_id, "Pricing configuration")?;
        let u = auth.0;
        let out = transact_as(&self.platform, u, meta, move |w| {
            bookings::create_booking(w, &body.0)
        })
        .await?;
        Ok(created(out, "Booking created successfully"))
    }

    /// Extension: the caller's bookings (as customer or provider; admins see all).
    #[oai(path = "/bookings", method = "get")]
    async fn list_bookings(
        &self,
        auth: BearerAuth,
        status: Query<Option<BookingState>>,
    ) -> Result<Out<Vec<Booking>>> {
        let u = auth.0;
        let data = read_with(&self.platform, move |c| {
            bookings::list_bookings(c, &u, status.0.map(|s| s.as_str()))
        })
        .await?;
        Ok(Json(Envelope::list(data)))
    }

    /// Extension: confirm, complete (provider or admin) or cancel a booking. Completing it
    /// creates the review request, scheduled by the active campaign's variant or for the next
    /// morning, and sent through the customer's channel (push, SMS, WhatsApp, e-mail) by a
    /// background job with retries (`review.request.delivered` once the channel accepted it;
    /// `not_configured` when the server has no credentials for the channel).
    #[oai(path = "/bookings/:bookingId/status", method = "put")]
    async fn booking_status(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        #[oai(name = "bookingId")] id: Path<String>,
        body: JsonBody<BookingStatusInput>,
    ) -> Result<Out<Booking>> {
        id_or_404(&id, "Booking")?;
        let u = auth.0;
        let out = transact_as(&self.platform, u, meta, move |w| {
            bookings::set_status(w, &id.0, body.0.status.as_str())
        })
        .await?;
        self.platform.jobs.notify();
        ok_msg(out, "Booking updated")
    }
}

pub fn apis(
    platform: &Platform,
) -> (
    PricingApi,
    ReviewApi,
    AnalyticsApi,
    AdminApi,
    WebhookApi,
    ExtensionApi,
) {
    let p = || platform.clone();
    (
        PricingApi { platform: p() },
        ReviewApi { platform: p() },
        AnalyticsApi { platform: p() },
        AdminApi { platform: p() },
        WebhookApi { platform: p() },
        ExtensionApi { platform: p() },
    )
}
