//! `takt export` and `takt import`: every record moves between databases (SQLite and
//! PostgreSQL, both ways) with its ids, values and timestamps; a tenant alone; and files that
//! must be refused without writing anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::backend_tests;
use crate::operations::common::{Api, Server, create_key, run, run_with_stdin, takt};
use crate::operations::fixtures::{
    assert_plant, assert_same, fill_plant, fill_small, max_master_id, snapshot, sync, upsert,
};
use crate::support::{Backend, TestApp, fresh_database, postgres_available};

/// How `takt` names a database in what it prints.
fn shown(database: &str) -> String {
    if database.starts_with("postgres") { database.to_owned() } else { format!("sqlite://{database}") }
}

/// Exports `database` (all of it, or what `args` select) to `dir/name`.
async fn export_to(database: &str, dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut command = takt(database, &["export", "--output", path.to_str().unwrap()]);
    command.args(args);
    run(command).await.success();
    path
}

/// The rows of an export, without the first line (which holds the time of the export).
fn body(export: &str) -> Vec<String> {
    export.lines().skip(1).map(str::to_owned).collect()
}

/// Everything `database` holds, as export rows: what "nothing was written" compares.
async fn contents(database: &str) -> Vec<String> {
    let out = run(takt(database, &["export"])).await;
    out.success();
    body(&out.stdout)
}

/// The row lines of an export, parsed.
fn rows(export: &str) -> Vec<Value> {
    let lines: Vec<Value> = export.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(lines.last().unwrap()["end"], true);
    lines[1..lines.len() - 1].to_vec()
}

