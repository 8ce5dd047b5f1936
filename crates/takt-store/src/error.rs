//! What can go wrong in the store, in the terms the API answers with.

use takt_domain::error::{FieldError, Invalid};

use crate::sql::DbError;

/// A store failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The record, or a record it references, does not exist in this tenant.
    #[error("{message}")]
    NotFound { message: String, details: Vec<FieldError> },
    /// A unique value is taken, a record is in use, or a frozen record would change.
    #[error("{0}")]
    Conflict(String),
    /// A value that only the database can judge is wrong (a pattern matching several records).
    #[error("{0}")]
    Invalid(Invalid),
    /// A feed cursor points below the events still kept.
    #[error("events after the cursor are no longer kept; the oldest kept is {oldest_seq}")]
    CursorExpired { oldest_seq: i64 },
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Transient conflicts outlasted every retry (deadlocks, a busy database).
    #[error("the database is busy: {0}")]
    Busy(String),
    /// Anything else: a bug or a database fault. Logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn not_found(message: impl Into<String>) -> StoreError {
        StoreError::NotFound { message: message.into(), details: Vec::new() }
    }

    /// A missing reference, named at its field.
    pub fn missing_reference(field: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::missing(vec![FieldError::new(field, message)], "references name records that do not exist")
    }

    /// References that name nothing, each at its field: one says its own message, several are
    /// counted (`2 <several>`).
    pub fn missing(details: Vec<FieldError>, several: &str) -> StoreError {
        let message = match details.as_slice() {
            [one] => one.message.clone(),
            many => format!("{} {several}", many.len()),
        };
        StoreError::NotFound { message, details }
    }

    pub fn conflict(message: impl Into<String>) -> StoreError {
        StoreError::Conflict(message.into())
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::Invalid(Invalid::one(field, message))
    }

    /// A short sentence for a bulk result line.
    pub fn summary(&self) -> String {
        match self {
            StoreError::NotFound { message, details } if details.len() > 1 => {
                let all: Vec<_> = details.iter().map(|d| format!("{} {}", d.field, d.message)).collect();
                format!("{message}: {}", all.join("; "))
            }
            StoreError::Invalid(invalid) => invalid.summary(),
            StoreError::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        }
    }
}

impl From<DbError> for StoreError {
    fn from(error: DbError) -> StoreError {
        match error {
            DbError::Unavailable(m) => StoreError::Unavailable(m),
            DbError::Retryable(m) => StoreError::Busy(m),
            DbError::Unique { table, columns } => {
                StoreError::Conflict(format!("a record with the same {} already exists in {table}", columns.join(", ")))
            }
            DbError::ForeignKey(_) => {
                StoreError::Conflict("the record is in use, or references a record that no longer exists".to_owned())
            }
            other => StoreError::Internal(other.to_string()),
        }
    }
}
