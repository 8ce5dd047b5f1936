//! `GET /metrics`: open to all, in Prometheus's text format (read back by a parser of the
//! format), with each counter moved by exactly the requests, syncs, refusals, events and webhook
//! deliveries a scenario made.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use reqwest::Method;
use serde_json::{Value, json};
use takt_domain::rate_limit::RatePolicy;
use takt_http::Config;
use tokio::time::Instant;

use super::prometheus::Exposition;
use crate::backend_tests;
use crate::support::{Backend, TestApp, test_config};

const REQUESTS: &str = "takt_http_requests_total";
const SYNCED: &str = "takt_records_synced_total";
const DELIVERIES: &str = "takt_webhook_deliveries_total";
const EVENTS: &str = "takt_events_appended_total";
const GROUPED_WRITES: &str = "takt_db_grouped_writes_total";
const GROUP_COMMITS: &str = "takt_db_group_commits_total";

/// Scrapes `/metrics` with no key.
async fn scrape(app: &TestApp) -> Exposition {
    let response = app.client.get(app.url("/metrics")).send().await.expect("the server answers");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    Exposition::parse(&response.text().await.expect("a body"))
}

fn cell(id: &str, name: &str) -> Value {
    json!({"external_id": id, "external_source": "SAP", "name": name})
}

/// The number of events of each entity in the tenant's feed.
async fn events_by_entity(app: &TestApp, key: &str) -> BTreeMap<String, f64> {
    let feed = app.call(Method::GET, "/api-events?after=0&limit=1000").key(key).send().await;
    let mut counts = BTreeMap::new();
    for event in feed.expect(200)["data"]["events"].as_array().expect("events") {
        *counts.entry(event["entity"].as_str().expect("an entity").to_owned()).or_insert(0.0) += 1.0;
    }
    counts
}

/// The counts of `takt_events_appended_total` by entity.
fn appended_by_entity(metrics: &Exposition) -> BTreeMap<String, f64> {
    metrics.matching(EVENTS, &[]).map(|s| (s.labels["entity"].clone(), s.value)).collect()
}

/// A receiver on loopback that answers the statuses of `script` in turn, then `200`; counts
/// what it got.
async fn receiver(script: Vec<u16>) -> (String, Arc<Mutex<usize>>) {
    let received = Arc::new(Mutex::new(0));
    let script = Arc::new(Mutex::new(script.into_iter()));
    let counter = received.clone();
    let handler = move || {
        let (counter, script) = (counter.clone(), script.clone());
        async move {
            *counter.lock().unwrap() += 1;
            StatusCode::from_u16(script.lock().unwrap().next().unwrap_or(200)).unwrap()
        }
    };
    let router = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}/hook"), received)
}

