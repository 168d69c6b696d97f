//! Admin settings (cpiRate, discountRate, taxRate, currency, timezone,
//! formats): their defaults, the checks of a change, and the engine's
//! [`Rates`]. The store keeps them (`store::settings`, `store::save_settings`).

use frontline_platform::{ApiError, ApiResult, FieldError};
use serde::{Deserialize, Serialize};

use crate::engine::Rates;
use crate::model::{DateFormat, NumberFormat, PlanningError};

/// The global settings, camelCase as the document prints them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub cpi_rate: f64,
    pub discount_rate: f64,
    pub tax_rate: f64,
    pub currency: String,
    pub timezone: String,
    pub date_format: DateFormat,
    pub number_format: NumberFormat,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cpi_rate: 0.03,
            discount_rate: 0.08,
            tax_rate: 0.15,
            currency: "SAR".into(),
            timezone: "Asia/Riyadh".into(),
            date_format: DateFormat::DayMonthYear,
            number_format: NumberFormat::Commas,
        }
    }
}

impl Settings {
    pub fn rates(&self) -> Rates {
        Rates {
            cpi_rate: self.cpi_rate,
            discount_rate: self.discount_rate,
            tax_rate: self.tax_rate,
        }
    }
}

/// A partial update; absent fields keep their value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsPatch {
    pub cpi_rate: Option<f64>,
    pub discount_rate: Option<f64>,
    pub tax_rate: Option<f64>,
    pub currency: Option<String>,
    pub timezone: Option<String>,
    pub date_format: Option<DateFormat>,
    pub number_format: Option<NumberFormat>,
}

/// Checks a patch; one message per bad field.
pub fn validate(p: &SettingsPatch) -> ApiResult<()> {
    let mut errors = vec![];
    for (field, v) in [
        ("cpiRate", p.cpi_rate),
        ("discountRate", p.discount_rate),
        ("taxRate", p.tax_rate),
    ] {
        if let Some(v) = v {
            if !(0.0..=1.0).contains(&v) {
                errors.push(FieldError::new(field, "Must be between 0 and 1"));
            }
        }
    }
    if let Some(c) = &p.currency {
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
            errors.push(FieldError::new(
                "currency",
                "Must be a 3-letter ISO 4217 code, e.g. SAR",
            ));
        }
    }
    if let Some(tz) = &p.timezone {
        if tz.parse::<chrono_tz::Tz>().is_err() {
            errors.push(FieldError::new(
                "timezone",
                "Must be an IANA time zone, e.g. Asia/Riyadh",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(PlanningError::fields(errors))
    }
}

/// `s` with the patch applied (the patch checked first), and the fields
/// that changed as `{field: {from, to}}` for the audit log.
pub fn apply(s: &Settings, patch: &SettingsPatch) -> ApiResult<(Settings, serde_json::Value)> {
    validate(patch)?;
    let mut s = s.clone();
    let before = serde_json::to_value(&s).map_err(|e| ApiError::internal(e.to_string()))?;
    if let Some(v) = patch.cpi_rate {
        s.cpi_rate = v;
    }
    if let Some(v) = patch.discount_rate {
        s.discount_rate = v;
    }
    if let Some(v) = patch.tax_rate {
        s.tax_rate = v;
    }
    if let Some(v) = &patch.currency {
        s.currency = v.clone();
    }
    if let Some(v) = &patch.timezone {
        s.timezone = v.clone();
    }
    if let Some(v) = patch.date_format {
        s.date_format = v;
    }
    if let Some(v) = patch.number_format {
        s.number_format = v;
    }
    let after = serde_json::to_value(&s).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut changes = serde_json::Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (k, v) in a {
            if b.get(k) != Some(v) {
                changes.insert(k.clone(), serde_json::json!({ "from": b.get(k), "to": v }));
            }
        }
    }
    Ok((s, serde_json::Value::Object(changes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_each_field() {
        let bad = SettingsPatch {
            cpi_rate: Some(1.5),
            tax_rate: Some(-0.1),
            currency: Some("sar".into()),
            timezone: Some("Mars/Base".into()),
            ..Default::default()
        };
        let err = validate(&bad).unwrap_err();
        let fields: Vec<&str> = err.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["cpiRate", "taxRate", "currency", "timezone"]);
        assert!(validate(&SettingsPatch {
            cpi_rate: Some(0.035),
            ..Default::default()
        })
        .is_ok());
    }
}
