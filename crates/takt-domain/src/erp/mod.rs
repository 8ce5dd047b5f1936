//! The ERP sync API's entities (seed 000): what a sync request may carry and how it is read.
//!
//! Each entity has a field list (used for parsing and for the OpenAPI document) and a parser
//! that turns one JSON object into a typed input, collecting every bad field by its path.

mod cell;
pub mod create;
mod job;
mod operation;
mod operator;
mod part;
pub mod patch;
pub mod query;
pub mod records;
mod resource;

pub use cell::{CELL_FIELDS, CellInput, parse_cell};
pub use job::{JOB_FIELDS, JOB_STATUSES, JobInput, parse_job};
pub use operation::{CellRef, OPERATION_FIELDS, OperationInput, parse_operation};
pub use operator::{OPERATOR_FIELDS, OperatorInput, PIN_DIGITS, Pin, parse_operator};
pub use part::{PART_FIELDS, PartInput, parse_part};
pub use resource::{RESOURCE_FIELDS, RESOURCE_STATUSES, RESOURCE_TYPES, ResourceInput, parse_resource};

use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use crate::error::{FieldError, Invalid, Path};
use crate::json::{KeyStyle, Patch, Reader, Scalar};
use crate::schema::{Field, Kind};
use crate::text::TextError;

/// Most records a bulk request may carry (top-level records; nested children are not counted).
pub const MAX_BULK_RECORDS: usize = 1000;

/// Most parts one job may carry nested, and most operations one part (see DECISIONS.md).
pub const MAX_NESTED: usize = MAX_BULK_RECORDS;

/// Byte limits of the ERP sync API's text fields (the spec leaves them open; see DECISIONS.md).
pub mod limits {
    pub const EXTERNAL_ID: usize = 255;
    pub const EXTERNAL_SOURCE: usize = 100;
    pub const NAME: usize = 255;
    pub const LONG_TEXT: usize = 4000;
}

pub(crate) const EXTERNAL_ID: Field = Field::required(
    "external_id",
    Kind::Text { max_bytes: limits::EXTERNAL_ID },
    "The record's id in the ERP; with external_source, the sync key.",
);
pub(crate) const EXTERNAL_SOURCE: Field = Field::required(
    "external_source",
    Kind::Text { max_bytes: limits::EXTERNAL_SOURCE },
    "The system the record comes from (SAP, Odoo, ...). Nested children default to their parent's.",
);

/// The most bytes a job's `metadata` takes, serialized.
pub const METADATA_MAX_BYTES: usize = 16 * 1024;

/// The `status` of a job, part or operation: stored on create, afterwards moved only by the
/// lifecycle (a sync or update that gives another status than the record's is refused).
pub(crate) const fn status_field(doc: &'static str) -> Field {
    Field::optional("status", Kind::Enum(JOB_STATUSES), doc)
}

/// Reads `status`: the initial status on create, or the one the record must already have.
pub(crate) fn read_status(r: &mut Reader<'_, [Field]>) -> Option<String> {
    match r.text("status") {
        Patch::Set(status) => Some(status),
        Patch::Null => {
            r.error("status", "cannot be cleared (leave it out)");
            None
        }
        Patch::Absent => None,
    }
}

pub(crate) const fn text(name: &'static str, doc: &'static str) -> Field {
    Field::optional(name, Kind::Text { max_bytes: limits::NAME }, doc)
}

pub(crate) const fn long_text(name: &'static str, doc: &'static str) -> Field {
    Field::optional(name, Kind::Text { max_bytes: limits::LONG_TEXT }, doc)
}

/// The entities of the ERP sync API: the five of seed 000, and the shop floor's operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErpEntity {
    Cell,
    Resource,
    Job,
    Part,
    Operation,
    Operator,
}

impl ErpEntity {
    pub const ALL: [ErpEntity; 6] = [
        ErpEntity::Cell,
        ErpEntity::Resource,
        ErpEntity::Job,
        ErpEntity::Part,
        ErpEntity::Operation,
        ErpEntity::Operator,
    ];

