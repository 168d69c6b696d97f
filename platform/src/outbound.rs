//! What the server may call out to (webhooks, chat providers, transcription):
//! a guard against server-side request forgery.
//!
//! By default any http(s) host is allowed except link-local addresses (cloud
//! metadata endpoints such as 169.254.169.254). `FRONTLINE_OUTBOUND_ALLOW`
//! (comma-separated host names, `*.suffix` patterns or IPs) restricts calls to
//! those hosts; `FRONTLINE_OUTBOUND_ALLOW=*` allows everything, link-local too.
//! Names are checked when a URL is configured and resolved addresses again
//! before each call, so DNS cannot be used to slip past the policy.

use std::net::IpAddr;

use crate::error::FieldError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Empty: any host but link-local. Otherwise only these (`*` = anything).
    pub allow: Vec<String>,
}

impl OutboundPolicy {
    /// Reads `FRONTLINE_OUTBOUND_ALLOW`.
    pub fn from_env() -> OutboundPolicy {
        let allow = std::env::var("FRONTLINE_OUTBOUND_ALLOW")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        OutboundPolicy { allow }
    }

    fn allows_everything(&self) -> bool {
        self.allow.iter().any(|a| a == "*")
    }

    fn host_listed(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.allow.iter().any(|a| {
            a == "*"
                || *a == host
                || a.strip_prefix("*.")
                    .is_some_and(|suffix| host.ends_with(&format!(".{suffix}")))
        })
    }

    /// Checks a URL when it is configured: scheme, host, and the allow-list.
    pub fn check_url(&self, field: &str, url: &str) -> Result<reqwest::Url, FieldError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| {
            FieldError::new(field, format!("{field} must be an absolute http(s) URL"))
        })?;
        let host = parsed.host_str().unwrap_or_default().to_string();
        if !matches!(parsed.scheme(), "http" | "https") || host.is_empty() {
            return Err(FieldError::new(
                field,
                format!("{field} must be an absolute http(s) URL"),
            ));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(FieldError::new(
                field,
                format!("{field} must not contain credentials"),
            ));
        }
        if !self.allow.is_empty() && !self.host_listed(&host) {
            return Err(FieldError::new(
                field,
                format!(
                    "{host} is not in this server's outbound allow-list (FRONTLINE_OUTBOUND_ALLOW)"
                ),
            ));
        }
        if let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            if !self.ip_allowed(&host, ip) {
                return Err(FieldError::new(
                    field,
                    format!("{field} points at a link-local address"),
                ));
            }
        }
        Ok(parsed)
    }

    fn ip_allowed(&self, host: &str, ip: IpAddr) -> bool {
        if self.allows_everything()
            || (!self.allow.is_empty()
                && self.host_listed(host)
                && self.host_listed(&ip.to_string()))
        {
            return true;
        }
        !is_link_local(ip)
    }

    /// Resolves `url`'s host and checks every address, just before a call.
    pub async fn check_resolved(&self, url: &reqwest::Url) -> Result<(), String> {
        let host = url.host_str().unwrap_or_default().to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs =
            tokio::net::lookup_host((host.trim_start_matches('[').trim_end_matches(']'), port))
                .await
                .map_err(|e| format!("cannot resolve {host}: {e}"))?;
        for addr in addrs {
            if !self.ip_allowed(&host, addr.ip()) {
                return Err(format!(
                    "{host} resolves to a link-local address ({})",
                    addr.ip()
                ));
            }
        }
        Ok(())
    }
}

fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => {
            (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_link_local())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_addresses_are_refused_by_default() {
        let open = OutboundPolicy::default();
        assert!(open.check_url("url", "https://hooks.example.com/x").is_ok());
        assert!(open.check_url("url", "http://127.0.0.1:9000/hook").is_ok());
        assert!(open
            .check_url("url", "http://169.254.169.254/latest/meta-data")
            .is_err());
        assert!(open.check_url("url", "http://[fe80::1]/").is_err());
        assert!(open.check_url("url", "file:///etc/passwd").is_err());
        assert!(open
            .check_url("url", "http://user:pw@example.com/")
            .is_err());
    }

    #[test]
    fn an_allow_list_restricts_hosts() {
        let policy = OutboundPolicy {
            allow: vec!["*.corp.example".into(), "127.0.0.1".into()],
        };
        assert!(policy
            .check_url("url", "https://crm.corp.example/hook")
            .is_ok());
        assert!(policy.check_url("url", "http://127.0.0.1:8080/").is_ok());
        let err = policy
            .check_url("url", "https://evil.example.net/")
            .unwrap_err();
        assert!(err.message.contains("allow-list"));
    }

    #[tokio::test]
    async fn resolved_addresses_are_checked_before_calls() {
        let open = OutboundPolicy::default();
        let url = reqwest::Url::parse("http://127.0.0.1:1/").unwrap();
        assert!(open.check_resolved(&url).await.is_ok());
        let url = reqwest::Url::parse("http://169.254.169.254/").unwrap();
        assert!(open.check_resolved(&url).await.is_err());
    }
}
