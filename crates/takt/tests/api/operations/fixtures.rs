//! Data sets written through the API, and a snapshot of everything a tenant's key can read.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::operations::common::Api;

/// The ERP sync API's entities, by path.
pub const ERP_ENTITIES: [&str; 5] = ["cells", "resources", "jobs", "parts", "operations"];

/// A JSON number with exactly the digits written (`"12.50"` stays 12.50).
pub fn dec(digits: &str) -> Value {
    serde_json::from_str(digits).expect("a JSON number")
}

/// Syncs one ERP record; returns its id.
pub async fn sync(api: &Api, entity: &str, body: Value, status: u16) -> String {
    let response = api.put(&format!("/api-{entity}/sync"), body).await;
    response.expect(status)["data"]["id"].as_str().expect("an id").to_owned()
}

/// Upserts one master-data record; returns it.
pub async fn upsert(api: &Api, entity: &str, body: Value, status: u16) -> Value {
    api.put(&format!("/api/{entity}/Upsert"), body).await.expect(status).clone()
}

/// The shop floor's collections: a synced scrap reason and one made by hand, a standstill issue
/// that holds `operation`, a substep of it.
async fn fill_shop_floor(api: &Api, operation: &str) {
    let ann = json!({"external_id": "E-1", "external_source": "SAP", "name": "Ann", "employee_number": "1001", "pin": "2468"});
    let ann = api.put("/api-operators/sync", ann).await.expect(201)["data"]["id"].as_str().unwrap().to_owned();
    let cut = api.get("/api-operations?external_id=SO-1-10-010").await;
    let cut = cut.expect(200)["data"]["operations"][0]["id"].as_str().unwrap().to_owned();
    let run = |action: &str| format!("/api-operation-lifecycle/{action}?id={cut}&operator_id={ann}");
    api.send(reqwest::Method::POST, &run("start"), None).await.expect(200);
    let pieces = json!({"good": 24, "scrap": 1, "scrap_reason": "Burn", "material_lot": "L-1", "notes": "ok"});
    api.send(reqwest::Method::POST, &run("complete"), Some(&pieces)).await.expect(200);
    let entry = json!({"operation_id": cut, "good": 2});
    let entry = api.send(reqwest::Method::POST, "/api-operation-quantities", Some(&entry)).await;
    let entry = entry.expect(201)["data"]["id"].as_str().unwrap().to_owned();
    api.send(reqwest::Method::DELETE, &format!("/api-operation-quantities/{entry}"), None).await.expect(200);
    let reason = json!({"external_source": "SAP", "external_id": "SR-1", "code": "Burn", "category": "machine"});
    api.put("/api-scrap-reasons/sync", reason).await.expect(201);
    api.post("/api-scrap-reasons", json!({"code": "Dent", "active": false})).await.expect(201);
    let issue = json!({"operation_id": operation, "title": "Porosity", "severity": "high", "causes_standstill": true});
    api.post("/api-issues", issue).await.expect(201);
    let substep = json!({"operation_id": operation, "description": "Grind the seam", "sequence": 1, "completed": true});
    api.post("/api-substeps", substep).await.expect(201);
}

