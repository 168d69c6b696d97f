use std::io::Write;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use poem::test::{TestForm, TestFormField};
use serde_json::{json, Value};

fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
            .collect();
        z.write_all(format!("<?xml version=\"1.0\"?><w:document xmlns:w=\"x\"><w:body>{body}</w:body></w:document>").as_bytes()).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    ct: &str,
    bytes: Vec<u8>,
    extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = TestForm::new().field(
        TestFormField::bytes(bytes)
            .name("file")
            .filename(name)
            .content_type(ct),
    );
    for (k, v) in extra {
        form = form.text(*k, *v);
    }
    let resp = app
        .client
        .post("/contact-center/api/v1/documents")
        .header("Authorization", format!("Bearer {token}"))
        .multipart(form)
        .send()
        .await;
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .get(format!("/contact-center/api/v1{path}"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn search(app: &TestApp, token: &str, q: &str) -> Value {
    let resp = app
        .client
        .post("/contact-center/api/v1/knowledge/search")
        .header("Authorization", format!("Bearer {token}"))
        .body_json(&json!({"query": q}))
        .send()
        .await;
    resp.0.into_body().into_json().await.unwrap()
}

#[tokio::test]
async fn upload_extract_search_download_delete() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let (s, d) = upload(
        &app,
        &t,
        "onboarding.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        docx(&[
            "Welcome to the escalation handbook.",
            "Escalate billing disputes to the finance desk &amp; log them.",
        ]),
        &[
            ("category", "training"),
            ("description", "Escalation handbook"),
            ("tags", "[\"training\", \"Escalation\"]"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["file_type"], "docx");
    assert_eq!(d["tags"], json!(["training", "escalation"]));
    assert!(
        d["text_preview"]
            .as_str()
            .unwrap()
            .contains("finance desk & log them"),
        "{d}"
    );
    let id = d["id"].as_i64().unwrap();

    let (s, _) = upload(
        &app,
        &t,
        "faq.md",
        "text/markdown",
        b"# FAQ\n\nHow do I **reset** the softphone? Restart it.".to_vec(),
        &[("category", "support")],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, c) = upload(
        &app,
        &t,
        "numbers.csv",
        "text/csv",
        b"team,extension\nsales,100\n".to_vec(),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");

    // Text is searchable.
    let r = search(&app, &t, "escalating billing disputes").await;
    assert_eq!(r[0]["source"], "document", "{r}");
    assert_eq!(r[0]["id"], id);
    assert_eq!(r[0]["title"], "Escalation handbook");
    let r = search(&app, &t, "softphone").await;
    assert_eq!(r[0]["category"], "support");

    // Listing and filters.
    let (_, l) = get(&app, &t, "/documents?category=training").await;
    assert_eq!(l.as_array().unwrap().len(), 1);
    let (_, l) = get(&app, &t, "/documents").await;
    assert_eq!(l.as_array().unwrap().len(), 3);
    assert!(l[0]["download_url"].is_null());

    // Download through the signed link, no bearer needed.
    let (s, d) = get(&app, &t, &format!("/documents/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let url = d["download_url"].as_str().unwrap().to_string();
    let resp = app.client.get(&url).send().await;
    resp.assert_status_is_ok();
    let bytes = resp.0.into_body().into_vec().await.unwrap();
    assert_eq!(bytes.len() as i64, d["size_bytes"].as_i64().unwrap());
    assert!(bytes.starts_with(b"PK"));

    // Lies and limits.
    let (s, e) = upload(
        &app,
        &t,
        "report.pdf",
        "application/pdf",
        b"just some text, not a PDF".to_vec(),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error_code"], "VALIDATION_ERROR");
    let (s, e) = upload(
        &app,
        &t,
        "notes.txt",
        "text/plain",
        b"%PDF-1.4\n\x00\x01binary".to_vec(),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = upload(
        &app,
        &t,
        "notes.docx",
        "application/octet-stream",
        b"PK\x03\x04 not really a zip".to_vec(),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = upload(
        &app,
        &t,
        "notes.txt",
        "application/pdf",
        b"plain words".to_vec(),
        &[],
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "content type lies: {e}"
    );
    let (s, _) = upload(
        &app,
        &t,
        "photo.png",
        "image/png",
        b"\x89PNG\r\n".to_vec(),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = vec![b'a'; 20 * 1024 * 1024 + 1];
    let (s, e) = upload(&app, &t, "big.txt", "text/plain", big, &[]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
    let (s, _) = upload(
        &app,
        &t,
        "a.txt",
        "text/plain",
        b"x".to_vec(),
        &[("tags", "not json")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = upload(
        &app,
        &t,
        "a.txt",
        "text/plain",
        b"x".to_vec(),
        &[("company_id", "999")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, _) = upload(&app, &agent, "a.txt", "text/plain", b"x".to_vec(), &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, l) = get(&app, &t, "/documents").await;
    assert_eq!(l.as_array().unwrap().len(), 3, "nothing half-written");

    // Delete removes the file and the search entry.
    let resp = app
        .client
        .delete(format!("/contact-center/api/v1/documents/{id}"))
        .header("Authorization", format!("Bearer {t}"))
        .send()
        .await;
    resp.assert_status(StatusCode::NO_CONTENT);
    let (s, _) = get(&app, &t, &format!("/documents/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = search(&app, &t, "escalating billing disputes").await;
    assert!(r
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["source"] != "document" || h["id"] != id));
    let resp = app.client.get(&url).send().await;
    assert_ne!(resp.0.status(), StatusCode::OK);
}

/// Issue 23 #1: a self-registered account (role `user`) never sees uploaded
/// documents — not in the list, not by id (no signed link), not through the
/// knowledge search — while agents still do.
#[tokio::test]
async fn self_registered_users_never_read_documents() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let (s, d) = upload(
        &app,
        &t,
        "hr-salaries.csv",
        "text/csv",
        b"name,salary\nJane Roe,98000 salary band C\n".to_vec(),
        &[("category", "HR-confidential")],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_i64().unwrap();

    let (s, reg) = app
        .call(
            "POST",
            "/contact-center/api/v1/auth/register",
            None,
            Some(json!({"email": "self@example.com", "password": "Password123", "full_name": "Self"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let (s, login) = app
        .call(
            "POST",
            "/contact-center/api/v1/auth/login",
            None,
            Some(json!({"email": "self@example.com", "password": "Password123"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{login}");
    let user = login["access_token"].as_str().unwrap().to_string();

    let (s, body) = get(&app, &user, "/documents").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = get(&app, &user, &format!("/documents/{id}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(body.get("download_url").is_none(), "{body}");
    // The search index catches up through the outbox: wait for the staff view.
    let mut staff_hits = Value::Null;
    for _ in 0..50 {
        staff_hits = search(&app, &t, "salary").await;
        if staff_hits.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        staff_hits
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["source"] == "document"),
        "{staff_hits}"
    );
    let hits = search(&app, &user, "salary").await;
    assert_eq!(hits, json!([]), "a user's search shows no document text");

    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, body) = get(&app, &agent, &format!("/documents/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body["download_url"].is_string());
}
