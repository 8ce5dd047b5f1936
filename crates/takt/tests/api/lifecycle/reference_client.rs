//! What a client written for the reference system does, end to end, against Takt: list cells,
//! bulk-sync jobs under `items` with `status`, parts by `job_id` and operations by
//! `part_id`/`cell_id` with `estimated_time`, re-sync and read `results.updated`, create a job
//! with `POST`, run the job's and an operation's lifecycle (refused moves included), report an
//! issue and a substep, register a webhook, preflight from the browser, delete by `?id=`.

use reqwest::Method;
use serde_json::{Value, json};

use super::fixtures::{job_action, operation_action, status};
use crate::backend_tests;
use crate::support::{Backend, TestApp, test_config};

const ORIGIN: &str = "https://terminal.plant.example";

fn ids(answer: &Value, list: &str) -> Vec<String> {
    answer["data"][list].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

backend_tests! {
    async fn a_reference_client_runs_its_whole_day_against_takt(backend: Backend) {
        let config = takt_http::Config { cors_origins: vec![ORIGIN.to_owned()], ..test_config() };
        let app = TestApp::spawn_with(backend, config).await;
        let cells = json!({"items": [
            {"external_id": "WC-1", "external_source": "ERP", "name": "Laser"},
            {"external_id": "WC-2", "external_source": "ERP", "name": "Press", "wip_limit": 2}
        ]});
        app.post("/api-cells/bulk-sync", cells).await.expect(200);
        let listed = app.get("/api-cells?limit=10").await;
        let cell_ids = ids(listed.expect(200), "cells");
        assert_eq!(cell_ids.len(), 2);

        let jobs = json!({"items": [
            {"external_id": "SO-1", "external_source": "ERP", "job_number": "SO-1", "customer": "Acme", "status": "not_started"},
            {"external_id": "SO-2", "external_source": "ERP", "job_number": "SO-2", "status": "NOT_STARTED"}
        ]});
        let created = app.post("/api-jobs/bulk-sync", jobs.clone()).await;
        assert_eq!(created.expect(200)["data"]["results"]["created"], 2);
        let job_id = ids(app.get("/api-jobs?external_id=SO-1").await.expect(200), "jobs").remove(0);
        let parts = json!({"items": [{"external_id": "SO-1-10", "external_source": "ERP", "job_id": job_id, "part_number": "P-10", "quantity": 25}]});
        app.post("/api-parts/bulk-sync", parts).await.expect(200);
        let part_id = ids(app.get("/api-parts?external_id=SO-1-10").await.expect(200), "parts").remove(0);
        let operations = json!({"items": [
            {"external_id": "SO-1-10-1", "external_source": "ERP", "part_id": part_id, "cell_id": cell_ids[0], "operation_name": "Cut", "sequence": 1, "estimated_time": 30},
            {"external_id": "SO-1-10-2", "external_source": "ERP", "part_id": part_id, "cell_id": cell_ids[1], "operation_name": "Bend", "sequence": 2, "estimated_time": 15}
        ]});
        app.post("/api-operations/bulk-sync", operations).await.expect(200);
        let again = app.post("/api-jobs/bulk-sync", jobs).await;
        let results = &again.expect(200)["data"]["results"];
        assert_eq!((&results["created"], &results["updated"], &results["failed"]), (&json!(0), &json!(2), &json!(0)));

        let made = app.post("/api-jobs", json!({"job_number": "WALK-IN-1", "customer": "Counter sale",
            "parts": [{"part_number": "BRACKET", "quantity": 2, "operations": [{"operation_name": "Cut", "cell_id": cell_ids[0]}]}]})).await;
        let made = made.expect(201)["data"].clone();
        assert_eq!(crate::erp::fixtures::keys(&made)[0], "id");
        let walk_in = made["id"].as_str().unwrap().to_owned();

        job_action(&app, "start", &job_id).await.expect(200);
        job_action(&app, "start", &job_id).await.expect_error(400, "INVALID_STATE_TRANSITION");
        job_action(&app, "stop", &job_id).await.expect(200);
        job_action(&app, "resume", &job_id).await.expect(200);
        let cut = ids(app.get("/api-operations?external_id=SO-1-10-1").await.expect(200), "operations").remove(0);
        operation_action(&app, "pause", &format!("id={cut}"), None).await.expect_error(400, "INVALID_STATE_TRANSITION");
        operation_action(&app, "start", &format!("id={cut}"), None).await.expect(200);
        let issue = json!({"operation_id": cut, "title": "Burr on edge", "severity": "LOW"});
        app.post("/api-issues", issue).await.expect(201);
        let substep = json!({"operation_id": cut, "description": "Deburr", "sequence": 1});
        app.post("/api-substeps", substep).await.expect(201);
        operation_action(&app, "complete", &format!("id={cut}"), Some(json!({"good": 24, "scrap": 1}))).await.expect(200);
        assert_eq!(status(&app, "parts", &part_id).await, "in_progress", "the bend is still to do");
        let hook = json!({"url": "https://erp.example.com/hook", "events": ["operation.*"]});
        app.post("/api-webhooks", hook).await.expect(201);

        let preflight = app.call(Method::OPTIONS, "/api-operation-lifecycle/start").no_key()
            .header("origin", ORIGIN).header("access-control-request-method", "POST").send().await;
        assert_eq!(preflight.status, 200);
        assert_eq!(preflight.header("access-control-allow-origin"), Some(ORIGIN));

        app.call(Method::DELETE, &format!("/api-jobs?id={walk_in}")).send().await.expect(200);
        app.get(&format!("/api-jobs/{walk_in}")).await.expect_error(404, "NOT_FOUND");
    }
}
