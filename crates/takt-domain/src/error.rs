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
    /// `3 fields are invalid: a ...; b ...; c ...`.
    pub fn summary(&self) -> String {
        let line = |e: &FieldError| {
            if e.field.is_empty() { e.message.clone() } else { format!("{} {}", e.field, e.message) }
        };
        match self.0.as_slice() {
            [one] => line(one),
            many => {
                format!("{} fields are invalid: {}", many.len(), many.iter().map(line).collect::<Vec<_>>().join("; "))
            }
        }
    }
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
