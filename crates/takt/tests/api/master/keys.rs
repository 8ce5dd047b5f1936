//! How requests may spell keys and paths: keys ignore case and spaces (two that normalise alike
//! are refused), responses are camelCase, entity names in paths ignore case and spaces, wrong
//! methods are 405 and unknown entities or actions 404.

use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

use crate::support::MASTER_ENTITIES as ENTITIES;

backend_tests! {
    async fn every_entity_answers_list_upsert_and_delete(app: TestApp) {
        for entity in ENTITIES {
            let records = listed(&app, entity, json!({})).await;
            let expected = match entity {
                "OwnershipType" => 3,
                "ApprovalStatus" => 5,
                _ => 0,
            };
            assert_eq!(records.len(), expected, "{entity}");
            let upsert = upsert(&app, entity, json!({})).await;
            upsert.expect_error(422, "VALIDATION_ERROR");
            let mut named = upsert.error_fields();
            named.sort();
            let mut mandatory: Vec<&str> = match entity {
                "PropertyDefinition" => vec!["tableName", "name"],
                "Product" => PRODUCT_MANDATORY.to_vec(),
                "Bom" | "Recipe" => vec!["name", "product"],
                "BomVersion" => vec!["bom", "version", "approvalStatus"],
                "BomSlot" => vec!["bomVersionId", "product", "quantity"],
                "Schedule" => vec!["name", "recipe", "quantity"],
                _ => vec!["name"],
            };
            mandatory.sort();
            assert_eq!(named, mandatory, "{entity}: a create names every mandatory field it lacks");
            let delete = delete(&app, entity, 999_999).await;
            delete.expect_error(404, "NOT_FOUND");
            let missing_id = app.delete(&format!("/api/{entity}/Delete"), json!({})).await;
            missing_id.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(missing_id.error_fields(), ["id"], "{entity}");
        }
    }

    async fn id_keys_match_in_any_case(app: TestApp) {
        let location = create(&app, "Location", json!({ "name": "DOCK" })).await;
        for key in ["ID", "Id", "id", "iD"] {
            let updated = update(&app, "Location", json!({ key: id(&location), "description": key })).await;
            assert_eq!((updated["id"].clone(), updated["description"].clone()), (location["id"].clone(), json!(key)));
            assert_eq!(listed(&app, "Location", json!({ key: id(&location) })).await.len(), 1, "{key}");
        }
        let deleted = app.delete("/api/Location/Delete", json!({ "ID": id(&location) })).await;
        deleted.expect(200);
        let again = app.delete("/api/Location/Delete", json!({ "Id": id(&location) })).await;
        again.expect_error(404, "NOT_FOUND");
    }

    async fn field_keys_ignore_case_and_spaces_and_responses_are_camel_case(app: TestApp) {
        reference_data(&app).await;
        for (n, (product_type, cost)) in [
            ("Product Type", "Default Cost Per Unit"),
            ("productType", "defaultCostPerUnit"),
            ("PRODUCTTYPE", "DEFAULTCOSTPERUNIT"),
            ("product type", "default cost per unit"),
            ("Product  Type", "DefaultCost PerUnit"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut body = product_body(&format!("P-{n}"));
            let object = body.as_object_mut().unwrap();
            object.remove("productType");
            object.remove("defaultCostPerUnit");
            object.insert(product_type.to_owned(), json!("Sheet Metal"));
            object.insert(cost.to_owned(), json!(3.25));
            let product = create(&app, "Product", body).await;
            assert_eq!(product["productType"], "Sheet Metal", "{product_type}");
            assert_eq!(product["defaultCostPerUnit"].to_string(), "3.25", "{cost}");
            assert!(
                keys(&product).iter().all(|k| !k.contains(' ') && k.chars().next().unwrap().is_lowercase()),
                "{product}"
            );
        }
        assert_eq!(listed(&app, "Product", json!({ "Product Type": "SHEET METAL" })).await.len(), 5);
        assert_eq!(listed(&app, "Product", json!({ "NAME": "p-0", "Is Active": true })).await.len(), 1);
    }

    async fn two_keys_that_normalise_alike_are_refused(app: TestApp) {
        reference_data(&app).await;
        let mut body = product_body("P-1");
        body["Product Type"] = json!("Sheet Metal");
        let twice = upsert(&app, "Product", body).await;
        let error = twice.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(twice.error_fields(), ["Product Type"]);
        assert_eq!(
            error["error"]["details"][0]["message"],
            "repeats the key 'productType' (keys ignore case and spaces)"
        );
        assert_eq!(listed(&app, "Product", json!({})).await, Vec::<Value>::new(), "nothing written");

        let location = create(&app, "Location", json!({ "name": "DOCK" })).await;
        let ids = app.delete("/api/Location/Delete", json!({ "id": id(&location), "ID": id(&location) })).await;
        ids.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(ids.error_fields(), ["ID"]);
        let filters = list(&app, "Location", json!({ "name": "DOCK", "Name": "DOCK" })).await;
        filters.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(filters.error_fields(), ["Name"]);
        let nested =
            upsert(&app, "Location", json!({ "id": id(&location), "description": "a", "Description": "b" })).await;
        nested.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(read(&app, "Location", id(&location)).await, location);
    }

    async fn unknown_keys_and_bodies_that_are_not_objects_are_refused(app: TestApp) {
        let unknown = upsert(&app, "Location", json!({ "name": "DOCK", "colour": "red", "code": 7 })).await;
        let body = unknown.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(unknown.error_fields(), ["colour", "code"]);
        assert_eq!(body["error"]["details"][0]["message"], "is not a known field");
        for bad in [json!([]), json!("DOCK"), json!(7), json!(null)] {
            let response = upsert(&app, "Location", bad.clone()).await;
            response.expect_error(422, "VALIDATION_ERROR");
            let response = list(&app, "Location", bad.clone()).await;
            response.expect_error(422, "VALIDATION_ERROR");
        }
        let not_json = app.call(Method::PUT, "/api/Location/Upsert").raw("name=DOCK", Some("text/plain")).send().await;
        not_json.expect_error(400, "BAD_REQUEST");
        let broken =
            app.call(Method::PUT, "/api/Location/Upsert").raw("{\"name\": ", Some("application/json")).send().await;
        broken.expect_error(400, "BAD_REQUEST");
        let zero = app.delete("/api/Location/Delete", json!({ "id": 0 })).await;
        zero.expect_error(422, "VALIDATION_ERROR");
        let text = app.delete("/api/Location/Delete", json!({ "id": "1" })).await;
        text.expect_error(422, "VALIDATION_ERROR");
        let extra = app.delete("/api/Location/Delete", json!({ "id": 1, "name": "DOCK" })).await;
        extra.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(extra.error_fields(), ["name"]);
        assert_eq!(listed(&app, "Location", json!({})).await, Vec::<Value>::new());
    }

    async fn entity_names_in_paths_ignore_case_and_spaces(app: TestApp) {
        reference_data(&app).await;
        product(&app, "BRACKET-A").await;
        bom(&app, "BRK-A", "BRACKET-A").await;
        let seed = app
            .put("/api/Bom%20Version/Upsert", json!({ "bom": "BRK-A", "version": "1.0", "approvalStatus": "Draft" }))
            .await;
        let v = seed.expect(201).clone();
        for path in [
            "/api/BomVersion/List",
            "/api/Bom%20Version/List",
            "/api/bomversion/list",
            "/api/BOM%20VERSION/LIST",
            "/api/Bom%20%20Version/List",
        ] {
            let response = app.post(path, json!({})).await;
            assert_eq!(response.expect(200), &json!([v.clone()]), "{path}");
        }
        let updated = app
            .put("/api/bom version/upsert".replace(' ', "%20").as_str(), json!({ "id": id(&v), "description": "d" }))
            .await;
        assert_eq!(updated.expect(200)["description"], "d");
        for path in [
            "/api/Unit%20Of%20Measure/List",
            "/api/unitofmeasure/List",
            "/api/Product%20Type/List",
            "/api/approval%20status/list",
        ] {
            app.post(path, json!({})).await.expect(200);
        }
        let deleted = app.delete("/api/Bom%20Version/Delete", json!({ "id": id(&v) })).await;
        deleted.expect(200);
    }

    async fn wrong_methods_are_405_and_unknown_entities_or_actions_404(app: TestApp) {
        for (method, path) in [
            (Method::GET, "/api/Product/List"),
            (Method::PUT, "/api/Product/List"),
            (Method::POST, "/api/Product/Upsert"),
            (Method::GET, "/api/Product/Upsert"),
            (Method::POST, "/api/Product/Delete"),
            (Method::PUT, "/api/Product/Delete"),
            (Method::POST, "/api/Product/Copy"),
            (Method::DELETE, "/api/Bom%20Version/List"),
        ] {
            let response = app.call(method.clone(), path).json(json!({})).send().await;
            response.expect_error(405, "METHOD_NOT_ALLOWED");
        }
        for (method, path) in [
            (Method::POST, "/api/Widget/List"),
            (Method::POST, "/api/Products/List"),
            (Method::POST, "/api/Product/Search"),
            (Method::PUT, "/api/Currency/Copy"),
            (Method::PUT, "/api/BomVersion/Copy"),
            (Method::POST, "/api/Product/List/Extra"),
            (Method::POST, "/api/Product"),
        ] {
            let response = app.call(method, path).json(json!({})).send().await;
            response.expect_error(404, "NOT_FOUND");
        }
        // The key comes first: without it, even an unknown entity is 401.
        let anonymous = app.call(Method::POST, "/api/Widget/List").no_key().json(json!({})).send().await;
        anonymous.expect_error(401, "UNAUTHORIZED");
    }
}
