//! The transition table, every action from every status, for operations and jobs; the answer's
//! shape; the error codes.

use serde_json::json;

use super::fixtures::{act, job_action, operation_action, plant, status};
use crate::backend_tests;
use crate::erp::fixtures::keys;
use crate::support::TestApp;

const STATUSES: [&str; 4] = ["not_started", "in_progress", "on_hold", "completed"];

/// The status each action leads to from each status of [`STATUSES`]; `None` is refused.
const TABLE: [(&str, [Option<&str>; 4]); 4] = [
    ("start", [Some("in_progress"), None, Some("in_progress"), None]),
    ("pause", [None, Some("on_hold"), None, None]),
    ("resume", [None, None, Some("in_progress"), None]),
    ("complete", [None, Some("completed"), None, None]),
];

/// What an operation must have been through to be in `status` (it starts `not_started`).
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "not_started" => &[],
        "in_progress" => &["start"],
        "on_hold" => &["start", "pause"],
        "completed" => &["start", "complete"],
        other => panic!("no status {other}"),
    }
}

/// What a refusal says: the reference's sentence.
fn refusal(entity: &str, action: &str, from: &str) -> String {
    let allowed = TABLE.iter().find(|(a, _)| *a == action).unwrap().1;
    let allowed: Vec<String> =
        STATUSES.iter().zip(allowed).filter(|(_, to)| to.is_some()).map(|(s, _)| format!("'{s}'")).collect();
    let mut capital = entity.to_owned();
    capital[..1].make_ascii_uppercase();
    format!("Cannot {action} {entity} with status '{from}'. {capital} must be {}.", allowed.join(" or "))
}

