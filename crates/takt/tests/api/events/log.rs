//! Which writes append which events: one per changed record, in the change's own transaction;
//! `data` as the API reads the record, `changes` on updates; nothing for a write that changes
//! nothing or is refused, nor for keys and tenants.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::events::fixtures::*;
use crate::support::TestApp;

backend_tests! {
    async fn a_sync_that_creates_appends_one_created_event_with_the_record_as_read(app: TestApp) {
        let mut log = Log::start(&app).await;
        parents(&app).await;
        let parents = log.new_events(&app).await;
        assert_eq!(types(&parents), ["cell.created", "job.created", "part.created"]);
        assert_eq!(seqs(&parents), [1, 2, 3], "seq counts from 1");
        for (path, entity) in ERP {
            let id = create(&app, path, valid(path)).await;
            let event = log.expect_one(&app, &format!("{entity}.created")).await;
            assert_eq!(event["entity"], entity);
            assert_eq!(event["entity_id"], id.as_str());
            assert_eq!(event["external_source"], SOURCE);
            assert_eq!(event["external_id"], valid(path)["external_id"]);
            assert!(event.get("changes").is_none(), "no changes on a create: {event}");
            assert_eq!(event["data"], read(&app, path, &id).await, "data is the record as GET reads it");
            assert!(event["data"].get("parts").is_none() && event["data"].get("operations").is_none(), "{event}");
        }
        let events = all_events(&app).await;
        assert_eq!(seqs(&events), (1..=8).collect::<Vec<_>>());
        let ids: std::collections::BTreeSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 8, "every event has its own id");
    }

    async fn a_resync_that_changes_nothing_appends_nothing_and_keeps_updated_at(app: TestApp) {
        parents(&app).await;
        let mut ids = Vec::new();
        for (path, _) in ERP {
            ids.push(create(&app, path, valid(path)).await);
        }
        let mut log = Log::start(&app).await;
        for ((path, _), id) in ERP.iter().zip(&ids) {
            let before = read(&app, path, id).await;
            for _ in 0..2 {
                let response = sync(&app, path, valid(path)).await;
                let mut answer = response.expect(200).clone();
                answer["data"].as_object_mut().unwrap().shift_remove(path.trim_end_matches('s')).expect("the record");
                assert_eq!(
                    answer,
                    json!({"success": true, "data": {"action": "updated", "id": id, "external_id": valid(path)["external_id"]}}),
                    "{path}"
                );
            }
            log.expect_nothing(&app, &format!("an unchanged re-sync of {path}")).await;
            assert_eq!(read(&app, path, id).await, before, "{path}: nothing changed, updated_at included");
        }
        // A reference spelt another way that resolves to the same record is no change either.
        let same = with(valid("operations"), &[("cell_name", json!("CUTTING"))]);
        update(&app, "operations", same).await;
        log.expect_nothing(&app, "the same cell by another spelling").await;
        // Nor is a re-sync that leaves fields out.
        update(&app, "cells", cell("C-NEW", "Welding")).await;
        log.expect_nothing(&app, "a re-sync with fewer fields").await;
    }

    async fn a_change_of_one_field_appends_one_updated_event_with_that_field(app: TestApp) {
        parents(&app).await;
        let changes: [(&str, Value); 5] = [
            ("color", json!("#ff0000")),
            ("status", json!("maintenance")),
            ("priority", json!(9)),
            ("quantity", json!(30)),
            ("notes", json!("Use the 2000W laser")),
        ];
        for ((path, entity), (field, value)) in ERP.iter().zip(changes) {
            let id = create(&app, path, valid(path)).await;
            let before = read(&app, path, &id).await;
            let mut log = Log::start(&app).await;
            assert_eq!(update(&app, path, with(valid(path), &[(field, value.clone())])).await, id);
            let event = log.expect_one(&app, &format!("{entity}.updated")).await;
            let after = read(&app, path, &id).await;
            assert_eq!(event["entity_id"], id.as_str());
            assert_eq!(event["data"], after, "data is the record after the change");
            assert_eq!(event["changes"], json!({ field: [before[field].clone(), value] }), "{path}: only {field}");
            assert_eq!(diff(&before, &after), event["changes"], "the test's own check");
        }
    }

    async fn changes_name_every_field_that_changed_with_old_and_new_values(app: TestApp) {
        parents(&app).await;
        create(&app, "cells", cell("C-2", "Bending")).await;
        create(
            &app,
            "parts",
            json!({"external_id": "P-2", "external_source": SOURCE, "job_external_id": "J-1", "part_number": "PN-2"}),
        )
        .await;
        let id = create(&app, "operations", valid("operations")).await;
        let before = read(&app, "operations", &id).await;
        let mut log = Log::start(&app).await;
        // Moved to another part and another cell, a note cleared: every field of data that
        // differs is a change, the references' ids included.
        let moved = with(
            valid("operations"),
            &[("part_external_id", json!("P-2")), ("cell_name", json!("bending")), ("notes", Value::Null)],
        );
        update(&app, "operations", moved).await;
        let event = log.expect_one(&app, "operation.updated").await;
        let after = read(&app, "operations", &id).await;
        assert_eq!(event["data"], after);
        let mut fields: Vec<&str> = keys(&event["changes"]);
        fields.sort_unstable();
        assert_eq!(fields, ["cell_id", "cell_name", "notes", "part_external_id", "part_id"], "{event}");
        assert_eq!(event["changes"]["cell_name"], json!(["Cutting", "Bending"]), "the cell's own spelling");
        assert_eq!(event["changes"]["part_external_id"], json!(["P-1", "P-2"]));
        assert_eq!(event["changes"]["notes"], json!(["Use 1000W laser", null]));
        assert_eq!(event["changes"], diff(&before, &after));
    }

    async fn a_nested_job_appends_the_job_then_its_parts_then_their_operations(app: TestApp) {
        cells_for_jobs(&app).await;
        let mut log = Log::start(&app).await;
        let id = create(&app, "jobs", nested_job(1)).await;
        let events = log.new_events(&app).await;
        assert_eq!(
            types(&events),
            ["job.created", "part.created", "part.created", "operation.created", "operation.created", "operation.created"]
        );
        let job = read_job(&app, &id).await;
        let parts = job["parts"].as_array().unwrap();
        let operations: Vec<&Value> = parts.iter().flat_map(|p| p["operations"].as_array().unwrap()).collect();
        let external_ids: Vec<&str> = events.iter().map(|e| e["external_id"].as_str().unwrap()).collect();
        assert_eq!(external_ids, ["SO-1", "SO-1-10", "SO-1-20", "SO-1-10-010", "SO-1-10-020", "SO-1-20-010"]);
        assert_eq!(events[0]["data"], read(&app, "jobs", &id).await, "the job without its parts");
        for (event, part) in events[1..3].iter().zip(parts) {
            assert_eq!(event["entity_id"], part["id"]);
            assert_eq!(event["data"], read(&app, "parts", part["id"].as_str().unwrap()).await);
            assert!(event["data"].get("operations").is_none(), "{event}");
        }
        for (event, operation) in events[3..].iter().zip(&operations) {
            assert_eq!(event["entity_id"], operation["id"]);
            assert_eq!(event["data"], read(&app, "operations", operation["id"].as_str().unwrap()).await);
            assert_eq!(event["external_source"], SOURCE, "the parent's source");
        }

        // The same job again: nothing.
        update(&app, "jobs", nested_job(1)).await;
        log.expect_nothing(&app, "an unchanged nested re-sync").await;

        // One part and one operation changed, a new part: only those, job level first.
        let mut resync = nested_job(1);
        resync["parts"][0]["operations"][1]["sequence"] = json!(5);
        resync["parts"][1]["part_number"] = json!("BRACKET-B2");
        resync["parts"].as_array_mut().unwrap().push(json!({"external_id": "SO-1-30", "part_number": "BRACKET-C"}));
        update(&app, "jobs", resync).await;
        let events = log.new_events(&app).await;
        assert_eq!(types(&events), ["part.updated", "part.created", "operation.updated"], "{events:#?}");
        assert_eq!(events[0]["external_id"], "SO-1-20");
        assert_eq!(events[0]["changes"], json!({"part_number": ["BRACKET-B", "BRACKET-B2"]}));
        assert_eq!(events[1]["external_id"], "SO-1-30");
        assert_eq!(events[2]["external_id"], "SO-1-10-020");
        assert_eq!(events[2]["changes"], json!({"sequence": [2, 5]}));

        // A change of the job only (children left out stay as they are): the job's event only.
        let mut customer = nested_job(1);
        customer["customer"] = json!("Globex");
        customer.as_object_mut().unwrap().remove("parts");
        update(&app, "jobs", customer).await;
        let event = log.expect_one(&app, "job.updated").await;
        assert_eq!(event["changes"], json!({"customer": ["Acme Corp", "Globex"]}));
        assert!(event["data"].get("parts").is_none(), "{event}");
    }

    async fn a_bulk_sync_appends_the_events_of_the_records_that_succeeded_and_changed(app: TestApp) {
        create(&app, "cells", cell("C-1", "Cutting")).await;
        create(&app, "cells", cell("C-2", "Bending")).await;
        let mut log = Log::start(&app).await;
        let body = json!({"cells": [
            cell("C-A", "Assembly"),
            {"external_id": "C-BAD", "external_source": SOURCE},
            cell("C-1", "Cutting"),
            with(cell("C-2", "Bending"), &[("color", json!("#00ff00"))]),
            cell("C-DUP", "cutting"),
            cell("C-B", "Painting"),
            with(cell("C-B", "Painting"), &[("sequence", json!(3))]),
        ]});
        let response = app.post("/api-cells/bulk-sync", body).await;
        let data = &response.expect(200)["data"];
        assert_eq!((&data["total"], &data["errors"]), (&json!(7), &json!(2)), "{data}");
        let events = log.new_events(&app).await;
        assert_eq!(
            types(&events),
            ["cell.created", "cell.updated", "cell.created", "cell.updated"],
            "request order, failed and unchanged records append nothing: {events:#?}"
        );
        let external_ids: Vec<&str> = events.iter().map(|e| e["external_id"].as_str().unwrap()).collect();
        assert_eq!(external_ids, ["C-A", "C-2", "C-B", "C-B"]);
        assert_eq!(events[1]["changes"], json!({"color": [null, "#00ff00"]}));
        assert_eq!(events[2]["data"]["sequence"], Value::Null, "the first C-B as it was written then");
        assert_eq!(events[3]["changes"], json!({"sequence": [null, 3]}));
        let results = data["results"].as_array().unwrap();
        for (event, line) in events.iter().zip([&results[0], &results[3], &results[5], &results[6]]) {
            assert_eq!(event["entity_id"], line["id"], "{line}");
        }

        // Bulk jobs (in cells `Cutting` and `Bending`, which exist): per record, the job, then
        // its parts, then their operations.
        let mut broken = nested_job(3);
        broken["parts"][0]["operations"][0]["cell_name"] = json!("Nowhere");
        let response = app.post("/api-jobs/bulk-sync", json!({"jobs": [nested_job(1), broken, nested_job(2)]})).await;
        assert_eq!(response.expect(200)["data"]["errors"], 1);
        let events = log.new_events(&app).await;
        let per_job = ["job.created", "part.created", "part.created"]
            .into_iter()
            .chain(["operation.created"; 3])
            .collect::<Vec<_>>();
        assert_eq!(types(&events), [per_job.clone(), per_job].concat(), "{events:#?}");
        assert!(events.iter().all(|e| !e["external_id"].as_str().unwrap().starts_with("SO-3")), "{events:#?}");
        assert_eq!(events[6]["external_id"], "SO-2");
    }

    async fn refused_writes_append_nothing(app: TestApp) {
        parents(&app).await;
        create(&app, "cells", cell("C-2", "Bending")).await;
        master_create(&app, "Currency", json!({"name": "EUR"})).await;
        let mut log = Log::start(&app).await;

        // 422: a missing required field; a nested job with one bad operation is all refused.
        sync(&app, "cells", json!({"external_id": "C-X", "external_source": SOURCE})).await.expect(422);
        let mut bad = nested_job(7);
        bad["parts"][1]["operations"][0]["sequence"] = json!(-1);
        sync(&app, "jobs", bad).await.expect(422);
        // 404: references that do not resolve.
        let orphan = json!({"external_id": "P-X", "external_source": SOURCE, "job_external_id": "NOPE", "part_number": "X"});
        sync(&app, "parts", orphan).await.expect(404);
        let mut nowhere = nested_job(8);
        nowhere["parts"][1]["operations"][0]["cell_name"] = json!("Nowhere");
        sync(&app, "jobs", nowhere).await.expect(404);
        // 409: a cell name or job number taken.
        sync(&app, "cells", cell("C-OTHER", "cutting")).await.expect(409);
        sync(&app, "jobs", job("J-OTHER", "JOB-1")).await.expect(409);
        // 400: not JSON.
        app.call(reqwest::Method::PUT, "/api-cells/sync").raw("{", Some("application/json")).send().await.expect(400);
        // 413: a bulk request over 1000 records.
        let many: Vec<Value> = (0..1001).map(|n| cell(&format!("C-{n:04}"), &format!("Cell {n}"))).collect();
        app.post("/api-cells/bulk-sync", json!({"cells": many})).await.expect(413);
        // Master data: 422, 404 unknown reference, 409 duplicate name, 409 in use, 404 unknown id.
        upsert(&app, "Currency", json!({"description": "no name"})).await.expect(422);
        upsert(&app, "Currency", json!({"name": "eur"})).await.expect(409);
        upsert(&app, "Product", product_body("BRACKET-A")).await.expect(404);
        upsert(&app, "Currency", json!({"id": 999_999, "description": "x"})).await.expect(404);
        master_delete(&app, "Currency", 999_999).await.expect(404);
        reference_data_but_currency(&app).await;
        master_create(&app, "Product", product_body("BRACKET-A")).await;
        log.new_events(&app).await;
        let eur = listed_one(&app, "Currency", "EUR").await;
        master_delete(&app, "Currency", mid(&eur)).await.expect(409);
        app.put("/api/Product/Copy", json!({"suid": "S-1", "name": "bracket-a", "srcProductName": "BRACKET-A"}))
            .await
            .expect(409);
        app.put("/api/Product/Copy", json!({"suid": "S-1", "name": "NEW", "srcProductName": "NOPE"})).await.expect(404);

        log.expect_nothing(&app, "refused writes").await;
    }

    async fn master_data_creates_updates_and_deletes_append_events(app: TestApp) {
        let mut log = Log::start(&app).await;
        let mut records: Vec<(&str, Value)> = Vec::new();
        let mut created = |entity: &'static str, record: Value| records.push((entity, record));

        for (entity, name) in REFERENCE_DATA {
            let record = master_create(&app, entity, json!({"name": name, "description": "first"})).await;
            check_created(&app, &mut log, entity, &record).await;
            created(entity, record);
        }
        for (entity, body) in [
            ("OwnershipType", json!({"name": "Consigned"})),
            ("ApprovalStatus", json!({"name": "In Review"})),
            ("PropertyDefinition", json!({"tableName": "Product", "name": "Colour"})),
            ("BomType", json!({"name": "Production", "isControlled": true})),
            ("Product", product_body("BRACKET-A")),
            ("Bom", json!({"name": "BRK-A", "product": "BRACKET-A"})),
            ("BomVersion", json!({"bom": "BRK-A", "version": "1.0", "approvalStatus": "Draft"})),
        ] {
            let record = master_create(&app, entity, body).await;
            check_created(&app, &mut log, entity, &record).await;
            created(entity, record);
        }
        master_create(&app, "Product", product_body("SHEET")).await;
        log.expect_one(&app, "product.created").await;
        let version = records.iter().find(|(e, _)| *e == "BomVersion").unwrap().1.clone();
        let slot = master_create(&app, "BomSlot", json!({"bomVersionId": mid(&version), "product": "SHEET", "quantity": 1})).await;
        check_created(&app, &mut log, "BomSlot", &slot).await;

        // Updates of one field each: one event whose changes are that field.
        for (entity, field, value) in [
            ("ProductType", "description", json!("second")),
            ("SerialRange", "description", json!("second")),
            ("OwnershipType", "name", json!("Consignment")),
            ("ApprovalStatus", "name", json!("Under Review")),
            ("PropertyDefinition", "name", json!("Color")),
            ("BomType", "isControlled", json!(false)),
            ("Bom", "suid", json!("BOM-1")),
        ] {
            let before = records.iter().find(|(e, _)| *e == entity).unwrap().1.clone();
            check_one_field_update(&app, &mut log, entity, &before, field, value).await;
        }
        let product = records.iter().find(|(e, _)| *e == "Product").unwrap().1.clone();
        check_one_field_update(&app, &mut log, "Product", &product, "description", json!("A bracket")).await;
        check_one_field_update(&app, &mut log, "BomSlot", &slot, "quantity", json!(3)).await;
        check_one_field_update(&app, &mut log, "BomVersion", &version, "approvalStatus", json!("Approved")).await;

        // Recipe and schedule on the approved version.
        let recipe = master_create(&app, "Recipe", json!({"name": "R-BRK", "product": "BRACKET-A", "bomVersionId": mid(&version)})).await;
        check_created(&app, &mut log, "Recipe", &recipe).await;
        let schedule = master_create(&app, "Schedule", json!({"name": "JOB-1", "recipe": "R-BRK", "quantity": 5})).await;
        check_created(&app, &mut log, "Schedule", &schedule).await;
        let recipe = check_one_field_update(&app, &mut log, "Recipe", &recipe, "suid", json!("R-1")).await;
        let schedule = check_one_field_update(&app, &mut log, "Schedule", &schedule, "quantity", json!(6)).await;

        // An Upsert that changes nothing: nothing, and updatedAt stays.
        let again = master_update(&app, "Schedule", json!({"id": mid(&schedule), "quantity": 6})).await;
        assert_eq!(again, schedule, "unchanged, updatedAt included");
        master_update(&app, "ProductType", json!({"id": mid(&records[0].1), "name": "Sheet Metal"})).await;
        log.expect_nothing(&app, "upserts that change nothing").await;

        // Product/Copy: a product.created.
        let copy = app.put("/api/Product/Copy", json!({"suid": "S-2", "name": "BRACKET-B", "srcProductName": "BRACKET-A"})).await;
        let copy = copy.expect(201).clone();
        check_created(&app, &mut log, "Product", &copy).await;

        // Deletes: `<entity>.deleted` with the record as it was.
        for (entity, record) in [("Schedule", &schedule), ("Recipe", &recipe), ("Product", &copy)] {
            master_delete(&app, entity, mid(record)).await.expect(200);
            let event = log.expect_one(&app, &format!("{}.deleted", snake(entity))).await;
            assert_eq!(event["entity_id"], mid(record).to_string());
            assert_eq!(&event["data"], record, "{entity}: data is the record as it was");
            assert!(event.get("changes").is_none(), "{event}");
        }
        // And the rest of the sixteen, on records nothing uses.
        for (entity, body) in [
            ("ProductType", json!({"name": "Spare"})),
            ("Currency", json!({"name": "USD"})),
            ("UnitOfMeasure", json!({"name": "kg"})),
            ("Location", json!({"name": "SPARE"})),
            ("ReceiptProfile", json!({"name": "Spare"})),
            ("SerialRange", json!({"name": "SR-SPARE"})),
            ("OwnershipType", json!({"name": "Spare"})),
            ("ApprovalStatus", json!({"name": "Spare"})),
            ("PropertyDefinition", json!({"tableName": "Product", "name": "Spare"})),
            ("BomType", json!({"name": "Spare", "isControlled": false})),
            ("Product", product_body("SPARE")),
            ("Bom", json!({"name": "BRK-SPARE", "product": "SPARE"})),
        ] {
            master_create(&app, entity, body).await;
        }
        log.new_events(&app).await;
        let spare_version =
            master_create(&app, "BomVersion", json!({"bom": "BRK-SPARE", "version": "1.0", "approvalStatus": "Draft"})).await;
        log.expect_one(&app, "bom_version.created").await;
        let spare_slot = master_create(&app, "BomSlot", json!({"bomVersionId": mid(&spare_version), "product": "SHEET", "quantity": 2})).await;
        log.expect_one(&app, "bom_slot.created").await;
        let mut spares: Vec<(&str, Value)> = vec![("BomSlot", spare_slot), ("BomVersion", spare_version)];
        for entity in ["Bom", "Product", "BomType", "PropertyDefinition", "ApprovalStatus", "OwnershipType"]
            .into_iter()
            .chain(REFERENCE_DATA.iter().map(|(e, _)| *e))
        {
            let all = app.post(&format!("/api/{entity}/List"), json!({})).await.expect(200).clone();
            let newest = all.as_array().unwrap().iter().max_by_key(|r| mid(r)).unwrap().clone();
            spares.push((entity, newest));
        }
        for (entity, record) in &spares {
            master_delete(&app, entity, mid(record)).await.expect(200);
            let event = log.expect_one(&app, &format!("{}.deleted", snake(entity))).await;
            assert_eq!(&event["data"], record, "{entity}: data is the record as it was");
        }
    }

    async fn keys_and_tenants_append_nothing(app: TestApp) {
        let (events, next_after, has_more) = page(&feed(&app, "").await);
        assert_eq!((events, next_after, has_more), (vec![], 0, false), "a new tenant's log is empty");
        let other = app.key_for("globex").await;
        app.key_for("acme").await;
        let types = app.call(reqwest::Method::POST, "/api/OwnershipType/List").key(&other).json(json!({})).send().await;
        assert_eq!(types.expect(200).as_array().unwrap().len(), 3, "the built-in ownership types exist");
        for key in [&app.key, &other] {
            assert_eq!(page_of(&app, key, "").await, (vec![], 0, false), "the built-ins are not events");
        }
    }

    async fn the_feed_is_also_served_under_functions_v1(app: TestApp) {
        create(&app, "cells", cell("C-1", "Cutting")).await;
        let direct = feed(&app, "?after=0").await;
        let prefixed = app.get("/functions/v1/api-events?after=0").await;
        assert_eq!(page(&prefixed), page(&direct));
        assert_eq!(page(&direct).0.len(), 1);
    }
}

