//! `takt keys create | list | revoke`, and where the command line finds its database.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::operations::common::{Server, create_key, is_api_key, run, takt};
use crate::support::{Backend, fresh_database, postgres_available};

/// `keys list --json`, one object per key.
async fn listed(database: &str) -> Vec<Value> {
    let out = run(takt(database, &["keys", "list", "--json"])).await;
    out.success();
    out.stdout.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect()
}

/// The listed key whose lookup prefix starts `key`.
fn entry<'a>(keys: &'a [Value], key: &str) -> &'a Value {
    keys.iter().find(|k| key.starts_with(k["lookup_prefix"].as_str().unwrap())).expect("the key is listed")
}

backend_tests! {
    async fn keys_create_prints_only_the_key_and_creates_a_working_tenant(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let mut command = takt(&database, &["keys", "create", "--tenant", "Plant 1", "--name", "erp connector"]);
        command.env("TAKT_LOG", "info");
        let out = run(command).await;
        out.success();
        assert!(out.stdout.ends_with('\n') && out.stdout.lines().count() == 1, "{:?}", out.stdout);
        let key = out.stdout.trim_end();
        assert!(is_api_key(key), "{key:?}");
        assert!(out.stderr.contains("created an API key"), "the log goes to standard error: {}", out.stderr);
        assert!(!out.stderr.contains(key), "the key is not logged: {}", out.stderr);

        let server = Server::serve(&database, &[]).await;
        let api = server.api(key);
        let cells = api.get("/api-cells").await;
        assert_eq!(cells.expect(200)["data"]["cells"], json!([]));
        let names = |list: &Value| -> Vec<(String, bool)> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|r| (r["name"].as_str().unwrap().to_owned(), r["builtIn"].as_bool().unwrap()))
                .collect()
        };
        let ownership = api.post("/api/OwnershipType/List", json!({})).await;
        assert_eq!(
            names(ownership.expect(200)),
            [("Internal".into(), true), ("Customer Owned".into(), true), ("Vendor Owned".into(), true)]
        );
        let statuses = api.post("/api/ApprovalStatus/List", json!({})).await;
        let expected: Vec<(String, bool)> =
            ["Draft", "Pending", "Approved", "Rejected", "Obsolete"].iter().map(|n| ((*n).to_owned(), true)).collect();
        assert_eq!(names(statuses.expect(200)), expected);
        api.anonymous().get("/api-cells").await.expect_error(401, "UNAUTHORIZED");
    }

    async fn a_second_key_for_a_tenant_named_alike_joins_that_tenant(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let first = create_key(&database, "Acme").await;
        let second = create_key(&database, "  ACME ").await;
        assert_ne!(first, second);
        let keys = listed(&database).await;
        assert_eq!(keys.len(), 2);
        assert!(keys.iter().all(|k| k["tenant"] == "Acme"), "{keys:?}");

        let server = Server::serve(&database, &[]).await;
        let id = server
            .api(&first)
            .put("/api-cells/sync", json!({"external_id": "C1", "external_source": "SAP", "name": "Cutting"}))
            .await
            .expect(201)["data"]["id"]
            .clone();
        let seen = server.api(&second).get("/api-cells").await;
        assert_eq!(seen.expect(200)["data"]["cells"][0]["id"], id);
        // The built-in records were made once, for the one tenant.
        let ownership = server.api(&second).post("/api/OwnershipType/List", json!({})).await;
        assert_eq!(ownership.expect(200).as_array().unwrap().len(), 3);
    }

    async fn concurrent_first_keys_of_a_new_tenant_on_an_empty_database_all_succeed(backend: Backend) {
        // Provisioning scripts may run several `keys create` at once, on a database no process
        // has migrated yet: each must succeed, and the tenant be made once.
        let (database, _dir) = fresh_database(backend).await;
        let runs = (0..6).map(|_| run(takt(&database, &["keys", "create", "--tenant", "newco"])));
        let outs = futures::future::join_all(runs).await;
        let keys: Vec<String> = outs.iter().map(|out| out.success().stdout.trim_end().to_owned()).collect();
        let listed = listed(&database).await;
        assert_eq!(listed.len(), 6);
        assert!(listed.iter().all(|k| k["tenant"] == "newco"));
        let server = Server::serve(&database, &[]).await;
        for key in &keys {
            let ownership = server.api(key).post("/api/OwnershipType/List", json!({})).await;
            assert_eq!(ownership.expect(200).as_array().unwrap().len(), 3, "the built-in records were made once");
        }
    }

    async fn keys_create_refuses_a_blank_or_missing_tenant(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        run(takt(&database, &["keys", "create", "--tenant", "   "])).await.failure("--tenant must not be empty");
        let out = run(takt(&database, &["keys", "create"])).await;
        out.failure("--tenant");
        assert_eq!(out.status.code(), Some(2), "a usage error");
        assert!(out.stdout.is_empty());
        assert_eq!(listed(&database).await, Vec::<Value>::new());
    }

    async fn keys_list_shows_prefix_tenant_and_name_but_never_the_key(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let labelled = {
            let out = run(takt(&database, &["keys", "create", "--tenant", "acme", "--name", "erp"])).await;
            out.success();
            out.stdout.trim_end().to_owned()
        };
        let unlabelled = create_key(&database, "globex").await;

        let table = run(takt(&database, &["keys", "list"])).await;
        table.success();
        let lines: Vec<&str> = table.stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{}", table.stdout);
        let header: Vec<&str> = lines[0].split_whitespace().collect();
        assert_eq!(header, ["PREFIX", "TENANT", "NAME", "CREATED", "LAST", "USED", "REVOKED"]);
        let expected = [(lines[1], &labelled, "acme", "erp"), (lines[2], &unlabelled, "globex", "-")];
        for (line, key, tenant, name) in expected {
            let columns: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(&columns[..3], [&key[..21], tenant, name], "{line}");
            assert_eq!(columns.last(), Some(&"-"), "not revoked: {line}");
        }

        let keys = listed(&database).await;
        assert_eq!(keys.len(), 2);
        for (key, tenant, name) in [(&labelled, "acme", json!("erp")), (&unlabelled, "globex", Value::Null)] {
            let listed = entry(&keys, key);
            let fields: Vec<&str> = listed.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(fields, ["id", "tenant", "name", "lookup_prefix", "created_at", "last_used_at", "revoked_at"]);
            assert_eq!(listed["lookup_prefix"], &key[..21]);
            assert_eq!(listed["tenant"], tenant);
            assert_eq!(listed["name"], name);
            assert_eq!(listed["revoked_at"], Value::Null);
        }
        for key in [&labelled, &unlabelled] {
            let secret = &key[21..];
            assert!(!table.stdout.contains(secret), "the table shows a key");
            assert!(!keys.iter().any(|k| k.to_string().contains(secret)), "the JSON shows a key");
        }
    }

    async fn a_revoked_key_is_refused_by_a_running_server(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let doomed = create_key(&database, "acme").await;
        let kept = create_key(&database, "acme").await;
        let server = Server::serve(&database, &[]).await;
        server.api(&doomed).get("/api-jobs").await.expect(200);
        // The server records the use in the background; the list shows it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while entry(&listed(&database).await, &doomed)["last_used_at"].is_null() {
            assert!(std::time::Instant::now() < deadline, "last_used_at was never set");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(entry(&listed(&database).await, &kept)["last_used_at"], Value::Null);

        let out = run(takt(&database, &["keys", "revoke", &doomed[9..21]])).await;
        out.success();
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(out.stderr.contains(&format!("revoked {} (tenant acme)", &doomed[..21])), "{}", out.stderr);

        let refused = server.api(&doomed).get("/api-jobs").await;
        refused.expect_error(401, "UNAUTHORIZED");
        assert!(refused.body["error"]["message"].as_str().unwrap().contains("revoked"), "{}", refused.body);
        server.api(&kept).get("/api-jobs").await.expect(200);
        let keys = listed(&database).await;
        assert!(entry(&keys, &doomed)["revoked_at"].is_string());
        assert_eq!(entry(&keys, &kept)["revoked_at"], Value::Null);

        let table = run(takt(&database, &["keys", "list"])).await;
        let row = table.stdout.lines().find(|l| l.starts_with(&doomed[..21])).expect("listed").to_owned();
        assert_ne!(row.split_whitespace().last(), Some("-"), "the REVOKED column shows when: {row}");
    }

    async fn revoke_takes_a_prefix_with_or_without_ery_live_or_the_whole_key(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let by_prefix = create_key(&database, "acme").await;
        let by_hex = create_key(&database, "acme").await;
        let by_key = create_key(&database, "acme").await;
        let untouched = create_key(&database, "acme").await;
        for (key, argument) in [
            (&by_prefix, by_prefix[..21].to_owned()),
            (&by_hex, by_hex[9..21].to_uppercase()),
            (&by_key, by_key.clone()),
        ] {
            let out = run(takt(&database, &["keys", "revoke", &argument])).await;
            out.success();
            assert!(out.stderr.contains(&key[..21]), "{argument}: {}", out.stderr);
        }
        let keys = listed(&database).await;
        for key in [&by_prefix, &by_hex, &by_key] {
            assert!(entry(&keys, key)["revoked_at"].is_string(), "{key} is revoked");
        }
        assert_eq!(entry(&keys, &untouched)["revoked_at"], Value::Null);
    }

    async fn revoke_refuses_an_ambiguous_unknown_or_malformed_prefix(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        // Seventeen keys: two of them start with the same hex character.
        let mut keys = Vec::new();
        for _ in 0..17 {
            keys.push(create_key(&database, "acme").await);
        }
        let shared = (0..keys.len())
            .flat_map(|i| (i + 1..keys.len()).map(move |j| (i, j)))
            .find(|&(i, j)| keys[i].as_bytes()[9] == keys[j].as_bytes()[9])
            .map(|(i, _)| keys[i][9..10].to_owned())
            .expect("pigeonholes");
        let ambiguous = run(takt(&database, &["keys", "revoke", &shared])).await;
        ambiguous.failure("give more characters");
        let matching = keys.iter().filter(|k| k[9..].starts_with(&shared)).count();
        assert!(ambiguous.stderr.contains(&format!("matches {matching} keys")), "{}", ambiguous.stderr);

        let unknown = (0..=u64::MAX)
            .map(|n| format!("{n:012x}"))
            .find(|hex| !keys.iter().any(|k| k[9..].starts_with(hex.as_str())))
            .unwrap();
        run(takt(&database, &["keys", "revoke", &unknown]))
            .await
            .failure(&format!("no key starts with ery_live_{unknown}"));
        run(takt(&database, &["keys", "revoke", "not-hex"])).await.failure("PREFIX must be hex characters");
        run(takt(&database, &["keys", "revoke", "ery_live_"])).await.failure("PREFIX must be hex characters");
        let missing = run(takt(&database, &["keys", "revoke"])).await;
        assert_eq!(missing.status.code(), Some(2), "{}", missing.stderr);

        assert!(listed(&database).await.iter().all(|k| k["revoked_at"].is_null()), "nothing was revoked");
    }

    async fn every_keys_option_reads_its_environment_variable(backend: Backend) {
        let (database, _dir) = fresh_database(backend).await;
        let mut create = takt(&database, &["keys", "create"]);
        create.env("TAKT_TENANT", "from-env").env("TAKT_KEY_NAME", "env label");
        let out = run(create).await;
        out.success();
        let key = out.stdout.trim_end().to_owned();
        assert!(is_api_key(&key));

        let mut list = takt(&database, &["keys", "list"]);
        list.env("TAKT_KEYS_JSON", "true");
        let out = run(list).await;
        out.success();
        let keys: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(keys.len(), 1);
        assert_eq!((&keys[0]["tenant"], &keys[0]["name"]), (&json!("from-env"), &json!("env label")));

        let mut revoke = takt(&database, &["keys", "revoke"]);
        revoke.env("TAKT_KEY_PREFIX", &key[..21]);
        run(revoke).await.success();
        assert!(listed(&database).await[0]["revoked_at"].is_string());
    }

    async fn database_takes_a_path_a_sqlite_url_or_a_postgres_url(backend: Backend) {
        let (location, dir) = fresh_database(backend).await;
        let plain = |args: &[&str]| {
            let mut command = takt(&location, args);
            command.env_remove("TAKT_DATABASE_URL").current_dir(dir.path());
            command
        };
        let key = {
            let out = run(plain(&["keys", "create", "--tenant", "acme", "--database", &location])).await;
            out.success();
            out.stdout.trim_end().to_owned()
        };
        let forms = match backend {
            Backend::Sqlite => vec![location.clone(), format!("sqlite://{location}"), "takt.db".to_owned()],
            Backend::Postgres => vec![location.clone(), location.replacen("postgres://", "postgresql://", 1)],
        };
        for form in forms {
            let out = run(plain(&["keys", "list", "--database", &form])).await;
            out.success();
            assert!(out.stdout.contains(&key[..21]), "--database {form} is the same database:\n{}", out.stdout);
        }
    }
}

