//! Product (seed 004): create with every field, the mandatory fields, partial updates, exact
//! decimals, batch sizes, the "Like" product type, properties, sourceProductName and Copy.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

/// Seed 004 Table 4's parameters spelled as the seed spells them, with a value for each.
fn seed_spelled_body() -> Value {
    json!({
        "Product Type": "Sheet Metal",
        "SUID": "SAP-100234",
        "Name": "BRACKET-A",
        "Description": "Mounting bracket",
        "Version": "B",
        "Default Ownership": "Customer Owned",
        "Default Cost Per Unit": 12.5,
        "Default Currency": "EUR",
        "Base Unit": "pcs",
        "Receipt Profile": "Standard",
        "Serial Range": "SR-2026",
        "Default Batch Size": 50,
        "Min Schedule Batch Size": 10,
        "Schedule Batch Increment": 5,
        "Max Schedule Batch Size": 200,
        "Pegging Expiry Days": 30,
        "Shelf Life Days": 365,
        "Inventory Decimal Places": 2,
        "Location": "MAIN",
        "Is Active": true,
        "Is Planning Constraint": true,
        "Properties": [{ "Name": "Finish", "Value": "Powder coated" }, { "Name": "colour", "Value": "RAL 9005" }]
    })
}

/// What the product of [`seed_spelled_body`] holds, as responses spell it.
fn seed_spelled_content() -> Value {
    json!({
        "productType": "Sheet Metal",
        "suid": "SAP-100234",
        "name": "BRACKET-A",
        "description": "Mounting bracket",
        "version": "B",
        "defaultOwnership": "Customer Owned",
        "defaultCostPerUnit": 12.5,
        "defaultCurrency": "EUR",
        "baseUnit": "pcs",
        "receiptProfile": "Standard",
        "receiptRecipe": null,
        "serialRange": "SR-2026",
        "defaultBatchSize": 50,
        "minScheduleBatchSize": 10,
        "scheduleBatchIncrement": 5,
        "maxScheduleBatchSize": 200,
        "peggingExpiryDays": 30,
        "shelfLifeDays": 365,
        "inventoryDecimalPlaces": 2,
        "location": "MAIN",
        "isActive": true,
        "isPlanningConstraint": true,
        "properties": [{ "name": "Colour", "value": "RAL 9005" }, { "name": "Finish", "value": "Powder coated" }]
    })
}

