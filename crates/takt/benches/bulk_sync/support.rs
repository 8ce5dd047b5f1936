//! The benchmark's server process, its request bodies and its figures.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const JOBS: usize = 1000;
pub const PARTS: usize = 2;
pub const OPERATIONS: usize = 3;
/// Records a request: each job, its parts, their operations.
pub const RECORDS: usize = JOBS * (1 + PARTS * (1 + OPERATIONS));
pub const CELLS: [&str; 3] = ["Cutting", "Bending", "Welding"];

/// A `takt serve` child process, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub key: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The process's peak resident set size in KiB (Linux `VmHWM`).
    pub fn peak_memory(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The CPU time (user and system) the process has used so far (Linux `/proc/<pid>/stat`).
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // The fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        let per_second = std::process::Command::new("getconf").arg("CLK_TCK").output().ok()?;
        let per_second: u64 = String::from_utf8_lossy(&per_second.stdout).trim().parse().ok()?;
        Some(Duration::from_secs_f64(ticks as f64 / per_second as f64))
    }
}

fn takt(database: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_takt"));
    command.env("TAKT_DATABASE_URL", database).env("TAKT_LOG", "warn");
    command
}

/// The PostgreSQL database of a run: `TAKT_BENCH_POSTGRES_URL`, or a fresh database of a
/// throwaway cluster with PostgreSQL's default durability; none, with the reason printed, when
/// this machine has neither.
pub async fn postgres_database() -> Option<String> {
    match std::env::var("TAKT_BENCH_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) => match crate::postgres::start(crate::postgres::Durability::Default) {
            Ok(cluster) => Some(cluster.fresh_database().await),
            Err(reason) => {
                println!("postgres   skipped: {reason}");
                None
            }
        },
    }
}

/// Creates an API key of `tenant` (and the tenant, if it is new) with `takt keys create`, which
/// also migrates a new database; answers the key.
pub fn create_key(database: &str, tenant: &str) -> String {
    let out = takt(database).args(["keys", "create", "--tenant", tenant]).output().expect("takt keys create");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Starts `takt serve` on a free loopback port with an API key of tenant `bench`, and waits
/// until it answers.
pub async fn start(database: &str, client: &reqwest::Client) -> Server {
    let key = create_key(database, "bench");
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = takt(database)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--rate-limit",
            "100000000",
            "--webhook-allow-loopback",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("takt serve");
    let server = Server { child, base: format!("http://127.0.0.1:{port}"), key };
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{}/health", server.base)).send().await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server
}

/// The request of round `round`: 1000 new jobs. With a `revision`, every job, part and
/// operation also gets a `notes` (and every job a `customer`) that the stored records lack, so
/// a re-sync with it changes every record.
pub fn body(round: usize, revision: Option<&str>) -> Value {
    let jobs: Vec<Value> = (0..JOBS)
        .map(|j| {
            let job = format!("BENCH-{round}-{j}");
            let parts: Vec<Value> = (0..PARTS)
                .map(|p| {
                    let part = format!("{job}-{p}");
                    let operations: Vec<Value> = (0..OPERATIONS)
                        .map(|o| {
                            let mut operation = json!({
                                "external_id": format!("{part}-{o}"),
                                "operation_name": format!("Step {o}"),
                                "cell_name": CELLS[o % CELLS.len()],
                                "sequence": o,
                                "estimated_time_minutes": 12.5,
                            });
                            revise(&mut operation, revision);
                            operation
                        })
                        .collect();
                    let mut part = json!({"external_id": part, "part_number": format!("P-{p}"), "material": "Steel 304", "quantity": 25, "operations": operations});
                    revise(&mut part, revision);
                    part
                })
                .collect();
            let mut job = json!({
                "external_id": job,
                "external_source": "BENCH",
                "job_number": format!("JOB-{round}-{j}"),
                "customer": "Bench Corp",
                "due_date": "2026-12-31",
                "priority": 3,
                "parts": parts,
            });
            revise(&mut job, revision);
            if let Some(revision) = revision {
                job["customer"] = json!(format!("Bench Corp ({revision})"));
            }
            job
        })
        .collect();
    json!({"jobs": jobs})
}

fn revise(record: &mut Value, revision: Option<&str>) {
    if let Some(revision) = revision {
        record["notes"] = json!(format!("Revision {revision}"));
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// One measured phase: a run of requests, one at a time.
pub struct Phase {
    pub name: &'static str,
    /// What the phase counts: `records` or `events`.
    pub unit: &'static str,
    /// How many of them the phase handled.
    pub count: usize,
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl Phase {
    pub fn new(name: &'static str, unit: &'static str) -> Phase {
        Phase { name, unit, count: 0, latencies: Vec::new(), elapsed: Duration::ZERO }
    }

    pub fn report(&mut self, backend: &str) {
        self.latencies.sort();
        println!(
            "{backend:<10} {:<16} {:>4} requests  {:>9.0} {}/s  p50 {:>7.1} ms  p99 {:>7.1} ms",
            self.name,
            self.latencies.len(),
            self.count as f64 / self.elapsed.as_secs_f64(),
            self.unit,
            percentile(&self.latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&self.latencies, 0.99).as_secs_f64() * 1e3,
        );
    }
}
