//! Demo data: three coherent versions of the relocation plan (the
//! document's partner-model example, a fixed-escalation lease and a revenue
//! share), with enrolment ramping up to capacity. Idempotent: versions whose
//! name exists are left alone.

use frontline_platform::auth::Auth;
use frontline_platform::{ApiResult, Platform};

use crate::model::*;
use crate::service;
use crate::store;

fn students(ramp: &[i64], full: i64) -> Vec<StudentsYear> {
    (2028..=2052)
        .enumerate()
        .map(|(i, year)| StudentsYear {
            year,
            students: ramp.get(i).copied().unwrap_or(full),
        })
        .collect()
}

fn plan(kind: CurriculumType, capacity: i64, tuition: f64, ramp: &[i64]) -> NewCurriculumPlan {
    NewCurriculumPlan {
        id: None,
        curriculum_type: kind,
        capacity,
        tuition_base: tuition,
        cpi_frequency: 2,
        students_projection: Some(students(ramp, capacity)),
    }
}

fn capex(year: i32, category: CapexCategory, amount: f64, description: &str) -> NewCapexItem {
    NewCapexItem {
        id: None,
        year,
        category,
        amount,
        description: Some(description.into()),
    }
}

fn version(
    name: &str,
    description: &str,
    rent_model: RentModelKind,
    parameters: RentParameters,
) -> VersionCreate {
    VersionCreate {
        name: name.into(),
        description: Some(description.into()),
        mode: VersionMode::Relocation2028,
        based_on_id: None,
        curriculum_plans: vec![
            plan(CurriculumType::Fr, 400, 50_000.0, &[300, 350, 380, 395]),
            plan(CurriculumType::Ib, 200, 60_000.0, &[30, 60, 100, 150]),
        ],
        rent_plan: NewRentPlan {
            id: None,
            rent_model,
            parameters: Some(parameters),
        },
        capex_items: Some(vec![
            capex(
                2028,
                CapexCategory::Building,
                10_000_000.0,
                "New campus construction",
            ),
            capex(
                2030,
                CapexCategory::Technology,
                2_000_000.0,
                "IT infrastructure upgrade",
            ),
            capex(
                2038,
                CapexCategory::Maintenance,
                3_000_000.0,
                "Ten-year refurbishment",
            ),
        ]),
        opex_sub_accounts: Some(vec![
            NewOpexSubAccount {
                id: None,
                sub_account_name: "Marketing".into(),
                percent_of_revenue: Some(3.0),
                is_fixed: Some(false),
                fixed_amount: None,
            },
            NewOpexSubAccount {
                id: None,
                sub_account_name: "Utilities".into(),
                percent_of_revenue: None,
                is_fixed: Some(true),
                fixed_amount: Some(200_000.0),
            },
        ]),
        staffing: Some(NewStaffing {
            base_cost: 5_000_000.0,
            cpi_frequency: Some(2),
        }),
        admin_settings: None,
    }
}

/// The demo versions: (version, status).
fn versions() -> Vec<(VersionCreate, VersionStatus)> {
    vec![
        (
            version(
                "V1 - Partner Model 4.5% Yield",
                "Base scenario with PartnerModel rent",
                RentModelKind::PartnerModel,
                RentParameters {
                    land_size: Some(10_000.0),
                    land_price_per_sqm: Some(5_000.0),
                    bua_size: Some(8_000.0),
                    construction_cost_per_sqm: Some(3_000.0),
                    yield_base: Some(0.045),
                    ..Default::default()
                },
            ),
            VersionStatus::Approved,
        ),
        (
            version(
                "V2 - Fixed Escalation 4%",
                "Alternative scenario with FixedEscalation rent",
                RentModelKind::FixedEscalation,
                RentParameters {
                    base_rent: Some(3_000_000.0),
                    escalation_rate: Some(0.04),
                    frequency: Some(2),
                    ..Default::default()
                },
            ),
            VersionStatus::Ready,
        ),
        (
            version(
                "V3 - Revenue Share 8%",
                "Rent as a share of revenue with a floor",
                RentModelKind::RevenueShare,
                RentParameters {
                    revenue_share_percent: Some(0.08),
                    minimum_rent: Some(1_500_000.0),
                    ..Default::default()
                },
            ),
            VersionStatus::Draft,
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
                status,
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
            crate::service::store_figures(tx, &row)?;
            first.get_or_insert(row.id);
        }
        Ok(())
    })
}
