//! Byte-length limits of the seeds' `VARCHAR2(n BYTE)` columns, in multi-byte text: at the limit
//! passes (and comes back whole), one byte over is a `422` naming the field.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

/// A text field's limit, and a valid create body (the `n`th, so unique values stay unique).
struct Limit<'a> {
    entity: &'static str,
    field: &'static str,
    bytes: usize,
    body: Box<dyn Fn(usize) -> Value + 'a>,
}

fn limit<'a>(entity: &'static str, field: &'static str, bytes: usize, body: impl Fn(usize) -> Value + 'a) -> Limit<'a> {
    Limit { entity, field, bytes, body: Box::new(body) }
}

backend_tests! {
    async fn text_fields_take_their_limit_in_bytes_and_not_one_more(app: TestApp) {
        let draft = bracket(&app, "Draft").await;
        let v = id(&draft);
        recipe(&app, "R-SHEET", "SHEET", None).await;
        let limits = [
            limit("Product", "name", 250, |n| product_body(&format!("P-{n}"))),
            limit("Product", "suid", 200, |n| product_body(&format!("P-{n}"))),
            limit("Product", "description", 2000, |n| product_body(&format!("P-{n}"))),
            limit("Product", "version", 50, |n| product_body(&format!("P-{n}"))),
            limit("Bom", "name", 100, |n| json!({ "name": format!("B-{n}"), "product": "SHEET" })),
            limit("Bom", "suid", 120, |n| json!({ "name": format!("B-{n}"), "product": "SHEET" })),
            limit(
                "BomVersion",
                "changeReference",
                100,
                |n| json!({ "bom": "BRK-A", "version": format!("{n}.0"), "approvalStatus": "Draft" }),
            ),
            limit(
                "BomVersion",
                "suid",
                120,
                |n| json!({ "bom": "BRK-A", "version": format!("{n}.0"), "approvalStatus": "Draft" }),
            ),
            limit(
                "BomVersion",
                "description",
                2000,
                |n| json!({ "bom": "BRK-A", "version": format!("{n}.0"), "approvalStatus": "Draft" }),
            ),
            limit("BomSlot", "slotType", 50, move |_| json!({ "bomVersionId": v, "product": "SCREW", "quantity": 1 })),
            limit("Recipe", "name", 200, |n| json!({ "name": format!("R-{n}"), "product": "SHEET" })),
            limit("Recipe", "suid", 120, |n| json!({ "name": format!("R-{n}"), "product": "SHEET" })),
            limit("Schedule", "name", 200, |n| json!({ "name": format!("S-{n}"), "recipe": "R-SHEET", "quantity": 1 })),
        ];
        for (n, limit) in limits.iter().enumerate() {
            let (entity, field) = (limit.entity, limit.field);
            let mut body = (limit.body)(2 * n + 10);
            body[field] = json!(text_over(limit.bytes));
            let over = upsert(&app, entity, body).await;
            let error = over.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(over.error_fields(), [field], "{entity}.{field}");
            assert_eq!(
                error["error"]["details"][0]["message"],
                format!("must be at most {} bytes of UTF-8 (got {})", limit.bytes, limit.bytes + 1),
                "{entity}.{field}"
            );
            let mut body = (limit.body)(2 * n + 11);
            body[field] = json!(text_of_bytes(limit.bytes));
            let record = create(&app, entity, body).await;
            assert_eq!(
                read(&app, entity, id(&record)).await[field],
                json!(text_of_bytes(limit.bytes)),
                "{entity}.{field}"
            );
            // The same limit holds on update.
            let mut change = json!({ "id": id(&record) });
            change[field] = json!(text_over(limit.bytes));
            let update = upsert(&app, entity, change).await;
            update.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(update.error_fields(), [field], "{entity}.{field} on update");
        }
    }

    async fn references_by_name_have_their_targets_name_limits(app: TestApp) {
        reference_data(&app).await;
        for (field, bytes) in [
            ("productType", 250),
            ("defaultOwnership", 50),
            ("defaultCurrency", 50),
            ("baseUnit", 30),
            ("receiptProfile", 100),
            ("receiptRecipe", 200),
            ("serialRange", 500),
            ("location", 20),
        ] {
            let mut body = product_body("P-1");
            body[field] = json!(text_over(bytes));
            let over = upsert(&app, "Product", body).await;
            over.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(over.error_fields(), [field], "{field} over {bytes} bytes");
            let mut body = product_body("P-1");
            body[field] = json!(text_of_bytes(bytes));
            let unknown = upsert(&app, "Product", body).await;
            unknown.expect_error(404, "NOT_FOUND");
            assert_eq!(unknown.error_fields(), [field], "{field} of {bytes} bytes is looked up");
        }
        // A location named with all 20 bytes is found by a product.
        create(&app, "Location", json!({ "name": text_of_bytes(20) })).await;
        let mut body = product_body("P-1");
        body["location"] = json!(text_of_bytes(20));
        assert_eq!(create(&app, "Product", body).await["location"], json!(text_of_bytes(20)));

        // Property names take PropertyDefinition's 50 bytes, values 500.
        create(&app, "PropertyDefinition", json!({ "tableName": "Product", "name": text_of_bytes(50) })).await;
        let mut body = product_body("P-2");
        body["properties"] = json!([
            { "name": text_of_bytes(50), "value": text_of_bytes(500) },
            { "name": text_over(50), "value": "x" }
        ]);
        let over = upsert(&app, "Product", body).await;
        over.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(over.error_fields(), ["properties[1].name"]);
        let mut body = product_body("P-2");
        body["properties"] = json!([{ "name": text_of_bytes(50), "value": text_of_bytes(500) }]);
        let product = create(&app, "Product", body).await;
        assert_eq!(product["properties"], json!([{ "name": text_of_bytes(50), "value": text_of_bytes(500) }]));

        for (entity, body, field) in [
            ("Bom", json!({ "name": "B", "product": text_over(250) }), "product"),
            ("BomVersion", json!({ "bom": text_over(100), "version": "1.0", "approvalStatus": "Draft" }), "bom"),
            ("BomVersion", json!({ "bom": "B", "version": "1.0", "approvalStatus": text_over(50) }), "approvalStatus"),
            ("Recipe", json!({ "name": "R", "product": text_over(250) }), "product"),
            ("Schedule", json!({ "name": "S", "recipe": text_over(200), "quantity": 1 }), "recipe"),
        ] {
            let response = upsert(&app, entity, body).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "{entity}.{field}");
        }
    }

    async fn text_with_a_nul_character_is_refused(app: TestApp) {
        reference_data(&app).await;
        let location = upsert(&app, "Location", json!({ "name": "DOCK\u{0}1" })).await;
        location.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(location.error_fields(), ["name"]);
        let mut body = product_body("P-1");
        body["description"] = json!("a\u{0}b");
        body["properties"] = json!([{ "name": "Colour", "value": "\u{0}" }]);
        let product = upsert(&app, "Product", body).await;
        product.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(product.error_fields(), ["description", "properties[0].value"]);
        assert_eq!(listed(&app, "Product", json!({})).await, Vec::<Value>::new());
    }
}
