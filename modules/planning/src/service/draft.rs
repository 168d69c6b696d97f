//! Drafts of versions: a create body or a stored version with an update
//! merged in, validated with the document's messages and field paths.

use frontline_platform::{ApiResult, FieldError};

use crate::engine;
use crate::model::*;

/// The editable parts of a version before validation (a create body, or a
/// stored version with an update merged in).
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub name: Option<String>,
    pub description: Option<String>,
    pub mode: Option<VersionMode>,
    pub curriculum_plans: Option<Vec<CurriculumPlanInput>>,
    pub rent_plan: Option<RentPlanInput>,
    pub capex_items: Vec<CapexItemInput>,
    pub opex_sub_accounts: Vec<OpexSubAccountInput>,
    pub staffing: Option<StaffingInput>,
    pub admin_settings: VersionRates,
}

/// A validated draft.
#[derive(Debug, Clone)]
pub struct ValidVersion {
    pub name: String,
    pub description: Option<String>,
    pub mode: VersionMode,
    pub document: VersionDocument,
}

/// The largest money amount or area a version takes: every projection figure
/// built from such inputs over the 30 plan years stays a finite number.
pub const MAX_AMOUNT: f64 = 1e12;
/// Bounds on what a version (and so its PDF/XLSX report) may hold.
pub const MAX_CAPEX_ITEMS: usize = 100;
pub const MAX_OPEX_ACCOUNTS: usize = 50;
pub const MAX_CAPEX_DESCRIPTION: usize = 500;
pub const MAX_ITEM_ID: usize = 64;

fn short_id(prefix: &str) -> String {
    let u = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &u[..12])
}

impl From<VersionCreate> for Draft {
    fn from(c: VersionCreate) -> Self {
        Draft {
            name: Some(c.name),
            description: c.description,
            mode: Some(c.mode),
            curriculum_plans: Some(
                c.curriculum_plans
                    .into_iter()
                    .map(|p| CurriculumPlanInput {
                        id: p.id,
                        curriculum_type: Some(p.curriculum_type),
                        capacity: Some(p.capacity),
                        tuition_base: Some(p.tuition_base),
                        cpi_frequency: Some(p.cpi_frequency),
                        students_projection: p.students_projection,
                    })
                    .collect(),
            ),
            rent_plan: Some(RentPlanInput {
                id: c.rent_plan.id,
                rent_model: Some(c.rent_plan.rent_model),
                parameters: c.rent_plan.parameters,
            }),
            capex_items: c
                .capex_items
                .unwrap_or_default()
                .into_iter()
                .map(|x| CapexItemInput {
                    id: x.id,
                    year: Some(x.year),
                    category: Some(x.category),
                    amount: Some(x.amount),
                    description: x.description,
                })
                .collect(),
            opex_sub_accounts: c
                .opex_sub_accounts
                .unwrap_or_default()
                .into_iter()
                .map(|o| OpexSubAccountInput {
                    id: o.id,
                    sub_account_name: Some(o.sub_account_name),
                    percent_of_revenue: o.percent_of_revenue,
                    is_fixed: o.is_fixed,
                    fixed_amount: o.fixed_amount,
                })
                .collect(),
            staffing: c.staffing.map(|s| StaffingInput {
                base_cost: Some(s.base_cost),
                cpi_frequency: s.cpi_frequency,
            }),
            admin_settings: c.admin_settings.unwrap_or_default(),
        }
    }
}

/// A stored version as a draft (every field present).
pub fn draft_of(
    name: &str,
    description: Option<&str>,
    mode: VersionMode,
    d: &VersionDocument,
) -> Draft {
    Draft {
        name: Some(name.to_string()),
        description: description.map(str::to_string),
        mode: Some(mode),
        curriculum_plans: Some(
            d.curriculum_plans
                .iter()
                .map(|p| CurriculumPlanInput {
                    id: Some(p.id.clone()),
                    curriculum_type: Some(p.curriculum_type),
                    capacity: Some(p.capacity),
                    tuition_base: Some(p.tuition_base),
                    cpi_frequency: Some(p.cpi_frequency),
                    students_projection: Some(p.students_projection.clone()),
                })
                .collect(),
        ),
        rent_plan: Some(RentPlanInput {
            id: Some(d.rent_plan.id.clone()),
            rent_model: Some(d.rent_plan.rent_model),
            parameters: Some(d.rent_plan.parameters.clone()),
        }),
        capex_items: d
            .capex_items
            .iter()
            .map(|c| CapexItemInput {
                id: Some(c.id.clone()),
                year: Some(c.year),
                category: Some(c.category),
                amount: Some(c.amount),
                description: c.description.clone(),
            })
            .collect(),
        opex_sub_accounts: d
            .opex_sub_accounts
            .iter()
            .map(|o| OpexSubAccountInput {
                id: Some(o.id.clone()),
                sub_account_name: Some(o.sub_account_name.clone()),
                percent_of_revenue: o.percent_of_revenue,
                is_fixed: Some(o.is_fixed),
                fixed_amount: o.fixed_amount,
            })
            .collect(),
        staffing: Some(StaffingInput {
            base_cost: Some(d.staffing.base_cost),
            cpi_frequency: Some(d.staffing.cpi_frequency),
        }),
        admin_settings: d.admin_settings.clone(),
    }
}

