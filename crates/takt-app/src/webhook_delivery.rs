//! The webhook dispatcher that runs inside `takt serve`: it turns new events into deliveries,
//! claims the due ones, POSTs each event signed as Standard Webhooks defines it, and records
//! every attempt. At least once: a delivery is done only once its success is recorded, and a
//! crash lets its lease run out so that it is attempted again, with the same `webhook-id`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use takt_domain::webhook::signature::{
    HEADER_ERYXON_EVENT, HEADER_ERYXON_SIGNATURE, HEADER_WEBHOOK_ID, HEADER_WEBHOOK_SIGNATURE,
    HEADER_WEBHOOK_TIMESTAMP, eryxon_signature, signature_header,
};
use takt_domain::webhook::{WebhookSecret, WebhookUrl, check_ip, check_url, format_duration};
use takt_store::sql::Backend;
use takt_store::sql::webhooks::dispatch::{self, AttemptResult, Claimed};
use takt_store::{StoreError, now};
use tokio::sync::broadcast::error::TryRecvError;

use crate::App;
use crate::metrics::DeliveryOutcome;

/// How the dispatcher behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySettings {
    /// The delays after each failed attempt; once they run out the delivery has failed.
    pub retry_schedule: Vec<Duration>,
    /// Whether receivers on loopback addresses may be called (tests, a receiver on this host).
    pub allow_loopback: bool,
    /// An endpoint whose deliveries have all failed for this long is switched off.
    pub disable_after: Duration,
}

/// A receiver must connect within this, and answer within [`TIMEOUT`].
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is this instance's: an attempt's time and then some.
const LEASE: Duration = Duration::from_secs(15);
/// Deliveries attempted at once.
const BATCH: i64 = 32;
/// How long the dispatcher sleeps when nothing is due and no event was committed.
const IDLE: Duration = Duration::from_secs(1);
/// How long the dispatcher gathers commits once one wakes it: the commits that come in that
/// time are one round's work (a round is two write transactions) rather than a round each.
const GATHER: Duration = Duration::from_millis(10);
/// How much of a receiver's answer the log keeps.
const RESPONSE_BYTES: usize = 1024;

/// Delivers until the process ends.
pub(crate) async fn run<B: Backend>(app: &App<B>, settings: DeliverySettings) {
    let mut notices = app.committed.subscribe();
    loop {
        let busy = match step(app, &settings).await {
            Ok(busy) => busy,
            Err(error) => {
                tracing::warn!(%error, "delivering webhooks failed; trying again shortly");
                false
            }
        };
        if busy {
            continue;
        }
        let wait = match next_due(app).await {
            Ok(Some(due)) => (due - now()).to_std().unwrap_or(Duration::ZERO).min(IDLE),
            _ => IDLE,
        };
        if tokio::time::timeout(wait, notices.recv()).await.is_ok() {
            tokio::time::sleep(GATHER).await;
            while !matches!(notices.try_recv(), Err(TryRecvError::Empty | TryRecvError::Closed)) {}
        }
    }
}

/// One round: new deliveries, then one attempt of each due one. Whether there was work.
async fn step<B: Backend>(app: &App<B>, settings: &DeliverySettings) -> Result<bool, StoreError> {
    let at = now();
    let waiting = app
        .db
        .read(|mut tx| async move {
            let result = dispatch::work_waiting(&mut tx, at).await;
            (tx, result)
        })
        .await?;
    if !waiting {
        return Ok(false);
    }
    let made = app
        .db
        .write(|mut tx| async move {
            let result = dispatch::enqueue(&mut tx, at).await;
            (tx, result)
        })
        .await?;
    let lease_until = at + LEASE;
    let claimed = app
        .db
        .write(|mut tx| async move {
            let result = dispatch::claim(&mut tx, at, lease_until, BATCH).await;
            (tx, result)
        })
        .await?;
    if claimed.is_empty() {
        return Ok(made > 0);
    }
    let results = join_all(claimed.iter().map(|c| attempt(c, settings.allow_loopback))).await;
    let disable_after = chrono::Duration::from_std(settings.disable_after).unwrap_or(chrono::Duration::MAX);
    let reason = format!(
        "every delivery failed for {}; switch it on again with active: true",
        format_duration(settings.disable_after)
    );
    let reason = reason.as_str();
    for (claimed, result) in claimed.iter().zip(&results) {
        let at = now();
        let retry_at = match result.succeeded {
            true => None,
            false => usize::try_from(claimed.attempt - 1)
                .ok()
                .and_then(|n| settings.retry_schedule.get(n))
                .and_then(|delay| chrono::Duration::from_std(*delay).ok())
                .map(|delay| at + delay),
        };
        app.db
            .write(|mut tx| async move {
                let disable_before =
                    at.checked_sub_signed(disable_after).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
                let switch_off = (disable_before, reason);
                let result = dispatch::record(&mut tx, claimed, result, retry_at, switch_off, at).await;
                (tx, result)
            })
            .await?;
        let outcome = match (result.succeeded, retry_at) {
            (true, _) => DeliveryOutcome::Succeeded,
            (false, Some(_)) => DeliveryOutcome::Retried,
            (false, None) => DeliveryOutcome::Failed,
        };
        app.metrics.delivery(outcome);
        if outcome == DeliveryOutcome::Failed {
            // `record` appended a `webhook.delivery_failed` event.
            app.metrics.delivery_failed_event();
            let _ = app.committed.send(claimed.tenant.0);
        }
    }
    Ok(true)
}

