//! PDF documents: text extracted, stored, indexed and found by search
//! (issue 22 point 5); a broken PDF is stored without text, never a 500.
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use poem::test::{TestForm, TestFormField};
use serde_json::{json, Value};

/// A minimal one-page PDF (Helvetica) showing `line`.
fn pdf(line: &str) -> Vec<u8> {
    let content = format!("BT /F1 18 Tf 72 720 Td ({line}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let form = TestForm::new().field(
        TestFormField::bytes(bytes)
            .name("file")
            .filename(name)
            .content_type("application/pdf"),
    );
    let resp = app
        .client
        .post("/contact-center/api/v1/documents")
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .multipart(form)
        .send()
        .await;
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_pdf_is_extracted_and_found_by_search() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let (s, d) = upload(
        &app,
        "policy.pdf",
        pdf("Refunds are granted within thirty days of purchase"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["file_type"], "pdf");
    assert_eq!(d["text_extracted"], true, "{d}");
    assert!(
        d["text_preview"].as_str().unwrap().contains("thirty days"),
        "{d}"
    );
    let id = d["id"].as_i64().unwrap();
    let r = app
        .call(
            "POST",
            "/contact-center/api/v1/knowledge/search",
            Some(&app.admin_token),
            Some(json!({"query": "refund purchase"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body[0]["source"], "document", "{}", r.body);
    assert_eq!(r.body[0]["id"], id);

    // A file that only starts like a PDF: stored, no text, no error.
    let (s, d) = upload(&app, "broken.pdf", b"%PDF-1.4\n1 0 obj << /Kids [".to_vec()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["text_extracted"], false);
    assert_eq!(d["text_length"], 0);
}
