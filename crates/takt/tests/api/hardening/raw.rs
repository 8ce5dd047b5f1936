//! HTTP/1.1 by hand over a TCP socket, for what a well-behaved client cannot send: trickled
//! headers, stalled bodies, bytes that are not HTTP.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::support::TestApp;

/// An answer read off a socket.
#[derive(Debug)]
pub struct RawAnswer {
    pub status: u16,
    /// The head, lowercased.
    pub head: String,
    pub body: Vec<u8>,
}

impl RawAnswer {
    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Asserts an answer in the envelope with `status` and `code`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> Value {
        let body = self.json();
        assert_eq!(self.status, status, "{}\n{}", self.head, String::from_utf8_lossy(&self.body));
        assert!(self.head.contains("content-type: application/json"), "{}", self.head);
        assert_eq!(body["success"], false, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        body
    }
}

/// Connects to the app.
pub async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address).await.expect("connect")
}

/// Reads one answer (head and `Content-Length` body), or `None` if the connection closes first.
pub async fn read_answer(stream: &mut TcpStream) -> Option<RawAnswer> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let length: usize =
        head.lines().find_map(|line| line.strip_prefix("content-length:")).map_or(0, |n| n.trim().parse().unwrap());
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    Some(RawAnswer { status, head, body })
}

/// Sends `request` on a new connection and reads the answer, within 5 s.
pub async fn exchange(app: &TestApp, request: &[u8]) -> Option<RawAnswer> {
    let mut stream = connect(app).await;
    let _ = stream.write_all(request).await;
    timeout(Duration::from_secs(5), read_answer(&mut stream)).await.expect("an answer or a close within 5 s")
}

/// Whether the server closes `stream` within `within`, reading (and discarding) what it sends.
pub async fn closes_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// `GET /health` on a new connection answers `200` within a second.
pub async fn health_answers(address: SocketAddr) {
    let answered = timeout(Duration::from_secs(1), async {
        let mut stream = TcpStream::connect(address).await.expect("connect");
        stream.write_all(b"GET /health HTTP/1.1\r\nhost: takt\r\nconnection: close\r\n\r\n").await.unwrap();
        read_answer(&mut stream).await
    })
    .await;
    let answer = answered.expect("/health answers within 1 s").expect("an answer");
    assert_eq!(answer.status, 200, "{answer:?}");
}

/// A request head with the `acme` key, a JSON body of `length` declared, and `extra` headers.
pub fn head(app: &TestApp, method: &str, path: &str, length: usize, extra: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nhost: takt\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\n\
         content-length: {length}\r\n{extra}\r\n",
        app.key
    )
    .into_bytes()
}
