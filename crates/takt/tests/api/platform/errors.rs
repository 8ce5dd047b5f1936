//! The errors both dialects share: bodies that are not JSON (`400`), bodies over the limit
//! (`413`), unknown routes (`404`), wrong methods (`405`), panics (`500` without internals), and
//! the request id every answer carries.

use std::collections::HashSet;

use axum::routing::get;
use reqwest::Method;
use serde_json::{Value, json};
use takt_http::Config;

use crate::backend_tests;
use crate::platform::fixtures::{cell_body, erp_list, master_list};
use crate::support::{Backend, Response, TestApp, fresh_database, test_config};

/// The routes of both dialects that read a JSON body.
const BODY_ROUTES: &[(&str, &str)] = &[
    ("PUT", "/api-cells/sync"),
    ("PUT", "/functions/v1/api-jobs/sync"),
    ("POST", "/api-cells/bulk-sync"),
    ("PUT", "/api/ProductType/Upsert"),
    ("POST", "/api/ProductType/List"),
    ("DELETE", "/api/ProductType/Delete"),
    ("PUT", "/api/Product/Copy"),
];

fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap()
}

/// Checks that an error answer is the envelope, in JSON.
#[track_caller]
fn expect_envelope(response: &Response, status: u16, code: &str) {
    response.expect_error(status, code);
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "content-type {content_type}");
    assert_eq!(response.body.as_object().map(|o| o.len()), Some(2), "{}", response.body);
}

/// Nothing at all was written through either dialect.
async fn expect_nothing_written(app: &TestApp) {
    assert_eq!(erp_list(app, "cells").await, Vec::<Value>::new());
    assert_eq!(erp_list(app, "jobs").await, Vec::<Value>::new());
    assert_eq!(master_list(app, "ProductType", json!({})).await, Vec::<Value>::new());
}

async fn boom() -> &'static str {
    panic!("database password=hunter2 for ery_live_0123456789abcdef0123456789abcdef")
}

async fn boom_formatted() -> &'static str {
    let secret = String::from("hunter2");
    panic!("formatted: password={secret}")
}

/// Routes whose handlers panic with messages that must never reach a client: a `&str` payload
/// and a formatted `String` one.
fn panicking_routes() -> axum::Router {
    axum::Router::new().route("/boom", get(boom)).route("/boom-formatted", get(boom_formatted))
}

async fn spawn_with_panics(backend: Backend, config: Config) -> TestApp {
    let (database, dir) = fresh_database(backend).await;
    TestApp::serve_with(backend, database, dir, config, panicking_routes()).await
}

