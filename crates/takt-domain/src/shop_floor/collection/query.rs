//! A collection's list requests: filters by its columns, and pages.

use serde_json::Value;
use uuid::Uuid;

use super::{Collection, Column, canonical};
use crate::error::{FieldError, Invalid};
use crate::json::{self, Scalar};
use crate::schema::Kind;

/// Default and largest page sizes of a list.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// How a filter compares a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Is(Scalar),
    IsNot(Scalar),
    /// At or after.
    From(Scalar),
    /// Strictly before.
    Before(Scalar),
}

/// A list request: filters (combined with AND) and a page.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub filters: Vec<(&'static str, Condition)>,
    pub limit: i64,
    pub offset: i64,
}

impl Default for ListQuery {
    fn default() -> ListQuery {
        ListQuery { filters: Vec::new(), limit: DEFAULT_LIMIT, offset: 0 }
    }
}

/// Parses a list's query string (`id` is read apart, by the caller); every unknown or bad
/// parameter is reported at once.
pub fn parse_list(collection: &Collection, pairs: &[(String, String)]) -> Result<ListQuery, Invalid> {
    let mut query = ListQuery::default();
    let mut errors = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in pairs {
        if seen.contains(&name.as_str()) {
            errors.push(FieldError::new(name.as_str(), "is given more than once"));
            continue;
        }
        seen.push(name);
        let text = value.trim();
        match name.as_str() {
            "limit" => match text.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => query.limit = n,
                _ => errors.push(FieldError::new("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
            },
            "offset" => match text.parse::<i64>() {
                Ok(n) if n >= 0 => query.offset = n,
                _ => errors.push(FieldError::new("offset", "must be a whole number, 0 or more")),
            },
            "start_date" | "end_date" if collection.dated.is_some() => match json::parse_date(text) {
                Some(day) => {
                    let column = collection.dated.unwrap_or_default();
                    let midnight =
                        |d: chrono::NaiveDate| Scalar::Timestamp(d.and_time(chrono::NaiveTime::MIN).and_utc());
                    let condition = if name == "start_date" {
                        Condition::From(midnight(day))
                    } else {
                        Condition::Before(midnight(day.succ_opt().unwrap_or(day)))
                    };
                    query.filters.push((column, condition));
                }
                None => errors.push(FieldError::new(name.as_str(), "must be a date, YYYY-MM-DD")),
            },
            other => match collection.column(other).filter(|c| c.filter) {
                Some(column) => match filter(column, text) {
                    Ok(condition) => query.filters.push((column.name(), condition)),
                    Err(message) => errors.push(FieldError::new(other, message)),
                },
                None => errors.push(FieldError::new(other, "is not a parameter of this path")),
            },
        }
    }
    if errors.is_empty() { Ok(query) } else { Err(Invalid(errors)) }
}

fn filter(column: &Column, text: &str) -> Result<Condition, String> {
    if let Some((word, value)) = column.except
        && word.eq_ignore_ascii_case(text)
    {
        return Ok(Condition::IsNot(Scalar::Text(value.to_owned())));
    }
    match column.field.kind {
        Kind::Bool => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(Condition::Is(Scalar::Bool(true))),
            "false" => Ok(Condition::Is(Scalar::Bool(false))),
            _ => Err("must be true or false".to_owned()),
        },
        Kind::Enum(allowed) => {
            canonical(allowed, text).map(|v| Condition::Is(Scalar::Text(v.to_owned()))).ok_or_else(|| {
                let words = column.except.map(|(word, _)| format!(" (or {word})")).unwrap_or_default();
                format!("must be one of: {}{words}", allowed.join(", "))
            })
        }
        Kind::Uuid => Uuid::try_parse(text)
            .map(|id| Condition::Is(Scalar::Uuid(id)))
            .map_err(|_| "must be a Takt id (a UUID)".to_owned()),
        kind => json::parse(kind, &Value::String(text.to_owned()), false).map(Condition::Is),
    }
}
