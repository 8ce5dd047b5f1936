//! `kill -9` loses no acknowledged write and leaves no partial one (SPEC section 10): several
//! clients send nested bulk syncs (jobs with parts and operations) to the real `takt serve`, or
//! many clients single syncs of one job each (which share transactions: group commit),
//! which is killed at random moments again and again and started again on the same database.
//! Afterwards every job is whole (all its parts and operations, all from one write) and holds
//! the last write acknowledged for it or one sent after it; the event log, written in the same
//! transactions, shows every acknowledged request and every request it shows at all whole; the
//! database passes its own checks.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::backend_tests;
use crate::operations::common::{Api, Server, create_key, free_port, takt};
use crate::support::{Backend, fresh_database};

const JOBS_PER_CLIENT: usize = 12;

/// How the clients send their jobs.
#[derive(Debug, Clone, Copy)]
enum Sending {
    /// A few clients, five jobs in each bulk request.
    Bulk,
    /// Many clients, one job in each `PUT /api-jobs/sync`.
    Single,
}

impl Sending {
    fn clients(self) -> usize {
        match self {
            Sending::Bulk => 4,
            Sending::Single => 16,
        }
    }

    fn jobs_per_request(self) -> usize {
        match self {
            Sending::Bulk => 5,
            Sending::Single => 1,
        }
    }

    fn kills(self) -> usize {
        match self {
            Sending::Bulk => 20,
            Sending::Single => 10,
        }
    }

    /// The request that sends `jobs`.
    fn request(self, http: &reqwest::Client, base: &str, jobs: Vec<Value>) -> reqwest::RequestBuilder {
        let (path, body) = match self {
            Sending::Bulk => ("bulk-sync", json!({"jobs": jobs})),
            Sending::Single => ("sync", jobs.into_iter().next().expect("one job")),
        };
        let method = if matches!(self, Sending::Bulk) { reqwest::Method::POST } else { reqwest::Method::PUT };
        http.request(method, format!("{base}/api-jobs/{path}"))
            .header("content-type", "application/json")
            .body(body.to_string())
    }

    /// Whether an answer acknowledges every job of its request.
    fn acknowledges(self, status: u16, answer: &Value) -> bool {
        match self {
            Sending::Bulk if status == 200 => {
                let lines = answer["data"]["results"].as_array().expect("results");
                assert_eq!(lines.len(), self.jobs_per_request(), "{answer}");
                for line in lines {
                    assert!(line["action"] == "created" || line["action"] == "updated", "a record failed: {answer}");
                }
                true
            }
            Sending::Single if status == 200 || status == 201 => {
                assert!(answer["data"]["action"] == "created" || answer["data"]["action"] == "updated", "{answer}");
                true
            }
            _ => false,
        }
    }
}

/// A small xorshift generator; the seed is printed so that a failing run can be told apart.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn job_id(client: usize, job: usize) -> String {
    format!("J-{client}-{job}")
}

/// How many parts a job has, and operations each of its parts: fixed per job, so that a job that
/// is missing any was written partly.
fn shape(job: usize) -> Vec<usize> {
    (0..1 + job % 4).map(|part| 1 + (job + part) % 3).collect()
}

/// A job with every part and operation it has, each carrying `tag` (and `round` in numbers).
fn job(client: usize, job: usize, tag: &str, round: usize) -> Value {
    let id = job_id(client, job);
    let parts: Vec<Value> = shape(job)
        .iter()
        .enumerate()
        .map(|(p, &operations)| {
            let operations: Vec<Value> = (0..operations)
                .map(|o| {
                    json!({"external_id": format!("{id}-P{p}-O{o}"), "operation_name": "Cut", "cell_name": "Saw",
                           "sequence": o, "notes": tag})
                })
                .collect();
            json!({"external_id": format!("{id}-P{p}"), "part_number": format!("{id}-P{p}"), "quantity": round + 1,
                   "notes": tag, "operations": operations})
        })
        .collect();
    json!({"external_id": id, "external_source": "SAP", "job_number": id, "priority": round, "notes": tag,
           "parts": parts})
}

/// One bulk request a client sent: its tag, its jobs (by external id) and whether its answer came.
struct Sent {
    tag: String,
    jobs: Vec<String>,
    acked: bool,
}

/// Every write sent for each job, in order: its tag and whether it was acknowledged.
type History = HashMap<String, Vec<(String, bool)>>;

fn history(sent: &[Sent]) -> History {
    let mut history = History::new();
    for request in sent {
        for job in &request.jobs {
            history.entry(job.clone()).or_default().push((request.tag.clone(), request.acked));
        }
    }
    history
}

