//! The roll-up, in the same transaction as the move: operation → part → job, a job's pause down
//! to its running operations, a start that reopens a job completed by hand; each derived change
//! an event by `system`.

use serde_json::json;

use super::fixtures::{act, events_after, job_action, last_seq, operation_action, plant, status};
use crate::backend_tests;
use crate::erp::fixtures::read;
use crate::support::TestApp;

fn owned(events: &[(&str, &str)]) -> Vec<(String, String)> {
    events.iter().map(|(t, a)| ((*t).to_owned(), (*a).to_owned())).collect()
}

backend_tests! {
    async fn statuses_roll_up_through_a_three_operation_part_and_a_two_part_job(app: TestApp) {
        let plant = plant(&app).await;
        let [op1, op2, op3, op4] = &plant.operations;
        let seq = last_seq(&app).await;
        act(&app, "start", op1).await;
        assert_eq!(
            events_after(&app, seq).await,
            owned(&[
                ("operation.started", "api_key"),
                ("time_entry.created", "api_key"),
                ("part.started", "system"),
                ("job.started", "system"),
            ])
        );
        assert_eq!(status(&app, "parts", &plant.parts[0]).await, "in_progress");
        assert_eq!(status(&app, "parts", &plant.parts[1]).await, "not_started", "the other part did not start");
        assert_eq!(status(&app, "jobs", &plant.job).await, "in_progress");

        act(&app, "complete", op1).await;
        for op in [op2, op3] {
            act(&app, "start", op).await;
            assert_eq!(status(&app, "parts", &plant.parts[0]).await, "in_progress");
            let seq = last_seq(&app).await;
            act(&app, "complete", op).await;
            let derived: Vec<_> = events_after(&app, seq).await.into_iter().filter(|(_, a)| a == "system").collect();
            if op == op3 {
                assert_eq!(derived, owned(&[("part.completed", "system")]), "the last operation completes its part");
            } else {
                assert_eq!(derived, [], "a part with unfinished operations stays in progress");
            }
        }
        assert_eq!(status(&app, "parts", &plant.parts[0]).await, "completed");
        assert_eq!(status(&app, "jobs", &plant.job).await, "in_progress", "one part is still open");

        act(&app, "start", op4).await;
        let seq = last_seq(&app).await;
        act(&app, "complete", op4).await;
        assert_eq!(
            events_after(&app, seq).await,
            owned(&[
                ("operation.completed", "api_key"),
                ("time_entry.updated", "api_key"),
                ("part.completed", "system"),
                ("job.completed", "system"),
            ])
        );
        assert_eq!(status(&app, "jobs", &plant.job).await, "completed");
        let job = read(&app, "jobs", &plant.job).await;
        assert!(job["parts"].as_array().unwrap().iter().all(|p| p["status"] == "completed"), "{job}");
    }

    async fn pausing_a_job_pauses_its_running_operations_their_clocks_and_their_parts(app: TestApp) {
        let plant = plant(&app).await;
        let [op1, op2, _, op4] = &plant.operations;
        act(&app, "start", op1).await;
        act(&app, "start", op4).await;
        let seq = last_seq(&app).await;
        job_action(&app, "pause", &plant.job).await.expect(200);
        let events = events_after(&app, seq).await;
        assert_eq!(events[0], ("job.paused".to_owned(), "api_key".to_owned()));
        let count = |t: &str| events.iter().filter(|(ty, a)| ty == t && a == "system").count();
        assert_eq!((count("operation.paused"), count("time_entry.updated"), count("part.paused")), (2, 2, 2), "{events:?}");
        for op in [op1, op4] {
            assert_eq!(status(&app, "operations", op).await, "on_hold");
        }
        assert_eq!(status(&app, "operations", op2).await, "not_started", "an operation not running is left alone");
        assert_eq!(status(&app, "parts", &plant.parts[0]).await, "on_hold");

        act(&app, "resume", op1).await;
        assert_eq!(status(&app, "jobs", &plant.job).await, "in_progress", "resuming work resumes the job");
        assert_eq!(status(&app, "parts", &plant.parts[0]).await, "in_progress");
        assert_eq!(status(&app, "operations", op4).await, "on_hold", "the other operation waits for its operator");
    }

    async fn a_start_in_a_job_completed_by_hand_reopens_the_job_and_its_part(app: TestApp) {
        let plant = plant(&app).await;
        job_action(&app, "start", &plant.job).await.expect(200);
        let done = job_action(&app, "complete", &plant.job).await;
        assert_eq!(done.expect(200)["data"]["new_status"], "completed");
        assert_eq!(status(&app, "operations", &plant.operations[0]).await, "not_started", "left as it was");
        let seq = last_seq(&app).await;
        act(&app, "start", &plant.operations[0]).await;
        let derived: Vec<_> = events_after(&app, seq).await.into_iter().filter(|(_, a)| a == "system").collect();
        assert_eq!(derived, owned(&[("part.started", "system"), ("job.reopened", "system")]));
        assert_eq!(status(&app, "jobs", &plant.job).await, "in_progress");
        job_action(&app, "start", &plant.job).await.expect_error(400, "INVALID_STATE_TRANSITION");
    }

    async fn complete_records_its_quantities_on_the_operation_and_in_the_ledger(app: TestApp) {
        let plant = plant(&app).await;
        let op = &plant.operations[0];
        act(&app, "start", op).await;
        let seq = last_seq(&app).await;
        let pieces = json!({"good": 24, "scrap": 1, "scrap_reason": "Burr", "material_lot": "L-7"});
        let done = operation_action(&app, "complete", &format!("id={op}"), Some(pieces)).await;
        let operation = &done.expect(200)["data"]["operation"];
        assert_eq!((&operation["quantity_good"], &operation["quantity_scrap"], &operation["quantity_rework"]), (&json!(24), &json!(1), &json!(0)));
        let types: Vec<String> = events_after(&app, seq).await.into_iter().map(|(t, _)| t).collect();
        assert!(types.contains(&"operation_quantity.created".to_owned()), "{types:?}");
        let stored = read(&app, "operations", op).await;
        assert_eq!(stored["quantity_good"], 24);
    }
}
