//! Ambiguous nested syncs are refused (SPEC section 10): a nested child whose sync key belongs to
//! another job (or part) is `409` naming that owner, and nothing of the request is written; the
//! same sync key twice in one nested payload is `422` naming both paths; an array far longer than
//! a record may carry is refused before its elements are read. Single and bulk syncs, both paths.

use reqwest::Method;
use serde_json::{Value, json};

use super::{details, erp_records, send_raw};
use crate::backend_tests;
use crate::support::TestApp;

fn job(id: &str, parts: Value) -> Value {
    json!({"external_id": id, "external_source": "SAP", "job_number": id, "parts": parts})
}

fn part(id: &str, operations: Value) -> Value {
    json!({"external_id": id, "part_number": id, "operations": operations})
}

fn operation(id: &str) -> Value {
    json!({"external_id": id, "operation_name": id, "cell_name": "Saw"})
}

/// The `seq` of the tenant's last event.
async fn last_seq(app: &TestApp) -> i64 {
    let response = app.get("/api-events?after=0&limit=1000").await;
    let events = response.expect(200)["data"]["events"].as_array().expect("events").clone();
    assert!(events.len() < 1000, "the scenarios stay small");
    events.last().map_or(0, |e| e["seq"].as_i64().expect("a seq"))
}

