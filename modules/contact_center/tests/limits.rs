//! Unrestricted resource consumption (OWASP API4): requests that would make
//! the server do unbounded work are refused with the module's own error body
//! before any work: deeply nested JSON, oversized search text, long substring
//! filters and aggregations over millions of time windows.

mod part1;

use part1::*;
use serde_json::{json, Value};

async fn raw(cc: &Cc, method: &str, token: &str, path: &str, body: String) -> Resp {
    let url = format!("/contact-center/api{path}");
    let c = &cc.app.client;
    let req = match method {
        "POST" => c.post(&url),
        "PUT" => c.put(&url),
        _ => unreachable!(),
    }
    .header("Authorization", format!("Bearer {token}"))
    .header("Content-Type", "application/json")
    .body(body);
    let resp = req.send().await;
    let status = resp.0.status();
    let headers = resp.0.headers().clone();
    let text = resp.0.into_body().into_string().await.unwrap();
    Resp {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

async fn get(cc: &Cc, token: &str, path: &str) -> Resp {
    let url = format!("/contact-center/api{path}");
    let resp = cc
        .app
        .client
        .get(&url)
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    let status = resp.0.status();
    let headers = resp.0.headers().clone();
    let text = resp.0.into_body().into_string().await.unwrap();
    Resp {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_else(|| vec![body["field"].as_str().unwrap_or_default().to_string()])
}

#[tokio::test]
async fn deeply_nested_json_bodies_get_a_clean_client_error_in_the_module_body() {
    let cc = Cc::new().await;
    let admin = cc.admin.clone();
    let arrays = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let objects = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let inside = format!("{{\"name\": \"Deep\", \"provider_config\": {{\"x\": {arrays}}}}}");
    for (path, body) in [
        ("/v1/campaigns", arrays.clone()),
        ("/v1/campaigns", objects.clone()),
        ("/v1/campaigns", inside),
        ("/v1/contacts/import", arrays.clone()),
        ("/v1/knowledge/search", objects),
        ("/analytics/metrics", arrays),
    ] {
        // The same answer as any malformed body gets here (this module: 422 on `body`).
        let malformed = raw(&cc, "POST", &admin, path, "{".into()).await;
        let r = raw(&cc, "POST", &admin, path, body).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.body);
        assert_eq!(r.status, malformed.status, "{path}: {}", r.body);
        assert_eq!(r.body["error_code"], malformed.body["error_code"], "{path}");
        assert_eq!(r.body["field"], "body", "{path}: {}", r.body);
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("recursion limit"),
            "{path}: {}",
            r.body
        );
        assert!(r.body["timestamp"].is_string(), "{path}: {}", r.body);
    }
    // Nothing was stored and the server still answers.
    let r = cc.get(&admin, "/campaigns").await;
    assert_eq!(r.header("X-Total-Count"), "0");
    r.expect(200);
}

#[tokio::test]
async fn knowledge_search_text_is_capped() {
    let cc = Cc::new().await;
    let agent = cc.token("agent").await;
    let search = |q: String| {
        let (cc, agent) = (&cc, agent.clone());
        async move {
            raw(
                cc,
                "POST",
                &agent,
                "/v1/knowledge/search",
                json!({ "query": q }).to_string(),
            )
            .await
        }
    };
    search("how do I reset my password".into())
        .await
        .expect(200);
    search("w ".repeat(32)).await.expect(200);
    let ors = (0..2000)
        .map(|i| format!("t{i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    for (q, says) in [
        ("x".repeat(513), "at most 512 characters"),
        ("w ".repeat(33), "at most 32 words"),
        (ors, "at most 512 characters"),
        (
            format!("{}refund{}", "(".repeat(300), ")".repeat(300)),
            "at most 512",
        ),
        ("a*b?c~d^e".repeat(8), "at most 32 words"),
    ] {
        let r = search(q).await;
        let body = r.expect(422);
        assert_eq!(body["error_code"], "VALIDATION_ERROR", "{body}");
        assert_eq!(body["field"], "query", "{body}");
        assert!(body.to_string().contains(says), "{body}");
    }
}

#[tokio::test]
async fn substring_filters_are_capped() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let sup = cc.token("supervisor").await;
    let long = "%".repeat(201);
    let ok = "x".repeat(200);
    for (token, path, param) in [
        (&user, "/campaigns", "search"),
        (&user, "/contacts", "search"),
        (&sup, "/companies", "search"),
        (&sup, "/agents", "language"),
    ] {
        cc.get(token, &format!("{path}?{param}={ok}"))
            .await
            .expect(200);
        let body = cc
            .get(
                token,
                &format!("{path}?{param}={}", long.replace('%', "%25")),
            )
            .await
            .expect(422);
        assert_eq!(body["field"], param, "{path}: {body}");
        assert!(
            body.to_string().contains("at most 200 characters"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn aggregations_refuse_millions_of_windows() {
    let cc = Cc::new().await;
    let agent = cc.token("agent").await;
    let started = std::time::Instant::now();
    // 30 years of minutes: 15.8 million windows.
    let r = get(
        &cc,
        &agent,
        "/analytics/aggregations?metric_name=call_duration&granularity=minute&start_date=1995-01-01&end_date=2024-12-31",
    )
    .await;
    let body = r.expect(422);
    assert!(started.elapsed().as_secs() < 2);
    assert_eq!(body["error_code"], "VALIDATION_ERROR", "{body}");
    assert_eq!(fields(&body), vec!["start_date", "granularity"], "{body}");
    assert!(body.to_string().contains("at most 1000"), "{body}");
    assert!(body.to_string().contains("minute windows"), "{body}");
    // Each granularity at its edge.
    for (g, start, end, ok) in [
        ("hour", "2025-01-01T00:00:00Z", "2025-02-11T15:00:00Z", true), // 999 hours
        (
            "hour",
            "2025-01-01T00:00:00Z",
            "2025-03-01T00:00:00Z",
            false,
        ), // 1416 hours
        ("day", "2023-01-01", "2025-06-30", true),
        ("day", "2020-01-01", "2025-06-30", false),
        ("week", "2010-01-01", "2025-01-01", true),
        ("month", "1950-01-01", "2025-01-01", true),
        ("month", "1900-01-01", "2025-01-01", false),
    ] {
        let r = get(
            &cc,
            &agent,
            &format!("/analytics/aggregations?metric_name=call_duration&granularity={g}&start_date={start}&end_date={end}&limit=1000"),
        )
        .await;
        if ok {
            let windows = r.expect(200);
            assert!(!windows.as_array().unwrap().is_empty(), "{g}");
        } else {
            r.expect(422);
        }
    }
    // Without start_date the last `limit` windows are answered, as before.
    let last = get(
        &cc,
        &agent,
        "/analytics/aggregations?metric_name=call_duration&granularity=minute&limit=1000",
    )
    .await
    .expect(200);
    assert_eq!(last.as_array().unwrap().len(), 1000);
}

#[tokio::test]
async fn value_lists_that_drive_per_call_work_are_capped() {
    let cc = Cc::new().await;
    let sup = cc.token("supervisor").await;
    // Routing rules: at most 50 conditions, `in` lists of at most 100 values.
    let cond = |n: usize| {
        json!({"field": "customer_tier", "operator": "in",
        "value": (0..n).map(|i| format!("tier{i}")).collect::<Vec<_>>()})
    };
    let rule = |conditions: Vec<Value>| {
        json!({"name": "Big", "strategy": "round_robin", "conditions": conditions,
               "targets": [{"target_type": "queue", "target_id": 1, "weight": 100}]})
        .to_string()
    };
    raw(
        &cc,
        "POST",
        &sup,
        "/routing/rules",
        rule(vec![cond(100); 50]),
    )
    .await
    .expect(201);
    let body = raw(&cc, "POST", &sup, "/routing/rules", rule(vec![cond(1); 51]))
        .await
        .expect(422);
    assert_eq!(fields(&body), vec!["conditions"], "{body}");
    let body = raw(&cc, "POST", &sup, "/routing/rules", rule(vec![cond(101)]))
        .await
        .expect(422);
    assert_eq!(fields(&body), vec!["conditions[0].value"], "{body}");
    assert!(body.to_string().contains("at most 100 values"), "{body}");

    // Compliance phrases given with an analysis: at most 100 of 200 characters.
    let rec = raw(
        &cc,
        "POST",
        &sup,
        "/recordings",
        json!({"call_id": "c-1", "duration": 60, "file_url": "https://storage.example.com/c1.mp3",
               "recorded_at": "2025-11-11T10:30:00Z"})
        .to_string(),
    )
    .await
    .expect(201);
    let id = rec["id"].as_i64().unwrap();
    let analyze = |body: Value| {
        let (cc, sup) = (&cc, sup.clone());
        async move {
            raw(
                cc,
                "POST",
                &sup,
                &format!("/recordings/{id}/analyze"),
                body.to_string(),
            )
            .await
        }
    };
    let many: Vec<String> = (0..101).map(|i| format!("phrase {i}")).collect();
    let body = analyze(json!({"analysis_types": ["compliance"], "forbidden_phrases": many}))
        .await
        .expect(422);
    assert_eq!(fields(&body), vec!["forbidden_phrases"], "{body}");
    let body = analyze(json!({"analysis_types": ["compliance"],
        "required_phrases": ["thank you", "x".repeat(201)]}))
    .await
    .expect(422);
    assert_eq!(fields(&body), vec!["required_phrases[1]"], "{body}");
    // Within the caps the request reaches the analysis (no transcription yet: 409).
    let hundred: Vec<String> = (0..100).map(|i| format!("phrase {i}")).collect();
    analyze(json!({"analysis_types": ["compliance"], "forbidden_phrases": hundred}))
        .await
        .expect(409);
}
