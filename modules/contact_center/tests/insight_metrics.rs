use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value, poem::http::HeaderMap) {
    let r = app
        .call(
            method,
            &format!("/contact-center/api{path}"),
            Some(token),
            body,
        )
        .await;
    (r.status, r.body, r.headers)
}

async fn record(
    app: &TestApp,
    t: &str,
    name: &str,
    value: f64,
    at: &str,
    team: Option<i64>,
) -> Value {
    let (s, m, _) = call(app, "POST", "/analytics/metrics", t, Some(json!({
        "metric_type": "call", "metric_name": name, "value": value, "team_id": team, "agent_id": 10,
        "tags": {"campaign": "Q4_Sales", "outcome": "success"}, "dimensions": {"provider": "openai", "language": "en"},
        "recorded_at": at}))).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    m
}

#[tokio::test]
async fn record_query_and_aggregate_known_data() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    // Document example, recorded now.
    let (s, m, _) = call(&app, "POST", "/analytics/metrics", &t, Some(json!({
        "metric_type": "call", "metric_name": "call_duration", "value": 185.5, "team_id": 1, "agent_id": 10,
        "tags": {"campaign": "Q4_Sales", "outcome": "success"}, "dimensions": {"provider": "openai", "language": "en"}}))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(m["tags"]["campaign"], "Q4_Sales");

    // Known hour data on 2025-11-11: 10:xx -> 180, 190 ; 11:xx -> empty ; 12:xx -> 200.
    for (v, at) in [
        (180.0, "2025-11-11T10:05:00Z"),
        (190.0, "2025-11-11T10:59:59Z"),
        (200.0, "2025-11-11T12:00:00Z"),
    ] {
        record(&app, &t, "handle_time", v, at, Some(1)).await;
    }
    record(
        &app,
        &t,
        "handle_time",
        999.0,
        "2025-11-11T10:30:00Z",
        Some(2),
    )
    .await;
    let (s, aggs, _) = call(&app, "GET", "/analytics/aggregations?metric_name=handle_time&granularity=hour&start_date=2025-11-11T10:00:00Z&end_date=2025-11-11T13:00:00Z&team_id=1", &t, None).await;
    assert_eq!(s, StatusCode::OK, "{aggs}");
    let a = aggs.as_array().unwrap();
    assert_eq!(a.len(), 3);
    assert_eq!(a[0]["window_start"], "2025-11-11T10:00:00Z");
    assert_eq!(a[0]["window_end"], "2025-11-11T11:00:00Z");
    assert_eq!(a[0]["value"], 185.0);
    assert_eq!(a[0]["count"], 2);
    assert_eq!(a[0]["granularity"], "hour");
    assert_eq!(a[1]["count"], 0);
    assert!(a[1]["value"].is_null());
    assert_eq!(a[2]["value"], 200.0);
    // Without the team filter the 999 joins the 10:00 window.
    let (_, aggs, _) = call(&app, "GET", "/analytics/aggregations?metric_name=handle_time&granularity=day&start_date=2025-11-11&end_date=2025-11-11", &t, None).await;
    assert_eq!(aggs.as_array().unwrap().len(), 1);
    assert_eq!(aggs[0]["count"], 4);
    assert_eq!(aggs[0]["value"], 392.25);
    assert_eq!(aggs[0]["max"], 999.0);

    // Timezone edges: in Los Angeles (UTC-8) 2025-11-11 02:00Z..08:00Z belongs to 2025-11-10.
    record(&app, &t, "tz_metric", 1.0, "2025-11-11T07:59:00Z", None).await;
    record(&app, &t, "tz_metric", 3.0, "2025-11-11T08:00:00Z", None).await;
    let (_, utc, _) = call(&app, "GET", "/analytics/aggregations?metric_name=tz_metric&granularity=day&start_date=2025-11-10&end_date=2025-11-11", &t, None).await;
    assert_eq!(utc[0]["count"], 0);
    assert_eq!(utc[1]["count"], 2);
    let (_, la, _) = call(&app, "GET", "/analytics/aggregations?metric_name=tz_metric&granularity=day&start_date=2025-11-10&end_date=2025-11-11&timezone=America/Los_Angeles", &t, None).await;
    assert_eq!(la[0]["window_start"], "2025-11-10T00:00:00-08:00");
    assert_eq!(la[0]["count"], 1);
    assert_eq!(la[0]["value"], 1.0);
    assert_eq!(la[1]["count"], 1);
    assert_eq!(la[1]["value"], 3.0);
    // Across the DST change the day is 25 hours long.
    let (_, dst, _) = call(&app, "GET", "/analytics/aggregations?metric_name=tz_metric&granularity=day&start_date=2025-11-02&end_date=2025-11-02&timezone=America/Los_Angeles", &t, None).await;
    assert_eq!(dst[0]["window_start"], "2025-11-02T00:00:00-07:00");
    assert_eq!(dst[0]["window_end"], "2025-11-03T00:00:00-08:00");
    // Week and month windows.
    let (_, wk, _) = call(&app, "GET", "/analytics/aggregations?metric_name=handle_time&granularity=week&start_date=2025-11-11&end_date=2025-11-11", &t, None).await;
    assert_eq!(wk[0]["window_start"], "2025-11-10T00:00:00Z");
    assert_eq!(wk[0]["count"], 4);
    let (_, mo, _) = call(&app, "GET", "/analytics/aggregations?metric_name=handle_time&granularity=month&limit=2&end_date=2025-11-30", &t, None).await;
    assert_eq!(mo.as_array().unwrap().len(), 2);
    assert_eq!(mo[0]["window_start"], "2025-10-01T00:00:00Z");
    assert_eq!(mo[1]["count"], 4);
    // Minute windows, last 5 up to now: the first metric is in the last one.
    let (_, mins, _) = call(
        &app,
        "GET",
        "/analytics/aggregations?metric_name=call_duration&granularity=minute&limit=5",
        &t,
        None,
    )
    .await;
    assert_eq!(mins.as_array().unwrap().len(), 5);
    assert_eq!(mins[4]["count"], 1);

    for bad in [
        "granularity=year",
        "limit=0",
        "timezone=Mars/Base",
        "start_date=2025-11-12&end_date=2025-11-01",
        "start_date=yesterday",
    ] {
        let (s, e, _) = call(
            &app,
            "GET",
            &format!("/analytics/aggregations?metric_name=x&{bad}"),
            &t,
            None,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
    }

    // Query with filters and pagination headers.
    let (_, list, h) = call(&app, "GET", "/analytics/metrics?metric_type=call&metric_name=handle_time&start_date=2025-11-11&end_date=2025-11-11&limit=2", &t, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(h.get("X-Total-Count").unwrap(), "4");
    assert_eq!(list[0]["recorded_at"], "2025-11-11T12:00:00Z");
    let (_, list, _) = call(&app, "GET", "/analytics/metrics?team_id=2", &t, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    let (s, e, _) = call(
        &app,
        "POST",
        "/analytics/metrics",
        &t,
        Some(json!({"metric_type": "", "metric_name": "a b", "value": 1, "tags": [1]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"].as_array().unwrap().len(), 2);
    let (s, e, _) = call(
        &app,
        "POST",
        "/analytics/metrics",
        &t,
        Some(json!({"metric_type": "call", "metric_name": "a", "value": 1, "tags": [1]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "tags");
}

#[tokio::test]
async fn thresholds_raise_one_alert_per_crossing() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, _, _) = call(
        &app,
        "POST",
        "/analytics/thresholds",
        &agent,
        Some(json!({"metric_type": "call", "metric_name": "failure_rate",
        "threshold_value": 0.1, "comparison_operator": "greater_than"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, th, _) = call(&app, "POST", "/analytics/thresholds", &t, Some(json!({
        "metric_type": "call", "metric_name": "failure_rate", "threshold_value": 0.10,
        "comparison_operator": "greater_than", "severity": "critical", "window_minutes": 60,
        "alert_message": "Call failure rate exceeds 10% in the last hour", "team_id": 1, "is_active": true}))).await;
    assert_eq!(s, StatusCode::CREATED, "{th}");
    let (s, e, _) = call(&app, "POST", "/analytics/thresholds", &t, Some(json!({"metric_type": "call", "metric_name": "x",
        "threshold_value": 1, "comparison_operator": "bigger", "severity": "meh", "window_minutes": 0}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"].as_array().unwrap().len(), 3);

    let post = |v: f64, team: i64| json!({"metric_type": "call", "metric_name": "failure_rate", "value": v, "team_id": team});
    // Below: no alert. Other team: ignored.
    call(
        &app,
        "POST",
        "/analytics/metrics",
        &agent,
        Some(post(0.05, 1)),
    )
    .await;
    call(
        &app,
        "POST",
        "/analytics/metrics",
        &agent,
        Some(post(0.90, 2)),
    )
    .await;
    let (_, alerts, _) = call(&app, "GET", "/analytics/alerts", &t, None).await;
    assert_eq!(alerts.as_array().unwrap().len(), 0);
    // Mean (0.05 + 0.25) / 2 = 0.15 > 0.10: one alert; more breaching metrics keep the same alert.
    call(
        &app,
        "POST",
        "/analytics/metrics",
        &agent,
        Some(post(0.25, 1)),
    )
    .await;
    call(
        &app,
        "POST",
        "/analytics/metrics",
        &agent,
        Some(post(0.30, 1)),
    )
    .await;
    let (_, alerts, _) = call(
        &app,
        "GET",
        "/analytics/alerts?status=active&severity=critical",
        &t,
        None,
    )
    .await;
    assert_eq!(alerts.as_array().unwrap().len(), 1, "{alerts}");
    let a = &alerts[0];
    assert_eq!(a["metric_name"], "failure_rate");
    assert_eq!(a["threshold_value"], 0.1);
    assert_eq!(a["actual_value"], 0.2, "mean of 0.05, 0.25, 0.30");
    assert_eq!(a["team_id"], 1);
    assert!(a["message"].as_str().unwrap().contains("exceeds threshold"));
    let aid = a["id"].as_i64().unwrap();

    let (_, dash, _) = call(
        &app,
        "GET",
        "/analytics/dashboard/overview?period_hours=24",
        &t,
        None,
    )
    .await;
    assert_eq!(dash["alerts"]["active_count"], 1);
    assert_eq!(dash["alerts"]["critical_count"], 1);

    let (s, a, _) = call(&app, "PUT", &format!("/analytics/alerts/{aid}/acknowledge"), &agent, Some(json!({
        "acknowledged_by_id": 1, "notes": "Investigating root cause, temporary network issue identified"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["status"], "acknowledged");
    assert_eq!(a["acknowledged_by_id"], 1);
    assert!(a["acknowledged_at"].is_string());
    // Issue 17 #5: the dashboard counts what the alert list lists.
    let (_, listed, _) = call(&app, "GET", "/analytics/alerts?status=active", &t, None).await;
    let (_, acked, _) = call(
        &app,
        "GET",
        "/analytics/alerts?status=acknowledged",
        &t,
        None,
    )
    .await;
    let (_, dash, _) = call(&app, "GET", "/analytics/dashboard/overview", &t, None).await;
    assert_eq!(listed.as_array().unwrap().len(), 0, "{listed}");
    assert_eq!(dash["alerts"]["active_count"], 0, "{dash}");
    assert_eq!(dash["alerts"]["critical_count"], 0, "{dash}");
    assert_eq!(acked.as_array().unwrap().len(), 1, "{acked}");
    assert_eq!(dash["alerts"]["acknowledged_count"], 1, "{dash}");
    // Still breaching while acknowledged: no second alert.
    call(
        &app,
        "POST",
        "/analytics/metrics",
        &agent,
        Some(post(0.5, 1)),
    )
    .await;
    let (_, all, _) = call(&app, "GET", "/analytics/alerts", &t, None).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    // Back within bounds: many low values bring the mean under 0.10 -> resolved.
    for _ in 0..20 {
        call(
            &app,
            "POST",
            "/analytics/metrics",
            &agent,
            Some(post(0.0, 1)),
        )
        .await;
    }
    let (_, a, _) = call(&app, "GET", &format!("/analytics/alerts/{aid}"), &t, None).await;
    assert_eq!(a["status"], "resolved");
    assert!(a["resolved_at"].is_string());
    let (s, _, _) = call(
        &app,
        "PUT",
        &format!("/analytics/alerts/{aid}/acknowledge"),
        &agent,
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // A new crossing raises a new alert.
    for _ in 0..30 {
        call(
            &app,
            "POST",
            "/analytics/metrics",
            &agent,
            Some(post(1.0, 1)),
        )
        .await;
    }
    let (_, all, _) = call(&app, "GET", "/analytics/alerts", &t, None).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["status"], "active");

    // Events were recorded for outgoing webhooks.
    let kinds: Vec<String> = app.platform.db.read(|c| {
        let mut s = c.prepare("SELECT event_type FROM platform_events WHERE module = 'contact-center' ORDER BY id")?;
        let v = s.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(v)
    }).await.unwrap();
    assert_eq!(
        kinds,
        vec![
            "alert.triggered",
            "alert.acknowledged",
            "alert.resolved",
            "alert.triggered"
        ]
    );

    // Deactivating the threshold resolves its open alert.
    let id = th["id"].as_i64().unwrap();
    let (s, th2, _) = call(
        &app,
        "PUT",
        &format!("/analytics/thresholds/{id}"),
        &t,
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(th2["is_active"], false);
    let (_, active, _) = call(&app, "GET", "/analytics/alerts?status=active", &t, None).await;
    assert_eq!(active.as_array().unwrap().len(), 0);
    let (_, list, _) = call(
        &app,
        "GET",
        "/analytics/thresholds?is_active=false",
        &t,
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (s, _, _) = call(
        &app,
        "DELETE",
        &format!("/analytics/thresholds/{id}"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn dashboard_overview_from_recorded_data() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    // Calls as part 1 logs them: three today, one 30 hours ago, one waiting in a queue.
    let now = chrono::Utc::now();
    let ts = |h: i64| {
        (now - chrono::Duration::hours(h)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let rows = vec![
        ("c1", "completed", Some(30), Some(45), ts(2)),
        ("c2", "completed", Some(450), Some(180), ts(3)),
        ("c3", "completed", Some(76), None, ts(1)),
        ("c4", "completed", Some(1000), Some(999), ts(30)),
        ("c5", "queued", None, None, ts(0)),
    ];
    app.platform
        .db
        .write(move |tx| {
            for (id, status, duration, wait, at) in rows {
                tx.execute(
                    "INSERT INTO cc_calls (call_id, direction, status, duration, wait_time, queued_at, started_at, created_at)
                     VALUES (?1, 'inbound', ?2, ?3, ?4, ?5, ?5, ?5)",
                    rusqlite::params![id, status, duration, wait, at],
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    // An open critical alert.
    call(
        &app,
        "POST",
        "/analytics/thresholds",
        &t,
        Some(json!({"metric_type": "queue", "metric_name": "wait_time",
        "threshold_value": 60, "comparison_operator": "greater_than", "severity": "critical"})),
    )
    .await;
    call(
        &app,
        "POST",
        "/analytics/metrics",
        &t,
        Some(json!({"metric_type": "queue", "metric_name": "wait_time", "value": 300})),
    )
    .await;

    let (s, d, _) = call(
        &app,
        "GET",
        "/analytics/dashboard/overview?period_hours=24",
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // c1, c2, c3 and the queued c5 started within 24 hours; durations of 30, 450, 76.
    assert_eq!(d["call_metrics"]["total_calls"], 4, "{d}");
    assert_eq!(d["call_metrics"]["avg_duration"], 185.3333);
    assert_eq!(d["call_metrics"]["max_duration"], 450.0);
    assert_eq!(d["call_metrics"]["min_duration"], 30.0);
    assert_eq!(d["queue_metrics"]["avg_wait_time"], 112.5);
    assert_eq!(d["queue_metrics"]["max_wait_time"], 180.0);
    assert_eq!(d["queue_metrics"]["calls_waiting"], 1);
    assert_eq!(d["alerts"]["active_count"], 1);
    assert_eq!(d["alerts"]["critical_count"], 1);
    let (_, d, _) = call(
        &app,
        "GET",
        "/analytics/dashboard/overview?period_hours=48",
        &t,
        None,
    )
    .await;
    assert_eq!(d["call_metrics"]["total_calls"], 5);
    assert_eq!(d["queue_metrics"]["max_wait_time"], 999.0);
    let (s, _, _) = call(
        &app,
        "GET",
        "/analytics/dashboard/overview?period_hours=0",
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
