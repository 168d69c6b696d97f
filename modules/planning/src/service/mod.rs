//! Domain rules of planning: validation with the document's messages,
//! partial updates of nested items, the engine input of a version, the
//! figures shown in responses, and the operations the handlers call (each
//! in the handler's one transaction). No HTTP types; SQL only through `store`.

mod admin;
mod draft;
mod reports;
mod versions;

use frontline_platform::ApiResult;

use crate::engine::{self, EngineInput, OpexInput, PlanInput, Projection, RentModel};
use crate::model::*;
use crate::settings::Settings;

pub use admin::*;
pub use draft::{draft_of, merge, validate, Draft, ValidVersion};
pub use reports::*;
pub use versions::*;

pub use frontline_platform::write::WriteCtx;

/// The signed-in caller of a write (every planning write has one).
fn actor<'a>(w: &WriteCtx<'a>) -> ApiResult<&'a frontline_platform::auth::Principal> {
    w.principal()
        .ok_or_else(|| PlanningError::Unauthorized.error())
}

/// The metrics compared when the request names none.
pub const DEFAULT_METRICS: &[Metric] = &[
    Metric::NpvRent,
    Metric::AvgEbitdaMargin,
    Metric::AvgRentLoad,
    Metric::BreakevenYear,
];

/// The rates a version's projection uses: its own, else the global settings.
pub fn effective_rates(doc: &VersionDocument, settings: &Settings) -> engine::Rates {
    let g = settings.rates();
    engine::Rates {
        cpi_rate: doc.admin_settings.cpi_rate.unwrap_or(g.cpi_rate),
        discount_rate: doc.admin_settings.discount_rate.unwrap_or(g.discount_rate),
        tax_rate: doc.admin_settings.tax_rate.unwrap_or(g.tax_rate),
    }
}

/// The first year of the plan: 2028 for relocation, 2023 for the historical baseline.
pub fn base_year(mode: VersionMode) -> i32 {
    match mode {
        VersionMode::Relocation2028 => 2028,
        VersionMode::HistoricalBaseline => engine::FIRST_YEAR,
    }
}

/// The engine's input for a stored version.
pub fn engine_input(mode: VersionMode, doc: &VersionDocument, settings: &Settings) -> EngineInput {
    let plan = |kind: CurriculumType| {
        doc.curriculum_plans
            .iter()
            .find(|p| p.curriculum_type == kind)
            .map(|p| PlanInput {
                capacity: p.capacity as f64,
                tuition_base: p.tuition_base,
                cpi_frequency: p.cpi_frequency.max(1) as u32,
                students: p
                    .students_projection
                    .iter()
                    .map(|s| (s.year, s.students as f64))
                    .collect(),
            })
            .unwrap_or_default()
    };
    let p = &doc.rent_plan.parameters;
    let rent = match doc.rent_plan.rent_model {
        RentModelKind::PartnerModel => RentModel::Partner {
            land_size: p.land_size.unwrap_or(0.0),
            land_price_per_sqm: p.land_price_per_sqm.unwrap_or(0.0),
            bua_size: p.bua_size.unwrap_or(0.0),
            construction_cost_per_sqm: p.construction_cost_per_sqm.unwrap_or(0.0),
            yield_base: p.yield_base.unwrap_or(0.0),
        },
        RentModelKind::FixedEscalation => RentModel::FixedEscalation {
            base_rent: p.base_rent.unwrap_or(0.0),
            escalation_rate: p.escalation_rate.unwrap_or(0.0),
            frequency: p.frequency.unwrap_or(1).max(1) as u32,
        },
        RentModelKind::RevenueShare => RentModel::RevenueShare {
            revenue_share_percent: p.revenue_share_percent.unwrap_or(0.0),
            minimum_rent: p.minimum_rent.unwrap_or(0.0),
        },
    };
    EngineInput {
        base_year: base_year(mode),
        fr: plan(CurriculumType::Fr),
        ib: plan(CurriculumType::Ib),
        rent,
        capex: doc.capex_items.iter().map(|c| (c.year, c.amount)).collect(),
        opex: doc
            .opex_sub_accounts
            .iter()
            .map(|o| OpexInput {
                percent_of_revenue: o.percent_of_revenue,
                is_fixed: o.is_fixed,
                fixed_amount: o.fixed_amount,
            })
            .collect(),
        staffing: engine::StaffingInput {
            base_cost: doc.staffing.base_cost,
            cpi_frequency: doc.staffing.cpi_frequency.max(1) as u32,
        },
        rates: effective_rates(doc, settings),
    }
}

