//! `/api-substeps`: the checklist of an operation; `completed: true` is `status: completed`.

use serde_json::Value;

use super::collection::{Collection, CollectionKind, Column, Conditional, Initial, Input, Record, Shown};
use crate::erp::limits;
use crate::json::{Reader, Scalar};
use crate::schema::{Field, I32_MAX, Kind};

/// The statuses of a substep.
pub const STATUSES: &[&str] = &["not_started", "in_progress", "completed", "blocked"];

const COMPLETED: &str = "completed";

const COLUMNS: &[Column] = &[
    Column::new(Field::required("operation_id", Kind::Uuid, "The operation the substep belongs to.")).filter(),
    Column::new(Field::required("description", Kind::Text { max_bytes: limits::LONG_TEXT }, "What to do.")),
    Column::new(Field::optional("sequence", Kind::Integer { min: 0, max: I32_MAX }, "Its place in the checklist.")),
    Column::new(Field::optional("status", Kind::Enum(STATUSES), "Defaults to not_started."))
        .initial(Initial::Text("not_started"))
        .filter(),
];

/// The field a body may give in place of `status`.
pub const COMPLETED_FIELD: Field = Field::optional(
    "completed",
    Kind::Bool,
    "true is status completed; false reopens a completed substep (not_started).",
);

pub static SUBSTEPS: Collection = Collection {
    kind: CollectionKind::Substep,
    entity: "substep",
    label: "substep",
    plural: "substeps",
    path: "/api-substeps",
    table: "substeps",
    columns: COLUMNS,
    parent: Some("operation_id"),
    shown: &[Shown {
        name: "completed",
        kind: Kind::Bool,
        nullable: false,
        doc: "Whether its status is completed.",
        value: completed,
    }],
    extra: &[COMPLETED_FIELD],
    refine: Some(read_completed),
    order_by: "operation_id, sequence NULLS LAST, id",
    synced: false,
    dated: None,
    ledger: false,
};

fn completed(record: &Record) -> Value {
    Value::Bool(record.text("status") == Some(COMPLETED))
}

fn read_completed(r: &mut Reader<'_, [super::collection::Column]>, input: &mut Input) {
    let Some(value) = r.raw(COMPLETED_FIELD.name) else { return };
    let status = input.get("status").cloned().flatten();
    match value {
        Value::Bool(true) => match status {
            Some(Scalar::Text(status)) if status != COMPLETED => {
                r.error(COMPLETED_FIELD.name, format!("is true, but status is {status}"));
            }
            _ => input.set("status", Some(Scalar::Text(COMPLETED.to_owned()))),
        },
        Value::Bool(false) => match status {
            Some(Scalar::Text(status)) if status == COMPLETED => {
                r.error(COMPLETED_FIELD.name, "is false, but status is completed");
            }
            Some(_) => {}
            None => input.conditional.push(Conditional { column: "status", when: COMPLETED, then: "not_started" }),
        },
        Value::Null => {}
        _ => r.error(COMPLETED_FIELD.name, "must be true or false"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::shop_floor::collection::{Mode, parse};

    fn stored(status: &str) -> Record {
        Record {
            collection: &SUBSTEPS,
            id: Uuid::nil(),
            values: vec![("status", Some(Scalar::Text(status.into())))],
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn completed_is_a_status() {
        let done = parse(&SUBSTEPS, &json!({"completed": true}), Mode::Change).unwrap();
        assert_eq!(done.over(&stored("in_progress")), [("status", Some(Scalar::Text("completed".into())))]);
        let reopen = parse(&SUBSTEPS, &json!({"completed": false}), Mode::Change).unwrap();
        assert_eq!(reopen.over(&stored("completed")), [("status", Some(Scalar::Text("not_started".into())))]);
        assert_eq!(reopen.over(&stored("blocked")), []);
        let both = parse(&SUBSTEPS, &json!({"completed": true, "status": "blocked"}), Mode::Change);
        assert_eq!(both.unwrap_err().0[0].field, "completed");
        assert!(parse(&SUBSTEPS, &json!({"completed": "yes"}), Mode::Change).is_err());
    }

    #[test]
    fn records_show_completed() {
        let json = stored("completed").to_json();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["id", "status", "completed", "created_at", "updated_at"]);
        assert_eq!(json["completed"], true);
    }
}
