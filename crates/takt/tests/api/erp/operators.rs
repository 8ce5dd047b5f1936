//! Operators (SPEC section 7): a sync entity whose PIN is write-only and kept as an Argon2id
//! hash; who works is who the lifecycle's `operator_id` (or `user_id`) names.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::{SOURCE, create, find, list, read, sync, update};
use crate::events::fixtures::{feed, page};
use crate::lifecycle::fixtures::{operation_action, plant};
use crate::support::TestApp;

fn operator(external_id: &str, employee_number: &str, pin: Value) -> Value {
    json!({"external_id": external_id, "external_source": SOURCE, "name": format!("Worker {employee_number}"),
           "employee_number": employee_number, "pin": pin})
}

backend_tests! {
    async fn an_operator_syncs_with_a_pin_that_is_never_answered_and_stored_hashed(app: TestApp) {
        let created = sync(&app, "operators", operator("E-1", "1001", json!("4711"))).await;
        let data = &created.expect(201)["data"];
        assert_eq!(data["operator"]["has_pin"], true);
        let id = data["id"].as_str().unwrap().to_owned();
        let record = read(&app, "operators", &id).await;
        assert_eq!(
            crate::erp::fixtures::keys(&record),
            ["id", "external_id", "external_source", "name", "employee_number", "has_pin", "active", "created_at", "updated_at"]
        );
        let hashed = app.execute_sql("UPDATE operators SET name = name WHERE pin_hash LIKE '$argon2id$v=19$%'").await;
        assert_eq!(hashed, 1, "the PIN is kept as an Argon2id hash");
        let leaked = app.execute_sql("UPDATE operators SET name = name WHERE pin_hash LIKE '%4711%'").await;
        assert_eq!(leaked, 0);
        let feed = page(&feed(&app, "").await).0;
        assert!(!serde_json::to_string(&feed).unwrap().contains("4711"), "no event carries the PIN");

        update(&app, "operators", operator("E-1", "1001", Value::Null)).await;
        assert_eq!(read(&app, "operators", &id).await["has_pin"], false, "null removes the PIN");
        let (found, _) = list(&app, "operators", "?search=worker").await;
        assert_eq!(found.len(), 1);
    }

    async fn bad_operators_are_refused_field_by_field(app: TestApp) {
        for pin in [json!("123"), json!("123456789"), json!("12ab"), json!(1234)] {
            let refused = sync(&app, "operators", operator("E-1", "1001", pin.clone())).await;
            refused.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(refused.error_fields(), ["pin"], "{pin}");
        }
        let missing = sync(&app, "operators", json!({"external_id": "E-1", "external_source": SOURCE})).await;
        assert_eq!(missing.error_fields(), ["name", "employee_number"]);
        create(&app, "operators", operator("E-1", "A-7", json!("1234"))).await;
        let taken = sync(&app, "operators", operator("E-2", "a-7", json!("1234"))).await;
        let message = taken.expect_error(409, "CONFLICT")["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("employee_number 'a-7'"), "{message}");
    }

    async fn operators_bulk_sync_under_items_and_hash_every_pin(app: TestApp) {
        let items: Vec<Value> = (0..5).map(|i| operator(&format!("E-{i}"), &format!("{i}"), json!(format!("{i}{i}{i}{i}")))).collect();
        let response = app.post("/api-operators/bulk-sync", json!({"items": items})).await;
        let data = &response.expect(200)["data"];
        assert_eq!(data["results"]["created"], 5, "{data}");
        let hashed = app.execute_sql("UPDATE operators SET name = name WHERE pin_hash LIKE '$argon2id$%'").await;
        assert_eq!(hashed, 5);
    }

    async fn work_is_attributed_to_the_operator_named_and_an_inactive_one_is_refused(app: TestApp) {
        let plant = plant(&app).await;
        let ann = create(&app, "operators", operator("E-1", "1001", json!("1234"))).await;
        let started = operation_action(&app, "start", &format!("id={}&user_id={ann}", plant.operations[0]), None).await;
        started.expect(200);
        let entries = page(&feed(&app, "?type=time_entry.created").await).0;
        assert_eq!(entries[0]["data"]["operator_id"], ann.as_str());

        let mut inactive = operator("E-2", "1002", json!("1234"));
        inactive["active"] = json!(false);
        let bob = create(&app, "operators", inactive).await;
        let refused = operation_action(&app, "start", &format!("id={}&operator_id={bob}", plant.operations[3]), None).await;
        refused.expect_error(422, "VALIDATION_ERROR");
        let other = app.key_for("globex").await;
        let theirs = app.call(reqwest::Method::GET, &format!("/api-operators/{ann}")).key(&other).send().await;
        theirs.expect_error(404, "NOT_FOUND");
        assert_eq!(find(&app, "operators", "E-1").await["id"], ann.as_str());
    }

    async fn an_operator_is_created_patched_and_deleted_without_an_erp_and_its_pin_stays_hashed(app: TestApp) {
        let plant = plant(&app).await;
        let made = app.post("/api-operators", json!({"name": "Cem", "employee_number": "2001", "pin": "1357"})).await;
        let made = made.expect(201)["data"].clone();
        assert_eq!((&made["has_pin"], &made["external_source"]), (&json!(true), &json!("takt")));
        let id = made["id"].as_str().unwrap().to_owned();
        let hashed = || app.execute_sql("UPDATE operators SET name = name WHERE pin_hash LIKE '$argon2id$%'");
        assert_eq!(hashed().await, 1);
        let patched = app.call(reqwest::Method::PATCH, &format!("/api-operators/{id}")).json(json!({"pin": "24680", "name": "Cem Y."})).send().await;
        assert_eq!(patched.expect(200)["data"]["name"], "Cem Y.");
        assert_eq!(hashed().await, 1, "a PIN given by PATCH is hashed too");
        let bad = app.call(reqwest::Method::PATCH, &format!("/api-operators?id={id}")).json(json!({"pin": "12"})).send().await;
        assert_eq!(bad.error_fields(), ["pin"]);
        let cleared = app.call(reqwest::Method::PATCH, &format!("/api-operators/{id}")).json(json!({"pin": null})).send().await;
        assert_eq!(cleared.expect(200)["data"]["has_pin"], false);

        app.call(reqwest::Method::DELETE, &format!("/api-operators?id={id}")).send().await.expect(200);
        app.get(&format!("/api-operators/{id}")).await.expect_error(404, "NOT_FOUND");
        let start = operation_action(&app, "start", &format!("id={}&operator_id={id}", plant.operations[0]), None).await;
        start.expect_error(404, "NOT_FOUND");
        let entry = json!({"operation_id": plant.operations[0], "operator_id": id, "start_time": "2026-12-01T10:00:00Z"});
        app.post("/api-time-entries", entry).await.expect_error(404, "NOT_FOUND");
        let back = sync(&app, "operators", json!({"external_id": id, "external_source": "takt", "name": "Cem", "employee_number": "2001"})).await;
        assert_eq!(back.expect(200)["data"]["id"], id.as_str(), "a sync of its key brings it back with its id");
    }

    async fn sixteen_operators_starting_one_operation_at_once_make_one_move(app: TestApp) {
        let plant = plant(&app).await;
        let items: Vec<Value> = (0..16).map(|i| operator(&format!("E-{i}"), &format!("{i}"), Value::Null)).collect();
        app.post("/api-operators/bulk-sync", json!({"items": items})).await.expect(200);
        let (operators, _) = list(&app, "operators", "?limit=100").await;
        let queries: Vec<String> =
            operators.iter().map(|o| format!("id={}&operator_id={}", plant.operations[0], o["id"].as_str().unwrap())).collect();
        let answers = futures::future::join_all(queries.iter().map(|q| operation_action(&app, "start", q, None))).await;
        let ok = answers.iter().filter(|r| r.status == 200).count();
        let refused = answers.iter().filter(|r| r.status == 400).count();
        assert_eq!((ok, refused), (1, 15));
        assert_eq!(page(&feed(&app, "?type=time_entry.created").await).0.len(), 1, "one open time entry");
    }
}
