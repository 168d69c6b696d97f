//! Documents: multipart uploads (PDF, DOCX, TXT, Markdown, CSV) into the
//! platform file store, checked against what they claim to be, with their
//! text extracted into the knowledge search index.

use crate::model::CcError;
use std::io::{Cursor, Read};
use std::time::Duration;

use frontline_platform::files::{self, NewFile};
use frontline_platform::write;
use frontline_platform::{ApiError, ApiResult, BearerAuth, FieldError, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{Multipart, Object, OpenApi};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;

use super::kb_search;
use super::{
    fail_if, iso, listed, not_found, now, require_manager, require_operator, window, Created,
    Deleted, Listed, Result, Tag,
};
use crate::SLUG;

/// Largest document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;
/// Largest text kept from one document.
pub const MAX_TEXT_CHARS: usize = 1_000_000;
/// How long a download link stays valid.
pub const LINK_TTL: Duration = Duration::from_secs(3600);

// ---------------------------------------------------------------- type checks and text

/// The file type a name claims, from its extension.
pub fn claimed_type(filename: &str) -> Option<&'static str> {
    let ext = filename.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "pdf",
        "docx" => "docx",
        "txt" | "text" | "log" => "txt",
        "md" | "markdown" => "markdown",
        "csv" => "csv",
        _ => return None,
    })
}

pub fn media_type_of(kind: &str) -> &'static str {
    match kind {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "markdown" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

/// What the bytes are: pdf, docx, text (UTF-8 without NULs) or unknown.
pub fn sniff(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF-") {
        return "pdf";
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let is_docx = zip::ZipArchive::new(Cursor::new(bytes))
            .map(|z| z.file_names().any(|n| n == "word/document.xml"))
            .unwrap_or(false);
        return if is_docx { "docx" } else { "zip" };
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !body.contains(&0) && std::str::from_utf8(body).is_ok() {
        return "text";
    }
    "unknown"
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of a DOCX body: `<w:t>` runs, tabs and paragraph breaks.
pub fn docx_text(bytes: &[u8]) -> ApiResult<String> {
    let bad = || ApiError::invalid("file", "the DOCX file is damaged");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| bad())?;
    let entry = zip.by_name("word/document.xml").map_err(|_| bad())?;
    let mut xml = String::new();
    // Bounded read: a zip bomb stops at 50 MB of XML.
    entry
        .take(50 * 1024 * 1024)
        .read_to_string(&mut xml)
        .map_err(|_| bad())?;
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start + 1..start + end];
        let after = &rest[start + end + 1..];
        let name = tag.split([' ', '/']).next().unwrap_or("");
        if name == "w:t" && !tag.ends_with('/') {
            if let Some(close) = after.find("</w:t>") {
                out.push_str(&unescape_xml(&after[..close]));
                rest = &after[close + 6..];
                continue;
            }
        } else if name == "w:tab" {
            out.push('\t');
        } else if name == "w:br" || tag == "/w:p" {
            out.push('\n');
        }
        rest = after;
    }
    Ok(out.trim().to_string())
}

/// Checks `bytes` against the type `filename` claims and extracts the text.
/// Returns (file type, text, whether text could be extracted).
pub fn inspect(filename: &str, bytes: &[u8]) -> ApiResult<(&'static str, String, bool)> {
    let claimed = claimed_type(filename).ok_or_else(|| {
        CcError::UnsupportedFileType
            .with_message("Unsupported document type: upload PDF, DOCX, TXT, Markdown or CSV")
            .with_detail("file", "unsupported file extension")
    })?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("file", "the file is empty"));
    }
    let actual = sniff(bytes);
    let matches = match claimed {
        "pdf" => actual == "pdf",
        "docx" => actual == "docx",
        _ => actual == "text",
    };
    if !matches {
        return Err(ApiError::invalid(
            "file",
            format!("the file is named as {claimed} but its content is {actual}"),
        ));
    }
    let (text, extracted) = match claimed {
        "docx" => (docx_text(bytes)?, true),
        // PDF text is extracted by `pdf_text` (bounded in time, off the
        // async workers); the caller fills it in.
        "pdf" => (String::new(), false),
        _ => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            (String::from_utf8_lossy(body).into_owned(), true)
        }
    };
    let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
    Ok((claimed, text, extracted))
}

/// Longest a PDF's text extraction may take before the document is stored
/// without text (`text_extracted: false`).
pub const PDF_EXTRACT_TIMEOUT: Duration = Duration::from_secs(10);

