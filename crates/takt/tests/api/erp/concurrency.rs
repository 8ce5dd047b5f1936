//! Concurrent syncs: outcomes only (never timings). One new sync key synced by 16 requests at
//! once is one record, created once; overlapping bulk requests all succeed and leave consistent
//! data.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::{Response, TestApp};

const N: usize = 16;

/// Sends `N` copies of one sync at once.
async fn at_once(app: &TestApp, entity: &str, body: Value) -> Vec<Response> {
    let path = format!("/api-{entity}/sync");
    join_all((0..N).map(|_| app.put(&path, body.clone()))).await
}

/// Asserts one `201 created` and the rest `200 updated`, all with the same id; that id.
fn one_created(responses: &[Response]) -> String {
    for response in responses {
        assert!(response.status == 200 || response.status == 201, "{} {}", response.status, response.body);
    }
    let created: Vec<&Response> = responses.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 1, "exactly one request created the record");
    assert_eq!(created[0].body["data"]["action"], "created");
    let id = id_of(&created[0].body);
    for response in responses.iter().filter(|r| r.status == 200) {
        assert_eq!(response.body["data"]["action"], "updated");
        assert_eq!(id_of(&response.body), id);
    }
    id
}

backend_tests! {
    async fn sixteen_syncs_of_one_new_record_create_it_once(app: TestApp) {
        parents(&app).await;
        // Several rounds: the race this guards against (a second insert meeting the first one's
        // cell name or job number before its sync key) does not show every time.
        for round in 0..5 {
            for entity in ENTITIES {
                let body = numbered(entity, round);
                let responses = at_once(&app, entity, body.clone()).await;
                let id = one_created(&responses);
                let external_id = body["external_id"].as_str().unwrap();
                let (records, _) = list(&app, entity, &format!("?external_id={external_id}")).await;
                assert_eq!(column(&records, "id"), [id.as_str()], "{entity}: one record");
            }
        }
    }

    async fn sixteen_syncs_of_one_new_nested_job_create_it_once(app: TestApp) {
        cell(&app, "WC-1", "Cutting").await;
        let job = json!({
            "external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-1",
            "parts": [
                {"external_id": "SO-1-10", "part_number": "A", "operations": [
                    {"external_id": "SO-1-10-010", "operation_name": "Cut", "cell_name": "cutting"},
                    {"external_id": "SO-1-10-020", "operation_name": "Cut again", "cell_name": "CUTTING"}
                ]},
                {"external_id": "SO-1-20", "part_number": "B"}
            ]
        });
        let responses = at_once(&app, "jobs", job).await;
        let id = one_created(&responses);
        assert_eq!(counts(&app).await, [1, 0, 1, 2, 2]);
        let stored = read(&app, "jobs", &id).await;
        assert_eq!(stored["parts"][0]["operations"].as_array().unwrap().len(), 2);
    }

    async fn sixteen_syncs_of_distinct_records_with_one_name_let_one_win(app: TestApp) {
        // Different sync keys, one cell name: one is created, the others are conflicts.
        let responses = join_all((0..N).map(|n| {
            app.put(
                "/api-cells/sync",
                json!({"external_id": format!("WC-{n}"), "external_source": SOURCE, "name": "Cutting"}),
            )
        }))
        .await;
        let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), N - 1, "{statuses:?}");
        assert_eq!(count(&app, "cells").await, 1);
    }

    async fn overlapping_bulk_requests_all_succeed_and_agree(app: TestApp) {
        cell(&app, "WC-1", "Cutting").await;
        // Request r carries jobs r..r+8 (of 23), every one with a customer naming the request,
        // half of the requests in reverse order.
        let requests: Vec<Value> = (0..N)
            .map(|r| {
                let mut jobs: Vec<Value> = (r..r + 8)
                    .map(|n| json!({
                        "external_id": format!("SO-{n}"), "external_source": SOURCE, "job_number": format!("JOB-{n}"),
                        "customer": format!("request {r}"),
                        "parts": [{"external_id": format!("SO-{n}-10"), "part_number": "A", "operations": [
                            {"external_id": format!("SO-{n}-10-010"), "operation_name": "Cut", "cell_name": "Cutting"}
                        ]}]
                    }))
                    .collect();
                if r % 2 == 1 {
                    jobs.reverse();
                }
                json!({"jobs": jobs})
            })
            .collect();
        let responses = join_all(requests.iter().map(|body| app.post("/api-jobs/bulk-sync", body.clone()))).await;
        let mut ids = std::collections::HashMap::new();
        let mut created = 0;
        for response in &responses {
            let data = &response.expect(200)["data"];
            assert_eq!((data["total"].as_i64(), data["errors"].as_i64()), (Some(8), Some(0)), "{data}");
            created += data["created"].as_i64().unwrap();
            for line in data["results"].as_array().unwrap() {
                let previous = ids.insert(line["external_id"].as_str().unwrap().to_owned(), line["id"].clone());
                if let Some(previous) = previous {
                    assert_eq!(previous, line["id"], "one id per sync key");
                }
            }
        }
        let distinct = N + 7;
        assert_eq!(created, distinct as i64, "each job was created by exactly one request");
        assert_eq!(counts(&app).await, [1, 0, distinct as i64, distinct as i64, distinct as i64]);
        for job in all(&app, "jobs").await {
            assert_eq!(ids[job["external_id"].as_str().unwrap()], job["id"]);
            // Its customer is that of one of the requests that carried it.
            let n: usize = job["external_id"].as_str().unwrap()[3..].parse().unwrap();
            let customer = job["customer"].as_str().unwrap();
            let r: usize = customer["request ".len()..].parse().unwrap();
            assert!(r <= n && n < r + 8, "job {n} has the customer of request {r}, which did not carry it");
            let full = read(&app, "jobs", job["id"].as_str().unwrap()).await;
            assert_eq!(full["parts"].as_array().unwrap().len(), 1);
            assert_eq!(full["parts"][0]["operations"].as_array().unwrap().len(), 1);
        }
    }
}
