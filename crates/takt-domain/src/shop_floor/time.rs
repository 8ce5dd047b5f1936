//! Time on the shop floor: whole seconds, and the union of intervals that makes an operation's
//! actual time and an operator's labour (overlaps never count twice).

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A span of work on an operation, open while `end_time` is none.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TimeEntry {
    pub id: Uuid,
    pub operation_id: Uuid,
    /// Who worked; none for an unattributed entry.
    pub operator_id: Option<Uuid>,
    /// `setup`, `run`, `rework`, `wait` or `breakdown`.
    pub time_type: String,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    /// Whole seconds from start to end; none while open.
    pub duration_seconds: Option<i64>,
    /// The same in whole minutes (rounded), for the reference's clients.
    pub duration: Option<i64>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TimeEntry {
    /// Fills the durations from the start and end.
    pub fn with_durations(mut self) -> TimeEntry {
        self.duration_seconds = self.end_time.map(|end| seconds_between(self.start_time, end));
        self.duration = self.duration_seconds.map(|s| (s + 30) / 60);
        self
    }
}

/// The kinds of time an entry books.
pub const TIME_TYPES: &[&str] = &["setup", "run", "rework", "wait", "breakdown"];

/// The time type of an entry that no request names.
pub const DEFAULT_TIME_TYPE: &str = "run";

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
