//! Settings resolution: command-line flags > `FRONTLINE_*` environment >
//! optional `frontline.toml` (in the working directory or `--config`) > defaults.

use std::path::{Path, PathBuf};

use frontline_platform::http::ProxyNet;
use frontline_platform::settings::TlsFiles;
use frontline_platform::Settings;
use serde::Deserialize;

/// What `frontline.toml` may set; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub rate_limits: Option<bool>,
    pub max_body_bytes: Option<usize>,
    pub max_upload_bytes: Option<usize>,
    pub token_ttl_secs: Option<i64>,
    pub max_page_size: Option<u32>,
    /// Non-public destinations outgoing calls may reach (see `outbound`).
    pub outbound_allow: Option<Vec<String>>,
    /// Reverse proxies (IPs or CIDR ranges) whose X-Forwarded-For/-Proto are believed.
    pub trusted_proxies: Option<Vec<ProxyNet>>,
    /// The SMTP server mail goes through (see `frontline_platform::mail`).
    pub smtp_url: Option<String>,
    /// The sender address of mail.
    pub smtp_from: Option<String>,
    /// Allow SMTP credentials over an unencrypted connection to a remote host.
    pub smtp_allow_plaintext: Option<bool>,
    /// PEM certificate chain and private key: serve HTTPS (both or neither).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Outbound deliveries: vendor base URLs, server-wide senders, costs (`[delivery]`).
    pub delivery: Option<DeliveryConfig>,
    /// The address users and vendors reach this server at (links in mail, callbacks).
    pub public_url: Option<String>,
}

/// The `[delivery]` table of frontline.toml, and the `--delivery-*` flags /
/// `FRONTLINE_DELIVERY_*` variables (see `frontline_platform::deliver`).
#[derive(Debug, Default, Clone, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Graph API host for WhatsApp Cloud API and Messenger (default https://graph.facebook.com).
    #[arg(
        long = "delivery-meta-base-url",
        env = "FRONTLINE_DELIVERY_META_BASE_URL"
    )]
    pub meta_base_url: Option<String>,
    /// Graph API version (default v21.0).
    #[arg(
        long = "delivery-meta-api-version",
        env = "FRONTLINE_DELIVERY_META_API_VERSION"
    )]
    pub meta_api_version: Option<String>,
    /// Slack Web API (default https://slack.com/api).
    #[arg(
        long = "delivery-slack-base-url",
        env = "FRONTLINE_DELIVERY_SLACK_BASE_URL"
    )]
    pub slack_base_url: Option<String>,
    /// Telegram Bot API (default https://api.telegram.org).
    #[arg(
        long = "delivery-telegram-base-url",
        env = "FRONTLINE_DELIVERY_TELEGRAM_BASE_URL"
    )]
    pub telegram_base_url: Option<String>,
    /// Bot Framework connector for Teams (default https://smba.trafficmanager.net/teams).
    #[arg(
        long = "delivery-teams-service-url",
        env = "FRONTLINE_DELIVERY_TEAMS_SERVICE_URL"
    )]
    pub teams_service_url: Option<String>,
    /// Where Teams bots' app passwords are exchanged for connector tokens (default https://login.microsoftonline.com).
    #[arg(
        long = "delivery-teams-login-base-url",
        env = "FRONTLINE_DELIVERY_TEAMS_LOGIN_BASE_URL"
    )]
    pub teams_login_base_url: Option<String>,
    /// Twilio-compatible SMS API (default https://api.twilio.com).
    #[arg(
        long = "delivery-twilio-base-url",
        env = "FRONTLINE_DELIVERY_TWILIO_BASE_URL"
    )]
    pub twilio_base_url: Option<String>,
    /// Twilio account SID of server-wide SMS (marketplace review requests).
    #[arg(
        long = "delivery-twilio-account-sid",
        env = "FRONTLINE_DELIVERY_TWILIO_ACCOUNT_SID"
    )]
    pub twilio_account_sid: Option<String>,
    /// Twilio auth token.
    #[arg(
        long = "delivery-twilio-auth-token",
        env = "FRONTLINE_DELIVERY_TWILIO_AUTH_TOKEN",
        hide_env_values = true
    )]
    pub twilio_auth_token: Option<String>,
    /// Twilio sender number (E.164).
    #[arg(long = "delivery-twilio-from", env = "FRONTLINE_DELIVERY_TWILIO_FROM")]
    pub twilio_from: Option<String>,
    /// WhatsApp Cloud API access token of server-wide WhatsApp (marketplace).
    #[arg(
        long = "delivery-whatsapp-token",
        env = "FRONTLINE_DELIVERY_WHATSAPP_TOKEN",
        hide_env_values = true
    )]
    pub whatsapp_token: Option<String>,
    /// WhatsApp sender phone number id.
    #[arg(
        long = "delivery-whatsapp-phone-number-id",
        env = "FRONTLINE_DELIVERY_WHATSAPP_PHONE_NUMBER_ID"
    )]
    pub whatsapp_phone_number_id: Option<String>,
    /// App secret of the server-wide WhatsApp app: checks its status webhooks' X-Hub-Signature-256.
    #[arg(
        long = "delivery-whatsapp-app-secret",
        env = "FRONTLINE_DELIVERY_WHATSAPP_APP_SECRET",
        hide_env_values = true
    )]
    pub whatsapp_app_secret: Option<String>,
    /// The hub.verify_token Meta's webhook verification must give.
    #[arg(
        long = "delivery-whatsapp-verify-token",
        env = "FRONTLINE_DELIVERY_WHATSAPP_VERIFY_TOKEN",
        hide_env_values = true
    )]
    pub whatsapp_verify_token: Option<String>,
    /// Push: the HTTP endpoint that receives {to, title, body}.
    #[arg(long = "delivery-push-url", env = "FRONTLINE_DELIVERY_PUSH_URL")]
    pub push_url: Option<String>,
    /// Push: bearer token sent to the push endpoint.
    #[arg(
        long = "delivery-push-token",
        env = "FRONTLINE_DELIVERY_PUSH_TOKEN",
        hide_env_values = true
    )]
    pub push_token: Option<String>,
    /// Cost of one message per channel when the vendor gives no price: sms=0.0079,whatsapp=0.005.
    #[arg(
        long = "delivery-costs",
        env = "FRONTLINE_DELIVERY_COSTS",
        value_delimiter = ','
    )]
    pub costs: Option<Vec<String>>,
}

