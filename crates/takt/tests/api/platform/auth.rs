//! API keys on both dialects: what is refused (`401 UNAUTHORIZED`, nothing written), what is
//! open, and revocation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::platform::fixtures::{cell_body, erp_list, master_list, sync_cell};
use crate::support::{Backend, TestApp};

/// Requests of both dialects that would write (or read) if they were let through.
fn protected_requests() -> Vec<(Method, &'static str, Option<Value>)> {
    let cell = json!({"external_id": "WC-1", "external_source": "SAP", "name": "Cutting"});
    let job = json!({"external_id": "SO-1", "external_source": "SAP", "job_number": "JOB-1"});
    vec![
        (Method::PUT, "/api-cells/sync", Some(cell.clone())),
        (Method::PUT, "/functions/v1/api-cells/sync", Some(cell)),
        (Method::POST, "/api-jobs/bulk-sync", Some(json!({"jobs": [job]}))),
        (Method::GET, "/api-jobs", None),
        (Method::GET, "/functions/v1/api-jobs", None),
        (Method::POST, "/api/Product/List", Some(json!({}))),
        (Method::PUT, "/api/ProductType/Upsert", Some(json!({"name": "Widget"}))),
        (Method::DELETE, "/api/ApprovalStatus/Delete", Some(json!({"id": 1}))),
    ]
}

/// Sends every protected request with `authorization` (or none) and checks each is a `401`.
async fn expect_refused(app: &TestApp, authorization: Option<&str>, what: &str) {
    for (method, path, body) in protected_requests() {
        let mut call = app.call(method.clone(), path).no_key();
        if let Some(value) = authorization {
            call = call.header("authorization", value);
        }
        if let Some(body) = body {
            call = call.json(body);
        }
        let response = call.send().await;
        assert_eq!(response.status, 401, "{what}: {method} {path} answered {}", response.body);
        response.expect_error(401, "UNAUTHORIZED");
        assert_eq!(response.header("www-authenticate"), Some("Bearer"), "{what}: {method} {path}");
        assert!(response.header("x-ratelimit-limit").is_none(), "{what}: a refused request is not counted");
    }
}

/// Nothing of what the protected requests carry was written.
async fn expect_nothing_written(app: &TestApp) {
    assert_eq!(erp_list(app, "cells").await, Vec::<Value>::new());
    assert_eq!(erp_list(app, "jobs").await, Vec::<Value>::new());
    assert_eq!(master_list(app, "ProductType", json!({})).await, Vec::<Value>::new());
    let statuses = master_list(app, "ApprovalStatus", json!({})).await;
    assert_eq!(statuses.len(), 5, "the built-in approval statuses are all there");
}

/// The same key with its last hex digit changed: same lookup prefix, another hash.
fn sibling_key(key: &str) -> String {
    let (head, last) = key.split_at(key.len() - 1);
    format!("{head}{}", if last == "0" { "1" } else { "0" })
}

