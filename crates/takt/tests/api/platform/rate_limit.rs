//! Per-key rate limits: the headers on every authenticated answer, `429` past the limit (with
//! nothing written), one bucket per key, and where the bucket lives: in the database on
//! PostgreSQL (shared by every server on it), in the process on SQLite.
//!
//! The limits are small (a few requests a minute), so a bucket refills one token only every
//! several seconds: a scenario's requests run well within that, and counts are exact.

use std::time::{SystemTime, UNIX_EPOCH};

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};
use takt_domain::rate_limit::RatePolicy;
use takt_http::Config;

use crate::backend_tests;
use crate::platform::fixtures::{encode, erp_list_with, master_list_with, sync_cell};
use crate::support::{Backend, Response, TestApp};

fn limited(per_minute: u32) -> Config {
    Config { rate_limit: RatePolicy { per_minute }, ..Config::default() }
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64
}

/// The three rate-limit headers of an answer: limit, remaining, reset.
#[track_caller]
fn rate_headers(response: &Response) -> (u32, u32, i64) {
    let number = |name: &str| -> String {
        response.header(name).unwrap_or_else(|| panic!("no {name} header on a {} answer", response.status)).to_owned()
    };
    (
        number("x-ratelimit-limit").parse().expect("a whole number"),
        number("x-ratelimit-remaining").parse().expect("a whole number"),
        number("x-ratelimit-reset").parse().expect("Unix seconds"),
    )
}

/// Checks the headers of one answer: the limit, what remains, and a reset in the next minute.
#[track_caller]
fn expect_rate(response: &Response, limit: u32, remaining: u32, sent_at: i64) {
    let (got_limit, got_remaining, reset) = rate_headers(response);
    assert_eq!((got_limit, got_remaining), (limit, remaining), "on a {} answer: {}", response.status, response.body);
    assert!(reset > sent_at && reset <= unix_now() + 61, "X-RateLimit-Reset {reset} is not in the coming minute");
}

/// Checks a refusal: `429 RATE_LIMIT_EXCEEDED`, `Retry-After` within a token's refill time, and
/// the headers with nothing remaining.
#[track_caller]
fn expect_refused(response: &Response, limit: u32, sent_at: i64) {
    response.expect_error(429, "RATE_LIMIT_EXCEEDED");
    assert!(response.header("x-request-id").is_some_and(|id| !id.is_empty()), "a 429 has a request id");
    let retry_after: u64 = response.header("retry-after").expect("a Retry-After header").parse().expect("seconds");
    let refill = 60 / u64::from(limit);
    assert!((1..=refill).contains(&retry_after), "Retry-After {retry_after} for one token every {refill} s");
    expect_rate(response, limit, 0, sent_at);
}

/// A second server on the same database as `app`, with the same configuration.
async fn second_server(app: &TestApp, config: Config) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    TestApp::serve(app.backend, app.database.clone(), dir, config).await
}

/// A GET with `key` on `app`, and when it was sent.
async fn get_with(app: &TestApp, key: &str, path: &str) -> (Response, i64) {
    let sent_at = unix_now();
    (app.call(Method::GET, path).key(key).send().await, sent_at)
}

