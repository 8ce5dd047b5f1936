//! Takt at the physical limit (issue "Performance at the physical limit"): in one run, on
//! SQLite and then PostgreSQL, (a) the ceilings — Takt's own upsert of a job on a database Takt
//! migrated, sent straight through sqlx with the backend's pool and pragmas: 1000-row
//! statements of new jobs, the same statements again (nothing changes), one-row upserts in
//! autocommit from 32 tasks — and (b) a release build of `takt serve` over loopback HTTP: bulk
//! sync of the same jobs, fresh and unchanged, single syncs from 32 connections, a nested
//! `GET /api-jobs/{id}`, `POST /api/Product/List` with an exact filter over 1,000,000 products,
//! and on PostgreSQL 4 tenants syncing in parallel against one. Each Takt figure is printed as a
//! ratio of its ceiling, with the aims; then the server's peak RSS.
//!
//! Run: `cargo bench -p takt --bench limit`. Sizes: `TAKT_LIMIT_BULK` (statements/requests of
//! `TAKT_LIMIT_ROWS` jobs, 20 of 1000), `TAKT_LIMIT_SINGLE` (single syncs a measure, 20,000),
//! `TAKT_LIMIT_READS` (50,000), `TAKT_LIMIT_NESTED` (jobs of 2 parts x 3 operations to read,
//! 1,000), `TAKT_LIMIT_PRODUCTS` (1,000,000), `TAKT_LIMIT_CONNECTIONS` (32), `TAKT_LIMIT_SECONDS`
//! (the most one measure runs, 15), `TAKT_LIMIT_BACKENDS` (`sqlite,postgres`).

#[path = "../tests/api/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

#[path = "bulk_sync/support.rs"]
#[allow(dead_code)]
mod support;

#[path = "limit/data.rs"]
mod data;
#[path = "limit/http.rs"]
mod http;
#[path = "limit/load.rs"]
mod load;
#[path = "limit/raw.rs"]
mod raw;
#[path = "limit/report.rs"]
mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use data::Job;
use http::Target;
use raw::Raw;
use report::{Aim, Line};
use support::Server;

/// The sizes of a run, from the environment.
struct Sizes {
    bulk: usize,
    rows: usize,
    single: usize,
    reads: usize,
    nested: usize,
    products: usize,
    connections: usize,
    limit: Duration,
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

impl Sizes {
    fn from_env() -> Sizes {
        Sizes {
            bulk: env("TAKT_LIMIT_BULK", 20),
            rows: env("TAKT_LIMIT_ROWS", 1000),
            single: env("TAKT_LIMIT_SINGLE", 20_000),
            reads: env("TAKT_LIMIT_READS", 50_000),
            nested: env("TAKT_LIMIT_NESTED", 1000),
            products: env("TAKT_LIMIT_PRODUCTS", 1_000_000).max(1),
            connections: env("TAKT_LIMIT_CONNECTIONS", 32),
            limit: Duration::from_secs(env("TAKT_LIMIT_SECONDS", 15) as u64),
        }
    }
}

/// The aims, by backend: single sync's ratio and p99.
fn single_aim(backend: &str) -> Aim {
    if backend == "postgres" { Aim::RatioP99(0.5, 10.0) } else { Aim::RatioP99(1.0, 5.0) }
}

async fn run(backend: &str, raw_database: &str, takt_database: &str, sizes: &Sizes) {
    let started = Instant::now();
    let c = sizes.connections;
    // The ceilings, on a database of their own that `takt keys create` migrated.
    support::create_key(raw_database, "raw");
    let raw = Raw::open(raw_database).await;
    let tenant = raw.tenant("raw").await;
    let ceilings = raw::ceilings(&raw, tenant, sizes.bulk, sizes.rows, sizes.single, c, sizes.limit).await;
    raw.close().await;
    println!("{backend}: ceilings measured ({:.0} s)", started.elapsed().as_secs_f64());

    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(600)).build().unwrap();
    let server = support::start(takt_database, &client).await;
    println!("{backend}: takt serve is pid {} (for perf record -p)", server.pid());
    let target = Target { client: client.clone(), base: server.base.clone(), limit: sizes.limit };
    let mut lines = vec![
        Line::of(format!("raw: {}-row upsert statements, new rows", sizes.rows), 1, "rows/s", &ceilings.bulk_fresh),
        Line::of("raw: the same statements again, unchanged", 1, "rows/s", &ceilings.bulk_unchanged),
        Line::of("raw: one-row upsert, autocommit", 1, "rows/s", &ceilings.single_alone),
        Line::of("raw: one-row upsert, autocommit", c, "rows/s", &ceilings.single),
    ];

