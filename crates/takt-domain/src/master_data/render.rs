//! Master-data records as JSON: camelCase keys in the entity's field order, references by the
//! name they are given with, decimals with exactly their digits.

use crate::json::decimal_to_json;
use crate::master_data::{EntityKind, FieldValue, Record, rules};
use chrono::SecondsFormat;
use serde_json::{Map, Value, json};

fn value(value: Option<&FieldValue>) -> Value {
    match value {
        None => Value::Null,
        Some(FieldValue::Text(t)) => json!(t),
        Some(FieldValue::Integer(i)) => json!(i),
        Some(FieldValue::Decimal(d)) => decimal_to_json(d),
        Some(FieldValue::Bool(b)) => json!(b),
        Some(FieldValue::Timestamp(t)) => json!(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        Some(FieldValue::Ref { name: Some(name), .. }) => json!(name),
        Some(FieldValue::Ref { id, name: None }) => json!(id),
    }
}

/// One record as the API returns it.
pub fn record(record: &Record) -> Value {
    let spec = record.spec();
    let mut map = Map::new();
    map.insert("id".into(), json!(record.id));
    for (field, stored) in spec.fields.iter().zip(&record.values) {
        if spec.kind == EntityKind::BomVersion && field.name() == "majorVersion" {
            let number = |name| record.get(name).and_then(FieldValue::as_integer).unwrap_or_default();
            map.insert("version".into(), json!(rules::format_version(number("majorVersion"), number("minorVersion"))));
        }
        map.insert(field.name().into(), value(stored.as_ref()));
    }
    if spec.properties {
        let properties: Vec<Value> =
            record.properties.iter().map(|p| json!({"name": p.name, "value": p.value})).collect();
        map.insert("properties".into(), Value::Array(properties));
    }
    if !spec.built_in.is_empty() {
        map.insert("builtIn".into(), json!(record.built_in));
    }
    map.insert("createdAt".into(), json!(record.created_at.to_rfc3339_opts(SecondsFormat::AutoSi, true)));
    map.insert("updatedAt".into(), json!(record.updated_at.to_rfc3339_opts(SecondsFormat::AutoSi, true)));
    Value::Object(map)
}