/// Without `--database` nor `TAKT_DATABASE_URL`, the database is `./takt.db`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_database_is_takt_db_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = takt("", &["keys", "create", "--tenant", "acme"]);
    command.env_remove("TAKT_DATABASE_URL").current_dir(dir.path());
    run(command).await.success();
    assert!(dir.path().join("takt.db").is_file());
    let out = run(takt(&dir.path().join("takt.db").display().to_string(), &["keys", "list", "--json"])).await;
    assert_eq!(out.success().stdout.lines().count(), 1);
}

/// A SQLite key and a PostgreSQL key are told apart by `--database` alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_command_reaches_sqlite_or_postgres_by_its_database_option() {
    if !postgres_available() {
        return;
    }
    let (sqlite, _a) = fresh_database(Backend::Sqlite).await;
    let (postgres, _b) = fresh_database(Backend::Postgres).await;
    let in_sqlite = create_key(&sqlite, "acme").await;
    let in_postgres = create_key(&postgres, "acme").await;
    let sqlite_keys = listed(&sqlite).await;
    let postgres_keys = listed(&postgres).await;
    assert_eq!(sqlite_keys.len(), 1);
    assert_eq!(postgres_keys.len(), 1);
    assert_eq!(sqlite_keys[0]["lookup_prefix"], &in_sqlite[..21]);
    assert_eq!(postgres_keys[0]["lookup_prefix"], &in_postgres[..21]);
}
