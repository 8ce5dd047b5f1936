//! Two `takt serve` processes on one PostgreSQL database, written to at the same time: the data
//! stays consistent, a revoked key is refused by both, and one key's rate limit is shared.
//! SQLite databases belong to one process, so these scenarios return at once on SQLite.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use futures::future::join_all;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::operations::common::{Api, Server, create_key, run, takt};
use crate::support::{Backend, Response, fresh_database};

/// Two servers on one fresh PostgreSQL database, with a key of tenant `acme`.
struct Pair {
    a: Server,
    b: Server,
    key: String,
    database: String,
    _dir: tempfile::TempDir,
}

impl Pair {
    async fn start(args: &[&str]) -> Pair {
        let (database, dir) = fresh_database(Backend::Postgres).await;
        let key = create_key(&database, "acme").await;
        let a = Server::serve(&database, args).await;
        let b = Server::serve(&database, args).await;
        assert_ne!(a.address, b.address);
        Pair { a, b, key, database, _dir: dir }
    }

    /// A client of each instance.
    fn apis(&self) -> [Api; 2] {
        [self.a.api(&self.key), self.b.api(&self.key)]
    }
}

/// Asserts that no answer is a server error, showing the first one.
#[track_caller]
fn assert_no_server_errors<'a>(responses: impl IntoIterator<Item = &'a Response>) {
    if let Some(failed) = responses.into_iter().find(|r| r.status >= 500) {
        panic!("a {} answer: {}", failed.status, failed.body);
    }
}

/// Asserts that both instances list the same records; returns them.
async fn same_list_on_both(apis: &[Api; 2], path: &str, entity: &str) -> Vec<Value> {
    let on_a = apis[0].get(path).await.expect(200)["data"][entity].clone();
    let on_b = apis[1].get(path).await.expect(200)["data"][entity].clone();
    assert_eq!(on_a, on_b, "{path} differs between the instances");
    on_a.as_array().unwrap().clone()
}

/// What single syncs answered, by sync key: `{action, id, external_id}`, its status checked.
#[track_caller]
fn sync_outcomes(responses: &[(String, Response)]) -> Vec<(String, Value)> {
    responses
        .iter()
        .map(|(key, response)| {
            let data = &response.body["data"];
            let expected = if data["action"] == "created" { 201 } else { 200 };
            assert_eq!(response.status, expected, "{key}: {}", response.body);
            (key.clone(), data.clone())
        })
        .collect()
}

/// Asserts that each sync key got one id and was created exactly once; returns the ids.
#[track_caller]
fn one_record_per_key(outcomes: &[(String, Value)]) -> BTreeMap<String, String> {
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut created: BTreeMap<String, usize> = BTreeMap::new();
    for (key, outcome) in outcomes {
        assert!(matches!(outcome["action"].as_str(), Some("created" | "updated")), "{key}: {outcome}");
        ids.entry(key.clone()).or_default().insert(outcome["id"].as_str().unwrap().to_owned());
        *created.entry(key.clone()).or_default() += usize::from(outcome["action"] == "created");
    }
    for (key, count) in &created {
        assert_eq!(*count, 1, "{key} was created {count} times");
    }
    ids.into_iter()
        .map(|(key, ids)| {
            assert_eq!(ids.len(), 1, "{key} got several ids: {ids:?}");
            (key, ids.into_iter().next().unwrap())
        })
        .collect()
}

/// The same sync, `rounds` times for each of `count` records, spread over both instances, all
/// at once; answers by sync key.
async fn sync_at_once(
    apis: &[Api; 2],
    path: &str,
    rounds: usize,
    count: usize,
    record: fn(usize) -> Value,
) -> Vec<(String, Response)> {
    let calls = (0..rounds).flat_map(|round| (0..count).map(move |n| (round, n))).map(|(round, n)| {
        let api = apis[(round + n) % 2].clone();
        let body = record(n);
        async move { (body["external_id"].as_str().unwrap().to_owned(), api.put(path, body).await) }
    });
    join_all(calls).await
}

fn cell(n: usize) -> Value {
    json!({"external_id": format!("C{n}"), "external_source": "SAP", "name": format!("Cell {n}"), "sequence": n})
}

