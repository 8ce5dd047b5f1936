//! Work `takt serve` does besides answering requests: delivering webhooks, pruning events past
//! their retention and idempotency keys past their day, and keeping the metrics' histograms
//! small between scrapes.

use std::sync::Arc;
use std::time::Duration;

use takt_app::{DeliverySettings, Service};
use takt_http::Config;

/// The shortest and longest pause between two prunes.
const MIN_PRUNE_INTERVAL: Duration = Duration::from_millis(250);
const MAX_PRUNE_INTERVAL: Duration = Duration::from_secs(3600);
/// How often the metrics' histograms fold the latencies recorded since.
const METRICS_UPKEEP: Duration = Duration::from_secs(5);
/// How often expired idempotency keys are deleted (they are ignored once expired anyway).
const IDEMPOTENCY_PRUNE_INTERVAL: Duration = Duration::from_secs(600);

/// Starts the background tasks; they end with the process.
pub fn start(service: Arc<dyn Service>, config: &Config) {
    let retention = config.event_retention;
    let settings = DeliverySettings {
        retry_schedule: config.webhook_retry_schedule.clone(),
        allow_loopback: config.webhook_allow_loopback,
        disable_after: config.webhook_disable_after,
    };
    let dispatcher = service.clone();
    tokio::spawn(async move { dispatcher.deliver_webhooks(settings).await });
    tokio::spawn(metrics_upkeep(service.clone()));
    tokio::spawn(prune_idempotency_keys(service.clone()));
    tokio::spawn(prune_events(service, retention));
}

async fn metrics_upkeep(service: Arc<dyn Service>) {
    loop {
        tokio::time::sleep(METRICS_UPKEEP).await;
        service.metrics().upkeep();
    }
}

/// Deletes events older than `retention`, every half retention (within bounds). Every
/// instance prunes; a prune that finds nothing to delete costs one indexed query.
async fn prune_events(service: Arc<dyn Service>, retention: Duration) {
    let interval = (retention / 2).clamp(MIN_PRUNE_INTERVAL, MAX_PRUNE_INTERVAL);
    let Ok(retention) = chrono::Duration::from_std(retention) else { return };
    loop {
        let Some(cutoff) = takt_store::now().checked_sub_signed(retention) else { return };
        match service.prune_events(cutoff).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned events past their retention"),
            Err(error) => tracing::warn!(%error, "pruning events failed; trying again later"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// Deletes idempotency keys past their 24 hours. Every instance prunes.
async fn prune_idempotency_keys(service: Arc<dyn Service>) {
    loop {
        match service.prune_idempotency_keys().await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned expired idempotency keys"),
            Err(error) => tracing::warn!(%error, "pruning idempotency keys failed; trying again later"),
        }
        tokio::time::sleep(IDEMPOTENCY_PRUNE_INTERVAL).await;
    }
}
