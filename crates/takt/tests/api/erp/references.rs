//! References between records: a parent by external id (in the child's external_source) or by
//! Takt id, a cell by name (case-insensitive, full Unicode) or by id. One that does not resolve
//! is `404 NOT_FOUND` naming the field, and writes nothing.

use serde_json::json;

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::TestApp;

backend_tests! {
    async fn each_unknown_reference_is_404_naming_its_field(app: TestApp) {
        parents(&app).await;
        let unknown = uuid::Uuid::now_v7().to_string();
        let cases = [
            ("parts", with(valid("parts"), &[("job_external_id", json!("J-404"))]), "job_external_id"),
            ("parts", with(without(valid("parts"), "job_external_id"), &[("job_id", json!(unknown))]), "job_id"),
            ("operations", with(valid("operations"), &[("part_external_id", json!("P-404"))]), "part_external_id"),
            (
                "operations",
                with(without(valid("operations"), "part_external_id"), &[("part_id", json!(unknown))]),
                "part_id",
            ),
            ("operations", with(valid("operations"), &[("cell_name", json!("Welding"))]), "cell_name"),
            ("operations", with(without(valid("operations"), "cell_name"), &[("cell_id", json!(unknown))]), "cell_id"),
        ];
        for (entity, body, field) in cases {
            let response = sync(&app, entity, body.clone()).await;
            expect_missing(&response, field);
            let message = response.body["error"]["message"].as_str().unwrap();
            assert!(message.starts_with(&format!("{field}: no ")), "{message}");
            // The same in a bulk request: that record fails, its line naming the field.
            let response = app.post(&format!("/api-{entity}/bulk-sync"), json!({ entity: [body] })).await;
            let data = &response.expect(200)["data"];
            assert_eq!(data["errors"], 1, "{data}");
            assert_eq!(data["results"][0]["action"], "error");
            assert_eq!(data["results"][0]["error"], message, "{data}");
        }
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }

    async fn the_ids_of_other_entities_do_not_resolve(app: TestApp) {
        parents(&app).await;
        let cell_id = find(&app, "cells", "C-1").await["id"].as_str().unwrap().to_owned();
        let job_id = find(&app, "jobs", "J-1").await["id"].as_str().unwrap().to_owned();
        let part_id = find(&app, "parts", "P-1").await["id"].as_str().unwrap().to_owned();
        let response =
            sync(&app, "parts", with(without(valid("parts"), "job_external_id"), &[("job_id", json!(part_id))])).await;
        expect_missing(&response, "job_id");
        let response = sync(
            &app,
            "operations",
            with(without(valid("operations"), "part_external_id"), &[("part_id", json!(job_id))]),
        )
        .await;
        expect_missing(&response, "part_id");
        let response =
            sync(&app, "operations", with(without(valid("operations"), "cell_name"), &[("cell_id", json!(part_id))]))
                .await;
        expect_missing(&response, "cell_id");
        // A part id is no cell name either, nor is a cell's external id.
        let response = sync(&app, "operations", with(valid("operations"), &[("cell_name", json!("C-1"))])).await;
        expect_missing(&response, "cell_name");
        let response = sync(&app, "operations", with(valid("operations"), &[("cell_name", json!(cell_id))])).await;
        expect_missing(&response, "cell_name");
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }

    async fn a_parent_from_another_external_source_does_not_resolve(app: TestApp) {
        cell(&app, "WC-1", "Cutting").await;
        create(&app, "jobs", json!({"external_id": "SO-1", "external_source": "Odoo", "job_number": "JOB-1"})).await;
        let response = sync(
            &app,
            "parts",
            json!({
                "external_id": "SO-1-10", "external_source": SOURCE, "job_external_id": "SO-1", "part_number": "A"
            }),
        )
        .await;
        expect_missing(&response, "job_external_id");
        let body = response.body["error"]["message"].as_str().unwrap().to_owned();
        assert!(body.contains("SO-1") && body.contains(SOURCE), "{body}");
        create(
            &app,
            "parts",
            json!({
                "external_id": "SO-1-10", "external_source": "Odoo", "job_external_id": "SO-1", "part_number": "A"
            }),
        )
        .await;
        let response = sync(
            &app,
            "operations",
            json!({
                "external_id": "SO-1-10-010", "external_source": SOURCE, "part_external_id": "SO-1-10",
                "operation_name": "Cut", "cell_name": "Cutting"
            }),
        )
        .await;
        expect_missing(&response, "part_external_id");
        assert_eq!(counts(&app).await, [1, 0, 1, 1, 0]);
        // Parent external ids are exact.
        let response = sync(
            &app,
            "parts",
            json!({
                "external_id": "SO-1-20", "external_source": "Odoo", "job_external_id": "so-1", "part_number": "B"
            }),
        )
        .await;
        expect_missing(&response, "job_external_id");
    }

    async fn cell_names_resolve_case_insensitively_in_every_script(app: TestApp) {
        job(&app, "SO-1", "JOB-1").await;
        part(&app, "SO-1-10", "SO-1").await;
        let cells = [
            ("WC-1", "Cutting", vec!["cutting", "CUTTING", "cUtTiNg"]),
            ("WC-2", "Schweißen", vec!["SCHWEIẞEN", "schweißen", "SCHWEIßEN"]),
            ("WC-3", "Ärger", vec!["ÄRGER", "ärger", "äRGER"]),
            ("WC-4", "Σίσυφος", vec!["ΣΊΣΥΦΟΣ", "σίσυφοσ"]),
        ];
        for (external_id, name, spellings) in &cells {
            let cell_id = cell(&app, external_id, name).await;
            for (n, spelling) in spellings.iter().enumerate() {
                let op = format!("{external_id}-{n}");
                let id = operation(&app, &op, "SO-1-10", spelling).await;
                let stored = read(&app, "operations", &id).await;
                assert_eq!(stored["cell_id"], cell_id.as_str(), "{spelling} names {name}");
                assert_eq!(stored["cell_name"], *name, "the cell's own spelling is shown");
            }
        }
        // Simple case folding keeps ß one letter: "SS" is another name.
        let response = sync(
            &app,
            "operations",
            json!({
                "external_id": "X", "external_source": SOURCE, "part_external_id": "SO-1-10",
                "operation_name": "Weld", "cell_name": "SCHWEISSEN"
            }),
        )
        .await;
        expect_missing(&response, "cell_name");
        // Case-insensitive is not accent-insensitive, nor does it trim.
        for near in ["Arger", "Cutting ", " Cutting"] {
            let response = sync(
                &app,
                "operations",
                json!({
                    "external_id": "X", "external_source": SOURCE, "part_external_id": "SO-1-10",
                    "operation_name": "Weld", "cell_name": near
                }),
            )
            .await;
            expect_missing(&response, "cell_name");
        }
    }

    async fn a_standalone_child_moves_to_the_parent_it_names(app: TestApp) {
        parents(&app).await;
        let second_job = job(&app, "J-2", "JOB-2").await;
        let id = create(&app, "parts", valid("parts")).await;
        update(&app, "parts", with(valid("parts"), &[("job_external_id", json!("J-2"))])).await;
        let stored = read(&app, "parts", &id).await;
        assert_eq!(
            (stored["job_id"].as_str(), stored["job_external_id"].as_str()),
            (Some(second_job.as_str()), Some("J-2"))
        );
        assert_eq!(read(&app, "jobs", &second_job).await["parts"][0]["id"], id.as_str());
    }
}
