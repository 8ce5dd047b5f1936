//! `takt migrate` and `takt serve`: the schema, the first-run hint, where it listens, its
//! options, `/health`, and a clean stop on SIGTERM.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::backend_tests;
use crate::operations::common::{Server, create_key, free_port, run, takt};
use crate::support::{Backend, fresh_database};

/// How `takt` names a database in what it prints (`sqlite://PATH`, or the URL).
fn shown(backend: Backend, database: &str) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{database}"),
        Backend::Postgres => database.to_owned(),
    }
}

/// The tables of a database, and its applied migrations (version, success).
async fn schema(backend: Backend, database: &str) -> (BTreeSet<String>, Vec<(i64, bool)>) {
    let tables: Vec<(String,)>;
    let mut migrations = Vec::new();
    match backend {
        Backend::Sqlite => {
            let mut db = SqliteConnection::connect(&format!("sqlite://{database}")).await.unwrap();
            tables =
                sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'").fetch_all(&mut db).await.unwrap();
            if tables.iter().any(|(t,)| t == "_sqlx_migrations") {
                migrations = sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                    .fetch_all(&mut db)
                    .await
                    .unwrap();
            }
        }
        Backend::Postgres => {
            let mut db = PgConnection::connect(database).await.unwrap();
            tables =
                sqlx::query_as("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'")
                    .fetch_all(&mut db)
                    .await
                    .unwrap();
            if tables.iter().any(|(t,)| t == "_sqlx_migrations") {
                migrations = sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                    .fetch_all(&mut db)
                    .await
                    .unwrap();
            }
        }
    }
    (tables.into_iter().map(|(t,)| t).collect(), migrations)
}

