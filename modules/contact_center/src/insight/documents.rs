//! Documents' handlers: each checks the caller, then runs the service (in
//! one transaction for writes). Upload checks, text extraction and rules are
//! in `service::documents`, SQL in `store::documents`, types in
//! `model::documents`.

use frontline_platform::write;
use frontline_platform::{ApiError, BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::{
    listed, require_manager, require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::model::documents::*;
use crate::service::documents as service;

pub struct DocumentsApi {
    platform: Platform,
}

impl DocumentsApi {
    pub fn new(platform: &Platform) -> Self {
        DocumentsApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::Documents")]
impl DocumentsApi {
    /// List documents, newest first (filter by `company_id`, `category`).
    /// Documents are staff data: agents, supervisors and admins only.
    #[oai(path = "/api/v1/documents", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        company_id: Query<Option<i64>>,
        category: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Document>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let q = DocumentQuery {
            company_id: company_id.0,
            category: category.0,
        };
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::list(c, &q, &w))
            .await?;
        Ok(listed(items, &w, "/api/v1/documents", total))
    }

    /// Upload a document (multipart: `file`, `company_id`, `category`,
    /// `description`, `tags` as a JSON array, `language`). The content must
    /// match the file's extension (422 otherwise; 415 for other types; 413
    /// above 20 MB). Text of PDF, TXT, Markdown, CSV and DOCX files is
    /// extracted and searchable through the knowledge search. A PDF without a
    /// text layer (a scan: no OCR here), one the parser cannot read, or one
    /// whose extraction takes over 10 s is stored without text
    /// (`text_extracted: false`).
    #[oai(path = "/api/v1/documents", method = "post")]
    async fn upload(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        form: DocumentUpload,
    ) -> Result<Created<Document>> {
        require_manager(&auth.0)?;
        let filename = form.file.file_name().unwrap_or("upload").to_string();
        let claimed_ct = form.file.content_type().map(str::to_string);
        let fields = service::check_fields(&form)?;
        let bytes = form.file.into_vec().await.map_err(|err| {
            ApiError::invalid("file", format!("could not read the upload: {err}"))
        })?;
        let files = &self.platform.files;
        let up = service::accept_file(files, &auth.0.id, filename, claimed_ct, bytes).await?;
        let by = auth.0.seq;
        let (doc, file_id) = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::create(w, by, &up, &fields)
        })
        .await?;
        Ok(Created::Created(Json(service::with_link(
            files, doc, &file_id,
        ))))
    }

    /// Get a document's metadata with a signed download link (valid one hour).
    /// Agents, supervisors and admins only.
    #[oai(path = "/api/v1/documents/:document_id", method = "get")]
    async fn get(&self, auth: BearerAuth, document_id: Path<i64>) -> Result<Json<Document>> {
        require_operator(&auth.0)?;
        let id = document_id.0;
        let (d, file_id) = self.platform.db.read(move |c| service::get(c, id)).await?;
        Ok(Json(service::with_link(&self.platform.files, d, &file_id)))
    }

    /// Delete a document: its file and its search entry go with it.
    #[oai(path = "/api/v1/documents/:document_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        document_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = document_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}
