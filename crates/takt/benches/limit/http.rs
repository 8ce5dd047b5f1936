//! The measures of `takt serve` over loopback HTTP, each a run of [`drive`] with the server's
//! CPU time read around it.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, Method};
use serde_json::Value;

use crate::data::Job;
use crate::load::{Run, drive, send};
use crate::support::Server;

/// Where requests go and how long a measure may take.
#[derive(Clone)]
pub struct Target {
    pub client: Client,
    pub base: String,
    pub limit: Duration,
}

impl Target {
    /// A request to `path` with `key`.
    pub fn request(&self, method: Method, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base)).bearer_auth(key)
    }

    /// Sends a JSON `body` and answers the JSON of the answer.
    pub async fn call(&self, method: Method, path: &str, key: &str, body: &Value) -> Value {
        serde_json::from_slice(&send(self.request(method, path, key).json(body)).await).unwrap()
    }
}

/// Runs `measure` and notes the server's CPU time over it.
async fn timed(server: &Server, measure: impl Future<Output = Run>) -> Run {
    let before = server.cpu_time();
    let mut run = measure.await;
    run.server_cpu = before.zip(server.cpu_time()).map(|(before, after)| after.saturating_sub(before));
    run
}

/// `POST /api-jobs/bulk-sync` of each body, one at a time; each counts `records`.
pub async fn bulk(target: &Target, server: &Server, bodies: Arc<Vec<Vec<u8>>>, records: usize) -> Run {
    let (t, key) = (target.clone(), server.key.clone());
    let total = bodies.len();
    timed(
        server,
        drive(1, total, target.limit, move |i| {
            let (t, key, bodies) = (t.clone(), key.clone(), bodies.clone());
            async move {
                let request = t.request(Method::POST, "/api-jobs/bulk-sync", &key);
                send(request.header("content-type", "application/json").body(bodies[i].clone())).await;
                records
            }
        }),
    )
    .await
}

/// `PUT /api-jobs/sync` of new jobs of `series` from `connections` connections, request `i`
/// with key `i % keys.len()` (one tenant's each).
pub async fn single(
    target: &Target,
    server: &Server,
    keys: &[String],
    series: &'static str,
    connections: usize,
    total: usize,
) -> Run {
    let (t, keys) = (target.clone(), Arc::new(keys.to_vec()));
    timed(
        server,
        drive(connections, total, target.limit, move |i| {
            let (t, keys) = (t.clone(), keys.clone());
            async move {
                let body = serde_json::to_vec(&Job::new(series, i).json()).unwrap();
                let request = t.request(Method::PUT, "/api-jobs/sync", &keys[i % keys.len()]);
                send(request.header("content-type", "application/json").body(body)).await;
                1
            }
        }),
    )
    .await
}

/// The reads `request(target, key, i)` from `connections` connections, request `i` with key
/// `i % keys.len()`.
pub async fn read(
    target: &Target,
    server: &Server,
    keys: &[String],
    connections: usize,
    total: usize,
    request: impl Fn(&Target, &str, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> Run {
    let (t, keys) = (target.clone(), Arc::new(keys.to_vec()));
    let request = Arc::new(request);
    timed(
        server,
        drive(connections, total, target.limit, move |i| {
            let (t, keys, request) = (t.clone(), keys.clone(), request.clone());
            async move {
                send(request(&t, &keys[i % keys.len()], i)).await;
                1
            }
        }),
    )
    .await
}
