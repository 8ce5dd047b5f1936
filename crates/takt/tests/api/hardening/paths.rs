//! A path segment that does not decode to UTF-8 (`/api-jobs/%ff`) is answered in the envelope
//! (`400 BAD_REQUEST`), on every path that takes a parameter, in both dialects.

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::support::TestApp;

backend_tests! {
    async fn undecodable_path_segments_are_answered_in_the_envelope(app: TestApp) {
        for (method, path) in [
            (Method::GET, "/api-jobs/%ff"),
            (Method::GET, "/functions/v1/api-operations/%ff%fe"),
            (Method::POST, "/api/%ff/List"),
            (Method::PUT, "/api/Product/%ff"),
            (Method::GET, "/api-webhooks/%ff"),
            (Method::PATCH, "/api-webhooks/%ff"),
            (Method::POST, "/api-webhooks/%ff/rotate-secret"),
        ] {
            let response = app.call(method.clone(), path).json(json!({})).send().await;
            assert_eq!(response.header("content-type"), Some("application/json"), "{method} {path}");
            let error = response.expect_error(400, "BAD_REQUEST");
            assert!(error["error"]["message"].as_str().unwrap().contains("path"), "{method} {path}: {error}");
        }
        // The server still serves.
        app.get("/api-jobs").await.expect(200);
    }
}
