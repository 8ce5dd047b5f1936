//! CORS: the origins `--cors-origin` names get their preflights answered on every ERP path
//! (before any key is checked) and may read the answers; others, and a server without the
//! option, get no CORS headers.

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::erp::fixtures::valid;
use crate::support::{Backend, TestApp, test_config};

const PLANT: &str = "https://mes.plant.example";

async fn with_origins(backend: Backend, origins: &[&str]) -> TestApp {
    let config = takt_http::Config { cors_origins: origins.iter().map(|o| o.to_string()).collect(), ..test_config() };
    TestApp::spawn_with(backend, config).await
}

backend_tests! {
    async fn preflights_are_answered_for_the_allowed_origins(backend: Backend) {
        let app = with_origins(backend, &[PLANT]).await;
        for path in ["/api-jobs/sync", "/api-cells", "/functions/v1/api-parts/bulk-sync", "/api-jobs/00000000-0000-0000-0000-000000000000", "/api-erp-sync/diff/jobs"] {
            let preflight = app
                .call(Method::OPTIONS, path)
                .no_key()
                .header("origin", PLANT)
                .header("access-control-request-method", "PUT")
                .header("access-control-request-headers", "authorization, content-type, idempotency-key")
                .send()
                .await;
            assert_eq!(preflight.status, 200, "{path}: {}", preflight.body);
            assert_eq!(preflight.header("access-control-allow-origin"), Some(PLANT), "{path}");
            let methods = preflight.header("access-control-allow-methods").unwrap_or_default().to_owned();
            assert!(methods.contains("PUT") && methods.contains("PATCH"), "{path}: {methods}");
            let headers = preflight.header("access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
            assert!(headers.contains("authorization") && headers.contains("idempotency-key"), "{path}: {headers}");
        }

        // The request itself still needs its key; its answer may be read by the page.
        let synced = app.call(Method::PUT, "/api-cells/sync").header("origin", PLANT).json(valid("cells")).send().await;
        synced.expect(201);
        assert_eq!(synced.header("access-control-allow-origin"), Some(PLANT));
        let exposed = synced.header("access-control-expose-headers").unwrap_or_default().to_ascii_lowercase();
        assert!(exposed.contains("x-ratelimit-remaining") && exposed.contains("x-request-id"), "{exposed}");
        let anonymous = app.call(Method::GET, "/api-cells").no_key().header("origin", PLANT).send().await;
        anonymous.expect_error(401, "UNAUTHORIZED");

        // Another origin learns nothing.
        let other = app
            .call(Method::OPTIONS, "/api-jobs/sync")
            .no_key()
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "PUT")
            .send()
            .await;
        assert_eq!(other.header("access-control-allow-origin"), None);
    }

    async fn any_origin_with_a_star_and_none_without_the_option(backend: Backend) {
        let open = with_origins(backend, &["*"]).await;
        let preflight = open
            .call(Method::OPTIONS, "/api-operations")
            .no_key()
            .header("origin", "http://localhost:5173")
            .header("access-control-request-method", "GET")
            .send()
            .await;
        assert_eq!(preflight.status, 200);
        assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));

        let closed = TestApp::spawn(backend).await;
        let preflight = closed
            .call(Method::OPTIONS, "/api-jobs/sync")
            .no_key()
            .header("origin", PLANT)
            .header("access-control-request-method", "PUT")
            .send()
            .await;
        assert_eq!(preflight.header("access-control-allow-origin"), None);
        assert_ne!(preflight.status, 200, "{}", preflight.body);
        let answer = closed.call(Method::PUT, "/api-cells/sync").header("origin", PLANT).json(json!(valid("cells"))).send().await;
        assert_eq!(answer.header("access-control-allow-origin"), None);
    }
}
