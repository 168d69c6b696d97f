//! File store: blobs under `<data-dir>/files`, metadata (name, media type,
//! size, SHA-256, owner module, expiry) in the database, and signed,
//! expiring download URLs served at `/files/{id}` without a bearer header.
//!
//! ```ignore
//! use frontline_platform::files::{self, NewFile};
//! use std::time::Duration;
//!
//! // Store bytes (an export, a report, an attachment)...
//! let stored = p.files.put(
//!     NewFile::new("contact-center", "calls-2026-11.csv")   // module, file name
//!         .media_type("text/csv")                            // else guessed from the name
//!         .owner(&principal.id)                              // optional, for your own checks
//!         .expires_in(Duration::from_secs(7 * 86_400)),      // optional; purged afterwards
//!     csv_bytes,
//! ).await?;                                   // 413 (PayloadTooLarge) beyond the size limit
//! // ...or stream an upload to disk without holding it in memory:
//! let stored = p.files.put_stream(NewFile::new("chatbot", upload.file_name().unwrap_or("upload")),
//!                                 upload.into_async_read()).await?;
//!
//! // A download link that works without a bearer header, until it expires:
//! let (url, expires_at) = p.files.signed_url(&stored.id, Duration::from_secs(3600));
//! // url = "/files/6f1c…?expires=1795000000&sig=…" (relative to the server root)
//!
//! // Metadata, bytes, deletion:
//! let meta = p.files.get(&stored.id).await?;            // 404 when unknown
//! let (meta, bytes) = p.files.read(&stored.id).await?;
//! p.files.delete(&stored.id).await?;
//!
//! // A file whose DB row must commit with your own rows: write the blob
//! // first, then record it inside your transaction (an unrecorded blob is
//! // swept by `purge_expired` after an hour).
//! let pending = p.files.write_blob(NewFile::new("marketplace", "invoice.pdf"), pdf).await?;
//! p.db.write(move |tx| { let f = files::record(tx, &pending)?; store::attach(tx, &f.id)?; Ok(()) }).await?;
//! // files::delete_in(tx, id) removes the row in your transaction (blob swept later).
//!
//! // Daily housekeeping (the platform schedules it): expired files and orphans.
//! let removed = p.files.purge_expired().await?;
//! ```
//!
//! The download endpoint answers 403 for a missing, malformed or altered
//! signature, 410 for an expired link or file, 404 for an unknown file, all in
//! the platform error body; otherwise the bytes with the stored
//! `Content-Type`, `Content-Length`, an `ETag` (the SHA-256), and
//! `Content-Disposition: attachment` with a sanitised file name.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use poem::http::HeaderValue;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::time::{from_ms, to_ms};

mod download;
pub use download::endpoint;

/// This service's schema steps (its own migration chain, `platform.files`).
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE platform_files (
    id TEXT PRIMARY KEY,
    module TEXT NOT NULL,
    owner TEXT,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);
CREATE INDEX platform_files_expiry ON platform_files(expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX platform_files_owner ON platform_files(module, owner);
"#];

/// Default upload limit (the server sets `Settings::max_upload_bytes`).
pub const DEFAULT_MAX_BYTES: usize = 50 * 1024 * 1024;
/// Unrecorded blobs and temp files younger than this are left alone by the sweep.
const ORPHAN_GRACE: Duration = Duration::from_secs(3600);
const TMP_DIR: &str = ".tmp";

type HmacSha256 = Hmac<Sha256>;

/// What to store: who owns it, its name and type, when it expires.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub module: String,
    pub filename: String,
    /// `None`: guessed from the file name.
    pub media_type: Option<String>,
    pub owner: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// A smaller limit than the server's for this file.
    pub max_bytes: Option<usize>,
}

impl NewFile {
    /// A file of `module` (its slug) named `filename` (sanitised when stored).
    pub fn new(module: &str, filename: &str) -> Self {
        NewFile {
            module: module.to_string(),
            filename: filename.to_string(),
            media_type: None,
            owner: None,
            expires_at: None,
            max_bytes: None,
        }
    }
    pub fn media_type(mut self, media_type: &str) -> Self {
        self.media_type = Some(media_type.to_string());
        self
    }
    pub fn owner(mut self, owner: &str) -> Self {
        self.owner = Some(owner.to_string());
        self
    }
    pub fn expires_at(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(at);
        self
    }
    pub fn expires_in(mut self, ttl: Duration) -> Self {
        self.expires_at = Some(add(Utc::now(), ttl));
        self
    }
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = Some(n);
        self
    }
}