    let bodies: Vec<Vec<u8>> = (0..sizes.bulk)
        .map(|b| data::bulk(&(0..sizes.rows).map(|r| Job::new("BULK", b * sizes.rows + r)).collect::<Vec<_>>()))
        .collect();
    let bodies = Arc::new(bodies);
    let fresh = http::bulk(&target, &server, bodies.clone(), sizes.rows).await;
    lines.push(
        Line::of("bulk sync, new jobs", 1, "records/s", &fresh).against(ceilings.bulk_fresh.rate(), Aim::Ratio(0.8)),
    );
    let unchanged = http::bulk(&target, &server, bodies, sizes.rows).await;
    lines.push(
        Line::of("bulk sync, unchanged re-sync", 1, "records/s", &unchanged)
            .against(ceilings.bulk_unchanged.rate(), Aim::None),
    );
    let keys = [server.key.clone()];
    let single = http::single(&target, &server, &keys, "ONE", c, sizes.single).await;
    lines.push(
        Line::of("PUT /api-jobs/sync, new job", c, "syncs/s", &single)
            .against(ceilings.single.rate(), single_aim(backend)),
    );
    println!("{backend}: writes measured ({:.0} s)", started.elapsed().as_secs_f64());

    let ids = nested_jobs(&target, &server, sizes.nested).await;
    let ids = Arc::new(ids);
    let nested = |ids: Arc<Vec<String>>| {
        move |t: &Target, key: &str, i: usize| t.request(Method::GET, &format!("/api-jobs/{}", ids[i % ids.len()]), key)
    };
    let get = http::read(&target, &server, &keys, c, sizes.reads, nested(ids.clone())).await;
    lines.push(Line::of("GET /api-jobs/{id}, 2 parts x 3 operations", c, "reads/s", &get).aiming(Aim::P99(2.0)));
    if backend == "postgres" {
        // Each key's rate bucket is one row that every request of the key updates and commits.
        let keys: Vec<String> = (0..c).map(|_| support::create_key(takt_database, "bench")).collect();
        let get = http::read(&target, &server, &keys, c, sizes.reads, nested(ids)).await;
        lines.push(Line::of(format!("GET /api-jobs/{{id}}, {c} keys of the tenant"), c, "reads/s", &get));
    }
    println!("{backend}: nested reads measured ({:.0} s)", started.elapsed().as_secs_f64());

    products(&target, &server, takt_database, sizes.products).await;
    println!("{backend}: {} products loaded ({:.0} s)", sizes.products, started.elapsed().as_secs_f64());
    let products = sizes.products;
    for connections in [1, c] {
        let list = http::read(&target, &server, &keys, connections, sizes.reads, move |t, key, i| {
            let name = data::product_name((i * 7919) % products);
            t.request(Method::POST, "/api/Product/List", key).json(&json!({ "name": name }))
        })
        .await;
        let measure = format!("POST /api/Product/List, name = one of {products}");
        lines.push(Line::of(measure, connections, "lists/s", &list).aiming(Aim::P99(10.0)));
    }

