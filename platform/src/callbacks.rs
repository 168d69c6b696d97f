//! What vendors report about the messages [`crate::deliver`] sent: Twilio
//! status callbacks and WhatsApp Cloud API status webhooks, checked the way
//! each vendor signs them, and read into one [`StatusReport`] shape.
//!
//! - Twilio signs a callback with `X-Twilio-Signature`: base64 of the
//!   HMAC-SHA1, keyed with the account's auth token, of the full URL Twilio
//!   called followed by every POST parameter, sorted by name, as name+value.
//! - Meta (WhatsApp, Messenger) signs a webhook with `X-Hub-Signature-256`:
//!   `sha256=` and the hex HMAC-SHA256 of the raw body, keyed with the app secret.
//!
//! A message's delivery status only moves forward ([`advances`]):
//! `queued` → `sent` → `failed` / `delivered` → `read`; a late or repeated
//! report never takes a message back.

use std::marker::PhantomData;

use base64::Engine;
use hmac::{Hmac, Mac};
use poem::{FromRequest, Request};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::Value;
use sha1::Sha1;
use sha2::Sha256;

/// A vendor's report about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// The vendor's message id (Twilio `MessageSid`, WhatsApp `wamid…`).
    pub vendor_id: Option<String>,
    /// `sent`, `delivered`, `read` or `failed`.
    pub status: &'static str,
    /// Why it failed, in the vendor's words (with its error code).
    pub reason: Option<String>,
}

/// The order of delivery statuses; a report is applied only when it moves a
/// message forward. `not_configured` messages were never sent, so nothing
/// moves them.
pub fn rank(status: Option<&str>) -> u8 {
    match status {
        None | Some("queued") | Some("scheduled") => 0,
        Some("sent") => 1,
        Some("failed") => 2,
        Some("delivered") => 3,
        Some("read") => 4,
        Some(_) => u8::MAX,
    }
}

/// Whether `new` moves a message that is `current` forward.
pub fn advances(current: Option<&str>, new: &str) -> bool {
    rank(Some(new)) > rank(current) && rank(current) != u8::MAX
}

/// Twilio's `X-Twilio-Signature` of a POST of `params` to `url`.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(twilio_mac(auth_token, url, params).finalize().into_bytes())
}

fn twilio_mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = sha1_mac(auth_token.as_bytes());
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    mac
}

/// HMAC-SHA1 keyed with `key` (HMAC takes keys of any length).
fn sha1_mac(key: &[u8]) -> Hmac<Sha1> {
    match Hmac::<Sha1>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

/// HMAC-SHA256 keyed with `key`.
fn sha256_mac(key: &[u8]) -> Hmac<Sha256> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

/// Whether `given` (the `X-Twilio-Signature` header) signs this POST;
/// compared in constant time.
pub fn twilio_signature_ok(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    given: &str,
) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(given.trim()) else {
        return false;
    };
    twilio_mac(auth_token, url, params)
        .verify_slice(&given)
        .is_ok()
}

