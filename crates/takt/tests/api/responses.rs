//! The exact shape of typical answers of both dialects, locked by snapshots. Ids and timestamps
//! change on every run and are replaced by placeholders; everything else must match exactly.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::support::TestApp;

/// Replaces generated ids and timestamps, keeping the shape.
fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let generated = key == "id" || key.ends_with("_id") && key != "external_id" || key == "bomVersionId";
                let stamp = matches!(key.as_str(), "created_at" | "updated_at" | "createdAt" | "updatedAt");
                if generated && (v.is_string() || v.is_number()) {
                    *v = json!("[id]");
                } else if stamp {
                    *v = json!("[timestamp]");
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn snapshot(mut value: Value) -> String {
    redact(&mut value);
    serde_json::to_string_pretty(&value).unwrap()
}

async fn master(app: &TestApp, entity: &str, body: Value) -> Value {
    app.put(&format!("/api/{entity}/Upsert"), body).await.expect(201).clone()
}

backend_tests! {
    async fn erp_answers_keep_their_shape(app: TestApp) {
        app.put("/api-cells/sync", json!({"external_id": "WC-1", "external_source": "SAP", "name": "Cutting"})).await.expect(201);
        let sync = app
            .put(
                "/api-jobs/sync",
                json!({
                    "external_id": "SO-1", "external_source": "SAP", "job_number": "J-1", "due_date": "2026-12-31", "priority": 2,
                    "parts": [{"external_id": "SO-1-10", "part_number": "P-1", "quantity": 3,
                               "operations": [{"external_id": "SO-1-10-10", "operation_name": "Cut", "cell_name": "cutting", "estimated_time_minutes": 12.50}]}]
                }),
            )
            .await;
        let job_id = sync.expect(201)["data"]["id"].as_str().unwrap().to_owned();
        insta::assert_snapshot!("erp_sync", snapshot(sync.body.clone()));
        insta::assert_snapshot!("erp_job", snapshot(app.get(&format!("/api-jobs/{job_id}")).await.expect(200).clone()));
        insta::assert_snapshot!("erp_list", snapshot(app.get("/api-cells?limit=5").await.expect(200).clone()));
        let parts = json!([
            {"external_id": "SO-1-20", "external_source": "SAP", "job_external_id": "SO-1", "part_number": "P-2"},
            {"external_id": "SO-1-30", "external_source": "SAP", "job_external_id": "SO-9", "part_number": "P-3"},
            {"external_source": "SAP", "job_external_id": "SO-1", "part_number": "P-4"}
        ]);
        // Under the entity's name, the seed's shape; under `items`, the newer clients' `results`.
        let bulk = app.post("/api-parts/bulk-sync", json!({"parts": parts})).await;
        insta::assert_snapshot!("erp_bulk", snapshot(bulk.expect(200).clone()));
        let newer = app.post("/api-parts/bulk-sync", json!({"items": parts})).await;
        insta::assert_snapshot!("erp_bulk_items", snapshot(newer.expect(200).clone()));
        let invalid = app.put("/api-parts/sync", json!({"external_id": "X", "external_source": "SAP", "quantity": 0, "colour": 1})).await;
        insta::assert_snapshot!("erp_invalid", snapshot(invalid.expect(422).clone()));
    }

    async fn master_data_answers_keep_their_shape(app: TestApp) {
        master(&app, "ProductType", json!({"Name": "Finished Good"})).await;
        master(&app, "Currency", json!({"Name": "EUR"})).await;
        master(&app, "UnitOfMeasure", json!({"Name": "pcs"})).await;
        master(&app, "Location", json!({"Name": "Plant 1"})).await;
        master(&app, "ReceiptProfile", json!({"Name": "Standard"})).await;
        master(&app, "PropertyDefinition", json!({"tableName": "Product", "name": "Colour"})).await;
        let product = master(
            &app,
            "Product",
            json!({"Product Type": "Finished Good", "Name": "BRACKET-A", "SUID": "BRK-A-1", "Version": "A", "Default Ownership": "Internal",
                   "Default Cost Per Unit": 12.50, "Default Currency": "EUR", "Base Unit": "pcs", "Receipt Profile": "Standard",
                   "Default Batch Size": 25, "Inventory Decimal Places": 0, "Location": "Plant 1", "Is Active": true,
                   "Is Planning Constraint": false, "properties": [{"name": "Colour", "value": "blue"}]}),
        )
        .await;
        insta::assert_snapshot!("master_product", snapshot(product));
        master(&app, "Bom", json!({"name": "BRK-A", "product": "BRACKET-A"})).await;
        let version = master(&app, "Bom Version", json!({"bom": "BRK-A", "version": "1.0", "approvalStatus": "Draft"})).await;
        insta::assert_snapshot!("master_bom_version", snapshot(version));
        let list = app.post("/api/OwnershipType/List", json!({})).await;
        insta::assert_snapshot!("master_list", snapshot(list.expect(200).clone()));
        let missing = app.put("/api/Bom/Upsert", json!({"name": "BRK-B", "product": "NOPE", "bomType": "NONE"})).await;
        insta::assert_snapshot!("master_not_found", snapshot(missing.expect(404).clone()));
    }
}
