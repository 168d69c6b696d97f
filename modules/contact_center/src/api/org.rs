//! Teams, agents and companies.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::common::*;
use crate::common::*;
use crate::model::AgentQuery;
use crate::model::*;
use crate::service::org as service;

pub struct TeamsApi {
    pub p: Platform,
}

#[OpenApi(tag = "Tag::Teams")]
impl TeamsApi {
    /// List teams (agents, supervisors and admins).
    #[oai(path = "/api/v1/teams", method = "get")]
    async fn list_teams(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        team_type: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<Team>> {
        Access::of(&auth.0).require_staff()?;
        let w = window(&self.p, limit.0, offset.0)?;
        let (a, t) = (is_active.0, team_type.0.clone());
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list_teams(c, a, t.as_deref(), w))
            .await?;
        let f = Filters::new()
            .add("is_active", a)
            .add("team_type", team_type.0);
        Ok(paged(items, w, "/api/v1/teams", f, total))
    }

    /// Create a team (supervisors and admins).
    #[oai(path = "/api/v1/teams", method = "post")]
    async fn create_team(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<TeamCreate>,
    ) -> Result<Created<Team>> {
        let t = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::create_team(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(t)))
    }

    /// Get a team.
    #[oai(path = "/api/v1/teams/:team_id", method = "get")]
    async fn get_team(&self, auth: BearerAuth, team_id: Path<i64>) -> Result<Json<Team>> {
        Access::of(&auth.0).require_staff()?;
        let t = self
            .p
            .db
            .read(move |c| service::get_team(c, team_id.0))
            .await?;
        Ok(Json(t))
    }

    /// Update a team (supervisors and admins).
    #[oai(path = "/api/v1/teams/:team_id", method = "put")]
    async fn update_team(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        team_id: Path<i64>,
        body: JsonBody<TeamUpdate>,
    ) -> Result<Json<Team>> {
        let t = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::update_team(w, team_id.0, body.0)
        })
        .await?;
        Ok(Json(t))
    }

    /// Delete a team; its agents and queues remain, without a team.
    #[oai(path = "/api/v1/teams/:team_id", method = "delete")]
    async fn delete_team(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        team_id: Path<i64>,
    ) -> Result<Deleted> {
        write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::delete_team(w, team_id.0)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// The team's agents.
    #[oai(path = "/api/v1/teams/:team_id/agents", method = "get")]
    async fn team_agents(
        &self,
        auth: BearerAuth,
        team_id: Path<i64>,
        /// available, busy, away, break or offline.
        status: Query<Option<crate::model::AgentStatus>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<Agent>> {
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        Access::of(&auth.0).require_staff()?;
        let w = window(&self.p, limit.0, offset.0)?;
        let id = team_id.0;
        let q = AgentQuery {
            team_id: Some(id),
            status: status.0.clone(),
            ..Default::default()
        };
        let (items, total) = self
            .p
            .db
            .read(move |c| service::team_agents(c, &q, w))
            .await?;
        Ok(paged(
            items,
            w,
            &format!("/api/v1/teams/{id}/agents"),
            Filters::new().add("status", status.0),
            total,
        ))
    }

    /// Team performance over a period (`24h`, `7d`, `30d`, `4w`; default 7d),
    /// computed from the calls its agents completed.
    #[oai(path = "/api/v1/teams/:team_id/performance", method = "get")]
    async fn team_performance(
        &self,
        auth: BearerAuth,
        team_id: Path<i64>,
        /// Hours, days or weeks back from now: `24h`, `7d`, `4w` (at most 366 days).
        period: Query<Option<PeriodText>>,
    ) -> Result<Json<TeamPerformance>> {
        Access::of(&auth.0).require_staff()?;
        let p = period_of(period.0.as_deref(), "7d")?;
        let t = self
            .p
            .db
            .read(move |c| service::team_performance(c, team_id.0, &p))
            .await?;
        Ok(Json(t))
    }

    /// List agents with their skills and current calls.
    #[oai(path = "/api/v1/agents", method = "get")]
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    async fn list_agents(
        &self,
        auth: BearerAuth,
        team_id: Query<Option<i64>>,
        /// available, busy, away, break or offline.
        status: Query<Option<crate::model::AgentStatus>>,
        /// Agents with this skill.
        skill: Query<Option<String>>,
        /// Agents speaking this language (e.g. `es`).
        language: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<Agent>> {
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        Access::of(&auth.0).require_staff()?;
        let w = window(&self.p, limit.0, offset.0)?;
        let mut problems = Vec::new();
        one_of(
            &mut problems,
            "status",
            status.0.as_deref(),
            service::AGENT_STATUSES,
        );
        fail_if(problems)?;
        if let Some(l) = &language.0 {
            frontline_platform::search::check_substring("language", l)?;
        }
        let q = AgentQuery {
            team_id: team_id.0,
            status: status.0.clone(),
            skill: skill.0.clone(),
            language: language.0.clone(),
        };
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list_agents(c, &q, w))
            .await?;
        let f = Filters::new()
            .add("team_id", team_id.0)
            .add("status", status.0)
            .add("skill", skill.0)
            .add("language", language.0);
        Ok(paged(items, w, "/api/v1/agents", f, total))
    }

    /// Create an agent profile for an existing user (supervisors and admins).
    #[oai(path = "/api/v1/agents", method = "post")]
    async fn create_agent(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<AgentCreate>,
    ) -> Result<Created<Agent>> {
        let a = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::create_agent(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(a)))
    }

    /// Get an agent profile.
    #[oai(path = "/api/v1/agents/:agent_id", method = "get")]
    async fn get_agent(&self, auth: BearerAuth, agent_id: Path<i64>) -> Result<Json<Agent>> {
        Access::of(&auth.0).require_staff()?;
        let a = self
            .p
            .db
            .read(move |c| service::get_agent(c, agent_id.0))
            .await?;
        Ok(Json(a))
    }

    /// Update an agent. Supervisors and admins change anything; agents may
    /// change only their own `status`.
    #[oai(path = "/api/v1/agents/:agent_id", method = "put")]
    async fn update_agent(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        agent_id: Path<i64>,
        body: JsonBody<AgentUpdate>,
    ) -> Result<Json<Agent>> {
        let a = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::update_agent(w, agent_id.0, body.0)
        })
        .await?;
        Ok(Json(a))
    }

    /// Delete an agent profile (409 while the agent is on a call).
    #[oai(path = "/api/v1/agents/:agent_id", method = "delete")]
    async fn delete_agent(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        agent_id: Path<i64>,
    ) -> Result<Deleted> {
        write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::delete_agent(w, agent_id.0)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Add skills to an agent, or change their proficiency (1-10).
    #[oai(path = "/api/v1/agents/:agent_id/skills", method = "post")]
    async fn add_agent_skills(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        agent_id: Path<i64>,
        body: JsonBody<AgentSkillsAdd>,
    ) -> Result<Json<Agent>> {
        let a = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::add_skills(w, agent_id.0, body.0)
        })
        .await?;
        Ok(Json(a))
    }

    /// Agent performance over a period (default 30d), computed from the calls
    /// the agent completed.
    #[oai(path = "/api/v1/agents/:agent_id/performance", method = "get")]
    async fn agent_performance(
        &self,
        auth: BearerAuth,
        agent_id: Path<i64>,
        /// Hours, days or weeks back from now: `24h`, `7d`, `4w` (at most 366 days).
        period: Query<Option<PeriodText>>,
    ) -> Result<Json<AgentPerformance>> {
        Access::of(&auth.0).require_staff()?;
        let p = period_of(period.0.as_deref(), "30d")?;
        let a = self
            .p
            .db
            .read(move |c| service::agent_performance(c, agent_id.0, &p))
            .await?;
        Ok(Json(a))
    }
}

