//! The platform's mail service: e-mail over SMTP (lettre), configured through
//! the settings layering (`--smtp-url` / `FRONTLINE_SMTP_URL` / `smtp_url` in
//! frontline.toml, and the same for `smtp_from` and `smtp_allow_plaintext`).
//!
//! The URL says how to connect:
//! `smtps://[user:pass@]host[:465]` (TLS from the first byte),
//! `smtp://[user:pass@]host[:587]?tls=required` (STARTTLS, never sent without it)
//! or `smtp://[user:pass@]host[:25]` (no encryption). Credentials are refused
//! over an unencrypted connection to any host but a loopback one, unless
//! `smtp_allow_plaintext` is on. Each delivery times out after 15 s.
//! Without a URL nothing is sent: [`Mailer::from_settings`] answers `None` and
//! the caller says so (the contact center keeps the message in its outbox).

use std::time::Duration;

use lettre::message::{header::ContentType, Attachment as MailAttachment, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::Settings;

/// How long one delivery may take (connect, TLS, AUTH, DATA).
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// The sender used when `smtp_from` is not set.
pub const DEFAULT_FROM: &str = "frontline@localhost";

/// The mail rows of the server settings.
#[derive(Debug, Clone, Default)]
pub struct MailSettings {
    /// The SMTP server (see the module docs); `None`: mail is not sent.
    pub smtp_url: Option<String>,
    /// The sender address (default [`DEFAULT_FROM`]).
    pub from: Option<String>,
    /// Allow credentials over an unencrypted connection to a remote host.
    pub allow_plaintext: bool,
}

/// Why mail could not be configured or sent. The messages never contain the
/// URL's password.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum MailError {
    /// The settings are unusable or unsafe.
    #[error("{0}")]
    Config(String),
    /// The message could not be built (bad address, …).
    #[error("{0}")]
    Message(String),
    /// The SMTP server refused or could not be reached.
    #[error("SMTP delivery failed: {0}")]
    Delivery(String),
}

/// A file sent along with a message.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub filename: String,
}

/// One plain-text message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attachment: Option<Attachment>,
}

/// A checked SMTP configuration that sends [`Mail`].
#[derive(Debug, Clone)]
pub struct Mailer {
    url: String,
    host: String,
    from: String,
}

impl Mailer {
    /// `None` when no SMTP server is configured; `Some(Err)` when the
    /// configuration is unusable or unsafe.
    pub fn from_settings(settings: &Settings) -> Option<Result<Mailer, MailError>> {
        Mailer::from_mail_settings(&settings.mail)
    }

    /// As [`Mailer::from_settings`], from the mail rows alone.
    pub fn from_mail_settings(mail: &MailSettings) -> Option<Result<Mailer, MailError>> {
        let url = mail
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())?;
        let from = mail
            .from
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_FROM);
        Some(Mailer::new(url, from, mail.allow_plaintext))
    }

    /// Checks `url` against the rules in the module docs.
    pub fn new(url: &str, from: &str, allow_plaintext: bool) -> Result<Mailer, MailError> {
        let bad = |m: String| Err(MailError::Config(m));
        let parsed = match url::Url::parse(url) {
            Ok(u) => u,
            Err(e) => return bad(format!("smtp_url is not a URL: {e}")),
        };
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let encrypted = match (parsed.scheme(), tls.as_deref()) {
            ("smtps", _) => true,
            ("smtp", Some("required")) => true,
            ("smtp", None | Some("opportunistic")) => false,
            (scheme, tls) => {
                return bad(format!(
                    "smtp_url: unknown scheme {scheme:?} or tls={tls:?} (use smtps://, smtp://…?tls=required or smtp://)"
                ))
            }
        };
        let Some(host) = parsed.host() else {
            return bad("smtp_url has no host".into());
        };
        let loopback = match &host {
            // smtp:// is not a "special" scheme: its IP hosts come as text.
            url::Host::Domain(d) => {
                d.eq_ignore_ascii_case("localhost")
                    || d.trim_matches(['[', ']'])
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        let host = host.to_string();
        let credentials = !parsed.username().is_empty() || parsed.password().is_some();
        if credentials && !encrypted && !loopback && !allow_plaintext {
            return bad(format!(
                "refusing to send SMTP credentials unencrypted to {host}: use smtps:// or smtp://…?tls=required \
                 (or turn on smtp_allow_plaintext)"
            ));
        }
        if let Err(e) = from.parse::<lettre::message::Mailbox>() {
            return bad(format!("smtp_from {from:?} is not an address: {e}"));
        }
        Ok(Mailer {
            url: url.to_string(),
            host,
            from: from.to_string(),
        })
    }

    /// The server's host (for messages; never the credentials).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The sender address.
    pub fn from(&self) -> &str {
        &self.from
    }

    /// Sends `mail`; `Ok` once the server accepted it.
    pub async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let msg = |e: String| MailError::Message(e);
        let mut builder = Message::builder()
            .from(
                self.from
                    .parse()
                    .map_err(|e| msg(format!("bad sender address: {e}")))?,
            )
            .subject(mail.subject);
        for r in &mail.to {
            builder = builder.to(r
                .parse()
                .map_err(|e| msg(format!("bad recipient {r}: {e}")))?);
        }
        let text = SinglePart::plain(mail.body);
        let message = match mail.attachment {
            Some(a) => {
                let ct = ContentType::parse(&a.content_type).unwrap_or(ContentType::TEXT_PLAIN);
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(text)
                        .singlepart(MailAttachment::new(a.filename).body(a.bytes, ct)),
                )
            }
            None => builder.singlepart(text),
        }
        .map_err(|e| msg(format!("could not build the message: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&self.url)
            .map_err(|e| MailError::Config(format!("smtp_url ({}): {e}", self.host)))?
            .timeout(Some(SMTP_TIMEOUT));
        transport
            .build()
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Delivery(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, plaintext: bool) -> Result<Mailer, MailError> {
        Mailer::new(url, DEFAULT_FROM, plaintext)
    }

    #[test]
    fn credentials_travel_encrypted_or_to_loopback_only() {
        assert!(check("smtps://u:p@mail.example.com", false).is_ok());
        assert!(check("smtp://u:p@mail.example.com:587?tls=required", false).is_ok());
        assert!(check("smtp://u:p@127.0.0.1:2525", false).is_ok());
        assert!(check("smtp://mail.example.com:25", false).is_ok());
        let err = check("smtp://u:s3cret@mail.example.com", false).unwrap_err();
        assert!(err.to_string().contains("unencrypted"), "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert!(check("smtp://u:p@mail.example.com", true).is_ok());
        assert!(check("http://mail.example.com", false).is_err());
        assert!(check("smtp://x?tls=maybe", false).is_err());
        assert!(Mailer::new("smtp://127.0.0.1", "not an address", false).is_err());
    }

    #[test]
    fn no_url_means_no_mailer() {
        assert!(Mailer::from_mail_settings(&MailSettings::default()).is_none());
        let blank = MailSettings {
            smtp_url: Some("  ".into()),
            ..Default::default()
        };
        assert!(Mailer::from_mail_settings(&blank).is_none());
        let set = MailSettings {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            from: Some("reports@frontline.test".into()),
            allow_plaintext: false,
        };
        let m = Mailer::from_mail_settings(&set).unwrap().unwrap();
        assert_eq!(m.from(), "reports@frontline.test");
        assert_eq!(m.host(), "127.0.0.1");
    }
}
