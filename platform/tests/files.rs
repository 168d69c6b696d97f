//! The file store: bytes and streams stored with metadata, size limits,
//! signed expiring download links (tampered 403, expired 410, unknown 404),
//! the download headers, deletion and the purge of expired files.

use std::time::Duration;

use frontline_platform::files::{self, content_disposition, sanitize_filename, NewFile};
use frontline_platform::testing::TestApp;
use frontline_platform::ErrorKind;
use poem::http::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

async fn app() -> TestApp {
    TestApp::new(vec![]).await
}

async fn error_of(resp: poem::test::TestResponse) -> (StatusCode, Value) {
    let status = resp.0.status();
    let body = resp.0.into_body().into_json::<Value>().await.unwrap();
    (status, body)
}

#[tokio::test]
async fn stores_bytes_with_metadata_and_serves_them_by_signed_url() {
    let app = app().await;
    let files = &app.platform.files;
    let stored = files
        .put(
            NewFile::new("contact-center", "calls 2026.csv").owner("u1"),
            b"id,duration\n1,30\n".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(stored.media_type, "text/csv");
    assert_eq!(stored.size, 17);
    assert_eq!(
        stored.sha256,
        hex::encode(Sha256::digest(b"id,duration\n1,30\n"))
    );
    assert_eq!(stored.module, "contact-center");
    assert_eq!(stored.owner.as_deref(), Some("u1"));
    assert_eq!(files.get(&stored.id).await.unwrap(), stored);
    let (_, bytes) = files.read(&stored.id).await.unwrap();
    assert_eq!(bytes, b"id,duration\n1,30\n");
    assert!(app
        .data_dir()
        .join("files")
        .join(&stored.id[..2])
        .join(&stored.id)
        .is_file());

    let (url, expires_at) = files.signed_url(&stored.id, Duration::from_secs(600));
    assert!(url.starts_with(&format!("/files/{}?expires=", stored.id)));
    let left = (expires_at - chrono::Utc::now()).num_seconds();
    assert!((595..=600).contains(&left), "{left}");

    let resp = app.client.get(&url).send().await;
    resp.assert_status_is_ok();
    resp.assert_header("content-type", "text/csv");
    resp.assert_header(
        "content-disposition",
        "attachment; filename=\"calls 2026.csv\"; filename*=UTF-8''calls%202026.csv",
    );
    resp.assert_header("etag", format!("\"{}\"", stored.sha256));
    resp.assert_bytes(b"id,duration\n1,30\n").await;

    // HEAD: headers, no body.
    let resp = app.client.head(&url).send().await;
    resp.assert_status_is_ok();
    resp.assert_header("content-length", "17");
    // A cached copy is still good.
    let resp = app
        .client
        .get(&url)
        .header("if-none-match", format!("\"{}\"", stored.sha256))
        .send()
        .await;
    resp.assert_status(StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn tampered_links_are_refused_with_403() {
    let app = app().await;
    let files = &app.platform.files;
    let a = files
        .put(NewFile::new("training", "a.txt"), b"secret a".to_vec())
        .await
        .unwrap();
    let b = files
        .put(NewFile::new("training", "b.txt"), b"secret b".to_vec())
        .await
        .unwrap();
    let (url, _) = files.signed_url(&a.id, Duration::from_secs(600));
    let (_, query) = url.split_once('?').unwrap();
    let sig = query.split("sig=").nth(1).unwrap();
    let expires: i64 = query
        .split('&')
        .next()
        .unwrap()
        .trim_start_matches("expires=")
        .parse()
        .unwrap();
    let mut flipped = sig.to_string();
    let last = if flipped.ends_with('0') { "1" } else { "0" };
    flipped.replace_range(63..64, last);
    for bad in [
        // A's signature on B's id.
        format!("/files/{}?{query}", b.id),
        // A later expiry with the old signature.
        format!("/files/{}?expires={}&sig={sig}", a.id, expires + 3600),
        // One character of the signature changed.
        format!("/files/{}?expires={expires}&sig={flipped}", a.id),
        // Missing or duplicated parameters, junk.
        format!("/files/{}", a.id),
        format!("/files/{}?expires={expires}", a.id),
        format!("/files/{}?expires={expires}&sig={sig}&sig={sig}", a.id),
        format!("/files/{}?expires=soon&sig={sig}", a.id),
        format!("/files/{}?expires={expires}&sig=zz", a.id),
    ] {
        let (status, body) = error_of(app.client.get(&bad).send().await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{bad}");
        assert_eq!(body["error"]["code"], "INVALID_SIGNATURE", "{bad}");
        assert!(body["error"]["message"].is_string());
        assert!(body["error"]["details"].is_array());
    }
    // The genuine link still works.
    app.client
        .get(&url)
        .send()
        .await
        .assert_bytes(b"secret a")
        .await;
}

#[tokio::test]
async fn expired_links_and_files_get_410_unknown_ids_404() {
    let app = app().await;
    let files = &app.platform.files;
    let f = files
        .put(NewFile::new("training", "a.txt"), b"x".to_vec())
        .await
        .unwrap();
    let (url, _) = files.signed_url(&f.id, Duration::from_secs(1));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = error_of(app.client.get(&url).send().await).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body["error"]["code"], "LINK_EXPIRED");

    // A valid link to a file whose own expiry has passed.
    let old = files
        .put(
            NewFile::new("training", "old.txt")
                .expires_at(chrono::Utc::now() - chrono::Duration::seconds(5)),
            b"old".to_vec(),
        )
        .await
        .unwrap();
    let (url, _) = files.signed_url(&old.id, Duration::from_secs(600));
    let (status, body) = error_of(app.client.get(&url).send().await).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body["error"]["code"], "FILE_EXPIRED");

    // Signed but deleted, and ids that cannot exist.
    files.delete(&f.id).await.unwrap();
    let (url, _) = files.signed_url(&f.id, Duration::from_secs(600));
    let (status, body) = error_of(app.client.get(&url).send().await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "FILE_NOT_FOUND");
    for path in [
        "/files/..%2F..%2Ffrontline.db",
        "/files/../frontline.db",
        "/files/",
        "/files/ABC",
    ] {
        let status = app.client.get(path).send().await.0.status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let resp = app.client.post(&url).send().await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    resp.assert_header("allow", "GET, HEAD");
}

#[tokio::test]
async fn size_limit_gives_payload_too_large_and_keeps_nothing() {
    let app = app().await;
    let files = &app.platform.files;
    files.set_max_bytes(10);
    let err = files
        .put(NewFile::new("chatbot", "big.bin"), vec![0u8; 11])
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::PayloadTooLarge);
    assert_eq!(
        err.status(StatusCode::BAD_REQUEST),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Streams stop as soon as the limit is passed.
    let reader = std::io::Cursor::new(vec![1u8; 200_000]);
    let err = files
        .put_stream(NewFile::new("chatbot", "big.bin"), reader)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::PayloadTooLarge);
    // A per-file limit below the server's.
    files.set_max_bytes(1000);
    let err = files
        .put(NewFile::new("chatbot", "a.bin").max_bytes(5), vec![0u8; 6])
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::PayloadTooLarge);
    let ok = files
        .put(NewFile::new("chatbot", "ok.bin"), vec![7u8; 10])
        .await
        .unwrap();
    assert_eq!(ok.size, 10);
    // Nothing left behind but the accepted file.
    let rows: i64 = app
        .platform
        .db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM platform_files", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(rows, 1);
    let tmp = std::fs::read_dir(app.data_dir().join("files/.tmp"))
        .unwrap()
        .count();
    assert_eq!(tmp, 0);
}

#[tokio::test]
async fn streamed_uploads_are_hashed_and_stored() {
    let app = app().await;
    let files = &app.platform.files;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let stored = files
        .put_stream(
            NewFile::new("marketplace", "report.pdf"),
            std::io::Cursor::new(data.clone()),
        )
        .await
        .unwrap();
    assert_eq!(stored.size, 300_000);
    assert_eq!(stored.media_type, "application/pdf");
    assert_eq!(stored.sha256, hex::encode(Sha256::digest(&data)));
    let (url, _) = files.signed_url(&stored.id, Duration::from_secs(60));
    app.client.get(&url).send().await.assert_bytes(data).await;
}

#[tokio::test]
async fn media_types_and_names_are_made_safe() {
    let app = app().await;
    let files = &app.platform.files;
    let f = files
        .put(
            NewFile::new("training", "../../etc/passwd\r\nSet-Cookie: x=1")
                .media_type("text/html; charset=utf-8"),
            b"<script>alert(1)</script>".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(f.filename, "passwdSet-Cookie: x=1");
    let (url, _) = files.signed_url(&f.id, Duration::from_secs(60));
    let resp = app.client.get(&url).send().await;
    resp.assert_status_is_ok();
    resp.assert_header("content-type", "text/html; charset=utf-8");
    resp.assert_header_exist("content-security-policy");
    let disposition = resp.0.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment; "), "{disposition}");

    let err = files
        .put(
            NewFile::new("training", "a.txt").media_type("text/plain\r\nX-Evil: 1"),
            b"x".to_vec(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Validation);
    let unknown = files
        .put(NewFile::new("training", "noext"), b"x".to_vec())
        .await
        .unwrap();
    assert_eq!(unknown.media_type, "application/octet-stream");

    assert_eq!(sanitize_filename("..\\..\\boot.ini"), "boot.ini");
    assert_eq!(sanitize_filename("..."), "download");
    assert_eq!(sanitize_filename(""), "download");
    assert_eq!(
        content_disposition("rapport été \"final\".pdf"),
        "attachment; filename=\"rapport _t_ _final_.pdf\"; filename*=UTF-8''rapport%20%C3%A9t%C3%A9%20%22final%22.pdf"
    );
}

#[tokio::test]
async fn purge_removes_expired_files_and_orphans_only() {
    let app = app().await;
    let files = &app.platform.files;
    let expired = files
        .put(
            NewFile::new("contact-center", "old.csv")
                .expires_at(chrono::Utc::now() - chrono::Duration::minutes(1)),
            b"old".to_vec(),
        )
        .await
        .unwrap();
    let live = files
        .put(
            NewFile::new("contact-center", "new.csv").expires_in(Duration::from_secs(3600)),
            b"new".to_vec(),
        )
        .await
        .unwrap();
    let forever = files
        .put(NewFile::new("contact-center", "keep.csv"), b"keep".to_vec())
        .await
        .unwrap();
    // A blob written but never recorded (its transaction rolled back), young.
    let pending = files
        .write_blob(NewFile::new("contact-center", "pending.csv"), b"p".to_vec())
        .await
        .unwrap();
    let removed = files.purge_expired().await.unwrap();
    assert_eq!(removed, 1);
    assert_eq!(
        files.get(&expired.id).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    let blob = |id: &str| app.data_dir().join("files").join(&id[..2]).join(id);
    assert!(!blob(&expired.id).exists());
    assert!(blob(&live.id).exists() && blob(&forever.id).exists());
    assert!(blob(&pending.meta().id).exists(), "young orphans are kept");
    // Recording it later in a transaction makes it a normal file.
    let recorded = app
        .platform
        .db
        .write(move |tx| files::record(tx, &pending))
        .await
        .unwrap();
    assert_eq!(files.read(&recorded.id).await.unwrap().1, b"p");
    // A row deleted in a module transaction: the bytes go with the sweep.
    let id = forever.id.clone();
    assert!(app
        .platform
        .db
        .write(move |tx| files::delete_in(tx, &id))
        .await
        .unwrap());
    assert_eq!(
        files.get(&forever.id).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn byte_ranges_are_served_for_media_players() {
    let app = app().await;
    let files = &app.platform.files;
    let f = files
        .put(
            NewFile::new("contact-center", "voicemail.wav"),
            b"0123456789".to_vec(),
        )
        .await
        .unwrap();
    let (url, _) = files.signed_url(&f.id, Duration::from_secs(60));
    let resp = app
        .client
        .get(&url)
        .header("range", "bytes=2-5")
        .send()
        .await;
    resp.assert_status(StatusCode::PARTIAL_CONTENT);
    resp.assert_header("content-range", "bytes 2-5/10");
    resp.assert_header("content-length", "4");
    resp.assert_bytes(b"2345").await;
    let resp = app
        .client
        .get(&url)
        .header("range", "bytes=7-")
        .send()
        .await;
    resp.assert_status(StatusCode::PARTIAL_CONTENT);
    resp.assert_bytes(b"789").await;
    let resp = app
        .client
        .get(&url)
        .header("range", "bytes=-3")
        .send()
        .await;
    resp.assert_header("content-range", "bytes 7-9/10");
    resp.assert_bytes(b"789").await;
    let resp = app
        .client
        .get(&url)
        .header("range", "bytes=8-100")
        .send()
        .await;
    resp.assert_header("content-range", "bytes 8-9/10");
    resp.assert_bytes(b"89").await;
    let resp = app
        .client
        .get(&url)
        .header("range", "bytes=10-")
        .send()
        .await;
    resp.assert_status(StatusCode::RANGE_NOT_SATISFIABLE);
    resp.assert_header("content-range", "bytes */10");
    // Several ranges, junk, or a stale If-Range: the whole file.
    for (range, if_range) in [
        ("bytes=0-1,4-5", None),
        ("pages=1", None),
        ("bytes=1-2", Some("\"old\"")),
    ] {
        let mut req = app.client.get(&url).header("range", range);
        if let Some(v) = if_range {
            req = req.header("if-range", v);
        }
        let resp = req.send().await;
        resp.assert_status_is_ok();
        resp.assert_header("accept-ranges", "bytes");
        resp.assert_bytes(b"0123456789").await;
    }
}

#[tokio::test]
async fn inline_links_show_safe_types_in_place() {
    let app = app().await;
    let files = &app.platform.files;
    let pdf = files
        .put(
            NewFile::new("marketplace", "invoice.pdf"),
            b"%PDF-1.7".to_vec(),
        )
        .await
        .unwrap();
    let html = files
        .put(
            NewFile::new("marketplace", "page.html"),
            b"<h1>x</h1>".to_vec(),
        )
        .await
        .unwrap();
    let (url, _) = files.signed_inline_url(&pdf.id, Duration::from_secs(60));
    assert!(url.contains("disposition=inline"));
    let resp = app.client.get(&url).send().await;
    resp.assert_status_is_ok();
    resp.assert_header(
        "content-disposition",
        "inline; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf",
    );
    // Script-capable types stay attachments.
    let (url, _) = files.signed_inline_url(&html.id, Duration::from_secs(60));
    let resp = app.client.get(&url).send().await;
    let d = resp.0.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(d.starts_with("attachment;"), "{d}");
    // The disposition is signed: adding or removing it breaks the link.
    let (attach, _) = files.signed_url(&pdf.id, Duration::from_secs(60));
    let forged = attach.replace("&sig=", "&disposition=inline&sig=");
    app.client
        .get(&forged)
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let (inline, _) = files.signed_inline_url(&pdf.id, Duration::from_secs(60));
    let stripped = inline.replace("&disposition=inline", "");
    app.client
        .get(&stripped)
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
}
