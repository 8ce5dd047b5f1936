//! The README walkthrough as one story: reference data, a product, a BoM, version 1.0 with two
//! slots, approval, a refused change, version 1.1, a copy of the product, and a refused delete
//! of a product in use.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

backend_tests! {
    async fn the_readme_walkthrough(app: TestApp) {
        // 1. Reference data.
        for (entity, name) in [
            ("ProductType", "Sheet Metal"),
            ("ProductType", "Fastener"),
            ("Currency", "EUR"),
            ("UnitOfMeasure", "pcs"),
            ("Location", "MAIN"),
            ("ReceiptProfile", "Standard"),
        ] {
            create(&app, entity, json!({ "name": name })).await;
        }
        create(&app, "PropertyDefinition", json!({ "tableName": "Product", "name": "Colour" })).await;

        // 2. Products, as seed 004 spells the keys.
        let product = |name: &str, product_type: &str, cost: &str| {
            format!(
                r#"{{"Product Type": "{product_type}", "SUID": "SAP-{name}", "Name": "{name}", "Version": "A",
                "Default Ownership": "Internal", "Default Cost Per Unit": {cost}, "Default Currency": "EUR",
                "Base Unit": "pcs", "Receipt Profile": "Standard", "Default Batch Size": 50,
                "Inventory Decimal Places": 0, "Location": "MAIN", "Is Active": true, "Is Planning Constraint": false,
                "Properties": [{{"Name": "Colour", "Value": "Black"}}]}}"#
            )
        };
        let bracket = upsert_raw(&app, "Product", &product("BRACKET-A", "Sheet%", "12.50")).await.expect(201).clone();
        assert_eq!(bracket["defaultCostPerUnit"].to_string(), "12.50");
        assert_eq!(bracket["productType"], "Sheet Metal");
        upsert_raw(&app, "Product", &product("SHEET-2MM", "Sheet Metal", "3.10")).await.expect(201);
        upsert_raw(&app, "Product", &product("SCREW-M4", "Fastener", "0.05")).await.expect(201);

        // 3. A BoM and its version 1.0 with two slots.
        create(&app, "Bom", json!({ "name": "BRK-A", "product": "BRACKET-A" })).await;
        let v10 = app
            .put(
                "/api/Bom Version/Upsert",
                json!({ "bom": "BRK-A", "version": "1.0", "approvalStatus": "Draft", "changeReference": "ECN-100" }),
            )
            .await
            .expect(201)
            .clone();
        slot(&app, id(&v10), "SHEET-2MM", 1).await;
        slot(&app, id(&v10), "SCREW-M4", 4).await;

        // 4. Approve it.
        let approved = update(&app, "BomVersion", json!({ "id": id(&v10), "approvalStatus": "Approved" })).await;
        assert_eq!(approved["approvalStatus"], "Approved");
        assert_eq!(
            listed(&app, "BomVersion", json!({ "bom": "BRK-A", "approvalStatus": "Approved" })).await,
            std::slice::from_ref(&approved)
        );

        // 5. Try to change it: refused, and told what to do instead.
        let change = app.put("/api/Bom Version/Upsert", json!({ "id": id(&v10), "changeReference": "ECN-101" })).await;
        let body = change.expect_error(409, "CONFLICT");
        assert_eq!(
            body["error"]["message"],
            "BoM version 'BRK-A 1.0' is Approved and frozen: its changeReference cannot change; create a new version (1.1) instead"
        );
        let more =
            upsert(&app, "BomSlot", json!({ "bomVersionId": id(&v10), "product": "SCREW-M4", "quantity": 2 })).await;
        more.expect_error(409, "CONFLICT");

        // 6. Version 1.1 takes the change.
        let v11 = create(
            &app,
            "BomVersion",
            json!({ "bom": "BRK-A", "version": "1.1", "approvalStatus": "Draft", "changeReference": "ECN-101" }),
        )
        .await;
        slot(&app, id(&v11), "SHEET-2MM", 1).await;
        slot(&app, id(&v11), "SCREW-M4", 6).await;
        let v11 = update(&app, "BomVersion", json!({ "id": id(&v11), "approvalStatus": "Approved" })).await;
        update(&app, "BomVersion", json!({ "id": id(&v10), "approvalStatus": "Obsolete" })).await;
        let versions = listed(&app, "BomVersion", json!({ "bom": "BRK-A" })).await;
        assert_eq!(column(&versions, "version"), [json!("1.0"), json!("1.1")]);
        assert_eq!(column(&versions, "approvalStatus"), [json!("Obsolete"), json!("Approved")]);
        let quantities: Vec<String> = listed(&app, "BomSlot", json!({ "bomVersionId": id(&v11) }))
            .await
            .iter()
            .map(|s| s["quantity"].to_string())
            .collect();
        assert_eq!(quantities, ["1", "6"]);

        // 7. Copy the product.
        let copy = app
            .put(
                "/api/Product/Copy",
                json!({
                    "suid": "SAP-BRACKET-B", "name": "BRACKET-B", "description": "Left-hand bracket",
                    "srcProductName": "BRACKET-A"
                }),
            )
            .await
            .expect(201)
            .clone();
        let mut expected = content(&bracket);
        expected["suid"] = json!("SAP-BRACKET-B");
        expected["name"] = json!("BRACKET-B");
        expected["description"] = json!("Left-hand bracket");
        assert_eq!(content(&copy), expected);
        assert_eq!(copy["defaultCostPerUnit"].to_string(), "12.50");

        // 8. Try to delete a product in use: refused, naming its users; the copy goes.
        recipe(&app, "R-BRK-A", "BRACKET-A", Some(id(&v11))).await;
        let in_use = delete(&app, "Product", id(&bracket)).await;
        assert_eq!(
            in_use.expect_error(409, "CONFLICT")["error"]["message"],
            "Product 'BRACKET-A' is used by BoM 'BRK-A' and recipe 'R-BRK-A'"
        );
        let screw = listed(&app, "Product", json!({ "Name": "SCREW-M4" })).await.remove(0);
        assert_eq!(
            delete(&app, "Product", id(&screw)).await.expect_error(409, "CONFLICT")["error"]["message"],
            "Product 'SCREW-M4' is used by 2 BoM slots"
        );
        assert_eq!(delete(&app, "Product", id(&copy)).await.expect(200), &copy);
        let left: Vec<Value> = column(&listed(&app, "Product", json!({})).await, "name");
        assert_eq!(left, [json!("BRACKET-A"), json!("SHEET-2MM"), json!("SCREW-M4")]);
    }
}
