//! The lifecycle of operations and jobs: which action moves which status where.

use std::fmt;

/// The execution status of a job, part or operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    NotStarted,
    InProgress,
    OnHold,
    Completed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::NotStarted, Status::InProgress, Status::OnHold, Status::Completed];

    /// As stored and served: `not_started`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::OnHold => "on_hold",
            Status::Completed => "completed",
        }
    }

    /// Reads a status, ignoring case (SPEC rule 5).
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// The event of a status that moves by consequence (a part or job rolling up): `started`,
/// `resumed`, `reopened`, `paused`, `completed`.
pub const fn derived_event(from: Status, to: Status) -> &'static str {
    match (from, to) {
        (Status::NotStarted, Status::InProgress) => "started",
        (Status::OnHold, Status::InProgress) => "resumed",
        (Status::Completed, Status::InProgress) => "reopened",
        (_, Status::OnHold) => "paused",
        (_, Status::Completed) => "completed",
        (_, Status::NotStarted) | (Status::InProgress, Status::InProgress) => "updated",
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a lifecycle action is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Operation,
    Job,
}

impl Target {
    /// As in messages and answers: `operation`.
    pub const fn name(self) -> &'static str {
        match self {
            Target::Operation => "operation",
            Target::Job => "job",
        }
    }

    /// The actions its path takes, as written there.
    pub const fn action_names(self) -> &'static [&'static str] {
        match self {
            Target::Operation => &["start", "pause", "resume", "complete"],
            Target::Job => &["start", "stop", "pause", "resume", "complete"],
        }
    }
}

/// A move of the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Pause,
    Resume,
    Complete,
}

impl Action {
    pub const ALL: [Action; 4] = [Action::Start, Action::Pause, Action::Resume, Action::Complete];

    /// Reads an action of `target`'s path, ignoring case; a job's `stop` is `pause`.
    pub fn parse(target: Target, text: &str) -> Option<Action> {
        let text = text.trim();
        if target == Target::Job && text.eq_ignore_ascii_case("stop") {
            return Some(Action::Pause);
        }
        Action::ALL.into_iter().find(|a| a.verb().eq_ignore_ascii_case(text))
    }

    /// `start`, `pause`, ...
    pub const fn verb(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Complete => "complete",
        }
    }

    /// The event it makes: `started`, `paused`, ...
    pub const fn event(self) -> &'static str {
        match self {
            Action::Start => "started",
            Action::Pause => "paused",
            Action::Resume => "resumed",
            Action::Complete => "completed",
        }
    }

    /// The statuses it moves from.
    pub const fn from(self) -> &'static [Status] {
        match self {
            Action::Start => &[Status::NotStarted, Status::OnHold],
            Action::Pause | Action::Complete => &[Status::InProgress],
            Action::Resume => &[Status::OnHold],
        }
    }

    /// The status it moves to.
    pub const fn to(self) -> Status {
        match self {
            Action::Start | Action::Resume => Status::InProgress,
            Action::Pause => Status::OnHold,
            Action::Complete => Status::Completed,
        }
    }

    /// Whether it sets work going (and opens a time entry, for an operation).
    pub const fn runs(self) -> bool {
        matches!(self, Action::Start | Action::Resume)
    }

    /// The status `self` moves `from` to, or why it may not.
    pub fn apply(self, target: Target, from: Status) -> Result<Status, RefusedMove> {
        if self.from().contains(&from) {
            Ok(self.to())
        } else {
            Err(RefusedMove { target, action: self, status: from })
        }
    }
}

/// An action the record's status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusedMove {
    pub target: Target,
    pub action: Action,
    pub status: Status,
}

impl fmt::Display for RefusedMove {
    /// "Cannot pause operation with status 'completed'. Operation must be 'in_progress'."
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed: Vec<String> = self.action.from().iter().map(|s| format!("'{s}'")).collect();
        let name = self.target.name();
        let mut capital = name.chars();
        let first = capital.next().map(|c| c.to_ascii_uppercase()).unwrap_or_default();
        write!(
            f,
            "Cannot {} {name} with status '{}'. {first}{} must be {}.",
            self.action.verb(),
            self.status,
            capital.as_str(),
            allowed.join(" or ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transition_table_holds_for_every_action_and_status() {
        use Status::*;
        let table = [
            (Action::Start, [Ok(InProgress), Err(()), Ok(InProgress), Err(())]),
            (Action::Pause, [Err(()), Ok(OnHold), Err(()), Err(())]),
            (Action::Resume, [Err(()), Err(()), Ok(InProgress), Err(())]),
            (Action::Complete, [Err(()), Ok(Completed), Err(()), Err(())]),
        ];
        for (action, expected) in table {
            for (status, want) in Status::ALL.into_iter().zip(expected) {
                assert_eq!(action.apply(Target::Operation, status).map_err(|_| ()), want, "{action:?} from {status}");
            }
        }
    }

    #[test]
    fn a_refused_move_reads_like_the_reference() {
        let refused = Action::Pause.apply(Target::Operation, Status::Completed).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Cannot pause operation with status 'completed'. Operation must be 'in_progress'."
        );
        let refused = Action::Start.apply(Target::Job, Status::Completed).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Cannot start job with status 'completed'. Job must be 'not_started' or 'on_hold'."
        );
    }

    #[test]
    fn actions_and_statuses_are_read_in_any_case() {
        assert_eq!(Action::parse(Target::Job, "STOP"), Some(Action::Pause));
        assert_eq!(Action::parse(Target::Operation, "stop"), None);
        assert_eq!(Action::parse(Target::Operation, "Complete"), Some(Action::Complete));
        assert_eq!(Status::parse("On_Hold"), Some(Status::OnHold));
        assert_eq!(Status::parse("done"), None);
    }
}