/// The parameters of a form-encoded body, in order.
pub fn form_params(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Meta's `X-Hub-Signature-256` of `body` (`sha256=<hex>`).
pub fn meta_signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac = sha256_mac(app_secret.as_bytes());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` (`sha256=<hex>`) signs `body` with `app_secret`;
/// compared in constant time.
pub fn meta_signature_ok(app_secret: &str, body: &[u8], header: &str) -> bool {
    let Some(given) = header
        .trim()
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    let mut mac = sha256_mac(app_secret.as_bytes());
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// A Twilio status callback's report: `delivered` → delivered,
/// `undelivered`/`failed` → failed with the `ErrorCode`, `sent` → sent (and
/// `read`, for WhatsApp through Twilio); `queued`, `accepted`, `sending`
/// and other in-between states report nothing.
pub fn twilio_status(params: &[(String, String)]) -> Option<StatusReport> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let reported = get("MessageStatus").or_else(|| get("SmsStatus"))?;
    let status = match reported.as_str() {
        "delivered" => "delivered",
        "read" => "read",
        "sent" => "sent",
        "undelivered" | "failed" => "failed",
        _ => return None,
    };
    let reason = (status == "failed").then(|| match get("ErrorCode") {
        Some(code) => format!("{reported} (Twilio error {code})"),
        None => reported.clone(),
    });
    Some(StatusReport {
        vendor_id: get("MessageSid").or_else(|| get("SmsSid")),
        status,
        reason,
    })
}

/// The status reports of a WhatsApp Cloud API webhook
/// (`entry[].changes[].value.statuses[]`: `id`, `status`, `errors[]`);
/// a failure's reason is its first error's title (or message) and code.
pub fn whatsapp_statuses(body: &[u8]) -> Vec<StatusReport> {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut out = Vec::new();
    let entries = v.get("entry").and_then(Value::as_array);
    for change in entries
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("changes").and_then(Value::as_array))
        .flatten()
    {
        let statuses = change.pointer("/value/statuses").and_then(Value::as_array);
        for s in statuses.into_iter().flatten() {
            let (Some(id), Some(status)) = (
                s.get("id").and_then(Value::as_str),
                s.get("status").and_then(Value::as_str),
            ) else {
                continue;
            };
            let status = match status {
                "sent" => "sent",
                "delivered" => "delivered",
                "read" => "read",
                "failed" => "failed",
                _ => continue,
            };
            let reason = (status == "failed").then(|| {
                let e = s.pointer("/errors/0");
                let text = e
                    .and_then(|e| e.get("title").or_else(|| e.get("message")))
                    .and_then(Value::as_str)
                    .unwrap_or("failed")
                    .to_string();
                match e.and_then(|e| e.get("code")).filter(|c| !c.is_null()) {
                    Some(code) => format!("{text} (WhatsApp error {code})"),
                    None => text,
                }
            });
            out.push(StatusReport {
                vendor_id: Some(id.to_string()),
                status,
                reason,
            });
        }
    }
    out
}

/// The delivery receipts of a Messenger webhook
/// (`entry[].messaging[].delivery.mids[]`): each named message was delivered.
/// A receipt with only a `watermark` names no message and is not read (nor
/// are read receipts, which carry only a watermark).
pub fn messenger_deliveries(body: &[u8]) -> Vec<StatusReport> {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let entries = v.get("entry").and_then(Value::as_array);
    entries
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("messaging").and_then(Value::as_array))
        .flatten()
        .filter_map(|m| m.pointer("/delivery/mids").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .map(|mid| StatusReport {
            vendor_id: Some(mid.to_string()),
            status: "delivered",
            reason: None,
        })
        .collect()
}

/// A media type a vendor posts in.
pub trait MediaType: Send + Sync + 'static {
    const CONTENT_TYPE: &'static str;
}

/// `application/json`.
pub struct JsonMedia;
impl MediaType for JsonMedia {
    const CONTENT_TYPE: &'static str = "application/json";
}

/// `application/x-www-form-urlencoded`.
pub struct FormMedia;
impl MediaType for FormMedia {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

/// The raw body of a vendor's signed request, documented as the vendor's
/// payload `T` in media type `M`. The bytes are kept as received: the
/// signature is checked over them before anything is read.
pub struct SignedBody<T, M> {
    pub bytes: Vec<u8>,
    _payload: PhantomData<(T, M)>,
}

impl<'a, T: Type + Send + 'static, M: MediaType> ApiExtractor<'a> for SignedBody<T, M> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: M::CONTENT_TYPE,
                schema: T::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut poem::RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        Ok(SignedBody {
            bytes: <Vec<u8> as FromRequest>::from_request(request, body).await?,
            _payload: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn twilio_signature_matches_twilios_documented_example() {
        // Twilio's "Validating requests" example (auth token 12345).
        let params = pairs(&[
            ("Digits", "1234"),
            ("To", "+18005551212"),
            ("From", "+12349013030"),
            ("Caller", "+12349013030"),
            ("CallSid", "CA1234567890ABCDE"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            twilio_signature("12345", url, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert!(twilio_signature_ok(
            "12345",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!twilio_signature_ok(
            "12346",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!twilio_signature_ok("12345", url, &params, "not base64!"));
    }

    #[test]
    fn meta_signatures_round_trip() {
        let sig = meta_signature("s3cret", b"{}");
        assert!(meta_signature_ok("s3cret", b"{}", &sig));
        assert!(!meta_signature_ok("other", b"{}", &sig));
        assert!(!meta_signature_ok("s3cret", b"{}", "sha1=00"));
    }

    #[test]
    fn statuses_only_move_forward() {
        assert!(advances(None, "delivered"));
        assert!(advances(Some("sent"), "failed"));
        assert!(advances(Some("failed"), "delivered"));
        assert!(advances(Some("delivered"), "read"));
        assert!(!advances(Some("delivered"), "sent"));
        assert!(!advances(Some("delivered"), "failed"));
        assert!(!advances(Some("not_configured"), "delivered"));
    }

    #[test]
    fn twilio_reports_are_read() {
        let r = twilio_status(&pairs(&[
            ("MessageSid", "SM1"),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "30003"),
        ]))
        .unwrap();
        assert_eq!(r.status, "failed");
        assert_eq!(
            r.reason.as_deref(),
            Some("undelivered (Twilio error 30003)")
        );
        assert_eq!(r.vendor_id.as_deref(), Some("SM1"));
        assert!(twilio_status(&pairs(&[("MessageStatus", "sending")])).is_none());
    }
}
