//! Helpers shared by the event scenarios: the feed read page by page, the shape every event has,
//! a small Server-Sent Events reader, and records to write.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Map, Value, json};
use takt_http::Config;
use tokio::time::Instant;

use crate::support::{Response, TestApp, test_config};

/// The external_source of every ERP fixture.
pub const SOURCE: &str = "SAP";

/// The ERP entities: their paths and the names events give them.
pub const ERP: [(&str, &str); 5] =
    [("cells", "cell"), ("resources", "resource"), ("jobs", "job"), ("parts", "part"), ("operations", "operation")];

/// How long a scenario waits for something that should happen within a second.
pub const PATIENCE: Duration = Duration::from_secs(3);

/// A configuration with the event log's settings; the rest as [`test_config`].
pub fn events_config(event_retention: Duration, stream_keep_alive: Duration) -> Config {
    Config { event_retention, stream_keep_alive, ..test_config() }
}

/// The retention the scenarios that do not test it use (the default).
pub const THIRTY_DAYS: Duration = Duration::from_secs(30 * 24 * 3600);

// ---------------------------------------------------------------------------------------------
// The feed
// ---------------------------------------------------------------------------------------------

/// `GET /api-events{query}` with the `acme` key.
pub async fn feed(app: &TestApp, query: &str) -> Response {
    app.get(&format!("/api-events{query}")).await
}

/// `GET /api-events{query}` with `key`.
pub async fn feed_as(app: &TestApp, key: &str, query: &str) -> Response {
    app.call(Method::GET, &format!("/api-events{query}")).key(key).send().await
}

/// One page of the feed, its envelope checked: `(events, next_after, has_more)`.
#[track_caller]
pub fn page(response: &Response) -> (Vec<Value>, i64, bool) {
    let body = response.expect(200);
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(keys(&body["data"]), ["events", "next_after", "has_more"], "{body}");
    let events = body["data"]["events"].as_array().unwrap_or_else(|| panic!("no events in {body}")).clone();
    let next_after = body["data"]["next_after"].as_i64().unwrap_or_else(|| panic!("no next_after in {body}"));
    let has_more = body["data"]["has_more"].as_bool().unwrap_or_else(|| panic!("no has_more in {body}"));
    (events, next_after, has_more)
}

/// The events of one page of `key`'s feed.
pub async fn page_of(app: &TestApp, key: &str, query: &str) -> (Vec<Value>, i64, bool) {
    page(&feed_as(app, key, query).await)
}

/// Every event of `key`'s tenant after `after` matching `filters` (`&type=...`), page by page.
pub async fn all_after(app: &TestApp, key: &str, after: i64, filters: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor = after;
    loop {
        let (page, next_after, has_more) = page_of(app, key, &format!("?after={cursor}&limit=1000{filters}")).await;
        events.extend(page);
        assert!(next_after >= cursor, "next_after went back from {cursor} to {next_after}");
        cursor = next_after;
        if !has_more {
            return events;
        }
    }
}

/// Every event of the `acme` tenant.
pub async fn all_events(app: &TestApp) -> Vec<Value> {
    all_after(app, &app.key, 0, "").await
}

/// The seqs of events.
pub fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["seq"].as_i64().unwrap_or_else(|| panic!("no seq in {e}"))).collect()
}

/// The types of events.
pub fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap_or_else(|| panic!("no type in {e}"))).collect()
}

/// The entity ids of events.
pub fn entity_ids(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["entity_id"].as_str().unwrap_or_else(|| panic!("no entity_id in {e}"))).collect()
}

/// Follows the `acme` feed: each [`Log::new_events`] answers what was appended since the last.
pub struct Log {
    pub cursor: i64,
}

impl Log {
    /// Starts at the end of the feed as it is now.
    pub async fn start(app: &TestApp) -> Log {
        let events = all_events(app).await;
        Log { cursor: events.last().map_or(0, |e| e["seq"].as_i64().unwrap()) }
    }

