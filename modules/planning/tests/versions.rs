use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

/// The document's example version (Get Version by ID), with staff cost 5,000,000.
fn document_version(name: &str) -> Value {
    json!({
        "name": name,
        "description": "Base scenario with PartnerModel rent",
        "mode": "RELOCATION_2028",
        "curriculumPlans": [
            {"curriculumType": "FR", "capacity": 400, "tuitionBase": 50000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 300}, {"year": 2029, "students": 350},
                                    {"year": 2030, "students": 380}, {"year": 2031, "students": 395},
                                    {"year": 2032, "students": 400}]},
            {"curriculumType": "IB", "capacity": 200, "tuitionBase": 60000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 30}, {"year": 2029, "students": 60},
                                    {"year": 2030, "students": 100}, {"year": 2031, "students": 150},
                                    {"year": 2032, "students": 200}]}
        ],
        "rentPlan": {"rentModel": "PARTNER_MODEL", "parameters": {
            "landSize": 10000, "landPricePerSqm": 5000, "buaSize": 8000,
            "constructionCostPerSqm": 3000, "yieldBase": 0.045}},
        "capexItems": [
            {"year": 2028, "category": "BUILDING", "amount": 10000000.0, "description": "New campus construction"},
            {"year": 2030, "category": "TECHNOLOGY", "amount": 2000000.0, "description": "IT infrastructure upgrade"}
        ],
        "opexSubAccounts": [
            {"subAccountName": "Marketing", "percentOfRevenue": 3.0, "isFixed": false},
            {"subAccountName": "Utilities", "percentOfRevenue": null, "isFixed": true, "fixedAmount": 200000.0}
        ],
        "staffing": {"baseCost": 5000000.0, "cpiFrequency": 2}
    })
}

