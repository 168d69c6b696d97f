//! Resolved server settings (the binary merges flags, env and frontline.toml).

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub host: String,
    pub port: u16,
    /// Per-document rate limits on (default) or off.
    pub rate_limits: bool,
    /// Largest JSON request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest file upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Lifetime of access tokens, in seconds.
    pub token_ttl_secs: i64,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// Largest `limit`/page size any list accepts.
    pub max_page_size: u32,
    /// Which addresses outgoing calls (webhooks, providers) may reach:
    /// public ones, plus the operator's `outbound_allow` exceptions.
    pub outbound: crate::outbound::OutboundPolicy,
    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are
    /// believed (IPs or CIDR ranges); none by default.
    pub trusted_proxies: Vec<crate::http::ProxyNet>,
    /// The SMTP server mail goes through (see [`crate::mail`]); none by default.
    pub mail: crate::mail::MailSettings,
    /// Serve HTTPS with this certificate chain and key (PEM files, re-read
    /// on SIGHUP); plain HTTP when unset.
    pub tls: Option<TlsFiles>,
    /// Vendor base URLs, server-wide senders and per-message costs of
    /// outbound deliveries (see [`crate::deliver`]).
    pub delivery: crate::deliver::DeliverySettings,
    /// The address users and outside services reach this server at (e.g.
    /// `https://frontline.example.com`), for links in mail and for vendor
    /// callbacks; when unset, links are built from `http://{host}:{port}`.
    pub public_url: Option<String>,
}

/// The PEM files HTTPS is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Settings {
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Settings {
            data_dir: data_dir.into(),
            host: "127.0.0.1".into(),
            port: 8080,
            rate_limits: true,
            max_body_bytes: 10 * 1024 * 1024,
            max_upload_bytes: 50 * 1024 * 1024,
            token_ttl_secs: 86_400,
            admin_email: None,
            admin_password: None,
            max_page_size: 100,
            outbound: crate::outbound::OutboundPolicy::default(),
            trusted_proxies: Vec::new(),
            mail: crate::mail::MailSettings::default(),
            tls: None,
            delivery: crate::deliver::DeliverySettings::default(),
            public_url: None,
        }
    }

    /// The base of links handed to users and vendors, without a trailing slash.
    pub fn public_base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => {
                let scheme = if self.tls.is_some() { "https" } else { "http" };
                format!("{scheme}://{}:{}", self.host, self.port)
            }
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("frontline.db")
    }
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }
    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }
}
