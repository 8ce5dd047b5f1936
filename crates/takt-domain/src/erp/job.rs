use chrono::NaiveDate;
use serde_json::Value;

use super::{
    EXTERNAL_ID, EXTERNAL_SOURCE, MAX_NESTED, METADATA_MAX_BYTES, PART_FIELDS, PartInput, SyncKey, limits, long_text,
    parse_part, read_status, read_sync_key, reader, repeated_keys, status_field, text,
};
use crate::error::{Invalid, Path};
use crate::json::Patch;
use crate::schema::{Field, I32_MAX, Kind};

/// A job's states; a synced job starts `not_started`.
pub const JOB_STATUSES: &[&str] = &["not_started", "in_progress", "on_hold", "completed"];

/// A sales order.
pub const JOB_FIELDS: &[Field] = &[
    EXTERNAL_ID,
    EXTERNAL_SOURCE,
    Field::required("job_number", Kind::Text { max_bytes: limits::NAME }, "Unique per tenant."),
    text("customer", "The customer's name."),
    Field::optional("due_date", Kind::Date, "YYYY-MM-DD."),
    Field::optional("priority", Kind::Integer { min: 0, max: I32_MAX }, "Higher is more urgent."),
    long_text("notes", "Free text."),
    Field::optional(
        "metadata",
        Kind::JsonObject { max_bytes: METADATA_MAX_BYTES },
        "Anything the client keeps with the job, a JSON object; answered as given.",
    ),
    status_field(
        "The status a new job starts in (default not_started). Afterwards it moves only through POST \
         /api-job-lifecycle/{action}: another status than the job's is refused (409); the job's own is accepted.",
    ),
    Field::optional(
        "parts",
        Kind::Objects { fields: PART_FIELDS, max_items: MAX_NESTED },
        "Parts written with the job in one transaction; they default to the job's external_source. Each sync key \
         once, among the parts and among all their operations.",
    ),
];

/// A job sync request, with its nested parts.
#[derive(Debug, Clone, PartialEq)]
pub struct JobInput {
    pub key: SyncKey,
    pub job_number: String,
    pub customer: Patch<String>,
    pub due_date: Patch<NaiveDate>,
    pub priority: Patch<i64>,
    pub notes: Patch<String>,
    /// The compact serialization of the JSON object given.
    pub metadata: Patch<String>,
    pub status: Option<String>,
    pub parts: Vec<PartInput>,
}

pub fn parse_job(value: &Value, path: Path) -> Result<JobInput, Invalid> {
    let mut r = reader(value, path, JOB_FIELDS)?;
    let key = read_sync_key(&mut r, None);
    let job_number = r.required_text("job_number");
    let customer = r.text("customer");
    let due_date = r.date("due_date");
    let priority = r.integer("priority");
    let notes = r.text("notes");
    let metadata = r.text("metadata");
    let status = read_status(&mut r);
    let mut parts = Vec::new();
    let mut paths = Vec::new();
    for (path, item) in r.objects("parts", MAX_NESTED).unwrap_or_default() {
        match parse_part(item, path.clone(), Some(&key)) {
            Ok(part) => {
                parts.push(part);
                paths.push(path);
            }
            Err(invalid) => r.extend_errors(invalid),
        }
    }
    repeated_keys(&mut r, parts.iter().map(|p| &p.key).zip(&paths));
    // A part that parsed has every operation it was sent, so an operation's index is its place.
    let operation_paths: Vec<Path> = parts
        .iter()
        .zip(&paths)
        .flat_map(|(part, path)| (0..part.operations.len()).map(|i| path.element("operations", i)))
        .collect();
    let operation_keys = parts.iter().flat_map(|p| p.operations.iter().map(|o| &o.key));
    repeated_keys(&mut r, operation_keys.zip(&operation_paths));
    r.finish()?;
    Ok(JobInput { key, job_number, customer, due_date, priority, notes, metadata, status, parts })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::FieldError;

    #[test]
    fn a_sync_key_twice_among_nested_children_names_both_paths() {
        let job = json!({"external_id": "J", "external_source": "SAP", "job_number": "J", "parts": [
            {"external_id": "P", "part_number": "P", "operations": [{"external_id": "O", "operation_name": "o", "cell_name": "c"}]},
            {"external_id": "P", "external_source": "Odoo", "part_number": "P"},
            {"external_id": "P", "part_number": "P", "operations": [{"external_id": "O", "operation_name": "o", "cell_name": "c"}]},
        ]});
        let invalid = parse_job(&job, Path::root()).unwrap_err();
        assert_eq!(
            invalid.0,
            [
                FieldError::new(
                    "parts[2].external_id",
                    "repeats the sync key of parts[0].external_id ('P' from 'SAP')"
                ),
                FieldError::new(
                    "parts[2].operations[0].external_id",
                    "repeats the sync key of parts[0].operations[0].external_id ('O' from 'SAP')"
                ),
            ]
        );
    }

    #[test]
    fn more_parts_than_allowed_are_one_error_and_none_is_read() {
        let parts = vec![json!({}); MAX_NESTED + 1];
        let job = json!({"external_id": "J", "external_source": "SAP", "job_number": "J", "parts": parts});
        let invalid = parse_job(&job, Path::root()).unwrap_err();
        assert_eq!(
            invalid.0,
            [FieldError::new("parts", "has 1001 elements, more than the 1000 allowed; none was read")]
        );
    }
}
