//! The errors of validation: every bad field, by its JSON path.

use serde::Serialize;

/// One bad field: its JSON path (`parts[0].operations[1].cell_name`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// Every bad field of one request (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError::new(field, message)])
    }

    /// A one-line summary: `due_date must be a date (YYYY-MM-DD)`, or for several fields
    /// `3 fields are invalid: a ...; b ...; c ...`, naming the first [`LISTED_AT_MOST`].
    pub fn summary(&self) -> String {
        self.summary_with(0)
    }

    /// A summary of these errors and of `more` that were only counted.
    pub fn summary_with(&self, more: usize) -> String {
        let line = |e: &FieldError| {
            if e.field.is_empty() { e.message.clone() } else { format!("{} {}", e.field, e.message) }
        };
        match self.0.as_slice() {
            [one] if more == 0 => line(one),
            many => {
                let total = many.len() + more;
                let shown = many.len().min(LISTED_AT_MOST);
                let mut lines: Vec<String> = many[..shown].iter().map(line).collect();
                if total > shown {
                    lines.push(more_message(total - shown));
                }
                format!("{total} fields are invalid: {}", lines.join("; "))
            }
        }
    }
}

/// The most fields an answer lists; one more line then says how many more there were.
pub const LISTED_AT_MOST: usize = 100;

/// The `field` of that last line: not a path, so no client mistakes it for one.
pub const MORE_FIELD: &str = "...";

fn more_message(count: usize) -> String {
    format!("and {count} more")
}

/// The fields an answer lists: the first [`LISTED_AT_MOST`] of `errors`, then, when some are
/// left out (or `more` were only counted), `{"field": "...", "message": "and 41 more"}`.
pub fn listed(mut errors: Vec<FieldError>, more: usize) -> Vec<FieldError> {
    let more = more + errors.len().saturating_sub(LISTED_AT_MOST);
    errors.truncate(LISTED_AT_MOST);
    if more > 0 {
        errors.push(FieldError::new(MORE_FIELD, more_message(more)));
    }
    errors
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl std::error::Error for Invalid {}

/// A JSON path under construction: `parts[0].operations[1]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    pub fn root() -> Self {
        Path(String::new())
    }

    /// The path of a member: `parts[0]` + `quantity` = `parts[0].quantity`.
    pub fn field(&self, name: &str) -> String {
        if self.0.is_empty() { name.to_owned() } else { format!("{}.{name}", self.0) }
    }

    /// The path of an array element: `parts` + 3 = `parts[3]`.
    pub fn element(&self, array: &str, index: usize) -> Path {
        Path(format!("{}[{index}]", self.field(array)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(n: usize) -> Vec<FieldError> {
        (0..n).map(|i| FieldError::new(format!("parts[{i}].external_id"), "is required")).collect()
    }

    #[test]
    fn answers_list_at_most_100_fields_and_count_the_rest() {
        assert_eq!(listed(errors(100), 0), errors(100));
        let cut = listed(errors(250), 0);
        assert_eq!(cut.len(), 101);
        assert_eq!(cut[99].field, "parts[99].external_id");
        assert_eq!(cut[100], FieldError::new("...", "and 150 more"));
        assert_eq!(listed(errors(3), 7)[3], FieldError::new("...", "and 7 more"));
    }

    #[test]
    fn summaries_name_at_most_100_fields() {
        assert_eq!(Invalid(errors(1)).summary(), "parts[0].external_id is required");
        let summary = Invalid(errors(102)).summary();
        assert!(summary.starts_with("102 fields are invalid: parts[0].external_id is required; "), "{summary}");
        assert!(summary.ends_with("parts[99].external_id is required; and 2 more"), "{summary}");
        assert_eq!(
            Invalid(errors(1)).summary_with(4),
            "5 fields are invalid: parts[0].external_id is required; and 4 more"
        );
    }
}