/// The events appended after `after`, as `(entity, external_id)`.
async fn events_after(app: &TestApp, after: i64) -> Vec<(String, String)> {
    let response = app.get(&format!("/api-events?after={after}&limit=1000")).await;
    let events = response.expect(200)["data"]["events"].as_array().expect("events").clone();
    events
        .iter()
        .map(|e| (e["entity"].as_str().unwrap().to_owned(), e["external_id"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// A job as `GET /api-jobs/{id}` answers it, found by its external id.
async fn job_tree(app: &TestApp, external_id: &str) -> Option<Value> {
    let jobs = erp_records(app, "jobs").await;
    let id = jobs.iter().find(|j| j["external_id"] == external_id)?["id"].as_str()?.to_owned();
    Some(app.get(&format!("/api-jobs/{id}")).await.expect(200)["data"].clone())
}

/// Everything stored: every ERP record of every entity.
async fn everything(app: &TestApp) -> Vec<Vec<Value>> {
    let mut all = Vec::new();
    for entity in ["cells", "jobs", "parts", "operations"] {
        all.push(erp_records(app, entity).await);
    }
    all
}

/// Job J-A with parts P-1 (operations O-1, O-2) and P-2; job J-B without parts.
async fn seed(app: &TestApp) {
    let cell = json!({"external_id": "C-1", "external_source": "SAP", "name": "Saw"});
    app.put("/api-cells/sync", cell).await.expect(201);
    let a = job("J-A", json!([part("P-1", json!([operation("O-1"), operation("O-2")])), part("P-2", json!([]))]));
    app.put("/api-jobs/sync", a).await.expect(201);
    app.put("/api-jobs/sync", job("J-B", json!([]))).await.expect(201);
}

fn owned_message(path: &str, entity: &str, id: &str, owner: &str, owner_id: &str) -> String {
    format!(
        "{path}: {entity} '{id}' belongs to {owner} '{owner_id}'; a nested sync does not move it (sync the {entity} \
         on its own, naming its new {owner}, to move it); nothing was written"
    )
}

backend_tests! {
    async fn a_nested_child_of_another_parent_is_409_and_nothing_is_written(app: TestApp) {
        seed(&app).await;
        let before = everything(&app).await;
        let seq = last_seq(&app).await;

        // A new job claiming J-A's part: the part used to move with its operations.
        let claim = job("J-C", json!([part("P-9", json!([])), part("P-1", json!([]))]));
        for base in ["", "/functions/v1"] {
            let response = app.put(&format!("{base}/api-jobs/sync"), claim.clone()).await;
            let body = response.expect_error(409, "CONFLICT");
            assert_eq!(body["error"]["message"], owned_message("parts[1].external_id", "part", "P-1", "job", "J-A"));
        }
        // An existing job, whose own fields change too.
        let mut claim = job("J-B", json!([part("P-2", json!([]))]));
        claim["customer"] = json!("Changed");
        let response = app.put("/api-jobs/sync", claim).await;
        response.expect_error(409, "CONFLICT");
        assert_eq!(
            response.body["error"]["message"],
            owned_message("parts[0].external_id", "part", "P-2", "job", "J-A")
        );
        // An operation of P-1 nested in another part, in a job and in a standalone part.
        let claim = job("J-B", json!([part("P-3", json!([operation("O-3"), operation("O-2")]))]));
        let response = app.put("/api-jobs/sync", claim).await;
        response.expect_error(409, "CONFLICT");
        assert_eq!(
            response.body["error"]["message"],
            owned_message("parts[0].operations[1].external_id", "operation", "O-2", "part", "P-1")
        );
        let mut standalone = part("P-3", json!([operation("O-1")]));
        standalone["external_source"] = json!("SAP");
        standalone["job_external_id"] = json!("J-B");
        let response = app.put("/functions/v1/api-parts/sync", standalone).await;
        response.expect_error(409, "CONFLICT");
        assert_eq!(
            response.body["error"]["message"],
            owned_message("operations[0].external_id", "operation", "O-1", "part", "P-1")
        );

        assert_eq!(everything(&app).await, before, "nothing moved, nothing was created");
        assert_eq!(events_after(&app, seq).await, [], "no events");

        // A child that already belongs to this job is updated.
        let mut again = job("J-A", json!([part("P-1", json!([operation("O-2")]))]));
        again["parts"][0]["quantity"] = json!(5);
        again["parts"][0]["operations"][0]["notes"] = json!("sharpen first");
        app.put("/api-jobs/sync", again).await.expect(200);
        let a = job_tree(&app, "J-A").await.expect("J-A");
        assert_eq!(a["parts"][0]["quantity"], 5);
        assert_eq!(a["parts"][0]["operations"][1]["notes"], "sharpen first");
        assert_eq!(
            events_after(&app, seq).await,
            [("part".to_owned(), "P-1".to_owned()), ("operation".to_owned(), "O-2".to_owned())]
        );

        // To move a part, the ERP syncs it on its own under its new job; then it nests there.
        let moved = json!({"external_id": "P-2", "external_source": "SAP", "job_external_id": "J-B", "part_number": "P-2"});
        app.put("/api-parts/sync", moved).await.expect(200);
        app.put("/api-jobs/sync", job("J-B", json!([part("P-2", json!([])) ]))).await.expect(200);
        let b = job_tree(&app, "J-B").await.expect("J-B");
        assert_eq!(b["parts"].as_array().unwrap().len(), 1);
        assert_eq!(b["parts"][0]["external_id"], "P-2");
        assert_eq!(job_tree(&app, "J-A").await.expect("J-A")["parts"].as_array().unwrap().len(), 1);
    }

    async fn in_bulk_the_claiming_record_fails_alone(app: TestApp) {
        seed(&app).await;
        let a = job_tree(&app, "J-A").await;
        let seq = last_seq(&app).await;

        // J-E and J-F both claim the new P-7: the first one wins it.
        let jobs = json!({"jobs": [
            job("J-D", json!([part("P-5", json!([operation("O-5")]))])),
            job("J-E", json!([part("P-6", json!([])), part("P-1", json!([]))])),
            job("J-F", json!([part("P-7", json!([]))])),
            job("J-G", json!([part("P-8", json!([])), part("P-7", json!([]))])),
        ]});
        for base in ["", "/functions/v1"] {
            let response = app.post(&format!("{base}/api-jobs/bulk-sync"), jobs.clone()).await;
            let data = &response.expect(200)["data"];
            let lines = data["results"].as_array().unwrap();
            let actions: Vec<&str> = lines.iter().map(|l| l["action"].as_str().unwrap()).collect();
            let expected = if base.is_empty() { "created" } else { "updated" };
            assert_eq!(actions, [expected, "error", expected, "error"], "{}", response.body);
            assert_eq!(lines[1]["external_id"], "J-E");
            assert_eq!(lines[1]["error"], owned_message("parts[1].external_id", "part", "P-1", "job", "J-A"));
            assert_eq!(lines[3]["error"], owned_message("parts[1].external_id", "part", "P-7", "job", "J-F"));
            assert_eq!(data["errors"], 2);
        }
        assert_eq!(job_tree(&app, "J-A").await, a, "J-A keeps its parts");
        assert_eq!(job_tree(&app, "J-E").await, None);
        assert_eq!(job_tree(&app, "J-G").await, None);
        let parts: Vec<Value> = erp_records(&app, "parts").await.iter().map(|p| p["external_id"].clone()).collect();
        assert_eq!(parts, ["P-1", "P-2", "P-5", "P-7"], "P-6 and P-8 were not written");
        let created: Vec<(String, String)> =
            [("job", "J-D"), ("part", "P-5"), ("operation", "O-5"), ("job", "J-F"), ("part", "P-7")]
                .iter()
                .map(|(e, id)| (e.to_string(), id.to_string()))
                .collect();
        assert_eq!(events_after(&app, seq).await, created, "only the applied records have events");

        // Parts with nested operations, in bulk.
        let seq = last_seq(&app).await;
        let standalone = |id: &str, operations: Value| {
            json!({"external_id": id, "external_source": "SAP", "job_external_id": "J-B", "part_number": id,
                   "operations": operations})
        };
        let parts = json!({"parts": [
            standalone("P-10", json!([operation("O-10"), operation("O-1")])),
            standalone("P-11", json!([operation("O-11")])),
        ]});
        let response = app.post("/api-parts/bulk-sync", parts).await;
        let lines = response.expect(200)["data"]["results"].as_array().unwrap().clone();
        assert_eq!(lines[0]["action"], "error");
        assert_eq!(lines[0]["error"], owned_message("operations[1].external_id", "operation", "O-1", "part", "P-1"));
        assert_eq!(lines[1]["action"], "created");
        let created: Vec<(String, String)> =
            [("part", "P-11"), ("operation", "O-11")].iter().map(|(e, id)| (e.to_string(), id.to_string())).collect();
        assert_eq!(events_after(&app, seq).await, created);
        assert_eq!(job_tree(&app, "J-A").await, a);
    }

    async fn a_sync_key_twice_in_one_nested_payload_is_422(app: TestApp) {
        seed(&app).await;
        let before = everything(&app).await;
        let seq = last_seq(&app).await;
        let repeats = |second: &str, first: &str, id: &str| {
            (format!("{second}.external_id"), format!("repeats the sync key of {first}.external_id ('{id}' from 'SAP')"))
        };

        let parts = job("J-N", json!([part("P-1", json!([])), part("P-20", json!([])), part("P-1", json!([]))]));
        let response = app.put("/api-jobs/sync", parts).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), [repeats("parts[2]", "parts[0]", "P-1")]);

        let operations = job("J-N", json!([part("P-20", json!([operation("O-9"), operation("O-9")]))]));
        let response = app.put("/functions/v1/api-jobs/sync", operations).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), [repeats("parts[0].operations[1]", "parts[0].operations[0]", "O-9")]);

        let across = job("J-N", json!([part("P-20", json!([operation("O-9")])), part("P-21", json!([operation("O-9")]))]));
        let response = app.put("/api-jobs/sync", across).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), [repeats("parts[1].operations[0]", "parts[0].operations[0]", "O-9")]);

        let mut standalone = part("P-20", json!([operation("O-9"), operation("O-8"), operation("O-9")]));
        standalone["external_source"] = json!("SAP");
        standalone["job_external_id"] = json!("J-A");
        let response = app.put("/api-parts/sync", standalone.clone()).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), [repeats("operations[2]", "operations[0]", "O-9")]);

        // In bulk, the record fails with that error and the others apply.
        let bulk = json!({"parts": [standalone, part_in("P-22", "J-A")]});
        let response = app.post("/api-parts/bulk-sync", bulk).await;
        let lines = response.expect(200)["data"]["results"].as_array().unwrap().clone();
        assert_eq!(lines[0]["action"], "error");
        assert_eq!(
            lines[0]["error"],
            "operations[2].external_id repeats the sync key of operations[0].external_id ('O-9' from 'SAP')"
        );
        assert_eq!(lines[1]["action"], "created");
        assert_eq!(events_after(&app, seq).await, [("part".to_owned(), "P-22".to_owned())]);
        let mut after = everything(&app).await;
        after[2].retain(|p| p["external_id"] != "P-22");
        assert_eq!(after, before);

        // The same external_id from another source is another key.
        let mut other = part("P-1", json!([]));
        other["external_source"] = json!("Odoo");
        app.put("/api-jobs/sync", job("J-N", json!([part("P-1", json!([])), other]))).await.expect_error(409, "CONFLICT");
        let mut other = part("P-30", json!([]));
        other["external_source"] = json!("Odoo");
        app.put("/api-jobs/sync", job("J-N", json!([part("P-30", json!([])), other]))).await.expect(201);
    }

    async fn arrays_of_100000_children_are_refused_while_health_keeps_answering(app: TestApp) {
        let body = format!(
            r#"{{"external_id": "J-X", "external_source": "SAP", "job_number": "J-X", "parts": [{}]}}"#,
            vec!["{}"; 100_000].join(",")
        );
        let attacks: Vec<_> = (0..2)
            .map(|_| crate::hardening::send_in_background(&app, Method::PUT, "/api-jobs/sync", body.clone()))
            .collect();
        crate::hardening::health_keeps_answering(&app, &attacks).await;
        for attack in attacks {
            let response = attack.await.expect("the request ran");
            response.expect_error(422, "VALIDATION_ERROR");
            assert!(response.body.to_string().len() < 1000, "a small answer: {}", response.body);
        }
        assert!(erp_records(&app, "jobs").await.is_empty());
    }

    async fn arrays_far_longer_than_allowed_are_refused_unread(app: TestApp) {
        seed(&app).await;
        let seq = last_seq(&app).await;
        let empties = |n: usize| vec!["{}"; n].join(",");
        let body = format!(
            r#"{{"external_id": "J-X", "external_source": "SAP", "job_number": "J-X", "parts": [{}]}}"#,
            empties(100_000)
        );
        let response = send_raw(&app, Method::PUT, "/api-jobs/sync", body).await;
        response.expect_error(422, "VALIDATION_ERROR");
        let message = "has 100000 elements, more than the 1000 allowed; none was read";
        assert_eq!(details(&response), [("parts".to_owned(), message.to_owned())]);
        assert!(response.body.to_string().len() < 1000, "a small answer: {}", response.body);

        let body = format!(
            r#"{{"external_id": "P-X", "external_source": "SAP", "job_external_id": "J-A", "part_number": "P-X",
                "operations": [{}]}}"#,
            empties(1001)
        );
        let response = send_raw(&app, Method::PUT, "/functions/v1/api-parts/sync", body).await;
        response.expect_error(422, "VALIDATION_ERROR");
        let message = "has 1001 elements, more than the 1000 allowed; none was read";
        assert_eq!(details(&response), [("operations".to_owned(), message.to_owned())]);

        let body = format!(
            r#"{{"jobs": [{{"external_id": "J-X", "external_source": "SAP", "job_number": "J-X", "parts": [{}]}},
                          {{"external_id": "J-Y", "external_source": "SAP", "job_number": "J-Y",
                            "parts": [{{"external_id": "P-Y", "part_number": "P-Y", "operations": [{}]}}]}},
                          {{"external_id": "J-Z", "external_source": "SAP", "job_number": "J-Z"}}]}}"#,
            empties(100_000),
            empties(5000)
        );
        let response = send_raw(&app, Method::POST, "/api-jobs/bulk-sync", body).await;
        let lines = response.expect(200)["data"]["results"].as_array().unwrap().clone();
        assert_eq!(lines[0]["error"], "parts has 100000 elements, more than the 1000 allowed; none was read");
        assert_eq!(
            lines[1]["error"],
            "parts[0].operations has 5000 elements, more than the 1000 allowed; none was read"
        );
        assert_eq!(lines[2]["action"], "created");
        assert!(response.body.to_string().len() < 1000, "a small answer: {}", response.body);
        assert_eq!(events_after(&app, seq).await, [("job".to_owned(), "J-Z".to_owned())]);

        // The limit itself is allowed.
        let parts: Vec<Value> = (0..1000).map(|i| json!({"external_id": format!("P-{i:04}"), "part_number": "X"})).collect();
        let response = app.put("/api-jobs/sync", job("J-W", Value::Array(parts))).await;
        response.expect(201);
        assert_eq!(job_tree(&app, "J-W").await.expect("J-W")["parts"].as_array().unwrap().len(), 1000);
    }
}

fn part_in(id: &str, job: &str) -> Value {
    json!({"external_id": id, "external_source": "SAP", "job_external_id": job, "part_number": id})
}
