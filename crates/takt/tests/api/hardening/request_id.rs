//! An `x-request-id` is echoed (and logged) only when it is 1 to 128 characters of
//! `[A-Za-z0-9._:-]`, given once; any other is replaced by a generated one.

use reqwest::Method;

use crate::backend_tests;
use crate::support::TestApp;

backend_tests! {
    async fn an_unsafe_request_id_is_replaced_by_a_generated_one(app: TestApp) {
        let long = "x".repeat(129);
        let huge = "a".repeat(10_000);
        let unsafe_ids = [long.as_str(), huge.as_str(), "has space", "semi;colon", "slash/id", "quote\"d", "50%", ""];
        for (method, path, status) in [(Method::GET, "/health", 200), (Method::GET, "/api-cells", 200), (Method::GET, "/nope", 404)] {
            for given in unsafe_ids {
                let response = app.call(method.clone(), path).header("x-request-id", given).send().await;
                assert_eq!(response.status, status, "{path}: {}", response.body);
                let id = response.header("x-request-id").expect("a request id");
                assert_ne!(id, given);
                assert!(uuid::Uuid::try_parse(id).is_ok(), "{path}: {given:.40} gave {id}");
            }
            // Two ids are one too many: neither is kept.
            let response =
                app.call(method.clone(), path).header("x-request-id", "one").header("x-request-id", "two").send().await;
            let id = response.header("x-request-id").expect("a request id");
            assert!(uuid::Uuid::try_parse(id).is_ok(), "{path}: two ids gave {id}");

            let longest = "Z".repeat(128);
            for kept in ["trace-4711", "A.b_c:d-9", longest.as_str()] {
                let response = app.call(method.clone(), path).header("x-request-id", kept).send().await;
                assert_eq!(response.header("x-request-id"), Some(kept), "{path}");
            }
        }
    }
}
