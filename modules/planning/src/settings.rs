//! Admin settings (cpiRate, discountRate, taxRate, currency, timezone,
//! formats): stored as key/value rows in `planning_settings`, with defaults,
//! validated, and turned into the engine's [`Rates`].

use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::engine::Rates;

/// The global settings, camelCase as the document prints them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub cpi_rate: f64,
    pub discount_rate: f64,
    pub tax_rate: f64,
    pub currency: String,
    pub timezone: String,
    pub date_format: String,
    pub number_format: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cpi_rate: 0.03,
            discount_rate: 0.08,
            tax_rate: 0.15,
            currency: "SAR".into(),
            timezone: "Asia/Riyadh".into(),
            date_format: "DD/MM/YYYY".into(),
            number_format: "1,000,000".into(),
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
    pub date_format: Option<String>,
    pub number_format: Option<String>,
}

pub const DATE_FORMATS: &[&str] = &["DD/MM/YYYY", "MM/DD/YYYY", "YYYY-MM-DD", "DD.MM.YYYY"];
pub const NUMBER_FORMATS: &[&str] = &["1,000,000", "1.000.000", "1 000 000", "1000000"];

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
    if let Some(f) = &p.date_format {
        if !DATE_FORMATS.contains(&f.as_str()) {
            errors.push(FieldError::new(
                "dateFormat",
                format!("Must be one of {}", DATE_FORMATS.join(", ")),
            ));
        }
    }
    if let Some(f) = &p.number_format {
        if !NUMBER_FORMATS.contains(&f.as_str()) {
            errors.push(FieldError::new(
                "numberFormat",
                format!("Must be one of {}", NUMBER_FORMATS.join(", ")),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The stored settings (defaults for what was never set) and when they last changed.
pub fn load(conn: &Connection) -> ApiResult<(Settings, Option<String>)> {
    let raw: Option<String> = conn
        .query_row(
            "SELECT value FROM planning_settings WHERE key = 'settings'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let updated: Option<String> = conn
        .query_row(
            "SELECT value FROM planning_settings WHERE key = 'updatedAt'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let settings = match raw {
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| ApiError::internal(format!("stored settings: {e}")))?,
        None => Settings::default(),
    };
    Ok((settings, updated))
}

/// Applies a validated patch; returns the new settings and the fields that changed (old, new).
pub fn apply(
    conn: &Connection,
    patch: &SettingsPatch,
    now: &str,
) -> ApiResult<(Settings, serde_json::Value)> {
    validate(patch)?;
    let (mut s, _) = load(conn)?;
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
    if let Some(v) = &patch.date_format {
        s.date_format = v.clone();
    }
    if let Some(v) = &patch.number_format {
        s.number_format = v.clone();
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
    conn.execute(
        "INSERT INTO planning_settings (key, value) VALUES ('settings', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [after.to_string()],
    )?;
    conn.execute(
        "INSERT INTO planning_settings (key, value) VALUES ('updatedAt', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [now],
    )?;
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
