//! Report documents of versions, built from the engine's projection and
//! rendered by the platform (`frontline_platform::report`) as PDF or XLSX.

use frontline_platform::report::{Cell, Chart, KeyFigure, NumberFormat, Report, Section, Table};
use frontline_platform::{ApiError, ApiResult, FieldError};

use crate::engine::Projection;
use crate::model::{GenerateReportRequest, PlanningError, ReportFormat, ReportType, VersionRow};

/// A checked generate request.
#[derive(Debug, Clone)]
pub struct ReportSpec {
    pub report_type: ReportType,
    pub format: ReportFormat,
    pub include_charts: bool,
    pub include_year_by_year: bool,
    pub compare_with_ids: Vec<String>,
}

/// Checks the request: a COMPARISON needs 1 to 3 version ids besides the subject.
pub fn spec(version_id: &str, r: &GenerateReportRequest) -> ApiResult<ReportSpec> {
    // Distinct ids in the order given, the subject aside.
    let mut others: Vec<String> = vec![];
    for id in r.compare_with_ids.iter().flatten() {
        if id != version_id && !others.contains(id) {
            others.push(id.clone());
        }
    }
    let comparison = r.report_type == ReportType::Comparison;
    if comparison && !(1..=3).contains(&others.len()) {
        return Err(PlanningError::fields(vec![FieldError::new(
            "compareWithIds",
            "COMPARISON needs 1 to 3 other version IDs",
        )]));
    }
    Ok(ReportSpec {
        include_year_by_year: r.include_year_by_year.unwrap_or(false)
            || r.report_type == ReportType::FinancialDetail,
        include_charts: r.include_charts.unwrap_or(true),
        compare_with_ids: if comparison { others } else { vec![] },
        report_type: r.report_type,
        format: r.format,
    })
}

fn title_of(t: ReportType) -> &'static str {
    match t {
        ReportType::FinancialDetail => "Financial detail",
        ReportType::Comparison => "Version comparison",
        ReportType::ExecutiveSummary => "Executive summary",
    }
}

fn years(p: &Projection) -> Vec<String> {
    p.years.iter().map(|y| y.year.to_string()).collect()
}

fn key_figures(p: &Projection, currency: &str) -> Vec<KeyFigure> {
    let total_revenue: f64 = p.years.iter().map(|y| y.revenue).sum();
    vec![
        KeyFigure::new("NPV of rent", Cell::currency(p.npv_rent, currency)),
        KeyFigure::new(
            "NPV of cash flow",
            Cell::currency(p.npv_cash_flow, currency),
        ),
        KeyFigure::new(
            "Average EBITDA margin",
            Cell::percent(p.avg_ebitda_margin / 100.0, 1),
        ),
        KeyFigure::new(
            "Average rent load",
            Cell::percent(p.avg_rent_load / 100.0, 1),
        ),
        KeyFigure::new(
            "Breakeven year",
            match p.breakeven_year {
                Some(y) => Cell::text(y.to_string()),
                None => Cell::text("Not within 2052"),
            },
        ),
        KeyFigure::new("Revenue 2023-2052", Cell::currency(total_revenue, currency)),
    ]
}

fn charts(section: Section, p: &Projection, currency: &str) -> Section {
    let cats = years(p);
    section
        .chart(
            Chart::line("Revenue and EBITDA", cats.clone())
                .series("Revenue", p.years.iter().map(|y| y.revenue).collect())
                .series("EBITDA", p.years.iter().map(|y| y.ebitda).collect())
                .format(NumberFormat::currency(currency)),
        )
        .chart(
            Chart::bar("Cash flow", cats.clone())
                .series("Cash flow", p.years.iter().map(|y| y.cash_flow).collect())
                .format(NumberFormat::currency(currency)),
        )
        .chart(
            Chart::line("Rent load", cats)
                .series(
                    "Rent / revenue",
                    p.years.iter().map(|y| y.rent_load / 100.0).collect(),
                )
                .format(NumberFormat::Percent(1)),
        )
}

/// The year-by-year figures as three tables narrow enough for an A4 page;
/// money without the currency code (named in the titles), formatted in Excel.
fn year_tables(p: &Projection, currency: &str) -> Vec<Table> {
    let m = |v: f64| Cell::Number(v, NumberFormat::currency(""));
    let pct = |v: f64| Cell::percent(v / 100.0, 1);
    let year = |y: i32| Cell::text(y.to_string());
    let mut revenue = Table::new([
        "Year",
        "Students FR",
        "Students IB",
        "Tuition FR",
        "Tuition IB",
        "Revenue",
        "Rent",
        "Rent load",
    ])
    .titled(format!("Revenue and rent ({currency})"));
    let mut costs = Table::new([
        "Year",
        "Staff cost",
        "Opex",
        "Capex",
        "EBITDA",
        "EBITDA margin",
    ])
    .titled(format!("Costs and EBITDA ({currency})"));
    let mut cash = Table::new(["Year", "Tax", "Cash flow", "Cumulative cash flow"])
        .titled(format!("Cash flow ({currency})"));
    for y in &p.years {
        revenue.push(vec![
            year(y.year),
            Cell::int(y.students_fr),
            Cell::int(y.students_ib),
            m(y.tuition_fr),
            m(y.tuition_ib),
            m(y.revenue),
            m(y.rent),
            pct(y.rent_load),
        ]);
        costs.push(vec![
            year(y.year),
            m(y.staff_cost),
            m(y.opex),
            m(y.capex),
            m(y.ebitda),
            pct(y.ebitda_margin),
        ]);
        cash.push(vec![
            year(y.year),
            m(y.tax),
            m(y.cash_flow),
            m(y.cumulative_cash_flow),
        ]);
    }
    vec![revenue, costs, cash]
}

