//! HTTPS without a proxy: `--tls-cert`/`--tls-key` on the real binary, with a
//! certificate generated here; SIGHUP swaps in a renewed certificate without
//! a restart; a bad reload keeps the old one; a half configuration and an
//! unreadable key stop the server with a message naming the file.

#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_frontline");

/// A private CA and a server certificate for 127.0.0.1/localhost signed by
/// it: (CA PEM, server chain PEM, server key PEM). Clients trust the CA.
struct Pair {
    ca: String,
    cert: String,
    key: String,
}

fn certificate(name: &str) -> Pair {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name} CA"));
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = params.signed_by(&key, &issuer).expect("signed");
    Pair {
        ca: ca.pem(),
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

/// A client that trusts only `cert_pem`.
fn client_trusting(cert_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert_pem.as_bytes()).expect("pem")])
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn write_pair(dir: &Path, pair: &Pair) {
    std::fs::write(dir.join("cert.pem"), &pair.cert).unwrap();
    std::fs::write(dir.join("key.pem"), &pair.key).unwrap();
}

#[tokio::test]
async fn serves_https_and_reloads_the_certificate_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let tls = tempfile::tempdir().unwrap();
    let first = certificate("Frontline first");
    write_pair(tls.path(), &first);
    let cert = tls.path().join("cert.pem");
    let key = tls.path().join("key.pem");
    let server = support::start(
        dir.path(),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let health = format!("{}/healthz", server.base);

    let trusts_first = client_trusting(&first.ca);
    let res = trusts_first
        .get(&health)
        .send()
        .await
        .expect("https answer");
    assert_eq!(res.status(), 200);
    // A sign-in over HTTPS sets a Secure session cookie.
    let res = trusts_first
        .post(format!("{}/planning/api/auth/signin", server.base))
        .json(&serde_json::json!({"email": support::ADMIN_EMAIL, "password": support::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("next-auth.session-token="))
        .map(str::to_string);
    assert!(
        cookie.as_deref().is_some_and(|c| c.contains("Secure")),
        "{cookie:?}"
    );
    // Plain HTTP on the same port gets no answer.
    let plain = server.base.replace("https://", "http://");
    let res = reqwest::Client::new()
        .get(format!("{plain}/healthz"))
        .send()
        .await;
    assert!(res.map(|r| r.status() != 200).unwrap_or(true));

    // A broken key on SIGHUP: refused, the first certificate stays.
    std::fs::write(&key, "not a key").unwrap();
    server.signal(libc::SIGHUP);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let fresh = client_trusting(&first.ca);
    assert_eq!(
        fresh
            .get(&health)
            .send()
            .await
            .expect("still served")
            .status(),
        200
    );

    // A renewed certificate on SIGHUP: new connections get it, no restart.
    let renewed = certificate("Frontline renewed");
    write_pair(tls.path(), &renewed);
    server.signal(libc::SIGHUP);
    let trusts_renewed = client_trusting(&renewed.ca);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match trusts_renewed.get(&health).send().await {
            Ok(r) if r.status() == 200 => break,
            other => {
                assert!(
                    Instant::now() < deadline,
                    "renewed certificate not served: {other:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    let old_only = client_trusting(&first.ca);
    assert!(
        old_only.get(&health).send().await.is_err(),
        "the old certificate is still presented"
    );
}

#[test]
fn half_or_unreadable_tls_configuration_stops_the_server_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let tls = tempfile::tempdir().unwrap();
    let cert = tls.path().join("cert.pem");
    std::fs::write(&cert, certificate("x").cert).unwrap();
    let out = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--data-dir",
        ])
        .arg(dir.path())
        .env_remove("FRONTLINE_TLS_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("only the certificate is set"), "{err}");

    let key = tls.path().join("key.pem");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot be used") && err.contains("key.pem"),
        "{err}"
    );
}