    /// The events appended since the last call, each checked with [`check_event`]; their seqs
    /// follow on from the last one seen.
    pub async fn new_events(&mut self, app: &TestApp) -> Vec<Value> {
        let events = all_after(app, &app.key, self.cursor, "").await;
        for (n, event) in events.iter().enumerate() {
            check_event(event, &app.key);
            assert_eq!(event["seq"], json!(self.cursor + 1 + n as i64), "no gaps: {events:#?}");
        }
        if let Some(last) = events.last() {
            self.cursor = last["seq"].as_i64().unwrap();
        }
        events
    }

    /// Asserts that nothing was appended since the last call.
    pub async fn expect_nothing(&mut self, app: &TestApp, context: &str) {
        let events = self.new_events(app).await;
        assert!(events.is_empty(), "{context}: no event expected, got {events:#?}");
    }

    /// Asserts that exactly one event was appended since the last call, of `kind`; returns it.
    pub async fn expect_one(&mut self, app: &TestApp, kind: &str) -> Value {
        let events = self.new_events(app).await;
        assert_eq!(types(&events), [kind], "{events:#?}");
        events[0].clone()
    }
}

// ---------------------------------------------------------------------------------------------
// The shape of an event
// ---------------------------------------------------------------------------------------------

/// The keys of a JSON object, in order.
pub fn keys(value: &Value) -> Vec<&str> {
    value.as_object().map(|m: &Map<String, Value>| m.keys().map(String::as_str).collect()).unwrap_or_default()
}

/// The lookup prefix events name a key by: `ery_live_` and 12 hex digits.
pub fn prefix(key: &str) -> &str {
    &key[..21]
}

/// Asserts what every event of a write through the API with `key` is: its keys in order, a
/// positive seq, a UUID, `<entity>.<action>`, an RFC 3339 UTC time, the key as actor, and
/// `changes` on updates only.
#[track_caller]
pub fn check_event(event: &Value, key: &str) {
    let kind = event["type"].as_str().unwrap_or_else(|| panic!("no type in {event}"));
    let (entity, action) = kind.split_once('.').unwrap_or_else(|| panic!("type {kind} is <entity>.<action>"));
    let mut expected_keys = vec![
        "seq",
        "id",
        "type",
        "occurred_at",
        "entity",
        "entity_id",
        "external_source",
        "external_id",
        "actor",
        "data",
    ];
    if action == "updated" {
        expected_keys.push("changes");
    }
    assert_eq!(keys(event), expected_keys, "{event}");
    assert!(event["seq"].as_i64().is_some_and(|s| s >= 1), "{event}");
    assert!(uuid::Uuid::try_parse(event["id"].as_str().unwrap_or("")).is_ok(), "id is a UUID: {event}");
    assert!(matches!(action, "created" | "updated" | "deleted"), "{event}");
    assert_eq!(event["entity"], entity, "{event}");
    let occurred_at = event["occurred_at"].as_str().unwrap_or_else(|| panic!("no occurred_at in {event}"));
    let time = chrono::DateTime::parse_from_rfc3339(occurred_at).unwrap_or_else(|e| panic!("{occurred_at}: {e}"));
    assert_eq!(time.offset().local_minus_utc(), 0, "occurred_at is UTC: {occurred_at}");
    assert!(event["entity_id"].is_string(), "{event}");
    assert_eq!(event["actor"], json!({"kind": "api_key", "id": prefix(key)}), "{event}");
    assert!(event["data"].is_object(), "{event}");
    if action == "updated" {
        let changes = event["changes"].as_object().unwrap_or_else(|| panic!("changes is an object: {event}"));
        assert!(!changes.is_empty(), "an update changes something: {event}");
        for (field, change) in changes {
            assert!(
                !matches!(field.as_str(), "updated_at" | "created_at" | "updatedAt" | "createdAt"),
                "stamps are not changes: {event}"
            );
            let pair = change.as_array().unwrap_or_else(|| panic!("{field}: [old, new] in {event}"));
            assert_eq!(pair.len(), 2, "{field}: [old, new] in {event}");
            assert_ne!(pair[0], pair[1], "{field} did change: {event}");
            assert_eq!(pair[1], event["data"][field], "{field}'s new value is the one in data: {event}");
        }
    }
    let master = event["entity_id"].as_str().is_some_and(|id| id.parse::<i64>().is_ok());
    if master {
        assert_eq!(event["external_source"], Value::Null, "{event}");
        assert_eq!(event["external_id"], Value::Null, "{event}");
        assert_eq!(event["entity_id"], json!(event["data"]["id"].to_string()), "{event}");
    } else {
        assert!(uuid::Uuid::try_parse(event["entity_id"].as_str().unwrap()).is_ok(), "{event}");
        assert_eq!(event["entity_id"], event["data"]["id"], "{event}");
        assert_eq!(event["external_source"], event["data"]["external_source"], "{event}");
        assert_eq!(event["external_id"], event["data"]["external_id"], "{event}");
    }
}

