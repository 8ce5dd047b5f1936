//! The bulk-sync and event-log benchmark: a release build of `takt serve` on loopback, fed bulk
//! requests of 1000 jobs, each with 2 parts of 3 operations (9000 records a request). Phases:
//! fresh creates; the same requests again (nothing changes, so nothing is written and no event
//! appended); the requests with every record changed (an update event each, with `changes`);
//! then the whole event log read back through `GET /api-events`, 1000 events a page, checked
//! against the records created and changed; then the time from a commit to its webhook's
//! receipt on loopback. On SQLite always; on PostgreSQL when this machine has
//! one (a throwaway cluster with PostgreSQL's default durability), or at `TAKT_BENCH_POSTGRES_URL`.
//!
//! Run: `cargo bench -p takt --bench bulk_sync` (`TAKT_BENCH_ROUNDS` sets the requests per phase).

#[path = "../tests/api/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

#[path = "bulk_sync/feed.rs"]
mod feed;
#[path = "bulk_sync/support.rs"]
#[allow(dead_code)]
mod support;
#[path = "bulk_sync/webhook.rs"]
mod webhook;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{CELLS, JOBS, OPERATIONS, PARTS, Phase, RECORDS, Server, body};

/// Sends each body as `POST /api-jobs/bulk-sync`, one at a time, and checks that every job of it
/// was `expected` (`created` or `updated`).
async fn sync_phase(
    client: &reqwest::Client,
    server: &Server,
    name: &'static str,
    bodies: &[Vec<u8>],
    expected: &str,
) -> Phase {
    let mut phase = Phase::new(name, "records");
    let auth = format!("Bearer {}", server.key);
    let started = Instant::now();
    for bytes in bodies {
        let sent = Instant::now();
        let response = client
            .post(format!("{}/api-jobs/bulk-sync", server.base))
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap();
        phase.latencies.push(sent.elapsed());
        assert!(status.is_success(), "{answer}");
        assert_eq!(answer["data"][expected], JOBS, "{}", answer["data"]["results"][0]);
        phase.count += RECORDS;
    }
    phase.elapsed = started.elapsed();
    phase
}

async fn run(backend: &str, database: &str, rounds: usize) {
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(600)).build().unwrap();
    let server = support::start(database, &client).await;
    if std::env::var_os("TAKT_BENCH_SHOW_PID").is_some() {
        println!("{backend:<10} server pid {}", server.pid());
    }
    for (i, name) in CELLS.iter().enumerate() {
        let cell = json!({"external_id": format!("WC-{i}"), "external_source": "BENCH", "name": name});
        let r = client
            .put(format!("{}/api-cells/sync", server.base))
            .header("authorization", format!("Bearer {}", server.key))
            .json(&cell)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let encode = |revision| (0..rounds).map(|r| serde_json::to_vec(&body(r, revision)).unwrap()).collect::<Vec<_>>();
    let (fresh, revised) = (encode(None), encode(Some("B")));

    sync_phase(&client, &server, "create", &fresh, "created").await.report(backend);
    sync_phase(&client, &server, "re-sync same", &fresh, "updated").await.report(backend);
    sync_phase(&client, &server, "re-sync changed", &revised, "updated").await.report(backend);
    let (mut read, tally) = feed::read_all(&client, &server).await;
    read.report(backend);
    println!(
        "{backend:<10} feed: {} events in {} pages, client decoding {:.0} % of the read's wall time",
        tally.total(),
        read.latencies.len(),
        tally.decoding.as_secs_f64() / read.elapsed.as_secs_f64() * 1e2
    );
    webhook::latency(&client, &server).await.report(backend);
    if let Some(peak) = server.peak_memory() {
        println!("{backend:<10} server peak resident memory {:.0} MiB", peak as f64 / 1024.0);
    }
    drop(server);

    // The figures are of a working log: one event per record created or changed, none for the
    // re-sync that changed nothing.
    let created = RECORDS * rounds + CELLS.len();
    let changed = RECORDS * rounds;
    assert_eq!(tally.total(), created + changed, "events read = records created + changed: {:?}", tally.types);
    assert_eq!(tally.ending(".created"), created, "{:?}", tally.types);
    assert_eq!(tally.ending(".updated"), changed, "{:?}", tally.types);
    assert_eq!(tally.updates_without_notes, 0, "every update event lists the changed notes");
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::var("TAKT_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(10);
    println!(
        "bulk-sync: {JOBS} jobs x {PARTS} parts x {OPERATIONS} operations = {RECORDS} records a request, {rounds} requests a phase"
    );

    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("bench.db").display().to_string();
    run("sqlite", &sqlite, rounds).await;

    if let Some(url) = support::postgres_database().await {
        run("postgres", &url, rounds).await;
    }
}
