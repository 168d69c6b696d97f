//! Issue 22 point 10: the document says what this server does not do
//! (campaigns never dial nor call an LLM, recordings need an uploaded
//! transcript, knowledge search is BM25 keyword search).
use frontline_platform::testing::TestApp;
use serde_json::Value;

fn op<'a>(doc: &'a Value, path: &str, method: &str) -> String {
    let o: &'a Value = &doc["paths"][path][method];
    assert!(o.is_object(), "{path} {method} missing");
    format!(
        "{} {}",
        o["summary"].as_str().unwrap_or(""),
        o["description"].as_str().unwrap_or("")
    )
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
}

#[tokio::test]
async fn the_document_says_what_needs_the_outside_world() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let r = app
        .call("GET", "/contact-center/openapi.json", None, None)
        .await;
    assert_eq!(r.status.as_u16(), 200);
    let doc = r.body;
    let prefix = if doc["paths"]["/api/v1/campaigns"].is_object() {
        ""
    } else {
        "/contact-center"
    };
    let p = |s: &str| format!("{prefix}{s}");
    for (path, method) in [
        ("/api/v1/campaigns", "post"),
        ("/api/v1/campaigns/{campaign_id}/start", "post"),
    ] {
        let text = op(&doc, &p(path), method);
        assert!(text.contains("never"), "{path}: {text}");
        assert!(text.contains("LLM"), "{path}: {text}");
    }
    let pause = op(&doc, &p("/api/v1/campaigns/{campaign_id}/pause"), "post");
    assert!(pause.contains("nothing is dialled"), "{pause}");
    for (path, method) in [
        ("/api/recordings", "post"),
        ("/api/recordings/{recording_id}/transcription", "get"),
        ("/api/recordings/{recording_id}/transcription", "put"),
    ] {
        let text = op(&doc, &p(path), method);
        assert!(
            text.contains("speech-to-text") || text.contains("transcri"),
            "{path}: {text}"
        );
        assert!(
            text.to_lowercase().contains("upload") || text.contains("only way"),
            "{path}: {text}"
        );
    }
    let search = op(&doc, &p("/api/v1/knowledge/search"), "post");
    assert!(
        search.contains("BM25") && search.contains("not embeddings"),
        "{search}"
    );
    let schemas = doc["components"]["schemas"].to_string().replace("\\n", " ");
    assert!(
        schemas.contains("never calls the provider"),
        "provider_type"
    );
    assert!(schemas.contains("never sent to an LLM"), "system_prompt");
}
