//! Scenario templates and creating scenarios from them.

use frontline_platform::http::RequestMeta;
use frontline_platform::write;
use frontline_platform::Platform;
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;

use frontline_platform::body::JsonBody;

use super::guard::*;
use super::Result;
use crate::model::*;
use crate::service;

pub struct TemplatesApi {
    pub(super) platform: Platform,
}

/// Scenario templates.
#[OpenApi(tag = "ApiTags::Templates")]
impl TemplatesApi {
    /// List scenario templates (`template:read`): the built-in catalogue
    /// (featured first), then the scenarios marked as templates
    /// (`isTemplate: true`, not archived) that the caller may see, filtered
    /// by category, difficulty and featured (marked scenarios are never
    /// featured).
    #[oai(path = "/admin/templates", method = "get")]
    async fn list(
        &self,
        auth: Can<TemplateRead>,
        category: Query<Option<Category>>,
        difficulty: Query<Option<Difficulty>>,
        featured: Query<Option<bool>>,
    ) -> Result<Answer<TemplateList>> {
        let p = auth.0;
        let (category, difficulty) = (
            category.0.as_ref().map(name_of),
            difficulty.0.as_ref().map(name_of),
        );
        let out = self
            .platform
            .db
            .read(move |conn| {
                service::templates::list(
                    conn,
                    category.as_deref(),
                    difficulty.as_deref(),
                    featured.0,
                    &p,
                )
            })
            .await?;
        Ok(ok(out))
    }

    /// One template with its variables and the scenario content it fills in
    /// (`template:read`): a catalogue template (`tmp_…`) or a scenario marked
    /// as a template (its `scn_…` id).
    #[oai(path = "/admin/templates/:id", method = "get")]
    async fn get(&self, auth: Can<TemplateRead>, id: Path<String>) -> Result<Answer<Template>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| service::templates::get(conn, &id.0, &p))
            .await?;
        Ok(ok(out))
    }

    /// Create a scenario from a template (`scenario:create`). Every required
    /// variable must be given with its type (text, number, boolean, select);
    /// `{{key}}` placeholders in the template are replaced by the values.
    /// The new scenario is a draft and not a template itself.
    #[oai(path = "/admin/templates/:id/create-scenario", method = "post")]
    async fn create_scenario(
        &self,
        auth: Can<ScenarioCreate>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<CreateFromTemplateRequest>,
    ) -> Result<CreatedAnswer<ScenarioFromTemplate>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::templates::create_scenario(w, &id.0, &body.0)
        })
        .await?;
        Ok(created(out))
    }
}