backend_tests! {
    async fn a_product_with_every_seed_field_is_created_and_read_back(app: TestApp) {
        reference_data(&app).await;
        let product = create(&app, "Product", seed_spelled_body()).await;
        assert_eq!(content(&product), seed_spelled_content(), "properties come back by their defined names, sorted");
        let mut expected_keys = vec!["id".to_owned()];
        expected_keys.extend(keys(&seed_spelled_content()));
        expected_keys.extend(["createdAt".to_owned(), "updatedAt".to_owned()]);
        assert_eq!(keys(&product), expected_keys, "camelCase, in seed order, stamps last");
        assert_eq!(product["createdAt"], product["updatedAt"]);
        assert!(chrono::DateTime::parse_from_rfc3339(product["createdAt"].as_str().unwrap()).is_ok());
        assert_eq!(read(&app, "Product", id(&product)).await, product);
    }

    async fn each_mandatory_field_left_out_of_a_create_is_named(app: TestApp) {
        reference_data(&app).await;
        for field in PRODUCT_MANDATORY {
            let mut body = product_body("P-1");
            body.as_object_mut().unwrap().remove(field);
            let response = upsert(&app, "Product", body.clone()).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "without {field}");
            body[field] = Value::Null;
            let response = upsert(&app, "Product", body).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "with {field}: null");
        }
        let empty = upsert(&app, "Product", json!({})).await;
        empty.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(empty.error_fields(), PRODUCT_MANDATORY);
        assert_eq!(listed(&app, "Product", json!({})).await, Vec::<Value>::new());
        // Everything else is optional.
        let minimal = product(&app, "P-1").await;
        for optional in [
            "suid",
            "description",
            "receiptRecipe",
            "serialRange",
            "minScheduleBatchSize",
            "scheduleBatchIncrement",
            "maxScheduleBatchSize",
            "peggingExpiryDays",
            "shelfLifeDays",
        ] {
            assert_eq!(minimal[optional], Value::Null, "{optional}");
        }
        assert_eq!(minimal["properties"], json!([]));
    }

    async fn an_update_by_id_changes_only_the_given_fields(app: TestApp) {
        reference_data(&app).await;
        let product = create(&app, "Product", seed_spelled_body()).await;
        let updated = update(
            &app,
            "Product",
            json!({ "ID": id(&product), "Description": "Bracket, rev. C", "serialRange": null, "isActive": false }),
        )
        .await;
        let mut expected = seed_spelled_content();
        expected["description"] = json!("Bracket, rev. C");
        expected["serialRange"] = Value::Null;
        expected["isActive"] = json!(false);
        assert_eq!(content(&updated), expected, "properties and the other fields stay");
        assert_eq!(updated["createdAt"], product["createdAt"]);
        assert_eq!(read(&app, "Product", id(&product)).await, updated);

        // Required fields cannot be cleared; a refused update writes nothing.
        let cleared = upsert(&app, "Product", json!({ "id": id(&product), "version": null, "name": null })).await;
        cleared.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(cleared.error_fields(), ["name", "version"]);
        let bad =
            upsert(&app, "Product", json!({ "id": id(&product), "description": "x", "inventoryDecimalPlaces": 11 }))
                .await;
        bad.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad.error_fields(), ["inventoryDecimalPlaces"]);
        assert_eq!(read(&app, "Product", id(&product)).await, updated);

        // Updating an id that does not exist is 404, and creates nothing.
        let missing = upsert(&app, "Product", json!({ "id": id(&product) + 1000, "description": "x" })).await;
        let body = missing.expect_error(404, "NOT_FOUND");
        assert_eq!(body["error"]["message"], format!("Product with id {} does not exist", id(&product) + 1000));
        assert_eq!(listed(&app, "Product", json!({})).await.len(), 1);
    }

    async fn a_deleted_product_is_gone(app: TestApp) {
        reference_data(&app).await;
        let bracket = create(&app, "Product", seed_spelled_body()).await;
        let other = product(&app, "OTHER").await;
        let deleted = app.delete("/api/Product/Delete", json!({ "ID": id(&bracket) })).await;
        assert_eq!(deleted.expect(200), &bracket);
        assert_eq!(listed(&app, "Product", json!({})).await, [other]);
        delete(&app, "Product", id(&bracket)).await.expect_error(404, "NOT_FOUND");
        // Its name, suid and property values are free again.
        let again = create(&app, "Product", seed_spelled_body()).await;
        assert_eq!(content(&again), seed_spelled_content());
    }

    async fn names_and_suids_are_unique_per_tenant_in_any_case(app: TestApp) {
        reference_data(&app).await;
        let bracket = create(&app, "Product", seed_spelled_body()).await;
        let name = upsert(&app, "Product", product_body("bracket-a")).await;
        assert_eq!(name.expect_error(409, "CONFLICT")["error"]["message"], "Product 'bracket-a' already exists");
        let mut body = product_body("BRACKET-B");
        body["suid"] = json!("sap-100234");
        let suid = upsert(&app, "Product", body).await;
        assert_eq!(
            suid.expect_error(409, "CONFLICT")["error"]["message"],
            "Product with suid 'sap-100234' already exists"
        );
        // Products without a suid do not collide.
        product(&app, "NO-SUID-1").await;
        product(&app, "NO-SUID-2").await;
        // A product may change the case of its own name.
        let recased =
            update(&app, "Product", json!({ "id": id(&bracket), "name": "Bracket-A", "suid": "SAP-100234" })).await;
        assert_eq!(recased["name"], "Bracket-A");
        let bracket = update(&app, "Product", json!({ "id": id(&bracket), "name": "BRACKET-A" })).await;
        let renamed = upsert(&app, "Product", json!({ "id": id(&bracket), "name": "No-Suid-1" })).await;
        renamed.expect_error(409, "CONFLICT");
        assert_eq!(listed(&app, "Product", json!({})).await.len(), 3);
        assert_eq!(read(&app, "Product", id(&bracket)).await, bracket);
    }

    async fn references_by_name_must_exist_and_each_missing_one_is_named(app: TestApp) {
        reference_data(&app).await;
        let mut body = product_body("P-1");
        body["defaultCurrency"] = json!("USD");
        let one = upsert(&app, "Product", body.clone()).await;
        let error = one.expect_error(404, "NOT_FOUND");
        assert_eq!(one.error_fields(), ["defaultCurrency"]);
        assert_eq!(error["error"]["message"], "no currency named 'USD'");
        body["baseUnit"] = json!("kg");
        body["location"] = json!("ANNEX");
        body["receiptRecipe"] = json!("RR-1");
        body["serialRange"] = json!("SR-1999");
        body["defaultOwnership"] = json!("Leased");
        let several = upsert(&app, "Product", body).await;
        several.expect_error(404, "NOT_FOUND");
        assert_eq!(
            several.error_fields(),
            ["defaultOwnership", "defaultCurrency", "baseUnit", "receiptRecipe", "serialRange", "location"]
        );
        // An exact reference takes `%` literally.
        let mut body = product_body("P-1");
        body["defaultCurrency"] = json!("E%");
        let pattern = upsert(&app, "Product", body).await;
        pattern.expect_error(404, "NOT_FOUND");
        assert_eq!(pattern.error_fields(), ["defaultCurrency"]);
        // A reference matches its target's name in any case and answers with the stored name.
        let mut body = product_body("P-1");
        body["defaultCurrency"] = json!("eur");
        body["defaultOwnership"] = json!("VENDOR OWNED");
        let product = create(&app, "Product", body).await;
        assert_eq!(
            (product["defaultCurrency"].clone(), product["defaultOwnership"].clone()),
            (json!("EUR"), json!("Vendor Owned"))
        );
        assert_eq!(listed(&app, "Product", json!({})).await.len(), 1);
    }

    async fn the_product_type_is_a_like_reference(app: TestApp) {
        reference_data(&app).await;
        for name in ["Sheet_Plastic", "SheetXPlastic", "Tube"] {
            create(&app, "ProductType", json!({ "name": name })).await;
        }
        let create_with = |product_type: &str, name: &str| {
            let mut body = product_body(name);
            body["productType"] = json!(product_type);
            upsert(&app, "Product", body)
        };
        // `%` matching exactly one type resolves to it.
        let one = created(create_with("%metal", "P-1").await);
        assert_eq!(one["productType"], "Sheet Metal");
        let one = created(create_with("TU%", "P-2").await);
        assert_eq!(one["productType"], "Tube");
        // `_` is a literal underscore, not a one-character wildcard.
        let underscore = created(create_with("sheet_%", "P-3").await);
        assert_eq!(underscore["productType"], "Sheet_Plastic");
        let literal = create_with("Sheet_Metal", "P-4").await;
        literal.expect_error(404, "NOT_FOUND");
        assert_eq!(literal.error_fields(), ["productType"]);
        // Several matches are 422, no match is 404.
        let several = create_with("sheet%", "P-5").await;
        let body = several.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(several.error_fields(), ["productType"]);
        let message = body["error"]["details"][0]["message"].as_str().unwrap();
        assert!(message.contains("matches 3 product types"), "{message}");
        let none = create_with("%wood%", "P-6").await;
        assert_eq!(none.expect_error(404, "NOT_FOUND")["error"]["message"], "no product type matches '%wood%'");
        assert_eq!(none.error_fields(), ["productType"]);
        // Without `%` it is an exact (case-insensitive) name.
        let exact = created(create_with("SHEETXPLASTIC", "P-7").await);
        assert_eq!(exact["productType"], "SheetXPlastic");
        // The same rules on update.
        let moved = update(&app, "Product", json!({ "id": id(&exact), "productType": "%be" })).await;
        assert_eq!(moved["productType"], "Tube");
        upsert(&app, "Product", json!({ "id": id(&exact), "productType": "%e%" }))
            .await
            .expect_error(422, "VALIDATION_ERROR");
        assert_eq!(read(&app, "Product", id(&exact)).await["productType"], "Tube");
        assert_eq!(listed(&app, "Product", json!({})).await.len(), 4);
    }

    async fn decimals_round_trip_digit_for_digit(app: TestApp) {
        reference_data(&app).await;
        let body = r#"{"productType": "Sheet Metal", "name": "EXACT", "version": "A", "defaultOwnership": "Internal",
            "defaultCostPerUnit": 12.50, "defaultCurrency": "EUR", "baseUnit": "pcs", "receiptProfile": "Standard",
            "minScheduleBatchSize": 0.1, "defaultBatchSize": 1234567890.123456789012345678,
            "scheduleBatchIncrement": 0.000000000000000000000000001, "maxScheduleBatchSize": 9999999999999999999999999999,
            "inventoryDecimalPlaces": 10, "location": "MAIN", "isActive": true, "isPlanningConstraint": false}"#;
        let expected = [
            ("defaultCostPerUnit", "12.50"),
            ("minScheduleBatchSize", "0.1"),
            ("defaultBatchSize", "1234567890.123456789012345678"),
            ("scheduleBatchIncrement", "0.000000000000000000000000001"),
            ("maxScheduleBatchSize", "9999999999999999999999999999"),
        ];
        let product = created(upsert_raw(&app, "Product", body).await);
        let stored = read(&app, "Product", id(&product)).await;
        for (field, digits) in expected {
            assert_eq!(product[field].to_string(), digits, "{field} as answered");
            assert_eq!(stored[field].to_string(), digits, "{field} as stored");
        }
        let zero = update(&app, "Product", json!({ "id": id(&product), "defaultCostPerUnit": 0 })).await;
        assert_eq!(zero["defaultCostPerUnit"].to_string(), "0");
        let updated =
            upsert_raw(&app, "Product", &format!(r#"{{"id": {}, "defaultCostPerUnit": 7.000}}"#, id(&product))).await;
        assert_eq!(updated.expect(200)["defaultCostPerUnit"].to_string(), "7.000");

        // Beyond 28 significant digits, negative amounts and strings are refused.
        for (value, field) in [
            ("12345678901234567890.1234567890", "defaultCostPerUnit"),
            ("-0.01", "defaultCostPerUnit"),
            ("\"12.50\"", "defaultCostPerUnit"),
            ("0", "defaultBatchSize"),
            ("-1", "defaultBatchSize"),
        ] {
            let response =
                upsert_raw(&app, "Product", &format!(r#"{{"id": {}, "{field}": {value}}}"#, id(&product))).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "{field}: {value}");
        }
        assert_eq!(read(&app, "Product", id(&product)).await["defaultCostPerUnit"].to_string(), "7.000");
    }

    async fn batch_sizes_keep_min_le_default_le_max_and_a_positive_increment(app: TestApp) {
        reference_data(&app).await;
        let with = |name: &str, fields: Value| {
            let mut body = product_body(name);
            for (k, v) in fields.as_object().unwrap() {
                body[k] = v.clone();
            }
            upsert(&app, "Product", body)
        };
        for (fields, bad) in [
            (json!({ "minScheduleBatchSize": 11 }), "minScheduleBatchSize"),
            (json!({ "maxScheduleBatchSize": 9.99 }), "maxScheduleBatchSize"),
            (json!({ "scheduleBatchIncrement": 0 }), "scheduleBatchIncrement"),
            (json!({ "scheduleBatchIncrement": -5 }), "scheduleBatchIncrement"),
            (json!({ "maxScheduleBatchSize": 0 }), "maxScheduleBatchSize"),
            (json!({ "minScheduleBatchSize": -1 }), "minScheduleBatchSize"),
        ] {
            let response = with("P-BAD", fields.clone()).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [bad], "{fields}");
        }
        let both = with("P-BAD", json!({ "minScheduleBatchSize": 20, "maxScheduleBatchSize": 5 })).await;
        both.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(both.error_fields(), ["minScheduleBatchSize", "maxScheduleBatchSize"]);
        assert_eq!(listed(&app, "Product", json!({})).await, Vec::<Value>::new());

        // Equal bounds are fine; a minimum of 0 is fine.
        let edge = created(
            with(
                "P-EDGE",
                json!({ "minScheduleBatchSize": 10, "maxScheduleBatchSize": 10, "scheduleBatchIncrement": 1 }),
            )
            .await,
        );
        created(with("P-ZERO", json!({ "minScheduleBatchSize": 0 })).await);

        // An update is checked against the stored values it leaves alone.
        let raise = upsert(&app, "Product", json!({ "id": id(&edge), "defaultBatchSize": 11 })).await;
        raise.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(raise.error_fields(), ["maxScheduleBatchSize"]);
        let lower = upsert(&app, "Product", json!({ "id": id(&edge), "defaultBatchSize": 9 })).await;
        lower.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(lower.error_fields(), ["minScheduleBatchSize"]);
        assert_eq!(read(&app, "Product", id(&edge)).await, edge);
        let widened =
            update(&app, "Product", json!({ "id": id(&edge), "defaultBatchSize": 11, "maxScheduleBatchSize": 100 }))
                .await;
        assert_eq!(
            (widened["defaultBatchSize"].clone(), widened["maxScheduleBatchSize"].clone()),
            (json!(11), json!(100))
        );
        // Clearing a bound removes its rule.
        let cleared =
            update(&app, "Product", json!({ "id": id(&edge), "minScheduleBatchSize": null, "defaultBatchSize": 1 }))
                .await;
        assert_eq!(cleared["minScheduleBatchSize"], Value::Null);
    }

    async fn properties_must_be_defined_for_products_and_replace_the_list(app: TestApp) {
        reference_data(&app).await;
        let mut body = product_body("P-1");
        body["properties"] = json!([{ "name": "Colour", "value": "Red" }, { "name": "Weight", "value": "2 kg" }]);
        let unknown = upsert(&app, "Product", body).await;
        let error = unknown.expect_error(404, "NOT_FOUND");
        assert_eq!(unknown.error_fields(), ["properties[1].name"]);
        assert_eq!(error["error"]["message"], "no property definition named 'Weight' for Product");
        assert_eq!(listed(&app, "Product", json!({})).await, Vec::<Value>::new(), "nothing written");

        let mut body = product_body("P-1");
        body["properties"] = json!([{ "name": "Colour", "value": "Red" }, { "name": "COLOUR", "value": "Blue" }]);
        let repeated = upsert(&app, "Product", body).await;
        repeated.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(repeated.error_fields(), ["properties[1].name"]);

        let mut body = product_body("P-1");
        body["properties"] = json!([{ "name": "Colour" }, { "value": "Matt", "size": 3 }, "Finish"]);
        let malformed = upsert(&app, "Product", body).await;
        malformed.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(
            malformed.error_fields(),
            ["properties[0].value", "properties[1].name", "properties[1].size", "properties[2]"]
        );

        // A value may be 500 bytes of UTF-8, not one more.
        let mut body = product_body("P-1");
        body["properties"] = json!([{ "name": "Colour", "value": text_over(500) }]);
        let long = upsert(&app, "Product", body).await;
        long.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(long.error_fields(), ["properties[0].value"]);
        let mut body = product_body("P-1");
        body["properties"] = json!([{ "name": "Colour", "value": text_of_bytes(500) }]);
        let product = create(&app, "Product", body).await;
        assert_eq!(product["properties"], json!([{ "name": "Colour", "value": text_of_bytes(500) }]));

        // A list given on update replaces the whole list; left out, it stays; [] or null clears it.
        let replaced = update(
            &app,
            "Product",
            json!({ "id": id(&product), "properties": [{ "name": "finish", "value": "Matt" }] }),
        )
        .await;
        assert_eq!(replaced["properties"], json!([{ "name": "Finish", "value": "Matt" }]));
        let kept = update(&app, "Product", json!({ "id": id(&product), "description": "d" })).await;
        assert_eq!(kept["properties"], replaced["properties"]);
        let refused =
            upsert(&app, "Product", json!({ "id": id(&product), "properties": [{ "name": "Size", "value": "L" }] }))
                .await;
        refused.expect_error(404, "NOT_FOUND");
        assert_eq!(read(&app, "Product", id(&product)).await["properties"], replaced["properties"]);
        assert_eq!(
            update(&app, "Product", json!({ "id": id(&product), "properties": [] })).await["properties"],
            json!([])
        );
        update(&app, "Product", json!({ "id": id(&product), "properties": [{ "name": "Finish", "value": "Matt" }] }))
            .await;
        assert_eq!(
            update(&app, "Product", json!({ "id": id(&product), "properties": null })).await["properties"],
            json!([])
        );
    }

    async fn source_product_name_fills_what_a_create_leaves_out(app: TestApp) {
        reference_data(&app).await;
        let source = create(&app, "Product", seed_spelled_body()).await;
        let filled = create(
            &app,
            "Product",
            json!({
                "name": "BRACKET-B", "Source Product Name": "bracket-a", "Description": "Own description",
                "Shelf Life Days": 10
            }),
        )
        .await;
        let mut expected = seed_spelled_content();
        expected["name"] = json!("BRACKET-B");
        expected["suid"] = Value::Null;
        expected["description"] = json!("Own description");
        expected["shelfLifeDays"] = json!(10);
        assert_eq!(content(&filled), expected, "fields and properties from the source, but not its suid");
        assert_eq!(read(&app, "Product", id(&source)).await, source, "the source is untouched");

        // Given properties replace the source's.
        let own = create(
            &app,
            "Product",
            json!({
                "name": "BRACKET-C", "suid": "C", "sourceProductName": "BRACKET-A",
                "properties": [{ "name": "Colour", "value": "Green" }]
            }),
        )
        .await;
        assert_eq!(own["properties"], json!([{ "name": "Colour", "value": "Green" }]));
        assert_eq!(own["suid"], "C");

        // The source must exist; it is only for creates; the new product still needs its own name.
        let missing = upsert(&app, "Product", json!({ "name": "BRACKET-D", "sourceProductName": "BRACKET-Z" })).await;
        assert_eq!(missing.expect_error(404, "NOT_FOUND")["error"]["message"], "no product named 'BRACKET-Z'");
        assert_eq!(missing.error_fields(), ["sourceProductName"]);
        let on_update = upsert(&app, "Product", json!({ "id": id(&own), "sourceProductName": "BRACKET-A" })).await;
        on_update.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(on_update.error_fields(), ["sourceProductName"]);
        let nameless = upsert(&app, "Product", json!({ "sourceProductName": "BRACKET-A" })).await;
        nameless.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(nameless.error_fields(), ["name"]);
        let clash = upsert(&app, "Product", json!({ "name": "BRACKET-A", "sourceProductName": "BRACKET-A" })).await;
        clash.expect_error(409, "CONFLICT");
        let long = upsert(&app, "Product", json!({ "name": "BRACKET-E", "sourceProductName": text_over(250) })).await;
        long.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(long.error_fields(), ["sourceProductName"]);
        assert_eq!(listed(&app, "Product", json!({})).await.len(), 3);
    }

    async fn copy_makes_a_new_product_with_every_field_and_property(app: TestApp) {
        reference_data(&app).await;
        let source = create(&app, "Product", seed_spelled_body()).await;
        let copy = app
            .put(
                "/api/Product/Copy",
                json!({
                    "suid": "SAP-100235", "name": "BRACKET-A2", "description": "A copy", "srcProductName": "BRACKET-A"
                }),
            )
            .await;
        let copy = copy.expect(201).clone();
        assert_ne!(id(&copy), id(&source));
        let mut expected = seed_spelled_content();
        expected["suid"] = json!("SAP-100235");
        expected["name"] = json!("BRACKET-A2");
        expected["description"] = json!("A copy");
        assert_eq!(content(&copy), expected);
        assert_eq!(read(&app, "Product", id(&copy)).await, copy);
        assert_eq!(read(&app, "Product", id(&source)).await, source);

        // Without a description the copy keeps the source's; keys ignore case.
        let plain = app
            .put(
                "/api/product/copy",
                json!({ "SUID": "SAP-100236", "Name": "BRACKET-A3", "SrcProductName": "bracket-a" }),
            )
            .await;
        let plain = plain.expect(201).clone();
        assert_eq!(plain["description"], "Mounting bracket");
        assert_eq!(plain["properties"], expected["properties"]);
    }

    async fn copy_refuses_a_missing_source_a_taken_name_or_suid_and_bad_fields(app: TestApp) {
        reference_data(&app).await;
        create(&app, "Product", seed_spelled_body()).await;
        product(&app, "OTHER").await;
        let copy = |body: Value| app.put("/api/Product/Copy", body);

        let missing = copy(json!({ "suid": "S-1", "name": "NEW", "srcProductName": "NOPE" })).await;
        assert_eq!(missing.expect_error(404, "NOT_FOUND")["error"]["message"], "no product named 'NOPE'");
        assert_eq!(missing.error_fields(), ["srcProductName"]);
        let name = copy(json!({ "suid": "S-1", "name": "other", "srcProductName": "BRACKET-A" })).await;
        assert_eq!(name.expect_error(409, "CONFLICT")["error"]["message"], "Product 'other' already exists");
        let suid = copy(json!({ "suid": "sap-100234", "name": "NEW", "srcProductName": "BRACKET-A" })).await;
        assert_eq!(
            suid.expect_error(409, "CONFLICT")["error"]["message"],
            "Product with suid 'sap-100234' already exists"
        );

        let empty = copy(json!({})).await;
        empty.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(empty.error_fields(), ["suid", "name", "srcProductName"]);
        let unknown =
            copy(json!({ "suid": "S-1", "name": "NEW", "srcProductName": "BRACKET-A", "version": "C" })).await;
        unknown.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(unknown.error_fields(), ["version"]);

        // Seed 004 Table 8's byte limits, in multi-byte text.
        for (field, limit) in [("suid", 200), ("name", 50), ("description", 200), ("srcProductName", 50)] {
            let mut body = json!({ "suid": "S-1", "name": "NEW", "description": "d", "srcProductName": "BRACKET-A" });
            body[field] = json!(text_over(limit));
            let response = copy(body).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "{field} over {limit} bytes");
        }
        assert_eq!(listed(&app, "Product", json!({})).await.len(), 2, "nothing was written");
        let at_limit = copy(json!({
            "suid": text_of_bytes(200), "name": text_of_bytes(50), "description": text_of_bytes(200),
            "srcProductName": "BRACKET-A"
        }))
        .await;
        let at_limit = at_limit.expect(201).clone();
        assert_eq!(
            (at_limit["name"].clone(), at_limit["suid"].clone()),
            (json!(text_of_bytes(50)), json!(text_of_bytes(200)))
        );
        // A source whose name is at Copy's limit can be copied in turn.
        let again = copy(json!({ "suid": "S-2", "name": "NEW", "srcProductName": text_of_bytes(50) })).await;
        assert_eq!(again.expect(201)["description"], json!(text_of_bytes(200)));
    }
}

backend_tests! {
    /// Connectors written against Oracle send `""` for "no suid"; two such products must not collide.
    async fn a_blank_suid_is_no_suid(app: TestApp) {
        reference_data(&app).await;
        for name in ["BLANK-1", "BLANK-2"] {
            let mut body = product_body(name);
            body["suid"] = json!("");
            let created = app.put("/api/Product/Upsert", body).await;
            assert_eq!(created.expect(201)["suid"], Value::Null);
        }
        let listed = app.post("/api/Product/List", json!({"suid": null})).await;
        assert_eq!(listed.expect(200).as_array().unwrap().len(), 2);
    }

    /// Required text stays required on update: a blank name is refused, not stored.
    async fn a_blank_name_is_refused_on_update(app: TestApp) {
        reference_data(&app).await;
        let id = app.put("/api/Product/Upsert", product_body("NAMED")).await.expect(201)["id"].clone();
        let blank = app.put("/api/Product/Upsert", json!({"id": id, "name": "  "})).await;
        blank.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(blank.error_fields(), ["name"]);
        let listed = app.post("/api/Product/List", json!({"id": id})).await;
        assert_eq!(listed.expect(200)[0]["name"], "NAMED");
    }
}
