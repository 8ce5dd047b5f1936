//! A job with nested parts and operations is written in one transaction: one bad operation, by
//! its fields or by a reference that does not resolve, leaves nothing of the job behind.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::TestApp;

/// A job with two parts and three operations; the last operation is `last`.
fn job_ending_with(last: Value) -> Value {
    json!({
        "external_id": "SO-9", "external_source": SOURCE, "job_number": "JOB-9", "customer": "Acme Corp",
        "parts": [
            {"external_id": "SO-9-10", "part_number": "A", "operations": [
                {"external_id": "SO-9-10-010", "operation_name": "Laser Cut", "cell_name": "Cutting"}
            ]},
            {"external_id": "SO-9-20", "part_number": "B", "operations": [
                {"external_id": "SO-9-20-010", "operation_name": "Laser Cut", "cell_name": "cutting"},
                last
            ]}
        ]
    })
}

fn operation(fields: Value) -> Value {
    with(json!({"external_id": "SO-9-20-020", "operation_name": "Bend", "cell_name": "Cutting"}), &fields_of(&fields))
}

fn fields_of(value: &Value) -> Vec<(&str, Value)> {
    value.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.clone())).collect()
}

/// Asserts that the tenant has the one cell and nothing else.
async fn nothing_but_the_cell(app: &TestApp) {
    assert_eq!(counts(app).await, [1, 0, 0, 0, 0], "nothing of the job was written");
    for entity in ["jobs", "parts", "operations"] {
        assert_eq!(all(app, entity).await, Vec::<Value>::new());
    }
}

backend_tests! {
    async fn a_nested_job_with_one_invalid_operation_writes_nothing(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        let response = sync(&app, "jobs", job_ending_with(operation(json!({"estimated_time_minutes": -5})))).await;
        expect_invalid(
            &response,
            &[("parts[1].operations[1].estimated_time_minutes", "must be at least 0")],
            "bad operation",
        );
        nothing_but_the_cell(&app).await;
        // The same job with that operation put right is written whole.
        let id = create(&app, "jobs", job_ending_with(operation(json!({"estimated_time_minutes": 5})))).await;
        assert_eq!(counts(&app).await, [1, 0, 1, 2, 3]);
        let job = read(&app, "jobs", &id).await;
        assert_eq!(job["parts"][1]["operations"][1]["estimated_time_minutes"], 5);
    }

    async fn a_nested_job_with_an_unknown_cell_writes_nothing(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        let response = sync(&app, "jobs", job_ending_with(operation(json!({"cell_name": "Welding"})))).await;
        expect_missing(&response, "parts[1].operations[1].cell_name");
        assert!(response.body["error"]["message"].as_str().unwrap().contains("Welding"), "{}", response.body);
        nothing_but_the_cell(&app).await;
    }

    async fn a_nested_job_with_an_unknown_cell_id_writes_nothing(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        let unknown = uuid::Uuid::now_v7().to_string();
        let last = operation(json!({"cell_id": unknown}));
        let response = sync(&app, "jobs", job_ending_with(without(last, "cell_name"))).await;
        expect_missing(&response, "parts[1].operations[1].cell_id");
        nothing_but_the_cell(&app).await;
    }

    async fn a_nested_child_naming_another_parent_by_id_writes_nothing(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        let other_job = job(&app, "SO-1", "JOB-1").await;
        let other_part = part(&app, "SO-1-10", "SO-1").await;
        let mut body = job_ending_with(operation(json!({})));
        body["parts"][0]["job_id"] = json!(other_job);
        let response = sync(&app, "jobs", body).await;
        expect_invalid(&response, &[("parts[0].job_id", "must be the id of the job it is nested in")], "job_id");
        let body = job_ending_with(operation(json!({"part_id": other_part})));
        let response = sync(&app, "jobs", body).await;
        expect_invalid(
            &response,
            &[("parts[1].operations[1].part_id", "must be the id of the part it is nested in")],
            "part_id",
        );
        assert_eq!(counts(&app).await, [1, 0, 1, 1, 0]);
        // Its own ids are fine.
        let id = create(&app, "jobs", job_ending_with(operation(json!({})))).await;
        let job = read(&app, "jobs", &id).await;
        let mut body = job_ending_with(operation(json!({"part_id": job["parts"][1]["id"]})));
        body["parts"][0]["job_id"] = json!(id);
        update(&app, "jobs", body).await;
    }

    async fn a_failed_resync_of_a_nested_job_changes_nothing(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        let id = create(&app, "jobs", job_ending_with(operation(json!({"sequence": 2})))).await;
        let before = read(&app, "jobs", &id).await;
        // Every field changes and a part is added, but the last operation names a missing cell.
        let mut body = job_ending_with(operation(json!({"sequence": 3, "cell_name": "Painting"})));
        body["customer"] = json!("Someone else");
        body["due_date"] = json!("2030-01-01");
        body["parts"][0]["quantity"] = json!(99);
        body["parts"][0]["operations"][0]["notes"] = json!("changed");
        body["parts"].as_array_mut().unwrap().push(json!({"external_id": "SO-9-30", "part_number": "C"}));
        let response = sync(&app, "jobs", body).await;
        expect_missing(&response, "parts[1].operations[1].cell_name");
        assert_eq!(read(&app, "jobs", &id).await, before, "the job, its parts and operations are as they were");
        assert_eq!(counts(&app).await, [1, 0, 1, 2, 3]);
    }

    async fn a_nested_job_is_written_whole(app: TestApp) {
        cell(&app, "WC-CUT", "Cutting").await;
        let id = create(&app, "jobs", job_ending_with(operation(json!({"sequence": 2, "notes": "last"})))).await;
        let job = read(&app, "jobs", &id).await;
        assert_eq!(job["customer"], "Acme Corp");
        let parts = job["parts"].as_array().unwrap();
        assert_eq!(column(parts, "part_number"), ["A", "B"]);
        assert_eq!(
            column(parts[1]["operations"].as_array().unwrap(), "external_id"),
            ["SO-9-20-020", "SO-9-20-010"],
            "sequence 2 before no sequence"
        );
        assert_eq!(parts[1]["operations"][0]["notes"], "last");
        assert_eq!(parts[1]["operations"][1]["cell_name"], "Cutting");
        // What the job read shows is what the lists show.
        let (operations, _) = list(&app, "operations", &format!("?part_id={}", parts[1]["id"].as_str().unwrap())).await;
        assert_eq!(operations.len(), 2);
    }
}
