//! Serving HTTPS without a reverse proxy: the certificate chain and key are
//! PEM files, checked at start (a bad file stops the server with its name)
//! and re-read on SIGHUP, so a renewed certificate (certbot, an internal CA)
//! takes effect without dropping connections. A reload that fails keeps the
//! certificate in use and says why in the log.

use frontline_platform::settings::TlsFiles;
use futures_util::stream::{self, Stream, StreamExt};
use poem::http::uri::Scheme;
use poem::listener::{Acceptor, IntoTlsConfigStream, Listener, RustlsCertificate, RustlsConfig};
use poem::web::{LocalAddr, RemoteAddr};

/// Reads and checks the files; the error names the file and what is wrong.
pub fn load(files: &TlsFiles) -> Result<RustlsConfig, String> {
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read(path)
            .map_err(|e| format!("cannot read the TLS {what} {}: {e}", path.display()))
    };
    let cert = read(&files.cert, "certificate")?;
    let key = read(&files.key, "key")?;
    let config = |cert: Vec<u8>, key: Vec<u8>| {
        RustlsConfig::new().fallback(RustlsCertificate::new().cert(cert).key(key))
    };
    // poem parses the PEM when it builds the acceptor; do it now so a bad
    // pair is refused here, with the file names, not on the first connection.
    let _checked = config(cert.clone(), key.clone())
        .into_stream()
        .map_err(|e| {
            format!(
                "the TLS certificate {} and key {} cannot be used: {e}",
                files.cert.display(),
                files.key.display()
            )
        })?;
    Ok(config(cert, key))
}

/// `first`, then a fresh configuration after every SIGHUP whose files load.
/// The SIGHUP handler is installed here, before the server answers, so a
/// hangup can never take SIGHUP's default action (ending the process).
pub fn reloading(
    files: TlsFiles,
    first: RustlsConfig,
) -> impl Stream<Item = RustlsConfig> + Send + 'static {
    let hangups = Hangups::install();
    let reloads = stream::unfold((files, hangups), |(files, mut hangups)| async move {
        loop {
            if !hangups.next().await {
                return None;
            }
            match load(&files) {
                Ok(config) => {
                    tracing::info!(cert = %files.cert.display(), "TLS certificate reloaded (SIGHUP)");
                    println!("TLS certificate reloaded from {}", files.cert.display());
                    return Some((config, (files, hangups)));
                }
                Err(e) => {
                    tracing::error!(error = %e, "TLS reload refused; the current certificate stays");
                    eprintln!("TLS reload refused ({e}); the current certificate stays");
                }
            }
        }
    });
    stream::once(async move { first }).chain(reloads)
}

/// SIGHUP deliveries.
struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangups {
    fn install() -> Hangups {
        #[cfg(unix)]
        {
            let signal =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
            if signal.is_none() {
                tracing::warn!("SIGHUP unavailable: TLS files are read once");
            }
            Hangups { signal }
        }
        #[cfg(not(unix))]
        Hangups {}
    }

    /// Waits for the next SIGHUP (false: there will be none).
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        if let Some(s) = self.signal.as_mut() {
            return s.recv().await.is_some();
        }
        std::future::pending::<()>().await;
        false
    }
}

/// A listener whose first `accept` steps aside once. poem's TLS acceptor
/// waits on its configuration stream and the socket together and, when a
/// client is already waiting at start, may take the connection before the
/// first configuration and drop it ("no valid tls config"). Yielding once
/// lets the configuration in first, so the first client is served too.
pub struct ConfigFirst<L>(pub L);

impl<L: Listener> Listener for ConfigFirst<L> {
    type Acceptor = ConfigFirstAcceptor<L::Acceptor>;

    async fn into_acceptor(self) -> std::io::Result<Self::Acceptor> {
        Ok(ConfigFirstAcceptor {
            inner: self.0.into_acceptor().await?,
            started: false,
        })
    }
}

pub struct ConfigFirstAcceptor<A> {
    inner: A,
    started: bool,
}

impl<A: Acceptor> Acceptor for ConfigFirstAcceptor<A> {
    type Io = A::Io;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        if !self.started {
            self.started = true;
            tokio::task::yield_now().await;
        }
        self.inner.accept().await
    }
}