/// One client: syncs of its own jobs, one request after another, until told to stop.
async fn client(
    sending: Sending,
    n: usize,
    base: String,
    key: String,
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
) -> Vec<Sent> {
    let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(20)).build().unwrap();
    let mut random = Random(0x9E37_79B9_7F4A_7C15 ^ (n as u64 + 1));
    let mut sent = Vec::new();
    let mut round = 0;
    while !stop.load(Ordering::Relaxed) {
        round += 1;
        let tag = format!("c{n}-r{round}");
        let mut jobs: Vec<usize> = Vec::new();
        while jobs.len() < sending.jobs_per_request() {
            let j = random.below(JOBS_PER_CLIENT as u64) as usize;
            if !jobs.contains(&j) {
                jobs.push(j);
            }
        }
        let bodies = jobs.iter().map(|&j| job(n, j, &tag, round)).collect();
        let answer = sending.request(&http, &base, bodies).bearer_auth(&key).send().await;
        let ok = match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                response.json::<Value>().await.is_ok_and(|answer| sending.acknowledges(status, &answer))
            }
            Err(_) => false,
        };
        if ok {
            acked.fetch_add(1, Ordering::Relaxed);
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sent.push(Sent { tag, jobs: jobs.iter().map(|&j| job_id(n, j)).collect(), acked: ok });
    }
    sent
}

/// The tags a job may hold: the last acknowledged write's, or any sent after it (it may have
/// committed without its answer arriving); with none acknowledged, also none at all.
fn allowed(writes: &[(String, bool)]) -> (Vec<&str>, bool) {
    match writes.iter().rposition(|(_, acked)| *acked) {
        Some(last) => (writes[last..].iter().map(|(tag, _)| tag.as_str()).collect(), false),
        None => (writes.iter().map(|(tag, _)| tag.as_str()).collect(), true),
    }
}

/// Checks one stored job against what was sent for it.
fn check_job(external_id: &str, stored: Option<&Value>, writes: &[(String, bool)]) {
    let (tags, may_be_absent) = allowed(writes);
    let Some(stored) = stored else {
        assert!(may_be_absent, "{external_id} is gone, though a write of it was acknowledged: {writes:?}");
        return;
    };
    let tag = stored["notes"].as_str().expect("a tag");
    assert!(
        tags.contains(&tag),
        "{external_id} holds {tag}, not the last acknowledged write or a later one: {writes:?}"
    );
    let round: u64 = tag.rsplit_once("-r").and_then(|(_, r)| r.parse().ok()).expect("a round");
    assert_eq!(stored["priority"], round, "{external_id}");
    let job: usize = external_id.rsplit_once('-').and_then(|(_, j)| j.parse().ok()).expect("a job number");
    let parts = stored["parts"].as_array().expect("parts");
    let counts: Vec<usize> = parts.iter().map(|p| p["operations"].as_array().expect("operations").len()).collect();
    assert_eq!(counts, shape(job), "{external_id} has every part and operation");
    for part in parts {
        assert_eq!((part["notes"].as_str(), part["quantity"].as_u64()), (Some(tag), Some(round + 1)), "{part}");
        for operation in part["operations"].as_array().unwrap() {
            assert_eq!(operation["notes"].as_str(), Some(tag), "{external_id}: one write, whole: {operation}");
        }
    }
}

/// Every job as `GET /api-jobs/{id}` answers it, by external id.
async fn stored_jobs(api: &Api) -> HashMap<String, Value> {
    let list = api.get("/api-jobs?limit=1000").await;
    let mut jobs = HashMap::new();
    for job in list.body["data"]["jobs"].as_array().expect("jobs") {
        let one = api.get(&format!("/api-jobs/{}", job["id"].as_str().unwrap())).await;
        assert_eq!(one.status, 200, "{}", one.body);
        jobs.insert(job["external_id"].as_str().unwrap().to_owned(), one.body["data"].clone());
    }
    jobs
}

/// Every event of the tenant, page by page.
async fn events(api: &Api) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = api.get(&format!("/api-events?after={after}&limit=1000")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        all.extend(page.body["data"]["events"].as_array().expect("events").iter().cloned());
        after = page.body["data"]["next_after"].as_i64().expect("next_after");
        if page.body["data"]["has_more"] != true {
            return all;
        }
    }
}

