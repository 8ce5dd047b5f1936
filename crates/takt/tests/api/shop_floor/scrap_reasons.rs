//! `/api-scrap-reasons`: CRUD, sync by `(external_source, external_id)`, unique codes, filters,
//! bad input, keys and tenants.

use reqwest::Method;
use serde_json::json;

use super::{create, keys, page, patch};
use crate::backend_tests;
use crate::support::TestApp;

const PATH: &str = "/api-scrap-reasons";

backend_tests! {
    async fn a_scrap_reason_is_created_read_changed_and_deleted(app: TestApp) {
        let created = create(&app, PATH, json!({"code": "SCR-1", "description": "Burn marks", "category": "MACHINE"})).await;
        assert_eq!(
            keys(&created),
            ["id", "external_source", "external_id", "code", "description", "category", "active", "created_at", "updated_at"]
        );
        assert_eq!((created["category"].as_str(), created["active"].as_bool()), (Some("machine"), Some(true)));
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(app.get(&format!("{PATH}/{id}")).await.expect(200)["data"], created);
        assert_eq!(app.get(&format!("{PATH}?id={id}")).await.expect(200)["data"], created);

        let changed = patch(&app, &format!("{PATH}?id={id}"), json!({"active": false})).await;
        assert_eq!(changed.expect(200)["data"]["active"], false);
        let put = app.put(&format!("{PATH}/{id}"), json!({"description": null, "category": "Other"})).await;
        let put = put.expect(200)["data"].clone();
        assert_eq!((put["description"].is_null(), put["category"].as_str(), put["active"].as_bool()), (true, Some("other"), Some(false)));
        assert_eq!(put["code"], "SCR-1");

        let deleted = app.call(Method::DELETE, &format!("{PATH}/{id}")).send().await;
        assert_eq!(deleted.expect(200)["data"], json!({"id": id, "deleted": true}));
        app.get(&format!("{PATH}/{id}")).await.expect_error(404, "NOT_FOUND");
        app.call(Method::DELETE, &format!("{PATH}?id={id}")).send().await.expect_error(404, "NOT_FOUND");
        patch(&app, &format!("{PATH}/{id}"), json!({"active": true})).await.expect_error(404, "NOT_FOUND");
    }

    async fn lists_filter_by_category_and_active_and_page(app: TestApp) {
        let mut ids = Vec::new();
        for (code, category, active) in [("A", "material", true), ("B", "machine", true), ("C", "machine", false)] {
            let body = json!({"code": code, "category": category, "active": active});
            ids.push(create(&app, PATH, body).await["id"].as_str().unwrap().to_owned());
        }
        let (pagination, all) = page(&app.get(PATH).await, "scrap_reasons");
        assert_eq!((pagination, all), (json!({"total": 3, "offset": 0, "limit": 100}), ids.clone()));
        let (_, machine) = page(&app.get(&format!("{PATH}?category=Machine")).await, "scrap_reasons");
        assert_eq!(machine, ids[1..]);
        let (_, active) = page(&app.get(&format!("{PATH}?category=machine&active=TRUE")).await, "scrap_reasons");
        assert_eq!(active, ids[1..2]);
        let (pagination, second) = page(&app.get(&format!("{PATH}?limit=1&offset=1")).await, "scrap_reasons");
        assert_eq!((pagination, second), (json!({"total": 3, "offset": 1, "limit": 1}), ids[1..2].to_vec()));
        let bad = app.get(&format!("{PATH}?category=glue&active=maybe&limit=1001&code=A")).await;
        bad.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad.error_fields(), ["category", "active", "limit", "code"]);
        let combined = app.get(&format!("{PATH}?id={}&active=true", ids[0])).await;
        combined.expect_error(422, "VALIDATION_ERROR");
    }

    async fn a_sync_creates_then_updates_by_its_sync_key(app: TestApp) {
        let body = json!({"external_source": "SAP", "external_id": "SR-9", "code": "S9", "category": "process"});
        let created = app.put(&format!("{PATH}/sync"), body).await;
        let data = created.expect(201)["data"].clone();
        assert_eq!(keys(&data), ["action", "id", "external_id", "scrap_reason"]);
        assert_eq!((data["action"].as_str(), data["external_id"].as_str()), (Some("created"), Some("SR-9")));
        assert_eq!(data["scrap_reason"]["id"], data["id"]);
        let again = json!({"external_source": "SAP", "external_id": "SR-9", "code": "S9-NEW", "category": "OPERATOR"});
        let updated = app.put(&format!("{PATH}/sync"), again).await;
        let updated = updated.expect(200)["data"].clone();
        assert_eq!((updated["action"].as_str(), &updated["id"]), (Some("updated"), &data["id"]));
        assert_eq!(updated["scrap_reason"]["code"], "S9-NEW");
        assert_eq!(updated["scrap_reason"]["category"], "operator");
        let (pagination, _) = page(&app.get(PATH).await, "scrap_reasons");
        assert_eq!(pagination["total"], 1);

        let missing = app.put(&format!("{PATH}/sync"), json!({"external_source": "SAP", "code": "X"})).await;
        let body = missing.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(body["error"]["message"], "external_id is required for sync operations");
        let blank = app.put(&format!("{PATH}/sync"), json!({"external_source": "SAP", "external_id": " ", "code": "X"})).await;
        blank.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(blank.error_fields(), ["external_id"]);
    }

    async fn a_code_is_unique_per_tenant_whatever_its_case(app: TestApp) {
        create(&app, PATH, json!({"code": "Weld-1"})).await;
        let taken = app.post(PATH, json!({"code": "WELD-1"})).await;
        let body = taken.expect_error(409, "CONFLICT");
        assert_eq!(body["error"]["message"], "scrap reason code 'WELD-1' is already used by another scrap reason");
        let sync = json!({"external_source": "SAP", "external_id": "W", "code": "weld-1"});
        app.put(&format!("{PATH}/sync"), sync).await.expect_error(409, "CONFLICT");
        let other = create(&app, PATH, json!({"code": "Weld-2"})).await;
        let id = other["id"].as_str().unwrap();
        patch(&app, &format!("{PATH}/{id}"), json!({"code": "weld-1"})).await.expect_error(409, "CONFLICT");
        patch(&app, &format!("{PATH}/{id}"), json!({"code": "WELD-2"})).await.expect(200);
        let elsewhere = app.key_for("globex").await;
        app.call(Method::POST, PATH).key(&elsewhere).json(json!({"code": "WELD-1"})).send().await.expect(201);
    }

    async fn bad_bodies_name_every_bad_field(app: TestApp) {
        let bad = app.post(PATH, json!({"description": 5, "category": "glue", "active": null, "colour": "red"})).await;
        bad.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad.error_fields(), ["code", "description", "category", "active", "colour"]);
        let long = app.post(PATH, json!({"code": "x".repeat(101)})).await;
        long.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(long.error_fields(), ["code"]);
        let blank = app.post(PATH, json!({"code": "  "})).await;
        assert_eq!(blank.error_fields(), ["code"]);
        let id = create(&app, PATH, json!({"code": "OK"})).await["id"].as_str().unwrap().to_owned();
        let nulled = patch(&app, &format!("{PATH}/{id}"), json!({"code": null, "active": "no"})).await;
        nulled.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(nulled.error_fields(), ["code", "active"]);
        let no_id = patch(&app, PATH, json!({"active": false})).await;
        no_id.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(no_id.error_fields(), ["id"]);
        app.post(PATH, json!([1])).await.expect_error(422, "VALIDATION_ERROR");
    }

    async fn keys_are_required_and_tenants_see_only_their_own(app: TestApp) {
        app.call(Method::GET, PATH).no_key().send().await.expect_error(401, "UNAUTHORIZED");
        app.call(Method::POST, PATH).key("ery_live_00000000000000000000000000000000").json(json!({"code": "X"}))
            .send().await.expect_error(401, "UNAUTHORIZED");
        let second = app.key_for("acme").await;
        app.store.revoke_key(&second[..21]).await.expect("revoke the key");
        app.call(Method::GET, PATH).key(&second).send().await.expect_error(401, "UNAUTHORIZED");

        let id = create(&app, PATH, json!({"code": "MINE"})).await["id"].as_str().unwrap().to_owned();
        let other = app.key_for("globex").await;
        for method in [Method::GET, Method::DELETE] {
            app.call(method, &format!("{PATH}/{id}")).key(&other).send().await.expect_error(404, "NOT_FOUND");
        }
        let change = app.call(Method::PATCH, &format!("{PATH}?id={id}")).key(&other).json(json!({"active": false}));
        change.send().await.expect_error(404, "NOT_FOUND");
        let listed = app.call(Method::GET, PATH).key(&other).send().await;
        assert_eq!(page(&listed, "scrap_reasons").1, Vec::<String>::new());
        app.get(&format!("{PATH}/not-a-uuid")).await.expect_error(404, "NOT_FOUND");
        assert_eq!(app.get(&format!("{PATH}/{id}")).await.expect(200)["data"]["active"], true);
    }
}
