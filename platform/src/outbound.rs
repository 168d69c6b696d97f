//! What the server may call out to (webhooks, chat providers and their health
//! probe): a guard against server-side request forgery.
//!
//! By default only public addresses are reachable: loopback, private,
//! link-local, unspecified, shared (CGNAT), unique-local, multicast,
//! documentation and reserved ranges are refused, and so are the IPv6 forms
//! that carry such an IPv4 address (IPv4-mapped and -compatible, 6to4, NAT64,
//! Teredo). The operator lists exceptions in the `outbound_allow` setting
//! (`--outbound-allow`, `FRONTLINE_OUTBOUND_ALLOW`, `outbound_allow` in
//! frontline.toml): IP addresses, networks (`10.0.0.0/8`), host names,
//! `*.suffix` patterns, or `*` for everything.
//!
//! A URL is checked when it is configured (IP literals: refused at once with a
//! field error) and again before each call; names are resolved by the
//! [`Outbound`] client's own resolver, which drops every address the policy
//! refuses, so the connection goes to an address that was checked (no second
//! DNS answer can slip past).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::error::FieldError;

/// Which destinations outgoing calls may reach (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Exceptions to "public addresses only": IPs, networks, host names,
    /// `*.suffix`, or `*` (anything).
    pub allow: Vec<String>,
}

/// One parsed exception.
enum Rule {
    Any,
    Net(IpNet),
    Host(String),
    Suffix(String),
}

fn rule(entry: &str) -> Rule {
    let e = entry.trim().trim_start_matches('[').trim_end_matches(']');
    if e == "*" {
        Rule::Any
    } else if let Ok(net) = e.parse::<IpNet>() {
        Rule::Net(net)
    } else if let Ok(ip) = e.parse::<IpAddr>() {
        Rule::Net(IpNet::from(ip))
    } else if let Some(suffix) = e.strip_prefix("*.") {
        Rule::Suffix(suffix.to_ascii_lowercase())
    } else {
        Rule::Host(e.to_ascii_lowercase())
    }
}

impl OutboundPolicy {
    /// A policy with these exceptions (comma-separated or one per entry).
    pub fn allowing<I, S>(entries: I) -> OutboundPolicy
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        OutboundPolicy {
            allow: entries
                .into_iter()
                .flat_map(|s| {
                    s.as_ref()
                        .split(',')
                        .map(|p| p.trim().to_ascii_lowercase())
                        .collect::<Vec<_>>()
                })
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }

    /// Whether the operator listed host name `host` (or everything).
    fn host_listed(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.allow.iter().any(|a| match rule(a) {
            Rule::Any => true,
            Rule::Host(h) => h == host,
            Rule::Suffix(s) => host.ends_with(&format!(".{s}")),
            Rule::Net(_) => false,
        })
    }

    /// Whether `ip` (reached under the name `host`, when there is one) may be called.
    pub fn allows_ip(&self, host: Option<&str>, ip: IpAddr) -> bool {
        if is_public(ip) || host.is_some_and(|h| self.host_listed(h)) {
            return true;
        }
        let canonical = ip.to_canonical();
        self.allow.iter().any(|a| match rule(a) {
            Rule::Any => true,
            Rule::Net(net) => net.contains(&ip) || net.contains(&canonical),
            _ => false,
        })
    }

    /// Checks a URL when it is configured and before each call: an absolute
    /// http(s) URL without credentials whose host, when an IP address, is
    /// one the policy allows. Names are checked when they are resolved.
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
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            if !self.allows_ip(None, ip) {
                return Err(FieldError::new(
                    field,
                    format!(
                        "{field} points at {ip}, which is not a public address; this server calls out to \
                         public addresses only (the operator may allow others: FRONTLINE_OUTBOUND_ALLOW)"
                    ),
                ));
            }
        }
        Ok(parsed)
    }

    /// The addresses of `addrs` this policy allows for name `host`.
    pub fn filter_resolved(&self, host: &str, addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
        addrs
            .into_iter()
            .filter(|a| self.allows_ip(Some(host), a.ip()))
            .collect()
    }
}