/// The text of a PDF (via the `pdf-extract` crate), or None when the PDF
/// cannot be read, has no text layer (e.g. a scan), or takes longer than
/// [`PDF_EXTRACT_TIMEOUT`]. Runs on a blocking thread; a panic inside the
/// parser (hostile input) is caught. The input is at most
/// `MAX_DOCUMENT_BYTES` (20 MB) and the text is cut to `MAX_TEXT_CHARS`.
pub async fn pdf_text(bytes: Vec<u8>) -> Option<String> {
    let work = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&bytes))
    });
    match tokio::time::timeout(PDF_EXTRACT_TIMEOUT, work).await {
        Ok(Ok(Ok(Ok(text)))) => {
            let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
            let text = text.trim().to_string();
            (!text.is_empty()).then_some(text)
        }
        Ok(Ok(Ok(Err(e)))) => {
            tracing::info!(error = %e, "PDF text could not be extracted");
            None
        }
        Ok(_) => {
            tracing::warn!("PDF text extraction failed (parser panic)");
            None
        }
        Err(_) => {
            tracing::warn!("PDF text extraction took too long; stored without text");
            None
        }
    }
}

// ---------------------------------------------------------------- model

/// The upload form.
#[derive(Multipart, Debug)]
pub struct DocumentUpload {
    /// PDF, DOCX, TXT, Markdown or CSV, at most 20 MB.
    pub file: Upload,
    pub company_id: Option<i64>,
    pub category: Option<String>,
    pub description: Option<String>,
    /// A JSON array of strings, e.g. `["training", "onboarding"]`.
    pub tags: Option<String>,
    /// Language of the text (default en), for search stemming.
    pub language: Option<String>,
}

/// A stored document.
#[derive(Object, Clone, Debug)]
pub struct Document {
    pub id: i64,
    pub company_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    /// pdf, docx, txt, markdown or csv.
    pub file_type: String,
    pub size_bytes: i64,
    pub sha256: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub language: String,
    /// Whether text was extracted (and is searchable).
    pub text_extracted: bool,
    pub text_length: i64,
    /// The first 300 characters of the text.
    pub text_preview: String,
    /// A signed link that downloads the file without a token (single document views only).
    pub download_url: Option<String>,
    pub download_expires_at: Option<String>,
    pub uploaded_by_id: Option<i64>,
    pub created_at: String,
}

const COLS: &str = "id, company_id, filename, content_type, file_type, size_bytes, sha256, category, description, \
     tags, language, text_content, uploaded_by_id, created_at, file_id";

fn row(r: &Row) -> rusqlite::Result<(Document, String)> {
    let tags: String = r.get(9)?;
    let text: String = r.get(11)?;
    let file_type: String = r.get(4)?;
    Ok((
        Document {
            id: r.get(0)?,
            company_id: r.get(1)?,
            filename: r.get(2)?,
            content_type: r.get(3)?,
            // A PDF's text is whatever the parser found (none: a scan, an
            // unreadable file, or extraction over its time limit).
            text_extracted: file_type != "pdf" || !text.is_empty(),
            file_type,
            size_bytes: r.get(5)?,
            sha256: r.get(6)?,
            category: r.get(7)?,
            description: r.get(8)?,
            tags: serde_json::from_str(&tags).unwrap_or_default(),
            language: r.get(10)?,
            text_length: text.chars().count() as i64,
            text_preview: text.chars().take(300).collect(),
            download_url: None,
            download_expires_at: None,
            uploaded_by_id: r.get(12)?,
            created_at: r.get(13)?,
        },
        r.get(14)?,
    ))
}