fn merge_params(into: &mut RentParameters, p: RentParameters) {
    macro_rules! m {
        ($($f:ident),*) => { $( if p.$f.is_some() { into.$f = p.$f; } )* };
    }
    m!(
        land_size,
        land_price_per_sqm,
        bua_size,
        construction_cost_per_sqm,
        yield_base,
        base_rent,
        escalation_rate,
        frequency,
        revenue_share_percent,
        minimum_rent
    );
}

/// Merges a partial update into a stored version's draft. Returns the
/// errors for items whose `id` is unknown.
pub fn merge(draft: &mut Draft, u: VersionUpdate) -> Vec<FieldError> {
    let mut errors = vec![];
    if u.name.is_some() {
        draft.name = u.name;
    }
    if u.description.is_some() {
        draft.description = u.description;
    }
    if u.mode.is_some() {
        draft.mode = u.mode;
    }
    if let Some(plans) = u.curriculum_plans {
        let current = draft.curriculum_plans.get_or_insert_with(Vec::new);
        for (i, p) in plans.into_iter().enumerate() {
            let found = current
                .iter_mut()
                .find(|c| match (&p.id, &p.curriculum_type) {
                    (Some(id), _) => c.id.as_ref() == Some(id),
                    (None, Some(t)) => c.curriculum_type == Some(*t),
                    (None, None) => false,
                });
            match found {
                Some(c) => {
                    if p.curriculum_type.is_some() {
                        c.curriculum_type = p.curriculum_type;
                    }
                    if p.capacity.is_some() {
                        c.capacity = p.capacity;
                    }
                    if p.tuition_base.is_some() {
                        c.tuition_base = p.tuition_base;
                    }
                    if p.cpi_frequency.is_some() {
                        c.cpi_frequency = p.cpi_frequency;
                    }
                    if p.students_projection.is_some() {
                        c.students_projection = p.students_projection;
                    }
                }
                None if p.id.is_some() => errors.push(FieldError::new(
                    format!("curriculumPlans[{i}].id"),
                    "Unknown curriculum plan",
                )),
                None => current.push(p),
            }
        }
    }
    if let Some(r) = u.rent_plan {
        match draft.rent_plan.as_mut() {
            Some(cur) => {
                let model_changes = r.rent_model.is_some() && r.rent_model != cur.rent_model;
                if model_changes {
                    cur.rent_model = r.rent_model;
                    cur.parameters = r.parameters;
                } else if let Some(p) = r.parameters {
                    merge_params(cur.parameters.get_or_insert_with(Default::default), p);
                }
            }
            None => draft.rent_plan = Some(r),
        }
    }
    if let Some(items) = u.capex_items {
        for (i, c) in items.into_iter().enumerate() {
            match &c.id {
                Some(id) => match draft
                    .capex_items
                    .iter_mut()
                    .find(|x| x.id.as_ref() == Some(id))
                {
                    Some(x) => {
                        if c.year.is_some() {
                            x.year = c.year;
                        }
                        if c.category.is_some() {
                            x.category = c.category;
                        }
                        if c.amount.is_some() {
                            x.amount = c.amount;
                        }
                        if c.description.is_some() {
                            x.description = c.description;
                        }
                    }
                    None => errors.push(FieldError::new(
                        format!("capexItems[{i}].id"),
                        "Unknown capex item",
                    )),
                },
                None => draft.capex_items.push(c),
            }
        }
    }
    if let Some(items) = u.opex_sub_accounts {
        for (i, o) in items.into_iter().enumerate() {
            match &o.id {
                Some(id) => match draft
                    .opex_sub_accounts
                    .iter_mut()
                    .find(|x| x.id.as_ref() == Some(id))
                {
                    Some(x) => {
                        if o.sub_account_name.is_some() {
                            x.sub_account_name = o.sub_account_name;
                        }
                        if o.is_fixed.is_some() {
                            x.is_fixed = o.is_fixed;
                        }
                        if o.percent_of_revenue.is_some() {
                            x.percent_of_revenue = o.percent_of_revenue;
                        }
                        if o.fixed_amount.is_some() {
                            x.fixed_amount = o.fixed_amount;
                        }
                    }
                    None => errors.push(FieldError::new(
                        format!("opexSubAccounts[{i}].id"),
                        "Unknown opex sub-account",
                    )),
                },
                None => draft.opex_sub_accounts.push(o),
            }
        }
    }
    if let Some(s) = u.staffing {
        let cur = draft.staffing.get_or_insert_with(Default::default);
        if s.base_cost.is_some() {
            cur.base_cost = s.base_cost;
        }
        if s.cpi_frequency.is_some() {
            cur.cpi_frequency = s.cpi_frequency;
        }
    }
    if let Some(a) = u.admin_settings {
        if a.cpi_rate.is_some() {
            draft.admin_settings.cpi_rate = a.cpi_rate;
        }
        if a.discount_rate.is_some() {
            draft.admin_settings.discount_rate = a.discount_rate;
        }
        if a.tax_rate.is_some() {
            draft.admin_settings.tax_rate = a.tax_rate;
        }
    }
    errors
}

struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    fn push(&mut self, field: impl Into<String>, msg: impl Into<String>) {
        self.errors.push(FieldError::new(field, msg));
    }
    fn finite(v: f64) -> bool {
        v.is_finite()
    }
    /// A required amount in 0..=[`MAX_AMOUNT`].
    fn amount(&mut self, field: &str, v: Option<f64>) -> f64 {
        match v {
            None => {
                self.push(field, "Required");
                0.0
            }
            Some(v) if !Self::finite(v) || v < 0.0 => {
                self.push(field, "Must be 0 or more");
                0.0
            }
            Some(v) if v > MAX_AMOUNT => {
                self.push(field, "Must be at most 1000000000000");
                0.0
            }
            Some(v) => v,
        }
    }
    /// A client-chosen item id: at most [`MAX_ITEM_ID`] characters.
    fn item_id(&mut self, field: String, id: &Option<String>) {
        if id.as_ref().is_some_and(|s| s.chars().count() > MAX_ITEM_ID) {
            self.push(field, format!("Must be at most {MAX_ITEM_ID} characters"));
        }
    }
    /// A required rate in 0..=1.
    fn rate(&mut self, field: &str, v: Option<f64>) -> f64 {
        match v {
            None => {
                self.push(field, "Required");
                0.0
            }
            Some(v) if !(0.0..=1.0).contains(&v) => {
                self.push(field, "Must be between 0 and 1");
                0.0
            }
            Some(v) => v,
        }
    }
    fn frequency(&mut self, field: &str, v: Option<i64>, default: Option<i64>) -> i64 {
        match v.or(default) {
            None => {
                self.push(field, "Required");
                1
            }
            Some(v) if !(1..=5).contains(&v) => {
                self.push(field, "Must be between 1 and 5 years");
                1
            }
            Some(v) => v,
        }
    }
}

