//! The integrity rules of master data that need no database: batch sizes, planned windows,
//! approval and schedule status moves (and, re-exported, version numbers).

use super::entities::field;
use super::record::{Fields, Values};
use super::spec::{EntityKind, EntitySpec};
use crate::error::FieldError;
use crate::text;

pub use super::version::{format_version, parse_version};

/// The fields a create still lacks once defaults and a source product have filled what they can.
pub fn missing_required(spec: &EntitySpec, values: &Values) -> Vec<FieldError> {
    spec.fields
        .iter()
        .zip(values)
        .filter(|(f, v)| f.field.required && v.is_none())
        .map(|(f, _)| FieldError::new(f.name(), "is required"))
        .collect()
}

/// Rules across the fields of one record.
pub fn check_record(spec: &EntitySpec, values: &Values) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let fields = Fields::new(spec, values);
    match spec.kind {
        EntityKind::Product => {
            let default = fields.decimal(field::DEFAULT_BATCH_SIZE);
            let min = fields.decimal(field::MIN_SCHEDULE_BATCH_SIZE);
            let max = fields.decimal(field::MAX_SCHEDULE_BATCH_SIZE);
            if let (Some(min), Some(default)) = (min, default)
                && min > default
            {
                errors.push(FieldError::new(
                    field::MIN_SCHEDULE_BATCH_SIZE,
                    format!("must be at most defaultBatchSize ({default})"),
                ));
            }
            if let (Some(max), Some(default)) = (max, default)
                && max < default
            {
                errors.push(FieldError::new(
                    field::MAX_SCHEDULE_BATCH_SIZE,
                    format!("must be at least defaultBatchSize ({default})"),
                ));
            }
            if let (Some(min), Some(max), None) = (min, max, default)
                && min > max
            {
                errors.push(FieldError::new(
                    field::MIN_SCHEDULE_BATCH_SIZE,
                    format!("must be at most maxScheduleBatchSize ({max})"),
                ));
            }
        }
        EntityKind::Schedule => {
            if let (Some(start), Some(end)) =
                (fields.timestamp(field::PLANNED_START), fields.timestamp(field::PLANNED_END))
                && end < start
            {
                errors.push(FieldError::new(field::PLANNED_END, "must not be before plannedStart"));
            }
        }
        _ => {}
    }
    errors
}

/// Whether a BoM version in this approval status is frozen: approved (or obsolete after that).
pub fn approval_frozen(status: &str) -> bool {
    matches!(text::fold(status).as_str(), "approved" | "obsolete")
}

/// Whether a BoM version may move from one approval status to another: once frozen, it stays
/// frozen (Approved may move on to Obsolete, not back to Draft).
pub fn approval_move_allowed(from: &str, to: &str) -> bool {
    !approval_frozen(from) || approval_frozen(to)
}

/// Whether a schedule may move between statuses: only forward (scheduled, started, completed).
pub fn schedule_move_allowed(from: &str, to: &str) -> bool {
    let rank = |s: &str| super::entities::SCHEDULE_STATUSES.iter().position(|x| *x == s);
    rank(to) >= rank(from)
}

/// Whether a schedule in this status may be deleted: only before it starts.
pub fn schedule_deletable(status: &str) -> bool {
    status == "scheduled"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_freezes() {
        assert!(approval_move_allowed("Draft", "Approved"));
        assert!(approval_move_allowed("Approved", "Obsolete"));
        assert!(approval_move_allowed("APPROVED", "approved"));
        assert!(!approval_move_allowed("Approved", "Draft"));
        assert!(!approval_move_allowed("Obsolete", "Pending"));
    }

    #[test]
    fn schedules_move_forward() {
        assert!(schedule_move_allowed("scheduled", "started"));
        assert!(schedule_move_allowed("started", "started"));
        assert!(!schedule_move_allowed("completed", "started"));
        assert!(schedule_deletable("scheduled"));
        assert!(!schedule_deletable("started"));
    }
}
