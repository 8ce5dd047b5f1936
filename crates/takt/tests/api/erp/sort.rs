//! List filters and sort (SPEC section 7, "Records without an ERP"): jobs by customer and job
//! number (substrings, case-insensitive), parts by status and material, operations by status,
//! cells by active, resources by type and status; `sort` and `order`.

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::TestApp;

async fn numbers(app: &TestApp, query: &str) -> Vec<String> {
    column(&list(app, "jobs", query).await.0, "job_number").iter().map(|s| s.to_string()).collect()
}

async fn jobs(app: &TestApp) {
    for (n, (number, customer, due, priority)) in [
        ("SO-100", Some("Ärger GmbH"), Some("2026-12-10"), Some(1)),
        ("so-200", Some("Acme"), None, Some(5)),
        ("SO-300", None, Some("2026-12-05"), None),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({"external_id": format!("J-{n}"), "external_source": SOURCE, "job_number": number,
                          "customer": customer, "due_date": due, "priority": priority});
        create(app, "jobs", body).await;
    }
}

backend_tests! {
    async fn jobs_filter_by_customer_and_number_substrings_in_any_case(app: TestApp) {
        jobs(&app).await;
        assert_eq!(numbers(&app, "?customer=ärger").await, ["SO-100"]);
        assert_eq!(numbers(&app, "?customer=ACM").await, ["so-200"]);
        assert_eq!(numbers(&app, "?job_number=so-").await, ["SO-100", "so-200", "SO-300"]);
        assert_eq!(numbers(&app, "?job_number=00&customer=E").await, ["SO-100", "so-200"]);
        assert_eq!(numbers(&app, "?job_number=%25").await, Vec::<String>::new(), "% is a literal");
    }

    async fn lists_sort_by_a_documented_field_either_way(app: TestApp) {
        jobs(&app).await;
        assert_eq!(numbers(&app, "?sort=due_date").await, ["SO-300", "SO-100", "so-200"], "empty values last");
        assert_eq!(numbers(&app, "?sort=due_date&order=desc").await, ["SO-100", "SO-300", "so-200"]);
        assert_eq!(numbers(&app, "?sort=priority&order=DESC").await, ["so-200", "SO-100", "SO-300"]);
        assert_eq!(numbers(&app, "?sort=job_number").await, ["SO-100", "so-200", "SO-300"], "case does not order");
        assert_eq!(numbers(&app, "?order=desc").await, ["SO-300", "so-200", "SO-100"], "by creation");
        assert_eq!(numbers(&app, "?sort=created_at&limit=1&offset=1").await, ["so-200"]);
        let refused = app.get("/api-jobs?sort=colour").await;
        expect_invalid(
            &refused,
            &[("sort", "must be one of: created_at, updated_at, due_date, priority, job_number, customer, status")],
            "unknown sort",
        );
        expect_invalid(&app.get("/api-jobs?order=up").await, &[("order", "must be one of: asc, desc")], "order");
        for entity in ENTITIES {
            app.get(&format!("/api-{entity}?sort=updated_at&order=desc")).await.expect(200);
        }
    }

    async fn parts_operations_cells_and_resources_filter_by_their_fields(app: TestApp) {
        parents(&app).await;
        create(&app, "parts", with(valid("parts"), &[("status", json!("on_hold"))])).await;
        let (parts, _) = list(&app, "parts", "?status=ON_HOLD").await;
        assert_eq!(column(&parts, "external_id"), ["P-NEW"]);
        let (parts, _) = list(&app, "parts", "?material=Steel%20304").await;
        assert_eq!(column(&parts, "external_id"), ["P-NEW"]);
        assert_eq!(list(&app, "parts", "?material=steel%20304").await.0.len(), 0, "material is matched exactly");
        create(&app, "operations", valid("operations")).await;
        assert_eq!(list(&app, "operations", "?status=not_started").await.0.len(), 1);
        assert_eq!(list(&app, "operations", "?status=completed").await.0.len(), 0);
        create(&app, "cells", with(valid("cells"), &[("active", json!(false))])).await;
        assert_eq!(column(&list(&app, "cells", "?active=false").await.0, "name"), ["Welding"]);
        assert_eq!(column(&list(&app, "cells", "?active=true&sort=name&order=desc").await.0, "name"), ["Cutting"]);
        create(&app, "resources", valid("resources")).await;
        assert_eq!(list(&app, "resources", "?type=Equipment&status=available").await.0.len(), 1);
        assert_eq!(list(&app, "resources", "?type=mold").await.0.len(), 0);
        let cases = [
            ("cells", "active=yes", "active"),
            ("resources", "type=robot", "type"),
            ("parts", "status=done", "status"),
            ("operations", "material=x", "material"),
            ("cells", "customer=x", "customer"),
        ];
        for (entity, query, field) in cases {
            let refused = app.get(&format!("/api-{entity}?{query}")).await;
            expect_invalid_fields(&refused, &[field], query);
        }
        let anonymous = app.call(Method::GET, "/api-jobs?sort=priority").no_key().send().await;
        anonymous.expect_error(401, "UNAUTHORIZED");
    }
}