fn v4_nets() -> &'static [Ipv4Net] {
    static NETS: OnceLock<Vec<Ipv4Net>> = OnceLock::new();
    NETS.get_or_init(|| {
        [
            "0.0.0.0/8",       // "this network", unspecified
            "10.0.0.0/8",      // private
            "100.64.0.0/10",   // shared address space (CGNAT)
            "127.0.0.0/8",     // loopback
            "169.254.0.0/16",  // link-local (cloud metadata)
            "172.16.0.0/12",   // private
            "192.0.0.0/24",    // IETF protocol assignments
            "192.0.2.0/24",    // documentation
            "192.88.99.0/24",  // 6to4 relay anycast
            "192.168.0.0/16",  // private
            "198.18.0.0/15",   // benchmarking
            "198.51.100.0/24", // documentation
            "203.0.113.0/24",  // documentation
            "224.0.0.0/4",     // multicast
            "240.0.0.0/4",     // reserved, broadcast
        ]
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect()
    })
}

fn v6_nets() -> &'static [Ipv6Net] {
    static NETS: OnceLock<Vec<Ipv6Net>> = OnceLock::new();
    NETS.get_or_init(|| {
        [
            "::/96",          // unspecified, loopback, IPv4-compatible (::a9fe:a9fe)
            "64:ff9b:1::/48", // local-use NAT64
            "100::/64",       // discard
            "2001::/32",      // Teredo (hides the client's IPv4)
            "2001:db8::/32",  // documentation
            "fc00::/7",       // unique-local
            "fe80::/10",      // link-local
            "fec0::/10",      // site-local (deprecated)
            "ff00::/8",       // multicast
        ]
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect()
    })
}

fn v4_public(ip: Ipv4Addr) -> bool {
    !v4_nets().iter().any(|n| n.contains(&ip))
}

/// Whether `ip` is a public (globally routed unicast) address, looking
/// through the IPv6 forms that embed an IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_public(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_public(v4);
            }
            if v6_nets().iter().any(|n| n.contains(&v6)) {
                return false;
            }
            let s = v6.segments();
            // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
            if s[0] == 0x2002 {
                return v4_public(embedded_v4(s[1], s[2]));
            }
            // NAT64 well-known prefix: 64:ff9b::/96 carries the IPv4 at the end.
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return v4_public(embedded_v4(s[6], s[7]));
            }
            true
        }
    }
}

fn embedded_v4(hi: u16, lo: u16) -> Ipv4Addr {
    Ipv4Addr::from(((hi as u32) << 16) | lo as u32)
}

/// Resolves names for the [`Outbound`] client and keeps only the addresses
/// the policy allows; the client connects to those, nothing else.
#[derive(Clone)]
pub struct PolicyResolver {
    policy: Arc<OutboundPolicy>,
}

impl PolicyResolver {
    pub fn new(policy: Arc<OutboundPolicy>) -> PolicyResolver {
        PolicyResolver { policy }
    }

    /// Resolves `host` and filters its addresses by the policy; an error
    /// names the refused addresses when none is left.
    pub async fn resolve_host(&self, host: &str) -> Result<Vec<SocketAddr>, String> {
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect();
        let allowed = self.policy.filter_resolved(host, found.clone());
        if allowed.is_empty() {
            let ips: Vec<String> = found.iter().map(|a| a.ip().to_string()).collect();
            return Err(format!(
                "{host} resolves only to addresses that are not public ({}); this server calls out to \
                 public addresses only (FRONTLINE_OUTBOUND_ALLOW)",
                ips.join(", ")
            ));
        }
        Ok(allowed)
    }
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = this
                .resolve_host(&host)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The one HTTP client for outgoing calls, bound to the policy: its resolver
/// filters addresses ([`PolicyResolver`]), no proxy, no redirects.
#[derive(Clone)]
pub struct Outbound {
    policy: Arc<OutboundPolicy>,
    client: reqwest::Client,
}

impl Outbound {
    pub fn new(policy: OutboundPolicy) -> Outbound {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PolicyResolver::new(policy.clone())))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("Frontline/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|e| {
                // Building only fails when the TLS backend cannot start;
                // calls then fail with the reason rather than the server.
                tracing::error!(error = %e, "outbound HTTP client could not be built");
                reqwest::Client::new()
            });
        Outbound { policy, client }
    }

    pub fn policy(&self) -> &OutboundPolicy {
        &self.policy
    }

    /// Checks `url` against the policy just before a call (names are checked
    /// again by the client's resolver as it connects).
    pub fn target(&self, url: &str) -> Result<reqwest::Url, String> {
        self.policy.check_url("url", url).map_err(|e| e.message)
    }

    /// The pinned client: use it for every call out.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("policy", &self.policy)
            .finish()
    }
}