/// The fields whose values differ between two versions of a record, as `changes` names them:
/// `{field: [old, new]}`, the stamps left out.
pub fn diff(before: &Value, after: &Value) -> Value {
    let (before, after) = (before.as_object().unwrap(), after.as_object().unwrap());
    let mut changes = Map::new();
    for (field, new) in after {
        if matches!(field.as_str(), "updated_at" | "created_at" | "updatedAt" | "createdAt") {
            continue;
        }
        let old = before.get(field).cloned().unwrap_or(Value::Null);
        if &old != new {
            changes.insert(field.clone(), json!([old, new]));
        }
    }
    Value::Object(changes)
}

// ---------------------------------------------------------------------------------------------
// ERP records
// ---------------------------------------------------------------------------------------------

/// The Takt id a sync answered with.
#[track_caller]
pub fn id_of(response: &Response) -> String {
    response.body["data"]["id"].as_str().unwrap_or_else(|| panic!("no id in {}", response.body)).to_owned()
}

/// `PUT /api-{entity}/sync` with `app`'s key.
pub async fn sync(app: &TestApp, entity: &str, body: Value) -> Response {
    app.put(&format!("/api-{entity}/sync"), body).await
}

/// Syncs with `key`, asserting `status` (201 or 200); the id.
pub async fn sync_as(app: &TestApp, key: &str, entity: &str, body: Value, status: u16) -> String {
    let response = app.call(Method::PUT, &format!("/api-{entity}/sync")).key(key).json(body).send().await;
    response.expect(status);
    id_of(&response)
}

/// Syncs a new record, asserting `201 created`; its id.
pub async fn create(app: &TestApp, entity: &str, body: Value) -> String {
    let response = sync(app, entity, body).await;
    assert_eq!(response.expect(201)["data"]["action"], "created");
    id_of(&response)
}

/// Syncs an existing record, asserting `200 updated`; its id.
pub async fn update(app: &TestApp, entity: &str, body: Value) -> String {
    let response = sync(app, entity, body).await;
    assert_eq!(response.expect(200)["data"]["action"], "updated");
    id_of(&response)
}

/// `GET /api-{entity}/{id}`, without the nested `parts`/`operations`: what an event's `data` is.
pub async fn read(app: &TestApp, entity: &str, id: &str) -> Value {
    let mut record = app.get(&format!("/api-{entity}/{id}")).await.expect(200)["data"].clone();
    let map = record.as_object_mut().unwrap();
    map.shift_remove("parts");
    map.shift_remove("operations");
    record
}

/// `GET /api-jobs/{id}` as it is, with its parts and operations.
pub async fn read_job(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api-jobs/{id}")).await.expect(200)["data"].clone()
}

pub fn cell(external_id: &str, name: &str) -> Value {
    json!({"external_id": external_id, "external_source": SOURCE, "name": name})
}

pub fn job(external_id: &str, job_number: &str) -> Value {
    json!({"external_id": external_id, "external_source": SOURCE, "job_number": job_number})
}

