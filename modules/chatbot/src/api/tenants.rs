//! Tenants, their users, configuration, billing and usage.

use frontline_platform::auth::now_iso;
use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, FieldError, Platform};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::*;
use crate::access::caller;
use crate::service::tenants;
use crate::service::*;
use crate::store::*;

pub struct TenantsApi {
    pub platform: Platform,
}

#[OpenApi]
impl TenantsApi {
    /// List tenants (chatbot platform admins).
    #[oai(path = "/tenants", method = "get", tag = "ApiTags::Tenants")]
    async fn list_tenants(
        &self,
        req: &Request,
        page: Query<Option<u32>>,
        limit: Query<Option<u32>>,
        status: Query<Option<String>>,
    ) -> Result<Json<Value>> {
        internal(&self.platform, req).await?;
        let (page, limit) = pagination(
            page.0,
            limit.0,
            self.platform.settings.max_page_size.min(100),
        )?;
        let status = status.0;
        let data = self
            .platform
            .db
            .read(move |c| tenants::list(c, status.as_deref(), page, limit))
            .await?;
        Ok(ok(data))
    }

    /// Create a tenant with its owner (a platform user, created when new) and its
    /// API keys. The keys are shown only in this response; only their SHA-256
    /// hash and prefix are stored.
    #[oai(path = "/tenants", method = "post", tag = "ApiTags::Tenants")]
    async fn create_tenant(
        &self,
        req: &Request,
        meta: RequestMeta,
        body: Json<Value>,
    ) -> Result<Created> {
        let admin = internal(&self.platform, req).await?;
        let body = body_obj(&body)?.clone();
        let mut errs = vec![];
        let name = str_of(&body, "name").unwrap_or_default().trim().to_string();
        if name.is_empty() || name.len() > 200 {
            errs.push(FieldError::new(
                "name",
                "name is required (1-200 characters)",
            ));
        }
        let plan = str_of(&body, "plan").unwrap_or_else(|| "starter".into());
        if !PLANS.contains(&plan.as_str()) {
            errs.push(FieldError::new(
                "plan",
                format!("plan must be one of {}", PLANS.join(", ")),
            ));
        }
        let admin_user = body.get("admin_user").cloned().unwrap_or(Value::Null);
        if !admin_user.is_object()
            || !valid_email(&str_of(&admin_user, "email").unwrap_or_default())
        {
            errs.push(FieldError::new("admin_user.email", "Invalid email format"));
        }
        let cfg_in = body.get("configuration").cloned().unwrap_or(json!({}));
        if !cfg_in.is_object() {
            errs.push(FieldError::new(
                "configuration",
                "configuration must be an object",
            ));
        }
        let features = body.get("features").cloned().unwrap_or(json!({}));
        if !features.is_object() {
            errs.push(FieldError::new("features", "features must be an object"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let platform = self.platform.clone();
        let domain = str_of(&body, "domain");
        let who = Caller {
            tenant_id: String::new(),
            principal: Some(admin),
            role: "platform_admin".into(),
        };
        let data = self
            .platform
            .db
            .write(move |tx| {
                if let Some(d) = &domain {
                    let taken: Option<String> = tx
                        .query_row("SELECT id FROM chatbot_tenants WHERE domain = ?1 AND status != 'deleted'", params![d], |r| r.get(0))
                        .optional()?;
                    if taken.is_some() {
                        return Err(ApiError::conflict("A tenant with this domain exists").with_code("TENANT_EXISTS").with_detail("domain", "already used"));
                    }
                }
                let id = new_id("tenant");
                let mut config = default_config();
                let mut general = json!({});
                let mut ignored = vec![];
                for (k, v) in cfg_in.as_object().into_iter().flatten() {
                    if ["chatbot", "channels", "integrations", "ai_models", "general"].contains(&k.as_str()) {
                        deep_merge(&mut config, &json!({ k: v }), "", &mut ignored);
                    } else {
                        general[k] = v.clone();
                    }
                }
                deep_merge(&mut config, &json!({ "general": general }), "", &mut ignored);
                let now = now_iso();
                tx.execute(
                    "INSERT INTO chatbot_tenants (id, name, domain, plan, status, config, config_version, features, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 'active', ?5, 1, ?6, ?7, ?7)",
                    params![id, name, domain, plan, config.to_string(), features.to_string(), now],
                )?;
                let mut owner_body = admin_user.clone();
                owner_body["role"] = json!("owner");
                let owner = add_member(tx, &platform, &id, &owner_body, "owner", false)?;
                let primary = issue_key(tx, &id, "live")?;
                let test = issue_key(tx, &id, "test")?;
                audit_in(tx, &who, &meta, "tenant.create", "tenant", &id, json!({"name": name, "plan": plan}))?;
                Ok(json!({
                    "tenant_id": id, "name": name, "domain": domain, "plan": plan, "status": "active", "created_at": now,
                    "admin_user": {"user_id": owner["user_id"], "platform_user_id": owner["platform_user_id"], "email": owner["email"], "role": "owner", "invitation_sent": false},
                    "api_keys": {"primary": primary, "test": test},
                    "webhook_endpoints": {"incoming": format!("/chatbot/api/v2/webhooks/generic/{id}"), "outgoing": config.pointer("/integrations/outgoing_webhook_url")}
                }))
            })
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    /// Tenant details (tenant admins).
    #[oai(path = "/tenants/:id", method = "get", tag = "ApiTags::Tenants")]
    async fn get_tenant(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let data = self
            .platform
            .db
            .read(move |c| tenant_json(c, &who.tenant_id))
            .await?;
        Ok(ok(data))
    }

    /// Update `name`, `domain`, `features`; `plan` and `status` (`active`/`suspended`)
    /// only by platform admins.
    #[oai(path = "/tenants/:id", method = "put", tag = "ApiTags::Tenants")]
    async fn update_tenant(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let body = body_obj(&body)?.clone();
        if (body.get("plan").is_some() || body.get("status").is_some())
            && who.role != "platform_admin"
        {
            return Err(
                ApiError::forbidden("Only platform admins change the plan or status").into(),
            );
        }
        let mut errs = vec![];
        if let Some(p) = str_of(&body, "plan") {
            if !PLANS.contains(&p.as_str()) {
                errs.push(FieldError::new("plan", "unknown plan"));
            }
        }
        if let Some(s) = str_of(&body, "status") {
            if !["active", "suspended"].contains(&s.as_str()) {
                errs.push(FieldError::new(
                    "status",
                    "status must be active or suspended",
                ));
            }
        }
        if let Some(n) = body.get("name") {
            if n.as_str().map(|s| s.trim().is_empty()).unwrap_or(true) {
                errs.push(FieldError::new("name", "name must be a non-empty string"));
            }
        }
        if body
            .get("features")
            .map(|f| !f.is_object())
            .unwrap_or(false)
        {
            errs.push(FieldError::new("features", "features must be an object"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let data = self
            .platform
            .db
            .write(move |tx| tenants::update(tx, &who, &meta, &body))
            .await?;
        Ok(ok(data))
    }

    /// Delete a tenant and all its data (chatbot platform admins).
    #[oai(path = "/tenants/:id", method = "delete", tag = "ApiTags::Tenants")]
    async fn delete_tenant(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Value>> {
        let admin = internal(&self.platform, req).await?;
        let id = id.0;
        let who = Caller {
            tenant_id: id.clone(),
            principal: Some(admin),
            role: "platform_admin".into(),
        };
        let data = self
            .platform
            .db
            .write(move |tx| tenants::delete(tx, &who, &meta, &id))
            .await?;
        Ok(ok(data))
    }

    /// Members of the tenant (tenant admins).
    #[oai(path = "/tenants/:id/users", method = "get", tag = "ApiTags::Tenants")]
    async fn list_users(
        &self,
        req: &Request,
        id: Path<String>,
        page: Query<Option<u32>>,
        limit: Query<Option<u32>>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let (page, limit) = pagination(
            page.0,
            limit.0,
            self.platform.settings.max_page_size.min(100),
        )?;
        let data = self
            .platform
            .db
            .read(move |c| tenants::users(c, &who, page, limit))
            .await?;
        Ok(ok(data))
    }

    /// Add a user to the tenant. With `send_invitation` the membership is an
    /// invitation valid for 7 days. The plan's user limit applies.
    #[oai(path = "/tenants/:id/users", method = "post", tag = "ApiTags::Tenants")]
    async fn add_user(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<Created> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let body = body_obj(&body)?.clone();
        if str_of(&body, "role").as_deref() == Some("owner")
            && who.role != "owner"
            && who.role != "platform_admin"
        {
            return Err(ApiError::forbidden("Only owners add owners").into());
        }
        let platform = self.platform.clone();
        let data = self
            .platform
            .db
            .write(move |tx| tenants::add_user(tx, &platform, &who, &meta, &body))
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    /// The tenant's configuration (secrets masked).
    #[oai(path = "/tenants/:id/config", method = "get", tag = "ApiTags::Tenants")]
    async fn get_config(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let data = self
            .platform
            .db
            .read(move |c| tenants::config(c, &who))
            .await?;
        Ok(ok(data))
    }

    /// Deep-merge `configuration` into the tenant's configuration; lists the
    /// changed paths and bumps the version when anything changed.
    #[oai(path = "/tenants/:id/config", method = "put", tag = "ApiTags::Tenants")]
    async fn put_config(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let patch = body.0.get("configuration").cloned().unwrap_or(Value::Null);
        if !patch.is_object() {
            return Err(
                ApiError::invalid("configuration", "configuration must be an object").into(),
            );
        }
        if let Some(t) = patch.pointer("/chatbot/confidence_threshold") {
            if !t
                .as_f64()
                .map(|x| (0.0..=1.0).contains(&x))
                .unwrap_or(false)
            {
                return Err(ApiError::invalid(
                    "configuration.chatbot.confidence_threshold",
                    "must be a number 0-1",
                )
                .into());
            }
        }
        if let Some(intents) = patch.pointer("/chatbot/intents") {
            let okay = intents
                .as_array()
                .map(|a| {
                    a.iter().all(|i| {
                        i.get("name").and_then(Value::as_str).is_some()
                            && i.get("examples").map(Value::is_array).unwrap_or(false)
                    })
                })
                .unwrap_or(false);
            if !okay {
                return Err(ApiError::invalid(
                    "configuration.chatbot.intents",
                    "intents are objects with name and examples[]",
                )
                .into());
            }
        }
        crate::service::validate_ai_models(&patch)?;
        let data = self
            .platform
            .db
            .write(move |tx| tenants::update_config(tx, &who, &meta, &patch))
            .await?;
        Ok(ok(data))
    }

    /// Billing of the current month: the plan's price, the included conversations
    /// and the overage (1 cent per conversation above the plan), plus AI costs.
    #[oai(
        path = "/tenants/:id/billing",
        method = "get",
        tag = "ApiTags::Tenants"
    )]
    async fn billing(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let data = self
            .platform
            .db
            .read(move |c| tenants::billing(c, &who))
            .await?;
        Ok(ok(data))
    }

    /// Usage of the current month computed from stored conversations and messages,
    /// against the plan's limits.
    #[oai(path = "/tenants/:id/usage", method = "get", tag = "ApiTags::Tenants")]
    async fn usage(
        &self,
        req: &Request,
        id: Path<String>,
        period: Query<Option<String>>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        if let Some(p) = period.0.as_deref() {
            if p != "current_month" {
                return Err(ApiError::invalid("period", "period must be current_month").into());
            }
        }
        let data = self
            .platform
            .db
            .read(move |c| usage_of(c, &who.tenant_id))
            .await?;
        Ok(ok(data))
    }
}
