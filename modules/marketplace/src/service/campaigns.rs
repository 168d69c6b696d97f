//! A/B review campaigns: variants with traffic allocation assign real review
//! requests; results compare response rates with a two-proportion z-test.

use chrono::NaiveTime;
use frontline_platform::audit::AuditEntry;
use frontline_platform::error::FieldError;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;
use rusqlite::Connection;
use serde_json::json;

use super::{is_object_id, iso, new_id, now, parse_instant};
use crate::model::{
    CampaignCreated, CampaignInput, CampaignOutcome, CampaignResults, CampaignStatusChanged,
    CampaignWinner, ConfidenceInterval, VariantResult,
};
use crate::model::{ExperimentType, Incentive, IncentiveType, MarketplaceError, VariantConfig};
use crate::stats;
use crate::store::campaigns as store;
use crate::SLUG;

/// The confidence level a winner must reach.
pub const CONFIDENCE: f64 = 0.95;

pub fn validate(c: &CampaignInput) -> Vec<FieldError> {
    let mut out = Vec::new();
    if c.name.trim().is_empty() || c.name.chars().count() > 200 {
        out.push(FieldError::new("name", "name must be 1 to 200 characters"));
    }
    if !["timing", "channel", "incentive", "message"].contains(&c.experiment.kind.as_str()) {
        out.push(FieldError::new(
            "experiment.type",
            "experiment.type must be timing, channel, incentive or message",
        ));
    }
    let kind = c.experiment.kind;
    for (i, v) in c.variants.iter().enumerate() {
        let cfg = &v.config;
        let (ok, field, what) = match kind {
            ExperimentType::Timing => (
                cfg.delay.is_some() || cfg.time.is_some(),
                "delay",
                "a timing experiment needs config.delay or config.time in every variant",
            ),
            ExperimentType::Channel => (
                cfg.channel.is_some(),
                "channel",
                "a channel experiment needs config.channel in every variant",
            ),
            ExperimentType::Incentive => (
                cfg.incentive.is_some(),
                "incentive",
                "an incentive experiment needs config.incentive in every variant",
            ),
            ExperimentType::Message => (
                cfg.message.as_deref().is_some_and(|m| !m.trim().is_empty()),
                "message",
                "a message experiment needs config.message in every variant",
            ),
        };
        if !ok {
            out.push(FieldError::new(
                format!("variants[{i}].config.{field}"),
                what,
            ));
        }
        if cfg
            .message
            .as_ref()
            .is_some_and(|m| m.trim().is_empty() || m.chars().count() > 1000)
        {
            out.push(FieldError::new(
                format!("variants[{i}].config.message"),
                "message must be 1 to 1000 characters",
            ));
        }
    }
    if c.variants.len() < 2 || c.variants.len() > 10 {
        out.push(FieldError::new(
            "variants",
            "a campaign has 2 to 10 variants",
        ));
    }
    let mut ids = std::collections::HashSet::new();
    let mut total = 0.0;
    for (i, v) in c.variants.iter().enumerate() {
        if v.variant_id.trim().is_empty() || !ids.insert(v.variant_id.clone()) {
            out.push(FieldError::new(
                format!("variants[{i}].variantId"),
                "variantId must be present and unique",
            ));
        }
        if v.name.trim().is_empty() {
            out.push(FieldError::new(
                format!("variants[{i}].name"),
                "name is required",
            ));
        }
        if !v.traffic_allocation.is_finite()
            || v.traffic_allocation <= 0.0
            || v.traffic_allocation > 100.0
        {
            out.push(FieldError::new(
                format!("variants[{i}].trafficAllocation"),
                "trafficAllocation must be between 0 and 100",
            ));
        }
        total += v.traffic_allocation;
        let cfg = &v.config;
        if cfg
            .delay
            .map(|d| !(0..=10_000).contains(&d))
            .unwrap_or(false)
        {
            out.push(FieldError::new(
                format!("variants[{i}].config.delay"),
                "delay must be between 0 and 10000",
            ));
        }
        if let Some(u) = &cfg.unit {
            if !["minutes", "hours", "days"].contains(&u.as_str()) {
                out.push(FieldError::new(
                    format!("variants[{i}].config.unit"),
                    "unit must be minutes, hours or days",
                ));
            }
        }
        if let Some(t) = &cfg.time {
            if NaiveTime::parse_from_str(t, "%H:%M").is_err() {
                out.push(FieldError::new(
                    format!("variants[{i}].config.time"),
                    "time must be HH:MM",
                ));
            }
        }
        if let Some(ch) = &cfg.channel {
            if !super::requests::CHANNELS.contains(&ch.as_str()) {
                out.push(FieldError::new(
                    format!("variants[{i}].config.channel"),
                    "channel must be push, sms, whatsapp or email",
                ));
            }
        }
    }
    if !c.variants.is_empty() && (total - 100.0).abs() > 0.01 {
        out.push(FieldError::new(
            "variants",
            "trafficAllocation of all variants must add up to 100",
        ));
    }
    if let Some(t) = &c.targeting {
        if t.sample_size.map(|n| n < 2).unwrap_or(false) {
            out.push(FieldError::new(
                "targeting.sampleSize",
                "sampleSize must be at least 2",
            ));
        }
        for (i, s) in t.service_categories.iter().flatten().enumerate() {
            if !is_object_id(s) {
                out.push(FieldError::new(
                    format!("targeting.serviceCategories[{i}]"),
                    "must be a 24-character hex id",
                ));
            }
        }
    }
    match (
        parse_instant("startDate", c.start_date.as_str()),
        parse_instant("endDate", c.end_date.as_str()),
    ) {
        (Ok(a), Ok(b)) if a >= b => out.push(FieldError::new(
            "endDate",
            "endDate must be after startDate",
        )),
        (a, b) => {
            if let Err(e) = a {
                out.extend(e.details);
            }
            if let Err(e) = b {
                out.extend(e.details);
            }
        }
    }
    out
}

