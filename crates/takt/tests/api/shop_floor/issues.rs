//! `/api-issues`: CRUD with defaults and events, filters (`status=open`), and the standstill: an
//! open issue that causes one holds its operation in the same transaction, the last one to close
//! releases it, with the time entries the hold closed reopened.

use reqwest::Method;
use serde_json::json;

use super::{
    create, events_after, keys, last_seq, open_entries, open_entry, operation, page, patch, set_status, status_of,
    types,
};
use crate::backend_tests;
use crate::support::TestApp;

const PATH: &str = "/api-issues";

fn standstill(operation: &str, title: &str) -> serde_json::Value {
    json!({"operation_id": operation, "title": title, "causes_standstill": true})
}

backend_tests! {
    async fn an_issue_takes_its_defaults_and_every_write_is_an_event(app: TestApp) {
        let op = operation(&app, "I1").await;
        let after = last_seq(&app).await;
        let created = create(&app, PATH, json!({"operation_id": op, "title": "Burr on edge", "severity": "HIGH"})).await;
        assert_eq!(
            keys(&created),
            [
                "id", "operation_id", "title", "description", "severity", "issue_type", "ncr_category", "disposition",
                "status", "causes_standstill", "reported_by", "created_at", "updated_at"
            ]
        );
        let prefix = &app.key[..21];
        let expected = (Some("high"), Some("general"), Some("pending"), Some(false), Some(prefix));
        let got = (
            created["severity"].as_str(),
            created["issue_type"].as_str(),
            created["status"].as_str(),
            created["causes_standstill"].as_bool(),
            created["reported_by"].as_str(),
        );
        assert_eq!(got, expected);
        let id = created["id"].as_str().unwrap().to_owned();
        let ncr = json!({"issue_type": "NCR", "ncr_category": "Dimensional", "disposition": "rework", "reported_by": "Ana"});
        let changed = patch(&app, &format!("{PATH}?id={id}"), ncr).await.expect(200)["data"].clone();
        assert_eq!((changed["issue_type"].as_str(), changed["reported_by"].as_str()), (Some("ncr"), Some("Ana")));
        assert_eq!(app.get(&format!("{PATH}/{id}")).await.expect(200)["data"], changed);
        app.call(Method::DELETE, &format!("{PATH}/{id}")).send().await.expect(200);

        let events = events_after(&app, after).await;
        assert_eq!(types(&events), ["issue.created", "issue.updated", "issue.deleted"]);
        for event in &events {
            assert_eq!(event["actor"], json!({"kind": "api_key", "id": prefix}), "{event}");
            assert_eq!(event["entity_id"], id.as_str());
        }
        assert_eq!(events[1]["changes"]["issue_type"], json!(["general", "ncr"]));
        assert_eq!(events[2]["data"], changed);
    }

    async fn lists_filter_open_issues_and_enums_in_any_case(app: TestApp) {
        let (a, b) = (operation(&app, "L1").await, operation(&app, "L2").await);
        let mut ids = Vec::new();
        for (op, severity, status) in [(&a, "low", "pending"), (&a, "high", "closed"), (&b, "high", "approved")] {
            let body = json!({"operation_id": op, "title": "t", "severity": severity, "status": status});
            ids.push(create(&app, PATH, body).await["id"].as_str().unwrap().to_owned());
        }
        let listed = |query: String| {
            let app = &app;
            async move { page(&app.get(&format!("{PATH}{query}")).await, "issues").1 }
        };
        assert_eq!(listed("?status=open".into()).await, [ids[0].clone(), ids[2].clone()]);
        assert_eq!(listed("?status=OPEN&severity=High".into()).await, [ids[2].clone()]);
        assert_eq!(listed("?status=Closed".into()).await, [ids[1].clone()]);
        assert_eq!(listed(format!("?operation_id={a}&status=open")).await, [ids[0].clone()]);
        assert_eq!(listed("?causes_standstill=true".into()).await, Vec::<String>::new());
        assert_eq!(listed("?issue_type=general&limit=2".into()).await, ids[..2]);
        let bad = app.get(&format!("{PATH}?status=shut&severity=mild&reported_by=x&offset=-1")).await;
        bad.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad.error_fields(), ["status", "severity", "reported_by", "offset"]);
    }

    async fn bad_bodies_and_unknown_operations_are_refused(app: TestApp) {
        let bad = app.post(PATH, json!({"title": "", "severity": "urgent", "causes_standstill": 1, "owner": "x"})).await;
        bad.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(bad.error_fields(), ["operation_id", "title", "severity", "causes_standstill", "owner"]);
        let op = operation(&app, "B1").await;
        let long = app.post(PATH, json!({"operation_id": op, "title": "t".repeat(256), "disposition": 7})).await;
        assert_eq!(long.error_fields(), ["title", "disposition"]);
        let unknown = json!({"operation_id": uuid::Uuid::now_v7(), "title": "t"});
        app.post(PATH, unknown).await.expect_error(404, "NOT_FOUND");
        let other = app.key_for("globex").await;
        let id = create(&app, PATH, json!({"operation_id": op, "title": "t"})).await["id"].as_str().unwrap().to_owned();
        let theirs = app.call(Method::PATCH, &format!("{PATH}/{id}")).key(&other).json(json!({"status": "closed"}));
        theirs.send().await.expect_error(404, "NOT_FOUND");
        app.call(Method::GET, PATH).no_key().send().await.expect_error(401, "UNAUTHORIZED");
    }

    async fn a_standstill_holds_a_running_operation_until_its_last_issue_closes(app: TestApp) {
        let op = operation(&app, "H1").await;
        set_status(&app, &op, "in_progress").await;
        for time_type in ["run", "run", "setup"] {
            open_entry(&app, &op, time_type).await;
        }
        let after = last_seq(&app).await;
        let first = create(&app, PATH, standstill(&op, "Spindle broken")).await;
        assert_eq!(status_of(&app, &op).await, "on_hold");
        assert_eq!(open_entries(&app, &op).await, 0, "the hold closes the open entries");
        let events = events_after(&app, after).await;
        assert_eq!(
            types(&events),
            ["issue.created", "operation.held!", "time_entry.updated!", "time_entry.updated!", "time_entry.updated!"]
        );
        assert_eq!((events[1]["entity_id"].as_str(), events[1]["data"]["status"].as_str()), (Some(op.as_str()), Some("on_hold")));
        assert!(events[2]["data"]["end_time"].is_string(), "{}", events[2]);

        let after = last_seq(&app).await;
        let second = create(&app, PATH, standstill(&op, "Coolant leak")).await;
        let closed = patch(&app, &format!("{PATH}/{}", first["id"].as_str().unwrap()), json!({"status": "CLOSED"})).await;
        assert_eq!(closed.expect(200)["data"]["status"], "closed");
        assert_eq!(status_of(&app, &op).await, "on_hold", "another standstill issue still holds it");
        assert_eq!(types(&events_after(&app, after).await), ["issue.created", "issue.updated"]);

        let after = last_seq(&app).await;
        let id = second["id"].as_str().unwrap();
        patch(&app, &format!("{PATH}?id={id}"), json!({"causes_standstill": false})).await.expect(200);
        assert_eq!(status_of(&app, &op).await, "in_progress");
        assert_eq!(open_entries(&app, &op).await, 2, "one entry again per operator and time type");
        let events = events_after(&app, after).await;
        assert_eq!(types(&events), ["issue.updated", "operation.released!", "time_entry.created!", "time_entry.created!"]);
        assert_eq!(events[1]["data"]["status"], "in_progress");
        let mut reopened: Vec<&str> = events[2..].iter().map(|e| e["data"]["time_type"].as_str().unwrap()).collect();
        reopened.sort();
        assert_eq!(reopened, ["run", "setup"]);
        assert!(events[2..].iter().all(|e| e["data"]["end_time"].is_null()));
    }

    async fn a_standstill_holds_an_operation_not_started_and_deleting_it_releases(app: TestApp) {
        let op = operation(&app, "H2").await;
        let after = last_seq(&app).await;
        let issue = create(&app, PATH, standstill(&op, "No material")).await;
        assert_eq!(status_of(&app, &op).await, "on_hold");
        app.call(Method::DELETE, &format!("{PATH}/{}", issue["id"].as_str().unwrap())).send().await.expect(200);
        assert_eq!(status_of(&app, &op).await, "not_started");
        assert_eq!(open_entries(&app, &op).await, 0, "nothing was running, nothing reopens");
        let events = events_after(&app, after).await;
        assert_eq!(types(&events), ["issue.created", "operation.held!", "issue.deleted", "operation.released!"]);
        assert_eq!(events[3]["data"]["status"], "not_started");
    }

    async fn a_later_standstill_or_a_reopened_issue_holds_and_a_completed_operation_is_never_held(app: TestApp) {
        let op = operation(&app, "H3").await;
        let issue = create(&app, PATH, json!({"operation_id": op, "title": "Worn tool"})).await;
        assert_eq!(status_of(&app, &op).await, "not_started");
        let path = format!("{PATH}/{}", issue["id"].as_str().unwrap());
        patch(&app, &path, json!({"causes_standstill": true})).await.expect(200);
        assert_eq!(status_of(&app, &op).await, "on_hold");
        patch(&app, &path, json!({"status": "closed"})).await.expect(200);
        assert_eq!(status_of(&app, &op).await, "not_started");
        patch(&app, &path, json!({"status": "approved"})).await.expect(200);
        assert_eq!(status_of(&app, &op).await, "on_hold", "reopening a standstill issue holds again");
        patch(&app, &path, json!({"title": "Worn tool, again"})).await.expect(200);
        assert_eq!(status_of(&app, &op).await, "on_hold");

        let done = operation(&app, "H4").await;
        set_status(&app, &done, "completed").await;
        let after = last_seq(&app).await;
        create(&app, PATH, standstill(&done, "Found later")).await;
        assert_eq!(status_of(&app, &done).await, "completed");
        assert_eq!(types(&events_after(&app, after).await), ["issue.created"]);
    }

    async fn the_last_two_standstills_closed_at_once_release_the_operation(app: TestApp) {
        let op = operation(&app, "H5").await;
        set_status(&app, &op, "in_progress").await;
        open_entry(&app, &op, "run").await;
        let mut paths = Vec::new();
        for title in ["Leak", "Smoke"] {
            paths.push(format!("{PATH}/{}", create(&app, PATH, standstill(&op, title)).await["id"].as_str().unwrap()));
        }
        assert_eq!(status_of(&app, &op).await, "on_hold");
        let after = last_seq(&app).await;
        let (first, second) = tokio::join!(
            patch(&app, &paths[0], json!({"status": "closed"})),
            app.call(Method::DELETE, &paths[1]).send()
        );
        first.expect(200);
        second.expect(200);
        assert_eq!(status_of(&app, &op).await, "in_progress");
        assert_eq!(open_entries(&app, &op).await, 1);
        let released = types(&events_after(&app, after).await).into_iter().filter(|t| t == "operation.released!").count();
        assert_eq!(released, 1, "released once, by whichever write came last");
    }
}
