use chrono::NaiveDate;
use serde_json::Value;

use super::{
    EXTERNAL_ID, EXTERNAL_SOURCE, PART_FIELDS, PartInput, SyncKey, limits, long_text, parse_part, read_sync_key,
    reader, text,
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
        "parts",
        Kind::Objects(PART_FIELDS),
        "Parts written with the job in one transaction; they default to the job's external_source.",
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
    let mut parts = Vec::new();
    for (path, item) in r.objects("parts").unwrap_or_default() {
        match parse_part(item, path, Some(&key)) {
            Ok(part) => parts.push(part),
            Err(invalid) => r.extend_errors(invalid),
        }
    }
    r.finish()?;
    Ok(JobInput { key, job_number, customer, due_date, priority, notes, parts })
}