    /// Singular, as in messages: "job".
    pub fn singular(self) -> &'static str {
        match self {
            ErpEntity::Cell => "cell",
            ErpEntity::Resource => "resource",
            ErpEntity::Job => "job",
            ErpEntity::Part => "part",
            ErpEntity::Operation => "operation",
            ErpEntity::Operator => "operator",
        }
    }

    /// Every entity's plural, in the order of [`ErpEntity::ALL`].
    pub const PLURALS: [&'static str; 6] = [
        ErpEntity::ALL[0].plural(),
        ErpEntity::ALL[1].plural(),
        ErpEntity::ALL[2].plural(),
        ErpEntity::ALL[3].plural(),
        ErpEntity::ALL[4].plural(),
        ErpEntity::ALL[5].plural(),
    ];

    /// Plural, as in paths and bulk bodies: "jobs".
    pub const fn plural(self) -> &'static str {
        match self {
            ErpEntity::Cell => "cells",
            ErpEntity::Resource => "resources",
            ErpEntity::Job => "jobs",
            ErpEntity::Part => "parts",
            ErpEntity::Operation => "operations",
            ErpEntity::Operator => "operators",
        }
    }

    /// The fields a sync request of this entity may carry.
    pub fn fields(self) -> &'static [Field] {
        match self {
            ErpEntity::Cell => CELL_FIELDS,
            ErpEntity::Resource => RESOURCE_FIELDS,
            ErpEntity::Job => JOB_FIELDS,
            ErpEntity::Part => PART_FIELDS,
            ErpEntity::Operation => OPERATION_FIELDS,
            ErpEntity::Operator => OPERATOR_FIELDS,
        }
    }
}

/// The sync key of a record: `(tenant, external_source, external_id)`; the tenant is implied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyncKey {
    pub external_source: String,
    pub external_id: String,
}

/// One record of any entity, ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncInput {
    Cell(CellInput),
    Resource(ResourceInput),
    Job(JobInput),
    Part(PartInput),
    Operation(OperationInput),
    Operator(OperatorInput),
}

impl SyncInput {
    pub fn entity(&self) -> ErpEntity {
        match self {
            SyncInput::Cell(_) => ErpEntity::Cell,
            SyncInput::Resource(_) => ErpEntity::Resource,
            SyncInput::Job(_) => ErpEntity::Job,
            SyncInput::Part(_) => ErpEntity::Part,
            SyncInput::Operation(_) => ErpEntity::Operation,
            SyncInput::Operator(_) => ErpEntity::Operator,
        }
    }

    pub fn key(&self) -> &SyncKey {
        match self {
            SyncInput::Cell(i) => &i.key,
            SyncInput::Resource(i) => &i.key,
            SyncInput::Job(i) => &i.key,
            SyncInput::Part(i) => &i.key,
            SyncInput::Operation(i) => &i.key,
            SyncInput::Operator(i) => &i.key,
        }
    }
}

/// Parses one record of `entity` from a sync request or a bulk item.
pub fn parse_sync(entity: ErpEntity, value: &Value, path: Path) -> Result<SyncInput, Invalid> {
    Ok(match entity {
        ErpEntity::Cell => SyncInput::Cell(parse_cell(value, path)?),
        ErpEntity::Resource => SyncInput::Resource(parse_resource(value, path)?),
        ErpEntity::Job => SyncInput::Job(parse_job(value, path)?),
        ErpEntity::Part => SyncInput::Part(parse_part(value, path, None)?),
        ErpEntity::Operation => SyncInput::Operation(parse_operation(value, path, None)?),
        ErpEntity::Operator => SyncInput::Operator(parse_operator(value, path)?),
    })
}

/// How a child names its parent: by the parent's external id (same external_source), by Takt
/// id, or both (then both must name the same record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRef {
    pub external_id: Option<String>,
    pub id: Option<Uuid>,
}

/// A record's parent, as the record itself names it, or implied by nesting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parent {
    /// Named in the record (a standalone part or operation).
    Named(ParentRef),
    /// Nested in its parent; `id` is an optional `job_id`/`part_id` that must match the parent.
    Nested { id: Option<Uuid> },
}

pub(crate) fn reader<'v>(
    value: &'v Value,
    path: Path,
    fields: &'static [Field],
) -> Result<Reader<'v, [Field]>, Invalid> {
    Reader::object(value, path, fields, KeyStyle::Exact)
}

/// Reads `external_id` and `external_source`; nested children default to the parent's source.
pub(crate) fn read_sync_key(r: &mut Reader<'_, [Field]>, parent: Option<&SyncKey>) -> SyncKey {
    let external_id = r.required_text("external_id");
    let external_source = match parent {
        None => r.required_text("external_source"),
        Some(parent) => given_text(r, "external_source").set().unwrap_or_else(|| parent.external_source.clone()),
    };
    SyncKey { external_source, external_id }
}

