//! `takt push` as a real process against a real server: batches of at most 1000 records, the
//! failed file, bad files refused before anything is sent, `--dry-run`, retries through a proxy
//! that answers `503`, and nested JSON lines; and `takt completions` / `takt man`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use reqwest::Method;
use serde_json::{Value, json};

use super::prometheus::Exposition;
use crate::backend_tests;
use crate::operations::common::{Output, run};
use crate::support::{self, TestApp};

/// `takt push ARGS` against `server` with the `acme` key (given through the environment).
async fn push(app: &TestApp, server: &str, args: &[&str]) -> Output {
    let mut command = support::cli(&app.database);
    command.arg("push").args(args).arg("--server").arg(server).env("TAKT_API_KEY", &app.key);
    run(command).await
}

/// Writes `text` to `name` in the app's directory.
fn file(app: &TestApp, name: &str, text: &str) -> PathBuf {
    let path = app.dir.path().join(name);
    std::fs::write(&path, text).expect("write the input file");
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// The `(created, updated, unchanged, failed)` of a summary line (`would ...` in a dry run).
fn summary(out: &Output) -> (u64, u64, u64, u64) {
    let line = out.stdout.lines().last().unwrap_or_else(|| panic!("no summary:\n{}{}", out.stdout, out.stderr));
    let count = |word: &str| -> u64 {
        let at = line.find(word).unwrap_or_else(|| panic!("{word:?} is not in {line:?}"));
        let digits: String = line[at + word.len()..].trim_start().chars().take_while(char::is_ascii_digit).collect();
        digits.parse().unwrap_or_else(|_| panic!("no count after {word:?} in {line:?}"))
    };
    if line.starts_with("dry run:") {
        (count("would create"), count("would update"), count("unchanged"), count("would fail"))
    } else {
        (count("created"), count("updated"), count("unchanged"), count("failed"))
    }
}

/// Every job of the tenant: job_number by external_id.
async fn jobs(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let page = app.get(&format!("/api-jobs?limit=1000&offset={}", all.len())).await;
        let items = page.expect(200)["data"]["jobs"].as_array().expect("jobs").clone();
        if items.is_empty() {
            return all;
        }
        all.extend(items);
    }
}

/// Bulk-sync requests of `entity` answered so far, by status.
async fn bulk_requests(app: &TestApp, entity: &str) -> Vec<(String, f64)> {
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let route = format!("/api-{entity}/bulk-sync");
    Exposition::parse(&text)
        .matching("takt_http_requests_total", &[("route", route.as_str())])
        .map(|s| (s.labels["status"].clone(), s.value))
        .collect()
}

fn answered(requests: &[(String, f64)], status: &str) -> f64 {
    requests.iter().filter(|(s, _)| s == status).map(|(_, n)| n).sum()
}

/// The requests a server that may not decode gzip answers on the first compressed one; none
/// other than 200 may be there.
#[track_caller]
fn only_ok_and_the_gzip_probe(requests: &[(String, f64)]) {
    let other: f64 = requests.iter().filter(|(s, _)| s != "200").map(|(_, n)| n).sum();
    let probe = answered(requests, "400") + answered(requests, "415");
    assert!(other == probe && probe <= 1.0, "{requests:?}");
}

const JOB_HEADER: &str = "external_id,external_source,job_number,customer,due_date,priority\n";

fn job_line(n: usize) -> String {
    format!("SO-{n:05},SAP,J-{n:05},Customer {},2026-06-{:02},{}\n", n % 7, n % 28 + 1, n % 5)
}

/// A proxy in front of `target`: answers `503` (`Retry-After: 0`) to the first `refuse`
/// requests without passing them on; then passes requests on, but loses the first successful
/// answer (answering `503` instead) when `lose_one`. Counts what it saw.
struct Proxy {
    url: String,
    seen: Arc<AtomicUsize>,
    replayed: Arc<Mutex<Vec<bool>>>,
}