backend_tests! {
    async fn migrate_creates_the_schema_once_and_keeps_the_data(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        if backend == Backend::Sqlite {
            assert!(!std::path::Path::new(&database).exists());
        } else {
            assert_eq!(schema(backend, &database).await, (BTreeSet::new(), Vec::new()));
        }
        let out = run(takt(&database, &["migrate"])).await;
        out.success();
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        let (tables, migrations) = schema(backend, &database).await;
        for table in ["tenants", "api_keys", "rate_buckets", "cells", "jobs", "operations", "products", "schedules"] {
            assert!(tables.contains(table), "no table {table} in {tables:?}");
        }
        assert!(!migrations.is_empty() && migrations.iter().all(|(_, ok)| *ok), "{migrations:?}");

        let key = create_key(&database, "acme").await;
        run(takt(&database, &["migrate"])).await.success();
        run(takt(&database, &["migrate"])).await.success();
        assert_eq!(schema(backend, &database).await, (tables, migrations), "nothing applied twice");
        let listed = run(takt(&database, &["keys", "list", "--json"])).await;
        assert!(listed.success().stdout.contains(&key[..21]));
        let server = Server::serve(&database, &[]).await;
        server.api(&key).post("/api/ProductType/List", json!({})).await.expect(200);
    }

    async fn serve_on_an_empty_database_says_how_to_create_a_key(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let server = Server::serve(&database, &[]).await;
        let log = server.log();
        assert!(log.contains("this database has no API keys yet"), "{log}");
        assert!(log.contains(&format!("at http://{}/docs", server.address)), "the API reference is named: {log}");
        let hint = log
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("takt keys create"))
            .unwrap_or_else(|| panic!("no command in {log}"))
            .to_owned();
        assert_eq!(hint, format!("takt keys create --tenant <your-plant> --database {}", shown(backend, &database)));

        // The command, as printed, makes a key the running server accepts.
        let args: Vec<String> =
            hint.split_whitespace().skip(1).map(|a| a.replace("<your-plant>", "plant")).collect();
        let mut command = takt("", &args.iter().map(String::as_str).collect::<Vec<_>>());
        command.env_remove("TAKT_DATABASE_URL");
        let out = run(command).await;
        out.success();
        server.api(out.stdout.trim_end()).get("/api-cells").await.expect(200);

        // Once a key exists, serve says nothing of the kind.
        drop(server);
        let again = Server::serve(&database, &[]).await;
        assert!(!again.log().contains("no API keys"), "{}", again.log());
    }

    async fn serve_listens_where_listen_or_takt_listen_says(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let key = create_key(&database, "acme").await;

        let wanted: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let server = Server::start(takt(&database, &["serve", "--listen", &wanted.to_string()])).await;
        assert_eq!(server.address, wanted);
        server.api(&key).get("/api-jobs").await.expect(200);
        drop(server);

        let wanted: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut command = takt(&database, &["serve"]);
        command.env("TAKT_LISTEN", wanted.to_string());
        let server = Server::start(command).await;
        assert_eq!(server.address, wanted);
        server.api(&key).get("/api-jobs").await.expect(200);
    }

    async fn health_answers_without_a_key(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let server = Server::serve(&database, &[]).await;
        let health = server.api("").anonymous().get("/health").await;
        let body = health.expect(200);
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], match backend { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" });
        assert!(body["version"].as_str().is_some_and(|v| !v.is_empty()), "{body}");
        assert!(health.header("x-request-id").is_some());
        assert_eq!(health.header("x-ratelimit-limit"), None, "health is not rate limited");
    }

    async fn serve_stops_cleanly_on_sigterm_and_sigint(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let key = create_key(&database, "acme").await;
        for (n, signal) in ["TERM", "INT"].into_iter().enumerate() {
            let server = Server::serve(&database, &[]).await;
            let cell = json!({"external_id": format!("C{n}"), "external_source": "S", "name": format!("C{n}")});
            // The client keeps this connection open, idle, while the server stops.
            server.api(&key).put("/api-cells/sync", cell).await.expect(201);
            let address = server.address;
            let (status, log) = server.signal(signal).await;
            assert_eq!(status.code(), Some(0), "a clean exit on SIG{signal}:\n{log}");
            let stopped = log
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter(|e| e["message"] == "shutting down")
                .count();
            assert_eq!(stopped, 1, "{log}");
            assert!(!log.contains("ERROR"), "{log}");
            assert!(std::net::TcpStream::connect(address).is_err(), "nothing listens on {address} any more");
        }

        // What it wrote is there for the next start.
        let server = Server::serve(&database, &[]).await;
        let cells = server.api(&key).get("/api-cells").await;
        assert_eq!(cells.expect(200)["data"]["pagination"]["total"], 2);
    }

    async fn serve_options_read_their_environment_variables(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let key = create_key(&database, "acme").await;
        let mut command = takt(&database, &["serve", "--listen", "127.0.0.1:0"]);
        command.env("TAKT_RATE_LIMIT", "3").env("TAKT_BODY_LIMIT", "2048");
        let server = Server::start(command).await;
        let api = server.api(&key);

        let first = api.get("/api-cells").await;
        first.expect(200);
        assert_eq!((first.header("x-ratelimit-limit"), first.header("x-ratelimit-remaining")), (Some("3"), Some("2")));
        let big = json!({"external_id": "C", "external_source": "S", "name": "x".repeat(4096)});
        api.put("/api-cells/sync", big).await.expect_error(413, "PAYLOAD_TOO_LARGE");
    }

    async fn serve_options_given_as_flags(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let key = create_key(&database, "acme").await;
        let server = Server::serve(&database, &["--rate-limit", "2", "--body-limit", "100000"]).await;
        let api = server.api(&key);
        let statuses: Vec<(u16, Option<String>)> = {
            let mut all = Vec::new();
            for _ in 0..3 {
                let r = api.get("/api-jobs").await;
                all.push((r.status, r.header("x-ratelimit-remaining").map(str::to_owned)));
            }
            all
        };
        assert_eq!(statuses, [(200, Some("1".into())), (200, Some("0".into())), (429, Some("0".into()))]);
        api.get("/api-jobs").await.expect_error(429, "RATE_LIMIT_EXCEEDED");
    }

    async fn serve_refuses_bad_options_and_unreachable_databases(backend: Backend) {
        let (database, dir) = fresh_database(backend).await;
        let zero = run(takt(&database, &["serve", "--rate-limit", "0"])).await;
        zero.failure("--rate-limit");
        assert_eq!(zero.status.code(), Some(2));
        run(takt(&database, &["serve", "--listen", "localhost"])).await.failure("--listen");

        let (unreachable, message) = match backend {
            Backend::Sqlite => {
                let path = dir.path().join("missing-dir").join("takt.db").display().to_string();
                (path.clone(), format!("takt: opening sqlite://{path}"))
            }
            Backend::Postgres => {
                let url = database.replacen("/t_", "/no_such_", 1);
                (url.clone(), format!("takt: connecting to {url}"))
            }
        };
        run(takt(&unreachable, &["serve", "--listen", "127.0.0.1:0"])).await.failure(&message);
        create_key(&database, "acme").await;
        let first = Server::serve(&database, &[]).await;
        let taken = first.address.to_string();
        run(takt(&database, &["serve", "--listen", &taken])).await.failure(&format!("takt: binding {taken}"));
        run(takt(&unreachable, &["keys", "list"])).await.failure(&message);
    }

    async fn the_connection_pool_size_reads_its_environment_variable(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let key = create_key(&database, "acme").await;
        let mut zero = takt(&database, &["keys", "list"]);
        zero.env("TAKT_DATABASE_MAX_CONNECTIONS", "0");
        let out = run(zero).await;
        out.failure("--max-connections");
        assert_eq!(out.status.code(), Some(2), "a usage error, not a crash: {}", out.stderr);

        let mut command = takt(&database, &["serve", "--listen", "127.0.0.1:0"]);
        command.env("TAKT_DATABASE_MAX_CONNECTIONS", "1");
        let server = Server::start(command).await;
        let api = server.api(&key);
        let syncs = (0..12).map(|n| {
            let api = api.clone();
            let cell = json!({"external_id": format!("C{n}"), "external_source": "S", "name": format!("C{n}")});
            async move { api.put("/api-cells/sync", cell).await }
        });
        for response in futures::future::join_all(syncs).await {
            response.expect(201);
        }
        assert_eq!(api.get("/api-cells").await.expect(200)["data"]["pagination"]["total"], 12);
    }

    async fn json_logs_are_one_object_a_line_on_standard_error(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let key = create_key(&database, "acme").await;
        let server = Server::serve(&database, &[]).await;
        server.api(&key).get("/api-cells").await.expect(200);
        let log = server.log();
        let events: Vec<Value> = log.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        assert_eq!(events.len(), log.lines().count(), "every line is JSON:\n{log}");
        let serving = events.iter().find(|e| e["message"] == "takt is serving").expect("the start is logged");
        assert_eq!(serving["address"], server.address.to_string());
        assert_eq!(serving["database"], shown(backend, &database));
        assert!(!log.contains(&key[21..]), "the key is never logged");
    }
}
