//! Hardening (SPEC section 10): slow or too many connections, encoded bodies, bodies that cost
//! the server more than their size, ambiguous input, idempotency keys, and request ids that are
//! not safe to echo. Every scenario shows the answer the spec asks for and that nothing was
//! written.

mod ambiguity;
mod connections;
mod encoding;
mod idempotency;
mod keys;
mod nested;
mod paths;
mod protocol;
mod raw;
mod request_id;

use reqwest::Method;
use serde_json::Value;

use crate::support::{Response, TestApp};

/// Sends a body as JSON text as it is (`serde_json` could not write a repeated key).
pub async fn send_raw(app: &TestApp, method: Method, path: &str, body: impl Into<Vec<u8>>) -> Response {
    app.call(method, path).raw(body, Some("application/json")).send().await
}

/// The records of an ERP list (`cells`, `jobs`, ...).
pub async fn erp_records(app: &TestApp, entity: &str) -> Vec<Value> {
    let response = app.get(&format!("/api-{entity}?limit=1000")).await;
    response.expect(200)["data"][entity].as_array().expect("a list").clone()
}

/// The records of a master-data entity (List answers a bare array).
pub async fn master_records(app: &TestApp, entity: &str) -> Vec<Value> {
    let response = app.post(&format!("/api/{entity}/List"), serde_json::json!({})).await;
    response.expect(200).as_array().expect("a list").clone()
}

/// The `details` of an error answer, as `(field, message)` pairs.
pub fn details(response: &Response) -> Vec<(String, String)> {
    response.body["error"]["details"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|d| (d["field"].as_str().unwrap().to_owned(), d["message"].as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Sends `body` as JSON to `path` with `method`, in a task of its own (an attack the test
/// watches the server through).
pub fn send_in_background(
    app: &TestApp,
    method: Method,
    path: &str,
    body: impl Into<reqwest::Body>,
) -> tokio::task::JoinHandle<Response> {
    let request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&app.key)
        .header("content-type", "application/json")
        .body(body);
    tokio::spawn(async move { Response::read(request.send().await.expect("an answer")).await })
}

/// Liveness, not speed: while `attacks` run, `/health` answers within a second every time.
pub async fn health_keeps_answering<T>(app: &TestApp, attacks: &[tokio::task::JoinHandle<T>]) {
    use std::time::{Duration, Instant};
    let mut checks = 0;
    loop {
        let started = Instant::now();
        let health = tokio::time::timeout(Duration::from_secs(1), app.client.get(app.url("/health")).send())
            .await
            .unwrap_or_else(|_| panic!("/health did not answer within 1 s after {checks} checks"))
            .expect("/health answers");
        assert_eq!(health.status().as_u16(), 200);
        assert!(started.elapsed() < Duration::from_secs(1));
        checks += 1;
        if attacks.iter().all(|a| a.is_finished()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
