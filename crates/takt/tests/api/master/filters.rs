//! List filters: seed 003 Table 2 (BoM versions) and seed 004 Table 2 (products), the natural
//! filters of the other entities, `null`, AND, paging, unknown filters, and Unicode case
//! folding that agrees on both backends.

use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

async fn ids_of(app: &TestApp, entity: &str, filters: Value) -> Vec<i64> {
    ids(&listed(app, entity, filters).await)
}

backend_tests! {
    async fn bom_versions_filter_by_the_seed_003_parameters(app: TestApp) {
        reference_data(&app).await;
        product(&app, "BRACKET-A").await;
        bom(&app, "BRK-A", "BRACKET-A").await;
        bom(&app, "BRK-B", "BRACKET-A").await;
        let a10 = version(&app, "BRK-A", "1.0", "Approved").await;
        let a11 = create(
            &app,
            "BomVersion",
            json!({ "bom": "BRK-A", "version": "1.1", "approvalStatus": "Draft", "suid": "SUID-A11" }),
        )
        .await;
        let a20 = version(&app, "BRK-A", "2.0", "Draft").await;
        let b10 = version(&app, "BRK-B", "1.0", "Draft").await;
        recipe(&app, "R-1", "BRACKET-A", Some(id(&a10))).await;
        let job = schedule(&app, "JOB-1", "R-1").await;
        let b11 = create(
            &app,
            "BomVersion",
            json!({ "bom": "BRK-B", "version": "1.1", "approvalStatus": "Pending", "scheduleId": id(&job) }),
        )
        .await;
        let [a10, a11, a20, b10, b11] = [&a10, &a11, &a20, &b10, &b11].map(id);

        for (filters, expected) in [
            (json!({}), vec![a10, a11, a20, b10, b11]),
            (json!({ "id": a11 }), vec![a11]),
            (json!({ "bom": "BRK-A" }), vec![a10, a11, a20]),
            (json!({ "bom": "brk-b" }), vec![b10, b11]),
            (json!({ "scheduleID": id(&job) }), vec![b11]),
            (json!({ "scheduleId": null }), vec![a10, a11, a20, b10]),
            (json!({ "majorVersion": 1 }), vec![a10, a11, b10, b11]),
            (json!({ "minorVersion": 1 }), vec![a11, b11]),
            (json!({ "majorVersion": 1, "minorVersion": 0 }), vec![a10, b10]),
            (json!({ "version": "1.1" }), vec![a11, b11]),
            (json!({ "approvalStatus": "draft" }), vec![a11, a20, b10]),
            (json!({ "approvalStatus": "APPROVED" }), vec![a10]),
            (json!({ "suid": "suid-a11" }), vec![a11]),
            (json!({ "suid": null, "bom": "BRK-A" }), vec![a10, a20]),
            (json!({ "bom": "BRK-B", "approvalStatus": "Draft", "majorVersion": 1 }), vec![b10]),
            (
                json!({ "ID": b10, "Bom": "BRK-B", "Major Version": 1, "MINORVERSION": 0, "Approval Status": "Draft" }),
                vec![b10],
            ),
            (json!({ "bom": "BRK-C" }), vec![]),
            (json!({ "approvalStatus": "Signed" }), vec![]),
            (json!({ "majorVersion": 9 }), vec![]),
            (json!({ "id": a10, "bom": "BRK-B" }), vec![]),
        ] {
            assert_eq!(ids_of(&app, "BomVersion", filters.clone()).await, expected, "{filters}");
        }
        for (filters, field) in [
            (json!({ "changeReference": "ECN" }), "changeReference"),
            (json!({ "description": "x" }), "description"),
            (json!({ "name": "BRK-A" }), "name"),
            (json!({ "majorVersion": "1" }), "majorVersion"),
            (json!({ "version": "1" }), "version"),
            (json!({ "scheduleId": "JOB-1" }), "scheduleId"),
            (json!({ "id": null }), "id"),
        ] {
            let response = list(&app, "BomVersion", filters.clone()).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "{filters}");
        }
    }

    async fn products_filter_by_the_seed_004_parameters(app: TestApp) {
        reference_data(&app).await;
        let mut body = product_body("Controlled");
        body["suid"] = json!("SAP-1");
        let controlled = create(&app, "Product", body).await;
        let mut body = product_body("Free");
        body["suid"] = json!("SAP-2");
        body["isActive"] = json!(false);
        let free = create(&app, "Product", body).await;
        let plain = product(&app, "Plain").await;
        let [c, f, p] = [&controlled, &free, &plain].map(id);
        assert_eq!(
            listed(&app, "Product", json!({ "Name": "Controlled" })).await,
            std::slice::from_ref(&controlled),
            "the seed's example"
        );
        for (filters, expected) in [
            (json!({ "ID": f }), vec![f]),
            (json!({ "Name": "CONTROLLED" }), vec![c]),
            (json!({ "SUID": "sap-2" }), vec![f]),
            (json!({ "SUID": null }), vec![p]),
            (json!({ "ID": c, "Name": "Controlled", "SUID": "SAP-1" }), vec![c]),
            (json!({ "ID": c, "Name": "Free" }), vec![]),
            (json!({ "Name": "Contr%" }), vec![]),
            (json!({ "isActive": false }), vec![f]),
            (json!({ "productType": "sheet metal", "defaultCurrency": "EUR", "location": "main" }), vec![c, f, p]),
            (json!({ "version": "a" }), vec![c, f, p]),
            (json!({ "inventoryDecimalPlaces": 0, "serialRange": null }), vec![c, f, p]),
            (json!({ "defaultOwnership": "Vendor Owned" }), vec![]),
        ] {
            assert_eq!(ids_of(&app, "Product", filters.clone()).await, expected, "{filters}");
        }
        for (filters, field) in [
            (json!({ "defaultCostPerUnit": 12.5 }), "defaultCostPerUnit"),
            (json!({ "description": "x" }), "description"),
            (json!({ "properties": [] }), "properties"),
            (json!({ "Colour": "Red" }), "Colour"),
            (json!({ "Name": 7 }), "name"),
            (json!({ "isActive": "yes" }), "isActive"),
        ] {
            let response = list(&app, "Product", filters.clone()).await;
            let body = response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "{filters}");
            if field == "Colour" {
                let message = body["error"]["details"][0]["message"].as_str().unwrap();
                assert!(
                    message.starts_with("is not a filter of Product (filters: id, productType, suid, name, version"),
                    "{message}"
                );
            }
        }
    }

    async fn the_other_entities_filter_by_their_natural_fields(app: TestApp) {
        let draft = bracket(&app, "Draft").await;
        let v = id(&draft);
        let other = version(&app, "BRK-A", "2.0", "Draft").await;
        let s3 = json!({
            "bomVersionId": id(&other), "product": "SCREW", "quantity": 2, "slotType": "Fastener", "isRequired": false
        });
        let s3 = create(&app, "BomSlot", s3).await;
        let slots = ids_of(&app, "BomSlot", json!({ "bomVersionId": v })).await;
        assert_eq!(slots.len(), 2);
        assert_eq!(ids_of(&app, "BomSlot", json!({ "product": "screw" })).await, [slots[1], id(&s3)]);
        assert_eq!(ids_of(&app, "BomSlot", json!({ "slotType": "FASTENER" })).await, [id(&s3)]);
        assert_eq!(ids_of(&app, "BomSlot", json!({ "isRequired": false })).await, [id(&s3)]);
        assert_eq!(ids_of(&app, "BomSlot", json!({ "slotType": null, "isActive": true })).await, slots);
        list(&app, "BomSlot", json!({ "quantity": 2 })).await.expect_error(422, "VALIDATION_ERROR");

        create(&app, "Bom", json!({ "name": "BRK-S", "product": "SCREW", "bomType": "Production", "suid": "BS" }))
            .await;
        assert_eq!(column(&listed(&app, "Bom", json!({ "product": "BRACKET-A" })).await, "name"), [json!("BRK-A")]);
        assert_eq!(column(&listed(&app, "Bom", json!({ "bomType": "production" })).await, "name"), [json!("BRK-S")]);
        assert_eq!(column(&listed(&app, "Bom", json!({ "bomType": null })).await, "name"), [json!("BRK-A")]);
        assert_eq!(column(&listed(&app, "Bom", json!({ "suid": "bs" })).await, "name"), [json!("BRK-S")]);

        update(&app, "BomVersion", json!({ "id": v, "approvalStatus": "Approved" })).await;
        recipe(&app, "R-1", "BRACKET-A", Some(v)).await;
        recipe(&app, "R-2", "SHEET", None).await;
        assert_eq!(column(&listed(&app, "Recipe", json!({ "bomVersionId": v })).await, "name"), [json!("R-1")]);
        assert_eq!(column(&listed(&app, "Recipe", json!({ "product": "sheet" })).await, "name"), [json!("R-2")]);
        assert_eq!(column(&listed(&app, "Recipe", json!({ "bomVersionId": null })).await, "name"), [json!("R-2")]);

        let job = schedule(&app, "JOB-1", "R-1").await;
        schedule(&app, "JOB-2", "R-2").await;
        update(&app, "Schedule", json!({ "id": id(&job), "status": "started" })).await;
        assert_eq!(column(&listed(&app, "Schedule", json!({ "status": "started" })).await, "name"), [json!("JOB-1")]);
        assert_eq!(column(&listed(&app, "Schedule", json!({ "recipe": "r-2" })).await, "name"), [json!("JOB-2")]);
        for filter in ["plannedStart", "quantity"] {
            let response = list(&app, "Schedule", json!({ filter: null })).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [filter]);
        }
        assert_eq!(
            listed(&app, "PropertyDefinition", json!({ "tableName": "Product", "name": "colour" })).await.len(),
            1
        );
        let description = list(&app, "ProductType", json!({ "description": "Sheet Metal for the tests" })).await;
        description.expect_error(422, "VALIDATION_ERROR");
    }

    async fn an_empty_body_lists_everything_and_limit_offset_page(app: TestApp) {
        let mut all = Vec::new();
        for n in 0..7 {
            all.push(id(&create(&app, "Currency", json!({ "name": format!("C{n}") })).await));
        }
        let no_body = app.call(Method::POST, "/api/Currency/List").send().await;
        assert_eq!(ids(no_body.expect(200).as_array().unwrap()), all);
        let blank = app.call(Method::POST, "/api/Currency/List").raw(" \n", Some("application/json")).send().await;
        assert_eq!(ids(blank.expect(200).as_array().unwrap()), all);
        let no_type = app.call(Method::POST, "/api/Currency/List").raw("", None).send().await;
        assert_eq!(ids(no_type.expect(200).as_array().unwrap()), all);
        assert_eq!(ids_of(&app, "Currency", json!({})).await, all);

        assert_eq!(ids_of(&app, "Currency", json!({ "limit": 3 })).await, all[..3]);
        assert_eq!(ids_of(&app, "Currency", json!({ "limit": 3, "offset": 3 })).await, all[3..6]);
        assert_eq!(ids_of(&app, "Currency", json!({ "limit": 3, "offset": 6 })).await, all[6..]);
        assert_eq!(ids_of(&app, "Currency", json!({ "offset": 5 })).await, all[5..]);
        assert_eq!(ids_of(&app, "Currency", json!({ "Limit": 2, "OFFSET": 1 })).await, all[1..3]);
        assert_eq!(ids_of(&app, "Currency", json!({ "offset": 7 })).await, Vec::<i64>::new());
        assert_eq!(ids_of(&app, "Currency", json!({ "name": "c4", "limit": 1 })).await, [all[4]]);
        assert_eq!(ids_of(&app, "Currency", json!({ "name": "c4", "offset": 1 })).await, Vec::<i64>::new());
        for (filters, field) in [
            (json!({ "limit": 0 }), "limit"),
            (json!({ "limit": -1 }), "limit"),
            (json!({ "limit": "5" }), "limit"),
            (json!({ "offset": -1 }), "offset"),
            (json!({ "offset": 1.5 }), "offset"),
        ] {
            let response = list(&app, "Currency", filters.clone()).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "{filters}");
        }
    }

    async fn text_filters_fold_case_across_scripts(app: TestApp) {
        reference_data(&app).await;
        let names = ["ärger", "ΣΊΣΥΦΟΣ", "привет", "Straße", "Ωmega"];
        for name in names {
            create(&app, "ProductType", json!({ "name": name })).await;
        }
        for (filter, expected) in [
            ("ÄRGER", "ärger"),
            ("Ärger", "ärger"),
            ("σίσυφος", "ΣΊΣΥΦΟΣ"),
            ("Σίσυφοσ", "ΣΊΣΥΦΟΣ"),
            ("ПРИВЕТ", "привет"),
            ("Привет", "привет"),
            ("STRASSE", ""),
            ("straße", "Straße"),
            ("ωMEGA", "Ωmega"),
        ] {
            let found = listed(&app, "ProductType", json!({ "name": filter })).await;
            let found: Vec<Value> = column(&found, "name");
            let expected: Vec<Value> = if expected.is_empty() { vec![] } else { vec![json!(expected)] };
            assert_eq!(found, expected, "{filter}");
        }
        // Uniqueness and references fold the same way.
        for taken in ["ÄRGER", "σίσυφος", "ПРИВЕТ"] {
            upsert(&app, "ProductType", json!({ "name": taken })).await.expect_error(409, "CONFLICT");
        }
        let mut body = product_body("Σ-1");
        body["productType"] = json!("ПРИВЕТ");
        let product = create(&app, "Product", body).await;
        assert_eq!(product["productType"], "привет");
        let mut body = product_body("Σ-2");
        body["productType"] = json!("ÄR%");
        assert_eq!(create(&app, "Product", body).await["productType"], "ärger");
        assert_eq!(listed(&app, "Product", json!({ "name": "σ-1" })).await.len(), 1);
        assert_eq!(listed(&app, "Product", json!({ "productType": "ПРИВЕТ" })).await, [product]);
    }
}
