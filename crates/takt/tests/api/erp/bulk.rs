//! `POST /api-{entity}/bulk-sync`: up to 1000 records, each applied on its own in request order;
//! the seed's summary and result shapes.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::{Response, TestApp};

async fn bulk(app: &TestApp, entity: &str, body: Value) -> Response {
    app.post(&format!("/api-{entity}/bulk-sync"), body).await
}

/// `(total, created, updated, errors)` of a bulk answer.
fn summary(data: &Value) -> (i64, i64, i64, i64) {
    let n = |k: &str| data[k].as_i64().unwrap_or_else(|| panic!("no {k} in {data}"));
    (n("total"), n("created"), n("updated"), n("errors"))
}

/// Asserts the seed's result line shapes: `{external_id, id, action}` or `{external_id, action, error}`.
fn assert_seed_shapes(results: &[Value]) {
    for line in results {
        if line["action"] == "error" {
            assert_eq!(keys(line), ["external_id", "action", "error"], "{line}");
            assert!(line["error"].as_str().is_some_and(|e| !e.is_empty()), "{line}");
        } else {
            assert_eq!(keys(line), ["external_id", "id", "action"], "{line}");
            assert!(uuid::Uuid::try_parse(line["id"].as_str().unwrap()).is_ok(), "{line}");
            assert!(line["action"] == "created" || line["action"] == "updated", "{line}");
        }
    }
}

