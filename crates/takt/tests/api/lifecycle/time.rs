//! Time entries: opened and closed by the lifecycle in whole seconds, corrected through their
//! collection; an operation's actual time and an operator's labour are unions of intervals.

use std::time::Duration;

use serde_json::{Value, json};

use super::fixtures::{act, operation_action, plant};
use crate::backend_tests;
use crate::erp::fixtures::{SOURCE, create, read};
use crate::support::TestApp;

async fn entries(app: &TestApp, query: &str) -> Vec<Value> {
    app.get(&format!("/api-time-entries?{query}")).await.expect(200)["data"]["time_entries"].as_array().unwrap().clone()
}

async fn operator(app: &TestApp, number: &str) -> String {
    let body = json!({"external_id": format!("E-{number}"), "external_source": SOURCE, "name": "Ann", "employee_number": number});
    create(app, "operators", body).await
}

fn whole_seconds(at: &Value) -> bool {
    at.as_str().is_some_and(|t| t.len() == 20 && t.ends_with('Z'))
}

backend_tests! {
    async fn start_pause_resume_complete_make_entries_whose_union_is_the_actual_time(app: TestApp) {
        let plant = plant(&app).await;
        let ann = operator(&app, "1").await;
        let op = &plant.operations[0];
        let with_ann = format!("id={op}&operator_id={ann}");
        let started = std::time::Instant::now();
        operation_action(&app, "start", &with_ann, None).await.expect(200);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        act(&app, "pause", op).await;
        operation_action(&app, "resume", &format!("{with_ann}&time_type=rework"), None).await.expect(200);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        act(&app, "complete", op).await;
        let wall = started.elapsed().as_secs() as i64 + 1;

        let listed = entries(&app, &format!("operation_id={op}")).await;
        assert_eq!(listed.len(), 2);
        let types: Vec<&str> = listed.iter().map(|e| e["time_type"].as_str().unwrap()).collect();
        assert_eq!(types, ["run", "rework"]);
        assert!(listed.iter().all(|e| e["operator_id"] == ann.as_str() && whole_seconds(&e["start_time"]) && whole_seconds(&e["end_time"])), "{listed:?}");
        let total: i64 = listed.iter().map(|e| e["duration_seconds"].as_i64().unwrap()).sum();
        let actual = read(&app, "operations", op).await["actual_time_seconds"].as_i64().unwrap();
        assert_eq!(actual, total, "the entries do not overlap, so their union is their sum");
        assert!((2..=wall).contains(&actual), "{actual} s of {wall} s");
        assert_eq!(listed[0]["duration"], (listed[0]["duration_seconds"].as_i64().unwrap() + 30) / 60);
    }

    async fn overlapping_work_of_one_operator_counts_once_and_corrections_move_the_actual_time(app: TestApp) {
        let plant = plant(&app).await;
        let ann = operator(&app, "1").await;
        let [op1, _, _, op4] = &plant.operations;
        let entry = |op: &str, start: &str, end: &str| json!({"operation_id": op, "operator_id": ann, "time_type": "SETUP",
                                                                 "start_time": start, "end_time": end});
        let first = app.post("/api-time-entries", entry(op1, "2026-12-01T10:00:00.700Z", "2026-12-01T11:00:00Z")).await;
        let first = first.expect(201)["data"].clone();
        assert_eq!((&first["time_type"], &first["start_time"], &first["duration_seconds"]), (&json!("setup"), &json!("2026-12-01T10:00:00Z"), &json!(3600)));
        app.post("/api-time-entries", entry(op4, "2026-12-01T10:30:00Z", "2026-12-01T11:30:00Z")).await.expect(201);
        app.post("/api-time-entries", entry(op1, "2026-12-01T10:45:00Z", "2026-12-01T11:15:00Z")).await.expect(201);
        assert_eq!(read(&app, "operations", op1).await["actual_time_seconds"], 4500, "10:00 to 11:15, overlap counted once");
        let labour = app.get(&format!("/api-time-entries/labour?operator_id={ann}&start_date=2026-12-01&end_date=2026-12-01")).await;
        let labour = labour.expect(200)["data"].clone();
        assert_eq!((&labour["labour_seconds"], &labour["entries"]), (&json!(5400), &json!(3)), "10:00 to 11:30 once, not 2 h 30");
        let other_day = app.get(&format!("/api-time-entries/labour?operator_id={ann}&start_date=2026-12-02")).await;
        assert_eq!(other_day.expect(200)["data"]["labour_seconds"], 0);

        let id = first["id"].as_str().unwrap();
        let patched = app.call(reqwest::Method::PATCH, &format!("/api-time-entries?id={id}")).json(json!({"end_time": "2026-12-01T10:30:00Z"})).send().await;
        assert_eq!(patched.expect(200)["data"]["duration_seconds"], 1800);
        assert_eq!(read(&app, "operations", op1).await["actual_time_seconds"], 3600, "10:00-10:30 and 10:45-11:15");
        app.call(reqwest::Method::DELETE, &format!("/api-time-entries/{id}")).send().await.expect(200);
        assert_eq!(read(&app, "operations", op1).await["actual_time_seconds"], 1800);

        assert_eq!(entries(&app, &format!("operator_id={ann}&time_type=setup&start_date=2026-12-01&end_date=2026-12-01")).await.len(), 2);
        assert_eq!(entries(&app, &format!("operation_id={op4}")).await.len(), 1);
        assert_eq!(entries(&app, "end_date=2026-11-30").await.len(), 0);
    }

    async fn bad_time_entries_are_refused_and_change_nothing(app: TestApp) {
        let plant = plant(&app).await;
        let op = &plant.operations[0];
        let good = json!({"operation_id": op, "start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T11:00:00Z"});
        let with = |field: &str, value: Value| {
            let mut body = good.clone();
            body[field] = value;
            body
        };
        for (body, status, field) in [
            (with("end_time", json!("2026-12-01T09:00:00Z")), 422, "end_time"),
            (with("time_type", json!("lunch")), 422, "time_type"),
            (with("start_time", json!("yesterday")), 422, "start_time"),
            (with("operation_id", json!("00000000-0000-7000-8000-000000000000")), 404, "operation_id"),
            (with("operator_id", json!("00000000-0000-7000-8000-000000000000")), 404, "operator_id"),
            (with("minutes", json!(5)), 422, "minutes"),
            (with("notes", json!("x".repeat(4001))), 422, "notes"),
            (json!({"operation_id": op}), 422, "start_time"),
        ] {
            let refused = app.post("/api-time-entries", body.clone()).await;
            assert_eq!(refused.status, status, "{body}: {:?}", refused.body);
            assert_eq!(refused.error_fields(), [field], "{body}");
        }
        assert_eq!(entries(&app, "").await.len(), 0);
        let created = app.post("/api-time-entries", good).await.expect(201)["data"]["id"].as_str().unwrap().to_owned();
        let backwards = app.call(reqwest::Method::PATCH, &format!("/api-time-entries/{created}")).json(json!({"end_time": "2026-12-01T09:00:00Z"})).send().await;
        backwards.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(read(&app, "operations", op).await["actual_time_seconds"], 3600, "the refused change rolled back");
        app.get("/api-time-entries?start_date=monday").await.expect_error(422, "VALIDATION_ERROR");
        app.get("/api-time-entries/labour").await.expect_error(422, "VALIDATION_ERROR");
        app.get("/api-time-entries/labour?operator_id=00000000-0000-7000-8000-000000000000").await.expect_error(404, "NOT_FOUND");
        let other = app.key_for("globex").await;
        let foreign = app.call(reqwest::Method::GET, &format!("/api-time-entries/{created}")).key(&other).send().await;
        foreign.expect_error(404, "NOT_FOUND");
    }
}