/// A job with two parts, the first with two operations, the second with one, in cells
/// `Cutting` and `Bending`.
pub fn nested_job(n: usize) -> Value {
    json!({
        "external_id": format!("SO-{n}"), "external_source": SOURCE, "job_number": format!("JOB-{n}"),
        "customer": "Acme Corp",
        "parts": [
            {"external_id": format!("SO-{n}-10"), "part_number": "BRACKET-A", "quantity": 25, "operations": [
                {"external_id": format!("SO-{n}-10-010"), "operation_name": "Laser Cut", "cell_name": "Cutting",
                 "sequence": 1},
                {"external_id": format!("SO-{n}-10-020"), "operation_name": "Bend", "cell_name": "Bending",
                 "sequence": 2}
            ]},
            {"external_id": format!("SO-{n}-20"), "part_number": "BRACKET-B", "operations": [
                {"external_id": format!("SO-{n}-20-010"), "operation_name": "Laser Cut", "cell_name": "Cutting",
                 "sequence": 1}
            ]}
        ]
    })
}

/// The cells [`nested_job`] names.
pub async fn cells_for_jobs(app: &TestApp) {
    create(app, "cells", cell("WC-CUT", "Cutting")).await;
    create(app, "cells", cell("WC-BEND", "Bending")).await;
}

pub use crate::erp::fixtures::valid;

/// Cell `Cutting` (`C-1`), job `J-1`, part `P-1` under it: the parents [`valid`] names.
pub async fn parents(app: &TestApp) {
    create(app, "cells", cell("C-1", "Cutting")).await;
    create(app, "jobs", job("J-1", "JOB-1")).await;
    create(
        app,
        "parts",
        json!({"external_id": "P-1", "external_source": SOURCE, "job_external_id": "J-1", "part_number": "PN-1"}),
    )
    .await;
}

/// `body` with the given fields set.
pub fn with(mut body: Value, changes: &[(&str, Value)]) -> Value {
    let map = body.as_object_mut().expect("an object");
    for (field, value) in changes {
        map.insert((*field).to_owned(), value.clone());
    }
    body
}

// ---------------------------------------------------------------------------------------------
// Master data
// ---------------------------------------------------------------------------------------------

/// `PUT /api/{entity}/Upsert`.
pub async fn upsert(app: &TestApp, entity: &str, body: Value) -> Response {
    app.put(&format!("/api/{entity}/Upsert"), body).await
}

/// Creates a master-data record, asserting `201`; the record.
pub async fn master_create(app: &TestApp, entity: &str, body: Value) -> Value {
    upsert(app, entity, body).await.expect(201).clone()
}

/// Updates a master-data record, asserting `200`; the record.
pub async fn master_update(app: &TestApp, entity: &str, body: Value) -> Value {
    upsert(app, entity, body).await.expect(200).clone()
}

/// `DELETE /api/{entity}/Delete`.
pub async fn master_delete(app: &TestApp, entity: &str, id: i64) -> Response {
    app.delete(&format!("/api/{entity}/Delete"), json!({ "id": id })).await
}

/// A master-data record's integer id.
pub fn mid(record: &Value) -> i64 {
    record["id"].as_i64().unwrap_or_else(|| panic!("a record with an integer id: {record}"))
}

/// The snake_case entity name events give a master-data path entity (`BomVersion` → `bom_version`).
pub fn snake(entity: &str) -> String {
    let mut name = String::new();
    for (i, c) in entity.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}

/// A product body with every mandatory field, on the reference data of [`REFERENCE_DATA`].
pub fn product_body(name: &str) -> Value {
    json!({
        "productType": "Sheet Metal", "name": name, "version": "A", "defaultOwnership": "Internal",
        "defaultCostPerUnit": 12.5, "defaultCurrency": "EUR", "baseUnit": "pcs", "receiptProfile": "Standard",
        "defaultBatchSize": 10, "inventoryDecimalPlaces": 0, "location": "MAIN", "isActive": true,
        "isPlanningConstraint": false
    })
}

pub use crate::master::fixtures::REFERENCE_DATA;

// ---------------------------------------------------------------------------------------------
// Server-Sent Events
// ---------------------------------------------------------------------------------------------

/// What a stream sends: an event, or a comment line.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Event { id: Option<String>, event: Option<String>, data: Vec<String> },
    Comment(String),
}

