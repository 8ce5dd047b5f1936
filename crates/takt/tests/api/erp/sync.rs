//! `PUT /api-{entity}/sync`: create, then update on the same sync key with the same id; fields and
//! children a re-sync leaves out stay; `null` clears; unique names and job numbers.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::TestApp;

/// A job with two parts, the first with two operations, the second with one.
fn nested_job() -> Value {
    json!({
        "external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-1", "customer": "Acme Corp",
        "parts": [
            {"external_id": "SO-1-10", "part_number": "BRACKET-A", "quantity": 25, "operations": [
                {"external_id": "SO-1-10-010", "operation_name": "Laser Cut", "cell_name": "Cutting", "sequence": 1},
                {"external_id": "SO-1-10-020", "operation_name": "Bend 90°", "cell_name": "Bending", "sequence": 2}
            ]},
            {"external_id": "SO-1-20", "part_number": "BRACKET-B", "operations": [
                {"external_id": "SO-1-20-010", "operation_name": "Laser Cut", "cell_name": "Cutting", "sequence": 1}
            ]}
        ]
    })
}

/// Every id in a job read back: the job's, its parts', their operations'.
fn ids(job: &Value) -> Vec<String> {
    let mut ids = vec![job["id"].as_str().unwrap().to_owned()];
    for part in job["parts"].as_array().unwrap() {
        ids.push(part["id"].as_str().unwrap().to_owned());
        for operation in part["operations"].as_array().unwrap() {
            ids.push(operation["id"].as_str().unwrap().to_owned());
        }
    }
    ids
}

