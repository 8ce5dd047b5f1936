//! When a failed delivery is tried again, and the duration syntax (`500ms`, `5s`, `5m`, `2h`,
//! `30d`) used for it and for other settings such as the event retention.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The most delays a schedule may have.
pub const MAX_STEPS: usize = 20;
/// The longest single delay.
pub const MAX_STEP: Duration = Duration::from_secs(7 * 86_400);

const UNITS: [(&str, u64); 5] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

/// A text that is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a duration; write a whole number and a unit (ms, s, m, h or d), such as 30s or 5m")]
pub struct DurationError {
    pub text: String,
}

/// Parses a whole number followed by `ms`, `s`, `m`, `h` or `d`, such as `30d`. Zero is
/// accepted; whether it makes sense is the caller's question.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let error = || DurationError { text: text.to_owned() };
    let trimmed = text.trim();
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = trimmed.split_at(digits);
    if number.is_empty() {
        return Err(error());
    }
    let per_unit = UNITS.iter().find(|(name, _)| *name == unit).map(|&(_, ms)| ms).ok_or_else(error)?;
    let millis = number.parse::<u64>().ok().and_then(|n| n.checked_mul(per_unit)).ok_or_else(error)?;
    Ok(Duration::from_millis(millis))
}

/// Writes a duration in the largest unit that holds it exactly (`90s`, `5m`, `2h`), which
/// [`parse_duration`] reads back. Anything below a millisecond is dropped.
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis == 0 {
        return "0s".to_owned();
    }
    let (name, per_unit) =
        UNITS.iter().find(|&&(_, ms)| millis.is_multiple_of(u128::from(ms))).copied().unwrap_or(("ms", 1));
    format!("{}{name}", millis / u128::from(per_unit))
}

/// Why a retry schedule is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("a retry schedule needs at least one delay")]
    Empty,
    #[error("a retry schedule must not contain an empty item")]
    EmptyStep,
    #[error(transparent)]
    Duration(#[from] DurationError),
    #[error("a retry schedule may have at most {MAX_STEPS} delays, this one has {count}")]
    TooManySteps { count: usize },
    #[error("a retry delay must be longer than zero")]
    ZeroStep,
    #[error("a retry delay may be at most 7 days, `{step}` is longer")]
    StepTooLong { step: String },
}

/// The delays between the attempts of one delivery: after attempt `n` fails, the next one waits
/// the `n`th delay; once there is none left, the delivery has failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RetrySchedule(Vec<Duration>);

impl RetrySchedule {
    /// Parses comma-separated delays such as `5s,5m,30m`: 1 to 20 of them, each above zero and
    /// at most 7 days.
    pub fn parse(text: &str) -> Result<RetrySchedule, ScheduleError> {
        if text.trim().is_empty() {
            return Err(ScheduleError::Empty);
        }
        let items: Vec<&str> = text.split(',').map(str::trim).collect();
        if items.len() > MAX_STEPS {
            return Err(ScheduleError::TooManySteps { count: items.len() });
        }
        let mut steps = Vec::with_capacity(items.len());
        for item in items {
            if item.is_empty() {
                return Err(ScheduleError::EmptyStep);
            }
            let step = parse_duration(item)?;
            if step.is_zero() {
                return Err(ScheduleError::ZeroStep);
            }
            if step > MAX_STEP {
                return Err(ScheduleError::StepTooLong { step: item.to_owned() });
            }
            steps.push(step);
        }
        Ok(RetrySchedule(steps))
    }

    /// How long to wait after attempt number `attempt` (counted from 1) failed; `None` when it
    /// was the last one, so the delivery has failed. Attempt 0 does not exist and gets `None`.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
        self.0.get(index).copied()
    }

    /// How many attempts a delivery gets: the first one and one per delay.
    pub fn max_attempts(&self) -> u32 {
        self.0.len() as u32 + 1
    }

    /// The delays, in order.
    pub fn steps(&self) -> &[Duration] {
        &self.0
    }
}

/// The spec's schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (eight attempts).
impl Default for RetrySchedule {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        RetrySchedule(vec![
            Duration::from_secs(5),
            minutes(5),
            minutes(30),
            minutes(120),
            minutes(300),
            minutes(600),
            minutes(600),
        ])
    }
}

/// The comma-separated form, which [`RetrySchedule::parse`] reads back.
impl fmt::Display for RetrySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(&format_duration(*step))?;
        }
        Ok(())
    }
}

impl FromStr for RetrySchedule {
    type Err = ScheduleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        RetrySchedule::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5s"), Ok(secs(5)));
        assert_eq!(parse_duration("5m"), Ok(secs(300)));
        assert_eq!(parse_duration("2h"), Ok(secs(7200)));
        assert_eq!(parse_duration("30d"), Ok(secs(30 * 86_400)));
        assert_eq!(parse_duration(" 10h "), Ok(secs(36_000)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("007s"), Ok(secs(7)));
    }

