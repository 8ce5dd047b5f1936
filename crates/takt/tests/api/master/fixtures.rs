//! Small fixtures shared by the scenarios: requests by entity name, and records built in the
//! order their references need (reference data, a product, a BoM, a version, slots...).

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Response, TestApp};

/// `PUT /api/{entity}/Upsert`.
pub async fn upsert(app: &TestApp, entity: &str, body: Value) -> Response {
    app.put(&format!("/api/{entity}/Upsert"), body).await
}

/// `PUT /api/{entity}/Upsert` with a body given as JSON text (to send decimals digit for digit).
pub async fn upsert_raw(app: &TestApp, entity: &str, body: &str) -> Response {
    app.call(Method::PUT, &format!("/api/{entity}/Upsert")).raw(body, Some("application/json")).send().await
}

/// `POST /api/{entity}/List`.
pub async fn list(app: &TestApp, entity: &str, filters: Value) -> Response {
    app.post(&format!("/api/{entity}/List"), filters).await
}

/// `DELETE /api/{entity}/Delete` with `{"id": id}`.
pub async fn delete(app: &TestApp, entity: &str, id: i64) -> Response {
    app.delete(&format!("/api/{entity}/Delete"), json!({ "id": id })).await
}

/// Creates a record, asserting `201`.
#[track_caller]
pub fn created(response: Response) -> Value {
    response.expect(201).clone()
}

pub async fn create(app: &TestApp, entity: &str, body: Value) -> Value {
    created(upsert(app, entity, body).await)
}

/// Updates a record, asserting `200`.
pub async fn update(app: &TestApp, entity: &str, body: Value) -> Value {
    upsert(app, entity, body).await.expect(200).clone()
}

/// The records a List answers, asserting `200`.
pub async fn listed(app: &TestApp, entity: &str, filters: Value) -> Vec<Value> {
    let response = list(app, entity, filters).await;
    response.expect(200).as_array().unwrap_or_else(|| panic!("List answers an array: {:?}", response.body)).clone()
}

/// The one record `id` of `entity`, read back through List.
pub async fn read(app: &TestApp, entity: &str, id: i64) -> Value {
    let records = listed(app, entity, json!({ "id": id })).await;
    assert_eq!(records.len(), 1, "{entity} {id} is listed once: {records:?}");
    records[0].clone()
}

pub fn id(record: &Value) -> i64 {
    record["id"].as_i64().unwrap_or_else(|| panic!("a record with an integer id: {record}"))
}

/// The values of one field across records.
pub fn column(records: &[Value], field: &str) -> Vec<Value> {
    records.iter().map(|r| r[field].clone()).collect()
}

/// The ids of records.
pub fn ids(records: &[Value]) -> Vec<i64> {
    records.iter().map(id).collect()
}

/// A record's keys, in order.
pub fn keys(record: &Value) -> Vec<String> {
    record.as_object().expect("a JSON object").keys().cloned().collect()
}

/// A record without its id and stamps, to compare what it holds.
pub fn content(record: &Value) -> Value {
    let mut map = record.as_object().expect("a JSON object").clone();
    for stamp in ["id", "createdAt", "updatedAt"] {
        map.remove(stamp);
    }
    Value::Object(map)
}

/// Text of exactly `bytes` UTF-8 bytes, made of three-byte characters (and ASCII to round it
/// off), so it is far fewer characters than bytes.
pub fn text_of_bytes(bytes: usize) -> String {
    "€".repeat(bytes / 3) + &"a".repeat(bytes % 3)
}

/// Text of `bytes + 1` UTF-8 bytes that ends in a multi-byte character.
pub fn text_over(bytes: usize) -> String {
    text_of_bytes(bytes - 2) + "€"
}

/// The reference data a product needs, by entity and name.
pub const REFERENCE_DATA: [(&str, &str); 6] = [
    ("ProductType", "Sheet Metal"),
    ("Currency", "EUR"),
    ("UnitOfMeasure", "pcs"),
    ("Location", "MAIN"),
    ("ReceiptProfile", "Standard"),
    ("SerialRange", "SR-2026"),
];