/// The event log against the requests: each request it shows (by tag) is there whole, with an
/// event for each of its jobs, parts and operations; every acknowledged request is there.
/// Answers how many requests committed without their answer arriving.
fn check_log(events: &[Value], sent: &[Sent]) -> usize {
    let mut logged: HashMap<&str, HashSet<(&str, &str)>> = HashMap::new();
    for event in events {
        let entity = event["entity"].as_str().expect("an entity");
        if let Some(tag) = event["data"]["notes"].as_str() {
            let fresh = logged.entry(tag).or_default().insert((entity, event["external_id"].as_str().unwrap()));
            assert!(fresh, "one event per record and write: {event}");
        }
    }
    let mut unanswered = 0;
    for request in sent {
        let Some(records) = logged.remove(request.tag.as_str()) else {
            assert!(!request.acked, "acknowledged request {} is not in the event log", request.tag);
            continue;
        };
        unanswered += usize::from(!request.acked);
        let mut expected = HashSet::new();
        for job in &request.jobs {
            expected.insert(("job", job.clone()));
            let number: usize = job.rsplit_once('-').and_then(|(_, j)| j.parse().ok()).unwrap();
            for (p, operations) in shape(number).into_iter().enumerate() {
                expected.insert(("part", format!("{job}-P{p}")));
                expected.extend((0..operations).map(|o| ("operation", format!("{job}-P{p}-O{o}"))));
            }
        }
        let found: HashSet<(&str, String)> = records.iter().map(|(e, id)| (*e, id.to_string())).collect();
        assert_eq!(found, expected, "request {} was written whole", request.tag);
    }
    assert!(logged.is_empty(), "events of writes nobody sent: {:?}", logged.keys());
    unanswered
}

/// The engine's own checks: SQLite's integrity and foreign keys; on both, no orphaned rows.
async fn check_database(backend: Backend, database: &str) {
    let orphans = "SELECT (SELECT COUNT(*) FROM parts p WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = p.job_id)) \
                   + (SELECT COUNT(*) FROM operations o WHERE NOT EXISTS (SELECT 1 FROM parts p WHERE p.id = o.part_id))";
    match backend {
        Backend::Sqlite => {
            let mut db = SqliteConnection::connect(&format!("sqlite://{database}")).await.unwrap();
            let (integrity,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut db).await.unwrap();
            assert_eq!(integrity, "ok");
            let broken: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&mut db).await.unwrap();
            assert_eq!(broken, []);
            let (count,): (i64,) = sqlx::query_as(orphans).fetch_one(&mut db).await.unwrap();
            assert_eq!(count, 0);
        }
        Backend::Postgres => {
            let mut db = PgConnection::connect(database).await.unwrap();
            let (count,): (i64,) = sqlx::query_as(orphans).fetch_one(&mut db).await.unwrap();
            assert_eq!(count, 0);
        }
    }
}

async fn serve(database: &str, listen: &str) -> Server {
    Server::start(takt(database, &["serve", "--listen", listen, "--rate-limit", "1000000"])).await
}

/// Sends writes the `sending` way to a server killed again and again, then checks every job, the
/// event log and the database.
async fn crash_loop(backend: Backend, sending: Sending) {
    let (database, _dir) = fresh_database(backend).await;
    let key = create_key(&database, "acme").await;
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = serve(&database, &listen).await;
    let api = server.api(&key);
    let cell = api.put("/api-cells/sync", json!({"external_id": "C", "external_source": "SAP", "name": "Saw"})).await;
    assert_eq!(cell.status, 201, "{}", cell.body);

    let seed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("crash loop seed {seed}");
    let mut random = Random(seed);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..sending.clients())
        .map(|n| tokio::spawn(client(sending, n, format!("http://{listen}"), key.clone(), stop.clone(), acked.clone())))
        .collect();
    let mut kills = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    while kills < sending.kills() {
        assert!(std::time::Instant::now() < deadline, "no writes got through after {kills} kills:\n{}", server.log());
        let before = acked.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(100 + random.below(500))).await;
        if acked.load(Ordering::Relaxed) == before {
            continue; // no write got through since the start: wait until one does
        }
        server.signal("KILL").await;
        kills += 1;
        server = serve(&database, &listen).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut sent = Vec::new();
    for client in clients {
        sent.extend(client.await.expect("a client"));
    }
    let history = history(&sent);
    let acknowledged = acked.load(Ordering::Relaxed);
    assert!(acknowledged >= sending.kills(), "only {acknowledged} requests were acknowledged");

    let stored = stored_jobs(&server.api(&key)).await;
    for (external_id, writes) in &history {
        check_job(external_id, stored.get(external_id), writes);
    }
    let unanswered = check_log(&events(&server.api(&key)).await, &sent);
    assert!(stored.keys().all(|id| history.contains_key(id)), "no job that was never sent");
    eprintln!(
        "{sending:?}: {kills} kills, {acknowledged} acknowledged requests of {}, {unanswered} committed without an answer",
        sent.len()
    );
    drop(server);
    check_database(backend, &database).await;
}

backend_tests! {
    async fn kill_9_in_a_loop_loses_no_acknowledged_write_and_leaves_none_partial(backend: Backend) {
        crash_loop(backend, Sending::Bulk).await;
    }

    async fn kill_9_during_concurrent_single_syncs_loses_no_acknowledged_one(backend: Backend) {
        crash_loop(backend, Sending::Single).await;
    }
}
