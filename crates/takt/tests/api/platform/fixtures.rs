//! Small fixtures the platform scenarios share: records to create and ways to read them back.

use serde_json::{Value, json};

use crate::support::{Response, TestApp};

/// A cell sync body from `SAP`.
pub fn cell_body(external_id: &str, name: &str) -> Value {
    json!({"external_id": external_id, "external_source": "SAP", "name": name})
}

/// A job sync body from `SAP` whose job number is its external id.
pub fn job_body(external_id: &str) -> Value {
    json!({"external_id": external_id, "external_source": "SAP", "job_number": external_id})
}

/// Syncs a cell from `SAP` with the app's key.
pub async fn sync_cell(app: &TestApp, external_id: &str, name: &str) -> Response {
    app.put("/api-cells/sync", cell_body(external_id, name)).await
}

/// Syncs a cell that must be created; returns its id.
pub async fn create_cell(app: &TestApp, external_id: &str, name: &str) -> String {
    let response = sync_cell(app, external_id, name).await;
    assert_eq!(response.expect(201)["data"]["action"], "created");
    response.body["data"]["id"].as_str().expect("an id").to_owned()
}

/// Every record of an ERP list (`cells`, `jobs`, ...) as `key` sees it, with the `search` given.
pub async fn erp_list_with(app: &TestApp, key: &str, entity: &str, query: &str) -> Vec<Value> {
    let path = if query.is_empty() { format!("/api-{entity}?limit=1000") } else { format!("/api-{entity}?{query}") };
    let response = app.call(reqwest::Method::GET, &path).key(key).send().await;
    response.expect(200)["data"][entity].as_array().expect("a list").clone()
}

/// Every record of an ERP list, read with the app's key.
pub async fn erp_list(app: &TestApp, entity: &str) -> Vec<Value> {
    erp_list_with(app, &app.key, entity, "").await
}

/// The records of an ERP list that a `search` finds (percent-encoded here).
pub async fn erp_search(app: &TestApp, entity: &str, search: &str) -> Vec<Value> {
    erp_list_with(app, &app.key, entity, &format!("search={}", encode(search))).await
}

/// The `name`s of the cells an ERP search finds.
pub async fn cell_search(app: &TestApp, search: &str) -> Vec<String> {
    erp_search(app, "cells", search).await.iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A master-data List with the app's key.
pub async fn master_list(app: &TestApp, entity: &str, filter: Value) -> Vec<Value> {
    app.post(&format!("/api/{entity}/List"), filter).await.expect(200).as_array().expect("an array").clone()
}

/// A master-data List as `key` sees it.
pub async fn master_list_with(app: &TestApp, key: &str, entity: &str) -> Vec<Value> {
    let response =
        app.call(reqwest::Method::POST, &format!("/api/{entity}/List")).key(key).json(json!({})).send().await;
    response.expect(200).as_array().expect("an array").clone()
}

/// Creates a master-data record that must be new; returns it.
pub async fn create_master(app: &TestApp, entity: &str, body: Value) -> Value {
    app.put(&format!("/api/{entity}/Upsert"), body).await.expect(201).clone()
}

/// The reference data a product needs: product type `Widget`, currency `EUR`, unit `pcs`,
/// receipt profile `Standard`, location `Main` (the ownership type `Internal` is built in).
pub async fn product_references(app: &TestApp) {
    create_master(app, "ProductType", json!({"name": "Widget"})).await;
    create_master(app, "Currency", json!({"name": "EUR"})).await;
    create_master(app, "UnitOfMeasure", json!({"name": "pcs"})).await;
    create_master(app, "ReceiptProfile", json!({"name": "Standard"})).await;
    create_master(app, "Location", json!({"name": "Main"})).await;
}

/// A product create body on the references of [`product_references`].
pub fn product(name: &str) -> Value {
    json!({
        "productType": "Widget",
        "name": name,
        "version": "A",
        "defaultOwnership": "Internal",
        "defaultCostPerUnit": 1,
        "defaultCurrency": "EUR",
        "baseUnit": "pcs",
        "receiptProfile": "Standard",
        "defaultBatchSize": 10,
        "inventoryDecimalPlaces": 2,
        "location": "Main",
        "isActive": true,
        "isPlanningConstraint": false
    })
}

/// The text of a JSON number exactly as the server wrote it.
pub fn number_text(value: &Value) -> String {
    assert!(value.is_number(), "not a number: {value}");
    value.to_string()
}
