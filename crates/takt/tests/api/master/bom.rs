//! BoMs, BoM versions (seed 003) and BoM slots: versions as "major.minor", frozen approved
//! versions, and slots that go with their version.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

/// Asserts the `409` of a change to the approved version BRK-A 1.0, which tells the caller to
/// create the next free version instead.
#[track_caller]
fn assert_frozen(response: &crate::support::Response, what: &str, next: &str) {
    let body = response.expect_error(409, "CONFLICT");
    let message = body["error"]["message"].as_str().unwrap();
    assert_eq!(
        message,
        format!(
            "BoM version 'BRK-A 1.0' is Approved and frozen: {what} cannot change; create a new version ({next}) instead"
        )
    );
}

backend_tests! {
    async fn a_bom_ties_versions_to_a_product(app: TestApp) {
        reference_data(&app).await;
        product(&app, "BRACKET-A").await;
        product(&app, "BRACKET-B").await;
        let bom = create(
            &app,
            "Bom",
            json!({ "name": "BRK-A", "product": "bracket-a", "bomType": "production", "suid": "B-1" }),
        )
        .await;
        assert_eq!(keys(&bom), ["id", "name", "product", "bomType", "suid", "createdAt", "updatedAt"]);
        assert_eq!(
            content(&bom),
            json!({ "name": "BRK-A", "product": "BRACKET-A", "bomType": "Production", "suid": "B-1" })
        );
        let moved = update(&app, "Bom", json!({ "id": id(&bom), "product": "BRACKET-B", "bomType": null })).await;
        assert_eq!(content(&moved), json!({ "name": "BRK-A", "product": "BRACKET-B", "bomType": null, "suid": "B-1" }));
        // References hold the record, not the name: a renamed product shows under its new name.
        let bracket_b = listed(&app, "Product", json!({ "name": "BRACKET-B" })).await.remove(0);
        update(&app, "Product", json!({ "id": id(&bracket_b), "name": "BRACKET-B2" })).await;
        assert_eq!(read(&app, "Bom", id(&bom)).await["product"], "BRACKET-B2");
        assert_eq!(listed(&app, "Bom", json!({ "product": "bracket-b2" })).await.len(), 1);
        assert_eq!(listed(&app, "Bom", json!({ "product": "BRACKET-B" })).await.len(), 0);
        update(&app, "Product", json!({ "id": id(&bracket_b), "name": "BRACKET-B" })).await;

        let missing = upsert(&app, "Bom", json!({ "suid": "B-2" })).await;
        missing.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(missing.error_fields(), ["name", "product"]);
        let unknown =
            upsert(&app, "Bom", json!({ "name": "BRK-C", "product": "BRACKET-C", "bomType": "Phantom" })).await;
        unknown.expect_error(404, "NOT_FOUND");
        assert_eq!(unknown.error_fields(), ["product", "bomType"]);
        upsert(&app, "Bom", json!({ "name": "brk-a", "product": "BRACKET-A" })).await.expect_error(409, "CONFLICT");
        upsert(&app, "Bom", json!({ "name": "BRK-B", "product": "BRACKET-A", "suid": "b-1" }))
            .await
            .expect_error(409, "CONFLICT");
        assert_eq!(listed(&app, "Bom", json!({})).await, std::slice::from_ref(&moved));

        delete(&app, "Bom", id(&bom)).await.expect(200);
        assert_eq!(listed(&app, "Bom", json!({})).await, Vec::<Value>::new());
        delete(&app, "Bom", id(&bom)).await.expect_error(404, "NOT_FOUND");
    }

    async fn a_version_is_given_as_major_minor_or_as_two_numbers(app: TestApp) {
        reference_data(&app).await;
        product(&app, "BRACKET-A").await;
        bom(&app, "BRK-A", "BRACKET-A").await;
        let seed = app
            .put(
                "/api/Bom Version/Upsert",
                json!({
                    "bom": "BRK-A", "version": "1.0", "approvalStatus": "Draft", "changeReference": "ECN-1", "suid": "V-1"
                }),
            )
            .await;
        let v1 = seed.expect(201).clone();
        assert_eq!(
            keys(&v1),
            [
                "id",
                "bom",
                "version",
                "majorVersion",
                "minorVersion",
                "approvalStatus",
                "changeReference",
                "suid",
                "scheduleId",
                "description",
                "createdAt",
                "updatedAt"
            ]
        );
        assert_eq!(
            content(&v1),
            json!({ "bom": "BRK-A", "version": "1.0", "majorVersion": 1, "minorVersion": 0, "approvalStatus": "Draft",
                "changeReference": "ECN-1", "suid": "V-1", "scheduleId": null, "description": null })
        );
        let numbers = create(
            &app,
            "BomVersion",
            json!({ "bom": "BRK-A", "majorVersion": 1, "minorVersion": 12, "approvalStatus": "draft" }),
        )
        .await;
        assert_eq!((numbers["version"].clone(), numbers["approvalStatus"].clone()), (json!("1.12"), json!("Draft")));
        let number =
            upsert_raw(&app, "BomVersion", r#"{"bom": "BRK-A", "version": 2.10, "approvalStatus": "Draft"}"#).await;
        assert_eq!(number.expect(201)["version"], "2.10");
        let agreeing = create(
            &app,
            "BomVersion",
            json!({ "bom": "BRK-A", "version": "3.0", "majorVersion": 3, "approvalStatus": "Draft" }),
        )
        .await;
        assert_eq!(agreeing["version"], "3.0");

        for (body, fields) in [
            (json!({ "bom": "BRK-A", "version": "4", "approvalStatus": "Draft" }), vec!["version"]),
            (json!({ "bom": "BRK-A", "version": "4.0.1", "approvalStatus": "Draft" }), vec!["version"]),
            (json!({ "bom": "BRK-A", "version": "-4.0", "approvalStatus": "Draft" }), vec!["version"]),
            (
                json!({ "bom": "BRK-A", "version": "4.0", "minorVersion": 1, "approvalStatus": "Draft" }),
                vec!["minorVersion"],
            ),
            (json!({ "bom": "BRK-A", "majorVersion": 4, "approvalStatus": "Draft" }), vec!["minorVersion"]),
            (json!({ "bom": "BRK-A", "approvalStatus": "Draft" }), vec!["version"]),
            (json!({ "version": "4.0" }), vec!["bom", "approvalStatus"]),
        ] {
            let response = upsert(&app, "BomVersion", body.clone()).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), fields, "{body}");
        }
        let unknown =
            upsert(&app, "BomVersion", json!({ "bom": "BRK-Z", "version": "4.0", "approvalStatus": "Signed" })).await;
        unknown.expect_error(404, "NOT_FOUND");
        assert_eq!(unknown.error_fields(), ["bom", "approvalStatus"]);

        // (bom, major, minor) is unique; the same number on another BoM is fine.
        let taken =
            upsert(&app, "BomVersion", json!({ "bom": "brk-a", "version": "1.0", "approvalStatus": "Draft" })).await;
        assert_eq!(taken.expect_error(409, "CONFLICT")["error"]["message"], "BoM version 'BRK-A 1.0' already exists");
        let renumber = upsert(&app, "BomVersion", json!({ "id": id(&numbers), "version": "1.0" })).await;
        renumber.expect_error(409, "CONFLICT");
        let suid = upsert(
            &app,
            "BomVersion",
            json!({ "bom": "BRK-A", "version": "5.0", "approvalStatus": "Draft", "suid": "v-1" }),
        )
        .await;
        suid.expect_error(409, "CONFLICT");
        bom(&app, "BRK-B", "BRACKET-A").await;
        version(&app, "BRK-B", "1.0", "Draft").await;
        assert_eq!(listed(&app, "BomVersion", json!({ "bom": "BRK-A" })).await.len(), 4);

        // A draft's number can change.
        let renumbered = update(&app, "BomVersion", json!({ "id": id(&numbers), "minorVersion": 2 })).await;
        assert_eq!((renumbered["version"].clone(), renumbered["minorVersion"].clone()), (json!("1.2"), json!(2)));
    }

    async fn an_approved_version_is_frozen_but_its_status_may_move_on(app: TestApp) {
        let approved = bracket(&app, "Approved").await;
        let v = id(&approved);
        assert_eq!(approved["approvalStatus"], "Approved");
        let slots = listed(&app, "BomSlot", json!({ "bomVersionId": v })).await;
        assert_eq!(slots.len(), 2);

        for (change, what) in [
            (json!({ "version": "2.0" }), "its version"),
            (json!({ "majorVersion": 1, "minorVersion": 1 }), "its version"),
            (json!({ "changeReference": "ECN-9" }), "its changeReference"),
            (json!({ "description": "late edit" }), "its description"),
            (json!({ "suid": "V-9" }), "its suid"),
            (json!({ "bom": "BRK-B" }), "its bom"),
            (json!({ "approvalStatus": "Obsolete", "changeReference": "ECN-9" }), "its changeReference"),
        ] {
            if change.get("bom").is_some() {
                bom(&app, "BRK-B", "BRACKET-A").await;
            }
            let mut body = change.clone();
            body["id"] = json!(v);
            assert_frozen(&upsert(&app, "BomVersion", body).await, what, "1.1");
        }
        // Slots cannot be added, changed, moved in or out, or deleted. Once 1.1 exists, the
        // message suggests 1.2.
        let added = upsert(&app, "BomSlot", json!({ "bomVersionId": v, "product": "SCREW", "quantity": 1 })).await;
        assert_frozen(&added, "its slots", "1.1");
        let changed = upsert(&app, "BomSlot", json!({ "id": id(&slots[0]), "quantity": 2 })).await;
        assert_frozen(&changed, "its slots", "1.1");
        let deleted = delete(&app, "BomSlot", id(&slots[1])).await;
        assert_frozen(&deleted, "its slots", "1.1");
        let draft = version(&app, "BRK-A", "1.1", "Draft").await;
        let moved_out = upsert(&app, "BomSlot", json!({ "id": id(&slots[0]), "bomVersionId": id(&draft) })).await;
        assert_frozen(&moved_out, "its slots", "1.2");
        let draft_slot = slot(&app, id(&draft), "SHEET", 1).await;
        let moved_in = upsert(&app, "BomSlot", json!({ "id": id(&draft_slot), "bomVersionId": v })).await;
        assert_frozen(&moved_in, "its slots", "1.2");
        assert_eq!(listed(&app, "BomSlot", json!({ "bomVersionId": v })).await, slots, "the slots are as they were");
        assert_eq!(read(&app, "BomVersion", v).await, approved, "the version is as it was");

        // Going back is refused; re-sending unchanged values is fine.
        for status in ["Draft", "Pending", "Rejected"] {
            let back = upsert(&app, "BomVersion", json!({ "id": v, "approvalStatus": status })).await;
            let body = back.expect_error(409, "CONFLICT");
            assert_eq!(
                body["error"]["message"],
                format!(
                    "BoM version 'BRK-A 1.0' is Approved and frozen: it cannot go back to {status}; create a new version (1.2) instead"
                )
            );
        }
        let same = update(
            &app,
            "BomVersion",
            json!({
                "id": v, "bom": "brk-a", "version": "1.0", "approvalStatus": "APPROVED", "changeReference": null,
                "suid": null
            }),
        )
        .await;
        assert_eq!(content(&same), content(&approved));

        // Approved may move on to Obsolete, which is frozen too.
        let obsolete = update(&app, "BomVersion", json!({ "id": v, "approvalStatus": "Obsolete" })).await;
        assert_eq!(obsolete["approvalStatus"], "Obsolete");
        let edit = upsert(&app, "BomVersion", json!({ "id": v, "description": "x" })).await;
        let message = edit.expect_error(409, "CONFLICT")["error"]["message"].as_str().unwrap().to_owned();
        assert_eq!(
            message,
            "BoM version 'BRK-A 1.0' is Obsolete and frozen: its description cannot change; create a new version (1.2) instead"
        );
        upsert(&app, "BomVersion", json!({ "id": v, "approvalStatus": "Draft" })).await.expect_error(409, "CONFLICT");
        upsert(&app, "BomSlot", json!({ "id": id(&slots[0]), "quantity": 3 })).await.expect_error(409, "CONFLICT");
    }

    async fn a_new_version_can_be_created_and_edited_beside_an_approved_one(app: TestApp) {
        let approved = bracket(&app, "Approved").await;
        let next = create(
            &app,
            "BomVersion",
            json!({ "bom": "BRK-A", "version": "1.1", "approvalStatus": "Draft", "changeReference": "ECN-2" }),
        )
        .await;
        let sheet = slot(&app, id(&next), "SHEET", 1).await;
        slot(&app, id(&next), "SCREW", 6).await;
        let edited = update(&app, "BomSlot", json!({ "id": id(&sheet), "quantity": 2, "slotType": "material" })).await;
        assert_eq!((edited["quantity"].clone(), edited["slotType"].clone()), (json!(2), json!("material")));
        let renamed =
            update(&app, "BomVersion", json!({ "id": id(&next), "changeReference": "ECN-3", "version": "1.2" })).await;
        assert_eq!((renamed["version"].clone(), renamed["changeReference"].clone()), (json!("1.2"), json!("ECN-3")));
        let pending = update(&app, "BomVersion", json!({ "id": id(&next), "approvalStatus": "Pending" })).await;
        assert_eq!(pending["approvalStatus"], "Pending");
        // A version in review (not approved) may go back to Draft.
        update(&app, "BomVersion", json!({ "id": id(&next), "approvalStatus": "Draft" })).await;
        let now_approved = update(&app, "BomVersion", json!({ "id": id(&next), "approvalStatus": "Approved" })).await;
        assert_eq!(now_approved["approvalStatus"], "Approved");
        update(&app, "BomVersion", json!({ "id": id(&approved), "approvalStatus": "Obsolete" })).await;
        let versions = listed(&app, "BomVersion", json!({ "bom": "BRK-A" })).await;
        assert_eq!(column(&versions, "version"), [json!("1.0"), json!("1.2")]);
        assert_eq!(column(&versions, "approvalStatus"), [json!("Obsolete"), json!("Approved")]);
    }

    async fn deleting_a_version_deletes_its_slots(app: TestApp) {
        let draft = bracket(&app, "Draft").await;
        let other = version(&app, "BRK-A", "2.0", "Draft").await;
        let kept = slot(&app, id(&other), "SHEET", 3).await;
        let slots = listed(&app, "BomSlot", json!({ "bomVersionId": id(&draft) })).await;
        assert_eq!(slots.len(), 2);
        let deleted = delete(&app, "BomVersion", id(&draft)).await;
        assert_eq!(deleted.expect(200), &draft);
        assert_eq!(listed(&app, "BomVersion", json!({ "id": id(&draft) })).await, Vec::<Value>::new());
        assert_eq!(listed(&app, "BomSlot", json!({ "bomVersionId": id(&draft) })).await, Vec::<Value>::new());
        for slot in &slots {
            assert_eq!(listed(&app, "BomSlot", json!({ "id": id(slot) })).await, Vec::<Value>::new());
            delete(&app, "BomSlot", id(slot)).await.expect_error(404, "NOT_FOUND");
        }
        assert_eq!(listed(&app, "BomSlot", json!({})).await, [kept]);
        delete(&app, "BomVersion", id(&draft)).await.expect_error(404, "NOT_FOUND");
        // The products the slots consumed are free again.
        delete(&app, "Product", id(&listed(&app, "Product", json!({ "name": "SCREW" })).await[0])).await.expect(200);
    }

    async fn a_slot_consumes_a_positive_quantity_of_a_product(app: TestApp) {
        let draft = bracket(&app, "Draft").await;
        let v = id(&draft);
        let full = upsert_raw(
            &app,
            "BomSlot",
            &format!(
                r#"{{"Bom Version Id": {v}, "Product": "sheet", "Quantity": 0.250, "Unit Of Measure": "PCS",
                "Slot Type": "material", "Is Required": false, "Is Active": false}}"#
            ),
        )
        .await;
        let full = full.expect(201).clone();
        assert_eq!(
            keys(&full),
            [
                "id",
                "bomVersionId",
                "product",
                "quantity",
                "unitOfMeasure",
                "slotType",
                "isRequired",
                "isActive",
                "createdAt",
                "updatedAt"
            ]
        );
        assert_eq!(full["quantity"].to_string(), "0.250");
        let mut rest = content(&full);
        rest.as_object_mut().unwrap().remove("quantity");
        assert_eq!(
            rest,
            json!({
                "bomVersionId": v, "product": "SHEET", "unitOfMeasure": "pcs", "slotType": "material",
                "isRequired": false, "isActive": false
            })
        );
        let defaults = create(&app, "BomSlot", json!({ "bomVersionId": v, "product": "SCREW", "quantity": 1 })).await;
        assert_eq!(
            (defaults["isRequired"].clone(), defaults["isActive"].clone(), defaults["unitOfMeasure"].clone()),
            (json!(true), json!(true), Value::Null)
        );

        for (body, status, fields) in [
            (json!({}), 422, vec!["bomVersionId", "product", "quantity"]),
            (json!({ "bomVersionId": v, "product": "SCREW", "quantity": 0 }), 422, vec!["quantity"]),
            (json!({ "bomVersionId": v, "product": "SCREW", "quantity": -2 }), 422, vec!["quantity"]),
            (json!({ "bomVersionId": "x", "product": "SCREW", "quantity": 1 }), 422, vec!["bomVersionId"]),
            (json!({ "bomVersionId": v + 1000, "product": "SCREW", "quantity": 1 }), 404, vec!["bomVersionId"]),
            (
                json!({ "bomVersionId": v, "product": "NUT", "quantity": 1, "unitOfMeasure": "kg" }),
                404,
                vec!["product", "unitOfMeasure"],
            ),
        ] {
            let response = upsert(&app, "BomSlot", body.clone()).await;
            response.expect_error(status, if status == 404 { "NOT_FOUND" } else { "VALIDATION_ERROR" });
            assert_eq!(response.error_fields(), fields, "{body}");
        }
        assert_eq!(listed(&app, "BomSlot", json!({ "bomVersionId": v })).await.len(), 4);
        let deleted = delete(&app, "BomSlot", id(&defaults)).await;
        assert_eq!(deleted.expect(200), &defaults);
        assert_eq!(listed(&app, "BomSlot", json!({ "bomVersionId": v })).await.len(), 3);
    }
}