/// Runs the engine on a stored version.
pub fn project(mode: VersionMode, doc: &VersionDocument, settings: &Settings) -> Projection {
    engine::project(&engine_input(mode, doc, settings))
}

/// Money to cents.
pub fn money(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Percentages to one decimal, as the document prints them (19.8).
pub fn percent(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The projection as the API shows it.
pub fn calculations(p: &Projection) -> Calculations {
    Calculations {
        npv_rent: money(p.npv_rent),
        npv_cash_flow: money(p.npv_cash_flow),
        avg_ebitda_margin: percent(p.avg_ebitda_margin),
        avg_rent_load: percent(p.avg_rent_load),
        breakeven_year: p.breakeven_year,
        projection_years: p
            .years
            .iter()
            .map(|y| ProjectionYear {
                year: y.year,
                tuition_fr: money(y.tuition_fr),
                tuition_ib: money(y.tuition_ib),
                students_fr: y.students_fr,
                students_ib: y.students_ib,
                utilization_fr: percent(y.utilization_fr),
                utilization_ib: percent(y.utilization_ib),
                revenue: money(y.revenue),
                rent: money(y.rent),
                rent_load: percent(y.rent_load),
                staff_cost: money(y.staff_cost),
                opex: money(y.opex),
                capex: money(y.capex),
                ebitda: money(y.ebitda),
                ebitda_margin: percent(y.ebitda_margin),
                tax: money(y.tax),
                cash_flow: money(y.cash_flow),
                cumulative_cash_flow: money(y.cumulative_cash_flow),
            })
            .collect(),
    }
}

/// Which version is best on each metric (by name): lowest npvRent and
/// avgRentLoad, highest npvCashFlow and avgEBITDAMargin, earliest
/// breakevenYear (a version that never breaks even is never best).
pub fn best(
    items: &[CompareItem],
    metrics: &[Metric],
) -> std::collections::BTreeMap<String, Option<String>> {
    let mut out = std::collections::BTreeMap::new();
    for m in metrics {
        let pick: Option<&CompareItem> = match m {
            Metric::NpvRent => items
                .iter()
                .min_by(|a, b| a.npv_rent.total_cmp(&b.npv_rent)),
            Metric::NpvCashFlow => items
                .iter()
                .max_by(|a, b| a.npv_cash_flow.total_cmp(&b.npv_cash_flow)),
            Metric::AvgEbitdaMargin => items
                .iter()
                .max_by(|a, b| a.avg_ebitda_margin.total_cmp(&b.avg_ebitda_margin)),
            Metric::AvgRentLoad => items
                .iter()
                .min_by(|a, b| a.avg_rent_load.total_cmp(&b.avg_rent_load)),
            Metric::BreakevenYear => items
                .iter()
                .filter(|i| i.breakeven_year.is_some())
                .min_by_key(|i| i.breakeven_year),
        };
        out.insert(m.as_str().to_string(), pick.map(|i| i.name.clone()));
    }
    out
}

/// The metrics of a compare request: the ones asked, else the defaults.
pub fn compare_metrics(asked: Option<Vec<Metric>>) -> Vec<Metric> {
    match asked {
        Some(m) if !m.is_empty() => m,
        _ => DEFAULT_METRICS.to_vec(),
    }
}

/// The compared figures of one version.
pub fn compare_item(
    id: &str,
    name: &str,
    rent_model: RentModelKind,
    p: &Projection,
) -> CompareItem {
    CompareItem {
        id: id.to_string(),
        name: name.to_string(),
        rent_model,
        npv_rent: money(p.npv_rent),
        npv_cash_flow: money(p.npv_cash_flow),
        avg_ebitda_margin: percent(p.avg_ebitda_margin),
        avg_rent_load: percent(p.avg_rent_load),
        breakeven_year: p.breakeven_year,
    }
}

/// Each version's figures minus the first's.
pub fn differences(items: &[CompareItem]) -> Vec<CompareDifference> {
    let Some(base) = items.first() else {
        return vec![];
    };
    items
        .iter()
        .skip(1)
        .map(|i| CompareDifference {
            id: i.id.clone(),
            name: i.name.clone(),
            baseline_id: base.id.clone(),
            npv_rent: money(i.npv_rent - base.npv_rent),
            npv_cash_flow: money(i.npv_cash_flow - base.npv_cash_flow),
            avg_ebitda_margin: percent(i.avg_ebitda_margin - base.avg_ebitda_margin),
            avg_rent_load: percent(i.avg_rent_load - base.avg_rent_load),
            breakeven_year: match (i.breakeven_year, base.breakeven_year) {
                (Some(a), Some(b)) => Some(a - b),
                _ => None,
            },
        })
        .collect()
}

/// Names of the parts an update changes (for the audit log).
pub fn changed_parts(
    before: &VersionRow,
    after: &ValidVersion,
    status: Option<VersionStatus>,
) -> Vec<&'static str> {
    let (b, a) = (&before.document, &after.document);
    [
        ("name", before.name != after.name),
        ("description", before.description != after.description),
        ("mode", before.mode != after.mode),
        ("status", status.is_some_and(|s| s != before.status)),
        ("curriculumPlans", b.curriculum_plans != a.curriculum_plans),
        ("rentPlan", b.rent_plan != a.rent_plan),
        ("capexItems", b.capex_items != a.capex_items),
        (
            "opexSubAccounts",
            b.opex_sub_accounts != a.opex_sub_accounts,
        ),
        ("staffing", b.staffing != a.staffing),
        ("adminSettings", b.admin_settings != a.admin_settings),
    ]
    .into_iter()
    .filter(|(_, changed)| *changed)
    .map(|(name, _)| name)
    .collect()
}

/// A user's roles with the planning role replaced by `role`.
pub fn with_planning_role(roles: &[String], role: PlanningRole) -> Vec<String> {
    let mut out: Vec<String> = roles
        .iter()
        .filter(|r| !r.starts_with("planning:"))
        .cloned()
        .collect();
    out.push(format!("planning:{role}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_picks_per_metric() {
        let item = |name: &str, npv: f64, margin: f64, be: Option<i32>| CompareItem {
            id: name.into(),
            name: name.into(),
            rent_model: RentModelKind::PartnerModel,
            npv_rent: npv,
            npv_cash_flow: -npv,
            avg_ebitda_margin: margin,
            avg_rent_load: npv / 10.0,
            breakeven_year: be,
        };
        let items = vec![item("A", 10.0, 5.0, None), item("B", 5.0, 1.0, Some(2040))];
        let b = best(&items, Metric::ALL);
        let name = |m: &str| b[m].as_deref();
        assert_eq!(name("npvRent"), Some("B"));
        assert_eq!(name("npvCashFlow"), Some("B"));
        assert_eq!(name("avgEBITDAMargin"), Some("A"));
        assert_eq!(name("avgRentLoad"), Some("B"));
        assert_eq!(name("breakevenYear"), Some("B"));
        let d = differences(&items);
        assert_eq!(d[0].npv_rent, -5.0);
        assert_eq!(d[0].breakeven_year, None);
    }

    #[test]
    fn role_replacement_keeps_other_modules() {
        let roles = vec!["training:editor".to_string(), "planning:VIEWER".to_string()];
        assert_eq!(
            with_planning_role(&roles, PlanningRole::Planner),
            ["training:editor", "planning:PLANNER"]
        );
    }
}
