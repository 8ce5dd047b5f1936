//! Concurrent writers and a reader paging the feed at the same time: the reader sees every event
//! exactly once, seqs contiguous from 1, one event per changed record; also with two instances
//! on one PostgreSQL sharing the writers. Outcomes only, never timings.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::events::fixtures::*;
use crate::support::{Backend, TestApp, test_config};

const WRITERS: usize = 16;

/// Writer `w`'s requests, through `app`; how many records they changed.
async fn write(app: &TestApp, w: usize) -> usize {
    match w % 4 {
        // Single syncs: four new cells, an unchanged re-sync, one change.
        0 => {
            for i in 0..4 {
                create(app, "cells", cell(&format!("W{w}-C{i}"), &format!("W{w} cell {i}"))).await;
            }
            update(app, "cells", cell(&format!("W{w}-C0"), &format!("W{w} cell 0"))).await;
            update(app, "cells", with(cell(&format!("W{w}-C1"), &format!("W{w} cell 1")), &[("sequence", json!(w))]))
                .await;
            5
        }
        // Two nested jobs of six records each, one synced again unchanged.
        1 => {
            for i in 0..2 {
                create(app, "jobs", nested_job(w * 10 + i)).await;
            }
            update(app, "jobs", nested_job(w * 10)).await;
            12
        }
        // A bulk of ten cells, one of them bad.
        2 => {
            let mut cells: Vec<Value> =
                (0..10).map(|i| cell(&format!("W{w}-B{i}"), &format!("W{w} bulk {i}"))).collect();
            cells[4] = json!({"external_id": format!("W{w}-BAD"), "external_source": SOURCE});
            let response = app.post("/api-cells/bulk-sync", json!({ "cells": cells })).await;
            let data = &response.expect(200)["data"];
            assert_eq!((&data["created"], &data["errors"]), (&json!(9), &json!(1)), "{data}");
            9
        }
        // A bulk of three nested jobs and a resource.
        _ => {
            let jobs: Vec<Value> = (0..3).map(|i| nested_job(w * 10 + i)).collect();
            let response = app.post("/api-jobs/bulk-sync", json!({ "jobs": jobs })).await;
            let data = &response.expect(200)["data"];
            assert_eq!((&data["created"], &data["errors"]), (&json!(3), &json!(0)), "{data}");
            let resource =
                json!({"external_id": format!("W{w}-R"), "external_source": SOURCE, "name": format!("W{w} mill")});
            create(app, "resources", resource).await;
            19
        }
    }
}

/// Runs the writers spread over `apps` while a reader pages the feed through them in turn with
/// `limit=7`; checks what the reader saw.
async fn writers_and_a_reader(apps: &[&TestApp]) {
    cells_for_jobs(apps[0]).await;
    let setup = 2;
    let done = AtomicBool::new(false);
    let writers = async {
        let counts = join_all((0..WRITERS).map(|w| write(apps[w % apps.len()], w))).await;
        done.store(true, Ordering::SeqCst);
        counts
    };
    let reader = async {
        let mut seen: Vec<Value> = Vec::new();
        let mut cursor = 0;
        for round in 0.. {
            let finished = done.load(Ordering::SeqCst);
            let app = apps[round % apps.len()];
            let (events, next_after, has_more) = page_of(app, &app.key, &format!("?after={cursor}&limit=7")).await;
            assert!(events.len() <= 7);
            for (n, event) in events.iter().enumerate() {
                assert_eq!(
                    event["seq"],
                    json!(cursor + 1 + n as i64),
                    "the reader never misses an event: after {cursor} came {:?}",
                    seqs(&events)
                );
            }
            if let Some(last) = events.last() {
                assert_eq!(next_after, last["seq"].as_i64().unwrap());
            } else {
                assert_eq!(next_after, cursor);
            }
            cursor = next_after;
            let empty = events.is_empty();
            seen.extend(events);
            if finished && empty && !has_more {
                break;
            }
            if empty {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        seen
    };
    let (counts, seen) = tokio::join!(writers, reader);
    let expected: usize = setup + counts.iter().sum::<usize>();
    assert_eq!(seqs(&seen), (1..=expected as i64).collect::<Vec<_>>(), "every event once, 1..N");
    let ids: BTreeSet<&str> = seen.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), expected, "every event has its own id");

    // Each record created once; each key wrote what its writers changed.
    let mut created: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut by_actor: BTreeMap<String, usize> = BTreeMap::new();
    for event in &seen {
        check_event_of_any(event, apps);
        if event["type"].as_str().unwrap().ends_with(".created") {
            let entity = event["entity"].as_str().unwrap();
            assert!(created.entry(entity).or_default().insert(event["entity_id"].as_str().unwrap()), "{event}");
        }
        *by_actor.entry(event["actor"]["id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let mut expected_by_actor: BTreeMap<String, usize> = BTreeMap::new();
    *expected_by_actor.entry(prefix(&apps[0].key).to_owned()).or_default() += setup;
    for (w, count) in counts.iter().enumerate() {
        *expected_by_actor.entry(prefix(&apps[w % apps.len()].key).to_owned()).or_default() += count;
    }
    assert_eq!(by_actor, expected_by_actor);
    for (path, entity) in ERP {
        let listed = apps[0].get(&format!("/api-{path}?limit=1000")).await.expect(200)["data"][path].clone();
        let listed: BTreeSet<&str> = listed.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(created.get(entity).cloned().unwrap_or_default(), listed, "one {entity}.created per {entity}");
    }
    // The feed read afterwards in one go is what the reader saw.
    assert_eq!(all_events(apps[0]).await, seen);
}

/// [`check_event`] for an event written with the key of one of `apps`.
fn check_event_of_any(event: &Value, apps: &[&TestApp]) {
    let app = apps.iter().find(|a| event["actor"]["id"] == prefix(&a.key)).unwrap_or_else(|| panic!("actor {event}"));
    check_event(event, &app.key);
}

backend_tests! {
    async fn sixteen_writers_and_a_paging_reader_see_every_event_once(app: TestApp) {
        writers_and_a_reader(&[&app]).await;
    }

    async fn two_instances_share_the_writers_and_one_log(backend: Backend) {
        if backend == Backend::Sqlite {
            return; // A SQLite database belongs to one process.
        }
        let a = TestApp::spawn(backend).await;
        let b = TestApp::serve(backend, a.database.clone(), tempfile::tempdir().unwrap(), test_config()).await;
        writers_and_a_reader(&[&a, &b]).await;
    }
}
