//! Webhooks survive `kill -9`: the real `takt serve` is killed while it delivers 1,000 events,
//! started again, and every event reaches the receiver at least once, each under its own
//! `webhook-id` (the same on every attempt). On PostgreSQL also with two instances sharing the
//! deliveries, one of them killed.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use crate::backend_tests;
use crate::operations::common::{Server, create_key};
use crate::support::{Backend, fresh_database};

const EVENTS: usize = 1000;
const ARGS: [&str; 3] = ["--webhook-allow-loopback", "--webhook-retry-schedule", "200ms,200ms,500ms,1s,1s,2s,2s,5s"];

/// A receiver that answers `200` after a short pause, counting each `webhook-id`'s attempts.
struct Receiver {
    url: String,
    seen: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let seen: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
        let log = seen.clone();
        let handler = move |headers: HeaderMap| {
            let log = log.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                let id = headers.get("webhook-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
                *log.lock().unwrap().entry(id).or_default() += 1;
                StatusCode::OK
            }
        };
        let router = axum::Router::new().route("/hook", axum::routing::post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Receiver { url: format!("http://{address}/hook"), seen }
    }

    fn distinct(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    async fn wait_for(&self, n: usize, patience: Duration) {
        let deadline = Instant::now() + patience;
        while self.distinct() < n {
            assert!(Instant::now() < deadline, "{} of {n} events were delivered", self.distinct());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A webhook for every cell event, and one bulk request of 1,000 new cells.
async fn deliver_a_thousand(server: &Server, key: &str, receiver: &Receiver) -> HashSet<String> {
    let api = server.api(key);
    let created = api.post("/api-webhooks", json!({"url": receiver.url, "events": ["cell.*"]})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let cells: Vec<Value> = (0..EVENTS)
        .map(|n| json!({"external_id": format!("C-{n}"), "external_source": "SAP", "name": format!("Cell {n}")}))
        .collect();
    let synced = api.post("/api-cells/bulk-sync", json!({"cells": cells})).await;
    assert_eq!((synced.status, &synced.body["data"]["created"]), (200, &json!(EVENTS)), "the cells were created");
    let mut ids = HashSet::new();
    let mut after = 0;
    loop {
        let page = api.get(&format!("/api-events?after={after}&limit=1000")).await;
        let events = page.body["data"]["events"].as_array().unwrap().clone();
        if events.is_empty() {
            break;
        }
        after = page.body["data"]["next_after"].as_i64().unwrap();
        ids.extend(events.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
    }
    assert_eq!(ids.len(), EVENTS);
    ids
}

/// Checks that every event came, under its own id, and nothing else did.
fn check(receiver: &Receiver, ids: &HashSet<String>) {
    let seen = receiver.seen.lock().unwrap();
    let came: HashSet<String> = seen.keys().cloned().collect();
    assert_eq!(&came, ids, "every event's webhook-id, and no other");
}

backend_tests! {
    async fn a_kill_during_deliveries_loses_none(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let key = create_key(&database, "acme").await;
        let receiver = Receiver::start().await;
        let server = Server::serve(&database, &ARGS).await;
        let ids = deliver_a_thousand(&server, &key, &receiver).await;
        receiver.wait_for(50, Duration::from_secs(30)).await;
        server.signal("KILL").await;
        let before = receiver.distinct();
        assert!(before < EVENTS, "the kill came while deliveries were under way ({before} done)");
        let _restarted = Server::serve(&database, &ARGS).await;
        // A delivery claimed when the process died waits for its lease (15 s) to run out.
        receiver.wait_for(EVENTS, Duration::from_secs(60)).await;
        check(&receiver, &ids);
    }

    async fn two_instances_share_the_deliveries_and_survive_one_kill(backend: Backend) {
        if backend != Backend::Postgres {
            return;
        }
        let (database, _dir) = fresh_database(backend).await;
        let key = create_key(&database, "acme").await;
        let receiver = Receiver::start().await;
        let a = Server::serve(&database, &ARGS).await;
        let _b = Server::serve(&database, &ARGS).await;
        let ids = deliver_a_thousand(&a, &key, &receiver).await;
        receiver.wait_for(50, Duration::from_secs(30)).await;
        a.signal("KILL").await;
        receiver.wait_for(EVENTS, Duration::from_secs(60)).await;
        check(&receiver, &ids);
        let attempts: usize = receiver.seen.lock().unwrap().values().sum();
        assert!(attempts < EVENTS + 100, "deliveries are not attempted twice at once: {attempts} attempts");
    }
}