fn job(n: usize) -> Value {
    json!({
        "external_id": format!("SO-{n}"), "external_source": "SAP", "job_number": format!("JOB-{n}"),
        "customer": "Acme Corp", "priority": n,
        "parts": [{"external_id": format!("SO-{n}-10"), "part_number": "BRACKET-A", "quantity": 2,
                   "operations": [{"external_id": format!("SO-{n}-10-010"), "operation_name": "Cut",
                                   "cell_name": format!("Cell {}", n % 4)}]}]
    })
}

backend_tests! {
    async fn an_idempotency_key_holds_across_instances(backend: Backend) {
        if backend == Backend::Sqlite {
            return;
        }
        let pair = Pair::start(&[]).await;
        let job = |number: &str| json!({"external_id": "SO-1", "external_source": "SAP", "job_number": number});
        let [a, b] = pair.apis().map(|api| api.with_header("idempotency-key", "order-1"));
        let first = a.put("/api-jobs/sync", job("J-1")).await;
        first.expect(201);
        let again = b.put("/api-jobs/sync", job("J-1")).await;
        assert_eq!((again.status, &again.body), (201, &first.body));
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        b.put("/api-jobs/sync", job("J-2")).await.expect_error(422, "IDEMPOTENCY_KEY_REUSED");

        // Many at once through both, one key: one runs, the others wait their turn or replay it.
        let [a, b] = pair.apis().map(|api| api.with_header("idempotency-key", "order-2"));
        let body = json!({"external_id": "SO-2", "external_source": "SAP", "job_number": "J-2"});
        let answers = join_all((0..12).map(|n| {
            let api = if n % 2 == 0 { a.clone() } else { b.clone() };
            let body = body.clone();
            async move { api.put("/api-jobs/sync", body).await }
        }))
        .await;
        assert_no_server_errors(&answers);
        let ran = answers.iter().filter(|r| r.status != 409 && r.header("idempotent-replayed").is_none()).count();
        assert_eq!(ran, 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        let jobs = same_list_on_both(&pair.apis(), "/api-jobs?external_id=SO-2", "jobs").await;
        assert_eq!(jobs.len(), 1);
    }

    async fn single_syncs_of_the_same_new_records_through_two_instances_agree(backend: Backend) {
        if backend == Backend::Sqlite {
            return;
        }
        let pair = Pair::start(&[]).await;
        let apis = pair.apis();

        let cells = sync_at_once(&apis, "/api-cells/sync", 6, 8, cell).await;
        assert_no_server_errors(cells.iter().map(|(_, r)| r));
        let cell_ids = one_record_per_key(&sync_outcomes(&cells));
        let listed = same_list_on_both(&apis, "/api-cells?limit=1000", "cells").await;
        assert_eq!(listed.len(), 8);
        for cell in &listed {
            assert_eq!(cell_ids[cell["external_id"].as_str().unwrap()], cell["id"].as_str().unwrap());
        }

        let jobs = sync_at_once(&apis, "/api-jobs/sync", 4, 10, job).await;
        assert_no_server_errors(jobs.iter().map(|(_, r)| r));
        let job_ids = one_record_per_key(&sync_outcomes(&jobs));
        assert_eq!(same_list_on_both(&apis, "/api-jobs?limit=1000", "jobs").await.len(), 10);
        assert_eq!(same_list_on_both(&apis, "/api-parts?limit=1000", "parts").await.len(), 10);
        assert_eq!(same_list_on_both(&apis, "/api-operations?limit=1000", "operations").await.len(), 10);
        for id in job_ids.values() {
            let on_a = apis[0].get(&format!("/api-jobs/{id}")).await.expect(200).clone();
            let on_b = apis[1].get(&format!("/api-jobs/{id}")).await.expect(200).clone();
            assert_eq!(on_a, on_b);
            assert_eq!(on_a["data"]["parts"][0]["operations"].as_array().unwrap().len(), 1, "{on_a}");
        }
    }

    async fn overlapping_bulk_syncs_through_two_instances_agree(backend: Backend) {
        if backend == Backend::Sqlite {
            return;
        }
        let pair = Pair::start(&[]).await;
        let apis = pair.apis();
        for n in 0..4 {
            apis[0].put("/api-cells/sync", cell(n)).await.expect(201);
        }

        // A takes jobs 0..60 in order, B takes 30..90 backwards, twice each, all at once.
        let forward: Vec<Value> = (0..60).map(job).collect();
        let backward: Vec<Value> = (30..90).rev().map(job).collect();
        let requests = [(&apis[0], &forward), (&apis[1], &backward), (&apis[0], &forward), (&apis[1], &backward)]
            .map(|(api, jobs)| api.post("/api-jobs/bulk-sync", json!({"jobs": jobs})));
        let responses: Vec<Response> = join_all(requests).await;
        assert_no_server_errors(&responses);

        let mut outcomes = Vec::new();
        for response in &responses {
            let data = &response.expect(200)["data"];
            assert_eq!((&data["total"], &data["errors"]), (&json!(60), &json!(0)), "{data}");
            for line in data["results"].as_array().unwrap() {
                outcomes.push((line["external_id"].as_str().unwrap().to_owned(), line.clone()));
            }
        }
        let created: u64 = responses.iter().map(|r| r.body["data"]["created"].as_u64().unwrap()).sum();
        assert_eq!(created, 90, "each job is created once");
        let ids = one_record_per_key(&outcomes);
        assert_eq!(ids.len(), 90);

        let jobs = same_list_on_both(&apis, "/api-jobs?limit=1000", "jobs").await;
        assert_eq!(jobs.len(), 90);
        for listed in &jobs {
            assert_eq!(ids[listed["external_id"].as_str().unwrap()], listed["id"].as_str().unwrap());
        }
        assert_eq!(same_list_on_both(&apis, "/api-parts?limit=1000", "parts").await.len(), 90);
        assert_eq!(same_list_on_both(&apis, "/api-operations?limit=1000", "operations").await.len(), 90);
    }

    async fn master_data_creates_of_the_same_names_through_two_instances_make_one_record(backend: Backend) {
        if backend == Backend::Sqlite {
            return;
        }
        let pair = Pair::start(&[]).await;
        let apis = pair.apis();
        let creates = (0..4).flat_map(|round| (0..6).map(move |n| (round, n))).map(|(round, n)| {
            let api = apis[(round + n) % 2].clone();
            // The same name, spelt in different case by each round.
            let name = if round % 2 == 0 { format!("Type {n}") } else { format!("TYPE {n}") };
            async move { (n, api.put("/api/ProductType/Upsert", json!({"name": name})).await) }
        });
        let results: Vec<(usize, Response)> = join_all(creates).await;
        assert_no_server_errors(results.iter().map(|(_, r)| r));
        for n in 0..6 {
            let statuses: Vec<u16> = results.iter().filter(|(m, _)| *m == n).map(|(_, r)| r.status).collect();
            assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "Type {n}: {statuses:?}");
            for (_, refused) in results.iter().filter(|(m, r)| *m == n && r.status != 201) {
                refused.expect_error(409, "CONFLICT");
            }
        }

        // Different names at once: every one created, each with its own id.
        let distinct = (0..20).map(|n| {
            let api = apis[n % 2].clone();
            async move { api.put("/api/UnitOfMeasure/Upsert", json!({"name": format!("U{n}")})).await }
        });
        let created: Vec<Response> = join_all(distinct).await;
        let ids: BTreeSet<i64> = created.iter().map(|r| r.expect(201)["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 20);

        // Updates of one record through both: each applied, both instances read the same one.
        let target = results.iter().find(|(n, r)| *n == 0 && r.status == 201).unwrap().1.body["id"].clone();
        let updates = (0..10).map(|n| {
            let api = apis[n % 2].clone();
            let target = target.clone();
            async move {
                api.put("/api/ProductType/Upsert", json!({"id": target, "description": format!("d{n}")})).await
            }
        });
        for response in join_all(updates).await {
            response.expect(200);
        }

        for entity in ["ProductType", "UnitOfMeasure"] {
            let on_a = apis[0].post(&format!("/api/{entity}/List"), json!({})).await.expect(200).clone();
            let on_b = apis[1].post(&format!("/api/{entity}/List"), json!({})).await.expect(200).clone();
            assert_eq!(on_a, on_b, "{entity} lists differ");
        }
        let types = apis[1].post("/api/ProductType/List", json!({})).await.expect(200).clone();
        assert_eq!(types.as_array().unwrap().len(), 6);
        let updated = types.as_array().unwrap().iter().find(|t| t["id"] == target).unwrap();
        assert!((0..10).any(|n| updated["description"] == format!("d{n}")), "{updated}");
        let names: BTreeSet<String> =
            types.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_lowercase()).collect();
        assert_eq!(names, (0..6).map(|n| format!("type {n}")).collect());
    }

    async fn two_instances_started_at_once_on_an_empty_database_both_serve(backend: Backend) {
        if backend == Backend::Sqlite {
            return;
        }
        let (database, _dir) = fresh_database(Backend::Postgres).await;
        let (a, b) = tokio::join!(Server::serve(&database, &[]), Server::serve(&database, &[]));
        let key = create_key(&database, "acme").await;
        let created = a.api(&key).put("/api/Currency/Upsert", json!({"name": "EUR"})).await.expect(201).clone();
        let listed = b.api(&key).post("/api/Currency/List", json!({})).await;
        assert_eq!(listed.expect(200), &json!([created]));
    }

    async fn a_key_revoked_with_the_cli_is_refused_by_both_instances(backend: Backend) {
        if backend == Backend::Sqlite {
            return;
        }
        let pair = Pair::start(&[]).await;
        let other = create_key(&pair.database, "acme").await;
        for api in pair.apis() {
            api.get("/api-cells").await.expect(200);
        }
        run(takt(&pair.database, &["keys", "revoke", &pair.key[..21]])).await.success();
        for api in pair.apis() {
            api.get("/api-cells").await.expect_error(401, "UNAUTHORIZED");
        }
        pair.a.api(&other).get("/api-cells").await.expect(200);
        pair.b.api(&other).get("/api-cells").await.expect(200);
    }

    async fn one_keys_rate_limit_is_shared_by_both_instances(backend: Backend) {
        if backend == Backend::Sqlite {
            return;
        }
        const PER_MINUTE: u64 = 5;
        let pair = Pair::start(&["--rate-limit", "5"]).await;
        let apis = pair.apis();
        let started = Instant::now();
        let requests = (0..24).map(|n| {
            let api = apis[n % 2].clone();
            async move { api.get("/api-jobs").await }
        });
        let responses: Vec<Response> = join_all(requests).await;
        let elapsed = started.elapsed();
        assert_no_server_errors(&responses);
        for response in &responses {
            assert!(matches!(response.status, 200 | 429), "{}: {}", response.status, response.body);
            assert_eq!(response.header("x-ratelimit-limit"), Some("5"));
        }
        for refused in responses.iter().filter(|r| r.status == 429) {
            refused.expect_error(429, "RATE_LIMIT_EXCEEDED");
            assert!(refused.header("retry-after").is_some());
        }
        let accepted: Vec<&Response> = responses.iter().filter(|r| r.status == 200).collect();
        // The bucket holds 5 and gains 5 a minute: that many over the whole run, whatever its
        // pace; two separate buckets would have let 10 through.
        let bound = PER_MINUTE + (elapsed.as_secs_f64() * PER_MINUTE as f64 / 60.0).floor() as u64;
        assert!(accepted.len() as u64 >= PER_MINUTE, "a full bucket lets {PER_MINUTE} through: {}", accepted.len());
        assert!(accepted.len() as u64 <= bound, "{} accepted in {elapsed:?}, at most {bound}", accepted.len());
        if accepted.len() as u64 == PER_MINUTE {
            let mut remaining: Vec<&str> =
                accepted.iter().map(|r| r.header("x-ratelimit-remaining").unwrap()).collect();
            remaining.sort_unstable();
            assert_eq!(remaining, ["0", "1", "2", "3", "4"], "each token was taken once");
        }
    }
}
