//! The shop floor's collections (SPEC section 7): issues with their standstill holds, substeps
//! and scrap reasons, over HTTP on both engines.

mod issues;
mod scrap_reasons;
mod substeps;

use reqwest::Method;
use serde_json::{Value, json};

use crate::erp::fixtures;
use crate::support::{Backend, Response, TestApp};

/// A new operation (with its cell, job and part), named after `name`; its id.
pub async fn operation(app: &TestApp, name: &str) -> String {
    operation_of(app, &app.key, name).await
}

/// A new operation in the tenant of `key`; its id.
pub async fn operation_of(app: &TestApp, key: &str, name: &str) -> String {
    let sync = |entity: &str, body: Value| {
        let path = format!("/api-{entity}/sync");
        async move { app.call(Method::PUT, &path).key(key).json(body).send().await }
    };
    let source = fixtures::SOURCE;
    sync(
        "cells",
        json!({"external_id": format!("C-{name}"), "external_source": source, "name": format!("Cell {name}")}),
    )
    .await
    .expect(201);
    sync("jobs", json!({"external_id": format!("J-{name}"), "external_source": source, "job_number": name}))
        .await
        .expect(201);
    let part = json!({
        "external_id": format!("P-{name}"), "external_source": source,
        "job_external_id": format!("J-{name}"), "part_number": format!("PN-{name}"),
    });
    sync("parts", part).await.expect(201);
    let op = json!({
        "external_id": format!("O-{name}"), "external_source": source, "part_external_id": format!("P-{name}"),
        "operation_name": format!("Step {name}"), "cell_name": format!("Cell {name}"),
    });
    fixtures::id_of(sync("operations", op).await.expect(201))
}

/// An id as a literal of the engine's SQL.
pub fn uuid_literal(app: &TestApp, id: &str) -> String {
    match app.backend {
        Backend::Sqlite => format!("X'{}'", id.replace('-', "")),
        Backend::Postgres => format!("'{id}'"),
    }
}

/// Sets an operation's status by SQL, as the lifecycle would.
pub async fn set_status(app: &TestApp, operation: &str, status: &str) {
    let sql = format!("UPDATE operations SET status = '{status}' WHERE id = {}", uuid_literal(app, operation));
    assert_eq!(app.execute_sql(&sql).await, 1);
}

/// Opens an unattributed time entry of `time_type` on an operation, by SQL.
pub async fn open_entry(app: &TestApp, operation: &str, time_type: &str) {
    let id = uuid_literal(app, &uuid::Uuid::now_v7().to_string());
    let sql = format!(
        "INSERT INTO time_entries (id, tenant_id, operation_id, time_type, start_time, created_at, updated_at) \
         SELECT {id}, tenant_id, id, '{time_type}', created_at, created_at, created_at FROM operations WHERE id = {}",
        uuid_literal(app, operation)
    );
    assert_eq!(app.execute_sql(&sql).await, 1);
}

/// How many time entries of an operation are open.
pub async fn open_entries(app: &TestApp, operation: &str) -> u64 {
    let sql = format!(
        "UPDATE time_entries SET notes = notes WHERE end_time IS NULL AND operation_id = {}",
        uuid_literal(app, operation)
    );
    app.execute_sql(&sql).await
}

/// The operation's status, as `GET /api-operations/{id}` reads it.
pub async fn status_of(app: &TestApp, operation: &str) -> String {
    let response = app.get(&format!("/api-operations/{operation}")).await;
    response.expect(200)["data"]["status"].as_str().expect("a status").to_owned()
}

/// The seq of the tenant's last event.
pub async fn last_seq(app: &TestApp) -> i64 {
    events_after(app, 0).await.last().map_or(0, |e| e["seq"].as_i64().expect("a seq"))
}

/// Every event of the `acme` tenant after `after`.
pub async fn events_after(app: &TestApp, after: i64) -> Vec<Value> {
    let response = app.get(&format!("/api-events?after={after}&limit=1000")).await;
    response.expect(200)["data"]["events"].as_array().expect("events").clone()
}

/// The types of `events`, with `!` after each whose actor is `system`.
pub fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let system = e["actor"]["kind"] == "system";
            format!("{}{}", e["type"].as_str().expect("a type"), if system { "!" } else { "" })
        })
        .collect()
}

/// `POST path` with `body`, asserting 201; the record.
pub async fn create(app: &TestApp, path: &str, body: Value) -> Value {
    app.post(path, body).await.expect(201)["data"].clone()
}

/// `PATCH path` with `body`.
pub async fn patch(app: &TestApp, path: &str, body: Value) -> Response {
    app.call(Method::PATCH, path).json(body).send().await
}

/// The keys of a JSON object, in order.
pub fn keys(value: &Value) -> Vec<&str> {
    value.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default()
}

/// The `pagination` of a list answer and the ids it lists under `plural`.
pub fn page(response: &Response, plural: &str) -> (Value, Vec<String>) {
    let body = response.expect(200);
    assert_eq!(keys(&body["data"]), [plural, "pagination"], "{body}");
    let ids = body["data"][plural]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["id"].as_str().expect("an id").to_owned())
        .collect();
    (body["data"]["pagination"].clone(), ids)
}
