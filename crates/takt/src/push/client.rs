//! The push command's HTTP client: gzip when the server takes it, an `Idempotency-Key` per
//! request kept across its retries, and retries with backoff for network failures and answers
//! that say "later".

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER};
use serde_json::Value;
use uuid::Uuid;

/// The first wait before a retry; each further one doubles, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest `Retry-After` honoured; a server asking for more is waited on this long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// How long one request may take, answer included (a 1000-record nested bulk is slow to write).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// Whether request bodies are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gzip {
    /// Not known yet: the first request is compressed, and sent plain again if refused.
    Untried,
    On,
    Off,
}

/// A server's final answer to one request.
#[derive(Debug)]
pub enum Answer {
    /// A 2xx answer's JSON body.
    Ok(Value),
    /// Any other answer: the status and the envelope's message (or the body's text).
    Refused { status: StatusCode, message: String },
}

/// A client of one server with one key.
pub struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
    retries: u32,
    gzip: Gzip,
}

impl Client {
    pub fn new(server: &str, key: &str, retries: u32) -> Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("takt-push/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("setting up the HTTP client")?;
        let base = server.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            bail!("--server must be an http:// or https:// URL, not {server:?}");
        }
        Ok(Client { http, base, key: key.to_owned(), retries, gzip: Gzip::Untried })
    }

    /// POSTs a JSON body to `path`, with an `Idempotency-Key` when `idempotent`, retrying what
    /// may be retried. An error means no answer came (the network, or retries ran out).
    pub async fn post(&mut self, path: &str, body: &[u8], idempotent: bool) -> Result<Answer> {
        let mut compressed = (self.gzip != Gzip::Off).then(|| gzip(body));
        let mut key = idempotent.then(|| Uuid::new_v4().to_string());
        let mut attempt = 0;
        loop {
            let sent = match &compressed {
                Some(bytes) => bytes.as_slice(),
                None => body,
            };
            let mut request = self
                .http
                .post(format!("{}{path}", self.base))
                .header(AUTHORIZATION, format!("Bearer {}", self.key))
                .header(CONTENT_TYPE, "application/json")
                .body(sent.to_vec());
            if compressed.is_some() {
                request = request.header(CONTENT_ENCODING, "gzip");
            }
            if let Some(key) = &key {
                request = request.header("idempotency-key", key);
            }
            let wait = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    if self.gzip == Gzip::Untried && compressed.is_some() {
                        if matches!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::BAD_REQUEST) {
                            // The server did not read the compressed body, so it wrote nothing:
                            // the same records go again, plain, under a new key.
                            self.gzip = Gzip::Off;
                            compressed = None;
                            key = idempotent.then(|| Uuid::new_v4().to_string());
                            continue;
                        }
                        if !retryable(status) {
                            self.gzip = Gzip::On;
                        }
                    }
                    let retry_after = retry_after(&response);
                    let text = response.text().await;
                    match text {
                        Ok(text) if retryable(status) || in_use(status, &text) => {
                            if attempt >= self.retries {
                                bail!("the server answered {status} {} times; giving up", attempt + 1);
                            }
                            retry_after.unwrap_or_else(|| backoff(attempt))
                        }
                        Ok(text) if status.is_success() => {
                            let value = serde_json::from_str(&text)
                                .with_context(|| format!("the server's answer ({status}) is not JSON"))?;
                            return Ok(Answer::Ok(value));
                        }
                        Ok(text) => return Ok(Answer::Refused { status, message: message_of(&text) }),
                        Err(error) if attempt >= self.retries => {
                            return Err(error).context("reading the server's answer");
                        }
                        Err(_) => backoff(attempt),
                    }
                }
                Err(error) if attempt >= self.retries => {
                    return Err(error).with_context(|| format!("sending to {}{path}", self.base));
                }
                Err(_) => backoff(attempt),
            };
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::default());
    encoder.write_all(body).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Answers that say "try again later": too many requests, and the gateway or server being
/// unavailable for now.
fn retryable(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// `409 IDEMPOTENCY_KEY_IN_USE`: an earlier attempt with this key still runs on the server
/// (its answer was lost, say, to a timeout); asking again later gets its answer.
fn in_use(status: StatusCode, text: &str) -> bool {
    status == StatusCode::CONFLICT
        && serde_json::from_str::<Value>(text)
            .is_ok_and(|body| body["error"]["code"].as_str() == Some("IDEMPOTENCY_KEY_IN_USE"))
}

/// `Retry-After` in seconds (the HTTP-date form falls back to the backoff).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let seconds: u64 = response.headers().get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF.saturating_mul(2u32.saturating_pow(attempt)).min(MAX_BACKOFF)
}

/// The envelope's `error.message`, or the body's first line when it is not the envelope.
fn message_of(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(body) => match body["error"]["message"].as_str() {
            Some(message) => message.to_owned(),
            None => body.to_string(),
        },
        Err(_) => text.lines().next().unwrap_or("").chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        assert_eq!(backoff(0), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(20), MAX_BACKOFF);
    }
}
