//! Request bodies before validation: not JSON or not declared as JSON is `400 BAD_REQUEST`,
//! JSON that is not an object is `422`, a body over the limit is `413`; none of them writes.

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::{Backend, TestApp, test_config};

/// Every write path of the API with a valid body for it.
fn writes() -> Vec<(Method, String, Vec<u8>)> {
    let mut writes = Vec::new();
    for entity in ENTITIES {
        let body = serde_json::to_vec(&valid(entity)).unwrap();
        writes.push((Method::PUT, format!("/api-{entity}/sync"), body));
        let bulk = serde_json::to_vec(&json!({ entity: [valid(entity)] })).unwrap();
        writes.push((Method::POST, format!("/api-{entity}/bulk-sync"), bulk));
    }
    writes
}

backend_tests! {
    async fn malformed_json_is_400(app: TestApp) {
        parents(&app).await;
        for (method, path, _) in writes() {
            for body in [&b"{\"external_id\": "[..], b"{'external_id': 'x'}", b"not json", b"{} {}", b"\xff\xfe"] {
                let response = app.call(method.clone(), &path).raw(body, Some("application/json")).send().await;
                response.expect_error(400, "BAD_REQUEST");
                assert!(
                    response.body["error"]["message"].as_str().unwrap().contains("not valid JSON"),
                    "{}",
                    response.body
                );
            }
            let response = app.call(method.clone(), &path).raw(Vec::new(), Some("application/json")).send().await;
            response.expect_error(400, "BAD_REQUEST");
        }
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }

    async fn a_body_not_declared_as_json_is_400(app: TestApp) {
        parents(&app).await;
        for (method, path, body) in writes() {
            for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("json"), None] {
                let response = app.call(method.clone(), &path).raw(body.clone(), content_type).send().await;
                response.expect_error(400, "BAD_REQUEST");
                assert_eq!(
                    response.body["error"]["message"], "Content-Type must be application/json",
                    "{path} with {content_type:?}"
                );
            }
        }
        assert_eq!(counts(&app).await, PARENT_COUNTS);
        // Parameters and +json types are still JSON.
        let response = app
            .call(Method::PUT, "/api-cells/sync")
            .raw(serde_json::to_vec(&valid("cells")).unwrap(), Some("application/json; charset=utf-8"))
            .send()
            .await;
        assert_eq!(response.expect(201)["data"]["action"], "created");
        let response = app
            .call(Method::PUT, "/api-jobs/sync")
            .raw(serde_json::to_vec(&valid("jobs")).unwrap(), Some("Application/JSON"))
            .send()
            .await;
        assert_eq!(response.expect(201)["data"]["action"], "created");
    }

    async fn json_that_is_not_an_object_is_422(app: TestApp) {
        parents(&app).await;
        for entity in ENTITIES {
            for body in [json!([valid(entity)]), json!("text"), json!(42), json!(null), json!(true)] {
                let response = sync(&app, entity, body.clone()).await;
                expect_invalid(&response, &[("", "body must be a JSON object")], &format!("{entity} sync {body}"));
                assert_eq!(response.body["error"]["message"], "body must be a JSON object");
                let response = app.post(&format!("/api-{entity}/bulk-sync"), body.clone()).await;
                expect_invalid(&response, &[("", "body must be a JSON object")], &format!("{entity} bulk {body}"));
            }
        }
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }

    async fn a_body_over_the_limit_is_413_and_writes_nothing(backend: Backend) {
        let app = TestApp::spawn_with(backend, takt_http::Config { body_limit: 2048, ..test_config() }).await;
        parents(&app).await;
        for entity in ENTITIES {
            // A valid record, padded with whitespace past the limit.
            let mut padded = serde_json::to_vec(&valid(entity)).unwrap();
            padded.extend(std::iter::repeat_n(b' ', 3000));
            let response = app
                .call(Method::PUT, &format!("/api-{entity}/sync"))
                .raw(padded, Some("application/json"))
                .send()
                .await;
            response.expect_error(413, "PAYLOAD_TOO_LARGE");
            // Valid records that together are over the limit.
            let records: Vec<_> = (0..40).map(|n| numbered(entity, n)).collect();
            let response = app.post(&format!("/api-{entity}/bulk-sync"), json!({ entity: records })).await;
            response.expect_error(413, "PAYLOAD_TOO_LARGE");
        }
        assert_eq!(counts(&app).await, PARENT_COUNTS, "nothing was written");
        // Under the limit, the same server writes.
        for entity in ENTITIES {
            create(&app, entity, valid(entity)).await;
        }
    }
}
