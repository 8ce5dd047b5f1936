//! Time from commit to webhook receipt: one cell sync at a time, each answered (so committed)
//! before the clock starts, and the receiver on loopback stops it when the signed delivery of
//! that change arrives. The figure slightly underestimates commit-to-receipt by the answer's
//! trip back to the client (well under a millisecond on loopback).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::support::{Phase, Server};

/// Changes sent, one at a time.
const CHANGES: usize = 200;

pub async fn latency(client: &reqwest::Client, server: &Server) -> Phase {
    let (arrived, mut arrivals) = mpsc::unbounded_channel::<(String, Instant)>();
    let handler = move |body: Bytes| {
        let arrived = arrived.clone();
        async move {
            let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let name = event["data"]["name"].as_str().unwrap_or_default().to_owned();
            let _ = arrived.send((name, Instant::now()));
            StatusCode::OK
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, axum::Router::new().route("/hook", axum::routing::post(handler))).await
    });
    let auth = format!("Bearer {}", server.key);
    let created = client
        .post(format!("{}/api-webhooks", server.base))
        .header("authorization", &auth)
        .json(&json!({"url": url, "events": ["cell.updated"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());

    let answered: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut phase = Phase::new("webhook latency", "deliveries");
    let started = Instant::now();
    for n in 0..CHANGES {
        let name = format!("Latency cell {n}");
        let cell = json!({"external_id": "WC-0", "external_source": "BENCH", "name": name});
        let response = client
            .put(format!("{}/api-cells/sync", server.base))
            .header("authorization", &auth)
            .json(&cell)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        answered.lock().unwrap().insert(name.clone(), Instant::now());
        loop {
            let (got, at) = tokio::time::timeout(Duration::from_secs(10), arrivals.recv())
                .await
                .expect("the delivery came within 10 s")
                .expect("the receiver runs");
            if let Some(sent) = answered.lock().unwrap().get(&got) {
                phase.latencies.push(at.saturating_duration_since(*sent));
            }
            if got == name {
                break;
            }
        }
        phase.count += 1;
    }
    phase.elapsed = started.elapsed();
    phase
}
