//! Actions that race: many starts of one operation, a move against a re-sync.

use serde_json::json;

use super::fixtures::{events, operation_action, plant, status};
use crate::backend_tests;
use crate::erp::fixtures::{SOURCE, read, sync};
use crate::support::TestApp;

backend_tests! {
    async fn sixteen_starts_of_one_operation_at_once_make_one_move_and_one_time_entry(app: TestApp) {
        let plant = plant(&app).await;
        let op = plant.operations[0].clone();
        let query = format!("id={op}");
        let starts = (0..16).map(|_| operation_action(&app, "start", &query, None));
        let answers = futures::future::join_all(starts).await;
        let ok = answers.iter().filter(|r| r.status == 200).count();
        let refused = answers.iter().filter(|r| r.status == 400 && r.body["error"]["code"] == "INVALID_STATE_TRANSITION").count();
        assert_eq!((ok, refused), (1, 15));
        let opened = events(&app).await.iter().filter(|e| e["type"] == "time_entry.created").count();
        assert_eq!(opened, 1);
    }

    async fn a_move_racing_a_resync_of_the_same_operation_loses_neither(app: TestApp) {
        let plant = plant(&app).await;
        let op = plant.operations[0].clone();
        let resync = json!({"external_id": "OP-1", "external_source": SOURCE, "part_external_id": "SO-1-10",
                            "operation_name": "Saw", "cell_name": "Cutting", "notes": "new blade"});
        let query = format!("id={op}");
        let (moved, synced) = tokio::join!(operation_action(&app, "start", &query, None), sync(&app, "operations", resync));
        moved.expect(200);
        synced.expect(200);
        let stored = read(&app, "operations", &op).await;
        assert_eq!((&stored["status"], &stored["operation_name"], &stored["notes"]), (&json!("in_progress"), &json!("Saw"), &json!("new blade")));
        assert_eq!(status(&app, "jobs", &plant.job).await, "in_progress");
    }
}