/// Reference data without the currency (which the scenario made first).
async fn reference_data_but_currency(app: &TestApp) {
    for (entity, name) in REFERENCE_DATA.iter().filter(|(e, _)| *e != "Currency") {
        master_create(app, entity, json!({ "name": name })).await;
    }
}

/// The one record of `entity` named `name`.
async fn listed_one(app: &TestApp, entity: &str, name: &str) -> Value {
    let records = app.post(&format!("/api/{entity}/List"), json!({"name": name})).await.expect(200).clone();
    assert_eq!(records.as_array().unwrap().len(), 1, "{records}");
    records[0].clone()
}

/// Asserts that the last write appended one `<entity>.created` whose data is `record`.
async fn check_created(app: &TestApp, log: &mut Log, entity: &str, record: &Value) {
    let event = log.expect_one(app, &format!("{}.created", snake(entity))).await;
    assert_eq!(event["entity"], snake(entity));
    assert_eq!(event["entity_id"], mid(record).to_string(), "the integer id as a string");
    assert_eq!(&event["data"], record, "{entity}: data is what Upsert answered");
    assert!(event.get("changes").is_none(), "{event}");
}

/// Changes one field of a master-data record; asserts one `.updated` with exactly that change.
async fn check_one_field_update(
    app: &TestApp,
    log: &mut Log,
    entity: &str,
    before: &Value,
    field: &str,
    value: Value,
) -> Value {
    let after = master_update(app, entity, json!({"id": mid(before), field: value})).await;
    let event = log.expect_one(app, &format!("{}.updated", snake(entity))).await;
    assert_eq!(event["data"], after, "{entity}: data is what Upsert answered");
    assert_eq!(event["changes"], json!({ field: [before[field].clone(), after[field].clone()] }), "{entity}");
    assert_eq!(diff(before, &after), event["changes"], "{entity}: the test's own check");
    after
}
