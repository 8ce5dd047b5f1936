//! Small fixtures shared by the scenarios: records that exist, valid bodies to spoil, and the
//! assertions every scenario makes.

use serde_json::{Map, Value, json};

use crate::support::{Response, TestApp};

/// The external_source of every fixture.
pub const SOURCE: &str = "SAP";

/// The five entities, as their paths and bulk keys name them.
pub const ENTITIES: [&str; 5] = ["cells", "resources", "jobs", "parts", "operations"];

/// The Takt id a sync answered with.
pub fn id_of(body: &Value) -> String {
    body["data"]["id"].as_str().unwrap_or_else(|| panic!("no id in {body}")).to_owned()
}

/// `PUT /api-{entity}/sync`.
pub async fn sync(app: &TestApp, entity: &str, body: Value) -> Response {
    app.put(&format!("/api-{entity}/sync"), body).await
}

/// Syncs a new record, asserting `201 created`; its id.
pub async fn create(app: &TestApp, entity: &str, body: Value) -> String {
    let response = sync(app, entity, body).await;
    let body = response.expect(201);
    assert_eq!(body["data"]["action"], "created", "{body}");
    id_of(body)
}

/// Syncs an existing record, asserting `200 updated`; its id.
pub async fn update(app: &TestApp, entity: &str, body: Value) -> String {
    let response = sync(app, entity, body).await;
    let body = response.expect(200);
    assert_eq!(body["data"]["action"], "updated", "{body}");
    id_of(body)
}

pub async fn cell(app: &TestApp, external_id: &str, name: &str) -> String {
    create(app, "cells", json!({"external_id": external_id, "external_source": SOURCE, "name": name})).await
}

pub async fn job(app: &TestApp, external_id: &str, job_number: &str) -> String {
    create(app, "jobs", json!({"external_id": external_id, "external_source": SOURCE, "job_number": job_number})).await
}

pub async fn part(app: &TestApp, external_id: &str, job_external_id: &str) -> String {
    let body = json!({
        "external_id": external_id,
        "external_source": SOURCE,
        "job_external_id": job_external_id,
        "part_number": format!("PN-{external_id}"),
    });
    create(app, "parts", body).await
}

pub async fn operation(app: &TestApp, external_id: &str, part_external_id: &str, cell_name: &str) -> String {
    let body = json!({
        "external_id": external_id,
        "external_source": SOURCE,
        "part_external_id": part_external_id,
        "operation_name": format!("Step {external_id}"),
        "cell_name": cell_name,
    });
    create(app, "operations", body).await
}

/// The parents the [`valid`] bodies name: cell `Cutting`, job `J-1`, part `P-1` under it.
pub async fn parents(app: &TestApp) {
    cell(app, "C-1", "Cutting").await;
    job(app, "J-1", "JOB-1").await;
    part(app, "P-1", "J-1").await;
}

/// How many records of each entity [`parents`] leaves, in [`ENTITIES`] order.
pub const PARENT_COUNTS: [i64; 5] = [1, 0, 1, 1, 0];

/// A valid new record of `entity`, whose parents [`parents`] creates, with every field set.
pub fn valid(entity: &str) -> Value {
    match entity {
        "cells" => json!({
            "external_id": "C-NEW", "external_source": SOURCE, "name": "Welding",
            "color": "#3b82f6", "sequence": 1, "active": true
        }),
        "resources" => json!({
            "external_id": "R-NEW", "external_source": SOURCE, "name": "CNC Mill #1", "type": "equipment",
            "description": "5-axis CNC milling machine", "identifier": "MILL-001",
            "location": "Building A, Bay 3", "status": "available"
        }),
        "jobs" => json!({
            "external_id": "J-NEW", "external_source": SOURCE, "job_number": "JOB-NEW", "customer": "Acme Corp",
            "due_date": "2024-12-31", "priority": 5, "notes": "Synced from SAP"
        }),
        "parts" => json!({
            "external_id": "P-NEW", "external_source": SOURCE, "job_external_id": "J-1", "part_number": "BRACKET-A",
            "material": "Steel 304", "quantity": 25, "notes": "Handle with care"
        }),
        "operations" => json!({
            "external_id": "O-NEW", "external_source": SOURCE, "part_external_id": "P-1",
            "operation_name": "Laser Cut", "cell_name": "Cutting", "sequence": 1,
            "estimated_time_minutes": 30, "notes": "Use 1000W laser"
        }),
        other => panic!("no entity {other}"),
    }
}

/// `body` with the given fields set (a JSON object).
pub fn with(mut body: Value, changes: &[(&str, Value)]) -> Value {
    let map = body.as_object_mut().expect("an object");
    for (field, value) in changes {
        map.insert((*field).to_owned(), value.clone());
    }
    body
}

