//! The fields the reference's clients send (SPEC section 7, "Records without an ERP"): a job's
//! `metadata` and initial `status`, a part's rush flag and drawing, an operation's planning
//! fields; and a `status` that only the lifecycle moves afterwards.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::TestApp;

fn planned_job(metadata: Value) -> Value {
    json!({
        "external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-1", "metadata": metadata,
        "status": "IN_PROGRESS",
        "parts": [{
            "external_id": "SO-1-10", "part_number": "A", "is_bullet_card": true, "drawing_no": "DWG-7",
            "cnc_program_name": "O1001", "status": "On_Hold",
            "operations": [{
                "external_id": "OP-1", "operation_name": "Cut", "cell_name": "Cutting", "estimated_time": 12.5,
                "completion_percentage": 40, "planned_start": "2026-12-03T08:00:00Z",
                "planned_end": "2026-12-03T09:30:00Z", "status": "in_progress"
            }]
        }]
    })
}

async fn operator(app: &TestApp, external_id: &str) -> String {
    let body = json!({"external_id": external_id, "external_source": SOURCE, "name": "Ann",
                      "employee_number": external_id});
    create(app, "operators", body).await
}

backend_tests! {
    async fn the_reference_fields_are_stored_and_answered(app: TestApp) {
        cell(&app, "C-1", "Cutting").await;
        let ann = operator(&app, "E-1").await;
        let mut body = planned_job(json!({"erp": {"order": 7}, "tags": ["rush"]}));
        body["parts"][0]["operations"][0]["assigned_operator_id"] = json!(ann);
        let created = sync(&app, "jobs", body).await;
        let job = created.expect(201)["data"]["job"].clone();
        assert_eq!(job["metadata"], json!({"erp": {"order": 7}, "tags": ["rush"]}));
        assert_eq!(job["status"], "in_progress", "the initial status, in lowercase");
        let part = &job["parts"][0];
        assert_eq!(
            (&part["is_bullet_card"], &part["drawing_no"], &part["cnc_program_name"], &part["status"]),
            (&json!(true), &json!("DWG-7"), &json!("O1001"), &json!("on_hold"))
        );
        let op = &part["operations"][0];
        assert_eq!((&op["estimated_time_minutes"], &op["estimated_time"]), (&json!(12.5), &json!(12.5)));
        assert_eq!(op["completion_percentage"], 40);
        assert_eq!(op["assigned_operator_id"], ann.as_str());
        assert_eq!((&op["planned_start"], &op["planned_end"]), (&json!("2026-12-03T08:00:00Z"), &json!("2026-12-03T09:30:00Z")));
        assert_eq!(op["status"], "in_progress");
        assert_eq!(read(&app, "jobs", job["id"].as_str().unwrap()).await, job, "read back as answered");

        // A part without the flag is no rush order; null clears what is optional.
        let plain = sync(&app, "parts", json!({"external_id": "SO-1-20", "external_source": SOURCE,
                                                "job_external_id": "SO-1", "part_number": "B"})).await;
        assert_eq!(plain.expect(201)["data"]["part"]["is_bullet_card"], false);
        let cleared = json!({"external_id": "OP-1", "external_source": SOURCE, "part_external_id": "SO-1-10",
                             "operation_name": "Cut", "cell_name": "Cutting", "assigned_operator_id": null,
                             "planned_start": null, "completion_percentage": null, "metadata_is_not_here": 1});
        sync(&app, "operations", cleared.clone()).await.expect_error(422, "VALIDATION_ERROR");
        let cleared = without(cleared, "metadata_is_not_here");
        let updated = sync(&app, "operations", cleared).await;
        let op = &updated.expect(200)["data"]["operation"];
        assert_eq!((&op["assigned_operator_id"], &op["planned_start"], &op["completion_percentage"]), (&Value::Null, &Value::Null, &Value::Null));
        assert_eq!(op["planned_end"], "2026-12-03T09:30:00Z", "a field left out keeps its value");
        assert_eq!(op["estimated_time"], 12.5);
    }

    async fn metadata_is_a_json_object_of_at_most_16_kib(app: TestApp) {
        let job = |metadata: Value| with(valid("jobs"), &[("metadata", metadata)]);
        for bad in [json!([1]), json!("text"), json!(5), json!(true)] {
            let refused = sync(&app, "jobs", job(bad.clone())).await;
            expect_invalid(&refused, &[("metadata", "must be a JSON object")], &bad.to_string());
        }
        // {"k":"..."} is 8 bytes around the string.
        let at_limit = json!({"k": "x".repeat(16 * 1024 - 8)});
        let kept = sync(&app, "jobs", job(at_limit.clone())).await;
        assert_eq!(kept.expect(201)["data"]["job"]["metadata"], at_limit);
        let over = json!({"k": "x".repeat(16 * 1024 - 7)});
        let refused = sync(&app, "jobs", with(job(over), &[("external_id", json!("J-2")), ("job_number", json!("J-2"))])).await;
        expect_invalid(&refused, &[("metadata", "is 16385 bytes serialized, more than the 16384 allowed")], "over");
        let cleared = sync(&app, "jobs", job(Value::Null)).await;
        assert_eq!(cleared.expect(200)["data"]["job"]["metadata"], Value::Null);
    }

    async fn bad_planning_fields_are_refused_field_by_field(app: TestApp) {
        let op = |changes: &[(&str, Value)]| with(valid("operations"), changes);
        let cases = [
            (op(&[("estimated_time", json!(10)), ("estimated_time_minutes", json!(11))]), "estimated_time", "must equal estimated_time_minutes when both are given"),
            (op(&[("completion_percentage", json!(101))]), "completion_percentage", "must be at most 100"),
            (op(&[("completion_percentage", json!(-1))]), "completion_percentage", "must be at least 0"),
            (op(&[("planned_start", json!("2026-12-03T10:00:00Z")), ("planned_end", json!("2026-12-03T09:59:59Z"))]), "planned_end", "must not be before planned_start"),
            (op(&[("planned_start", json!("tomorrow"))]), "planned_start", "must be an RFC 3339 timestamp (2026-11-21T08:30:00Z)"),
            (op(&[("assigned_operator_id", json!("E-1"))]), "assigned_operator_id", "must be a Takt id (a UUID)"),
            (op(&[("status", json!("running"))]), "status", "must be one of: not_started, in_progress, on_hold, completed"),
            (op(&[("status", Value::Null)]), "status", "cannot be cleared (leave it out)"),
            (with(valid("parts"), &[("is_bullet_card", json!("yes"))]), "is_bullet_card", "must be true or false"),
            (with(valid("parts"), &[("drawing_no", json!("x".repeat(256)))]), "drawing_no", "must be at most 255 bytes of UTF-8 (got 256)"),
        ];
        parents(&app).await;
        for (body, field, message) in cases {
            let entity = if body.get("operation_name").is_some() { "operations" } else { "parts" };
            let refused = sync(&app, entity, body.clone()).await;
            expect_invalid(&refused, &[(field, message)], &body.to_string());
        }
        assert_eq!(counts(&app).await, PARENT_COUNTS);
        let same = op(&[("estimated_time", json!(30)), ("estimated_time_minutes", json!(30.0))]);
        sync(&app, "operations", same).await.expect(201);
    }

    async fn an_assigned_operator_must_be_one_of_the_tenants(app: TestApp) {
        parents(&app).await;
        let other = app.key_for("globex").await;
        let theirs = app
            .call(reqwest::Method::PUT, "/api-operators/sync")
            .key(&other)
            .json(json!({"external_id": "E-9", "external_source": SOURCE, "name": "Eve", "employee_number": "9"}))
            .send()
            .await;
        let theirs = id_of(theirs.expect(201));
        for unknown in [theirs, uuid::Uuid::now_v7().to_string()] {
            let refused = sync(&app, "operations", with(valid("operations"), &[("assigned_operator_id", json!(unknown))])).await;
            expect_missing(&refused, "assigned_operator_id");
            let message = refused.body["error"]["message"].as_str().unwrap();
            assert!(message.starts_with("assigned_operator_id: no operator"), "{message}");
        }
        let ann = operator(&app, "E-1").await;
        sync(&app, "operations", with(valid("operations"), &[("assigned_operator_id", json!(ann))])).await.expect(201);
    }

    async fn a_status_moves_only_through_the_lifecycle(app: TestApp) {
        cell(&app, "C-1", "Cutting").await;
        let job = sync(&app, "jobs", planned_job(json!({}))).await.expect(201).clone();
        // Repeating the current status, in any case, changes nothing.
        let again = sync(&app, "jobs", planned_job(json!({}))).await;
        assert_eq!(again.expect(200)["data"]["job"]["updated_at"], job["data"]["job"]["updated_at"]);
        let cases = [
            ("jobs", with(planned_job(json!({})), &[("status", json!("completed"))]), "status", "/api-job-lifecycle/"),
            ("jobs", {
                let mut body = planned_job(json!({}));
                body["parts"][0]["status"] = json!("completed");
                body
            }, "parts[0].status", "rolls up from its operations"),
            ("operations", json!({"external_id": "OP-1", "external_source": SOURCE, "part_external_id": "SO-1-10",
                                  "operation_name": "Cut", "cell_name": "Cutting", "status": "Not_Started"}),
             "status", "/api-operation-lifecycle/"),
        ];
        for (entity, body, field, hint) in cases {
            let refused = sync(&app, entity, body.clone()).await;
            let error = &refused.expect_error(409, "STATUS_BY_LIFECYCLE")["error"];
            let message = error["message"].as_str().unwrap();
            assert!(message.starts_with(&format!("{field}: ")), "{message}");
            assert!(message.contains(hint), "{message}");
            // In a bulk request the record fails alone, its line saying why.
            let good = json!({"external_id": "R-1", "external_source": SOURCE, "name": "Mill"});
            let bulk = app.post(&format!("/api-{entity}/bulk-sync"), json!({"items": [body]})).await;
            let data = &bulk.expect(200)["data"];
            assert_eq!(data["results"]["failed"], 1, "{data}");
            assert_eq!(data["results"]["errors"][0]["error"], message, "{data}");
            app.post("/api-resources/bulk-sync", json!({"items": [good]})).await.expect(200);
        }
        let stored = find(&app, "jobs", "SO-1").await;
        assert_eq!(stored["status"], "in_progress", "nothing was written");
        assert_eq!(read(&app, "jobs", stored["id"].as_str().unwrap()).await["parts"][0]["status"], "on_hold");
    }

    async fn a_bulk_record_with_another_status_fails_alone(app: TestApp) {
        let first = with(numbered("jobs", 1), &[("status", json!("on_hold"))]);
        let second = numbered("jobs", 2);
        let response = app.post("/api-jobs/bulk-sync", json!({"items": [first.clone(), second.clone()]})).await;
        assert_eq!(response.expect(200)["data"]["results"]["created"], 2);
        let moved = with(first, &[("status", json!("in_progress"))]);
        let third = numbered("jobs", 3);
        let response = app.post("/api-jobs/bulk-sync", json!({"items": [second, moved, third]})).await;
        let results = &response.expect(200)["data"]["results"];
        assert_eq!((&results["created"], &results["updated"], &results["failed"]), (&json!(1), &json!(1), &json!(1)), "{results}");
        assert_eq!(results["errors"][0]["index"], 1);
        assert_eq!(find(&app, "jobs", "jobs-1").await["status"], "on_hold");
    }
}