backend_tests! {
    async fn missing_or_malformed_authorization_is_401_on_both_dialects_and_writes_nothing(app: TestApp) {
        let key = app.key.clone();
        let hex = &key["ery_live_".len()..];
        let cases: Vec<(String, &str)> = vec![
            (format!("Basic {}", "dGFrdDpzZWNyZXQ="), "the Basic scheme"),
            (format!("Token {key}"), "another scheme"),
            (key.clone(), "the key without a scheme"),
            ("Bearer".to_owned(), "an empty token"),
            ("Bearer    ".to_owned(), "a blank token"),
            (format!("Bearer ery_test_{hex}"), "the wrong prefix"),
            (format!("Bearer ERY_LIVE_{hex}"), "an upper-case prefix"),
            (format!("Bearer ery_live_{}", hex.to_ascii_uppercase()), "upper-case hex"),
            (format!("Bearer {}", &key[..key.len() - 1]), "one hex digit short"),
            (format!("Bearer {key}0"), "one hex digit too many"),
            (format!("Bearer {}g", &key[..key.len() - 1]), "a non-hex character"),
            (format!("Bearer {key} {key}"), "two tokens"),
            (format!("Bearer \"{key}\""), "a quoted key"),
        ];
        expect_refused(&app, None, "no Authorization header").await;
        for (authorization, what) in &cases {
            expect_refused(&app, Some(authorization), what).await;
        }
        expect_nothing_written(&app).await;
    }

    async fn a_well_formed_key_that_is_not_stored_is_401_and_writes_nothing(app: TestApp) {
        let unknown = takt_domain::api_key::ApiKey::generate();
        expect_refused(&app, Some(&format!("Bearer {}", unknown.reveal())), "an unknown key").await;
        // Found by its lookup prefix, refused by its hash.
        let sibling = sibling_key(&app.key);
        assert_eq!(sibling[..21], app.key[..21]);
        expect_refused(&app, Some(&format!("Bearer {sibling}")), "a key with a stored prefix").await;
        expect_nothing_written(&app).await;
    }

    async fn a_revoked_key_is_401_and_the_tenant_s_other_key_keeps_working(app: TestApp) {
        let second = app.key_for("acme").await;
        let synced = app
            .call(Method::PUT, "/api-cells/sync")
            .key(&second)
            .json(json!({"external_id": "WC-1", "external_source": "SAP", "name": "Cutting"}))
            .send()
            .await;
        synced.expect(201);

        let revoked = app.store.revoke_key(&second[..21]).await.expect("revoke the key");
        assert!(revoked.revoked_at.is_some());
        expect_refused(&app, Some(&format!("Bearer {second}")), "a revoked key").await;
        let response = app.call(Method::GET, "/api-cells").key(&second).send().await;
        let message = response.expect_error(401, "UNAUTHORIZED")["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("revoked"), "{message}");

        // The tenant's other key still reads what the revoked key wrote, and still writes.
        let cells = erp_list(&app, "cells").await;
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0]["name"], "Cutting");
        sync_cell(&app, "WC-2", "Bending").await.expect(201);
        app.put("/api/ProductType/Upsert", json!({"name": "Widget"})).await.expect(201);
        assert_eq!(erp_list(&app, "cells").await.len(), 2);
    }

    async fn a_request_records_when_its_key_was_last_used(app: TestApp) {
        let last_used = || async {
            let keys = app.store.list_keys().await.expect("list the keys");
            keys.into_iter().find(|k| k.lookup_prefix == app.key[..21]).expect("the app's key").last_used_at
        };
        assert_eq!(last_used().await, None, "a new key has not been used");
        let before = chrono::Utc::now() - chrono::Duration::milliseconds(1);
        app.get("/api-cells").await.expect(200);
        let after = chrono::Utc::now();
        // Written in the background: wait for it, without asserting how long it takes.
        let mut used = None;
        for _ in 0..600 {
            used = last_used().await;
            if used.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let used = used.expect("last_used_at is recorded");
        assert!(before <= used && used <= after, "{used} not within {before}..{after}");
        // A refused key records nothing.
        let refused = sibling_key(&app.key);
        app.call(Method::GET, "/api-cells").key(&refused).send().await.expect_error(401, "UNAUTHORIZED");
        assert_eq!(last_used().await, Some(used));
    }

    async fn revoking_one_tenant_s_key_leaves_other_tenants_alone(app: TestApp) {
        let other = app.key_for("globex").await;
        app.store.revoke_key(&app.key[..21]).await.expect("revoke acme's key");
        app.get("/api-cells").await.expect_error(401, "UNAUTHORIZED");
        let response = app.call(Method::GET, "/api-cells").key(&other).send().await;
        assert_eq!(response.expect(200)["data"]["cells"], json!([]));
    }

    async fn the_bearer_scheme_is_matched_case_insensitively(app: TestApp) {
        for (index, scheme) in ["bearer", "BEARER", "Bearer"].into_iter().enumerate() {
            let response = app
                .call(Method::PUT, "/api-cells/sync")
                .no_key()
                .header("authorization", &format!("{scheme} {}", app.key))
                .json(cell_body(&format!("WC-{index}"), &format!("Cell {index}")))
                .send()
                .await;
            response.expect(201);
        }
        assert_eq!(erp_list(&app, "cells").await.len(), 3);
    }

    async fn health_and_openapi_need_no_key(app: TestApp) {
        for authorization in [None, Some("Bearer nonsense"), Some("Basic dGFrdDpzZWNyZXQ=")] {
            let mut health = app.call(Method::GET, "/health").no_key();
            let mut openapi = app.call(Method::GET, "/openapi.json").no_key();
            if let Some(value) = authorization {
                health = health.header("authorization", value);
                openapi = openapi.header("authorization", value);
            }
            let health = health.send().await;
            let body = health.expect(200);
            assert_eq!(body["status"], "ok");
            let backend = match app.backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgres",
            };
            assert_eq!(body["database"], backend);
            assert!(health.header("x-ratelimit-limit").is_none());
            let openapi = openapi.send().await;
            let document = openapi.expect(200);
            assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{document}");
            assert!(document["paths"]["/api-cells/sync"].is_object());
        }
    }
}