/// Scrapes until `done` holds (within 10 s); answers that scrape.
async fn scrape_until(app: &TestApp, what: &str, done: impl Fn(&Exposition) -> bool) -> Exposition {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = scrape(app).await;
        if done(&metrics) {
            return metrics;
        }
        assert!(
            Instant::now() < deadline,
            "{what} never came: {:?}",
            metrics.matching(DELIVERIES, &[]).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn deliveries(metrics: &Exposition) -> (f64, f64, f64) {
    let of = |outcome: &str| metrics.get(DELIVERIES, &[("outcome", outcome)]);
    (of("succeeded"), of("retried"), of("failed"))
}

async fn webhook(app: &TestApp, url: &str) {
    let body = json!({"url": url, "events": ["cell.*"], "description": "metrics"});
    app.post("/api-webhooks", body).await.expect(201);
}

backend_tests! {
    async fn metrics_count_requests_by_route_template_syncs_refusals_and_events(backend: Backend) {
        let app = TestApp::spawn_with(backend, Config { rate_limit: RatePolicy { per_minute: 5 }, ..test_config() }).await;
        let before = scrape(&app).await;
        assert_eq!(before.get("takt_rate_limit_refusals_total", &[]), 0.0);
        assert_eq!(deliveries(&before), (0.0, 0.0, 0.0));
        assert_eq!(before.get("takt_build_info", &[("version", env!("CARGO_PKG_VERSION"))]), 1.0);
        assert_eq!(before.value(REQUESTS, &[("method", "GET"), ("route", "/metrics"), ("status", "200")]), None);

        // Five requests on the `acme` key's five tokens, then one refused.
        app.put("/api-cells/sync", cell("WC-1", "Cutting")).await.expect(201);
        app.put("/api-cells/sync", cell("WC-1", "Cutting 2")).await.expect(200);
        app.put("/api-cells/sync", json!({"external_id": "WC-X", "external_source": "SAP"})).await.expect(422);
        let bulk = json!({"cells": [cell("WC-2", "Bending"), cell("WC-1", "Cutting 3"), {"external_id": "WC-Y"}]});
        let answer = app.post("/api-cells/bulk-sync", bulk).await;
        let summary = &answer.expect(200)["data"];
        assert_eq!((&summary["created"], &summary["updated"], &summary["errors"]), (&json!(1), &json!(1), &json!(1)));
        app.get(&format!("/api-cells/{}", uuid::Uuid::new_v4())).await.expect(404);
        app.get("/api-cells").await.expect_error(429, "RATE_LIMIT_EXCEEDED");
        // Another key: the other dialect's path and the master-data API.
        let other = app.key_for("acme").await;
        app.call(Method::PUT, "/functions/v1/api-cells/sync").key(&other).json(cell("WC-3", "Welding")).send().await.expect(201);
        app.call(Method::PUT, "/api/ProductType/Upsert").key(&other).json(json!({"name": "Widget"})).send().await.expect(201);
        app.call(Method::PUT, "/api/ProductType/Upsert").key(&other).json(json!({})).send().await.expect(422);
        // No key, and no route.
        app.call(Method::GET, "/api-cells").no_key().send().await.expect(401);
        app.call(Method::GET, "/no/such/path").no_key().send().await.expect(404);

        // A key is not needed, and a bad one does not get in the way.
        let with_bad_key = app.call(Method::GET, "/metrics").key("not-a-key").send().await;
        assert_eq!(with_bad_key.status, 200);
        let metrics = scrape(&app).await;
        let requests = |method: &str, route: &str, status: &str| {
            metrics.value(REQUESTS, &[("method", method), ("route", route), ("status", status)]).unwrap_or(0.0)
        };
        for (method, route, status) in [
            ("PUT", "/api-cells/sync", "201"),
            ("PUT", "/api-cells/sync", "200"),
            ("PUT", "/api-cells/sync", "422"),
            ("POST", "/api-cells/bulk-sync", "200"),
            ("GET", "/api-cells/{id}", "404"),
            ("GET", "/api-cells", "429"),
            ("GET", "/api-cells", "401"),
            ("PUT", "/functions/v1/api-cells/sync", "201"),
            ("PUT", "/api/{entity}/{action}", "201"),
            ("PUT", "/api/{entity}/{action}", "422"),
            ("GET", "unmatched", "404"),
        ] {
            assert_eq!(requests(method, route, status), 1.0, "{method} {route} {status}");
        }
        assert_eq!(requests("GET", "/metrics", "200"), 2.0, "the two scrapes before this one");
        assert_eq!(metrics.sum(REQUESTS, &[]), 13.0);
        let routes = metrics.label_values(REQUESTS, "route");
        assert!(routes.iter().all(|r| r == "unmatched" || (r.starts_with('/') && !r.contains("no/such"))), "{routes:?}");

        // The latency histogram: one sample per request, in the declared buckets.
        assert_eq!(metrics.types["takt_http_request_duration_seconds"], "histogram");
        assert_eq!(metrics.types[REQUESTS], "counter");
        let labels = [("method", "PUT"), ("route", "/api-cells/sync"), ("status", "201")];
        assert_eq!(metrics.get("takt_http_request_duration_seconds_count", &labels), 1.0);
        assert!(metrics.get("takt_http_request_duration_seconds_sum", &labels) > 0.0);
        let mut buckets: Vec<(f64, f64)> = metrics
            .matching("takt_http_request_duration_seconds_bucket", &labels)
            .map(|s| (s.labels["le"].parse::<f64>().unwrap_or(f64::INFINITY), s.value))
            .collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(buckets.len(), 15, "{buckets:?}");
        assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "cumulative: {buckets:?}");
        assert_eq!(buckets.last(), Some(&(f64::INFINITY, 1.0)));

        // Records synced by entity and action; the refusal; the events, as many as the log has.
        let synced = |entity: &str, action: &str| metrics.value(SYNCED, &[("entity", entity), ("action", action)]);
        assert_eq!(synced("cells", "created"), Some(3.0));
        assert_eq!(synced("cells", "updated"), Some(2.0));
        assert_eq!(synced("cells", "error"), Some(2.0));
        assert_eq!(synced("ProductType", "created"), Some(1.0));
        // The four single writes, one after another: each committed in a transaction of its own
        // (a lone write never waits for company); the bulk sync is not a single write. On
        // PostgreSQL the rate tokens of the nine requests with a valid key are kept in the
        // database, each taken in a single write too.
        let tokens = if matches!(backend, Backend::Postgres) { 9.0 } else { 0.0 };
        assert_eq!(before.get(GROUPED_WRITES, &[]), 0.0);
        assert_eq!(metrics.get(GROUPED_WRITES, &[]), 4.0 + tokens);
        assert_eq!(metrics.get(GROUP_COMMITS, &[]), 4.0 + tokens);
        assert_eq!(synced("ProductType", "error"), Some(1.0));
        assert_eq!(metrics.sum(SYNCED, &[]), 9.0);
        assert_eq!(metrics.get("takt_rate_limit_refusals_total", &[]), 1.0);
        let appended = appended_by_entity(&metrics);
        assert_eq!(appended.get("cell"), Some(&5.0), "{appended:?}");
        assert_eq!(appended, events_by_entity(&app, &other).await);

        // The pools: open, in use and the most they open, per pool.
        let pools = match backend {
            Backend::Sqlite => vec![("writer", 1.0), ("reader", 8.0)],
            Backend::Postgres => vec![("main", 8.0)],
        };
        assert_eq!(metrics.label_values("takt_db_pool_max_connections", "pool").len(), pools.len());
        for (pool, max) in pools {
            assert_eq!(metrics.get("takt_db_pool_max_connections", &[("pool", pool)]), max, "{pool}");
            let open = metrics.get("takt_db_pool_connections", &[("pool", pool)]);
            let in_use = metrics.get("takt_db_pool_connections_in_use", &[("pool", pool)]);
            assert!((1.0..=max).contains(&open) && in_use <= open, "{pool}: {in_use} of {open} of {max}");
            assert_eq!(metrics.types["takt_db_pool_connections"], "gauge");
        }
        assert_eq!(metrics.get("takt_webhook_pending_deliveries", &[]), 0.0);
        assert_eq!(metrics.get("takt_webhook_oldest_pending_delivery_age_seconds", &[]), 0.0);
    }

    async fn metrics_count_webhook_deliveries_by_outcome(backend: Backend) {
        let config = Config {
            webhook_retry_schedule: vec![Duration::from_millis(100)],
            webhook_allow_loopback: true,
            ..test_config()
        };
        let app = TestApp::spawn_with(backend, config).await;
        // One receiver fails once then takes it; the other fails both attempts the schedule allows.
        let (recovers, _) = receiver(vec![500]).await;
        let (fails, _) = receiver(vec![500, 500]).await;
        webhook(&app, &recovers).await;
        webhook(&app, &fails).await;
        app.put("/api-cells/sync", cell("WC-1", "Cutting")).await.expect(201);

        let metrics = scrape_until(&app, "four attempts", |m| deliveries(m) == (1.0, 2.0, 1.0)).await;
        assert_eq!(metrics.types[DELIVERIES], "counter");
        // The failure for good appended a webhook.delivery_failed event.
        let appended = appended_by_entity(&metrics);
        assert_eq!(appended, BTreeMap::from([("cell".to_owned(), 1.0), ("webhook".to_owned(), 1.0)]));
        assert_eq!(appended, events_by_entity(&app, &app.key).await);
        assert_eq!(metrics.get("takt_webhook_pending_deliveries", &[]), 0.0);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(deliveries(&scrape(&app).await), (1.0, 2.0, 1.0), "nothing more was attempted");
    }

    async fn metrics_give_the_age_of_the_oldest_pending_delivery(backend: Backend) {
        let config = Config {
            webhook_retry_schedule: vec![Duration::from_secs(3600)],
            webhook_allow_loopback: true,
            ..test_config()
        };
        let app = TestApp::spawn_with(backend, config).await;
        let (url, received) = receiver(vec![500]).await;
        webhook(&app, &url).await;
        app.put("/api-cells/sync", cell("WC-1", "Cutting")).await.expect(201);
        scrape_until(&app, "the first attempt", |m| deliveries(m) == (0.0, 1.0, 0.0)).await;
        assert_eq!(*received.lock().unwrap(), 1);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let metrics = scrape(&app).await;
        assert_eq!(metrics.get("takt_webhook_pending_deliveries", &[]), 1.0);
        let age = metrics.get("takt_webhook_oldest_pending_delivery_age_seconds", &[]);
        assert!((1.0..60.0).contains(&age), "the delivery was made over a second ago: {age}");
        assert_eq!(metrics.types["takt_webhook_oldest_pending_delivery_age_seconds"], "gauge");
    }
}