/// The reference data a product needs, plus two property definitions and a BoM type:
/// product type `Sheet Metal`, currency `EUR`, unit `pcs`, location `MAIN`, receipt profile
/// `Standard`, serial range `SR-2026`, properties `Colour` and `Finish`, BoM type `Production`.
pub async fn reference_data(app: &TestApp) {
    for (entity, name) in REFERENCE_DATA {
        create(app, entity, json!({ "name": name, "description": format!("{name} for the tests") })).await;
    }
    for name in ["Colour", "Finish"] {
        create(app, "PropertyDefinition", json!({ "tableName": "Product", "name": name })).await;
    }
    create(app, "BomType", json!({ "name": "Production", "isControlled": true })).await;
}

/// A product body with every "Mandatory: Create" field of seed 004 Table 4, on the reference
/// data of [`reference_data`].
pub fn product_body(name: &str) -> Value {
    json!({
        "productType": "Sheet Metal",
        "name": name,
        "version": "A",
        "defaultOwnership": "Internal",
        "defaultCostPerUnit": 12.5,
        "defaultCurrency": "EUR",
        "baseUnit": "pcs",
        "receiptProfile": "Standard",
        "defaultBatchSize": 10,
        "inventoryDecimalPlaces": 0,
        "location": "MAIN",
        "isActive": true,
        "isPlanningConstraint": false
    })
}

/// The mandatory fields of a product create, in the entity's field order.
pub const PRODUCT_MANDATORY: [&str; 13] = [
    "productType",
    "name",
    "version",
    "defaultOwnership",
    "defaultCostPerUnit",
    "defaultCurrency",
    "baseUnit",
    "receiptProfile",
    "defaultBatchSize",
    "inventoryDecimalPlaces",
    "location",
    "isActive",
    "isPlanningConstraint",
];

pub async fn product(app: &TestApp, name: &str) -> Value {
    create(app, "Product", product_body(name)).await
}

pub async fn bom(app: &TestApp, name: &str, product: &str) -> Value {
    create(app, "Bom", json!({ "name": name, "product": product })).await
}

/// A BoM version `"major.minor"` in an approval status.
pub async fn version(app: &TestApp, bom: &str, version: &str, status: &str) -> Value {
    create(app, "BomVersion", json!({ "bom": bom, "version": version, "approvalStatus": status })).await
}

pub async fn slot(app: &TestApp, version_id: i64, product: &str, quantity: u32) -> Value {
    create(app, "BomSlot", json!({ "bomVersionId": version_id, "product": product, "quantity": quantity })).await
}

pub async fn recipe(app: &TestApp, name: &str, product: &str, version_id: Option<i64>) -> Value {
    create(app, "Recipe", json!({ "name": name, "product": product, "bomVersionId": version_id })).await
}

pub async fn schedule(app: &TestApp, name: &str, recipe: &str) -> Value {
    create(app, "Schedule", json!({ "name": name, "recipe": recipe, "quantity": 5 })).await
}

/// A product `BRACKET-A` built by BoM `BRK-A` from `SHEET` and `SCREW`, version 1.0 (in
/// `status`) with one slot of each. Returns the version.
pub async fn bracket(app: &TestApp, status: &str) -> Value {
    reference_data(app).await;
    for name in ["BRACKET-A", "SHEET", "SCREW"] {
        product(app, name).await;
    }
    bom(app, "BRK-A", "BRACKET-A").await;
    let draft = version(app, "BRK-A", "1.0", "Draft").await;
    slot(app, id(&draft), "SHEET", 1).await;
    slot(app, id(&draft), "SCREW", 4).await;
    if status == "Draft" {
        return draft;
    }
    update(app, "BomVersion", json!({ "id": id(&draft), "approvalStatus": status })).await
}
