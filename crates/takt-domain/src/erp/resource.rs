use serde_json::Value;

use super::{EXTERNAL_ID, EXTERNAL_SOURCE, SyncKey, limits, long_text, read_sync_key, reader, text};
use crate::error::{Invalid, Path};
use crate::json::Patch;
use crate::schema::{Field, Kind};

pub const RESOURCE_TYPES: &[&str] = &["tooling", "fixture", "mold", "material", "equipment"];
pub const RESOURCE_STATUSES: &[&str] = &["available", "in_use", "maintenance"];

/// Equipment, tooling and the like.
pub const RESOURCE_FIELDS: &[Field] = &[
    EXTERNAL_ID,
    EXTERNAL_SOURCE,
    Field::required("name", Kind::Text { max_bytes: limits::NAME }, "The resource's name."),
    Field::optional("type", Kind::Enum(RESOURCE_TYPES), "What kind of resource it is."),
    long_text("description", "Free text."),
    text("identifier", "An asset number or similar."),
    text("location", "Where it is."),
    Field::optional("status", Kind::Enum(RESOURCE_STATUSES), "Its availability."),
];

/// A resource sync request.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInput {
    pub key: SyncKey,
    pub name: String,
    pub resource_type: Patch<String>,
    pub description: Patch<String>,
    pub identifier: Patch<String>,
    pub location: Patch<String>,
    pub status: Patch<String>,
}

pub fn parse_resource(value: &Value, path: Path) -> Result<ResourceInput, Invalid> {
    let mut r = reader(value, path, RESOURCE_FIELDS)?;
    let key = read_sync_key(&mut r, None);
    let input = ResourceInput {
        key,
        name: r.required_text("name"),
        resource_type: r.text("type"),
        description: r.text("description"),
        identifier: r.text("identifier"),
        location: r.text("location"),
        status: r.text("status"),
    };
    r.finish()?;
    Ok(input)
}