#[derive(Clone)]
struct ProxyState {
    target: String,
    refuse: usize,
    lose_one: Arc<Mutex<bool>>,
    seen: Arc<AtomicUsize>,
    replayed: Arc<Mutex<Vec<bool>>>,
    client: reqwest::Client,
}

fn unavailable() -> Response {
    Response::builder().status(503).header("retry-after", "0").body(Body::from("busy")).unwrap()
}

async fn relay(State(state): State<ProxyState>, request: Request) -> Response {
    let number = state.seen.fetch_add(1, Ordering::SeqCst);
    if number < state.refuse {
        return unavailable();
    }
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            headers.insert(name.clone(), value.clone());
        }
    }
    let answer = state
        .client
        .request(parts.method, format!("{}{path}", state.target))
        .headers(headers)
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = answer.status();
    state.replayed.lock().unwrap().push(answer.headers().contains_key("idempotent-replayed"));
    let mut reply = Response::builder().status(status.as_u16());
    for (name, value) in answer.headers() {
        reply = reply.header(name, value);
    }
    let bytes = answer.bytes().await.unwrap();
    if status.is_success() && std::mem::take(&mut *state.lose_one.lock().unwrap()) {
        return unavailable();
    }
    reply.body(Body::from(bytes)).unwrap()
}

async fn proxy(app: &TestApp, refuse: usize, lose_one: bool) -> Proxy {
    let seen = Arc::new(AtomicUsize::new(0));
    let replayed = Arc::new(Mutex::new(Vec::new()));
    let state = ProxyState {
        target: app.url(""),
        refuse,
        lose_one: Arc::new(Mutex::new(lose_one)),
        seen: seen.clone(),
        replayed: replayed.clone(),
        client: reqwest::Client::builder().no_proxy().build().unwrap(),
    };
    let router = axum::Router::new().fallback(relay).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Proxy { url, seen, replayed }
}