/// Every kind of data Takt keeps, for one tenant: cells, resources, jobs with parts and
/// operations (nested and standalone, two sources), every master-data entity with properties,
/// an approved BoM version with slots, a recipe, a schedule, and both reference cycles (a
/// product whose receiptRecipe is a recipe of its own BoM; a BoM version bound to a schedule).
pub async fn fill_plant(api: &Api) {
    sync(
        api,
        "cells",
        json!({"external_id": "WC-CUT", "external_source": "SAP", "name": "Cutting", "color": "#3b82f6",
               "sequence": 1, "wip_limit": 2, "enforce_sequence": true, "capacity_hours_per_day": dec("7.5")}),
        201,
    )
    .await;
    sync(api, "cells", json!({"external_id": "WC-BEND", "external_source": "SAP", "name": "Bending"}), 201).await;
    sync(
        api,
        "cells",
        json!({"external_id": "WC-OLD", "external_source": "SAP", "name": "Ärger-Zelle", "sequence": 0,
               "active": false}),
        201,
    )
    .await;
    sync(
        api,
        "resources",
        json!({
            "external_id": "TOOL-001", "external_source": "SAP", "name": "CNC Mill #1", "type": "equipment",
            "description": "5-axis CNC milling machine", "identifier": "MILL-001",
            "location": "Building A, Bay 3", "status": "available"
        }),
        201,
    )
    .await;
    let bulk = api
        .post(
            "/api-resources/bulk-sync",
            json!({"resources": [
                {"external_id": "FIX-1", "external_source": "SAP", "name": "Fixture 1", "type": "fixture",
                 "status": "in_use"},
                {"external_id": "MOLD-1", "external_source": "SAP", "name": "Mold 1"}
            ]}),
        )
        .await;
    assert_eq!(bulk.expect(200)["data"]["created"], 2, "{}", bulk.body);
    sync(
        api,
        "jobs",
        json!({
            "external_id": "SO-1", "external_source": "SAP", "job_number": "JOB-1", "customer": "Acme Corp",
            "due_date": "2026-12-31", "priority": 5, "notes": "Synced from SAP",
            "metadata": {"erp": {"order": 4711}, "tags": ["rush"]},
            "parts": [
                {
                    "external_id": "SO-1-10", "part_number": "BRACKET-A", "material": "Steel 304", "quantity": 25,
                    "notes": "deburr", "is_bullet_card": true, "drawing_no": "DWG-7", "cnc_program_name": "O1001",
                    "operations": [
                        {"external_id": "SO-1-10-010", "operation_name": "Laser Cut", "cell_name": "cutting",
                         "sequence": 1, "estimated_time_minutes": 30, "completion_percentage": 40,
                         "planned_start": "2026-12-03T08:00:00Z", "planned_end": "2026-12-03T09:30:00.5Z"},
                        {"external_id": "SO-1-10-020", "operation_name": "Bend 90°", "cell_name": "Bending",
                         "sequence": 2, "estimated_time_minutes": dec("12.50"), "notes": "check angle"}
                    ]
                },
                {"external_id": "SO-1-20", "part_number": "BOLT-M8"}
            ]
        }),
        201,
    )
    .await;
    // A re-sync, so that updated_at differs from created_at.
    sync(
        api,
        "jobs",
        json!({"external_id": "SO-1", "external_source": "SAP", "job_number": "JOB-1", "customer": "Acme Corporation"}),
        200,
    )
    .await;
    sync(api, "jobs", json!({"external_id": "SO-2", "external_source": "ODOO", "job_number": "JOB-2"}), 201).await;
    sync(
        api,
        "parts",
        json!({"external_id": "SO-2-1", "external_source": "ODOO", "job_external_id": "SO-2", "part_number": "PLATE",
               "quantity": 3}),
        201,
    )
    .await;
    let weld = sync(
        api,
        "operations",
        json!({"external_id": "SO-2-1-1", "external_source": "ODOO", "part_external_id": "SO-2-1",
               "operation_name": "Weld", "cell_name": "Ärger-Zelle", "estimated_time_minutes": dec("0.25")}),
        201,
    )
    .await;
    fill_shop_floor(api, &weld).await;

    for (entity, body) in [
        ("ProductType", json!({"name": "Finished Good", "description": "Sold to customers"})),
        ("ProductType", json!({"name": "Raw Material"})),
        ("Currency", json!({"name": "EUR", "description": "Euro"})),
        ("UnitOfMeasure", json!({"name": "EA", "description": "Each"})),
        ("UnitOfMeasure", json!({"name": "KG"})),
        ("Location", json!({"name": "WH-1", "description": "Main warehouse"})),
        ("ReceiptProfile", json!({"name": "Standard"})),
        ("SerialRange", json!({"name": "SR-2026", "description": "Serials of 2026"})),
        ("OwnershipType", json!({"name": "Consigned"})),
        ("ApprovalStatus", json!({"name": "In Review"})),
        ("PropertyDefinition", json!({"tableName": "Product", "name": "Colour", "description": "Paint colour"})),
        ("PropertyDefinition", json!({"tableName": "Product", "name": "Finish"})),
        ("BomType", json!({"name": "Production", "isControlled": true})),
        ("BomType", json!({"name": "Engineering"})),
    ] {
        upsert(api, entity, body, 201).await;
    }
    upsert(
        api,
        "Product",
        json!({
            "productType": "Raw%", "name": "STEEL-SHEET", "version": "1", "defaultOwnership": "Vendor Owned",
            "defaultCostPerUnit": dec("3.1400"), "defaultCurrency": "EUR", "baseUnit": "KG",
            "receiptProfile": "Standard", "defaultBatchSize": dec("100"), "inventoryDecimalPlaces": 3,
            "location": "WH-1", "isActive": true, "isPlanningConstraint": false
        }),
        201,
    )
    .await;
    let bracket = upsert(
        api,
        "Product",
        json!({
            "productType": "Finished Good", "suid": "P-0001", "name": "BRACKET-A", "description": "Steel bracket",
            "version": "A", "defaultOwnership": "Internal", "defaultCostPerUnit": dec("12.50"),
            "defaultCurrency": "EUR", "baseUnit": "EA", "receiptProfile": "Standard", "serialRange": "SR-2026",
            "defaultBatchSize": dec("10"), "minScheduleBatchSize": dec("1.0"), "scheduleBatchIncrement": dec("0.5"),
            "maxScheduleBatchSize": dec("100.000"), "peggingExpiryDays": 30, "shelfLifeDays": 365,
            "inventoryDecimalPlaces": 2, "location": "WH-1", "isActive": true, "isPlanningConstraint": true,
            "properties": [{"name": "Colour", "value": "Blue"}, {"name": "Finish", "value": "Matte"}]
        }),
        201,
    )
    .await;
    upsert(api, "Bom", json!({"name": "BRK-A", "product": "BRACKET-A", "bomType": "Production", "suid": "BOM-1"}), 201)
        .await;
    let first = upsert(
        api,
        "BomVersion",
        json!({"bom": "BRK-A", "version": "1.0", "approvalStatus": "Draft", "changeReference": "ECO-1",
               "suid": "BV-1", "description": "First release"}),
        201,
    )
    .await;
    let first_id = first["id"].clone();
    upsert(
        api,
        "BomSlot",
        json!({"bomVersionId": first_id, "product": "STEEL-SHEET", "quantity": dec("2.500"), "unitOfMeasure": "KG",
               "slotType": "Material"}),
        201,
    )
    .await;
    upsert(
        api,
        "BomSlot",
        json!({"bomVersionId": first_id, "product": "STEEL-SHEET", "quantity": dec("1"), "isRequired": false,
               "isActive": false}),
        201,
    )
    .await;
    upsert(api, "BomVersion", json!({"id": first_id, "approvalStatus": "Approved"}), 200).await;
    upsert(
        api,
        "Recipe",
        json!({"name": "RCP-BRK-A", "suid": "R-1", "product": "BRACKET-A", "bomVersionId": first_id}),
        201,
    )
    .await;
    let schedule = upsert(
        api,
        "Schedule",
        json!({"name": "SCH-1", "recipe": "RCP-BRK-A", "quantity": dec("40"),
               "plannedStart": "2026-12-01T06:00:00Z", "plannedEnd": "2026-12-01T14:30:00.25Z"}),
        201,
    )
    .await;
    upsert(
        api,
        "Schedule",
        json!({"name": "SCH-2", "recipe": "RCP-BRK-A", "quantity": dec("5"), "status": "started"}),
        201,
    )
    .await;
    upsert(
        api,
        "BomVersion",
        json!({"bom": "BRK-A", "version": "2.0", "approvalStatus": "In Review", "scheduleId": schedule["id"]}),
        201,
    )
    .await;
    let cycled = upsert(api, "Product", json!({"id": bracket["id"], "receiptRecipe": "RCP-BRK-A"}), 200).await;
    assert_eq!(cycled["receiptRecipe"], "RCP-BRK-A");
    let webhook = json!({"url": "https://erp.example.com/takt", "events": ["job.*"], "description": "to the ERP"});
    let created = api.post("/api-webhooks", webhook).await;
    assert_eq!(created.status, 201, "{}", created.body);
}

