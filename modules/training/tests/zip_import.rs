//! Bulk import of a zip (as the export writes it): unpacked with the entry
//! count and the unpacked size capped while reading, so a small zip bomb is a
//! 422 in the module's error body and nothing is imported.

use std::io::Write;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use poem::test::{TestForm, TestFormField};
use serde_json::{json, Value};

fn scenario(name: &str) -> Value {
    json!({
        "name": name,
        "description": "zipped",
        "category": "SALES",
        "difficulty": "INTERMEDIATE",
        "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 25, "closing": 15}
    })
}

/// A zip of `entries` (name, bytes), deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

async fn import(app: &TestApp, file: Vec<u8>) -> (StatusCode, Value) {
    let form = TestForm::new().field(
        TestFormField::bytes(file)
            .name("file")
            .filename("scenarios.zip")
            .content_type("application/zip"),
    );
    let resp = app
        .client
        .post("/training/api/admin/scenarios/bulk/import")
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .multipart(form)
        .send()
        .await;
    let status = resp.0.status();
    let v = resp
        .0
        .into_body()
        .into_json::<Value>()
        .await
        .unwrap_or(Value::Null);
    (status, v)
}

async fn total(app: &TestApp) -> Value {
    let r = app
        .call(
            "GET",
            "/training/api/admin/scenarios",
            Some(&app.admin_token),
            None,
        )
        .await;
    r.body["pagination"]["total"].clone()
}

#[tokio::test]
async fn a_zipped_json_file_imports() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let json =
        serde_json::to_vec(&json!([scenario("Zipped One"), scenario("Zipped Two")])).unwrap();
    let (st, r) = import(&app, zip_of(&[("scenarios.json", &json)])).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["imported"], 2, "{r}");
    assert_eq!(total(&app).await, 2);
}

#[tokio::test]
async fn a_zip_bomb_is_refused_while_unpacking_and_nothing_is_imported() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    // 64 MB of spaces after a valid JSON array: about 64 KB zipped, far past
    // the 10 MB unpacked limit.
    let mut json = serde_json::to_vec(&json!([scenario("Bomb")])).unwrap();
    json.resize(json.len() + 64 * 1024 * 1024, b' ');
    let bomb = zip_of(&[("scenarios.json", &json)]);
    drop(json);
    assert!(
        bomb.len() < 1024 * 1024,
        "the bomb is small: {}",
        bomb.len()
    );
    let (st, r) = import(&app, bomb).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["error"]["code"], "FILE_TOO_LARGE", "{r}");
    assert_eq!(total(&app).await, 0);
}

#[tokio::test]
async fn too_many_entries_two_json_files_and_broken_zips_are_refused() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let json = serde_json::to_vec(&json!([scenario("Zipped")])).unwrap();
    let names: Vec<String> = (0..17).map(|i| format!("f{i}.txt")).collect();
    let many: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let two = zip_of(&[("a.json", &json), ("b.json", &json)]);
    let mut cut = zip_of(&[("scenarios.json", &json)]);
    cut.truncate(cut.len() / 2);
    for (what, file) in [
        ("17 entries", zip_of(&many)),
        ("two JSON files", two),
        ("no JSON file", zip_of(&[("readme.txt", b"hello")])),
        ("a truncated zip", cut),
    ] {
        let (st, r) = import(&app, file).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {r}");
        assert_eq!(r["error"]["code"], "INVALID_FILE", "{what}: {r}");
        assert_eq!(r["error"]["details"][0]["field"], "file", "{what}: {r}");
    }
    assert_eq!(total(&app).await, 0);
}