/// Merges the delivery layers (flags and env over `[delivery]`) onto the defaults.
pub fn delivery(
    over: &DeliveryConfig,
    file: &FileConfig,
) -> Result<frontline_platform::deliver::DeliverySettings, String> {
    let f = file.delivery.clone().unwrap_or_default();
    let o = over.clone();
    let mut d = frontline_platform::deliver::DeliverySettings::default();
    macro_rules! url {
        ($field:ident) => {
            if let Some(v) = o.$field.or(f.$field) {
                d.$field = v;
            }
        };
    }
    url!(meta_base_url);
    url!(meta_api_version);
    url!(slack_base_url);
    url!(telegram_base_url);
    url!(teams_service_url);
    url!(teams_login_base_url);
    url!(twilio_base_url);
    d.twilio_account_sid = o.twilio_account_sid.or(f.twilio_account_sid);
    d.twilio_auth_token = o.twilio_auth_token.or(f.twilio_auth_token);
    d.twilio_from = o.twilio_from.or(f.twilio_from);
    d.whatsapp_token = o.whatsapp_token.or(f.whatsapp_token);
    d.whatsapp_phone_number_id = o.whatsapp_phone_number_id.or(f.whatsapp_phone_number_id);
    d.whatsapp_app_secret = o.whatsapp_app_secret.or(f.whatsapp_app_secret);
    d.whatsapp_verify_token = o.whatsapp_verify_token.or(f.whatsapp_verify_token);
    d.push_url = o.push_url.or(f.push_url);
    d.push_token = o.push_token.or(f.push_token);
    if let Some(costs) = o.costs.or(f.costs) {
        d.costs = frontline_platform::deliver::DeliverySettings::parse_costs(&costs)?;
    }
    Ok(d)
}

/// Values given on the command line or in the environment (clap merges those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub rate_limits: Option<bool>,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub outbound_allow: Option<Vec<String>>,
    pub trusted_proxies: Option<Vec<ProxyNet>>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub smtp_allow_plaintext: Option<bool>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub delivery: DeliveryConfig,
    pub public_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0} is not valid: {1}")]
    Parse(String, toml::de::Error),
    #[error("HTTPS needs both tls_cert and tls_key (--tls-cert / --tls-key); only {0} is set")]
    HalfTls(&'static str),
}

/// Reads `path` if given, else `./frontline.toml` if present.
pub fn load_file(path: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("frontline.toml"), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| ConfigError::Parse(path.display().to_string(), e))
        }
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            Ok(FileConfig::default())
        }
        Err(e) => Err(ConfigError::Read(path.display().to_string(), e)),
    }
}

