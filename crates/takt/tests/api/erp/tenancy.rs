//! Tenant isolation in the ERP sync API: the same sync keys in two tenants are two records, and
//! nothing of one tenant can be read, listed, found or referenced by the other.

use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::{Response, TestApp};

async fn put_as(app: &TestApp, key: &str, path: &str, body: Value) -> Response {
    app.call(Method::PUT, path).key(key).json(body).send().await
}

async fn get_as(app: &TestApp, key: &str, path: &str) -> Response {
    app.call(Method::GET, path).key(key).send().await
}

/// The ids of everything [`parents`] and one valid record per entity create, by entity.
async fn world(app: &TestApp, key: &str) -> Vec<(String, String)> {
    let mut ids = Vec::new();
    let bodies = [
        ("cells", json!({"external_id": "C-1", "external_source": SOURCE, "name": "Cutting"})),
        ("jobs", json!({"external_id": "J-1", "external_source": SOURCE, "job_number": "JOB-1"})),
        (
            "parts",
            json!({"external_id": "P-1", "external_source": SOURCE, "job_external_id": "J-1", "part_number": "PN"}),
        ),
    ];
    for (entity, body) in bodies.into_iter().chain(ENTITIES.iter().map(|e| (*e, valid(e)))) {
        let response = put_as(app, key, &format!("/api-{entity}/sync"), body).await;
        let body = response.expect(201);
        assert_eq!(body["data"]["action"], "created", "{entity} is new in this tenant");
        ids.push((entity.to_owned(), id_of(body)));
    }
    ids
}

