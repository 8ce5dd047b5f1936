//! Reference data: one generic mechanism for ten entities, so one table-driven scenario covers
//! create, update, list, filter, delete, case-insensitive uniqueness and each name's byte limit;
//! then the built-in ownership types and approval statuses.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

/// A reference-data entity: its name limit in bytes, the fields a body needs besides `name`, and
/// the field an update changes (`name` when it has nothing else).
struct Entity {
    name: &'static str,
    name_limit: usize,
    base: fn() -> Value,
    changed: (&'static str, fn() -> Value),
    /// The record's keys as responses list them.
    keys: &'static [&'static str],
}

const STAMPS: [&str; 2] = ["createdAt", "updatedAt"];

fn described() -> Value {
    json!({ "description": "first" })
}

fn new_description() -> Value {
    json!("second")
}

fn no_fields() -> Value {
    json!({})
}

fn renamed() -> Value {
    json!("Renamed")
}

fn property_table() -> Value {
    json!({ "tableName": "Product", "description": "first" })
}

fn controlled() -> Value {
    json!({ "isControlled": true })
}

fn uncontrolled() -> Value {
    json!(false)
}

const ENTITIES: [Entity; 10] = [
    Entity {
        name: "ProductType",
        name_limit: 250,
        base: described,
        changed: ("description", new_description),
        keys: &["id", "name", "description"],
    },
    Entity {
        name: "Currency",
        name_limit: 50,
        base: described,
        changed: ("description", new_description),
        keys: &["id", "name", "description"],
    },
    Entity {
        name: "UnitOfMeasure",
        name_limit: 30,
        base: described,
        changed: ("description", new_description),
        keys: &["id", "name", "description"],
    },
    Entity {
        name: "Location",
        name_limit: 20,
        base: described,
        changed: ("description", new_description),
        keys: &["id", "name", "description"],
    },
    Entity {
        name: "ReceiptProfile",
        name_limit: 100,
        base: described,
        changed: ("description", new_description),
        keys: &["id", "name", "description"],
    },
    Entity {
        name: "SerialRange",
        name_limit: 500,
        base: described,
        changed: ("description", new_description),
        keys: &["id", "name", "description"],
    },
    Entity {
        name: "OwnershipType",
        name_limit: 50,
        base: no_fields,
        changed: ("name", renamed),
        keys: &["id", "name", "builtIn"],
    },
    Entity {
        name: "ApprovalStatus",
        name_limit: 50,
        base: no_fields,
        changed: ("name", renamed),
        keys: &["id", "name", "builtIn"],
    },
    Entity {
        name: "PropertyDefinition",
        name_limit: 50,
        base: property_table,
        changed: ("description", new_description),
        keys: &["id", "tableName", "name", "description"],
    },
    Entity {
        name: "BomType",
        name_limit: 100,
        base: controlled,
        changed: ("isControlled", uncontrolled),
        keys: &["id", "name", "isControlled"],
    },
];

fn body(entity: &Entity, name: &str) -> Value {
    let mut body = (entity.base)();
    body["name"] = json!(name);
    body
}

/// The records of `entity` this tenant created (built-in ones left out).
async fn own_records(app: &TestApp, entity: &Entity) -> Vec<Value> {
    let all = listed(app, entity.name, json!({})).await;
    all.into_iter().filter(|r| r.get("builtIn").is_none_or(|b| b == false)).collect()
}