/// `body` without a field.
pub fn without(mut body: Value, field: &str) -> Value {
    body.as_object_mut().expect("an object").shift_remove(field);
    body
}

/// A string of exactly `n` UTF-8 bytes, made of two-byte "ä" (and one "a" when `n` is odd), so
/// that limits are seen to count bytes, not characters.
pub fn bytes(n: usize) -> String {
    let mut text = if n % 2 == 1 { "a".to_owned() } else { String::new() };
    text.push_str(&"ä".repeat(n / 2));
    assert_eq!(text.len(), n);
    text
}

/// `GET /api-{entity}{query}`: the records of the page and the pagination.
pub async fn list(app: &TestApp, entity: &str, query: &str) -> (Vec<Value>, Value) {
    let response = app.get(&format!("/api-{entity}{query}")).await;
    let body = response.expect(200);
    assert_eq!(body["success"], true, "{body}");
    let records = body["data"][entity].as_array().unwrap_or_else(|| panic!("no {entity} in {body}")).clone();
    (records, body["data"]["pagination"].clone())
}

/// Every record of `entity` (up to 1000).
pub async fn all(app: &TestApp, entity: &str) -> Vec<Value> {
    list(app, entity, "?limit=1000").await.0
}

/// How many records of `entity` the tenant has.
pub async fn count(app: &TestApp, entity: &str) -> i64 {
    list(app, entity, "?limit=1").await.1["total"].as_i64().expect("a total")
}

/// How many records of each entity, in [`ENTITIES`] order.
pub async fn counts(app: &TestApp) -> [i64; 5] {
    let mut counts = [0; 5];
    for (i, entity) in ENTITIES.iter().enumerate() {
        counts[i] = count(app, entity).await;
    }
    counts
}

/// `GET /api-{entity}/{id}`: the record.
pub async fn read(app: &TestApp, entity: &str, id: &str) -> Value {
    app.get(&format!("/api-{entity}/{id}")).await.expect(200)["data"].clone()
}

/// The one record of `entity` with this external id (in [`SOURCE`]).
pub async fn find(app: &TestApp, entity: &str, external_id: &str) -> Value {
    let (records, _) = list(app, entity, &format!("?external_source={SOURCE}&external_id={external_id}")).await;
    assert_eq!(records.len(), 1, "one {entity} '{external_id}': {records:?}");
    records[0].clone()
}

/// `details` as `(field, message)` pairs.
pub fn details(response: &Response) -> Vec<(String, String)> {
    response.body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| {
                    (e["field"].as_str().unwrap_or("?").to_owned(), e["message"].as_str().unwrap_or("?").to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts a `422 VALIDATION_ERROR` whose details are exactly these `(field, message)` pairs.
#[track_caller]
pub fn expect_invalid(response: &Response, expected: &[(&str, &str)], context: &str) {
    assert_eq!(response.status, 422, "{context}: {}", response.body);
    response.expect_error(422, "VALIDATION_ERROR");
    let expected: Vec<(String, String)> = expected.iter().map(|(f, m)| ((*f).to_owned(), (*m).to_owned())).collect();
    assert_eq!(details(response), expected, "{context}: {}", response.body);
}

/// Asserts a `422 VALIDATION_ERROR` naming exactly these fields.
#[track_caller]
pub fn expect_invalid_fields(response: &Response, fields: &[&str], context: &str) {
    assert_eq!(response.status, 422, "{context}: {}", response.body);
    response.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(response.error_fields(), fields, "{context}: {}", response.body);
}

/// Asserts a `404 NOT_FOUND` naming exactly this field.
#[track_caller]
pub fn expect_missing(response: &Response, field: &str) {
    response.expect_error(404, "NOT_FOUND");
    assert_eq!(response.error_fields(), [field], "{}", response.body);
}

/// Asserts a `409 CONFLICT`.
#[track_caller]
pub fn expect_conflict(response: &Response) {
    response.expect_error(409, "CONFLICT");
}

/// The keys of a JSON object, in order.
pub fn keys(value: &Value) -> Vec<&str> {
    value.as_object().map(|m: &Map<String, Value>| m.keys().map(String::as_str).collect()).unwrap_or_default()
}

/// The values of `field` in a list of records.
pub fn column<'a>(records: &'a [Value], field: &str) -> Vec<&'a str> {
    records.iter().map(|r| r[field].as_str().unwrap_or_else(|| panic!("no {field} in {r}"))).collect()
}

/// The `n`th of a series of valid new records of `entity`, with distinct keys and unique values.
pub fn numbered(entity: &str, n: usize) -> Value {
    let mut body = with(valid(entity), &[("external_id", json!(format!("{entity}-{n}")))]);
    match entity {
        "cells" => body["name"] = json!(format!("Cell {n}")),
        "jobs" => body["job_number"] = json!(format!("{entity}-{n}")),
        _ => {}
    }
    body
}
