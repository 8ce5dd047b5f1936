use serde_json::Value;

use super::{
    EXTERNAL_ID, EXTERNAL_SOURCE, MAX_NESTED, OPERATION_FIELDS, OperationInput, Parent, SyncKey, limits, long_text,
    parse_operation, read_parent, read_status, read_sync_key, reader, repeated_keys, status_field, text,
};
use crate::error::{Invalid, Path};
use crate::json::Patch;
use crate::schema::{Field, I32_MAX, Kind};

/// A work order under a job.
pub const PART_FIELDS: &[Field] = &[
    EXTERNAL_ID,
    EXTERNAL_SOURCE,
    Field::required(
        "job_external_id",
        Kind::Text { max_bytes: limits::EXTERNAL_ID },
        "The parent job's external_id (same external_source). Not needed when nested in a job, or with job_id.",
    ),
    Field::optional("job_id", Kind::Uuid, "The parent job's Takt id, instead of job_external_id."),
    Field::required("part_number", Kind::Text { max_bytes: limits::NAME }, "The part's number."),
    text("material", "What it is made of."),
    Field::optional("quantity", Kind::Integer { min: 1, max: I32_MAX }, "Defaults to 1."),
    long_text("notes", "Free text."),
    Field::optional("is_bullet_card", Kind::Bool, "A rush order, dispatched first. Defaults to false."),
    text("drawing_no", "The drawing's number."),
    text("cnc_program_name", "The CNC program that makes it."),
    status_field(
        "The status a new part starts in (default not_started). Afterwards it rolls up from its operations' \
         lifecycle (POST /api-operation-lifecycle/{action}): another status than the part's is refused (409).",
    ),
    Field::optional(
        "operations",
        Kind::Objects { fields: OPERATION_FIELDS, max_items: MAX_NESTED },
        "Routing steps written with the part; they default to the part's external_source. Each sync key once.",
    ),
];

/// A part sync request, standalone or nested in a job, with its nested operations.
#[derive(Debug, Clone, PartialEq)]
pub struct PartInput {
    pub key: SyncKey,
    pub job: Parent,
    pub part_number: String,
    pub material: Patch<String>,
    pub quantity: Patch<i64>,
    pub notes: Patch<String>,
    pub is_bullet_card: Patch<bool>,
    pub drawing_no: Patch<String>,
    pub cnc_program_name: Patch<String>,
    pub status: Option<String>,
    pub operations: Vec<OperationInput>,
}

/// Parses a part; `job` is the job it is nested in, if any (then the job refuses repeated
/// operation keys across all its parts).
pub fn parse_part(value: &Value, path: Path, job: Option<&SyncKey>) -> Result<PartInput, Invalid> {
    let mut r = reader(value, path, PART_FIELDS)?;
    let key = read_sync_key(&mut r, job);
    let parent = read_parent(&mut r, "job_external_id", "job_id", job, "job");
    let part_number = r.required_text("part_number");
    let material = r.text("material");
    let quantity = r.integer("quantity");
    let notes = r.text("notes");
    let is_bullet_card = r.bool("is_bullet_card");
    let drawing_no = r.text("drawing_no");
    let cnc_program_name = r.text("cnc_program_name");
    let status = read_status(&mut r);
    let mut operations = Vec::new();
    let mut paths = Vec::new();
    for (path, item) in r.objects("operations", MAX_NESTED).unwrap_or_default() {
        match parse_operation(item, path.clone(), Some(&key)) {
            Ok(op) => {
                operations.push(op);
                paths.push(path);
            }
            Err(invalid) => r.extend_errors(invalid),
        }
    }
    if job.is_none() {
        repeated_keys(&mut r, operations.iter().map(|o| &o.key).zip(&paths));
    }
    r.finish()?;
    Ok(PartInput {
        key,
        job: parent,
        part_number,
        material,
        quantity,
        notes,
        is_bullet_card,
        drawing_no,
        cnc_program_name,
        status,
        operations,
    })
}