backend_tests! {
    async fn a_large_csv_goes_in_batches_of_a_thousand(app: TestApp) {
        let mut text = JOB_HEADER.to_owned();
        (0..2500).for_each(|n| text.push_str(&job_line(n)));
        let input = file(&app, "jobs.csv", &text);
        let out = push(&app, &app.url(""), &["jobs", arg(&input)]).await;
        out.success();
        assert_eq!(summary(&out), (2500, 0, 0, 0), "{}", out.stdout);
        let requests = bulk_requests(&app, "jobs").await;
        assert_eq!(answered(&requests, "200"), 3.0, "{requests:?}");
        only_ok_and_the_gzip_probe(&requests);
        let numbers: BTreeSet<String> =
            jobs(&app).await.iter().map(|j| j["job_number"].as_str().unwrap().to_owned()).collect();
        assert_eq!(numbers, (0..2500).map(|n| format!("J-{n:05}")).collect::<BTreeSet<_>>());
        assert!(!app.dir.path().join("jobs.failed.csv").exists());

        // The same file again updates every record, in batches of the size asked for.
        let out = push(&app, &app.url(""), &["jobs", arg(&input), "--batch-size", "700"]).await;
        out.success();
        let (created, updated, unchanged, failed) = summary(&out);
        assert_eq!((created, updated + unchanged, failed), (0, 2500, 0));
        assert_eq!(answered(&bulk_requests(&app, "jobs").await, "200"), 3.0 + 4.0);
    }

    async fn failed_lines_go_to_a_file_ready_to_push_again(app: TestApp) {
        let long = "x".repeat(300);
        let mut text = JOB_HEADER.to_owned();
        for n in 0..10 {
            text.push_str(&match n {
                2 => format!("SO-00002,SAP,{long},Customer,2026-06-01,1\n"),
                5 => "SO-00005,SAP,J-00005,Customer,2026-13-45,1\n".to_owned(),
                8 => "SO-00008,SAP,J-00008,Customer,2026-06-01,-4\n".to_owned(),
                _ => job_line(n),
            });
        }
        let input = file(&app, "jobs.csv", &text);
        let out = push(&app, &app.url(""), &["jobs", arg(&input)]).await;
        out.failure("3 record(s) failed");
        assert_eq!(summary(&out), (7, 0, 0, 3));
        assert_eq!(jobs(&app).await.len(), 7);
        for line in [4, 7, 10] {
            assert!(out.stderr.contains(&format!("line {line}: ")), "line {line} is not listed:\n{}", out.stderr);
        }

        let failed_path = app.dir.path().join("jobs.failed.csv");
        let failed = std::fs::read_to_string(&failed_path).expect("the failed file");
        let mut reader = csv::Reader::from_reader(failed.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(header, JOB_HEADER.trim_end().split(',').chain(["_error"]).collect::<Vec<_>>());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(ids, ["SO-00002", "SO-00005", "SO-00008"]);
        assert_eq!(&rows[0][2], long.as_str());
        assert!(rows[0][6].contains("job_number"), "{}", &rows[0][6]);
        assert!(rows[1][6].contains("due_date"), "{}", &rows[1][6]);
        assert!(rows[2][6].contains("priority"), "{}", &rows[2][6]);

        // Fixed, the failed file pushes as it is (its `_error` column is skipped).
        let fixed = failed.replace(&long, "J-00002").replace("2026-13-45", "2026-12-31").replace(",-4,", ",4,");
        std::fs::write(&failed_path, fixed).unwrap();
        let out = push(&app, &app.url(""), &["jobs", arg(&failed_path)]).await;
        out.success();
        assert_eq!(summary(&out), (3, 0, 0, 0));
        assert_eq!(jobs(&app).await.len(), 10);
        assert!(!app.dir.path().join("jobs.failed.failed.csv").exists());
    }

    async fn a_bad_file_is_refused_before_anything_is_sent(app: TestApp) {
        let cases = [
            ("missing.csv", "external_id,external_source,customer\nSO-1,SAP,A\n", "line 1: the required column job_number is missing"),
            ("typed.csv", "external_id,external_source,job_number,priority\nSO-1,SAP,J-1,1\nSO-2,SAP,J-2,high\n",
             "line 3, column 4 (priority): must be a whole number, not \"high\""),
            ("unknown.csv", "external_id,external_source,job_number,colour\nSO-1,SAP,J-1,red\n",
             "line 1, column 4 (colour): is not a field of jobs"),
            ("cells.csv", "external_id,external_source,name,active\nC-1,SAP,Cutting,maybe\n",
             "line 2, column 4 (active): must be true or false"),
            ("short.csv", "external_id,external_source,job_number\nSO-1,SAP\n", "line 2: has 2 cells where the header has 3"),
            ("jobs.jsonl", "{\"external_id\":\"SO-1\",\"external_source\":\"SAP\",\"job_number\":\"J-1\"}\n{\"external_id\":\n",
             "line 2: is not JSON"),
            ("nested.jsonl", "{\"external_id\":\"SO-1\",\"parts\":[{\"external_id\":\"P-1\",\"quantity\":\"two\"}]}\n",
             "line 1, parts[0].quantity: must be a number"),
        ];
        for (name, text, said) in cases {
            let entity = if name == "cells.csv" { "cells" } else { "jobs" };
            let out = push(&app, &app.url(""), &[entity, arg(&file(&app, name, text))]).await;
            out.failure(said).failure("nothing was sent");
        }
        let other = push(&app, &app.url(""), &["jobs", arg(&file(&app, "jobs.txt", JOB_HEADER))]).await;
        other.failure("--format");
        assert!(bulk_requests(&app, "jobs").await.is_empty());
        assert!(bulk_requests(&app, "cells").await.is_empty());
        assert!(jobs(&app).await.is_empty());
    }

    async fn a_dry_run_writes_nothing_and_tells_what_the_push_does(app: TestApp) {
        let before = format!("{JOB_HEADER}SO-1,SAP,J-1,Alpha,2026-06-01,1\nSO-2,SAP,J-2,Beta,2026-06-02,2\n");
        push(&app, &app.url(""), &["jobs", arg(&file(&app, "before.csv", &before))]).await.success();
        let text = format!(
            "{JOB_HEADER}SO-1,SAP,J-1,Alpha,2026-06-01,1\nSO-2,SAP,J-2,Gamma,2026-06-02,2\n\
             SO-3,SAP,J-3,New,,\nSO-4,SAP,J-4,New,2026-02-30,\nSO-5,SAP,J-5,,,\n"
        );
        let input = file(&app, "jobs.csv", &text);
        let dry = push(&app, &app.url(""), &["jobs", arg(&input), "--dry-run", "--verbose"]).await;
        dry.failure("1 record(s) would fail");
        assert_eq!(summary(&dry), (2, 1, 1, 1), "{}", dry.stdout);
        assert!(dry.stdout.contains("nothing was written"), "{}", dry.stdout);
        assert!(dry.stdout.contains("line 3 (SO-2): update customer \"Beta\" -> \"Gamma\""), "{}", dry.stdout);
        assert!(dry.stderr.contains("line 5 (SO-4): would fail"), "{}", dry.stderr);
        assert!(!app.dir.path().join("jobs.failed.csv").exists());
        let stored = jobs(&app).await;
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().any(|j| j["customer"] == "Beta"));
        assert_eq!(answered(&bulk_requests(&app, "jobs").await, "200"), 1.0);

        let real = push(&app, &app.url(""), &["jobs", arg(&input)]).await;
        real.failure("1 record(s) failed");
        let (created, updated, unchanged, failed) = summary(&real);
        assert_eq!((created, updated + unchanged, failed), (2, 2, 1));
        assert!(unchanged == 0 || (updated, unchanged) == (1, 1), "{}", real.stdout);
        assert_eq!(jobs(&app).await.len(), 4);
    }

    async fn answers_that_say_later_are_retried_without_duplicates(app: TestApp) {
        let mut text = JOB_HEADER.to_owned();
        (0..5).for_each(|n| text.push_str(&job_line(n)));
        let input = file(&app, "jobs.csv", &text);
        // One 503 before the server, then one after it wrote the batch (the answer is lost).
        let flaky = proxy(&app, 1, true).await;
        let out = push(&app, &flaky.url, &["jobs", arg(&input), "--retries", "2"]).await;
        out.success();
        assert_eq!(summary(&out), (5, 0, 0, 0), "{}", out.stdout);
        assert_eq!(jobs(&app).await.len(), 5);
        // The retry of the lost answer carried the same Idempotency-Key, and got it replayed.
        let replayed = flaky.replayed.lock().unwrap().clone();
        assert_eq!(replayed.last(), Some(&true), "{replayed:?}");
        assert_eq!(replayed.iter().filter(|r| **r).count(), 1, "{replayed:?}");

        // Retries are bounded: a server that is never available fails the push, and every
        // record is in the failed file.
        let down = proxy(&app, usize::MAX, false).await;
        let out = push(&app, &down.url, &["jobs", arg(&input), "--retries", "3"]).await;
        out.failure("giving up");
        assert_eq!(summary(&out), (0, 0, 0, 5));
        assert_eq!(down.seen.load(Ordering::SeqCst), 4);
        let failed = std::fs::read_to_string(app.dir.path().join("jobs.failed.csv")).unwrap();
        assert_eq!(failed.lines().count(), 6, "{failed}");
    }

    async fn nested_json_lines_carry_parts_and_operations(app: TestApp) {
        let cells = "external_id,external_source,name,sequence,active\nC-1,SAP,Cutting,1,true\nC-2,SAP,Welding,2,FALSE\n";
        let out = push(&app, &app.url(""), &["cells", arg(&file(&app, "cells.csv", cells))]).await;
        out.success();
        assert_eq!(summary(&out), (2, 0, 0, 0));
        let lines = [
            json!({"external_id": "SO-1", "external_source": "SAP", "job_number": "J-1", "parts": [
                {"external_id": "SO-1-10", "part_number": "BRACKET", "quantity": 4, "operations": [
                    {"external_id": "SO-1-10-1", "operation_name": "Cut", "cell_name": "Cutting", "sequence": 1,
                     "estimated_time_minutes": 12.50},
                    {"external_id": "SO-1-10-2", "operation_name": "Weld", "cell_name": "welding", "sequence": 2}]}]}),
            json!({"external_id": "SO-2", "external_source": "SAP", "job_number": "J-2", "_error": "from before"}),
        ];
        let text: String = lines.iter().map(|l| format!("{l}\n\n")).collect();
        let out = push(&app, &app.url(""), &["jobs", arg(&file(&app, "jobs.ndjson", &text))]).await;
        out.success();
        assert_eq!(summary(&out), (2, 0, 0, 0));
        let id = jobs(&app).await.iter().find(|j| j["external_id"] == "SO-1").unwrap()["id"].clone();
        let job = app.get(&format!("/api-jobs/{}", id.as_str().unwrap())).await.expect(200)["data"].clone();
        assert_eq!(job["parts"][0]["part_number"], "BRACKET");
        let operations = app.call(Method::GET, "/api-operations?limit=100").send().await.expect(200).clone();
        let names: BTreeSet<&str> =
            operations["data"]["operations"].as_array().unwrap().iter().map(|o| o["operation_name"].as_str().unwrap()).collect();
        assert_eq!(names, BTreeSet::from(["Cut", "Weld"]));

        // A JSON line the server refuses lands in the failed file with its `_error`.
        let bad = json!({"external_id": "SO-3", "external_source": "SAP", "job_number": "J-3", "parts": [
            {"external_id": "SO-3-10", "part_number": "X", "operations": [
                {"external_id": "SO-3-10-1", "operation_name": "Paint", "cell_name": "Painting"}]}]});
        let input = file(&app, "more.jsonl", &format!("{bad}\n"));
        let out = push(&app, &app.url(""), &["jobs", arg(&input), "--format", "jsonl"]).await;
        out.failure("1 record(s) failed");
        let failed = std::fs::read_to_string(app.dir.path().join("more.failed.jsonl")).unwrap();
        let line: Value = serde_json::from_str(failed.trim_end()).unwrap();
        assert!(line["_error"].as_str().is_some_and(|e| e.contains("Painting")), "{line}");
        let mut without = line.clone();
        without.as_object_mut().unwrap().shift_remove("_error");
        assert_eq!(without, bad);
    }
}

#[tokio::test]
async fn completions_and_the_man_page_come_from_the_command_line() {
    let out = run(crate::operations::common::takt("unused.db", &["completions", "bash"])).await;
    out.success();
    assert!(out.stdout.contains("_takt()") && out.stdout.contains("push"), "{}", out.stdout);
    let out = run(crate::operations::common::takt("unused.db", &["completions", "zsh"])).await;
    assert!(out.success().stdout.contains("#compdef takt"), "{}", out.stdout);
    let out = run(crate::operations::common::takt("unused.db", &["man"])).await;
    out.success();
    assert!(out.stdout.starts_with(".ie") || out.stdout.contains(".TH takt 1"), "{}", out.stdout);
    assert!(out.stdout.contains("push"), "{}", out.stdout);
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let out = run(crate::operations::common::takt("unused.db", &["man", "--dir", pages.to_str().unwrap()])).await;
    out.success();
    let page = std::fs::read_to_string(pages.join("takt-push.1")).expect("a page for takt push");
    assert!(page.contains(".TH takt-push 1") && page.contains("dry"), "{page}");
}
