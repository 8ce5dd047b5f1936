use rust_decimal::Decimal;
use serde_json::Value;

use super::{EXTERNAL_ID, EXTERNAL_SOURCE, SyncKey, limits, read_sync_key, reader};
use crate::error::{Invalid, Path};
use crate::json::Patch;
use crate::schema::{DecimalRule, Field, I32_MAX, Kind};

/// A work centre.
pub const CELL_FIELDS: &[Field] = &[
    EXTERNAL_ID,
    EXTERNAL_SOURCE,
    Field::required(
        "name",
        Kind::Text { max_bytes: limits::NAME },
        "Unique per tenant, case-insensitive; operations name their cell by it.",
    ),
    Field::optional("color", Kind::Color, "Display colour, #rrggbb."),
    Field::optional("sequence", Kind::Integer { min: 0, max: I32_MAX }, "Display order."),
    Field::optional("active", Kind::Bool, "Defaults to true."),
    Field::optional(
        "wip_limit",
        Kind::Integer { min: 1, max: I32_MAX },
        "Most operations in_progress at once; a start beyond it is refused. None by default.",
    ),
    Field::optional(
        "enforce_sequence",
        Kind::Bool,
        "Refuse to start an operation while an earlier one of its part is not completed. Defaults to false.",
    ),
    Field::optional(
        "capacity_hours_per_day",
        Kind::Decimal(DecimalRule::NonNegative),
        "Hours of work the cell can take per day, an exact decimal.",
    ),
];

/// A cell sync request.
#[derive(Debug, Clone, PartialEq)]
pub struct CellInput {
    pub key: SyncKey,
    pub name: String,
    pub color: Patch<String>,
    pub sequence: Patch<i64>,
    pub active: Patch<bool>,
    pub wip_limit: Patch<i64>,
    pub enforce_sequence: Patch<bool>,
    pub capacity_hours_per_day: Patch<Decimal>,
}

pub fn parse_cell(value: &Value, path: Path) -> Result<CellInput, Invalid> {
    let mut r = reader(value, path, CELL_FIELDS)?;
    let key = read_sync_key(&mut r, None);
    let name = r.required_text("name");
    let color = r.text("color");
    let sequence = r.integer("sequence");
    let active = r.bool("active");
    let wip_limit = r.integer("wip_limit");
    let enforce_sequence = r.bool("enforce_sequence");
    let capacity_hours_per_day = r.decimal("capacity_hours_per_day");
    r.finish()?;
    Ok(CellInput { key, name, color, sequence, active, wip_limit, enforce_sequence, capacity_hours_per_day })
}