pub fn create(w: &WriteCtx, c: &CampaignInput) -> ApiResult<CampaignCreated> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let problems = validate(c);
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    let start = iso(parse_instant("startDate", c.start_date.as_str())?);
    let end = iso(parse_instant("endDate", c.end_date.as_str())?);
    let id = new_id();
    let at = now();
    store::insert(
        tx,
        &store::NewCampaign {
            id: &id,
            name: c.name.trim(),
            definition: &serde_json::to_string(c)?,
            start_date: &start,
            end_date: &end,
            created_by: &user.id,
            created_at: &at,
        },
    )?;
    w.record(AuditEntry {
        module: SLUG,
        action: "campaign.created",
        entity_type: "campaign",
        entity_id: Some(&id),
        details: json!({"name": c.name}),
    })?;
    Ok(CampaignCreated {
        campaign_id: id,
        status: "draft".into(),
        created_at: at,
    })
}

/// Extension: draft → active → paused/completed; only active campaigns assign requests.
pub fn set_status(w: &WriteCtx, id: &str, status: &str) -> ApiResult<CampaignStatusChanged> {
    let tx = w.tx();
    if !["draft", "active", "paused", "completed"].contains(&status) {
        return Err(MarketplaceError::Validation.invalid(
            "status",
            "status must be draft, active, paused or completed",
        ));
    }
    let cur = store::status(tx, id)?;
    let Some(cur) = cur else {
        return Err(MarketplaceError::NotFound.with_message("Campaign not found"));
    };
    if cur == "completed" && status != "completed" {
        return Err(
            MarketplaceError::Conflict.with_message("A completed campaign cannot be reopened")
        );
    }
    store::set_status(tx, id, status)?;
    w.record(AuditEntry {
        module: SLUG,
        action: "campaign.status_changed",
        entity_type: "campaign",
        entity_id: Some(id),
        details: json!({"from": cur, "to": status}),
    })?;
    Ok(CampaignStatusChanged {
        campaign_id: id.to_string(),
        status: status.to_string(),
        previous_status: cur,
    })
}

/// The default reward when a request is in no incentive arm.
pub const DEFAULT_INCENTIVE: IncentiveType = IncentiveType::Discount100;

/// The config of the arm a review request was assigned to (None outside campaigns,
/// or when the campaign is gone).
pub fn arm_config(
    conn: &Connection,
    campaign_id: Option<&str>,
    variant_id: Option<&str>,
) -> ApiResult<Option<VariantConfig>> {
    let (Some(cid), Some(vid)) = (campaign_id, variant_id) else {
        return Ok(None);
    };
    let Some((_, def, _)) = store::get(conn, cid)? else {
        return Ok(None);
    };
    let c: CampaignInput = serde_json::from_str(&def)?;
    Ok(c.variants
        .into_iter()
        .find(|v| v.variant_id == vid)
        .map(|v| v.config))
}

/// The reward of `kind` for the review `review_id` (its code is unique per review).
pub fn incentive(kind: IncentiveType, review_id: &str, expires_at: String) -> Incentive {
    let (prefix, amount, description) = match kind {
        IncentiveType::Discount50 => ("REVIEW50", 50.0, "KES 50 off your next booking"),
        IncentiveType::Discount100 => ("REVIEW100", 100.0, "KES 100 off your next booking"),
        IncentiveType::Discount200 => ("REVIEW200", 200.0, "KES 200 off your next booking"),
        IncentiveType::Points50 => ("POINTS50", 50.0, "50 loyalty points (KES 50 on a booking)"),
        IncentiveType::Points100 => (
            "POINTS100",
            100.0,
            "100 loyalty points (KES 100 on a booking)",
        ),
        IncentiveType::Points200 => (
            "POINTS200",
            200.0,
            "200 loyalty points (KES 200 on a booking)",
        ),
    };
    let tail = review_id.get(16..).unwrap_or(review_id).to_uppercase();
    Incentive {
        kind: kind.as_str().into(),
        amount,
        description: description.into(),
        code: format!("{prefix}-{tail}"),
        expires_at,
    }
}