backend_tests! {
    async fn a_resync_answers_updated_with_the_same_id(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let response = sync(&app, entity, valid(entity)).await;
            let created = response.expect(201).clone();
            assert_eq!(keys(&created), ["success", "data"]);
            // The seed's shape, then the whole record under its entity's name for the newer clients.
            let record = entity.trim_end_matches('s');
            assert_eq!(keys(&created["data"]), ["action", "id", "external_id", record]);
            assert_eq!(created["data"][record]["id"], created["data"]["id"]);
            assert_eq!(created["data"][record]["external_id"], valid(entity)["external_id"]);
            assert_eq!(created["success"], true);
            assert_eq!(created["data"]["action"], "created");
            assert_eq!(created["data"]["external_id"], valid(entity)["external_id"]);
            assert!(uuid::Uuid::try_parse(created["data"]["id"].as_str().unwrap()).is_ok());
            for _ in 0..2 {
                let response = sync(&app, entity, valid(entity)).await;
                let mut updated = response.expect(200).clone();
                let now = updated["data"].as_object_mut().unwrap().shift_remove(record).expect("the record");
                assert_eq!(
                    updated,
                    json!({"success": true, "data": {
                        "action": "updated", "id": created["data"]["id"], "external_id": created["data"]["external_id"]
                    }}),
                    "{entity}"
                );
                assert_eq!(now["id"], created["data"]["id"]);
            }
        }
        let mut expected = PARENT_COUNTS;
        expected.iter_mut().for_each(|n| *n += 1);
        assert_eq!(counts(&app).await, expected, "one record per sync key");
    }

    async fn the_sync_key_includes_the_external_source(app: TestApp) {
        let sap = cell(&app, "WC-1", "Cutting").await;
        let odoo =
            create(&app, "cells", json!({"external_id": "WC-1", "external_source": "Odoo", "name": "Bending"})).await;
        assert_ne!(sap, odoo);
        // And the external id is exact: another case is another record.
        let lower =
            create(&app, "cells", json!({"external_id": "wc-1", "external_source": SOURCE, "name": "Welding"})).await;
        assert_ne!(sap, lower);
        assert_eq!(count(&app, "cells").await, 3);
    }

    async fn a_resync_keeps_the_fields_it_leaves_out(app: TestApp) {
        parents(&app).await;
        let mut ids = Vec::new();
        for entity in ENTITIES {
            ids.push(create(&app, entity, valid(entity)).await);
        }
        let before: Vec<Value> = read_all(&app, &ids).await;
        // Only the required fields (and the parent reference) again.
        let minimal = [
            json!({"external_id": "C-NEW", "external_source": SOURCE, "name": "Welding"}),
            json!({"external_id": "R-NEW", "external_source": SOURCE, "name": "CNC Mill #1"}),
            json!({"external_id": "J-NEW", "external_source": SOURCE, "job_number": "JOB-NEW"}),
            json!({"external_id": "P-NEW", "external_source": SOURCE, "job_external_id": "J-1",
                   "part_number": "BRACKET-A"}),
            json!({"external_id": "O-NEW", "external_source": SOURCE, "part_external_id": "P-1",
                   "operation_name": "Laser Cut", "cell_name": "Cutting"}),
        ];
        for (entity, body) in ENTITIES.iter().zip(minimal) {
            update(&app, entity, body).await;
        }
        let after = read_all(&app, &ids).await;
        for (before, after) in before.iter().zip(&after) {
            let mut before = before.clone();
            before["updated_at"] = after["updated_at"].clone();
            assert_eq!(&before, after, "every field but updated_at is unchanged");
        }
        // The job also keeps its parts when a re-sync carries none.
        assert_eq!(after[2]["parts"], json!([]));
        let j1 = find(&app, "jobs", "J-1").await["id"].as_str().unwrap().to_owned();
        update(&app, "jobs", json!({"external_id": "J-1", "external_source": SOURCE, "job_number": "JOB-1"})).await;
        let again = read(&app, "jobs", &j1).await;
        assert_eq!(column(again["parts"].as_array().unwrap(), "external_id"), ["P-1", "P-NEW"]);
    }

    async fn a_resync_changes_the_fields_it_carries(app: TestApp) {
        parents(&app).await;
        cell(&app, "C-2", "Bending").await;
        let id = create(&app, "operations", valid("operations")).await;
        part(&app, "P-2", "J-1").await;
        let changed = json!({
            "external_id": "O-NEW", "external_source": SOURCE, "part_external_id": "P-2",
            "operation_name": "Bend", "cell_name": "bending", "sequence": 7, "estimated_time_minutes": 2.5,
            "notes": "changed"
        });
        update(&app, "operations", changed).await;
        let stored = read(&app, "operations", &id).await;
        assert_eq!(stored["operation_name"], "Bend");
        assert_eq!(stored["cell_name"], "Bending", "the cell's own spelling");
        assert_eq!(stored["part_external_id"], "P-2", "the operation moved to the part it names now");
        assert_eq!(stored["sequence"], 7);
        assert_eq!(stored["estimated_time_minutes"].to_string(), "2.5");
        assert_eq!(stored["notes"], "changed");
        assert!(stored["updated_at"].as_str() >= stored["created_at"].as_str());
    }

    async fn null_clears_optional_fields_to_their_defaults(app: TestApp) {
        parents(&app).await;
        let mut ids = Vec::new();
        for entity in ENTITIES {
            ids.push(create(&app, entity, valid(entity)).await);
        }
        let nulls: [&[&str]; 5] = [
            &["color", "sequence", "active"],
            &["type", "description", "identifier", "location", "status"],
            &["customer", "due_date", "priority", "notes"],
            &["material", "quantity", "notes"],
            &["sequence", "estimated_time_minutes", "notes"],
        ];
        for ((entity, fields), id) in ENTITIES.iter().zip(nulls).zip(&ids) {
            let changes: Vec<(&str, Value)> = fields.iter().map(|f| (*f, Value::Null)).collect();
            update(&app, entity, with(valid(entity), &changes)).await;
            let stored = read(&app, entity, id).await;
            for field in fields {
                let expected = match (*entity, *field) {
                    ("cells", "active") => json!(true),
                    ("parts", "quantity") => json!(1),
                    _ => Value::Null,
                };
                assert_eq!(stored[*field], expected, "{entity}.{field}: null sets the default");
            }
        }
        // `active: false` is kept, and null turns it back to true.
        update(&app, "cells", with(valid("cells"), &[("active", json!(false))])).await;
        assert_eq!(read(&app, "cells", &ids[0]).await["active"], false);
        update(&app, "cells", json!({"external_id": "C-NEW", "external_source": SOURCE, "name": "Welding"})).await;
        assert_eq!(read(&app, "cells", &ids[0]).await["active"], false, "left out: kept");
    }

    async fn defaults_apply_on_create(app: TestApp) {
        parents(&app).await;
        let cell = read(&app, "cells", &cell(&app, "C-2", "Bending").await).await;
        assert_eq!(
            (cell["active"].clone(), cell["color"].clone(), cell["sequence"].clone()),
            (json!(true), Value::Null, Value::Null)
        );
        let job = read(&app, "jobs", &job(&app, "J-2", "JOB-2").await).await;
        assert_eq!(job["status"], "not_started");
        assert_eq!(job["customer"], Value::Null);
        let part = read(&app, "parts", &part(&app, "P-2", "J-2").await).await;
        assert_eq!(part["quantity"], 1);
        assert_eq!(part["job_external_id"], "J-2");
        assert_eq!(part["job_id"], job["id"]);
    }

    async fn nested_children_keep_their_ids_across_resyncs(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        cell(&app, "WC-BEND", "Bending").await;
        let id = create(&app, "jobs", nested_job()).await;
        let first = read(&app, "jobs", &id).await;
        assert_eq!(ids(&first).len(), 6);
        assert_eq!(update(&app, "jobs", nested_job()).await, id);
        let second = read(&app, "jobs", &id).await;
        assert_eq!(ids(&first), ids(&second));
        // The same children synced on their own are updates of the same records.
        let part = json!({"external_id": "SO-1-10", "external_source": SOURCE, "job_external_id": "SO-1",
                          "part_number": "BRACKET-A"});
        assert_eq!(update(&app, "parts", part).await, second["parts"][0]["id"].as_str().unwrap());
        let operation = json!({"external_id": "SO-1-20-010", "external_source": SOURCE, "part_external_id": "SO-1-20",
                               "operation_name": "Laser Cut", "cell_name": "CUTTING"});
        assert_eq!(
            update(&app, "operations", operation).await,
            second["parts"][1]["operations"][0]["id"].as_str().unwrap()
        );
        assert_eq!(counts(&app).await, [2, 0, 1, 2, 3]);
    }

    async fn children_a_resync_leaves_out_stay(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        cell(&app, "WC-BEND", "Bending").await;
        let id = create(&app, "jobs", nested_job()).await;
        let before = read(&app, "jobs", &id).await;
        // The re-sync names only the second part, with none of its operations, and a new third one.
        let resync = json!({
            "external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-1",
            "parts": [
                {"external_id": "SO-1-20", "part_number": "BRACKET-B2"},
                {"external_id": "SO-1-30", "part_number": "BRACKET-C", "operations": []}
            ]
        });
        update(&app, "jobs", resync).await;
        let after = read(&app, "jobs", &id).await;
        let parts = after["parts"].as_array().unwrap();
        assert_eq!(column(parts, "external_id"), ["SO-1-10", "SO-1-20", "SO-1-30"]);
        assert_eq!(parts[0], before["parts"][0], "the part left out is untouched");
        assert_eq!(parts[1]["part_number"], "BRACKET-B2");
        assert_eq!(parts[1]["operations"], before["parts"][1]["operations"], "its operations stay");
        assert_eq!(parts[2]["operations"], json!([]));
        assert_eq!(after["customer"], "Acme Corp", "the job's fields left out stay");
        assert_eq!(counts(&app).await, [2, 0, 1, 3, 3]);
    }

    async fn nested_children_take_the_parents_external_source(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        cell(&app, "WC-BEND", "Bending").await;
        let id = create(&app, "jobs", nested_job()).await;
        let job = read(&app, "jobs", &id).await;
        for part in job["parts"].as_array().unwrap() {
            assert_eq!(part["external_source"], SOURCE);
            assert_eq!(part["job_external_id"], "SO-1");
            assert_eq!(part["job_id"], job["id"]);
            for operation in part["operations"].as_array().unwrap() {
                assert_eq!(operation["external_source"], SOURCE);
                assert_eq!(operation["part_id"], part["id"]);
                assert_eq!(operation["part_external_id"], part["external_id"]);
            }
        }
        // A child may carry its own external_source (then that is its sync key), and null means the parent's.
        let body = json!({
            "external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-1",
            "parts": [
                {"external_id": "SO-1-10", "external_source": "MES", "part_number": "OTHER"},
                {"external_id": "SO-1-20", "external_source": null, "part_number": "BRACKET-B2"}
            ]
        });
        update(&app, "jobs", body).await;
        let parts = read(&app, "jobs", &id).await["parts"].as_array().unwrap().clone();
        assert_eq!(column(&parts, "external_source"), [SOURCE, SOURCE, "MES"]);
        assert_eq!(column(&parts, "part_number"), ["BRACKET-A", "BRACKET-B2", "OTHER"]);
    }

    async fn a_cell_name_taken_by_another_cell_is_a_conflict(app: TestApp) {
        let cutting = cell(&app, "WC-1", "Schweißen").await;
        for name in ["Schweißen", "SCHWEIẞEN", "schweißen"] {
            let response =
                sync(&app, "cells", json!({"external_id": "WC-2", "external_source": SOURCE, "name": name})).await;
            expect_conflict(&response);
            // From another external_source too: names are unique per tenant.
            let response =
                sync(&app, "cells", json!({"external_id": "WC-1", "external_source": "Odoo", "name": name})).await;
            expect_conflict(&response);
        }
        assert_eq!(count(&app, "cells").await, 1, "nothing was written");
        // Renaming another cell onto it is a conflict too, and leaves that cell as it was.
        cell(&app, "WC-2", "Ärger").await;
        let response = sync(
            &app,
            "cells",
            json!({"external_id": "WC-2", "external_source": SOURCE, "name": "SCHWEIßEN", "sequence": 4}),
        )
        .await;
        expect_conflict(&response);
        let other = find(&app, "cells", "WC-2").await;
        assert_eq!((other["name"].as_str(), other["sequence"].clone()), (Some("Ärger"), Value::Null));
        // A cell may change the case of its own name.
        update(&app, "cells", json!({"external_id": "WC-1", "external_source": SOURCE, "name": "SCHWEIẞEN"})).await;
        assert_eq!(read(&app, "cells", &cutting).await["name"], "SCHWEIẞEN");
        update(&app, "cells", json!({"external_id": "WC-2", "external_source": SOURCE, "name": "ÄRGER"})).await;
    }

    async fn a_job_number_taken_by_another_job_is_a_conflict(app: TestApp) {
        let first = job(&app, "SO-1", "JOB-2024-001").await;
        let response =
            sync(&app, "jobs", json!({"external_id": "SO-2", "external_source": SOURCE, "job_number": "JOB-2024-001"}))
                .await;
        expect_conflict(&response);
        let response =
            sync(&app, "jobs", json!({"external_id": "SO-1", "external_source": "Odoo", "job_number": "JOB-2024-001"}))
                .await;
        expect_conflict(&response);
        // A nested job is refused whole.
        cell(&app, "WC-CUT", "Cutting").await;
        let nested = json!({"external_id": "SO-3", "external_source": SOURCE, "job_number": "JOB-2024-001",
                            "parts": [{"external_id": "SO-3-10", "part_number": "A"}]});
        expect_conflict(&sync(&app, "jobs", nested).await);
        assert_eq!((count(&app, "jobs").await, count(&app, "parts").await), (1, 0));
        // Renaming another job onto it is a conflict and changes nothing.
        job(&app, "SO-2", "JOB-2024-002").await;
        let response = sync(
            &app,
            "jobs",
            json!({"external_id": "SO-2", "external_source": SOURCE, "job_number": "JOB-2024-001", "customer": "X"}),
        )
        .await;
        expect_conflict(&response);
        assert_eq!(find(&app, "jobs", "SO-2").await["customer"], Value::Null);
        // Job numbers are exact: another case is another number.
        job(&app, "SO-4", "job-2024-001").await;
        assert_eq!(read(&app, "jobs", &first).await["job_number"], "JOB-2024-001");
    }
}

async fn read_all(app: &TestApp, ids: &[String]) -> Vec<Value> {
    let mut records = Vec::new();
    for (entity, id) in ENTITIES.iter().zip(ids) {
        records.push(read(app, entity, id).await);
    }
    records
}
