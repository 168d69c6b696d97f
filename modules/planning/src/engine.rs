//! The financial engine: a pure function from a version's inputs to its
//! 30-year projection (2023–2052) and summary. No I/O, no clock, no HTTP.
//! The formulas are written out in `docs/engine.md`.

use std::collections::BTreeMap;

/// First projected year.
pub const FIRST_YEAR: i32 = 2023;
/// Last projected year.
pub const LAST_YEAR: i32 = 2052;

/// One curriculum (FR or IB).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanInput {
    pub capacity: f64,
    pub tuition_base: f64,
    /// Tuition rises by CPI every `cpi_frequency` years (1..=5).
    pub cpi_frequency: u32,
    /// Students per year; missing years have none.
    pub students: BTreeMap<i32, f64>,
}

/// The rent model with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum RentModel {
    /// (land size × land price + built-up area × construction cost) × yield, every year from the base year.
    Partner {
        land_size: f64,
        land_price_per_sqm: f64,
        bua_size: f64,
        construction_cost_per_sqm: f64,
        yield_base: f64,
    },
    /// base rent × (1 + escalation rate)^steps, a step every `frequency` years from the base year.
    FixedEscalation {
        base_rent: f64,
        escalation_rate: f64,
        frequency: u32,
    },
    /// revenue × share, never below the minimum rent.
    RevenueShare {
        revenue_share_percent: f64,
        minimum_rent: f64,
    },
}

/// Staff cost: base cost escalated with CPI every `cpi_frequency` years.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StaffingInput {
    pub base_cost: f64,
    pub cpi_frequency: u32,
}

/// One opex sub-account.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpexInput {
    /// Percent of revenue (3.0 = 3 %), used when not fixed.
    pub percent_of_revenue: Option<f64>,
    pub is_fixed: bool,
    pub fixed_amount: Option<f64>,
}

/// Rates from the admin settings (or the version's own `adminSettings`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    pub cpi_rate: f64,
    pub discount_rate: f64,
    pub tax_rate: f64,
}

/// Everything the engine needs.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineInput {
    /// The year tuition, staff cost and rent start from (2028 for `RELOCATION_2028`,
    /// 2023 otherwise). Rent is charged from this year on.
    pub base_year: i32,
    pub fr: PlanInput,
    pub ib: PlanInput,
    pub rent: RentModel,
    /// (year, amount) of every capex item.
    pub capex: Vec<(i32, f64)>,
    pub opex: Vec<OpexInput>,
    pub staffing: StaffingInput,
    pub rates: Rates,
}

/// One projected year. Percentages are in percent (75.0 = 75 %).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct YearRow {
    pub year: i32,
    pub tuition_fr: f64,
    pub tuition_ib: f64,
    pub students_fr: f64,
    pub students_ib: f64,
    pub utilization_fr: f64,
    pub utilization_ib: f64,
    pub revenue: f64,
    pub rent: f64,
    pub rent_load: f64,
    pub staff_cost: f64,
    pub opex: f64,
    pub capex: f64,
    pub ebitda: f64,
    pub ebitda_margin: f64,
    pub tax: f64,
    pub cash_flow: f64,
    pub cumulative_cash_flow: f64,
}

/// The projection and its summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Projection {
    pub npv_rent: f64,
    pub npv_cash_flow: f64,
    /// Mean EBITDA margin (percent) over the years with revenue.
    pub avg_ebitda_margin: f64,
    /// Mean rent load (percent) over the years with revenue.
    pub avg_rent_load: f64,
    /// First year from which the cumulative cash flow is positive and never
    /// falls below zero again; `None` when that never happens.
    pub breakeven_year: Option<i32>,
    pub years: Vec<YearRow>,
}

/// Number of CPI steps applied in `year`: one every `frequency` years after the base year.
pub fn cpi_steps(year: i32, base_year: i32, frequency: u32) -> i32 {
    if year <= base_year {
        return 0;
    }
    (year - base_year) / frequency.max(1) as i32
}

fn escalate(amount: f64, rate: f64, steps: i32) -> f64 {
    amount * (1.0 + rate).powi(steps)
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole.abs() < f64::EPSILON {
        0.0
    } else {
        part / whole * 100.0
    }
}