    if backend == "postgres" {
        let keys: Vec<String> = (1..=4).map(|t| support::create_key(takt_database, &format!("tenant-{t}"))).collect();
        let one = http::single(&target, &server, &keys[..1], "TENANT-ONE", c, sizes.single).await;
        lines.push(Line::of("PUT /api-jobs/sync, 1 tenant", c, "syncs/s", &one));
        let four = http::single(&target, &server, &keys, "TENANT-FOUR", c, sizes.single).await;
        lines.push(Line::of("PUT /api-jobs/sync, 4 tenants", c, "syncs/s", &four).against(one.rate(), Aim::Ratio(1.6)));
    }

    if let Some(peak) = server.peak_memory() {
        let mib = peak as f64 / 1024.0;
        lines.push(Line {
            measure: "server peak RSS (VmHWM), whole run".to_owned(),
            connections: 0,
            value: mib,
            unit: "MiB",
            run: None,
            ceiling: None,
            aim: Aim::MiB(200.0),
        });
    }
    drop(server);
    report::print(backend, &lines);
    println!("\n{backend}: {:.0} s", started.elapsed().as_secs_f64());
}

/// Syncs `count` jobs of 2 parts x 3 operations; answers their ids.
async fn nested_jobs(target: &Target, server: &Server, count: usize) -> Vec<String> {
    target.call(Method::PUT, "/api-cells/sync", &server.key, &data::cell()).await;
    let mut ids = Vec::with_capacity(count);
    for start in (0..count).step_by(100) {
        let jobs: Vec<Value> = (start..(start + 100).min(count)).map(data::nested).collect();
        let answer = target.call(Method::POST, "/api-jobs/bulk-sync", &server.key, &json!({ "jobs": jobs })).await;
        let results = answer["data"]["results"].as_array().expect("bulk-sync results");
        ids.extend(results.iter().map(|r| r["id"].as_str().expect("a result's id").to_owned()));
    }
    assert_eq!(ids.len(), count);
    ids
}

/// Creates the reference data and one product through the API, then copies the product into
/// `count - 1` more straight into the database (far faster than upserting a million).
async fn products(target: &Target, server: &Server, database: &str, count: usize) {
    for (entity, name) in data::REFERENCE_DATA {
        target.call(Method::PUT, &format!("/api/{entity}/Upsert"), &server.key, &json!({ "name": name })).await;
    }
    let seed = data::product_name(0);
    target.call(Method::PUT, "/api/Product/Upsert", &server.key, &data::product(&seed)).await;
    if count > 1 {
        let raw = Raw::open(database).await;
        raw.load_products(&seed, count - 1).await;
        raw.close().await;
    }
    let found = target
        .call(Method::POST, "/api/Product/List", &server.key, &json!({ "name": data::product_name(count - 1) }))
        .await;
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
}

#[tokio::main]
async fn main() {
    let sizes = Sizes::from_env();
    let backends = std::env::var("TAKT_LIMIT_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_owned());
    println!(
        "limit: {} x {}-row bulk, {} single syncs, {} reads, {} nested jobs, {} products, {} connections, at most {} s a measure",
        sizes.bulk,
        sizes.rows,
        sizes.single,
        sizes.reads,
        sizes.nested,
        sizes.products,
        sizes.connections,
        sizes.limit.as_secs()
    );
    let dir = tempfile::tempdir().unwrap();
    if backends.contains("sqlite") {
        let path = |name: &str| dir.path().join(name).display().to_string();
        run("sqlite", &path("raw.db"), &path("takt.db"), &sizes).await;
    }
    if backends.contains("postgres") {
        match postgres::start(postgres::Durability::Default) {
            Ok(cluster) => {
                let (raw, takt) = (cluster.fresh_database().await, cluster.fresh_database().await);
                run("postgres", &raw, &takt, &sizes).await;
            }
            Err(reason) => println!("postgres skipped: {reason}"),
        }
    }
}
