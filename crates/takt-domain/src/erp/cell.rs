use serde_json::Value;

use super::{EXTERNAL_ID, EXTERNAL_SOURCE, SyncKey, limits, read_sync_key, reader};
use crate::error::{Invalid, Path};
use crate::json::Patch;
use crate::schema::{Field, I32_MAX, Kind};

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
];

/// A cell sync request.
#[derive(Debug, Clone, PartialEq)]
pub struct CellInput {
    pub key: SyncKey,
    pub name: String,
    pub color: Patch<String>,
    pub sequence: Patch<i64>,
    pub active: Patch<bool>,
}

pub fn parse_cell(value: &Value, path: Path) -> Result<CellInput, Invalid> {
    let mut r = reader(value, path, CELL_FIELDS)?;
    let key = read_sync_key(&mut r, None);
    let name = r.required_text("name");
    let color = r.text("color");
    let sequence = r.integer("sequence");
    let active = r.bool("active");
    r.finish()?;
    Ok(CellInput { key, name, color, sequence, active })
}