impl Item {
    /// The event's JSON, checked to be on one `data:` line, with `id:` its seq and `event:` its
    /// type.
    #[track_caller]
    pub fn json(&self) -> Value {
        let Item::Event { id, event, data } = self else { panic!("an event, not {self:?}") };
        assert_eq!(data.len(), 1, "one data line: {self:?}");
        let value: Value = serde_json::from_str(&data[0]).unwrap_or_else(|e| panic!("{e}: {}", data[0]));
        assert_eq!(id.as_deref(), Some(value["seq"].to_string().as_str()), "id: is the seq: {self:?}");
        assert_eq!(event.as_deref(), value["type"].as_str(), "event: is the type: {self:?}");
        value
    }
}

/// An open `GET /api-events/stream`, read as it comes.
pub struct Stream {
    response: reqwest::Response,
    buffer: Vec<u8>,
    /// The lines of the event being read.
    pending: Option<(Option<String>, Option<String>, Vec<String>)>,
    items: std::collections::VecDeque<Item>,
}

/// Opens `GET /api-events/stream{query}` with `key` and extra `headers`, asserting a `200`
/// `text/event-stream`.
pub async fn open_stream(app: &TestApp, key: &str, query: &str, headers: &[(&str, &str)]) -> Stream {
    let mut request = app
        .client
        .get(app.url(&format!("/api-events/stream{query}")))
        .header("authorization", format!("Bearer {key}"))
        .header("accept", "text/event-stream");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    if status != 200 {
        let answer = Response::read(response).await;
        panic!("GET /api-events/stream{query}: expected 200 text/event-stream, got {status}: {}", answer.body);
    }
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(content_type.starts_with("text/event-stream"), "content-type {content_type}");
    Stream { response, buffer: Vec::new(), pending: None, items: Default::default() }
}

impl Stream {
    /// The next item, or `None` if nothing came before `deadline` (or the stream ended).
    pub async fn next_before(&mut self, deadline: Instant) -> Option<Item> {
        loop {
            if let Some(item) = self.items.pop_front() {
                return Some(item);
            }
            let chunk = match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return None,
                Ok(Err(e)) => panic!("the stream broke: {e}"),
                Ok(Ok(None)) => return None,
                Ok(Ok(Some(chunk))) => chunk,
            };
            self.buffer.extend_from_slice(&chunk);
            while let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                let line = String::from_utf8(line).expect("UTF-8");
                self.line(line.trim_end_matches('\n').trim_end_matches('\r'));
            }
        }
    }

    fn line(&mut self, line: &str) {
        if line.is_empty() {
            if let Some((id, event, data)) = self.pending.take() {
                self.items.push_back(Item::Event { id, event, data });
            }
            return;
        }
        if let Some(comment) = line.strip_prefix(':') {
            self.items.push_back(Item::Comment(comment.to_owned()));
            return;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
        let pending = self.pending.get_or_insert((None, None, Vec::new()));
        match field {
            "id" => pending.0 = Some(value),
            "event" => pending.1 = Some(value),
            "data" => pending.2.push(value),
            _ => {}
        }
    }

    /// The next event (comments skipped) before `deadline`.
    pub async fn next_event_before(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            match self.next_before(deadline).await? {
                Item::Comment(_) => continue,
                event => return Some(event.json()),
            }
        }
    }

    /// The next `n` events, each within [`PATIENCE`] of the last.
    pub async fn events(&mut self, n: usize) -> Vec<Value> {
        let mut events = Vec::new();
        while events.len() < n {
            match self.next_event_before(Instant::now() + PATIENCE).await {
                Some(event) => events.push(event),
                None => panic!("{} events of {n} came on the stream: {events:#?}", events.len()),
            }
        }
        events
    }

    /// Asserts that no event comes before `deadline` (comments may).
    pub async fn expect_quiet_until(&mut self, deadline: Instant) {
        if let Some(event) = self.next_event_before(deadline).await {
            panic!("no event expected, got {event}");
        }
    }
}
