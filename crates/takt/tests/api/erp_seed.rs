//! Every request example of seed 000, verbatim, in the seed's initial-sync order, with its
//! documented response.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::support::TestApp;

fn is_uuid(value: &Value) -> bool {
    value.as_str().is_some_and(|s| uuid::Uuid::try_parse(s).is_ok())
}

backend_tests! {
    async fn seed_examples_in_initial_sync_order(app: TestApp) {
        // 1. Cells (the cells the nested job's operations name are synced like the seed's one).
        let cell = app
            .put(
                "/api-cells/sync",
                json!({
                    "external_id": "WC-CUTTING",
                    "external_source": "SAP",
                    "name": "Cutting",
                    "color": "#3b82f6",
                    "sequence": 1,
                    "active": true
                }),
            )
            .await;
        let body = cell.expect(201);
        assert_eq!(body["success"], true);
        assert_eq!(body["data"]["action"], "created");
        assert_eq!(body["data"]["external_id"], "WC-CUTTING");
        assert!(is_uuid(&body["data"]["id"]));
        app.put("/api-cells/sync", json!({"external_id": "WC-BENDING", "external_source": "SAP", "name": "Bending"}))
            .await
            .expect(201);

        // 2. Resources.
        let resource = app
            .put(
                "/api-resources/sync",
                json!({
                    "external_id": "TOOL-001",
                    "external_source": "SAP",
                    "name": "CNC Mill #1",
                    "type": "equipment",
                    "description": "5-axis CNC milling machine",
                    "identifier": "MILL-001",
                    "location": "Building A, Bay 3",
                    "status": "available"
                }),
            )
            .await;
        assert_eq!(resource.expect(201)["data"]["action"], "created");

        // 3. Jobs: the plain example, then the nested one (same sync key: an update).
        let job = app
            .put(
                "/api-jobs/sync",
                json!({
                    "external_id": "SO-12345",
                    "external_source": "SAP",
                    "job_number": "JOB-2024-001",
                    "customer": "Acme Corp",
                    "due_date": "2024-12-31",
                    "priority": 5,
                    "notes": "Synced from SAP"
                }),
            )
            .await;
        let job_id = job.expect(201)["data"]["id"].clone();
        let nested = app
            .put(
                "/api-jobs/sync",
                json!({
                    "external_id": "SO-12345",
                    "external_source": "SAP",
                    "job_number": "JOB-2024-001",
                    "customer": "Acme Corp",
                    "parts": [
                        {
                            "external_id": "SO-12345-10",
                            "part_number": "BRACKET-A",
                            "material": "Steel 304",
                            "quantity": 25,
                            "operations": [
                                {
                                    "external_id": "SO-12345-10-010",
                                    "operation_name": "Laser Cut",
                                    "cell_name": "Cutting",
                                    "sequence": 1,
                                    "estimated_time_minutes": 30
                                },
                                {
                                    "external_id": "SO-12345-10-020",
                                    "operation_name": "Bend 90°",
                                    "cell_name": "Bending",
                                    "sequence": 2,
                                    "estimated_time_minutes": 15
                                }
                            ]
                        }
                    ]
                }),
            )
            .await;
        let body = nested.expect(200);
        let mut data = body["data"].clone();
        let job = data.as_object_mut().unwrap().shift_remove("job").expect("the whole job");
        assert_eq!(data, json!({"action": "updated", "id": job_id, "external_id": "SO-12345"}));
        assert_eq!(job["parts"][0]["operations"].as_array().unwrap().len(), 2, "{job}");

        // The bulk example: SO-002 exists already, so the answer is the seed's 1 created, 1 updated.
        app.put("/api-jobs/sync", json!({"external_id": "SO-002", "external_source": "SAP", "job_number": "JOB-002"}))
            .await
            .expect(201);
        let bulk = app
            .post(
                "/api-jobs/bulk-sync",
                json!({
                    "jobs": [
                        { "external_id": "SO-001", "external_source": "SAP", "job_number": "JOB-001", "customer": "Customer A" },
                        { "external_id": "SO-002", "external_source": "SAP", "job_number": "JOB-002", "customer": "Customer B" }
                    ]
                }),
            )
            .await;
        let body = bulk.expect(200);
        assert_eq!(body["success"], true);
        let data = &body["data"];
        assert_eq!((data["total"].clone(), data["created"].clone(), data["updated"].clone(), data["errors"].clone()), (json!(2), json!(1), json!(1), json!(0)));
        let results = data["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["external_id"], "SO-001");
        assert_eq!(results[0]["action"], "created");
        assert!(is_uuid(&results[0]["id"]));
        assert_eq!(results[1]["external_id"], "SO-002");
        assert_eq!(results[1]["action"], "updated");
        for result in results {
            let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["external_id", "id", "action"], "the seed's result shape");
        }

        // 4. Parts.
        let part = app
            .put(
                "/api-parts/sync",
                json!({
                    "external_id": "SO-12345-10",
                    "external_source": "SAP",
                    "job_external_id": "SO-12345",
                    "part_number": "BRACKET-A",
                    "material": "Steel 304",
                    "quantity": 25,
                    "notes": "Handle with care"
                }),
            )
            .await;
        assert_eq!(part.expect(200)["data"]["action"], "updated", "the nested sync created it");
        let parts = app
            .post(
                "/api-parts/bulk-sync",
                json!({
                    "parts": [
                        { "external_id": "SO-001-10", "external_source": "SAP", "job_external_id": "SO-001", "part_number": "PART-A", "quantity": 10 }
                    ]
                }),
            )
            .await;
        let body = parts.expect(200);
        assert_eq!(body["data"]["created"], 1);
        assert_eq!(body["data"]["results"][0]["external_id"], "SO-001-10");

        // 5. Operations.
        let operation = app
            .put(
                "/api-operations/sync",
                json!({
                    "external_id": "SO-12345-10-010",
                    "external_source": "SAP",
                    "part_external_id": "SO-12345-10",
                    "operation_name": "Laser Cut",
                    "cell_name": "Cutting",
                    "sequence": 1,
                    "estimated_time_minutes": 30,
                    "notes": "Use 1000W laser"
                }),
            )
            .await;
        assert_eq!(operation.expect(200)["data"]["action"], "updated");

        // Reading back: the job with its part and both operations, in routing order.
        let read = app.get(&format!("/api-jobs/{}", job_id.as_str().unwrap())).await;
        let job = &read.expect(200)["data"];
        assert_eq!(job["job_number"], "JOB-2024-001");
        assert_eq!(job["due_date"], "2024-12-31", "fields a re-sync leaves out keep their values");
        assert_eq!(job["status"], "not_started");
        let parts = job["parts"].as_array().unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0]["notes"], "Handle with care");
        let operations = parts[0]["operations"].as_array().unwrap();
        let names: Vec<&str> = operations.iter().map(|o| o["operation_name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Laser Cut", "Bend 90°"]);
        assert_eq!(operations[0]["notes"], "Use 1000W laser");
        assert_eq!(operations[1]["cell_name"], "Bending");
        assert_eq!(operations[1]["estimated_time_minutes"], 15);
    }

    async fn the_seed_validation_error(app: TestApp) {
        let response = app.put("/api-jobs/sync", json!({"external_source": "SAP", "job_number": "JOB-1"})).await;
        let body = response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(body["error"]["message"], "external_id is required for sync operations");
        assert_eq!(body["error"]["details"], json!([{"field": "external_id", "message": "is required"}]));
    }

    async fn the_seed_bulk_with_an_error(app: TestApp) {
        app.put("/api-jobs/sync", json!({"external_id": "SO-002", "external_source": "SAP", "job_number": "JOB-002"}))
            .await
            .expect(201);
        let response = app
            .post(
                "/api-jobs/bulk-sync",
                json!({"jobs": [
                    {"external_id": "SO-001", "external_source": "SAP", "job_number": "JOB-001"},
                    {"external_id": "SO-002", "external_source": "SAP", "job_number": "JOB-002"},
                    {"external_id": "SO-003", "external_source": "SAP", "job_number": "JOB-003", "due_date": "31/12/2024"}
                ]}),
            )
            .await;
        let data = &response.expect(200)["data"];
        assert_eq!((data["total"].as_i64(), data["created"].as_i64(), data["updated"].as_i64(), data["errors"].as_i64()), (Some(3), Some(1), Some(1), Some(1)));
        let failed = &data["results"][2];
        let keys: Vec<&String> = failed.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["external_id", "action", "error"], "the seed's error shape");
        assert_eq!(failed["external_id"], "SO-003");
        assert_eq!(failed["action"], "error");
        assert!(failed["error"].as_str().unwrap().contains("due_date"), "{failed}");
    }
}
