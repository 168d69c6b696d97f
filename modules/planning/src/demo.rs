//! Demo data: three coherent versions of the relocation plan (the
//! document's partner-model example, a fixed-escalation lease and a revenue
//! share), with enrolment ramping up to capacity. Idempotent: versions whose
//! name exists are left alone.

use frontline_platform::auth::Auth;
use frontline_platform::{ApiResult, Platform};

use crate::model::*;
use crate::service;
use crate::store::{self, VersionRow};

fn students(ramp: &[i64], full: i64) -> Vec<StudentsYear> {
    (2028..=2052)
        .enumerate()
        .map(|(i, year)| StudentsYear {
            year,
            students: ramp.get(i).copied().unwrap_or(full),
        })
        .collect()
}

fn plan(kind: &str, capacity: i64, tuition: f64, ramp: &[i64]) -> CurriculumPlanInput {
    CurriculumPlanInput {
        id: None,
        curriculum_type: Some(kind.into()),
        capacity: Some(capacity),
        tuition_base: Some(tuition),
        cpi_frequency: Some(2),
        students_projection: Some(students(ramp, capacity)),
    }
}

fn capex(year: i32, category: &str, amount: f64, description: &str) -> CapexItemInput {
    CapexItemInput {
        id: None,
        year: Some(year),
        category: Some(category.into()),
        amount: Some(amount),
        description: Some(description.into()),
    }
}

fn version(
    name: &str,
    description: &str,
    rent_model: &str,
    parameters: RentParameters,
) -> VersionCreate {
    VersionCreate {
        name: Some(name.into()),
        description: Some(description.into()),
        mode: Some("RELOCATION_2028".into()),
        based_on_id: None,
        curriculum_plans: Some(vec![
            plan("FR", 400, 50_000.0, &[300, 350, 380, 395]),
            plan("IB", 200, 60_000.0, &[30, 60, 100, 150]),
        ]),
        rent_plan: Some(RentPlanInput {
            id: None,
            rent_model: Some(rent_model.into()),
            parameters: Some(parameters),
        }),
        capex_items: Some(vec![
            capex(2028, "BUILDING", 10_000_000.0, "New campus construction"),
            capex(2030, "TECHNOLOGY", 2_000_000.0, "IT infrastructure upgrade"),
            capex(2038, "MAINTENANCE", 3_000_000.0, "Ten-year refurbishment"),
        ]),
        opex_sub_accounts: Some(vec![
            OpexSubAccountInput {
                id: None,
                sub_account_name: Some("Marketing".into()),
                percent_of_revenue: Some(3.0),
                is_fixed: Some(false),
                fixed_amount: None,
            },
            OpexSubAccountInput {
                id: None,
                sub_account_name: Some("Utilities".into()),
                percent_of_revenue: None,
                is_fixed: Some(true),
                fixed_amount: Some(200_000.0),
            },
        ]),
        staffing: Some(StaffingInput {
            base_cost: Some(5_000_000.0),
            cpi_frequency: Some(2),
        }),
        admin_settings: None,
    }
}

/// The demo versions: (version, status).
fn versions() -> Vec<(VersionCreate, &'static str)> {
    vec![
        (
            version(
                "V1 - Partner Model 4.5% Yield",
                "Base scenario with PartnerModel rent",
                "PARTNER_MODEL",
                RentParameters {
                    land_size: Some(10_000.0),
                    land_price_per_sqm: Some(5_000.0),
                    bua_size: Some(8_000.0),
                    construction_cost_per_sqm: Some(3_000.0),
                    yield_base: Some(0.045),
                    ..Default::default()
                },
            ),
            "APPROVED",
        ),
        (
            version(
                "V2 - Fixed Escalation 4%",
                "Alternative scenario with FixedEscalation rent",
                "FIXED_ESCALATION",
                RentParameters {
                    base_rent: Some(3_000_000.0),
                    escalation_rate: Some(0.04),
                    frequency: Some(2),
                    ..Default::default()
                },
            ),
            "READY",
        ),
        (
            version(
                "V3 - Revenue Share 8%",
                "Rent as a share of revenue with a floor",
                "REVENUE_SHARE",
                RentParameters {
                    revenue_share_percent: Some(0.08),
                    minimum_rent: Some(1_500_000.0),
                    ..Default::default()
                },
            ),
            "DRAFT",
        ),
    ]
}

/// Seeds the demo versions.
pub fn seed(platform: &Platform) -> ApiResult<()> {
    platform.db.write_blocking(|tx| {
        let admin = Auth::list_users_in(tx)?
            .into_iter()
            .find(|u| u.roles.iter().any(|r| r == "admin"));
        let (by, by_name) = admin
            .map(|u| (u.id, u.name))
            .unwrap_or_else(|| ("demo".into(), "Demo".into()));
        let mut first: Option<String> = None;
        for (input, status) in versions() {
            let valid = service::validate(&input.into())?;
            if store::name_taken(tx, &valid.name, None)? {
                continue;
            }
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let row = VersionRow {
                id: uuid::Uuid::new_v4().to_string(),
                name: valid.name,
                description: valid.description,
                mode: valid.mode,
                status: status.into(),
                created_by: by.clone(),
                created_by_name: by_name.clone(),
                created_at: now.clone(),
                updated_at: now,
                based_on_id: first.clone(),
                based_on_name: None,
                locked_at: None,
                locked_by: None,
                lock_reason: None,
                document: valid.document,
            };
            store::insert(tx, &row)?;
            first.get_or_insert(row.id);
        }
        Ok(())
    })
}
