//! Group commit, seen from outside: concurrent single syncs that share a transaction behave as if
//! each had its own. A bad one among them (an unknown cell, or a taken job number that the
//! database refuses, which on PostgreSQL aborts the transaction up to the bad write's savepoint)
//! fails alone and leaves nothing;
//! every good one is stored whole with its events, one request's events next to each other.

use std::collections::HashMap;

use futures::future::join_all;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::events::fixtures::{all_events, seqs};
use crate::support::TestApp;
use crate::tooling::prometheus::Exposition;

const AT_ONCE: usize = 64;
const ROUNDS: usize = 3;

/// Whether request `n` of a round is one of the bad ones: every eighth.
fn is_bad(n: usize) -> bool {
    n % 8 == 7
}

/// Job `n` of `round`: two parts of two operations each; a bad one fails on its last operation
/// (an unknown cell) or on its job number (another job's).
fn job_body(round: usize, n: usize) -> Value {
    let id = format!("GC-{round}-{n}");
    let bad = is_bad(n);
    let unknown_cell = bad && (n / 8).is_multiple_of(2);
    let parts: Vec<Value> = (0..2)
        .map(|p| {
            let operations: Vec<Value> = (0..2)
                .map(|o| {
                    let cell = if unknown_cell && p == 1 && o == 1 { "Nowhere" } else { "Cutting" };
                    json!({"external_id": format!("{id}-P{p}-O{o}"), "operation_name": "Cut", "cell_name": cell,
                           "sequence": o})
                })
                .collect();
            json!({"external_id": format!("{id}-P{p}"), "part_number": format!("{id}-P{p}"), "operations": operations})
        })
        .collect();
    let job_number = if bad && !unknown_cell { "JN-TAKEN".to_owned() } else { format!("JN-{id}") };
    json!({"external_id": id, "external_source": SOURCE, "job_number": job_number, "parts": parts})
}

backend_tests! {
    async fn sixty_four_single_syncs_at_once_each_succeed_or_fail_alone(app: TestApp) {
        cell(&app, "C-1", "Cutting").await;
        job(&app, "TAKEN", "JN-TAKEN").await;
        for round in 0..ROUNDS {
            let answers = join_all((0..AT_ONCE).map(|n| sync(&app, "jobs", job_body(round, n)))).await;
            for (n, answer) in answers.iter().enumerate() {
                if is_bad(n) {
                    assert!(matches!(answer.status, 404 | 409), "request {n} fails alone: {} {}", answer.status, answer.body);
                    assert!(answer.body["error"]["code"].is_string(), "in the envelope: {}", answer.body);
                } else {
                    assert_eq!(answer.status, 201, "request {n}: {}", answer.body);
                    let job = app.get(&format!("/api-jobs/{}", id_of(&answer.body))).await;
                    let parts = job.body["data"]["parts"].as_array().expect("parts");
                    let operations: Vec<usize> = parts.iter().map(|p| p["operations"].as_array().unwrap().len()).collect();
                    assert_eq!(operations, [2, 2], "job {n} is whole: {}", job.body);
                }
            }
            for n in (0..AT_ONCE).filter(|&n| is_bad(n)) {
                for (entity, external_id) in [("jobs", format!("GC-{round}-{n}")), ("parts", format!("GC-{round}-{n}-P0")),
                                              ("operations", format!("GC-{round}-{n}-P0-O0"))] {
                    let (records, _) = list(&app, entity, &format!("?external_id={external_id}")).await;
                    assert!(records.is_empty(), "nothing of bad request {n} is kept: {records:?}");
                }
            }
        }

        let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        let metrics = Exposition::parse(&metrics);
        let (writes, commits) =
            (metrics.get("takt_db_grouped_writes_total", &[]), metrics.get("takt_db_group_commits_total", &[]));
        let good = (0..AT_ONCE).filter(|&n| !is_bad(n)).count() * ROUNDS;
        assert!(writes >= good as f64, "every good write is counted: {writes}");
        assert!((1.0..=writes).contains(&commits), "{commits} commits for {writes} writes");
        eprintln!("{writes} grouped writes in {commits} commits");

        let events = all_events(&app).await;
        let seqs = seqs(&events);
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "one gapless sequence");
        let mut by_request: HashMap<String, Vec<i64>> = HashMap::new();
        for (event, seq) in events.iter().zip(&seqs) {
            let external_id = event["external_id"].as_str().unwrap_or_default();
            if let Some(rest) = external_id.strip_prefix("GC-") {
                let request: String = rest.splitn(3, '-').take(2).collect::<Vec<_>>().join("-");
                by_request.entry(request).or_default().push(*seq);
            }
        }
        for round in 0..ROUNDS {
            for n in 0..AT_ONCE {
                let seqs = by_request.remove(&format!("{round}-{n}")).unwrap_or_default();
                if is_bad(n) {
                    assert_eq!(seqs, [] as [i64; 0], "no events of bad request {round}-{n}");
                } else {
                    assert_eq!(seqs.len(), 7, "a job, two parts, four operations: {seqs:?}");
                    assert_eq!(seqs[6] - seqs[0], 6, "request {round}-{n}'s events follow each other: {seqs:?}");
                }
            }
        }
    }
}
