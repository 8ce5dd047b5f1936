//! `/api-substeps`: CRUD under an operation, `completed` as a status, filters, references to
//! operations that are not the tenant's.

use reqwest::Method;
use serde_json::json;

use super::{create, keys, operation, operation_of, page, patch};
use crate::backend_tests;
use crate::support::TestApp;

const PATH: &str = "/api-substeps";

backend_tests! {
    async fn a_substep_is_created_completed_reopened_and_deleted(app: TestApp) {
        let op = operation(&app, "S1").await;
        let created = create(&app, PATH, json!({"operation_id": op, "description": "Deburr", "sequence": 2})).await;
        assert_eq!(
            keys(&created),
            ["id", "operation_id", "description", "sequence", "status", "completed", "created_at", "updated_at"]
        );
        assert_eq!((created["status"].as_str(), created["completed"].as_bool()), (Some("not_started"), Some(false)));
        let id = created["id"].as_str().unwrap().to_owned();

        let done = patch(&app, &format!("{PATH}/{id}"), json!({"completed": true})).await;
        let done = done.expect(200)["data"].clone();
        assert_eq!((done["status"].as_str(), done["completed"].as_bool()), (Some("completed"), Some(true)));
        let reopened = patch(&app, &format!("{PATH}?id={id}"), json!({"completed": false})).await;
        assert_eq!(reopened.expect(200)["data"]["status"], "not_started");
        let blocked = app.put(&format!("{PATH}/{id}"), json!({"status": "BLOCKED"})).await;
        assert_eq!(blocked.expect(200)["data"]["status"], "blocked");
        let still = patch(&app, &format!("{PATH}/{id}"), json!({"completed": false})).await;
        assert_eq!(still.expect(200)["data"]["status"], "blocked", "completed: false reopens only a completed one");
        let both = patch(&app, &format!("{PATH}/{id}"), json!({"completed": true, "status": "in_progress"})).await;
        both.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(both.error_fields(), ["completed"]);

        let at_once = create(&app, PATH, json!({"operation_id": op, "description": "Check", "completed": true})).await;
        assert_eq!(at_once["status"], "completed");
        app.call(Method::DELETE, &format!("{PATH}?id={id}")).send().await.expect(200);
        app.get(&format!("{PATH}?id={id}")).await.expect_error(404, "NOT_FOUND");
    }

    async fn lists_filter_by_operation_and_status_in_routing_order(app: TestApp) {
        let (first, second) = (operation(&app, "F1").await, operation(&app, "F2").await);
        let late = create(&app, PATH, json!({"operation_id": first, "description": "b", "sequence": 20})).await;
        let early = create(&app, PATH, json!({"operation_id": first, "description": "a", "sequence": 10})).await;
        create(&app, PATH, json!({"operation_id": second, "description": "c", "status": "in_progress"})).await;
        let (pagination, ids) = page(&app.get(&format!("{PATH}?operation_id={first}")).await, "substeps");
        assert_eq!(pagination["total"], 2);
        assert_eq!(ids, [early["id"].as_str().unwrap(), late["id"].as_str().unwrap()]);
        let (_, running) = page(&app.get(&format!("{PATH}?status=IN_PROGRESS")).await, "substeps");
        assert_eq!(running.len(), 1);
        let bad = app.get(&format!("{PATH}?operation_id=nope&status=done&completed=true")).await;
        bad.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad.error_fields(), ["operation_id", "status", "completed"]);
    }

    async fn an_operation_that_is_not_the_tenant_s_is_refused(app: TestApp) {
        let other = app.key_for("globex").await;
        let theirs = operation_of(&app, &other, "T1").await;
        let unknown = uuid::Uuid::now_v7().to_string();
        for op in [theirs.as_str(), unknown.as_str()] {
            let refused = app.post(PATH, json!({"operation_id": op, "description": "x"})).await;
            let body = refused.expect_error(404, "NOT_FOUND");
            assert_eq!(refused.error_fields(), ["operation_id"], "{body}");
        }
        let mine = operation(&app, "T2").await;
        let id = create(&app, PATH, json!({"operation_id": mine, "description": "x"})).await["id"].clone();
        let moved = patch(&app, &format!("{PATH}/{}", id.as_str().unwrap()), json!({"operation_id": theirs})).await;
        moved.expect_error(404, "NOT_FOUND");
        let listed = app.call(Method::GET, &format!("{PATH}?operation_id={mine}")).key(&other).send().await;
        assert_eq!(page(&listed, "substeps").1, Vec::<String>::new());
    }

    async fn bad_bodies_name_every_bad_field(app: TestApp) {
        let bad = app
            .post(PATH, json!({"operation_id": "x", "description": "d".repeat(4001), "sequence": -1, "status": 3, "done": 1}))
            .await;
        bad.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad.error_fields(), ["operation_id", "description", "sequence", "status", "done"]);
        let missing = app.post(PATH, json!({"sequence": 1.5, "completed": "yes"})).await;
        assert_eq!(missing.error_fields(), ["operation_id", "description", "sequence", "completed"]);
        app.call(Method::POST, PATH).raw("{", Some("application/json")).send().await.expect_error(400, "BAD_REQUEST");
    }
}
