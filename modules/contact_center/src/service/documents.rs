//! Document rules: what an upload must be (its content checked against the
//! type its name claims), text extraction (DOCX, PDF off the async workers,
//! plain text), and the stored document with its search entry. Each write
//! runs in the handler's transaction and is audited there.

use std::io::{Cursor, Read};
use std::time::Duration;

use frontline_platform::files::{self, Files, NewFile, PendingFile};
use frontline_platform::page::Window;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::json;

use crate::insight::{fail_if, iso, now};
use crate::model::documents::*;
use crate::model::CcError;
use crate::service::kb_search;
use crate::store::documents as store;
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

// ---------------------------------------------------------------- uploads

/// Checks an upload's form fields (all but the file).
pub fn check_fields(form: &DocumentUpload) -> ApiResult<DocumentFields> {
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
    Ok(DocumentFields {
        company_id: form.company_id,
        category: form.category.clone(),
        description: form.description.clone(),
        tags,
        language,
    })
}

/// An upload whose content was checked, with its extracted text and its
/// bytes written to the file store (recorded by [`create`]).
pub struct AcceptedFile {
    pub filename: String,
    /// pdf, docx, txt, markdown or csv.
    pub kind: &'static str,
    pub text: String,
    pub pending: PendingFile,
}

/// Checks the uploaded bytes against the type the name claims and the media
/// type the upload states (413 above 20 MB, 415 for other types, 422 when
/// they disagree), extracts the text and writes the bytes to the file store
/// for `owner`.
pub async fn accept_file(
    files: &Files,
    owner: &str,
    filename: String,
    claimed_ct: Option<String>,
    bytes: Vec<u8>,
) -> ApiResult<AcceptedFile> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ApiError::payload_too_large(MAX_DOCUMENT_BYTES));
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
            ));
        }
    }
    if kind == "pdf" {
        text = pdf_text(bytes.clone()).await.unwrap_or_default();
    }
    let pending = files
        .write_blob(
            NewFile::new(SLUG, &filename)
                .media_type(media_type_of(kind))
                .owner(owner)
                .max_bytes(MAX_DOCUMENT_BYTES),
            bytes,
        )
        .await?;
    Ok(AcceptedFile {
        filename,
        kind,
        text,
        pending,
    })
}

/// Stores an accepted upload uploaded by the user `by_seq` (422 when the
/// company does not exist) and stages its text for search. Audited.
/// Returns the document and its file id.
pub fn create(
    w: &WriteCtx<'_>,
    by_seq: i64,
    up: &AcceptedFile,
    f: &DocumentFields,
) -> ApiResult<(Document, String)> {
    let tx = w.tx();
    if let Some(c) = f.company_id {
        if !store::company_exists(tx, c)? {
            return Err(ApiError::invalid(
                "company_id",
                format!("company {c} does not exist"),
            ));
        }
    }
    let stored = files::record(tx, &up.pending)?;
    let id = store::insert(
        tx,
        &store::NewDocument {
            fields: f,
            filename: &up.filename,
            content_type: media_type_of(up.kind),
            file_type: up.kind,
            size_bytes: stored.size as i64,
            sha256: &stored.sha256,
            file_id: &stored.id,
            text: &up.text,
            uploaded_by_id: by_seq,
            created_at: &iso(now()),
        },
    )?;
    if !up.text.trim().is_empty() {
        kb_search::stage(
            w,
            &kb_search::Entry {
                kind: "document",
                id,
                company_id: f.company_id,
                title: f.description.as_deref().unwrap_or(&up.filename),
                content: &up.text,
                category: f.category.as_deref(),
                tags: &f.tags,
                // Documents are staff data: never in a `user`'s search.
                is_public: false,
                language: &f.language,
            },
            None,
        )?;
    }
    w.audit(
        SLUG,
        "document.upload",
        "document",
        &id.to_string(),
        json!({"file_type": up.kind}),
    )?;
    store::get(tx, id)
}

// ---------------------------------------------------------------- reads and deletes

/// The document with a signed download link to its file (valid [`LINK_TTL`]).
pub fn with_link(files: &Files, mut d: Document, file_id: &str) -> Document {
    let (url, expires) = files.signed_url(file_id, LINK_TTL);
    d.download_url = Some(url);
    d.download_expires_at = Some(iso(expires));
    d
}

/// One page of documents, newest first, and the number matching.
pub fn list(c: &Connection, q: &DocumentQuery, w: &Window) -> ApiResult<(Vec<Document>, u64)> {
    store::list(c, q, w)
}

/// Document `id` with its file id, or 404.
pub fn get(c: &Connection, id: i64) -> ApiResult<(Document, String)> {
    store::get(c, id)
}

/// Deletes document `id` with its file and its search entry. Audited.
pub fn delete(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let tx = w.tx();
    let (d, file_id) = store::get(tx, id)?;
    store::delete(tx, id)?;
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
