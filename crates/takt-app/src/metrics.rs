//! What `GET /metrics` reports, in Prometheus's text format.
//!
//! Every [`App`] owns its own recorder (no process-wide one), so that two servers in one process
//! (the API tests run many) count apart. Counters are recorded where the thing happens: HTTP
//! requests and rate-limit refusals in `takt-http`'s layers, synced records in its sync handlers,
//! events in [`App::write_with_events`], deliveries in the webhook dispatcher. The pools' use and
//! the pending deliveries are read when `/metrics` is scraped.

use std::time::Duration;

use ::metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use takt_domain::event::Change;
use takt_store::sql::webhooks::dispatch;
use takt_store::sql::{Backend, GroupCommits, PoolStats};
use takt_store::{StoreError, now};

use crate::App;

const REQUESTS: &str = "takt_http_requests_total";
const REQUEST_SECONDS: &str = "takt_http_request_duration_seconds";
const SYNCED: &str = "takt_records_synced_total";
const RATE_LIMITED: &str = "takt_rate_limit_refusals_total";
const EVENTS: &str = "takt_events_appended_total";
const DELIVERIES: &str = "takt_webhook_deliveries_total";
const PENDING: &str = "takt_webhook_pending_deliveries";
const OLDEST_PENDING: &str = "takt_webhook_oldest_pending_delivery_age_seconds";
const POOL_SIZE: &str = "takt_db_pool_connections";
const POOL_IN_USE: &str = "takt_db_pool_connections_in_use";
const POOL_MAX: &str = "takt_db_pool_max_connections";
const GROUPED_WRITES: &str = "takt_db_grouped_writes_total";
const GROUP_COMMITS: &str = "takt_db_group_commits_total";
const BUILD_INFO: &str = "takt_build_info";

/// The latency buckets, in seconds: from a cached read to a large bulk sync.
const BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How a webhook delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Succeeded,
    /// Failed, and will be attempted again.
    Retried,
    /// Failed for good: the retry schedule ran out.
    Failed,
}

impl DeliveryOutcome {
    fn label(self) -> &'static str {
        match self {
            DeliveryOutcome::Succeeded => "succeeded",
            DeliveryOutcome::Retried => "retried",
            DeliveryOutcome::Failed => "failed",
        }
    }
}