/// A stored file's metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredFile {
    pub id: String,
    pub module: String,
    pub owner: Option<String>,
    pub filename: String,
    pub media_type: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl StoredFile {
    /// True once its expiry has passed.
    pub fn is_expired(&self) -> bool {
        self.expires_at.is_some_and(|e| e <= Utc::now())
    }
}

/// A blob on disk not yet recorded in the database: hand it to [`record`]
/// inside your transaction.
#[derive(Debug, Clone)]
pub struct PendingFile {
    file: StoredFile,
}

impl PendingFile {
    pub fn meta(&self) -> &StoredFile {
        &self.file
    }
}

/// The file store.
#[derive(Clone)]
pub struct Files {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    db: Db,
    key: Vec<u8>,
    max_bytes: AtomicUsize,
}

fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// File ids are 32 lower-case hex digits (nothing else reaches the disk).
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The file name as stored: the last path component, without control
/// characters or leading dots, at most 200 characters; `download` if nothing is left.
pub fn sanitize_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}')
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let limited: String = trimmed.chars().take(200).collect();
    if limited.is_empty() {
        "download".to_string()
    } else {
        limited
    }
}

/// `attachment; filename="…"; filename*=UTF-8''…` for `name` (safe for a header).
pub fn content_disposition(name: &str) -> String {
    disposition("attachment", name)
}

/// Media types a browser could run script from: never shown inline.
fn is_active_type(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.contains("html")
        || essence.contains("xml")
        || essence.contains("javascript")
        || essence.contains("ecmascript")
        || essence == "text/css"
        || essence == "application/octet-stream"
}

fn disposition(kind: &str, name: &str) -> String {
    let name = sanitize_filename(name);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            )
        {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn media_type_for(new: &NewFile, filename: &str) -> ApiResult<String> {
    match new.media_type.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => {
            let parsed: mime_guess::mime::Mime = m.parse().map_err(|_| {
                ApiError::invalid("mediaType", format!("'{m}' is not a media type"))
            })?;
            let s = parsed.to_string();
            if HeaderValue::from_str(&s).is_err() {
                return Err(ApiError::invalid("mediaType", "not a valid media type"));
            }
            Ok(s)
        }
        _ => Ok(mime_guess::from_path(filename)
            .first_or_octet_stream()
            .to_string()),
    }
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredFile> {
    Ok(StoredFile {
        id: r.get(0)?,
        module: r.get(1)?,
        owner: r.get(2)?,
        filename: r.get(3)?,
        media_type: r.get(4)?,
        size: r.get::<_, i64>(5)?.max(0) as u64,
        sha256: r.get(6)?,
        created_at: from_ms(r.get(7)?),
        expires_at: r.get::<_, Option<i64>>(8)?.map(from_ms),
    })
}

const COLUMNS: &str =
    "id, module, owner, filename, media_type, size, sha256, created_at, expires_at";

/// Records a blob written by [`Files::write_blob`] in the caller's transaction.
pub fn record(tx: &Connection, pending: &PendingFile) -> ApiResult<StoredFile> {
    let f = &pending.file;
    tx.execute(
        "INSERT INTO platform_files (id, module, owner, filename, media_type, size, sha256, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            f.id,
            f.module,
            f.owner,
            f.filename,
            f.media_type,
            f.size as i64,
            f.sha256,
            to_ms(f.created_at),
            f.expires_at.map(to_ms)
        ],
    )?;
    Ok(f.clone())
}

/// A file's metadata, read in the caller's connection or transaction.
pub fn find(conn: &Connection, id: &str) -> ApiResult<Option<StoredFile>> {
    if !is_valid_id(id) {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM platform_files WHERE id = ?1"),
            [id],
            read_row,
        )
        .optional()?)
}

/// Removes a file's row in the caller's transaction; the blob is removed by
/// the next [`Files::purge_expired`]. Returns whether it existed.
pub fn delete_in(tx: &Connection, id: &str) -> ApiResult<bool> {
    Ok(tx.execute("DELETE FROM platform_files WHERE id = ?1", [id])? > 0)
}

