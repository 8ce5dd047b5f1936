//! `POST /api-{entity}` (SPEC section 7, "Records without an ERP"): records made without an ERP,
//! a job with its nested parts and operations in one transaction; the sync key may be left out.

use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::events::fixtures::{feed, page};
use crate::support::TestApp;

async fn post(app: &TestApp, entity: &str, body: Value) -> crate::support::Response {
    app.post(&format!("/api-{entity}"), body).await
}

backend_tests! {
    async fn a_job_is_created_with_its_parts_and_operations_in_order(app: TestApp) {
        let cutting = cell(&app, "C-1", "Cutting").await;
        let body = json!({"job_number": "JOB-9", "customer": "Acme", "metadata": {"po": "4711"}, "parts": [
            {"part_number": "A", "is_bullet_card": true, "operations": [
                {"operation_name": "Cut", "cell_id": cutting, "sequence": 10},
                {"operation_name": "Deburr", "sequence": 20}
            ]},
            {"external_id": "P-B", "part_number": "B"}
        ]});
        let created = post(&app, "jobs", body).await;
        let job = created.expect(201)["data"].clone();
        assert_eq!(keys(&job)[0], "id");
        let id = job["id"].as_str().unwrap().to_owned();
        assert_eq!((job["external_source"].as_str(), job["external_id"].as_str()), (Some("takt"), Some(id.as_str())), "the sync key of a record made without one");
        assert_eq!(job["metadata"], json!({"po": "4711"}));
        let parts = job["parts"].as_array().unwrap();
        assert_eq!(column(parts, "part_number"), ["A", "B"]);
        assert_eq!(parts[0]["external_id"], parts[0]["id"]);
        assert_eq!(parts[1]["external_id"], "P-B");
        assert_eq!(parts[1]["external_source"], "takt", "nested children take their parent's source");
        let operations = parts[0]["operations"].as_array().unwrap();
        assert_eq!(column(operations, "operation_name"), ["Cut", "Deburr"]);
        assert_eq!(operations[0]["cell_name"], "Cutting");
        assert_eq!((&operations[1]["cell_id"], &operations[1]["cell_name"]), (&Value::Null, &Value::Null), "no cell yet");
        assert_eq!(read(&app, "jobs", &id).await, job);

        // A later sync of its sync key addresses the same record.
        let synced = sync(&app, "jobs", json!({"external_id": id, "external_source": "takt", "job_number": "JOB-9", "customer": "Acme AG"})).await;
        assert_eq!(synced.expect(200)["data"]["id"], id.as_str());
        let types: Vec<String> = page(&feed(&app, "").await).0.iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
        // As a sync tells them: the job, then its parts, then their operations.
        let created_types = ["cell.created", "job.created", "part.created", "part.created", "operation.created", "operation.created", "job.updated"];
        assert_eq!(types, created_types);
    }

    async fn every_entity_is_created_and_answered_201(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let body = without(valid(entity), "external_id");
            let created = post(&app, entity, body).await;
            let record = &created.expect(201)["data"];
            assert_eq!(record["external_id"], record["id"], "{entity}");
            assert_eq!(record["external_source"], SOURCE, "{entity}: a source given is kept");
            assert_eq!(&read(&app, entity, record["id"].as_str().unwrap()).await, record);
        }
        let cell = post(&app, "cells", json!({"name": "Painting", "wip_limit": 2, "enforce_sequence": true, "capacity_hours_per_day": 7.5})).await;
        let cell = &cell.expect(201)["data"];
        assert_eq!((&cell["wip_limit"], &cell["enforce_sequence"], &cell["capacity_hours_per_day"]), (&json!(2), &json!(true), &json!(7.5)));
    }

    async fn a_create_is_refused_whole_for_any_bad_field(app: TestApp) {
        cell(&app, "C-1", "Cutting").await;
        let cases = [
            ("jobs", json!({"customer": "Acme"}), vec!["job_number"]),
            ("jobs", json!({"job_number": 7}), vec!["job_number"]),
            ("jobs", json!({"job_number": "x".repeat(256)}), vec!["job_number"]),
            ("jobs", json!({"job_number": "J", "colour": "red"}), vec!["colour"]),
            ("jobs", json!({"job_number": "J", "metadata": [1]}), vec!["metadata"]),
            ("jobs", json!({"job_number": "J", "parts": [{"part_number": "A", "operations": [{"operation_name": "Cut", "completion_percentage": 101}]}]}), vec!["parts[0].operations[0].completion_percentage"]),
            ("parts", json!({"part_number": "A"}), vec!["job_external_id"]),
            ("operations", json!({"operation_name": "Cut", "part_id": "nope"}), vec!["part_id"]),
            ("cells", json!({}), vec!["name"]),
            ("resources", json!({"name": "Mill", "type": "robot"}), vec!["type"]),
        ];
        for (entity, body, fields) in cases {
            let refused = post(&app, entity, body.clone()).await;
            expect_invalid_fields(&refused, &fields, &format!("POST /api-{entity} {body}"));
        }
        let not_object = post(&app, "jobs", json!([1])).await;
        not_object.expect_error(422, "VALIDATION_ERROR");
        // An unknown reference refuses the whole job: nothing of it is written.
        let body = json!({"job_number": "J", "parts": [{"part_number": "A", "operations": [{"operation_name": "Cut", "cell_name": "Painting"}]}]});
        expect_missing(&post(&app, "jobs", body).await, "parts[0].operations[0].cell_name");
        let unknown = json!({"job_id": uuid::Uuid::now_v7(), "part_number": "A"});
        expect_missing(&post(&app, "parts", unknown).await, "job_id");
        assert_eq!(counts(&app).await, [1, 0, 0, 0, 0]);
    }

    async fn a_sync_key_that_exists_is_taken(app: TestApp) {
        parents(&app).await;
        let taken = post(&app, "jobs", json!({"external_id": "J-1", "external_source": SOURCE, "job_number": "JOB-2"})).await;
        let message = taken.expect_error(409, "CONFLICT")["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("external_id 'J-1'"), "{message}");
        let number = post(&app, "jobs", json!({"job_number": "JOB-1"})).await;
        expect_conflict(&number);
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }

    async fn a_create_needs_a_key_and_stays_in_its_tenant(app: TestApp) {
        parents(&app).await;
        let anonymous = app.call(Method::POST, "/api-jobs").no_key().json(json!({"job_number": "J"})).send().await;
        anonymous.expect_error(401, "UNAUTHORIZED");
        let wrong = app.call(Method::POST, "/api-jobs").key("takt_nope").json(json!({"job_number": "J"})).send().await;
        wrong.expect_error(401, "UNAUTHORIZED");
        let other = app.key_for("globex").await;
        let part_id = find(&app, "parts", "P-1").await["id"].as_str().unwrap().to_owned();
        let theirs = app
            .call(Method::POST, "/api-operations")
            .key(&other)
            .json(json!({"operation_name": "Cut", "part_id": part_id}))
            .send()
            .await;
        expect_missing(&theirs, "part_id");
        let mine = post(&app, "operations", json!({"operation_name": "Cut", "part_id": part_id})).await;
        mine.expect(201);
    }

    async fn a_create_sent_again_under_its_idempotency_key_creates_once(app: TestApp) {
        let send = || app.call(Method::POST, "/api-jobs").header("Idempotency-Key", "create-1").json(json!({"job_number": "J"})).send();
        let first = send().await;
        let id = first.expect(201)["data"]["id"].clone();
        let again = send().await;
        assert_eq!(again.expect(201)["data"]["id"], id, "the kept answer");
        assert_eq!(count(&app, "jobs").await, 1);
    }
}
