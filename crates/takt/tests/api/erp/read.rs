//! Reading back: `GET /api-{entity}` with filters, search and pages; `GET /api-{entity}/{id}`
//! and `?id=`.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::TestApp;

/// A job with its parts and operations, the operations synced out of routing order.
async fn routed_job(app: &TestApp) -> String {
    cell(app, "WC-1", "Cutting").await;
    cell(app, "WC-2", "Bending").await;
    create(
        app,
        "jobs",
        json!({
            "external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-1",
            "parts": [
                {"external_id": "SO-1-10", "part_number": "A", "operations": [
                    {"external_id": "OP-C", "operation_name": "Third", "cell_name": "Cutting", "sequence": 30},
                    {"external_id": "OP-N", "operation_name": "Unsequenced", "cell_name": "Cutting"},
                    {"external_id": "OP-A", "operation_name": "First", "cell_name": "Bending", "sequence": 10},
                    {"external_id": "OP-B", "operation_name": "Second", "cell_name": "Cutting", "sequence": 20}
                ]},
                {"external_id": "SO-1-20", "part_number": "B", "operations": [
                    {"external_id": "OP-Z", "operation_name": "Only", "cell_name": "Bending", "sequence": 0}
                ]},
                {"external_id": "SO-1-30", "part_number": "C"}
            ]
        }),
    )
    .await
}

async fn job_numbers(app: &TestApp, query: &str) -> Vec<String> {
    column(&list(app, "jobs", query).await.0, "job_number").iter().map(|s| s.to_string()).collect()
}

