use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::{
    EXTERNAL_ID, EXTERNAL_SOURCE, Parent, SyncKey, given_text, limits, long_text, read_parent, read_status,
    read_sync_key, reader, status_field,
};
use crate::error::{Invalid, Path};
use crate::json::{Patch, Reader, Scalar};
use crate::schema::{DecimalRule, Field, I32_MAX, Kind};

/// A routing step in a cell.
pub const OPERATION_FIELDS: &[Field] = &[
    EXTERNAL_ID,
    EXTERNAL_SOURCE,
    Field::required(
        "part_external_id",
        Kind::Text { max_bytes: limits::EXTERNAL_ID },
        "The parent part's external_id (same external_source). Not needed when nested in a part, or with part_id.",
    ),
    Field::optional("part_id", Kind::Uuid, "The parent part's Takt id, instead of part_external_id."),
    Field::required("operation_name", Kind::Text { max_bytes: limits::NAME }, "What the step does."),
    Field::required(
        "cell_name",
        Kind::Text { max_bytes: limits::NAME },
        "The cell it runs in, by name (case-insensitive). Or give cell_id (null: no cell yet, as on create).",
    ),
    Field::optional("cell_id", Kind::Uuid, "The cell's Takt id, instead of cell_name."),
    Field::optional("sequence", Kind::Integer { min: 0, max: I32_MAX }, "Order within the part."),
    Field::optional(
        "estimated_time_minutes",
        Kind::Decimal(DecimalRule::NonNegative),
        "Planned duration in minutes, an exact decimal.",
    ),
    Field::optional(
        "estimated_time",
        Kind::Decimal(DecimalRule::NonNegative),
        "The same as estimated_time_minutes, as the reference's clients send it; both given must be equal.",
    ),
    long_text("notes", "Free text."),
    Field::optional("completion_percentage", Kind::Integer { min: 0, max: 100 }, "How far along it is, 0 to 100."),
    Field::optional("assigned_operator_id", Kind::Uuid, "The operator planned for it, by Takt id."),
    Field::optional("planned_start", Kind::Timestamp, "When it is planned to start, RFC 3339."),
    Field::optional("planned_end", Kind::Timestamp, "When it is planned to end, RFC 3339; not before planned_start."),
    status_field(
        "The status a new operation starts in (default not_started). Afterwards it moves only through POST \
         /api-operation-lifecycle/{start|pause|resume|complete}: another status than its own is refused (409).",
    ),
];

/// How an operation names its cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellRef {
    Name(String),
    Id(Uuid),
    /// Both were given; they must name the same cell.
    Both(String, Uuid),
    /// No cell yet: `cell_id` given as `null` (or left out on create).
    Unassigned,
}

/// An operation sync request, standalone or nested in a part.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationInput {
    pub key: SyncKey,
    pub part: Parent,
    pub cell: CellRef,
    pub operation_name: String,
    pub sequence: Patch<i64>,
    pub estimated_time_minutes: Patch<Decimal>,
    pub notes: Patch<String>,
    pub completion_percentage: Patch<i64>,
    pub assigned_operator_id: Patch<Uuid>,
    pub planned_start: Patch<DateTime<Utc>>,
    pub planned_end: Patch<DateTime<Utc>>,
    pub status: Option<String>,
}

/// Parses an operation; `part` is the part it is nested in, if any.
pub fn parse_operation(value: &Value, path: Path, part: Option<&SyncKey>) -> Result<OperationInput, Invalid> {
    let mut r = reader(value, path, OPERATION_FIELDS)?;
    let key = read_sync_key(&mut r, part);
    let parent = read_parent(&mut r, "part_external_id", "part_id", part, "part");
    let operation_name = r.required_text("operation_name");
    let named = r.present("cell_name");
    let cell_name = given_text(&mut r, "cell_name").set();
    let cleared = matches!(r.raw("cell_id"), Some(Value::Null));
    let cell_id = r.uuid("cell_id").set();
    let cell = match (cell_name, cell_id) {
        (Some(name), None) => CellRef::Name(name),
        (Some(name), Some(id)) => CellRef::Both(name, id),
        (None, Some(id)) => CellRef::Id(id),
        (None, None) if cleared && !named => CellRef::Unassigned,
        _ => {
            if !named && !r.present("cell_id") {
                r.error("cell_name", "is required (or give cell_id)");
            }
            CellRef::Name(String::new())
        }
    };
    let sequence = r.integer("sequence");
    let estimated_time_minutes = estimated_time(&mut r);
    let notes = r.text("notes");
    let completion_percentage = r.integer("completion_percentage");
    let assigned_operator_id = r.uuid("assigned_operator_id");
    let planned_start = timestamp(&mut r, "planned_start");
    let planned_end = timestamp(&mut r, "planned_end");
    if let (Patch::Set(start), Patch::Set(end)) = (&planned_start, &planned_end)
        && end < start
    {
        r.error("planned_end", "must not be before planned_start");
    }
    let status = read_status(&mut r);
    r.finish()?;
    Ok(OperationInput {
        key,
        part: parent,
        cell,
        operation_name,
        sequence,
        estimated_time_minutes,
        notes,
        completion_percentage,
        assigned_operator_id,
        planned_start,
        planned_end,
        status,
    })
}

/// `estimated_time_minutes`, or its alias `estimated_time`; both given must say the same.
fn estimated_time(r: &mut Reader<'_, [Field]>) -> Patch<Decimal> {
    let minutes = r.decimal("estimated_time_minutes");
    let alias = r.decimal("estimated_time");
    match (minutes, alias) {
        (Patch::Absent, alias) => alias,
        (minutes, Patch::Absent) => minutes,
        (minutes, alias) if minutes == alias => minutes,
        (minutes, _) => {
            r.error("estimated_time", "must equal estimated_time_minutes when both are given");
            minutes
        }
    }
}

fn timestamp(r: &mut Reader<'_, [Field]>, name: &str) -> Patch<DateTime<Utc>> {
    r.scalar(name).map(|s| match s {
        Scalar::Timestamp(at) => at,
        other => unreachable!("{name} is not a timestamp: {other:?}"),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn op(extra: Value) -> Value {
        let mut body = json!({"external_id": "O", "external_source": "SAP", "part_external_id": "P",
                              "operation_name": "Cut", "cell_name": "Saw"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    }

    #[test]
    fn estimated_time_is_an_alias_that_must_agree() {
        let alias = parse_operation(&op(json!({"estimated_time": 12.5})), Path::root(), None).unwrap();
        assert_eq!(alias.estimated_time_minutes, Patch::Set(Decimal::new(125, 1)));
        let both = op(json!({"estimated_time": 12.5, "estimated_time_minutes": 12.50}));
        assert!(parse_operation(&both, Path::root(), None).is_ok());
        let differ = op(json!({"estimated_time": 12, "estimated_time_minutes": 13}));
        assert_eq!(parse_operation(&differ, Path::root(), None).unwrap_err().0[0].field, "estimated_time");
    }

    #[test]
    fn a_plan_ends_after_it_starts_and_a_status_is_read_in_any_case() {
        let backwards = op(json!({"planned_start": "2026-12-02T10:00:00Z", "planned_end": "2026-12-02T09:00:00Z"}));
        assert_eq!(parse_operation(&backwards, Path::root(), None).unwrap_err().0[0].field, "planned_end");
        let upper = parse_operation(&op(json!({"status": "IN_PROGRESS"})), Path::root(), None).unwrap();
        assert_eq!(upper.status.as_deref(), Some("in_progress"));
    }
}
