//! Recipes (a product and a version of one of its BoMs) and schedules (a recipe to run, whose
//! BoM version must be approved, with a status that only moves forward).

use serde_json::{Value, json};

use crate::backend_tests;
use crate::master::fixtures::*;
use crate::support::TestApp;

backend_tests! {
    async fn a_recipe_runs_a_version_of_a_bom_of_its_own_product(app: TestApp) {
        let approved = bracket(&app, "Approved").await;
        let v = id(&approved);
        let recipe = create(
            &app,
            "Recipe",
            json!({ "name": "R-BRK", "suid": "R-1", "product": "bracket-a", "bomVersionId": v }),
        )
        .await;
        assert_eq!(keys(&recipe), ["id", "name", "suid", "product", "bomVersionId", "createdAt", "updatedAt"]);
        assert_eq!(
            content(&recipe),
            json!({ "name": "R-BRK", "suid": "R-1", "product": "BRACKET-A", "bomVersionId": v })
        );

        // A version of another product's BoM is refused, on create and on update.
        bom(&app, "SCR", "SCREW").await;
        let screw_version = version(&app, "SCR", "1.0", "Draft").await;
        let other = upsert(
            &app,
            "Recipe",
            json!({ "name": "R-X", "product": "BRACKET-A", "bomVersionId": id(&screw_version) }),
        )
        .await;
        let body = other.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(other.error_fields(), ["bomVersionId"]);
        let message = body["error"]["details"][0]["message"].as_str().unwrap();
        assert!(message.contains("BoM 'SCR'"), "{message}");
        let switched = upsert(&app, "Recipe", json!({ "id": id(&recipe), "product": "SCREW" })).await;
        switched.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(switched.error_fields(), ["bomVersionId"]);
        let repointed = upsert(&app, "Recipe", json!({ "id": id(&recipe), "bomVersionId": id(&screw_version) })).await;
        repointed.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(read(&app, "Recipe", id(&recipe)).await, recipe);
        // Both together are consistent again.
        let moved = update(
            &app,
            "Recipe",
            json!({ "id": id(&recipe), "product": "SCREW", "bomVersionId": id(&screw_version) }),
        )
        .await;
        assert_eq!(
            (moved["product"].clone(), moved["bomVersionId"].clone()),
            (json!("SCREW"), json!(id(&screw_version)))
        );

        // A recipe without a version is fine; the references must exist.
        let plain = create(&app, "Recipe", json!({ "name": "R-PLAIN", "product": "SHEET" })).await;
        assert_eq!(plain["bomVersionId"], Value::Null);
        let unknown =
            upsert(&app, "Recipe", json!({ "name": "R-Y", "product": "NUT", "bomVersionId": v + 1000 })).await;
        unknown.expect_error(404, "NOT_FOUND");
        assert_eq!(unknown.error_fields(), ["product", "bomVersionId"]);
        let missing = upsert(&app, "Recipe", json!({ "bomVersionId": v })).await;
        missing.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(missing.error_fields(), ["name", "product"]);
        upsert(&app, "Recipe", json!({ "name": "r-plain", "product": "SHEET" })).await.expect_error(409, "CONFLICT");
        assert_eq!(listed(&app, "Recipe", json!({})).await.len(), 2);
        delete(&app, "Recipe", id(&plain)).await.expect(200);
        delete(&app, "Recipe", id(&plain)).await.expect_error(404, "NOT_FOUND");
    }

    async fn a_schedule_needs_an_approved_bom_version(app: TestApp) {
        let draft = bracket(&app, "Draft").await;
        recipe(&app, "R-BRK", "BRACKET-A", Some(id(&draft))).await;
        let refused = upsert(&app, "Schedule", json!({ "name": "JOB-1", "recipe": "R-BRK", "quantity": 10 })).await;
        let body = refused.expect_error(409, "CONFLICT");
        assert_eq!(
            body["error"]["message"],
            "recipe 'R-BRK' uses BoM version 'BRK-A 1.0', which is Draft: approve it before scheduling"
        );
        assert_eq!(listed(&app, "Schedule", json!({})).await, Vec::<Value>::new());
        update(&app, "BomVersion", json!({ "id": id(&draft), "approvalStatus": "Pending" })).await;
        upsert(&app, "Schedule", json!({ "name": "JOB-1", "recipe": "R-BRK", "quantity": 10 }))
            .await
            .expect_error(409, "CONFLICT");

        update(&app, "BomVersion", json!({ "id": id(&draft), "approvalStatus": "Approved" })).await;
        let job = create(&app, "Schedule", json!({ "name": "JOB-1", "recipe": "r-brk", "quantity": 10 })).await;
        assert_eq!(
            keys(&job),
            ["id", "name", "recipe", "quantity", "plannedStart", "plannedEnd", "status", "createdAt", "updatedAt"]
        );
        assert_eq!(
            content(&job),
            json!({
                "name": "JOB-1", "recipe": "R-BRK", "quantity": 10, "plannedStart": null, "plannedEnd": null,
                "status": "scheduled"
            })
        );

        // Moving a schedule to a recipe whose version is not approved is refused too.
        let next = version(&app, "BRK-A", "1.1", "Draft").await;
        recipe(&app, "R-NEXT", "BRACKET-A", Some(id(&next))).await;
        let moved = upsert(&app, "Schedule", json!({ "id": id(&job), "recipe": "R-NEXT" })).await;
        moved.expect_error(409, "CONFLICT");
        assert_eq!(read(&app, "Schedule", id(&job)).await, job);
        // A recipe without a BoM version can be scheduled.
        recipe(&app, "R-SHEET", "SHEET", None).await;
        schedule(&app, "JOB-2", "R-SHEET").await;

        for (body, status, fields) in [
            (json!({}), 422, vec!["name", "recipe", "quantity"]),
            (json!({ "name": "JOB-3", "recipe": "R-SHEET", "quantity": 0 }), 422, vec!["quantity"]),
            (json!({ "name": "JOB-3", "recipe": "R-SHEET", "quantity": 1, "status": "running" }), 422, vec!["status"]),
            (json!({ "name": "JOB-3", "recipe": "R-SHEET", "quantity": 1, "status": "begun" }), 422, vec!["status"]),
            (json!({ "name": "JOB-3", "recipe": "R-NONE", "quantity": 1 }), 404, vec!["recipe"]),
            (json!({ "name": "job-1", "recipe": "R-SHEET", "quantity": 1 }), 409, vec![]),
        ] {
            let response = upsert(&app, "Schedule", body.clone()).await;
            let code = match status {
                404 => "NOT_FOUND",
                409 => "CONFLICT",
                _ => "VALIDATION_ERROR",
            };
            response.expect_error(status, code);
            assert_eq!(response.error_fields(), fields, "{body}");
        }
        assert_eq!(listed(&app, "Schedule", json!({})).await.len(), 2);
    }

    async fn a_schedule_status_only_moves_forward_and_only_a_waiting_schedule_is_deleted(app: TestApp) {
        reference_data(&app).await;
        product(&app, "SHEET").await;
        recipe(&app, "R-SHEET", "SHEET", None).await;
        let job = schedule(&app, "JOB-1", "R-SHEET").await;
        let started = update(&app, "Schedule", json!({ "id": id(&job), "status": "started" })).await;
        assert_eq!(started["status"], "started");
        let back = upsert(&app, "Schedule", json!({ "id": id(&job), "status": "scheduled" })).await;
        assert_eq!(
            back.expect_error(409, "CONFLICT")["error"]["message"],
            "Schedule 'JOB-1' is started: its status only moves forward (scheduled, started, completed)"
        );
        let deleted = delete(&app, "Schedule", id(&job)).await;
        assert_eq!(
            deleted.expect_error(409, "CONFLICT")["error"]["message"],
            "Schedule 'JOB-1' is started: only a schedule that has not started can be deleted"
        );
        update(&app, "Schedule", json!({ "id": id(&job), "status": "started", "quantity": 6 })).await;
        let completed = update(&app, "Schedule", json!({ "id": id(&job), "status": "completed" })).await;
        assert_eq!(completed["status"], "completed");
        upsert(&app, "Schedule", json!({ "id": id(&job), "status": "started" })).await.expect_error(409, "CONFLICT");
        delete(&app, "Schedule", id(&job)).await.expect_error(409, "CONFLICT");
        assert_eq!(read(&app, "Schedule", id(&job)).await, completed);

        // Straight from scheduled to completed is forward too; a waiting schedule is deleted.
        let quick = schedule(&app, "JOB-2", "R-SHEET").await;
        assert_eq!(
            update(&app, "Schedule", json!({ "id": id(&quick), "status": "completed" })).await["status"],
            "completed"
        );
        let waiting = schedule(&app, "JOB-3", "R-SHEET").await;
        assert_eq!(delete(&app, "Schedule", id(&waiting)).await.expect(200), &waiting);
        assert_eq!(listed(&app, "Schedule", json!({ "id": id(&waiting) })).await, Vec::<Value>::new());
        delete(&app, "Schedule", id(&waiting)).await.expect_error(404, "NOT_FOUND");
    }

    async fn planned_times_are_utc_and_the_end_is_not_before_the_start(app: TestApp) {
        reference_data(&app).await;
        product(&app, "SHEET").await;
        recipe(&app, "R-SHEET", "SHEET", None).await;
        let job = create(
            &app,
            "Schedule",
            json!({ "name": "JOB-1", "recipe": "R-SHEET", "quantity": 1,
                "Planned Start": "2026-11-21T10:30:00+02:00", "plannedEnd": "2026-11-21T17:45:30.123456-05:00" }),
        )
        .await;
        assert_eq!(job["plannedStart"], "2026-11-21T08:30:00Z");
        assert_eq!(job["plannedEnd"], "2026-11-21T22:45:30.123456Z");
        assert_eq!(read(&app, "Schedule", id(&job)).await, job);

        let same = update(&app, "Schedule", json!({ "id": id(&job), "plannedEnd": "2026-11-21T08:30:00Z" })).await;
        assert_eq!(same["plannedEnd"], same["plannedStart"], "an end equal to the start is fine");
        let early =
            upsert(&app, "Schedule", json!({ "id": id(&job), "plannedEnd": "2026-11-21T09:29:59+01:00" })).await;
        let body = early.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(early.error_fields(), ["plannedEnd"]);
        assert_eq!(body["error"]["details"][0]["message"], "must not be before plannedStart");
        let late_start =
            upsert(&app, "Schedule", json!({ "id": id(&job), "plannedStart": "2026-11-22T00:00:00Z" })).await;
        late_start.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(late_start.error_fields(), ["plannedEnd"]);
        let reversed = upsert(
            &app,
            "Schedule",
            json!({
                "name": "JOB-2", "recipe": "R-SHEET", "quantity": 1, "plannedStart": "2026-11-21T10:00:00Z",
                "plannedEnd": "2026-11-21T09:00:00Z"
            }),
        )
        .await;
        reversed.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(reversed.error_fields(), ["plannedEnd"]);
        assert_eq!(read(&app, "Schedule", id(&job)).await, same);

        for bad in
            ["2026-11-21", "2026-11-21 08:30:00", "2026-11-21T08:30:00", "2026-11-21T08:30:00.1234567Z", "tomorrow"]
        {
            let response = upsert(&app, "Schedule", json!({ "id": id(&job), "plannedStart": bad })).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), ["plannedStart"], "{bad}");
        }
        // Clearing the start lifts the rule.
        let open = update(
            &app,
            "Schedule",
            json!({ "id": id(&job), "plannedStart": null, "plannedEnd": "2020-01-01T00:00:00Z" }),
        )
        .await;
        assert_eq!(
            (open["plannedStart"].clone(), open["plannedEnd"].clone()),
            (Value::Null, json!("2020-01-01T00:00:00Z"))
        );
    }
}