/// Merges the layers into the platform settings.
pub fn resolve(over: Overrides, file: FileConfig) -> Settings {
    let data_dir = over
        .data_dir
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("./data"));
    let mut s = Settings::for_data_dir(data_dir);
    if let Some(host) = over.host.or(file.host) {
        s.host = host;
    }
    if let Some(port) = over.port.or(file.port) {
        s.port = port;
    }
    if let Some(on) = over.rate_limits.or(file.rate_limits) {
        s.rate_limits = on;
    }
    if let Some(n) = file.max_body_bytes {
        s.max_body_bytes = n;
    }
    if let Some(n) = file.max_upload_bytes {
        s.max_upload_bytes = n;
    }
    if let Some(n) = file.token_ttl_secs {
        s.token_ttl_secs = n;
    }
    if let Some(n) = file.max_page_size {
        s.max_page_size = n;
    }
    if let Some(allow) = over.outbound_allow.or(file.outbound_allow) {
        s.outbound = frontline_platform::outbound::OutboundPolicy::allowing(allow);
    }
    if let Some(proxies) = over.trusted_proxies.or(file.trusted_proxies) {
        s.trusted_proxies = proxies;
    }
    s.mail.smtp_url = over.smtp_url.or(file.smtp_url);
    s.mail.from = over.smtp_from.or(file.smtp_from);
    if let Some(on) = over.smtp_allow_plaintext.or(file.smtp_allow_plaintext) {
        s.mail.allow_plaintext = on;
    }
    s.public_url = over.public_url.or(file.public_url);
    s.admin_email = over.admin_email;
    s.admin_password = over.admin_password;
    s
}

/// The HTTPS files from the layers: both or neither.
pub fn tls_files(over: &Overrides, file: &FileConfig) -> Result<Option<TlsFiles>, ConfigError> {
    let cert = over.tls_cert.clone().or_else(|| file.tls_cert.clone());
    let key = over.tls_key.clone().or_else(|| file.tls_key.clone());
    match (cert, key) {
        (Some(cert), Some(key)) => Ok(Some(TlsFiles { cert, key })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::HalfTls("the certificate")),
        (None, Some(_)) => Err(ConfigError::HalfTls("the key")),
    }
}

