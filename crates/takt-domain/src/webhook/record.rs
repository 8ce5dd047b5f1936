//! Webhooks and their delivery attempts as the API shows them, and the bodies that create and
//! change webhooks.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::url_policy::check_url;
use crate::error::{FieldError, Invalid};
use crate::event::TypePatterns;

/// The longest description.
pub const DESCRIPTION_BYTES: usize = 1000;

/// A webhook as the API shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    /// Event type patterns; a delivery is made for every event that matches one.
    pub events: Vec<String>,
    pub active: bool,
    pub description: Option<String>,
    /// Why Takt switched the webhook off, if it did.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One attempt to deliver one event, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub delivery_id: Uuid,
    pub event_id: Uuid,
    pub seq: i64,
    pub attempt: i64,
    pub attempted_at: DateTime<Utc>,
    /// `succeeded` or `failed`.
    pub status: String,
    pub http_status: Option<i64>,
    pub duration_ms: i64,
    /// Up to 1 KiB of what the receiver answered.
    pub response_body: Option<String>,
    pub error: Option<String>,
}

/// The statuses of an attempt.
pub const ATTEMPT_STATUSES: &[&str] = &["succeeded", "failed"];

/// The fields a create or change gives: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
}

impl WebhookInput {
    /// Parses a create (`url` and `events` or `event_type` required) or a change body; every bad
    /// field is reported at once.
    pub fn parse(body: &Value, create: bool, allow_loopback: bool) -> Result<WebhookInput, Invalid> {
        let Some(object) = body.as_object() else {
            return Err(Invalid::one("body", "must be a JSON object"));
        };
        let mut errors = Vec::new();
        let mut input = WebhookInput::default();
        for (name, value) in object {
            match name.as_str() {
                "url" => match value.as_str() {
                    Some(url) => match check_url(url, allow_loopback) {
                        Ok(url) => input.url = Some(url.as_str().to_owned()),
                        Err(refusal) => errors.push(FieldError::new("url", refusal.to_string())),
                    },
                    None => errors.push(FieldError::new("url", "must be a string")),
                },
                "events" | "event_type" => match patterns(value) {
                    Ok(patterns) => input.events = Some(patterns),
                    Err(message) => errors.push(FieldError::new(name.as_str(), message)),
                },
                "active" => match value.as_bool() {
                    Some(active) => input.active = Some(active),
                    None => errors.push(FieldError::new("active", "must be true or false")),
                },
                "description" => match value {
                    Value::Null => input.description = Some(None),
                    Value::String(text) if text.len() <= DESCRIPTION_BYTES => {
                        input.description = Some(Some(text.clone()));
                    }
                    Value::String(_) => errors
                        .push(FieldError::new("description", format!("must be at most {DESCRIPTION_BYTES} bytes"))),
                    _ => errors.push(FieldError::new("description", "must be a string or null")),
                },
                other => errors.push(FieldError::new(other, "is not a field of a webhook")),
            }
        }
        if object.contains_key("events") && object.contains_key("event_type") {
            errors.push(FieldError::new("event_type", "give events or event_type, not both"));
        }
        if create {
            if !object.contains_key("url") {
                errors.push(FieldError::new("url", "is required"));
            }
            if input.events.is_none() && !errors.iter().any(|e| e.field == "events" || e.field == "event_type") {
                errors.push(FieldError::new("events", "is required (a list of event type patterns, or event_type)"));
            }
        }
        if errors.is_empty() { Ok(input) } else { Err(Invalid(errors)) }
    }
}

/// A list of patterns, or one pattern as a string.
fn patterns(value: &Value) -> Result<Vec<String>, String> {
    let parsed = match value {
        Value::String(one) => TypePatterns::from_items([one.as_str()]),
        Value::Array(items) => {
            let texts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            let texts = texts.ok_or_else(|| "must be a list of event type patterns".to_owned())?;
            if texts.is_empty() {
                return Err("must name at least one event type pattern".to_owned());
            }
            TypePatterns::from_items(texts)
        }
        _ => return Err("must be a list of event type patterns".to_owned()),
    };
    parsed.map(|p| p.as_slice().iter().map(|p| p.as_str().to_owned()).collect()).map_err(|e| e.to_string())
}

/// A webhook's JSON with its secret, as a create or a rotation answers it (the only times the
/// secret is shown).
pub fn with_secret(webhook: &Webhook, secret: &str) -> Value {
    let mut map = match serde_json::to_value(webhook) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    map.insert("secret".to_owned(), Value::String(secret.to_owned()));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_create_needs_a_url_and_patterns() {
        let invalid = WebhookInput::parse(&json!({}), true, false).unwrap_err();
        let fields: Vec<&str> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["url", "events"]);
    }

    #[test]
    fn takes_one_event_type_or_a_list() {
        let one = WebhookInput::parse(&json!({"url": "https://a.example/h", "event_type": "job.*"}), true, false);
        assert_eq!(one.unwrap().events, Some(vec!["job.*".to_owned()]));
        let many = WebhookInput::parse(&json!({"events": ["job.*", "part.created"]}), false, false).unwrap();
        assert_eq!(many.events.unwrap().len(), 2);
        assert!(WebhookInput::parse(&json!({"events": []}), false, false).is_err());
    }

    #[test]
    fn refuses_loopback_unless_allowed() {
        let body = json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]});
        assert!(WebhookInput::parse(&body, true, false).is_err());
        assert!(WebhookInput::parse(&body, true, true).is_ok());
    }
}