fn period_of(raw: Option<&str>, default: &str) -> frontline_platform::ApiResult<Period> {
    period(raw, default)
}

pub struct CompaniesApi {
    pub p: Platform,
}

#[OpenApi(tag = "Tag::Companies")]
impl CompaniesApi {
    /// List companies (agents, supervisors and admins).
    #[oai(path = "/api/v1/companies", method = "get")]
    async fn list_companies(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        industry: Query<Option<String>>,
        /// Text in the name or domain (at most 200 characters).
        search: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<Company>> {
        Access::of(&auth.0).require_staff()?;
        let w = window(&self.p, limit.0, offset.0)?;
        if let Some(s) = &search.0 {
            frontline_platform::search::check_substring("search", s)?;
        }
        let (a, i, s) = (is_active.0, industry.0.clone(), search.0.clone());
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list_companies(c, a, i.as_deref(), s.as_deref(), w))
            .await?;
        let f = Filters::new()
            .add("is_active", a)
            .add("industry", industry.0)
            .add("search", search.0);
        Ok(paged(items, w, "/api/v1/companies", f, total))
    }

    /// Create a company (supervisors and admins). Domains are unique.
    #[oai(path = "/api/v1/companies", method = "post")]
    async fn create_company(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<CompanyCreate>,
    ) -> Result<Created<Company>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::create_company(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(c)))
    }

    /// Get a company.
    #[oai(path = "/api/v1/companies/:company_id", method = "get")]
    async fn get_company(&self, auth: BearerAuth, company_id: Path<i64>) -> Result<Json<Company>> {
        Access::of(&auth.0).require_staff()?;
        let c = self
            .p
            .db
            .read(move |c| service::get_company(c, company_id.0))
            .await?;
        Ok(Json(c))
    }

    /// Update a company (supervisors and admins).
    #[oai(path = "/api/v1/companies/:company_id", method = "put")]
    async fn update_company(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        company_id: Path<i64>,
        body: JsonBody<CompanyUpdate>,
    ) -> Result<Json<Company>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::update_company(w, company_id.0, body.0)
        })
        .await?;
        Ok(Json(c))
    }

    /// Delete a company (admins).
    #[oai(path = "/api/v1/companies/:company_id", method = "delete")]
    async fn delete_company(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        company_id: Path<i64>,
    ) -> Result<Deleted> {
        write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::delete_company(w, company_id.0)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}