backend_tests! {
    async fn every_operation_action_from_every_status_moves_or_is_refused_as_the_table_says(app: TestApp) {
        let plant = plant(&app).await;
        // Each case gets an operation of its own: four operations, reused by re-syncing the plant
        // would reset nothing, so each case takes a fresh job.
        let mut case = 0;
        for (action, row) in TABLE {
            for (from, to) in STATUSES.iter().zip(row) {
                let id = fresh_operation(&app, case).await;
                case += 1;
                for step in path_to(from) {
                    act(&app, step, &id).await;
                }
                assert_eq!(status(&app, "operations", &id).await, *from);
                let response = operation_action(&app, action, &format!("id={id}"), None).await;
                match to {
                    Some(to) => {
                        let data = &response.expect(200)["data"];
                        assert_eq!((data["previous_status"].as_str(), data["new_status"].as_str()), (Some(*from), Some(to)));
                        assert_eq!(data["operation"]["status"], *to, "{action} from {from}");
                        assert_eq!(status(&app, "operations", &id).await, *to);
                    }
                    None => {
                        let error = response.expect_error(400, "INVALID_STATE_TRANSITION");
                        assert_eq!(error["error"]["message"], refusal("operation", action, from), "{action} from {from}");
                        assert_eq!(status(&app, "operations", &id).await, *from, "a refused move changes nothing");
                    }
                }
            }
        }
        assert_eq!(status(&app, "jobs", &plant.job).await, "not_started", "the plant's own job was not touched");
    }

    async fn every_job_action_from_every_status_moves_or_is_refused_as_the_table_says(app: TestApp) {
        plant(&app).await;
        let mut case = 0;
        for (action, row) in TABLE.iter().chain([&("stop", TABLE[1].1)]) {
            for (from, to) in STATUSES.iter().zip(row) {
                let id = fresh_job(&app, case).await;
                case += 1;
                for step in path_to(from) {
                    job_action(&app, step, &id).await.expect(200);
                }
                let response = job_action(&app, action, &id).await;
                match to {
                    Some(to) => {
                        let data = &response.expect(200)["data"];
                        assert_eq!(keys(data), ["job", "previous_status", "new_status"]);
                        assert_eq!((data["previous_status"].as_str(), data["new_status"].as_str()), (Some(*from), Some(*to)));
                    }
                    None => {
                        let error = response.expect_error(400, "INVALID_STATE_TRANSITION");
                        let said = if *action == "stop" { "pause" } else { action };
                        assert_eq!(error["error"]["message"], refusal("job", said, from), "{action} from {from}");
                        assert_eq!(status(&app, "jobs", &id).await, *from);
                    }
                }
            }
        }
    }

    async fn a_move_answers_the_record_then_both_statuses_in_compact_json(app: TestApp) {
        let plant = plant(&app).await;
        let url = app.url(&format!("/api-operation-lifecycle/start?id={}", plant.operations[0]));
        let response = app.client.post(url).bearer_auth(&app.key).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let text = response.text().await.unwrap();
        assert!(text.starts_with(r#"{"success":true,"data":{"operation":{"id":""#), "{text}");
        assert!(!text.contains('\n') && !text.contains(": "), "{text}");
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(keys(&body["data"]), ["operation", "previous_status", "new_status"]);
        assert_eq!(body["data"]["operation"]["id"], plant.operations[0].as_str());
    }

    async fn actions_and_parameters_are_read_in_any_case_and_under_functions_v1(app: TestApp) {
        let plant = plant(&app).await;
        let path = format!("/functions/v1/api-operation-lifecycle/START?id={}&time_type=Setup", plant.operations[0]);
        let response = app.call(reqwest::Method::POST, &path).send().await;
        assert_eq!(response.expect(200)["data"]["new_status"], "in_progress");
        job_action(&app, "Stop", &plant.job).await.expect(200);
        assert_eq!(status(&app, "jobs", &plant.job).await, "on_hold");
    }

    async fn bad_lifecycle_requests_get_their_codes_and_change_nothing(app: TestApp) {
        let plant = plant(&app).await;
        let op = &plant.operations[0];
        let unknown = operation_action(&app, "finish", &format!("id={op}"), None).await;
        let error = unknown.expect_error(400, "INVALID_OPERATION");
        assert!(error["error"]["message"].as_str().unwrap().contains("start, pause, resume, complete"), "{error}");
        job_action(&app, "explode", &plant.job).await.expect_error(400, "INVALID_OPERATION");
        operation_action(&app, "stop", &format!("id={op}"), None).await.expect_error(400, "INVALID_OPERATION");

        let no_id = operation_action(&app, "start", "", None).await;
        no_id.expect_error(400, "VALIDATION_ERROR");
        assert_eq!(no_id.error_fields(), ["id"]);
        operation_action(&app, "start", "id=", None).await.expect_error(400, "VALIDATION_ERROR");
        app.call(reqwest::Method::POST, "/api-job-lifecycle/start").send().await.expect_error(400, "VALIDATION_ERROR");

        operation_action(&app, "start", "id=00000000-0000-7000-8000-000000000000", None).await.expect_error(404, "NOT_FOUND");
        operation_action(&app, "start", "id=OP-1", None).await.expect_error(404, "NOT_FOUND");
        job_action(&app, "start", &plant.operations[0]).await.expect_error(404, "NOT_FOUND");
        operation_action(&app, "start", &format!("id={}", plant.job), None).await.expect_error(404, "NOT_FOUND");

        let unknown_param = operation_action(&app, "start", &format!("id={op}&operatr_id=x"), None).await;
        unknown_param.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(unknown_param.error_fields(), ["operatr_id"]);
        let twice = operation_action(&app, "start", &format!("id={op}&id={op}"), None).await;
        twice.expect_error(422, "VALIDATION_ERROR");
        let bad_type = operation_action(&app, "start", &format!("id={op}&time_type=lunch"), None).await;
        bad_type.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad_type.error_fields(), ["time_type"]);
        let bad_operator = operation_action(&app, "start", &format!("id={op}&operator_id=nobody"), None).await;
        bad_operator.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad_operator.error_fields(), ["operator_id"]);
        let unknown_operator =
            operation_action(&app, "start", &format!("id={op}&user_id=00000000-0000-7000-8000-000000000000"), None).await;
        unknown_operator.expect_error(404, "NOT_FOUND");
        let body_on_start = operation_action(&app, "start", &format!("id={op}"), Some(json!({"good": 1}))).await;
        body_on_start.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(status(&app, "operations", op).await, "not_started", "nothing above moved it");

        act(&app, "start", op).await;
        let bad_pieces = operation_action(&app, "complete", &format!("id={op}"), Some(json!({"good": -1, "scrap": "x"}))).await;
        let fields = bad_pieces.error_fields();
        assert_eq!(fields, ["good", "scrap"]);
        assert_eq!(status(&app, "operations", op).await, "in_progress");
    }

    async fn another_tenants_operation_and_job_are_not_found(app: TestApp) {
        let plant = plant(&app).await;
        let other = app.key_for("globex").await;
        let call = |path: String| app.call(reqwest::Method::POST, &path).key(&other);
        let op = call(format!("/api-operation-lifecycle/start?id={}", plant.operations[0])).send().await;
        op.expect_error(404, "NOT_FOUND");
        call(format!("/api-job-lifecycle/start?id={}", plant.job)).send().await.expect_error(404, "NOT_FOUND");
        assert_eq!(status(&app, "operations", &plant.operations[0]).await, "not_started");
        let revoked = app.call(reqwest::Method::POST, &format!("/api-job-lifecycle/start?id={}", plant.job)).no_key();
        revoked.send().await.expect_error(401, "UNAUTHORIZED");
    }
}

/// An operation in a job of its own (`CASE-{case}`), so that cases do not roll up into each other.
async fn fresh_operation(app: &TestApp, case: usize) -> String {
    let job = json!({
        "external_id": format!("CASE-{case}"), "external_source": "SAP", "job_number": format!("CASE-{case}"),
        "parts": [{"external_id": format!("CASE-{case}-P"), "part_number": "P",
                   "operations": [{"external_id": format!("CASE-{case}-O"), "operation_name": "Cut", "cell_name": "Cutting"},
                                  {"external_id": format!("CASE-{case}-O2"), "operation_name": "Deburr", "cell_name": "Cutting"}]}]
    });
    crate::erp::fixtures::create(app, "jobs", job).await;
    crate::erp::fixtures::find(app, "operations", &format!("CASE-{case}-O")).await["id"].as_str().unwrap().to_owned()
}

async fn fresh_job(app: &TestApp, case: usize) -> String {
    crate::erp::fixtures::job(app, &format!("JOB-CASE-{case}"), &format!("JOB-CASE-{case}")).await
}
