use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::{
    EXTERNAL_ID, EXTERNAL_SOURCE, Parent, SyncKey, given_text, limits, long_text, read_parent, read_sync_key, reader,
};
use crate::error::{Invalid, Path};
use crate::json::Patch;
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
        "The cell it runs in, by name (case-insensitive). Or give cell_id.",
    ),
    Field::optional("cell_id", Kind::Uuid, "The cell's Takt id, instead of cell_name."),
    Field::optional("sequence", Kind::Integer { min: 0, max: I32_MAX }, "Order within the part."),
    Field::optional(
        "estimated_time_minutes",
        Kind::Decimal(DecimalRule::NonNegative),
        "Planned duration in minutes, an exact decimal.",
    ),
    long_text("notes", "Free text."),
];

/// How an operation names its cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellRef {
    Name(String),
    Id(Uuid),
    /// Both were given; they must name the same cell.
    Both(String, Uuid),
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
}

/// Parses an operation; `part` is the part it is nested in, if any.
pub fn parse_operation(value: &Value, path: Path, part: Option<&SyncKey>) -> Result<OperationInput, Invalid> {
    let mut r = reader(value, path, OPERATION_FIELDS)?;
    let key = read_sync_key(&mut r, part);
    let parent = read_parent(&mut r, "part_external_id", "part_id", part, "part");
    let operation_name = r.required_text("operation_name");
    let named = r.present("cell_name");
    let cell_name = given_text(&mut r, "cell_name").set();
    let cell_id = r.uuid("cell_id").set();
    let cell = match (cell_name, cell_id) {
        (Some(name), None) => CellRef::Name(name),
        (Some(name), Some(id)) => CellRef::Both(name, id),
        (None, Some(id)) => CellRef::Id(id),
        _ => {
            if !named && !r.present("cell_id") {
                r.error("cell_name", "is required (or give cell_id)");
            }
            CellRef::Name(String::new())
        }
    };
    let sequence = r.integer("sequence");
    let estimated_time_minutes = r.decimal("estimated_time_minutes");
    let notes = r.text("notes");
    r.finish()?;
    Ok(OperationInput { key, part: parent, cell, operation_name, sequence, estimated_time_minutes, notes })
}
