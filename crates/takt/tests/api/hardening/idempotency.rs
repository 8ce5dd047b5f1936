//! `Idempotency-Key` (SPEC section 10): the same request again answers the stored answer with
//! `Idempotent-Replayed: true` and writes nothing; another request with the key is `422`; a key
//! whose first request still runs is `409`; keys are the tenant's own and last 24 hours.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::events::fixtures::all_events;
use crate::hardening::erp_records;
use crate::support::{Response, TestApp};

const REPLAYED: &str = "idempotent-replayed";

fn job(number: &str) -> Value {
    json!({"external_id": "SO-1", "external_source": "SAP", "job_number": number, "customer": "Acme"})
}

async fn sync_with_key(app: &TestApp, key: &str, body: Value) -> Response {
    app.call(Method::PUT, "/api-jobs/sync").header("idempotency-key", key).json(body).send().await
}

/// Asserts that `again` is `first` given again.
#[track_caller]
fn assert_replay_of(again: &Response, first: &Response) {
    assert_eq!(again.status, first.status, "{}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header(REPLAYED), Some("true"));
    assert_eq!(again.header("content-type"), first.header("content-type"));
}

backend_tests! {
    async fn the_same_request_again_gets_the_first_answer_and_writes_nothing(app: TestApp) {
        let first = sync_with_key(&app, "order-4711", job("J-1")).await;
        first.expect(201);
        assert_eq!(first.header(REPLAYED), None);
        let events = all_events(&app).await.len();
        let updated_at = erp_records(&app, "jobs").await[0]["updated_at"].clone();

        for _ in 0..2 {
            let again = sync_with_key(&app, "order-4711", job("J-1")).await;
            assert_replay_of(&again, &first);
            assert_eq!(again.body["data"]["action"], "created", "the first answer, not a new one");
        }
        assert_eq!(all_events(&app).await.len(), events);
        assert_eq!(erp_records(&app, "jobs").await[0]["updated_at"], updated_at);

        // Without the key, the same body runs again.
        let unkeyed = app.put("/api-jobs/sync", job("J-1")).await;
        assert_eq!(unkeyed.expect(200)["data"]["action"], "updated");
        assert_eq!(unkeyed.header(REPLAYED), None);
    }

    async fn every_write_of_both_dialects_takes_a_key(app: TestApp) {
        let upsert = || app.call(Method::PUT, "/api/Currency/Upsert").header("idempotency-key", "c-1").json(json!({"name": "USD"}));
        let created = upsert().send().await;
        created.expect(201);
        assert_replay_of(&upsert().send().await, &created);
        let id = created.body["id"].clone();

        let delete = || app.call(Method::DELETE, "/api/Currency/Delete").header("idempotency-key", "d-1").json(json!({"ID": id}));
        let deleted = delete().send().await;
        deleted.expect(200);
        assert_replay_of(&delete().send().await, &deleted);
        assert!(crate::hardening::master_records(&app, "Currency").await.is_empty());

        let bulk = json!({"cells": [{"external_id": "C-1", "external_source": "SAP", "name": "Cutting"}]});
        let path = "/functions/v1/api-cells/bulk-sync";
        let first = app.call(Method::POST, path).header("idempotency-key", "b-1").json(bulk.clone()).send().await;
        first.expect(200);
        assert_replay_of(&app.call(Method::POST, path).header("idempotency-key", "b-1").json(bulk).send().await, &first);

        // A refusal is the request's own answer too.
        let refused = sync_with_key(&app, "bad-1", json!({"external_source": "SAP"})).await;
        refused.expect_error(422, "VALIDATION_ERROR");
        assert_replay_of(&sync_with_key(&app, "bad-1", json!({"external_source": "SAP"})).await, &refused);

        // Reads ignore it.
        let read = app.call(Method::GET, "/api-cells").header("idempotency-key", "b-1").send().await;
        read.expect(200);
        assert_eq!(read.header(REPLAYED), None);
    }

    async fn a_key_used_for_another_request_is_refused(app: TestApp) {
        sync_with_key(&app, "k-1", job("J-1")).await.expect(201);
        let events = all_events(&app).await.len();

        let other_body = sync_with_key(&app, "k-1", job("J-2")).await;
        let error = &other_body.expect_error(422, "IDEMPOTENCY_KEY_REUSED")["error"];
        assert!(error["message"].as_str().unwrap().contains("different request"), "{error}");
        let other_path = app.call(Method::PUT, "/api-parts/sync").header("idempotency-key", "k-1").json(job("J-1")).send().await;
        other_path.expect_error(422, "IDEMPOTENCY_KEY_REUSED");
        let other_method = app.call(Method::POST, "/api-jobs/sync").header("idempotency-key", "k-1").json(job("J-1")).send().await;
        assert_ne!(other_method.header(REPLAYED), Some("true"));

        assert_eq!(erp_records(&app, "jobs").await[0]["job_number"], "J-1");
        assert_eq!(all_events(&app).await.len(), events);
    }

    async fn a_key_whose_first_request_still_runs_is_in_use_until_its_lease_ends(app: TestApp) {
        let first = sync_with_key(&app, "k-run", job("J-1")).await;
        first.expect(201);
        // As if the first request were still running: claimed, unanswered, its lease ahead.
        let running = "UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL, lease_until = expires_at";
        assert_eq!(app.execute_sql(running).await, 1);
        sync_with_key(&app, "k-run", job("J-1")).await.expect_error(409, "IDEMPOTENCY_KEY_IN_USE");
        // A different request with the key is still a reuse.
        sync_with_key(&app, "k-run", job("J-9")).await.expect_error(422, "IDEMPOTENCY_KEY_REUSED");

        // Its process died: once the lease has run out, a retry runs in its place, and is kept.
        app.execute_sql("UPDATE idempotency_keys SET lease_until = created_at").await;
        let retry = sync_with_key(&app, "k-run", job("J-1")).await;
        assert_eq!(retry.expect(200)["data"]["action"], "updated", "{}", retry.body);
        assert_eq!(retry.header(REPLAYED), None);
        assert_replay_of(&sync_with_key(&app, "k-run", job("J-1")).await, &retry);
    }

    async fn concurrent_requests_with_one_key_run_once(app: TestApp) {
        let parts: Vec<Value> = (0..40)
            .map(|p| json!({"external_id": format!("SO-1-{p}"), "part_number": format!("P-{p}"), "quantity": 1}))
            .collect();
        let mut body = job("J-1");
        body["parts"] = Value::Array(parts);
        let answers = join_all((0..8).map(|_| sync_with_key(&app, "k-race", body.clone()))).await;
        let ran: Vec<&Response> = answers.iter().filter(|r| r.header(REPLAYED).is_none() && r.status != 409).collect();
        assert_eq!(ran.len(), 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        ran[0].expect(201);
        for answer in &answers {
            match answer.status {
                409 => assert_eq!(answer.body["error"]["code"], "IDEMPOTENCY_KEY_IN_USE"),
                _ if answer.header(REPLAYED).is_some() => assert_replay_of(answer, ran[0]),
                _ => {}
            }
        }
        let created = all_events(&app).await.iter().filter(|e| e["type"] == "job.created").count();
        assert_eq!(created, 1);
    }

    async fn keys_are_the_tenants_own(app: TestApp) {
        let globex = app.key_for("globex").await;
        sync_with_key(&app, "shared", job("J-1")).await.expect(201);
        let theirs =
            app.call(Method::PUT, "/api-jobs/sync").key(&globex).header("idempotency-key", "shared").json(job("J-2")).send().await;
        theirs.expect(201);
        assert_eq!(theirs.header(REPLAYED), None);
    }

    async fn a_malformed_key_is_refused_before_anything_runs(app: TestApp) {
        let long = "k".repeat(256);
        for given in [long.as_str(), "", "tab\there"] {
            let response = sync_with_key(&app, given, job("J-1")).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), ["Idempotency-Key"], "{given:.20}");
        }
        let twice = app
            .call(Method::PUT, "/api-jobs/sync")
            .header("idempotency-key", "a")
            .header("idempotency-key", "b")
            .json(job("J-1"))
            .send()
            .await;
        twice.expect_error(422, "VALIDATION_ERROR");
        assert!(erp_records(&app, "jobs").await.is_empty());
        sync_with_key(&app, &"k".repeat(255), job("J-1")).await.expect(201);
    }

    async fn a_key_past_its_day_is_new_again_and_pruned(app: TestApp) {
        sync_with_key(&app, "old", job("J-1")).await.expect(201);
        app.execute_sql("UPDATE idempotency_keys SET expires_at = created_at").await;
        let fresh = sync_with_key(&app, "old", job("J-2")).await;
        assert_eq!(fresh.expect(200)["data"]["action"], "updated");

        // The server prunes expired keys when it starts and every few minutes after.
        app.execute_sql("UPDATE idempotency_keys SET expires_at = created_at").await;
        let restarted = TestApp::serve(app.backend, app.database.clone(), tempfile::tempdir().unwrap(), crate::support::test_config()).await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while restarted.execute_sql("UPDATE idempotency_keys SET key = key").await > 0 {
            assert!(std::time::Instant::now() < deadline, "the expired key was not pruned");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}