backend_tests! {
    async fn a_job_reads_with_its_parts_and_their_operations_in_routing_order(app: TestApp) {
        let id = routed_job(&app).await;
        let job = read(&app, "jobs", &id).await;
        assert_eq!(
            keys(&job),
            [
                "id",
                "external_id",
                "external_source",
                "job_number",
                "customer",
                "due_date",
                "priority",
                "notes",
                "metadata",
                "status",
                "created_at",
                "updated_at",
                "parts"
            ]
        );
        let parts = job["parts"].as_array().unwrap();
        assert_eq!(column(parts, "external_id"), ["SO-1-10", "SO-1-20", "SO-1-30"], "parts in creation order");
        assert_eq!(
            keys(&parts[0]),
            [
                "id",
                "job_id",
                "job_external_id",
                "external_id",
                "external_source",
                "part_number",
                "material",
                "quantity",
                "notes",
                "is_bullet_card",
                "drawing_no",
                "cnc_program_name",
                "status",
                "created_at",
                "updated_at",
                "operations"
            ]
        );
        let operations = parts[0]["operations"].as_array().unwrap();
        assert_eq!(column(operations, "operation_name"), ["First", "Second", "Third", "Unsequenced"]);
        assert_eq!(column(operations, "cell_name"), ["Bending", "Cutting", "Cutting", "Cutting"]);
        assert_eq!(
            keys(&operations[0]),
            [
                "id",
                "part_id",
                "part_external_id",
                "cell_id",
                "cell_name",
                "external_id",
                "external_source",
                "operation_name",
                "sequence",
                "estimated_time_minutes",
                "estimated_time",
                "notes",
                "completion_percentage",
                "assigned_operator_id",
                "planned_start",
                "planned_end",
                "status",
                "quantity_good",
                "quantity_scrap",
                "quantity_rework",
                "actual_time_seconds",
                "created_at",
                "updated_at"
            ]
        );
        assert_eq!(column(parts[1]["operations"].as_array().unwrap(), "external_id"), ["OP-Z"]);
        assert_eq!(parts[2]["operations"], json!([]));

        // A part reads with its operations, in the same order.
        let part = read(&app, "parts", parts[0]["id"].as_str().unwrap()).await;
        assert_eq!(part, parts[0]);
        // A list shows records without their children.
        let (jobs, _) = list(&app, "jobs", "").await;
        assert_eq!(keys(&jobs[0]), &keys(&job)[..12]);
        let (listed, _) = list(&app, "parts", "").await;
        assert!(listed.iter().all(|p| p.get("operations").is_none()), "{listed:?}");
        // A cell, a resource and an operation read as they list.
        for entity in ["cells", "operations"] {
            for record in all(&app, entity).await {
                assert_eq!(read(&app, entity, record["id"].as_str().unwrap()).await, record);
            }
        }
        let resource = create(&app, "resources", valid("resources")).await;
        let stored = read(&app, "resources", &resource).await;
        assert_eq!(
            keys(&stored),
            [
                "id",
                "external_id",
                "external_source",
                "name",
                "type",
                "description",
                "identifier",
                "location",
                "status",
                "created_at",
                "updated_at"
            ]
        );
        let cell = &all(&app, "cells").await[0];
        assert_eq!(
            keys(cell),
            [
                "id",
                "external_id",
                "external_source",
                "name",
                "color",
                "sequence",
                "active",
                "wip_limit",
                "enforce_sequence",
                "capacity_hours_per_day",
                "created_at",
                "updated_at"
            ]
        );
    }

    async fn the_id_parameter_reads_like_the_path(app: TestApp) {
        let id = routed_job(&app).await;
        let by_path = app.get(&format!("/api-jobs/{id}")).await.expect(200).clone();
        let by_query = app.get(&format!("/api-jobs?id={id}")).await.expect(200).clone();
        assert_eq!(by_path, by_query);
        assert_eq!(by_path["success"], true);
        assert_eq!(by_path["data"]["id"], id.as_str());
        let part = &by_path["data"]["parts"][0];
        let by_query = app.get(&format!("/api-parts?id={}", part["id"].as_str().unwrap())).await;
        assert_eq!(&by_query.expect(200)["data"], part);
        // With any other parameter, `id` is refused.
        let response = app.get(&format!("/api-jobs?id={id}&limit=5")).await;
        expect_invalid_fields(&response, &["id"], "id with limit");
    }

    async fn unknown_or_malformed_ids_are_404(app: TestApp) {
        let job_id = routed_job(&app).await;
        let unknown = uuid::Uuid::now_v7().to_string();
        for entity in ENTITIES {
            for id in [unknown.as_str(), "not-a-uuid", "123", "%00", "SO-1"] {
                app.get(&format!("/api-{entity}/{id}")).await.expect_error(404, "NOT_FOUND");
                app.get(&format!("/api-{entity}?id={id}")).await.expect_error(404, "NOT_FOUND");
            }
            app.get(&format!("/api-{entity}?id=")).await.expect_error(404, "NOT_FOUND");
        }
        // An id of another entity is not found either.
        for entity in ["cells", "resources", "parts", "operations"] {
            app.get(&format!("/api-{entity}/{job_id}")).await.expect_error(404, "NOT_FOUND");
        }
        // The id in another spelling of the same UUID still reads.
        let upper = job_id.to_uppercase();
        assert_eq!(read(&app, "jobs", &upper).await["id"], job_id.as_str());
    }

    async fn lists_have_the_documented_shape(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            let body = app.get(&format!("/api-{entity}")).await.expect(200).clone();
            assert_eq!(keys(&body), ["success", "data"]);
            assert_eq!(keys(&body["data"]), [entity, "pagination"]);
            let total = PARENT_COUNTS[ENTITIES.iter().position(|e| *e == entity).unwrap()];
            assert_eq!(body["data"]["pagination"], json!({"total": total, "offset": 0, "limit": 100}));
        }
    }

    async fn pages_are_stable_and_counted(app: TestApp) {
        let records: Vec<Value> = (0..250).map(|n| numbered("resources", n)).collect();
        app.post("/api-resources/bulk-sync", json!({"resources": records})).await.expect(200);
        let (everything, pagination) = list(&app, "resources", "?limit=1000").await;
        assert_eq!(pagination, json!({"total": 250, "offset": 0, "limit": 1000}));
        let expected: Vec<String> = (0..250).map(|n| format!("resources-{n}")).collect();
        assert_eq!(column(&everything, "external_id"), expected, "creation order");
        let (first, pagination) = list(&app, "resources", "").await;
        assert_eq!(first.len(), 100, "the default limit");
        assert_eq!(pagination, json!({"total": 250, "offset": 0, "limit": 100}));
        let mut paged = Vec::new();
        for offset in (0..260).step_by(30) {
            let (page, pagination) = list(&app, "resources", &format!("?limit=30&offset={offset}")).await;
            assert_eq!(pagination, json!({"total": 250, "offset": offset, "limit": 30}));
            assert_eq!(page.len(), 30.min(250usize.saturating_sub(offset)));
            paged.extend(page);
        }
        assert_eq!(paged, everything, "pages in a stable order, without gaps or repeats");
        // Updating records does not move them.
        app.post(
            "/api-resources/bulk-sync",
            json!({"resources": [numbered("resources", 3), numbered("resources", 0)]}),
        )
        .await
        .expect(200);
        let (again, _) = list(&app, "resources", "?limit=1000").await;
        assert_eq!(column(&again, "id"), column(&everything, "id"));
        let (beyond, pagination) = list(&app, "resources", "?offset=1000").await;
        assert_eq!((beyond.len(), pagination["total"].as_i64()), (0, Some(250)));
        let (one, _) = list(&app, "resources", "?limit=1&offset=249").await;
        assert_eq!(column(&one, "external_id"), ["resources-249"]);
    }

    async fn filters_select_exactly(app: TestApp) {
        let id = routed_job(&app).await;
        create(&app, "jobs", json!({"external_id": "SO-10", "external_source": SOURCE, "job_number": "JOB-10"})).await;
        create(&app, "jobs", json!({"external_id": "SO-1", "external_source": "Odoo", "job_number": "JOB-O"})).await;
        let q = |query: &'static str| job_numbers(&app, query);
        assert_eq!(q("?external_source=SAP").await, ["JOB-1", "JOB-10"]);
        assert_eq!(q("?external_source=sap").await, Vec::<String>::new(), "external_source is exact");
        assert_eq!(q("?external_id=SO-1").await, ["JOB-1", "JOB-O"], "external_id is exact, not a prefix");
        assert_eq!(q("?external_id=SO-1&external_source=Odoo").await, ["JOB-O"]);
        assert_eq!(q("?status=not_started").await, ["JOB-1", "JOB-10", "JOB-O"]);
        assert_eq!(q("?status=completed").await, Vec::<String>::new());
        assert_eq!(q("?status=NOT_STARTED").await, ["JOB-1", "JOB-10", "JOB-O"], "in any case (rule 5)");
        let (_, pagination) = list(&app, "jobs", "?external_source=SAP&limit=1").await;
        assert_eq!(pagination["total"], 2, "the total counts the filtered records");

        let job = read(&app, "jobs", &id).await;
        let part_a = job["parts"][0]["id"].as_str().unwrap();
        let (parts, _) = list(&app, "parts", &format!("?job_id={id}")).await;
        assert_eq!(column(&parts, "external_id"), ["SO-1-10", "SO-1-20", "SO-1-30"]);
        let other_job = find(&app, "jobs", "SO-10").await["id"].as_str().unwrap().to_owned();
        assert_eq!(list(&app, "parts", &format!("?job_id={other_job}")).await.0, Vec::<Value>::new());
        let (operations, _) = list(&app, "operations", &format!("?part_id={part_a}")).await;
        assert_eq!(column(&operations, "external_id"), ["OP-C", "OP-N", "OP-A", "OP-B"], "lists are in creation order");
        let bending = find(&app, "cells", "WC-2").await["id"].as_str().unwrap().to_owned();
        let (operations, _) = list(&app, "operations", &format!("?cell_id={bending}")).await;
        assert_eq!(column(&operations, "external_id"), ["OP-A", "OP-Z"]);
        let (operations, _) = list(&app, "operations", &format!("?cell_id={bending}&part_id={part_a}")).await;
        assert_eq!(column(&operations, "external_id"), ["OP-A"]);

        let resources = [("R-1", "available"), ("R-2", "in_use"), ("R-3", "maintenance"), ("R-4", "in_use")];
        for (external_id, status) in resources {
            create(
                &app,
                "resources",
                with(valid("resources"), &[("external_id", json!(external_id)), ("status", json!(status))]),
            )
            .await;
        }
        create(&app, "resources", without(with(valid("resources"), &[("external_id", json!("R-5"))]), "status")).await;
        let (in_use, _) = list(&app, "resources", "?status=in_use").await;
        assert_eq!(column(&in_use, "external_id"), ["R-2", "R-4"]);
    }

    async fn search_is_a_case_insensitive_substring_in_every_script(app: TestApp) {
        cell(&app, "WC-1", "Ärger-Zelle").await;
        cell(&app, "WC-2", "Schweißen").await;
        cell(&app, "WC-3", "100% Cutting_Line").await;
        cell(&app, "WC-4", "1000 Cutting Line").await;
        let names = |records: Vec<Value>| column(&records, "name").iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for (search, expected) in [
            ("%C3%84RGER", vec!["Ärger-Zelle"]),
            ("%C3%A4rger", vec!["Ärger-Zelle"]),
            ("zelle", vec!["Ärger-Zelle"]),
            ("SCHWEI%E1%BA%9EEN", vec!["Schweißen"]),
            ("cutting", vec!["100% Cutting_Line", "1000 Cutting Line"]),
            ("100%25", vec!["100% Cutting_Line"]),
            ("g_l", vec!["100% Cutting_Line"]),
            ("0%25%20c", vec!["100% Cutting_Line"]),
            ("%25", vec!["100% Cutting_Line"]),
            ("_", vec!["100% Cutting_Line"]),
            ("-", vec!["Ärger-Zelle"]),
            ("arger", vec![]),
            ("", vec!["Ärger-Zelle", "Schweißen", "100% Cutting_Line", "1000 Cutting Line"]),
        ] {
            let (records, pagination) = list(&app, "cells", &format!("?search={search}")).await;
            assert_eq!(names(records), expected, "search={search}");
            assert_eq!(pagination["total"], expected.len(), "search={search}");
        }

        // Jobs by number or customer; resources by name or identifier; parts by number; operations by name.
        let job = json!({"external_id": "SO-1", "external_source": SOURCE, "job_number": "JOB-ÉTÉ",
                         "customer": "Müller GmbH"});
        create(&app, "jobs", job).await;
        create(
            &app,
            "jobs",
            json!({"external_id": "SO-2", "external_source": SOURCE, "job_number": "JOB-2", "customer": "MÜLLERS"}),
        )
        .await;
        create(&app, "jobs", json!({"external_id": "SO-3", "external_source": SOURCE, "job_number": "JOB-3"})).await;
        assert_eq!(column(&list(&app, "jobs", "?search=m%C3%BCller").await.0, "external_id"), ["SO-1", "SO-2"]);
        assert_eq!(column(&list(&app, "jobs", "?search=%C3%A9t%C3%A9").await.0, "external_id"), ["SO-1"]);
        assert_eq!(column(&list(&app, "jobs", "?search=job-3").await.0, "external_id"), ["SO-3"]);
        create(
            &app,
            "resources",
            with(
                valid("resources"),
                &[("external_id", json!("R-1")), ("name", json!("Fräse")), ("identifier", json!("MILL-001"))],
            ),
        )
        .await;
        create(
            &app,
            "resources",
            with(
                valid("resources"),
                &[("external_id", json!("R-2")), ("name", json!("Lathe")), ("identifier", json!("FRÄ-9"))],
            ),
        )
        .await;
        assert_eq!(column(&list(&app, "resources", "?search=FR%C3%84").await.0, "external_id"), ["R-1", "R-2"]);
        assert_eq!(column(&list(&app, "resources", "?search=mill").await.0, "external_id"), ["R-1"]);
        assert_eq!(list(&app, "resources", "?search=Bay").await.0.len(), 0, "location is not searched");
        let part = json!({"external_id": "P-1", "external_source": SOURCE, "job_external_id": "SO-1",
                          "part_number": "Größe-XL", "material": "Steel"});
        create(&app, "parts", part).await;
        assert_eq!(column(&list(&app, "parts", "?search=GR%C3%96SSE").await.0, "external_id"), Vec::<&str>::new());
        assert_eq!(column(&list(&app, "parts", "?search=GR%C3%96%C3%9FE").await.0, "external_id"), ["P-1"]);
        assert_eq!(list(&app, "parts", "?search=steel").await.0.len(), 0, "material is not searched");
        let operation = json!({"external_id": "O-1", "external_source": SOURCE, "part_external_id": "P-1",
                               "operation_name": "Biegen 90°", "cell_name": "ärger-zelle"});
        create(&app, "operations", operation).await;
        assert_eq!(column(&list(&app, "operations", "?search=BIEGEN").await.0, "external_id"), ["O-1"]);
        assert_eq!(list(&app, "operations", "?search=zelle").await.0.len(), 0, "the cell name is not searched");
    }

    async fn bad_list_parameters_are_422(app: TestApp) {
        parents(&app).await;
        let cases: Vec<(&str, &str, Vec<&str>)> = vec![
            ("cells", "?colour=red", vec!["colour"]),
            ("cells", "?status=available", vec!["status"]),
            ("cells", "?job_id=x", vec!["job_id"]),
            ("jobs", "?part_id=x", vec!["part_id"]),
            ("jobs", "?Status=not_started", vec!["Status"]),
            ("jobs", "?status=started", vec!["status"]),
            ("resources", "?status=not_started", vec!["status"]),
            ("parts", "?job_id=J-1", vec!["job_id"]),
            ("parts", "?cell_id=x", vec!["cell_id"]),
            ("operations", "?part_id=P-1", vec!["part_id"]),
            ("operations", "?cell_id=Cutting", vec!["cell_id"]),
            ("operations", "?job_id=x", vec!["job_id"]),
            ("jobs", "?limit=0", vec!["limit"]),
            ("jobs", "?limit=1001", vec!["limit"]),
            ("jobs", "?limit=-1", vec!["limit"]),
            ("jobs", "?limit=ten", vec!["limit"]),
            ("jobs", "?limit=", vec!["limit"]),
            ("jobs", "?limit=1.5", vec!["limit"]),
            ("jobs", "?offset=-1", vec!["offset"]),
            ("jobs", "?offset=x", vec!["offset"]),
            ("jobs", "?offset=99999999999999999999", vec!["offset"]),
            ("jobs", "?limit=5&limit=6", vec!["limit"]),
            ("jobs", "?search=a&search=b", vec!["search"]),
            ("jobs", "?limit=0&offset=-1&sort=id", vec!["limit", "offset", "sort"]),
        ];
        for (entity, query, fields) in cases {
            let response = app.get(&format!("/api-{entity}{query}")).await;
            expect_invalid_fields(&response, &fields, &format!("GET /api-{entity}{query}"));
        }
        // The bounds are fine.
        assert_eq!(list(&app, "jobs", "?limit=1000").await.1["limit"], 1000);
        assert_eq!(list(&app, "jobs", "?limit=1&offset=0").await.1["limit"], 1);
    }

    async fn nul_characters_in_list_parameters_are_refused(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            for parameter in ["search", "external_id", "external_source"] {
                let response = app.get(&format!("/api-{entity}?{parameter}=a%00b")).await;
                expect_invalid_fields(&response, &[parameter], &format!("{entity} {parameter} with NUL"));
            }
        }
        // The server is still well.
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }
}