/// A little data for a second tenant, with names the first tenant uses too.
pub async fn fill_small(api: &Api) {
    sync(api, "cells", json!({"external_id": "WC-CUT", "external_source": "SAP", "name": "Cutting"}), 201).await;
    sync(
        api,
        "jobs",
        json!({"external_id": "SO-1", "external_source": "SAP", "job_number": "JOB-1",
               "parts": [{"external_id": "SO-1-10", "part_number": "GEAR",
                          "operations": [{"external_id": "SO-1-10-010", "operation_name": "Hob",
                                          "cell_name": "Cutting"}]}]}),
        201,
    )
    .await;
    upsert(api, "ProductType", json!({"name": "Finished Good"}), 201).await;
    upsert(api, "UnitOfMeasure", json!({"name": "EA"}), 201).await;
}

/// Everything `api`'s key can read, by what was read: every ERP list, every job and part on
/// its own (with its children), every master-data list.
pub async fn snapshot(api: &Api) -> BTreeMap<String, Value> {
    let mut all = BTreeMap::new();
    for entity in ERP_ENTITIES {
        let list = api.get(&format!("/api-{entity}?limit=1000")).await.expect(200).clone();
        if entity == "jobs" || entity == "parts" {
            for record in list["data"][entity].as_array().expect("a list") {
                let id = record["id"].as_str().expect("an id");
                let one = api.get(&format!("/api-{entity}/{id}")).await.expect(200).clone();
                all.insert(format!("GET /api-{entity}/{id}"), one);
            }
        }
        all.insert(format!("GET /api-{entity}"), list);
    }
    for collection in ["issues", "substeps", "scrap-reasons"] {
        let list = api.get(&format!("/api-{collection}?limit=1000")).await.expect(200).clone();
        all.insert(format!("GET /api-{collection}"), list);
    }
    for entity in crate::support::MASTER_ENTITIES {
        let list = api.post(&format!("/api/{entity}/List"), json!({})).await.expect(200).clone();
        all.insert(format!("POST /api/{entity}/List"), list);
    }
    all
}

