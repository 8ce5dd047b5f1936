//! The query string of `GET /api-{entity}`.

use uuid::Uuid;

use super::{ErpEntity, JOB_STATUSES, RESOURCE_STATUSES};
use crate::error::{FieldError, Invalid};
use crate::text::TextError;

/// Default and largest page sizes.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// A list request: filters combine with AND; records come in a stable order (by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub status: Option<String>,
    /// Folded; matched as a substring of the entity's names.
    pub search: Option<String>,
    /// `job_id` for parts, `part_id` for operations.
    pub parent_id: Option<Uuid>,
    /// `cell_id` for operations.
    pub cell_id: Option<Uuid>,
    pub limit: i64,
    pub offset: i64,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            external_source: None,
            external_id: None,
            status: None,
            search: None,
            parent_id: None,
            cell_id: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// The query parameters an entity's list accepts.
pub fn list_parameters(entity: ErpEntity) -> Vec<&'static str> {
    let mut names = vec!["external_source", "external_id", "search", "limit", "offset", "id"];
    match entity {
        ErpEntity::Job | ErpEntity::Resource => names.push("status"),
        ErpEntity::Part => names.push("job_id"),
        ErpEntity::Operation => names.extend(["part_id", "cell_id"]),
        ErpEntity::Cell | ErpEntity::Operator => {}
    }
    names
}

/// The statuses an entity's `status` filter accepts, if it has one.
fn statuses(entity: ErpEntity) -> Option<&'static [&'static str]> {
    match entity {
        ErpEntity::Job => Some(JOB_STATUSES),
        ErpEntity::Resource => Some(RESOURCE_STATUSES),
        _ => None,
    }
}

/// Parses query parameters (already percent-decoded); `id` is the caller's business.
pub fn parse_list_query(entity: ErpEntity, pairs: &[(String, String)]) -> Result<ListQuery, Invalid> {
    let mut query = ListQuery::default();
    let mut errors = Vec::new();
    let allowed = list_parameters(entity);
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in pairs {
        if !allowed.contains(&key.as_str()) {
            errors.push(FieldError::new(
                key.as_str(),
                format!("is not a parameter of GET /api-{} (parameters: {})", entity.plural(), allowed.join(", ")),
            ));
            continue;
        }
        if seen.contains(&key.as_str()) {
            errors.push(FieldError::new(key.as_str(), "is given more than once"));
            continue;
        }
        seen.push(key);
        let uuid = |errors: &mut Vec<FieldError>| match Uuid::try_parse(value) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(key.as_str(), "must be a Takt id (a UUID)"));
                None
            }
        };
        if value.contains('\0') {
            // PostgreSQL cannot compare text holding U+0000, and no stored value holds it.
            errors.push(FieldError::new(key.as_str(), TextError::Nul.message()));
            continue;
        }
        match key.as_str() {
            "external_source" => query.external_source = Some(value.clone()),
            "external_id" => query.external_id = Some(value.clone()),
            "search" => query.search = Some(crate::text::fold(value)),
            "status" => {
                let allowed = statuses(entity).unwrap_or_default();
                if allowed.contains(&value.as_str()) {
                    query.status = Some(value.clone());
                } else {
                    errors.push(FieldError::new("status", format!("must be one of: {}", allowed.join(", "))));
                }
            }
            "limit" => match value.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => query.limit = n,
                _ => errors.push(FieldError::new("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
            },
            "offset" => match value.parse::<i64>() {
                Ok(n) if n >= 0 => query.offset = n,
                _ => errors.push(FieldError::new("offset", "must be a whole number of at least 0")),
            },
            "job_id" | "part_id" => query.parent_id = uuid(&mut errors),
            "cell_id" => query.cell_id = uuid(&mut errors),
            _ => {}
        }
    }
    if errors.is_empty() { Ok(query) } else { Err(Invalid(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_and_refuses() {
        let q =
            parse_list_query(ErpEntity::Job, &pairs(&[("status", "not_started"), ("search", "ÄRGER"), ("limit", "5")]))
                .unwrap();
        assert_eq!(q.status.as_deref(), Some("not_started"));
        assert_eq!(q.search.as_deref(), Some("ärger"));
        assert_eq!(q.limit, 5);
        let bad = parse_list_query(ErpEntity::Cell, &pairs(&[("status", "x"), ("limit", "1001"), ("colour", "red")]))
            .unwrap_err();
        assert_eq!(bad.0.len(), 3);
    }
}
