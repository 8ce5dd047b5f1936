//! `PATCH /api-{entity}?id=`: the fields given, over the record as it is stored. The result is
//! a sync body, read and written like any sync, so that every rule of a sync holds for an update.

use serde_json::{Map, Value};

use super::ErpEntity;
use crate::error::{FieldError, Invalid};

/// The fields of a stored record that a sync body does not repeat: nested children, and the
/// names that another field (kept by id) stands in for.
const NOT_REPEATED: &[&str] =
    &["parts", "operations", "job_external_id", "part_external_id", "cell_name", "estimated_time"];

/// The sync body that updates `stored` (the record as answered) with the fields of `body`: a
/// field left out keeps its value, `null` clears an optional one. The sync key cannot change,
/// and children are not written by an update.
pub fn merged(entity: ErpEntity, stored: &Value, body: &Value) -> Result<Value, Invalid> {
    let Value::Object(given) = body else { return Err(Invalid::one("", "body must be a JSON object")) };
    let mut errors = Vec::new();
    for (key, value) in given {
        match key.as_str() {
            "external_id" | "external_source" if Some(value) != stored.get(key) => errors.push(FieldError::new(
                key.as_str(),
                "is part of the sync key and cannot change (create or sync another record instead)",
            )),
            "parts" | "operations" => errors.push(FieldError::new(
                key.as_str(),
                "is not written by an update (create or sync the children on their own)",
            )),
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(Invalid(errors));
    }
    let gives = |names: &[&str]| names.iter().any(|n| given.contains_key(*n));
    let mut replaced: Vec<&str> = Vec::new();
    if gives(&["job_external_id", "job_id"]) {
        replaced.push("job_id");
    }
    if gives(&["part_external_id", "part_id"]) {
        replaced.push("part_id");
    }
    if gives(&["cell_name", "cell_id"]) {
        replaced.push("cell_id");
    }
    if gives(&["estimated_time", "estimated_time_minutes"]) {
        replaced.push("estimated_time_minutes");
    }
    let mut out = Map::new();
    for field in entity.fields() {
        let name = field.name;
        if NOT_REPEATED.contains(&name) || replaced.contains(&name) {
            continue;
        }
        if let Some(value) = stored.get(name) {
            out.insert(name.to_owned(), value.clone());
        }
    }
    for (key, value) in given {
        out.insert(key.clone(), value.clone());
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn given_fields_win_and_the_rest_is_kept() {
        let stored = json!({"id": "x", "external_id": "O", "external_source": "SAP", "part_id": "p",
                            "part_external_id": "P", "cell_id": "c", "cell_name": "Saw", "operation_name": "Cut",
                            "estimated_time_minutes": 5, "estimated_time": 5, "notes": "n", "status": "not_started"});
        let body = json!({"cell_name": "Mill", "notes": null});
        let merged = merged(ErpEntity::Operation, &stored, &body).unwrap();
        assert_eq!(
            merged,
            json!({"external_id": "O", "external_source": "SAP", "part_id": "p", "operation_name": "Cut",
                   "estimated_time_minutes": 5, "notes": null, "status": "not_started", "cell_name": "Mill"})
        );
        let moved = merged_err(json!({"external_id": "O-2", "operations": []}));
        assert_eq!(moved, ["external_id", "operations"]);
    }

    fn merged_err(body: Value) -> Vec<String> {
        let stored = json!({"external_id": "O", "external_source": "SAP"});
        merged(ErpEntity::Part, &stored, &body).unwrap_err().0.into_iter().map(|e| e.field).collect()
    }
}
