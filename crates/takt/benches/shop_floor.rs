//! The shop floor's benchmark: a release build of `takt serve` on loopback with one cell holding
//! 5,000 open operations (5,000 jobs of one part and one operation each). Phases: the cell's
//! dispatch queue read one request at a time (its first page of 100, then a page of 1,000); then
//! start/complete pairs of the lifecycle from 32 concurrent connections, each pair on an
//! operation of its own. On SQLite always; on PostgreSQL when this machine has one (a throwaway
//! cluster with PostgreSQL's default durability), or at `TAKT_BENCH_POSTGRES_URL`.
//!
//! Run: `cargo bench -p takt --bench shop_floor` (`TAKT_BENCH_PAIRS` sets the pairs, 2,000 by
//! default).

#[path = "../tests/api/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

#[path = "bulk_sync/support.rs"]
#[allow(dead_code)]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Phase, Server};

const OPEN: usize = 5000;
const CONNECTIONS: usize = 32;

async fn call(
    client: &reqwest::Client,
    server: &Server,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut request = client.request(method, format!("{}{path}", server.base)).bearer_auth(&server.key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{path}: {answer}");
    answer
}

/// 5,000 jobs, one part and one operation each, all in cell `Cutting`; the operations' ids.
async fn fill(client: &reqwest::Client, server: &Server) -> Vec<String> {
    let cell = json!({"external_id": "WC-1", "external_source": "BENCH", "name": "Cutting"});
    call(client, server, reqwest::Method::PUT, "/api-cells/sync", Some(cell)).await;
    for round in 0..OPEN / 1000 {
        let jobs: Vec<Value> = (0..1000)
            .map(|j| {
                let n = round * 1000 + j;
                json!({"external_id": format!("J-{n}"), "external_source": "BENCH", "job_number": format!("J-{n}"),
                       "due_date": format!("2027-{:02}-{:02}", n % 12 + 1, n % 28 + 1), "priority": n % 5,
                       "parts": [{"external_id": format!("P-{n}"), "part_number": "P", "quantity": 25,
                                  "operations": [{"external_id": format!("O-{n}"), "operation_name": "Cut",
                                                  "cell_name": "Cutting", "sequence": 10}]}]})
            })
            .collect();
        call(client, server, reqwest::Method::POST, "/api-jobs/bulk-sync", Some(json!({"jobs": jobs}))).await;
    }
    let mut ids = Vec::with_capacity(OPEN);
    for offset in (0..OPEN).step_by(1000) {
        let page =
            call(client, server, reqwest::Method::GET, &format!("/api-operations?limit=1000&offset={offset}"), None)
                .await;
        ids.extend(page["data"]["operations"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()));
    }
    assert_eq!(ids.len(), OPEN);
    ids
}

async fn queue_phase(client: &reqwest::Client, server: &Server, name: &'static str, limit: usize) -> Phase {
    let mut phase = Phase::new(name, "lines");
    let started = Instant::now();
    for _ in 0..100 {
        let sent = Instant::now();
        let answer = call(
            client,
            server,
            reqwest::Method::GET,
            &format!("/api-cells/queue?cell_name=Cutting&limit={limit}"),
            None,
        )
        .await;
        phase.latencies.push(sent.elapsed());
        assert_eq!(answer["data"]["pagination"]["total"], OPEN);
        phase.count += answer["data"]["queue"].as_array().unwrap().len();
    }
    phase.elapsed = started.elapsed();
    phase
}

/// Start/complete pairs from `CONNECTIONS` workers; every request's latency.
async fn lifecycle_phase(client: &reqwest::Client, server: &Server, operations: Vec<String>) -> Phase {
    let operations = Arc::new(operations);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (client, base, key) = (client.clone(), server.base.clone(), server.key.clone());
            let (operations, next) = (operations.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = operations.get(i) else { break };
                    for (action, body) in [("start", None), ("complete", Some(json!({"good": 24, "scrap": 1})))] {
                        let sent = Instant::now();
                        let mut request =
                            client.post(format!("{base}/api-operation-lifecycle/{action}?id={id}")).bearer_auth(&key);
                        if let Some(body) = &body {
                            request = request.json(body);
                        }
                        let response = request.send().await.unwrap();
                        let status = response.status();
                        let _ = response.bytes().await.unwrap();
                        assert!(status.is_success(), "{action} {id}: {status}");
                        latencies.push(sent.elapsed());
                    }
                }
                latencies
            })
        })
        .collect();
    let mut phase = Phase::new("start+complete", "pairs");
    for worker in workers {
        phase.latencies.extend(worker.await.unwrap());
    }
    phase.elapsed = started.elapsed();
    phase.count = operations.len();
    phase
}

fn p95(phase: &Phase) -> f64 {
    let mut sorted = phase.latencies.clone();
    sorted.sort();
    sorted[((sorted.len() - 1) as f64 * 0.95).round() as usize].as_secs_f64() * 1e3
}

async fn run(backend: &str, database: &str, pairs: usize) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let server = support::start(database, &client).await;
    let operations = fill(&client, &server).await;
    for (name, limit) in [("queue 100", 100), ("queue 1000", 1000)] {
        let mut phase = queue_phase(&client, &server, name, limit).await;
        let p95 = p95(&phase);
        phase.report(backend);
        println!("{backend:<10} {name:<16} p95 {p95:.1} ms");
    }
    let pairs = operations.into_iter().take(pairs).collect();
    lifecycle_phase(&client, &server, pairs).await.report(backend);
    if let Some(peak) = server.peak_memory() {
        println!("{backend:<10} server peak resident memory {:.0} MiB", peak as f64 / 1024.0);
    }
}

#[tokio::main]
async fn main() {
    let pairs: usize = std::env::var("TAKT_BENCH_PAIRS").ok().and_then(|r| r.parse().ok()).unwrap_or(2000).min(OPEN);
    println!(
        "shop floor: one cell of {OPEN} open operations; {pairs} start/complete pairs at {CONNECTIONS} connections"
    );
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("bench.db").display().to_string();
    run("sqlite", &sqlite, pairs).await;
    if let Some(url) = support::postgres_database().await {
        run("postgres", &url, pairs).await;
    }
}
