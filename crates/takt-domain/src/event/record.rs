//! An event as the log keeps it and the feed answers it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::Actor;

/// One entry of a tenant's event log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Counts from 1 per tenant, without gaps, in commit order.
    pub seq: i64,
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub entity: String,
    pub entity_id: String,
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub actor: Actor,
    pub data: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Map<String, Value>>,
}
