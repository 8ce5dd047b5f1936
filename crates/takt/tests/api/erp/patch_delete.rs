//! `PATCH`/`PUT` and `DELETE` of one record, by `?id=` or `/{id}` (SPEC section 7, "Records
//! without an ERP"): an update writes the fields given; a delete is soft, and a later sync of the
//! record's sync key brings it back with the same id.

use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::events::fixtures::{feed, page};
use crate::lifecycle::fixtures::{job_action, operation_action};
use crate::support::{Response, TestApp};

async fn patch(app: &TestApp, path: &str, body: Value) -> Response {
    app.call(Method::PATCH, path).json(body).send().await
}

async fn delete(app: &TestApp, path: &str) -> Response {
    app.call(Method::DELETE, path).send().await
}

async fn event_types(app: &TestApp, query: &str) -> Vec<String> {
    page(&feed(app, query).await).0.iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

/// Job `J-1` with part `P-1` and its operation `O-1` in cell `Cutting`; their ids.
async fn job_part_operation(app: &TestApp) -> (String, String, String) {
    parents(app).await;
    let operation = operation(app, "O-1", "P-1", "Cutting").await;
    let job = find(app, "jobs", "J-1").await["id"].as_str().unwrap().to_owned();
    let part = find(app, "parts", "P-1").await["id"].as_str().unwrap().to_owned();
    (job, part, operation)
}

backend_tests! {
    async fn an_update_writes_the_fields_given_and_keeps_the_rest(app: TestApp) {
        let (job, _, operation) = job_part_operation(&app).await;
        let updated = patch(&app, &format!("/api-jobs?id={job}"), json!({"customer": "Acme", "priority": 3, "metadata": {"a": 1}})).await;
        let record = updated.expect(200)["data"].clone();
        assert_eq!((&record["customer"], &record["priority"], &record["metadata"]), (&json!("Acme"), &json!(3), &json!({"a": 1})));
        assert_eq!(record["job_number"], "JOB-1", "a field left out keeps its value");
        assert_eq!(record["parts"][0]["external_id"], "P-1");
        let cleared = app.call(Method::PUT, &format!("/api-jobs/{job}")).json(json!({"customer": null})).send().await;
        assert_eq!(cleared.expect(200)["data"]["customer"], Value::Null, "null clears; PUT is PATCH");
        assert_eq!(cleared.body["data"]["priority"], 3);

        cell(&app, "C-2", "Bending").await;
        let moved = patch(&app, &format!("/api-operations/{operation}"), json!({"cell_name": "bending", "estimated_time": 7})).await;
        let op = &moved.expect(200)["data"];
        assert_eq!((&op["cell_name"], &op["estimated_time_minutes"]), (&json!("Bending"), &json!(7)));
        let unassigned = patch(&app, &format!("/api-operations/{operation}"), json!({"cell_id": null})).await;
        assert_eq!(unassigned.expect(200)["data"]["cell_name"], Value::Null);
        assert_eq!(event_types(&app, "?entity=job").await, ["job.created", "job.updated", "job.updated"]);
        // An update that changes nothing is no event.
        patch(&app, &format!("/api-jobs/{job}"), json!({"priority": 3})).await.expect(200);
        assert_eq!(event_types(&app, "?entity=job").await.len(), 3);
    }

    async fn a_bad_update_is_refused_and_writes_nothing(app: TestApp) {
        let (job, part, operation) = job_part_operation(&app).await;
        let cases = [
            (format!("/api-jobs/{job}"), json!({"priority": "high"}), 422, "VALIDATION_ERROR"),
            (format!("/api-jobs/{job}"), json!({"colour": "red"}), 422, "VALIDATION_ERROR"),
            (format!("/api-jobs/{job}"), json!({"job_number": ""}), 422, "VALIDATION_ERROR"),
            (format!("/api-jobs/{job}"), json!({"notes": "x".repeat(4001)}), 422, "VALIDATION_ERROR"),
            (format!("/api-jobs/{job}"), json!({"external_id": "J-2"}), 422, "VALIDATION_ERROR"),
            (format!("/api-jobs/{job}"), json!({"parts": []}), 422, "VALIDATION_ERROR"),
            (format!("/api-jobs/{job}"), json!([1]), 422, "VALIDATION_ERROR"),
            (format!("/api-jobs/{job}"), json!({"status": "completed"}), 409, "STATUS_BY_LIFECYCLE"),
            (format!("/api-parts/{part}"), json!({"status": "in_progress"}), 409, "STATUS_BY_LIFECYCLE"),
            (format!("/api-operations/{operation}"), json!({"cell_name": "Painting"}), 404, "NOT_FOUND"),
            (format!("/api-operations/{operation}"), json!({"assigned_operator_id": uuid::Uuid::now_v7()}), 404, "NOT_FOUND"),
            (format!("/api-jobs/{}", uuid::Uuid::now_v7()), json!({"priority": 1}), 404, "NOT_FOUND"),
            (format!("/api-jobs/{part}"), json!({"priority": 1}), 404, "NOT_FOUND"),
            ("/api-jobs/not-an-id".to_owned(), json!({"priority": 1}), 404, "NOT_FOUND"),
            ("/api-jobs".to_owned(), json!({"priority": 1}), 422, "VALIDATION_ERROR"),
            (format!("/api-jobs?id={job}&limit=1"), json!({"priority": 1}), 422, "VALIDATION_ERROR"),
        ];
        for (path, body, status, code) in cases {
            let refused = patch(&app, &path, body.clone()).await;
            assert_eq!(refused.status, status, "PATCH {path} {body}: {}", refused.body);
            refused.expect_error(status, code);
        }
        patch(&app, &format!("/api-jobs/{job}"), json!({"status": "NOT_STARTED"})).await.expect(200);
        assert_eq!(event_types(&app, "?entity=job").await, ["job.created"], "nothing was written");
        let anonymous = app.call(Method::PATCH, &format!("/api-jobs/{job}")).no_key().json(json!({})).send().await;
        anonymous.expect_error(401, "UNAUTHORIZED");
        let other = app.key_for("globex").await;
        let theirs = app.call(Method::PATCH, &format!("/api-jobs/{job}")).key(&other).json(json!({"priority": 1})).send().await;
        theirs.expect_error(404, "NOT_FOUND");
        let theirs = app.call(Method::DELETE, &format!("/api-jobs/{job}")).key(&other).send().await;
        theirs.expect_error(404, "NOT_FOUND");
        let anonymous = app.call(Method::DELETE, &format!("/api-jobs/{job}")).no_key().send().await;
        anonymous.expect_error(401, "UNAUTHORIZED");
        assert_eq!(count(&app, "jobs").await, 1, "still there");
    }

    async fn a_deleted_job_leaves_with_its_parts_and_operations_and_a_sync_brings_it_back(app: TestApp) {
        let (job, part, operation) = job_part_operation(&app).await;
        let deleted = delete(&app, &format!("/api-jobs?id={job}")).await;
        assert_eq!(deleted.expect(200)["data"], json!({"id": job, "deleted": true}));
        for (entity, id) in [("jobs", &job), ("parts", &part), ("operations", &operation)] {
            app.get(&format!("/api-{entity}/{id}")).await.expect_error(404, "NOT_FOUND");
            assert_eq!(count(&app, entity).await, 0, "{entity} leave the lists");
        }
        delete(&app, &format!("/api-jobs/{job}")).await.expect_error(404, "NOT_FOUND");
        patch(&app, &format!("/api-jobs/{job}"), json!({"priority": 1})).await.expect_error(404, "NOT_FOUND");
        // The lifecycle does not find it, nor does a part that names it.
        operation_action(&app, "start", &format!("id={operation}"), None).await.expect_error(404, "NOT_FOUND");
        job_action(&app, "start", &job).await.expect_error(404, "NOT_FOUND");
        expect_missing(&sync(&app, "parts", with(valid("parts"), &[])).await, "job_external_id");
        let types = event_types(&app, "?type=*.deleted").await;
        assert_eq!(types, ["job.deleted", "part.deleted", "operation.deleted"]);
        let derived = page(&feed(&app, "?type=part.deleted").await).0;
        assert_eq!(derived[0]["actor"]["kind"], "system", "{}", derived[0]);

        // A sync of its sync key brings it back with the same id; its children stay deleted.
        let back = sync(&app, "jobs", json!({"external_id": "J-1", "external_source": SOURCE, "job_number": "JOB-1"})).await;
        let data = &back.expect(200)["data"];
        assert_eq!((&data["action"], &data["id"]), (&json!("updated"), &json!(job)));
        assert_eq!(data["job"]["parts"], json!([]));
        assert_eq!(event_types(&app, "?type=job.restored").await, ["job.restored"]);
        let part_back = sync(&app, "parts", with(valid("parts"), &[("external_id", json!("P-1")), ("part_number", json!("PN-P-1"))])).await;
        assert_eq!(part_back.expect(200)["data"]["id"], part.as_str());
        assert_eq!(count(&app, "jobs").await, 1);
    }

    async fn cells_resources_parts_and_operations_are_deleted_one_by_one(app: TestApp) {
        let (job, part, operation) = job_part_operation(&app).await;
        let resource = create(&app, "resources", valid("resources")).await;
        let cell = find(&app, "cells", "C-1").await["id"].as_str().unwrap().to_owned();
        delete(&app, &format!("/api-operations/{operation}")).await.expect(200);
        assert_eq!(read(&app, "parts", &part).await["operations"], json!([]));
        delete(&app, &format!("/api-parts?id={part}")).await.expect(200);
        assert_eq!(read(&app, "jobs", &job).await["parts"], json!([]));
        delete(&app, &format!("/api-resources/{resource}")).await.expect(200);
        delete(&app, &format!("/api-cells/{cell}")).await.expect(200);
        assert_eq!(counts(&app).await, [0, 0, 1, 0, 0]);
        // A deleted cell is no cell to name; its sync key brings it back.
        let job = json!({"external_id": "J-2", "external_source": SOURCE, "job_number": "JOB-2", "parts": [
            {"external_id": "P-2", "part_number": "B", "operations": [{"external_id": "O-2", "operation_name": "Cut", "cell_name": "Cutting"}]}
        ]});
        expect_missing(&sync(&app, "jobs", job).await, "parts[0].operations[0].cell_name");
        let back = sync(&app, "cells", json!({"external_id": "C-1", "external_source": SOURCE, "name": "Cutting"})).await;
        assert_eq!(back.expect(200)["data"]["id"], cell.as_str());
        let bad = delete(&app, "/api-cells").await;
        bad.expect_error(422, "VALIDATION_ERROR");
        delete(&app, "/api-cells/nope").await.expect_error(404, "NOT_FOUND");
    }

    async fn a_deleted_operation_neither_holds_back_its_part_nor_counts_in_its_cell(app: TestApp) {
        parents(&app).await;
        let ordered = json!({"external_id": "C-1", "external_source": SOURCE, "name": "Cutting", "enforce_sequence": true, "wip_limit": 1});
        sync(&app, "cells", ordered).await.expect(200);
        let first = operation(&app, "O-1", "P-1", "Cutting").await;
        let second = operation(&app, "O-2", "P-1", "Cutting").await;
        let other = operation(&app, "O-3", "P-1", "Cutting").await;
        for (id, sequence) in [(&first, 1), (&second, 2), (&other, 3)] {
            patch(&app, &format!("/api-operations/{id}"), json!({"sequence": sequence})).await.expect(200);
        }
        operation_action(&app, "start", &format!("id={first}"), None).await.expect(200);
        delete(&app, &format!("/api-operations/{first}")).await.expect(200);
        delete(&app, &format!("/api-operations/{other}")).await.expect(200);
        // The deleted first step neither blocks the second (routing order) nor fills the cell.
        operation_action(&app, "start", &format!("id={second}"), None).await.expect(200);
        operation_action(&app, "complete", &format!("id={second}"), None).await.expect(200);
        let part = find(&app, "parts", "P-1").await;
        assert_eq!(part["status"], "completed", "its only live operation is completed");
        assert_eq!(find(&app, "jobs", "J-1").await["status"], "completed");
    }
}
