//! The bulk-sync benchmark: a release build of `takt serve` on loopback, fed bulk requests of
//! 1000 jobs, each with 2 parts of 3 operations (9000 records a request), first as creates,
//! then as re-syncs of the same records. On SQLite always; on PostgreSQL when this machine has
//! one (a throwaway cluster with PostgreSQL's default durability), or at `TAKT_BENCH_POSTGRES_URL`.
//!
//! Run: `cargo bench -p takt --bench bulk_sync` (`TAKT_BENCH_ROUNDS` sets the requests per phase).

#[path = "../tests/api/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const JOBS: usize = 1000;
const PARTS: usize = 2;
const OPERATIONS: usize = 3;
const RECORDS: usize = JOBS * (1 + PARTS * (1 + OPERATIONS));
const CELLS: [&str; 3] = ["Cutting", "Bending", "Welding"];

/// A `takt serve` child process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn takt(database: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_takt"));
    command.env("TAKT_DATABASE_URL", database).env("TAKT_LOG", "warn");
    command
}

fn start(database: &str) -> (Server, String) {
    let out = takt(database).args(["keys", "create", "--tenant", "bench"]).output().expect("takt keys create");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = takt(database)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--rate-limit", "100000000"])
        .stdout(Stdio::null())
        .spawn()
        .expect("takt serve");
    (Server { child, base: format!("http://127.0.0.1:{port}") }, key)
}

fn body(round: usize) -> Value {
    let jobs: Vec<Value> = (0..JOBS)
        .map(|j| {
            let job = format!("BENCH-{round}-{j}");
            let parts: Vec<Value> = (0..PARTS)
                .map(|p| {
                    let part = format!("{job}-{p}");
                    let operations: Vec<Value> = (0..OPERATIONS)
                        .map(|o| {
                            json!({
                                "external_id": format!("{part}-{o}"),
                                "operation_name": format!("Step {o}"),
                                "cell_name": CELLS[o % CELLS.len()],
                                "sequence": o,
                                "estimated_time_minutes": 12.5,
                            })
                        })
                        .collect();
                    json!({"external_id": part, "part_number": format!("P-{p}"), "material": "Steel 304", "quantity": 25, "operations": operations})
                })
                .collect();
            json!({
                "external_id": job,
                "external_source": "BENCH",
                "job_number": format!("JOB-{round}-{j}"),
                "customer": "Bench Corp",
                "due_date": "2026-12-31",
                "priority": 3,
                "parts": parts,
            })
        })
        .collect();
    json!({"jobs": jobs})
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

struct Phase {
    name: &'static str,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Phase {
    fn report(&mut self, backend: &str) {
        self.latencies.sort();
        let records = (RECORDS * self.latencies.len()) as f64;
        println!(
            "{backend:<10} {:<8} {:>3} requests  {:>9.0} records/s  p50 {:>7.1} ms  p99 {:>7.1} ms",
            self.name,
            self.latencies.len(),
            records / self.elapsed.as_secs_f64(),
            percentile(&self.latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&self.latencies, 0.99).as_secs_f64() * 1e3,
        );
    }
}

async fn run(backend: &str, database: &str, rounds: usize) {
    let (server, key) = start(database);
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(600)).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{}/health", server.base)).send().await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let auth = format!("Bearer {key}");
    for (i, name) in CELLS.iter().enumerate() {
        let cell = json!({"external_id": format!("WC-{i}"), "external_source": "BENCH", "name": name});
        let r = client
            .put(format!("{}/api-cells/sync", server.base))
            .header("authorization", &auth)
            .json(&cell)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let bodies: Vec<Vec<u8>> = (0..rounds).map(|r| serde_json::to_vec(&body(r)).unwrap()).collect();
    for (name, expected) in [("create", "created"), ("re-sync", "updated")] {
        let mut phase = Phase { name, latencies: Vec::new(), elapsed: Duration::ZERO };
        let started = Instant::now();
        for bytes in &bodies {
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
        }
        phase.elapsed = started.elapsed();
        phase.report(backend);
    }
    if let Some(peak) = peak_memory(&server) {
        println!("{backend:<10} server peak resident memory {:.0} MiB", peak as f64 / 1024.0);
    }
    drop(server);
}

/// The server process's peak resident set size in KiB (Linux `VmHWM`).
fn peak_memory(server: &Server) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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

    let url = match std::env::var("TAKT_BENCH_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) => match postgres::start(postgres::Durability::Default) {
            Ok(cluster) => Some(cluster.fresh_database().await),
            Err(reason) => {
                println!("postgres   skipped: {reason}");
                None
            }
        },
    };
    if let Some(url) = url {
        run("postgres", &url, rounds).await;
    }
}
