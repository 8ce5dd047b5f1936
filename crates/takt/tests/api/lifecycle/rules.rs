//! Routing order and WIP limits: advisory by default, enforced per cell with a `409` that names
//! what blocks; a standstill holds an operation.

use serde_json::json;

use super::fixtures::{act, operation_action, plant, plant_with, status};
use crate::backend_tests;
use crate::support::TestApp;

backend_tests! {
    async fn routing_order_is_advisory_unless_the_cell_enforces_it(app: TestApp) {
        let plant = plant(&app).await;
        act(&app, "start", &plant.operations[2]).await;
        assert_eq!(status(&app, "operations", &plant.operations[2]).await, "in_progress");
    }

    async fn an_enforcing_cell_refuses_a_start_before_the_earlier_operations_complete(app: TestApp) {
        let plant = plant_with(&app, json!({"enforce_sequence": true})).await;
        let [op1, op2, op3, op4] = &plant.operations;
        let refused = operation_action(&app, "start", &format!("id={op3}"), None).await;
        let message = refused.expect_error(409, "SEQUENCE_ENFORCED")["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("'OP-1'") && message.contains("sequence 10") && message.contains("'OP-3'"), "{message}");
        act(&app, "start", op4).await;
        act(&app, "start", op1).await;
        let refused = operation_action(&app, "start", &format!("id={op2}"), None).await;
        let message = refused.expect_error(409, "SEQUENCE_ENFORCED")["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("is in_progress"), "{message}");
        act(&app, "complete", op1).await;
        act(&app, "start", op2).await;
        assert_eq!(status(&app, "operations", op3).await, "not_started");
    }

    async fn a_cells_wip_limit_caps_its_operations_in_progress(app: TestApp) {
        let plant = plant_with(&app, json!({"wip_limit": 1})).await;
        let [op1, _, _, op4] = &plant.operations;
        act(&app, "start", op1).await;
        let refused = operation_action(&app, "start", &format!("id={op4}"), None).await;
        let message = refused.expect_error(409, "WIP_LIMIT_REACHED")["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("'Cutting'") && message.contains("1 operation in progress"), "{message}");
        assert_eq!(status(&app, "operations", op4).await, "not_started");
        act(&app, "pause", op1).await;
        act(&app, "start", op4).await;
        operation_action(&app, "resume", &format!("id={op1}"), None).await.expect_error(409, "WIP_LIMIT_REACHED");
        act(&app, "complete", op4).await;
        act(&app, "resume", op1).await;
    }

    async fn an_operation_without_a_cell_yet_starts_with_no_cell_rules(app: TestApp) {
        plant_with(&app, json!({"wip_limit": 1})).await;
        let loose = json!({"external_id": "OP-LOOSE", "external_source": "SAP", "part_external_id": "SO-1-10",
                           "operation_name": "Inspect", "cell_id": null, "sequence": 40});
        crate::erp::fixtures::create(&app, "operations", loose).await;
        let op = crate::erp::fixtures::find(&app, "operations", "OP-LOOSE").await["id"].as_str().unwrap().to_owned();
        act(&app, "start", &op).await;
        assert_eq!(status(&app, "operations", &op).await, "in_progress");
    }

    async fn a_held_operation_does_not_start(app: TestApp) {
        let plant = plant(&app).await;
        let op = &plant.operations[0];
        app.execute_sql("UPDATE operations SET status = 'on_hold', held_from = 'not_started' WHERE external_id = 'OP-1'")
        .await;
        let refused = operation_action(&app, "start", &format!("id={op}"), None).await;
        refused.expect_error(409, "OPERATION_HELD");
        assert_eq!(status(&app, "operations", op).await, "on_hold");
    }
}