/// Fills a database of `from` with every kind of data for two tenants, exports it, imports the
/// file into an empty database of `to`, serves that with the real binary, and checks that
/// everything reads back the same, keys included, and that new records get new ids.
async fn round_trip(from: Backend, to: Backend) {
    let source = TestApp::spawn(from).await;
    let acme = Api::new(source.address, &source.key);
    fill_plant(&acme).await;
    let globex_key = source.key_for("globex").await;
    fill_small(&Api::new(source.address, &globex_key)).await;
    let revoked = source.key_for("acme").await;
    run(takt(&source.database, &["keys", "revoke", &revoked[..21]])).await.success();
    let before = snapshot(&acme).await;
    assert_plant(&before);
    let globex_before = snapshot(&Api::new(source.address, &globex_key)).await;

    let file = export_to(&source.database, source.dir.path(), "takt-export.jsonl", &[]).await;
    let export = std::fs::read_to_string(&file).unwrap();
    let count = export.lines().count() - 2;
    for key in [&source.key, &globex_key, &revoked] {
        assert!(!export.contains(&key[21..]), "an export holds no key, only its hash");
    }

    let (target, _dir) = fresh_database(to).await;
    let out = run(takt(&target, &["import", file.to_str().unwrap()])).await;
    out.success();
    assert!(
        out.stderr.contains(&format!("imported 2 tenant(s), {count} rows into {}", shown(&target))),
        "{}",
        out.stderr
    );
    assert_eq!(contents(&target).await, body(&export), "every row arrived as it left");

    let server = Server::serve(&target, &[]).await;
    assert!(!server.log().contains("no API keys"), "the keys came along");
    let api = server.api(&source.key);
    assert_same(&before, &snapshot(&api).await);
    assert_same(&globex_before, &snapshot(&server.api(&globex_key)).await);
    server.api(&revoked).get("/api-cells").await.expect_error(401, "UNAUTHORIZED");

    // New records: master-data ids above every imported one, ERP sync keys still resolving.
    let highest = max_master_id(&before).max(max_master_id(&globex_before));
    let product_type = upsert(&api, "ProductType", json!({"name": "Spare Part"}), 201).await;
    let version =
        upsert(&api, "BomVersion", json!({"bom": "BRK-A", "version": "1.1", "approvalStatus": "Draft"}), 201).await;
    let unit = upsert(&server.api(&globex_key), "UnitOfMeasure", json!({"name": "KG"}), 201).await;
    let mut ids: Vec<i64> = [&product_type, &version, &unit].iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.iter().all(|id| *id > highest), "{ids:?} are not all above {highest}");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    upsert(&api, "ProductType", json!({"name": "finished good"}), 409).await;
    let bracket =
        before["POST /api/Product/List"].as_array().unwrap().iter().find(|p| p["name"] == "BRACKET-A").unwrap();
    let in_use = api.delete("/api/Product/Delete", json!({"id": bracket["id"]})).await;
    in_use.expect_error(409, "CONFLICT");
    assert!(in_use.body["error"]["message"].as_str().unwrap().contains("is used by"), "{}", in_use.body);
    let cut = &before["GET /api-cells"]["data"]["cells"][0];
    let resynced =
        sync(&api, "cells", json!({"external_id": "WC-CUT", "external_source": "SAP", "name": "Cutting"}), 200).await;
    assert_eq!(resynced, cut["id"].as_str().unwrap());
    sync(&api, "jobs", json!({"external_id": "SO-9", "external_source": "SAP", "job_number": "JOB-9"}), 201).await;
    api.put("/api-jobs/sync", json!({"external_id": "SO-10", "external_source": "SAP", "job_number": "JOB-1"}))
        .await
        .expect_error(409, "CONFLICT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres_keeps_every_record_id_and_key() {
    if postgres_available() {
        round_trip(Backend::Sqlite, Backend::Postgres).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_to_sqlite_keeps_every_record_id_and_key() {
    if postgres_available() {
        round_trip(Backend::Postgres, Backend::Sqlite).await;
    }
}

/// A body that `takt import` must refuse, and what it must say.
const NOT_EXPORTS: [(&str, &str); 7] = [
    ("", "the file is empty: this is not a Takt export"),
    ("hello\n", "line 1 this is not a Takt export"),
    ("id,name\n1,Cutting\n", "line 1 this is not a Takt export"),
    ("\u{0}\u{1}\u{2}\u{ff}", "line 1 this is not a Takt export"),
    ("{\"hello\": 1}\n{\"end\": true, \"rows\": 0}\n", "line 1 this is not a Takt export"),
    ("[1, 2]\n", "line 1 this is not a Takt export"),
    ("{\"format\": \"takt-export\", \"version\": 2}\n{\"end\": true, \"rows\": 0}\n", "version 2 is not supported"),
];

backend_tests! {
    async fn a_round_trip_within_one_backend_keeps_every_record(backend: Backend) {
        round_trip(backend, backend).await;
    }

    async fn an_export_carries_every_table_and_column_of_the_schema(app: TestApp) {
        fill_plant(&Api::new(app.address, &app.key)).await;
        let file = export_to(&app.database, app.dir.path(), "plant.jsonl", &[]).await;
        let mut exported: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in rows(&std::fs::read_to_string(file).unwrap()) {
            let columns = row["row"].as_object().unwrap().keys().cloned().collect();
            exported.insert(row["table"].as_str().unwrap().to_owned(), columns);
        }
        let pairs: Vec<(String, String)> = match app.backend {
            Backend::Sqlite => {
                let mut db = SqliteConnection::connect(&format!("sqlite://{}", app.database)).await.unwrap();
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table'",
                )
                .fetch_all(&mut db)
                .await
                .unwrap()
            }
            Backend::Postgres => {
                let mut db = PgConnection::connect(&app.database).await.unwrap();
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = 'public'",
                )
                .fetch_all(&mut db)
                .await
                .unwrap()
            }
        };
        // Bookkeeping that belongs to one database: migrations, id counters, rate-limit buckets,
        // webhook deliveries under way and their log, idempotency keys, the terminal's sessions and
        // lockouts.
        let local = [
            "_sqlx_migrations",
            "sqlite_sequence",
            "id_counters",
            "rate_buckets",
            "webhook_deliveries",
            "webhook_attempts",
            "idempotency_keys",
            "terminal_sessions",
            "terminal_pin_failures",
        ];
        let mut schema: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (table, column) in pairs.into_iter().filter(|(t, _)| !local.contains(&t.as_str())) {
            schema.entry(table).or_default().insert(column);
        }
        assert_eq!(exported, schema);
    }

    async fn an_export_of_one_tenant_holds_that_tenant_only(app: TestApp) {
        fill_small(&Api::new(app.address, &app.key)).await;
        let globex_key = app.key_for("globex").await;
        let globex = Api::new(app.address, &globex_key);
        fill_small(&globex).await;
        upsert(&globex, "Currency", json!({"name": "USD"}), 201).await;
        let before = snapshot(&globex).await;

        let file = export_to(&app.database, app.dir.path(), "globex.jsonl", &["--tenant", "GLOBEX"]).await;
        let export = std::fs::read_to_string(&file).unwrap();
        let header: Value = serde_json::from_str(export.lines().next().unwrap()).unwrap();
        assert_eq!(header["tenant"], "globex", "the tenant as stored, not as asked for");
        let rows = rows(&export);
        let tenants: Vec<&Value> = rows.iter().filter(|r| r["table"] == "tenants").collect();
        assert_eq!(tenants.len(), 1);
        assert_eq!(tenants[0]["row"]["name"], "globex");
        let tenant_id = &tenants[0]["row"]["id"];
        for row in &rows {
            let owner = if row["table"] == "tenants" { &row["row"]["id"] } else { &row["row"]["tenant_id"] };
            assert_eq!(owner, tenant_id, "{row}");
        }
        let tables =
            ["api_keys", "cells", "jobs", "parts", "operations", "product_types", "ownership_types", "currencies"];
        for table in tables {
            assert!(rows.iter().any(|r| r["table"] == table), "no {table} rows");
        }

        // The same with TAKT_TENANT, on standard output.
        let mut command = takt(&app.database, &["export"]);
        command.env("TAKT_TENANT", "globex");
        let out = run(command).await;
        assert!(out.success().stderr.contains(&format!("exported 1 tenant(s), {} rows", rows.len())), "{}", out.stderr);
        assert_eq!(body(&out.stdout), body(&export));

        let (target, _dir) = fresh_database(app.backend).await;
        run(takt(&target, &["import", file.to_str().unwrap()])).await.success();
        let server = Server::serve(&target, &[]).await;
        assert_same(&before, &snapshot(&server.api(&globex_key)).await);
        server.api(&app.key).get("/api-cells").await.expect_error(401, "UNAUTHORIZED");
        let listed = run(takt(&target, &["keys", "list", "--json"])).await;
        assert_eq!(listed.success().stdout.lines().count(), 1, "only globex's key");
    }

    async fn an_export_of_an_unknown_tenant_fails_and_leaves_an_older_file_alone(app: TestApp) {
        let path = app.dir.path().join("export.jsonl");
        let out = run(takt(&app.database, &["export", "--tenant", "nope", "--output", path.to_str().unwrap()])).await;
        out.failure("no tenant named 'nope'");
        assert!(!path.exists(), "no file is left behind");
        let leftovers: Vec<_> = std::fs::read_dir(app.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("export"))
            .collect();
        assert_eq!(leftovers, Vec::<String>::new());

        std::fs::write(&path, "an older export\n").unwrap();
        run(takt(&app.database, &["export", "--tenant", "nope", "--output", path.to_str().unwrap()]))
            .await
            .failure("no tenant named 'nope'");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "an older export\n");
        let out = run(takt(&app.database, &["export", "--tenant", "acme", "--output", path.to_str().unwrap()])).await;
        out.success();
        assert_eq!(rows(&std::fs::read_to_string(&path).unwrap())[0]["row"]["name"], "acme");
    }

    async fn importing_a_tenant_the_database_already_holds_fails_and_writes_nothing(app: TestApp) {
        fill_small(&Api::new(app.address, &app.key)).await;
        let globex_key = app.key_for("globex").await;
        fill_small(&Api::new(app.address, &globex_key)).await;
        let file = export_to(&app.database, app.dir.path(), "all.jsonl", &[]).await;
        let file = file.to_str().unwrap();

        // The same file twice: the second import finds acme, the first tenant of the file.
        let (target, _a) = fresh_database(app.backend).await;
        run(takt(&target, &["import", file])).await.success();
        let imported = contents(&target).await;
        run(takt(&target, &["import", file])).await.failure("line 2 tenant 'acme' already exists in this database");
        assert_eq!(contents(&target).await, imported);

        // A database holding only the file's second tenant (named in other case): acme, which
        // the file brings first, must not stay behind either.
        let (target, _b) = fresh_database(app.backend).await;
        let key = create_key(&target, "GLOBEX").await;
        let held = contents(&target).await;
        let out = run(takt(&target, &["import", file])).await;
        out.failure("tenant 'globex' already exists in this database");
        assert_eq!(contents(&target).await, held);
        let server = Server::serve(&target, &[]).await;
        server.api(&app.key).get("/api-cells").await.expect_error(401, "UNAUTHORIZED");
        assert_eq!(server.api(&key).get("/api-cells").await.expect(200)["data"]["cells"], json!([]));
    }

    async fn importing_into_a_database_whose_ids_are_taken_fails_clearly_and_writes_nothing(app: TestApp) {
        // Master-data ids are global and an import keeps them, so a database that already holds
        // another tenant's records takes no import whose ids it uses.
        fill_small(&Api::new(app.address, &app.key)).await;
        let file = export_to(&app.database, app.dir.path(), "acme.jsonl", &[]).await;
        let (target, _dir) = fresh_database(app.backend).await;
        create_key(&target, "other plant").await;
        let held = contents(&target).await;
        run(takt(&target, &["import", file.to_str().unwrap()]))
            .await
            .failure("ownership_types id 1 is already used in this database; an import keeps every id");
        assert_eq!(contents(&target).await, held);
    }

    async fn a_truncated_export_is_refused_and_writes_nothing(app: TestApp) {
        fill_small(&Api::new(app.address, &app.key)).await;
        let file = export_to(&app.database, app.dir.path(), "acme.jsonl", &[]).await;
        let export = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = export.lines().collect();
        let count = lines.len() - 2;
        let without_end = lines[..lines.len() - 1].iter().map(|l| format!("{l}\n")).collect::<String>();
        let cut_in_a_line = &export[..export.len() - lines.last().unwrap().len() - 40];
        let a_row_missing =
            lines.iter().enumerate().filter(|(i, _)| *i != count).map(|(_, l)| format!("{l}\n")).collect::<String>();
        let after_the_end = format!("{export}{}\n", lines[3]);

        let (target, _dir) = fresh_database(app.backend).await;
        run(takt(&target, &["migrate"])).await.success();
        let empty = contents(&target).await;
        assert_eq!(empty, [r#"{"end":true,"rows":0}"#]);
        for (input, message) in [
            (without_end, format!("line {} the file ends without its end line: it is truncated", count + 1)),
            (cut_in_a_line.to_owned(), "the file ends in the middle of a line: it is truncated".to_owned()),
            (a_row_missing, format!("the file announces {count} rows but holds {}", count - 1)),
            (after_the_end, format!("line {} rows after the end line", count + 3)),
        ] {
            let path = app.dir.path().join("broken.jsonl");
            std::fs::write(&path, &input).unwrap();
            run(takt(&target, &["import", path.to_str().unwrap()])).await.failure(&message);
            assert_eq!(contents(&target).await, empty, "after {message}");
        }
    }

    async fn a_file_that_is_not_an_export_is_refused_and_writes_nothing(backend: Backend) {
        let (target, dir) = fresh_database(backend).await;
        run(takt(&target, &["migrate"])).await.success();
        let empty = contents(&target).await;
        for (input, message) in NOT_EXPORTS {
            let path = dir.path().join("input");
            std::fs::write(&path, input).unwrap();
            run(takt(&target, &["import", path.to_str().unwrap()])).await.failure(message);
            run_with_stdin(takt(&target, &["import"]), Some(input.as_bytes().to_vec())).await.failure(message);
        }
        let gzip = vec![0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, b'\n'];
        run_with_stdin(takt(&target, &["import"]), Some(gzip)).await.failure("line 1 this is not a Takt export");
        run(takt(&target, &["import", dir.path().join("missing").to_str().unwrap()])).await.failure("opening");
        assert_eq!(contents(&target).await, empty);
    }

    async fn an_export_of_an_empty_database_imports_fine(backend: Backend) {
        let (source, _a) = fresh_database(backend).await;
        let out = run(takt(&source, &["export"])).await;
        out.success();
        assert!(out.stderr.contains("exported 0 tenant(s), 0 rows"), "{}", out.stderr);
        let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{}", out.stdout);
        let header = &lines[0];
        assert_eq!(header["format"], "takt-export");
        assert_eq!(header["version"], 1);
        assert_eq!(header["tenant"], Value::Null);
        assert!(lines[0]["exported_at"].as_str().is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()));
        assert_eq!(lines[1], json!({"end": true, "rows": 0}));

        let (target, _b) = fresh_database(backend).await;
        let out = run_with_stdin(takt(&target, &["import"]), Some(out.stdout.into_bytes())).await;
        assert!(out.success().stderr.contains("imported 0 tenant(s), 0 rows"), "{}", out.stderr);
        let key = create_key(&target, "acme").await;
        let server = Server::serve(&target, &[]).await;
        let api = server.api(&key);
        upsert(&api, "ProductType", json!({"name": "Finished Good"}), 201).await;
        assert_eq!(api.post("/api/OwnershipType/List", json!({})).await.expect(200).as_array().unwrap().len(), 3);
    }

    async fn an_export_taken_while_the_server_writes_is_consistent_and_pages_past_a_thousand_rows(app: TestApp) {
        let api = Api::new(app.address, &app.key);
        let cells: Vec<Value> = (0..1000)
            .map(|n| json!({"external_id": format!("C{n}"), "external_source": "SAP", "name": format!("Cell {n}")}))
            .collect();
        let bulk = api.post("/api-cells/bulk-sync", json!({"cells": cells})).await;
        assert_eq!(bulk.expect(200)["data"]["created"], 1000);
        sync(&api, "cells", json!({"external_id": "C1000", "external_source": "SAP", "name": "Cell 1000"}), 201).await;

        let writer = tokio::spawn(async move {
            for n in 0..40 {
                let job = json!({
                    "external_id": format!("SO-{n}"), "external_source": "SAP", "job_number": format!("JOB-{n}"),
                    "parts": [{"external_id": format!("SO-{n}-1"), "part_number": "P",
                               "operations": [{"external_id": format!("SO-{n}-1-1"), "operation_name": "Cut",
                                               "cell_name": format!("Cell {n}")}]}]
                });
                sync(&api, "jobs", job, 201).await;
            }
        });
        let mut exports = Vec::new();
        for n in 0..3 {
            exports.push(export_to(&app.database, app.dir.path(), &format!("during-{n}.jsonl"), &[]).await);
        }
        writer.await.unwrap();
        exports.push(export_to(&app.database, app.dir.path(), "after.jsonl", &[]).await);

        for file in &exports {
            let export = std::fs::read_to_string(file).unwrap();
            let rows = rows(&export);
            assert_eq!(rows.iter().filter(|r| r["table"] == "cells").count(), 1001, "{}", file.display());
            let jobs = rows.iter().filter(|r| r["table"] == "jobs").count();
            let parts = rows.iter().filter(|r| r["table"] == "parts").count();
            let operations = rows.iter().filter(|r| r["table"] == "operations").count();
            assert!(jobs == parts && parts == operations, "a job is exported whole: {jobs} {parts} {operations}");
            let (target, _dir) = fresh_database(app.backend).await;
            run(takt(&target, &["import", file.to_str().unwrap()])).await.success();
            assert_eq!(contents(&target).await, body(&export));
        }
        let last = rows(&std::fs::read_to_string(exports.last().unwrap()).unwrap());
        assert_eq!(last.iter().filter(|r| r["table"] == "operations").count(), 40);
    }

    async fn an_export_streams_into_an_import_through_a_pipe(app: TestApp) {
        fill_small(&Api::new(app.address, &app.key)).await;
        let expected = contents(&app.database).await;

        // takt export | takt import
        let (target, _a) = fresh_database(app.backend).await;
        let (source, piped_target) = (app.database.clone(), target.clone());
        let (exported, imported) = tokio::task::spawn_blocking(move || {
            let mut export = takt(&source, &["export"]);
            export.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null());
            let mut export = export.spawn().unwrap();
            let mut import = takt(&piped_target, &["import"]);
            import.stdin(export.stdout.take().unwrap()).stderr(std::process::Stdio::null());
            let imported = import.status().unwrap();
            (export.wait().unwrap(), imported)
        })
        .await
        .unwrap();
        assert!(exported.success() && imported.success());
        assert_eq!(contents(&target).await, expected);

        // takt export --output FIFO, takt import FIFO
        let fifo = app.dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let (target, _b) = fresh_database(app.backend).await;
        let fifo = fifo.to_str().unwrap();
        let export = run(takt(&app.database, &["export", "--output", fifo]));
        let (exported, imported) = tokio::join!(export, run(takt(&target, &["import", fifo])));
        exported.success();
        imported.success();
        assert_eq!(contents(&target).await, expected);
        assert!(!app.dir.path().join("pipe.partial").exists());
        run(takt(&app.database, &["export", "--output", "/dev/null"])).await.success();
    }

    async fn export_and_import_take_their_files_from_environment_variables(app: TestApp) {
        fill_small(&Api::new(app.address, &app.key)).await;
        let path = app.dir.path().join("from-env.jsonl");
        let mut export = takt(&app.database, &["export"]);
        export.env("TAKT_EXPORT_FILE", &path);
        let out = run(export).await;
        assert!(out.success().stdout.is_empty(), "the rows went to the file");
        let exported = std::fs::read_to_string(&path).unwrap();

        let (target, _dir) = fresh_database(app.backend).await;
        let mut import = takt(&target, &["import"]);
        import.env("TAKT_IMPORT_FILE", &path);
        run(import).await.success();
        assert_eq!(contents(&target).await, body(&exported));
    }
}