backend_tests! {
    async fn every_reference_entity_creates_updates_lists_filters_and_deletes(app: TestApp) {
        for entity in &ENTITIES {
            let name = entity.name;
            let alpha = create(&app, name, body(entity, "Alpha")).await;
            let mut expected_keys: Vec<&str> = entity.keys.to_vec();
            expected_keys.extend(STAMPS);
            assert_eq!(keys(&alpha), expected_keys, "{name}: camelCase keys in field order");
            assert_eq!(alpha["name"], "Alpha", "{name}");
            for (field, value) in (entity.base)().as_object().unwrap() {
                assert_eq!(&alpha[field], value, "{name}.{field}");
            }
            let beta = create(&app, name, body(entity, "Beta")).await;
            assert!(id(&beta) > id(&alpha), "{name}: ids grow");

            // An update by id changes the given field only.
            let (field, value) = entity.changed;
            let updated = update(&app, name, json!({ "id": id(&alpha), field: value() })).await;
            assert_eq!(updated["id"], alpha["id"], "{name}");
            assert_eq!(updated[field], value(), "{name}.{field}");
            let mut expected = content(&alpha);
            expected[field] = value();
            assert_eq!(content(&updated), expected, "{name}: only {field} changed");
            assert_eq!(updated["createdAt"], alpha["createdAt"], "{name}");
            assert_eq!(read(&app, name, id(&alpha)).await, updated, "{name}: read back as answered");
            let alpha_name = updated["name"].as_str().unwrap().to_owned();

            // List: all, by id, by name in another case, nothing.
            assert_eq!(ids(&own_records(&app, entity).await), [id(&alpha), id(&beta)], "{name}");
            assert_eq!(
                listed(&app, name, json!({ "name": alpha_name.to_uppercase() })).await,
                std::slice::from_ref(&updated)
            );
            assert_eq!(listed(&app, name, json!({ "id": id(&beta) })).await, std::slice::from_ref(&beta), "{name}");
            assert_eq!(listed(&app, name, json!({ "name": "Gamma" })).await, Vec::<Value>::new(), "{name}");
            assert_eq!(listed(&app, name, json!({ "id": id(&alpha), "name": "Beta" })).await, Vec::<Value>::new());

            // Names are unique per tenant in any case: on create and on rename.
            let taken = upsert(&app, name, body(entity, &alpha_name.to_lowercase())).await;
            taken.expect_error(409, "CONFLICT");
            let rename = upsert(&app, name, json!({ "id": id(&beta), "name": alpha_name.to_uppercase() })).await;
            rename.expect_error(409, "CONFLICT");
            assert_eq!(read(&app, name, id(&beta)).await, beta, "{name}: the refused rename wrote nothing");
            assert_eq!(own_records(&app, entity).await.len(), 2, "{name}: the refused create wrote nothing");

            // The name's byte limit, in multi-byte text.
            let at_limit = create(&app, name, body(entity, &text_of_bytes(entity.name_limit))).await;
            assert_eq!(at_limit["name"], text_of_bytes(entity.name_limit), "{name}");
            let over = upsert(&app, name, body(entity, &text_over(entity.name_limit))).await;
            over.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(over.error_fields(), ["name"], "{name}");
            let message = over.body["error"]["details"][0]["message"].as_str().unwrap();
            assert!(message.contains(&format!("at most {} bytes", entity.name_limit)), "{name}: {message}");

            // A create needs a name that is not blank.
            let missing = upsert(&app, name, (entity.base)()).await;
            missing.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(missing.error_fields(), ["name"], "{name}");
            let blank = upsert(&app, name, body(entity, "  ")).await;
            blank.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(blank.error_fields(), ["name"], "{name}");

            // Delete answers the deleted record; then it is gone, and a second delete is 404.
            let deleted = delete(&app, name, id(&beta)).await;
            assert_eq!(deleted.expect(200), &beta, "{name}");
            assert_eq!(listed(&app, name, json!({ "id": id(&beta) })).await, Vec::<Value>::new(), "{name}");
            delete(&app, name, id(&beta)).await.expect_error(404, "NOT_FOUND");
            upsert(&app, name, json!({ "id": id(&beta), "name": "Back" })).await.expect_error(404, "NOT_FOUND");
            assert_eq!(ids(&own_records(&app, entity).await), [id(&alpha), id(&at_limit)], "{name}");
        }
    }

    async fn a_description_can_be_cleared_with_null_but_a_name_cannot(app: TestApp) {
        let location = create(&app, "Location", json!({ "name": "DOCK", "description": "Dock 1" })).await;
        let cleared = update(&app, "Location", json!({ "id": id(&location), "description": null })).await;
        assert_eq!(cleared["description"], Value::Null);
        let null_name = upsert(&app, "Location", json!({ "id": id(&location), "name": null })).await;
        null_name.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(null_name.error_fields(), ["name"]);
        assert_eq!(read(&app, "Location", id(&location)).await["name"], "DOCK");
        // A description is free text, not a filter.
        let filter = list(&app, "Location", json!({ "description": null })).await;
        filter.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(filter.error_fields(), ["description"]);
    }

    async fn each_new_tenant_starts_with_its_ownership_types_and_approval_statuses(app: TestApp) {
        let beta = app.key_for("beta").await;
        let mut acme_ids = Vec::new();
        for key in [&app.key, &beta] {
            for (entity, names) in [
                ("OwnershipType", &["Internal", "Customer Owned", "Vendor Owned"][..]),
                ("ApprovalStatus", &["Draft", "Pending", "Approved", "Rejected", "Obsolete"][..]),
            ] {
                let records = app.call(reqwest::Method::POST, &format!("/api/{entity}/List")).key(key).send().await;
                let records = records.expect(200).as_array().unwrap().clone();
                assert_eq!(column(&records, "name"), names.iter().map(|n| json!(n)).collect::<Vec<_>>(), "{entity}");
                assert!(records.iter().all(|r| r["builtIn"] == true), "{records:?}");
                if key == &app.key {
                    acme_ids.extend(ids(&records));
                } else {
                    assert!(ids(&records).iter().all(|i| !acme_ids.contains(i)), "each tenant has its own records");
                }
            }
        }
    }

    async fn built_in_records_cannot_be_renamed_or_deleted(app: TestApp) {
        for (entity, built_in, label) in
            [("OwnershipType", "Internal", "Ownership type"), ("ApprovalStatus", "Approved", "Approval status")]
        {
            let record = listed(&app, entity, json!({ "name": built_in })).await.remove(0);
            let renamed = upsert(&app, entity, json!({ "id": id(&record), "name": "Mine" })).await;
            let body = renamed.expect_error(409, "CONFLICT");
            assert_eq!(body["error"]["message"], format!("{label} '{built_in}' is built in and cannot be renamed"));
            let recased = upsert(&app, entity, json!({ "id": id(&record), "name": built_in.to_uppercase() })).await;
            recased.expect_error(409, "CONFLICT");
            let same = update(&app, entity, json!({ "id": id(&record), "name": built_in })).await;
            assert_eq!(same["name"], built_in);
            let deleted = delete(&app, entity, id(&record)).await;
            let body = deleted.expect_error(409, "CONFLICT");
            assert_eq!(body["error"]["message"], format!("{label} '{built_in}' is built in and cannot be deleted"));
            assert_eq!(read(&app, entity, id(&record)).await["name"], built_in);

            // A tenant's own records of the same entity are ordinary ones.
            let own = create(&app, entity, json!({ "name": "Consigned" })).await;
            assert_eq!(own["builtIn"], false);
            assert_eq!(
                update(&app, entity, json!({ "id": id(&own), "name": "Consignment" })).await["name"],
                "Consignment"
            );
            delete(&app, entity, id(&own)).await.expect(200);
            // A built-in name cannot be taken by a new record either.
            upsert(&app, entity, json!({ "name": built_in.to_lowercase() })).await.expect_error(409, "CONFLICT");
        }
    }

    async fn property_definitions_belong_to_a_known_table_and_are_unique_per_table(app: TestApp) {
        let colour = create(&app, "PropertyDefinition", json!({ "tableName": "Product", "name": "Colour" })).await;
        assert_eq!(colour["tableName"], "Product");
        assert_eq!(colour["description"], Value::Null);
        let unknown = upsert(&app, "PropertyDefinition", json!({ "tableName": "Widget", "name": "Size" })).await;
        unknown.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(unknown.error_fields(), ["tableName"]);
        let missing = upsert(&app, "PropertyDefinition", json!({ "name": "Size" })).await;
        missing.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(missing.error_fields(), ["tableName"]);
        let taken = upsert(&app, "PropertyDefinition", json!({ "tableName": "Product", "name": "COLOUR" })).await;
        let body = taken.expect_error(409, "CONFLICT");
        assert_eq!(body["error"]["message"], "Property definition 'COLOUR' already exists");
        assert_eq!(listed(&app, "PropertyDefinition", json!({ "tableName": "Product" })).await, [colour]);
    }

    async fn a_bom_type_is_uncontrolled_unless_said(app: TestApp) {
        let plain = create(&app, "BomType", json!({ "name": "Engineering" })).await;
        assert_eq!(plain["isControlled"], false);
        let controlled = create(&app, "BomType", json!({ "name": "Production", "isControlled": true })).await;
        assert_eq!(listed(&app, "BomType", json!({ "isControlled": true })).await, std::slice::from_ref(&controlled));
        assert_eq!(listed(&app, "BomType", json!({ "isControlled": false })).await, std::slice::from_ref(&plain));
        let null = upsert(&app, "BomType", json!({ "id": id(&plain), "isControlled": null })).await;
        null.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(null.error_fields(), ["isControlled"]);
    }

    async fn concurrent_creates_of_one_name_make_one_record(app: TestApp) {
        let names = ["Kilogram", "KILOGRAM", "kilogram", "KiloGram", "kILOGRAM", "Kilogram", "kilogram", "KILOGRAM"];
        let responses = join_all(names.iter().map(|name| upsert(&app, "UnitOfMeasure", json!({ "name": name })))).await;
        let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        for response in responses.iter().filter(|r| r.status != 201) {
            response.expect_error(409, "CONFLICT");
        }
        assert_eq!(listed(&app, "UnitOfMeasure", json!({})).await.len(), 1);
    }
}
