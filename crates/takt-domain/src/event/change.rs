//! One record's change, before the log gives it a `seq`.

use serde_json::{Map, Value};

use super::Actor;

/// Fields that every update changes and that events therefore do not list.
const STAMPS: [&str; 4] = ["created_at", "updated_at", "createdAt", "updatedAt"];

/// What one change did to one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The entity in snake_case: `job`, `bom_version`.
    pub entity: String,
    /// What happened: `created`, `updated`, `deleted`, or a status move (`started`).
    pub action: &'static str,
    /// The record's id as text (a UUID, or a master-data integer).
    pub entity_id: String,
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    /// The record after the change (as it was, for a deletion), as the API reads it.
    pub data: Value,
    /// Each field an update changed: `[old, new]`.
    pub changes: Option<Map<String, Value>>,
    /// Who made it, when not the request's actor (`Actor::System` for a derived change).
    pub actor: Option<Actor>,
}

impl Change {
    /// A record that did not exist before.
    pub fn created(entity: impl Into<String>, entity_id: String, data: Value) -> Change {
        Change::new(entity, "created", entity_id, data, None)
    }

    /// A record that changed from `before` to `after`; `None` when no field changed.
    pub fn updated(entity: impl Into<String>, entity_id: String, before: &Value, after: Value) -> Option<Change> {
        let changes = diff(before, &after);
        (!changes.is_empty()).then(|| Change::new(entity, "updated", entity_id, after, Some(changes)))
    }

    /// A record that is gone; `data` is the record as it was.
    pub fn deleted(entity: impl Into<String>, entity_id: String, data: Value) -> Change {
        Change::new(entity, "deleted", entity_id, data, None)
    }

    /// A status move (`started`, `completed`) from `before` to `after`, with what it changed.
    pub fn moved(
        entity: impl Into<String>,
        action: &'static str,
        entity_id: String,
        before: &Value,
        after: Value,
    ) -> Change {
        let changes = diff(before, &after);
        Change::new(entity, action, entity_id, after, Some(changes))
    }

    /// Something else that happened to a record (`webhook.delivery_failed`).
    pub fn happened(entity: impl Into<String>, action: &'static str, entity_id: String, data: Value) -> Change {
        Change::new(entity, action, entity_id, data, None)
    }

    fn new(
        entity: impl Into<String>,
        action: &'static str,
        entity_id: String,
        data: Value,
        changes: Option<Map<String, Value>>,
    ) -> Change {
        let text = |name: &str| data.get(name).and_then(Value::as_str).map(str::to_owned);
        Change {
            entity: entity.into(),
            action,
            external_source: text("external_source"),
            external_id: text("external_id"),
            entity_id,
            data,
            changes,
            actor: None,
        }
    }

    /// The same change, made by Takt itself as a consequence of another.
    pub fn derived(self) -> Change {
        Change { actor: Some(Actor::System), ..self }
    }

    /// `<entity>.<action>`.
    pub fn event_type(&self) -> String {
        format!("{}.{}", self.entity, self.action)
    }
}

/// The top-level fields whose values differ between two records, as `[old, new]` (a field
/// only one side has counts as `null` on the other); time stamps are left out.
pub fn diff(before: &Value, after: &Value) -> Map<String, Value> {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    let names = after.keys().chain(before.keys().filter(|k| !after.contains_key(*k)));
    for name in names {
        if STAMPS.contains(&name.as_str()) {
            continue;
        }
        let old = before.get(name).unwrap_or(&Value::Null);
        let new = after.get(name).unwrap_or(&Value::Null);
        if old != new {
            changes.insert(name.clone(), Value::Array(vec![old.clone(), new.clone()]));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_changed_fields_but_not_stamps() {
        let before = json!({"id": 1, "name": "A", "notes": null, "updated_at": "x"});
        let after = json!({"id": 1, "name": "B", "notes": "n", "updated_at": "y"});
        assert_eq!(Value::Object(diff(&before, &after)), json!({"name": ["A", "B"], "notes": [null, "n"]}));
    }

    #[test]
    fn an_update_that_changes_nothing_is_no_change() {
        let record = json!({"id": 1, "name": "A", "updated_at": "x"});
        let touched = json!({"id": 1, "name": "A", "updated_at": "y"});
        assert_eq!(Change::updated("cell", "1".into(), &record, touched), None);
    }

    #[test]
    fn takes_the_sync_key_from_the_record() {
        let change = Change::created("job", "j".into(), json!({"external_source": "SAP", "external_id": "SO-1"}));
        assert_eq!(change.external_source.as_deref(), Some("SAP"));
        assert_eq!(change.external_id.as_deref(), Some("SO-1"));
        assert_eq!(change.event_type(), "job.created");
    }
}
