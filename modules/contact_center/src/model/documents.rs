//! Documents' types, as the document names them: the upload form and a
//! stored document.

use poem_openapi::types::multipart::Upload;
use poem_openapi::{Multipart, Object};

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

/// The filters of the documents list.
#[derive(Clone, Debug, Default)]
pub struct DocumentQuery {
    pub company_id: Option<i64>,
    pub category: Option<String>,
}

/// The checked form fields of an upload, besides the file.
#[derive(Clone, Debug)]
pub struct DocumentFields {
    pub company_id: Option<i64>,
    pub category: Option<String>,
    pub description: Option<String>,
    /// Trimmed, lower-cased, blanks left out.
    pub tags: Vec<String>,
    /// Lower-cased language code (default en).
    pub language: String,
}