backend_tests! {
    async fn concurrent_status_moves_never_end_behind_what_was_answered(app: TestApp) {
        reference_data(&app).await;
        product(&app, "SHEET").await;
        recipe(&app, "R-SHEET", "SHEET", None).await;
        for round in 0..20 {
            let job = schedule(&app, &format!("JOB-{round}"), "R-SHEET").await;
            let start = upsert(&app, "Schedule", json!({ "id": id(&job), "status": "started" }));
            let complete = upsert(&app, "Schedule", json!({ "id": id(&job), "status": "completed" }));
            let (start, complete) = tokio::join!(start, complete);
            let status = read(&app, "Schedule", id(&job)).await["status"].clone();
            match (start.status, complete.status) {
                (200, 200) => assert_eq!(status, "completed", "round {round}: both moves were accepted"),
                (409, 200) => assert_eq!(status, "completed", "round {round}"),
                other => panic!("round {round}: unexpected answers {other:?}; status {status}"),
            }
        }
    }

    async fn a_schedule_deleted_while_it_starts_is_either_gone_or_started(app: TestApp) {
        reference_data(&app).await;
        product(&app, "SHEET").await;
        recipe(&app, "R-SHEET", "SHEET", None).await;
        for round in 0..20 {
            let job = schedule(&app, &format!("JOB-{round}"), "R-SHEET").await;
            let start = upsert(&app, "Schedule", json!({ "id": id(&job), "status": "started" }));
            let (start, deleted) = tokio::join!(start, delete(&app, "Schedule", id(&job)));
            let left = listed(&app, "Schedule", json!({ "id": id(&job) })).await;
            match (start.status, deleted.status) {
                (404, 200) => assert_eq!(left, Vec::<Value>::new(), "round {round}"),
                (200, 409) => assert_eq!(column(&left, "status"), [json!("started")], "round {round}"),
                other => panic!("round {round}: unexpected answers {other:?}: {:?} {:?}", start.body, deleted.body),
            }
        }
    }
}