/// The text of a review request: the arm's message or the default, with `{provider}`
/// and `{service}` filled in; the default names the arm's reward.
pub fn request_message(cfg: Option<&VariantConfig>, provider: &str, service: &str) -> String {
    let text = match cfg.and_then(|c| c.message.as_deref()) {
        Some(m) => m.to_string(),
        None => {
            let reward = cfg.and_then(|c| c.incentive).unwrap_or(DEFAULT_INCENTIVE);
            let what = incentive(reward, "", String::new()).description;
            format!("How was your {{service}} with {{provider}}? Leave a review and get {what}.")
        }
    };
    text.replace("{provider}", provider)
        .replace("{service}", service)
}

/// One variant's figures.
#[derive(Default)]
pub struct Arm {
    pub variant_id: String,
    pub name: String,
    pub participants: u64,
    pub responses: u64,
    pub average_rating: Option<f64>,
    /// Rewards of its reviews redeemed on a booking.
    pub incentives_claimed: u64,
    /// What its customers received.
    pub config: Option<VariantConfig>,
}

/// The results document from per-variant figures (pure, so the document's numbers are testable).
pub fn results_from(arms: &[Arm]) -> CampaignOutcome {
    let rate = |a: &Arm| {
        if a.participants == 0 {
            0.0
        } else {
            a.responses as f64 / a.participants as f64 * 100.0
        }
    };
    let variants: Vec<VariantResult> = arms
        .iter()
        .map(|a| {
            let (lo, hi) = stats::proportion_interval(a.responses, a.participants, CONFIDENCE);
            VariantResult {
                variant_id: a.variant_id.clone(),
                name: a.name.clone(),
                participants: a.participants,
                responses: a.responses,
                response_rate: stats::round(rate(a), 1),
                average_rating: a.average_rating.map(|r| stats::round(r, 1)),
                incentives_claimed: a.incentives_claimed,
                config: a.config.clone(),
                confidence_interval: ConfidenceInterval {
                    lower: stats::round(lo, 1),
                    upper: stats::round(hi, 1),
                },
            }
        })
        .collect();
    // The best arm against the runner-up; a winner only when the difference is significant.
    let mut order: Vec<&Arm> = arms.iter().collect();
    order.sort_by(|a, b| rate(b).total_cmp(&rate(a)));
    let mut winner = None;
    let mut p_value = None;
    if let [best, second, ..] = order.as_slice() {
        if let Some(p) = stats::two_proportion_p_value(
            best.responses,
            best.participants,
            second.responses,
            second.participants,
        ) {
            p_value = Some(stats::round(p, 4));
            if p < 1.0 - CONFIDENCE && rate(best) > rate(second) && rate(second) > 0.0 {
                let imp = (rate(best) - rate(second)) / rate(second) * 100.0;
                winner = Some(CampaignWinner {
                    variant_id: best.variant_id.clone(),
                    confidence: (CONFIDENCE * 100.0).round() as i64,
                    improvement: format!("+{:.1}% response rate", imp),
                    p_value: stats::round(p, 4),
                });
            }
        }
    }
    CampaignOutcome {
        total_participants: arms.iter().map(|a| a.participants).sum::<u64>(),
        variant_results: variants,
        significant: winner.is_some(),
        winner,
        p_value,
    }
}

pub fn results(conn: &Connection, id: &str) -> ApiResult<CampaignResults> {
    let Some((name, def, status)) = store::get(conn, id)? else {
        return Err(MarketplaceError::NotFound.with_message("Campaign not found"));
    };
    let c: CampaignInput = serde_json::from_str(&def)?;
    let mut arms = Vec::new();
    for v in &c.variants {
        let (participants, responses, avg, claimed) = store::arm_figures(conn, id, &v.variant_id)?;
        arms.push(Arm {
            variant_id: v.variant_id.clone().into(),
            name: v.name.clone().into(),
            participants: participants as u64,
            responses: responses as u64,
            average_rating: avg,
            incentives_claimed: claimed as u64,
            config: Some(v.config.clone()),
        });
    }
    Ok(CampaignResults {
        campaign_id: id.to_string(),
        name,
        status,
        experiment: c.experiment,
        results: results_from(&arms),
    })
}
