//! The integrity rules of master data that need no database: versions, batch sizes, planned
//! windows, approval and schedule status moves.

use super::record::FieldValue;
use super::spec::{EntityKind, EntitySpec};
use crate::error::FieldError;
use crate::text;

/// Parses `"major.minor"` (`"1.0"`, `"2.13"`).
pub fn parse_version(text: &str) -> Option<(i64, i64)> {
    let (major, minor) = text.split_once('.')?;
    let number = |s: &str| -> Option<i64> {
        let ok = !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| s.parse::<i64>().ok()).flatten().filter(|n| *n <= i64::from(i32::MAX))
    };
    Some((number(major)?, number(minor)?))
}

pub fn format_version(major: i64, minor: i64) -> String {
    format!("{major}.{minor}")
}

/// Values of a record being written, by field position.
pub type Values = [Option<FieldValue>];

fn value<'a>(spec: &EntitySpec, values: &'a Values, name: &str) -> Option<&'a FieldValue> {
    let (index, _) = spec.field_index(name)?;
    values[index].as_ref()
}

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
    match spec.kind {
        EntityKind::Product => {
            let get = |name| value(spec, values, name).and_then(FieldValue::as_decimal);
            let default = get("defaultBatchSize");
            let min = get("minScheduleBatchSize");
            let max = get("maxScheduleBatchSize");
            if let (Some(min), Some(default)) = (min, default)
                && min > default
            {
                errors.push(FieldError::new(
                    "minScheduleBatchSize",
                    format!("must be at most defaultBatchSize ({default})"),
                ));
            }
            if let (Some(max), Some(default)) = (max, default)
                && max < default
            {
                errors.push(FieldError::new(
                    "maxScheduleBatchSize",
                    format!("must be at least defaultBatchSize ({default})"),
                ));
            }
            if let (Some(min), Some(max), None) = (min, max, default)
                && min > max
            {
                errors.push(FieldError::new(
                    "minScheduleBatchSize",
                    format!("must be at most maxScheduleBatchSize ({max})"),
                ));
            }
        }
        EntityKind::Schedule => {
            let get = |name| value(spec, values, name).and_then(FieldValue::as_timestamp);
            if let (Some(start), Some(end)) = (get("plannedStart"), get("plannedEnd"))
                && end < start
            {
                errors.push(FieldError::new("plannedEnd", "must not be before plannedStart"));
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
    fn versions() {
        assert_eq!(parse_version("1.0"), Some((1, 0)));
        assert_eq!(parse_version("2.13"), Some((2, 13)));
        for bad in ["1", "1.", ".1", "1.0.0", "a.b", "-1.0", "1.+1", "99999999999.0"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

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