/// Validates a draft into a storable version; one message per bad field,
/// field paths as the document prints them (`rentPlan.parameters.escalationRate`).
pub fn validate(d: &Draft) -> ApiResult<ValidVersion> {
    let mut c = Check { errors: vec![] };
    let name = d.name.as_deref().map(str::trim).unwrap_or("");
    if name.chars().count() < 3 {
        c.push("name", "Name must be at least 3 characters");
    } else if name.chars().count() > 100 {
        c.push("name", "Name must be at most 100 characters");
    }
    let description = d
        .description
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if description
        .as_ref()
        .is_some_and(|s| s.chars().count() > 2000)
    {
        c.push("description", "Description must be at most 2000 characters");
    }
    let mode = d.mode.unwrap_or_else(|| {
        c.push("mode", "Required");
        VersionMode::Relocation2028
    });

    let mut plans = vec![];
    let inputs = d.curriculum_plans.clone().unwrap_or_default();
    let types: Vec<Option<CurriculumType>> = inputs.iter().map(|p| p.curriculum_type).collect();
    if inputs.len() != 2
        || !types.contains(&Some(CurriculumType::Fr))
        || !types.contains(&Some(CurriculumType::Ib))
    {
        c.push(
            "curriculumPlans",
            "Must provide exactly 2 curriculum plans (FR and IB)",
        );
    }
    for (i, p) in inputs.iter().enumerate().take(2) {
        let at = |f: &str| format!("curriculumPlans[{i}].{f}");
        c.item_id(at("id"), &p.id);
        let kind = p.curriculum_type.unwrap_or_else(|| {
            c.push(at("curriculumType"), "Required");
            CurriculumType::Fr
        });
        let capacity = match p.capacity {
            Some(v) if v > 0 && v <= 100_000 => v,
            Some(_) => {
                c.push(at("capacity"), "Must be between 1 and 100000");
                0
            }
            None => {
                c.push(at("capacity"), "Required");
                0
            }
        };
        let tuition = c.amount(&at("tuitionBase"), p.tuition_base);
        let freq = c.frequency(&at("cpiFrequency"), p.cpi_frequency, None);
        let mut years = std::collections::BTreeSet::new();
        let mut projection = p.students_projection.clone().unwrap_or_default();
        let plan_years = (engine::LAST_YEAR - engine::FIRST_YEAR + 1) as usize;
        if projection.len() > plan_years {
            c.push(
                at("studentsProjection"),
                format!("At most {plan_years} years (2023 to 2052)"),
            );
            projection.truncate(plan_years);
        }
        for (j, s) in projection.iter().enumerate() {
            let at = |f: &str| format!("curriculumPlans[{i}].studentsProjection[{j}].{f}");
            if !(engine::FIRST_YEAR..=engine::LAST_YEAR).contains(&s.year) {
                c.push(at("year"), "Year must be between 2023 and 2052");
            } else if !years.insert(s.year) {
                c.push(at("year"), "Year appears more than once");
            }
            if s.students < 0 {
                c.push(at("students"), "Must be 0 or more");
            } else if capacity > 0 && s.students > capacity {
                c.push(
                    at("students"),
                    format!("Students cannot exceed capacity ({capacity})"),
                );
            }
        }
        projection.sort_by_key(|s| s.year);
        plans.push(CurriculumPlan {
            id: p.id.clone().unwrap_or_else(|| short_id("cp")),
            curriculum_type: kind,
            capacity,
            tuition_base: tuition,
            cpi_frequency: freq,
            students_projection: projection,
        });
    }
    plans.sort_by_key(|p| p.curriculum_type);

    let rent_plan = match &d.rent_plan {
        None => {
            c.push("rentPlan", "Required");
            None
        }
        Some(r) => {
            let model = r.rent_model;
            c.item_id("rentPlan.id".into(), &r.id);
            let p = r.parameters.clone().unwrap_or_default();
            let at = |f: &str| format!("rentPlan.parameters.{f}");
            let params = match model {
                Some(RentModelKind::PartnerModel) => RentParameters {
                    land_size: Some(c.amount(&at("landSize"), p.land_size)),
                    land_price_per_sqm: Some(
                        c.amount(&at("landPricePerSqm"), p.land_price_per_sqm),
                    ),
                    bua_size: Some(c.amount(&at("buaSize"), p.bua_size)),
                    construction_cost_per_sqm: Some(
                        c.amount(&at("constructionCostPerSqm"), p.construction_cost_per_sqm),
                    ),
                    yield_base: Some(c.rate(&at("yieldBase"), p.yield_base)),
                    ..Default::default()
                },
                Some(RentModelKind::FixedEscalation) => RentParameters {
                    base_rent: Some(c.amount(&at("baseRent"), p.base_rent)),
                    escalation_rate: Some(c.rate(&at("escalationRate"), p.escalation_rate)),
                    frequency: Some(c.frequency(&at("frequency"), p.frequency, Some(1))),
                    ..Default::default()
                },
                Some(RentModelKind::RevenueShare) => RentParameters {
                    revenue_share_percent: Some(
                        c.rate(&at("revenueSharePercent"), p.revenue_share_percent),
                    ),
                    minimum_rent: Some(c.amount(&at("minimumRent"), p.minimum_rent.or(Some(0.0)))),
                    ..Default::default()
                },
                None => {
                    c.push("rentPlan.rentModel", "Required");
                    RentParameters::default()
                }
            };
            Some(RentPlan {
                id: r.id.clone().unwrap_or_else(|| short_id("rp")),
                rent_model: model.unwrap_or(RentModelKind::PartnerModel),
                parameters: params,
            })
        }
    };

    if d.capex_items.len() > MAX_CAPEX_ITEMS {
        c.push(
            "capexItems",
            format!("At most {MAX_CAPEX_ITEMS} capex items"),
        );
    }
    if d.opex_sub_accounts.len() > MAX_OPEX_ACCOUNTS {
        c.push(
            "opexSubAccounts",
            format!("At most {MAX_OPEX_ACCOUNTS} opex sub-accounts"),
        );
    }
    let mut capex = vec![];
    for (i, item) in d.capex_items.iter().enumerate().take(MAX_CAPEX_ITEMS) {
        let at = |f: &str| format!("capexItems[{i}].{f}");
        c.item_id(at("id"), &item.id);
        if item
            .description
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_CAPEX_DESCRIPTION)
        {
            c.push(
                at("description"),
                format!("Must be at most {MAX_CAPEX_DESCRIPTION} characters"),
            );
        }
        let year = item.year.unwrap_or(0);
        if !(engine::FIRST_YEAR..=engine::LAST_YEAR).contains(&year) {
            c.push(at("year"), "Year must be between 2023 and 2052");
        }
        let category = item.category.unwrap_or_else(|| {
            c.push(at("category"), "Required");
            CapexCategory::Other
        });
        let amount = c.amount(&at("amount"), item.amount);
        capex.push(CapexItem {
            id: item.id.clone().unwrap_or_else(|| short_id("capex")),
            year,
            category,
            amount,
            description: item.description.clone(),
        });
    }
    capex.sort_by_key(|x| x.year);

    let mut opex = vec![];
    for (i, o) in d
        .opex_sub_accounts
        .iter()
        .enumerate()
        .take(MAX_OPEX_ACCOUNTS)
    {
        let at = |f: &str| format!("opexSubAccounts[{i}].{f}");
        c.item_id(at("id"), &o.id);
        let name = o
            .sub_account_name
            .clone()
            .unwrap_or_default()
            .trim()
            .to_string();
        if name.is_empty() || name.chars().count() > 100 {
            c.push(at("subAccountName"), "Must be 1 to 100 characters");
        }
        let is_fixed = o.is_fixed.unwrap_or(false);
        let (percent, fixed) = if is_fixed {
            (None, Some(c.amount(&at("fixedAmount"), o.fixed_amount)))
        } else {
            match o.percent_of_revenue {
                Some(p) if (0.0..=100.0).contains(&p) => (Some(p), None),
                Some(_) => {
                    c.push(at("percentOfRevenue"), "Must be between 0 and 100");
                    (None, None)
                }
                None => {
                    c.push(
                        at("percentOfRevenue"),
                        "Required unless the account is fixed",
                    );
                    (None, None)
                }
            }
        };
        opex.push(OpexSubAccount {
            id: o.id.clone().unwrap_or_else(|| short_id("opex")),
            sub_account_name: name,
            percent_of_revenue: percent,
            is_fixed,
            fixed_amount: fixed,
        });
    }

    let staffing = match &d.staffing {
        None => Staffing {
            base_cost: 0.0,
            cpi_frequency: 1,
        },
        Some(s) => Staffing {
            base_cost: c.amount("staffing.baseCost", s.base_cost),
            cpi_frequency: c.frequency("staffing.cpiFrequency", s.cpi_frequency, Some(1)),
        },
    };
    for (f, v) in [
        ("adminSettings.cpiRate", d.admin_settings.cpi_rate),
        ("adminSettings.discountRate", d.admin_settings.discount_rate),
        ("adminSettings.taxRate", d.admin_settings.tax_rate),
    ] {
        if v.is_some() {
            c.rate(f, v);
        }
    }

    if !c.errors.is_empty() {
        return Err(PlanningError::fields(c.errors));
    }
    let rent_plan = rent_plan
        .ok_or_else(|| PlanningError::fields(vec![FieldError::new("rentPlan", "Required")]))?;
    Ok(ValidVersion {
        name: name.to_string(),
        description,
        mode,
        document: VersionDocument {
            curriculum_plans: plans,
            rent_plan,
            capex_items: capex,
            opex_sub_accounts: opex,
            staffing,
            admin_settings: d.admin_settings.clone(),
        },
    })
}
