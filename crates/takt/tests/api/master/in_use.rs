//! Delete only what nothing references: `409` whose message names the users, and nothing is
//! deleted.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

/// Asserts that deleting `entity` `id` is refused with `message`, and that the record stays.
async fn assert_in_use(app: &TestApp, entity: &str, id: i64, message: &str) {
    let before = read(app, entity, id).await;
    let response = delete(app, entity, id).await;
    assert_eq!(response.expect_error(409, "CONFLICT")["error"]["message"], message, "{entity} {id}");
    assert_eq!(read(app, entity, id).await, before, "{entity} {id} was not deleted");
}

async fn id_of(app: &TestApp, entity: &str, name: &str) -> i64 {
    let records = listed(app, entity, json!({ "name": name })).await;
    assert_eq!(records.len(), 1, "one {entity} named {name}");
    id(&records[0])
}

backend_tests! {
    async fn a_product_used_by_a_bom_and_recipes_names_them(app: TestApp) {
        let approved = bracket(&app, "Approved").await;
        recipe(&app, "R-1", "BRACKET-A", Some(id(&approved))).await;
        recipe(&app, "R-2", "BRACKET-A", None).await;
        let bracket_id = id_of(&app, "Product", "BRACKET-A").await;
        assert_in_use(&app, "Product", bracket_id, "Product 'BRACKET-A' is used by BoM 'BRK-A' and 2 recipes").await;
        let r2 = id_of(&app, "Recipe", "R-2").await;
        delete(&app, "Recipe", r2).await.expect(200);
        assert_in_use(&app, "Product", bracket_id, "Product 'BRACKET-A' is used by BoM 'BRK-A' and recipe 'R-1'").await;
    }

    async fn a_product_used_by_a_bom_slot_names_the_slot(app: TestApp) {
        let draft = bracket(&app, "Draft").await;
        let slots = listed(&app, "BomSlot", json!({ "bomVersionId": id(&draft), "product": "SCREW" })).await;
        let screw = id_of(&app, "Product", "SCREW").await;
        assert_in_use(&app, "Product", screw, &format!("Product 'SCREW' is used by BoM slot #{}", id(&slots[0]))).await;
        slot(&app, id(&draft), "SCREW", 2).await;
        assert_in_use(&app, "Product", screw, "Product 'SCREW' is used by 2 BoM slots").await;
        // A recipe of SCREW is a user too; a product whose receipt recipe it is keeps that recipe.
        recipe(&app, "R-SCREW", "SCREW", None).await;
        let sheet =
            update(&app, "Product", json!({ "id": id_of(&app, "Product", "SHEET").await, "receiptRecipe": "r-screw" }))
                .await;
        assert_eq!(sheet["receiptRecipe"], "R-SCREW");
        assert_in_use(&app, "Product", screw, "Product 'SCREW' is used by 2 BoM slots and recipe 'R-SCREW'").await;
        let r = id_of(&app, "Recipe", "R-SCREW").await;
        assert_in_use(&app, "Recipe", r, "Recipe 'R-SCREW' is used by product 'SHEET'").await;
    }

    async fn the_schedule_recipe_chain_keeps_each_link(app: TestApp) {
        let approved = bracket(&app, "Approved").await;
        let v = id(&approved);
        recipe(&app, "R-1", "BRACKET-A", Some(v)).await;
        let job = schedule(&app, "JOB-1", "R-1").await;
        let r1 = id_of(&app, "Recipe", "R-1").await;
        let bracket_id = id_of(&app, "Product", "BRACKET-A").await;
        assert_in_use(&app, "Recipe", r1, "Recipe 'R-1' is used by schedule 'JOB-1'").await;
        assert_in_use(&app, "BomVersion", v, "BoM version 'BRK-A 1.0' is used by recipe 'R-1'").await;
        assert_in_use(&app, "Bom", id_of(&app, "Bom", "BRK-A").await, "BoM 'BRK-A' is used by BoM version 'BRK-A 1.0'")
            .await;
        assert_in_use(&app, "Product", bracket_id, "Product 'BRACKET-A' is used by BoM 'BRK-A' and recipe 'R-1'").await;

        // A BoM version specific to a schedule keeps that schedule.
        let specific = create(
            &app,
            "BomVersion",
            json!({ "bom": "BRK-A", "version": "1.1", "approvalStatus": "Draft", "scheduleId": id(&job) }),
        )
        .await;
        assert_eq!(specific["scheduleId"], id(&job));
        assert_in_use(&app, "Schedule", id(&job), "Schedule 'JOB-1' is used by BoM version 'BRK-A 1.1'").await;
        let unknown = upsert(&app, "BomVersion", json!({ "id": id(&specific), "scheduleId": id(&job) + 1000 })).await;
        unknown.expect_error(404, "NOT_FOUND");
        assert_eq!(unknown.error_fields(), ["scheduleId"]);

        // Unwound from the end, every link can go.
        update(&app, "BomVersion", json!({ "id": id(&specific), "scheduleId": null })).await;
        delete(&app, "Schedule", id(&job)).await.expect(200);
        delete(&app, "Recipe", r1).await.expect(200);
        delete(&app, "BomVersion", v).await.expect(200);
        delete(&app, "BomVersion", id(&specific)).await.expect(200);
        delete(&app, "Bom", id_of(&app, "Bom", "BRK-A").await).await.expect(200);
        delete(&app, "Product", bracket_id).await.expect(200);
        assert_eq!(listed(&app, "BomSlot", json!({})).await, Vec::<Value>::new());
    }

    async fn reference_data_used_by_a_product_names_it(app: TestApp) {
        reference_data(&app).await;
        let mut body = product_body("P-1");
        body["serialRange"] = json!("SR-2026");
        body["properties"] = json!([{ "name": "Colour", "value": "Red" }]);
        create(&app, "Product", body).await;
        for (entity, name, label) in [
            ("ProductType", "Sheet Metal", "Product type"),
            ("Currency", "EUR", "Currency"),
            ("UnitOfMeasure", "pcs", "Unit of measure"),
            ("Location", "MAIN", "Location"),
            ("ReceiptProfile", "Standard", "Receipt profile"),
            ("SerialRange", "SR-2026", "Serial range"),
            ("PropertyDefinition", "Colour", "Property definition"),
        ] {
            let record = id_of(&app, entity, name).await;
            assert_in_use(&app, entity, record, &format!("{label} '{name}' is used by product 'P-1'")).await;
        }
        let mut body = product_body("P-2");
        body["properties"] = json!([{ "name": "colour", "value": "Blue" }]);
        create(&app, "Product", body).await;
        let colour = id_of(&app, "PropertyDefinition", "Colour").await;
        assert_in_use(&app, "PropertyDefinition", colour, "Property definition 'Colour' is used by 2 products").await;
        let currency = id_of(&app, "Currency", "EUR").await;
        assert_in_use(&app, "Currency", currency, "Currency 'EUR' is used by 2 products").await;

        // A tenant's own ownership type, approval status and BoM type in use.
        create(&app, "OwnershipType", json!({ "name": "Consigned" })).await;
        update(&app, "Product", json!({ "id": id_of(&app, "Product", "P-2").await, "defaultOwnership": "Consigned" }))
            .await;
        let consigned = id_of(&app, "OwnershipType", "Consigned").await;
        assert_in_use(&app, "OwnershipType", consigned, "Ownership type 'Consigned' is used by product 'P-2'").await;
        create(&app, "ApprovalStatus", json!({ "name": "In Review" })).await;
        bom(&app, "BOM-1", "P-1").await;
        update(&app, "Bom", json!({ "id": id_of(&app, "Bom", "BOM-1").await, "bomType": "Production" })).await;
        let review = version(&app, "BOM-1", "1.0", "In Review").await;
        let in_review = id_of(&app, "ApprovalStatus", "In Review").await;
        assert_in_use(
            &app,
            "ApprovalStatus",
            in_review,
            "Approval status 'In Review' is used by BoM version 'BOM-1 1.0'",
        )
        .await;
        let production = id_of(&app, "BomType", "Production").await;
        assert_in_use(&app, "BomType", production, "BoM type 'Production' is used by BoM 'BOM-1'").await;
        // A custom status is not a frozen one.
        update(&app, "BomVersion", json!({ "id": id(&review), "changeReference": "ECN-1" })).await;

        // Once unused, they can be deleted; the product's properties go with the product.
        delete(&app, "Product", id_of(&app, "Product", "P-2").await).await.expect(200);
        delete(&app, "OwnershipType", consigned).await.expect(200);
        assert_in_use(&app, "PropertyDefinition", colour, "Property definition 'Colour' is used by product 'P-1'")
            .await;
    }
}
