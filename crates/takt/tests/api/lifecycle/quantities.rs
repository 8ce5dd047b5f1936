//! The quantity ledger: entries are appended, never changed; DELETE and PATCH append reversals;
//! the operation's totals are always the sum of its ledger.

use serde_json::{Value, json};

use super::fixtures::plant;
use crate::backend_tests;
use crate::erp::fixtures::read;
use crate::support::TestApp;

async fn ledger(app: &TestApp, op: &str) -> Vec<Value> {
    let listed = app.get(&format!("/api-operation-quantities?operation_id={op}&limit=1000")).await;
    listed.expect(200)["data"]["operation_quantities"].as_array().unwrap().clone()
}

/// Asserts that the operation's totals are the sums of its ledger; answers them.
async fn totals_match(app: &TestApp, op: &str) -> (i64, i64, i64) {
    let entries = ledger(app, op).await;
    let sum = |field: &str| entries.iter().map(|e| e[field].as_i64().unwrap()).sum::<i64>();
    let operation = read(app, "operations", op).await;
    let totals = (sum("good"), sum("scrap"), sum("rework"));
    assert_eq!(
        totals,
        (
            operation["quantity_good"].as_i64().unwrap(),
            operation["quantity_scrap"].as_i64().unwrap(),
            operation["quantity_rework"].as_i64().unwrap()
        )
    );
    totals
}

backend_tests! {
    async fn reversals_by_delete_and_patch_keep_the_totals_the_sum_of_the_ledger(app: TestApp) {
        let plant = plant(&app).await;
        let op = &plant.operations[0];
        let report = |body: Value| app.post("/api-operation-quantities", body);
        let first = report(json!({"operation_id": op, "good": 10, "scrap": 2, "scrap_reason": "Burr"})).await;
        let first = first.expect(201)["data"].clone();
        assert_eq!(first["reverses_id"], Value::Null);
        report(json!({"operation_id": op, "good": 5, "rework": 1})).await.expect(201);
        assert_eq!(totals_match(&app, op).await, (15, 2, 1));

        let id = first["id"].as_str().unwrap();
        let reversal = app.call(reqwest::Method::DELETE, &format!("/api-operation-quantities?id={id}")).send().await;
        let reversal = reversal.expect(200)["data"].clone();
        assert_eq!((&reversal["good"], &reversal["scrap"], &reversal["reverses_id"]), (&json!(-10), &json!(-2), &json!(id)));
        assert_eq!(totals_match(&app, op).await, (5, 0, 1));
        let again = app.call(reqwest::Method::DELETE, &format!("/api-operation-quantities/{id}")).send().await;
        again.expect_error(409, "CONFLICT");
        let undo_reversal = app.call(reqwest::Method::DELETE, &format!("/api-operation-quantities/{}", reversal["id"].as_str().unwrap())).send().await;
        undo_reversal.expect_error(409, "CONFLICT");

        let second = ledger(&app, op).await.into_iter().find(|e| e["good"] == 5).unwrap();
        let corrected = app.call(reqwest::Method::PATCH, &format!("/api-operation-quantities/{}", second["id"].as_str().unwrap()))
            .json(json!({"good": 7, "notes": "recounted"})).send().await;
        let corrected = corrected.expect(200)["data"].clone();
        assert_eq!((&corrected["good"], &corrected["rework"], &corrected["notes"]), (&json!(7), &json!(1), &json!("recounted")));
        assert_ne!(corrected["id"], second["id"], "a correction is a new entry");
        assert_eq!(totals_match(&app, op).await, (7, 0, 1));
        assert_eq!(ledger(&app, op).await.len(), 5, "two reports, two reversals, one correction: nothing removed");
        let stored = app.get(&format!("/api-operation-quantities/{}", second["id"].as_str().unwrap())).await;
        assert_eq!(stored.expect(200)["data"]["good"], 5, "the entry itself never changes");
    }

    async fn bad_ledger_entries_are_refused(app: TestApp) {
        let plant = plant(&app).await;
        let op = &plant.operations[0];
        for (body, status, field) in [
            (json!({"operation_id": op, "good": -1}), 422, "good"),
            (json!({"operation_id": op, "good": "ten"}), 422, "good"),
            (json!({"operation_id": op, "reverses_id": op}), 422, "reverses_id"),
            (json!({"good": 1}), 422, "operation_id"),
            (json!({"operation_id": "00000000-0000-7000-8000-000000000000", "good": 1}), 404, "operation_id"),
            (json!({"operation_id": op, "operator_id": "00000000-0000-7000-8000-000000000000"}), 404, "operator_id"),
        ] {
            let refused = app.post("/api-operation-quantities", body.clone()).await;
            assert_eq!(refused.status, status, "{body}: {:?}", refused.body);
            assert_eq!(refused.error_fields(), [field], "{body}");
        }
        assert_eq!(totals_match(&app, op).await, (0, 0, 0));
        app.call(reqwest::Method::DELETE, "/api-operation-quantities?id=00000000-0000-7000-8000-000000000000").send().await.expect_error(404, "NOT_FOUND");
    }
}
