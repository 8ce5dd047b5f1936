//! Time on the shop floor: whole seconds, and the union of intervals that makes an operation's
//! actual time and an operator's labour (overlaps never count twice).

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::Value;

use super::collection::{Collection, CollectionKind, Column, Initial, Input, Record, Shown};
use crate::erp::{ErpEntity, limits};
use crate::json::{Reader, Scalar};
use crate::schema::{Field, Kind};

/// The kinds of time an entry books.
pub const TIME_TYPES: &[&str] = &["setup", "run", "rework", "wait", "breakdown"];

/// The time type of an entry that no request names.
pub const DEFAULT_TIME_TYPE: &str = "run";

const COLUMNS: &[Column] = &[
    Column::new(Field::required("operation_id", Kind::Uuid, "The operation worked on.")).filter(),
    Column::new(Field::optional("operator_id", Kind::Uuid, "Who worked; none for an unattributed entry."))
        .filter()
        .refers(ErpEntity::Operator),
    Column::new(Field::optional(
        "time_type",
        Kind::Enum(TIME_TYPES),
        "setup, run, rework, wait or breakdown; run by default.",
    ))
    .initial(Initial::Text(DEFAULT_TIME_TYPE))
    .filter(),
    Column::new(Field::required("start_time", Kind::Timestamp, "RFC 3339; kept to the whole second.")),
    Column::new(Field::optional("end_time", Kind::Timestamp, "RFC 3339, not before start_time; none while open.")),
    Column::new(Field::optional("notes", Kind::Text { max_bytes: limits::LONG_TEXT }, "Free text.")),
];

/// `/api-time-entries`: spans of work on operations, opened and closed by the lifecycle and
/// corrected here; `start_date` and `end_date` filter by `start_time`.
pub static TIME_ENTRIES: Collection = Collection {
    kind: CollectionKind::TimeEntry,
    entity: "time_entry",
    label: "time entry",
    plural: "time_entries",
    path: "/api-time-entries",
    table: "time_entries",
    columns: COLUMNS,
    parent: Some("operation_id"),
    shown: &[
        Shown {
            name: "duration_seconds",
            kind: Kind::Integer { min: 0, max: i64::MAX },
            nullable: true,
            doc: "Whole seconds from start to end; none while open.",
            value: duration_seconds,
        },
        Shown {
            name: "duration",
            kind: Kind::Integer { min: 0, max: i64::MAX },
            nullable: true,
            doc: "The same in whole minutes (rounded), for the reference's clients.",
            value: duration_minutes,
        },
    ],
    extra: &[],
    refine: Some(to_whole_seconds),
    order_by: "start_time, id",
    synced: false,
    dated: Some("start_time"),
    ledger: false,
};

fn timestamp(record: &Record, name: &str) -> Option<DateTime<Utc>> {
    match record.value(name) {
        Some(Scalar::Timestamp(at)) => Some(*at),
        _ => None,
    }
}

/// The whole seconds an entry lasted, once it ended.
pub fn entry_seconds(record: &Record) -> Option<i64> {
    Some(seconds_between(timestamp(record, "start_time")?, timestamp(record, "end_time")?))
}

fn duration_seconds(record: &Record) -> Value {
    entry_seconds(record).map_or(Value::Null, Value::from)
}

fn duration_minutes(record: &Record) -> Value {
    entry_seconds(record).map_or(Value::Null, |s| Value::from((s + 30) / 60))
}

/// Keeps the times a body gives to the whole second, and refuses an end before the start.
fn to_whole_seconds(r: &mut Reader<'_, [Column]>, input: &mut Input) {
    for name in ["start_time", "end_time"] {
        if let Some(Some(Scalar::Timestamp(at))) = input.get(name).cloned() {
            input.set(name, Some(Scalar::Timestamp(whole_second(at))));
        }
    }
    if let (Some(Some(Scalar::Timestamp(start))), Some(Some(Scalar::Timestamp(end)))) =
        (input.get("start_time"), input.get("end_time"))
        && end < start
    {
        r.error("end_time", "must not be before start_time");
    }
}

/// An entry's interval, once it ended.
pub fn interval(record: &Record) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((timestamp(record, "start_time")?, timestamp(record, "end_time")?))
}

/// `at`, cut to the whole second: entries are kept in whole seconds.
pub fn whole_second(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::seconds(1)).unwrap_or(at)
}

/// The seconds from `start` to `end`, never negative.
pub fn seconds_between(start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    (end - start).num_seconds().max(0)
}

/// The length in whole seconds of the union of `intervals` (`(start, end)`, in any order).
pub fn union_seconds(intervals: impl IntoIterator<Item = (DateTime<Utc>, DateTime<Utc>)>) -> i64 {
    let mut intervals: Vec<_> = intervals.into_iter().filter(|(start, end)| end > start).collect();
    intervals.sort_unstable();
    let mut total = 0;
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (start, end) in intervals {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += seconds_between(s, e);
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    total + current.map_or(0, |(s, e)| seconds_between(s, e))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(second: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + second, 0).unwrap()
    }

    #[test]
    fn overlapping_and_touching_intervals_count_once() {
        assert_eq!(union_seconds([(at(0), at(10)), (at(5), at(15)), (at(15), at(20))]), 20);
        assert_eq!(union_seconds([(at(30), at(40)), (at(0), at(10)), (at(2), at(3))]), 20);
        assert_eq!(union_seconds([(at(0), at(100)), (at(10), at(20))]), 100);
        assert_eq!(union_seconds([]), 0);
    }

    #[test]
    fn empty_and_backward_intervals_count_nothing() {
        assert_eq!(union_seconds([(at(5), at(5)), (at(9), at(3))]), 0);
    }

    #[test]
    fn times_are_cut_to_the_second() {
        let precise = at(7) + TimeDelta::milliseconds(999);
        assert_eq!(whole_second(precise), at(7));
    }
}
