//! Reading the whole event log through `GET /api-events`, and tallying what it holds.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::support::{Phase, Server};

/// The most events a page holds.
const PAGE: usize = 1000;

#[derive(Deserialize)]
struct Answer {
    success: bool,
    data: Page,
}

#[derive(Deserialize)]
struct Page {
    events: Vec<Event>,
    next_after: i64,
    has_more: bool,
}

/// The fields of an event the benchmark checks; the rest (`data` above all) is skipped.
#[derive(Deserialize)]
struct Event {
    seq: i64,
    #[serde(rename = "type")]
    event_type: String,
    changes: Option<HashMap<String, IgnoredAny>>,
}

/// What the log held.
#[derive(Default)]
pub struct Tally {
    /// Events of each type.
    pub types: BTreeMap<String, usize>,
    /// `*.updated` events whose `changes` lack `notes`.
    pub updates_without_notes: usize,
    /// Time the client spent decoding pages (inside the phase's wall time, outside latencies).
    pub decoding: Duration,
}

impl Tally {
    pub fn total(&self) -> usize {
        self.types.values().sum()
    }

    /// Events of the types that end in `suffix` (`.created`, `.updated`).
    pub fn ending(&self, suffix: &str) -> usize {
        self.types.iter().filter(|(t, _)| t.ends_with(suffix)).map(|(_, n)| n).sum()
    }
}

/// Pages through the log from the start, `PAGE` events a request; a page's latency runs from
/// sending the request to having its whole body. Checks that `seq` runs from 1 without gaps.
pub async fn read_all(client: &reqwest::Client, server: &Server) -> (Phase, Tally) {
    let mut phase = Phase::new("feed read", "events");
    let mut tally = Tally::default();
    let auth = format!("Bearer {}", server.key);
    let mut after = 0;
    let started = Instant::now();
    loop {
        let sent = Instant::now();
        let response = client
            .get(format!("{}/api-events?after={after}&limit={PAGE}", server.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        phase.latencies.push(sent.elapsed());
        assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&bytes));
        let decoding = Instant::now();
        let answer: Answer = serde_json::from_slice(&bytes).expect("a feed page");
        assert!(answer.success);
        let page = answer.data;
        for event in &page.events {
            assert_eq!(event.seq, after + 1, "seq runs without gaps");
            after = event.seq;
            if event.event_type.ends_with(".updated")
                && !event.changes.as_ref().is_some_and(|c| c.contains_key("notes"))
            {
                tally.updates_without_notes += 1;
            }
            *tally.types.entry(event.event_type.clone()).or_default() += 1;
        }
        assert_eq!(page.next_after, after);
        phase.count += page.events.len();
        tally.decoding += decoding.elapsed();
        if !page.has_more {
            break;
        }
        assert_eq!(page.events.len(), PAGE, "a page before the last is full");
    }
    phase.elapsed = started.elapsed();
    (phase, tally)
}