/// Net present value of `flows` (one per year from [`FIRST_YEAR`]): the
/// first year is undiscounted, year t is divided by (1 + rate)^t.
pub fn npv(flows: &[f64], rate: f64) -> f64 {
    flows
        .iter()
        .enumerate()
        .map(|(t, f)| f / (1.0 + rate).powi(t as i32))
        .sum()
}

/// Rent of one year.
pub fn rent_for(model: &RentModel, year: i32, base_year: i32, revenue: f64) -> f64 {
    if year < base_year {
        return 0.0;
    }
    match *model {
        RentModel::Partner {
            land_size,
            land_price_per_sqm,
            bua_size,
            construction_cost_per_sqm,
            yield_base,
        } => (land_size * land_price_per_sqm + bua_size * construction_cost_per_sqm) * yield_base,
        RentModel::FixedEscalation {
            base_rent,
            escalation_rate,
            frequency,
        } => escalate(
            base_rent,
            escalation_rate,
            cpi_steps(year, base_year, frequency),
        ),
        RentModel::RevenueShare {
            revenue_share_percent,
            minimum_rent,
        } => (revenue * revenue_share_percent).max(minimum_rent),
    }
}

// An empty float sum is -0.0 (Rust's `Sum for f64` starts there); `+ 0.0`
// turns it into 0.0 so no figure is printed as "-0.0".

