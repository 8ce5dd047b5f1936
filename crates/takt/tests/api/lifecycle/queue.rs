//! A cell's dispatch queue: its order (running, held, then rush, due date, priority, job number,
//! sequence), what it leaves out, and what blocks each line.

use serde_json::{Value, json};

use super::fixtures::{act, job_action, plant_with};
use crate::backend_tests;
use crate::erp::fixtures::{SOURCE, cell, create, find};
use crate::support::TestApp;

/// A job `number` with one part of one operation `{number}-OP` in cell `Milling`.
async fn one_step_job(app: &TestApp, number: &str, due: Value, priority: Value) -> String {
    let job = json!({
        "external_id": number, "external_source": SOURCE, "job_number": number, "customer": "Acme",
        "due_date": due, "priority": priority,
        "parts": [{"external_id": format!("{number}-P"), "part_number": "P",
                   "operations": [{"external_id": format!("{number}-OP"), "operation_name": "Mill", "cell_name": "Milling", "sequence": 10}]}]
    });
    create(app, "jobs", job).await;
    find(app, "operations", &format!("{number}-OP")).await["id"].as_str().unwrap().to_owned()
}

async fn queue(app: &TestApp, path: &str) -> Value {
    app.get(path).await.expect(200)["data"].clone()
}

fn line_ids(data: &Value) -> Vec<String> {
    data["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["operation"]["external_id"].as_str().unwrap().to_owned())
        .collect()
}

backend_tests! {
    async fn the_queue_runs_first_then_holds_then_rush_due_date_priority_and_number(app: TestApp) {
        let milling = cell(&app, "C-M", "Milling").await;
        one_step_job(&app, "J-LATE", json!("2027-03-01"), json!(1)).await;
        one_step_job(&app, "J-SOON", json!("2027-01-10"), json!(1)).await;
        one_step_job(&app, "J-SOON-URGENT", json!("2027-01-10"), json!(9)).await;
        one_step_job(&app, "J-NONE", Value::Null, json!(5)).await;
        one_step_job(&app, "J-RUSH", json!("2027-06-01"), Value::Null).await;
        let held = one_step_job(&app, "J-HELD", json!("2027-12-01"), Value::Null).await;
        let running = one_step_job(&app, "J-RUNNING", Value::Null, Value::Null).await;
        let done = one_step_job(&app, "J-DONE", json!("2026-01-01"), Value::Null).await;
        one_step_job(&app, "J-CLOSED", json!("2026-01-02"), Value::Null).await;
        app.execute_sql("UPDATE parts SET is_bullet_card = TRUE WHERE external_id = 'J-RUSH-P'").await;
        act(&app, "start", &running).await;
        act(&app, "start", &held).await;
        act(&app, "pause", &held).await;
        act(&app, "start", &done).await;
        act(&app, "complete", &done).await;
        let closed = find(&app, "jobs", "J-CLOSED").await["id"].as_str().unwrap().to_owned();
        job_action(&app, "start", &closed).await.expect(200);
        job_action(&app, "complete", &closed).await.expect(200);

        let data = queue(&app, &format!("/api-cells/{milling}/queue")).await;
        assert_eq!(
            line_ids(&data),
            ["J-RUNNING-OP", "J-HELD-OP", "J-RUSH-OP", "J-SOON-URGENT-OP", "J-SOON-OP", "J-LATE-OP", "J-NONE-OP"],
            "completed operations and operations of completed jobs are left out"
        );
        assert_eq!(data["cell"]["name"], "Milling");
        assert_eq!(data["pagination"], json!({"total": 7, "offset": 0, "limit": 100}));
        let first = &data["queue"][2];
        assert_eq!(crate::erp::fixtures::keys(first), ["operation", "part", "job", "ready", "blocked_by"]);
        assert_eq!((&first["part"]["is_bullet_card"], &first["job"]["job_number"], &first["job"]["customer"]), (&json!(true), &json!("J-RUSH"), &json!("Acme")));
        assert_eq!((&first["ready"], &first["blocked_by"]), (&json!(true), &json!([])));

        let by_name = queue(&app, "/api-cells/queue?cell_name=MILLING&limit=2&offset=1").await;
        assert_eq!(line_ids(&by_name), ["J-HELD-OP", "J-RUSH-OP"]);
        let functions = app.get(&format!("/functions/v1/api-cells/queue?cell_id={milling}")).await;
        assert_eq!(functions.expect(200)["data"]["pagination"]["total"], 7);
        assert_eq!(line_ids(&queue(&app, &format!("/api-cells/{milling}/queue")).await)[6], "J-NONE-OP");
    }

    async fn each_line_says_what_blocks_it(app: TestApp) {
        let plant = plant_with(&app, json!({"enforce_sequence": true, "wip_limit": 1})).await;
        let cutting = find(&app, "cells", "C-1").await["id"].as_str().unwrap().to_owned();
        act(&app, "start", &plant.operations[0]).await;
        app.execute_sql("UPDATE operations SET status = 'on_hold', held_from = 'not_started' WHERE external_id = 'OP-4'").await;
        let data = queue(&app, &format!("/api-cells/{cutting}/queue")).await;
        let blocked: Vec<(String, Value, Value)> = data["queue"].as_array().unwrap().iter()
            .map(|l| (l["operation"]["external_id"].as_str().unwrap().to_owned(), l["ready"].clone(), l["blocked_by"].clone()))
            .collect();
        assert_eq!(blocked, [
            ("OP-1".to_owned(), json!(true), json!([])),
            ("OP-4".to_owned(), json!(false), json!(["hold", "wip_limit"])),
            ("OP-2".to_owned(), json!(false), json!(["predecessor", "wip_limit"])),
            ("OP-3".to_owned(), json!(false), json!(["predecessor", "wip_limit"])),
        ]);
    }

    async fn a_queue_of_an_unknown_or_foreign_cell_is_not_found_and_bad_parameters_are_named(app: TestApp) {
        let milling = cell(&app, "C-M", "Milling").await;
        app.get("/api-cells/00000000-0000-7000-8000-000000000000/queue").await.expect_error(404, "NOT_FOUND");
        app.get("/api-cells/Milling/queue").await.expect_error(404, "NOT_FOUND");
        app.get("/api-cells/queue?cell_name=Drilling").await.expect_error(404, "NOT_FOUND");
        let missing = app.get("/api-cells/queue").await;
        missing.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(missing.error_fields(), ["cell_name"]);
        let bad = app.get(&format!("/api-cells/{milling}/queue?limit=0&offset=-1&sort=x")).await;
        bad.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad.error_fields(), ["sort"]);
        let bad = app.get(&format!("/api-cells/{milling}/queue?limit=0&offset=-1")).await;
        assert_eq!(bad.error_fields(), ["limit", "offset"]);
        let other = app.key_for("globex").await;
        let foreign = app.call(reqwest::Method::GET, &format!("/api-cells/{milling}/queue")).key(&other).send().await;
        foreign.expect_error(404, "NOT_FOUND");
    }
}