/// The records a snapshot holds of one list.
pub fn records<'a>(snapshot: &'a BTreeMap<String, Value>, read: &str) -> &'a Vec<Value> {
    let value = &snapshot[read];
    let list = match read.strip_prefix("GET /api-") {
        Some(entity) => &value["data"][entity],
        None => value,
    };
    list.as_array().unwrap_or_else(|| panic!("{read} is not a list: {value}"))
}

/// The highest master-data id in a snapshot.
pub fn max_master_id(snapshot: &BTreeMap<String, Value>) -> i64 {
    crate::support::MASTER_ENTITIES
        .iter()
        .flat_map(|entity| records(snapshot, &format!("POST /api/{entity}/List")))
        .map(|record| record["id"].as_i64().expect("an integer id"))
        .max()
        .unwrap_or(0)
}

/// Asserts that two snapshots hold the same reads with the same answers.
#[track_caller]
pub fn assert_same(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>) {
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>(), "different records were read");
    for (read, value) in before {
        assert_eq!(value, &after[read], "{read} differs");
    }
}

/// Asserts that a snapshot of [`fill_plant`]'s tenant holds all of it, cycles included.
#[track_caller]
pub fn assert_plant(snapshot: &BTreeMap<String, Value>) {
    let counts: Vec<(String, usize)> = ERP_ENTITIES
        .iter()
        .map(|e| (format!("api-{e}"), format!("GET /api-{e}")))
        .chain(crate::support::MASTER_ENTITIES.iter().map(|e| ((*e).to_owned(), format!("POST /api/{e}/List"))))
        .map(|(name, read)| (name, records(snapshot, &read).len()))
        .collect();
    let expected = [
        ("api-cells", 3),
        ("api-resources", 3),
        ("api-jobs", 2),
        ("api-parts", 3),
        ("api-operations", 3),
        ("ProductType", 2),
        ("Currency", 1),
        ("UnitOfMeasure", 2),
        ("Location", 1),
        ("ReceiptProfile", 1),
        ("SerialRange", 1),
        ("OwnershipType", 4),
        ("ApprovalStatus", 6),
        ("PropertyDefinition", 2),
        ("BomType", 2),
        ("Product", 2),
        ("Bom", 1),
        ("BomVersion", 2),
        ("BomSlot", 2),
        ("Recipe", 1),
        ("Schedule", 2),
    ];
    let expected: Vec<(String, usize)> = expected.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect();
    assert_eq!(counts, expected);
    let products = records(snapshot, "POST /api/Product/List");
    let bracket = products.iter().find(|p| p["name"] == "BRACKET-A").unwrap();
    assert_eq!(bracket["receiptRecipe"], "RCP-BRK-A");
    assert_eq!(bracket["properties"].as_array().unwrap().len(), 2);
    assert_eq!(bracket["defaultCostPerUnit"], dec("12.50"));
    let schedule = &records(snapshot, "POST /api/Schedule/List")[0];
    let versions = records(snapshot, "POST /api/BomVersion/List");
    assert_eq!(versions[0]["approvalStatus"], "Approved");
    assert_eq!(versions[1]["scheduleId"], schedule["id"]);
    let operations = records(snapshot, "GET /api-operations");
    assert_eq!(operations[1]["estimated_time_minutes"], dec("12.50"));
}