backend_tests! {
    async fn every_authenticated_answer_carries_the_headers_counting_down(backend: Backend) {
        let config = Config { body_limit: 4096, ..limited(12) };
        let app = TestApp::spawn_with(backend, config).await;
        let missing = uuid::Uuid::new_v4();
        let cell = |id: &str| json!({"external_id": id, "external_source": "SAP", "name": "Cutting"});
        let requests: Vec<(Method, String, Option<Value>, u16)> = vec![
            (Method::PUT, "/api-cells/sync".into(), Some(cell("WC-1")), 201),
            (Method::GET, "/api-cells".into(), None, 200),
            (
                Method::PUT,
                "/api-cells/sync".into(),
                Some(json!({"external_id": "WC-2", "external_source": "SAP"})),
                422,
            ),
            (Method::GET, format!("/api-cells/{missing}"), None, 404),
            (Method::PUT, "/api-cells/sync".into(), Some(cell("WC-3")), 409),
            (Method::POST, "/api/ProductType/List".into(), Some(json!({})), 200),
            (Method::PUT, "/api/ProductType/Upsert".into(), Some(json!({})), 422),
            (Method::POST, "/api/Widget/List".into(), Some(json!({})), 404),
            (Method::GET, "/api/ProductType/List".into(), None, 405),
            (Method::PUT, "/api-cells/sync".into(), Some(json!({"notes": "x".repeat(5000)})), 413),
        ];
        let mut remaining = 12;
        let mut last_reset = 0;
        for (method, path, body, status) in requests {
            let mut call = app.call(method.clone(), &path);
            if let Some(body) = body {
                call = call.json(body);
            }
            let sent_at = unix_now();
            let response = call.send().await;
            assert_eq!(response.status, status, "{method} {path}: {}", response.body);
            remaining -= 1;
            expect_rate(&response, 12, remaining, sent_at);
            // Each token taken puts the moment the bucket is full again 5 s later.
            let reset = rate_headers(&response).2;
            assert!(reset > last_reset, "{method} {path}: X-RateLimit-Reset {reset} after {last_reset}");
            if remaining == 11 {
                assert!(reset <= unix_now() + 6, "one token of twelve a minute is back within 5 s");
            }
            last_reset = reset;
        }
        let sent_at = unix_now();
        let malformed = app.call(Method::PUT, "/api-cells/sync").raw("{", Some("application/json")).send().await;
        malformed.expect_error(400, "BAD_REQUEST");
        expect_rate(&malformed, 12, remaining - 1, sent_at);
    }

    async fn past_the_limit_the_answer_is_429_and_the_refused_request_writes_nothing(backend: Backend) {
        let app = TestApp::spawn_with(backend, limited(5)).await;
        for (index, remaining) in (0..5).rev().enumerate() {
            let sent_at = unix_now();
            let response = sync_cell(&app, &format!("WC-{index}"), &format!("Cell {index}")).await;
            response.expect(201);
            expect_rate(&response, 5, remaining, sent_at);
        }
        let refused: Vec<(Method, &str, Value)> = vec![
            (Method::PUT, "/api-cells/sync", json!({"external_id": "WC-9", "external_source": "SAP", "name": "Late"})),
            (
                Method::POST,
                "/api-cells/bulk-sync",
                json!({"cells": [{"external_id": "WC-8", "external_source": "SAP", "name": "Later"}]}),
            ),
            (Method::PUT, "/api/ProductType/Upsert", json!({"name": "Widget"})),
            (Method::POST, "/api/ProductType/List", json!({})),
        ];
        for (method, path, body) in refused {
            let sent_at = unix_now();
            let response = app.call(method, path).json(body).send().await;
            expect_refused(&response, 5, sent_at);
        }
        let (response, sent_at) = get_with(&app, &app.key, "/api-cells").await;
        expect_refused(&response, 5, sent_at);

        // Another key of the same tenant has a bucket of its own, and sees only the five cells.
        let other = app.key_for("acme").await;
        let cells = erp_list_with(&app, &other, "cells", "").await;
        let names: Vec<&str> = cells.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Cell 0", "Cell 1", "Cell 2", "Cell 3", "Cell 4"]);
        assert_eq!(master_list_with(&app, &other, "ProductType").await, Vec::<Value>::new());
    }

    async fn every_key_has_its_own_bucket(backend: Backend) {
        let app = TestApp::spawn_with(backend, limited(3)).await;
        let second = app.key_for("acme").await;
        let foreign = app.key_for("globex").await;
        for remaining in [2, 1, 0] {
            let (response, sent_at) = get_with(&app, &app.key, "/api-cells").await;
            response.expect(200);
            expect_rate(&response, 3, remaining, sent_at);
        }
        let (response, sent_at) = get_with(&app, &app.key, "/api-jobs").await;
        expect_refused(&response, 3, sent_at);
        for remaining in [2, 1, 0] {
            let (response, sent_at) = get_with(&app, &second, "/api-jobs").await;
            response.expect(200);
            expect_rate(&response, 3, remaining, sent_at);
        }
        let (response, sent_at) = get_with(&app, &second, "/api-jobs").await;
        expect_refused(&response, 3, sent_at);
        let (response, sent_at) = get_with(&app, &foreign, "/api-jobs").await;
        response.expect(200);
        expect_rate(&response, 3, 2, sent_at);
    }

    async fn concurrent_requests_of_one_key_never_pass_the_limit(backend: Backend) {
        let app = TestApp::spawn_with(backend, limited(6)).await;
        let responses = join_all((0..20).map(|_| app.get("/api-cells"))).await;
        let mut remaining: Vec<u32> = responses.iter().filter(|r| r.status == 200).map(|r| rate_headers(r).1).collect();
        remaining.sort_unstable();
        assert_eq!(remaining, [0, 1, 2, 3, 4, 5], "each allowed request took its own token");
        for response in responses.iter().filter(|r| r.status != 200) {
            response.expect_error(429, "RATE_LIMIT_EXCEEDED");
        }
    }

    async fn a_key_s_bucket_is_shared_across_servers_on_postgresql_and_per_process_on_sqlite(backend: Backend) {
        // Two servers on one database: on PostgreSQL the bucket lives in the database, so a key
        // has one bucket across servers; on SQLite each process keeps its own.
        let app = TestApp::spawn_with(backend, limited(6)).await;
        let twin = second_server(&app, limited(6)).await;
        for remaining in [5, 4, 3] {
            let (response, sent_at) = get_with(&app, &app.key, "/api-cells").await;
            expect_rate(&response, 6, remaining, sent_at);
        }
        match backend {
            Backend::Postgres => {
                for remaining in [2, 1, 0] {
                    let (response, sent_at) = get_with(&twin, &app.key, "/api-cells").await;
                    response.expect(200);
                    expect_rate(&response, 6, remaining, sent_at);
                }
                let (response, sent_at) = get_with(&twin, &app.key, "/api-cells").await;
                expect_refused(&response, 6, sent_at);
                let (response, sent_at) = get_with(&app, &app.key, "/api-cells").await;
                expect_refused(&response, 6, sent_at);
            }
            Backend::Sqlite => {
                for remaining in [5, 4, 3, 2, 1, 0] {
                    let (response, sent_at) = get_with(&twin, &app.key, "/api-cells").await;
                    response.expect(200);
                    expect_rate(&response, 6, remaining, sent_at);
                }
                let (response, sent_at) = get_with(&twin, &app.key, "/api-cells").await;
                expect_refused(&response, 6, sent_at);
                let (response, sent_at) = get_with(&app, &app.key, "/api-cells").await;
                response.expect(200);
                expect_rate(&response, 6, 2, sent_at);
            }
        }
    }

    async fn concurrent_requests_on_two_servers_share_the_postgresql_bucket(backend: Backend) {
        let app = TestApp::spawn_with(backend, limited(6)).await;
        let twin = second_server(&app, limited(6)).await;
        let key = app.key_for("acme").await;
        let path = format!("/api-cells?search={}", encode("x"));
        let calls = (0..24).map(|i| {
            let server = if i % 2 == 0 { &app } else { &twin };
            server.call(Method::GET, &path).key(&key).send()
        });
        let responses = join_all(calls).await;
        for response in responses.iter().filter(|r| r.status != 200) {
            response.expect_error(429, "RATE_LIMIT_EXCEEDED");
        }
        let allowed = responses.iter().filter(|r| r.status == 200).count();
        let expected = match backend {
            Backend::Postgres => 6,
            Backend::Sqlite => 12,
        };
        assert_eq!(allowed, expected, "requests let through across both servers");
    }
}
