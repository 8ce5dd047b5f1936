//! `takt doctor` as a real process: a healthy database passes; a pending migration, no keys,
//! an unreachable webhook or a PostgreSQL too small for the instances fail, each saying what to
//! do; nothing is changed.

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;
use crate::operations::common::{Output, free_port, run, takt};
use crate::support::{Backend, TestApp, fresh_database, test_config};

async fn doctor(database: &str, args: &[&str]) -> Output {
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    run(takt(database, &all)).await
}

/// Asserts that doctor failed and printed `line` (and the `->` advice after it).
#[track_caller]
fn failed_with(out: &Output, line: &str) {
    out.failure("failed");
    let found = out.stdout.lines().position(|l| l.starts_with("FAIL") && l.contains(line));
    let found = found.unwrap_or_else(|| panic!("no FAIL line saying {line:?}:\n{}", out.stdout));
    assert!(out.stdout.lines().nth(found + 1).is_some_and(|l| l.trim_start().starts_with("->")), "{}", out.stdout);
}

backend_tests! {
    async fn a_healthy_database_passes(app: TestApp) {
        let out = doctor(&app.database, &[]).await;
        out.success();
        assert!(out.stdout.lines().all(|l| l.starts_with("ok") || l.starts_with("warn")), "{}", out.stdout);
        assert!(out.stdout.contains("the schema is current"), "{}", out.stdout);
        assert!(out.stdout.contains("1 active key(s) for 1 tenant(s)"), "{}", out.stdout);
        match app.backend {
            Backend::Sqlite => {
                assert!(out.stdout.contains("SQLite integrity_check: ok"), "{}", out.stdout);
                assert!(out.stdout.contains("MiB free beside"), "{}", out.stdout);
            }
            Backend::Postgres => assert!(out.stdout.contains("PostgreSQL takes"), "{}", out.stdout),
        }
    }

    async fn no_keys_and_pending_migrations_are_named(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        run(takt(&database, &["migrate"])).await.success();
        failed_with(&doctor(&database, &[]).await, "no API key");

        // A tenant whose keys are all revoked is a warning, once another tenant has a key.
        run(takt(&database, &["keys", "create", "--tenant", "acme"])).await.success();
        let old = run(takt(&database, &["keys", "create", "--tenant", "globex"])).await;
        let prefix = &old.success().stdout.trim()[..21];
        run(takt(&database, &["keys", "revoke", prefix])).await.success();
        let out = doctor(&database, &[]).await;
        out.success();
        assert!(out.stdout.contains("warn  tenant globex has no active key"), "{}", out.stdout);

        let app = TestApp::serve(backend, database.clone(), tempfile::tempdir().unwrap(), test_config()).await;
        app.execute_sql("DROP TABLE idempotency_keys").await;
        app.execute_sql("DELETE FROM _sqlx_migrations WHERE version = 20261202000003").await;
        let out = doctor(&database, &[]).await;
        failed_with(&out, "1 migration(s) pending: 20261202000003 idempotency");
        // Doctor changes nothing: the migration is still pending, until `takt migrate`.
        failed_with(&doctor(&database, &[]).await, "pending");
        run(takt(&database, &["migrate"])).await.success();
        doctor(&database, &[]).await.success();
    }

    async fn an_unreachable_webhook_endpoint_fails(backend: Backend) {
        let config = takt_http::Config { webhook_allow_loopback: true, ..test_config() };
        let app = TestApp::spawn_with(backend, config).await;
        let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let live = format!("http://{}/hooks", receiver.local_addr().unwrap());
        tokio::spawn(async move {
            let app = axum::Router::new().fallback(|| async { "fine" });
            axum::serve(receiver, app).await.unwrap();
        });
        let dead = format!("http://127.0.0.1:{}/hooks", free_port());
        for url in [&live, &dead] {
            let body = json!({"url": url, "events": ["*"]});
            app.call(Method::POST, "/api-webhooks").json(body).send().await.expect(201);
        }
        let out = doctor(&app.database, &["--webhook-allow-loopback"]).await;
        failed_with(&out, &format!("({dead}) cannot be reached"));
        assert!(out.stdout.contains(&format!("({live}) answers (HTTP 200)")), "{}", out.stdout);
        // Without loopback allowed, as a server without the flag would deliver: both refused.
        let strict = doctor(&app.database, &[]).await;
        failed_with(&strict, &format!("({live}) cannot be reached"));
        doctor(&app.database, &["--skip-webhooks"]).await.success();
    }

    async fn postgresql_too_small_for_the_instances_fails(app: TestApp) {
        if app.backend == Backend::Sqlite {
            return;
        }
        doctor(&app.database, &["--max-connections", "4", "--instances", "2"]).await.success();
        let out = doctor(&app.database, &["--max-connections", "400", "--instances", "3"]).await;
        failed_with(&out, "3 instance(s) × (400 + 1 listener) need 1203");
    }
}