async fn json_of(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

struct Ctx {
    app: TestApp,
    admin: String,
}

impl Ctx {
    async fn new() -> Ctx {
        let app = TestApp::new(vec![frontline_planning::module()]).await;
        let admin = format!("Bearer {}", app.admin_token);
        Ctx { app, admin }
    }
    async fn token(&self, role: &str) -> String {
        format!("Bearer {}", self.app.token_for(&[role]).await)
    }
    async fn create(&self, auth: &str, body: &Value) -> (StatusCode, Value) {
        let resp = self
            .app
            .client
            .post("/planning/api/versions")
            .header("Authorization", auth)
            .body_json(body)
            .send()
            .await;
        let status = resp.0.status();
        (status, json_of(resp).await)
    }
    async fn get(&self, auth: &str, path: &str) -> (StatusCode, Value) {
        let resp = self
            .app
            .client
            .get(path)
            .header("Authorization", auth)
            .send()
            .await;
        let status = resp.0.status();
        (status, json_of(resp).await)
    }
    async fn send(
        &self,
        method: &str,
        auth: &str,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let req = match method {
            "PATCH" => self.app.client.patch(path),
            "DELETE" => self.app.client.delete(path),
            _ => self.app.client.post(path),
        };
        let resp = req
            .header("Authorization", auth)
            .body_json(body)
            .send()
            .await;
        let status = resp.0.status();
        (status, json_of(resp).await)
    }
}

fn close(a: &Value, b: f64) {
    let a = a.as_f64().unwrap_or(f64::NAN);
    assert!((a - b).abs() < 0.01, "{a} != {b}");
}

#[tokio::test]
async fn create_get_with_the_documents_2028_row_and_list() {
    let c = Ctx::new().await;
    let (status, b) = c
        .create(&c.admin, &document_version("V1 - Partner Model 4.5% Yield"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["status"], "DRAFT");
    assert_eq!(b["data"]["message"], "Version created successfully");
    let id = b["data"]["id"].as_str().unwrap().to_string();

    let (status, b) = c
        .get(
            &c.admin,
            &format!("/planning/api/versions/{id}?includeCalculations=true"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let d = &b["data"];
    assert_eq!(d["curriculumPlans"][0]["curriculumType"], "FR");
    assert_eq!(d["rentPlan"]["parameters"]["yieldBase"], 0.045);
    assert!(d["rentPlan"]["parameters"].get("baseRent").is_none());
    assert_eq!(d["capexItems"].as_array().unwrap().len(), 2);
    assert_eq!(d["adminSettings"]["cpiRate"], 0.03);
    let years = d["calculations"]["projectionYears"].as_array().unwrap();
    assert_eq!(years.len(), 30);
    let y = &years[5];
    assert_eq!(y["year"], 2028);
    close(&y["revenue"], 16_800_000.0);
    close(&y["rent"], 3_330_000.0);
    close(&y["rentLoad"], 19.8);
    close(&y["utilizationFR"], 75.0);
    close(&y["utilizationIB"], 15.0);
    close(&y["staffCost"], 5_000_000.0);
    close(&y["opex"], 704_000.0);
    close(
        &y["ebitda"],
        16_800_000.0 - 3_330_000.0 - 5_000_000.0 - 704_000.0,
    );
    close(&y["capex"], 10_000_000.0);
    // 2030: tuition stepped once by 3 %.
    close(&years[7]["tuitionFR"], 51_500.0);
    // npvRent: 3,330,000 a year from 2028 (t = 5..29) at 8 %.
    let npv: f64 = (5..30).map(|t| 3_330_000.0 / 1.08f64.powi(t)).sum();
    close(&d["calculations"]["npvRent"], (npv * 100.0).round() / 100.0);
    // Without includeCalculations there is no projection.
    let (_, b) = c
        .get(&c.admin, &format!("/planning/api/versions/{id}"))
        .await;
    assert!(b["data"]["calculations"].is_null());

    // The list shows the same engine figures.
    let (status, b) = c
        .get(
            &c.admin,
            "/planning/api/versions?status=DRAFT&sortBy=name&sortOrder=asc",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let v = &b["data"]["versions"][0];
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["rentModel"], "PARTNER_MODEL");
    close(&v["npvRent"], (npv * 100.0).round() / 100.0);
    assert!(v["avgEBITDAMargin"].as_f64().is_some());
    assert_eq!(b["data"]["pagination"]["total"], 1);
    assert_eq!(b["data"]["pagination"]["hasNextPage"], false);
    let (_, b) = c
        .get(&c.admin, "/planning/api/versions?search=nothing-like-this")
        .await;
    assert_eq!(b["data"]["versions"].as_array().unwrap().len(), 0);
    let (status, b) = c
        .get(&c.admin, "/planning/api/versions?status=OPEN&limit=500")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(b["code"], "VALIDATION_ERROR");

    // Settings feed unlocked versions at once.
    c.send(
        "PATCH",
        &c.admin,
        "/planning/api/admin/settings",
        &json!({"discountRate": 0.0}),
    )
    .await;
    let (_, b) = c.get(&c.admin, "/planning/api/versions").await;
    close(&b["data"]["versions"][0]["npvRent"], 3_330_000.0 * 25.0);

    // Unknown version: 404 with the document's body.
    let (status, b) = c.get(&c.admin, "/planning/api/versions/invalid-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        b,
        json!({"success": false, "error": "Version not found", "code": "NOT_FOUND", "details": {"versionId": "invalid-id"}})
    );
}

#[tokio::test]
async fn validation_messages_and_duplicate_names() {
    let c = Ctx::new().await;
    let mut bad = document_version("V1");
    bad["curriculumPlans"] = json!([bad["curriculumPlans"][0].clone()]);
    bad["rentPlan"] = json!({"rentModel": "FIXED_ESCALATION", "parameters": {"baseRent": 5000000, "escalationRate": 1.4}});
    let (status, b) = c.create(&c.admin, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"], "Validation failed");
    assert_eq!(b["code"], "VALIDATION_ERROR");
    assert_eq!(
        b["details"]["name"],
        json!(["must be at least 3 characters"])
    );
    assert_eq!(
        b["details"]["curriculumPlans"],
        json!(["must be a list of at least 2 items"])
    );
    assert_eq!(
        b["details"]["rentPlan.parameters.escalationRate"],
        json!(["must be between 0 and 1"])
    );

    let mut over = document_version("Over capacity");
    over["curriculumPlans"][1]["studentsProjection"][0]["students"] = json!(250);
    let (status, b) = c.create(&c.admin, &over).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        b["details"]["curriculumPlans[1].studentsProjection[0].students"],
        json!(["Students cannot exceed capacity (200)"])
    );

    let (status, _) = c.create(&c.admin, &document_version("Unique name")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, b) = c.create(&c.admin, &document_version("unique NAME")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(b["code"], "CONFLICT");
    assert_eq!(b["details"]["field"], "name");
    // Nothing half-written.
    let (_, b) = c.get(&c.admin, "/planning/api/versions").await;
    assert_eq!(b["data"]["pagination"]["total"], 1);
}

#[tokio::test]
async fn roles_update_lock_delete_duplicate() {
    let c = Ctx::new().await;
    let viewer = c.token("planning:VIEWER").await;
    let planner = c.token("planning:PLANNER").await;
    let outsider = c.token("training:editor").await;

    let (status, b) = c.create(&viewer, &document_version("Viewer's try")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(b["code"], "FORBIDDEN");
    let (status, _) = c.get(&outsider, "/planning/api/versions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, b) = c
        .create(&planner, &document_version("Planner version"))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = b["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/planning/api/versions/{id}");
    let (status, _) = c.get(&viewer, &path).await;
    assert_eq!(status, StatusCode::OK);

    // Partial update of a nested item by id.
    let (_, b) = c.get(&planner, &path).await;
    let fr_id = b["data"]["curriculumPlans"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rp_id = b["data"]["rentPlan"]["id"].as_str().unwrap().to_string();
    let (status, b) = c
        .send(
            "PATCH",
            &planner,
            &path,
            &json!({"name": "Planner version (updated)", "curriculumPlans": [{"id": fr_id, "tuitionBase": 55000.0}],
                    "rentPlan": {"id": rp_id, "parameters": {"yieldBase": 0.05}}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["message"], "Version updated successfully");
    let (_, b) = c
        .get(&viewer, &format!("{path}?includeCalculations=true"))
        .await;
    assert_eq!(b["data"]["name"], "Planner version (updated)");
    assert_eq!(b["data"]["curriculumPlans"][0]["tuitionBase"], 55000.0);
    assert_eq!(b["data"]["curriculumPlans"][0]["capacity"], 400);
    assert_eq!(b["data"]["rentPlan"]["parameters"]["landSize"], 10000.0);
    let y = &b["data"]["calculations"]["projectionYears"][5];
    close(&y["revenue"], 300.0 * 55_000.0 + 30.0 * 60_000.0);
    close(&y["rent"], 74_000_000.0 * 0.05);
    let (status, _) = c
        .send("PATCH", &viewer, &path, &json!({"name": "Nope"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, b) = c
        .send(
            "PATCH",
            &planner,
            &path,
            &json!({"capexItems": [{"id": "capex-unknown", "amount": 1}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(b["details"]["capexItems[0].id"].is_array());

    // Duplicate, then lock (ADMIN only).
    let (status, b) = c
        .send(
            "POST",
            &planner,
            &format!("{path}/duplicate"),
            &json!({"name": "Copy of planner version"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(b["data"]["basedOnId"], id.as_str());
    assert_eq!(b["data"]["status"], "DRAFT");
    let copy = b["data"]["id"].as_str().unwrap().to_string();
    let (_, b) = c
        .get(&planner, &format!("/planning/api/versions/{copy}"))
        .await;
    assert_eq!(b["data"]["basedOnName"], "Planner version (updated)");
    assert_eq!(b["data"]["curriculumPlans"][0]["tuitionBase"], 55000.0);
    assert_ne!(b["data"]["curriculumPlans"][0]["id"], fr_id.as_str());
    let (status, b) = c
        .send(
            "POST",
            &planner,
            &format!("{path}/duplicate"),
            &json!({"name": "Copy of planner version"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(b["code"], "VALIDATION_ERROR");

    let lock = format!("{path}/lock");
    let reason = json!({"reason": "Approved by board on 2025-11-13"});
    let (status, _) = c.send("POST", &planner, &lock, &reason).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, b) = c.send("POST", &c.admin, &lock, &reason).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b["data"]["status"], "LOCKED");
    assert_eq!(b["data"]["lockedBy"], "admin@test.local");
    assert_eq!(b["data"]["lockReason"], "Approved by board on 2025-11-13");
    let (status, b) = c.send("POST", &c.admin, &lock, &reason).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(b["code"], "CONFLICT");
    let (status, b) = c
        .send("PATCH", &c.admin, &path, &json!({"description": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(b["error"], "Version is LOCKED and cannot be edited");
    let (status, _) = c.send("DELETE", &c.admin, &path, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A locked version keeps its rates when the settings change.
    let (_, before) = c
        .get(&viewer, &format!("{path}?includeCalculations=true"))
        .await;
    c.send(
        "PATCH",
        &c.admin,
        "/planning/api/admin/settings",
        &json!({"discountRate": 0.2}),
    )
    .await;
    let (_, after) = c
        .get(&viewer, &format!("{path}?includeCalculations=true"))
        .await;
    assert_eq!(
        before["data"]["calculations"]["npvRent"],
        after["data"]["calculations"]["npvRent"]
    );

    // Delete: ADMIN only, soft.
    let copy_path = format!("/planning/api/versions/{copy}");
    let (status, _) = c.send("DELETE", &planner, &copy_path, &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, b) = c.send("DELETE", &c.admin, &copy_path, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b["data"]["message"], "Version deleted successfully");
    let (status, _) = c.get(&c.admin, &copy_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The name is free again.
    let (status, _) = c
        .create(&planner, &document_version("Copy of planner version"))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The audit log kept every step, with filters.
    let (status, b) = c
        .get(
            &c.admin,
            "/planning/api/admin/audit-logs?entityType=VERSION&limit=50",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = b["data"]["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    for a in [
        "CREATE_VERSION",
        "UPDATE_VERSION",
        "DUPLICATE_VERSION",
        "LOCK_VERSION",
        "DELETE_VERSION",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let (_, b) = c
        .get(
            &c.admin,
            "/planning/api/admin/audit-logs?action=UPDATE_VERSION",
        )
        .await;
    let last = b["data"]["logs"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["metadata"]["changes"],
        json!(["name", "curriculumPlans", "rentPlan"])
    );
    assert!(last["userId"].is_string());
    let (_, b) = c
        .get(
            &c.admin,
            "/planning/api/admin/audit-logs?action=LOCK_VERSION",
        )
        .await;
    assert_eq!(b["data"]["pagination"]["total"], 1);
    let log = &b["data"]["logs"][0];
    assert_eq!(log["entityId"], id.as_str());
    assert_eq!(log["userName"], "Administrator");
    assert_eq!(log["metadata"]["versionName"], "Planner version (updated)");
    let (_, b) = c
        .get(
            &c.admin,
            "/planning/api/admin/audit-logs?startDate=2999-01-01",
        )
        .await;
    assert_eq!(b["data"]["pagination"]["total"], 0);
    let (status, b) = c
        .get(&c.admin, "/planning/api/admin/audit-logs?endDate=yesterday")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(b["details"]["endDate"].is_array());
    let (status, _) = c.get(&planner, "/planning/api/admin/audit-logs").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn compare_two_to_four_versions() {
    let c = Ctx::new().await;
    let (_, a) = c
        .create(&c.admin, &document_version("V1 - Partner Model 4.5%"))
        .await;
    let mut fixed = document_version("V2 - Fixed Escalation 4%");
    fixed["rentPlan"] = json!({"rentModel": "FIXED_ESCALATION", "parameters": {"baseRent": 5000000.0, "escalationRate": 0.04}});
    let (_, b) = c.create(&c.admin, &fixed).await;
    let a = a["data"]["id"].as_str().unwrap().to_string();
    let b = b["data"]["id"].as_str().unwrap().to_string();
    let viewer = c.token("planning:VIEWER").await;
    let (status, r) = c
        .send(
            "POST",
            &viewer,
            "/planning/api/versions/compare",
            &json!({"versionIds": [a, b]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let items = r["data"]["comparison"].as_array().unwrap();
    assert_eq!(items[1]["rentModel"], "FIXED_ESCALATION");
    // Fixed escalation: 5,000,000 × 1.04^(t-5) from 2028, discounted at 8 %.
    let npv_fixed: f64 = (5..30)
        .map(|t| 5_000_000.0 * 1.04f64.powi(t - 5) / 1.08f64.powi(t))
        .sum();
    let npv_partner: f64 = (5..30).map(|t| 3_330_000.0 / 1.08f64.powi(t)).sum();
    close(&items[1]["npvRent"], (npv_fixed * 100.0).round() / 100.0);
    close(&items[0]["npvRent"], (npv_partner * 100.0).round() / 100.0);
    assert_eq!(r["data"]["best"]["npvRent"], "V1 - Partner Model 4.5%");
    assert_eq!(r["data"]["best"]["avgRentLoad"], "V1 - Partner Model 4.5%");
    close(
        &r["data"]["differences"][0]["npvRent"],
        items[1]["npvRent"].as_f64().unwrap() - items[0]["npvRent"].as_f64().unwrap(),
    );

    let (status, r) = c
        .send(
            "POST",
            &viewer,
            "/planning/api/versions/compare",
            &json!({"versionIds": [a]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(r["details"]["versionIds"].is_array());
    let (status, r) = c
        .send(
            "POST",
            &viewer,
            "/planning/api/versions/compare",
            &json!({"versionIds": [a, "nope"]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(r["details"]["versionIds"], json!(["nope"]));
}

#[tokio::test]
async fn reports_are_real_files_behind_signed_links() {
    let c = Ctx::new().await;
    let (_, a) = c
        .create(&c.admin, &document_version("V1 - Partner Model 4.5%"))
        .await;
    let mut share = document_version("V3 - Revenue Share 20%");
    share["rentPlan"] = json!({"rentModel": "REVENUE_SHARE", "parameters": {"revenueSharePercent": 0.2, "minimumRent": 1000000}});
    let (_, b) = c.create(&c.admin, &share).await;
    let a = a["data"]["id"].as_str().unwrap().to_string();
    let b = b["data"]["id"].as_str().unwrap().to_string();
    let viewer = c.token("planning:VIEWER").await;

    let (status, r) = c
        .send(
            "POST",
            &viewer,
            &format!("/planning/api/reports/generate/{a}"),
            &json!({"reportType": "FINANCIAL_DETAIL", "format": "PDF", "includeCharts": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["data"]["message"], "Report generated successfully");
    let url = r["data"]["downloadUrl"].as_str().unwrap().to_string();
    let size = r["data"]["fileSize"].as_u64().unwrap();
    let resp = c.app.client.get(&url).send().await;
    resp.assert_status_is_ok();
    let bytes = resp.0.into_body().into_vec().await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(bytes.len() as u64, size);
    // A tampered link is refused.
    c.app
        .client
        .get(url.replace("sig=", "sig=00"))
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // The PDF's year-by-year table carries the engine's 2028 figures.
    let detail = {
        use frontline_planning::model::{GenerateReportRequest, ReportFormat, ReportType};
        use frontline_planning::{reports, service, store};
        let id = a.clone();
        let (v, s) = c
            .app
            .platform
            .db
            .read(move |conn| Ok((store::require(conn, &id)?, store::settings(conn)?.0)))
            .await
            .unwrap();
        let p = service::project(v.mode, &v.document, &s);
        let spec = reports::spec(
            &v.id,
            &GenerateReportRequest {
                report_type: ReportType::FinancialDetail,
                format: ReportFormat::Pdf,
                include_charts: None,
                include_year_by_year: None,
                compare_with_ids: None,
            },
        )
        .unwrap();
        reports::build(&spec, &[(v, p)], &s.currency, "t", "now").unwrap()
    };
    let text: String = format!("{:?}", detail.pdf_layout());
    let layout = detail.pdf_layout();
    assert!(layout.pages.len() >= 3, "title page, metrics, tables");
    assert!(
        layout.page_of("Revenue and EBITDA").is_some(),
        "revenue chart drawn"
    );
    assert!(
        layout.page_of("Assumptions").is_some(),
        "FINANCIAL_DETAIL has the assumptions"
    );
    assert!(text.contains("\"16,800,000\""), "2028 revenue in the PDF");
    assert!(text.contains("\"3,330,000\""), "2028 rent in the PDF");
    assert!(text.contains("\"19.8%\""), "2028 rent load in the PDF");
    assert!(text.contains("Revenue and rent (SAR)"));

    // Excel comparison.
    let (status, r) = c
        .send(
            "POST",
            &viewer,
            &format!("/planning/api/reports/generate/{a}"),
            &json!({"reportType": "COMPARISON", "format": "EXCEL", "compareWithIds": [b], "includeYearByYear": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let resp = c
        .app
        .client
        .get(r["data"]["downloadUrl"].as_str().unwrap())
        .send()
        .await;
    resp.assert_status_is_ok();
    let bytes = resp.0.into_body().into_vec().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let read = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let workbook = read(&mut zip, "xl/workbook.xml");
    for sheet in ["Comparison", "Key metrics", "Year by year"] {
        assert!(
            workbook.contains(&format!("name=\"{sheet}\"")),
            "{sheet} sheet in {workbook}"
        );
    }
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    assert!(
        names.iter().any(|n| n.starts_with("xl/charts/chart")),
        "native charts"
    );
    // The 2028 revenue is stored as a number, not text.
    let sheets: String = names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .map(|n| read(&mut zip, n))
        .collect();
    assert!(
        sheets.contains("<v>16800000</v>"),
        "2028 revenue as a number"
    );

    // Bad requests.
    let (status, r) = c
        .send(
            "POST",
            &viewer,
            &format!("/planning/api/reports/generate/{a}"),
            &json!({"reportType": "COMPARISON", "format": "DOCX"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(r["details"]["format"].is_array());
    let (status, r) = c
        .send(
            "POST",
            &viewer,
            &format!("/planning/api/reports/generate/{a}"),
            &json!({"reportType": "COMPARISON", "format": "PDF"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(r["details"]["compareWithIds"].is_array());
    let (status, _) = c
        .send(
            "POST",
            &viewer,
            "/planning/api/reports/generate/unknown",
            &json!({"reportType": "EXECUTIVE_SUMMARY", "format": "PDF"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The list, newest first, filtered by version.
    let (status, r) = c
        .get(&viewer, &format!("/planning/api/reports?versionId={a}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = r["data"]["reports"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["format"], "EXCEL");
    assert_eq!(list[1]["reportType"], "FINANCIAL_DETAIL");
    assert_eq!(list[1]["versionName"], "V1 - Partner Model 4.5%");
    assert_eq!(list[1]["fileSize"].as_u64().unwrap(), size);
    assert!(list[1]["downloadUrl"]
        .as_str()
        .unwrap()
        .starts_with("/files/"));
    let (_, r) = c
        .get(&viewer, &format!("/planning/api/reports?versionId={b}"))
        .await;
    assert_eq!(r["data"]["pagination"]["total"], 0);
}

#[tokio::test]
async fn admin_lists_users_and_changes_roles() {
    let c = Ctx::new().await;
    let (viewer_id, viewer_token) = c
        .app
        .user_with(&["planning:VIEWER", "training:editor"])
        .await;
    let viewer = format!("Bearer {viewer_token}");
    let (status, b) = c.get(&c.admin, "/planning/api/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    let users = b["data"]["users"].as_array().unwrap();
    let me = users
        .iter()
        .find(|u| u["id"] == viewer_id.as_str())
        .unwrap();
    assert_eq!(me["role"], "VIEWER");
    assert!(users.iter().any(|u| u["role"] == "ADMIN"));

    let (status, _) = c
        .create(&viewer, &document_version("Before promotion"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, b) = c
        .send(
            "PATCH",
            &c.admin,
            &format!("/planning/api/admin/users/{viewer_id}"),
            &json!({"role": "PLANNER"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["role"], "PLANNER");
    assert_eq!(b["data"]["message"], "User role updated successfully");
    let (status, b) = c.get(&c.admin, "/planning/api/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    let me = b["data"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == viewer_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(me["role"], "PLANNER");
    let (status, b) = c
        .send(
            "PATCH",
            &c.admin,
            &format!("/planning/api/admin/users/{viewer_id}"),
            &json!({"role": "OWNER"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        b,
        json!({"success": false, "error": "Validation failed", "code": "VALIDATION_ERROR",
               "details": {"role": ["must be one of ADMIN, PLANNER, VIEWER"]}})
    );
    let (status, _) = c
        .send(
            "PATCH",
            &c.admin,
            "/planning/api/admin/users/nobody",
            &json!({"role": "VIEWER"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = c.get(&viewer, "/planning/api/admin/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Users without a planning role appear only with all=true.
    let (outsider, _) = c.app.user_with(&["training:editor"]).await;
    let (_, b) = c.get(&c.admin, "/planning/api/admin/users").await;
    assert!(!b["data"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["id"] == outsider.as_str()));
    let (_, b) = c.get(&c.admin, "/planning/api/admin/users?all=true").await;
    let o = b["data"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == outsider.as_str())
        .cloned();
    assert!(o.unwrap()["role"].is_null());
    let (_, b) = c
        .get(
            &c.admin,
            "/planning/api/admin/audit-logs?action=UPDATE_USER_ROLE",
        )
        .await;
    assert_eq!(b["data"]["logs"][0]["metadata"]["to"], "PLANNER");
    assert_eq!(b["data"]["logs"][0]["metadata"]["from"], "VIEWER");
}

#[tokio::test]
async fn demo_data_is_coherent_and_idempotent() {
    let c = Ctx::new().await;
    for _ in 0..2 {
        let p = c.app.platform.clone();
        tokio::task::spawn_blocking(move || frontline_planning::demo::seed(&p))
            .await
            .unwrap()
            .unwrap();
    }
    let (_, b) = c
        .get(&c.admin, "/planning/api/versions?sortBy=name&sortOrder=asc")
        .await;
    let versions = b["data"]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0]["status"], "APPROVED");
    let ids: Vec<String> = versions
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    let (_, v1) = c
        .get(
            &c.admin,
            &format!("/planning/api/versions/{}?includeCalculations=true", ids[0]),
        )
        .await;
    close(
        &v1["data"]["calculations"]["projectionYears"][5]["revenue"],
        16_800_000.0,
    );
    let (_, v2) = c
        .get(&c.admin, &format!("/planning/api/versions/{}", ids[1]))
        .await;
    assert_eq!(v2["data"]["basedOnId"], ids[0].as_str());
    let (status, r) = c
        .send(
            "POST",
            &c.admin,
            "/planning/api/versions/compare",
            &json!({"versionIds": ids}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["data"]["comparison"].as_array().unwrap().len(), 3);
    assert!(r["data"]["best"]["breakevenYear"].is_string(), "{r}");
}

#[tokio::test]
async fn session_cookie_works_and_report_generation_is_limited() {
    let app = TestApp::with_settings(vec![frontline_planning::module()], |s| {
        s.rate_limits = true;
    })
    .await;
    let resp = app
        .client
        .post("/planning/api/auth/signin")
        .body_json(&json!({"email": "admin@test.local", "password": "admin-password"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    let cookie = resp
        .0
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let resp = app
        .client
        .post("/planning/api/versions")
        .header("Cookie", &cookie)
        .body_json(&document_version("Cookie version"))
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    assert_eq!(resp.0.headers().get("x-ratelimit-limit").unwrap(), "30");
    let id = json_of(resp).await["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/planning/api/reports/generate/{id}");
    for _ in 0..5 {
        app.client
            .post(&path)
            .header("Cookie", &cookie)
            .body_json(&json!({"reportType": "EXECUTIVE_SUMMARY", "format": "EXCEL", "includeCharts": false}))
            .send()
            .await
            .assert_status_is_ok();
    }
    let resp = app
        .client
        .post(&path)
        .header("Cookie", &cookie)
        .body_json(&json!({"reportType": "EXECUTIVE_SUMMARY", "format": "EXCEL"}))
        .send()
        .await;
    resp.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let b = json_of(resp).await;
    assert_eq!(b["code"], "RATE_LIMIT_EXCEEDED");
    assert!(b["details"]["retryAfter"].as_u64().is_some());
}

/// Issue 22 #11: a year without capex (or opex) shows 0, never -0.0.
#[tokio::test]
async fn years_without_capex_show_zero_not_negative_zero() {
    let c = Ctx::new().await;
    let mut body = document_version("No negative zero");
    body["opexSubAccounts"] = json!([]);
    let (status, b) = c.create(&c.admin, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let id = b["data"]["id"].as_str().unwrap().to_string();
    let resp = c
        .app
        .client
        .get(format!(
            "/planning/api/versions/{id}?includeCalculations=true"
        ))
        .header("Authorization", &c.admin)
        .send()
        .await;
    resp.assert_status_is_ok();
    let text = resp.0.into_body().into_string().await.unwrap();
    assert!(
        !text.contains(":-0.0,") && !text.contains(":-0.0}"),
        "a figure printed as -0.0"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let years = v["data"]["calculations"]["projectionYears"]
        .as_array()
        .unwrap();
    let y2029 = years.iter().find(|y| y["year"] == 2029).unwrap();
    let capex = y2029["capex"].as_f64().unwrap();
    assert!(capex == 0.0 && capex.is_sign_positive(), "{capex}");
    let opex = y2029["opex"].as_f64().unwrap();
    assert!(opex == 0.0 && opex.is_sign_positive(), "{opex}");
}

/// Duplicating without a name twice: each copy gets a free default name
/// ("(copy)", "(copy 2)"); the second used to collide with the first (400).
#[tokio::test]
async fn unnamed_copies_get_free_default_names() {
    let c = Ctx::new().await;
    let (status, b) = c.create(&c.admin, &document_version("Base plan")).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let id = b["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/planning/api/versions/{id}/duplicate");
    let (status, first) = c.send("POST", &c.admin, &path, &json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, second) = c.send("POST", &c.admin, &path, &json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let name_of = |b: &Value| {
        let id = b["data"]["id"].as_str().unwrap().to_string();
        format!("/planning/api/versions/{id}")
    };
    let (_, a) = c.get(&c.admin, &name_of(&first)).await;
    let (_, b) = c.get(&c.admin, &name_of(&second)).await;
    assert_eq!(a["data"]["name"], "Base plan (copy)");
    assert_eq!(b["data"]["name"], "Base plan (copy 2)");
}
