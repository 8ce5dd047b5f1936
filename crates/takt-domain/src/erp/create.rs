//! Records made without an ERP (`POST /api-{entity}`): the sync key may be left out.

use std::collections::HashSet;

use serde_json::{Map, Value};
use uuid::Uuid;

use super::ErpEntity;

/// The `external_source` of a record created without one.
pub const TAKT_SOURCE: &str = "takt";

/// Fills in, in place, what a create may leave out of a body that is then read as a sync: a
/// record (or nested child) without `external_id` gets a new id as its `external_id`, and the
/// store gives the record that id; a top-level record without `external_source` gets `takt`
/// (nested children default to their parent's, as in a sync); an operation that names no cell
/// has none yet (`cell_id: null`). Answers the ids made.
pub fn fill_keys(entity: ErpEntity, body: &mut Value, new_id: &mut dyn FnMut() -> Uuid) -> HashSet<Uuid> {
    let mut ids = HashSet::new();
    fill(entity, body, true, new_id, &mut ids);
    ids
}

fn fill(entity: ErpEntity, value: &mut Value, top: bool, new_id: &mut dyn FnMut() -> Uuid, ids: &mut HashSet<Uuid>) {
    let Value::Object(record) = value else { return };
    if absent(record, "external_id") {
        let id = new_id();
        ids.insert(id);
        record.insert("external_id".to_owned(), Value::String(id.to_string()));
    }
    if top && absent(record, "external_source") {
        record.insert("external_source".to_owned(), Value::String(TAKT_SOURCE.to_owned()));
    }
    let children = match entity {
        ErpEntity::Job => Some(("parts", ErpEntity::Part)),
        ErpEntity::Part => Some(("operations", ErpEntity::Operation)),
        ErpEntity::Operation => {
            if !record.contains_key("cell_name") && !record.contains_key("cell_id") {
                record.insert("cell_id".to_owned(), Value::Null);
            }
            None
        }
        _ => None,
    };
    if let Some((field, child)) = children
        && let Some(Value::Array(items)) = record.get_mut(field)
    {
        for item in items {
            fill(child, item, false, new_id, ids);
        }
    }
}

fn absent(record: &Map<String, Value>, field: &str) -> bool {
    record.get(field).is_none_or(Value::is_null)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_left_out_are_made_and_given_ones_kept() {
        let mut made = Vec::new();
        let mut next = || {
            let id = Uuid::now_v7();
            made.push(id);
            id
        };
        let mut body = json!({"job_number": "J", "parts": [
            {"part_number": "A", "operations": [{"operation_name": "Cut"}, {"external_id": "O-2", "cell_name": "Saw"}]}
        ]});
        let ids = fill_keys(ErpEntity::Job, &mut body, &mut next);
        assert_eq!(ids.len(), 3);
        assert_eq!(body["external_source"], TAKT_SOURCE);
        assert_eq!(body["external_id"], made[0].to_string());
        assert!(body["parts"][0].get("external_source").is_none(), "nested children take their parent's");
        let operations = &body["parts"][0]["operations"];
        assert_eq!(operations[0]["cell_id"], Value::Null);
        assert_eq!(operations[1]["external_id"], "O-2");
        assert!(operations[1].get("cell_id").is_none());
    }
}