backend_tests! {
    async fn the_same_sync_keys_in_two_tenants_are_separate_records(app: TestApp) {
        let beta = app.key_for("beta").await;
        let acme_ids = world(&app, &app.key).await;
        let beta_ids = world(&app, &beta).await;
        for ((entity, acme), (_, beta)) in acme_ids.iter().zip(&beta_ids) {
            assert_ne!(acme, beta, "{entity}");
        }
        // Same cell names and job numbers are fine across tenants; each tenant lists its own.
        let (acme_cells, _) = list(&app, "cells", "").await;
        let beta_cells = get_as(&app, &beta, "/api-cells").await.expect(200)["data"]["cells"].clone();
        assert_eq!(column(&acme_cells, "name"), ["Cutting", "Welding"]);
        assert_eq!(column(beta_cells.as_array().unwrap(), "name"), ["Cutting", "Welding"]);
        assert_ne!(column(&acme_cells, "id"), column(beta_cells.as_array().unwrap(), "id"));
        // A re-sync in one tenant updates that tenant's record only.
        let response =
            put_as(&app, &beta, "/api-jobs/sync", with(valid("jobs"), &[("customer", json!("Beta Corp"))])).await;
        let beta_job = &beta_ids.iter().rev().find(|(e, _)| e == "jobs").unwrap().1;
        assert_eq!(response.expect(200)["data"]["id"], beta_job.as_str());
        assert_eq!(find(&app, "jobs", "J-NEW").await["customer"], "Acme Corp");
        assert_eq!(counts(&app).await, [2, 1, 2, 2, 1]);
    }

    async fn another_tenants_records_are_never_read_or_listed(app: TestApp) {
        let beta = app.key_for("beta").await;
        let beta_ids = world(&app, &beta).await;
        assert_eq!(counts(&app).await, [0; 5], "acme sees none of beta's records");
        for (entity, id) in &beta_ids {
            app.get(&format!("/api-{entity}/{id}")).await.expect_error(404, "NOT_FOUND");
            app.get(&format!("/api-{entity}?id={id}")).await.expect_error(404, "NOT_FOUND");
            app.get(&format!("/functions/v1/api-{entity}/{id}")).await.expect_error(404, "NOT_FOUND");
            // Beta itself reads them.
            get_as(&app, &beta, &format!("/api-{entity}/{id}")).await.expect(200);
            for query in ["?external_id=C-1", "?external_source=SAP", "?search=c"] {
                let (records, pagination) = list(&app, entity, query).await;
                assert_eq!((records.len(), pagination["total"].as_i64()), (0, Some(0)), "{entity}{query}");
            }
        }
        let job = &beta_ids.iter().find(|(e, _)| e == "jobs").unwrap().1;
        let part = &beta_ids.iter().find(|(e, _)| e == "parts").unwrap().1;
        let cell = &beta_ids.iter().find(|(e, _)| e == "cells").unwrap().1;
        assert_eq!(list(&app, "parts", &format!("?job_id={job}")).await.0, Vec::<Value>::new());
        assert_eq!(list(&app, "operations", &format!("?part_id={part}")).await.0, Vec::<Value>::new());
        assert_eq!(list(&app, "operations", &format!("?cell_id={cell}")).await.0, Vec::<Value>::new());
        // And beta's job, read by beta, shows only beta's parts.
        let beta_job = get_as(&app, &beta, &format!("/api-jobs/{job}")).await.expect(200)["data"].clone();
        assert_eq!(beta_job["parts"].as_array().unwrap().len(), 2);
    }

    async fn another_tenants_records_cannot_be_referenced(app: TestApp) {
        let beta = app.key_for("beta").await;
        let beta_ids = world(&app, &beta).await;
        let id_of_beta = |entity: &str| beta_ids.iter().find(|(e, _)| e == entity).unwrap().1.clone();
        // Acme has a job, a part and a cell of its own under other names.
        cell(&app, "A-C", "Bending").await;
        job(&app, "A-J", "A-JOB").await;
        part(&app, "A-P", "A-J").await;
        let cases = [
            (
                "parts",
                json!({"external_id": "X", "external_source": SOURCE, "job_external_id": "J-1", "part_number": "A"}),
                "job_external_id",
            ),
            (
                "parts",
                json!({"external_id": "X", "external_source": SOURCE,
                       "job_id": id_of_beta("jobs"), "part_number": "A"}),
                "job_id",
            ),
            (
                "operations",
                json!({"external_id": "X", "external_source": SOURCE,
                       "part_external_id": "P-1", "operation_name": "Cut", "cell_name": "Bending"}),
                "part_external_id",
            ),
            (
                "operations",
                json!({"external_id": "X", "external_source": SOURCE,
                       "part_id": id_of_beta("parts"), "operation_name": "Cut", "cell_name": "Bending"}),
                "part_id",
            ),
            (
                "operations",
                json!({"external_id": "X", "external_source": SOURCE,
                       "part_external_id": "A-P", "operation_name": "Cut", "cell_name": "Cutting"}),
                "cell_name",
            ),
            (
                "operations",
                json!({"external_id": "X", "external_source": SOURCE,
                       "part_external_id": "A-P", "operation_name": "Cut", "cell_id": id_of_beta("cells")}),
                "cell_id",
            ),
        ];
        for (entity, body, field) in cases {
            expect_missing(&sync(&app, entity, body.clone()).await, field);
            let bulk = app.post(&format!("/api-{entity}/bulk-sync"), json!({"items": [body]})).await;
            assert_eq!(bulk.expect(200)["data"]["errors"], 1);
        }
        // A nested job cannot reach another tenant's cell either.
        let nested = json!({"external_id": "A-J2", "external_source": SOURCE, "job_number": "A-JOB-2", "parts": [
            {"external_id": "A-P2", "part_number": "A", "operations": [
                {"external_id": "A-O2", "operation_name": "Cut", "cell_id": id_of_beta("cells")}
            ]}
        ]});
        expect_missing(&sync(&app, "jobs", nested).await, "parts[0].operations[0].cell_id");
        assert_eq!(counts(&app).await, [1, 0, 1, 1, 0]);
        // Beta's records are untouched.
        let beta_part =
            get_as(&app, &beta, &format!("/api-parts/{}", id_of_beta("parts"))).await.expect(200)["data"].clone();
        assert_eq!(beta_part["operations"].as_array().unwrap().len(), 1);
    }
}