/// One server's counters and the recorder that renders them.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), &BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Metrics { recorder, handle };
        metrics.with(|| {
            describe_counter!(REQUESTS, "HTTP requests answered, by method, route template and status.");
            describe_histogram!(
                REQUEST_SECONDS,
                Unit::Seconds,
                "Time to answer an HTTP request (to the answer's head), by method, route template and status."
            );
            describe_counter!(SYNCED, "Records synced or upserted, by entity and action (created, updated, error).");
            describe_counter!(RATE_LIMITED, "Requests refused with 429 because their key's rate limit ran out.");
            describe_counter!(EVENTS, "Events appended to the event log, by entity.");
            describe_counter!(DELIVERIES, "Webhook delivery attempts, by outcome (succeeded, retried, failed).");
            describe_gauge!(PENDING, "Webhook deliveries not yet done (due, or waiting for a retry).");
            describe_gauge!(
                OLDEST_PENDING,
                Unit::Seconds,
                "Age of the oldest pending webhook delivery (0 when none is pending)."
            );
            describe_gauge!(POOL_SIZE, "Database connections open, idle or in use, by pool.");
            describe_gauge!(POOL_IN_USE, "Database connections in use, by pool.");
            describe_gauge!(POOL_MAX, "The most database connections a pool opens, by pool.");
            describe_counter!(
                GROUPED_WRITES,
                "Single writes committed in a transaction they may share (group commit)."
            );
            describe_counter!(
                GROUP_COMMITS,
                "Transactions those writes committed in; writes per commit is the batch size."
            );
            describe_gauge!(BUILD_INFO, "Always 1; the labels say which Takt this is.");
            gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            // Counters without labels, and every outcome, exist from the start at 0.
            counter!(RATE_LIMITED).absolute(0);
            counter!(GROUPED_WRITES).absolute(0);
            counter!(GROUP_COMMITS).absolute(0);
            for outcome in [DeliveryOutcome::Succeeded, DeliveryOutcome::Retried, DeliveryOutcome::Failed] {
                counter!(DELIVERIES, "outcome" => outcome.label()).absolute(0);
            }
        });
        metrics
    }

    fn with<T>(&self, record: impl FnOnce() -> T) -> T {
        ::metrics::with_local_recorder(&self.recorder, record)
    }

    /// One HTTP request answered. `route` is the route's template (`/api-jobs/{id}`), never the
    /// path asked for, so that the series stay few.
    pub fn request(&self, method: &'static str, route: &str, status: u16, elapsed: Duration) {
        self.with(|| {
            let labels = [("method", method.to_owned()), ("route", route.to_owned()), ("status", status.to_string())];
            counter!(REQUESTS, &labels).increment(1);
            histogram!(REQUEST_SECONDS, &labels).record(elapsed.as_secs_f64());
        });
    }

    /// `count` records of `entity` synced with `action` (`created`, `updated` or `error`).
    pub fn synced(&self, entity: &'static str, action: &'static str, count: u64) {
        if count > 0 {
            self.with(|| counter!(SYNCED, "entity" => entity, "action" => action).increment(count));
        }
    }

    /// A request refused for its key's rate limit.
    pub fn rate_limited(&self) {
        self.with(|| counter!(RATE_LIMITED).increment(1));
    }

    /// Events appended, counted by entity.
    pub(crate) fn events_appended(&self, changes: &[Change]) {
        self.with(|| {
            for change in changes {
                counter!(EVENTS, "entity" => change.entity.clone()).increment(1);
            }
        });
    }

    /// The `webhook.delivery_failed` event the dispatcher appends when a delivery fails for good.
    pub(crate) fn delivery_failed_event(&self) {
        self.with(|| counter!(EVENTS, "entity" => "webhook").increment(1));
    }

    pub(crate) fn delivery(&self, outcome: DeliveryOutcome) {
        self.with(|| counter!(DELIVERIES, "outcome" => outcome.label()).increment(1));
    }

    /// Keeps the histograms from growing between scrapes (run every few seconds).
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// Everything, with the gauges set from what was just read.
    fn render(
        &self,
        pools: &[PoolStats],
        grouped: GroupCommits,
        pending: Option<(i64, Option<DateTime<Utc>>)>,
    ) -> String {
        self.with(|| {
            counter!(GROUPED_WRITES).absolute(grouped.writes);
            counter!(GROUP_COMMITS).absolute(grouped.commits);
            for pool in pools {
                gauge!(POOL_SIZE, "pool" => pool.name).set(f64::from(pool.size));
                gauge!(POOL_IN_USE, "pool" => pool.name).set(f64::from(pool.size.saturating_sub(pool.idle)));
                gauge!(POOL_MAX, "pool" => pool.name).set(f64::from(pool.max));
            }
            if let Some((count, oldest)) = pending {
                gauge!(PENDING).set(count as f64);
                let age = oldest.map_or(0.0, |at| (now() - at).num_milliseconds().max(0) as f64 / 1000.0);
                gauge!(OLDEST_PENDING).set(age);
            }
        });
        self.handle.render()
    }
}

/// `/metrics`: the counters, with the pools' use, the group commits and the pending deliveries
/// read now. A database
/// that does not answer leaves the delivery gauges as they were last read.
pub(crate) async fn render<B: Backend>(app: &App<B>) -> String {
    let pools = app.db.backend().pools();
    let pending: Result<_, StoreError> = app
        .db
        .read(|mut tx| async move {
            let result = dispatch::pending(&mut tx).await;
            (tx, result)
        })
        .await;
    let pending = match pending {
        Ok(pending) => Some(pending),
        Err(error) => {
            tracing::warn!(%error, "metrics: could not read the pending webhook deliveries");
            None
        }
    };
    app.metrics.render(&pools, app.db.group_commits(), pending)
}