/// Projects 2023–2052 and summarises.
pub fn project(input: &EngineInput) -> Projection {
    let r = input.rates;
    let mut years = Vec::with_capacity((LAST_YEAR - FIRST_YEAR + 1) as usize);
    let mut cumulative = 0.0;
    for year in FIRST_YEAR..=LAST_YEAR {
        let tuition_fr = escalate(
            input.fr.tuition_base,
            r.cpi_rate,
            cpi_steps(year, input.base_year, input.fr.cpi_frequency),
        );
        let tuition_ib = escalate(
            input.ib.tuition_base,
            r.cpi_rate,
            cpi_steps(year, input.base_year, input.ib.cpi_frequency),
        );
        let students_fr = input.fr.students.get(&year).copied().unwrap_or(0.0);
        let students_ib = input.ib.students.get(&year).copied().unwrap_or(0.0);
        let revenue = students_fr * tuition_fr + students_ib * tuition_ib;
        let rent = rent_for(&input.rent, year, input.base_year, revenue);
        let staff_cost = if year < input.base_year && students_fr + students_ib == 0.0 {
            0.0
        } else {
            escalate(
                input.staffing.base_cost,
                r.cpi_rate,
                cpi_steps(year, input.base_year, input.staffing.cpi_frequency),
            )
        };
        let opex: f64 = input
            .opex
            .iter()
            .map(|o| {
                if o.is_fixed {
                    o.fixed_amount.unwrap_or(0.0)
                } else {
                    revenue * o.percent_of_revenue.unwrap_or(0.0) / 100.0
                }
            })
            .sum::<f64>()
            + 0.0;
        let capex: f64 = input
            .capex
            .iter()
            .filter(|(y, _)| *y == year)
            .map(|(_, a)| a)
            .sum::<f64>()
            + 0.0;
        let ebitda = revenue - rent - staff_cost - opex;
        let tax = r.tax_rate * ebitda.max(0.0);
        let cash_flow = ebitda - tax - capex;
        cumulative += cash_flow;
        years.push(YearRow {
            year,
            tuition_fr,
            tuition_ib,
            students_fr,
            students_ib,
            utilization_fr: pct(students_fr, input.fr.capacity),
            utilization_ib: pct(students_ib, input.ib.capacity),
            revenue,
            rent,
            rent_load: pct(rent, revenue),
            staff_cost,
            opex,
            capex,
            ebitda,
            ebitda_margin: pct(ebitda, revenue),
            tax,
            cash_flow,
            cumulative_cash_flow: cumulative,
        });
    }
    let with_revenue: Vec<&YearRow> = years.iter().filter(|y| y.revenue > 0.0).collect();
    let mean = |f: fn(&YearRow) -> f64| {
        if with_revenue.is_empty() {
            0.0
        } else {
            with_revenue.iter().map(|y| f(y)).sum::<f64>() / with_revenue.len() as f64
        }
    };
    let mut breakeven_year = None;
    for y in years.iter().rev() {
        if y.cumulative_cash_flow > 0.0 {
            breakeven_year = Some(y.year);
        } else {
            break;
        }
    }
    let rents: Vec<f64> = years.iter().map(|y| y.rent).collect();
    let flows: Vec<f64> = years.iter().map(|y| y.cash_flow).collect();
    Projection {
        npv_rent: npv(&rents, r.discount_rate),
        npv_cash_flow: npv(&flows, r.discount_rate),
        avg_ebitda_margin: mean(|y| y.ebitda_margin),
        avg_rent_load: mean(|y| y.rent_load),
        breakeven_year,
        years,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: Rates = Rates {
        cpi_rate: 0.03,
        discount_rate: 0.08,
        tax_rate: 0.15,
    };

    fn plan(capacity: f64, tuition: f64, students: &[(i32, f64)]) -> PlanInput {
        PlanInput {
            capacity,
            tuition_base: tuition,
            cpi_frequency: 2,
            students: students.iter().copied().collect(),
        }
    }

    /// The document's example version (Get Version by ID).
    fn document_version() -> EngineInput {
        EngineInput {
            base_year: 2028,
            fr: plan(
                400.0,
                50_000.0,
                &[
                    (2028, 300.0),
                    (2029, 350.0),
                    (2030, 380.0),
                    (2031, 395.0),
                    (2032, 400.0),
                ],
            ),
            ib: plan(
                200.0,
                60_000.0,
                &[
                    (2028, 30.0),
                    (2029, 60.0),
                    (2030, 100.0),
                    (2031, 150.0),
                    (2032, 200.0),
                ],
            ),
            rent: RentModel::Partner {
                land_size: 10_000.0,
                land_price_per_sqm: 5_000.0,
                bua_size: 8_000.0,
                construction_cost_per_sqm: 3_000.0,
                yield_base: 0.045,
            },
            capex: vec![(2028, 10_000_000.0), (2030, 2_000_000.0)],
            opex: vec![
                OpexInput {
                    percent_of_revenue: Some(3.0),
                    is_fixed: false,
                    fixed_amount: None,
                },
                OpexInput {
                    percent_of_revenue: None,
                    is_fixed: true,
                    fixed_amount: Some(200_000.0),
                },
            ],
            staffing: StaffingInput {
                base_cost: 5_000_000.0,
                cpi_frequency: 2,
            },
            rates: RATES,
        }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-6 * b.abs().max(1.0), "{a} != {b}");
    }

    #[test]
    fn document_2028_row() {
        let p = project(&document_version());
        assert_eq!(p.years.len(), 30);
        assert_eq!(p.years[0].year, 2023);
        assert_eq!(p.years[29].year, 2052);
        let y = &p.years[5];
        assert_eq!(y.year, 2028);
        close(y.tuition_fr, 50_000.0);
        close(y.tuition_ib, 60_000.0);
        close(y.revenue, 16_800_000.0);
        close(y.rent, 3_330_000.0);
        assert_eq!((y.rent_load * 10.0).round() / 10.0, 19.8);
        close(y.utilization_fr, 75.0);
        close(y.utilization_ib, 15.0);
        // opex = 3 % of revenue + 200,000; EBITDA = revenue - rent - staff - opex.
        close(y.opex, 504_000.0 + 200_000.0);
        close(
            y.ebitda,
            16_800_000.0 - 3_330_000.0 - 5_000_000.0 - 704_000.0,
        );
        close(y.tax, 0.15 * y.ebitda);
        close(y.cash_flow, y.ebitda - y.tax - 10_000_000.0);
    }

    #[test]
    fn cpi_steps_every_frequency_years() {
        assert_eq!(cpi_steps(2028, 2028, 2), 0);
        assert_eq!(cpi_steps(2029, 2028, 2), 0);
        assert_eq!(cpi_steps(2030, 2028, 2), 1);
        assert_eq!(cpi_steps(2033, 2028, 2), 2);
        assert_eq!(cpi_steps(2025, 2028, 2), 0);
        assert_eq!(cpi_steps(2031, 2028, 1), 3);
        assert_eq!(cpi_steps(2031, 2028, 0), 3, "frequency 0 is treated as 1");
        let p = project(&document_version());
        close(p.years[6].tuition_fr, 50_000.0); // 2029: no step yet
        close(p.years[7].tuition_fr, 51_500.0); // 2030: one 3 % step
        close(p.years[9].tuition_ib, 60_000.0 * 1.03 * 1.03); // 2032: two steps
        close(p.years[7].staff_cost, 5_150_000.0);
    }

    #[test]
    fn rent_models() {
        let partner = document_version().rent;
        close(rent_for(&partner, 2040, 2028, 1.0), 3_330_000.0);
        assert_eq!(
            rent_for(&partner, 2027, 2028, 1.0),
            0.0,
            "no rent before the base year"
        );
        let fixed = RentModel::FixedEscalation {
            base_rent: 5_000_000.0,
            escalation_rate: 0.04,
            frequency: 1,
        };
        close(rent_for(&fixed, 2028, 2028, 0.0), 5_000_000.0);
        close(rent_for(&fixed, 2029, 2028, 0.0), 5_200_000.0);
        close(rent_for(&fixed, 2030, 2028, 0.0), 5_408_000.0);
        let every3 = RentModel::FixedEscalation {
            base_rent: 1_000.0,
            escalation_rate: 0.10,
            frequency: 3,
        };
        close(rent_for(&every3, 2030, 2028, 0.0), 1_000.0);
        close(rent_for(&every3, 2031, 2028, 0.0), 1_100.0);
        let share = RentModel::RevenueShare {
            revenue_share_percent: 0.2,
            minimum_rent: 1_000_000.0,
        };
        close(rent_for(&share, 2028, 2028, 16_800_000.0), 3_360_000.0);
        close(rent_for(&share, 2028, 2028, 2_000_000.0), 1_000_000.0);
    }

    #[test]
    fn npv_by_hand() {
        close(npv(&[100.0, 108.0, 116.64], 0.08), 300.0);
        close(npv(&[50.0], 0.08), 50.0);
        close(npv(&[10.0, 10.0], 0.0), 20.0);
    }

    #[test]
    fn breakeven_and_summary() {
        // Cash flows: -100 (2023), then +30 a year: cumulative -70, -40, -10, 20 (2027).
        let mut input = EngineInput {
            base_year: 2023,
            fr: plan(10.0, 10.0, &[]),
            ib: plan(10.0, 0.0, &[]),
            rent: RentModel::FixedEscalation {
                base_rent: 0.0,
                escalation_rate: 0.0,
                frequency: 1,
            },
            capex: vec![(2023, 130.0)],
            opex: vec![],
            staffing: StaffingInput::default(),
            rates: Rates {
                cpi_rate: 0.0,
                discount_rate: 0.0,
                tax_rate: 0.0,
            },
        };
        input.fr.students = (FIRST_YEAR..=LAST_YEAR).map(|y| (y, 3.0)).collect();
        let p = project(&input);
        close(p.years[0].cash_flow, -100.0);
        assert_eq!(p.breakeven_year, Some(2027));
        close(p.npv_cash_flow, 30.0 * 30.0 - 130.0);
        close(p.avg_ebitda_margin, 100.0);
        close(p.avg_rent_load, 0.0);
        // A late capex that pulls the cumulative below zero moves breakeven after it.
        input.capex.push((2040, 1_000.0));
        let p = project(&input);
        assert!(p.breakeven_year.is_none_or(|y| y > 2040));
    }

    #[test]
    fn zero_students() {
        let mut input = document_version();
        input.fr.students.clear();
        input.ib.students.clear();
        let p = project(&input);
        let y = &p.years[5];
        assert_eq!(y.revenue, 0.0);
        assert_eq!(y.rent_load, 0.0, "no division by zero");
        assert_eq!(y.ebitda_margin, 0.0);
        assert_eq!(y.utilization_fr, 0.0);
        assert_eq!(p.avg_rent_load, 0.0, "no years with revenue");
        assert_eq!(p.breakeven_year, None);
        assert!(p.npv_cash_flow < 0.0);
        assert!(p.years.iter().all(|y| y.cash_flow.is_finite()));
        // Zero capacity never divides by zero either.
        input.fr.capacity = 0.0;
        assert_eq!(project(&input).years[5].utilization_fr, 0.0);
    }
}
