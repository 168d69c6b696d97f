//! Tenants, their users, configuration, billing and usage.

use frontline_platform::http::RequestMeta;
use frontline_platform::write::WriteCtx;
use frontline_platform::Platform;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::auth::*;
use super::*;
use crate::model::*;
use crate::service::pagination;
use crate::service::tenants;

pub struct TenantsApi {
    pub platform: Platform,
    /// API calls of each tenant's keys not yet written (usage).
    pub api_calls: std::sync::Arc<crate::api_calls::ApiCalls>,
}

type Data<T> = Json<Envelope<T>>;

fn data<T: poem_openapi::types::ParseFromJSON + poem_openapi::types::ToJSON>(v: T) -> Data<T> {
    Json(Envelope::success(v))
}

impl TenantsApi {
    fn page(&self, page: Option<u32>, limit: Option<u32>) -> ApiResult<(u32, u32)> {
        pagination(page, limit, self.platform.settings.max_page_size.min(100))
    }
}

#[OpenApi]
impl TenantsApi {
    /// List tenants (chatbot platform admins), oldest first, optionally of one
    /// `status` (`active`, `suspended`).
    #[oai(path = "/tenants", method = "get", tag = "ApiTags::Tenants")]
    async fn list_tenants(
        &self,
        _admin: PlatformAdmin,
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))] page: Query<
            Option<u32>,
        >,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
        status: Query<Option<TenantStatusFilter>>,
    ) -> Result<Data<TenantList>> {
        let (page, limit) = self.page(page.0, limit.0)?;
        let status = status.0.map(TenantStatusFilter::as_str);
        let list = self
            .platform
            .db
            .read(move |c| tenants::list(c, status, page, limit))
            .await?;
        Ok(data(list))
    }

    /// Create a tenant with its owner (a platform user, created when new) and its
    /// API keys. The keys are shown only in this response; only their SHA-256
    /// hash and prefix are stored. Top-level `configuration` keys other than the
    /// sections (`chatbot`, `channels`, `integrations`, `ai_models`, `general`)
    /// are general settings.
    #[oai(path = "/tenants", method = "post", tag = "ApiTags::Tenants")]
    async fn create_tenant(
        &self,
        admin: PlatformAdmin,
        meta: RequestMeta,
        body: JsonBody<CreateTenantRequest>,
    ) -> Result<CreatedResponse<TenantCreated>> {
        let admin = admin.0;
        let body = body.0;
        let errs = tenants::create_errors(self.platform.outbound.policy(), &body);
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let platform = self.platform.clone();
        let created = self
            .platform
            .db
            .write(move |tx| {
                tenants::create(&WriteCtx::new(tx, Some(&admin), &meta), &platform, &body)
            })
            .await?;
        Ok(CreatedResponse::new(created))
    }

    /// Tenant details (tenant admins).
    #[oai(path = "/tenants/:id", method = "get", tag = "ApiTags::Tenants")]
    async fn get_tenant(
        &self,
        who: TenantAdmin<ops::TenantRead>,
        #[oai(name = "id")] _id: Path<String>,
    ) -> Result<Data<Tenant>> {
        let who = who.0;
        let t = self
            .platform
            .db
            .read(move |c| crate::store::tenant_of(c, &who.tenant_id))
            .await?;
        Ok(data(t))
    }

    /// Update `name` and `domain`. `features` (merged: the plan's limits and
    /// channels), `plan` and `status` (`active`/`suspended`) only by platform
    /// admins; a tenant admin sending them gets 403.
    #[oai(path = "/tenants/:id", method = "put", tag = "ApiTags::Tenants")]
    async fn update_tenant(
        &self,
        who: TenantAdmin<ops::TenantUpdate>,
        meta: RequestMeta,
        #[oai(name = "id")] _id: Path<String>,
        body: JsonBody<UpdateTenantRequest>,
    ) -> Result<Data<Tenant>> {
        let who = who.0;
        let body = body.0;
        tenants::check_update(&who, &body)?;
        let t = self
            .platform
            .db
            .write(move |tx| tenants::update(&who.writing(tx, &meta), &who, &body))
            .await?;
        Ok(data(t))
    }

    /// Delete a tenant and all its data (chatbot platform admins).
    #[oai(path = "/tenants/:id", method = "delete", tag = "ApiTags::Tenants")]
    async fn delete_tenant(
        &self,
        admin: PlatformAdmin,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Data<TenantDeleted>> {
        let admin = admin.0;
        let id = id.0;
        let who = Caller::platform_admin(&id, admin);
        let d = self
            .platform
            .db
            .write(move |tx| tenants::delete(&who.writing(tx, &meta), &id))
            .await?;
        Ok(data(d))
    }

    /// Members of the tenant (tenant admins), in the order they joined.
    #[oai(path = "/tenants/:id/users", method = "get", tag = "ApiTags::Tenants")]
    async fn list_users(
        &self,
        who: TenantAdmin<ops::UserList>,
        #[oai(name = "id")] _id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))] page: Query<
            Option<u32>,
        >,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
    ) -> Result<Data<TenantUserList>> {
        let who = who.0;
        let (page, limit) = self.page(page.0, limit.0)?;
        let list = self
            .platform
            .db
            .read(move |c| tenants::users(c, &who, page, limit))
            .await?;
        Ok(data(list))
    }

    /// Add a user to the tenant. The plan's user limit applies; only owners
    /// add owners.
    ///
    /// With `send_invitation` (the default) the member is `invited` (no
    /// access until accepted) and an e-mail with a single-use link
    /// (`{public_url}/#/accept-invitation?token=…`, valid 7 days, see
    /// `GET /invitations/{token}` and `POST /invitations/accept`) goes through
    /// the server's mail service (needs an SMTP server). The answer's `status`
    /// says what happened: `invitation_queued` (queued for the SMTP server;
    /// the member's `invitation_delivery` later says `sent` or `failed`) or
    /// `invitation_kept` (no SMTP server: nothing was sent, the e-mail is kept
    /// in the outbox, `invitation_delivery: not_configured`). Posting a member
    /// who has not accepted yet invites them again (the earlier link stops
    /// working). With `send_invitation: false` the member is `active` at once;
    /// an account created for it has a password nobody knows until a platform
    /// admin sets one.
    #[oai(path = "/tenants/:id/users", method = "post", tag = "ApiTags::Tenants")]
    async fn add_user(
        &self,
        who: TenantAdmin<ops::UserAdd>,
        meta: RequestMeta,
        #[oai(name = "id")] _id: Path<String>,
        body: JsonBody<InviteUserRequest>,
    ) -> Result<CreatedResponse<TenantUser>> {
        let who = who.0;
        let body = body.0;
        let platform = self.platform.clone();
        let user = self
            .platform
            .db
            .write(move |tx| tenants::add_user(&who.writing(tx, &meta), &platform, &who, &body))
            .await?;
        Ok(CreatedResponse::new(user))
    }

    /// The tenant's configuration (secrets masked).
    #[oai(path = "/tenants/:id/config", method = "get", tag = "ApiTags::Tenants")]
    async fn get_config(
        &self,
        who: TenantAdmin<ops::ConfigRead>,
        #[oai(name = "id")] _id: Path<String>,
    ) -> Result<Data<TenantConfiguration>> {
        let who = who.0;
        let cfg = self
            .platform
            .db
            .read(move |c| tenants::config(c, &who))
            .await?;
        Ok(data(cfg))
    }

    /// Deep-merge `configuration` into the tenant's configuration; lists the
    /// changed paths and bumps the version when anything changed. Thresholds
    /// are 0-1, temperatures 0-2, `max_tokens` 1-32000; each bad field is
    /// its own error detail. Provider `base_url`s must reach public addresses:
    /// loopback, private, link-local, unspecified and unique-local hosts (and
    /// IPv6 forms of them) are refused unless the server's operator allows
    /// them (`FRONTLINE_OUTBOUND_ALLOW`); provider `api_key`s are stored
    /// encrypted and read back masked.
    #[oai(path = "/tenants/:id/config", method = "put", tag = "ApiTags::Tenants")]
    async fn put_config(
        &self,
        who: TenantAdmin<ops::ConfigUpdate>,
        meta: RequestMeta,
        #[oai(name = "id")] _id: Path<String>,
        body: JsonBody<UpdateConfigurationRequest>,
    ) -> Result<Data<ConfigurationUpdate>> {
        let who = who.0;
        let body = body.0;
        let errs =
            tenants::configuration_errors(self.platform.outbound.policy(), &body.configuration);
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let platform = self.platform.clone();
        let out = self
            .platform
            .db
            .write(move |tx| {
                tenants::update_config(&who.writing(tx, &meta), &platform, &who, &body)
            })
            .await?;
        Ok(data(out))
    }

    /// Billing of the current month: the plan's price, the included conversations
    /// and the overage (1 cent per conversation above the plan), plus AI costs.
    #[oai(
        path = "/tenants/:id/billing",
        method = "get",
        tag = "ApiTags::Tenants"
    )]
    async fn billing(
        &self,
        who: TenantAdmin<ops::BillingRead>,
        #[oai(name = "id")] _id: Path<String>,
    ) -> Result<Data<BillingInfo>> {
        let who = who.0;
        let bill = self
            .platform
            .db
            .read(move |c| tenants::billing(c, &who))
            .await?;
        Ok(data(bill))
    }

    /// Usage of the current month computed from stored conversations and messages,
    /// against the plan's limits (`period` may only be `current_month`).
    /// `abandoned` conversations are open ones never escalated and idle for
    /// 30 minutes; `api_calls` counts requests made with the tenant's API
    /// keys. `detailed=true` adds `ai_costs.by_provider` and
    /// `integrations.data_sync_operations`.
    #[oai(path = "/tenants/:id/usage", method = "get", tag = "ApiTags::Tenants")]
    async fn usage(
        &self,
        who: TenantAdmin<ops::UsageRead>,
        #[oai(name = "id")] _id: Path<String>,
        #[oai(name = "period")] _period: Query<Option<UsagePeriod>>,
        /// `true` adds costs by provider and data sync operations.
        detailed: Query<Option<bool>>,
    ) -> Result<Data<UsageReport>> {
        let who = who.0;
        let calls = self.api_calls.clone();
        let detailed = detailed.0.unwrap_or(false);
        let report = self
            .platform
            .db
            .read(move |c| tenants::usage(c, &who, &calls, detailed))
            .await?;
        Ok(data(report))
    }
}
