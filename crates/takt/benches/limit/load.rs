//! The one load generator every measure uses, over HTTP or straight to the database: a number
//! of concurrent workers taking operations off one counter until all are done or the time is
//! up, each operation's latency recorded.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What a run of operations did: how many, in how long, each one's latency, and what it
/// counted (records for a bulk request, 1 for anything else).
#[derive(Debug, Default, Clone)]
pub struct Run {
    pub operations: usize,
    pub count: usize,
    pub elapsed: Duration,
    /// Sorted.
    pub latencies: Vec<Duration>,
    /// CPU time the server spent during the run, when a server was measured.
    pub server_cpu: Option<Duration>,
}

impl Run {
    /// What the run counted, per second.
    pub fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at `p` (0.5 for the median), in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index].as_secs_f64() * 1e3
    }

    /// The server's CPU time per operation, in microseconds.
    pub fn server_cpu_per_operation_us(&self) -> Option<f64> {
        self.server_cpu.map(|cpu| cpu.as_secs_f64() * 1e6 / self.operations as f64)
    }
}

/// Runs `total` operations from `workers` concurrent tasks, or as many as fit in `limit`.
/// `operation(i)` runs operation `i` (each `i` once, from 0) and answers what it counted.
pub async fn drive<F, Fut>(workers: usize, total: usize, limit: Duration, operation: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = usize> + Send,
{
    let operation = Arc::new(operation);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + limit;
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (operation, next) = (operation.clone(), next.clone());
            tokio::spawn(async move {
                let (mut latencies, mut count) = (Vec::new(), 0);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total || Instant::now() >= deadline {
                        break;
                    }
                    let sent = Instant::now();
                    count += operation(i).await;
                    latencies.push(sent.elapsed());
                }
                (latencies, count)
            })
        })
        .collect();
    let mut run = Run::default();
    for task in tasks {
        let (latencies, count) = task.await.expect("a load worker panicked");
        run.latencies.extend(latencies);
        run.count += count;
    }
    run.elapsed = started.elapsed();
    run.operations = run.latencies.len();
    run.latencies.sort();
    run
}

/// Sends one request and checks its status; answers the body.
pub async fn send(request: reqwest::RequestBuilder) -> Vec<u8> {
    let response = request.send().await.expect("the request reaches the server");
    let status = response.status();
    let body = response.bytes().await.expect("the answer arrives").to_vec();
    assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
    body
}
