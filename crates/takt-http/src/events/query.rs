//! The query string the feed and the stream share.

use takt_domain::error::{FieldError, Invalid};
use takt_domain::event::TypePatterns;
use takt_store::sql::events::FeedQuery;

/// Default and largest page sizes of the feed.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;
/// The longest `entity` or `entity_id` filter.
const MAX_FILTER_BYTES: usize = 255;

/// A feed request as given: the cursor, if any, apart, since the stream defaults it differently.
pub struct Parsed {
    pub after: Option<i64>,
    pub query: FeedQuery,
}

/// Parses `after`, `limit`, `type`, `entity` and `entity_id`; every bad or unknown parameter is
/// reported at once. `limit` is refused where `limit_allowed` is false (the stream).
pub fn parse(pairs: &[(String, String)], limit_allowed: bool) -> Result<Parsed, Invalid> {
    let mut errors = Vec::new();
    let mut after = None;
    let mut query = FeedQuery { limit: DEFAULT_LIMIT, ..FeedQuery::default() };
    for (name, value) in pairs {
        match name.as_str() {
            "after" => match value.trim().parse::<i64>() {
                Ok(n) if n >= 0 => after = Some(n),
                _ => errors.push(FieldError::new("after", "must be a whole number, 0 or more")),
            },
            "limit" if limit_allowed => match value.trim().parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => query.limit = n,
                _ => errors.push(FieldError::new("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
            },
            "type" => match TypePatterns::parse(value) {
                Ok(patterns) if patterns.matches_everything() => {}
                Ok(patterns) => query.type_patterns = patterns.to_sql_like(),
                Err(error) => errors.push(FieldError::new("type", error.to_string())),
            },
            "entity" | "entity_id" if value.is_empty() || value.len() > MAX_FILTER_BYTES => {
                errors.push(FieldError::new(name.as_str(), format!("must be 1 to {MAX_FILTER_BYTES} bytes")));
            }
            "entity" => query.entity = Some(value.clone()),
            "entity_id" => query.entity_id = Some(value.clone()),
            other => errors.push(FieldError::new(other, "is not a parameter of this path")),
        }
    }
    if errors.is_empty() { Ok(Parsed { after, query }) } else { Err(Invalid(errors)) }
}