fn not_found() -> ApiError {
    ApiError::not_found("File not found").with_code("FILE_NOT_FOUND")
}

impl Files {
    /// `key` signs download URLs.
    pub fn open(dir: &Path, db: Db, key: Vec<u8>) -> ApiResult<Files> {
        std::fs::create_dir_all(dir.join(TMP_DIR))?;
        Ok(Files {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                db,
                key,
                max_bytes: AtomicUsize::new(DEFAULT_MAX_BYTES),
            }),
        })
    }

    /// The largest file accepted, in bytes.
    pub fn max_bytes(&self) -> usize {
        self.inner.max_bytes.load(Ordering::Relaxed)
    }

    /// Sets the largest file accepted (the server uses `Settings::max_upload_bytes`).
    pub fn set_max_bytes(&self, n: usize) {
        self.inner.max_bytes.store(n, Ordering::Relaxed);
    }

    fn limit_for(&self, new: &NewFile) -> usize {
        new.max_bytes
            .map_or(self.max_bytes(), |n| n.min(self.max_bytes()))
    }

    /// Where a file's bytes live.
    fn blob_path(&self, id: &str) -> PathBuf {
        self.inner.dir.join(&id[..2]).join(id)
    }

    fn tmp_path(&self) -> PathBuf {
        self.inner.dir.join(TMP_DIR).join(new_id())
    }

    fn meta_for(&self, new: &NewFile, size: u64, sha256: String) -> ApiResult<StoredFile> {
        let filename = sanitize_filename(&new.filename);
        let module = new.module.trim();
        if module.is_empty() || module.len() > 64 {
            return Err(ApiError::invalid("module", "a module slug is required"));
        }
        Ok(StoredFile {
            id: new_id(),
            module: module.to_string(),
            owner: new.owner.clone(),
            media_type: media_type_for(new, &filename)?,
            filename,
            size,
            sha256,
            // Millisecond precision, as stored.
            created_at: from_ms(to_ms(Utc::now())),
            expires_at: new.expires_at.map(|e| from_ms(to_ms(e))),
        })
    }

    /// Moves a finished temp file to its place.
    fn place(&self, tmp: &Path, id: &str) -> ApiResult<()> {
        let dest = self.blob_path(id);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(tmp, &dest)?;
        Ok(())
    }

    /// Writes `bytes` to disk (temp file, fsync, rename) without a DB row.
    pub fn write_blob_blocking(&self, new: &NewFile, bytes: &[u8]) -> ApiResult<PendingFile> {
        let limit = self.limit_for(new);
        if bytes.len() > limit {
            return Err(ApiError::payload_too_large(limit).with_code("FILE_TOO_LARGE"));
        }
        let meta = self.meta_for(new, bytes.len() as u64, hex::encode(Sha256::digest(bytes)))?;
        let tmp = self.tmp_path();
        let written = (|| -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(e) = written
            .map_err(ApiError::from)
            .and_then(|_| self.place(&tmp, &meta.id))
        {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(PendingFile { file: meta })
    }

    /// Stores `bytes` and records it (blocking: CLI, demo data, jobs on blocking threads).
    pub fn put_blocking(&self, new: &NewFile, bytes: &[u8]) -> ApiResult<StoredFile> {
        let pending = self.write_blob_blocking(new, bytes)?;
        self.commit_pending(pending)
    }

    fn commit_pending(&self, pending: PendingFile) -> ApiResult<StoredFile> {
        let id = pending.file.id.clone();
        match self.inner.db.write_blocking(|tx| record(tx, &pending)) {
            Ok(f) => Ok(f),
            Err(e) => {
                let _ = std::fs::remove_file(self.blob_path(&id));
                Err(e)
            }
        }
    }

    /// [`Files::write_blob_blocking`] on the blocking pool.
    pub async fn write_blob(
        &self,
        new: NewFile,
        bytes: impl Into<Vec<u8>>,
    ) -> ApiResult<PendingFile> {
        let bytes = bytes.into();
        let this = self.clone();
        blocking(move || this.write_blob_blocking(&new, &bytes)).await
    }

    /// Stores `bytes` with a DB row of its own; 413 beyond the size limit.
    pub async fn put(&self, new: NewFile, bytes: impl Into<Vec<u8>>) -> ApiResult<StoredFile> {
        let bytes = bytes.into();
        let this = self.clone();
        blocking(move || this.put_blocking(&new, &bytes)).await
    }

    /// Streams `reader` to disk, hashing as it goes; stops with 413 as soon
    /// as the size limit is passed (nothing is kept). No DB row yet.
    pub async fn write_blob_stream<R>(&self, new: NewFile, mut reader: R) -> ApiResult<PendingFile>
    where
        R: AsyncRead + Unpin + Send,
    {
        let limit = self.limit_for(&new);
        let tmp = self.tmp_path();
        let result = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            let mut hasher = Sha256::new();
            let mut size: usize = 0;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                size += n;
                if size > limit {
                    return Err(ApiError::payload_too_large(limit).with_code("FILE_TOO_LARGE"));
                }
                hasher.update(&buf[..n]);
                file.write_all(&buf[..n]).await?;
            }
            file.sync_all().await?;
            drop(file);
            let meta = self.meta_for(&new, size as u64, hex::encode(hasher.finalize()))?;
            let this = self.clone();
            let (tmp2, id) = (tmp.clone(), meta.id.clone());
            blocking(move || this.place(&tmp2, &id)).await?;
            Ok(PendingFile { file: meta })
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result
    }

    /// Streams `reader` to disk and records it; 413 beyond the size limit.
    pub async fn put_stream<R>(&self, new: NewFile, reader: R) -> ApiResult<StoredFile>
    where
        R: AsyncRead + Unpin + Send,
    {
        let pending = self.write_blob_stream(new, reader).await?;
        let this = self.clone();
        blocking(move || this.commit_pending(pending)).await
    }

    /// A file's metadata; 404 when unknown.
    pub async fn get(&self, id: &str) -> ApiResult<StoredFile> {
        let id = id.to_string();
        self.inner
            .db
            .read(move |c| find(c, &id)?.ok_or_else(not_found))
            .await
    }

    /// A file's metadata and bytes; 404 when unknown (or its bytes are gone).
    pub async fn read(&self, id: &str) -> ApiResult<(StoredFile, Vec<u8>)> {
        let meta = self.get(id).await?;
        match tokio::fs::read(self.blob_path(&meta.id)).await {
            Ok(bytes) => Ok((meta, bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(id = %meta.id, "file row without bytes");
                Err(not_found())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A file's metadata and an open handle on its bytes (for streaming).
    pub async fn open_file(&self, id: &str) -> ApiResult<(StoredFile, tokio::fs::File)> {
        let meta = self.get(id).await?;
        match tokio::fs::File::open(self.blob_path(&meta.id)).await {
            Ok(f) => Ok((meta, f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(id = %meta.id, "file row without bytes");
                Err(not_found())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a file (row, then bytes). Returns whether it existed.
    pub async fn delete(&self, id: &str) -> ApiResult<bool> {
        if !is_valid_id(id) {
            return Ok(false);
        }
        let key = id.to_string();
        let existed = self.inner.db.write(move |tx| delete_in(tx, &key)).await?;
        match tokio::fs::remove_file(self.blob_path(id)).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(id, error = %e, "file bytes not removed; the sweep will retry")
            }
        }
        Ok(existed)
    }

    fn mac(&self, id: &str, expires: i64, inline: bool) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.inner.key).ok()?;
        let suffix = if inline { ":inline" } else { "" };
        mac.update(format!("{id}:{expires}{suffix}").as_bytes());
        Some(mac)
    }

    fn url(&self, id: &str, ttl: Duration, inline: bool) -> (String, DateTime<Utc>) {
        let expires_at = add(Utc::now(), ttl);
        let unix = expires_at.timestamp();
        let expires_at = DateTime::from_timestamp(unix, 0).unwrap_or(expires_at);
        let sig = self
            .mac(id, unix, inline)
            .map(|m| hex::encode(m.finalize().into_bytes()))
            .unwrap_or_default();
        let disposition = if inline { "&disposition=inline" } else { "" };
        (
            format!("/files/{id}?expires={unix}{disposition}&sig={sig}"),
            expires_at,
        )
    }

    /// A download URL for `id` valid for `ttl` (whole seconds), relative to
    /// the server root: `/files/<id>?expires=<unix>&sig=<hmac>`; the browser
    /// saves the file (`Content-Disposition: attachment`). Pure: it neither
    /// checks that the file exists nor touches the database.
    pub fn signed_url(&self, id: &str, ttl: Duration) -> (String, DateTime<Utc>) {
        self.url(id, ttl, false)
    }

    /// Like [`Files::signed_url`], but the browser shows the file in place
    /// (PDF reports, images, audio) with `Content-Disposition: inline`;
    /// types that could run script (HTML, SVG, XML) are still served as
    /// attachments. The disposition is part of the signature.
    pub fn signed_inline_url(&self, id: &str, ttl: Duration) -> (String, DateTime<Utc>) {
        self.url(id, ttl, true)
    }

    /// Checks an attachment link's signature and expiry (constant-time comparison).
    pub fn verify(&self, id: &str, expires: &str, sig: &str) -> Result<(), LinkError> {
        self.verify_link(id, expires, sig, false)
    }

    fn verify_link(
        &self,
        id: &str,
        expires: &str,
        sig: &str,
        inline: bool,
    ) -> Result<(), LinkError> {
        let unix: i64 = expires.parse().map_err(|_| LinkError::BadSignature)?;
        let sig = hex::decode(sig).map_err(|_| LinkError::BadSignature)?;
        let mac = self.mac(id, unix, inline).ok_or(LinkError::BadSignature)?;
        mac.verify_slice(&sig)
            .map_err(|_| LinkError::BadSignature)?;
        if unix <= Utc::now().timestamp() {
            return Err(LinkError::Expired);
        }
        Ok(())
    }

    /// Deletes expired files (rows and bytes), then blobs no row names and
    /// abandoned temp files older than an hour. Returns how many files went.
    pub fn purge_expired_blocking(&self) -> ApiResult<u64> {
        let now = to_ms(Utc::now());
        let mut removed = 0u64;
        loop {
            let ids: Vec<String> = self.inner.db.write_blocking(|tx| {
                let ids = {
                    let mut stmt = tx.prepare(
                        "SELECT id FROM platform_files WHERE expires_at IS NOT NULL AND expires_at <= ?1 LIMIT 500",
                    )?;
                    let ids = stmt
                        .query_map([now], |r| r.get::<_, String>(0))?
                        .collect::<Result<Vec<_>, _>>()?;
                    ids
                };
                for id in &ids {
                    tx.execute("DELETE FROM platform_files WHERE id = ?1", [id])?;
                }
                Ok(ids)
            })?;
            if ids.is_empty() {
                break;
            }
            for id in &ids {
                if is_valid_id(id) {
                    let _ = std::fs::remove_file(self.blob_path(id));
                }
                removed += 1;
            }
        }
        removed += self.sweep_orphans()?;
        if removed > 0 {
            tracing::info!(removed, "expired and orphaned files purged");
        }
        Ok(removed)
    }

    /// [`Files::purge_expired_blocking`] on the blocking pool.
    pub async fn purge_expired(&self) -> ApiResult<u64> {
        let this = self.clone();
        blocking(move || this.purge_expired_blocking()).await
    }

    fn sweep_orphans(&self) -> ApiResult<u64> {
        let old = |p: &Path| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= ORPHAN_GRACE)
        };
        let mut removed = 0;
        let Ok(shards) = std::fs::read_dir(&self.inner.dir) else {
            return Ok(0);
        };
        let conn = self.inner.db.conn()?;
        for shard in shards.filter_map(Result::ok) {
            let path = shard.path();
            if !path.is_dir() {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            let is_tmp = shard.file_name() == TMP_DIR;
            for entry in entries.filter_map(Result::ok) {
                let p = entry.path();
                if !old(&p) {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().to_string();
                let orphan = is_tmp || (is_valid_id(&name) && find(&conn, &name)?.is_none());
                if orphan && std::fs::remove_file(&p).is_ok() {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// Why a download link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Missing, malformed or altered signature (403).
    BadSignature,
    /// The link's time is up (410).
    Expired,
}

async fn blocking<T, F>(f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "file task failed");
        ApiError::internal("Internal error")
    })?
}