fn get_document(c: &Connection, id: i64) -> ApiResult<(Document, String)> {
    c.query_row(
        &format!("SELECT {COLS} FROM cc_documents WHERE id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or_else(|| not_found("Document", id))
}

// ---------------------------------------------------------------- api

pub struct DocumentsApi {
    platform: Platform,
}

impl DocumentsApi {
    pub fn new(platform: &Platform) -> Self {
        DocumentsApi {
            platform: platform.clone(),
        }
    }

    fn with_link(&self, mut d: Document, file_id: &str) -> Document {
        let (url, expires) = self.platform.files.signed_url(file_id, LINK_TTL);
        d.download_url = Some(url);
        d.download_expires_at = Some(iso(expires));
        d
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
        let (company, cat) = (company_id.0, category.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR company_id = ?1) AND (?2 IS NULL OR category = ?2)";
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_documents WHERE {filter}"),
                    params![company, cat],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {COLS} FROM cc_documents WHERE {filter} ORDER BY id DESC LIMIT ?3 OFFSET ?4"
                ))?;
                let items = stmt
                    .query_map(params![company, cat, w.limit as i64, w.offset as i64], row)?
                    .map(|r| r.map(|(d, _)| d))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
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
        let mut e = Vec::new();
        let tags: Vec<String> = match &form.tags {
            None => Vec::new(),
            Some(t) => match serde_json::from_str::<Vec<String>>(t) {
                Ok(v) if v.len() <= 50 => v
                    .into_iter()
                    .map(|s| s.trim().to_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect(),
                _ => {
                    e.push(FieldError::new(
                        "tags",
                        "must be a JSON array of at most 50 strings",
                    ));
                    Vec::new()
                }
            },
        };
        if form
            .category
            .as_ref()
            .is_some_and(|c| c.chars().count() > 100)
        {
            e.push(FieldError::new(
                "category",
                "must be at most 100 characters",
            ));
        }
        if form
            .description
            .as_ref()
            .is_some_and(|c| c.chars().count() > 2000)
        {
            e.push(FieldError::new(
                "description",
                "must be at most 2000 characters",
            ));
        }
        let language = form
            .language
            .clone()
            .unwrap_or_else(|| "en".into())
            .to_lowercase();
        if !(2..=8).contains(&language.len())
            || !language
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-')
        {
            e.push(FieldError::new(
                "language",
                "must be a language code such as en",
            ));
        }
        fail_if(e)?;
        let bytes = form.file.into_vec().await.map_err(|err| {
            ApiError::invalid("file", format!("could not read the upload: {err}"))
        })?;
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(ApiError::payload_too_large(MAX_DOCUMENT_BYTES).into());
        }
        let (kind, mut text, _) = inspect(&filename, &bytes)?;
        if let Some(ct) = &claimed_ct {
            let base = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let generic = base.is_empty() || base == "application/octet-stream";
            let expected = media_type_of(kind).split(';').next().unwrap_or("");
            let text_ok = kind != "pdf" && kind != "docx" && base.starts_with("text/");
            if !generic && base != expected && !text_ok {
                return Err(ApiError::invalid(
                    "file",
                    format!("the upload says {base} but the file is {kind}"),
                )
                .into());
            }
        }
        if kind == "pdf" {
            text = pdf_text(bytes.clone()).await.unwrap_or_default();
        }
        let pending = self
            .platform
            .files
            .write_blob(
                NewFile::new(SLUG, &filename)
                    .media_type(media_type_of(kind))
                    .owner(&auth.0.id)
                    .max_bytes(MAX_DOCUMENT_BYTES),
                bytes,
            )
            .await?;
        let company = form.company_id;
        let (category, description) = (form.category.clone(), form.description.clone());
        let (doc, file_id) = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                if let Some(c) = company {
                    let exists: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM cc_companies WHERE id = ?1)", [c], |r| r.get(0))?;
                    if !exists {
                        return Err(ApiError::invalid("company_id", format!("company {c} does not exist")));
                    }
                }
                let stored = files::record(tx, &pending)?;
                tx.execute(
                    "INSERT INTO cc_documents (company_id, filename, content_type, file_type, size_bytes, sha256, category,
                        description, tags, language, file_id, text_content, uploaded_by_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    params![
                        company,
                        filename,
                        media_type_of(kind),
                        kind,
                        stored.size as i64,
                        stored.sha256,
                        category,
                        description,
                        serde_json::to_string(&tags)?,
                        language,
                        stored.id,
                        text,
                        auth.0.seq,
                        iso(now())
                    ],
                )?;
                let id = tx.last_insert_rowid();
                if !text.trim().is_empty() {
                    kb_search::stage(
                        w,
                        &kb_search::Entry {
                            kind: "document",
                            id,
                            company_id: company,
                            title: description.as_deref().unwrap_or(&filename),
                            content: &text,
                            category: category.as_deref(),
                            tags: &tags,
                            // Documents are staff data: never in a `user`'s search.
                            is_public: false,
                            language: &language,
                        },
                        None,
                    )?;
                }
                w.audit(SLUG, "document.upload", "document", &id.to_string(), json!({"file_type": kind}))?;
                get_document(tx, id)
            })
            .await?;
        Ok(Created::Created(Json(self.with_link(doc, &file_id))))
    }

    /// Get a document's metadata with a signed download link (valid one hour).
    /// Agents, supervisors and admins only.
    #[oai(path = "/api/v1/documents/:document_id", method = "get")]
    async fn get(&self, auth: BearerAuth, document_id: Path<i64>) -> Result<Json<Document>> {
        require_operator(&auth.0)?;
        let id = document_id.0;
        let (d, file_id) = self.platform.db.read(move |c| get_document(c, id)).await?;
        Ok(Json(self.with_link(d, &file_id)))
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
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            let (d, file_id) = get_document(tx, id)?;
            tx.execute("DELETE FROM cc_documents WHERE id = ?1", [id])?;
            files::delete_in(tx, &file_id)?;
            kb_search::unstage(w, "document", id, &d.language)?;
            w.audit(
                SLUG,
                "document.delete",
                "document",
                &id.to_string(),
                json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), "pdf");
        assert_eq!(sniff(b"hello, world"), "text");
        assert_eq!(sniff(b"\xEF\xBB\xBFa,b\n1,2"), "text");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), "unknown");
        assert!(inspect("notes.md", b"%PDF-1.4 fake").is_err());
        assert!(inspect("image.png", b"abc").is_err());
        let (kind, text, _) = inspect("a.csv", b"name,phone\nJane,+1").unwrap();
        assert_eq!((kind, text.as_str()), ("csv", "name,phone\nJane,+1"));
    }
}
