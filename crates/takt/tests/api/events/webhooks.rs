//! Webhooks (SPEC.md section 6): their API, deliveries signed as Standard Webhooks defines it
//! (checked here by an HMAC written from the spec, not by the server's code), retries with one
//! `webhook-id`, the delivery logs, refused addresses and tenant isolation.
//!
//! Compiled out (see `events/mod.rs`) until webhooks land.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use takt_http::Config;
use tokio::time::Instant;

use crate::backend_tests;
use crate::events::fixtures::*;
use crate::support::{Backend, Response, TestApp, test_config};

/// Loopback allowed, retries after 100 ms three times.
fn webhook_config() -> Config {
    Config {
        webhook_retry_schedule: vec![Duration::from_millis(100); 3],
        webhook_allow_loopback: true,
        ..test_config()
    }
}

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A receiver on loopback: it answers the statuses of `script` in turn, then `200`.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(script: Vec<u16>) -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.into_iter()));
        let handler = {
            let received = received.clone();
            move |headers: HeaderMap, body: Bytes| {
                let received = received.clone();
                let script = script.clone();
                async move {
                    received.lock().unwrap().push(Received { headers, body });
                    let status = script.lock().unwrap().next().unwrap_or(200);
                    StatusCode::from_u16(status).unwrap()
                }
            }
        };
        let router = axum::Router::new().route("/hook", axum::routing::post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Receiver { url: format!("http://{address}/hook"), received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to a few seconds) until `n` requests came; returns them.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(Instant::now() < deadline, "{} of {n} deliveries came: {received:?}", received.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The secret's key bytes: base64 after `whsec_`.
fn secret_bytes(secret: &str) -> Vec<u8> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or_else(|| panic!("whsec_ secret: {secret}"));
    BASE64.decode(encoded).unwrap_or_else(|e| panic!("{secret}: {e}"))
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Whether one of the `v1,` signatures of `webhook-signature` is the Standard Webhooks signature
/// of this delivery with `secret`.
fn signed_with(delivery: &Received, secret: &str) -> bool {
    let id = delivery.header("webhook-id");
    let timestamp = delivery.header("webhook-timestamp");
    let mut message = format!("{id}.{timestamp}.").into_bytes();
    message.extend_from_slice(&delivery.body);
    let expected = BASE64.encode(hmac(&secret_bytes(secret), &message));
    delivery.header("webhook-signature").split(' ').any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}

/// Asserts every signature header of a delivery against `secret`.
#[track_caller]
fn check_signatures(delivery: &Received, secret: &str) {
    assert!(signed_with(delivery, secret), "webhook-signature: {:?}", delivery.headers);
    let timestamp: i64 = delivery.header("webhook-timestamp").parse().expect("Unix seconds");
    assert!((timestamp - chrono::Utc::now().timestamp()).abs() < 300, "a current timestamp: {timestamp}");
    // For receivers written for the reference system: the hex HMAC of the body, keyed like the
    // Standard Webhooks signature.
    let eryxon = format!("sha256={}", hex::encode(hmac(&secret_bytes(secret), &delivery.body)));
    assert_eq!(delivery.header("x-eryxon-signature"), eryxon);
    assert_eq!(delivery.header("x-eryxon-event"), delivery.json()["type"].as_str().unwrap());
}

/// `POST /api-webhooks` with `key`.
async fn create_webhook(app: &TestApp, key: &str, body: Value) -> Response {
    app.call(Method::POST, "/api-webhooks").key(key).json(body).send().await
}

/// Creates a webhook, asserting `201`; its data (with the secret).
async fn webhook(app: &TestApp, url: &str, events: Value) -> Value {
    let body = json!({"url": url, "events": events, "description": "tests"});
    create_webhook(app, &app.key, body).await.expect(201)["data"].clone()
}

/// The delivery attempts of a webhook.
async fn logs(app: &TestApp, webhook_id: &str) -> Vec<Value> {
    let response = app.get(&format!("/api-webhook-logs?webhook_id={webhook_id}")).await;
    let data = &response.expect(200)["data"];
    let logs = data.get("logs").or_else(|| data.get("webhook_logs")).unwrap_or(data);
    logs.as_array().unwrap_or_else(|| panic!("a list of attempts: {data}")).clone()
}

backend_tests! {
    async fn webhooks_are_created_listed_read_changed_and_deleted(app: TestApp) {
        let created = create_webhook(
            &app,
            &app.key,
            json!({"url": "https://hooks.example.com/takt", "events": ["job.*"], "description": "Jobs to the ERP"}),
        )
        .await;
        let body = created.expect(201);
        assert_eq!(body["success"], true);
        let hook = &body["data"];
        let id = hook["id"].as_str().unwrap().to_owned();
        assert!(uuid::Uuid::try_parse(&id).is_ok(), "{hook}");
        assert_eq!(
            (&hook["url"], &hook["events"], &hook["active"], &hook["description"]),
            (&json!("https://hooks.example.com/takt"), &json!(["job.*"]), &json!(true), &json!("Jobs to the ERP"))
        );
        let secret = hook["secret"].as_str().unwrap().to_owned();
        assert_eq!(secret_bytes(&secret).len(), 32, "whsec_ + base64 of 32 random bytes");

        // Read back: never the secret.
        let mut shown = hook.clone();
        shown.as_object_mut().unwrap().shift_remove("secret");
        let listed = app.get("/api-webhooks").await;
        let data = listed.expect(200)["data"].clone();
        assert_eq!(data["webhooks"], json!([shown.clone()]), "{data}");
        assert_eq!(data["pagination"]["total"], 1, "{data}");
        for path in [format!("/api-webhooks?id={id}"), format!("/api-webhooks/{id}")] {
            let read = app.get(&path).await;
            assert_eq!(read.expect(200)["data"], shown, "{path}");
            assert!(read.body["data"].get("secret").is_none());
        }

        // A single event_type is accepted too.
        let single = create_webhook(
            &app,
            &app.key,
            json!({"url": "https://hooks.example.com/cells", "event_type": "cell.created"}),
        )
        .await;
        assert_eq!(single.expect(201)["data"]["events"], json!(["cell.created"]));
        let other = single.body["data"]["id"].as_str().unwrap().to_owned();
        assert_ne!(single.body["data"]["secret"], json!(secret), "each webhook its own secret");

        // PATCH by ?id= and by path.
        let patched = app
            .call(Method::PATCH, &format!("/api-webhooks?id={id}"))
            .json(json!({"description": "Changed", "active": false}))
            .send()
            .await;
        let data = patched.expect(200)["data"].clone();
        assert_eq!((&data["description"], &data["active"], &data["events"]), (&json!("Changed"), &json!(false), &json!(["job.*"])));
        let patched = app.call(Method::PATCH, &format!("/api-webhooks/{id}")).json(json!({"events": ["*.created"]})).send().await;
        assert_eq!(patched.expect(200)["data"]["events"], json!(["*.created"]));
        assert_eq!(patched.body["data"]["description"], "Changed");

        // Rotate: a new secret.
        let rotated = app.post(&format!("/api-webhooks/{id}/rotate-secret"), json!({})).await;
        let new_secret = rotated.expect(200)["data"]["secret"].as_str().unwrap().to_owned();
        assert_ne!(new_secret, secret);
        assert_eq!(secret_bytes(&new_secret).len(), 32);

        // DELETE by ?id= and by path.
        app.call(Method::DELETE, &format!("/api-webhooks?id={id}")).send().await.expect(200);
        app.get(&format!("/api-webhooks/{id}")).await.expect_error(404, "NOT_FOUND");
        app.call(Method::DELETE, &format!("/api-webhooks/{other}")).send().await.expect(200);
        app.call(Method::DELETE, &format!("/api-webhooks/{other}")).send().await.expect_error(404, "NOT_FOUND");
        assert_eq!(app.get("/api-webhooks").await.expect(200)["data"]["webhooks"], json!([]));
    }

    async fn deliveries_are_signed_and_match_the_patterns(backend: Backend) {
        let app = TestApp::spawn_with(backend, webhook_config()).await;
        let receiver = Receiver::start(Vec::new()).await;
        let hook = webhook(&app, &receiver.url, json!(["job.*"])).await;
        let secret = hook["secret"].as_str().unwrap();
        create(&app, "cells", cell("C-1", "Cutting")).await;
        create(&app, "jobs", job("J-1", "JOB-1")).await;
        let delivery = receiver.wait_for(1).await.remove(0);
        let event = page(&feed(&app, "?type=job.*").await).0.remove(0);
        assert_eq!(delivery.json(), event, "the body is the event");
        assert_eq!(delivery.header("webhook-id"), event["id"].as_str().unwrap());
        assert_eq!(delivery.header("x-eryxon-event"), "job.created");
        check_signatures(&delivery, secret);
        for delivery in receiver.received() {
            assert!(delivery.json()["type"].as_str().unwrap().starts_with("job."), "only job.*: {delivery:?}");
        }

        // After a rotation the new secret signs (and the old one still does, for 24 hours).
        let id = hook["id"].as_str().unwrap();
        let rotated = app.post(&format!("/api-webhooks/{id}/rotate-secret"), json!({})).await;
        let new_secret = rotated.expect(200)["data"]["secret"].as_str().unwrap().to_owned();
        update(&app, "jobs", with(job("J-1", "JOB-1"), &[("priority", json!(3))])).await;
        let received = receiver.wait_for(2).await;
        let delivery = received.iter().find(|d| d.json()["type"] == "job.updated").expect("job.updated");
        check_signatures(delivery, &new_secret);
        assert!(signed_with(delivery, secret), "the old secret signs for 24 hours");
    }

    async fn a_failing_receiver_is_retried_with_one_webhook_id(backend: Backend) {
        let app = TestApp::spawn_with(backend, webhook_config()).await;
        let receiver = Receiver::start(vec![500, 503]).await;
        let hook = webhook(&app, &receiver.url, json!(["job.*"])).await;
        create(&app, "jobs", job("J-1", "JOB-1")).await;
        let attempts = receiver.wait_for(3).await;
        let event = page(&feed(&app, "").await).0.remove(0);
        for attempt in &attempts {
            assert_eq!(attempt.header("webhook-id"), event["id"].as_str().unwrap(), "the same id on every attempt");
            assert_eq!(attempt.json(), event);
            check_signatures(attempt, hook["secret"].as_str().unwrap());
        }
        // The third one succeeded: the logs show three attempts and then no more come.
        let id = hook["id"].as_str().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let logs = loop {
            let logs = logs(&app, id).await;
            if logs.len() >= 3 || Instant::now() > deadline {
                break logs;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let mut lines: Vec<(i64, i64)> =
            logs.iter().map(|l| (l["attempt"].as_i64().unwrap(), l["http_status"].as_i64().unwrap())).collect();
        lines.sort_unstable();
        assert_eq!(lines, [(1, 500), (2, 503), (3, 200)], "{logs:#?}");
        for line in &logs {
            assert_eq!((&line["event_id"], &line["seq"]), (&event["id"], &event["seq"]), "{line}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), 3, "no attempt after a success");
    }

    async fn loopback_and_metadata_addresses_are_refused(backend: Backend) {
        let strict = TestApp::spawn_with(backend, test_config()).await;
        for url in ["http://127.0.0.1:9/hook", "http://[::1]:9/hook", "http://169.254.169.254/", "ftp://example.com/"] {
            let response = create_webhook(&strict, &strict.key, json!({"url": url, "events": ["*"]})).await;
            response.expect_error(422, "VALIDATION_ERROR");
        }
        let open = TestApp::spawn_with(backend, webhook_config()).await;
        create_webhook(&open, &open.key, json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]})).await.expect(201);
        for url in ["http://169.254.169.254/", "http://169.254.169.254/latest/meta-data/"] {
            let response = create_webhook(&open, &open.key, json!({"url": url, "events": ["*"]})).await;
            response.expect_error(422, "VALIDATION_ERROR");
        }
        // A host that does not resolve is accepted.
        create_webhook(&open, &open.key, json!({"url": "https://no-such-host.invalid/hook", "events": ["*"]}))
            .await
            .expect(201);
        assert_eq!(strict.get("/api-webhooks").await.expect(200)["data"]["webhooks"], json!([]));
    }

    async fn webhooks_belong_to_their_tenant(backend: Backend) {
        let app = TestApp::spawn_with(backend, webhook_config()).await;
        let other = app.key_for("globex").await;
        let receiver = Receiver::start(Vec::new()).await;
        let hook = webhook(&app, &receiver.url, json!(["*"])).await;
        let id = hook["id"].as_str().unwrap();
        let theirs = |method: Method, path: String| app.call(method, &path).key(&other);
        let listed = theirs(Method::GET, "/api-webhooks".into()).send().await;
        assert_eq!(listed.expect(200)["data"]["webhooks"], json!([]));
        theirs(Method::GET, format!("/api-webhooks/{id}")).send().await.expect_error(404, "NOT_FOUND");
        theirs(Method::GET, format!("/api-webhooks?id={id}")).send().await.expect_error(404, "NOT_FOUND");
        theirs(Method::PATCH, format!("/api-webhooks/{id}")).json(json!({"active": false})).send().await.expect(404);
        theirs(Method::DELETE, format!("/api-webhooks?id={id}")).send().await.expect(404);
        theirs(Method::POST, format!("/api-webhooks/{id}/rotate-secret")).json(json!({})).send().await.expect(404);
        let their_logs = theirs(Method::GET, format!("/api-webhook-logs?webhook_id={id}")).send().await;
        assert!(matches!(their_logs.status, 200 | 404), "{}", their_logs.body);
        if their_logs.status == 200 {
            let data = &their_logs.body["data"];
            let lines = data.get("logs").or_else(|| data.get("webhook_logs")).unwrap_or(data);
            assert_eq!(lines, &json!([]));
        }

        // The other tenant's writes are not delivered to this webhook; this tenant's are.
        sync_as(&app, &other, "cells", cell("C-9", "Welding"), 201).await;
        create(&app, "cells", cell("C-1", "Cutting")).await;
        receiver.wait_for(1).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let received: Vec<Value> = receiver.received().iter().map(Received::json).collect();
        assert!(!received.is_empty());
        for event in &received {
            assert_eq!(event["external_id"], "C-1", "only the webhook's tenant's events: {received:#?}");
        }
        assert_eq!(app.get("/api-webhooks").await.expect(200)["data"]["webhooks"][0]["active"], true);
    }

    async fn a_delivery_that_never_succeeds_fails_with_an_event(backend: Backend) {
        let app = TestApp::spawn_with(backend, webhook_config()).await;
        let receiver = Receiver::start(vec![500; 10]).await;
        let hook = webhook(&app, &receiver.url, json!(["cell.*"])).await;
        let id = hook["id"].as_str().unwrap();
        create(&app, "cells", cell("C-1", "Cutting")).await;
        // Three delays: four attempts, then the delivery has failed.
        receiver.wait_for(4).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        let failed = loop {
            let (events, _, _) = page(&feed(&app, "?type=webhook.*").await);
            if let Some(event) = events.into_iter().next() {
                break event;
            }
            assert!(Instant::now() < deadline, "no webhook.delivery_failed event");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(failed["type"], "webhook.delivery_failed");
        assert_eq!(failed["actor"], json!({"kind": "system"}));
        assert_eq!(failed["entity"], "webhook");
        assert_eq!(failed["entity_id"], id);
        let cell_event = page(&feed(&app, "?type=cell.*").await).0.remove(0);
        assert_eq!((&failed["data"]["event_id"], &failed["data"]["attempts"]), (&cell_event["id"], &json!(4)));
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), 4, "no attempt after the last, nor of its own failure notice");
        let failures = app.get(&format!("/api-webhook-logs?webhook_id={id}&status=failed")).await;
        assert_eq!(failures.expect(200)["data"]["pagination"]["total"], 4);
        let none = app.get(&format!("/api-webhook-logs?webhook_id={id}&status=succeeded")).await;
        assert_eq!(none.expect(200)["data"]["webhook_logs"], json!([]));
        app.get("/api-webhook-logs?status=maybe").await.expect_error(422, "VALIDATION_ERROR");
    }

    async fn replay_queues_the_matching_events_again(backend: Backend) {
        let app = TestApp::spawn_with(backend, webhook_config()).await;
        create(&app, "cells", cell("C-1", "Cutting")).await;
        create(&app, "jobs", job("J-1", "JOB-1")).await;
        let receiver = Receiver::start(Vec::new()).await;
        let hook = webhook(&app, &receiver.url, json!(["cell.*"])).await;
        let id = hook["id"].as_str().unwrap();
        // Created after the events: nothing comes until a replay.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(receiver.received().is_empty(), "a new webhook gets the events committed after it");
        let replayed = app.post(&format!("/api-webhooks/{id}/replay?after=0"), json!({})).await;
        assert_eq!(replayed.expect(200)["data"]["queued"], 1, "only the cell's event matches");
        let delivery = receiver.wait_for(1).await.remove(0);
        assert_eq!(delivery.json()["type"], "cell.created");
        check_signatures(&delivery, hook["secret"].as_str().unwrap());
        app.post(&format!("/api-webhooks/{id}/replay"), json!({})).await.expect_error(422, "VALIDATION_ERROR");
        let unknown = uuid::Uuid::now_v7();
        app.post(&format!("/api-webhooks/{unknown}/replay?after=0"), json!({})).await.expect_error(404, "NOT_FOUND");
    }

    async fn bad_webhook_bodies_are_refused_with_every_field_named(app: TestApp) {
        let body = json!({"url": 5, "events": "bad pattern!", "active": "yes", "description": 3, "colour": "red"});
        let refused = create_webhook(&app, &app.key, body).await;
        let error = refused.expect_error(422, "VALIDATION_ERROR");
        let mut fields: Vec<&str> = error["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["active", "colour", "description", "events", "url"]);
        let long = json!({"url": "https://a.example/h", "events": ["*"], "description": "x".repeat(1001)});
        create_webhook(&app, &app.key, long).await.expect_error(422, "VALIDATION_ERROR");
        create_webhook(&app, &app.key, json!({"url": "https://a.example/h"})).await.expect_error(422, "VALIDATION_ERROR");
        let not_json = app.call(Method::POST, "/api-webhooks").raw("url=x", Some("application/x-www-form-urlencoded")).send().await;
        assert_eq!(not_json.status, 400);
        app.call(Method::POST, "/api-webhooks").key("ery_live_00000000000000000000000000000000").json(json!({})).send().await.expect(401);
        assert_eq!(app.get("/api-webhooks").await.expect(200)["data"]["pagination"]["total"], 0, "nothing half-written");
        app.call(Method::PATCH, "/api-webhooks").json(json!({"active": false})).send().await.expect_error(422, "VALIDATION_ERROR");
        app.get("/api-webhooks/not-a-uuid").await.expect_error(404, "NOT_FOUND");
    }

    async fn an_endpoint_that_keeps_failing_is_switched_off(backend: Backend) {
        let config = Config {
            webhook_retry_schedule: vec![Duration::from_millis(100); 20],
            webhook_disable_after: Duration::from_millis(400),
            ..webhook_config()
        };
        let app = TestApp::spawn_with(backend, config).await;
        let receiver = Receiver::start(vec![500; 100]).await;
        let hook = webhook(&app, &receiver.url, json!(["cell.*"])).await;
        let id = hook["id"].as_str().unwrap();
        create(&app, "cells", cell("C-1", "Cutting")).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        let read = loop {
            let read = app.get(&format!("/api-webhooks/{id}")).await.expect(200)["data"].clone();
            if read["active"] == false {
                break read;
            }
            assert!(Instant::now() < deadline, "the failing webhook was never switched off");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(read["disabled_reason"].as_str().unwrap().contains("400ms"), "{read}");
        let attempts = receiver.received().len();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), attempts, "no delivery to a switched-off webhook");
        let on = app.call(Method::PATCH, &format!("/api-webhooks/{id}")).json(json!({"active": true})).send().await;
        assert_eq!((&on.expect(200)["data"]["active"], &on.body["data"]["disabled_reason"]), (&json!(true), &Value::Null));
    }
}