backend_tests! {
    async fn malformed_json_is_400_on_both_dialects_and_writes_nothing(app: TestApp) {
        let bodies: Vec<(&[u8], &str)> = vec![
            (b"{", "a cut-off object"),
            (b"{\"external_id\": \"WC-1\", \"external_source\": \"SAP\", \"name\": \"Cutting\",}", "a trailing comma"),
            (b"{'name': 'Cutting'}", "single quotes"),
            (b"name=Cutting", "a form body"),
            (b"{\"name\": \"Cutting\"} {\"name\": \"Bending\"}", "two objects"),
            (b"{\"name\": \"Cut\xfftting\"}", "invalid UTF-8"),
            (b"{\"name\": NaN}", "NaN"),
        ];
        for (verb, path) in BODY_ROUTES {
            for (body, what) in &bodies {
                let response = app.call(method(verb), path).raw(body.to_vec(), Some("application/json")).send().await;
                assert_eq!(response.status, 400, "{what} to {verb} {path}: {}", response.body);
                expect_envelope(&response, 400, "BAD_REQUEST");
            }
        }
        expect_nothing_written(&app).await;
    }

    async fn a_body_not_declared_as_json_is_400_on_both_dialects(app: TestApp) {
        let cell = br#"{"external_id": "WC-1", "external_source": "SAP", "name": "Cutting"}"#;
        let wrong = [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("text/json"),
            Some("application/jsonx"),
        ];
        for (verb, path) in BODY_ROUTES {
            for content_type in wrong {
                let response = app.call(method(verb), path).raw(cell.to_vec(), content_type).send().await;
                assert_eq!(response.status, 400, "{content_type:?} to {verb} {path}: {}", response.body);
                expect_envelope(&response, 400, "BAD_REQUEST");
            }
        }
        expect_nothing_written(&app).await;

        // Parameters and case do not matter.
        for (index, content_type) in ["application/json; charset=utf-8", "Application/JSON"].into_iter().enumerate() {
            let body = cell_body(&format!("WC-{index}"), &format!("Cell {index}"));
            let response =
                app.call(Method::PUT, "/api-cells/sync").raw(body.to_string(), Some(content_type)).send().await;
            response.expect(201);
            let body = json!({"name": format!("Type {index}")});
            let response =
                app.call(Method::PUT, "/api/ProductType/Upsert").raw(body.to_string(), Some(content_type)).send().await;
            response.expect(201);
        }
    }

    async fn an_empty_body_is_400_except_for_a_master_data_list(app: TestApp) {
        for (verb, path) in BODY_ROUTES.iter().filter(|(_, path)| !path.ends_with("/List")) {
            let response = app.call(method(verb), path).raw(Vec::new(), Some("application/json")).send().await;
            assert_eq!(response.status, 400, "{verb} {path}: {}", response.body);
            expect_envelope(&response, 400, "BAD_REQUEST");
        }
        app.put("/api/ProductType/Upsert", json!({"name": "Widget"})).await.expect(201);
        for content_type in [Some("application/json"), None] {
            let response = app.call(Method::POST, "/api/ProductType/List").raw(Vec::new(), content_type).send().await;
            let listed = response.expect(200);
            assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        }
    }

    async fn a_body_over_the_limit_is_413_and_writes_nothing(backend: Backend) {
        let limit = 1024;
        let app = TestApp::spawn_with(backend, Config { body_limit: limit, ..test_config() }).await;
        // A body of `size` bytes: the given JSON object with one text field padded.
        let sized = |mut body: Value, field: &str, size: usize| -> Vec<u8> {
            body[field] = json!("");
            let base = serde_json::to_vec(&body).unwrap().len();
            body[field] = json!("x".repeat(size - base));
            let bytes = serde_json::to_vec(&body).unwrap();
            assert_eq!(bytes.len(), size);
            bytes
        };
        let job = |id: &str| json!({"external_id": id, "external_source": "SAP", "job_number": id, "notes": ""});
        let product_type = |name: &str| json!({"name": name, "description": ""});
        let cells: Vec<Value> = (0..40).map(|i| cell_body(&format!("WC-{i}"), &format!("Cell {i}"))).collect();
        let bulk = json!({ "cells": cells });
        assert!(bulk.to_string().len() > limit);

        let over: Vec<(Method, &str, Vec<u8>)> = vec![
            (Method::PUT, "/api-jobs/sync", sized(job("SO-1"), "notes", limit + 1)),
            (Method::PUT, "/functions/v1/api-jobs/sync", sized(job("SO-2"), "notes", 64 * 1024)),
            // Far more than the connection buffers hold: the client is still sending when the
            // server knows its answer, and must still get it.
            (Method::PUT, "/api-jobs/sync", sized(job("SO-4"), "notes", 8 * 1024 * 1024)),
            (Method::POST, "/api-cells/bulk-sync", serde_json::to_vec(&bulk).unwrap()),
            (Method::PUT, "/api/ProductType/Upsert", sized(product_type("T-1"), "description", limit + 1)),
            (Method::POST, "/api/ProductType/List", sized(json!({"name": ""}), "name", limit + 1)),
        ];
        for (method, path, body) in over {
            let response = app.call(method.clone(), path).raw(body, Some("application/json")).send().await;
            assert_eq!(response.status, 413, "{method} {path}: {}", response.body);
            expect_envelope(&response, 413, "PAYLOAD_TOO_LARGE");
        }
        expect_nothing_written(&app).await;

        // A body of exactly the limit is read.
        let at_limit = app
            .call(Method::PUT, "/api-jobs/sync")
            .raw(sized(job("SO-3"), "notes", limit), Some("application/json"))
            .send()
            .await;
        at_limit.expect(201);
        let at_limit = app
            .call(Method::PUT, "/api/ProductType/Upsert")
            .raw(sized(product_type("T-2"), "description", limit), Some("application/json"))
            .send()
            .await;
        at_limit.expect(201);
        let jobs = erp_list(&app, "jobs").await;
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0]["external_id"], "SO-3");
        assert_eq!(master_list(&app, "ProductType", json!({})).await.len(), 1);
    }

    async fn unknown_routes_are_404_not_found(app: TestApp) {
        let unknown_without_key = [
            (Method::GET, "/"),
            (Method::GET, "/nope"),
            (Method::GET, "/api-widgets"),
            (Method::PUT, "/api-widgets/sync"),
            (Method::GET, "/api"),
            (Method::GET, "/api/Product"),
            (Method::POST, "/api/Product/List/extra"),
            (Method::GET, "/functions/v1/nope"),
            (Method::GET, "/functions/v2/api-jobs"),
            (Method::GET, "/healthz"),
        ];
        for (method, path) in unknown_without_key {
            let response = app.call(method.clone(), path).no_key().send().await;
            assert_eq!(response.status, 404, "{method} {path}: {}", response.body);
            expect_envelope(&response, 404, "NOT_FOUND");
        }
        let unknown_with_key = [
            (Method::POST, "/api/Widget/List"),
            (Method::PUT, "/api/Product/Frobnicate"),
            (Method::PUT, "/api/ProductType/Copy"),
            (Method::GET, "/api-jobs/not-a-uuid"),
        ];
        for (method, path) in unknown_with_key {
            let response = app.call(method.clone(), path).json(json!({})).send().await;
            assert_eq!(response.status, 404, "{method} {path}: {}", response.body);
            expect_envelope(&response, 404, "NOT_FOUND");
        }
    }

    async fn wrong_methods_are_405_method_not_allowed(app: TestApp) {
        let wrong = [
            (Method::POST, "/api-cells/sync"),
            (Method::DELETE, "/api-cells/sync"),
            (Method::GET, "/api-jobs/bulk-sync"),
            (Method::PUT, "/api-jobs/bulk-sync"),
            (Method::POST, "/api-operators/0190a3b4-0000-7000-8000-000000000000"),
            (Method::PATCH, "/api-operators/sync"),
            (Method::PATCH, "/functions/v1/api-parts/sync"),
            (Method::POST, "/api-jobs/0190a3b4-0000-7000-8000-000000000000"),
            (Method::POST, "/health"),
            (Method::DELETE, "/openapi.json"),
            (Method::GET, "/api/Product/List"),
            (Method::PUT, "/api/Product/List"),
            (Method::POST, "/api/Product/Upsert"),
            (Method::POST, "/api/BomVersion/Delete"),
            (Method::GET, "/api/Product/Copy"),
            (Method::PATCH, "/api/Bom%20Version/Upsert"),
        ];
        for (method, path) in wrong {
            let response = app.call(method.clone(), path).json(json!({})).send().await;
            assert_eq!(response.status, 405, "{method} {path}: {}", response.body);
            expect_envelope(&response, 405, "METHOD_NOT_ALLOWED");
        }
        expect_nothing_written(&app).await;
    }

    async fn a_405_names_the_methods_the_path_takes(app: TestApp) {
        let wrong = [
            (Method::POST, "/api-cells/sync", "PUT"),
            (Method::GET, "/api-jobs/bulk-sync", "POST"),
            (Method::POST, "/api-operators/sync", "PUT"),
            (Method::POST, "/api-jobs/0190a3b4-0000-7000-8000-000000000000", "PATCH"),
            (Method::POST, "/health", "GET"),
            (Method::GET, "/api/Product/List", "POST"),
            (Method::POST, "/api/Product/Upsert", "PUT"),
            (Method::PUT, "/api/BomVersion/Delete", "DELETE"),
        ];
        for (method, path, allowed) in wrong {
            let response = app.call(method.clone(), path).json(json!({})).send().await;
            expect_envelope(&response, 405, "METHOD_NOT_ALLOWED");
            let allow: Vec<&str> = response.header("allow").unwrap_or_default().split(',').map(str::trim).collect();
            assert!(allow.contains(&allowed), "{method} {path}: Allow {allow:?} should name {allowed}");
        }
    }

    async fn a_panic_answers_500_without_its_message_and_the_server_keeps_serving(backend: Backend) {
        let app = spawn_with_panics(backend, test_config()).await;
        for round in 0..3 {
            for path in ["/boom", "/boom-formatted"] {
                let response = app.call(Method::GET, path).no_key().send().await;
                expect_envelope(&response, 500, "INTERNAL_ERROR");
                let text = response.body.to_string();
                for secret in ["hunter2", "password", "ery_live_", "panic", "formatted"] {
                    assert!(!text.contains(secret), "round {round}: the answer shows '{secret}': {text}");
                }
                for (name, value) in &response.headers {
                    let value = value.to_str().unwrap_or_default();
                    assert!(!value.contains("hunter2"), "header {name}: {value}");
                }
            }
            app.call(Method::GET, "/health").no_key().send().await.expect(200);
            app.put("/api-cells/sync", cell_body(&format!("WC-{round}"), &format!("Cell {round}"))).await.expect(201);
        }
        assert_eq!(erp_list(&app, "cells").await.len(), 3);
    }

    async fn every_answer_carries_a_request_id_and_a_given_one_is_echoed(backend: Backend) {
        let app = spawn_with_panics(backend, Config { body_limit: 1024, ..test_config() }).await;
        let calls: Vec<(Method, &str, bool, Option<Value>, u16)> = vec![
            (Method::GET, "/health", false, None, 200),
            (Method::GET, "/openapi.json", false, None, 200),
            (Method::GET, "/api-cells", false, None, 401),
            (Method::GET, "/nope", false, None, 404),
            (Method::GET, "/boom", false, None, 500),
            (Method::POST, "/api-cells/sync", true, Some(json!({})), 405),
            (Method::GET, "/api-cells", true, None, 200),
            (
                Method::PUT,
                "/api-cells/sync",
                true,
                Some(json!({"external_id": "WC-1", "external_source": "SAP", "name": "Cutting"})),
                201,
            ),
            (Method::PUT, "/api-cells/sync", true, Some(json!({"external_id": "WC-1"})), 422),
            (Method::PUT, "/api-cells/sync", true, Some(json!({"notes": "x".repeat(2000)})), 413),
            (Method::POST, "/api/ProductType/List", true, Some(json!({})), 200),
            (Method::POST, "/api/ProductType/List", true, Some(json!({"color": "red"})), 422),
        ];
        let mut seen = HashSet::new();
        for given in [None, Some("trace-4711-abc")] {
            for (method, path, with_key, body, status) in &calls {
                let mut call = app.call(method.clone(), path);
                if !with_key {
                    call = call.no_key();
                }
                if let Some(given) = given {
                    call = call.header("x-request-id", given);
                }
                if let Some(body) = body {
                    call = call.json(body.clone());
                }
                let response = call.send().await;
                // The second round syncs the same cell again: an update.
                let status = if *status == 201 && given.is_some() { 200 } else { *status };
                assert_eq!(response.status, status, "{method} {path}: {}", response.body);
                let id = response.header("x-request-id").unwrap_or_else(|| panic!("{method} {path}: no x-request-id"));
                match given {
                    Some(given) => assert_eq!(id, given, "{method} {path}"),
                    None => {
                        assert!(uuid::Uuid::try_parse(id).is_ok(), "{method} {path}: x-request-id {id}");
                        assert!(seen.insert(id.to_owned()), "{method} {path}: x-request-id {id} given twice");
                    }
                }
            }
        }
    }
}
