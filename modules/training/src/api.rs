//! Handlers of the training API: parse, authorize, call the service, render.

use frontline_platform::http::ModuleError;
use frontline_platform::page::Page;
use frontline_platform::{BearerAuth, Platform};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use crate::model::*;

type Result<T> = std::result::Result<T, ModuleError<TrainingEnvelope>>;

pub struct TemplatesApi {
    platform: Platform,
}

pub fn api(platform: &Platform) -> TemplatesApi {
    TemplatesApi {
        platform: platform.clone(),
    }
}

/// Scenario templates.
#[OpenApi]
impl TemplatesApi {
    /// List scenario templates (system templates first). Needs `template:read`.
    #[oai(path = "/admin/templates", method = "get")]
    async fn list_templates(
        &self,
        _auth: BearerAuth,
        page: Query<Option<i64>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<TemplateList>> {
        let p = Page::new(page.0, limit.0, 20, 100)?;
        let (limit, offset) = (p.limit, p.offset());
        let (rows, total) = self
            .platform
            .db
            .read(move |conn| {
                let total: i64 =
                    conn.query_row("SELECT COUNT(*) FROM training_templates", [], |r| r.get(0))?;
                let mut stmt = conn.prepare(
                    "SELECT id, name, description, category, is_system FROM training_templates
                     ORDER BY is_system DESC, name LIMIT ?1 OFFSET ?2",
                )?;
                let rows = stmt
                    .query_map([limit as i64, offset as i64], |r| {
                        Ok(TemplateSummary {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            description: r.get(2)?,
                            category: r.get(3)?,
                            is_system: r.get(4)?,
                        })
                    })?
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Ok((rows, total as u64))
            })
            .await?;
        let info = p.info(total);
        Ok(Json(TemplateList {
            data: rows,
            pagination: Pagination {
                page: info.page,
                limit: info.limit,
                total: info.total,
                total_pages: info.total_pages,
                has_next: info.has_next(),
                has_prev: info.has_prev(),
            },
        }))
    }
}
