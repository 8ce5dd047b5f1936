//! `POST /api-erp-sync/diff`: what a bulk sync of the same body would do to each record —
//! `create`, `update` with the fields that would change, `unchanged`, or the sync's error —
//! and nothing written.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::{ENTITIES, SOURCE, list, numbered, parents, valid, with, without};
use crate::events::fixtures::all_events;
use crate::support::{Response, TestApp};

/// A field of each entity that the diff is seen to change, and its new value.
fn changed_field(entity: &str) -> (&'static str, Value) {
    match entity {
        "cells" => ("sequence", json!(7)),
        "resources" => ("location", json!("Building B")),
        "jobs" => ("customer", json!("Globex")),
        "parts" => ("material", json!("Aluminium")),
        "operations" => ("notes", json!("Use the 2000W laser")),
        other => panic!("no entity {other}"),
    }
}

/// Everything a tenant holds that a diff could change: each entity's records and the events.
async fn state(app: &TestApp) -> (Vec<Vec<Value>>, usize) {
    let mut records = Vec::new();
    for entity in ENTITIES {
        records.push(list(app, entity, "?limit=1000").await.0);
    }
    (records, all_events(app).await.len())
}

fn actions(response: &Response) -> Vec<String> {
    response.body["data"]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect()
}

backend_tests! {
    async fn each_record_is_create_update_unchanged_or_error_and_nothing_is_written(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let stored = valid(entity);
            let unchanged = numbered(entity, 2);
            let bulk = format!("/api-{entity}/bulk-sync");
            app.post(&bulk, json!({ entity: [stored.clone(), unchanged.clone()] })).await.expect(200);
            let (field, new) = changed_field(entity);
            let old = stored[field].clone();
            let body = json!({ entity: [
                with(stored.clone(), &[(field, new.clone())]),
                numbered(entity, 1),
                unchanged,
                without(numbered(entity, 3), "external_id"),
            ]});
            let before = state(&app).await;

            let diff = app.post(&format!("/api-erp-sync/diff/{entity}"), body.clone()).await;
            let data = diff.expect(200)["data"].clone();
            assert_eq!(actions(&diff), ["update", "create", "unchanged", "error"], "{entity}: {data}");
            assert_eq!(
                (data["total"].clone(), data["create"].clone(), data["update"].clone(), data["unchanged"].clone(), data["errors"].clone()),
                (json!(4), json!(1), json!(1), json!(1), json!(1)),
            );
            let update = &data["results"][0];
            assert_eq!(update["external_id"], stored["external_id"]);
            assert_eq!(update["fields"], json!({ field: {"old": old, "new": new} }), "{entity}");
            assert!(update["id"].is_string());
            assert_eq!(data["results"][1].get("id"), None, "a record to create has no id yet");
            assert_eq!(data["results"][3]["error"], "external_id is required for sync operations");
            assert_eq!(state(&app).await, before, "{entity}: the diff wrote something");

            // The sync then does what the diff said.
            let synced = app.post(&bulk, body).await;
            assert_eq!(actions(&synced), ["updated", "created", "updated", "error"], "{entity}");
        }
    }

    async fn a_nested_job_lists_its_parts_and_operations(app: TestApp) {
        parents(&app).await;
        let job = json!({"external_id": "SO-1", "external_source": SOURCE, "job_number": "J-SO-1", "parts": [
            {"external_id": "SO-1-10", "part_number": "BRACKET", "quantity": 5, "operations": [
                {"external_id": "SO-1-10-010", "operation_name": "Cut", "cell_name": "Cutting"}]}]});
        let created = app.post("/api-erp-sync/diff", json!({"entity": "jobs", "jobs": [job.clone()]})).await;
        let line = &created.expect(200)["data"]["results"][0];
        assert_eq!(line["action"], "create");
        let nested: Vec<(&str, &str)> = line["nested"].as_array().unwrap().iter()
            .map(|n| (n["entity"].as_str().unwrap(), n["action"].as_str().unwrap())).collect();
        assert_eq!(nested, [("part", "create"), ("operation", "create")]);

        app.put("/api-jobs/sync", job.clone()).await.expect(201);
        let mut changed = job.clone();
        changed["parts"][0]["quantity"] = json!(8);
        changed["parts"][0]["operations"].as_array_mut().unwrap().push(
            json!({"external_id": "SO-1-10-020", "operation_name": "Bend", "cell_name": "Cutting"}));
        let diff = app.post("/functions/v1/api-erp-sync/diff", json!({"entity": "jobs", "items": [changed, job]})).await;
        let results = diff.expect(200)["data"]["results"].clone();
        assert_eq!(results[0]["action"], "update");
        assert_eq!(results[0]["fields"], json!({}), "the job itself does not change");
        assert_eq!(results[0]["nested"], json!([
            {"entity": "part", "external_id": "SO-1-10", "id": results[0]["nested"][0]["id"], "action": "update",
             "fields": {"quantity": {"old": 5, "new": 8}}},
            {"entity": "operation", "external_id": "SO-1-10-020", "action": "create"},
        ]));
        assert!(results[0]["nested"][0]["id"].is_string());
        // Each record sees the ones before it, as in a bulk sync: the second puts it back.
        assert_eq!(results[1]["action"], "update");
        assert_eq!(list(&app, "operations", "?limit=1000").await.0.len(), 1, "nothing written");
    }

    async fn errors_are_the_syncs_own(app: TestApp) {
        parents(&app).await;
        let orphan = with(valid("parts"), &[("job_external_id", json!("NO-SUCH-JOB"))]);
        let too_long = with(numbered("cells", 1), &[("name", json!("x".repeat(300)))]);
        let parts = app.post("/api-erp-sync/diff/parts", json!({"parts": [orphan]})).await;
        let line = &parts.expect(200)["data"]["results"][0];
        assert_eq!(line["action"], "error");
        assert!(line["error"].as_str().unwrap().contains("NO-SUCH-JOB"), "{line}");
        let cells = app.post("/api-erp-sync/diff", json!({"entity": "cells", "cells": [too_long]})).await;
        assert!(cells.expect(200)["data"]["results"][0]["error"].as_str().unwrap().contains("name"));
    }

    async fn the_entity_and_the_body_are_checked(app: TestApp) {
        let cell = valid("cells");
        let missing = app.post("/api-erp-sync/diff", json!({"cells": [cell.clone()]})).await;
        missing.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(missing.error_fields(), ["entity"]);
        let unknown = app.post("/api-erp-sync/diff", json!({"entity": "widgets", "cells": [cell.clone()]})).await;
        assert_eq!(unknown.expect_error(422, "VALIDATION_ERROR")["error"]["details"][0]["field"], "entity");
        let wrong_type = app.post("/api-erp-sync/diff", json!({"entity": 5, "cells": [cell.clone()]})).await;
        wrong_type.expect_error(422, "VALIDATION_ERROR");
        app.post("/api-erp-sync/diff/widgets", json!({"cells": [cell.clone()]})).await.expect_error(404, "NOT_FOUND");
        let mismatch = app.post("/api-erp-sync/diff/jobs", json!({"entity": "cells", "cells": [cell.clone()]})).await;
        mismatch.expect_error(422, "VALIDATION_ERROR");
        app.post("/api-erp-sync/diff/cells", json!({"jobs": [cell.clone()]})).await.expect_error(422, "VALIDATION_ERROR");
        let many: Vec<Value> = (0..1001).map(|n| numbered("cells", n)).collect();
        app.post("/api-erp-sync/diff/cells", json!({"cells": many})).await.expect_error(413, "PAYLOAD_TOO_LARGE");
        app.call(reqwest::Method::POST, "/api-erp-sync/diff/cells").no_key().json(json!({"cells": []})).send().await
            .expect_error(401, "UNAUTHORIZED");
        assert!(list(&app, "cells", "").await.0.is_empty());
    }

    async fn another_tenants_records_are_not_seen(app: TestApp) {
        app.put("/api-cells/sync", valid("cells")).await.expect(201);
        let globex = app.key_for("globex").await;
        let theirs = app.call(reqwest::Method::POST, "/api-erp-sync/diff/cells").key(&globex)
            .json(json!({"cells": [valid("cells")]})).send().await;
        assert_eq!(theirs.expect(200)["data"]["results"][0]["action"], "create");
    }
}