    #[test]
    fn malformed_durations_are_refused() {
        for text in [
            "",
            "s",
            "5",
            "5 s",
            "5S",
            "1.5h",
            "-5s",
            "+5s",
            "5sec",
            "5w",
            "5mss",
            "1h30m",
            "ms",
            "99999999999999999999s",
            "213503982335d",
        ] {
            assert_eq!(parse_duration(text), Err(DurationError { text: text.to_owned() }), "{text}");
        }
        assert_eq!(
            parse_duration("5x").unwrap_err().to_string(),
            "`5x` is not a duration; write a whole number and a unit (ms, s, m, h or d), such as 30s or 5m"
        );
    }

    #[test]
    fn durations_format_in_the_largest_exact_unit() {
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(secs(90)), "90s");
        assert_eq!(format_duration(secs(60)), "1m");
        assert_eq!(format_duration(secs(7200)), "2h");
        assert_eq!(format_duration(secs(30 * 86_400)), "30d");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_micros(2500)), "2ms");
        for text in ["1ms", "999ms", "1001ms", "59s", "61m", "25h", "365d"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{text}");
        }
    }

    #[test]
    fn default_is_the_spec_schedule() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule, RetrySchedule::parse("5s,5m,30m,2h,5h,10h,10h").unwrap());
        assert_eq!(schedule.to_string(), "5s,5m,30m,2h,5h,10h,10h");
        assert_eq!(schedule.max_attempts(), 8);
    }

    #[test]
    fn delays_follow_attempts_until_exhausted() {
        let schedule = RetrySchedule::parse("1s,2s,5s").unwrap();
        assert_eq!(schedule.max_attempts(), 4);
        assert_eq!(schedule.delay_after(0), None);
        assert_eq!(schedule.delay_after(1), Some(secs(1)));
        assert_eq!(schedule.delay_after(2), Some(secs(2)));
        assert_eq!(schedule.delay_after(3), Some(secs(5)));
        assert_eq!(schedule.delay_after(4), None);
        assert_eq!(schedule.delay_after(u32::MAX), None);
        assert_eq!(schedule.steps(), [secs(1), secs(2), secs(5)]);

        let default = RetrySchedule::default();
        let last = default.max_attempts();
        assert!(default.delay_after(last - 1).is_some());
        assert_eq!(default.delay_after(last), None);
    }

    #[test]
    fn parse_trims_and_round_trips() {
        let schedule = RetrySchedule::parse(" 100ms , 60s,1440m ").unwrap();
        assert_eq!(schedule.steps(), [Duration::from_millis(100), secs(60), secs(86_400)]);
        assert_eq!(schedule.to_string(), "100ms,1m,1d");
        assert_eq!(schedule.to_string().parse::<RetrySchedule>().unwrap(), schedule);
    }

    #[test]
    fn parse_refuses_bad_schedules() {
        assert_eq!(RetrySchedule::parse(""), Err(ScheduleError::Empty));
        assert_eq!(RetrySchedule::parse("  "), Err(ScheduleError::Empty));
        assert_eq!(RetrySchedule::parse("1s,,2s"), Err(ScheduleError::EmptyStep));
        assert_eq!(RetrySchedule::parse("1s,"), Err(ScheduleError::EmptyStep));
        assert_eq!(RetrySchedule::parse("1s,0ms"), Err(ScheduleError::ZeroStep));
        assert_eq!(
            RetrySchedule::parse("1s,soon"),
            Err(ScheduleError::Duration(DurationError { text: "soon".to_owned() }))
        );
        assert!(RetrySchedule::parse("7d").is_ok());
        assert!(RetrySchedule::parse("168h").is_ok());
        assert_eq!(RetrySchedule::parse("169h"), Err(ScheduleError::StepTooLong { step: "169h".to_owned() }));
        assert_eq!(
            RetrySchedule::parse("604800001ms"),
            Err(ScheduleError::StepTooLong { step: "604800001ms".to_owned() })
        );
        assert!(RetrySchedule::parse(&vec!["1s"; 20].join(",")).is_ok());
        assert_eq!(RetrySchedule::parse(&vec!["1s"; 21].join(",")), Err(ScheduleError::TooManySteps { count: 21 }));
    }

    #[test]
    fn schedule_errors_read_as_messages() {
        assert_eq!(
            RetrySchedule::parse("8d").unwrap_err().to_string(),
            "a retry delay may be at most 7 days, `8d` is longer"
        );
        assert_eq!(
            RetrySchedule::parse("1s,2").unwrap_err().to_string(),
            "`2` is not a duration; write a whole number and a unit (ms, s, m, h or d), such as 30s or 5m"
        );
    }
}
