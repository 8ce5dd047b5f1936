//! Compatibility with connectors written for the hosted reference system: the `/functions/v1`
//! prefix, and parents named by Takt id (`job_id`, `part_id`, `cell_id`).

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::TestApp;

backend_tests! {
    async fn the_functions_v1_prefix_serves_the_same_api(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let prefixed = app.put(&format!("/functions/v1/api-{entity}/sync"), valid(entity)).await;
            let created = prefixed.expect(201).clone();
            let record = entity.trim_end_matches('s');
            assert_eq!(keys(&created["data"]), ["action", "id", "external_id", record]);
            // The same record through either path.
            let plain = sync(&app, entity, valid(entity)).await;
            assert_eq!(plain.expect(200)["data"]["id"], created["data"]["id"]);
            let bulk =
                app.post(&format!("/functions/v1/api-{entity}/bulk-sync"), json!({ entity: [valid(entity)] })).await;
            assert_eq!(bulk.expect(200)["data"]["results"][0]["id"], created["data"]["id"]);
            let id = created["data"]["id"].as_str().unwrap();
            let by_path = app.get(&format!("/functions/v1/api-{entity}/{id}")).await.expect(200).clone();
            assert_eq!(by_path, app.get(&format!("/api-{entity}/{id}")).await.expect(200).clone());
            let by_query = app.get(&format!("/functions/v1/api-{entity}?id={id}")).await.expect(200).clone();
            assert_eq!(by_query, by_path);
            let listed = app.get(&format!("/functions/v1/api-{entity}?limit=1000")).await.expect(200).clone();
            assert_eq!(listed, app.get(&format!("/api-{entity}?limit=1000")).await.expect(200).clone());
        }
        // Errors and auth are the same under the prefix.
        let response =
            app.put("/functions/v1/api-jobs/sync", json!({"external_source": SOURCE, "job_number": "X"})).await;
        let body = response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(body["error"]["message"], "external_id is required for sync operations");
        let response = app.call(Method::GET, "/functions/v1/api-jobs").no_key().send().await;
        response.expect_error(401, "UNAUTHORIZED");
        app.get("/functions/v1/api-widgets").await.expect_error(404, "NOT_FOUND");
        app.get("/functions/v2/api-jobs").await.expect_error(404, "NOT_FOUND");
    }

    async fn parents_may_be_named_by_takt_id(app: TestApp) {
        let cell_id = cell(&app, "WC-1", "Cutting").await;
        let job_id = job(&app, "SO-1", "JOB-1").await;
        let part_id = create(
            &app,
            "parts",
            json!({
                "external_id": "SO-1-10", "external_source": SOURCE, "job_id": job_id, "part_number": "A"
            }),
        )
        .await;
        let stored = read(&app, "parts", &part_id).await;
        assert_eq!(
            (stored["job_id"].as_str(), stored["job_external_id"].as_str()),
            (Some(job_id.as_str()), Some("SO-1"))
        );
        let operation_id = create(
            &app,
            "operations",
            json!({
                "external_id": "SO-1-10-010", "external_source": SOURCE, "part_id": part_id, "cell_id": cell_id,
                "operation_name": "Cut"
            }),
        )
        .await;
        let stored = read(&app, "operations", &operation_id).await;
        assert_eq!(stored["part_id"], part_id.as_str());
        assert_eq!(stored["part_external_id"], "SO-1-10");
        assert_eq!(stored["cell_id"], cell_id.as_str());
        assert_eq!(stored["cell_name"], "Cutting");
        // By id, the parent may come from another external_source.
        let odoo_job =
            create(&app, "jobs", json!({"external_id": "SO-2", "external_source": "Odoo", "job_number": "JOB-2"}))
                .await;
        let part = create(
            &app,
            "parts",
            json!({
                "external_id": "SO-2-10", "external_source": SOURCE, "job_id": odoo_job, "part_number": "B"
            }),
        )
        .await;
        assert_eq!(read(&app, "parts", &part).await["job_id"], odoo_job.as_str());
    }

    async fn both_forms_must_name_the_same_record(app: TestApp) {
        let cutting = cell(&app, "WC-1", "Cutting").await;
        let bending = cell(&app, "WC-2", "Bending").await;
        let first_job = job(&app, "SO-1", "JOB-1").await;
        let second_job = job(&app, "SO-2", "JOB-2").await;
        let first_part = part(&app, "SO-1-10", "SO-1").await;
        let second_part = part(&app, "SO-2-10", "SO-2").await;

        let body = json!({"external_id": "P", "external_source": SOURCE, "job_external_id": "SO-1",
                          "job_id": second_job, "part_number": "A"});
        expect_invalid(
            &sync(&app, "parts", body).await,
            &[("job_id", "names a different job than job_external_id")],
            "job",
        );
        let body = json!({"external_id": "O", "external_source": SOURCE, "part_external_id": "SO-1-10",
                          "part_id": second_part,
                          "operation_name": "Cut", "cell_name": "Cutting"});
        expect_invalid(
            &sync(&app, "operations", body).await,
            &[("part_id", "names a different part than part_external_id")],
            "part",
        );
        let body = json!({"external_id": "O", "external_source": SOURCE, "part_external_id": "SO-1-10",
                          "operation_name": "Cut", "cell_name": "Cutting", "cell_id": bending});
        expect_invalid(
            &sync(&app, "operations", body).await,
            &[("cell_id", "names a different cell than cell_name")],
            "cell",
        );
        assert_eq!(counts(&app).await, [2, 0, 2, 2, 0]);

        // Naming the same record both ways is fine (the cell name in any case).
        let part_id = create(
            &app,
            "parts",
            json!({
                "external_id": "P", "external_source": SOURCE, "job_external_id": "SO-1", "job_id": first_job,
                "part_number": "A"
            }),
        )
        .await;
        let operation_id = create(
            &app,
            "operations",
            json!({
                "external_id": "O", "external_source": SOURCE, "part_external_id": "SO-1-10", "part_id": first_part,
                "operation_name": "Cut", "cell_name": "CUTTING", "cell_id": cutting
            }),
        )
        .await;
        assert_eq!(read(&app, "parts", &part_id).await["job_id"], first_job.as_str());
        assert_eq!(read(&app, "operations", &operation_id).await["cell_id"], cutting.as_str());

        // One form unknown: that one is reported missing.
        let unknown = uuid::Uuid::now_v7().to_string();
        let body = json!({"external_id": "P2", "external_source": SOURCE, "job_external_id": "SO-1", "job_id": unknown,
                          "part_number": "A"});
        expect_missing(&sync(&app, "parts", body).await, "job_id");
        let body = json!({"external_id": "P2", "external_source": SOURCE, "job_external_id": "SO-9",
                          "job_id": first_job, "part_number": "A"});
        expect_missing(&sync(&app, "parts", body).await, "job_external_id");
        let body = json!({"external_id": "O2", "external_source": SOURCE, "part_id": first_part,
                          "operation_name": "Cut", "cell_name": "Welding", "cell_id": cutting});
        expect_missing(&sync(&app, "operations", body).await, "cell_name");
    }

    async fn a_null_reference_falls_back_to_the_other_form(app: TestApp) {
        let cell_id = cell(&app, "WC-1", "Cutting").await;
        let job_id = job(&app, "SO-1", "JOB-1").await;
        let part_id = create(&app, "parts", json!({
            "external_id": "P", "external_source": SOURCE, "job_external_id": null, "job_id": job_id, "part_number": "A"
        })).await;
        create(
            &app,
            "operations",
            json!({
                "external_id": "O", "external_source": SOURCE, "part_external_id": null, "part_id": part_id,
                "operation_name": "Cut", "cell_name": null, "cell_id": cell_id
            }),
        )
        .await;
        let body = json!({"external_id": "P", "external_source": SOURCE, "job_external_id": null, "job_id": null,
                          "part_number": "A"});
        expect_invalid(
            &sync(&app, "parts", body).await,
            &[("job_external_id", "is required (or give job_id)")],
            "both null",
        );
    }
}
