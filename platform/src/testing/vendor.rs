//! A stand-in for an outside HTTP API (a channel vendor, an SMS or push
//! provider, a model provider) on 127.0.0.1: it records every request and
//! answers what the test says, so a client built against a configurable URL
//! is tested against a server speaking that API.

use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request the vendor saw: request line, headers (lower case), body.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `POST /path HTTP/1.1`.
    pub line: String,
    /// The request line and headers, lower-cased.
    pub head: String,
    pub body: String,
}

impl Seen {
    /// The request target (path and query).
    pub fn path(&self) -> &str {
        self.line.split(' ').nth(1).unwrap_or_default()
    }
}

/// Everything the vendor saw, in order.
pub type Log = Arc<Mutex<Vec<Seen>>>;

/// Starts a vendor; `answer(request, n)` gives the status and JSON body for a
/// request that is the `n`-th (from 0) to its path. Returns the base URL
/// (`http://127.0.0.1:<port>`) and the log.
pub async fn vendor(
    answer: impl Fn(&Seen, usize) -> (u16, Value) + Send + Sync + 'static,
) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (seen, answer) = (seen.clone(), answer.clone());
            tokio::spawn(async move {
                let Some((head, body)) = read_request(&mut sock).await else {
                    return;
                };
                let request = Seen {
                    line: head.lines().next().unwrap_or_default().to_string(),
                    head: head.to_lowercase(),
                    body: String::from_utf8_lossy(&body).to_string(),
                };
                let n = {
                    let mut log = seen.lock().expect("vendor log");
                    let n = log.iter().filter(|s| s.path() == request.path()).count();
                    log.push(request.clone());
                    n
                };
                let (code, json) = answer(&request, n);
                let text = json.to_string();
                let resp = format!(
                    "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (base, log)
}

/// Reads one HTTP/1.1 request: its head (request line and headers) and its
/// body (by `content-length`). `None` when the peer closed first.
pub async fn read_request(sock: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (head_end, len) = loop {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..p]).to_lowercase();
            let len = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            break (p + 4, len);
        }
    };
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    Some((head, buf[head_end..].to_vec()))
}
