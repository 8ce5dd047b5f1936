//! A plant to run: cell `Cutting` and a job with two parts, the first routed through three
//! operations, the second through one; and the calls and reads the scenarios share.

use serde_json::{Value, json};

use crate::erp::fixtures::{SOURCE, create, find, read};
use crate::events::fixtures::{feed, page};
use crate::support::{Response, TestApp};

/// The Takt ids of the plant's records.
pub struct Plant {
    pub job: String,
    pub parts: [String; 2],
    /// The first part's three operations in routing order, then the second part's one.
    pub operations: [String; 4],
}

/// Syncs the plant; `cell` is merged into the cell's body (`wip_limit`, `enforce_sequence`).
pub async fn plant_with(app: &TestApp, cell: Value) -> Plant {
    let mut body = json!({"external_id": "C-1", "external_source": SOURCE, "name": "Cutting"});
    body.as_object_mut().unwrap().extend(cell.as_object().cloned().unwrap_or_default());
    create(app, "cells", body).await;
    let operation = |id: &str, sequence: i64| json!({"external_id": id, "operation_name": format!("Step {id}"), "cell_name": "Cutting", "sequence": sequence});
    let job = json!({
        "external_id": "SO-1", "external_source": SOURCE, "job_number": "SO-1", "customer": "Acme",
        "parts": [
            {"external_id": "SO-1-10", "part_number": "P-10", "quantity": 25,
             "operations": [operation("OP-1", 10), operation("OP-2", 20), operation("OP-3", 30)]},
            {"external_id": "SO-1-20", "part_number": "P-20", "operations": [operation("OP-4", 10)]},
        ]
    });
    let job = create(app, "jobs", job).await;
    let id = |entity: &'static str, external_id: &'static str| async move {
        find(app, entity, external_id).await["id"].as_str().unwrap().to_owned()
    };
    Plant {
        job,
        parts: [id("parts", "SO-1-10").await, id("parts", "SO-1-20").await],
        operations: [
            id("operations", "OP-1").await,
            id("operations", "OP-2").await,
            id("operations", "OP-3").await,
            id("operations", "OP-4").await,
        ],
    }
}

pub async fn plant(app: &TestApp) -> Plant {
    plant_with(app, json!({})).await
}

/// `POST /api-operation-lifecycle/{action}?{query}` with a body, or none.
pub async fn operation_action(app: &TestApp, action: &str, query: &str, body: Option<Value>) -> Response {
    let call = app.call(reqwest::Method::POST, &format!("/api-operation-lifecycle/{action}?{query}"));
    match body {
        Some(body) => call.json(body).send().await,
        None => call.send().await,
    }
}

/// `POST /api-job-lifecycle/{action}?id=`.
pub async fn job_action(app: &TestApp, action: &str, id: &str) -> Response {
    app.call(reqwest::Method::POST, &format!("/api-job-lifecycle/{action}?id={id}")).send().await
}

/// Moves an operation, asserting `200`; the answer's data.
pub async fn act(app: &TestApp, action: &str, id: &str) -> Value {
    operation_action(app, action, &format!("id={id}"), None).await.expect(200)["data"].clone()
}

/// The status of a record as `GET` reads it.
pub async fn status(app: &TestApp, entity: &str, id: &str) -> String {
    read(app, entity, id).await["status"].as_str().unwrap().to_owned()
}

/// Every event of the tenant so far.
pub async fn events(app: &TestApp) -> Vec<Value> {
    page(&feed(app, "?limit=1000").await).0
}

/// Events after `seq`, as `(type, actor kind)`.
pub async fn events_after(app: &TestApp, seq: i64) -> Vec<(String, String)> {
    page(&feed(app, &format!("?after={seq}&limit=1000")).await)
        .0
        .iter()
        .map(|e| (e["type"].as_str().unwrap().to_owned(), e["actor"]["kind"].as_str().unwrap().to_owned()))
        .collect()
}

/// The `seq` of the tenant's latest event.
pub async fn last_seq(app: &TestApp) -> i64 {
    events(app).await.last().map_or(0, |e| e["seq"].as_i64().unwrap())
}