/// Parses `on`/`off` (and true/false, 1/0) for `--rate-limits`.
pub fn parse_switch(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        other => Err(format!("expected on or off, got '{other}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_settings_follow_the_layers() {
        let file: FileConfig = toml::from_str(
            "smtp_url = \"smtp://file.example:25\"\nsmtp_from = \"file@example.com\"\nsmtp_allow_plaintext = true",
        )
        .unwrap();
        let s = resolve(
            Overrides {
                smtp_url: Some("smtps://flag.example".into()),
                ..Default::default()
            },
            file,
        );
        assert_eq!(s.mail.smtp_url.as_deref(), Some("smtps://flag.example"));
        assert_eq!(s.mail.from.as_deref(), Some("file@example.com"));
        assert!(s.mail.allow_plaintext);
        let none = resolve(Overrides::default(), FileConfig::default());
        assert!(none.mail.smtp_url.is_none());
        assert!(!none.mail.allow_plaintext);
    }

    #[test]
    fn delivery_settings_follow_the_layers() {
        let file: FileConfig = toml::from_str(
            "[delivery]\nteams_login_base_url = \"https://login.file\"\nwhatsapp_app_secret = \"wa-file\"\nslack_base_url = \"https://slack.file\"\npush_url = \"https://push.file/send\"\ncosts = [\"sms=0.01\"]",
        )
        .unwrap();
        let over = DeliveryConfig {
            slack_base_url: Some("https://slack.flag/api".into()),
            costs: Some(vec!["sms=0.0079".into(), "whatsapp=0.005".into()]),
            ..Default::default()
        };
        let d = delivery(&over, &file).unwrap();
        assert_eq!(d.slack_base_url, "https://slack.flag/api");
        assert_eq!(d.teams_login_base_url, "https://login.file");
        assert_eq!(d.whatsapp_app_secret.as_deref(), Some("wa-file"));
        assert_eq!(d.push_url.as_deref(), Some("https://push.file/send"));
        assert_eq!(d.cost_of("sms"), 0.0079);
        assert_eq!(d.cost_of("whatsapp"), 0.005);
        assert_eq!(d.cost_of("push"), 0.0);
        // Unset: the vendors' own URLs, no credentials.
        let none = delivery(&DeliveryConfig::default(), &FileConfig::default()).unwrap();
        assert_eq!(none.meta_base_url, "https://graph.facebook.com");
        assert_eq!(none.twilio_base_url, "https://api.twilio.com");
        assert!(none.twilio_account_sid.is_none() && none.push_url.is_none());
        let bad = DeliveryConfig {
            costs: Some(vec!["sms".into()]),
            ..Default::default()
        };
        assert!(delivery(&bad, &FileConfig::default()).is_err());
    }

    #[test]
    fn flags_beat_file_beat_defaults() {
        let file: FileConfig =
            toml::from_str("port = 9000\nhost = \"0.0.0.0\"\nrate_limits = false").unwrap();
        let s = resolve(
            Overrides {
                port: Some(7000),
                ..Default::default()
            },
            file,
        );
        assert_eq!(s.port, 7000);
        assert_eq!(s.host, "0.0.0.0");
        assert!(!s.rate_limits);
        assert_eq!(s.data_dir, PathBuf::from("./data"));
    }

    #[test]
    fn trusted_proxies_flags_beat_file_and_bad_entries_are_refused() {
        let file: FileConfig =
            toml::from_str("trusted_proxies = [\"10.0.0.0/8\", \"192.168.1.5\"]").unwrap();
        let from_file = resolve(Overrides::default(), file);
        assert_eq!(
            from_file
                .trusted_proxies
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
            ["10.0.0.0/8", "192.168.1.5/32"]
        );
        let file: FileConfig = toml::from_str("trusted_proxies = [\"10.0.0.0/8\"]").unwrap();
        let flag = resolve(
            Overrides {
                trusted_proxies: Some(vec!["127.0.0.1".parse().unwrap()]),
                ..Default::default()
            },
            file,
        );
        assert_eq!(flag.trusted_proxies.len(), 1);
        assert_eq!(flag.trusted_proxies[0].to_string(), "127.0.0.1/32");
        assert!(resolve(Overrides::default(), FileConfig::default())
            .trusted_proxies
            .is_empty());
        let bad = toml::from_str::<FileConfig>("trusted_proxies = [\"proxy.local\"]")
            .unwrap_err()
            .to_string();
        assert!(bad.contains("not an IP address or CIDR"), "{bad}");
    }

    #[test]
    fn outbound_exceptions_come_from_flags_or_the_file() {
        let file: FileConfig =
            toml::from_str("outbound_allow = [\"10.0.0.0/8\", \"crm.internal\"]").unwrap();
        assert_eq!(
            resolve(Overrides::default(), file).outbound.allow,
            vec!["10.0.0.0/8", "crm.internal"]
        );
        let file: FileConfig = toml::from_str("outbound_allow = [\"10.0.0.0/8\"]").unwrap();
        let s = resolve(
            Overrides {
                outbound_allow: Some(vec!["127.0.0.1".into()]),
                ..Default::default()
            },
            file,
        );
        assert_eq!(s.outbound.allow, vec!["127.0.0.1"]);
        let s = resolve(Overrides::default(), FileConfig::default());
        assert!(s.outbound.allow.is_empty());
    }

    #[test]
    fn public_url_from_flag_or_file_else_host_and_port() {
        let file: FileConfig = toml::from_str("public_url = \"https://file.example/\"").unwrap();
        let s = resolve(Overrides::default(), file);
        assert_eq!(s.public_base_url(), "https://file.example");
        let file: FileConfig = toml::from_str("public_url = \"https://file.example\"").unwrap();
        let over = Overrides {
            public_url: Some("https://flag.example".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve(over, file).public_base_url(),
            "https://flag.example"
        );
        let mut s = resolve(Overrides::default(), FileConfig::default());
        s.port = 9000;
        assert_eq!(s.public_base_url(), "http://127.0.0.1:9000");
    }

    #[test]
    fn tls_needs_both_files_and_flags_beat_the_file() {
        let file: FileConfig =
            toml::from_str("tls_cert = \"/etc/f/cert.pem\"\ntls_key = \"/etc/f/key.pem\"").unwrap();
        let over = Overrides {
            tls_cert: Some("/run/cert.pem".into()),
            tls_key: Some("/run/key.pem".into()),
            ..Default::default()
        };
        assert_eq!(
            tls_files(&over, &file).unwrap(),
            Some(TlsFiles {
                cert: "/run/cert.pem".into(),
                key: "/run/key.pem".into()
            })
        );
        assert_eq!(
            tls_files(&Overrides::default(), &file)
                .unwrap()
                .unwrap()
                .key,
            PathBuf::from("/etc/f/key.pem")
        );
        assert_eq!(
            tls_files(&Overrides::default(), &FileConfig::default()).unwrap(),
            None
        );
        let half = Overrides {
            tls_cert: Some("/run/cert.pem".into()),
            ..Default::default()
        };
        let err = tls_files(&half, &FileConfig::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("only the certificate is set"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>("prot = 1").is_err());
    }
}