/// The required fields that another field may stand in for: `(required, stand-in)`. A record
/// that gives the stand-in may leave the required field out.
pub const STAND_INS: &[(&str, &str)] =
    &[("job_external_id", "job_id"), ("part_external_id", "part_id"), ("cell_name", "cell_id")];

/// Reads a required text field that may be left out when something else stands in for it (the
/// parent's `external_source`, `job_id` for `job_external_id`, `cell_id` for `cell_name`); when
/// given, it must not be blank, like any required text.
pub(crate) fn given_text(r: &mut Reader<'_, [Field]>, name: &str) -> Patch<String> {
    match r.scalar_with(name, false) {
        Patch::Set(Scalar::Text(text)) if text.trim().is_empty() => {
            r.error(name, TextError::Blank.message());
            Patch::Absent
        }
        other => other.map(|s| match s {
            Scalar::Text(text) => text,
            other => unreachable!("{name} is not text: {other:?}"),
        }),
    }
}

/// Reads how a child names its parent (`job_external_id`/`job_id`, `part_external_id`/`part_id`).
pub(crate) fn read_parent(
    r: &mut Reader<'_, [Field]>,
    external_id_field: &str,
    id_field: &str,
    parent: Option<&SyncKey>,
    parent_label: &str,
) -> Parent {
    let named = r.present(external_id_field) || r.present(id_field);
    let external_id = given_text(r, external_id_field).set();
    let id = r.uuid(id_field).set();
    match parent {
        Some(parent) => {
            if let Some(given) = &external_id
                && given != &parent.external_id
            {
                r.error(
                    external_id_field,
                    format!("must match the {parent_label}'s external_id '{}' it is nested in", parent.external_id),
                );
            }
            Parent::Nested { id }
        }
        None => {
            if !named {
                r.error(external_id_field, format!("is required (or give {id_field})"));
            }
            Parent::Named(ParentRef { external_id, id })
        }
    }
}

/// Refuses a sync key given twice among nested children (each with the path of its object): the
/// second is named at its `external_id`, with the path of the first.
pub(crate) fn repeated_keys<'k>(r: &mut Reader<'_, [Field]>, children: impl Iterator<Item = (&'k SyncKey, &'k Path)>) {
    let mut first: HashMap<&SyncKey, &Path> = HashMap::new();
    let mut errors = Vec::new();
    for (key, path) in children {
        match first.get(key) {
            Some(earlier) => errors.push(FieldError::new(
                path.field("external_id"),
                format!(
                    "repeats the sync key of {} ('{}' from '{}')",
                    earlier.field("external_id"),
                    key.external_id,
                    key.external_source
                ),
            )),
            None => {
                first.insert(key, path);
            }
        }
    }
    r.extend_errors(Invalid(errors));
}

/// Takes the records of a bulk body: `{"jobs": [...]}` or `{"items": [...]}`.
pub fn bulk_records(entity: ErpEntity, body: &Value) -> Result<&[Value], Invalid> {
    let Value::Object(map) = body else {
        return Err(Invalid::one("", "body must be a JSON object"));
    };
    let plural = entity.plural();
    let mut records = None;
    for (key, value) in map {
        if key != plural && key != "items" {
            return Err(Invalid::one(key.as_str(), format!("is not a known field (send {plural} or items)")));
        }
        if records.is_some() {
            return Err(Invalid::one(key.as_str(), format!("give either {plural} or items, not both")));
        }
        match value {
            Value::Array(items) => records = Some(items.as_slice()),
            _ => return Err(Invalid::one(key.as_str(), "must be an array")),
        }
    }
    records.ok_or_else(|| Invalid::one(plural, "is required (an array of records)"))
}

/// The external id of a bulk record, as far as it can be read, for its result line.
pub fn external_id_of(record: &Value) -> Option<&str> {
    record.get("external_id").and_then(Value::as_str)
}

/// The headline of a validation error: the seed's wording when a sync key field is missing
/// (`external_id is required for sync operations`), otherwise a summary of every bad field.
pub fn headline(invalid: &Invalid) -> String {
    for key in ["external_id", "external_source"] {
        if invalid.0.iter().any(|e| e.field == key && e.message == "is required") {
            return format!("{key} is required for sync operations");
        }
    }
    invalid.summary()
}