/// A reqwest error with its causes (so a refused address is named).
pub fn describe(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_by_default() {
        let open = OutboundPolicy::default();
        assert!(open.check_url("url", "https://hooks.example.com/x").is_ok());
        assert!(open.check_url("url", "https://93.184.216.34/x").is_ok());
        assert!(open.check_url("url", "https://[2606:4700::1111]/x").is_ok());
        for bad in [
            "http://127.0.0.1:9000/hook",
            "http://0.0.0.0:80/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::a9fe:a9fe]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[2002:7f00:1::]/",
            "http://[64:ff9b::a00:1]/",
            "http://[2001::1]/",
            "http://[ff02::1]/",
        ] {
            let err = open.check_url("url", bad).unwrap_err();
            assert!(
                err.message.contains("not a public address"),
                "{bad}: {err:?}"
            );
        }
        assert!(open.check_url("url", "file:///etc/passwd").is_err());
        assert!(open
            .check_url("url", "http://user:pw@example.com/")
            .is_err());
        // A 6to4 / NAT64 form of a public address is public.
        assert!(is_public("2002:5db8:d822::1".parse().unwrap()));
        assert!(is_public("64:ff9b::808:808".parse().unwrap()));
    }

    #[test]
    fn the_operator_allows_exceptions() {
        let policy = OutboundPolicy::allowing(["127.0.0.1, 10.0.0.0/8", "*.corp.example"]);
        assert!(policy.check_url("url", "http://127.0.0.1:8080/").is_ok());
        assert!(policy
            .check_url("url", "http://[::ffff:127.0.0.1]/")
            .is_ok());
        assert!(policy.check_url("url", "http://10.9.8.7/").is_ok());
        assert!(policy.check_url("url", "http://127.0.0.2/").is_err());
        assert!(policy.check_url("url", "http://[::1]/").is_err());
        assert!(policy.allows_ip(Some("crm.corp.example"), "192.168.1.5".parse().unwrap()));
        assert!(!policy.allows_ip(Some("crm.other.example"), "192.168.1.5".parse().unwrap()));
        let all = OutboundPolicy::allowing(["*"]);
        assert!(all.check_url("url", "http://169.254.169.254/").is_ok());
    }

    #[test]
    fn resolved_addresses_are_filtered() {
        let open = OutboundPolicy::default();
        let addrs: Vec<SocketAddr> = vec![
            "127.0.0.1:0".parse().unwrap(),
            "[::1]:0".parse().unwrap(),
            "93.184.216.34:0".parse().unwrap(),
        ];
        assert_eq!(
            open.filter_resolved("rebind.example", addrs.clone()),
            vec!["93.184.216.34:0".parse::<SocketAddr>().unwrap()]
        );
        let loopback = OutboundPolicy::allowing(["127.0.0.1"]);
        assert_eq!(loopback.filter_resolved("x.example", addrs).len(), 2);
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_private_addresses() {
        let open = PolicyResolver::new(Arc::new(OutboundPolicy::default()));
        let err = open.resolve_host("localhost").await.unwrap_err();
        assert!(err.contains("not public"), "{err}");
        let loopback = PolicyResolver::new(Arc::new(OutboundPolicy::allowing(["127.0.0.1"])));
        let ok = loopback.resolve_host("localhost").await.unwrap();
        assert!(ok.iter().all(|a| a.ip() == IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }

    /// The client connects through the policy's resolver: `localhost` is
    /// refused by default and reached when 127.0.0.1 is allowed.
    #[tokio::test]
    async fn the_client_connects_through_the_resolver() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            }
        });
        let url = format!("http://localhost:{port}/");
        let open = Outbound::new(OutboundPolicy::default());
        let err = open.client().get(&url).send().await.unwrap_err();
        assert!(describe(&err).contains("not public"), "{}", describe(&err));
        let allowed = Outbound::new(OutboundPolicy::allowing(["127.0.0.1"]));
        let resp = allowed.client().get(&url).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 204);
    }
}
