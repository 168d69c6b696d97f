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