async fn next_due<B: Backend>(app: &App<B>) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = dispatch::next_due(&mut tx).await;
            (tx, result)
        })
        .await
}

/// One POST of one event; never fails, the outcome says what happened.
async fn attempt(claimed: &Claimed, allow_loopback: bool) -> AttemptResult {
    let started = Instant::now();
    let outcome = post(claimed, allow_loopback).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    match outcome {
        Ok((status, body)) => AttemptResult {
            succeeded: (200..300).contains(&status),
            http_status: Some(i64::from(status)),
            duration_ms,
            response_body: Some(body),
            error: (!(200..300).contains(&status)).then(|| format!("the receiver answered {status}")),
        },
        Err(error) => {
            AttemptResult { succeeded: false, http_status: None, duration_ms, response_body: None, error: Some(error) }
        }
    }
}

/// A client for `url` that connects only to an address that passed the policy, checked again
/// after name resolution.
pub(crate) async fn checked_client(url: &str, allow_loopback: bool) -> Result<(reqwest::Client, WebhookUrl), String> {
    let url = check_url(url, allow_loopback).map_err(|refusal| refusal.to_string())?;
    let (host, port) = url.host_and_port();
    let addresses: Vec<SocketAddr> = match url.ip_literal() {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("{host} does not resolve: {e}"))?
            .collect(),
    };
    let address = addresses
        .iter()
        .copied()
        .find(|a| check_ip(a.ip(), allow_loopback).is_ok())
        .ok_or_else(|| format!("{host} resolves only to addresses that may not be called"))?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host, address)
        .build()
        .map_err(|e| format!("no HTTP client: {e}"))?;
    Ok((client, url))
}

/// Posts the delivery and answers the status and the start of the body.
async fn post(claimed: &Claimed, allow_loopback: bool) -> Result<(u16, String), String> {
    let (client, url) = checked_client(&claimed.url, allow_loopback).await?;
    let response = client
        .post(url.as_str())
        .headers(headers(claimed)?)
        .body(claimed.body.clone())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let mut response = response;
    let mut body = Vec::new();
    while body.len() < RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(RESPONSE_BYTES);
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

fn headers(claimed: &Claimed) -> Result<HeaderMap, String> {
    let secrets: Vec<WebhookSecret> = claimed.secrets.iter().filter_map(|s| WebhookSecret::parse(s).ok()).collect();
    let current = secrets.first().ok_or("the webhook has no usable secret")?;
    let id = claimed.event_id.to_string();
    let timestamp = chrono::Utc::now().timestamp();
    let body = claimed.body.as_bytes();
    let signature = signature_header(&secrets.iter().collect::<Vec<_>>(), &id, timestamp, body);
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, HeaderValue::from_static(concat!("takt/", env!("CARGO_PKG_VERSION"))));
    for (name, value) in [
        (HEADER_WEBHOOK_ID, id),
        (HEADER_WEBHOOK_TIMESTAMP, timestamp.to_string()),
        (HEADER_WEBHOOK_SIGNATURE, signature),
        (HEADER_ERYXON_EVENT, claimed.event_type.clone()),
        (HEADER_ERYXON_SIGNATURE, eryxon_signature(current, body)),
    ] {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        headers.insert(name, HeaderValue::from_str(&value).map_err(|e| e.to_string())?);
    }
    Ok(headers)
}

pub(crate) fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the receiver did not answer in time".to_owned()
    } else if error.is_connect() {
        format!("could not connect: {error}")
    } else {
        error.to_string()
    }
}