backend_tests! {
    async fn exactly_1000_records_are_accepted(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let records: Vec<Value> = (0..1000).map(|n| numbered(entity, n)).collect();
            let response = bulk(&app, entity, json!({ entity: records })).await;
            let data = &response.expect(200)["data"];
            assert_eq!(summary(data), (1000, 1000, 0, 0), "{entity}");
            let results = data["results"].as_array().unwrap();
            assert_seed_shapes(results);
            let expected: Vec<String> = (0..1000).map(|n| format!("{entity}-{n}")).collect();
            assert_eq!(column(results, "external_id"), expected, "results in request order");
        }
        let mut expected = PARENT_COUNTS;
        expected.iter_mut().for_each(|n| *n += 1000);
        assert_eq!(counts(&app).await, expected);
    }

    async fn more_than_1000_records_are_413_and_nothing_is_written(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let records: Vec<Value> = (0..1001).map(|n| numbered(entity, n)).collect();
            let response = bulk(&app, entity, json!({ entity: records.clone() })).await;
            let body = response.expect_error(413, "PAYLOAD_TOO_LARGE");
            assert!(body["error"]["message"].as_str().unwrap().contains("1000"), "{body}");
            let response = bulk(&app, entity, json!({ "items": records })).await;
            response.expect_error(413, "PAYLOAD_TOO_LARGE");
        }
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }

    async fn nested_children_do_not_count_towards_the_limit(app: TestApp) {
        cell(&app, "WC-1", "Cutting").await;
        let operations: Vec<Value> = (0..600)
            .map(|n| {
                json!({"external_id": format!("O-{n}"), "operation_name": "Cut", "cell_name": "Cutting", "sequence": n})
            })
            .collect();
        let jobs = json!({"jobs": [
            {"external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-1",
             "parts": [{"external_id": "P-1", "part_number": "A", "operations": operations}]},
            {"external_id": "SO-2", "external_source": SOURCE, "job_number": "JOB-2",
             "parts": [{"external_id": "P-2", "part_number": "B", "operations": operations.iter().map(|o| {
                 let mut o = o.clone();
                 o["external_id"] = json!(format!("2-{}", o["external_id"].as_str().unwrap()));
                 o
             }).collect::<Vec<_>>()}]}
        ]});
        let data = &bulk(&app, "jobs", jobs).await.expect(200)["data"].clone();
        assert_eq!(summary(data), (2, 2, 0, 0));
        assert_eq!(count(&app, "operations").await, 1200);
    }

    async fn a_bad_record_fails_alone(app: TestApp) {
        parents(&app).await;
        let jobs = json!({"jobs": [
            {"external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-A"},
            {"external_id": "SO-2", "external_source": SOURCE, "job_number": "JOB-B", "due_date": "31/12/2024"},
            {"external_id": "SO-3", "external_source": SOURCE, "job_number": "JOB-1"},
            {"external_id": "SO-4", "external_source": SOURCE, "job_number": "JOB-D", "parts": [
                {"external_id": "SO-4-10", "part_number": "X", "operations": [
                    {"external_id": "SO-4-10-010", "operation_name": "Cut", "cell_name": "Nowhere"}
                ]}
            ]},
            {"external_id": "SO-5", "external_source": SOURCE, "job_number": "JOB-E", "parts": [
                {"external_id": "SO-5-10", "part_number": "Y", "operations": [
                    {"external_id": "SO-5-10-010", "operation_name": "Cut", "cell_name": "CUTTING"}
                ]}
            ]}
        ]});
        let response = bulk(&app, "jobs", jobs).await;
        let data = &response.expect(200)["data"];
        assert_eq!(summary(data), (5, 2, 0, 3));
        let results = data["results"].as_array().unwrap();
        assert_seed_shapes(results);
        assert_eq!(column(results, "external_id"), ["SO-1", "SO-2", "SO-3", "SO-4", "SO-5"]);
        let actions: Vec<&str> = column(results, "action");
        assert_eq!(actions, ["created", "error", "error", "error", "created"]);
        let error = |i: usize| results[i]["error"].as_str().unwrap();
        assert_eq!(error(1), "due_date must be a date (YYYY-MM-DD)");
        assert!(error(2).contains("job_number") && error(2).contains("JOB-1"), "{}", error(2));
        assert!(error(3).contains("parts[0].operations[0].cell_name"), "{}", error(3));
        assert!(error(3).contains("Nowhere"), "{}", error(3));
        let jobs = all(&app, "jobs").await;
        assert_eq!(column(&jobs, "external_id"), ["J-1", "SO-1", "SO-5"]);
        assert_eq!(column(&all(&app, "parts").await, "external_id"), ["P-1", "SO-5-10"], "nothing of SO-4");
        assert_eq!(column(&all(&app, "operations").await, "external_id"), ["SO-5-10-010"]);

        let parts = json!({"parts": [
            {"external_id": "P-A", "external_source": SOURCE, "job_external_id": "J-1", "part_number": "A"},
            {"external_id": "P-B", "external_source": SOURCE, "job_external_id": "J-404", "part_number": "B"},
            {"external_id": "P-C", "external_source": SOURCE, "job_external_id": "J-1", "part_number": "C",
             "quantity": 0},
            {"external_id": "P-D", "external_source": SOURCE, "job_external_id": "J-1", "part_number": "D"}
        ]});
        let data = &bulk(&app, "parts", parts).await.expect(200)["data"].clone();
        assert_eq!(summary(data), (4, 2, 0, 2));
        let results = data["results"].as_array().unwrap();
        assert_eq!(column(results, "action"), ["created", "error", "error", "created"]);
        assert!(results[1]["error"].as_str().unwrap().contains("J-404"), "{}", results[1]);
        assert_eq!(results[2]["error"], "quantity must be at least 1");
        assert_eq!(column(&all(&app, "parts").await, "external_id"), ["P-1", "SO-5-10", "P-A", "P-D"]);
    }

    async fn records_that_cannot_be_read_fail_alone(app: TestApp) {
        let cells = json!({"cells": [
            {"external_id": "WC-1", "external_source": SOURCE, "name": "Cutting"},
            "WC-2",
            {"external_source": SOURCE, "name": "Bending"},
            {"external_id": 42, "external_source": SOURCE, "name": "Painting"},
            {"external_id": "WC-5", "external_source": SOURCE, "name": "Welding", "colour": "red"},
            null,
            {"external_id": "WC-7", "external_source": SOURCE, "name": "Drilling"}
        ]});
        let response = bulk(&app, "cells", cells).await;
        let data = &response.expect(200)["data"];
        assert_eq!(summary(data), (7, 2, 0, 5));
        let results = data["results"].as_array().unwrap();
        assert_seed_shapes(results);
        let ids: Vec<&Value> = results.iter().map(|r| &r["external_id"]).collect();
        assert_eq!(
            ids,
            [&json!("WC-1"), &Value::Null, &Value::Null, &Value::Null, &json!("WC-5"), &Value::Null, &json!("WC-7")]
        );
        assert_eq!(results[1]["error"], "body must be a JSON object");
        assert_eq!(results[2]["error"], "external_id is required for sync operations");
        assert_eq!(results[3]["error"], "external_id must be a string");
        assert_eq!(results[4]["error"], "colour is not a known field");
        assert_eq!(column(&all(&app, "cells").await, "external_id"), ["WC-1", "WC-7"]);
    }

    async fn a_conflict_fails_alone(app: TestApp) {
        cell(&app, "WC-1", "Cutting").await;
        let cells = json!({"cells": [
            {"external_id": "WC-2", "external_source": SOURCE, "name": "Bending"},
            {"external_id": "WC-3", "external_source": SOURCE, "name": "CUTTING"},
            {"external_id": "WC-4", "external_source": SOURCE, "name": "bending"},
            {"external_id": "WC-5", "external_source": SOURCE, "name": "Welding"}
        ]});
        let data = &bulk(&app, "cells", cells).await.expect(200)["data"].clone();
        assert_eq!(summary(data), (4, 2, 0, 2));
        let results = data["results"].as_array().unwrap();
        assert_eq!(column(results, "action"), ["created", "error", "error", "created"]);
        assert!(results[1]["error"].as_str().unwrap().contains("CUTTING"), "{}", results[1]);
        assert_eq!(column(&all(&app, "cells").await, "name"), ["Cutting", "Bending", "Welding"]);
    }

    async fn a_record_repeated_in_one_request_is_applied_in_order(app: TestApp) {
        parents(&app).await;
        let jobs = json!({"jobs": [
            {"external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-A", "customer": "First",
             "priority": 1},
            {"external_id": "SO-2", "external_source": SOURCE, "job_number": "JOB-B"},
            {"external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-A2", "customer": "Second"},
            {"external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-A3", "notes": "third"}
        ]});
        let data = &bulk(&app, "jobs", jobs).await.expect(200)["data"].clone();
        assert_eq!(summary(data), (4, 2, 2, 0));
        let results = data["results"].as_array().unwrap();
        assert_eq!(column(results, "action"), ["created", "created", "updated", "updated"]);
        assert_eq!(results[0]["id"], results[2]["id"]);
        assert_eq!(results[0]["id"], results[3]["id"]);
        let job = read(&app, "jobs", results[0]["id"].as_str().unwrap()).await;
        assert_eq!(job["job_number"], "JOB-A3", "the last values win");
        assert_eq!(job["customer"], "Second", "fields the last one leaves out keep the earlier values");
        assert_eq!(job["priority"], 1);
        assert_eq!(job["notes"], "third");
        assert_eq!(count(&app, "jobs").await, 3);
        // A record created in a request can be named by a later record of the same kind of request.
        let parts = json!({"parts": [
            {"external_id": "P-A", "external_source": SOURCE, "job_external_id": "SO-1", "part_number": "A"},
            {"external_id": "P-A", "external_source": SOURCE, "job_external_id": "SO-2", "part_number": "A"}
        ]});
        let data = &bulk(&app, "parts", parts).await.expect(200)["data"].clone();
        assert_eq!(column(data["results"].as_array().unwrap(), "action"), ["created", "updated"]);
        assert_eq!(find(&app, "parts", "P-A").await["job_external_id"], "SO-2");
    }

    async fn items_stands_for_the_entity_key(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let records: Vec<Value> = (0..3).map(|n| numbered(entity, n)).collect();
            let mut bad = numbered(entity, 9);
            bad.as_object_mut().unwrap().shift_remove("external_id");
            let mut with_bad = records.clone();
            with_bad.insert(1, bad);
            // Under `items`, the newer clients' answer: the seed's counts, `results` an object.
            let data = &bulk(&app, entity, json!({"items": with_bad})).await.expect(200)["data"].clone();
            assert_eq!(summary(data), (4, 3, 0, 1), "{entity}");
            assert_eq!(
                data["results"],
                json!({"created": 3, "updated": 0, "failed": 1, "errors": [
                    {"index": 1, "external_id": null, "error": "external_id is required for sync operations"}]}),
                "{entity}"
            );
            let data = &bulk(&app, entity, json!({ entity: records })).await.expect(200)["data"].clone();
            assert_eq!(summary(data), (3, 0, 3, 0), "{entity}: the same records by their key");
        }
        let mut expected = PARENT_COUNTS;
        expected.iter_mut().for_each(|n| *n += 3);
        assert_eq!(counts(&app).await, expected);
    }

    async fn an_empty_bulk_is_an_empty_answer(app: TestApp) {
        for entity in ENTITIES {
            let body = bulk(&app, entity, json!({ entity: [] })).await.expect(200).clone();
            assert_eq!(
                body,
                json!({"success": true, "data": {"total": 0, "created": 0, "updated": 0, "errors": 0, "results": []}})
            );
        }
    }

    async fn the_records_key_must_be_the_entitys_or_items_alone(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let record = valid(entity);
            let other = if entity == "jobs" { "parts" } else { "jobs" };
            let cases = [
                (json!({}), entity.to_owned()),
                (json!({"items": [record], entity: [record]}), entity.to_owned()),
                (json!({ entity: [record], "items": [record]}), "items".to_owned()),
                (json!({ other: [record] }), other.to_owned()),
                (json!({"records": [record]}), "records".to_owned()),
                (json!({ entity: [record], "dry_run": true}), "dry_run".to_owned()),
                (json!({ entity: record }), entity.to_owned()),
                (json!({"items": "all"}), "items".to_owned()),
                (json!({ entity: null }), entity.to_owned()),
            ];
            for (body, field) in cases {
                let response = bulk(&app, entity, body.clone()).await;
                expect_invalid_fields(&response, &[field.as_str()], &format!("{entity} bulk {body}"));
            }
        }
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }
}
