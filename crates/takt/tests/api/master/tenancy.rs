//! Tenant isolation with integer ids: ids are global, so another tenant's id must behave
//! exactly like an id that does not exist, and names never resolve across tenants.

use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::{Response, TestApp};

async fn call(app: &TestApp, key: &str, method: Method, entity: &str, action: &str, body: Value) -> Response {
    app.call(method, &format!("/api/{entity}/{action}")).key(key).json(body).send().await
}

backend_tests! {
    async fn another_tenant_cannot_see_update_or_delete_by_id(app: TestApp) {
        let approved = bracket(&app, "Approved").await;
        recipe(&app, "R-1", "BRACKET-A", Some(id(&approved))).await;
        let beta = app.key_for("beta").await;
        for entity in [
            "ProductType",
            "Currency",
            "Location",
            "Product",
            "Bom",
            "BomVersion",
            "BomSlot",
            "Recipe",
            "PropertyDefinition",
            "BomType",
            "OwnershipType",
            "ApprovalStatus",
        ] {
            let records = listed(&app, entity, json!({})).await;
            assert!(!records.is_empty(), "{entity}");
            let record = &records[0];
            let listed_by_beta = call(&app, &beta, Method::POST, entity, "List", json!({ "id": id(record) })).await;
            assert_eq!(listed_by_beta.expect(200), &json!([]), "{entity}");
            if let Some(name) = record.get("name") {
                let by_name = call(&app, &beta, Method::POST, entity, "List", json!({ "name": name })).await;
                let found = by_name.expect(200).as_array().unwrap().clone();
                if record["builtIn"] == true {
                    assert_eq!(found.len(), 1, "{entity}: beta's own built-in record");
                    assert_ne!(id(&found[0]), id(record), "{entity}");
                } else {
                    assert_eq!(found, Vec::<Value>::new(), "{entity}");
                }
            }
            let change = match record.get("name") {
                Some(_) => json!({ "id": id(record), "name": "Hijacked" }),
                None => json!({ "id": id(record) }),
            };
            let updated = call(&app, &beta, Method::PUT, entity, "Upsert", change).await;
            let body = updated.expect_error(404, "NOT_FOUND");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.ends_with(&format!("with id {} does not exist", id(record))), "{entity}: {message}");
            call(&app, &beta, Method::DELETE, entity, "Delete", json!({ "id": id(record) }))
                .await
                .expect_error(404, "NOT_FOUND");
            assert_eq!(read(&app, entity, id(record)).await, *record, "{entity}: untouched");
        }
        let beta_all = call(&app, &beta, Method::POST, "Product", "List", json!({})).await;
        assert_eq!(beta_all.expect(200), &json!([]));
        let beta_versions = call(&app, &beta, Method::POST, "BomVersion", "List", json!({ "bom": "BRK-A" })).await;
        assert_eq!(beta_versions.expect(200), &json!([]));
        let beta_slots =
            call(&app, &beta, Method::POST, "BomSlot", "List", json!({ "bomVersionId": id(&approved) })).await;
        assert_eq!(beta_slots.expect(200), &json!([]));
    }

    async fn references_never_resolve_to_another_tenants_records(app: TestApp) {
        let approved = bracket(&app, "Approved").await;
        recipe(&app, "R-1", "BRACKET-A", Some(id(&approved))).await;
        let job = schedule(&app, "JOB-1", "R-1").await;
        let beta = app.key_for("beta").await;

        // Every name acme has is unknown to beta.
        let mut body = product_body("BRACKET-A");
        body["productType"] = json!("Sheet%");
        body["serialRange"] = json!("SR-2026");
        body["receiptRecipe"] = json!("R-1");
        body["properties"] = json!([{ "name": "Colour", "value": "Red" }]);
        let product = call(&app, &beta, Method::PUT, "Product", "Upsert", body.clone()).await;
        product.expect_error(404, "NOT_FOUND");
        assert_eq!(
            product.error_fields(),
            [
                "productType",
                "defaultCurrency",
                "baseUnit",
                "receiptProfile",
                "receiptRecipe",
                "serialRange",
                "location"
            ]
        );
        let like = call(
            &app,
            &beta,
            Method::PUT,
            "Product",
            "Upsert",
            json!({ "sourceProductName": "BRACKET-A", "name": "B" }),
        )
        .await;
        like.expect_error(404, "NOT_FOUND");
        assert_eq!(like.error_fields(), ["sourceProductName"]);
        let copy = call(
            &app,
            &beta,
            Method::PUT,
            "Product",
            "Copy",
            json!({ "suid": "S", "name": "B", "srcProductName": "BRACKET-A" }),
        )
        .await;
        copy.expect_error(404, "NOT_FOUND");
        assert_eq!(copy.error_fields(), ["srcProductName"]);
        let bom = call(
            &app,
            &beta,
            Method::PUT,
            "Bom",
            "Upsert",
            json!({ "name": "BRK-A", "product": "BRACKET-A", "bomType": "Production" }),
        )
        .await;
        bom.expect_error(404, "NOT_FOUND");
        assert_eq!(bom.error_fields(), ["product", "bomType"]);
        let version = call(
            &app,
            &beta,
            Method::PUT,
            "BomVersion",
            "Upsert",
            json!({ "bom": "BRK-A", "version": "1.0", "approvalStatus": "Draft", "scheduleId": id(&job) }),
        )
        .await;
        version.expect_error(404, "NOT_FOUND");
        assert_eq!(version.error_fields(), ["bom", "scheduleId"]);

        // Beta builds the same names for itself, without conflicts; ids stay apart.
        for (entity, name) in [
            ("ProductType", "Sheet Metal"),
            ("Currency", "EUR"),
            ("UnitOfMeasure", "pcs"),
            ("Location", "MAIN"),
            ("ReceiptProfile", "Standard"),
        ] {
            call(&app, &beta, Method::PUT, entity, "Upsert", json!({ "name": name })).await.expect(201);
        }
        let mut body = product_body("BRACKET-A");
        body["productType"] = json!("Sheet%");
        body["properties"] = json!([{ "name": "Colour", "value": "Red" }]);
        let property = call(&app, &beta, Method::PUT, "Product", "Upsert", body.clone()).await;
        property.expect_error(404, "NOT_FOUND");
        assert_eq!(property.error_fields(), ["properties[0].name"]);
        call(
            &app,
            &beta,
            Method::PUT,
            "PropertyDefinition",
            "Upsert",
            json!({ "tableName": "Product", "name": "Colour" }),
        )
        .await
        .expect(201);
        let beta_product = call(&app, &beta, Method::PUT, "Product", "Upsert", body).await.expect(201).clone();
        assert_eq!(beta_product["productType"], "Sheet Metal");
        let acme_product = listed(&app, "Product", json!({ "name": "BRACKET-A" })).await.remove(0);
        assert_ne!(id(&beta_product), id(&acme_product));
        let beta_bom =
            call(&app, &beta, Method::PUT, "Bom", "Upsert", json!({ "name": "BRK-A", "product": "BRACKET-A" })).await;
        beta_bom.expect(201);
        let beta_version = call(
            &app,
            &beta,
            Method::PUT,
            "BomVersion",
            "Upsert",
            json!({ "bom": "BRK-A", "version": "1.0", "approvalStatus": "Draft" }),
        )
        .await;
        let beta_version = beta_version.expect(201).clone();

        // Ids of acme's records are unknown to beta's references by id.
        let slot = call(
            &app,
            &beta,
            Method::PUT,
            "BomSlot",
            "Upsert",
            json!({ "bomVersionId": id(&approved), "product": "BRACKET-A", "quantity": 1 }),
        )
        .await;
        slot.expect_error(404, "NOT_FOUND");
        assert_eq!(slot.error_fields(), ["bomVersionId"]);
        let recipe = call(
            &app,
            &beta,
            Method::PUT,
            "Recipe",
            "Upsert",
            json!({ "name": "R-1", "product": "BRACKET-A", "bomVersionId": id(&approved) }),
        )
        .await;
        recipe.expect_error(404, "NOT_FOUND");
        assert_eq!(recipe.error_fields(), ["bomVersionId"]);
        let moved = call(
            &app,
            &beta,
            Method::PUT,
            "BomVersion",
            "Upsert",
            json!({ "id": id(&beta_version), "scheduleId": id(&job) }),
        )
        .await;
        moved.expect_error(404, "NOT_FOUND");
        assert_eq!(moved.error_fields(), ["scheduleId"]);

        // Acme's view did not change, and its names still resolve to its own records.
        assert_eq!(listed(&app, "Product", json!({})).await.len(), 3);
        assert_eq!(listed(&app, "Currency", json!({ "name": "EUR" })).await.len(), 1);
        let acme_bom = listed(&app, "Bom", json!({ "name": "BRK-A" })).await.remove(0);
        assert_eq!(acme_bom["product"], "BRACKET-A");
        let beta_listed = call(&app, &beta, Method::POST, "BomVersion", "List", json!({})).await;
        assert_eq!(beta_listed.expect(200), &json!([beta_version]));
        // Deleting beta's product is blocked by beta's BoM only; acme's product is unaffected.
        let in_use = call(&app, &beta, Method::DELETE, "Product", "Delete", json!({ "id": id(&beta_product) })).await;
        assert_eq!(
            in_use.expect_error(409, "CONFLICT")["error"]["message"],
            "Product 'BRACKET-A' is used by BoM 'BRK-A'"
        );
    }
}