fn assumptions(v: &VersionRow, currency: &str) -> Section {
    let d = &v.document;
    let mut plans = Table::new([
        "Curriculum",
        "Capacity",
        "Tuition (base year)",
        "CPI every (years)",
    ]);
    for p in &d.curriculum_plans {
        plans.push(vec![
            Cell::text(p.curriculum_type.as_str()),
            Cell::int(p.capacity as f64),
            Cell::currency(p.tuition_base, currency),
            Cell::int(p.cpi_frequency as f64),
        ]);
    }
    let mut capex = Table::new(["Year", "Category", "Amount", "Description"]).titled("Capex");
    for c in &d.capex_items {
        capex.push(vec![
            Cell::text(c.year.to_string()),
            Cell::text(c.category.as_str()),
            Cell::currency(c.amount, currency),
            Cell::text(c.description.clone().unwrap_or_default()),
        ]);
    }
    let mut opex = Table::new(["Account", "Percent of revenue", "Fixed amount"]).titled("Opex");
    for o in &d.opex_sub_accounts {
        opex.push(vec![
            Cell::text(o.sub_account_name.clone()),
            o.percent_of_revenue
                .map(|p| Cell::percent(p / 100.0, 1))
                .unwrap_or(Cell::Empty),
            o.fixed_amount
                .map(|a| Cell::currency(a, currency))
                .unwrap_or(Cell::Empty),
        ]);
    }
    Section::new("Assumptions")
        .paragraph(format!(
            "Mode {}; rent model {}; staff cost {} {:.0} in the base year, CPI every {} years.",
            v.mode,
            d.rent_plan.rent_model,
            currency,
            d.staffing.base_cost,
            d.staffing.cpi_frequency
        ))
        .table(plans.titled("Curriculum plans"))
        .table(capex)
        .table(opex)
}

/// The report document of `versions` (the first is the subject; the others
/// are compared with it in a COMPARISON).
pub fn build(
    spec: &ReportSpec,
    versions: &[(VersionRow, Projection)],
    currency: &str,
    generated_by: &str,
    generated_at: &str,
) -> ApiResult<Report> {
    let (subject, p) = versions
        .first()
        .ok_or_else(|| ApiError::internal("report without a version"))?;
    let mut report = Report::new(format!("{} - {}", title_of(spec.report_type), subject.name))
        .subtitle("Project Zeta 30-year financial plan (2023-2052)")
        .meta("Version", subject.name.clone())
        .meta("Status", subject.status.as_str())
        .meta("Mode", subject.mode.as_str())
        .meta("Generated by", generated_by)
        .meta("Generated at", generated_at);
    if spec.report_type == ReportType::Comparison {
        let mut t = Table::new([
            "Version",
            "Rent model",
            "NPV rent",
            "NPV cash flow",
            "Avg EBITDA margin",
            "Avg rent load",
            "Breakeven year",
        ]);
        for (v, p) in versions {
            t.push(vec![
                Cell::text(v.name.clone()),
                Cell::text(v.document.rent_plan.rent_model.as_str()),
                Cell::currency(p.npv_rent, currency),
                Cell::currency(p.npv_cash_flow, currency),
                Cell::percent(p.avg_ebitda_margin / 100.0, 1),
                Cell::percent(p.avg_rent_load / 100.0, 1),
                Cell::text(
                    p.breakeven_year
                        .map(|y| y.to_string())
                        .unwrap_or_else(|| "-".into()),
                ),
            ]);
        }
        let mut section = Section::new("Comparison").table(t);
        if spec.include_charts {
            let cats = years(p);
            let mut revenue = Chart::line("Revenue by version", cats.clone())
                .format(NumberFormat::currency(currency));
            let mut cash = Chart::line("Cumulative cash flow by version", cats)
                .format(NumberFormat::currency(currency));
            for (v, p) in versions {
                revenue =
                    revenue.series(v.name.clone(), p.years.iter().map(|y| y.revenue).collect());
                cash = cash.series(
                    v.name.clone(),
                    p.years.iter().map(|y| y.cumulative_cash_flow).collect(),
                );
            }
            section = section.chart(revenue).chart(cash);
        }
        report.push(section);
    }
    let mut summary = Section::new("Key metrics").key_figures(key_figures(p, currency));
    if spec.include_charts {
        summary = charts(summary, p, currency);
    }
    report.push(summary);
    if spec.report_type == ReportType::FinancialDetail {
        report.push(assumptions(subject, currency));
    }
    if spec.include_year_by_year {
        let mut section = Section::new("Year by year");
        for t in year_tables(p, currency) {
            section = section.table(t);
        }
        report.push(section);
    }
    Ok(report)
}

/// The rendered bytes, media type and file extension.
pub fn render(
    report: &Report,
    format: ReportFormat,
) -> ApiResult<(Vec<u8>, &'static str, &'static str)> {
    if format == ReportFormat::Excel {
        Ok((
            report.to_xlsx()?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ))
    } else {
        Ok((report.to_pdf()?, "application/pdf", "pdf"))
    }
}
